//! Read models over many rows: a course's gradebook for its instructor and a student's
//! dashboard, and the course analytics of [`course`] (funnel, item analysis, students at
//! risk, activity). They read through Row Level Security like every read of a user's scope;
//! their SQL ([`queries`]) filters on indexed columns that the policies also filter on
//! (`assessment_attempts.course_id`, `student_id`), so that a policy is checked on the
//! rows the query wants and no others (see `benches/rls.rs`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use lms_core::grading::CourseGrade;
use lms_core::model::{AssessmentId, CourseId, UserId};
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};
use uuid::Uuid;

use lms_core::repo::{Page, Paged};

use crate::authoring::{require_staff, Right};
use crate::error::Result;
use crate::grades::{gradings, missed, student_grades, StudentCourseGrade};
use crate::learning::student_of;
use crate::session::Scope;

pub mod course;
pub use course::{
    ActivityPoint, AnswerCount, AtRiskReport, AtRiskStudent, AttemptFilter, Bucket,
    CompletionFunnel, FunnelStep, ItemAnalysis, ItemReport, OptionShare, MAX_BUCKETS,
};

/// The SQL of the read models, exactly as the use cases run it (`$1` is bound to the
/// value named on each, `$2` and `$3` to a page's limit and offset), for benchmarks and
/// `EXPLAIN`.
pub mod queries {
    /// The settings a read model over a course's many rows runs with, for its
    /// transaction only: no JIT compilation and `work_mem` 32 MB (see the gradebook,
    /// the course analytics; not the student's dashboard).
    pub const READ_MODEL_SETTINGS: &str =
        "select set_config('jit', 'off', true), set_config('work_mem', '32MB', true)";

    /// The [`GradeSummary`](super::GradeSummary) columns of the attempts `where` selects,
    /// one row per student and assessment, as the relation `g`: counts from the
    /// attempts, the grade and pass from `student_progress`, which the progress refresh
    /// keeps by each assessment's grading method (no `max(score)` here). The second
    /// filter restates the first on `student_progress` (`sp`), so that its scan is by
    /// index there too: the planner does not carry a filter through the grouping, and
    /// under RLS a scan of every row checks each row's policy. One progress row per
    /// entry: a lesson's assessment has its row with the lesson (the refresh's), and a
    /// second one without it (a writer on the service path may store both) adds no
    /// entry; the lesson's row comes first.
    macro_rules! grade_summaries {
        ($filter:literal, $progress:literal) => {
            grade_summaries!("", $filter, $progress)
        };
        ($before:literal, $filter:literal, $progress:literal) => {
            concat!(
                "with ",
                $before,
                "a0 as ( \
                   select at.student_id, at.assessment_id, at.course_id, \
                          count(*) as attempts, \
                          count(at.submitted_at) as submitted, \
                          count(*) filter (where at.submitted_at is not null \
                                             and at.score is null) as awaiting_grading, \
                          max(at.submitted_at) as last_submitted_at \
                     from public.assessment_attempts at \
                    where ",
                $filter,
                "   group by at.student_id, at.assessment_id, at.course_id), \
                 g as ( \
                   select a0.student_id, a0.assessment_id, a0.course_id, a0.attempts, \
                          a0.submitted, a0.awaiting_grading, sp.best_score, \
                          coalesce(sp.status = 'completed', false) as passed, \
                          a0.last_submitted_at \
                     from a0 left join lateral ( \
                       select sp.best_score, sp.status from public.student_progress sp \
                        where sp.student_id = a0.student_id and sp.course_id = a0.course_id \
                          and sp.assessment_id = a0.assessment_id and ",
                $progress,
                "        order by sp.lesson_id nulls last limit 1) sp on true) "
            )
        };
    }

    /// One [`GradebookEntry`](super::GradebookEntry) per student and assessment of the
    /// course `$1`, by student (family name, given name, e-mail) then assessment title,
    /// the page `limit $2 offset $3`, each row with the `total` of entries.
    ///
    /// The page's students are found first: each student's number of entries (their
    /// assessments attempted, from the course's attempts index alone), in the page's
    /// order, with the entries before them (`before`); those whose entries meet the page
    /// are summed up, and the offset is taken within them. A page costs the course's
    /// attempts index and its students' profiles once, not a summary of every entry.
    /// The entries take their students' names from `ordered`, not `page` (it holds the
    /// page's students only already): the planner's estimate of `page`, a filter on
    /// window sums, is a row or two, and made a nested loop of every entry against every
    /// page student in a generic plan (a large page as the instructor: 5.4 → 3.9 ms).
    pub const GRADEBOOK: &str = concat!(
        grade_summaries!(
            "pairs as ( \
               select at.student_id from public.assessment_attempts at \
                where at.course_id = $1 group by at.student_id, at.assessment_id), \
             ordered as ( \
               select n.student_id, n.entries, p.first_name, p.last_name, p.email, \
                      (sum(n.entries) over (order by p.last_name nulls last, \
                                            p.first_name nulls last, p.email nulls last, \
                                            n.student_id rows unbounded preceding) \
                       - n.entries)::bigint as before, \
                      sum(n.entries) over ()::bigint as total \
                 from (select student_id, count(*) as entries from pairs \
                        group by student_id) n \
                 left join public.profiles p on p.id = n.student_id), \
             page as ( \
               select * from ordered where before < $3 + $2 and before + entries > $3), ",
            "at.course_id = $1 and at.student_id in (select student_id from page)",
            "sp.course_id = $1"
        ),
        "select g.*, a.title as assessment_title, \
                nullif(btrim(concat_ws(' ', pg.first_name, pg.last_name)), '') as student_name, \
                pg.email as student_email, pg.total \
           from g \
           join ordered pg on pg.student_id = g.student_id \
           left join public.assessments a on a.id = g.assessment_id \
          order by pg.last_name nulls last, pg.first_name nulls last, pg.email nulls last, \
                   g.student_id, a.title, g.assessment_id \
          limit $2 offset $3 - (select min(before) from page)"
    );

    /// What makes the grade of the courses `where` selects (a course `c`): its grading
    /// scheme, the assessments that count — each published lesson's in the lessons'
    /// order, then the final — and each one's grade for missing work (its own late
    /// policy's, or without one the course's; only with a close time).
    macro_rules! gradings {
        ($where:literal) => {
            concat!(
                "select c.id, c.grading_scheme, \
                        coalesce(array_agg(s.id order by s.part, s.order_index) \
                                   filter (where s.id is not null), '{}') as counted, \
                        coalesce(array_agg(s.missing order by s.part, s.order_index) \
                                   filter (where s.id is not null), '{}') as missing \
                   from public.courses c \
                   left join lateral ( \
                     select a.id, l.part, l.order_index, \
                            case when a.closes_at is not null then \
                              case when a.late_deduction_percent is not null \
                                   then a.late_missing_percent \
                                   else c.late_missing_percent end \
                            end::float8 as missing \
                       from (select l.assessment_id as id, 0 as part, l.order_index \
                               from public.lessons l \
                              where l.course_id = c.id and l.is_published \
                                and l.assessment_id is not null \
                             union all \
                             select c.final_assessment_id, 1, 0 \
                              where c.final_assessment_id is not null) l \
                       join public.assessments a on a.id = l.id) s on true \
                  where ",
                $where,
                " group by c.id"
            )
        };
    }

    /// What makes the grade of course `$1` (its scheme, the assessments that count, their
    /// grades for missing work).
    pub const COURSE_GRADINGS: &str = gradings!("c.id = $1");

    /// What makes the grade of each course of the student `$1`.
    pub const DASHBOARD_GRADINGS: &str =
        gradings!("c.id in (select e.course_id from public.enrollments e where e.student_id = $1)");

    /// The courses of the student `$1` with their completion (`enrollments.progress`,
    /// kept by the progress refresh) and when they last studied in each, most recently
    /// enrolled first.
    pub const DASHBOARD_COURSES: &str = "\
        select e.course_id, c.title, e.enrolled_at, e.completed_at, \
               case when jsonb_typeof(e.progress -> 'percent') = 'number' \
                    then least(greatest((e.progress ->> 'percent')::numeric, 0), 100)::int \
                    else 0 end as completion_percentage, \
               (select max(sp.last_accessed) from public.student_progress sp \
                 where sp.student_id = e.student_id and sp.course_id = e.course_id) \
                 as last_accessed \
          from public.enrollments e \
          join public.courses c on c.id = e.course_id \
         where e.student_id = $1 \
         order by e.enrolled_at desc, e.course_id";

    /// One [`GradeSummary`](super::GradeSummary) per assessment the student `$1`
    /// attempted, by course then assessment. The title is a scalar subquery: a probe of
    /// the primary key for each of the student's few lines, where a join would hash
    /// every assessment the actor may read (under RLS, checking each one's policy).
    pub const DASHBOARD_ATTEMPTS: &str = concat!(
        grade_summaries!("at.student_id = $1", "sp.student_id = $1"),
        "select g.*, \
                (select a.title from public.assessments a where a.id = g.assessment_id) \
                  as assessment_title \
           from g order by g.course_id, g.assessment_id"
    );
}

/// Sets the transaction up for a read model over a course's many rows: no JIT
/// compilation (its tens of milliseconds are a large share of queries that run in about a
/// hundred, and PostgreSQL's cost threshold turns it on for them) and sorts and hashes
/// of a few hundred thousand rows in memory (`work_mem` 32 MB, this transaction only).
/// After the actor's right to the course was checked.
pub(crate) async fn for_read_models(tx: &mut crate::session::Tx) -> Result<()> {
    sqlx::query(queries::READ_MODEL_SETTINGS)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// One student's attempts at one assessment, summed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeSummary {
    /// The student.
    pub student_id: UserId,
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// The assessment's course (a lesson assessment's is its lesson's).
    pub course_id: CourseId,
    /// Attempts started, submitted or not.
    pub attempts: i64,
    /// Attempts submitted.
    pub submitted: i64,
    /// Submitted attempts whose essays wait for an instructor's grade (no score yet).
    pub awaiting_grading: i64,
    /// The assessment's grade 0–100 by its grading method (the best score under
    /// `highest`, the mean of exact results under `average`, …); `None` while there is
    /// none (no graded attempt, or the first/last one awaits grading).
    pub best_score: Option<i32>,
    /// Whether that grade passes.
    pub passed: bool,
    /// The last submission.
    pub last_submitted_at: Option<DateTime<Utc>>,
    /// The assessment's title (`None` if the actor may no longer see the assessment).
    pub assessment_title: Option<String>,
}

impl FromRow<'_, PgRow> for GradeSummary {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(GradeSummary {
            student_id: UserId(row.try_get::<Uuid, _>("student_id")?),
            assessment_id: AssessmentId(row.try_get::<Uuid, _>("assessment_id")?),
            course_id: CourseId(row.try_get::<Uuid, _>("course_id")?),
            attempts: row.try_get("attempts")?,
            submitted: row.try_get("submitted")?,
            awaiting_grading: row.try_get("awaiting_grading")?,
            best_score: row.try_get("best_score")?,
            passed: row.try_get("passed")?,
            last_submitted_at: row.try_get("last_submitted_at")?,
            assessment_title: row.try_get("assessment_title")?,
        })
    }
}

/// A line of a course's gradebook: one student's attempts at one assessment, with the
/// student's name to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradebookEntry {
    /// The attempts summed up.
    #[serde(flatten)]
    pub summary: GradeSummary,
    /// Given and family name, when the profile has either (`None` also when the student
    /// left the course and the instructor no longer sees the profile).
    pub student_name: Option<String>,
    /// The student's e-mail address, when known and visible.
    pub student_email: Option<String>,
}

impl FromRow<'_, PgRow> for GradebookEntry {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(GradebookEntry {
            summary: GradeSummary::from_row(row)?,
            student_name: row.try_get("student_name")?,
            student_email: row.try_get("student_email")?,
        })
    }
}

/// One page of a course's gradebook ([`Scope::gradebook`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gradebook {
    /// The course.
    pub course_id: CourseId,
    /// The page's lines, by student (family name, given name, e-mail) then assessment
    /// title.
    pub entries: Vec<GradebookEntry>,
    /// The `offset` of the next page; `None` on the last one.
    pub next_offset: Option<u32>,
    /// Lines in all pages.
    pub total: u64,
    /// The course grade of each student of the page, in the page's order
    /// ([`Scope::course_grades`] has every enrolled student's).
    pub course_grades: Vec<StudentCourseGrade>,
    /// A digest of this page's content: equal versions, equal pages (an `ETag`).
    pub version: String,
}

/// A digest of a read model's content: 32 hexadecimal digits of the SHA-256 of its JSON,
/// for an HTTP `ETag` (equal content, equal version).
pub(crate) fn version_of<T: Serialize>(value: &T) -> String {
    use sha2::Digest;
    let json = serde_json::to_vec(value).unwrap_or_default();
    let digest = sha2::Sha256::digest(&json);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A course on a student's dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashboardCourse {
    /// The course.
    pub course_id: CourseId,
    /// Its title.
    pub title: String,
    /// When the student enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When they completed it, if they did.
    pub completed_at: Option<DateTime<Utc>>,
    /// Completion 0–100: the share of the course's published lessons completed.
    pub completion_percentage: i32,
    /// When the student last opened one of its lessons.
    pub last_accessed: Option<DateTime<Utc>>,
    /// The student's grade in the course by its grading scheme
    /// ([`lms_core::grading::course_grade`]).
    pub grade: CourseGrade,
}

impl FromRow<'_, PgRow> for DashboardCourse {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(DashboardCourse {
            course_id: CourseId(row.try_get::<Uuid, _>("course_id")?),
            title: row.try_get("title")?,
            enrolled_at: row.try_get("enrolled_at")?,
            completed_at: row.try_get("completed_at")?,
            completion_percentage: row.try_get("completion_percentage")?,
            last_accessed: row.try_get("last_accessed")?,
            grade: CourseGrade::default(),
        })
    }
}

/// What a student sees first: their courses with progress, and their attempts summed up
/// by assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudentDashboard {
    /// The student.
    pub student_id: UserId,
    /// Their enrolments, most recent first.
    pub courses: Vec<DashboardCourse>,
    /// Their attempts, by course then assessment.
    pub assessments: Vec<GradeSummary>,
    /// A digest of the dashboard's content: equal versions, equal dashboards (an
    /// `ETag`).
    pub version: String,
}

impl Scope {
    /// The gradebook of a course, one page: a [`GradebookEntry`] per student and
    /// assessment attempted, by student then assessment (a student without attempts at
    /// an assessment has no entry), with the total and a version. For the course's
    /// instructor, an admin or the service; `Forbidden` for anyone else, `NotFound` when
    /// the actor cannot see the course.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "gradebook", actor = self.actor.role_name()))]
    pub async fn gradebook(&self, course_id: CourseId, page: Page) -> Result<Gradebook> {
        let page = Page::new(page.limit, page.offset);
        let mut tx = self.begin_read().await?;
        require_staff(&mut tx, course_id, Right::Grade, "read the gradebook of").await?;
        for_read_models(&mut tx).await?;
        let (limit, offset) = crate::rows::paging(page);
        let rows = sqlx::query(queries::GRADEBOOK)
            .bind(course_id.0)
            .bind(limit)
            .bind(offset)
            .fetch_all(tx.conn())
            .await?;
        let mut total = rows
            .first()
            .map(|r| r.try_get::<i64, _>("total"))
            .transpose()?;
        let entries = rows
            .iter()
            .map(GradebookEntry::from_row)
            .collect::<sqlx::Result<Vec<_>>>()?;
        if total.is_none() && page.offset > 0 {
            total = Some(
                sqlx::query_scalar(
                    "select count(distinct (student_id, assessment_id)) \
                       from public.assessment_attempts where course_id = $1",
                )
                .bind(course_id.0)
                .fetch_one(tx.conn())
                .await?,
            );
        }
        let mut students = Vec::new();
        for e in &entries {
            if !students
                .iter()
                .any(|(id, _, _)| *id == e.summary.student_id)
            {
                students.push((
                    e.summary.student_id,
                    e.student_name.clone(),
                    e.student_email.clone(),
                ));
            }
        }
        let course_grades = student_grades(&mut tx, course_id, students).await?;
        tx.commit().await?;
        let total = u64::try_from(total.unwrap_or(0)).unwrap_or(0);
        let paged = Paged::counted(entries, page, total);
        let version = version_of(&(&paged.items, &course_grades, total, page));
        Ok(Gradebook {
            course_id,
            entries: paged.items,
            next_offset: paged.next_offset,
            total,
            course_grades,
            version,
        })
    }

    /// The acting student's dashboard, read in one transaction.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "student_dashboard", actor = self.actor.role_name()))]
    pub async fn student_dashboard(&self) -> Result<StudentDashboard> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let mut courses = sqlx::query_as::<_, DashboardCourse>(queries::DASHBOARD_COURSES)
            .bind(student.0)
            .fetch_all(tx.conn())
            .await?;
        // what makes each course's grade, as the student sees their courses
        let schemes = if courses.is_empty() {
            HashMap::new()
        } else {
            gradings(&mut tx, queries::DASHBOARD_GRADINGS, student.0).await?
        };
        // the rest is the library's own reading of the student's rows, on the trusted
        // path (one switch, none back): their attempts counted whole — those whose review
        // hides their results from the student (the attempts policy) count too — and
        // the work they missed
        tx.trusted_to_the_end().await?;
        let assessments = sqlx::query_as::<_, GradeSummary>(queries::DASHBOARD_ATTEMPTS)
            .bind(student.0)
            .fetch_all(tx.conn())
            .await?;
        if !schemes.is_empty() {
            let best: HashMap<(CourseId, AssessmentId), i32> = assessments
                .iter()
                .filter_map(|s| Some(((s.course_id, s.assessment_id), s.best_score?)))
                .collect();
            let graded: Vec<Uuid> = schemes
                .values()
                .flat_map(|g| g.with_missing_grade())
                .map(|a| a.0)
                .collect();
            let missing = missed(&mut tx, &[student.0], &graded).await?;
            for course in &mut courses {
                if let Some(grading) = schemes.get(&course.course_id) {
                    course.grade = grading.grade(
                        |a| best.get(&(course.course_id, a)).copied(),
                        |a| missing.contains(&(student, a)),
                    );
                }
            }
        }
        tx.commit().await?;
        let version = version_of(&(&courses, &assessments));
        Ok(StudentDashboard {
            student_id: student,
            courses,
            assessments,
            version,
        })
    }
}

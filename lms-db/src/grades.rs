//! Course grades (#15, part 6): a course's grading scheme (`courses.grading_scheme`,
//! [`lms_core::grading`]) and the grades it gives, computed when read from the
//! assessments' grades (`student_progress.best_score`, kept by each assessment's grading
//! method): nothing is stored, nothing goes stale.
//!
//! The assessments that count in a course are those its students take: the assessment
//! of each of its published lessons (`lessons.assessment_id`), in the lessons' order,
//! and its final assessment. An assessment the scheme lists that is none of these (not
//! yet linked, in an unpublished lesson, deleted since) does not count.

use std::collections::{HashMap, HashSet};

use lms_core::delivery::Hundredths;
use lms_core::documents::Document;
use lms_core::grading::{course_grade, CourseGrade, GradeItem, GradingScheme};
use lms_core::model::{AssessmentId, Course, CourseId, UserId};
use lms_core::repo::{Page, Paged};
use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use crate::analytics::{for_read_models, queries, version_of};
use crate::authoring::{require_author, require_staff, Right};
use crate::error::{Error, Result};
use crate::rows;
use crate::session::{Scope, Tx};

/// The receipt target of a course's grading scheme ([`Tx::vouch`]).
const SCHEME_TARGET: &str = "courses.grading_scheme";

/// One student's grade in a course, with their name to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudentCourseGrade {
    /// The student.
    pub student_id: UserId,
    /// Given and family name, when the profile has either and the actor sees it.
    pub student_name: Option<String>,
    /// The student's e-mail address, when visible.
    pub student_email: Option<String>,
    /// The grade.
    #[serde(flatten)]
    pub grade: CourseGrade,
}

/// One page of a course's grades ([`Scope::course_grades`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourseGrades {
    /// The course.
    pub course_id: CourseId,
    /// A grade per enrolled student, by family name, given name, e-mail.
    pub grades: Vec<StudentCourseGrade>,
    /// The `offset` of the next page; `None` on the last one.
    pub next_offset: Option<u32>,
    /// Students in all pages.
    pub total: u64,
    /// A digest of this page's content: equal versions, equal pages (an `ETag`).
    pub version: String,
}

/// What a course's grade is made of: its scheme and the assessments that count, in the
/// order that breaks ties between drops (the scheme's listing first, then the lessons'
/// order, the final assessment last).
#[derive(Debug, Clone, Default)]
pub(crate) struct Grading {
    scheme: GradingScheme,
    counted: Vec<AssessmentId>,
    /// The counted assessments with a close time whose late policy grades missing work,
    /// with that grade.
    missing: HashMap<AssessmentId, Hundredths>,
}

impl Grading {
    /// The course grade of a student whose assessment grades `grade_of` gives, and
    /// `missed` the assessments they submitted nothing to by their close time.
    pub(crate) fn grade(
        &self,
        grade_of: impl Fn(AssessmentId) -> Option<i32>,
        missed: impl Fn(AssessmentId) -> bool,
    ) -> CourseGrade {
        let items: Vec<GradeItem> = self
            .counted
            .iter()
            .map(|&assessment_id| GradeItem {
                assessment_id,
                grade: grade_of(assessment_id).map(|g| {
                    let g = u32::try_from(g.clamp(0, 100)).unwrap_or(0);
                    Hundredths::from_hundredths(g * 100)
                }),
                missing: self
                    .missing
                    .get(&assessment_id)
                    .copied()
                    .filter(|_| missed(assessment_id)),
            })
            .collect();
        course_grade(&self.scheme, &items)
    }

    /// The assessments whose missing work has a grade.
    pub(crate) fn with_missing_grade(&self) -> impl Iterator<Item = AssessmentId> + '_ {
        self.missing.keys().copied()
    }
}

/// Of `students`, the assessments of `assessments` each submitted nothing to by their
/// close time (accommodations included: `lms_private.attempt_schedule`, on the trusted
/// path), by the database's clock: no submitted attempt, and none still open (one begun
/// before the close may be submitted until its deadline, or by the overdue sweep); not
/// an assessment whose lesson unlocked only after that close (the student could never
/// take it). After the actor's right to read their grades was checked.
pub(crate) async fn missed(
    tx: &mut Tx,
    students: &[Uuid],
    assessments: &[Uuid],
) -> Result<HashSet<(UserId, AssessmentId)>> {
    if students.is_empty() || assessments.is_empty() {
        return Ok(HashSet::new());
    }
    tx.trusted().await?;
    let rows = sqlx::query(
        "select s.student_id, a.id as assessment_id \
           from unnest($1::uuid[]) s (student_id) cross join unnest($2::uuid[]) a (id) \
          cross join lateral ( \
            select x.closes_at from lms_private.attempt_schedule(a.id, s.student_id) x) c \
          where c.closes_at <= statement_timestamp() \
            and not exists (select 1 from public.lessons l \
                             where l.assessment_id = a.id and l.unlocks_at > c.closes_at) \
            and not exists (select 1 from public.assessment_attempts t \
                             where t.student_id = s.student_id and t.assessment_id = a.id \
                               and (t.submitted_at is not null or t.abandoned_at is null))",
    )
    .bind(students)
    .bind(assessments)
    .fetch_all(tx.conn())
    .await?;
    tx.set_actor_role().await?;
    rows.iter()
        .map(|r| {
            Ok((
                UserId(r.try_get("student_id")?),
                AssessmentId(r.try_get("assessment_id")?),
            ))
        })
        .collect::<sqlx::Result<_>>()
        .map_err(Error::from)
}

/// The scheme and counted assessments of the courses the actor sees that `sql`
/// ([`queries::COURSE_GRADINGS`], [`queries::DASHBOARD_GRADINGS`]) selects by `key`, in
/// one query.
pub(crate) async fn gradings(
    tx: &mut Tx,
    sql: &str,
    key: Uuid,
) -> Result<HashMap<CourseId, Grading>> {
    let rows = sqlx::query(sql).bind(key).fetch_all(tx.conn()).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let scheme = row.try_get::<Json<GradingScheme>, _>("grading_scheme")?.0;
        let mut counted: Vec<AssessmentId> = row
            .try_get::<Vec<Uuid>, _>("counted")?
            .into_iter()
            .map(AssessmentId)
            .collect();
        // stable: the scheme's order first, the others as they come
        let positions = scheme.positions();
        let grades: Vec<Option<f64>> = row.try_get("missing")?;
        let missing = counted
            .iter()
            .zip(grades)
            .filter_map(|(id, g)| Some((*id, g?)))
            .map(|(id, g)| Ok((id, rows::hundredths("late_missing_percent", g)?)))
            .collect::<sqlx::Result<_>>()?;
        counted.sort_by_key(|id| positions.get(id).copied().unwrap_or(usize::MAX));
        out.insert(
            CourseId(row.try_get("id")?),
            Grading {
                scheme,
                counted,
                missing,
            },
        );
    }
    Ok(out)
}

/// The assessment grades in `course` of `students`.
pub(crate) async fn grades_of(
    tx: &mut Tx,
    course: CourseId,
    students: &[Uuid],
) -> Result<HashMap<(UserId, AssessmentId), i32>> {
    let rows = sqlx::query(
        "select sp.student_id, sp.assessment_id, sp.best_score \
           from public.student_progress sp \
          where sp.course_id = $1 and sp.student_id = any($2) \
            and sp.assessment_id is not null and sp.best_score is not null",
    )
    .bind(course.0)
    .bind(students)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                (
                    UserId(r.try_get("student_id")?),
                    AssessmentId(r.try_get("assessment_id")?),
                ),
                r.try_get("best_score")?,
            ))
        })
        .collect::<sqlx::Result<_>>()
        .map_err(Error::from)
}

/// The course grades of `students` (with their names), in that order.
pub(crate) async fn student_grades(
    tx: &mut Tx,
    course: CourseId,
    students: Vec<(UserId, Option<String>, Option<String>)>,
) -> Result<Vec<StudentCourseGrade>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    let grading = gradings(tx, queries::COURSE_GRADINGS, course.0)
        .await?
        .remove(&course)
        .unwrap_or_default();
    let ids: Vec<Uuid> = students.iter().map(|s| s.0 .0).collect();
    let grades = grades_of(tx, course, &ids).await?;
    let graded: Vec<Uuid> = grading.with_missing_grade().map(|a| a.0).collect();
    let missing = missed(tx, &ids, &graded).await?;
    Ok(students
        .into_iter()
        .map(
            |(student_id, student_name, student_email)| StudentCourseGrade {
                student_id,
                student_name,
                student_email,
                grade: grading.grade(
                    |a| grades.get(&(student_id, a)).copied(),
                    |a| missing.contains(&(student_id, a)),
                ),
            },
        )
        .collect())
}

/// Every assessment of a course, its lessons' too, published or not.
async fn course_assessments(tx: &mut Tx, course: CourseId) -> Result<Vec<AssessmentId>> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "select a.id from public.assessments a where a.course_id = $1 \
         union all \
         select a.id from public.assessments a join public.lessons l on l.id = a.lesson_id \
          where l.course_id = $1",
    )
    .bind(course.0)
    .fetch_all(tx.conn())
    .await?;
    Ok(ids.into_iter().map(AssessmentId).collect())
}

impl Scope {
    /// Sets how a course's assessments make its grade (its authors, admins): the
    /// `scheme` is validated as a `grading_scheme` document (groups with unique names,
    /// weights that do not sum to zero, each assessment once and in a group of the
    /// scheme) and against the course (each assessment is one of its own, its lessons'
    /// included; without groups, not every assessment at weight 0); every problem is an
    /// `invalid_document` naming the field. Replaces the whole scheme (`{}`: every
    /// assessment counts alike) and returns the course. Audited with the course row.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "set_grading_scheme", actor = self.actor.role_name()))]
    pub async fn set_grading_scheme(&self, course_id: CourseId, scheme: &Value) -> Result<Course> {
        let scheme = GradingScheme::validate(scheme).map_err(lms_core::Error::from)?;
        let mut tx = self.begin().await?;
        require_author(&mut tx, course_id).await?;
        scheme.check_course(&course_assessments(&mut tx, course_id).await?)?;
        let document = rows::json("grading_scheme", &scheme)?;
        tx.vouch(&[(SCHEME_TARGET.to_owned(), &document)]).await?;
        let course = sqlx::query_as::<_, rows::Db<Course>>(&format!(
            "update public.courses set grading_scheme = $2 where id = $1 returning {}",
            rows::COURSE
        ))
        .bind(course_id.0)
        .bind(&document)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| Error::forbidden(format!("course {course_id} may not be changed")))?;
        tx.commit().await?;
        Ok(course.0)
    }

    /// The course grades of a course's enrolled students, one page by family name,
    /// given name and e-mail, each with its groups' grades and drops
    /// ([`lms_core::grading::course_grade`]), with the total and a version. For the
    /// course's staff, admins and the service; `Forbidden` for anyone else, `NotFound`
    /// when the actor cannot see the course.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "course_grades", actor = self.actor.role_name()))]
    pub async fn course_grades(&self, course_id: CourseId, page: Page) -> Result<CourseGrades> {
        let page = Page::new(page.limit, page.offset);
        let mut tx = self.begin_read().await?;
        require_staff(&mut tx, course_id, Right::Grade, "read the grades of").await?;
        for_read_models(&mut tx).await?;
        let (limit, offset) = rows::paging(page);
        let found = sqlx::query(
            "select e.student_id, \
                    nullif(btrim(concat_ws(' ', p.first_name, p.last_name)), '') as student_name, \
                    p.email as student_email, count(*) over () as total \
               from public.enrollments e left join public.profiles p on p.id = e.student_id \
              where e.course_id = $1 \
              order by p.last_name nulls last, p.first_name nulls last, p.email nulls last, \
                       e.student_id \
              limit $2 offset $3",
        )
        .bind(course_id.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(tx.conn())
        .await?;
        let mut total = found
            .first()
            .map(|r| r.try_get::<i64, _>("total"))
            .transpose()?;
        let students = found
            .iter()
            .map(|r| {
                Ok((
                    UserId(r.try_get("student_id")?),
                    r.try_get("student_name")?,
                    r.try_get("student_email")?,
                ))
            })
            .collect::<sqlx::Result<Vec<_>>>()?;
        if total.is_none() && page.offset > 0 {
            total = Some(
                sqlx::query_scalar("select count(*) from public.enrollments where course_id = $1")
                    .bind(course_id.0)
                    .fetch_one(tx.conn())
                    .await?,
            );
        }
        let grades = student_grades(&mut tx, course_id, students).await?;
        tx.commit().await?;
        let total = u64::try_from(total.unwrap_or(0)).unwrap_or(0);
        let paged = Paged::counted(grades, page, total);
        let version = version_of(&(&paged.items, total, page));
        Ok(CourseGrades {
            course_id,
            grades: paged.items,
            next_offset: paged.next_offset,
            total,
            version,
        })
    }
}

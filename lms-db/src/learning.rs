//! Studying: enrolment, content progress, and the one place where a student's stored
//! progress on a course is derived from facts ([`refresh_course_progress`]).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use lms_core::attempts::{grade_history, AssessmentGrade, AttemptHistory, GradingMethod};
use lms_core::documents::{Document, ProgressData};
use lms_core::model::*;
use lms_core::prerequisites::Graph;
use lms_core::progress::{
    course_complete, course_percentage, lesson_progress, AssessmentState, LessonFacts,
    LessonProgress,
};
use lms_core::repo::Page;
use sqlx::Row;
use uuid::Uuid;

use crate::authoring::course;
use crate::error::{Error, Result};
use crate::rows;
use crate::session::{Actor, Scope, Tx};

/// The user a student-only use case acts for.
pub(crate) fn student_of(tx: &Tx) -> Result<UserId> {
    match tx.actor() {
        Actor::User(id) => Ok(id),
        Actor::Service => Err(Error::forbidden(
            "this acts for a signed-in student, not for the service",
        )),
        Actor::Anon => Err(Error::forbidden(
            "this use case acts for a signed-in student, not an anonymous visitor",
        )),
    }
}

/// One of a student's enrolments with its course's title ([`Scope::my_enrollments`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MyEnrollment {
    /// The enrolment row.
    #[serde(flatten)]
    pub enrollment: Enrollment,
    /// The course's title.
    pub course_title: String,
}

/// The actor's enrolment in `course`, or `NotEnrolled`.
pub(crate) async fn enrollment(
    tx: &mut Tx,
    student: UserId,
    course: CourseId,
) -> Result<Enrollment> {
    let sql = format!(
        "select {} from public.enrollments where student_id = $1 and course_id = $2",
        rows::ENROLLMENT
    );
    rows::select::<Enrollment>(&sql)
        .bind(student.0)
        .bind(course.0)
        .optional(tx.conn())
        .await?
        .ok_or_else(|| Error::NotEnrolled {
            course: course.to_string(),
        })
}

/// A student's enrolments, newest first, ties by id: all of them ([`Scope::my_enrollments`])
/// or one page (`EnrollmentRepo::list_for_student`).
pub(crate) async fn enrollments_of(
    tx: &mut Tx,
    student: UserId,
    page: Option<Page>,
) -> Result<Vec<Enrollment>> {
    let sql = format!(
        "select {} from public.enrollments where student_id = $1 order by enrolled_at desc, id",
        rows::ENROLLMENT
    );
    rows::list(tx.conn(), &sql, student.0, page).await
}

/// A student's roadmaps, newest first, ties by id: all of them ([`Scope::my_roadmaps`]) or
/// one page (`RoadmapRepo::list_roadmaps`).
pub(crate) async fn roadmaps_of(
    tx: &mut Tx,
    student: UserId,
    page: Option<Page>,
) -> Result<Vec<PersonalizedRoadmap>> {
    let sql = format!(
        "select {} from public.personalized_roadmaps where student_id = $1 \
         order by generated_at desc, id",
        rows::ROADMAP
    );
    rows::list(tx.conn(), &sql, student.0, page).await
}

/// Explains why content is invisible to a student: `NotEnrolled` when it is published
/// content of a course they can see (the published catalog) without being enrolled in
/// it, else the given `NotFound` (drafts stay not found, to the course's students too).
/// `owner_sql` selects the owning course id of `$1` and whether the content is
/// published (read on the trusted path; only the course's visibility to the actor and
/// their enrolment decide what is revealed).
pub(crate) async fn not_enrolled_or(
    tx: &mut Tx,
    owner_sql: &str,
    id: Uuid,
    not_found: Error,
) -> Result<Error> {
    tx.trusted().await?;
    let owner: Option<(Uuid, bool)> = sqlx::query_as(owner_sql)
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    tx.set_actor_role().await?;
    // draft content stays not found, to students of its course too: saying "not
    // enrolled" would tell a draft's id from an unknown one
    let Some((owner, true)) = owner else {
        return Ok(not_found);
    };
    let Ok(c) = course(tx, CourseId(owner)).await else {
        return Ok(not_found);
    };
    Ok(if actor_enrolled(tx, c.id).await {
        not_found
    } else {
        Error::NotEnrolled {
            course: c.id.to_string(),
        }
    })
}

/// Whether the actor is a user enrolled in `course` (as they may read it).
async fn actor_enrolled(tx: &mut Tx, course: CourseId) -> bool {
    match tx.actor() {
        Actor::User(me) => enrollment(tx, me, course).await.is_ok(),
        _ => false,
    }
}

/// The owning course of an assessment and whether the assessment is published (its
/// lesson is, or it is a course's), for [`not_enrolled_or`].
pub(crate) const ASSESSMENT_OWNER: &str = "select coalesce(a.course_id, l.course_id), \
      coalesce(l.is_published, true) \
    from public.assessments a left join public.lessons l on l.id = a.lesson_id where a.id = $1";

/// The owning course of a content block and whether its lesson is published, for
/// [`not_enrolled_or`].
const BLOCK_OWNER: &str = "select l.course_id, l.is_published from public.content_blocks b \
    join public.lessons l on l.id = b.lesson_id where b.id = $1";

/// The refusal of a content block whose lesson is not unlocked yet, to a student of its
/// course (who sees the lesson and its unlock time, not its blocks: RLS hides them);
/// `None` for anyone else, or when the lesson is open.
async fn locked_block(tx: &mut Tx, block: ContentBlockId) -> Result<Option<Error>> {
    tx.trusted().await?;
    let found: Option<(Uuid, Uuid, DateTime<Utc>)> = sqlx::query_as(
        "select l.id, l.course_id, l.unlocks_at from public.content_blocks b \
           join public.lessons l on l.id = b.lesson_id \
          where b.id = $1 and l.is_published and l.unlocks_at > statement_timestamp()",
    )
    .bind(block.0)
    .fetch_optional(tx.conn())
    .await?;
    tx.set_actor_role().await?;
    let Some((lesson, course, unlocks_at)) = found else {
        return Ok(None);
    };
    Ok(actor_enrolled(tx, CourseId(course)).await.then(|| {
        lms_core::Error::LessonLocked {
            lesson: LessonId(lesson),
            unlocks_at,
        }
        .into()
    }))
}

/// The refusal of studying a draft lesson: no attempts and no content progress on one,
/// also for the course's staff.
pub(crate) fn draft_lesson(lesson: LessonId) -> Error {
    Error::forbidden(format!(
        "lesson {lesson} is a draft: it is studied once published"
    ))
}

/// A student's progress rows on a course.
pub(crate) async fn progress_rows(
    tx: &mut Tx,
    student: UserId,
    course: CourseId,
) -> Result<Vec<StudentProgress>> {
    let sql = format!(
        "select {} from public.student_progress sp where student_id = $1 and course_id = $2 \
         order by (select l.order_index from public.lessons l where l.id = sp.lesson_id) \
           nulls last, sp.assessment_id nulls first, sp.id",
        rows::PROGRESS
    );
    rows::select::<StudentProgress>(&sql)
        .bind(student.0)
        .bind(course.0)
        .all(tx.conn())
        .await
}

/// What [`refresh_course_progress`] found and stored.
#[derive(Debug, Clone, Default)]
pub(crate) struct Refreshed {
    /// Lessons that were `blocked` before and are not any more.
    pub unlocked: Vec<LessonId>,
    /// Whether the course is complete now.
    pub course_completed: bool,
    /// The enrolment with the summary just stored; `None` without an enrolment.
    pub enrollment: Option<Enrollment>,
}

/// Derives and stores a student's whole progress on a course from the facts: published
/// lessons and their prerequisites, blocks done, attempts. Runs on the trusted path (the
/// caller established the actor's right to act) and returns to the actor's role.
///
/// Every rule is `lms-core`'s: lesson status and percentage
/// ([`lesson_progress`]), prerequisites ([`Graph`]), grade over attempts
/// ([`grade_attempts`], highest), course completion ([`course_complete`]). Lessons are
/// visited in topological order so a completion unlocks its dependents at once. Only
/// published lessons count; a prerequisite on an unpublished lesson does not block. A
/// completed enrolment stays completed (`completed_at` is kept) when the course later
/// grows. Callers hold [`lock_progress`].
pub(crate) async fn refresh_course_progress(
    tx: &mut Tx,
    student: UserId,
    course_id: CourseId,
    accessed: Option<LessonId>,
) -> Result<Refreshed> {
    refresh_knowing(tx, student, course_id, accessed, None).await
}

/// [`refresh_course_progress`] when the caller knows the student's history at one
/// assessment as it stands now in this transaction (a submission: the history it
/// decided on, [`AttemptHistory::with`] the attempt it wrote), which is then not read
/// again.
pub(crate) async fn refresh_knowing(
    tx: &mut Tx,
    student: UserId,
    course_id: CourseId,
    accessed: Option<LessonId>,
    known: Option<(AssessmentId, AttemptHistory)>,
) -> Result<Refreshed> {
    tx.trusted().await?;
    let result = refresh(tx, student, course_id, accessed, known).await;
    tx.set_actor_role().await?;
    result
}

/// A published lesson as the refresh reads it: id, prerequisites, assessment.
type PublishedLesson = (Uuid, Vec<Uuid>, Option<Uuid>);

/// An assessment of the course as the refresh reads it: id, lesson, mandatory, grading
/// method, passing score.
type CourseAssessment = (Uuid, Option<Uuid>, bool, GradingMethod, i32);

/// A student's stored progress row, as the refresh compares it.
#[derive(serde::Deserialize)]
struct StoredProgress {
    lesson_id: Option<Uuid>,
    assessment_id: Option<Uuid>,
    status: ProgressStatus,
    completion_percentage: i32,
    accessed: bool,
    attempts_count: i32,
    best_score: Option<i32>,
}

/// The progress rows a refresh writes, column by column (one statement for all).
#[derive(Default)]
struct ProgressWrites {
    lesson: Vec<Option<Uuid>>,
    assessment: Vec<Option<Uuid>>,
    status: Vec<&'static str>,
    completion_percentage: Vec<i32>,
    attempts_count: Vec<i32>,
    best_score: Vec<Option<i32>>,
}

impl ProgressWrites {
    /// One row (keyed by student, course, lesson, assessment); `attempts` for an
    /// assessment's row, whose count and grade it sets (a lesson's row keeps them).
    fn push(
        &mut self,
        lesson: Option<Uuid>,
        assessment: Option<Uuid>,
        progress: LessonProgress,
        attempts: Option<(i32, Option<i32>)>,
    ) {
        let (count, best) = attempts.unwrap_or((0, None));
        self.lesson.push(lesson);
        self.assessment.push(assessment);
        self.status.push(progress.status.as_str());
        self.completion_percentage
            .push(progress.completion_percentage);
        self.attempts_count.push(count);
        self.best_score.push(best);
    }
}

async fn refresh(
    tx: &mut Tx,
    student: UserId,
    course_id: CourseId,
    accessed: Option<LessonId>,
    known: Option<(AssessmentId, AttemptHistory)>,
) -> Result<Refreshed> {
    use sqlx::types::Json;
    // the course's facts in one read: its final assessment, its published lessons (with
    // prerequisites and assessment), their blocks and the student's completed blocks,
    // its assessments with how they grade, the student's stored progress rows, and the
    // student's attempt history at each of those assessments, reduced in the database to
    // what the rules need (not every attempt; all but the one the caller knows)
    let sql = format!(
        "with published as ( \
           select id, prerequisites, assessment_id, order_index from public.lessons \
            where course_id = $2 and is_published) \
         select (select final_assessment_id from public.courses where id = $2) as final_assessment, \
           coalesce((select json_agg(json_build_array(id, prerequisites, assessment_id) \
                                     order by order_index, id) from published), '[]') as lessons, \
           coalesce((select json_agg(json_build_array(lesson_id, n)) from ( \
               select b.lesson_id, count(*) as n from public.content_blocks b \
                where b.lesson_id in (select id from published) group by b.lesson_id) t), \
             '[]') as totals, \
           coalesce((select json_agg(json_build_array(lesson_id, n)) from ( \
               select b.lesson_id, count(*) as n from public.learning_progress lp \
                 join public.content_blocks b on b.id = lp.content_id \
                where lp.student_id = $1 and lp.completed_at is not null \
                  and b.lesson_id in (select id from published) group by b.lesson_id) t), \
             '[]') as done, \
           coalesce((select json_agg(json_build_array(id, lesson_id, is_mandatory, \
                                     grading_method, minimum_passing_score) order by id) \
                       from public.assessments \
                      where course_id = $2 or lesson_id in (select id from published)), \
             '[]') as assessments, \
           coalesce((select json_agg(json_build_object('lesson_id', lesson_id, \
                       'assessment_id', assessment_id, 'status', status, \
                       'completion_percentage', completion_percentage, \
                       'accessed', last_accessed is not null, \
                       'attempts_count', attempts_count, 'best_score', best_score)) \
                       from public.student_progress where student_id = $1 and course_id = $2), \
             '[]') as progress, \
           coalesce((select json_agg(h) from ({}) h), '[]') as histories",
        rows::histories_sql(rows::HistoriesOf::Course, "$1", "$2", "$3")
    );
    let facts = sqlx::query(&sql)
        .bind(student.0)
        .bind(course_id.0)
        .bind(known.as_ref().map(|(a, _)| a.0))
        .fetch_one(tx.conn())
        .await?;
    let final_assessment: Option<Uuid> = facts.try_get("final_assessment")?;
    let Json(lesson_rows): Json<Vec<PublishedLesson>> = facts.try_get("lessons")?;
    let Json(totals): Json<Vec<(Uuid, i64)>> = facts.try_get("totals")?;
    let totals: HashMap<Uuid, i64> = totals.into_iter().collect();
    let Json(done): Json<Vec<(Uuid, i64)>> = facts.try_get("done")?;
    let done: HashMap<Uuid, i64> = done.into_iter().collect();
    let Json(assessments): Json<Vec<CourseAssessment>> = facts.try_get("assessments")?;
    let Json(existing): Json<Vec<StoredProgress>> = facts.try_get("progress")?;
    let Json(histories): Json<Vec<rows::HistoryRow>> = facts.try_get("histories")?;
    let mut histories = rows::collect_histories(histories)?;

    let published: HashSet<Uuid> = lesson_rows.iter().map(|l| l.0).collect();
    let graph = Graph::new(lesson_rows.iter().map(|(id, pre, _)| {
        let kept = pre
            .iter()
            .filter(|p| published.contains(p))
            .map(|p| LessonId(*p));
        (LessonId(*id), kept.collect())
    }))?;
    let lesson_ids: Vec<Uuid> = lesson_rows.iter().map(|l| l.0).collect();

    if let Some((assessment, history)) = known {
        histories.insert(assessment.0, history);
    }
    let no_history = AttemptHistory::default();
    let history_of = |a: &Uuid| histories.get(a).unwrap_or(&no_history);
    // each assessment's grade by its own grading method and passing score
    let grades: HashMap<Uuid, AssessmentGrade> = assessments
        .iter()
        .map(|(id, _, _, method, minimum)| {
            let minimum = u32::try_from(*minimum).unwrap_or(100);
            (*id, grade_history(*method, history_of(id), minimum))
        })
        .collect();
    let passed_of = |a: &Uuid| grades.get(a).is_some_and(|g| g.passed == Some(true));
    let state_of = |assessment: Option<Uuid>, mandatory: bool| -> AssessmentState {
        let Some(a) = assessment else {
            return AssessmentState::NotRequired;
        };
        if !mandatory {
            return AssessmentState::NotRequired;
        }
        if passed_of(&a) {
            AssessmentState::Passed
        } else if history_of(&a).any_submitted() {
            AssessmentState::Failed
        } else {
            AssessmentState::NotAttempted
        }
    };
    let mandatory: HashMap<Uuid, bool> = assessments.iter().map(|a| (a.0, a.2)).collect();

    let lesson_row = |l: Uuid| {
        existing
            .iter()
            .find(|p| p.lesson_id == Some(l) && p.assessment_id.is_none())
    };

    let mut writes = ProgressWrites::default();
    let mut completed: HashSet<LessonId> = HashSet::new();
    let mut statuses: HashMap<Uuid, ProgressStatus> = HashMap::new();
    let mut refreshed = Refreshed::default();
    for lesson in graph.topological_order() {
        let (_, _, assessment) = lesson_rows
            .iter()
            .find(|l| l.0 == lesson.0)
            .ok_or_else(|| Error::not_found("lesson", lesson))?;
        let previous = lesson_row(lesson.0);
        let facts = LessonFacts {
            prerequisites_met: graph.missing(lesson, &completed)?.is_empty(),
            blocks_done: u32::try_from(*done.get(&lesson.0).unwrap_or(&0)).unwrap_or(u32::MAX),
            blocks_total: u32::try_from(*totals.get(&lesson.0).unwrap_or(&0)).unwrap_or(u32::MAX),
            assessment: state_of(
                *assessment,
                assessment
                    .and_then(|a| mandatory.get(&a).copied())
                    .unwrap_or(false),
            ),
            accessed: accessed == Some(lesson) || previous.is_some_and(|p| p.accessed),
            previous: previous.map(|p| LessonProgress {
                status: p.status,
                completion_percentage: p.completion_percentage,
            }),
        };
        let blocks_done = facts.blocks_done.min(facts.blocks_total);
        let now = lesson_progress(&LessonFacts {
            blocks_done,
            ..facts
        })?;
        if previous.is_some_and(|p| p.status == ProgressStatus::Blocked)
            && now.status != ProgressStatus::Blocked
        {
            refreshed.unlocked.push(lesson);
        }
        if now.status == ProgressStatus::Completed {
            completed.insert(lesson);
        }
        statuses.insert(lesson.0, now.status);
        if previous.map(|p| (p.status, p.completion_percentage))
            != Some((now.status, now.completion_percentage))
        {
            writes.push(Some(lesson.0), None, now, None);
        }
    }

    // one row per assessment: attempts, best grade, status
    for (assessment, lesson_of, ..) in &assessments {
        if lesson_of.is_some_and(|l| !published.contains(&l)) {
            continue;
        }
        let history = history_of(assessment);
        // the grade by the assessment's method (the best score under `highest`)
        let best = grades.get(assessment).and_then(|g| g.score);
        let passed = passed_of(assessment);
        let blocked = lesson_of
            .and_then(|l| statuses.get(&l))
            .is_some_and(|s| *s == ProgressStatus::Blocked);
        let status = if passed {
            ProgressStatus::Completed
        } else if blocked {
            ProgressStatus::Blocked
        } else if history.attempts == 0 {
            ProgressStatus::NotStarted
        } else {
            ProgressStatus::InProgress
        };
        let row = LessonProgress {
            status,
            completion_percentage: if passed { 100 } else { 0 },
        };
        let count = i32::try_from(history.attempts).unwrap_or(i32::MAX);
        let previous = existing
            .iter()
            .find(|p| p.assessment_id == Some(*assessment));
        if previous.map(|p| {
            (
                p.status,
                p.completion_percentage,
                p.attempts_count,
                p.best_score,
            )
        }) != Some((row.status, row.completion_percentage, count, best))
        {
            writes.push(*lesson_of, Some(*assessment), row, Some((count, best)));
        }
    }

    let final_state = state_of(
        final_assessment,
        final_assessment
            .and_then(|a| mandatory.get(&a).copied())
            .unwrap_or(false),
    );
    let lesson_statuses: Vec<ProgressStatus> = lesson_ids
        .iter()
        .filter_map(|l| statuses.get(l).copied())
        .collect();
    refreshed.course_completed = course_complete(lesson_statuses.iter().copied(), final_state);
    let summary = ProgressData {
        completed: refreshed.course_completed,
        percent: u32::try_from(course_percentage(lesson_statuses.iter().copied())).unwrap_or(0),
        ..ProgressData::default()
    };
    let summary = rows::json("progress", &summary)?;
    // every changed progress row and the enrolment's summary in one statement (a lesson's
    // row keeps its attempt count and grade; an assessment's row sets them)
    let sql = format!(
        "with written as ( \
           insert into public.student_progress \
             (student_id, course_id, lesson_id, assessment_id, status, completion_percentage, \
              attempts_count, best_score) \
           select $1, $2, w.lesson_id, w.assessment_id, w.status::public.progress_status, \
                  w.completion_percentage, w.attempts_count, w.best_score \
             from unnest($3::uuid[], $4::uuid[], $5::text[], $6::int[], $7::int[], $8::int[]) \
                  as w(lesson_id, assessment_id, status, completion_percentage, attempts_count, \
                       best_score) \
           on conflict on constraint student_progress_subject_key do update set \
             status = excluded.status, \
             completion_percentage = excluded.completion_percentage, \
             attempts_count = case when excluded.assessment_id is not null \
                              then excluded.attempts_count \
                              else student_progress.attempts_count end, \
             best_score = case when excluded.assessment_id is not null \
                          then excluded.best_score \
                          else student_progress.best_score end \
           returning 1) \
         update public.enrollments set progress = $9, \
           completed_at = case when $10 then coalesce(completed_at, greatest(now(), enrolled_at)) \
                           else completed_at end \
         where student_id = $1 and course_id = $2 returning {}",
        rows::ENROLLMENT
    );
    refreshed.enrollment = rows::select::<Enrollment>(&sql)
        .bind(student.0)
        .bind(course_id.0)
        .bind(&writes.lesson)
        .bind(&writes.assessment)
        .bind(&writes.status)
        .bind(&writes.completion_percentage)
        .bind(&writes.attempts_count)
        .bind(&writes.best_score)
        .bind(summary)
        .bind(refreshed.course_completed)
        .optional(tx.conn())
        .await?;
    Ok(refreshed)
}

/// Serializes, for the rest of the transaction, every use case that changes one student's
/// facts or progress on one course (enrolment, content progress, attempts, grading): each
/// reads the facts the previous one committed, so no refresh overwrites another's result,
/// and rows are always locked in the same order (no deadlock). A transaction-scoped
/// advisory lock: it needs no privilege on any row, and other students or courses never
/// wait.
pub(crate) async fn lock_progress(tx: &mut Tx, course: CourseId, student: UserId) -> Result<()> {
    tx.lock(&progress_key(course, student)).await
}

/// Takes the progress lock (in one order) of every student with a submitted attempt in
/// `course` (at `assessment` only, when given), listed on the trusted path; the students.
pub(crate) async fn lock_submitters(
    tx: &mut Tx,
    course: CourseId,
    assessment: Option<AssessmentId>,
) -> Result<Vec<UserId>> {
    tx.trusted().await?;
    let students: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select distinct student_id from public.assessment_attempts \
          where course_id = $1 and ($2::uuid is null or assessment_id = $2) \
            and submitted_at is not null order by student_id",
    )
    .bind(course.0)
    .bind(assessment.map(|a| a.0))
    .fetch_all(tx.conn())
    .await?;
    tx.set_actor_role().await?;
    let students: Vec<UserId> = students.into_iter().map(UserId).collect();
    for student in &students {
        lock_progress(tx, course, *student).await?;
    }
    Ok(students)
}

/// [`lock_progress`] unless another transaction holds it: `false` then.
pub(crate) async fn try_lock_progress(
    tx: &mut Tx,
    course: CourseId,
    student: UserId,
) -> Result<bool> {
    tx.try_lock(&progress_key(course, student)).await
}

fn progress_key(course: CourseId, student: UserId) -> String {
    format!("lms.progress:{course}:{student}")
}

/// [`lock_progress`] as an SQL expression, for a statement that finds the course and
/// takes the lock in one round trip: `course` and `student` are SQL expressions of the
/// ids (the key is [`progress_key`]'s; a null id takes no lock). What that statement
/// reads, it reads before the lock: read what the lock protects in a later statement.
pub(crate) fn lock_progress_sql(course: &str, student: &str) -> String {
    format!(
        "pg_advisory_xact_lock(hashtextextended(\
           'lms.progress:' || ({course})::text || ':' || ({student})::text, 0))"
    )
}

/// The student's standing on a course, read after the progress lock in one statement:
/// `NotEnrolled` unless they are enrolled, else the lessons among `prerequisites` (in
/// their order) still to complete, from their stored progress. Only prerequisites the
/// actor can see count — for a student, published lessons — as in
/// [`refresh_course_progress`], so a draft lesson never locks anyone out.
pub(crate) async fn missing_prerequisites(
    tx: &mut Tx,
    student: UserId,
    course: CourseId,
    prerequisites: &[Uuid],
) -> Result<Vec<LessonId>> {
    let row = sqlx::query(&format!("select {}", standing("$1", "$2", "$3::uuid[]")))
        .bind(student.0)
        .bind(course.0)
        .bind(prerequisites)
        .fetch_one(tx.conn())
        .await?;
    missing_of(&row, course)
}

/// The select list of a student's standing ([`missing_prerequisites`]): `enrolled`, and
/// `missing`, the lessons among `prerequisites` (an SQL `uuid[]`, in its order) that are
/// published (visible to the actor) and not completed by `student` on `course` (SQL
/// expressions too).
pub(crate) fn standing(student: &str, course: &str, prerequisites: &str) -> String {
    format!(
        "exists (select 1 from public.enrollments \
                  where student_id = {student} and course_id = {course}) as enrolled, \
         array(select p.id from unnest({prerequisites}) with ordinality as p(id, n) \
                where exists (select 1 from public.lessons pl \
                               where pl.id = p.id and pl.is_published) \
                  and not exists (select 1 from public.student_progress sp \
                                   where sp.student_id = {student} and sp.course_id = {course} \
                                     and sp.lesson_id = p.id and sp.assessment_id is null \
                                     and sp.status = 'completed') \
                order by p.n) as missing"
    )
}

/// The missing prerequisites of a row with the [`standing`] columns: `NotEnrolled`
/// unless `enrolled`.
pub(crate) fn missing_of(row: &sqlx::postgres::PgRow, course: CourseId) -> Result<Vec<LessonId>> {
    if !row.try_get::<bool, _>("enrolled")? {
        return Err(Error::NotEnrolled {
            course: course.to_string(),
        });
    }
    let missing: Option<Vec<Uuid>> = row.try_get("missing")?;
    Ok(missing
        .unwrap_or_default()
        .into_iter()
        .map(LessonId)
        .collect())
}

impl Scope {
    /// Enrols the acting student in a published course and creates their progress rows
    /// (`not_started`, or `blocked` where prerequisites are unmet).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "enroll", actor = self.actor.role_name()))]
    pub async fn enroll(&self, course_id: CourseId) -> Result<Enrollment> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        // the course as the actor sees it, and the student's lock of it, in one read
        let sql = format!(
            "select is_published, {}::text as locked from public.courses where id = $1",
            lock_progress_sql("id", "$2")
        );
        let published: bool = sqlx::query_scalar(&sql)
            .bind(course_id.0)
            .bind(student.0)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| Error::not_found("course", course_id))?;
        if !published {
            return Err(Error::forbidden(format!(
                "course {course_id} is not published"
            )));
        }
        // under the actor's role: the enrollments policy checks again, at the time of the
        // write, that the course is published (it may have been withdrawn while this
        // waited for the lock); an enrolment already there is the unique key's refusal
        let sql = format!(
            "insert into public.enrollments (student_id, course_id) values ($1, $2) returning {}",
            rows::ENROLLMENT
        );
        let inserted = rows::select::<Enrollment>(&sql)
            .bind(student.0)
            .bind(course_id.0)
            .one(tx.conn())
            .await
            .map_err(|e| match e {
                Error::AlreadyEnrolled { .. } => Error::AlreadyEnrolled {
                    course: course_id.to_string(),
                },
                Error::Forbidden { .. } => {
                    Error::forbidden(format!("course {course_id} is not published"))
                }
                other => other,
            })?;
        tx.trusted_to_the_end().await?;
        let refreshed = refresh_course_progress(&mut tx, student, course_id, None).await?;
        tx.commit().await?;
        Ok(refreshed.enrollment.unwrap_or(inserted))
    }

    /// Records the acting student's progress on a content block (a `ProgressData`
    /// document, plus the seconds spent since the last report), then updates the lesson's
    /// progress, unlocks lessons whose prerequisites are now met, and completes the
    /// enrolment when the course is complete. Returns the lesson's progress row.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "record_content_progress", actor = self.actor.role_name()))]
    pub async fn record_content_progress(
        &self,
        block_id: ContentBlockId,
        data: &serde_json::Value,
        time_spent_seconds: i32,
    ) -> Result<StudentProgress> {
        let data = ProgressData::validate(data).map_err(lms_core::Error::from)?;
        let most = lms_core::documents::limits::MAX_DURATION_SECONDS;
        if u32::try_from(time_spent_seconds).map_or(true, |s| s > most) {
            return Err(lms_core::Error::InvalidInput {
                field: "time_spent_seconds",
                reason: format!("must be in 0..={most} (seconds since the last report)"),
            }
            .into());
        }
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        // the block and its lesson as the actor sees them, in one read that also takes
        // the student's lock of the block's course (when the actor sees it)
        let sql = format!(
            "select b.type::text as type, b.lesson_id, l.id as lesson, l.course_id, \
                    l.is_published, l.prerequisites, {}::text as locked, \
                    case when l.unlocks_at > statement_timestamp() then l.unlocks_at end \
                      as unlocks_at \
               from public.content_blocks b left join public.lessons l on l.id = b.lesson_id \
              where b.id = $1",
            lock_progress_sql("l.course_id", "$2")
        );
        let found = sqlx::query(&sql)
            .bind(block_id.0)
            .bind(student.0)
            .fetch_optional(tx.conn())
            .await?;
        let Some(found) = found else {
            if let Some(locked) = locked_block(&mut tx, block_id).await? {
                return Err(locked);
            }
            let e = Error::not_found("content block", block_id);
            return Err(not_enrolled_or(&mut tx, BLOCK_OWNER, block_id.0, e).await?);
        };
        let content_type: ContentType = rows::parse(&found, "type")?;
        let lesson_id = LessonId(found.try_get("lesson_id")?);
        let Some(course) = found.try_get::<Option<Uuid>, _>("course_id")?.map(CourseId) else {
            return Err(Error::not_found("lesson", lesson_id));
        };
        if !found.try_get::<bool, _>("is_published")? {
            return Err(draft_lesson(lesson_id));
        }
        if let Some(unlocks_at) = found.try_get("unlocks_at")? {
            return Err(lms_core::Error::LessonLocked {
                lesson: lesson_id,
                unlocks_at,
            }
            .into());
        }
        let prerequisites: Vec<Uuid> = found.try_get("prerequisites")?;
        let missing = missing_prerequisites(&mut tx, student, course, &prerequisites).await?;
        if !missing.is_empty() {
            return Err(lms_core::Error::PrerequisitesUnmet { missing }.into());
        }

        // every right is checked: the rest is the library's own writes and refresh
        tx.trusted_to_the_end().await?;
        let completed = data.completed;
        let data = rows::json("data", &data)?;
        // the block's progress and the lesson's access and time, in one statement (two
        // tables; their triggers run as for two statements)
        sqlx::query(
            "with block as ( \
               insert into public.learning_progress \
                 (student_id, content_id, content_type, progress_data, completed_at, time_spent) \
               values ($1, $2, $3, $4, case when $5 then now() end, $6) \
               on conflict on constraint learning_progress_student_content_key do update set \
                 progress_data = excluded.progress_data, \
                 completed_at = coalesce(learning_progress.completed_at, excluded.completed_at), \
                 time_spent = least(learning_progress.time_spent::bigint + excluded.time_spent, \
                                    2147483647)::integer) \
             update public.student_progress set last_accessed = now(), \
               time_spent = least(time_spent::bigint + $6, 2147483647)::integer \
             where student_id = $1 and course_id = $7 and lesson_id = $8 and assessment_id is null",
        )
        .bind(student.0)
        .bind(block_id.0)
        .bind(content_type.as_str())
        .bind(data)
        .bind(completed)
        .bind(time_spent_seconds)
        .bind(course.0)
        .bind(lesson_id.0)
        .execute(tx.conn())
        .await?;
        refresh_course_progress(&mut tx, student, course, Some(lesson_id)).await?;
        let row = progress_rows(&mut tx, student, course)
            .await?
            .into_iter()
            .find(|p| p.lesson_id == Some(lesson_id) && p.assessment_id.is_none())
            .ok_or_else(|| Error::not_found("lesson progress", lesson_id))?;
        tx.commit().await?;
        Ok(row)
    }

    /// The acting student's progress rows on a course (lessons and assessments).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "my_progress", actor = self.actor.role_name()))]
    pub async fn my_progress(&self, course_id: CourseId) -> Result<Vec<StudentProgress>> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let rows = progress_rows(&mut tx, student, course_id).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The acting student's enrolments, newest first, each with its course's title.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "my_enrollments", actor = self.actor.role_name()))]
    pub async fn my_enrollments(&self) -> Result<Vec<MyEnrollment>> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let sql = format!(
            "select {}, c.title as course_title from public.enrollments e \
               join public.courses c on c.id = e.course_id \
              where e.student_id = $1 order by e.enrolled_at desc, e.id",
            rows::ENROLLMENT_OF_E
        );
        let found = sqlx::query(&sql)
            .bind(student.0)
            .fetch_all(tx.conn())
            .await?;
        let list = found
            .iter()
            .map(|row| {
                Ok(MyEnrollment {
                    enrollment: <rows::Db<Enrollment> as sqlx::FromRow<_>>::from_row(row)?.0,
                    course_title: sqlx::Row::try_get(row, "course_title")?,
                })
            })
            .collect::<sqlx::Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(list)
    }

    /// The acting student's fine-grained progress records (`learning_progress`), most
    /// recent first.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "my_learning_progress", actor = self.actor.role_name()))]
    pub async fn my_learning_progress(&self) -> Result<Vec<LearningProgress>> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let sql = format!(
            "select {} from public.learning_progress where student_id = $1 \
             order by updated_at desc, id",
            rows::LEARNING
        );
        let list = rows::select::<LearningProgress>(&sql)
            .bind(student.0)
            .all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(list)
    }

    /// The acting student's personalized roadmaps, newest first.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "my_roadmaps", actor = self.actor.role_name()))]
    pub async fn my_roadmaps(&self) -> Result<Vec<PersonalizedRoadmap>> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let list = roadmaps_of(&mut tx, student, None).await?;
        tx.commit().await?;
        Ok(list)
    }
}

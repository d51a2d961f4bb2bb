//! Attempts: start, save answers, submit (limits, time policy, scoring, progress), and
//! essay grading.
//!
//! ## Concurrency
//! Every attempt use case first takes the transaction-scoped advisory lock on (course,
//! student) — `pg_advisory_xact_lock`, see `learning::lock_progress`, the same lock every
//! use case that changes a student's progress takes — and only then reads the student's
//! previous attempts. Simultaneous calls for one student and course therefore run one
//! after the other, each seeing what the previous one committed: the number of attempts
//! never exceeds `max_attempts`, numbers are never duplicated (the unique constraint
//! `assessment_attempts_number_key` is the backstop), the best score is computed from all
//! committed attempts, and no progress refresh overwrites another's. A lock rather than
//! serializable retries: the conflict is certain (same rows), so queueing is cheaper than
//! aborting and retrying, and it needs no privilege on any row (students cannot
//! `select … for update` rows they may not update). Different students or courses never
//! wait for each other.

use chrono::{DateTime, Utc};
use lms_core::attempts::{
    may_start, submission, AttemptHistory, AttemptRules, AttemptSummary, Closing, StartDecision,
    TimeLimitPolicy,
};
use lms_core::delivery::{self, AttemptReview, LatePolicy, ReviewShown};
use lms_core::documents::{Answer, Answers, Document, Feedback, Points, QuestionSet};
use lms_core::model::*;
use lms_core::scoring::{self, Scored, ScoringPolicy};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::authoring::{
    assessment_course, assessment_with_keys, questions_for_actor, require_author, require_staff,
    Right,
};
use crate::error::{Error, Result};
use crate::learning::{
    draft_lesson, lock_progress, lock_progress_sql, lock_submitters, missing_of, not_enrolled_or,
    refresh_course_progress, refresh_knowing, standing, student_of, try_lock_progress,
    ASSESSMENT_OWNER,
};
use crate::rows;
use crate::session::{Scope, Tx};

/// An attempt the student may work on now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StartedAttempt {
    /// The attempt row (answers saved so far; no score yet).
    pub attempt: AssessmentAttempt,
    /// The questions to show, without answer keys: those the attempt started with. Empty
    /// when answering is over and only submitting is left (a `grace_period` after the
    /// deadline).
    pub questions: serde_json::Value,
    /// When it must be submitted (grace not included); `None` when untimed.
    pub deadline: Option<DateTime<Utc>>,
    /// Whether an open attempt was resumed rather than a new one created.
    pub resumed: bool,
}

/// How [`Scope::submit_attempt_with`] submits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SubmitOptions {
    /// Hand in answers that answer no question (a blank attempt, scored 0) instead of
    /// refusing them with `no_answers`.
    pub allow_empty: bool,
}

impl SubmitOptions {
    /// Options that accept a blank attempt.
    pub fn allow_empty() -> Self {
        SubmitOptions { allow_empty: true }
    }
}

/// A submitted attempt and what it changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmittedAttempt {
    /// The attempt row with its score, feedback and submission time, as the
    /// assessment's review options show it to the student now
    /// ([`lms_core::delivery::ReviewShown::attempt`]); the lessons it unlocked and the
    /// course's completion tell whether it passed, whatever they hide (the gradebook's
    /// side).
    pub attempt: AssessmentAttempt,
    /// Whether the submission came after the deadline plus grace (answers saved after
    /// it were dropped, the attempt counts as submitted at the deadline).
    pub late: bool,
    /// Question ids whose answers were dropped for being saved too late.
    pub dropped_answers: Vec<String>,
    /// Essays waiting for an instructor's grade (score and pass are final when empty).
    pub pending_review: Vec<String>,
    /// Lessons unlocked by this submission.
    pub unlocked_lessons: Vec<LessonId>,
    /// Whether the course is complete now.
    pub course_completed: bool,
}

/// What an attempt use case knows about the assessment, read as the actor, who holds the
/// progress lock from here on.
struct Context {
    student: UserId,
    course: CourseId,
    rules: AttemptRules,
    minimum_passing_score: i32,
    missing: Vec<LessonId>,
    /// The student's history at the assessment, when asked for ([`attempt_history`]).
    history: Option<AttemptHistory>,
    /// The database's time of the read: the clock every decision of the call is made
    /// by, as the database's own checks are (`statement_timestamp()`).
    now: DateTime<Utc>,
    /// The assessment's lesson and its unlock time, while it is not unlocked.
    locked: Option<(LessonId, DateTime<Utc>)>,
}

impl Context {
    /// The student's history at the assessment: the one read with the context the first
    /// time (when it was asked for), read again ([`attempt_history`]) after that.
    async fn history(&mut self, tx: &mut Tx, assessment: AssessmentId) -> Result<AttemptHistory> {
        match self.history.take() {
            Some(h) => Ok(h),
            None => attempt_history(tx, assessment, self.student).await,
        }
    }
}

/// Whether [`context`] also reads the student's history at the assessment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WithHistory {
    Yes,
    No,
}

async fn context(
    tx: &mut Tx,
    assessment: AssessmentId,
    with_history: WithHistory,
) -> Result<Context> {
    let student = student_of(tx)?;
    // the course as the actor sees it, and the student's lock of it, in one read
    let sql = format!(
        "select course, {}::text as locked from ( \
           select coalesce(a.course_id, l.course_id) as course from public.assessments a \
             left join public.lessons l on l.id = a.lesson_id where a.id = $1) t \
          where course is not null",
        lock_progress_sql("course", "$2")
    );
    let course: Option<Uuid> = sqlx::query_scalar(&sql)
        .bind(assessment.0)
        .bind(student.0)
        .fetch_optional(tx.conn())
        .await?;
    let Some(course) = course.map(CourseId) else {
        let e = Error::not_found("assessment", assessment);
        return Err(not_enrolled_or(tx, ASSESSMENT_OWNER, assessment.0, e).await?);
    };
    // after the lock, so that a change of the rules that held it counts (update_assessment
    // takes each student's lock): in one read as the actor, whether the assessment takes
    // attempts (only the lesson's chosen assessment or the course's final one does), its
    // attempt rules, its lesson, the student's standing (enrolment, prerequisites still
    // to complete) and, when asked for, their history at it
    let history = match with_history {
        WithHistory::Yes => format!(
            "(select coalesce(json_agg(h), '[]') from ({}) h)",
            rows::histories_sql(rows::HistoriesOf::Assessment, "$2", "$1", "null")
        ),
        WithHistory::No => "null::json".to_owned(),
    };
    let sql = format!(
        "select a.lesson_id, \
                exists (select 1 from public.lessons where assessment_id = a.id) \
                  or exists (select 1 from public.courses where final_assessment_id = a.id) \
                  as takes_attempts, \
                l.is_published as lesson_published, l.unlocks_at, {}, {}, \
                {history} as history, statement_timestamp() as now \
           from public.assessments a left join public.lessons l on l.id = a.lesson_id \
          where a.id = $1",
        rows::attempt_rules_sql("$2"),
        standing("$2", "$3", "coalesce(l.prerequisites, '{}')")
    );
    let row = sqlx::query(&sql)
        .bind(assessment.0)
        .bind(student.0)
        .bind(course.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| Error::not_found("assessment", assessment))?;
    let missing = missing_of(&row, course)?;
    if !row.try_get::<bool, _>("takes_attempts")? {
        return Err(Error::forbidden(format!(
            "assessment {assessment} is neither a lesson's assessment nor a final assessment"
        )));
    }
    let (rules, minimum_passing_score) = rows::attempt_rules(&row)?;
    let lesson_id: Option<Uuid> = row.try_get("lesson_id")?;
    if let Some(l) = lesson_id {
        if !row
            .try_get::<Option<bool>, _>("lesson_published")?
            .unwrap_or(false)
        {
            return Err(draft_lesson(LessonId(l)));
        }
    }
    // read as the actor, the history is whole only when no finished attempt of theirs
    // can be hidden from them by the review options (the attempts policy); otherwise it
    // is read again on the trusted path ([`attempt_history`])
    let history = row
        .try_get::<Option<sqlx::types::Json<Vec<rows::HistoryRow>>>, _>("history")?
        .filter(|_| rules.policy.review.results_immediately())
        .map(|h| rows::collect_histories(h.0))
        .transpose()?
        .map(|mut found| found.remove(&assessment.0).unwrap_or_default());
    let now: DateTime<Utc> = row.try_get("now")?;
    let locked = match (
        lesson_id,
        row.try_get::<Option<DateTime<Utc>>, _>("unlocks_at")?,
    ) {
        (Some(l), Some(at)) if at > now => Some((LessonId(l), at)),
        _ => None,
    };
    Ok(Context {
        student,
        course,
        rules,
        minimum_passing_score,
        missing,
        history,
        now,
        locked,
    })
}

/// The assessment's lesson, attempt rules (limits, stored policy, dates, the late policy
/// that applies) and passing score, read as the actor (every reader of the assessment
/// may read these columns); with the accommodations of `student`, when given (which the
/// actor must be allowed to read: the student themselves, the course's staff, the
/// service).
pub(crate) async fn attempt_rules(
    tx: &mut Tx,
    assessment: AssessmentId,
    student: Option<UserId>,
) -> Result<(Option<Uuid>, AttemptRules, i32)> {
    let sql = format!(
        "select a.lesson_id, {} from public.assessments a \
           left join public.lessons l on l.id = a.lesson_id where a.id = $1",
        rows::attempt_rules_sql("$2")
    );
    let row = sqlx::query(&sql)
        .bind(assessment.0)
        .bind(student.map(|s| s.0))
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| Error::not_found("assessment", assessment))?;
    let (rules, minimum_passing_score) = rows::attempt_rules(&row)?;
    Ok((row.try_get("lesson_id")?, rules, minimum_passing_score))
}

/// The questions an attempt is scored against: those of the version it references that
/// it shows (its draw, when it drew from a pool: `lms_core::delivery::attempt_questions`),
/// read on the trusted path (the answer keys).
async fn attempt_questions(tx: &mut Tx, attempt: &AssessmentAttempt) -> Result<QuestionSet> {
    tx.trusted().await?;
    let found: Option<(serde_json::Value, Option<Vec<String>>)> = sqlx::query_as(
        "select v.questions, t.question_order from public.assessment_question_versions v \
           join public.assessment_attempts t on t.id = $3 \
          where v.assessment_id = $1 and v.version = $2",
    )
    .bind(attempt.assessment_id.0)
    .bind(attempt.questions_version)
    .bind(attempt.id.0)
    .fetch_optional(tx.conn())
    .await?;
    tx.set_actor_role().await?;
    let (questions, order) = found.ok_or_else(|| Error::Conflict {
        reason: format!(
            "version {} of the questions of assessment {} is missing",
            attempt.questions_version, attempt.assessment_id
        ),
    })?;
    let questions = QuestionSet::validate(&questions).map_err(lms_core::Error::from)?;
    Ok(delivery::attempt_questions(&questions, order.as_deref()))
}

/// The student's attempt history ([`AttemptHistory`]) at one assessment: what the
/// attempt rules decide a start or a submission on, read without the whole history.
pub(crate) async fn attempt_history(
    tx: &mut Tx,
    assessment: AssessmentId,
    student: UserId,
) -> Result<AttemptHistory> {
    // on the trusted path: every attempt of the student, those whose review hides its
    // results from them too
    tx.trusted().await?;
    let mut found = rows::histories(tx, student, assessment.0).await?;
    tx.set_actor_role().await?;
    Ok(found.remove(&assessment.0).unwrap_or_default())
}

/// One of the student's attempts at an assessment, whole, by its number.
async fn attempt_numbered(
    tx: &mut Tx,
    assessment: AssessmentId,
    student: UserId,
    number: i32,
) -> Result<AssessmentAttempt> {
    let sql = format!(
        "select {} from public.assessment_attempts \
          where assessment_id = $1 and student_id = $2 and attempt_number = $3",
        rows::ATTEMPT
    );
    rows::select::<AssessmentAttempt>(&sql)
        .bind(assessment.0)
        .bind(student.0)
        .bind(number)
        .optional(tx.conn())
        .await?
        .ok_or_else(|| Error::not_found("attempt", number))
}

pub(crate) async fn attempts_of(
    tx: &mut Tx,
    assessment: AssessmentId,
    student: UserId,
) -> Result<Vec<AssessmentAttempt>> {
    let sql = format!(
        "select {} from public.assessment_attempts \
         where assessment_id = $1 and student_id = $2 order by attempt_number",
        rows::ATTEMPT
    );
    rows::select::<AssessmentAttempt>(&sql)
        .bind(assessment.0)
        .bind(student.0)
        .all(tx.conn())
        .await
}

pub(crate) async fn attempt_by_id(tx: &mut Tx, id: AttemptId) -> Result<AssessmentAttempt> {
    rows::by_id(tx.conn(), "assessment_attempts", rows::ATTEMPT, id.0)
        .await?
        .ok_or_else(|| Error::not_found("attempt", id))
}

/// Creates attempt `number` on the trusted path (students cannot insert attempts).
async fn create_attempt(
    tx: &mut Tx,
    assessment: AssessmentId,
    student: UserId,
    number: i32,
    now: DateTime<Utc>,
) -> Result<AssessmentAttempt> {
    tx.trusted().await?;
    let sql = format!(
        "insert into public.assessment_attempts (assessment_id, student_id, attempt_number, started_at) \
         values ($1, $2, $3, $4) returning {}",
        rows::ATTEMPT
    );
    let attempt = rows::select::<AssessmentAttempt>(&sql)
        .bind(assessment.0)
        .bind(student.0)
        .bind(number)
        .bind(now)
        .one(tx.conn())
        .await?;
    tx.set_actor_role().await?;
    Ok(attempt)
}

/// The questions of a new attempt as its student sees them: when the assessment shuffles
/// questions or options, in an order chosen now (`lms_core::delivery::arrange`, seeded
/// by the attempt's random id) and stored with the attempt on the trusted path, which
/// `assessment_questions` then follows for as long as the attempt is open.
async fn arranged_questions(
    tx: &mut Tx,
    policy: &lms_core::attempts::AttemptPolicy,
    assessment: AssessmentId,
    attempt: &AssessmentAttempt,
) -> Result<serde_json::Value> {
    let questions = questions_for_actor(tx, assessment).await?;
    let bytes = attempt.id.0.as_bytes();
    let seed = u64::from_le_bytes([
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
    ]);
    let Some(order) = lms_core::delivery::arrange(&questions, policy.into(), seed) else {
        return Ok(questions);
    };
    tx.trusted().await?;
    sqlx::query(
        "update public.assessment_attempts set question_order = $2, option_order = $3 \
         where id = $1",
    )
    .bind(attempt.id.0)
    .bind((!order.questions.is_empty()).then_some(&order.questions))
    .bind((!order.options.is_empty()).then_some(sqlx::types::Json(&order.options)))
    .execute(tx.conn())
    .await?;
    tx.set_actor_role().await?;
    questions_for_actor(tx, assessment).await
}

/// Stores a graded result on the attempt (trusted path).
async fn store_result(
    tx: &mut Tx,
    attempt: AttemptId,
    answers: Option<&Answers>,
    scored: &Scored,
    handed_in: HandedIn,
) -> Result<AssessmentAttempt> {
    store_scored(tx, attempt, answers, scored, handed_in, None).await
}

/// When and how an attempt was handed in, as its stored result records it beside the
/// score: how late, the time spent, the submission time (each `None`: as stored).
#[derive(Debug, Clone, Copy, Default)]
struct HandedIn {
    late: Lateness,
    time_spent_seconds: Option<i64>,
    submitted_at: Option<DateTime<Utc>>,
}

impl HandedIn {
    /// A submission's verdict under `rules` (their due time and late policy).
    fn of<K>(rules: &AttemptRules, verdict: &lms_core::attempts::Submission<K>) -> Self {
        HandedIn {
            late: Lateness {
                policy: rules.late_policy,
                seconds: verdict.past_due_seconds,
            },
            time_spent_seconds: Some(verdict.time_spent_seconds),
            submitted_at: Some(verdict.submitted_at),
        }
    }

    /// A result graded again (by hand, by a regrade): handed in as it was, as late.
    fn again(late: Lateness) -> Self {
        HandedIn {
            late,
            ..HandedIn::default()
        }
    }
}

/// How late an attempt was submitted, and the late policy that applies: what turns its
/// raw result into the recorded one ([`delivery::record`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lateness {
    /// The late policy that applies (the assessment's, else its course's).
    pub(crate) policy: Option<LatePolicy>,
    /// Seconds after the student's due time; `None` when on time.
    pub(crate) seconds: Option<i64>,
}

/// A scored result as the columns of `assessment_attempts` hold it: the recorded result
/// (after the late policy) in `score`, `points_earned`, `exact_points_earned` and
/// `passed`, the raw one beside it.
struct ScoredColumns {
    answers: Option<serde_json::Value>,
    score: Option<i32>,
    points_earned: i32,
    total_points: i32,
    passed: Option<bool>,
    feedback: serde_json::Value,
    time_spent: Option<i32>,
    submitted_at: Option<DateTime<Utc>>,
    /// The exact recorded points in millionths (`exact_points_earned` × 10⁶).
    micros: i64,
    /// The exact raw points in millionths (`raw_points_earned` × 10⁶).
    raw_micros: i64,
    raw_score: Option<i32>,
    late_seconds: Option<i32>,
}

/// A value of a non-negative count or number of seconds as an integer column.
fn int<T: TryInto<i32>>(value: T) -> i32 {
    value.try_into().unwrap_or(i32::MAX)
}

impl ScoredColumns {
    fn of(answers: Option<&Answers>, scored: &Scored, handed_in: HandedIn) -> Result<Self> {
        let HandedIn {
            late,
            time_spent_seconds,
            submitted_at,
        } = handed_in;
        let minimum = scored.feedback.summary.minimum_passing_score;
        let recorded = delivery::record(scored, late.policy.as_ref(), late.seconds, minimum);
        let micros = |p: Points| i64::try_from(p.micros()).unwrap_or(i64::MAX);
        Ok(Self {
            answers: answers.map(|a| rows::json("answers", a)).transpose()?,
            score: recorded.score.map(int),
            points_earned: int(recorded.points_earned.floor()),
            total_points: int(scored.total_points),
            passed: recorded.passed,
            feedback: rows::json("feedback", &scored.feedback)?,
            time_spent: time_spent_seconds.map(int),
            submitted_at,
            micros: micros(recorded.points_earned),
            raw_micros: micros(scored.points_earned),
            raw_score: scored.score.map(int),
            late_seconds: late.seconds.map(int),
        })
    }

    /// Binds the columns as the next twelve parameters, in the order of the fields:
    /// answers, score, points earned, total points, passed, feedback, time spent,
    /// submitted at, exact points in millionths, raw points in millionths, raw score,
    /// late seconds.
    fn bind<'q>(
        self,
        query: rows::Select<'q, AssessmentAttempt>,
    ) -> rows::Select<'q, AssessmentAttempt> {
        query
            .bind(self.answers)
            .bind(self.score)
            .bind(self.points_earned)
            .bind(self.total_points)
            .bind(self.passed)
            .bind(self.feedback)
            .bind(self.time_spent)
            .bind(self.submitted_at)
            .bind(self.micros)
            .bind(self.raw_micros)
            .bind(self.raw_score)
            .bind(self.late_seconds)
    }
}

/// [`store_result`], and the questions version it was scored against when `version`.
async fn store_scored(
    tx: &mut Tx,
    attempt: AttemptId,
    answers: Option<&Answers>,
    scored: &Scored,
    handed_in: HandedIn,
    version: Option<i32>,
) -> Result<AssessmentAttempt> {
    let c = ScoredColumns::of(answers, scored, handed_in)?;
    tx.trusted().await?;
    let sql = format!(
        "update public.assessment_attempts set \
           answers = coalesce($2, answers), score = $3, points_earned = $4, total_points = $5, \
           passed = $6, feedback = $7, time_spent = coalesce($8, time_spent), \
           submitted_at = coalesce($9, submitted_at), \
           exact_points_earned = $10::numeric / 1000000, \
           raw_points_earned = $11::numeric / 1000000, raw_score = $12, late_seconds = $13, \
           questions_version = coalesce($14, questions_version) \
         where id = $1 returning {}",
        rows::ATTEMPT
    );
    let stored = c
        .bind(rows::select::<AssessmentAttempt>(&sql).bind(attempt.0))
        .bind(version)
        .one(tx.conn())
        .await?;
    tx.set_actor_role().await?;
    Ok(stored)
}

/// A new attempt stored with its result by [`grade_and_insert`].
struct NewScored {
    assessment: AssessmentId,
    student: UserId,
    /// Its number ([`may_start`]).
    number: i32,
    started_at: DateTime<Utc>,
    /// When and how late (the verdict's).
    handed_in: HandedIn,
}

/// Scores `kept` answers against the assessment's current questions and stores them as
/// a new attempt, started and submitted at once, in one insert (trusted path): an
/// untimed attempt submitted without being started first. The attempt references the
/// questions version it was scored against.
async fn grade_and_insert(
    tx: &mut Tx,
    new: &NewScored,
    kept: &Answers,
    minimum_passing_score: i32,
    allow_empty: bool,
) -> Result<(AssessmentAttempt, Scored)> {
    let assessment = new.assessment;
    tx.trusted().await?;
    let current: Option<(i32, serde_json::Value)> = sqlx::query_as(
        "select v.version, v.questions from public.assessments a \
           join public.assessment_question_versions v \
             on v.assessment_id = a.id and v.version = a.questions_version \
          where a.id = $1",
    )
    .bind(assessment.0)
    .fetch_optional(tx.conn())
    .await?;
    let (version, questions) = current.ok_or_else(|| Error::Conflict {
        reason: format!("the current questions of assessment {assessment} have no version"),
    })?;
    let questions = QuestionSet::validate(&questions).map_err(lms_core::Error::from)?;
    let scored = scoring::score(
        &questions,
        kept,
        &ScoringPolicy::new(minimum_passing_score)?,
    )?;
    scored.ensure_answered(allow_empty)?;
    let c = ScoredColumns::of(Some(kept), &scored, new.handed_in)?;
    let sql = format!(
        "insert into public.assessment_attempts (assessment_id, student_id, attempt_number, \
           started_at, answers, score, points_earned, total_points, passed, feedback, \
           time_spent, submitted_at, exact_points_earned, raw_points_earned, raw_score, \
           late_seconds, questions_version) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                 $13::numeric / 1000000, $14::numeric / 1000000, $15, $16, $17) returning {}",
        rows::ATTEMPT
    );
    let first = rows::select::<AssessmentAttempt>(&sql)
        .bind(assessment.0)
        .bind(new.student.0)
        .bind(new.number)
        .bind(new.started_at);
    let stored = c.bind(first).bind(version).one(tx.conn()).await?;
    tx.set_actor_role().await?;
    Ok((stored, scored))
}

/// The answers saved on an attempt, as a typed document.
fn saved_answers(attempt: &AssessmentAttempt) -> Result<Answers> {
    Ok(Answers::validate(&attempt.answers).map_err(lms_core::Error::from)?)
}

fn answered_at_mut(answer: &mut Answer) -> &mut Option<DateTime<Utc>> {
    match answer {
        Answer::MultipleChoice(a) => &mut a.answered_at,
        Answer::TrueFalse(a) => &mut a.answered_at,
        Answer::ShortAnswer(a) => &mut a.answered_at,
        Answer::Essay(a) => &mut a.answered_at,
    }
}

/// The saved answers overlaid with new ones, each new or changed answer stamped with the
/// server's `now` (a client's `answered_at` is never trusted); an unchanged answer keeps
/// the time it was first saved.
fn merge_answers(saved: &Answers, new: Answers, now: DateTime<Utc>) -> Answers {
    let mut merged = saved.clone();
    for (question, mut answer) in new.0 {
        let kept_at = saved.0.get(&question).and_then(|old| {
            let mut a = old.clone();
            *answered_at_mut(&mut a) = None;
            let mut b = answer.clone();
            *answered_at_mut(&mut b) = None;
            (a == b).then(|| old.answered_at()).flatten()
        });
        *answered_at_mut(&mut answer) = Some(kept_at.unwrap_or(now));
        merged.0.insert(question, answer);
    }
    merged
}

/// Question ids whose answer in `new` differs from the saved one (timestamps aside).
fn changed_answers(saved: &Answers, new: &Answers) -> Vec<String> {
    let bare = |a: &Answer| {
        let mut a = a.clone();
        *answered_at_mut(&mut a) = None;
        a
    };
    new.0
        .iter()
        .filter(|(q, a)| saved.0.get(*q).map(bare) != Some(bare(a)))
        .map(|(q, _)| q.clone())
        .collect()
}

/// Scores `kept` answers of an attempt against the questions it started with and stores
/// the result with its submission time; a result answering no question only when
/// `allow_empty`.
async fn grade_and_store(
    tx: &mut Tx,
    attempt: &AssessmentAttempt,
    kept: &Answers,
    minimum_passing_score: i32,
    handed_in: HandedIn,
    allow_empty: bool,
) -> Result<(AssessmentAttempt, Scored)> {
    let questions = attempt_questions(tx, attempt).await?;
    let scored = scoring::score(
        &questions,
        kept,
        &ScoringPolicy::new(minimum_passing_score)?,
    )?;
    scored.ensure_answered(allow_empty)?;
    let stored = store_result(tx, attempt.id, Some(kept), &scored, handed_in).await?;
    Ok((stored, scored))
}

/// How an expired attempt was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedAs {
    /// Scored with the answers saved in time, submitted at its deadline.
    Submitted,
    /// Abandoned: never graded (overdue handling `grace_period` or `abandon`).
    Abandoned,
}

/// Closes an expired open attempt by the overdue handling of `rules`: scored with the
/// answers saved in time and submitted at its deadline, or abandoned.
async fn close_expired(
    tx: &mut Tx,
    rules: &AttemptRules,
    minimum_passing_score: i32,
    open: &AssessmentAttempt,
    now: DateTime<Utc>,
) -> Result<ClosedAs> {
    let saved = saved_answers(open)?;
    let closing = lms_core::attempts::close_expired(
        rules,
        open.started_at,
        now,
        saved
            .0
            .iter()
            .map(|(q, a)| (q.clone(), a.answered_at().unwrap_or(open.started_at))),
    )?;
    match closing {
        Closing::Submit(verdict) => {
            let kept = Answers(
                saved
                    .0
                    .into_iter()
                    .filter(|(q, _)| verdict.kept.contains(q))
                    .collect(),
            );
            grade_and_store(
                tx,
                open,
                &kept,
                minimum_passing_score,
                HandedIn::of(rules, &verdict),
                true,
            )
            .await?;
            Ok(ClosedAs::Submitted)
        }
        Closing::Abandon { abandoned_at } => {
            abandon(tx, open.id, abandoned_at).await?;
            Ok(ClosedAs::Abandoned)
        }
    }
}

/// Marks an open attempt abandoned at `at` (trusted path).
async fn abandon(tx: &mut Tx, attempt: AttemptId, at: DateTime<Utc>) -> Result<()> {
    tx.trusted().await?;
    sqlx::query(
        "update public.assessment_attempts set abandoned_at = $2 \
          where id = $1 and submitted_at is null and abandoned_at is null",
    )
    .bind(attempt.0)
    .bind(at)
    .execute(tx.conn())
    .await?;
    tx.set_actor_role().await?;
    Ok(())
}

/// The lateness of a stored attempt: its `late_seconds` and, when late, the late policy
/// that applies now (`rules` when already read).
async fn lateness_of(
    tx: &mut Tx,
    attempt: &AssessmentAttempt,
    rules: Option<&AttemptRules>,
) -> Result<Lateness> {
    let Some(seconds) = attempt.late_seconds else {
        return Ok(Lateness::default());
    };
    let policy = match rules {
        Some(r) => r.late_policy,
        None => {
            attempt_rules(tx, attempt.assessment_id, None)
                .await?
                .1
                .late_policy
        }
    };
    Ok(Lateness {
        policy,
        seconds: Some(i64::from(seconds)),
    })
}

impl Scope {
    /// Starts (or resumes) the acting student's attempt at an assessment: the student
    /// must be enrolled, the assessment unlocked, and attempts left
    /// (`lms_core::attempts::may_start`). An open attempt whose time ran out is closed
    /// first, keeping what was saved in time.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "start_attempt", actor = self.actor.role_name()))]
    pub async fn start_attempt(&self, assessment: AssessmentId) -> Result<StartedAttempt> {
        let mut tx = self.begin().await?;
        let mut ctx = context(&mut tx, assessment, WithHistory::Yes).await?;
        let now = ctx.now;
        let mut closed = false;
        let started = loop {
            // read with the context the first time, again after closing an expired attempt
            let history = ctx.history(&mut tx, assessment).await?;
            // a lesson not unlocked yet: no new attempt (one begun before stays open)
            let decision = may_start(&ctx.rules, &history.picks, &ctx.missing, now).and_then(|d| {
                match (&d, ctx.locked) {
                    (StartDecision::New { .. }, Some((lesson, unlocks_at))) => {
                        Err(lms_core::Error::LessonLocked { lesson, unlocks_at })
                    }
                    _ => Ok(d),
                }
            });
            let decision = match decision {
                Ok(d) => d,
                Err(e) => {
                    // an expired attempt closed on the way is kept, whatever follows
                    if closed {
                        refresh_course_progress(&mut tx, ctx.student, ctx.course, None).await?;
                        tx.commit().await?;
                    }
                    return Err(e.into());
                }
            };
            match decision {
                StartDecision::New { attempt_number } => {
                    let attempt =
                        create_attempt(&mut tx, assessment, ctx.student, attempt_number, now)
                            .await?;
                    let questions =
                        arranged_questions(&mut tx, &ctx.rules.policy, assessment, &attempt)
                            .await?;
                    break StartedAttempt {
                        deadline: ctx.rules.deadline(attempt.started_at),
                        attempt,
                        questions,
                        resumed: false,
                    };
                }
                StartDecision::Resume {
                    attempt_number,
                    deadline,
                } => {
                    let attempt =
                        attempt_numbered(&mut tx, assessment, ctx.student, attempt_number).await?;
                    // in a grace period, past the answer cutoff, the questions are no
                    // longer shown: the attempt can only be submitted
                    let answering_over = ctx
                        .rules
                        .answer_cutoff(attempt.started_at)
                        .is_some_and(|cutoff| now > cutoff);
                    let questions = match questions_for_actor(&mut tx, assessment).await {
                        Err(Error::NotFound { .. }) if answering_over => serde_json::json!([]),
                        other => other?,
                    };
                    break StartedAttempt {
                        attempt,
                        questions,
                        deadline,
                        resumed: true,
                    };
                }
                StartDecision::CloseExpired { attempt_number, .. } if !closed => {
                    let open =
                        attempt_numbered(&mut tx, assessment, ctx.student, attempt_number).await?;
                    close_expired(&mut tx, &ctx.rules, ctx.minimum_passing_score, &open, now)
                        .await?;
                    closed = true;
                }
                StartDecision::CloseExpired { attempt_number, .. } => {
                    return Err(lms_core::Error::AttemptAlreadySubmitted { attempt_number }.into())
                }
            }
        };
        if closed {
            refresh_course_progress(&mut tx, ctx.student, ctx.course, None).await?;
        }
        tx.commit().await?;
        Ok(started)
    }

    /// Saves answers on the acting student's open attempt (merged with those saved
    /// before; each new or changed answer is stamped with the server's time, which the
    /// time-limit policy reads). Answers are validated.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "save_answers", actor = self.actor.role_name()))]
    pub async fn save_answers(
        &self,
        assessment: AssessmentId,
        answers: &serde_json::Value,
    ) -> Result<AssessmentAttempt> {
        let new = Answers::validate(answers).map_err(lms_core::Error::from)?;
        let mut tx = self.begin().await?;
        let ctx = context(&mut tx, assessment, WithHistory::No).await?;
        let now = ctx.now;
        let sql = format!(
            "select {} from public.assessment_attempts \
              where assessment_id = $1 and student_id = $2 \
                and submitted_at is null and abandoned_at is null \
              order by attempt_number desc limit 1",
            rows::ATTEMPT
        );
        let open = rows::select::<AssessmentAttempt>(&sql)
            .bind(assessment.0)
            .bind(ctx.student.0)
            .optional(tx.conn())
            .await?
            .ok_or(lms_core::Error::AttemptNotStarted { assessment })?;
        // under a grace period, answering ends at the deadline (submitting at the cutoff)
        if ctx
            .rules
            .answer_cutoff(open.started_at)
            .is_some_and(|cutoff| now > cutoff)
        {
            return Err(lms_core::Error::TimeLimitExceeded {
                limit_minutes: ctx.rules.time_limit_minutes.unwrap_or_default(),
                deadline: ctx.rules.deadline(open.started_at).unwrap_or(now),
                submitted_at: now,
            }
            .into());
        }
        let merged = merge_answers(&saved_answers(&open)?, new, now);
        // answers must fit the attempt's questions (ids, kinds, options), as scoring will
        let questions = attempt_questions(&mut tx, &open).await?;
        scoring::score(
            &questions,
            &merged,
            &ScoringPolicy::new(ctx.minimum_passing_score)?,
        )?;
        tx.trusted().await?;
        let sql = format!(
            "update public.assessment_attempts set answers = $2 where id = $1 returning {}",
            rows::ATTEMPT
        );
        let attempt = rows::select::<AssessmentAttempt>(&sql)
            .bind(open.id.0)
            .bind(rows::json("answers", &merged)?)
            .one(tx.conn())
            .await?;
        tx.set_actor_role().await?;
        tx.commit().await?;
        Ok(attempt)
    }

    /// Submits the acting student's answers: to the open attempt, or to a new one when
    /// none is open (subject to the same rules as [`Scope::start_attempt`]). Applies the
    /// time limit (`lms_core::attempts::submission`), scores
    /// (`lms_core::scoring::score`), stores the result and feedback, and updates
    /// progress: attempts count, best score, lesson status, unlocked lessons, course
    /// completion — all in one transaction.
    ///
    /// Answers that answer no question (`{}`, only empty selections and blank texts,
    /// counting the answers saved before) are refused with `no_answers`, as they are
    /// more often a client's bug than a student's choice and would use up an attempt:
    /// hand in a blank attempt with [`Scope::submit_attempt_with`] and
    /// [`SubmitOptions::allow_empty`]. A late submission (after the deadline plus grace)
    /// is closed with what was saved in time, even if that is nothing.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "submit_attempt", actor = self.actor.role_name()))]
    pub async fn submit_attempt(
        &self,
        assessment: AssessmentId,
        answers: &serde_json::Value,
    ) -> Result<SubmittedAttempt> {
        self.submit_attempt_with(assessment, answers, SubmitOptions::default())
            .await
    }

    /// [`Scope::submit_attempt`] with options.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "submit_attempt_with", actor = self.actor.role_name()))]
    pub async fn submit_attempt_with(
        &self,
        assessment: AssessmentId,
        answers: &serde_json::Value,
        options: SubmitOptions,
    ) -> Result<SubmittedAttempt> {
        let new = Answers::validate(answers).map_err(lms_core::Error::from)?;
        let mut tx = self.begin().await?;
        let mut ctx = context(&mut tx, assessment, WithHistory::Yes).await?;
        let now = ctx.now;
        let history = ctx.history(&mut tx, assessment).await?;
        let decision = may_start(&ctx.rules, &history.picks, &ctx.missing, now)?;
        // a timed attempt, or one drawing its questions, is started first (the questions
        // it shows are chosen then)
        let started_first =
            ctx.rules.time_limit_minutes.is_some() || ctx.rules.policy.draw_questions.is_some();
        if matches!(decision, StartDecision::New { .. }) && started_first {
            return Err(lms_core::Error::AttemptNotStarted { assessment }.into());
        }
        // the student may submit: what is left is the library's own work (the attempt,
        // its score, the progress refresh), on the trusted path without switching back
        tx.trusted_to_the_end().await?;
        // the open attempt, or the number of a new one (untimed: started and submitted
        // at once, in one insert)
        let open = match decision {
            StartDecision::New { attempt_number } => Err(attempt_number),
            StartDecision::Resume { attempt_number, .. }
            | StartDecision::CloseExpired { attempt_number, .. } => {
                Ok(attempt_numbered(&mut tx, assessment, ctx.student, attempt_number).await?)
            }
        };
        let (started_at, saved) = match &open {
            Ok(attempt) => (attempt.started_at, saved_answers(attempt)?),
            Err(_) => (now, Answers::default()),
        };
        let changed = changed_answers(&saved, &new);
        // after the answer cutoff nothing sent now counts: the answers saved in time stand
        let closed = ctx
            .rules
            .answer_cutoff(started_at)
            .is_some_and(|cutoff| now > cutoff);
        let merged = if closed {
            saved
        } else {
            merge_answers(&saved, new, now)
        };
        let verdict = match submission(
            &ctx.rules,
            started_at,
            now,
            merged
                .0
                .iter()
                .map(|(q, a)| (q.clone(), a.answered_at().unwrap_or(now))),
        ) {
            Ok(v) => v,
            Err(e @ lms_core::Error::TimeLimitExceeded { .. }) => {
                // too late to submit: under grace_period and abandon, the attempt is
                // abandoned (kept, whatever the caller does with the refusal)
                if let (Ok(open), TimeLimitPolicy::GracePeriod | TimeLimitPolicy::Abandon) =
                    (&open, ctx.rules.policy.time_limit_policy)
                {
                    close_expired(&mut tx, &ctx.rules, ctx.minimum_passing_score, open, now)
                        .await?;
                    refresh_course_progress(&mut tx, ctx.student, ctx.course, None).await?;
                    tx.commit().await?;
                }
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        let kept = Answers(
            merged
                .0
                .into_iter()
                .filter(|(q, _)| verdict.kept.contains(q))
                .collect(),
        );
        let allow_empty = options.allow_empty || verdict.late;
        let (attempt, scored) = match &open {
            Ok(open) => {
                grade_and_store(
                    &mut tx,
                    open,
                    &kept,
                    ctx.minimum_passing_score,
                    HandedIn::of(&ctx.rules, &verdict),
                    allow_empty,
                )
                .await?
            }
            Err(number) => {
                let new = NewScored {
                    assessment,
                    student: ctx.student,
                    number: *number,
                    started_at,
                    handed_in: HandedIn::of(&ctx.rules, &verdict),
                };
                grade_and_insert(&mut tx, &new, &kept, ctx.minimum_passing_score, allow_empty)
                    .await?
            }
        };
        // the history this decided on, with the attempt just written: not read again
        let known = history.with(&AttemptSummary::from(&attempt));
        let refreshed = refresh_knowing(
            &mut tx,
            ctx.student,
            ctx.course,
            None,
            Some((assessment, known)),
        )
        .await?;
        tx.commit().await?;
        let mut dropped = verdict.dropped;
        if closed {
            dropped.extend(changed);
            dropped.sort();
            dropped.dedup();
        }
        // the student sees of it what the review options show now
        let shown = ctx
            .rules
            .policy
            .review
            .shown(true, ctx.rules.schedule.closes_at, now);
        Ok(SubmittedAttempt {
            attempt: shown.attempt(attempt),
            late: verdict.late,
            dropped_answers: dropped,
            pending_review: scored.pending_review().map(str::to_owned).collect(),
            unlocked_lessons: refreshed.unlocked,
            course_completed: refreshed.course_completed,
        })
    }

    /// The acting student's attempts at an assessment, in order, as the assessment's
    /// review options show them now (`attempt_reviews`): the score, points and pass
    /// left out while the score is hidden, the feedback document while any of score,
    /// correctness and feedback is ([`lms_core::delivery::ReviewShown::attempt`]).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "my_attempts", actor = self.actor.role_name()))]
    pub async fn my_attempts(&self, assessment: AssessmentId) -> Result<Vec<AssessmentAttempt>> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let sql = format!(
            "select {} from public.attempt_reviews \
              where assessment_id = $1 and student_id = $2 order by attempt_number",
            rows::ATTEMPT
        );
        let list = rows::select::<AssessmentAttempt>(&sql)
            .bind(assessment.0)
            .bind(student.0)
            .all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(list)
    }

    /// The review of an attempt as the actor may see it now (the `attempt_reviews`
    /// view): to its student, what the assessment's review options show
    /// ([`lms_core::delivery::ReviewOptions`]) — the score, the feedback's parts, the
    /// questions with their answer keys once the right answers are shown; to the
    /// course's staff and admins, everything. An attempt the actor may not read is
    /// `not_found`.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "attempt_review", actor = self.actor.role_name()))]
    pub async fn attempt_review(&self, attempt_id: AttemptId) -> Result<AttemptReview> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {}, shows_score, shows_correctness, shows_feedback, shows_answers, \
                    reviewed_feedback, questions as review_questions \
               from public.attempt_reviews where id = $1",
            rows::ATTEMPT
        );
        let row = sqlx::query(&sql)
            .bind(attempt_id.0)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| Error::not_found("attempt", attempt_id))?;
        tx.commit().await?;
        let attempt = <rows::Db<AssessmentAttempt> as sqlx::FromRow<_>>::from_row(&row)?.0;
        Ok(AttemptReview {
            attempt,
            shown: ReviewShown {
                score: row.try_get("shows_score")?,
                correctness: row.try_get("shows_correctness")?,
                feedback: row.try_get("shows_feedback")?,
                answers: row.try_get("shows_answers")?,
            },
            feedback: row.try_get("reviewed_feedback")?,
            questions: row.try_get("review_questions")?,
        })
    }

    /// Grades one essay of a submitted attempt (the course's staff — instructor,
    /// co-instructors, graders —, an admin or the service; nobody their own attempt): `points` in `0..=` the question's points, an optional comment. Once no
    /// essay is pending, the attempt's score and pass are final and the student's
    /// progress is updated.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "grade_essay", actor = self.actor.role_name()))]
    pub async fn grade_essay(
        &self,
        attempt_id: AttemptId,
        question_id: &str,
        points: u32,
        comment: Option<&str>,
    ) -> Result<AssessmentAttempt> {
        self.grade_by_hand(attempt_id, question_id, comment, |scored| {
            scoring::grade_essay(scored, question_id, points, comment)
        })
        .await
    }

    /// Overrides the points of any question of a submitted attempt (the course's staff,
    /// an admin or the service; nobody their own attempt; Moodle's "override mark"): `points` in
    /// `0..=` the question's points, exact to the millionth, an optional comment for the
    /// student. The entry is marked `manual` (a regrade keeps it); the grade, best score,
    /// unlocks and completion follow, in one transaction, audited as every change of an
    /// attempt.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "override_question", actor = self.actor.role_name()))]
    pub async fn override_question(
        &self,
        attempt_id: AttemptId,
        question_id: &str,
        points: f64,
        comment: Option<&str>,
    ) -> Result<AssessmentAttempt> {
        let exact = Points::argument(points)?;
        self.grade_by_hand(attempt_id, question_id, comment, |scored| {
            scoring::grade_question(scored, question_id, exact, comment)
        })
        .await
    }

    /// A grader's change of a submitted attempt's feedback, under the student's progress
    /// lock, then the progress refresh.
    async fn grade_by_hand(
        &self,
        attempt_id: AttemptId,
        question_id: &str,
        comment: Option<&str>,
        grade: impl FnOnce(&Scored) -> lms_core::Result<Scored>,
    ) -> Result<AssessmentAttempt> {
        rows::Texts::of("grade")
            .one("question_id", Some(question_id))
            .one("comment", comment)
            .check()?;
        let mut tx = self.begin().await?;
        let seen = attempt_by_id(&mut tx, attempt_id).await?;
        let course = assessment_course(&mut tx, seen.assessment_id).await?;
        require_staff(&mut tx, course, Right::Grade, "grade attempts in").await?;
        if tx.actor() == crate::session::Actor::User(seen.student_id) {
            return Err(Error::forbidden("nobody grades their own attempt"));
        }
        // one grader at a time per student and course; read the attempt again under it
        lock_progress(&mut tx, course, seen.student_id).await?;
        let attempt = attempt_by_id(&mut tx, attempt_id).await?;
        if attempt.submitted_at.is_none() {
            return Err(Error::Conflict {
                reason: format!("attempt {attempt_id} is not submitted"),
            });
        }
        let feedback = attempt.feedback.clone().ok_or_else(|| Error::Conflict {
            reason: format!("attempt {attempt_id} has no feedback to grade"),
        })?;
        let feedback = Feedback::validate(&feedback).map_err(lms_core::Error::from)?;
        let graded = grade(&Scored::from_feedback(feedback))?;
        let late = lateness_of(&mut tx, &attempt, None).await?;
        let stored =
            store_result(&mut tx, attempt_id, None, &graded, HandedIn::again(late)).await?;
        refresh_course_progress(&mut tx, attempt.student_id, course, None).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Re-scores the finished attempts of an assessment against its current questions
    /// (the course's instructor, an admin or the service), as Moodle's regrade: each
    /// attempt's saved answers are scored again (an answer that no longer fits its
    /// question is not counted), grades set by hand (essays, overrides) stay. Reports
    /// every attempt whose result changes. Unless `dry_run`, writes the new results (and
    /// the questions version they were scored against) and refreshes the progress, best
    /// scores, unlocks and completion of every student concerned, in one transaction,
    /// each change audited. Open attempts keep the questions they started with. An
    /// assessment without finished attempts gives an empty report.
    ///
    /// Concurrency: the regrade takes the progress lock of every student concerned (in
    /// one order) before it reads their attempts, so a submission, a grading or another
    /// regrade for one of them runs wholly before or after it; none is lost.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "regrade_assessment", actor = self.actor.role_name()))]
    pub async fn regrade_assessment(
        &self,
        assessment: AssessmentId,
        dry_run: bool,
    ) -> Result<RegradeReport> {
        let mut tx = self.begin().await?;
        let course = assessment_course(&mut tx, assessment).await?;
        require_author(&mut tx, course).await?;
        tx.lock(&format!("lms.regrade:{assessment}")).await?;
        let students: Vec<Uuid> = lock_submitters(&mut tx, course, Some(assessment))
            .await?
            .into_iter()
            .map(|s| s.0)
            .collect();
        let full = assessment_with_keys(&mut tx, assessment).await?;
        let questions = QuestionSet::validate(&full.questions).map_err(lms_core::Error::from)?;
        let policy = ScoringPolicy::new(full.minimum_passing_score)?;
        let (_, rules, _) = attempt_rules(&mut tx, assessment, None).await?;
        tx.trusted().await?;
        let sql = format!(
            "select {} from public.assessment_attempts \
              where assessment_id = $1 and student_id = any($2) and submitted_at is not null \
              order by student_id, attempt_number",
            rows::ATTEMPT
        );
        let finished = rows::select::<AssessmentAttempt>(&sql)
            .bind(assessment.0)
            .bind(&students)
            .all(tx.conn())
            .await?;
        // the questions each attempt drew, when it drew from the pool: regraded on those
        let drawn: std::collections::HashMap<Uuid, Vec<String>> = sqlx::query_as(
            "select id, question_order from public.assessment_attempts \
              where assessment_id = $1 and student_id = any($2) and submitted_at is not null \
                and question_order is not null",
        )
        .bind(assessment.0)
        .bind(&students)
        .fetch_all(tx.conn())
        .await?
        .into_iter()
        .collect();
        tx.set_actor_role().await?;
        let mut report = RegradeReport {
            assessment_id: assessment,
            dry_run,
            questions_version: full.questions_version,
            attempts_regraded: finished.len(),
            changes: Vec::new(),
        };
        let mut touched: Vec<UserId> = Vec::new();
        for attempt in &finished {
            let order = drawn.get(&attempt.id.0).map(Vec::as_slice);
            let questions = delivery::attempt_questions(&questions, order);
            let answers = saved_answers(attempt)?;
            let previous = match &attempt.feedback {
                Some(f) => Feedback::validate(f).map_err(lms_core::Error::from)?,
                None => scoring::score(&questions, &Answers::default(), &policy)?.feedback,
            };
            let regraded = scoring::regrade(&questions, &answers, &previous, &policy)?;
            let before = Scored::from_feedback(previous.clone());
            let changed = (before.points_earned, before.score, before.passed)
                != (regraded.points_earned, regraded.score, regraded.passed);
            if changed {
                report.changes.push(RegradeChange {
                    attempt_id: attempt.id,
                    student_id: attempt.student_id,
                    attempt_number: attempt.attempt_number,
                    old_points_earned: before.points_earned,
                    new_points_earned: regraded.points_earned,
                    total_points: regraded.total_points,
                    old_score: before.score,
                    new_score: regraded.score,
                    old_passed: before.passed,
                    new_passed: regraded.passed,
                });
            }
            let rewritten = regraded.feedback != previous
                || attempt.questions_version != full.questions_version;
            if !dry_run && rewritten {
                let late = lateness_of(&mut tx, attempt, Some(&rules)).await?;
                store_scored(
                    &mut tx,
                    attempt.id,
                    None,
                    &regraded,
                    HandedIn::again(late),
                    Some(full.questions_version),
                )
                .await?;
                if !touched.contains(&attempt.student_id) {
                    touched.push(attempt.student_id);
                }
            }
        }
        for student in touched {
            refresh_course_progress(&mut tx, student, course, None).await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Closes the open attempts whose time ran out (the service only; a cron job's
    /// call), at most `limit` (1 to 10 000) of them, oldest first, each by its
    /// assessment's overdue handling: scored with the answers saved in time and
    /// submitted at its deadline, or abandoned. The progress of each student concerned
    /// follows. Idempotent, and safe to run from several workers at once: each takes the
    /// attempts no other worker holds (`for update skip locked`) and skips a student who
    /// is busy right now (their own call closes the attempt); call it again until it
    /// closes nothing.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "close_overdue_attempts", actor = self.actor.role_name()))]
    pub async fn close_overdue_attempts(&self, limit: u32) -> Result<ClosedAttempts> {
        if !(1..=10_000).contains(&limit) {
            return Err(lms_core::Error::InvalidInput {
                field: "limit",
                reason: format!("must be in 1..=10000, not {limit}"),
            }
            .into());
        }
        self.require_service("closes overdue attempts")?;
        let mut tx = self.begin().await?;
        let now = Utc::now();
        let sql = format!(
            "select {} from public.assessment_attempts t \
              where t.submitted_at is null and t.abandoned_at is null \
                and exists (select 1 from public.assessments a \
                              cross join lateral lms_private.attempt_schedule(a.id, t.student_id) s \
                             where a.id = t.assessment_id \
                               and (a.time_limit is not null or a.closes_at is not null) \
                               and least(t.started_at + make_interval(mins => s.time_limit), \
                                         s.closes_at) \
                                   + make_interval(secs => a.grace_seconds) < $1) \
              order by t.started_at, t.id limit $2 for update of t skip locked",
            rows::ATTEMPT
        );
        let due = rows::select::<AssessmentAttempt>(&sql)
            .bind(now)
            .bind(i64::from(limit))
            .all(tx.conn())
            .await?;
        let mut report = ClosedAttempts::default();
        for attempt in due {
            let course = assessment_course(&mut tx, attempt.assessment_id).await?;
            if !try_lock_progress(&mut tx, course, attempt.student_id).await? {
                report.busy += 1;
                continue;
            }
            let (_, rules, minimum) =
                attempt_rules(&mut tx, attempt.assessment_id, Some(attempt.student_id)).await?;
            if rules
                .cutoff(attempt.started_at)
                .is_none_or(|cutoff| now <= cutoff)
            {
                // the database's schedule and the library's disagree: the library's rule
                // decides (its own call closes the attempt when it is due)
                continue;
            }
            let closed_as = close_expired(&mut tx, &rules, minimum, &attempt, now).await?;
            refresh_course_progress(&mut tx, attempt.student_id, course, None).await?;
            report.closed.push(ClosedAttempt {
                attempt_id: attempt.id,
                assessment_id: attempt.assessment_id,
                student_id: attempt.student_id,
                closed_as,
            });
        }
        tx.commit().await?;
        Ok(report)
    }
}

/// What [`Scope::regrade_assessment`] found (and, unless a dry run, wrote).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegradeReport {
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The version of the questions the attempts were scored against.
    pub questions_version: i32,
    /// How many finished attempts were scored again.
    pub attempts_regraded: usize,
    /// Each attempt whose points, score or pass changes, in student then attempt order.
    pub changes: Vec<RegradeChange>,
}

/// One attempt's result before and after a regrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegradeChange {
    /// The attempt.
    pub attempt_id: AttemptId,
    /// Its student.
    pub student_id: UserId,
    /// Its number.
    pub attempt_number: i32,
    /// Exact points before.
    pub old_points_earned: Points,
    /// Exact points after.
    pub new_points_earned: Points,
    /// Points available after.
    pub total_points: u32,
    /// Score before (`None` while essays were pending).
    pub old_score: Option<u32>,
    /// Score after.
    pub new_score: Option<u32>,
    /// Pass before.
    pub old_passed: Option<bool>,
    /// Pass after: a flip is `old_passed != new_passed`.
    pub new_passed: Option<bool>,
}

/// What [`Scope::close_overdue_attempts`] closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClosedAttempts {
    /// The attempts closed, oldest first.
    pub closed: Vec<ClosedAttempt>,
    /// Overdue attempts left alone because their student was busy (call again).
    pub busy: usize,
}

/// One attempt [`Scope::close_overdue_attempts`] closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedAttempt {
    /// The attempt.
    pub attempt_id: AttemptId,
    /// Its assessment.
    pub assessment_id: AssessmentId,
    /// Its student.
    pub student_id: UserId,
    /// Submitted or abandoned.
    pub closed_as: ClosedAs,
}

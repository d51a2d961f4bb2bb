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
use lms_core::attempts::{may_start, submission, AttemptRules, AttemptSummary, StartDecision};
use lms_core::documents::{Answer, Answers, Document, Feedback, QuestionSet};
use lms_core::model::*;
use lms_core::scoring::{self, Scored, ScoringPolicy};
use serde::Serialize;
use uuid::Uuid;

use crate::authoring::{
    assessment_course, assessment_with_keys, lesson, questions_for_actor, require_author,
};
use crate::error::{Error, Result};
use crate::learning::{
    enrollment, lock_progress, missing_prerequisites, not_enrolled_or, refresh_course_progress,
    require_published, student_of, ASSESSMENT_OWNER,
};
use crate::rows;
use crate::session::{Scope, Tx};

/// An attempt the student may work on now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StartedAttempt {
    /// The attempt row (answers saved so far; no score yet).
    pub attempt: AssessmentAttempt,
    /// The questions to show, without answer keys.
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
    /// The attempt row with its score, feedback and submission time.
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
}

async fn context(tx: &mut Tx, assessment: AssessmentId) -> Result<Context> {
    let student = student_of(tx)?;
    let course = match assessment_course(tx, assessment).await {
        Ok(c) => c,
        Err(e @ Error::NotFound { .. }) => {
            return Err(not_enrolled_or(tx, ASSESSMENT_OWNER, assessment.0, e).await?)
        }
        Err(e) => return Err(e),
    };
    lock_progress(tx, course, student).await?;
    enrollment(tx, student, course).await?;
    // only the lesson's chosen assessment or the course's final one takes attempts
    let open: bool = sqlx::query_scalar(
        "select exists (select 1 from public.lessons where assessment_id = $1) \
             or exists (select 1 from public.courses where final_assessment_id = $1)",
    )
    .bind(assessment.0)
    .fetch_one(tx.conn())
    .await?;
    if !open {
        return Err(Error::forbidden(format!(
            "assessment {assessment} is neither a lesson's assessment nor a final assessment"
        )));
    }
    let (lesson_id, max_attempts, time_limit, minimum_passing_score): (
        Option<Uuid>,
        Option<i32>,
        Option<i32>,
        i32,
    ) = sqlx::query_as(
        "select lesson_id, max_attempts, time_limit, minimum_passing_score \
         from public.assessments where id = $1",
    )
    .bind(assessment.0)
    .fetch_one(tx.conn())
    .await?;
    let missing = match lesson_id {
        Some(l) => {
            let l = lesson(tx, LessonId(l)).await?;
            require_published(&l)?;
            missing_prerequisites(tx, student, &l).await?
        }
        None => Vec::new(),
    };
    Ok(Context {
        student,
        course,
        rules: AttemptRules {
            max_attempts,
            time_limit_minutes: time_limit,
            ..AttemptRules::default()
        },
        minimum_passing_score,
        missing,
    })
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

/// Stores a graded result on the attempt (trusted path).
async fn store_result(
    tx: &mut Tx,
    attempt: AttemptId,
    answers: Option<&Answers>,
    scored: &Scored,
    time_spent_seconds: Option<i64>,
    submitted_at: Option<DateTime<Utc>>,
) -> Result<AssessmentAttempt> {
    let int = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let answers = answers.map(|a| rows::json("answers", a)).transpose()?;
    let feedback = rows::json("feedback", &scored.feedback)?;
    tx.trusted().await?;
    let sql = format!(
        "update public.assessment_attempts set \
           answers = coalesce($2, answers), score = $3, points_earned = $4, total_points = $5, \
           passed = $6, feedback = $7, time_spent = coalesce($8, time_spent), \
           submitted_at = coalesce($9, submitted_at) \
         where id = $1 returning {}",
        rows::ATTEMPT
    );
    let stored = rows::select::<AssessmentAttempt>(&sql)
        .bind(attempt.0)
        .bind(answers)
        .bind(scored.score.map(int))
        .bind(int(scored.points_earned))
        .bind(int(scored.total_points))
        .bind(scored.passed)
        .bind(feedback)
        .bind(time_spent_seconds.map(|s| i32::try_from(s).unwrap_or(i32::MAX)))
        .bind(submitted_at)
        .one(tx.conn())
        .await?;
    tx.set_actor_role().await?;
    Ok(stored)
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

/// Scores `kept` answers of an attempt against the assessment's questions and stores
/// the result with its submission time; a result answering no question only when
/// `allow_empty`.
#[allow(clippy::too_many_arguments)]
async fn grade_and_store(
    tx: &mut Tx,
    assessment: AssessmentId,
    attempt: &AssessmentAttempt,
    kept: &Answers,
    minimum_passing_score: i32,
    time_spent_seconds: i64,
    submitted_at: DateTime<Utc>,
    allow_empty: bool,
) -> Result<(AssessmentAttempt, Scored)> {
    let full = assessment_with_keys(tx, assessment).await?;
    let questions = QuestionSet::validate(&full.questions).map_err(lms_core::Error::from)?;
    let scored = scoring::score(
        &questions,
        kept,
        &ScoringPolicy::new(minimum_passing_score)?,
    )?;
    scored.ensure_answered(allow_empty)?;
    let stored = store_result(
        tx,
        attempt.id,
        Some(kept),
        &scored,
        Some(time_spent_seconds),
        Some(submitted_at),
    )
    .await?;
    Ok((stored, scored))
}

/// Keeps the answers saved in time and closes an expired open attempt, as submitted at
/// its deadline.
async fn close_expired(
    tx: &mut Tx,
    ctx: &Context,
    assessment: AssessmentId,
    open: &AssessmentAttempt,
    now: DateTime<Utc>,
) -> Result<()> {
    let saved = saved_answers(open)?;
    let verdict = lms_core::attempts::close_expired(
        &ctx.rules,
        open.started_at,
        now,
        saved
            .0
            .iter()
            .map(|(q, a)| (q.clone(), a.answered_at().unwrap_or(open.started_at))),
    )?;
    let kept = Answers(
        saved
            .0
            .into_iter()
            .filter(|(q, _)| verdict.kept.contains(q))
            .collect(),
    );
    grade_and_store(
        tx,
        assessment,
        open,
        &kept,
        ctx.minimum_passing_score,
        verdict.time_spent_seconds,
        verdict.submitted_at,
        true,
    )
    .await?;
    Ok(())
}

impl Scope {
    /// Starts (or resumes) the acting student's attempt at an assessment: the student
    /// must be enrolled, the assessment unlocked, and attempts left
    /// (`lms_core::attempts::may_start`). An open attempt whose time ran out is closed
    /// first, keeping what was saved in time.
    pub async fn start_attempt(&self, assessment: AssessmentId) -> Result<StartedAttempt> {
        let mut tx = self.begin().await?;
        let ctx = context(&mut tx, assessment).await?;
        let now = Utc::now();
        let mut closed = false;
        let started = loop {
            let previous = attempts_of(&mut tx, assessment, ctx.student).await?;
            let summaries: Vec<AttemptSummary> =
                previous.iter().map(AttemptSummary::from).collect();
            let decision = match may_start(&ctx.rules, &summaries, &ctx.missing, now) {
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
                    break StartedAttempt {
                        deadline: ctx.rules.deadline(attempt.started_at),
                        attempt,
                        questions: questions_for_actor(&mut tx, assessment).await?,
                        resumed: false,
                    };
                }
                StartDecision::Resume {
                    attempt_number,
                    deadline,
                } => {
                    let attempt = previous
                        .into_iter()
                        .find(|a| a.attempt_number == attempt_number)
                        .ok_or_else(|| Error::not_found("attempt", attempt_number))?;
                    break StartedAttempt {
                        attempt,
                        questions: questions_for_actor(&mut tx, assessment).await?,
                        deadline,
                        resumed: true,
                    };
                }
                StartDecision::CloseExpired { attempt_number, .. } if !closed => {
                    let open = previous
                        .iter()
                        .find(|a| a.attempt_number == attempt_number)
                        .ok_or_else(|| Error::not_found("attempt", attempt_number))?;
                    close_expired(&mut tx, &ctx, assessment, open, now).await?;
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
    pub async fn save_answers(
        &self,
        assessment: AssessmentId,
        answers: &serde_json::Value,
    ) -> Result<AssessmentAttempt> {
        let new = Answers::validate(answers).map_err(lms_core::Error::from)?;
        let mut tx = self.begin().await?;
        let ctx = context(&mut tx, assessment).await?;
        let now = Utc::now();
        let open = attempts_of(&mut tx, assessment, ctx.student)
            .await?
            .into_iter()
            .rev()
            .find(|a| a.submitted_at.is_none())
            .ok_or(lms_core::Error::AttemptNotStarted { assessment })?;
        if ctx
            .rules
            .cutoff(open.started_at)
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
        // answers must fit the questions (ids, kinds, options), as scoring will demand
        let full = assessment_with_keys(&mut tx, assessment).await?;
        let questions = QuestionSet::validate(&full.questions).map_err(lms_core::Error::from)?;
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
    pub async fn submit_attempt(
        &self,
        assessment: AssessmentId,
        answers: &serde_json::Value,
    ) -> Result<SubmittedAttempt> {
        self.submit_attempt_with(assessment, answers, SubmitOptions::default())
            .await
    }

    /// [`Scope::submit_attempt`] with options.
    pub async fn submit_attempt_with(
        &self,
        assessment: AssessmentId,
        answers: &serde_json::Value,
        options: SubmitOptions,
    ) -> Result<SubmittedAttempt> {
        let new = Answers::validate(answers).map_err(lms_core::Error::from)?;
        let mut tx = self.begin().await?;
        let ctx = context(&mut tx, assessment).await?;
        let now = Utc::now();
        let previous = attempts_of(&mut tx, assessment, ctx.student).await?;
        let summaries: Vec<AttemptSummary> = previous.iter().map(AttemptSummary::from).collect();
        let open = match may_start(&ctx.rules, &summaries, &ctx.missing, now)? {
            StartDecision::New { .. } if ctx.rules.time_limit_minutes.is_some() => {
                return Err(lms_core::Error::AttemptNotStarted { assessment }.into())
            }
            StartDecision::New { attempt_number } => {
                create_attempt(&mut tx, assessment, ctx.student, attempt_number, now).await?
            }
            StartDecision::Resume { attempt_number, .. }
            | StartDecision::CloseExpired { attempt_number, .. } => previous
                .into_iter()
                .find(|a| a.attempt_number == attempt_number)
                .ok_or_else(|| Error::not_found("attempt", attempt_number))?,
        };
        let saved = saved_answers(&open)?;
        let changed = changed_answers(&saved, &new);
        // after the cutoff nothing sent now counts: the answers saved in time stand
        let late = ctx
            .rules
            .cutoff(open.started_at)
            .is_some_and(|cutoff| now > cutoff);
        let merged = if late {
            saved
        } else {
            merge_answers(&saved, new, now)
        };
        let verdict = submission(
            &ctx.rules,
            open.started_at,
            now,
            merged
                .0
                .iter()
                .map(|(q, a)| (q.clone(), a.answered_at().unwrap_or(now))),
        )?;
        let kept = Answers(
            merged
                .0
                .into_iter()
                .filter(|(q, _)| verdict.kept.contains(q))
                .collect(),
        );
        let (attempt, scored) = grade_and_store(
            &mut tx,
            assessment,
            &open,
            &kept,
            ctx.minimum_passing_score,
            verdict.time_spent_seconds,
            verdict.submitted_at,
            options.allow_empty || late,
        )
        .await?;
        let refreshed = refresh_course_progress(&mut tx, ctx.student, ctx.course, None).await?;
        tx.commit().await?;
        let mut dropped = verdict.dropped;
        if late {
            dropped.extend(changed);
            dropped.sort();
            dropped.dedup();
        }
        Ok(SubmittedAttempt {
            attempt,
            late: verdict.late,
            dropped_answers: dropped,
            pending_review: scored.pending_review().map(str::to_owned).collect(),
            unlocked_lessons: refreshed.unlocked,
            course_completed: refreshed.course_completed,
        })
    }

    /// The acting student's attempts at an assessment, in order.
    pub async fn my_attempts(&self, assessment: AssessmentId) -> Result<Vec<AssessmentAttempt>> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let list = attempts_of(&mut tx, assessment, student).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Grades one essay of a submitted attempt (the course's instructor, an admin or the
    /// service): `points` in `0..=` the question's points, an optional comment. Once no
    /// essay is pending, the attempt's score and pass are final and the student's
    /// progress is updated.
    pub async fn grade_essay(
        &self,
        attempt_id: AttemptId,
        question_id: &str,
        points: u32,
        comment: Option<&str>,
    ) -> Result<AssessmentAttempt> {
        rows::Texts::of("grade")
            .one("question_id", Some(question_id))
            .one("comment", comment)
            .check()?;
        let mut tx = self.begin().await?;
        let seen = attempt_by_id(&mut tx, attempt_id).await?;
        let course = assessment_course(&mut tx, seen.assessment_id).await?;
        require_author(&mut tx, course).await?;
        // one grader at a time per student and course; read the attempt again under it
        lock_progress(&mut tx, course, seen.student_id).await?;
        let attempt = attempt_by_id(&mut tx, attempt_id).await?;
        if attempt.submitted_at.is_none() {
            return Err(Error::Conflict {
                reason: format!("attempt {attempt_id} is not submitted yet"),
            });
        }
        let feedback = attempt.feedback.clone().ok_or_else(|| Error::Conflict {
            reason: format!("attempt {attempt_id} has no feedback to grade"),
        })?;
        let feedback = Feedback::validate(&feedback).map_err(lms_core::Error::from)?;
        let graded = scoring::grade_essay(
            &Scored::from_feedback(feedback),
            question_id,
            points,
            comment,
        )?;
        let stored = store_result(&mut tx, attempt_id, None, &graded, None, None).await?;
        refresh_course_progress(&mut tx, attempt.student_id, course, None).await?;
        tx.commit().await?;
        Ok(stored)
    }
}

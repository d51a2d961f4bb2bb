//! May a student start an attempt, which answers of a timed attempt count, what becomes
//! of an overdue attempt, and which grade stands for an assessment attempted several
//! times.
//!
//! Every function here is pure: `lms-db` loads the assessment and the student's previous
//! attempts, calls the rule, and writes the outcome.
//!
//! * [`AttemptPolicy`] is what an assessment stores about its attempts (grading method,
//!   retakes, delays, overdue handling); [`AttemptRules`] adds the attempt limit and the
//!   time limit.
//! * [`may_start`] decides whether a new attempt may start ([`StartDecision`]).
//! * [`submission`] applies the time limit to a submission ([`TimeLimitPolicy`]);
//!   [`close_expired`] closes an attempt whose time ran out ([`Closing`]).
//! * [`grade_attempts`] combines the attempts into the assessment's grade
//!   ([`GradingMethod`], [`AssessmentGrade`]); [`grade`] does it for bare scores.

use chrono::{DateTime, Duration, Utc};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::delivery::{late_seconds, LatePolicy, ReviewOptions, Schedule};
use crate::documents::{Points, Problems};
use crate::model::{Assessment, AssessmentAttempt, LessonId};
use crate::{Error, Result};

/// Default grace after a time limit: absorbs network latency and clock skew between
/// browser and server (Moodle's minimum grace is a minute; Open edX has none).
pub const DEFAULT_GRACE_SECONDS: i64 = 30;

/// The longest grace an assessment may give: a day.
pub const MAX_GRACE_SECONDS: i64 = 86_400;

/// The longest delay between attempts: a year.
pub const MAX_DELAY_SECONDS: i64 = 366 * 86_400;

/// Whether a student who already passed may attempt the assessment again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetakePolicy {
    /// A passed assessment may be retaken while attempts remain, as in Moodle. The
    /// default.
    #[default]
    Allow,
    /// Once passed, no further attempt may start ([`Error::AlreadyPassed`]).
    Forbid,
}

/// What happens to a timed attempt after its time limit (Moodle's "when time expires").
/// The cutoff is `deadline + grace_seconds`. A late submission is never silently
/// accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimitPolicy {
    /// Open attempts are submitted automatically: answers saved up to the cutoff count,
    /// a later submission or the attempt's closing records it as submitted at its
    /// deadline. The default, as in Moodle.
    #[default]
    Autosubmit,
    /// There is a grace period in which an open attempt may still be submitted, but no
    /// more answered: answers saved after the deadline do not count; an attempt not
    /// submitted by the cutoff is abandoned (never graded).
    GracePeriod,
    /// Attempts must be submitted before time expires (plus the grace, for latency), or
    /// they are abandoned (never graded).
    Abandon,
    /// A submission after the cutoff is refused with [`Error::TimeLimitExceeded`]; an
    /// attempt closed after it keeps what was saved in time, submitted at its deadline.
    Reject,
}

/// How the attempts combine into the assessment's grade (Moodle's grading methods).
/// Only finished, graded attempts count: an abandoned attempt never does, one with an
/// essay awaiting its grade is "no grade yet".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GradingMethod {
    /// The best graded attempt. The default.
    #[default]
    Highest,
    /// The first finished attempt; no grade while it awaits grading (the next attempt
    /// does not stand in for it).
    First,
    /// The last finished attempt; no grade while it awaits grading.
    Last,
    /// The mean of the graded attempts' exact percentages.
    Average,
}

/// What an assessment stores about its attempts (the `assessments` columns of the same
/// names). A field left out of its JSON takes its default: highest grade, retakes
/// allowed, no delays, auto-submit with [`DEFAULT_GRACE_SECONDS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AttemptPolicy {
    /// How several attempts combine into one grade.
    pub grading_method: GradingMethod,
    /// Whether a passed assessment may be retaken.
    pub retake_policy: RetakePolicy,
    /// Seconds to wait after the first attempt before the second (Moodle's "enforced
    /// delay between 1st and 2nd attempts", Open edX's `submission_wait_seconds`).
    #[schemars(range(min = 0, max = MAX_DELAY_SECONDS))]
    pub attempt_delay_seconds: i64,
    /// Seconds to wait after each later attempt before the next (Moodle's "between
    /// later attempts").
    #[schemars(range(min = 0, max = MAX_DELAY_SECONDS))]
    pub later_attempt_delay_seconds: i64,
    /// What happens after the time limit (overdue handling).
    pub time_limit_policy: TimeLimitPolicy,
    /// Seconds after the time limit: tolerance for latency, or the grace period of
    /// [`TimeLimitPolicy::GracePeriod`]; at most a day.
    #[schemars(range(min = 0, max = MAX_GRACE_SECONDS))]
    pub grace_seconds: i64,
    /// Each attempt shows the questions in its own order, kept when it is resumed
    /// ([`crate::delivery::arrange`]).
    pub shuffle_questions: bool,
    /// Each attempt shows the options of its choice questions in its own order.
    pub shuffle_options: bool,
    /// Each attempt draws this many of the assessment's questions at random (its pool),
    /// its own draw, kept when it is resumed; scored, reviewed and analysed on those
    /// only. `None`: every question. At least 1, at most the number of questions
    /// ([`crate::delivery::arrange`]).
    #[schemars(range(min = 1, max = crate::documents::limits::MAX_QUESTIONS))]
    pub draw_questions: Option<u32>,
    /// What a student sees of their finished attempts, and from when (flattened in
    /// JSON: `review_score`, `review_correctness`, `review_feedback`, `review_answers`).
    #[serde(flatten)]
    pub review: ReviewOptions,
}

impl Default for AttemptPolicy {
    fn default() -> Self {
        Self {
            grading_method: GradingMethod::default(),
            retake_policy: RetakePolicy::default(),
            attempt_delay_seconds: 0,
            later_attempt_delay_seconds: 0,
            time_limit_policy: TimeLimitPolicy::default(),
            grace_seconds: DEFAULT_GRACE_SECONDS,
            shuffle_questions: false,
            shuffle_options: false,
            draw_questions: None,
            review: ReviewOptions::default(),
        }
    }
}

impl AttemptPolicy {
    /// Checks the ranges: delays in `0..=`[`MAX_DELAY_SECONDS`], grace in
    /// `0..=`[`MAX_GRACE_SECONDS`]; every problem is an [`Error::InvalidDocument`] of
    /// the `assessment` document at the field's path.
    pub fn check(&self) -> Result<()> {
        let mut problems = Problems::default();
        for (field, value, max) in [
            (
                "attempt_delay_seconds",
                self.attempt_delay_seconds,
                MAX_DELAY_SECONDS,
            ),
            (
                "later_attempt_delay_seconds",
                self.later_attempt_delay_seconds,
                MAX_DELAY_SECONDS,
            ),
            ("grace_seconds", self.grace_seconds, MAX_GRACE_SECONDS),
        ] {
            if !(0..=max).contains(&value) {
                problems.push(
                    &format!("/{field}"),
                    format!("must be in 0..={max}, not {value}"),
                );
            }
        }
        if self.draw_questions == Some(0) {
            problems.push("/draw_questions", "must draw at least 1 question");
        }
        problems.into_result("assessment")
    }
}

/// The attempt rules of one assessment: its limits and its [`AttemptPolicy`] (flattened
/// in JSON). A field left out of its JSON takes its default (unlimited, untimed, the
/// policy's defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AttemptRules {
    /// Maximum number of attempts; `None` means unlimited.
    pub max_attempts: Option<i32>,
    /// Time limit in minutes; `None` means untimed.
    pub time_limit_minutes: Option<i32>,
    /// Grading, retakes, delays, overdue handling.
    #[serde(flatten)]
    pub policy: AttemptPolicy,
    /// Open, close and due times (flattened in JSON).
    #[serde(flatten)]
    pub schedule: Schedule,
    /// What late work is worth: the assessment's late policy, else its course's; `None`
    /// when neither has one (late work is marked late, nothing is deducted).
    pub late_policy: Option<LatePolicy>,
}

impl AttemptRules {
    /// The rules of an assessment row (its own late policy only: the course's, which
    /// applies when it has none, is not in the row).
    pub fn from_assessment(assessment: &Assessment) -> Self {
        Self {
            max_attempts: assessment.max_attempts,
            time_limit_minutes: assessment.time_limit_minutes,
            policy: assessment.policy.clone(),
            schedule: assessment.schedule,
            late_policy: assessment.late_policy,
        }
    }

    /// When an attempt started at `started_at` must be submitted (grace not included):
    /// the earlier of start + time limit and the close time; `None` when untimed and
    /// never closing.
    pub fn deadline(&self, started_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let limit = self
            .time_limit_minutes
            .map(|m| started_at + Duration::minutes(i64::from(m.max(0))));
        match (limit, self.schedule.closes_at) {
            (Some(l), Some(c)) => Some(l.min(c)),
            (l, c) => l.or(c),
        }
    }

    /// The last instant a submission is accepted: deadline plus grace; `None` without a
    /// deadline.
    pub fn cutoff(&self, started_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.deadline(started_at)
            .map(|d| d + Duration::seconds(self.policy.grace_seconds.clamp(0, MAX_GRACE_SECONDS)))
    }

    /// The last instant an answer may be saved and count: under
    /// [`TimeLimitPolicy::GracePeriod`], whose grace is for submitting only, the deadline
    /// plus at most [`DEFAULT_GRACE_SECONDS`] of latency; else the cutoff. `None` without
    /// a deadline. (The database shows a student the questions of a timed or closing
    /// assessment until the same instant.)
    pub fn answer_cutoff(&self, started_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.policy.time_limit_policy {
            TimeLimitPolicy::GracePeriod => self.deadline(started_at).map(|d| {
                d + Duration::seconds(self.policy.grace_seconds.clamp(0, DEFAULT_GRACE_SECONDS))
            }),
            _ => self.cutoff(started_at),
        }
    }

    /// The delay before attempt `next` (2 for the second): the first delay before the
    /// second attempt, the later delay before each after it, 0 before the first.
    pub fn delay_before(&self, next: i32) -> i64 {
        match next {
            ..=1 => 0,
            2 => self.policy.attempt_delay_seconds,
            _ => self.policy.later_attempt_delay_seconds,
        }
        .clamp(0, MAX_DELAY_SECONDS)
    }
}

/// What the attempt rules need to know about one previous attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AttemptSummary {
    /// 1 for the first attempt.
    pub attempt_number: i32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it was submitted; `None` while in progress (or abandoned).
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was abandoned (overdue, never submitted); such an attempt counts towards
    /// the limit but is never graded.
    #[serde(default)]
    pub abandoned_at: Option<DateTime<Utc>>,
    /// Score 0–100; `None` until graded.
    pub score: Option<i32>,
    /// Whether it passed; `None` until graded.
    pub passed: Option<bool>,
    /// The exact points earned, once graded (what averages are computed from; without
    /// it, `score` stands for the percentage).
    #[serde(default)]
    pub points_earned: Option<Points>,
    /// The points available.
    #[serde(default)]
    pub total_points: Option<u32>,
}

impl AttemptSummary {
    /// Whether the attempt is open: neither submitted nor abandoned.
    pub fn is_open(&self) -> bool {
        self.submitted_at.is_none() && self.abandoned_at.is_none()
    }

    /// When it ended: submitted or abandoned.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.submitted_at.or(self.abandoned_at)
    }

    /// The exact fraction of the points earned (0..=1), once graded.
    fn fraction(&self) -> Option<BigRational> {
        self.graded_part()
            .map(|(total, earned)| fraction_of(total, earned))
    }

    /// Whether it was finished: submitted and not abandoned.
    fn finished(&self) -> bool {
        self.submitted_at.is_some() && self.abandoned_at.is_none()
    }

    /// The points total its fraction is of ([`FractionSum::total_points`]), and the
    /// earned part of it; `None` until graded.
    fn graded_part(&self) -> Option<(Option<u32>, u128)> {
        let score = self.score?;
        Some(match (self.points_earned, self.total_points) {
            (Some(earned), Some(total)) if total > 0 => (
                Some(total),
                u128::from(earned.micros().min(Points::whole(total).micros())),
            ),
            _ => (None, u128::from(score.clamp(0, 100).unsigned_abs())),
        })
    }
}

/// `earned` as a fraction of `total` points (`earned` in millionths of a point), or of
/// 100 without a total (`earned` a score): an attempt's fraction, or a [`FractionSum`]'s.
fn fraction_of(total: Option<u32>, earned: u128) -> BigRational {
    let denominator = match total {
        Some(total) => BigInt::from(Points::whole(total).micros()),
        None => BigInt::from(100),
    };
    BigRational::new(BigInt::from(earned), denominator)
}

impl From<&AssessmentAttempt> for AttemptSummary {
    fn from(a: &AssessmentAttempt) -> Self {
        Self {
            attempt_number: a.attempt_number,
            started_at: a.started_at,
            submitted_at: a.submitted_at,
            abandoned_at: a.abandoned_at,
            score: a.score,
            passed: a.passed,
            points_earned: a.exact_points_earned,
            total_points: a.total_points.and_then(|t| u32::try_from(t).ok()),
        }
    }
}

/// The outcome of [`may_start`] when the student may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StartDecision {
    /// Create a new attempt with this number.
    New {
        /// The number of the attempt to create (previous highest + 1).
        attempt_number: i32,
    },
    /// An attempt is open and still within its time: continue it, create nothing.
    /// Starting is idempotent, so a reloaded page gets its attempt back.
    Resume {
        /// The open attempt.
        attempt_number: i32,
        /// Its deadline (grace not included); `None` without one.
        deadline: Option<DateTime<Utc>>,
    },
    /// An attempt is open but its time ran out. Close it first with [`close_expired`]
    /// (and score what it keeps, or abandon it), then call [`may_start`] again.
    CloseExpired {
        /// The expired open attempt.
        attempt_number: i32,
        /// Its deadline (grace not included).
        deadline: DateTime<Utc>,
    },
}

/// May the student start (or resume) an attempt now?
///
/// `previous` are all of this student's attempts at this assessment, in any order.
/// `missing_prerequisites` are the lessons that must be completed before the assessment
/// unlocks (empty when unlocked; see [`crate::prerequisites::Graph::missing`]).
///
/// Checks, in this order:
/// 1. missing prerequisites → [`Error::PrerequisitesUnmet`];
/// 2. an open attempt → [`StartDecision::Resume`] while within deadline plus grace,
///    else [`StartDecision::CloseExpired`];
/// 3. before the open time → [`Error::AssessmentNotOpen`]; after the close time →
///    [`Error::AssessmentClosed`];
/// 4. a passed attempt under [`RetakePolicy::Forbid`] → [`Error::AlreadyPassed`];
/// 5. the next number above `max_attempts` (abandoned attempts count) →
///    [`Error::AttemptLimitReached`];
/// 6. the delay before the next attempt (counted from when the last one ended) not
///    over → [`Error::AttemptTooSoon`] with the time it is;
/// 7. otherwise [`StartDecision::New`] with the highest previous number + 1.
pub fn may_start(
    rules: &AttemptRules,
    previous: &[AttemptSummary],
    missing_prerequisites: &[LessonId],
    now: DateTime<Utc>,
) -> Result<StartDecision> {
    if !missing_prerequisites.is_empty() {
        return Err(Error::PrerequisitesUnmet {
            missing: missing_prerequisites.to_vec(),
        });
    }
    let open = previous
        .iter()
        .filter(|a| a.is_open())
        .max_by_key(|a| a.attempt_number);
    if let Some(open) = open {
        let deadline = rules.deadline(open.started_at);
        return Ok(match (deadline, rules.cutoff(open.started_at)) {
            (Some(deadline), Some(cutoff)) if now > cutoff => StartDecision::CloseExpired {
                attempt_number: open.attempt_number,
                deadline,
            },
            _ => StartDecision::Resume {
                attempt_number: open.attempt_number,
                deadline,
            },
        });
    }
    if let Some(opens_at) = rules
        .schedule
        .opens_at
        .filter(|_| rules.schedule.not_open_yet(now))
    {
        return Err(Error::AssessmentNotOpen { opens_at });
    }
    if let Some(closed_at) = rules
        .schedule
        .closes_at
        .filter(|_| rules.schedule.closed(now))
    {
        return Err(Error::AssessmentClosed { closed_at });
    }
    if rules.policy.retake_policy == RetakePolicy::Forbid
        && previous.iter().any(|a| a.passed == Some(true))
    {
        return Err(Error::AlreadyPassed);
    }
    let highest = previous
        .iter()
        .map(|a| a.attempt_number)
        .max()
        .unwrap_or(0)
        .max(0);
    let next = highest.saturating_add(1);
    if let Some(max) = rules.max_attempts {
        if next > max {
            return Err(Error::AttemptLimitReached { max });
        }
    }
    let delay = rules.delay_before(next);
    let last_ended = previous
        .iter()
        .max_by_key(|a| a.attempt_number)
        .and_then(AttemptSummary::ended_at);
    if let Some(ended) = last_ended.filter(|_| delay > 0) {
        let available_at = ended + Duration::seconds(delay);
        if now < available_at {
            return Err(Error::AttemptTooSoon {
                available_at,
                delay_seconds: delay,
            });
        }
    }
    Ok(StartDecision::New {
        attempt_number: next,
    })
}

/// The time-limit verdict on one submission: which answers count and when the attempt
/// counts as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission<K> {
    /// Answers that count, in input order.
    pub kept: Vec<K>,
    /// Answers saved after they could count ([`AttemptRules::answer_cutoff`]), in input
    /// order; they must not be scored.
    pub dropped: Vec<K>,
    /// Whether the submission came after deadline plus grace (only possible under
    /// [`TimeLimitPolicy::Autosubmit`]).
    pub late: bool,
    /// The `submitted_at` to store: the real time, or the deadline when late, so that
    /// time spent never exceeds the limit.
    pub submitted_at: DateTime<Utc>,
    /// Seconds from start to the stored `submitted_at` (`time_spent`), at most the limit.
    pub time_spent_seconds: i64,
    /// Seconds after the due time of the stored `submitted_at`
    /// ([`crate::delivery::late_seconds`]); `None` when on time or without a due time.
    pub past_due_seconds: Option<i64>,
}

/// Apply the time limit to a submission.
///
/// `answers` pairs any key (a question id, an index…) with the time the answer was saved;
/// the answer document type stays the caller's. Without a deadline (untimed, never
/// closing) everything is kept. With one ([`AttemptRules::deadline`]: the time limit or
/// the close time), answers saved after [`AttemptRules::answer_cutoff`] are always
/// dropped; a submission after the cutoff (deadline + grace) is, under
/// [`TimeLimitPolicy::Autosubmit`], recorded as submitted at the deadline, and under the
/// other policies refused with [`Error::TimeLimitExceeded`] (the attempt is then
/// [`close_expired`]: abandoned, or kept as saved for [`TimeLimitPolicy::Reject`]). A
/// submission before the start is [`Error::InvalidInput`].
pub fn submission<K>(
    rules: &AttemptRules,
    started_at: DateTime<Utc>,
    submitted_at: DateTime<Utc>,
    answers: impl IntoIterator<Item = (K, DateTime<Utc>)>,
) -> Result<Submission<K>> {
    if submitted_at < started_at {
        return Err(Error::InvalidInput {
            field: "submitted_at",
            reason: format!("{submitted_at} is before the attempt started at {started_at}"),
        });
    }
    let (deadline, cutoff, answer_cutoff) = match (
        rules.deadline(started_at),
        rules.cutoff(started_at),
        rules.answer_cutoff(started_at),
    ) {
        (Some(d), Some(c), Some(a)) => (d, c, a),
        _ => {
            return Ok(Submission {
                kept: answers.into_iter().map(|(k, _)| k).collect(),
                dropped: Vec::new(),
                late: false,
                submitted_at,
                time_spent_seconds: (submitted_at - started_at).num_seconds(),
                past_due_seconds: late_seconds(rules.schedule.due_at, submitted_at),
            })
        }
    };
    let late = submitted_at > cutoff;
    if late && rules.policy.time_limit_policy != TimeLimitPolicy::Autosubmit {
        return Err(Error::TimeLimitExceeded {
            limit_minutes: rules.time_limit_minutes.unwrap_or_default(),
            deadline,
            submitted_at,
        });
    }
    let (kept, dropped): (Vec<_>, Vec<_>) = answers
        .into_iter()
        .partition(|(_, at)| *at <= answer_cutoff);
    let stored = if late { deadline } else { submitted_at };
    Ok(Submission {
        kept: kept.into_iter().map(|(k, _)| k).collect(),
        dropped: dropped.into_iter().map(|(k, _)| k).collect(),
        late,
        submitted_at: stored,
        time_spent_seconds: (stored.min(deadline) - started_at).num_seconds(),
        past_due_seconds: late_seconds(rules.schedule.due_at, stored),
    })
}

/// What becomes of an attempt whose time ran out without a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closing<K> {
    /// Score what was saved in time and store it as submitted at the deadline
    /// ([`TimeLimitPolicy::Autosubmit`], [`TimeLimitPolicy::Reject`]).
    Submit(Submission<K>),
    /// Abandon it, never graded ([`TimeLimitPolicy::GracePeriod`],
    /// [`TimeLimitPolicy::Abandon`]).
    Abandon {
        /// When it became abandoned: its cutoff.
        abandoned_at: DateTime<Utc>,
    },
}

/// Close an attempt whose time ran out without a submission (see
/// [`StartDecision::CloseExpired`]), by the overdue handling: auto-submit (answers saved
/// up to the cutoff count, submitted at its deadline) or abandon. Under
/// [`TimeLimitPolicy::Reject`], which refuses a late *submission request*, what the
/// student saved in time is still theirs: it is submitted. An attempt without a
/// deadline, or still running, is [`Error::InvalidInput`].
pub fn close_expired<K>(
    rules: &AttemptRules,
    started_at: DateTime<Utc>,
    now: DateTime<Utc>,
    answers: impl IntoIterator<Item = (K, DateTime<Utc>)>,
) -> Result<Closing<K>> {
    match rules.cutoff(started_at) {
        Some(cutoff) if now > cutoff => match rules.policy.time_limit_policy {
            TimeLimitPolicy::GracePeriod | TimeLimitPolicy::Abandon => Ok(Closing::Abandon {
                abandoned_at: cutoff,
            }),
            TimeLimitPolicy::Autosubmit | TimeLimitPolicy::Reject => {
                let mut autosubmit = rules.clone();
                autosubmit.policy.time_limit_policy = TimeLimitPolicy::Autosubmit;
                submission(&autosubmit, started_at, now, answers).map(Closing::Submit)
            }
        },
        _ => Err(Error::InvalidInput {
            field: "now",
            reason: "the attempt has no deadline or its time has not run out".to_owned(),
        }),
    }
}

/// Combine bare scores (0–100, clamped), given in attempt order.
///
/// [`GradingMethod::Average`] is the exact mean rounded down (70 and 75 give 72), as
/// every integer grade. `None` when there is no score. [`grade_attempts`] grades real
/// attempts, from their exact points.
pub fn grade(method: GradingMethod, scores: &[i32]) -> Option<i32> {
    let mut clamped = scores.iter().map(|s| (*s).clamp(0, 100));
    match method {
        GradingMethod::Highest => clamped.max(),
        GradingMethod::First => clamped.next(),
        GradingMethod::Last => clamped.next_back(),
        GradingMethod::Average => {
            let n = i64::try_from(scores.len()).ok().filter(|n| *n > 0)?;
            let sum: i64 = clamped.map(i64::from).sum();
            i32::try_from(sum / n).ok()
        }
    }
}

/// An assessment's grade from its attempts ([`grade_attempts`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssessmentGrade {
    /// The grade 0–100, the exact percentage rounded down (`student_progress.best_score`
    /// under every method); `None` when there is none yet.
    pub score: Option<i32>,
    /// The exact percentage as a float, for display.
    pub percentage: Option<f64>,
    /// Whether the exact percentage reaches the passing score; `None` without a grade.
    pub passed: Option<bool>,
    /// The attempt the grade is (highest, first, last); `None` for an average or
    /// without a grade.
    pub attempt_number: Option<i32>,
    /// Whether the grade waits for an essay to be graded (first/last on an attempt
    /// pending review, or no other graded attempt).
    pub pending_review: bool,
}

/// What the attempt rules need of a student's attempts at one assessment, however many
/// there are: how many, the few attempts a rule may single out, and the sums an average
/// is made of. [`AttemptHistory::of`] reduces a list; the database computes the same
/// reduction in SQL (lms-db), so that deciding on a start or a grade never reads the
/// whole history. [`may_start`] on [`AttemptHistory::picks`] decides as on the whole
/// list, and [`grade_history`] grades as [`grade_attempts`] does (property-tested).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AttemptHistory {
    /// How many attempts there are (open, abandoned and finished).
    pub attempts: u32,
    /// The attempts a rule may single out, by number, each once: every open one, the
    /// last one, the first and last finished, the first passed, and the best graded one
    /// of each points total (the first of equals), counting attempts graded without
    /// exact points as one more total. (A grade waits for review only when no finished
    /// attempt is graded: then the first finished one is such an attempt.)
    pub picks: Vec<AttemptSummary>,
    /// The graded finished attempts' fractions of the points, summed by points total.
    pub sums: Vec<FractionSum>,
}

/// The graded finished attempts with one points total, summed ([`AttemptHistory::sums`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FractionSum {
    /// The points total; `None` for attempts graded without exact points, whose
    /// fraction is their score out of 100.
    pub total_points: Option<u32>,
    /// The sum of the earned millionths of a point (each at most the total), or of the
    /// scores (0–100) when `total_points` is `None`.
    pub earned: u128,
    /// How many attempts.
    pub count: u64,
}

impl FractionSum {
    /// The sum of the fractions: `earned / (total in millionths)` or `earned / 100`.
    fn fractions(&self) -> BigRational {
        fraction_of(self.total_points, self.earned)
    }

    /// Adds one attempt's graded part ([`AttemptSummary::graded_part`]) to the sum of its
    /// points total in `sums`, kept in order of total.
    fn add(sums: &mut Vec<FractionSum>, total_points: Option<u32>, earned: u128) {
        match sums.iter_mut().find(|s| s.total_points == total_points) {
            Some(sum) => {
                sum.earned += earned;
                sum.count += 1;
            }
            None => {
                sums.push(FractionSum {
                    total_points,
                    earned,
                    count: 1,
                });
                sums.sort_by_key(|s| s.total_points);
            }
        }
    }
}

impl AttemptHistory {
    /// The history of these attempts (any order, of one student at one assessment).
    pub fn of(attempts: &[AttemptSummary]) -> Self {
        let mut sorted: Vec<&AttemptSummary> = attempts.iter().collect();
        sorted.sort_by_key(|a| a.attempt_number);
        let finished = || sorted.iter().copied().filter(|a| a.finished());
        let mut picks: Vec<&AttemptSummary> =
            sorted.iter().copied().filter(|a| a.is_open()).collect();
        picks.extend(sorted.last().copied());
        picks.extend(finished().next());
        picks.extend(finished().next_back());
        picks.extend(sorted.iter().copied().find(|a| a.passed == Some(true)));
        let mut sums: Vec<FractionSum> = Vec::new();
        let mut best: Vec<(Option<u32>, u128, &AttemptSummary)> = Vec::new();
        for a in finished() {
            let Some((total, earned)) = a.graded_part() else {
                continue;
            };
            FractionSum::add(&mut sums, total, earned);
            // in number order: a later attempt replaces the best only when higher
            match best.iter_mut().find(|b| b.0 == total) {
                Some(b) if earned > b.1 => *b = (total, earned, a),
                Some(_) => {}
                None => best.push((total, earned, a)),
            }
        }
        picks.extend(best.iter().map(|b| b.2));
        picks.sort_by_key(|a| a.attempt_number);
        picks.dedup_by_key(|a| a.attempt_number);
        AttemptHistory {
            attempts: u32::try_from(attempts.len()).unwrap_or(u32::MAX),
            picks: picks.into_iter().cloned().collect(),
            sums,
        }
    }

    /// Whether any attempt was submitted.
    pub fn any_submitted(&self) -> bool {
        self.picks.iter().any(|a| a.submitted_at.is_some())
    }

    /// The history after `attempt` was written: a new attempt, or one that was open in
    /// this history (submitted or abandoned since). Equal to [`AttemptHistory::of`] the
    /// whole list with it (property-tested), without reading the list again. Not for an
    /// attempt graded before (a regrade): its old share of the sums is not known here.
    pub fn with(&self, attempt: &AttemptSummary) -> AttemptHistory {
        let replaced = self
            .picks
            .iter()
            .any(|a| a.attempt_number == attempt.attempt_number);
        let mut list: Vec<AttemptSummary> = self
            .picks
            .iter()
            .filter(|a| a.attempt_number != attempt.attempt_number)
            .cloned()
            .collect();
        list.push(attempt.clone());
        let mut next = AttemptHistory::of(&list);
        next.attempts = self.attempts.saturating_add(u32::from(!replaced));
        next.sums = self.sums.clone();
        if let Some((total, earned)) = attempt.finished().then(|| attempt.graded_part()).flatten() {
            FractionSum::add(&mut next.sums, total, earned);
        }
        next
    }
}

/// The grade of an assessment from its attempts (any order), by `method`, with
/// Moodle's semantics: only finished attempts count (abandoned and open ones never do);
/// highest and average use the graded ones; first and last take the first or last
/// finished attempt and give no grade while it awaits essay grading. Averages are
/// computed from the attempts' exact points ([`AttemptSummary::points_earned`]).
/// `passed` compares the exact percentage with `minimum_passing_score`.
pub fn grade_attempts(
    method: GradingMethod,
    attempts: &[AttemptSummary],
    minimum_passing_score: u32,
) -> AssessmentGrade {
    grade_history(method, &AttemptHistory::of(attempts), minimum_passing_score)
}

/// [`grade_attempts`] from an [`AttemptHistory`].
pub fn grade_history(
    method: GradingMethod,
    history: &AttemptHistory,
    minimum_passing_score: u32,
) -> AssessmentGrade {
    let mut finished: Vec<&AttemptSummary> =
        history.picks.iter().filter(|a| a.finished()).collect();
    finished.sort_by_key(|a| a.attempt_number);
    let graded = || finished.iter().filter_map(|a| a.fraction().map(|f| (a, f)));
    let mut pending = finished.iter().any(|a| a.score.is_none());
    let (fraction, attempt) = match method {
        GradingMethod::Highest => match graded().max_by(|x, y| {
            // the highest fraction; of equals, the first attempt
            x.1.cmp(&y.1)
                .then(y.0.attempt_number.cmp(&x.0.attempt_number))
        }) {
            Some((a, f)) => (Some(f), Some(a.attempt_number)),
            None => (None, None),
        },
        GradingMethod::First | GradingMethod::Last => {
            let chosen = if method == GradingMethod::First {
                finished.first()
            } else {
                finished.last()
            };
            pending = chosen.is_some_and(|a| a.score.is_none());
            match chosen {
                Some(a) => (a.fraction(), Some(a.attempt_number)),
                None => (None, None),
            }
        }
        GradingMethod::Average => {
            let n: u64 = history.sums.iter().map(|s| s.count).sum();
            if n == 0 {
                (None, None)
            } else {
                let sum = history
                    .sums
                    .iter()
                    .fold(BigRational::zero(), |acc, s| acc + s.fractions());
                (Some(sum / BigRational::from_integer(BigInt::from(n))), None)
            }
        }
    };
    let Some(fraction) = fraction else {
        return AssessmentGrade {
            score: None,
            percentage: None,
            passed: None,
            attempt_number: attempt,
            pending_review: pending,
        };
    };
    let hundred = BigRational::from_integer(BigInt::from(100));
    let percent = &fraction * &hundred;
    AssessmentGrade {
        score: percent
            .floor()
            .to_integer()
            .to_i32()
            .map(|s| s.clamp(0, 100)),
        percentage: percent.to_f64(),
        passed: Some(percent >= BigRational::from_integer(BigInt::from(minimum_passing_score))),
        attempt_number: attempt,
        pending_review: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn t(min: i64, sec: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap()
            + Duration::minutes(min)
            + Duration::seconds(sec)
    }

    fn att(n: i32, submitted: bool, passed: Option<bool>) -> AttemptSummary {
        AttemptSummary {
            attempt_number: n,
            started_at: t(0, 0),
            submitted_at: submitted.then(|| t(5, 0)),
            abandoned_at: None,
            score: passed.map(|p| if p { 90 } else { 40 }),
            passed,
            points_earned: None,
            total_points: None,
        }
    }

    fn rules(max: Option<i32>, limit: Option<i32>, retake: RetakePolicy) -> AttemptRules {
        AttemptRules {
            max_attempts: max,
            time_limit_minutes: limit,
            policy: AttemptPolicy {
                retake_policy: retake,
                ..AttemptPolicy::default()
            },
            ..AttemptRules::default()
        }
    }

    fn timed(policy: TimeLimitPolicy) -> AttemptRules {
        AttemptRules {
            time_limit_minutes: Some(10),
            policy: AttemptPolicy {
                time_limit_policy: policy,
                ..AttemptPolicy::default()
            },
            ..AttemptRules::default()
        }
    }

    #[test]
    fn may_start_table() {
        use RetakePolicy::{Allow, Forbid};
        let lesson = LessonId(Uuid::from_u128(7));
        let new = |n| Ok(StartDecision::New { attempt_number: n });
        #[allow(clippy::type_complexity)]
        let cases: Vec<(
            &str,
            AttemptRules,
            Vec<AttemptSummary>,
            Vec<LessonId>,
            i64,
            Result<StartDecision>,
        )> = vec![
            (
                "first attempt",
                rules(Some(3), None, Forbid),
                vec![],
                vec![],
                0,
                new(1),
            ),
            (
                "unlimited",
                rules(None, None, Forbid),
                (1..=50).map(|n| att(n, true, Some(false))).collect(),
                vec![],
                0,
                new(51),
            ),
            (
                "below limit",
                rules(Some(3), None, Forbid),
                vec![att(1, true, Some(false)), att(2, true, Some(false))],
                vec![],
                0,
                new(3),
            ),
            (
                "limit reached",
                rules(Some(2), None, Forbid),
                vec![att(1, true, Some(false)), att(2, true, Some(false))],
                vec![],
                0,
                Err(Error::AttemptLimitReached { max: 2 }),
            ),
            (
                "numbers with a gap",
                rules(None, None, Forbid),
                vec![att(1, true, None), att(4, true, None)],
                vec![],
                0,
                new(5),
            ),
            (
                "passed, retake forbidden",
                rules(None, None, Forbid),
                vec![att(1, true, Some(true))],
                vec![],
                0,
                Err(Error::AlreadyPassed),
            ),
            (
                "passed, retake allowed",
                rules(None, None, Allow),
                vec![att(1, true, Some(true))],
                vec![],
                0,
                new(2),
            ),
            (
                "passed, retake allowed, limit",
                rules(Some(1), None, Allow),
                vec![att(1, true, Some(true))],
                vec![],
                0,
                Err(Error::AttemptLimitReached { max: 1 }),
            ),
            (
                "locked",
                rules(None, None, Forbid),
                vec![],
                vec![lesson],
                0,
                Err(Error::PrerequisitesUnmet {
                    missing: vec![lesson],
                }),
            ),
            (
                "locked beats open",
                rules(None, None, Forbid),
                vec![att(1, false, None)],
                vec![lesson],
                0,
                Err(Error::PrerequisitesUnmet {
                    missing: vec![lesson],
                }),
            ),
            (
                "open untimed resumes",
                rules(Some(1), None, Forbid),
                vec![att(1, false, None)],
                vec![],
                600,
                Ok(StartDecision::Resume {
                    attempt_number: 1,
                    deadline: None,
                }),
            ),
            (
                "open timed within limit",
                rules(None, Some(10), Forbid),
                vec![att(1, false, None)],
                vec![],
                9,
                Ok(StartDecision::Resume {
                    attempt_number: 1,
                    deadline: Some(t(10, 0)),
                }),
            ),
            (
                "open timed within grace",
                rules(None, Some(10), Forbid),
                vec![att(1, false, None)],
                vec![],
                10,
                Ok(StartDecision::Resume {
                    attempt_number: 1,
                    deadline: Some(t(10, 0)),
                }),
            ),
            (
                "open timed expired",
                rules(None, Some(10), Forbid),
                vec![att(1, false, None)],
                vec![],
                11,
                Ok(StartDecision::CloseExpired {
                    attempt_number: 1,
                    deadline: t(10, 0),
                }),
            ),
            (
                "zero max",
                rules(Some(0), None, Forbid),
                vec![],
                vec![],
                0,
                Err(Error::AttemptLimitReached { max: 0 }),
            ),
        ];
        for (name, rules, previous, missing, now_min, expected) in cases {
            assert_eq!(
                may_start(&rules, &previous, &missing, t(now_min, 0)),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn submission_table() {
        let answers = || {
            vec![
                ("a", t(1, 0)),
                ("b", t(10, 0)),
                ("c", t(10, 30)),
                ("d", t(10, 31)),
            ]
        };
        // (name, rules, submitted_at, expected kept, dropped, late, stored submitted_at)
        let cases = vec![
            (
                "untimed keeps all",
                AttemptRules::default(),
                t(60, 0),
                vec!["a", "b", "c", "d"],
                vec![],
                false,
                t(60, 0),
            ),
            (
                "on time",
                timed(TimeLimitPolicy::Autosubmit),
                t(9, 0),
                vec!["a", "b", "c"],
                vec!["d"],
                false,
                t(9, 0),
            ),
            (
                "within grace",
                timed(TimeLimitPolicy::Reject),
                t(10, 30),
                vec!["a", "b", "c"],
                vec!["d"],
                false,
                t(10, 30),
            ),
            (
                "late autosubmit",
                timed(TimeLimitPolicy::Autosubmit),
                t(12, 0),
                vec!["a", "b", "c"],
                vec!["d"],
                true,
                t(10, 0),
            ),
            (
                // Moodle "there is a grace period when open attempts can be submitted,
                // but no more questions answered": with a 10-minute grace, submitted 5
                // minutes late; only answers saved by the deadline (+30 s latency) count
                "grace period: submitted within it, answers after the deadline dropped",
                AttemptRules {
                    policy: AttemptPolicy {
                        grace_seconds: 600,
                        ..timed(TimeLimitPolicy::GracePeriod).policy
                    },
                    ..timed(TimeLimitPolicy::GracePeriod)
                },
                t(15, 0),
                vec!["a", "b", "c"],
                vec!["d"],
                false,
                t(15, 0),
            ),
            (
                // Moodle "attempts must be submitted before time expires": the grace is
                // only for latency
                "abandon: submitted within the latency grace",
                timed(TimeLimitPolicy::Abandon),
                t(10, 30),
                vec!["a", "b", "c"],
                vec!["d"],
                false,
                t(10, 30),
            ),
        ];
        for (name, rules, at, kept, dropped, late, stored) in cases {
            let s = submission(&rules, t(0, 0), at, answers()).unwrap();
            assert_eq!(
                (s.kept, s.dropped, s.late, s.submitted_at),
                (kept, dropped, late, stored),
                "{name}"
            );
            assert!(
                s.time_spent_seconds <= 600 || rules.time_limit_minutes.is_none(),
                "{name}"
            );
        }
        let err = submission(
            &timed(TimeLimitPolicy::Reject),
            t(0, 0),
            t(10, 31),
            answers(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Error::TimeLimitExceeded {
                limit_minutes: 10,
                deadline: t(10, 0),
                submitted_at: t(10, 31)
            }
        );
        assert_eq!(err.code(), "time_limit_exceeded");
        for policy in [TimeLimitPolicy::GracePeriod, TimeLimitPolicy::Abandon] {
            let err = submission(&timed(policy), t(0, 0), t(10, 31), answers()).unwrap_err();
            assert_eq!(err.code(), "time_limit_exceeded", "{policy:?}");
        }
        let err = submission(&AttemptRules::default(), t(1, 0), t(0, 0), answers()).unwrap_err();
        assert_eq!(err.code(), "invalid_document");
    }

    #[test]
    fn close_expired_by_overdue_handling() {
        // Moodle "open attempts are submitted automatically"; Reject refuses a late
        // request but what was saved in time stays the student's
        for policy in [TimeLimitPolicy::Autosubmit, TimeLimitPolicy::Reject] {
            let rules = timed(policy);
            let Closing::Submit(s) =
                close_expired(&rules, t(0, 0), t(60, 0), [(1, t(2, 0)), (2, t(11, 0))]).unwrap()
            else {
                panic!("{policy:?} submits");
            };
            assert_eq!(
                (s.kept, s.dropped, s.late, s.submitted_at),
                (vec![1], vec![2], true, t(10, 0))
            );
            assert_eq!(s.time_spent_seconds, 600);
            assert!(close_expired(&rules, t(0, 0), t(10, 0), [(1, t(2, 0))]).is_err());
        }
        // Moodle's grace period and "must be submitted before time expires": never
        // graded, abandoned at the cutoff
        for policy in [TimeLimitPolicy::GracePeriod, TimeLimitPolicy::Abandon] {
            let closing = close_expired(&timed(policy), t(0, 0), t(60, 0), [(1, t(2, 0))]);
            assert_eq!(
                closing,
                Ok(Closing::Abandon {
                    abandoned_at: t(10, 30)
                }),
                "{policy:?}"
            );
        }
        assert!(
            close_expired(&AttemptRules::default(), t(0, 0), t(60, 0), [(1, t(2, 0))]).is_err()
        );
    }

    #[test]
    fn delays_between_attempts() {
        // Moodle's "enforced delay between 1st and 2nd attempts" and "between later
        // attempts", counted from when the last attempt ended
        let rules = AttemptRules {
            policy: AttemptPolicy {
                attempt_delay_seconds: 3_600,
                later_attempt_delay_seconds: 60,
                ..AttemptPolicy::default()
            },
            ..AttemptRules::default()
        };
        let ended_at_5 = vec![att(1, true, Some(false))];
        assert_eq!(
            may_start(&rules, &ended_at_5, &[], t(64, 59)),
            Err(Error::AttemptTooSoon {
                available_at: t(65, 0),
                delay_seconds: 3_600
            })
        );
        assert_eq!(
            may_start(&rules, &ended_at_5, &[], t(65, 0)),
            Ok(StartDecision::New { attempt_number: 2 })
        );
        let two = vec![att(1, true, Some(false)), att(2, true, Some(false))];
        assert_eq!(
            may_start(&rules, &two, &[], t(5, 59))
                .unwrap_err()
                .details()["available_at"],
            serde_json::json!(t(6, 0))
        );
        assert!(may_start(&rules, &two, &[], t(6, 0)).is_ok());
        // an abandoned attempt ended when it was abandoned
        let mut abandoned = att(1, false, None);
        abandoned.abandoned_at = Some(t(20, 0));
        assert!(may_start(&rules, &[abandoned.clone()], &[], t(79, 0)).is_err());
        assert!(may_start(&rules, &[abandoned], &[], t(80, 0)).is_ok());
        // the limit is said before the delay
        let limited = AttemptRules {
            max_attempts: Some(1),
            ..rules.clone()
        };
        assert_eq!(
            may_start(&limited, &ended_at_5, &[], t(6, 0)),
            Err(Error::AttemptLimitReached { max: 1 })
        );
    }

    #[test]
    fn abandoned_attempts_count_towards_the_limit_and_are_not_open() {
        // Moodle counts abandoned ("never submitted") attempts as attempts
        let mut abandoned = att(1, false, None);
        abandoned.abandoned_at = Some(t(10, 0));
        assert!(!abandoned.is_open());
        assert_eq!(
            may_start(
                &rules(Some(1), Some(10), RetakePolicy::Allow),
                &[abandoned.clone()],
                &[],
                t(60, 0)
            ),
            Err(Error::AttemptLimitReached { max: 1 })
        );
        assert_eq!(
            may_start(
                &rules(Some(2), Some(10), RetakePolicy::Allow),
                &[abandoned],
                &[],
                t(60, 0)
            ),
            Ok(StartDecision::New { attempt_number: 2 })
        );
    }

    #[test]
    fn policy_ranges_are_checked_with_the_field_named() {
        assert!(AttemptPolicy::default().check().is_ok());
        assert_eq!(AttemptPolicy::default().retake_policy, RetakePolicy::Allow);
        let bad = AttemptPolicy {
            attempt_delay_seconds: -1,
            grace_seconds: MAX_GRACE_SECONDS + 1,
            ..AttemptPolicy::default()
        };
        let err = bad.check().unwrap_err();
        assert_eq!(err.code(), "invalid_document");
        assert_eq!(err.document(), Some("assessment"));
        let paths: Vec<String> = err.problems().into_iter().map(|p| p.path).collect();
        assert_eq!(paths, ["/attempt_delay_seconds", "/grace_seconds"]);
        let unknown = serde_json::from_value::<AttemptPolicy>(
            serde_json::json!({"grading_method": "median"}),
        );
        assert!(unknown.is_err());
    }

    #[test]
    fn grade_table() {
        use GradingMethod::*;
        let cases: Vec<(GradingMethod, Vec<i32>, Option<i32>)> = vec![
            (Highest, vec![], None),
            (Average, vec![], None),
            (Highest, vec![40, 90, 70], Some(90)),
            (First, vec![40, 90, 70], Some(40)),
            (Last, vec![40, 90, 70], Some(70)),
            // the mean rounded down, as every integer grade
            (Average, vec![40, 90, 70], Some(66)),
            (Average, vec![70, 75], Some(72)),
            (Average, vec![70, 74], Some(72)),
            (Average, vec![0, 1], Some(0)),
            (Average, vec![0, 0, 1], Some(0)),
            (Highest, vec![150, -3], Some(100)),
            (Average, vec![i32::MAX, i32::MIN], Some(50)),
        ];
        for (method, scores, expected) in cases {
            assert_eq!(grade(method, &scores), expected, "{method:?} {scores:?}");
        }
        assert_eq!(GradingMethod::default(), Highest);
    }

    /// A finished attempt with `earned` exact points of `total`.
    fn graded(n: i32, earned: f64, total: u32, minimum: u32) -> AttemptSummary {
        let points = Points::from_f64(earned).unwrap();
        AttemptSummary {
            attempt_number: n,
            started_at: t(n.into(), 0),
            submitted_at: Some(t(i64::from(n) + 1, 0)),
            abandoned_at: None,
            score: Some(crate::scoring::percent(points, total) as i32),
            passed: Some(crate::scoring::reaches(points, total, minimum)),
            points_earned: Some(points),
            total_points: Some(total),
        }
    }

    fn pending(n: i32) -> AttemptSummary {
        AttemptSummary {
            score: None,
            passed: None,
            points_earned: None,
            ..graded(n, 0.0, 10, 70)
        }
    }

    #[test]
    fn grade_attempts_table() {
        use GradingMethod::*;
        let mut abandoned = att(4, false, None);
        abandoned.abandoned_at = Some(t(50, 0));
        // (name, method, attempts, expected score, passed at 70, graded attempt, pending)
        #[allow(clippy::type_complexity)]
        let cases: Vec<(
            &str,
            GradingMethod,
            Vec<AttemptSummary>,
            Option<i32>,
            Option<bool>,
            Option<i32>,
            bool,
        )> = vec![
            ("no attempt", Highest, vec![], None, None, None, false),
            (
                "highest of three, any order",
                Highest,
                vec![
                    graded(3, 5.5, 10, 70),
                    graded(1, 9.0, 10, 70),
                    graded(2, 4.0, 10, 70),
                ],
                Some(90),
                Some(true),
                Some(1),
                false,
            ),
            (
                "first",
                First,
                vec![graded(2, 9.0, 10, 70), graded(1, 4.0, 10, 70)],
                Some(40),
                Some(false),
                Some(1),
                false,
            ),
            (
                "last",
                Last,
                vec![graded(2, 9.0, 10, 70), graded(1, 4.0, 10, 70)],
                Some(90),
                Some(true),
                Some(2),
                false,
            ),
            // Moodle's average is over the exact grades: 69.5 and 70.5 average 70, which
            // passes; the rounded-down scores 69 and 70 would average 69.5 → 69
            (
                "average from exact points",
                Average,
                vec![graded(1, 6.95, 10, 70), graded(2, 7.05, 10, 70)],
                Some(70),
                Some(true),
                None,
                false,
            ),
            (
                "average of thirds",
                Average,
                vec![
                    graded(1, 1.0, 3, 70),
                    graded(2, 2.0, 3, 70),
                    graded(3, 3.0, 3, 70),
                ],
                Some(66),
                Some(false),
                None,
                false,
            ),
            // totals differ when the questions changed between attempts: each attempt
            // is its own fraction
            (
                "average with different totals",
                Average,
                vec![graded(1, 1.0, 2, 70), graded(2, 9.0, 10, 70)],
                Some(70),
                Some(true),
                None,
                false,
            ),
            // 69.5 % fails a 70 % bar (the integer score is 69)
            (
                "exact passing",
                Highest,
                vec![graded(1, 6.95, 10, 70)],
                Some(69),
                Some(false),
                Some(1),
                false,
            ),
            // Moodle: first/last is "no grade yet" while that attempt needs grading, the
            // next attempt does not stand in for it
            (
                "first awaiting grading",
                First,
                vec![pending(1), graded(2, 10.0, 10, 70)],
                None,
                None,
                Some(1),
                true,
            ),
            (
                "last awaiting grading",
                Last,
                vec![graded(1, 10.0, 10, 70), pending(2)],
                None,
                None,
                Some(2),
                true,
            ),
            (
                "highest skips the one awaiting grading",
                Highest,
                vec![graded(1, 5.0, 10, 70), pending(2)],
                Some(50),
                Some(false),
                Some(1),
                false,
            ),
            (
                "average skips the one awaiting grading",
                Average,
                vec![graded(1, 8.0, 10, 70), pending(2)],
                Some(80),
                Some(true),
                None,
                false,
            ),
            (
                "only pending",
                Highest,
                vec![pending(1)],
                None,
                None,
                None,
                true,
            ),
            // abandoned and open attempts never count
            (
                "abandoned and open skipped",
                Last,
                vec![
                    graded(1, 7.0, 10, 70),
                    att(3, false, None),
                    abandoned.clone(),
                ],
                Some(70),
                Some(true),
                Some(1),
                false,
            ),
            (
                "only abandoned",
                Average,
                vec![abandoned],
                None,
                None,
                None,
                false,
            ),
            // without exact points a score stands for the percentage
            (
                "bare scores",
                Average,
                vec![att(1, true, Some(true)), att(2, true, Some(false))],
                Some(65),
                Some(false),
                None,
                false,
            ),
        ];
        for (name, method, attempts, score, passed, attempt, pending) in cases {
            let g = grade_attempts(method, &attempts, 70);
            assert_eq!(
                (g.score, g.passed, g.attempt_number, g.pending_review),
                (score, passed, attempt, pending),
                "{name}"
            );
            assert_eq!(g.percentage.is_some(), g.score.is_some(), "{name}");
        }
    }

    #[test]
    fn rules_from_assessment_and_serde_names() {
        let json = serde_json::json!({
            "max_attempts": 2, "time_limit_minutes": 30, "grace_seconds": 0,
            "retake_policy": "allow", "time_limit_policy": "reject", "grading_method": "average",
            "attempt_delay_seconds": 60, "later_attempt_delay_seconds": 120,
            "shuffle_questions": false, "shuffle_options": true,
            "review_score": "after_close", "review_correctness": "immediately",
            "review_feedback": "never", "review_answers": "never", "draw_questions": 3,
            "opens_at": null, "closes_at": null, "due_at": null, "late_policy": null
        });
        let r: AttemptRules = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(r.policy.grading_method, GradingMethod::Average);
        assert_eq!(
            r.policy.review.score,
            crate::delivery::ReviewMoment::AfterClose
        );
        assert!(r.policy.shuffle_options && !r.policy.shuffle_questions);
        assert_eq!(
            (r.delay_before(1), r.delay_before(2), r.delay_before(3)),
            (0, 60, 120)
        );
        assert_eq!(serde_json::to_value(&r).unwrap(), json);
        assert_eq!(r.deadline(t(0, 0)), Some(t(30, 0)));
        assert_eq!(r.cutoff(t(0, 0)), Some(t(30, 0)));
        let d = serde_json::to_value(StartDecision::New { attempt_number: 1 }).unwrap();
        assert_eq!(d, serde_json::json!({"kind": "new", "attempt_number": 1}));
    }

    proptest! {
        #[test]
        fn grading_never_panics_and_stays_in_range(
            scores in proptest::collection::vec(any::<i32>(), 0..40),
            m in 0usize..4,
        ) {
            let method = [GradingMethod::Highest, GradingMethod::First, GradingMethod::Last, GradingMethod::Average][m];
            let g = grade(method, &scores);
            prop_assert_eq!(g.is_some(), !scores.is_empty());
            if let Some(g) = g {
                prop_assert!((0..=100).contains(&g));
            }
        }

        #[test]
        fn kept_answers_are_never_after_the_cutoff(
            limit in 1i32..120,
            offsets in proptest::collection::vec(0i64..10_000, 0..20),
            submit in 0i64..10_000,
            reject in any::<bool>(),
        ) {
            let rules = AttemptRules {
                time_limit_minutes: Some(limit),
                policy: AttemptPolicy {
                    time_limit_policy: if reject { TimeLimitPolicy::Reject } else { TimeLimitPolicy::Autosubmit },
                    ..AttemptPolicy::default()
                },
                ..AttemptRules::default()
            };
            let start = t(0, 0);
            let answers: Vec<(usize, DateTime<Utc>)> =
                offsets.iter().enumerate().map(|(i, s)| (i, start + Duration::seconds(*s))).collect();
            let cutoff = rules.cutoff(start).unwrap();
            match submission(&rules, start, start + Duration::seconds(submit), answers.clone()) {
                Ok(s) => {
                    prop_assert_eq!(s.kept.len() + s.dropped.len(), answers.len());
                    for k in &s.kept { prop_assert!(answers[*k].1 <= cutoff); }
                    for k in &s.dropped { prop_assert!(answers[*k].1 > cutoff); }
                    prop_assert!(s.time_spent_seconds <= i64::from(limit) * 60);
                }
                Err(e) => {
                    prop_assert!(reject);
                    prop_assert!(start + Duration::seconds(submit) > cutoff);
                    prop_assert_eq!(e.code(), "time_limit_exceeded");
                }
            }
        }
    }

    /// The grade over the whole list, as [`grade_attempts`] computed it before
    /// [`AttemptHistory`]: the reference the reduction is checked against.
    fn grade_naive(
        method: GradingMethod,
        attempts: &[AttemptSummary],
        minimum_passing_score: u32,
    ) -> AssessmentGrade {
        let mut finished: Vec<&AttemptSummary> = attempts
            .iter()
            .filter(|a| a.submitted_at.is_some() && a.abandoned_at.is_none())
            .collect();
        finished.sort_by_key(|a| a.attempt_number);
        let graded = || finished.iter().filter_map(|a| a.fraction().map(|f| (a, f)));
        let mut pending = finished.iter().any(|a| a.score.is_none());
        let (fraction, attempt) = match method {
            GradingMethod::Highest => match graded().max_by(|x, y| {
                // the highest fraction; of equals, the first attempt
                x.1.cmp(&y.1)
                    .then(y.0.attempt_number.cmp(&x.0.attempt_number))
            }) {
                Some((a, f)) => (Some(f), Some(a.attempt_number)),
                None => (None, None),
            },
            GradingMethod::First | GradingMethod::Last => {
                let chosen = if method == GradingMethod::First {
                    finished.first()
                } else {
                    finished.last()
                };
                pending = chosen.is_some_and(|a| a.score.is_none());
                match chosen {
                    Some(a) => (a.fraction(), Some(a.attempt_number)),
                    None => (None, None),
                }
            }
            GradingMethod::Average => {
                let fractions: Vec<BigRational> = graded().map(|(_, f)| f).collect();
                if fractions.is_empty() {
                    (None, None)
                } else {
                    let n = BigInt::from(fractions.len());
                    let sum = fractions
                        .into_iter()
                        .fold(BigRational::zero(), |acc, f| acc + f);
                    (Some(sum / BigRational::from_integer(n)), None)
                }
            }
        };
        let Some(fraction) = fraction else {
            return AssessmentGrade {
                score: None,
                percentage: None,
                passed: None,
                attempt_number: attempt,
                pending_review: pending,
            };
        };
        let hundred = BigRational::from_integer(BigInt::from(100));
        let percent = &fraction * &hundred;
        AssessmentGrade {
            score: percent
                .floor()
                .to_integer()
                .to_i32()
                .map(|s| s.clamp(0, 100)),
            percentage: percent.to_f64(),
            passed: Some(percent >= BigRational::from_integer(BigInt::from(minimum_passing_score))),
            attempt_number: attempt,
            pending_review: false,
        }
    }

    fn history() -> impl Strategy<Value = Vec<AttemptSummary>> {
        let one = (
            0u8..4,                           // open, abandoned, submitted, submitted
            proptest::option::of(0i32..=100), // score
            prop_oneof![
                Just(None),
                Just(Some(0u32)),
                Just(Some(7)),
                Just(Some(10)),
                Just(Some(20))
            ],
            proptest::option::of(0u64..25_000_000), // earned micros
            proptest::option::of(any::<bool>()),    // passed
            0i64..600,                              // minutes after the first start
        );
        proptest::collection::vec(one, 0..24)
            .prop_shuffle()
            .prop_map(|rows| {
                rows.into_iter()
                    .enumerate()
                    .map(|(i, (state, score, total, earned, passed, at))| {
                        let started = t(at, 0);
                        let ended = started + Duration::minutes(3);
                        AttemptSummary {
                            attempt_number: i32::try_from(i).unwrap() + 1,
                            started_at: started,
                            submitted_at: (state >= 2).then_some(ended),
                            abandoned_at: (state == 1).then_some(ended),
                            score: if state >= 2 { score } else { None },
                            passed: if state >= 2 { passed } else { None },
                            points_earned: earned.map(Points::from_micros),
                            total_points: total,
                        }
                    })
                    .collect()
            })
    }

    proptest! {
        #[test]
        fn the_history_grades_as_the_whole_list(
            list in history(),
            m in 0usize..4,
            minimum in 0u32..=100,
        ) {
            let method = [GradingMethod::Highest, GradingMethod::First, GradingMethod::Last, GradingMethod::Average][m];
            let history = AttemptHistory::of(&list);
            prop_assert_eq!(history.attempts as usize, list.len());
            prop_assert!(history.picks.len() <= 4 + 4 + list.iter().filter(|a| a.is_open()).count());
            prop_assert_eq!(grade_history(method, &history, minimum), grade_naive(method, &list, minimum));
            // a history of its own picks (and sums) grades the same: nothing else is needed
            let again = AttemptHistory { sums: history.sums.clone(), ..AttemptHistory::of(&history.picks) };
            prop_assert_eq!(grade_history(method, &again, minimum), grade_naive(method, &list, minimum));
            prop_assert_eq!(history.any_submitted(), list.iter().any(|a| a.submitted_at.is_some()));
        }

        #[test]
        fn a_written_attempt_updates_the_history_as_the_whole_list(
            list in history(),
            outcome in (0u8..3, proptest::option::of(0i32..=100), proptest::option::of(0u64..20_000_000), any::<bool>()),
        ) {
            // the open attempt of the list (the last one when none is open: a new one)
            let (state, score, earned, passed) = outcome;
            let open = list.iter().filter(|a| a.is_open()).map(|a| a.attempt_number).max();
            let number = open.unwrap_or_else(|| list.iter().map(|a| a.attempt_number).max().unwrap_or(0) + 1);
            let started = t(1000, 0);
            let ended = t(1003, 0);
            let written = AttemptSummary {
                attempt_number: number,
                started_at: started,
                submitted_at: (state >= 1).then_some(ended),
                abandoned_at: (state == 0).then_some(ended),
                score: if state >= 1 { score } else { None },
                passed: if state >= 1 && score.is_some() { Some(passed) } else { None },
                points_earned: earned.map(Points::from_micros),
                total_points: Some(20),
            };
            let mut after: Vec<AttemptSummary> = list.iter().filter(|a| a.attempt_number != number).cloned().collect();
            after.push(written.clone());
            prop_assert_eq!(AttemptHistory::of(&list).with(&written), AttemptHistory::of(&after));
        }

        #[test]
        fn the_picks_decide_a_start_as_the_whole_list(
            list in history(),
            max in proptest::option::of(1i32..30),
            limit in proptest::option::of(1i32..60),
            forbid in any::<bool>(),
            delays in (0i64..4000, 0i64..4000),
            now in 0i64..1000,
        ) {
            let rules = AttemptRules {
                max_attempts: max,
                time_limit_minutes: limit,
                policy: AttemptPolicy {
                    retake_policy: if forbid { RetakePolicy::Forbid } else { RetakePolicy::Allow },
                    attempt_delay_seconds: delays.0,
                    later_attempt_delay_seconds: delays.1,
                    ..AttemptPolicy::default()
                },
                ..AttemptRules::default()
            };
            let now = t(now, 0);
            let picks = AttemptHistory::of(&list).picks;
            prop_assert_eq!(
                format!("{:?}", may_start(&rules, &picks, &[], now)),
                format!("{:?}", may_start(&rules, &list, &[], now))
            );
        }
    }
}

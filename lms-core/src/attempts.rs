//! May a student start an attempt, which answers of a timed attempt count, and which
//! score stands for an assessment attempted several times.
//!
//! Every function here is pure: `lms-db` loads the assessment and the student's previous
//! attempts, calls the rule, and writes the outcome.
//!
//! * [`may_start`] decides whether a new attempt may start ([`StartDecision`]).
//! * [`submission`] applies the time limit to a submission ([`TimeLimitPolicy`]).
//! * [`grade`] / [`grade_attempts`] combine the scores of several attempts
//!   ([`GradingMethod`]).

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Assessment, AssessmentAttempt, LessonId};
use crate::{Error, Result};

/// Grace added to a time limit before a submission counts as late: absorbs network
/// latency and clock skew between browser and server.
pub const DEFAULT_GRACE_SECONDS: i64 = 30;

/// Whether a student who already passed may attempt the assessment again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetakePolicy {
    /// Once passed, no further attempt may start ([`Error::AlreadyPassed`]). The default.
    #[default]
    Forbid,
    /// A passed assessment may be retaken while attempts remain (e.g. to improve the
    /// score under [`GradingMethod::Highest`]).
    Allow,
}

/// What happens to an attempt submitted after `started_at + time_limit + grace`.
/// A late submission is never silently accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimitPolicy {
    /// The attempt is closed as if submitted at its deadline: answers saved up to the
    /// deadline plus grace count, later ones are dropped. The default.
    #[default]
    Autosubmit,
    /// The submission is refused with [`Error::TimeLimitExceeded`].
    Reject,
}

/// How the scores of several attempts combine into the assessment's grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GradingMethod {
    /// The best score (the spec's `student_progress.best_score`). The default.
    #[default]
    Highest,
    /// The score of the first graded attempt.
    First,
    /// The score of the last graded attempt.
    Last,
    /// The mean of all graded attempts, rounded half up to an integer.
    Average,
}

/// The attempt rules of one assessment. A field left out of its JSON takes its default
/// (unlimited, untimed, [`DEFAULT_GRACE_SECONDS`], the policies' defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AttemptRules {
    /// Maximum number of attempts; `None` means unlimited.
    pub max_attempts: Option<i32>,
    /// Time limit in minutes; `None` means untimed.
    pub time_limit_minutes: Option<i32>,
    /// Seconds of tolerance after the time limit (see [`DEFAULT_GRACE_SECONDS`]).
    pub grace_seconds: i64,
    /// Whether a passed assessment may be retaken.
    pub retake_policy: RetakePolicy,
    /// What happens to a late submission.
    pub time_limit_policy: TimeLimitPolicy,
    /// How several attempts combine into one grade.
    pub grading_method: GradingMethod,
}

impl Default for AttemptRules {
    /// Unlimited, untimed, default policies.
    fn default() -> Self {
        Self {
            max_attempts: None,
            time_limit_minutes: None,
            grace_seconds: DEFAULT_GRACE_SECONDS,
            retake_policy: RetakePolicy::default(),
            time_limit_policy: TimeLimitPolicy::default(),
            grading_method: GradingMethod::default(),
        }
    }
}

impl AttemptRules {
    /// The rules of an assessment row, with the default policies (the spec's table
    /// stores only `max_attempts` and `time_limit`).
    pub fn from_assessment(assessment: &Assessment) -> Self {
        Self {
            max_attempts: assessment.max_attempts,
            time_limit_minutes: assessment.time_limit_minutes,
            ..Self::default()
        }
    }

    /// When an attempt started at `started_at` must be submitted (grace not included);
    /// `None` when untimed.
    pub fn deadline(&self, started_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.time_limit_minutes
            .map(|m| started_at + Duration::minutes(i64::from(m.max(0))))
    }

    /// The last instant a submission or an answer is accepted: deadline plus grace;
    /// `None` when untimed.
    pub fn cutoff(&self, started_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.deadline(started_at)
            .map(|d| d + Duration::seconds(self.grace_seconds.max(0)))
    }
}

/// What [`may_start`] needs to know about one previous attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AttemptSummary {
    /// 1 for the first attempt.
    pub attempt_number: i32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it was submitted; `None` while in progress.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Score 0–100; `None` until graded.
    pub score: Option<i32>,
    /// Whether it passed; `None` until graded.
    pub passed: Option<bool>,
}

impl From<&AssessmentAttempt> for AttemptSummary {
    fn from(a: &AssessmentAttempt) -> Self {
        Self {
            attempt_number: a.attempt_number,
            started_at: a.started_at,
            submitted_at: a.submitted_at,
            score: a.score,
            passed: a.passed,
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
        /// Its deadline (grace not included); `None` when untimed.
        deadline: Option<DateTime<Utc>>,
    },
    /// An attempt is open but its time ran out. Close it first with [`close_expired`]
    /// (and score what it keeps), then call [`may_start`] again.
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
/// 2. an open (unsubmitted) attempt → [`StartDecision::Resume`] while within deadline plus
///    grace, else [`StartDecision::CloseExpired`];
/// 3. a passed attempt under [`RetakePolicy::Forbid`] → [`Error::AlreadyPassed`];
/// 4. the next number above `max_attempts` → [`Error::AttemptLimitReached`];
/// 5. otherwise [`StartDecision::New`] with the highest previous number + 1.
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
        .filter(|a| a.submitted_at.is_none())
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
    if rules.retake_policy == RetakePolicy::Forbid
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
    /// Answers saved after deadline plus grace, in input order; they must not be scored.
    pub dropped: Vec<K>,
    /// Whether the submission came after deadline plus grace (only possible under
    /// [`TimeLimitPolicy::Autosubmit`]).
    pub late: bool,
    /// The `submitted_at` to store: the real time, or the deadline when late, so that
    /// time spent never exceeds the limit.
    pub submitted_at: DateTime<Utc>,
    /// Seconds from start to the stored `submitted_at` (`time_spent`).
    pub time_spent_seconds: i64,
}

/// Apply the time limit to a submission.
///
/// `answers` pairs any key (a question id, an index…) with the time the answer was saved;
/// the answer document type stays the caller's. For an untimed assessment everything is
/// kept. For a timed one, answers saved after the cutoff (deadline + grace) are always
/// dropped; a submission after the cutoff is, under [`TimeLimitPolicy::Autosubmit`],
/// recorded as submitted at the deadline, and under [`TimeLimitPolicy::Reject`] refused
/// with [`Error::TimeLimitExceeded`]. A submission before the start is
/// [`Error::InvalidInput`].
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
    let (deadline, cutoff) = match (rules.deadline(started_at), rules.cutoff(started_at)) {
        (Some(d), Some(c)) => (d, c),
        _ => {
            return Ok(Submission {
                kept: answers.into_iter().map(|(k, _)| k).collect(),
                dropped: Vec::new(),
                late: false,
                submitted_at,
                time_spent_seconds: (submitted_at - started_at).num_seconds(),
            })
        }
    };
    let late = submitted_at > cutoff;
    if late && rules.time_limit_policy == TimeLimitPolicy::Reject {
        return Err(Error::TimeLimitExceeded {
            limit_minutes: rules.time_limit_minutes.unwrap_or_default(),
            deadline,
            submitted_at,
        });
    }
    let (kept, dropped): (Vec<_>, Vec<_>) = answers.into_iter().partition(|(_, at)| *at <= cutoff);
    let stored = if late { deadline } else { submitted_at };
    Ok(Submission {
        kept: kept.into_iter().map(|(k, _)| k).collect(),
        dropped: dropped.into_iter().map(|(k, _)| k).collect(),
        late,
        submitted_at: stored,
        time_spent_seconds: (stored.min(deadline) - started_at).num_seconds(),
    })
}

/// Close an attempt whose time ran out without a submission (see
/// [`StartDecision::CloseExpired`]): answers saved up to deadline plus grace count, the
/// attempt is stored as submitted at its deadline. This holds under both policies:
/// [`TimeLimitPolicy::Reject`] refuses a late *submission request*, but what the student
/// saved in time is still theirs. An untimed or still-running attempt is
/// [`Error::InvalidInput`].
pub fn close_expired<K>(
    rules: &AttemptRules,
    started_at: DateTime<Utc>,
    now: DateTime<Utc>,
    answers: impl IntoIterator<Item = (K, DateTime<Utc>)>,
) -> Result<Submission<K>> {
    match rules.cutoff(started_at) {
        Some(cutoff) if now > cutoff => {
            let autosubmit = AttemptRules {
                time_limit_policy: TimeLimitPolicy::Autosubmit,
                ..rules.clone()
            };
            submission(&autosubmit, started_at, now, answers)
        }
        _ => Err(Error::InvalidInput {
            field: "now",
            reason: "the attempt is untimed or its time has not run out".to_owned(),
        }),
    }
}

/// Combine the scores of several attempts, given in attempt order.
///
/// Each score is first clamped to 0..=100. [`GradingMethod::Average`] rounds half up
/// (`(2·sum + n) div (2·n)`, e.g. 70 and 75 give 73). `None` when there is no score.
pub fn grade(method: GradingMethod, scores: &[i32]) -> Option<i32> {
    let mut clamped = scores.iter().map(|s| (*s).clamp(0, 100));
    match method {
        GradingMethod::Highest => clamped.max(),
        GradingMethod::First => clamped.next(),
        GradingMethod::Last => clamped.next_back(),
        GradingMethod::Average => {
            let n = i64::try_from(scores.len()).ok().filter(|n| *n > 0)?;
            let sum: i64 = clamped.map(i64::from).sum();
            i32::try_from((2 * sum + n) / (2 * n)).ok()
        }
    }
}

/// The grade of an assessment from its attempts (any order): the graded attempts
/// (those with a score) sorted by `attempt_number`, combined by [`grade`].
pub fn grade_attempts(method: GradingMethod, attempts: &[AttemptSummary]) -> Option<i32> {
    let mut graded: Vec<(i32, i32)> = attempts
        .iter()
        .filter_map(|a| a.score.map(|s| (a.attempt_number, s)))
        .collect();
    graded.sort_by_key(|(n, _)| *n);
    let scores: Vec<i32> = graded.into_iter().map(|(_, s)| s).collect();
    grade(method, &scores)
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
            score: passed.map(|p| if p { 90 } else { 40 }),
            passed,
        }
    }

    fn rules(max: Option<i32>, limit: Option<i32>, retake: RetakePolicy) -> AttemptRules {
        AttemptRules {
            max_attempts: max,
            time_limit_minutes: limit,
            retake_policy: retake,
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
        let timed = |policy| AttemptRules {
            time_limit_minutes: Some(10),
            time_limit_policy: policy,
            ..AttemptRules::default()
        };
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
        let err = submission(&AttemptRules::default(), t(1, 0), t(0, 0), answers()).unwrap_err();
        assert_eq!(err.code(), "invalid_document");
    }

    #[test]
    fn close_expired_keeps_in_time_answers_under_both_policies() {
        for policy in [TimeLimitPolicy::Autosubmit, TimeLimitPolicy::Reject] {
            let rules = AttemptRules {
                time_limit_minutes: Some(10),
                time_limit_policy: policy,
                ..AttemptRules::default()
            };
            let s =
                close_expired(&rules, t(0, 0), t(60, 0), [(1, t(2, 0)), (2, t(11, 0))]).unwrap();
            assert_eq!(
                (s.kept, s.dropped, s.late, s.submitted_at),
                (vec![1], vec![2], true, t(10, 0))
            );
            assert_eq!(s.time_spent_seconds, 600);
            assert!(close_expired(&rules, t(0, 0), t(10, 0), [(1, t(2, 0))]).is_err());
        }
        assert!(
            close_expired(&AttemptRules::default(), t(0, 0), t(60, 0), [(1, t(2, 0))]).is_err()
        );
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
            (Average, vec![40, 90, 70], Some(67)),
            (Average, vec![70, 75], Some(73)),
            (Average, vec![70, 74], Some(72)),
            (Average, vec![0, 1], Some(1)),
            (Average, vec![0, 0, 1], Some(0)),
            (Highest, vec![150, -3], Some(100)),
            (Average, vec![i32::MAX, i32::MIN], Some(50)),
        ];
        for (method, scores, expected) in cases {
            assert_eq!(grade(method, &scores), expected, "{method:?} {scores:?}");
        }
        assert_eq!(GradingMethod::default(), Highest);
    }

    #[test]
    fn grade_attempts_sorts_by_number_and_skips_ungraded() {
        let mut a = vec![
            att(3, true, Some(false)),
            att(1, true, Some(true)),
            att(2, false, None),
        ];
        a[0].score = Some(55);
        assert_eq!(grade_attempts(GradingMethod::First, &a), Some(90));
        assert_eq!(grade_attempts(GradingMethod::Last, &a), Some(55));
        assert_eq!(grade_attempts(GradingMethod::Average, &a), Some(73));
    }

    #[test]
    fn rules_from_assessment_and_serde_names() {
        let json = serde_json::json!({
            "max_attempts": 2, "time_limit_minutes": 30, "grace_seconds": 0,
            "retake_policy": "allow", "time_limit_policy": "reject", "grading_method": "average"
        });
        let r: AttemptRules = serde_json::from_value(json).unwrap();
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
                time_limit_policy: if reject { TimeLimitPolicy::Reject } else { TimeLimitPolicy::Autosubmit },
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
}

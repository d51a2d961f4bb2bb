//! The one error type of `lms-core`, with a stable machine-readable [`Error::code`].

use chrono::{DateTime, Utc};

use crate::model::{LessonId, ProgressStatus};

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a domain rule can refuse. Each variant carries what a user needs to
/// understand the refusal; [`Error::code`] is the stable family name that Python
/// exceptions and JS errors carry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A text is not one of the labels of a SQL enum.
    #[error("`{value}` is not a valid {enum_type}")]
    UnknownEnumValue {
        /// The SQL enum type, e.g. `progress_status`.
        enum_type: &'static str,
        /// The text that was given.
        value: String,
    },

    // attempts, prerequisites, progress
    /// Every allowed attempt has been used.
    #[error("attempt limit reached: at most {max} attempts are allowed")]
    AttemptLimitReached {
        /// The assessment's `max_attempts`.
        max: i32,
    },
    /// The assessment is already passed and its retake policy forbids another attempt.
    #[error("the assessment is already passed and may not be retaken")]
    AlreadyPassed,
    /// An attempt was submitted after its deadline plus grace, under
    /// [`crate::attempts::TimeLimitPolicy::Reject`].
    #[error(
        "time limit exceeded: the limit is {limit_minutes} minutes, the deadline was \
         {deadline} and the attempt was submitted at {submitted_at}"
    )]
    TimeLimitExceeded {
        /// The assessment's time limit in minutes.
        limit_minutes: i32,
        /// `started_at + time_limit` (grace not included).
        deadline: DateTime<Utc>,
        /// When the attempt was submitted.
        submitted_at: DateTime<Utc>,
    },
    /// The lesson or assessment is locked: these prerequisite lessons are not completed.
    #[error("prerequisites unmet: {} lesson(s) must be completed first", missing.len())]
    PrerequisitesUnmet {
        /// The lessons still to complete, in a stable order.
        missing: Vec<LessonId>,
    },
    /// A submission was made for an attempt that is already submitted.
    #[error("attempt {attempt_number} is already submitted")]
    AttemptAlreadySubmitted {
        /// The attempt's number.
        attempt_number: i32,
    },
    /// Lesson prerequisites would form a cycle.
    #[error("lesson prerequisites form a cycle: {}", fmt_cycle(cycle))]
    PrerequisiteCycle {
        /// The lessons of the cycle: each one has the next (and the last has the first)
        /// among its prerequisites. A lesson that requires itself gives a one-element cycle.
        cycle: Vec<LessonId>,
    },
    /// A prerequisite is not a lesson of the same course.
    #[error("prerequisite {prerequisite} of lesson {lesson} is not a lesson of this course")]
    UnknownPrerequisite {
        /// The lesson that names the prerequisite.
        lesson: LessonId,
        /// The prerequisite that is not a lesson of the course.
        prerequisite: LessonId,
    },
    /// A lesson was asked about that is not part of the prerequisite graph.
    #[error("lesson {lesson} is not a lesson of this course")]
    UnknownLesson {
        /// The lesson asked about.
        lesson: LessonId,
    },
    /// A progress event is not allowed in the current status.
    #[error("invalid progress transition: `{event}` is not allowed from `{from}`")]
    InvalidTransition {
        /// The current status.
        from: ProgressStatus,
        /// The event's name ([`crate::progress::ProgressEvent::name`]).
        event: &'static str,
    },
    /// A value given to a rule is out of its domain (e.g. more blocks done than exist).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field or argument.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    // documents & scoring
    /// A JSONB document failed validation; every problem is listed with its path.
    #[error(transparent)]
    InvalidDocument(#[from] crate::documents::InvalidDocument),
    /// An answer (or a grade) names a question the assessment does not have.
    #[error("there is no question `{question_id}`")]
    UnknownQuestion {
        /// The unknown question id.
        question_id: String,
    },
    /// An answer of one kind was given to a question of another kind.
    #[error("question `{question_id}` is {expected}, the answer is {found}")]
    AnswerKindMismatch {
        /// The question.
        question_id: String,
        /// The question's kind.
        expected: crate::documents::QuestionKind,
        /// The answer's kind.
        found: crate::documents::QuestionKind,
    },
    /// An answer selects an option the question does not have.
    #[error("question `{question_id}` has no option `{option_id}`")]
    UnknownOption {
        /// The question.
        question_id: String,
        /// The unknown option id.
        option_id: String,
    },
    /// Several options were selected for a single-choice question.
    #[error("question `{question_id}` takes one option, {selected} were selected")]
    TooManySelected {
        /// The question.
        question_id: String,
        /// How many options were selected.
        selected: usize,
    },
    /// An assessment without questions cannot be scored.
    #[error("the assessment has no questions")]
    NoQuestions,
    /// A passing score outside 0–100.
    #[error("minimum passing score {value} is not in 0..=100")]
    InvalidPassingScore {
        /// The score given.
        value: i64,
    },
    /// A grade was given to a question that is not an answered essay.
    #[error("question `{question_id}` is not an answered essay")]
    NotGradable {
        /// The question.
        question_id: String,
    },
    /// A grade outside `0..=max` points.
    #[error("question `{question_id}` is worth 0..={max} points, not {points}")]
    PointsOutOfRange {
        /// The question.
        question_id: String,
        /// The points given.
        points: u32,
        /// The question's points.
        max: u32,
    },

    // publishing
    /// A course cannot be published; every reason is listed.
    #[error("the course cannot be published: {}", fmt_problems(problems))]
    NotPublishable {
        /// Every reason, in the order of [`crate::publish::check`].
        problems: Vec<crate::publish::PublishProblem>,
    },
}

/// `a -> b -> a`: the lessons of a cycle, back to the first.
pub(crate) fn fmt_cycle(cycle: &[LessonId]) -> String {
    let mut out: Vec<String> = cycle.iter().map(ToString::to_string).collect();
    if let Some(first) = cycle.first() {
        out.push(first.to_string());
    }
    out.join(" -> ")
}

/// `; `-separated problems.
fn fmt_problems(problems: &[crate::publish::PublishProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The stable code of this error's family (`invalid_document`, `not_found`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownEnumValue { .. } => "invalid_document",
            // attempts, prerequisites, progress
            Error::AttemptLimitReached { .. } => "attempt_limit_reached",
            Error::AlreadyPassed => "conflict",
            Error::TimeLimitExceeded { .. } => "time_limit_exceeded",
            Error::PrerequisitesUnmet { .. } => "prerequisites_unmet",
            Error::AttemptAlreadySubmitted { .. } => "conflict",
            Error::PrerequisiteCycle { .. } => "invalid_document",
            Error::UnknownPrerequisite { .. } => "invalid_document",
            Error::UnknownLesson { .. } => "not_found",
            Error::InvalidTransition { .. } => "invalid_transition",
            Error::InvalidInput { .. } => "invalid_document",
            // documents & scoring
            Error::InvalidDocument(_)
            | Error::UnknownQuestion { .. }
            | Error::AnswerKindMismatch { .. }
            | Error::UnknownOption { .. }
            | Error::TooManySelected { .. }
            | Error::NoQuestions
            | Error::InvalidPassingScore { .. }
            | Error::NotGradable { .. }
            | Error::PointsOutOfRange { .. } => "invalid_document",
            // publishing
            Error::NotPublishable { .. } => "not_publishable",
        }
    }
}

#[cfg(test)]
mod rules_error_tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn rule_errors_have_stable_codes_and_lowercase_messages() {
        let l = LessonId(Uuid::nil());
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let cases = [
            (
                Error::AttemptLimitReached { max: 3 },
                "attempt_limit_reached",
            ),
            (Error::AlreadyPassed, "conflict"),
            (
                Error::TimeLimitExceeded {
                    limit_minutes: 1,
                    deadline: at,
                    submitted_at: at,
                },
                "time_limit_exceeded",
            ),
            (
                Error::PrerequisitesUnmet { missing: vec![l] },
                "prerequisites_unmet",
            ),
            (
                Error::AttemptAlreadySubmitted { attempt_number: 1 },
                "conflict",
            ),
            (
                Error::PrerequisiteCycle { cycle: vec![l] },
                "invalid_document",
            ),
            (
                Error::UnknownPrerequisite {
                    lesson: l,
                    prerequisite: l,
                },
                "invalid_document",
            ),
            (Error::UnknownLesson { lesson: l }, "not_found"),
            (
                Error::InvalidTransition {
                    from: ProgressStatus::Blocked,
                    event: "content_progress",
                },
                "invalid_transition",
            ),
            (
                Error::InvalidInput {
                    field: "x",
                    reason: "y".into(),
                },
                "invalid_document",
            ),
            (
                Error::NotPublishable {
                    problems: vec![crate::publish::PublishProblem::NoLessons],
                },
                "not_publishable",
            ),
        ];
        for (err, code) in cases {
            assert_eq!(err.code(), code, "{err:?}");
            let msg = err.to_string();
            assert!(msg.starts_with(|c: char| c.is_lowercase()), "{msg}");
        }
        assert_eq!(
            Error::PrerequisiteCycle { cycle: vec![l] }.to_string(),
            format!("lesson prerequisites form a cycle: {l} -> {l}")
        );
    }
}

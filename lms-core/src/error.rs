//! The one error type of `lms-core`, with a stable machine-readable [`Error::code`]
//! ([`ErrorCode`]), the [`Problem`]s of invalid input ([`Error::problems`]) and a
//! serializable [`ErrorBody`] for APIs.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::documents::{pointer, Problem};
use crate::model::{AssessmentId, LessonId, ProgressStatus};

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
    /// The assessment's delay between attempts has not passed since the last attempt
    /// ended.
    #[error("the next attempt may start at {available_at} ({delay_seconds} s after the last attempt ended)")]
    AttemptTooSoon {
        /// When the next attempt may start.
        available_at: DateTime<Utc>,
        /// The delay that applies, in seconds.
        delay_seconds: i64,
    },
    /// The lesson does not open to its students before `unlocks_at`: its content is not
    /// shown, it cannot be studied and its assessment not started.
    #[error("lesson {lesson} opens at {unlocks_at}")]
    LessonLocked {
        /// The lesson.
        lesson: LessonId,
        /// When it opens.
        unlocks_at: DateTime<Utc>,
    },
    /// The assessment does not open before `opens_at`.
    #[error("the assessment opens at {opens_at}")]
    AssessmentNotOpen {
        /// Its open time.
        opens_at: DateTime<Utc>,
    },
    /// The assessment closed at `closed_at` (the student's own close time, with their
    /// accommodations): no attempt starts any more.
    #[error("the assessment closed at {closed_at}")]
    AssessmentClosed {
        /// Its close time.
        closed_at: DateTime<Utc>,
    },
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
    /// A timed assessment's attempt must be started (`start_attempt`) before its
    /// questions are shown or it is submitted: its clock runs from the start.
    #[error(
        "assessment {assessment} is timed or draws its questions: start an attempt first (its \
         clock runs, its questions are chosen, from the start)"
    )]
    AttemptNotStarted {
        /// The timed (or drawing) assessment.
        assessment: AssessmentId,
    },
    /// A submission answers no question, and the caller did not say a blank attempt is
    /// meant (`allow_empty`).
    #[error("the answers answer no question of the assessment; submit with allow_empty to hand in a blank attempt")]
    NoAnswers,
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
        points: crate::documents::Points,
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
    /// The stable code of this error's family.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::UnknownEnumValue { .. } => ErrorCode::InvalidDocument,
            // attempts, prerequisites, progress
            Error::AttemptLimitReached { .. } => ErrorCode::AttemptLimitReached,
            Error::AlreadyPassed => ErrorCode::Conflict,
            Error::AttemptTooSoon { .. } => ErrorCode::Conflict,
            Error::AssessmentNotOpen { .. }
            | Error::AssessmentClosed { .. }
            | Error::LessonLocked { .. } => ErrorCode::Conflict,
            Error::TimeLimitExceeded { .. } => ErrorCode::TimeLimitExceeded,
            Error::PrerequisitesUnmet { .. } => ErrorCode::PrerequisitesUnmet,
            Error::AttemptNotStarted { .. } => ErrorCode::AttemptNotStarted,
            Error::NoAnswers => ErrorCode::NoAnswers,
            Error::AttemptAlreadySubmitted { .. } => ErrorCode::Conflict,
            Error::PrerequisiteCycle { .. } => ErrorCode::InvalidDocument,
            Error::UnknownPrerequisite { .. } => ErrorCode::InvalidDocument,
            Error::UnknownLesson { .. } => ErrorCode::NotFound,
            Error::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            Error::InvalidInput { .. } => ErrorCode::InvalidDocument,
            // documents & scoring
            Error::InvalidDocument(_)
            | Error::UnknownQuestion { .. }
            | Error::AnswerKindMismatch { .. }
            | Error::UnknownOption { .. }
            | Error::TooManySelected { .. }
            | Error::NoQuestions
            | Error::InvalidPassingScore { .. }
            | Error::NotGradable { .. }
            | Error::PointsOutOfRange { .. } => ErrorCode::InvalidDocument,
            // publishing
            Error::NotPublishable { .. } => ErrorCode::NotPublishable,
        }
    }

    /// The document or input an `invalid_document` error is about (`answers`,
    /// `question_set`, `lesson`, …), when there is one: the document the paths of
    /// [`Error::problems`] point into.
    pub fn document(&self) -> Option<&'static str> {
        Some(match self {
            Error::InvalidDocument(d) => d.document,
            Error::UnknownQuestion { .. }
            | Error::AnswerKindMismatch { .. }
            | Error::UnknownOption { .. }
            | Error::TooManySelected { .. } => "answers",
            Error::NoQuestions => "question_set",
            Error::PrerequisiteCycle { .. } | Error::UnknownPrerequisite { .. } => "lesson",
            Error::InvalidPassingScore { .. } => "assessment",
            Error::NotGradable { .. } | Error::PointsOutOfRange { .. } => "grade",
            Error::InvalidInput { .. } | Error::UnknownEnumValue { .. } => "input",
            _ => return None,
        })
    }

    /// Every problem of an `invalid_document` error, each with a JSON pointer into
    /// [`Error::document`] (`""` for the whole of it) and a reason; empty for the other
    /// codes. Never empty for `invalid_document`.
    pub fn problems(&self) -> Vec<Problem> {
        let one = |path: String, reason: String| vec![Problem { path, reason }];
        match self {
            Error::InvalidDocument(d) => d.problems.clone(),
            Error::UnknownQuestion { question_id } => {
                one(pointer("", question_id), self.to_string())
            }
            Error::AnswerKindMismatch { question_id, .. } => {
                one(pointer(&pointer("", question_id), "type"), self.to_string())
            }
            Error::UnknownOption { question_id, .. }
            | Error::TooManySelected { question_id, .. } => one(
                pointer(&pointer("", question_id), "selected"),
                self.to_string(),
            ),
            Error::NoQuestions => one(String::new(), self.to_string()),
            Error::PrerequisiteCycle { .. } | Error::UnknownPrerequisite { .. } => {
                one(pointer("", "prerequisites"), self.to_string())
            }
            Error::InvalidPassingScore { .. } => {
                one(pointer("", "minimum_passing_score"), self.to_string())
            }
            Error::NotGradable { .. } => one(pointer("", "question_id"), self.to_string()),
            Error::PointsOutOfRange { .. } => one(pointer("", "points"), self.to_string()),
            Error::InvalidInput { field, reason } => one(pointer("", field), reason.clone()),
            Error::UnknownEnumValue { enum_type, .. } => {
                one(pointer("", enum_type), self.to_string())
            }
            _ => Vec::new(),
        }
    }

    /// What a program needs beyond the message: the attempt limit, the deadline, the
    /// missing lessons, the publishing problems… (an object; empty when there is
    /// nothing more).
    pub fn details(&self) -> Map<String, Value> {
        let value = match self {
            Error::UnknownEnumValue { enum_type, value } => {
                json!({"enum_type": enum_type, "value": value})
            }
            Error::AttemptLimitReached { max } => json!({ "max_attempts": max }),
            Error::AlreadyPassed => json!({"reason": "already_passed"}),
            Error::AttemptTooSoon {
                available_at,
                delay_seconds,
            } => json!({
                "reason": "attempt_delay",
                "available_at": available_at,
                "delay_seconds": delay_seconds,
            }),
            Error::AssessmentNotOpen { opens_at } => {
                json!({"reason": "not_open", "opens_at": opens_at})
            }
            Error::LessonLocked { lesson, unlocks_at } => {
                json!({"reason": "locked", "lesson_id": lesson, "unlocks_at": unlocks_at})
            }
            Error::AssessmentClosed { closed_at } => {
                json!({"reason": "closed", "closed_at": closed_at})
            }
            Error::TimeLimitExceeded {
                limit_minutes,
                deadline,
                submitted_at,
            } => json!({
                "limit_minutes": limit_minutes,
                "deadline": deadline,
                "submitted_at": submitted_at,
            }),
            Error::PrerequisitesUnmet { missing } => json!({ "missing_lessons": missing }),
            Error::AttemptNotStarted { assessment } => json!({ "assessment_id": assessment }),
            Error::AttemptAlreadySubmitted { attempt_number } => {
                json!({"reason": "already_submitted", "attempt_number": attempt_number})
            }
            Error::PrerequisiteCycle { cycle } => json!({ "cycle": cycle }),
            Error::UnknownPrerequisite {
                lesson,
                prerequisite,
            } => json!({"lesson_id": lesson, "prerequisite": prerequisite}),
            Error::UnknownLesson { lesson } => json!({"entity": "lesson", "id": lesson}),
            Error::InvalidTransition { from, event } => json!({"from": from, "event": event}),
            Error::AnswerKindMismatch {
                question_id,
                expected,
                found,
            } => json!({"question_id": question_id, "expected": expected, "found": found}),
            Error::UnknownOption {
                question_id,
                option_id,
            } => json!({"question_id": question_id, "option_id": option_id}),
            Error::TooManySelected {
                question_id,
                selected,
            } => json!({"question_id": question_id, "selected": selected}),
            Error::PointsOutOfRange {
                question_id,
                points,
                max,
            } => json!({"question_id": question_id, "points": points, "max": max}),
            Error::NotPublishable { problems } => json!({ "problems": problems }),
            _ => Value::Null,
        };
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// The error as an API's response body ([`ErrorBody`]).
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
            document: self.document().map(str::to_owned),
            problems: self.problems(),
            details: self.details(),
        }
    }
}

/// Serialized as its [`ErrorBody`].
impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body().serialize(serializer)
    }
}

/// The family of an error: what a program matches on, the same in Rust, Python
/// (`LmsError.code`) and Node (`err.code`, as `LMS_` + upper case). [`ErrorCode::as_str`]
/// is the stable spelling; [`ErrorCode::http_status`] the recommended HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// A document or input is invalid: [`ErrorBody::problems`] says where and why (422).
    InvalidDocument,
    /// The row does not exist or the actor may not see it (404).
    NotFound,
    /// The actor may not do this (403).
    Forbidden,
    /// The signed-in user has no profile in this database (403; a back end may create it
    /// with `ensure_profile` and retry).
    NoProfile,
    /// The student is already enrolled (409).
    AlreadyEnrolled,
    /// The student is not enrolled in the course (403).
    NotEnrolled,
    /// Every allowed attempt is used (409).
    AttemptLimitReached,
    /// A timed assessment needs `start_attempt` first (409).
    AttemptNotStarted,
    /// The answers answer no question and no blank attempt was meant (422).
    NoAnswers,
    /// Submitted after the deadline plus grace (409).
    TimeLimitExceeded,
    /// Lessons to complete first (403).
    PrerequisitesUnmet,
    /// The progress change is not allowed now (409).
    InvalidTransition,
    /// The course cannot be published yet: every reason is listed (422).
    NotPublishable,
    /// The write conflicts with the current state (409).
    Conflict,
    /// The database failed or is unreachable (503; retry later).
    Database,
}

impl ErrorCode {
    /// Every code, in the order of the docs.
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::InvalidDocument,
        ErrorCode::NotFound,
        ErrorCode::Forbidden,
        ErrorCode::NoProfile,
        ErrorCode::AlreadyEnrolled,
        ErrorCode::NotEnrolled,
        ErrorCode::AttemptLimitReached,
        ErrorCode::AttemptNotStarted,
        ErrorCode::NoAnswers,
        ErrorCode::TimeLimitExceeded,
        ErrorCode::PrerequisitesUnmet,
        ErrorCode::InvalidTransition,
        ErrorCode::NotPublishable,
        ErrorCode::Conflict,
        ErrorCode::Database,
    ];

    /// The stable spelling: `invalid_document`, `not_found`, …
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidDocument => "invalid_document",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NoProfile => "no_profile",
            ErrorCode::AlreadyEnrolled => "already_enrolled",
            ErrorCode::NotEnrolled => "not_enrolled",
            ErrorCode::AttemptLimitReached => "attempt_limit_reached",
            ErrorCode::AttemptNotStarted => "attempt_not_started",
            ErrorCode::NoAnswers => "no_answers",
            ErrorCode::TimeLimitExceeded => "time_limit_exceeded",
            ErrorCode::PrerequisitesUnmet => "prerequisites_unmet",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::NotPublishable => "not_publishable",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Database => "database",
        }
    }

    /// The recommended HTTP status of a response carrying this error (the table of
    /// `docs/api.md`).
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidDocument | ErrorCode::NoAnswers | ErrorCode::NotPublishable => 422,
            ErrorCode::NotFound => 404,
            ErrorCode::Forbidden
            | ErrorCode::NoProfile
            | ErrorCode::NotEnrolled
            | ErrorCode::PrerequisitesUnmet => 403,
            ErrorCode::AlreadyEnrolled
            | ErrorCode::AttemptLimitReached
            | ErrorCode::AttemptNotStarted
            | ErrorCode::TimeLimitExceeded
            | ErrorCode::InvalidTransition
            | ErrorCode::Conflict => 409,
            ErrorCode::Database => 503,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ErrorCode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        ErrorCode::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| Error::UnknownEnumValue {
                enum_type: "error_code",
                value: s.to_owned(),
            })
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An error as an API returns it: `{"code": "invalid_document", "message": "…",
/// "document": "answers", "problems": [{"path": "/q1/selected", "reason": "…"}],
/// "details": {…}}`. `message` is safe to show to users (no SQL, table, constraint or
/// function names); `document`, `problems` and `details` are left out when empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The family ([`ErrorCode`]).
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
    /// The document or input the problems point into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Where and why a document or input is invalid (`invalid_document`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// Structured details: `max_attempts`, `deadline`, `missing_lessons`, publishing
    /// `problems`, the `entity` and `id` not found…
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
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
            (Error::AssessmentNotOpen { opens_at: at }, "conflict"),
            (
                Error::LessonLocked {
                    lesson: l,
                    unlocks_at: at,
                },
                "conflict",
            ),
            (Error::AssessmentClosed { closed_at: at }, "conflict"),
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

#[cfg(test)]
mod code_tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::documents::InvalidDocument;

    #[test]
    fn codes_are_unique_parse_back_and_have_a_status() {
        let names: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            assert_eq!(code.as_str().parse::<ErrorCode>().unwrap(), code);
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
        assert!("nope".parse::<ErrorCode>().is_err());
        assert_eq!(ErrorCode::NotFound.http_status(), 404);
        assert_eq!(ErrorCode::InvalidDocument.http_status(), 422);
    }

    /// Every `invalid_document` error says where, with a JSON pointer, and its body
    /// carries the problems; the others carry their details.
    #[test]
    fn every_invalid_document_error_has_a_problem_with_a_pointer() {
        use crate::documents::QuestionKind;
        let l = LessonId(uuid::Uuid::nil());
        let invalid = [
            Error::UnknownEnumValue {
                enum_type: "difficulty_level",
                value: "hard".into(),
            },
            Error::PrerequisiteCycle { cycle: vec![l] },
            Error::UnknownPrerequisite {
                lesson: l,
                prerequisite: l,
            },
            Error::InvalidInput {
                field: "order",
                reason: "twice".into(),
            },
            Error::InvalidDocument(InvalidDocument::new("answers", "/q1", "bad")),
            Error::UnknownQuestion {
                question_id: "q/9".into(),
            },
            Error::AnswerKindMismatch {
                question_id: "q1".into(),
                expected: QuestionKind::Essay,
                found: QuestionKind::TrueFalse,
            },
            Error::UnknownOption {
                question_id: "q1".into(),
                option_id: "z".into(),
            },
            Error::TooManySelected {
                question_id: "q1".into(),
                selected: 2,
            },
            Error::NoQuestions,
            Error::InvalidPassingScore { value: 101 },
            Error::NotGradable {
                question_id: "q1".into(),
            },
            Error::PointsOutOfRange {
                question_id: "q1".into(),
                points: crate::documents::Points::whole(9),
                max: 2,
            },
        ];
        for e in invalid {
            assert_eq!(e.code(), ErrorCode::InvalidDocument, "{e:?}");
            let problems = e.problems();
            assert!(!problems.is_empty(), "{e:?}");
            for p in &problems {
                assert!(p.path.is_empty() || p.path.starts_with('/'), "{p:?}");
                assert!(!p.reason.is_empty());
            }
            assert!(e.document().is_some(), "{e:?}");
            let body = serde_json::to_value(&e).unwrap();
            assert_eq!(body["code"], "invalid_document");
            assert_eq!(body["problems"].as_array().unwrap().len(), problems.len());
        }
        assert_eq!(
            Error::UnknownQuestion {
                question_id: "q/9".into()
            }
            .problems()[0]
                .path,
            "/q~19"
        );
        let limit = serde_json::to_value(Error::AttemptLimitReached { max: 3 }).unwrap();
        assert_eq!(
            limit,
            serde_json::json!({
                "code": "attempt_limit_reached",
                "message": "attempt limit reached: at most 3 attempts are allowed",
                "details": {"max_attempts": 3}
            })
        );
        let missing = Error::PrerequisitesUnmet { missing: vec![l] }.body();
        assert_eq!(missing.details["missing_lessons"], serde_json::json!([l]));
        assert!(missing.problems.is_empty());
    }
}

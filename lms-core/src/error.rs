//! The one error type of `lms-core`, with a stable machine-readable [`Error::code`].

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
}

impl Error {
    /// The stable code of this error's family (`invalid_document`, `not_found`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownEnumValue { .. } => "invalid_document",
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
        }
    }
}

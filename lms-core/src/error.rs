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
}

impl Error {
    /// The stable code of this error's family (`invalid_document`, `not_found`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownEnumValue { .. } => "invalid_document",
        }
    }
}

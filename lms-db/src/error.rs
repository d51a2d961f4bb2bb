//! The error type of `lms-db`: domain errors of `lms-core`, database failures mapped to
//! the same families, never SQL text in a message meant for users.

use lms_core::model::UserId;

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a use case or repository call can refuse.
///
/// [`Error::code`] is the stable family (`not_found`, `forbidden`, `already_enrolled`, …)
/// that the Python and Node bindings carry. The `Display` text is safe to show to a
/// user; the underlying database error, when there is one, is only reachable through
/// [`std::error::Error::source`] (for logs).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A domain rule refused (invalid document, attempt limit, prerequisites, …).
    #[error(transparent)]
    Core(#[from] lms_core::Error),

    /// The row does not exist, or the actor may not see it (Row Level Security shows
    /// both the same way).
    #[error("{entity} {id} not found")]
    NotFound {
        /// Kind of row: `course`, `lesson`, …
        entity: &'static str,
        /// Its id.
        id: String,
    },

    /// The actor is not allowed to do this.
    #[error("forbidden: {reason}")]
    Forbidden {
        /// What was refused and why.
        reason: String,
    },

    /// The student is already enrolled in the course.
    #[error("already enrolled in course {course}")]
    AlreadyEnrolled {
        /// The course.
        course: String,
    },

    /// The student is not enrolled in the course the action belongs to.
    #[error("not enrolled in course {course}")]
    NotEnrolled {
        /// The course.
        course: String,
    },

    /// The write conflicts with the current state of the data (a duplicate, a stale
    /// reference, a concurrent change that could not be serialized).
    #[error("conflict: {reason}")]
    Conflict {
        /// What conflicted.
        reason: String,
    },

    /// A value breaks one of the database's checks (the last line of defence behind
    /// lms-core's validation): names the constraint.
    #[error("invalid value: violates {constraint}")]
    Constraint {
        /// The constraint's name.
        constraint: String,
    },

    /// An instructor still owns courses and no successor was named.
    #[error("user {user} still owns {courses} course(s): name a successor instructor")]
    SuccessorRequired {
        /// The user to erase.
        user: UserId,
        /// How many courses they own.
        courses: i64,
    },

    /// The database failed (connection lost, timeout, an unexpected error). The cause
    /// is kept for logs, not shown.
    #[error("database error")]
    Database(#[source] sqlx::Error),

    /// Applying the migrations failed.
    #[error("migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

impl Error {
    /// The stable code of this error's family.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Core(e) => e.code(),
            Error::NotFound { .. } => "not_found",
            Error::Forbidden { .. } => "forbidden",
            Error::AlreadyEnrolled { .. } => "already_enrolled",
            Error::NotEnrolled { .. } => "not_enrolled",
            Error::Conflict { .. } | Error::SuccessorRequired { .. } => "conflict",
            Error::Constraint { .. } => "invalid_document",
            Error::Database(_) | Error::Migrate(_) => "database",
        }
    }

    /// A not-found error for `entity` with `id`.
    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// A forbidden error.
    pub(crate) fn forbidden(reason: impl Into<String>) -> Self {
        Error::Forbidden {
            reason: reason.into(),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::Migrate(e)
    }
}

/// Maps a database error to its domain meaning by SQLSTATE and constraint name; what has
/// no domain meaning stays [`Error::Database`].
impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        let sqlx::Error::Database(db) = &e else {
            return Error::Database(e);
        };
        let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
        let constraint = db.constraint().unwrap_or_default().to_owned();
        match (code.as_str(), constraint.as_str()) {
            ("23505", "enrollments_student_course_key") => Error::AlreadyEnrolled {
                course: String::new(),
            },
            ("23505", "assessment_attempts_number_key") => Error::Conflict {
                reason: "an attempt with this number already exists".into(),
            },
            ("23505", "idx_profiles_email") => Error::Conflict {
                reason: "this e-mail address is already used".into(),
            },
            ("23505", "idx_lessons_order") => Error::Conflict {
                reason: "another lesson of the course has this position".into(),
            },
            ("23505", "idx_content_blocks_order") => Error::Conflict {
                reason: "another block of the lesson has this position".into(),
            },
            ("23505", _) => Error::Conflict {
                reason: format!("duplicate value ({constraint})"),
            },
            ("23503", "courses_instructor_id_fkey") => Error::Conflict {
                reason: "the instructor still owns courses".into(),
            },
            ("23503", "lessons_prerequisites_same_course") => Error::Conflict {
                reason: "a prerequisite is not a lesson of the same course".into(),
            },
            ("23503", _) => Error::Conflict {
                reason: format!("a referenced row does not exist ({constraint})"),
            },
            ("23514", _) | ("23502", _) | ("22P02", _) | ("22003", _) => Error::Constraint {
                constraint: if constraint.is_empty() {
                    code
                } else {
                    constraint
                },
            },
            ("P0002", _) => Error::NotFound {
                entity: "row",
                id: String::from("(no such row)"),
            },
            ("42501", _) => {
                Error::forbidden("the database's privileges or row level security refused it")
            }
            ("40001", _) | ("40P01", _) => Error::Conflict {
                reason: "a concurrent change could not be serialized; retry".into(),
            },
            _ => Error::Database(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_errors_do_not_leak_sql_text() {
        let e = Error::Database(sqlx::Error::Protocol("select secret from x".into()));
        assert_eq!(e.to_string(), "database error");
        assert_eq!(e.code(), "database");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn core_errors_keep_their_code() {
        let e: Error = lms_core::Error::AttemptLimitReached { max: 3 }.into();
        assert_eq!(e.code(), "attempt_limit_reached");
        assert_eq!(
            e.to_string(),
            "attempt limit reached: at most 3 attempts are allowed"
        );
    }
}

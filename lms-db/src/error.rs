//! The error type of `lms-db`: domain errors of `lms-core`, database failures mapped to
//! the same families ([`ErrorCode`]), never SQL, a table, a constraint or a function name
//! in a message meant for users.

use lms_core::documents::{InvalidDocument, Problem};
use lms_core::model::UserId;
use lms_core::{ErrorBody, ErrorCode};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a use case or repository call can refuse.
///
/// [`Error::code`] is the stable family ([`ErrorCode`]: `not_found`, `forbidden`,
/// `already_enrolled`, …) that the Python and Node bindings carry, with its recommended
/// HTTP status ([`ErrorCode::http_status`]); [`Error::problems`] says where an input is
/// invalid, [`Error::details`] what else a program needs, and [`Error::body`] (also the
/// `Serialize` form) is all of it as an API response. The `Display` text is safe to show
/// to a user; the underlying database error, when there is one, is only reachable
/// through [`std::error::Error::source`] (for logs).
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
    #[error("{reason}")]
    Forbidden {
        /// What was refused and why.
        reason: String,
    },

    /// The signed-in user has no profile in this database: every call of their scope is
    /// refused so, until one exists (`Scope::ensure_profile`, or Supabase's sign-up
    /// trigger).
    #[error("user {user} has no profile in this database")]
    NoProfile {
        /// The user of the scope.
        user: UserId,
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
    #[error("{reason}")]
    Conflict {
        /// What conflicted.
        reason: String,
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
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Core(e) => e.code(),
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Forbidden { .. } => ErrorCode::Forbidden,
            Error::NoProfile { .. } => ErrorCode::NoProfile,
            Error::AlreadyEnrolled { .. } => ErrorCode::AlreadyEnrolled,
            Error::NotEnrolled { .. } => ErrorCode::NotEnrolled,
            Error::Conflict { .. } | Error::SuccessorRequired { .. } => ErrorCode::Conflict,
            Error::Database(_) | Error::Migrate(_) => ErrorCode::Database,
        }
    }

    /// The domain error inside, if this is one.
    pub fn as_core(&self) -> Option<&lms_core::Error> {
        match self {
            Error::Core(e) => Some(e),
            _ => None,
        }
    }

    /// Where and why an input is invalid: never empty for `invalid_document`, empty for
    /// the other codes (see `lms_core::Error::problems`).
    pub fn problems(&self) -> Vec<Problem> {
        self.as_core()
            .map(lms_core::Error::problems)
            .unwrap_or_default()
    }

    /// The document or input the [`Error::problems`] point into.
    pub fn document(&self) -> Option<&'static str> {
        self.as_core().and_then(lms_core::Error::document)
    }

    /// Structured details beyond the message (an object; empty when there are none):
    /// the `entity` and `id` not found, the `course`, the attempt limit, the deadline…
    pub fn details(&self) -> Map<String, Value> {
        let value = match self {
            Error::Core(e) => return e.details(),
            Error::NotFound { entity, id } => json!({"entity": entity, "id": id}),
            Error::NoProfile { user } => json!({ "user_id": user }),
            Error::AlreadyEnrolled { course } | Error::NotEnrolled { course } => {
                json!({ "course_id": course })
            }
            Error::SuccessorRequired { user, courses } => {
                json!({"reason": "successor_required", "user_id": user, "courses": courses})
            }
            _ => Value::Null,
        };
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// The error as an API's response body: code, message, problems, details.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
            document: self.document().map(str::to_owned),
            problems: self.problems(),
            details: self.details(),
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

    /// An `invalid_document` error with one problem at `/field` of `document`.
    pub(crate) fn invalid(document: &'static str, field: &str, reason: impl Into<String>) -> Self {
        let path = if field.is_empty() {
            String::new()
        } else {
            format!("/{}", field.replace('~', "~0").replace('/', "~1"))
        };
        Error::Core(InvalidDocument::new(document, &path, reason).into())
    }
}

/// Serialized as its [`Error::body`].
impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body().serialize(serializer)
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::Migrate(e)
    }
}

/// The name of a row of `table` in errors (`course` for `courses`).
fn singular(table: &str) -> &'static str {
    match table {
        "profiles" => "profile",
        "courses" => "course",
        "lessons" => "lesson",
        "content_blocks" => "content_block",
        "assessments" => "assessment",
        "enrollments" => "enrollment",
        "assessment_attempts" => "attempt",
        "student_progress" => "progress",
        "personalized_roadmaps" => "roadmap",
        "learning_progress" => "learning_progress",
        "accommodations" => "accommodation",
        "course_staff" => "course_staff",
        _ => "input",
    }
}

/// The field and reason a check constraint stands for. Constraint names follow
/// `<table>_<column>_<rule>`; the few others are named here.
fn check_problem(table: &str, constraint: &str) -> (String, &'static str) {
    match constraint {
        "lessons_not_own_prerequisite" => {
            return (
                "prerequisites".into(),
                "a lesson cannot be its own prerequisite",
            )
        }
        "lessons_prerequisites_acyclic" => {
            return (
                "prerequisites".into(),
                "the prerequisites would form a cycle",
            )
        }
        "assessments_lesson_xor_course" => {
            return (
                "owner".into(),
                "an assessment belongs to a lesson or to a course, not both",
            )
        }
        "profiles_avatar_url_https" => return ("avatar_url".into(), "must be an https URL"),
        "assessments_closes_after_opens" => return ("closes_at".into(), "must be after opens_at"),
        "assessments_due_after_opens" => return ("due_at".into(), "must be after opens_at"),
        "assessments_due_before_closes" | "accommodations_due_before_closes" => {
            return ("due_at".into(), "must not be after closes_at")
        }
        "assessments_late_policy_complete" | "courses_late_policy_complete" => {
            return (
                "late_policy".into(),
                "sets the deduction, its interval and the floor together",
            )
        }
        "assessments_late_deduction_interval_known" | "courses_late_deduction_interval_known" => {
            return ("late_policy/interval".into(), "must be hour or day")
        }
        "assessments_late_deduction_percent_range" | "courses_late_deduction_percent_range" => {
            return (
                "late_policy/deduction_percent".into(),
                "must be from 0 to 100",
            )
        }
        "assessments_late_floor_percent_range" | "courses_late_floor_percent_range" => {
            return ("late_policy/floor_percent".into(), "must be from 0 to 100")
        }
        "assessments_late_missing_percent_range" | "courses_late_missing_percent_range" => {
            return (
                "late_policy/missing_percent".into(),
                "must be from 0 to 100",
            )
        }
        "assessments_late_missing_with_policy" | "courses_late_missing_with_policy" => {
            return (
                "late_policy/missing_percent".into(),
                "is part of a late policy: set the deduction, its interval and the floor too",
            )
        }
        _ => {}
    }
    let rest = constraint
        .strip_prefix(table)
        .and_then(|r| r.strip_prefix('_'))
        .unwrap_or(constraint);
    for (rule, reason) in [
        ("_not_blank", "must not be blank"),
        ("_non_negative", "must not be negative"),
        ("_positive", "must be positive"),
        ("_range", "is out of range"),
        ("_object", "must be a JSON object"),
        ("_array", "must be a JSON array"),
    ] {
        if let Some(field) = rest.strip_suffix(rule) {
            return (field.to_owned(), reason);
        }
    }
    (String::new(), "breaks a rule of the stored data")
}

/// Maps a database error to its domain meaning by SQLSTATE and constraint name; what has
/// no domain meaning stays [`Error::Database`]. Input the database cannot store (a NUL
/// character, a number out of range, a value breaking a check) is `invalid_document`
/// naming the field where the database says which; the use cases check their text
/// inputs before, so that they can name it always.
impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        let sqlx::Error::Database(db) = &e else {
            return Error::Database(e);
        };
        let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
        let constraint = db.constraint().unwrap_or_default().to_owned();
        let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
        let table = pg.and_then(|p| p.table()).unwrap_or_default().to_owned();
        let column = pg.and_then(|p| p.column()).unwrap_or_default().to_owned();
        match (code.as_str(), constraint.as_str()) {
            ("23505", "enrollments_student_course_key") => Error::AlreadyEnrolled {
                course: String::new(),
            },
            ("23505", "assessment_attempts_number_key") => Error::Conflict {
                reason: "an attempt with this number already exists".into(),
            },
            ("23505", "idx_profiles_email") | ("23505", "users_email_key") => Error::Conflict {
                reason: "this e-mail address is already used".into(),
            },
            ("23505", "idx_lessons_order") => Error::Conflict {
                reason: "another lesson of the course has this position".into(),
            },
            ("23505", "idx_content_blocks_order") => Error::Conflict {
                reason: "another block of the lesson has this position".into(),
            },
            ("23505", _) => Error::Conflict {
                reason: "a value that must be unique is already used".into(),
            },
            // writing a course whose instructor is no user ("insert or update on table
            // courses …"), not deleting a user who still owns courses
            ("23503", "courses_instructor_id_fkey")
                if db.message().starts_with("insert or update") =>
            {
                Error::invalid("course", "instructor_id", "no user has this id")
            }
            ("23503", "courses_instructor_id_fkey") => Error::Conflict {
                reason: "the instructor still owns courses".into(),
            },
            ("23514", "assessments_draw_within_questions") => Error::invalid(
                "assessment",
                "draw_questions",
                "must draw at least 1 and at most every one of the assessment's questions",
            ),
            ("23514", "course_staff_not_enrolled") => Error::Conflict {
                reason: "a student of the course cannot be on its staff".into(),
            },
            ("23514", "course_staff_not_instructor") => Error::Conflict {
                reason: "the course's instructor is not on its staff".into(),
            },
            ("23514", "enrollments_not_staff") => Error::Conflict {
                reason: "a member of the course's staff cannot enrol in it".into(),
            },
            ("23514", "enrollments_not_instructor") => Error::Conflict {
                reason: "the course's instructor cannot enrol in it".into(),
            },
            ("23514", "course_staff_co_instructor_role") => Error::Conflict {
                reason: "a co-instructor must be an instructor or an admin".into(),
            },
            ("23514", "courses_instructor_not_enrolled") => Error::Conflict {
                reason: "a student of the course cannot become its instructor".into(),
            },
            ("23503", "course_staff_user_id_fkey") => {
                Error::invalid("course_staff", "user_id", "no user has this id")
            }
            ("23503", "accommodations_student_id_fkey") => {
                Error::invalid("accommodation", "student_id", "no user has this id")
            }
            ("23503", "lessons_prerequisites_same_course") => Error::Conflict {
                reason: "a prerequisite is not a lesson of the same course".into(),
            },
            ("23503", _) => Error::Conflict {
                reason: "a referenced row does not exist (or is still referenced)".into(),
            },
            ("23514", _) => {
                let (field, reason) = check_problem(&table, &constraint);
                Error::invalid(singular(&table), &field, reason)
            }
            ("23502", _) => Error::invalid(singular(&table), &column, "is required"),
            // data the database cannot take: a NUL character or an invalid encoding
            // (22021, 22P05), a number or text out of range (22003, 22001), a malformed
            // value (22P02, 22007, 22008)
            (c, _) if c.starts_with("22") => Error::invalid(
                singular(&table),
                &column,
                match c {
                    "22021" | "22P05" => "holds a character the database cannot store (NUL)",
                    "22003" => "is out of the range the database stores",
                    "22001" => "is longer than the database stores",
                    _ => "is not a value of the expected kind",
                },
            ),
            ("P0002", _) => Error::NotFound {
                entity: "row",
                id: String::from("(unknown)"),
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
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"code": "database", "message": "database error"})
        );
    }

    #[test]
    fn core_errors_keep_their_code() {
        let e: Error = lms_core::Error::AttemptLimitReached { max: 3 }.into();
        assert_eq!(e.code(), ErrorCode::AttemptLimitReached);
        assert_eq!(
            e.to_string(),
            "attempt limit reached: at most 3 attempts are allowed"
        );
        assert_eq!(e.details()["max_attempts"], 3);
    }

    #[test]
    fn check_constraints_name_their_field() {
        for (table, constraint, field, reason) in [
            (
                "courses",
                "courses_estimated_duration_positive",
                "estimated_duration",
                "must be positive",
            ),
            (
                "lessons",
                "lessons_order_index_non_negative",
                "order_index",
                "must not be negative",
            ),
            (
                "courses",
                "courses_title_not_blank",
                "title",
                "must not be blank",
            ),
            (
                "assessments",
                "assessments_minimum_passing_score_range",
                "minimum_passing_score",
                "is out of range",
            ),
            (
                "lessons",
                "lessons_not_own_prerequisite",
                "prerequisites",
                "a lesson cannot be its own prerequisite",
            ),
        ] {
            assert_eq!(
                check_problem(table, constraint),
                (field.to_owned(), reason),
                "{constraint}"
            );
        }
        let e = Error::invalid("course", "title", "must not be blank");
        assert_eq!(e.code(), ErrorCode::InvalidDocument);
        assert_eq!(e.problems()[0].path, "/title");
        assert_eq!(e.document(), Some("course"));
        assert!(!e.to_string().contains("courses_"), "{e}");
    }
}

//! # lms-db
//!
//! PostgreSQL storage for `lms`, with sqlx: the embedded migrations ([`MIGRATOR`]), the
//! [`Lms`] handle, actor-scoped handles ([`Scope`]) whose use cases each run in one
//! transaction under the actor's session context (Row Level Security), and the
//! repositories of `lms_core::repo`.
//!
//! `lms-core` decides, `lms-db` does: every rule (scores, limits, transitions,
//! prerequisites, publishing) is a pure function of `lms-core`; a use case here loads the
//! values, calls the rule and writes the outcome, all in one transaction.
//!
//! ## Reads, writes and the trusted path
//! A [`Scope`] made by [`Lms::as_user`] opens each transaction with
//! `set local role authenticated` and the user's id in `request.jwt.claims`, so what it
//! reads and the authoring it writes pass through the database's policies exactly as a
//! Supabase client's would; one made by [`Lms::as_anon`] does the same as `anon`, for
//! visitors who are not signed in. What the library computes and no user may write directly —
//! attempt scores, feedback, `student_progress`, enrollment completion — is written on
//! the trusted path (`set local role service_role`, transaction-local) after the actor's
//! right to act was established under their own role.

pub mod analytics;
mod attempts;
mod audit;
mod authoring;
mod delivery;
pub mod documents;
pub mod error;
mod grades;
mod learning;
mod people;
pub mod repos;
mod roadmaps;
mod rows;
mod session;
mod staff;

pub use analytics::{
    ActivityPoint, AnswerCount, AtRiskReport, AtRiskStudent, AttemptFilter, Bucket,
    CompletionFunnel, DashboardCourse, FunnelStep, GradeSummary, Gradebook, GradebookEntry,
    ItemAnalysis, ItemReport, OptionShare, StudentDashboard,
};
pub use attempts::{
    ClosedAs, ClosedAttempt, ClosedAttempts, RegradeChange, RegradeReport, StartedAttempt,
    SubmitOptions, SubmittedAttempt,
};
pub use audit::{AuditAction, AuditActorRole, AuditEntry, AuditFilter};
pub use authoring::OutlineLesson;
pub use delivery::NewAccommodation;
pub use documents::{DocumentRepair, DocumentReport};
pub use error::{Error, Result};
pub use grades::{CourseGrades, StudentCourseGrade};
pub use learning::MyEnrollment;
pub use lms_core::{ErrorBody, ErrorCode};
pub use people::{Erasure, UserExport};
pub use roadmaps::{CourseRoadmap, FittedModel, ProposalOutcome, Regenerated, RegenerationFailure};
pub use session::{Actor, Lms, PoolStats, Scope, Tx};
/// The sqlx this crate is built with, for [`Lms::connect_with`], [`Lms::from_pool`] and
/// queries of your own, without a second, mismatched sqlx dependency.
pub use sqlx;

/// The schema migrations of `migrations/`, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

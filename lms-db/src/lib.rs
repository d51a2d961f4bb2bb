//! # lms-db
//!
//! PostgreSQL storage for `lms`: the embedded migrations, and (later) repositories and
//! transactional use cases.

/// The schema migrations of `migrations/`, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

//! # lms-core
//!
//! The pure domain rules of the `lms` learning-management data layer: typed entities and
//! ids, validated JSONB documents, scoring, attempt and time limits, lesson prerequisites,
//! progress transitions, publishing rules, knowledge tracing and roadmap planning
//! ([`roadmap`]) and the repository traits that `lms-db` implements. No I/O happens here:
//! every rule is a function over plain values.

pub mod analytics;
pub mod attempts;
pub mod calls;
pub mod delivery;
pub mod documents;
pub mod error;
pub mod grading;
pub mod model;
pub mod prerequisites;
pub mod progress;
pub mod publish;
pub mod repo;
pub mod roadmap;
pub mod scoring;

pub use error::{Error, ErrorBody, ErrorCode, Result};

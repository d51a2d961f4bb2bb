//! # lms
//!
//! The data layer of a personalized learning-management system. This facade re-exports
//! the two crates: [`core`] (pure domain rules) and [`db`] (PostgreSQL storage).

pub use lms_core as core;
pub use lms_db as db;

/// The README's Rust examples, compiled as doctests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

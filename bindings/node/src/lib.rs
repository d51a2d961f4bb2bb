//! `@lms/native`: the Node.js bindings of lms (napi-rs). Thin by design: each function
//! converts its arguments, calls the Rust library (`lms_core` for the pure rules, which
//! are synchronous; `lms_db` for the database, whose calls return Promises run on napi's
//! tokio runtime) and converts the result or the error; no rule is written here.

// napi's macros register the exports only outside `cfg(test)`, where they look unused
#![cfg_attr(test, allow(dead_code))]

mod client;
mod convert;
mod errors;
mod logs;
mod rules;

/// mimalloc for the Rust side of the module: `scoreMany` parses sheets on the JavaScript
/// thread while another thread scores and frees them, which the system allocator makes
/// contend (measured here: scoring 40 % slower beside the parsing); the values that cross
/// to JavaScript are copies, so the two allocators never free each other's memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

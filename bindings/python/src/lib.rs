//! `lms._native`: the Python bindings of lms. Thin by design: each function converts its
//! arguments, calls the Rust library (`lms_core` for the pure rules, `lms_db` for the
//! database) and converts the result or the error; no rule is written here.

mod client;
mod convert;
mod errors;
mod logs;
mod rules;
mod runtime;

/// mimalloc for the Rust side of the module: `score_many` converts sheets on the calling
/// thread while another thread scores and frees them, which the system allocator makes
/// contend (the scoring thread ran about 40 % slower); values crossing to Python are
/// copies, so the two allocators never free each other's memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pyo3::prelude::*;

/// The native module of the `lms` package (import `lms`, not this).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logs::install();
    errors::register(m)?;
    rules::register(m)?;
    m.add_function(wrap_pyfunction!(client::connect, m)?)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::Scope>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

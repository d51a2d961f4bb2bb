//! `lms._native`: the Python bindings of lms. Thin by design: each function converts its
//! arguments, calls the Rust library (`lms_core` for the pure rules, `lms_db` for the
//! database) and converts the result or the error; no rule is written here.

mod client;
mod convert;
mod errors;
mod rules;
mod runtime;

use pyo3::prelude::*;

/// The native module of the `lms` package (import `lms`, not this).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    rules::register(m)?;
    m.add_function(wrap_pyfunction!(client::connect, m)?)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::Scope>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

//! The one tokio runtime of the module, and fork safety.
//!
//! A runtime's worker threads do not survive `fork()`: a child that used the parent's
//! runtime would hang. So the runtime is tagged with the process that made it, and a
//! forked child makes its own on first use (the parent's is left alone, never dropped in
//! the child, whose copy has no threads). Connection pools cannot cross a fork either
//! (their sockets are the parent's): a `Client` remembers its process and refuses to work
//! in another one ([`same_process`]).

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;

static RUNTIME: Mutex<Option<(u32, Arc<tokio::runtime::Runtime>)>> = Mutex::new(None);

/// The runtime of this process, made on first use.
pub fn runtime() -> PyResult<Arc<tokio::runtime::Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((owner, rt)) = slot.as_ref() {
        if *owner == pid {
            return Ok(Arc::clone(rt));
        }
    }
    if let Some((_, parents)) = slot.take() {
        // the parent's runtime: its threads are not in this process
        std::mem::forget(parents);
    }
    let rt = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lms-python")
            .enable_all()
            .build()
            .map_err(|e| {
                pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start the runtime: {e}"))
            })?,
    );
    *slot = Some((pid, Arc::clone(&rt)));
    Ok(rt)
}

/// Runs `fut` to completion on the runtime without holding the GIL (other Python
/// threads run meanwhile).
pub fn block_on<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    let rt = runtime()?;
    Ok(py.detach(move || rt.block_on(fut)))
}

/// Refuses to use what process `owner` made (a client) in another process.
pub fn same_process(py: Python<'_>, owner: u32) -> PyResult<()> {
    if owner == std::process::id() {
        Ok(())
    } else {
        Err(crate::errors::usage(
            py,
            "this client was made in another process (before a fork): call lms.connect() again in this one",
        ))
    }
}

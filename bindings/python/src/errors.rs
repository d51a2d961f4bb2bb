//! The exceptions: `LmsError` and one subclass per `ErrorCode`, all the mapping in one
//! place.
//!
//! Each raised exception carries `code` (the Rust `ErrorCode::as_str()`), `http_status`
//! (the status `ErrorCode::http_status()` recommends), `message`,
//! `document`, `problems` (a list of `(path, reason)` tuples), `details` (a dict), and
//! each detail as an attribute of its own (`max_attempts`, `missing_lessons`,
//! `deadline`…), with the short names `max` and `missing` beside the two most used.

use lms_core::ErrorCode;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::convert::to_py;

create_exception!(
    lms,
    LmsError,
    PyException,
    "Every refusal of the library: `code` is the stable code, `problems` and `details` say more."
);
create_exception!(
    lms,
    InvalidDocument,
    LmsError,
    "A document or input is invalid: `problems` say where and why."
);
create_exception!(
    lms,
    NotFound,
    LmsError,
    "The row does not exist or may not be seen."
);
create_exception!(lms, Forbidden, LmsError, "The actor may not do this.");
create_exception!(
    lms,
    NoProfile,
    LmsError,
    "The signed-in user has no profile in this database."
);
create_exception!(
    lms,
    AlreadyEnrolled,
    LmsError,
    "The student is already enrolled."
);
create_exception!(
    lms,
    NotEnrolled,
    LmsError,
    "The student is not enrolled in the course."
);
create_exception!(
    lms,
    AttemptLimitReached,
    LmsError,
    "Every allowed attempt is used (`max`)."
);
create_exception!(
    lms,
    AttemptNotStarted,
    LmsError,
    "A timed assessment needs `start_attempt` first."
);
create_exception!(
    lms,
    NoAnswers,
    LmsError,
    "The answers answer no question (pass allow_empty=True for a blank attempt)."
);
create_exception!(
    lms,
    TimeLimitExceeded,
    LmsError,
    "Submitted after the deadline plus grace."
);
create_exception!(
    lms,
    PrerequisitesUnmet,
    LmsError,
    "Lessons to complete first (`missing`)."
);
create_exception!(
    lms,
    InvalidTransition,
    LmsError,
    "The progress change is not allowed now."
);
create_exception!(
    lms,
    NotPublishable,
    LmsError,
    "The course cannot be published yet (`details['problems']`)."
);
create_exception!(
    lms,
    Conflict,
    LmsError,
    "The write conflicts with the current state."
);
create_exception!(
    lms,
    DatabaseError,
    LmsError,
    "The database failed or is unreachable."
);

/// Registers the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("LmsError", py.get_type::<LmsError>())?;
    m.add("InvalidDocument", py.get_type::<InvalidDocument>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("Forbidden", py.get_type::<Forbidden>())?;
    m.add("NoProfile", py.get_type::<NoProfile>())?;
    m.add("AlreadyEnrolled", py.get_type::<AlreadyEnrolled>())?;
    m.add("NotEnrolled", py.get_type::<NotEnrolled>())?;
    m.add("AttemptLimitReached", py.get_type::<AttemptLimitReached>())?;
    m.add("AttemptNotStarted", py.get_type::<AttemptNotStarted>())?;
    m.add("NoAnswers", py.get_type::<NoAnswers>())?;
    m.add("TimeLimitExceeded", py.get_type::<TimeLimitExceeded>())?;
    m.add("PrerequisitesUnmet", py.get_type::<PrerequisitesUnmet>())?;
    m.add("InvalidTransition", py.get_type::<InvalidTransition>())?;
    m.add("NotPublishable", py.get_type::<NotPublishable>())?;
    m.add("Conflict", py.get_type::<Conflict>())?;
    m.add("DatabaseError", py.get_type::<DatabaseError>())?;
    Ok(())
}

/// The class of `code`.
fn class(py: Python<'_>, code: ErrorCode) -> Bound<'_, pyo3::types::PyType> {
    match code {
        ErrorCode::InvalidDocument => py.get_type::<InvalidDocument>(),
        ErrorCode::NotFound => py.get_type::<NotFound>(),
        ErrorCode::Forbidden => py.get_type::<Forbidden>(),
        ErrorCode::NoProfile => py.get_type::<NoProfile>(),
        ErrorCode::AlreadyEnrolled => py.get_type::<AlreadyEnrolled>(),
        ErrorCode::NotEnrolled => py.get_type::<NotEnrolled>(),
        ErrorCode::AttemptLimitReached => py.get_type::<AttemptLimitReached>(),
        ErrorCode::AttemptNotStarted => py.get_type::<AttemptNotStarted>(),
        ErrorCode::NoAnswers => py.get_type::<NoAnswers>(),
        ErrorCode::TimeLimitExceeded => py.get_type::<TimeLimitExceeded>(),
        ErrorCode::PrerequisitesUnmet => py.get_type::<PrerequisitesUnmet>(),
        ErrorCode::InvalidTransition => py.get_type::<InvalidTransition>(),
        ErrorCode::NotPublishable => py.get_type::<NotPublishable>(),
        ErrorCode::Conflict => py.get_type::<Conflict>(),
        ErrorCode::Database => py.get_type::<DatabaseError>(),
        _ => py.get_type::<LmsError>(),
    }
}

/// The exception of a library error body.
pub fn from_body(py: Python<'_>, body: &lms_core::ErrorBody) -> PyErr {
    match build(py, body) {
        Ok(err) => err,
        Err(failed) => failed,
    }
}

fn build(py: Python<'_>, body: &lms_core::ErrorBody) -> PyResult<PyErr> {
    let instance = class(py, body.code).call1((body.message.as_str(),))?;
    instance.setattr("code", body.code.as_str())?;
    instance.setattr("http_status", body.code.http_status())?;
    instance.setattr("message", body.message.as_str())?;
    instance.setattr("document", body.document.as_deref())?;
    let problems = PyList::empty(py);
    for p in &body.problems {
        problems.append(PyTuple::new(py, [p.path.as_str(), p.reason.as_str()])?)?;
    }
    instance.setattr("problems", problems)?;
    let details = to_py(py, &serde_json::Value::Object(body.details.clone()), None)?;
    instance.setattr("details", &details)?;
    for (key, value) in &body.details {
        instance.setattr(key.as_str(), to_py(py, value, Some(key))?)?;
    }
    for (short, long) in [("max", "max_attempts"), ("missing", "missing_lessons")] {
        if let Some(value) = body.details.get(long) {
            instance.setattr(short, to_py(py, value, Some(long))?)?;
        }
    }
    Ok(PyErr::from_value(instance))
}

/// A library error as its exception.
pub fn db(py: Python<'_>, e: &lms_db::Error) -> PyErr {
    from_body(py, &e.body())
}

/// A rule's error as its exception.
pub fn core(py: Python<'_>, e: &lms_core::Error) -> PyErr {
    from_body(py, &e.body())
}

/// An `LmsError` (code `database`) the binding raises itself: a client used after
/// `close()` or after `fork()`.
pub fn usage(py: Python<'_>, message: &str) -> PyErr {
    from_body(
        py,
        &lms_core::ErrorBody {
            code: ErrorCode::Database,
            message: message.to_owned(),
            document: None,
            problems: Vec::new(),
            details: Default::default(),
        },
    )
}

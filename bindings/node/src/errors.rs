//! The errors: every refusal of the library rejects (or throws) an `Error` whose `code`
//! is `LMS_` + the Rust `ErrorCode` in upper case (`LMS_ATTEMPT_LIMIT_REACHED`), with
//! `message`, `httpStatus`, `document`, `problems` (`[{path, reason}]`), `details` (an
//! object, camelCase keys), `body` (the library's error body for an HTTP response, as
//! the Rust `ErrorBody` serializes) and, for the common ones, `max` and `missing`. A value
//! JavaScript cannot hand over is a `TypeError` with code `LMS_INVALID_ARGUMENT`. All the
//! mapping is here.

use napi::bindgen_prelude::*;
use serde_json::Value;

use crate::convert::{camelize, to_js};

/// The JavaScript code of an error code: `LMS_` + upper case.
pub fn js_code(code: lms_core::ErrorCode) -> String {
    format!("LMS_{}", code.as_str().to_uppercase())
}

/// An `Error` object built from a library error body, as a `napi::Error` that rejects or
/// throws exactly that object.
pub fn from_body(env: &Env, body: &lms_core::ErrorBody) -> Error {
    build(env, body).unwrap_or_else(|e| e)
}

fn build(env: &Env, body: &lms_core::ErrorBody) -> Result<Error> {
    let mut error = env.create_error(Error::new(Status::GenericFailure, body.message.clone()))?;
    let problems: Vec<Value> = body
        .problems
        .iter()
        .map(|p| serde_json::json!({"path": p.path, "reason": p.reason}))
        .collect();
    // what an HTTP API sends: the Rust `ErrorBody` as JSON, the same bytes as the Rust
    // and Python back ends
    let wire = serde_json::to_value(body).map_err(|e| Error::from_reason(e.to_string()))?;
    let mut fields: Vec<(&str, Value)> = vec![
        ("code", Value::String(js_code(body.code))),
        ("httpStatus", body.code.http_status().into()),
        (
            "document",
            body.document.clone().map_or(Value::Null, Value::String),
        ),
        ("problems", Value::Array(problems)),
        ("details", camelize(Value::Object(body.details.clone()))),
        ("body", wire),
    ];
    for (short, long) in [("max", "max_attempts"), ("missing", "missing_lessons")] {
        if let Some(v) = body.details.get(long) {
            fields.push((short, v.clone()));
        }
    }
    // own data properties, as assignment makes them, but defined: a setter someone put on
    // Object.prototype is never called
    let mut properties = Vec::with_capacity(fields.len());
    for (name, value) in &fields {
        properties.push(
            Property::new()
                .with_utf8_name(name)?
                .with_napi_value(env, to_js(env, value)?)?,
        );
    }
    error.define_properties(&properties)?;
    Ok(Error::from(error.into_unknown(env)?))
}

/// A rule's error.
pub fn core(env: &Env, e: &lms_core::Error) -> Error {
    from_body(env, &e.body())
}

/// A `TypeError` with code `LMS_INVALID_ARGUMENT`.
pub fn invalid_argument(env: &Env, message: &str) -> Error {
    type_error(env, message).unwrap_or_else(|e| e)
}

fn type_error(env: &Env, message: &str) -> Result<Error> {
    let ctor: Function<'_, String, Unknown<'_>> =
        env.get_global()?.get_named_property("TypeError")?;
    let error = ctor.new_instance(message.to_owned())?;
    let mut error: Object<'_> = Object::from_unknown(error)?;
    error.set_named_property("code", "LMS_INVALID_ARGUMENT")?;
    Ok(Error::from(error.into_unknown(env)?))
}

/// An `LmsError`-like `Error` of the binding itself (a closed client), code
/// `LMS_DATABASE`.
pub fn usage(env: &Env, message: &str) -> Error {
    from_body(
        env,
        &lms_core::ErrorBody {
            code: lms_core::ErrorCode::Database,
            message: message.to_owned(),
            document: None,
            problems: Vec::new(),
            details: Default::default(),
        },
    )
}

//! Values between JavaScript and the library's serde forms.
//!
//! Out ([`to_js`]): the library's JSON with the field names of entities and read models
//! in camelCase (`courseId`, `createdAt`), ids as strings, times as ISO 8601 strings;
//! documents (`content`, `questions`, `answers`, `feedback`, … — the library's
//! `VERBATIM_FIELDS`) come out exactly as stored, their keys untouched.
//!
//! In ([`from_js`]): plain objects, arrays, strings, numbers, booleans and `null` (an
//! `undefined` property is left out); a whole number is an integer. Ids are strings
//! ([`id`]), validated.

use napi::bindgen_prelude::*;
use serde_json::{Map, Number, Value};

use napi::bindgen_prelude::JsObjectValue;
use napi::JsValue;

use crate::errors;

/// `snake_case` as `camelCase`.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The library's JSON with camelCase field names outside documents.
pub fn camelize(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    if lms_core::calls::VERBATIM_FIELDS.contains(&k.as_str()) {
                        (camel(&k), v)
                    } else {
                        (camel(&k), camelize(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camelize).collect()),
        other => other,
    }
}

/// The keys of a structured argument (rules, events, facts, an outline…) from
/// JavaScript's camelCase to the library's snake_case, documents inside left as they are.
pub fn snakeize(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = snake(&k);
                    if lms_core::calls::VERBATIM_FIELDS.contains(&key.as_str()) {
                        (key, v)
                    } else {
                        (key, snakeize(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(snakeize).collect()),
        other => other,
    }
}

/// `camelCase` as `snake_case`.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON value as a JavaScript value. Objects and arrays are made by V8's `JSON.parse`
/// from the text: faster than property by property, and every key an own data property
/// (a `"__proto__"` key of a document stays a key, not the object's prototype).
pub fn to_js<'env>(env: &'env Env, value: &Value) -> Result<Unknown<'env>> {
    match value {
        Value::Object(_) | Value::Array(_) => {
            let text =
                serde_json::to_string(value).map_err(|e| Error::from_reason(e.to_string()))?;
            let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
            let parse: Function<'_, String, Unknown<'_>> = json.get_named_property("parse")?;
            parse.call(text)
        }
        _ => env.to_js_value(value),
    }
}

/// Why a JavaScript value cannot be JSON, and where in it (path segments, innermost last
/// once unwound).
struct Unfit {
    path: Vec<String>,
    reason: String,
}

impl Unfit {
    fn new(reason: impl Into<String>) -> Self {
        Unfit {
            path: Vec::new(),
            reason: reason.into(),
        }
    }

    fn at(mut self, segment: impl Into<String>) -> Self {
        self.path.push(segment.into());
        self
    }

    /// `what at /a/0/b: reason`, the place as a JSON pointer (cut short when deep).
    fn describe(&self, what: &str) -> String {
        if self.path.is_empty() {
            return format!("{what}: {}", self.reason);
        }
        let segments: Vec<String> = self
            .path
            .iter()
            .rev()
            .map(|s| s.replace('~', "~0").replace('/', "~1"))
            .collect();
        let mut at = String::new();
        for segment in segments.iter().take(8) {
            at.push('/');
            at.push_str(segment);
        }
        if segments.len() > 8 {
            at.push_str("/…");
        }
        format!("{what} at {at}: {}", self.reason)
    }
}

impl From<Error> for Unfit {
    fn from(e: Error) -> Self {
        Unfit::new(e.reason)
    }
}

/// A JavaScript value (an argument named `what`) as JSON: plain objects (own enumerable
/// string keys; an `undefined` property left out, as `JSON.stringify` does), arrays,
/// strings, finite numbers (whole ones as integers), booleans and `null`. What JSON
/// cannot hold — a function, a symbol, a BigInt, a `Date` (times are ISO 8601 strings),
/// binary data, a value with `toJSON()`, `NaN`, `undefined` where a value is needed,
/// nesting deeper than `lms_core::calls::MAX_DEPTH` (which also stops a cycle) — is a
/// `TypeError` with code `LMS_INVALID_ARGUMENT` naming where it is. (`lms.js` holds
/// `scoreMany`'s sheets to the same rules, with the same messages.)
pub fn from_js(env: &Env, what: &str, value: Unknown<'_>) -> Result<Value> {
    json(value, 0).map_err(|unfit| errors::invalid_argument(env, &unfit.describe(what)))
}

fn json(value: Unknown<'_>, depth: usize) -> std::result::Result<Value, Unfit> {
    let kind = value.get_type()?;
    json_of(value, kind, depth)
}

/// [`json`] of a value whose type is known (one napi call fewer per value: this runs for
/// every value of every document, 200,000 objects for a batch of 10,000 sheets).
fn json_of(value: Unknown<'_>, kind: ValueType, depth: usize) -> std::result::Result<Value, Unfit> {
    match kind {
        ValueType::Null => Ok(Value::Null),
        ValueType::Boolean => Ok(Value::Bool(bool::from_unknown(value)?)),
        ValueType::String => Ok(Value::String(text(value)?)),
        ValueType::Number => number(f64::from_unknown(value)?),
        ValueType::BigInt => Err(Unfit::new("a BigInt cannot be JSON: pass a number")),
        ValueType::Object => {
            if depth > lms_core::calls::MAX_DEPTH {
                return Err(Unfit::new(format!(
                    "nested deeper than {} levels (or a cycle)",
                    lms_core::calls::MAX_DEPTH
                )));
            }
            let object = Object::from_unknown(value)?;
            if object.is_array()? {
                let len = object.get_array_length()?;
                if len as usize > MAX_ITEMS {
                    // a sparse array's length costs JavaScript nothing
                    return Err(Unfit::new(format!(
                        "an array of more than {MAX_ITEMS} items"
                    )));
                }
                let mut items = Vec::with_capacity((len as usize).min(1024));
                for i in 0..len {
                    let item: Unknown<'_> = object.get_element(i)?;
                    items.push(match item.get_type()? {
                        // as JSON.stringify writes a hole or `undefined` in an array
                        ValueType::Undefined => Value::Null,
                        kind => json_of(item, kind, depth + 1).map_err(|u| u.at(i.to_string()))?,
                    });
                }
                return Ok(Value::Array(items));
            }
            // own enumerable keys, as JSON.stringify reads them (symbols skipped below;
            // napi_get_property_names would add inherited ones)
            let names = object.get_all_property_names(
                KeyCollectionMode::OwnOnly,
                KeyFilter::Enumerable,
                KeyConversion::NumbersToStrings,
            )?;
            let len = names.get_array_length()?;
            if len == 0 {
                // what has no keys of its own yet is no plain object
                if object.is_date()? {
                    return Err(Unfit::new(
                        "a Date: times are ISO 8601 strings (date.toISOString())",
                    ));
                }
                if object.is_typedarray()? || object.is_arraybuffer()? || object.is_dataview()? {
                    return Err(Unfit::new("binary data cannot be JSON"));
                }
                if object.has_named_property("toJSON")? {
                    return Err(Unfit::new("a value with toJSON(): pass what it returns"));
                }
                return Ok(Value::Object(Map::new()));
            }
            if object.has_named_property("toJSON")? {
                return Err(Unfit::new(if object.is_date()? {
                    "a Date: times are ISO 8601 strings (date.toISOString())"
                } else {
                    "a value with toJSON(): pass what it returns"
                }));
            }
            let mut map = Map::new();
            for i in 0..len {
                let key: Unknown<'_> = names.get_element(i)?;
                if key.get_type()? == ValueType::Symbol {
                    continue;
                }
                let name = text(key)?;
                // a typed array's keys are its indexes
                if i == 0 && name == "0" && object.is_typedarray()? {
                    return Err(Unfit::new("binary data cannot be JSON"));
                }
                let item: Unknown<'_> = object.get_property_unchecked(key)?;
                match item.get_type()? {
                    ValueType::Undefined => {}
                    kind => {
                        let v = json_of(item, kind, depth + 1).map_err(|u| u.at(name.clone()))?;
                        map.insert(name, v);
                    }
                }
            }
            Ok(Value::Object(map))
        }
        ValueType::Undefined => Err(Unfit::new("undefined where a value is needed")),
        ValueType::Function => Err(Unfit::new("a function cannot be JSON")),
        ValueType::Symbol => Err(Unfit::new("a symbol cannot be JSON")),
        other => Err(Unfit::new(format!("a {other} cannot be JSON"))),
    }
}

/// The longest array read from JavaScript (documents hold far fewer items; a batch of
/// answer sheets may hold this many).
pub const MAX_ITEMS: usize = 1 << 20;

/// A JavaScript string as UTF-8; one with a lone surrogate (which UTF-8 cannot hold, and
/// napi would quietly replace) is refused.
fn text(value: Unknown<'_>) -> std::result::Result<String, Unfit> {
    let s = String::from_unknown(value)?;
    // napi writes U+FFFD for a lone surrogate: look closer only then
    if s.contains('\u{FFFD}') {
        let units = Utf16String::from_unknown(value)?;
        if char::decode_utf16(units.iter().copied()).any(|c| c.is_err()) {
            return Err(Unfit::new("a string with a lone surrogate cannot be UTF-8"));
        }
    }
    Ok(s)
}

/// A JavaScript number: a whole one (within 2⁵³) as an integer — the documents count in
/// integers —, any other finite one as a float.
fn number(f: f64) -> std::result::Result<Value, Unfit> {
    if !f.is_finite() {
        // as JavaScript writes them
        let shown = if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        return Err(Unfit::new(format!("{shown} is not a finite number")));
    }
    if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_991.0 {
        // -0 is 0
        return Ok(Value::Number(Number::from(f as i64)));
    }
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| Unfit::new(format!("{f} is not a finite number")))
}

/// An id argument named `what`: a UUID string.
pub fn id(env: &Env, what: &str, text: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(text)
        .map_err(|e| errors::invalid_argument(env, &format!("{what}: {text:?} is not a UUID: {e}")))
}

/// Ids, as for [`id`].
pub fn ids(env: &Env, what: &str, texts: &[String]) -> Result<Vec<uuid::Uuid>> {
    texts.iter().map(|t| id(env, what, t)).collect()
}

/// A count argument named `what` (a limit, an offset, points): a whole number from 0 to
/// 2³² − 1, or a `TypeError` (JavaScript's numbers would otherwise wrap or truncate).
pub fn count(env: &Env, what: &str, value: f64) -> Result<u32> {
    whole(env, what, value, "a whole number from 0")
}

/// `value` as the integer type `T` when it is a whole number `T` holds, else a
/// `TypeError` saying it is not `expected`.
fn whole<T: TryFrom<i64>>(env: &Env, what: &str, value: f64, expected: &str) -> Result<T> {
    // within ±2⁶³ the cast is exact for a whole number; `T` then checks its own range
    let exact = value.fract() == 0.0 && value.abs() < 9.2e18;
    exact
        .then(|| T::try_from(value as i64).ok())
        .flatten()
        .ok_or_else(|| errors::invalid_argument(env, &format!("{what}: {value} is not {expected}")))
}

/// A JSON field of an options object (a document, rules, a list of attempts), converted
/// as [`from_js`] converts arguments; what cannot be JSON fails the call with a
/// `TypeError` (code `LMS_INVALID_ARGUMENT`, see `lms.js`).
pub struct Json(pub Value);

impl TypeName for Json {
    fn type_name() -> &'static str {
        "JSON"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for Json {}

// the one unsafe item of the crate: napi hands a field over as a raw handle
#[allow(unsafe_code)]
impl FromNapiValue for Json {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        // SAFETY: `env` and `value` come from napi for this call, as for any argument
        let value = unsafe { Unknown::from_raw_unchecked(env, value) };
        json(value, 0)
            .map(Json)
            .map_err(|unfit| Error::new(Status::InvalidArg, unfit.describe("a field")))
    }
}

/// An integer argument named `what`: a whole number within 32 bits, or a `TypeError`
/// (napi would wrap 2³² + 5 to 5 and truncate 8.9 to 8).
pub fn int(env: &Env, what: &str, value: f64) -> Result<i32> {
    whole(env, what, value, "a whole number within 32 bits")
}

/// An optional integer argument, as for [`int`].
pub fn opt_int(env: &Env, what: &str, value: Option<f64>) -> Result<Option<i32>> {
    value.map(|v| int(env, what, v)).transpose()
}

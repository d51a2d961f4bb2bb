//! Values between Python and the library's serde forms.
//!
//! Python → JSON ([`to_json`]): `None`, `bool`, `int`, `float`, `str` (and `str` enums),
//! `list`/`tuple`, `dict` with `str` keys, `uuid.UUID` (as its text) and aware
//! `datetime` (as RFC 3339); anything else is a `TypeError`, a naive `datetime`, a
//! non-finite float, an integer beyond 64 bits or a nesting deeper than [`MAX_DEPTH`] a
//! `ValueError`.
//!
//! JSON → Python ([`to_py`]): the library's entities come out typed — ids as
//! `uuid.UUID`, times as aware `datetime` — by the name of their field (`id`, `…_id`,
//! `…_ids`, the lesson lists, `…_at`, `deadline`, …, days as `datetime.date`: an
//! activity bucket's `start`); JSONB documents (`content`,
//! `questions`, `answers`, `feedback`, …) come out as plain `dict`/`list`, exactly as
//! stored.

use chrono::{DateTime, Utc};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};
use uuid::Uuid;

pub use lms_core::calls::MAX_DEPTH;

/// Fields holding lists of ids.
const ID_LIST_FIELDS: [&str; 9] = [
    "dropped",
    "final_dropped",
    "missing_work",
    "prerequisites",
    "missing_lessons",
    "unlocked_lessons",
    "cycle",
    "lesson_ids",
    "source_content_ids",
];

/// Fields holding times.
const TIME_FIELDS: [&str; 5] = ["deadline", "last_accessed", "since", "until", "now"];

/// Fields holding dates (`datetime.date`).
const DATE_FIELDS: [&str; 1] = ["start"];

/// `…_id` fields that are an author's free text, not ids: a question's and an option's.
const TEXT_ID_FIELDS: [&str; 2] = ["question_id", "option_id"];

fn is_id_field(key: &str) -> bool {
    (key == "id" || key.ends_with("_id") || key == "successor") && !TEXT_ID_FIELDS.contains(&key)
}

fn is_time_field(key: &str) -> bool {
    key.ends_with("_at") || TIME_FIELDS.contains(&key)
}

/// A Python value as JSON (see the module docs).
pub fn to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json_at(value, 0)
}

fn to_json_at(value: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "nested deeper than {MAX_DEPTH} levels"
        )));
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = value.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Err(PyValueError::new_err(
            "integer too large (documents take 64-bit integers)",
        ));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err("a float must be finite (not NaN or infinity)"));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return text(s).map(Value::String);
    }
    if let Ok(list) = value.cast::<PyList>() {
        return list
            .iter()
            .map(|v| to_json_at(&v, depth + 1))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return tuple
            .iter()
            .map(|v| to_json_at(&v, depth + 1))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            let key = text(k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!("dict keys must be str, not {}", type_name(&k)))
            })?)?;
            map.insert(key, to_json_at(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(id) = value.extract::<Uuid>() {
        return Ok(Value::String(id.to_string()));
    }
    if type_name(value) == "datetime" {
        let at: DateTime<chrono::FixedOffset> = value.extract().map_err(|_| {
            PyValueError::new_err("a datetime must be timezone-aware (e.g. tzinfo=timezone.utc)")
        })?;
        return Ok(Value::String(at.with_timezone(&Utc).to_rfc3339()));
    }
    Err(PyTypeError::new_err(format!(
        "cannot convert {} to JSON (use dict, list, str, int, float, bool, None, UUID or datetime)",
        type_name(value)
    )))
}

/// A `str` as UTF-8 text: a lone surrogate (such as U+D800, which no JSON document or
/// PostgreSQL text can hold) is a `ValueError` that says so, not a codec error.
pub fn text(s: &Bound<'_, PyString>) -> PyResult<String> {
    s.to_cow().map(|t| t.into_owned()).map_err(|_| {
        PyValueError::new_err(
            "a str must be valid Unicode text (it holds a lone surrogate such as '\\ud800')",
        )
    })
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// JSON as a Python value; `key` is the field it is the value of (the name of the result
/// for a whole result: `lesson_ids` for a list of lesson ids), which types it.
pub fn to_py<'py>(
    py: Python<'py>,
    value: &Value,
    key: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    convert(py, value, key, false)
}

fn convert<'py>(
    py: Python<'py>,
    value: &Value,
    key: Option<&str>,
    document: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let document = document || key.is_some_and(|k| lms_core::calls::VERBATIM_FIELDS.contains(&k));
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => {
            if !document {
                if let Some(k) = key {
                    if is_id_field(k) || ID_LIST_FIELDS.contains(&k) {
                        if let Ok(id) = Uuid::parse_str(s) {
                            return Ok(id.into_pyobject(py)?.into_any());
                        }
                    } else if is_time_field(k) {
                        if let Ok(at) = DateTime::parse_from_rfc3339(s) {
                            return Ok(at.with_timezone(&Utc).into_pyobject(py)?.into_any());
                        }
                    } else if DATE_FIELDS.contains(&k) {
                        if let Ok(day) = s.parse::<chrono::NaiveDate>() {
                            return Ok(day.into_pyobject(py)?.into_any());
                        }
                    }
                }
            }
            PyString::new(py, s).into_any()
        }
        Value::Array(items) => {
            // the items of an id list are ids; of another list, values of their own
            let item_key = key.filter(|k| ID_LIST_FIELDS.contains(k) || k.ends_with("_ids"));
            let list = PyList::empty(py);
            for item in items {
                list.append(convert(py, item, item_key.or(Some("")), document)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, convert(py, v, Some(k), document)?)?;
            }
            dict.into_any()
        }
    })
}

/// Rows (JSON objects with the same fields) as columns: `{field: [value of each row]}`,
/// the fields in the order of `fields` — what `pandas.DataFrame(x)` and
/// `polars.DataFrame(x)` take as they are.
pub fn columns<'py>(
    py: Python<'py>,
    rows: &[Value],
    fields: &[String],
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for field in fields {
        let list = PyList::empty(py);
        for row in rows {
            list.append(to_py(
                py,
                row.get(field).unwrap_or(&Value::Null),
                Some(field),
            )?)?;
        }
        dict.set_item(field, list)?;
    }
    Ok(dict)
}

/// The fields of the JSON object a value serializes to, in order.
pub fn fields_of<T: serde::Serialize>(sample: &T) -> Vec<String> {
    match serde_json::to_value(sample) {
        Ok(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// An id argument: a `uuid.UUID`, or its text.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub Uuid);

impl<'a, 'py> FromPyObject<'a, 'py> for Id {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyString>() {
            let text = text(&s)?;
            return Uuid::parse_str(&text)
                .map(Id)
                .map_err(|e| PyValueError::new_err(format!("{text:?} is not a UUID: {e}")));
        }
        obj.extract::<Uuid>().map(Id).map_err(|_| {
            PyTypeError::new_err(format!(
                "an id is a uuid.UUID or its text, not {}",
                obj.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })
    }
}

/// A JSON argument (a document, a dict of options…).
#[derive(Debug, Clone)]
pub struct Json(pub Value);

impl<'a, 'py> FromPyObject<'a, 'py> for Json {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        to_json(&obj.to_owned()).map(Json)
    }
}

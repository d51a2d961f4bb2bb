//! Checking a JSON value against the JSON Schema of a document, with the `jsonschema`
//! crate.
//!
//! The schema that [`schemars`] derives from the Rust types is the one contract shared
//! with front ends (`lms-core/schemas/*.json`). Each document's schema is compiled once
//! per process (draft 2020-12; the crate is built without HTTP or file resolving, and
//! our schemas only refer to their own `$defs`). Every violation the validator finds is
//! turned into a [`Problem`](super::Problem) with a JSON-pointer path and a lowercase
//! reason:
//!
//! - a missing field (`required`) and an unknown field (`additionalProperties: false`)
//!   are reported at the field's own path (`/image/alt_text: is required`);
//! - a value matching none of the branches of a `oneOf`/`anyOf` (a tagged enum, an
//!   optional value) is explained by the branch it evidently meant — by its type, its
//!   discriminating `const` properties (`"type": "true_false"`) or its single key
//!   (`{"image": {…}}`); when no single branch is meant, one problem lists the
//!   alternatives.
//!
//! `format` is checked here, so that it agrees exactly with `serde`: `uuid` and
//! `date-time` with the parsers `serde` uses (`uuid`, `chrono`), and the integer formats
//! `schemars` emits (`uint32`, `uint64`, …) bound a number to the Rust type's range
//! (the crate knows only string formats, and counts `1.0` as an integer where `serde`
//! does not). Other formats (`double`) are annotations.

use std::any::TypeId;
use std::collections::hash_map::{Entry, HashMap};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{Map, Value};

use super::{json_schema, pointer, Document, Problems};

/// A document's schema with its compiled validator.
pub(crate) struct CompiledSchema {
    /// The schema, to explain `oneOf`/`anyOf` failures.
    schema: Value,
    /// The compiled validator, or why the schema did not compile (a bug of ours, never
    /// expected: every document's schema is compiled by a test).
    validator: Result<Validator, String>,
}

/// The compiled schema of document `T`, built on first use and then shared.
pub(crate) fn compiled<T: Document>() -> Arc<CompiledSchema> {
    static CACHE: OnceLock<RwLock<HashMap<TypeId, Arc<CompiledSchema>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(RwLock::default);
    let key = TypeId::of::<T>();
    if let Some(found) = cache
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Arc::clone(found);
    }
    let mut cache = cache.write().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(
        cache
            .entry(key)
            .or_insert_with(|| Arc::new(CompiledSchema::new(json_schema::<T>()))),
    )
}

impl CompiledSchema {
    fn new(schema: Value) -> Self {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_keyword("format", format_keyword)
            .build(&schema)
            .map_err(|e| e.to_string());
        Self { schema, validator }
    }

    /// Why the schema did not compile, if it did not.
    #[cfg(test)]
    pub(crate) fn compile_error(&self) -> Option<&str> {
        self.validator.as_ref().err().map(String::as_str)
    }

    /// Checks `value`, adding every violation to `problems` (until it is full).
    pub(crate) fn check(&self, value: &Value, problems: &mut Problems) {
        let validator = match &self.validator {
            Ok(validator) => validator,
            Err(e) => {
                problems.push("", format!("the document's schema is broken: {e}"));
                return;
            }
        };
        if validator.is_valid(value) {
            return;
        }
        for error in validator.iter_errors(value) {
            self.report(&error, problems);
            if problems.is_full() {
                return;
            }
        }
    }

    /// Adds the problem(s) that `error` stands for.
    fn report(&self, error: &ValidationError<'_>, problems: &mut Problems) {
        let path = error.instance_path().as_str();
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_owned);
                problems.push(&pointer(path, &name), "is required");
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                for name in unexpected {
                    problems.push(&pointer(path, name), "unknown field");
                }
            }
            ValidationErrorKind::PropertyNames { error: inner } => {
                let at = match inner.instance().as_ref() {
                    Value::String(name) => pointer(path, name),
                    _ => path.to_owned(),
                };
                problems.push(&at, format!("key {}", reason(inner)));
            }
            ValidationErrorKind::UniqueItems => report_duplicates(error, problems),
            ValidationErrorKind::OneOfNotValid { context }
            | ValidationErrorKind::AnyOf { context } => {
                self.report_branches(error, context, problems);
            }
            _ => problems.push(path, reason(error)),
        }
    }

    /// A value matching no branch of a `oneOf`/`anyOf`: the branch it evidently meant
    /// gives the problems; when no single branch is meant, one problem lists the
    /// alternatives.
    fn report_branches(
        &self,
        error: &ValidationError<'_>,
        context: &[Vec<ValidationError<'static>>],
        problems: &mut Problems,
    ) {
        let path = error.instance_path().as_str();
        let branches = self
            .schema
            .pointer(error.schema_path().as_str())
            .and_then(Value::as_array)
            .filter(|branches| branches.len() == context.len());
        let Some(branches) = branches else {
            problems.push(path, "matches none of the allowed shapes");
            return;
        };
        let value = error.instance();
        let meant: Vec<usize> = (0..branches.len())
            .filter(|&i| self.is_meant(&branches[i], value))
            .collect();
        if let [only] = meant[..] {
            for sub in &context[only] {
                self.report(sub, problems);
            }
            return;
        }
        let alternatives: Vec<String> = branches.iter().filter_map(|b| self.describe(b)).collect();
        if alternatives.is_empty() {
            problems.push(path, "matches none of the allowed shapes");
        } else {
            problems.push(
                path,
                format!("expected one of: {}", alternatives.join(", ")),
            );
        }
    }

    /// The schema with a local `$ref` (`#` or `#/$defs/Name`) followed, one level, as
    /// `schemars` emits them.
    fn target<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        let resolved = if reference == "#" {
            Some(&self.schema)
        } else {
            reference
                .strip_prefix('#')
                .and_then(|p| self.schema.pointer(p))
        };
        resolved.unwrap_or(schema)
    }

    /// The discriminating `const` properties of an object branch.
    fn discriminators<'s>(&'s self, branch: &'s Value) -> Vec<(&'s str, &'s Value)> {
        self.target(branch)
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .filter_map(|(k, s)| self.target(s).get("const").map(|c| (k.as_str(), c)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The only key of an externally tagged branch (`{"rich_text": {...}}`).
    fn single_key<'s>(&'s self, branch: &'s Value) -> Option<&'s str> {
        match self
            .target(branch)
            .get("required")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => only.as_str(),
            _ => None,
        }
    }

    /// Whether `value` evidently meant `branch`.
    fn is_meant(&self, branch: &Value, value: &Value) -> bool {
        let target = self.target(branch);
        if !type_allows(target, value) {
            return false;
        }
        if let Some(c) = target.get("const") {
            return c == value;
        }
        let Value::Object(fields) = value else {
            return true;
        };
        let discriminators = self.discriminators(branch);
        if !discriminators.is_empty() {
            return discriminators
                .iter()
                .all(|(k, c)| fields.get(*k) == Some(*c));
        }
        match self.single_key(branch) {
            Some(key) => fields.contains_key(key),
            None => true,
        }
    }

    /// A short description of a branch, to list the alternatives.
    fn describe(&self, branch: &Value) -> Option<String> {
        let target = self.target(branch);
        if let Some(c) = target.get("const") {
            return Some(short(c));
        }
        if let Some((k, c)) = self.discriminators(branch).first() {
            return Some(format!("{k} = {c}"));
        }
        if let Some(key) = self.single_key(branch) {
            return Some(format!("an object with the single key `{key}`"));
        }
        target.get("type").map(|t| match t {
            Value::String(s) => s.clone(),
            other => types_text(other),
        })
    }
}

/// `uniqueItems`: each repeated item is reported at its own path.
fn report_duplicates(error: &ValidationError<'_>, problems: &mut Problems) {
    let path = error.instance_path().as_str();
    let mut seen = HashMap::new();
    let mut found = false;
    if let Value::Array(items) = error.instance().as_ref() {
        for (i, item) in items.iter().enumerate() {
            match seen.entry(item.to_string()) {
                Entry::Occupied(first) => {
                    let at = pointer(path, &i.to_string());
                    problems.push(&at, format!("duplicate of item {}", first.get()));
                    found = true;
                }
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
        }
    }
    if !found {
        problems.push(path, "items must be unique");
    }
}

/// The reason of a violation, in lowercase English.
fn reason(error: &ValidationError<'_>) -> String {
    let found = || type_name(error.instance());
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.as_str().to_owned(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("expected {expected}, found {}", found())
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("must be {}", short(expected_value))
        }
        ValidationErrorKind::Enum { options } => match options.as_ref() {
            Value::Array(allowed) => {
                let list: Vec<String> = allowed.iter().map(short).collect();
                format!("must be one of {}", list.join(", "))
            }
            other => format!("must be one of {}", short(other)),
        },
        ValidationErrorKind::MinLength { limit: 1 } => "must not be empty".to_owned(),
        ValidationErrorKind::MinLength { limit } => format!("shorter than {limit} characters"),
        ValidationErrorKind::MaxLength { limit } => format!("longer than {limit} characters"),
        ValidationErrorKind::Pattern { pattern } => format!("must match the pattern `{pattern}`"),
        ValidationErrorKind::MinItems { limit } => format!("fewer than {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("more than {limit} items"),
        ValidationErrorKind::MinProperties { limit } => format!("fewer than {limit} entries"),
        ValidationErrorKind::MaxProperties { limit } => format!("more than {limit} entries"),
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("must be greater than {limit}")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        ValidationErrorKind::Custom { message, .. } => message.clone(),
        ValidationErrorKind::FalseSchema => "no value is allowed here".to_owned(),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "matches more than one alternative".to_owned()
        }
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
            "matches none of the allowed shapes".to_owned()
        }
        ValidationErrorKind::Required { property } => format!("`{property}` is required"),
        ValidationErrorKind::AdditionalProperties { .. }
        | ValidationErrorKind::UnevaluatedProperties { .. } => "unknown field".to_owned(),
        // Keywords our schemas do not use: the crate's own message, without the value.
        _ => error.masked().to_string(),
    }
}

/// The JSON type name of a value, as JSON Schema spells it (`1.0` is a `number`, as
/// `serde` sees it).
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    let actual = type_name(value);
    expected == actual || (expected == "number" && actual == "integer")
}

/// Whether `value` may match `schema` according to its `type` keyword alone.
fn type_allows(schema: &Value, value: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => type_matches(t, value),
        Some(Value::Array(ts)) => ts
            .iter()
            .any(|t| t.as_str().is_some_and(|t| type_matches(t, value))),
        _ => true,
    }
}

/// `["string", "null"]` as `string or null`.
fn types_text(types: &Value) -> String {
    match types {
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        other => other.to_string(),
    }
}

/// A value for a message, cut to 40 characters.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(40).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The `format` keyword, checked as `serde` reads the value (see the module docs).
enum Format {
    /// An RFC 4122 UUID, as `uuid::Uuid` parses it.
    Uuid,
    /// An RFC 3339 date-time, as `chrono` parses it.
    DateTime,
    /// An integer in this range (the Rust type's).
    Integer { min: i128, max: i128 },
    /// Any other format: an annotation only.
    Annotation,
}

/// Builds the `format` keyword of a schema.
fn format_keyword<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _path: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let format = match value.as_str() {
        Some("uuid") => Format::Uuid,
        Some("date-time") => Format::DateTime,
        Some(name) => match integer_range(name) {
            Some((min, max)) => Format::Integer { min, max },
            None => Format::Annotation,
        },
        None => return Err(ValidationError::schema("`format` must be a string")),
    };
    Ok(Box::new(format))
}

/// The range of an integer format of `schemars` (`uint32`, …).
fn integer_range(name: &str) -> Option<(i128, i128)> {
    Some(match name {
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" | "uint" => (0, u64::MAX.into()),
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" | "int" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

impl Format {
    /// The problem with `value`, if any.
    fn problem(&self, value: &Value) -> Option<String> {
        match (self, value) {
            (Format::Uuid, Value::String(s)) if uuid::Uuid::parse_str(s).is_err() => {
                Some("not a UUID".to_owned())
            }
            (Format::DateTime, Value::String(s))
                if chrono::DateTime::parse_from_rfc3339(s).is_err() =>
            {
                Some("not an RFC 3339 date-time".to_owned())
            }
            (Format::Integer { min, max }, Value::Number(n)) => {
                let exact = n
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| n.as_u64().map(i128::from));
                match exact {
                    Some(i) if (*min..=*max).contains(&i) => None,
                    Some(_) => Some(format!("must be an integer in {min}..={max}")),
                    // `1.0`: an integer for JSON Schema, not for `serde`. A fraction is
                    // already reported by `type`.
                    None => match n.as_f64() {
                        Some(f) if f.fract() != 0.0 => None,
                        Some(f) if f >= *min as f64 && f <= *max as f64 => {
                            Some("must be a whole number written without a fraction".to_owned())
                        }
                        _ => Some(format!("must be an integer in {min}..={max}")),
                    },
                }
            }
            _ => None,
        }
    }
}

impl<'i> Keyword<'i> for Format {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self.problem(instance) {
            Some(message) => Err(ValidationError::custom(message)),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.problem(instance).is_none()
    }
}

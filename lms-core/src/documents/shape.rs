//! Structural check of a JSON value against the JSON Schema of a document.
//!
//! The schema that [`schemars`] derives from the Rust types is the one contract shared
//! with front ends (`lms-core/schemas/*.json`). This module checks a value against it
//! and reports every violation with its JSON-pointer path, instead of stopping at the
//! first one as `serde` does. It understands the subset of JSON Schema 2020-12 that
//! `schemars` emits for our types: `$ref` into `$defs`, `type`, `enum`, `const`,
//! `properties`, `required`, `additionalProperties`, `propertyNames`,
//! `minProperties`/`maxProperties`, `items`, `minItems`/`maxItems`,
//! `minLength`/`maxLength` (in characters), `minimum`/`maximum`/`exclusiveMinimum`/
//! `exclusiveMaximum`, the `format`s `uuid`, `date-time` and the integer formats, and
//! `allOf`/`anyOf`/`oneOf`. `pattern` is not interpreted here: every pattern of a
//! document is also checked by the document's own rules.
//!
//! The walk follows the schema, never descends into unknown fields, and stops at
//! [`MAX_DEPTH`], so it terminates and cannot overflow the stack on any input.

use serde_json::{Map, Value};

use super::limits::MAX_DEPTH;
use super::{pointer, Problems};

/// Checks `value` against `root` (a schema with its `$defs`), adding every violation to
/// `problems`.
pub(crate) fn check(root: &Value, value: &Value, problems: &mut Problems) {
    Walker { root }.check(root, value, "", problems, 0);
}

struct Walker<'s> {
    root: &'s Value,
}

/// The JSON type name of a value, as JSON Schema spells it.
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

fn as_usize(v: Option<&Value>) -> Option<usize> {
    v.and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(40).collect();
        format!("{cut}…")
    } else {
        text
    }
}

impl<'s> Walker<'s> {
    /// Resolves a local `$ref` (`#` or `#/$defs/Name`).
    fn resolve(&self, reference: &str) -> Option<&'s Value> {
        if reference == "#" {
            return Some(self.root);
        }
        let name = reference.strip_prefix("#/$defs/")?;
        self.root.get("$defs")?.get(name)
    }

    /// The schema with its `$ref` followed (one level, as `schemars` emits them).
    fn target(&self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => self.resolve(r).unwrap_or(schema),
            None => schema,
        }
    }

    fn check(
        &self,
        schema: &'s Value,
        value: &Value,
        path: &str,
        problems: &mut Problems,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            problems.push(path, format!("nested deeper than {MAX_DEPTH} levels"));
            return;
        }
        let schema = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => {
                problems.push(path, "no value is allowed here");
                return;
            }
            Value::Object(s) => s,
            _ => return,
        };
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            match self.resolve(r) {
                Some(target) => self.check(target, value, path, problems, depth + 1),
                None => problems.push(path, format!("schema reference `{r}` is unknown")),
            }
        }
        if let Some(expected) = schema.get("type") {
            let wrapper = serde_json::json!({ "type": expected });
            if !type_allows(&wrapper, value) {
                let expected = match expected {
                    Value::Array(ts) => ts
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" or "),
                    other => other.as_str().unwrap_or("?").to_owned(),
                };
                problems.push(
                    path,
                    format!("expected {expected}, found {}", type_name(value)),
                );
                return;
            }
        }
        if let Some(c) = schema.get("const") {
            if c != value {
                problems.push(path, format!("must be {}", short(c)));
                return;
            }
        }
        if let Some(Value::Array(allowed)) = schema.get("enum") {
            if !allowed.contains(value) {
                let list: Vec<String> = allowed.iter().map(short).collect();
                problems.push(path, format!("must be one of {}", list.join(", ")));
                return;
            }
        }
        match value {
            Value::String(s) => self.check_string(schema, s, path, problems),
            Value::Number(_) => self.check_number(schema, value, path, problems),
            Value::Array(items) => self.check_array(schema, items, path, problems, depth),
            Value::Object(fields) => self.check_object(schema, fields, path, problems, depth),
            Value::Null | Value::Bool(_) => {}
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for sub in all {
                self.check(sub, value, path, problems, depth + 1);
            }
        }
        for (keyword, exactly_one) in [("anyOf", false), ("oneOf", true)] {
            if let Some(Value::Array(branches)) = schema.get(keyword) {
                self.check_branches(branches, exactly_one, value, path, problems, depth);
            }
        }
    }

    fn check_string(
        &self,
        schema: &Map<String, Value>,
        s: &str,
        path: &str,
        problems: &mut Problems,
    ) {
        let min = as_usize(schema.get("minLength"));
        let max = as_usize(schema.get("maxLength"));
        if min.is_some() || max.is_some() {
            // Count at most max + 1 characters: enough to decide, and bounded.
            let limit = max.map_or(usize::MAX, |m| m.saturating_add(1));
            let len = s.chars().take(limit).count();
            if let Some(max) = max.filter(|m| len > *m) {
                problems.push(path, format!("longer than {max} characters"));
            }
            if let Some(min) = min.filter(|m| len < *m) {
                if min == 1 {
                    problems.push(path, "must not be empty");
                } else {
                    problems.push(path, format!("shorter than {min} characters"));
                }
            }
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("uuid") if uuid::Uuid::parse_str(s).is_err() => {
                problems.push(path, "not a UUID");
            }
            Some("date-time") if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                problems.push(path, "not an RFC 3339 date-time");
            }
            _ => {}
        }
    }

    fn check_number(
        &self,
        schema: &Map<String, Value>,
        value: &Value,
        path: &str,
        problems: &mut Problems,
    ) {
        let Some(x) = value.as_f64() else { return };
        let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
        if let Some(min) = bound("minimum").filter(|m| x < *m) {
            problems.push(path, format!("must be at least {min}"));
        }
        if let Some(max) = bound("maximum").filter(|m| x > *m) {
            problems.push(path, format!("must be at most {max}"));
        }
        if let Some(min) = bound("exclusiveMinimum").filter(|m| x <= *m) {
            problems.push(path, format!("must be greater than {min}"));
        }
        if let Some(max) = bound("exclusiveMaximum").filter(|m| x >= *m) {
            problems.push(path, format!("must be less than {max}"));
        }
        let range: Option<(i128, i128)> = match schema.get("format").and_then(Value::as_str) {
            Some("uint8") => Some((0, u8::MAX.into())),
            Some("uint16") => Some((0, u16::MAX.into())),
            Some("uint32") => Some((0, u32::MAX.into())),
            Some("uint64" | "uint") => Some((0, u64::MAX.into())),
            Some("int8") => Some((i8::MIN.into(), i8::MAX.into())),
            Some("int16") => Some((i16::MIN.into(), i16::MAX.into())),
            Some("int32") => Some((i32::MIN.into(), i32::MAX.into())),
            Some("int64" | "int") => Some((i64::MIN.into(), i64::MAX.into())),
            _ => None,
        };
        if let Some((lo, hi)) = range {
            let n = value
                .as_i64()
                .map(i128::from)
                .or_else(|| value.as_u64().map(i128::from));
            if n.is_none_or(|n| n < lo || n > hi) {
                problems.push(path, format!("must be an integer in {lo}..={hi}"));
            }
        }
    }

    fn check_array(
        &self,
        schema: &'s Map<String, Value>,
        items: &[Value],
        path: &str,
        problems: &mut Problems,
        depth: usize,
    ) {
        if let Some(max) = as_usize(schema.get("maxItems")).filter(|m| items.len() > *m) {
            problems.push(path, format!("more than {max} items"));
            // Do not look into an oversized array: its size is the problem.
            return;
        }
        if let Some(min) = as_usize(schema.get("minItems")).filter(|m| items.len() < *m) {
            problems.push(path, format!("fewer than {min} items"));
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.check(
                    item_schema,
                    item,
                    &pointer(path, &i.to_string()),
                    problems,
                    depth + 1,
                );
                if problems.is_full() {
                    return;
                }
            }
        }
    }

    fn check_object(
        &self,
        schema: &'s Map<String, Value>,
        fields: &Map<String, Value>,
        path: &str,
        problems: &mut Problems,
        depth: usize,
    ) {
        if let Some(max) = as_usize(schema.get("maxProperties")).filter(|m| fields.len() > *m) {
            problems.push(path, format!("more than {max} entries"));
            return;
        }
        if let Some(min) = as_usize(schema.get("minProperties")).filter(|m| fields.len() < *m) {
            problems.push(path, format!("fewer than {min} entries"));
        }
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !fields.contains_key(name) {
                    problems.push(&pointer(path, name), "is required");
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        let names = schema.get("propertyNames");
        for (name, field) in fields {
            let field_path = pointer(path, name);
            if let Some(names) = names {
                self.check(
                    names,
                    &Value::String(name.clone()),
                    &field_path,
                    problems,
                    depth + 1,
                );
            }
            match properties.and_then(|p| p.get(name)) {
                Some(field_schema) => {
                    self.check(field_schema, field, &field_path, problems, depth + 1);
                }
                None => match additional {
                    Some(Value::Bool(false)) => problems.push(&field_path, "unknown field"),
                    Some(extra) => self.check(extra, field, &field_path, problems, depth + 1),
                    None => {}
                },
            }
            if problems.is_full() {
                return;
            }
        }
    }

    /// `anyOf` / `oneOf`: passes when a branch (exactly one for `oneOf`) matches.
    /// Otherwise the branch the value evidently meant (by its type and by its
    /// discriminating `const` properties or single key) gives the problems; when no
    /// single branch is meant, one problem lists the alternatives.
    fn check_branches(
        &self,
        branches: &'s [Value],
        exactly_one: bool,
        value: &Value,
        path: &str,
        problems: &mut Problems,
        depth: usize,
    ) {
        let mut results = Vec::with_capacity(branches.len());
        for branch in branches {
            let mut sub = Problems::default();
            self.check(branch, value, path, &mut sub, depth + 1);
            results.push(sub);
        }
        let passing = results.iter().filter(|r| r.is_empty()).count();
        if passing == 1 || (passing > 1 && !exactly_one) {
            return;
        }
        if passing > 1 {
            problems.push(path, "matches more than one alternative");
            return;
        }
        let meant: Vec<usize> = (0..branches.len())
            .filter(|&i| self.is_meant(&branches[i], value))
            .collect();
        if let [only] = meant[..] {
            if let Some(result) = results.into_iter().nth(only) {
                problems.extend(result);
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

    /// The discriminating `const` properties of an object branch.
    fn discriminators(&self, branch: &'s Value) -> Vec<(&'s str, &'s Value)> {
        let branch = self.target(branch);
        branch
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
    fn single_key(&self, branch: &'s Value) -> Option<&'s str> {
        match self
            .target(branch)
            .get("required")
            .and_then(Value::as_array)
        {
            Some(req) if req.len() == 1 => req[0].as_str(),
            _ => None,
        }
    }

    fn is_meant(&self, branch: &'s Value, value: &Value) -> bool {
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

    fn describe(&self, branch: &'s Value) -> Option<String> {
        if let Some(c) = self.target(branch).get("const") {
            return Some(short(c));
        }
        let discriminators = self.discriminators(branch);
        if let Some((k, c)) = discriminators.first() {
            return Some(format!("{k} = {c}"));
        }
        if let Some(key) = self.single_key(branch) {
            return Some(format!("an object with the single key `{key}`"));
        }
        let target = self.target(branch);
        target.get("type").map(|t| match t {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }
}

//! The shared conformance vectors (`tests/vectors/*.json` at the repository's root, see
//! its README) against `lms_core::calls::call`: the same files the Python and Node
//! bindings run.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use serde_json::Value;

/// `expected` matches `actual` partially (objects: the expected keys only; arrays: same
/// length, element by element; numbers by value), or wholly when `exact`.
fn matches(expected: &Value, actual: &Value, exact: bool) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            (!exact || e.len() == a.len())
                && e.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|w| matches(v, w, exact)))
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(v, w)| matches(v, w, exact))
        }
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual,
    }
}

fn vector_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_vector_holds() {
    let files = vector_files();
    assert!(files.len() >= 6, "vector files: {files:?}");
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let default = doc["function"].as_str().unwrap();
        for case in doc["cases"].as_array().unwrap() {
            count += 1;
            let name = case["name"].as_str().unwrap();
            let function = case["function"].as_str().unwrap_or(default);
            let exact = case["exact"].as_bool().unwrap_or(false);
            let where_ = format!("{} / {name}", file.file_name().unwrap().to_string_lossy());
            match (
                lms_core::calls::call(function, case["input"].clone()),
                case.get("error"),
            ) {
                (Ok(out), None) => {
                    if !matches(&case["output"], &out, exact) {
                        failures.push(format!("{where_}: got {out}, expected {}", case["output"]));
                    }
                }
                (Ok(out), Some(_)) => {
                    failures.push(format!("{where_}: got {out}, expected an error"))
                }
                (Err(e), None) => failures.push(format!("{where_}: refused: {e}")),
                (Err(e), Some(expected)) => {
                    if e.code() != expected["code"].as_str().unwrap() {
                        failures.push(format!(
                            "{where_}: code {}, expected {}",
                            e.code(),
                            expected["code"]
                        ));
                    }
                    let paths: Vec<String> = e.problems().into_iter().map(|p| p.path).collect();
                    for path in expected["paths"].as_array().into_iter().flatten() {
                        let path = path.as_str().unwrap();
                        if !paths.iter().any(|p| p == path) {
                            failures
                                .push(format!("{where_}: no problem at {path:?}, got {paths:?}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 80, "only {count} vectors");
}

#[test]
fn partial_matching_is_what_the_readme_says() {
    let v = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    assert!(matches(
        &v(r#"{"a": 1}"#),
        &v(r#"{"a": 1.0, "b": 2}"#),
        false
    ));
    assert!(!matches(
        &v(r#"{"a": 1}"#),
        &v(r#"{"a": 1.0, "b": 2}"#),
        true
    ));
    assert!(!matches(&v("[1]"), &v("[1, 2]"), false));
    assert!(!matches(&v(r#"{"a": null}"#), &v("{}"), false));
    assert!(matches(&v(r#"{"a": null}"#), &v(r#"{"a": null}"#), false));
}

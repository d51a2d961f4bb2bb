#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use serde_json::{json, Value};

use super::*;
use crate::model::ContentType;

/// The schema of every document, by file name.
fn all_schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            LearningPreferences::NAME,
            json_schema::<LearningPreferences>(),
        ),
        (KnowledgeProfile::NAME, json_schema::<KnowledgeProfile>()),
        (ContentData::NAME, json_schema::<ContentData>()),
        (Question::NAME, json_schema::<Question>()),
        (QuestionSet::NAME, json_schema::<QuestionSet>()),
        (Answers::NAME, json_schema::<Answers>()),
        (Feedback::NAME, json_schema::<Feedback>()),
        (RoadmapData::NAME, json_schema::<RoadmapData>()),
        (ProgressData::NAME, json_schema::<ProgressData>()),
        (BlockMetadata::NAME, json_schema::<BlockMetadata>()),
        (
            StudentQuestionSet::NAME,
            json_schema::<StudentQuestionSet>(),
        ),
        (GradingScheme::NAME, json_schema::<GradingScheme>()),
    ]
}

#[test]
fn committed_schemas_are_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, schema) in all_schemas() {
        let path = dir.join(format!("{name}.json"));
        let fresh = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &fresh).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(fresh.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale JSON Schemas: {stale:?}; regenerate with `UPDATE_SCHEMAS=1 cargo test -p lms-core`"
    );
}

#[test]
fn every_schema_compiles() {
    fn compiles<T: Document>() {
        let compiled = schema::compiled::<T>();
        assert_eq!(compiled.compile_error(), None, "{}", T::NAME);
        // Compiled once: the second call shares the first.
        assert!(std::sync::Arc::ptr_eq(&compiled, &schema::compiled::<T>()));
    }
    compiles::<LearningPreferences>();
    compiles::<KnowledgeProfile>();
    compiles::<ContentData>();
    compiles::<Question>();
    compiles::<QuestionSet>();
    compiles::<Answers>();
    compiles::<Feedback>();
    compiles::<RoadmapData>();
    compiles::<ProgressData>();
    compiles::<BlockMetadata>();
    compiles::<StudentQuestionSet>();
    compiles::<GradingScheme>();
}

/// Validates `value` as the document named `name`, returning the normalized JSON.
fn run(name: &str, value: &Value) -> Result<Value, InvalidDocument> {
    fn go<T: Document>(value: &Value) -> Result<Value, InvalidDocument> {
        validate::<T>(value).map(|d| serde_json::to_value(d).unwrap())
    }
    match name {
        "learning_preferences" => go::<LearningPreferences>(value),
        "knowledge_profile" => go::<KnowledgeProfile>(value),
        "content_data" => go::<ContentData>(value),
        "question" => go::<Question>(value),
        "question_set" => go::<QuestionSet>(value),
        "answers" => go::<Answers>(value),
        "feedback" => go::<Feedback>(value),
        "roadmap_data" => go::<RoadmapData>(value),
        "progress_data" => go::<ProgressData>(value),
        "block_metadata" => go::<BlockMetadata>(value),
        "student_question_set" => go::<StudentQuestionSet>(value),
        "grading_scheme" => go::<GradingScheme>(value),
        other => panic!("unknown document {other}"),
    }
}

const NAMES: [&str; 12] = [
    "learning_preferences",
    "knowledge_profile",
    "content_data",
    "question",
    "question_set",
    "answers",
    "feedback",
    "roadmap_data",
    "progress_data",
    "block_metadata",
    "student_question_set",
    "grading_scheme",
];

const LESSON: &str = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const BLOCK: &str = "0b9a8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d";

fn mc(id: &str) -> Value {
    json!({"type": "multiple_choice", "id": id, "prompt": "2 + 2?", "points": 2, "options": [
        {"id": "a", "text": "3", "fraction": 0},
        {"id": "b", "text": "4", "fraction": 1}
    ]})
}

/// One valid example of every document.
fn valid_examples() -> Vec<(&'static str, Value)> {
    vec![
        (
            "learning_preferences",
            json!({"preferred_pace": "slow", "preferred_media_types": ["video", "image"], "learning_style": "visual"}),
        ),
        ("knowledge_profile", json!({})),
        ("grading_scheme", json!({})),
        (
            "grading_scheme",
            json!({"groups": [{"name": "Homework", "weight": 40, "drop_lowest": 1}, {"name": "Exam", "weight": 60}],
                   "assessments": [{"assessment_id": LESSON, "group": "Homework", "weight": 2.5}]}),
        ),
        (
            "knowledge_profile",
            json!({"skills": {"fractions": {"mastery": 0.4, "evidence": 3, "updated_at": "2024-05-01T10:00:00Z"}}}),
        ),
        (
            "content_data",
            json!({"rich_text": {"html": "<p>Hi</p>", "plain_text": "Hi"}}),
        ),
        (
            "content_data",
            json!({"image": {"url": "https://cdn.example.com/a.png", "alt_text": "A cat", "caption": "Cat"}}),
        ),
        (
            "content_data",
            json!({"video": {"url": "https://cdn.example.com/v.mp4", "duration": 120}}),
        ),
        (
            "content_data",
            json!({"file": {"url": "https://cdn.example.com/f.pdf", "filename": "notes.pdf", "file_type": "application/pdf", "file_size": 1024}}),
        ),
        (
            "content_data",
            json!({"youtube": {"video_id": "dQw4w9WgXcQ", "title": "Intro", "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/0.jpg", "duration": 212}}),
        ),
        ("question", mc("q1")),
        (
            "question_set",
            json!([
                mc("q1"),
                {"type": "multiple_choice", "id": "q2", "prompt": "Primes?", "points": 4, "multiple": true, "options": [
                    {"id": "a", "text": "2", "fraction": 0.5},
                    {"id": "b", "text": "3", "fraction": 0.5},
                    {"id": "c", "text": "4", "fraction": -0.5}
                ], "explanation": "2 and 3 are prime."},
                {"type": "true_false", "id": "q3", "prompt": "The sky is blue.", "points": 1, "correct": true},
                {"type": "short_answer", "id": "q4", "prompt": "Capital of France?", "points": 2, "accepted": [
                    {"text": "Paris", "fraction": 1}, {"text": "Par*", "fraction": 0.5}
                ]},
                {"type": "essay", "id": "q5", "prompt": "Discuss.", "points": 10, "rubric": "Depth."}
            ]),
        ),
        ("question_set", json!([])),
        (
            "answers",
            json!({
                "q1": {"type": "multiple_choice", "selected": ["b"], "answered_at": "2024-05-01T10:00:00Z"},
                "q3": {"type": "true_false", "value": false},
                "q4": {"type": "short_answer", "text": "paris"},
                "q5": {"type": "essay", "text": "Long text"}
            }),
        ),
        (
            "feedback",
            json!({"questions": [
            {"question_id": "q1", "kind": "multiple_choice", "outcome": "correct", "points_earned": 2, "max_points": 2},
            {"question_id": "q2", "kind": "true_false", "outcome": "incorrect", "points_earned": 0, "max_points": 1}
        ], "summary": {"points_earned": 2, "total_points": 3, "score": 66, "passed": false, "minimum_passing_score": 70, "pending_review": 0}}),
        ),
        (
            "roadmap_data",
            json!({"steps": [{"lesson_id": LESSON, "content_ids": [BLOCK], "reason": "Start here", "estimated_minutes": 20}]}),
        ),
        ("progress_data", json!({})),
        ("block_metadata", json!({})),
        (
            "block_metadata",
            json!({"source": "chapter 3", "reviewed": true, "minutes": 5, "weight": 0.5, "tags": ["intro", 1, false]}),
        ),
        (
            "student_question_set",
            json!([{"type": "short_answer", "id": "q4", "prompt": "Capital?", "points": 2, "case_sensitive": false}]),
        ),
        (
            "progress_data",
            json!({"percent": 40, "position_seconds": 95, "duration_seconds": 240, "blocks": {BLOCK: {"completed": true, "percent": 100}}}),
        ),
    ]
}

/// PostgreSQL's `jsonb` cannot hold U+0000: no document's text may, keys included.
#[test]
fn nul_characters_are_refused_where_they_are() {
    for (name, value, paths) in [
        (
            "answers",
            json!({"q1": {"type": "short_answer", "text": "a\u{0}b"}}),
            vec!["/q1/text"],
        ),
        (
            "block_metadata",
            json!({"k\u{0}": "v", "ok": ["\u{0}"]}),
            vec!["/k\u{0}", "/ok/0"],
        ),
    ] {
        let e = run(name, &value).unwrap_err();
        let got: Vec<&str> = e.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(got, paths, "{name}");
        assert!(e.problems[0].reason.contains("NUL"));
    }
}

#[test]
fn valid_documents_pass() {
    for (name, value) in valid_examples() {
        if let Err(e) = run(name, &value) {
            panic!("{name} {value}: {e}");
        }
    }
}

#[test]
fn invalid_documents_report_every_problem_with_its_path() {
    let long_skill = format!("/skills/{}", "x".repeat(65));
    let long_paths = [long_skill.as_str()];
    let long_text = "x".repeat(1001);
    let cases: Vec<(&str, Value, &[&str])> = vec![
        (
            "block_metadata",
            json!({"nested": {"a": 1}, "none": null, " ": 1, "long": long_text, "deep": [[1]]}),
            &["/nested", "/none", "/long", "/deep"],
        ),
        ("block_metadata", json!({" ": 1}), &["/ "]),
        ("block_metadata", json!([1]), &[""]),
        (
            "student_question_set",
            json!([{"type": "true_false", "id": "q", "prompt": "p", "points": 1, "correct": true}]),
            &["/0/correct"],
        ),
        (
            "learning_preferences",
            json!({"preferred_pace": "warp", "preferred_media_types": ["video", "vhs"], "extra": 1}),
            &[
                "/preferred_pace",
                "/preferred_media_types/1",
                "/extra",
                "/learning_style",
            ],
        ),
        (
            "learning_preferences",
            json!({"preferred_pace": "fast", "preferred_media_types": ["video", "video"], "learning_style": "mixed"}),
            &["/preferred_media_types/1"],
        ),
        ("learning_preferences", json!([]), &[""]),
        (
            "knowledge_profile",
            json!({"skills": {"a/b": {"mastery": 1.5, "evidence": -1}, "ok": {"mastery": 0.5, "evidence": 1, "updated_at": "yesterday"}}}),
            &[
                "/skills/a~1b/mastery",
                "/skills/a~1b/evidence",
                "/skills/ok/updated_at",
            ],
        ),
        (
            "knowledge_profile",
            json!({"skills": {"x".repeat(65): {"mastery": 0.5, "evidence": 1}}}),
            &long_paths,
        ),
        // Semantic rules are checked once the shape is right.
        (
            "knowledge_profile",
            json!({"skills": {" ": {"mastery": 0.5, "evidence": 1}}}),
            &["/skills/ "],
        ),
        (
            "content_data",
            json!({"image": {"url": "http://example.com/a.png", "alt_text": "x"}}),
            &["/image/url"],
        ),
        (
            "content_data",
            json!({"video": {"url": "javascript:alert(1)", "thumbnail_url": "https://user:pw@example.com/t.png"}}),
            &["/video/url", "/video/thumbnail_url"],
        ),
        (
            "content_data",
            json!({"youtube": {"video_id": "dQw4w9WgXc!", "title": " ", "thumbnail_url": "not a url", "duration": 0}}),
            &["/youtube/duration", "/youtube/video_id"],
        ),
        (
            "content_data",
            json!({"youtube": {"video_id": "dQw4w9WgXc", "title": " ", "thumbnail_url": "not a url", "duration": 1}}),
            &["/youtube/video_id"],
        ),
        (
            "content_data",
            json!({"youtube": {"video_id": "dQw4w9WgXcQ", "title": " ", "thumbnail_url": "not a url", "duration": 1}}),
            &["/youtube/title", "/youtube/thumbnail_url"],
        ),
        (
            "content_data",
            json!({"file": {"url": "https://e.com/f", "filename": "../etc/passwd", "file_type": "x", "file_size": 0}}),
            &["/file/file_size"],
        ),
        (
            "content_data",
            json!({"file": {"url": "https://e.com/f", "filename": "../etc/passwd", "file_type": "x", "file_size": 1}}),
            &["/file/filename"],
        ),
        (
            "content_data",
            json!({"image": {"url": "https://e.com/a.png", "alt_text": "a"}, "video": {"url": "https://e.com/v"}}),
            &[""],
        ),
        ("content_data", json!({"audio": {}}), &[""]),
        (
            "content_data",
            json!({"image": {"url": "https://e.com/a.png", "alt": "a"}}),
            &["/image/alt", "/image/alt_text"],
        ),
        (
            "question",
            json!({"id": "q1", "prompt": "?", "points": 1}),
            &[""],
        ),
        (
            "question",
            json!({"type": "true_false", "id": "q1", "prompt": "?", "points": 0, "correct": "yes", "hint": 1}),
            &["/points", "/correct", "/hint"],
        ),
        ("question_set", json!([mc("q1"), mc("q1")]), &["/1/id"]),
        // Moodle: a single-choice question needs a 100 % option
        (
            "question_set",
            json!([{"type": "multiple_choice", "id": "q1", "prompt": "?", "points": 1, "options": [
                {"id": "a", "text": "x", "fraction": 0.5}, {"id": "b", "text": "y", "fraction": -0.5}]}]),
            &["/0/options"],
        ),
        (
            "question_set",
            json!([
                {"type": "multiple_choice", "id": "q1", "prompt": "?", "points": 1, "options": [
                    {"id": "a", "text": "x", "fraction": 1}, {"id": "a", "text": "y", "fraction": 0.5}]},
                {"type": "multiple_choice", "id": "q2", "prompt": "?", "points": 1, "multiple": true, "options": [
                    {"id": "a", "text": "x", "fraction": 0.5}, {"id": "b", "text": "y", "fraction": 0.2}]},
                {"type": "short_answer", "id": "q3", "prompt": "?", "points": 1, "accepted": [{"text": " ", "fraction": 0.5}]},
            ]),
            &[
                "/0/options/1/id",
                "/1/options",
                "/2/accepted/0/text",
                "/2/accepted",
            ],
        ),
        (
            "question_set",
            json!([{"type": "multiple_choice", "id": "q1", "prompt": "?", "points": 1, "options": [
            {"id": "a", "text": "x", "fraction": 1, "colour": "red"}, {"id": "b", "text": "y", "fraction": 2}]}]),
            &["/0/options/0/colour", "/0/options/1/fraction"],
        ),
        (
            "question_set",
            Value::Array(vec![mc("q"); limits::MAX_QUESTIONS + 1]),
            &[""],
        ),
        (
            "answers",
            json!({"q1": {"type": "multiple_choice", "selected": ["a", "a"]}}),
            &["/q1/selected/1"],
        ),
        (
            "answers",
            json!({"q1": {"type": "true_false", "value": "yes", "answered_at": "2024-13-01"}, "q2": {"type": "essay"}}),
            &["/q1/value", "/q1/answered_at", "/q2/text"],
        ),
        (
            "feedback",
            json!({"questions": [
            {"question_id": "q1", "kind": "true_false", "outcome": "correct", "points_earned": 3, "max_points": 2}
        ], "summary": {"points_earned": 3, "total_points": 2, "score": 100, "passed": true, "minimum_passing_score": 70, "pending_review": 0}}),
            &["/questions/0/points_earned", "/questions/0/outcome"],
        ),
        (
            "feedback",
            json!({"questions": [
            {"question_id": "q1", "kind": "true_false", "outcome": "correct", "points_earned": 2, "max_points": 2}
        ], "summary": {"points_earned": 2, "total_points": 2, "score": 90, "passed": true, "minimum_passing_score": 70, "pending_review": 0}}),
            &["/summary"],
        ),
        // exact points beyond what a number of points can be: a schema problem at its
        // path, not a document that cannot be read
        (
            "feedback",
            json!({"questions": [
            {"question_id": "q1", "kind": "true_false", "outcome": "correct", "points_earned": 1.5e18, "max_points": 2},
            {"question_id": "q2", "kind": "true_false", "outcome": "incorrect", "points_earned": -0.5, "max_points": 1}
        ], "summary": {"points_earned": 2, "total_points": 3, "score": 66, "passed": false, "minimum_passing_score": 70, "pending_review": 0}}),
            &["/questions/0/points_earned", "/questions/1/points_earned"],
        ),
        (
            "roadmap_data",
            json!({"steps": [{"lesson_id": "nope", "content_ids": [BLOCK, BLOCK], "reason": "", "estimated_minutes": -5}]}),
            &["/steps/0/lesson_id", "/steps/0/estimated_minutes"],
        ),
        (
            "roadmap_data",
            json!({"steps": [{"lesson_id": LESSON, "content_ids": [BLOCK, BLOCK], "reason": "", "estimated_minutes": 5}]}),
            &["/steps/0/content_ids/1"],
        ),
        (
            "progress_data",
            json!({"percent": 101, "blocks": {"xyz": {"percent": 1.5}}}),
            &["/percent", "/blocks/xyz", "/blocks/xyz/percent"],
        ),
        (
            "progress_data",
            json!({"position_seconds": 300, "duration_seconds": 240}),
            &["/position_seconds"],
        ),
    ];
    let mut failures = Vec::new();
    for (name, value, expected) in cases {
        let err = match run(name, &value) {
            Ok(v) => {
                failures.push(format!("{name} {value} should be invalid, got {v}"));
                continue;
            }
            Err(e) => e,
        };
        assert_eq!(err.document, name);
        let paths: Vec<&str> = err.problems.iter().map(|p| p.path.as_str()).collect();
        let mut want: Vec<&str> = expected.to_vec();
        let mut got = paths.clone();
        want.sort_unstable();
        got.sort_unstable();
        got.dedup();
        if got != want {
            failures.push(format!("{name} {value}: want {want:?}, got {err}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn problems_carry_readable_reasons() {
    let q = |extra: Value| {
        let mut base =
            json!({"type": "true_false", "id": "q1", "prompt": "?", "points": 1, "correct": true});
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base
    };
    // (document, value, path, reason)
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "question",
            q(json!({"correct": "yes"})),
            "/correct",
            "expected boolean, found string",
        ),
        (
            "question",
            q(json!({"points": 1.0})),
            "/points",
            "must be a whole number written without a fraction",
        ),
        (
            "question",
            q(json!({"points": 1.5})),
            "/points",
            "expected integer, found number",
        ),
        (
            "question",
            q(json!({"points": 0})),
            "/points",
            "must be at least 1",
        ),
        (
            "question",
            q(json!({"points": -1})),
            "/points",
            "must be an integer in 0..=4294967295",
        ),
        ("question", q(json!({"id": ""})), "/id", "must not be empty"),
        ("question", q(json!({"hint": 1})), "/hint", "unknown field"),
        (
            "question",
            json!({"type": "true_false", "id": "q1", "prompt": "?", "points": 1}),
            "/correct",
            "is required",
        ),
        (
            "question",
            json!({"id": "q1", "prompt": "?", "points": 1}),
            "",
            "expected one of: type = \"multiple_choice\", type = \"true_false\"",
        ),
        (
            "content_data",
            json!({"audio": {}}),
            "",
            "an object with the single key `rich_text`",
        ),
        (
            "content_data",
            json!({"youtube": {"video_id": "short", "title": "t", "thumbnail_url": "https://e.com/t", "duration": 1}}),
            "/youtube/video_id",
            "must match the pattern `^[A-Za-z0-9_-]{11}$`",
        ),
        (
            "learning_preferences",
            json!({"preferred_pace": "warp", "preferred_media_types": [], "learning_style": "mixed"}),
            "/preferred_pace",
            "expected one of: \"slow\", \"medium\", \"fast\"",
        ),
        (
            "learning_preferences",
            json!({"preferred_pace": "slow", "preferred_media_types": ["video", "image", "video"], "learning_style": "mixed"}),
            "/preferred_media_types/2",
            "duplicate of item 0",
        ),
        (
            "learning_preferences",
            json!({"preferred_pace": "slow", "preferred_media_types": vec!["video"; 6], "learning_style": "mixed"}),
            "/preferred_media_types",
            "more than 5 items",
        ),
        (
            "answers",
            json!({"q1": {"type": "true_false", "value": true, "answered_at": "2024-13-01"}}),
            "/q1/answered_at",
            "not an RFC 3339 date-time",
        ),
        (
            "answers",
            json!({"": {"type": "essay", "text": "x"}}),
            "/",
            "key must not be empty",
        ),
        (
            "roadmap_data",
            json!({"steps": [{"lesson_id": "nope", "content_ids": [], "reason": "", "estimated_minutes": 1}]}),
            "/steps/0/lesson_id",
            "not a UUID",
        ),
        (
            "question_set",
            json!({}),
            "",
            "expected array, found object",
        ),
    ];
    let mut failures = Vec::new();
    for (name, value, path, reason) in cases {
        match run(name, &value) {
            Ok(_) => failures.push(format!("{name} {value}: accepted")),
            Err(e)
                if e.problems
                    .iter()
                    .any(|p| p.path == path && p.reason.contains(reason)) => {}
            Err(e) => failures.push(format!("{name} {value}: want {path}: {reason}; got {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rich_text_is_sanitized_and_plain_text_derived() {
    let value = json!({"rich_text": {
        "html": "<p>Hello <script>alert(1)</script><b>world</b></p><p onclick=\"x()\">a &amp; b &lt;c&gt;<br>next</p><a href=\"javascript:evil()\">link</a>",
        "plain_text": "forged"
    }});
    let ContentData::RichText(rich) = validate::<ContentData>(&value).unwrap() else {
        panic!("not rich text")
    };
    assert!(!rich.html.contains("script"), "{}", rich.html);
    assert!(!rich.html.contains("onclick"), "{}", rich.html);
    assert!(!rich.html.contains("javascript"), "{}", rich.html);
    assert!(rich.html.contains("<b>world</b>"), "{}", rich.html);
    assert_eq!(rich.plain_text, "Hello world\na & b <c>\nnext\nlink");
}

#[test]
fn content_must_agree_with_the_block_type() {
    let image = json!({"image": {"url": "https://e.com/a.png", "alt_text": "a"}});
    assert!(ContentData::validate_for(ContentType::Image, &image).is_ok());
    let err = ContentData::validate_for(ContentType::Video, &image).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(err.problems[0].reason.contains("`image`"), "{err}");
    let as_error: crate::Error = err.into();
    assert_eq!(as_error.code(), "invalid_document");
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let value = json!({"preferred_pace": deep});
    let err = validate::<LearningPreferences>(&value).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(err.problems[0].reason.contains("nested deeper"));
}

#[test]
fn problems_are_capped() {
    let many: serde_json::Map<String, Value> =
        (0..500).map(|i| (format!("k{i}"), json!(1))).collect();
    let err = validate::<ProgressData>(&Value::Object(many)).unwrap_err();
    assert_eq!(err.problems.len(), limits::MAX_PROBLEMS + 1);
    assert!(err
        .problems
        .last()
        .unwrap()
        .reason
        .contains("stopped after"));
}

#[test]
fn display_lists_problems() {
    let err = validate::<LearningPreferences>(&json!({"extra": 1})).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("invalid learning_preferences: "), "{text}");
    assert!(text.contains("/extra: unknown field"), "{text}");
}

mod properties {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::{run, valid_examples, NAMES};
    use crate::documents::{Answers, Document, Question, QuestionSet};
    use serde::Deserialize;

    const KEYS: &[&str] = &[
        "type",
        "id",
        "prompt",
        "points",
        "options",
        "text",
        "fraction",
        "multiple",
        "accepted",
        "correct",
        "selected",
        "value",
        "html",
        "url",
        "image",
        "rich_text",
        "youtube",
        "video_id",
        "skills",
        "mastery",
        "evidence",
        "steps",
        "lesson_id",
        "blocks",
        "percent",
        "questions",
        "summary",
        "q1",
        "a",
        "multiple_choice",
        "essay",
        "",
    ];

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-2.0f64..2.0).prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop::sample::select(KEYS).prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
            Just(Value::from("https://e.com/x")),
            Just(Value::from("2024-05-01T10:00:00Z")),
            Just(Value::from("6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f")),
        ]
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(5, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(
                    |fields| {
                        Value::Object(
                            fields
                                .into_iter()
                                .map(|(k, v)| (k.to_owned(), v))
                                .collect::<Map<_, _>>(),
                        )
                    }
                ),
            ]
        })
    }

    /// Replaces the node reached by following `seeds` with `replacement`.
    fn mutate(node: &mut Value, seeds: &[usize], replacement: Value) {
        let Some((seed, rest)) = seeds.split_first() else {
            *node = replacement;
            return;
        };
        match node {
            Value::Array(items) if !items.is_empty() => {
                let i = seed % items.len();
                mutate(&mut items[i], rest, replacement);
            }
            Value::Object(fields) if !fields.is_empty() => {
                let i = seed % fields.len();
                mutate(fields.values_mut().nth(i).unwrap(), rest, replacement);
            }
            _ => *node = replacement,
        }
    }

    /// A valid example document, and the same with the node a few seeds lead to replaced
    /// by arbitrary JSON (near-valid).
    fn near_valid() -> impl Strategy<Value = (Value, Value)> {
        (
            any::<usize>(),
            prop::collection::vec(any::<usize>(), 0..6),
            arbitrary_json(),
        )
            .prop_map(|(pick, seeds, replacement)| {
                let examples = valid_examples();
                let (_, valid) = examples[pick % examples.len()].clone();
                let mut near = valid.clone();
                mutate(&mut near, &seeds, replacement);
                (valid, near)
            })
    }

    fn check_never_panics(value: &Value) {
        for name in NAMES {
            if let Err(e) = run(name, value) {
                assert!(!e.problems.is_empty());
                // The schema check must catch whatever serde would refuse.
                assert!(
                    !e.problems
                        .iter()
                        .any(|p| p.reason.starts_with("cannot be read")),
                    "{name} {value}: {e}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn validators_never_panic_on_arbitrary_json(value in arbitrary_json()) {
            check_never_panics(&value);
        }

        /// The questions and answers read straight from the value are what serde's
        /// derive reads, for valid documents and for near-valid ones alike.
        #[test]
        fn tagged_documents_read_from_a_value_as_serde_reads_them(
            (valid, near) in near_valid(),
        ) {
            for value in [&valid, &near] {
                prop_assert_eq!(
                    QuestionSet::from_value(value).ok(),
                    QuestionSet::deserialize(value).ok()
                );
                prop_assert_eq!(Question::from_value(value).ok(), Question::deserialize(value).ok());
                prop_assert_eq!(Answers::from_value(value).ok(), Answers::deserialize(value).ok());
            }
        }

        #[test]
        fn validators_never_panic_on_near_valid_json((_, near) in near_valid()) {
            check_never_panics(&near);
        }
    }
}

#[test]
fn check_url_takes_the_string_as_stored() {
    assert!(check_url("avatar_url", "https://cdn.example.org/a.png").is_ok());
    // the URL parser would accept each of these, the database constraint does not
    for bad in [
        "HTTPS://cdn.example.org/a.png",
        " https://cdn.example.org/a.png",
        "https:cdn.example.org/a.png",
        "https:\\\\cdn.example.org\\a.png",
        "https://cdn.example.org/a b.png",
        "https://cdn.example.org/a.png\n",
        "http://cdn.example.org/a.png",
        "javascript:alert(1)",
        "https://user:secret@cdn.example.org/a.png",
    ] {
        let err = check_url("avatar_url", bad).unwrap_err();
        assert_eq!(err.code(), "invalid_document", "{bad:?}");
    }
}

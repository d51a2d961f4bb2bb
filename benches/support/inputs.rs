//! Inputs of the core benches, built by functions so that a test can reuse them
//! (`#[path = "../benches/support/inputs.rs"] mod inputs;`).

use serde_json::{json, Value};

/// Number of questions of the bench assessment.
pub const QUESTIONS: usize = 20;

/// A typical assessment document (`assessments.questions`): 20 questions, five each of
/// multi-select, single choice, true/false and short answer with wildcards; no essays.
pub fn question_set() -> Value {
    let mut questions = Vec::with_capacity(QUESTIONS);
    for i in 0..5 {
        questions.push(json!({
            "type": "multiple_choice", "id": format!("ms{i}"), "points": 4, "multiple": true,
            "prompt": format!("Which of these numbers are prime? (set {i})"),
            "options": [
                {"id": "a", "text": "2", "fraction": 0.5},
                {"id": "b", "text": "3", "fraction": 0.5},
                {"id": "c", "text": "4", "fraction": -0.5},
                {"id": "d", "text": "9", "fraction": -0.5}
            ],
            "explanation": "2 and 3 have no divisor but 1 and themselves."
        }));
        questions.push(json!({
            "type": "multiple_choice", "id": format!("sc{i}"), "points": 2,
            "prompt": format!("What is {i} + 2?"),
            "options": [
                {"id": "a", "text": format!("{}", i + 1), "fraction": 0},
                {"id": "b", "text": format!("{}", i + 2), "fraction": 1},
                {"id": "c", "text": format!("{}", i + 3), "fraction": 0}
            ]
        }));
        questions.push(json!({
            "type": "true_false", "id": format!("tf{i}"), "points": 1,
            "prompt": format!("{i} is an even number."), "correct": i % 2 == 0
        }));
        questions.push(json!({
            "type": "short_answer", "id": format!("sa{i}"), "points": 3,
            "prompt": "Name the process by which plants make food from light.",
            "accepted": [
                {"text": "photosynthesis", "fraction": 1},
                {"text": "photo*synth*", "fraction": 0.5},
                {"text": "*light*", "fraction": 0.25}
            ]
        }));
    }
    Value::Array(questions)
}

/// A student's answers to [`question_set`] (`assessment_attempts.answers`): every
/// question answered, some right, some partly right, some wrong.
pub fn answers() -> Value {
    let mut answers = serde_json::Map::new();
    let texts = [
        "Photosynthesis",
        "  photo-synthesis ",
        "using light",
        "respiration",
        "PHOTOSYNTHESIS",
    ];
    for (i, text) in texts.iter().enumerate() {
        let selected = match i % 3 {
            0 => json!(["a", "b"]),
            1 => json!(["a", "c"]),
            _ => json!(["b"]),
        };
        answers.insert(
            format!("ms{i}"),
            json!({"type": "multiple_choice", "selected": selected}),
        );
        let pick = if i % 2 == 0 { "b" } else { "a" };
        answers.insert(
            format!("sc{i}"),
            json!({"type": "multiple_choice", "selected": [pick]}),
        );
        answers.insert(
            format!("tf{i}"),
            json!({"type": "true_false", "value": i % 3 != 0}),
        );
        answers.insert(
            format!("sa{i}"),
            json!({"type": "short_answer", "text": text, "answered_at": "2024-05-01T10:00:00Z"}),
        );
    }
    Value::Object(answers)
}

/// A typical `rich_text` content block (`content_blocks.content`): about 2 KB of lesson
/// HTML with headings, lists, a table, links, and a script and event handler to strip.
pub fn rich_text() -> Value {
    let mut html = String::from("<h2>Fractions</h2>");
    for i in 0..4 {
        html.push_str(&format!(
            "<p>A <b>fraction</b> names a part of a whole: in <i>3/4</i> the \
             <em>denominator</em> 4 says the whole is cut in four equal parts and the \
             numerator 3 how many we take (paragraph {i}). See \
             <a href=\"https://example.com/fractions#{i}\">the guide</a>.</p>"
        ));
    }
    html.push_str(
        "<ul><li>Halves: 1/2</li><li>Thirds: 1/3</li><li>Quarters: 1/4</li></ul>\
         <table><tr><th>Fraction</th><th>Decimal</th></tr><tr><td>1/2</td><td>0.5</td></tr>\
         <tr><td>1/4</td><td>0.25</td></tr></table>\
         <p onclick=\"steal()\">Try it <script>alert('x')</script>yourself &amp; check.</p>\
         <blockquote>Practice makes progress.</blockquote>",
    );
    json!({"rich_text": {"html": html, "plain_text": ""}})
}

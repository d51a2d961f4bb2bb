//! The pure rules (no database): each function names its arguments, hands them to
//! `lms_core::calls::call` and converts the result. No rule is written here.

use pyo3::prelude::*;
use serde_json::{json, Value};

use pyo3::types::PyDict;

use crate::convert::{to_json, to_py, Json};
use crate::errors;

/// Calls rule `function` with `input`; the result typed by `key` (see `convert::to_py`).
fn call<'py>(
    py: Python<'py>,
    function: &str,
    input: Value,
    key: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    match lms_core::calls::call(function, input) {
        Ok(out) => to_py(py, &out, key),
        Err(e) => Err(errors::core(py, &e)),
    }
}

/// Validates `value` as the document named `document` (`"question_set"`, `"answers"`,
/// `"content_data"`, … see `DOCUMENTS`) and returns it normalized: rich-text HTML
/// sanitized, defaults filled in. Raises `InvalidDocument` with every problem.
#[pyfunction]
pub fn validate<'py>(py: Python<'py>, document: &str, value: Json) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "validate",
        json!({"document": document, "value": value.0}),
        Some("content"),
    )
}

/// The JSON Schema (draft 2020-12) of the document named `document`.
#[pyfunction]
pub fn json_schema<'py>(py: Python<'py>, document: &str) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "json_schema",
        json!({ "document": document }),
        Some("content"),
    )
}

/// Validates the content document of a block of type `content_type` (`"rich_text"`,
/// `"image"`, `"video"`, `"file"`, `"youtube"`) and returns it normalized.
#[pyfunction]
pub fn validate_content<'py>(
    py: Python<'py>,
    content_type: Json,
    value: Json,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "validate_content",
        json!({"content_type": content_type.0, "value": value.0}),
        Some("content"),
    )
}

/// Scores `answers` (an answers document) against `questions` (a question set) with the
/// passing score `passing` (0–100): `points_earned`, `total_points`, `score`, `passed`
/// (`None` while essays wait for a grade) and the `feedback` document.
#[pyfunction]
#[pyo3(signature = (questions, answers, passing = 70))]
pub fn score<'py>(
    py: Python<'py>,
    questions: Json,
    answers: Json,
    passing: i32,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "score",
        json!({"questions": questions.0, "answers": answers.0, "passing": passing}),
        None,
    )
}

/// Scores many answer sheets against one question set, in Rust with the GIL released,
/// and returns the results as columns (`pandas.DataFrame(x)` takes them): one
/// `points_earned`, `total_points`, `score`, `passed` per sheet, and with
/// `feedback=True` each sheet's feedback document too. The first invalid sheet raises
/// `InvalidDocument`, its problems under the sheet's index (`/12/q3`).
#[pyfunction]
#[pyo3(signature = (questions, answers, passing = 70, *, feedback = false))]
pub fn score_many<'py>(
    py: Python<'py>,
    questions: Json,
    answers: &Bound<'py, PyAny>,
    passing: i32,
    feedback: bool,
) -> PyResult<Bound<'py, PyDict>> {
    if answers.is_instance_of::<PyDict>() || answers.is_instance_of::<pyo3::types::PyString>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "score_many(): answers is a list of answer sheets, not one sheet",
        ));
    }
    let sheets = answers.try_iter().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err("score_many(): answers is a list of answer sheets")
    })?;
    let questions = questions.0;
    // Converting a sheet needs the GIL, scoring it does not: this thread converts while
    // another scores what is converted so far (the rules are lms_core's score_each).
    let (send, receive) = std::sync::mpsc::sync_channel::<Value>(256);
    let scored = std::thread::scope(|scope| {
        let scorer = scope.spawn(move || lms_core::calls::score_each(&questions, receive, passing));
        let mut converted: PyResult<()> = Ok(());
        for sheet in sheets {
            match sheet.and_then(|s| to_json(&s)) {
                Ok(value) => {
                    if send.send(value).is_err() {
                        break; // the scorer stopped at an invalid sheet
                    }
                }
                Err(e) => {
                    converted = Err(e);
                    break;
                }
            }
        }
        drop(send);
        let scored = py.detach(|| scorer.join());
        converted.map(|()| scored)
    })?
    .map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("score_many(): the scorer failed"))?
    .map_err(|e| errors::core(py, &e))?;
    let columns = PyDict::new(py);
    columns.set_item(
        "points_earned",
        scored
            .iter()
            .map(|s| s.points_earned.as_f64())
            .collect::<Vec<_>>(),
    )?;
    columns.set_item(
        "total_points",
        scored.iter().map(|s| s.total_points).collect::<Vec<_>>(),
    )?;
    columns.set_item("score", scored.iter().map(|s| s.score).collect::<Vec<_>>())?;
    columns.set_item(
        "passed",
        scored.iter().map(|s| s.passed).collect::<Vec<_>>(),
    )?;
    if feedback {
        let list = pyo3::types::PyList::empty(py);
        for s in &scored {
            let doc = serde_json::to_value(&s.feedback)
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
            list.append(to_py(py, &doc, Some("feedback"))?)?;
        }
        columns.set_item("feedback", list)?;
    }
    Ok(columns)
}

/// Grades one essay of a scored attempt (`scored`: what `score` returned): `points` in
/// 0..=the question's points, an optional comment. Returns the new result, final once no
/// essay waits.
#[pyfunction]
#[pyo3(signature = (scored, question_id, points, comment = None))]
pub fn grade_essay<'py>(
    py: Python<'py>,
    scored: Json,
    question_id: &str,
    points: u32,
    comment: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "grade_essay",
        json!({"scored": scored.0, "question_id": question_id, "points": points, "comment": comment}),
        None,
    )
}

/// Overrides the points of any question of a scored attempt (`scored`: what `score`
/// returned): `points` in 0..=the question's points, exact to the millionth (`0.75`),
/// an optional comment. The entry is marked `manual`, so `regrade` keeps it.
#[pyfunction]
#[pyo3(signature = (scored, question_id, points, comment = None))]
pub fn grade_question<'py>(
    py: Python<'py>,
    scored: Json,
    question_id: &str,
    points: f64,
    comment: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "grade_question",
        json!({"scored": scored.0, "question_id": question_id, "points": points, "comment": comment}),
        None,
    )
}

/// Re-scores a finished attempt's `answers` against (edited) `questions`, keeping the
/// grades set by hand in `previous` (the attempt's feedback document).
#[pyfunction]
#[pyo3(signature = (questions, answers, previous, passing = 70))]
pub fn regrade<'py>(
    py: Python<'py>,
    questions: Json,
    answers: Json,
    previous: Json,
    passing: i32,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "regrade",
        json!({"questions": questions.0, "answers": answers.0, "previous": previous.0, "passing": passing}),
        None,
    )
}

/// The grade of an assessment from its attempts (`attempt_number`, `started_at`,
/// `submitted_at`, `abandoned_at`, `score`, `passed`, `points_earned`, `total_points`)
/// by `method`, with Moodle's semantics: finished attempts only, averages from exact
/// points, first/last "no grade yet" while that attempt awaits grading. Returns
/// `{"score", "percentage", "passed", "attempt_number", "pending_review"}`.
#[pyfunction]
#[pyo3(signature = (attempts, method = "highest", passing = 70))]
pub fn grade_attempts<'py>(
    py: Python<'py>,
    attempts: Json,
    method: &str,
    passing: i32,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "grade_attempts",
        json!({"attempts": attempts.0, "method": method, "passing": passing}),
        None,
    )
}

/// May an attempt start at `now` (default: now)? `rules` as `AttemptRules` (a dict;
/// default: unlimited, untimed), `previous` the student's attempts (`attempt_number`,
/// `started_at`, `submitted_at`, `score`, `passed`), `missing` the prerequisite lessons
/// still to complete. Returns `{"kind": "new" | "resume" | "close_expired", …}` or raises
/// (`PrerequisitesUnmet`, `AttemptLimitReached`, `Conflict` when passed and retakes are
/// forbidden, or within the delay between attempts: its `details` say `available_at`).
#[pyfunction]
#[pyo3(signature = (rules = None, previous = None, missing = None, now = None))]
pub fn may_start<'py>(
    py: Python<'py>,
    rules: Option<Json>,
    previous: Option<Json>,
    missing: Option<Json>,
    now: Option<Json>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut input = json!({
        "previous": previous.map_or(json!([]), |p| p.0),
        "missing": missing.map_or(json!([]), |m| m.0),
        "now": now.map_or_else(|| json!(chrono::Utc::now()), |n| n.0),
    });
    if let Some(rules) = rules {
        input["rules"] = rules.0;
    }
    call(py, "may_start", input, None)
}

/// The time limit's verdict on a submission: which answers (`[{"question_id",
/// "answered_at"}]`) count, whether it is late, the `submitted_at` to store and the time
/// spent. `rules` as for `may_start`.
#[pyfunction]
#[pyo3(signature = (started_at, submitted_at, answers = None, rules = None))]
pub fn submission<'py>(
    py: Python<'py>,
    started_at: Json,
    submitted_at: Json,
    answers: Option<Json>,
    rules: Option<Json>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut input = json!({
        "started_at": started_at.0,
        "submitted_at": submitted_at.0,
        "answers": answers.map_or(json!([]), |a| a.0),
    });
    if let Some(rules) = rules {
        input["rules"] = rules.0;
    }
    call(py, "submission", input, None)
}

/// The grade over attempts' scores (in attempt order) by `method`: `"highest"`,
/// `"first"`, `"last"` or `"average"` (rounded down); `None` without scores.
#[pyfunction]
#[pyo3(signature = (scores, method = "highest"))]
pub fn grade<'py>(py: Python<'py>, scores: Json, method: &str) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "grade",
        json!({"scores": scores.0, "method": method}),
        None,
    )
}

/// The lessons whose prerequisites are all in `completed`, in topological order.
/// `lessons`: `[{"id": …, "prerequisites": [...]}]`.
#[pyfunction]
#[pyo3(signature = (lessons, completed = None))]
pub fn unlocked<'py>(
    py: Python<'py>,
    lessons: Json,
    completed: Option<Json>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "unlocked",
        json!({"lessons": lessons.0, "completed": completed.map_or(json!([]), |c| c.0)}),
        Some("lesson_ids"),
    )
}

/// The prerequisites of `lesson` not in `completed`.
#[pyfunction]
#[pyo3(signature = (lessons, lesson, completed = None))]
pub fn missing<'py>(
    py: Python<'py>,
    lessons: Json,
    lesson: Json,
    completed: Option<Json>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "missing",
        json!({"lessons": lessons.0, "lesson": lesson.0, "completed": completed.map_or(json!([]), |c| c.0)}),
        Some("lesson_ids"),
    )
}

/// Every lesson after its prerequisites; a cycle raises `InvalidDocument`.
#[pyfunction]
pub fn topological_order<'py>(py: Python<'py>, lessons: Json) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "topological_order",
        json!({ "lessons": lessons.0 }),
        Some("lesson_ids"),
    )
}

/// A lesson's status after `event` (`{"kind": "content_progress", …}`); a blocked lesson
/// taking content progress raises `InvalidTransition`.
#[pyfunction]
pub fn transition<'py>(py: Python<'py>, status: Json, event: Json) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "transition",
        json!({"status": status.0, "event": event.0}),
        None,
    )
}

/// A lesson's progress (`{"status", "completion_percentage"}`) after `event`.
#[pyfunction]
pub fn apply<'py>(py: Python<'py>, progress: Json, event: Json) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "apply",
        json!({"progress": progress.0, "event": event.0}),
        None,
    )
}

/// A lesson's progress from facts (`prerequisites_met`, `blocks_done`, `blocks_total`,
/// `assessment`, `accessed`, `previous`).
#[pyfunction]
pub fn lesson_progress<'py>(py: Python<'py>, facts: Json) -> PyResult<Bound<'py, PyAny>> {
    call(py, "lesson_progress", json!({ "facts": facts.0 }), None)
}

/// Whether a course is complete: every lesson status `"completed"` and the final
/// assessment `"passed"` or `"not_required"`.
#[pyfunction]
#[pyo3(signature = (lessons, final_assessment = None))]
pub fn course_complete<'py>(
    py: Python<'py>,
    lessons: Json,
    final_assessment: Option<Json>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "course_complete",
        json!({"lessons": lessons.0, "final_assessment": final_assessment.map_or(json!("not_required"), |f| f.0)}),
        None,
    )
}

/// Every reason a course cannot be published (empty when it can): `outline` is
/// `{"course": …, "lessons": [...], "blocks": [...], "assessments": [...]}` as the
/// library's rows.
#[pyfunction]
pub fn publish_problems<'py>(py: Python<'py>, outline: Json) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "publish_problems",
        json!({ "outline": outline.0 }),
        None,
    )
}

/// What a student sees of `questions` (a question set): no answer keys.
#[pyfunction]
pub fn student_view<'py>(py: Python<'py>, questions: Json) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "student_view",
        json!({ "questions": questions.0 }),
        Some("questions"),
    )
}

/// One Bayesian Knowledge Tracing update from P(known) = `mastery` after an answer
/// (`correct` or not), with `params` (`{"prior", "learn", "guess", "slip", "forget"}`,
/// default the library's): `{"predicted": P(correct) before, "mastery": P(known) after}`.
#[pyfunction]
#[pyo3(signature = (mastery, correct, params = None))]
pub fn bkt_update<'py>(
    py: Python<'py>,
    mastery: f64,
    correct: bool,
    params: Option<Json>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "bkt_update",
        json!({"mastery": mastery, "correct": correct, "params": params.map(|p| p.0)}),
        None,
    )
}

/// The P(correct) predicted before each answer of `rows` (`[{"student", "skill",
/// "correct"}]` in answering order; each student's sequence per skill traced apart),
/// under `model` (`{"default": params, "skills": {name: params}}`).
#[pyfunction]
#[pyo3(signature = (rows, model = None))]
pub fn bkt_predict<'py>(
    py: Python<'py>,
    rows: Json,
    model: Option<Json>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "bkt_predict",
        json!({"rows": rows.0, "model": model.map(|m| m.0)}),
        None,
    )
}

/// Fits BKT parameters to `rows` (as `bkt_predict` takes them), per skill, by EM from
/// `restarts` seeded starts: `[{"skill", "params", "log_likelihood", "iterations",
/// "answers", "sequences"}]`, in Rust with the GIL released.
#[pyfunction]
#[pyo3(signature = (rows, *, restarts = 5, seed = 42, max_iterations = 100, tolerance = 1e-6, forgets = false))]
pub fn fit_bkt<'py>(
    py: Python<'py>,
    rows: Json,
    restarts: u32,
    seed: u64,
    max_iterations: u32,
    tolerance: f64,
    forgets: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let input = json!({"rows": rows.0, "options": {"restarts": restarts, "seed": seed,
        "max_iterations": max_iterations, "tolerance": tolerance, "forgets": forgets}});
    let out = py.detach(move || lms_core::calls::call("fit_bkt", input));
    match out {
        Ok(v) => to_py(py, &v, Some("content")),
        Err(e) => Err(errors::core(py, &e)),
    }
}

/// A knowledge profile traced from `observations` (`[{"skill", "question_id",
/// "correct", "at"?}]` in answering order) under `model`: `{"profile", "changes"}`,
/// each change explained.
#[pyfunction]
#[pyo3(signature = (observations, model = None))]
pub fn trace_knowledge<'py>(
    py: Python<'py>,
    observations: Json,
    model: Option<Json>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "trace_knowledge",
        json!({"observations": observations.0, "model": model.map(|m| m.0)}),
        Some("content"),
    )
}

/// Plans a roadmap from `input` (what `Scope.roadmap_input` returns, or your own):
/// `{"data": roadmap_data, "reasoning": str}`.
#[pyfunction]
pub fn plan_roadmap<'py>(py: Python<'py>, input: Json) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "plan_roadmap",
        json!({ "input": input.0 }),
        Some("content"),
    )
}

/// Every rule `proposal` (a roadmap_data document) breaks against the plan of `input`:
/// `[{"code", "step", "message"}]`, empty when it may replace the plan.
#[pyfunction]
pub fn check_roadmap<'py>(
    py: Python<'py>,
    input: Json,
    proposal: Json,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "check_roadmap",
        json!({"input": input.0, "proposal": proposal.0}),
        Some("content"),
    )
}

/// The roadmap to store given an advisor's `proposal` for `input`: `{"roadmap",
/// "accepted", "violations"}` — the proposal when it breaks no rule, else the plan,
/// the verdict recorded in its `advisor` note.
#[pyfunction]
#[pyo3(signature = (input, proposal, source = "advisor", reasoning = None))]
pub fn decide_roadmap<'py>(
    py: Python<'py>,
    input: Json,
    proposal: Json,
    source: &str,
    reasoning: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "decide_roadmap",
        json!({"input": input.0, "proposal": proposal.0, "source": source, "reasoning": reasoning}),
        Some("content"),
    )
}

/// The area under the ROC curve of `predictions` for `outcomes` (ties count half);
/// `None` without both outcomes or when the lengths differ.
#[pyfunction]
pub fn auc<'py>(py: Python<'py>, predictions: Json, outcomes: Json) -> PyResult<Bound<'py, PyAny>> {
    call(
        py,
        "auc",
        json!({"predictions": predictions.0, "outcomes": outcomes.0}),
        None,
    )
}

/// Calls the pure function named `function` with a dict of its named arguments, as the
/// shared conformance vectors (`tests/vectors/`) state them.
#[pyfunction]
pub fn call_rule<'py>(py: Python<'py>, function: &str, input: Json) -> PyResult<Bound<'py, PyAny>> {
    call(py, function, input.0, None)
}

/// Registers the functions and the constants `DOCUMENTS`, `ERROR_CODES`, `HTTP_STATUS`
/// (the recommended status of each code), `RULES`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(json_schema, m)?)?;
    m.add_function(wrap_pyfunction!(validate_content, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(score_many, m)?)?;
    m.add_function(wrap_pyfunction!(grade_essay, m)?)?;
    m.add_function(wrap_pyfunction!(grade_question, m)?)?;
    m.add_function(wrap_pyfunction!(regrade, m)?)?;
    m.add_function(wrap_pyfunction!(may_start, m)?)?;
    m.add_function(wrap_pyfunction!(submission, m)?)?;
    m.add_function(wrap_pyfunction!(grade, m)?)?;
    m.add_function(wrap_pyfunction!(grade_attempts, m)?)?;
    m.add_function(wrap_pyfunction!(unlocked, m)?)?;
    m.add_function(wrap_pyfunction!(missing, m)?)?;
    m.add_function(wrap_pyfunction!(topological_order, m)?)?;
    m.add_function(wrap_pyfunction!(transition, m)?)?;
    m.add_function(wrap_pyfunction!(apply, m)?)?;
    m.add_function(wrap_pyfunction!(lesson_progress, m)?)?;
    m.add_function(wrap_pyfunction!(course_complete, m)?)?;
    m.add_function(wrap_pyfunction!(publish_problems, m)?)?;
    m.add_function(wrap_pyfunction!(student_view, m)?)?;
    m.add_function(wrap_pyfunction!(bkt_update, m)?)?;
    m.add_function(wrap_pyfunction!(bkt_predict, m)?)?;
    m.add_function(wrap_pyfunction!(fit_bkt, m)?)?;
    m.add_function(wrap_pyfunction!(trace_knowledge, m)?)?;
    m.add_function(wrap_pyfunction!(plan_roadmap, m)?)?;
    m.add_function(wrap_pyfunction!(check_roadmap, m)?)?;
    m.add_function(wrap_pyfunction!(decide_roadmap, m)?)?;
    m.add_function(wrap_pyfunction!(auc, m)?)?;
    m.add_function(wrap_pyfunction!(call_rule, m)?)?;
    m.add("DOCUMENTS", lms_core::calls::DOCUMENTS.to_vec())?;
    m.add("RULES", lms_core::calls::FUNCTIONS.to_vec())?;
    let codes: Vec<&str> = lms_core::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    m.add("ERROR_CODES", codes)?;
    let statuses: std::collections::BTreeMap<&str, u16> = lms_core::ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.http_status()))
        .collect();
    m.add("HTTP_STATUS", statuses)?;
    Ok(())
}

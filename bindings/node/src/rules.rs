//! The pure rules (no database), synchronous: each function gathers its arguments, hands
//! them to `lms_core::calls::call` and converts the result (camelCase outside documents).
//! No rule is written here.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{json, Value};

use crate::convert::{camelize, from_js, snakeize, to_js, Json};
use crate::errors;

/// Calls rule `function` with `input`; the result camelized unless `raw`.
fn call<'env>(env: &'env Env, function: &str, input: Value, raw: bool) -> Result<Unknown<'env>> {
    match lms_core::calls::call(function, input) {
        Ok(out) => to_js(env, &if raw { out } else { camelize(out) }),
        Err(e) => Err(errors::core(env, &e)),
    }
}

/// Validates `value` as the document named `document` (`"question_set"`, `"answers"`,
/// `"content_data"`, … see `DOCUMENTS`) and returns it normalized: rich-text HTML
/// sanitized, defaults filled in. Throws `LMS_INVALID_DOCUMENT` with every problem.
#[napi(ts_return_type = "Json")]
pub fn validate<'env>(
    env: &'env Env,
    document: String,
    #[napi(ts_arg_type = "unknown")] value: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let value = from_js(env, "value", value)?;
    call(
        env,
        "validate",
        json!({"document": document, "value": value}),
        true,
    )
}

/// The JSON Schema (draft 2020-12) of the document named `document`.
#[napi(ts_return_type = "Record<string, unknown>")]
pub fn json_schema<'env>(env: &'env Env, document: String) -> Result<Unknown<'env>> {
    call(env, "json_schema", json!({ "document": document }), true)
}

/// Validates the content document of a block of type `contentType` and returns it
/// normalized.
#[napi(ts_return_type = "Record<string, unknown>")]
pub fn validate_content<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "ContentType")] content_type: String,
    #[napi(ts_arg_type = "unknown")] value: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let value = from_js(env, "value", value)?;
    call(
        env,
        "validate_content",
        json!({"content_type": content_type, "value": value}),
        true,
    )
}

/// Options of `score` and `scoreMany`.
#[napi(object)]
pub struct ScoreOptions {
    /// The passing score, 0–100 (default 70).
    pub passing: Option<f64>,
    /// `scoreMany`: include each sheet's feedback document.
    pub feedback: Option<bool>,
}

/// Scores `answers` (an answers document) against `questions` (a question set):
/// `pointsEarned`, `totalPoints`, `score`, `passed` (`null` while essays wait) and the
/// `feedback` document.
#[napi(ts_return_type = "Scored")]
pub fn score<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "Question[]")] questions: Unknown<'_>,
    #[napi(ts_arg_type = "Answers")] answers: Unknown<'_>,
    options: Option<ScoreOptions>,
) -> Result<Unknown<'env>> {
    let (questions, answers) = (
        from_js(env, "questions", questions)?,
        from_js(env, "answers", answers)?,
    );
    let passing =
        crate::convert::opt_int(env, "passing", options.and_then(|o| o.passing))?.unwrap_or(70);
    call(
        env,
        "score",
        json!({"questions": questions, "answers": answers, "passing": passing}),
        false,
    )
}

/// Scores many answer sheets against one question set in one call: columns, one value
/// per sheet (`pointsEarned`, `totalPoints`, `score`, `passed`, and `feedback` with
/// `{feedback: true}`). The first invalid sheet throws, its problems under the sheet's
/// index (`/12/q3`).
///
/// The batch path: for each sheet in turn this calls `prepare(i)` (given by `lms.js`),
/// which checks sheet `i` as `from_js` would (what JSON cannot hold is a `TypeError`)
/// and returns the text V8's `JSON.stringify` writes — far cheaper than reading it value
/// by value; the text is parsed here while another thread scores the sheets before it
/// (`lms_core::calls::score_each`). Its TypeScript declaration is in
/// `types-header.d.ts`, without `prepare`.
#[napi(skip_typescript)]
pub fn score_many<'env>(
    env: &'env Env,
    questions: Unknown<'_>,
    answers: Unknown<'_>,
    options: Option<ScoreOptions>,
    prepare: Function<'_, u32, Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let questions = from_js(env, "questions", questions)?;
    let sheets = Object::from_unknown(answers)?;
    if answers.get_type()? != ValueType::Object || !sheets.is_array()? {
        return Err(errors::invalid_argument(
            env,
            "scoreMany(): answers is an array of answer sheets",
        ));
    }
    let passing =
        crate::convert::opt_int(env, "passing", options.as_ref().and_then(|o| o.passing))?
            .unwrap_or(70);
    let feedback = options.and_then(|o| o.feedback).unwrap_or(false);
    let len = sheets.get_array_length()?;
    // sheets go to the scorer 64 at a time: fewer hand-offs between the threads
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Value>>(16);
    let (read, scored) = std::thread::scope(|scope| {
        let questions = &questions;
        let scorer = scope.spawn(move || {
            lms_core::calls::score_each(questions, rx.into_iter().flatten(), passing)
        });
        let read = (|| -> Result<()> {
            let mut chunk = Vec::with_capacity(64);
            for i in 0..len {
                // a TypeError thrown by `prepare` stays pending and reaches the caller
                let text = String::from_unknown(prepare.call(i)?)?;
                let value = serde_json::from_str(&text)
                    .map_err(|e| errors::invalid_argument(env, &format!("answers at /{i}: {e}")))?;
                chunk.push(value);
                if chunk.len() == 64 && tx.send(std::mem::take(&mut chunk)).is_err() {
                    return Ok(()); // the scorer stopped at an invalid sheet
                }
            }
            if !chunk.is_empty() {
                let _ = tx.send(chunk);
            }
            Ok(())
        })();
        drop(tx);
        (read, scorer.join())
    });
    read?;
    let scored = scored
        .map_err(|_| Error::from_reason("the scoring thread panicked"))?
        .map_err(|e| errors::core(env, &e))?;
    let mut columns = json!({
        "pointsEarned": scored.iter().map(|s| s.points_earned).collect::<Vec<_>>(),
        "totalPoints": scored.iter().map(|s| s.total_points).collect::<Vec<_>>(),
        "score": scored.iter().map(|s| s.score).collect::<Vec<_>>(),
        "passed": scored.iter().map(|s| s.passed).collect::<Vec<_>>(),
    });
    if feedback {
        columns["feedback"] =
            serde_json::to_value(scored.iter().map(|s| &s.feedback).collect::<Vec<_>>())
                .map_err(|e| Error::from_reason(e.to_string()))?;
    }
    to_js(env, &columns)
}

/// Grades one essay of a scored attempt (`scored`: what `score` returned): `points` in
/// 0..=the question's points, an optional comment.
#[napi(ts_return_type = "Scored")]
pub fn grade_essay<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "Scored")] scored: Unknown<'_>,
    question_id: String,
    points: f64,
    comment: Option<String>,
) -> Result<Unknown<'env>> {
    let scored = snakeize(from_js(env, "scored", scored)?);
    let points = crate::convert::count(env, "points", points)?;
    call(
        env,
        "grade_essay",
        json!({"scored": scored, "question_id": question_id, "points": points, "comment": comment}),
        false,
    )
}

/// Overrides the points of any question of a scored attempt (`scored`: what `score`
/// returned): `points` in 0..=the question's points, exact to the millionth, an
/// optional comment; the entry is marked `manual` (a regrade keeps it).
#[napi(ts_return_type = "Scored")]
pub fn grade_question<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "Scored")] scored: Unknown<'_>,
    question_id: String,
    points: f64,
    comment: Option<String>,
) -> Result<Unknown<'env>> {
    let scored = snakeize(from_js(env, "scored", scored)?);
    call(
        env,
        "grade_question",
        json!({"scored": scored, "question_id": question_id, "points": points, "comment": comment}),
        false,
    )
}

/// Re-scores a finished attempt's `answers` against (edited) `questions`, keeping the
/// grades set by hand in `previous` (the attempt's feedback document).
#[napi(ts_return_type = "Scored")]
pub fn regrade<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "Question[]")] questions: Unknown<'_>,
    #[napi(ts_arg_type = "Answers")] answers: Unknown<'_>,
    #[napi(ts_arg_type = "Feedback")] previous: Unknown<'_>,
    options: Option<ScoreOptions>,
) -> Result<Unknown<'env>> {
    let questions = from_js(env, "questions", questions)?;
    let answers = from_js(env, "answers", answers)?;
    let previous = from_js(env, "previous", previous)?;
    let passing =
        crate::convert::opt_int(env, "passing", options.and_then(|o| o.passing))?.unwrap_or(70);
    call(
        env,
        "regrade",
        json!({"questions": questions, "answers": answers, "previous": previous, "passing": passing}),
        false,
    )
}

/// Options of `gradeAttempts`.
#[napi(object)]
pub struct GradeAttemptsOptions {
    /// `"highest"` (default), `"first"`, `"last"` or `"average"`.
    #[napi(ts_type = "GradingMethod")]
    pub method: Option<String>,
    /// The passing score 0–100 (default 70).
    pub passing: Option<f64>,
}

/// The grade of an assessment from its attempts, with Moodle's semantics: finished
/// attempts only, averages from exact points, first/last "no grade yet" while that
/// attempt awaits grading.
#[napi(ts_return_type = "AssessmentGrade")]
pub fn grade_attempts<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "AttemptSummary[]")] attempts: Unknown<'_>,
    options: Option<GradeAttemptsOptions>,
) -> Result<Unknown<'env>> {
    let attempts = snakeize(from_js(env, "attempts", attempts)?);
    let (method, passing) = options.map_or((None, None), |o| (o.method, o.passing));
    let passing = crate::convert::opt_int(env, "passing", passing)?.unwrap_or(70);
    call(
        env,
        "grade_attempts",
        json!({"attempts": attempts, "method": method.unwrap_or_else(|| "highest".into()), "passing": passing}),
        false,
    )
}

/// What `mayStart` is asked about.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct MayStartInput {
    /// The assessment's rules (`maxAttempts`, `timeLimitMinutes`, `graceSeconds`,
    /// `retakePolicy`, `timeLimitPolicy`, `gradingMethod`); default unlimited, untimed.
    #[napi(ts_type = "Partial<AttemptRules>")]
    pub rules: Option<Json>,
    /// The student's attempts (`attemptNumber`, `startedAt`, `submittedAt`, `score`,
    /// `passed`).
    #[napi(ts_type = "AttemptSummary[]")]
    pub previous: Option<Json>,
    /// Prerequisite lessons still to complete.
    pub missing: Option<Vec<String>>,
    /// The time (ISO 8601), default now.
    pub now: Option<String>,
}

/// May an attempt start? `{kind: "new" | "resume" | "close_expired", attemptNumber,
/// deadline?}`, or throws (`LMS_PREREQUISITES_UNMET`, `LMS_ATTEMPT_LIMIT_REACHED`,
/// `LMS_CONFLICT` when passed).
#[napi(ts_return_type = "StartDecision")]
pub fn may_start<'env>(env: &'env Env, input: Option<MayStartInput>) -> Result<Unknown<'env>> {
    let input = input.unwrap_or_default();
    let mut args = json!({
        "previous": snakeize(input.previous.map_or(json!([]), |p| p.0)),
        "missing": input.missing.unwrap_or_default(),
        "now": input.now.map_or_else(|| json!(chrono::Utc::now()), |n| json!(n)),
    });
    if let Some(rules) = input.rules {
        args["rules"] = snakeize(rules.0);
    }
    call(env, "may_start", args, false)
}

/// What `submission` is asked about.
#[napi(object, object_to_js = false)]
pub struct SubmissionInput {
    /// When the attempt started (ISO 8601).
    pub started_at: String,
    /// When it is submitted (ISO 8601).
    pub submitted_at: String,
    /// The answers' questions and when they were saved.
    #[napi(ts_type = "{ questionId: string; answeredAt: string }[]")]
    pub answers: Option<Json>,
    /// The assessment's rules, as for `mayStart`.
    #[napi(ts_type = "Partial<AttemptRules>")]
    pub rules: Option<Json>,
}

/// The time limit's verdict on a submission: which answers count, whether it is late,
/// the `submittedAt` to store and the time spent.
#[napi(ts_return_type = "SubmissionVerdict")]
pub fn submission<'env>(env: &'env Env, input: SubmissionInput) -> Result<Unknown<'env>> {
    let mut args = json!({
        "started_at": input.started_at,
        "submitted_at": input.submitted_at,
        "answers": snakeize(input.answers.map_or(json!([]), |a| a.0)),
    });
    if let Some(rules) = input.rules {
        args["rules"] = snakeize(rules.0);
    }
    call(env, "submission", args, false)
}

/// Options of `grade`.
#[napi(object)]
pub struct GradeOptions {
    /// `"highest"` (default), `"first"`, `"last"` or `"average"` (rounded down).
    #[napi(ts_type = "GradingMethod")]
    pub method: Option<String>,
}

/// The grade over attempts' scores (in attempt order); `null` without scores.
#[napi(ts_return_type = "number | null")]
pub fn grade<'env>(
    env: &'env Env,
    scores: Vec<f64>,
    options: Option<GradeOptions>,
) -> Result<Unknown<'env>> {
    let method = options
        .and_then(|o| o.method)
        .unwrap_or_else(|| "highest".into());
    call(
        env,
        "grade",
        json!({"scores": scores.iter().map(|s| crate::convert::int(env, "scores", *s)).collect::<Result<Vec<_>>>()?, "method": method}),
        false,
    )
}

/// A lesson and its prerequisites.
#[napi(object)]
pub struct LessonNode {
    /// The lesson.
    pub id: String,
    /// Lessons to complete first.
    pub prerequisites: Option<Vec<String>>,
}

fn nodes(lessons: Vec<LessonNode>) -> Value {
    Value::Array(
        lessons
            .into_iter()
            .map(|l| json!({"id": l.id, "prerequisites": l.prerequisites.unwrap_or_default()}))
            .collect(),
    )
}

/// The lessons whose prerequisites are all in `completed`, in topological order.
#[napi(ts_return_type = "string[]")]
pub fn unlocked<'env>(
    env: &'env Env,
    lessons: Vec<LessonNode>,
    completed: Option<Vec<String>>,
) -> Result<Unknown<'env>> {
    call(
        env,
        "unlocked",
        json!({"lessons": nodes(lessons), "completed": completed.unwrap_or_default()}),
        false,
    )
}

/// The prerequisites of `lesson` not in `completed`.
#[napi(ts_return_type = "string[]")]
pub fn missing<'env>(
    env: &'env Env,
    lessons: Vec<LessonNode>,
    lesson: String,
    completed: Option<Vec<String>>,
) -> Result<Unknown<'env>> {
    call(
        env,
        "missing",
        json!({"lessons": nodes(lessons), "lesson": lesson, "completed": completed.unwrap_or_default()}),
        false,
    )
}

/// Every lesson after its prerequisites; a cycle throws `LMS_INVALID_DOCUMENT`.
#[napi(ts_return_type = "string[]")]
pub fn topological_order<'env>(env: &'env Env, lessons: Vec<LessonNode>) -> Result<Unknown<'env>> {
    call(
        env,
        "topological_order",
        json!({ "lessons": nodes(lessons) }),
        false,
    )
}

/// A lesson's status after `event` (`{kind: "content_progress", blocksDone, …}`).
#[napi(ts_return_type = "ProgressStatus")]
pub fn transition<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "ProgressStatus")] status: String,
    #[napi(ts_arg_type = "ProgressEvent")] event: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let event = snakeize(from_js(env, "event", event)?);
    call(
        env,
        "transition",
        json!({"status": status, "event": event}),
        false,
    )
}

/// A lesson's progress (`{status, completionPercentage}`) after `event`.
#[napi(ts_return_type = "LessonProgress")]
pub fn apply<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "LessonProgress")] progress: Unknown<'_>,
    #[napi(ts_arg_type = "ProgressEvent")] event: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let progress = snakeize(from_js(env, "progress", progress)?);
    let event = snakeize(from_js(env, "event", event)?);
    call(
        env,
        "apply",
        json!({"progress": progress, "event": event}),
        false,
    )
}

/// A lesson's progress from facts (`prerequisitesMet`, `blocksDone`, `blocksTotal`,
/// `assessment`, `accessed`, `previous`).
#[napi(ts_return_type = "LessonProgress")]
pub fn lesson_progress<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "LessonFacts")] facts: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let facts = snakeize(from_js(env, "facts", facts)?);
    call(env, "lesson_progress", json!({ "facts": facts }), false)
}

/// Whether a course is complete: every lesson `"completed"` and the final assessment
/// `"passed"` or `"not_required"` (the default).
#[napi]
pub fn course_complete(
    env: &Env,
    #[napi(ts_arg_type = "ProgressStatus[]")] lessons: Vec<String>,
    #[napi(ts_arg_type = "AssessmentState")] final_assessment: Option<String>,
) -> Result<bool> {
    let out = lms_core::calls::call(
        "course_complete",
        json!({"lessons": lessons, "final_assessment": final_assessment.unwrap_or_else(|| "not_required".into())}),
    )
    .map_err(|e| errors::core(env, &e))?;
    Ok(out.as_bool().unwrap_or(false))
}

/// Every reason a course cannot be published (empty when it can): `outline` is
/// `{course, lessons, blocks, assessments}` as the library returns them.
#[napi(ts_return_type = "PublishProblem[]")]
pub fn publish_problems<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "PublishOutline")] outline: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let outline = snakeize(from_js(env, "outline", outline)?);
    call(
        env,
        "publish_problems",
        json!({ "outline": outline }),
        false,
    )
}

/// What a student sees of `questions`: no answer keys.
#[napi(ts_return_type = "StudentQuestion[]")]
pub fn student_view<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "Question[]")] questions: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let questions = from_js(env, "questions", questions)?;
    call(env, "student_view", json!({ "questions": questions }), true)
}

/// One Bayesian Knowledge Tracing update from P(known) = `mastery` after an answer:
/// `{predicted, mastery}` (P(correct) before, P(known) after), with `params` (default
/// the library's).
#[napi(ts_return_type = "BktStep")]
pub fn bkt_update<'env>(
    env: &'env Env,
    mastery: f64,
    correct: bool,
    #[napi(ts_arg_type = "BktParams")] params: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let params = params.map(|p| from_js(env, "params", p)).transpose()?;
    call(
        env,
        "bkt_update",
        json!({"mastery": mastery, "correct": correct, "params": params}),
        false,
    )
}

/// The P(correct) predicted before each answer of `rows` (`{student, skill, correct}` in
/// answering order; each student's sequence per skill traced apart) under `model`
/// (`{default, skills: {name: params}}`).
#[napi(ts_return_type = "number[]")]
pub fn bkt_predict<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "AnswerRow[]")] rows: Unknown<'_>,
    #[napi(ts_arg_type = "KnowledgeModel")] model: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let rows = from_js(env, "rows", rows)?;
    let model = model.map(|m| from_js(env, "model", m)).transpose()?;
    call(
        env,
        "bkt_predict",
        json!({"rows": rows, "model": model}),
        false,
    )
}

/// Fits BKT parameters to `rows` (as `bktPredict` takes them) per skill, by EM from
/// seeded starts (`{restarts, seed, maxIterations, tolerance, forgets}`).
#[napi(ts_return_type = "SkillFit[]")]
pub fn fit_bkt<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "AnswerRow[]")] rows: Unknown<'_>,
    #[napi(ts_arg_type = "FitOptions")] options: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let rows = from_js(env, "rows", rows)?;
    let options = options
        .map(|o| from_js(env, "options", o).map(snakeize))
        .transpose()?;
    call(
        env,
        "fit_bkt",
        json!({"rows": rows, "options": options}),
        false,
    )
}

/// A knowledge profile traced from `observations` (`{skill, question_id, correct, at?}`
/// in answering order) under `model`: `{profile, changes}`, as the library writes them.
#[napi(ts_return_type = "TracedKnowledge")]
pub fn trace_knowledge<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "Record<string, unknown>[]")] observations: Unknown<'_>,
    #[napi(ts_arg_type = "KnowledgeModel")] model: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let observations = from_js(env, "observations", observations)?;
    let model = model.map(|m| from_js(env, "model", m)).transpose()?;
    call(
        env,
        "trace_knowledge",
        json!({"observations": observations, "model": model}),
        true,
    )
}

/// Plans a roadmap from `input` (what `Scope.roadmapInput` resolves with, snake_case):
/// `{data, reasoning}`, as the library writes them.
#[napi(ts_return_type = "PlannedRoadmap")]
pub fn plan_roadmap<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "PlanInput")] input: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let input = from_js(env, "input", input)?;
    call(env, "plan_roadmap", json!({ "input": input }), true)
}

/// Every rule `proposal` (a roadmap_data document) breaks against the plan of `input`;
/// empty when it may replace the plan.
#[napi(ts_return_type = "RoadmapViolation[]")]
pub fn check_roadmap<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "PlanInput")] input: Unknown<'_>,
    #[napi(ts_arg_type = "RoadmapData")] proposal: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let input = from_js(env, "input", input)?;
    let proposal = from_js(env, "proposal", proposal)?;
    call(
        env,
        "check_roadmap",
        json!({"input": input, "proposal": proposal}),
        true,
    )
}

/// The roadmap to store given an advisor's `proposal` for `input`: the proposal when it
/// breaks no rule, else the plan, the verdict in its `advisor` note.
#[napi(ts_return_type = "RoadmapDecision")]
pub fn decide_roadmap<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "PlanInput")] input: Unknown<'_>,
    #[napi(ts_arg_type = "RoadmapData")] proposal: Unknown<'_>,
    source: Option<String>,
    reasoning: Option<String>,
) -> Result<Unknown<'env>> {
    let input = from_js(env, "input", input)?;
    let proposal = from_js(env, "proposal", proposal)?;
    call(
        env,
        "decide_roadmap",
        json!({"input": input, "proposal": proposal, "source": source, "reasoning": reasoning}),
        true,
    )
}

/// The area under the ROC curve of `predictions` for `outcomes` (ties count half);
/// `null` without both outcomes or when the lengths differ.
#[napi(ts_return_type = "number | null")]
pub fn auc<'env>(
    env: &'env Env,
    predictions: Vec<f64>,
    outcomes: Vec<bool>,
) -> Result<Unknown<'env>> {
    call(
        env,
        "auc",
        json!({"predictions": predictions, "outcomes": outcomes}),
        false,
    )
}

/// Calls the pure function `name` with an object of its named arguments and
/// returns its JSON as the library writes it (snake_case): the entry point of the
/// shared conformance vectors (`tests/vectors/`).
#[napi(ts_return_type = "unknown")]
pub fn call_rule<'env>(
    env: &'env Env,
    name: String,
    #[napi(ts_arg_type = "Record<string, unknown>")] input: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let input = from_js(env, "input", input)?;
    call(env, &name, input, true)
}

/// The names of the documents `validate` and `jsonSchema` know.
#[napi]
pub fn documents() -> Vec<&'static str> {
    lms_core::calls::DOCUMENTS.to_vec()
}

/// Every error code, as `err.code` carries it (`LMS_` + upper case), with its
/// recommended HTTP status.
#[napi(ts_return_type = "Record<string, number>")]
pub fn error_codes(env: &Env) -> Result<Unknown<'_>> {
    let map: serde_json::Map<String, Value> = lms_core::ErrorCode::ALL
        .iter()
        .map(|c| (errors::js_code(*c), json!(c.http_status())))
        .collect();
    to_js(env, &Value::Object(map))
}

//! The pure rules as calls by name whose inputs and outputs serialize: what the Python
//! and Node bindings call (each binding only converts its values to these and back), and
//! what the shared conformance vectors of the repository's `tests/vectors/` check through
//! [`call`]. No rule is here: each call validates its documents and hands them to the
//! module that decides ([`crate::scoring`], [`crate::attempts`], [`crate::prerequisites`],
//! [`crate::progress`], [`crate::publish`], [`crate::documents`]).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::attempts::{
    self, AssessmentGrade, AttemptRules, AttemptSummary, GradingMethod, StartDecision,
};
use crate::delivery::{self, Accommodation, LatePolicy, Recorded};
use crate::documents::{
    self, Answers, BlockMetadata, ContentData, Document, Feedback, InvalidDocument,
    KnowledgeProfile, LearningPreferences, ProgressData, Question, QuestionSet, RoadmapData,
    StudentQuestionSet,
};
use crate::grading::{course_grade, CourseGrade, GradeItem, GradingScheme};
use crate::model::{
    Assessment, ContentBlock, ContentType, Course, Lesson, LessonId, ProgressStatus,
};
use crate::prerequisites::Graph;
use crate::progress::{self, AssessmentState, LessonFacts, LessonProgress, ProgressEvent};
use crate::publish::{self, CourseOutline, PublishProblem};
use crate::roadmap::{
    self, AnswerRow, BktParams, FitOptions, KnowledgeModel, Mastery, Observation, PlanInput,
    Roadmap, SkillFit, Traced, Violation,
};
use crate::scoring::{self, Points, Scored, ScoringPolicy};
use crate::{Error, Result};

/// The fields of the library's results (Rust entities, read models, errors' details) that
/// hold JSON as it is stored — documents, row images of the audit log and the GDPR
/// export, lists of problems, counts keyed by table name. The bindings turn the other
/// fields into their language's idioms (ids, times, camelCase names) and leave these, and
/// everything inside them, as they are.
pub const VERBATIM_FIELDS: [&str; 16] = [
    "content",
    "metadata",
    "questions",
    "answers",
    "feedback",
    "progress",
    "roadmap_data",
    "progress_data",
    "learning_preferences",
    "knowledge_profile",
    "grading_scheme",
    "old_data",
    "new_data",
    "tables",
    "deleted",
    "problems",
];

/// How deeply the bindings let a value from their language nest (objects and arrays):
/// far beyond any document's shape, and short of exhausting a stack (or of following a
/// cycle forever). Deeper is refused as a bad argument before the rules see it.
pub const MAX_DEPTH: usize = 64;

/// Reads the changes of a patch (an object of its fields) as the patch type `T`, whose
/// fields are all optional; when they do not fit, the name of the first change that does
/// not fit on its own (for the bindings to name the argument) and serde's reason.
pub fn read_changes<T: DeserializeOwned>(
    changes: &serde_json::Map<String, Value>,
) -> std::result::Result<T, (Option<String>, String)> {
    serde_json::from_value(Value::Object(changes.clone())).map_err(|e| {
        let field = changes
            .iter()
            .find(|(k, v)| {
                let one = serde_json::Map::from_iter([((*k).clone(), (*v).clone())]);
                serde_json::from_value::<T>(Value::Object(one)).is_err()
            })
            .map(|(k, _)| k.clone());
        (field, e.to_string())
    })
}

/// The names of the documents [`validate`] and [`json_schema`] know, as
/// [`Document::NAME`]s.
pub const DOCUMENTS: [&str; 12] = [
    LearningPreferences::NAME,
    KnowledgeProfile::NAME,
    ContentData::NAME,
    BlockMetadata::NAME,
    Question::NAME,
    QuestionSet::NAME,
    Answers::NAME,
    Feedback::NAME,
    RoadmapData::NAME,
    ProgressData::NAME,
    StudentQuestionSet::NAME,
    GradingScheme::NAME,
];

fn unknown_document(name: &str) -> Error {
    Error::InvalidInput {
        field: "document",
        reason: format!(
            "no document is named `{name}`; one of {}",
            DOCUMENTS.join(", ")
        ),
    }
}

/// The normalized JSON of a valid document.
fn normalized<T: Document>(value: &Value) -> Result<Value> {
    let document = T::validate(value)?;
    serde_json::to_value(document).map_err(|e| Error::InvalidInput {
        field: "document",
        reason: e.to_string(),
    })
}

/// Validates `value` as the document named `document` (`question_set`, `answers`, …,
/// see [`DOCUMENTS`]) and returns it normalized (HTML sanitized, defaults filled in), or
/// `InvalidDocument` with every problem.
pub fn validate(document: &str, value: &Value) -> Result<Value> {
    match document {
        LearningPreferences::NAME => normalized::<LearningPreferences>(value),
        KnowledgeProfile::NAME => normalized::<KnowledgeProfile>(value),
        ContentData::NAME => normalized::<ContentData>(value),
        BlockMetadata::NAME => normalized::<BlockMetadata>(value),
        Question::NAME => normalized::<Question>(value),
        QuestionSet::NAME => normalized::<QuestionSet>(value),
        Answers::NAME => normalized::<Answers>(value),
        Feedback::NAME => normalized::<Feedback>(value),
        RoadmapData::NAME => normalized::<RoadmapData>(value),
        ProgressData::NAME => normalized::<ProgressData>(value),
        StudentQuestionSet::NAME => normalized::<StudentQuestionSet>(value),
        GradingScheme::NAME => normalized::<GradingScheme>(value),
        other => Err(unknown_document(other)),
    }
}

/// The JSON Schema of the document named `document` (see [`DOCUMENTS`]).
pub fn json_schema(document: &str) -> Result<Value> {
    Ok(match document {
        LearningPreferences::NAME => documents::json_schema::<LearningPreferences>(),
        KnowledgeProfile::NAME => documents::json_schema::<KnowledgeProfile>(),
        ContentData::NAME => documents::json_schema::<ContentData>(),
        BlockMetadata::NAME => documents::json_schema::<BlockMetadata>(),
        Question::NAME => documents::json_schema::<Question>(),
        QuestionSet::NAME => documents::json_schema::<QuestionSet>(),
        Answers::NAME => documents::json_schema::<Answers>(),
        Feedback::NAME => documents::json_schema::<Feedback>(),
        RoadmapData::NAME => documents::json_schema::<RoadmapData>(),
        ProgressData::NAME => documents::json_schema::<ProgressData>(),
        StudentQuestionSet::NAME => documents::json_schema::<StudentQuestionSet>(),
        GradingScheme::NAME => documents::json_schema::<GradingScheme>(),
        other => return Err(unknown_document(other)),
    })
}

/// Validates the content document of a block of type `content_type`
/// ([`ContentData::validate_for`]) and returns it normalized.
pub fn validate_content(content_type: ContentType, value: &Value) -> Result<Value> {
    let content = ContentData::validate_for(content_type, value)?;
    serde_json::to_value(content).map_err(|e| Error::InvalidInput {
        field: "content",
        reason: e.to_string(),
    })
}

/// Scores `answers` (an `answers` document) against `questions` (a `question_set`), both
/// validated first, with the passing score `minimum_passing_score` (0–100).
pub fn score(questions: &Value, answers: &Value, minimum_passing_score: i32) -> Result<Scored> {
    let questions = QuestionSet::validate(questions)?;
    let answers = Answers::validate(answers)?;
    scoring::score(
        &questions,
        &answers,
        &ScoringPolicy::new(minimum_passing_score)?,
    )
}

/// Scores many answer sheets against one question set: [`score`] for each, the question
/// set validated once. The first invalid sheet refuses the batch, its problems' paths
/// prefixed by the sheet's index (`/12/q3/selected`).
pub fn score_many(
    questions: &Value,
    answers: &[Value],
    minimum_passing_score: i32,
) -> Result<Vec<Scored>> {
    score_each(questions, answers.iter(), minimum_passing_score)
}

/// [`score_many`] over sheets as they come (e.g. converted by a binding while the first
/// ones are scored); the sheets after an invalid one are not read.
pub fn score_each<S: std::borrow::Borrow<Value>>(
    questions: &Value,
    answers: impl IntoIterator<Item = S>,
    minimum_passing_score: i32,
) -> Result<Vec<Scored>> {
    let questions = QuestionSet::validate(questions)?;
    let policy = ScoringPolicy::new(minimum_passing_score)?;
    answers
        .into_iter()
        .enumerate()
        .map(|(i, sheet)| {
            Answers::validate(sheet.borrow())
                .map_err(Error::from)
                .and_then(|a| scoring::score(&questions, &a, &policy))
                .map_err(|e| at_index(i, e))
        })
        .collect()
}

/// `e` with its problems under `/i` (the item of a batch it is about).
fn at_index(i: usize, e: Error) -> Error {
    let problems = e.problems();
    if problems.is_empty() {
        return e;
    }
    Error::InvalidDocument(InvalidDocument {
        document: e.document().unwrap_or("answers"),
        problems: problems
            .into_iter()
            .map(|mut p| {
                p.path = format!("/{i}{}", p.path);
                p
            })
            .collect(),
    })
}

/// Grades one essay of a scored attempt (`scored`: a [`Scored`] as serialized, e.g.
/// what [`score`] returned) and returns the new result.
pub fn grade_essay(
    scored: &Scored,
    question_id: &str,
    points: u32,
    comment: Option<&str>,
) -> Result<Scored> {
    scoring::grade_essay(&revalidated(scored)?, question_id, points, comment)
}

/// A [`Scored`] that came from outside (a binding's value): its feedback validated, its
/// summary recomputed from the entries.
fn revalidated(scored: &Scored) -> Result<Scored> {
    let feedback = Feedback::validate(&serde_json::to_value(&scored.feedback).map_err(|e| {
        Error::InvalidInput {
            field: "scored",
            reason: e.to_string(),
        }
    })?)?;
    Ok(Scored::from_feedback(feedback))
}

/// Overrides the points of any question of a scored attempt
/// ([`scoring::grade_question`]): `points` exact to the millionth.
pub fn grade_question(
    scored: &Scored,
    question_id: &str,
    points: f64,
    comment: Option<&str>,
) -> Result<Scored> {
    scoring::grade_question(
        &revalidated(scored)?,
        question_id,
        Points::argument(points)?,
        comment,
    )
}

/// Re-scores a finished attempt's `answers` against `questions`, keeping the manual
/// grades of `previous` (its `feedback` document) ([`scoring::regrade`]).
pub fn regrade(
    questions: &Value,
    answers: &Value,
    previous: &Value,
    minimum_passing_score: i32,
) -> Result<Scored> {
    let questions = QuestionSet::validate(questions)?;
    let answers = Answers::validate(answers)?;
    let previous = Feedback::validate(previous)?;
    scoring::regrade(
        &questions,
        &answers,
        &previous,
        &ScoringPolicy::new(minimum_passing_score)?,
    )
}

/// The grade of an assessment from its attempts ([`attempts::grade_attempts`]).
pub fn grade_attempts(
    method: GradingMethod,
    attempts: &[AttemptSummary],
    minimum_passing_score: i32,
) -> Result<AssessmentGrade> {
    let policy = ScoringPolicy::new(minimum_passing_score)?;
    Ok(attempts::grade_attempts(
        method,
        attempts,
        policy.minimum_passing_score,
    ))
}

/// May an attempt start now ([`attempts::may_start`])?
pub fn may_start(
    rules: &AttemptRules,
    previous: &[AttemptSummary],
    missing_prerequisites: &[LessonId],
    now: DateTime<Utc>,
) -> Result<StartDecision> {
    attempts::may_start(rules, previous, missing_prerequisites, now)
}

/// An answer's question and when it was saved, for [`submission`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SavedAnswer {
    /// The question answered.
    pub question_id: String,
    /// When the answer was saved.
    pub answered_at: DateTime<Utc>,
}

/// The time limit's verdict on a submission ([`attempts::Submission`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SubmissionVerdict {
    /// Questions whose answers count, in input order.
    pub kept: Vec<String>,
    /// Questions whose answers were saved too late, in input order.
    pub dropped: Vec<String>,
    /// Whether the submission came after deadline plus grace.
    pub late: bool,
    /// The `submitted_at` to store (the deadline when late).
    pub submitted_at: DateTime<Utc>,
    /// Seconds from start to the stored `submitted_at`.
    pub time_spent_seconds: i64,
    /// Seconds after the due time of the stored `submitted_at`; `None` when on time.
    pub past_due_seconds: Option<i64>,
}

/// Applies the time limit to a submission ([`attempts::submission`]).
pub fn submission(
    rules: &AttemptRules,
    started_at: DateTime<Utc>,
    submitted_at: DateTime<Utc>,
    answers: &[SavedAnswer],
) -> Result<SubmissionVerdict> {
    let verdict = attempts::submission(
        rules,
        started_at,
        submitted_at,
        answers
            .iter()
            .map(|a| (a.question_id.clone(), a.answered_at)),
    )?;
    Ok(SubmissionVerdict {
        kept: verdict.kept,
        dropped: verdict.dropped,
        late: verdict.late,
        submitted_at: verdict.submitted_at,
        time_spent_seconds: verdict.time_spent_seconds,
        past_due_seconds: verdict.past_due_seconds,
    })
}

/// An assessment's rules for one student with their accommodations, each checked first
/// ([`delivery::accommodate`]).
pub fn accommodate(rules: &AttemptRules, accommodations: &[Accommodation]) -> Result<AttemptRules> {
    for a in accommodations {
        a.check()?;
    }
    rules.schedule.check("rules")?;
    Ok(delivery::accommodate(rules, accommodations))
}

/// What a finished (or open) attempt's review shows its student at `now`, and its
/// feedback document, validated first, with only that ([`delivery::ReviewOptions::shown`],
/// [`delivery::reviewed_feedback`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reviewed {
    /// What is shown.
    pub shown: delivery::ReviewShown,
    /// The feedback with what is shown; `None` without feedback.
    pub feedback: Option<Value>,
}

/// [`Reviewed`]: what the review options show at `now` of an attempt `finished` or not
/// whose student's close time is `closes_at`, and of its `feedback`.
pub fn review(
    options: &delivery::ReviewOptions,
    finished: bool,
    closes_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    feedback: Option<&Value>,
) -> Result<Reviewed> {
    let shown = options.shown(finished, closes_at, now);
    let feedback = feedback
        .map(|f| Feedback::validate(f).map(|f| delivery::reviewed_feedback(&f, shown)))
        .transpose()?;
    Ok(Reviewed { shown, feedback })
}

/// A student's course grade from their assessments' grades by a course's grading
/// scheme, validated first ([`crate::grading::course_grade`]).
pub fn grade_course(scheme: &Value, items: &[GradeItem]) -> Result<CourseGrade> {
    let scheme = GradingScheme::validate(scheme)?;
    Ok(course_grade(&scheme, items))
}

/// What a late policy leaves of `points_earned` of `total_points` submitted
/// `late_seconds` after the due time ([`delivery::recorded`]); the policy checked first.
pub fn record_late(
    points_earned: Points,
    total_points: u32,
    is_final: bool,
    policy: Option<&LatePolicy>,
    late_seconds: Option<i64>,
    minimum_passing_score: u32,
) -> Result<Recorded> {
    if let Some(p) = policy {
        p.check("late_policy")?;
    }
    Ok(delivery::recorded(
        points_earned,
        total_points,
        is_final,
        policy,
        late_seconds,
        minimum_passing_score,
    ))
}

/// The grade over attempts' scores, in attempt order ([`attempts::grade`]).
pub fn grade(method: GradingMethod, scores: &[i32]) -> Option<i32> {
    attempts::grade(method, scores)
}

/// A lesson and its prerequisites, for the prerequisite calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LessonNode {
    /// The lesson.
    pub id: LessonId,
    /// Lessons to complete first.
    #[serde(default)]
    pub prerequisites: Vec<LessonId>,
}

fn graph(lessons: &[LessonNode]) -> Result<Graph> {
    Graph::new(lessons.iter().map(|l| (l.id, l.prerequisites.clone())))
}

/// The lessons whose prerequisites are all in `completed`, in topological order
/// ([`Graph::unlocked`]).
pub fn unlocked(lessons: &[LessonNode], completed: &[LessonId]) -> Result<Vec<LessonId>> {
    let done: HashSet<LessonId> = completed.iter().copied().collect();
    Ok(graph(lessons)?.unlocked(&done))
}

/// The prerequisites of `lesson` not in `completed` ([`Graph::missing`]).
pub fn missing(
    lessons: &[LessonNode],
    lesson: LessonId,
    completed: &[LessonId],
) -> Result<Vec<LessonId>> {
    let done: HashSet<LessonId> = completed.iter().copied().collect();
    graph(lessons)?.missing(lesson, &done)
}

/// Every lesson after its prerequisites ([`Graph::topological_order`]); a cycle is
/// `invalid_document` naming it.
pub fn topological_order(lessons: &[LessonNode]) -> Result<Vec<LessonId>> {
    Ok(graph(lessons)?.topological_order())
}

/// A lesson status after an event ([`progress::transition`]).
pub fn transition(status: ProgressStatus, event: &ProgressEvent) -> Result<ProgressStatus> {
    progress::transition(status, event)
}

/// A lesson's progress after an event ([`progress::apply`]).
pub fn apply(current: LessonProgress, event: &ProgressEvent) -> Result<LessonProgress> {
    progress::apply(current, event)
}

/// A lesson's progress from facts ([`progress::lesson_progress`]).
pub fn lesson_progress(facts: &LessonFacts) -> Result<LessonProgress> {
    progress::lesson_progress(facts)
}

/// Whether a course is complete ([`progress::course_complete`]).
pub fn course_complete(lessons: &[ProgressStatus], final_assessment: AssessmentState) -> bool {
    progress::course_complete(lessons.iter().copied(), final_assessment)
}

/// What publishing looks at ([`CourseOutline`]), owned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Outline {
    /// The course.
    pub course: Course,
    /// Its lessons.
    #[serde(default)]
    pub lessons: Vec<Lesson>,
    /// Their content blocks.
    #[serde(default)]
    pub blocks: Vec<ContentBlock>,
    /// The assessments of the course and its lessons.
    #[serde(default)]
    pub assessments: Vec<Assessment>,
}

/// Every reason the course cannot be published ([`publish::check`]); empty when it can.
pub fn publish_problems(outline: &Outline) -> Vec<PublishProblem> {
    publish::check(&CourseOutline {
        course: &outline.course,
        lessons: &outline.lessons,
        blocks: &outline.blocks,
        assessments: &outline.assessments,
    })
    .err()
    .unwrap_or_default()
}

/// What a student sees of `questions` (a `question_set`, validated first):
/// [`documents::student_view`].
pub fn student_view(questions: &Value) -> Result<StudentQuestionSet> {
    Ok(documents::student_view(&QuestionSet::validate(questions)?))
}

/// One BKT update ([`roadmap::Bkt::update`]) from P(known) = `mastery`: the P(correct)
/// predicted before the answer, and P(known) after it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BktStep {
    /// P(correct) predicted before the answer.
    pub predicted: f64,
    /// P(known) after the answer.
    pub mastery: f64,
}

/// [`BktStep`] of one answer under `params` (checked).
pub fn bkt_update(params: BktParams, mastery: f64, correct: bool) -> Result<BktStep> {
    if !(0.0..=1.0).contains(&mastery) {
        return Err(Error::InvalidInput {
            field: "mastery",
            reason: format!("a probability in 0..=1, not {mastery}"),
        });
    }
    let bkt = params.checked()?.model();
    let m = Mastery::new(mastery);
    Ok(BktStep {
        predicted: bkt.predict(m),
        mastery: bkt.update(m, correct).p(),
    })
}

/// The P(correct) predicted before each answer of `rows` ([`roadmap::predict_answers`]).
pub fn bkt_predict(model: KnowledgeModel, rows: &[AnswerRow]) -> Result<Vec<f64>> {
    Ok(roadmap::predict_answers(&model.checked()?, rows))
}

/// Fits every skill of `rows` ([`roadmap::fit_answers`]).
pub fn fit_bkt(rows: &[AnswerRow], options: &FitOptions) -> Result<Vec<SkillFit>> {
    roadmap::fit_answers(rows, options)
}

/// A knowledge profile traced from observations ([`roadmap::trace`]).
pub fn trace_knowledge(model: KnowledgeModel, observations: &[Observation]) -> Result<Traced> {
    Ok(roadmap::trace(&model.checked()?, observations))
}

/// Plans a roadmap ([`roadmap::plan()`]); the knowledge profile and preferences of the
/// input are validated as their documents first.
pub fn plan_roadmap(input: &PlanInput) -> Result<Roadmap> {
    Ok(planned(input)?.1)
}

/// `input` with its documents validated, and its plan.
fn planned(input: &PlanInput) -> Result<(PlanInput, Roadmap)> {
    let input = checked_input(input)?;
    let plan = roadmap::plan(&input)?;
    Ok((input, plan))
}

fn checked_input(input: &PlanInput) -> Result<PlanInput> {
    let mut input = input.clone();
    input.knowledge = KnowledgeProfile::validate(&to_value(&input.knowledge, "input")?)?;
    input.preferences = LearningPreferences::validate(&to_value(&input.preferences, "input")?)?;
    Ok(input)
}

fn to_value<T: Serialize>(value: &T, field: &'static str) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::InvalidInput {
        field,
        reason: e.to_string(),
    })
}

/// Every rule `proposal` (a `roadmap_data` document, validated) breaks against the plan
/// of `input` ([`roadmap::check`]); the plan is made again from `input`, so a caller
/// cannot hand in a plan of its own.
pub fn check_roadmap(input: &PlanInput, proposal: &Value) -> Result<Vec<Violation>> {
    let (input, plan) = planned(input)?;
    Ok(match RoadmapData::validate(proposal) {
        Ok(p) => roadmap::check(&input, &plan.data, &p),
        Err(e) => vec![invalid_proposal(&e)],
    })
}

fn invalid_proposal(e: &InvalidDocument) -> Violation {
    Violation {
        code: roadmap::ViolationCode::InvalidDocument,
        step: None,
        message: e.to_string(),
    }
}

/// The verdict on a proposal: the roadmap to store ([`roadmap::decide`]) and the rules
/// the proposal broke (empty when it was accepted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    /// The roadmap to store: the proposal if accepted, else the plan.
    pub roadmap: Roadmap,
    /// Whether the proposal was accepted.
    pub accepted: bool,
    /// The rules it broke.
    pub violations: Vec<Violation>,
}

/// Plans `input` and decides on `proposal` from `source` ([`roadmap::decide`]).
pub fn decide_roadmap(
    input: &PlanInput,
    source: &str,
    proposal: &Value,
    reasoning: Option<String>,
) -> Result<Decision> {
    let (input, plan) = planned(input)?;
    Ok(decide_on(&input, &plan, source, proposal, reasoning))
}

/// [`decide_roadmap`] on a plan already made from `input`.
pub fn decide_on(
    input: &PlanInput,
    plan: &Roadmap,
    source: &str,
    proposal: &Value,
    reasoning: Option<String>,
) -> Decision {
    let (roadmap, violations) = match RoadmapData::validate(proposal) {
        Ok(p) => roadmap::decide(input, plan, source, p, reasoning),
        Err(e) => {
            let v = invalid_proposal(&e);
            (
                roadmap::rejected(plan, source, vec![v.to_string()]),
                vec![v],
            )
        }
    };
    Decision {
        accepted: violations.is_empty(),
        roadmap,
        violations,
    }
}

/// The named arguments of a call: each taken out of the input object once (documents
/// move, nothing is copied), the ones left unread refused as unknown.
struct Args {
    function: String,
    map: serde_json::Map<String, Value>,
}

impl Args {
    fn new(function: &str, input: Value) -> Result<Self> {
        match input {
            Value::Object(map) => Ok(Args {
                function: function.to_owned(),
                map,
            }),
            other => Err(Error::InvalidInput {
                field: "input",
                reason: format!(
                    "the arguments of `{function}` are an object of named arguments, not {other}"
                ),
            }),
        }
    }

    fn refuse(&self, name: &str, reason: impl std::fmt::Display) -> Error {
        Error::InvalidInput {
            field: "input",
            reason: format!("argument `{name}` of `{}`: {reason}", self.function),
        }
    }

    /// A JSON argument as given (`null` when absent).
    fn value(&mut self, name: &str) -> Value {
        self.map.remove(name).unwrap_or(Value::Null)
    }

    /// A typed argument, which must be given.
    fn get<T: DeserializeOwned>(&mut self, name: &str) -> Result<T> {
        match self.map.remove(name) {
            None => Err(self.refuse(name, "missing")),
            Some(v) => serde_json::from_value(v).map_err(|e| self.refuse(name, e)),
        }
    }

    /// A typed argument, `default` when absent or `null`.
    fn or<T: DeserializeOwned>(&mut self, name: &str, default: T) -> Result<T> {
        match self.map.remove(name) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => serde_json::from_value(v).map_err(|e| self.refuse(name, e)),
        }
    }

    /// Refuses arguments the function does not take.
    fn done(self) -> Result<()> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(extra) => Err(self.refuse(extra, "unknown argument")),
        }
    }
}

fn json<T: Serialize>(value: T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::InvalidInput {
        field: "output",
        reason: e.to_string(),
    })
}

/// Every function [`call`] knows.
pub const FUNCTIONS: [&str; 33] = [
    "validate",
    "json_schema",
    "validate_content",
    "score",
    "score_many",
    "grade_essay",
    "grade_question",
    "regrade",
    "may_start",
    "submission",
    "accommodate",
    "record_late",
    "review",
    "course_grade",
    "grade",
    "grade_attempts",
    "unlocked",
    "missing",
    "topological_order",
    "transition",
    "apply",
    "lesson_progress",
    "course_complete",
    "publish_problems",
    "student_view",
    "bkt_update",
    "bkt_predict",
    "fit_bkt",
    "trace_knowledge",
    "plan_roadmap",
    "check_roadmap",
    "decide_roadmap",
    "auc",
];

/// Calls the pure function `function` with `input`, an object of its named arguments
/// (the parameter names of the functions of this module, `minimum_passing_score` as
/// `passing`), and returns its output as JSON: the one entry point of the conformance
/// vectors. Refusals are the functions' own errors.
pub fn call(function: &str, input: Value) -> Result<Value> {
    if !FUNCTIONS.contains(&function) {
        return Err(Error::InvalidInput {
            field: "function",
            reason: format!(
                "no pure function is named `{function}`; one of {}",
                FUNCTIONS.join(", ")
            ),
        });
    }
    let mut a = Args::new(function, input)?;
    let out = match function {
        "validate" => {
            let document: String = a.get("document")?;
            validate(&document, &a.value("value"))
        }
        "json_schema" => json_schema(&a.get::<String>("document")?),
        "validate_content" => {
            let content_type: ContentType = a.get("content_type")?;
            validate_content(content_type, &a.value("value"))
        }
        "score" => {
            let (questions, answers) = (a.value("questions"), a.value("answers"));
            let passing = a.or("passing", 70)?;
            json(score(&questions, &answers, passing)?)
        }
        "score_many" => {
            let questions = a.value("questions");
            let answers: Vec<Value> = match a.value("answers") {
                Value::Array(sheets) => sheets,
                other => {
                    return Err(a.refuse("answers", format!("a list of answer sheets, not {other}")))
                }
            };
            let passing = a.or("passing", 70)?;
            json(score_many(&questions, &answers, passing)?)
        }
        "grade_essay" => {
            let scored: Scored = a.get("scored")?;
            let question_id: String = a.get("question_id")?;
            let points: u32 = a.get("points")?;
            let comment: Option<String> = a.or("comment", None)?;
            json(grade_essay(
                &scored,
                &question_id,
                points,
                comment.as_deref(),
            )?)
        }
        "grade_question" => {
            let scored: Scored = a.get("scored")?;
            let question_id: String = a.get("question_id")?;
            let points: f64 = a.get("points")?;
            let comment: Option<String> = a.or("comment", None)?;
            json(grade_question(
                &scored,
                &question_id,
                points,
                comment.as_deref(),
            )?)
        }
        "regrade" => {
            let (questions, answers) = (a.value("questions"), a.value("answers"));
            let previous = a.value("previous");
            let passing = a.or("passing", 70)?;
            json(regrade(&questions, &answers, &previous, passing)?)
        }
        "grade_attempts" => {
            let method: GradingMethod = a.or("method", GradingMethod::default())?;
            let attempts: Vec<AttemptSummary> = a.get("attempts")?;
            let passing = a.or("passing", 70)?;
            json(grade_attempts(method, &attempts, passing)?)
        }
        "may_start" => {
            let rules: AttemptRules = a.or("rules", AttemptRules::default())?;
            let previous: Vec<AttemptSummary> = a.or("previous", Vec::new())?;
            let missing: Vec<LessonId> = a.or("missing", Vec::new())?;
            let now: DateTime<Utc> = a.get("now")?;
            json(may_start(&rules, &previous, &missing, now)?)
        }
        "submission" => {
            let rules: AttemptRules = a.or("rules", AttemptRules::default())?;
            let started_at: DateTime<Utc> = a.get("started_at")?;
            let submitted_at: DateTime<Utc> = a.get("submitted_at")?;
            let answers: Vec<SavedAnswer> = a.or("answers", Vec::new())?;
            json(submission(&rules, started_at, submitted_at, &answers)?)
        }
        "accommodate" => {
            let rules: AttemptRules = a.or("rules", AttemptRules::default())?;
            let accommodations: Vec<Accommodation> = a.or("accommodations", Vec::new())?;
            json(accommodate(&rules, &accommodations)?)
        }
        "review" => {
            let options: delivery::ReviewOptions = a.or("options", Default::default())?;
            let finished: bool = a.or("finished", true)?;
            let closes_at: Option<DateTime<Utc>> = a.or("closes_at", None)?;
            let now: DateTime<Utc> = a.get("now")?;
            let feedback: Option<Value> = a.or("feedback", None)?;
            json(review(
                &options,
                finished,
                closes_at,
                now,
                feedback.as_ref(),
            )?)
        }
        "record_late" => {
            let points: Points = a.get("points_earned")?;
            let total: u32 = a.get("total_points")?;
            let is_final: bool = a.or("final", true)?;
            let policy: Option<LatePolicy> = a.or("policy", None)?;
            let late: Option<i64> = a.or("late_seconds", None)?;
            let passing = a.or("passing", 70)?;
            json(record_late(
                points,
                total,
                is_final,
                policy.as_ref(),
                late,
                passing,
            )?)
        }
        "course_grade" => {
            let scheme = match a.value("scheme") {
                Value::Null => Value::Object(Default::default()),
                v => v,
            };
            let items: Vec<GradeItem> = a.or("items", Vec::new())?;
            json(grade_course(&scheme, &items)?)
        }
        "grade" => {
            let method: GradingMethod = a.or("method", GradingMethod::default())?;
            let scores: Vec<i32> = a.get("scores")?;
            json(grade(method, &scores))
        }
        "unlocked" => {
            let lessons: Vec<LessonNode> = a.get("lessons")?;
            let completed: Vec<LessonId> = a.or("completed", Vec::new())?;
            json(unlocked(&lessons, &completed)?)
        }
        "missing" => {
            let lessons: Vec<LessonNode> = a.get("lessons")?;
            let lesson: LessonId = a.get("lesson")?;
            let completed: Vec<LessonId> = a.or("completed", Vec::new())?;
            json(missing(&lessons, lesson, &completed)?)
        }
        "topological_order" => {
            let lessons: Vec<LessonNode> = a.get("lessons")?;
            json(topological_order(&lessons)?)
        }
        "transition" => {
            let status: ProgressStatus = a.get("status")?;
            let event: ProgressEvent = a.get("event")?;
            json(transition(status, &event)?)
        }
        "apply" => {
            let progress: LessonProgress = a.get("progress")?;
            let event: ProgressEvent = a.get("event")?;
            json(apply(progress, &event)?)
        }
        "lesson_progress" => json(lesson_progress(&a.get::<LessonFacts>("facts")?)?),
        "course_complete" => {
            let lessons: Vec<ProgressStatus> = a.get("lessons")?;
            let final_assessment: AssessmentState =
                a.or("final_assessment", AssessmentState::default())?;
            json(course_complete(&lessons, final_assessment))
        }
        "publish_problems" => json(publish_problems(&a.get::<Outline>("outline")?)),
        "student_view" => json(student_view(&a.value("questions"))?),
        "bkt_update" => {
            let params: BktParams = a.or("params", BktParams::DEFAULT)?;
            let mastery: f64 = a.get("mastery")?;
            let correct: bool = a.get("correct")?;
            json(bkt_update(params, mastery, correct)?)
        }
        "bkt_predict" => {
            let model: KnowledgeModel = a.or("model", KnowledgeModel::default())?;
            let rows: Vec<AnswerRow> = a.get("rows")?;
            json(bkt_predict(model, &rows)?)
        }
        "fit_bkt" => {
            let rows: Vec<AnswerRow> = a.get("rows")?;
            let options: FitOptions = a.or("options", FitOptions::default())?;
            json(fit_bkt(&rows, &options)?)
        }
        "trace_knowledge" => {
            let model: KnowledgeModel = a.or("model", KnowledgeModel::default())?;
            let observations: Vec<Observation> = a.get("observations")?;
            json(trace_knowledge(model, &observations)?)
        }
        "plan_roadmap" => json(plan_roadmap(&a.get::<PlanInput>("input")?)?),
        "check_roadmap" => {
            let input: PlanInput = a.get("input")?;
            json(check_roadmap(&input, &a.value("proposal"))?)
        }
        "decide_roadmap" => {
            let input: PlanInput = a.get("input")?;
            let source: String = a.or("source", "advisor".to_owned())?;
            let reasoning: Option<String> = a.or("reasoning", None)?;
            json(decide_roadmap(
                &input,
                &source,
                &a.value("proposal"),
                reasoning,
            )?)
        }
        "auc" => {
            let predictions: Vec<f64> = a.get("predictions")?;
            let outcomes: Vec<bool> = a.get("outcomes")?;
            json(roadmap::auc(&predictions, &outcomes))
        }
        _ => unreachable!("checked against FUNCTIONS above"),
    }?;
    a.done()?;
    Ok(out)
}

#[cfg(test)]
mod changes_tests {
    use super::*;
    use crate::repo::AssessmentPatch;

    #[test]
    fn a_change_that_does_not_fit_is_named() {
        let changes = serde_json::json!({"title": "T", "grading_method": "median"});
        let Value::Object(map) = changes else {
            unreachable!()
        };
        let (field, reason) = read_changes::<AssessmentPatch>(&map).unwrap_err();
        assert_eq!(field.as_deref(), Some("grading_method"));
        assert!(reason.contains("median"), "{reason}");
        let fine = serde_json::Map::from_iter([("grace_seconds".to_owned(), Value::from(60))]);
        let patch = read_changes::<AssessmentPatch>(&fine).unwrap();
        assert_eq!(patch.grace_seconds, Some(60));
    }
}

//! An outside model's proposal, checked against the course's rules.
//!
//! A [`RoadmapAdvisor`] (an AI model, a back end's own heuristics) gets the planner's
//! input and plan and proposes a `roadmap_data` document. It may **reorder** steps,
//! **annotate** them (`reason`, `estimated_minutes`, `content_ids`, `highlights` within
//! the lesson's blocks) and **drop optional steps**; [`check`] lists every rule a
//! proposal breaks ([`Violation`]), and [`decide`] keeps the proposal when it breaks
//! none and the plan otherwise, recording the verdict in the roadmap's
//! [`AdvisorNote`]. The bindings call the same two functions, so a Python or Node back
//! end can run its own model and hand the library the proposal.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::plan::{PlanInput, Roadmap};
use crate::documents::limits::MAX_TEXT_CHARS;
use crate::documents::{AdvisorNote, RoadmapData, RoadmapStep, StepKind};
use crate::model::{AssessmentId, LessonId};

/// Which rule a proposal breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViolationCode {
    /// The proposal is for another course.
    WrongCourse,
    /// A step that is not in the plan (a lesson or assessment unknown, a step added, a
    /// step's kind, lesson or assessment changed).
    NotInPlan,
    /// A step given twice.
    DuplicateStep,
    /// A step the rules require was dropped (a mandatory assessment, a lesson left to
    /// complete).
    RequiredStepDropped,
    /// A lesson before one of its prerequisites, or a lesson's assessment before the
    /// lesson.
    PrerequisiteOrder,
    /// The course's final assessment before a lesson the plan requires.
    FinalBeforeLessons,
    /// Content that is not a block of the step's lesson.
    UnknownContent,
    /// A step's status differs from the plan's (statuses are the student's, not the
    /// advisor's).
    StatusChanged,
    /// The proposal is not a valid `roadmap_data` document.
    InvalidDocument,
}

/// One rule a proposal breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Violation {
    /// The rule.
    pub code: ViolationCode,
    /// The proposal's step it is about (index), if one.
    pub step: Option<usize>,
    /// What is wrong, for people.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.step {
            Some(i) => write!(f, "step {i}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What identifies a step: its kind, lesson and assessment.
type Key = (StepKind, Option<LessonId>, Option<AssessmentId>);

fn key(s: &RoadmapStep) -> Key {
    (s.kind, s.lesson_id, s.assessment_id)
}

fn describe(s: &RoadmapStep) -> String {
    let kind = match s.kind {
        StepKind::Study => "study",
        StepKind::Review => "review",
        StepKind::FastTrack => "fast_track",
        StepKind::Assessment => "assessment",
    };
    let mut out = kind.to_owned();
    if let Some(l) = s.lesson_id {
        out.push_str(&format!(" of lesson {l}"));
    }
    if let Some(a) = s.assessment_id {
        out.push_str(&format!(" with assessment {a}"));
    }
    out
}

/// Every rule `proposal` breaks against `plan` (what [`super::plan()`] made of `input`);
/// empty when it may replace the plan.
pub fn check(input: &PlanInput, plan: &RoadmapData, proposal: &RoadmapData) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut v = |code, step, message: String| {
        out.push(Violation {
            code,
            step,
            message,
        })
    };
    if let (Some(want), Some(got)) = (plan.course_id, proposal.course_id) {
        if want != got {
            v(
                ViolationCode::WrongCourse,
                None,
                format!("the proposal is for course {got}, the plan for course {want}"),
            );
        }
    }
    let planned: HashMap<Key, &RoadmapStep> = plan.steps.iter().map(|s| (key(s), s)).collect();
    let lessons: HashMap<LessonId, &super::plan::PlanLesson> =
        input.lessons.iter().map(|l| (l.id, l)).collect();
    let completed = input.completed();
    let mut seen: HashSet<Key> = HashSet::new();
    // the lessons the plan's required steps study
    let required_lessons: Vec<LessonId> = plan
        .steps
        .iter()
        .filter(|p| !p.optional && p.kind != StepKind::Assessment)
        .filter_map(|p| p.lesson_id)
        .collect();
    // lessons studied (study, review or fast track) by the steps so far
    let mut covered: HashSet<LessonId> = completed.clone();
    for (i, s) in proposal.steps.iter().enumerate() {
        let k = key(s);
        let Some(p) = planned.get(&k) else {
            v(
                ViolationCode::NotInPlan,
                Some(i),
                format!("{} is not a step of the plan", describe(s)),
            );
            continue;
        };
        if !seen.insert(k) {
            v(
                ViolationCode::DuplicateStep,
                Some(i),
                format!("{} is given twice", describe(s)),
            );
            continue;
        }
        if s.status != p.status {
            v(
                ViolationCode::StatusChanged,
                Some(i),
                format!("{} has status {:?} in the plan", describe(s), p.status),
            );
        }
        if s.lesson_id.is_none() {
            // the final assessment: no content, and after every lesson the plan requires
            if let Some(b) = s.content_ids.iter().chain(s.highlights.iter()).next() {
                v(
                    ViolationCode::UnknownContent,
                    Some(i),
                    format!("content block {b} on a step without a lesson"),
                );
            }
            if let Some(l) = required_lessons.iter().find(|l| !covered.contains(l)) {
                v(
                    ViolationCode::FinalBeforeLessons,
                    Some(i),
                    format!("{} comes before lesson {l}", describe(s)),
                );
            }
        }
        if let Some(lesson) = s.lesson_id.and_then(|l| lessons.get(&l)) {
            let blocks: HashSet<_> = lesson.blocks.iter().map(|b| b.id).collect();
            for b in s.content_ids.iter().chain(s.highlights.iter()) {
                if !blocks.contains(b) {
                    v(
                        ViolationCode::UnknownContent,
                        Some(i),
                        format!("content block {b} is not a block of lesson {}", lesson.id),
                    );
                }
            }
            if s.kind == StepKind::Assessment {
                // another assessment of the lesson: once the lesson is done or studied
                if !covered.contains(&lesson.id) {
                    v(
                        ViolationCode::PrerequisiteOrder,
                        Some(i),
                        format!("{} comes before its lesson", describe(s)),
                    );
                }
            } else {
                for pre in &lesson.prerequisites {
                    if !covered.contains(pre) {
                        v(
                            ViolationCode::PrerequisiteOrder,
                            Some(i),
                            format!("lesson {} comes before its prerequisite {pre}", lesson.id),
                        );
                    }
                }
                covered.insert(lesson.id);
            }
        }
    }
    for p in plan.steps.iter().filter(|p| !p.optional) {
        if !seen.contains(&key(p)) {
            v(
                ViolationCode::RequiredStepDropped,
                None,
                format!("{} is required and was dropped", describe(p)),
            );
        }
    }
    out
}

/// The roadmap to store: `proposal` (from `source`) when it breaks no rule, with the
/// plan's `reasoning` unless `reasoning` is given; else the plan, the violations
/// recorded. Either way [`RoadmapData::advisor`] says what happened.
pub fn decide(
    input: &PlanInput,
    plan: &Roadmap,
    source: &str,
    proposal: RoadmapData,
    reasoning: Option<String>,
) -> (Roadmap, Vec<Violation>) {
    let violations = check(input, &plan.data, &proposal);
    let source = source_name(source);
    let source = source.as_str();
    if violations.is_empty() {
        let mut data = proposal;
        data.course_id = plan.data.course_id;
        // what may be left out is the course's rules' to say, not the advisor's
        let optional: HashMap<Key, bool> = plan
            .data
            .steps
            .iter()
            .map(|s| (key(s), s.optional))
            .collect();
        for s in &mut data.steps {
            s.optional = optional.get(&key(s)).copied().unwrap_or(false);
        }
        data.advisor = Some(AdvisorNote {
            source: source.to_owned(),
            accepted: true,
            reasons: Vec::new(),
        });
        let reasoning = reasoning
            .filter(|r| !r.trim().is_empty())
            .map(|r| clipped(&r, MAX_TEXT_CHARS))
            .unwrap_or_else(|| plan.reasoning.clone());
        (Roadmap { data, reasoning }, violations)
    } else {
        let reasons = violations.iter().map(ToString::to_string).collect();
        (rejected(plan, source, reasons), violations)
    }
}

/// The plan, with an advisor's proposal recorded as refused for `reasons` (it broke
/// rules, failed or timed out).
pub fn rejected(plan: &Roadmap, source: &str, mut reasons: Vec<String>) -> Roadmap {
    let source = source_name(source);
    let source = source.as_str();
    if reasons.len() > MAX_REASONS {
        let more = reasons.len() - MAX_REASONS + 1;
        reasons.truncate(MAX_REASONS - 1);
        reasons.push(format!("… and {more} more"));
    }
    for r in &mut reasons {
        *r = clipped(r, MAX_TEXT_CHARS);
    }
    let mut out = plan.clone();
    out.reasoning.push_str(&format!(
        " A proposal from {source} was refused: {}.",
        reasons.join("; ")
    ));
    out.data.advisor = Some(AdvisorNote {
        source: source.to_owned(),
        accepted: false,
        reasons,
    });
    out
}

/// Most reasons kept in an [`AdvisorNote`] (the rest are counted in the last).
pub const MAX_REASONS: usize = 50;

/// An advisor's name as recorded: trimmed, at most 100 characters, `advisor` if blank.
fn source_name(source: &str) -> String {
    let s = clipped(source, 1_000);
    let s = s.trim();
    if s.is_empty() {
        "advisor".to_owned()
    } else {
        clipped(s, 100)
    }
}

/// `text` without NUL characters (which PostgreSQL text cannot hold), cut to `max`
/// characters.
fn clipped(text: &str, max: usize) -> String {
    text.chars().filter(|c| *c != '\0').take(max).collect()
}

/// What an advisor proposes: the steps, and optionally its own summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Proposal {
    /// The proposed `roadmap_data`.
    pub roadmap: RoadmapData,
    /// Its own readable summary (else the plan's stands).
    #[serde(default)]
    pub reasoning: Option<String>,
}

/// An outside model that may improve the plan. Whatever it returns is [`check`]ed; an
/// error (or, in `lms-db`, a timeout) leaves the library's plan standing.
#[async_trait]
pub trait RoadmapAdvisor: Send + Sync {
    /// Its name, recorded with its verdicts.
    fn name(&self) -> &str;
    /// A proposal for `input`, given the library's `plan`; `Err` with a reason if none.
    async fn propose(
        &self,
        input: &PlanInput,
        plan: &Roadmap,
    ) -> std::result::Result<Proposal, String>;
}

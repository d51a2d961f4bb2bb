//! `personalized_roadmaps.roadmap_data`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits::{
    MAX_ROADMAP_STEPS, MAX_SHORT_TEXT_CHARS, MAX_STEP_CONTENT_IDS, MAX_STEP_MINUTES, MAX_TEXT_CHARS,
};
use super::{check_unique, pointer, Document, Problems};
use crate::model::{AssessmentId, ContentBlockId, CourseId, LessonId};

/// Where a student stands on one roadmap step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not begun (the default).
    #[default]
    Pending,
    /// Begun.
    InProgress,
    /// Done.
    Completed,
    /// Left out (e.g. the skill is already mastered).
    Skipped,
}

/// What a roadmap step asks of the student.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Study the lesson (then take its assessment, if the step names one). The default.
    #[default]
    Study,
    /// Go over material again (an assessment not passed yet, weak skills).
    Review,
    /// The lesson's skills are mastered already: straight to its assessment.
    FastTrack,
    /// Take an assessment (one of a lesson's others, or the course's final).
    Assessment,
}

/// One step of a roadmap: a lesson, optionally narrowed to some of its content blocks
/// and followed by an assessment, or an assessment alone. A step names a lesson, an
/// assessment or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapStep {
    /// What the step asks.
    #[serde(default)]
    pub kind: StepKind,
    /// The lesson to study (none for the course's final assessment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson_id: Option<LessonId>,
    /// Content blocks of the lesson to focus on (empty: the whole lesson), no duplicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_STEP_CONTENT_IDS))]
    pub content_ids: Vec<ContentBlockId>,
    /// Content blocks of the student's preferred media types, most preferred first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_STEP_CONTENT_IDS))]
    pub highlights: Vec<ContentBlockId>,
    /// The assessment that closes the step, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_id: Option<AssessmentId>,
    /// Whether the course's rules let the step be left out (no mandatory assessment, no
    /// lesson left to complete): what an advisor may drop.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// Why this step is here, for the student.
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub reason: String,
    /// Estimated time in minutes.
    #[schemars(range(max = MAX_STEP_MINUTES))]
    pub estimated_minutes: u32,
    /// Where the student stands.
    #[serde(default)]
    pub status: StepStatus,
}

/// `personalized_roadmaps.roadmap_data`: the ordered steps of a student's path through a
/// course, e.g. `{"course_id": "…", "steps": [{"lesson_id": "…", "reason": "…",
/// "estimated_minutes": 20, "status": "pending"}]}`. At most [`MAX_ROADMAP_STEPS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapData {
    /// The course the roadmap goes through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_id: Option<CourseId>,
    /// The steps, in the order to follow.
    #[schemars(length(max = MAX_ROADMAP_STEPS))]
    pub steps: Vec<RoadmapStep>,
    /// What became of an outside model's proposal, if one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisor: Option<AdvisorNote>,
}

/// The verdict on an advisor's proposal, kept with the roadmap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvisorNote {
    /// Who proposed (the advisor's name).
    #[schemars(length(min = 1, max = MAX_SHORT_TEXT_CHARS))]
    pub source: String,
    /// Whether the proposal became the roadmap (otherwise the library's plan stands).
    pub accepted: bool,
    /// Why it was refused: each rule it broke, or that it failed or timed out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_ROADMAP_STEPS), inner(length(max = MAX_TEXT_CHARS)))]
    pub reasons: Vec<String>,
}

impl RoadmapData {
    /// Sum of the estimated minutes of the steps not completed or skipped.
    pub fn remaining_minutes(&self) -> u64 {
        self.steps
            .iter()
            .filter(|s| matches!(s.status, StepStatus::Pending | StepStatus::InProgress))
            .map(|s| u64::from(s.estimated_minutes))
            .sum()
    }
}

impl Document for RoadmapData {
    const NAME: &'static str = "roadmap_data";

    fn check(&mut self, problems: &mut Problems) {
        for (i, step) in self.steps.iter().enumerate() {
            if step.lesson_id.is_none() && step.assessment_id.is_none() {
                problems.push(
                    &pointer("/steps", &i.to_string()),
                    "a step names a lesson, an assessment or both",
                );
            }
            let base = pointer(&pointer("/steps", &i.to_string()), "content_ids");
            let ids: Vec<(String, String)> = step
                .content_ids
                .iter()
                .enumerate()
                .map(|(j, id)| (id.to_string(), pointer(&base, &j.to_string())))
                .collect();
            check_unique(
                ids.iter().map(|(id, path)| (id.as_str(), || path.clone())),
                "content id",
                problems,
            );
        }
    }
}

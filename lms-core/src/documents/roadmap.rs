//! `personalized_roadmaps.roadmap_data`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits::{MAX_ROADMAP_STEPS, MAX_STEP_CONTENT_IDS, MAX_STEP_MINUTES, MAX_TEXT_CHARS};
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

/// One step of a roadmap: a lesson, optionally narrowed to some of its content blocks
/// and followed by an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapStep {
    /// The lesson to study.
    pub lesson_id: LessonId,
    /// Content blocks of the lesson to focus on (empty: the whole lesson), no duplicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_STEP_CONTENT_IDS))]
    pub content_ids: Vec<ContentBlockId>,
    /// The assessment that closes the step, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_id: Option<AssessmentId>,
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
            let base = pointer(&pointer("/steps", &i.to_string()), "content_ids");
            let ids: Vec<(String, String)> = step
                .content_ids
                .iter()
                .enumerate()
                .map(|(j, id)| (id.to_string(), pointer(&base, &j.to_string())))
                .collect();
            check_unique(
                ids.iter().map(|(id, path)| (id.as_str(), path.clone())),
                "content id",
                problems,
            );
        }
    }
}

//! `profiles.learning_preferences` and `profiles.knowledge_profile`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits::{MAX_ID_CHARS, MAX_SKILLS};
use super::{pointer, Document, Problems};
use crate::model::ContentType;

/// How fast a student likes to go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Pace {
    /// Small steps, more practice.
    Slow,
    /// The default.
    #[default]
    Medium,
    /// Bigger steps, less repetition.
    Fast,
}

/// How a student prefers to learn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LearningStyle {
    /// Pictures, diagrams, video.
    Visual,
    /// Listening and talking.
    Auditory,
    /// Doing and trying.
    Kinesthetic,
    /// No strong preference (the default).
    #[default]
    Mixed,
}

/// `profiles.learning_preferences`, the spec's shape:
/// `{"preferred_pace": "medium", "preferred_media_types": ["video"], "learning_style": "visual"}`.
/// All three fields are required; `preferred_media_types` has no duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LearningPreferences {
    /// Preferred pace.
    pub preferred_pace: Pace,
    /// Preferred kinds of content, most preferred first, without duplicates.
    #[schemars(length(max = 5), extend("uniqueItems" = true))]
    pub preferred_media_types: Vec<ContentType>,
    /// Preferred learning style.
    pub learning_style: LearningStyle,
}

/// Duplicate media types are refused by the schema (`uniqueItems`).
impl Document for LearningPreferences {
    const NAME: &'static str = "learning_preferences";
}

/// What is known of a student's mastery of one skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillMastery {
    /// Estimated probability that the skill is mastered, in `0..=1`.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub mastery: f64,
    /// Number of observations (graded answers) behind the estimate.
    pub evidence: u32,
    /// When the estimate last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// `profiles.knowledge_profile`: mastery per skill,
/// `{"skills": {"fractions": {"mastery": 0.4, "evidence": 3, "updated_at": "…"}}}`.
/// `{}` is the empty profile. Skill names are 1 to [`MAX_ID_CHARS`] characters, not
/// blank; at most [`MAX_SKILLS`] skills.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeProfile {
    /// Mastery per skill name (left out when empty, so the empty profile is `{}`, the
    /// column's default).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend(
        "maxProperties" = MAX_SKILLS,
        "propertyNames" = { "minLength": 1, "maxLength": MAX_ID_CHARS }
    ))]
    pub skills: BTreeMap<String, SkillMastery>,
}

impl Document for KnowledgeProfile {
    const NAME: &'static str = "knowledge_profile";

    fn check(&mut self, problems: &mut Problems) {
        for name in self.skills.keys() {
            if name.trim().is_empty() {
                problems.push(&pointer("/skills", name), "skill name must not be blank");
            }
        }
    }
}

//! `learning_progress.progress_data` and `enrollments.progress`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits::{MAX_DURATION_SECONDS, MAX_PROGRESS_BLOCKS};
use super::{Document, Problems};
use crate::model::ContentBlockId;

/// Progress on one content block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockProgress {
    /// Whether the block is done.
    #[serde(default)]
    pub completed: bool,
    /// Share seen (read, watched), 0–100.
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub percent: u32,
    /// Playback position in seconds, for media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = MAX_DURATION_SECONDS))]
    pub position_seconds: Option<u32>,
    /// When this progress was last recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// `learning_progress.progress_data` (one piece of content) and `enrollments.progress`
/// (a course summary, with `blocks` per content block). Every field is optional, so `{}`
/// is "nothing yet", e.g. `{"percent": 40, "position_seconds": 95,
/// "duration_seconds": 240}` for a video, or `{"percent": 25, "blocks": {"<block uuid>":
/// {"completed": true, "percent": 100}}}` for a course. `position_seconds` is at most
/// `duration_seconds` when both are given; `blocks` keys are content block UUIDs, at
/// most [`MAX_PROGRESS_BLOCKS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressData {
    /// Whether the content (or course) is done.
    #[serde(default)]
    pub completed: bool,
    /// Share done, 0–100.
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub percent: u32,
    /// Playback position in seconds, for media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = MAX_DURATION_SECONDS))]
    pub position_seconds: Option<u32>,
    /// Length of the media in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_DURATION_SECONDS))]
    pub duration_seconds: Option<u32>,
    /// Progress per content block.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend(
        "maxProperties" = MAX_PROGRESS_BLOCKS,
        "propertyNames" = { "format": "uuid" }
    ))]
    pub blocks: BTreeMap<ContentBlockId, BlockProgress>,
    /// When this progress was last recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl Document for ProgressData {
    const NAME: &'static str = "progress_data";

    fn check(&mut self, problems: &mut Problems) {
        if let (Some(position), Some(duration)) = (self.position_seconds, self.duration_seconds) {
            if position > duration {
                problems.push("/position_seconds", "more than duration_seconds");
            }
        }
    }
}

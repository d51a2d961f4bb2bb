//! `content_blocks.metadata`: free properties of a block.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits::{MAX_ID_CHARS, MAX_METADATA_ITEMS, MAX_METADATA_KEYS, MAX_SHORT_TEXT_CHARS};
use super::{pointer, Document, Problems};

/// One plain value of [`BlockMetadata`]: a boolean, a number or a text of at most
/// [`MAX_SHORT_TEXT_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum MetadataScalar {
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written (an integer stays an integer).
    Number(serde_json::Number),
    /// A text, shown as text (never as HTML).
    Text(#[schemars(length(max = MAX_SHORT_TEXT_CHARS))] String),
}

/// One value of [`BlockMetadata`]: a plain value, or a list of at most
/// [`MAX_METADATA_ITEMS`] plain values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum MetadataValue {
    /// A plain value.
    Scalar(MetadataScalar),
    /// A list of plain values.
    List(#[schemars(length(max = MAX_METADATA_ITEMS))] Vec<MetadataScalar>),
}

/// `content_blocks.metadata`: the spec's "metadata for additional properties" of a
/// block, e.g. `{"source": "chapter 3", "reviewed": true, "minutes": 5, "tags": ["intro"]}`.
/// A flat object of at most [`MAX_METADATA_KEYS`] properties, named by 1 to
/// [`MAX_ID_CHARS`] characters (not blank), each a [`MetadataValue`]; `{}` is the empty
/// metadata. No nested objects and no `null` (leave a property out instead). Front ends
/// show texts as text: the library sanitizes only `rich_text` HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(extend(
    "maxProperties" = MAX_METADATA_KEYS,
    "propertyNames" = { "minLength": 1, "maxLength": MAX_ID_CHARS }
))]
pub struct BlockMetadata(pub BTreeMap<String, MetadataValue>);

impl Document for BlockMetadata {
    const NAME: &'static str = "block_metadata";

    fn check(&mut self, problems: &mut Problems) {
        for name in self.0.keys() {
            if name.trim().is_empty() {
                problems.push(&pointer("", name), "property name must not be blank");
            }
        }
    }
}

//! `content_blocks.content`: one shape per [`ContentType`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits::{
    MAX_DURATION_SECONDS, MAX_FILE_SIZE_BYTES, MAX_HTML_CHARS, MAX_SHORT_TEXT_CHARS, MAX_URL_CHARS,
};
use super::{check_https_url, Document, InvalidDocument, Problems};
use crate::model::ContentType;

/// `content_blocks.content`. Externally tagged, as the spec's TypeScript: an object with
/// exactly one key, the block's content type, e.g.
/// `{"image": {"url": "https://…", "alt_text": "…"}}`. The key must agree with the
/// block's `type` column: use [`ContentData::validate_for`].
///
/// Every URL must be an absolute `https` URL. Durations are whole seconds and sizes whole
/// bytes, both positive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ContentData {
    /// Formatted text.
    RichText(RichTextContent),
    /// An image.
    Image(ImageContent),
    /// An uploaded video file.
    Video(VideoContent),
    /// A downloadable file.
    File(FileContent),
    /// An embedded YouTube video.
    Youtube(YoutubeContent),
}

/// Formatted text. Validation **replaces** `html` by its sanitized form (`ammonia`'s
/// allow-list: no scripts, no event handlers, no `javascript:` URLs) and `plain_text` by
/// the text of the sanitized HTML; the client's `plain_text` is never trusted and may be
/// omitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RichTextContent {
    /// The HTML, sanitized once validated.
    #[schemars(length(max = MAX_HTML_CHARS))]
    pub html: String,
    /// The text of `html`, derived by validation (paragraphs and line breaks become
    /// new lines).
    #[serde(default)]
    #[schemars(length(max = MAX_HTML_CHARS))]
    pub plain_text: String,
}

/// An image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageContent {
    /// `https` URL of the image.
    #[schemars(length(min = 1, max = MAX_URL_CHARS))]
    pub url: String,
    /// Text alternative for screen readers (empty only for decorative images).
    #[schemars(length(max = MAX_SHORT_TEXT_CHARS))]
    pub alt_text: String,
    /// Caption shown under the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_SHORT_TEXT_CHARS))]
    pub caption: Option<String>,
}

/// An uploaded video file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VideoContent {
    /// `https` URL of the video.
    #[schemars(length(min = 1, max = MAX_URL_CHARS))]
    pub url: String,
    /// `https` URL of a poster image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_URL_CHARS))]
    pub thumbnail_url: Option<String>,
    /// Length in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_DURATION_SECONDS))]
    pub duration: Option<u32>,
}

/// A downloadable file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileContent {
    /// `https` URL of the file.
    #[schemars(length(min = 1, max = MAX_URL_CHARS))]
    pub url: String,
    /// Name offered when downloading, without any directory.
    #[schemars(length(min = 1, max = 255))]
    pub filename: String,
    /// MIME type or extension, e.g. `application/pdf`.
    #[schemars(length(min = 1, max = 255))]
    pub file_type: String,
    /// Size in bytes.
    #[schemars(range(min = 1, max = MAX_FILE_SIZE_BYTES))]
    pub file_size: u64,
}

/// An embedded YouTube video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct YoutubeContent {
    /// The 11-character video id (`[A-Za-z0-9_-]{11}`).
    #[schemars(regex(pattern = "^[A-Za-z0-9_-]{11}$"))]
    pub video_id: String,
    /// Title of the video.
    #[schemars(length(min = 1, max = MAX_SHORT_TEXT_CHARS))]
    pub title: String,
    /// `https` URL of the thumbnail.
    #[schemars(length(min = 1, max = MAX_URL_CHARS))]
    pub thumbnail_url: String,
    /// Length in seconds.
    #[schemars(range(min = 1, max = MAX_DURATION_SECONDS))]
    pub duration: u32,
}

impl ContentData {
    /// The content type this document is for.
    pub fn content_type(&self) -> ContentType {
        match self {
            ContentData::RichText(_) => ContentType::RichText,
            ContentData::Image(_) => ContentType::Image,
            ContentData::Video(_) => ContentType::Video,
            ContentData::File(_) => ContentType::File,
            ContentData::Youtube(_) => ContentType::Youtube,
        }
    }

    /// Checks that this document is for a block whose `type` column is `column`.
    pub fn check_type(&self, column: ContentType) -> Result<(), InvalidDocument> {
        let own = self.content_type();
        if own == column {
            Ok(())
        } else {
            Err(InvalidDocument::new(
                Self::NAME,
                "",
                format!("content is `{own}` but the block's type is `{column}`"),
            ))
        }
    }

    /// Validates the `content` of a block whose `type` column is `column`: the document
    /// itself, then that both agree.
    pub fn validate_for(
        column: ContentType,
        value: &serde_json::Value,
    ) -> Result<Self, InvalidDocument> {
        let content = Self::validate(value)?;
        content.check_type(column)?;
        Ok(content)
    }
}

/// Sanitizes HTML with `ammonia`'s default allow-list.
fn sanitize_html(html: &str) -> String {
    ammonia::clean(html)
}

/// The text of sanitized HTML: tags dropped (block ends and `<br>` become new lines),
/// entities decoded, blanks collapsed, blank lines dropped.
fn plain_text_of(sanitized: &str) -> String {
    // ammonia serializes canonical lowercase tags and escapes `<` in text, so these
    // textual replacements only ever hit real tags.
    let mut marked = sanitized.replace("<br>", "<br>\n");
    for tag in [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "ul",
        "ol",
        "dt",
        "dd",
    ] {
        marked = marked.replace(&format!("</{tag}>"), &format!("</{tag}>\n"));
    }
    let stripped = ammonia::Builder::empty().clean(&marked).to_string();
    let decoded = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Document for ContentData {
    const NAME: &'static str = "content_data";

    fn check(&mut self, problems: &mut Problems) {
        match self {
            ContentData::RichText(rich) => {
                rich.html = sanitize_html(&rich.html);
                rich.plain_text = plain_text_of(&rich.html);
            }
            ContentData::Image(image) => {
                check_https_url(&image.url, "/image/url", problems);
            }
            ContentData::Video(video) => {
                check_https_url(&video.url, "/video/url", problems);
                if let Some(thumbnail) = &video.thumbnail_url {
                    check_https_url(thumbnail, "/video/thumbnail_url", problems);
                }
            }
            ContentData::File(file) => {
                check_https_url(&file.url, "/file/url", problems);
                if file.filename.trim().is_empty() {
                    problems.push("/file/filename", "must not be blank");
                }
                if file.filename.contains(['/', '\\'])
                    || file.filename.chars().any(char::is_control)
                {
                    problems.push(
                        "/file/filename",
                        "must be a bare file name (no `/`, `\\` or control characters)",
                    );
                }
                if file.file_type.trim().is_empty() {
                    problems.push("/file/file_type", "must not be blank");
                }
            }
            ContentData::Youtube(youtube) => {
                if youtube.title.trim().is_empty() {
                    problems.push("/youtube/title", "must not be blank");
                }
                check_https_url(&youtube.thumbnail_url, "/youtube/thumbnail_url", problems);
            }
        }
    }
}

//! Typed JSONB documents and their validation.
//!
//! Each JSONB column of the spec has a Rust type here, with `serde` for its JSON form and
//! `schemars` for its JSON Schema (committed as `lms-core/schemas/<name>.json` so front
//! ends validate the same shapes):
//!
//! | column | document |
//! |---|---|
//! | `profiles.learning_preferences` | [`LearningPreferences`] |
//! | `profiles.knowledge_profile` | [`KnowledgeProfile`] |
//! | `content_blocks.content` | [`ContentData`] (agrees with `content_blocks.type`) |
//! | `content_blocks.metadata` | [`BlockMetadata`] |
//! | `assessments.questions` | [`QuestionSet`] (a list of [`Question`]) |
//! | `assessment_attempts.answers` | [`Answers`] |
//! | `assessment_attempts.feedback` | [`Feedback`] |
//! | `personalized_roadmaps.roadmap_data` | [`RoadmapData`] |
//! | `learning_progress.progress_data`, `enrollments.progress` | [`ProgressData`] |
//! | `courses.grading_scheme` | [`GradingScheme`] (rules: [`crate::grading`]) |
//!
//! What a student sees of the questions is [`StudentQuestionSet`] ([`student_view`]):
//! an allowlist of the fields [`QUESTION_FIELDS`] and [`OPTION_FIELDS`] classify as
//! shown, the same one the database applies (`lms_private.strip_answer_keys`).
//!
//! # Validation
//!
//! [`validate`] (or [`Document::validate`]) turns an untrusted [`serde_json::Value`] into
//! the typed, **normalized** document, or an [`InvalidDocument`] listing every problem
//! found, each with a JSON-pointer path (`/3/options/1`) and a reason:
//!
//! 1. the nesting depth is bounded by [`limits::MAX_DEPTH`];
//! 2. the value is checked against the document's JSON Schema with the `jsonschema`
//!    crate (types, required and unknown fields, enums, lengths, counts, ranges,
//!    patterns, formats), compiled once per document type; every violation is reported;
//! 3. when the shape is right, the value is deserialized and the rules a schema cannot
//!    state are checked ([`Document::check`]: unique ids, `https` URLs, answer keys
//!    that make sense…); every violation is reported;
//! 4. the document is normalized: `rich_text.html` is sanitized with `ammonia` and its
//!    `plain_text` derived from the sanitized HTML.
//!
//! Semantic problems are only looked for once the shape is right. Validation never
//! panics, whatever the input (property-tested). Store the returned document
//! (`serde_json::to_value`), not the input.

use std::fmt;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod assessment;
mod content;
mod feedback;
pub mod limits;
mod metadata;
mod points;
mod profile;
mod progress;
mod roadmap;
mod schema;
mod student;

pub use crate::grading::GradingScheme;
pub use assessment::{
    AcceptedAnswer, Answer, Answers, ChoiceOption, EssayAnswer, EssayQuestion,
    MultipleChoiceAnswer, MultipleChoiceQuestion, Question, QuestionKind, QuestionSet,
    ShortAnswerAnswer, ShortAnswerQuestion, TrueFalseAnswer, TrueFalseQuestion,
};
pub use content::{
    ContentData, FileContent, ImageContent, RichTextContent, VideoContent, YoutubeContent,
};
pub use feedback::{Feedback, FeedbackSummary, Outcome, QuestionFeedback};
pub use metadata::{BlockMetadata, MetadataScalar, MetadataValue};
pub use points::{Points, MICROS};
pub use profile::{KnowledgeProfile, LearningPreferences, LearningStyle, Pace, SkillMastery};
pub use progress::{BlockProgress, ProgressData};
pub use roadmap::{AdvisorNote, RoadmapData, RoadmapStep, StepKind, StepStatus};
pub use student::{
    fields_of, student_view, FieldUse, StudentChoiceQuestion, StudentOption, StudentPlainQuestion,
    StudentQuestion, StudentQuestionSet, StudentShortAnswerQuestion, OPTION_FIELDS,
    QUESTION_FIELDS,
};

/// A typed JSONB document: its JSON form (serde), its JSON Schema (schemars), and the
/// rules a schema cannot state.
pub trait Document: Serialize + DeserializeOwned + JsonSchema + Sized + 'static {
    /// The snake_case name of the document: the name of its schema file
    /// (`schemas/<NAME>.json`) and of [`InvalidDocument::document`].
    const NAME: &'static str;

    /// Checks the rules a JSON Schema cannot state, reporting each violation, and
    /// normalizes the document in place (e.g. sanitizes HTML). Called by
    /// [`Document::validate`] once the shape is right.
    fn check(&mut self, problems: &mut Problems) {
        let _ = problems;
    }

    /// Reads the document from `value` (step 3 of the [module docs](self), once its
    /// schema accepted the shape): `serde` by default. A document made of internally
    /// tagged enums (questions, answers) reads each one's variant straight from the
    /// value, the same result without the copy of every field that serde's derive makes
    /// to find the tag first.
    fn from_value(value: &Value) -> serde_json::Result<Self> {
        Self::deserialize(value)
    }

    /// Validates an untrusted value into the normalized document (see the
    /// [module docs](self)).
    fn validate(value: &Value) -> Result<Self, InvalidDocument> {
        let mut problems = Problems::default();
        // one pass without paths first: a document within the limits (the common case)
        // never builds the pointers the reports below need
        let (deep, nul) = scan(value);
        if let Some(path) = deep.then(|| too_deep(value)).flatten() {
            problems.push(
                &path,
                format!("nested deeper than {} levels", limits::MAX_DEPTH),
            );
            return Err(problems.into_error(Self::NAME));
        }
        if nul {
            for path in nul_characters(value) {
                problems.push(&path, "must not contain the NUL character (U+0000)");
            }
        }
        if !problems.is_empty() {
            return Err(problems.into_error(Self::NAME));
        }
        schema::compiled::<Self>().check(value, &mut problems);
        if !problems.is_empty() {
            return Err(problems.into_error(Self::NAME));
        }
        let mut document = match Self::from_value(value) {
            Ok(document) => document,
            Err(e) => {
                problems.push("", format!("cannot be read: {e}"));
                return Err(problems.into_error(Self::NAME));
            }
        };
        document.check(&mut problems);
        if problems.is_empty() {
            Ok(document)
        } else {
            Err(problems.into_error(Self::NAME))
        }
    }
}

/// Validates an untrusted value into the normalized document `T`; see
/// [`Document::validate`].
pub fn validate<T: Document>(value: &Value) -> Result<T, InvalidDocument> {
    T::validate(value)
}

/// The JSON Schema (draft 2020-12) of document `T`, as committed in `lms-core/schemas/`.
pub fn json_schema<T: Document>() -> Value {
    schemars::schema_for!(T).to_value()
}

/// Whether `value` nests deeper than [`limits::MAX_DEPTH`], and whether any of its
/// strings or keys holds U+0000: [`too_deep`] and [`nul_characters`] without their
/// paths or any allocation. It recurses at most [`limits::MAX_DEPTH`] + 1 levels, so it
/// cannot overflow the stack.
fn scan(value: &Value) -> (bool, bool) {
    fn walk(node: &Value, depth: usize, nul: &mut bool) -> bool {
        if depth > limits::MAX_DEPTH {
            return true;
        }
        match node {
            Value::String(text) => *nul |= text.contains('\0'),
            Value::Array(items) => return items.iter().any(|item| walk(item, depth + 1, nul)),
            Value::Object(fields) => {
                return fields.iter().any(|(k, v)| {
                    *nul |= k.contains('\0');
                    walk(v, depth + 1, nul)
                })
            }
            _ => {}
        }
        false
    }
    let mut nul = false;
    let deep = walk(value, 0, &mut nul);
    (deep, nul)
}

/// The path of the first node nested deeper than [`limits::MAX_DEPTH`], if any.
/// Iterative, so it cannot overflow the stack.
fn too_deep(value: &Value) -> Option<String> {
    let mut stack: Vec<(&Value, usize, String)> = vec![(value, 0, String::new())];
    while let Some((node, depth, path)) = stack.pop() {
        if depth > limits::MAX_DEPTH {
            return Some(path);
        }
        match node {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, depth + 1, pointer(&path, &i.to_string())));
                }
            }
            Value::Object(fields) => {
                for (k, v) in fields {
                    stack.push((v, depth + 1, pointer(&path, k)));
                }
            }
            _ => {}
        }
    }
    None
}

/// The paths of the strings (and object keys) holding U+0000, which no text of a
/// document may: PostgreSQL's `jsonb` cannot store it. A key's path is the path of its
/// value. At most [`limits::MAX_PROBLEMS`] paths.
fn nul_characters(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack: Vec<(&Value, String)> = vec![(value, String::new())];
    while let Some((node, path)) = stack.pop() {
        if found.len() >= limits::MAX_PROBLEMS {
            break;
        }
        match node {
            Value::String(text) if text.contains('\0') => found.push(path),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, pointer(&path, &i.to_string())));
                }
            }
            Value::Object(fields) => {
                for (k, v) in fields {
                    let at = pointer(&path, k);
                    if k.contains('\0') {
                        found.push(at.clone());
                    }
                    stack.push((v, at));
                }
            }
            _ => {}
        }
    }
    found.sort();
    found
}

/// `base` extended by one reference token, escaped as RFC 6901 says (`~` → `~0`,
/// `/` → `~1`).
pub(crate) fn pointer(base: &str, token: &str) -> String {
    let mut path = String::with_capacity(base.len() + token.len() + 1);
    path.push_str(base);
    path.push('/');
    for c in token.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
    path
}

/// One problem of a document: where (a JSON pointer into the document, `""` for the
/// whole document) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// JSON pointer (RFC 6901) to the offending value, e.g. `/3/options/1`.
    pub path: String,
    /// What is wrong, in lowercase English.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.reason)
    }
}

/// The problems found so far while validating a document (at most
/// [`limits::MAX_PROBLEMS`]; when full, the error ends with one more problem saying so).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    list: Vec<Problem>,
    dropped: usize,
}

impl Problems {
    /// Records a problem at `path` (a JSON pointer).
    pub fn push(&mut self, path: &str, reason: impl Into<String>) {
        if self.list.len() < limits::MAX_PROBLEMS {
            self.list.push(Problem {
                path: path.to_owned(),
                reason: reason.into(),
            });
        } else {
            self.dropped += 1;
        }
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether the list is full, so that looking for more problems is pointless.
    pub fn is_full(&self) -> bool {
        self.list.len() >= limits::MAX_PROBLEMS
    }

    /// The problems recorded.
    pub fn as_slice(&self) -> &[Problem] {
        &self.list
    }

    /// `Ok` when no problem was found, else the [`crate::Error::InvalidDocument`] of
    /// `document` with every problem.
    pub(crate) fn into_result(self, document: &'static str) -> crate::Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.into_error(document).into())
        }
    }

    pub(crate) fn into_error(mut self, document: &'static str) -> InvalidDocument {
        if self.dropped > 0 || self.is_full() {
            self.list.push(Problem {
                path: String::new(),
                reason: format!(
                    "stopped after {} problems; there may be more",
                    limits::MAX_PROBLEMS
                ),
            });
        }
        InvalidDocument {
            document,
            problems: self.list,
        }
    }
}

/// A document that failed validation, with every problem found (never empty).
/// Serialized as `{"document": "question_set", "problems": [{"path": …, "reason": …}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct InvalidDocument {
    /// Which document ([`Document::NAME`], e.g. `question_set`).
    pub document: &'static str,
    /// Every problem found: the schema's, then the rules a schema cannot state.
    pub problems: Vec<Problem>,
}

impl InvalidDocument {
    /// A single problem in document `document`.
    pub fn new(document: &'static str, path: &str, reason: impl Into<String>) -> Self {
        Self {
            document,
            problems: vec![Problem {
                path: path.to_owned(),
                reason: reason.into(),
            }],
        }
    }

    /// Whether some problem is at exactly `path`.
    pub fn has_problem_at(&self, path: &str) -> bool {
        self.problems.iter().any(|p| p.path == path)
    }
}

impl fmt::Display for InvalidDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}", self.document)?;
        for (i, problem) in self.problems.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Checks that `url` is an absolute `https` URL with a host, no longer than
/// [`limits::MAX_URL_CHARS`].
pub(crate) fn check_https_url(url: &str, path: &str, problems: &mut Problems) {
    if url.chars().count() > limits::MAX_URL_CHARS {
        problems.push(
            path,
            format!("longer than {} characters", limits::MAX_URL_CHARS),
        );
        return;
    }
    // the string stored is the string given: it must already read as an https URL
    // (the parser would forgive upper case, missing slashes, backslashes and spaces)
    if !url.starts_with("https://") {
        problems.push(path, "must be an https URL (starting with https://)");
        return;
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        problems.push(path, "must not contain spaces or control characters");
        return;
    }
    match url::Url::parse(url) {
        Ok(parsed) if parsed.scheme() == "https" && parsed.host().is_some() => {
            if !parsed.username().is_empty() || parsed.password().is_some() {
                problems.push(path, "must not carry credentials");
            }
        }
        Ok(_) => problems.push(path, "must be an https URL"),
        Err(e) => problems.push(path, format!("not a URL: {e}")),
    }
}

/// Checks one URL outside a document (e.g. `profiles.avatar_url`) by the rules of the
/// URLs inside documents: absolute `https`, a host, no credentials, at most
/// [`limits::MAX_URL_CHARS`] characters.
///
/// ```
/// use lms_core::documents::check_url;
/// assert!(check_url("avatar_url", "https://cdn.example.org/a.png").is_ok());
/// assert_eq!(check_url("avatar_url", "javascript:alert(1)").unwrap_err().code(), "invalid_document");
/// ```
pub fn check_url(field: &'static str, url: &str) -> Result<(), crate::Error> {
    let mut problems = Problems::default();
    check_https_url(url, "", &mut problems);
    match problems.as_slice().first() {
        None => Ok(()),
        Some(p) => Err(crate::Error::InvalidInput {
            field,
            reason: p.reason.clone(),
        }),
    }
}

/// Checks an e-mail address as the library stores it: at most 320 characters, no
/// spaces or control characters, one `@` between a local part and a domain that are not
/// empty, the domain holding a dot or being `localhost`. (No more: whether the address
/// exists only a sent mail tells.)
///
/// ```
/// use lms_core::documents::check_email;
/// assert!(check_email("email", "ada@example.org").is_ok());
/// assert_eq!(check_email("email", "ada at example.org").unwrap_err().code(), "invalid_document");
/// ```
pub fn check_email(field: &'static str, email: &str) -> Result<(), crate::Error> {
    let refuse = |reason: &str| {
        Err(crate::Error::InvalidInput {
            field,
            reason: reason.to_owned(),
        })
    };
    if email.chars().count() > 320 {
        return refuse("longer than 320 characters");
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("must not contain spaces or control characters");
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && (domain.contains('.') || domain == "localhost")
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(())
        }
        _ => refuse("must be an e-mail address (name@domain)"),
    }
}

/// The variant `T` of an internally tagged enum read from `fields` less the tag field
/// `tag`: what serde's derive reads for that variant, without copying the fields first.
pub(crate) fn variant<T: DeserializeOwned>(
    fields: &Map<String, Value>,
    tag: &str,
) -> serde_json::Result<T> {
    T::deserialize(serde::de::value::MapDeserializer::new(
        fields
            .iter()
            .filter(|(k, _)| k.as_str() != tag)
            .map(|(k, v)| (k.as_str(), v)),
    ))
}

/// Reports ids that appear more than once in `ids`, each given with the function that
/// makes its path (called only for a duplicate: a valid document builds no path).
pub(crate) fn check_unique<'a, P: FnOnce() -> String>(
    ids: impl IntoIterator<Item = (&'a str, P)>,
    what: &str,
    problems: &mut Problems,
) {
    let mut seen = std::collections::BTreeSet::new();
    for (id, path) in ids {
        if !seen.insert(id) {
            problems.push(&path(), format!("duplicate {what} `{id}`"));
        }
    }
}

#[cfg(test)]
mod tests;

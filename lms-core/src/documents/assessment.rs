//! `assessments.questions` ([`QuestionSet`] of [`Question`]) and
//! `assessment_attempts.answers` ([`Answers`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::limits::{
    MAX_ACCEPTED_ANSWERS, MAX_ANSWERS, MAX_ESSAY_CHARS, MAX_ID_CHARS, MAX_OPTIONS, MAX_POINTS,
    MAX_QUESTIONS, MAX_QUESTION_SKILLS, MAX_SHORT_TEXT_CHARS, MAX_TEXT_CHARS,
};
use super::{check_unique, pointer, variant, Document, Problems};

/// Tolerance when comparing sums of option fractions.
const FRACTION_EPSILON: f64 = 1e-6;

/// The kind of a question (the `type` field of a [`Question`] and of an [`Answer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// [`MultipleChoiceQuestion`].
    MultipleChoice,
    /// [`TrueFalseQuestion`].
    TrueFalse,
    /// [`ShortAnswerQuestion`].
    ShortAnswer,
    /// [`EssayQuestion`].
    Essay,
}

impl QuestionKind {
    /// The kind as spelled in JSON (`multiple_choice`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::MultipleChoice => "multiple_choice",
            QuestionKind::TrueFalse => "true_false",
            QuestionKind::ShortAnswer => "short_answer",
            QuestionKind::Essay => "essay",
        }
    }
}

impl std::fmt::Display for QuestionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One question of an assessment. Internally tagged by `type`
/// (`multiple_choice`, `true_false`, `short_answer`, `essay`); every kind has an `id`
/// (unique within the assessment), a `prompt`, `points` (1 to [`MAX_POINTS`]) and an
/// optional `explanation` shown with the feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Question {
    /// Choose one option, or several when `multiple` is true.
    MultipleChoice(MultipleChoiceQuestion),
    /// True or false.
    TrueFalse(TrueFalseQuestion),
    /// A short text compared with accepted answers.
    ShortAnswer(ShortAnswerQuestion),
    /// A free text graded by an instructor.
    Essay(EssayQuestion),
}

/// A multiple-choice question.
///
/// Single choice (`multiple: false`, the default): at least one option has
/// `fraction: 1`; the chosen option's fraction is the credit (Moodle's semantics: other
/// options may give partial credit, a negative fraction earns 0). Multi-select
/// (`multiple: true`): right options have positive fractions summing to 1, wrong ones
/// zero or negative; the credit is the sum of the selected options' fractions, clamped
/// to `0..=1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MultipleChoiceQuestion {
    /// Id, unique within the assessment.
    #[schemars(length(min = 1, max = MAX_ID_CHARS))]
    pub id: String,
    /// The question as shown to the student.
    #[schemars(length(min = 1, max = MAX_TEXT_CHARS))]
    pub prompt: String,
    /// Points for a fully right answer.
    #[schemars(range(min = 1, max = MAX_POINTS))]
    pub points: u32,
    /// Whether several options may be selected.
    #[serde(default)]
    pub multiple: bool,
    /// The options, 2 to [`MAX_OPTIONS`], ids unique within the question.
    #[schemars(length(min = 2, max = MAX_OPTIONS))]
    pub options: Vec<ChoiceOption>,
    /// The skills the question tests (learning objectives of the course, 1 to
    /// [`MAX_ID_CHARS`] characters, not blank, no duplicates, at most
    /// [`MAX_QUESTION_SKILLS`]); left out, its lesson's objectives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_QUESTION_SKILLS), inner(length(min = 1, max = MAX_ID_CHARS)))]
    pub skills: Vec<String>,
    /// Why the right answer is right, shown with the feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub explanation: Option<String>,
}

/// An option of a multiple-choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// Id, unique within the question.
    #[schemars(length(min = 1, max = MAX_ID_CHARS))]
    pub id: String,
    /// The option as shown to the student.
    #[schemars(length(min = 1, max = MAX_SHORT_TEXT_CHARS))]
    pub text: String,
    /// Credit for selecting it, in `-1..=1` (see [`MultipleChoiceQuestion`]).
    #[schemars(range(min = -1.0, max = 1.0))]
    pub fraction: f64,
}

/// A true/false question, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrueFalseQuestion {
    /// Id, unique within the assessment.
    #[schemars(length(min = 1, max = MAX_ID_CHARS))]
    pub id: String,
    /// The statement as shown to the student.
    #[schemars(length(min = 1, max = MAX_TEXT_CHARS))]
    pub prompt: String,
    /// Points for the right answer.
    #[schemars(range(min = 1, max = MAX_POINTS))]
    pub points: u32,
    /// The right answer.
    pub correct: bool,
    /// The skills the question tests (learning objectives of the course, 1 to
    /// [`MAX_ID_CHARS`] characters, not blank, no duplicates, at most
    /// [`MAX_QUESTION_SKILLS`]); left out, its lesson's objectives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_QUESTION_SKILLS), inner(length(min = 1, max = MAX_ID_CHARS)))]
    pub skills: Vec<String>,
    /// Why the right answer is right, shown with the feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub explanation: Option<String>,
}

/// A short-answer question. The student's text is trimmed and NFC-normalized, then
/// compared with each accepted answer in order (case-insensitively unless
/// `case_sensitive`); `*` in an accepted answer matches any run of characters. The first
/// match gives its `fraction` of the points. At least one accepted answer has fraction 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortAnswerQuestion {
    /// Id, unique within the assessment.
    #[schemars(length(min = 1, max = MAX_ID_CHARS))]
    pub id: String,
    /// The question as shown to the student.
    #[schemars(length(min = 1, max = MAX_TEXT_CHARS))]
    pub prompt: String,
    /// Points for a fully right answer.
    #[schemars(range(min = 1, max = MAX_POINTS))]
    pub points: u32,
    /// Accepted answers, 1 to [`MAX_ACCEPTED_ANSWERS`], tried in order.
    #[schemars(length(min = 1, max = MAX_ACCEPTED_ANSWERS))]
    pub accepted: Vec<AcceptedAnswer>,
    /// Whether case matters (default false).
    #[serde(default)]
    pub case_sensitive: bool,
    /// The skills the question tests (learning objectives of the course, 1 to
    /// [`MAX_ID_CHARS`] characters, not blank, no duplicates, at most
    /// [`MAX_QUESTION_SKILLS`]); left out, its lesson's objectives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_QUESTION_SKILLS), inner(length(min = 1, max = MAX_ID_CHARS)))]
    pub skills: Vec<String>,
    /// Why the right answer is right, shown with the feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub explanation: Option<String>,
}

/// An accepted answer of a short-answer question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptedAnswer {
    /// The answer; `*` matches any run of characters.
    #[schemars(length(min = 1, max = MAX_SHORT_TEXT_CHARS))]
    pub text: String,
    /// Credit for this answer, in `0..=1`.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub fraction: f64,
}

/// An essay question, never auto-scored: an instructor grades it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EssayQuestion {
    /// Id, unique within the assessment.
    #[schemars(length(min = 1, max = MAX_ID_CHARS))]
    pub id: String,
    /// The question as shown to the student.
    #[schemars(length(min = 1, max = MAX_TEXT_CHARS))]
    pub prompt: String,
    /// Points for a perfect essay.
    #[schemars(range(min = 1, max = MAX_POINTS))]
    pub points: u32,
    /// Grading guidance for instructors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub rubric: Option<String>,
    /// The skills the question tests (learning objectives of the course, 1 to
    /// [`MAX_ID_CHARS`] characters, not blank, no duplicates, at most
    /// [`MAX_QUESTION_SKILLS`]); left out, its lesson's objectives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_QUESTION_SKILLS), inner(length(min = 1, max = MAX_ID_CHARS)))]
    pub skills: Vec<String>,
    /// What a good answer contains, shown with the feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub explanation: Option<String>,
}

/// The body of `read_tagged` for an enum of the four question kinds tagged by `type`
/// (a question, an answer): the variant the tag names read straight from the value's
/// fields, anything else as its `Deserialize` does (which reports the error).
macro_rules! read_by_kind {
    ($value:expr) => {{
        let value: &Value = $value;
        let Value::Object(fields) = value else {
            return Self::deserialize(value);
        };
        match fields.get("type").and_then(Value::as_str) {
            Some("multiple_choice") => variant(fields, "type").map(Self::MultipleChoice),
            Some("true_false") => variant(fields, "type").map(Self::TrueFalse),
            Some("short_answer") => variant(fields, "type").map(Self::ShortAnswer),
            Some("essay") => variant(fields, "type").map(Self::Essay),
            _ => Self::deserialize(value),
        }
    }};
}

impl Question {
    /// Reads a question from `value` as its `Deserialize` does, each kind's fields read
    /// straight from the value (see [`Document::from_value`]).
    pub(crate) fn read_tagged(value: &Value) -> serde_json::Result<Self> {
        read_by_kind!(value)
    }

    /// The question's id.
    pub fn id(&self) -> &str {
        match self {
            Question::MultipleChoice(q) => &q.id,
            Question::TrueFalse(q) => &q.id,
            Question::ShortAnswer(q) => &q.id,
            Question::Essay(q) => &q.id,
        }
    }

    /// Points for a fully right answer.
    pub fn points(&self) -> u32 {
        match self {
            Question::MultipleChoice(q) => q.points,
            Question::TrueFalse(q) => q.points,
            Question::ShortAnswer(q) => q.points,
            Question::Essay(q) => q.points,
        }
    }

    /// The explanation shown with the feedback, if any.
    pub fn explanation(&self) -> Option<&str> {
        match self {
            Question::MultipleChoice(q) => q.explanation.as_deref(),
            Question::TrueFalse(q) => q.explanation.as_deref(),
            Question::ShortAnswer(q) => q.explanation.as_deref(),
            Question::Essay(q) => q.explanation.as_deref(),
        }
    }

    /// The skills the question names (empty: its lesson's objectives).
    pub fn skills(&self) -> &[String] {
        match self {
            Question::MultipleChoice(q) => &q.skills,
            Question::TrueFalse(q) => &q.skills,
            Question::ShortAnswer(q) => &q.skills,
            Question::Essay(q) => &q.skills,
        }
    }

    /// The kind of question.
    pub fn kind(&self) -> QuestionKind {
        match self {
            Question::MultipleChoice(_) => QuestionKind::MultipleChoice,
            Question::TrueFalse(_) => QuestionKind::TrueFalse,
            Question::ShortAnswer(_) => QuestionKind::ShortAnswer,
            Question::Essay(_) => QuestionKind::Essay,
        }
    }

    /// Checks the rules of one question, reporting paths under `base`.
    fn check_at(&self, base: &str, problems: &mut Problems) {
        if self.id().trim().is_empty() {
            problems.push(&pointer(base, "id"), "must not be blank");
        }
        let skill = |i: usize| pointer(&pointer(base, "skills"), &i.to_string());
        for (i, name) in self.skills().iter().enumerate() {
            if name.trim().is_empty() {
                problems.push(&skill(i), "skill name must not be blank");
            }
        }
        check_unique(
            self.skills()
                .iter()
                .enumerate()
                .map(|(i, s)| (s.as_str(), move || skill(i))),
            "skill",
            problems,
        );
        match self {
            Question::MultipleChoice(q) => check_choice(q, base, problems),
            Question::ShortAnswer(q) => {
                for (i, a) in q.accepted.iter().enumerate() {
                    if a.text.trim().is_empty() {
                        let path =
                            pointer(&pointer(&pointer(base, "accepted"), &i.to_string()), "text");
                        problems.push(&path, "must not be blank");
                    }
                }
                if !q
                    .accepted
                    .iter()
                    .any(|a| a.fraction >= 1.0 - FRACTION_EPSILON)
                {
                    problems.push(
                        &pointer(base, "accepted"),
                        "at least one accepted answer must have fraction 1",
                    );
                }
            }
            Question::TrueFalse(_) | Question::Essay(_) => {}
        }
    }
}

fn check_choice(q: &MultipleChoiceQuestion, base: &str, problems: &mut Problems) {
    let options = || pointer(base, "options");
    check_unique(
        q.options.iter().enumerate().map(|(i, o)| {
            (o.id.as_str(), move || {
                pointer(&pointer(&options(), &i.to_string()), "id")
            })
        }),
        "option id",
        problems,
    );
    if q.multiple {
        let positive: f64 = q.options.iter().map(|o| o.fraction.max(0.0)).sum();
        if (positive - 1.0).abs() > FRACTION_EPSILON * q.options.len() as f64 {
            problems.push(
                &options(),
                format!(
                    "positive fractions of a multi-select question must sum to 1, not {positive}"
                ),
            );
        }
    } else {
        // Moodle: "one of the choices should be 100%, so that it is possible to get
        // full grade"; the others may carry any fraction in -1..=1
        if !q
            .options
            .iter()
            .any(|o| o.fraction >= 1.0 - FRACTION_EPSILON)
        {
            problems.push(
                &options(),
                "a single-choice question needs an option with fraction 1 (full credit)",
            );
        }
    }
}

impl Document for Question {
    const NAME: &'static str = "question";

    fn from_value(value: &Value) -> serde_json::Result<Self> {
        Self::read_tagged(value)
    }

    fn check(&mut self, problems: &mut Problems) {
        self.check_at("", problems);
    }
}

/// `assessments.questions`: a JSON array of [`Question`]s, at most [`MAX_QUESTIONS`],
/// ids unique. An empty set is valid (a draft) but cannot be scored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct QuestionSet(#[schemars(length(max = MAX_QUESTIONS))] pub Vec<Question>);

impl QuestionSet {
    /// The question with id `id`.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.0.iter().find(|q| q.id() == id)
    }

    /// Sum of the points of every question.
    pub fn total_points(&self) -> u32 {
        self.0.iter().map(Question::points).sum()
    }
}

impl Document for QuestionSet {
    const NAME: &'static str = "question_set";

    fn from_value(value: &Value) -> serde_json::Result<Self> {
        match value {
            Value::Array(items) => items
                .iter()
                .map(Question::from_value)
                .collect::<Result<_, _>>()
                .map(Self),
            _ => Self::deserialize(value),
        }
    }

    fn check(&mut self, problems: &mut Problems) {
        for (i, q) in self.0.iter().enumerate() {
            q.check_at(&pointer("", &i.to_string()), problems);
        }
        check_unique(
            self.0
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id(), move || pointer(&pointer("", &i.to_string()), "id"))),
            "question id",
            problems,
        );
    }
}

/// A student's answer to one question. Internally tagged by `type`, which names the kind
/// of question answered; `answered_at` (optional) is when the answer was last changed,
/// used by the time-limit policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// The selected option ids (empty: unanswered).
    MultipleChoice(MultipleChoiceAnswer),
    /// True or false.
    TrueFalse(TrueFalseAnswer),
    /// A short text (blank: unanswered).
    ShortAnswer(ShortAnswerAnswer),
    /// An essay (blank: unanswered).
    Essay(EssayAnswer),
}

/// Answer to a multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MultipleChoiceAnswer {
    /// Ids of the selected options, without duplicates.
    #[schemars(length(max = MAX_OPTIONS), inner(length(min = 1, max = MAX_ID_CHARS)))]
    pub selected: Vec<String>,
    /// When the answer was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// Answer to a true/false question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrueFalseAnswer {
    /// The student's answer.
    pub value: bool,
    /// When the answer was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// Answer to a short-answer question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortAnswerAnswer {
    /// The student's text.
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub text: String,
    /// When the answer was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// Answer to an essay question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EssayAnswer {
    /// The student's essay.
    #[schemars(length(max = MAX_ESSAY_CHARS))]
    pub text: String,
    /// When the answer was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

impl Answer {
    /// Reads an answer from `value` as its `Deserialize` does, each kind's fields read
    /// straight from the value (see [`Document::from_value`]).
    pub(crate) fn read_tagged(value: &Value) -> serde_json::Result<Self> {
        read_by_kind!(value)
    }

    /// The kind of question answered.
    pub fn kind(&self) -> QuestionKind {
        match self {
            Answer::MultipleChoice(_) => QuestionKind::MultipleChoice,
            Answer::TrueFalse(_) => QuestionKind::TrueFalse,
            Answer::ShortAnswer(_) => QuestionKind::ShortAnswer,
            Answer::Essay(_) => QuestionKind::Essay,
        }
    }

    /// When the answer was last changed, if known.
    pub fn answered_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Answer::MultipleChoice(a) => a.answered_at,
            Answer::TrueFalse(a) => a.answered_at,
            Answer::ShortAnswer(a) => a.answered_at,
            Answer::Essay(a) => a.answered_at,
        }
    }
}

/// `assessment_attempts.answers`: the student's answers keyed by question id, e.g.
/// `{"q1": {"type": "multiple_choice", "selected": ["b"]}, "q2": {"type": "true_false",
/// "value": true}}`. At most [`MAX_ANSWERS`]; a question without an entry is unanswered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(extend(
    "maxProperties" = MAX_ANSWERS,
    "propertyNames" = { "minLength": 1, "maxLength": MAX_ID_CHARS }
))]
pub struct Answers(pub BTreeMap<String, Answer>);

impl Document for Answers {
    const NAME: &'static str = "answers";

    fn from_value(value: &Value) -> serde_json::Result<Self> {
        match value {
            Value::Object(answers) => answers
                .iter()
                .map(|(id, answer)| Ok((id.clone(), Answer::read_tagged(answer)?)))
                .collect::<serde_json::Result<_>>()
                .map(Self),
            _ => Self::deserialize(value),
        }
    }

    fn check(&mut self, problems: &mut Problems) {
        for (question, answer) in &self.0 {
            if let Answer::MultipleChoice(a) = answer {
                let at = |i: usize| {
                    pointer(&pointer(&pointer("", question), "selected"), &i.to_string())
                };
                check_unique(
                    a.selected
                        .iter()
                        .enumerate()
                        .map(|(i, id)| (id.as_str(), move || at(i))),
                    "selected option",
                    problems,
                );
            }
        }
    }
}

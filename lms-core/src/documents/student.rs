//! What a student sees of an assessment's questions: [`StudentQuestion`], the view
//! without answer keys, and [`QUESTION_FIELDS`] / [`OPTION_FIELDS`], the classification
//! of every field of a [`Question`] as shown to students or answer key.
//!
//! The view is an **allowlist**: it keeps the fields classified [`FieldUse::Shown`] and
//! nothing else, so a field nobody classified never reaches a student. The database's
//! `lms_private.strip_answer_keys` (what `public.assessment_questions` returns to
//! students, whatever shape the stored document has) keeps the same fields; tests compare
//! the three — this classification, the fields of [`StudentQuestion`], and the SQL
//! function's output — so a field added to [`Question`] fails them until it is
//! classified here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits::MAX_QUESTIONS;
use super::{ChoiceOption, Document, Question, QuestionSet};

/// How a field of a question document is treated in the student view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldUse {
    /// Shown to students (what they need to answer).
    Shown,
    /// Part of the answer key (or shown only with the feedback): never in the student
    /// view.
    AnswerKey,
}

/// Every field a question document may have, of every kind of [`Question`], and its use.
pub const QUESTION_FIELDS: [(&str, FieldUse); 12] = [
    ("type", FieldUse::Shown),
    ("id", FieldUse::Shown),
    ("prompt", FieldUse::Shown),
    ("points", FieldUse::Shown),
    ("multiple", FieldUse::Shown),
    ("options", FieldUse::Shown),
    ("case_sensitive", FieldUse::Shown),
    ("correct", FieldUse::AnswerKey),
    ("accepted", FieldUse::AnswerKey),
    ("rubric", FieldUse::AnswerKey),
    ("explanation", FieldUse::AnswerKey),
    // authoring metadata for knowledge tracing: nothing a student needs to answer
    ("skills", FieldUse::AnswerKey),
];

/// Every field of an option of a multiple-choice question ([`ChoiceOption`]) and its
/// use.
pub const OPTION_FIELDS: [(&str, FieldUse); 3] = [
    ("id", FieldUse::Shown),
    ("text", FieldUse::Shown),
    ("fraction", FieldUse::AnswerKey),
];

/// The names of the fields classified `use_` in `fields`.
pub fn fields_of(fields: &[(&'static str, FieldUse)], use_: FieldUse) -> Vec<&'static str> {
    fields
        .iter()
        .filter(|(_, u)| *u == use_)
        .map(|(name, _)| *name)
        .collect()
}

/// A question as a student sees it before answering: what the question asks and how it
/// is answered, no answer key. Internally tagged by `type`, like [`Question`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StudentQuestion {
    /// Choose one option, or several when `multiple` is true.
    MultipleChoice(StudentChoiceQuestion),
    /// True or false.
    TrueFalse(StudentPlainQuestion),
    /// A short text.
    ShortAnswer(StudentShortAnswerQuestion),
    /// An essay.
    Essay(StudentPlainQuestion),
}

/// A true/false or essay question as a student sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StudentPlainQuestion {
    /// Id, unique within the assessment.
    pub id: String,
    /// The question.
    pub prompt: String,
    /// Points for a fully right answer.
    pub points: u32,
}

/// A multiple-choice question as a student sees it: the options without their
/// fractions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StudentChoiceQuestion {
    /// Id, unique within the assessment.
    pub id: String,
    /// The question.
    pub prompt: String,
    /// Points for a fully right answer.
    pub points: u32,
    /// Whether several options may be selected.
    pub multiple: bool,
    /// The options, in the assessment's order.
    pub options: Vec<StudentOption>,
}

/// An option as a student sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StudentOption {
    /// Id, unique within the question.
    pub id: String,
    /// The option's text.
    pub text: String,
}

/// A short-answer question as a student sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StudentShortAnswerQuestion {
    /// Id, unique within the assessment.
    pub id: String,
    /// The question.
    pub prompt: String,
    /// Points for a fully right answer.
    pub points: u32,
    /// Whether case matters when the answer is compared.
    pub case_sensitive: bool,
}

impl From<&ChoiceOption> for StudentOption {
    fn from(o: &ChoiceOption) -> Self {
        StudentOption {
            id: o.id.clone(),
            text: o.text.clone(),
        }
    }
}

impl From<&Question> for StudentQuestion {
    fn from(q: &Question) -> Self {
        let plain = |id: &str, prompt: &str, points: u32| StudentPlainQuestion {
            id: id.to_owned(),
            prompt: prompt.to_owned(),
            points,
        };
        match q {
            Question::MultipleChoice(q) => StudentQuestion::MultipleChoice(StudentChoiceQuestion {
                id: q.id.clone(),
                prompt: q.prompt.clone(),
                points: q.points,
                multiple: q.multiple,
                options: q.options.iter().map(StudentOption::from).collect(),
            }),
            Question::TrueFalse(q) => StudentQuestion::TrueFalse(plain(&q.id, &q.prompt, q.points)),
            Question::ShortAnswer(q) => StudentQuestion::ShortAnswer(StudentShortAnswerQuestion {
                id: q.id.clone(),
                prompt: q.prompt.clone(),
                points: q.points,
                case_sensitive: q.case_sensitive,
            }),
            Question::Essay(q) => StudentQuestion::Essay(plain(&q.id, &q.prompt, q.points)),
        }
    }
}

/// The questions of an assessment as a student sees them (what
/// `public.assessment_questions` returns to a student): [`StudentQuestion`]s in the
/// assessment's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct StudentQuestionSet(#[schemars(length(max = MAX_QUESTIONS))] pub Vec<StudentQuestion>);

impl From<&QuestionSet> for StudentQuestionSet {
    fn from(set: &QuestionSet) -> Self {
        StudentQuestionSet(set.0.iter().map(StudentQuestion::from).collect())
    }
}

/// The student view is a document too, so that its JSON Schema is exported for front
/// ends (`schemas/student_question_set.json`).
impl Document for StudentQuestionSet {
    const NAME: &'static str = "student_question_set";
}

/// The student view of `questions` (see [`StudentQuestionSet`]).
///
/// ```
/// use lms_core::documents::{student_view, QuestionSet};
/// let questions = QuestionSet::validate(&serde_json::json!([
///     {"type": "true_false", "id": "q1", "prompt": "Rust has a GC", "points": 1,
///      "correct": false, "explanation": "It has ownership."}
/// ])).unwrap();
/// # use lms_core::documents::Document;
/// let seen = serde_json::to_value(student_view(&questions)).unwrap();
/// assert_eq!(seen, serde_json::json!([
///     {"type": "true_false", "id": "q1", "prompt": "Rust has a GC", "points": 1}
/// ]));
/// ```
pub fn student_view(questions: &QuestionSet) -> StudentQuestionSet {
    StudentQuestionSet::from(questions)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::documents::json_schema;

    /// The property names of every object schema reachable from `schema` whose
    /// properties include `marker` (the question variants include `prompt`, options
    /// `text`), resolving `$defs` references.
    fn properties_with(schema: &Value, marker: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut stack = vec![schema];
        while let Some(node) = stack.pop() {
            match node {
                Value::Object(map) => {
                    if let Some(Value::Object(props)) = map.get("properties") {
                        if props.contains_key(marker) {
                            found.extend(props.keys().cloned());
                        }
                    }
                    stack.extend(map.values());
                }
                Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
        found
    }

    fn names(fields: &[(&'static str, FieldUse)]) -> BTreeSet<String> {
        fields.iter().map(|(n, _)| (*n).to_owned()).collect()
    }

    fn shown(fields: &[(&'static str, FieldUse)]) -> BTreeSet<String> {
        fields_of(fields, FieldUse::Shown)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_field_of_a_question_is_classified() {
        let question = json_schema::<Question>();
        assert_eq!(
            properties_with(&question, "prompt"),
            names(&QUESTION_FIELDS),
            "a field of Question is not classified in QUESTION_FIELDS (or one is classified that \
             no question has)"
        );
        assert_eq!(
            properties_with(&schemars::schema_for!(ChoiceOption).to_value(), "text"),
            names(&OPTION_FIELDS),
            "a field of ChoiceOption is not classified in OPTION_FIELDS"
        );
    }

    #[test]
    fn the_student_view_holds_exactly_the_shown_fields() {
        let view = json_schema::<StudentQuestionSet>();
        assert_eq!(properties_with(&view, "prompt"), shown(&QUESTION_FIELDS));
        assert_eq!(properties_with(&view, "text"), shown(&OPTION_FIELDS));
        let key_names: BTreeSet<String> = fields_of(&QUESTION_FIELDS, FieldUse::AnswerKey)
            .into_iter()
            .chain(fields_of(&OPTION_FIELDS, FieldUse::AnswerKey))
            .map(str::to_owned)
            .collect();
        assert!(key_names.is_disjoint(&shown(&QUESTION_FIELDS)));
        assert!(key_names.is_disjoint(&shown(&OPTION_FIELDS)));
    }

    /// Answer-key texts carry this prefix, so that a test can look for them in the view.
    const KEY: &str = "ANSWER-KEY:";

    fn question() -> impl Strategy<Value = Question> {
        use crate::documents::{
            AcceptedAnswer, EssayQuestion, MultipleChoiceQuestion, ShortAnswerQuestion,
            TrueFalseQuestion,
        };
        let id = "[a-z]{1,8}";
        let prompt = "[ -~]{1,40}";
        let points = 1u32..=1000;
        let explanation = proptest::option::of("[a-z]{0,8}".prop_map(|s| format!("{KEY}{s}")));
        prop_oneof![
            (
                id,
                prompt,
                points.clone(),
                any::<bool>(),
                prop::collection::vec(("[a-z]{1,4}", "[ -~]{1,20}", -1.0f64..=1.0), 2..6),
                explanation.clone()
            )
                .prop_map(|(id, prompt, points, multiple, options, explanation)| {
                    Question::MultipleChoice(MultipleChoiceQuestion {
                        id,
                        prompt,
                        points,
                        multiple,
                        options: options
                            .into_iter()
                            .map(|(id, text, fraction)| ChoiceOption { id, text, fraction })
                            .collect(),
                        skills: vec![format!("{KEY}skill")],
                        explanation,
                    })
                }),
            (
                id,
                prompt,
                points.clone(),
                any::<bool>(),
                explanation.clone()
            )
                .prop_map(|(id, prompt, points, correct, explanation)| {
                    Question::TrueFalse(TrueFalseQuestion {
                        id,
                        prompt,
                        points,
                        correct,
                        skills: vec![format!("{KEY}skill")],
                        explanation,
                    })
                }),
            (
                id,
                prompt,
                points.clone(),
                prop::collection::vec(("[a-z]{1,8}", 0.0f64..=1.0), 1..4),
                any::<bool>(),
                explanation.clone()
            )
                .prop_map(
                    |(id, prompt, points, accepted, case_sensitive, explanation)| {
                        Question::ShortAnswer(ShortAnswerQuestion {
                            id,
                            prompt,
                            points,
                            accepted: accepted
                                .into_iter()
                                .map(|(text, fraction)| AcceptedAnswer {
                                    text: format!("{KEY}{text}"),
                                    fraction,
                                })
                                .collect(),
                            case_sensitive,
                            skills: vec![format!("{KEY}skill")],
                            explanation,
                        })
                    }
                ),
            (
                id,
                prompt,
                points,
                proptest::option::of("[a-z]{0,8}".prop_map(|s| format!("{KEY}{s}"))),
                explanation
            )
                .prop_map(|(id, prompt, points, rubric, explanation)| {
                    Question::Essay(EssayQuestion {
                        id,
                        prompt,
                        points,
                        rubric,
                        skills: vec![format!("{KEY}skill")],
                        explanation,
                    })
                }),
        ]
    }

    /// Every object key anywhere in `value`, with the option objects' keys apart.
    fn keys(value: &Value, inside_options: bool, out: &mut Vec<(bool, String)>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    out.push((inside_options, k.clone()));
                    keys(v, inside_options || k == "options", out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| keys(v, inside_options, out)),
            _ => {}
        }
    }

    proptest! {
        #[test]
        fn the_student_view_never_shows_an_answer_key(questions in prop::collection::vec(question(), 0..8)) {
            let set = QuestionSet(questions);
            let view = serde_json::to_value(student_view(&set)).unwrap();
            let mut found = Vec::new();
            keys(&view, false, &mut found);
            let question_fields = shown(&QUESTION_FIELDS);
            let option_fields = shown(&OPTION_FIELDS);
            for (in_option, key) in found {
                let allowed = if in_option { &option_fields } else { &question_fields };
                prop_assert!(allowed.contains(&key), "{key} in {view}");
            }
            prop_assert!(!view.to_string().contains(KEY), "{view}");
            // what a student sees is a valid student view, question for question
            let back = StudentQuestionSet::validate(&view).unwrap();
            prop_assert_eq!(back.0.len(), set.0.len());
        }
    }
}

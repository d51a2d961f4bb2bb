//! From graded answers to a knowledge profile: which skills an answer is evidence of,
//! and the BKT trace of every skill ([`trace`]), each change explained.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::bkt::{BktParams, Mastery, MasteryChange};
use crate::documents::limits::MAX_ID_CHARS;
use crate::documents::{Feedback, KnowledgeProfile, Outcome, QuestionSet, SkillMastery};
use crate::{Error, Result};

/// The BKT parameters of a course: per skill, and the course's default for the others.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct KnowledgeModel {
    /// For skills without their own parameters ([`BktParams::DEFAULT`] unless set).
    pub default: Option<BktParams>,
    /// Per skill (fitted, or set by an instructor).
    pub skills: BTreeMap<String, BktParams>,
}

impl KnowledgeModel {
    /// The parameters of `skill`.
    pub fn params(&self, skill: &str) -> BktParams {
        self.skills
            .get(skill)
            .copied()
            .or(self.default)
            .unwrap_or(BktParams::DEFAULT)
    }

    /// The model with every parameter set checked ([`BktParams::checked`]).
    pub fn checked(self) -> Result<Self> {
        if let Some(d) = self.default {
            d.checked()?;
        }
        for (skill, p) in &self.skills {
            p.checked().map_err(|e| Error::InvalidInput {
                field: "knowledge_model",
                reason: format!("skill `{skill}`: {e}"),
            })?;
        }
        Ok(self)
    }
}

/// The skill a learning objective or a course tag names: the text trimmed, without
/// control characters, cut to [`MAX_ID_CHARS`] characters (objectives are free text;
/// skill names are keys); `None` for blank text.
pub fn skill_name(text: &str) -> Option<String> {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let name: String = clean.trim().chars().take(MAX_ID_CHARS).collect();
    let name = name.trim_end().to_owned();
    (!name.is_empty()).then_some(name)
}

/// One graded answer as evidence of one skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The skill.
    pub skill: String,
    /// The question answered.
    pub question_id: String,
    /// Whether it earned full points.
    pub correct: bool,
    /// When (the attempt's submission).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// The observations of one graded attempt, in question order: for each question with a
/// graded answer, one per skill it tests (its `skills`, else `default_skills`, the
/// lesson's objectives). Full points is correct; partial credit and no points are
/// incorrect; unanswered questions and essays waiting for a grade are no evidence.
pub fn observations(
    questions: &QuestionSet,
    feedback: &Feedback,
    default_skills: &[String],
    at: Option<DateTime<Utc>>,
) -> Vec<Observation> {
    observations_from(
        questions,
        feedback
            .questions
            .iter()
            .map(|q| (q.question_id.as_str(), q.outcome)),
        default_skills,
        at,
    )
}

/// [`observations`] from each question's outcome alone (`(question_id, outcome)`, as
/// the `feedback` document's `questions` hold them): what a reader of many attempts
/// extracts instead of whole feedback documents.
pub fn observations_from<'a>(
    questions: &QuestionSet,
    outcomes: impl IntoIterator<Item = (&'a str, Outcome)>,
    default_skills: &[String],
    at: Option<DateTime<Utc>>,
) -> Vec<Observation> {
    let graded: BTreeMap<&str, Outcome> = outcomes.into_iter().collect();
    let mut out = Vec::new();
    for q in &questions.0 {
        let correct = match graded.get(q.id()) {
            Some(Outcome::Correct) => true,
            Some(Outcome::Partial | Outcome::Incorrect) => false,
            _ => continue,
        };
        let skills = if q.skills().is_empty() {
            default_skills
        } else {
            q.skills()
        };
        for skill in skills {
            out.push(Observation {
                skill: skill.clone(),
                question_id: q.id().to_owned(),
                correct,
                at,
            });
        }
    }
    out
}

/// A profile traced from observations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Traced {
    /// The mastery of every skill observed.
    pub profile: KnowledgeProfile,
    /// Each update, in order, explained.
    pub changes: Vec<MasteryChange>,
}

/// Runs BKT over `observations` (in the order given: the order the student answered),
/// each skill from its prior in `model`: the profile, and each change explained.
pub fn trace(model: &KnowledgeModel, observations: &[Observation]) -> Traced {
    let mut changes = Vec::with_capacity(observations.len());
    let profile = run(model, observations, Some(&mut changes));
    Traced { profile, changes }
}

/// [`trace`]'s profile alone (what a roadmap is planned from), without the explanations.
pub fn profile(model: &KnowledgeModel, observations: &[Observation]) -> KnowledgeProfile {
    run(model, observations, None)
}

/// A skill's model, state, evidence and last update, while tracing.
type SkillState = (super::bkt::Bkt, Mastery, u32, Option<DateTime<Utc>>);

fn run(
    model: &KnowledgeModel,
    observations: &[Observation],
    mut changes: Option<&mut Vec<MasteryChange>>,
) -> KnowledgeProfile {
    let mut states: std::collections::HashMap<&str, SkillState> = std::collections::HashMap::new();
    for o in observations {
        let entry = states.entry(o.skill.as_str()).or_insert_with(|| {
            let bkt = model.params(&o.skill).model();
            (bkt, bkt.start(), 0, None)
        });
        let before = entry.1.p();
        entry.1 = entry.0.update(entry.1, o.correct);
        entry.2 = entry.2.saturating_add(1);
        if o.at.is_some() {
            entry.3 = o.at;
        }
        if let Some(changes) = changes.as_deref_mut() {
            changes.push(MasteryChange {
                skill: o.skill.clone(),
                question_id: o.question_id.clone(),
                correct: o.correct,
                before,
                after: entry.1.p(),
            });
        }
    }
    KnowledgeProfile {
        skills: states
            .into_iter()
            .map(|(skill, (_, m, evidence, at))| {
                (
                    skill.to_owned(),
                    SkillMastery {
                        mastery: m.p(),
                        evidence,
                        updated_at: at,
                    },
                )
            })
            .collect(),
    }
}

/// One answer of a student to a skill, as tabular data (pyBKT's `user_id`,
/// `skill_name`, `correct` columns): what [`predict_answers`] and [`fit_answers`] take,
/// in answering order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRow {
    /// Who answered.
    pub student: String,
    /// The skill.
    pub skill: String,
    /// Whether the answer was right.
    pub correct: bool,
}

/// The P(correct) BKT predicted before each answer of `rows` (each student's sequence per
/// skill followed separately, in row order), in row order.
pub fn predict_answers(model: &KnowledgeModel, rows: &[AnswerRow]) -> Vec<f64> {
    let mut states: std::collections::HashMap<(&str, &str), Mastery> =
        std::collections::HashMap::new();
    let mut models: BTreeMap<&str, super::bkt::Bkt> = BTreeMap::new();
    rows.iter()
        .map(|r| {
            let bkt = *models
                .entry(r.skill.as_str())
                .or_insert_with(|| model.params(&r.skill).model());
            let m = states
                .entry((r.student.as_str(), r.skill.as_str()))
                .or_insert_with(|| bkt.start());
            let p = bkt.predict(*m);
            *m = bkt.update(*m, r.correct);
            p
        })
        .collect()
}

/// The sequences of each skill in `rows`: per skill (by name), each student's answers in
/// row order, students in order of first appearance.
pub fn sequences(rows: &[AnswerRow]) -> BTreeMap<String, Vec<Vec<bool>>> {
    let mut index: std::collections::HashMap<(&str, &str), usize> =
        std::collections::HashMap::new();
    let mut out: BTreeMap<String, Vec<Vec<bool>>> = BTreeMap::new();
    for r in rows {
        let seqs = out.entry(r.skill.clone()).or_default();
        let i = *index
            .entry((r.skill.as_str(), r.student.as_str()))
            .or_insert_with(|| {
                seqs.push(Vec::new());
                seqs.len() - 1
            });
        seqs[i].push(r.correct);
    }
    out
}

/// Fits every skill of `rows` ([`super::fit::fit`] on its [`sequences`]), by skill name.
pub fn fit_answers(
    rows: &[AnswerRow],
    options: &super::fit::FitOptions,
) -> Result<Vec<super::fit::SkillFit>> {
    sequences(rows)
        .into_iter()
        .map(|(skill, seqs)| {
            let fitted = super::fit::fit(&seqs, options)?;
            Ok(super::fit::SkillFit { skill, fitted })
        })
        .collect()
}

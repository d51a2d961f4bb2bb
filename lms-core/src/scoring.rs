//! Scoring of an attempt: [`score`] the answers against the questions, then
//! [`grade_essay`] each essay.
//!
//! # Rules
//!
//! - **Points are integers**, as the `points_earned`/`total_points` columns. A question
//!   earns `round_half_up(credit × points)` where `credit` is in `0..=1`; credits and
//!   option fractions are counted in millionths, so the arithmetic is exact integer
//!   arithmetic. A question never earns more than its points, so
//!   `points_earned <= total_points`.
//! - **Score** = `round_half_up(100 × points_earned / total_points)`, computed in
//!   integers as `(200 × earned + total) / (2 × total)`: 0–100, e.g. 2/3 → 67, 1/8 → 13
//!   (12.5 rounds up), 199/200 → 100. See [`percent`].
//! - **Passed** = `score >= minimum_passing_score`.
//! - Multiple choice, single: all or nothing. Multi-select: the sum of the selected
//!   options' fractions (wrong ones are negative), clamped to `0..=1`.
//! - True/false: all or nothing.
//! - Short answer: the text is trimmed and NFC-normalized, and compared
//!   case-insensitively unless the question is `case_sensitive`, with each accepted
//!   answer in order; `*` matches any run of characters (a plain glob, no regex); the
//!   first match gives its fraction.
//! - Essays are never auto-scored: an answered essay is `pending_review` and, while any
//!   is pending, `score` and `passed` are `None` (points are provisional). Once every
//!   essay is graded with [`grade_essay`], they are final.
//! - An unanswered question (no entry, no option selected, blank text) scores 0.
//! - An answer to an unknown question, of the wrong kind, selecting an unknown option,
//!   or selecting several options of a single-choice question is an error.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::documents::limits::MAX_TEXT_CHARS;
use crate::documents::{
    Answer, Answers, Document, Feedback, FeedbackSummary, InvalidDocument, MultipleChoiceQuestion,
    Outcome, Question, QuestionFeedback, QuestionKind, QuestionSet, ShortAnswerQuestion,
};
use crate::{Error, Result};

/// Full credit, in millionths.
const FULL: u64 = 1_000_000;

/// What [`score`] needs besides questions and answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringPolicy {
    /// Minimum score (0–100) to pass, from `assessments.minimum_passing_score`.
    pub minimum_passing_score: u32,
}

impl ScoringPolicy {
    /// A policy with the passing score of the `assessments.minimum_passing_score` column.
    pub fn new(minimum_passing_score: i32) -> Result<Self> {
        match u32::try_from(minimum_passing_score) {
            Ok(m) if m <= 100 => Ok(Self {
                minimum_passing_score: m,
            }),
            _ => Err(Error::InvalidPassingScore {
                value: minimum_passing_score.into(),
            }),
        }
    }
}

/// The result of scoring an attempt: the values of the attempt's columns and its
/// [`Feedback`] document. `score` and `passed` are `None` while essays await review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scored {
    /// Points earned (provisional while essays are pending).
    pub points_earned: u32,
    /// Points available.
    pub total_points: u32,
    /// Score 0–100, final once no essay is pending.
    pub score: Option<u32>,
    /// Whether the score reaches the passing score, final once no essay is pending.
    pub passed: Option<bool>,
    /// The feedback document, with the outcome of each question.
    pub feedback: Feedback,
}

impl Scored {
    /// The result described by a (validated) feedback document; the summary is
    /// recomputed from the per-question entries.
    pub fn from_feedback(mut feedback: Feedback) -> Self {
        feedback.summary = summarize(&feedback.questions, feedback.summary.minimum_passing_score);
        let s = &feedback.summary;
        Self {
            points_earned: s.points_earned,
            total_points: s.total_points,
            score: s.score,
            passed: s.passed,
            feedback,
        }
    }

    /// Whether the result is final: no essay is pending review.
    pub fn is_final(&self) -> bool {
        self.feedback.is_final()
    }

    /// Ids of the essays waiting for a grade.
    pub fn pending_review(&self) -> impl Iterator<Item = &str> {
        self.feedback
            .questions
            .iter()
            .filter(|q| q.outcome == Outcome::PendingReview)
            .map(|q| q.question_id.as_str())
    }

    /// How many questions the answers answer (every outcome but `unanswered`).
    pub fn answered(&self) -> usize {
        self.feedback
            .questions
            .iter()
            .filter(|q| q.outcome != Outcome::Unanswered)
            .count()
    }

    /// Refuses a result that answers no question ([`Error::NoAnswers`]) unless a blank
    /// attempt is meant (`allow_empty`): an empty answers document is more often a
    /// client's bug than a student's choice, and it would use up an attempt.
    pub fn ensure_answered(&self, allow_empty: bool) -> Result<()> {
        if allow_empty || self.answered() > 0 {
            Ok(())
        } else {
            Err(Error::NoAnswers)
        }
    }
}

/// `round_half_up(100 × earned / total)` in integers; 0 when `total` is 0, 100 when
/// `earned >= total`.
pub fn percent(earned: u32, total: u32) -> u32 {
    if total == 0 {
        return 0;
    }
    let (earned, total) = (u64::from(earned.min(total)), u64::from(total));
    let rounded = (200 * earned + total) / (2 * total);
    u32::try_from(rounded).unwrap_or(100)
}

/// The summary of per-question feedback: sums, pending essays, and — when none is
/// pending — the score and whether it passes `minimum_passing_score`.
pub fn summarize(questions: &[QuestionFeedback], minimum_passing_score: u32) -> FeedbackSummary {
    let total: u64 = questions.iter().map(|q| u64::from(q.max_points)).sum();
    let earned: u64 = questions
        .iter()
        .map(|q| u64::from(q.points_earned.min(q.max_points)))
        .sum();
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    let earned = u32::try_from(earned).unwrap_or(u32::MAX).min(total);
    let pending = questions
        .iter()
        .filter(|q| q.outcome == Outcome::PendingReview)
        .count();
    let pending = u32::try_from(pending).unwrap_or(u32::MAX);
    let score = (pending == 0).then(|| percent(earned, total));
    FeedbackSummary {
        points_earned: earned,
        total_points: total,
        score,
        passed: score.map(|s| s >= minimum_passing_score),
        minimum_passing_score,
        pending_review: pending,
    }
}

/// Scores `answers` against `questions` (see the [module docs](self) for the rules).
///
/// Errors: [`Error::NoQuestions`], [`Error::UnknownQuestion`],
/// [`Error::AnswerKindMismatch`], [`Error::UnknownOption`], [`Error::TooManySelected`].
pub fn score(questions: &QuestionSet, answers: &Answers, policy: &ScoringPolicy) -> Result<Scored> {
    if questions.0.is_empty() {
        return Err(Error::NoQuestions);
    }
    if policy.minimum_passing_score > 100 {
        return Err(Error::InvalidPassingScore {
            value: policy.minimum_passing_score.into(),
        });
    }
    for (id, answer) in &answers.0 {
        match questions.get(id) {
            None => {
                return Err(Error::UnknownQuestion {
                    question_id: id.clone(),
                })
            }
            Some(q) if q.kind() != answer.kind() => {
                return Err(Error::AnswerKindMismatch {
                    question_id: id.clone(),
                    expected: q.kind(),
                    found: answer.kind(),
                })
            }
            Some(_) => {}
        }
    }
    let mut seen = BTreeSet::new();
    let mut entries = Vec::with_capacity(questions.0.len());
    for question in &questions.0 {
        // With duplicate ids (an unvalidated set), only the first question is scored.
        if !seen.insert(question.id()) {
            continue;
        }
        entries.push(score_question(question, answers.0.get(question.id()))?);
    }
    Ok(Scored::from_feedback(Feedback {
        questions: entries,
        summary: summarize(&[], policy.minimum_passing_score),
    }))
}

/// Points for `credit` millionths of `points`, rounded half up, at most `points`.
fn points_for(credit: u64, points: u32) -> u32 {
    let credit = credit.min(FULL);
    let earned = (credit * u64::from(points) + FULL / 2) / FULL;
    u32::try_from(earned).unwrap_or(points).min(points)
}

/// A fraction in millionths (`-1..=1` maps to `-1_000_000..=1_000_000`).
fn millionths(fraction: f64) -> i64 {
    // `as` saturates and maps NaN to 0: no panic on unvalidated input.
    (fraction.clamp(-1.0, 1.0) * FULL as f64).round() as i64
}

fn score_question(question: &Question, answer: Option<&Answer>) -> Result<QuestionFeedback> {
    let max = question.points();
    let credit: Option<u64> = match (question, answer) {
        (_, None) => None,
        (Question::MultipleChoice(q), Some(Answer::MultipleChoice(a))) => {
            choice_credit(q, &a.selected)?
        }
        (Question::TrueFalse(q), Some(Answer::TrueFalse(a))) => {
            Some(if a.value == q.correct { FULL } else { 0 })
        }
        (Question::ShortAnswer(q), Some(Answer::ShortAnswer(a))) => short_answer_credit(q, &a.text),
        (Question::Essay(_), Some(Answer::Essay(a))) => {
            let outcome = if a.text.trim().is_empty() {
                Outcome::Unanswered
            } else {
                Outcome::PendingReview
            };
            return Ok(entry(question, outcome, 0));
        }
        (q, Some(a)) => {
            return Err(Error::AnswerKindMismatch {
                question_id: q.id().to_owned(),
                expected: q.kind(),
                found: a.kind(),
            })
        }
    };
    Ok(match credit {
        None => entry(question, Outcome::Unanswered, 0),
        Some(credit) => {
            let earned = points_for(credit, max);
            entry(question, outcome_of(earned, max), earned)
        }
    })
}

fn outcome_of(earned: u32, max: u32) -> Outcome {
    if earned >= max {
        Outcome::Correct
    } else if earned == 0 {
        Outcome::Incorrect
    } else {
        Outcome::Partial
    }
}

fn entry(question: &Question, outcome: Outcome, points_earned: u32) -> QuestionFeedback {
    let message = match outcome {
        Outcome::Correct => "correct",
        Outcome::Partial => "partially correct",
        Outcome::Incorrect => "incorrect",
        Outcome::Unanswered => "not answered",
        Outcome::PendingReview => "awaiting review by an instructor",
    };
    QuestionFeedback {
        question_id: question.id().to_owned(),
        kind: question.kind(),
        outcome,
        points_earned,
        max_points: question.points(),
        message: Some(message.to_owned()),
        explanation: question.explanation().map(str::to_owned),
        grader_comment: None,
    }
}

/// Credit of a multiple-choice answer; `None` when nothing is selected.
fn choice_credit(q: &MultipleChoiceQuestion, selected: &[String]) -> Result<Option<u64>> {
    let mut chosen = BTreeSet::new();
    for id in selected {
        if !q.options.iter().any(|o| &o.id == id) {
            return Err(Error::UnknownOption {
                question_id: q.id.clone(),
                option_id: id.clone(),
            });
        }
        chosen.insert(id.as_str());
    }
    if chosen.is_empty() {
        return Ok(None);
    }
    if !q.multiple {
        if chosen.len() > 1 {
            return Err(Error::TooManySelected {
                question_id: q.id.clone(),
                selected: chosen.len(),
            });
        }
        let right = q
            .options
            .iter()
            .any(|o| chosen.contains(o.id.as_str()) && millionths(o.fraction) >= FULL as i64);
        return Ok(Some(if right { FULL } else { 0 }));
    }
    let mut sum: i64 = 0;
    let mut counted = BTreeSet::new();
    for o in &q.options {
        // Options with a duplicate id (an unvalidated question) count once.
        if chosen.contains(o.id.as_str()) && counted.insert(o.id.as_str()) {
            sum = sum.saturating_add(millionths(o.fraction));
        }
    }
    Ok(Some(u64::try_from(sum.clamp(0, FULL as i64)).unwrap_or(0)))
}

/// Trimmed, NFC-normalized and, unless `case_sensitive`, lowercased.
fn normalize(text: &str, case_sensitive: bool) -> String {
    let nfc: String = text.trim().nfc().collect();
    if case_sensitive {
        nfc
    } else {
        nfc.to_lowercase().nfc().collect()
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters and every
/// other character matches itself.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = match parts.as_slice() {
        [only] => return *only == text,
        [first, .., last] => (*first, *last),
        [] => return text.is_empty(),
    };
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// Credit of a short answer; `None` when the text is blank.
fn short_answer_credit(q: &ShortAnswerQuestion, text: &str) -> Option<u64> {
    let given = normalize(text, q.case_sensitive);
    if given.is_empty() {
        return None;
    }
    let credit = q
        .accepted
        .iter()
        .find(|a| wildcard_match(&normalize(&a.text, q.case_sensitive), &given))
        .map_or(0, |a| millionths(a.fraction).clamp(0, FULL as i64));
    Some(u64::try_from(credit).unwrap_or(0))
}

/// Records an instructor's grade for essay `question_id`: `points` in `0..=max`, an
/// optional comment (at most [`MAX_TEXT_CHARS`] characters). Re-grading replaces the
/// previous grade. Returns the updated result: once no essay is pending, `score` and
/// `passed` are final.
///
/// Errors: [`Error::UnknownQuestion`], [`Error::NotGradable`] (not an essay, or an
/// unanswered one), [`Error::PointsOutOfRange`], [`Error::InvalidDocument`] (comment
/// too long).
pub fn grade_essay(
    scored: &Scored,
    question_id: &str,
    points: u32,
    comment: Option<&str>,
) -> Result<Scored> {
    let mut feedback = scored.feedback.clone();
    let Some((index, entry)) = feedback
        .questions
        .iter_mut()
        .enumerate()
        .find(|(_, q)| q.question_id == question_id)
    else {
        return Err(Error::UnknownQuestion {
            question_id: question_id.to_owned(),
        });
    };
    if entry.kind != QuestionKind::Essay || entry.outcome == Outcome::Unanswered {
        return Err(Error::NotGradable {
            question_id: question_id.to_owned(),
        });
    }
    if points > entry.max_points {
        return Err(Error::PointsOutOfRange {
            question_id: question_id.to_owned(),
            points,
            max: entry.max_points,
        });
    }
    if comment.is_some_and(|c| c.chars().count() > MAX_TEXT_CHARS) {
        return Err(InvalidDocument::new(
            Feedback::NAME,
            &format!("/questions/{index}/grader_comment"),
            format!("longer than {MAX_TEXT_CHARS} characters"),
        )
        .into());
    }
    entry.points_earned = points;
    entry.outcome = outcome_of(points, entry.max_points);
    entry.message = Some("graded by an instructor".to_owned());
    entry.grader_comment = comment.map(str::to_owned);
    Ok(Scored::from_feedback(feedback))
}

#[cfg(test)]
mod tests;

//! Scoring of an attempt: [`score`] the answers against the questions, then
//! [`grade_essay`] each essay (or [`grade_question`] to override any question), and
//! [`regrade`] a finished attempt against edited questions.
//!
//! # Rules
//!
//! - **Points are exact.** A question earns `credit × points`, where `credit` is in
//!   `0..=1` and counted in millionths, so what it earns is an exact number of
//!   millionths of a point ([`Points`]): half of a 1-point question is `0.5`, a third
//!   `0.333333`. Like Moodle, a credit within a millionth of 1 is full credit and one
//!   within a millionth of 0 is none (three options at `0.3333333` make a right
//!   answer). A question never earns below 0 nor above its points.
//! - **Percentage** = `100 × points_earned / total_points`, exact.
//! - **Passed** = exact percentage `>= minimum_passing_score` (69.5 % fails a 70 % bar).
//! - **The integer columns** are the exact values **rounded down**: `points_earned =
//!   floor(points)`, `score = floor(percentage)` ([`percent`]). Rounding down never
//!   contradicts `passed`: since the passing score is an integer, `score >=
//!   minimum_passing_score` exactly when the exact percentage is.
//! - Multiple choice, single (Moodle's semantics): the chosen option's fraction, so
//!   options may carry partial or negative credit; below 0 earns 0. Multi-select: the
//!   sum of the selected options' fractions (wrong ones are negative), clamped to
//!   `0..=1`.
//! - True/false: all or nothing.
//! - Short answer: the student's text is trimmed, NFC-normalized and compared
//!   case-insensitively unless the question is `case_sensitive`, with each accepted
//!   answer in order (NFC-normalized, not trimmed); in an accepted answer `*` matches
//!   any run of characters, `\*` a literal star and `\\` a backslash (Moodle's
//!   escapes); the first match gives its fraction.
//! - Essays are never auto-scored: an answered essay is `pending_review` and, while any
//!   is pending, `score` and `passed` are `None` (points are provisional). Once every
//!   essay is graded with [`grade_essay`], they are final.
//! - An unanswered question (no entry, no option selected, blank text) scores 0.
//! - An answer to an unknown question, of the wrong kind, selecting an unknown option,
//!   or selecting several options of a single-choice question is an error.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::documents::limits::MAX_TEXT_CHARS;
pub use crate::documents::Points;
use crate::documents::{
    Answer, Answers, Document, Feedback, FeedbackSummary, InvalidDocument, MultipleChoiceQuestion,
    Outcome, Question, QuestionFeedback, QuestionKind, QuestionSet, ShortAnswerQuestion, MICROS,
};
use crate::{Error, Result};

/// Full credit, in millionths.
const FULL: u64 = MICROS;

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
/// [`Feedback`] document. `score`, `percentage` and `passed` are `None` while essays
/// await review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// Points earned, exact (provisional while essays are pending); the integer
    /// `points_earned` column is [`Points::floor`] of it.
    pub points_earned: Points,
    /// Points available.
    pub total_points: u32,
    /// The exact percentage `100 × points_earned / total_points` (as a float, for
    /// display), final once no essay is pending.
    #[serde(default)]
    pub percentage: Option<f64>,
    /// Score 0–100, the percentage rounded down, final once no essay is pending.
    pub score: Option<u32>,
    /// Whether the exact percentage reaches the passing score, final once no essay is
    /// pending.
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
            percentage: s.score.map(|_| percentage(s.points_earned, s.total_points)),
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

/// `floor(100 × earned / total)`, exact: the integer `score` column. 0 when `total` is
/// 0, 100 when `earned >= total`. E.g. 2 of 3 points → 66, 0.695 of 1 → 69.
pub fn percent(earned: Points, total: u32) -> u32 {
    if total == 0 {
        return 0;
    }
    let total = u128::from(Points::whole(total).micros());
    let earned = u128::from(earned.micros()).min(total);
    u32::try_from(100 * earned / total).unwrap_or(100)
}

/// The exact percentage `100 × earned / total` as a float (0 when `total` is 0).
pub fn percentage(earned: Points, total: u32) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let earned = earned.min(Points::whole(total));
    100.0 * earned.micros() as f64 / Points::whole(total).micros() as f64
}

/// Whether `earned` of `total` points reaches `minimum` percent, compared exactly:
/// `100 × earned >= minimum × total`.
pub fn reaches(earned: Points, total: u32, minimum: u32) -> bool {
    let earned = u128::from(earned.micros()).min(u128::from(Points::whole(total).micros()));
    100 * earned >= u128::from(minimum) * u128::from(Points::whole(total).micros())
}

/// The summary of per-question feedback: sums, pending essays, and — when none is
/// pending — the score and whether it passes `minimum_passing_score`.
pub fn summarize(questions: &[QuestionFeedback], minimum_passing_score: u32) -> FeedbackSummary {
    let total: u64 = questions.iter().map(|q| u64::from(q.max_points)).sum();
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    let earned = questions
        .iter()
        .map(|q| q.points_earned.min(Points::whole(q.max_points)))
        .fold(Points::ZERO, Points::saturating_add)
        .min(Points::whole(total));
    let pending = questions
        .iter()
        .filter(|q| q.outcome == Outcome::PendingReview)
        .count();
    let pending = u32::try_from(pending).unwrap_or(u32::MAX);
    let final_ = pending == 0;
    FeedbackSummary {
        points_earned: earned,
        total_points: total,
        score: final_.then(|| percent(earned, total)),
        passed: final_.then(|| reaches(earned, total, minimum_passing_score)),
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
    // the questions by id, each id's first question first: one sort instead of a scan
    // per answer (with duplicate ids, an unvalidated set, only the first is scored)
    let mut by_id: Vec<(&str, usize)> = questions
        .0
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id(), i))
        .collect();
    by_id.sort_unstable();
    let first = |id: &str| {
        let at = by_id.partition_point(|(q, _)| *q < id);
        by_id.get(at).filter(|(q, _)| *q == id).map(|(_, i)| *i)
    };
    for (id, answer) in &answers.0 {
        match first(id).map(|i| &questions.0[i]) {
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
    let mut entries = Vec::with_capacity(questions.0.len());
    for (i, question) in questions.0.iter().enumerate() {
        if first(question.id()) != Some(i) {
            continue;
        }
        entries.push(score_question(question, answers.0.get(question.id()))?);
    }
    Ok(Scored::from_feedback(Feedback {
        questions: entries,
        summary: summarize(&[], policy.minimum_passing_score),
    }))
}

/// Re-scores a finished attempt's `answers` against (edited) `questions`, keeping what
/// an instructor set on the attempt before (`previous`: its feedback): an essay's grade
/// or an overridden question's points stay, capped at the question's points now, as
/// long as the question still exists with the same kind. An answer that no longer fits
/// ([`fitting_answers`]) is not counted. Unchanged questions and answers give back the
/// same result (property-tested).
///
/// Errors: [`Error::NoQuestions`], [`Error::InvalidPassingScore`].
pub fn regrade(
    questions: &QuestionSet,
    answers: &Answers,
    previous: &Feedback,
    policy: &ScoringPolicy,
) -> Result<Scored> {
    let mut scored = score(questions, &fitting_answers(questions, answers), policy)?;
    for entry in &mut scored.feedback.questions {
        // graded essays stored before the `manual` mark are manual all the same
        let set_by_hand = |p: &&QuestionFeedback| {
            p.manual
                || (p.kind == QuestionKind::Essay
                    && !matches!(p.outcome, Outcome::PendingReview | Outcome::Unanswered))
        };
        let Some(kept) = previous
            .questions
            .iter()
            .filter(set_by_hand)
            .find(|p| p.question_id == entry.question_id && p.kind == entry.kind)
        else {
            continue;
        };
        let points = kept.points_earned.min(Points::whole(entry.max_points));
        entry.points_earned = points;
        entry.outcome = outcome_of(points, entry.max_points);
        entry.message = kept.message.clone();
        entry.grader_comment = kept.grader_comment.clone();
        entry.manual = true;
    }
    Ok(Scored::from_feedback(scored.feedback))
}

/// The answers that still fit `questions` (after an edit): those to a question that is
/// gone or of another kind now are left out, and of a choice, the options that are gone
/// (a single-choice answer left with several options is left out).
pub fn fitting_answers(questions: &QuestionSet, answers: &Answers) -> Answers {
    let mut kept = answers.clone();
    kept.0
        .retain(|id, answer| match (questions.get(id), answer) {
            (Some(Question::MultipleChoice(q)), Answer::MultipleChoice(a)) => {
                a.selected
                    .retain(|o| q.options.iter().any(|option| &option.id == o));
                q.multiple || a.selected.len() <= 1
            }
            (Some(q), a) => q.kind() == a.kind(),
            (None, _) => false,
        });
    kept
}

/// A fraction as a credit in millionths, `0..=FULL`: clamped to `0..=1`, and within a
/// millionth of 1 (or of 0) taken as full (or no) credit, as Moodle's
/// `question_state::graded_state_for_fraction` does.
fn credit_of(fraction: f64) -> u64 {
    if fraction.is_nan() || fraction < 0.000_001 {
        return 0;
    }
    if fraction > 0.999_999 {
        return FULL;
    }
    // `as` saturates: no panic on unvalidated input.
    ((fraction * FULL as f64).round() as u64).min(FULL)
}

fn score_question(question: &Question, answer: Option<&Answer>) -> Result<QuestionFeedback> {
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
            return Ok(entry(question, outcome, Points::ZERO));
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
        None => entry(question, Outcome::Unanswered, Points::ZERO),
        Some(credit) => {
            // exact: millionths of credit × whole points = millionths of a point
            let earned = Points::from_micros(credit.min(FULL) * u64::from(question.points()));
            entry(question, outcome_of(earned, question.points()), earned)
        }
    })
}

fn outcome_of(earned: Points, max: u32) -> Outcome {
    if earned >= Points::whole(max) {
        Outcome::Correct
    } else if earned == Points::ZERO {
        Outcome::Incorrect
    } else {
        Outcome::Partial
    }
}

fn entry(question: &Question, outcome: Outcome, points_earned: Points) -> QuestionFeedback {
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
        manual: false,
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
    if !q.multiple && chosen.len() > 1 {
        return Err(Error::TooManySelected {
            question_id: q.id.clone(),
            selected: chosen.len(),
        });
    }
    let mut sum = 0.0;
    let mut counted = BTreeSet::new();
    for o in &q.options {
        // Options with a duplicate id (an unvalidated question) count once.
        if chosen.contains(o.id.as_str()) && counted.insert(o.id.as_str()) {
            sum += o.fraction.clamp(-1.0, 1.0);
        }
    }
    Ok(Some(credit_of(sum)))
}

/// NFC-normalized and, unless `case_sensitive`, lowercased. Text already in that form
/// (ASCII, most text) is returned as it is, without a copy.
fn fold(text: &str, case_sensitive: bool) -> Cow<'_, str> {
    if text.is_ascii() {
        // ASCII is NFC, and so is its lowercase
        return if case_sensitive || !text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(text.to_ascii_lowercase())
        };
    }
    let text = nfc(Cow::Borrowed(text));
    if case_sensitive {
        text
    } else {
        nfc(Cow::Owned(text.to_lowercase()))
    }
}

/// `text` in NFC, copied only when it is not (surely) in NFC already.
fn nfc(text: Cow<'_, str>) -> Cow<'_, str> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters, `\*` a
/// literal star, `\\` a backslash, and every other character itself.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    // the literal runs between unescaped stars
    let mut parts: Vec<String> = Vec::new();
    let mut run = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped @ ('*' | '\\')) => run.push(escaped),
                Some(other) => {
                    run.push('\\');
                    run.push(other);
                }
                None => run.push('\\'),
            },
            '*' => parts.push(std::mem::take(&mut run)),
            c => run.push(c),
        }
    }
    parts.push(run);
    let (first, last) = match parts.as_slice() {
        [only] => return *only == text,
        [first, .., last] => (first.as_str(), last.as_str()),
        [] => return text.is_empty(),
    };
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle.as_str()) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// Credit of a short answer; `None` when the text is blank.
fn short_answer_credit(q: &ShortAnswerQuestion, text: &str) -> Option<u64> {
    let given = fold(text.trim(), q.case_sensitive);
    if given.is_empty() {
        return None;
    }
    let credit = q
        .accepted
        .iter()
        .find(|a| wildcard_match(&fold(&a.text, q.case_sensitive), &given))
        .map_or(0, |a| credit_of(a.fraction));
    Some(credit)
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
    let entry = scored
        .feedback
        .questions
        .iter()
        .find(|q| q.question_id == question_id)
        .ok_or_else(|| Error::UnknownQuestion {
            question_id: question_id.to_owned(),
        })?;
    if entry.kind != QuestionKind::Essay || entry.outcome == Outcome::Unanswered {
        return Err(Error::NotGradable {
            question_id: question_id.to_owned(),
        });
    }
    grade_question(scored, question_id, Points::whole(points), comment)
}

/// Overrides the points of any question of a scored attempt (an instructor's manual
/// grade, as Moodle's "make comment or override mark"): `points` in `0..=max`, exact to
/// the millionth, an optional comment. The entry is marked `manual`, so a
/// [`regrade`] keeps it. An essay graded this way is no longer pending.
///
/// Errors: [`Error::UnknownQuestion`], [`Error::PointsOutOfRange`],
/// [`Error::InvalidDocument`] (comment too long).
pub fn grade_question(
    scored: &Scored,
    question_id: &str,
    points: Points,
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
    if points > Points::whole(entry.max_points) {
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
    entry.manual = true;
    Ok(Scored::from_feedback(feedback))
}

#[cfg(test)]
mod tests;

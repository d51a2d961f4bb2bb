//! `assessment_attempts.feedback`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits::{MAX_ID_CHARS, MAX_POINTS, MAX_QUESTIONS, MAX_TEXT_CHARS};
use super::{check_unique, pointer, Document, Points, Problems, QuestionKind};

/// The outcome of one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Full points.
    Correct,
    /// Some but not all points.
    Partial,
    /// No points for a given answer.
    Incorrect,
    /// No answer given: no points.
    Unanswered,
    /// An essay waiting for an instructor's grade.
    PendingReview,
}

/// Feedback on one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionFeedback {
    /// The question's id.
    #[schemars(length(min = 1, max = MAX_ID_CHARS))]
    pub question_id: String,
    /// The kind of question.
    pub kind: QuestionKind,
    /// The outcome.
    pub outcome: Outcome,
    /// Points earned, exact (`credit × max_points`, e.g. `0.5`), at most `max_points`;
    /// 0 while pending review.
    pub points_earned: Points,
    /// Points available.
    #[schemars(range(min = 1, max = MAX_POINTS))]
    pub max_points: u32,
    /// A short message for the student (e.g. "1 of 2 right options selected").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub message: Option<String>,
    /// The question's explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub explanation: Option<String>,
    /// The grader's comment (on an essay, or on an overridden question).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_TEXT_CHARS))]
    pub grader_comment: Option<String>,
    /// Whether an instructor set these points (an essay's grade, an override): a regrade
    /// keeps them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manual: bool,
}

/// The overall result of an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackSummary {
    /// Sum of the points earned, exact (provisional while essays are pending).
    pub points_earned: Points,
    /// Sum of the points available.
    pub total_points: u32,
    /// Score 0–100: the exact percentage `100 × points_earned / total_points` rounded
    /// down (see [`crate::scoring::percent`]); absent while essays are pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 100))]
    pub score: Option<u32>,
    /// Whether the exact percentage reaches `minimum_passing_score` (so, equally,
    /// whether `score >= minimum_passing_score`); absent while essays are pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    /// The passing score applied, 0–100.
    #[schemars(range(max = 100))]
    pub minimum_passing_score: u32,
    /// Number of essays waiting for a grade.
    pub pending_review: u32,
}

/// `assessment_attempts.feedback`: one entry per question, in the assessment's order,
/// and the summary, which must agree with the entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// Feedback per question.
    #[schemars(length(max = MAX_QUESTIONS))]
    pub questions: Vec<QuestionFeedback>,
    /// The overall result.
    pub summary: FeedbackSummary,
}

impl Feedback {
    /// Whether the result is final: no essay is pending review.
    pub fn is_final(&self) -> bool {
        self.summary.pending_review == 0
    }
}

impl Document for Feedback {
    const NAME: &'static str = "feedback";

    fn check(&mut self, problems: &mut Problems) {
        for (i, q) in self.questions.iter().enumerate() {
            let base = pointer("/questions", &i.to_string());
            let max = Points::whole(q.max_points);
            if q.points_earned > max {
                problems.push(&pointer(&base, "points_earned"), "more than max_points");
            }
            if q.outcome == Outcome::PendingReview && q.kind != QuestionKind::Essay {
                problems.push(&pointer(&base, "outcome"), "only essays are reviewed");
            }
            let consistent = match q.outcome {
                Outcome::Correct => q.points_earned == max,
                Outcome::Partial => q.points_earned > Points::ZERO && q.points_earned < max,
                Outcome::Incorrect | Outcome::Unanswered | Outcome::PendingReview => {
                    q.points_earned == Points::ZERO
                }
            };
            if !consistent {
                problems.push(
                    &pointer(&base, "outcome"),
                    "does not agree with points_earned",
                );
            }
        }
        check_unique(
            self.questions.iter().enumerate().map(|(i, q)| {
                (q.question_id.as_str(), move || {
                    pointer(&pointer("/questions", &i.to_string()), "question_id")
                })
            }),
            "question id",
            problems,
        );
        if problems.is_empty() {
            let expected =
                crate::scoring::summarize(&self.questions, self.summary.minimum_passing_score);
            if expected != self.summary {
                problems.push("/summary", "does not agree with the per-question feedback");
            }
        }
    }
}

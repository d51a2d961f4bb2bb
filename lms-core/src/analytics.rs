//! Learning analytics, the statistics: classical test theory for an assessment's items
//! ([`item_statistics`]), the drop-off of a completion funnel ([`drop_off`]) and the
//! reasons a student is at risk ([`at_risk`]). The counting happens in SQL (`lms-db`'s
//! analytics), over indexes; what is here is pure and takes plain values.
//!
//! Definitions (`n` values `x₁ … xₙ`):
//! * mean `x̄ = Σxᵢ / n`; sample variance `s² = Σ(xᵢ − x̄)² / (n − 1)`; standard
//!   deviation `s` ([`mean`], [`variance`], [`std_dev`]).
//! * Pearson's correlation `r = Σ(xᵢ − x̄)(yᵢ − ȳ) / √(Σ(xᵢ − x̄)² · Σ(yᵢ − ȳ)²)`
//!   ([`pearson`]); undefined (`None`) when either side has no variance.
//! * An item's **facility** is its mean credit: points earned ÷ points available, over the
//!   attempts that hold the item (0 = nobody right, 1 = everybody).
//! * Its **discrimination** is the corrected item–total correlation: Pearson's `r`
//!   between the item's points and the points of the *rest* of the test (the total
//!   without the item), over the complete attempts.
//! * **Cronbach's alpha** of `k` items: `α = k / (k − 1) · (1 − Σ s²ᵢ / s²ₜ)`, `s²ᵢ` the
//!   sample variance of item `i`'s points, `s²ₜ` that of the total, over the complete
//!   attempts ([`cronbach_alpha`]).
//! * A **complete** attempt holds every analysed item (an attempt answers the questions
//!   frozen when it started, which may be older than the assessment's current ones).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{AssessmentId, UserId};
use crate::{Error, Result};

/// The arithmetic mean; `None` for no values.
pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The sample variance (`n − 1` in the denominator); `None` for fewer than two values.
pub fn variance(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let m = mean(xs)?;
    Some(xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64)
}

/// The sample standard deviation, `√variance`.
pub fn std_dev(xs: &[f64]) -> Option<f64> {
    variance(xs).map(f64::sqrt)
}

/// The median (the mean of the two middle values of an even count); `None` for no
/// values. NaNs sort last.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 0 {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// Pearson's correlation of two equally long series; `None` when the lengths differ,
/// there are fewer than two pairs, or either series is constant.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() != ys.len() || xs.len() < 2 {
        return None;
    }
    let (mx, my) = (mean(xs)?, mean(ys)?);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Cronbach's alpha of a response matrix: one row per respondent, one column per item,
/// every row as long. `None` for fewer than two items or respondents, rows of unequal
/// length, or a constant total.
pub fn cronbach_alpha(rows: &[Vec<f64>]) -> Option<f64> {
    let k = rows.first()?.len();
    if k < 2 || rows.len() < 2 || rows.iter().any(|r| r.len() != k) {
        return None;
    }
    let column = |i: usize| rows.iter().map(|r| r[i]).collect::<Vec<_>>();
    let items: f64 = (0..k).map(|i| variance(&column(i))).sum::<Option<f64>>()?;
    let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
    let total = variance(&totals)?;
    if total <= 0.0 {
        return None;
    }
    let k = k as f64;
    Some(k / (k - 1.0) * (1.0 - items / total))
}

/// One bar of a score histogram: the scores in `from..to` (`from..=to` for the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramBin {
    /// Lowest score of the bar.
    pub from: u32,
    /// Highest score of the bar, excluded but for the last bar (100).
    pub to: u32,
    /// Scores in the bar.
    pub count: u64,
}

/// Scores 0–100 in ten bars of ten points: `0..10`, …, `80..90`, `90..=100`. Scores
/// above 100 count in the last bar.
pub fn histogram(scores: &[u32]) -> Vec<HistogramBin> {
    let mut bins: Vec<HistogramBin> = (0..10)
        .map(|i| HistogramBin {
            from: i * 10,
            to: i * 10 + 10,
            count: 0,
        })
        .collect();
    for &s in scores {
        bins[(s / 10).min(9) as usize].count += 1;
    }
    bins
}

/// One item (question) of an analysed assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The question's id.
    pub question_id: String,
    /// Points available.
    pub max_points: u32,
}

/// One graded attempt, as item analysis reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResponses {
    /// The attempt's score, 0–100.
    pub score: Option<u32>,
    /// Whether it passed.
    pub passed: Option<bool>,
    /// Points earned on each item, in the items' order; `None` where the attempt does
    /// not hold the item.
    pub points: Vec<Option<f64>>,
}

/// The classical statistics of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStatistics {
    /// The question's id.
    pub question_id: String,
    /// Points available.
    pub max_points: u32,
    /// Attempts that hold the item.
    pub attempts: u64,
    /// Mean credit (points ÷ `max_points`), `0..=1`; `None` without attempts.
    pub facility: Option<f64>,
    /// Mean points earned.
    pub mean_points: Option<f64>,
    /// Corrected item–total correlation over the complete attempts; `None` when the
    /// item or the rest of the test does not vary (or fewer than two attempts).
    pub discrimination: Option<f64>,
}

/// The statistics of a whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestStatistics {
    /// Graded attempts analysed.
    pub attempts: u64,
    /// Attempts that hold every item (those behind discrimination and alpha).
    pub complete_attempts: u64,
    /// Mean score, 0–100.
    pub mean_score: Option<f64>,
    /// Sample standard deviation of the scores.
    pub std_dev_score: Option<f64>,
    /// Cronbach's alpha over the complete attempts.
    pub cronbach_alpha: Option<f64>,
    /// Share of the attempts that passed, `0..=1`.
    pub pass_rate: Option<f64>,
    /// The scores in ten bars ([`histogram`]).
    pub histogram: Vec<HistogramBin>,
}

/// Item analysis: each item's attempts, facility, mean points and discrimination, and
/// the test's mean, standard deviation, alpha, pass rate and histogram. An attempt whose
/// `points` are not as long as `items` is refused.
pub fn item_statistics(
    items: &[Item],
    attempts: &[ItemResponses],
) -> Result<(Vec<ItemStatistics>, TestStatistics)> {
    if let Some(i) = attempts.iter().position(|a| a.points.len() != items.len()) {
        return Err(Error::InvalidInput {
            field: "attempts",
            reason: format!(
                "attempt {i} has {} points for {} items",
                attempts[i].points.len(),
                items.len()
            ),
        });
    }
    if let Some(bad) = attempts
        .iter()
        .flat_map(|a| a.points.iter().flatten())
        .find(|p| !p.is_finite() || **p < 0.0)
    {
        return Err(Error::InvalidInput {
            field: "attempts",
            reason: format!("points must be finite and not negative, not {bad}"),
        });
    }
    let complete: Vec<&[Option<f64>]> = attempts
        .iter()
        .map(|a| a.points.as_slice())
        .filter(|p| p.iter().all(Option::is_some))
        .collect();
    let matrix: Vec<Vec<f64>> = complete
        .iter()
        .map(|p| p.iter().map(|x| x.unwrap_or(0.0)).collect())
        .collect();
    let totals: Vec<f64> = matrix.iter().map(|r| r.iter().sum()).collect();
    let stats = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let held: Vec<f64> = attempts.iter().filter_map(|a| a.points[i]).collect();
            let mean_points = mean(&held);
            let column: Vec<f64> = matrix.iter().map(|r| r[i]).collect();
            let rest: Vec<f64> = totals.iter().zip(&column).map(|(t, x)| t - x).collect();
            ItemStatistics {
                question_id: item.question_id.clone(),
                max_points: item.max_points,
                attempts: held.len() as u64,
                facility: mean_points
                    .filter(|_| item.max_points > 0)
                    .map(|m| m / f64::from(item.max_points)),
                mean_points,
                discrimination: pearson(&column, &rest),
            }
        })
        .collect();
    let scores: Vec<u32> = attempts.iter().filter_map(|a| a.score).collect();
    let as_f64: Vec<f64> = scores.iter().map(|&s| f64::from(s)).collect();
    let decided: Vec<bool> = attempts.iter().filter_map(|a| a.passed).collect();
    let test = TestStatistics {
        attempts: attempts.len() as u64,
        complete_attempts: matrix.len() as u64,
        mean_score: mean(&as_f64),
        std_dev_score: std_dev(&as_f64),
        cronbach_alpha: cronbach_alpha(&matrix),
        pass_rate: (!decided.is_empty())
            .then(|| decided.iter().filter(|p| **p).count() as f64 / decided.len() as f64),
        histogram: histogram(&scores),
    };
    Ok((stats, test))
}

/// The drop-off of a funnel step: the share of the previous step's students this step
/// lost, `1 − completed ÷ previous` (negative when more students completed this step
/// than the previous one, as happens when lessons are taken out of order); `None` when
/// the previous step has no students.
pub fn drop_off(previous: u64, completed: u64) -> Option<f64> {
    (previous > 0).then(|| 1.0 - completed as f64 / previous as f64)
}

/// When [`at_risk`] flags a student. Every threshold is checked when used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskThresholds {
    /// Inactive for at least this many days (1–3,650; default 14).
    pub inactive_days: u32,
    /// Behind when the student's pace (lessons completed a week since enrolling) is
    /// below this share of the cohort's median pace (0–1; default 0.5).
    pub pace_ratio: f64,
    /// Pace is judged only after this many days of enrolment (default 7).
    pub min_days_enrolled: u32,
    /// Repeatedly failing: at least this many failed attempts at one assessment the
    /// student has not passed (by its grading method), counted since their last passing
    /// attempt (1–1,000; default 3).
    pub failed_attempts: u32,
    /// Low mastery: a skill of the course below this estimate (0–1; default 0.4)…
    pub mastery_below: f64,
    /// …with at least this much evidence (graded answers; default 3).
    pub min_evidence: u32,
}

impl Default for RiskThresholds {
    fn default() -> Self {
        Self {
            inactive_days: 14,
            pace_ratio: 0.5,
            min_days_enrolled: 7,
            failed_attempts: 3,
            mastery_below: 0.4,
            min_evidence: 3,
        }
    }
}

impl RiskThresholds {
    /// The thresholds, or why they cannot be used.
    pub fn checked(self) -> Result<Self> {
        let invalid = |field: &'static str, reason: &str| {
            Err(Error::InvalidInput {
                field,
                reason: reason.to_owned(),
            })
        };
        if !(1..=3650).contains(&self.inactive_days) {
            return invalid("inactive_days", "must be in 1..=3650");
        }
        if !(0.0..=1.0).contains(&self.pace_ratio) {
            return invalid("pace_ratio", "must be in 0..=1");
        }
        if self.min_days_enrolled > 3650 {
            return invalid("min_days_enrolled", "must be in 0..=3650");
        }
        if !(1..=1000).contains(&self.failed_attempts) {
            return invalid("failed_attempts", "must be in 1..=1000");
        }
        if !(0.0..=1.0).contains(&self.mastery_below) {
            return invalid("mastery_below", "must be in 0..=1");
        }
        Ok(self)
    }
}

/// What [`at_risk`] knows of one enrolled student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentFacts {
    /// The student.
    pub student_id: UserId,
    /// When they enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When they completed the course (such students are never at risk).
    pub completed_at: Option<DateTime<Utc>>,
    /// Their last activity in the course (a lesson opened, content studied, an attempt
    /// submitted); `None` if none.
    pub last_active_at: Option<DateTime<Utc>>,
    /// Lessons completed.
    pub completed_lessons: u32,
    /// Per assessment not passed (by its grading method): the failed attempts since the
    /// last passing one.
    pub failing: Vec<(AssessmentId, u32)>,
    /// Their mastery of the course's skills: name, estimate, evidence.
    pub mastery: Vec<(String, f64, u32)>,
}

/// Why a student is at risk, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RiskReason {
    /// No activity for `days` days (since `last_active_at`, or since enrolling when never
    /// active).
    Inactive {
        /// Whole days without activity.
        days: i64,
        /// The last activity, if any.
        last_active_at: Option<DateTime<Utc>>,
    },
    /// Completing lessons slower than the cohort.
    BehindPace {
        /// The student's lessons completed a week.
        pace: f64,
        /// The cohort's median lessons a week.
        cohort_median: f64,
    },
    /// Failing one assessment again and again.
    RepeatedlyFailing {
        /// The assessment.
        assessment_id: AssessmentId,
        /// Failed attempts since the last passing one.
        failed_attempts: u32,
    },
    /// A skill of the course not mastered.
    LowMastery {
        /// The skill.
        skill: String,
        /// The estimate, `0..=1`.
        mastery: f64,
        /// Graded answers behind it.
        evidence: u32,
    },
}

/// A student at risk and every reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtRisk {
    /// The student.
    pub student_id: UserId,
    /// The student's lessons completed a week since enrolling.
    pub pace: f64,
    /// The reasons, in the order of [`RiskReason`]'s variants.
    pub reasons: Vec<RiskReason>,
}

/// Lessons completed a week since enrolling (at least one day counted).
fn pace(facts: &StudentFacts, now: DateTime<Utc>) -> f64 {
    let days = ((now - facts.enrolled_at).num_seconds() as f64 / 86_400.0).max(1.0);
    f64::from(facts.completed_lessons) * 7.0 / days
}

/// The cohort's median pace: the median of the paces of the students enrolled at least
/// `min_days_enrolled` days, those who completed the course included. `None` when no
/// student has been enrolled that long.
pub fn cohort_pace(
    facts: &[StudentFacts],
    min_days_enrolled: u32,
    now: DateTime<Utc>,
) -> Option<f64> {
    let paces: Vec<f64> = facts
        .iter()
        .filter(|f| (now - f.enrolled_at).num_days() >= i64::from(min_days_enrolled))
        .map(|f| pace(f, now))
        .collect();
    median(&paces)
}

/// The students at risk among `facts` (a course's cohort), by `thresholds`, at `now`:
/// most reasons first, then the longest inactive, then by id. Students who completed
/// the course are never at risk.
pub fn at_risk(
    facts: &[StudentFacts],
    thresholds: &RiskThresholds,
    now: DateTime<Utc>,
) -> Result<Vec<AtRisk>> {
    let t = thresholds.clone().checked()?;
    let median_pace = cohort_pace(facts, t.min_days_enrolled, now);
    let mut found: Vec<(chrono::Duration, AtRisk)> = facts
        .iter()
        .filter(|f| f.completed_at.is_none())
        .filter_map(|f| {
            let mut reasons = Vec::new();
            let idle = now - f.last_active_at.unwrap_or(f.enrolled_at);
            if idle.num_days() >= i64::from(t.inactive_days) {
                reasons.push(RiskReason::Inactive {
                    days: idle.num_days(),
                    last_active_at: f.last_active_at,
                });
            }
            let p = pace(f, now);
            let judged = (now - f.enrolled_at).num_days() >= i64::from(t.min_days_enrolled);
            if let Some(m) = median_pace.filter(|m| judged && *m > 0.0 && p < t.pace_ratio * m) {
                reasons.push(RiskReason::BehindPace {
                    pace: p,
                    cohort_median: m,
                });
            }
            let mut failing: Vec<&(AssessmentId, u32)> = f
                .failing
                .iter()
                .filter(|(_, n)| *n >= t.failed_attempts)
                .collect();
            failing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0 .0.cmp(&b.0 .0)));
            reasons.extend(
                failing
                    .into_iter()
                    .map(
                        |&(assessment_id, failed_attempts)| RiskReason::RepeatedlyFailing {
                            assessment_id,
                            failed_attempts,
                        },
                    ),
            );
            let mut low: Vec<&(String, f64, u32)> = f
                .mastery
                .iter()
                .filter(|(_, m, e)| *m < t.mastery_below && *e >= t.min_evidence)
                .collect();
            low.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            reasons.extend(low.into_iter().map(|(skill, mastery, evidence)| {
                RiskReason::LowMastery {
                    skill: skill.clone(),
                    mastery: *mastery,
                    evidence: *evidence,
                }
            }));
            let student = AtRisk {
                student_id: f.student_id,
                pace: p,
                reasons,
            };
            (!student.reasons.is_empty()).then_some((idle, student))
        })
        .collect();
    found.sort_by(|(idle_a, a), (idle_b, b)| {
        b.reasons
            .len()
            .cmp(&a.reasons.len())
            .then(idle_b.cmp(idle_a))
            .then(a.student_id.0.cmp(&b.student_id.0))
    });
    Ok(found.into_iter().map(|(_, a)| a).collect())
}

#[cfg(test)]
mod tests;

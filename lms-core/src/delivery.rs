//! Course delivery: when an assessment may be taken ([`Schedule`]), what late work is
//! worth ([`LatePolicy`], Canvas's model), and what one student is allowed beyond the
//! rules ([`Accommodation`], Moodle's user overrides, Canvas's moderation).
//!
//! * An attempt cannot start before [`Schedule::opens_at`] nor after
//!   [`Schedule::closes_at`]; a timed attempt's deadline is the earlier of start + time
//!   limit and the close time (an untimed one's, the close time):
//!   [`crate::attempts::AttemptRules::deadline`].
//! * A submission after [`Schedule::due_at`] is late by [`late_seconds`]; the late policy
//!   deducts a percentage per late hour or day begun, never below its floor
//!   ([`LatePolicy::recorded`]); the raw result is kept beside the recorded one
//!   ([`record`]).
//! * [`accommodate`] applies a student's accommodations to an assessment's rules, the
//!   most lenient where several apply.
//!
//! Every function here is pure; the database reads the same schedule for its own checks
//! (`lms_private.attempt_schedule`, tested against [`accommodate`]).

use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::attempts::AttemptRules;
use crate::documents::{Points, Problems};
use crate::scoring::{percent, percentage, reaches, Scored};
use crate::Result;

/// A non-negative number exact to the hundredth (a percentage such as `12.5`, a factor
/// such as `1.25`), as the `numeric(…, 2)` columns hold it. In JSON it is a number; a
/// JSON number is read rounded to the nearest hundredth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hundredths(u32);

impl Hundredths {
    /// Zero.
    pub const ZERO: Hundredths = Hundredths(0);
    /// One (a factor that changes nothing).
    pub const ONE: Hundredths = Hundredths(100);
    /// A hundred (a whole percentage).
    pub const HUNDRED: Hundredths = Hundredths(10_000);

    /// `hundredths` hundredths.
    pub const fn from_hundredths(hundredths: u32) -> Self {
        Hundredths(hundredths)
    }

    /// The value in hundredths.
    pub const fn hundredths(self) -> u32 {
        self.0
    }

    /// A number rounded to the hundredth; `None` when negative, not finite or above a
    /// million.
    pub fn from_f64(value: f64) -> Option<Self> {
        if !value.is_finite() || !(0.0..=1_000_000.0).contains(&value) {
            return None;
        }
        // `as` cannot overflow: value * 100 <= 1e8
        Some(Hundredths((value * 100.0).round() as u32))
    }

    /// The value as a float.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl fmt::Display for Hundredths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole}"),
            f10 if f10 % 10 == 0 => write!(f, "{whole}.{}", f10 / 10),
            _ => write!(f, "{whole}.{frac:02}"),
        }
    }
}

impl Serialize for Hundredths {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            serializer.serialize_u32(self.0 / 100)
        } else {
            serializer.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Hundredths {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Hundredths::from_f64(value).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "must be a finite number from 0 to 1000000, not {value}"
            ))
        })
    }
}

impl JsonSchema for Hundredths {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Hundredths".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number exact to the hundredth (at most two decimal places).",
            "type": "number",
            "minimum": 0,
            "maximum": 1_000_000
        })
    }
}

/// When an assessment may be taken (the `assessments` columns of the same names); each
/// `None` when not set. With every date set: `opens_at < due_at <= closes_at`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Schedule {
    /// No attempt starts before, and students see no question.
    pub opens_at: Option<DateTime<Utc>>,
    /// No attempt starts after; an open attempt's deadline is at most this.
    pub closes_at: Option<DateTime<Utc>>,
    /// A submission after it is late ([`LatePolicy`]).
    pub due_at: Option<DateTime<Utc>>,
}

impl Schedule {
    /// Checks the order: close after open, due after open and not after close; every
    /// problem an [`crate::Error::InvalidDocument`] of `document` at the field's path.
    pub fn check(&self, document: &'static str) -> Result<()> {
        let mut problems = Problems::default();
        let before = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>, equal_ok: bool| matches!((a, b), (Some(a), Some(b)) if if equal_ok { a > b } else { a >= b });
        if before(self.opens_at, self.closes_at, false) {
            problems.push("/closes_at", "must be after opens_at");
        }
        if before(self.opens_at, self.due_at, false) {
            problems.push("/due_at", "must be after opens_at");
        }
        if before(self.due_at, self.closes_at, true) {
            problems.push("/due_at", "must not be after closes_at");
        }
        problems.into_result(document)
    }

    /// Whether the assessment has not opened yet at `now`.
    pub fn not_open_yet(&self, now: DateTime<Utc>) -> bool {
        self.opens_at.is_some_and(|o| now < o)
    }

    /// Whether the assessment has closed at `now`.
    pub fn closed(&self, now: DateTime<Utc>) -> bool {
        self.closes_at.is_some_and(|c| now > c)
    }
}

/// The unit of a [`LatePolicy`]'s deduction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LateInterval {
    /// Per late hour begun.
    Hour,
    /// Per late day (24 hours) begun. The default.
    #[default]
    Day,
}

impl LateInterval {
    /// Its length in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            LateInterval::Hour => 3_600,
            LateInterval::Day => 86_400,
        }
    }
}

/// What late work is worth (Canvas's late policy): `deduction_percent` percentage
/// points off per [`LateInterval`] begun after the due time, never taking the grade
/// below `floor_percent` (a grade already below the floor is not raised). Stored on the
/// course (every assessment's default) and on an assessment (overriding the course's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct LatePolicy {
    /// Percentage points deducted per interval begun, 0–100.
    pub deduction_percent: Hundredths,
    /// Hour or day.
    pub interval: LateInterval,
    /// The lowest grade a deduction leaves, in percent, 0–100.
    pub floor_percent: Hundredths,
    /// The grade, in percent 0–100, of work not submitted by the close time (Canvas's
    /// missing-submission policy): it enters the course grade
    /// ([`crate::grading::GradeItem::missing`]); `None`: missing work has no grade (0 only
    /// in the final grade).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_percent: Option<Hundredths>,
}

impl LatePolicy {
    /// Checks the ranges (both percentages 0–100); every problem an
    /// [`crate::Error::InvalidDocument`] of `document` under `/late_policy`.
    pub fn check(&self, document: &'static str) -> Result<()> {
        let mut problems = Problems::default();
        for (field, value) in [
            ("deduction_percent", Some(self.deduction_percent)),
            ("floor_percent", Some(self.floor_percent)),
            ("missing_percent", self.missing_percent),
        ] {
            let Some(value) = value else { continue };
            if value > Hundredths::HUNDRED {
                problems.push(
                    &format!("/late_policy/{field}"),
                    format!("must be a percentage from 0 to 100, not {value}"),
                );
            }
        }
        problems.into_result(document)
    }

    /// How many intervals begun `late_seconds` after the due time (0 when on time).
    pub fn intervals(&self, late_seconds: i64) -> i64 {
        if late_seconds <= 0 {
            0
        } else {
            (late_seconds + self.interval.seconds() - 1) / self.interval.seconds()
        }
    }

    /// The percentage points deducted, in hundredths: intervals × deduction, at most 100.
    pub fn deduction(&self, late_seconds: i64) -> u32 {
        let intervals = u64::try_from(self.intervals(late_seconds)).unwrap_or(0);
        let total = intervals.saturating_mul(u64::from(self.deduction_percent.hundredths()));
        u32::try_from(total.min(10_000)).unwrap_or(10_000)
    }

    /// The points recorded for `earned` of `total` points submitted `late_seconds` after
    /// the due time: `max(raw − deduction, min(raw, floor))` as fractions of the total,
    /// rounded down to the millionth of a point (as every grade). Unchanged when on time,
    /// without points, or without deduction.
    pub fn recorded(&self, earned: Points, total: u32, late_seconds: i64) -> Points {
        let deduction = u128::from(self.deduction(late_seconds));
        if deduction == 0 || total == 0 {
            return earned;
        }
        let total = u128::from(Points::whole(total).micros());
        let earned = u128::from(earned.micros()).min(total);
        // what the deduction takes off, rounded up: the rest is rounded down
        let off = (deduction * total).div_ceil(10_000);
        let floor = u128::from(self.floor_percent.hundredths().min(10_000)) * total / 10_000;
        let recorded = earned.saturating_sub(off).max(earned.min(floor));
        Points::from_micros(u64::try_from(recorded).unwrap_or(u64::MAX))
    }
}

/// How late a submission at `submitted_at` is: the seconds after `due_at`, `None` when on
/// time or without a due time.
pub fn late_seconds(due_at: Option<DateTime<Utc>>, submitted_at: DateTime<Utc>) -> Option<i64> {
    let due = due_at?;
    let late = (submitted_at - due).num_seconds();
    (late > 0).then_some(late)
}

/// A result as recorded: the points, score and pass that stand after the late policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Recorded {
    /// Points earned, exact.
    pub points_earned: Points,
    /// Score 0–100, the exact percentage rounded down; `None` while essays are pending.
    pub score: Option<u32>,
    /// Whether the exact percentage reaches the passing score; `None` while pending.
    pub passed: Option<bool>,
}

/// The recorded result of `earned` of `total` points (`final_`: no essay pending)
/// submitted `late_seconds` after the due time under `policy`: [`LatePolicy::recorded`]
/// points, scored and passed as every result. The raw result when on time or without a
/// policy.
pub fn recorded(
    earned: Points,
    total: u32,
    final_: bool,
    policy: Option<&LatePolicy>,
    late_seconds: Option<i64>,
    minimum_passing_score: u32,
) -> Recorded {
    let points = match (policy, late_seconds) {
        (Some(p), Some(late)) => p.recorded(earned, total, late),
        _ => earned,
    };
    Recorded {
        points_earned: points,
        score: final_.then(|| percent(points, total)),
        passed: final_.then(|| reaches(points, total, minimum_passing_score)),
    }
}

/// [`recorded`] for a scored attempt: points, score, percentage and pass recomputed
/// (the feedback, per question, stays the raw one). `scored` itself when on time or
/// without a policy.
pub fn record(
    scored: &Scored,
    policy: Option<&LatePolicy>,
    late_seconds: Option<i64>,
    minimum_passing_score: u32,
) -> Scored {
    if policy.is_none() || late_seconds.is_none() {
        return scored.clone();
    }
    let total = scored.total_points;
    let r = recorded(
        scored.points_earned,
        total,
        scored.score.is_some(),
        policy,
        late_seconds,
        minimum_passing_score,
    );
    Scored {
        points_earned: r.points_earned,
        total_points: total,
        percentage: r.score.map(|_| percentage(r.points_earned, total)),
        score: r.score,
        passed: r.passed,
        feedback: scored.feedback.clone(),
    }
}

/// The longest extra time an accommodation may give: a year, in minutes.
pub const MAX_EXTRA_MINUTES: i32 = 525_600;

/// The largest time factor: ten times the limit.
pub const MAX_TIME_FACTOR: Hundredths = Hundredths(1_000);

/// The most extra attempts an accommodation may give.
pub const MAX_EXTRA_ATTEMPTS: i32 = 1_000;

/// What one student is allowed beyond an assessment's rules (a row of `accommodations`,
/// for one assessment or every assessment of a course). A field left out of its JSON
/// changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Accommodation {
    /// Minutes added to a time limit, 0 to [`MAX_EXTRA_MINUTES`].
    pub extra_minutes: i32,
    /// A factor on the time limit, 1 to [`MAX_TIME_FACTOR`] (1.5: half as long again).
    pub time_factor: Hundredths,
    /// Attempts beyond `max_attempts`, 0 to [`MAX_EXTRA_ATTEMPTS`].
    pub extra_attempts: i32,
    /// A later close time (an earlier one changes nothing).
    pub closes_at: Option<DateTime<Utc>>,
    /// A later due time (an earlier one changes nothing).
    pub due_at: Option<DateTime<Utc>>,
}

impl Default for Accommodation {
    fn default() -> Self {
        Accommodation {
            extra_minutes: 0,
            time_factor: Hundredths::ONE,
            extra_attempts: 0,
            closes_at: None,
            due_at: None,
        }
    }
}

impl Accommodation {
    /// Checks the ranges and the order of the dates (no negative extra time, a factor
    /// from 1 to 10, due not after close); every problem an
    /// [`crate::Error::InvalidDocument`] of the `accommodation` document.
    pub fn check(&self) -> Result<()> {
        let mut problems = Problems::default();
        if !(0..=MAX_EXTRA_MINUTES).contains(&self.extra_minutes) {
            problems.push(
                "/extra_minutes",
                format!(
                    "must be from 0 to {MAX_EXTRA_MINUTES} minutes, not {}",
                    self.extra_minutes
                ),
            );
        }
        if !(Hundredths::ONE..=MAX_TIME_FACTOR).contains(&self.time_factor) {
            problems.push(
                "/time_factor",
                format!(
                    "must be from 1 to {MAX_TIME_FACTOR}, not {}",
                    self.time_factor
                ),
            );
        }
        if !(0..=MAX_EXTRA_ATTEMPTS).contains(&self.extra_attempts) {
            problems.push(
                "/extra_attempts",
                format!(
                    "must be from 0 to {MAX_EXTRA_ATTEMPTS}, not {}",
                    self.extra_attempts
                ),
            );
        }
        if let (Some(due), Some(close)) = (self.due_at, self.closes_at) {
            if due > close {
                problems.push("/due_at", "must not be after closes_at");
            }
        }
        problems.into_result("accommodation")
    }

    /// A time limit of `minutes` with this accommodation: the longer of minutes + extra
    /// and minutes × factor (rounded up to the minute).
    pub fn time_limit(&self, minutes: i32) -> i32 {
        let minutes = i64::from(minutes.max(0));
        let added = minutes + i64::from(self.extra_minutes.max(0));
        let factor = i64::from(self.time_factor.hundredths().max(100));
        let scaled = (minutes * factor + 99) / 100;
        i32::try_from(added.max(scaled)).unwrap_or(i32::MAX)
    }
}

/// An assessment's rules for one student with their accommodations, the most lenient
/// where several apply: the longest time limit any gives ([`Accommodation::time_limit`]),
/// the most extra attempts, the latest due time, and the latest close time (at least the
/// due time). Only what the assessment limits is extended: an untimed assessment stays
/// untimed, one without a close or due time stays without. Open time, policy and late
/// policy are unchanged.
pub fn accommodate(rules: &AttemptRules, accommodations: &[Accommodation]) -> AttemptRules {
    let mut out = rules.clone();
    if accommodations.is_empty() {
        return out;
    }
    out.time_limit_minutes = rules.time_limit_minutes.map(|limit| {
        accommodations
            .iter()
            .map(|a| a.time_limit(limit))
            .fold(limit, i32::max)
    });
    let extra = accommodations
        .iter()
        .map(|a| a.extra_attempts.max(0))
        .max()
        .unwrap_or(0);
    out.max_attempts = rules.max_attempts.map(|m| m.saturating_add(extra));
    let latest = |base: DateTime<Utc>, pick: fn(&Accommodation) -> Option<DateTime<Utc>>| {
        accommodations
            .iter()
            .filter_map(pick)
            .fold(base, DateTime::max)
    };
    out.schedule.due_at = rules.schedule.due_at.map(|due| latest(due, |a| a.due_at));
    out.schedule.closes_at = rules.schedule.closes_at.map(|close| {
        let close = latest(close, |a| a.closes_at);
        out.schedule.due_at.map_or(close, |due| close.max(due))
    });
    out
}

#[cfg(test)]
mod tests;

/// The questions an attempt shows (question ids), in its order, and, per choice
/// question, its options (option ids): chosen once when the attempt starts ([`arrange`])
/// and stored with the attempt (`question_order`, `option_order`). The database shows an
/// attempt's questions by it (`lms_private.arranged`, migrations `20261203000019`,
/// `20261203000021`): when `questions` is not empty, the questions it names, in its
/// order, and no other (a draw from the pool); options named first, any other after
/// them. The library scores, regrades and reviews the attempt on those questions only.
/// Scores, feedback and item analysis go by ids: the order changes none of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Arrangement {
    /// The attempt's questions' ids in its order (empty: every question, in the
    /// assessment's order).
    pub questions: Vec<String>,
    /// Per choice question whose options are shuffled, their ids in the attempt's order.
    pub options: std::collections::BTreeMap<String, Vec<String>>,
}

/// The ids of a JSON list of objects with a string `id`, in order.
fn ids_of(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q.get("id")?.as_str().map(str::to_owned))
        .collect()
}

/// How an attempt is arranged: what [`arrange`] reads of the attempt policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Arranging {
    /// Shuffle the questions.
    pub shuffle_questions: bool,
    /// Shuffle each choice question's options.
    pub shuffle_options: bool,
    /// Draw this many questions (all of them when at least their number).
    pub draw_questions: Option<u32>,
}

impl From<&crate::attempts::AttemptPolicy> for Arranging {
    fn from(p: &crate::attempts::AttemptPolicy) -> Self {
        Arranging {
            shuffle_questions: p.shuffle_questions,
            shuffle_options: p.shuffle_options,
            draw_questions: p.draw_questions,
        }
    }
}

/// An attempt's arrangement of `questions` (a question list as JSON, as the student sees
/// it: each question with its `id`, choice questions with `options` of `id`s), with a
/// ChaCha8 generator seeded by `seed` (e.g. from the attempt's random id: every attempt
/// its own, the same one for the same seed): `draw_questions` of them drawn uniformly
/// (kept in the assessment's order unless shuffled), the questions shuffled when
/// `shuffle_questions` (Fisher–Yates), each choice question's options when
/// `shuffle_options` (of the drawn questions only); `None` when nothing is asked (a draw
/// of at least every question draws them all).
pub fn arrange(questions: &serde_json::Value, how: Arranging, seed: u64) -> Option<Arrangement> {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let all = ids_of(questions);
    let draw = how
        .draw_questions
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n < all.len());
    if !how.shuffle_questions && !how.shuffle_options && draw.is_none() {
        return None;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut order = Vec::new();
    if let Some(n) = draw {
        let mut pool = all.clone();
        let (drawn, _) = pool.partial_shuffle(&mut rng, n);
        order = if how.shuffle_questions {
            drawn.to_vec()
        } else {
            all.iter()
                .filter(|id| drawn.contains(id))
                .cloned()
                .collect()
        };
    } else if how.shuffle_questions {
        order = all;
        order.shuffle(&mut rng);
    }
    let mut options = std::collections::BTreeMap::new();
    if how.shuffle_options {
        for q in questions.as_array().into_iter().flatten() {
            let (Some(id), Some(list)) = (q.get("id").and_then(|i| i.as_str()), q.get("options"))
            else {
                continue;
            };
            if draw.is_some() && !order.iter().any(|o| o == id) {
                continue;
            }
            let mut ids = ids_of(list);
            if ids.len() > 1 {
                ids.shuffle(&mut rng);
                options.insert(id.to_owned(), ids);
            }
        }
    }
    Some(Arrangement {
        questions: order,
        options,
    })
}

/// The questions of `questions` an attempt arranged as `order` asks (its stored
/// `question_order`): those it names, in its order; every question when `None` or
/// empty. What the attempt is scored, regraded and reviewed on.
pub fn attempt_questions(
    questions: &crate::documents::QuestionSet,
    order: Option<&[String]>,
) -> crate::documents::QuestionSet {
    match order {
        Some(ids) if !ids.is_empty() => crate::documents::QuestionSet(
            ids.iter()
                .filter_map(|id| questions.get(id).cloned())
                .collect(),
        ),
        _ => questions.clone(),
    }
}

/// When a student sees one part of the review of a finished attempt (Moodle's review
/// options, Canvas's "let students see their responses / the correct answers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewMoment {
    /// As soon as the attempt is finished (submitted, or abandoned).
    Immediately,
    /// Once the assessment has closed for the student (their close time, accommodations
    /// included, has passed); never while it has no close time.
    AfterClose,
    /// Never: only the course's staff see it.
    Never,
}

impl ReviewMoment {
    /// Whether the moment has come at `now` for an attempt `finished` or not, when the
    /// assessment closes for its student at `closes_at`.
    pub fn reached(
        self,
        finished: bool,
        closes_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> bool {
        finished
            && match self {
                ReviewMoment::Immediately => true,
                ReviewMoment::AfterClose => closes_at.is_some_and(|c| now > c),
                ReviewMoment::Never => false,
            }
    }
}

/// What a student sees of their finished attempts, and from when (the `assessments`
/// columns `review_score`, `review_correctness`, `review_feedback`, `review_answers`;
/// part of the [`crate::attempts::AttemptPolicy`]). The database enforces it: a student
/// reads their attempt whole (`assessment_attempts`, `assessment_item_responses`) only
/// while its score, correctness and feedback are all shown, and otherwise its review
/// (`attempt_reviews`) with what is hidden left out. The course's staff see everything.
/// The progress (`student_progress.best_score`) and the course grade are the
/// gradebook's, as in Moodle: the review options do not hide them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ReviewOptions {
    /// The attempt's score, points and pass, the points of each question (Moodle's
    /// "marks"). Default: immediately.
    #[serde(rename = "review_score")]
    pub score: ReviewMoment,
    /// Whether each question was answered right (its outcome; Moodle's "whether
    /// correct"). Default: immediately.
    #[serde(rename = "review_correctness")]
    pub correctness: ReviewMoment,
    /// Each question's message, explanation and grader's comment. Default: immediately.
    #[serde(rename = "review_feedback")]
    pub feedback: ReviewMoment,
    /// The right answers: the attempt's questions with their answer keys. Default:
    /// never.
    #[serde(rename = "review_answers")]
    pub answers: ReviewMoment,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        Self {
            score: ReviewMoment::Immediately,
            correctness: ReviewMoment::Immediately,
            feedback: ReviewMoment::Immediately,
            answers: ReviewMoment::Never,
        }
    }
}

impl ReviewOptions {
    /// What is shown at `now` of an attempt `finished` or not, whose student's close time
    /// is `closes_at`.
    pub fn shown(
        &self,
        finished: bool,
        closes_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> ReviewShown {
        let at = |m: ReviewMoment| m.reached(finished, closes_at, now);
        ReviewShown {
            score: at(self.score),
            correctness: at(self.correctness),
            feedback: at(self.feedback),
            answers: at(self.answers),
        }
    }

    /// Whether score, correctness and feedback are all shown as soon as an attempt is
    /// finished: then a student reads every attempt of theirs whole.
    pub fn results_immediately(&self) -> bool {
        [self.score, self.correctness, self.feedback]
            .iter()
            .all(|m| *m == ReviewMoment::Immediately)
    }
}

/// What a student is shown now of one of their attempts ([`ReviewOptions::shown`]); the
/// course's staff are shown everything ([`ReviewShown::ALL`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReviewShown {
    /// The score, points and pass.
    pub score: bool,
    /// Each question's outcome.
    pub correctness: bool,
    /// Each question's message, explanation and grader's comment.
    pub feedback: bool,
    /// The right answers.
    pub answers: bool,
}

impl ReviewShown {
    /// Everything.
    pub const ALL: ReviewShown = ReviewShown {
        score: true,
        correctness: true,
        feedback: true,
        answers: true,
    };

    /// Whether the attempt's results are shown whole (score, correctness and feedback):
    /// its row, its feedback document, its item responses.
    pub fn results(&self) -> bool {
        self.score && self.correctness && self.feedback
    }

    /// The attempt as the student may see it: without its score, points and pass unless
    /// the score is shown, without its feedback document unless the results are shown
    /// whole (the review's feedback, [`reviewed_feedback`], shows the parts that are).
    pub fn attempt(
        &self,
        mut attempt: crate::model::AssessmentAttempt,
    ) -> crate::model::AssessmentAttempt {
        if !self.score {
            attempt.score = None;
            attempt.points_earned = None;
            attempt.exact_points_earned = None;
            attempt.passed = None;
            attempt.raw_points_earned = None;
            attempt.raw_score = None;
        }
        if !self.results() {
            attempt.feedback = None;
        }
        attempt
    }
}

/// A feedback document with only what `shown` shows, field by field (a field the
/// document gains later shows only once this lists it): each question's `question_id`,
/// `kind`, `max_points` and `manual` always; its `outcome` with the correctness; its
/// `points_earned` with the score and the correctness (the points tell the outcome); its
/// `message`, which names the outcome, with the feedback and the correctness; its
/// `explanation` and `grader_comment` with the feedback. The summary's `total_points`,
/// `minimum_passing_score` and `pending_review` always; its `points_earned`, `score` and
/// `passed` with the score. The database's `lms_private.reviewed_feedback` does the same
/// (tested against this).
pub fn reviewed_feedback(
    feedback: &crate::documents::Feedback,
    shown: ReviewShown,
) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    fn put<T: Serialize>(o: &mut Map<String, Value>, key: &str, value: Option<T>) {
        if let Some(v) = value.and_then(|v| serde_json::to_value(v).ok()) {
            o.insert(key.to_owned(), v);
        }
    }
    let questions: Vec<Value> = feedback
        .questions
        .iter()
        .map(|q| {
            let mut o = Map::new();
            put(&mut o, "question_id", Some(&q.question_id));
            put(&mut o, "kind", Some(q.kind));
            put(&mut o, "outcome", shown.correctness.then_some(q.outcome));
            put(
                &mut o,
                "points_earned",
                (shown.score && shown.correctness).then_some(q.points_earned),
            );
            put(&mut o, "max_points", Some(q.max_points));
            let message = (shown.feedback && shown.correctness).then_some(q.message.as_ref());
            put(&mut o, "message", message.flatten());
            put(
                &mut o,
                "explanation",
                shown.feedback.then_some(q.explanation.as_ref()).flatten(),
            );
            put(
                &mut o,
                "grader_comment",
                shown
                    .feedback
                    .then_some(q.grader_comment.as_ref())
                    .flatten(),
            );
            put(&mut o, "manual", q.manual.then_some(true));
            Value::Object(o)
        })
        .collect();
    let s = &feedback.summary;
    let mut summary = Map::new();
    put(
        &mut summary,
        "points_earned",
        shown.score.then_some(s.points_earned),
    );
    put(&mut summary, "total_points", Some(s.total_points));
    put(
        &mut summary,
        "score",
        shown.score.then_some(s.score).flatten(),
    );
    put(
        &mut summary,
        "passed",
        shown.score.then_some(s.passed).flatten(),
    );
    put(
        &mut summary,
        "minimum_passing_score",
        Some(s.minimum_passing_score),
    );
    put(&mut summary, "pending_review", Some(s.pending_review));
    json!({"questions": questions, "summary": summary})
}

/// The review of one finished attempt as its student may see it now
/// (`Scope::attempt_review`, the `attempt_reviews` view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttemptReview {
    /// The attempt, its score and feedback document left out as [`ReviewShown::attempt`]
    /// does.
    pub attempt: crate::model::AssessmentAttempt,
    /// What is shown now.
    pub shown: ReviewShown,
    /// The feedback with what is shown ([`reviewed_feedback`]); `None` until graded.
    pub feedback: Option<serde_json::Value>,
    /// The attempt's questions in its order: with their answer keys when the right
    /// answers are shown, as a student sees them otherwise; `None` while the attempt is
    /// open.
    pub questions: Option<serde_json::Value>,
}

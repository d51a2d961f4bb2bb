//! Bayesian Knowledge Tracing: one hidden state per student and skill (known or not),
//! observed through graded answers.
//!
//! # The model and its arithmetic
//! Parameters ([`BktParams`]): `prior` = P(known before any answer), `learn` = P(not
//! known → known) after an answer, `forget` = P(known → not known) after an answer (0 in
//! classic BKT), `guess` = P(correct | not known), `slip` = P(incorrect | known).
//!
//! A student's state is the pair ([`Mastery`]) `known` = P(known), `unknown` =
//! P(not known), both carried and renormalised to sum 1 at every step. Computing
//! `unknown` as `1 − known` instead would let `known` round to exactly 1.0 on a long run
//! of correct answers and never come down again after a wrong one; with the pair, each
//! side stays a positive product of parameters.
//!
//! One answered question ([`Bkt::update`]), with `k, u` the state before it:
//! 1. predicted P(correct) = `k·(1 − slip) + u·guess` ([`Bkt::predict`]);
//! 2. evidence: correct → `k' = k·(1 − slip)`, `u' = u·guess`; incorrect →
//!    `k' = k·slip`, `u' = u·(1 − guess)`; then `k', u'` divided by their sum;
//! 3. transition: `k'' = k'·(1 − forget) + u'·learn`, `u'' = k'·forget + u'·(1 − learn)`,
//!    divided by their sum.
//!
//! This is the recurrence of pyBKT's forward pass (the reference implementation, which
//! the repository's Python tests compare it with to 1e-10).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The parameters of one skill's model, all probabilities. `guess` and `slip` stay
/// below 0.5 (above, a wrong answer would be evidence of knowing: a degenerate model).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BktParams {
    /// P(known) before any answer.
    pub prior: f64,
    /// P(not known → known) after each answer.
    pub learn: f64,
    /// P(correct | not known).
    pub guess: f64,
    /// P(incorrect | known).
    pub slip: f64,
    /// P(known → not known) after each answer; 0 (the default) is classic BKT.
    #[serde(default)]
    pub forget: f64,
}

impl Default for BktParams {
    /// The defaults of a skill nobody fitted: `prior` 0.2, `learn` 0.15, `guess` 0.2,
    /// `slip` 0.1, `forget` 0 — middle-of-the-road values of the BKT literature.
    fn default() -> Self {
        BktParams::DEFAULT
    }
}

impl BktParams {
    /// See [`Default`].
    pub const DEFAULT: BktParams = BktParams {
        prior: 0.2,
        learn: 0.15,
        guess: 0.2,
        slip: 0.1,
        forget: 0.0,
    };

    /// Checked parameters: each in `0..=1`, `guess` and `slip` below 0.5; otherwise
    /// `invalid_input` naming the parameter.
    pub fn new(prior: f64, learn: f64, guess: f64, slip: f64, forget: f64) -> Result<Self> {
        BktParams {
            prior,
            learn,
            guess,
            slip,
            forget,
        }
        .checked()
    }

    /// `self` if it satisfies [`BktParams::new`]'s rules.
    pub fn checked(self) -> Result<Self> {
        for (name, value) in [
            ("prior", self.prior),
            ("learn", self.learn),
            ("guess", self.guess),
            ("slip", self.slip),
            ("forget", self.forget),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::InvalidInput {
                    field: "bkt",
                    reason: format!("{name} is a probability in 0..=1, not {value}"),
                });
            }
        }
        for (name, value) in [("guess", self.guess), ("slip", self.slip)] {
            if value >= 0.5 {
                return Err(Error::InvalidInput {
                    field: "bkt",
                    reason: format!(
                        "{name} must stay below 0.5 (at {value} a wrong answer would count as evidence of knowing)"
                    ),
                });
            }
        }
        Ok(self)
    }

    /// The model these parameters define.
    pub fn model(self) -> Bkt {
        Bkt { params: self }
    }
}

/// P(known) and P(not known) of one student and skill, carried as a pair that sums to 1
/// (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Mastery {
    /// P(known).
    pub known: f64,
    /// P(not known).
    pub unknown: f64,
}

impl Mastery {
    /// The state with P(known) = `p` (clamped to `0..=1`; NaN is 0).
    pub fn new(p: f64) -> Mastery {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        Mastery {
            known: p,
            unknown: 1.0 - p,
        }
    }

    /// P(known).
    pub fn p(self) -> f64 {
        self.known
    }

    /// The pair divided by its sum, or `otherwise` when the sum is 0 (evidence the model
    /// deems impossible: a correct answer with P(known) = 0 and `guess` = 0, say — the
    /// state then stays what it was). A side that was positive stays at least
    /// `f64::MIN_POSITIVE` (about 2e-308) instead of underflowing to 0, so that it can
    /// grow again with contrary evidence.
    fn normalised(known: f64, unknown: f64, otherwise: Mastery) -> Mastery {
        let total = known + unknown;
        if total > 0.0 && total.is_finite() {
            let side = |x: f64| {
                if x > 0.0 {
                    (x / total).max(f64::MIN_POSITIVE)
                } else {
                    0.0
                }
            };
            Mastery {
                known: side(known),
                unknown: side(unknown),
            }
        } else {
            otherwise
        }
    }
}

/// A BKT model of one skill ([`BktParams::model`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bkt {
    /// Its parameters.
    pub params: BktParams,
}

impl Default for Bkt {
    fn default() -> Self {
        BktParams::DEFAULT.model()
    }
}

impl Bkt {
    /// The state before any answer: P(known) = `prior`.
    pub fn start(&self) -> Mastery {
        Mastery::new(self.params.prior)
    }

    /// P(correct) of the next answer from state `m`.
    pub fn predict(&self, m: Mastery) -> f64 {
        let p = &self.params;
        m.known * (1.0 - p.slip) + m.unknown * p.guess
    }

    /// The state after an answer (`correct` or not): evidence, then transition.
    pub fn update(&self, m: Mastery, correct: bool) -> Mastery {
        let p = &self.params;
        let (k, u) = if correct {
            (m.known * (1.0 - p.slip), m.unknown * p.guess)
        } else {
            (m.known * p.slip, m.unknown * (1.0 - p.guess))
        };
        let seen = Mastery::normalised(k, u, m);
        Mastery::normalised(
            seen.known * (1.0 - p.forget) + seen.unknown * p.learn,
            seen.known * p.forget + seen.unknown * (1.0 - p.learn),
            seen,
        )
    }

    /// Runs a sequence of answers from [`Bkt::start`]: the P(correct) predicted before
    /// each answer, and the state after the last.
    pub fn trace(&self, answers: &[bool]) -> (Vec<f64>, Mastery) {
        let mut m = self.start();
        let mut predictions = Vec::with_capacity(answers.len());
        for &correct in answers {
            predictions.push(self.predict(m));
            m = self.update(m, correct);
        }
        (predictions, m)
    }
}

/// One update, explained: what a graded answer did to the mastery of a skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MasteryChange {
    /// The skill.
    pub skill: String,
    /// The question answered.
    pub question_id: String,
    /// Whether the answer was right.
    pub correct: bool,
    /// P(known) before.
    pub before: f64,
    /// P(known) after.
    pub after: f64,
}

impl std::fmt::Display for MasteryChange {
    /// "mastery of *loops* 0.42 → 0.71 after a correct answer to q3".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "mastery of {} {:.2} → {:.2} after {} answer to {}",
            self.skill,
            self.before,
            self.after,
            if self.correct {
                "a correct"
            } else {
                "an incorrect"
            },
            self.question_id
        )
    }
}

/// The area under the ROC curve of `predictions` for `outcomes` (the probability that a
/// random positive is ranked above a random negative, ties counting half: the
/// Mann–Whitney statistic). `None` when there is no positive or no negative, or the
/// lengths differ. NaN predictions rank lowest.
pub fn auc(predictions: &[f64], outcomes: &[bool]) -> Option<f64> {
    if predictions.len() != outcomes.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..predictions.len()).collect();
    let key = |i: usize| {
        if predictions[i].is_nan() {
            f64::NEG_INFINITY
        } else {
            predictions[i]
        }
    };
    order.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
    let (mut rank_sum, mut positives) = (0.0f64, 0u64);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && key(order[j + 1]) == key(order[i]) {
            j += 1;
        }
        // ranks i+1 ..= j+1 share their average
        let rank = (i + j + 2) as f64 / 2.0;
        for &k in &order[i..=j] {
            if outcomes[k] {
                rank_sum += rank;
                positives += 1;
            }
        }
        i = j + 1;
    }
    let negatives = outcomes.len() as u64 - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    const P: BktParams = BktParams {
        prior: 0.3,
        learn: 0.2,
        guess: 0.25,
        slip: 0.1,
        forget: 0.05,
    };

    #[test]
    fn one_update_by_hand() {
        // k=.3 u=.7; correct: k'=.3*.9=.27, u'=.7*.25=.175 → .27/.445, .175/.445
        let bkt = P.model();
        let m = bkt.update(bkt.start(), true);
        let (k, u) = (0.27 / 0.445, 0.175 / 0.445);
        let want = k * 0.95 + u * 0.2;
        assert!((m.known - want).abs() < 1e-15, "{m:?}");
        assert!((m.known + m.unknown - 1.0).abs() < 1e-15);
        assert!((bkt.predict(bkt.start()) - (0.3 * 0.9 + 0.7 * 0.25)).abs() < 1e-15);
    }

    #[test]
    fn mastery_never_sticks_at_one() {
        // 200 correct answers: P(not known) ≈ 1e-150, so P(known) is 1.0 in f64. Had the
        // state been P(known) alone, with 1 − p by subtraction, it would stay 1 forever.
        let bkt = BktParams::new(0.5, 0.3, 0.2, 0.1, 0.0).unwrap().model();
        let mut m = bkt.start();
        for _ in 0..200 {
            m = bkt.update(m, true);
        }
        assert_eq!(m.known, 1.0);
        assert!(m.unknown > 0.0, "{m:?}");
        for _ in 0..400 {
            m = bkt.update(m, false);
        }
        assert!(m.known < 0.9, "{m:?}");
        // and no underflow to an absorbing 0 on a very long run
        for _ in 0..10_000 {
            m = bkt.update(m, true);
        }
        assert!(m.unknown > 0.0, "{m:?}");
        assert!(bkt.update(m, false).unknown > m.unknown);
    }

    #[test]
    fn impossible_evidence_keeps_the_state() {
        // P(known) 0 and guess 0: a correct answer cannot happen; the state stays, and
        // learning still moves it
        let bkt = BktParams::new(0.0, 0.5, 0.0, 0.1, 0.0).unwrap().model();
        let m = bkt.update(bkt.start(), true);
        assert_eq!((m.known, m.unknown), (0.5, 0.5));
        assert!((bkt.predict(m) - 0.45).abs() < 1e-15);
    }

    #[test]
    fn degenerate_parameters_are_refused() {
        assert!(BktParams::new(0.2, 0.1, 0.5, 0.1, 0.0).is_err());
        assert!(BktParams::new(0.2, 0.1, 0.1, 0.6, 0.0).is_err());
        assert!(BktParams::new(1.2, 0.1, 0.1, 0.1, 0.0).is_err());
        assert!(BktParams::new(f64::NAN, 0.1, 0.1, 0.1, 0.0).is_err());
        assert!(BktParams::new(0.2, 0.1, 0.1, 0.1, -0.1).is_err());
        BktParams::DEFAULT.checked().unwrap();
    }

    #[test]
    fn a_change_explains_itself() {
        let c = MasteryChange {
            skill: "loops".into(),
            question_id: "q3".into(),
            correct: true,
            before: 0.42,
            after: 0.709,
        };
        assert_eq!(
            c.to_string(),
            "mastery of loops 0.42 → 0.71 after a correct answer to q3"
        );
    }

    #[test]
    fn auc_by_hand() {
        assert_eq!(
            auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(auc(&[0.5, 0.5], &[true, true]), None);
    }

    fn params() -> impl Strategy<Value = BktParams> {
        (
            0.0..=1.0f64,
            0.0..=1.0f64,
            0.0..0.5f64,
            0.0..0.5f64,
            0.0..=1.0f64,
        )
            .prop_map(|(prior, learn, guess, slip, forget)| BktParams {
                prior,
                learn,
                guess,
                slip,
                forget,
            })
    }

    proptest! {
        #[test]
        fn a_correct_answer_never_lowers_the_evidence(p in params(), start in 0.0..=1.0f64) {
            // Before the transition, a correct answer raises P(known) and an incorrect
            // one lowers it, whenever guess < 1 − slip (guaranteed by the bounds).
            let bkt = Bkt { params: BktParams { learn: 0.0, forget: 0.0, ..p } };
            let m = Mastery::new(start);
            prop_assert!(bkt.update(m, true).known >= m.known - 1e-12);
            prop_assert!(bkt.update(m, false).known <= m.known + 1e-12);
        }

        #[test]
        fn the_state_stays_a_distribution(p in params(), answers in proptest::collection::vec(any::<bool>(), 0..200)) {
            let (predictions, m) = p.model().trace(&answers);
            prop_assert_eq!(predictions.len(), answers.len());
            for q in predictions {
                prop_assert!((0.0..=1.0).contains(&q));
            }
            prop_assert!((m.known + m.unknown - 1.0).abs() < 1e-12);
            prop_assert!(m.known >= 0.0 && m.unknown >= 0.0);
        }

        #[test]
        fn auc_is_the_pairwise_probability(xs in proptest::collection::vec((0u8..5, any::<bool>()), 2..40)) {
            let preds: Vec<f64> = xs.iter().map(|(p, _)| f64::from(*p)).collect();
            let outs: Vec<bool> = xs.iter().map(|(_, o)| *o).collect();
            let (mut wins, mut pairs) = (0.0, 0.0);
            for (i, &oi) in outs.iter().enumerate() {
                for (j, &oj) in outs.iter().enumerate() {
                    if oi && !oj {
                        pairs += 1.0;
                        wins += if preds[i] > preds[j] { 1.0 } else if preds[i] == preds[j] { 0.5 } else { 0.0 };
                    }
                }
            }
            let got = auc(&preds, &outs);
            if pairs == 0.0 { prop_assert!(got.is_none()); } else { prop_assert!((got.unwrap() - wins / pairs).abs() < 1e-12); }
        }
    }
}

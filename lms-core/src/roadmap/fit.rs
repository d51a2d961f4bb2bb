//! Fitting BKT parameters to stored answers: expectation–maximisation (Baum–Welch for
//! the two-state hidden Markov model of [`super::bkt`]), from seeded random starts.
//!
//! * **E-step**: a scaled forward–backward pass over each student's sequence gives, at
//!   every answer, P(known) given the whole sequence, and at every step P(transition).
//! * **M-step**: `prior` = mean P(known) at the first answer; `learn` = expected
//!   unknown→known transitions / expected time unknown (before the last answer);
//!   `forget` likewise known→unknown (only when fitting forgets, else 0); `guess` =
//!   expected correct answers while unknown / expected answers while unknown; `slip` =
//!   expected incorrect answers while known / expected answers while known.
//! * **Bounds**: after each M-step every parameter is kept in
//!   [`MIN_PROBABILITY`]`..=1 − MIN_PROBABILITY` (EM cannot leave an exact 0 or 1) and
//!   `guess`, `slip` at most [`MAX_GUESS_SLIP`] — projected EM, so the fitted model is
//!   never degenerate (a wrong answer never counts as evidence of knowing).
//! * **Restarts**: [`FitOptions::restarts`] starts drawn from a ChaCha8 generator seeded
//!   with [`FitOptions::seed`] — `prior` uniform in `0..1`, `learn` and `guess` in
//!   `0..0.4`, `slip` in `0..0.3`, `forget` in `0..1` when fitted, pyBKT's ranges — and
//!   the start with the highest log-likelihood wins (ties: the earlier). Same data and
//!   options, same fit.
//! * **Stop**: when an iteration improves the log-likelihood by less than
//!   [`FitOptions::tolerance`], or after [`FitOptions::max_iterations`].

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::bkt::BktParams;
use crate::{Error, Result};

/// Smallest (and one minus the largest) value a fitted probability takes.
pub const MIN_PROBABILITY: f64 = 1e-6;
/// Largest fitted `guess` and `slip`: below 0.5, so that the model is not degenerate.
pub const MAX_GUESS_SLIP: f64 = 0.45;

/// How to fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// Random starts (at least 1). Default 5.
    pub restarts: u32,
    /// Seed of the starts. Default 42.
    pub seed: u64,
    /// Most EM iterations per start. Default 100.
    pub max_iterations: u32,
    /// Stop when the log-likelihood improves by less. Default 1e-6.
    pub tolerance: f64,
    /// Whether to fit `forget` (otherwise 0, classic BKT). Default false.
    pub forgets: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            restarts: 5,
            seed: 42,
            max_iterations: 100,
            tolerance: 1e-6,
            forgets: false,
        }
    }
}

/// Most random starts of a fit: 20.
pub const MAX_RESTARTS: u32 = 20;
/// Most EM iterations per start: 1,000.
pub const MAX_ITERATIONS: u32 = 1_000;

impl FitOptions {
    /// `self` if `restarts` is in `1..=`[`MAX_RESTARTS`], `max_iterations` in
    /// `1..=`[`MAX_ITERATIONS`] and `tolerance` a finite non-negative number; otherwise
    /// `invalid_input` (a fit's cost is bounded by these).
    pub fn checked(&self) -> Result<&Self> {
        let refuse = |reason: String| Error::InvalidInput {
            field: "options",
            reason,
        };
        if !(1..=MAX_RESTARTS).contains(&self.restarts) {
            return Err(refuse(format!(
                "restarts is 1 to {MAX_RESTARTS}, not {}",
                self.restarts
            )));
        }
        if !(1..=MAX_ITERATIONS).contains(&self.max_iterations) {
            return Err(refuse(format!(
                "max_iterations is 1 to {MAX_ITERATIONS}, not {}",
                self.max_iterations
            )));
        }
        if !self.tolerance.is_finite() || self.tolerance < 0.0 {
            return Err(refuse(format!(
                "tolerance is a finite non-negative number, not {}",
                self.tolerance
            )));
        }
        Ok(self)
    }
}

/// The outcome of a fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fitted {
    /// The fitted parameters.
    pub params: BktParams,
    /// Their log-likelihood on the data (natural log).
    pub log_likelihood: f64,
    /// EM iterations of the winning start.
    pub iterations: u32,
    /// Answers fitted.
    pub answers: u64,
    /// Sequences (students) fitted.
    pub sequences: u64,
}

/// The fit of one skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SkillFit {
    /// The skill.
    pub skill: String,
    /// Its fit.
    #[serde(flatten)]
    pub fitted: Fitted,
}

/// Expected counts gathered by one E-step.
#[derive(Default)]
struct Counts {
    first_known: f64,
    sequences: f64,
    from_known: f64,
    from_unknown: f64,
    known_to_unknown: f64,
    unknown_to_known: f64,
    at_known: f64,
    incorrect_at_known: f64,
    at_unknown: f64,
    correct_at_unknown: f64,
    log_likelihood: f64,
}

/// P(observation | known), P(observation | unknown).
fn emission(p: &BktParams, correct: bool) -> [f64; 2] {
    if correct {
        [1.0 - p.slip, p.guess]
    } else {
        [p.slip, 1.0 - p.guess]
    }
}

/// One E-step over every sequence; `alpha` and `scale` are reused buffers.
fn expect(
    p: &BktParams,
    sequences: &[Vec<bool>],
    alpha: &mut Vec<[f64; 2]>,
    scale: &mut Vec<f64>,
) -> Counts {
    let mut n = Counts::default();
    // transition[i][j] = P(state j next | state i now); 0 = known, 1 = unknown
    let a = [[1.0 - p.forget, p.forget], [p.learn, 1.0 - p.learn]];
    for seq in sequences.iter().filter(|s| !s.is_empty()) {
        alpha.clear();
        scale.clear();
        let e = emission(p, seq[0]);
        let first = [p.prior * e[0], (1.0 - p.prior) * e[1]];
        push_scaled(alpha, scale, first);
        for &obs in &seq[1..] {
            let prev = alpha[alpha.len() - 1];
            let e = emission(p, obs);
            let next = [
                (prev[0] * a[0][0] + prev[1] * a[1][0]) * e[0],
                (prev[0] * a[0][1] + prev[1] * a[1][1]) * e[1],
            ];
            push_scaled(alpha, scale, next);
        }
        n.log_likelihood += scale.iter().map(|c| c.ln()).sum::<f64>();
        n.sequences += 1.0;
        // backward, accumulating as it goes
        let last = seq.len() - 1;
        let mut beta = [1.0, 1.0];
        for t in (0..=last).rev() {
            let g = [alpha[t][0] * beta[0], alpha[t][1] * beta[1]];
            let total = g[0] + g[1];
            let g = [g[0] / total, g[1] / total];
            n.at_known += g[0];
            n.at_unknown += g[1];
            if seq[t] {
                n.correct_at_unknown += g[1];
            } else {
                n.incorrect_at_known += g[0];
            }
            if t == 0 {
                n.first_known += g[0];
                break;
            }
            // transitions t-1 → t, and beta at t-1
            let e = emission(p, seq[t]);
            let w = [e[0] * beta[0] / scale[t], e[1] * beta[1] / scale[t]];
            let prev = alpha[t - 1];
            let xi = [
                [prev[0] * a[0][0] * w[0], prev[0] * a[0][1] * w[1]],
                [prev[1] * a[1][0] * w[0], prev[1] * a[1][1] * w[1]],
            ];
            let total: f64 = xi[0][0] + xi[0][1] + xi[1][0] + xi[1][1];
            if total > 0.0 {
                n.from_known += (xi[0][0] + xi[0][1]) / total;
                n.from_unknown += (xi[1][0] + xi[1][1]) / total;
                n.known_to_unknown += xi[0][1] / total;
                n.unknown_to_known += xi[1][0] / total;
            }
            beta = [
                a[0][0] * w[0] + a[0][1] * w[1],
                a[1][0] * w[0] + a[1][1] * w[1],
            ];
        }
    }
    n
}

fn push_scaled(alpha: &mut Vec<[f64; 2]>, scale: &mut Vec<f64>, v: [f64; 2]) {
    let c = (v[0] + v[1]).max(f64::MIN_POSITIVE);
    alpha.push([v[0] / c, v[1] / c]);
    scale.push(c);
}

fn bounded(x: f64, max: f64) -> f64 {
    if x.is_nan() {
        MIN_PROBABILITY
    } else {
        x.clamp(MIN_PROBABILITY, max)
    }
}

fn ratio(num: f64, den: f64, otherwise: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        otherwise
    }
}

/// The M-step, projected on the bounds.
fn maximise(n: &Counts, old: &BktParams, forgets: bool) -> BktParams {
    let top = 1.0 - MIN_PROBABILITY;
    BktParams {
        prior: bounded(ratio(n.first_known, n.sequences, old.prior), top),
        learn: bounded(ratio(n.unknown_to_known, n.from_unknown, old.learn), top),
        forget: if forgets {
            bounded(ratio(n.known_to_unknown, n.from_known, old.forget), top)
        } else {
            0.0
        },
        guess: bounded(
            ratio(n.correct_at_unknown, n.at_unknown, old.guess),
            MAX_GUESS_SLIP,
        ),
        slip: bounded(
            ratio(n.incorrect_at_known, n.at_known, old.slip),
            MAX_GUESS_SLIP,
        ),
    }
}

/// The log-likelihood (natural log) of `sequences` under `params`.
pub fn log_likelihood(params: &BktParams, sequences: &[Vec<bool>]) -> f64 {
    expect(params, sequences, &mut Vec::new(), &mut Vec::new()).log_likelihood
}

/// Fits one skill's parameters to `sequences` (each student's answers to the skill, in
/// order). No answer at all is `invalid_input`.
pub fn fit(sequences: &[Vec<bool>], options: &FitOptions) -> Result<Fitted> {
    let answers: u64 = sequences.iter().map(|s| s.len() as u64).sum();
    if answers == 0 {
        return Err(Error::InvalidInput {
            field: "answers",
            reason: "there is no answer to fit".into(),
        });
    }
    options.checked()?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let (mut alpha, mut scale) = (Vec::new(), Vec::new());
    let mut best: Option<Fitted> = None;
    for _ in 0..options.restarts {
        let mut p = BktParams {
            prior: rng.gen_range(0.0..1.0),
            learn: rng.gen_range(0.0..0.4),
            guess: rng.gen_range(0.0..0.4),
            slip: rng.gen_range(0.0..0.3),
            forget: if options.forgets {
                rng.gen_range(0.0..1.0)
            } else {
                0.0
            },
        };
        let mut previous = f64::NEG_INFINITY;
        let mut iterations = 0;
        let mut ll = f64::NEG_INFINITY;
        while iterations < options.max_iterations {
            let n = expect(&p, sequences, &mut alpha, &mut scale);
            ll = n.log_likelihood;
            iterations += 1;
            if ll - previous < options.tolerance {
                break;
            }
            previous = ll;
            p = maximise(&n, &p, options.forgets);
        }
        // `ll` is the likelihood of the parameters of the last E-step; when the loop ran
        // out of iterations, `p` moved once more: measure it.
        let ll_p = if iterations == options.max_iterations {
            log_likelihood(&p, sequences)
        } else {
            ll
        };
        let candidate = Fitted {
            params: p,
            log_likelihood: ll_p,
            iterations,
            answers,
            sequences: sequences.iter().filter(|s| !s.is_empty()).count() as u64,
        };
        if best.is_none_or(|b| candidate.log_likelihood > b.log_likelihood) {
            best = Some(candidate);
        }
    }
    best.ok_or_else(|| Error::InvalidInput {
        field: "options",
        reason: "no start was run".into(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Students answering from a known model, seeded.
    fn simulate(p: &BktParams, students: usize, length: usize, seed: u64) -> Vec<Vec<bool>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..students)
            .map(|_| {
                let mut known = rng.gen_bool(p.prior);
                (0..length)
                    .map(|_| {
                        let correct = if known {
                            !rng.gen_bool(p.slip)
                        } else {
                            rng.gen_bool(p.guess)
                        };
                        known = if known {
                            !rng.gen_bool(p.forget)
                        } else {
                            rng.gen_bool(p.learn)
                        };
                        correct
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn em_never_lowers_the_likelihood() {
        let truth = BktParams::new(0.3, 0.15, 0.2, 0.1, 0.0).unwrap();
        let data = simulate(&truth, 100, 15, 7);
        let mut p = BktParams::new(0.5, 0.5, 0.3, 0.3, 0.0).unwrap();
        let mut last = log_likelihood(&p, &data);
        for _ in 0..30 {
            let n = expect(&p, &data, &mut Vec::new(), &mut Vec::new());
            p = maximise(&n, &p, false);
            let ll = log_likelihood(&p, &data);
            assert!(ll >= last - 1e-9, "{ll} < {last}");
            last = ll;
        }
    }

    #[test]
    fn the_fit_recovers_the_generating_parameters() {
        let truth = BktParams::new(0.3, 0.15, 0.2, 0.1, 0.0).unwrap();
        let data = simulate(&truth, 2_000, 20, 1);
        let fitted = fit(&data, &FitOptions::default()).unwrap();
        let f = fitted.params;
        for (name, got, want) in [
            ("prior", f.prior, truth.prior),
            ("learn", f.learn, truth.learn),
            ("guess", f.guess, truth.guess),
            ("slip", f.slip, truth.slip),
        ] {
            assert!((got - want).abs() < 0.05, "{name}: {got} vs {want} ({f:?})");
        }
        assert_eq!(f.forget, 0.0);
        assert!(fitted.log_likelihood >= log_likelihood(&truth, &data) - 1.0);
        assert_eq!(fitted.answers, 40_000);
    }

    #[test]
    fn forgets_are_fitted_when_asked() {
        let truth = BktParams::new(0.4, 0.2, 0.15, 0.1, 0.1).unwrap();
        let data = simulate(&truth, 2_000, 20, 3);
        let classic = fit(&data, &FitOptions::default()).unwrap();
        let with = fit(
            &data,
            &FitOptions {
                forgets: true,
                ..FitOptions::default()
            },
        )
        .unwrap();
        assert!((with.params.forget - 0.1).abs() < 0.05, "{:?}", with.params);
        assert!(with.log_likelihood > classic.log_likelihood);
    }

    #[test]
    fn the_fit_is_deterministic_and_bounded() {
        // Answers that look "anti-learned": mostly wrong after right. The bounds hold.
        let data: Vec<Vec<bool>> = (0..50)
            .map(|i| (0..10).map(|t| (t + i) % 3 != 0).collect())
            .collect();
        let a = fit(&data, &FitOptions::default()).unwrap();
        let b = fit(&data, &FitOptions::default()).unwrap();
        assert_eq!(a, b);
        assert!(a.params.guess <= MAX_GUESS_SLIP && a.params.slip <= MAX_GUESS_SLIP);
        a.params.checked().unwrap();
        assert!(fit(&[vec![]], &FitOptions::default()).is_err());
        for bad in [
            FitOptions {
                restarts: 0,
                ..FitOptions::default()
            },
            FitOptions {
                restarts: MAX_RESTARTS + 1,
                ..FitOptions::default()
            },
            FitOptions {
                max_iterations: 0,
                ..FitOptions::default()
            },
            FitOptions {
                max_iterations: MAX_ITERATIONS + 1,
                ..FitOptions::default()
            },
            FitOptions {
                tolerance: f64::INFINITY,
                ..FitOptions::default()
            },
            FitOptions {
                tolerance: -1.0,
                ..FitOptions::default()
            },
        ] {
            assert!(fit(&data, &bad).is_err(), "{bad:?}");
        }
    }
}

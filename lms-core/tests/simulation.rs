//! A simulation with seeded generated students of known true skill: does knowledge
//! tracing tell who knows a skill, does the fit recover the model that generated the
//! answers, does it predict held-out answers better than the running percent correct,
//! and do weak students' roadmaps put their weak skill first?
//!
//! `cargo test -p lms-core --test simulation -- --nocapture` prints the figures.
#![allow(clippy::unwrap_used)]

use lms_core::model::{CourseId, LessonId, ProgressStatus};
use lms_core::roadmap::{
    self, auc, AnswerRow, BktParams, FitOptions, KnowledgeModel, Observation, PlanInput,
    PlanLesson, PlanSettings,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

const TRUTH: BktParams = BktParams {
    prior: 0.35,
    learn: 0.12,
    guess: 0.2,
    slip: 0.1,
    forget: 0.0,
};

/// A student's answers to one skill, and whether they know it after the last.
struct Student {
    answers: Vec<bool>,
    knows: bool,
}

fn simulate(students: usize, length: usize, seed: u64) -> Vec<Student> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..students)
        .map(|_| {
            let mut known = rng.gen_bool(TRUTH.prior);
            let answers = (0..length)
                .map(|_| {
                    let correct = if known {
                        !rng.gen_bool(TRUTH.slip)
                    } else {
                        rng.gen_bool(TRUTH.guess)
                    };
                    if !known {
                        known = rng.gen_bool(TRUTH.learn);
                    }
                    correct
                })
                .collect();
            Student {
                answers,
                knows: known,
            }
        })
        .collect()
}

fn rows(students: &[Student], skill: &str) -> Vec<AnswerRow> {
    students
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.answers.iter().map(move |c| AnswerRow {
                student: format!("s{i}"),
                skill: skill.to_owned(),
                correct: *c,
            })
        })
        .collect()
}

#[test]
fn knowledge_tracing_recovers_what_students_know() {
    let train = simulate(2_000, 8, 1);
    let test = simulate(1_000, 8, 2);
    let fitted = roadmap::fit_answers(&rows(&train, "x"), &FitOptions::default()).unwrap();
    let p = fitted[0].fitted.params;
    // the generating parameters, within 0.05 each
    for (name, got, want) in [
        ("prior", p.prior, TRUTH.prior),
        ("learn", p.learn, TRUTH.learn),
        ("guess", p.guess, TRUTH.guess),
        ("slip", p.slip, TRUTH.slip),
    ] {
        assert!(
            (got - want).abs() <= 0.05,
            "{name}: fitted {got}, generated from {want}"
        );
    }

    // mastery after the answers separates the students who know the skill from the rest
    let bkt = p.model();
    let mastery: Vec<f64> = test.iter().map(|s| bkt.trace(&s.answers).1.p()).collect();
    let knows: Vec<bool> = test.iter().map(|s| s.knows).collect();
    let separation = auc(&mastery, &knows).unwrap();

    // one-step-ahead predictions of the held-out students' answers after the first:
    // BKT's against the running percent correct so far
    let (mut bkt_pred, mut baseline, mut outcome) = (Vec::new(), Vec::new(), Vec::new());
    for s in &test {
        let (predictions, _) = bkt.trace(&s.answers);
        let mut right = 0usize;
        for (t, &c) in s.answers.iter().enumerate() {
            if t > 0 {
                bkt_pred.push(predictions[t]);
                baseline.push(right as f64 / t as f64);
                outcome.push(c);
            }
            right += usize::from(c);
        }
    }
    let bkt_auc = auc(&bkt_pred, &outcome).unwrap();
    let baseline_auc = auc(&baseline, &outcome).unwrap();
    println!(
        "simulation: mastery separates knowers with AUC {separation:.3}; held-out answers: \
         BKT AUC {bkt_auc:.3} vs running percent correct {baseline_auc:.3}; fitted {p:?}"
    );
    assert!(separation >= 0.85, "{separation}");
    assert!(bkt_auc > baseline_auc, "{bkt_auc} vs {baseline_auc}");
}

#[test]
fn weak_students_meet_their_weak_skill_earlier() {
    // two independent lessons, `a` first in course order; students know `b` or not
    let lesson = |n: u128, skill: &str| PlanLesson {
        id: LessonId(Uuid::from_u128(n)),
        title: skill.into(),
        order_index: n as i32,
        prerequisites: vec![],
        skills: vec![skill.into()],
        minutes: Some(20),
        blocks: vec![],
        assessments: vec![],
        status: ProgressStatus::NotStarted,
    };
    let students = simulate(400, 6, 3);
    let model = KnowledgeModel::default();
    let (mut weak, mut strong) = (Vec::new(), Vec::new());
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for s in &students {
        // `a` is middling for everyone: a few answers, half right
        let mut obs: Vec<Observation> = (0..4)
            .map(|i| Observation {
                skill: "a".into(),
                question_id: format!("a{i}"),
                correct: rng.gen_bool(0.5),
                at: None,
            })
            .collect();
        obs.extend(s.answers.iter().enumerate().map(|(i, c)| Observation {
            skill: "b".into(),
            question_id: format!("b{i}"),
            correct: *c,
            at: None,
        }));
        let input = PlanInput {
            course_id: CourseId(Uuid::from_u128(9)),
            lessons: vec![lesson(1, "a"), lesson(2, "b")],
            final_assessment: None,
            knowledge: roadmap::trace(&model, &obs).profile,
            preferences: Default::default(),
            settings: PlanSettings::default(),
        };
        let plan = roadmap::plan(&input).unwrap();
        let position = plan
            .data
            .steps
            .iter()
            .position(|st| st.lesson_id == Some(LessonId(Uuid::from_u128(2))))
            .unwrap() as f64;
        if s.knows { &mut strong } else { &mut weak }.push(position);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "simulation: the lesson of skill b comes at mean position {:.2} for the {} students \
         who do not know it, {:.2} for the {} who do",
        mean(&weak),
        weak.len(),
        mean(&strong),
        strong.len()
    );
    assert!(!weak.is_empty() && !strong.is_empty());
    assert!(mean(&weak) < mean(&strong));
}

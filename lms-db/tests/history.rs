//! The attempt history the database reduces (`AttemptHistory` in SQL: the few attempts a
//! rule may single out and the sums of an average, never the whole history) decides as
//! the whole list does: for generated histories written as raw rows, the stored grade
//! under each grading method and the next start are what `lms_core` computes from every
//! attempt.
#![allow(clippy::unwrap_used)]

mod world;

use chrono::{DateTime, Duration, TimeZone, Utc};
use lms_core::attempts::{
    grade_attempts, may_start, AttemptRules, AttemptSummary, GradingMethod, RetakePolicy,
    StartDecision,
};
use lms_core::documents::Points;
use lms_core::model::*;
use lms_core::repo::AssessmentPatch;
use sqlx::PgPool;
use world::world;

/// A small deterministic generator (xorshift), so each case is reproducible by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// A generated history: open, abandoned and submitted attempts, graded with exact points
/// of several totals, graded without exact points (score only), or awaiting grading.
fn history(seed: u64) -> Vec<AttemptSummary> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let base = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let n = 1 + rng.next(13) as i32;
    (1..=n)
        .map(|number| {
            let started: DateTime<Utc> = base + Duration::minutes(i64::from(number) * 10);
            let ended = started + Duration::minutes(3);
            let state = rng.next(12); // 0 open, 1 abandoned, else submitted
            let submitted = state >= 2;
            let (score, earned, total) = match (submitted, rng.next(4)) {
                (false, _) => (None, None, None),
                (true, 0) => (None, None, Some(10)), // awaiting grading
                (true, 1) => (Some(rng.next(101) as i32), None, None), // score only
                (true, _) => {
                    let total = [7u32, 10, 20][rng.next(3) as usize];
                    let micros = rng.next(u64::from(total) * 1_000_000 + 1);
                    let percent = micros * 100 / (u64::from(total) * 1_000_000);
                    (
                        Some(percent as i32),
                        Some(Points::from_micros(micros)),
                        Some(total),
                    )
                }
            };
            // stored at the time, under the passing score of then: not tied to the score
            let passed = score.map(|_| rng.next(3) == 0);
            AttemptSummary {
                attempt_number: number,
                started_at: started,
                submitted_at: submitted.then_some(ended),
                abandoned_at: (state == 1).then_some(ended),
                score,
                passed,
                points_earned: earned,
                total_points: total,
            }
        })
        .collect()
}

/// Writes `list` as the student's attempts at `quiz` (raw rows, as the superuser).
async fn write(pool: &PgPool, student: UserId, quiz: AssessmentId, list: &[AttemptSummary]) {
    sqlx::query("delete from public.assessment_attempts where student_id = $1")
        .bind(student.0)
        .execute(pool)
        .await
        .unwrap();
    for a in list {
        let exact = a.points_earned.map(|p| p.micros() as f64 / 1e6);
        sqlx::query(
            "insert into public.assessment_attempts (assessment_id, student_id, attempt_number, \
               started_at, submitted_at, abandoned_at, score, passed, total_points, \
               exact_points_earned, points_earned, questions_version) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::numeric(20,6), \
                     floor($10::numeric(20,6))::int, 1)",
        )
        .bind(quiz.0)
        .bind(student.0)
        .bind(a.attempt_number)
        .bind(a.started_at)
        .bind(a.submitted_at)
        .bind(a.abandoned_at)
        .bind(a.score)
        .bind(a.passed)
        .bind(a.total_points.map(|t| t as i32))
        .bind(exact)
        .execute(pool)
        .await
        .unwrap();
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_reduced_history_grades_and_starts_as_every_attempt(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    let teacher = w.lms.as_user(w.instructor);
    let methods = [
        GradingMethod::Highest,
        GradingMethod::Average,
        GradingMethod::First,
        GradingMethod::Last,
    ];
    let mut decided = 0;
    for seed in 1..=64u64 {
        let list = history(seed);
        write(&pool, w.student, w.quiz1, &list).await;
        for (i, method) in methods.iter().enumerate() {
            // changing the method refreshes every student's grade at the assessment
            let minimum = 50 + 10 * i as i32;
            let quiz = teacher
                .update_assessment(
                    w.quiz1,
                    AssessmentPatch {
                        grading_method: Some(*method),
                        minimum_passing_score: Some(minimum),
                        max_attempts: Some(if seed % 3 == 0 { Some(6) } else { None }),
                        retake_policy: Some(if seed % 2 == 0 {
                            RetakePolicy::Forbid
                        } else {
                            RetakePolicy::Allow
                        }),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let expected = grade_attempts(*method, &list, minimum as u32);
            let row = me
                .my_progress(w.course)
                .await
                .unwrap()
                .into_iter()
                .find(|p| p.assessment_id == Some(w.quiz1))
                .unwrap();
            assert_eq!(
                (row.best_score, row.attempts_count),
                (expected.score, list.len() as i32),
                "seed {seed}, {method:?}: {list:?}"
            );
            assert_eq!(
                row.status == ProgressStatus::Completed,
                expected.passed == Some(true),
                "seed {seed}, {method:?}"
            );
            if i + 1 == methods.len() {
                // and the next start is the one the rules decide on the whole list
                let rules = AttemptRules::from_assessment(&quiz);
                let expected = may_start(&rules, &list, &[], Utc::now());
                match (expected, me.start_attempt(w.quiz1).await) {
                    (Ok(StartDecision::New { attempt_number }), Ok(s)) => {
                        assert!(!s.resumed, "seed {seed}");
                        assert_eq!(s.attempt.attempt_number, attempt_number, "seed {seed}");
                    }
                    (Ok(StartDecision::Resume { attempt_number, .. }), Ok(s)) => {
                        assert!(s.resumed, "seed {seed}");
                        assert_eq!(s.attempt.attempt_number, attempt_number, "seed {seed}");
                    }
                    (Err(e), Err(got)) => assert_eq!(e.code(), got.code().as_str(), "seed {seed}"),
                    (e, got) => panic!("seed {seed}: expected {e:?}, got {got:?}"),
                }
                decided += 1;
            }
        }
    }
    assert_eq!(decided, 64);
}

//! Attempts done right (migration 20261202000009, `lms_core::scoring`,
//! `lms_core::attempts`): frozen question versions, exact points, regrades, grading
//! methods, retakes and delays, overdue handling, the overdue sweep, manual overrides,
//! and the database's own guard of the new table and columns.
#![allow(clippy::unwrap_used)]

mod world;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use lms_core::attempts::{GradingMethod, RetakePolicy, TimeLimitPolicy};
use lms_core::documents::Points;
use lms_core::model::*;
use lms_core::repo::{AssessmentOwner, AssessmentPatch, CoursePatch, Page};
use lms_db::{AuditAction, AuditFilter, ClosedAs, Scope};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;
use world::{answers, enrolled, questions, world, World};

// helpers -------------------------------------------------------------------------------

/// Changes an assessment as the course's instructor.
async fn patch(w: &World, quiz: AssessmentId, patch: AssessmentPatch) -> Assessment {
    w.lms
        .as_user(w.instructor)
        .update_assessment(quiz, patch)
        .await
        .unwrap()
}

/// Replaces the questions of an assessment as the course's instructor.
async fn set_questions(w: &World, quiz: AssessmentId, questions: Value) -> Assessment {
    patch(
        w,
        quiz,
        AssessmentPatch {
            questions: Some(questions),
            ..Default::default()
        },
    )
    .await
}

/// The world's two questions with the true/false's key turned to `false`.
fn questions_with_false_key() -> Value {
    let mut q = questions();
    q[1]["correct"] = json!(false);
    q
}

/// The attempt `student` submits to `quiz` with `right` of the two answers right.
async fn submitted(
    w: &World,
    student: UserId,
    quiz: AssessmentId,
    right: usize,
) -> AssessmentAttempt {
    w.lms
        .as_user(student)
        .submit_attempt(quiz, &answers(right))
        .await
        .unwrap()
        .attempt
}

/// The student's progress row of an assessment, read through `my_progress`.
async fn progress(w: &World, student: UserId, quiz: AssessmentId) -> StudentProgress {
    w.lms
        .as_user(student)
        .my_progress(w.course)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.assessment_id == Some(quiz))
        .unwrap()
}

/// (best score, passed) of the student at the assessment in the instructor's gradebook.
async fn gradebook(w: &World, student: UserId, quiz: AssessmentId) -> (Option<i32>, bool) {
    let book = w
        .lms
        .as_user(w.instructor)
        .gradebook(w.course, Page::default())
        .await
        .unwrap();
    let e = book
        .entries
        .iter()
        .find(|e| e.summary.student_id == student && e.summary.assessment_id == quiz)
        .unwrap();
    (e.summary.best_score, e.summary.passed)
}

/// (best score, passed) of the assessment on the student's dashboard.
async fn dashboard(w: &World, student: UserId, quiz: AssessmentId) -> (Option<i32>, bool) {
    let d = w.lms.as_user(student).student_dashboard().await.unwrap();
    let s = d
        .assessments
        .iter()
        .find(|s| s.assessment_id == quiz)
        .unwrap();
    (s.best_score, s.passed)
}

/// What [`AttemptRow`] reads of `assessment_attempts`.
const ATTEMPT_ROW: &str = "select attempt_number, score, points_earned, \
    exact_points_earned::text, passed, questions_version, started_at, submitted_at, \
    abandoned_at from assessment_attempts";

/// An attempt's row, read as the superuser.
async fn attempt_row(pool: &PgPool, id: AttemptId) -> AttemptRow {
    sqlx::query_as(&format!("{ATTEMPT_ROW} where id = $1"))
        .bind(id.0)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
struct AttemptRow {
    attempt_number: i32,
    score: Option<i32>,
    points_earned: Option<i32>,
    exact_points_earned: Option<String>,
    passed: Option<bool>,
    questions_version: i32,
    started_at: DateTime<Utc>,
    submitted_at: Option<DateTime<Utc>>,
    abandoned_at: Option<DateTime<Utc>>,
}

/// Every attempt of a student at an assessment, in order.
async fn attempts(pool: &PgPool, student: UserId, quiz: AssessmentId) -> Vec<AttemptRow> {
    sqlx::query_as(&format!(
        "{ATTEMPT_ROW} where student_id = $1 and assessment_id = $2 order by attempt_number"
    ))
    .bind(student.0)
    .bind(quiz.0)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Moves an open attempt `minutes` back in time, its saved answers with it (each answer
/// keeps how long after the start it was saved): as if the student started that long
/// ago and answered at once.
async fn backdate(pool: &PgPool, attempt: AttemptId, minutes: i64) {
    sqlx::query(
        "update assessment_attempts set \
           started_at = started_at - make_interval(mins => $2), \
           answers = coalesce((select jsonb_object_agg(k, v || jsonb_build_object('answered_at', \
                        to_jsonb((v ->> 'answered_at')::timestamptz - make_interval(mins => $2)))) \
                                 from jsonb_each(answers) as e(k, v)), '{}'::jsonb) \
         where id = $1",
    )
    .bind(attempt.0)
    .bind(i32::try_from(minutes).unwrap())
    .execute(pool)
    .await
    .unwrap();
}

/// Moves one saved answer's time `minutes` forward (later than it was saved).
async fn answered_later(pool: &PgPool, attempt: AttemptId, question: &str, minutes: i64) {
    sqlx::query(
        "update assessment_attempts set answers = jsonb_set(answers, array[$2, 'answered_at'], \
           to_jsonb((answers -> $2 ->> 'answered_at')::timestamptz + make_interval(mins => $3))) \
         where id = $1",
    )
    .bind(attempt.0)
    .bind(question)
    .bind(i32::try_from(minutes).unwrap())
    .execute(pool)
    .await
    .unwrap();
}

fn q1_right() -> Value {
    json!({"q1": {"type": "multiple_choice", "selected": ["b"]}})
}

fn points(p: f64) -> Points {
    Points::from_f64(p).unwrap()
}

/// The SQLSTATE of a statement run as `who` (an `authenticated` user), or the rows it
/// affected; receipts for documents (target, JSON) are made first, as the library does.
async fn run_as(
    pool: &PgPool,
    who: UserId,
    receipts: &[(&str, &str)],
    sql: &str,
) -> Result<u64, String> {
    let mut tx = pool.begin().await.unwrap();
    for (target, document) in receipts {
        world::common::vouch(&mut tx, target, document).await;
    }
    world::common::act_as(
        &mut tx,
        "authenticated",
        json!({"sub": who.0, "role": "authenticated"}),
    )
    .await;
    let outcome = sqlx::query(sql).execute(&mut *tx).await;
    let outcome = match outcome {
        Ok(r) => Ok(r.rows_affected()),
        Err(sqlx::Error::Database(e)) => Err(e.code().unwrap_or_default().into_owned()),
        Err(e) => panic!("{sql}: {e}"),
    };
    tx.commit().await.ok();
    outcome
}

/// The count a `select count(*)` gives as `who`, or its SQLSTATE and message.
async fn count_as(pool: &PgPool, who: UserId, sql: &str) -> Result<i64, (String, String)> {
    let mut tx = pool.begin().await.unwrap();
    world::common::act_as(
        &mut tx,
        "authenticated",
        json!({"sub": who.0, "role": "authenticated"}),
    )
    .await;
    let outcome = sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *tx).await;
    tx.rollback().await.unwrap();
    outcome.map_err(|e| match e {
        sqlx::Error::Database(e) => (
            e.code().unwrap_or_default().into_owned(),
            e.message().to_owned(),
        ),
        e => panic!("{sql}: {e}"),
    })
}

// frozen questions ----------------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn an_open_attempt_keeps_the_questions_it_started_with(pool: PgPool) {
    let w = enrolled(&pool).await;
    let me = w.lms.as_user(w.student);
    let started = me.start_attempt(w.quiz1).await.unwrap();
    assert_eq!(started.attempt.questions_version, 1);

    // the instructor rewords q1 and turns the key of q2 (true → false) mid-attempt
    let mut edited = questions_with_false_key();
    edited[0]["prompt"] = json!("Which one borrows? (edited)");
    let assessment = set_questions(&w, w.quiz1, edited).await;
    assert_eq!(assessment.questions_version, 2);
    assert_eq!(
        w.lms
            .as_user(w.instructor)
            .get_assessment(w.quiz1)
            .await
            .unwrap()
            .questions_version,
        2
    );

    // resuming, and reading the questions, show the version the attempt started with
    let resumed = me.start_attempt(w.quiz1).await.unwrap();
    assert!(resumed.resumed);
    assert_eq!(resumed.attempt.id, started.attempt.id);
    assert_eq!(resumed.attempt.questions_version, 1);
    assert_eq!(resumed.questions[0]["prompt"], "Which one borrows?");
    assert!(resumed.questions[1].get("correct").is_none(), "stripped");
    let shown = me.assessment_questions(w.quiz1).await.unwrap();
    assert_eq!(shown[0]["prompt"], "Which one borrows?");
    assert!(shown[0]["options"][1].get("fraction").is_none(), "stripped");

    // the submission is scored by the old key: q2 = true is right there (the new key
    // would make it 1 of 2, 50)
    let submitted = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert_eq!(submitted.attempt.id, started.attempt.id);
    assert_eq!(submitted.attempt.questions_version, 1);
    assert_eq!(submitted.attempt.score, Some(100));
    assert_eq!(submitted.attempt.passed, Some(true));

    // an attempt started after the edit gets the new version and key
    let other = w.lms.as_user(w.other_student);
    let fresh = other.start_attempt(w.quiz1).await.unwrap();
    assert_eq!(fresh.attempt.questions_version, 2);
    assert_eq!(fresh.questions[0]["prompt"], "Which one borrows? (edited)");
    let theirs = other.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert_eq!(theirs.attempt.questions_version, 2);
    assert_eq!(theirs.attempt.score, Some(50));
    assert_eq!(theirs.attempt.passed, Some(false));

    // both versions are kept
    let versions: Vec<i32> = sqlx::query_scalar(
        "select version from assessment_question_versions where assessment_id = $1 order by 1",
    )
    .bind(w.quiz1.0)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(versions, [1, 2]);
}

// exact points --------------------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn exact_points_are_stored_and_the_passing_bar_is_exact(pool: PgPool) {
    let w = enrolled(&pool).await;
    let me = w.lms.as_user(w.student);
    let multi = |points: u32, a: f64, b: f64, c: Option<f64>| {
        let mut options = vec![
            json!({"id": "a", "text": "A", "fraction": a}),
            json!({"id": "b", "text": "B", "fraction": b}),
        ];
        if let Some(c) = c {
            options.push(json!({"id": "c", "text": "C", "fraction": c}));
        }
        json!([{"type": "multiple_choice", "id": "m", "prompt": "Pick", "points": points,
                "multiple": true, "options": options}])
    };
    let pick_a = json!({"m": {"type": "multiple_choice", "selected": ["a"]}});

    // half right of a 1-point multi-select: 0.5 exact, 0 whole, 50 %
    set_questions(&w, w.quiz1, multi(1, 0.5, 0.5, Some(-1.0))).await;
    let half = me.submit_attempt(w.quiz1, &pick_a).await.unwrap().attempt;
    assert_eq!(half.exact_points_earned, Some(points(0.5)));
    assert_eq!(half.points_earned, Some(0));
    assert_eq!(half.total_points, Some(1));
    assert_eq!(half.score, Some(50));
    assert_eq!(half.passed, Some(false));
    let row = attempt_row(&pool, half.id).await;
    assert_eq!(row.exact_points_earned.as_deref(), Some("0.500000"));
    assert_eq!(row.points_earned, Some(0));

    // 0.695 of 2 points = 1.39 of 2 = 69.5 %: the score rounds down to 69 and fails 70
    set_questions(&w, w.quiz1, multi(2, 0.695, 0.305, None)).await;
    let below = me.submit_attempt(w.quiz1, &pick_a).await.unwrap().attempt;
    assert_eq!(below.exact_points_earned, Some(points(1.39)));
    assert_eq!(below.points_earned, Some(1));
    assert_eq!(below.score, Some(69));
    assert_eq!(below.passed, Some(false));
    let row = attempt_row(&pool, below.id).await;
    assert_eq!(row.exact_points_earned.as_deref(), Some("1.390000"));
    let p = progress(&w, w.student, w.quiz1).await;
    assert_eq!(
        (p.best_score, p.status),
        (Some(69), ProgressStatus::InProgress)
    );

    // 0.7 of 2 = 70 % exactly: passes
    set_questions(&w, w.quiz1, multi(2, 0.7, 0.3, None)).await;
    let at = me.submit_attempt(w.quiz1, &pick_a).await.unwrap().attempt;
    assert_eq!(at.exact_points_earned, Some(points(1.4)));
    assert_eq!(at.score, Some(70));
    assert_eq!(at.passed, Some(true));
    let p = progress(&w, w.student, w.quiz1).await;
    assert_eq!(
        (p.best_score, p.status),
        (Some(70), ProgressStatus::Completed)
    );
}

// regrade -------------------------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_regrade_reports_in_a_dry_run_and_writes_in_a_real_one(pool: PgPool) {
    let w = enrolled(&pool).await;
    // sam: q1 right, q2 = false (wrong) → 50, failed; kim: both right → 100, passed
    let sam = submitted(&w, w.student, w.quiz1, 1).await;
    let kim = submitted(&w, w.other_student, w.quiz1, 2).await;
    assert_eq!((sam.score, kim.score), (Some(50), Some(100)));

    // the key of q2 was wrong: it is false
    set_questions(&w, w.quiz1, questions_with_false_key()).await;
    let author = w.lms.as_user(w.instructor);

    let dry = author.regrade_assessment(w.quiz1, true).await.unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.questions_version, 2);
    assert_eq!(dry.attempts_regraded, 2);
    assert_eq!(dry.changes.len(), 2, "{dry:?}");
    let change = |id: AttemptId| dry.changes.iter().find(|c| c.attempt_id == id).unwrap();
    let s = change(sam.id);
    assert_eq!(s.student_id, w.student);
    assert_eq!((s.old_score, s.new_score), (Some(50), Some(100)));
    assert_eq!((s.old_passed, s.new_passed), (Some(false), Some(true)));
    assert_eq!(
        (s.old_points_earned, s.new_points_earned, s.total_points),
        (points(1.0), points(2.0), 2)
    );
    let k = change(kim.id);
    assert_eq!((k.old_score, k.new_score), (Some(100), Some(50)));
    assert_eq!((k.old_passed, k.new_passed), (Some(true), Some(false)));

    // a dry run writes nothing
    for (a, score) in [(&sam, 50), (&kim, 100)] {
        let row = attempt_row(&pool, a.id).await;
        assert_eq!((row.score, row.questions_version), (Some(score), 1));
    }
    assert_eq!(progress(&w, w.student, w.quiz1).await.best_score, Some(50));
    assert_eq!(gradebook(&w, w.student, w.quiz1).await, (Some(50), false));

    let real = author.regrade_assessment(w.quiz1, false).await.unwrap();
    assert!(!real.dry_run);
    assert_eq!(real.changes, dry.changes);
    let row = attempt_row(&pool, sam.id).await;
    assert_eq!(
        (row.score, row.passed, row.questions_version),
        (Some(100), Some(true), 2)
    );
    assert_eq!(row.exact_points_earned.as_deref(), Some("2.000000"));
    let row = attempt_row(&pool, kim.id).await;
    assert_eq!(
        (row.score, row.passed, row.questions_version),
        (Some(50), Some(false), 2)
    );
    // the grades follow, everywhere
    let p = progress(&w, w.student, w.quiz1).await;
    assert_eq!(
        (p.best_score, p.status),
        (Some(100), ProgressStatus::Completed)
    );
    let p = progress(&w, w.other_student, w.quiz1).await;
    assert_eq!(
        (p.best_score, p.status),
        (Some(50), ProgressStatus::InProgress)
    );
    assert_eq!(gradebook(&w, w.student, w.quiz1).await, (Some(100), true));
    assert_eq!(
        gradebook(&w, w.other_student, w.quiz1).await,
        (Some(50), false)
    );
    assert_eq!(dashboard(&w, w.student, w.quiz1).await, (Some(100), true));

    // nothing left to change
    let again = author.regrade_assessment(w.quiz1, false).await.unwrap();
    assert!(again.changes.is_empty(), "{again:?}");
    assert_eq!(again.attempts_regraded, 2);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_regrade_without_attempts_is_empty_and_students_may_not_regrade(pool: PgPool) {
    let w = enrolled(&pool).await;
    let report = w
        .lms
        .as_user(w.instructor)
        .regrade_assessment(w.quiz2, false)
        .await
        .unwrap();
    assert_eq!(report.assessment_id, w.quiz2);
    assert_eq!(report.attempts_regraded, 0);
    assert!(report.changes.is_empty());

    w.lms
        .as_user(w.student)
        .submit_attempt(w.quiz1, &answers(1))
        .await
        .unwrap();
    set_questions(&w, w.quiz1, questions_with_false_key()).await;
    for who in [w.student, w.other_instructor] {
        let err = w
            .lms
            .as_user(who)
            .regrade_assessment(w.quiz1, false)
            .await
            .unwrap_err();
        assert!(
            err.code() == "forbidden" || err.code() == "not_found",
            "{err}"
        );
    }
    let err = w
        .lms
        .as_user(w.student)
        .regrade_assessment(w.quiz1, true)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden", "{err}");
    // nothing regraded
    let rows = attempts(&pool, w.student, w.quiz1).await;
    assert_eq!((rows[0].score, rows[0].questions_version), (Some(50), 1));
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_graded_essay_keeps_its_grade_through_a_regrade(pool: PgPool) {
    let w = enrolled(&pool).await;
    let author = w.lms.as_user(w.instructor);
    let exam_questions = |tf_key: bool| {
        json!([
            {"type": "true_false", "id": "tf", "prompt": "Rust has a GC.", "points": 2, "correct": tf_key},
            {"type": "essay", "id": "why", "prompt": "Why ownership?", "points": 8}
        ])
    };
    let essay = author
        .create_assessment(lms_core::repo::NewAssessment {
            questions: exam_questions(false),
            ..world::new_quiz(AssessmentOwner::Course(w.course), "Essay exam")
        })
        .await
        .unwrap();
    author
        .update_course(
            w.course,
            CoursePatch {
                final_assessment_id: Some(Some(essay.id)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let me = w.lms.as_user(w.student);
    let submitted = me
        .submit_attempt(
            essay.id,
            &json!({"tf": {"type": "true_false", "value": false},
                    "why": {"type": "essay", "text": "It frees memory deterministically."}}),
        )
        .await
        .unwrap();
    let graded = author
        .grade_essay(
            submitted.attempt.id,
            "why",
            6,
            Some("Name the borrow checker."),
        )
        .await
        .unwrap();
    // 2 + 6 of 10
    assert_eq!((graded.score, graded.passed), (Some(80), Some(true)));

    // the key of tf changes: the student's `false` is wrong now; the essay's 6 stay
    set_questions(&w, essay.id, exam_questions(true)).await;
    let report = author.regrade_assessment(essay.id, false).await.unwrap();
    assert_eq!(report.changes.len(), 1, "{report:?}");
    let c = &report.changes[0];
    assert_eq!((c.old_score, c.new_score), (Some(80), Some(60)));
    assert_eq!((c.old_passed, c.new_passed), (Some(true), Some(false)));
    assert_eq!(c.new_points_earned, points(6.0));

    let attempt = &me.my_attempts(essay.id).await.unwrap()[0];
    assert_eq!((attempt.score, attempt.passed), (Some(60), Some(false)));
    assert_eq!(attempt.questions_version, 2);
    let why = attempt.feedback.as_ref().unwrap()["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["question_id"] == "why")
        .unwrap()
        .clone();
    assert_eq!(why["points_earned"], json!(6));
    assert_eq!(why["grader_comment"], "Name the borrow checker.");
    assert_eq!(progress(&w, w.student, essay.id).await.best_score, Some(60));
}

// grading methods -----------------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn each_grading_method_is_the_grade_everywhere(pool: PgPool) {
    let w = enrolled(&pool).await;
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            max_attempts: Some(None),
            ..Default::default()
        },
    )
    .await;
    let me = w.lms.as_user(w.student);
    // 1 of 2, 2 of 2, 0 of 2, 0 of 2: 50, 100, 0, 0 (retakes after the pass are allowed)
    for right in [1, 2, 0, 0] {
        me.submit_attempt(w.quiz1, &answers(right)).await.unwrap();
    }
    // highest 100; first 50; last 0; average 150 / 4 = 37.5, rounded down: 37
    for (method, grade, passed) in [
        (GradingMethod::Average, 37, false),
        (GradingMethod::First, 50, false),
        (GradingMethod::Last, 0, false),
        (GradingMethod::Highest, 100, true),
        (GradingMethod::Average, 37, false),
    ] {
        let a = patch(
            &w,
            w.quiz1,
            AssessmentPatch {
                grading_method: Some(method),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(a.policy.grading_method, method);
        let p = progress(&w, w.student, w.quiz1).await;
        assert_eq!(p.best_score, Some(grade), "{method:?}: my_progress");
        assert_eq!(
            p.status == ProgressStatus::Completed,
            passed,
            "{method:?}: status"
        );
        assert_eq!(p.attempts_count, 4);
        assert_eq!(
            gradebook(&w, w.student, w.quiz1).await,
            (Some(grade), passed),
            "{method:?}: gradebook"
        );
        assert_eq!(
            dashboard(&w, w.student, w.quiz1).await,
            (Some(grade), passed),
            "{method:?}: dashboard"
        );
    }

    // a new passing bar refreshes the stored grade too: 37 passes a bar of 30 on average
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            grading_method: Some(GradingMethod::Average),
            minimum_passing_score: Some(30),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(gradebook(&w, w.student, w.quiz1).await, (Some(37), true));
}

// retakes and delays --------------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_passed_assessment_may_be_retaken_unless_forbidden(pool: PgPool) {
    let w = enrolled(&pool).await;
    let me = w.lms.as_user(w.student);
    let first = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert_eq!(first.attempt.passed, Some(true));
    // allowed by default
    let retake = me.submit_attempt(w.quiz1, &answers(1)).await.unwrap();
    assert_eq!(retake.attempt.attempt_number, 2);
    let started = me.start_attempt(w.quiz1).await.unwrap();
    assert_eq!(started.attempt.attempt_number, 3);
    me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();

    // forbidden: refused, nothing written
    let w2 = patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            retake_policy: Some(RetakePolicy::Forbid),
            max_attempts: Some(Some(10)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(w2.policy.retake_policy, RetakePolicy::Forbid);
    for err in [
        me.submit_attempt(w.quiz1, &answers(2)).await.unwrap_err(),
        me.start_attempt(w.quiz1).await.unwrap_err(),
    ] {
        assert_eq!(err.code(), "conflict", "{err}");
        assert_eq!(err.details()["reason"], "already_passed", "{err}");
    }
    assert_eq!(attempts(&pool, w.student, w.quiz1).await.len(), 3);
    // one who has not passed may still try under Forbid
    let other = w.lms.as_user(w.other_student);
    other.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    other.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    let err = other
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "conflict", "{err}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_delay_between_attempts_is_enforced_and_says_when(pool: PgPool) {
    let w = enrolled(&pool).await;
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            attempt_delay_seconds: Some(3_600),
            later_attempt_delay_seconds: Some(60),
            max_attempts: Some(None),
            ..Default::default()
        },
    )
    .await;
    let me = w.lms.as_user(w.student);
    let first = me
        .submit_attempt(w.quiz1, &answers(0))
        .await
        .unwrap()
        .attempt;
    let ended = first.submitted_at.unwrap();
    for err in [
        me.start_attempt(w.quiz1).await.unwrap_err(),
        me.submit_attempt(w.quiz1, &answers(2)).await.unwrap_err(),
    ] {
        assert_eq!(err.code(), "conflict", "{err}");
        let details = err.details();
        assert_eq!(details["reason"], "attempt_delay", "{err}");
        assert_eq!(details["delay_seconds"], 3_600);
        let available: DateTime<Utc> =
            serde_json::from_value(details["available_at"].clone()).unwrap();
        assert_eq!(available, ended + Duration::seconds(3_600));
    }
    assert_eq!(attempts(&pool, w.student, w.quiz1).await.len(), 1);

    // an hour and a bit later
    sqlx::query(
        "update assessment_attempts set started_at = started_at - interval '61 minutes', \
           submitted_at = submitted_at - interval '61 minutes' where id = $1",
    )
    .bind(first.id.0)
    .execute(&pool)
    .await
    .unwrap();
    let second = me.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    assert_eq!(second.attempt.attempt_number, 2);
    // before the third: the later delay
    let err = me.start_attempt(w.quiz1).await.unwrap_err();
    assert_eq!(err.details()["reason"], "attempt_delay", "{err}");
    assert_eq!(err.details()["delay_seconds"], 60);
    let available: DateTime<Utc> =
        serde_json::from_value(err.details()["available_at"].clone()).unwrap();
    assert_eq!(
        available,
        second.attempt.submitted_at.unwrap() + Duration::seconds(60)
    );
}

// overdue handling ----------------------------------------------------------------------

/// Gives `quiz` a 10-minute limit and the overdue handling `policy` with `grace` seconds.
async fn timed(w: &World, quiz: AssessmentId, policy: TimeLimitPolicy, grace: i64) {
    patch(
        w,
        quiz,
        AssessmentPatch {
            time_limit_minutes: Some(Some(10)),
            time_limit_policy: Some(policy),
            grace_seconds: Some(grace),
            ..Default::default()
        },
    )
    .await;
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn autosubmit_closes_an_overdue_attempt_with_the_answers_saved_in_time(pool: PgPool) {
    let w = enrolled(&pool).await;
    timed(&w, w.quiz1, TimeLimitPolicy::Autosubmit, 30).await;
    let me = w.lms.as_user(w.student);
    let started = me.start_attempt(w.quiz1).await.unwrap().attempt;
    me.save_answers(w.quiz1, &answers(2)).await.unwrap();
    // started 15 minutes ago, q1 saved at once, q2 saved 12 minutes in (after the cutoff)
    backdate(&pool, started.id, 15).await;
    answered_later(&pool, started.id, "q2", 12).await;

    let closed = w.lms.as_service().close_overdue_attempts(10).await.unwrap();
    assert_eq!(closed.closed.len(), 1, "{closed:?}");
    assert_eq!(closed.closed[0].attempt_id, started.id);
    assert_eq!(closed.closed[0].closed_as, ClosedAs::Submitted);
    let row = attempt_row(&pool, started.id).await;
    // submitted at its deadline; q1 counts, q2 (too late) does not
    assert_eq!(
        row.submitted_at,
        Some(row.started_at + Duration::minutes(10))
    );
    assert_eq!(row.abandoned_at, None);
    assert_eq!((row.score, row.passed), (Some(50), Some(false)));
    let p = progress(&w, w.student, w.quiz1).await;
    assert_eq!((p.attempts_count, p.best_score), (1, Some(50)));
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_grace_period_allows_submitting_but_not_answering_then_abandons(pool: PgPool) {
    let w = enrolled(&pool).await;
    // 10 minutes, then 10 minutes to submit
    timed(&w, w.quiz1, TimeLimitPolicy::GracePeriod, 600).await;
    let me = w.lms.as_user(w.student);

    let first = me.start_attempt(w.quiz1).await.unwrap().attempt;
    me.save_answers(w.quiz1, &q1_right()).await.unwrap();
    // 12 minutes in: past the deadline, within the grace
    backdate(&pool, first.id, 12).await;
    let saving = me.save_answers(w.quiz1, &answers(2)).await.unwrap_err();
    assert_eq!(saving.code(), "time_limit_exceeded", "{saving}");
    // answering is over: the questions are no longer shown, neither to a resumed start
    // nor to a direct read, but the attempt is still there to submit
    let resumed = me.start_attempt(w.quiz1).await.unwrap();
    assert!(resumed.resumed);
    assert_eq!(resumed.attempt.id, first.id);
    assert_eq!(resumed.questions, json!([]));
    let read = me.assessment_questions(w.quiz1).await.unwrap_err();
    assert_eq!(read.code(), "attempt_not_started", "{read}");
    let submitted = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert_eq!(submitted.attempt.id, first.id);
    assert!(!submitted.late);
    // what was saved in time counts (q1), what is sent now does not (q2)
    assert_eq!(submitted.attempt.score, Some(50));
    assert!(
        submitted.dropped_answers.contains(&"q2".to_owned()),
        "{submitted:?}"
    );
    assert_eq!(submitted.attempt.abandoned_at, None);

    // the next attempt, 25 minutes in: past the grace
    let second = me.start_attempt(w.quiz1).await.unwrap().attempt;
    assert_eq!(second.attempt_number, 2);
    me.save_answers(w.quiz1, &answers(2)).await.unwrap();
    backdate(&pool, second.id, 25).await;
    let late = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap_err();
    assert_eq!(late.code(), "time_limit_exceeded", "{late}");
    let row = attempt_row(&pool, second.id).await;
    assert_eq!(
        row.abandoned_at,
        Some(row.started_at + Duration::minutes(20))
    );
    assert_eq!(
        (row.submitted_at, row.score, row.passed),
        (None, None, None)
    );
    // abandoned counts as an attempt, never as a grade
    let p = progress(&w, w.student, w.quiz1).await;
    assert_eq!((p.attempts_count, p.best_score), (2, Some(50)));
    // and it is not open any more: starting makes attempt 3
    let third = me.start_attempt(w.quiz1).await.unwrap();
    assert_eq!(third.attempt.attempt_number, 3);
    assert!(!third.resumed);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn abandon_abandons_a_late_submission(pool: PgPool) {
    let w = enrolled(&pool).await;
    timed(&w, w.quiz1, TimeLimitPolicy::Abandon, 30).await;
    let me = w.lms.as_user(w.student);
    let started = me.start_attempt(w.quiz1).await.unwrap().attempt;
    me.save_answers(w.quiz1, &answers(2)).await.unwrap();
    backdate(&pool, started.id, 11).await;
    let late = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap_err();
    assert_eq!(late.code(), "time_limit_exceeded", "{late}");
    let row = attempt_row(&pool, started.id).await;
    assert_eq!(
        row.abandoned_at,
        Some(row.started_at + Duration::seconds(630))
    );
    assert_eq!((row.submitted_at, row.score), (None, None));
    let p = progress(&w, w.student, w.quiz1).await;
    assert_eq!((p.attempts_count, p.best_score), (1, None));
    // within the time, the same policy accepts a submission
    let next = me.start_attempt(w.quiz1).await.unwrap().attempt;
    let ok = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert_eq!((ok.attempt.id, ok.attempt.score), (next.id, Some(100)));
}

// the overdue sweep ---------------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn close_overdue_attempts_closes_each_by_its_policy_once(pool: PgPool) {
    let w = enrolled(&pool).await;
    timed(&w, w.quiz1, TimeLimitPolicy::Autosubmit, 30).await;
    timed(&w, w.final_exam, TimeLimitPolicy::Abandon, 30).await;
    let sam = w.lms.as_user(w.student);
    let kim = w.lms.as_user(w.other_student);
    let sam_quiz = sam.start_attempt(w.quiz1).await.unwrap().attempt;
    sam.save_answers(w.quiz1, &q1_right()).await.unwrap();
    let kim_quiz = kim.start_attempt(w.quiz1).await.unwrap().attempt;
    let sam_final = sam.start_attempt(w.final_exam).await.unwrap().attempt;
    // kim's final runs: not due
    let kim_final = kim.start_attempt(w.final_exam).await.unwrap().attempt;
    for a in [&sam_quiz, &kim_quiz, &sam_final] {
        backdate(&pool, a.id, 60).await;
    }

    // the service only; the limit in 1..=10000
    for who in [w.student, w.instructor, w.admin] {
        let err = w
            .lms
            .as_user(who)
            .close_overdue_attempts(10)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "forbidden", "{err}");
    }
    let service = w.lms.as_service();
    for limit in [0, 10_001] {
        let err = service.close_overdue_attempts(limit).await.unwrap_err();
        assert_eq!(err.code(), "invalid_document", "{limit}: {err}");
    }
    assert!(attempt_row(&pool, sam_quiz.id).await.submitted_at.is_none());

    let closed = service.close_overdue_attempts(100).await.unwrap();
    assert_eq!(closed.busy, 0);
    let mut got: Vec<(AttemptId, ClosedAs)> = closed
        .closed
        .iter()
        .map(|c| (c.attempt_id, c.closed_as))
        .collect();
    got.sort_by_key(|c| c.0 .0);
    let mut want = vec![
        (sam_quiz.id, ClosedAs::Submitted),
        (kim_quiz.id, ClosedAs::Submitted),
        (sam_final.id, ClosedAs::Abandoned),
    ];
    want.sort_by_key(|c| c.0 .0);
    assert_eq!(got, want);

    let row = attempt_row(&pool, sam_quiz.id).await;
    assert_eq!((row.score, row.submitted_at.is_some()), (Some(50), true));
    let row = attempt_row(&pool, kim_quiz.id).await;
    assert_eq!((row.score, row.submitted_at.is_some()), (Some(0), true));
    let row = attempt_row(&pool, sam_final.id).await;
    assert_eq!((row.score, row.submitted_at), (None, None));
    assert!(row.abandoned_at.is_some());
    let row = attempt_row(&pool, kim_final.id).await;
    assert_eq!(
        (row.submitted_at, row.abandoned_at),
        (None, None),
        "not due"
    );
    // progress follows
    let p = progress(&w, w.student, w.quiz1).await;
    assert_eq!((p.attempts_count, p.best_score), (1, Some(50)));
    let p = progress(&w, w.other_student, w.quiz1).await;
    assert_eq!((p.attempts_count, p.best_score), (1, Some(0)));
    let p = progress(&w, w.student, w.final_exam).await;
    assert_eq!((p.attempts_count, p.best_score), (1, None));

    // idempotent
    let again = service.close_overdue_attempts(100).await.unwrap();
    assert!(again.closed.is_empty(), "{again:?}");
    assert_eq!(again.busy, 0);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn two_concurrent_sweeps_close_each_attempt_exactly_once(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    timed(&w, w.quiz1, TimeLimitPolicy::Autosubmit, 30).await;
    let mut due = BTreeSet::new();
    for i in 0..12 {
        let student = world::user(&pool, &format!("student{i}@example.org"), "student").await;
        let me = w.lms.as_user(student);
        me.enroll(w.course).await.unwrap();
        let attempt = me.start_attempt(w.quiz1).await.unwrap().attempt;
        me.save_answers(w.quiz1, &q1_right()).await.unwrap();
        backdate(&pool, attempt.id, 60).await;
        due.insert(attempt.id.0);
    }
    let (one, two) = (w.lms.as_service(), w.lms.as_service());
    let mut closed: Vec<Uuid> = Vec::new();
    // small batches, both workers at once, until neither finds anything
    loop {
        let (a, b) = tokio::join!(one.close_overdue_attempts(3), two.close_overdue_attempts(3));
        let (a, b) = (a.unwrap(), b.unwrap());
        // one attempt per student: no worker ever waits for a busy student
        assert_eq!((a.busy, b.busy), (0, 0));
        if a.closed.is_empty() && b.closed.is_empty() {
            break;
        }
        closed.extend(a.closed.iter().chain(&b.closed).map(|c| c.attempt_id.0));
    }
    let distinct: BTreeSet<Uuid> = closed.iter().copied().collect();
    assert_eq!(distinct.len(), closed.len(), "closed twice: {closed:?}");
    assert_eq!(distinct, due);
    let scores: Vec<(Option<i32>, i32)> = sqlx::query_as(
        "select t.score, p.attempts_count from assessment_attempts t \
           join student_progress p on p.student_id = t.student_id and p.assessment_id = t.assessment_id \
          where t.assessment_id = $1",
    )
    .bind(w.quiz1.0)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(scores, vec![(Some(50), 1); 12]);
}

// manual override -----------------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_instructor_overrides_a_questions_points(pool: PgPool) {
    let w = enrolled(&pool).await;
    let me = w.lms.as_user(w.student);
    // q1 right, q2 wrong: 1 of 2
    let attempt = me
        .submit_attempt(w.quiz1, &answers(1))
        .await
        .unwrap()
        .attempt;
    assert_eq!((attempt.score, attempt.passed), (Some(50), Some(false)));

    for who in [w.student, w.other_instructor] {
        let err = w
            .lms
            .as_user(who)
            .override_question(attempt.id, "q2", 1.0, None)
            .await
            .unwrap_err();
        assert!(
            err.code() == "forbidden" || err.code() == "not_found",
            "{err}"
        );
    }
    let author = w.lms.as_user(w.instructor);
    for bad in [1.5, -0.25, f64::NAN] {
        let err = author
            .override_question(attempt.id, "q2", bad, None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_document", "{bad}: {err}");
    }
    assert_eq!(attempt_row(&pool, attempt.id).await.score, Some(50));

    let since = Utc::now() - Duration::seconds(5);
    let overridden = author
        .override_question(attempt.id, "q2", 0.75, Some("Right idea, wrong word."))
        .await
        .unwrap();
    // 1.75 of 2 = 87.5 %: 87, passes 70
    assert_eq!(overridden.exact_points_earned, Some(points(1.75)));
    assert_eq!(overridden.points_earned, Some(1));
    assert_eq!(
        (overridden.score, overridden.passed),
        (Some(87), Some(true))
    );
    let q2 = overridden.feedback.as_ref().unwrap()["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["question_id"] == "q2")
        .unwrap()
        .clone();
    assert_eq!(q2["points_earned"], json!(0.75));
    assert_eq!(q2["grader_comment"], "Right idea, wrong word.");
    assert_eq!(q2["manual"], true);
    let row = attempt_row(&pool, attempt.id).await;
    assert_eq!(row.exact_points_earned.as_deref(), Some("1.750000"));
    let p = progress(&w, w.student, w.quiz1).await;
    assert_eq!(
        (p.best_score, p.status),
        (Some(87), ProgressStatus::Completed)
    );
    assert_eq!(gradebook(&w, w.student, w.quiz1).await, (Some(87), true));

    // audited in the instructor's name
    let log = w
        .lms
        .as_user(w.admin)
        .audit_log(
            &AuditFilter {
                table_name: Some("assessment_attempts".into()),
                row_id: Some(attempt.id.0),
                action: Some(AuditAction::Update),
                since: Some(since),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    let entry = log
        .items
        .iter()
        .find(|e| {
            e.new_data
                .as_ref()
                .is_some_and(|d| d.get("score") == Some(&json!(87)))
        })
        .unwrap_or_else(|| panic!("no audited override: {:?}", log.items));
    assert_eq!(entry.actor_id, Some(w.instructor));

    // a regrade keeps the override, even when the key changes under it
    set_questions(&w, w.quiz1, questions_with_false_key()).await;
    author.regrade_assessment(w.quiz1, false).await.unwrap();
    let row = attempt_row(&pool, attempt.id).await;
    assert_eq!(row.exact_points_earned.as_deref(), Some("1.750000"));
    assert_eq!((row.score, row.questions_version), (Some(87), 2));
}

// concurrency ---------------------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_regrade_racing_submissions_loses_neither(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let mut early = Vec::new();
    for i in 0..4 {
        let s = world::user(&pool, &format!("early{i}@example.org"), "student").await;
        let me = w.lms.as_user(s);
        me.enroll(w.course).await.unwrap();
        // 1 of 2 under the first key, 2 of 2 under the second
        let a = me.submit_attempt(w.quiz1, &answers(1)).await.unwrap();
        early.push((s, a.attempt.id));
    }
    // one started before the edit (its attempt keeps version 1), others after it
    let opened = world::user(&pool, "opened@example.org", "student").await;
    w.lms.as_user(opened).enroll(w.course).await.unwrap();
    let open = w
        .lms
        .as_user(opened)
        .start_attempt(w.quiz1)
        .await
        .unwrap()
        .attempt;
    set_questions(&w, w.quiz1, questions_with_false_key()).await;
    let mut late = Vec::new();
    for i in 0..3 {
        let s = world::user(&pool, &format!("late{i}@example.org"), "student").await;
        w.lms.as_user(s).enroll(w.course).await.unwrap();
        late.push(s);
    }

    let author = w.lms.as_user(w.instructor);
    let quiz = w.quiz1;
    let submissions =
        futures_util::future::join_all(std::iter::once(opened).chain(late.iter().copied()).map(
            |s| {
                let me: Scope = w.lms.as_user(s);
                async move { me.submit_attempt(quiz, &answers(2)).await }
            },
        ));
    let (report, submitted) = tokio::join!(author.regrade_assessment(w.quiz1, false), submissions);
    let report = report.unwrap();
    let submitted: Vec<_> = submitted.into_iter().map(Result::unwrap).collect();
    assert_eq!(submitted.len(), 4);

    // every early attempt is regraded: version 2, 100
    for (s, id) in &early {
        let row = attempt_row(&pool, *id).await;
        assert_eq!((row.questions_version, row.score), (2, Some(100)), "{s}");
        assert_eq!(progress(&w, *s, w.quiz1).await.best_score, Some(100));
    }
    // every submission is there with its score: the late ones under version 2 (q2 =
    // true is wrong: 50); the one opened before the edit by its own version 1 (100),
    // or, when the regrade came after it, regraded to version 2 (50)
    for s in &late {
        let rows = attempts(&pool, *s, w.quiz1).await;
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].questions_version, rows[0].score), (2, Some(50)));
        assert_eq!(progress(&w, *s, w.quiz1).await.best_score, Some(50));
    }
    let row = attempt_row(&pool, open.id).await;
    assert!(row.submitted_at.is_some());
    let regraded_it = report.changes.iter().any(|c| c.attempt_id == open.id);
    let expected = if regraded_it {
        (2, Some(50))
    } else {
        (1, Some(100))
    };
    assert_eq!((row.questions_version, row.score), expected, "{report:?}");
    assert_eq!(progress(&w, opened, w.quiz1).await.best_score, row.score);
}

// the database's own guard ----------------------------------------------------------------

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn students_can_neither_read_nor_write_question_versions_or_the_new_columns(pool: PgPool) {
    let w = enrolled(&pool).await;
    let attempt = submitted(&w, w.student, w.quiz1, 1).await;
    // the answer keys of every version stay hidden: the table's policy is the staff's
    assert_eq!(
        count_as(
            &pool,
            w.student,
            "select count(*) from assessment_question_versions",
        )
        .await
        .map_err(|(code, message)| format!("{code}: {message}")),
        Ok(0)
    );
    let denied = Err("42501".to_owned());
    let q = w.quiz1.0;
    for sql in [
        format!(
            "insert into assessment_question_versions (assessment_id, version, questions) \
             values ('{q}', 9, '[]')"
        ),
        "update assessment_question_versions set questions = '[]'".to_owned(),
        "delete from assessment_question_versions".to_owned(),
        format!(
            "update assessment_attempts set exact_points_earned = 2 where id = '{}'",
            attempt.id
        ),
        format!(
            "update assessment_attempts set abandoned_at = now() where id = '{}'",
            attempt.id
        ),
        format!(
            "update assessment_attempts set questions_version = 1 where id = '{}'",
            attempt.id
        ),
        format!("update assessments set questions_version = 7 where id = '{q}'"),
    ] {
        assert_eq!(run_as(&pool, w.student, &[], &sql).await, denied, "{sql}");
    }
    // the policy columns: granted to authors, no row of a student's
    for sql in [
        format!("update assessments set retake_policy = 'forbid' where id = '{q}'"),
        format!(
            "update assessments set grading_method = 'first', grace_seconds = 0 where id = '{q}'"
        ),
        format!("update assessments set attempt_delay_seconds = 86400 where id = '{q}'"),
    ] {
        let outcome = run_as(&pool, w.student, &[], &sql).await;
        assert!(outcome == Ok(0) || outcome == denied, "{sql}: {outcome:?}");
    }
    let policy: (String, String, i32, i32) = sqlx::query_as(
        "select retake_policy, grading_method, grace_seconds, attempt_delay_seconds \
           from assessments where id = $1",
    )
    .bind(q)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(policy, ("allow".into(), "highest".into(), 30, 0));
    let row = attempt_row(&pool, attempt.id).await;
    assert_eq!(
        (
            row.exact_points_earned.as_deref(),
            row.abandoned_at,
            row.questions_version
        ),
        (Some("1.000000"), None, 1)
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_direct_edit_of_the_questions_makes_a_version_the_instructor_can_read(pool: PgPool) {
    let w = enrolled(&pool).await;
    let q = w.quiz1.0;
    // the instructor edits through SQL, with the library's receipt for the document
    let edited = questions_with_false_key().to_string();
    let updated = run_as(
        &pool,
        w.instructor,
        &[("assessments.questions", &edited)],
        &format!("update assessments set questions = '{edited}' where id = '{q}'"),
    )
    .await;
    assert_eq!(updated, Ok(1));
    // the trigger bumped the version and kept it (read as the superuser)
    let (version, kept): (i32, i64) = sqlx::query_as(
        "select a.questions_version, \
                (select count(*) from assessment_question_versions v \
                  where v.assessment_id = a.id and v.version = a.questions_version \
                    and v.questions = a.questions) \
           from assessments a where a.id = $1",
    )
    .bind(q)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((version, kept), (2, 1));
    // a change of anything but the questions keeps the version
    let retitled = run_as(
        &pool,
        w.instructor,
        &[],
        &format!(
            "update assessments set title = 'Renamed', grading_method = 'last' where id = '{q}'"
        ),
    )
    .await;
    assert_eq!(retitled, Ok(1));
    // the version is the trigger's, never the client's
    for sql in [
        format!("update assessments set questions_version = 1 where id = '{q}'"),
        format!("update assessments set questions_version = 99 where id = '{q}'"),
    ] {
        assert_eq!(
            run_as(&pool, w.instructor, &[], &sql).await,
            Err("42501".to_owned()),
            "{sql}"
        );
    }
    let version: i32 =
        sqlx::query_scalar("select questions_version from assessments where id = $1")
            .bind(q)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(version, 2);
    // a new attempt takes version 2
    let started = w
        .lms
        .as_user(w.student)
        .start_attempt(w.quiz1)
        .await
        .unwrap();
    assert_eq!(started.attempt.questions_version, 2);

    // the course's instructor reads both versions of the quiz, and all 4 of the course's
    // three assessments; another instructor none
    let of_quiz =
        format!("select count(*) from assessment_question_versions where assessment_id = '{q}'");
    assert_eq!(count_as(&pool, w.instructor, &of_quiz).await, Ok(2));
    assert_eq!(
        count_as(
            &pool,
            w.instructor,
            "select count(*) from assessment_question_versions"
        )
        .await,
        Ok(4)
    );
    assert_eq!(count_as(&pool, w.other_instructor, &of_quiz).await, Ok(0));
    assert_eq!(
        count_as(
            &pool,
            w.admin,
            "select count(*) from assessment_question_versions"
        )
        .await,
        Ok(4)
    );
}

/// A change of the passing score that commits while a submission waits for the student's
/// progress lock (as `update_assessment` holds it while it refreshes the students): the
/// submission is scored with the score in force when it got the lock. (Found by review:
/// the rules were once read before the lock.)
#[sqlx::test(migrations = "../migrations")]
async fn rules_are_read_after_the_progress_lock(pool: PgPool) {
    let w = enrolled(&pool).await;
    let me = w.lms.as_user(w.student);
    sqlx::query("update public.assessments set minimum_passing_score = 50 where id = $1")
        .bind(w.quiz1.0)
        .execute(&pool)
        .await
        .unwrap();
    // another transaction holds the student's progress lock and raises the bar to 100
    let mut other = world::hold_progress_lock(&pool, w.course, w.student).await;
    sqlx::query("update public.assessments set minimum_passing_score = 100 where id = $1")
        .bind(w.quiz1.0)
        .execute(&mut *other)
        .await
        .unwrap();
    let quiz = w.quiz1;
    let task = tokio::spawn(async move { me.submit_attempt(quiz, &answers(1)).await });
    assert!(world::someone_waits_for_a_lock(&pool).await);
    assert!(!task.is_finished(), "the submission waits for the lock");
    other.commit().await.unwrap();
    let submitted = task.await.unwrap().unwrap();
    assert_eq!(submitted.attempt.score, Some(50));
    assert_eq!(
        submitted.attempt.passed,
        Some(false),
        "scored against the bar of 100"
    );
    let row = progress(&w, w.student, w.quiz1).await;
    assert_ne!(row.status, ProgressStatus::Completed);
}

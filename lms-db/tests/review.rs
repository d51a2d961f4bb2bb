//! Review options (migration 20261203000020, `lms_core::delivery::ReviewOptions`): when a
//! student sees the score, each question's correctness, the feedback and the right
//! answers of a finished attempt — enforced by the database for raw SQL as for the
//! library, by the database's clock and the student's own close time.
#![allow(clippy::unwrap_used)]

mod world;

use chrono::{DateTime, Duration, Utc};
use lms_core::delivery::{reviewed_feedback, Accommodation, ReviewMoment, ReviewShown};
use lms_core::documents::{Document, Feedback};
use lms_core::model::*;
use lms_core::repo::AssessmentPatch;
use lms_db::NewAccommodation;
use serde_json::{json, Value};
use sqlx::PgPool;
use world::{answers, count_as, db_now, enrolled, World};

use ReviewMoment::{AfterClose, Immediately, Never};

/// Sets quiz1's review moments (score, correctness, feedback, answers) and close time.
async fn review(w: &World, moments: [ReviewMoment; 4], closes_at: Option<DateTime<Utc>>) {
    let [score, correctness, feedback, answers] = moments;
    let quiz = w
        .lms
        .as_user(w.instructor)
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                review_score: Some(score),
                review_correctness: Some(correctness),
                review_feedback: Some(feedback),
                review_answers: Some(answers),
                closes_at: Some(closes_at),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        [
            quiz.policy.review.score,
            quiz.policy.review.correctness,
            quiz.policy.review.feedback,
            quiz.policy.review.answers
        ],
        moments
    );
}

/// One JSON value `sql` selects as `user` through the API role, as a Supabase client.
async fn json_as(pool: &PgPool, user: UserId, sql: &str) -> Value {
    let mut tx = pool.begin().await.unwrap();
    world::common::act_as(
        &mut tx,
        "authenticated",
        json!({"sub": user.0, "role": "authenticated"}),
    )
    .await;
    sqlx::query_scalar::<_, Option<Value>>(sql)
        .fetch_optional(&mut *tx)
        .await
        .unwrap()
        .flatten()
        .unwrap_or(Value::Null)
}

/// The student's review row of their attempt at quiz1, in raw SQL.
async fn raw_review(pool: &PgPool, student: UserId, attempt: AttemptId) -> Value {
    json_as(
        pool,
        student,
        &format!(
            "select to_jsonb(r) from attempt_reviews r where id = '{}'",
            attempt.0
        ),
    )
    .await
}

/// Whether a question list carries any answer key.
fn has_keys(questions: &Value) -> bool {
    questions.as_array().unwrap().iter().any(|q| {
        q.get("correct").is_some()
            || q.get("explanation").is_some()
            || q["options"]
                .as_array()
                .is_some_and(|o| o.iter().any(|o| o.get("fraction").is_some()))
    })
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_student_sees_what_the_review_options_show_when_they_show_it(pool: PgPool) {
    let w = enrolled(&pool).await;
    let now = db_now(&pool).await;
    review(
        &w,
        [AfterClose, AfterClose, Never, AfterClose],
        Some(now + Duration::hours(1)),
    )
    .await;
    let sam = w.lms.as_user(w.student);
    let done = sam.submit_attempt(w.quiz1, &answers(1)).await.unwrap();
    let id = done.attempt.id;
    // what the submission returns: neither score nor feedback
    assert_eq!(
        (
            done.attempt.score,
            done.attempt.passed,
            &done.attempt.feedback
        ),
        (None, None, &None)
    );
    assert_eq!(done.attempt.total_points, Some(2));
    let mine = sam.my_attempts(w.quiz1).await.unwrap();
    assert_eq!(
        (mine.len(), mine[0].score, &mine[0].feedback),
        (1, None, &None)
    );
    let r = sam.attempt_review(id).await.unwrap();
    assert_eq!(r.shown, ReviewShown::default());
    assert_eq!(r.attempt.score, None);
    let fb = r.feedback.clone().unwrap();
    for q in fb["questions"].as_array().unwrap() {
        assert!(
            q.get("outcome").is_none() && q.get("points_earned").is_none(),
            "{q}"
        );
        assert!(
            q.get("explanation").is_none() && q.get("message").is_none(),
            "{q}"
        );
        assert!(q.get("max_points").is_some());
    }
    assert!(fb["summary"].get("score").is_none() && fb["summary"].get("passed").is_none());
    assert_eq!(fb["summary"]["total_points"], 2);
    let questions = r.questions.unwrap();
    assert_eq!(questions.as_array().unwrap().len(), 2);
    assert!(!has_keys(&questions), "{questions}");

    // raw SQL as the student: the attempt's row and its item responses are not theirs to
    // read; its review hides the same
    let table = format!("select * from assessment_attempts where id = '{}'", id.0);
    let items = format!(
        "select * from assessment_item_responses where attempt_id = '{}'",
        id.0
    );
    assert_eq!(count_as(&pool, w.student, &table).await, 0);
    assert_eq!(count_as(&pool, w.student, &items).await, 0);
    let raw = raw_review(&pool, w.student, id).await;
    assert_eq!(raw["score"], Value::Null);
    assert_eq!(raw["passed"], Value::Null);
    assert_eq!(raw["feedback"], Value::Null);
    assert_eq!(raw["reviewed_feedback"], fb);
    assert!(!has_keys(&raw["questions"]));
    // nor does a condition of theirs run before the view's filter (security barrier):
    // another student sees nothing of it
    assert_eq!(raw_review(&pool, w.other_student, id).await, Value::Null);
    // the course's staff see everything
    let theirs = raw_review(&pool, w.instructor, id).await;
    assert_eq!(theirs["score"], 50);
    assert!(has_keys(&theirs["questions"]));
    assert_eq!(count_as(&pool, w.instructor, &table).await, 1);
    assert_eq!(count_as(&pool, w.instructor, &items).await, 1);
    let staff = w
        .lms
        .as_user(w.instructor)
        .attempt_review(id)
        .await
        .unwrap();
    assert_eq!(staff.shown, ReviewShown::ALL);
    assert_eq!(staff.attempt.score, Some(50));

    // closed now: score, correctness and the right answers show; the feedback never
    review(
        &w,
        [AfterClose, AfterClose, Never, AfterClose],
        Some(db_now(&pool).await - Duration::seconds(1)),
    )
    .await;
    let r = sam.attempt_review(id).await.unwrap();
    assert_eq!(
        r.shown,
        ReviewShown {
            score: true,
            correctness: true,
            feedback: false,
            answers: true
        }
    );
    assert_eq!((r.attempt.score, r.attempt.passed), (Some(50), Some(false)));
    // the results are not shown whole: no feedback document, no row in the table
    assert_eq!(r.attempt.feedback, None);
    assert_eq!(count_as(&pool, w.student, &table).await, 0);
    let fb = r.feedback.unwrap();
    // answers(1): q1 right, q2 wrong
    assert_eq!(fb["questions"][0]["outcome"], "correct");
    assert_eq!(fb["questions"][1]["outcome"], "incorrect");
    assert!(fb["questions"][0].get("explanation").is_none());
    assert_eq!(fb["summary"]["score"], 50);
    let questions = r.questions.unwrap();
    assert!(has_keys(&questions));
    assert_eq!(questions[0]["options"][1]["fraction"], 1.0);
    // in raw SQL the same
    let raw = raw_review(&pool, w.student, id).await;
    assert_eq!(raw["score"], 50);
    assert!(has_keys(&raw["questions"]));

    // the feedback shown immediately too: the attempt is theirs to read whole again
    review(
        &w,
        [AfterClose, AfterClose, Immediately, AfterClose],
        Some(db_now(&pool).await - Duration::seconds(1)),
    )
    .await;
    assert_eq!(count_as(&pool, w.student, &table).await, 1);
    assert_eq!(count_as(&pool, w.student, &items).await, 1);
    let mine = sam.my_attempts(w.quiz1).await.unwrap();
    let whole = Feedback::validate(mine[0].feedback.as_ref().unwrap()).unwrap();
    assert_eq!(
        whole.questions[0].explanation.as_deref(),
        Some("A reference borrows.")
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_later_close_keeps_one_students_review_closed(pool: PgPool) {
    let w = enrolled(&pool).await;
    let now = db_now(&pool).await;
    review(&w, [AfterClose; 4], Some(now + Duration::hours(1))).await;
    let sam = w.lms.as_user(w.student);
    let kim = w.lms.as_user(w.other_student);
    let sams = sam
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap()
        .attempt
        .id;
    let kims = kim
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap()
        .attempt
        .id;
    // Sam may work a day past the close
    w.lms
        .as_user(w.instructor)
        .set_accommodation(NewAccommodation {
            course_id: w.course,
            student_id: w.student,
            assessment_id: Some(w.quiz1),
            accommodation: Accommodation {
                closes_at: Some(now + Duration::days(1)),
                ..Default::default()
            },
        })
        .await
        .unwrap();
    review(
        &w,
        [AfterClose; 4],
        Some(db_now(&pool).await - Duration::seconds(1)),
    )
    .await;
    // closed for Kim: all of it; not for Sam
    assert_eq!(
        kim.attempt_review(kims).await.unwrap().shown,
        ReviewShown::ALL
    );
    let r = sam.attempt_review(sams).await.unwrap();
    assert_eq!(r.shown, ReviewShown::default());
    assert!(!has_keys(r.questions.as_ref().unwrap()));
    assert_eq!(
        raw_review(&pool, w.student, sams).await["score"],
        Value::Null
    );
    assert_eq!(raw_review(&pool, w.other_student, kims).await["score"], 100);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn hidden_results_still_count(pool: PgPool) {
    let w = enrolled(&pool).await;
    review(&w, [Never, Never, Never, Never], None).await;
    w.lms
        .as_user(w.instructor)
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                max_attempts: Some(Some(1)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let sam = w.lms.as_user(w.student);
    let done = sam.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert_eq!(done.attempt.score, None);
    // the limit counts the attempt the student may not read
    let e = sam.start_attempt(w.quiz1).await.unwrap_err();
    assert_eq!(
        e.body().code,
        lms_core::ErrorCode::AttemptLimitReached,
        "{e}"
    );
    let e = sam.submit_attempt(w.quiz1, &answers(2)).await.unwrap_err();
    assert_eq!(
        e.body().code,
        lms_core::ErrorCode::AttemptLimitReached,
        "{e}"
    );
    // the gradebook's side: progress and the dashboard count it
    let progress = sam.my_progress(w.course).await.unwrap();
    let quiz = progress
        .iter()
        .find(|p| p.assessment_id == Some(w.quiz1))
        .unwrap();
    assert_eq!((quiz.attempts_count, quiz.best_score), (1, Some(100)));
    let dashboard = sam.student_dashboard().await.unwrap();
    let row = dashboard
        .assessments
        .iter()
        .find(|a| a.assessment_id == w.quiz1)
        .unwrap();
    assert_eq!((row.attempts, row.submitted), (1, 1));
    // the GDPR export has every attempt, as the student may see it
    let export = sam.export_user_data(w.student).await.unwrap();
    assert_eq!(export.tables["assessment_attempts"], json!([]));
    let reviews = export.tables["attempt_reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0]["score"], Value::Null);
    let all = w
        .lms
        .as_user(w.admin)
        .export_user_data(w.student)
        .await
        .unwrap();
    assert_eq!(all.tables["attempt_reviews"][0]["score"], 100);
}

/// The database's `lms_private.reviewed_feedback` leaves out what
/// `lms_core::delivery::reviewed_feedback` does, for every combination shown.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_database_reviews_feedback_as_the_rule_does(pool: PgPool) {
    let w = enrolled(&pool).await;
    let done = w
        .lms
        .as_user(w.student)
        .submit_attempt(w.quiz1, &answers(1))
        .await
        .unwrap();
    // an override: a manual grade with the grader's comment
    let overridden = w
        .lms
        .as_user(w.instructor)
        .override_question(done.attempt.id, "q2", 0.5, Some("nearly"))
        .await
        .unwrap();
    let stored = overridden.feedback.unwrap();
    let feedback = Feedback::validate(&stored).unwrap();
    assert!(feedback.questions[0].explanation.is_some());
    assert!(feedback.questions[1].manual && feedback.questions[1].grader_comment.is_some());
    // everything shown: the document whole (the list of fields is complete)
    assert_eq!(reviewed_feedback(&feedback, ReviewShown::ALL), stored);
    // the message names the outcome: hidden with the correctness, as are the points
    let partial = reviewed_feedback(
        &feedback,
        ReviewShown {
            score: true,
            correctness: false,
            feedback: true,
            answers: false,
        },
    );
    for q in partial["questions"].as_array().unwrap() {
        assert!(
            q.get("message").is_none() && q.get("points_earned").is_none(),
            "{q}"
        );
    }
    assert_eq!(partial["questions"][1]["grader_comment"], "nearly");
    assert_eq!(partial["summary"]["score"], 75);
    for bits in 0..8u8 {
        let shown = ReviewShown {
            score: bits & 1 != 0,
            correctness: bits & 2 != 0,
            feedback: bits & 4 != 0,
            answers: false,
        };
        let db: Value = sqlx::query_scalar("select lms_private.reviewed_feedback($1, $2, $3, $4)")
            .bind(&stored)
            .bind(shown.score)
            .bind(shown.correctness)
            .bind(shown.feedback)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(db, reviewed_feedback(&feedback, shown), "{shown:?}");
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_review_moment_is_one_of_three(pool: PgPool) {
    let w = enrolled(&pool).await;
    let e = world::raw_as(
        &pool,
        w.instructor,
        &format!(
            "update assessments set review_answers = 'sometimes' where id = '{}'",
            w.quiz1.0
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(e, "23514");
    // a student writes no review option
    let e = world::raw_as(
        &pool,
        w.student,
        &format!(
            "update assessments set review_answers = 'immediately' where id = '{}'",
            w.quiz1.0
        ),
    )
    .await;
    assert_eq!(e, Ok(0));
    let still = format!(
        "select 1 from assessments where id = '{}' and review_answers = 'never'",
        w.quiz1.0
    );
    assert_eq!(count_as(&pool, w.student, &still).await, 1);
}

/// The student's knowledge trace, which they read (`roadmap_input`, their profile),
/// learns from an attempt only once its correctness is shown to them.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn hidden_correctness_is_no_evidence_until_shown(pool: PgPool) {
    let w = enrolled(&pool).await;
    w.lms
        .as_user(w.instructor)
        .update_lesson(
            w.lesson1,
            lms_core::repo::LessonPatch {
                learning_objectives: Some(vec!["ownership".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let now = db_now(&pool).await;
    review(
        &w,
        [Immediately, AfterClose, Immediately, Never],
        Some(now + Duration::hours(1)),
    )
    .await;
    let sam = w.lms.as_user(w.student);
    sam.submit_attempt(w.quiz1, &answers(1)).await.unwrap();
    let evidence = |input: &lms_core::roadmap::PlanInput| {
        serde_json::to_value(&input.knowledge).unwrap()["skills"]["ownership"]["evidence"]
            .as_i64()
            .unwrap_or(0)
    };
    assert_eq!(evidence(&sam.roadmap_input(w.course).await.unwrap()), 0);
    review(
        &w,
        [Immediately, AfterClose, Immediately, Never],
        Some(db_now(&pool).await - Duration::seconds(1)),
    )
    .await;
    // closed: both answers are evidence
    assert_eq!(evidence(&sam.roadmap_input(w.course).await.unwrap()), 2);
}

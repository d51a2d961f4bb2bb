//! The student journey through the use cases, each checked against the rows it leaves.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::model::*;
use sqlx::PgPool;
use world::{answers, count, world};

async fn lesson_status(pool: &PgPool, student: UserId, lesson: LessonId) -> (String, i32) {
    sqlx::query_as(
        "select status::text, completion_percentage from student_progress \
         where student_id = $1 and lesson_id = $2 and assessment_id is null",
    )
    .bind(student.0)
    .bind(lesson.0)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn enrolling_creates_initial_progress(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    let enrollment = me.enroll(w.course).await.unwrap();
    assert_eq!(enrollment.student_id, w.student);
    assert_eq!(enrollment.completed_at, None);
    assert_eq!(
        lesson_status(&pool, w.student, w.lesson1).await,
        ("not_started".into(), 0)
    );
    assert_eq!(
        lesson_status(&pool, w.student, w.lesson2).await,
        ("blocked".into(), 0)
    );
    // one row per lesson and per assessment
    assert_eq!(
        count(
            &pool,
            "select count(*) from student_progress where student_id = $1",
            w.student.0
        )
        .await,
        5
    );

    let again = me.enroll(w.course).await.unwrap_err();
    assert_eq!(again.code(), "already_enrolled", "{again}");
    assert_eq!(
        count(
            &pool,
            "select count(*) from enrollments where student_id = $1",
            w.student.0
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_whole_journey(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();

    // lesson 2 is locked
    let locked = me
        .record_content_progress(w.block3, &serde_json::json!({"completed": true}), 30)
        .await
        .unwrap_err();
    assert_eq!(locked.code(), "prerequisites_unmet", "{locked}");

    // study lesson 1
    let p = me
        .record_content_progress(
            w.block1,
            &serde_json::json!({"completed": true, "percent": 100}),
            60,
        )
        .await
        .unwrap();
    assert_eq!(p.status, ProgressStatus::InProgress);
    assert_eq!(p.completion_percentage, 40);
    assert_eq!(p.time_spent_seconds, 60);
    let p = me
        .record_content_progress(w.block2, &serde_json::json!({"completed": true}), 30)
        .await
        .unwrap();
    assert_eq!(p.completion_percentage, 80);
    assert_eq!(p.time_spent_seconds, 90);

    // fail, then pass the quiz
    let failed = me.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    assert_eq!(failed.attempt.attempt_number, 1);
    assert_eq!(failed.attempt.score, Some(0));
    assert_eq!(failed.attempt.passed, Some(false));
    assert!(failed.unlocked_lessons.is_empty());
    let passed = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert_eq!(passed.attempt.attempt_number, 2);
    assert_eq!(passed.attempt.score, Some(100));
    assert_eq!(passed.unlocked_lessons, vec![w.lesson2]);
    assert_eq!(
        lesson_status(&pool, w.student, w.lesson1).await,
        ("completed".into(), 100)
    );
    assert_eq!(
        lesson_status(&pool, w.student, w.lesson2).await,
        ("not_started".into(), 0)
    );
    let (count_, best): (i32, Option<i32>) = sqlx::query_as(
        "select attempts_count, best_score from student_progress \
         where student_id = $1 and assessment_id = $2",
    )
    .bind(w.student.0)
    .bind(w.quiz1.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((count_, best), (2, Some(100)));

    // passed: no retake once the instructor forbids it (retakes are allowed by default)
    w.lms
        .as_user(w.instructor)
        .update_assessment(
            w.quiz1,
            lms_core::repo::AssessmentPatch {
                retake_policy: Some(lms_core::attempts::RetakePolicy::Forbid),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let retake = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap_err();
    assert_eq!(retake.code(), "conflict", "{retake}");
    assert_eq!(retake.details()["reason"], "already_passed", "{retake}");

    // lesson 2, then the final exam completes the course
    me.record_content_progress(w.block3, &serde_json::json!({"completed": true}), 10)
        .await
        .unwrap();
    let l2 = me.submit_attempt(w.quiz2, &answers(2)).await.unwrap();
    assert!(!l2.course_completed);
    let done = me.submit_attempt(w.final_exam, &answers(2)).await.unwrap();
    assert!(done.course_completed);
    let completed_at: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("select completed_at from enrollments where student_id = $1")
            .bind(w.student.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(completed_at.is_some());
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn refused_enrolments_and_progress_write_nothing(pool: PgPool) {
    let w = world(pool.clone(), false).await;
    let me = w.lms.as_user(w.student);
    // a draft course is not in the catalog
    let draft = me.enroll(w.course).await.unwrap_err();
    assert!(
        ["forbidden", "not_found"].contains(&draft.code().as_str()),
        "{draft}"
    );
    assert_eq!(
        count(
            &pool,
            "select count(*) from enrollments where course_id = $1",
            w.course.0
        )
        .await,
        0
    );
    w.lms
        .as_user(w.instructor)
        .publish_course(w.course)
        .await
        .unwrap();
    let service = w.lms.as_service().enroll(w.course).await.unwrap_err();
    assert_eq!(service.code(), "forbidden", "{service}");

    // content of a course one is not enrolled in
    let stranger = me
        .record_content_progress(w.block1, &serde_json::json!({"completed": true}), 5)
        .await
        .unwrap_err();
    assert_eq!(stranger.code(), "not_enrolled", "{stranger}");

    me.enroll(w.course).await.unwrap();
    let cases = [
        (
            "not a progress document",
            serde_json::json!({"completed": "yes"}),
            5,
            "invalid_document",
        ),
        (
            "unknown field",
            serde_json::json!({"done": true}),
            5,
            "invalid_document",
        ),
        (
            "position after the end",
            serde_json::json!({"position_seconds": 90, "duration_seconds": 60}),
            5,
            "invalid_document",
        ),
        (
            "negative time",
            serde_json::json!({"completed": true}),
            -1,
            "invalid_document",
        ),
    ];
    for (name, data, seconds, code) in cases {
        let err = me
            .record_content_progress(w.block1, &data, seconds)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from learning_progress where student_id = $1",
            w.student.0
        )
        .await,
        0
    );
    assert_eq!(
        lesson_status(&pool, w.student, w.lesson1).await,
        ("not_started".into(), 0)
    );
}

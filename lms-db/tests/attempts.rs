//! Attempts: limits under concurrency, a killed connection, failure paths leaving no
//! row behind, time limits, and essay grading.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::model::*;
use lms_core::repo::{AssessmentOwner, AssessmentPatch};
use serde_json::json;
use sqlx::PgPool;
use world::{answers, count, world};

async fn attempts_of(
    pool: &PgPool,
    student: UserId,
    assessment: AssessmentId,
) -> Vec<(i32, Option<i32>)> {
    sqlx::query_as(
        "select attempt_number, score from assessment_attempts \
         where student_id = $1 and assessment_id = $2 order by attempt_number",
    )
    .bind(student.0)
    .bind(assessment.0)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn assessment_progress(
    pool: &PgPool,
    student: UserId,
    assessment: AssessmentId,
) -> (i32, Option<i32>) {
    sqlx::query_as(
        "select attempts_count, best_score from student_progress \
         where student_id = $1 and assessment_id = $2",
    )
    .bind(student.0)
    .bind(assessment.0)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn fifty_concurrent_submissions_store_exactly_max_attempts(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    // nobody passes (passing score 100, at most 1 of 2 right), so only the limit stops them
    w.lms
        .as_user(w.instructor)
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                minimum_passing_score: Some(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();

    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let me = me.clone();
            let quiz = w.quiz1;
            tokio::spawn(async move { me.submit_attempt(quiz, &answers(i % 2)).await })
        })
        .collect();
    let mut stored = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => stored += 1,
            Err(e) => {
                assert_eq!(e.code(), "attempt_limit_reached", "{e}");
                refused += 1;
            }
        }
    }
    assert_eq!((stored, refused), (3, 47));
    let rows = attempts_of(&pool, w.student, w.quiz1).await;
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3]);
    let max = rows.iter().filter_map(|r| r.1).max();
    assert_eq!(
        assessment_progress(&pool, w.student, w.quiz1).await,
        (3, max)
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_connection_killed_mid_submission_leaves_nothing_behind(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    me.record_content_progress(w.block1, &json!({"completed": true}), 5)
        .await
        .unwrap();
    me.record_content_progress(w.block2, &json!({"completed": true}), 5)
        .await
        .unwrap();

    // Hold the lesson's progress row: the submission writes its attempt, then waits here
    // when it comes to complete the lesson.
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query(
        "select 1 from student_progress where student_id = $1 and lesson_id = $2 \
         and assessment_id is null for update",
    )
    .bind(w.student.0)
    .bind(w.lesson1.0)
    .execute(&mut *blocker)
    .await
    .unwrap();
    let quiz = w.quiz1;
    let submitting = tokio::spawn({
        let me = me.clone();
        async move { me.submit_attempt(quiz, &answers(2)).await }
    });
    let victim: i32 = loop {
        let waiting: Option<i32> = sqlx::query_scalar(
            "select pid from pg_stat_activity where datname = current_database() \
             and wait_event_type = 'Lock' and pid <> pg_backend_pid() limit 1",
        )
        .fetch_optional(&pool)
        .await
        .unwrap();
        if let Some(pid) = waiting {
            break pid;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    // the submission got as far as writing its attempt before it blocked
    let in_flight: Vec<String> =
        sqlx::query_scalar("select query from pg_stat_activity where pid = $1")
            .bind(victim)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(in_flight[0].contains("student_progress"), "{in_flight:?}");
    let killed: bool = sqlx::query_scalar("select pg_terminate_backend($1)")
        .bind(victim)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(killed);
    let outcome = submitting.await.unwrap();
    assert_eq!(outcome.unwrap_err().code(), "database");
    blocker.rollback().await.unwrap();

    assert!(attempts_of(&pool, w.student, w.quiz1).await.is_empty());
    assert_eq!(
        assessment_progress(&pool, w.student, w.quiz1).await,
        (0, None)
    );
    let status: String = sqlx::query_scalar(
        "select status::text from student_progress where student_id = $1 and lesson_id = $2 \
         and assessment_id is null",
    )
    .bind(w.student.0)
    .bind(w.lesson1.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(status, "in_progress");

    // and the student can still submit afterwards
    let retry = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert_eq!(retry.attempt.attempt_number, 1);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn refused_submissions_write_nothing(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    let stranger = w.lms.as_user(w.other_student);
    me.enroll(w.course).await.unwrap();

    let cases: Vec<(&str, lms_db::Scope, AssessmentId, serde_json::Value, &str)> = vec![
        (
            "unknown question",
            me.clone(),
            w.quiz1,
            json!({"nope": {"type": "true_false", "value": true}}),
            "invalid_document",
        ),
        (
            "answer of the wrong kind",
            me.clone(),
            w.quiz1,
            json!({"q1": {"type": "true_false", "value": true}}),
            "invalid_document",
        ),
        (
            "unknown option",
            me.clone(),
            w.quiz1,
            json!({"q1": {"type": "multiple_choice", "selected": ["z"]}}),
            "invalid_document",
        ),
        (
            "not an answers document",
            me.clone(),
            w.quiz1,
            json!([1, 2]),
            "invalid_document",
        ),
        (
            "locked lesson",
            me.clone(),
            w.quiz2,
            answers(2),
            "prerequisites_unmet",
        ),
        (
            "not enrolled",
            stranger.clone(),
            w.quiz1,
            answers(2),
            "not_enrolled",
        ),
        (
            "the service is no student",
            w.lms.as_service(),
            w.quiz1,
            answers(2),
            "forbidden",
        ),
    ];
    for (name, scope, assessment, answers, code) in cases {
        let err = scope
            .submit_attempt(assessment, &answers)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from assessment_attempts where assessment_id = $1",
            w.quiz1.0
        )
        .await
            + count(
                &pool,
                "select count(*) from assessment_attempts where assessment_id = $1",
                w.quiz2.0
            )
            .await,
        0
    );
    assert_eq!(
        assessment_progress(&pool, w.student, w.quiz1).await,
        (0, None)
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_late_submission_keeps_only_answers_saved_in_time(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    world::set_time_limit(&w, w.quiz1, 1).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    // a timed quiz shows its questions only once the clock runs
    let early = me.assessment_questions(w.quiz1).await.unwrap_err();
    assert_eq!(early.code(), "attempt_not_started", "{early}");
    let started = me.start_attempt(w.quiz1).await.unwrap();
    assert_eq!(started.questions[0]["prompt"], "Which one borrows?");
    assert!(started.questions[1].get("correct").is_none());
    assert!(!started.resumed);
    assert!(started.deadline.is_some());
    // resuming is idempotent
    let again = me.start_attempt(w.quiz1).await.unwrap();
    assert!(again.resumed);
    assert_eq!(again.attempt.id, started.attempt.id);

    me.save_answers(
        w.quiz1,
        &json!({"q1": {"type": "multiple_choice", "selected": ["b"]}}),
    )
    .await
    .unwrap();
    // ten minutes pass: move the attempt and its saved answer back in time
    sqlx::query(
        "update assessment_attempts set started_at = started_at - interval '10 minutes', \
           answers = jsonb_set(answers, '{q1,answered_at}', \
                               to_jsonb(now() - interval '9 minutes 30 seconds')) \
         where id = $1",
    )
    .bind(started.attempt.id.0)
    .execute(&pool)
    .await
    .unwrap();

    let late = me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    assert!(late.late);
    assert_eq!(late.dropped_answers, ["q2"]);
    // q1 (saved in time, right) counts, q2 (sent late) does not: 1 of 2
    assert_eq!(late.attempt.score, Some(50));
    assert_eq!(late.attempt.time_spent_seconds, Some(60));
    let deadline = late.attempt.started_at + chrono::Duration::minutes(1);
    assert_eq!(late.attempt.submitted_at, Some(deadline));
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn an_expired_open_attempt_is_closed_when_the_next_one_starts(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    world::set_time_limit(&w, w.quiz1, 5).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    let first = me.start_attempt(w.quiz1).await.unwrap();
    sqlx::query(
        "update assessment_attempts set started_at = started_at - interval '1 hour' where id = $1",
    )
    .bind(first.attempt.id.0)
    .execute(&pool)
    .await
    .unwrap();
    let saving = me.save_answers(w.quiz1, &answers(2)).await.unwrap_err();
    assert_eq!(saving.code(), "time_limit_exceeded", "{saving}");

    let second = me.start_attempt(w.quiz1).await.unwrap();
    assert_eq!(second.attempt.attempt_number, 2);
    let rows = attempts_of(&pool, w.student, w.quiz1).await;
    assert_eq!(rows, [(1, Some(0)), (2, None)]);
    assert_eq!(
        assessment_progress(&pool, w.student, w.quiz1).await,
        (2, Some(0))
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn essays_wait_for_the_instructors_grade(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let essay = w
        .lms
        .as_user(w.instructor)
        .create_assessment(lms_core::repo::NewAssessment {
            questions: json!([
                {"type": "true_false", "id": "tf", "prompt": "Rust has a GC.", "points": 2, "correct": false},
                {"type": "essay", "id": "why", "prompt": "Why ownership?", "points": 8}
            ]),
            ..world::new_quiz(AssessmentOwner::Course(w.course), "Essay exam")
        })
        .await
        .unwrap();
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    let answers = json!({"tf": {"type": "true_false", "value": false},
                         "why": {"type": "essay", "text": "It frees memory deterministically."}});
    // a second course assessment takes no attempts until it is the final one
    let spare = me.submit_attempt(essay.id, &answers).await.unwrap_err();
    assert_eq!(spare.code(), "forbidden", "{spare}");
    w.lms
        .as_user(w.instructor)
        .update_course(
            w.course,
            lms_core::repo::CoursePatch {
                final_assessment_id: Some(Some(essay.id)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let submitted = me.submit_attempt(essay.id, &answers).await.unwrap();
    assert_eq!(submitted.pending_review, ["why"]);
    assert_eq!(submitted.attempt.score, None);
    assert_eq!(submitted.attempt.passed, None);
    let attempt = submitted.attempt.id;

    for (who, code) in [(w.student, "forbidden"), (w.other_instructor, "forbidden")] {
        let err = w
            .lms
            .as_user(who)
            .grade_essay(attempt, "why", 8, None)
            .await
            .unwrap_err();
        assert!(err.code() == code || err.code() == "not_found", "{err}");
    }
    let author = w.lms.as_user(w.instructor);
    let err = author
        .grade_essay(attempt, "why", 9, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_document", "{err}");
    let err = author
        .grade_essay(attempt, "tf", 1, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_document", "{err}");

    let graded = author
        .grade_essay(attempt, "why", 6, Some("Good, name the borrow checker."))
        .await
        .unwrap();
    assert_eq!(graded.points_earned, Some(8));
    assert_eq!(graded.score, Some(80));
    assert_eq!(graded.passed, Some(true));
    assert_eq!(
        assessment_progress(&pool, w.student, essay.id).await,
        (1, Some(80))
    );
}

//! Course delivery (migration 20261202000014, `lms_core::delivery`): open, close and due
//! times by the database's clock, late policies with the raw result kept, accommodations
//! for one student, and the database's own guard of what a student sees.
#![allow(clippy::unwrap_used)]

mod world;

use chrono::{DateTime, Duration, Utc};
use lms_core::delivery::{Accommodation, Hundredths, LateInterval, LatePolicy};
use lms_core::model::*;
use lms_core::repo::{AssessmentPatch, CoursePatch, LessonPatch, Page};
use lms_db::{AuditFilter, NewAccommodation};
use serde_json::json;
use sqlx::PgPool;
use world::{answers, count_as, db_now, enrolled, other_course, raw_as, set_time_limit, World};

// helpers -------------------------------------------------------------------------------

async fn patch(w: &World, quiz: AssessmentId, patch: AssessmentPatch) -> Assessment {
    w.lms
        .as_user(w.instructor)
        .update_assessment(quiz, patch)
        .await
        .unwrap()
}

fn pct(v: f64) -> Hundredths {
    Hundredths::from_f64(v).unwrap()
}

fn late(deduction: f64, interval: LateInterval, floor: f64) -> LatePolicy {
    LatePolicy {
        deduction_percent: pct(deduction),
        interval,
        floor_percent: pct(floor),
        missing_percent: None,
    }
}

/// What `public.assessment_questions(quiz)` gives `student` in raw SQL, as a Supabase
/// client: `none`, or the number of questions.
async fn questions_seen(pool: &PgPool, student: UserId, quiz: AssessmentId) -> Option<usize> {
    let mut tx = pool.begin().await.unwrap();
    world::common::act_as(
        &mut tx,
        "authenticated",
        json!({"sub": student.0, "role": "authenticated"}),
    )
    .await;
    let q: Option<serde_json::Value> = sqlx::query_scalar("select public.assessment_questions($1)")
        .bind(quiz.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    q.map(|v| v.as_array().unwrap().len())
}

fn accommodation(
    w: &World,
    student: UserId,
    quiz: Option<AssessmentId>,
    a: Accommodation,
) -> NewAccommodation {
    NewAccommodation {
        course_id: w.course,
        student_id: student,
        assessment_id: quiz,
        accommodation: a,
    }
}

/// The student's best score at the assessment, as their progress holds it.
async fn best_score(w: &World, student: UserId, quiz: AssessmentId) -> Option<i32> {
    w.lms
        .as_user(student)
        .my_progress(w.course)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.assessment_id == Some(quiz))
        .and_then(|p| p.best_score)
}

// dates ---------------------------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn an_assessment_opens_and_closes_by_the_database_clock(pool: PgPool) {
    let w = enrolled(&pool).await;
    let now = db_now(&pool).await;
    let quiz = w.quiz1;
    let opens = now + Duration::hours(1);
    let stored = patch(
        &w,
        quiz,
        AssessmentPatch {
            opens_at: Some(Some(opens)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(stored.schedule.opens_at, Some(opens));
    let student = w.lms.as_user(w.student);
    let e = student.start_attempt(quiz).await.unwrap_err();
    assert_eq!(e.code(), "conflict");
    assert_eq!(e.body().details["reason"], "not_open");
    assert!(matches!(
        e,
        lms_db::Error::Core(lms_core::Error::AssessmentNotOpen { opens_at }) if opens_at == opens
    ));
    // a submission without a start is refused the same way, and a direct client sees
    // no question before the open time (the course's instructor does)
    let e = student.submit_attempt(quiz, &answers(2)).await.unwrap_err();
    assert_eq!(e.body().details["reason"], "not_open");
    assert_eq!(questions_seen(&pool, w.student, quiz).await, None);
    assert_eq!(questions_seen(&pool, w.instructor, quiz).await, Some(2));

    // closed a minute ago: nothing starts, nothing is shown (an attempt's grace, an hour
    // here, is no grace for students without one)
    patch(
        &w,
        quiz,
        AssessmentPatch {
            opens_at: Some(Some(now - Duration::hours(2))),
            closes_at: Some(Some(now - Duration::minutes(1))),
            grace_seconds: Some(3600),
            ..Default::default()
        },
    )
    .await;
    let e = student.start_attempt(quiz).await.unwrap_err();
    assert_eq!(e.body().details["reason"], "closed");
    assert_eq!(questions_seen(&pool, w.student, quiz).await, None);

    // open now: it starts, its questions are shown, the deadline is the close time
    let closes = now + Duration::minutes(10);
    patch(
        &w,
        quiz,
        AssessmentPatch {
            closes_at: Some(Some(closes)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(questions_seen(&pool, w.student, quiz).await, Some(2));
    let started = student.start_attempt(quiz).await.unwrap();
    assert_eq!(started.deadline, Some(closes));
    assert_eq!(started.questions.as_array().unwrap().len(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_timed_attempt_ends_at_the_close_time_when_it_comes_first(pool: PgPool) {
    let w = enrolled(&pool).await;
    let now = db_now(&pool).await;
    set_time_limit(&w, w.quiz1, 60).await;
    let closes = now + Duration::minutes(20);
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            closes_at: Some(Some(closes)),
            ..Default::default()
        },
    )
    .await;
    let started = w
        .lms
        .as_user(w.student)
        .start_attempt(w.quiz1)
        .await
        .unwrap();
    assert_eq!(started.deadline, Some(closes));
    // 25 minutes later (the attempt and the close time moved back): past the close time
    // plus grace the database shows nothing, and the sweep closes the attempt at the
    // close time
    sqlx::query(
        "update assessments set closes_at = closes_at - interval '25 minutes' where id = $1",
    )
    .bind(w.quiz1.0)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("update assessment_attempts set started_at = started_at - interval '25 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(questions_seen(&pool, w.student, w.quiz1).await, None);
    let closed = w.lms.as_service().close_overdue_attempts(10).await.unwrap();
    assert_eq!(closed.closed.len(), 1);
    let attempt = &w.lms.as_user(w.student).my_attempts(w.quiz1).await.unwrap()[0];
    assert_eq!(attempt.submitted_at, Some(closes - Duration::minutes(25)));
}

#[sqlx::test(migrations = "../migrations")]
async fn dates_out_of_order_are_typed_errors_naming_the_field(pool: PgPool) {
    let w = enrolled(&pool).await;
    let now = db_now(&pool).await;
    let instructor = w.lms.as_user(w.instructor);
    let e = instructor
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                opens_at: Some(Some(now)),
                closes_at: Some(Some(now - Duration::hours(1))),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_document");
    let body = e.body();
    assert_eq!(body.document.as_deref(), Some("assessment"));
    assert_eq!(body.problems[0].path, "/closes_at");
    // against what is stored: a due time after the stored close time
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            closes_at: Some(Some(now + Duration::hours(1))),
            ..Default::default()
        },
    )
    .await;
    let e = instructor
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                due_at: Some(Some(now + Duration::hours(2))),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.body().problems[0].path, "/due_at");
    // a late policy out of range
    let e = instructor
        .update_course(
            w.course,
            CoursePatch {
                late_policy: Some(Some(late(120.0, LateInterval::Day, 0.0))),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.body().document.as_deref(), Some("course"));
    assert_eq!(e.body().problems[0].path, "/late_policy/deduction_percent");
    // the database holds the same rules for a direct client
    let sql = format!(
        "update assessments set due_at = closes_at + interval '1 minute' where id = '{}'",
        w.quiz1
    );
    assert_eq!(raw_as(&pool, w.instructor, &sql).await, Err("23514".into()));
    let sql = format!(
        "update courses set late_deduction_percent = 10 where id = '{}'",
        w.course
    );
    assert_eq!(raw_as(&pool, w.instructor, &sql).await, Err("23514".into()));
    let sql = format!(
        "update courses set late_deduction_percent = 10, late_deduction_interval = 'week', \
         late_floor_percent = 0 where id = '{}'",
        w.course
    );
    assert_eq!(raw_as(&pool, w.instructor, &sql).await, Err("23514".into()));
    // students write none of it
    let sql = format!(
        "update assessments set closes_at = null where id = '{}'",
        w.quiz1
    );
    assert_eq!(raw_as(&pool, w.student, &sql).await, Ok(0));
}

// late work -----------------------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn late_work_is_recorded_after_the_deduction_with_its_raw_result_beside(pool: PgPool) {
    let w = enrolled(&pool).await;
    let now = db_now(&pool).await;
    let instructor = w.lms.as_user(w.instructor);
    // due 25 hours ago: two days begun; the course deducts 10 % a day, never below 50 %
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            due_at: Some(Some(now - Duration::hours(25))),
            ..Default::default()
        },
    )
    .await;
    let course = instructor
        .update_course(
            w.course,
            CoursePatch {
                late_policy: Some(Some(late(10.0, LateInterval::Day, 50.0))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        course.late_policy,
        Some(late(10.0, LateInterval::Day, 50.0))
    );
    let submitted = w
        .lms
        .as_user(w.student)
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap();
    let a = &submitted.attempt;
    assert_eq!(
        (a.raw_score, a.score, a.passed),
        (Some(100), Some(80), Some(true))
    );
    assert_eq!(a.raw_points_earned.map(|p| p.micros()), Some(2_000_000));
    assert_eq!(a.exact_points_earned.map(|p| p.micros()), Some(1_600_000));
    let seconds = a.late_seconds.unwrap();
    assert!((25 * 3600..25 * 3600 + 120).contains(&seconds), "{seconds}");
    assert_eq!(best_score(&w, w.student, w.quiz1).await, Some(80));
    // the other student, on the same answers one right: 50 % raw, at the floor already
    let other = w
        .lms
        .as_user(w.other_student)
        .submit_attempt(w.quiz1, &answers(1))
        .await
        .unwrap()
        .attempt;
    assert_eq!((other.raw_score, other.score), (Some(50), Some(50)));

    // the assessment's own policy overrides the course's: 50 % a day, no floor
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            late_policy: Some(Some(late(50.0, LateInterval::Day, 0.0))),
            ..Default::default()
        },
    )
    .await;
    let a = &w.lms.as_user(w.student).my_attempts(w.quiz1).await.unwrap()[0];
    assert_eq!(
        (a.raw_score, a.score, a.passed),
        (Some(100), Some(0), Some(false))
    );
    assert_eq!(best_score(&w, w.student, w.quiz1).await, Some(0));
    // back to the course's
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            late_policy: Some(None),
            ..Default::default()
        },
    )
    .await;
    let a = &w.lms.as_user(w.student).my_attempts(w.quiz1).await.unwrap()[0];
    assert_eq!(a.score, Some(80));
    // the due time moved past the submissions: on time, the raw result stands
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            due_at: Some(Some(now + Duration::hours(1))),
            ..Default::default()
        },
    )
    .await;
    let a = &w.lms.as_user(w.student).my_attempts(w.quiz1).await.unwrap()[0];
    assert_eq!(
        (a.late_seconds, a.score, a.passed),
        (None, Some(100), Some(true))
    );
    assert_eq!(best_score(&w, w.student, w.quiz1).await, Some(100));
    // every rewrite of the attempt is audited
    let trail = w
        .lms
        .as_service()
        .audit_log(
            &AuditFilter {
                table_name: Some("assessment_attempts".into()),
                row_id: Some(a.id.0),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert!(trail.items.len() >= 4, "{}", trail.items.len());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_late_essay_is_deducted_when_it_is_graded(pool: PgPool) {
    let w = enrolled(&pool).await;
    let now = db_now(&pool).await;
    let essay = json!([{"type": "essay", "id": "e1", "prompt": "Explain ownership.", "points": 4}]);
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            questions: Some(essay),
            due_at: Some(Some(now - Duration::minutes(90))),
            late_policy: Some(Some(late(5.0, LateInterval::Hour, 0.0))),
            ..Default::default()
        },
    )
    .await;
    let submitted = w
        .lms
        .as_user(w.student)
        .submit_attempt(
            w.quiz1,
            &json!({"e1": {"type": "essay", "text": "Each value has one owner."}}),
        )
        .await
        .unwrap()
        .attempt;
    assert_eq!(submitted.score, None);
    // graded 3 of 4 (75 %), two hours begun late: 65 %
    let graded = w
        .lms
        .as_user(w.instructor)
        .grade_essay(submitted.id, "e1", 3, Some("Good."))
        .await
        .unwrap();
    assert_eq!((graded.raw_score, graded.score), (Some(75), Some(65)));
    assert_eq!(
        graded.exact_points_earned.map(|p| p.micros()),
        Some(2_600_000)
    );
}

// accommodations ------------------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn an_accommodation_extends_one_students_deadline_and_nobody_elses(pool: PgPool) {
    let w = enrolled(&pool).await;
    set_time_limit(&w, w.quiz1, 30).await;
    let instructor = w.lms.as_user(w.instructor);
    let set = instructor
        .set_accommodation(accommodation(
            &w,
            w.student,
            Some(w.quiz1),
            Accommodation {
                extra_minutes: 30,
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    assert_eq!(set.course_id, w.course);
    let mine = w
        .lms
        .as_user(w.student)
        .start_attempt(w.quiz1)
        .await
        .unwrap();
    let theirs = w
        .lms
        .as_user(w.other_student)
        .start_attempt(w.quiz1)
        .await
        .unwrap();
    assert_eq!(
        mine.deadline,
        Some(mine.attempt.started_at + Duration::minutes(60))
    );
    assert_eq!(
        theirs.deadline,
        Some(theirs.attempt.started_at + Duration::minutes(30))
    );
    let rules = w
        .lms
        .as_user(w.student)
        .assessment_rules(w.quiz1, w.student)
        .await
        .unwrap();
    assert_eq!(rules.time_limit_minutes, Some(60));
    // 45 minutes in: the database still shows the student their questions, not the
    // other one; the sweep closes only the other's attempt
    sqlx::query("update assessment_attempts set started_at = started_at - interval '45 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(questions_seen(&pool, w.student, w.quiz1).await, Some(2));
    assert_eq!(questions_seen(&pool, w.other_student, w.quiz1).await, None);
    let closed = w.lms.as_service().close_overdue_attempts(10).await.unwrap();
    assert_eq!(closed.closed.len(), 1);
    assert_eq!(closed.closed[0].student_id, w.other_student);
    let submitted = w
        .lms
        .as_user(w.student)
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap();
    assert!(!submitted.late);
    assert_eq!(submitted.attempt.score, Some(100));
    // removed: the student's next deadline is the assessment's again
    instructor.remove_accommodation(set.id).await.unwrap();
    let rules = w
        .lms
        .as_user(w.student)
        .assessment_rules(w.quiz1, w.student)
        .await
        .unwrap();
    assert_eq!(rules.time_limit_minutes, Some(30));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_most_lenient_accommodation_applies(pool: PgPool) {
    let w = enrolled(&pool).await;
    let now = db_now(&pool).await;
    // closed an hour ago for everyone, three attempts each
    patch(
        &w,
        w.quiz1,
        AssessmentPatch {
            due_at: Some(Some(now - Duration::hours(2))),
            closes_at: Some(Some(now - Duration::hours(1))),
            late_policy: Some(Some(late(10.0, LateInterval::Hour, 0.0))),
            ..Default::default()
        },
    )
    .await;
    let instructor = w.lms.as_user(w.instructor);
    // course-wide: one attempt more; this assessment: due and closing tomorrow
    instructor
        .set_accommodation(accommodation(
            &w,
            w.student,
            None,
            Accommodation {
                extra_attempts: 1,
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    instructor
        .set_accommodation(accommodation(
            &w,
            w.student,
            Some(w.quiz1),
            Accommodation {
                due_at: Some(now + Duration::days(1)),
                closes_at: Some(now + Duration::days(1)),
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    let e = w
        .lms
        .as_user(w.other_student)
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap_err();
    assert_eq!(e.body().details["reason"], "closed");
    let student = w.lms.as_user(w.student);
    for _ in 0..4 {
        let a = student
            .submit_attempt(w.quiz1, &answers(1))
            .await
            .unwrap()
            .attempt;
        // on time by their own due time
        assert_eq!((a.late_seconds, a.score), (None, Some(50)));
    }
    let e = student
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "attempt_limit_reached");
    assert_eq!(e.body().details["max_attempts"], 4);
    // setting it again replaces it (one row per student and scope)
    let list = instructor.list_accommodations(w.course).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].assessment_id, None);
    instructor
        .set_accommodation(accommodation(
            &w,
            w.student,
            None,
            Accommodation {
                extra_attempts: 2,
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    let list = instructor.list_accommodations(w.course).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].accommodation.extra_attempts, 2);
    // the assessment's accommodation removed: its attempts are late again (by the
    // assessment's due time, two hours ago and more: -20 % and more of 50 %)
    instructor.remove_accommodation(list[1].id).await.unwrap();
    let attempts = student.my_attempts(w.quiz1).await.unwrap();
    assert!(attempts
        .iter()
        .all(|a| a.late_seconds.is_some() && a.score < Some(50)));
    assert!(attempts.iter().all(|a| a.raw_score == Some(50)));
}

#[sqlx::test(migrations = "../migrations")]
async fn accommodations_are_set_by_staff_and_read_by_their_student(pool: PgPool) {
    let w = enrolled(&pool).await;
    let extra = Accommodation {
        time_factor: pct(1.5),
        ..Default::default()
    };
    // neither another course's instructor nor a student may set one
    for who in [w.other_instructor, w.student] {
        let e = w
            .lms
            .as_user(who)
            .set_accommodation(accommodation(&w, w.student, None, extra))
            .await
            .unwrap_err();
        assert!(
            matches!(e.code().as_str(), "forbidden" | "not_found"),
            "{e}"
        );
    }
    // an admin may
    let set = w
        .lms
        .as_user(w.admin)
        .set_accommodation(accommodation(&w, w.student, Some(w.quiz2), extra))
        .await
        .unwrap();
    assert_eq!(set.accommodation.time_factor, pct(1.5));
    // its student reads it, the other student does not
    let theirs = w
        .lms
        .as_user(w.student)
        .list_accommodations(w.course)
        .await
        .unwrap();
    assert_eq!(theirs, vec![set.clone()]);
    let none = w
        .lms
        .as_user(w.other_student)
        .list_accommodations(w.course)
        .await
        .unwrap();
    assert!(none.is_empty());
    // nor may a student write one in raw SQL, for themselves or anyone
    let insert = format!(
        "insert into accommodations (course_id, student_id, extra_minutes) \
         values ('{}', '{}', 600)",
        w.course, w.student
    );
    assert_eq!(raw_as(&pool, w.student, &insert).await, Err("42501".into()));
    let update = "update accommodations set extra_minutes = 600";
    assert_eq!(raw_as(&pool, w.student, update).await, Ok(0));
    assert_eq!(
        raw_as(&pool, w.student, "delete from accommodations").await,
        Ok(0)
    );
    // an instructor cannot slip one into another course by naming their own
    let sneaky = format!(
        "insert into accommodations (course_id, student_id, assessment_id) \
         values ('{}', '{}', '{}')",
        w.course, w.student, w.quiz1
    );
    assert_eq!(
        raw_as(&pool, w.other_instructor, &sneaky).await,
        Err("42501".into())
    );
    // the course's instructor may, in raw SQL too; the scope columns never change
    assert_eq!(raw_as(&pool, w.instructor, update).await, Ok(1));
    let rescope = format!(
        "update accommodations set student_id = '{}'",
        w.other_student
    );
    assert_eq!(
        raw_as(&pool, w.instructor, &rescope).await,
        Err("42501".into())
    );
    // the change is audited
    let trail = w
        .lms
        .as_service()
        .audit_log(
            &AuditFilter {
                table_name: Some("accommodations".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    // (the raw update above was rolled back with its transaction)
    assert_eq!(trail.items.len(), 1);
    assert_eq!(trail.items[0].actor_id, Some(w.admin));
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_accommodations_are_typed_errors_naming_the_field(pool: PgPool) {
    let w = enrolled(&pool).await;
    let instructor = w.lms.as_user(w.instructor);
    let e = instructor
        .set_accommodation(accommodation(
            &w,
            w.student,
            None,
            Accommodation {
                extra_minutes: -10,
                ..Default::default()
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_document");
    assert_eq!(e.body().document.as_deref(), Some("accommodation"));
    assert_eq!(e.body().problems[0].path, "/extra_minutes");
    // an assessment of another course (another instructor's, which this one cannot see;
    // or one of this course, named with the other course)
    let theirs = w.lms.as_user(w.other_instructor);
    let other_course = other_course(&w).await;
    let other_exam = theirs
        .create_assessment(world::new_quiz(
            lms_core::repo::AssessmentOwner::Course(other_course),
            "Go exam",
        ))
        .await
        .unwrap()
        .id;
    let e = instructor
        .set_accommodation(NewAccommodation {
            assessment_id: Some(other_exam),
            ..accommodation(&w, w.student, None, Accommodation::default())
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
    let e = w
        .lms
        .as_user(w.admin)
        .set_accommodation(NewAccommodation {
            assessment_id: Some(w.final_exam),
            course_id: other_course,
            ..accommodation(&w, w.student, None, Accommodation::default())
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_document");
    assert_eq!(e.body().problems[0].path, "/assessment_id");
    // nobody with this id
    let e = instructor
        .set_accommodation(accommodation(
            &w,
            UserId(uuid::Uuid::new_v4()),
            None,
            Accommodation::default(),
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_document", "{e}");
    assert_eq!(e.body().problems[0].path, "/student_id");
    // the database holds the ranges too
    let sql = "update accommodations set time_factor = 0.5";
    instructor
        .set_accommodation(accommodation(&w, w.student, None, Accommodation::default()))
        .await
        .unwrap();
    assert_eq!(raw_as(&pool, w.instructor, sql).await, Err("23514".into()));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_accommodation_follows_its_assessment_to_another_course(pool: PgPool) {
    let w = enrolled(&pool).await;
    let instructor = w.lms.as_user(w.instructor);
    let set = instructor
        .set_accommodation(accommodation(
            &w,
            w.student,
            Some(w.quiz1),
            Accommodation {
                extra_minutes: 5,
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    // the quiz's lesson moved to another course (a trusted fix of the outline)
    let other: uuid::Uuid = sqlx::query_scalar(
        "insert into courses (title, instructor_id) values ('Other', $1) returning id",
    )
    .bind(w.other_instructor.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query("update lessons set course_id = $1 where id = $2")
        .bind(other)
        .bind(w.lesson1.0)
        .execute(&pool)
        .await
        .unwrap();
    let course: uuid::Uuid =
        sqlx::query_scalar("select course_id from accommodations where id = $1")
            .bind(set.id.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(course, other);
    // the new course's instructor sees it, the old one no longer does
    assert!(instructor
        .list_accommodations(w.course)
        .await
        .unwrap()
        .is_empty());
    let theirs = w
        .lms
        .as_user(w.other_instructor)
        .list_accommodations(CourseId(other))
        .await
        .unwrap();
    assert_eq!(theirs.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_huge_time_limit_with_a_factor_saturates_as_the_rule_does(pool: PgPool) {
    let w = enrolled(&pool).await;
    set_time_limit(&w, w.quiz1, 1_000_000_000).await;
    w.lms
        .as_user(w.instructor)
        .set_accommodation(accommodation(
            &w,
            w.student,
            None,
            Accommodation {
                time_factor: pct(3.0),
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    let rules = w
        .lms
        .as_user(w.student)
        .assessment_rules(w.quiz1, w.student)
        .await
        .unwrap();
    assert_eq!(rules.time_limit_minutes, Some(i32::MAX));
    let limit: i32 =
        sqlx::query_scalar("select time_limit from lms_private.attempt_schedule($1, $2)")
            .bind(w.quiz1.0)
            .bind(w.student.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(limit, i32::MAX);
    w.lms
        .as_user(w.student)
        .start_attempt(w.quiz1)
        .await
        .unwrap();
    assert_eq!(questions_seen(&pool, w.student, w.quiz1).await, Some(2));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_down_migration_leaves_no_accommodation_in_the_audit_log(pool: PgPool) {
    let w = enrolled(&pool).await;
    w.lms
        .as_user(w.instructor)
        .set_accommodation(accommodation(&w, w.student, None, Accommodation::default()))
        .await
        .unwrap();
    lms_db::MIGRATOR.undo(&pool, 20261202000013).await.unwrap();
    let traces: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where table_name = 'accommodations' \
          and (old_data is not null or new_data is not null)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(traces, 0);
    let entries: i64 =
        sqlx::query_scalar("select count(*) from audit_log where table_name = 'accommodations'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(entries, 1, "what happened stays");
    lms_db::MIGRATOR.run(&pool).await.unwrap();
}

// lesson unlock times (migration 20261203000018) ----------------------------------------

async fn unlock_at(w: &World, lesson: LessonId, at: Option<DateTime<Utc>>) -> Lesson {
    w.lms
        .as_user(w.instructor)
        .update_lesson(
            lesson,
            LessonPatch {
                unlocks_at: Some(at),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

fn locked(e: &lms_db::Error) -> bool {
    e.code() == "conflict" && e.details().get("reason") == Some(&json!("locked"))
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_lesson_opens_to_its_students_at_its_unlock_time(pool: PgPool) {
    let w = enrolled(&pool).await;
    let author = w.lms.as_user(w.instructor);
    let me = w.lms.as_user(w.student);
    let now = db_now(&pool).await;
    let later = now + Duration::hours(2);
    assert_eq!(
        unlock_at(&w, w.lesson1, Some(later)).await.unlocks_at,
        Some(later)
    );

    // the outline shows the lesson and when it opens
    let outline = me.course_outline(w.course).await.unwrap();
    let first = outline.iter().find(|l| l.id == w.lesson1).unwrap();
    assert_eq!(first.unlocks_at, Some(later));
    // its content is hidden, cannot be studied, its quiz not started
    assert!(me.list_blocks(w.lesson1).await.unwrap().is_empty());
    let e = me
        .record_content_progress(w.block1, &json!({"completed": true}), 5)
        .await
        .unwrap_err();
    assert!(locked(&e), "{e:?}");
    assert_eq!(e.details()["lesson_id"], json!(w.lesson1));
    let e = me.start_attempt(w.quiz1).await.unwrap_err();
    assert!(locked(&e), "{e:?}");
    // the same in raw SQL as the student: no blocks, no questions; the lesson and its
    // assessment stay visible
    let blocks = format!(
        "select * from public.content_blocks where lesson_id = '{}'",
        w.lesson1
    );
    assert_eq!(count_as(&pool, w.student, &blocks).await, 0);
    assert_eq!(questions_seen(&pool, w.student, w.quiz1).await, None);
    let quiz = format!("select id from public.assessments where id = '{}'", w.quiz1);
    assert_eq!(count_as(&pool, w.student, &quiz).await, 1);
    // the staff see everything; another student of the course is locked out too
    assert_eq!(author.list_blocks(w.lesson1).await.unwrap().len(), 2);
    assert_eq!(count_as(&pool, w.instructor, &blocks).await, 2);
    assert_eq!(count_as(&pool, w.other_student, &blocks).await, 0);

    // once it is unlocked, everything opens
    unlock_at(&w, w.lesson1, Some(now - Duration::minutes(1))).await;
    assert_eq!(me.list_blocks(w.lesson1).await.unwrap().len(), 2);
    assert_eq!(questions_seen(&pool, w.student, w.quiz1).await, Some(2));
    me.record_content_progress(w.block1, &json!({"completed": true}), 5)
        .await
        .unwrap();
    let started = me.start_attempt(w.quiz1).await.unwrap();
    // an attempt begun stays open when the unlock time moves again
    unlock_at(&w, w.lesson1, Some(later)).await;
    let resumed = me.start_attempt(w.quiz1).await.unwrap();
    assert!(resumed.resumed);
    assert_eq!(resumed.attempt.id, started.attempt.id);
    assert_eq!(questions_seen(&pool, w.student, w.quiz1).await, Some(2));
    me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    // and no new one starts
    assert!(locked(&me.start_attempt(w.quiz1).await.unwrap_err()));
    // no unlock time: open as soon as published
    assert_eq!(unlock_at(&w, w.lesson1, None).await.unlocks_at, None);
    assert_eq!(me.list_blocks(w.lesson1).await.unwrap().len(), 2);
}

// shuffled attempts (migration 20261203000019) ------------------------------------------

/// Eight choice questions of four options, `a` right in each.
fn eight_questions() -> serde_json::Value {
    let list: Vec<serde_json::Value> = (1..=8)
        .map(|i| {
            json!({"type": "multiple_choice", "id": format!("s{i}"), "prompt": format!("{i}?"),
                   "points": 1, "options": [
                       {"id": "a", "text": "A", "fraction": 1.0},
                       {"id": "b", "text": "B", "fraction": 0.0},
                       {"id": "c", "text": "C", "fraction": 0.0},
                       {"id": "d", "text": "D", "fraction": 0.0}]})
        })
        .collect();
    json!(list)
}

fn ids_in(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_shuffled_attempt_keeps_its_order(pool: PgPool) {
    let w = enrolled(&pool).await;
    let quiz = patch(
        &w,
        w.final_exam,
        AssessmentPatch {
            questions: Some(eight_questions()),
            shuffle_questions: Some(true),
            shuffle_options: Some(true),
            ..Default::default()
        },
    )
    .await;
    assert!(quiz.policy.shuffle_questions && quiz.policy.shuffle_options);
    let sam = w.lms.as_user(w.student);
    let kim = w.lms.as_user(w.other_student);
    let started = sam.start_attempt(w.final_exam).await.unwrap();
    let order = ids_in(&started.questions);
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]);
    // stored with the attempt
    let (stored, options): (Vec<String>, serde_json::Value) = sqlx::query_as(
        "select question_order, option_order from assessment_attempts where id = $1",
    )
    .bind(started.attempt.id.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, order);
    for q in started.questions.as_array().unwrap() {
        let id = q["id"].as_str().unwrap();
        assert_eq!(json!(ids_in(&q["options"])), options[id], "{id}");
    }
    // resumed, and as raw SQL: the same order
    let resumed = sam.start_attempt(w.final_exam).await.unwrap();
    assert!(resumed.resumed);
    assert_eq!(resumed.questions, started.questions);
    assert_eq!(
        sam.assessment_questions(w.final_exam).await.unwrap(),
        started.questions
    );
    // another attempt, its own order (8! × 24^8 arrangements)
    let theirs = kim.start_attempt(w.final_exam).await.unwrap();
    assert_ne!(theirs.questions, started.questions);
    // scoring goes by ids: every right answer, whatever the order
    let done = sam
        .submit_attempt(w.final_exam, &all_right(&order))
        .await
        .unwrap();
    assert_eq!(done.attempt.score, Some(100));
    // a stored order is a flat list, whoever writes it
    let flat = sqlx::query(
        "update assessment_attempts set question_order = '{{s1,s2},{s3,s4}}' where id = $1",
    )
    .bind(theirs.attempt.id.0)
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(flat.to_string().contains("question_order_list"), "{flat}");
    // an assessment that does not shuffle stores no order
    let plain = sam.start_attempt(w.quiz1).await.unwrap();
    let none: Option<Vec<String>> =
        sqlx::query_scalar("select question_order from assessment_attempts where id = $1")
            .bind(plain.attempt.id.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(none, None);
    assert_eq!(ids_in(&plain.questions), ["q1", "q2"]);
}

// questions drawn from a pool (migration 20261203000021) ---------------------------------

/// Answers `a` (right in [`eight_questions`]) to each question of `ids`.
fn all_right(ids: &[String]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = ids
        .iter()
        .map(|id| {
            (
                id.clone(),
                json!({"type": "multiple_choice", "selected": ["a"]}),
            )
        })
        .collect();
    json!(map)
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn an_attempt_draws_its_questions_from_the_pool(pool: PgPool) {
    let w = enrolled(&pool).await;
    let quiz = patch(
        &w,
        w.final_exam,
        AssessmentPatch {
            questions: Some(eight_questions()),
            draw_questions: Some(Some(3)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(quiz.policy.draw_questions, Some(3));
    let sam = w.lms.as_user(w.student);
    // no student sees the pool: the questions only within an attempt, which is started
    // first (the draw is made then)
    assert_eq!(questions_seen(&pool, w.student, w.final_exam).await, None);
    let e = sam.assessment_questions(w.final_exam).await.unwrap_err();
    assert_eq!(e.body().code, lms_core::ErrorCode::AttemptNotStarted, "{e}");
    let e = sam
        .submit_attempt(w.final_exam, &all_right(&["s1".into()]))
        .await
        .unwrap_err();
    assert_eq!(e.body().code, lms_core::ErrorCode::AttemptNotStarted, "{e}");
    let started = sam.start_attempt(w.final_exam).await.unwrap();
    let drawn = ids_in(&started.questions);
    assert_eq!(drawn.len(), 3);
    // in the assessment's order (no shuffle), stored with the attempt
    let mut sorted = drawn.clone();
    sorted.sort();
    assert_eq!(drawn, sorted);
    let stored: Vec<String> =
        sqlx::query_scalar("select question_order from assessment_attempts where id = $1")
            .bind(started.attempt.id.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, drawn);
    // resumed, and in raw SQL: the same three
    assert_eq!(
        sam.start_attempt(w.final_exam).await.unwrap().questions,
        started.questions
    );
    assert_eq!(
        questions_seen(&pool, w.student, w.final_exam).await,
        Some(3)
    );
    assert_eq!(
        questions_seen(&pool, w.instructor, w.final_exam).await,
        Some(8)
    );
    // an answer to a question not drawn does not fit the attempt
    let other = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]
        .into_iter()
        .find(|id| !drawn.iter().any(|d| d == id))
        .unwrap();
    let e = sam
        .save_answers(w.final_exam, &all_right(&[other.to_owned()]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_document", "{e}");
    // scored on the three: all right is 100 of 3 points
    let done = sam
        .submit_attempt(w.final_exam, &all_right(&drawn))
        .await
        .unwrap();
    assert_eq!(
        (done.attempt.score, done.attempt.total_points),
        (Some(100), Some(3))
    );
    let feedback = done.attempt.feedback.unwrap();
    assert_eq!(feedback["questions"].as_array().unwrap().len(), 3);
    // reviewed on the three
    let review = sam.attempt_review(done.attempt.id).await.unwrap();
    assert_eq!(ids_in(review.questions.as_ref().unwrap()), drawn);
    // regraded on the three: `b` right everywhere now, so none of them is
    let mut changed = eight_questions();
    for q in changed.as_array_mut().unwrap() {
        q["options"][0]["fraction"] = json!(0.0);
        q["options"][1]["fraction"] = json!(1.0);
    }
    patch(
        &w,
        w.final_exam,
        AssessmentPatch {
            questions: Some(changed),
            ..Default::default()
        },
    )
    .await;
    let report = w
        .lms
        .as_user(w.instructor)
        .regrade_assessment(w.final_exam, false)
        .await
        .unwrap();
    assert_eq!(report.changes.len(), 1);
    let change = &report.changes[0];
    assert_eq!((change.new_score, change.total_points), (Some(0), 3));
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_draw_is_at_least_one_and_at_most_the_pool(pool: PgPool) {
    let w = enrolled(&pool).await;
    let author = w.lms.as_user(w.instructor);
    let bad = |draw: u32| AssessmentPatch {
        draw_questions: Some(Some(draw)),
        ..Default::default()
    };
    // the world's quizzes have two questions
    for draw in [0, 3] {
        let e = author
            .update_assessment(w.quiz1, bad(draw))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid_document", "{draw}: {e}");
        let paths: Vec<String> = e.body().problems.iter().map(|p| p.path.clone()).collect();
        assert_eq!(paths, ["/draw_questions"], "{draw}");
    }
    author.update_assessment(w.quiz1, bad(2)).await.unwrap();
    // fewer questions than the draw: refused too
    let e = author
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                questions: Some(json!([world::questions()[0].clone()])),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_document", "{e}");
    // and for a direct client
    let raw = world::raw_as(
        &pool,
        w.instructor,
        &format!(
            "update assessments set draw_questions = 5 where id = '{}'",
            w.quiz1.0
        ),
    )
    .await;
    assert_eq!(raw, Err("23514".to_owned()));
    // null: every question again
    let back = author
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                draw_questions: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(back.policy.draw_questions, None);
}

//! Read models: the gradebook of a course and a student's dashboard, through the use
//! cases, as each persona.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::model::*;
use lms_core::repo::AssessmentOwner;
use lms_db::{GradeSummary, Lms};
use serde_json::json;
use sqlx::PgPool;
use world::{answers, world, World};

/// The course's final assessment, replaced by one with an essay that waits for a grade.
async fn essay_quiz(w: &World) -> AssessmentId {
    let author = w.lms.as_user(w.instructor);
    let essay = author
        .create_assessment(lms_core::repo::NewAssessment {
            questions: json!([
                {"type": "true_false", "id": "tf", "prompt": "Rust has a GC.", "points": 2,
                 "correct": false},
                {"type": "essay", "id": "why", "prompt": "Why ownership?", "points": 8}
            ]),
            ..world::new_quiz(AssessmentOwner::Course(w.course), "Essay exam")
        })
        .await
        .unwrap()
        .id;
    author
        .update_course(
            w.course,
            lms_core::repo::CoursePatch {
                final_assessment_id: Some(Some(essay)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    essay
}

/// sam: lesson 1 read, quiz 1 failed then passed (lesson 1 of 2 done), the essay
/// submitted (waiting for a grade);
/// kim: quiz 1 failed once, then an attempt started and left open.
async fn activity(w: &World, essay: AssessmentId) {
    let sam = w.lms.as_user(w.student);
    let kim = w.lms.as_user(w.other_student);
    sam.enroll(w.course).await.unwrap();
    kim.enroll(w.course).await.unwrap();
    sam.submit_attempt(w.quiz1, &answers(1)).await.unwrap();
    sam.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    for block in [w.block1, w.block2] {
        sam.record_content_progress(block, &json!({"completed": true}), 30)
            .await
            .unwrap();
    }
    let essay_answers = json!({"tf": {"type": "true_false", "value": false},
                               "why": {"type": "essay", "text": "No garbage collector."}});
    let submitted = sam.submit_attempt(essay, &essay_answers).await.unwrap();
    assert_eq!(submitted.pending_review, vec!["why".to_owned()]);
    kim.submit_attempt(w.quiz1, &answers(0)).await.unwrap();
    kim.start_attempt(w.quiz1).await.unwrap();
}

fn entry(entries: &[GradeSummary], student: UserId, assessment: AssessmentId) -> &GradeSummary {
    entries
        .iter()
        .find(|e| e.student_id == student && e.assessment_id == assessment)
        .unwrap_or_else(|| panic!("no entry for {student} on {assessment}: {entries:#?}"))
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn gradebook_sums_up_each_students_attempts(pool: PgPool) {
    let w = world(pool, true).await;
    let essay = essay_quiz(&w).await;
    activity(&w, essay).await;

    let book = w
        .lms
        .as_user(w.instructor)
        .gradebook(w.course)
        .await
        .unwrap();
    assert_eq!(book.len(), 3, "{book:#?}");
    let sam_quiz = entry(&book, w.student, w.quiz1);
    assert_eq!(
        (
            sam_quiz.attempts,
            sam_quiz.submitted,
            sam_quiz.awaiting_grading
        ),
        (2, 2, 0)
    );
    assert_eq!(sam_quiz.best_score, Some(100));
    assert!(sam_quiz.passed);
    assert_eq!(sam_quiz.course_id, w.course);
    assert!(sam_quiz.last_submitted_at.is_some());

    let sam_essay = entry(&book, w.student, essay);
    assert_eq!(
        (
            sam_essay.attempts,
            sam_essay.submitted,
            sam_essay.awaiting_grading
        ),
        (1, 1, 1)
    );
    assert_eq!(sam_essay.best_score, None);
    assert!(!sam_essay.passed);

    let kim_quiz = entry(&book, w.other_student, w.quiz1);
    assert_eq!(
        (
            kim_quiz.attempts,
            kim_quiz.submitted,
            kim_quiz.awaiting_grading
        ),
        (2, 1, 0)
    );
    assert_eq!(kim_quiz.best_score, Some(0));
    assert!(!kim_quiz.passed);

    // sorted by student then assessment
    let keys: Vec<_> = book
        .iter()
        .map(|e| (e.student_id, e.assessment_id))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by_key(|(s, a)| (s.0, a.0));
    assert_eq!(keys, sorted);

    // an admin and the service read the same book
    assert_eq!(
        w.lms.as_user(w.admin).gradebook(w.course).await.unwrap(),
        book
    );
    assert_eq!(w.lms.as_service().gradebook(w.course).await.unwrap(), book);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn gradebook_is_for_the_courses_staff(pool: PgPool) {
    let w = world(pool, true).await;
    let essay = essay_quiz(&w).await;
    activity(&w, essay).await;
    for who in [w.other_instructor, w.student] {
        let err = w.lms.as_user(who).gradebook(w.course).await.unwrap_err();
        assert_eq!(err.code(), "forbidden", "{err}");
    }
    let missing = w
        .lms
        .as_user(w.instructor)
        .gradebook(CourseId(uuid::Uuid::new_v4()))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "not_found", "{missing}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn gradebook_of_a_course_without_attempts_is_empty(pool: PgPool) {
    let w = world(pool, false).await;
    assert!(w
        .lms
        .as_user(w.instructor)
        .gradebook(w.course)
        .await
        .unwrap()
        .is_empty());
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn dashboard_shows_the_students_own_courses_and_attempts(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let essay = essay_quiz(&w).await;
    activity(&w, essay).await;

    let sam = w.lms.as_user(w.student).student_dashboard().await.unwrap();
    assert_eq!(sam.student_id, w.student);
    assert_eq!(sam.courses.len(), 1, "{sam:#?}");
    let course = &sam.courses[0];
    assert_eq!(
        (course.course_id, course.title.as_str()),
        (w.course, "Rust")
    );
    assert!(course.completed_at.is_none());
    let (percent, accessed): (i32, Option<chrono::DateTime<chrono::Utc>>) = sqlx::query_as(
        "select (e.progress ->> 'percent')::int, \
                (select max(last_accessed) from student_progress sp \
                  where sp.student_id = e.student_id and sp.course_id = e.course_id) \
           from enrollments e where student_id = $1 and course_id = $2",
    )
    .bind(w.student.0)
    .bind(w.course.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(course.completion_percentage, percent);
    assert_eq!(course.completion_percentage, 50, "one lesson of two");
    assert!(course.last_accessed.is_some());
    assert_eq!(course.last_accessed, accessed);

    // the same summaries as the gradebook's rows for sam, and only sam's
    let book = w
        .lms
        .as_user(w.instructor)
        .gradebook(w.course)
        .await
        .unwrap();
    let sams: Vec<_> = book
        .into_iter()
        .filter(|e| e.student_id == w.student)
        .collect();
    let mut mine = sam.assessments.clone();
    mine.sort_by_key(|e| e.assessment_id.0);
    assert_eq!(mine, sams);

    // kim sees her own attempts only
    let kim = w
        .lms
        .as_user(w.other_student)
        .student_dashboard()
        .await
        .unwrap();
    assert_eq!(kim.assessments.len(), 1);
    assert_eq!(kim.assessments[0].student_id, w.other_student);
    assert_eq!(kim.assessments[0].attempts, 2);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn dashboard_of_a_new_student_is_empty_and_needs_a_user(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let fresh = w.lms.as_user(w.student).student_dashboard().await.unwrap();
    assert!(fresh.courses.is_empty() && fresh.assessments.is_empty());
    let err = Lms::from_pool(pool)
        .as_service()
        .student_dashboard()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden", "{err}");
}

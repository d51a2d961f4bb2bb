//! Read models: the gradebook of a course and a student's dashboard, through the use
//! cases, as each persona.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::model::*;
use lms_core::repo::{AssessmentOwner, Page};
use lms_db::{GradeSummary, GradebookEntry, Lms};
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

fn entry(entries: &[GradebookEntry], student: UserId, assessment: AssessmentId) -> &GradeSummary {
    entries
        .iter()
        .map(|e| &e.summary)
        .find(|e| e.student_id == student && e.assessment_id == assessment)
        .unwrap_or_else(|| panic!("no entry for {student} on {assessment}: {entries:#?}"))
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn gradebook_sums_up_each_students_attempts(pool: PgPool) {
    let w = world(pool, true).await;
    let essay = essay_quiz(&w).await;
    activity(&w, essay).await;

    // names to show: sam has one, kim only her e-mail address
    w.lms
        .as_user(w.student)
        .update_profile(
            w.student,
            lms_core::repo::ProfilePatch {
                first_name: Some(Some("Sam".into())),
                last_name: Some(Some("Carter".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let gradebook = w
        .lms
        .as_user(w.instructor)
        .gradebook(w.course, Page::default())
        .await
        .unwrap();
    assert_eq!((gradebook.total, gradebook.next_offset), (3, None));
    let book = &gradebook.entries;
    assert_eq!(book.len(), 3, "{book:#?}");
    let sam_quiz = entry(book, w.student, w.quiz1);
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

    let sam_essay = entry(book, w.student, essay);
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

    let kim_quiz = entry(book, w.other_student, w.quiz1);
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

    // sorted by student (family name, then e-mail when there is no name), then
    // assessment title; with the names and titles to show
    let lines: Vec<(Option<&str>, Option<&str>, Option<&str>)> = book
        .iter()
        .map(|e| {
            (
                e.student_name.as_deref(),
                e.student_email.as_deref(),
                e.summary.assessment_title.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                Some("Sam Carter"),
                Some("sam@example.org"),
                Some("Essay exam")
            ),
            (
                Some("Sam Carter"),
                Some("sam@example.org"),
                Some("Ownership quiz")
            ),
            (None, Some("kim@example.org"), Some("Ownership quiz")),
        ]
    );

    // an admin and the service read the same book
    let admins = w
        .lms
        .as_user(w.admin)
        .gradebook(w.course, Page::default())
        .await
        .unwrap();
    assert_eq!(admins, gradebook);
    let services = w
        .lms
        .as_service()
        .gradebook(w.course, Page::default())
        .await
        .unwrap();
    assert_eq!(services, gradebook);

    // pages: two lines, then the last one; past the end, nothing (the total still known)
    let author = w.lms.as_user(w.instructor);
    let first = author.gradebook(w.course, Page::new(2, 0)).await.unwrap();
    assert_eq!(
        (first.entries.len(), first.next_offset, first.total),
        (2, Some(2), 3)
    );
    assert_eq!(first.entries[..], book[..2]);
    let second = author.gradebook(w.course, Page::new(2, 2)).await.unwrap();
    assert_eq!((second.entries.len(), second.next_offset), (1, None));
    assert_eq!(second.entries[..], book[2..]);
    let past = author.gradebook(w.course, Page::new(2, 9)).await.unwrap();
    assert_eq!(
        (past.entries.len(), past.next_offset, past.total),
        (0, None, 3)
    );
    // every page, those that begin or end within a student's entries included, is that
    // slice of the whole book (the page's students are found before their entries)
    for limit in 1..=4_u32 {
        for offset in 0..=4_u32 {
            let page = author
                .gradebook(w.course, Page::new(limit, offset))
                .await
                .unwrap();
            let (from, to) = (offset as usize, (offset + limit) as usize);
            let slice = &book[from.min(book.len())..to.min(book.len())];
            assert_eq!(page.entries[..], slice[..], "limit {limit} offset {offset}");
            assert_eq!(page.total, 3, "limit {limit} offset {offset}");
        }
    }

    // the version: the same while nothing changes, another once something does
    assert_eq!(
        author
            .gradebook(w.course, Page::default())
            .await
            .unwrap()
            .version,
        gradebook.version
    );
    assert_ne!(first.version, gradebook.version);
    w.lms
        .as_user(w.other_student)
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap();
    assert_ne!(
        author
            .gradebook(w.course, Page::default())
            .await
            .unwrap()
            .version,
        gradebook.version
    );
    // a second progress row of sam's quiz, without its lesson (a writer on the service
    // path may store one beside the refresh's), adds no entry, moves no page and changes
    // no grade: the gradebook and the dashboard read the lesson's row
    let before = author.gradebook(w.course, Page::default()).await.unwrap();
    let dashboard = w.lms.as_user(w.student).student_dashboard().await.unwrap();
    sqlx::query(
        "insert into public.student_progress \
           (student_id, course_id, lesson_id, assessment_id, status, best_score) \
         values ($1, $2, null, $3, 'not_started', 0)",
    )
    .bind(w.student.0)
    .bind(w.course.0)
    .bind(w.quiz1.0)
    .execute(w.lms.pool())
    .await
    .unwrap();
    let again = author.gradebook(w.course, Page::default()).await.unwrap();
    assert_eq!(
        (&again.entries, again.total),
        (&before.entries, before.total)
    );
    for offset in 0..before.total {
        let page = author
            .gradebook(w.course, Page::new(1, offset as u32))
            .await
            .unwrap();
        assert_eq!(page.entries[..], before.entries[offset as usize..][..1]);
    }
    let again = w.lms.as_user(w.student).student_dashboard().await.unwrap();
    assert_eq!(again.assessments, dashboard.assessments);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn gradebook_is_for_the_courses_staff(pool: PgPool) {
    let w = world(pool, true).await;
    let essay = essay_quiz(&w).await;
    activity(&w, essay).await;
    for who in [w.other_instructor, w.student] {
        let err = w
            .lms
            .as_user(who)
            .gradebook(w.course, Page::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "forbidden", "{err}");
    }
    let missing = w
        .lms
        .as_user(w.instructor)
        .gradebook(CourseId(uuid::Uuid::new_v4()), Page::default())
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "not_found", "{missing}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn gradebook_of_a_course_without_attempts_is_empty(pool: PgPool) {
    let w = world(pool, false).await;
    let book = w
        .lms
        .as_user(w.instructor)
        .gradebook(w.course, Page::default())
        .await
        .unwrap();
    assert!(book.entries.is_empty());
    assert_eq!((book.total, book.next_offset), (0, None));
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
        .gradebook(w.course, Page::default())
        .await
        .unwrap();
    let mut sams: Vec<_> = book
        .entries
        .into_iter()
        .map(|e| e.summary)
        .filter(|e| e.student_id == w.student)
        .collect();
    sams.sort_by_key(|e| e.assessment_id.0);
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
    assert_eq!(
        kim.assessments[0].assessment_title.as_deref(),
        Some("Ownership quiz")
    );

    // the dashboard's version changes with what it shows
    let again = w.lms.as_user(w.student).student_dashboard().await.unwrap();
    assert_eq!(again.version, sam.version);
    w.lms
        .as_user(w.student)
        .submit_attempt(w.quiz2, &answers(2))
        .await
        .unwrap();
    let later = w.lms.as_user(w.student).student_dashboard().await.unwrap();
    assert_ne!(later.version, sam.version);
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

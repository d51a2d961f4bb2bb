//! Anonymous visitors (`Lms::as_anon`): the public catalog through the library, under
//! the `anon` role's grants and policies; everything else refused.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::model::*;
use lms_core::repo::{CourseFilter, NewCourse, NewLesson, Page};
use lms_db::Actor;
use sqlx::PgPool;
use world::{answers, world};

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_visitor_reads_the_published_catalog_and_outline(pool: PgPool) {
    let w = world(pool, true).await;
    let author = w.lms.as_user(w.instructor);
    // a draft lesson in the published course, and an unpublished course
    let draft = author
        .create_lesson(NewLesson {
            course_id: w.course,
            title: "Lifetimes".into(),
            description: None,
            order_index: 2,
            learning_objectives: vec![],
            estimated_duration_minutes: None,
            prerequisites: vec![],
        })
        .await
        .unwrap();
    assert!(!draft.is_published);
    let hidden = w
        .lms
        .as_user(w.other_instructor)
        .create_course(NewCourse {
            title: "Unreleased".into(),
            description: None,
            instructor_id: w.other_instructor,
            tags: vec![],
            difficulty_level: None,
            estimated_duration_minutes: None,
        })
        .await
        .unwrap();

    let visitor = w.lms.as_anon();
    assert_eq!(visitor.actor(), Actor::Anon);
    assert_eq!(visitor.actor().user(), None);
    let catalog = visitor
        .list_courses(&CourseFilter::default(), Page::default())
        .await
        .unwrap();
    let ids: Vec<CourseId> = catalog.items.iter().map(|c| c.id).collect();
    assert_eq!((catalog.total, catalog.next_offset), (Some(1), None));
    assert_eq!(ids, vec![w.course]);
    assert_eq!(visitor.get_course(w.course).await.unwrap().title, "Rust");
    let err = visitor.get_course(hidden.id).await.unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");

    // the outline: published lessons only, in order, outline columns
    let outline = visitor.course_outline(w.course).await.unwrap();
    let titles: Vec<&str> = outline.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles, ["Ownership", "Borrowing"]);
    assert_eq!(outline[0].id, w.lesson1);
    assert_eq!(outline[0].estimated_duration_minutes, Some(30));
    // the instructor's outline has the draft too
    let theirs = author.course_outline(w.course).await.unwrap();
    assert_eq!(theirs.len(), 3);
    assert_eq!(theirs[2].id, draft.id);
    let err = visitor.course_outline(hidden.id).await.unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_visitor_is_refused_everything_else(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let visitor = w.lms.as_anon();
    let refusals = [
        (
            "list_lessons (full rows)",
            visitor.list_lessons(w.course).await.map(|_| ()),
        ),
        (
            "list_blocks",
            visitor.list_blocks(w.lesson1).await.map(|_| ()),
        ),
        (
            "assessment questions",
            visitor.assessment_questions(w.quiz1).await.map(|_| ()),
        ),
        ("enroll", visitor.enroll(w.course).await.map(|_| ())),
        (
            "submit",
            visitor
                .submit_attempt(w.quiz1, &answers(2))
                .await
                .map(|_| ()),
        ),
        ("dashboard", visitor.student_dashboard().await.map(|_| ())),
        (
            "gradebook",
            visitor
                .gradebook(w.course, Page::default())
                .await
                .map(|_| ()),
        ),
        ("my profile", visitor.my_profile().await.map(|_| ())),
        (
            "export",
            visitor.export_user_data(w.student).await.map(|_| ()),
        ),
        (
            "set role",
            visitor
                .set_role(w.student, UserRole::Admin)
                .await
                .map(|_| ()),
        ),
        (
            "create course",
            visitor
                .create_course(NewCourse {
                    title: "Mine".into(),
                    description: None,
                    instructor_id: w.instructor,
                    tags: vec![],
                    difficulty_level: None,
                    estimated_duration_minutes: None,
                })
                .await
                .map(|_| ()),
        ),
    ];
    for (what, outcome) in refusals {
        let err = outcome.expect_err(what);
        assert!(
            ["forbidden", "not_found"].contains(&err.code().as_str()),
            "{what}: {err}"
        );
    }
    // nothing was written: still no enrollment, no attempt, no new course, no admin
    for (sql, expected) in [
        ("select count(*) from enrollments", 0_i64),
        ("select count(*) from assessment_attempts", 0),
        ("select count(*) from courses", 1),
        ("select count(*) from profiles where role = 'admin'", 1),
    ] {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        assert_eq!(n, expected, "{sql}");
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_visitor_records_a_failed_sign_in(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let id = w
        .lms
        .as_anon()
        .record_failed_sign_in("who@example.org", "wrong password")
        .await
        .unwrap();
    let (role, action): (String, String) =
        sqlx::query_as("select actor_role::text, action::text from audit_log where id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((role.as_str(), action.as_str()), ("anon", "sign_in_failed"));
}

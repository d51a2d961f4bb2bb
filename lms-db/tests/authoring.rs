//! Authoring use cases: who may author, the prerequisite DAG, validated documents,
//! atomic reordering — and nothing half-written after a refusal.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::model::*;
use lms_core::repo::{
    ContentBlockPatch, CourseFilter, CoursePatch, LessonPatch, NewContentBlock, NewCourse,
    NewLesson, Page,
};
use serde_json::json;
use sqlx::PgPool;
use world::{count, new_block, world};

fn new_course(instructor: UserId) -> NewCourse {
    NewCourse {
        title: "Go".into(),
        description: None,
        instructor_id: instructor,
        tags: vec!["go".into()],
        difficulty_level: None,
        estimated_duration_minutes: None,
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn only_instructors_and_admins_create_courses(pool: PgPool) {
    let w = world(pool.clone(), false).await;
    let cases = [
        ("a student", w.student, w.student, Some("forbidden")),
        (
            "an instructor for someone else",
            w.instructor,
            w.other_instructor,
            Some("forbidden"),
        ),
        (
            "an instructor for themselves",
            w.instructor,
            w.instructor,
            None,
        ),
        (
            "an admin for an instructor",
            w.admin,
            w.other_instructor,
            None,
        ),
    ];
    for (name, actor, owner, expect) in cases {
        let got = w.lms.as_user(actor).create_course(new_course(owner)).await;
        match (got, expect) {
            (Ok(c), None) => assert_eq!(c.instructor_id, owner, "{name}"),
            (Err(e), Some(code)) => assert_eq!(e.code(), code, "{name}: {e}"),
            (got, _) => panic!("{name}: unexpected {got:?}"),
        }
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from courses where title = 'Go' and $1::uuid is not null",
            uuid::Uuid::nil()
        )
        .await,
        2
    );
    let blank = w
        .lms
        .as_user(w.instructor)
        .create_course(NewCourse {
            title: "  ".into(),
            ..new_course(w.instructor)
        })
        .await
        .unwrap_err();
    assert_eq!(blank.code(), "invalid_document", "{blank}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn other_people_cannot_change_a_course(pool: PgPool) {
    let w = world(pool.clone(), false).await;
    let patch = || CoursePatch {
        title: Some("Hijacked".into()),
        ..Default::default()
    };
    // unpublished: invisible to other instructors and students
    for who in [w.other_instructor, w.student] {
        let err = w
            .lms
            .as_user(who)
            .update_course(w.course, patch())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "not_found", "{err}");
    }
    sqlx::query("update courses set is_published = true where id = $1")
        .bind(w.course.0)
        .execute(&pool)
        .await
        .unwrap();
    for who in [w.other_instructor, w.student] {
        let err = w
            .lms
            .as_user(who)
            .update_course(w.course, patch())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "forbidden", "{err}");
    }
    let title: String = sqlx::query_scalar("select title from courses where id = $1")
        .bind(w.course.0)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(title, "Rust");
    let renamed = w
        .lms
        .as_user(w.admin)
        .update_course(w.course, patch())
        .await
        .unwrap();
    assert_eq!(renamed.title, "Hijacked");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn prerequisites_stay_an_acyclic_graph_of_the_course(pool: PgPool) {
    let w = world(pool.clone(), false).await;
    let author = w.lms.as_user(w.instructor);
    let cycle = author
        .update_lesson(
            w.lesson1,
            LessonPatch {
                prerequisites: Some(vec![w.lesson2]),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(cycle.code(), "invalid_document");
    assert!(cycle.to_string().contains("cycle"), "{cycle}");

    let other = author
        .create_course(new_course(w.instructor))
        .await
        .unwrap();
    let foreign = author
        .create_lesson(NewLesson {
            course_id: other.id,
            title: "Intro".into(),
            description: None,
            order_index: 0,
            learning_objectives: vec![],
            estimated_duration_minutes: None,
            prerequisites: vec![w.lesson1],
        })
        .await
        .unwrap_err();
    assert_eq!(foreign.code(), "invalid_document");
    assert!(
        foreign.to_string().contains("not a lesson of this course"),
        "{foreign}"
    );
    assert_eq!(
        count(
            &pool,
            "select count(*) from lessons where course_id = $1",
            other.id.0
        )
        .await,
        0
    );
    let prerequisites: Vec<uuid::Uuid> =
        sqlx::query_scalar("select prerequisites from lessons where id = $1")
            .bind(w.lesson1.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(prerequisites.is_empty());
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn blocks_are_validated_and_stored_sanitized(pool: PgPool) {
    let w = world(pool.clone(), false).await;
    let author = w.lms.as_user(w.instructor);
    let block = author
        .create_block(NewContentBlock {
            content: json!({"rich_text": {
                "html": "<p onclick=\"steal()\">Hi<script>alert(1)</script> <b>there</b></p>",
                "plain_text": "whatever the client says"}}),
            ..new_block(w.lesson2, 1, "")
        })
        .await
        .unwrap();
    let html = block.content["rich_text"]["html"].as_str().unwrap();
    assert!(
        !html.contains("script") && !html.contains("onclick"),
        "{html}"
    );
    assert_eq!(block.content["rich_text"]["plain_text"], "Hi there");

    let refused = [
        (
            "http image",
            ContentType::Image,
            json!({"image": {"url": "http://example.org/a.png", "alt_text": "a"}}),
            "/image/url",
        ),
        (
            "type mismatch",
            ContentType::Video,
            json!({"image": {"url": "https://example.org/a.png", "alt_text": "a"}}),
            "",
        ),
        (
            "bad youtube id",
            ContentType::Youtube,
            json!({"youtube": {"video_id": "short", "title": "t",
                "thumbnail_url": "https://i.ytimg.com/x.jpg", "duration": 10}}),
            "/youtube/video_id",
        ),
    ];
    for (name, kind, content, path) in refused {
        let err = author
            .create_block(NewContentBlock {
                content_type: kind,
                content,
                ..new_block(w.lesson2, 5, "")
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_document", "{name}: {err}");
        assert!(err.to_string().contains(path), "{name}: {err}");
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from content_blocks where lesson_id = $1",
            w.lesson2.0
        )
        .await,
        2
    );
    let student = w
        .lms
        .as_user(w.student)
        .create_block(new_block(w.lesson2, 7, "x"))
        .await
        .unwrap_err();
    assert!(
        ["forbidden", "not_found"].contains(&student.code().as_str()),
        "{student}"
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn blocks_reorder_atomically(pool: PgPool) {
    let w = world(pool.clone(), false).await;
    let author = w.lms.as_user(w.instructor);
    let swapped = author
        .reorder_blocks(w.lesson1, &[w.block2, w.block1])
        .await
        .unwrap();
    assert_eq!(
        swapped
            .iter()
            .map(|b| (b.id, b.order_index))
            .collect::<Vec<_>>(),
        [(w.block2, 0), (w.block1, 1)]
    );
    for bad in [
        vec![w.block1],
        vec![w.block1, w.block1],
        vec![w.block1, w.block3],
    ] {
        let err = author.reorder_blocks(w.lesson1, &bad).await.unwrap_err();
        assert_eq!(err.code(), "invalid_document", "{err}");
    }
    let now: Vec<ContentBlockId> = author
        .list_blocks(w.lesson1)
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(now, [w.block2, w.block1]);
    // a position clash through a patch is a typed conflict
    let clash = author
        .update_block(
            w.block1,
            ContentBlockPatch {
                order_index: Some(0),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(clash.code(), "conflict", "{clash}");
    let lessons = author
        .reorder_lessons(w.course, &[w.lesson2, w.lesson1])
        .await
        .unwrap();
    assert_eq!(lessons[0].id, w.lesson2);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn questions_are_validated_and_keys_kept_from_students(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let author = w.lms.as_user(w.instructor);
    let bad = author
        .update_assessment(
            w.quiz1,
            lms_core::repo::AssessmentPatch {
                questions: Some(json!([{"type": "true_false", "id": "x", "prompt": "?", "points": 0, "correct": true}])),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), "invalid_document");
    assert!(bad.to_string().contains("/0/points"), "{bad}");

    let full = author.get_assessment(w.quiz1).await.unwrap();
    assert_eq!(full.questions[1]["correct"], true);
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    assert_eq!(
        me.get_assessment(w.quiz1).await.unwrap_err().code(),
        "forbidden"
    );
    let shown = me.assessment_questions(w.quiz1).await.unwrap();
    assert_eq!(shown[0]["prompt"], "Which one borrows?");
    assert!(shown[1].get("correct").is_none(), "{shown}");
    assert!(shown[0]["options"][1].get("fraction").is_none(), "{shown}");
    assert!(shown[0].get("explanation").is_none(), "{shown}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_catalog_filters_and_pages(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let author = w.lms.as_user(w.instructor);
    author
        .create_course(new_course(w.instructor))
        .await
        .unwrap();
    let student = w.lms.as_user(w.student);
    let visible = student
        .list_courses(&CourseFilter::default(), Page::default())
        .await
        .unwrap()
        .items;
    assert_eq!(
        visible.iter().map(|c| c.id).collect::<Vec<_>>(),
        [w.course],
        "drafts are hidden"
    );
    let mine = author
        .list_courses(&CourseFilter::default(), Page::default())
        .await
        .unwrap()
        .items;
    assert_eq!(mine.len(), 2);
    let go = author
        .list_courses(
            &CourseFilter {
                tag: Some("go".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(go.len(), 1);
    let beginner = author
        .list_courses(
            &CourseFilter {
                difficulty: Some(DifficultyLevel::Beginner),
                published: Some(true),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(
        beginner.iter().map(|c| c.id).collect::<Vec<_>>(),
        [w.course]
    );
    let page2 = author
        .list_courses(&CourseFilter::default(), Page::new(1, 1))
        .await
        .unwrap()
        .items;
    assert_eq!(page2.len(), 1);
    assert_eq!(page2[0].id, mine[1].id);
}

//! A small course world built through the use cases, for the use-case tests.
#![allow(dead_code)]

use lms_core::model::*;
use lms_core::repo::{AssessmentOwner, NewAssessment, NewContentBlock, NewCourse, NewLesson};
use lms_db::Lms;
use serde_json::{json, Value};
use sqlx::PgPool;

/// The shared low-level fixtures (users, the small seed, the Supabase setup).
#[path = "../common/mod.rs"]
pub mod common;

/// People and content of the world: lesson 2 requires lesson 1; each lesson has a
/// mandatory quiz (max 3 attempts, passing 70); the course has a final exam.
pub struct World {
    pub lms: Lms,
    pub pool: PgPool,
    pub instructor: UserId,
    pub other_instructor: UserId,
    pub admin: UserId,
    pub student: UserId,
    pub other_student: UserId,
    pub course: CourseId,
    pub lesson1: LessonId,
    pub lesson2: LessonId,
    pub block1: ContentBlockId,
    pub block2: ContentBlockId,
    pub block3: ContentBlockId,
    pub quiz1: AssessmentId,
    pub quiz2: AssessmentId,
    pub final_exam: AssessmentId,
}

/// Signs a user up through `auth.users` and gives them `role`.
pub async fn user(pool: &PgPool, email: &str, role: &str) -> UserId {
    UserId(common::create_user(pool, email, role).await)
}

/// Two questions worth 1 point each: a single choice (`b` is right) and a true/false
/// (`true` is right).
pub fn questions() -> Value {
    json!([
        {"type": "multiple_choice", "id": "q1", "prompt": "Which one borrows?", "points": 1,
         "options": [
            {"id": "a", "text": "let x = y;", "fraction": 0.0},
            {"id": "b", "text": "let x = &y;", "fraction": 1.0}
         ],
         "explanation": "A reference borrows."},
        {"type": "true_false", "id": "q2", "prompt": "A value has one owner.", "points": 1,
         "correct": true}
    ])
}

/// Answers scoring `right` of the two questions of [`questions`].
pub fn answers(right: usize) -> Value {
    json!({
        "q1": {"type": "multiple_choice", "selected": [if right >= 1 { "b" } else { "a" }]},
        "q2": {"type": "true_false", "value": right >= 2}
    })
}

pub fn rich_text(text: &str) -> Value {
    json!({"rich_text": {"html": format!("<p>{text}</p>"), "plain_text": text}})
}

pub fn new_quiz(owner: AssessmentOwner, title: &str) -> NewAssessment {
    NewAssessment {
        owner,
        title: title.into(),
        description: None,
        questions: questions(),
        ai_generated: false,
        source_content_ids: vec![],
        is_mandatory: true,
        minimum_passing_score: 70,
        max_attempts: Some(3),
        time_limit_minutes: None,
        policy: Default::default(),
        schedule: Default::default(),
        late_policy: None,
    }
}

pub fn new_block(lesson: LessonId, order: i32, text: &str) -> NewContentBlock {
    NewContentBlock {
        lesson_id: lesson,
        content_type: ContentType::RichText,
        content: rich_text(text),
        order_index: order,
        metadata: json!({}),
    }
}

/// Builds the world; the course is published when `publish` is true.
pub async fn world(pool: PgPool, publish: bool) -> World {
    let lms = Lms::from_pool(pool.clone());
    let instructor = user(&pool, "ada@example.org", "instructor").await;
    let other_instructor = user(&pool, "grace@example.org", "instructor").await;
    let admin = user(&pool, "root@example.org", "admin").await;
    let student = user(&pool, "sam@example.org", "student").await;
    let other_student = user(&pool, "kim@example.org", "student").await;
    let author = lms.as_user(instructor);
    let course = author
        .create_course(NewCourse {
            title: "Rust".into(),
            description: Some("Ownership and borrowing".into()),
            instructor_id: instructor,
            tags: vec!["rust".into()],
            difficulty_level: Some(DifficultyLevel::Beginner),
            estimated_duration_minutes: Some(90),
        })
        .await
        .unwrap()
        .id;
    let lesson = |title: &str, order: i32, prerequisites: Vec<LessonId>| NewLesson {
        course_id: course,
        title: title.into(),
        description: None,
        order_index: order,
        learning_objectives: vec![],
        estimated_duration_minutes: Some(30),
        prerequisites,
    };
    let lesson1 = author
        .create_lesson(lesson("Ownership", 0, vec![]))
        .await
        .unwrap()
        .id;
    let lesson2 = author
        .create_lesson(lesson("Borrowing", 1, vec![lesson1]))
        .await
        .unwrap()
        .id;
    let block1 = author
        .create_block(new_block(lesson1, 0, "Every value has an owner."))
        .await
        .unwrap()
        .id;
    let block2 = author
        .create_block(new_block(lesson1, 1, "Moves transfer ownership."))
        .await
        .unwrap()
        .id;
    let block3 = author
        .create_block(new_block(lesson2, 0, "References borrow."))
        .await
        .unwrap()
        .id;
    let quiz1 = author
        .create_assessment(new_quiz(AssessmentOwner::Lesson(lesson1), "Ownership quiz"))
        .await
        .unwrap()
        .id;
    let quiz2 = author
        .create_assessment(new_quiz(AssessmentOwner::Lesson(lesson2), "Borrowing quiz"))
        .await
        .unwrap()
        .id;
    let final_exam = author
        .create_assessment(new_quiz(AssessmentOwner::Course(course), "Final exam"))
        .await
        .unwrap()
        .id;
    if publish {
        author.publish_course(course).await.unwrap();
    }
    World {
        lms,
        pool,
        instructor,
        other_instructor,
        admin,
        student,
        other_student,
        course,
        lesson1,
        lesson2,
        block1,
        block2,
        block3,
        quiz1,
        quiz2,
        final_exam,
    }
}

/// Gives `quiz` a time limit of `minutes`, as the course's instructor.
#[allow(dead_code)]
pub async fn set_time_limit(w: &World, quiz: AssessmentId, minutes: i32) {
    w.lms
        .as_user(w.instructor)
        .update_assessment(
            quiz,
            lms_core::repo::AssessmentPatch {
                time_limit_minutes: Some(Some(minutes)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

/// Counts rows of a query with one uuid parameter (not every test file uses it).
#[allow(unused_imports)]
pub use common::count;

/// Takes `student`'s progress lock on `course` (the advisory lock every use case that
/// changes their facts takes, `lms.progress:<course>:<student>`) in a transaction of its
/// own, held until that transaction ends.
pub async fn hold_progress_lock(
    pool: &PgPool,
    course: CourseId,
    student: UserId,
) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("lms.progress:{course}:{student}"))
        .execute(&mut *holder)
        .await
        .unwrap();
    holder
}

/// Waits (up to 30 s) until a session of this database waits for an advisory lock;
/// whether one did.
pub async fn someone_waits_for_a_lock(pool: &PgPool) -> bool {
    for _ in 0..1500 {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity where datname = current_database() \
             and wait_event_type = 'Lock' and wait_event = 'advisory'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

/// Runs `sql` as `user` through the API role, as a direct client would, in a transaction
/// rolled back afterwards; the error's SQLSTATE, or the rows touched.
pub async fn raw_as(pool: &PgPool, user: UserId, sql: &str) -> Result<u64, String> {
    let mut tx = pool.begin().await.unwrap();
    common::act_as(
        &mut tx,
        "authenticated",
        json!({"sub": user.0, "role": "authenticated"}),
    )
    .await;
    match sqlx::query(sql).execute(&mut *tx).await {
        Ok(done) => Ok(done.rows_affected()),
        Err(e) => Err(e
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.to_string())
            .unwrap_or_default()),
    }
}

/// Counts the rows `sql` selects as `user` through the API role.
pub async fn count_as(pool: &PgPool, user: UserId, sql: &str) -> i64 {
    let mut tx = pool.begin().await.unwrap();
    common::act_as(
        &mut tx,
        "authenticated",
        json!({"sub": user.0, "role": "authenticated"}),
    )
    .await;
    sqlx::query_scalar(&format!("select count(*) from ({sql}) t"))
        .fetch_one(&mut *tx)
        .await
        .unwrap()
}

/// A course of the world's other instructor ("Go"), unpublished, empty.
pub async fn other_course(w: &World) -> CourseId {
    w.lms
        .as_user(w.other_instructor)
        .create_course(NewCourse {
            title: "Go".into(),
            description: None,
            instructor_id: w.other_instructor,
            tags: vec![],
            difficulty_level: None,
            estimated_duration_minutes: None,
        })
        .await
        .unwrap()
        .id
}

/// The world with both students enrolled in its course.
pub async fn enrolled(pool: &PgPool) -> World {
    let w = world(pool.clone(), true).await;
    for s in [w.student, w.other_student] {
        w.lms.as_user(s).enroll(w.course).await.unwrap();
    }
    w
}

/// The database's clock (`statement_timestamp()`), which every rule of time goes by.
pub async fn db_now(pool: &PgPool) -> chrono::DateTime<chrono::Utc> {
    sqlx::query_scalar("select statement_timestamp()")
        .fetch_one(pool)
        .await
        .unwrap()
}

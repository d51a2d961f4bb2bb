//! Shared fixtures of the lms-db integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use sqlx::PgPool;
use uuid::Uuid;

/// Ids of a small seeded world: an instructor, a student, a course with one lesson, the
/// lesson's assessment and the course's final assessment.
pub struct Seed {
    pub instructor: Uuid,
    pub student: Uuid,
    pub course: Uuid,
    pub lesson: Uuid,
    pub lesson_assessment: Uuid,
    pub final_assessment: Uuid,
}

/// Creates a user through `auth.users` (the sign-up trigger makes the profile) and sets
/// the profile's role.
pub async fn create_user(pool: &PgPool, email: &str, role: &str) -> Uuid {
    let id: Uuid = sqlx::query_scalar("insert into auth.users (email) values ($1) returning id")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::query("update public.profiles set role = $2::public.user_role where id = $1")
        .bind(id)
        .bind(role)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// Seeds the small world described on [`Seed`].
pub async fn seed(pool: &PgPool) -> Seed {
    let instructor = create_user(pool, "ada@example.org", "instructor").await;
    let student = create_user(pool, "sam@example.org", "student").await;
    let course: Uuid = sqlx::query_scalar(
        "insert into public.courses (title, instructor_id) values ('Rust', $1) returning id",
    )
    .bind(instructor)
    .fetch_one(pool)
    .await
    .unwrap();
    let lesson: Uuid = sqlx::query_scalar(
        "insert into public.lessons (course_id, title, order_index) values ($1, 'Ownership', 0) \
         returning id",
    )
    .bind(course)
    .fetch_one(pool)
    .await
    .unwrap();
    let lesson_assessment: Uuid = sqlx::query_scalar(
        "insert into public.assessments (lesson_id, title) values ($1, 'Quiz') returning id",
    )
    .bind(lesson)
    .fetch_one(pool)
    .await
    .unwrap();
    let final_assessment: Uuid = sqlx::query_scalar(
        "insert into public.assessments (course_id, title) values ($1, 'Final') returning id",
    )
    .bind(course)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("update public.lessons set assessment_id = $2 where id = $1")
        .bind(lesson)
        .bind(lesson_assessment)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("update public.courses set final_assessment_id = $2 where id = $1")
        .bind(course)
        .bind(final_assessment)
        .execute(pool)
        .await
        .unwrap();
    Seed {
        instructor,
        student,
        course,
        lesson,
        lesson_assessment,
        final_assessment,
    }
}

/// Counts the rows of a query returning one bigint.
pub async fn count(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

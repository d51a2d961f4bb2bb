//! Quickstart: connect, migrate, create an instructor, a course with a lesson and an
//! assessment, enrol a student, and print the rows.
//!
//! Run it with `scripts/with-postgres cargo run --example quickstart`: it uses
//! `DATABASE_URL` when that answers, or a throwaway PostgreSQL otherwise.

use sqlx::postgres::PgPoolOptions;
use sqlx::Row;
use uuid::Uuid;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "set DATABASE_URL, or run through scripts/with-postgres")?;
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await?;
    lms::db::MIGRATOR.run(&pool).await?;
    let applied = lms::db::MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .count();
    println!("migrated: {applied} migrations applied");

    // Users sign up through auth.users (Supabase Auth, or the shim on plain PostgreSQL);
    // the sign-up trigger creates their profile as a student.
    let tag = Uuid::new_v4().simple().to_string();
    let mut tx = pool.begin().await?;
    let instructor: Uuid =
        sqlx::query_scalar("insert into auth.users (email) values ($1) returning id")
            .bind(format!("ada+{tag}@example.org"))
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query("update profiles set role = 'instructor', first_name = 'Ada' where id = $1")
        .bind(instructor)
        .execute(&mut *tx)
        .await?;
    let student: Uuid =
        sqlx::query_scalar("insert into auth.users (email) values ($1) returning id")
            .bind(format!("sam+{tag}@example.org"))
            .fetch_one(&mut *tx)
            .await?;

    let course: Uuid = sqlx::query_scalar(
        "insert into courses (title, instructor_id, tags, difficulty_level, estimated_duration, is_published) \
         values ('Rust for data people', $1, '{rust,sql}', 'beginner', 90, true) returning id",
    )
    .bind(instructor)
    .fetch_one(&mut *tx)
    .await?;
    let lesson: Uuid = sqlx::query_scalar(
        "insert into lessons (course_id, title, order_index, estimated_duration, is_published) \
         values ($1, 'Ownership', 0, 30, true) returning id",
    )
    .bind(course)
    .fetch_one(&mut *tx)
    .await?;
    let assessment: Uuid = sqlx::query_scalar(
        "insert into assessments (lesson_id, title, questions, max_attempts, time_limit) \
         values ($1, 'Ownership quiz', '[]', 3, 15) returning id",
    )
    .bind(lesson)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("update lessons set assessment_id = $2 where id = $1")
        .bind(lesson)
        .bind(assessment)
        .execute(&mut *tx)
        .await?;
    sqlx::query("insert into enrollments (student_id, course_id) values ($1, $2)")
        .bind(student)
        .bind(course)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;

    let rows = sqlx::query(
        "select p.email, p.role::text as role, c.title as course, l.title as lesson, \
                a.title as assessment, e.enrolled_at \
         from enrollments e \
         join profiles p on p.id = e.student_id \
         join courses c on c.id = e.course_id \
         join lessons l on l.course_id = c.id \
         join assessments a on a.id = l.assessment_id \
         where e.student_id = $1",
    )
    .bind(student)
    .fetch_all(&pool)
    .await?;
    for row in rows {
        println!(
            "enrolled: {} ({}) in {:?}, lesson {:?} with assessment {:?}, at {}",
            row.get::<String, _>("email"),
            row.get::<String, _>("role"),
            row.get::<String, _>("course"),
            row.get::<String, _>("lesson"),
            row.get::<String, _>("assessment"),
            row.get::<chrono::DateTime<chrono::Utc>, _>("enrolled_at"),
        );
    }
    Ok(())
}

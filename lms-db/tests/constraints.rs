//! The schema's guards: each constraint of the spec's "Data Validation" rejects a bad row
//! with its SQLSTATE and constraint name; triggers keep `updated_at` current and create a
//! profile on sign-up; deletes cascade as documented in the migration.
#![allow(clippy::unwrap_used)]

mod common;

use common::{count, seed, Seed};
use sqlx::PgPool;

/// One row of the constraint table: `setup` statements run first, then `statement`, which
/// must fail with `sqlstate` naming `constraint` — or succeed when `sqlstate` is `None`.
struct Case {
    name: &'static str,
    setup: &'static [&'static str],
    statement: &'static str,
    expect: Option<(&'static str, &'static str)>,
}

const UNIQUE: &str = "23505";
const CHECK: &str = "23514";
const FOREIGN_KEY: &str = "23503";

fn cases() -> Vec<Case> {
    let case = |name, setup, statement, expect| Case {
        name,
        setup,
        statement,
        expect,
    };
    // Placeholders: {instructor} {student} {course} {lesson} {la} (the lesson's
    // assessment) {fa} (the course's final assessment).
    vec![
        case("one enrollment per student and course",
            &["insert into enrollments (student_id, course_id) values ('{student}', '{course}')"],
            "insert into enrollments (student_id, course_id) values ('{student}', '{course}')",
            Some((UNIQUE, "enrollments_student_course_key"))),
        case("unique e-mail",
            &[],
            "update profiles set email = 'ada@example.org' where id = '{student}'",
            Some((UNIQUE, "idx_profiles_email"))),
        case("an avatar that is not an https URL",
            &[],
            "update profiles set avatar_url = 'javascript:alert(1)' where id = '{student}'",
            Some((CHECK, "profiles_avatar_url_https"))),
        case("an https avatar is fine",
            &[],
            "update profiles set avatar_url = 'https://cdn.example.org/a.png' where id = '{student}'",
            None),
        case("completion percentage above 100",
            &[],
            "insert into student_progress (student_id, course_id, lesson_id, completion_percentage) values ('{student}', '{course}', '{lesson}', 101)",
            Some((CHECK, "student_progress_completion_percentage_range"))),
        case("completion percentage below 0",
            &[],
            "insert into student_progress (student_id, course_id, lesson_id, completion_percentage) values ('{student}', '{course}', '{lesson}', -1)",
            Some((CHECK, "student_progress_completion_percentage_range"))),
        case("completion percentage of 100 is fine",
            &[],
            "insert into student_progress (student_id, course_id, lesson_id, completion_percentage) values ('{student}', '{course}', '{lesson}', 100)",
            None),
        case("best score above 100",
            &[],
            "insert into student_progress (student_id, course_id, assessment_id, best_score) values ('{student}', '{course}', '{la}', 101)",
            Some((CHECK, "student_progress_best_score_range"))),
        case("one progress row per student and lesson",
            &["insert into student_progress (student_id, course_id, lesson_id) values ('{student}', '{course}', '{lesson}')"],
            "insert into student_progress (student_id, course_id, lesson_id) values ('{student}', '{course}', '{lesson}')",
            Some((UNIQUE, "student_progress_subject_key"))),
        case("negative time spent on progress",
            &[],
            "insert into student_progress (student_id, course_id, lesson_id, time_spent) values ('{student}', '{course}', '{lesson}', -5)",
            Some((CHECK, "student_progress_time_spent_non_negative"))),
        case("attempt score above 100",
            &[],
            "insert into assessment_attempts (assessment_id, student_id, attempt_number, score) values ('{la}', '{student}', 1, 101)",
            Some((CHECK, "assessment_attempts_score_range"))),
        case("attempt score below 0",
            &[],
            "insert into assessment_attempts (assessment_id, student_id, attempt_number, score) values ('{la}', '{student}', 1, -1)",
            Some((CHECK, "assessment_attempts_score_range"))),
        case("attempt number starts at 1",
            &[],
            "insert into assessment_attempts (assessment_id, student_id, attempt_number) values ('{la}', '{student}', 0)",
            Some((CHECK, "assessment_attempts_attempt_number_positive"))),
        case("attempt numbers unique per assessment and student",
            &["insert into assessment_attempts (assessment_id, student_id, attempt_number) values ('{la}', '{student}', 1)"],
            "insert into assessment_attempts (assessment_id, student_id, attempt_number) values ('{la}', '{student}', 1)",
            Some((UNIQUE, "assessment_attempts_number_key"))),
        case("points earned within total points",
            &[],
            "insert into assessment_attempts (assessment_id, student_id, attempt_number, points_earned, total_points) values ('{la}', '{student}', 1, 11, 10)",
            Some((CHECK, "assessment_attempts_points_within_total"))),
        case("points earned equal to total is fine",
            &[],
            "insert into assessment_attempts (assessment_id, student_id, attempt_number, points_earned, total_points, score, passed) values ('{la}', '{student}', 1, 10, 10, 100, true)",
            None),
        case("negative attempt time spent",
            &[],
            "insert into assessment_attempts (assessment_id, student_id, attempt_number, time_spent) values ('{la}', '{student}', 1, -1)",
            Some((CHECK, "assessment_attempts_time_spent_non_negative"))),
        case("attempt submitted before it started",
            &[],
            "insert into assessment_attempts (assessment_id, student_id, attempt_number, started_at, submitted_at) values ('{la}', '{student}', 1, now(), now() - interval '1 minute')",
            Some((CHECK, "assessment_attempts_submitted_after_started"))),
        case("minimum passing score above 100",
            &[],
            "update assessments set minimum_passing_score = 101 where id = '{la}'",
            Some((CHECK, "assessments_minimum_passing_score_range"))),
        case("max attempts must be positive",
            &[],
            "update assessments set max_attempts = 0 where id = '{la}'",
            Some((CHECK, "assessments_max_attempts_positive"))),
        case("time limit must be positive",
            &[],
            "update assessments set time_limit = 0 where id = '{la}'",
            Some((CHECK, "assessments_time_limit_positive"))),
        case("assessment belongs to a lesson and a course",
            &[],
            "insert into assessments (lesson_id, course_id, title) values ('{lesson}', '{course}', 'Both')",
            Some((CHECK, "assessments_lesson_xor_course"))),
        case("assessment belongs to neither lesson nor course",
            &[],
            "insert into assessments (title) values ('Orphan')",
            Some((CHECK, "assessments_lesson_xor_course"))),
        case("assessment questions are an array",
            &[],
            "update assessments set questions = '{}' where id = '{la}'",
            Some((CHECK, "assessments_questions_array"))),
        case("course duration must be positive",
            &[],
            "update courses set estimated_duration = 0 where id = '{course}'",
            Some((CHECK, "courses_estimated_duration_positive"))),
        case("lesson duration must be positive",
            &[],
            "update lessons set estimated_duration = -10 where id = '{lesson}'",
            Some((CHECK, "lessons_estimated_duration_positive"))),
        case("course title must not be blank",
            &[],
            "update courses set title = '  ' where id = '{course}'",
            Some((CHECK, "courses_title_not_blank"))),
        case("lesson order index unique within its course",
            &[],
            "insert into lessons (course_id, title, order_index) values ('{course}', 'Borrowing', 0)",
            Some((UNIQUE, "idx_lessons_order"))),
        case("lesson order index non-negative",
            &[],
            "insert into lessons (course_id, title, order_index) values ('{course}', 'Borrowing', -1)",
            Some((CHECK, "lessons_order_index_non_negative"))),
        case("block order index unique within its lesson",
            &["insert into content_blocks (lesson_id, type, content, order_index) values ('{lesson}', 'rich_text', '{}', 0)"],
            "insert into content_blocks (lesson_id, type, content, order_index) values ('{lesson}', 'image', '{}', 0)",
            Some((UNIQUE, "idx_content_blocks_order"))),
        case("block content is an object",
            &[],
            "insert into content_blocks (lesson_id, type, content, order_index) values ('{lesson}', 'rich_text', '[]', 0)",
            Some((CHECK, "content_blocks_content_object"))),
        case("a lesson is not its own prerequisite",
            &[],
            "update lessons set prerequisites = array[id] where id = '{lesson}'",
            Some((CHECK, "lessons_not_own_prerequisite"))),
        case("prerequisites are lessons of the same course",
            &[],
            "insert into lessons (course_id, title, order_index, prerequisites) values ('{course}', 'Borrowing', 1, array[gen_random_uuid()])",
            Some((FOREIGN_KEY, "lessons_prerequisites_same_course"))),
        case("prerequisites stay acyclic",
            &["insert into lessons (id, course_id, title, order_index, prerequisites) values ('00000000-0000-4000-8000-0000000000b2', '{course}', 'Borrowing', 1, array['{lesson}'::uuid])"],
            "update lessons set prerequisites = array['00000000-0000-4000-8000-0000000000b2'::uuid] where id = '{lesson}'",
            Some((CHECK, "lessons_prerequisites_acyclic"))),
        case("a prerequisite of the same course is fine",
            &[],
            "insert into lessons (course_id, title, order_index, prerequisites) values ('{course}', 'Borrowing', 1, array['{lesson}'::uuid])",
            None),
        case("final assessment must belong to the course",
            &[],
            "update courses set final_assessment_id = '{la}' where id = '{course}'",
            Some((FOREIGN_KEY, "courses_final_assessment_fkey"))),
        case("lesson assessment must belong to the lesson",
            &[],
            "update lessons set assessment_id = '{fa}' where id = '{lesson}'",
            Some((FOREIGN_KEY, "lessons_assessment_fkey"))),
        case("enrollment in a course that does not exist",
            &[],
            "insert into enrollments (student_id, course_id) values ('{student}', gen_random_uuid())",
            Some((FOREIGN_KEY, "enrollments_course_id_fkey"))),
        case("completion before enrollment",
            &[],
            "insert into enrollments (student_id, course_id, enrolled_at, completed_at) values ('{student}', '{course}', now(), now() - interval '1 day')",
            Some((CHECK, "enrollments_completed_after_enrolled"))),
        case("an instructor who owns courses cannot be deleted",
            &[],
            "delete from auth.users where id = '{instructor}'",
            Some((FOREIGN_KEY, "courses_instructor_id_fkey"))),
        case("learning progress time spent non-negative",
            &[],
            "insert into learning_progress (student_id, content_id, content_type, time_spent) values ('{student}', gen_random_uuid(), 'video', -1)",
            Some((CHECK, "learning_progress_time_spent_non_negative"))),
        case("one learning progress row per student and content",
            &["insert into learning_progress (student_id, content_id, content_type) values ('{student}', '{lesson}', 'video')"],
            "insert into learning_progress (student_id, content_id, content_type) values ('{student}', '{lesson}', 'video')",
            Some((UNIQUE, "learning_progress_student_content_key"))),
        case("roadmap data is an object",
            &[],
            "insert into personalized_roadmaps (student_id, roadmap_data) values ('{student}', '\"steps\"')",
            Some((CHECK, "personalized_roadmaps_data_object"))),
    ]
}

fn fill(sql: &str, s: &Seed) -> String {
    sql.replace("{instructor}", &s.instructor.to_string())
        .replace("{student}", &s.student.to_string())
        .replace("{course}", &s.course.to_string())
        .replace("{lesson}", &s.lesson.to_string())
        .replace("{la}", &s.lesson_assessment.to_string())
        .replace("{fa}", &s.final_assessment.to_string())
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn each_constraint_rejects_a_bad_row_with_its_sqlstate(pool: PgPool) {
    let s = seed(&pool).await;
    let mut failures = Vec::new();
    for case in cases() {
        let mut tx = pool.begin().await.unwrap();
        for setup in case.setup {
            sqlx::query(&fill(setup, &s))
                .execute(&mut *tx)
                .await
                .unwrap_or_else(|e| panic!("{}: setup failed: {e}", case.name));
        }
        let outcome = sqlx::query(&fill(case.statement, &s))
            .execute(&mut *tx)
            .await;
        let got = match &outcome {
            Ok(_) => None,
            Err(sqlx::Error::Database(db)) => Some((
                db.code().map(|c| c.into_owned()).unwrap_or_default(),
                db.constraint().unwrap_or_default().to_owned(),
            )),
            Err(other) => panic!("{}: unexpected error {other}", case.name),
        };
        let want = case
            .expect
            .map(|(code, name)| (code.to_owned(), name.to_owned()));
        if got != want {
            failures.push(format!("{}: expected {want:?}, got {got:?}", case.name));
        }
        tx.rollback().await.unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn signing_up_creates_a_student_profile(pool: PgPool) {
    let id: uuid::Uuid = sqlx::query_scalar(
        "insert into auth.users (email) values ('new@example.org') returning id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let (email, role): (Option<String>, String) =
        sqlx::query_as("select email, role::text from profiles where id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(email.as_deref(), Some("new@example.org"));
    assert_eq!(role, "student");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn updated_at_advances_on_update_of_every_table_that_has_it(pool: PgPool) {
    let s = seed(&pool).await;
    for sql in [
        "insert into content_blocks (lesson_id, type, content, order_index) values ('{lesson}', 'rich_text', '{}', 0)",
        "insert into student_progress (student_id, course_id, lesson_id) values ('{student}', '{course}', '{lesson}')",
        "insert into personalized_roadmaps (student_id) values ('{student}')",
        "insert into learning_progress (student_id, content_id, content_type) values ('{student}', '{lesson}', 'video')",
        "insert into knowledge_models (course_id, skill, prior, learn, guess, slip) values ('{course}', 'loops', 0.2, 0.1, 0.2, 0.1)",
        "insert into accommodations (course_id, student_id, extra_minutes) values ('{course}', '{student}', 10)",
        "insert into auth.users (email) values ('ta@example.org')",
        "insert into course_staff (course_id, user_id, role) values ('{course}', (select id from profiles where email = 'ta@example.org'), 'grader')",
    ] {
        sqlx::query(&fill(sql, &s)).execute(&pool).await.unwrap();
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.columns \
         where table_schema = 'public' and column_name = 'updated_at' order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(tables.len(), 11, "tables with updated_at: {tables:?}");
    for table in tables {
        let read = format!("select updated_at from {table} limit 1");
        let before: chrono::DateTime<chrono::Utc> =
            sqlx::query_scalar(&read).fetch_one(&pool).await.unwrap();
        // a no-op update: only the trigger changes the row
        sqlx::query(&format!("update {table} set id = id"))
            .execute(&pool)
            .await
            .unwrap();
        let after: chrono::DateTime<chrono::Utc> =
            sqlx::query_scalar(&read).fetch_one(&pool).await.unwrap();
        assert!(after > before, "{table}: updated_at did not advance");
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn deleting_a_user_deletes_their_personal_rows(pool: PgPool) {
    let s = seed(&pool).await;
    for sql in [
        "insert into enrollments (student_id, course_id) values ('{student}', '{course}')",
        "insert into assessment_attempts (assessment_id, student_id, attempt_number) values ('{la}', '{student}', 1)",
        "insert into student_progress (student_id, course_id, lesson_id) values ('{student}', '{course}', '{lesson}')",
        "insert into personalized_roadmaps (student_id) values ('{student}')",
        "insert into learning_progress (student_id, content_id, content_type) values ('{student}', '{lesson}', 'video')",
        "insert into knowledge_models (course_id, skill, prior, learn, guess, slip) values ('{course}', 'loops', 0.2, 0.1, 0.2, 0.1)",
    ] {
        sqlx::query(&fill(sql, &s)).execute(&pool).await.unwrap();
    }
    sqlx::query("delete from auth.users where id = $1")
        .bind(s.student)
        .execute(&pool)
        .await
        .unwrap();
    for table in [
        "profiles",
        "enrollments",
        "assessment_attempts",
        "student_progress",
        "personalized_roadmaps",
        "learning_progress",
    ] {
        let column = if table == "profiles" {
            "id"
        } else {
            "student_id"
        };
        let sql = format!("select count(*) from {table} where {column} = $1");
        assert_eq!(count(&pool, &sql, s.student).await, 0, "{table} kept rows");
    }
    // the course and its content stay
    assert_eq!(
        count(
            &pool,
            "select count(*) from lessons where course_id = $1",
            s.course
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn deleting_a_course_takes_its_content_assessments_and_attempts(pool: PgPool) {
    let s = seed(&pool).await;
    for sql in [
        "insert into lessons (course_id, title, order_index, prerequisites) values ('{course}', 'Borrowing', 1, array['{lesson}'::uuid])",
        "insert into content_blocks (lesson_id, type, content, order_index) values ('{lesson}', 'rich_text', '{}', 0)",
        "insert into enrollments (student_id, course_id) values ('{student}', '{course}')",
        "insert into assessment_attempts (assessment_id, student_id, attempt_number) values ('{la}', '{student}', 1)",
        "insert into assessment_attempts (assessment_id, student_id, attempt_number) values ('{fa}', '{student}', 1)",
        "insert into student_progress (student_id, course_id, lesson_id) values ('{student}', '{course}', '{lesson}')",
    ] {
        sqlx::query(&fill(sql, &s)).execute(&pool).await.unwrap();
    }
    sqlx::query("delete from courses where id = $1")
        .bind(s.course)
        .execute(&pool)
        .await
        .unwrap();
    for table in [
        "courses",
        "lessons",
        "content_blocks",
        "assessments",
        "assessment_attempts",
        "enrollments",
        "student_progress",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} kept rows");
    }
    // people stay
    let profiles: i64 = sqlx::query_scalar("select count(*) from profiles")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(profiles, 2);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn deleting_a_lesson_or_assessment_clears_references_to_it(pool: PgPool) {
    let s = seed(&pool).await;
    let second: uuid::Uuid = sqlx::query_scalar(
        "insert into lessons (course_id, title, order_index, prerequisites) \
         values ($1, 'Borrowing', 1, array[$2]) returning id",
    )
    .bind(s.course)
    .bind(s.lesson)
    .fetch_one(&pool)
    .await
    .unwrap();

    sqlx::query("delete from assessments where id = $1")
        .bind(s.final_assessment)
        .execute(&pool)
        .await
        .unwrap();
    let final_assessment: Option<uuid::Uuid> =
        sqlx::query_scalar("select final_assessment_id from courses where id = $1")
            .bind(s.course)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(final_assessment, None);

    sqlx::query("delete from lessons where id = $1")
        .bind(s.lesson)
        .execute(&pool)
        .await
        .unwrap();
    let prerequisites: Vec<uuid::Uuid> =
        sqlx::query_scalar("select prerequisites from lessons where id = $1")
            .bind(second)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(prerequisites.is_empty());
    assert_eq!(
        count(
            &pool,
            "select count(*) from assessments where lesson_id = $1",
            s.lesson
        )
        .await,
        0
    );
}

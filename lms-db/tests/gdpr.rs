//! GDPR: the export covers every table that references a user; erasure removes the
//! person and every personal row in one transaction, handing courses to a successor.
#![allow(clippy::unwrap_used)]

mod world;

use serde_json::json;
use sqlx::PgPool;
use world::{answers, count, world};

/// A course-wide accommodation of the world's student: ten minutes more.
fn extra_time(w: &world::World) -> lms_db::NewAccommodation {
    lms_db::NewAccommodation {
        course_id: w.course,
        student_id: w.student,
        assessment_id: None,
        accommodation: lms_core::delivery::Accommodation {
            extra_minutes: 10,
            ..Default::default()
        },
    }
}

/// The world's student on the staff of another instructor's course, as a grader.
async fn grader_elsewhere(w: &world::World) {
    let course = world::other_course(w).await;
    w.lms
        .as_user(w.other_instructor)
        .add_staff(course, w.student, lms_core::model::StaffRole::Grader)
        .await
        .unwrap();
}

/// Tables with a foreign key to `profiles` (and `profiles` itself): the export must
/// cover each, so a new table referencing users fails this test until it is exported.
async fn tables_about_users(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "select distinct c.conrelid::regclass::text from pg_constraint c \
         where c.contype = 'f' and c.confrelid = 'public.profiles'::regclass \
         union select 'profiles' order by 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_export_covers_every_table_about_the_user(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    me.record_content_progress(w.block1, &json!({"completed": true}), 12)
        .await
        .unwrap();
    me.submit_attempt(w.quiz1, &answers(1)).await.unwrap();
    sqlx::query("insert into personalized_roadmaps (student_id) values ($1)")
        .bind(w.student.0)
        .execute(&pool)
        .await
        .unwrap();
    w.lms
        .as_user(w.instructor)
        .set_accommodation(extra_time(&w))
        .await
        .unwrap();
    grader_elsewhere(&w).await;

    let export = me.export_user_data(w.student).await.unwrap();
    let exported: Vec<String> = export.tables.keys().map(|k| k.to_string()).collect();
    for table in tables_about_users(&pool).await {
        assert!(exported.contains(&table), "the export forgets {table}");
    }
    let json = serde_json::to_value(&export).unwrap();
    for (table, column) in [
        ("profiles", "id"),
        ("enrollments", "student_id"),
        ("assessment_attempts", "student_id"),
        ("student_progress", "student_id"),
        ("personalized_roadmaps", "student_id"),
        ("learning_progress", "student_id"),
        ("learning_activity", "student_id"),
        ("assessment_item_responses", "student_id"),
        ("accommodations", "student_id"),
        ("course_staff", "user_id"),
    ] {
        let stored = count(
            &pool,
            &format!("select count(*) from {table} where {column} = $1"),
            w.student.0,
        )
        .await;
        let rows = json["tables"][table].as_array().unwrap();
        assert_eq!(rows.len() as i64, stored, "{table}");
        assert!(stored > 0, "{table} has no row to export");
        assert!(
            rows.iter().all(|r| r[column] == json!(w.student)),
            "{table}"
        );
    }
    assert_eq!(json["tables"]["profiles"][0]["email"], "sam@example.org");
    assert_eq!(json["tables"]["assessment_attempts"][0]["score"], 50);

    // the instructor's export lists the courses they teach
    let theirs = w
        .lms
        .as_user(w.instructor)
        .export_user_data(w.instructor)
        .await
        .unwrap();
    assert_eq!(theirs.tables["courses"].as_array().unwrap().len(), 1);
    // others may not export someone's data; an admin may
    let err = w
        .lms
        .as_user(w.other_student)
        .export_user_data(w.student)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let by_admin = w
        .lms
        .as_user(w.admin)
        .export_user_data(w.student)
        .await
        .unwrap();
    // the same rows; the reviews of the attempts as each may see them (the student
    // without the right answers, which the review options do not show them)
    let mut admins = serde_json::to_value(&by_admin.tables).unwrap();
    let mut students = json["tables"].clone();
    let (a, s) = (
        admins
            .as_object_mut()
            .unwrap()
            .remove("attempt_reviews")
            .unwrap(),
        students
            .as_object_mut()
            .unwrap()
            .remove("attempt_reviews")
            .unwrap(),
    );
    assert_eq!(admins, students);
    assert_eq!(
        (a[0]["shows_answers"].clone(), s[0]["shows_answers"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(a[0]["questions"][0]["options"][1]["fraction"], 1.0);
    assert!(s[0]["questions"][0]["options"][1].get("fraction").is_none());
    assert_eq!(s[0]["score"], 50);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn erasing_a_student_removes_every_personal_row(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    me.record_content_progress(w.block1, &json!({"completed": true}), 12)
        .await
        .unwrap();
    me.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    w.lms
        .as_user(w.instructor)
        .set_accommodation(extra_time(&w))
        .await
        .unwrap();
    grader_elsewhere(&w).await;

    let err = w
        .lms
        .as_user(w.other_student)
        .erase_user(w.student, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");

    let erasure = me.erase_user(w.student, None).await.unwrap();
    assert_eq!(erasure.deleted["assessment_attempts"], 1);
    assert_eq!(erasure.deleted["accommodations"], 1);
    // the audit trails of their accommodation and staff membership keep no trace of them
    for table in ["accommodations", "course_staff"] {
        let sql = format!(
            "select count(*) from audit_log where table_name = '{table}' \
              and (old_data::text like '%' || $1::text || '%' \
                   or new_data::text like '%' || $1::text || '%')"
        );
        assert_eq!(count(&pool, &sql, w.student.0).await, 0, "{table}");
    }
    assert_eq!(erasure.deleted["profiles"], 1);
    for table in tables_about_users(&pool).await {
        let column = match table.as_str() {
            "profiles" => "id",
            "courses" => "instructor_id",
            "course_staff" => "user_id",
            _ => "student_id",
        };
        let left = count(
            &pool,
            &format!("select count(*) from {table} where {column} = $1"),
            w.student.0,
        )
        .await;
        assert_eq!(left, 0, "{table} kept rows of the erased user");
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from auth.users where id = $1",
            w.student.0
        )
        .await,
        0
    );
    // the course and other people stay
    assert_eq!(
        count(
            &pool,
            "select count(*) from courses where id = $1",
            w.course.0
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn an_instructor_is_erased_only_with_a_successor(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let admin = w.lms.as_user(w.admin);
    let refused = admin.erase_user(w.instructor, None).await.unwrap_err();
    assert_eq!(refused.code(), "conflict");
    assert!(refused.to_string().contains("successor"), "{refused}");
    let to_student = admin
        .erase_user(w.instructor, Some(w.student))
        .await
        .unwrap_err();
    assert_eq!(to_student.code(), "conflict", "{to_student}");
    assert_eq!(
        count(
            &pool,
            "select count(*) from profiles where id = $1",
            w.instructor.0
        )
        .await,
        1
    );

    let erasure = admin
        .erase_user(w.instructor, Some(w.other_instructor))
        .await
        .unwrap();
    assert_eq!(erasure.transferred_courses, 1);
    assert_eq!(erasure.successor, Some(w.other_instructor));
    assert_eq!(
        count(
            &pool,
            "select count(*) from profiles where id = $1",
            w.instructor.0
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "select count(*) from courses where instructor_id = $1",
            w.other_instructor.0
        )
        .await,
        1
    );
}

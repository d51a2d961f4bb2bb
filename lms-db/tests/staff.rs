//! Teaching staff (migration 20261202000015): co-instructors author and grade, graders
//! read the gradebook and grade, through the library and in raw SQL as a direct client;
//! managing the staff is the instructor's.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::model::*;
use lms_core::repo::{AssessmentPatch, CoursePatch, LessonPatch, Page};
use serde_json::json;
use sqlx::PgPool;
use world::{answers, count_as, raw_as, user, world, World};

/// The world, published, the student enrolled; `ta` a grader (a student by their
/// profile's role: a teaching assistant) and `co` a co-instructor (an instructor by role,
/// as a co-instructor must be) of its course.
async fn staffed(pool: &PgPool) -> (World, UserId, UserId) {
    let w = world(pool.clone(), true).await;
    w.lms.as_user(w.student).enroll(w.course).await.unwrap();
    let ta = user(pool, "ta@example.org", "student").await;
    let co = user(pool, "co@example.org", "instructor").await;
    let owner = w.lms.as_user(w.instructor);
    let added = owner
        .add_staff(w.course, ta, StaffRole::Grader)
        .await
        .unwrap();
    assert_eq!((added.user_id, added.role), (ta, StaffRole::Grader));
    owner
        .add_staff(w.course, co, StaffRole::CoInstructor)
        .await
        .unwrap();
    (w, ta, co)
}

fn title(t: &str) -> LessonPatch {
    LessonPatch {
        title: Some(t.into()),
        ..Default::default()
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_grader_reads_and_grades_but_does_not_author(pool: PgPool) {
    let (w, ta, _) = staffed(&pool).await;
    let essay = json!([{"type": "essay", "id": "e1", "prompt": "Explain.", "points": 4}]);
    w.lms
        .as_user(w.instructor)
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                questions: Some(essay),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let attempt = w
        .lms
        .as_user(w.student)
        .submit_attempt(
            w.quiz1,
            &json!({"e1": {"type": "essay", "text": "One owner."}}),
        )
        .await
        .unwrap()
        .attempt;
    let grader = w.lms.as_user(ta);
    // reads: the gradebook, the analytics, the answer keys, the student's attempt
    let book = grader.gradebook(w.course, Page::default()).await.unwrap();
    assert!(book
        .entries
        .iter()
        .any(|e| e.summary.student_id == w.student));
    grader.completion_funnel(w.course).await.unwrap();
    assert_eq!(
        grader.get_assessment(w.quiz1).await.unwrap().questions[0]["type"],
        "essay"
    );
    let seen = format!(
        "select id from assessment_attempts where id = '{}'",
        attempt.id
    );
    assert_eq!(count_as(&pool, ta, &seen).await, 1);
    // grades: the essay, an override
    let graded = grader
        .grade_essay(attempt.id, "e1", 3, Some("Good."))
        .await
        .unwrap();
    assert_eq!(graded.score, Some(75));
    grader
        .override_question(attempt.id, "e1", 4.0, None)
        .await
        .unwrap();
    // never authors: not through the library, not in raw SQL
    let e = grader
        .update_lesson(w.lesson1, title("Mine now"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let e = grader
        .update_course(
            w.course,
            CoursePatch {
                title: Some("Mine".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let e = grader.regrade_assessment(w.quiz1, true).await.unwrap_err();
    assert_eq!(e.code(), "forbidden");
    for sql in [
        format!("update lessons set title = 'x' where id = '{}'", w.lesson1),
        format!("update courses set title = 'x' where id = '{}'", w.course),
        format!(
            "update assessments set title = 'x' where id = '{}'",
            w.quiz1
        ),
        format!("delete from content_blocks where id = '{}'", w.block1),
        format!("delete from enrollments where course_id = '{}'", w.course),
    ] {
        assert_eq!(raw_as(&pool, ta, &sql).await, Ok(0), "{sql}");
    }
    let sql = format!(
        "insert into lessons (course_id, title, order_index) values ('{}', 'x', 9)",
        w.course
    );
    assert_eq!(raw_as(&pool, ta, &sql).await, Err("42501".into()));
    // nor manages the staff, nor sets accommodations
    let sql = format!("update course_staff set role = 'co_instructor' where user_id = '{ta}'");
    assert_eq!(raw_as(&pool, ta, &sql).await, Ok(0));
    let e = grader
        .add_staff(w.course, ta, StaffRole::CoInstructor)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_co_instructor_authors_and_grades_but_does_not_own(pool: PgPool) {
    let (w, ta, co) = staffed(&pool).await;
    let author = w.lms.as_user(co);
    let lesson = author
        .update_lesson(w.lesson1, title("Ownership, again"))
        .await
        .unwrap();
    assert_eq!(lesson.title, "Ownership, again");
    author
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                max_attempts: Some(Some(5)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let attempt = w
        .lms
        .as_user(w.student)
        .submit_attempt(w.quiz1, &answers(1))
        .await
        .unwrap()
        .attempt;
    author
        .override_question(attempt.id, "q1", 1.0, None)
        .await
        .unwrap();
    author.regrade_assessment(w.quiz1, true).await.unwrap();
    // not the owner's: deleting the course, managing its staff
    let e = author.delete_course(w.course).await.unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let sql = format!("delete from courses where id = '{}'", w.course);
    assert_eq!(raw_as(&pool, co, &sql).await, Ok(0));
    let e = author.remove_staff(w.course, ta).await.unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let sql = format!(
        "insert into course_staff (course_id, user_id, role) values ('{}', '{}', 'grader')",
        w.course, w.other_instructor
    );
    assert_eq!(raw_as(&pool, co, &sql).await, Err("42501".into()));
    // the unpublished course of its staff is theirs to see
    let sql = format!("select id from courses where id = '{}'", w.course);
    assert_eq!(count_as(&pool, co, &sql).await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn leaving_the_staff_takes_every_right_with_it(pool: PgPool) {
    let (w, ta, co) = staffed(&pool).await;
    let owner = w.lms.as_user(w.instructor);
    assert_eq!(owner.list_staff(w.course).await.unwrap().len(), 2);
    // staff see each other; a student sees none of them
    assert_eq!(
        w.lms.as_user(ta).list_staff(w.course).await.unwrap().len(),
        2
    );
    assert!(w
        .lms
        .as_user(w.student)
        .list_staff(w.course)
        .await
        .unwrap()
        .is_empty());
    owner.remove_staff(w.course, ta).await.unwrap();
    let e = w
        .lms
        .as_user(ta)
        .gradebook(w.course, Page::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let sql = format!(
        "select id from assessment_attempts where course_id = '{}'",
        w.course
    );
    w.lms
        .as_user(w.student)
        .submit_attempt(w.quiz1, &answers(2))
        .await
        .unwrap();
    assert_eq!(count_as(&pool, ta, &sql).await, 0);
    assert_eq!(count_as(&pool, co, &sql).await, 1);
    // a co-instructor turned grader authors no more
    owner
        .add_staff(w.course, co, StaffRole::Grader)
        .await
        .unwrap();
    let e = w
        .lms
        .as_user(co)
        .update_lesson(w.lesson1, title("x"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let e = owner.remove_staff(w.course, ta).await.unwrap_err();
    assert_eq!(e.code(), "not_found");
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_are_not_students_of_their_course(pool: PgPool) {
    let (w, ta, _) = staffed(&pool).await;
    let owner = w.lms.as_user(w.instructor);
    // a student of the course cannot join its staff, the instructor neither
    let e = owner
        .add_staff(w.course, w.student, StaffRole::Grader)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    let e = owner
        .add_staff(w.course, w.instructor, StaffRole::Grader)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    // a grader cannot enrol (and so never grades their own attempt), in raw SQL neither
    let e = w.lms.as_user(ta).enroll(w.course).await.unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    let sql = format!(
        "insert into enrollments (student_id, course_id) values ('{ta}', '{}')",
        w.course
    );
    assert_eq!(raw_as(&pool, ta, &sql).await, Err("23514".into()));
    // nobody with this id
    let e = owner
        .add_staff(w.course, UserId(uuid::Uuid::new_v4()), StaffRole::Grader)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_document", "{e}");
    assert_eq!(e.body().problems[0].path, "/user_id");
    // another course's instructor manages none of it
    let e = w
        .lms
        .as_user(w.other_instructor)
        .add_staff(w.course, w.other_student, StaffRole::Grader)
        .await
        .unwrap_err();
    assert!(
        matches!(e.code().as_str(), "forbidden" | "not_found"),
        "{e}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_manages_any_staff_and_the_trail_is_audited(pool: PgPool) {
    let (w, ta, _) = staffed(&pool).await;
    let admin = w.lms.as_user(w.admin);
    admin
        .add_staff(w.course, w.other_instructor, StaffRole::Grader)
        .await
        .unwrap();
    admin.remove_staff(w.course, ta).await.unwrap();
    let trail = w
        .lms
        .as_service()
        .audit_log(
            &lms_db::AuditFilter {
                table_name: Some("course_staff".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    // two added by the instructor, one by the admin, one removed
    assert_eq!(trail.items.len(), 4);
}

#[sqlx::test(migrations = "../migrations")]
async fn nobody_grades_their_own_attempt(pool: PgPool) {
    let (w, _, _) = staffed(&pool).await;
    // an admin enrolled as a student of the course, whose attempt awaits a grade
    let admin = w.lms.as_user(w.admin);
    admin.enroll(w.course).await.unwrap();
    w.lms
        .as_user(w.instructor)
        .update_assessment(
            w.quiz1,
            AssessmentPatch {
                questions: Some(json!([{"type": "essay", "id": "e1", "prompt": "?", "points": 2}])),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let attempt = admin
        .submit_attempt(w.quiz1, &json!({"e1": {"type": "essay", "text": "Mine."}}))
        .await
        .unwrap()
        .attempt;
    let e = admin
        .grade_essay(attempt.id, "e1", 2, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let e = admin
        .override_question(attempt.id, "e1", 2.0, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    // the course's instructor grades it
    let graded = w
        .lms
        .as_user(w.instructor)
        .grade_essay(attempt.id, "e1", 1, None)
        .await
        .unwrap();
    assert_eq!(graded.score, Some(50));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_membership_checks_tell_an_outsider_nothing(pool: PgPool) {
    // the checks run after the policies: an outsider probing whether the student is
    // enrolled in the course (or the instructor owns it) is refused like any other insert
    let (w, ta, _) = staffed(&pool).await;
    let outsider = user(&pool, "probe@example.org", "instructor").await;
    for probed in [w.student, w.instructor, ta, w.other_student] {
        let sql = format!(
            "insert into course_staff (course_id, user_id, role) values ('{}', '{probed}', 'grader')",
            w.course
        );
        assert_eq!(raw_as(&pool, outsider, &sql).await, Err("42501".into()));
        assert_eq!(raw_as(&pool, w.student, &sql).await, Err("42501".into()));
    }
    // the owner, whom the policies let in, is told why
    let sql = format!(
        "insert into course_staff (course_id, user_id, role) values ('{}', '{}', 'grader')",
        w.course, w.student
    );
    assert_eq!(raw_as(&pool, w.instructor, &sql).await, Err("23514".into()));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_co_instructor_is_an_instructor_by_role(pool: PgPool) {
    let (w, ta, _) = staffed(&pool).await;
    let owner = w.lms.as_user(w.instructor);
    // the grader is a student by role: not made a co-instructor, through the library or
    // in raw SQL, their role unchanged
    let e = owner
        .add_staff(w.course, ta, StaffRole::CoInstructor)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    assert!(e.to_string().contains("co-instructor"), "{e}");
    let sql = format!("update course_staff set role = 'co_instructor' where user_id = '{ta}'");
    assert_eq!(raw_as(&pool, w.instructor, &sql).await, Err("23514".into()));
    let staff = owner.list_staff(w.course).await.unwrap();
    let role = staff.iter().find(|m| m.user_id == ta).unwrap().role;
    assert_eq!(role, StaffRole::Grader);
    // an admin may co-instruct
    owner
        .add_staff(w.course, w.admin, StaffRole::CoInstructor)
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_member_leaves_the_staff(pool: PgPool) {
    let (w, ta, co) = staffed(&pool).await;
    // a grader leaves through the library, the co-instructor in raw SQL; neither removes
    // the other
    let e = w
        .lms
        .as_user(ta)
        .remove_staff(w.course, co)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let sql = format!("delete from course_staff where user_id = '{ta}'");
    assert_eq!(raw_as(&pool, co, &sql).await, Ok(0));
    w.lms.as_user(ta).remove_staff(w.course, ta).await.unwrap();
    let sql = format!("delete from course_staff where user_id = '{co}'");
    assert_eq!(raw_as(&pool, co, &sql).await, Ok(1));
    let e = w
        .lms
        .as_user(ta)
        .remove_staff(w.course, ta)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
    assert_eq!(
        w.lms
            .as_user(w.instructor)
            .list_staff(w.course)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_course_team_reads_each_others_profiles(pool: PgPool) {
    let (w, ta, co) = staffed(&pool).await;
    let sql = |id: UserId| format!("select 1 from profiles where id = '{id}'");
    for (reader, read) in [
        (w.instructor, ta),
        (w.instructor, co),
        (ta, w.instructor),
        (ta, co),
    ] {
        assert_eq!(
            count_as(&pool, reader, &sql(read)).await,
            1,
            "{reader} reads {read}"
        );
    }
    // the staff read the students (as before); the students read no staff, another
    // course's instructor no one of this team
    assert_eq!(count_as(&pool, ta, &sql(w.student)).await, 1);
    for (reader, read) in [
        (w.student, ta),
        (w.student, w.instructor),
        (w.other_instructor, ta),
        (w.other_instructor, w.instructor),
    ] {
        assert_eq!(
            count_as(&pool, reader, &sql(read)).await,
            0,
            "{reader} reads {read}"
        );
    }
    // who left the staff reads the team no more
    w.lms.as_user(ta).remove_staff(w.course, ta).await.unwrap();
    assert_eq!(count_as(&pool, ta, &sql(co)).await, 0);
    assert_eq!(count_as(&pool, w.instructor, &sql(ta)).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_owner_is_no_student_of_their_course(pool: PgPool) {
    let (w, _, co) = staffed(&pool).await;
    let e = w
        .lms
        .as_user(w.instructor)
        .enroll(w.course)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    let sql = format!(
        "insert into enrollments (student_id, course_id) values ('{}', '{}')",
        w.instructor, w.course
    );
    assert_eq!(raw_as(&pool, w.instructor, &sql).await, Err("23514".into()));
    // a handover to a co-instructor: they own the course and leave its staff
    let admin = w.lms.as_user(w.admin);
    let gone = admin.erase_user(w.instructor, Some(co)).await.unwrap();
    assert_eq!(gone.transferred_courses, 1);
    let staff = admin.list_staff(w.course).await.unwrap();
    assert!(staff.iter().all(|m| m.user_id != co), "{staff:?}");
    let e = w.lms.as_user(co).enroll(w.course).await.unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    w.lms
        .as_user(co)
        .add_staff(w.course, w.other_instructor, StaffRole::Grader)
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_student_of_the_course_does_not_inherit_it(pool: PgPool) {
    // an instructor by role enrolled in the course as a student: no successor of its
    // owner; nothing is erased
    let (w, _, _) = staffed(&pool).await;
    w.lms
        .as_user(w.other_instructor)
        .enroll(w.course)
        .await
        .unwrap();
    let admin = w.lms.as_user(w.admin);
    let e = admin
        .erase_user(w.instructor, Some(w.other_instructor))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    assert!(e.to_string().contains("become its instructor"), "{e}");
    let course = admin.get_course(w.course).await.unwrap();
    assert_eq!(course.instructor_id, w.instructor);
}

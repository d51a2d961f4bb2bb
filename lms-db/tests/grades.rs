//! Course grades (migration 20261203000017, `lms_core::grading`): a course's grading
//! scheme, set by its authors and validated at the boundary, and the grades it gives in
//! the gradebook, the course's grades and the student's dashboard.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::delivery::Hundredths;
use lms_core::model::*;
use lms_core::repo::{AssessmentOwner, LessonPatch, NewLesson, Page};
use serde_json::{json, Value};
use sqlx::PgPool;
use world::{answers, enrolled, new_quiz, other_course, raw_as, World};

fn pct(v: f64) -> Option<Hundredths> {
    Some(Hundredths::from_f64(v).unwrap())
}

fn paths(e: &lms_db::Error) -> Vec<String> {
    e.body().problems.into_iter().map(|p| p.path).collect()
}

fn denied(e: &lms_db::Error) -> bool {
    e.code() == "forbidden" || e.code() == "not_found"
}

/// Quizzes 40 % (quiz1 and a midterm, the lowest dropped), final exam 60 %.
fn scheme(w: &World, midterm: AssessmentId) -> Value {
    json!({
        "groups": [{"name": "Quizzes", "weight": 40, "drop_lowest": 1},
                   {"name": "Exam", "weight": 60}],
        "assessments": [
            {"assessment_id": w.quiz1, "group": "Quizzes"},
            {"assessment_id": midterm, "group": "Quizzes"},
            {"assessment_id": w.final_exam, "group": "Exam"}
        ]
    })
}

/// A published lesson without prerequisites whose assessment is a midterm.
async fn midterm(w: &World) -> AssessmentId {
    let author = w.lms.as_user(w.instructor);
    let lesson = new_lesson(w, "Midterm week", 3).await;
    publish_lesson(w, lesson).await;
    author
        .create_assessment(new_quiz(AssessmentOwner::Lesson(lesson), "Midterm"))
        .await
        .unwrap()
        .id
}

async fn new_lesson(w: &World, title: &str, order: i32) -> LessonId {
    w.lms
        .as_user(w.instructor)
        .create_lesson(NewLesson {
            course_id: w.course,
            title: title.into(),
            description: None,
            order_index: order,
            learning_objectives: vec![],
            estimated_duration_minutes: None,
            prerequisites: vec![],
        })
        .await
        .unwrap()
        .id
}

async fn publish_lesson(w: &World, lesson: LessonId) {
    w.lms
        .as_user(w.instructor)
        .update_lesson(
            lesson,
            LessonPatch {
                is_published: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_scheme_weighs_groups_and_drops_in_the_gradebook_and_the_dashboard(pool: PgPool) {
    let w = enrolled(&pool).await;
    let midterm = midterm(&w).await;
    let author = w.lms.as_user(w.instructor);
    let course = author
        .set_grading_scheme(w.course, &scheme(&w, midterm))
        .await
        .unwrap();
    assert_eq!(course.grading_scheme.groups.len(), 2);
    assert_eq!(
        author.get_course(w.course).await.unwrap().grading_scheme,
        course.grading_scheme
    );

    // sam: quiz1 100, midterm 50 (dropped), final 50 → 0.4 × 100 + 0.6 × 50 = 70
    let sam = w.lms.as_user(w.student);
    sam.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    sam.submit_attempt(midterm, &answers(1)).await.unwrap();
    sam.submit_attempt(w.final_exam, &answers(1)).await.unwrap();
    // kim: quiz1 50 only → current = quizzes alone (50); final = 0.4 × 50 + 0.6 × 0 = 20
    let kim = w.lms.as_user(w.other_student);
    kim.submit_attempt(w.quiz1, &answers(1)).await.unwrap();

    let book = author.gradebook(w.course, Page::default()).await.unwrap();
    assert_eq!(book.course_grades.len(), 2);
    let of = |id: UserId| {
        book.course_grades
            .iter()
            .find(|g| g.student_id == id)
            .unwrap()
            .clone()
    };
    let sam_grade = of(w.student);
    assert_eq!(sam_grade.grade.current_percent, pct(70.0));
    assert_eq!(sam_grade.grade.final_percent, pct(70.0));
    assert_eq!(sam_grade.grade.groups[0].dropped, vec![midterm]);
    assert_eq!(sam_grade.student_email.as_deref(), Some("sam@example.org"));
    let kim_grade = of(w.other_student);
    assert_eq!(kim_grade.grade.current_percent, pct(50.0));
    assert_eq!(kim_grade.grade.final_percent, pct(20.0));
    // quiz2 is in no group: practice
    assert_eq!(kim_grade.grade.counted, 3);

    // the student sees the same grade on their dashboard
    let dash = sam.student_dashboard().await.unwrap();
    let mine = dash
        .courses
        .iter()
        .find(|c| c.course_id == w.course)
        .unwrap();
    assert_eq!(mine.grade, sam_grade.grade);

    // course_grades lists every enrolled student, those without work too
    let third = world::user(&pool, "lee@example.org", "student").await;
    w.lms.as_user(third).enroll(w.course).await.unwrap();
    let grades = author
        .course_grades(w.course, Page::default())
        .await
        .unwrap();
    assert_eq!(grades.total, 3);
    let lee = grades
        .grades
        .iter()
        .find(|g| g.student_id == third)
        .unwrap();
    assert_eq!(lee.grade.current_percent, None);
    assert_eq!(lee.grade.final_percent, pct(0.0));
    let page = author
        .course_grades(w.course, Page::new(2, 0))
        .await
        .unwrap();
    assert_eq!((page.grades.len(), page.next_offset), (2, Some(2)));

    // a regrade of the scheme changes the grades: without groups, all four count alike
    author
        .set_grading_scheme(w.course, &json!({}))
        .await
        .unwrap();
    let book2 = author.gradebook(w.course, Page::default()).await.unwrap();
    let sam2 = book2
        .course_grades
        .iter()
        .find(|g| g.student_id == w.student)
        .unwrap();
    // (100 + 50 + 50) / 3 graded; quiz2 ungraded counts 0 in the final: 200 / 4
    assert_eq!(sam2.grade.current_percent, pct(66.66));
    assert_eq!(sam2.grade.final_percent, pct(50.0));
    assert_ne!(book2.version, book.version);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn only_the_assessments_students_take_count(pool: PgPool) {
    let w = enrolled(&pool).await;
    let author = w.lms.as_user(w.instructor);
    let hidden = new_lesson(&w, "Later", 5).await;
    let later = author
        .create_assessment(new_quiz(AssessmentOwner::Lesson(hidden), "Later quiz"))
        .await
        .unwrap()
        .id;
    // a second assessment of lesson 1: not the lesson's, nobody takes it
    let extra = author
        .create_assessment(new_quiz(AssessmentOwner::Lesson(w.lesson1), "Extra"))
        .await
        .unwrap()
        .id;
    // an unpublished lesson's assessment may be put in the scheme beforehand
    author
        .set_grading_scheme(
            w.course,
            &json!({"assessments": [{"assessment_id": later, "weight": 5},
                                    {"assessment_id": extra, "weight": 7}]}),
        )
        .await
        .unwrap();
    let sam = w.lms.as_user(w.student);
    sam.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    let grade = |dash: lms_db::StudentDashboard| {
        dash.courses
            .into_iter()
            .find(|c| c.course_id == w.course)
            .unwrap()
            .grade
    };
    // quiz1, quiz2, final: 100, 0, 0
    let g = grade(sam.student_dashboard().await.unwrap());
    assert_eq!((g.counted, g.current_percent), (3, pct(100.0)));
    assert_eq!(g.final_percent, pct(33.33));
    publish_lesson(&w, hidden).await;
    // the later quiz (weight 5, ungraded) now counts in the final: 100 / 8
    let g = grade(sam.student_dashboard().await.unwrap());
    assert_eq!((g.counted, g.final_percent), (4, pct(12.5)));
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn bad_schemes_are_refused_naming_the_field(pool: PgPool) {
    let w = enrolled(&pool).await;
    let author = w.lms.as_user(w.instructor);
    let refused = |scheme: Value| {
        let author = author.clone();
        let course = w.course;
        async move {
            author
                .set_grading_scheme(course, &scheme)
                .await
                .unwrap_err()
        }
    };
    let e = refused(json!({"groups": [{"name": "A", "weight": 0}]})).await;
    assert_eq!(e.code(), "invalid_document");
    assert_eq!(paths(&e), vec!["/groups"]);
    let e = refused(json!({"groups": [{"name": "A", "weight": -5}]})).await;
    assert_eq!(paths(&e), vec!["/groups/0/weight"]);
    let e = refused(json!({"assessments": [{"assessment_id": w.quiz1, "group": "Nope"}]})).await;
    assert_eq!(paths(&e), vec!["/assessments/0/group"]);
    // another course's assessment
    let go = other_course(&w).await;
    let theirs = w
        .lms
        .as_user(w.other_instructor)
        .create_assessment(new_quiz(AssessmentOwner::Course(go), "Go quiz"))
        .await
        .unwrap()
        .id;
    let e = refused(json!({"assessments": [{"assessment_id": theirs}]})).await;
    assert_eq!(paths(&e), vec!["/assessments/0/assessment_id"]);
    // every assessment of the course at weight 0
    let zero: Vec<Value> = [w.quiz1, w.quiz2, w.final_exam]
        .iter()
        .map(|a| json!({"assessment_id": a, "weight": 0}))
        .collect();
    let e = refused(json!({ "assessments": zero })).await;
    assert_eq!(paths(&e), vec!["/assessments"]);
    // nothing was written
    assert_eq!(
        author.get_course(w.course).await.unwrap().grading_scheme,
        Default::default()
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn authors_set_the_scheme_and_the_staff_read_the_grades(pool: PgPool) {
    let w = enrolled(&pool).await;
    let owner = w.lms.as_user(w.instructor);
    let grader = world::user(&pool, "tom@example.org", "student").await;
    owner
        .add_staff(w.course, grader, StaffRole::Grader)
        .await
        .unwrap();
    let scheme = json!({"assessments": [{"assessment_id": w.quiz1, "weight": 2}]});
    for who in [grader, w.student, w.other_instructor] {
        let e = w
            .lms
            .as_user(who)
            .set_grading_scheme(w.course, &scheme)
            .await
            .unwrap_err();
        assert!(denied(&e), "{who}: {e}");
    }
    // the grader reads the grades; a student and another instructor may not
    w.lms
        .as_user(grader)
        .course_grades(w.course, Page::default())
        .await
        .unwrap();
    for who in [w.student, w.other_instructor] {
        let e = w
            .lms
            .as_user(who)
            .course_grades(w.course, Page::default())
            .await
            .unwrap_err();
        assert!(denied(&e), "{e}");
    }
    // an admin may set it; the change is audited with the course
    w.lms
        .as_user(w.admin)
        .set_grading_scheme(w.course, &scheme)
        .await
        .unwrap();
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from public.audit_log where table_name = 'courses' \
           and action = 'update' and actor_id = $1 and new_data -> 'grading_scheme' -> 'assessments' is not null",
    )
    .bind(w.admin.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn direct_clients_store_no_scheme_the_library_has_not_validated(pool: PgPool) {
    let w = enrolled(&pool).await;
    let set = |doc: &str| {
        format!(
            "update public.courses set grading_scheme = '{doc}'::jsonb where id = '{}'",
            w.course
        )
    };
    // the instructor, as a Supabase client: a scheme with weights summing to zero, or
    // any other, needs the library's receipt
    let zero = r#"{"groups": [{"name": "A", "weight": 0}]}"#;
    assert_eq!(
        raw_as(&pool, w.instructor, &set(zero)).await,
        Err("42501".into())
    );
    let valid = r#"{"groups": [{"name": "A", "weight": 1}]}"#;
    assert_eq!(
        raw_as(&pool, w.instructor, &set(valid)).await,
        Err("42501".into())
    );
    // the empty scheme is valid by definition
    assert_eq!(raw_as(&pool, w.instructor, &set("{}")).await, Ok(1));
    // not an object at all: refused too (the gate asks for a receipt first)
    assert!(raw_as(&pool, w.instructor, &set("[]")).await.is_err());
    // a student changes no course
    assert_eq!(raw_as(&pool, w.student, &set("{}")).await, Ok(0));
    // a new course with a scheme needs a receipt too
    let insert = format!(
        "insert into public.courses (title, instructor_id, grading_scheme) \
         values ('X', '{}', '{valid}'::jsonb)",
        w.instructor
    );
    assert_eq!(
        raw_as(&pool, w.instructor, &insert).await,
        Err("42501".into())
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn missing_work_after_the_close_gets_the_late_policys_grade(pool: PgPool) {
    use chrono::Duration;
    use lms_core::delivery::{Accommodation, LateInterval, LatePolicy};
    use lms_core::repo::{AssessmentPatch, CoursePatch};

    let w = enrolled(&pool).await;
    let author = w.lms.as_user(w.instructor);
    let policy = |missing: Option<f64>| LatePolicy {
        deduction_percent: Hundredths::ZERO,
        interval: LateInterval::Day,
        floor_percent: Hundredths::ZERO,
        missing_percent: missing.map(|m| Hundredths::from_f64(m).unwrap()),
    };
    // missing work is worth 10 % in this course
    let course = author
        .update_course(
            w.course,
            CoursePatch {
                late_policy: Some(Some(policy(Some(10.0)))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(course.late_policy.unwrap().missing_percent, pct(10.0));
    let sam = w.lms.as_user(w.student);
    sam.submit_attempt(w.quiz1, &answers(2)).await.unwrap();
    // the final closed an hour ago (by the database's clock); kim has until tomorrow
    let now: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("select statement_timestamp()")
        .fetch_one(&pool)
        .await
        .unwrap();
    author
        .update_assessment(
            w.final_exam,
            AssessmentPatch {
                closes_at: Some(Some(now - Duration::hours(1))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    author
        .set_accommodation(lms_db::NewAccommodation {
            course_id: w.course,
            student_id: w.other_student,
            assessment_id: Some(w.final_exam),
            accommodation: Accommodation {
                closes_at: Some(now + Duration::days(1)),
                ..Default::default()
            },
        })
        .await
        .unwrap();

    let grades = author
        .course_grades(w.course, Page::default())
        .await
        .unwrap();
    let of = |id: UserId| {
        grades
            .grades
            .iter()
            .find(|g| g.student_id == id)
            .unwrap()
            .grade
            .clone()
    };
    // sam: quiz1 100, quiz2 open (no close: not missing), the final missing at 10 %:
    // current (100 + 10) / 2 = 55, final (100 + 0 + 10) / 3 = 36.666… → 36.66
    let sam_grade = of(w.student);
    assert_eq!(sam_grade.current_percent, pct(55.0));
    assert_eq!(sam_grade.final_percent, pct(36.66));
    assert_eq!(sam_grade.missing_work, vec![w.final_exam]);
    // kim's close is tomorrow: nothing is missing yet
    let kim_grade = of(w.other_student);
    assert_eq!(kim_grade.current_percent, None);
    assert!(kim_grade.missing_work.is_empty());
    // sam sees the same on the dashboard
    let dash = sam.student_dashboard().await.unwrap();
    assert_eq!(dash.courses[0].grade, sam_grade);

    // the final's own late policy, without a grade for missing work, wins over the course's
    author
        .update_assessment(
            w.final_exam,
            AssessmentPatch {
                late_policy: Some(Some(policy(None))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let dash = sam.student_dashboard().await.unwrap();
    assert_eq!(dash.courses[0].grade.current_percent, pct(100.0));
    assert!(dash.courses[0].grade.missing_work.is_empty());

    // bad input: out of range through the library; without a policy, or out of range, in
    // raw SQL
    let e = author
        .update_course(
            w.course,
            CoursePatch {
                late_policy: Some(Some(policy(Some(150.0)))),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(paths(&e), vec!["/late_policy/missing_percent"]);
    let raw = |sql: &str| sql.replace("C", &w.course.to_string());
    assert_eq!(
        raw_as(
            &pool,
            w.instructor,
            &raw("update public.courses set late_deduction_percent = null, \
                  late_deduction_interval = null, late_floor_percent = null, \
                  late_missing_percent = 5 where id = 'C'")
        )
        .await,
        Err("23514".into())
    );
    assert_eq!(
        raw_as(
            &pool,
            w.instructor,
            &raw("update public.courses set late_missing_percent = 101 where id = 'C'")
        )
        .await,
        Err("23514".into())
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn work_still_open_or_never_unlocked_is_not_missing(pool: PgPool) {
    use chrono::Duration;
    use lms_core::delivery::LatePolicy;
    use lms_core::repo::{AssessmentPatch, CoursePatch};

    let w = enrolled(&pool).await;
    let author = w.lms.as_user(w.instructor);
    author
        .update_course(
            w.course,
            CoursePatch {
                late_policy: Some(Some(LatePolicy {
                    missing_percent: Some(Hundredths::ZERO),
                    ..Default::default()
                })),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let now: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("select statement_timestamp()")
        .fetch_one(&pool)
        .await
        .unwrap();
    // sam began the final; it closes (a second ago) while the attempt is open
    let sam = w.lms.as_user(w.student);
    sam.start_attempt(w.final_exam).await.unwrap();
    let close = |quiz: AssessmentId| {
        let author = author.clone();
        async move {
            author
                .update_assessment(
                    quiz,
                    AssessmentPatch {
                        closes_at: Some(Some(now - Duration::seconds(1))),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
        }
    };
    close(w.final_exam).await;
    // lesson 1 unlocks tomorrow, its quiz closed already: nobody could take it
    author
        .update_lesson(
            w.lesson1,
            LessonPatch {
                unlocks_at: Some(Some(now + Duration::days(1))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    close(w.quiz1).await;
    let grades = author
        .course_grades(w.course, Page::default())
        .await
        .unwrap();
    let of = |id: UserId| {
        grades
            .grades
            .iter()
            .find(|g| g.student_id == id)
            .unwrap()
            .grade
            .clone()
    };
    // sam: the open attempt may still be submitted; kim: the final is missing, the
    // locked quiz is not
    assert!(of(w.student).missing_work.is_empty(), "{:?}", of(w.student));
    assert_eq!(of(w.other_student).missing_work, vec![w.final_exam]);
    // the locked lesson's quiz says so when asked for its questions
    let e = w
        .lms
        .as_user(w.other_student)
        .assessment_questions(w.quiz1)
        .await
        .unwrap_err();
    assert_eq!(e.details().get("reason"), Some(&json!("locked")), "{e:?}");
}

//! The `lms_core::repo` ports implemented by `lms_db::Scope`, called through the traits:
//! round trips as the service, visibility as users, computed writes refused under user
//! scopes, paging and ordering, validated documents, one active roadmap.
#![allow(clippy::unwrap_used)]

mod world;

use chrono::{Duration, Utc};
use lms_core::model::*;
use lms_core::repo::{
    AssessmentOwner, AssessmentPatch, AssessmentRepo, AttemptRepo, AttemptResult,
    ContentBlockPatch, CourseFilter, CoursePatch, CourseRepo, EnrollmentRepo, LessonPatch,
    NewAttempt, NewCourse, NewLearningProgress, NewLesson, NewRoadmap, Page, ProfilePatch,
    ProfileRepo, ProgressRepo, ProgressUpsert, RoadmapRepo,
};
use lms_db::{Error, Scope};
use serde_json::{json, Value};
use sqlx::PgPool;
use world::{answers, count, new_block, new_quiz, user, world, World};

/// Counts of every table a computed write could touch.
async fn snapshot(pool: &PgPool) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "courses where is_published",
        "assessment_attempts",
        "assessment_attempts where submitted_at is not null",
        "enrollments where completed_at is not null or progress <> '{}'::jsonb",
        "student_progress",
        "learning_progress",
        "personalized_roadmaps",
        "personalized_roadmaps where status = 'active'",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from public.{table}"))
            .fetch_one(pool)
            .await
            .unwrap();
        counts.push(n);
    }
    counts
}

fn roadmap_data(course: CourseId, lesson: LessonId) -> Value {
    json!({"course_id": course, "steps": [
        {"lesson_id": lesson, "reason": "start here", "estimated_minutes": 20}
    ]})
}

/// Enrols `students` in the world's course as the superuser (a course's roadmaps go to
/// its students; the course may be a draft here).
async fn enrol_raw(w: &World, students: &[UserId]) {
    for s in students {
        sqlx::query("insert into public.enrollments (student_id, course_id) values ($1, $2)")
            .bind(s.0)
            .bind(w.course.0)
            .execute(&w.pool)
            .await
            .unwrap();
    }
}

fn new_roadmap(student: UserId, w: &World) -> NewRoadmap {
    NewRoadmap {
        student_id: student,
        roadmap_data: roadmap_data(w.course, w.lesson1),
        ai_reasoning: Some("new to Rust".into()),
    }
}

fn graded(answers: Value) -> AttemptResult {
    AttemptResult {
        answers,
        score: Some(50),
        points_earned: Some(1),
        total_points: Some(2),
        passed: Some(false),
        time_spent_seconds: 60,
        submitted_at: Utc::now(),
        feedback: None,
    }
}

fn upsert(w: &World, student: UserId, seconds: i32) -> ProgressUpsert {
    ProgressUpsert {
        student_id: student,
        course_id: w.course,
        lesson_id: Some(w.lesson1),
        assessment_id: None,
        status: ProgressStatus::InProgress,
        completion_percentage: 40,
        last_accessed: None,
        add_time_spent_seconds: seconds,
        attempts_count: 0,
        best_score: None,
    }
}

fn learning(student: UserId, content: uuid::Uuid, data: Value) -> NewLearningProgress {
    NewLearningProgress {
        student_id: student,
        content_id: content,
        content_type: "rich_text".into(),
        progress_data: data,
        completed_at: None,
        time_spent_seconds: 30,
    }
}

/// Every row of the course-side tables written and read back through [`CourseRepo`].
/// Only the service may flip publication through the port (`publishes`).
async fn course_round_trip<R: CourseRepo<Error = Error>>(
    r: &R,
    instructor: UserId,
    publishes: bool,
) {
    let course = r
        .create_course(NewCourse {
            title: "Go".into(),
            description: None,
            instructor_id: instructor,
            tags: vec!["go".into()],
            difficulty_level: Some(DifficultyLevel::Advanced),
            estimated_duration_minutes: Some(60),
        })
        .await
        .unwrap();
    assert!(!course.is_published);
    assert_eq!(r.get_course(course.id).await.unwrap(), Some(course.clone()));
    let changed = r
        .update_course(
            course.id,
            CoursePatch {
                title: Some("Go, again".into()),
                description: Some(Some("Goroutines".into())),
                ..CoursePatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.title, "Go, again");
    match r.set_published(course.id, true).await {
        Ok(published) => assert!(publishes && published.is_published),
        Err(e) => assert!(!publishes && e.code() == "forbidden", "{e}"),
    }
    let filter = CourseFilter {
        tag: Some("go".into()),
        published: Some(publishes),
        ..CourseFilter::default()
    };
    let listed = r.list_courses(&filter, Page::default()).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [course.id]);

    let lesson = |title: &str, order, prerequisites| NewLesson {
        course_id: course.id,
        title: title.into(),
        description: None,
        order_index: order,
        learning_objectives: vec!["spawn".into()],
        estimated_duration_minutes: None,
        prerequisites,
    };
    let second = r
        .create_lesson(lesson("Channels", 1, vec![]))
        .await
        .unwrap();
    let first = r
        .create_lesson(lesson("Goroutines", 0, vec![]))
        .await
        .unwrap();
    assert_eq!(r.get_lesson(first.id).await.unwrap(), Some(first.clone()));
    let second = r
        .update_lesson(
            second.id,
            LessonPatch {
                prerequisites: Some(vec![first.id]),
                ..LessonPatch::default()
            },
        )
        .await
        .unwrap();
    let ids: Vec<LessonId> = r
        .list_lessons(course.id)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(ids, [first.id, second.id], "by order_index");

    let b1 = r.create_block(new_block(first.id, 1, "two")).await.unwrap();
    let b0 = r.create_block(new_block(first.id, 0, "one")).await.unwrap();
    assert_eq!(r.get_block(b1.id).await.unwrap(), Some(b1.clone()));
    let b1 = r
        .update_block(
            b1.id,
            ContentBlockPatch {
                metadata: Some(json!({"k": 1})),
                ..ContentBlockPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(b1.metadata, json!({"k": 1}));
    let blocks = r.list_blocks(first.id).await.unwrap();
    assert_eq!(
        blocks.iter().map(|b| b.id).collect::<Vec<_>>(),
        [b0.id, b1.id]
    );
    r.delete_block(b0.id).await.unwrap();
    assert_eq!(r.get_block(b0.id).await.unwrap(), None);

    // a lesson others require is kept
    let refused = r.delete_lesson(first.id).await.unwrap_err();
    assert_eq!(refused.code(), "conflict", "{refused}");
    assert!(r.get_lesson(first.id).await.unwrap().is_some());
    r.delete_lesson(second.id).await.unwrap();
    r.delete_lesson(first.id).await.unwrap();
    assert_eq!(r.get_lesson(first.id).await.unwrap(), None);
    assert_eq!(
        r.get_block(b1.id).await.unwrap(),
        None,
        "deleted with its lesson"
    );

    r.delete_course(course.id).await.unwrap();
    assert_eq!(r.get_course(course.id).await.unwrap(), None);
    let again = r.delete_course(course.id).await.unwrap_err();
    assert_eq!(again.code(), "not_found", "{again}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn course_rows_round_trip_as_the_service_and_as_the_author(pool: PgPool) {
    let w = world(pool, false).await;
    course_round_trip(&w.lms.as_service(), w.instructor, true).await;
    course_round_trip(&w.lms.as_user(w.instructor), w.instructor, false).await;
    course_round_trip(&w.lms.as_user(w.admin), w.other_instructor, false).await;
    // an instructor may not flip publication through the raw port
    let author = w.lms.as_user(w.instructor);
    let refused = CourseRepo::set_published(&author, w.course, true)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "forbidden", "{refused}");
    assert!(refused.to_string().contains("publish_course"), "{refused}");
    assert!(
        !CourseRepo::get_course(&author, w.course)
            .await
            .unwrap()
            .unwrap()
            .is_published
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn deletes_need_the_courses_author(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let student = w.lms.as_user(w.student);
    EnrollmentRepo::enroll(&student, w.student, w.course)
        .await
        .unwrap();
    // (who, delete_block, delete_assessment, delete_lesson): what one cannot see is
    // not found, what one sees but does not author is forbidden
    let cases: [(&str, Scope, [&str; 3]); 3] = [
        ("enrolled student", student, ["forbidden"; 3]),
        (
            "another instructor",
            w.lms.as_user(w.other_instructor),
            ["not_found", "not_found", "forbidden"],
        ),
        (
            "unenrolled student",
            w.lms.as_user(w.other_student),
            ["not_found", "not_found", "forbidden"],
        ),
    ];
    for (name, scope, [block, assessment, lesson]) in cases {
        let e = CourseRepo::delete_block(&scope, w.block2)
            .await
            .unwrap_err();
        assert_eq!(e.code(), block, "{name}: {e}");
        let e = AssessmentRepo::delete_assessment(&scope, w.quiz2)
            .await
            .unwrap_err();
        assert_eq!(e.code(), assessment, "{name}: {e}");
        let e = CourseRepo::delete_lesson(&scope, w.lesson2)
            .await
            .unwrap_err();
        assert_eq!(e.code(), lesson, "{name}: {e}");
    }
    for (sql, id) in [
        (
            "select count(*) from content_blocks where id = $1",
            w.block2.0,
        ),
        ("select count(*) from assessments where id = $1", w.quiz2.0),
        ("select count(*) from lessons where id = $1", w.lesson2.0),
    ] {
        assert_eq!(count(&pool, sql, id).await, 1, "{sql}");
    }
    let author = w.lms.as_user(w.instructor);
    AssessmentRepo::delete_assessment(&author, w.quiz2)
        .await
        .unwrap();
    assert_eq!(
        AssessmentRepo::get_assessment(&author, w.quiz2)
            .await
            .unwrap(),
        None
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn assessments_round_trip_with_answer_keys_only_for_authors(pool: PgPool) {
    let w = world(pool, true).await;
    let svc = w.lms.as_service();
    EnrollmentRepo::enroll(&svc, w.student, w.course)
        .await
        .unwrap();

    let extra = AssessmentRepo::create_assessment(
        &svc,
        new_quiz(AssessmentOwner::Course(w.course), "Bonus"),
    )
    .await
    .unwrap();
    let extra = AssessmentRepo::update_assessment(
        &svc,
        extra.id,
        AssessmentPatch {
            max_attempts: Some(None),
            ..AssessmentPatch::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(extra.max_attempts, None);
    let ids: Vec<AssessmentId> = AssessmentRepo::list_assessments(&svc, w.course)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(
        ids,
        [w.quiz1, w.quiz2, w.final_exam, extra.id],
        "lessons' in lesson order, then the course's"
    );

    let has_keys = |a: &Assessment| a.questions.to_string().contains("fraction");
    let readers = [
        ("service", w.lms.as_service(), Some(true)),
        ("instructor", w.lms.as_user(w.instructor), Some(true)),
        ("admin", w.lms.as_user(w.admin), Some(true)),
        ("enrolled student", w.lms.as_user(w.student), Some(false)),
        ("other student", w.lms.as_user(w.other_student), None),
        ("other instructor", w.lms.as_user(w.other_instructor), None),
    ];
    for (name, scope, keys) in readers {
        let got = AssessmentRepo::get_assessment(&scope, w.quiz1)
            .await
            .unwrap();
        assert_eq!(got.as_ref().map(has_keys), keys, "{name}");
        if let Some(a) = got {
            assert_eq!(a.questions.as_array().unwrap().len(), 2, "{name}");
        }
        let list = AssessmentRepo::list_assessments(&scope, w.course)
            .await
            .unwrap();
        assert_eq!(list.len(), if keys.is_some() { 4 } else { 0 }, "{name}");
        assert!(list.iter().all(|a| Some(has_keys(a)) == keys), "{name}");
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn profiles_round_trip_and_stay_private(pool: PgPool) {
    let w = world(pool, false).await;
    let svc = w.lms.as_service();
    let sam = ProfileRepo::get_profile_by_email(&svc, "sam@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sam.id, w.student);
    assert_eq!(
        ProfileRepo::get_profile(&svc, w.student).await.unwrap(),
        Some(sam)
    );
    let renamed = ProfileRepo::update_profile(
        &svc,
        w.student,
        ProfilePatch {
            first_name: Some(Some("Sam".into())),
            knowledge_profile: Some(json!({})),
            ..ProfilePatch::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(renamed.first_name.as_deref(), Some("Sam"));
    let me = w.lms.as_user(w.student);
    let promoted = ProfileRepo::set_role(&w.lms.as_user(w.admin), w.student, UserRole::Instructor)
        .await
        .unwrap();
    assert_eq!(promoted.role, UserRole::Instructor);
    let own = ProfileRepo::set_role(&me, w.student, UserRole::Admin)
        .await
        .unwrap_err();
    assert_eq!(own.code(), "forbidden", "{own}");

    // another user's profile is invisible: None, by id and by e-mail
    let kim = w.lms.as_user(w.other_student);
    assert_eq!(
        ProfileRepo::get_profile(&kim, w.student).await.unwrap(),
        None
    );
    assert_eq!(
        ProfileRepo::get_profile_by_email(&kim, "sam@example.org")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        ProfileRepo::get_profile_by_email(&svc, "nobody@example.org")
            .await
            .unwrap(),
        None
    );
}

/// A user renames themselves through the delegated use case.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn users_update_their_own_profile(pool: PgPool) {
    let w = world(pool, false).await;
    let renamed = ProfileRepo::update_profile(
        &w.lms.as_user(w.student),
        w.student,
        ProfilePatch {
            first_name: Some(Some("Sam".into())),
            ..ProfilePatch::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(renamed.first_name.as_deref(), Some("Sam"));
}

/// What the student has after enrolling, attempting, studying and getting a roadmap.
struct Studied {
    attempt: AttemptId,
    roadmap: RoadmapId,
}

async fn study(w: &World) -> Studied {
    let svc = w.lms.as_service();
    EnrollmentRepo::enroll(&svc, w.student, w.course)
        .await
        .unwrap();
    let started = w
        .lms
        .as_user(w.student)
        .start_attempt(w.quiz1)
        .await
        .unwrap();
    ProgressRepo::record_learning_progress(&svc, learning(w.student, w.block1.0, json!({})))
        .await
        .unwrap();
    let roadmap = RoadmapRepo::create_roadmap(&svc, new_roadmap(w.student, w))
        .await
        .unwrap();
    Studied {
        attempt: started.attempt.id,
        roadmap: roadmap.id,
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn invisible_rows_read_as_none(pool: PgPool) {
    let w = world(pool, true).await;
    let s = study(&w).await;
    // (reader, whether they see the student's rows)
    let readers = [
        ("the student", w.lms.as_user(w.student), true),
        ("the admin", w.lms.as_user(w.admin), true),
        ("another student", w.lms.as_user(w.other_student), false),
        (
            "another instructor",
            w.lms.as_user(w.other_instructor),
            false,
        ),
    ];
    for (name, r, sees) in readers {
        let reads = [
            (
                "attempt",
                AttemptRepo::get_attempt(&r, s.attempt)
                    .await
                    .unwrap()
                    .is_some(),
            ),
            (
                "attempts",
                !AttemptRepo::list_attempts(&r, w.quiz1, w.student)
                    .await
                    .unwrap()
                    .is_empty(),
            ),
            (
                "enrollment",
                EnrollmentRepo::get_enrollment(&r, w.student, w.course)
                    .await
                    .unwrap()
                    .is_some(),
            ),
            (
                "lesson progress",
                ProgressRepo::lesson_progress(&r, w.student, w.lesson1)
                    .await
                    .unwrap()
                    .is_some(),
            ),
            (
                "assessment progress",
                ProgressRepo::assessment_progress(&r, w.student, w.quiz1)
                    .await
                    .unwrap()
                    .is_some(),
            ),
            (
                "course progress",
                !ProgressRepo::course_progress(&r, w.student, w.course)
                    .await
                    .unwrap()
                    .is_empty(),
            ),
            (
                "learning progress",
                !ProgressRepo::learning_progress(&r, w.student, &[w.block1.0])
                    .await
                    .unwrap()
                    .is_empty(),
            ),
            (
                "roadmap",
                RoadmapRepo::get_roadmap(&r, s.roadmap)
                    .await
                    .unwrap()
                    .is_some(),
            ),
            (
                "current roadmap",
                RoadmapRepo::current_roadmap(&r, w.student)
                    .await
                    .unwrap()
                    .is_some(),
            ),
            (
                "roadmaps",
                !RoadmapRepo::list_roadmaps(&r, w.student, Page::default())
                    .await
                    .unwrap()
                    .is_empty(),
            ),
        ];
        for (what, seen) in reads {
            assert_eq!(seen, sees, "{name} reading the student's {what}");
        }
    }

    // course content: drafts and content of courses one is not enrolled in
    let kim = w.lms.as_user(w.other_student);
    assert!(CourseRepo::get_course(&kim, w.course)
        .await
        .unwrap()
        .is_some());
    assert_eq!(CourseRepo::get_block(&kim, w.block1).await.unwrap(), None);
    assert_eq!(
        AssessmentRepo::get_assessment(&kim, w.quiz1).await.unwrap(),
        None
    );
    sqlx::query("update lessons set is_published = false where id = $1")
        .bind(w.lesson2.0)
        .execute(&w.pool)
        .await
        .unwrap();
    let sam = w.lms.as_user(w.student);
    assert_eq!(CourseRepo::get_lesson(&sam, w.lesson2).await.unwrap(), None);
    assert_eq!(CourseRepo::get_block(&sam, w.block3).await.unwrap(), None);
    assert!(
        CourseRepo::get_lesson(&w.lms.as_user(w.instructor), w.lesson2)
            .await
            .unwrap()
            .is_some()
    );
    // missing rows read the same
    let svc = w.lms.as_service();
    assert_eq!(
        CourseRepo::get_course(&svc, CourseId::new_v4())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        AttemptRepo::get_attempt(&svc, AttemptId::new_v4())
            .await
            .unwrap(),
        None
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn computed_writes_are_refused_under_user_scopes(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let s = study(&w).await;
    let before = snapshot(&pool).await;
    for (name, actor) in [
        ("the student", w.student),
        ("the instructor", w.instructor),
        ("an admin", w.admin),
    ] {
        let r = w.lms.as_user(actor);
        let refusals: Vec<(&str, Result<(), Error>)> = vec![
            (
                "create_attempt",
                AttemptRepo::create_attempt(
                    &r,
                    NewAttempt {
                        assessment_id: w.quiz2,
                        student_id: w.student,
                        attempt_number: 1,
                        started_at: Utc::now(),
                    },
                )
                .await
                .map(drop),
            ),
            (
                "record_result",
                AttemptRepo::record_result(&r, s.attempt, graded(json!({})))
                    .await
                    .map(drop),
            ),
            (
                "update_enrollment",
                EnrollmentRepo::update_enrollment(
                    &r,
                    w.student,
                    w.course,
                    json!({"completed": true, "percent": 100}),
                    Some(Utc::now()),
                )
                .await
                .map(drop),
            ),
            (
                "upsert_progress",
                ProgressRepo::upsert_progress(&r, upsert(&w, w.student, 10))
                    .await
                    .map(drop),
            ),
            (
                "record_learning_progress",
                ProgressRepo::record_learning_progress(
                    &r,
                    learning(w.student, w.block2.0, json!({"completed": true})),
                )
                .await
                .map(drop),
            ),
            (
                "create_roadmap",
                RoadmapRepo::create_roadmap(&r, new_roadmap(w.student, &w))
                    .await
                    .map(drop),
            ),
            (
                "set_roadmap_status",
                RoadmapRepo::set_roadmap_status(&r, s.roadmap, RoadmapStatus::Completed)
                    .await
                    .map(drop),
            ),
            (
                "set_published",
                CourseRepo::set_published(&r, w.course, false)
                    .await
                    .map(drop),
            ),
        ];
        for (call, got) in refusals {
            let e = got.expect_err(call);
            // the instructor reads the roadmaps of their course (20261202000010) but
            // writes none
            assert_eq!(e.code(), "forbidden", "{name}: {call}: {e}");
        }
    }
    assert_eq!(snapshot(&pool).await, before, "nothing written");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn computed_writes_round_trip_as_the_service(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let svc = w.lms.as_service();
    EnrollmentRepo::enroll(&svc, w.student, w.course)
        .await
        .unwrap();

    // attempts
    let started = Utc::now() - Duration::minutes(5);
    let first = AttemptRepo::create_attempt(
        &svc,
        NewAttempt {
            assessment_id: w.quiz1,
            student_id: w.student,
            attempt_number: 1,
            started_at: started,
        },
    )
    .await
    .unwrap();
    let duplicate = AttemptRepo::create_attempt(
        &svc,
        NewAttempt {
            assessment_id: w.quiz1,
            student_id: w.student,
            attempt_number: 1,
            started_at: started,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(duplicate.code(), "conflict", "{duplicate}");
    let feedback = json!({
        "questions": [
            {"question_id": "q1", "kind": "multiple_choice", "outcome": "correct",
             "points_earned": 1, "max_points": 1},
            {"question_id": "q2", "kind": "true_false", "outcome": "incorrect",
             "points_earned": 0, "max_points": 1}
        ],
        "summary": {"points_earned": 1, "total_points": 2, "score": 50, "passed": false,
                    "minimum_passing_score": 70, "pending_review": 0}
    });
    let recorded = AttemptRepo::record_result(
        &svc,
        first.id,
        AttemptResult {
            feedback: Some(feedback.clone()),
            ..graded(answers(1))
        },
    )
    .await
    .unwrap();
    assert_eq!(recorded.feedback, Some(feedback));
    assert_eq!(recorded.score, Some(50));
    assert_eq!(recorded.passed, Some(false));
    assert_eq!(recorded.time_spent_seconds, Some(60));
    assert!(recorded.submitted_at.is_some());
    assert_eq!(
        AttemptRepo::get_attempt(&svc, first.id).await.unwrap(),
        Some(recorded.clone())
    );
    let missing = AttemptRepo::record_result(&svc, AttemptId::new_v4(), graded(json!({})))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "not_found", "{missing}");
    let second = AttemptRepo::create_attempt(
        &svc,
        NewAttempt {
            assessment_id: w.quiz1,
            student_id: w.student,
            attempt_number: 2,
            started_at: Utc::now(),
        },
    )
    .await
    .unwrap();
    let numbers: Vec<i32> = AttemptRepo::list_attempts(&svc, w.quiz1, w.student)
        .await
        .unwrap()
        .iter()
        .map(|a| a.attempt_number)
        .collect();
    assert_eq!(numbers, [1, 2]);

    // answers are saved by (or for) the student, on their open attempt
    let saved = AttemptRepo::save_answers(&w.lms.as_user(w.student), second.id, answers(2))
        .await
        .unwrap();
    assert_eq!(saved.id, second.id);
    assert!(saved.answers["q1"]["answered_at"].is_string());
    let for_student = AttemptRepo::save_answers(&svc, second.id, answers(1))
        .await
        .unwrap();
    assert_eq!(for_student.answers["q2"]["value"], json!(false));
    let cases = [
        (
            "instructor",
            w.lms.as_user(w.instructor),
            second.id,
            "forbidden",
        ),
        (
            "other student",
            w.lms.as_user(w.other_student),
            second.id,
            "not_found",
        ),
        (
            "submitted attempt",
            w.lms.as_user(w.student),
            first.id,
            "conflict",
        ),
    ];
    for (name, scope, attempt, code) in cases {
        let e = AttemptRepo::save_answers(&scope, attempt, answers(2))
            .await
            .unwrap_err();
        assert_eq!(e.code(), code, "{name}: {e}");
    }

    // progress rows: a new row, then updates adding time
    let fresh = ProgressRepo::upsert_progress(&svc, upsert(&w, w.other_student, 7))
        .await
        .unwrap();
    assert_eq!(
        (
            fresh.status,
            fresh.completion_percentage,
            fresh.time_spent_seconds
        ),
        (ProgressStatus::InProgress, 40, 7)
    );
    let row = ProgressRepo::upsert_progress(&svc, upsert(&w, w.student, 10))
        .await
        .unwrap();
    assert_eq!(row.status, ProgressStatus::InProgress);
    let accessed = Utc::now();
    let row = ProgressRepo::upsert_progress(
        &svc,
        ProgressUpsert {
            status: ProgressStatus::Completed,
            completion_percentage: 100,
            last_accessed: Some(accessed),
            ..upsert(&w, w.student, 5)
        },
    )
    .await
    .unwrap();
    assert_eq!(row.status, ProgressStatus::Completed);
    assert_eq!(row.completion_percentage, 100);
    assert_eq!(row.time_spent_seconds, 15, "time is added");
    assert!(row.last_accessed.is_some());
    assert_eq!(
        ProgressRepo::lesson_progress(&svc, w.student, w.lesson1)
            .await
            .unwrap(),
        Some(row.clone())
    );
    let quiz_row = ProgressRepo::upsert_progress(
        &svc,
        ProgressUpsert {
            assessment_id: Some(w.quiz1),
            attempts_count: 2,
            best_score: Some(50),
            ..upsert(&w, w.student, 0)
        },
    )
    .await
    .unwrap();
    assert_eq!(
        ProgressRepo::assessment_progress(&svc, w.student, w.quiz1)
            .await
            .unwrap()
            .map(|p| (p.attempts_count, p.best_score)),
        Some((2, Some(50)))
    );
    let order: Vec<(Option<LessonId>, Option<AssessmentId>)> =
        ProgressRepo::course_progress(&svc, w.student, w.course)
            .await
            .unwrap()
            .iter()
            .map(|p| (p.lesson_id, p.assessment_id))
            .collect();
    assert_eq!(
        order,
        [
            (Some(w.lesson1), None),
            (Some(w.lesson1), Some(w.quiz1)),
            (Some(w.lesson2), None),
            (Some(w.lesson2), Some(w.quiz2)),
            (None, Some(w.final_exam)),
        ],
        "lesson order, each lesson before its assessment, the course's last"
    );
    assert_eq!(quiz_row.lesson_id, Some(w.lesson1));

    // reset: the course's author only; the student's rows of that lesson go
    for (name, scope, code) in [
        ("student", w.lms.as_user(w.student), "forbidden"),
        (
            "other instructor",
            w.lms.as_user(w.other_instructor),
            "forbidden",
        ),
    ] {
        let e = ProgressRepo::reset_lesson(&scope, w.student, w.lesson1)
            .await
            .unwrap_err();
        assert_eq!(e.code(), code, "{name}: {e}");
    }
    ProgressRepo::reset_lesson(&w.lms.as_user(w.instructor), w.student, w.lesson1)
        .await
        .unwrap();
    assert_eq!(
        ProgressRepo::lesson_progress(&svc, w.student, w.lesson1)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        ProgressRepo::assessment_progress(&svc, w.student, w.quiz1)
            .await
            .unwrap(),
        None
    );
    assert!(ProgressRepo::lesson_progress(&svc, w.student, w.lesson2)
        .await
        .unwrap()
        .is_some());
    let again = ProgressRepo::reset_lesson(&svc, w.student, w.lesson1)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "not_found", "{again}");

    // learning progress: upsert, read in the order asked
    let done = Utc::now();
    let lp = ProgressRepo::record_learning_progress(
        &svc,
        NewLearningProgress {
            completed_at: Some(done),
            ..learning(
                w.student,
                w.block2.0,
                json!({"completed": true, "percent": 100}),
            )
        },
    )
    .await
    .unwrap();
    assert!(lp.completed_at.is_some());
    ProgressRepo::record_learning_progress(&svc, learning(w.student, w.block1.0, json!({})))
        .await
        .unwrap();
    let replaced = ProgressRepo::record_learning_progress(
        &svc,
        learning(w.student, w.block1.0, json!({"percent": 50})),
    )
    .await
    .unwrap();
    assert_eq!(replaced.progress_data["percent"], json!(50));
    let ids: Vec<uuid::Uuid> =
        ProgressRepo::learning_progress(&svc, w.student, &[w.block3.0, w.block1.0, w.block2.0])
            .await
            .unwrap()
            .iter()
            .map(|l| l.content_id)
            .collect();
    assert_eq!(ids, [w.block1.0, w.block2.0], "in the order asked");

    // enrollment summary and completion
    let completed = Utc::now() + Duration::seconds(1);
    let e = EnrollmentRepo::update_enrollment(
        &svc,
        w.student,
        w.course,
        json!({"completed": true, "percent": 100}),
        Some(completed),
    )
    .await
    .unwrap();
    assert_eq!(e.progress, json!({"completed": true, "percent": 100}));
    assert!(e.completed_at.is_some());
    let nobody =
        EnrollmentRepo::update_enrollment(&svc, w.other_student, w.course, json!({}), None)
            .await
            .unwrap_err();
    assert_eq!(nobody.code(), "not_found", "{nobody}");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn documents_are_validated_before_anything_is_written(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let s = study(&w).await;
    let svc = w.lms.as_service();
    let before = snapshot(&pool).await;
    let bad_progress = json!({"percent": 101, "unknown": true});
    let bad_roadmap = json!({"steps": [{"lesson_id": "not a uuid", "reason": "x"}]});
    let cases: Vec<(&str, Result<(), Error>)> = vec![
        (
            "update_enrollment",
            EnrollmentRepo::update_enrollment(
                &svc,
                w.student,
                w.course,
                bad_progress.clone(),
                None,
            )
            .await
            .map(drop),
        ),
        (
            "record_learning_progress",
            ProgressRepo::record_learning_progress(
                &svc,
                learning(w.student, w.block2.0, bad_progress.clone()),
            )
            .await
            .map(drop),
        ),
        (
            "create_roadmap",
            RoadmapRepo::create_roadmap(
                &svc,
                NewRoadmap {
                    roadmap_data: bad_roadmap,
                    ..new_roadmap(w.student, &w)
                },
            )
            .await
            .map(drop),
        ),
        (
            "record_result answers",
            AttemptRepo::record_result(&svc, s.attempt, graded(json!({"q1": {"type": "nope"}})))
                .await
                .map(drop),
        ),
        (
            "record_result feedback",
            AttemptRepo::record_result(
                &svc,
                s.attempt,
                AttemptResult {
                    feedback: Some(json!([1, 2])),
                    ..graded(json!({}))
                },
            )
            .await
            .map(drop),
        ),
        (
            "upsert_progress without a subject",
            ProgressRepo::upsert_progress(
                &svc,
                ProgressUpsert {
                    lesson_id: None,
                    ..upsert(&w, w.student, 1)
                },
            )
            .await
            .map(drop),
        ),
        (
            "upsert_progress out of range",
            ProgressRepo::upsert_progress(
                &svc,
                ProgressUpsert {
                    completion_percentage: 101,
                    ..upsert(&w, w.other_student, 1)
                },
            )
            .await
            .map(drop),
        ),
    ];
    for (name, got) in cases {
        let e = got.expect_err(name);
        assert_eq!(e.code(), "invalid_document", "{name}: {e}");
    }
    assert_eq!(snapshot(&pool).await, before, "nothing written");
    let current = RoadmapRepo::current_roadmap(&svc, w.student)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.id, s.roadmap, "the active roadmap was not replaced");

    // what is stored is the normalized document
    let stored = EnrollmentRepo::update_enrollment(
        &svc,
        w.student,
        w.course,
        json!({"percent": 10, "completed": false}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(stored.progress, json!({"completed": false, "percent": 10}));
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_new_roadmap_replaces_the_active_one(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    enrol_raw(&w, &[w.student, w.other_student]).await;
    let svc = w.lms.as_service();
    let active = |student: UserId| {
        let pool = pool.clone();
        async move {
            count(
                &pool,
                "select count(*) from personalized_roadmaps \
                 where student_id = $1 and status = 'active'",
                student.0,
            )
            .await
        }
    };
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(
            RoadmapRepo::create_roadmap(&svc, new_roadmap(w.student, &w))
                .await
                .unwrap(),
        );
        assert_eq!(active(w.student).await, 1);
    }
    let other = RoadmapRepo::create_roadmap(&svc, new_roadmap(w.other_student, &w))
        .await
        .unwrap();
    assert_eq!(active(w.student).await, 1, "students do not share roadmaps");
    assert_eq!(
        RoadmapRepo::current_roadmap(&svc, w.student)
            .await
            .unwrap()
            .map(|r| r.id),
        Some(made[2].id)
    );
    let listed = RoadmapRepo::list_roadmaps(&svc, w.student, Page::default())
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|r| (r.id, r.status)).collect::<Vec<_>>(),
        [
            (made[2].id, RoadmapStatus::Active),
            (made[1].id, RoadmapStatus::Paused),
            (made[0].id, RoadmapStatus::Paused),
        ],
        "newest first; the replaced ones paused"
    );
    assert_eq!(listed[2].roadmap_data, made[0].roadmap_data);
    assert_eq!(listed[2].ai_reasoning.as_deref(), Some("new to Rust"));

    // resuming an old roadmap pauses the current one
    let resumed = RoadmapRepo::set_roadmap_status(&svc, made[0].id, RoadmapStatus::Active)
        .await
        .unwrap();
    assert_eq!(resumed.status, RoadmapStatus::Active);
    assert_eq!(active(w.student).await, 1);
    assert_eq!(
        RoadmapRepo::get_roadmap(&svc, made[2].id)
            .await
            .unwrap()
            .unwrap()
            .status,
        RoadmapStatus::Paused
    );
    let done = RoadmapRepo::set_roadmap_status(&svc, made[0].id, RoadmapStatus::Completed)
        .await
        .unwrap();
    assert_eq!(done.status, RoadmapStatus::Completed);
    assert_eq!(
        RoadmapRepo::current_roadmap(&svc, w.student).await.unwrap(),
        None
    );
    assert_eq!(
        RoadmapRepo::current_roadmap(&svc, w.other_student)
            .await
            .unwrap()
            .map(|r| r.id),
        Some(other.id)
    );
    let missing = RoadmapRepo::set_roadmap_status(&svc, RoadmapId::new_v4(), RoadmapStatus::Paused)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "not_found", "{missing}");

    // concurrent replacements still leave exactly one active roadmap
    let calls = (0..6).map(|_| {
        let svc = svc.clone();
        let new = new_roadmap(w.student, &w);
        async move { RoadmapRepo::create_roadmap(&svc, new).await }
    });
    for got in futures_join_all(calls).await {
        got.unwrap();
    }
    assert_eq!(active(w.student).await, 1);
}

/// Runs futures concurrently on the test's runtime (each on its own task).
async fn futures_join_all<F, T>(futures: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn enrollments_delegate_page_and_order(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let svc = w.lms.as_service();
    let me = w.lms.as_user(w.student);

    // a user enrols only themselves; the service enrols anyone through the use case
    let mine = EnrollmentRepo::enroll(&me, w.student, w.course)
        .await
        .unwrap();
    assert_eq!(mine.student_id, w.student);
    for (name, scope) in [
        ("a student for another", me.clone()),
        ("an instructor", w.lms.as_user(w.instructor)),
        ("an admin", w.lms.as_user(w.admin)),
    ] {
        let e = EnrollmentRepo::enroll(&scope, w.other_student, w.course)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "forbidden", "{name}: {e}");
    }
    let twice = EnrollmentRepo::enroll(&svc, w.student, w.course)
        .await
        .unwrap_err();
    assert_eq!(twice.code(), "already_enrolled", "{twice}");
    // the use case's rules apply: progress rows were created
    assert!(ProgressRepo::lesson_progress(&me, w.student, w.lesson1)
        .await
        .unwrap()
        .is_some());

    let mut students = vec![w.student];
    for i in 0..4 {
        let s = user(&pool, &format!("s{i}@example.org"), "student").await;
        EnrollmentRepo::enroll(&svc, s, w.course).await.unwrap();
        students.push(s);
    }
    let pages: Vec<Vec<UserId>> = {
        let mut pages = Vec::new();
        for offset in [0, 2, 4, 6] {
            let page = EnrollmentRepo::list_for_course(&svc, w.course, Page::new(2, offset))
                .await
                .unwrap();
            pages.push(page.iter().map(|e| e.student_id).collect());
        }
        pages
    };
    assert_eq!(
        pages,
        [
            students[0..2].to_vec(),
            students[2..4].to_vec(),
            students[4..5].to_vec(),
            vec![]
        ],
        "oldest first, paged"
    );
    let clamped = EnrollmentRepo::list_for_course(
        &svc,
        w.course,
        Page {
            limit: 0,
            offset: 0,
        },
    )
    .await
    .unwrap();
    assert_eq!(clamped.len(), 1, "a zero limit is clamped to 1");
    let teacher =
        EnrollmentRepo::list_for_course(&w.lms.as_user(w.instructor), w.course, Page::default())
            .await
            .unwrap();
    assert_eq!(
        teacher.len(),
        5,
        "the instructor sees the course's enrollments"
    );
    let peer = EnrollmentRepo::list_for_course(&me, w.course, Page::default())
        .await
        .unwrap();
    assert_eq!(
        peer.iter().map(|e| e.student_id).collect::<Vec<_>>(),
        [w.student],
        "a student sees only their own"
    );

    // a student's enrollments, newest first
    let second = CourseRepo::create_course(
        &svc,
        NewCourse {
            title: "Zig".into(),
            description: None,
            instructor_id: w.instructor,
            tags: vec![],
            difficulty_level: None,
            estimated_duration_minutes: None,
        },
    )
    .await
    .unwrap();
    CourseRepo::set_published(&svc, second.id, true)
        .await
        .unwrap();
    EnrollmentRepo::enroll(&me, w.student, second.id)
        .await
        .unwrap();
    let courses: Vec<CourseId> = EnrollmentRepo::list_for_student(&me, w.student, Page::default())
        .await
        .unwrap()
        .iter()
        .map(|e| e.course_id)
        .collect();
    assert_eq!(courses, [second.id, w.course]);
    assert!(EnrollmentRepo::list_for_student(
        &w.lms.as_user(w.other_student),
        w.student,
        Page::default()
    )
    .await
    .unwrap()
    .is_empty());

    // leaving: not for strangers; once gone, not found
    let stranger = EnrollmentRepo::unenroll(&w.lms.as_user(w.other_student), w.student, w.course)
        .await
        .unwrap_err();
    assert_eq!(stranger.code(), "not_found", "{stranger}");
    EnrollmentRepo::unenroll(&me, w.student, w.course)
        .await
        .unwrap();
    assert_eq!(
        EnrollmentRepo::get_enrollment(&svc, w.student, w.course)
            .await
            .unwrap(),
        None
    );
    let again = EnrollmentRepo::unenroll(&me, w.student, w.course)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "not_found", "{again}");
    EnrollmentRepo::unenroll(&w.lms.as_user(w.instructor), students[1], w.course)
        .await
        .unwrap();
    assert_eq!(
        count(
            &pool,
            "select count(*) from enrollments where course_id = $1",
            w.course.0
        )
        .await,
        3
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn roadmap_lists_are_paged(pool: PgPool) {
    let w = world(pool, false).await;
    enrol_raw(&w, &[w.student]).await;
    let svc = w.lms.as_service();
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(
            RoadmapRepo::create_roadmap(&svc, new_roadmap(w.student, &w))
                .await
                .unwrap()
                .id,
        );
    }
    made.reverse();
    let cases = [
        (Page::new(2, 0), &made[0..2]),
        (Page::new(2, 2), &made[2..4]),
        (Page::new(2, 4), &made[4..5]),
        (Page::new(10, 5), &made[5..5]),
        (Page::new(0, 1), &made[1..2]),
    ];
    for (page, want) in cases {
        let got: Vec<RoadmapId> = RoadmapRepo::list_roadmaps(&svc, w.student, page)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(got, want, "{page:?}");
    }
}

/// The service's raw attempt writes wait for the student's progress lock, like every
/// writer of attempts: a submission that decided on the student's history holds it until
/// it commits, and reuses that history in its refresh.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn raw_attempt_writes_wait_for_the_progress_lock(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let svc = w.lms.as_service();
    EnrollmentRepo::enroll(&svc, w.student, w.course)
        .await
        .unwrap();
    let hold = || world::hold_progress_lock(&pool, w.course, w.student);

    let other = hold().await;
    let (s, quiz, student) = (svc.clone(), w.quiz1, w.student);
    let create = tokio::spawn(async move {
        AttemptRepo::create_attempt(
            &s,
            NewAttempt {
                assessment_id: quiz,
                student_id: student,
                attempt_number: 1,
                started_at: Utc::now() - Duration::minutes(5),
            },
        )
        .await
    });
    assert!(world::someone_waits_for_a_lock(&pool).await);
    assert!(!create.is_finished(), "create_attempt waits for the lock");
    other.commit().await.unwrap();
    let attempt = create.await.unwrap().unwrap();

    let other = hold().await;
    let s = svc.clone();
    let record = tokio::spawn(async move {
        AttemptRepo::record_result(&s, attempt.id, graded(answers(1))).await
    });
    assert!(world::someone_waits_for_a_lock(&pool).await);
    assert!(!record.is_finished(), "record_result waits for the lock");
    other.commit().await.unwrap();
    record.await.unwrap().unwrap();
}

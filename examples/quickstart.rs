//! Quickstart: the whole student journey through the `lms` API.
//!
//! Connect and migrate; an instructor authors a course (two lessons, the second requiring
//! the first, each with a quiz, and a final exam) and publishes it; a student enrols,
//! studies, fails the quiz, passes it, and sees their progress, the next lesson unlocked
//! and their dashboard; the instructor reads the gradebook.
//!
//! Run it with `scripts/with-postgres cargo run --example quickstart`: it uses
//! `DATABASE_URL` when that answers, or a throwaway PostgreSQL otherwise. Against your own
//! database it adds a demo instructor, course and student (unique e-mail addresses).

use lms::core::model::{ContentType, CourseId, DifficultyLevel, LessonId, UserId, UserRole};
use lms::core::repo::{
    AssessmentOwner, NewAssessment, NewContentBlock, NewCourse, NewLesson, Page,
};
use lms::db::{Lms, Scope};
use serde_json::json;

type Error = Box<dyn std::error::Error>;

/// Signs a user up. On Supabase, Supabase Auth does this; on plain PostgreSQL the
/// migrations' `auth.users` stands in. Either way the sign-up trigger creates a student
/// profile.
async fn sign_up(lms: &Lms, email: &str) -> Result<UserId, Error> {
    let id: uuid::Uuid =
        sqlx::query_scalar("insert into auth.users (email) values ($1) returning id")
            .bind(email)
            .fetch_one(lms.pool())
            .await?;
    Ok(UserId(id))
}

fn quiz(owner: AssessmentOwner, title: &str) -> NewAssessment {
    NewAssessment {
        owner,
        title: title.into(),
        description: None,
        questions: json!([
            {"type": "multiple_choice", "id": "borrow", "prompt": "Which line borrows `y`?",
             "points": 1, "options": [
                {"id": "a", "text": "let x = y;", "fraction": 0.0},
                {"id": "b", "text": "let x = &y;", "fraction": 1.0}]},
            {"type": "true_false", "id": "owner", "prompt": "A value has exactly one owner.",
             "points": 1, "correct": true}
        ]),
        ai_generated: false,
        source_content_ids: vec![],
        is_mandatory: true,
        minimum_passing_score: 70,
        max_attempts: Some(3),
        time_limit_minutes: Some(15),
        policy: Default::default(),
        schedule: Default::default(),
        late_policy: None,
    }
}

async fn author_course(
    author: &Scope,
    instructor: UserId,
) -> Result<(CourseId, [LessonId; 2]), Error> {
    let course = author
        .create_course(NewCourse {
            title: "Rust for data people".into(),
            description: Some("Ownership and borrowing, gently.".into()),
            instructor_id: instructor,
            tags: vec!["rust".into()],
            difficulty_level: Some(DifficultyLevel::Beginner),
            estimated_duration_minutes: Some(60),
        })
        .await?;
    let mut lessons = Vec::new();
    for (order, title) in ["Ownership", "Borrowing"].into_iter().enumerate() {
        let lesson = author
            .create_lesson(NewLesson {
                course_id: course.id,
                title: title.into(),
                description: None,
                order_index: order as i32,
                learning_objectives: vec![format!("explain {}", title.to_lowercase())],
                estimated_duration_minutes: Some(30),
                prerequisites: lessons.clone(),
            })
            .await?;
        author
            .create_block(NewContentBlock {
                lesson_id: lesson.id,
                content_type: ContentType::RichText,
                content: json!({"rich_text": {"html": format!("<h2>{title}</h2><p>Read me.</p>"), "plain_text": ""}}),
                order_index: 0,
                metadata: json!({}),
            })
            .await?;
        author
            .create_assessment(quiz(
                AssessmentOwner::Lesson(lesson.id),
                &format!("{title} quiz"),
            ))
            .await?;
        lessons.push(lesson.id);
    }
    author
        .create_assessment(quiz(AssessmentOwner::Course(course.id), "Final exam"))
        .await?;
    let published = author.publish_course(course.id).await?;
    println!(
        "published {:?} ({} lessons)",
        published.title,
        lessons.len()
    );
    Ok((course.id, [lessons[0], lessons[1]]))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "set DATABASE_URL, or run through scripts/with-postgres")?;
    let lms = Lms::connect(&url).await?;
    lms.migrate().await?;

    let tag = uuid::Uuid::new_v4().simple().to_string();
    let instructor = sign_up(&lms, &format!("ada+{tag}@example.org")).await?;
    let student = sign_up(&lms, &format!("sam+{tag}@example.org")).await?;
    lms.as_service()
        .set_role(instructor, UserRole::Instructor)
        .await?;

    let (course, [ownership, borrowing]) =
        author_course(&lms.as_user(instructor), instructor).await?;

    let me = lms.as_user(student);
    me.enroll(course).await?;
    let blocks = me.list_blocks(ownership).await?;
    let progress = me
        .record_content_progress(
            blocks[0].id,
            &json!({"completed": true, "percent": 100}),
            240,
        )
        .await?;
    println!(
        "studied lesson 1: {} at {}%",
        progress.status, progress.completion_percentage
    );

    let quiz1 = me
        .list_lessons(course)
        .await?
        .into_iter()
        .find(|l| l.id == ownership)
        .and_then(|l| l.assessment_id)
        .ok_or("lesson 1 has no quiz")?;
    let started = me.start_attempt(quiz1).await?;
    println!(
        "quiz questions as the student sees them: {}",
        started.questions
    );
    let wrong = json!({"borrow": {"type": "multiple_choice", "selected": ["a"]},
                       "owner": {"type": "true_false", "value": false}});
    let failed = me.submit_attempt(quiz1, &wrong).await?;
    println!(
        "attempt {}: score {:?}, passed {:?}",
        failed.attempt.attempt_number, failed.attempt.score, failed.attempt.passed
    );
    // the quiz is timed: each attempt starts (and its clock runs) before it is submitted
    me.start_attempt(quiz1).await?;
    let right = json!({"borrow": {"type": "multiple_choice", "selected": ["b"]},
                       "owner": {"type": "true_false", "value": true}});
    let passed = me.submit_attempt(quiz1, &right).await?;
    println!(
        "attempt {}: score {:?}, passed {:?}; unlocked lessons: {:?}",
        passed.attempt.attempt_number,
        passed.attempt.score,
        passed.attempt.passed,
        passed.unlocked_lessons
    );
    assert_eq!(passed.unlocked_lessons, [borrowing]);

    for row in me.my_progress(course).await? {
        let what = match (row.lesson_id, row.assessment_id) {
            (Some(l), None) => format!("lesson {l}"),
            (_, Some(a)) => format!("assessment {a}"),
            _ => "course".into(),
        };
        println!(
            "  {what}: {} {}% attempts={} best={:?}",
            row.status, row.completion_percentage, row.attempts_count, row.best_score
        );
    }

    // what each of them sees first: the student's dashboard, the instructor's gradebook
    let dashboard = me.student_dashboard().await?;
    for c in &dashboard.courses {
        println!("dashboard: {} {}% done", c.title, c.completion_percentage);
    }
    let gradebook = lms
        .as_user(instructor)
        .gradebook(course, Page::default())
        .await?;
    for entry in &gradebook.entries {
        let line = &entry.summary;
        println!(
            "gradebook: {} on {}: {} attempts, best {:?}, passed {}",
            entry.student_email.as_deref().unwrap_or("?"),
            line.assessment_title.as_deref().unwrap_or("?"),
            line.attempts,
            line.best_score,
            line.passed
        );
    }
    Ok(())
}

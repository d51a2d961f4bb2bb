//! The published course the database benches and the load tool (`examples/load.rs`)
//! drive, built through the library: one lesson with a rich-text block and a quiz of the
//! given questions (unlimited attempts, passing 70), a final exam of the same questions,
//! and students signed up by the service and enrolled.

use lms::core::model::{AssessmentId, ContentBlockId, ContentType, CourseId, UserRole};
use lms::core::repo::{
    AssessmentOwner, NewAssessment, NewContentBlock, NewCourse, NewLesson, NewUser,
};
use lms::db::{Lms, Scope};
use serde_json::Value;

/// What the benches act on.
pub struct Course {
    /// The course's instructor.
    pub author: Scope,
    /// The course.
    pub course: CourseId,
    /// The lesson's block.
    pub block: ContentBlockId,
    /// The lesson's quiz.
    pub quiz: AssessmentId,
}

/// A user signed up by the service, as their scope.
pub async fn user(lms: &Lms, email: String, role: UserRole) -> Scope {
    let profile = lms
        .as_service()
        .sign_up(NewUser {
            email,
            role,
            first_name: None,
            last_name: None,
        })
        .await
        .expect("sign up");
    lms.as_user(profile.id)
}

/// The course, published, with `questions` as its quiz and final exam.
pub async fn published(lms: &Lms, questions: &Value, block: Value) -> Course {
    let author = user(
        lms,
        "teacher@bench.example.org".into(),
        UserRole::Instructor,
    )
    .await;
    let Some(teacher) = author.actor().user() else {
        unreachable!("a user's scope")
    };
    let course = author
        .create_course(NewCourse {
            title: "Bench".into(),
            description: None,
            instructor_id: teacher,
            tags: vec![],
            difficulty_level: None,
            estimated_duration_minutes: None,
        })
        .await
        .expect("course");
    let lesson = author
        .create_lesson(NewLesson {
            course_id: course.id,
            title: "Lesson".into(),
            description: None,
            order_index: 0,
            learning_objectives: vec![],
            estimated_duration_minutes: None,
            prerequisites: vec![],
        })
        .await
        .expect("lesson");
    let block = author
        .create_block(NewContentBlock {
            lesson_id: lesson.id,
            content_type: ContentType::RichText,
            content: block,
            order_index: 0,
            metadata: Value::Null,
        })
        .await
        .expect("block");
    let quiz = |owner| NewAssessment {
        owner,
        title: "Quiz".into(),
        description: None,
        questions: questions.clone(),
        ai_generated: false,
        source_content_ids: vec![],
        is_mandatory: true,
        minimum_passing_score: 70,
        max_attempts: None,
        time_limit_minutes: None,
        policy: Default::default(),
        schedule: Default::default(),
        late_policy: None,
    };
    let assessment = author
        .create_assessment(quiz(AssessmentOwner::Lesson(lesson.id)))
        .await
        .expect("quiz");
    author
        .create_assessment(quiz(AssessmentOwner::Course(course.id)))
        .await
        .expect("final");
    author.publish_course(course.id).await.expect("publish");
    Course {
        author,
        course: course.id,
        block: block.id,
        quiz: assessment.id,
    }
}

/// A student signed up by the service and enrolled in `course`, as their scope.
pub async fn enrolled(lms: &Lms, course: CourseId, email: String) -> Scope {
    let me = user(lms, email, UserRole::Student).await;
    me.enroll(course).await.expect("enroll");
    me
}

/// `n` students enrolled in `course`, as their scopes.
pub async fn students(lms: &Lms, course: CourseId, n: usize) -> Vec<Scope> {
    let mut scopes = Vec::with_capacity(n);
    for i in 0..n {
        scopes.push(enrolled(lms, course, format!("s{i}@bench.example.org")).await);
    }
    scopes
}

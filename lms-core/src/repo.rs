//! Ports: the repository traits `lms-db` implements, one per aggregate, with the input
//! types they take.
//!
//! Every trait has an associated `Error`, so an implementation returns its own error
//! type (e.g. `lms_db::Error`, which wraps [`crate::Error`]). Reads return `Ok(None)`
//! when a row does not exist or is not visible to the caller; writes on a missing row
//! return the implementation's not-found error. Rules are not re-checked here: callers
//! decide with the pure modules ([`crate::attempts`], [`crate::prerequisites`],
//! [`crate::progress`]) and then write.
//!
//! Patch structs leave a field unchanged when it is `None`; for a nullable column,
//! `Some(None)` sets it to `NULL`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::model::{
    Assessment, AssessmentAttempt, AssessmentId, AttemptId, ContentBlock, ContentBlockId,
    ContentType, Course, CourseId, DifficultyLevel, Enrollment, LearningProgress, Lesson, LessonId,
    PersonalizedRoadmap, Profile, ProgressStatus, RoadmapId, RoadmapStatus, StudentProgress,
    UserId, UserRole,
};

/// Deserializes a nullable patch field: absent → `None` (unchanged), `null` →
/// `Some(None)` (set to `NULL`), a value → `Some(Some(value))`.
fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A page of a list: at most `limit` rows after skipping `offset`. Both fields may be
/// left out when deserializing (a query string without them): `limit` is
/// [`Page::DEFAULT_LIMIT`], `offset` 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Page {
    /// Maximum number of rows, at most [`Page::MAX_LIMIT`].
    pub limit: u32,
    /// Rows to skip.
    pub offset: u32,
}

impl Page {
    /// Default page size.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// Largest page size an implementation must accept.
    pub const MAX_LIMIT: u32 = 500;

    /// A page with `limit` clamped to `1..=MAX_LIMIT`.
    pub fn new(limit: u32, offset: u32) -> Self {
        Self {
            limit: limit.clamp(1, Self::MAX_LIMIT),
            offset,
        }
    }
}

impl Default for Page {
    /// The first [`Page::DEFAULT_LIMIT`] rows.
    fn default() -> Self {
        Self::new(Self::DEFAULT_LIMIT, 0)
    }
}

/// One page of a list: its items, where the next page starts, and how many items there
/// are in all when the list counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Paged<T> {
    /// The items of the page, in the list's order.
    pub items: Vec<T>,
    /// The `offset` of the next page; `None` on the last one.
    pub next_offset: Option<u32>,
    /// Items in all pages, when counting them is cheap (`None` otherwise).
    pub total: Option<u64>,
}

impl<T> Paged<T> {
    /// The page of `page` holding `items`, of `total` in all: the next page starts after
    /// these items when more remain.
    pub fn counted(items: Vec<T>, page: Page, total: u64) -> Self {
        let end = u64::from(page.offset) + items.len() as u64;
        Paged {
            next_offset: (end < total && !items.is_empty())
                .then(|| u32::try_from(end).unwrap_or(u32::MAX)),
            items,
            total: Some(total),
        }
    }

    /// The page of `page` from `fetched`, the rows read with a limit one above
    /// `page.limit`: one row more than the page means a next page exists. No total.
    pub fn probed(mut fetched: Vec<T>, page: Page) -> Self {
        let more = fetched.len() > page.limit as usize;
        fetched.truncate(page.limit as usize);
        let end = u64::from(page.offset) + fetched.len() as u64;
        Paged {
            next_offset: more.then(|| u32::try_from(end).unwrap_or(u32::MAX)),
            items: fetched,
            total: None,
        }
    }
}

/// Catalog filter for [`CourseRepo::list_courses`]; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CourseFilter {
    /// Only courses carrying this tag.
    pub tag: Option<String>,
    /// Only courses of this difficulty.
    pub difficulty: Option<DifficultyLevel>,
    /// Only published (`true`) or draft (`false`) courses.
    pub published: Option<bool>,
    /// Only courses of this instructor.
    pub instructor_id: Option<UserId>,
}

/// Changes to a profile. `role` is not here: roles change only through
/// [`ProfileRepo::set_role`], which only an admin may call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProfilePatch {
    /// Given name.
    #[serde(default, deserialize_with = "nullable")]
    pub first_name: Option<Option<String>>,
    /// Family name.
    #[serde(default, deserialize_with = "nullable")]
    pub last_name: Option<Option<String>>,
    /// Avatar URL.
    #[serde(default, deserialize_with = "nullable")]
    pub avatar_url: Option<Option<String>>,
    /// A learning-preferences document.
    pub learning_preferences: Option<Value>,
    /// A knowledge-profile document.
    pub knowledge_profile: Option<Value>,
}

/// A user to sign up where the library's `auth` shim stands in for an auth server
/// (plain PostgreSQL): the sign-in row and, through the sign-up trigger, the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewUser {
    /// E-mail address (unique).
    pub email: String,
    /// Role of the new profile (default `student`).
    #[serde(default)]
    pub role: UserRole,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
}

/// A new course, owned by `instructor_id`, created unpublished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewCourse {
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// The owning instructor.
    pub instructor_id: UserId,
    /// Tags.
    pub tags: Vec<String>,
    /// Difficulty.
    pub difficulty_level: Option<DifficultyLevel>,
    /// Estimated duration in minutes.
    pub estimated_duration_minutes: Option<i32>,
}

/// Changes to a course. Publishing goes through [`CourseRepo::set_published`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoursePatch {
    /// Title.
    pub title: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// Final assessment.
    #[serde(default, deserialize_with = "nullable")]
    pub final_assessment_id: Option<Option<AssessmentId>>,
    /// Tags (replaces all).
    pub tags: Option<Vec<String>>,
    /// Difficulty.
    #[serde(default, deserialize_with = "nullable")]
    pub difficulty_level: Option<Option<DifficultyLevel>>,
    /// Estimated duration in minutes.
    #[serde(default, deserialize_with = "nullable")]
    pub estimated_duration_minutes: Option<Option<i32>>,
    /// The late policy of every assessment without its own (`null`: none).
    #[serde(default, deserialize_with = "nullable")]
    pub late_policy: Option<Option<crate::delivery::LatePolicy>>,
}

/// A new lesson. Validate `prerequisites` with
/// [`crate::prerequisites::Graph::with_prerequisites`] before writing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewLesson {
    /// The course.
    pub course_id: CourseId,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Position within the course.
    pub order_index: i32,
    /// Learning objectives.
    pub learning_objectives: Vec<String>,
    /// Estimated duration in minutes.
    pub estimated_duration_minutes: Option<i32>,
    /// Prerequisite lessons of the same course.
    pub prerequisites: Vec<LessonId>,
}

/// Changes to a lesson (validate new `prerequisites` as for [`NewLesson`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LessonPatch {
    /// Title.
    pub title: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// Position within the course.
    pub order_index: Option<i32>,
    /// Learning objectives (replaces all).
    pub learning_objectives: Option<Vec<String>>,
    /// Estimated duration in minutes.
    #[serde(default, deserialize_with = "nullable")]
    pub estimated_duration_minutes: Option<Option<i32>>,
    /// The lesson's assessment.
    #[serde(default, deserialize_with = "nullable")]
    pub assessment_id: Option<Option<AssessmentId>>,
    /// Prerequisites (replaces all).
    pub prerequisites: Option<Vec<LessonId>>,
    /// Whether the lesson is visible to enrolled students.
    pub is_published: Option<bool>,
    /// When it opens to its students (`null`: as soon as it is published).
    #[serde(default, deserialize_with = "nullable")]
    pub unlocks_at: Option<Option<DateTime<Utc>>>,
}

/// A new content block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewContentBlock {
    /// The lesson.
    pub lesson_id: LessonId,
    /// Kind of content.
    #[serde(rename = "type")]
    pub content_type: ContentType,
    /// A content document matching `content_type`.
    pub content: Value,
    /// Position within the lesson.
    pub order_index: i32,
    /// A [`crate::documents::BlockMetadata`] document (`null` stands for `{}`).
    #[serde(default)]
    pub metadata: Value,
}

/// Changes to a content block (`content_type` and `content` change together).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContentBlockPatch {
    /// New kind and matching content document.
    pub content: Option<(ContentType, Value)>,
    /// Position within the lesson.
    pub order_index: Option<i32>,
    /// A new [`crate::documents::BlockMetadata`] document (`null` stands for `{}`).
    pub metadata: Option<Value>,
}

/// Which owner an assessment has: a lesson, or a course (final assessment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum AssessmentOwner {
    /// A lesson's assessment.
    Lesson(LessonId),
    /// A course's final assessment.
    Course(CourseId),
}

/// A new assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewAssessment {
    /// Exactly one owner, as the spec requires.
    pub owner: AssessmentOwner,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// A list of question documents.
    pub questions: Value,
    /// Whether generated by AI.
    pub ai_generated: bool,
    /// Content blocks the questions come from.
    pub source_content_ids: Vec<ContentBlockId>,
    /// Whether passing is needed to complete the lesson.
    pub is_mandatory: bool,
    /// Passing score 0–100.
    pub minimum_passing_score: i32,
    /// Maximum attempts; `None` = unlimited.
    pub max_attempts: Option<i32>,
    /// Time limit in minutes; `None` = untimed.
    pub time_limit_minutes: Option<i32>,
    /// Grading method, retakes, delays, overdue handling (flattened in JSON; fields left
    /// out take their defaults).
    #[serde(flatten)]
    pub policy: crate::attempts::AttemptPolicy,
    /// Open, close and due times (flattened in JSON; each optional).
    #[serde(flatten, default)]
    pub schedule: crate::delivery::Schedule,
    /// Its own late policy; `None`: the course's applies.
    #[serde(default)]
    pub late_policy: Option<crate::delivery::LatePolicy>,
}

/// Changes to an assessment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssessmentPatch {
    /// Title.
    pub title: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// Questions (replaces all).
    pub questions: Option<Value>,
    /// Whether passing is needed to complete the lesson.
    pub is_mandatory: Option<bool>,
    /// Passing score 0–100.
    pub minimum_passing_score: Option<i32>,
    /// Maximum attempts.
    #[serde(default, deserialize_with = "nullable")]
    pub max_attempts: Option<Option<i32>>,
    /// Time limit in minutes.
    #[serde(default, deserialize_with = "nullable")]
    pub time_limit_minutes: Option<Option<i32>>,
    /// How attempts combine into the grade.
    pub grading_method: Option<crate::attempts::GradingMethod>,
    /// Whether a passed assessment may be retaken.
    pub retake_policy: Option<crate::attempts::RetakePolicy>,
    /// Seconds between the first and the second attempt.
    pub attempt_delay_seconds: Option<i64>,
    /// Seconds between later attempts.
    pub later_attempt_delay_seconds: Option<i64>,
    /// What happens after the time limit.
    pub time_limit_policy: Option<crate::attempts::TimeLimitPolicy>,
    /// Seconds of grace after the time limit.
    pub grace_seconds: Option<i64>,
    /// Each attempt shows the questions in its own order.
    pub shuffle_questions: Option<bool>,
    /// Each attempt shows the options of its choice questions in its own order.
    pub shuffle_options: Option<bool>,
    /// How many questions each attempt draws (`null`: every question).
    #[serde(default, deserialize_with = "nullable")]
    pub draw_questions: Option<Option<u32>>,
    /// When students see their score ([`crate::delivery::ReviewOptions`]).
    pub review_score: Option<crate::delivery::ReviewMoment>,
    /// When students see each question's correctness.
    pub review_correctness: Option<crate::delivery::ReviewMoment>,
    /// When students see the messages, explanations and grader's comments.
    pub review_feedback: Option<crate::delivery::ReviewMoment>,
    /// When students see the right answers.
    pub review_answers: Option<crate::delivery::ReviewMoment>,
    /// Open time.
    #[serde(default, deserialize_with = "nullable")]
    pub opens_at: Option<Option<DateTime<Utc>>>,
    /// Close time.
    #[serde(default, deserialize_with = "nullable")]
    pub closes_at: Option<Option<DateTime<Utc>>>,
    /// Due time.
    #[serde(default, deserialize_with = "nullable")]
    pub due_at: Option<Option<DateTime<Utc>>>,
    /// Its own late policy (`null`: the course's applies).
    #[serde(default, deserialize_with = "nullable")]
    pub late_policy: Option<Option<crate::delivery::LatePolicy>>,
}

impl AssessmentPatch {
    /// `policy` with this patch's policy fields applied.
    pub fn apply_policy(
        &self,
        policy: &crate::attempts::AttemptPolicy,
    ) -> crate::attempts::AttemptPolicy {
        let mut p = policy.clone();
        p.grading_method = self.grading_method.unwrap_or(p.grading_method);
        p.retake_policy = self.retake_policy.unwrap_or(p.retake_policy);
        p.attempt_delay_seconds = self
            .attempt_delay_seconds
            .unwrap_or(p.attempt_delay_seconds);
        p.later_attempt_delay_seconds = self
            .later_attempt_delay_seconds
            .unwrap_or(p.later_attempt_delay_seconds);
        p.time_limit_policy = self.time_limit_policy.unwrap_or(p.time_limit_policy);
        p.grace_seconds = self.grace_seconds.unwrap_or(p.grace_seconds);
        p.shuffle_questions = self.shuffle_questions.unwrap_or(p.shuffle_questions);
        p.shuffle_options = self.shuffle_options.unwrap_or(p.shuffle_options);
        p.draw_questions = self.draw_questions.unwrap_or(p.draw_questions);
        let r = &mut p.review;
        r.score = self.review_score.unwrap_or(r.score);
        r.correctness = self.review_correctness.unwrap_or(r.correctness);
        r.feedback = self.review_feedback.unwrap_or(r.feedback);
        r.answers = self.review_answers.unwrap_or(r.answers);
        p
    }

    /// `schedule` with this patch's dates applied.
    pub fn apply_schedule(
        &self,
        schedule: &crate::delivery::Schedule,
    ) -> crate::delivery::Schedule {
        crate::delivery::Schedule {
            opens_at: self.opens_at.unwrap_or(schedule.opens_at),
            closes_at: self.closes_at.unwrap_or(schedule.closes_at),
            due_at: self.due_at.unwrap_or(schedule.due_at),
        }
    }

    /// Whether the patch changes a date.
    pub fn touches_schedule(&self) -> bool {
        self.opens_at.is_some() || self.closes_at.is_some() || self.due_at.is_some()
    }

    /// Whether the patch changes any policy field.
    pub fn touches_policy(&self) -> bool {
        self.grading_method.is_some()
            || self.retake_policy.is_some()
            || self.attempt_delay_seconds.is_some()
            || self.later_attempt_delay_seconds.is_some()
            || self.time_limit_policy.is_some()
            || self.grace_seconds.is_some()
            || self.shuffle_questions.is_some()
            || self.shuffle_options.is_some()
            || self.draw_questions.is_some()
            || self.review_score.is_some()
            || self.review_correctness.is_some()
            || self.review_feedback.is_some()
            || self.review_answers.is_some()
    }
}

/// A new attempt, numbered by [`crate::attempts::may_start`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewAttempt {
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// The student.
    pub student_id: UserId,
    /// The number decided by `may_start`.
    pub attempt_number: i32,
    /// Start time.
    pub started_at: DateTime<Utc>,
}

/// The graded result of a submitted attempt, computed by the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttemptResult {
    /// The answers that count (after [`crate::attempts::submission`]).
    pub answers: Value,
    /// Score 0–100; `None` while essays await review.
    pub score: Option<i32>,
    /// Points earned.
    pub points_earned: Option<i32>,
    /// Points available.
    pub total_points: Option<i32>,
    /// Whether passed; `None` while essays await review.
    pub passed: Option<bool>,
    /// Time spent in seconds.
    pub time_spent_seconds: i32,
    /// Stored submission time.
    pub submitted_at: DateTime<Utc>,
    /// Feedback document.
    pub feedback: Option<Value>,
}

/// The computed progress of one student on one lesson or assessment, to upsert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProgressUpsert {
    /// The student.
    pub student_id: UserId,
    /// The course.
    pub course_id: CourseId,
    /// The lesson, for a lesson row.
    pub lesson_id: Option<LessonId>,
    /// The assessment, for an assessment row.
    pub assessment_id: Option<AssessmentId>,
    /// Status from [`crate::progress::lesson_progress`].
    pub status: ProgressStatus,
    /// Percentage from [`crate::progress::lesson_progress`].
    pub completion_percentage: i32,
    /// Last access.
    pub last_accessed: Option<DateTime<Utc>>,
    /// Seconds to add to `time_spent`.
    pub add_time_spent_seconds: i32,
    /// Attempts made.
    pub attempts_count: i32,
    /// Grade over attempts ([`crate::attempts::grade_attempts`]).
    pub best_score: Option<i32>,
}

/// A fine-grained progress record of one piece of content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewLearningProgress {
    /// The student.
    pub student_id: UserId,
    /// The content (usually a content block id).
    pub content_id: Uuid,
    /// Kind of the content.
    pub content_type: String,
    /// A progress-data document.
    pub progress_data: Value,
    /// When the content was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Seconds spent.
    pub time_spent_seconds: i32,
}

/// A new roadmap, generated by the roadmap planner; replaces the student's active one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewRoadmap {
    /// The student.
    pub student_id: UserId,
    /// A roadmap-data document.
    pub roadmap_data: Value,
    /// Why the roadmap looks the way it does.
    pub ai_reasoning: Option<String>,
}

/// Users' profiles (`profiles`).
#[async_trait]
pub trait ProfileRepo: Send + Sync {
    /// The implementation's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// One profile.
    async fn get_profile(&self, id: UserId) -> Result<Option<Profile>, Self::Error>;
    /// The profile with this e-mail address.
    async fn get_profile_by_email(&self, email: &str) -> Result<Option<Profile>, Self::Error>;
    /// Change a profile's own fields.
    async fn update_profile(&self, id: UserId, patch: ProfilePatch)
        -> Result<Profile, Self::Error>;
    /// Change a user's role (admins only; nobody may promote themselves).
    async fn set_role(
        &self,
        id: UserId,
        role: crate::model::UserRole,
    ) -> Result<Profile, Self::Error>;
}

/// Courses with their lessons and content blocks (`courses`, `lessons`,
/// `content_blocks`).
#[async_trait]
pub trait CourseRepo: Send + Sync {
    /// The implementation's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Create an unpublished course.
    async fn create_course(&self, new: NewCourse) -> Result<Course, Self::Error>;
    /// One course.
    async fn get_course(&self, id: CourseId) -> Result<Option<Course>, Self::Error>;
    /// The catalog, newest first.
    async fn list_courses(
        &self,
        filter: &CourseFilter,
        page: Page,
    ) -> Result<Vec<Course>, Self::Error>;
    /// Change a course.
    async fn update_course(&self, id: CourseId, patch: CoursePatch) -> Result<Course, Self::Error>;
    /// Publish or unpublish a course (check publishability first).
    async fn set_published(&self, id: CourseId, published: bool) -> Result<Course, Self::Error>;
    /// Delete a course with its lessons and blocks.
    async fn delete_course(&self, id: CourseId) -> Result<(), Self::Error>;

    /// Create a lesson.
    async fn create_lesson(&self, new: NewLesson) -> Result<Lesson, Self::Error>;
    /// One lesson.
    async fn get_lesson(&self, id: LessonId) -> Result<Option<Lesson>, Self::Error>;
    /// A course's lessons by `order_index`.
    async fn list_lessons(&self, course: CourseId) -> Result<Vec<Lesson>, Self::Error>;
    /// Change a lesson.
    async fn update_lesson(&self, id: LessonId, patch: LessonPatch) -> Result<Lesson, Self::Error>;
    /// Delete a lesson (refuse while others depend on it:
    /// [`crate::prerequisites::Graph::dependents`]).
    async fn delete_lesson(&self, id: LessonId) -> Result<(), Self::Error>;

    /// Create a content block.
    async fn create_block(&self, new: NewContentBlock) -> Result<ContentBlock, Self::Error>;
    /// One content block.
    async fn get_block(&self, id: ContentBlockId) -> Result<Option<ContentBlock>, Self::Error>;
    /// A lesson's blocks by `order_index`.
    async fn list_blocks(&self, lesson: LessonId) -> Result<Vec<ContentBlock>, Self::Error>;
    /// Change a content block.
    async fn update_block(
        &self,
        id: ContentBlockId,
        patch: ContentBlockPatch,
    ) -> Result<ContentBlock, Self::Error>;
    /// Delete a content block.
    async fn delete_block(&self, id: ContentBlockId) -> Result<(), Self::Error>;
}

/// Assessments (`assessments`).
#[async_trait]
pub trait AssessmentRepo: Send + Sync {
    /// The implementation's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Create an assessment.
    async fn create_assessment(&self, new: NewAssessment) -> Result<Assessment, Self::Error>;
    /// One assessment (answer keys only for those allowed to see them).
    async fn get_assessment(&self, id: AssessmentId) -> Result<Option<Assessment>, Self::Error>;
    /// A course's assessments: its lessons' and its final one.
    async fn list_assessments(&self, course: CourseId) -> Result<Vec<Assessment>, Self::Error>;
    /// Change an assessment.
    async fn update_assessment(
        &self,
        id: AssessmentId,
        patch: AssessmentPatch,
    ) -> Result<Assessment, Self::Error>;
    /// Delete an assessment.
    async fn delete_assessment(&self, id: AssessmentId) -> Result<(), Self::Error>;
}

/// Attempts at assessments (`assessment_attempts`).
#[async_trait]
pub trait AttemptRepo: Send + Sync {
    /// The implementation's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Create an attempt (unique per assessment, student and number).
    async fn create_attempt(&self, new: NewAttempt) -> Result<AssessmentAttempt, Self::Error>;
    /// One attempt.
    async fn get_attempt(&self, id: AttemptId) -> Result<Option<AssessmentAttempt>, Self::Error>;
    /// A student's attempts at an assessment by `attempt_number`.
    async fn list_attempts(
        &self,
        assessment: AssessmentId,
        student: UserId,
    ) -> Result<Vec<AssessmentAttempt>, Self::Error>;
    /// Save the answers of an open attempt.
    async fn save_answers(
        &self,
        id: AttemptId,
        answers: Value,
    ) -> Result<AssessmentAttempt, Self::Error>;
    /// Store the graded result of an attempt (submission or essay review).
    async fn record_result(
        &self,
        id: AttemptId,
        result: AttemptResult,
    ) -> Result<AssessmentAttempt, Self::Error>;
}

/// Enrollments (`enrollments`).
#[async_trait]
pub trait EnrollmentRepo: Send + Sync {
    /// The implementation's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Enrol a student (an existing enrollment is the implementation's
    /// `already_enrolled` error).
    async fn enroll(&self, student: UserId, course: CourseId) -> Result<Enrollment, Self::Error>;
    /// A student's enrollment in a course.
    async fn get_enrollment(
        &self,
        student: UserId,
        course: CourseId,
    ) -> Result<Option<Enrollment>, Self::Error>;
    /// A student's enrollments, newest first.
    async fn list_for_student(
        &self,
        student: UserId,
        page: Page,
    ) -> Result<Vec<Enrollment>, Self::Error>;
    /// A course's enrollments, oldest first.
    async fn list_for_course(
        &self,
        course: CourseId,
        page: Page,
    ) -> Result<Vec<Enrollment>, Self::Error>;
    /// Store the progress summary document and, when complete
    /// ([`crate::progress::course_complete`]), the completion time.
    async fn update_enrollment(
        &self,
        student: UserId,
        course: CourseId,
        progress: Value,
        completed_at: Option<DateTime<Utc>>,
    ) -> Result<Enrollment, Self::Error>;
    /// Remove an enrollment.
    async fn unenroll(&self, student: UserId, course: CourseId) -> Result<(), Self::Error>;
}

/// Progress tracking (`student_progress`, `learning_progress`).
#[async_trait]
pub trait ProgressRepo: Send + Sync {
    /// The implementation's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// A student's progress row on a lesson.
    async fn lesson_progress(
        &self,
        student: UserId,
        lesson: LessonId,
    ) -> Result<Option<StudentProgress>, Self::Error>;
    /// A student's progress row on an assessment.
    async fn assessment_progress(
        &self,
        student: UserId,
        assessment: AssessmentId,
    ) -> Result<Option<StudentProgress>, Self::Error>;
    /// A student's progress rows in a course.
    async fn course_progress(
        &self,
        student: UserId,
        course: CourseId,
    ) -> Result<Vec<StudentProgress>, Self::Error>;
    /// Insert or update a progress row (keyed by student and lesson or assessment).
    async fn upsert_progress(&self, row: ProgressUpsert) -> Result<StudentProgress, Self::Error>;
    /// Delete a student's progress on a lesson (instructor reset).
    async fn reset_lesson(&self, student: UserId, lesson: LessonId) -> Result<(), Self::Error>;
    /// Record fine-grained progress on one piece of content.
    async fn record_learning_progress(
        &self,
        new: NewLearningProgress,
    ) -> Result<LearningProgress, Self::Error>;
    /// A student's fine-grained records for these content ids.
    async fn learning_progress(
        &self,
        student: UserId,
        content_ids: &[Uuid],
    ) -> Result<Vec<LearningProgress>, Self::Error>;
}

/// Personalized roadmaps (`personalized_roadmaps`).
#[async_trait]
pub trait RoadmapRepo: Send + Sync {
    /// The implementation's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Store a new active roadmap, pausing the previous active one.
    async fn create_roadmap(&self, new: NewRoadmap) -> Result<PersonalizedRoadmap, Self::Error>;
    /// One roadmap.
    async fn get_roadmap(&self, id: RoadmapId) -> Result<Option<PersonalizedRoadmap>, Self::Error>;
    /// A student's active roadmap.
    async fn current_roadmap(
        &self,
        student: UserId,
    ) -> Result<Option<PersonalizedRoadmap>, Self::Error>;
    /// A student's roadmaps, newest first.
    async fn list_roadmaps(
        &self,
        student: UserId,
        page: Page,
    ) -> Result<Vec<PersonalizedRoadmap>, Self::Error>;
    /// Change a roadmap's status.
    async fn set_roadmap_status(
        &self,
        id: RoadmapId,
        status: RoadmapStatus,
    ) -> Result<PersonalizedRoadmap, Self::Error>;
}

#[cfg(test)]
mod page_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_page_left_out_is_the_first_default_page() {
        let page: Page = serde_json::from_str("{}").unwrap();
        assert_eq!(page, Page::default());
        assert_eq!(page.limit, Page::DEFAULT_LIMIT);
        let page: Page = serde_json::from_str(r#"{"offset": 100}"#).unwrap();
        assert_eq!((page.limit, page.offset), (Page::DEFAULT_LIMIT, 100));
    }

    #[test]
    fn pages_know_where_the_next_one_starts() {
        let page = Page::new(2, 4);
        let counted = Paged::counted(vec![1, 2], page, 7);
        assert_eq!((counted.next_offset, counted.total), (Some(6), Some(7)));
        assert_eq!(
            Paged::counted(vec![1], Page::new(2, 6), 7).next_offset,
            None
        );
        assert_eq!(
            Paged::<i32>::counted(vec![], Page::new(2, 9), 7).next_offset,
            None
        );
        let probed = Paged::probed(vec![1, 2, 3], page);
        assert_eq!(
            (probed.items.len(), probed.next_offset, probed.total),
            (2, Some(6), None)
        );
        assert_eq!(Paged::probed(vec![1, 2], page).next_offset, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::Mutex;

    /// Polls a future that never waits (the in-memory fake below).
    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    #[derive(Default)]
    struct Memory(Mutex<Vec<PersonalizedRoadmap>>);

    #[async_trait]
    impl RoadmapRepo for Memory {
        type Error = crate::Error;

        async fn create_roadmap(
            &self,
            new: NewRoadmap,
        ) -> Result<PersonalizedRoadmap, Self::Error> {
            let mut rows = self.0.lock().unwrap();
            for r in rows.iter_mut().filter(|r| r.student_id == new.student_id) {
                r.status = RoadmapStatus::Paused;
            }
            let now = Utc::now();
            let row = PersonalizedRoadmap {
                id: RoadmapId::new_v4(),
                student_id: new.student_id,
                course_id: None,
                roadmap_data: new.roadmap_data,
                ai_reasoning: new.ai_reasoning,
                status: RoadmapStatus::Active,
                generated_at: now,
                updated_at: now,
            };
            rows.push(row.clone());
            Ok(row)
        }
        async fn get_roadmap(
            &self,
            id: RoadmapId,
        ) -> Result<Option<PersonalizedRoadmap>, Self::Error> {
            Ok(self.0.lock().unwrap().iter().find(|r| r.id == id).cloned())
        }
        async fn current_roadmap(
            &self,
            student: UserId,
        ) -> Result<Option<PersonalizedRoadmap>, Self::Error> {
            Ok(self
                .0
                .lock()
                .unwrap()
                .iter()
                .find(|r| r.student_id == student && r.status == RoadmapStatus::Active)
                .cloned())
        }
        async fn list_roadmaps(
            &self,
            student: UserId,
            page: Page,
        ) -> Result<Vec<PersonalizedRoadmap>, Self::Error> {
            let rows = self.0.lock().unwrap();
            Ok(rows
                .iter()
                .rev()
                .filter(|r| r.student_id == student)
                .skip(page.offset as usize)
                .take(page.limit as usize)
                .cloned()
                .collect())
        }
        async fn set_roadmap_status(
            &self,
            id: RoadmapId,
            status: RoadmapStatus,
        ) -> Result<PersonalizedRoadmap, Self::Error> {
            let mut rows = self.0.lock().unwrap();
            let row = rows
                .iter_mut()
                .find(|r| r.id == id)
                .ok_or(Error::InvalidInput {
                    field: "id",
                    reason: "no such roadmap".to_owned(),
                })?;
            row.status = status;
            Ok(row.clone())
        }
    }

    use crate::Error;

    #[test]
    fn traits_are_implementable_and_object_safe() {
        let repo: Box<dyn RoadmapRepo<Error = Error>> = Box::new(Memory::default());
        let student = UserId::new_v4();
        let new = |n| NewRoadmap {
            student_id: student,
            roadmap_data: serde_json::json!({ "n": n }),
            ai_reasoning: None,
        };
        let first = block_on(repo.create_roadmap(new(1))).unwrap();
        let second = block_on(repo.create_roadmap(new(2))).unwrap();
        assert_eq!(
            block_on(repo.current_roadmap(student)).unwrap(),
            Some(second.clone())
        );
        let list = block_on(repo.list_roadmaps(student, Page::default())).unwrap();
        assert_eq!(
            list.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![second.id, first.id]
        );
        assert_eq!(list[1].status, RoadmapStatus::Paused);
        assert!(
            block_on(repo.set_roadmap_status(RoadmapId::new_v4(), RoadmapStatus::Completed))
                .is_err()
        );
    }

    #[test]
    fn page_and_patch_defaults() {
        assert_eq!(
            Page::default(),
            Page {
                limit: 50,
                offset: 0
            }
        );
        assert_eq!(Page::new(0, 3).limit, 1);
        assert_eq!(Page::new(10_000, 0).limit, Page::MAX_LIMIT);
        let patch: LessonPatch =
            serde_json::from_value(serde_json::json!({ "description": null, "title": "t" }))
                .unwrap();
        assert_eq!(patch.description, Some(None));
        assert_eq!(patch.title.as_deref(), Some("t"));
        assert_eq!(patch.estimated_duration_minutes, None);
        let owner = serde_json::to_value(AssessmentOwner::Lesson(LessonId(Uuid::nil()))).unwrap();
        assert_eq!(owner["kind"], "lesson");
    }
}

//! Typed model of the ten tables of the spec: newtype ids, the five enums and one entity
//! struct per table.
//!
//! Units are explicit: `estimated_duration_minutes` and `time_limit_minutes` are minutes,
//! `time_spent_seconds` is seconds. JSONB columns are kept as [`serde_json::Value`] here;
//! their typed shapes and validators live in [`crate::documents`].

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            JsonSchema,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random (v4) id.
            pub fn new_v4() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type! {
    /// Id of a user: `profiles.id`, equal to `auth.users.id`.
    UserId,
    /// Id of a row of `courses`.
    CourseId,
    /// Id of a row of `lessons`.
    LessonId,
    /// Id of a row of `content_blocks`.
    ContentBlockId,
    /// Id of a row of `enrollments`.
    EnrollmentId,
    /// Id of a row of `assessments`.
    AssessmentId,
    /// Id of a row of `assessment_attempts`.
    AttemptId,
    /// Id of a row of `student_progress`.
    StudentProgressId,
    /// Id of a row of `personalized_roadmaps`.
    RoadmapId,
    /// Id of a row of `learning_progress`.
    LearningProgressId,
    /// Id of a row of `accommodations`.
    AccommodationId,
}

macro_rules! sql_enum {
    (
        $(#[$doc:meta])* $name:ident, $sql:literal {
            $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            JsonSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),*
        }

        impl $name {
            /// Every value, in the order of the SQL enum.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The name of the SQL enum type.
            pub const SQL_TYPE: &'static str = $sql;

            /// The label of this value in SQL and JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(crate::Error::UnknownEnumValue {
                        enum_type: $sql,
                        value: other.to_owned(),
                    }),
                }
            }
        }
    };
}

sql_enum! {
    /// Role of a user (`user_role`).
    UserRole, "user_role" {
        /// A learner: enrols, studies, attempts assessments.
        Student = "student",
        /// Authors and manages their own courses.
        Instructor = "instructor",
        /// Full access for system management.
        Admin = "admin",
    }
}

impl Default for UserRole {
    /// A new user is a student.
    fn default() -> Self {
        UserRole::Student
    }
}

sql_enum! {
    /// Difficulty of a course (`difficulty_level`).
    DifficultyLevel, "difficulty_level" {
        /// No prior knowledge needed.
        Beginner = "beginner",
        /// Some prior knowledge expected.
        Intermediate = "intermediate",
        /// For experienced learners.
        Advanced = "advanced",
    }
}

sql_enum! {
    /// Kind of a content block (`content_type`).
    ContentType, "content_type" {
        /// Sanitized HTML with its plain-text rendering.
        RichText = "rich_text",
        /// An image with alt text.
        Image = "image",
        /// An uploaded video file.
        Video = "video",
        /// A downloadable file.
        File = "file",
        /// An embedded YouTube video.
        Youtube = "youtube",
    }
}

sql_enum! {
    /// Status of a personalized roadmap (`roadmap_status`).
    RoadmapStatus, "roadmap_status" {
        /// The roadmap the student follows now.
        Active = "active",
        /// Every step is done.
        Completed = "completed",
        /// Set aside by the student or an instructor.
        Paused = "paused",
    }
}

sql_enum! {
    /// Progress of a student on a lesson or assessment (`progress_status`).
    ProgressStatus, "progress_status" {
        /// Unlocked, nothing done yet.
        NotStarted = "not_started",
        /// Some content seen or an attempt made.
        InProgress = "in_progress",
        /// Content done and mandatory assessment passed.
        Completed = "completed",
        /// Prerequisites are not met yet.
        Blocked = "blocked",
    }
}

/// A row of `profiles`: a user, created when `auth.users` gets a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Profile {
    /// Same as `auth.users.id`.
    pub id: UserId,
    /// Unique e-mail address; `None` for a user who signed in without one (a phone
    /// number, say) — the sign-in row's address, followed when it changes.
    pub email: Option<String>,
    /// Role, `student` at sign-up.
    pub role: UserRole,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// `https` URL of the avatar image.
    pub avatar_url: Option<String>,
    /// A [`crate::documents::LearningPreferences`] document; `None` until the user
    /// states their preferences.
    pub learning_preferences: Option<Value>,
    /// A [`crate::documents::KnowledgeProfile`] document.
    pub knowledge_profile: Value,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `courses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Course {
    /// Primary key.
    pub id: CourseId,
    /// Title shown in the catalog.
    pub title: String,
    /// Longer description.
    pub description: Option<String>,
    /// The instructor who owns the course.
    pub instructor_id: UserId,
    /// The course's final assessment (an assessment whose `course_id` is this course).
    pub final_assessment_id: Option<AssessmentId>,
    /// Free tags for the catalog.
    pub tags: Vec<String>,
    /// Difficulty level.
    pub difficulty_level: Option<DifficultyLevel>,
    /// Estimated duration in minutes (`estimated_duration`).
    pub estimated_duration_minutes: Option<i32>,
    /// Whether students can see and enrol.
    pub is_published: bool,
    /// The late policy of every assessment without its own; `None`: late work is marked
    /// late, nothing is deducted.
    #[serde(default)]
    pub late_policy: Option<crate::delivery::LatePolicy>,
    /// How its assessments make its grade ([`crate::grading`]); the empty scheme
    /// counts every assessment alike.
    #[serde(default)]
    pub grading_scheme: crate::grading::GradingScheme,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `lessons`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Lesson {
    /// Primary key.
    pub id: LessonId,
    /// The course the lesson belongs to.
    pub course_id: CourseId,
    /// Title.
    pub title: String,
    /// Longer description.
    pub description: Option<String>,
    /// Position within the course, unique per course.
    pub order_index: i32,
    /// What the student will be able to do afterwards.
    pub learning_objectives: Vec<String>,
    /// Estimated duration in minutes (`estimated_duration`).
    pub estimated_duration_minutes: Option<i32>,
    /// The lesson's assessment.
    pub assessment_id: Option<AssessmentId>,
    /// Lessons of the same course that must be completed first.
    pub prerequisites: Vec<LessonId>,
    /// Whether the lesson is visible to enrolled students.
    pub is_published: bool,
    /// When it opens to its students (`None`: as soon as it is published). Before, they
    /// see it in the outline but not its content, and neither study it nor start its
    /// assessment.
    #[serde(default)]
    pub unlocks_at: Option<DateTime<Utc>>,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `content_blocks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContentBlock {
    /// Primary key.
    pub id: ContentBlockId,
    /// The lesson the block belongs to.
    pub lesson_id: LessonId,
    /// Kind of content; must agree with the `content` document.
    #[serde(rename = "type")]
    pub content_type: ContentType,
    /// A [`crate::documents::ContentData`] document.
    pub content: Value,
    /// Position within the lesson, unique per lesson.
    pub order_index: i32,
    /// A [`crate::documents::BlockMetadata`] document.
    pub metadata: Value,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `enrollments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Enrollment {
    /// Primary key.
    pub id: EnrollmentId,
    /// The enrolled student.
    pub student_id: UserId,
    /// The course.
    pub course_id: CourseId,
    /// When the student enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When the course was completed, if it was.
    pub completed_at: Option<DateTime<Utc>>,
    /// A [`crate::documents::ProgressData`] summary document.
    pub progress: Value,
}

/// A row of `assessments`: belongs to exactly one lesson or one course (final assessment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    /// Primary key.
    pub id: AssessmentId,
    /// The lesson, for a lesson assessment.
    pub lesson_id: Option<LessonId>,
    /// The course, for a course's final assessment.
    pub course_id: Option<CourseId>,
    /// Title.
    pub title: String,
    /// Longer description.
    pub description: Option<String>,
    /// A list of [`crate::documents::Question`] documents.
    pub questions: Value,
    /// Whether the questions were generated by AI.
    pub ai_generated: bool,
    /// Content blocks the questions were generated from.
    pub source_content_ids: Vec<ContentBlockId>,
    /// Whether passing it is needed to complete the lesson.
    pub is_mandatory: bool,
    /// Minimum score (0–100) to pass.
    pub minimum_passing_score: i32,
    /// Maximum number of attempts; `None` means unlimited.
    pub max_attempts: Option<i32>,
    /// Time limit in minutes (`time_limit`); `None` means untimed.
    pub time_limit_minutes: Option<i32>,
    /// Grading method, retakes, delays between attempts and overdue handling (its own
    /// columns, flattened in JSON).
    #[serde(flatten)]
    pub policy: crate::attempts::AttemptPolicy,
    /// Open, close and due times (their own columns, flattened in JSON).
    #[serde(flatten)]
    pub schedule: crate::delivery::Schedule,
    /// The assessment's own late policy; `None`: its course's applies.
    #[serde(default)]
    pub late_policy: Option<crate::delivery::LatePolicy>,
    /// The version of `questions`: 1 when created, one more at each change; each
    /// attempt is scored against the version it started with.
    pub questions_version: i32,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `assessment_attempts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssessmentAttempt {
    /// Primary key.
    pub id: AttemptId,
    /// The assessment attempted.
    pub assessment_id: AssessmentId,
    /// The student.
    pub student_id: UserId,
    /// 1 for the first attempt, unique per (assessment, student).
    pub attempt_number: i32,
    /// An [`crate::documents::Answers`] document.
    pub answers: Value,
    /// Score 0–100, `None` until submitted (or while essays await review).
    pub score: Option<i32>,
    /// Points earned rounded down, at most `total_points` (the exact value is
    /// `exact_points_earned`).
    pub points_earned: Option<i32>,
    /// Points earned, exact to the millionth (`0.5` for half of a 1-point question).
    pub exact_points_earned: Option<crate::documents::Points>,
    /// Points available.
    pub total_points: Option<i32>,
    /// Whether the score reached the passing score.
    pub passed: Option<bool>,
    /// Time spent in seconds (`time_spent`).
    pub time_spent_seconds: Option<i32>,
    /// When the attempt started.
    pub started_at: DateTime<Utc>,
    /// When it was submitted, `None` while in progress (or abandoned).
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was abandoned: overdue and never submitted, under the `grace_period` or
    /// `abandon` overdue handling; it counts towards the limit, never graded.
    pub abandoned_at: Option<DateTime<Utc>>,
    /// The version of the assessment's questions the attempt is scored against (those
    /// it started with, or those of its last regrade).
    pub questions_version: i32,
    /// A [`crate::documents::Feedback`] document.
    pub feedback: Option<Value>,
    /// Seconds after its due time (accommodations included) it was submitted; `None`
    /// when on time. Its `score`, points and `passed` are then what the late policy
    /// leaves ([`crate::delivery::record`]).
    #[serde(default)]
    pub late_seconds: Option<i32>,
    /// Points earned before any late deduction, exact (`None` until graded).
    #[serde(default)]
    pub raw_points_earned: Option<crate::documents::Points>,
    /// Score before any late deduction (`None` until graded).
    #[serde(default)]
    pub raw_score: Option<i32>,
}

/// What a member of a course's staff (besides its instructor) may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Authors and grades the course, as its instructor does, but does not delete it,
    /// hand it over, or manage its staff.
    CoInstructor,
    /// Reads what the instructor reads (the gradebook, attempts, progress, analytics,
    /// answer keys) and grades essays and overrides points; no authoring.
    Grader,
}

impl StaffRole {
    /// The name the `course_staff.role` column holds.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::CoInstructor => "co_instructor",
            StaffRole::Grader => "grader",
        }
    }
}

/// A row of `course_staff`: one member of a course's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CourseStaff {
    /// The course.
    pub course_id: CourseId,
    /// The member.
    pub user_id: UserId,
    /// What they may do.
    pub role: StaffRole,
    /// When they joined the staff.
    pub created_at: DateTime<Utc>,
    /// When their role last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `accommodations`: what one student is allowed beyond the rules of one
/// assessment, or of every assessment of a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StudentAccommodation {
    /// Primary key.
    pub id: AccommodationId,
    /// The course.
    pub course_id: CourseId,
    /// The student.
    pub student_id: UserId,
    /// The assessment; `None`: every assessment of the course.
    pub assessment_id: Option<AssessmentId>,
    /// Extra time, attempts, later dates (flattened in JSON).
    #[serde(flatten)]
    pub accommodation: crate::delivery::Accommodation,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `student_progress`: one per (student, lesson) and per (student, assessment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StudentProgress {
    /// Primary key.
    pub id: StudentProgressId,
    /// The student.
    pub student_id: UserId,
    /// The course.
    pub course_id: CourseId,
    /// The lesson, when this row tracks a lesson.
    pub lesson_id: Option<LessonId>,
    /// The assessment, when this row tracks an assessment.
    pub assessment_id: Option<AssessmentId>,
    /// Status.
    pub status: ProgressStatus,
    /// Completion 0–100.
    pub completion_percentage: i32,
    /// When the student last opened it.
    pub last_accessed: Option<DateTime<Utc>>,
    /// Time spent in seconds (`time_spent`).
    pub time_spent_seconds: i32,
    /// Number of attempts made.
    pub attempts_count: i32,
    /// Best score 0–100 over the attempts.
    pub best_score: Option<i32>,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `personalized_roadmaps`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PersonalizedRoadmap {
    /// Primary key.
    pub id: RoadmapId,
    /// The student.
    pub student_id: UserId,
    /// The course it goes through (the `course_id` of its document; none for roadmaps
    /// stored without one). A student has at most one active roadmap per course.
    pub course_id: Option<CourseId>,
    /// A [`crate::documents::RoadmapData`] document.
    pub roadmap_data: Value,
    /// Why the roadmap looks the way it does.
    pub ai_reasoning: Option<String>,
    /// Status.
    pub status: RoadmapStatus,
    /// When it was generated.
    pub generated_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A row of `learning_progress`: fine-grained tracking of one piece of content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LearningProgress {
    /// Primary key.
    pub id: LearningProgressId,
    /// The student.
    pub student_id: UserId,
    /// The content tracked (a content block id, usually).
    pub content_id: Uuid,
    /// Kind of the content tracked.
    pub content_type: String,
    /// A [`crate::documents::ProgressData`] document.
    pub progress_data: Value,
    /// When the content was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Time spent in seconds (`time_spent`).
    pub time_spent_seconds: i32,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last changed.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_labels_round_trip_through_serde_and_from_str() {
        for s in ProgressStatus::ALL {
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json, Value::String(s.as_str().to_owned()));
            assert_eq!(s.as_str().parse::<ProgressStatus>().unwrap(), *s);
        }
        assert_eq!(ContentType::RichText.as_str(), "rich_text");
        assert_eq!(ProgressStatus::NotStarted.as_str(), "not_started");
        let err = "teacher".parse::<UserRole>().unwrap_err();
        assert_eq!(err.code(), "invalid_document");
    }

    #[test]
    fn ids_are_transparent_uuids() {
        let id = CourseId::new_v4();
        let json = serde_json::to_value(id).unwrap();
        assert_eq!(json, Value::String(id.0.to_string()));
        assert_eq!(id.to_string().parse::<CourseId>().unwrap(), id);
    }
}

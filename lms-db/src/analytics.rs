//! Read models over many rows: a course's gradebook for its instructor and a student's
//! dashboard. They read through Row Level Security like every read of a user's scope;
//! their SQL ([`queries`]) filters on indexed columns that the policies also filter on
//! (`assessment_attempts.course_id`, `student_id`), so that a policy is checked on the
//! rows the query wants and no others (see `benches/rls.rs`).

use chrono::{DateTime, Utc};
use lms_core::model::{AssessmentId, CourseId, UserId};
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};
use uuid::Uuid;

use crate::authoring::require_staff;
use crate::error::Result;
use crate::learning::student_of;
use crate::session::Scope;

/// The SQL of the read models, exactly as the use cases run it (`$1` is bound to the
/// value named on each), for benchmarks and `EXPLAIN`.
pub mod queries {
    /// The [`GradeSummary`](super::GradeSummary) rows of the attempts `where` selects,
    /// in the order given.
    macro_rules! grade_summaries {
        ($filter:literal, $order:literal) => {
            concat!(
                "select at.student_id, at.assessment_id, at.course_id, \
                        count(*) as attempts, \
                        count(at.submitted_at) as submitted, \
                        count(*) filter (where at.submitted_at is not null \
                                           and at.score is null) as awaiting_grading, \
                        max(at.score) as best_score, \
                        coalesce(bool_or(at.passed), false) as passed, \
                        max(at.submitted_at) as last_submitted_at \
                   from public.assessment_attempts at \
                  where ",
                $filter,
                " group by at.student_id, at.assessment_id, at.course_id order by ",
                $order
            )
        };
    }

    /// One [`GradeSummary`](super::GradeSummary) per student and assessment of the
    /// course `$1`, by student then assessment.
    pub const GRADEBOOK: &str =
        grade_summaries!("at.course_id = $1", "at.student_id, at.assessment_id");

    /// The courses of the student `$1` with their completion (`enrollments.progress`,
    /// kept by the progress refresh) and when they last studied in each, most recently
    /// enrolled first.
    pub const DASHBOARD_COURSES: &str = "\
        select e.course_id, c.title, e.enrolled_at, e.completed_at, \
               case when jsonb_typeof(e.progress -> 'percent') = 'number' \
                    then least(greatest((e.progress ->> 'percent')::numeric, 0), 100)::int \
                    else 0 end as completion_percentage, \
               (select max(sp.last_accessed) from public.student_progress sp \
                 where sp.student_id = e.student_id and sp.course_id = e.course_id) \
                 as last_accessed \
          from public.enrollments e \
          join public.courses c on c.id = e.course_id \
         where e.student_id = $1 \
         order by e.enrolled_at desc, e.course_id";

    /// One [`GradeSummary`](super::GradeSummary) per assessment the student `$1`
    /// attempted, by course then assessment.
    pub const DASHBOARD_ATTEMPTS: &str =
        grade_summaries!("at.student_id = $1", "at.course_id, at.assessment_id");
}

/// One student's attempts at one assessment, summed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeSummary {
    /// The student.
    pub student_id: UserId,
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// The assessment's course (a lesson assessment's is its lesson's).
    pub course_id: CourseId,
    /// Attempts started, submitted or not.
    pub attempts: i64,
    /// Attempts submitted.
    pub submitted: i64,
    /// Submitted attempts whose essays wait for an instructor's grade (no score yet).
    pub awaiting_grading: i64,
    /// The best final score, 0–100; `None` while no attempt has one.
    pub best_score: Option<i32>,
    /// Whether an attempt passed.
    pub passed: bool,
    /// The last submission.
    pub last_submitted_at: Option<DateTime<Utc>>,
}

impl FromRow<'_, PgRow> for GradeSummary {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(GradeSummary {
            student_id: UserId(row.try_get::<Uuid, _>("student_id")?),
            assessment_id: AssessmentId(row.try_get::<Uuid, _>("assessment_id")?),
            course_id: CourseId(row.try_get::<Uuid, _>("course_id")?),
            attempts: row.try_get("attempts")?,
            submitted: row.try_get("submitted")?,
            awaiting_grading: row.try_get("awaiting_grading")?,
            best_score: row.try_get("best_score")?,
            passed: row.try_get("passed")?,
            last_submitted_at: row.try_get("last_submitted_at")?,
        })
    }
}

/// A course on a student's dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashboardCourse {
    /// The course.
    pub course_id: CourseId,
    /// Its title.
    pub title: String,
    /// When the student enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When they completed it, if they did.
    pub completed_at: Option<DateTime<Utc>>,
    /// Completion 0–100: the share of the course's published lessons completed.
    pub completion_percentage: i32,
    /// When the student last opened one of its lessons.
    pub last_accessed: Option<DateTime<Utc>>,
}

impl FromRow<'_, PgRow> for DashboardCourse {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(DashboardCourse {
            course_id: CourseId(row.try_get::<Uuid, _>("course_id")?),
            title: row.try_get("title")?,
            enrolled_at: row.try_get("enrolled_at")?,
            completed_at: row.try_get("completed_at")?,
            completion_percentage: row.try_get("completion_percentage")?,
            last_accessed: row.try_get("last_accessed")?,
        })
    }
}

/// What a student sees first: their courses with progress, and their attempts summed up
/// by assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudentDashboard {
    /// The student.
    pub student_id: UserId,
    /// Their enrolments, most recent first.
    pub courses: Vec<DashboardCourse>,
    /// Their attempts, by course then assessment.
    pub assessments: Vec<GradeSummary>,
}

impl Scope {
    /// The gradebook of a course: one [`GradeSummary`] per student and assessment
    /// attempted, by student then assessment (a student without attempts at an
    /// assessment has no entry). For the course's instructor, an admin or the service;
    /// `Forbidden` for anyone else, `NotFound` when the actor cannot see the course.
    pub async fn gradebook(&self, course_id: CourseId) -> Result<Vec<GradeSummary>> {
        let mut tx = self.begin().await?;
        require_staff(&mut tx, course_id, "read the gradebook of").await?;
        let entries = sqlx::query_as::<_, GradeSummary>(queries::GRADEBOOK)
            .bind(course_id.0)
            .fetch_all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(entries)
    }

    /// The acting student's dashboard, read in one transaction.
    pub async fn student_dashboard(&self) -> Result<StudentDashboard> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let courses = sqlx::query_as::<_, DashboardCourse>(queries::DASHBOARD_COURSES)
            .bind(student.0)
            .fetch_all(tx.conn())
            .await?;
        let assessments = sqlx::query_as::<_, GradeSummary>(queries::DASHBOARD_ATTEMPTS)
            .bind(student.0)
            .fetch_all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(StudentDashboard {
            student_id: student,
            courses,
            assessments,
        })
    }
}

//! The ports of [`lms_core::repo`] — [`ProfileRepo`], [`CourseRepo`], [`AssessmentRepo`],
//! [`AttemptRepo`], [`EnrollmentRepo`], [`ProgressRepo`], [`RoadmapRepo`] — implemented
//! for [`Scope`], with [`Error`] as their error.
//!
//! # Ports and use cases
//!
//! The use cases (inherent methods of [`Scope`]: [`Scope::enroll`],
//! [`Scope::submit_attempt`], [`Scope::record_content_progress`], …) are what end users
//! call: they check the actor's rights, apply `lms-core`'s rules and write what the
//! library computed on the trusted path. The ports are row-level storage operations for
//! code that decides with `lms-core` itself — mostly trusted back-office jobs
//! ([`Lms::as_service`](crate::Lms::as_service)).
//!
//! * **One transaction per call**, opened by [`Scope::begin`]: the actor's session
//!   context, so Row Level Security decides what the actor sees and changes.
//! * **Delegation.** Where a use case already does what a port promises, the port calls
//!   it: `create_course`, `list_courses`, `update_course`, `delete_course`,
//!   `create_lesson`, `list_lessons`, `update_lesson`, `create_block`, `list_blocks`,
//!   `update_block`, `create_assessment`, `update_assessment`, `update_profile`,
//!   `set_role`, `enroll` and `save_answers` — with the same rules, checks and errors.
//!   `enroll` and `save_answers` act for a student: a user scope may only name itself;
//!   the service scope runs the use case as that student (nobody else may act for
//!   another user).
//! * **Reads** return `Ok(None)` for a row that is missing or that the actor may not see
//!   (Row Level Security shows both alike); lists are in a stable order and paged with
//!   [`Page`] (clamped by [`Page::new`]). `get_assessment` and `list_assessments` return
//!   the questions as the actor may read them: with answer keys for the service, the
//!   course's instructor and admins, stripped for students (through the database's
//!   `public.assessment_questions`).
//! * **Deletes** (`delete_lesson`, `delete_block`, `delete_assessment`) are for the
//!   course's author (its instructor, an admin, the service), like the authoring use
//!   cases: a row the actor cannot see is [`Error::NotFound`], one they may not change
//!   [`Error::Forbidden`]. A lesson other lessons require is not deleted
//!   ([`Error::Conflict`]). `unenroll` is for the student, the course's instructor and
//!   admins (the database's policy).
//! * **Computed writes** — `create_attempt`, `record_result`, `update_enrollment`,
//!   `upsert_progress`, `record_learning_progress`, `create_roadmap`,
//!   `set_roadmap_status` — store values the caller computed, so they run under the
//!   actor's own role and never on the trusted path: under a user scope the database
//!   refuses them ([`Error::Forbidden`], nothing written) and only the service scope can
//!   perform them. Users get the same effects through the use cases. Every JSONB
//!   document is validated by `lms-core` first and stored normalized (`Answers`,
//!   `Feedback`, `ProgressData`, `RoadmapData`; content and questions through the
//!   delegated use cases). These writes do not re-derive anything: e.g.
//!   `record_result` does not refresh the student's progress.
//! * **`set_published`** only flips the flag, and only for the service scope: it does
//!   not check publishability. Users publish through the `publish_course` use case,
//!   which checks the publishing rules; a user scope gets [`Error::Forbidden`] saying
//!   so, for publishing and unpublishing alike.
//! * **`reset_lesson`** is an instructor's action: the course's author (instructor,
//!   admin, service) is checked under the actor's role, then the student's stored
//!   progress rows of the lesson (the lesson's and its assessment's) are deleted on the
//!   trusted path. The facts they were derived from — content progress and attempts —
//!   are kept.
//! * **Roadmaps**: a student has at most one `active` roadmap per course (the
//!   `course_id` of its document). `create_roadmap` pauses
//!   the active one and inserts the new one in one transaction (paused, not completed:
//!   its steps were not all done, and a paused roadmap can be resumed with
//!   `set_roadmap_status`); `set_roadmap_status(_, Active)` pauses the others likewise.
//!   Both take a transaction-scoped advisory lock on the student first, so concurrent
//!   calls never leave two active roadmaps.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::documents::{Answers, Feedback, ProgressData, RoadmapData};
use lms_core::model::*;
use lms_core::prerequisites::Graph;
use lms_core::repo::{
    AssessmentPatch, AssessmentRepo, AttemptRepo, AttemptResult, ContentBlockPatch, CourseFilter,
    CoursePatch, CourseRepo, EnrollmentRepo, LessonPatch, NewAssessment, NewAttempt,
    NewContentBlock, NewCourse, NewLearningProgress, NewLesson, NewRoadmap, Page, ProfilePatch,
    ProfileRepo, ProgressRepo, ProgressUpsert, RoadmapRepo,
};
use serde_json::Value;
use uuid::Uuid;

use crate::authoring::{self, require_author};
use crate::error::{Error, Result};
use crate::rows::{self, document};
use crate::session::{Actor, Scope, Tx};
use crate::{attempts, learning, people};

/// `Ok(Some(_))` for a row, `Ok(None)` for a row missing or invisible to the actor.
fn found<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(row) => Ok(Some(row)),
        Err(Error::NotFound { .. } | Error::NotEnrolled { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The not-found error of a student's enrollment in a course.
fn no_enrollment(student: UserId, course: CourseId) -> Error {
    Error::not_found("enrollment", format!("of {student} in {course}"))
}

/// The columns of `assessments` as the actor may read them: every column for the
/// service; for a user, `questions` through `public.assessment_questions` (answer keys
/// for the course's instructor and admins, stripped for its students), since the column
/// itself is not readable by users.
fn assessment_columns(actor: Actor) -> String {
    match actor {
        Actor::Service => rows::ASSESSMENT.to_owned(),
        Actor::User(_) | Actor::Anon => rows::ASSESSMENT.replacen(
            " questions,",
            " coalesce(public.assessment_questions(id), '[]'::jsonb) as questions,",
            1,
        ),
    }
}

/// Serializes the roadmap writes of one student for the rest of the transaction.
pub(crate) async fn lock_roadmaps(tx: &mut Tx, student: Uuid) -> Result<()> {
    tx.lock(&format!("lms.roadmap:{student}")).await
}

/// The course a `roadmap_data` document names (its `course_id`), if any.
fn roadmap_course(data: &serde_json::Value) -> Option<Uuid> {
    data.get("course_id")
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl Scope {
    /// The scope a student's use case runs in when a port names the student: this scope
    /// when it acts for that student, a scope acting as the student when this is the
    /// service; nobody else may act for another user.
    fn for_student(&self, student: UserId, what: &str) -> Result<Scope> {
        match self.actor {
            Actor::User(me) if me == student => Ok(self.clone()),
            Actor::Service => Ok(Scope {
                actor: Actor::User(student),
                ..self.clone()
            }),
            Actor::User(_) | Actor::Anon => Err(Error::forbidden(format!(
                "{what} is done by the student themselves; no one may act for another user"
            ))),
        }
    }
}

#[async_trait]
impl ProfileRepo for Scope {
    type Error = Error;

    async fn get_profile(&self, id: UserId) -> Result<Option<Profile>> {
        let mut tx = self.begin().await?;
        let profile = found(people::profile(&mut tx, id).await)?;
        tx.commit().await?;
        Ok(profile)
    }

    async fn get_profile_by_email(&self, email: &str) -> Result<Option<Profile>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {} from public.profiles where email = $1",
            rows::PROFILE
        );
        let profile = rows::select::<Profile>(&sql)
            .bind(email)
            .optional(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(profile)
    }

    async fn update_profile(&self, id: UserId, patch: ProfilePatch) -> Result<Profile> {
        Scope::update_profile(self, id, patch).await
    }

    async fn set_role(&self, id: UserId, role: UserRole) -> Result<Profile> {
        Scope::set_role(self, id, role).await
    }
}

#[async_trait]
impl CourseRepo for Scope {
    type Error = Error;

    async fn create_course(&self, new: NewCourse) -> Result<Course> {
        Scope::create_course(self, new).await
    }

    async fn get_course(&self, id: CourseId) -> Result<Option<Course>> {
        found(Scope::get_course(self, id).await)
    }

    async fn list_courses(&self, filter: &CourseFilter, page: Page) -> Result<Vec<Course>> {
        Ok(Scope::list_courses(self, filter, page).await?.items)
    }

    async fn update_course(&self, id: CourseId, patch: CoursePatch) -> Result<Course> {
        Scope::update_course(self, id, patch).await
    }

    /// Flips `is_published`, for the service scope only (see the module docs).
    async fn set_published(&self, id: CourseId, published: bool) -> Result<Course> {
        if self.actor != Actor::Service {
            return Err(Error::forbidden(
                "publishing checks the publishing rules: use `Scope::publish_course`; \
                 the raw `set_published` port is for the service scope",
            ));
        }
        let mut tx = self.begin().await?;
        let sql = format!(
            "update public.courses set is_published = $2 where id = $1 returning {}",
            rows::COURSE
        );
        let course = rows::select::<Course>(&sql)
            .bind(id.0)
            .bind(published)
            .optional(tx.conn())
            .await?
            .ok_or_else(|| Error::not_found("course", id))?;
        tx.commit().await?;
        Ok(course)
    }

    async fn delete_course(&self, id: CourseId) -> Result<()> {
        Scope::delete_course(self, id).await
    }

    async fn create_lesson(&self, new: NewLesson) -> Result<Lesson> {
        Scope::create_lesson(self, new).await
    }

    async fn get_lesson(&self, id: LessonId) -> Result<Option<Lesson>> {
        let mut tx = self.begin().await?;
        let lesson = found(authoring::lesson(&mut tx, id).await)?;
        tx.commit().await?;
        Ok(lesson)
    }

    async fn list_lessons(&self, course: CourseId) -> Result<Vec<Lesson>> {
        Scope::list_lessons(self, course).await
    }

    async fn update_lesson(&self, id: LessonId, patch: LessonPatch) -> Result<Lesson> {
        Scope::update_lesson(self, id, patch).await
    }

    /// Refuses ([`Error::Conflict`]) while other lessons require this one.
    async fn delete_lesson(&self, id: LessonId) -> Result<()> {
        let mut tx = self.begin().await?;
        let lesson = authoring::lesson(&mut tx, id).await?;
        require_author(&mut tx, lesson.course_id).await?;
        let siblings = authoring::lessons(&mut tx, lesson.course_id).await?;
        let dependents = Graph::from_lessons(&siblings)?.dependents(id)?;
        if !dependents.is_empty() {
            let names: Vec<String> = dependents.iter().map(ToString::to_string).collect();
            return Err(Error::Conflict {
                reason: format!(
                    "lesson {id} is a prerequisite of lesson(s) {}: change their \
                     prerequisites first",
                    names.join(", ")
                ),
            });
        }
        let done = sqlx::query("delete from public.lessons where id = $1")
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::forbidden(format!("lesson {id} may not be deleted")));
        }
        tx.commit().await
    }

    async fn create_block(&self, new: NewContentBlock) -> Result<ContentBlock> {
        Scope::create_block(self, new).await
    }

    async fn get_block(&self, id: ContentBlockId) -> Result<Option<ContentBlock>> {
        let mut tx = self.begin().await?;
        let block = found(authoring::block(&mut tx, id).await)?;
        tx.commit().await?;
        Ok(block)
    }

    async fn list_blocks(&self, lesson: LessonId) -> Result<Vec<ContentBlock>> {
        Scope::list_blocks(self, lesson).await
    }

    async fn update_block(
        &self,
        id: ContentBlockId,
        patch: ContentBlockPatch,
    ) -> Result<ContentBlock> {
        Scope::update_block(self, id, patch).await
    }

    async fn delete_block(&self, id: ContentBlockId) -> Result<()> {
        let mut tx = self.begin().await?;
        let block = authoring::block(&mut tx, id).await?;
        let lesson = authoring::lesson(&mut tx, block.lesson_id).await?;
        require_author(&mut tx, lesson.course_id).await?;
        let done = sqlx::query("delete from public.content_blocks where id = $1")
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::forbidden(format!(
                "content block {id} may not be deleted"
            )));
        }
        tx.commit().await
    }
}

#[async_trait]
impl AssessmentRepo for Scope {
    type Error = Error;

    async fn create_assessment(&self, new: NewAssessment) -> Result<Assessment> {
        Scope::create_assessment(self, new).await
    }

    /// The assessment with its questions as the actor may read them (see the module
    /// docs).
    async fn get_assessment(&self, id: AssessmentId) -> Result<Option<Assessment>> {
        let mut tx = self.begin().await?;
        let columns = assessment_columns(self.actor);
        let assessment = rows::by_id(tx.conn(), "assessments", &columns, id.0).await?;
        tx.commit().await?;
        Ok(assessment)
    }

    /// Lesson assessments in lesson order, then the course's own (final) ones; ties by
    /// creation time and id.
    async fn list_assessments(&self, course: CourseId) -> Result<Vec<Assessment>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {} from public.assessments a \
             where a.course_id = $1 \
                or a.lesson_id in (select l.id from public.lessons l where l.course_id = $1) \
             order by (select l.order_index from public.lessons l where l.id = a.lesson_id) \
                      nulls last, a.created_at, a.id",
            assessment_columns(self.actor)
        );
        let list = rows::select::<Assessment>(&sql)
            .bind(course.0)
            .all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(list)
    }

    async fn update_assessment(
        &self,
        id: AssessmentId,
        patch: AssessmentPatch,
    ) -> Result<Assessment> {
        Scope::update_assessment(self, id, patch).await
    }

    async fn delete_assessment(&self, id: AssessmentId) -> Result<()> {
        let mut tx = self.begin().await?;
        let course = authoring::assessment_course(&mut tx, id).await?;
        require_author(&mut tx, course).await?;
        let done = sqlx::query("delete from public.assessments where id = $1")
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::forbidden(format!(
                "assessment {id} may not be deleted"
            )));
        }
        tx.commit().await
    }
}

#[async_trait]
impl AttemptRepo for Scope {
    type Error = Error;

    /// A computed write: the service only (see the module docs).
    async fn create_attempt(&self, new: NewAttempt) -> Result<AssessmentAttempt> {
        // not `attempts::create_attempt`: that one writes on the trusted path, after the
        // start rules were checked; this one runs as the actor
        let mut tx = self.begin().await?;
        // under the student's progress lock, like every writer of attempts: a use case
        // that decided on the student's history holds it until it commits
        if let Ok(course) = authoring::assessment_course(&mut tx, new.assessment_id).await {
            learning::lock_progress(&mut tx, course, new.student_id).await?;
        }
        let sql = format!(
            "insert into public.assessment_attempts \
               (assessment_id, student_id, attempt_number, started_at) \
             values ($1, $2, $3, $4) returning {}",
            rows::ATTEMPT
        );
        let attempt = rows::select::<AssessmentAttempt>(&sql)
            .bind(new.assessment_id.0)
            .bind(new.student_id.0)
            .bind(new.attempt_number)
            .bind(new.started_at)
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(attempt)
    }

    async fn get_attempt(&self, id: AttemptId) -> Result<Option<AssessmentAttempt>> {
        let mut tx = self.begin().await?;
        let attempt = found(attempts::attempt_by_id(&mut tx, id).await)?;
        tx.commit().await?;
        Ok(attempt)
    }

    async fn list_attempts(
        &self,
        assessment: AssessmentId,
        student: UserId,
    ) -> Result<Vec<AssessmentAttempt>> {
        let mut tx = self.begin().await?;
        let list = attempts::attempts_of(&mut tx, assessment, student).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Delegates to [`Scope::save_answers`] for the attempt's student (the attempt must
    /// be their open one).
    async fn save_answers(&self, id: AttemptId, answers: Value) -> Result<AssessmentAttempt> {
        let mut tx = self.begin().await?;
        let attempt = attempts::attempt_by_id(&mut tx, id).await?;
        tx.commit().await?;
        let student = self.for_student(attempt.student_id, "answering")?;
        if attempt.submitted_at.is_some() {
            return Err(lms_core::Error::AttemptAlreadySubmitted {
                attempt_number: attempt.attempt_number,
            }
            .into());
        }
        Scope::save_answers(&student, attempt.assessment_id, &answers).await
    }

    /// A computed write: the service only (see the module docs). `answers` and
    /// `feedback` are validated and stored normalized.
    async fn record_result(
        &self,
        id: AttemptId,
        result: AttemptResult,
    ) -> Result<AssessmentAttempt> {
        let answers = document::<Answers>("answers", &result.answers)?;
        let feedback = result
            .feedback
            .as_ref()
            .map(|f| document::<Feedback>("feedback", f))
            .transpose()?;
        let mut tx = self.begin().await?;
        // under the student's progress lock, like every writer of attempts
        let owner: Option<(Option<Uuid>, Uuid)> = sqlx::query_as(
            "select course_id, student_id from public.assessment_attempts where id = $1",
        )
        .bind(id.0)
        .fetch_optional(tx.conn())
        .await?;
        if let Some((Some(course), student)) = owner {
            learning::lock_progress(&mut tx, CourseId(course), UserId(student)).await?;
        }
        let sql = format!(
            "update public.assessment_attempts set \
               answers = $2, score = $3, points_earned = $4, total_points = $5, passed = $6, \
               time_spent = $7, submitted_at = $8, feedback = $9, \
               exact_points_earned = coalesce(($9 -> 'summary' ->> 'points_earned')::numeric, $4) \
             where id = $1 returning {}",
            rows::ATTEMPT
        );
        let attempt = rows::select::<AssessmentAttempt>(&sql)
            .bind(id.0)
            .bind(answers)
            .bind(result.score)
            .bind(result.points_earned)
            .bind(result.total_points)
            .bind(result.passed)
            .bind(result.time_spent_seconds)
            .bind(result.submitted_at)
            .bind(feedback)
            .optional(tx.conn())
            .await?
            .ok_or_else(|| Error::not_found("attempt", id))?;
        tx.commit().await?;
        Ok(attempt)
    }
}

#[async_trait]
impl EnrollmentRepo for Scope {
    type Error = Error;

    /// Delegates to [`Scope::enroll`] for `student` (a user scope only for itself).
    async fn enroll(&self, student: UserId, course: CourseId) -> Result<Enrollment> {
        let scope = self.for_student(student, "enrolling")?;
        Scope::enroll(&scope, course).await
    }

    async fn get_enrollment(
        &self,
        student: UserId,
        course: CourseId,
    ) -> Result<Option<Enrollment>> {
        let mut tx = self.begin().await?;
        let enrollment = found(learning::enrollment(&mut tx, student, course).await)?;
        tx.commit().await?;
        Ok(enrollment)
    }

    /// Newest first; ties by id.
    async fn list_for_student(&self, student: UserId, page: Page) -> Result<Vec<Enrollment>> {
        let mut tx = self.begin().await?;
        let list = learning::enrollments_of(&mut tx, student, Some(page)).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Oldest first; ties by id.
    async fn list_for_course(&self, course: CourseId, page: Page) -> Result<Vec<Enrollment>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {} from public.enrollments where course_id = $1 order by enrolled_at, id",
            rows::ENROLLMENT
        );
        let list = rows::list(tx.conn(), &sql, course.0, Some(page)).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// A computed write: the service only (see the module docs). `progress` is a
    /// `ProgressData` document.
    async fn update_enrollment(
        &self,
        student: UserId,
        course: CourseId,
        progress: Value,
        completed_at: Option<DateTime<Utc>>,
    ) -> Result<Enrollment> {
        let progress = document::<ProgressData>("progress", &progress)?;
        let mut tx = self.begin().await?;
        let sql = format!(
            "update public.enrollments set progress = $3, completed_at = $4 \
             where student_id = $1 and course_id = $2 returning {}",
            rows::ENROLLMENT
        );
        let enrollment = rows::select::<Enrollment>(&sql)
            .bind(student.0)
            .bind(course.0)
            .bind(progress)
            .bind(completed_at)
            .optional(tx.conn())
            .await?
            .ok_or_else(|| no_enrollment(student, course))?;
        tx.commit().await?;
        Ok(enrollment)
    }

    async fn unenroll(&self, student: UserId, course: CourseId) -> Result<()> {
        let mut tx = self.begin().await?;
        if found(learning::enrollment(&mut tx, student, course).await)?.is_none() {
            return Err(no_enrollment(student, course));
        }
        let done =
            sqlx::query("delete from public.enrollments where student_id = $1 and course_id = $2")
                .bind(student.0)
                .bind(course.0)
                .execute(tx.conn())
                .await?;
        if done.rows_affected() == 0 {
            return Err(Error::forbidden(format!(
                "the enrollment of {student} in {course} may not be removed"
            )));
        }
        tx.commit().await
    }
}

#[async_trait]
impl ProgressRepo for Scope {
    type Error = Error;

    async fn lesson_progress(
        &self,
        student: UserId,
        lesson: LessonId,
    ) -> Result<Option<StudentProgress>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {} from public.student_progress \
             where student_id = $1 and lesson_id = $2 and assessment_id is null",
            rows::PROGRESS
        );
        let row = rows::select::<StudentProgress>(&sql)
            .bind(student.0)
            .bind(lesson.0)
            .optional(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn assessment_progress(
        &self,
        student: UserId,
        assessment: AssessmentId,
    ) -> Result<Option<StudentProgress>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {} from public.student_progress \
             where student_id = $1 and assessment_id = $2 order by id limit 1",
            rows::PROGRESS
        );
        let row = rows::select::<StudentProgress>(&sql)
            .bind(student.0)
            .bind(assessment.0)
            .optional(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// In lesson order, each lesson's row before its assessment's, then the course's
    /// own rows (final assessment); ties by id.
    async fn course_progress(
        &self,
        student: UserId,
        course: CourseId,
    ) -> Result<Vec<StudentProgress>> {
        let mut tx = self.begin().await?;
        let list = learning::progress_rows(&mut tx, student, course).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// A computed write: the service only (see the module docs). `last_accessed` keeps
    /// its stored value when `None`; `add_time_spent_seconds` is added to the stored
    /// time.
    async fn upsert_progress(&self, row: ProgressUpsert) -> Result<StudentProgress> {
        if row.lesson_id.is_none() && row.assessment_id.is_none() {
            return Err(lms_core::Error::InvalidInput {
                field: "lesson_id",
                reason: "a progress row tracks a lesson or an assessment".into(),
            }
            .into());
        }
        if row.add_time_spent_seconds < 0 {
            return Err(lms_core::Error::InvalidInput {
                field: "add_time_spent_seconds",
                reason: "must not be negative".into(),
            }
            .into());
        }
        let mut tx = self.begin().await?;
        let sql = format!(
            "insert into public.student_progress \
               (student_id, course_id, lesson_id, assessment_id, status, completion_percentage, \
                last_accessed, time_spent, attempts_count, best_score) \
             values ($1, $2, $3, $4, $5::public.progress_status, $6, $7, $8, $9, $10) \
             on conflict on constraint student_progress_subject_key do update set \
               status = excluded.status, \
               completion_percentage = excluded.completion_percentage, \
               last_accessed = coalesce(excluded.last_accessed, student_progress.last_accessed), \
               time_spent = student_progress.time_spent + excluded.time_spent, \
               attempts_count = excluded.attempts_count, \
               best_score = excluded.best_score \
             returning {}",
            rows::PROGRESS
        );
        let stored = rows::select::<StudentProgress>(&sql)
            .bind(row.student_id.0)
            .bind(row.course_id.0)
            .bind(row.lesson_id.map(|l| l.0))
            .bind(row.assessment_id.map(|a| a.0))
            .bind(row.status.as_str())
            .bind(row.completion_percentage)
            .bind(row.last_accessed)
            .bind(row.add_time_spent_seconds)
            .bind(row.attempts_count)
            .bind(row.best_score)
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The course's author (instructor, admin, service) resets a student's stored
    /// progress on a lesson (see the module docs).
    async fn reset_lesson(&self, student: UserId, lesson: LessonId) -> Result<()> {
        let mut tx = self.begin().await?;
        let lesson = authoring::lesson(&mut tx, lesson).await?;
        require_author(&mut tx, lesson.course_id).await?;
        tx.trusted().await?;
        let done = sqlx::query(
            "delete from public.student_progress \
             where student_id = $1 and course_id = $2 and lesson_id = $3",
        )
        .bind(student.0)
        .bind(lesson.course_id.0)
        .bind(lesson.id.0)
        .execute(tx.conn())
        .await?;
        tx.set_actor_role().await?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(
                "lesson progress",
                format!("of {student} on {}", lesson.id),
            ));
        }
        tx.commit().await
    }

    /// A computed write: the service only (see the module docs). Inserts the record or
    /// replaces the student's record of that content; `progress_data` is a
    /// `ProgressData` document.
    async fn record_learning_progress(&self, new: NewLearningProgress) -> Result<LearningProgress> {
        let data = document::<ProgressData>("progress_data", &new.progress_data)?;
        let mut tx = self.begin().await?;
        let sql = format!(
            "insert into public.learning_progress \
               (student_id, content_id, content_type, progress_data, completed_at, time_spent) \
             values ($1, $2, $3, $4, $5, $6) \
             on conflict on constraint learning_progress_student_content_key do update set \
               content_type = excluded.content_type, \
               progress_data = excluded.progress_data, \
               completed_at = excluded.completed_at, \
               time_spent = excluded.time_spent \
             returning {}",
            rows::LEARNING
        );
        let stored = rows::select::<LearningProgress>(&sql)
            .bind(new.student_id.0)
            .bind(new.content_id)
            .bind(&new.content_type)
            .bind(data)
            .bind(new.completed_at)
            .bind(new.time_spent_seconds)
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// In the order of `content_ids`; ids without a record are left out.
    async fn learning_progress(
        &self,
        student: UserId,
        content_ids: &[Uuid],
    ) -> Result<Vec<LearningProgress>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {} from public.learning_progress \
             where student_id = $1 and content_id = any($2) \
             order by array_position($2, content_id), id",
            rows::LEARNING
        );
        let list = rows::select::<LearningProgress>(&sql)
            .bind(student.0)
            .bind(content_ids)
            .all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(list)
    }
}

#[async_trait]
impl RoadmapRepo for Scope {
    type Error = Error;

    /// A computed write: the service only (see the module docs). Pauses the student's
    /// active roadmap and stores the new one as active, in one transaction;
    /// `roadmap_data` is a `RoadmapData` document.
    async fn create_roadmap(&self, new: NewRoadmap) -> Result<PersonalizedRoadmap> {
        let data = document::<RoadmapData>("roadmap_data", &new.roadmap_data)?;
        let course = roadmap_course(&data);
        let mut tx = self.begin().await?;
        lock_roadmaps(&mut tx, new.student_id.0).await?;
        if let Some(course) = course {
            // a roadmap of a course goes to a student enrolled in it (its instructor reads
            // it)
            crate::authoring::course(&mut tx, CourseId(course)).await?;
            crate::learning::enrollment(&mut tx, new.student_id, CourseId(course)).await?;
        }
        sqlx::query(
            "update public.personalized_roadmaps set status = 'paused' \
             where student_id = $1 and course_id is not distinct from $2 and status = 'active'",
        )
        .bind(new.student_id.0)
        .bind(course)
        .execute(tx.conn())
        .await?;
        let sql = format!(
            "insert into public.personalized_roadmaps \
               (student_id, course_id, roadmap_data, ai_reasoning, status) \
             values ($1, $2, $3, $4, 'active') returning {}",
            rows::ROADMAP
        );
        let roadmap = rows::select::<PersonalizedRoadmap>(&sql)
            .bind(new.student_id.0)
            .bind(course)
            .bind(data)
            .bind(&new.ai_reasoning)
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(roadmap)
    }

    async fn get_roadmap(&self, id: RoadmapId) -> Result<Option<PersonalizedRoadmap>> {
        let mut tx = self.begin().await?;
        let roadmap = rows::by_id(tx.conn(), "personalized_roadmaps", rows::ROADMAP, id.0).await?;
        tx.commit().await?;
        Ok(roadmap)
    }

    async fn current_roadmap(&self, student: UserId) -> Result<Option<PersonalizedRoadmap>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {} from public.personalized_roadmaps \
             where student_id = $1 and status = 'active' \
             order by generated_at desc, id limit 1",
            rows::ROADMAP
        );
        let roadmap = rows::select::<PersonalizedRoadmap>(&sql)
            .bind(student.0)
            .optional(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(roadmap)
    }

    /// Newest first; ties by id.
    async fn list_roadmaps(&self, student: UserId, page: Page) -> Result<Vec<PersonalizedRoadmap>> {
        let mut tx = self.begin().await?;
        let list = learning::roadmaps_of(&mut tx, student, Some(page)).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// A computed write: the service only (see the module docs). Making a roadmap
    /// active pauses the student's other active one.
    async fn set_roadmap_status(
        &self,
        id: RoadmapId,
        status: RoadmapStatus,
    ) -> Result<PersonalizedRoadmap> {
        let mut tx = self.begin().await?;
        let (student, course): (Uuid, Option<Uuid>) = sqlx::query_as(
            "select student_id, course_id from public.personalized_roadmaps where id = $1",
        )
        .bind(id.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| Error::not_found("roadmap", id))?;
        lock_roadmaps(&mut tx, student).await?;
        if status == RoadmapStatus::Active {
            sqlx::query(
                "update public.personalized_roadmaps set status = 'paused' \
                 where student_id = $1 and course_id is not distinct from $3 \
                   and status = 'active' and id <> $2",
            )
            .bind(student)
            .bind(id.0)
            .bind(course)
            .execute(tx.conn())
            .await?;
        }
        let sql = format!(
            "update public.personalized_roadmaps set status = $2::public.roadmap_status \
             where id = $1 returning {}",
            rows::ROADMAP
        );
        let roadmap = rows::select::<PersonalizedRoadmap>(&sql)
            .bind(id.0)
            .bind(status.as_str())
            .optional(tx.conn())
            .await?
            .ok_or_else(|| Error::not_found("roadmap", id))?;
        tx.commit().await?;
        Ok(roadmap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::paging;

    #[test]
    fn users_read_questions_through_the_stripping_function() {
        let service = assessment_columns(Actor::Service);
        let user = assessment_columns(Actor::User(UserId(Uuid::nil())));
        assert_eq!(service, rows::ASSESSMENT);
        assert_ne!(user, service);
        assert_eq!(user.matches("public.assessment_questions(id)").count(), 1);
        // and questions_version, shuffle_questions, draw_questions
        assert_eq!(user.matches("questions").count(), 5);
    }

    #[test]
    fn pages_are_clamped() {
        assert_eq!(
            paging(Page {
                limit: 0,
                offset: 7
            }),
            (1, 7)
        );
        assert_eq!(
            paging(Page {
                limit: u32::MAX,
                offset: 0
            }),
            (i64::from(Page::MAX_LIMIT), 0)
        );
    }
}

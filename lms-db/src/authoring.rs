//! Authoring: courses, lessons (with the prerequisite DAG check), content blocks
//! (validated documents, atomic reordering) and assessments (validated questions).
//!
//! Authoring writes run under the actor's own role, so Row Level Security has the last
//! word; the checks here come first to give typed errors instead of "0 rows".

use lms_core::documents::{BlockMetadata, ContentData, QuestionSet};
use lms_core::model::*;
use lms_core::prerequisites::Graph;
use lms_core::repo::{
    AssessmentOwner, AssessmentPatch, ContentBlockPatch, CourseFilter, CoursePatch, LessonPatch,
    NewAssessment, NewContentBlock, NewCourse, NewLesson, Page, Paged,
};
use sqlx::{Postgres, QueryBuilder};

use crate::error::{Error, Result};
use crate::rows;
use crate::session::{Actor, Scope, Tx};

/// Loads a course the actor can see, or `NotFound`.
pub(crate) async fn course(tx: &mut Tx, id: CourseId) -> Result<Course> {
    rows::by_id(tx.conn(), "courses", rows::COURSE, id.0)
        .await?
        .ok_or_else(|| Error::not_found("course", id))
}

/// [`course`], and the actor's role ([`Tx::actor_role`]) in the same statement when the
/// transaction does not know it yet: a check of the actor's rights on a course costs one
/// round trip.
async fn course_and_role(tx: &mut Tx, id: CourseId) -> Result<Course> {
    if !tx.role_unknown() {
        return course(tx, id).await;
    }
    let sql = format!(
        "select {}, ({}) as actor_profile_role from public.courses where id = $1",
        rows::COURSE,
        Tx::ACTOR_ROLE_SQL
    );
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| Error::not_found("course", id))?;
    tx.know_role(sqlx::Row::try_get(&row, "actor_profile_role")?)?;
    Ok(<rows::Db<Course> as sqlx::FromRow<_>>::from_row(&row)?.0)
}

/// Loads a lesson the actor can see, or `NotFound`.
pub(crate) async fn lesson(tx: &mut Tx, id: LessonId) -> Result<Lesson> {
    rows::by_id(tx.conn(), "lessons", rows::LESSON, id.0)
        .await?
        .ok_or_else(|| Error::not_found("lesson", id))
}

/// A lesson as a course's public outline shows it ([`Scope::course_outline`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutlineLesson {
    /// The lesson.
    pub id: LessonId,
    /// Its course.
    pub course_id: CourseId,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Position in the course, from 0.
    pub order_index: i32,
    /// What the lesson teaches.
    pub learning_objectives: Vec<String>,
    /// Estimated duration in minutes (`estimated_duration`).
    pub estimated_duration_minutes: Option<i32>,
    /// When it opens to its students (`None`: as soon as it is published).
    pub unlocks_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl sqlx::FromRow<'_, sqlx::postgres::PgRow> for OutlineLesson {
    fn from_row(row: &sqlx::postgres::PgRow) -> sqlx::Result<Self> {
        use sqlx::Row;
        Ok(OutlineLesson {
            id: LessonId(row.try_get("id")?),
            course_id: CourseId(row.try_get("course_id")?),
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            order_index: row.try_get("order_index")?,
            learning_objectives: row.try_get("learning_objectives")?,
            estimated_duration_minutes: row.try_get("estimated_duration")?,
            unlocks_at: row.try_get("unlocks_at")?,
        })
    }
}

/// The lessons of a course the actor can see, in order.
pub(crate) async fn lessons(tx: &mut Tx, course: CourseId) -> Result<Vec<Lesson>> {
    let sql = format!(
        "select {} from public.lessons where course_id = $1 order by order_index, id",
        rows::LESSON
    );
    rows::select::<Lesson>(&sql)
        .bind(course.0)
        .all(tx.conn())
        .await
}

/// Loads a content block the actor can see, or `NotFound`.
pub(crate) async fn block(tx: &mut Tx, id: ContentBlockId) -> Result<ContentBlock> {
    rows::by_id(tx.conn(), "content_blocks", rows::BLOCK, id.0)
        .await?
        .ok_or_else(|| Error::not_found("content block", id))
}

/// The course an assessment belongs to (through its lesson for a lesson assessment),
/// as the actor sees it; `NotFound` when the assessment is not visible.
pub(crate) async fn assessment_course(tx: &mut Tx, id: AssessmentId) -> Result<CourseId> {
    let course: Option<uuid::Uuid> = sqlx::query_scalar(
        "select coalesce(a.course_id, l.course_id) from public.assessments a \
         left join public.lessons l on l.id = a.lesson_id where a.id = $1",
    )
    .bind(id.0)
    .fetch_optional(tx.conn())
    .await?
    .flatten();
    course
        .map(CourseId)
        .ok_or_else(|| Error::not_found("assessment", id))
}

/// Loads a full assessment, answer keys included, on the trusted path: the `questions`
/// column is not readable by users. Call it only after the actor's right to it was
/// established ([`require_author`], or an attempt being scored).
pub(crate) async fn assessment_with_keys(tx: &mut Tx, id: AssessmentId) -> Result<Assessment> {
    tx.trusted().await?;
    let found = rows::by_id(tx.conn(), "assessments", rows::ASSESSMENT, id.0).await?;
    tx.set_actor_role().await?;
    found.ok_or_else(|| Error::not_found("assessment", id))
}

/// Serializes changes to a course's lesson graph for the rest of the transaction, so two
/// concurrent prerequisite changes cannot each pass the cycle check on the graph the
/// other is changing (the database's trigger refuses cycles too).
async fn lock_outline(tx: &mut Tx, course: CourseId) -> Result<()> {
    tx.lock(&format!("lms.outline:{course}")).await
}

/// A policy's seconds (checked to fit) as the integer column.
fn seconds(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// A count as an `integer` column holds it (beyond its range: the largest, which the
/// column's CHECK refuses).
fn count(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// The course, if the actor may author it: its instructor, a co-instructor, an admin, or
/// the service.
pub(crate) async fn require_author(tx: &mut Tx, id: CourseId) -> Result<Course> {
    require_staff(tx, id, Right::Author, "change").await
}

/// What the actor must be allowed to do in a course ([`require_staff`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Right {
    /// Delete it, hand it over, manage its staff: its instructor (`instructor_id`).
    Own,
    /// Author it (content, assessments, dates, accommodations, knowledge models): its
    /// instructor and co-instructors.
    Author,
    /// Read its students' work and grade it (the gradebook, the analytics, essays,
    /// overrides): its whole staff.
    Grade,
}

impl Right {
    /// Whether a staff member with `role` has this right.
    fn held_by(self, role: StaffRole) -> bool {
        match self {
            Right::Own => false,
            Right::Author => role == StaffRole::CoInstructor,
            Right::Grade => true,
        }
    }

    /// Who has it, for a refusal.
    fn holders(self) -> &'static str {
        match self {
            Right::Own => "the course's instructor or an admin",
            Right::Author => "the course's instructor, a co-instructor or an admin",
            Right::Grade => "the course's staff or an admin",
        }
    }
}

/// Loads a course the actor may act on with `right` (any course, for an admin or the
/// service), or `NotFound` / `Forbidden`; `doing` completes "only … may … course {id}".
/// The instructor holds every right; a member of the course's staff (`course_staff`,
/// read as the actor: their own row) the rights of their role.
pub(crate) async fn require_staff(
    tx: &mut Tx,
    id: CourseId,
    right: Right,
    doing: &str,
) -> Result<Course> {
    let course = course_and_role(tx, id).await?;
    match (tx.actor(), tx.actor_role().await?) {
        (Actor::Service, _) | (_, Some(UserRole::Admin)) => return Ok(course),
        (Actor::User(me), Some(UserRole::Instructor)) if course.instructor_id == me => {
            return Ok(course)
        }
        _ => {}
    }
    if let (Actor::User(me), false) = (tx.actor(), right == Right::Own) {
        if let Some(role) = staff_role(tx, id, me).await? {
            if right.held_by(role) {
                return Ok(course);
            }
        }
    }
    Err(Error::forbidden(format!(
        "only {} may {doing} course {id}",
        right.holders()
    )))
}

/// The role of `user` on the staff of `course`, as the actor reads it.
pub(crate) async fn staff_role(
    tx: &mut Tx,
    course: CourseId,
    user: UserId,
) -> Result<Option<StaffRole>> {
    let row =
        sqlx::query("select role from public.course_staff where course_id = $1 and user_id = $2")
            .bind(course.0)
            .bind(user.0)
            .fetch_optional(tx.conn())
            .await?;
    Ok(row.map(|r| rows::named(&r, "role")).transpose()?)
}

impl Scope {
    /// Creates an unpublished course. An instructor creates courses of their own; an
    /// admin or the service may name any instructor.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "create_course", actor = self.actor.role_name()))]
    pub async fn create_course(&self, new: NewCourse) -> Result<Course> {
        rows::Texts::of("course")
            .one("title", Some(&new.title))
            .one("description", new.description.as_deref())
            .many("tags", Some(&new.tags))
            .check()?;
        let mut tx = self.begin().await?;
        match (tx.actor(), tx.actor_role().await?) {
            (Actor::Service, _) | (_, Some(UserRole::Admin)) => {}
            (Actor::User(me), Some(UserRole::Instructor)) if new.instructor_id == me => {}
            (Actor::User(_), Some(UserRole::Instructor)) => {
                return Err(Error::forbidden(
                    "an instructor creates courses in their own name",
                ))
            }
            _ => {
                return Err(Error::forbidden(
                    "only instructors and admins create courses",
                ))
            }
        }
        let sql = format!(
            "insert into public.courses \
               (title, description, instructor_id, tags, difficulty_level, estimated_duration) \
             values ($1, $2, $3, $4, $5::public.difficulty_level, $6) returning {}",
            rows::COURSE
        );
        let course = rows::select::<Course>(&sql)
            .bind(&new.title)
            .bind(&new.description)
            .bind(new.instructor_id.0)
            .bind(&new.tags)
            .bind(new.difficulty_level.map(|d| d.as_str()))
            .bind(new.estimated_duration_minutes)
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(course)
    }

    /// One course, as the actor may see it.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "get_course", actor = self.actor.role_name()))]
    pub async fn get_course(&self, id: CourseId) -> Result<Course> {
        let mut tx = self.begin().await?;
        let c = course(&mut tx, id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Courses the actor may see, filtered, newest first: one page, with where the next
    /// one starts and how many courses match in all.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "list_courses", actor = self.actor.role_name()))]
    pub async fn list_courses(&self, filter: &CourseFilter, page: Page) -> Result<Paged<Course>> {
        rows::Texts::of("course_filter")
            .one("tag", filter.tag.as_deref())
            .check()?;
        let page = Page::new(page.limit, page.offset);
        // a visitor's catalog may come from a replica; a user's, from the primary (what
        // they just wrote)
        let mut tx = if matches!(self.actor, crate::Actor::Anon) {
            self.begin_read().await?
        } else {
            self.begin().await?
        };
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "select {}, count(*) over () as total from public.courses where true",
            rows::COURSE
        ));
        push_course_filter(&mut q, filter);
        let (limit, offset) = rows::paging(page);
        q.push(" order by created_at desc, id limit ")
            .push_bind(limit)
            .push(" offset ")
            .push_bind(offset);
        let found = q.build().fetch_all(tx.conn()).await?;
        let mut total = found
            .first()
            .map(|row| sqlx::Row::try_get::<i64, _>(row, "total"))
            .transpose()?;
        let courses = found
            .iter()
            .map(|row| <rows::Db<Course> as sqlx::FromRow<_>>::from_row(row).map(|c| c.0))
            .collect::<sqlx::Result<Vec<_>>>()?;
        if total.is_none() && page.offset > 0 {
            // past the last page: count on its own
            let mut q =
                QueryBuilder::<Postgres>::new("select count(*) from public.courses where true");
            push_course_filter(&mut q, filter);
            total = Some(q.build_query_scalar().fetch_one(tx.conn()).await?);
        }
        tx.commit().await?;
        let total = u64::try_from(total.unwrap_or(0)).unwrap_or(0);
        Ok(Paged::counted(courses, page, total))
    }

    /// Changes a course (its author only). A final assessment must be one of the
    /// course's own assessments.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "update_course", actor = self.actor.role_name()))]
    pub async fn update_course(&self, id: CourseId, patch: CoursePatch) -> Result<Course> {
        rows::Texts::of("course")
            .one("title", patch.title.as_deref())
            .one(
                "description",
                patch.description.as_ref().and_then(Option::as_deref),
            )
            .many("tags", patch.tags.as_deref())
            .check()?;
        if let Some(Some(p)) = &patch.late_policy {
            p.check("course")?;
        }
        let mut tx = self.begin().await?;
        let current = require_author(&mut tx, id).await?;
        let mut u = rows::Update::new("courses");
        if let Some(late) = &patch.late_policy {
            rows::late_columns(late.as_ref()).set_on(&mut u);
        }
        u.set_some("title", patch.title);
        u.set_some("description", patch.description);
        u.set_some(
            "final_assessment_id",
            patch.final_assessment_id.map(|v| v.map(|a| a.0)),
        );
        u.set_some("tags", patch.tags);
        if let Some(v) = patch.difficulty_level {
            let text = v.map(|d| d.as_str().to_owned());
            u.set_cast("difficulty_level", text, "public.difficulty_level");
        }
        u.set_some("estimated_duration", patch.estimated_duration_minutes);
        if u.is_empty() {
            tx.commit().await?;
            return Ok(current);
        }
        let course = u
            .returning(tx.conn(), id.0, rows::COURSE)
            .await?
            .ok_or_else(|| Error::forbidden(format!("course {id} may not be changed")))?;
        if patch.late_policy.is_some() {
            // the late attempts of every assessment without its own policy, recorded again
            crate::delivery::rerecord_course(&mut tx, id).await?;
        }
        tx.commit().await?;
        Ok(course)
    }

    /// Deletes a course with its lessons, blocks, assessments, attempts, enrollments and
    /// progress (its instructor or an admin: not a co-instructor).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "delete_course", actor = self.actor.role_name()))]
    pub async fn delete_course(&self, id: CourseId) -> Result<()> {
        let mut tx = self.begin().await?;
        require_staff(&mut tx, id, Right::Own, "delete").await?;
        let done = sqlx::query("delete from public.courses where id = $1")
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::forbidden(format!("course {id} may not be deleted")));
        }
        tx.commit().await
    }

    /// Adds a lesson. Its prerequisites must be lessons of the same course and keep the
    /// prerequisite graph acyclic (checked by `lms_core::prerequisites`).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "create_lesson", actor = self.actor.role_name()))]
    pub async fn create_lesson(&self, new: NewLesson) -> Result<Lesson> {
        rows::Texts::of("lesson")
            .one("title", Some(&new.title))
            .one("description", new.description.as_deref())
            .many("learning_objectives", Some(&new.learning_objectives))
            .check()?;
        let mut tx = self.begin().await?;
        require_author(&mut tx, new.course_id).await?;
        lock_outline(&mut tx, new.course_id).await?;
        let existing = lessons(&mut tx, new.course_id).await?;
        let id = LessonId::new_v4();
        Graph::from_lessons(&existing)?.with_prerequisites(id, new.prerequisites.clone())?;
        let sql = format!(
            "insert into public.lessons (id, course_id, title, description, order_index, \
               learning_objectives, estimated_duration, prerequisites) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning {}",
            rows::LESSON
        );
        let lesson = rows::select::<Lesson>(&sql)
            .bind(id.0)
            .bind(new.course_id.0)
            .bind(&new.title)
            .bind(&new.description)
            .bind(new.order_index)
            .bind(&new.learning_objectives)
            .bind(new.estimated_duration_minutes)
            .bind(new.prerequisites.iter().map(|p| p.0).collect::<Vec<_>>())
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(lesson)
    }

    /// The lessons of a course the actor may see, in order.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "list_lessons", actor = self.actor.role_name()))]
    pub async fn list_lessons(&self, course: CourseId) -> Result<Vec<Lesson>> {
        let mut tx = self.begin().await?;
        let list = lessons(&mut tx, course).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// A course's outline as the actor may see it, in order: the lessons' outline columns
    /// only, which is what anonymous visitors may read ([`crate::Lms::as_anon`]; the
    /// published lessons of a published course). Students see the published lessons of
    /// their courses too, the course's instructor and admins every lesson. An empty
    /// outline when the course has no lesson the actor may see; `NotFound` when the
    /// course itself is not visible.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "course_outline", actor = self.actor.role_name()))]
    pub async fn course_outline(&self, course_id: CourseId) -> Result<Vec<OutlineLesson>> {
        let mut tx = self.begin().await?;
        course(&mut tx, course_id).await?;
        let list = sqlx::query_as::<_, OutlineLesson>(
            "select id, course_id, title, description, order_index, learning_objectives, \
                    estimated_duration, unlocks_at \
               from public.lessons where course_id = $1 order by order_index, id",
        )
        .bind(course_id.0)
        .fetch_all(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Changes a lesson (the course's author only); new prerequisites are checked like
    /// [`Scope::create_lesson`]'s.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "update_lesson", actor = self.actor.role_name()))]
    pub async fn update_lesson(&self, id: LessonId, patch: LessonPatch) -> Result<Lesson> {
        rows::Texts::of("lesson")
            .one("title", patch.title.as_deref())
            .one(
                "description",
                patch.description.as_ref().and_then(Option::as_deref),
            )
            .many("learning_objectives", patch.learning_objectives.as_deref())
            .check()?;
        let mut tx = self.begin().await?;
        let current = lesson(&mut tx, id).await?;
        require_author(&mut tx, current.course_id).await?;
        if let Some(prerequisites) = &patch.prerequisites {
            lock_outline(&mut tx, current.course_id).await?;
            let existing = lessons(&mut tx, current.course_id).await?;
            Graph::from_lessons(&existing)?.with_prerequisites(id, prerequisites.clone())?;
        }
        let mut u = rows::Update::new("lessons");
        u.set_some("title", patch.title);
        u.set_some("description", patch.description);
        u.set_some("order_index", patch.order_index);
        u.set_some("learning_objectives", patch.learning_objectives);
        u.set_some("estimated_duration", patch.estimated_duration_minutes);
        u.set_some("assessment_id", patch.assessment_id.map(|v| v.map(|a| a.0)));
        u.set_some(
            "prerequisites",
            patch
                .prerequisites
                .map(|v| v.iter().map(|p| p.0).collect::<Vec<_>>()),
        );
        u.set_some("is_published", patch.is_published);
        u.set_some("unlocks_at", patch.unlocks_at);
        if u.is_empty() {
            tx.commit().await?;
            return Ok(current);
        }
        let lesson = u
            .returning(tx.conn(), id.0, rows::LESSON)
            .await?
            .ok_or_else(|| Error::forbidden(format!("lesson {id} may not be changed")))?;
        tx.commit().await?;
        Ok(lesson)
    }

    /// Puts a course's lessons in the given order (a permutation of all of them), in one
    /// transaction.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "reorder_lessons", actor = self.actor.role_name()))]
    pub async fn reorder_lessons(
        &self,
        course: CourseId,
        order: &[LessonId],
    ) -> Result<Vec<Lesson>> {
        let mut tx = self.begin().await?;
        require_author(&mut tx, course).await?;
        let existing = lessons(&mut tx, course).await?;
        reorder(
            &mut tx,
            ("lesson", "lessons", "idx_lessons_order"),
            existing.iter().map(|l| l.id),
            order,
        )
        .await?;
        let list = lessons(&mut tx, course).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Adds a content block. Its documents are validated — the content against its
    /// `type`, the metadata as [`BlockMetadata`] (`null` stands for `{}`) — and stored
    /// normalized (HTML sanitized, plain text derived).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "create_block", actor = self.actor.role_name()))]
    pub async fn create_block(&self, new: NewContentBlock) -> Result<ContentBlock> {
        let content = content_json(new.content_type, &new.content)?;
        let metadata = metadata_json(&new.metadata)?;
        let mut tx = self.begin().await?;
        let parent = lesson(&mut tx, new.lesson_id).await?;
        require_author(&mut tx, parent.course_id).await?;
        tx.vouch(&[
            (content_target(new.content_type), &content),
            (METADATA_TARGET.to_owned(), &metadata),
        ])
        .await?;
        let sql = format!(
            "insert into public.content_blocks (lesson_id, type, content, order_index, metadata) \
             values ($1, $2::public.content_type, $3, $4, $5) returning {}",
            rows::BLOCK
        );
        let block = rows::select::<ContentBlock>(&sql)
            .bind(new.lesson_id.0)
            .bind(new.content_type.as_str())
            .bind(content)
            .bind(new.order_index)
            .bind(metadata)
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(block)
    }

    /// Changes a content block (the course's author only); a new document is validated
    /// against its type like [`Scope::create_block`]'s.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "update_block", actor = self.actor.role_name()))]
    pub async fn update_block(
        &self,
        id: ContentBlockId,
        patch: ContentBlockPatch,
    ) -> Result<ContentBlock> {
        let mut tx = self.begin().await?;
        let current = block(&mut tx, id).await?;
        let parent = lesson(&mut tx, current.lesson_id).await?;
        require_author(&mut tx, parent.course_id).await?;
        let content = patch
            .content
            .map(|(kind, value)| Ok::<_, Error>((kind, content_json(kind, &value)?)))
            .transpose()?;
        let metadata = patch.metadata.as_ref().map(metadata_json).transpose()?;
        let mut receipts = Vec::new();
        if let Some((kind, doc)) = &content {
            receipts.push((content_target(*kind), doc));
        }
        if let Some(doc) = &metadata {
            receipts.push((METADATA_TARGET.to_owned(), doc));
        }
        tx.vouch(&receipts).await?;
        let mut u = rows::Update::new("content_blocks");
        if let Some((kind, doc)) = content.clone() {
            u.set_cast(
                "type",
                Some(kind.as_str().to_owned()),
                "public.content_type",
            );
            u.set("content", doc);
        }
        u.set_some("order_index", patch.order_index);
        u.set_some("metadata", metadata.clone());
        if u.is_empty() {
            tx.commit().await?;
            return Ok(current);
        }
        let block = u
            .returning(tx.conn(), id.0, rows::BLOCK)
            .await?
            .ok_or_else(|| Error::forbidden(format!("block {id} may not be changed")))?;
        tx.commit().await?;
        Ok(block)
    }

    /// The blocks of a lesson the actor may see, in order.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "list_blocks", actor = self.actor.role_name()))]
    pub async fn list_blocks(&self, lesson: LessonId) -> Result<Vec<ContentBlock>> {
        let mut tx = self.begin().await?;
        let list = blocks(&mut tx, lesson).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Puts a lesson's blocks in the given order (a permutation of all of them), in one
    /// transaction.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "reorder_blocks", actor = self.actor.role_name()))]
    pub async fn reorder_blocks(
        &self,
        lesson_id: LessonId,
        order: &[ContentBlockId],
    ) -> Result<Vec<ContentBlock>> {
        let mut tx = self.begin().await?;
        let parent = lesson(&mut tx, lesson_id).await?;
        require_author(&mut tx, parent.course_id).await?;
        let existing = blocks(&mut tx, lesson_id).await?;
        reorder(
            &mut tx,
            (
                "content block",
                "content_blocks",
                "idx_content_blocks_order",
            ),
            existing.iter().map(|b| b.id),
            order,
        )
        .await?;
        let list = blocks(&mut tx, lesson_id).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Adds an assessment to a lesson or a course (final assessment). Its questions are
    /// validated. It becomes the lesson's assessment (or the course's final assessment)
    /// when that has none yet.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "create_assessment", actor = self.actor.role_name()))]
    pub async fn create_assessment(&self, new: NewAssessment) -> Result<Assessment> {
        rows::Texts::of("assessment")
            .one("title", Some(&new.title))
            .one("description", new.description.as_deref())
            .check()?;
        let questions = rows::document::<QuestionSet>("questions", &new.questions)?;
        new.policy.check()?;
        new.schedule.check("assessment")?;
        if let Some(p) = &new.late_policy {
            p.check("assessment")?;
        }
        let mut tx = self.begin().await?;
        let (lesson_id, course_id, course) = match new.owner {
            AssessmentOwner::Lesson(l) => {
                let parent = lesson(&mut tx, l).await?;
                (Some(l), None, parent.course_id)
            }
            AssessmentOwner::Course(c) => (None, Some(c), c),
        };
        require_author(&mut tx, course).await?;
        tx.vouch(&[(QUESTIONS_TARGET.to_owned(), &questions)])
            .await?;
        let late = rows::late_columns(new.late_policy.as_ref());
        let id: uuid::Uuid = sqlx::query_scalar(
            "insert into public.assessments (lesson_id, course_id, title, description, questions, \
               ai_generated, source_content_ids, is_mandatory, minimum_passing_score, \
               max_attempts, time_limit, grading_method, retake_policy, attempt_delay_seconds, \
               later_attempt_delay_seconds, time_limit_policy, grace_seconds, opens_at, \
               closes_at, due_at, late_deduction_percent, late_deduction_interval, \
               late_floor_percent, late_missing_percent, shuffle_questions, shuffle_options, \
               review_score, review_correctness, review_feedback, review_answers, \
               draw_questions) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                     $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31) \
             returning id",
        )
        .bind(lesson_id.map(|l| l.0))
        .bind(course_id.map(|c| c.0))
        .bind(&new.title)
        .bind(&new.description)
        .bind(questions)
        .bind(new.ai_generated)
        .bind(
            new.source_content_ids
                .iter()
                .map(|b| b.0)
                .collect::<Vec<_>>(),
        )
        .bind(new.is_mandatory)
        .bind(new.minimum_passing_score)
        .bind(new.max_attempts)
        .bind(new.time_limit_minutes)
        .bind(rows::name_of(&new.policy.grading_method))
        .bind(rows::name_of(&new.policy.retake_policy))
        .bind(seconds(new.policy.attempt_delay_seconds))
        .bind(seconds(new.policy.later_attempt_delay_seconds))
        .bind(rows::name_of(&new.policy.time_limit_policy))
        .bind(seconds(new.policy.grace_seconds))
        .bind(new.schedule.opens_at)
        .bind(new.schedule.closes_at)
        .bind(new.schedule.due_at)
        .bind(late.percent)
        .bind(late.interval)
        .bind(late.floor)
        .bind(late.missing)
        .bind(new.policy.shuffle_questions)
        .bind(new.policy.shuffle_options)
        .bind(rows::name_of(&new.policy.review.score))
        .bind(rows::name_of(&new.policy.review.correctness))
        .bind(rows::name_of(&new.policy.review.feedback))
        .bind(rows::name_of(&new.policy.review.answers))
        .bind(new.policy.draw_questions.map(count))
        .fetch_one(tx.conn())
        .await?;
        let assessment = assessment_with_keys(&mut tx, AssessmentId(id)).await?;
        match new.owner {
            AssessmentOwner::Lesson(l) => {
                sqlx::query(
                    "update public.lessons set assessment_id = $2 \
                     where id = $1 and assessment_id is null",
                )
                .bind(l.0)
                .bind(assessment.id.0)
                .execute(tx.conn())
                .await?;
            }
            AssessmentOwner::Course(c) => {
                sqlx::query(
                    "update public.courses set final_assessment_id = $2 \
                     where id = $1 and final_assessment_id is null",
                )
                .bind(c.0)
                .bind(assessment.id.0)
                .execute(tx.conn())
                .await?;
            }
        }
        tx.commit().await?;
        Ok(assessment)
    }

    /// Changes an assessment (the course's author only); new questions are validated,
    /// the attempt policy and the order of the dates checked. New questions make a new
    /// version: attempts already started keep theirs (see
    /// [`Scope::regrade_assessment`]). A change of the grading method or the passing
    /// score refreshes the grades and progress of every student who attempted it; a
    /// change of the due time or the late policy records their submitted attempts again
    /// (late or not, what the policy leaves of the raw result), in the same transaction.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "update_assessment", actor = self.actor.role_name()))]
    pub async fn update_assessment(
        &self,
        id: AssessmentId,
        patch: AssessmentPatch,
    ) -> Result<Assessment> {
        rows::Texts::of("assessment")
            .one("title", patch.title.as_deref())
            .one(
                "description",
                patch.description.as_ref().and_then(Option::as_deref),
            )
            .check()?;
        let mut tx = self.begin().await?;
        let course = assessment_course(&mut tx, id).await?;
        require_author(&mut tx, course).await?;
        let rerecords = patch.due_at.is_some() || patch.late_policy.is_some();
        let regrades =
            rerecords || patch.grading_method.is_some() || patch.minimum_passing_score.is_some();
        if patch.touches_policy() || patch.touches_schedule() {
            let (_, current, _) = crate::attempts::attempt_rules(&mut tx, id, None).await?;
            patch.apply_policy(&current.policy).check()?;
            patch
                .apply_schedule(&current.schedule)
                .check("assessment")?;
        }
        if let Some(Some(p)) = &patch.late_policy {
            p.check("assessment")?;
        }
        let questions = patch
            .questions
            .as_ref()
            .map(|v| rows::document::<QuestionSet>("questions", v))
            .transpose()?;
        if let Some(doc) = &questions {
            tx.vouch(&[(QUESTIONS_TARGET.to_owned(), doc)]).await?;
        }
        let mut u = rows::Update::new("assessments");
        u.set_some("title", patch.title);
        u.set_some("description", patch.description);
        u.set_some("questions", questions.clone());
        u.set_some("is_mandatory", patch.is_mandatory);
        u.set_some("minimum_passing_score", patch.minimum_passing_score);
        u.set_some("max_attempts", patch.max_attempts);
        u.set_some("time_limit", patch.time_limit_minutes);
        u.set_some(
            "grading_method",
            patch.grading_method.map(|m| rows::name_of(&m)),
        );
        u.set_some(
            "retake_policy",
            patch.retake_policy.map(|r| rows::name_of(&r)),
        );
        u.set_some(
            "attempt_delay_seconds",
            patch.attempt_delay_seconds.map(seconds),
        );
        u.set_some(
            "later_attempt_delay_seconds",
            patch.later_attempt_delay_seconds.map(seconds),
        );
        u.set_some(
            "time_limit_policy",
            patch.time_limit_policy.map(|p| rows::name_of(&p)),
        );
        u.set_some("grace_seconds", patch.grace_seconds.map(seconds));
        u.set_some("shuffle_questions", patch.shuffle_questions);
        u.set_some("shuffle_options", patch.shuffle_options);
        u.set_some("draw_questions", patch.draw_questions.map(|d| d.map(count)));
        for (column, moment) in [
            ("review_score", patch.review_score),
            ("review_correctness", patch.review_correctness),
            ("review_feedback", patch.review_feedback),
            ("review_answers", patch.review_answers),
        ] {
            u.set_some(column, moment.map(|m| rows::name_of(&m)));
        }
        u.set_some("opens_at", patch.opens_at);
        u.set_some("closes_at", patch.closes_at);
        u.set_some("due_at", patch.due_at);
        if let Some(late) = &patch.late_policy {
            rows::late_columns(late.as_ref()).set_on(&mut u);
        }
        if !u.is_empty() && u.execute(tx.conn(), id.0).await? == 0 {
            return Err(Error::forbidden(format!(
                "assessment {id} may not be changed"
            )));
        }
        if regrades {
            // the grades under the new method or bar, for everyone who attempted it
            tx.trusted().await?;
            let students: Vec<uuid::Uuid> = sqlx::query_scalar(
                "select distinct student_id from public.assessment_attempts \
                  where assessment_id = $1 order by student_id",
            )
            .bind(id.0)
            .fetch_all(tx.conn())
            .await?;
            tx.set_actor_role().await?;
            let students: Vec<_> = students.into_iter().map(UserId).collect();
            for student in &students {
                crate::learning::lock_progress(&mut tx, course, *student).await?;
            }
            if rerecords {
                crate::delivery::rerecord(&mut tx, course, Some(id), None).await?;
            }
            for student in students {
                crate::learning::refresh_course_progress(&mut tx, student, course, None).await?;
            }
        }
        let assessment = assessment_with_keys(&mut tx, id).await?;
        tx.commit().await?;
        Ok(assessment)
    }

    /// Publishes a course and its lessons (its author only), if `lms_core::publish`
    /// finds nothing wrong: at least one lesson, an assessment per lesson, a final
    /// assessment, a valid prerequisite graph, every document valid, every assessment
    /// with questions. Otherwise nothing changes and `NotPublishable` lists every
    /// problem.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "publish_course", actor = self.actor.role_name()))]
    pub async fn publish_course(&self, id: CourseId) -> Result<Course> {
        let mut tx = self.begin().await?;
        let course = require_author(&mut tx, id).await?;
        let lessons = lessons(&mut tx, id).await?;
        let lesson_ids: Vec<uuid::Uuid> = lessons.iter().map(|l| l.id.0).collect();
        let sql = format!(
            "select {} from public.content_blocks where lesson_id = any($1) \
             order by lesson_id, order_index",
            rows::BLOCK
        );
        let blocks: Vec<ContentBlock> = rows::select::<ContentBlock>(&sql)
            .bind(&lesson_ids)
            .all(tx.conn())
            .await?;
        // the author may read their answer keys; they are read on the trusted path
        tx.trusted().await?;
        let sql = format!(
            "select {} from public.assessments where course_id = $1 or lesson_id = any($2)",
            rows::ASSESSMENT
        );
        let assessments: Vec<Assessment> = rows::select::<Assessment>(&sql)
            .bind(id.0)
            .bind(&lesson_ids)
            .all(tx.conn())
            .await?;
        tx.set_actor_role().await?;
        lms_core::publish::ensure(&lms_core::publish::CourseOutline {
            course: &course,
            lessons: &lessons,
            blocks: &blocks,
            assessments: &assessments,
        })?;
        sqlx::query("update public.lessons set is_published = true where course_id = $1")
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        let sql = format!(
            "update public.courses set is_published = true where id = $1 returning {}",
            rows::COURSE
        );
        let published = rows::select::<Course>(&sql)
            .bind(id.0)
            .optional(tx.conn())
            .await?
            .ok_or_else(|| Error::forbidden(format!("course {id} may not be published")))?;
        tx.commit().await?;
        Ok(published)
    }

    /// The questions of an assessment as the actor may see them: with answer keys for
    /// the course's instructor and admins, without them (no option fractions, correct
    /// answers, accepted answers, rubrics or explanations) for its enrolled students.
    /// Read through the database's `public.assessment_questions`, so the stripping is the
    /// one a direct client gets.
    ///
    /// Refused with `not_enrolled` for published content of a course the student is not
    /// enrolled in, `attempt_not_started` for a timed assessment without an attempt
    /// whose clock runs (`start_attempt` returns the questions), `not_found` otherwise.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "assessment_questions", actor = self.actor.role_name()))]
    pub async fn assessment_questions(&self, id: AssessmentId) -> Result<serde_json::Value> {
        let mut tx = self.begin().await?;
        let questions: Option<serde_json::Value> =
            sqlx::query_scalar("select public.assessment_questions($1)")
                .bind(id.0)
                .fetch_one(tx.conn())
                .await?;
        let Some(questions) = questions else {
            return Err(why_no_questions(&mut tx, id).await?);
        };
        tx.commit().await?;
        Ok(questions)
    }

    /// An assessment with its answer keys, for the course's staff (instructor,
    /// co-instructors, graders), an admin or the service.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "get_assessment", actor = self.actor.role_name()))]
    pub async fn get_assessment(&self, id: AssessmentId) -> Result<Assessment> {
        let mut tx = self.begin().await?;
        let course = assessment_course(&mut tx, id).await?;
        // graders too: what they grade against
        require_staff(&mut tx, course, Right::Grade, "read the answer keys of").await?;
        let assessment = assessment_with_keys(&mut tx, id).await?;
        tx.commit().await?;
        Ok(assessment)
    }
}

/// The questions of an assessment as the actor may see them (see
/// [`Scope::assessment_questions`]); `NotFound` when the actor may not see them.
pub(crate) async fn questions_for_actor(
    tx: &mut Tx,
    id: AssessmentId,
) -> Result<serde_json::Value> {
    let questions: Option<serde_json::Value> =
        sqlx::query_scalar("select public.assessment_questions($1)")
            .bind(id.0)
            .fetch_one(tx.conn())
            .await?;
    questions.ok_or_else(|| Error::not_found("assessment", id))
}

/// The `and …` clauses of a catalog filter.
fn push_course_filter(q: &mut QueryBuilder<'_, Postgres>, filter: &CourseFilter) {
    if let Some(tag) = &filter.tag {
        q.push(" and tags @> array[")
            .push_bind(tag.clone())
            .push("]::text[]");
    }
    if let Some(d) = filter.difficulty {
        q.push(" and difficulty_level = ")
            .push_bind(d.as_str())
            .push("::public.difficulty_level");
    }
    if let Some(p) = filter.published {
        q.push(" and is_published = ").push_bind(p);
    }
    if let Some(i) = filter.instructor_id {
        q.push(" and instructor_id = ").push_bind(i.0);
    }
}

/// Why `public.assessment_questions` showed the actor nothing: the assessment is timed
/// and no attempt's clock runs (`attempt_not_started`), it is published content of a
/// course they are not enrolled in (`not_enrolled`), or they may not see it at all.
async fn why_no_questions(tx: &mut Tx, id: AssessmentId) -> Result<Error> {
    type Seen = (
        bool,
        Option<uuid::Uuid>,
        Option<chrono::DateTime<chrono::Utc>>,
    );
    // a timed assessment, or one drawing its questions, shows them only within an attempt
    let seen: Option<Seen> = sqlx::query_as(
        "select a.time_limit is not null or a.draw_questions is not null, a.lesson_id, \
                case when l.unlocks_at > statement_timestamp() then l.unlocks_at end \
           from public.assessments a left join public.lessons l on l.id = a.lesson_id \
          where a.id = $1",
    )
    .bind(id.0)
    .fetch_optional(tx.conn())
    .await?;
    Ok(match seen {
        Some((_, Some(lesson), Some(unlocks_at))) => lms_core::Error::LessonLocked {
            lesson: LessonId(lesson),
            unlocks_at,
        }
        .into(),
        Some((true, _, _)) => lms_core::Error::AttemptNotStarted { assessment: id }.into(),
        Some((false, _, _)) => Error::not_found("assessment", id),
        None => {
            crate::learning::not_enrolled_or(
                tx,
                crate::learning::ASSESSMENT_OWNER,
                id.0,
                Error::not_found("assessment", id),
            )
            .await?
        }
    })
}

/// The blocks of a lesson the actor can see, in order.
pub(crate) async fn blocks(tx: &mut Tx, lesson: LessonId) -> Result<Vec<ContentBlock>> {
    let sql = format!(
        "select {} from public.content_blocks where lesson_id = $1 order by order_index, id",
        rows::BLOCK
    );
    rows::select::<ContentBlock>(&sql)
        .bind(lesson.0)
        .all(tx.conn())
        .await
}

/// Validates a block's document against its type and returns its normalized JSON.
fn content_json(kind: ContentType, value: &serde_json::Value) -> Result<serde_json::Value> {
    let content = ContentData::validate_for(kind, value).map_err(lms_core::Error::from)?;
    rows::json("content", &content)
}

/// Validates a block's metadata (`null` stands for `{}`) and returns its normalized JSON.
fn metadata_json(value: &serde_json::Value) -> Result<serde_json::Value> {
    if value.is_null() {
        return rows::json("metadata", &BlockMetadata::default());
    }
    rows::document::<BlockMetadata>("metadata", value)
}

/// The receipt target of a block's content of type `kind` ([`Tx::vouch`]).
fn content_target(kind: ContentType) -> String {
    format!("content_blocks.content:{}", kind.as_str())
}

/// The receipt target of a block's metadata ([`Tx::vouch`]).
const METADATA_TARGET: &str = "content_blocks.metadata";

/// The receipt target of an assessment's questions ([`Tx::vouch`]).
const QUESTIONS_TARGET: &str = "assessments.questions";

/// Gives the rows `existing` of `public.table` (all of one parent's: lessons of a
/// course, blocks of a lesson) the positions of `order`: `order_index` 0, 1, … in one
/// statement, with the parent's unique `index` on positions deferred. `order` must name
/// each of `existing` exactly once (`what` names a row in the error).
async fn reorder<T>(
    tx: &mut Tx,
    (what, table, index): (&'static str, &str, &str),
    existing: impl Iterator<Item = T>,
    order: &[T],
) -> Result<()>
where
    T: Copy + Ord + Into<uuid::Uuid>,
{
    let mut a: Vec<T> = existing.collect();
    let mut b = order.to_vec();
    a.sort();
    b.sort();
    if a != b {
        return Err(Error::Core(lms_core::Error::InvalidInput {
            field: "order",
            reason: format!("the new order must list each {what} of the parent exactly once"),
        }));
    }
    sqlx::query(&format!("set constraints public.{index} deferred"))
        .execute(tx.conn())
        .await?;
    let ids: Vec<uuid::Uuid> = order.iter().map(|&id| id.into()).collect();
    sqlx::query(&format!(
        "update public.{table} t set order_index = o.position - 1 \
         from unnest($1::uuid[]) with ordinality as o(id, position) where t.id = o.id"
    ))
    .bind(ids)
    .execute(tx.conn())
    .await?;
    Ok(())
}

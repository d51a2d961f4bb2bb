//! A course's teaching staff besides its instructor (`course_staff`, migration
//! `20261202000015`): co-instructors author and grade, graders read the gradebook and
//! grade. What each may do is decided by the database's policies (the helpers
//! `taught_course_ids()` for the whole staff, `authored_course_ids()` for authors) and,
//! for the library's own checks, by `authoring::require_staff` with a `Right`.

use lms_core::model::*;
use sqlx::Row;

use crate::authoring::{course, require_staff, Right};
use crate::error::{Error, Result};
use crate::rows;
use crate::session::{Actor, Scope, Tx};

/// Columns of `course_staff`.
const STAFF: &str = "course_id, user_id, role, created_at, updated_at";

fn staff_of(row: &sqlx::postgres::PgRow) -> sqlx::Result<CourseStaff> {
    Ok(CourseStaff {
        course_id: CourseId(row.try_get("course_id")?),
        user_id: UserId(row.try_get("user_id")?),
        role: rows::named(row, "role")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The staff of a course as the actor reads them, by when they joined.
async fn staff_list(tx: &mut Tx, course: CourseId) -> Result<Vec<CourseStaff>> {
    let sql = format!(
        "select {STAFF} from public.course_staff where course_id = $1 \
          order by created_at, user_id"
    );
    Ok(sqlx::query(&sql)
        .bind(course.0)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(staff_of)
        .collect::<sqlx::Result<Vec<_>>>()?)
}

impl Scope {
    /// Puts a user on a course's staff with `role`, or changes their role (the course's
    /// instructor, an admin or the service; not a co-instructor). A student of the course
    /// cannot be on its staff, nor its instructor, and a co-instructor is an instructor
    /// or an admin by their profile's role (each `conflict`); a user who does not exist
    /// is `invalid_document` on `user_id`. Audited.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "add_staff", actor = self.actor.role_name()))]
    pub async fn add_staff(
        &self,
        course: CourseId,
        user: UserId,
        role: StaffRole,
    ) -> Result<CourseStaff> {
        let mut tx = self.begin().await?;
        require_staff(&mut tx, course, Right::Own, "manage the staff of").await?;
        let sql = format!(
            "insert into public.course_staff (course_id, user_id, role) values ($1, $2, $3) \
             on conflict on constraint course_staff_member_key do update set role = excluded.role \
             returning {STAFF}"
        );
        let row = sqlx::query(&sql)
            .bind(course.0)
            .bind(user.0)
            .bind(rows::name_of(&role))
            .fetch_one(tx.conn())
            .await?;
        let member = staff_of(&row)?;
        tx.commit().await?;
        Ok(member)
    }

    /// Takes a user off a course's staff: the course's instructor, an admin or the
    /// service remove anyone, a member themselves (leaving). `not_found` when they are
    /// not on it.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "remove_staff", actor = self.actor.role_name()))]
    pub async fn remove_staff(&self, course_id: CourseId, user: UserId) -> Result<()> {
        let mut tx = self.begin().await?;
        if tx.actor() == Actor::User(user) {
            course(&mut tx, course_id).await?;
        } else {
            require_staff(&mut tx, course_id, Right::Own, "manage the staff of").await?;
        }
        let done =
            sqlx::query("delete from public.course_staff where course_id = $1 and user_id = $2")
                .bind(course_id.0)
                .bind(user.0)
                .execute(tx.conn())
                .await?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("staff member", user));
        }
        tx.commit().await
    }

    /// A course's staff besides its instructor, as the actor may see them: the whole
    /// staff for its instructor, its staff and admins; a user's own membership for
    /// anyone else (none for a student).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "list_staff", actor = self.actor.role_name()))]
    pub async fn list_staff(&self, course_id: CourseId) -> Result<Vec<CourseStaff>> {
        let mut tx = self.begin().await?;
        course(&mut tx, course_id).await?;
        let found = staff_list(&mut tx, course_id).await?;
        tx.commit().await?;
        Ok(found)
    }
}

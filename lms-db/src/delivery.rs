//! Course delivery: accommodations (a student's extra time, attempts and later dates),
//! and recording late attempts again when what decides their lateness changes (a due
//! time, a late policy, an accommodation).
//!
//! The rules are `lms_core::delivery`'s; the database keeps a student from seeing
//! questions before the open time or after their own deadline
//! (`lms_private.attempt_schedule`, migration `20261202000014`).

use chrono::{DateTime, Utc};
use lms_core::attempts::AttemptRules;
use lms_core::delivery::{self, Accommodation, LatePolicy};
use lms_core::documents::Points;
use lms_core::model::*;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use crate::authoring::{assessment_course, require_staff, Right};
use crate::error::{Error, Result};
use crate::learning::{lock_progress, lock_submitters, refresh_course_progress};
use crate::rows;
use crate::session::{Scope, Tx};

/// An accommodation to set ([`Scope::set_accommodation`]): whose, where, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccommodation {
    /// The course.
    pub course_id: CourseId,
    /// The student.
    pub student_id: UserId,
    /// One assessment of the course; `None`: every assessment of it.
    #[serde(default)]
    pub assessment_id: Option<AssessmentId>,
    /// Extra time, attempts, later dates (flattened in JSON; fields left out change
    /// nothing).
    #[serde(flatten)]
    pub accommodation: Accommodation,
}

/// Columns of `accommodations`.
const ACCOMMODATION: &str = "id, course_id, student_id, assessment_id, extra_minutes, \
    time_factor::float8 as time_factor, extra_attempts, closes_at, due_at, created_at, \
    updated_at";

fn accommodation_of(row: &sqlx::postgres::PgRow) -> sqlx::Result<StudentAccommodation> {
    let factor: f64 = row.try_get("time_factor")?;
    Ok(StudentAccommodation {
        id: AccommodationId(row.try_get("id")?),
        course_id: CourseId(row.try_get("course_id")?),
        student_id: UserId(row.try_get("student_id")?),
        assessment_id: row
            .try_get::<Option<Uuid>, _>("assessment_id")?
            .map(AssessmentId),
        accommodation: Accommodation {
            extra_minutes: row.try_get("extra_minutes")?,
            time_factor: rows::hundredths("time_factor", factor)?,
            extra_attempts: row.try_get("extra_attempts")?,
            closes_at: row.try_get("closes_at")?,
            due_at: row.try_get("due_at")?,
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Records the submitted attempts of a course again — of one assessment, one student, or
/// both when given — from their raw result: how late each is now (its submission
/// against the student's due time, accommodations included) and what the late policy
/// that applies now leaves of it (`lms_core::delivery::recorded`). Writes only the
/// attempts whose recorded result changes, on the trusted path (audited), and returns
/// their students, each once. The caller holds the progress lock of every student
/// concerned and refreshes their progress.
pub(crate) async fn rerecord(
    tx: &mut Tx,
    course: CourseId,
    assessment: Option<AssessmentId>,
    student: Option<UserId>,
) -> Result<Vec<UserId>> {
    tx.trusted().await?;
    let sql = format!(
        "select t.id, t.student_id, t.submitted_at, t.late_seconds, t.total_points, \
                round(t.raw_points_earned * 1000000)::bigint as raw_micros, t.raw_score, \
                round(t.exact_points_earned * 1000000)::bigint as micros, t.score, t.passed, \
                a.minimum_passing_score, s.due_at, {} as late_policy \
           from public.assessment_attempts t \
           join public.assessments a on a.id = t.assessment_id \
           left join public.lessons l on l.id = a.lesson_id \
          cross join lateral lms_private.attempt_schedule(a.id, t.student_id) s \
          where t.course_id = $1 and ($2::uuid is null or t.assessment_id = $2) \
            and ($3::uuid is null or t.student_id = $3) \
            and t.submitted_at is not null and t.raw_points_earned is not null \
            and t.total_points is not null",
        rows::LATE_POLICY_SQL
    );
    let found = sqlx::query(&sql)
        .bind(course.0)
        .bind(assessment.map(|a| a.0))
        .bind(student.map(|s| s.0))
        .fetch_all(tx.conn())
        .await?;
    let mut changed = Changes::default();
    for row in &found {
        let submitted_at: DateTime<Utc> = row.try_get("submitted_at")?;
        let due_at: Option<DateTime<Utc>> = row.try_get("due_at")?;
        let policy = row
            .try_get::<Option<sqlx::types::Json<LatePolicy>>, _>("late_policy")?
            .map(|j| j.0);
        let total = u32::try_from(row.try_get::<i32, _>("total_points")?).unwrap_or(0);
        let raw =
            Points::from_micros(u64::try_from(row.try_get::<i64, _>("raw_micros")?).unwrap_or(0));
        let minimum = u32::try_from(row.try_get::<i32, _>("minimum_passing_score")?).unwrap_or(0);
        let late = delivery::late_seconds(due_at, submitted_at);
        let now = delivery::recorded(
            raw,
            total,
            row.try_get::<Option<i32>, _>("raw_score")?.is_some(),
            policy.as_ref(),
            late,
            minimum,
        );
        let late = late.map(|s| i32::try_from(s).unwrap_or(i32::MAX));
        let micros = i64::try_from(now.points_earned.micros()).unwrap_or(i64::MAX);
        let score = now.score.map(|s| i32::try_from(s).unwrap_or(100));
        let stored = (
            row.try_get::<Option<i32>, _>("late_seconds")?,
            row.try_get::<Option<i64>, _>("micros")?,
            row.try_get::<Option<i32>, _>("score")?,
            row.try_get::<Option<bool>, _>("passed")?,
        );
        if stored != (late, Some(micros), score, now.passed) {
            changed.push(row.try_get("id")?, late, micros, score, now.passed);
            let who = UserId(row.try_get("student_id")?);
            if !changed.students.contains(&who) {
                changed.students.push(who);
            }
        }
    }
    if !changed.ids.is_empty() {
        sqlx::query(
            "update public.assessment_attempts t set late_seconds = u.late, \
                    exact_points_earned = u.micros::numeric / 1000000, \
                    points_earned = u.micros / 1000000, score = u.score, passed = u.passed \
               from unnest($1::uuid[], $2::integer[], $3::bigint[], $4::integer[], \
                           $5::boolean[]) as u (id, late, micros, score, passed) \
              where t.id = u.id",
        )
        .bind(&changed.ids)
        .bind(&changed.late)
        .bind(&changed.micros)
        .bind(&changed.score)
        .bind(&changed.passed)
        .execute(tx.conn())
        .await?;
    }
    tx.set_actor_role().await?;
    Ok(changed.students)
}

/// The attempts [`rerecord`] writes, column by column.
#[derive(Default)]
struct Changes {
    ids: Vec<Uuid>,
    late: Vec<Option<i32>>,
    micros: Vec<i64>,
    score: Vec<Option<i32>>,
    passed: Vec<Option<bool>>,
    students: Vec<UserId>,
}

impl Changes {
    fn push(
        &mut self,
        id: Uuid,
        late: Option<i32>,
        micros: i64,
        score: Option<i32>,
        passed: Option<bool>,
    ) {
        self.ids.push(id);
        self.late.push(late);
        self.micros.push(micros);
        self.score.push(score);
        self.passed.push(passed);
    }
}

/// [`rerecord`] for every student of a course with a submitted attempt, each under their
/// progress lock (taken in one order), their progress refreshed when a result changed.
pub(crate) async fn rerecord_course(tx: &mut Tx, course: CourseId) -> Result<()> {
    lock_submitters(tx, course, None).await?;
    for student in rerecord(tx, course, None, None).await? {
        refresh_course_progress(tx, student, course, None).await?;
    }
    Ok(())
}

/// [`rerecord`] for one student under their progress lock, their progress refreshed when
/// a result changed.
async fn rerecord_student(
    tx: &mut Tx,
    course: CourseId,
    assessment: Option<AssessmentId>,
    student: UserId,
) -> Result<()> {
    lock_progress(tx, course, student).await?;
    if !rerecord(tx, course, assessment, Some(student))
        .await?
        .is_empty()
    {
        refresh_course_progress(tx, student, course, None).await?;
    }
    Ok(())
}

impl Scope {
    /// Sets a student's accommodation at one assessment, or at every assessment of a
    /// course (the course's instructor, an admin or the service): extra minutes or a time
    /// factor, extra attempts, a later close and due time. Replaces the one already set
    /// for the same student and scope. Where several apply (the course-wide one and the
    /// assessment's), the most lenient wins (`lms_core::delivery::accommodate`). The
    /// student's submitted attempts are recorded again (a later due time may make a
    /// late attempt on time) and their progress follows, in one transaction; audited.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "set_accommodation", actor = self.actor.role_name()))]
    pub async fn set_accommodation(&self, new: NewAccommodation) -> Result<StudentAccommodation> {
        new.accommodation.check()?;
        let mut tx = self.begin().await?;
        if let Some(assessment) = new.assessment_id {
            if assessment_course(&mut tx, assessment).await? != new.course_id {
                return Err(lms_core::Error::InvalidInput {
                    field: "assessment_id",
                    reason: format!(
                        "assessment {assessment} is not an assessment of course {}",
                        new.course_id
                    ),
                }
                .into());
            }
        }
        require_staff(
            &mut tx,
            new.course_id,
            Right::Author,
            "set accommodations in",
        )
        .await?;
        lock_progress(&mut tx, new.course_id, new.student_id).await?;
        let a = &new.accommodation;
        let sql = format!(
            "insert into public.accommodations (course_id, student_id, assessment_id, \
               extra_minutes, time_factor, extra_attempts, closes_at, due_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) \
             on conflict on constraint accommodations_scope_key do update set \
               extra_minutes = excluded.extra_minutes, time_factor = excluded.time_factor, \
               extra_attempts = excluded.extra_attempts, closes_at = excluded.closes_at, \
               due_at = excluded.due_at \
             returning {ACCOMMODATION}"
        );
        let row = sqlx::query(&sql)
            .bind(new.course_id.0)
            .bind(new.student_id.0)
            .bind(new.assessment_id.map(|x| x.0))
            .bind(a.extra_minutes)
            .bind(a.time_factor.as_f64())
            .bind(a.extra_attempts)
            .bind(a.closes_at)
            .bind(a.due_at)
            .fetch_one(tx.conn())
            .await?;
        let stored = accommodation_of(&row)?;
        rerecord_student(&mut tx, new.course_id, new.assessment_id, new.student_id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Removes an accommodation (the course's instructor, an admin or the service); the
    /// student's submitted attempts are recorded again and their progress follows.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "remove_accommodation", actor = self.actor.role_name()))]
    pub async fn remove_accommodation(&self, id: AccommodationId) -> Result<()> {
        let mut tx = self.begin().await?;
        let found = accommodation(&mut tx, id).await?;
        require_staff(
            &mut tx,
            found.course_id,
            Right::Author,
            "remove accommodations in",
        )
        .await?;
        lock_progress(&mut tx, found.course_id, found.student_id).await?;
        let done = sqlx::query("delete from public.accommodations where id = $1")
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("accommodation", id));
        }
        rerecord_student(
            &mut tx,
            found.course_id,
            found.assessment_id,
            found.student_id,
        )
        .await?;
        tx.commit().await
    }

    /// The accommodations of a course the actor may see: all of them for the course's
    /// instructor and admins, a student's own for a student; course-wide ones first, by
    /// student.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "list_accommodations", actor = self.actor.role_name()))]
    pub async fn list_accommodations(&self, course: CourseId) -> Result<Vec<StudentAccommodation>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "select {ACCOMMODATION} from public.accommodations where course_id = $1 \
              order by assessment_id nulls first, student_id, id"
        );
        let found = sqlx::query(&sql)
            .bind(course.0)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(accommodation_of)
            .collect::<sqlx::Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(found)
    }

    /// The attempt rules that apply to `student` at an assessment: its limits, policy,
    /// dates and late policy (its own, else its course's), with the student's
    /// accommodations applied — what a start or a submission decides on. The student
    /// themselves, the course's staff or the service (to anyone else the assessment is
    /// not found, or its rules carry no accommodation they may not read).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "assessment_rules", actor = self.actor.role_name()))]
    pub async fn assessment_rules(
        &self,
        assessment: AssessmentId,
        student: UserId,
    ) -> Result<AttemptRules> {
        let mut tx = self.begin().await?;
        let (_, rules, _) =
            crate::attempts::attempt_rules(&mut tx, assessment, Some(student)).await?;
        tx.commit().await?;
        Ok(rules)
    }
}

/// One accommodation as the actor sees it.
async fn accommodation(tx: &mut Tx, id: AccommodationId) -> Result<StudentAccommodation> {
    let sql = format!("select {ACCOMMODATION} from public.accommodations where id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| Error::not_found("accommodation", id))?;
    Ok(accommodation_of(&row)?)
}

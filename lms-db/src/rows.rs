//! Decoding rows into the `lms-core` entities: [`Db<T>`] wraps an entity so it can
//! implement `sqlx::FromRow` here, at the edge, keeping `lms-core` free of sqlx. Enum
//! columns are selected as text and parsed by the core's `FromStr`; columns with a unit
//! in their Rust name (`estimated_duration_minutes`, `time_spent_seconds`) are read from
//! the spec's column names.
//!
//! [`select`] runs a query whose rows are entities and returns the entities themselves;
//! [`Update`] changes only the columns given of one row. [`document`] and [`json`] give
//! the values of JSONB columns.

use std::str::FromStr;

use lms_core::attempts::AttemptHistory;
use lms_core::delivery::{Hundredths, LatePolicy, Schedule};
use lms_core::documents::{Document, GradingScheme};
use lms_core::model::*;
use lms_core::repo::Page;
use serde::Serialize;
use serde_json::Value;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryAs;
use sqlx::{FromRow, PgConnection, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use crate::error::Result;

/// An entity decoded from a row.
#[derive(Debug)]
pub(crate) struct Db<T>(pub T);

/// A query whose rows decode to entities `T` (through [`Db<T>`]): bind its parameters
/// with [`Select::bind`], then fetch with [`Select::optional`], [`Select::all`] or
/// [`Select::one`].
pub(crate) struct Select<'q, T>(QueryAs<'q, Postgres, Db<T>, PgArguments>);

/// `sql`, whose rows decode to entities `T`.
pub(crate) fn select<T>(sql: &str) -> Select<'_, T>
where
    Db<T>: for<'r> FromRow<'r, PgRow>,
{
    Select(sqlx::query_as(sql))
}

impl<'q, T> From<QueryAs<'q, Postgres, Db<T>, PgArguments>> for Select<'q, T> {
    /// A query already built, e.g. by a `QueryBuilder`.
    fn from(query: QueryAs<'q, Postgres, Db<T>, PgArguments>) -> Self {
        Select(query)
    }
}

impl<'q, T> Select<'q, T>
where
    T: Send + Unpin,
    Db<T>: for<'r> FromRow<'r, PgRow>,
{
    /// Binds the next parameter (`$1`, `$2`, … in order).
    pub(crate) fn bind<V: 'q + sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres>>(
        self,
        value: V,
    ) -> Self {
        Select(self.0.bind(value))
    }

    /// The entity of the first row, if any.
    pub(crate) async fn optional(self, conn: &mut PgConnection) -> Result<Option<T>> {
        Ok(self.0.fetch_optional(conn).await?.map(|d| d.0))
    }

    /// The entities of every row.
    pub(crate) async fn all(self, conn: &mut PgConnection) -> Result<Vec<T>> {
        Ok(self
            .0
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|d| d.0)
            .collect())
    }

    /// The entity of the one row the query must return (`RowNotFound` otherwise).
    pub(crate) async fn one(self, conn: &mut PgConnection) -> Result<T> {
        Ok(self.0.fetch_one(conn).await?.0)
    }
}

/// Row `id` of `public.{table}` as an entity (`columns` its columns), if the actor can
/// see it.
pub(crate) async fn by_id<T>(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    id: Uuid,
) -> Result<Option<T>>
where
    T: Send + Unpin,
    Db<T>: for<'r> FromRow<'r, PgRow>,
{
    let sql = format!("select {columns} from public.{table} where id = $1");
    select(&sql).bind(id).optional(conn).await
}

/// An `update public.<table> set …` of one row by id, naming only the columns given
/// (column privileges are checked per column named).
pub(crate) struct Update<'a> {
    q: QueryBuilder<'a, Postgres>,
    empty: bool,
}

impl<'a> Update<'a> {
    /// An update of `public.{table}` setting nothing yet.
    pub(crate) fn new(table: &str) -> Self {
        Update {
            q: QueryBuilder::new(format!("update public.{table} set")),
            empty: true,
        }
    }

    /// Sets `column` to `value`.
    pub(crate) fn set<T>(&mut self, column: &str, value: T)
    where
        T: 'a + sqlx::Encode<'a, Postgres> + sqlx::Type<Postgres> + Send,
    {
        self.q.push(if self.empty { " " } else { ", " });
        self.empty = false;
        self.q.push(column).push(" = ").push_bind(value);
    }

    /// Sets `column` to `value` when one is given.
    pub(crate) fn set_some<T>(&mut self, column: &str, value: Option<T>)
    where
        T: 'a + sqlx::Encode<'a, Postgres> + sqlx::Type<Postgres> + Send,
    {
        if let Some(v) = value {
            self.set(column, v);
        }
    }

    /// Sets an enum `column` to `value` bound as text and cast to `cast`.
    pub(crate) fn set_cast(&mut self, column: &str, value: Option<String>, cast: &str) {
        self.set(column, value);
        self.q.push("::").push(cast);
    }

    /// Whether no column is set.
    pub(crate) fn is_empty(&self) -> bool {
        self.empty
    }

    /// Runs it on row `id`; the number of rows changed.
    pub(crate) async fn execute(mut self, conn: &mut PgConnection, id: Uuid) -> Result<u64> {
        self.q.push(" where id = ").push_bind(id);
        Ok(self.q.build().execute(conn).await?.rows_affected())
    }

    /// Runs it on row `id` and returns the row changed as an entity (`columns` its
    /// columns); `None` when no row was changed.
    pub(crate) async fn returning<T>(
        mut self,
        conn: &mut PgConnection,
        id: Uuid,
        columns: &str,
    ) -> Result<Option<T>>
    where
        T: Send + Unpin,
        Db<T>: for<'r> FromRow<'r, PgRow>,
    {
        self.q.push(" where id = ").push_bind(id);
        self.q.push(format!(" returning {columns}"));
        Select::from(self.q.build_query_as()).optional(conn).await
    }
}

/// `limit` and `offset` of a page, clamped by [`Page::new`].
pub(crate) fn paging(page: Page) -> (i64, i64) {
    let page = Page::new(page.limit, page.offset);
    (i64::from(page.limit), i64::from(page.offset))
}

/// The entities of `sql`, whose one parameter `$1` is `key`: every row, or the rows of
/// `page` (clamped by [`Page::new`], appended as `limit $2 offset $3`).
pub(crate) async fn list<T>(
    conn: &mut PgConnection,
    sql: &str,
    key: Uuid,
    page: Option<Page>,
) -> Result<Vec<T>>
where
    T: Send + Unpin,
    Db<T>: for<'r> FromRow<'r, PgRow>,
{
    let Some(page) = page else {
        return select(sql).bind(key).all(conn).await;
    };
    let (limit, offset) = paging(page);
    let sql = format!("{sql} limit $2 offset $3");
    select(&sql)
        .bind(key)
        .bind(limit)
        .bind(offset)
        .all(conn)
        .await
}

/// A value as JSON for a JSONB column; `InvalidInput` on `field` if it has no JSON form.
pub(crate) fn json<T: Serialize>(field: &'static str, value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| {
        lms_core::Error::InvalidInput {
            field,
            reason: e.to_string(),
        }
        .into()
    })
}

/// Validates a document with `lms-core` and returns its normalized JSON.
pub(crate) fn document<T: Document>(field: &'static str, value: &Value) -> Result<Value> {
    json(field, &T::validate(value).map_err(lms_core::Error::from)?)
}

/// A text column parsed by `T`'s `FromStr` (enums selected as text).
pub(crate) fn parse<T>(row: &PgRow, column: &str) -> sqlx::Result<T>
where
    T: FromStr,
    T::Err: Into<sqlx::error::BoxDynError>,
{
    from_text(column, &row.try_get::<String, _>(column)?)
}

/// A nullable text column parsed like [`parse`].
fn opt_parse<T>(row: &PgRow, column: &str) -> sqlx::Result<Option<T>>
where
    T: FromStr,
    T::Err: Into<sqlx::error::BoxDynError>,
{
    row.try_get::<Option<String>, _>(column)?
        .map(|text| from_text(column, &text))
        .transpose()
}

fn from_text<T>(column: &str, text: &str) -> sqlx::Result<T>
where
    T: FromStr,
    T::Err: Into<sqlx::error::BoxDynError>,
{
    T::from_str(text).map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: e.into(),
    })
}

fn ids<T: From<Uuid>>(row: &PgRow, column: &str) -> sqlx::Result<Vec<T>> {
    let raw: Vec<Uuid> = row.try_get(column)?;
    Ok(raw.into_iter().map(T::from).collect())
}

fn id<T: From<Uuid>>(row: &PgRow, column: &str) -> sqlx::Result<T> {
    Ok(T::from(row.try_get::<Uuid, _>(column)?))
}

fn opt_id<T: From<Uuid>>(row: &PgRow, column: &str) -> sqlx::Result<Option<T>> {
    Ok(row.try_get::<Option<Uuid>, _>(column)?.map(T::from))
}

/// Columns of `profiles`, enum as text.
pub(crate) const PROFILE: &str = "id, email, role::text as role, first_name, last_name, \
    avatar_url, learning_preferences, knowledge_profile, created_at, updated_at";

impl FromRow<'_, PgRow> for Db<Profile> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(Profile {
            id: id(row, "id")?,
            email: row.try_get("email")?,
            role: parse(row, "role")?,
            first_name: row.try_get("first_name")?,
            last_name: row.try_get("last_name")?,
            avatar_url: row.try_get("avatar_url")?,
            learning_preferences: row.try_get("learning_preferences")?,
            knowledge_profile: row.try_get("knowledge_profile")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }
}

/// Columns of `courses`, enum as text.
pub(crate) const COURSE: &str = "id, title, description, instructor_id, final_assessment_id, \
    tags, difficulty_level::text as difficulty_level, estimated_duration, is_published, \
    late_deduction_percent::float8 as late_deduction_percent, late_deduction_interval, \
    late_floor_percent::float8 as late_floor_percent, \
    late_missing_percent::float8 as late_missing_percent, grading_scheme, created_at, updated_at";

impl FromRow<'_, PgRow> for Db<Course> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(Course {
            id: id(row, "id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            instructor_id: id(row, "instructor_id")?,
            final_assessment_id: opt_id(row, "final_assessment_id")?,
            tags: row.try_get("tags")?,
            difficulty_level: opt_parse(row, "difficulty_level")?,
            estimated_duration_minutes: row.try_get("estimated_duration")?,
            is_published: row.try_get("is_published")?,
            late_policy: late_policy(row)?,
            grading_scheme: row
                .try_get::<sqlx::types::Json<GradingScheme>, _>("grading_scheme")?
                .0,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }
}

/// A hundredths column read as `float8` (a percentage or a factor); a value that is no
/// exact hundredth fails to decode rather than being silently replaced.
pub(crate) fn hundredths(column: &str, value: f64) -> sqlx::Result<Hundredths> {
    Hundredths::from_f64(value).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("{value} is not a number of hundredths").into(),
    })
}

/// A late policy from the `late_deduction_percent`, `late_deduction_interval`,
/// `late_floor_percent` and `late_missing_percent` columns (the percentages as `float8`);
/// `None` when unset.
pub(crate) fn late_policy(row: &PgRow) -> sqlx::Result<Option<LatePolicy>> {
    let Some(deduction) = row.try_get::<Option<f64>, _>("late_deduction_percent")? else {
        return Ok(None);
    };
    Ok(Some(LatePolicy {
        deduction_percent: hundredths("late_deduction_percent", deduction)?,
        interval: named(row, "late_deduction_interval")?,
        floor_percent: hundredths(
            "late_floor_percent",
            row.try_get::<Option<f64>, _>("late_floor_percent")?
                .unwrap_or(0.0),
        )?,
        missing_percent: row
            .try_get::<Option<f64>, _>("late_missing_percent")?
            .map(|m| hundredths("late_missing_percent", m))
            .transpose()?,
    }))
}

/// A late policy as its four columns hold it (each `None` without a policy).
pub(crate) struct LateColumns {
    /// `late_deduction_percent`.
    pub(crate) percent: Option<f64>,
    /// `late_deduction_interval`.
    pub(crate) interval: Option<String>,
    /// `late_floor_percent`.
    pub(crate) floor: Option<f64>,
    /// `late_missing_percent`.
    pub(crate) missing: Option<f64>,
}

/// The columns of a late policy (or of none).
pub(crate) fn late_columns(policy: Option<&LatePolicy>) -> LateColumns {
    LateColumns {
        percent: policy.map(|p| p.deduction_percent.as_f64()),
        interval: policy.map(|p| name_of(&p.interval)),
        floor: policy.map(|p| p.floor_percent.as_f64()),
        missing: policy
            .and_then(|p| p.missing_percent)
            .map(Hundredths::as_f64),
    }
}

impl LateColumns {
    /// Sets the four columns in `update`.
    pub(crate) fn set_on(self, update: &mut Update<'_>) {
        update.set_some("late_deduction_percent", Some(self.percent));
        update.set_some("late_deduction_interval", Some(self.interval));
        update.set_some("late_floor_percent", Some(self.floor));
        update.set_some("late_missing_percent", Some(self.missing));
    }
}

/// Columns of `lessons`.
pub(crate) const LESSON: &str = "id, course_id, title, description, order_index, \
    learning_objectives, estimated_duration, assessment_id, prerequisites, is_published, \
    unlocks_at, created_at, updated_at";

impl FromRow<'_, PgRow> for Db<Lesson> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(Lesson {
            id: id(row, "id")?,
            course_id: id(row, "course_id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            order_index: row.try_get("order_index")?,
            learning_objectives: row.try_get("learning_objectives")?,
            estimated_duration_minutes: row.try_get("estimated_duration")?,
            assessment_id: opt_id(row, "assessment_id")?,
            prerequisites: ids(row, "prerequisites")?,
            is_published: row.try_get("is_published")?,
            unlocks_at: row.try_get("unlocks_at")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }
}

/// Columns of `content_blocks`, enum as text.
pub(crate) const BLOCK: &str = "id, lesson_id, type::text as type, content, order_index, \
    metadata, created_at, updated_at";

impl FromRow<'_, PgRow> for Db<ContentBlock> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(ContentBlock {
            id: id(row, "id")?,
            lesson_id: id(row, "lesson_id")?,
            content_type: parse(row, "type")?,
            content: row.try_get("content")?,
            order_index: row.try_get("order_index")?,
            metadata: row.try_get("metadata")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }
}

/// Columns of `enrollments`.
pub(crate) const ENROLLMENT: &str =
    "id, student_id, course_id, enrolled_at, completed_at, progress";

/// [`ENROLLMENT`] of the relation `e`, for joins.
pub(crate) const ENROLLMENT_OF_E: &str =
    "e.id, e.student_id, e.course_id, e.enrolled_at, e.completed_at, e.progress";

impl FromRow<'_, PgRow> for Db<Enrollment> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(Enrollment {
            id: id(row, "id")?,
            student_id: id(row, "student_id")?,
            course_id: id(row, "course_id")?,
            enrolled_at: row.try_get("enrolled_at")?,
            completed_at: row.try_get("completed_at")?,
            progress: row.try_get("progress")?,
        }))
    }
}

/// Columns of `assessments` (with the answer keys: read only on the trusted path or by
/// the course's instructor).
pub(crate) const ASSESSMENT: &str = "id, lesson_id, course_id, title, description, questions, \
    ai_generated, source_content_ids, is_mandatory, minimum_passing_score, max_attempts, \
    time_limit, grading_method, retake_policy, attempt_delay_seconds, \
    later_attempt_delay_seconds, time_limit_policy, grace_seconds, shuffle_questions, \
    shuffle_options, draw_questions, review_score, review_correctness, review_feedback, \
    review_answers, questions_version, \
    opens_at, closes_at, due_at, late_deduction_percent::float8 as late_deduction_percent, \
    late_deduction_interval, late_floor_percent::float8 as late_floor_percent, \
    late_missing_percent::float8 as late_missing_percent, created_at, updated_at";

/// A text column holding a serde enum's snake_case name.
pub(crate) fn named<T: serde::de::DeserializeOwned>(row: &PgRow, column: &str) -> sqlx::Result<T> {
    let text: String = row.try_get(column)?;
    serde_json::from_value(Value::String(text.clone())).map_err(|_| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("`{text}` is not a known value").into(),
    })
}

/// The attempt policy columns of an `assessments` row.
/// The columns of an assessment's attempt rules and passing score, as
/// [`attempt_rules`] reads them (unqualified: from `public.assessments`).
/// The attempt rules of the assessment `a` (with its lesson `l`, left joined) for the
/// student `student` (a SQL expression; `null` for the rules without accommodations):
/// its limits, policy, dates, passing score, the late policy that applies (its own,
/// else its course's, as JSON) and the student's accommodations (course-wide or of this
/// assessment, as a JSON array). Read as the actor: every reader of the assessment may
/// read these; a student reads only their own accommodations.
pub(crate) fn attempt_rules_sql(student: &str) -> String {
    format!(
        "a.max_attempts, a.time_limit, a.minimum_passing_score, a.grading_method, \
         a.retake_policy, a.attempt_delay_seconds, a.later_attempt_delay_seconds, \
         a.time_limit_policy, a.grace_seconds, a.shuffle_questions, a.shuffle_options, \
         a.draw_questions, a.review_score, a.review_correctness, a.review_feedback, \
         a.review_answers, \
         a.opens_at, a.closes_at, a.due_at, {} as late_policy, \
         (select coalesce(json_agg(json_build_object( \
                   'extra_minutes', o.extra_minutes, 'time_factor', o.time_factor, \
                   'extra_attempts', o.extra_attempts, 'closes_at', o.closes_at, \
                   'due_at', o.due_at)), '[]') \
            from public.accommodations o \
           where o.student_id = {student} \
             and o.course_id = coalesce(a.course_id, l.course_id) \
             and (o.assessment_id is null or o.assessment_id = a.id)) as accommodations",
        LATE_POLICY_SQL
    )
}

/// The late policy that applies to the assessment `a` (lesson `l` left joined): its own,
/// else its course's, as a JSON [`LatePolicy`]; null when neither has one.
pub(crate) const LATE_POLICY_SQL: &str = "case when a.late_deduction_percent is not null \
      then json_build_object('deduction_percent', a.late_deduction_percent, \
             'interval', a.late_deduction_interval, 'floor_percent', a.late_floor_percent) \
      else (select json_build_object('deduction_percent', c.late_deduction_percent, \
                     'interval', c.late_deduction_interval, \
                     'floor_percent', c.late_floor_percent) \
              from public.courses c \
             where c.id = coalesce(a.course_id, l.course_id) \
               and c.late_deduction_percent is not null) end";

/// An assessment's attempt rules for one student — accommodations applied
/// ([`lms_core::delivery::accommodate`]) — and its passing score, from the columns of
/// [`attempt_rules_sql`].
pub(crate) fn attempt_rules(row: &PgRow) -> sqlx::Result<(lms_core::attempts::AttemptRules, i32)> {
    let late_policy = row
        .try_get::<Option<sqlx::types::Json<LatePolicy>>, _>("late_policy")?
        .map(|j| j.0);
    let accommodations = row
        .try_get::<sqlx::types::Json<Vec<lms_core::delivery::Accommodation>>, _>("accommodations")?
        .0;
    let rules = lms_core::attempts::AttemptRules {
        max_attempts: row.try_get("max_attempts")?,
        time_limit_minutes: row.try_get("time_limit")?,
        policy: policy(row)?,
        schedule: schedule(row)?,
        late_policy,
    };
    Ok((
        lms_core::delivery::accommodate(&rules, &accommodations),
        row.try_get("minimum_passing_score")?,
    ))
}

/// An assessment's dates from its `opens_at`, `closes_at` and `due_at` columns.
pub(crate) fn schedule(row: &PgRow) -> sqlx::Result<Schedule> {
    Ok(Schedule {
        opens_at: row.try_get("opens_at")?,
        closes_at: row.try_get("closes_at")?,
        due_at: row.try_get("due_at")?,
    })
}

pub(crate) fn policy(row: &PgRow) -> sqlx::Result<lms_core::attempts::AttemptPolicy> {
    Ok(lms_core::attempts::AttemptPolicy {
        grading_method: named(row, "grading_method")?,
        retake_policy: named(row, "retake_policy")?,
        attempt_delay_seconds: row.try_get::<i32, _>("attempt_delay_seconds")?.into(),
        later_attempt_delay_seconds: row.try_get::<i32, _>("later_attempt_delay_seconds")?.into(),
        time_limit_policy: named(row, "time_limit_policy")?,
        grace_seconds: row.try_get::<i32, _>("grace_seconds")?.into(),
        shuffle_questions: row.try_get("shuffle_questions")?,
        shuffle_options: row.try_get("shuffle_options")?,
        draw_questions: row
            .try_get::<Option<i32>, _>("draw_questions")?
            .and_then(|n| u32::try_from(n).ok()),
        review: lms_core::delivery::ReviewOptions {
            score: named(row, "review_score")?,
            correctness: named(row, "review_correctness")?,
            feedback: named(row, "review_feedback")?,
            answers: named(row, "review_answers")?,
        },
    })
}

/// The snake_case name of a serde enum value, as its text column holds it.
pub(crate) fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

impl FromRow<'_, PgRow> for Db<Assessment> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(Assessment {
            id: id(row, "id")?,
            lesson_id: opt_id(row, "lesson_id")?,
            course_id: opt_id(row, "course_id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            questions: row.try_get("questions")?,
            ai_generated: row.try_get("ai_generated")?,
            source_content_ids: ids(row, "source_content_ids")?,
            is_mandatory: row.try_get("is_mandatory")?,
            minimum_passing_score: row.try_get("minimum_passing_score")?,
            max_attempts: row.try_get("max_attempts")?,
            time_limit_minutes: row.try_get("time_limit")?,
            policy: policy(row)?,
            schedule: schedule(row)?,
            late_policy: late_policy(row)?,
            questions_version: row.try_get("questions_version")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }
}

/// Columns of `assessment_attempts` (the exact points in millionths, as
/// `exact_points_micros`).
pub(crate) const ATTEMPT: &str = "id, assessment_id, student_id, attempt_number, answers, score, \
    points_earned, round(exact_points_earned * 1000000)::bigint as exact_points_micros, \
    total_points, passed, time_spent, started_at, submitted_at, abandoned_at, \
    questions_version, feedback, late_seconds, \
    round(raw_points_earned * 1000000)::bigint as raw_points_micros, raw_score";

/// Exact points from a column of millionths (`… * 1000000)::bigint`).
fn micros(row: &PgRow, column: &str) -> sqlx::Result<Option<lms_core::documents::Points>> {
    Ok(row
        .try_get::<Option<i64>, _>(column)?
        .and_then(|m| u64::try_from(m).ok())
        .map(lms_core::documents::Points::from_micros))
}

impl FromRow<'_, PgRow> for Db<AssessmentAttempt> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(AssessmentAttempt {
            id: id(row, "id")?,
            assessment_id: id(row, "assessment_id")?,
            student_id: id(row, "student_id")?,
            attempt_number: row.try_get("attempt_number")?,
            answers: row.try_get("answers")?,
            score: row.try_get("score")?,
            points_earned: row.try_get("points_earned")?,
            exact_points_earned: micros(row, "exact_points_micros")?,
            total_points: row.try_get("total_points")?,
            passed: row.try_get("passed")?,
            time_spent_seconds: row.try_get("time_spent")?,
            started_at: row.try_get("started_at")?,
            submitted_at: row.try_get("submitted_at")?,
            abandoned_at: row.try_get("abandoned_at")?,
            questions_version: row.try_get("questions_version")?,
            feedback: row.try_get("feedback")?,
            late_seconds: row.try_get("late_seconds")?,
            raw_points_earned: micros(row, "raw_points_micros")?,
            raw_score: row.try_get("raw_score")?,
        }))
    }
}

/// A row of [`histories_sql`]: a picked attempt's summary columns (no documents, kind
/// `pick`), a sum of points of the graded finished attempts out of one total (`sum`), or
/// the number of attempts (`count`). Read from a row or from its JSON (`json_agg`).
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct HistoryRow {
    kind: String,
    assessment_id: Uuid,
    attempt_number: Option<i32>,
    started_at: Option<chrono::DateTime<chrono::Utc>>,
    submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    abandoned_at: Option<chrono::DateTime<chrono::Utc>>,
    score: Option<i32>,
    passed: Option<bool>,
    exact_points_micros: Option<i64>,
    total_points: Option<i32>,
    earned: Option<String>,
    n: Option<i64>,
}

impl HistoryRow {
    /// What the attempt rules need of a picked attempt.
    fn summary(&self) -> sqlx::Result<lms_core::attempts::AttemptSummary> {
        let (Some(attempt_number), Some(started_at)) = (self.attempt_number, self.started_at)
        else {
            return Err(sqlx::Error::Decode(
                "a picked attempt without its number".into(),
            ));
        };
        Ok(lms_core::attempts::AttemptSummary {
            attempt_number,
            started_at,
            submitted_at: self.submitted_at,
            abandoned_at: self.abandoned_at,
            score: self.score,
            passed: self.passed,
            points_earned: self
                .exact_points_micros
                .and_then(|m| u64::try_from(m).ok())
                .map(lms_core::documents::Points::from_micros),
            total_points: self.total_points.and_then(|t| u32::try_from(t).ok()),
        })
    }
}

/// Whose attempt histories [`histories_sql`] reads (of one student).
#[derive(Clone, Copy)]
pub(crate) enum HistoriesOf {
    /// At one assessment (`$2`).
    Assessment,
    /// At every assessment of a course (`$2`) the progress refresh counts: the course's
    /// own (its final exam) and those of its published lessons; all but `$3`, whose
    /// history the caller knows.
    Course,
}

/// A student's [`AttemptHistory`] at one assessment, by assessment (none when they never
/// attempted it): the reduction of [`AttemptHistory::of`] computed in the database, so that
/// only the few attempts a rule may single out and the sums of an average leave it,
/// however long the history (`lms-db/tests/history.rs` checks it against the whole
/// list). It still reads each attempt's summary columns once, in the database.
/// Read as the caller's role: the student's own attempts, or on the trusted path.
pub(crate) async fn histories(
    tx: &mut crate::session::Tx,
    student: lms_core::model::UserId,
    assessment: Uuid,
) -> crate::error::Result<std::collections::HashMap<Uuid, AttemptHistory>> {
    let found: Vec<HistoryRow> =
        sqlx::query_as(&histories_sql(HistoriesOf::Assessment, "$1", "$2", "null"))
            .bind(student.0)
            .bind(assessment)
            .fetch_all(tx.conn())
            .await?;
    Ok(collect_histories(found)?)
}

/// The statement of [`histories`], its parameters named by the caller (`$1`, … or any
/// SQL expression, each used more than once): `student`, `of`'s assessment or course,
/// `except` an assessment left out (a null uuid for none). Rows as [`HistoryRow`].
pub(crate) fn histories_sql(of: HistoriesOf, student: &str, id: &str, except: &str) -> String {
    let filter = match of {
        HistoriesOf::Assessment => format!("assessment_id = {id}"),
        HistoriesOf::Course => format!(
            "assessment_id in (select id from public.assessments where course_id = {id} \
               or lesson_id in (select id from public.lessons \
                                 where course_id = {id} and is_published))"
        ),
    };
    // One scan of the attempts (index-only: `idx_assessment_attempts_history` holds every
    // column read here and in the attempts policy), grouped by assessment and by
    // assessment and points total: the numbers of the attempts a rule may single out, and per total the sum
    // and count of the graded finished attempts' parts and the first best of them. An
    // attempt's `part` is its earned millionths (at most the total) or, graded without
    // exact points (`part_of` null), its score out of 100. The best attempt of a group
    // is the greatest `part`, the first of equals: the maximum of part × 10¹⁰ +
    // (2³¹ − 1 − number), decoded back to its number. Then the picked attempts' rows by
    // their numbers, each one a probe of the unique (assessment, student, number) index
    // (`offset 0` keeps the planner from turning the probes into a scan of every attempt
    // of the student, which its estimate for a generic plan makes look cheap).
    format!(
        "with x as ( \
           select assessment_id, attempt_number, passed, \
                  submitted_at is not null and abandoned_at is null as finished, \
                  submitted_at is null and abandoned_at is null as open, \
                  score is not null and submitted_at is not null and abandoned_at is null \
                    as graded, \
                  case when exact_points_earned is not null and total_points > 0 \
                       then total_points end as part_of, \
                  case when exact_points_earned is not null and total_points > 0 \
                       then least(exact_points_earned, total_points) * 1000000 \
                       else least(greatest(score, 0), 100) end as part \
             from public.assessment_attempts \
            where student_id = {student} and {filter} \
              and ({except}::uuid is null or assessment_id <> {except})), \
         g as ( \
           select assessment_id, part_of, grouping(part_of) = 1 as whole, count(*) as n, \
                  max(attempt_number) as last_number, \
                  min(attempt_number) filter (where finished) as first_finished, \
                  max(attempt_number) filter (where finished) as last_finished, \
                  min(attempt_number) filter (where passed) as first_passed, \
                  array_agg(attempt_number) filter (where open) as open_numbers, \
                  count(*) filter (where graded) as graded, \
                  round(sum(part) filter (where graded)) as earned, \
                  2147483647 - (max(round(part) * 10000000000 + (2147483647 - attempt_number)) \
                                  filter (where graded) % 10000000000) as best_number \
             from x group by grouping sets ((assessment_id), (assessment_id, part_of))), \
         numbers as ( \
           select assessment_id, \
                  unnest(array[last_number, first_finished, last_finished, first_passed] \
                         || coalesce(open_numbers, '{{}}')) as n \
             from g where whole \
           union select assessment_id, best_number from g where not whole and graded > 0) \
         select 'pick' as kind, t.assessment_id, t.attempt_number, t.started_at, \
                t.submitted_at, t.abandoned_at, t.score, t.passed, \
                round(t.exact_points_earned * 1000000)::bigint as exact_points_micros, \
                t.total_points, null::text as earned, null::bigint as n \
           from numbers \
           cross join lateral ( \
             select t.assessment_id, t.attempt_number, t.started_at, t.submitted_at, \
                    t.abandoned_at, t.score, t.passed, t.exact_points_earned, t.total_points \
               from public.assessment_attempts t \
              where t.assessment_id = numbers.assessment_id and t.student_id = {student} \
                and t.attempt_number = numbers.n::int \
             offset 0) t \
         union all \
         select 'sum', assessment_id, null, null, null, null, null, null, null, part_of, \
                earned::text, graded from g where not whole and graded > 0 \
         union all \
         select 'count', assessment_id, null, null, null, null, null, null, null, null, null, \
                n from g where whole"
    )
}

/// The [`AttemptHistory`] per assessment of the rows of [`histories_sql`].
pub(crate) fn collect_histories(
    found: Vec<HistoryRow>,
) -> sqlx::Result<std::collections::HashMap<Uuid, AttemptHistory>> {
    let mut out: std::collections::HashMap<Uuid, AttemptHistory> = Default::default();
    for row in found {
        let history = out.entry(row.assessment_id).or_default();
        match row.kind.as_str() {
            "pick" => history.picks.push(row.summary()?),
            "sum" => {
                let earned = row.earned.as_deref().unwrap_or_default();
                history.sums.push(lms_core::attempts::FractionSum {
                    total_points: row.total_points.and_then(|t| u32::try_from(t).ok()),
                    earned: earned.parse().map_err(|_| {
                        sqlx::Error::Decode(format!("a sum of points: {earned}").into())
                    })?,
                    count: row.n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
                })
            }
            _ => {
                history.attempts = row
                    .n
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(u32::MAX)
            }
        }
    }
    for history in out.values_mut() {
        history.picks.sort_by_key(|a| a.attempt_number);
        history.sums.sort_by_key(|s| s.total_points);
    }
    Ok(out)
}

/// Columns of `student_progress`, enum as text.
pub(crate) const PROGRESS: &str = "id, student_id, course_id, lesson_id, assessment_id, \
    status::text as status, completion_percentage, last_accessed, time_spent, attempts_count, \
    best_score, created_at, updated_at";

impl FromRow<'_, PgRow> for Db<StudentProgress> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(StudentProgress {
            id: id(row, "id")?,
            student_id: id(row, "student_id")?,
            course_id: id(row, "course_id")?,
            lesson_id: opt_id(row, "lesson_id")?,
            assessment_id: opt_id(row, "assessment_id")?,
            status: parse(row, "status")?,
            completion_percentage: row.try_get("completion_percentage")?,
            last_accessed: row.try_get("last_accessed")?,
            time_spent_seconds: row.try_get("time_spent")?,
            attempts_count: row.try_get("attempts_count")?,
            best_score: row.try_get("best_score")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }
}

/// Columns of `personalized_roadmaps`, enum as text.
pub(crate) const ROADMAP: &str = "id, student_id, course_id, roadmap_data, ai_reasoning, \
    status::text as status, generated_at, updated_at";

/// [`ROADMAP`] of `personalized_roadmaps r`.
pub(crate) const ROADMAP_OF_R: &str = "r.id, r.student_id, r.course_id, r.roadmap_data, \
    r.ai_reasoning, r.status::text as status, r.generated_at, r.updated_at";

impl FromRow<'_, PgRow> for Db<PersonalizedRoadmap> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(PersonalizedRoadmap {
            id: id(row, "id")?,
            student_id: id(row, "student_id")?,
            course_id: row.try_get::<Option<Uuid>, _>("course_id")?.map(CourseId),
            roadmap_data: row.try_get("roadmap_data")?,
            ai_reasoning: row.try_get("ai_reasoning")?,
            status: parse(row, "status")?,
            generated_at: row.try_get("generated_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }
}

/// Columns of `learning_progress`.
pub(crate) const LEARNING: &str = "id, student_id, content_id, content_type, progress_data, \
    completed_at, time_spent, created_at, updated_at";

impl FromRow<'_, PgRow> for Db<LearningProgress> {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(Db(LearningProgress {
            id: id(row, "id")?,
            student_id: id(row, "student_id")?,
            content_id: row.try_get("content_id")?,
            content_type: row.try_get("content_type")?,
            progress_data: row.try_get("progress_data")?,
            completed_at: row.try_get("completed_at")?,
            time_spent_seconds: row.try_get("time_spent")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }
}

/// The text inputs of a use case, checked before anything is sent for what PostgreSQL's
/// `text` cannot hold (U+0000): every field holding one is a problem of an
/// `invalid_document` error on `document`, so that bad input never reads as a database
/// failure.
pub(crate) struct Texts {
    document: &'static str,
    problems: Vec<lms_core::documents::Problem>,
}

impl Texts {
    /// The text fields of `document` (`course`, `lesson`, …), none checked yet.
    pub(crate) fn of(document: &'static str) -> Self {
        Texts {
            document,
            problems: Vec::new(),
        }
    }

    /// Checks field `field`, when given.
    pub(crate) fn one(mut self, field: &str, value: Option<&str>) -> Self {
        if value.is_some_and(|v| v.contains('\0')) {
            self.problems.push(lms_core::documents::Problem {
                path: pointer(field),
                reason: "must not contain the NUL character (U+0000)".into(),
            });
        }
        self
    }

    /// Checks each text of list field `field`, when given.
    pub(crate) fn many(mut self, field: &str, values: Option<&[String]>) -> Self {
        for (i, v) in values.unwrap_or_default().iter().enumerate() {
            if v.contains('\0') {
                self.problems.push(lms_core::documents::Problem {
                    path: format!("{}/{i}", pointer(field)),
                    reason: "must not contain the NUL character (U+0000)".into(),
                });
            }
        }
        self
    }

    /// `invalid_document` listing every problem, if there is one.
    pub(crate) fn check(self) -> Result<()> {
        if self.problems.is_empty() {
            return Ok(());
        }
        Err(
            lms_core::Error::InvalidDocument(lms_core::documents::InvalidDocument {
                document: self.document,
                problems: self.problems,
            })
            .into(),
        )
    }
}

/// The JSON pointer of a top-level field.
fn pointer(field: &str) -> String {
    format!("/{}", field.replace('~', "~0").replace('/', "~1"))
}

//! `Lms` (a connection pool) and `Scope` (every use case, acting for one actor): each
//! method converts its arguments, runs the Rust use case on napi's tokio runtime (never
//! on the event loop) and resolves with the result or rejects with the library's error
//! (see `errors`). There is no SQL here, no transaction handle and no way to switch roles.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lms_core::model::*;
use lms_core::repo::{
    AssessmentOwner, AssessmentPatch, ContentBlockPatch, CourseFilter, CoursePatch, LessonPatch,
    NewAssessment, NewContentBlock, NewCourse, NewLesson, NewUser, Page, ProfilePatch,
};
use lms_db::AuditFilter;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::convert::{camelize, count, from_js, id, ids, int, opt_int, snakeize, to_js, Json};
use crate::errors;

/// What a client and its scopes share.
struct Shared {
    lms: lms_db::Lms,
    closed: AtomicBool,
}

/// A value of the library as JSON, or the error's body.
type Outcome = std::result::Result<Value, lms_core::ErrorBody>;

/// Runs a use case on napi's runtime; the promise resolves with its result (camelCase
/// outside documents) or rejects with its error.
fn run<'env, T, F>(
    env: &'env Env,
    shared: &Shared,
    fut: F,
) -> Result<PromiseRaw<'env, Unknown<'env>>>
where
    T: Serialize,
    F: Future<Output = lms_db::Result<T>> + Send + 'static,
{
    run_as(env, shared, fut, false)
}

/// [`run`], the result as the library writes it (snake_case) when `raw`: for values that
/// go back to the library as they are (a planner's input, a knowledge model).
fn run_as<'env, T, F>(
    env: &'env Env,
    shared: &Shared,
    fut: F,
    raw: bool,
) -> Result<PromiseRaw<'env, Unknown<'env>>>
where
    T: Serialize,
    F: Future<Output = lms_db::Result<T>> + Send + 'static,
{
    if shared.closed.load(Ordering::Acquire) {
        return Err(errors::usage(env, "this client is closed: connect again"));
    }
    env.spawn_future_with_callback(
        async move {
            let outcome: Outcome = match fut.await {
                Ok(t) => serde_json::to_value(t).map_err(|e| {
                    lms_core::Error::InvalidInput {
                        field: "output",
                        reason: e.to_string(),
                    }
                    .body()
                }),
                Err(e) => Err(e.body()),
            };
            Ok(outcome)
        },
        move |env, outcome: Outcome| match outcome {
            Ok(value) => to_js(env, &if raw { value } else { camelize(value) }),
            Err(body) => Err(errors::from_body(env, &body)),
        },
    )
}

/// An optional user id argument.
fn optional_user(env: &Env, what: &str, value: Option<String>) -> Result<Option<UserId>> {
    value.map(|s| id(env, what, &s).map(UserId)).transpose()
}

/// Arguments as the library's input type `T`; a mismatch is a `TypeError`.
fn input<T: DeserializeOwned>(env: &Env, what: &str, value: Value) -> Result<T> {
    serde_json::from_value(value)
        .map_err(|e| errors::invalid_argument(env, &format!("{what}: {e}")))
}

/// The options of `itemAnalysis`.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ItemAnalysisOptions {
    attempts: lms_db::AttemptFilter,
}

/// The options of `activity`.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ActivityOptions {
    bucket: lms_db::Bucket,
    since: Option<chrono::NaiveDate>,
    until: Option<chrono::NaiveDate>,
}

/// An optional options object (camelCase) as `T`; left out, `T`'s defaults. A misspelt
/// or mistyped option is a `TypeError`.
fn options_of<T: DeserializeOwned + Default>(
    env: &Env,
    what: &str,
    options: Option<Unknown<'_>>,
) -> Result<T> {
    match options {
        Some(o) => input(
            env,
            &format!("{what}(): options"),
            snakeize(from_js(env, "options", o)?),
        ),
        None => Ok(T::default()),
    }
}

/// A patch (`changes`, camelCase) as the patch type `T`: only `T`'s fields may be given
/// (a misspelt one is a `TypeError`); `null` clears a nullable column.
fn patch<T: DeserializeOwned + Serialize + Default>(
    env: &Env,
    what: &str,
    changes: Value,
) -> Result<T> {
    let allowed: Vec<String> = match serde_json::to_value(T::default()) {
        Ok(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let Value::Object(map) = snakeize(changes) else {
        return Err(errors::invalid_argument(
            env,
            &format!("{what}(): changes is an object"),
        ));
    };
    if let Some(extra) = map.keys().find(|k| !allowed.contains(k)) {
        let names: Vec<String> = allowed.iter().map(|a| crate::convert::camel(a)).collect();
        return Err(errors::invalid_argument(
            env,
            &format!(
                "{what}(): unknown change {:?} (one of {})",
                crate::convert::camel(extra),
                names.join(", ")
            ),
        ));
    }
    lms_core::calls::read_changes(&map).map_err(|(field, reason)| {
        let message = match field {
            Some(field) => format!("{what}(): {}: {reason}", crate::convert::camel(&field)),
            None => format!("{what}(): {reason}"),
        };
        errors::invalid_argument(env, &message)
    })
}

/// Options of `Lms.connect`.
#[napi(object)]
pub struct ConnectOptions {
    /// Connections of the pool (default 10).
    pub max_connections: Option<f64>,
    /// Seconds a call waits for a connection before failing with `LMS_DATABASE`
    /// (default 5).
    pub acquire_timeout: Option<f64>,
    /// Through a connection pooler in transaction mode (PgBouncer, Supabase's pooler on
    /// port 6543): no statement kept prepared between transactions; `migrate` refused
    /// (run migrations on a direct connection). Default false.
    pub pooled: Option<bool>,
    /// Read replicas' URLs: the read models and a visitor's catalog run on one that
    /// streams within `maxReplicaLag`, else on the primary.
    pub replicas: Option<Vec<String>>,
    /// Seconds a replica may lag behind to be used (default 10).
    pub max_replica_lag: Option<f64>,
    /// Milliseconds after which a statement is logged as slow on standard error
    /// (`lms WARN sqlx::query: slow statement: …`; default 1000).
    pub slow_statement_ms: Option<f64>,
}

/// A page of a list.
#[napi(object)]
pub struct PageOptions {
    /// Rows of the page (default 50, at most 500).
    pub limit: Option<f64>,
    /// Rows to skip (default 0).
    pub offset: Option<f64>,
}

fn page(env: &Env, limit: Option<f64>, offset: Option<f64>) -> Result<Page> {
    let d = Page::default();
    let limit = limit.map(|l| count(env, "limit", l)).transpose()?;
    let offset = offset.map(|o| count(env, "offset", o)).transpose()?;
    Ok(Page::new(
        limit.unwrap_or(d.limit),
        offset.unwrap_or(d.offset),
    ))
}

/// A connection to an lms database: a pool shared by every scope and every call.
#[napi]
pub struct Lms {
    shared: Arc<Shared>,
}

#[napi]
impl Lms {
    /// Connects to the database at `url` (`postgres://…`).
    #[napi(ts_return_type = "Promise<Lms>", writable = true, configurable = true)]
    pub fn connect<'env>(
        env: &'env Env,
        url: String,
        options: Option<ConnectOptions>,
    ) -> Result<PromiseRaw<'env, Lms>> {
        crate::logs::install();
        let mut pool = lms_db::Lms::pool_options();
        let pooled = options.as_ref().and_then(|o| o.pooled).unwrap_or(false);
        let slow = match options.as_ref().and_then(|o| o.slow_statement_ms) {
            None => lms_db::Lms::DEFAULT_SLOW_STATEMENT,
            Some(ms) => Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
                errors::invalid_argument(
                    env,
                    "slowStatementMs must be a non-negative number of milliseconds",
                )
            })?,
        };

        let replicas = options
            .as_ref()
            .and_then(|o| o.replicas.clone())
            .unwrap_or_default();
        let max_lag = match options.as_ref().and_then(|o| o.max_replica_lag) {
            None => Duration::from_secs(10),
            Some(seconds) => Duration::try_from_secs_f64(seconds).map_err(|_| {
                errors::invalid_argument(
                    env,
                    "maxReplicaLag must be a non-negative number of seconds",
                )
            })?,
        };
        if let Some(o) = options {
            if let Some(n) = o.max_connections {
                let n = count(env, "maxConnections", n)?;
                if n == 0 {
                    return Err(errors::invalid_argument(
                        env,
                        "maxConnections must be at least 1",
                    ));
                }
                pool = pool.max_connections(n);
            }
            if let Some(seconds) = o.acquire_timeout {
                let timeout = Duration::try_from_secs_f64(seconds)
                    .ok()
                    .filter(|t| !t.is_zero())
                    .ok_or(())
                    .map_err(|()| {
                        errors::invalid_argument(
                            env,
                            "acquireTimeout must be a positive number of seconds",
                        )
                    })?;
                pool = pool.acquire_timeout(timeout);
            }
        }
        env.spawn_future_with_callback(
            async move {
                let connected = match lms_db::Lms::connect_options(&url, slow) {
                    Err(e) => Err(e),
                    Ok(connect) if pooled => {
                        lms_db::Lms::connect_pooled_with_options(pool, connect).await
                    }
                    Ok(connect) => lms_db::Lms::connect_with_options(pool, connect).await,
                };
                let urls: Vec<&str> = replicas.iter().map(String::as_str).collect();
                Ok(connected
                    .and_then(|lms| lms.with_replicas(&urls, max_lag))
                    .map_err(|e| e.body()))
            },
            |env, connected| match connected {
                Ok(lms) => Ok(Lms {
                    shared: Arc::new(Shared {
                        lms,
                        closed: AtomicBool::new(false),
                    }),
                }),
                Err(body) => Err(errors::from_body(env, &body)),
            },
        )
    }

    /// Applies the library's pending migrations.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn migrate<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let lms = self.shared.lms.clone();
        run(env, &self.shared, async move { lms.migrate().await })
    }

    /// A scope acting as the user `userId` (a UUID string), under Row Level Security as
    /// the `authenticated` role. The library trusts this id: pass the `sub` of a token
    /// your server has verified, never an id a client sent.
    #[napi]
    pub fn as_user(&self, env: &Env, user_id: String) -> Result<Scope> {
        let user = UserId(id(env, "userId", &user_id)?);
        Ok(Scope {
            scope: self.shared.lms.as_user(user),
            shared: Arc::clone(&self.shared),
        })
    }

    /// A scope for a visitor who is not signed in (the public catalog).
    #[napi]
    pub fn as_anon(&self) -> Scope {
        Scope {
            scope: self.shared.lms.as_anon(),
            shared: Arc::clone(&self.shared),
        }
    }

    /// A scope for trusted back-office jobs (`service_role`, which bypasses Row Level
    /// Security). Never use it for a request of an end user.
    #[napi]
    pub fn as_service(&self) -> Scope {
        Scope {
            scope: self.shared.lms.as_service(),
            shared: Arc::clone(&self.shared),
        }
    }

    /// Closes the pool; later calls reject with `LMS_DATABASE`. Closing twice is
    /// harmless.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, ()>> {
        self.shared.closed.store(true, Ordering::Release);
        let pool = self.shared.lms.pool().clone();
        env.spawn_future_with_callback(
            async move {
                pool.close().await;
                Ok(())
            },
            |_, ()| Ok(()),
        )
    }

    /// Whether `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    /// Whether it goes through a transaction pooler (`connect(url, { pooled: true })`).
    #[napi(getter)]
    pub fn pooled(&self) -> bool {
        self.shared.lms.is_pooled()
    }

    /// The number of read replicas (`connect(url, { replicas })`).
    #[napi(getter)]
    pub fn replica_count(&self) -> u32 {
        u32::try_from(self.shared.lms.replica_count()).unwrap_or(u32::MAX)
    }

    /// The pool's statistics now: connections open (`size`), `idle`, `inUse`, its
    /// `maxConnections`, and whether it is `closed`.
    #[napi(ts_return_type = "PoolStats")]
    pub fn pool_stats<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        let stats = serde_json::to_value(self.shared.lms.pool_stats())
            .map_err(|e| Error::from_reason(e.to_string()))?;
        to_js(env, &camelize(stats))
    }
}

/// A new course.
#[napi(object)]
pub struct CreateCourse {
    /// Title.
    pub title: String,
    /// The owning instructor.
    pub instructor_id: String,
    /// Description.
    pub description: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// `"beginner"`, `"intermediate"` or `"advanced"`.
    #[napi(ts_type = "DifficultyLevel")]
    pub difficulty_level: Option<String>,
    /// Estimated duration in minutes.
    pub estimated_duration_minutes: Option<f64>,
}

/// A catalog query: a filter and a page.
#[napi(object)]
#[derive(Default)]
pub struct CourseQuery {
    /// Only courses carrying this tag.
    pub tag: Option<String>,
    /// Only courses of this difficulty.
    #[napi(ts_type = "DifficultyLevel")]
    pub difficulty: Option<String>,
    /// Only published (`true`) or draft (`false`) courses.
    pub published: Option<bool>,
    /// Only courses of this instructor.
    pub instructor_id: Option<String>,
    /// Rows of the page (default 50).
    pub limit: Option<f64>,
    /// Rows to skip.
    pub offset: Option<f64>,
}

/// A new lesson.
#[napi(object)]
pub struct CreateLesson {
    /// The course.
    pub course_id: String,
    /// Title.
    pub title: String,
    /// Position in the course, from 0.
    pub order_index: f64,
    /// Description.
    pub description: Option<String>,
    /// What the lesson teaches.
    pub learning_objectives: Option<Vec<String>>,
    /// Estimated duration in minutes.
    pub estimated_duration_minutes: Option<f64>,
    /// Lessons of the course to complete first.
    pub prerequisites: Option<Vec<String>>,
}

/// A new content block.
#[napi(object, object_to_js = false)]
pub struct CreateBlock {
    /// The lesson.
    pub lesson_id: String,
    /// `"rich_text"`, `"image"`, `"video"`, `"file"` or `"youtube"`.
    #[napi(ts_type = "ContentType")]
    pub r#type: String,
    /// The content document for the type (`{rich_text: {html}}`, …).
    #[napi(ts_type = "Record<string, unknown>")]
    pub content: Json,
    /// Position in the lesson, from 0.
    pub order_index: f64,
    /// Free properties (`{source: "…"}`).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<Json>,
}

/// Changes to a content block.
#[napi(object, object_to_js = false)]
pub struct UpdateBlock {
    /// The new type, with `content`.
    #[napi(ts_type = "ContentType")]
    pub r#type: Option<String>,
    /// The new content document, with `type`.
    #[napi(ts_type = "Record<string, unknown>")]
    pub content: Option<Json>,
    /// The new position.
    pub order_index: Option<f64>,
    /// The new metadata.
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<Json>,
}

/// An argument read into its Rust type: an `LMS_INVALID_ARGUMENT` error naming `what`
/// when it does not fit.
fn argument<T: serde::de::DeserializeOwned>(
    env: &Env,
    what: &str,
    value: serde_json::Value,
) -> Result<T> {
    serde_json::from_value(value)
        .map_err(|e| errors::invalid_argument(env, &format!("{what}: {e}")))
}

/// A new assessment of a lesson (`lessonId`) or a course (`courseId`, a final one).
#[napi(object, object_to_js = false)]
pub struct CreateAssessment {
    /// Title.
    pub title: String,
    /// The questions (a question set).
    #[napi(ts_type = "Question[]")]
    pub questions: Json,
    /// The lesson it belongs to.
    pub lesson_id: Option<String>,
    /// The course it is the final assessment of.
    pub course_id: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Whether an AI wrote it.
    pub ai_generated: Option<bool>,
    /// The content blocks it was made from.
    pub source_content_ids: Option<Vec<String>>,
    /// Whether passing is needed to complete the lesson (default true).
    pub is_mandatory: Option<bool>,
    /// The passing score 0–100 (default 70).
    pub minimum_passing_score: Option<f64>,
    /// Attempts allowed (default unlimited).
    pub max_attempts: Option<f64>,
    /// Minutes (default untimed).
    pub time_limit_minutes: Option<f64>,
    /// The attempt policy (`gradingMethod`, `retakePolicy`, `attemptDelaySeconds`,
    /// `laterAttemptDelaySeconds`, `timeLimitPolicy`, `graceSeconds`, `shuffleQuestions`,
    /// `shuffleOptions`); each left out takes its default.
    #[napi(ts_type = "Partial<AttemptPolicy>")]
    pub policy: Option<Json>,
    /// No attempt starts before (ISO 8601).
    pub opens_at: Option<String>,
    /// No attempt starts after; open attempts end by it (ISO 8601).
    pub closes_at: Option<String>,
    /// A submission after it is late (ISO 8601).
    pub due_at: Option<String>,
    /// Its own late policy (default: the course's).
    #[napi(ts_type = "LatePolicy | null")]
    pub late_policy: Option<Json>,
}

/// Options of `regradeAssessment`.
#[napi(object)]
pub struct RegradeOptions {
    /// Report what would change and write nothing.
    pub dry_run: Option<bool>,
}

/// Options of `proposeRoadmap`.
#[napi(object)]
pub struct ProposeOptions {
    /// Who proposed (recorded with the verdict; default `"advisor"`).
    pub source: Option<String>,
    /// The proposal's own summary (default: the plan's).
    pub reasoning: Option<String>,
}

/// Options of `submitAttempt`.
#[napi(object)]
pub struct SubmitOptions {
    /// Hand in answers that answer nothing (a blank attempt) instead of rejecting with
    /// `LMS_NO_ANSWERS`.
    pub allow_empty: Option<bool>,
}

/// A new user (`signUp`, plain PostgreSQL).
#[napi(object)]
pub struct SignUp {
    /// E-mail address.
    pub email: String,
    /// `"student"` (default), `"instructor"` or `"admin"`.
    #[napi(ts_type = "UserRole")]
    pub role: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
}

/// An audit log query.
#[napi(object)]
#[derive(Default)]
pub struct AuditQuery {
    /// Only changes of this table.
    pub table_name: Option<String>,
    /// Only changes of this row.
    pub row_id: Option<String>,
    /// Only changes in this user's name.
    pub actor_id: Option<String>,
    /// `"insert"`, `"update"`, `"delete"` or `"sign_in_failed"`.
    pub action: Option<String>,
    /// Entries at or after this time (ISO 8601).
    pub since: Option<String>,
    /// Entries before this time (ISO 8601).
    pub until: Option<String>,
    /// Rows of the page.
    pub limit: Option<f64>,
    /// Rows to skip.
    pub offset: Option<f64>,
}

/// Every use case of the library, acting for one actor (see `Lms.asUser`); each call is
/// one transaction and returns a Promise.
#[napi]
pub struct Scope {
    scope: lms_db::Scope,
    shared: Arc<Shared>,
}

#[napi]
impl Scope {
    /// Who this scope acts for: `{kind: "user", userId}`, `{kind: "anon"}` or
    /// `{kind: "service"}`.
    #[napi(
        getter,
        ts_return_type = "{ kind: 'user' | 'anon' | 'service'; userId?: string }"
    )]
    pub fn actor<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        let value = match self.scope.actor() {
            lms_db::Actor::User(u) => json!({"kind": "user", "userId": u}),
            lms_db::Actor::Anon => json!({"kind": "anon"}),
            _ => json!({"kind": "service"}),
        };
        to_js(env, &value)
    }

    // authoring ----------------------------------------------------------------------

    /// Creates an unpublished course.
    #[napi(ts_return_type = "Promise<Course>")]
    pub fn create_course<'env>(
        &self,
        env: &'env Env,
        course: CreateCourse,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let new: NewCourse = input(
            env,
            "createCourse",
            json!({
                "title": course.title, "instructor_id": id(env, "instructorId", &course.instructor_id)?,
                "description": course.description, "tags": course.tags.unwrap_or_default(),
                "difficulty_level": course.difficulty_level,
                "estimated_duration_minutes": opt_int(env, "estimatedDurationMinutes", course.estimated_duration_minutes)?,
            }),
        )?;
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.create_course(new).await })
    }

    /// One course, as the actor may see it.
    #[napi(ts_return_type = "Promise<Course>")]
    pub fn get_course<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.get_course(key).await })
    }

    /// Courses the actor may see, newest first: a page `{items, nextOffset, total}`.
    #[napi(ts_return_type = "Promise<Paged<Course>>")]
    pub fn list_courses<'env>(
        &self,
        env: &'env Env,
        query: Option<CourseQuery>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let q = query.unwrap_or_default();
        let instructor = q
            .instructor_id
            .as_deref()
            .map(|i| id(env, "instructorId", i))
            .transpose()?;
        let filter: CourseFilter = input(
            env,
            "listCourses",
            json!({
                "tag": q.tag, "difficulty": q.difficulty, "published": q.published, "instructor_id": instructor,
            }),
        )?;
        let p = page(env, q.limit, q.offset)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.list_courses(&filter, p).await
        })
    }

    /// Changes a course (its author): `title`, `description`, `finalAssessmentId`,
    /// `tags`, `difficultyLevel`, `estimatedDurationMinutes`.
    #[napi(ts_return_type = "Promise<Course>")]
    pub fn update_course<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        #[napi(ts_arg_type = "CourseChanges")] changes: Unknown<'_>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let p: CoursePatch = patch(env, "updateCourse", from_js(env, "changes", changes)?)?;
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.update_course(key, p).await },
        )
    }

    /// Deletes a course with everything in it (its author).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_course<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.delete_course(key).await })
    }

    /// Adds a lesson; its prerequisites must keep the course's lessons a DAG.
    #[napi(ts_return_type = "Promise<Lesson>")]
    pub fn create_lesson<'env>(
        &self,
        env: &'env Env,
        lesson: CreateLesson,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let new = NewLesson {
            course_id: CourseId(id(env, "courseId", &lesson.course_id)?),
            title: lesson.title,
            description: lesson.description,
            order_index: int(env, "orderIndex", lesson.order_index)?,
            learning_objectives: lesson.learning_objectives.unwrap_or_default(),
            estimated_duration_minutes: opt_int(
                env,
                "estimatedDurationMinutes",
                lesson.estimated_duration_minutes,
            )?,
            prerequisites: ids(
                env,
                "prerequisites",
                &lesson.prerequisites.unwrap_or_default(),
            )?
            .into_iter()
            .map(LessonId)
            .collect(),
        };
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.create_lesson(new).await })
    }

    /// The lessons of a course the actor may see, in order.
    #[napi(ts_return_type = "Promise<Lesson[]>")]
    pub fn list_lessons<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.list_lessons(key).await })
    }
    /// A course's public outline (also for anonymous visitors).
    #[napi(ts_return_type = "Promise<OutlineLesson[]>")]
    pub fn course_outline<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.course_outline(key).await },
        )
    }

    /// Changes a lesson: `title`, `description`, `orderIndex`, `learningObjectives`,
    /// `estimatedDurationMinutes`, `assessmentId`, `prerequisites`, `isPublished`.
    #[napi(ts_return_type = "Promise<Lesson>")]
    pub fn update_lesson<'env>(
        &self,
        env: &'env Env,
        lesson_id: String,
        #[napi(ts_arg_type = "LessonChanges")] changes: Unknown<'_>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = LessonId(id(env, "lessonId", &lesson_id)?);
        let p: LessonPatch = patch(env, "updateLesson", from_js(env, "changes", changes)?)?;
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.update_lesson(key, p).await },
        )
    }

    /// Puts a course's lessons in the order given (every one, once).
    #[napi(ts_return_type = "Promise<Lesson[]>")]
    pub fn reorder_lessons<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        order: Vec<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let order: Vec<LessonId> = ids(env, "order", &order)?
            .into_iter()
            .map(LessonId)
            .collect();
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.reorder_lessons(key, &order).await
        })
    }

    /// Adds a content block: validated for its type, stored normalized (HTML sanitized).
    #[napi(ts_return_type = "Promise<ContentBlock>")]
    pub fn create_block<'env>(
        &self,
        env: &'env Env,
        block: CreateBlock,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let new: NewContentBlock = input(
            env,
            "createBlock",
            json!({
                "lesson_id": id(env, "lessonId", &block.lesson_id)?, "type": block.r#type,
                "content": block.content.0, "order_index": int(env, "orderIndex", block.order_index)?,
                "metadata": block.metadata.map_or(Value::Null, |m| m.0),
            }),
        )?;
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.create_block(new).await })
    }

    /// The blocks of a lesson the actor may see, in order.
    #[napi(ts_return_type = "Promise<ContentBlock[]>")]
    pub fn list_blocks<'env>(
        &self,
        env: &'env Env,
        lesson_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = LessonId(id(env, "lessonId", &lesson_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.list_blocks(key).await })
    }

    /// Changes a block: a new `content` with its `type`, `orderIndex`, `metadata`.
    #[napi(ts_return_type = "Promise<ContentBlock>")]
    pub fn update_block<'env>(
        &self,
        env: &'env Env,
        block_id: String,
        changes: UpdateBlock,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = ContentBlockId(id(env, "blockId", &block_id)?);
        let content = match (changes.r#type, changes.content) {
            (Some(t), Some(c)) => Some((input::<ContentType>(env, "type", json!(t))?, c.0)),
            (None, None) => None,
            _ => {
                return Err(errors::invalid_argument(
                    env,
                    "updateBlock(): content and type change together",
                ))
            }
        };
        let p = ContentBlockPatch {
            content,
            order_index: opt_int(env, "orderIndex", changes.order_index)?,
            metadata: changes.metadata.map(|m| m.0),
        };
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.update_block(key, p).await },
        )
    }

    /// Puts a lesson's blocks in the order given (every one, once).
    #[napi(ts_return_type = "Promise<ContentBlock[]>")]
    pub fn reorder_blocks<'env>(
        &self,
        env: &'env Env,
        lesson_id: String,
        order: Vec<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = LessonId(id(env, "lessonId", &lesson_id)?);
        let order: Vec<ContentBlockId> = ids(env, "order", &order)?
            .into_iter()
            .map(ContentBlockId)
            .collect();
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.reorder_blocks(key, &order).await
        })
    }

    /// Adds an assessment to a lesson or a course (a final assessment); its questions
    /// are validated.
    #[napi(ts_return_type = "Promise<Assessment>")]
    pub fn create_assessment<'env>(
        &self,
        env: &'env Env,
        assessment: CreateAssessment,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let owner = match (
            assessment.lesson_id.as_deref(),
            assessment.course_id.as_deref(),
        ) {
            (Some(l), None) => AssessmentOwner::Lesson(LessonId(id(env, "lessonId", l)?)),
            (None, Some(c)) => AssessmentOwner::Course(CourseId(id(env, "courseId", c)?)),
            _ => {
                return Err(errors::invalid_argument(
                    env,
                    "createAssessment(): give exactly one of lessonId and courseId",
                ))
            }
        };
        let new = NewAssessment {
            owner,
            title: assessment.title,
            description: assessment.description,
            questions: assessment.questions.0,
            ai_generated: assessment.ai_generated.unwrap_or(false),
            source_content_ids: ids(
                env,
                "sourceContentIds",
                &assessment.source_content_ids.unwrap_or_default(),
            )?
            .into_iter()
            .map(ContentBlockId)
            .collect(),
            is_mandatory: assessment.is_mandatory.unwrap_or(true),
            minimum_passing_score: opt_int(
                env,
                "minimumPassingScore",
                assessment.minimum_passing_score,
            )?
            .unwrap_or(70),
            max_attempts: opt_int(env, "maxAttempts", assessment.max_attempts)?,
            time_limit_minutes: opt_int(env, "timeLimitMinutes", assessment.time_limit_minutes)?,
            policy: match assessment.policy {
                Some(p) => serde_json::from_value(snakeize(p.0)).map_err(|e| {
                    errors::invalid_argument(env, &format!("createAssessment(): policy: {e}"))
                })?,
                None => Default::default(),
            },
            schedule: argument(
                env,
                "createAssessment(): opensAt, closesAt, dueAt",
                serde_json::json!({
                    "opens_at": assessment.opens_at,
                    "closes_at": assessment.closes_at,
                    "due_at": assessment.due_at,
                }),
            )?,
            late_policy: argument(
                env,
                "createAssessment(): latePolicy",
                assessment
                    .late_policy
                    .map(|j| snakeize(j.0))
                    .unwrap_or(serde_json::Value::Null),
            )?,
        };
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.create_assessment(new).await },
        )
    }

    /// Changes an assessment: `title`, `description`, `questions`, `isMandatory`,
    /// `minimumPassingScore`, `maxAttempts`, `timeLimitMinutes`, and the policy:
    /// `gradingMethod`, `retakePolicy`, `attemptDelaySeconds`, `laterAttemptDelaySeconds`,
    /// `timeLimitPolicy`, `graceSeconds`, `shuffleQuestions`, `shuffleOptions`.
    #[napi(ts_return_type = "Promise<Assessment>")]
    pub fn update_assessment<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
        #[napi(ts_arg_type = "AssessmentChanges")] changes: Unknown<'_>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let p: AssessmentPatch = patch(env, "updateAssessment", from_js(env, "changes", changes)?)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.update_assessment(key, p).await
        })
    }

    /// An assessment with its answer keys (the course's author, admins, the service).
    #[napi(ts_return_type = "Promise<Assessment>")]
    pub fn get_assessment<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.get_assessment(key).await },
        )
    }
    /// The questions as the actor may see them: with keys for the course's staff, the
    /// student view for its students.
    #[napi(ts_return_type = "Promise<Question[] | StudentQuestion[]>")]
    pub fn assessment_questions<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.assessment_questions(key).await
        })
    }
    /// Publishes a course and its lessons, or rejects with `LMS_NOT_PUBLISHABLE` and
    /// every problem.
    #[napi(ts_return_type = "Promise<Course>")]
    pub fn publish_course<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.publish_course(key).await },
        )
    }

    // studying -----------------------------------------------------------------------

    /// Enrols the acting student in a published course.
    #[napi(ts_return_type = "Promise<Enrollment>")]
    pub fn enroll<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.enroll(key).await })
    }

    /// Records progress on a content block (a progress document and the seconds spent
    /// since the last report) and updates the lesson's progress.
    #[napi(ts_return_type = "Promise<Progress>")]
    pub fn record_content_progress<'env>(
        &self,
        env: &'env Env,
        block_id: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] progress_data: Unknown<'_>,
        seconds: Option<f64>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = ContentBlockId(id(env, "blockId", &block_id)?);
        let data = from_js(env, "progressData", progress_data)?;
        let seconds = opt_int(env, "seconds", seconds)?.unwrap_or(0);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.record_content_progress(key, &data, seconds).await
        })
    }

    /// Starts (or resumes) an attempt: the attempt, the questions without keys, the
    /// deadline.
    #[napi(ts_return_type = "Promise<StartedAttempt>")]
    pub fn start_attempt<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.start_attempt(key).await })
    }

    /// Saves answers on the open attempt.
    #[napi(ts_return_type = "Promise<Attempt>")]
    pub fn save_answers<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
        #[napi(ts_arg_type = "Answers")] answers: Unknown<'_>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let answers = from_js(env, "answers", answers)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.save_answers(key, &answers).await
        })
    }

    /// Submits answers: scores them, stores the result, updates progress. Answers that
    /// answer nothing reject with `LMS_NO_ANSWERS` unless `{allowEmpty: true}`.
    #[napi(ts_return_type = "Promise<SubmittedAttempt>")]
    pub fn submit_attempt<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
        #[napi(ts_arg_type = "Answers")] answers: Unknown<'_>,
        options: Option<SubmitOptions>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let answers = from_js(env, "answers", answers)?;
        let opts = if options.and_then(|o| o.allow_empty).unwrap_or(false) {
            lms_db::SubmitOptions::allow_empty()
        } else {
            lms_db::SubmitOptions::default()
        };
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.submit_attempt_with(key, &answers, opts).await
        })
    }

    /// The acting student's attempts at an assessment.
    #[napi(ts_return_type = "Promise<Attempt[]>")]
    pub fn my_attempts<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.my_attempts(key).await })
    }

    /// The review of an attempt as the actor may see it now: to its student, what the
    /// assessment's review options show; to the course's staff, everything.
    #[napi(ts_return_type = "Promise<AttemptReview>")]
    pub fn attempt_review<'env>(
        &self,
        env: &'env Env,
        attempt_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AttemptId(id(env, "attemptId", &attempt_id)?);
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.attempt_review(key).await },
        )
    }

    /// Grades one essay of a submitted attempt (the course's instructor, admins).
    #[napi(ts_return_type = "Promise<Attempt>")]
    pub fn grade_essay<'env>(
        &self,
        env: &'env Env,
        attempt_id: String,
        question_id: String,
        points: f64,
        comment: Option<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AttemptId(id(env, "attemptId", &attempt_id)?);
        let points = count(env, "points", points)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.grade_essay(key, &question_id, points, comment.as_deref())
                .await
        })
    }

    /// Overrides the points of any question of a submitted attempt (the course's
    /// instructor, admins, the service): `points` exact (`0.75`), a comment.
    #[napi(ts_return_type = "Promise<Attempt>")]
    pub fn override_question<'env>(
        &self,
        env: &'env Env,
        attempt_id: String,
        question_id: String,
        points: f64,
        comment: Option<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AttemptId(id(env, "attemptId", &attempt_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.override_question(key, &question_id, points, comment.as_deref())
                .await
        })
    }

    /// Re-scores the finished attempts of an assessment against its current questions
    /// (the course's instructor, admins, the service); `{dryRun: true}` writes nothing.
    #[napi(ts_return_type = "Promise<RegradeReport>")]
    pub fn regrade_assessment<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
        options: Option<RegradeOptions>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let dry_run = options.and_then(|o| o.dry_run).unwrap_or(false);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.regrade_assessment(key, dry_run).await
        })
    }

    /// Closes up to `limit` (default 500) open attempts whose time ran out, by their
    /// assessments' overdue handling (the service only; a cron job's call).
    #[napi(ts_return_type = "Promise<ClosedAttempts>")]
    pub fn close_overdue_attempts<'env>(
        &self,
        env: &'env Env,
        limit: Option<f64>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let limit = match limit {
            Some(l) => count(env, "limit", l)?,
            None => 500,
        };
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.close_overdue_attempts(limit).await
        })
    }

    // staff ---------------------------------------------------------------------------

    /// Puts a user on a course's staff, or changes their role (the course's instructor,
    /// admins, the service): `'co_instructor'` (authors and grades) or `'grader'` (reads
    /// the gradebook and grades; no authoring).
    #[napi(ts_return_type = "Promise<CourseStaff>")]
    pub fn add_staff<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        user_id: String,
        #[napi(ts_arg_type = "StaffRole")] role: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let user = UserId(id(env, "userId", &user_id)?);
        let role: StaffRole = argument(env, "addStaff(): role", serde_json::Value::String(role))?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.add_staff(course, user, role).await
        })
    }

    /// Takes a user off a course's staff (the course's instructor, admins, the service),
    /// or the caller off it (leaving).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn remove_staff<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        user_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let user = UserId(id(env, "userId", &user_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.remove_staff(course, user).await
        })
    }

    /// A course's staff besides its instructor, as the actor may see them.
    #[napi(ts_return_type = "Promise<CourseStaff[]>")]
    pub fn list_staff<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.list_staff(key).await })
    }

    // grades --------------------------------------------------------------------------

    /// Sets how a course's assessments make its grade (its authors, admins, the
    /// service): a grading-scheme document, `{groups: [{name, weight, drop_lowest}],
    /// assessments: [{assessment_id, group, weight}]}` (`{}`: every assessment counts
    /// alike), validated against the course. Returns the course.
    #[napi(ts_return_type = "Promise<Course>")]
    pub fn set_grading_scheme<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        #[napi(ts_arg_type = "GradingScheme")] scheme: Unknown<'_>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let scheme = from_js(env, "scheme", scheme)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.set_grading_scheme(key, &scheme).await
        })
    }

    /// One page of a course's grades, a grade per enrolled student by name: `{courseId,
    /// grades, nextOffset, total, version}` (the course's staff, admins, the service).
    #[napi(ts_return_type = "Promise<CourseGrades>")]
    pub fn course_grades<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        options: Option<PageOptions>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let p = options.map_or(Ok(Page::default()), |o| page(env, o.limit, o.offset))?;
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.course_grades(key, p).await },
        )
    }

    // delivery ------------------------------------------------------------------------

    /// Sets a student's accommodation at one assessment (`assessmentId`) or every
    /// assessment of the course (the course's instructor, admins, the service): extra
    /// minutes or a time factor, extra attempts, a later close and due time. Replaces the
    /// one set for the same student and scope; the most lenient that applies wins.
    #[napi(ts_return_type = "Promise<Accommodation>")]
    pub fn set_accommodation<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "NewAccommodation")] accommodation: Unknown<'_>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let new: lms_db::NewAccommodation = argument(
            env,
            "setAccommodation()",
            snakeize(from_js(env, "accommodation", accommodation)?),
        )?;
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.set_accommodation(new).await },
        )
    }

    /// Removes an accommodation (the course's instructor, admins, the service).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn remove_accommodation<'env>(
        &self,
        env: &'env Env,
        accommodation_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AccommodationId(id(env, "accommodationId", &accommodation_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.remove_accommodation(key).await
        })
    }

    /// The accommodations of a course the actor may see (a student: their own).
    #[napi(ts_return_type = "Promise<Accommodation[]>")]
    pub fn list_accommodations<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.list_accommodations(key).await
        })
    }

    /// The attempt rules that apply to a student at an assessment: limits, policy,
    /// dates and late policy, their accommodations applied.
    #[napi(ts_return_type = "Promise<AttemptRules>")]
    pub fn assessment_rules<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
        student_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let assessment = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let student = UserId(id(env, "studentId", &student_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.assessment_rules(assessment, student).await
        })
    }

    /// The acting student's progress rows on a course.
    #[napi(ts_return_type = "Promise<Progress[]>")]
    pub fn my_progress<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.my_progress(key).await })
    }

    /// The acting student's enrolments with their course titles.
    #[napi(ts_return_type = "Promise<MyEnrollment[]>")]
    pub fn my_enrollments<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.my_enrollments().await })
    }

    /// The acting student's learning-progress records.
    #[napi(ts_return_type = "Promise<LearningProgress[]>")]
    pub fn my_learning_progress<'env>(
        &self,
        env: &'env Env,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.my_learning_progress().await },
        )
    }

    /// The acting student's roadmaps.
    #[napi(ts_return_type = "Promise<Roadmap[]>")]
    pub fn my_roadmaps<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.my_roadmaps().await })
    }

    // roadmaps -----------------------------------------------------------------------

    /// What the planner sees for the acting student in a course (the course graph, their
    /// progress, mastery traced from their answers, preferences), snake_case as
    /// `planRoadmap` takes it: what your own model looks at before `proposeRoadmap`.
    #[napi(ts_return_type = "Promise<PlanInput>")]
    pub fn roadmap_input<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run_as(
            env,
            &self.shared,
            async move { s.roadmap_input(course).await },
            true,
        )
    }

    /// Plans and stores a new active roadmap of the course for the acting student (or,
    /// for the service, `studentId`), their mastery traced anew; the previous one is
    /// paused or completed.
    #[napi(ts_return_type = "Promise<CourseRoadmap>")]
    pub fn generate_roadmap<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        student_id: Option<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let student = optional_user(env, "studentId", student_id)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            match student {
                Some(student) => s.generate_roadmap_for(student, course).await,
                None => s.generate_roadmap(course).await,
            }
        })
    }

    /// The active roadmap of the course — the acting student's, or `studentId`'s as the
    /// actor may read it — with `stale`; `null` if there is none.
    #[napi(ts_return_type = "Promise<CourseRoadmap | null>")]
    pub fn current_roadmap<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        student_id: Option<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let student = optional_user(env, "studentId", student_id)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            match student {
                Some(student) => s.current_roadmap_of(student, course).await,
                None => s.current_roadmap(course).await,
            }
        })
    }

    /// Stores your model's `proposal` (a roadmap_data document) as the acting student's
    /// roadmap of the course if it breaks none of the course's rules against the
    /// library's plan; refused, nothing is stored and `violations` say why.
    #[napi(ts_return_type = "Promise<ProposalOutcome>")]
    pub fn propose_roadmap<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        #[napi(ts_arg_type = "RoadmapData")] proposal: Unknown<'_>,
        options: Option<ProposeOptions>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let proposal = from_js(env, "proposal", proposal)?;
        let (source, reasoning) = match options {
            Some(o) => (o.source.unwrap_or_else(|| "advisor".into()), o.reasoning),
            None => ("advisor".into(), None),
        };
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.propose_roadmap(course, &proposal, &source, reasoning)
                .await
        })
    }

    /// Generates anew every stale active roadmap of the course (its instructor, admins,
    /// the service).
    #[napi(ts_return_type = "Promise<Regenerated>")]
    pub fn regenerate_roadmaps<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.regenerate_roadmaps(course).await
        })
    }

    /// The course's knowledge model (its instructor, admins, the service).
    #[napi(ts_return_type = "Promise<KnowledgeModel>")]
    pub fn knowledge_model<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run_as(
            env,
            &self.shared,
            async move { s.knowledge_model(course).await },
            true,
        )
    }

    /// Sets BKT parameters of `skill`, or without one the course's default, by hand;
    /// resolves with the model.
    #[napi(ts_return_type = "Promise<KnowledgeModel>")]
    pub fn set_knowledge_model<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        #[napi(ts_arg_type = "BktParams")] params: Unknown<'_>,
        skill: Option<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let params: lms_core::roadmap::BktParams = input(
            env,
            "setKnowledgeModel(): params",
            from_js(env, "params", params)?,
        )?;
        let s = self.scope.clone();
        run_as(
            env,
            &self.shared,
            async move {
                s.set_knowledge_model(course, skill.as_deref(), params)
                    .await
            },
            true,
        )
    }

    /// Fits the course's knowledge model to its students' graded answers (its
    /// instructor, admins, the service) and stores it.
    #[napi(ts_return_type = "Promise<FittedModel>")]
    pub fn fit_knowledge_model<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        #[napi(ts_arg_type = "FitOptions")] options: Option<Unknown<'_>>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let course = CourseId(id(env, "courseId", &course_id)?);
        let options: lms_core::roadmap::FitOptions = match options {
            Some(o) => input(
                env,
                "fitKnowledgeModel(): options",
                snakeize(from_js(env, "options", o)?),
            )?,
            None => Default::default(),
        };
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.fit_knowledge_model(course, options).await
        })
    }

    // people -------------------------------------------------------------------------

    /// The acting user's profile.
    #[napi(ts_return_type = "Promise<Profile>")]
    pub fn my_profile<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.my_profile().await })
    }

    /// Changes a profile: `firstName`, `lastName`, `avatarUrl` (https),
    /// `learningPreferences` (validated; its keys as the document has them).
    #[napi(ts_return_type = "Promise<Profile>")]
    pub fn update_profile<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        #[napi(ts_arg_type = "ProfileChanges")] changes: Unknown<'_>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = UserId(id(env, "userId", &user_id)?);
        let p: ProfilePatch = patch(env, "updateProfile", from_js(env, "changes", changes)?)?;
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.update_profile(key, p).await },
        )
    }

    /// Sets another user's role (admins; nobody changes their own).
    #[napi(ts_return_type = "Promise<Profile>")]
    pub fn set_role<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        #[napi(ts_arg_type = "UserRole")] role: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = UserId(id(env, "userId", &user_id)?);
        let role: UserRole = input(env, "role", json!(role))?;
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.set_role(key, role).await },
        )
    }

    /// Signs a user up on plain PostgreSQL (the service; refused on Supabase).
    #[napi(ts_return_type = "Promise<Profile>")]
    pub fn sign_up<'env>(
        &self,
        env: &'env Env,
        user: SignUp,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let new: NewUser = input(
            env,
            "signUp",
            json!({
                "email": user.email, "role": user.role.unwrap_or_else(|| "student".into()),
                "first_name": user.first_name, "last_name": user.last_name,
            }),
        )?;
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.sign_up(new).await })
    }

    /// The profile of `userId`, created when missing (the service).
    #[napi(ts_return_type = "Promise<Profile>")]
    pub fn ensure_profile<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        email: Option<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = UserId(id(env, "userId", &user_id)?);
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.ensure_profile(key, email.as_deref()).await
        })
    }

    /// Every row about a user (GDPR portability).
    #[napi(ts_return_type = "Promise<UserExport>")]
    pub fn export_user_data<'env>(
        &self,
        env: &'env Env,
        user_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = UserId(id(env, "userId", &user_id)?);
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.export_user_data(key).await },
        )
    }

    /// Erases a user (GDPR erasure); their courses go to `successor`.
    #[napi(ts_return_type = "Promise<Erasure>")]
    pub fn erase_user<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        successor: Option<String>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = UserId(id(env, "userId", &user_id)?);
        let heir = successor
            .as_deref()
            .map(|h| id(env, "successor", h))
            .transpose()?
            .map(UserId);
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.erase_user(key, heir).await },
        )
    }

    // audit --------------------------------------------------------------------------

    /// Entries of the audit log, newest first (admins, the service): a page.
    #[napi(ts_return_type = "Promise<Paged<AuditEntry>>")]
    pub fn audit_log<'env>(
        &self,
        env: &'env Env,
        query: Option<AuditQuery>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let q = query.unwrap_or_default();
        let row = q
            .row_id
            .as_deref()
            .map(|r| id(env, "rowId", r))
            .transpose()?;
        let actor = q
            .actor_id
            .as_deref()
            .map(|a| id(env, "actorId", a))
            .transpose()?;
        let filter: AuditFilter = input(
            env,
            "auditLog",
            json!({
                "table_name": q.table_name, "row_id": row, "actor_id": actor, "action": q.action,
                "since": q.since, "until": q.until,
            }),
        )?;
        let p = page(env, q.limit, q.offset)?;
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.audit_log(&filter, p).await },
        )
    }

    /// Records a failed sign-in in the audit log.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn record_failed_sign_in<'env>(
        &self,
        env: &'env Env,
        email: String,
        reason: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.record_failed_sign_in(&email, &reason).await
        })
    }

    // read models --------------------------------------------------------------------

    /// One page of a course's gradebook: `{courseId, entries, nextOffset, total,
    /// courseGrades, version}` (the course grade of each student of the page).
    #[napi(ts_return_type = "Promise<Gradebook>")]
    pub fn gradebook<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        options: Option<PageOptions>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let p = options.map_or(Ok(Page::default()), |o| page(env, o.limit, o.offset))?;
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.gradebook(key, p).await })
    }

    /// The acting student's dashboard: `{studentId, courses, assessments, version}`.
    #[napi(ts_return_type = "Promise<Dashboard>")]
    pub fn student_dashboard<'env>(
        &self,
        env: &'env Env,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.student_dashboard().await },
        )
    }

    // course analytics ---------------------------------------------------------------

    /// A course's completion funnel: `{courseId, enrolled, completed, finalAssessmentId,
    /// finalPassed, lessons}`, a line per published lesson in course order.
    #[napi(ts_return_type = "Promise<CompletionFunnel>")]
    pub fn completion_funnel<'env>(
        &self,
        env: &'env Env,
        course_id: String,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let s = self.scope.clone();
        run(
            env,
            &self.shared,
            async move { s.completion_funnel(key).await },
        )
    }

    /// Item analysis of an assessment over its graded attempts (`attempts`: `'all'`,
    /// each student's `'first'` or `'last'`): the test's statistics and, per question,
    /// facility, discrimination, outcomes, option shares and common wrong answers.
    #[napi(ts_return_type = "Promise<ItemAnalysis>")]
    pub fn item_analysis<'env>(
        &self,
        env: &'env Env,
        assessment_id: String,
        #[napi(ts_arg_type = "ItemAnalysisOptions")] options: Option<Unknown<'_>>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = AssessmentId(id(env, "assessmentId", &assessment_id)?);
        let options: ItemAnalysisOptions = options_of(env, "itemAnalysis", options)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.item_analysis(key, options.attempts).await
        })
    }

    /// The students at risk in a course, each with the reasons and the numbers behind
    /// them; `thresholds` override the defaults (`inactiveDays` 14, `paceRatio` 0.5,
    /// `minDaysEnrolled` 7, `failedAttempts` 3, `masteryBelow` 0.4, `minEvidence` 3).
    #[napi(ts_return_type = "Promise<AtRiskReport>")]
    pub fn at_risk_students<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        #[napi(ts_arg_type = "RiskThresholds")] thresholds: Option<Unknown<'_>>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let thresholds: lms_core::analytics::RiskThresholds =
            options_of(env, "atRiskStudents", thresholds)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.at_risk_students(key, thresholds).await
        })
    }

    /// A course's activity per day or week (`bucket`), from `since` to `until`
    /// (`'YYYY-MM-DD'`, UTC days, both included; by default from the first enrolment to
    /// today): `[{start, activeStudents, submissions, completions, seconds}]`.
    #[napi(ts_return_type = "Promise<ActivityPoint[]>")]
    pub fn activity<'env>(
        &self,
        env: &'env Env,
        course_id: String,
        #[napi(ts_arg_type = "ActivityOptions")] options: Option<Unknown<'_>>,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let key = CourseId(id(env, "courseId", &course_id)?);
        let options: ActivityOptions = options_of(env, "activity", options)?;
        let s = self.scope.clone();
        run(env, &self.shared, async move {
            s.activity(key, options.bucket, options.since, options.until)
                .await
        })
    }

    // stored documents ---------------------------------------------------------------

    /// Checks every stored document by the library's rules (the service).
    #[napi(ts_return_type = "Promise<DocumentReport>")]
    pub fn check_documents<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.check_documents().await })
    }

    /// Rewrites the stored documents only not in the library's form (the service).
    #[napi(ts_return_type = "Promise<DocumentRepair>")]
    pub fn repair_documents<'env>(
        &self,
        env: &'env Env,
    ) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        let s = self.scope.clone();
        run(env, &self.shared, async move { s.repair_documents().await })
    }
}

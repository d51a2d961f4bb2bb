//! `Client` (a connection pool) and `Scope` (every use case, acting for one actor): each
//! method converts its arguments, runs the Rust use case on the module's runtime with the
//! GIL released, and converts the result or the error. There is no SQL here, no
//! transaction handle and no way to switch roles.

// the methods mirror Python signatures with keyword arguments
#![allow(clippy::too_many_arguments)]

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lms_core::model::*;
use lms_core::repo::{
    AssessmentOwner, AssessmentPatch, ContentBlockPatch, CourseFilter, CoursePatch, LessonPatch,
    NewAssessment, NewContentBlock, NewCourse, NewLesson, NewUser, Page, ProfilePatch,
};
use lms_db::{AuditFilter, Lms, SubmitOptions};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::convert::{columns, fields_of, to_json, to_py, Id, Json};
use crate::errors;
use crate::runtime::{block_on, same_process};

/// What a client and its scopes share: the pool and whether it is closed.
struct Shared {
    lms: Lms,
    pid: u32,
    closed: AtomicBool,
}

impl Shared {
    fn check(&self, py: Python<'_>) -> PyResult<()> {
        same_process(py, self.pid)?;
        if self.closed.load(Ordering::Acquire) {
            return Err(errors::usage(
                py,
                "this client is closed: call lms.connect() again",
            ));
        }
        Ok(())
    }
}

/// A connection to an lms database: a pool of connections, safe to share between
/// threads. Make scopes with `as_user`, `as_anon`, `as_service`; close it with `close()`
/// or use it as a context manager.
#[pyclass(frozen, module = "lms._native")]
pub struct Client {
    shared: Arc<Shared>,
}

/// Connects to the database at `url` (`postgres://…`): a pool of `max_connections`
/// (default 10) whose calls fail with `DatabaseError` after waiting `acquire_timeout`
/// seconds (default 5) for a connection.
///
/// `pooled=True` goes through a connection pooler in transaction mode (PgBouncer,
/// Supabase's pooler on port 6543): no statement is kept prepared between transactions;
/// `migrate` is then refused (run migrations on a direct connection). `replicas` are
/// read replicas' URLs: the read models and a visitor's catalog run on one that streams
/// within `max_replica_lag` seconds (default 10), else on the primary. A statement slower
/// than `slow_statement_ms` (default 1000) is logged at `WARNING` to the `lms.sqlx.query`
/// logger of Python's `logging`.
#[pyfunction]
#[pyo3(signature = (url, *, max_connections = None, acquire_timeout = None, pooled = false, replicas = None, max_replica_lag = 10.0, slow_statement_ms = 1000))]
#[allow(clippy::too_many_arguments)]
pub fn connect(
    py: Python<'_>,
    url: &str,
    max_connections: Option<u32>,
    acquire_timeout: Option<f64>,
    pooled: bool,
    replicas: Option<Vec<String>>,
    max_replica_lag: f64,
    slow_statement_ms: u64,
) -> PyResult<Client> {
    let connect_options = Lms::connect_options(url, Duration::from_millis(slow_statement_ms))
        .map_err(|e| errors::db(py, &e))?;
    let max_lag = Duration::try_from_secs_f64(max_replica_lag).map_err(|_| {
        PyValueError::new_err("max_replica_lag must be a non-negative number of seconds")
    })?;
    let mut options = Lms::pool_options();
    if let Some(n) = max_connections {
        if n == 0 {
            return Err(PyValueError::new_err("max_connections must be at least 1"));
        }
        options = options.max_connections(n);
    }
    if let Some(seconds) = acquire_timeout {
        let timeout = Duration::try_from_secs_f64(seconds).map_err(|_| {
            PyValueError::new_err("acquire_timeout must be a positive number of seconds")
        })?;
        options = options.acquire_timeout(timeout);
    }
    // the pool is made inside the runtime that drives it
    let replicas = replicas.unwrap_or_default();
    let lms = block_on(py, async move {
        let lms = if pooled {
            Lms::connect_pooled_with_options(options, connect_options).await
        } else {
            Lms::connect_with_options(options, connect_options).await
        }?;
        let urls: Vec<&str> = replicas.iter().map(String::as_str).collect();
        lms.with_replicas(&urls, max_lag)
    })?
    .map_err(|e| errors::db(py, &e))?;
    Ok(Client {
        shared: Arc::new(Shared {
            lms,
            pid: std::process::id(),
            closed: AtomicBool::new(false),
        }),
    })
}

#[pymethods]
impl Client {
    /// Applies the library's pending migrations (and, once, repairs the documents stored
    /// before the boundary migration).
    fn migrate(&self, py: Python<'_>) -> PyResult<()> {
        self.shared.check(py)?;
        let lms = self.shared.lms.clone();
        block_on(py, async move { lms.migrate().await })?.map_err(|e| errors::db(py, &e))
    }

    /// A scope acting as the user `user_id` (a `uuid.UUID` or its text), under Row Level
    /// Security as the `authenticated` role. The library trusts this id: pass the `sub`
    /// of a token your back end has verified, never an id a client sent.
    fn as_user(&self, user_id: Id) -> Scope {
        Scope {
            scope: self.shared.lms.as_user(UserId(user_id.0)),
            shared: Arc::clone(&self.shared),
        }
    }

    /// A scope for a visitor who is not signed in (the public catalog).
    fn as_anon(&self) -> Scope {
        Scope {
            scope: self.shared.lms.as_anon(),
            shared: Arc::clone(&self.shared),
        }
    }

    /// A scope for trusted back-office jobs (`service_role`, which bypasses Row Level
    /// Security). Never use it for a request of an end user.
    fn as_service(&self) -> Scope {
        Scope {
            scope: self.shared.lms.as_service(),
            shared: Arc::clone(&self.shared),
        }
    }

    /// Closes the pool; later calls raise `LmsError`. Closing twice is harmless.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        if self.shared.closed.swap(true, Ordering::AcqRel) || self.shared.pid != std::process::id()
        {
            return Ok(());
        }
        let pool = self.shared.lms.pool().clone();
        block_on(py, async move { pool.close().await })
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    /// The pool's statistics now: connections open (`size`), `idle`, `in_use`, its
    /// `max_connections`, and whether it is `closed`.
    fn pool_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stats = serde_json::to_value(self.shared.lms.pool_stats())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        to_py(py, &stats, None)
    }

    /// Whether the client goes through a transaction pooler (`connect(..., pooled=True)`).
    #[getter]
    fn pooled(&self) -> bool {
        self.shared.lms.is_pooled()
    }

    /// The number of read replicas (`connect(..., replicas=[...])`).
    #[getter]
    fn replica_count(&self) -> usize {
        self.shared.lms.replica_count()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }
}

/// Arguments as the library's input type `T`; a mismatch is a `TypeError` naming what.
fn input<T: DeserializeOwned>(what: &str, value: Value) -> PyResult<T> {
    serde_json::from_value(value).map_err(|e| PyTypeError::new_err(format!("{what}: {e}")))
}

/// The keyword arguments of a patch (`changes`) as the patch type `T`: only `T`'s fields
/// may be given (a misspelt one is a `TypeError`, not a silent no-op); `None` clears a
/// nullable column.
/// An argument read into its Rust type: a `ValueError` naming the call and `what` when
/// it does not fit.
fn argument<T: DeserializeOwned>(call: &str, what: &str, value: Value) -> PyResult<T> {
    serde_json::from_value(value)
        .map_err(|e| PyValueError::new_err(format!("{call}(): {what}: {e}")))
}

fn patch<T>(what: &str, changes: Option<&Bound<'_, PyDict>>) -> PyResult<T>
where
    T: DeserializeOwned + Serialize + Default,
{
    let allowed = fields_of(&T::default());
    let mut map = Map::new();
    if let Some(changes) = changes {
        for (k, v) in changes.iter() {
            let key: String = k.extract()?;
            if !allowed.contains(&key) {
                return Err(PyTypeError::new_err(format!(
                    "{what}() got an unexpected keyword argument {key:?} (one of {})",
                    allowed.join(", ")
                )));
            }
            map.insert(key, to_json(&v)?);
        }
    }
    lms_core::calls::read_changes(&map).map_err(|(field, reason)| {
        PyTypeError::new_err(match field {
            Some(field) => format!("{what}(): {field}: {reason}"),
            None => format!("{what}(): {reason}"),
        })
    })
}

/// `Option<Json>` as JSON, `null` when absent.
fn opt(value: Option<Json>) -> Value {
    value.map_or(Value::Null, |v| v.0)
}

/// A scope: every use case of the library, acting for one actor (see `Client.as_user`).
/// Each call runs in one transaction; results are dicts (ids `uuid.UUID`, times aware
/// `datetime`, documents as stored), read models columns for DataFrames.
#[pyclass(frozen, module = "lms._native")]
pub struct Scope {
    scope: lms_db::Scope,
    shared: Arc<Shared>,
}

impl Scope {
    /// Runs a use case: its result as JSON typed by `key` (see `convert::to_py`).
    fn run<'py, T, F>(
        &self,
        py: Python<'py>,
        key: Option<&str>,
        fut: F,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        T: Serialize,
        F: Future<Output = lms_db::Result<T>> + Send,
    {
        let value = self.value(py, fut)?;
        to_py(py, &value, key)
    }

    /// Runs a use case: its result as JSON.
    fn value<T, F>(&self, py: Python<'_>, fut: F) -> PyResult<Value>
    where
        T: Serialize,
        F: Future<Output = lms_db::Result<T>> + Send,
    {
        self.shared.check(py)?;
        let outcome = block_on(py, async move {
            fut.await
                .map(|t| serde_json::to_value(t).map_err(|e| e.to_string()))
        })?;
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(pyo3::exceptions::PyRuntimeError::new_err(e)),
            Err(e) => Err(errors::db(py, &e)),
        }
    }

    fn s(&self) -> lms_db::Scope {
        self.scope.clone()
    }
}

/// The columns of rows of type `T` (`sample` gives the field names when there are no
/// rows).
fn table<'py, T: Serialize>(
    py: Python<'py>,
    rows: &Value,
    sample: &T,
) -> PyResult<Bound<'py, PyDict>> {
    let rows = rows.as_array().cloned().unwrap_or_default();
    columns(py, &rows, &fields_of(sample))
}

/// The outcome counts an item-analysis line carries, one column each.
const OUTCOMES: [&str; 5] = [
    "correct",
    "partial",
    "incorrect",
    "unanswered",
    "pending_review",
];

/// The columns of a completion funnel's lessons.
const FUNNEL_FIELDS: &[&str] = &[
    "lesson_id",
    "title",
    "enrolled",
    "started",
    "completed",
    "assessment_id",
    "passed",
    "median_seconds",
    "drop_off",
];

/// The columns of an item analysis's items.
const ITEM_FIELDS: &[&str] = &[
    "question_id",
    "kind",
    "prompt",
    "max_points",
    "attempts",
    "facility",
    "discrimination",
    "mean_points",
    "correct",
    "partial",
    "incorrect",
    "unanswered",
    "pending_review",
];

/// The columns of an item analysis's options.
const OPTION_FIELDS: &[&str] = &[
    "question_id",
    "option_id",
    "text",
    "correct",
    "count",
    "share",
];

/// The columns of an item analysis's wrong answers.
const WRONG_ANSWER_FIELDS: &[&str] = &["question_id", "answer", "count", "share"];

/// The columns of the students at risk.
const AT_RISK_FIELDS: &[&str] = &[
    "student_id",
    "student_name",
    "student_email",
    "enrolled_at",
    "last_active_at",
    "completed_lessons",
    "pace",
    "reasons",
];

/// The columns of a course's activity.
const ACTIVITY_FIELDS: [&str; 5] = [
    "start",
    "active_students",
    "submissions",
    "completions",
    "seconds",
];

/// A report: every field of `value` converted, and each of `tables` as columns.
fn report<'py>(
    py: Python<'py>,
    value: Value,
    tables: &[(&str, &Value, &[&str])],
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (key, field) in value.as_object().into_iter().flatten() {
        if !tables.iter().any(|(name, _, _)| name == key) {
            out.set_item(key, to_py(py, field, Some(key))?)?;
        }
    }
    for (name, rows, fields) in tables {
        let rows = rows.as_array().cloned().unwrap_or_default();
        let fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        out.set_item(*name, columns(py, &rows, &fields)?)?;
    }
    Ok(out)
}

/// A `datetime.date` argument; a `datetime.datetime` (a `date` too) is refused rather
/// than cut to its local day.
fn day(what: &str, value: Option<Bound<'_, PyAny>>) -> PyResult<Option<chrono::NaiveDate>> {
    let Some(value) = value else {
        return Ok(None);
    };
    if value.is_instance_of::<pyo3::types::PyDateTime>() {
        return Err(PyTypeError::new_err(format!(
            "{what} is a datetime.date (a UTC day), not a datetime: use .date() in UTC"
        )));
    }
    value.extract::<chrono::NaiveDate>().map(Some).map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} is a datetime.date, not {}",
            value.get_type()
        ))
    })
}

/// Every item of a paged read model: `fetch` called page after page at the largest page
/// size, until the last (for the columnar calls, which return a whole course).
async fn every_page<T, F, Fut>(mut fetch: F) -> lms_db::Result<Vec<T>>
where
    F: FnMut(Page) -> Fut,
    Fut: Future<Output = lms_db::Result<(Vec<T>, Option<u32>)>>,
{
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let (items, next) = fetch(Page::new(Page::MAX_LIMIT, offset)).await?;
        all.extend(items);
        match next {
            Some(next) => offset = next,
            None => return Ok(all),
        }
    }
}

fn grade_summary_sample() -> lms_db::GradeSummary {
    lms_db::GradeSummary {
        student_id: UserId(uuid::Uuid::nil()),
        assessment_id: AssessmentId(uuid::Uuid::nil()),
        course_id: CourseId(uuid::Uuid::nil()),
        attempts: 0,
        submitted: 0,
        awaiting_grading: 0,
        best_score: None,
        passed: false,
        last_submitted_at: None,
        assessment_title: None,
    }
}

fn gradebook_entry_sample() -> lms_db::GradebookEntry {
    lms_db::GradebookEntry {
        summary: grade_summary_sample(),
        student_name: None,
        student_email: None,
    }
}

fn dashboard_course_sample() -> lms_db::DashboardCourse {
    lms_db::DashboardCourse {
        course_id: CourseId(uuid::Uuid::nil()),
        title: String::new(),
        enrolled_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        completed_at: None,
        completion_percentage: 0,
        last_accessed: None,
        grade: Default::default(),
    }
}

fn course_grade_sample() -> lms_db::StudentCourseGrade {
    lms_db::StudentCourseGrade {
        student_id: UserId(uuid::Uuid::nil()),
        student_name: None,
        student_email: None,
        grade: Default::default(),
    }
}

#[pymethods]
impl Scope {
    // authoring ----------------------------------------------------------------------

    /// Creates an unpublished course (an instructor in their own name; admins and the
    /// service for anyone).
    #[pyo3(signature = (title, instructor_id, *, description = None, tags = None, difficulty_level = None, estimated_duration_minutes = None))]
    fn create_course<'py>(
        &self,
        py: Python<'py>,
        title: String,
        instructor_id: Id,
        description: Option<String>,
        tags: Option<Vec<String>>,
        difficulty_level: Option<Json>,
        estimated_duration_minutes: Option<i32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new: NewCourse = input(
            "create_course",
            json!({
                "title": title, "instructor_id": instructor_id.0, "description": description,
                "tags": tags.unwrap_or_default(), "difficulty_level": opt(difficulty_level),
                "estimated_duration_minutes": estimated_duration_minutes,
            }),
        )?;
        let s = self.s();
        self.run(py, None, async move { s.create_course(new).await })
    }

    /// One course, as the actor may see it.
    fn get_course<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.get_course(CourseId(course_id.0)).await
        })
    }

    /// Courses the actor may see, newest first: one page `{"items", "next_offset",
    /// "total"}`.
    #[pyo3(signature = (*, tag = None, difficulty = None, published = None, instructor_id = None, limit = 50, offset = 0))]
    fn list_courses<'py>(
        &self,
        py: Python<'py>,
        tag: Option<String>,
        difficulty: Option<Json>,
        published: Option<bool>,
        instructor_id: Option<Id>,
        limit: u32,
        offset: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let filter: CourseFilter = input(
            "list_courses",
            json!({"tag": tag, "difficulty": opt(difficulty), "published": published,
                   "instructor_id": instructor_id.map(|i| i.0)}),
        )?;
        let s = self.s();
        self.run(py, None, async move {
            s.list_courses(&filter, Page::new(limit, offset)).await
        })
    }

    /// Changes a course (its author): `title`, `description`, `final_assessment_id`,
    /// `tags`, `difficulty_level`, `estimated_duration_minutes`.
    #[pyo3(signature = (course_id, **changes))]
    fn update_course<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        changes: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p: CoursePatch = patch("update_course", changes)?;
        let s = self.s();
        self.run(py, None, async move {
            s.update_course(CourseId(course_id.0), p).await
        })
    }

    /// Deletes a course with everything in it (its author).
    fn delete_course(&self, py: Python<'_>, course_id: Id) -> PyResult<()> {
        let s = self.s();
        self.value(
            py,
            async move { s.delete_course(CourseId(course_id.0)).await },
        )
        .map(drop)
    }

    /// Adds a lesson; its prerequisites must keep the course's lessons a DAG.
    #[pyo3(signature = (course_id, title, order_index, *, description = None, learning_objectives = None, estimated_duration_minutes = None, prerequisites = None))]
    fn create_lesson<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        title: String,
        order_index: i32,
        description: Option<String>,
        learning_objectives: Option<Vec<String>>,
        estimated_duration_minutes: Option<i32>,
        prerequisites: Option<Vec<Id>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new = NewLesson {
            course_id: CourseId(course_id.0),
            title,
            description,
            order_index,
            learning_objectives: learning_objectives.unwrap_or_default(),
            estimated_duration_minutes,
            prerequisites: prerequisites
                .unwrap_or_default()
                .into_iter()
                .map(|p| LessonId(p.0))
                .collect(),
        };
        let s = self.s();
        self.run(py, None, async move { s.create_lesson(new).await })
    }

    /// The lessons of a course the actor may see, in order.
    fn list_lessons<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.list_lessons(CourseId(course_id.0)).await
        })
    }

    /// A course's public outline (also for anonymous visitors).
    fn course_outline<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.course_outline(CourseId(course_id.0)).await
        })
    }

    /// Changes a lesson: `title`, `description`, `order_index`, `learning_objectives`,
    /// `estimated_duration_minutes`, `assessment_id`, `prerequisites`, `is_published`.
    #[pyo3(signature = (lesson_id, **changes))]
    fn update_lesson<'py>(
        &self,
        py: Python<'py>,
        lesson_id: Id,
        changes: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p: LessonPatch = patch("update_lesson", changes)?;
        let s = self.s();
        self.run(py, None, async move {
            s.update_lesson(LessonId(lesson_id.0), p).await
        })
    }

    /// Puts a course's lessons in the order given (every one of them, once).
    fn reorder_lessons<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        order: Vec<Id>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let order: Vec<LessonId> = order.into_iter().map(|i| LessonId(i.0)).collect();
        let s = self.s();
        self.run(py, None, async move {
            s.reorder_lessons(CourseId(course_id.0), &order).await
        })
    }

    /// Adds a content block: its document is validated for its type and stored
    /// normalized (HTML sanitized).
    #[pyo3(signature = (lesson_id, content_type, content, order_index, *, metadata = None))]
    fn create_block<'py>(
        &self,
        py: Python<'py>,
        lesson_id: Id,
        content_type: Json,
        content: Json,
        order_index: i32,
        metadata: Option<Json>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new: NewContentBlock = input(
            "create_block",
            json!({"lesson_id": lesson_id.0, "type": content_type.0, "content": content.0,
                   "order_index": order_index, "metadata": opt(metadata)}),
        )?;
        let s = self.s();
        self.run(py, None, async move { s.create_block(new).await })
    }

    /// The blocks of a lesson the actor may see, in order.
    fn list_blocks<'py>(&self, py: Python<'py>, lesson_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.list_blocks(LessonId(lesson_id.0)).await
        })
    }

    /// Changes a block: a new `content` (with its `content_type`), `order_index`,
    /// `metadata`.
    #[pyo3(signature = (block_id, *, content_type = None, content = None, order_index = None, metadata = None))]
    fn update_block<'py>(
        &self,
        py: Python<'py>,
        block_id: Id,
        content_type: Option<Json>,
        content: Option<Json>,
        order_index: Option<i32>,
        metadata: Option<Json>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let content = match (content_type, content) {
            (Some(t), Some(c)) => Some((input::<ContentType>("content_type", t.0)?, c.0)),
            (None, None) => None,
            _ => {
                return Err(PyTypeError::new_err(
                    "update_block(): content and content_type change together",
                ))
            }
        };
        let p = ContentBlockPatch {
            content,
            order_index,
            metadata: metadata.map(|m| m.0),
        };
        let s = self.s();
        self.run(py, None, async move {
            s.update_block(ContentBlockId(block_id.0), p).await
        })
    }

    /// Puts a lesson's blocks in the order given (every one of them, once).
    fn reorder_blocks<'py>(
        &self,
        py: Python<'py>,
        lesson_id: Id,
        order: Vec<Id>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let order: Vec<ContentBlockId> = order.into_iter().map(|i| ContentBlockId(i.0)).collect();
        let s = self.s();
        self.run(py, None, async move {
            s.reorder_blocks(LessonId(lesson_id.0), &order).await
        })
    }

    /// Adds an assessment to a lesson (`lesson_id`) or a course (`course_id`, a final
    /// assessment); its questions are validated.
    /// `policy`: the attempt policy, a dict of `grading_method`, `retake_policy`,
    /// `attempt_delay_seconds`, `later_attempt_delay_seconds`, `time_limit_policy`,
    /// `grace_seconds`, `shuffle_questions`, `shuffle_options` (each left out takes its
    /// default). `opens_at`, `closes_at`,
    /// `due_at`: aware datetimes; `late_policy`: a dict of `deduction_percent`,
    /// `interval` (`"hour"` or `"day"`) and `floor_percent` (none: the course's applies).
    #[pyo3(signature = (title, questions, *, lesson_id = None, course_id = None, description = None, ai_generated = false, source_content_ids = None, is_mandatory = true, minimum_passing_score = 70, max_attempts = None, time_limit_minutes = None, policy = None, opens_at = None, closes_at = None, due_at = None, late_policy = None))]
    fn create_assessment<'py>(
        &self,
        py: Python<'py>,
        title: String,
        questions: Json,
        lesson_id: Option<Id>,
        course_id: Option<Id>,
        description: Option<String>,
        ai_generated: bool,
        source_content_ids: Option<Vec<Id>>,
        is_mandatory: bool,
        minimum_passing_score: i32,
        max_attempts: Option<i32>,
        time_limit_minutes: Option<i32>,
        policy: Option<Json>,
        opens_at: Option<Json>,
        closes_at: Option<Json>,
        due_at: Option<Json>,
        late_policy: Option<Json>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let policy: lms_core::attempts::AttemptPolicy = match policy {
            Some(p) => serde_json::from_value(p.0).map_err(|e| {
                pyo3::exceptions::PyValueError::new_err(format!("create_assessment(): policy: {e}"))
            })?,
            None => Default::default(),
        };
        let schedule: lms_core::delivery::Schedule = argument(
            "create_assessment",
            "opens_at, closes_at, due_at",
            json!({
                "opens_at": opens_at.map(|j| j.0),
                "closes_at": closes_at.map(|j| j.0),
                "due_at": due_at.map(|j| j.0),
            }),
        )?;
        let late_policy: Option<lms_core::delivery::LatePolicy> = argument(
            "create_assessment",
            "late_policy",
            late_policy.map(|j| j.0).unwrap_or(Value::Null),
        )?;
        let owner = match (lesson_id, course_id) {
            (Some(l), None) => AssessmentOwner::Lesson(LessonId(l.0)),
            (None, Some(c)) => AssessmentOwner::Course(CourseId(c.0)),
            _ => {
                return Err(PyTypeError::new_err(
                    "create_assessment(): give exactly one of lesson_id and course_id",
                ))
            }
        };
        let new = NewAssessment {
            owner,
            title,
            description,
            questions: questions.0,
            ai_generated,
            source_content_ids: source_content_ids
                .unwrap_or_default()
                .into_iter()
                .map(|b| ContentBlockId(b.0))
                .collect(),
            is_mandatory,
            minimum_passing_score,
            max_attempts,
            time_limit_minutes,
            policy,
            schedule,
            late_policy,
        };
        let s = self.s();
        self.run(py, None, async move { s.create_assessment(new).await })
    }

    /// Changes an assessment: `title`, `description`, `questions`, `is_mandatory`,
    /// `minimum_passing_score`, `max_attempts`, `time_limit_minutes`, and the policy:
    /// `grading_method`, `retake_policy`, `attempt_delay_seconds`,
    /// `later_attempt_delay_seconds`, `time_limit_policy`, `grace_seconds`,
    /// `shuffle_questions`, `shuffle_options`.
    #[pyo3(signature = (assessment_id, **changes))]
    fn update_assessment<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
        changes: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p: AssessmentPatch = patch("update_assessment", changes)?;
        let s = self.s();
        self.run(py, None, async move {
            s.update_assessment(AssessmentId(assessment_id.0), p).await
        })
    }

    /// An assessment with its answer keys (the course's author, admins, the service).
    fn get_assessment<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.get_assessment(AssessmentId(assessment_id.0)).await
        })
    }

    /// The questions as the actor may see them: with keys for the course's staff, the
    /// student view (no answer keys) for its students.
    fn assessment_questions<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, Some("questions"), async move {
            s.assessment_questions(AssessmentId(assessment_id.0)).await
        })
    }

    /// Publishes a course and its lessons, or raises `NotPublishable` with every
    /// problem.
    fn publish_course<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.publish_course(CourseId(course_id.0)).await
        })
    }

    // studying -----------------------------------------------------------------------

    /// Enrols the acting student in a published course.
    fn enroll<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(
            py,
            None,
            async move { s.enroll(CourseId(course_id.0)).await },
        )
    }

    /// Records progress on a content block (a progress document, plus the seconds spent
    /// since the last report) and updates the lesson's progress.
    #[pyo3(signature = (block_id, progress_data, seconds = 0))]
    fn record_content_progress<'py>(
        &self,
        py: Python<'py>,
        block_id: Id,
        progress_data: Json,
        seconds: i32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.record_content_progress(ContentBlockId(block_id.0), &progress_data.0, seconds)
                .await
        })
    }

    /// Starts (or resumes) an attempt: the attempt, the questions without keys, the
    /// deadline.
    fn start_attempt<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.start_attempt(AssessmentId(assessment_id.0)).await
        })
    }

    /// Saves answers on the open attempt.
    fn save_answers<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
        answers: Json,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.save_answers(AssessmentId(assessment_id.0), &answers.0)
                .await
        })
    }

    /// Submits answers: scores them, stores the result and updates progress. Answers
    /// that answer nothing raise `NoAnswers` unless `allow_empty=True`.
    #[pyo3(signature = (assessment_id, answers, *, allow_empty = false))]
    fn submit_attempt<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
        answers: Json,
        allow_empty: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = if allow_empty {
            SubmitOptions::allow_empty()
        } else {
            SubmitOptions::default()
        };
        let s = self.s();
        self.run(py, None, async move {
            s.submit_attempt_with(AssessmentId(assessment_id.0), &answers.0, options)
                .await
        })
    }

    /// The acting student's attempts at an assessment.
    fn my_attempts<'py>(&self, py: Python<'py>, assessment_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.my_attempts(AssessmentId(assessment_id.0)).await
        })
    }

    /// The review of an attempt as the actor may see it now: to its student, what the
    /// assessment's review options show; to the course's staff, everything.
    fn attempt_review<'py>(&self, py: Python<'py>, attempt_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.attempt_review(AttemptId(attempt_id.0)).await
        })
    }

    /// Grades one essay of a submitted attempt (the course's instructor, admins, the
    /// service).
    #[pyo3(signature = (attempt_id, question_id, points, comment = None))]
    fn grade_essay<'py>(
        &self,
        py: Python<'py>,
        attempt_id: Id,
        question_id: String,
        points: u32,
        comment: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.grade_essay(
                AttemptId(attempt_id.0),
                &question_id,
                points,
                comment.as_deref(),
            )
            .await
        })
    }

    /// Overrides the points of any question of a submitted attempt (the course's
    /// instructor, admins, the service): `points` exact (`0.75`), a comment.
    #[pyo3(signature = (attempt_id, question_id, points, comment = None))]
    fn override_question<'py>(
        &self,
        py: Python<'py>,
        attempt_id: Id,
        question_id: String,
        points: f64,
        comment: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.override_question(
                AttemptId(attempt_id.0),
                &question_id,
                points,
                comment.as_deref(),
            )
            .await
        })
    }

    /// Re-scores the finished attempts of an assessment against its current questions
    /// (the course's instructor, admins, the service); writes nothing when `dry_run`.
    #[pyo3(signature = (assessment_id, *, dry_run = false))]
    fn regrade_assessment<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
        dry_run: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.regrade_assessment(AssessmentId(assessment_id.0), dry_run)
                .await
        })
    }

    /// Closes up to `limit` open attempts whose time ran out, by their assessments'
    /// overdue handling (the service only; a cron job's call).
    #[pyo3(signature = (limit = 500))]
    fn close_overdue_attempts<'py>(
        &self,
        py: Python<'py>,
        limit: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(
            py,
            None,
            async move { s.close_overdue_attempts(limit).await },
        )
    }

    // staff ---------------------------------------------------------------------------

    /// Puts a user on a course's staff, or changes their role (the course's instructor,
    /// admins, the service): `"co_instructor"` (authors and grades) or `"grader"` (reads
    /// the gradebook and grades; no authoring).
    fn add_staff<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        user_id: Id,
        role: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let role: StaffRole = argument("add_staff", "role", Value::String(role))?;
        let s = self.s();
        self.run(py, None, async move {
            s.add_staff(CourseId(course_id.0), UserId(user_id.0), role)
                .await
        })
    }

    /// Takes a user off a course's staff (the course's instructor, admins, the service),
    /// or the caller off it (leaving).
    fn remove_staff<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        user_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.remove_staff(CourseId(course_id.0), UserId(user_id.0))
                .await
        })
    }

    /// A course's staff besides its instructor, as the actor may see them.
    fn list_staff<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.list_staff(CourseId(course_id.0)).await
        })
    }

    // grades --------------------------------------------------------------------------

    /// Sets how a course's assessments make its grade (its authors, admins, the
    /// service): a grading-scheme document, `{"groups": [{"name", "weight",
    /// "drop_lowest"}], "assessments": [{"assessment_id", "group", "weight"}]}`
    /// (`{}`: every assessment counts alike), validated against the course. Returns the
    /// course.
    fn set_grading_scheme<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        scheme: Json,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.set_grading_scheme(CourseId(course_id.0), &scheme.0).await
        })
    }

    /// Every enrolled student's course grade as columns (`{"student_id": [...],
    /// "current_percent": [...], "final_percent": [...], "groups": [...], …}`, for
    /// `pandas.DataFrame` / `polars.DataFrame`): every page (the course's staff, admins,
    /// the service).
    fn course_grades<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyDict>> {
        let s = self.s();
        let course = CourseId(course_id.0);
        let grades = self.value(py, async move {
            every_page(|page| {
                let s = s.clone();
                async move {
                    let p = s.course_grades(course, page).await?;
                    Ok((p.grades, p.next_offset))
                }
            })
            .await
        })?;
        table(py, &grades, &course_grade_sample())
    }

    /// One page of a course's grades: `{"course_id", "grades", "next_offset", "total",
    /// "version"}`, a grade per enrolled student by name.
    #[pyo3(signature = (course_id, *, limit = 50, offset = 0))]
    fn course_grades_page<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        limit: u32,
        offset: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.course_grades(CourseId(course_id.0), Page::new(limit, offset))
                .await
        })
    }

    // delivery ------------------------------------------------------------------------

    /// Sets a student's accommodation at one assessment (`assessment_id`) or every
    /// assessment of the course (the course's instructor, admins, the service): extra
    /// minutes or a time factor, extra attempts, a later close and due time (aware
    /// datetimes). Replaces the one set for the same student and scope; the most lenient
    /// of those that apply wins.
    #[pyo3(signature = (course_id, student_id, *, assessment_id = None, extra_minutes = 0, time_factor = 1.0, extra_attempts = 0, closes_at = None, due_at = None))]
    fn set_accommodation<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        student_id: Id,
        assessment_id: Option<Id>,
        extra_minutes: i32,
        time_factor: f64,
        extra_attempts: i32,
        closes_at: Option<Json>,
        due_at: Option<Json>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new: lms_db::NewAccommodation = argument(
            "set_accommodation",
            "the accommodation",
            json!({
                "course_id": course_id.0,
                "student_id": student_id.0,
                "assessment_id": assessment_id.map(|a| a.0),
                "extra_minutes": extra_minutes,
                "time_factor": time_factor,
                "extra_attempts": extra_attempts,
                "closes_at": closes_at.map(|j| j.0),
                "due_at": due_at.map(|j| j.0),
            }),
        )?;
        let s = self.s();
        self.run(py, None, async move { s.set_accommodation(new).await })
    }

    /// Removes an accommodation (the course's instructor, admins, the service).
    fn remove_accommodation<'py>(
        &self,
        py: Python<'py>,
        accommodation_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.remove_accommodation(AccommodationId(accommodation_id.0))
                .await
        })
    }

    /// The accommodations of a course the actor may see (a student: their own).
    fn list_accommodations<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.list_accommodations(CourseId(course_id.0)).await
        })
    }

    /// The attempt rules that apply to a student at an assessment: limits, policy,
    /// dates and late policy, their accommodations applied.
    fn assessment_rules<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
        student_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.assessment_rules(AssessmentId(assessment_id.0), UserId(student_id.0))
                .await
        })
    }

    /// The acting student's progress rows on a course.
    fn my_progress<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.my_progress(CourseId(course_id.0)).await
        })
    }

    /// The acting student's enrolments with their course titles.
    fn my_enrollments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move { s.my_enrollments().await })
    }

    /// The acting student's learning-progress records.
    fn my_learning_progress<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move { s.my_learning_progress().await })
    }

    /// The acting student's roadmaps.
    fn my_roadmaps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move { s.my_roadmaps().await })
    }

    // roadmaps -----------------------------------------------------------------------

    /// What the planner sees for the acting student in a course (the course graph, their
    /// progress, mastery traced from their answers, preferences), as `plan_roadmap` takes
    /// it: what your own model looks at before `propose_roadmap`.
    fn roadmap_input<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, Some("content"), async move {
            s.roadmap_input(CourseId(course_id.0)).await
        })
    }

    /// Plans and stores a new active roadmap of the course for the acting student (or,
    /// for the service, `student_id`), their mastery traced anew; the previous one is
    /// paused or completed. Returns the roadmap with `stale` (False).
    #[pyo3(signature = (course_id, student_id = None))]
    fn generate_roadmap<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        student_id: Option<Id>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        let course = CourseId(course_id.0);
        self.run(py, None, async move {
            match student_id {
                Some(student) => s.generate_roadmap_for(UserId(student.0), course).await,
                None => s.generate_roadmap(course).await,
            }
        })
    }

    /// The active roadmap of the course — the acting student's, or `student_id`'s as the
    /// actor may read it (the course's instructor, admins, the service) — with `stale`
    /// (progress, attempts or the course's model changed since); `None` if there is none.
    #[pyo3(signature = (course_id, student_id = None))]
    fn current_roadmap<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        student_id: Option<Id>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        let course = CourseId(course_id.0);
        self.run(py, None, async move {
            match student_id {
                Some(student) => s.current_roadmap_of(UserId(student.0), course).await,
                None => s.current_roadmap(course).await,
            }
        })
    }

    /// Stores your model's `proposal` (a roadmap_data document) as the acting student's
    /// roadmap of the course if it breaks none of the course's rules against the
    /// library's plan: `{"accepted", "roadmap", "violations"}`; refused, nothing is
    /// stored.
    #[pyo3(signature = (course_id, proposal, *, source = "advisor", reasoning = None))]
    fn propose_roadmap<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        proposal: Json,
        source: &str,
        reasoning: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let source = source.to_owned();
        let s = self.s();
        self.run(py, None, async move {
            s.propose_roadmap(CourseId(course_id.0), &proposal.0, &source, reasoning)
                .await
        })
    }

    /// Generates anew every stale active roadmap of the course (its instructor, admins,
    /// the service): `{"regenerated", "fresh"}`.
    fn regenerate_roadmaps<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.regenerate_roadmaps(CourseId(course_id.0)).await
        })
    }

    /// The course's knowledge model (its instructor, admins, the service):
    /// `{"default": params | None, "skills": {name: params}}`.
    fn knowledge_model<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, Some("content"), async move {
            s.knowledge_model(CourseId(course_id.0)).await
        })
    }

    /// Sets BKT parameters (`{"prior", "learn", "guess", "slip", "forget"}`) of `skill`,
    /// or with `skill=None` the course's default, by hand; returns the model.
    #[pyo3(signature = (course_id, params, skill = None))]
    fn set_knowledge_model<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        params: Json,
        skill: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let params: lms_core::roadmap::BktParams =
            input("set_knowledge_model(): params", params.0)?;
        let s = self.s();
        self.run(py, Some("content"), async move {
            s.set_knowledge_model(CourseId(course_id.0), skill.as_deref(), params)
                .await
        })
    }

    /// Fits the course's knowledge model to its students' graded answers (its
    /// instructor, admins, the service) and stores it: `{"course_id", "skills": [{"skill",
    /// "params", "log_likelihood", "iterations", "answers", "sequences"}], "answers"}`.
    #[pyo3(signature = (course_id, *, restarts = 5, seed = 42, max_iterations = 100, tolerance = 1e-6, forgets = false))]
    fn fit_knowledge_model<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        restarts: u32,
        seed: u64,
        max_iterations: u32,
        tolerance: f64,
        forgets: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = lms_core::roadmap::FitOptions {
            restarts,
            seed,
            max_iterations,
            tolerance,
            forgets,
        };
        let s = self.s();
        self.run(py, None, async move {
            s.fit_knowledge_model(CourseId(course_id.0), options).await
        })
    }

    // people -------------------------------------------------------------------------

    /// The acting user's profile.
    fn my_profile<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move { s.my_profile().await })
    }

    /// Changes a profile: `first_name`, `last_name`, `avatar_url` (https),
    /// `learning_preferences` (validated); `knowledge_profile` for the service.
    #[pyo3(signature = (user_id, **changes))]
    fn update_profile<'py>(
        &self,
        py: Python<'py>,
        user_id: Id,
        changes: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p: ProfilePatch = patch("update_profile", changes)?;
        let s = self.s();
        self.run(py, None, async move {
            s.update_profile(UserId(user_id.0), p).await
        })
    }

    /// Sets another user's role (admins; nobody changes their own).
    fn set_role<'py>(
        &self,
        py: Python<'py>,
        user_id: Id,
        role: Json,
    ) -> PyResult<Bound<'py, PyAny>> {
        let role: UserRole = input("role", role.0)?;
        let s = self.s();
        self.run(py, None, async move {
            s.set_role(UserId(user_id.0), role).await
        })
    }

    /// Signs a user up on plain PostgreSQL (the service; refused on Supabase, whose
    /// auth server signs users up).
    #[pyo3(signature = (email, *, role = None, first_name = None, last_name = None))]
    fn sign_up<'py>(
        &self,
        py: Python<'py>,
        email: String,
        role: Option<Json>,
        first_name: Option<String>,
        last_name: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new: NewUser = input(
            "sign_up",
            json!({"email": email, "role": role.map_or(json!("student"), |r| r.0),
                   "first_name": first_name, "last_name": last_name}),
        )?;
        let s = self.s();
        self.run(py, None, async move { s.sign_up(new).await })
    }

    /// The profile of `user_id`, created when missing (the service).
    #[pyo3(signature = (user_id, email = None))]
    fn ensure_profile<'py>(
        &self,
        py: Python<'py>,
        user_id: Id,
        email: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.ensure_profile(UserId(user_id.0), email.as_deref()).await
        })
    }

    /// Every row about a user (GDPR portability): the user, an admin, the service.
    fn export_user_data<'py>(&self, py: Python<'py>, user_id: Id) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.export_user_data(UserId(user_id.0)).await
        })
    }

    /// Erases a user (GDPR erasure); their courses go to `successor` (named by an admin
    /// or the service).
    #[pyo3(signature = (user_id, successor = None))]
    fn erase_user<'py>(
        &self,
        py: Python<'py>,
        user_id: Id,
        successor: Option<Id>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.erase_user(UserId(user_id.0), successor.map(|i| UserId(i.0)))
                .await
        })
    }

    // audit --------------------------------------------------------------------------

    /// Entries of the audit log, newest first (admins, the service): one page.
    #[pyo3(signature = (*, table_name = None, row_id = None, actor_id = None, action = None, since = None, until = None, limit = 50, offset = 0))]
    fn audit_log<'py>(
        &self,
        py: Python<'py>,
        table_name: Option<String>,
        row_id: Option<Id>,
        actor_id: Option<Id>,
        action: Option<Json>,
        since: Option<Json>,
        until: Option<Json>,
        limit: u32,
        offset: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let filter: AuditFilter = input(
            "audit_log",
            json!({"table_name": table_name, "row_id": row_id.map(|i| i.0),
                   "actor_id": actor_id.map(|i| i.0), "action": opt(action),
                   "since": opt(since), "until": opt(until)}),
        )?;
        let s = self.s();
        self.run(py, None, async move {
            s.audit_log(&filter, Page::new(limit, offset)).await
        })
    }

    /// Records a failed sign-in in the audit log.
    fn record_failed_sign_in<'py>(
        &self,
        py: Python<'py>,
        email: String,
        reason: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.record_failed_sign_in(&email, &reason).await
        })
    }

    // read models --------------------------------------------------------------------

    /// A course's whole gradebook as columns (`{"student_id": [...], "best_score": [...],
    /// …}`, for `pandas.DataFrame` / `polars.DataFrame`): every page, one line per
    /// student and assessment attempted.
    fn gradebook<'py>(&self, py: Python<'py>, course_id: Id) -> PyResult<Bound<'py, PyDict>> {
        let s = self.s();
        let course = CourseId(course_id.0);
        let entries = self.value(py, async move {
            every_page(|page| {
                let s = s.clone();
                async move {
                    let book = s.gradebook(course, page).await?;
                    Ok((book.entries, book.next_offset))
                }
            })
            .await
        })?;
        table(py, &entries, &gradebook_entry_sample())
    }

    /// One page of a course's gradebook: `{"course_id", "entries", "next_offset",
    /// "total", "course_grades", "version"}` (the course grade of each student of the
    /// page).
    #[pyo3(signature = (course_id, *, limit = 50, offset = 0))]
    fn gradebook_page<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        limit: u32,
        offset: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move {
            s.gradebook(CourseId(course_id.0), Page::new(limit, offset))
                .await
        })
    }

    /// The acting student's dashboard: `{"student_id", "version", "courses": columns,
    /// "assessments": columns}`.
    fn student_dashboard<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.s();
        let value = self.value(py, async move { s.student_dashboard().await })?;
        let out = PyDict::new(py);
        out.set_item(
            "student_id",
            to_py(py, &value["student_id"], Some("student_id"))?,
        )?;
        out.set_item("version", to_py(py, &value["version"], None)?)?;
        out.set_item(
            "courses",
            table(py, &value["courses"], &dashboard_course_sample())?,
        )?;
        out.set_item(
            "assessments",
            table(py, &value["assessments"], &grade_summary_sample())?,
        )?;
        Ok(out)
    }

    // course analytics ---------------------------------------------------------------

    /// A course's completion funnel: `{"course_id", "enrolled", "completed",
    /// "final_assessment_id", "final_passed", "lessons": columns}`, one line per
    /// published lesson in course order (enrolled, started, completed, passed, median
    /// seconds, drop-off).
    fn completion_funnel<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
    ) -> PyResult<Bound<'py, PyDict>> {
        let s = self.s();
        let value = self.value(py, async move {
            s.completion_funnel(CourseId(course_id.0)).await
        })?;
        let lessons = value["lessons"].clone();
        report(py, value, &[("lessons", &lessons, FUNNEL_FIELDS)])
    }

    /// Item analysis of an assessment over its graded attempts (`attempts`: `"all"`,
    /// each student's `"first"` or `"last"`): the test's statistics and, as columns,
    /// `"items"` (one line per question, with its outcome counts), `"options"` (one line
    /// per option of each choice question), `"wrong_answers"` and `"histogram"`.
    #[pyo3(signature = (assessment_id, *, attempts = "all"))]
    fn item_analysis<'py>(
        &self,
        py: Python<'py>,
        assessment_id: Id,
        attempts: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let which: lms_db::AttemptFilter = input("attempts", json!(attempts))?;
        let s = self.s();
        let value = self.value(py, async move {
            s.item_analysis(AssessmentId(assessment_id.0), which).await
        })?;
        let (mut items, mut options, mut wrong) = (Vec::new(), Vec::new(), Vec::new());
        for item in value["items"].as_array().into_iter().flatten() {
            let question = item["question_id"].clone();
            let mut line = item.as_object().cloned().unwrap_or_default();
            for nested in ["options", "wrong_answers", "outcomes"] {
                line.remove(nested);
            }
            for outcome in OUTCOMES {
                line.insert(
                    outcome.into(),
                    item["outcomes"].get(outcome).cloned().unwrap_or(json!(0)),
                );
            }
            items.push(Value::Object(line));
            for (list, into) in [("options", &mut options), ("wrong_answers", &mut wrong)] {
                for entry in item[list].as_array().into_iter().flatten() {
                    let mut line = Map::new();
                    line.insert("question_id".into(), question.clone());
                    line.extend(entry.as_object().cloned().unwrap_or_default());
                    into.push(Value::Object(line));
                }
            }
        }
        let histogram = value["histogram"].clone();
        let (items, options, wrong) =
            (Value::from(items), Value::from(options), Value::from(wrong));
        report(
            py,
            value,
            &[
                ("items", &items, ITEM_FIELDS),
                ("options", &options, OPTION_FIELDS),
                ("wrong_answers", &wrong, WRONG_ANSWER_FIELDS),
                ("histogram", &histogram, &["from", "to", "count"]),
            ],
        )
    }

    /// The students at risk in a course: `{"course_id", "computed_at", "thresholds",
    /// "cohort", "cohort_median_pace", "students": columns}`, each student with their
    /// `reasons` (a list of `{"reason": "inactive" | "behind_pace" | "repeatedly_failing"
    /// | "low_mastery", …the numbers}`). Keyword thresholds override the defaults
    /// (`inactive_days=14`, `pace_ratio=0.5`, `min_days_enrolled=7`, `failed_attempts=3`,
    /// `mastery_below=0.4`, `min_evidence=3`).
    #[pyo3(signature = (course_id, **thresholds))]
    fn at_risk_students<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        thresholds: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let given = match thresholds {
            Some(t) => to_json(t.as_any())?,
            None => json!({}),
        };
        let thresholds: lms_core::analytics::RiskThresholds = input("thresholds", given)?;
        let s = self.s();
        let value = self.value(py, async move {
            s.at_risk_students(CourseId(course_id.0), thresholds).await
        })?;
        let students = value["students"].clone();
        report(py, value, &[("students", &students, AT_RISK_FIELDS)])
    }

    /// A course's activity as columns, one line per day or week (`bucket`: `"day"` or
    /// `"week"`, weeks from Monday) from `since` to `until` (`datetime.date`, UTC days,
    /// both included; by default from the first enrolment to today): `start`,
    /// `active_students`, `submissions`, `completions`, `seconds`.
    #[pyo3(signature = (course_id, *, bucket = "day", since = None, until = None))]
    fn activity<'py>(
        &self,
        py: Python<'py>,
        course_id: Id,
        bucket: &str,
        since: Option<Bound<'py, PyAny>>,
        until: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let bucket: lms_db::Bucket = input("bucket", json!(bucket))?;
        let (since, until) = (day("since", since)?, day("until", until)?);
        let s = self.s();
        let value = self.value(py, async move {
            s.activity(CourseId(course_id.0), bucket, since, until)
                .await
        })?;
        let rows = value.as_array().cloned().unwrap_or_default();
        columns(py, &rows, &ACTIVITY_FIELDS.map(String::from))
    }

    // stored documents ---------------------------------------------------------------

    /// Checks every stored document by the library's rules (the service).
    fn check_documents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move { s.check_documents().await })
    }

    /// Rewrites the stored documents that are only not in the library's form (the
    /// service).
    fn repair_documents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.s();
        self.run(py, None, async move { s.repair_documents().await })
    }

    /// Who this scope acts for: `("user", UUID)`, `("anon", None)` or `("service", None)`.
    #[getter]
    fn actor<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (kind, id) = match self.scope.actor() {
            lms_db::Actor::User(u) => ("user", Some(u.0)),
            lms_db::Actor::Anon => ("anon", None),
            _ => ("service", None),
        };
        Ok((kind, id).into_pyobject(py)?.into_any())
    }
}

//! What Row Level Security costs: the library's read models on the big world
//! (`lms-db/tests/sql/big_world.sql`: 2,000 students, 200 courses, 100,000 attempts),
//! run as the user under RLS and as `service_role`, which bypasses RLS. The same SQL in
//! both modes, returning the same rows (checked before timing):
//!
//! - `student_dashboard`: the three queries of `Scope::student_dashboard`
//!   (`lms_db::analytics::queries::DASHBOARD_*`), for a student of 5 courses;
//! - `instructor_gradebook`: the queries of `Scope::gradebook`
//!   (`lms_db::analytics::queries::GRADEBOOK`, `COURSE_GRADINGS`), a course of 500
//!   attempts;
//! - `adhoc_join`: an instructor's hand-written join of attempts, assessments and
//!   lessons, for information: what three policies on a join cost.
//!
//! Goal: RLS ≤ 1.5× `service_role` for the library's queries.
//!
//! `scripts/with-postgres cargo bench -p lms --bench rls`
//!
//! Needs `DATABASE_URL` (a user that may create databases and `set role` to the API
//! roles); without it, it prints a note and exits successfully. It creates a database of
//! its own (`lms_bench_<pid>`), migrates, seeds and analyzes it, and drops it at the end,
//! also after a panic.
//!
//! What is timed, per iteration: sending the queries (with their parameter bound, one
//! after the other) and fetching all their rows, on one connection, inside a
//! transaction opened as the library opens one:
//! `set_config('request.jwt.claims', {sub, role}, true)` then
//! `set local role authenticated` (RLS) or `set local role service_role`, and for the
//! gradebook the read models' settings its use case runs with
//! (`lms_db::analytics::queries::READ_MODEL_SETTINGS`: no JIT, `work_mem` 32 MB).
//! Opening the transaction, the settings and the rollback are not timed: they are the
//! same round trips in both modes. The ratios printed at the end divide criterion's median
//! estimates.

use std::hint::black_box;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime};

use criterion::Criterion;
use lms::core::repo::Page;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::runtime::Runtime;
use uuid::Uuid;

/// The seed, shared with `lms-db/tests/rls.rs`.
const BIG_WORLD: &str = include_str!("../lms-db/tests/sql/big_world.sql");

/// An ad-hoc instructor query through three policies (attempts, assessments, lessons):
/// not a library query, timed for information (`{course}` is replaced by its id). The
/// `assessments` policy is checked on every assessment the hash join scans.
const ADHOC_JOIN: &str = "select at.student_id, at.assessment_id, at.score, at.passed
   from assessment_attempts at
   join assessments a on a.id = at.assessment_id
   join lessons l on l.id = a.lesson_id
  where l.course_id = '{course}'";

/// How a transaction acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `authenticated` with the actor's claims: under Row Level Security.
    Rls,
    /// `service_role` (with the same `sub`): Row Level Security bypassed.
    Service,
}

const MODES: [Mode; 2] = [Mode::Rls, Mode::Service];

impl Mode {
    /// The role set, also the benchmark's function name.
    fn role(self) -> &'static str {
        match self {
            Mode::Rls => "authenticated",
            Mode::Service => "service_role",
        }
    }
}

/// One thing measured: who runs which queries, each with its one parameter (`None`: the
/// query has none).
struct Workload {
    /// The criterion group name (also its directory under `target/criterion`).
    name: &'static str,
    actor: Uuid,
    queries: Vec<(String, Option<Uuid>)>,
    /// Whether the use case runs them with `queries::READ_MODEL_SETTINGS`.
    read_model: bool,
    /// Whether the ≤ 1.5× goal applies (a library query) or the figure is informational.
    goal: bool,
}

/// The bench's own database, dropped (with its connections) when this is dropped, which
/// also happens while a panic unwinds.
struct BenchDatabase {
    admin: PgConnectOptions,
    name: String,
}

impl BenchDatabase {
    async fn create(admin: PgConnectOptions) -> Self {
        let name = format!("lms_bench_{}", std::process::id());
        let mut conn = connect(&admin).await;
        sqlx::raw_sql(&format!("drop database if exists {name} with (force)"))
            .execute(&mut conn)
            .await
            .expect("drop a leftover bench database");
        sqlx::raw_sql(&format!("create database {name}"))
            .execute(&mut conn)
            .await
            .expect("create the bench database (may the DATABASE_URL user create databases?)");
        Self { admin, name }
    }

    fn options(&self) -> PgConnectOptions {
        self.admin.clone().database(&self.name)
    }
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        let dropped = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|rt| {
                rt.block_on(async {
                    use sqlx::Connection as _;
                    let mut conn = sqlx::PgConnection::connect_with(&self.admin).await?;
                    sqlx::raw_sql(&format!(
                        "drop database if exists {} with (force)",
                        self.name
                    ))
                    .execute(&mut conn)
                    .await?;
                    conn.close().await
                })
                .map_err(|e| e.to_string())
            });
        if let Err(e) = dropped {
            eprintln!("rls bench: could not drop database {}: {e}", self.name);
        }
    }
}

async fn connect(options: &PgConnectOptions) -> sqlx::PgConnection {
    use sqlx::Connection as _;
    sqlx::PgConnection::connect_with(options)
        .await
        .expect("connect to DATABASE_URL")
}

/// Opens a transaction acting for `actor` in `mode`, as `lms_db::Scope::begin` does, with
/// the read models' settings where the use case sets them.
async fn begin(
    pool: &PgPool,
    mode: Mode,
    actor: Uuid,
    read_model: bool,
) -> Transaction<'static, Postgres> {
    let mut tx = pool.begin().await.expect("begin");
    if read_model {
        sqlx::query(lms::db::analytics::queries::READ_MODEL_SETTINGS)
            .execute(&mut *tx)
            .await
            .expect("the read models' settings");
    }
    sqlx::query("select set_config('request.jwt.claims', $1, true)")
        .bind(serde_json::json!({"sub": actor, "role": mode.role()}).to_string())
        .execute(&mut *tx)
        .await
        .expect("set the claims");
    sqlx::query(&format!("set local role {}", mode.role()))
        .execute(&mut *tx)
        .await
        .expect("set the role");
    tx
}

/// Runs the queries and returns the number of rows of each.
async fn run(
    tx: &mut Transaction<'static, Postgres>,
    queries: &[(String, Option<Uuid>)],
) -> Vec<usize> {
    let mut counts = Vec::with_capacity(queries.len());
    for (query, param) in queries {
        let mut q = sqlx::query(query);
        if let Some(param) = param {
            q = q.bind(*param);
        }
        if query.contains("limit $2 offset $3") {
            // a paged read model: the largest page, which holds the whole course
            q = q.bind(i64::from(Page::MAX_LIMIT)).bind(0_i64);
        }
        let rows = q.fetch_all(&mut **tx).await.expect("run a bench query");
        counts.push(black_box(rows).len());
    }
    counts
}

/// Migrates and seeds the bench database; returns the workloads, checked to return the
/// same (non-zero) row counts in both modes.
async fn prepare(pool: &PgPool) -> Vec<Workload> {
    lms::db::MIGRATOR.run(pool).await.expect("migrate");
    let mut conn = pool.acquire().await.expect("a connection");
    sqlx::raw_sql(BIG_WORLD)
        .execute(&mut *conn)
        .await
        .expect("seed the big world");
    // the seed ends with `analyze`; its temporary tables die with this connection
    conn.close().await.expect("close the seeding connection");

    let student: Uuid =
        sqlx::query_scalar("select student_id from enrollments order by student_id limit 1")
            .fetch_one(pool)
            .await
            .expect("a student");
    let (instructor, course): (Uuid, Uuid) =
        sqlx::query_as("select instructor_id, id from courses order by title limit 1")
            .fetch_one(pool)
            .await
            .expect("a course");
    use lms::db::analytics::queries;
    let workloads = vec![
        Workload {
            name: "student_dashboard",
            actor: student,
            queries: [
                queries::DASHBOARD_COURSES,
                queries::DASHBOARD_ATTEMPTS,
                queries::DASHBOARD_GRADINGS,
            ]
            .map(|q| (q.to_owned(), Some(student)))
            .to_vec(),
            read_model: false,
            goal: true,
        },
        Workload {
            name: "instructor_gradebook",
            actor: instructor,
            queries: vec![
                (queries::GRADEBOOK.to_owned(), Some(course)),
                (queries::COURSE_GRADINGS.to_owned(), Some(course)),
            ],
            read_model: true,
            goal: true,
        },
        Workload {
            name: "adhoc_join",
            actor: instructor,
            queries: vec![(ADHOC_JOIN.replace("{course}", &course.to_string()), None)],
            read_model: false,
            goal: false,
        },
    ];
    for w in &workloads {
        let mut counts = Vec::new();
        for mode in MODES {
            let mut tx = begin(pool, mode, w.actor, w.read_model).await;
            counts.push(run(&mut tx, &w.queries).await);
            tx.rollback().await.expect("rollback");
        }
        assert_eq!(
            counts[0], counts[1],
            "{}: rows as RLS vs as service_role",
            w.name
        );
        assert!(counts[0].iter().all(|&n| n > 0), "{}: no rows", w.name);
        println!("{}: rows {:?} in both modes", w.name, counts[0]);
    }
    workloads
}

fn bench(c: &mut Criterion, rt: &Runtime, pool: &PgPool, workloads: &[Workload]) {
    for w in workloads {
        let mut group = c.benchmark_group(w.name);
        for mode in MODES {
            group.bench_function(mode.role(), |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let mut timed = Duration::ZERO;
                        for _ in 0..iters {
                            let mut tx = begin(pool, mode, w.actor, w.read_model).await;
                            let start = Instant::now();
                            black_box(run(&mut tx, &w.queries).await);
                            timed += start.elapsed();
                            tx.rollback().await.expect("rollback");
                        }
                        timed
                    })
                })
            });
        }
        group.finish();
    }
}

/// Where criterion writes its estimates, found as criterion finds it.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    let from_metadata = std::env::var_os("CARGO").and_then(|cargo| {
        let out = std::process::Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()?;
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        Some(PathBuf::from(meta["target_directory"].as_str()?).join("criterion"))
    });
    from_metadata.unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// Criterion's median estimate (ns) of `group/function`, if this run recorded one.
fn median_ns(
    home: &std::path::Path,
    group: &str,
    function: &str,
    since: SystemTime,
) -> Option<f64> {
    let path = home.join(group).join(function).join("new/estimates.json");
    let fresh = std::fs::metadata(&path).ok()?.modified().ok()? >= since;
    if !fresh {
        return None;
    }
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

fn report(workloads: &[Workload], since: SystemTime) {
    let home = criterion_home();
    println!("\nRLS vs service_role, medians of criterion's samples (query time only):");
    for w in workloads {
        let medians = MODES.map(|mode| median_ns(&home, w.name, mode.role(), since));
        match medians {
            [Some(rls), Some(service)] => println!(
                "  {:<22} RLS {:>9.1} µs   service_role {:>9.1} µs   ratio {:.2}× {}",
                w.name,
                rls / 1e3,
                service / 1e3,
                rls / service,
                if w.goal {
                    "(goal ≤ 1.5×)"
                } else {
                    "(ad-hoc SQL, for information)"
                }
            ),
            _ => println!(
                "  {:<22} no estimates recorded by this run (test mode or filtered out)",
                w.name
            ),
        }
    }
}

fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        println!("rls bench: DATABASE_URL is unset; skipped (try scripts/with-postgres)");
        return;
    };
    // criterion's arguments first: a bad one exits the process, before any database exists
    let mut criterion = Criterion::default().configure_from_args();
    let admin = PgConnectOptions::from_str(&url).expect("DATABASE_URL is a PostgreSQL URL");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");

    let database = rt.block_on(BenchDatabase::create(admin));
    // one connection: every iteration runs on the same session and statement cache
    let pool = rt
        .block_on(
            PgPoolOptions::new()
                .max_connections(1)
                .connect_with(database.options()),
        )
        .expect("connect to the bench database");
    let workloads = rt.block_on(prepare(&pool));

    let since = SystemTime::now();
    bench(&mut criterion, &rt, &pool, &workloads);
    criterion.final_summary();
    report(&workloads, since);

    rt.block_on(pool.close());
    drop(database);
}

//! `lms`: the command line of the lms data layer, for the people who run it.
//!
//! ```text
//! lms migrate [up | down N | status]   apply, revert or list the schema migrations
//! lms check                            drift: migrations, RLS, policies, grants, functions
//! lms health [--json]                  key metrics and alerts (exit 1 on an alert)
//! lms export-user ID > user.json       every row about a user (GDPR)
//! lms erase-user ID [--successor ID]   erase a user, handing their courses over
//! lms demo-data [--smoke]              fill an empty database with the seeded demo
//! ```
//!
//! Every command reads the database from `DATABASE_URL` (or `--database-url`) and acts
//! as the library's trusted service. Exit codes: 0 done (and nothing found), 1 a
//! failure, drift or alert, 2 bad usage (a missing `DATABASE_URL`, a bad argument).

mod check;
mod health;

/// The demo generator of the benches and notebooks.
#[allow(dead_code, clippy::unwrap_used)]
#[path = "../../benches/support/demo.rs"]
mod demo;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use lms::core::model::UserId;
use lms::db::Lms;
use sqlx::PgPool;
use uuid::Uuid;

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "lms",
    version,
    about = "Run the lms data layer: migrations, checks, health, GDPR, demo data"
)]
struct Cli {
    /// The database (a postgres:// URL); default: the `DATABASE_URL` environment variable.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Applies the pending migrations (the default), reverts the last N, or lists them.
    Migrate {
        #[command(subcommand)]
        action: Option<Migrate>,
    },
    /// Checks for drift: every embedded migration applied unchanged; row level security,
    /// policies, grants, functions, views and triggers as the migrations made them.
    /// Exits 1 on drift.
    Check {
        /// JSON on standard output, for monitoring systems.
        #[arg(long)]
        json: bool,
    },
    /// The key metrics from PostgreSQL's statistics views: slow statements, connections,
    /// table and index sizes and growth, dead tuples, unused indexes. Exits 1 when a
    /// threshold is crossed.
    Health {
        /// JSON on standard output, for monitoring systems.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        thresholds: health::Thresholds,
    },
    /// Writes every row about a user (GDPR data portability) as JSON to standard output.
    ExportUser {
        /// The user's id.
        id: Uuid,
    },
    /// Erases a user (GDPR right to erasure); their courses go to `--successor`. Prints
    /// what was removed, as JSON.
    EraseUser {
        /// The user's id.
        id: Uuid,
        /// The instructor or admin who takes over their courses, if they teach any.
        #[arg(long)]
        successor: Option<Uuid>,
    },
    /// Migrates an empty database and fills it with the seeded, reproducible demo (the
    /// analytics generator): courses through the library, students and attempts with
    /// its rules.
    DemoData {
        /// The sizes, seed and present.
        #[command(flatten)]
        demo: demo::DemoArgs,
    },
}

#[derive(Subcommand, Debug)]
enum Migrate {
    /// Applies every pending migration.
    Up,
    /// Reverts the last `steps` applied migrations (their `.down.sql`).
    Down {
        /// How many.
        steps: usize,
    },
    /// Lists the embedded migrations and whether each is applied.
    Status,
}

/// Why a command did not do its work.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// Bad usage: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Anything else: exit 1.
    #[error("{0}")]
    Failed(String),
}

impl From<lms::db::Error> for Failure {
    fn from(e: lms::db::Error) -> Self {
        Failure::Failed(e.to_string())
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::Failed(format!("database: {e}"))
    }
}

impl From<sqlx::migrate::MigrateError> for Failure {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Failure::Failed(format!("migration: {e}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lms: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(Failure::Usage(m)) => {
            eprintln!("lms: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(m)) => {
            eprintln!("lms: {m}");
            ExitCode::FAILURE
        }
    }
}

/// Connects to the database (a few connections, a short wait: a tool, not a service).
async fn connect(url: Option<&str>) -> Result<Lms, Failure> {
    let url = url.ok_or_else(|| {
        Failure::Usage(
            "set DATABASE_URL (or pass --database-url) to the database's postgres:// URL".into(),
        )
    })?;
    let options: sqlx::postgres::PgConnectOptions = url
        .parse()
        .map_err(|e| Failure::Usage(format!("DATABASE_URL is not a PostgreSQL URL: {e}")))?;
    let pool = Lms::pool_options()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| Failure::Failed(format!("cannot connect to the database: {e}")))?;
    Ok(Lms::from_pool(pool))
}

fn spinner(message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Failed(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let lms = connect(cli.database_url.as_deref()).await?;
    match cli.command {
        Command::Migrate { action } => migrate(&lms, action.unwrap_or(Migrate::Up)).await,
        Command::Check { json: as_json } => {
            let report = check::run(lms.pool()).await?;
            if as_json {
                json(&report)?;
            } else {
                print_check(&report);
            }
            Ok(if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Health {
            json: as_json,
            thresholds,
        } => {
            let h = health::run(lms.pool(), &thresholds).await?;
            if as_json {
                json(&h)?;
            } else {
                print!("{}", health::render(&h));
            }
            Ok(if h.alerts.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::ExportUser { id } => {
            let export = lms.as_service().export_user_data(UserId(id)).await?;
            json(&export)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::EraseUser { id, successor } => {
            let erased = lms
                .as_service()
                .erase_user(UserId(id), successor.map(UserId))
                .await?;
            json(&erased)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::DemoData { demo } => {
            let options = demo.options();
            demo_data(&lms, &options).await
        }
    }
}

/// The applied migrations' versions, in order (none when the table is missing).
async fn applied(pool: &PgPool) -> Result<Vec<i64>, Failure> {
    Ok(check::applied_rows(pool)
        .await?
        .into_iter()
        .filter(|(_, success, ..)| *success)
        .map(|(version, ..)| version)
        .collect())
}

async fn migrate(lms: &Lms, action: Migrate) -> Result<ExitCode, Failure> {
    let before = applied(lms.pool()).await?;
    match action {
        Migrate::Up => {
            let bar = spinner("applying migrations");
            let done = lms.migrate().await;
            bar.finish_and_clear();
            done?;
            let after = applied(lms.pool()).await?;
            let new: Vec<i64> = after.into_iter().filter(|v| !before.contains(v)).collect();
            if new.is_empty() {
                println!("up to date: {} migrations applied", before.len());
            } else {
                for v in &new {
                    println!("applied {v} {}", describe(*v));
                }
            }
        }
        Migrate::Down { steps } => {
            if steps == 0 {
                return Err(Failure::Usage("migrate down takes 1 or more steps".into()));
            }
            if steps > before.len() {
                return Err(Failure::Usage(format!(
                    "cannot revert {steps} migrations: {} are applied",
                    before.len()
                )));
            }
            let target = if steps == before.len() {
                0
            } else {
                before[before.len() - steps - 1]
            };
            let bar = spinner("reverting migrations");
            let done = lms::db::MIGRATOR.undo(lms.pool(), target).await;
            bar.finish_and_clear();
            done?;
            for v in before.iter().rev().take(steps) {
                println!("reverted {v} {}", describe(*v));
            }
        }
        Migrate::Status => {
            let drift = check::migrations(lms.pool()).await?;
            let bad = drift.iter().any(|d| d.state != "pending");
            for m in lms::db::MIGRATOR
                .iter()
                .filter(|m| m.migration_type.is_up_migration())
            {
                let state = drift
                    .iter()
                    .find(|d| d.version == m.version)
                    .map_or("applied", |d| d.state);
                println!("{:<8} {} {}", state, m.version, m.description);
            }
            for d in drift.iter().filter(|d| d.state == "unknown") {
                println!("{:<8} {} {}", d.state, d.version, d.description);
            }
            // a failed, changed or unknown migration is drift (pending ones are work)
            if bad {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The description of an embedded migration.
fn describe(version: i64) -> String {
    lms::db::MIGRATOR
        .iter()
        .find(|m| m.version == version)
        .map(|m| m.description.to_string())
        .unwrap_or_default()
}

fn print_check(r: &check::Report) {
    for m in &r.migrations {
        println!("migration {} {}: {}", m.version, m.description, m.state);
    }
    for l in &r.missing {
        println!("missing: {l}");
    }
    for l in &r.unexpected {
        println!("unexpected: {l}");
    }
    if !r.definitions_compared {
        println!(
            "note: policy definitions not compared (another PostgreSQL major version than the \
             one the expected schema was made with)"
        );
    }
    if r.is_clean() {
        println!("no drift");
    }
}

async fn demo_data(lms: &Lms, options: &demo::DemoOptions) -> Result<ExitCode, Failure> {
    // refused before anything is written: a database of courses is nobody's demo
    let exists: bool = sqlx::query_scalar("select to_regclass('public.courses') is not null")
        .fetch_one(lms.pool())
        .await?;
    let courses = if exists {
        let mut tx = lms.pool().begin().await?;
        sqlx::query("set local role service_role")
            .execute(&mut *tx)
            .await?;
        let n: i64 = sqlx::query_scalar("select count(*) from public.courses")
            .fetch_one(&mut *tx)
            .await?;
        tx.rollback().await?;
        n
    } else {
        0
    };
    if courses > 0 {
        return Err(Failure::Failed(format!(
            "the database already holds {courses} courses: demo-data fills an empty one"
        )));
    }
    lms.migrate().await?;
    let bar = spinner("generating the demo");
    let demo = demo::generate(lms, options).await;
    bar.finish_and_clear();
    println!(
        "demo: {} courses, {} students; rows written: {:?}",
        demo.courses.len(),
        demo.students.len(),
        demo.rows
    );
    Ok(ExitCode::SUCCESS)
}

//! `lms-load`: the write path against PostgreSQL's own ceiling, measured in one run.
//!
//! Creates a throwaway database on the server of `DATABASE_URL` (a user that may create
//! databases), migrates and seeds it through the library (one published course, a lesson
//! with a block and the 20-question assessment of `benches/support/inputs.rs`, a final
//! exam), then drives `--clients` concurrent clients (one student each) through each
//! workload for `--seconds`, and prints throughput, p50 and p99. Then it runs `pgbench`
//! (`-i`, then the built-in TPC-B script) on the same server with the same client count
//! and prints each workload's throughput as a ratio of pgbench's TPS: the machine and the
//! noise cancel out of the ratios, not of the absolute figures.
//!
//! ```text
//! scripts/with-postgres cargo run --release -p lms --example load -- --write BENCHMARKS.md
//! scripts/with-postgres cargo run -p lms --example load -- --smoke   # CI: seconds
//! ```
//!
//! Workloads: `submit_attempt` (each client's student's next attempt: its history grows
//! through the run), `submit_attempt` at 1 client, `start_attempt` (resumed), `sign_up`
//! then `enroll` (a fresh student each time), `record_content_progress`,
//! `student_dashboard`, `gradebook` (the instructor's first page).
//!
//! Not measured yet (issue "performance"): round trips per use case, cost against the
//! number of previous attempts at 1/100/1,000, resident memory at 64 clients.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use lms::core::model::UserRole;
use lms::core::repo::Page;
use lms::db::Lms;
use serde_json::json;

#[path = "../benches/support/inputs.rs"]
#[allow(dead_code)]
mod inputs;

#[path = "../benches/support/course.rs"]
mod course;

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "lms-load",
    about = "The write path against pgbench TPC-B, in one run"
)]
struct Args {
    /// Concurrent clients (and pgbench clients).
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds per workload (and for pgbench).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// A short run that only proves the tool works (1 s per workload, 2 clients).
    #[arg(long)]
    smoke: bool,
    /// Also write the results as this markdown file (e.g. BENCHMARKS.md).
    #[arg(long)]
    write: Option<PathBuf>,
}

/// One workload's figures.
struct Figures {
    name: &'static str,
    clients: usize,
    ops: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// The seeded world: the course (`benches/support/course.rs`) and the library.
struct World {
    lms: Lms,
    course: course::Course,
}

/// Runs `op` from `clients` tasks for `seconds`; each task gets its index and the number
/// of its call. Latencies in milliseconds.
async fn drive<F, Fut>(name: &'static str, clients: usize, seconds: u64, op: F) -> Figures
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let op = Arc::clone(&op);
            tokio::spawn(async move {
                let mut times = Vec::new();
                let mut n = 0;
                while Instant::now() < until {
                    let t = Instant::now();
                    op(c, n).await;
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                    n += 1;
                }
                times
            })
        })
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.expect("client"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        times
            .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    Figures {
        name,
        clients,
        ops: times.len(),
        per_second: times.len() as f64 / elapsed,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
    }
}

/// pgbench's TPS on database `name` of the server of `url`, `clients` clients.
fn pgbench(url: &str, name: &str, clients: usize, seconds: u64) -> Option<f64> {
    let mut target: url::Url = url.parse().ok()?;
    target.set_path(&format!("/{name}"));
    let init = Command::new("pgbench")
        .args(["-i", "-q", "-s", "10", target.as_str()])
        .output()
        .ok()?;
    if !init.status.success() {
        eprintln!(
            "pgbench -i failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        return None;
    }
    let clients = clients.to_string();
    let run = Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &clients,
            "-j",
            &clients,
            "-T",
            &seconds.to_string(),
            target.as_str(),
        ])
        .output()
        .ok()?;
    let out = String::from_utf8_lossy(&run.stdout);
    out.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l["tps = ".len()..].split_whitespace().next()?.parse().ok())
}

#[tokio::main]
async fn main() {
    let mut args = Args::parse();
    if args.smoke {
        args.seconds = 1;
        args.clients = 2;
    }
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("lms-load: set DATABASE_URL (scripts/with-postgres does)");
        std::process::exit(2);
    };
    let admin = sqlx::PgPool::connect(&url).await.expect("connect");
    let name = format!("lms_load_{}", std::process::id());
    sqlx::query(&format!("create database {name}"))
        .execute(&admin)
        .await
        .expect("create the load database");
    let mut options: sqlx::postgres::PgConnectOptions = url.parse().expect("DATABASE_URL");
    options = options.database(&name);
    let pool = Lms::pool_options()
        .max_connections(u32::try_from(args.clients * 2 + 2).unwrap_or(32))
        .connect_with(options)
        .await
        .expect("connect to the load database");
    let lms = Lms::from_pool(pool);
    lms.migrate().await.expect("migrate");
    let seeded = course::published(&lms, &inputs::question_set(), inputs::rich_text()).await;
    let w = Arc::new(World {
        lms,
        course: seeded,
    });

    let (clients, seconds) = (args.clients, args.seconds);
    let students = Arc::new(course::students(&w.lms, w.course.course, clients).await);
    let answers = inputs::answers();
    let mut results = Vec::new();

    let (ww, ss, aa) = (Arc::clone(&w), Arc::clone(&students), answers.clone());
    results.push(
        drive("submit_attempt", clients, seconds, move |c, _| {
            let (w, s, a) = (Arc::clone(&ww), Arc::clone(&ss), aa.clone());
            async move {
                s[c].submit_attempt(w.course.quiz, &a)
                    .await
                    .expect("submit");
            }
        })
        .await,
    );
    let (ww, ss, aa) = (Arc::clone(&w), Arc::clone(&students), answers.clone());
    results.push(
        drive("submit_attempt", 1, seconds, move |_, _| {
            let (w, s, a) = (Arc::clone(&ww), Arc::clone(&ss), aa.clone());
            async move {
                s[0].submit_attempt(w.course.quiz, &a)
                    .await
                    .expect("submit");
            }
        })
        .await,
    );
    let (ww, ss) = (Arc::clone(&w), Arc::clone(&students));
    results.push(
        drive("start_attempt (resumed)", clients, seconds, move |c, _| {
            let (w, s) = (Arc::clone(&ww), Arc::clone(&ss));
            async move {
                s[c].start_attempt(w.course.quiz).await.expect("start");
            }
        })
        .await,
    );
    let ww = Arc::clone(&w);
    results.push(
        drive("sign_up + enroll", clients, seconds, move |c, n| {
            let w = Arc::clone(&ww);
            async move {
                let me = course::user(
                    &w.lms,
                    format!("e{c}-{n}@load.example.org"),
                    UserRole::Student,
                )
                .await;
                me.enroll(w.course.course).await.expect("enroll");
            }
        })
        .await,
    );
    let (ww, ss) = (Arc::clone(&w), Arc::clone(&students));
    results.push(
        drive("record_content_progress", clients, seconds, move |c, n| {
            let (w, s) = (Arc::clone(&ww), Arc::clone(&ss));
            async move {
                let percent = (n % 100) as u64;
                s[c].record_content_progress(w.course.block, &json!({"percent": percent}), 1)
                    .await
                    .expect("progress");
            }
        })
        .await,
    );
    let ss = Arc::clone(&students);
    results.push(
        drive("student_dashboard", clients, seconds, move |c, _| {
            let s = Arc::clone(&ss);
            async move {
                s[c].student_dashboard().await.expect("dashboard");
            }
        })
        .await,
    );
    let ww = Arc::clone(&w);
    results.push(
        drive("gradebook (first page)", clients, seconds, move |_, _| {
            let w = Arc::clone(&ww);
            async move {
                w.course
                    .author
                    .gradebook(w.course.course, Page::new(50, 0))
                    .await
                    .expect("gradebook");
            }
        })
        .await,
    );
    w.lms.pool().close().await;

    let tps_n = pgbench(&url, &name, clients, seconds);
    let tps_1 = pgbench(&url, &name, 1, seconds);
    sqlx::query(&format!("drop database {name} with (force)"))
        .execute(&admin)
        .await
        .expect("drop the load database");

    let version: String = sqlx::query_scalar("select version()")
        .fetch_one(&admin)
        .await
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut table = String::from(
        "| workload | clients | ops | ops/s | p50 ms | p99 ms | × pgbench TPC-B TPS |\n|---|---|---|---|---|---|---|\n",
    );
    for f in &results {
        let tps = if f.clients == 1 { tps_1 } else { tps_n };
        let ratio = tps.map_or("n/a".to_owned(), |t| format!("{:.3}×", f.per_second / t));
        table.push_str(&format!(
            "| `{}` | {} | {} | {:.1} | {:.2} | {:.2} | {} |\n",
            f.name, f.clients, f.ops, f.per_second, f.p50_ms, f.p99_ms, ratio
        ));
    }
    let pg = format!(
        "pgbench TPC-B (scale 10, same server, {seconds} s): {} TPS at {clients} clients, {} TPS at 1 client",
        tps_n.map_or("n/a".into(), |t| format!("{t:.0}")),
        tps_1.map_or("n/a".into(), |t| format!("{t:.0}")),
    );
    println!("{table}\n{pg}");
    if let Some(path) = args.write {
        let doc = format!(
            "# Benchmarks\n\nGenerated by `examples/load.rs`, never typed by hand:\n\n```text\n\
             scripts/with-postgres cargo run --release -p lms --example load -- --clients {clients} --seconds {seconds} --write {}\n```\n\n\
             Machine: {cores} cores; server: {version} (a throwaway cluster of `scripts/with-postgres`, fsync off).\n\
             One run: compare the ratios, not the absolute figures, across machines.\n\n\
             {table}\n{pg}\n",
            path.display()
        );
        std::fs::write(&path, doc).expect("write the results");
    }
}

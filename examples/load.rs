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
//! Also measured:
//! * **round trips per call** of each use case, counted by a proxy in front of the server
//!   (one client, sequential calls after a warm-up; the pool's pings apart); with
//!   `--verbose`, the statements behind them from `pg_stat_statements` when the server
//!   preloads it (`scripts/with-postgres` does);
//! * **the cost against the history**: one client submitting to an assessment where it
//!   already has 1, 100 and 1,000 submitted attempts;
//! * **resident memory** of this process while `--memory-clients` clients (64) submit and
//!   read their dashboard for `--memory-seconds`, sampled every tenth of the run;
//! * **analytics** (skip with `--no-analytics`): the demo data of
//!   `benches/support/demo.rs` generated in a database of its own (its default size, a
//!   few minutes), then each read model of its largest course (and those of a whole course
//!   on the course nearest 2,000 students) as the instructor against the same as
//!   `service_role` (`benches/support/analytics_bench.rs`).

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use lms::core::model::UserRole;
use lms::core::repo::Page;
use lms::db::Lms;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[path = "../benches/support/inputs.rs"]
#[allow(dead_code)]
mod inputs;

#[path = "../benches/support/course.rs"]
mod course;

#[path = "../benches/support/demo.rs"]
#[allow(dead_code)]
mod demo;

#[path = "../benches/support/analytics_bench.rs"]
mod analytics_bench;

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
    /// Concurrent clients of the memory run.
    #[arg(long, default_value_t = 64)]
    memory_clients: usize,
    /// Seconds of the memory run.
    #[arg(long, default_value_t = 60)]
    memory_seconds: u64,
    /// Keep the load database afterwards (to look at its plans with psql); it is
    /// dropped otherwise.
    #[arg(long)]
    keep_database: bool,
    /// Print each counted use case's statements (calls per call, mean ms, text).
    #[arg(long)]
    verbose: bool,
    /// Submissions measured at each history length.
    #[arg(long, default_value_t = 100)]
    history_calls: usize,
    /// Students whose stale roadmaps one `regenerate_roadmaps` renews.
    #[arg(long, default_value_t = 10_000)]
    regenerate_students: usize,
    /// Skip the analytics run (the demo database of `benches/support/demo.rs`, its
    /// default size: a few minutes to generate).
    #[arg(long)]
    no_analytics: bool,
    /// Calls of each read model in the analytics run, as the instructor and as the
    /// service each.
    #[arg(long, default_value_t = 20)]
    analytics_calls: usize,
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
    figures(name, clients, started.elapsed().as_secs_f64(), times)
}

/// Runs `op` `calls` times from one client, one call after the other.
async fn sequential<F, Fut>(name: &'static str, calls: usize, op: F) -> Figures
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    let mut times = Vec::with_capacity(calls);
    for n in 0..calls {
        let t = Instant::now();
        op(n).await;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    figures(name, 1, started.elapsed().as_secs_f64(), times)
}

/// The figures of one run: its latencies (ms) over `elapsed` seconds.
fn figures(name: &'static str, clients: usize, elapsed: f64, mut times: Vec<f64>) -> Figures {
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

/// Counts the library's round trips to the server: a loopback TCP proxy in front of it
/// that reads the client's side of the protocol and counts each simple `Query` and each
/// extended-protocol `Sync`, the messages the server answers with `ReadyForQuery`. A
/// pool connected through [`RoundTrips::port`] (without TLS) is counted.
struct RoundTrips {
    port: u16,
    count: Arc<AtomicU64>,
    /// The pool's pings (a `Sync` with nothing before it), counted apart.
    pings: Arc<AtomicU64>,
}

impl RoundTrips {
    /// The proxy, forwarding to `server`.
    async fn start(server: std::net::SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let count = Arc::new(AtomicU64::new(0));
        let pings = Arc::new(AtomicU64::new(0));
        let (counted, pinged) = (Arc::clone(&count), Arc::clone(&pings));
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (counted, pinged) = (Arc::clone(&counted), Arc::clone(&pinged));
                tokio::spawn(async move {
                    let Ok(upstream) = TcpStream::connect(server).await else {
                        return;
                    };
                    let _ = client.set_nodelay(true);
                    let _ = upstream.set_nodelay(true);
                    let (client_read, mut client_write) = client.into_split();
                    let (mut server_read, server_write) = upstream.into_split();
                    let up = Self::forward(client_read, server_write, counted, pinged);
                    let down = tokio::io::copy(&mut server_read, &mut client_write);
                    let _ = tokio::join!(up, down);
                });
            }
        });
        Ok(Self { port, count, pings })
    }

    /// Copies the client's messages to the server, counting those that end a round trip.
    async fn forward(
        mut from: tokio::net::tcp::OwnedReadHalf,
        mut to: tokio::net::tcp::OwnedWriteHalf,
        count: Arc<AtomicU64>,
        pings: Arc<AtomicU64>,
    ) -> std::io::Result<()> {
        // untyped messages first: SSL or GSS encryption requests (refused by a server
        // without TLS), then the startup message
        loop {
            let mut len = [0u8; 4];
            from.read_exact(&mut len).await?;
            let mut body = vec![0; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
            from.read_exact(&mut body).await?;
            to.write_all(&len).await?;
            to.write_all(&body).await?;
            let code = body.get(..4).map(|c| [c[0], c[1], c[2], c[3]]);
            if !matches!(code.map(u32::from_be_bytes), Some(80_877_103 | 80_877_104)) {
                break;
            }
        }
        let mut pending = false;
        loop {
            let mut head = [0u8; 5];
            from.read_exact(&mut head).await?;
            let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
            let mut body = vec![0; len.saturating_sub(4)];
            from.read_exact(&mut body).await?;
            // a Sync after nothing is the pool's ping (on acquire and on release)
            match head[0] {
                b'Q' => {
                    count.fetch_add(1, Ordering::Relaxed);
                }
                b'S' if pending => {
                    count.fetch_add(1, Ordering::Relaxed);
                    pending = false;
                }
                b'S' => {
                    pings.fetch_add(1, Ordering::Relaxed);
                }
                _ => pending = true,
            }
            to.write_all(&head).await?;
            to.write_all(&body).await?;
        }
    }
}

/// Round trips per call of each use case (through [`RoundTrips`]), and with `--verbose`
/// the statements behind them from `pg_stat_statements` when the server preloads it
/// (`scripts/with-postgres` does).
struct Counter {
    trips: RoundTrips,
    /// A connection to the load database as its owner, when `pg_stat_statements` is there.
    stats: Option<sqlx::PgPool>,
}

impl Counter {
    /// Round trips and pool pings per call of `op`, called `calls` times one after the
    /// other.
    async fn per_call<F, Fut>(&self, name: &'static str, calls: usize, op: F) -> Trips
    where
        F: Fn(usize) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        if let Some(stats) = &self.stats {
            reset_statements(stats).await;
        }
        let before = self.trips.count.load(Ordering::Relaxed);
        let pinged = self.trips.pings.load(Ordering::Relaxed);
        for n in 0..calls {
            op(n).await;
        }
        let trips = self.trips.count.load(Ordering::Relaxed) - before;
        let pings = self.trips.pings.load(Ordering::Relaxed) - pinged;
        if let Some(stats) = &self.stats {
            eprintln!(
                "{name}: {:.1} round trips per call",
                trips as f64 / calls as f64
            );
            print_statements(stats, calls).await;
        }
        Trips {
            name,
            round_trips: trips as f64 / calls as f64,
            pings: pings as f64 / calls as f64,
        }
    }
}

/// One use case's round trips per call ([`Counter::per_call`]).
struct Trips {
    name: &'static str,
    round_trips: f64,
    pings: f64,
}

/// Empties `pg_stat_statements`.
async fn reset_statements(stats: &sqlx::PgPool) {
    sqlx::query("select pg_stat_statements_reset()")
        .execute(stats)
        .await
        .expect("reset pg_stat_statements");
}

/// Prints the statements `pg_stat_statements` saw in the load database since the last
/// reset: calls per use-case call, mean time, text.
async fn print_statements(stats: &sqlx::PgPool, calls: usize) {
    let rows: Vec<(i64, f64, String)> = sqlx::query_as(
        "select calls, mean_exec_time, query from pg_stat_statements \
          where dbid = (select oid from pg_database where datname = current_database()) \
            and query not like '%pg_stat_statements%' order by calls desc, query",
    )
    .fetch_all(stats)
    .await
    .expect("read pg_stat_statements");
    for (n, ms, query) in rows {
        let query: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = query.chars().take(140).collect();
        eprintln!("  {:5.1} × {ms:7.3} ms  {short}", n as f64 / calls as f64);
    }
}

/// This process's resident memory in MiB (Linux), `None` elsewhere.
fn resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
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
    let admin_db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(
            url.parse::<sqlx::postgres::PgConnectOptions>()
                .expect("DATABASE_URL")
                .database(&name),
        )
        .await
        .expect("connect to the load database as its owner");
    let w = Arc::new(World {
        lms,
        course: seeded,
    });

    let (clients, seconds) = (args.clients, args.seconds);
    // pgbench before the workloads and after them: the ratios use the mean of the two,
    // and both are printed (a shared machine drifts within a run)
    let before = (
        pgbench(&url, &name, clients, seconds),
        pgbench(&url, &name, 1, seconds),
    );
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
                course::enrolled(
                    &w.lms,
                    w.course.course,
                    format!("e{c}-{n}@load.example.org"),
                )
                .await;
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

    // statements per call, one client, after a warm-up call of each
    let mut counted: Vec<Trips> = Vec::new();
    let statements: Option<sqlx::PgPool>;
    {
        let options: sqlx::postgres::PgConnectOptions = url.parse().expect("DATABASE_URL");
        let server = tokio::net::lookup_host((options.get_host(), options.get_port()))
            .await
            .expect("the server's address")
            .next()
            .expect("the server's address");
        let trips = RoundTrips::start(server).await.expect("the counting proxy");
        // one connection: the warm-up call of each use case prepares its statements
        let counting = Lms::from_pool(
            Lms::pool_options()
                .max_connections(1)
                .connect_with(
                    options
                        .host("127.0.0.1")
                        .port(trips.port)
                        .ssl_mode(sqlx::postgres::PgSslMode::Disable)
                        .database(&name),
                )
                .await
                .expect("connect through the counting proxy"),
        );
        let mut stats = None;
        if args.verbose {
            let loaded: bool = sqlx::query_scalar(
                "select current_setting('shared_preload_libraries') like '%pg_stat_statements%'",
            )
            .fetch_one(&admin_db)
            .await
            .expect("read shared_preload_libraries");
            if loaded {
                sqlx::query("create extension if not exists pg_stat_statements")
                    .execute(&admin_db)
                    .await
                    .expect("create extension pg_stat_statements");
                stats = Some(admin_db.clone());
            } else {
                eprintln!(
                    "lms-load: the server does not preload pg_stat_statements: no statements"
                );
            }
        }
        statements = stats.clone();
        let stats = Counter { trips, stats };
        let scope = |s: &lms::db::Scope| match s.actor().user() {
            Some(id) => counting.as_user(id),
            None => unreachable!("a user's scope"),
        };
        let me = &scope(&students[0]);
        let author = &scope(&w.course.author);
        let calls = if args.smoke { 3 } else { 20 };
        let (quiz, block) = (w.course.quiz, w.course.block);
        me.submit_attempt(quiz, &answers).await.expect("submit");
        counted.push(
            stats
                .per_call("submit_attempt", calls, |_| async {
                    me.submit_attempt(quiz, &answers).await.expect("submit");
                })
                .await,
        );
        me.start_attempt(quiz).await.expect("start");
        counted.push(
            stats
                .per_call("start_attempt (resumed)", calls, |_| async {
                    me.start_attempt(quiz).await.expect("start");
                })
                .await,
        );
        // students signed up beforehand; the warm-up enrolls the last one
        let mut fresh = Vec::new();
        for n in 0..=calls {
            let student = course::user(
                &w.lms,
                format!("count{n}@load.example.org"),
                UserRole::Student,
            )
            .await;
            fresh.push(scope(&student));
        }
        fresh[calls].enroll(w.course.course).await.expect("enroll");
        counted.push(
            stats
                .per_call("enroll", calls, |n| {
                    let (me, course) = (&fresh[n], w.course.course);
                    async move {
                        me.enroll(course).await.expect("enroll");
                    }
                })
                .await,
        );
        me.record_content_progress(block, &json!({"percent": 1}), 1)
            .await
            .expect("progress");
        counted.push(
            stats
                .per_call("record_content_progress", calls, |n| async move {
                    me.record_content_progress(block, &json!({"percent": n % 100}), 1)
                        .await
                        .expect("progress");
                })
                .await,
        );
        me.student_dashboard().await.expect("dashboard");
        counted.push(
            stats
                .per_call("student_dashboard", calls, |_| async {
                    me.student_dashboard().await.expect("dashboard");
                })
                .await,
        );
        author
            .gradebook(w.course.course, Page::new(50, 0))
            .await
            .expect("gradebook");
        counted.push(
            stats
                .per_call("gradebook (first page)", calls, |_| async {
                    author
                        .gradebook(w.course.course, Page::new(50, 0))
                        .await
                        .expect("gradebook");
                })
                .await,
        );
        let course_id = w.course.course;
        me.generate_roadmap(course_id).await.expect("roadmap");
        counted.push(
            stats
                .per_call("generate_roadmap", calls, |_| async {
                    me.generate_roadmap(course_id).await.expect("roadmap");
                })
                .await,
        );
        me.current_roadmap(course_id).await.expect("roadmap");
        counted.push(
            stats
                .per_call("current_roadmap", calls, |_| async {
                    me.current_roadmap(course_id).await.expect("roadmap");
                })
                .await,
        );
        counting.pool().close().await;
    }

    // the cost of a submission against the number of attempts before it: a student
    // for each history length, called in turn (a spell of this machine's noise falls on
    // all of them alike, not on one length's run)
    let history_calls = if args.smoke { 3 } else { args.history_calls };
    let lengths = [1usize, 100, 1000];
    let mut historians = Vec::with_capacity(lengths.len());
    for previous in lengths {
        let me = course::enrolled(
            &w.lms,
            w.course.course,
            format!("history{previous}@load.example.org"),
        )
        .await;
        me.submit_attempt(w.course.quiz, &answers)
            .await
            .expect("submit");
        let Some(student) = me.actor().user() else {
            unreachable!("a user's scope")
        };
        // copies of the first attempt as superuser, numbered 2..=previous
        sqlx::query(
            "insert into public.assessment_attempts (assessment_id, student_id, attempt_number, \
                answers, score, points_earned, total_points, passed, time_spent, started_at, \
                submitted_at, feedback, exact_points_earned, questions_version) \
             select a.assessment_id, a.student_id, g, a.answers, a.score, a.points_earned, \
                a.total_points, a.passed, a.time_spent, a.started_at, a.submitted_at, a.feedback, \
                a.exact_points_earned, a.questions_version \
               from public.assessment_attempts a, generate_series(2, $2) g \
              where a.student_id = $1",
        )
        .bind(student.0)
        .bind(i32::try_from(previous).unwrap_or(i32::MAX))
        .execute(&admin_db)
        .await
        .expect("copy the history");
        historians.push(me);
    }
    // a history this long builds up over months, which autovacuum sees: its pages are
    // all-visible, as the index-only read of a student's history expects, not those of
    // a copy made a moment ago
    sqlx::query("vacuum (analyze) public.assessment_attempts")
        .execute(&admin_db)
        .await
        .expect("vacuum the attempts");
    if let Some(stats) = &statements {
        reset_statements(stats).await;
    }
    let mut times = vec![Vec::with_capacity(history_calls); historians.len()];
    for _ in 0..history_calls {
        for (me, times) in historians.iter().zip(&mut times) {
            let t = Instant::now();
            me.submit_attempt(w.course.quiz, &answers)
                .await
                .expect("submit");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    if let Some(stats) = &statements {
        eprintln!("submit_attempt after 1, 100 and 1000 previous attempts, in turn:");
        print_statements(stats, history_calls * historians.len()).await;
    }
    let history: Vec<(usize, Figures)> = lengths
        .into_iter()
        .zip(times)
        .map(|(previous, times)| {
            let busy = times.iter().sum::<f64>() / 1000.0;
            (previous, figures("submit_attempt", 1, busy, times))
        })
        .collect();

    // resident memory while many clients submit and read their dashboard
    let (memory_clients, memory_seconds) = if args.smoke {
        (4, 2)
    } else {
        (args.memory_clients, args.memory_seconds)
    };
    let mut crowd = Vec::with_capacity(memory_clients);
    for i in 0..memory_clients {
        let me = course::enrolled(
            &w.lms,
            w.course.course,
            format!("crowd{i}@load.example.org"),
        )
        .await;
        crowd.push(me);
    }
    let crowd = Arc::new(crowd);
    let samples = Arc::new(std::sync::Mutex::new(vec![(0.0, resident_mib())]));
    let sampler = {
        let samples = Arc::clone(&samples);
        let step = Duration::from_secs_f64(memory_seconds as f64 / 10.0);
        tokio::spawn(async move {
            let started = Instant::now();
            for _ in 0..10 {
                tokio::time::sleep(step).await;
                let mut s = samples.lock().expect("samples");
                s.push((started.elapsed().as_secs_f64(), resident_mib()));
            }
        })
    };
    let (ww, cc, aa) = (Arc::clone(&w), Arc::clone(&crowd), answers.clone());
    let crowd_run = drive(
        "submit_attempt + student_dashboard",
        memory_clients,
        memory_seconds,
        move |c, n| {
            let (w, cc, a) = (Arc::clone(&ww), Arc::clone(&cc), aa.clone());
            async move {
                if n % 2 == 0 {
                    cc[c]
                        .submit_attempt(w.course.quiz, &a)
                        .await
                        .expect("submit");
                } else {
                    cc[c].student_dashboard().await.expect("dashboard");
                }
            }
        },
    )
    .await;
    sampler.await.expect("sampler");
    let samples = samples.lock().expect("samples").clone();

    // roadmaps, after the memory run (their students' long histories would raise the
    // process's high-water mark before it)
    let (course_id, ss) = (w.course.course, Arc::clone(&students));
    results.push(
        drive("generate_roadmap", clients, seconds, move |c, _| {
            let s = Arc::clone(&ss);
            async move {
                s[c].generate_roadmap(course_id).await.expect("roadmap");
            }
        })
        .await,
    );

    // what regenerating the roadmap in every submission's transaction would cost: a
    // submission, and a submission followed by a generation, one client
    let roadmap_calls = if args.smoke { 3 } else { args.history_calls };
    let regenerating = {
        let me = course::enrolled(&w.lms, w.course.course, "roadmap@load.example.org".into()).await;
        let (me, a, quiz, course_id) = (&me, &answers, w.course.quiz, w.course.course);
        me.submit_attempt(quiz, a).await.expect("submit");
        me.generate_roadmap(course_id).await.expect("roadmap");
        let alone = sequential("submit_attempt", roadmap_calls, |_| async move {
            me.submit_attempt(quiz, a).await.expect("submit");
        })
        .await;
        let with = sequential(
            "submit_attempt + generate_roadmap",
            roadmap_calls,
            |_| async move {
                me.submit_attempt(quiz, a).await.expect("submit");
                me.generate_roadmap(course_id).await.expect("roadmap");
            },
        )
        .await;
        (alone, with)
    };

    // one regenerate_roadmaps over many students' stale roadmaps, written as superuser
    let regenerate_students = if args.smoke {
        20
    } else {
        args.regenerate_students
    };
    sqlx::query(
        "with s as ( \
           insert into auth.users (email) \
           select 'regen' || g || '@load.example.org' from generate_series(1, $1) g \
           returning id), \
         e as (insert into public.enrollments (student_id, course_id) \
               select id, $2 from s returning student_id) \
         insert into public.personalized_roadmaps (student_id, course_id, roadmap_data, generated_at) \
         select student_id, $2, '{\"steps\": []}', now() - interval '1 day' from e",
    )
    .bind(i32::try_from(regenerate_students).unwrap_or(i32::MAX))
    .bind(w.course.course.0)
    .execute(&admin_db)
    .await
    .expect("the students with stale roadmaps");
    // a course default set after them: every roadmap of the course is stale
    w.course
        .author
        .set_knowledge_model(
            w.course.course,
            None,
            lms::core::roadmap::BktParams::DEFAULT,
        )
        .await
        .expect("set the model");
    let started = Instant::now();
    let renewed = w
        .course
        .author
        .regenerate_roadmaps(w.course.course)
        .await
        .expect("regenerate");
    let regenerate_seconds = started.elapsed().as_secs_f64();
    assert!(renewed.regenerated as usize >= regenerate_students);

    admin_db.close().await;
    w.lms.pool().close().await;

    let after = (
        pgbench(&url, &name, clients, seconds),
        pgbench(&url, &name, 1, seconds),
    );
    let mean = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some((a + b) / 2.0),
        (a, b) => a.or(b),
    };
    let tps_n = mean(before.0, after.0);
    let tps_1 = mean(before.1, after.1);
    if args.keep_database {
        eprintln!("lms-load: kept database {name}");
    } else {
        sqlx::query(&format!("drop database {name} with (force)"))
            .execute(&admin)
            .await
            .expect("drop the load database");
    }

    let analytics = if args.no_analytics {
        None
    } else {
        Some(analytics_run(&url, &admin, args.smoke, args.analytics_calls).await)
    };

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
    let tps = |t: Option<f64>| t.map_or("n/a".into(), |t| format!("{t:.0}"));
    let pg = format!(
        "pgbench TPC-B (scale 10, same server, {seconds} s), the mean of a run before the \
         workloads and one after: {} TPS at {clients} clients ({} before, {} after), {} TPS \
         at 1 client ({} before, {} after)",
        tps(tps_n),
        tps(before.0),
        tps(after.0),
        tps(tps_1),
        tps(before.1),
        tps(after.1),
    );
    let mut extra = String::new();
    extra.push_str(
        "Round trips per call, counted by a proxy in front of the server (each simple query \
         and each `Sync` after a statement; one client, after a warm-up call, so statements \
         are prepared; `--verbose` prints the statements behind them). The pool's own pings \
         (sqlx tests a connection on acquire and on release) are counted apart:\n\n\
         | use case | round trips | pool pings |\n|---|---|---|\n",
    );
    for t in &counted {
        extra.push_str(&format!(
            "| `{}` | {:.1} | {:.1} |\n",
            t.name, t.round_trips, t.pings
        ));
    }
    let base = history.first().map_or(f64::NAN, |(_, f)| f.per_second);
    extra.push_str(&format!(
        "\nThe cost against the history: `submit_attempt`, one client, {history_calls} calls \
         each by three students starting after this many submitted attempts at the same \
         assessment, called in turn (the copied histories vacuumed first, as autovacuum \
         would have seen a history built over time); ops/s over each student's own calls:\n\n\
         | previous attempts | ops/s | p50 ms | p99 ms | time per call × the 1-attempt case |\n|---|---|---|---|---|\n"
    ));
    for (previous, f) in &history {
        extra.push_str(&format!(
            "| {previous} | {:.1} | {:.2} | {:.2} | {:.2}× |\n",
            f.per_second,
            f.p50_ms,
            f.p99_ms,
            base / f.per_second
        ));
    }
    let (alone, with) = &regenerating;
    extra.push_str(&format!(
        "\nRoadmaps: regenerating a student's roadmap in every submission's transaction would \
         make a submission cost {:.2}× (one client, {roadmap_calls} calls each: `submit_attempt` \
         {:.2} ms p50, then followed by `generate_roadmap` {:.2} ms p50). The library marks \
         roadmaps stale instead and renews them in batches: one `regenerate_roadmaps` renewed \
         {} stale roadmaps in {:.1} s ({:.2} ms per student, the course read once, a \
         transaction per student).\n",
        alone.per_second / with.per_second,
        alone.p50_ms,
        with.p50_ms,
        renewed.regenerated,
        regenerate_seconds,
        regenerate_seconds * 1000.0 / renewed.regenerated.max(1) as f64,
    ));
    let mib = |m: Option<f64>| m.map_or("n/a".to_owned(), |m| format!("{m:.1}"));
    extra.push_str(&format!(
        "\nResident memory of the load process while {} clients alternate `submit_attempt` and \
         `student_dashboard` for {memory_seconds} s ({} calls, {:.1}/s, p50 {:.2} ms, p99 {:.2} ms), MiB:\n\n\
         | seconds | {} |\n|---|{}\n| MiB | {} |\n",
        crowd_run.clients,
        crowd_run.ops,
        crowd_run.per_second,
        crowd_run.p50_ms,
        crowd_run.p99_ms,
        samples.iter().map(|(t, _)| format!("{t:.0}")).collect::<Vec<_>>().join(" | "),
        "---|".repeat(samples.len()),
        samples.iter().map(|(_, m)| mib(*m)).collect::<Vec<_>>().join(" | "),
    ));
    if let Some((made, timings)) = &analytics {
        extra.push_str(&format!(
            "\nAnalytics on the demo data of `benches/support/demo.rs` ({made}): each read model \
             of the largest course, then those of a whole course again on the course nearest \
             2,000 students, called {} times as its instructor (under Row Level Security) \
             and as many as `service_role` (which bypasses it), alternately, one client:\n\n{}",
            args.analytics_calls,
            analytics_bench::table(timings),
        ));
    }
    println!("{table}\n{pg}\n\n{extra}");
    if let Some(path) = args.write {
        let doc = format!(
            "# Benchmarks\n\nGenerated by `examples/load.rs`, never typed by hand:\n\n```text\n\
             scripts/with-postgres cargo run --release -p lms --example load -- --clients {clients} --seconds {seconds} --write {}\n```\n\n\
             Machine: {cores} cores; server: {version} (a throwaway cluster of `scripts/with-postgres`, fsync off).\n\
             One run: compare the ratios, not the absolute figures, across machines.\n\n\
             {table}\n{pg}\n\n{extra}",
            path.display()
        );
        std::fs::write(&path, doc).expect("write the results");
    }
}

/// Generates the demo data in a database of its own (dropped afterwards) and times the
/// analytics read models on it: what was made, and the figures.
async fn analytics_run(
    url: &str,
    admin: &sqlx::PgPool,
    smoke: bool,
    calls: usize,
) -> (String, Vec<analytics_bench::Timing>) {
    let name = format!("lms_load_demo_{}", std::process::id());
    sqlx::query(&format!("create database {name}"))
        .execute(admin)
        .await
        .expect("create the demo database");
    let options: sqlx::postgres::PgConnectOptions = url.parse().expect("DATABASE_URL");
    let pool = Lms::pool_options()
        .max_connections(16)
        .connect_with(options.database(&name))
        .await
        .expect("connect to the demo database");
    let lms = Lms::from_pool(pool);
    lms.migrate().await.expect("migrate the demo database");
    let options = if smoke {
        demo::DemoOptions::smoke()
    } else {
        demo::DemoOptions::default()
    };
    let started = Instant::now();
    let made = demo::generate(&lms, &options).await;
    let generated = started.elapsed().as_secs_f64();
    let flagship = made.flagship();
    let description = format!(
        "{} courses × {} lessons, {} students, {} attempts, generated in {generated:.0} s; \
         the largest course has {} students, its practice quiz {} attempts",
        options.courses,
        options.lessons,
        made.rows.students,
        made.rows.attempts,
        flagship.students.len(),
        made.rows.flagship_attempts,
    );
    let timings = analytics_bench::run(&lms, &made, if smoke { 2 } else { calls }).await;
    lms.pool().close().await;
    sqlx::query(&format!("drop database {name} with (force)"))
        .execute(admin)
        .await
        .expect("drop the demo database");
    (description, timings)
}

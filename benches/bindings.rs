//! The Rust side of the bindings' benches (`bindings/python/bench.py`, the Node bench):
//! the same workloads measured from Rust in the same run, so that each binding reports
//! its cost as a ratio. Prints one JSON object per line:
//!
//! - `{"inputs": {"questions": …, "answers": …}}` — the 20-question assessment and an
//!   answer sheet (`benches/support/inputs.rs`) the bindings score too;
//! - `{"workload": "score_many", "sheets": 10000, "seconds": …}` — best of 5 runs of
//!   `lms_core::calls::score_many` (validation and scoring) on 10,000 sheets;
//! - `{"workload": "submit_attempt", "calls": N, "median_ms": …}` — the median of N
//!   `submit_attempt` calls of N students (one attempt each), in a database of its own
//!   on the server of `DATABASE_URL` (dropped afterwards); left out without one;
//! - `{"workload": "submit_throughput", "calls": M, "in_flight": 8, "per_second": …}` —
//!   M more students of the same database submitting with 8 requests in flight at any
//!   time (a pool of 10 connections, the default), as submissions per second.
//!
//! `cargo bench -p lms --bench bindings` (through `scripts/with-postgres` for the
//! database part).

use std::time::Instant;

use lms::db::Lms;
use serde_json::{json, Value};

#[path = "support/inputs.rs"]
#[allow(dead_code)]
mod inputs;

#[path = "support/course.rs"]
#[allow(dead_code)]
mod course;

/// Sheets of the batch workload.
const SHEETS: usize = 10_000;
/// Students (and submissions) of the round-trip workload.
const SUBMISSIONS: usize = 200;
/// Students (and submissions) of the throughput workload.
const THROUGHPUT: usize = 400;
/// Requests in flight in the throughput workload.
const IN_FLIGHT: usize = 8;

fn score_many(questions: &Value, answers: &Value) -> f64 {
    let sheets: Vec<Value> = (0..SHEETS).map(|_| answers.clone()).collect();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let started = Instant::now();
        let scored = lms::core::calls::score_many(questions, &sheets, 70).expect("score_many");
        best = best.min(started.elapsed().as_secs_f64());
        assert_eq!(scored.len(), SHEETS);
    }
    best
}

/// A course with one lesson whose quiz is the bench assessment, and `students` enrolled
/// students; returns the quiz and the students' scopes.
pub async fn submit_world(
    lms: &Lms,
    questions: &Value,
    students: usize,
) -> (lms::core::model::AssessmentId, Vec<lms::db::Scope>) {
    let world = course::published(lms, questions, inputs::rich_text()).await;
    (
        world.quiz,
        course::students(lms, world.course, students).await,
    )
}

/// The two submit workloads: the median round trip (ms) and the throughput with
/// [`IN_FLIGHT`] requests in flight (submissions per second).
async fn submit_attempt(url: &str, questions: &Value, answers: &Value) -> (f64, f64) {
    let admin = sqlx::PgPool::connect(url).await.expect("connect");
    let name = format!("lms_bench_bindings_{}", std::process::id());
    sqlx::query(&format!("create database {name}"))
        .execute(&admin)
        .await
        .expect("create the bench database");
    let mut options: sqlx::postgres::PgConnectOptions = url.parse().expect("url");
    options = options.database(&name);
    let lms = Lms::from_pool(
        Lms::pool_options()
            .connect_with(options)
            .await
            .expect("connect to the bench database"),
    );
    lms.migrate().await.expect("migrate");
    let (quiz, mut students) = submit_world(&lms, questions, SUBMISSIONS + THROUGHPUT).await;
    let concurrent = students.split_off(SUBMISSIONS);
    let mut times = Vec::with_capacity(SUBMISSIONS);
    for me in &students {
        let started = Instant::now();
        me.submit_attempt(quiz, answers).await.expect("submit");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    // IN_FLIGHT workers take the next student until none is left
    let queue = std::sync::Arc::new(std::sync::Mutex::new(concurrent));
    let started = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let queue = std::sync::Arc::clone(&queue);
            let answers = answers.clone();
            tokio::spawn(async move {
                loop {
                    let next = queue.lock().expect("queue").pop();
                    let Some(me) = next else { break };
                    me.submit_attempt(quiz, &answers).await.expect("submit");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    let per_second = THROUGHPUT as f64 / started.elapsed().as_secs_f64();
    lms.pool().close().await;
    sqlx::query(&format!("drop database {name} with (force)"))
        .execute(&admin)
        .await
        .expect("drop the bench database");
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], per_second)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this as a smoke test
    let smoke = !std::env::args().any(|a| a == "--bench");
    let questions = inputs::question_set();
    let answers = inputs::answers();
    println!(
        "{}",
        json!({"inputs": {"questions": questions, "answers": answers}})
    );
    if smoke {
        let scored = lms::core::calls::score_many(&questions, std::slice::from_ref(&answers), 70)
            .expect("score");
        assert_eq!(scored.len(), 1);
        return;
    }
    let seconds = score_many(&questions, &answers);
    println!(
        "{}",
        json!({"workload": "score_many", "sheets": SHEETS, "seconds": seconds})
    );
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let (median, per_second) = rt.block_on(submit_attempt(&url, &questions, &answers));
        println!(
            "{}",
            json!({"workload": "submit_attempt", "calls": SUBMISSIONS, "median_ms": median})
        );
        println!(
            "{}",
            json!({"workload": "submit_throughput", "calls": THROUGHPUT, "in_flight": IN_FLIGHT, "per_second": per_second})
        );
    }
}

//! `demo_data`: a seeded, reproducible demo database for analytics benches and notebooks
//! (`benches/support/demo.rs` says what it holds and how it is made).
//!
//! Creates the database `--database` (default `lms_demo`) on the server of
//! `DATABASE_URL`, dropping one of that name first, migrates it (`Lms::migrate`),
//! generates the demo into it and keeps it. Then prints the time of each phase and the
//! rows of every table, and checks the demo through the library:
//!
//! * the flagship course's enrolments and its practice quiz's attempts;
//! * reads as its users: the flagship instructor's `gradebook`, a student's
//!   `student_dashboard`, `my_attempts`, `my_progress`, `my_enrollments`,
//!   `my_learning_progress`;
//! * a sample of stored attempts: answers and feedback validate as the library's
//!   documents, and scoring the answers again (`lms_core::scoring::score`, against the
//!   questions version they reference) gives the stored columns and feedback;
//! * the progress refresh (skip with `--no-refresh-check`): the instructor of the
//!   smallest course re-grades its first quiz (`update_assessment` with the same grading
//!   method), which makes the library derive again the progress of every student who
//!   attempted it; no progress row nor enrolment may change;
//! * with `--check-documents`, every stored document (`check_documents`, minutes).
//!
//! ```text
//! scripts/with-postgres cargo run --release -p lms --example demo_data
//! scripts/with-postgres cargo run --release -p lms --example demo_data -- --smoke
//! cargo run --release -p lms --example demo_data -- --students 2000 --attempts 60000 --seed 7
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use lms::core::attempts::GradingMethod;
use lms::core::documents::{Answers, Document, Feedback, QuestionSet};
use lms::core::repo::{AssessmentPatch, Page};
use lms::core::scoring::{score, ScoringPolicy};
use lms::db::Lms;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Row;

/// The generator.
#[path = "../benches/support/demo.rs"]
mod demo;

/// The command line.
#[derive(Parser, Debug)]
#[command(name = "demo_data", about = "A seeded, reproducible lms demo database")]
struct Args {
    /// The sizes, seed and present.
    #[command(flatten)]
    demo: demo::DemoArgs,
    /// The database to create (dropped first when it exists).
    #[arg(long, default_value = "lms_demo")]
    database: String,
    /// Skip the check that the library's progress refresh changes nothing.
    #[arg(long)]
    no_refresh_check: bool,
    /// Also check every stored document with the library (`check_documents`).
    #[arg(long)]
    check_documents: bool,
    /// Attempts sampled for the document and scoring check.
    #[arg(long, default_value_t = 2_000)]
    sample: i64,
}

/// The tables the demo fills (counted as `service_role`, `auth.users` as the session
/// user).
const TABLES: [&str; 13] = [
    "auth.users",
    "public.profiles",
    "public.courses",
    "public.lessons",
    "public.content_blocks",
    "public.assessments",
    "public.assessment_question_versions",
    "public.enrollments",
    "public.assessment_attempts",
    "public.student_progress",
    "public.learning_progress",
    "public.learning_activity",
    "public.audit_log",
];

/// Creates the database, generates the demo, reports and checks it.
#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("demo_data: set DATABASE_URL (scripts/with-postgres does)");
        return ExitCode::from(2);
    };
    let name = &args.database;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        eprintln!("demo_data: --database takes lower-case letters, digits and _");
        return ExitCode::from(2);
    }
    let options = args.demo.options();
    let started = Instant::now();
    let server: PgConnectOptions = url.parse().expect("DATABASE_URL");
    {
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(server.clone())
            .await
            .expect("connect to DATABASE_URL");
        sqlx::query(&format!("drop database if exists {name} with (force)"))
            .execute(&admin)
            .await
            .expect("drop the demo database");
        sqlx::query(&format!("create database {name}"))
            .execute(&admin)
            .await
            .expect("create the demo database");
        admin.close().await;
    }
    let pool = Lms::pool_options()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(server.database(name))
        .await
        .expect("connect to the demo database");
    let lms = Lms::from_pool(pool);
    let t = Instant::now();
    lms.migrate().await.expect("migrate");
    let migrated = t.elapsed();
    println!("demo_data: database {name}, options {options:?}");
    let demo = demo::generate(&lms, &options).await;

    println!("\nphases:");
    println!(
        "  {:<36} {:>8.1} s",
        "create database, migrate",
        migrated.as_secs_f64()
    );
    for p in &demo.phases {
        println!("  {:<36} {:>8.1} s", p.name, p.elapsed.as_secs_f64());
    }
    println!(
        "  {:<36} {:>8.1} s",
        "total",
        started.elapsed().as_secs_f64()
    );
    println!("  during the activity phase, at the same time:");
    for p in &demo.copies {
        println!("    {:<34} {:>8.1} s", p.name, p.elapsed.as_secs_f64());
    }
    println!(
        "  drive scale {:.4} found in {} dry runs",
        demo.scale, demo.dry_runs
    );
    println!("\nrows written: {:?}", demo.rows);
    println!("\nrows stored:");
    let mut failures = Vec::new();
    {
        let mut tx = service(&lms).await;
        for table in TABLES {
            let sql = format!("select count(*) from {table}");
            let query = sqlx::query_scalar(&sql);
            // the sign-in rows belong to the session user (service_role may not read them)
            let n: i64 = if table == "auth.users" {
                query.fetch_one(lms.pool()).await
            } else {
                query.fetch_one(&mut *tx).await
            }
            .expect("count");
            println!("  {table:<38} {n:>10}");
        }
        let size: String =
            sqlx::query_scalar("select pg_size_pretty(pg_database_size(current_database()))")
                .fetch_one(&mut *tx)
                .await
                .expect("size");
        println!("  {:<38} {size:>10}", "database size");
        let submitted: i64 = sqlx::query_scalar(
            "select count(*) from public.assessment_attempts where submitted_at is not null",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("count");
        let stored_attempts = i64::try_from(demo.rows.attempts).unwrap_or(i64::MAX);
        if submitted != stored_attempts {
            failures.push(format!(
                "{submitted} submitted attempts stored of {stored_attempts}"
            ));
        }
        tx.commit().await.expect("commit");
    }

    // the shape the benches need
    let flagship = demo.flagship();
    println!(
        "\ndemo: {} courses, {} students, history up to {}; flagship `{}` ({}): {} lessons, \
         {} blocks, final exam {}, instructor {}",
        demo.courses.len(),
        demo.students.len(),
        demo.now,
        flagship.title,
        flagship.id,
        flagship.lessons.len(),
        flagship.blocks.len(),
        flagship.final_exam,
        demo.instructor_of(flagship.id)
            .unwrap_or(flagship.instructor)
    );
    let heavy = demo.flagship_assessment;
    let (enrolled, at_heavy, max_assessment): (i64, i64, i64) = {
        let mut tx = service(&lms).await;
        let row = sqlx::query(
            "select (select count(*) from public.enrollments where course_id = $1), \
                    (select count(*) from public.assessment_attempts \
                      where assessment_id = $2 and submitted_at is not null), \
                    (select max(n) from (select count(*) as n from public.assessment_attempts \
                                          group by assessment_id) t)",
        )
        .bind(flagship.id.0)
        .bind(heavy.0)
        .fetch_one(&mut *tx)
        .await
        .expect("flagship");
        tx.commit().await.expect("commit");
        (
            row.get(0),
            row.get(1),
            row.get::<Option<i64>, _>(2).unwrap_or(0),
        )
    };
    println!(
        "\nflagship `{}`: {enrolled} students enrolled; its practice quiz {heavy}: {at_heavy} \
         submitted attempts (the most of any assessment: {max_assessment})",
        flagship.title
    );
    let default_size =
        !args.demo.smoke && args.demo.students >= 10_000 && args.demo.attempts >= 300_000;
    if default_size && (enrolled < 2_000 || at_heavy < 20_000) {
        failures.push(format!(
            "the flagship needs ≥ 2,000 students and ≥ 20,000 attempts at one assessment, has \
             {enrolled} and {at_heavy}"
        ));
    }
    if at_heavy < max_assessment {
        failures.push(
            "the flagship's practice quiz is not the assessment with the most attempts".into(),
        );
    }

    // reads through the library, as its users
    let teacher = lms.as_user(flagship.instructor);
    let t = Instant::now();
    let book = teacher
        .gradebook(flagship.id, Page::new(50, 0))
        .await
        .expect("gradebook");
    println!(
        "\ngradebook of the flagship (its instructor, first page): {} entries of {} ({:.0} ms)",
        book.entries.len(),
        book.total,
        t.elapsed().as_secs_f64() * 1e3
    );
    let keen = {
        let mut tx = service(&lms).await;
        let id: uuid::Uuid = sqlx::query_scalar(
            "select student_id from public.assessment_attempts where assessment_id = $1 \
              group by student_id order by count(*) desc, student_id limit 1",
        )
        .bind(heavy.0)
        .fetch_one(&mut *tx)
        .await
        .expect("a keen student");
        tx.commit().await.expect("commit");
        lms::core::model::UserId(id)
    };
    let me = lms.as_user(keen);
    let t = Instant::now();
    let dashboard = me.student_dashboard().await.expect("dashboard");
    println!(
        "dashboard of the flagship's keenest student {keen}: {} courses, {} assessments \
         ({:.0} ms)",
        dashboard.courses.len(),
        dashboard.assessments.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let mine = me.my_attempts(heavy).await.expect("my attempts");
    let progress = me.my_progress(flagship.id).await.expect("my progress");
    let enrollments = me.my_enrollments().await.expect("my enrollments");
    let learning = me
        .my_learning_progress()
        .await
        .expect("my learning progress");
    println!(
        "  my_attempts(practice quiz): {}, my_progress(flagship): {} rows, my_enrollments: {}, \
         my_learning_progress: {}",
        mine.len(),
        progress.len(),
        enrollments.len(),
        learning.len()
    );
    for a in &mine {
        if let Err(e) = Feedback::validate(a.feedback.as_ref().unwrap_or(&serde_json::Value::Null))
        {
            failures.push(format!("attempt {}: feedback refused: {e}", a.id));
        }
    }

    // a sample of stored attempts: documents valid, scoring again gives the same
    let t = Instant::now();
    let (checked, problems) = check_sample(&lms, args.sample).await;
    println!(
        "sample of {checked} attempts: answers and feedback validate, re-scored by the library: \
         {} differ ({:.1} s)",
        problems.len(),
        t.elapsed().as_secs_f64()
    );
    failures.extend(problems.into_iter().take(10));

    if !args.no_refresh_check {
        // the smallest course, and the flagship (its practice quiz's long histories)
        let smallest = demo
            .courses
            .iter()
            .filter(|c| !c.students.is_empty())
            .min_by_key(|c| c.students.len())
            .expect("a course with students");
        let mut courses = vec![smallest];
        if smallest.id != flagship.id {
            courses.push(flagship);
        }
        for course in courses {
            let t = Instant::now();
            match refresh_check(&lms, course).await {
                Ok((students, rows)) => println!(
                    "refresh check on `{}`: the library re-derived the progress of its {students} \
                     students who attempted its first quiz ({rows} rows of the course): nothing \
                     changed ({:.1} s)",
                    course.title,
                    t.elapsed().as_secs_f64()
                ),
                Err(diffs) => {
                    println!(
                        "refresh check on `{}`: {} rows differ",
                        course.title,
                        diffs.len()
                    );
                    failures.extend(diffs.into_iter().take(10));
                }
            }
        }
    }
    if args.check_documents {
        let t = Instant::now();
        let report = lms
            .as_service()
            .check_documents()
            .await
            .expect("check documents");
        println!(
            "check_documents: {} documents, {} invalid, {} not normalized ({:.1} s)",
            report.checked,
            report.invalid,
            report.not_normalized,
            t.elapsed().as_secs_f64()
        );
        if report.invalid > 0 || report.not_normalized > 0 {
            failures.push(format!("check_documents: {:?}", report.documents.first()));
        }
    }

    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    if failures.is_empty() {
        println!("all checks passed");
        ExitCode::SUCCESS
    } else {
        for f in &failures {
            eprintln!("FAILED: {f}");
        }
        ExitCode::FAILURE
    }
}

/// A transaction of the demo database as `service_role` (past Row Level Security).
async fn service(lms: &Lms) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut tx = lms.pool().begin().await.expect("begin");
    sqlx::query("set local role service_role")
        .execute(&mut *tx)
        .await
        .expect("set role");
    tx
}

/// Validates and re-scores `n` random stored attempts; how many, and what differs.
async fn check_sample(lms: &Lms, n: i64) -> (usize, Vec<String>) {
    let mut tx = service(lms).await;
    let rows = sqlx::query(
        "select t.id, t.answers, t.feedback, t.score, t.points_earned, t.total_points, t.passed, \
                t.exact_points_earned::text as exact, v.questions, a.minimum_passing_score \
           from public.assessment_attempts t \
           join public.assessment_question_versions v \
             on v.assessment_id = t.assessment_id and v.version = t.questions_version \
           join public.assessments a on a.id = t.assessment_id \
          order by md5(t.id::text) limit $1",
    )
    .bind(n)
    .fetch_all(&mut *tx)
    .await
    .expect("sample attempts");
    tx.commit().await.expect("commit");
    let mut problems = Vec::new();
    for row in &rows {
        let id: uuid::Uuid = row.get("id");
        let answers: serde_json::Value = row.get("answers");
        let feedback: serde_json::Value = row.get("feedback");
        let questions: serde_json::Value = row.get("questions");
        let answers = match Answers::validate(&answers) {
            Ok(a) => a,
            Err(e) => {
                problems.push(format!("attempt {id}: answers refused: {e}"));
                continue;
            }
        };
        let stored = match Feedback::validate(&feedback) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("attempt {id}: feedback refused: {e}"));
                continue;
            }
        };
        let questions = QuestionSet::validate(&questions).expect("stored questions");
        let policy = ScoringPolicy::new(row.get("minimum_passing_score")).expect("policy");
        let scored = score(&questions, &answers, &policy).expect("score");
        let micros = scored.points_earned.micros();
        let exact = format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000);
        let same = scored.feedback == stored
            && scored.score.map(|s| s as i32) == row.get::<Option<i32>, _>("score")
            && Some(scored.points_earned.floor() as i32)
                == row.get::<Option<i32>, _>("points_earned")
            && Some(scored.total_points as i32) == row.get::<Option<i32>, _>("total_points")
            && scored.passed == row.get::<Option<bool>, _>("passed")
            && Some(exact) == row.get::<Option<String>, _>("exact");
        if !same {
            problems.push(format!(
                "attempt {id}: stored result differs from the library's"
            ));
        }
    }
    (rows.len(), problems)
}

/// The progress of `course` as text rows, ordered: every `student_progress` row and every
/// enrolment, with the columns the refresh derives.
async fn progress_snapshot(lms: &Lms, course: uuid::Uuid) -> Vec<String> {
    let mut tx = service(lms).await;
    let rows: Vec<String> = sqlx::query_scalar(
        "select format('progress|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', student_id, lesson_id, \
                       assessment_id, status, completion_percentage, attempts_count, \
                       best_score, completed_at, last_accessed, time_spent) as r \
           from public.student_progress where course_id = $1 \
         union all \
         select format('enrollment|%s|%s|%s', student_id, progress, completed_at) \
           from public.enrollments where course_id = $1 \
         order by r",
    )
    .bind(course)
    .fetch_all(&mut *tx)
    .await
    .expect("snapshot");
    tx.commit().await.expect("commit");
    rows
}

/// Has the library derive again the progress of `course`'s students (the instructor
/// sets its first quiz's grading method to what it is, which refreshes every student who
/// attempted it) and compares: `Ok((students refreshed, rows))` when nothing changed.
async fn refresh_check(lms: &Lms, course: &demo::DemoCourse) -> Result<(i64, usize), Vec<String>> {
    let refreshed: i64 = {
        let mut tx = service(lms).await;
        let n = sqlx::query_scalar(
            "select count(distinct student_id) from public.assessment_attempts \
              where assessment_id = $1",
        )
        .bind(course.quizzes[0].0)
        .fetch_one(&mut *tx)
        .await
        .expect("count");
        tx.commit().await.expect("commit");
        n
    };
    let before = progress_snapshot(lms, course.id.0).await;
    lms.as_user(course.instructor)
        .update_assessment(
            course.quizzes[0],
            AssessmentPatch {
                grading_method: Some(GradingMethod::Highest),
                ..AssessmentPatch::default()
            },
        )
        .await
        .expect("update the grading method");
    let after = progress_snapshot(lms, course.id.0).await;
    let mut diffs = Vec::new();
    if before.len() != after.len() {
        diffs.push(format!(
            "{} rows before, {} after",
            before.len(),
            after.len()
        ));
    }
    for (b, a) in before.iter().zip(&after) {
        if b != a {
            diffs.push(format!("before {b}\n        after  {a}"));
        }
    }
    if diffs.is_empty() {
        Ok((refreshed, before.len()))
    } else {
        Err(diffs)
    }
}

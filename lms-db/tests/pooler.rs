//! Through a connection pooler in transaction mode (`Lms::connect_pooled`): a real
//! PgBouncer (Debian's `pgbouncer`, started by `scripts/pgbouncer` in front of the
//! test's server) with two
//! server connections for many clients, so that consecutive transactions of one client
//! run on different server connections and interleave with other actors'.
#![allow(clippy::unwrap_used)]

mod world;

use std::path::{Path, PathBuf};
use std::process::Command;

use lms_core::model::*;
use lms_db::Lms;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use world::{answers, world};

/// PgBouncer (`scripts/pgbouncer`: transaction mode, two server connections), stopped
/// when dropped.
struct Bouncer {
    dir: PathBuf,
    port: u16,
}

impl Bouncer {
    fn script() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/pgbouncer")
    }

    fn start() -> Bouncer {
        let dir =
            std::env::temp_dir().join(format!("lms-bouncer-{}", uuid::Uuid::new_v4().simple()));
        let out = Command::new(Self::script())
            .arg("start")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "scripts/pgbouncer: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        Bouncer { dir, port }
    }

    /// The URL of `database` through the pooler.
    fn url(&self, database: &str) -> String {
        let server = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
        format!(
            "postgres://{}@127.0.0.1:{}/{database}",
            server.username(),
            self.port
        )
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = Command::new(Self::script())
            .arg("stop")
            .arg(&self.dir)
            .status();
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn use_cases_run_through_pgbouncer_in_transaction_mode(
    options: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let direct = options.connect_with(connect.clone()).await.unwrap();
    let w = world(direct.clone(), true).await;
    let bouncer = Bouncer::start();
    let database = connect.get_database().unwrap().to_owned();
    // eight clients over two server connections
    let lms = Lms::connect_pooled_with(
        Lms::pool_options().max_connections(8),
        &bouncer.url(&database),
    )
    .await
    .unwrap();
    assert!(lms.is_pooled());
    // migrations need a session: refused, explained
    let e = lms.migrate().await.unwrap_err();
    assert!(e.to_string().contains("direct connection"), "{e}");

    let (sam, kim) = (lms.as_user(w.student), lms.as_user(w.other_student));
    sam.enroll(w.course).await.unwrap();
    kim.enroll(w.course).await.unwrap();
    // the two students' use cases interleave on the pooler's two server connections,
    // each transaction with its own actor (claims, role) and locks
    let mut tasks = Vec::new();
    for round in 0..3 {
        for (scope, right) in [(sam.clone(), 2), (kim.clone(), round % 2)] {
            tasks.push(tokio::spawn(async move {
                let done = scope.submit_attempt(w.quiz1, &answers(right)).await?;
                let mine = scope.my_attempts(w.quiz1).await?;
                let dashboard = scope.student_dashboard().await?;
                Ok::<_, lms_db::Error>((done, mine, dashboard))
            }));
        }
    }
    for t in tasks {
        let (done, mine, dashboard) = t.await.unwrap().unwrap();
        assert!(mine.iter().all(|a| a.student_id == done.attempt.student_id));
        assert_eq!(dashboard.student_id, done.attempt.student_id);
    }
    let count = |student: UserId| {
        let direct = direct.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from assessment_attempts where student_id = $1",
            )
            .bind(student.0)
            .fetch_one(&direct)
            .await
            .unwrap()
        }
    };
    // quiz1 allows 3 attempts: each student got exactly their three, none lost, none more
    assert_eq!(count(w.student).await, 3);
    assert_eq!(count(w.other_student).await, 3);
    let fourth = sam.submit_attempt(w.quiz1, &answers(2)).await.unwrap_err();
    assert_eq!(fourth.code(), "attempt_limit_reached");
    // the instructor reads the gradebook through it too
    let book = lms
        .as_user(w.instructor)
        .gradebook(w.course, Default::default())
        .await
        .unwrap();
    assert_eq!(book.total, 2);
    let stats = lms.pool_stats();
    assert!(stats.size >= 1 && stats.size <= 8, "{stats:?}");
    assert_eq!(stats.max_connections, 8);
    lms.pool().close().await;
    drop(bouncer);
}

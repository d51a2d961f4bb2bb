//! The `lms` command end to end: the built binary against a fresh database of the
//! throwaway PostgreSQL (`DATABASE_URL`, set by scripts/with-postgres) per test.
#![allow(clippy::unwrap_used)]

/// The Supabase-like setup of lms-db's tests (roles, `auth`, default privileges).
#[path = "../../lms-db/tests/common/mod.rs"]
mod common;

use assert_cmd::Command;
use lms::core::model::UserRole;
use lms::core::repo::NewUser;
use lms::db::Lms;
use predicates::prelude::*;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

/// The URL of the test's own database (the server of `DATABASE_URL`).
fn url_of(options: &PgConnectOptions) -> String {
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
    url.set_path(options.get_database().unwrap());
    url.to_string()
}

/// `lms` with `args` against `url`.
fn lms(url: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("lms")
        .unwrap()
        .env("DATABASE_URL", url)
        .args(args)
        .assert()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

#[sqlx::test(migrations = false)]
async fn migrations_are_applied_listed_and_reverted(_: PgPoolOptions, db: PgConnectOptions) {
    let url = url_of(&db);
    let status = lms(&url, &["migrate", "status"]).success();
    let pending = stdout(&status);
    assert!(
        pending.lines().all(|l| l.starts_with("pending ")),
        "{pending}"
    );
    let all: Vec<_> = lms::db::MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .collect();
    let named = |m: &sqlx::migrate::Migration| format!("{} {}", m.version, m.description);
    assert_eq!(pending.lines().count(), all.len());
    lms(&url, &["check"])
        .code(1)
        .stdout(predicate::str::contains(
            "migration 20261126000001 auth shim: pending",
        ));
    lms(&url, &["migrate"])
        .success()
        .stdout(predicate::str::contains("applied 20261126000001 auth shim"))
        .stdout(predicate::str::contains(format!(
            "applied {}",
            named(all[all.len() - 1])
        )));
    lms(&url, &["migrate", "up"])
        .success()
        .stdout(predicate::str::contains(format!(
            "up to date: {} migrations applied",
            all.len()
        )));
    lms(&url, &["check"]).success().stdout("no drift\n");
    // down to before 20261203000020 (review options), the last first
    let since = all
        .iter()
        .position(|m| m.version == 20261203000020)
        .expect("the review options' migration");
    let reverted: String = all[since..]
        .iter()
        .rev()
        .map(|m| format!("reverted {}\n", named(m)))
        .collect();
    lms(&url, &["migrate", "down", &(all.len() - since).to_string()])
        .success()
        .stdout(reverted);
    let check = lms(&url, &["check"]).code(1);
    let out = stdout(&check);
    assert!(
        out.contains("migration 20261203000020 review options: pending"),
        "{out}"
    );
    // what the reverted migrations made is gone: the view, the policy as they left it
    assert!(
        out.contains("missing: view attempt_reviews owner=service_role"),
        "{out}"
    );
    assert!(
        out.contains("missing: policy-definition assessment_attempts.assessment_attempts_select"),
        "{out}"
    );
    lms(&url, &["migrate", "down", "99"])
        .code(2)
        .stderr(predicate::str::contains(format!(
            "cannot revert 99 migrations: {since} are applied"
        )));
    lms(&url, &["migrate", "down", "0"]).code(2);
    lms(&url, &["migrate"]).success();
    lms(&url, &["check"]).success();
}

#[sqlx::test(migrator = "lms::db::MIGRATOR")]
async fn check_reports_a_dropped_policy_an_added_grant_and_an_edited_migration(
    pool_options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let url = url_of(&db);
    let pool = pool_options.connect_with(db).await.unwrap();
    lms(&url, &["check"]).success().stdout("no drift\n");
    for sql in [
        "drop policy assessment_attempts_select on public.assessment_attempts",
        "grant update on public.assessment_attempts to authenticated",
        "alter table public.courses no force row level security",
        "update _sqlx_migrations set checksum = '\\x00' where version = 20261203000017",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    let out = stdout(&lms(&url, &["check"]).code(1));
    for line in [
        "migration 20261203000017 course grades: changed",
        "missing: policy assessment_attempts.assessment_attempts_select SELECT PERMISSIVE to authenticated",
        "unexpected: grant authenticated UPDATE on assessment_attempts",
        "missing: table courses kind=r rls=true forced=true",
        "unexpected: table courses kind=r rls=true forced=false",
    ] {
        assert!(out.lines().any(|l| l == line), "{line} not in:\n{out}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&lms(&url, &["check", "--json"]).code(1))).unwrap();
    assert_eq!(json["definitions_compared"], true);
    assert_eq!(json["migrations"][0]["state"], "changed");
    // a policy loosened by hand: the same name, another definition
    sqlx::query(
        "create policy assessment_attempts_select on public.assessment_attempts \
         for select to authenticated using (true)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let out = stdout(&lms(&url, &["check"]).code(1));
    assert!(
        out.lines().any(|l| l.starts_with(
            "unexpected: policy-definition assessment_attempts.assessment_attempts_select "
        )),
        "{out}"
    );
}

#[sqlx::test(migrator = "lms::db::MIGRATOR")]
async fn check_reports_a_disabled_trigger_and_an_opened_private_table_not_the_apps_own(
    pool_options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let url = url_of(&db);
    let pool = pool_options.connect_with(db).await.unwrap();
    // the application's own objects beside the library's are not drift
    for sql in [
        "create table public.app_notes (id int primary key, body text)",
        "grant select on public.app_notes to authenticated",
        "create function public.app_hello() returns text language sql as $$ select 'hi' $$",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    lms(&url, &["check"]).success().stdout("no drift\n");
    // a guard switched off: the append-only log's trigger
    sqlx::query("alter table public.audit_log disable trigger audit_log_append_only")
        .execute(&pool)
        .await
        .unwrap();
    let out = stdout(&lms(&url, &["check"]).code(1));
    assert!(
        out.lines().any(|l| l
            .starts_with("unexpected: trigger public.audit_log.audit_log_append_only enabled=D")),
        "{out}"
    );
    // a table of `lms_private` opened to the API roles
    sqlx::query("grant insert on lms_private.validated_documents to authenticated")
        .execute(&pool)
        .await
        .unwrap();
    let out = stdout(&lms(&url, &["check"]).code(1));
    assert!(
        out.lines()
            .any(|l| l
                == "unexpected: grant authenticated INSERT on lms_private.validated_documents"),
        "{out}"
    );
    // a view that shows more: the same name, every attempt whole, no filter
    sqlx::query("drop view public.attempt_reviews")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "create view public.attempt_reviews with (security_barrier = true) as \
         select * from public.assessment_attempts",
    )
    .execute(&pool)
    .await
    .unwrap();
    let out = stdout(&lms(&url, &["check"]).code(1));
    assert!(
        out.lines()
            .any(|l| l.starts_with("missing: view-definition attempt_reviews ")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("unexpected: view-definition attempt_reviews ")),
        "{out}"
    );
}

/// On a Supabase-like database (its own `auth`, default privileges granting ALL on new
/// tables and functions to the API roles) the migrated schema is no drift either.
#[sqlx::test(migrations = false)]
async fn a_supabase_database_is_no_drift(pool_options: PgPoolOptions, db: PgConnectOptions) {
    let url = url_of(&db);
    let pool = pool_options.connect_with(db).await.unwrap();
    common::supabase_setup(&pool).await;
    lms::db::MIGRATOR.run(&pool).await.unwrap();
    lms(&url, &["check"]).success().stdout("no drift\n");
}

/// `cli/schema.txt` is the snapshot of a database migrated by this version
/// (`UPDATE_SCHEMA=1` rewrites it).
#[sqlx::test(migrator = "lms::db::MIGRATOR")]
async fn the_expected_schema_is_the_migrated_one(pool: PgPool) {
    let found: Vec<String> = sqlx::query_scalar(include_str!("../src/snapshot.sql"))
        .fetch_all(&pool)
        .await
        .unwrap();
    let text = format!("{}\n", found.join("\n"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.txt");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &text).unwrap();
    } else {
        assert!(
            std::fs::read_to_string(&path).unwrap() == text,
            "cli/schema.txt is out of date: run UPDATE_SCHEMA=1 cargo test -p lms-cli"
        );
    }
    // what it holds: every table's RLS, the policies, the view, the helpers
    assert!(text
        .lines()
        .any(|l| l == "table assessment_attempts kind=r rls=true forced=true"));
    assert!(text
        .lines()
        .any(|l| l.starts_with("policy assessment_attempts.assessment_attempts_select ")));
    assert!(text
        .lines()
        .any(|l| l == "view attempt_reviews owner=service_role options=security_barrier=true"));
    assert!(text
        .lines()
        .any(|l| l.starts_with("execute authenticated lms_private.results_shown(uuid)")));
}

#[sqlx::test(migrator = "lms::db::MIGRATOR")]
async fn health_reports_metrics_and_alerts(pool_options: PgPoolOptions, db: PgConnectOptions) {
    let url = url_of(&db);
    let pool = pool_options.connect_with(db).await.unwrap();
    let calm = ["health", "--json", "--max-connections-percent", "100"];
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&lms(&url, &calm).success())).unwrap();
    assert!(json["max_connections"].as_i64().unwrap() > 0);
    assert!(json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["table"] == "public.assessment_attempts"));
    assert_eq!(json["alerts"], serde_json::json!([]));
    // every connection counts over 0 %: an alert, exit 1
    lms(&url, &["health", "--max-connections-percent", "0"])
        .code(1)
        .stdout(predicate::str::contains("ALERT: "))
        .stdout(predicate::str::contains("connections of max_connections"));
    // a statement running for seconds, over a threshold of 300 ms
    let sleeper = tokio::spawn({
        let pool = pool.clone();
        async move { sqlx::query("select pg_sleep(3)").execute(&pool).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let slow = [
        "health",
        "--slow-ms",
        "300",
        "--max-connections-percent",
        "100",
    ];
    lms(&url, &slow)
        .code(1)
        .stdout(predicate::str::contains("slow statement (running"))
        .stdout(predicate::str::contains("pg_sleep(3)"));
    sleeper.await.unwrap().unwrap();
    // dead tuples: a table with many rows deleted needs VACUUM
    // (on one connection, whose statistics are then flushed at once)
    let mut conn = pool.acquire().await.unwrap();
    for sql in [
        "create table public.churn as select g from generate_series(1, 5000) g",
        "delete from public.churn where g > 100",
        "select pg_stat_force_next_flush()",
        "select 1",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    lms(&url, &["health", "--max-connections-percent", "100"])
        .code(1)
        .stdout(predicate::str::contains("public.churn needs VACUUM"));
}

#[sqlx::test(migrator = "lms::db::MIGRATOR")]
async fn users_are_exported_and_erased(pool_options: PgPoolOptions, db: PgConnectOptions) {
    let url = url_of(&db);
    let pool = pool_options.connect_with(db).await.unwrap();
    let user = Lms::from_pool(pool)
        .as_service()
        .sign_up(NewUser {
            email: "sam@example.org".into(),
            role: UserRole::Student,
            first_name: Some("Sam".into()),
            last_name: None,
        })
        .await
        .unwrap();
    let id = user.id.0.to_string();
    let export: serde_json::Value =
        serde_json::from_str(&stdout(&lms(&url, &["export-user", &id]).success())).unwrap();
    assert_eq!(export["tables"]["profiles"][0]["email"], "sam@example.org");
    let erased: serde_json::Value =
        serde_json::from_str(&stdout(&lms(&url, &["erase-user", &id]).success())).unwrap();
    assert_eq!(erased["user_id"], id);
    assert_eq!(erased["deleted"]["profiles"], 1);
    // gone: an unknown user is a failure, explained
    lms(&url, &["export-user", &id])
        .code(1)
        .stderr(predicate::str::contains("not found"));
    lms(&url, &["erase-user", &id]).code(1);
    // not an id: bad usage
    lms(&url, &["export-user", "sam"]).code(2);
}

#[sqlx::test(migrations = false)]
async fn the_demo_fills_an_empty_database_once(_: PgPoolOptions, db: PgConnectOptions) {
    let url = url_of(&db);
    lms(&url, &["demo-data", "--smoke"])
        .success()
        .stdout(predicate::str::contains("demo: 3 courses, 200 students"));
    lms(&url, &["demo-data", "--smoke"])
        .code(1)
        .stderr(predicate::str::contains("demo-data fills an empty one"));
}

#[test]
fn bad_database_urls_and_usage_are_explained() {
    Command::cargo_bin("lms")
        .unwrap()
        .env_remove("DATABASE_URL")
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("set DATABASE_URL"));
    lms("nonsense", &["check"])
        .code(2)
        .stderr(predicate::str::contains("not a PostgreSQL URL"));
    lms("postgres://lms@127.0.0.1:1/lms", &["check"])
        .code(1)
        .stderr(predicate::str::contains("cannot connect to the database"));
    lms("postgres://127.0.0.1:1/x", &["frobnicate"]).code(2);
    for args in [
        &["--help"][..],
        &["migrate", "--help"],
        &["check", "--help"],
        &["health", "--help"],
        &["export-user", "--help"],
        &["erase-user", "--help"],
        &["demo-data", "--help"],
    ] {
        lms("postgres://127.0.0.1:1/x", args)
            .success()
            .stdout(predicate::str::contains("Usage: lms"));
    }
}

//! Backup drills (docs/operations.md): a logical dump restored into a fresh database
//! loses nothing and keeps every guard; a base backup and its WAL archive restore to a
//! moment between two writes (point-in-time recovery). Real PostgreSQL tools: `pg_dump`,
//! `pg_restore`, `initdb`, `pg_ctl`, `pg_basebackup`, from the server's own binaries.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use lms::core::model::{UserId, UserRole};
use lms::core::repo::{NewUser, ProfilePatch};
use lms::db::Lms;
use sqlx::{Connection, PgConnection};

/// The drills' own clusters and the server's tools.
#[path = "../../tests/support/cluster.rs"]
mod cluster;

use cluster::{append, give, pg_bin, run, server_tool, tempdir, Cluster};

fn lms_cli(url: &str, args: &[&str]) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lms"));
    c.env("DATABASE_URL", url).args(args);
    run(c)
}

/// `DATABASE_URL` with another database.
fn database_url(name: &str) -> String {
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
    url.set_path(name);
    url.to_string()
}

/// Every table of `public`, `lms_private` and `auth`: its rows and a checksum of their
/// content, as the session (super)user reads them.
async fn tables(url: &str) -> Vec<(String, i64, String)> {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar(
        "select format('%I.%I', n.nspname, c.relname) from pg_class c \
           join pg_namespace n on n.oid = c.relnamespace \
          where c.relkind = 'r' and n.nspname in ('public', 'lms_private', 'auth') order by 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in names {
        let (n, sum): (i64, String) = sqlx::query_as(&format!(
            "select count(*), coalesce(md5(string_agg(x::text, E'\\n' order by x::text)), '') \
               from {t} x"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        out.push((t, n, sum));
    }
    out
}

#[tokio::test]
async fn a_dump_restores_everything_and_every_guard() {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let (src, dst) = (format!("drill_src_{tag}"), format!("drill_dst_{tag}"));
    let mut admin = PgConnection::connect(&std::env::var("DATABASE_URL").unwrap())
        .await
        .unwrap();
    for db in [&src, &dst] {
        sqlx::query(&format!("create database {db}"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let (src_url, dst_url) = (database_url(&src), database_url(&dst));
    // a database filled through the library: the seeded demo
    lms_cli(&src_url, &["demo-data", "--smoke"]);
    let dir = tempdir();
    let dump = dir.join("lms.dump");
    let mut c = Command::new(pg_bin("pg_dump"));
    c.args(["--format=custom", "--file"])
        .arg(&dump)
        .arg("--dbname")
        .arg(&src_url);
    run(c);
    // restored into a fresh database of the same cluster (the roles are the cluster's)
    let mut c = Command::new(pg_bin("pg_restore"));
    c.args(["--exit-on-error", "--dbname"])
        .arg(&dst_url)
        .arg(&dump);
    run(c);

    // nothing lost: every table's rows and content
    let (before, after) = (tables(&src_url).await, tables(&dst_url).await);
    assert!(before
        .iter()
        .any(|(t, n, _)| t == "public.assessment_attempts" && *n > 1000));
    assert_eq!(before, after);
    // every guard in place: no drift, and a student still reads only their own attempts
    assert_eq!(lms_cli(&dst_url, &["check"]), "no drift\n");
    let restored = Lms::connect(&dst_url).await.unwrap();
    let (student, own): (uuid::Uuid, i64) = sqlx::query_as(
        "select student_id, count(*) from public.assessment_attempts \
          group by student_id order by 2 desc, 1 limit 1",
    )
    .fetch_one(restored.pool())
    .await
    .unwrap();
    let mut tx = restored.pool().begin().await.unwrap();
    sqlx::query("select set_config('request.jwt.claims', $1, true)")
        .bind(serde_json::json!({"sub": student, "role": "authenticated"}).to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("set local role authenticated")
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("select count(*) from public.assessment_attempts")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(seen, own);
    // and the library works on the copy, reads and writes
    let me = restored.as_user(UserId(student));
    assert!(!me.my_enrollments().await.unwrap().is_empty());
    let renamed = me
        .update_profile(
            UserId(student),
            ProfilePatch {
                first_name: Some(Some("Restored".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.first_name.as_deref(), Some("Restored"));
    restored.pool().close().await;
    let _ = std::fs::remove_dir_all(&dir);
    for db in [&src, &dst] {
        sqlx::query(&format!("drop database {db} with (force)"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

async fn sign_up(lms: &Lms, email: &str) {
    lms.as_service()
        .sign_up(NewUser {
            email: email.into(),
            role: UserRole::Student,
            first_name: None,
            last_name: None,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn point_in_time_recovery_restores_to_a_moment_between_two_writes() {
    let dir = tempdir();
    let archive = dir.join("archive");
    let data = dir.join("primary");
    std::fs::create_dir_all(&archive).unwrap();
    give(&archive);
    // WAL archiving on: what PITR restores from; a segment appears under its name only
    // once whole (copied, then renamed), so seeing it means it is all there
    cluster::initdb(
        &data,
        &format!(
            "wal_level = replica\narchive_mode = on\n\
             archive_command = 'test ! -f {a}/%f && cp %p {a}/%f.part && mv {a}/%f.part {a}/%f'",
            a = archive.display()
        ),
    );
    let primary = Cluster::start(data.clone());
    let url = primary.url();
    lms_cli(&url, &["migrate"]);
    // the base backup, then a write, the target moment, another write
    let base = dir.join("base");
    run(server_tool(
        "pg_basebackup",
        &[
            "-d",
            &url,
            "-D",
            base.to_str().unwrap(),
            "--checkpoint=fast",
            "--wal-method=none",
        ],
    ));
    let lms = Lms::connect(&url).await.unwrap();
    sign_up(&lms, "before@example.org").await;
    let target: String = sqlx::query_scalar("select clock_timestamp()::text")
        .fetch_one(lms.pool())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    sign_up(&lms, "after@example.org").await;
    // the segment holding both writes goes to the archive
    let segment: String = sqlx::query_scalar("select pg_walfile_name(pg_switch_wal())")
        .fetch_one(lms.pool())
        .await
        .unwrap();
    let waited = Instant::now();
    while !archive.join(&segment).exists() {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "{segment} not archived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lms.pool().close().await;
    drop(primary);

    // restore: the base backup, its WAL from the archive, up to the target moment
    append(
        &base.join("postgresql.auto.conf"),
        &format!(
            "\nrestore_command = 'cp {}/%f %p'\nrecovery_target_time = '{target}'\n\
             recovery_target_action = 'promote'\narchive_mode = off\n",
            archive.display()
        ),
    );
    std::fs::write(base.join("recovery.signal"), "").unwrap();
    give(&base);
    let restored = Cluster::start(base.clone());
    let mut conn = PgConnection::connect(&restored.url()).await.unwrap();
    let waited = Instant::now();
    while sqlx::query_scalar::<_, bool>("select pg_is_in_recovery()")
        .fetch_one(&mut conn)
        .await
        .unwrap()
    {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "still recovering"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let emails: Vec<String> =
        sqlx::query_scalar("select email from public.profiles order by email")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(emails, ["before@example.org"]);
    assert_eq!(lms_cli(&restored.url(), &["check"]), "no drift\n");
    drop(conn);
    drop(restored);
    let _ = std::fs::remove_dir_all(&dir);
}

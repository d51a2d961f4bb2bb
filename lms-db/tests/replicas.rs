//! Read replicas (`Lms::with_replicas`): a real streaming replica of a primary of the
//! test's own (`pg_basebackup -R`), proven to serve the read models (a replica whose
//! replay is paused answers with what it had), skipped beyond the lag bound and when it
//! is down; writes go to the primary.
#![allow(clippy::unwrap_used)]

mod world;

#[path = "../../tests/support/cluster.rs"]
mod cluster;

use std::time::{Duration, Instant};

use lms_core::repo::Page;
use lms_db::Lms;
use sqlx::{Connection, PgConnection};
use world::world;

async fn scalar_bool(url: &str, sql: &str) -> bool {
    let mut c = PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
}

async fn wait_for(url: &str, sql: &str) {
    let started = Instant::now();
    while !scalar_bool(url, sql).await {
        assert!(started.elapsed() < Duration::from_secs(60), "never: {sql}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn read_models_run_on_a_replica_within_its_lag_bound() {
    let dir = cluster::tempdir();
    let data = dir.join("primary");
    cluster::initdb(&data, "wal_level = replica\nmax_wal_senders = 4");
    let primary = cluster::Cluster::start(data);
    let direct = Lms::connect(&primary.url()).await.unwrap();
    direct.migrate().await.unwrap();
    let w = world(direct.pool().clone(), true).await;

    // the standby: a base backup of the primary, streaming from it
    let standby = dir.join("standby");
    cluster::run(cluster::server_tool(
        "pg_basebackup",
        &[
            "-d",
            &primary.url(),
            "-D",
            standby.to_str().unwrap(),
            "-R",
            "--checkpoint=fast",
            "--wal-method=stream",
        ],
    ));
    let replica = cluster::Cluster::start(standby);
    let replica_url = replica.url();
    wait_for(
        &replica_url,
        "select pg_is_in_recovery() and exists (select 1 from pg_stat_wal_receiver \
          where status = 'streaming')",
    )
    .await;

    let lms = Lms::connect(&primary.url())
        .await
        .unwrap()
        .with_replicas(&[&replica_url], Duration::from_secs(60))
        .unwrap();
    assert_eq!(lms.replica_count(), 1);
    // writes go to the primary
    lms.as_user(w.student).enroll(w.course).await.unwrap();
    wait_for(
        &replica_url,
        &format!(
            "select count(*) = 1 from public.enrollments where course_id = '{}'",
            w.course.0
        ),
    )
    .await;
    // the read model: the course's grades, a row per enrolled student
    let gradebook_total = |lms: Lms| async move {
        lms.as_user(w.instructor)
            .course_grades(w.course, Page::default())
            .await
            .unwrap()
            .total
    };
    assert_eq!(gradebook_total(lms.clone()).await, 1);

    // the replica stops replaying; the primary takes another enrolment
    let mut on_replica = PgConnection::connect(&replica_url).await.unwrap();
    sqlx::query("select pg_wal_replay_pause()")
        .execute(&mut on_replica)
        .await
        .unwrap();
    lms.as_user(w.other_student).enroll(w.course).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // within a minute's bound the replica serves the gradebook: what it had
    assert_eq!(gradebook_total(lms.clone()).await, 1);
    // a bound of a second: its last replayed transaction is older, it is skipped, the
    // primary answers
    let tight = Lms::connect(&primary.url())
        .await
        .unwrap()
        .with_replicas(&[&replica_url], Duration::from_secs(1))
        .unwrap();
    assert_eq!(gradebook_total(tight).await, 2);
    // a user's own reads are the primary's anyway
    assert_eq!(
        lms.as_user(w.other_student)
            .my_enrollments()
            .await
            .unwrap()
            .len(),
        1
    );

    // replaying again, the replica catches up
    sqlx::query("select pg_wal_replay_resume()")
        .execute(&mut on_replica)
        .await
        .unwrap();
    drop(on_replica);
    wait_for(
        &replica_url,
        &format!(
            "select count(*) = 2 from public.enrollments where course_id = '{}'",
            w.course.0
        ),
    )
    .await;
    assert_eq!(gradebook_total(lms.clone()).await, 2);

    // the replica down: the primary answers, and the next call does not wait for it
    replica.stop();
    assert_eq!(gradebook_total(lms.clone()).await, 2);
    let started = Instant::now();
    assert_eq!(gradebook_total(lms.clone()).await, 2);
    assert!(
        started.elapsed() < Lms::REPLICA_ACQUIRE_TIMEOUT,
        "{:?}",
        started.elapsed()
    );
    // a visitor's catalog, too
    assert_eq!(
        lms.as_anon()
            .list_courses(&Default::default(), Page::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    lms.pool().close().await;
    direct.pool().close().await;
    drop(replica);
    drop(primary);
    let _ = std::fs::remove_dir_all(&dir);
}

//! The privileged functions cannot be hijacked by objects a user creates in `pg_temp`.
//!
//! A user with a raw SQL session may create temporary objects (PUBLIC has TEMP on a
//! database by default). PostgreSQL searches `pg_temp` *first* for relation and type
//! names unless the search path names it elsewhere, and `set search_path = ''` does not
//! name it: a temporary domain called `jsonb`, whose CHECK calls the user's function,
//! would then run that function with the privileges of a SECURITY DEFINER function that
//! casts to `jsonb` (the audit trigger, `auth.uid()` inside every policy helper,
//! `strip_answer_keys`). Every lms function sets `search_path = pg_catalog, pg_temp`.
#![allow(clippy::unwrap_used)]

mod common;

use sqlx::PgPool;
use uuid::Uuid;

/// Creates, in the current transaction, the temporary trap: a table recording the role
/// every `jsonb` cast through the temporary domain ran as, open to every role.
const TRAP: &str = r#"
create temporary table hits (who text);
grant insert, select on pg_temp.hits to public;
create function pg_temp.spy(v pg_catalog.jsonb) returns boolean
  language plpgsql as $f$
begin
  insert into pg_temp.hits values (current_user::pg_catalog.text);
  return true;
end
$f$;
create domain pg_temp.jsonb as pg_catalog.jsonb check (pg_temp.spy(value));
create domain pg_temp.uuid as pg_catalog.uuid check (pg_temp.spy('{}'::pg_catalog.jsonb));
create domain pg_temp.text as pg_catalog.text check (pg_temp.spy('{}'::pg_catalog.jsonb));
"#;

/// Runs `statements` as `role` with `claims` after setting the trap; returns the roles
/// the trap's function ran as other than the caller's own.
async fn escalations(
    pool: &PgPool,
    role: &str,
    claims: serde_json::Value,
    statements: &[String],
) -> Vec<String> {
    let mut tx = pool.begin().await.unwrap();
    common::act_as(&mut tx, role, claims).await;
    sqlx::raw_sql(TRAP).execute(&mut *tx).await.unwrap();
    for sql in statements {
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let hits: Vec<String> =
        sqlx::query_scalar("select distinct who from pg_temp.hits where who <> $1 order by 1")
            .bind(role)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    tx.rollback().await.unwrap();
    hits
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn temporary_types_do_not_run_with_a_definers_privileges(pool: PgPool) {
    let s = common::seed(&pool).await;
    sqlx::raw_sql(&format!(
        "update public.assessments set questions = '[{{\"type\": \"true_false\", \"id\": \"q\", \
           \"prompt\": \"Rust has a GC.\", \"points\": 1, \"correct\": false}}, \
           {{\"type\": \"multiple_choice\", \"id\": \"m\", \"prompt\": \"Pick\", \
           \"points\": 1, \"options\": []}}]' \
          where id = '{q}';
         update public.lessons set is_published = true, assessment_id = '{q}' where id = '{l}';
         update public.courses set is_published = true where id = '{c}';
         insert into public.enrollments (student_id, course_id) values ('{u}', '{c}');",
        q = s.lesson_assessment,
        l = s.lesson,
        c = s.course,
        u = s.student
    ))
    .execute(&pool)
    .await
    .unwrap();
    let student = serde_json::json!({"sub": s.student, "role": "authenticated"});
    let routes: [(&str, &str, serde_json::Value, Vec<String>); 5] = [
        (
            "the audit trigger",
            "authenticated",
            student.clone(),
            vec!["update public.profiles set first_name = 'Sam' where id = auth.uid()".into()],
        ),
        (
            "the policy helpers",
            "authenticated",
            student.clone(),
            vec![
                "select count(*) from public.courses".into(),
                "select count(*) from public.lessons".into(),
                "select count(*) from public.content_blocks".into(),
                "select count(*) from public.assessment_attempts".into(),
                "select count(*) from public.profiles".into(),
            ],
        ),
        (
            "assessment_questions (strip_answer_keys, on an empty options array)",
            "authenticated",
            student.clone(),
            vec![format!(
                "select public.assessment_questions('{}')",
                s.lesson_assessment
            )],
        ),
        (
            "record_failed_sign_in as a signed-in user",
            "authenticated",
            student,
            vec!["select public.record_failed_sign_in('who@example.org', 'wrong password')".into()],
        ),
        (
            "record_failed_sign_in as anon",
            "anon",
            serde_json::json!({"role": "anon"}),
            vec!["select public.record_failed_sign_in('who@example.org', 'wrong password')".into()],
        ),
    ];
    for (what, role, claims, statements) in routes {
        let hits = escalations(&pool, role, claims, &statements).await;
        assert!(
            hits.is_empty(),
            "{what}: the user's temporary type ran as {hits:?}"
        );
    }
    // and the trap does work: the user's own casts go through it
    let mut tx = pool.begin().await.unwrap();
    common::act_as(
        &mut tx,
        "authenticated",
        serde_json::json!({"sub": Uuid::nil(), "role": "authenticated"}),
    )
    .await;
    sqlx::raw_sql(TRAP).execute(&mut *tx).await.unwrap();
    sqlx::raw_sql("select '{}'::jsonb")
        .execute(&mut *tx)
        .await
        .unwrap();
    let own: i64 = sqlx::query_scalar("select count(*) from pg_temp.hits")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert!(own > 0, "the trap did not fire on the user's own cast");
}

/// Every function of the lms schema pins its search path with `pg_temp` last.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn every_lms_function_names_pg_temp_last(pool: PgPool) {
    let functions: Vec<(String, Option<Vec<String>>, bool)> = sqlx::query_as(
        "select p.oid::regprocedure::text, p.proconfig, p.prosecdef \
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace \
          where n.nspname in ('public', 'lms_private') and p.prokind = 'f' \
          order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(functions.len() >= 25, "{functions:?}");
    for (name, config, definer) in &functions {
        let path = config
            .iter()
            .flatten()
            .find_map(|c| c.strip_prefix("search_path="));
        assert_eq!(
            path,
            Some("pg_catalog, pg_temp"),
            "{name} (security definer: {definer})"
        );
    }
}

/// An anonymous client's failed sign-in names no actor, whatever claims it set.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn an_anonymous_failed_sign_in_names_no_actor(pool: PgPool) {
    let s = common::seed(&pool).await;
    let mut tx = pool.begin().await.unwrap();
    common::act_as(
        &mut tx,
        "anon",
        serde_json::json!({"sub": s.instructor, "role": "anon"}),
    )
    .await;
    let id: i64 =
        sqlx::query_scalar("select public.record_failed_sign_in('ada@example.org', 'forged')")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let (actor, role): (Option<Uuid>, String) =
        sqlx::query_as("select actor_id, actor_role::text from public.audit_log where id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((actor, role.as_str()), (None, "anon"));
}

/// The profile's e-mail address follows the auth user's; a new sign-up may then use the
/// old address.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_profile_follows_an_e_mail_change(pool: PgPool) {
    let sam = common::create_user(&pool, "sam@example.org", "student").await;
    sqlx::query("update auth.users set email = 'samuel@example.org' where id = $1")
        .bind(sam)
        .execute(&pool)
        .await
        .unwrap();
    let email: Option<String> = sqlx::query_scalar("select email from profiles where id = $1")
        .bind(sam)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(email.as_deref(), Some("samuel@example.org"));
    let other = common::create_user(&pool, "sam@example.org", "student").await;
    assert_ne!(other, sam);
}

/// A user's avatar is an https URL or nothing, written through the library or directly.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn an_avatar_is_an_https_url(pool: PgPool) {
    use lms_core::model::UserId;
    use lms_core::repo::ProfilePatch;

    let sam = common::create_user(&pool, "sam@example.org", "student").await;
    let me = lms_db::Lms::from_pool(pool.clone()).as_user(UserId(sam));
    for bad in [
        "javascript:alert(1)",
        "http://example.org/a.png",
        "data:image/png;base64,AA",
    ] {
        let err = me
            .update_profile(
                UserId(sam),
                ProfilePatch {
                    avatar_url: Some(Some(bad.into())),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_document", "{bad}: {err}");
    }
    let ok = me
        .update_profile(
            UserId(sam),
            ProfilePatch {
                avatar_url: Some(Some("https://cdn.example.org/sam.png".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        ok.avatar_url.as_deref(),
        Some("https://cdn.example.org/sam.png")
    );

    // directly, as the user under RLS: the constraint refuses what the library would
    let mut tx = pool.begin().await.unwrap();
    common::act_as(
        &mut tx,
        "authenticated",
        serde_json::json!({"sub": sam, "role": "authenticated"}),
    )
    .await;
    let err =
        sqlx::query("update public.profiles set avatar_url = 'javascript:alert(1)' where id = $1")
            .bind(sam)
            .execute(&mut *tx)
            .await
            .unwrap_err();
    let db = err.as_database_error().unwrap();
    assert_eq!(db.constraint(), Some("profiles_avatar_url_https"), "{db}");
}

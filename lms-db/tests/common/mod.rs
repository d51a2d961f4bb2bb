//! Shared fixtures of the lms-db integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Ids of a small seeded world: an instructor, a student, a course with one lesson, the
/// lesson's assessment and the course's final assessment.
pub struct Seed {
    pub instructor: Uuid,
    pub student: Uuid,
    pub course: Uuid,
    pub lesson: Uuid,
    pub lesson_assessment: Uuid,
    pub final_assessment: Uuid,
}

/// Creates a user through `auth.users` (the sign-up trigger makes the profile) and sets
/// the profile's role.
pub async fn create_user(pool: &PgPool, email: &str, role: &str) -> Uuid {
    // an explicit id: Supabase's auth.users has no default on it
    let id: Uuid = sqlx::query_scalar(
        "insert into auth.users (id, email) values (gen_random_uuid(), $1) returning id",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("update public.profiles set role = $2::public.user_role where id = $1")
        .bind(id)
        .bind(role)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// Seeds the small world described on [`Seed`].
pub async fn seed(pool: &PgPool) -> Seed {
    let instructor = create_user(pool, "ada@example.org", "instructor").await;
    let student = create_user(pool, "sam@example.org", "student").await;
    let course: Uuid = sqlx::query_scalar(
        "insert into public.courses (title, instructor_id) values ('Rust', $1) returning id",
    )
    .bind(instructor)
    .fetch_one(pool)
    .await
    .unwrap();
    let lesson: Uuid = sqlx::query_scalar(
        "insert into public.lessons (course_id, title, order_index) values ($1, 'Ownership', 0) \
         returning id",
    )
    .bind(course)
    .fetch_one(pool)
    .await
    .unwrap();
    let lesson_assessment: Uuid = sqlx::query_scalar(
        "insert into public.assessments (lesson_id, title) values ($1, 'Quiz') returning id",
    )
    .bind(lesson)
    .fetch_one(pool)
    .await
    .unwrap();
    let final_assessment: Uuid = sqlx::query_scalar(
        "insert into public.assessments (course_id, title) values ($1, 'Final') returning id",
    )
    .bind(course)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("update public.lessons set assessment_id = $2 where id = $1")
        .bind(lesson)
        .bind(lesson_assessment)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("update public.courses set final_assessment_id = $2 where id = $1")
        .bind(course)
        .bind(final_assessment)
        .execute(pool)
        .await
        .unwrap();
    Seed {
        instructor,
        student,
        course,
        lesson,
        lesson_assessment,
        final_assessment,
    }
}

/// Counts the rows of a query returning one bigint.
pub async fn count(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The API roles as Supabase has them (and `supabase_auth_admin`), created when absent.
/// Roles are cluster-wide: concurrent tests may race to create them.
pub const API_ROLES: &str = r#"
do $$
declare
  r text;
begin
  foreach r in array array['supabase_auth_admin', 'anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_roles where rolname = r) then
      begin
        if r = 'service_role' then
          execute format('create role %I nologin noinherit bypassrls', r);
        else
          execute format('create role %I nologin noinherit', r);
        end if;
      exception when duplicate_object or unique_violation then null;
      end;
    end if;
  end loop;
end
$$;
"#;

/// What a Supabase project has before our migrations run: the API roles, an `auth` schema
/// owned by `supabase_auth_admin` with Supabase's own `auth.users` (no default id) and
/// `auth.uid()` / `auth.role()` / `auth.jwt()` / `auth.email()`, usage on it for the API
/// roles, and default privileges granting ALL on new tables and functions of `public` to
/// `anon`, `authenticated` and `service_role`.
pub const SUPABASE_SETUP: &str = r#"
create schema auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;
create table auth.users (
  instance_id uuid,
  id uuid not null primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin bool,
  created_at timestamptz,
  updated_at timestamptz,
  phone text unique default null,
  is_sso_user boolean not null default false
);
create function auth.uid() returns uuid language sql stable as $f$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid -- supabase's own
$f$;
create function auth.role() returns text language sql stable as $f$
  select nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role' -- supabase's own
$f$;
create function auth.jwt() returns jsonb language sql stable as $f$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb -- supabase's own
$f$;
create function auth.email() returns text language sql stable as $f$
  select nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email' -- supabase's own
$f$;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
"#;

/// Turns an empty database into a Supabase-like one ([`SUPABASE_SETUP`]), before the
/// migrations run.
pub async fn supabase_setup(pool: &PgPool) {
    sqlx::raw_sql(API_ROLES).execute(pool).await.unwrap();
    sqlx::raw_sql(SUPABASE_SETUP).execute(pool).await.unwrap();
}

/// Acts, for the rest of the transaction on `conn`, as `role` with `claims` in
/// `request.jwt.claims`, as a Supabase client's request would.
pub async fn act_as(conn: &mut PgConnection, role: &str, claims: serde_json::Value) {
    sqlx::query("select set_config('request.jwt.claims', $1, true)")
        .bind(claims.to_string())
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(&format!("set local role {role}"))
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// Records, as the connection's (trusted) session user, the library's receipt for
/// `document` (JSON text) written to `target` in the current transaction, as
/// `lms_db`'s `Tx::vouch` does: what lets an API role write a document column
/// (migration `20261201000008_documents_at_the_boundary`). Call it before `act_as`.
pub async fn vouch(conn: &mut PgConnection, target: &str, document: &str) {
    sqlx::query(
        "insert into lms_private.validated_documents (target, digest) \
         values ($1, sha256(convert_to($2::jsonb::text, 'UTF8')))",
    )
    .bind(target)
    .bind(document)
    .execute(&mut *conn)
    .await
    .unwrap();
}

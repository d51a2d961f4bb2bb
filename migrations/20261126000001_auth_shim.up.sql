-- The `auth` shim: what Supabase provides, created only where it is missing, so the same
-- migrations run on plain PostgreSQL and on Supabase.
--
-- * roles `anon`, `authenticated`, `service_role` (cluster-wide; created when absent);
-- * schema `auth`, table `auth.users`, functions `auth.uid()`, `auth.role()`,
--   `auth.email()`, `auth.jwt()` reading `request.jwt.claims` the way Supabase does.
--
-- Every object this migration creates is marked with the comment 'lms auth shim', and the
-- down migration drops only objects carrying that mark: a Supabase database keeps its own
-- `auth` schema intact in both directions. Roles are cluster-wide and shared by every
-- database of the cluster, so the down migration leaves them in place.

do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = r) then
      begin
        if r = 'service_role' then
          execute format('create role %I nologin noinherit bypassrls', r);
        else
          execute format('create role %I nologin noinherit', r);
        end if;
      exception
        -- another database of the cluster created it concurrently
        when duplicate_object or unique_violation then null;
      end;
    end if;
  end loop;
end
$$;

do $$
begin
  if not exists (select 1 from pg_catalog.pg_namespace where nspname = 'auth') then
    create schema auth;
    comment on schema auth is 'lms auth shim';
    grant usage on schema auth to anon, authenticated, service_role;
  end if;

  if to_regclass('auth.users') is null then
    create table auth.users (
      id uuid primary key default gen_random_uuid(),
      email text unique,
      raw_user_meta_data jsonb not null default '{}'::jsonb,
      raw_app_meta_data jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    comment on table auth.users is 'lms auth shim';
  end if;

  if to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb
      language sql stable
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claim', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')
        )::jsonb
      $f$;
    comment on function auth.jwt() is 'lms auth shim';
    grant execute on function auth.jwt() to anon, authenticated, service_role;
  end if;

  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
      language sql stable
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        )::uuid
      $f$;
    comment on function auth.uid() is 'lms auth shim';
    grant execute on function auth.uid() to anon, authenticated, service_role;
  end if;

  if to_regprocedure('auth.role()') is null then
    create function auth.role() returns text
      language sql stable
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claim.role', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
        )::text
      $f$;
    comment on function auth.role() is 'lms auth shim';
    grant execute on function auth.role() to anon, authenticated, service_role;
  end if;

  if to_regprocedure('auth.email()') is null then
    create function auth.email() returns text
      language sql stable
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claim.email', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
        )::text
      $f$;
    comment on function auth.email() is 'lms auth shim';
    grant execute on function auth.email() to anon, authenticated, service_role;
  end if;
end
$$;

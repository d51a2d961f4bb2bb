-- The audit log (shared/spec/schema.md, "Audit Logging" and "Compliance"): every change
-- of the ten tables, with its actor and time, and every failed sign-in, append-only.
-- docs/audit.md is the policy (what is logged, who reads it, retention, GDPR).
--
-- * `public.audit_log`, one row per changed row: written only by the SECURITY DEFINER
--   trigger function `lms_private.audit_row_change()` (AFTER INSERT OR UPDATE OR DELETE
--   FOR EACH ROW on the ten tables) and by `public.record_failed_sign_in()`.
-- * Updates store only the changed columns, old values in `old_data`, new ones in
--   `new_data`; `updated_at` is left out (`occurred_at` says when) and an update that
--   changes nothing else writes no row. Inserts store the whole new row in `new_data`,
--   deletes the whole old row in `old_data`.
-- * Who: `actor_id` is `auth.uid()` (null when there is none); `actor_role` is the role
--   the statement runs as — `authenticated`, `anon`, `service` (`service_role`: the
--   library's trusted path, Supabase's service key) or `system` (anything else: the
--   migrating / owner user, Supabase's auth server). It is read from the `role` setting
--   (what SET ROLE, and PostgREST, set), which a SECURITY DEFINER function does not
--   change, so a change made inside one (e.g. `set_user_role`) is attributed to its caller.
-- * Append-only: `anon`, `authenticated` and `service_role` have no INSERT, UPDATE,
--   DELETE or TRUNCATE (Supabase's default privileges grant ALL: revoked); RLS is enabled
--   and forced, admins (`authenticated` with `profiles.role` admin) and `service_role`
--   read; and guard triggers refuse UPDATE, DELETE and TRUNCATE whoever runs them, owner
--   and superuser included, except inside `lms_private.purge_audit_log()` (deletes) and
--   `lms_private.redact_audit_for_user()` (updates of the data and actor columns), which
--   set the transaction-local flag `lms.audit_maintenance` around their own statement
--   and clear it before returning (an error rolls it back with the transaction). The
--   guard stops DML rewriting history by mistake; it is no lock against the owner, who
--   can set the flag, disable a trigger or drop the table, as in any PostgreSQL database.
-- * The log has no foreign keys: it outlives the rows it describes.

create table public.audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default clock_timestamp(),
  actor_id uuid,
  actor_role text not null,
  action text not null,
  table_name text not null,
  row_id uuid,
  old_data jsonb,
  new_data jsonb,
  constraint audit_log_actor_role_known
    check (actor_role in ('authenticated', 'anon', 'service', 'system')),
  constraint audit_log_action_known
    check (action in ('insert', 'update', 'delete', 'sign_in_failed'))
);
comment on table public.audit_log is
  'lms: append-only log of every change of the lms tables and of failed sign-ins; '
  'see docs/audit.md';
comment on column public.audit_log.actor_id is 'auth.uid() of the change; null when none';
comment on column public.audit_log.actor_role is
  'authenticated, anon, service (service_role) or system (any other role)';
comment on column public.audit_log.old_data is
  'delete: the whole old row; update: old values of the changed columns only';
comment on column public.audit_log.new_data is
  'insert: the whole new row; update: new values of the changed columns only; '
  'sign_in_failed: {email, reason}';

-- the usual reads: the latest changes, one actor's, one row's history (newest first)
create index idx_audit_log_occurred_at on public.audit_log (occurred_at);
create index idx_audit_log_actor on public.audit_log (actor_id, occurred_at)
  where actor_id is not null;
create index idx_audit_log_row on public.audit_log (table_name, row_id, occurred_at);

-- ---------------------------------------------------------------------------------------
-- Writing.

-- The role a statement runs as, in the log's words. Inside SECURITY DEFINER functions
-- `current_user` is the owner; the `role` setting is still the caller's SET ROLE.
create function lms_private.audit_actor_role() returns text
  language sql stable
  set search_path = ''
  as $$
    select case coalesce(nullif(current_setting('role', true), 'none'), session_user::text)
             when 'authenticated' then 'authenticated'
             when 'anon' then 'anon'
             when 'service_role' then 'service'
             else 'system'
           end
  $$;

-- The row trigger of the ten tables. SECURITY DEFINER (owned by the table owner, who
-- alone may insert into the log) so it writes whatever the caller's grants.
create function lms_private.audit_row_change() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
declare
  o jsonb;
  n jsonb;
  old_diff jsonb;
  new_diff jsonb;
  rid uuid;
begin
  if tg_op = 'INSERT' then
    n := to_jsonb(new);
    rid := new.id;
  elsif tg_op = 'DELETE' then
    o := to_jsonb(old);
    rid := old.id;
  else
    rid := new.id;
    o := to_jsonb(old);
    n := to_jsonb(new);
    select jsonb_object_agg(k.key, o -> k.key), jsonb_object_agg(k.key, k.value)
      into old_diff, new_diff
      from jsonb_each(n) as k
     where k.key <> 'updated_at' and (o -> k.key) is distinct from k.value;
    if new_diff is null then
      return null; -- nothing but updated_at changed: not a change
    end if;
    o := old_diff;
    n := new_diff;
  end if;
  insert into public.audit_log (actor_id, actor_role, action, table_name, row_id,
                                old_data, new_data)
  values (auth.uid(), lms_private.audit_actor_role(), lower(tg_op), tg_table_name,
          rid, o, n);
  return null;
end;
$$;

do $$
declare
  t text;
begin
  foreach t in array array['profiles', 'courses', 'lessons', 'content_blocks', 'assessments',
                           'enrollments', 'assessment_attempts', 'student_progress',
                           'personalized_roadmaps', 'learning_progress'] loop
    execute format(
      'create trigger audit_row_change after insert or update or delete on public.%I '
      'for each row execute function lms_private.audit_row_change()', t);
  end loop;
end
$$;

-- A failed sign-in (wrong password, unknown e-mail…), reported by the sign-in flow:
-- anon may call it (PostgREST RPC). Lengths are bounded so the log cannot be stuffed;
-- rate limiting is the API's job. Returns the log row's id.
create function public.record_failed_sign_in(email text, reason text) returns bigint
  language sql volatile security definer
  set search_path = ''
  as $$
    insert into public.audit_log (actor_id, actor_role, action, table_name, new_data)
    values (auth.uid(), lms_private.audit_actor_role(), 'sign_in_failed', 'auth.users',
            jsonb_build_object('email', left(btrim(record_failed_sign_in.email), 320),
                               'reason', left(btrim(record_failed_sign_in.reason), 200)))
    returning id
  $$;
comment on function public.record_failed_sign_in(text, text) is
  'records a failed sign-in attempt in the audit log (e-mail up to 320, reason up to 200 '
  'characters)';

-- ---------------------------------------------------------------------------------------
-- Append-only.

create function lms_private.audit_log_guard() returns trigger
  language plpgsql
  set search_path = ''
  as $$
declare
  mode text := current_setting('lms.audit_maintenance', true);
begin
  if tg_op = 'DELETE' and mode = 'purge' then
    return old;
  end if;
  -- redaction removes personal data; what happened, when, to which row stays
  if tg_op = 'UPDATE' and mode = 'redact'
     and new.id = old.id and new.occurred_at = old.occurred_at
     and new.actor_role = old.actor_role and new.action = old.action
     and new.table_name = old.table_name and new.row_id is not distinct from old.row_id then
    return new;
  end if;
  raise exception 'public.audit_log is append-only: % refused', tg_op
    using errcode = '42501',
          hint = 'old entries are removed by lms_private.purge_audit_log(), personal data '
                 'by lms_private.redact_audit_for_user()';
end;
$$;

create trigger audit_log_append_only before update or delete on public.audit_log
  for each row execute function lms_private.audit_log_guard();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function lms_private.audit_log_guard();

-- ---------------------------------------------------------------------------------------
-- Retention: entries are kept at least 365 days. Deletes the entries older than
-- `older_than` (at least 365 days; a calendar '1 year' is accepted), records the purge
-- itself in the log, and returns the number of entries deleted.
create function lms_private.purge_audit_log(older_than interval) returns bigint
  language plpgsql volatile security definer
  set search_path = ''
  as $$
declare
  cutoff timestamptz;
  purged bigint;
begin
  if older_than is null or now() - older_than > now() - interval '365 days' then
    raise exception 'audit entries are kept at least 365 days, not %', older_than
      using errcode = '22023';
  end if;
  cutoff := now() - older_than;
  perform pg_catalog.set_config('lms.audit_maintenance', 'purge', true);
  delete from public.audit_log where occurred_at < cutoff;
  get diagnostics purged = row_count;
  perform pg_catalog.set_config('lms.audit_maintenance', '', true);
  insert into public.audit_log (actor_id, actor_role, action, table_name, new_data)
  values (auth.uid(), lms_private.audit_actor_role(), 'delete', 'audit_log',
          jsonb_build_object('purged_entries', purged, 'older_than', older_than::text,
                             'cutoff', cutoff));
  return purged;
end;
$$;

-- GDPR erasure: removes an erased user's personal data from the log, keeping what
-- happened, when and to which row id (the proof of the erasure). Run after the user's
-- rows were deleted (the deletes themselves log the deleted data). Precisely:
-- * entries of the user's personal rows — `profiles` row `user_id`; `enrollments`,
--   `assessment_attempts`, `student_progress`, `personalized_roadmaps`,
--   `learning_progress` rows whose logged `student_id` is the user (found through any
--   insert or delete entry of the row, then every entry of that row, updates included):
--   `old_data` and `new_data` set to null;
-- * `courses` entries naming the user as `instructor_id`: that key set to null;
-- * failed sign-ins with an e-mail address the user's profile ever had: `new_data` null;
-- * `actor_id` set to null wherever it is the user.
-- Returns the number of entries changed.
create function lms_private.redact_audit_for_user(user_id uuid) returns bigint
  language plpgsql volatile security definer
  set search_path = ''
  as $$
declare
  uid text := redact_audit_for_user.user_id::text;
  emails text[];
  changed bigint;
begin
  if redact_audit_for_user.user_id is null then
    raise exception 'user_id is null' using errcode = '22004';
  end if;

  select coalesce(array_agg(distinct lower(e)), '{}') into emails
    from public.audit_log a
   cross join lateral (values (a.old_data ->> 'email'), (a.new_data ->> 'email')) as v(e)
   where a.table_name = 'profiles' and a.row_id = redact_audit_for_user.user_id
     and e is not null;

  perform pg_catalog.set_config('lms.audit_maintenance', 'redact', true);
  with personal as (
    select distinct a.table_name, a.row_id
      from public.audit_log a
     where (a.table_name = 'profiles' and a.row_id = redact_audit_for_user.user_id)
        or (a.table_name in ('enrollments', 'assessment_attempts', 'student_progress',
                             'personalized_roadmaps', 'learning_progress')
            and a.action in ('insert', 'delete')
            and coalesce(a.new_data, a.old_data) ->> 'student_id' = uid)
  ),
  targets as (
    select a.id from public.audit_log a join personal p using (table_name, row_id)
    union
    select a.id from public.audit_log a
     where a.table_name = 'courses'
       and (a.old_data ->> 'instructor_id' = uid or a.new_data ->> 'instructor_id' = uid)
    union
    select a.id from public.audit_log a
     where a.action = 'sign_in_failed' and lower(a.new_data ->> 'email') = any (emails)
    union
    select a.id from public.audit_log a where a.actor_id = redact_audit_for_user.user_id
  ),
  personal_ids as (
    select a.id from public.audit_log a join personal p using (table_name, row_id)
  )
  update public.audit_log a
     set old_data = case
                      when a.id in (select id from personal_ids) then null
                      when a.action = 'sign_in_failed' then a.old_data
                      when a.table_name = 'courses' and a.old_data ->> 'instructor_id' = uid
                        then jsonb_set(a.old_data, '{instructor_id}', 'null')
                      else a.old_data
                    end,
         new_data = case
                      when a.id in (select id from personal_ids) then null
                      when a.action = 'sign_in_failed'
                       and lower(a.new_data ->> 'email') = any (emails) then null
                      when a.table_name = 'courses' and a.new_data ->> 'instructor_id' = uid
                        then jsonb_set(a.new_data, '{instructor_id}', 'null')
                      else a.new_data
                    end,
         actor_id = case when a.actor_id = redact_audit_for_user.user_id then null
                         else a.actor_id end
   where a.id in (select id from targets);
  get diagnostics changed = row_count;
  perform pg_catalog.set_config('lms.audit_maintenance', '', true);
  return changed;
end;
$$;

-- ---------------------------------------------------------------------------------------
-- Privileges. Functions: nobody but whom they are meant for (PUBLIC has EXECUTE on new
-- functions, Supabase's default privileges add anon, authenticated, service_role).
revoke all on function lms_private.audit_actor_role(), lms_private.audit_row_change(),
  lms_private.audit_log_guard(), lms_private.purge_audit_log(interval),
  lms_private.redact_audit_for_user(uuid), public.record_failed_sign_in(text, text)
  from public, anon, authenticated, service_role;
grant execute on function public.record_failed_sign_in(text, text)
  to anon, authenticated, service_role;
grant execute on function lms_private.purge_audit_log(interval),
  lms_private.redact_audit_for_user(uuid)
  to service_role;

-- The table: read by admins and service_role, written by nobody but the functions above.
revoke all on table public.audit_log from public, anon, authenticated, service_role;
revoke all on sequence public.audit_log_id_seq from public, anon, authenticated, service_role;
grant select on table public.audit_log to authenticated, service_role;

alter table public.audit_log enable row level security;
alter table public.audit_log force row level security;

create policy audit_log_select on public.audit_log for select to authenticated
  using ((select lms_private.is_admin()));

-- The owner (the migrating user, owner of the functions above) writes through the
-- functions; FORCE ROW LEVEL SECURITY subjects it to policies too, so it gets one. What it
-- may change is the guard triggers' business.
create policy audit_log_owner on public.audit_log for all to current_user
  using (true) with check (true);

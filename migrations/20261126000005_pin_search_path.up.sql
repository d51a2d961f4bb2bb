-- Every lms function searches pg_catalog, then pg_temp, and nothing else.
--
-- `set search_path = ''` (the earlier migrations) still searches pg_temp *first* for
-- relation and type names: PostgreSQL puts the temporary schema in front whenever the
-- path does not name it. A user with a raw SQL session may create temporary objects
-- (PUBLIC has TEMP on a database by default), so a temporary domain named `jsonb` whose
-- CHECK calls the user's own function ran that function with the privileges of any
-- SECURITY DEFINER function that casts to `jsonb` — the audit trigger (owned by the
-- migrating user), the policy helpers through `auth.uid()`, `strip_answer_keys` inside
-- `assessment_questions`. Naming pg_temp last, as PostgreSQL's "Writing SECURITY
-- DEFINER Functions Safely" advises, resolves every type and relation in pg_catalog
-- before pg_temp; functions and operators are never looked up in pg_temp. Invoker
-- functions get the same path: they run with a definer's privileges when a definer
-- calls them. lms-db/tests/hardening.rs sets the trap on every route.
--
-- Also: a failed sign-in recorded by `anon` has no actor. The claims are whatever the
-- anonymous client set, so `auth.uid()` there named whoever it liked.

alter function public.update_updated_at_column() set search_path = pg_catalog, pg_temp;
alter function public.check_lesson_prerequisites() set search_path = pg_catalog, pg_temp;
alter function public.remove_deleted_prerequisite() set search_path = pg_catalog, pg_temp;
alter function public.handle_new_user() set search_path = pg_catalog, pg_temp;
alter function public.assessment_questions(uuid) set search_path = pg_catalog, pg_temp;
alter function public.set_user_role(uuid, public.user_role)
  set search_path = pg_catalog, pg_temp;
alter function public.record_failed_sign_in(text, text) set search_path = pg_catalog, pg_temp;

alter function lms_private.current_user_role() set search_path = pg_catalog, pg_temp;
alter function lms_private.is_admin() set search_path = pg_catalog, pg_temp;
alter function lms_private.taught_course_ids() set search_path = pg_catalog, pg_temp;
alter function lms_private.enrolled_course_ids() set search_path = pg_catalog, pg_temp;
alter function lms_private.member_course_ids() set search_path = pg_catalog, pg_temp;
alter function lms_private.published_course_ids() set search_path = pg_catalog, pg_temp;
alter function lms_private.taught_lesson_ids() set search_path = pg_catalog, pg_temp;
alter function lms_private.readable_lesson_ids() set search_path = pg_catalog, pg_temp;
alter function lms_private.taught_student_ids() set search_path = pg_catalog, pg_temp;
alter function lms_private.assessment_course_id(uuid) set search_path = pg_catalog, pg_temp;
alter function lms_private.set_attempt_course_id() set search_path = pg_catalog, pg_temp;
alter function lms_private.follow_assessment_course() set search_path = pg_catalog, pg_temp;
alter function lms_private.strip_answer_keys(jsonb) set search_path = pg_catalog, pg_temp;
alter function lms_private.assessment_questions(uuid) set search_path = pg_catalog, pg_temp;
alter function lms_private.set_user_role(uuid, public.user_role)
  set search_path = pg_catalog, pg_temp;
alter function lms_private.audit_actor_role() set search_path = pg_catalog, pg_temp;
alter function lms_private.audit_row_change() set search_path = pg_catalog, pg_temp;
alter function lms_private.audit_log_guard() set search_path = pg_catalog, pg_temp;
alter function lms_private.purge_audit_log(interval) set search_path = pg_catalog, pg_temp;
alter function lms_private.redact_audit_for_user(uuid) set search_path = pg_catalog, pg_temp;

create or replace function public.record_failed_sign_in(email text, reason text) returns bigint
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
    insert into public.audit_log (actor_id, actor_role, action, table_name, new_data)
    values (case when lms_private.audit_actor_role() = 'anon' then null else auth.uid() end,
            lms_private.audit_actor_role(), 'sign_in_failed', 'auth.users',
            jsonb_build_object('email', left(btrim(record_failed_sign_in.email), 320),
                               'reason', left(btrim(record_failed_sign_in.reason), 200)))
    returning id
  $$;

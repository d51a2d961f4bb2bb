-- Undoes 20261126000004_audit_log.up.sql: the triggers on the ten tables, the log (with
-- its indexes, sequence, policies and guard triggers) and the functions.

do $$
declare
  t text;
begin
  foreach t in array array['profiles', 'courses', 'lessons', 'content_blocks', 'assessments',
                           'enrollments', 'assessment_attempts', 'student_progress',
                           'personalized_roadmaps', 'learning_progress'] loop
    execute format('drop trigger if exists audit_row_change on public.%I', t);
  end loop;
end
$$;

drop table if exists public.audit_log;

drop function if exists lms_private.redact_audit_for_user(uuid);
drop function if exists lms_private.purge_audit_log(interval);
drop function if exists lms_private.audit_log_guard();
drop function if exists public.record_failed_sign_in(text, text);
drop function if exists lms_private.audit_row_change();
drop function if exists lms_private.audit_actor_role();

-- Back to `set search_path = ''` (see the up migration for why that is unsafe), and to
-- recording `auth.uid()` for anonymous failed sign-ins.

create or replace function public.record_failed_sign_in(email text, reason text) returns bigint
  language sql volatile security definer
  set search_path = ''
  as $$
    insert into public.audit_log (actor_id, actor_role, action, table_name, new_data)
    values (auth.uid(), lms_private.audit_actor_role(), 'sign_in_failed', 'auth.users',
            jsonb_build_object('email', left(btrim(record_failed_sign_in.email), 320),
                               'reason', left(btrim(record_failed_sign_in.reason), 200)))
    returning id
  $$;

alter function public.update_updated_at_column() set search_path = '';
alter function public.check_lesson_prerequisites() set search_path = '';
alter function public.remove_deleted_prerequisite() set search_path = '';
alter function public.handle_new_user() set search_path = '';
alter function public.assessment_questions(uuid) set search_path = '';
alter function public.set_user_role(uuid, public.user_role) set search_path = '';
alter function public.record_failed_sign_in(text, text) set search_path = '';

alter function lms_private.current_user_role() set search_path = '';
alter function lms_private.is_admin() set search_path = '';
alter function lms_private.taught_course_ids() set search_path = '';
alter function lms_private.enrolled_course_ids() set search_path = '';
alter function lms_private.member_course_ids() set search_path = '';
alter function lms_private.published_course_ids() set search_path = '';
alter function lms_private.taught_lesson_ids() set search_path = '';
alter function lms_private.readable_lesson_ids() set search_path = '';
alter function lms_private.taught_student_ids() set search_path = '';
alter function lms_private.assessment_course_id(uuid) set search_path = '';
alter function lms_private.set_attempt_course_id() set search_path = '';
alter function lms_private.follow_assessment_course() set search_path = '';
alter function lms_private.strip_answer_keys(jsonb) set search_path = '';
alter function lms_private.assessment_questions(uuid) set search_path = '';
alter function lms_private.set_user_role(uuid, public.user_role) set search_path = '';
alter function lms_private.audit_actor_role() set search_path = '';
alter function lms_private.audit_row_change() set search_path = '';
alter function lms_private.audit_log_guard() set search_path = '';
alter function lms_private.purge_audit_log(interval) set search_path = '';
alter function lms_private.redact_audit_for_user(uuid) set search_path = '';

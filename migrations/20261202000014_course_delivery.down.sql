-- Dates, late policies and accommodations go; assessment_questions() is again
-- 20261202000009's.
create or replace function lms_private.assessment_questions(assessment_id uuid) returns jsonb
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select case
             when lms_private.is_admin()
               or x.course_id in (select lms_private.taught_course_ids())
               then x.questions
             when x.course_id in (select lms_private.enrolled_course_ids())
              and (x.lesson_id is null or x.lesson_published)
              and (x.time_limit is null or o.started_at is not null)
               then lms_private.strip_answer_keys(coalesce(o.questions, x.questions))
           end
      from (
        select a.questions, a.lesson_id, a.time_limit, a.grace_seconds, a.time_limit_policy,
               l.is_published as lesson_published,
               coalesce(a.course_id, l.course_id) as course_id
          from public.assessments a
          left join public.lessons l on l.id = a.lesson_id
         where a.id = assessment_questions.assessment_id
      ) x
      left join lateral (
        select t.started_at, v.questions
          from public.assessment_attempts t
          join public.assessment_question_versions v
            on v.assessment_id = t.assessment_id and v.version = t.questions_version
         where t.assessment_id = assessment_questions.assessment_id
           and t.student_id = (select auth.uid())
           and t.submitted_at is null and t.abandoned_at is null
           and (x.time_limit is null
                or statement_timestamp()
                   <= t.started_at + make_interval(mins => x.time_limit)
                      + make_interval(secs => case when x.time_limit_policy = 'grace_period'
                                                   then least(x.grace_seconds, 30)
                                                   else x.grace_seconds end))
         order by t.attempt_number desc
         limit 1
      ) o on true
  $$;

create or replace function lms_private.redact_audit_for_user(user_id uuid) returns bigint
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
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

create or replace function lms_private.follow_assessment_course() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_table_name = 'assessments' then
    update public.assessment_attempts t
       set course_id = lms_private.assessment_course_id(new.id)
     where t.assessment_id = new.id;
  else
    update public.assessment_attempts t
       set course_id = new.course_id
      from public.assessments a
     where a.lesson_id = new.id and t.assessment_id = a.id;
  end if;
  return null;
end;
$$;

-- The accommodations go, and with them what their audit entries say of them: once the
-- table is gone, the erasure of a user no longer knows these entries as personal data
-- (what happened, when, to which row stays).
select pg_catalog.set_config('lms.audit_maintenance', 'redact', true);
update public.audit_log set old_data = null, new_data = null
 where table_name = 'accommodations';
select pg_catalog.set_config('lms.audit_maintenance', '', true);

drop function lms_private.attempt_schedule(uuid, uuid);
drop table public.accommodations;
drop function lms_private.set_accommodation_course_id();

alter table public.assessment_attempts
  drop column late_seconds,
  drop column raw_points_earned,
  drop column raw_score;
alter table public.courses
  drop column late_deduction_percent,
  drop column late_deduction_interval,
  drop column late_floor_percent;
alter table public.assessments
  drop column opens_at,
  drop column closes_at,
  drop column due_at,
  drop column late_deduction_percent,
  drop column late_deduction_interval,
  drop column late_floor_percent;

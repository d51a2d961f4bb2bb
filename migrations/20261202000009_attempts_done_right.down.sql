-- The attempt policy, the question versions, exact points and abandoned attempts go;
-- assessment_questions() reads the current questions again, timed ones with a fixed
-- 30 s grace (as 20261126000006 made it).
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
              and (x.time_limit is null or exists (
                    select 1 from public.assessment_attempts t
                     where t.assessment_id = assessment_questions.assessment_id
                       and t.student_id = (select auth.uid())
                       and t.submitted_at is null
                       and statement_timestamp()
                           <= t.started_at + make_interval(mins => x.time_limit)
                                    + interval '30 seconds'))
               then lms_private.strip_answer_keys(x.questions)
           end
      from (
        select a.questions, a.lesson_id, a.time_limit, l.is_published as lesson_published,
               coalesce(a.course_id, l.course_id) as course_id
          from public.assessments a
          left join public.lessons l on l.id = a.lesson_id
         where a.id = assessment_questions.assessment_id
      ) x
  $$;

grant execute on function public.handle_new_user() to public;

drop trigger assessment_attempts_questions_version on public.assessment_attempts;
drop function lms_private.attempt_questions_version();
drop index public.idx_assessment_attempts_open;
drop index public.idx_assessment_attempts_questions_version;
alter table public.assessment_attempts
  drop constraint assessment_attempts_questions_version_fkey,
  drop column questions_version,
  drop column exact_points_earned,
  drop column abandoned_at;

drop trigger assessments_keep_question_version on public.assessments;
drop trigger assessments_questions_version on public.assessments;
drop function lms_private.keep_question_version();
drop function lms_private.version_assessment_questions();
drop table public.assessment_question_versions;

alter table public.assessments
  drop column grading_method,
  drop column retake_policy,
  drop column attempt_delay_seconds,
  drop column later_attempt_delay_seconds,
  drop column time_limit_policy,
  drop column grace_seconds,
  drop column questions_version;

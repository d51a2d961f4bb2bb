-- Back to: a timed assessment's questions readable while any attempt is not submitted.

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
                       and t.submitted_at is null))
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

-- A timed assessment's questions are readable by a student only while the clock of an
-- open attempt runs: until `started_at + time_limit + grace`, the grace being
-- lms_core::attempts::DEFAULT_GRACE_SECONDS (30 s; lms-db/tests/trusted_path.rs,
-- timed_questions_are_readable_until_the_deadline_plus_grace, checks the two agree). Before, any attempt not submitted kept them readable, also one whose time
-- had run out (the library closes it only when the next one starts): the student read
-- the questions with no clock running. `statement_timestamp()`, not `now()`: a
-- transaction held open must not keep the clock of its start.

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

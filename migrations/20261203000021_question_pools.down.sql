-- arranged and assessment_questions as 20261203000019 left them
create or replace function lms_private.arranged(questions jsonb, question_order text[], option_order jsonb)
  returns jsonb
  language sql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(jsonb_agg(
             case when jsonb_typeof(q.value -> 'options') = 'array'
                       and jsonb_typeof(option_order -> (q.value ->> 'id')) = 'array'
                  then jsonb_set(q.value, '{options}', (
                    select coalesce(jsonb_agg(o.value order by
                             coalesce(array_position(
                               array(select jsonb_array_elements_text(
                                              option_order -> (q.value ->> 'id'))),
                               o.value ->> 'id'), 2147483647),
                             o.n), '[]'::jsonb)
                      from jsonb_array_elements(q.value -> 'options') with ordinality o (value, n)))
                  else q.value end
             order by coalesce(array_position(question_order, q.value ->> 'id'), 2147483647),
                      q.n), '[]'::jsonb)
      from jsonb_array_elements(case jsonb_typeof(questions) when 'array' then questions
                                 else '[]'::jsonb end) with ordinality q (value, n)
  $$;

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
              -- an attempt begun (before the unlock time was moved) stays open
              and (x.unlocks_at is null or statement_timestamp() >= x.unlocks_at
                   or o.started_at is not null)
              and (s.opens_at is null or statement_timestamp() >= s.opens_at)
              and (x.time_limit is null or o.started_at is not null)
              -- after the close time only in an open attempt, whose own cutoff (deadline
              -- plus the answering grace) the lateral below applies
              and (s.closes_at is null or statement_timestamp() <= s.closes_at
                   or o.started_at is not null)
               then lms_private.arranged(
                      lms_private.strip_answer_keys(coalesce(o.questions, x.questions)),
                      o.question_order, o.option_order)
           end
      from (
        select a.id, a.questions, a.lesson_id, a.time_limit,
               case when a.time_limit_policy = 'grace_period' then least(a.grace_seconds, 30)
                    else a.grace_seconds end as grace,
               l.is_published as lesson_published, l.unlocks_at,
               coalesce(a.course_id, l.course_id) as course_id
          from public.assessments a
          left join public.lessons l on l.id = a.lesson_id
         where a.id = assessment_questions.assessment_id
      ) x
      left join lateral lms_private.attempt_schedule(x.id, (select auth.uid())) s on true
      left join lateral (
        select t.started_at, v.questions, t.question_order, t.option_order
          from public.assessment_attempts t
          join public.assessment_question_versions v
            on v.assessment_id = t.assessment_id and v.version = t.questions_version
         where t.assessment_id = assessment_questions.assessment_id
           and t.student_id = (select auth.uid())
           and t.submitted_at is null and t.abandoned_at is null
           and (least(t.started_at + make_interval(mins => s.time_limit), s.closes_at) is null
                or statement_timestamp()
                   <= least(t.started_at + make_interval(mins => s.time_limit), s.closes_at)
                      + make_interval(secs => x.grace))
         order by t.attempt_number desc
         limit 1
      ) o on true
  $$;

grant create on schema lms_private to service_role;
alter function lms_private.assessment_questions(uuid) owner to service_role;
alter function lms_private.arranged(jsonb, text[], jsonb) owner to service_role;
revoke create on schema lms_private from service_role;

alter table public.assessments
  drop constraint assessments_draw_within_questions,
  drop column draw_questions;

-- The SQL-language helpers with a pinned search_path (20261126000005) cannot be inlined,
-- and PostgreSQL plans a SQL function's body again at every call from a new statement:
-- for the functions below, each called once or a few times per statement on the hot
-- paths, the planning cost more than the work. Measured here, per call:
-- `assessment_questions` (a start or resume of an attempt) 2.3 ms, `attempt_schedule`
-- 0.31 ms, `arranged` 0.32 ms, `item_responses` (every submission's trigger) 0.33 ms.
-- The same bodies in PL/pgSQL, whose plans are kept for the session: 0.5–0.7 ms, 0.05 ms,
-- 0.09 ms, 0.18 ms. Nothing else changes: the same results, volatility, strictness,
-- security definer, owner, grants (create or replace keeps them) and search_path.
-- (`arranged` and `strip_answer_keys` are also called per row by the attempt_reviews
-- view, where a PL/pgSQL call costs about what the SQL one did.) Left in SQL: the view's
-- own per-row helpers (review_reached, review_shown, reviewed_feedback), whose plans a
-- statement keeps across its rows.

create or replace function lms_private.assessment_questions(assessment_id uuid)
  returns jsonb
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return (select case
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
              -- a draw from a pool: only the attempt's own questions, within it
              and (x.draw_questions is null or o.started_at is not null)
              -- after the close time only in an open attempt, whose own cutoff (deadline
              -- plus the answering grace) the lateral below applies
              and (s.closes_at is null or statement_timestamp() <= s.closes_at
                   or o.started_at is not null)
               then lms_private.arranged(
                      lms_private.strip_answer_keys(coalesce(o.questions, x.questions)),
                      o.question_order, o.option_order)
           end
      from (
        select a.id, a.questions, a.lesson_id, a.time_limit, a.draw_questions,
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
      ) o on true);
  end
  $$;

create or replace function public.assessment_questions(assessment_id uuid)
  returns jsonb
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return lms_private.assessment_questions(assessment_questions.assessment_id);
  end
  $$;

create or replace function lms_private.arranged(questions jsonb, question_order text[], option_order jsonb)
  returns jsonb
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return (select coalesce(jsonb_agg(
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
     where coalesce(cardinality(question_order), 0) = 0
        or (q.value ->> 'id') = any (question_order));
  end
  $$;

create or replace function lms_private.strip_answer_keys(questions jsonb)
  returns jsonb
  language plpgsql immutable parallel safe strict
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return (select coalesce(
      jsonb_agg(
        jsonb_strip_nulls(jsonb_build_object(
          'type', case when jsonb_typeof(q -> 'type') = 'string' then q -> 'type' end,
          'id', case when jsonb_typeof(q -> 'id') = 'string' then q -> 'id' end,
          'prompt', case when jsonb_typeof(q -> 'prompt') = 'string' then q -> 'prompt' end,
          'points', case when jsonb_typeof(q -> 'points') = 'number' then q -> 'points' end,
          'multiple',
            case when jsonb_typeof(q -> 'multiple') = 'boolean' then q -> 'multiple' end,
          'case_sensitive',
            case when jsonb_typeof(q -> 'case_sensitive') = 'boolean'
                 then q -> 'case_sensitive' end,
          'options',
            case when jsonb_typeof(q -> 'options') = 'array' then (
              select coalesce(
                       jsonb_agg(
                         jsonb_strip_nulls(jsonb_build_object(
                           'id', case when jsonb_typeof(o -> 'id') = 'string' then o -> 'id' end,
                           'text',
                             case when jsonb_typeof(o -> 'text') = 'string' then o -> 'text' end))
                         order by i),
                       '[]'::jsonb)
                from jsonb_array_elements(q -> 'options') with ordinality as opts(o, i)
               where jsonb_typeof(o) = 'object')
            end))
        order by n),
      '[]'::jsonb)
    from jsonb_array_elements(
           case when jsonb_typeof(questions) = 'array' then questions else '[]'::jsonb end)
         with ordinality as qs(q, n)
    where jsonb_typeof(q) = 'object');
  end
  $$;

create or replace function lms_private.attempt_schedule(assessment_id uuid, student_id uuid)
  returns table(opens_at timestamp with time zone, closes_at timestamp with time zone, due_at timestamp with time zone, time_limit integer)
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return query
    select a.opens_at,
           case when a.closes_at is not null
                then greatest(a.closes_at, x.closes_at,
                              case when a.due_at is not null
                                   then greatest(a.due_at, x.due_at) end) end,
           case when a.due_at is not null then greatest(a.due_at, x.due_at) end,
           -- in bigint, at most the integer's range (as the Rust rule saturates)
           case when a.time_limit is not null
                then least(greatest(a.time_limit::bigint + coalesce(x.extra_minutes, 0),
                                    ceil(a.time_limit * coalesce(x.time_factor, 1))::bigint),
                           2147483647)::integer end
      from public.assessments a
      left join public.lessons l on l.id = a.lesson_id
      left join lateral (
        select max(o.extra_minutes) as extra_minutes, max(o.time_factor) as time_factor,
               max(o.closes_at) as closes_at, max(o.due_at) as due_at
          from public.accommodations o
         where o.student_id = attempt_schedule.student_id
           and o.course_id = coalesce(a.course_id, l.course_id)
           and (o.assessment_id is null or o.assessment_id = a.id)
      ) x on true
     where a.id = attempt_schedule.assessment_id;
  end
  $$;

create or replace function lms_private.item_responses(feedback jsonb, answers jsonb)
  returns table(question_ids text[], kinds text, points double precision[], max_points integer[], outcomes text, responses text[])
  language plpgsql immutable
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return query
    select coalesce(array_agg(q ->> 'question_id' order by n), '{}'),
           coalesce(string_agg(case q ->> 'kind' when 'multiple_choice' then 'm'
                      when 'true_false' then 't' when 'short_answer' then 's'
                      when 'essay' then 'e' else '?' end, '' order by n), ''),
           -- nested cases: each cast only where the test before it held
           coalesce(array_agg(case jsonb_typeof(q -> 'points_earned') when 'number' then
                                case when abs((q ->> 'points_earned')::numeric) <= 1e300
                                     then (q ->> 'points_earned')::double precision end end
                              order by n), '{}'),
           coalesce(array_agg(case jsonb_typeof(q -> 'max_points') when 'number' then
                                case when (q ->> 'max_points')::numeric between 0 and 2147483647
                                      and (q ->> 'max_points')::numeric
                                          = trunc((q ->> 'max_points')::numeric)
                                     then (q ->> 'max_points')::numeric::integer end end
                              order by n), '{}'),
           coalesce(string_agg(case q ->> 'outcome' when 'correct' then 'c'
                      when 'partial' then 'p' when 'incorrect' then 'i'
                      when 'unanswered' then 'u' when 'pending_review' then 'r'
                      else '?' end, '' order by n), ''),
           coalesce(array_agg(
             case a ->> 'type'
               when 'multiple_choice' then
                 case jsonb_typeof(a -> 'selected') when 'array' then (a -> 'selected')::text end
               when 'true_false' then
                 case jsonb_typeof(a -> 'value') when 'boolean' then a ->> 'value' end
               when 'short_answer' then
                 case when q ->> 'outcome' = 'incorrect' then a ->> 'text' end
             end order by n), '{}')
      from jsonb_array_elements(case jsonb_typeof(feedback -> 'questions')
                                  when 'array' then feedback -> 'questions' else '[]' end)
           with ordinality e(q, n)
      left join lateral (
        select case jsonb_typeof(answers) when 'object' then answers -> (q ->> 'question_id') end
      ) x(a) on true;
  end
  $$;

create or replace function lms_private.results_shown(assessment_id uuid)
  returns boolean
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return (select coalesce((
      select case
               when a.review_score = 'immediately' and a.review_correctness = 'immediately'
                and a.review_feedback = 'immediately' then true
               when 'never' in (a.review_score, a.review_correctness, a.review_feedback)
                 then false
               else coalesce((
                 select statement_timestamp() > s.closes_at
                   from lms_private.attempt_schedule(a.id, (select auth.uid())) s), false)
             end
        from public.assessments a
       where a.id = results_shown.assessment_id), false));
  end
  $$;

create or replace function lms_private.audit_actor_role()
  returns text
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return (select case coalesce(nullif(current_setting('role', true), 'none'), session_user::text)
             when 'authenticated' then 'authenticated'
             when 'anon' then 'anon'
             when 'service_role' then 'service'
             else 'system'
           end);
  end
  $$;

create or replace function lms_private.writes_unchecked(tbl oid)
  returns boolean
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return (select coalesce(
      (select r.rolsuper or r.rolbypassrls
              or pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
         from pg_catalog.pg_roles r, pg_catalog.pg_class c
        where r.rolname = current_user and c.oid = tbl),
      false));
  end
  $$;

-- Item responses hardened (found in review of 20261202000011):
-- * the trigger follows a change of an attempt's `student_id` too (a trusted-path fix of
--   whose attempt it is), so that the row stays the right student's (their reads, their
--   GDPR export and erasure); rows that drifted are put right;
-- * `item_responses()` stores null for a number it cannot hold instead of failing the
--   attempt's write (points beyond double precision, points available that are no
--   whole number in 0..2147483647; the library's feedback never has them, a trusted
--   writer's might), and no longer rounds a fractional points available.

create or replace function lms_private.item_responses(feedback jsonb, answers jsonb)
  returns table (question_ids text[], kinds text, points double precision[],
                 max_points integer[], outcomes text, responses text[])
  language sql immutable
  set search_path = pg_catalog, pg_temp
  as $$
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
      ) x(a) on true
  $$;

drop trigger assessment_attempts_item_responses on public.assessment_attempts;
create trigger assessment_attempts_item_responses
  after insert or update of feedback, answers, score, passed, submitted_at, assessment_id,
    course_id, student_id, attempt_number on public.assessment_attempts
  for each row execute function lms_private.keep_item_responses();

update public.assessment_item_responses r set student_id = a.student_id
  from public.assessment_attempts a
 where a.id = r.attempt_id and r.student_id is distinct from a.student_id;

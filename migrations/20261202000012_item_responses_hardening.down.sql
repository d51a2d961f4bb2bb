-- Item responses as 20261202000011 made them: the trigger ignores `student_id` and the
-- casts fail on numbers out of range.

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
           coalesce(array_agg(case jsonb_typeof(q -> 'points_earned')
                                when 'number' then (q ->> 'points_earned')::double precision end
                              order by n), '{}'),
           coalesce(array_agg(case jsonb_typeof(q -> 'max_points')
                                when 'number' then (q ->> 'max_points')::numeric::integer end
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
    course_id, attempt_number on public.assessment_attempts
  for each row execute function lms_private.keep_item_responses();

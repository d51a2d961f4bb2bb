-- The review options' gate on a student's own finished attempts (20261203000020) asked
-- `lms_private.results_shown(assessment_id)` of every such row a query read: a call of
-- a security definer function per row (about 16 µs each), which made a student's
-- dashboard under Row Level Security 2.4× the same read as service_role (benches/rls.rs;
-- the goal is ≤ 1.5×). The policies now ask once per statement for the assessments whose
-- results are hidden from the acting student now — an init plan — and compare each row's
-- assessment with that list. What a student reads is the same: an own finished attempt
-- (and its item responses) while score, correctness and feedback are all shown.

-- the assessments whose options can hide a result: few, found by this index
create index idx_assessments_results_withheld on public.assessments (id)
  where review_score <> 'immediately' or review_correctness <> 'immediately'
     or review_feedback <> 'immediately';

-- The assessments the acting student has attempted whose results
-- (`lms_private.results_shown`: score, correctness and feedback) are hidden from them
-- now, by their own close time. PL/pgSQL, so that its plan is kept for the session (a
-- SQL function's is made again at each call). Nothing a caller learns from it but the
-- assessments of their own attempts and what their options hide.
create function lms_private.results_hidden_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    -- from the few assessments that can hide a result (the partial index), not from
    -- the student's attempts, which may be many
    return (
      with withheld as materialized (
        select a.id from public.assessments a
         where a.review_score <> 'immediately' or a.review_correctness <> 'immediately'
            or a.review_feedback <> 'immediately')
      select coalesce(array_agg(w.id), '{}')
        from withheld w
       where exists (select from public.assessment_attempts t
                      where t.assessment_id = w.id and t.student_id = (select auth.uid()))
         and not lms_private.results_shown(w.id));
  end
  $$;

revoke all on function lms_private.results_hidden_ids() from public, anon, authenticated;
grant execute on function lms_private.results_hidden_ids() to authenticated, service_role;
grant create on schema lms_private to service_role;
alter function lms_private.results_hidden_ids() owner to service_role;
revoke create on schema lms_private from service_role;

-- the policies of 20261203000020, the gate asked once (the cast makes the list an
-- array, not a subquery's rows)
drop policy assessment_attempts_select on public.assessment_attempts;
create policy assessment_attempts_select on public.assessment_attempts for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
    or (student_id = (select auth.uid())
        and (submitted_at is null
             or assessment_id <> all ((select lms_private.results_hidden_ids())::uuid[])))
  );

drop policy assessment_item_responses_select on public.assessment_item_responses;
create policy assessment_item_responses_select on public.assessment_item_responses
  for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
    or (student_id = (select auth.uid())
        and assessment_id <> all ((select lms_private.results_hidden_ids())::uuid[]))
  );

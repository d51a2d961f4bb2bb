-- The review options' gate on a student's own finished attempts (20261203000020) asked
-- `lms_private.results_shown(assessment_id)` of every such row a query read: a call of
-- a security definer function per row (about 16 µs each), which made a student's
-- dashboard under Row Level Security 2.4× the same read as service_role (benches/rls.rs;
-- the goal is ≤ 1.5×). The policies now ask once per statement for the assessments whose
-- results are shown to the acting student now — an init plan — and look each row's
-- assessment up in that list. What a student reads is the same: an own finished attempt
-- (and its item responses) while score, correctness and feedback are all shown.
--
-- A list of what is shown, not of what is hidden: should the claims change between the
-- policy's `auth.uid()` and the list (both asked once, when first needed), the list is
-- another user's or nobody's, and the student's own finished attempts stay hidden
-- rather than shown. And a list from the student's own attempts: its cost is theirs,
-- not that of every assessment of the platform whose options hide results.

-- the assessments a student has submitted attempts at, by an index-only scan
create index idx_assessment_attempts_submitted_by_student
  on public.assessment_attempts (student_id, assessment_id)
  where submitted_at is not null;
-- the assessments whose options can hide a result, probed once per assessment of the
-- student's (usually an empty index: the defaults hide nothing)
create index idx_assessments_results_withheld on public.assessments (id)
  where review_score <> 'immediately' or review_correctness <> 'immediately'
     or review_feedback <> 'immediately';

-- The assessments the acting student has submitted attempts at whose results
-- (`lms_private.results_shown`: score, correctness and feedback) are shown to them now,
-- by their own close time. PL/pgSQL, so that its plan is kept for the session (a SQL
-- function's is made again at each call). Nothing a caller learns from it but the
-- assessments of their own attempts and what their options show.
create function lms_private.results_shown_ids() returns uuid[]
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  begin
    return (
      select coalesce(array_agg(s.assessment_id), '{}')
        from (select distinct t.assessment_id
                from public.assessment_attempts t
               where t.student_id = (select auth.uid()) and t.submitted_at is not null) s
       -- all but those whose options hide a result now (the defaults show everything
       -- at once: no call for them)
       where not exists (
               select from public.assessments a
                where a.id = s.assessment_id
                  and (a.review_score <> 'immediately' or a.review_correctness <> 'immediately'
                       or a.review_feedback <> 'immediately')
                  and not lms_private.results_shown(a.id)));
  end
  $$;

revoke all on function lms_private.results_shown_ids() from public, anon, authenticated;
grant execute on function lms_private.results_shown_ids() to authenticated, service_role;
grant create on schema lms_private to service_role;
alter function lms_private.results_shown_ids() owner to service_role;
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
             or assessment_id = any ((select lms_private.results_shown_ids())::uuid[])))
  );

drop policy assessment_item_responses_select on public.assessment_item_responses;
create policy assessment_item_responses_select on public.assessment_item_responses
  for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
    or (student_id = (select auth.uid())
        and assessment_id = any ((select lms_private.results_shown_ids())::uuid[]))
  );

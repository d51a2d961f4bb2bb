drop view public.attempt_reviews;

-- the policies as 20261126000003 and 20261202000011 left them
drop policy assessment_item_responses_select on public.assessment_item_responses;
create policy assessment_item_responses_select on public.assessment_item_responses
  for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

drop policy assessment_attempts_select on public.assessment_attempts;
create policy assessment_attempts_select on public.assessment_attempts for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

revoke execute on function lms_private.arranged(jsonb, text[], jsonb) from authenticated;
drop function lms_private.reviewed_feedback(jsonb, boolean, boolean, boolean);
drop function lms_private.results_shown(uuid);
drop function lms_private.review_shown(uuid, boolean, boolean);
drop function lms_private.review_reached(text, boolean, timestamptz);

alter table public.assessments
  drop constraint assessments_review_moments,
  drop column review_score,
  drop column review_correctness,
  drop column review_feedback,
  drop column review_answers;

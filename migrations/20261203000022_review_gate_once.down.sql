-- the policies as 20261203000020 left them
drop policy assessment_item_responses_select on public.assessment_item_responses;
create policy assessment_item_responses_select on public.assessment_item_responses
  for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
    or (student_id = (select auth.uid()) and lms_private.results_shown(assessment_id))
  );

drop policy assessment_attempts_select on public.assessment_attempts;
create policy assessment_attempts_select on public.assessment_attempts for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
    or (student_id = (select auth.uid())
        and (submitted_at is null or lms_private.results_shown(assessment_id)))
  );

drop function lms_private.results_shown_ids();
drop index public.idx_assessment_attempts_submitted_by_student;
drop index public.idx_assessments_results_withheld;

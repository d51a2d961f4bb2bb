-- Course grades: a course's grading scheme (lms_core::grading), the document that says
-- how its assessments make its grade — weights per assessment or per group, the lowest
-- grades of a group dropped. The library computes the grades from the assessments'
-- grades (student_progress.best_score) when it reads a gradebook or a dashboard: no
-- grade is stored, none goes stale.
--
-- Missing work (Canvas's missing-submission policy): a late policy may give work not
-- submitted by the close time a grade, `late_missing_percent` (0–100, only as part of a
-- late policy), on the course and on an assessment. It enters the course grade of a
-- student who submitted nothing by their close time (accommodations included); it writes
-- no attempt.
--
-- `courses.grading_scheme` is a document of the library like the others
-- (20261201000008): an API role writes it only with the library's receipt, so a client
-- cannot store a scheme the library would refuse (weights that sum to zero, a group
-- that does not exist, a duplicate). The empty scheme `{}`, the default, is valid by
-- definition and needs none. Who may write it is the courses_update policy: the
-- course's authors and admins. Changes are audited with the course row.

alter table public.courses
  add column grading_scheme jsonb not null default '{}'::jsonb,
  add constraint courses_grading_scheme_object check (jsonb_typeof(grading_scheme) = 'object');

comment on column public.courses.grading_scheme is
  'lms_core::grading::GradingScheme: groups (name, weight, drop_lowest) and assessments '
  '(assessment_id, group, weight); written by API roles only with the library''s receipt';

create function lms_private.gate_course_documents() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if lms_private.writes_unchecked(tg_relid) then
    return new;
  end if;
  if new.grading_scheme::text <> '{}'
     and (tg_op = 'INSERT' or new.grading_scheme::text is distinct from old.grading_scheme::text)
  then
    perform lms_private.take_document_receipt('courses.grading_scheme', new.grading_scheme);
  end if;
  return new;
end;
$$;

create trigger documents_need_receipts
  before insert or update of grading_scheme on public.courses
  for each row execute function lms_private.gate_course_documents();

revoke all on function lms_private.gate_course_documents() from public, anon, authenticated;

-- authoring, as the other course columns (20261126000003)
grant insert (grading_scheme), update (grading_scheme) on table public.courses to authenticated;

alter table public.courses
  add column late_missing_percent numeric(5, 2),
  add constraint courses_late_missing_percent_range
    check (late_missing_percent between 0 and 100),
  add constraint courses_late_missing_with_policy
    check (late_missing_percent is null or late_deduction_percent is not null);
alter table public.assessments
  add column late_missing_percent numeric(5, 2),
  add constraint assessments_late_missing_percent_range
    check (late_missing_percent between 0 and 100),
  add constraint assessments_late_missing_with_policy
    check (late_missing_percent is null or late_deduction_percent is not null);
comment on column public.courses.late_missing_percent is
  'the grade, in percent, of work not submitted by the close time (part of the late policy)';
comment on column public.assessments.late_missing_percent is
  'the grade, in percent, of work not submitted by the close time (part of the late policy)';
-- as the late policy's other columns (20261202000014)
grant select (late_missing_percent), insert (late_missing_percent), update (late_missing_percent)
  on table public.assessments to authenticated;
grant insert (late_missing_percent), update (late_missing_percent)
  on table public.courses to authenticated;

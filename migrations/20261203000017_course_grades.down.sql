drop trigger documents_need_receipts on public.courses;
drop function lms_private.gate_course_documents();
alter table public.courses drop column grading_scheme;
alter table public.courses drop column late_missing_percent;
alter table public.assessments drop column late_missing_percent;

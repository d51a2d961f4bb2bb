create index idx_assessment_attempts_submitted_by_student
  on public.assessment_attempts (student_id, assessment_id)
  where submitted_at is not null;
drop index public.idx_assessment_attempts_history;

-- Back to the index on `course_id` alone.
create index idx_assessment_attempts_course on public.assessment_attempts (course_id);
drop index public.idx_assessment_attempts_course_summary;

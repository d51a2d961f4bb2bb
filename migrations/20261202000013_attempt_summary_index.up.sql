-- The course's attempts as the read models scan them (the gradebook's counts, the
-- students at risk, the activity series), in one index they read without the table's
-- wide rows (answers and feedback): an index-only scan where the visibility map allows.
-- It replaces the index on `course_id` alone, which it leads with (the policies' and the
-- use cases' filters on `course_id` use it the same), so a write of an attempt keeps its
-- number of index entries.
create index idx_assessment_attempts_course_summary on public.assessment_attempts
  (course_id, student_id, assessment_id)
  include (attempt_number, submitted_at, abandoned_at, score, passed, time_spent);
drop index public.idx_assessment_attempts_course;

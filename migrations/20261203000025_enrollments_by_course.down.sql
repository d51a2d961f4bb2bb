-- Back to the index on `course_id` alone.
create index idx_enrollments_course on public.enrollments (course_id);
drop index public.idx_enrollments_course_student;

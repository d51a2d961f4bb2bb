-- A course's progress rows as the read models scan them (the completion funnel, the
-- students at risk), in one index they read without the table: an index-only scan in
-- the order of (lesson, assessment), which the funnel groups by without sorting the
-- course's rows (130,000 of them for a course of 2,000 students and 30 lessons). The
-- spec's index on `course_id` alone stays (it is named there). What this one includes
-- changes at each progress write, so an update of a row is no longer a heap-only (HOT)
-- update: each write also updates the table's other indexes.
create index idx_student_progress_course_subjects on public.student_progress
  (course_id, lesson_id, assessment_id, student_id)
  include (status, time_spent, last_accessed);

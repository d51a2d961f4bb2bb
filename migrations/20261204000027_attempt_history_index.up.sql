-- A student's history at an assessment, read without the table. Every start and
-- submission reads the student's attempts at the assessment (`rows::histories_sql`: the
-- numbers a rule may single out, the graded sums, the best attempt) and the policy of
-- `assessment_attempts` looks at each of them. With only `idx_assessment_attempts_student`
-- (student_id) that read visits every attempt's heap tuple, wide with its answers and
-- feedback: for a student with 1,000 previous attempts, 221 pages and 3.4 ms of a
-- submission's 6–7 ms, where one with a single attempt costs 0.05 ms. This index holds
-- every column that read and the policy ask for (the taught courses by `course_id`, the
-- shown results by `submitted_at`), so the read is an index-only scan: 0.9 ms for 1,200
-- attempts.
--
-- It replaces `idx_assessment_attempts_submitted_by_student` (20261203000022), whose
-- key it leads with: `lms_private.results_shown_ids()` reads the assessments of the
-- student's submitted attempts from it the same way, filtering on the `submitted_at` it
-- includes. An attempt's write keeps its number of indexes; an open attempt is in this
-- one, which the partial index left out.
create index idx_assessment_attempts_history on public.assessment_attempts
  (student_id, assessment_id)
  include (attempt_number, submitted_at, abandoned_at, score, passed, exact_points_earned,
           total_points, course_id);
drop index public.idx_assessment_attempts_submitted_by_student;

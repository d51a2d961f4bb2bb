-- A bigger world for the plans (lms-db/tests/rls.rs) and the RLS bench (benches/rls.rs):
-- 2,000 students and 20 instructors, 200 courses of 10 published lessons with an
-- assessment each, 5 enrollments per student (10,000), one attempt per enrolled student
-- and lesson assessment (100,000), one progress row per enrolled student and lesson
-- (100,000) and the course's completion in each enrollment, as the library keeps them.
-- Run on a freshly migrated, empty database, as a user that bypasses RLS.
insert into auth.users (id, email)
  select gen_random_uuid(), format('u%s@example.org', lpad(g::text, 5, '0'))
    from generate_series(1, 2020) g;
update profiles set role = 'instructor' where email <= 'u00020@example.org';
create temporary table people as
  select id, row_number() over (order by email) as n from profiles;
insert into courses (title, instructor_id, is_published)
  select format('course %s', g), (select id from people where n = 1 + g % 20), true
    from generate_series(0, 199) g;
create temporary table numbered_courses as
  select id, row_number() over (order by title) - 1 as n from courses;
insert into lessons (course_id, title, order_index, is_published)
  select c.id, format('lesson %s', k), k, true
    from numbered_courses c cross join generate_series(0, 9) k;
insert into assessments (lesson_id, title)
  select l.id, 'quiz' from lessons l;
insert into enrollments (student_id, course_id)
  select p.id, c.id
    from people p
    cross join generate_series(0, 4) k
    join numbered_courses c on c.n = (p.n * 7 + k * 40) % 200
   where p.n > 20;
insert into assessment_attempts (assessment_id, student_id, attempt_number, score, passed,
                                 submitted_at)
  select a.id, e.student_id, 1, (random() * 100)::int, random() > 0.3, now()
    from enrollments e
    join lessons l on l.course_id = e.course_id
    join assessments a on a.lesson_id = l.id;
insert into student_progress (student_id, course_id, lesson_id, status,
                              completion_percentage, last_accessed)
  select e.student_id, e.course_id, l.id,
         case when l.order_index < 5 then 'completed' else 'not_started' end::progress_status,
         case when l.order_index < 5 then 100 else 0 end,
         case when l.order_index < 5 then now() - l.order_index * interval '1 day' end
    from enrollments e
    join lessons l on l.course_id = e.course_id;
update enrollments set progress = '{"completed": false, "percent": 50}';
analyze;

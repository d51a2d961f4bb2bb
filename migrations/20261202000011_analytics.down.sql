-- Analytics undone: the item responses and the daily activity go, lesson completions
-- lose their time, and fine-grained progress is again the student's and admins' alone.
drop trigger assessment_attempts_item_responses on public.assessment_attempts;
drop table public.assessment_item_responses;
drop function lms_private.keep_item_responses();
drop function lms_private.item_responses(jsonb, jsonb);
drop trigger learning_progress_activity on public.learning_progress;
drop table public.learning_activity;
drop function lms_private.count_learning_activity();

drop index public.idx_student_progress_course_completed;
drop trigger student_progress_completed_at on public.student_progress;
drop function lms_private.set_progress_completed_at();
alter table public.student_progress drop column completed_at;

drop policy learning_progress_select on public.learning_progress;
create policy learning_progress_select on public.learning_progress for select to authenticated
  using (student_id = (select auth.uid()) or (select lms_private.is_admin()));
drop trigger lessons_follow_block_course on public.lessons;
drop trigger content_blocks_follow_course on public.content_blocks;
drop trigger learning_progress_course_id on public.learning_progress;
drop function lms_private.follow_block_course();
drop function lms_private.set_learning_progress_course_id();
drop function lms_private.block_course_id(uuid);
drop index public.idx_learning_progress_course;
alter table public.learning_progress drop column course_id;

drop trigger if exists on_auth_user_created on auth.users;
drop function if exists public.handle_new_user();

drop table if exists public.learning_progress;
drop table if exists public.personalized_roadmaps;
drop table if exists public.student_progress;
drop table if exists public.assessment_attempts;
drop table if exists public.enrollments;
alter table if exists public.lessons drop constraint if exists lessons_assessment_fkey;
alter table if exists public.courses drop constraint if exists courses_final_assessment_fkey;
drop table if exists public.assessments;
drop table if exists public.content_blocks;
drop table if exists public.lessons;
drop table if exists public.courses;
drop table if exists public.profiles;

drop function if exists public.remove_deleted_prerequisite();
drop function if exists public.check_lesson_prerequisites();
drop function if exists public.update_updated_at_column();

drop type if exists public.progress_status;
drop type if exists public.roadmap_status;
drop type if exists public.content_type;
drop type if exists public.difficulty_level;
drop type if exists public.user_role;

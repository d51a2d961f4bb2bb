-- Roadmaps lose their course (one active roadmap per student again: the newest stays
-- active), and the knowledge models go.
drop table public.knowledge_models;
alter table public.lessons drop constraint lessons_learning_objectives_no_null;
alter table public.courses drop constraint courses_tags_no_null;

drop policy personalized_roadmaps_select on public.personalized_roadmaps;
create policy personalized_roadmaps_select on public.personalized_roadmaps for select to authenticated
  using (student_id = (select auth.uid()) or (select lms_private.is_admin()));

drop index public.personalized_roadmaps_one_active;
update public.personalized_roadmaps r
   set status = 'paused'
 where r.status = 'active'
   and exists (
     select 1 from public.personalized_roadmaps n
      where n.student_id = r.student_id
        and n.status = 'active'
        and (n.generated_at, n.id) > (r.generated_at, r.id));
drop index public.idx_personalized_roadmaps_course;
alter table public.personalized_roadmaps drop column course_id;

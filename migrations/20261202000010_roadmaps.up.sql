-- Personalized roadmaps per course, and the knowledge-tracing parameters of a course.
--
-- 1. A roadmap belongs to a course (`course_id`, the `course_id` of its `roadmap_data`):
--    a student has at most one active roadmap per course (one course-less one too, for
--    roadmaps stored before this migration). The course's instructor reads the
--    roadmaps of their course; students still read only their own, admins all. Nobody
--    but the service writes them (the library's trusted path), as before.
-- 2. Skills are a lesson's `learning_objectives` and a course's `tags`: their arrays hold
--    no null (a direct client could write `array[null]`); nulls already stored are
--    removed.
-- 3. `knowledge_models`: the Bayesian Knowledge Tracing parameters of a course, per
--    skill, or the course's default (`skill` null); fitted by the library from the
--    course's answers or set by its instructor through the library. Read by the
--    course's instructor and admins; written by the service only.

alter table public.personalized_roadmaps
  add column course_id uuid references public.courses (id) on delete cascade;
create index idx_personalized_roadmaps_course on public.personalized_roadmaps (course_id);

-- Roadmaps stored before: their course from their document, when it names one that
-- exists; then, of several active ones per student and course, the newest stays active.
update public.personalized_roadmaps r
   set course_id = c.id
  from public.courses c,
       (select '[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}' as x) h
 where jsonb_typeof(r.roadmap_data->'course_id') = 'string'
   and c.id = case
                -- the forms the uuid input takes (braces in pairs): no cast can fail
                when r.roadmap_data->>'course_id' ~* ('^(\{' || h.x || '\}|' || h.x || ')$')
                then (r.roadmap_data->>'course_id')::uuid
              end;
update public.personalized_roadmaps r
   set status = 'paused'
 where r.status = 'active'
   and exists (
     select 1 from public.personalized_roadmaps n
      where n.student_id = r.student_id
        and n.course_id is not distinct from r.course_id
        and n.status = 'active'
        and (n.generated_at, n.id) > (r.generated_at, r.id));
create unique index personalized_roadmaps_one_active
  on public.personalized_roadmaps (student_id, course_id) nulls not distinct
  where status = 'active';

drop policy personalized_roadmaps_select on public.personalized_roadmaps;
-- The student; the instructor of the roadmap's course; admins.
create policy personalized_roadmaps_select on public.personalized_roadmaps for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

update public.courses set tags = array_remove(tags, null)
 where array_position(tags, null) is not null;
update public.lessons set learning_objectives = array_remove(learning_objectives, null)
 where array_position(learning_objectives, null) is not null;
alter table public.courses
  add constraint courses_tags_no_null check (array_position(tags, null) is null);
alter table public.lessons
  add constraint lessons_learning_objectives_no_null
  check (array_position(learning_objectives, null) is null);

create table public.knowledge_models (
  id uuid primary key default gen_random_uuid(),
  course_id uuid not null references public.courses (id) on delete cascade,
  skill text,
  prior double precision not null,
  learn double precision not null,
  guess double precision not null,
  slip double precision not null,
  forget double precision not null default 0,
  -- what a fit saw (null when set by hand)
  answers integer,
  log_likelihood double precision,
  fitted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint knowledge_models_course_skill_key unique nulls not distinct (course_id, skill),
  constraint knowledge_models_skill_not_blank check (skill is null or btrim(skill) <> ''),
  constraint knowledge_models_skill_length check (skill is null or char_length(skill) <= 64),
  constraint knowledge_models_probabilities check (
    prior between 0 and 1 and learn between 0 and 1 and forget between 0 and 1
    and guess >= 0 and guess < 0.5 and slip >= 0 and slip < 0.5),
  constraint knowledge_models_answers_non_negative check (answers is null or answers >= 0)
);
comment on table public.knowledge_models is
  'lms: Bayesian Knowledge Tracing parameters of a course, per skill (skill null: the course default)';

create trigger update_knowledge_models_updated_at before update on public.knowledge_models
  for each row execute function public.update_updated_at_column();
create trigger audit_row_change after insert or update or delete on public.knowledge_models
  for each row execute function lms_private.audit_row_change();

revoke all on table public.knowledge_models from public, anon, authenticated;
grant all on table public.knowledge_models to service_role;
grant select on table public.knowledge_models to authenticated;
alter table public.knowledge_models enable row level security;
alter table public.knowledge_models force row level security;
create policy knowledge_models_select on public.knowledge_models for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

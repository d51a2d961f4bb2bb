-- The data model of the spec (shared/spec/schema.md): five enums, ten tables, their keys,
-- constraints, indexes and triggers. Row Level Security comes in a later migration.
--
-- Deliberate ON DELETE behaviour:
-- * deleting a user (auth.users) deletes the profile and every personal row with it:
--   enrollments, attempts, progress, roadmaps, learning progress (cascade);
-- * a profile that still owns courses cannot be deleted (courses.instructor_id is
--   `restrict`): its courses must first be handed to a successor;
-- * deleting a course deletes its lessons, blocks, assessments, attempts, enrollments and
--   progress (cascade); deleting a lesson deletes its blocks and assessments and removes
--   it from its sibling lessons' `prerequisites`;
-- * deleting an assessment clears `lessons.assessment_id` / `courses.final_assessment_id`
--   (set null) and deletes its attempts and progress rows.
--
-- Constraint names are part of the API: lms-db maps them to typed errors.

create type public.user_role as enum ('student', 'instructor', 'admin');
create type public.difficulty_level as enum ('beginner', 'intermediate', 'advanced');
create type public.content_type as enum ('rich_text', 'image', 'video', 'file', 'youtube');
create type public.roadmap_status as enum ('active', 'completed', 'paused');
create type public.progress_status as enum ('not_started', 'in_progress', 'completed', 'blocked');

-- One trigger function keeps every `updated_at` current.
create function public.update_updated_at_column() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  new.updated_at = now();
  return new;
end;
$$;

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  -- nullable: Supabase users who sign up by phone have no e-mail address
  email text,
  role public.user_role not null default 'student',
  first_name text,
  last_name text,
  avatar_url text,
  learning_preferences jsonb,
  knowledge_profile jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_email_not_blank check (email is null or btrim(email) <> ''),
  constraint profiles_learning_preferences_object
    check (learning_preferences is null or jsonb_typeof(learning_preferences) = 'object'),
  constraint profiles_knowledge_profile_object check (jsonb_typeof(knowledge_profile) = 'object')
);
-- the spec's idx_profiles_email, unique: one profile per e-mail address
create unique index idx_profiles_email on public.profiles (email);
create index idx_profiles_role on public.profiles (role);

create table public.courses (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  description text,
  instructor_id uuid not null references public.profiles (id) on delete restrict,
  final_assessment_id uuid,
  tags text[] not null default '{}',
  difficulty_level public.difficulty_level,
  estimated_duration integer,
  is_published boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint courses_title_not_blank check (btrim(title) <> ''),
  constraint courses_estimated_duration_positive check (estimated_duration > 0)
);
comment on column public.courses.estimated_duration is 'minutes';
create index idx_courses_instructor on public.courses (instructor_id);
create index idx_courses_final_assessment on public.courses (final_assessment_id, id);
create index idx_courses_published on public.courses (is_published) where is_published;
create index idx_courses_tags on public.courses using gin (tags);

create table public.lessons (
  id uuid primary key default gen_random_uuid(),
  course_id uuid not null references public.courses (id) on delete cascade,
  title text not null,
  description text,
  order_index integer not null,
  learning_objectives text[] not null default '{}',
  estimated_duration integer,
  assessment_id uuid,
  prerequisites uuid[] not null default '{}',
  is_published boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lessons_title_not_blank check (btrim(title) <> ''),
  constraint lessons_order_index_non_negative check (order_index >= 0),
  constraint lessons_estimated_duration_positive check (estimated_duration > 0),
  constraint lessons_not_own_prerequisite check (not (id = any (prerequisites))),
  -- the spec's idx_lessons_order; deferrable so a reorder can swap positions in one
  -- transaction (`set constraints idx_lessons_order deferred`)
  constraint idx_lessons_order unique (course_id, order_index) deferrable initially immediate
);
comment on column public.lessons.estimated_duration is 'minutes';
comment on column public.lessons.prerequisites is
  'ids of lessons of the same course to complete first (checked by trigger)';
create index idx_lessons_course on public.lessons (course_id);
create index idx_lessons_assessment on public.lessons (assessment_id, id);

create table public.content_blocks (
  id uuid primary key default gen_random_uuid(),
  lesson_id uuid not null references public.lessons (id) on delete cascade,
  type public.content_type not null,
  content jsonb not null,
  order_index integer not null,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint content_blocks_content_object check (jsonb_typeof(content) = 'object'),
  constraint content_blocks_metadata_object check (jsonb_typeof(metadata) = 'object'),
  constraint content_blocks_order_index_non_negative check (order_index >= 0),
  -- the spec's idx_content_blocks_order, deferrable for atomic reordering
  constraint idx_content_blocks_order unique (lesson_id, order_index)
    deferrable initially immediate
);
create index idx_content_blocks_lesson on public.content_blocks (lesson_id);

create table public.assessments (
  id uuid primary key default gen_random_uuid(),
  lesson_id uuid references public.lessons (id) on delete cascade,
  course_id uuid references public.courses (id) on delete cascade,
  title text not null,
  description text,
  questions jsonb not null default '[]'::jsonb,
  ai_generated boolean not null default false,
  source_content_ids uuid[] not null default '{}',
  is_mandatory boolean not null default true,
  minimum_passing_score integer not null default 70,
  max_attempts integer,
  time_limit integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint assessments_title_not_blank check (btrim(title) <> ''),
  constraint assessments_lesson_xor_course check (num_nonnulls(lesson_id, course_id) = 1),
  constraint assessments_questions_array check (jsonb_typeof(questions) = 'array'),
  constraint assessments_minimum_passing_score_range
    check (minimum_passing_score between 0 and 100),
  constraint assessments_max_attempts_positive check (max_attempts > 0),
  constraint assessments_time_limit_positive check (time_limit > 0),
  -- targets of the composite foreign keys below: a lesson's assessment must belong to
  -- that lesson, a course's final assessment to that course
  constraint assessments_id_lesson_key unique (id, lesson_id),
  constraint assessments_id_course_key unique (id, course_id)
);
comment on column public.assessments.time_limit is 'minutes; null means untimed';
comment on column public.assessments.max_attempts is 'null means unlimited';
create index idx_assessments_lesson on public.assessments (lesson_id);
create index idx_assessments_course on public.assessments (course_id);

alter table public.lessons
  add constraint lessons_assessment_fkey foreign key (assessment_id, id)
    references public.assessments (id, lesson_id) on delete set null (assessment_id);
alter table public.courses
  add constraint courses_final_assessment_fkey foreign key (final_assessment_id, id)
    references public.assessments (id, course_id) on delete set null (final_assessment_id);

create table public.enrollments (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.profiles (id) on delete cascade,
  course_id uuid not null references public.courses (id) on delete cascade,
  enrolled_at timestamptz not null default now(),
  completed_at timestamptz,
  progress jsonb not null default '{}'::jsonb,
  constraint enrollments_student_course_key unique (student_id, course_id),
  constraint enrollments_completed_after_enrolled check (completed_at >= enrolled_at),
  constraint enrollments_progress_object check (jsonb_typeof(progress) = 'object')
);
create index idx_enrollments_course on public.enrollments (course_id);

create table public.assessment_attempts (
  id uuid primary key default gen_random_uuid(),
  assessment_id uuid not null references public.assessments (id) on delete cascade,
  student_id uuid not null references public.profiles (id) on delete cascade,
  attempt_number integer not null,
  answers jsonb not null default '{}'::jsonb,
  score integer,
  points_earned integer,
  total_points integer,
  passed boolean,
  time_spent integer,
  started_at timestamptz not null default now(),
  submitted_at timestamptz,
  feedback jsonb,
  constraint assessment_attempts_attempt_number_positive check (attempt_number >= 1),
  constraint assessment_attempts_number_key unique (assessment_id, student_id, attempt_number),
  constraint assessment_attempts_score_range check (score between 0 and 100),
  constraint assessment_attempts_points_earned_non_negative check (points_earned >= 0),
  constraint assessment_attempts_total_points_non_negative check (total_points >= 0),
  constraint assessment_attempts_points_within_total check (points_earned <= total_points),
  constraint assessment_attempts_time_spent_non_negative check (time_spent >= 0),
  constraint assessment_attempts_submitted_after_started check (submitted_at >= started_at),
  constraint assessment_attempts_answers_object check (jsonb_typeof(answers) = 'object')
);
comment on column public.assessment_attempts.time_spent is 'seconds';
create index idx_assessment_attempts_student on public.assessment_attempts (student_id);
create index idx_assessment_attempts_assessment
  on public.assessment_attempts (assessment_id, student_id);

create table public.student_progress (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.profiles (id) on delete cascade,
  course_id uuid not null references public.courses (id) on delete cascade,
  lesson_id uuid references public.lessons (id) on delete cascade,
  assessment_id uuid references public.assessments (id) on delete cascade,
  status public.progress_status not null default 'not_started',
  completion_percentage integer not null default 0,
  last_accessed timestamptz,
  time_spent integer not null default 0,
  attempts_count integer not null default 0,
  best_score integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint student_progress_completion_percentage_range
    check (completion_percentage between 0 and 100),
  constraint student_progress_time_spent_non_negative check (time_spent >= 0),
  constraint student_progress_attempts_count_non_negative check (attempts_count >= 0),
  constraint student_progress_best_score_range check (best_score between 0 and 100),
  -- one row per thing tracked: (student, course, lesson?, assessment?)
  constraint student_progress_subject_key
    unique nulls not distinct (student_id, course_id, lesson_id, assessment_id)
);
comment on column public.student_progress.time_spent is 'seconds';
create index idx_student_progress_student on public.student_progress (student_id);
create index idx_student_progress_course on public.student_progress (course_id);
create index idx_student_progress_lesson on public.student_progress (lesson_id);
create index idx_student_progress_assessment on public.student_progress (assessment_id);

create table public.personalized_roadmaps (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.profiles (id) on delete cascade,
  roadmap_data jsonb not null default '{}'::jsonb,
  ai_reasoning text,
  status public.roadmap_status not null default 'active',
  generated_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint personalized_roadmaps_data_object check (jsonb_typeof(roadmap_data) = 'object')
);
create index idx_personalized_roadmaps_student on public.personalized_roadmaps (student_id);

create table public.learning_progress (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.profiles (id) on delete cascade,
  content_id uuid not null,
  content_type text not null,
  progress_data jsonb not null default '{}'::jsonb,
  completed_at timestamptz,
  time_spent integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint learning_progress_student_content_key unique (student_id, content_id),
  constraint learning_progress_content_type_not_blank check (btrim(content_type) <> ''),
  constraint learning_progress_time_spent_non_negative check (time_spent >= 0),
  constraint learning_progress_data_object check (jsonb_typeof(progress_data) = 'object')
);
comment on column public.learning_progress.time_spent is 'seconds';
create index idx_learning_progress_student on public.learning_progress (student_id);

-- updated_at on every table that has the column
do $$
declare
  t text;
begin
  foreach t in array array['profiles', 'courses', 'lessons', 'content_blocks', 'assessments',
                           'student_progress', 'personalized_roadmaps', 'learning_progress'] loop
    execute format(
      'create trigger update_%1$s_updated_at before update on public.%1$I '
      'for each row execute function public.update_updated_at_column()', t);
  end loop;
end
$$;

-- A lesson's prerequisites are lessons of the same course, and the prerequisite graph
-- stays acyclic. lms-core checks both on write and names the cycle; this guard keeps
-- foreign ids and cycles out whatever the writer (a direct SQL client, say).
create function public.check_lesson_prerequisites() returns trigger
  language plpgsql
  set search_path = ''
  as $$
declare
  foreign_ids uuid[];
begin
  select coalesce(array_agg(p), '{}') into foreign_ids
  from unnest(new.prerequisites) as p
  where not exists (
    select 1 from public.lessons l where l.id = p and l.course_id = new.course_id
  );
  if cardinality(foreign_ids) > 0 then
    raise exception 'prerequisites % are not lessons of course %', foreign_ids, new.course_id
      using errcode = '23503', constraint = 'lessons_prerequisites_same_course';
  end if;
  -- a cycle: the new row is reachable from one of its own prerequisites (a lesson naming
  -- itself is left to the check constraint lessons_not_own_prerequisite)
  if not (new.id = any (new.prerequisites)) and exists (
    with recursive reachable(id) as (
      select unnest(new.prerequisites)
      union
      select unnest(l.prerequisites)
        from public.lessons l join reachable r on l.id = r.id
       where l.id <> new.id
    )
    select 1 from reachable where id = new.id
  ) then
    raise exception 'prerequisites of lesson % would form a cycle', new.id
      using errcode = '23514', constraint = 'lessons_prerequisites_acyclic';
  end if;
  return new;
end;
$$;
create trigger lessons_prerequisites_same_course
  before insert or update of prerequisites, course_id on public.lessons
  for each row when (cardinality(new.prerequisites) > 0)
  execute function public.check_lesson_prerequisites();

-- A deleted lesson is no longer anybody's prerequisite.
create function public.remove_deleted_prerequisite() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  update public.lessons
     set prerequisites = array_remove(prerequisites, old.id)
   where course_id = old.course_id and old.id = any (prerequisites);
  return old;
end;
$$;
create trigger lessons_remove_deleted_prerequisite
  after delete on public.lessons
  for each row execute function public.remove_deleted_prerequisite();

-- A new auth user gets a student profile.
create function public.handle_new_user() returns trigger
  language plpgsql
  security definer
  set search_path = ''
  as $$
begin
  insert into public.profiles (id, email, role)
  values (new.id, new.email, 'student');
  return new;
end;
$$;
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.handle_new_user();

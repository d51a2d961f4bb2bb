-- Row Level Security: the database itself decides who sees and changes what.
--
-- Clients of a Supabase database talk to PostgreSQL directly (PostgREST, or SQL) with the
-- `anon` or `authenticated` role and the user's JWT claims in `request.jwt.claims`, so
-- what follows is the security boundary, not a convenience. Three layers work together:
--
-- 1. GRANTs say which columns a role may touch at all. Everything is first revoked from
--    `anon` and `authenticated` (Supabase grants them ALL through default privileges),
--    then exactly what the product allows is granted back, column by column where needed.
--    Nothing a user computes is trusted: scores, `passed`, feedback, `student_progress`,
--    enrollment completion (`completed_at`, `progress`), roadmaps, learning progress and
--    knowledge profiles are never writable by `anon` / `authenticated`; nor are owner
--    columns (`profiles.id`/`role`/`email`, `courses.instructor_id`,
--    `enrollments.student_id`) once a row exists. `assessments.questions` (the answer
--    keys) is not even readable: questions are read through `public.assessment_questions`.
-- 2. Policies (RLS enabled and FORCED on every table, so a non-superuser table owner, a
--    view or a function it owns, cannot slip past) say which rows. Every policy names its
--    role (`to anon` / `to authenticated`), there is one permissive policy per table,
--    command and role, `auth.uid()` and the helpers are wrapped in `(select …)` so they
--    are evaluated once per statement, and every column a policy filters on is indexed.
-- 3. Helpers in the non-exposed schema `lms_private` (PostgREST exposes `public` only):
--    `security definer`, `stable`, `set search_path = ''`, owned by `service_role` (which
--    bypasses RLS, also where the migrating user does not), execute granted only to the
--    roles whose policies call them. Role look-ups go through them, which is what keeps a
--    policy on `profiles` from querying `profiles` under RLS again (42P17, infinite
--    recursion).
--
-- THE TRUSTED PATH. The Rust library runs each use case in one transaction:
--     set local role authenticated;
--     select set_config('request.jwt.claims', '{"sub":"<uid>","role":"authenticated"}', true);
--     -- read what the actor may see, under RLS; lms-core decides
--     set local role service_role;
--     -- write the computed results (scores, progress, completion, roadmaps…)
-- `service_role` has BYPASSRLS and full privileges. A user connected as `authenticated`
-- cannot make that switch: `authenticated` is not a member of `service_role`, and SET ROLE
-- checks the session user's memberships. The library's session user (the migrating user)
-- must be able to `set role` to `anon`, `authenticated` and `service_role`: this
-- migration grants it membership of the three when it is neither a superuser nor already
-- a member (Supabase's `postgres` already is). Memberships are cluster-wide, like the
-- roles: the down migration leaves them.
--
-- Who is who: `anon` (no JWT), `authenticated` with `profiles.role` student, instructor
-- or admin, `service_role` (the trusted path; Supabase's service key). docs/security.md
-- has the full matrix, generated from lms-db/tests/rls.rs.

-- ---------------------------------------------------------------------------------------
-- Preconditions: the trusted path's roles.

do $$
declare
  r text;
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'service_role' and rolbypassrls) then
    raise exception 'role service_role must have BYPASSRLS (the trusted path writes through it)';
  end if;
  if pg_catalog.pg_has_role('authenticated', 'service_role', 'member')
     or pg_catalog.pg_has_role('anon', 'service_role', 'member') then
    raise exception 'anon and authenticated must not be members of service_role';
  end if;
  if not (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
    foreach r in array array['anon', 'authenticated', 'service_role'] loop
      if not pg_catalog.pg_has_role(current_user, r, 'member') then
        begin
          execute format('grant %I to %I', r, current_user);
        exception when insufficient_privilege then
          raise exception 'the migrating user % must be able to set role %', current_user, r
            using hint = format('as a superuser: grant %I to %I', r, current_user);
        end;
      end if;
    end loop;
  end if;
end
$$;

-- ---------------------------------------------------------------------------------------
-- Helpers. All `security definer` with an empty search_path (every name qualified), so
-- they read the tables as their owner `service_role`, past RLS, and no caller can
-- redirect a name. Each returns only facts about the caller (`auth.uid()`) or the
-- public catalog, never other users' rows.

create schema lms_private;
comment on schema lms_private is
  'lms: helpers of the row level security policies; not exposed through PostgREST';
grant usage on schema lms_private to anon, authenticated, service_role;

-- FAST POLICIES. A policy calls a helper once per statement (`(select …)`: an InitPlan,
-- or the hashed subplan of `col in (select …)`), but that once is on every query, so the
-- helpers must be cheap:
-- * PL/pgSQL, not SQL: a SECURITY DEFINER SQL function is never inlined, and before
--   PostgreSQL 18 its body is parsed and planned again on every call; PL/pgSQL keeps the
--   plan of each statement for the session. The queries read `auth.uid()` inline (no
--   variables, so no parameters): their plan is generic from the first call, not re-made
--   per call as a custom plan.
-- * Index paths only: a helper starts from the caller's few rows (`courses.instructor_id`,
--   `enrollments.student_id`) and reaches the rows under them through `cross join
--   lateral (… offset 0)`, a nested loop over an index per outer row, or through
--   `col = any (array(…))`, one index scan for all of them, which on small tables the
--   planner would otherwise replace by a hash join over a full scan.
-- * Few calls per policy: `readable_lesson_ids()` and `member_course_ids()` answer in one
--   call what took two; the attempts policy filters on `assessment_attempts.course_id`
--   (kept by a trigger, below) with `taught_course_ids()`, instead of the set of every
--   assessment of every course the caller teaches.

-- The caller's role, null for anon or a user without a profile.
create function lms_private.current_user_role() returns public.user_role
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  return (select p.role from public.profiles p where p.id = auth.uid());
end;
$$;

create function lms_private.is_admin() returns boolean
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  return coalesce((select p.role = 'admin' from public.profiles p where p.id = auth.uid()),
                  false);
end;
$$;

-- Courses the caller teaches (instructor_id), whatever their role now.
create function lms_private.taught_course_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 20
  as $$
begin
  return query select c.id from public.courses c where c.instructor_id = auth.uid();
end;
$$;

-- Courses the caller is enrolled in, published or not.
create function lms_private.enrolled_course_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 20
  as $$
begin
  return query select e.course_id from public.enrollments e where e.student_id = auth.uid();
end;
$$;

-- Courses the caller teaches or is enrolled in (duplicates possible).
create function lms_private.member_course_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 20
  as $$
begin
  return query
    select c.id from public.courses c where c.instructor_id = auth.uid()
    union all
    select e.course_id from public.enrollments e where e.student_id = auth.uid();
end;
$$;

-- The public catalog: published courses.
create function lms_private.published_course_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 100
  as $$
begin
  return query select c.id from public.courses c where c.is_published;
end;
$$;

-- Lessons of the courses the caller teaches (drafts included).
create function lms_private.taught_lesson_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 100
  as $$
begin
  return query
    select l.id
      from public.courses c
     cross join lateral (
       select l.id from public.lessons l where l.course_id = c.id offset 0
     ) l
     where c.instructor_id = auth.uid();
end;
$$;

-- Lessons whose content the caller reads: every lesson of the courses they teach (drafts
-- included), the published lessons of the courses they are enrolled in (duplicates
-- possible).
create function lms_private.readable_lesson_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 100
  as $$
begin
  -- `= any (array(…))`: one scan of idx_lessons_course for all the caller's courses
  -- (about 30% cheaper than a lateral index scan per course).
  return query
    select l.id
      from public.lessons l
     where l.course_id = any (array(
             select c.id from public.courses c where c.instructor_id = auth.uid()))
    union all
    select l.id
      from public.lessons l
     where l.course_id = any (array(
             select e.course_id from public.enrollments e where e.student_id = auth.uid()))
       and l.is_published;
end;
$$;

-- Students enrolled in the courses the caller teaches: whose profiles an instructor sees
-- (duplicates possible).
create function lms_private.taught_student_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 100
  as $$
begin
  return query
    select e.student_id
      from public.courses c
     cross join lateral (
       select e.student_id from public.enrollments e where e.course_id = c.id offset 0
     ) e
     where c.instructor_id = auth.uid();
end;
$$;

-- assessment_attempts.course_id: the course of the attempt's assessment (a lesson's
-- assessment has course_id null: its course is its lesson's), so that the attempts policy
-- filters on an indexed column with taught_course_ids(). Not null, set by this BEFORE
-- trigger on every insert and on every update naming assessment_id or course_id, whatever
-- the statement says, and followed when an assessment or a lesson changes course: no one
-- writes it.
alter table public.assessment_attempts
  add column course_id uuid references public.courses (id) on delete cascade;
comment on column public.assessment_attempts.course_id is
  'course of the assessment (derived by trigger; for the row level security policy)';

create function lms_private.assessment_course_id(assessment_id uuid) returns uuid
  language plpgsql stable security definer
  set search_path = ''
  as $$
begin
  return (select coalesce(a.course_id, l.course_id)
            from public.assessments a
            left join public.lessons l on l.id = a.lesson_id
           where a.id = assessment_course_id.assessment_id);
end;
$$;

create function lms_private.set_attempt_course_id() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  new.course_id := lms_private.assessment_course_id(new.assessment_id);
  return new;
end;
$$;

create function lms_private.follow_assessment_course() returns trigger
  language plpgsql security definer
  set search_path = ''
  as $$
begin
  if tg_table_name = 'assessments' then
    update public.assessment_attempts t
       set course_id = lms_private.assessment_course_id(new.id)
     where t.assessment_id = new.id;
  else
    update public.assessment_attempts t
       set course_id = new.course_id
      from public.assessments a
     where a.lesson_id = new.id and t.assessment_id = a.id;
  end if;
  return null;
end;
$$;

update public.assessment_attempts t
   set course_id = lms_private.assessment_course_id(t.assessment_id);
alter table public.assessment_attempts alter column course_id set not null;
create index idx_assessment_attempts_course on public.assessment_attempts (course_id);

create trigger assessment_attempts_course_id
  before insert or update of assessment_id, course_id on public.assessment_attempts
  for each row execute function lms_private.set_attempt_course_id();
create trigger assessments_follow_course
  after update of lesson_id, course_id on public.assessments
  for each row when (old.lesson_id is distinct from new.lesson_id
                     or old.course_id is distinct from new.course_id)
  execute function lms_private.follow_assessment_course();
create trigger lessons_follow_course
  after update of course_id on public.lessons
  for each row when (old.course_id is distinct from new.course_id)
  execute function lms_private.follow_assessment_course();

-- A question document without its answer keys: drops `correct`, `accepted`, `rubric`,
-- `explanation` from each question and `fraction` (and `correct`, `explanation`,
-- `feedback`) from each option; keeps `id`, `type`, `prompt`, `points`, `options[].id`,
-- `options[].text`, `case_sensitive` and anything else. The one place answer keys are
-- stripped.
create function lms_private.strip_answer_keys(questions jsonb) returns jsonb
  language sql immutable strict parallel safe
  set search_path = ''
  as $$
    select coalesce(
      jsonb_agg(
        case
          when jsonb_typeof(q) <> 'object' then q
          when jsonb_typeof(q -> 'options') = 'array' then
            (q - array['correct', 'accepted', 'rubric', 'explanation'])
            || jsonb_build_object('options', (
                 select coalesce(
                   jsonb_agg(
                     case when jsonb_typeof(o) = 'object'
                          then o - array['fraction', 'correct', 'explanation', 'feedback']
                          else o end
                     order by i),
                   '[]'::jsonb)
                   from jsonb_array_elements(q -> 'options') with ordinality as opts(o, i)))
          else q - array['correct', 'accepted', 'rubric', 'explanation']
        end
        order by n),
      '[]'::jsonb)
    from jsonb_array_elements(questions) with ordinality as qs(q, n)
  $$;

-- The questions of an assessment as the caller may see them: the full document (answer
-- keys included) for the course's instructor and admins; stripped for a student who may
-- see the assessment (enrolled in its course, and its lesson published, the same rule as
-- the assessments policy) — for a timed assessment only while the student has an attempt
-- open, so the clock runs from the moment the questions are seen; null otherwise,
-- whether the assessment exists or not.
create function lms_private.assessment_questions(assessment_id uuid) returns jsonb
  language sql stable security definer
  set search_path = ''
  as $$
    select case
             when lms_private.is_admin()
               or x.course_id in (select lms_private.taught_course_ids())
               then x.questions
             when x.course_id in (select lms_private.enrolled_course_ids())
              and (x.lesson_id is null or x.lesson_published)
              and (x.time_limit is null or exists (
                    select 1 from public.assessment_attempts t
                     where t.assessment_id = assessment_questions.assessment_id
                       and t.student_id = (select auth.uid())
                       and t.submitted_at is null))
               then lms_private.strip_answer_keys(x.questions)
           end
      from (
        select a.questions, a.lesson_id, a.time_limit, l.is_published as lesson_published,
               coalesce(a.course_id, l.course_id) as course_id
          from public.assessments a
          left join public.lessons l on l.id = a.lesson_id
         where a.id = assessment_questions.assessment_id
      ) x
  $$;

-- An admin changes ANOTHER user's role (how instructors are promoted). Nobody changes
-- their own role: the column grant on profiles.role is withheld from authenticated.
create function lms_private.set_user_role(user_id uuid, new_role public.user_role) returns void
  language plpgsql volatile security definer
  set search_path = ''
  as $$
begin
  if not lms_private.is_admin() then
    raise exception 'only an admin may change a role' using errcode = '42501';
  end if;
  if set_user_role.user_id = auth.uid() then
    raise exception 'no one may change their own role' using errcode = '42501';
  end if;
  update public.profiles p set role = set_user_role.new_role where p.id = set_user_role.user_id;
  if not found then
    raise exception 'no profile %', set_user_role.user_id using errcode = 'P0002';
  end if;
end;
$$;

-- Execute: only the roles whose policies or API need each helper.
revoke all on all functions in schema lms_private from public, anon, authenticated;
grant execute on function lms_private.published_course_ids() to anon, authenticated, service_role;
grant execute on function
  lms_private.current_user_role(), lms_private.is_admin(),
  lms_private.taught_course_ids(), lms_private.enrolled_course_ids(),
  lms_private.member_course_ids(), lms_private.taught_lesson_ids(),
  lms_private.readable_lesson_ids(), lms_private.taught_student_ids(),
  lms_private.strip_answer_keys(jsonb),
  lms_private.assessment_questions(uuid), lms_private.set_user_role(uuid, public.user_role)
  to authenticated, service_role;

-- Owned by service_role (BYPASSRLS): the helpers must see every row even when the
-- migrating user is an ordinary table owner, whom FORCE ROW LEVEL SECURITY subjects to
-- the policies. Changing the owner needs CREATE on the schema for the new owner, only
-- for the moment.
grant create on schema lms_private to service_role;
do $$
declare
  f regprocedure;
begin
  for f in
    select p.oid::regprocedure from pg_catalog.pg_proc p
     where p.pronamespace = 'lms_private'::regnamespace
  loop
    execute format('alter function %s owner to service_role', f);
  end loop;
end
$$;
revoke create on schema lms_private from service_role;

-- The API (PostgREST exposes `public` functions as RPC): thin security-invoker wrappers.
create function public.assessment_questions(assessment_id uuid) returns jsonb
  language sql stable
  set search_path = ''
  as $$
    select lms_private.assessment_questions(assessment_id)
  $$;
comment on function public.assessment_questions(uuid) is
  'questions of an assessment: with answer keys for its instructor and admins, stripped '
  'for its students, null for anyone else';

create function public.set_user_role(user_id uuid, new_role public.user_role) returns void
  language sql volatile
  set search_path = ''
  as $$
    select lms_private.set_user_role(user_id, new_role)
  $$;
comment on function public.set_user_role(uuid, public.user_role) is
  'an admin sets another user''s role';

revoke all on function public.assessment_questions(uuid) from public, anon, authenticated;
revoke all on function public.set_user_role(uuid, public.user_role) from public, anon, authenticated;
grant execute on function public.assessment_questions(uuid) to authenticated, service_role;
grant execute on function public.set_user_role(uuid, public.user_role) to authenticated, service_role;

-- The sign-up trigger function writes profiles as its owner: where that owner is subject
-- to RLS (neither superuser nor BYPASSRLS), hand it to service_role as well.
do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles r
                  where r.oid = (select proowner from pg_catalog.pg_proc
                                  where oid = 'public.handle_new_user()'::regprocedure)
                    and (r.rolsuper or r.rolbypassrls)) then
    grant create on schema public to service_role;
    alter function public.handle_new_user() owner to service_role;
    revoke create on schema public from service_role;
  end if;
end
$$;

-- ---------------------------------------------------------------------------------------
-- Grants. Start from nothing (Supabase's default privileges grant ALL to anon and
-- authenticated on every new table of `public`), then grant back exactly what the
-- policies below may allow. service_role: everything.

revoke all on table
  public.profiles, public.courses, public.lessons, public.content_blocks,
  public.assessments, public.enrollments, public.assessment_attempts,
  public.student_progress, public.personalized_roadmaps, public.learning_progress
  from public, anon, authenticated;
grant all on table
  public.profiles, public.courses, public.lessons, public.content_blocks,
  public.assessments, public.enrollments, public.assessment_attempts,
  public.student_progress, public.personalized_roadmaps, public.learning_progress
  to service_role;

-- anon: the catalog. Published courses, and the outline of their published lessons.
grant select on table public.courses to anon;
grant select (id, course_id, title, description, order_index, learning_objectives,
              estimated_duration)
  on table public.lessons to anon;

-- authenticated: reading (rows filtered by the policies)
grant select on table
  public.profiles, public.courses, public.lessons, public.content_blocks,
  public.enrollments, public.assessment_attempts, public.student_progress,
  public.personalized_roadmaps, public.learning_progress
  to authenticated;
-- every column of assessments but `questions` (answer keys): see assessment_questions()
grant select (id, lesson_id, course_id, title, description, ai_generated,
              source_content_ids, is_mandatory, minimum_passing_score, max_attempts,
              time_limit, created_at, updated_at)
  on table public.assessments to authenticated;

-- authenticated: one's own profile, but not id, email, role or knowledge_profile
grant update (first_name, last_name, avatar_url, learning_preferences)
  on table public.profiles to authenticated;

-- authenticated: authoring (instructors their own courses, admins any). Owner and parent
-- columns are set on insert and never updated.
grant insert (id, title, description, instructor_id, tags, difficulty_level,
              estimated_duration, is_published)
  on table public.courses to authenticated;
grant update (title, description, final_assessment_id, tags, difficulty_level,
              estimated_duration, is_published)
  on table public.courses to authenticated;
grant delete on table public.courses to authenticated;

grant insert (id, course_id, title, description, order_index, learning_objectives,
              estimated_duration, prerequisites, is_published)
  on table public.lessons to authenticated;
grant update (title, description, order_index, learning_objectives, estimated_duration,
              assessment_id, prerequisites, is_published)
  on table public.lessons to authenticated;
grant delete on table public.lessons to authenticated;

grant insert (id, lesson_id, type, content, order_index, metadata)
  on table public.content_blocks to authenticated;
grant update (type, content, order_index, metadata)
  on table public.content_blocks to authenticated;
grant delete on table public.content_blocks to authenticated;

grant insert (id, lesson_id, course_id, title, description, questions, ai_generated,
              source_content_ids, is_mandatory, minimum_passing_score, max_attempts,
              time_limit)
  on table public.assessments to authenticated;
grant update (title, description, questions, ai_generated, source_content_ids,
              is_mandatory, minimum_passing_score, max_attempts, time_limit)
  on table public.assessments to authenticated;
grant delete on table public.assessments to authenticated;

-- authenticated: enrolling oneself (never completed_at / progress / enrolled_at), leaving
grant insert (student_id, course_id) on table public.enrollments to authenticated;
grant delete on table public.enrollments to authenticated;

-- assessment_attempts, student_progress, personalized_roadmaps, learning_progress:
-- read-only for authenticated. Attempts are started, answered and graded by the library
-- (attempt limits, time limits, scoring) through the trusted path.

-- ---------------------------------------------------------------------------------------
-- Row Level Security on every table, forced.

do $$
declare
  t text;
begin
  foreach t in array array['profiles', 'courses', 'lessons', 'content_blocks', 'assessments',
                           'enrollments', 'assessment_attempts', 'student_progress',
                           'personalized_roadmaps', 'learning_progress'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format('alter table public.%I force row level security', t);
  end loop;
end
$$;

-- profiles ------------------------------------------------------------------------------

-- Own profile; an instructor also sees the students enrolled in THEIR courses (the spec's
-- "instructors can view student profiles", which as written let any instructor read
-- every profile and recursed on profiles); admins see everyone.
create policy profiles_select on public.profiles for select to authenticated
  using (
    id = (select auth.uid())
    or id in (select lms_private.taught_student_ids())
    or (select lms_private.is_admin())
  );

-- Own profile's name, avatar and preferences (column grant); admins any profile's.
-- Roles change only through set_user_role().
create policy profiles_update on public.profiles for update to authenticated
  using (id = (select auth.uid()) or (select lms_private.is_admin()))
  with check (id = (select auth.uid()) or (select lms_private.is_admin()));

-- No insert (the sign-up trigger creates profiles) and no delete (deleting the auth user
-- does) for anon / authenticated.

-- courses -------------------------------------------------------------------------------

-- The catalog.
create policy courses_select_anon on public.courses for select to anon
  using (is_published);

-- Published courses, one's own, the ones one is enrolled in (even unpublished), all for
-- admins.
create policy courses_select on public.courses for select to authenticated
  using (
    is_published
    or instructor_id = (select auth.uid())
    or id in (select lms_private.enrolled_course_ids())
    or (select lms_private.is_admin())
  );

-- Instructors create courses of their own; admins for anyone.
create policy courses_insert on public.courses for insert to authenticated
  with check (
    (instructor_id = (select auth.uid())
     and (select lms_private.current_user_role()) = 'instructor')
    or (select lms_private.is_admin())
  );

-- Instructors manage their own courses (instructor_id itself is not updatable); admins any.
create policy courses_update on public.courses for update to authenticated
  using (instructor_id = (select auth.uid()) or (select lms_private.is_admin()))
  with check (instructor_id = (select auth.uid()) or (select lms_private.is_admin()));

create policy courses_delete on public.courses for delete to authenticated
  using (instructor_id = (select auth.uid()) or (select lms_private.is_admin()));

-- lessons -------------------------------------------------------------------------------

-- The catalog's outline: published lessons of published courses.
create policy lessons_select_anon on public.lessons for select to anon
  using (is_published and course_id in (select lms_private.published_course_ids()));

-- Instructors see every lesson of their courses (drafts too); everyone else published
-- lessons of published courses (the outline) and of the courses they are enrolled in;
-- admins all.
create policy lessons_select on public.lessons for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (is_published
        and (course_id in (select lms_private.enrolled_course_ids())
             or course_id in (select lms_private.published_course_ids())))
    or (select lms_private.is_admin())
  );

create policy lessons_insert on public.lessons for insert to authenticated
  with check (
    course_id in (select lms_private.taught_course_ids()) or (select lms_private.is_admin())
  );

create policy lessons_update on public.lessons for update to authenticated
  using (course_id in (select lms_private.taught_course_ids()) or (select lms_private.is_admin()))
  with check (
    course_id in (select lms_private.taught_course_ids()) or (select lms_private.is_admin())
  );

create policy lessons_delete on public.lessons for delete to authenticated
  using (course_id in (select lms_private.taught_course_ids()) or (select lms_private.is_admin()));

-- content_blocks ------------------------------------------------------------------------

-- The content itself: the course's instructor, its enrolled students (published lessons
-- only), admins. Not the catalog: one enrolls to read.
create policy content_blocks_select on public.content_blocks for select to authenticated
  using (
    lesson_id in (select lms_private.readable_lesson_ids())
    or (select lms_private.is_admin())
  );

create policy content_blocks_insert on public.content_blocks for insert to authenticated
  with check (
    lesson_id in (select lms_private.taught_lesson_ids()) or (select lms_private.is_admin())
  );

create policy content_blocks_update on public.content_blocks for update to authenticated
  using (lesson_id in (select lms_private.taught_lesson_ids()) or (select lms_private.is_admin()))
  with check (
    lesson_id in (select lms_private.taught_lesson_ids()) or (select lms_private.is_admin())
  );

create policy content_blocks_delete on public.content_blocks for delete to authenticated
  using (lesson_id in (select lms_private.taught_lesson_ids()) or (select lms_private.is_admin()));

-- assessments ---------------------------------------------------------------------------

-- A lesson's assessment (course_id null) goes with its lesson, a final assessment
-- (lesson_id null) with its course. Students see the assessments of the published
-- lessons of their courses and their courses' final assessments, without `questions`
-- (no column grant; assessment_questions() strips the answer keys).
-- `course_id is not null and`: the same rows (a null course_id is never in the set), but
-- a lesson's assessment does not build the hashed set of member_course_ids().
create policy assessments_select on public.assessments for select to authenticated
  using (
    lesson_id in (select lms_private.readable_lesson_ids())
    or (course_id is not null and course_id in (select lms_private.member_course_ids()))
    or (select lms_private.is_admin())
  );

create policy assessments_insert on public.assessments for insert to authenticated
  with check (
    course_id in (select lms_private.taught_course_ids())
    or lesson_id in (select lms_private.taught_lesson_ids())
    or (select lms_private.is_admin())
  );

create policy assessments_update on public.assessments for update to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or lesson_id in (select lms_private.taught_lesson_ids())
    or (select lms_private.is_admin())
  )
  with check (
    course_id in (select lms_private.taught_course_ids())
    or lesson_id in (select lms_private.taught_lesson_ids())
    or (select lms_private.is_admin())
  );

create policy assessments_delete on public.assessments for delete to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or lesson_id in (select lms_private.taught_lesson_ids())
    or (select lms_private.is_admin())
  );

-- enrollments ---------------------------------------------------------------------------

-- Own enrollments; the course's instructor sees who is enrolled; admins all.
create policy enrollments_select on public.enrollments for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

-- One enrolls oneself into a published course; admins enroll anyone anywhere. Instructors
-- cannot enroll others (that would reveal any user's profile to them).
create policy enrollments_insert on public.enrollments for insert to authenticated
  with check (
    (student_id = (select auth.uid())
     and course_id in (select lms_private.published_course_ids()))
    or (select lms_private.is_admin())
  );

-- No update: student_id and course_id never change, completed_at and progress are
-- computed (trusted path). Leaving a course; the instructor or an admin removing someone.
create policy enrollments_delete on public.enrollments for delete to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

-- assessment_attempts -------------------------------------------------------------------

-- Own attempts (with their feedback: the review, written at grading); the attempts at
-- the assessments of one's courses for instructors (the gradebook); admins all.
-- Read-only: the spec's "students can manage own assessment attempts FOR ALL" would let
-- a student insert a passing attempt.
create policy assessment_attempts_select on public.assessment_attempts for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

-- student_progress ----------------------------------------------------------------------

create policy student_progress_select on public.student_progress for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

-- personalized_roadmaps, learning_progress ----------------------------------------------

-- Personal across courses: the student and admins only.
create policy personalized_roadmaps_select on public.personalized_roadmaps for select to authenticated
  using (student_id = (select auth.uid()) or (select lms_private.is_admin()));

create policy learning_progress_select on public.learning_progress for select to authenticated
  using (student_id = (select auth.uid()) or (select lms_private.is_admin()));

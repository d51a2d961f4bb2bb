-- Teaching staff (issue #15, part 5): a course may have staff besides its instructor.
--
-- * co_instructor: authors and grades the course, as its instructor does, but does not
--   delete it, hand it over, or manage its staff;
-- * grader: reads what the instructor reads (the gradebook: attempts, progress, the
--   analytics, students' profiles, the answer keys) and grades (essays, overrides, through
--   the library); no authoring.
--
-- The helpers every policy calls keep their names and now mean "the course's staff":
-- taught_course_ids(), taught_lesson_ids(), member_course_ids(), readable_lesson_ids(),
-- taught_student_ids() include the courses one is staff of, whatever the right, so every
-- read policy of the instructor reads for the staff. Every write policy of authoring
-- (lessons, blocks, assessments, the course itself, accommodations, removing an
-- enrolment) now calls authored_course_ids() / authored_lesson_ids(): the instructor and
-- co-instructors. Managing the staff is the owner's (courses.instructor_id) and admins'.

create table public.course_staff (
  id uuid primary key default gen_random_uuid(),
  course_id uuid not null references public.courses (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint course_staff_role_known check (role in ('co_instructor', 'grader')),
  constraint course_staff_member_key unique (course_id, user_id)
);
comment on table public.course_staff is
  'lms: a course''s staff besides its instructor: co_instructor (authors and grades) or '
  'grader (reads the gradebook, grades; no authoring)';
create index idx_course_staff_user on public.course_staff (user_id);
create trigger update_course_staff_updated_at before update on public.course_staff
  for each row execute function public.update_updated_at_column();
create trigger audit_row_change after insert or update or delete on public.course_staff
  for each row execute function lms_private.audit_row_change();

-- Staff are not students of their course (a grader would read, and could grade, their own
-- work), nor its instructor twice: each refused by a trigger, for every client.
create function lms_private.check_staff_member() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if exists (select 1 from public.enrollments e
              where e.course_id = new.course_id and e.student_id = new.user_id) then
    raise exception 'a student of the course cannot be on its staff'
      using errcode = '23514', constraint = 'course_staff_not_enrolled';
  end if;
  if exists (select 1 from public.courses c
              where c.id = new.course_id and c.instructor_id = new.user_id) then
    raise exception 'the course''s instructor is not on its staff'
      using errcode = '23514', constraint = 'course_staff_not_instructor';
  end if;
  return new;
end;
$$;
create trigger course_staff_member before insert on public.course_staff
  for each row execute function lms_private.check_staff_member();

create function lms_private.check_enrolled_not_staff() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if exists (select 1 from public.course_staff s
              where s.course_id = new.course_id and s.user_id = new.student_id) then
    raise exception 'a member of the course''s staff cannot enrol in it'
      using errcode = '23514', constraint = 'enrollments_not_staff';
  end if;
  return new;
end;
$$;
create trigger enrollments_not_staff before insert on public.enrollments
  for each row execute function lms_private.check_enrolled_not_staff();

-- helpers -------------------------------------------------------------------------------

-- Courses the caller teaches: owns (instructor_id) or is staff of, whatever the right.
create or replace function lms_private.taught_course_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 20
  as $$
begin
  return query
    select c.id from public.courses c where c.instructor_id = auth.uid()
    union all
    select s.course_id from public.course_staff s where s.user_id = auth.uid();
end;
$$;

-- Courses the caller authors: owns, or co-instructs.
create function lms_private.authored_course_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 20
  as $$
begin
  return query
    select c.id from public.courses c where c.instructor_id = auth.uid()
    union all
    select s.course_id from public.course_staff s
     where s.user_id = auth.uid() and s.role = 'co_instructor';
end;
$$;

-- Courses the caller owns (instructor_id): whose staff they manage.
create function lms_private.owned_course_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 20
  as $$
begin
  return query select c.id from public.courses c where c.instructor_id = auth.uid();
end;
$$;

-- Courses the caller teaches (as staff) or is enrolled in (duplicates possible).
create or replace function lms_private.member_course_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 20
  as $$
begin
  return query
    select c.id from public.courses c where c.instructor_id = auth.uid()
    union all
    select s.course_id from public.course_staff s where s.user_id = auth.uid()
    union all
    select e.course_id from public.enrollments e where e.student_id = auth.uid();
end;
$$;

-- Lessons of the courses the caller teaches (drafts included).
create or replace function lms_private.taught_lesson_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 100
  as $$
begin
  return query
    select l.id from public.lessons l
     where l.course_id = any (array(select lms_private.taught_course_ids()));
end;
$$;

-- Lessons of the courses the caller authors (drafts included).
create function lms_private.authored_lesson_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 100
  as $$
begin
  return query
    select l.id from public.lessons l
     where l.course_id = any (array(select lms_private.authored_course_ids()));
end;
$$;

-- Lessons whose content the caller reads: every lesson of the courses they teach (drafts
-- included), the published lessons of the courses they are enrolled in (duplicates
-- possible).
create or replace function lms_private.readable_lesson_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 100
  as $$
begin
  return query
    select l.id
      from public.lessons l
     where l.course_id = any (array(select lms_private.taught_course_ids()))
    union all
    select l.id
      from public.lessons l
     where l.course_id = any (array(
             select e.course_id from public.enrollments e where e.student_id = auth.uid()))
       and l.is_published;
end;
$$;

-- Students enrolled in the courses the caller teaches: whose profiles the staff see
-- (duplicates possible).
create or replace function lms_private.taught_student_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 100
  as $$
begin
  return query
    select e.student_id from public.enrollments e
     where e.course_id = any (array(select lms_private.taught_course_ids()));
end;
$$;

-- the write policies of authoring: the instructor and co-instructors -----------------------

-- the course: seen by its staff (unpublished too); changed by its authors (instructor_id
-- is not updatable); deleted by its owner only (unchanged)
drop policy courses_select on public.courses;
create policy courses_select on public.courses for select to authenticated
  using (
    is_published
    or instructor_id = (select auth.uid())
    or id in (select lms_private.taught_course_ids())
    or id in (select lms_private.enrolled_course_ids())
    or (select lms_private.is_admin())
  );
drop policy courses_update on public.courses;
create policy courses_update on public.courses for update to authenticated
  using (id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin()))
  with check (
    id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin())
  );

drop policy lessons_insert on public.lessons;
create policy lessons_insert on public.lessons for insert to authenticated
  with check (
    course_id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin())
  );
drop policy lessons_update on public.lessons;
create policy lessons_update on public.lessons for update to authenticated
  using (course_id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin()))
  with check (
    course_id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin())
  );
drop policy lessons_delete on public.lessons;
create policy lessons_delete on public.lessons for delete to authenticated
  using (course_id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin()));

drop policy content_blocks_insert on public.content_blocks;
create policy content_blocks_insert on public.content_blocks for insert to authenticated
  with check (
    lesson_id in (select lms_private.authored_lesson_ids()) or (select lms_private.is_admin())
  );
drop policy content_blocks_update on public.content_blocks;
create policy content_blocks_update on public.content_blocks for update to authenticated
  using (lesson_id in (select lms_private.authored_lesson_ids()) or (select lms_private.is_admin()))
  with check (
    lesson_id in (select lms_private.authored_lesson_ids()) or (select lms_private.is_admin())
  );
drop policy content_blocks_delete on public.content_blocks;
create policy content_blocks_delete on public.content_blocks for delete to authenticated
  using (lesson_id in (select lms_private.authored_lesson_ids()) or (select lms_private.is_admin()));

drop policy assessments_insert on public.assessments;
create policy assessments_insert on public.assessments for insert to authenticated
  with check (
    course_id in (select lms_private.authored_course_ids())
    or lesson_id in (select lms_private.authored_lesson_ids())
    or (select lms_private.is_admin())
  );
drop policy assessments_update on public.assessments;
create policy assessments_update on public.assessments for update to authenticated
  using (
    course_id in (select lms_private.authored_course_ids())
    or lesson_id in (select lms_private.authored_lesson_ids())
    or (select lms_private.is_admin())
  )
  with check (
    course_id in (select lms_private.authored_course_ids())
    or lesson_id in (select lms_private.authored_lesson_ids())
    or (select lms_private.is_admin())
  );
drop policy assessments_delete on public.assessments;
create policy assessments_delete on public.assessments for delete to authenticated
  using (
    course_id in (select lms_private.authored_course_ids())
    or lesson_id in (select lms_private.authored_lesson_ids())
    or (select lms_private.is_admin())
  );

-- removing someone from the course: the student themselves, its authors, admins
drop policy enrollments_delete on public.enrollments;
create policy enrollments_delete on public.enrollments for delete to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.authored_course_ids())
    or (select lms_private.is_admin())
  );

drop policy accommodations_insert on public.accommodations;
create policy accommodations_insert on public.accommodations for insert to authenticated
  with check (
    course_id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin())
  );
drop policy accommodations_update on public.accommodations;
create policy accommodations_update on public.accommodations for update to authenticated
  using (course_id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin()))
  with check (
    course_id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin())
  );
drop policy accommodations_delete on public.accommodations;
create policy accommodations_delete on public.accommodations for delete to authenticated
  using (course_id in (select lms_private.authored_course_ids()) or (select lms_private.is_admin()));

-- GDPR: the erasure of a user redacts the audit entries of their staff memberships too
-- (as of their attempts' and accommodations', 20261202000014)
create or replace function lms_private.redact_audit_for_user(user_id uuid) returns bigint
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  uid text := redact_audit_for_user.user_id::text;
  emails text[];
  changed bigint;
begin
  if redact_audit_for_user.user_id is null then
    raise exception 'user_id is null' using errcode = '22004';
  end if;

  select coalesce(array_agg(distinct lower(e)), '{}') into emails
    from public.audit_log a
   cross join lateral (values (a.old_data ->> 'email'), (a.new_data ->> 'email')) as v(e)
   where a.table_name = 'profiles' and a.row_id = redact_audit_for_user.user_id
     and e is not null;

  perform pg_catalog.set_config('lms.audit_maintenance', 'redact', true);
  with personal as (
    select distinct a.table_name, a.row_id
      from public.audit_log a
     where (a.table_name = 'profiles' and a.row_id = redact_audit_for_user.user_id)
        or (a.table_name in ('enrollments', 'assessment_attempts', 'student_progress',
                             'personalized_roadmaps', 'learning_progress', 'accommodations')
            and a.action in ('insert', 'delete')
            and coalesce(a.new_data, a.old_data) ->> 'student_id' = uid)
        or (a.table_name = 'course_staff'
            and a.action in ('insert', 'delete')
            and coalesce(a.new_data, a.old_data) ->> 'user_id' = uid)
  ),
  targets as (
    select a.id from public.audit_log a join personal p using (table_name, row_id)
    union
    select a.id from public.audit_log a
     where a.table_name = 'courses'
       and (a.old_data ->> 'instructor_id' = uid or a.new_data ->> 'instructor_id' = uid)
    union
    select a.id from public.audit_log a
     where a.action = 'sign_in_failed' and lower(a.new_data ->> 'email') = any (emails)
    union
    select a.id from public.audit_log a where a.actor_id = redact_audit_for_user.user_id
  ),
  personal_ids as (
    select a.id from public.audit_log a join personal p using (table_name, row_id)
  )
  update public.audit_log a
     set old_data = case
                      when a.id in (select id from personal_ids) then null
                      when a.action = 'sign_in_failed' then a.old_data
                      when a.table_name = 'courses' and a.old_data ->> 'instructor_id' = uid
                        then jsonb_set(a.old_data, '{instructor_id}', 'null')
                      else a.old_data
                    end,
         new_data = case
                      when a.id in (select id from personal_ids) then null
                      when a.action = 'sign_in_failed'
                       and lower(a.new_data ->> 'email') = any (emails) then null
                      when a.table_name = 'courses' and a.new_data ->> 'instructor_id' = uid
                        then jsonb_set(a.new_data, '{instructor_id}', 'null')
                      else a.new_data
                    end,
         actor_id = case when a.actor_id = redact_audit_for_user.user_id then null
                         else a.actor_id end
   where a.id in (select id from targets);
  get diagnostics changed = row_count;
  perform pg_catalog.set_config('lms.audit_maintenance', '', true);
  return changed;
end;
$$;

-- grants, RLS, owners ---------------------------------------------------------------------

revoke all on table public.course_staff from public, anon, authenticated, service_role;
grant all on table public.course_staff to service_role;
grant select on table public.course_staff to authenticated;
-- who and where are set on insert only; the role may change
grant insert (course_id, user_id, role) on table public.course_staff to authenticated;
grant update (role) on table public.course_staff to authenticated;
grant delete on table public.course_staff to authenticated;
alter table public.course_staff enable row level security;
alter table public.course_staff force row level security;
-- the member themselves, the course's staff, admins
create policy course_staff_select on public.course_staff for select to authenticated
  using (
    user_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );
-- the course's owner and admins manage its staff
create policy course_staff_insert on public.course_staff for insert to authenticated
  with check (
    course_id in (select lms_private.owned_course_ids()) or (select lms_private.is_admin())
  );
create policy course_staff_update on public.course_staff for update to authenticated
  using (course_id in (select lms_private.owned_course_ids()) or (select lms_private.is_admin()))
  with check (
    course_id in (select lms_private.owned_course_ids()) or (select lms_private.is_admin())
  );
create policy course_staff_delete on public.course_staff for delete to authenticated
  using (course_id in (select lms_private.owned_course_ids()) or (select lms_private.is_admin()));

revoke all on function lms_private.authored_course_ids(), lms_private.authored_lesson_ids(),
  lms_private.owned_course_ids()
  from public, anon;
revoke all on function lms_private.check_staff_member(), lms_private.check_enrolled_not_staff()
  from public, anon, authenticated;
grant execute on function lms_private.authored_course_ids(), lms_private.authored_lesson_ids(),
  lms_private.owned_course_ids()
  to authenticated, service_role;

grant create on schema lms_private to service_role;
alter function lms_private.authored_course_ids() owner to service_role;
alter function lms_private.authored_lesson_ids() owner to service_role;
alter function lms_private.owned_course_ids() owner to service_role;
alter function lms_private.check_staff_member() owner to service_role;
alter function lms_private.check_enrolled_not_staff() owner to service_role;
revoke create on schema lms_private from service_role;

-- Teaching staff, hardened (review of 20261202000015):
--
-- * The membership checks ran BEFORE INSERT, that is before the policies' WITH CHECK:
--   anyone signed in could learn from their distinct messages whether a user was
--   enrolled in, owned or staffed any course. They now run AFTER the row is written, so
--   a caller the policies refuse gets 42501 and learns nothing.
-- * A course's owner could enrol in it, and a handover (erase_user's successor) could
--   make one of its students or staff its instructor. The owner is no student of their
--   course; a successor on the course's staff leaves the staff as they take it over; a
--   successor enrolled in it is refused.
-- * A co-instructor authors the course: only an instructor or an admin (profiles.role)
--   may be one. A grader (a teaching assistant) may be any user.
-- * A staff member may leave a course's staff; the course's team (owner and staff) read
--   each other's profiles, as they read their students'.

drop trigger course_staff_member on public.course_staff;
drop trigger enrollments_not_staff on public.enrollments;

create or replace function lms_private.check_staff_member() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_op = 'INSERT' then
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
  end if;
  if new.role = 'co_instructor' and not exists (
       select 1 from public.profiles p
        where p.id = new.user_id and p.role in ('instructor', 'admin')) then
    raise exception 'a co-instructor must be an instructor or an admin'
      using errcode = '23514', constraint = 'course_staff_co_instructor_role';
  end if;
  return null;
end;
$$;
-- AFTER: the policies' WITH CHECK has refused an outsider before any of this is read
create trigger course_staff_member after insert or update of role on public.course_staff
  for each row execute function lms_private.check_staff_member();

create or replace function lms_private.check_enrolled_not_staff() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if exists (select 1 from public.course_staff s
              where s.course_id = new.course_id and s.user_id = new.student_id) then
    raise exception 'a member of the course''s staff cannot enrol in it'
      using errcode = '23514', constraint = 'enrollments_not_staff';
  end if;
  if exists (select 1 from public.courses c
              where c.id = new.course_id and c.instructor_id = new.student_id) then
    raise exception 'the course''s instructor cannot enrol in it'
      using errcode = '23514', constraint = 'enrollments_not_instructor';
  end if;
  return null;
end;
$$;
create trigger enrollments_not_staff after insert on public.enrollments
  for each row execute function lms_private.check_enrolled_not_staff();

-- A course changing hands: its new owner is no student of it, and leaves its staff (they
-- hold every right now). Only the trusted path changes instructor_id (no column grant).
create function lms_private.course_new_owner() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if exists (select 1 from public.enrollments e
              where e.course_id = new.id and e.student_id = new.instructor_id) then
    raise exception 'a student of the course cannot become its instructor'
      using errcode = '23514', constraint = 'courses_instructor_not_enrolled';
  end if;
  delete from public.course_staff s
   where s.course_id = new.id and s.user_id = new.instructor_id;
  return null;
end;
$$;
create trigger courses_new_owner after update of instructor_id on public.courses
  for each row when (old.instructor_id is distinct from new.instructor_id)
  execute function lms_private.course_new_owner();

-- the course's team: the owners and staff of the courses the caller teaches
create function lms_private.colleague_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 20
  as $$
declare
  taught uuid[] := array(select lms_private.taught_course_ids());
begin
  if cardinality(taught) = 0 then
    return;
  end if;
  return query
    select c.instructor_id from public.courses c where c.id = any (taught)
    union all
    select s.user_id from public.course_staff s where s.course_id = any (taught);
end;
$$;

drop policy profiles_select on public.profiles;
create policy profiles_select on public.profiles for select to authenticated
  using (
    id = (select auth.uid())
    or id in (select lms_private.taught_student_ids())
    or id in (select lms_private.colleague_ids())
    or (select lms_private.is_admin())
  );

-- a member leaves; the owner and admins remove anyone
drop policy course_staff_delete on public.course_staff;
create policy course_staff_delete on public.course_staff for delete to authenticated
  using (
    user_id = (select auth.uid())
    or course_id in (select lms_private.owned_course_ids())
    or (select lms_private.is_admin())
  );

revoke all on function lms_private.course_new_owner() from public, anon, authenticated;
revoke all on function lms_private.colleague_ids() from public, anon;
grant execute on function lms_private.colleague_ids() to authenticated, service_role;

grant create on schema lms_private to service_role;
alter function lms_private.course_new_owner() owner to service_role;
alter function lms_private.colleague_ids() owner to service_role;
revoke create on schema lms_private from service_role;

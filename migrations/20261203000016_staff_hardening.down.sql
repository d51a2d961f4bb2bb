-- Back to 20261202000015's staff checks and policies.

drop policy course_staff_delete on public.course_staff;
create policy course_staff_delete on public.course_staff for delete to authenticated
  using (course_id in (select lms_private.owned_course_ids()) or (select lms_private.is_admin()));

drop policy profiles_select on public.profiles;
create policy profiles_select on public.profiles for select to authenticated
  using (
    id = (select auth.uid())
    or id in (select lms_private.taught_student_ids())
    or (select lms_private.is_admin())
  );
drop function lms_private.colleague_ids();

drop trigger courses_new_owner on public.courses;
drop function lms_private.course_new_owner();

drop trigger course_staff_member on public.course_staff;
drop trigger enrollments_not_staff on public.enrollments;

create or replace function lms_private.check_staff_member() returns trigger
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
  return new;
end;
$$;
create trigger enrollments_not_staff before insert on public.enrollments
  for each row execute function lms_private.check_enrolled_not_staff();

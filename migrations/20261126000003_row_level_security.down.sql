-- Undoes 20261126000003_row_level_security.up.sql: policies, RLS, grants, helpers,
-- assessment_attempts.course_id and its triggers.
-- The role memberships the up migration may have granted to the migrating user stay
-- (cluster-wide, like the roles themselves).

do $$
declare
  t text;
  p text;
begin
  foreach t in array array['profiles', 'courses', 'lessons', 'content_blocks', 'assessments',
                           'enrollments', 'assessment_attempts', 'student_progress',
                           'personalized_roadmaps', 'learning_progress'] loop
    for p in
      select pol.polname from pg_catalog.pg_policy pol
       where pol.polrelid = format('public.%I', t)::regclass
    loop
      execute format('drop policy %I on public.%I', p, t);
    end loop;
    execute format('alter table public.%I no force row level security', t);
    execute format('alter table public.%I disable row level security', t);
  end loop;
end
$$;

-- Grants: back to what creating the tables gave, i.e. the default privileges of the
-- tables' owner in `public` (none on plain PostgreSQL; ALL to anon, authenticated and
-- service_role on Supabase).
do $$
declare
  t text;
  g record;
begin
  foreach t in array array['profiles', 'courses', 'lessons', 'content_blocks', 'assessments',
                           'enrollments', 'assessment_attempts', 'student_progress',
                           'personalized_roadmaps', 'learning_progress'] loop
    execute format('revoke all on table public.%I from public, anon, authenticated, service_role', t);
    for g in
      select distinct acl.grantee, acl.privilege_type
        from pg_catalog.pg_class c
        join pg_catalog.pg_default_acl d
          on d.defaclrole = c.relowner and d.defaclobjtype = 'r'
         and d.defaclnamespace in (0, c.relnamespace)
        cross join lateral pg_catalog.aclexplode(d.defaclacl) acl
       where c.oid = format('public.%I', t)::regclass
         and acl.grantee <> c.relowner
    loop
      execute format('grant %s on table public.%I to %s', g.privilege_type, t,
                     case when g.grantee = 0 then 'public' else quote_ident(g.grantee::regrole::text) end);
    end loop;
  end loop;
end
$$;

-- The sign-up trigger function back to the migrating user, if the up handed it over.
do $$
begin
  if (select proowner from pg_catalog.pg_proc
       where oid = 'public.handle_new_user()'::regprocedure) = 'service_role'::regrole then
    alter function public.handle_new_user() owner to current_user;
  end if;
end
$$;

drop function public.set_user_role(uuid, public.user_role);
drop function public.assessment_questions(uuid);

drop function lms_private.set_user_role(uuid, public.user_role);
drop function lms_private.assessment_questions(uuid);
drop function lms_private.strip_answer_keys(jsonb);
drop trigger lessons_follow_course on public.lessons;
drop trigger assessments_follow_course on public.assessments;
drop trigger assessment_attempts_course_id on public.assessment_attempts;
drop function lms_private.follow_assessment_course();
drop function lms_private.set_attempt_course_id();
drop function lms_private.assessment_course_id(uuid);
alter table public.assessment_attempts drop column course_id;  -- and its index
drop function lms_private.taught_student_ids();
drop function lms_private.readable_lesson_ids();
drop function lms_private.taught_lesson_ids();
drop function lms_private.published_course_ids();
drop function lms_private.member_course_ids();
drop function lms_private.enrolled_course_ids();
drop function lms_private.taught_course_ids();
drop function lms_private.is_admin();
drop function lms_private.current_user_role();
drop schema lms_private;

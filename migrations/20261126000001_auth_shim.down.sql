-- Drops only the objects the up migration created (marked 'lms auth shim'); a Supabase
-- `auth` schema is left as it was. Roles are cluster-wide and stay.

do $$
declare
  f regprocedure;
begin
  foreach f in array array[
    to_regprocedure('auth.email()'), to_regprocedure('auth.role()'),
    to_regprocedure('auth.uid()'), to_regprocedure('auth.jwt()')
  ] loop
    if f is not null
       and obj_description(f::oid, 'pg_proc') is not distinct from 'lms auth shim' then
      execute format('drop function %s', f);
    end if;
  end loop;

  if to_regclass('auth.users') is not null
     and obj_description('auth.users'::regclass, 'pg_class') is not distinct from 'lms auth shim' then
    drop table auth.users;
  end if;

  if exists (
    select 1 from pg_catalog.pg_namespace n
    where n.nspname = 'auth'
      and obj_description(n.oid, 'pg_namespace') is not distinct from 'lms auth shim'
  ) then
    drop schema auth;
  end if;
end
$$;

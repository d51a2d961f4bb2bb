-- The check a user's transaction starts with. `Scope::begin` sends the actor's settings
-- and role, this check (as the actor) and BEGIN as one simple query: one round trip,
-- where BEGIN and the settings took two. The statements before BEGIN become part of its
-- transaction; the check runs before it, so a user without a profile is
-- refused with no transaction left open on the connection, and its SQLSTATE (LMS01)
-- tells the library which error it is. The role of the profile, which the same round
-- trip read before, is read only by the use cases that need it.
create function lms_private.require_profile() returns void
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if not exists (select 1 from public.profiles p where p.id = auth.uid()) then
    raise exception 'the current user has no profile'
      using errcode = 'LMS01';
  end if;
end;
$$;

revoke all on function lms_private.require_profile() from public, anon, authenticated;
grant execute on function lms_private.require_profile() to authenticated, service_role;
-- owned by service_role like the other helpers (20261126000003)
grant create on schema lms_private to service_role;
alter function lms_private.require_profile() owner to service_role;
revoke create on schema lms_private from service_role;

-- The check that opens every transaction of a signed-in user: the library refuses a user
-- without a profile (`no_profile`). It runs in the round trip that also sets the claims
-- and the role and sends BEGIN, before the BEGIN (so that a refusal ends the implicit
-- transaction and leaves the connection idle, not in an aborted transaction block).
-- Security invoker: it reads only what `current_user_role()` (security definer) returns
-- for the caller's own `auth.uid()`.
create function lms_private.require_profile() returns void
  language plpgsql stable security invoker
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if lms_private.current_user_role() is null then
    raise exception 'no profile for user %', coalesce(auth.uid()::text, '(none)')
      using errcode = 'LP001', hint = 'create the profile first (sign_up)';
  end if;
end;
$$;
comment on function lms_private.require_profile() is
  'raises LP001 unless the signed-in user (auth.uid()) has a profile';
revoke execute on function lms_private.require_profile() from public;
grant execute on function lms_private.require_profile() to authenticated;

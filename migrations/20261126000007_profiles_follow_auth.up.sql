-- Profiles: the e-mail address follows the auth user's, and the avatar is an https URL.
--
-- * `profiles.email` is copied at sign-up (handle_new_user); when the auth server
--   changes an address (`auth.users.email`), the profile follows, so instructors and
--   admins do not see a stale address and a later sign-up with the old address does not
--   collide with it (idx_profiles_email is unique).
-- * `profiles.avatar_url` is written by users directly (their own profile) and shown to
--   others: an `https` URL or nothing (a `javascript:` or `data:` URL would be rendered by
--   someone else's browser). The library checks the URL fully
--   (lms_core::documents::check_url); this constraint is the floor for direct writes.
--   NOT VALID: rows written before it are left alone, every new write is checked.

create function public.handle_user_email_change() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  update public.profiles set email = new.email
   where id = new.id and email is distinct from new.email;
  return new;
end;
$$;
revoke all on function public.handle_user_email_change() from public, anon, authenticated;

-- as for the sign-up trigger: where the owner is subject to RLS (neither superuser nor
-- BYPASSRLS), hand the function to service_role
do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles r
                  where r.oid = (select proowner from pg_catalog.pg_proc
                                  where oid = 'public.handle_user_email_change()'::regprocedure)
                    and (r.rolsuper or r.rolbypassrls)) then
    grant create on schema public to service_role;
    alter function public.handle_user_email_change() owner to service_role;
    revoke create on schema public from service_role;
  end if;
end
$$;

create trigger on_auth_user_email_changed
  after update of email on auth.users
  for each row when (old.email is distinct from new.email)
  execute function public.handle_user_email_change();

alter table public.profiles
  add constraint profiles_avatar_url_https
  check (avatar_url is null or avatar_url ~ '^https://[^[:space:]]+$') not valid;

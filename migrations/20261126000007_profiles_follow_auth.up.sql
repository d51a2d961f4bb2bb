-- Profiles: the e-mail address follows the auth user's, and the avatar is an https URL.
--
-- * `profiles.email` is copied at sign-up (handle_new_user); when the auth server
--   changes an address (`auth.users.email`), the profile follows, so instructors and
--   admins do not see a stale address and a later sign-up with the old address does not
--   collide with it (idx_profiles_email is unique). Addresses already out of step are
--   brought in step here (in two passes, so that two profiles trading addresses do not
--   collide). A blank address is stored as null (profiles_email_not_blank), at sign-up
--   too.
-- * `profiles.avatar_url` is written by users directly (their own profile) and shown to
--   others: an `https` URL or nothing (a `javascript:` or `data:` URL would be rendered by
--   someone else's browser). The library checks the URL fully
--   (lms_core::documents::check_url, which also requires the string to start with
--   `https://` and hold no whitespace); this constraint is the floor for direct writes.
--   Avatars that are not such URLs are dropped first: a constraint, valid or not, is
--   checked on every later update of the row, which would otherwise fail the user's
--   next change of any column.

create or replace function public.handle_new_user() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  insert into public.profiles (id, email, role)
  values (new.id, nullif(btrim(new.email), ''), 'student');
  return new;
end;
$$;

create function public.handle_user_email_change() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  update public.profiles set email = nullif(btrim(new.email), '')
   where id = new.id and email is distinct from nullif(btrim(new.email), '');
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

-- the owner's own updates of existing rows: past the forced policies for these statements
-- (a non-superuser owner is subject to them), then forced again
alter table public.profiles no force row level security;
update public.profiles p set email = null
  from auth.users u
 where u.id = p.id and p.email is distinct from nullif(btrim(u.email), '');
update public.profiles p set email = nullif(btrim(u.email), '')
  from auth.users u
 where u.id = p.id and p.email is distinct from nullif(btrim(u.email), '');

update public.profiles set avatar_url = null
 where avatar_url !~ '^https://[^[:space:]]+$';
alter table public.profiles force row level security;
alter table public.profiles
  add constraint profiles_avatar_url_https
  check (avatar_url is null or avatar_url ~ '^https://[^[:space:]]+$');

-- The constraint and the e-mail trigger go; e-mail addresses synchronized and avatars
-- dropped by the up migration stay as they are. The sign-up trigger stores the address
-- as given again.
alter table public.profiles drop constraint profiles_avatar_url_https;
drop trigger on_auth_user_email_changed on auth.users;
drop function public.handle_user_email_change();

create or replace function public.handle_new_user() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  insert into public.profiles (id, email, role)
  values (new.id, new.email, 'student');
  return new;
end;
$$;

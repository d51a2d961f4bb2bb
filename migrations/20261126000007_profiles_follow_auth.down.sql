alter table public.profiles drop constraint profiles_avatar_url_https;
drop trigger on_auth_user_email_changed on auth.users;
drop function public.handle_user_email_change();

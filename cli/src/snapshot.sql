-- The catalog lines of the library's security objects (cli/src/check.rs): in `public`
-- and `lms_private`, tables (row level security), policies, grants to the API roles on
-- tables, views and columns, functions (security definer, leakproof, owner, pinned
-- settings, source, who may execute), views (owner, options, definition), triggers
-- (enabled, function, definition), and the API roles' own attributes and memberships.
-- Owners: `service_role`, `migrator` (the owner of `_sqlx_migrations`, who ran the
-- migrations), or the role's name.
with api(rolname) as (values ('anon'), ('authenticated'), ('service_role'), ('-')),
ours(nsp) as (select oid from pg_namespace where nspname in ('public', 'lms_private')),
migrator(name) as (
  select coalesce((select pg_get_userbyid(relowner) from pg_class
                    where relname = '_sqlx_migrations'
                      and relnamespace = 'public'::regnamespace), '')),
rels as (
  select c.oid, case n.nspname when 'public' then c.relname::text
                 else n.nspname || '.' || c.relname end as relname,
         c.relkind, c.relacl, c.relowner, c.reloptions, c.relrowsecurity,
         c.relforcerowsecurity
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relnamespace in (select nsp from ours) and c.relkind in ('r', 'p', 'v', 'm', 'f')
     and c.relname <> '_sqlx_migrations'
     and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')),
funcs as (
  select p.oid, p.proowner, p.prosecdef, p.proleakproof, p.proconfig, p.prosrc, p.proacl
    from pg_proc p
   where p.pronamespace in (select nsp from ours)
     and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')),
grantee(oid, name) as (
  select 0::oid, '-' union all select oid, rolname from pg_roles),
owner_of(oid, name) as (
  select r.oid, case when r.rolname = 'service_role' then 'service_role'
                     when r.rolname = (select name from migrator) then 'migrator'
                     else r.rolname::text end
    from pg_roles r)
select 'server ' || (current_setting('server_version_num')::int / 10000)::text as line
union all
select format('role %s super=%s bypassrls=%s inherit=%s login=%s', r.rolname,
              r.rolsuper::text, r.rolbypassrls::text, r.rolinherit::text, r.rolcanlogin::text)
  from pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role')
union all
select format('member %s of %s', m.rolname, g.rolname)
  from pg_auth_members am join pg_roles m on m.oid = am.member
  join pg_roles g on g.oid = am.roleid
 where m.rolname in ('anon', 'authenticated')
union all
select format('table %s kind=%s rls=%s forced=%s', relname, relkind, relrowsecurity::text,
              relforcerowsecurity::text)
  from rels where relkind in ('r', 'p', 'm', 'f')
union all
select format('policy %s.%s %s %s to %s', tablename, policyname, cmd, permissive,
              array_to_string(array(select unnest(roles) order by 1), ','))
  from pg_policies where schemaname = 'public'
union all
select format('policy-definition %s.%s using %s check %s', tablename, policyname,
              md5(coalesce(qual, '')), md5(coalesce(with_check, '')))
  from pg_policies where schemaname = 'public'
union all
select format('grant %s %s on %s%s', g.name, a.privilege_type, r.relname,
              case when a.is_grantable then ' with grant option' else '' end)
  from rels r, aclexplode(r.relacl) a join grantee g on g.oid = a.grantee
 where g.name in (select rolname from api)
union all
select format('grant %s %s on %s.%s%s', g.name, a.privilege_type, r.relname, att.attname,
              case when a.is_grantable then ' with grant option' else '' end)
  from rels r join pg_attribute att on att.attrelid = r.oid and att.attnum > 0
       and not att.attisdropped and att.attacl is not null,
       aclexplode(att.attacl) a join grantee g on g.oid = a.grantee
 where g.name in (select rolname from api)
union all
select format('function %s security-definer=%s leakproof=%s owner=%s config=%s',
              f.oid::regprocedure, f.prosecdef::text, f.proleakproof::text, o.name,
              coalesce(array_to_string(f.proconfig, ';'), ''))
  from funcs f join owner_of o on o.oid = f.proowner
union all
select format('function-source %s %s', f.oid::regprocedure, md5(f.prosrc)) from funcs f
union all
select format('execute %s %s', g.name, f.oid::regprocedure)
  from funcs f, aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) a
       join grantee g on g.oid = a.grantee
 where g.name in (select rolname from api)
   -- a role's own grant says nothing more where PUBLIC (`-`) may execute
   and (g.oid = 0 or not exists (
          select 1 from aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) p
           where p.grantee = 0))
union all
select format('view %s owner=%s options=%s', r.relname, o.name,
              coalesce(array_to_string(r.reloptions, ','), ''))
  from rels r join owner_of o on o.oid = r.relowner where r.relkind = 'v'
union all
select format('view-definition %s %s', relname, md5(pg_get_viewdef(oid)))
  from rels where relkind in ('v', 'm')
union all
-- (on `auth`, by name, state and function: its tables are the auth server's, the
-- shim's or Supabase's, and a trigger's definition names their columns)
select format('trigger %s.%s.%s enabled=%s function=%s%s', n.nspname, c.relname, t.tgname,
              t.tgenabled, t.tgfoid::regprocedure,
              case when n.nspname = 'auth' then ''
                   else ' ' || md5(pg_get_triggerdef(t.oid)) end)
  from pg_trigger t join pg_class c on c.oid = t.tgrelid
  join pg_namespace n on n.oid = c.relnamespace
 where not t.tgisinternal and n.nspname in ('public', 'lms_private', 'auth')
   and (n.nspname <> 'auth' or t.tgfoid in (select oid from funcs))
order by 1

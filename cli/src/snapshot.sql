-- The catalog lines of the library's security objects (cli/src/check.rs).
with api(rolname) as (values ('anon'), ('authenticated'), ('service_role'), ('-')),
ours(nsp) as (select oid from pg_namespace where nspname in ('public', 'lms_private')),
rels as (
  select c.oid, c.relname, c.relkind, c.relacl, c.relowner, c.reloptions,
         c.relrowsecurity, c.relforcerowsecurity
    from pg_class c
   where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v')
     and c.relname <> '_sqlx_migrations'
     and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')),
funcs as (
  select p.oid, p.proowner, p.prosecdef, p.proconfig, p.prosrc, p.proacl
    from pg_proc p
   where p.pronamespace in (select nsp from ours)
     and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')),
grantee(oid, name) as (
  select 0::oid, '-' union all select oid, rolname from pg_roles)
select 'server ' || (current_setting('server_version_num')::int / 10000)::text as line
union all
select format('table %s rls=%s forced=%s', relname, relrowsecurity::text, relforcerowsecurity::text)
  from rels where relkind in ('r', 'p')
union all
select format('policy %s.%s %s %s to %s', tablename, policyname, cmd, permissive,
              array_to_string(array(select unnest(roles) order by 1), ','))
  from pg_policies where schemaname = 'public'
union all
select format('policy-definition %s.%s using %s check %s', tablename, policyname,
              md5(coalesce(qual, '')), md5(coalesce(with_check, '')))
  from pg_policies where schemaname = 'public'
union all
select format('grant %s %s on %s', g.name, a.privilege_type, r.relname)
  from rels r, aclexplode(r.relacl) a join grantee g on g.oid = a.grantee
 where g.name in (select rolname from api)
union all
select format('grant %s %s on %s.%s', g.name, a.privilege_type, r.relname, att.attname)
  from rels r join pg_attribute att on att.attrelid = r.oid and att.attnum > 0
       and not att.attisdropped and att.attacl is not null,
       aclexplode(att.attacl) a join grantee g on g.oid = a.grantee
 where g.name in (select rolname from api)
union all
select format('function %s security-definer=%s owner=%s config=%s', f.oid::regprocedure,
              f.prosecdef::text,
              case pg_get_userbyid(f.proowner) when 'service_role' then 'service_role' else 'migrator' end,
              coalesce(array_to_string(f.proconfig, ';'), ''))
  from funcs f
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
select format('view %s owner=%s options=%s', relname,
              case pg_get_userbyid(relowner) when 'service_role' then 'service_role' else 'migrator' end,
              coalesce(array_to_string(reloptions, ','), ''))
  from rels where relkind = 'v'
union all
-- (on `auth`, by name: its tables are the auth server's, the shim's or Supabase's, and
-- a trigger's definition names their columns)
select format('trigger %s.%s.%s%s', n.nspname, c.relname, t.tgname,
              case when n.nspname = 'auth' then ''
                   else ' ' || md5(pg_get_triggerdef(t.oid)) end)
  from pg_trigger t join pg_class c on c.oid = t.tgrelid
  join pg_namespace n on n.oid = c.relnamespace
 where not t.tgisinternal and n.nspname in ('public', 'auth')
   and t.tgname not like 'RI_%'
order by 1

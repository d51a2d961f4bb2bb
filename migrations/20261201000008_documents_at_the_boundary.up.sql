-- Documents at the boundary: the database keeps only documents the library would accept,
-- whoever writes them, and shows students only the fields of a question they may see.
-- docs/security.md, "Documents", says why this mechanism and not another.
--
-- 1. WHAT A STUDENT SEES OF A QUESTION is an allowlist, no longer a list of keys to drop:
--    `lms_private.strip_answer_keys` keeps a question's `type`, `id`, `prompt`, `points`,
--    `multiple`, `case_sensitive` and `options`, and of each option its `id` and `text`,
--    each only with the JSON type the library gives it; everything else (answer keys
--    whatever their name: `correct`, `accepted`, `answer`, `solution`, an option's
--    `fraction` or `is_correct`…) is dropped, and so are elements that are not objects.
--    The list is lms_core::documents::QUESTION_FIELDS / OPTION_FIELDS (the fields
--    classified "shown", the fields of lms_core's StudentQuestion); tests compare the
--    three (lms-core documents::student, lms-db tests/boundary.rs). It applies to every
--    stored document, also to those written before this migration.
--
-- 2. DOCUMENT COLUMNS WRITTEN BY AN API ROLE NEED THE LIBRARY'S RECEIPT. A document is
--    valid when lms-core says so (JSON Schema plus rules no schema states) and rich-text
--    HTML is safe once ammonia has sanitized it: neither can be said again in SQL without
--    writing the rules twice. So the library validates and normalizes a document, then,
--    on its trusted path (service_role), records a receipt — the document's digest, what
--    it is for, and the current transaction — in `lms_private.validated_documents`, and
--    writes the row under the actor's own role, so that grants and Row Level Security
--    still decide whether the actor may write that row. A BEFORE trigger on each table
--    with document columns that API roles may write (`profiles`, `content_blocks`,
--    `assessments`) takes the receipt of every document written or changed, and refuses
--    the write (42501) when there is none: a Supabase client, PostgREST or raw SQL as
--    `authenticated` cannot store a document the library has not validated in the same
--    transaction. `anon` and `authenticated` have no privilege on the receipts, so they
--    cannot make one. Writers that bypass Row Level Security anyway (superusers,
--    `service_role`, the tables' owner) are not checked: they are trusted code (the
--    library's trusted path validates what it writes). The other document columns
--    (attempts' answers and feedback, enrollments' progress, roadmaps, learning
--    progress, the knowledge profile) are not writable by API roles at all (grants);
--    a test keeps it so.
--
-- 3. EXISTING DATA. No SQL can say which stored documents the library would refuse:
--    `Lms::migrate` (lms-db), when it applies this migration, runs
--    `repair_documents`, which rewrites the documents whose only fault is their form
--    (unsanitized HTML, defaults left out) and logs every row it cannot repair;
--    `check_documents` reports them at any time. The allowlist above already applies to
--    the stored questions.

-- 1. ------------------------------------------------------------------------------------

create or replace function lms_private.strip_answer_keys(questions jsonb) returns jsonb
  language sql immutable strict parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(
      jsonb_agg(
        jsonb_strip_nulls(jsonb_build_object(
          'type', case when jsonb_typeof(q -> 'type') = 'string' then q -> 'type' end,
          'id', case when jsonb_typeof(q -> 'id') = 'string' then q -> 'id' end,
          'prompt', case when jsonb_typeof(q -> 'prompt') = 'string' then q -> 'prompt' end,
          'points', case when jsonb_typeof(q -> 'points') = 'number' then q -> 'points' end,
          'multiple',
            case when jsonb_typeof(q -> 'multiple') = 'boolean' then q -> 'multiple' end,
          'case_sensitive',
            case when jsonb_typeof(q -> 'case_sensitive') = 'boolean'
                 then q -> 'case_sensitive' end,
          'options',
            case when jsonb_typeof(q -> 'options') = 'array' then (
              select coalesce(
                       jsonb_agg(
                         jsonb_strip_nulls(jsonb_build_object(
                           'id', case when jsonb_typeof(o -> 'id') = 'string' then o -> 'id' end,
                           'text',
                             case when jsonb_typeof(o -> 'text') = 'string' then o -> 'text' end))
                         order by i),
                       '[]'::jsonb)
                from jsonb_array_elements(q -> 'options') with ordinality as opts(o, i)
               where jsonb_typeof(o) = 'object')
            end))
        order by n),
      '[]'::jsonb)
    from jsonb_array_elements(
           case when jsonb_typeof(questions) = 'array' then questions else '[]'::jsonb end)
         with ordinality as qs(q, n)
    where jsonb_typeof(q) = 'object'
  $$;
comment on function lms_private.strip_answer_keys(jsonb) is
  'lms: what a student sees of a question set: the allowlist of '
  'lms_core::documents::QUESTION_FIELDS / OPTION_FIELDS, nothing else';

-- 2. ------------------------------------------------------------------------------------

-- Receipts of the documents the library validated in a transaction that is still under
-- way. No privilege for anon and authenticated; the library's trusted path writes them.
-- A receipt is taken (deleted) by the write it was for; one that no write took (a value
-- written unchanged) is deleted by a later registration once its transaction is over.
create table lms_private.validated_documents (
  xact xid8 not null default pg_catalog.pg_current_xact_id(),
  target text not null,
  digest bytea not null
);
comment on table lms_private.validated_documents is
  'lms: receipts of documents the library validated, per transaction; see '
  'migrations/20261201000008_documents_at_the_boundary.up.sql';
create index idx_validated_documents_receipt
  on lms_private.validated_documents (xact, target, digest);
revoke all on table lms_private.validated_documents from public, anon, authenticated;
grant select, insert, delete on table lms_private.validated_documents to service_role;

-- Whether the role running the statement writes without receipts: a superuser, a role
-- that bypasses Row Level Security (service_role), or the table's owner (who could drop
-- the trigger). Security invoker: `current_user` is the writer.
create function lms_private.writes_unchecked(tbl oid) returns boolean
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(
      (select r.rolsuper or r.rolbypassrls
              or pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
         from pg_catalog.pg_roles r, pg_catalog.pg_class c
        where r.rolname = current_user and c.oid = tbl),
      false)
  $$;

-- Takes the receipt for `document` written to `target` in this transaction, or refuses
-- the write. Security definer (the receipts are not readable by the writer); it only
-- ever deletes one receipt of the caller's own transaction.
create function lms_private.take_document_receipt(target text, document jsonb) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  receipt tid;
begin
  select r.ctid into receipt
    from lms_private.validated_documents r
   where r.xact = pg_catalog.pg_current_xact_id()
     and r.target = take_document_receipt.target
     and r.digest = pg_catalog.sha256(pg_catalog.convert_to(document::text, 'UTF8'))
   limit 1;
  if receipt is null then
    raise exception 'documents in % are written through the lms library, which validates them',
        split_part(take_document_receipt.target, ':', 1)
      using errcode = 'insufficient_privilege',
            hint = 'author content and preferences through the library''s API '
                   '(Rust, Python or Node), from a back end';
  end if;
  delete from lms_private.validated_documents where ctid = receipt;
end;
$$;

-- The gates. Each checks only the documents an insert writes or an update changes —
-- changes as text: `jsonb` equality counts `10` and `10.000` as one number, but the
-- stored text (which the library reads, and refuses as no whole number) is not the same.

create function lms_private.gate_profile_documents() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if lms_private.writes_unchecked(tg_relid) then
    return new;
  end if;
  if new.learning_preferences is not null
     and (tg_op = 'INSERT' or new.learning_preferences::text is distinct from old.learning_preferences::text)
  then
    perform lms_private.take_document_receipt('profiles.learning_preferences',
                                              new.learning_preferences);
  end if;
  if tg_op = 'INSERT' or new.knowledge_profile::text is distinct from old.knowledge_profile::text then
    perform lms_private.take_document_receipt('profiles.knowledge_profile',
                                              new.knowledge_profile);
  end if;
  return new;
end;
$$;

create function lms_private.gate_content_block_documents() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if lms_private.writes_unchecked(tg_relid) then
    return new;
  end if;
  -- the content is valid for its block's type: a change of either needs a receipt
  if tg_op = 'INSERT' or new.content::text is distinct from old.content::text
     or new.type is distinct from old.type then
    perform lms_private.take_document_receipt('content_blocks.content:' || new.type::text,
                                              new.content);
  end if;
  if tg_op = 'INSERT' or new.metadata::text is distinct from old.metadata::text then
    perform lms_private.take_document_receipt('content_blocks.metadata', new.metadata);
  end if;
  return new;
end;
$$;

create function lms_private.gate_assessment_documents() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if lms_private.writes_unchecked(tg_relid) then
    return new;
  end if;
  if tg_op = 'INSERT' or new.questions::text is distinct from old.questions::text then
    perform lms_private.take_document_receipt('assessments.questions', new.questions);
  end if;
  return new;
end;
$$;

create trigger documents_need_receipts
  before insert or update of learning_preferences, knowledge_profile on public.profiles
  for each row execute function lms_private.gate_profile_documents();
create trigger documents_need_receipts
  before insert or update of type, content, metadata on public.content_blocks
  for each row execute function lms_private.gate_content_block_documents();
create trigger documents_need_receipts
  before insert or update of questions on public.assessments
  for each row execute function lms_private.gate_assessment_documents();

revoke all on function
  lms_private.writes_unchecked(oid),
  lms_private.take_document_receipt(text, jsonb),
  lms_private.gate_profile_documents(),
  lms_private.gate_content_block_documents(),
  lms_private.gate_assessment_documents()
  from public, anon, authenticated;
-- the gates run as the writer and call these two
grant execute on function
  lms_private.writes_unchecked(oid),
  lms_private.take_document_receipt(text, jsonb)
  to anon, authenticated, service_role;

-- like the other helpers: owned by service_role, whose privileges on the receipts
-- suffice, whoever migrated (see 20261126000003)
grant create on schema lms_private to service_role;
alter function lms_private.take_document_receipt(text, jsonb) owner to service_role;
revoke create on schema lms_private from service_role;

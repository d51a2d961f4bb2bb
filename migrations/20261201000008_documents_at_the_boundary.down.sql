-- The receipts and their gates go, and the student view of questions drops a fixed list
-- of answer-key names again (as 20261126000003 made it). Documents stored meanwhile stay
-- as they are.
drop trigger documents_need_receipts on public.profiles;
drop trigger documents_need_receipts on public.content_blocks;
drop trigger documents_need_receipts on public.assessments;
drop function lms_private.gate_profile_documents();
drop function lms_private.gate_content_block_documents();
drop function lms_private.gate_assessment_documents();
drop function lms_private.take_document_receipt(text, jsonb);
drop function lms_private.writes_unchecked(oid);
drop table lms_private.validated_documents;

create or replace function lms_private.strip_answer_keys(questions jsonb) returns jsonb
  language sql immutable strict parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(
      jsonb_agg(
        case
          when jsonb_typeof(q) <> 'object' then q
          when jsonb_typeof(q -> 'options') = 'array' then
            (q - array['correct', 'accepted', 'rubric', 'explanation'])
            || jsonb_build_object('options', (
                 select coalesce(
                   jsonb_agg(
                     case when jsonb_typeof(o) = 'object'
                          then o - array['fraction', 'correct', 'explanation', 'feedback']
                          else o end
                     order by i),
                   '[]'::jsonb)
                   from jsonb_array_elements(q -> 'options') with ordinality as opts(o, i)))
          else q - array['correct', 'accepted', 'rubric', 'explanation']
        end
        order by n),
      '[]'::jsonb)
    from jsonb_array_elements(questions) with ordinality as qs(q, n)
  $$;
comment on function lms_private.strip_answer_keys(jsonb) is null;

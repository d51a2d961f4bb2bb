-- Analytics: instructors read the fine-grained progress of their own courses, lesson
-- completions carry their time, and time spent is kept per student, course and day.
--
-- * `learning_progress.course_id`: the course of the row's content block, derived by a
--   BEFORE trigger on every insert and every update naming content_id or course_id
--   (whatever the statement says: no one writes it) and followed when a block moves to
--   another lesson or a lesson to another course, like `assessment_attempts.course_id`.
--   Null when `content_id` is no content block. The select policy adds the course's
--   instructor, filtering on this indexed column with `taught_course_ids()`; a student
--   still reads only their own rows.
-- * `student_progress.completed_at`: when the row's status became `completed`, set by a
--   BEFORE trigger (kept while the row stays completed, null otherwise); existing
--   completed rows take their `updated_at`.
-- * `learning_activity`: seconds of study and number of progress reports per student,
--   course and UTC day, added by an AFTER trigger on `learning_progress` from the growth
--   of its `time_spent` (a derived rollup of audited rows: not audited itself), with the
--   day's last report. A writer that lowers a row's `time_spent` and raises it again
--   (the service's `record_learning_progress` replaces it) counts the rise again.
-- * The backfills change derived columns only: rows keep their `updated_at` and write no
--   audit entry. Read like
--   `student_progress` (the student, the course's instructor, admins), written by no one
--   but the trigger.

alter table public.learning_progress
  add column course_id uuid references public.courses (id) on delete cascade;
comment on column public.learning_progress.course_id is
  'course of the content block (derived by trigger; for the row level security policy)';

create function lms_private.block_course_id(block_id uuid) returns uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  return (select l.course_id
            from public.content_blocks b
            join public.lessons l on l.id = b.lesson_id
           where b.id = block_course_id.block_id);
end;
$$;

create function lms_private.set_learning_progress_course_id() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  new.course_id := lms_private.block_course_id(new.content_id);
  return new;
end;
$$;

create function lms_private.follow_block_course() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  -- only the rows whose course changes (a block moved within its course leaves them)
  if tg_table_name = 'content_blocks' then
    update public.learning_progress t
       set course_id = lms_private.block_course_id(new.id)
     where t.content_id = new.id
       and t.course_id is distinct from lms_private.block_course_id(new.id);
  else
    update public.learning_progress t
       set course_id = new.course_id
      from public.content_blocks b
     where b.lesson_id = new.id and t.content_id = b.id
       and t.course_id is distinct from new.course_id;
  end if;
  return null;
end;
$$;

-- the backfills below change derived columns only: the rows keep their `updated_at` (the
-- analytics read it as the time of the student's last report) and write no audit entry
alter table public.learning_progress disable trigger update_learning_progress_updated_at;
alter table public.learning_progress disable trigger audit_row_change;
update public.learning_progress t set course_id = l.course_id
  from public.content_blocks b join public.lessons l on l.id = b.lesson_id
 where b.id = t.content_id;
alter table public.learning_progress enable trigger update_learning_progress_updated_at;
alter table public.learning_progress enable trigger audit_row_change;
create index idx_learning_progress_course on public.learning_progress (course_id, student_id);

create trigger learning_progress_course_id
  before insert or update of content_id, course_id on public.learning_progress
  for each row execute function lms_private.set_learning_progress_course_id();
create trigger content_blocks_follow_course
  after update of lesson_id on public.content_blocks
  for each row when (old.lesson_id is distinct from new.lesson_id)
  execute function lms_private.follow_block_course();
create trigger lessons_follow_block_course
  after update of course_id on public.lessons
  for each row when (old.course_id is distinct from new.course_id)
  execute function lms_private.follow_block_course();

drop policy learning_progress_select on public.learning_progress;
create policy learning_progress_select on public.learning_progress for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

-- student_progress.completed_at ---------------------------------------------------------

alter table public.student_progress add column completed_at timestamptz;
comment on column public.student_progress.completed_at is
  'when status became completed (kept by trigger; null unless completed)';

create function lms_private.set_progress_completed_at() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.status <> 'completed' then
    new.completed_at := null;
  elsif tg_op = 'UPDATE' and old.status = 'completed' and old.completed_at is not null then
    new.completed_at := old.completed_at;
  else
    -- a trusted writer may give the time (an import); otherwise now
    new.completed_at := coalesce(new.completed_at, now());
  end if;
  return new;
end;
$$;

alter table public.student_progress disable trigger update_student_progress_updated_at;
alter table public.student_progress disable trigger audit_row_change;
update public.student_progress set completed_at = updated_at where status = 'completed';
alter table public.student_progress enable trigger update_student_progress_updated_at;
alter table public.student_progress enable trigger audit_row_change;
create trigger student_progress_completed_at
  before insert or update on public.student_progress
  for each row execute function lms_private.set_progress_completed_at();
create index idx_student_progress_course_completed
  on public.student_progress (course_id, completed_at) where completed_at is not null;

-- learning_activity ---------------------------------------------------------------------

create table public.learning_activity (
  id uuid primary key default gen_random_uuid(),
  course_id uuid not null references public.courses (id) on delete cascade,
  student_id uuid not null references public.profiles (id) on delete cascade,
  day date not null,
  seconds bigint not null default 0,
  reports integer not null default 0,
  -- the day's last report (the row's `updated_at` in learning_progress)
  last_reported_at timestamptz not null,
  constraint learning_activity_course_day_student_key unique (course_id, day, student_id),
  constraint learning_activity_seconds_non_negative check (seconds >= 0),
  constraint learning_activity_reports_non_negative check (reports >= 0)
);
comment on table public.learning_activity is
  'lms: seconds of study and progress reports per student, course and UTC day (kept by trigger)';
comment on column public.learning_activity.seconds is 'seconds';
create index idx_learning_activity_student on public.learning_activity (student_id);

create function lms_private.count_learning_activity() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  added bigint := greatest(new.time_spent::bigint
                           - case when tg_op = 'UPDATE' then old.time_spent else 0 end, 0);
begin
  if new.course_id is null then
    return null;
  end if;
  insert into public.learning_activity as a
    (course_id, student_id, day, seconds, reports, last_reported_at)
  values (new.course_id, new.student_id, (new.updated_at at time zone 'UTC')::date, added, 1,
          new.updated_at)
  on conflict on constraint learning_activity_course_day_student_key do update
     set seconds = a.seconds + excluded.seconds, reports = a.reports + 1,
         last_reported_at = greatest(a.last_reported_at, excluded.last_reported_at);
  return null;
end;
$$;

-- what the rows stored so far say: each row's time on the day it was last updated
insert into public.learning_activity (course_id, student_id, day, seconds, reports, last_reported_at)
select course_id, student_id, (updated_at at time zone 'UTC')::date, sum(time_spent), count(*),
       max(updated_at)
  from public.learning_progress where course_id is not null
 group by 1, 2, 3;

create trigger learning_progress_activity
  after insert or update of time_spent, progress_data, completed_at on public.learning_progress
  for each row execute function lms_private.count_learning_activity();

revoke all on function lms_private.block_course_id(uuid),
  lms_private.set_learning_progress_course_id(), lms_private.follow_block_course(),
  lms_private.set_progress_completed_at(), lms_private.count_learning_activity()
  from public, anon, authenticated;

revoke all on table public.learning_activity from public, anon, authenticated;
grant all on table public.learning_activity to service_role;
grant select on table public.learning_activity to authenticated;
alter table public.learning_activity enable row level security;
alter table public.learning_activity force row level security;
create policy learning_activity_select on public.learning_activity for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );

-- Owned by service_role (BYPASSRLS), like the other helpers: the lookups see every block
-- and the rollup is written whoever the migrating user is (FORCE ROW LEVEL SECURITY).
grant create on schema lms_private to service_role;
alter function lms_private.block_course_id(uuid) owner to service_role;
alter function lms_private.set_learning_progress_course_id() owner to service_role;
alter function lms_private.follow_block_course() owner to service_role;
alter function lms_private.set_progress_completed_at() owner to service_role;
alter function lms_private.count_learning_activity() owner to service_role;
revoke create on schema lms_private from service_role;

-- assessment_item_responses -------------------------------------------------------------
--
-- One row per graded attempt (submitted, with a score): each question's id, kind, points
-- earned, points available, outcome and response, as arrays in the feedback's order —
-- what item analysis reads, without taking every attempt's feedback and answers
-- documents apart at each query. Kept by a trigger on `assessment_attempts` for every
-- writer (submission, grading, regrade, an import); derived, so not audited; read like
-- `assessment_attempts`. A response is the selected option ids as a JSON array (multiple
-- choice), `true`/`false` (true/false), the text of a wrong short answer, null otherwise.
-- Kinds and outcomes are a letter per question: rows stay small (an assessment's 20,000
-- attempts are read at each analysis).

create table public.assessment_item_responses (
  attempt_id uuid primary key references public.assessment_attempts (id) on delete cascade,
  assessment_id uuid not null references public.assessments (id) on delete cascade,
  course_id uuid not null references public.courses (id) on delete cascade,
  student_id uuid not null references public.profiles (id) on delete cascade,
  attempt_number integer not null,
  score integer not null,
  passed boolean,
  question_ids text[] not null,
  -- one letter per question: m(ultiple choice), t(rue/false), s(hort answer), e(ssay)
  kinds text not null,
  points double precision[] not null,
  max_points integer[] not null,
  -- one letter per question: c(orrect), p(artial), i(ncorrect), u(nanswered),
  -- r (pending review)
  outcomes text not null,
  responses text[] not null
);
comment on table public.assessment_item_responses is
  'lms: per graded attempt, each question''s points, outcome and response (kept by trigger, for item analysis)';
create index idx_assessment_item_responses_assessment
  on public.assessment_item_responses (assessment_id, student_id, attempt_number);
create index idx_assessment_item_responses_course on public.assessment_item_responses (course_id);
create index idx_assessment_item_responses_student on public.assessment_item_responses (student_id);

-- An attempt's item responses from its feedback and answers documents.
create function lms_private.item_responses(feedback jsonb, answers jsonb)
  returns table (question_ids text[], kinds text, points double precision[],
                 max_points integer[], outcomes text, responses text[])
  language sql immutable
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(array_agg(q ->> 'question_id' order by n), '{}'),
           coalesce(string_agg(case q ->> 'kind' when 'multiple_choice' then 'm'
                      when 'true_false' then 't' when 'short_answer' then 's'
                      when 'essay' then 'e' else '?' end, '' order by n), ''),
           coalesce(array_agg(case jsonb_typeof(q -> 'points_earned')
                                when 'number' then (q ->> 'points_earned')::double precision end
                              order by n), '{}'),
           coalesce(array_agg(case jsonb_typeof(q -> 'max_points')
                                when 'number' then (q ->> 'max_points')::numeric::integer end
                              order by n), '{}'),
           coalesce(string_agg(case q ->> 'outcome' when 'correct' then 'c'
                      when 'partial' then 'p' when 'incorrect' then 'i'
                      when 'unanswered' then 'u' when 'pending_review' then 'r'
                      else '?' end, '' order by n), ''),
           coalesce(array_agg(
             case a ->> 'type'
               when 'multiple_choice' then
                 case jsonb_typeof(a -> 'selected') when 'array' then (a -> 'selected')::text end
               when 'true_false' then
                 case jsonb_typeof(a -> 'value') when 'boolean' then a ->> 'value' end
               when 'short_answer' then
                 case when q ->> 'outcome' = 'incorrect' then a ->> 'text' end
             end order by n), '{}')
      from jsonb_array_elements(case jsonb_typeof(feedback -> 'questions')
                                  when 'array' then feedback -> 'questions' else '[]' end)
           with ordinality e(q, n)
      left join lateral (
        select case jsonb_typeof(answers) when 'object' then answers -> (q ->> 'question_id') end
      ) x(a) on true
  $$;

create function lms_private.keep_item_responses() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.submitted_at is null or new.score is null
     or jsonb_typeof(new.feedback -> 'questions') is distinct from 'array' then
    delete from public.assessment_item_responses where attempt_id = new.id;
    return null;
  end if;
  insert into public.assessment_item_responses as r
    (attempt_id, assessment_id, course_id, student_id, attempt_number, score, passed,
     question_ids, kinds, points, max_points, outcomes, responses)
  select new.id, new.assessment_id, new.course_id, new.student_id, new.attempt_number,
         new.score, new.passed, i.*
    from lms_private.item_responses(new.feedback, new.answers) i
  on conflict (attempt_id) do update set
    assessment_id = excluded.assessment_id, course_id = excluded.course_id,
    student_id = excluded.student_id, attempt_number = excluded.attempt_number,
    score = excluded.score, passed = excluded.passed, question_ids = excluded.question_ids,
    kinds = excluded.kinds, points = excluded.points, max_points = excluded.max_points,
    outcomes = excluded.outcomes, responses = excluded.responses;
  return null;
end;
$$;

-- the attempts graded so far
insert into public.assessment_item_responses
  (attempt_id, assessment_id, course_id, student_id, attempt_number, score, passed,
   question_ids, kinds, points, max_points, outcomes, responses)
select t.id, t.assessment_id, t.course_id, t.student_id, t.attempt_number, t.score, t.passed,
       i.*
  from public.assessment_attempts t
  cross join lateral lms_private.item_responses(t.feedback, t.answers) i
 where t.submitted_at is not null and t.score is not null
   and jsonb_typeof(t.feedback -> 'questions') = 'array';

create trigger assessment_attempts_item_responses
  after insert or update of feedback, answers, score, passed, submitted_at, assessment_id,
    course_id, attempt_number on public.assessment_attempts
  for each row execute function lms_private.keep_item_responses();

revoke all on function lms_private.keep_item_responses(),
  lms_private.item_responses(jsonb, jsonb) from public, anon, authenticated;
revoke all on table public.assessment_item_responses from public, anon, authenticated;
grant all on table public.assessment_item_responses to service_role;
grant select on table public.assessment_item_responses to authenticated;
alter table public.assessment_item_responses enable row level security;
alter table public.assessment_item_responses force row level security;
create policy assessment_item_responses_select on public.assessment_item_responses
  for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );
grant create on schema lms_private to service_role;
alter function lms_private.keep_item_responses() owner to service_role;
alter function lms_private.item_responses(jsonb, jsonb) owner to service_role;
revoke create on schema lms_private from service_role;

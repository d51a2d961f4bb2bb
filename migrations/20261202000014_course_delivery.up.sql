-- Course delivery (lms_core::delivery): when an assessment may be taken, what late work
-- is worth, and accommodations.
--
-- * dates: assessments.opens_at / closes_at / due_at. No attempt starts before the open
--   time or after the close time; an attempt's deadline is the earlier of start + time
--   limit and the close time; a submission after the due time is late;
-- * late policy (Canvas's): a deduction of `late_deduction_percent` percentage points per
--   late hour or day begun, never below `late_floor_percent`; on the course (every
--   assessment's default) and on an assessment (which then overrides the course's). A
--   late attempt keeps its raw result in raw_points_earned / raw_score beside the recorded
--   one (points_earned, exact_points_earned, score, passed), which grades and progress use;
-- * accommodations: per student, for one assessment or every assessment of a course:
--   extra minutes or a time factor, extra attempts, a later close and due time. Where
--   several apply the most lenient wins. Set by the course's instructor or admins (RLS),
--   audited, read by the student they concern.
--
-- The database enforces what a direct client could otherwise get around: a student sees
-- an assessment's questions only from its open time, and only within their own deadline
-- (accommodations included, lms_private.attempt_schedule).

-- dates and late policies -----------------------------------------------------------------

alter table public.assessments
  add column opens_at timestamptz,
  add column closes_at timestamptz,
  add column due_at timestamptz,
  add column late_deduction_percent numeric(5, 2),
  add column late_deduction_interval text,
  add column late_floor_percent numeric(5, 2),
  add constraint assessments_closes_after_opens check (closes_at > opens_at),
  add constraint assessments_due_after_opens check (due_at > opens_at),
  add constraint assessments_due_before_closes check (due_at <= closes_at),
  add constraint assessments_late_deduction_percent_range
    check (late_deduction_percent between 0 and 100),
  add constraint assessments_late_floor_percent_range
    check (late_floor_percent between 0 and 100),
  add constraint assessments_late_deduction_interval_known
    check (late_deduction_interval in ('hour', 'day')),
  add constraint assessments_late_policy_complete
    check (num_nulls(late_deduction_percent, late_deduction_interval, late_floor_percent)
           in (0, 3));
comment on column public.assessments.opens_at is 'no attempt starts (nor are questions shown to students) before';
comment on column public.assessments.closes_at is 'no attempt starts after; open attempts end by it';
comment on column public.assessments.due_at is 'a submission after it is late (late policy)';
comment on column public.assessments.late_deduction_percent is
  'percentage points deducted per late interval begun; null (with the other late_ '
  'columns): the course''s late policy applies';

alter table public.courses
  add column late_deduction_percent numeric(5, 2),
  add column late_deduction_interval text,
  add column late_floor_percent numeric(5, 2),
  add constraint courses_late_deduction_percent_range
    check (late_deduction_percent between 0 and 100),
  add constraint courses_late_floor_percent_range
    check (late_floor_percent between 0 and 100),
  add constraint courses_late_deduction_interval_known
    check (late_deduction_interval in ('hour', 'day')),
  add constraint courses_late_policy_complete
    check (num_nulls(late_deduction_percent, late_deduction_interval, late_floor_percent)
           in (0, 3));
comment on column public.courses.late_deduction_percent is
  'the course''s late policy (every assessment without its own): percentage points '
  'deducted per late interval begun; null: no deduction';

alter table public.assessment_attempts
  add column late_seconds integer,
  add column raw_points_earned numeric(20, 6),
  add column raw_score integer,
  add constraint assessment_attempts_late_seconds_positive check (late_seconds > 0),
  add constraint assessment_attempts_raw_score_range check (raw_score between 0 and 100),
  add constraint assessment_attempts_raw_points_within_total
    check (raw_points_earned between 0 and total_points),
  add constraint assessment_attempts_recorded_within_raw
    check (exact_points_earned <= raw_points_earned);
comment on column public.assessment_attempts.late_seconds is
  'seconds after its due time (accommodations included) the attempt was submitted; null: on time';
comment on column public.assessment_attempts.raw_points_earned is
  'points earned before the late deduction (exact_points_earned is what is recorded)';
comment on column public.assessment_attempts.raw_score is
  'score before the late deduction (score is the recorded grade)';
-- (a backfill, not an audited change: as 20261202000011's)
alter table public.assessment_attempts disable trigger audit_row_change;
update public.assessment_attempts
   set raw_points_earned = exact_points_earned, raw_score = score
 where exact_points_earned is not null;
alter table public.assessment_attempts enable trigger audit_row_change;

-- accommodations --------------------------------------------------------------------------

create table public.accommodations (
  id uuid primary key default gen_random_uuid(),
  course_id uuid not null references public.courses (id) on delete cascade,
  student_id uuid not null references public.profiles (id) on delete cascade,
  -- null: every assessment of the course
  assessment_id uuid references public.assessments (id) on delete cascade,
  extra_minutes integer not null default 0,
  time_factor numeric(4, 2) not null default 1,
  extra_attempts integer not null default 0,
  closes_at timestamptz,
  due_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint accommodations_extra_minutes_range check (extra_minutes between 0 and 525600),
  constraint accommodations_time_factor_range check (time_factor between 1 and 10),
  constraint accommodations_extra_attempts_range check (extra_attempts between 0 and 1000),
  constraint accommodations_due_before_closes check (due_at <= closes_at),
  constraint accommodations_scope_key unique nulls not distinct
    (course_id, student_id, assessment_id)
);
comment on table public.accommodations is
  'lms: a student''s accommodations (extra time, attempts, later dates) at one assessment '
  'or, assessment_id null, every assessment of the course; the most lenient applies';
create index idx_accommodations_student on public.accommodations (student_id);
create index idx_accommodations_assessment on public.accommodations (assessment_id);

-- the course of an assessment's accommodation is the assessment's (what the policies read)
create function lms_private.set_accommodation_course_id() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.assessment_id is not null then
    new.course_id := lms_private.assessment_course_id(new.assessment_id);
  end if;
  new.updated_at := now();
  return new;
end;
$$;
create trigger accommodations_course_id
  before insert or update on public.accommodations
  for each row execute function lms_private.set_accommodation_course_id();
create trigger audit_row_change after insert or update or delete on public.accommodations
  for each row execute function lms_private.audit_row_change();

-- An assessment, or a lesson, moved to another course takes its attempts (20261126000003)
-- and now its accommodations with it.
create or replace function lms_private.follow_assessment_course() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_table_name = 'assessments' then
    update public.assessment_attempts t
       set course_id = lms_private.assessment_course_id(new.id)
     where t.assessment_id = new.id;
    update public.accommodations o
       set course_id = lms_private.assessment_course_id(new.id)
     where o.assessment_id = new.id;
  else
    update public.assessment_attempts t
       set course_id = new.course_id
      from public.assessments a
     where a.lesson_id = new.id and t.assessment_id = a.id;
    update public.accommodations o
       set course_id = new.course_id
      from public.assessments a
     where a.lesson_id = new.id and o.assessment_id = a.id;
  end if;
  return null;
end;
$$;

-- The schedule of one student at one assessment, accommodations applied (the most
-- lenient of their course-wide and assessment rows), as
-- lms_core::delivery::Schedule::accommodated computes it: the time limit is the longer of
-- limit + extra minutes and limit × factor (whole minutes, rounded up); the due time the
-- latest; the close time the latest of the close times and the due time.
create function lms_private.attempt_schedule(assessment_id uuid, student_id uuid)
  returns table (opens_at timestamptz, closes_at timestamptz, due_at timestamptz,
                 time_limit integer)
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select a.opens_at,
           case when a.closes_at is not null
                then greatest(a.closes_at, x.closes_at,
                              case when a.due_at is not null
                                   then greatest(a.due_at, x.due_at) end) end,
           case when a.due_at is not null then greatest(a.due_at, x.due_at) end,
           -- in bigint, at most the integer's range (as the Rust rule saturates)
           case when a.time_limit is not null
                then least(greatest(a.time_limit::bigint + coalesce(x.extra_minutes, 0),
                                    ceil(a.time_limit * coalesce(x.time_factor, 1))::bigint),
                           2147483647)::integer end
      from public.assessments a
      left join public.lessons l on l.id = a.lesson_id
      left join lateral (
        select max(o.extra_minutes) as extra_minutes, max(o.time_factor) as time_factor,
               max(o.closes_at) as closes_at, max(o.due_at) as due_at
          from public.accommodations o
         where o.student_id = attempt_schedule.student_id
           and o.course_id = coalesce(a.course_id, l.course_id)
           and (o.assessment_id is null or o.assessment_id = a.id)
      ) x on true
     where a.id = attempt_schedule.assessment_id
  $$;

-- The questions of an assessment as the actor may see them (20261202000009, with dates):
-- a student sees them only from the open time; when the assessment is timed, only during
-- an open attempt, until its deadline (the earlier of start + their time limit and their
-- close time) plus the answering grace; when it closes, until their close time, or in an
-- open attempt until its deadline plus that grace.
create or replace function lms_private.assessment_questions(assessment_id uuid) returns jsonb
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select case
             when lms_private.is_admin()
               or x.course_id in (select lms_private.taught_course_ids())
               then x.questions
             when x.course_id in (select lms_private.enrolled_course_ids())
              and (x.lesson_id is null or x.lesson_published)
              and (s.opens_at is null or statement_timestamp() >= s.opens_at)
              and (x.time_limit is null or o.started_at is not null)
              -- after the close time only in an open attempt, whose own cutoff (deadline
              -- plus the answering grace) the lateral below applies
              and (s.closes_at is null or statement_timestamp() <= s.closes_at
                   or o.started_at is not null)
               then lms_private.strip_answer_keys(coalesce(o.questions, x.questions))
           end
      from (
        select a.id, a.questions, a.lesson_id, a.time_limit,
               case when a.time_limit_policy = 'grace_period' then least(a.grace_seconds, 30)
                    else a.grace_seconds end as grace,
               l.is_published as lesson_published,
               coalesce(a.course_id, l.course_id) as course_id
          from public.assessments a
          left join public.lessons l on l.id = a.lesson_id
         where a.id = assessment_questions.assessment_id
      ) x
      left join lateral lms_private.attempt_schedule(x.id, (select auth.uid())) s on true
      left join lateral (
        select t.started_at, v.questions
          from public.assessment_attempts t
          join public.assessment_question_versions v
            on v.assessment_id = t.assessment_id and v.version = t.questions_version
         where t.assessment_id = assessment_questions.assessment_id
           and t.student_id = (select auth.uid())
           and t.submitted_at is null and t.abandoned_at is null
           and (least(t.started_at + make_interval(mins => s.time_limit), s.closes_at) is null
                or statement_timestamp()
                   <= least(t.started_at + make_interval(mins => s.time_limit), s.closes_at)
                      + make_interval(secs => x.grace))
         order by t.attempt_number desc
         limit 1
      ) o on true
  $$;

-- GDPR: the erasure of a user redacts their accommodations' audit entries too (as their
-- attempts', 20261126000004)
create or replace function lms_private.redact_audit_for_user(user_id uuid) returns bigint
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  uid text := redact_audit_for_user.user_id::text;
  emails text[];
  changed bigint;
begin
  if redact_audit_for_user.user_id is null then
    raise exception 'user_id is null' using errcode = '22004';
  end if;

  select coalesce(array_agg(distinct lower(e)), '{}') into emails
    from public.audit_log a
   cross join lateral (values (a.old_data ->> 'email'), (a.new_data ->> 'email')) as v(e)
   where a.table_name = 'profiles' and a.row_id = redact_audit_for_user.user_id
     and e is not null;

  perform pg_catalog.set_config('lms.audit_maintenance', 'redact', true);
  with personal as (
    select distinct a.table_name, a.row_id
      from public.audit_log a
     where (a.table_name = 'profiles' and a.row_id = redact_audit_for_user.user_id)
        or (a.table_name in ('enrollments', 'assessment_attempts', 'student_progress',
                             'personalized_roadmaps', 'learning_progress', 'accommodations')
            and a.action in ('insert', 'delete')
            and coalesce(a.new_data, a.old_data) ->> 'student_id' = uid)
  ),
  targets as (
    select a.id from public.audit_log a join personal p using (table_name, row_id)
    union
    select a.id from public.audit_log a
     where a.table_name = 'courses'
       and (a.old_data ->> 'instructor_id' = uid or a.new_data ->> 'instructor_id' = uid)
    union
    select a.id from public.audit_log a
     where a.action = 'sign_in_failed' and lower(a.new_data ->> 'email') = any (emails)
    union
    select a.id from public.audit_log a where a.actor_id = redact_audit_for_user.user_id
  ),
  personal_ids as (
    select a.id from public.audit_log a join personal p using (table_name, row_id)
  )
  update public.audit_log a
     set old_data = case
                      when a.id in (select id from personal_ids) then null
                      when a.action = 'sign_in_failed' then a.old_data
                      when a.table_name = 'courses' and a.old_data ->> 'instructor_id' = uid
                        then jsonb_set(a.old_data, '{instructor_id}', 'null')
                      else a.old_data
                    end,
         new_data = case
                      when a.id in (select id from personal_ids) then null
                      when a.action = 'sign_in_failed'
                       and lower(a.new_data ->> 'email') = any (emails) then null
                      when a.table_name = 'courses' and a.new_data ->> 'instructor_id' = uid
                        then jsonb_set(a.new_data, '{instructor_id}', 'null')
                      else a.new_data
                    end,
         actor_id = case when a.actor_id = redact_audit_for_user.user_id then null
                         else a.actor_id end
   where a.id in (select id from targets);
  get diagnostics changed = row_count;
  perform pg_catalog.set_config('lms.audit_maintenance', '', true);
  return changed;
end;
$$;

-- grants, RLS, owners -----------------------------------------------------------------------

-- the dates and the late policy: read by every reader of the assessment, written by its
-- authors (courses: every column is readable already)
grant select (opens_at, closes_at, due_at, late_deduction_percent, late_deduction_interval,
              late_floor_percent)
  on table public.assessments to authenticated;
grant insert (opens_at, closes_at, due_at, late_deduction_percent, late_deduction_interval,
              late_floor_percent)
  on table public.assessments to authenticated;
grant update (opens_at, closes_at, due_at, late_deduction_percent, late_deduction_interval,
              late_floor_percent)
  on table public.assessments to authenticated;
grant insert (late_deduction_percent, late_deduction_interval, late_floor_percent)
  on table public.courses to authenticated;
grant update (late_deduction_percent, late_deduction_interval, late_floor_percent)
  on table public.courses to authenticated;

revoke all on table public.accommodations from public, anon, authenticated, service_role;
grant all on table public.accommodations to service_role;
grant select on table public.accommodations to authenticated;
-- the scope (course, student, assessment) is set on insert and never changed
-- (not `id`: a deleted row's id reused for another student would merge two audit trails)
grant insert (course_id, student_id, assessment_id, extra_minutes, time_factor,
              extra_attempts, closes_at, due_at)
  on table public.accommodations to authenticated;
grant update (extra_minutes, time_factor, extra_attempts, closes_at, due_at)
  on table public.accommodations to authenticated;
grant delete on table public.accommodations to authenticated;
alter table public.accommodations enable row level security;
alter table public.accommodations force row level security;
-- the student they concern, the course's instructor, admins
create policy accommodations_select on public.accommodations for select to authenticated
  using (
    student_id = (select auth.uid())
    or course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
  );
create policy accommodations_insert on public.accommodations for insert to authenticated
  with check (
    course_id in (select lms_private.taught_course_ids()) or (select lms_private.is_admin())
  );
create policy accommodations_update on public.accommodations for update to authenticated
  using (course_id in (select lms_private.taught_course_ids()) or (select lms_private.is_admin()))
  with check (
    course_id in (select lms_private.taught_course_ids()) or (select lms_private.is_admin())
  );
create policy accommodations_delete on public.accommodations for delete to authenticated
  using (course_id in (select lms_private.taught_course_ids()) or (select lms_private.is_admin()));

revoke all on function lms_private.set_accommodation_course_id(),
  lms_private.attempt_schedule(uuid, uuid)
  from public, anon, authenticated;
grant execute on function lms_private.attempt_schedule(uuid, uuid) to service_role;

grant create on schema lms_private to service_role;
alter function lms_private.set_accommodation_course_id() owner to service_role;
alter function lms_private.attempt_schedule(uuid, uuid) owner to service_role;
alter function lms_private.assessment_questions(uuid) owner to service_role;
alter function lms_private.follow_assessment_course() owner to service_role;
revoke create on schema lms_private from service_role;

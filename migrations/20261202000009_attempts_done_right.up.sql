-- Attempts done right (lms_core::scoring, lms_core::attempts):
--
-- * the attempt policy of each assessment, in its own columns, checked here as in
--   lms_core::attempts::AttemptPolicy::check: grading method, retakes after a pass,
--   delays between attempts (Moodle's delay1/delay2), overdue handling and its grace;
-- * frozen questions: every version of an assessment's questions is kept in
--   assessment_question_versions (written by triggers, whoever edits the questions,
--   the library or a direct client); each attempt references the version it started
--   with and is scored against it, never against what the assessment holds now;
-- * exact points: assessment_attempts.exact_points_earned keeps credit × points to the
--   millionth; the integer points_earned and score are the exact values rounded down;
-- * abandoned attempts (overdue and never submitted): abandoned_at.
--
-- Students read no version (answer keys): no grant, and the policy is the course's
-- staff's. The questions of an attempt reach its student stripped, through
-- assessment_questions() (the version of their open attempt) or the library.

-- attempt policy ------------------------------------------------------------------------

alter table public.assessments
  add column grading_method text not null default 'highest',
  add column retake_policy text not null default 'allow',
  add column attempt_delay_seconds integer not null default 0,
  add column later_attempt_delay_seconds integer not null default 0,
  add column time_limit_policy text not null default 'autosubmit',
  add column grace_seconds integer not null default 30,
  add column questions_version integer not null default 1,
  add constraint assessments_grading_method_known
    check (grading_method in ('highest', 'first', 'last', 'average')),
  add constraint assessments_retake_policy_known check (retake_policy in ('allow', 'forbid')),
  add constraint assessments_time_limit_policy_known
    check (time_limit_policy in ('autosubmit', 'grace_period', 'abandon', 'reject')),
  add constraint assessments_attempt_delay_range
    check (attempt_delay_seconds between 0 and 31622400),
  add constraint assessments_later_attempt_delay_range
    check (later_attempt_delay_seconds between 0 and 31622400),
  add constraint assessments_grace_range check (grace_seconds between 0 and 86400),
  add constraint assessments_questions_version_positive check (questions_version >= 1);
comment on column public.assessments.grading_method is
  'how attempts combine into the grade: highest, first, last or average (Moodle''s)';
comment on column public.assessments.retake_policy is
  'allow: a passed assessment may be attempted again while attempts remain; forbid';
comment on column public.assessments.attempt_delay_seconds is
  'seconds to wait after the first attempt ends before the second';
comment on column public.assessments.later_attempt_delay_seconds is
  'seconds to wait after each later attempt ends before the next';
comment on column public.assessments.time_limit_policy is
  'overdue handling: autosubmit, grace_period (submit only, until the grace ends), '
  'abandon, or reject (a late submission is refused)';
comment on column public.assessments.grace_seconds is
  'seconds after the time limit: latency tolerance, or the grace period (at most a day)';
comment on column public.assessments.questions_version is
  'the version of questions: 1 when created, one more at each change (set by trigger)';

-- question versions ---------------------------------------------------------------------

create table public.assessment_question_versions (
  assessment_id uuid not null references public.assessments (id) on delete cascade,
  version integer not null,
  questions jsonb not null,
  created_at timestamptz not null default now(),
  primary key (assessment_id, version),
  constraint assessment_question_versions_version_positive check (version >= 1)
);
comment on table public.assessment_question_versions is
  'lms: every version of each assessment''s questions (answer keys included), written by '
  'triggers on assessments; attempts are scored against the version they reference';

insert into public.assessment_question_versions (assessment_id, version, questions, created_at)
select id, questions_version, questions, updated_at from public.assessments;

-- The version follows the questions: compared as text, as the document receipts are (two
-- jsonb values equal as numbers, 1 and 1.0, are still an edit a student could see).
create function lms_private.version_assessment_questions() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_op = 'INSERT' then
    new.questions_version := 1;
  elsif new.questions::text is distinct from old.questions::text then
    new.questions_version := old.questions_version + 1;
  else
    new.questions_version := old.questions_version;
  end if;
  return new;
end;
$$;

create function lms_private.keep_question_version() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  insert into public.assessment_question_versions (assessment_id, version, questions)
  values (new.id, new.questions_version, new.questions)
  on conflict (assessment_id, version) do nothing;
  return null;
end;
$$;

create trigger assessments_questions_version
  before insert or update on public.assessments
  for each row execute function lms_private.version_assessment_questions();
create trigger assessments_keep_question_version
  after insert or update of questions on public.assessments
  for each row execute function lms_private.keep_question_version();

-- attempts ------------------------------------------------------------------------------

alter table public.assessment_attempts
  add column questions_version integer,
  add column exact_points_earned numeric(20, 6),
  add column abandoned_at timestamptz;
update public.assessment_attempts set questions_version = 1,
  exact_points_earned = points_earned;
alter table public.assessment_attempts
  alter column questions_version set not null,
  add constraint assessment_attempts_questions_version_fkey
    foreign key (assessment_id, questions_version)
    references public.assessment_question_versions (assessment_id, version),
  add constraint assessment_attempts_exact_points_non_negative check (exact_points_earned >= 0),
  add constraint assessment_attempts_exact_points_within_total
    check (exact_points_earned <= total_points),
  add constraint assessment_attempts_points_earned_rounded_down
    check (points_earned = floor(exact_points_earned)),
  add constraint assessment_attempts_abandoned_not_submitted
    check (abandoned_at is null or submitted_at is null),
  add constraint assessment_attempts_abandoned_after_started check (abandoned_at >= started_at),
  add constraint assessment_attempts_abandoned_ungraded
    check (abandoned_at is null or (score is null and passed is null));
comment on column public.assessment_attempts.questions_version is
  'the version of the assessment''s questions this attempt is scored against';
comment on column public.assessment_attempts.exact_points_earned is
  'points earned to the millionth; points_earned is this rounded down';
comment on column public.assessment_attempts.abandoned_at is
  'overdue and never submitted (grace_period, abandon): counts as an attempt, never graded';
create index idx_assessment_attempts_questions_version
  on public.assessment_attempts (assessment_id, questions_version);
create index idx_assessment_attempts_open
  on public.assessment_attempts (started_at)
  where submitted_at is null and abandoned_at is null;

-- A new attempt without a version takes the assessment's current one.
create function lms_private.attempt_questions_version() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.questions_version is null then
    select a.questions_version into new.questions_version
      from public.assessments a where a.id = new.assessment_id;
  end if;
  return new;
end;
$$;
create trigger assessment_attempts_questions_version
  before insert on public.assessment_attempts
  for each row execute function lms_private.attempt_questions_version();

-- The questions of an assessment as the actor may see them: for a student with an open
-- attempt, the version that attempt is scored against (stripped), and, timed, only
-- while answers may still be saved: until its deadline plus the assessment's grace, or,
-- under `grace_period` (whose grace is for submitting only), plus at most the 30 s
-- latency tolerance (lms_core::attempts::AttemptRules::answer_cutoff).
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
              and (x.time_limit is null or o.started_at is not null)
               then lms_private.strip_answer_keys(coalesce(o.questions, x.questions))
           end
      from (
        select a.questions, a.lesson_id, a.time_limit, a.grace_seconds, a.time_limit_policy,
               l.is_published as lesson_published,
               coalesce(a.course_id, l.course_id) as course_id
          from public.assessments a
          left join public.lessons l on l.id = a.lesson_id
         where a.id = assessment_questions.assessment_id
      ) x
      left join lateral (
        select t.started_at, v.questions
          from public.assessment_attempts t
          join public.assessment_question_versions v
            on v.assessment_id = t.assessment_id and v.version = t.questions_version
         where t.assessment_id = assessment_questions.assessment_id
           and t.student_id = (select auth.uid())
           and t.submitted_at is null and t.abandoned_at is null
           and (x.time_limit is null
                or statement_timestamp()
                   <= t.started_at + make_interval(mins => x.time_limit)
                      + make_interval(secs => case when x.time_limit_policy = 'grace_period'
                                                   then least(x.grace_seconds, 30)
                                                   else x.grace_seconds end))
         order by t.attempt_number desc
         limit 1
      ) o on true
  $$;

-- grants, RLS, owners ---------------------------------------------------------------------

-- (service_role too: Supabase's default privileges grant it ALL on every new table)
revoke all on table public.assessment_question_versions
  from public, anon, authenticated, service_role;
-- frozen even on the trusted path: a version is added, never changed nor deleted (it goes
-- with its assessment, by the cascade, which runs as the table's owner)
grant select, insert on table public.assessment_question_versions to service_role;
-- staff read the versions of their courses' assessments (answer keys, as the questions)
grant select on table public.assessment_question_versions to authenticated;
alter table public.assessment_question_versions enable row level security;
alter table public.assessment_question_versions force row level security;
create policy assessment_question_versions_select on public.assessment_question_versions
  for select to authenticated
  using (
    assessment_id in (
      select a.id from public.assessments a
       where a.course_id in (select lms_private.taught_course_ids())
          or a.lesson_id in (select lms_private.taught_lesson_ids()))
    or (select lms_private.is_admin())
  );

-- the policy columns: read by every reader of the assessment, written by its authors
grant select (grading_method, retake_policy, attempt_delay_seconds,
              later_attempt_delay_seconds, time_limit_policy, grace_seconds,
              questions_version)
  on table public.assessments to authenticated;
grant insert (grading_method, retake_policy, attempt_delay_seconds,
              later_attempt_delay_seconds, time_limit_policy, grace_seconds)
  on table public.assessments to authenticated;
grant update (grading_method, retake_policy, attempt_delay_seconds,
              later_attempt_delay_seconds, time_limit_policy, grace_seconds)
  on table public.assessments to authenticated;

revoke all on function
  lms_private.version_assessment_questions(),
  lms_private.keep_question_version(),
  lms_private.attempt_questions_version()
  from public, anon, authenticated;

-- The sign-up trigger function (20261126000002) kept PUBLIC's EXECUTE: a raw client could
-- attach it to a temporary table of their own and have it write a profile, as its owner,
-- for any auth user without one. Triggers fire without EXECUTE; nobody calls it.
revoke all on function public.handle_new_user() from public, anon, authenticated;

grant create on schema lms_private to service_role;
alter function lms_private.version_assessment_questions() owner to service_role;
alter function lms_private.keep_question_version() owner to service_role;
alter function lms_private.attempt_questions_version() owner to service_role;
alter function lms_private.assessment_questions(uuid) owner to service_role;
revoke create on schema lms_private from service_role;

-- Review options (#15, part 4; Moodle's review options): per assessment, when a student
-- sees each part of the review of a finished (submitted or abandoned) attempt —
-- `immediately`, `after_close` (once their close time, accommodations included, has
-- passed; never while the assessment has no close time) or `never`:
--   review_score        the attempt's score, points and pass, each question's points;
--   review_correctness  each question's outcome;
--   review_feedback     each question's message, explanation and grader's comment;
--   review_answers      the right answers (the attempt's questions with their keys).
-- The defaults keep what students saw before: everything but the right answers,
-- immediately. lms_core::delivery::ReviewOptions holds the same rule.
--
-- Enforced here, by the database's clock:
-- * a student reads their attempt's row (`assessment_attempts`) and its item responses
--   (`assessment_item_responses`) only while it is open or its score, correctness and
--   feedback are all shown (`lms_private.results_shown`);
-- * every attempt of theirs, always, through the view `attempt_reviews`: what is hidden
--   left out (nulls; the feedback document without the hidden fields,
--   `reviewed_feedback`; the questions with their keys only when the right answers are
--   shown). The course's staff and admins see every attempt they may read whole.
-- The progress (`student_progress.best_score`) and the course grade are the gradebook's:
-- the review options do not hide them (as in Moodle).

alter table public.assessments
  add column review_score text not null default 'immediately',
  add column review_correctness text not null default 'immediately',
  add column review_feedback text not null default 'immediately',
  add column review_answers text not null default 'never',
  add constraint assessments_review_moments check (
    review_score in ('immediately', 'after_close', 'never')
    and review_correctness in ('immediately', 'after_close', 'never')
    and review_feedback in ('immediately', 'after_close', 'never')
    and review_answers in ('immediately', 'after_close', 'never'));
comment on column public.assessments.review_score is
  'when a student sees the score, points and pass of a finished attempt: immediately, after_close, never';
comment on column public.assessments.review_correctness is
  'when a student sees whether each question was answered right';
comment on column public.assessments.review_feedback is
  'when a student sees each question''s message, explanation and grader''s comment';
comment on column public.assessments.review_answers is
  'when a student sees the right answers (the questions with their answer keys)';
-- as the attempt policy's other columns: read by the assessment's readers, written by
-- its authors
grant select (review_score, review_correctness, review_feedback, review_answers),
      insert (review_score, review_correctness, review_feedback, review_answers),
      update (review_score, review_correctness, review_feedback, review_answers)
  on table public.assessments to authenticated;

-- Whether a review moment has come now for an attempt finished or not whose student's
-- close time is `closes_at` (lms_core::delivery::ReviewMoment::reached).
create function lms_private.review_reached(moment text, finished boolean,
                                           closes_at timestamptz)
  returns boolean
  language sql stable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce(finished, false)
           and case moment
                 when 'immediately' then true
                 when 'after_close' then closes_at is not null
                                         and statement_timestamp() > closes_at
                 else false
               end
  $$;

-- What the review of the acting student's attempt at `assessment_id` shows them now:
-- everything when `whole` (the view's readers who see attempts whole: the course's staff,
-- admins, the service); otherwise what the review options show by the actor's own close
-- time. Booleans only: nothing a caller learns from it but the options of an assessment
-- and whether their own close time has passed.
create function lms_private.review_shown(assessment_id uuid, finished boolean, whole boolean)
  returns table (score boolean, correctness boolean, feedback boolean, answers boolean)
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select whole or lms_private.review_reached(x.review_score, finished, x.closes_at),
           whole or lms_private.review_reached(x.review_correctness, finished, x.closes_at),
           whole or lms_private.review_reached(x.review_feedback, finished, x.closes_at),
           whole or lms_private.review_reached(x.review_answers, finished, x.closes_at)
      from (
        select a.review_score, a.review_correctness, a.review_feedback, a.review_answers,
               -- the close time only when a moment depends on it
               case when not whole
                     and 'after_close' in (a.review_score, a.review_correctness,
                                           a.review_feedback, a.review_answers)
                    then (select s.closes_at
                            from lms_private.attempt_schedule(a.id, (select auth.uid())) s)
               end as closes_at
          from public.assessments a
         where a.id = review_shown.assessment_id
      ) x
  $$;

-- The policy's test for the acting student's own finished attempt at `assessment_id`:
-- whether its score, correctness and feedback are all shown now (the actor's own close
-- time; nobody else's is looked at).
create function lms_private.results_shown(assessment_id uuid) returns boolean
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
    select coalesce((
      select case
               when a.review_score = 'immediately' and a.review_correctness = 'immediately'
                and a.review_feedback = 'immediately' then true
               when 'never' in (a.review_score, a.review_correctness, a.review_feedback)
                 then false
               else coalesce((
                 select statement_timestamp() > s.closes_at
                   from lms_private.attempt_schedule(a.id, (select auth.uid())) s), false)
             end
        from public.assessments a
       where a.id = results_shown.assessment_id), false)
  $$;

-- A feedback document with only what is shown (lms_core::delivery::reviewed_feedback),
-- field by field (a field the document gains later shows only once listed here): each
-- question's `question_id`, `kind`, `max_points`, `manual` always; its `outcome` with
-- the correctness; its `points_earned` with the score and the correctness (the points
-- tell the outcome); its `message` (which names the outcome) with the feedback and the
-- correctness; its `explanation` and `grader_comment` with the feedback. The summary's
-- `total_points`, `minimum_passing_score`, `pending_review` always; its
-- `points_earned`, `score`, `passed` with the score.
create function lms_private.reviewed_feedback(feedback jsonb, score boolean,
                                              correctness boolean, shows_feedback boolean)
  returns jsonb
  language sql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
    select case when jsonb_typeof(feedback) = 'object' then jsonb_build_object(
             'questions', (
               select coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                        'question_id', q.value -> 'question_id',
                        'kind', q.value -> 'kind',
                        'outcome', case when correctness then q.value -> 'outcome' end,
                        'points_earned', case when score and correctness
                                              then q.value -> 'points_earned' end,
                        'max_points', q.value -> 'max_points',
                        'message', case when shows_feedback and correctness
                                        then q.value -> 'message' end,
                        'explanation', case when shows_feedback
                                            then q.value -> 'explanation' end,
                        'grader_comment', case when shows_feedback
                                               then q.value -> 'grader_comment' end,
                        'manual', q.value -> 'manual'))
                      order by q.n), '[]'::jsonb)
                 from jsonb_array_elements(case jsonb_typeof(feedback -> 'questions')
                                             when 'array' then feedback -> 'questions'
                                             else '[]'::jsonb end)
                      with ordinality q (value, n)
                where jsonb_typeof(q.value) = 'object'),
             'summary', jsonb_strip_nulls(jsonb_build_object(
               'points_earned', case when score then feedback -> 'summary' -> 'points_earned' end,
               'total_points', feedback -> 'summary' -> 'total_points',
               'score', case when score then feedback -> 'summary' -> 'score' end,
               'passed', case when score then feedback -> 'summary' -> 'passed' end,
               'minimum_passing_score', feedback -> 'summary' -> 'minimum_passing_score',
               'pending_review', feedback -> 'summary' -> 'pending_review')))
           end
  $$;

-- Own finished attempts: read whole only while the results are shown; an open one (or
-- an abandoned one, which has no result) always.
drop policy assessment_attempts_select on public.assessment_attempts;
create policy assessment_attempts_select on public.assessment_attempts for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
    or (student_id = (select auth.uid())
        and (submitted_at is null or lms_private.results_shown(assessment_id)))
  );

drop policy assessment_item_responses_select on public.assessment_item_responses;
create policy assessment_item_responses_select on public.assessment_item_responses
  for select to authenticated
  using (
    course_id in (select lms_private.taught_course_ids())
    or (select lms_private.is_admin())
    or (student_id = (select auth.uid()) and lms_private.results_shown(assessment_id))
  );

-- The reviews of the attempts the actor may read: a student's own, with what is hidden
-- left out; the staff's and admins' whole. Owned by service_role (the view reads as its
-- owner, which bypasses row level security): its own filter is the attempts policy's,
-- and the security barrier keeps a caller's conditions from running before it.
create view public.attempt_reviews with (security_barrier = true) as
  select t.id, t.assessment_id, t.course_id, t.student_id, t.attempt_number, t.answers,
         case when r.score then t.score end as score,
         case when r.score then t.points_earned end as points_earned,
         case when r.score then t.exact_points_earned end as exact_points_earned,
         t.total_points,
         case when r.score then t.passed end as passed,
         t.time_spent, t.started_at, t.submitted_at, t.abandoned_at, t.questions_version,
         case when r.score and r.correctness and r.feedback then t.feedback end as feedback,
         t.late_seconds,
         case when r.score then t.raw_points_earned end as raw_points_earned,
         case when r.score then t.raw_score end as raw_score,
         r.score as shows_score, r.correctness as shows_correctness,
         r.feedback as shows_feedback, r.answers as shows_answers,
         lms_private.reviewed_feedback(t.feedback, r.score, r.correctness, r.feedback)
           as reviewed_feedback,
         case when t.submitted_at is not null or t.abandoned_at is not null
              then lms_private.arranged(
                     case when r.answers then v.questions
                          else lms_private.strip_answer_keys(v.questions) end,
                     t.question_order, t.option_order)
         end as questions
    from public.assessment_attempts t
    left join public.assessment_question_versions v
      on v.assessment_id = t.assessment_id and v.version = t.questions_version
   -- whole to those who read attempts whole: the course's staff, admins, the service (a
   -- view's expressions run as its reader: current_user is theirs)
   cross join lateral (
     select t.course_id in (select lms_private.taught_course_ids())
            or (select lms_private.is_admin())
            or current_user = 'service_role' as whole) w
   cross join lateral lms_private.review_shown(
                t.assessment_id, t.submitted_at is not null or t.abandoned_at is not null,
                w.whole) r
   where w.whole or t.student_id = (select auth.uid());
comment on view public.attempt_reviews is
  'every attempt the actor may read, as its review options show it to its student now';

revoke all on function lms_private.review_reached(text, boolean, timestamptz),
  lms_private.review_shown(uuid, boolean, boolean), lms_private.results_shown(uuid),
  lms_private.reviewed_feedback(jsonb, boolean, boolean, boolean)
  from public, anon, authenticated;
grant execute on function lms_private.review_reached(text, boolean, timestamptz)
  to service_role;
-- what the policies and the view call run as their caller (a view's functions are
-- called as by the query that reads it); each answers about the caller only, or is pure
grant execute on function lms_private.review_shown(uuid, boolean, boolean),
  lms_private.results_shown(uuid),
  lms_private.reviewed_feedback(jsonb, boolean, boolean, boolean),
  lms_private.arranged(jsonb, text[], jsonb)
  to authenticated, service_role;

revoke all on table public.attempt_reviews from public, anon, authenticated;
grant select on table public.attempt_reviews to authenticated, service_role;

-- owned by service_role like the other helpers (20261126000003)
grant create on schema lms_private to service_role;
alter function lms_private.review_reached(text, boolean, timestamptz) owner to service_role;
alter function lms_private.review_shown(uuid, boolean, boolean) owner to service_role;
alter function lms_private.results_shown(uuid) owner to service_role;
alter function lms_private.reviewed_feedback(jsonb, boolean, boolean, boolean)
  owner to service_role;
revoke create on schema lms_private from service_role;
do $$
begin
  if has_schema_privilege('service_role', 'public', 'create') then
    alter view public.attempt_reviews owner to service_role;
  else
    grant create on schema public to service_role;
    alter view public.attempt_reviews owner to service_role;
    revoke create on schema public from service_role;
  end if;
end
$$;

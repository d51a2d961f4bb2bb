-- Lesson unlock times (#15, part 1): a lesson may open to its students at a time,
-- `lessons.unlocks_at` (Canvas's module "lock until", Moodle's "restrict access: date
-- from"), by the database's clock. Before it, a student sees the lesson in the outline
-- (its title and unlock time) and its assessment, but not its content blocks (the
-- content_blocks policy, on `open_lesson_ids`) nor its assessment's questions
-- (`assessment_questions`); the library refuses to record progress on it or to start its
-- assessment (`conflict`, reason `locked`). Its staff and admins see everything, as with
-- drafts. Written by the lesson's authors, as its other columns.

alter table public.lessons add column unlocks_at timestamptz;
comment on column public.lessons.unlocks_at is
  'when the lesson opens to its students (null: as soon as it is published)';

grant select (unlocks_at) on table public.lessons to anon;
grant insert (unlocks_at), update (unlocks_at) on table public.lessons to authenticated;

-- The lessons whose content the caller may read: readable_lesson_ids() (20261202000015)
-- less, for students, the lessons not unlocked yet. The lesson and its assessment stay
-- visible (the outline, the course grade); only the blocks wait.
create function lms_private.open_lesson_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  rows 100
  as $$
begin
  return query
    select l.id
      from public.lessons l
     where l.course_id = any (array(select lms_private.taught_course_ids()))
    union all
    select l.id
      from public.lessons l
     where l.course_id = any (array(
             select e.course_id from public.enrollments e where e.student_id = auth.uid()))
       and l.is_published
       and (l.unlocks_at is null or l.unlocks_at <= statement_timestamp());
end;
$$;

revoke all on function lms_private.open_lesson_ids() from public, anon, authenticated;
grant execute on function lms_private.open_lesson_ids() to authenticated, service_role;

drop policy content_blocks_select on public.content_blocks;
create policy content_blocks_select on public.content_blocks for select to authenticated
  using (
    lesson_id in (select lms_private.open_lesson_ids())
    or (select lms_private.is_admin())
  );

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
              -- an attempt begun (before the unlock time was moved) stays open
              and (x.unlocks_at is null or statement_timestamp() >= x.unlocks_at
                   or o.started_at is not null)
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
               l.is_published as lesson_published, l.unlocks_at,
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

-- owned by service_role like the other helpers (20261126000003, 20261202000014)
grant create on schema lms_private to service_role;
alter function lms_private.assessment_questions(uuid) owner to service_role;
alter function lms_private.open_lesson_ids() owner to service_role;
revoke create on schema lms_private from service_role;

//! A course's analytics for its instructor: the completion funnel, item analysis of an
//! assessment, the students at risk and the activity over time. The counting is SQL
//! over the course's indexed rows ([`queries`]), read under Row Level Security as the
//! actor (the course's instructor, an admin or the service); the statistics are
//! `lms_core::analytics`'. Days are UTC days.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use futures_util::TryStreamExt;
use lms_core::analytics::{
    self, AtRisk, Item, ItemResponses, ItemStatistics, RiskReason, RiskThresholds, StudentFacts,
    TestStatistics,
};
use lms_core::documents::{Document, Question, QuestionKind, QuestionSet};
use lms_core::model::{AssessmentId, CourseId, LessonId, UserId};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{Row, ValueRef};
use uuid::Uuid;

use crate::authoring::{require_staff, Right};
use crate::error::{Error, Result};
use crate::session::Scope;

/// The SQL of the course analytics, exactly as the use cases run it, for benchmarks and
/// `EXPLAIN`. `$1` is the course.
pub mod queries {
    /// Per published lesson of course `$1`, in course order: the enrolled students, and
    /// among them those who started it (opened, in progress or completed), completed it
    /// and passed its assessment, with the median seconds spent by those who started.
    /// Each row also carries the course's totals (`enrolled`, `course_completed`,
    /// `final_passed`).
    ///
    /// The course's progress rows are read in the order of
    /// `idx_student_progress_course_subjects` (lesson, assessment) and grouped as they
    /// come, without a sort. So the enrolled students filter them through a hashed
    /// subplan (`(… in (select …)) is true`), not a join: a hash join's output has no
    /// order the planner can keep, and the sort after it took a third of the time.
    pub const COMPLETION_FUNNEL: &str = "\
        with lessons as ( \
          select id, title, order_index, assessment_id from public.lessons \
           where course_id = $1 and is_published), \
        grouped as ( \
          select sp.lesson_id, sp.assessment_id, \
                 count(*) filter (where sp.started) as started, \
                 count(*) filter (where sp.status = 'completed') as completed, \
                 percentile_cont(0.5) within group (order by sp.time_spent) \
                   filter (where sp.started and sp.assessment_id is null) as median_seconds \
            from (select sp.lesson_id, sp.assessment_id, sp.status, sp.time_spent, \
                         (sp.status in ('in_progress', 'completed') \
                          or sp.last_accessed is not null or sp.time_spent > 0) as started \
                    from public.student_progress sp \
                   where sp.course_id = $1 \
                     and (sp.student_id in (select e.student_id from public.enrollments e \
                                             where e.course_id = $1)) is true) sp \
           group by sp.lesson_id, sp.assessment_id), \
        lp as ( \
          select lesson_id, started, completed, median_seconds from grouped \
           where lesson_id is not null and assessment_id is null), \
        ap as ( \
          select assessment_id, sum(completed)::bigint as passed from grouped \
           where assessment_id is not null group by assessment_id), \
        totals as ( \
          select count(*) as enrolled, count(completed_at) as course_completed, \
                 (select ap.passed from ap join public.courses c \
                    on c.id = $1 and c.final_assessment_id = ap.assessment_id) as final_passed, \
                 (select final_assessment_id from public.courses where id = $1) as final_assessment \
            from public.enrollments where course_id = $1) \
        select l.id as lesson_id, l.title, l.assessment_id, \
               coalesce(lp.started, 0) as started, coalesce(lp.completed, 0) as completed, \
               case when l.assessment_id is not null then coalesce(ap.passed, 0) end as passed, \
               lp.median_seconds, t.enrolled, t.course_completed, t.final_assessment, \
               coalesce(t.final_passed, 0) as final_passed \
          from totals t left join lessons l on true \
          left join lp on lp.lesson_id = l.id \
          left join ap on ap.assessment_id = l.assessment_id \
         order by l.order_index, l.id";

    /// One row per graded attempt (submitted, with a score) at assessment `$2` of course
    /// `$1`, as `assessment_item_responses` holds them — all of them (`$3 = 'all'`), each
    /// student's first (`'first'`) or last (`'last'`): its score, pass, and its
    /// questions' ids, kinds, points earned, points available, outcomes and responses, in
    /// the feedback's order, except that the three columns of the questions (ids, kinds,
    /// points available) are null where they equal `$4`, `$5` and `$6`, the current
    /// questions' (most attempts answer them, and the three were near half of the bytes
    /// sent: 26,941 attempts of 10 questions, 12.8 → 7.3 MB, 100 → 78 ms). The equality
    /// is computed once per row, below the union. Each filter is its own branch, which a
    /// generic plan skips unless `$3` names it: all the attempts are a plain scan (a
    /// window over them, which a generic plan keeps for every filter, sorted the
    /// assessment's wide rows first:
    /// 26,941 attempts, 90 → 50 ms), and a student's first or last attempt is picked from
    /// the narrow (student, number, id) before its row is read. The rows come in no
    /// particular order (sorting them cost more than the rest): sums of many
    /// floating-point terms, as the statistics' are, may differ in their last bits
    /// between two calls.
    pub const ITEM_RESPONSES: &str = "\
        select score, passed, case when not same then question_ids end, \
               case when not same then kinds end, points, \
               case when not same then max_points end, outcomes, responses \
          from ( \
          select r.score, r.passed, r.question_ids, r.kinds, r.points, r.max_points, \
                 r.outcomes, r.responses, \
                 coalesce(r.question_ids = $4 and r.kinds = $5 and r.max_points = $6, false) \
                   as same \
            from public.assessment_item_responses r \
           where r.course_id = $1 and r.assessment_id = $2 and $3 = 'all' \
          union all \
          select r.score, r.passed, r.question_ids, r.kinds, r.points, r.max_points, \
                 r.outcomes, r.responses, \
                 coalesce(r.question_ids = $4 and r.kinds = $5 and r.max_points = $6, false) \
            from (select distinct on (f.student_id) f.attempt_id \
                    from public.assessment_item_responses f \
                   where f.course_id = $1 and f.assessment_id = $2 and $3 in ('first', 'last') \
                   order by f.student_id, case when $3 = 'first' then f.attempt_number end, \
                            f.attempt_number desc) c \
            join public.assessment_item_responses r on r.attempt_id = c.attempt_id \
          offset 0) s";

    /// Per student enrolled in course `$1`: enrolment, name, the last activity (a lesson
    /// opened, content progress reported, an attempt submitted), lessons completed, per
    /// assessment not passed (its progress, by its grading method) the failed attempts
    /// since the last passing one (`[[assessment_id, failed], …]`), and the knowledge
    /// profile's skills. Of `student_progress` only the lessons' rows are aggregated, in
    /// student order from `idx_student_progress_course_lessons` (the assessments' half of
    /// them is looked up, by key, only for the failing streaks), and a streak is counted
    /// only where an assessment has failed attempts.
    pub const RISK_FACTS: &str = "\
        with e as ( \
          select student_id, enrolled_at, completed_at from public.enrollments \
           where course_id = $1), \
        sp as ( \
          select student_id, max(last_accessed) as last, \
                 count(*) filter (where status = 'completed') as lessons \
            from public.student_progress \
           where course_id = $1 and assessment_id is null group by student_id), \
        att as ( \
          select a.student_id, a.assessment_id, max(a.submitted_at) as last, \
                 max(a.attempt_number) filter (where a.passed) as last_pass, \
                 array_agg(a.attempt_number) filter (where a.passed is false) as failures \
            from public.assessment_attempts a \
           where a.course_id = $1 and a.submitted_at is not null \
           group by a.student_id, a.assessment_id), \
        streaks as ( \
          select att.*, case when att.failures is null then 0 \
                             else (select count(*) from unnest(att.failures) n \
                                    where n > coalesce(att.last_pass, 0)) end as failed \
            from att), \
        atf as ( \
          select s.student_id, max(s.last) as last, \
                 json_agg(json_build_array(s.assessment_id, s.failed)) \
                   filter (where s.failed > 0 and not exists ( \
                     select 1 from public.student_progress p \
                      where p.student_id = s.student_id and p.course_id = $1 \
                        and p.assessment_id = s.assessment_id and p.status = 'completed')) \
                   as failing \
            from streaks s group by s.student_id), \
        la as ( \
          select student_id, max(last_reported_at) as last from public.learning_activity \
           where course_id = $1 group by student_id) \
        select e.student_id, e.enrolled_at, e.completed_at, \
               nullif(btrim(concat_ws(' ', p.first_name, p.last_name)), '') as student_name, \
               p.email as student_email, \
               greatest(sp.last, atf.last, la.last) as last_active_at, \
               coalesce(sp.lessons, 0) as completed_lessons, \
               coalesce(atf.failing, '[]') as failing, \
               p.knowledge_profile -> 'skills' as skills \
          from e \
          left join sp on sp.student_id = e.student_id \
          left join atf on atf.student_id = e.student_id \
          left join la on la.student_id = e.student_id \
          left join public.profiles p on p.id = e.student_id";

    /// The skills of course `$1`: its lessons' learning objectives and the skills its
    /// questions name (run on the trusted path: `questions` holds the answer keys).
    pub const COURSE_SKILLS: &str = "\
        select o as skill from public.lessons l, unnest(l.learning_objectives) o \
         where l.course_id = $1 \
        union \
        select s from public.assessments a \
          left join public.lessons l on l.id = a.lesson_id, \
          jsonb_array_elements(case jsonb_typeof(a.questions) when 'array' \
                               then a.questions else '[]' end) q, \
          jsonb_array_elements_text(case jsonb_typeof(q->'skills') when 'array' \
                                    then q->'skills' else '[]' end) s \
         where a.course_id = $1 or l.course_id = $1";

    /// Per bucket (`$2`: `day` or `week`, weeks from Monday) from the date `$3` to `$4`
    /// (UTC days, both included), every bucket present: students active (content studied,
    /// an attempt submitted or a lesson completed), attempts submitted, lessons completed,
    /// seconds spent (content and attempts).
    pub const ACTIVITY: &str = "\
        with b as ( \
          select generate_series(date_trunc($2, $3::date::timestamp), \
                                 date_trunc($2, $4::date::timestamp), \
                                 ('1 ' || $2)::interval)::date as start), \
        ev as ( \
          select date_trunc($2, la.day::timestamp)::date as start, la.student_id, \
                 la.seconds, 0 as submissions, 0 as completions \
            from public.learning_activity la \
           where la.course_id = $1 and la.day between $3 and $4 \
          union all \
          select date_trunc($2, a.submitted_at at time zone 'UTC')::date, a.student_id, \
                 coalesce(a.time_spent, 0), 1, 0 \
            from public.assessment_attempts a \
           where a.course_id = $1 and a.submitted_at is not null \
             and (a.submitted_at at time zone 'UTC')::date between $3 and $4 \
          union all \
          select date_trunc($2, sp.completed_at at time zone 'UTC')::date, sp.student_id, 0, 0, 1 \
            from public.student_progress sp \
           where sp.course_id = $1 and sp.completed_at is not null \
             and sp.lesson_id is not null and sp.assessment_id is null \
             and (sp.completed_at at time zone 'UTC')::date between $3 and $4) \
        select b.start, count(distinct ev.student_id) as active_students, \
               coalesce(sum(ev.submissions), 0)::bigint as submissions, \
               coalesce(sum(ev.completions), 0)::bigint as completions, \
               coalesce(sum(ev.seconds), 0)::bigint as seconds \
          from b left join ev on ev.start = b.start \
         group by b.start order by b.start";

    /// The first UTC day of course `$1`'s activity (its first enrolment), or null.
    pub const FIRST_DAY: &str = "\
        select (min(enrolled_at) at time zone 'UTC')::date from public.enrollments \
         where course_id = $1";
}

/// One lesson of a [`CompletionFunnel`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStep {
    /// The lesson.
    pub lesson_id: LessonId,
    /// Its title.
    pub title: String,
    /// Students enrolled in the course.
    pub enrolled: u64,
    /// Enrolled students who started the lesson (opened it, in progress, completed).
    pub started: u64,
    /// Enrolled students who completed it.
    pub completed: u64,
    /// The lesson's assessment, if any…
    pub assessment_id: Option<AssessmentId>,
    /// …and the enrolled students who passed it.
    pub passed: Option<u64>,
    /// Median seconds spent on the lesson by those who started it.
    pub median_seconds: Option<f64>,
    /// The share of the previous lesson's completers (the enrolled, for the first lesson)
    /// this lesson lost: `1 − completed ÷ previous` (`lms_core::analytics::drop_off`).
    pub drop_off: Option<f64>,
}

/// A course's completion funnel: its published lessons in course order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletionFunnel {
    /// The course.
    pub course_id: CourseId,
    /// Students enrolled.
    pub enrolled: u64,
    /// Enrolled students who completed the course.
    pub completed: u64,
    /// The course's final assessment, if any…
    pub final_assessment_id: Option<AssessmentId>,
    /// …and the enrolled students who passed it.
    pub final_passed: Option<u64>,
    /// The lessons, in order.
    pub lessons: Vec<FunnelStep>,
}

/// Which of each student's graded attempts [`Scope::item_analysis`] reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptFilter {
    /// Every graded attempt.
    #[default]
    All,
    /// Each student's first graded attempt (before any practice on the test).
    First,
    /// Each student's last graded attempt.
    Last,
}

impl AttemptFilter {
    fn as_str(self) -> &'static str {
        match self {
            AttemptFilter::All => "all",
            AttemptFilter::First => "first",
            AttemptFilter::Last => "last",
        }
    }
}

/// How often an option was selected (or a true/false value given).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionShare {
    /// The option's id (`true` or `false` for a true/false question).
    pub option_id: String,
    /// The option's text.
    pub text: String,
    /// Whether selecting it earns credit (a positive fraction; the right value).
    pub correct: bool,
    /// Attempts that selected it.
    pub count: u64,
    /// `count` ÷ the question's attempts.
    pub share: f64,
}

/// A wrong short answer and how often it was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerCount {
    /// The answer, lower case, white space collapsed, trimmed.
    pub answer: String,
    /// Attempts that gave it.
    pub count: u64,
    /// `count` ÷ the question's attempts.
    pub share: f64,
}

/// One question of an [`ItemAnalysis`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemReport {
    /// Its id, points available, attempts, facility, discrimination and mean points
    /// (serialized as fields of the report).
    #[serde(flatten)]
    pub stats: ItemStatistics,
    /// Its kind.
    pub kind: QuestionKind,
    /// Its prompt.
    pub prompt: String,
    /// Attempts by outcome (`correct`, `partial`, `incorrect`, `unanswered`,
    /// `pending_review`).
    pub outcomes: BTreeMap<String, u64>,
    /// Choice questions: every option, in the question's order, with its share.
    pub options: Vec<OptionShare>,
    /// Short answers: the most common wrong answers (at most 10), most common first.
    pub wrong_answers: Vec<AnswerCount>,
}

/// Item analysis of an assessment: its questions (the current ones, in order) and the
/// test as a whole (`lms_core::analytics` defines every statistic).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemAnalysis {
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// Its title.
    pub title: String,
    /// Which attempts were read.
    pub attempts_read: AttemptFilter,
    /// The test's attempts, mean and standard deviation of the scores, alpha, pass rate
    /// and histogram (serialized as fields of the report).
    #[serde(flatten)]
    pub test: TestStatistics,
    /// The questions.
    pub items: Vec<ItemReport>,
}

/// A student at risk in a course, with every reason and the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskStudent {
    /// The student.
    pub student_id: UserId,
    /// Their name, if known.
    pub student_name: Option<String>,
    /// Their e-mail address.
    pub student_email: Option<String>,
    /// When they enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Their last activity in the course.
    pub last_active_at: Option<DateTime<Utc>>,
    /// Lessons completed.
    pub completed_lessons: u32,
    /// Lessons completed a week since enrolling.
    pub pace: f64,
    /// Why they are at risk.
    pub reasons: Vec<RiskReason>,
}

/// The students at risk in a course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskReport {
    /// The course.
    pub course_id: CourseId,
    /// When it was computed (the database's time).
    pub computed_at: DateTime<Utc>,
    /// The thresholds applied.
    pub thresholds: RiskThresholds,
    /// Students enrolled.
    pub cohort: u64,
    /// The cohort's median pace (lessons a week), when any student is judged on pace.
    pub cohort_median_pace: Option<f64>,
    /// The students at risk: most reasons first, then the longest inactive.
    pub students: Vec<AtRiskStudent>,
}

/// The width of an [`activity`](Scope::activity) bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// A UTC day.
    #[default]
    Day,
    /// A week from Monday (ISO).
    Week,
}

/// One bucket of a course's activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ActivityPoint {
    /// The bucket's first day.
    pub start: NaiveDate,
    /// Students active in it.
    pub active_students: i64,
    /// Attempts submitted.
    pub submissions: i64,
    /// Lessons completed.
    pub completions: i64,
    /// Seconds spent (content studied and attempts).
    pub seconds: i64,
}

/// The most buckets one [`activity`](Scope::activity) call returns.
pub const MAX_BUCKETS: i64 = 3_660;

/// The earliest day [`activity`](Scope::activity) takes.
const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
/// The latest day [`activity`](Scope::activity) takes.
const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");

fn count(row: &sqlx::postgres::PgRow, column: &str) -> sqlx::Result<u64> {
    Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or(0))
}

/// The course of an assessment as the actor sees it, with its title.
async fn assessment_of(
    tx: &mut crate::session::Tx,
    id: AssessmentId,
) -> Result<(CourseId, String)> {
    let row = sqlx::query(
        "select coalesce(a.course_id, l.course_id) as course_id, a.title \
           from public.assessments a left join public.lessons l on l.id = a.lesson_id \
          where a.id = $1",
    )
    .bind(id.0)
    .fetch_optional(tx.conn())
    .await?
    .ok_or_else(|| Error::not_found("assessment", id))?;
    let course: Option<Uuid> = row.try_get("course_id")?;
    let course = course.ok_or_else(|| Error::not_found("assessment", id))?;
    Ok((CourseId(course), row.try_get("title")?))
}

/// An assessment's questions with their answer keys, read on the trusted path: call it
/// once the actor is known to be the course's staff (answer keys are staff-only, and
/// `service_role` has no `assessment_questions()` identity). The transaction stays on
/// the trusted path: go back to the actor's role (`Tx::set_actor_role`) before reading
/// anything else.
async fn staff_questions(tx: &mut crate::session::Tx, id: AssessmentId) -> Result<QuestionSet> {
    tx.trusted().await?;
    let questions: serde_json::Value =
        sqlx::query_scalar("select questions from public.assessments where id = $1")
            .bind(id.0)
            .fetch_one(tx.conn())
            .await?;
    Ok(QuestionSet::validate(&questions).map_err(lms_core::Error::from)?)
}

/// The questions an attempt's item responses are about: ids, kinds, points available.
type Layout = (Vec<Option<String>>, String, Vec<Option<i32>>);

/// The elements of a `text[]` value of one dimension, their bytes borrowed from the row
/// (sqlx decodes an array only into owned values, a `String` per answer of every
/// attempt; the text is read from the bytes once per distinct answer). A null value has
/// no elements; a value of another type is refused, as sqlx's own decoding refuses it.
fn text_array(value: sqlx::postgres::PgValueRef<'_>) -> sqlx::Result<Vec<Option<&[u8]>>> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    let found = value.type_info();
    if !<Vec<String> as sqlx::Type<sqlx::Postgres>>::compatible(&found) {
        return Err(sqlx::Error::Decode(
            format!("a text array expected, found {found}").into(),
        ));
    }
    let bytes = value.as_bytes().map_err(sqlx::Error::Decode)?;
    text_elements(bytes).map_err(|why| sqlx::Error::Decode(format!("a text array: {why}").into()))
}

/// The elements of a one-dimensional array of text in PostgreSQL's binary format: the
/// number of dimensions (0 for an empty array), a null flag, the element type, per
/// dimension its length and lower bound, then per element its length (−1 for a null)
/// and its bytes.
fn text_elements(bytes: &[u8]) -> std::result::Result<Vec<Option<&[u8]>>, String> {
    let int = |at: usize| -> std::result::Result<i32, String> {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(i32::from_be_bytes)
            .ok_or_else(|| "truncated".to_owned())
    };
    let (len, mut at) = match int(0)? {
        0 => {
            int(8)?;
            (0, 12)
        }
        1 => (
            usize::try_from(int(12)?).map_err(|_| "a negative length".to_owned())?,
            20,
        ),
        n => return Err(format!("{n} dimensions")),
    };
    let mut out = Vec::with_capacity(len.min(bytes.len() / 4));
    for _ in 0..len {
        let n = int(at)?;
        at += 4;
        if n == -1 {
            out.push(None);
            continue;
        }
        let n = usize::try_from(n).map_err(|_| format!("an element of length {n}"))?;
        let text = bytes
            .get(at..at + n)
            .ok_or_else(|| "truncated".to_owned())?;
        out.push(Some(text));
        at += n;
    }
    if at != bytes.len() {
        return Err(format!("{} bytes after the elements", bytes.len() - at));
    }
    Ok(out)
}

/// The columns of [`queries::ITEM_RESPONSES`] by position (a name is looked up at each
/// row).
const SCORE: usize = 0;
/// See [`SCORE`].
const PASSED: usize = 1;
/// See [`SCORE`].
const LAYOUT_IDS: usize = 2;
/// See [`SCORE`].
const LAYOUT_KINDS: usize = 3;
/// See [`SCORE`].
const POINTS: usize = 4;
/// See [`SCORE`].
const LAYOUT_MAX_POINTS: usize = 5;
/// See [`SCORE`].
const OUTCOMES_LETTERS: usize = 6;
/// See [`SCORE`].
const RESPONSES: usize = 7;

/// What the attempts answered to one item: outcomes, and the answers as stored (each
/// choice or true/false answer, each wrong short answer) counted, to be taken apart
/// once each ([`Tally::finish`]) rather than once per attempt.
#[derive(Default)]
struct Tally {
    outcomes: [u64; 5],
    answers: HashMap<Vec<u8>, u64>,
}

/// What [`Tally::finish`] makes of the answers: the options (or true/false values)
/// picked, the wrong short answers (normalized).
#[derive(Default)]
struct Answered {
    picks: HashMap<String, u64>,
    wrong: HashMap<String, u64>,
}

/// The outcomes in the order of [`Tally::outcomes`], with their letters in
/// `assessment_item_responses.outcomes`.
const OUTCOMES: [(char, &str); 5] = [
    ('c', "correct"),
    ('p', "partial"),
    ('i', "incorrect"),
    ('u', "unanswered"),
    ('r', "pending_review"),
];

impl Tally {
    /// Counts one attempt's answer to the item: its kind and outcome (letters) and its
    /// response's bytes as `assessment_item_responses` holds them.
    fn add(&mut self, kind: char, outcome: char, response: Option<&[u8]>) {
        if let Some(k) = OUTCOMES.iter().position(|(letter, _)| *letter == outcome) {
            self.outcomes[k] += 1;
        }
        let Some(response) = response else {
            return;
        };
        if matches!(kind, 'm' | 't') || (kind == 's' && outcome == 'i') {
            match self.answers.get_mut(response) {
                Some(n) => *n += 1,
                None => {
                    self.answers.insert(response.to_vec(), 1);
                }
            }
        }
    }

    /// The answers of an item of `kind` taken apart: a choice answer is a JSON array of
    /// the option ids picked, a true/false one `true` or `false`, a short answer its text
    /// (grouped [`normalized`], blanks left out).
    fn finish(&self, kind: char) -> Answered {
        let mut out = Answered::default();
        for (raw, &n) in &self.answers {
            let Ok(response) = std::str::from_utf8(raw) else {
                continue;
            };
            match kind {
                'm' => {
                    let selected: Vec<std::borrow::Cow<'_, str>> =
                        serde_json::from_str(response).unwrap_or_default();
                    for id in selected {
                        *out.picks.entry(id.into_owned()).or_default() += n;
                    }
                }
                't' if matches!(response, "true" | "false") => {
                    *out.picks.entry(response.to_owned()).or_default() += n;
                }
                's' => {
                    let text = normalized(response);
                    if !text.is_empty() {
                        *out.wrong.entry(text).or_default() += n;
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The outcomes counted, by name.
    fn outcome_counts(&self) -> BTreeMap<String, u64> {
        OUTCOMES
            .iter()
            .zip(self.outcomes)
            .filter(|(_, n)| *n > 0)
            .map(|((_, name), n)| ((*name).to_owned(), n))
            .collect()
    }
}

/// A short answer as wrong answers are grouped: lower case, runs of white space as one
/// space, trimmed.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The prompt of a question.
fn prompt(q: &Question) -> &str {
    match q {
        Question::MultipleChoice(q) => &q.prompt,
        Question::TrueFalse(q) => &q.prompt,
        Question::ShortAnswer(q) => &q.prompt,
        Question::Essay(q) => &q.prompt,
    }
}

impl Scope {
    /// The completion funnel of a course: per published lesson in order, the enrolled
    /// students, those who started it, completed it and passed its assessment, the
    /// median time spent and the drop-off from the previous lesson. For the course's
    /// instructor, an admin or the service.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "completion_funnel", actor = self.actor.role_name()))]
    pub async fn completion_funnel(&self, course_id: CourseId) -> Result<CompletionFunnel> {
        let mut tx = self.begin_read().await?;
        require_staff(&mut tx, course_id, Right::Grade, "read the analytics of").await?;
        super::for_read_models(&mut tx).await?;
        let rows = sqlx::query(queries::COMPLETION_FUNNEL)
            .bind(course_id.0)
            .fetch_all(tx.conn())
            .await?;
        tx.commit().await?;
        let first = rows.first();
        let total = |column: &str| first.map(|r| count(r, column)).transpose();
        let enrolled = total("enrolled")?.unwrap_or(0);
        let final_assessment_id = first
            .map(|r| r.try_get::<Option<Uuid>, _>("final_assessment"))
            .transpose()?
            .flatten()
            .map(AssessmentId);
        let mut previous = enrolled;
        let mut lessons = Vec::new();
        for row in &rows {
            let Some(lesson) = row.try_get::<Option<Uuid>, _>("lesson_id")? else {
                continue; // a course without published lessons: the totals' row alone
            };
            let completed = count(row, "completed")?;
            lessons.push(FunnelStep {
                lesson_id: LessonId(lesson),
                title: row.try_get("title")?,
                enrolled,
                started: count(row, "started")?,
                completed,
                assessment_id: row
                    .try_get::<Option<Uuid>, _>("assessment_id")?
                    .map(AssessmentId),
                passed: row
                    .try_get::<Option<i64>, _>("passed")?
                    .map(|n| u64::try_from(n).unwrap_or(0)),
                median_seconds: row.try_get("median_seconds")?,
                drop_off: analytics::drop_off(previous, completed),
            });
            previous = completed;
        }
        Ok(CompletionFunnel {
            course_id,
            enrolled,
            completed: total("course_completed")?.unwrap_or(0),
            final_passed: final_assessment_id
                .map(|_| total("final_passed"))
                .transpose()?
                .flatten(),
            final_assessment_id,
            lessons,
        })
    }

    /// Item analysis of an assessment over its graded attempts (`which`: all, each
    /// student's first or last): per current question the attempts, facility,
    /// discrimination, mean points, outcomes, option shares (choice questions) and the
    /// most common wrong answers (short answers); for the test the mean and standard
    /// deviation of the scores, Cronbach's alpha, the pass rate and a histogram. For the
    /// course's instructor, an admin or the service.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "item_analysis", actor = self.actor.role_name()))]
    pub async fn item_analysis(
        &self,
        assessment_id: AssessmentId,
        which: AttemptFilter,
    ) -> Result<ItemAnalysis> {
        let mut tx = self.begin_read().await?;
        let (course, title) = assessment_of(&mut tx, assessment_id).await?;
        require_staff(&mut tx, course, Right::Grade, "read the analytics of").await?;
        super::for_read_models(&mut tx).await?;
        // the questions first (the actor is staff), then the responses as the actor,
        // taken apart as they arrive: the client's work overlaps the server's
        let questions = staff_questions(&mut tx, assessment_id).await?;
        tx.set_actor_role().await?;
        let items: Vec<Item> = questions
            .0
            .iter()
            .map(|q| Item {
                question_id: q.id().to_owned(),
                max_points: q.points(),
            })
            .collect();
        // each item's kind as the item responses spell it
        let letters: Vec<char> = questions
            .0
            .iter()
            .map(|q| match q.kind() {
                QuestionKind::MultipleChoice => 'm',
                QuestionKind::TrueFalse => 't',
                QuestionKind::ShortAnswer => 's',
                QuestionKind::Essay => 'e',
            })
            .collect();
        let index: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.question_id.as_str(), i))
            .collect();
        let mut tallies: Vec<Tally> = (0..items.len()).map(|_| Tally::default()).collect();
        // the current layout: per position, the item it holds (an answer to an older
        // version worth other points or of another kind is not this item's) and the
        // question's kind
        let mut layout: Vec<(Option<usize>, char)> = Vec::new();
        // the layout columns' bytes as received, compared before anything is decoded
        let (mut key, mut last_key) = (Vec::new(), vec![0xff_u8; 1]);
        let mut attempts = Vec::new();
        // the current questions as the item responses spell them: an attempt that
        // answered exactly these comes without them (the columns are not null, so a null
        // is this); points beyond an integer's range match no row (none is compared)
        let maxes: Option<Vec<i32>> = items
            .iter()
            .map(|it| i32::try_from(it.max_points).ok())
            .collect();
        let current: (Vec<&str>, String, Option<Vec<i32>>) = (
            items.iter().map(|it| it.question_id.as_str()).collect(),
            letters.iter().collect(),
            maxes,
        );
        let mut rows = sqlx::query(queries::ITEM_RESPONSES)
            .bind(course.0)
            .bind(assessment_id.0)
            .bind(which.as_str())
            .bind(&current.0)
            .bind(&current.1)
            .bind(&current.2)
            .fetch(tx.conn());
        while let Some(row) = rows.try_next().await? {
            key.clear();
            let mut comparable = true;
            for column in [LAYOUT_IDS, LAYOUT_KINDS, LAYOUT_MAX_POINTS] {
                let raw = row.try_get_raw(column)?;
                if raw.is_null() {
                    key.extend_from_slice(&u64::MAX.to_le_bytes());
                } else if let Ok(bytes) = raw.as_bytes() {
                    key.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                    key.extend_from_slice(bytes);
                } else {
                    comparable = false;
                }
            }
            // the same questions as the attempt before (one version's attempts share them)
            if !comparable || key != last_key {
                std::mem::swap(&mut key, &mut last_key);
                if row.try_get_raw(LAYOUT_IDS)?.is_null() {
                    // null where they are the current questions (the query nulls the
                    // three together), each then at its place
                    layout = letters
                        .iter()
                        .enumerate()
                        .map(|(i, &k)| (Some(i), k))
                        .collect();
                } else {
                    let (ids, kinds, maxes): Layout = (
                        row.try_get(LAYOUT_IDS)?,
                        row.try_get(LAYOUT_KINDS)?,
                        row.try_get(LAYOUT_MAX_POINTS)?,
                    );
                    let mut kinds = kinds.chars();
                    layout = ids
                        .iter()
                        .enumerate()
                        .map(|(k, id)| {
                            let item = id.as_deref().and_then(|id| index.get(id)).copied();
                            let max = maxes.get(k).copied().flatten();
                            let kind = kinds.next().unwrap_or('?');
                            // an older version of the question with other points or of another
                            // kind is not this item
                            let held = item.filter(|&i| {
                                max.and_then(|m| u32::try_from(m).ok()) == Some(items[i].max_points)
                                    && letters[i] == kind
                            });
                            (held, kind)
                        })
                        .collect();
                }
            }
            // by position, and the strings borrowed from the row: no allocation per answer
            let earned: Vec<Option<f64>> = row.try_get(POINTS)?;
            let outcomes: &str = row.try_get(OUTCOMES_LETTERS)?;
            let answers = text_array(row.try_get_raw(RESPONSES)?)?;
            let mut points = vec![None; items.len()];
            for ((k, (held, kind)), outcome) in layout.iter().enumerate().zip(outcomes.chars()) {
                let Some(i) = *held else {
                    continue;
                };
                points[i] = earned.get(k).copied().flatten();
                tallies[i].add(*kind, outcome, answers.get(k).copied().flatten());
            }
            attempts.push(ItemResponses {
                score: row
                    .try_get::<Option<i32>, _>(SCORE)?
                    .and_then(|s| u32::try_from(s).ok()),
                passed: row.try_get(PASSED)?,
                points,
            });
        }
        drop(rows);
        tx.commit().await?;
        let (stats, test) = analytics::item_statistics(&items, &attempts)?;
        let items = questions
            .0
            .iter()
            .zip(stats)
            .zip(tallies)
            .zip(&letters)
            .map(|(((q, s), tally), &kind)| {
                let n = s.attempts;
                let share = |c: u64| if n == 0 { 0.0 } else { c as f64 / n as f64 };
                let answered = tally.finish(kind);
                let picked = |id: &str| answered.picks.get(id).copied().unwrap_or(0);
                let options = match q {
                    Question::MultipleChoice(m) => m
                        .options
                        .iter()
                        .map(|o| OptionShare {
                            option_id: o.id.clone(),
                            text: o.text.clone(),
                            correct: o.fraction > 0.0,
                            count: picked(&o.id),
                            share: share(picked(&o.id)),
                        })
                        .collect(),
                    Question::TrueFalse(t) => [true, false]
                        .into_iter()
                        .map(|v| {
                            let c = picked(if v { "true" } else { "false" });
                            OptionShare {
                                option_id: v.to_string(),
                                text: if v { "True" } else { "False" }.into(),
                                correct: v == t.correct,
                                count: c,
                                share: share(c),
                            }
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let outcomes = tally.outcome_counts();
                let mut wrong: Vec<(String, u64)> = answered.wrong.into_iter().collect();
                wrong.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                wrong.truncate(10);
                ItemReport {
                    kind: q.kind(),
                    prompt: prompt(q).to_owned(),
                    outcomes,
                    options,
                    wrong_answers: wrong
                        .into_iter()
                        .map(|(answer, c)| AnswerCount {
                            answer,
                            count: c,
                            share: share(c),
                        })
                        .collect(),
                    stats: s,
                }
            })
            .collect();
        Ok(ItemAnalysis {
            assessment_id,
            title,
            attempts_read: which,
            test,
            items,
        })
    }

    /// The students at risk in a course by `thresholds`: inactive, behind the cohort's
    /// median pace, repeatedly failing an assessment, or with low mastery of a skill of
    /// the course (their knowledge profile, kept by roadmap generation) — each with the
    /// reasons and the numbers behind them. Students who completed the course are not
    /// listed. For the course's instructor, an admin or the service.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "at_risk_students", actor = self.actor.role_name()))]
    pub async fn at_risk_students(
        &self,
        course_id: CourseId,
        thresholds: RiskThresholds,
    ) -> Result<AtRiskReport> {
        let thresholds = thresholds.checked()?;
        let mut tx = self.begin_read().await?;
        require_staff(&mut tx, course_id, Right::Grade, "read the analytics of").await?;
        super::for_read_models(&mut tx).await?;
        let rows = sqlx::query(queries::RISK_FACTS)
            .bind(course_id.0)
            .fetch_all(tx.conn())
            .await?;
        // which question tests which skill is the staff's to know; the actor is staff
        tx.trusted().await?;
        let skills: Vec<String> = sqlx::query_scalar(queries::COURSE_SKILLS)
            .bind(course_id.0)
            .fetch_all(tx.conn())
            .await?;
        let now: DateTime<Utc> = sqlx::query_scalar("select now()")
            .fetch_one(tx.conn())
            .await?;
        tx.commit().await?;
        let skills: HashSet<String> = skills
            .iter()
            .filter_map(|s| lms_core::roadmap::skill_name(s))
            .collect();
        let mut people = HashMap::new();
        let facts = rows
            .iter()
            .map(|row| {
                let student = UserId(row.try_get("student_id")?);
                let Json(failing): Json<Vec<(Uuid, i64)>> = row.try_get("failing")?;
                let profile: Option<serde_json::Value> = row.try_get("skills")?;
                let mastery = profile
                    .as_ref()
                    .and_then(serde_json::Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter(|(name, _)| skills.contains(name.as_str()))
                    .filter_map(|(name, v)| {
                        let m = v.get("mastery")?.as_f64()?;
                        let e = v.get("evidence").and_then(serde_json::Value::as_u64)?;
                        Some((name.clone(), m, u32::try_from(e).unwrap_or(u32::MAX)))
                    })
                    .collect();
                let completed_lessons =
                    u32::try_from(row.try_get::<i64, _>("completed_lessons")?).unwrap_or(u32::MAX);
                people.insert(
                    student,
                    (
                        row.try_get::<Option<String>, _>("student_name")?,
                        row.try_get::<Option<String>, _>("student_email")?,
                    ),
                );
                Ok(StudentFacts {
                    student_id: student,
                    enrolled_at: row.try_get("enrolled_at")?,
                    completed_at: row.try_get("completed_at")?,
                    last_active_at: row.try_get("last_active_at")?,
                    completed_lessons,
                    failing: failing
                        .into_iter()
                        .map(|(a, n)| (AssessmentId(a), u32::try_from(n).unwrap_or(u32::MAX)))
                        .collect(),
                    mastery,
                })
            })
            .collect::<sqlx::Result<Vec<_>>>()?;
        let cohort_median_pace = analytics::cohort_pace(&facts, thresholds.min_days_enrolled, now);
        let found = analytics::at_risk(&facts, &thresholds, now)?;
        let by_id: HashMap<UserId, &StudentFacts> =
            facts.iter().map(|f| (f.student_id, f)).collect();
        let students = found
            .into_iter()
            .filter_map(
                |AtRisk {
                     student_id,
                     pace,
                     reasons,
                 }| {
                    let f = by_id.get(&student_id)?;
                    let (name, email) = people.remove(&student_id).unwrap_or_default();
                    Some(AtRiskStudent {
                        student_id,
                        student_name: name,
                        student_email: email,
                        enrolled_at: f.enrolled_at,
                        last_active_at: f.last_active_at,
                        completed_lessons: f.completed_lessons,
                        pace,
                        reasons,
                    })
                },
            )
            .collect();
        Ok(AtRiskReport {
            course_id,
            computed_at: now,
            thresholds,
            cohort: facts.len() as u64,
            cohort_median_pace,
            students,
        })
    }

    /// A course's activity per day or week from `from` to `to` (UTC days, both
    /// included; `to` defaults to today, `from` to the course's first enrolment; weeks
    /// are whole, from the Monday of `from`'s week to the Sunday of `to`'s): active
    /// students, attempts submitted, lessons completed and seconds spent, every bucket
    /// present (zeros where nothing happened), at most [`MAX_BUCKETS`]. For the course's
    /// instructor, an admin or the service.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "activity", actor = self.actor.role_name()))]
    pub async fn activity(
        &self,
        course_id: CourseId,
        bucket: Bucket,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<ActivityPoint>> {
        for (field, day) in [("from", from), ("to", to)] {
            if let Some(day) = day.filter(|d| !(FIRST_DAY..=LAST_DAY).contains(d)) {
                return Err(lms_core::Error::InvalidInput {
                    field,
                    reason: format!("{day} is not between {FIRST_DAY} and {LAST_DAY}"),
                }
                .into());
            }
        }
        let mut tx = self.begin_read().await?;
        require_staff(&mut tx, course_id, Right::Grade, "read the analytics of").await?;
        super::for_read_models(&mut tx).await?;
        let to = match to {
            Some(day) => day,
            None => {
                sqlx::query_scalar("select (now() at time zone 'UTC')::date")
                    .fetch_one(tx.conn())
                    .await?
            }
        };
        let from = match from {
            Some(day) => day,
            None => sqlx::query_scalar::<_, Option<NaiveDate>>(queries::FIRST_DAY)
                .bind(course_id.0)
                .fetch_one(tx.conn())
                .await?
                .unwrap_or(to)
                .min(to),
        };
        if from > to {
            return Err(lms_core::Error::InvalidInput {
                field: "from",
                reason: format!("{from} is after {to}"),
            }
            .into());
        }
        // whole weeks: from the Monday of `from`'s week to the Sunday of `to`'s
        let (from, to) = match bucket {
            Bucket::Day => (from, to),
            Bucket::Week => {
                let monday =
                    |d: NaiveDate| d - chrono::Days::new(d.weekday().num_days_from_monday().into());
                (monday(from), monday(to) + chrono::Days::new(6))
            }
        };
        let days = (to - from).num_days() + 1;
        let buckets = match bucket {
            Bucket::Day => days,
            Bucket::Week => days / 7 + 2,
        };
        if buckets > MAX_BUCKETS {
            return Err(lms_core::Error::InvalidInput {
                field: "from",
                reason: format!(
                    "{from}..{to} spans {buckets} buckets; at most {MAX_BUCKETS} in one call"
                ),
            }
            .into());
        }
        let unit = match bucket {
            Bucket::Day => "day",
            Bucket::Week => "week",
        };
        let points = sqlx::query_as::<_, ActivityPoint>(queries::ACTIVITY)
            .bind(course_id.0)
            .bind(unit)
            .bind(from)
            .bind(to)
            .fetch_all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(points)
    }
}

#[cfg(test)]
mod tests {
    use super::text_elements;

    /// A one-dimensional `text[]` in PostgreSQL's binary format (element type 25).
    fn encoded(elements: &[Option<&str>]) -> Vec<u8> {
        let mut out = Vec::new();
        let has_null = elements.iter().any(Option::is_none);
        for n in [1, i32::from(has_null), 25, elements.len() as i32, 1] {
            out.extend_from_slice(&n.to_be_bytes());
        }
        for e in elements {
            match e {
                None => out.extend_from_slice(&(-1_i32).to_be_bytes()),
                Some(text) => {
                    out.extend_from_slice(&(text.len() as i32).to_be_bytes());
                    out.extend_from_slice(text.as_bytes());
                }
            }
        }
        out
    }

    #[test]
    fn text_arrays_are_read_from_the_binary_format() {
        let elements = [Some("[\"b\"]"), None, Some(""), Some("réponse")];
        let bytes: Vec<Option<&[u8]>> = elements.iter().map(|e| e.map(str::as_bytes)).collect();
        assert_eq!(text_elements(&encoded(&elements)).unwrap(), bytes);
        // an empty array has no dimensions
        let empty: Vec<u8> = [0_i32, 0, 25]
            .iter()
            .flat_map(|n| n.to_be_bytes())
            .collect();
        assert_eq!(text_elements(&empty).unwrap(), Vec::<Option<&[u8]>>::new());
    }

    #[test]
    fn malformed_text_arrays_are_errors() {
        let good = encoded(&[Some("abc"), Some("de")]);
        for cut in 0..good.len() {
            assert!(text_elements(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut two_dims = good.clone();
        two_dims[3] = 2;
        assert!(text_elements(&two_dims).is_err());
        let mut negative = good.clone();
        negative[12..16].copy_from_slice(&(-3_i32).to_be_bytes());
        assert!(text_elements(&negative).is_err());
        let mut below_null = good.clone();
        below_null[20..24].copy_from_slice(&(-2_i32).to_be_bytes());
        assert!(text_elements(&below_null).is_err());
        let mut trailing = good;
        trailing.push(0);
        assert!(text_elements(&trailing).is_err());
    }
}

//! Personalized roadmaps and knowledge tracing as use cases: a student's roadmap through
//! a course is planned by `lms_core::roadmap` from what the database holds (the course
//! graph, the student's progress and graded answers, their preferences, the course's
//! knowledge model) and stored in one transaction with the mastery it was planned from.
//!
//! * **Who**: a student generates and reads their own roadmap of a course they are
//!   enrolled in; the service may do it for any enrolled student; the course's
//!   instructor (and admins) read their course's roadmaps (Row Level Security) and
//!   regenerate the stale ones, fit and set the course's knowledge model. Nobody writes
//!   `roadmap_data` or `knowledge_profile` directly: the library writes them on the
//!   trusted path after these checks.
//! * **Mastery** is traced from scratch at each generation, over every graded answer of
//!   the student in the course in the order they were submitted (`lms_core::roadmap::profile`:
//!   microseconds per thousand answers; the attempts are read as their questions'
//!   outcomes, not whole feedback documents), and the course's skills of the stored
//!   `knowledge_profile` are replaced with the result; skills of other courses stay. A
//!   skill is a lesson's objective or a course's tag as `roadmap::skill_name` makes it,
//!   or a question's own `skills`.
//! * **Staleness instead of writes on the hot path**: submitting, grading and content
//!   progress do not touch the roadmap. A roadmap is *stale* when what it was planned
//!   from changed after it was generated ([`CourseRoadmap::stale`]);
//!   [`Scope::regenerate_roadmaps`] renews the stale ones of a course. Why: regenerating
//!   in the submission's transaction would add the whole generation to every submission
//!   — 2.7× its cost, measured in `BENCHMARKS.md` — while the roadmap only matters when
//!   a student looks at it.
//! * **Concurrency**: every generation takes the student's roadmap lock before it reads
//!   their facts, so generations (of any course: they share the knowledge profile)
//!   follow one another; one active roadmap per student and course is also a unique
//!   index. An advisor is asked with no transaction open.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use lms_core::documents::limits::MAX_SKILLS;
use lms_core::documents::{
    KnowledgeProfile, LearningPreferences, Outcome, QuestionSet, RoadmapData,
};
use lms_core::model::*;
use lms_core::roadmap::{
    self, AnswerRow, BktParams, FitOptions, Fitted, KnowledgeModel, Observation, PlanAssessment,
    PlanBlock, PlanInput, PlanLesson, PlanSettings, Roadmap, RoadmapAdvisor, SkillFit, Standing,
    Violation,
};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use crate::authoring::{course, require_staff, Right};
use crate::error::{Error, Result};
use crate::learning::{enrollment, student_of};
use crate::repos::lock_roadmaps;
use crate::rows;
use crate::session::{Actor, Scope, Tx};

/// A student's roadmap of a course, and whether it is stale: the student's progress
/// rows or attempts in the course, the course's knowledge model or its content (the
/// course, its lessons, its assessments) changed after it was generated, or it names a
/// lesson or assessment that is gone or withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseRoadmap {
    /// The stored roadmap.
    #[serde(flatten)]
    pub roadmap: PersonalizedRoadmap,
    /// Whether it is stale (see the type's docs).
    pub stale: bool,
}

/// What became of a proposal handed to [`Scope::propose_roadmap`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalOutcome {
    /// Whether it was stored.
    pub accepted: bool,
    /// The stored roadmap, when accepted.
    pub roadmap: Option<CourseRoadmap>,
    /// The rules it broke, when refused (then nothing was stored).
    pub violations: Vec<Violation>,
}

/// A course's fitted knowledge model ([`Scope::fit_knowledge_model`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedModel {
    /// The course.
    pub course_id: CourseId,
    /// Per skill, by name, the fit (skills without answers are not fitted).
    pub skills: Vec<SkillFit>,
    /// Graded answers seen (one per question and skill).
    pub answers: u64,
}

/// What [`Scope::regenerate_roadmaps`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regenerated {
    /// Active roadmaps of the course that were stale and were generated anew.
    pub regenerated: u64,
    /// Active roadmaps that were fresh, left as they are.
    pub fresh: u64,
    /// The students whose roadmap could not be generated, and why (the others were).
    pub failed: Vec<RegenerationFailure>,
}

/// A student whose roadmap [`Scope::regenerate_roadmaps`] could not generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegenerationFailure {
    /// The student.
    pub student_id: UserId,
    /// The error's code.
    pub code: lms_core::ErrorCode,
    /// The error, for people.
    pub message: String,
}

/// The columns of a roadmap and its staleness, from `personalized_roadmaps r`.
const STALE: &str = "(greatest( \
       (select max(sp.updated_at) from public.student_progress sp \
         where sp.student_id = r.student_id and sp.course_id = r.course_id), \
       (select max(coalesce(a.submitted_at, a.started_at)) from public.assessment_attempts a \
         where a.student_id = r.student_id and a.course_id = r.course_id), \
       (select max(k.updated_at) from public.knowledge_models k where k.course_id = r.course_id), \
       (select c.updated_at from public.courses c where c.id = r.course_id), \
       (select max(l.updated_at) from public.lessons l where l.course_id = r.course_id), \
       (select max(a.updated_at) from public.assessments a \
         where a.course_id = r.course_id \
            or a.lesson_id in (select l.id from public.lessons l where l.course_id = r.course_id)) \
     ) > r.generated_at \
     or exists ( \
       select 1 from jsonb_array_elements(case jsonb_typeof(r.roadmap_data->'steps') \
                                          when 'array' then r.roadmap_data->'steps' else '[]' end) st \
        where (st ? 'lesson_id' and not exists ( \
                 select 1 from public.lessons l \
                  where l.id::text = st->>'lesson_id' and l.is_published)) \
           or (st ? 'assessment_id' and not exists ( \
                 select 1 from public.assessments a where a.id::text = st->>'assessment_id')))) \
     is true as stale";

fn course_roadmap(row: &sqlx::postgres::PgRow) -> Result<CourseRoadmap> {
    let roadmap = <rows::Db<PersonalizedRoadmap> as sqlx::FromRow<_>>::from_row(row)?.0;
    Ok(CourseRoadmap {
        roadmap,
        stale: row.try_get("stale")?,
    })
}

/// The active roadmap of `student` in `course`, as the actor may see it (Row Level
/// Security), and its staleness, read on the trusted path: what made it stale may be
/// rows the actor does not read (the course's knowledge model, for a student).
async fn active(tx: &mut Tx, student: Uuid, course: Uuid) -> Result<Option<CourseRoadmap>> {
    let sql = format!(
        "select {} from public.personalized_roadmaps r \
          where r.student_id = $1 and r.course_id = $2 and r.status = 'active'",
        rows::ROADMAP_OF_R
    );
    let Some(roadmap) = rows::select::<PersonalizedRoadmap>(&sql)
        .bind(student)
        .bind(course)
        .optional(tx.conn())
        .await?
    else {
        return Ok(None);
    };
    tx.trusted_to_the_end().await?;
    let stale: bool = sqlx::query_scalar(&format!(
        "select {STALE} from public.personalized_roadmaps r where r.id = $1"
    ))
    .bind(roadmap.id.0)
    .fetch_one(tx.conn())
    .await?;
    Ok(Some(CourseRoadmap { roadmap, stale }))
}

// ---- what a plan is made of

/// A course as every roadmap of it sees it.
pub(crate) struct CourseFacts {
    course: CourseId,
    /// The lessons with their blocks and assessments (no student's standing yet).
    lessons: Vec<PlanLesson>,
    final_assessment: Option<PlanAssessment>,
    /// Each assessment's questions (for the skills of answers) and default skills.
    questions: HashMap<Uuid, (QuestionSet, Vec<String>)>,
    model: KnowledgeModel,
}

/// An attempt's `(question_id, outcome)` pairs, as [`OUTCOMES`] extracts them from its
/// feedback document (an outcome that does not read is `None`: no evidence).
type Outcomes = Vec<(Option<String>, Option<String>)>;

/// The SQL of an attempt's outcomes (`a`: the attempt): `[[question_id, outcome], …]`
/// from its feedback, not the whole document (messages, explanations, comments).
const OUTCOMES: &str = "coalesce((select json_agg(json_build_array(q->>'question_id', \
       q->>'outcome')) from jsonb_array_elements(case jsonb_typeof(a.feedback->'questions') \
       when 'array' then a.feedback->'questions' else '[]' end) q), '[]')";

impl CourseFacts {
    /// What one submitted attempt (its assessment and its questions' outcomes) is
    /// evidence of: nothing when the assessment is not on the course's path; outcomes
    /// that do not read are no evidence (`check_documents` reports such documents).
    fn observations(
        &self,
        assessment: Uuid,
        outcomes: &Outcomes,
        at: Option<DateTime<Utc>>,
    ) -> Vec<Observation> {
        let Some((questions, default)) = self.questions.get(&assessment) else {
            return Vec::new();
        };
        let read = outcomes.iter().filter_map(|(q, o)| {
            let outcome = Outcome::deserialize(serde_json::Value::String(o.clone()?)).ok()?;
            Some((q.as_deref()?, outcome))
        });
        roadmap::observations_from(questions, read, default, at)
    }
}

#[derive(serde::Deserialize)]
struct LessonRow {
    id: Uuid,
    title: String,
    order_index: i32,
    objectives: Vec<Option<String>>,
    minutes: Option<i32>,
    prerequisites: Vec<Uuid>,
    own_assessment: Option<Uuid>,
}

#[derive(serde::Deserialize)]
struct AssessmentRow {
    id: Uuid,
    lesson_id: Option<Uuid>,
    title: String,
    mandatory: bool,
    minutes: Option<i32>,
    questions: serde_json::Value,
}

#[derive(serde::Deserialize)]
struct ModelRow {
    skill: Option<String>,
    prior: f64,
    learn: f64,
    guess: f64,
    slip: f64,
    forget: f64,
}

fn minutes(m: Option<i32>) -> Option<u32> {
    m.and_then(|m| u32::try_from(m).ok())
}

/// The skills of a question set's questions (each question's, else `default`), in order,
/// without repeats.
fn skills_of(questions: &QuestionSet, default: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for q in &questions.0 {
        let skills = if q.skills().is_empty() {
            default
        } else {
            q.skills()
        };
        for s in skills {
            if seen.insert(s.clone()) {
                out.push(s.clone());
            }
        }
    }
    out
}

/// The skills that objectives or tags name ([`roadmap::skill_name`]), in order, without
/// repeats; null and blank elements name none.
fn skill_names(texts: Vec<Option<String>>) -> Vec<String> {
    let mut seen = HashSet::new();
    texts
        .iter()
        .flatten()
        .filter_map(|t| roadmap::skill_name(t))
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

/// The SQL of a course's `knowledge_models` rows (the course: `$1`) as a JSON list of
/// [`ModelRow`]s.
const MODEL: &str = "coalesce((select json_agg(json_build_object('skill', skill, \
       'prior', prior, 'learn', learn, 'guess', guess, 'slip', slip, 'forget', forget)) \
       from public.knowledge_models where course_id = $1), '[]')";

/// A course's knowledge model from its rows: per skill, and the default (`skill` null).
fn model_of(rows: Vec<ModelRow>) -> KnowledgeModel {
    let mut model = KnowledgeModel::default();
    for m in rows {
        let params = BktParams {
            prior: m.prior,
            learn: m.learn,
            guess: m.guess,
            slip: m.slip,
            forget: m.forget,
        };
        match m.skill {
            Some(skill) => {
                model.skills.insert(skill, params);
            }
            None => model.default = Some(params),
        }
    }
    model
}

/// A course's knowledge model alone (not the rest of [`course_facts`]).
async fn knowledge_model_of(tx: &mut Tx, course_id: CourseId) -> Result<KnowledgeModel> {
    let Json(rows): Json<Vec<ModelRow>> = sqlx::query_scalar(&format!("select {MODEL}"))
        .bind(course_id.0)
        .fetch_one(tx.conn())
        .await?;
    Ok(model_of(rows))
}

/// Reads the course (published lessons, their blocks, the assessments with their
/// questions, the knowledge model). On the trusted path: questions are answer keys.
pub(crate) async fn course_facts(tx: &mut Tx, course_id: CourseId) -> Result<CourseFacts> {
    let facts = sqlx::query(&format!(
        "with published as ( \
           select id, title, order_index, learning_objectives, estimated_duration, \
                  prerequisites, assessment_id from public.lessons \
            where course_id = $1 and is_published) \
         select c.tags, c.final_assessment_id, \
           coalesce((select json_agg(json_build_object('id', id, 'title', title, \
                       'order_index', order_index, 'objectives', learning_objectives, \
                       'minutes', estimated_duration, 'prerequisites', prerequisites, \
                       'own_assessment', assessment_id) order by order_index, id) \
                       from published), '[]') as lessons, \
           coalesce((select json_agg(json_build_array(b.id, b.lesson_id, b.type) \
                       order by b.lesson_id, b.order_index, b.id) \
                       from public.content_blocks b \
                      where b.lesson_id in (select id from published)), '[]') as blocks, \
           coalesce((select json_agg(json_build_object('id', a.id, 'lesson_id', a.lesson_id, \
                       'title', a.title, 'mandatory', a.is_mandatory, 'minutes', a.time_limit, \
                       'questions', a.questions) order by a.id) \
                       from public.assessments a \
                      where (a.course_id = $1 and a.lesson_id is null) \
                         or a.lesson_id in (select id from published)), '[]') as assessments, \
           {MODEL} as model \
           from public.courses c where c.id = $1"
    ))
    .bind(course_id.0)
    .fetch_optional(tx.conn())
    .await?
    .ok_or_else(|| Error::not_found("course", course_id))?;
    let tags = skill_names(facts.try_get::<Vec<Option<String>>, _>("tags")?);
    let final_id: Option<Uuid> = facts.try_get("final_assessment_id")?;
    let Json(lesson_rows): Json<Vec<LessonRow>> = facts.try_get("lessons")?;
    let Json(blocks): Json<Vec<(Uuid, Uuid, ContentType)>> = facts.try_get("blocks")?;
    let Json(assessments): Json<Vec<AssessmentRow>> = facts.try_get("assessments")?;
    let Json(models): Json<Vec<ModelRow>> = facts.try_get("model")?;
    let model = model_of(models);

    let published: HashSet<Uuid> = lesson_rows.iter().map(|l| l.id).collect();
    let objectives: HashMap<Uuid, Vec<String>> = lesson_rows
        .iter()
        .map(|l| (l.id, skill_names(l.objectives.clone())))
        .collect();
    let own: HashMap<Uuid, Uuid> = lesson_rows
        .iter()
        .filter_map(|l| l.own_assessment.map(|a| (l.id, a)))
        .collect();
    let mut questions = HashMap::new();
    let mut by_lesson: HashMap<Uuid, Vec<PlanAssessment>> = HashMap::new();
    let mut final_assessment = None;
    for a in assessments {
        // a stored document the library cannot read names no skills (its answers are no
        // evidence): `check_documents` reports such documents
        let set: QuestionSet = serde_json::from_value(a.questions).unwrap_or_default();
        let default = match a.lesson_id {
            Some(l) => objectives.get(&l).cloned().unwrap_or_default(),
            None => tags.clone(),
        };
        let plan = PlanAssessment {
            id: AssessmentId(a.id),
            title: a.title,
            mandatory: a.mandatory,
            skills: skills_of(&set, &default),
            minutes: minutes(a.minutes),
            standing: Standing::NotAttempted,
        };
        questions.insert(a.id, (set, default));
        match a.lesson_id {
            Some(l) => by_lesson.entry(l).or_default().push(plan),
            None if Some(a.id) == final_id => final_assessment = Some(plan),
            // a course-level assessment that is not the final one: not on the path
            None => {}
        }
    }
    let mut blocks_of: HashMap<Uuid, Vec<PlanBlock>> = HashMap::new();
    for (id, lesson, content_type) in blocks {
        blocks_of.entry(lesson).or_default().push(PlanBlock {
            id: ContentBlockId(id),
            content_type,
            minutes: None,
        });
    }
    let lessons = lesson_rows
        .into_iter()
        .map(|l| {
            let mut assessments = by_lesson.remove(&l.id).unwrap_or_default();
            // the lesson's own assessment first, then by id (as read)
            let own = own.get(&l.id).copied();
            assessments.sort_by_key(|a| Some(a.id.0) != own);
            PlanLesson {
                id: LessonId(l.id),
                title: l.title,
                order_index: l.order_index,
                prerequisites: l
                    .prerequisites
                    .into_iter()
                    .filter(|p| published.contains(p))
                    .map(LessonId)
                    .collect(),
                skills: objectives.get(&l.id).cloned().unwrap_or_default(),
                minutes: minutes(l.minutes),
                blocks: blocks_of.remove(&l.id).unwrap_or_default(),
                assessments,
                status: ProgressStatus::NotStarted,
            }
        })
        .collect();
    Ok(CourseFacts {
        course: course_id,
        lessons,
        final_assessment,
        questions,
        model,
    })
}

/// A student as their roadmap of one course sees them.
pub(crate) struct StudentFacts {
    preferences: LearningPreferences,
    knowledge: KnowledgeProfile,
    /// (lesson, assessment, status) of each progress row.
    progress: Vec<(Option<Uuid>, Option<Uuid>, ProgressStatus)>,
    /// (assessment, submitted at, each question's outcome) of each submitted attempt,
    /// in order.
    attempts: Vec<(Uuid, DateTime<Utc>, Outcomes)>,
}

/// Whether the student (`$1`) is shown the correctness of their attempt `a` now (its
/// assessment's `review_correctness`, their own close time): what their knowledge trace
/// may learn from, since they read it (`roadmap_input`, their `knowledge_profile`);
/// until then the attempt is no evidence (migration 20261203000020).
const SHOWN: &str = "lms_private.review_reached( \
       (select x.review_correctness from public.assessments x where x.id = a.assessment_id), \
       true, (select s.closes_at from lms_private.attempt_schedule(a.assessment_id, $1) s))";

/// Reads a student's profile documents, progress rows and submitted attempts in a
/// course, in one statement: an attempt whose correctness the student is not shown yet
/// with no outcome ([`SHOWN`]).
pub(crate) async fn student_facts(
    tx: &mut Tx,
    student: UserId,
    course: CourseId,
) -> Result<StudentFacts> {
    let row = sqlx::query(&format!(
        "select p.learning_preferences, p.knowledge_profile, \
           coalesce((select json_agg(json_build_array(lesson_id, assessment_id, status)) \
                       from public.student_progress \
                      where student_id = $1 and course_id = $2), '[]') as progress, \
           coalesce((select json_agg(json_build_array(a.assessment_id, a.submitted_at, \
                                 case when {SHOWN} then {OUTCOMES} else '[]' end) \
                       order by a.submitted_at, a.attempt_number, a.id) \
                       from public.assessment_attempts a \
                      where a.student_id = $1 and a.course_id = $2 \
                        and a.submitted_at is not null), '[]') as attempts \
           from public.profiles p where p.id = $1"
    ))
    .bind(student.0)
    .bind(course.0)
    .fetch_optional(tx.conn())
    .await?
    .ok_or_else(|| Error::not_found("profile", student))?;
    let preferences: Option<serde_json::Value> = row.try_get("learning_preferences")?;
    let knowledge: Option<serde_json::Value> = row.try_get("knowledge_profile")?;
    let Json(progress) = row.try_get("progress")?;
    let Json(attempts) = row.try_get("attempts")?;
    Ok(StudentFacts {
        // none set, or documents stored before the boundary that do not read: the
        // defaults then
        preferences: preferences
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
        knowledge: knowledge
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
        progress,
        attempts,
    })
}

/// The planner's input for one student, and the mastery traced from their answers
/// (merged into their stored profile: this course's skills replaced).
fn plan_input(course: &CourseFacts, student: StudentFacts) -> PlanInput {
    let observations: Vec<Observation> = student
        .attempts
        .iter()
        .flat_map(|(assessment, at, outcomes)| {
            course.observations(*assessment, outcomes, Some(*at))
        })
        .collect();
    let knowledge = merged(
        student.knowledge,
        roadmap::profile(&course.model, &observations),
    );

    let lesson_status: HashMap<Uuid, ProgressStatus> = student
        .progress
        .iter()
        .filter_map(|(l, a, s)| match (l, a) {
            (Some(l), None) => Some((*l, *s)),
            _ => None,
        })
        .collect();
    let passed: HashSet<Uuid> = student
        .progress
        .iter()
        .filter_map(|(_, a, s)| a.filter(|_| *s == ProgressStatus::Completed))
        .collect();
    let submitted: HashSet<Uuid> = student.attempts.iter().map(|(a, ..)| *a).collect();
    let standing = |a: &mut PlanAssessment| {
        a.standing = if passed.contains(&a.id.0) {
            Standing::Passed
        } else if submitted.contains(&a.id.0) {
            Standing::Failed
        } else {
            Standing::NotAttempted
        };
    };
    let mut lessons = course.lessons.clone();
    for l in &mut lessons {
        l.status = lesson_status
            .get(&l.id.0)
            .copied()
            .unwrap_or(ProgressStatus::NotStarted);
        l.assessments.iter_mut().for_each(standing);
    }
    let mut final_assessment = course.final_assessment.clone();
    final_assessment.iter_mut().for_each(standing);
    PlanInput {
        course_id: course.course,
        lessons,
        final_assessment,
        knowledge,
        preferences: student.preferences,
        settings: PlanSettings {
            unknown_mastery: course.model.default.unwrap_or(BktParams::DEFAULT).prior,
            ..PlanSettings::default()
        },
    }
}

/// `stored` with the skills of `traced` replaced, within [`MAX_SKILLS`] (the skills
/// updated longest ago go first).
fn merged(mut stored: KnowledgeProfile, traced: KnowledgeProfile) -> KnowledgeProfile {
    stored.skills.extend(traced.skills.clone());
    if stored.skills.len() > MAX_SKILLS {
        let mut others: Vec<(String, Option<DateTime<Utc>>)> = stored
            .skills
            .iter()
            .filter(|(k, _)| !traced.skills.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.updated_at))
            .collect();
        others.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let extra = stored.skills.len() - MAX_SKILLS;
        for (k, _) in others.into_iter().take(extra) {
            stored.skills.remove(&k);
        }
    }
    stored
}

/// Stores `roadmap` as the student's active roadmap of the course (the previous active
/// one `completed` when the course is complete or none of its steps is left, `paused`
/// otherwise) and `knowledge` as their knowledge profile, on the trusted path, under the
/// student's roadmap lock taken before their facts were read ([`locked_plan`]). When the
/// active roadmap already is this one, it is kept (only `generated_at` moves, so it is no
/// longer stale): generating again without news adds no row. `generated_at` is
/// `planned_at` when the course was read in an earlier transaction (a batch), so that a
/// change made since marks the roadmap stale; `now()` otherwise.
async fn store(
    tx: &mut Tx,
    student: UserId,
    course: CourseId,
    roadmap: &Roadmap,
    knowledge: &KnowledgeProfile,
    planned_at: Option<DateTime<Utc>>,
) -> Result<CourseRoadmap> {
    let data =
        rows::document::<RoadmapData>("roadmap_data", &rows::json("roadmap_data", &roadmap.data)?)?;
    let knowledge = rows::document::<KnowledgeProfile>(
        "knowledge_profile",
        &rows::json("knowledge_profile", knowledge)?,
    )?;
    tx.trusted_to_the_end().await?;
    let sql = format!(
        "with profile as ( \
           update public.profiles set knowledge_profile = $4 \
            where id = $1 and knowledge_profile is distinct from $4), \
         same as ( \
           update public.personalized_roadmaps r set generated_at = coalesce($6, now()) \
            where r.student_id = $1 and r.course_id = $2 and r.status = 'active' \
              and r.roadmap_data = $3 and r.ai_reasoning is not distinct from $5 \
            returning {cols}), \
         previous as ( \
           update public.personalized_roadmaps r \
              set status = case \
                    when exists (select 1 from public.enrollments e \
                                  where e.student_id = $1 and e.course_id = $2 \
                                    and e.completed_at is not null) \
                      or not jsonb_path_exists(r.roadmap_data, \
                           '$.steps[*] ? (!exists(@.status) || !(@.status == \"completed\" || @.status == \"skipped\"))') \
                    then 'completed'::public.roadmap_status \
                    else 'paused'::public.roadmap_status end \
            where r.student_id = $1 and r.course_id = $2 and r.status = 'active' \
              and not exists (select 1 from same) \
            returning r.id), \
         inserted as ( \
           insert into public.personalized_roadmaps \
             (student_id, course_id, roadmap_data, ai_reasoning, status, generated_at) \
           select $1, $2, $3, $5, 'active', coalesce($6, now()) \
             from (select count(*) from previous) as p \
            where not exists (select 1 from same) \
           returning {cols}) \
         select *, false as stale from same union all select *, false as stale from inserted",
        cols = rows::ROADMAP
    );
    let row = sqlx::query(&sql)
        .bind(student.0)
        .bind(course.0)
        .bind(data)
        .bind(knowledge)
        .bind(&roadmap.reasoning)
        .bind(planned_at)
        .fetch_one(tx.conn())
        .await?;
    course_roadmap(&row)
}

impl Scope {
    /// A transaction for a roadmap call and the student it acts for (the acting
    /// student, or `student` for the service), enrolled in `course`: checked under the
    /// actor's role, then on the trusted path for the rest (the library's reads of
    /// questions and writes of computed rows).
    async fn begin_for_student(
        &self,
        student: Option<UserId>,
        course_id: CourseId,
    ) -> Result<(Tx, UserId)> {
        let mut tx = self.begin().await?;
        let student = match (tx.actor(), student) {
            (Actor::Service, Some(s)) => s,
            (Actor::Service, None) => {
                return Err(Error::forbidden(
                    "the service names the student whose roadmap it generates",
                ))
            }
            (Actor::User(me), None) => me,
            (Actor::User(_), Some(_)) | (Actor::Anon, _) => {
                return Err(Error::forbidden(
                    "a student generates their own roadmap; the service, anyone's",
                ))
            }
        };
        course(&mut tx, course_id).await?;
        enrollment(&mut tx, student, course_id).await?;
        tx.trusted_to_the_end().await?;
        Ok((tx, student))
    }

    /// The input the planner sees for the acting student in `course_id` (enrolled):
    /// the course graph, their progress and standing, their mastery traced from their
    /// answers, their preferences — what a back end's own model looks at before it
    /// proposes a roadmap ([`Scope::propose_roadmap`]).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "roadmap_input", actor = self.actor.role_name()))]
    pub async fn roadmap_input(&self, course_id: CourseId) -> Result<PlanInput> {
        let (mut tx, student) = self.begin_for_student(None, course_id).await?;
        let course = course_facts(&mut tx, course_id).await?;
        let input = student_input(&mut tx, student, &course).await?;
        tx.commit().await?;
        Ok(input)
    }

    /// Plans and stores a new active roadmap of `course_id` for the acting student
    /// (enrolled), with their mastery traced anew; the previous active one is paused (or
    /// completed). One transaction.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "generate_roadmap", actor = self.actor.role_name()))]
    pub async fn generate_roadmap(&self, course_id: CourseId) -> Result<CourseRoadmap> {
        self.generate(None, course_id, None).await
    }

    /// [`Scope::generate_roadmap`] by the service for `student`.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "generate_roadmap_for", actor = self.actor.role_name()))]
    pub async fn generate_roadmap_for(
        &self,
        student: UserId,
        course_id: CourseId,
    ) -> Result<CourseRoadmap> {
        self.generate(Some(student), course_id, None).await
    }

    /// [`Scope::generate_roadmap`] with an outside model's say: `advisor` gets the input
    /// and the plan and may propose a better roadmap, which is stored if it breaks no
    /// rule. A proposal that breaks a rule, an error, or no answer within `timeout`
    /// leaves the library's plan standing, the reason recorded in the roadmap's
    /// `advisor` note and `ai_reasoning`.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "generate_roadmap_with", actor = self.actor.role_name()))]
    pub async fn generate_roadmap_with(
        &self,
        course_id: CourseId,
        advisor: &dyn RoadmapAdvisor,
        timeout: Duration,
    ) -> Result<CourseRoadmap> {
        self.generate(None, course_id, Some((advisor, timeout)))
            .await
    }

    async fn generate(
        &self,
        student: Option<UserId>,
        course_id: CourseId,
        advisor: Option<(&dyn RoadmapAdvisor, Duration)>,
    ) -> Result<CourseRoadmap> {
        // an advisor is asked outside any transaction (no connection held while it
        // thinks), on the input as it stands; its proposal is then decided against the
        // plan of the facts read again, under the lock, when the roadmap is stored
        let mut advice = None;
        if let Some((advisor, timeout)) = advisor {
            let (mut tx, student) = self.begin_for_student(student, course_id).await?;
            let course = course_facts(&mut tx, course_id).await?;
            let input = student_input(&mut tx, student, &course).await?;
            tx.commit().await?;
            let plan = roadmap::plan(&input)?;
            advice = Some(ask(advisor, &input, &plan, timeout).await);
        }
        let (mut tx, student) = self.begin_for_student(student, course_id).await?;
        let course = course_facts(&mut tx, course_id).await?;
        let (input, plan) = locked_plan(&mut tx, student, &course).await?;
        let roadmap = match advice {
            None => plan,
            Some(Advice::Proposed(source, p)) => {
                let proposal = rows::json("proposal", &p.roadmap)?;
                lms_core::calls::decide_on(&input, &plan, &source, &proposal, p.reasoning).roadmap
            }
            Some(Advice::Refused(source, reason)) => {
                roadmap::rejected(&plan, &source, vec![reason])
            }
        };
        let stored = store(
            &mut tx,
            student,
            course_id,
            &roadmap,
            &input.knowledge,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Stores `proposal` (a `roadmap_data` document, from `source`, with its own
    /// `reasoning` or the plan's) as the acting student's active roadmap of `course_id`
    /// if it breaks none of the course's rules against the library's plan
    /// (`lms_core::roadmap::check`); otherwise stores nothing and returns the violations.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "propose_roadmap", actor = self.actor.role_name()))]
    pub async fn propose_roadmap(
        &self,
        course_id: CourseId,
        proposal: &serde_json::Value,
        source: &str,
        reasoning: Option<String>,
    ) -> Result<ProposalOutcome> {
        let (mut tx, student) = self.begin_for_student(None, course_id).await?;
        let course = course_facts(&mut tx, course_id).await?;
        let (input, plan) = locked_plan(&mut tx, student, &course).await?;
        let decision = lms_core::calls::decide_on(&input, &plan, source, proposal, reasoning);
        if !decision.accepted {
            return Ok(ProposalOutcome {
                accepted: false,
                roadmap: None,
                violations: decision.violations,
            });
        }
        let stored = store(
            &mut tx,
            student,
            course_id,
            &decision.roadmap,
            &input.knowledge,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(ProposalOutcome {
            accepted: true,
            roadmap: Some(stored),
            violations: Vec::new(),
        })
    }

    /// The acting student's active roadmap of `course_id`, and whether it is stale.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "current_roadmap", actor = self.actor.role_name()))]
    pub async fn current_roadmap(&self, course_id: CourseId) -> Result<Option<CourseRoadmap>> {
        let mut tx = self.begin().await?;
        let student = student_of(&tx)?;
        let found = active(&mut tx, student.0, course_id.0).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The active roadmap of `student` in `course_id` as the actor may read it (the
    /// student, the course's instructor, admins, the service: `None` for others).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "current_roadmap_of", actor = self.actor.role_name()))]
    pub async fn current_roadmap_of(
        &self,
        student: UserId,
        course_id: CourseId,
    ) -> Result<Option<CourseRoadmap>> {
        let mut tx = self.begin().await?;
        let found = active(&mut tx, student.0, course_id.0).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Generates anew every stale active roadmap of `course_id` (the course's instructor,
    /// an admin or the service). The course is read once; each student's roadmap is
    /// stored in a transaction of its own, so one failure leaves the others done.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "regenerate_roadmaps", actor = self.actor.role_name()))]
    pub async fn regenerate_roadmaps(&self, course_id: CourseId) -> Result<Regenerated> {
        let mut tx = self.begin().await?;
        require_staff(
            &mut tx,
            course_id,
            Right::Author,
            "regenerate the roadmaps of",
        )
        .await?;
        tx.trusted_to_the_end().await?;
        let course = course_facts(&mut tx, course_id).await?;
        // when the course was read (the transaction's start): what changes after it
        // leaves the roadmaps planned from this read stale
        let read_at: DateTime<Utc> = sqlx::query_scalar("select now()")
            .fetch_one(tx.conn())
            .await?;
        let sql = format!(
            "select r.student_id, {STALE} from public.personalized_roadmaps r \
              join public.enrollments e on e.student_id = r.student_id and e.course_id = r.course_id \
             where r.course_id = $1 and r.status = 'active' order by r.student_id"
        );
        let list: Vec<(Uuid, bool)> = sqlx::query_as(&sql)
            .bind(course_id.0)
            .fetch_all(tx.conn())
            .await?;
        tx.commit().await?;
        let mut done = Regenerated {
            regenerated: 0,
            fresh: 0,
            failed: Vec::new(),
        };
        for (student, stale) in list {
            if !stale {
                done.fresh += 1;
                continue;
            }
            match self.regenerate_one(&course, UserId(student), read_at).await {
                Ok(()) => done.regenerated += 1,
                Err(e) => done.failed.push(RegenerationFailure {
                    student_id: UserId(student),
                    code: e.code(),
                    message: e.to_string(),
                }),
            }
        }
        Ok(done)
    }

    /// One student's roadmap of `course` (read at `read_at`) generated anew, in a
    /// transaction of its own, if they are still enrolled.
    async fn regenerate_one(
        &self,
        course: &CourseFacts,
        student: UserId,
        read_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.trusted_to_the_end().await?;
        enrollment(&mut tx, student, course.course).await?;
        let (input, plan) = locked_plan(&mut tx, student, course).await?;
        store(
            &mut tx,
            student,
            course.course,
            &plan,
            &input.knowledge,
            Some(read_at),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The knowledge model of `course_id` (its instructor, an admin or the service):
    /// parameters per skill and the course's default, as stored (fitted or set).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "knowledge_model", actor = self.actor.role_name()))]
    pub async fn knowledge_model(&self, course_id: CourseId) -> Result<KnowledgeModel> {
        let mut tx = self.begin().await?;
        require_staff(
            &mut tx,
            course_id,
            Right::Grade,
            "read the knowledge model of",
        )
        .await?;
        tx.trusted_to_the_end().await?;
        let model = knowledge_model_of(&mut tx, course_id).await?;
        tx.commit().await?;
        Ok(model)
    }

    /// Sets the parameters of `skill` (or, with `None`, the course's default) for
    /// `course_id` by hand (its instructor, an admin or the service); checked
    /// ([`BktParams::checked`]).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "set_knowledge_model", actor = self.actor.role_name()))]
    pub async fn set_knowledge_model(
        &self,
        course_id: CourseId,
        skill: Option<&str>,
        params: BktParams,
    ) -> Result<KnowledgeModel> {
        let params = params.checked()?;
        if let Some(s) = skill {
            rows::Texts::of("knowledge model")
                .one("skill", Some(s))
                .check()?;
            if s.trim().is_empty() || s.chars().count() > lms_core::documents::limits::MAX_ID_CHARS
            {
                return Err(lms_core::Error::InvalidInput {
                    field: "skill",
                    reason: "a skill name is 1 to 64 characters, not blank".into(),
                }
                .into());
            }
        }
        let mut tx = self.begin().await?;
        require_staff(
            &mut tx,
            course_id,
            Right::Author,
            "set the knowledge model of",
        )
        .await?;
        tx.trusted_to_the_end().await?;
        upsert_params(&mut tx, course_id, skill, &params, None).await?;
        let model = knowledge_model_of(&mut tx, course_id).await?;
        tx.commit().await?;
        Ok(model)
    }

    /// Fits the knowledge model of `course_id` to every graded answer of its students
    /// (its instructor, an admin or the service) and stores the fitted parameters of each
    /// skill that has answers (`lms_core::roadmap::fit`, seeded by `options`).
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "fit_knowledge_model", actor = self.actor.role_name()))]
    pub async fn fit_knowledge_model(
        &self,
        course_id: CourseId,
        options: FitOptions,
    ) -> Result<FittedModel> {
        options.checked()?;
        let mut tx = self.begin().await?;
        require_staff(
            &mut tx,
            course_id,
            Right::Author,
            "fit the knowledge model of",
        )
        .await?;
        tx.trusted_to_the_end().await?;
        let course = course_facts(&mut tx, course_id).await?;
        let attempts: Vec<(Uuid, Uuid, Json<Outcomes>)> = sqlx::query_as(&format!(
            "select a.student_id, a.assessment_id, {OUTCOMES} from public.assessment_attempts a \
              where a.course_id = $1 and a.submitted_at is not null \
              order by a.student_id, a.submitted_at, a.attempt_number, a.id"
        ))
        .bind(course_id.0)
        .fetch_all(tx.conn())
        .await?;
        let mut answers = Vec::new();
        for (student, assessment, Json(outcomes)) in &attempts {
            let student = student.to_string();
            for o in course.observations(*assessment, outcomes, None) {
                answers.push(AnswerRow {
                    student: student.clone(),
                    skill: o.skill,
                    correct: o.correct,
                });
            }
        }
        tx.commit().await?;
        // the fit is CPU work (a second or so for 100,000 answers): on a blocking thread,
        // with no transaction open; the parameters are then written in one of their own
        let count = answers.len() as u64;
        let skills = tokio::task::spawn_blocking(move || roadmap::fit_answers(&answers, &options))
            .await
            .map_err(|e| lms_core::Error::InvalidInput {
                field: "fit",
                reason: format!("the fit stopped: {e}"),
            })??;
        let mut tx = self.begin().await?;
        require_staff(
            &mut tx,
            course_id,
            Right::Author,
            "fit the knowledge model of",
        )
        .await?;
        tx.trusted_to_the_end().await?;
        for s in &skills {
            upsert_params(
                &mut tx,
                course_id,
                Some(&s.skill),
                &s.fitted.params,
                Some(&s.fitted),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(FittedModel {
            course_id,
            skills,
            answers: count,
        })
    }
}

async fn upsert_params(
    tx: &mut Tx,
    course: CourseId,
    skill: Option<&str>,
    p: &BktParams,
    fitted: Option<&Fitted>,
) -> Result<()> {
    sqlx::query(
        "insert into public.knowledge_models \
           (course_id, skill, prior, learn, guess, slip, forget, answers, log_likelihood, fitted_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $8 is not null then now() end) \
         on conflict (course_id, skill) do update set \
           prior = excluded.prior, learn = excluded.learn, guess = excluded.guess, \
           slip = excluded.slip, forget = excluded.forget, answers = excluded.answers, \
           log_likelihood = excluded.log_likelihood, fitted_at = excluded.fitted_at",
    )
    .bind(course.0)
    .bind(skill)
    .bind(p.prior)
    .bind(p.learn)
    .bind(p.guess)
    .bind(p.slip)
    .bind(p.forget)
    .bind(fitted.map(|f| i32::try_from(f.answers).unwrap_or(i32::MAX)))
    .bind(fitted.map(|f| f.log_likelihood))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The student's plan of `course` from their facts as they are once the student's
/// roadmap lock is held: concurrent generations (of this course or another, which
/// share the knowledge profile) follow one another, each from what the previous stored.
async fn locked_plan(
    tx: &mut Tx,
    student: UserId,
    course: &CourseFacts,
) -> Result<(PlanInput, Roadmap)> {
    lock_roadmaps(tx, student.0).await?;
    let input = student_input(tx, student, course).await?;
    let plan = roadmap::plan(&input)?;
    Ok((input, plan))
}

/// The planner's input for `student` in `course`: their facts read, their mastery traced.
async fn student_input(tx: &mut Tx, student: UserId, course: &CourseFacts) -> Result<PlanInput> {
    let facts = student_facts(tx, student, course.course).await?;
    Ok(plan_input(course, facts))
}

/// What an advisor said: a proposal, or why there is none (it failed or timed out).
enum Advice {
    Proposed(String, lms_core::roadmap::Proposal),
    Refused(String, String),
}

/// Asks `advisor` for a proposal within `timeout`.
async fn ask(
    advisor: &dyn RoadmapAdvisor,
    input: &PlanInput,
    plan: &Roadmap,
    timeout: Duration,
) -> Advice {
    let source = advisor.name().to_owned();
    match tokio::time::timeout(timeout, advisor.propose(input, plan)).await {
        Ok(Ok(p)) => Advice::Proposed(source, p),
        Ok(Err(reason)) => Advice::Refused(source, format!("it failed: {reason}")),
        Err(_) => Advice::Refused(
            source,
            format!("it did not answer within {} ms", timeout.as_millis()),
        ),
    }
}

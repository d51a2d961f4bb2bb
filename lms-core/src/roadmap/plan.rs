//! The deterministic planner: a student's ordered path through a course from the course
//! graph, their progress, their knowledge profile and their preferences.
//!
//! # The rules ([`plan`])
//! 1. **Review first.** Every assessment the student attempted and has not passed gets a
//!    [`StepKind::Review`] step on its lesson (the final assessment's review names no
//!    lesson), the retake closing it; weakest first.
//! 2. **Then the lessons not completed**, in an order that never puts a lesson before
//!    its prerequisites: at each point, among the lessons whose prerequisites are
//!    completed or already planned, the one whose weakest skill is weakest comes first
//!    (ties: course order `order_index`, then id). A skill without evidence counts at
//!    [`PlanSettings::unknown_mastery`].
//! 3. **Fast track.** A lesson whose skills are all mastered (≥
//!    [`PlanSettings::mastered`], with evidence) goes straight to its assessment
//!    ([`StepKind::FastTrack`]); without an assessment the step is a quick skim.
//! 4. **Every assessment not passed is kept**: a lesson's first (mandatory first) closes
//!    its step, its others follow as [`StepKind::Assessment`] steps, the course's final
//!    assessment comes last. Steps the rules let a student leave out (reviews of
//!    completed lessons, optional assessments of completed lessons) are `optional`.
//! 5. **Durations** are the lesson's estimate (or its blocks', or
//!    [`PlanSettings::lesson_minutes`]) scaled by pace — slow ×1.5, medium ×1, fast
//!    ×0.75, rounded up — plus the assessment's time limit (or
//!    [`PlanSettings::assessment_minutes`]); a review takes half the lesson's time, a
//!    fast track a quarter when there is no assessment.
//! 6. **Highlights**: the lesson's blocks of the student's preferred media types, most
//!    preferred first, then course order.
//!
//! Every step says why it is there; [`Roadmap::reasoning`] sums the plan up. Same input,
//! same roadmap: nothing depends on hash order or the clock.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::bkt::BktParams;
use crate::documents::limits::{
    MAX_ID_CHARS, MAX_ROADMAP_STEPS, MAX_STEP_CONTENT_IDS, MAX_STEP_MINUTES,
};
use crate::documents::{
    KnowledgeProfile, LearningPreferences, Pace, RoadmapData, RoadmapStep, StepKind, StepStatus,
};
use crate::model::{AssessmentId, ContentBlockId, ContentType, CourseId, LessonId, ProgressStatus};
use crate::prerequisites::Graph;
use crate::{Error, Result};

/// Where a student stands with one assessment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// No finished attempt (the default).
    #[default]
    NotAttempted,
    /// Attempted, not passed.
    Failed,
    /// Passed.
    Passed,
}

/// A content block as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBlock {
    /// The block.
    pub id: ContentBlockId,
    /// Its type.
    pub content_type: ContentType,
    /// Its estimated minutes, if known.
    #[serde(default)]
    pub minutes: Option<u32>,
}

/// An assessment as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanAssessment {
    /// The assessment.
    pub id: AssessmentId,
    /// Its title, for the reasons.
    #[serde(default)]
    pub title: String,
    /// Whether completing the lesson (or the course) requires passing it.
    #[serde(default)]
    pub mandatory: bool,
    /// The skills its questions test.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Its time limit in minutes, if any.
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Where the student stands.
    #[serde(default)]
    pub standing: Standing,
}

/// A lesson as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanLesson {
    /// The lesson.
    pub id: LessonId,
    /// Its title, for the reasons.
    #[serde(default)]
    pub title: String,
    /// Its place in the course.
    #[serde(default)]
    pub order_index: i32,
    /// Lessons to complete first.
    #[serde(default)]
    pub prerequisites: Vec<LessonId>,
    /// The skills it teaches (its learning objectives).
    #[serde(default)]
    pub skills: Vec<String>,
    /// Its estimated minutes, if known.
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Its content blocks, in course order.
    #[serde(default)]
    pub blocks: Vec<PlanBlock>,
    /// Its assessments (the lesson's own first).
    #[serde(default)]
    pub assessments: Vec<PlanAssessment>,
    /// The student's status on it (default `not_started`).
    #[serde(default = "not_started")]
    pub status: ProgressStatus,
}

fn not_started() -> ProgressStatus {
    ProgressStatus::NotStarted
}

/// Thresholds and defaults of the planner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PlanSettings {
    /// Mastery at or above which a skill is mastered. Default 0.95 (the BKT custom).
    pub mastered: f64,
    /// Mastery of a skill without evidence. Default the default prior, 0.2.
    pub unknown_mastery: f64,
    /// Minutes of a lesson without an estimate. Default 30.
    pub lesson_minutes: u32,
    /// Minutes of an assessment without a time limit. Default 15.
    pub assessment_minutes: u32,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            mastered: 0.95,
            unknown_mastery: BktParams::DEFAULT.prior,
            lesson_minutes: 30,
            assessment_minutes: 15,
        }
    }
}

/// Everything the planner looks at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// The course.
    pub course_id: CourseId,
    /// Its lessons (published ones: what the student can take).
    pub lessons: Vec<PlanLesson>,
    /// The course's final assessment, if any.
    #[serde(default)]
    pub final_assessment: Option<PlanAssessment>,
    /// The student's mastery per skill.
    #[serde(default)]
    pub knowledge: KnowledgeProfile,
    /// The student's preferences.
    #[serde(default)]
    pub preferences: LearningPreferences,
    /// Thresholds and defaults.
    #[serde(default)]
    pub settings: PlanSettings,
}

/// A planned roadmap: the `roadmap_data` document and the `ai_reasoning` summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Roadmap {
    /// The steps.
    pub data: RoadmapData,
    /// A readable summary of why the roadmap is what it is.
    pub reasoning: String,
}

impl PlanInput {
    /// The mastery of `skill` and whether there is evidence behind it.
    fn mastery(&self, skill: &str) -> (f64, bool) {
        match self.knowledge.skills.get(skill) {
            Some(m) if m.evidence > 0 => (m.mastery, true),
            _ => (self.settings.unknown_mastery, false),
        }
    }

    /// The lessons the student completed.
    pub fn completed(&self) -> HashSet<LessonId> {
        self.lessons
            .iter()
            .filter(|l| l.status == ProgressStatus::Completed)
            .map(|l| l.id)
            .collect()
    }

    /// The prerequisite graph (validated: a cycle or a foreign prerequisite is refused).
    pub fn graph(&self) -> Result<Graph> {
        let mut lessons: Vec<&PlanLesson> = self.lessons.iter().collect();
        lessons.sort_by_key(|l| (l.order_index, l.id));
        Graph::new(lessons.iter().map(|l| (l.id, l.prerequisites.clone())))
    }
}

/// The skills of a lesson: its objectives, or else its assessments' skills.
fn skills_of(lesson: &PlanLesson) -> Vec<&str> {
    let mut out: Vec<&str> = lesson.skills.iter().map(String::as_str).collect();
    if out.is_empty() {
        out = lesson
            .assessments
            .iter()
            .flat_map(|a| a.skills.iter().map(String::as_str))
            .collect();
    }
    let mut seen = HashSet::new();
    out.retain(|s| seen.insert(*s));
    out
}

/// A lesson whose prerequisites are planned, as the planner ranks them: reviews first,
/// then the weakest skill, then course order, then id.
struct Ready {
    review: bool,
    weakest: f64,
    order_index: i32,
    id: LessonId,
    item: usize,
}

impl Ready {
    fn rank(&self, other: &Self) -> std::cmp::Ordering {
        other
            .review
            .cmp(&self.review)
            .then(self.weakest.total_cmp(&other.weakest))
            .then(self.order_index.cmp(&other.order_index))
            .then(self.id.cmp(&other.id))
    }
}

impl PartialEq for Ready {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other).is_eq()
    }
}
impl Eq for Ready {}
impl PartialOrd for Ready {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ready {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank(other)
    }
}

/// How a lesson's skills stand: the weakest mastery, and whether all are mastered.
struct SkillStanding<'a> {
    weakest: f64,
    mastered: bool,
    /// (skill, mastery), weakest first.
    skills: Vec<(&'a str, f64)>,
}

fn standing<'a>(input: &PlanInput, skills: &[&'a str]) -> SkillStanding<'a> {
    let mut list: Vec<(&str, f64, bool)> = skills
        .iter()
        .map(|s| {
            let (m, evidence) = input.mastery(s);
            (*s, m, evidence)
        })
        .collect();
    list.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    let mastered = !list.is_empty()
        && list
            .iter()
            .all(|(_, m, evidence)| *evidence && *m >= input.settings.mastered);
    SkillStanding {
        weakest: list
            .first()
            .map_or(input.settings.unknown_mastery, |(_, m, _)| *m),
        mastered,
        skills: list.into_iter().map(|(s, m, _)| (s, m)).collect(),
    }
}

fn pace_minutes(pace: Pace, minutes: u32) -> u32 {
    let scaled = match pace {
        Pace::Slow => (u64::from(minutes) * 3).div_ceil(2),
        Pace::Medium => u64::from(minutes),
        Pace::Fast => (u64::from(minutes) * 3).div_ceil(4),
    };
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

fn capped(minutes: u64) -> u32 {
    u32::try_from(minutes.min(u64::from(MAX_STEP_MINUTES))).unwrap_or(MAX_STEP_MINUTES)
}

fn lesson_minutes(input: &PlanInput, lesson: &PlanLesson) -> u32 {
    let base = lesson.minutes.unwrap_or_else(|| {
        let blocks: u32 = lesson
            .blocks
            .iter()
            .filter_map(|b| b.minutes)
            .fold(0u32, u32::saturating_add);
        if blocks > 0 {
            blocks
        } else {
            input.settings.lesson_minutes
        }
    });
    pace_minutes(input.preferences.preferred_pace, base)
}

fn assessment_minutes(input: &PlanInput, a: &PlanAssessment) -> u32 {
    a.minutes.unwrap_or(input.settings.assessment_minutes)
}

fn highlights(input: &PlanInput, lesson: &PlanLesson) -> Vec<ContentBlockId> {
    let rank: HashMap<ContentType, usize> = input
        .preferences
        .preferred_media_types
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, i))
        .collect();
    let mut picked: Vec<(usize, usize, ContentBlockId)> = lesson
        .blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| rank.get(&b.content_type).map(|r| (*r, i, b.id)))
        .collect();
    picked.sort();
    picked
        .into_iter()
        .map(|(_, _, id)| id)
        .take(MAX_STEP_CONTENT_IDS)
        .collect()
}

/// `text` cut to `max` characters, an ellipsis marking the cut: reasons quote names
/// and titles and stay within their document's limit.
fn shortened(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]).into(),
        None => text.into(),
    }
}

fn skill_list(skills: &[(&str, f64)], n: usize) -> String {
    skills
        .iter()
        .take(n)
        .map(|(s, m)| format!("{} ({m:.2})", shortened(s, MAX_ID_CHARS)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn named(title: &str, fallback: &str) -> String {
    let title = title.trim();
    if title.is_empty() {
        return fallback.to_owned();
    }
    format!("“{}”", shortened(title, MAX_TITLE_CHARS))
}

/// The assessments of a lesson not passed yet, mandatory ones first (then given order).
fn open_assessments(lesson: &PlanLesson) -> Vec<&PlanAssessment> {
    let mut open: Vec<&PlanAssessment> = lesson
        .assessments
        .iter()
        .filter(|a| a.standing != Standing::Passed)
        .collect();
    open.sort_by_key(|a| !a.mandatory);
    open
}

/// Most characters of a title quoted in a reason.
const MAX_TITLE_CHARS: usize = 200;

fn step(kind: StepKind, lesson: Option<LessonId>, reason: String, minutes: u32) -> RoadmapStep {
    RoadmapStep {
        kind,
        lesson_id: lesson,
        content_ids: Vec::new(),
        highlights: Vec::new(),
        assessment_id: None,
        optional: false,
        reason,
        estimated_minutes: capped(u64::from(minutes)),
        status: StepStatus::Pending,
    }
}

/// Plans the roadmap of `input` (see the module docs for the rules). A prerequisite
/// graph with a cycle or a foreign lesson is refused as [`crate::prerequisites`] does;
/// a lesson or assessment listed twice is `invalid_input`.
pub fn plan(input: &PlanInput) -> Result<Roadmap> {
    let graph = input.graph()?;
    let mut seen = HashSet::new();
    for a in input
        .lessons
        .iter()
        .flat_map(|l| l.assessments.iter())
        .chain(input.final_assessment.iter())
    {
        if !seen.insert(a.id) {
            return Err(Error::InvalidInput {
                field: "lessons",
                reason: format!("assessment {} is listed twice", a.id),
            });
        }
    }
    let by_id: HashMap<LessonId, &PlanLesson> = input.lessons.iter().map(|l| (l.id, l)).collect();
    let mut steps: Vec<RoadmapStep> = Vec::new();
    let mut notes = Notes::default();

    // The lessons not completed, and the completed ones with an assessment failed, in
    // one greedy order: among those whose prerequisites are completed or planned
    // already, reviews first, then the weakest, then course order.
    let completed = input.completed();
    // (lesson, its skills' standing, whether it is a review)
    let mut items: Vec<Option<(&PlanLesson, SkillStanding, bool)>> = Vec::new();
    // per item, its prerequisites not completed yet; per lesson, the items waiting on it
    let mut waiting: Vec<usize> = Vec::new();
    let mut dependents: HashMap<LessonId, Vec<usize>> = HashMap::new();
    for l in &input.lessons {
        let review = l.assessments.iter().any(|a| a.standing == Standing::Failed);
        if completed.contains(&l.id) && !review {
            continue;
        }
        let i = items.len();
        let mut count = 0;
        for p in graph.prerequisites(l.id)? {
            if !completed.contains(&p) {
                count += 1;
                dependents.entry(p).or_default().push(i);
            }
        }
        items.push(Some((l, standing(input, &skills_of(l)), review)));
        waiting.push(count);
    }
    let key = |i: usize, items: &[Option<(&PlanLesson, SkillStanding, bool)>]| {
        let (l, s, review) = items[i]
            .as_ref()
            .unwrap_or_else(|| unreachable!("queued once"));
        Ready {
            review: *review,
            weakest: s.weakest,
            order_index: l.order_index,
            id: l.id,
            item: i,
        }
    };
    let mut ready: BinaryHeap<Reverse<Ready>> = (0..items.len())
        .filter(|i| waiting[*i] == 0)
        .map(|i| Reverse(key(i, &items)))
        .collect();
    for _ in 0..items.len() {
        let Some(Reverse(next)) = ready.pop() else {
            // unreachable for a valid graph: every remaining lesson's prerequisites are
            // completed or remaining, and the graph has no cycle
            return Err(Error::InvalidInput {
                field: "lessons",
                reason: "the lessons left cannot be ordered by their prerequisites".into(),
            });
        };
        let Some((lesson, s, review)) = items[next.item].take() else {
            unreachable!("each item is queued once")
        };
        for &d in dependents.get(&lesson.id).map(Vec::as_slice).unwrap_or(&[]) {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push(Reverse(key(d, &items)));
            }
        }
        let s = &s;
        let done = completed.contains(&lesson.id);
        let mut open = open_assessments(lesson);
        if review {
            // the failed ones first, mandatory before optional
            open.sort_by_key(|a| (a.standing != Standing::Failed, !a.mandatory));
        }
        if done {
            // a completed lesson: only its failed assessments come back
            open.retain(|a| a.standing == Standing::Failed);
        }
        let first = open.first().copied();
        let mut st = if review {
            let a = first.unwrap_or_else(|| unreachable!("a review has a failed assessment"));
            let skills: Vec<&str> = if a.skills.is_empty() {
                s.skills.iter().map(|(k, _)| *k).collect()
            } else {
                a.skills.iter().map(String::as_str).collect()
            };
            let weak = standing(input, &skills);
            let weak = if weak.skills.is_empty() {
                String::new()
            } else {
                format!("; weakest skills: {}", skill_list(&weak.skills, 3))
            };
            notes.review.push(named(&lesson.title, "a lesson"));
            let mut st = step(
                StepKind::Review,
                Some(lesson.id),
                format!(
                    "Review {}: {} is not passed yet{weak}. Go over the lesson again, then retake it.",
                    named(&lesson.title, "the lesson"),
                    named(&a.title, "its assessment"),
                ),
                lesson_minutes(input, lesson)
                    .div_ceil(2)
                    .saturating_add(assessment_minutes(input, a)),
            );
            st.optional = done && !a.mandatory;
            st
        } else if s.mastered {
            notes.fast.push(named(&lesson.title, "a lesson"));
            let minutes = match first {
                Some(a) => assessment_minutes(input, a),
                None => lesson_minutes(input, lesson).div_ceil(4),
            };
            step(
                StepKind::FastTrack,
                Some(lesson.id),
                format!(
                    "Fast track {}: you already master {}. {}",
                    named(&lesson.title, "this lesson"),
                    skill_list(&s.skills, 5),
                    if first.is_some() {
                        "Go straight to the assessment."
                    } else {
                        "Skim it and move on."
                    }
                ),
                minutes,
            )
        } else {
            let why = if lesson.status == ProgressStatus::InProgress {
                "Continue where you left off".to_owned()
            } else if !s.skills.is_empty() {
                format!(
                    "Builds your weakest skills here: {}",
                    skill_list(&s.skills, 3)
                )
            } else {
                "Next in the course".to_owned()
            };
            let mut r = format!("{}: {why}.", named(&lesson.title, "Lesson"));
            if let Some(a) = first {
                r.push_str(&format!(
                    " Then take {}.",
                    named(&a.title, "its assessment")
                ));
            }
            let minutes = lesson_minutes(input, lesson)
                .saturating_add(first.map_or(0, |a| assessment_minutes(input, a)));
            step(StepKind::Study, Some(lesson.id), r, minutes)
        };
        st.highlights = highlights(input, lesson);
        st.assessment_id = first.map(|a| a.id);
        if lesson.status == ProgressStatus::InProgress {
            st.status = StepStatus::InProgress;
        }
        steps.push(st);
        for a in open.iter().skip(1) {
            let mut st = step(
                StepKind::Assessment,
                Some(lesson.id),
                format!(
                    "{} {}{}.",
                    if a.standing == Standing::Failed {
                        "Retake"
                    } else {
                        "Take"
                    },
                    named(&a.title, "the lesson's other assessment"),
                    if a.mandatory { "" } else { " (optional)" }
                ),
                assessment_minutes(input, a),
            );
            st.assessment_id = Some(a.id);
            st.optional = done && !a.mandatory;
            steps.push(st);
        }
    }
    // optional assessments of completed lessons, never attempted
    let mut done: Vec<&PlanLesson> = input
        .lessons
        .iter()
        .filter(|l| l.status == ProgressStatus::Completed)
        .collect();
    done.sort_by_key(|l| (l.order_index, l.id));
    for lesson in done {
        for a in lesson
            .assessments
            .iter()
            .filter(|a| a.standing == Standing::NotAttempted)
        {
            let mut st = step(
                StepKind::Assessment,
                Some(lesson.id),
                format!(
                    "Take {} to check what you learnt{}.",
                    named(&a.title, "the lesson's assessment"),
                    if a.mandatory { "" } else { " (optional)" }
                ),
                assessment_minutes(input, a),
            );
            st.assessment_id = Some(a.id);
            st.optional = !a.mandatory;
            steps.push(st);
        }
    }

    // the final assessment, last
    if let Some(f) = &input.final_assessment {
        if f.standing != Standing::Passed {
            let skills: Vec<&str> = f.skills.iter().map(String::as_str).collect();
            let s = standing(input, &skills);
            let failed = f.standing == Standing::Failed;
            let mut reason = if failed {
                format!(
                    "Retake {}: not passed yet.",
                    named(&f.title, "the final assessment")
                )
            } else {
                format!("Finish with {}.", named(&f.title, "the final assessment"))
            };
            if !s.skills.is_empty() {
                reason.push_str(&format!(
                    " Weakest skills it tests: {}.",
                    skill_list(&s.skills, 3)
                ));
            }
            let kind = if failed {
                notes.review.push(named(&f.title, "the final assessment"));
                StepKind::Review
            } else {
                StepKind::Assessment
            };
            let mut st = step(kind, None, reason, assessment_minutes(input, f));
            st.assessment_id = Some(f.id);
            steps.push(st);
        }
    }

    // a roadmap holds the next MAX_ROADMAP_STEPS steps; the rest come with the next
    // generation, as the student progresses
    let later = steps.len().saturating_sub(MAX_ROADMAP_STEPS);
    steps.truncate(MAX_ROADMAP_STEPS);
    let data = RoadmapData {
        course_id: Some(input.course_id),
        steps,
        advisor: None,
    };
    let mut reasoning = summary(input, &data, &by_id, &notes);
    if later > 0 {
        reasoning.push_str(&format!(
            " {later} more steps come once these are done (a roadmap holds {MAX_ROADMAP_STEPS})."
        ));
    }
    Ok(Roadmap { data, reasoning })
}

#[derive(Default)]
struct Notes {
    review: Vec<String>,
    fast: Vec<String>,
}

fn summary(
    input: &PlanInput,
    data: &RoadmapData,
    lessons: &HashMap<LessonId, &PlanLesson>,
    notes: &Notes,
) -> String {
    let pace = match input.preferences.preferred_pace {
        Pace::Slow => "slow",
        Pace::Medium => "medium",
        Pace::Fast => "fast",
    };
    let mut out = format!(
        "{} steps, about {} minutes at a {pace} pace.",
        data.steps.len(),
        data.remaining_minutes()
    );
    // the weakest skills of the lessons still to study
    let mut weak: BTreeMap<&str, f64> = BTreeMap::new();
    for st in &data.steps {
        if let Some(l) = st.lesson_id.and_then(|id| lessons.get(&id)) {
            for s in skills_of(l) {
                let (m, _) = input.mastery(s);
                if m < input.settings.mastered {
                    weak.insert(s, m);
                }
            }
        }
    }
    let mut weak: Vec<(&str, f64)> = weak.into_iter().collect();
    weak.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    if !weak.is_empty() {
        out.push_str(&format!(" Weakest skills first: {}.", skill_list(&weak, 3)));
    }
    if !notes.review.is_empty() {
        out.push_str(&format!(" Review: {}.", notes.review.join(", ")));
    }
    if !notes.fast.is_empty() {
        out.push_str(&format!(
            " Fast-tracked (skills mastered): {}.",
            notes.fast.join(", ")
        ));
    }
    if data.steps.is_empty() {
        out.push_str(" Nothing left to do in this course.");
    }
    out
}

//! A course's grade from its assessments' grades: weights per assessment or per group,
//! and the lowest grades of a group dropped (Open edX's graders, Canvas's weighted
//! assignment groups).
//!
//! A course's [`GradingScheme`] (`courses.grading_scheme`) says how its assessments
//! count:
//!
//! * **Without groups**, every assessment of the course counts by its weight
//!   ([`GradedAssessment::weight`]; 1 for an assessment the scheme does not list): the
//!   course grade is the weighted mean of the assessments' grades.
//! * **With groups**, an assessment counts in the group the scheme puts it in, by its
//!   weight within the group; an assessment in no group does not count (practice). A
//!   group's grade is the weighted mean of its assessments' grades once its
//!   [`GradeGroup::drop_lowest`] lowest are dropped; the course grade is the mean of the
//!   groups' grades weighted by [`GradeGroup::weight`].
//! * An assessment of weight 0 does not count; a group of weight 0 is shown with its
//!   grades but adds nothing to the course grade (nor to its counts).
//!
//! [`course_grade`] gives two grades, as Canvas does: the **current** grade counts only
//! the graded assessments (a group without one is left out, the other groups' weights
//! are scaled up); the **final** grade counts an assessment without a grade as 0. Each is
//! `None` when nothing that carries weight counts.
//!
//! **Dropping** keeps at least one assessment of a group: of `n` assessments that count,
//! `min(drop_lowest, n − 1)` are dropped — the ones whose dropping leaves the highest
//! group grade (with equal weights, the lowest grades; with unequal weights, not
//! always: dropping a heavy 60 % can help more than dropping a light 50 %). Among
//! choices that leave the same grade, the assessments listed first are kept. The current
//! grade drops among the graded assessments, the final grade among all (a missing one
//! counts 0, among the lowest).
//!
//! **Missing work**: an assessment the student submitted nothing to by their close time
//! has the grade the late policy gives missing work, when it gives one
//! ([`GradeItem::missing`]); it then counts as graded.
//!
//! **Rounding**: a group's grade is exact to the millionth of a percent (rounded down);
//! the grades shown — the course's and each group's — are rounded down to the
//! hundredth of a percent. Without groups the course grade is the exact weighted mean
//! rounded down to the hundredth. Grades above 100 count as 100.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::delivery::Hundredths;
use crate::documents::limits::MAX_SHORT_TEXT_CHARS;
use crate::documents::{pointer, Document, Problems};
use crate::model::AssessmentId;
use crate::Result;

/// At most this many groups in a scheme.
pub const MAX_GRADE_GROUPS: usize = 100;
/// At most this many assessments listed in a scheme.
pub const MAX_GRADED_ASSESSMENTS: usize = 2_000;
/// At most this many lowest grades dropped in a group.
pub const MAX_DROP_LOWEST: u32 = 1_000;

fn one() -> Hundredths {
    Hundredths::ONE
}

fn is_one(w: &Hundredths) -> bool {
    *w == Hundredths::ONE
}

/// A group of assessments (homework, quizzes, the exam) with its weight in the course
/// grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeGroup {
    /// The group's name, unique in the scheme (what the scheme's assessments name).
    #[schemars(length(min = 1, max = MAX_SHORT_TEXT_CHARS))]
    pub name: String,
    /// Its weight among the groups (e.g. 40 of 100; the weights need not sum to 100:
    /// they are relative).
    pub weight: Hundredths,
    /// How many of its lowest grades are dropped (at most all but one).
    #[serde(default)]
    #[schemars(range(max = MAX_DROP_LOWEST))]
    pub drop_lowest: u32,
}

/// How one assessment counts: its group and its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradedAssessment {
    /// The assessment (one of the course's).
    pub assessment_id: AssessmentId,
    /// The name of its group; `None`: in no group (with groups, it does not count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = MAX_SHORT_TEXT_CHARS))]
    pub group: Option<String>,
    /// Its weight within its group, or in the course without groups (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: Hundredths,
}

/// `courses.grading_scheme`: how a course's assessments make its grade (see the
/// [module docs](self)), e.g. `{"groups": [{"name": "Homework", "weight": 40,
/// "drop_lowest": 1}, {"name": "Exam", "weight": 60}], "assessments":
/// [{"assessment_id": "…", "group": "Homework"}, …]}`. The empty scheme `{}` (the
/// default) counts every assessment alike.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradingScheme {
    /// The groups; none: every assessment counts on its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_GRADE_GROUPS))]
    pub groups: Vec<GradeGroup>,
    /// The assessments with a group or a weight other than 1, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = MAX_GRADED_ASSESSMENTS))]
    pub assessments: Vec<GradedAssessment>,
}

impl Document for GradingScheme {
    const NAME: &'static str = "grading_scheme";

    fn check(&mut self, problems: &mut Problems) {
        let mut names = BTreeMap::new();
        for (i, g) in self.groups.iter_mut().enumerate() {
            let path = pointer(&pointer("/groups", &i.to_string()), "name");
            g.name = g.name.trim().to_owned();
            if g.name.is_empty() {
                problems.push(&path, "must not be blank");
            } else if let Some(first) = names.insert(g.name.clone(), i) {
                problems.push(&path, format!("is also the name of group {first}"));
            }
        }
        if !self.groups.is_empty() && self.groups.iter().all(|g| g.weight == Hundredths::ZERO) {
            problems.push("/groups", "the group weights sum to zero");
        }
        let mut seen = BTreeSet::new();
        for (j, a) in self.assessments.iter_mut().enumerate() {
            let base = pointer("/assessments", &j.to_string());
            if !seen.insert(a.assessment_id) {
                problems.push(
                    &pointer(&base, "assessment_id"),
                    format!("assessment {} is listed twice", a.assessment_id),
                );
            }
            if let Some(name) = &mut a.group {
                *name = name.trim().to_owned();
                if !names.contains_key(name.as_str()) {
                    problems.push(
                        &pointer(&base, "group"),
                        format!("names no group of the scheme (`{name}`)"),
                    );
                }
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            let mut members = self
                .assessments
                .iter()
                .filter(|a| a.group.as_deref() == Some(g.name.as_str()))
                .peekable();
            if members.peek().is_some() && members.all(|a| a.weight == Hundredths::ZERO) {
                problems.push(
                    &pointer("/groups", &i.to_string()),
                    "the weights of its assessments sum to zero",
                );
            }
        }
    }
}

impl GradingScheme {
    /// Checks the scheme against the course's assessments: each listed assessment is one
    /// of them, and without groups their weights (1 for those not listed) do not sum to
    /// zero. Every problem an [`crate::Error::InvalidDocument`] of `grading_scheme`.
    pub fn check_course(&self, course_assessments: &[AssessmentId]) -> Result<()> {
        let mut problems = Problems::default();
        let known: BTreeSet<_> = course_assessments.iter().collect();
        for (j, a) in self.assessments.iter().enumerate() {
            if !known.contains(&a.assessment_id) {
                problems.push(
                    &pointer(&pointer("/assessments", &j.to_string()), "assessment_id"),
                    format!("{} is not an assessment of the course", a.assessment_id),
                );
            }
        }
        let places = self.places();
        let weight_of = |id: &AssessmentId| places.get(id).map_or(Hundredths::ONE, |p| p.1);
        if self.groups.is_empty()
            && !course_assessments.is_empty()
            && course_assessments
                .iter()
                .all(|id| weight_of(id) == Hundredths::ZERO)
        {
            problems.push("/assessments", "the assessment weights sum to zero");
        }
        problems.into_result(Self::NAME)
    }

    /// How the scheme counts each assessment it lists: its group's index (with groups;
    /// `None` in no group) and its weight; an assessment not listed is in no group, of
    /// weight 1. The first listing of an assessment wins.
    fn places(&self) -> HashMap<AssessmentId, (Option<usize>, Hundredths)> {
        let groups: HashMap<&str, usize> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.as_str(), i))
            .collect();
        let mut places = HashMap::with_capacity(self.assessments.len());
        for a in &self.assessments {
            places.entry(a.assessment_id).or_insert((
                a.group.as_deref().and_then(|n| groups.get(n).copied()),
                a.weight,
            ));
        }
        places
    }

    /// The position of each listed assessment in the scheme (the first listing).
    pub fn positions(&self) -> HashMap<AssessmentId, usize> {
        let mut positions = HashMap::with_capacity(self.assessments.len());
        for (i, a) in self.assessments.iter().enumerate() {
            positions.entry(a.assessment_id).or_insert(i);
        }
        positions
    }
}

/// One assessment of a course with the student's grade at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GradeItem {
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// The student's grade 0–100 (by the assessment's grading method); `None`: none
    /// yet.
    #[serde(default)]
    pub grade: Option<Hundredths>,
    /// Without a grade: the grade of the work as missing — the student submitted
    /// nothing by their close time and the late policy grades missing work
    /// ([`crate::delivery::LatePolicy::missing_percent`]). It counts as their grade, in
    /// the current grade too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Hundredths>,
}

/// A group's grades ([`CourseGrade::groups`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GroupGrade {
    /// The group's name.
    pub name: String,
    /// Its weight.
    pub weight: Hundredths,
    /// Over its graded assessments, once the lowest are dropped; `None` without one.
    pub current_percent: Option<Hundredths>,
    /// Over all its assessments (0 for those without a grade), once the lowest are
    /// dropped; `None` when none counts.
    pub final_percent: Option<Hundredths>,
    /// The assessments dropped from the current grade.
    pub dropped: Vec<AssessmentId>,
    /// The assessments dropped from the final grade.
    pub final_dropped: Vec<AssessmentId>,
    /// Its assessments that count (of weight above 0).
    pub counted: u32,
    /// Of those, the graded ones.
    pub graded: u32,
}

/// A student's course grade ([`course_grade`]); the default is no grade.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CourseGrade {
    /// Over the graded assessments (Canvas's current grade), 0–100; `None` while none
    /// that carries weight is graded.
    pub current_percent: Option<Hundredths>,
    /// Every assessment that counts, those without a grade as 0 (the final grade),
    /// 0–100; `None` when none counts.
    pub final_percent: Option<Hundredths>,
    /// The assessments that count (weight above 0; with groups, in a group of weight
    /// above 0).
    pub counted: u32,
    /// Of those, the graded ones.
    pub graded: u32,
    /// Each group's grades, in the scheme's order (empty without groups).
    pub groups: Vec<GroupGrade>,
    /// The assessments that count and are graded as missing work
    /// ([`GradeItem::missing`]).
    pub missing_work: Vec<AssessmentId>,
}

/// Millionths of a percent per hundredth of a percent.
const MICRO_PER_HUNDREDTH: u128 = 10_000;

/// A kept set's exact grade: Σ grade × weight and Σ weight (hundredths × hundredths).
#[derive(Debug, Clone, Copy)]
struct Ratio {
    num: u128,
    den: u128,
}

/// The `(grade, weight)` pairs of `items` kept once `drop` of them are dropped (at most
/// all but one) so as to leave the highest weighted mean: Dinkelbach's method on exact
/// integers — from the set without the lowest grades, keep the `k` items of the highest
/// `w × (g − q)` for the current mean `q` until no set improves on `q`; ties keep the
/// items listed first. Returns the kept set's ratio and the dropped positions.
fn keep_best(items: &[(u128, u128)], drop: u32) -> (Ratio, Vec<usize>) {
    let n = items.len();
    let drop = usize::try_from(drop)
        .unwrap_or(usize::MAX)
        .min(n.saturating_sub(1));
    let k = n - drop;
    let ratio = |kept: &[usize]| Ratio {
        num: kept.iter().map(|&i| items[i].0 * items[i].1).sum(),
        den: kept.iter().map(|&i| items[i].1).sum(),
    };
    // top k by a key (descending), ties by position
    let top = |key: &dyn Fn(usize) -> i128| -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| key(b).cmp(&key(a)).then(a.cmp(&b)));
        order.truncate(k);
        order
    };
    let mut kept = top(&|i| i128::try_from(items[i].0).unwrap_or(i128::MAX));
    if drop > 0 {
        // each round strictly raises the mean, and there are finitely many sets
        loop {
            let q = ratio(&kept);
            let gain = |i: usize| -> i128 {
                let (g, w) = items[i];
                // w × (g × den − num), exact in i128: g × den and num stay below
                // 2^52, the product below 2^80
                let diff = i128::try_from(g * q.den).unwrap_or(i128::MAX)
                    - i128::try_from(q.num).unwrap_or(i128::MAX);
                i128::try_from(w).unwrap_or(i128::MAX).saturating_mul(diff)
            };
            let next = top(&gain);
            let total: i128 = next.iter().map(|&i| gain(i)).sum();
            kept = next;
            if total <= 0 {
                break;
            }
        }
    }
    let mut is_kept = vec![false; n];
    for &i in &kept {
        is_kept[i] = true;
    }
    let dropped: Vec<usize> = (0..n).filter(|&i| !is_kept[i]).collect();
    (ratio(&kept), dropped)
}

/// The grade of a group (or of a course without groups) over `items` (grade, weight in
/// hundredths; weight above 0), in millionths of a percent, with the dropped positions.
fn group_micros(items: &[(u128, u128)], drop: u32) -> Option<(u128, Vec<usize>)> {
    if items.is_empty() {
        return None;
    }
    let (r, dropped) = keep_best(items, drop);
    (r.den > 0).then(|| (r.num * MICRO_PER_HUNDREDTH / r.den, dropped))
}

fn shown(micros: u128) -> Hundredths {
    Hundredths::from_hundredths(u32::try_from(micros / MICRO_PER_HUNDREDTH).unwrap_or(u32::MAX))
}

/// The weighted mean of `(grade in millionths, weight)`, shown; `None` when the weights
/// sum to zero.
fn weighted(groups: &[(u128, u128)]) -> Option<Hundredths> {
    let den: u128 = groups.iter().map(|g| g.1).sum();
    (den > 0).then(|| shown(groups.iter().map(|(p, w)| p * w).sum::<u128>() / den))
}

/// A student's grade in a course from the grades of its assessments (`items`: each of the
/// course's assessments that counts, once; the order breaks ties between drops), by the
/// course's `scheme` (see the [module docs](self)). Pure.
pub fn course_grade(scheme: &GradingScheme, items: &[GradeItem]) -> CourseGrade {
    let cap = |g: Hundredths| u128::from(g.hundredths().min(Hundredths::HUNDRED.hundredths()));
    // the items that count, by group (one group without groups)
    let slots = scheme.groups.len().max(1);
    let mut members: Vec<Vec<(&GradeItem, u128)>> = vec![Vec::new(); slots];
    let places = scheme.places();
    let mut seen = BTreeSet::new();
    for item in items {
        if !seen.insert(item.assessment_id) {
            continue;
        }
        let (group, weight) = places
            .get(&item.assessment_id)
            .copied()
            .unwrap_or((None, Hundredths::ONE));
        let slot = if scheme.groups.is_empty() {
            Some(0)
        } else {
            group
        };
        if let Some(slot) = slot.filter(|_| weight > Hundredths::ZERO) {
            members[slot].push((item, u128::from(weight.hundredths())));
        }
    }
    // missing work graded by the late policy counts as graded
    let grade_of = |i: &GradeItem| i.grade.or(i.missing);
    let missing_work: Vec<AssessmentId> = members
        .iter()
        .enumerate()
        .filter(|(slot, _)| {
            scheme
                .groups
                .get(*slot)
                .is_none_or(|g| g.weight > Hundredths::ZERO)
        })
        .flat_map(|(_, list)| list.iter())
        .filter(|(i, _)| i.grade.is_none() && i.missing.is_some())
        .map(|(i, _)| i.assessment_id)
        .collect();
    let mut current = Vec::new();
    let mut finals = Vec::new();
    let mut groups = Vec::new();
    let (mut counted, mut graded) = (0u32, 0u32);
    for (slot, list) in members.iter().enumerate() {
        let (name, weight, drop) = match scheme.groups.get(slot) {
            Some(g) => (g.name.clone(), g.weight, g.drop_lowest),
            None => (String::new(), Hundredths::HUNDRED, 0),
        };
        let graded_items: Vec<&(&GradeItem, u128)> =
            list.iter().filter(|(i, _)| grade_of(i).is_some()).collect();
        let cur = group_micros(
            &graded_items
                .iter()
                .map(|(i, w)| (grade_of(i).map_or(0, cap), *w))
                .collect::<Vec<_>>(),
            drop,
        );
        let fin = group_micros(
            &list
                .iter()
                .map(|(i, w)| (grade_of(i).map_or(0, cap), *w))
                .collect::<Vec<_>>(),
            drop,
        );
        let w = u128::from(weight.hundredths());
        if let Some((p, _)) = &cur {
            current.push((*p, w));
        }
        if let Some((p, _)) = &fin {
            finals.push((*p, w));
        }
        let n = u32::try_from(list.len()).unwrap_or(u32::MAX);
        let g = u32::try_from(graded_items.len()).unwrap_or(u32::MAX);
        if w > 0 {
            counted = counted.saturating_add(n);
            graded = graded.saturating_add(g);
        }
        if !scheme.groups.is_empty() {
            groups.push(GroupGrade {
                name,
                weight,
                current_percent: cur.as_ref().map(|(p, _)| shown(*p)),
                final_percent: fin.as_ref().map(|(p, _)| shown(*p)),
                dropped: cur
                    .map(|(_, d)| d.iter().map(|&i| graded_items[i].0.assessment_id).collect())
                    .unwrap_or_default(),
                final_dropped: fin
                    .map(|(_, d)| d.iter().map(|&i| list[i].0.assessment_id).collect())
                    .unwrap_or_default(),
                counted: n,
                graded: g,
            });
        }
    }
    CourseGrade {
        current_percent: weighted(&current),
        final_percent: weighted(&finals),
        counted,
        graded,
        groups,
        missing_work,
    }
}

#[cfg(test)]
mod tests;

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::*;

fn id(n: u128) -> AssessmentId {
    AssessmentId(Uuid::from_u128(n))
}

fn h(value: f64) -> Hundredths {
    Hundredths::from_f64(value).unwrap()
}

fn item(n: u128, grade: Option<f64>) -> GradeItem {
    GradeItem {
        assessment_id: id(n),
        grade: grade.map(h),
        missing: None,
    }
}

fn scheme(value: serde_json::Value) -> GradingScheme {
    GradingScheme::validate(&value).unwrap()
}

fn problems(value: serde_json::Value) -> Vec<String> {
    GradingScheme::validate(&value)
        .unwrap_err()
        .problems
        .into_iter()
        .map(|p| p.path)
        .collect()
}

#[test]
fn without_a_scheme_every_assessment_counts_alike() {
    // current: (80 + 90) / 2; final: (80 + 90 + 0) / 3 = 56.666… rounded down
    let g = course_grade(
        &GradingScheme::default(),
        &[item(1, Some(80.0)), item(2, Some(90.0)), item(3, None)],
    );
    assert_eq!(g.current_percent, Some(h(85.0)));
    assert_eq!(g.final_percent, Some(h(56.66)));
    assert_eq!((g.counted, g.graded), (3, 2));
    assert!(g.groups.is_empty());
}

#[test]
fn weights_per_assessment_without_groups() {
    // (80 × 1 + 50 × 3) / 4 = 57.5; a weight of 0 does not count
    let s = scheme(json!({"assessments": [
        {"assessment_id": id(2), "weight": 3},
        {"assessment_id": id(3), "weight": 0}
    ]}));
    let g = course_grade(
        &s,
        &[item(1, Some(80.0)), item(2, Some(50.0)), item(3, Some(0.0))],
    );
    assert_eq!(g.current_percent, Some(h(57.5)));
    assert_eq!(g.counted, 2);
}

#[test]
fn groups_weigh_their_means_and_drop_the_lowest() {
    // Homework: 100, 50, 80, drop 1 → (100 + 80) / 2 = 90; Exam 70;
    // course (40 × 90 + 60 × 70) / 100 = 78
    let s = scheme(json!({
    "groups": [{"name": "Homework", "weight": 40, "drop_lowest": 1},
               {"name": "Exam", "weight": 60}],
    "assessments": [
        {"assessment_id": id(1), "group": "Homework"},
        {"assessment_id": id(2), "group": "Homework"},
        {"assessment_id": id(3), "group": "Homework"},
        {"assessment_id": id(4), "group": "Exam"}
    ]}));
    let g = course_grade(
        &s,
        &[
            item(1, Some(100.0)),
            item(2, Some(50.0)),
            item(3, Some(80.0)),
            item(4, Some(70.0)),
            item(5, Some(0.0)), // in no group: practice
        ],
    );
    assert_eq!(g.current_percent, Some(h(78.0)));
    assert_eq!(g.groups[0].current_percent, Some(h(90.0)));
    assert_eq!(g.groups[0].dropped, vec![id(2)]);
    assert_eq!(g.groups[1].current_percent, Some(h(70.0)));
    assert_eq!(g.counted, 4);
}

#[test]
fn the_current_grade_leaves_out_groups_without_a_grade() {
    // Exam ungraded: current = Homework alone (90); final counts the exam as 0: 36
    let s = scheme(json!({
        "groups": [{"name": "Homework", "weight": 40}, {"name": "Exam", "weight": 60}],
        "assessments": [{"assessment_id": id(1), "group": "Homework"},
                        {"assessment_id": id(2), "group": "Exam"}]}));
    let g = course_grade(&s, &[item(1, Some(90.0)), item(2, None)]);
    assert_eq!(g.current_percent, Some(h(90.0)));
    assert_eq!(g.final_percent, Some(h(36.0)));
    assert_eq!(g.groups[1].current_percent, None);
    assert_eq!(g.groups[1].final_percent, Some(h(0.0)));
    // nothing graded at all: no current grade
    let none = course_grade(&s, &[item(1, None), item(2, None)]);
    assert_eq!(none.current_percent, None);
    assert_eq!(none.final_percent, Some(h(0.0)));
    // no assessment counts: no grade at all
    let empty = course_grade(&s, &[]);
    assert_eq!((empty.current_percent, empty.final_percent), (None, None));
}

#[test]
fn dropping_with_unequal_weights_keeps_the_best_set() {
    // 60 (weight 10), 50 (weight 1), 100 (weight 10), drop 1:
    // dropping the 50 leaves (600 + 1000) / 20 = 80; dropping the 60 leaves
    // (50 + 1000) / 11 = 95.4545… → 95.45
    let s = scheme(json!({
    "groups": [{"name": "Quizzes", "weight": 1, "drop_lowest": 1}],
    "assessments": [
        {"assessment_id": id(1), "group": "Quizzes", "weight": 10},
        {"assessment_id": id(2), "group": "Quizzes", "weight": 1},
        {"assessment_id": id(3), "group": "Quizzes", "weight": 10}
    ]}));
    let g = course_grade(
        &s,
        &[
            item(1, Some(60.0)),
            item(2, Some(50.0)),
            item(3, Some(100.0)),
        ],
    );
    assert_eq!(g.groups[0].dropped, vec![id(1)]);
    assert_eq!(g.current_percent, Some(h(95.45)));
}

#[test]
fn dropping_keeps_one_and_ties_keep_the_first_listed() {
    let s = scheme(json!({
        "groups": [{"name": "Labs", "weight": 1, "drop_lowest": 5}],
        "assessments": [{"assessment_id": id(1), "group": "Labs"},
                        {"assessment_id": id(2), "group": "Labs"}]}));
    let g = course_grade(&s, &[item(1, Some(40.0)), item(2, Some(70.0))]);
    assert_eq!(g.current_percent, Some(h(70.0)));
    assert_eq!(g.groups[0].dropped, vec![id(1)]);

    let s = scheme(json!({
        "groups": [{"name": "Labs", "weight": 1, "drop_lowest": 1}],
        "assessments": [{"assessment_id": id(1), "group": "Labs"},
                        {"assessment_id": id(2), "group": "Labs"},
                        {"assessment_id": id(3), "group": "Labs"}]}));
    let g = course_grade(
        &s,
        &[
            item(1, Some(50.0)),
            item(2, Some(50.0)),
            item(3, Some(90.0)),
        ],
    );
    assert_eq!(g.groups[0].dropped, vec![id(2)]);
    assert_eq!(g.current_percent, Some(h(70.0)));
}

#[test]
fn the_final_grade_drops_missing_work_first() {
    // current: only 80 is graded, nothing to drop; final: the missing one (0) dropped
    let s = scheme(json!({
        "groups": [{"name": "Homework", "weight": 1, "drop_lowest": 1}],
        "assessments": [{"assessment_id": id(1), "group": "Homework"},
                        {"assessment_id": id(2), "group": "Homework"}]}));
    let g = course_grade(&s, &[item(1, Some(80.0)), item(2, None)]);
    assert_eq!(g.current_percent, Some(h(80.0)));
    assert_eq!(g.final_percent, Some(h(80.0)));
    assert!(g.groups[0].dropped.is_empty());
    assert_eq!(g.groups[0].final_dropped, vec![id(2)]);
}

#[test]
fn group_grades_are_exact_to_the_millionth_then_shown_to_the_hundredth() {
    // A: 100, 0, 0 → 33.333333 %; B: 100 %; weights 1 and 2:
    // (33.333333 + 200) / 3 = 77.777777… → 77.77; A shown as 33.33
    let s = scheme(json!({
        "groups": [{"name": "A", "weight": 1}, {"name": "B", "weight": 2}],
        "assessments": [{"assessment_id": id(1), "group": "A"},
                        {"assessment_id": id(2), "group": "A"},
                        {"assessment_id": id(3), "group": "A"},
                        {"assessment_id": id(4), "group": "B"}]}));
    let g = course_grade(
        &s,
        &[
            item(1, Some(100.0)),
            item(2, Some(0.0)),
            item(3, Some(0.0)),
            item(4, Some(100.0)),
        ],
    );
    assert_eq!(g.groups[0].current_percent, Some(h(33.33)));
    assert_eq!(g.current_percent, Some(h(77.77)));
}

#[test]
fn grades_above_a_hundred_count_as_a_hundred_and_duplicates_once() {
    let g = course_grade(
        &GradingScheme::default(),
        &[
            item(1, Some(150.0)),
            item(1, Some(0.0)),
            item(2, Some(50.0)),
        ],
    );
    assert_eq!(g.current_percent, Some(h(75.0)));
    assert_eq!(g.counted, 2);
}

#[test]
fn bad_schemes_are_refused_naming_the_field() {
    assert_eq!(
        problems(json!({"groups": [{"name": "A", "weight": 0}, {"name": "B", "weight": 0}]})),
        vec!["/groups"]
    );
    assert_eq!(
        problems(json!({"groups": [{"name": "A", "weight": 1}, {"name": " A ", "weight": 1}]})),
        vec!["/groups/1/name"]
    );
    assert_eq!(
        problems(json!({"groups": [{"name": "  ", "weight": 1}]})),
        vec!["/groups/0/name"]
    );
    assert_eq!(
        problems(json!({"groups": [{"name": "A", "weight": -1}]})),
        vec!["/groups/0/weight"]
    );
    assert_eq!(
        problems(json!({"assessments": [{"assessment_id": id(1), "group": "A"}]})),
        vec!["/assessments/0/group"]
    );
    assert_eq!(
        problems(json!({"assessments": [{"assessment_id": id(1)}, {"assessment_id": id(1)}]})),
        vec!["/assessments/1/assessment_id"]
    );
    assert_eq!(
        problems(json!({
            "groups": [{"name": "A", "weight": 1}],
            "assessments": [{"assessment_id": id(1), "group": "A", "weight": 0}]})),
        vec!["/groups/0"]
    );
    assert_eq!(
        problems(json!({"groups": [{"name": "A", "weight": 1, "drop_lowest": 1001}]})),
        vec!["/groups/0/drop_lowest"]
    );
    assert_eq!(problems(json!({"weights": []})), vec!["/weights"]);
}

#[test]
fn a_scheme_is_checked_against_the_course() {
    let s = scheme(
        json!({"assessments": [{"assessment_id": id(1), "weight": 0},
                                          {"assessment_id": id(9)}]}),
    );
    let err = s.check_course(&[id(1)]).unwrap_err();
    let paths: Vec<String> = err.body().problems.into_iter().map(|p| p.path).collect();
    // id(9) is not the course's, and the course's only assessment weighs 0
    assert_eq!(paths, vec!["/assessments/1/assessment_id", "/assessments"]);
    // every assessment of the course at weight 0
    let s = scheme(json!({"assessments": [{"assessment_id": id(1), "weight": 0}]}));
    let paths: Vec<String> = s
        .check_course(&[id(1)])
        .unwrap_err()
        .body()
        .problems
        .into_iter()
        .map(|p| p.path)
        .collect();
    assert_eq!(paths, vec!["/assessments"]);
    // another assessment still counts at 1; a course without assessments is fine
    s.check_course(&[id(1), id(2)]).unwrap();
    GradingScheme::default().check_course(&[]).unwrap();
}

/// The best mean over every way of keeping `k` of `items`, exactly (as a fraction).
fn brute_best(items: &[(u128, u128)], k: usize) -> (u128, u128) {
    let n = items.len();
    let mut best: Option<(u128, u128)> = None;
    for mask in 0u32..(1 << n) {
        if mask.count_ones() as usize != k {
            continue;
        }
        let (mut num, mut den) = (0u128, 0u128);
        for (i, (g, w)) in items.iter().enumerate() {
            if mask & (1 << i) != 0 {
                num += g * w;
                den += w;
            }
        }
        best = match best {
            Some((bn, bd)) if bn * den >= num * bd => Some((bn, bd)),
            _ => Some((num, den)),
        };
    }
    best.unwrap()
}

proptest! {
    #[test]
    fn dropping_finds_the_best_set(
        items in prop::collection::vec((0u128..=10_000, 1u128..=1_000), 1..8),
        drop in 0u32..8,
    ) {
        let k = items.len() - (drop as usize).min(items.len() - 1);
        let (ratio, dropped) = keep_best(&items, drop);
        let (bn, bd) = brute_best(&items, k);
        prop_assert_eq!(ratio.num * bd, bn * ratio.den);
        prop_assert_eq!(dropped.len(), items.len() - k);
    }

    #[test]
    fn grades_stay_in_range_and_final_never_beats_current(
        grades in prop::collection::vec(prop::option::of(0u32..=12_000), 0..12),
        groups in prop::collection::vec((0u32..=300, 0u32..4), 0..4),
        weights in prop::collection::vec(0u32..=500, 12),
        places in prop::collection::vec(0usize..5, 12),
    ) {
        let groups: Vec<GradeGroup> = groups
            .iter()
            .enumerate()
            .map(|(i, (w, d))| GradeGroup {
                name: format!("g{i}"),
                weight: Hundredths::from_hundredths(*w),
                drop_lowest: *d,
            })
            .collect();
        let assessments = (0..grades.len())
            .map(|i| GradedAssessment {
                assessment_id: id(i as u128),
                group: (places[i] < groups.len()).then(|| format!("g{}", places[i])),
                weight: Hundredths::from_hundredths(weights[i]),
            })
            .collect();
        let s = GradingScheme { groups, assessments };
        let items: Vec<GradeItem> = grades
            .iter()
            .enumerate()
            .map(|(i, g)| GradeItem {
                assessment_id: id(i as u128),
                grade: g.map(Hundredths::from_hundredths),
                missing: None,
            })
            .collect();
        let g = course_grade(&s, &items);
        for p in [g.current_percent, g.final_percent].into_iter().flatten() {
            prop_assert!(p <= Hundredths::HUNDRED);
        }
        if let (Some(c), Some(f)) = (g.current_percent, g.final_percent) {
            prop_assert!(f <= c, "final {f} above current {c}");
        }
        prop_assert!(g.graded <= g.counted);
    }
}

#[test]
fn a_group_of_weight_zero_is_shown_but_adds_nothing() {
    let s = scheme(json!({
        "groups": [{"name": "Graded", "weight": 1}, {"name": "Practice", "weight": 0}],
        "assessments": [{"assessment_id": id(1), "group": "Graded"},
                        {"assessment_id": id(2), "group": "Practice"}]}));
    let g = course_grade(&s, &[item(1, Some(60.0)), item(2, Some(100.0))]);
    assert_eq!(g.current_percent, Some(h(60.0)));
    assert_eq!((g.counted, g.graded), (1, 1));
    assert_eq!(g.groups[1].current_percent, Some(h(100.0)));
    assert_eq!(g.groups[1].counted, 1);
}

#[test]
fn missing_work_counts_as_its_policys_grade() {
    // 90 graded; the other missing after its close, the policy grading it 20:
    // current (90 + 20) / 2 = 55, and it is listed as missing work
    let missing = GradeItem {
        assessment_id: id(2),
        grade: None,
        missing: Some(h(20.0)),
    };
    let g = course_grade(
        &GradingScheme::default(),
        &[item(1, Some(90.0)), missing.clone()],
    );
    assert_eq!(g.current_percent, Some(h(55.0)));
    assert_eq!(g.final_percent, Some(h(55.0)));
    assert_eq!((g.counted, g.graded), (2, 2));
    assert_eq!(g.missing_work, vec![id(2)]);
    // a grade wins over the missing grade
    let graded = GradeItem {
        grade: Some(h(70.0)),
        ..missing
    };
    let g = course_grade(&GradingScheme::default(), &[item(1, Some(90.0)), graded]);
    assert_eq!(g.current_percent, Some(h(80.0)));
    assert!(g.missing_work.is_empty());
}

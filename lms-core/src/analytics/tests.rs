use chrono::{Duration, TimeZone};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a value");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

/// Four attempts at three one-point items, worked out by hand (see each value).
fn fixture() -> (Vec<Item>, Vec<ItemResponses>) {
    let items = ["q1", "q2", "q3"]
        .map(|q| Item {
            question_id: q.into(),
            max_points: 1,
        })
        .to_vec();
    let rows = [
        [1.0, 1.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 1.0],
        [1.0, 1.0, 1.0],
    ];
    let scores = [66, 33, 66, 100];
    let attempts = rows
        .iter()
        .zip(scores)
        .map(|(r, s)| ItemResponses {
            score: Some(s),
            passed: Some(s >= 60),
            points: r.iter().map(|x| Some(*x)).collect(),
        })
        .collect();
    (items, attempts)
}

#[test]
fn item_statistics_match_the_hand_computed_fixture() {
    let (items, attempts) = fixture();
    let (stats, test) = item_statistics(&items, &attempts).unwrap();
    // q1 = [1,1,0,1]: facility 3/4; rest = [1,0,2,2]; Σdx·dr = −0.75, Σdx² = 0.75,
    // Σdr² = 2.75, r = −0.75 / √2.0625
    close(stats[0].facility, 0.75);
    close(stats[0].discrimination, -0.75 / 2.0625f64.sqrt());
    // q3 = [0,0,1,1] against rest [2,1,1,2]: Σdx·dr = 0
    close(stats[2].facility, 0.5);
    close(stats[2].discrimination, 0.0);
    // item variances 1/4, 1/4, 1/3; totals [2,1,2,3] variance 2/3:
    // α = 3/2 · (1 − (5/6) / (2/3)) = −0.375
    close(test.cronbach_alpha, -0.375);
    // scores 66, 33, 66, 100: mean 66.25
    close(test.mean_score, 66.25);
    close(test.pass_rate, 0.75);
    assert_eq!(test.attempts, 4);
    assert_eq!(test.complete_attempts, 4);
    let counts: Vec<u64> = test.histogram.iter().map(|b| b.count).collect();
    assert_eq!(counts, [0, 0, 0, 1, 0, 0, 2, 0, 0, 1]);
}

#[test]
fn incomplete_attempts_count_for_their_items_only() {
    let (items, mut attempts) = fixture();
    attempts.push(ItemResponses {
        score: Some(0),
        passed: Some(false),
        points: vec![Some(0.0), None, None],
    });
    let (stats, test) = item_statistics(&items, &attempts).unwrap();
    assert_eq!(stats[0].attempts, 5);
    assert_eq!(stats[1].attempts, 4);
    close(stats[0].facility, 3.0 / 5.0);
    // discrimination and alpha still read the four complete attempts
    close(stats[2].discrimination, 0.0);
    close(test.cronbach_alpha, -0.375);
    assert_eq!(test.complete_attempts, 4);
    close(test.pass_rate, 3.0 / 5.0);
}

#[test]
fn constant_items_and_bad_rows_are_explained() {
    let items = vec![Item {
        question_id: "q".into(),
        max_points: 2,
    }];
    let same = |p: f64| ItemResponses {
        score: None,
        passed: None,
        points: vec![Some(p)],
    };
    let (stats, test) = item_statistics(&items, &[same(2.0), same(2.0)]).unwrap();
    assert_eq!(stats[0].discrimination, None);
    close(stats[0].facility, 1.0);
    assert_eq!(test.cronbach_alpha, None, "one item has no alpha");
    assert_eq!(test.mean_score, None);
    assert!(item_statistics(&items, &[same(f64::NAN)]).is_err());
    assert!(item_statistics(&items, &[same(-1.0)]).is_err());
    let short = ItemResponses {
        points: vec![],
        ..same(1.0)
    };
    let err = item_statistics(&items, &[short]).unwrap_err();
    assert!(err.to_string().contains("0 points for 1 items"), "{err}");
}

#[test]
fn simple_statistics_by_hand() {
    close(mean(&[1.0, 2.0, 6.0]), 3.0);
    close(variance(&[1.0, 2.0, 6.0]), 7.0); // (4 + 1 + 9) / 2
    close(median(&[5.0, 1.0, 3.0]), 3.0);
    close(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    assert_eq!(median(&[]), None);
    assert_eq!(variance(&[1.0]), None);
    assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
    close(pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), 1.0);
    close(pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0);
    close(drop_off(200, 150), 0.25);
    close(drop_off(100, 120), -0.2);
    assert_eq!(drop_off(0, 0), None);
    let bins = histogram(&[0, 9, 10, 99, 100, 150]);
    assert_eq!(bins[0].count, 2);
    assert_eq!(bins[1].count, 1);
    assert_eq!(bins[9].count, 3);
    assert_eq!((bins[9].from, bins[9].to), (90, 100));
}

/// Reference implementations, written the textbook way from raw sums.
fn reference_pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (sx, sy): (f64, f64) = (x.iter().sum(), y.iter().sum());
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
    let sxx: f64 = x.iter().map(|a| a * a).sum();
    let syy: f64 = y.iter().map(|b| b * b).sum();
    (n * sxy - sx * sy) / ((n * sxx - sx * sx).sqrt() * (n * syy - sy * sy).sqrt())
}

/// α from the covariance matrix: k/(k−1) · (1 − trace / sum of all entries).
fn reference_alpha(rows: &[Vec<f64>]) -> f64 {
    let k = rows[0].len();
    let n = rows.len() as f64;
    let means: Vec<f64> = (0..k)
        .map(|i| rows.iter().map(|r| r[i]).sum::<f64>() / n)
        .collect();
    let cov = |i: usize, j: usize| {
        rows.iter()
            .map(|r| (r[i] - means[i]) * (r[j] - means[j]))
            .sum::<f64>()
            / (n - 1.0)
    };
    let trace: f64 = (0..k).map(|i| cov(i, i)).sum();
    let all: f64 = (0..k)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .map(|(i, j)| cov(i, j))
        .sum();
    k as f64 / (k as f64 - 1.0) * (1.0 - trace / all)
}

proptest! {
    #[test]
    fn statistics_equal_the_reference_implementations(
        rows in prop::collection::vec(prop::collection::vec(0u32..=4, 4), 3..40)
    ) {
        let rows: Vec<Vec<f64>> = rows
            .into_iter()
            .map(|r| r.into_iter().map(|p| f64::from(p) / 2.0).collect())
            .collect();
        let items: Vec<Item> = (0..4)
            .map(|i| Item { question_id: format!("q{i}"), max_points: 2 })
            .collect();
        let attempts: Vec<ItemResponses> = rows
            .iter()
            .map(|r| ItemResponses { score: None, passed: None, points: r.iter().map(|x| Some(*x)).collect() })
            .collect();
        let (stats, test) = item_statistics(&items, &attempts).unwrap();
        let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
        for (i, s) in stats.iter().enumerate() {
            let x: Vec<f64> = rows.iter().map(|r| r[i]).collect();
            let rest: Vec<f64> = totals.iter().zip(&x).map(|(t, v)| t - v).collect();
            let facility = x.iter().sum::<f64>() / x.len() as f64 / 2.0;
            prop_assert!((s.facility.unwrap() - facility).abs() < 1e-9);
            match s.discrimination {
                Some(r) => prop_assert!((r - reference_pearson(&x, &rest)).abs() < 1e-9),
                None => prop_assert!(variance(&x) == Some(0.0) || variance(&rest) == Some(0.0)),
            }
        }
        match test.cronbach_alpha {
            Some(a) => prop_assert!((a - reference_alpha(&rows)).abs() < 1e-9),
            None => prop_assert!(variance(&totals) == Some(0.0)),
        }
    }
}

fn at(days_ago: i64) -> DateTime<Utc> {
    now() - Duration::days(days_ago)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
}

fn student(n: u128, enrolled: i64, active: Option<i64>, lessons: u32) -> StudentFacts {
    StudentFacts {
        student_id: UserId(Uuid::from_u128(n)),
        enrolled_at: at(enrolled),
        completed_at: None,
        last_active_at: active.map(at),
        completed_lessons: lessons,
        failing: vec![],
        mastery: vec![],
    }
}

#[test]
fn at_risk_gives_every_reason_with_its_numbers() {
    let quiz = AssessmentId(Uuid::from_u128(99));
    let mut failing = student(1, 28, Some(20), 1);
    failing.failing = vec![(quiz, 4), (AssessmentId(Uuid::from_u128(98)), 2)];
    failing.mastery = vec![
        ("loops".into(), 0.2, 5),
        ("types".into(), 0.1, 1), // too little evidence
        ("sets".into(), 0.9, 9),
    ];
    let cohort = vec![
        failing,
        student(2, 28, Some(1), 8), // 2 a week: on pace
        student(3, 28, Some(2), 8),
        student(4, 3, None, 0), // new: not judged on pace, not yet inactive
        StudentFacts {
            completed_at: Some(at(1)),
            ..student(5, 100, Some(90), 0)
        },
    ];
    let found = at_risk(&cohort, &RiskThresholds::default(), now()).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let s = &found[0];
    assert_eq!(s.student_id, UserId(Uuid::from_u128(1)));
    // paces of the judged: 0.25, 2, 2 and the completer's 0 → median (0.25 + 2) / 2
    assert_eq!(
        s.reasons,
        vec![
            RiskReason::Inactive {
                days: 20,
                last_active_at: Some(at(20))
            },
            RiskReason::BehindPace {
                pace: 0.25,
                cohort_median: 1.125
            },
            RiskReason::RepeatedlyFailing {
                assessment_id: quiz,
                failed_attempts: 4
            },
            RiskReason::LowMastery {
                skill: "loops".into(),
                mastery: 0.2,
                evidence: 5
            },
        ]
    );
    let strict = RiskThresholds {
        inactive_days: 1,
        ..RiskThresholds::default()
    };
    let found = at_risk(&cohort, &strict, now()).unwrap();
    let order: Vec<u128> = found.iter().map(|a| a.student_id.0.as_u128()).collect();
    // most reasons first, then the longest inactive (4: 3 days, 3: 2 days, 2: 1 day)
    assert_eq!(order, [1, 4, 3, 2]);
    let bad = RiskThresholds {
        pace_ratio: 1.5,
        ..RiskThresholds::default()
    };
    let err = at_risk(&cohort, &bad, now()).unwrap_err();
    assert!(err.to_string().contains("pace_ratio"), "{err}");
}

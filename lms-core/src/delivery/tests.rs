use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::attempts::{
    close_expired, may_start, submission, AttemptSummary, Closing, StartDecision, TimeLimitPolicy,
};
use crate::Error;

fn t(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
}

fn pct(value: f64) -> Hundredths {
    Hundredths::from_f64(value).unwrap()
}

fn policy(deduction: f64, interval: LateInterval, floor: f64) -> LatePolicy {
    LatePolicy {
        deduction_percent: pct(deduction),
        interval,
        floor_percent: pct(floor),
        missing_percent: None,
    }
}

#[test]
fn hundredths_read_and_write_as_numbers() {
    for (json, hundredths, shown) in [
        ("12.5", 1250, "12.5"),
        ("0.05", 5, "0.05"),
        ("100", 10_000, "100"),
        ("1.25", 125, "1.25"),
        ("2.004", 200, "2"),
    ] {
        let h: Hundredths = serde_json::from_str(json).unwrap();
        assert_eq!(h.hundredths(), hundredths, "{json}");
        assert_eq!(h.to_string(), shown, "{json}");
    }
    assert_eq!(serde_json::to_string(&pct(12.5)).unwrap(), "12.5");
    assert_eq!(serde_json::to_string(&pct(40.0)).unwrap(), "40");
    assert!(serde_json::from_str::<Hundredths>("-1").is_err());
    assert!(serde_json::from_str::<Hundredths>("\"5\"").is_err());
}

#[test]
fn deadlines_are_the_earlier_of_the_limit_and_the_close_time() {
    // (time limit, close time, start) -> deadline
    let cases = [
        (Some(60), None, t(9, 0), Some(t(10, 0))),
        (None, Some(t(12, 0)), t(9, 0), Some(t(12, 0))),
        // the limit would run past the close time: the close time is the deadline
        (Some(60), Some(t(9, 30)), t(9, 0), Some(t(9, 30))),
        (Some(60), Some(t(11, 0)), t(9, 0), Some(t(10, 0))),
        (None, None, t(9, 0), None),
    ];
    for (limit, closes_at, start, deadline) in cases {
        let rules = AttemptRules {
            time_limit_minutes: limit,
            schedule: Schedule {
                closes_at,
                ..Schedule::default()
            },
            ..AttemptRules::default()
        };
        assert_eq!(rules.deadline(start), deadline, "{limit:?} {closes_at:?}");
        // the cutoff adds the grace (30 s by default) to the deadline
        assert_eq!(
            rules.cutoff(start),
            deadline.map(|d| d + Duration::seconds(30))
        );
    }
}

#[test]
fn attempts_start_between_the_open_and_the_close_time() {
    let rules = AttemptRules {
        schedule: Schedule {
            opens_at: Some(t(9, 0)),
            closes_at: Some(t(17, 0)),
            due_at: Some(t(12, 0)),
        },
        ..AttemptRules::default()
    };
    assert_eq!(
        may_start(&rules, &[], &[], t(8, 59)),
        Err(Error::AssessmentNotOpen { opens_at: t(9, 0) })
    );
    // at the open time exactly, and at the close time exactly, it may start
    for now in [t(9, 0), t(17, 0), t(13, 0)] {
        assert_eq!(
            may_start(&rules, &[], &[], now),
            Ok(StartDecision::New { attempt_number: 1 })
        );
    }
    assert_eq!(
        may_start(&rules, &[], &[], t(17, 1)),
        Err(Error::AssessmentClosed {
            closed_at: t(17, 0)
        })
    );
    // an attempt open at the close time ends with it: it is closed, not resumed
    let open = AttemptSummary {
        attempt_number: 1,
        started_at: t(16, 0),
        submitted_at: None,
        abandoned_at: None,
        score: None,
        passed: None,
        points_earned: None,
        total_points: None,
    };
    assert_eq!(
        may_start(&rules, std::slice::from_ref(&open), &[], t(16, 30)),
        Ok(StartDecision::Resume {
            attempt_number: 1,
            deadline: Some(t(17, 0))
        })
    );
    assert_eq!(
        may_start(&rules, &[open], &[], t(17, 1)),
        Ok(StartDecision::CloseExpired {
            attempt_number: 1,
            deadline: t(17, 0)
        })
    );
}

#[test]
fn an_untimed_attempt_open_at_the_close_time_is_submitted_at_it() {
    let rules = AttemptRules {
        schedule: Schedule {
            closes_at: Some(t(17, 0)),
            due_at: Some(t(12, 0)),
            ..Schedule::default()
        },
        ..AttemptRules::default()
    };
    let closing = close_expired(
        &rules,
        t(16, 0),
        t(18, 0),
        [("q1", t(16, 30)), ("q2", t(17, 10))],
    )
    .unwrap();
    let Closing::Submit(s) = closing else {
        panic!("{closing:?}")
    };
    assert_eq!(s.kept, ["q1"]);
    assert_eq!(s.dropped, ["q2"]);
    assert_eq!(s.submitted_at, t(17, 0));
    // five hours after the due time
    assert_eq!(s.past_due_seconds, Some(5 * 3600));
    // under `abandon`, it is abandoned at the close time plus grace
    let mut abandon = rules.clone();
    abandon.policy.time_limit_policy = TimeLimitPolicy::Abandon;
    assert_eq!(
        close_expired(&abandon, t(16, 0), t(18, 0), [("q1", t(16, 30))]).unwrap(),
        Closing::Abandon {
            abandoned_at: t(17, 0) + Duration::seconds(30)
        }
    );
}

#[test]
fn submissions_after_the_due_time_are_late_by_the_stored_time() {
    let rules = AttemptRules {
        schedule: Schedule {
            due_at: Some(t(12, 0)),
            ..Schedule::default()
        },
        ..AttemptRules::default()
    };
    let at = |now| {
        submission(&rules, t(11, 0), now, [("q1", t(11, 1))])
            .unwrap()
            .past_due_seconds
    };
    assert_eq!(at(t(11, 59)), None);
    assert_eq!(at(t(12, 0)), None);
    assert_eq!(at(t(12, 1)), Some(60));
    assert_eq!(late_seconds(None, t(23, 0)), None);
}

#[test]
fn late_deductions_count_intervals_begun_and_stop_at_the_floor() {
    // 10 points of 10; (policy, seconds late) -> recorded points
    let day = LateInterval::Day;
    let hour = LateInterval::Hour;
    let full = Points::whole(10);
    let cases = [
        // one second late is a day begun: -10 %
        (policy(10.0, day, 0.0), 1, Points::whole(9)),
        (policy(10.0, day, 0.0), 86_400, Points::whole(9)),
        (policy(10.0, day, 0.0), 86_401, Points::whole(8)),
        // 2.5 % an hour, 3 hours begun: -7.5 %
        (
            policy(2.5, hour, 0.0),
            2 * 3600 + 1,
            Points::from_micros(9_250_000),
        ),
        // 30 % a day for 3 days would be -90 %; the floor keeps 50 %
        (policy(30.0, day, 50.0), 3 * 86_400, Points::whole(5)),
        // never below 0
        (policy(60.0, day, 0.0), 2 * 86_400, Points::ZERO),
        // no deduction, or on time: unchanged
        (policy(0.0, day, 0.0), 10 * 86_400, full),
        (policy(10.0, day, 0.0), 0, full),
    ];
    for (p, late, recorded) in cases {
        assert_eq!(p.recorded(full, 10, late), recorded, "{p:?} {late}");
    }
    // a grade already under the floor is not raised: 4 of 10 (40 %) with a 50 % floor
    assert_eq!(
        policy(30.0, day, 50.0).recorded(Points::whole(4), 10, 86_400),
        Points::whole(4)
    );
    // a deduction that would go under the floor stops at it: 6 of 10, -30 % -> 50 %
    assert_eq!(
        policy(30.0, day, 50.0).recorded(Points::whole(6), 10, 86_400),
        Points::whole(5)
    );
    // the deduction is of the total, rounded so the recorded points round down:
    // 3 points of 3, -10 %: 2.7 points
    assert_eq!(
        policy(10.0, day, 0.0).recorded(Points::whole(3), 3, 5),
        Points::from_micros(2_700_000)
    );
    // 1 of 3 points, -0.01 %: 1 - 0.0003 = 0.9997 points
    assert_eq!(
        policy(0.01, day, 0.0).recorded(Points::whole(1), 3, 5),
        Points::from_micros(999_700)
    );
    // no points available: nothing to deduct from
    assert_eq!(
        policy(10.0, day, 0.0).recorded(Points::ZERO, 0, 5),
        Points::ZERO
    );
}

#[test]
fn a_recorded_result_is_scored_and_passed_on_the_deducted_points() {
    let scored = Scored {
        points_earned: Points::whole(8),
        total_points: 10,
        percentage: Some(80.0),
        score: Some(80),
        passed: Some(true),
        feedback: crate::scoring::Scored::from_feedback(crate::documents::Feedback {
            questions: vec![],
            summary: crate::scoring::summarize(&[], 70),
        })
        .feedback,
    };
    let p = policy(15.0, LateInterval::Day, 0.0);
    let late = record(&scored, Some(&p), Some(3600), 70);
    assert_eq!(late.points_earned, Points::from_micros(6_500_000));
    assert_eq!(late.score, Some(65));
    assert_eq!(late.passed, Some(false));
    assert_eq!(late.percentage, Some(65.0));
    // on time, or without a policy: the raw result
    assert_eq!(record(&scored, Some(&p), None, 70), scored);
    assert_eq!(record(&scored, None, Some(3600), 70), scored);
    // pending review: the points are deducted, score and pass stay unknown
    let pending = Scored {
        score: None,
        passed: None,
        percentage: None,
        ..scored.clone()
    };
    let late = record(&pending, Some(&p), Some(3600), 70);
    assert_eq!(late.points_earned, Points::from_micros(6_500_000));
    assert_eq!((late.score, late.passed), (None, None));
}

fn accommodation() -> Accommodation {
    Accommodation::default()
}

#[test]
fn the_most_lenient_accommodation_wins() {
    let rules = AttemptRules {
        max_attempts: Some(2),
        time_limit_minutes: Some(40),
        schedule: Schedule {
            opens_at: Some(t(8, 0)),
            closes_at: Some(t(17, 0)),
            due_at: Some(t(12, 0)),
        },
        ..AttemptRules::default()
    };
    let course_wide = Accommodation {
        time_factor: pct(1.5),
        extra_attempts: 1,
        ..accommodation()
    };
    let this_one = Accommodation {
        extra_minutes: 15,
        due_at: Some(t(14, 0)),
        closes_at: Some(t(16, 0)),
        ..accommodation()
    };
    let out = accommodate(&rules, &[course_wide, this_one]);
    // 40 × 1.5 = 60 beats 40 + 15 = 55
    assert_eq!(out.time_limit_minutes, Some(60));
    assert_eq!(out.max_attempts, Some(3));
    assert_eq!(out.schedule.due_at, Some(t(14, 0)));
    // an earlier close time than the assessment's changes nothing
    assert_eq!(out.schedule.closes_at, Some(t(17, 0)));
    assert_eq!(out.schedule.opens_at, Some(t(8, 0)));
    // extra minutes beat a small factor; a factor rounds up to the minute
    let out = accommodate(
        &rules,
        &[
            Accommodation {
                time_factor: pct(1.1),
                ..accommodation()
            },
            Accommodation {
                extra_minutes: 5,
                ..accommodation()
            },
        ],
    );
    assert_eq!(out.time_limit_minutes, Some(45));
    let seven = AttemptRules {
        time_limit_minutes: Some(7),
        ..AttemptRules::default()
    };
    let out = accommodate(
        &seven,
        &[Accommodation {
            time_factor: pct(1.25),
            ..accommodation()
        }],
    );
    // 8.75 minutes -> 9
    assert_eq!(out.time_limit_minutes, Some(9));
    // a due time later than the close time takes the close time with it
    let out = accommodate(
        &rules,
        &[Accommodation {
            due_at: Some(t(20, 0)),
            ..accommodation()
        }],
    );
    assert_eq!(out.schedule.due_at, Some(t(20, 0)));
    assert_eq!(out.schedule.closes_at, Some(t(20, 0)));
    // only what the assessment limits is extended
    let open_ended = AttemptRules::default();
    let generous = Accommodation {
        extra_minutes: 30,
        time_factor: pct(2.0),
        extra_attempts: 5,
        closes_at: Some(t(20, 0)),
        due_at: Some(t(19, 0)),
    };
    assert_eq!(accommodate(&open_ended, &[generous]), open_ended);
    assert_eq!(accommodate(&rules, &[]), rules);
}

#[test]
fn an_accommodation_extends_one_deadline() {
    let rules = AttemptRules {
        time_limit_minutes: Some(30),
        ..AttemptRules::default()
    };
    let extended = accommodate(
        &rules,
        &[Accommodation {
            extra_minutes: 30,
            ..accommodation()
        }],
    );
    assert_eq!(rules.deadline(t(9, 0)), Some(t(9, 30)));
    assert_eq!(extended.deadline(t(9, 0)), Some(t(10, 0)));
}

#[test]
fn bad_dates_and_accommodations_name_their_field() {
    let paths = |e: Error| -> Vec<String> { e.problems().into_iter().map(|p| p.path).collect() };
    let bad = Schedule {
        opens_at: Some(t(12, 0)),
        closes_at: Some(t(10, 0)),
        due_at: Some(t(11, 0)),
    };
    let e = bad.check("assessment").unwrap_err();
    assert_eq!(e.document(), Some("assessment"));
    // close before open, due before open, due after close
    assert_eq!(paths(e), ["/closes_at", "/due_at", "/due_at"]);
    let due_after_close = Schedule {
        due_at: Some(t(18, 0)),
        closes_at: Some(t(17, 0)),
        ..Schedule::default()
    };
    assert_eq!(
        paths(due_after_close.check("assessment").unwrap_err()),
        ["/due_at"]
    );
    // equal due and close times are fine; equal open and close times are not
    assert!(Schedule {
        due_at: Some(t(17, 0)),
        closes_at: Some(t(17, 0)),
        ..Schedule::default()
    }
    .check("assessment")
    .is_ok());
    assert!(Schedule {
        opens_at: Some(t(17, 0)),
        closes_at: Some(t(17, 0)),
        ..Schedule::default()
    }
    .check("assessment")
    .is_err());

    let e = Accommodation {
        extra_minutes: -5,
        time_factor: pct(0.5),
        extra_attempts: -1,
        closes_at: Some(t(10, 0)),
        due_at: Some(t(11, 0)),
    }
    .check()
    .unwrap_err();
    assert_eq!(e.document(), Some("accommodation"));
    assert_eq!(
        paths(e),
        [
            "/extra_minutes",
            "/time_factor",
            "/extra_attempts",
            "/due_at"
        ]
    );
    assert!(accommodation().check().is_ok());
    assert!(Accommodation {
        time_factor: pct(10.5),
        ..accommodation()
    }
    .check()
    .is_err());

    let e = policy(120.0, LateInterval::Day, 101.0)
        .check("course")
        .unwrap_err();
    assert_eq!(
        paths(e),
        [
            "/late_policy/deduction_percent",
            "/late_policy/floor_percent"
        ]
    );
    assert!(policy(100.0, LateInterval::Hour, 100.0)
        .check("course")
        .is_ok());
}

proptest! {
    /// The recorded points never exceed the raw ones, never go below the lower of the
    /// raw points and the floor, and never rise with lateness.
    #[test]
    fn deductions_are_bounded_and_monotone(
        earned in 0u64..=10_000_000,
        deduction in 0u32..=10_000,
        floor in 0u32..=10_000,
        late in 0i64..=30 * 86_400,
        later in 0i64..=86_400,
    ) {
        let p = LatePolicy {
            deduction_percent: Hundredths::from_hundredths(deduction),
            interval: LateInterval::Hour,
            floor_percent: Hundredths::from_hundredths(floor),
            missing_percent: None,
        };
        let earned = Points::from_micros(earned);
        let recorded = p.recorded(earned, 10, late);
        prop_assert!(recorded <= earned);
        let floor_points = Points::from_micros(u64::from(floor) * 10 * 1_000_000 / 10_000);
        prop_assert!(recorded >= earned.min(floor_points));
        prop_assert!(p.recorded(earned, 10, late + later) <= recorded);
    }

    /// An accommodation never makes the rules stricter.
    #[test]
    fn accommodations_never_take_away(
        limit in proptest::option::of(1i32..=600),
        max in proptest::option::of(1i32..=10),
        minutes in 0i32..=600,
        factor in 100u32..=1_000,
        extra in 0i32..=10,
    ) {
        let rules = AttemptRules {
            max_attempts: max,
            time_limit_minutes: limit,
            ..AttemptRules::default()
        };
        let out = accommodate(&rules, &[Accommodation {
            extra_minutes: minutes,
            time_factor: Hundredths::from_hundredths(factor),
            extra_attempts: extra,
            ..Accommodation::default()
        }]);
        prop_assert_eq!(out.time_limit_minutes.is_some(), limit.is_some());
        prop_assert!(out.time_limit_minutes >= limit);
        prop_assert!(out.max_attempts >= max);
    }
}

mod arrangement {
    use super::super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn how(shuffle_questions: bool, shuffle_options: bool, draw: Option<u32>) -> Arranging {
        Arranging {
            shuffle_questions,
            shuffle_options,
            draw_questions: draw,
        }
    }

    fn questions(n: usize) -> serde_json::Value {
        let list: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                json!({"type": "multiple_choice", "id": format!("q{i}"), "prompt": "?",
                       "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"},
                                   {"id": "c", "text": "C"}, {"id": "d", "text": "D"}]})
            })
            .collect();
        json!(list)
    }

    fn ids(v: &serde_json::Value) -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn nothing_to_shuffle_is_no_arrangement() {
        assert_eq!(arrange(&questions(5), how(false, false, None), 7), None);
    }

    #[test]
    fn an_arrangement_is_a_permutation_fixed_by_its_seed() {
        let qs = questions(8);
        let a = arrange(&qs, how(true, true, None), 42).unwrap();
        let mut sorted = a.questions.clone();
        sorted.sort();
        let mut all = ids(&qs);
        all.sort();
        assert_eq!(sorted, all);
        assert_eq!(a.options.len(), 8);
        for order in a.options.values() {
            let mut o = order.clone();
            o.sort();
            assert_eq!(o, ["a", "b", "c", "d"]);
        }
        // the same seed, the same arrangement; 8! orders: two seeds differ
        assert_eq!(arrange(&qs, how(true, true, None), 42), Some(a.clone()));
        assert_ne!(
            arrange(&qs, how(true, false, None), 43).unwrap().questions,
            a.questions
        );
        // options only: the questions keep their order
        let only = arrange(&qs, how(false, true, None), 42).unwrap();
        assert!(only.questions.is_empty());
        assert_eq!(only.options.len(), 8);
    }

    #[test]
    fn a_draw_of_every_question_or_more_draws_them_all() {
        let qs = questions(4);
        assert_eq!(arrange(&qs, how(false, false, Some(4)), 1), None);
        assert_eq!(arrange(&qs, how(false, false, Some(9)), 1), None);
    }

    proptest! {
        /// A draw of n of m questions: n distinct questions of the pool, in the
        /// assessment's order unless shuffled; options shuffled for those only.
        #[test]
        fn a_draw_is_n_distinct_questions_of_the_pool(
            m in 2usize..12, pick in 1usize..12, shuffled: bool, seed: u64,
        ) {
            let n = pick.min(m - 1);
            let qs = questions(m);
            let a = arrange(&qs, how(shuffled, true, Some(n as u32)), seed).unwrap();
            prop_assert_eq!(a.questions.len(), n);
            let all = ids(&qs);
            let mut positions: Vec<usize> = a
                .questions
                .iter()
                .map(|id| all.iter().position(|x| x == id).unwrap())
                .collect();
            if !shuffled {
                prop_assert!(positions.windows(2).all(|w| w[0] < w[1]));
            }
            positions.sort_unstable();
            positions.dedup();
            prop_assert_eq!(positions.len(), n);
            let mut with_options: Vec<&String> = a.options.keys().collect();
            with_options.sort();
            let mut drawn: Vec<&String> = a.questions.iter().collect();
            drawn.sort();
            prop_assert_eq!(with_options, drawn);
        }
    }

    #[test]
    fn every_question_is_drawn_about_as_often() {
        // 3 of 6, 6000 draws: each question 3000 times expected; a uniform draw stays
        // within 5 % of it (about 6 standard deviations of 38.7)
        let qs = questions(6);
        let mut seen = std::collections::HashMap::<String, u32>::new();
        for seed in 0..6000u64 {
            for id in arrange(&qs, how(false, false, Some(3)), seed)
                .unwrap()
                .questions
            {
                *seen.entry(id).or_default() += 1;
            }
        }
        assert_eq!(seen.len(), 6);
        for (id, n) in seen {
            assert!((2850..=3150).contains(&n), "{id}: {n}");
        }
    }

    #[test]
    fn an_attempt_is_scored_on_the_questions_it_names() {
        let set: crate::documents::QuestionSet = serde_json::from_value(json!([
            {"type": "true_false", "id": "a", "prompt": "?", "points": 1, "correct": true},
            {"type": "true_false", "id": "b", "prompt": "?", "points": 2, "correct": true},
            {"type": "true_false", "id": "c", "prompt": "?", "points": 4, "correct": true}
        ]))
        .unwrap();
        let ids = |s: &crate::documents::QuestionSet| -> Vec<String> {
            s.0.iter().map(|q| q.id().to_owned()).collect()
        };
        assert_eq!(ids(&attempt_questions(&set, None)), ["a", "b", "c"]);
        assert_eq!(ids(&attempt_questions(&set, Some(&[]))), ["a", "b", "c"]);
        let order = ["c".to_owned(), "a".to_owned(), "gone".to_owned()];
        let drawn = attempt_questions(&set, Some(&order));
        assert_eq!(ids(&drawn), ["c", "a"]);
        assert_eq!(drawn.total_points(), 5);
    }
}

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use super::*;
use crate::documents::validate;

fn questions() -> QuestionSet {
    validate::<QuestionSet>(&json!([
        {"type": "multiple_choice", "id": "single", "prompt": "2 + 2?", "points": 2, "options": [
            {"id": "a", "text": "3", "fraction": 0}, {"id": "b", "text": "4", "fraction": 1}]},
        {"type": "multiple_choice", "id": "multi", "prompt": "Primes?", "points": 4, "multiple": true, "options": [
            {"id": "a", "text": "2", "fraction": 0.5}, {"id": "b", "text": "3", "fraction": 0.5},
            {"id": "c", "text": "4", "fraction": -0.5}, {"id": "d", "text": "9", "fraction": 0}]},
        {"type": "multiple_choice", "id": "thirds", "prompt": "Pick", "points": 3, "multiple": true, "options": [
            {"id": "a", "text": "a", "fraction": 0.5}, {"id": "b", "text": "b", "fraction": 0.5}]},
        {"type": "true_false", "id": "tf", "prompt": "Sky is blue", "points": 1, "correct": true, "explanation": "Rayleigh."},
        {"type": "short_answer", "id": "capital", "prompt": "Capital of France?", "points": 2, "accepted": [
            {"text": "Paris", "fraction": 1}, {"text": "Par*", "fraction": 0.5}]},
        {"type": "short_answer", "id": "formula", "prompt": "Salt?", "points": 1, "case_sensitive": true, "accepted": [
            {"text": "NaCl", "fraction": 1}]},
        {"type": "short_answer", "id": "cafe", "prompt": "Drink?", "points": 1, "accepted": [
            {"text": "café", "fraction": 1}, {"text": "a.c", "fraction": 1}, {"text": "(x+)+y", "fraction": 1}]},
        {"type": "essay", "id": "essay", "prompt": "Discuss.", "points": 10},
        // Moodle single choice: the chosen option's fraction, partial or negative
        {"type": "multiple_choice", "id": "graded_single", "prompt": "Best?", "points": 4, "options": [
            {"id": "best", "text": "best", "fraction": 1}, {"id": "good", "text": "good", "fraction": 0.25},
            {"id": "bad", "text": "bad", "fraction": -0.5}, {"id": "meh", "text": "meh", "fraction": 0}]},
        {"type": "multiple_choice", "id": "half", "prompt": "Both", "points": 1, "multiple": true, "options": [
            {"id": "a", "text": "a", "fraction": 0.5}, {"id": "b", "text": "b", "fraction": 0.5},
            {"id": "c", "text": "c", "fraction": -1}]},
        {"type": "multiple_choice", "id": "third", "prompt": "Three", "points": 1, "multiple": true, "options": [
            {"id": "a", "text": "a", "fraction": 0.3333333}, {"id": "b", "text": "b", "fraction": 0.3333333},
            {"id": "c", "text": "c", "fraction": 0.3333333}, {"id": "d", "text": "d", "fraction": -1}]},
        {"type": "short_answer", "id": "star", "prompt": "Multiply?", "points": 1, "accepted": [
            {"text": "a \\* b", "fraction": 1}, {"text": "back\\\\slash", "fraction": 1}, {"text": " padded*", "fraction": 0.5}]}
    ]))
    .unwrap()
}

fn answers(value: Value) -> Answers {
    validate::<Answers>(&value).unwrap()
}

fn policy(minimum_passing_score: u32) -> ScoringPolicy {
    ScoringPolicy {
        minimum_passing_score,
    }
}

fn entry_of<'a>(scored: &'a Scored, id: &str) -> &'a QuestionFeedback {
    scored
        .feedback
        .questions
        .iter()
        .find(|q| q.question_id == id)
        .unwrap()
}

#[test]
fn each_rule_scores_as_stated() {
    let mc = |ids: &[&str]| json!({"type": "multiple_choice", "selected": ids});
    let text = |kind: &str, t: &str| json!({"type": kind, "text": t});
    let cases: Vec<(&str, Option<Value>, Outcome, f64)> = vec![
        // single choice: the chosen option's fraction × points
        ("single", Some(mc(&["b"])), Outcome::Correct, 2.0),
        ("single", Some(mc(&["a"])), Outcome::Incorrect, 0.0),
        ("single", Some(mc(&[])), Outcome::Unanswered, 0.0),
        ("single", None, Outcome::Unanswered, 0.0),
        // Moodle: a single-choice option's partial fraction is its credit; a negative
        // one earns 0, never below
        ("graded_single", Some(mc(&["best"])), Outcome::Correct, 4.0),
        ("graded_single", Some(mc(&["good"])), Outcome::Partial, 1.0),
        ("graded_single", Some(mc(&["bad"])), Outcome::Incorrect, 0.0),
        ("graded_single", Some(mc(&["meh"])), Outcome::Incorrect, 0.0),
        // exact points: half of a 1-point multi-select is 0.5 and partially correct,
        // not a rounded-up full point; a third of a point is a third, not nothing
        ("half", Some(mc(&["a"])), Outcome::Partial, 0.5),
        ("half", Some(mc(&["a", "b"])), Outcome::Correct, 1.0),
        ("half", Some(mc(&["a", "b", "c"])), Outcome::Incorrect, 0.0),
        ("third", Some(mc(&["a"])), Outcome::Partial, 0.333333),
        ("third", Some(mc(&["a", "b"])), Outcome::Partial, 0.666667),
        // Moodle's 0.9999999 is full credit (within a millionth of 1)
        ("third", Some(mc(&["a", "b", "c"])), Outcome::Correct, 1.0),
        (
            "third",
            Some(mc(&["a", "b", "c", "d"])),
            Outcome::Incorrect,
            0.0,
        ),
        // Moodle's short-answer escapes: `\*` is a star, `\\` a backslash; the
        // student's text is trimmed, the pattern is not
        (
            "star",
            Some(text("short_answer", " a * b ")),
            Outcome::Correct,
            1.0,
        ),
        (
            "star",
            Some(text("short_answer", "a x b")),
            Outcome::Incorrect,
            0.0,
        ),
        (
            "star",
            Some(text("short_answer", "back\\slash")),
            Outcome::Correct,
            1.0,
        ),
        (
            "star",
            Some(text("short_answer", "  padded thing")),
            Outcome::Incorrect,
            0.0,
        ),
        // multi-select: sum of fractions, clamped to 0..=1
        ("multi", Some(mc(&["a", "b"])), Outcome::Correct, 4.0),
        ("multi", Some(mc(&["b", "a", "d"])), Outcome::Correct, 4.0),
        ("multi", Some(mc(&["a"])), Outcome::Partial, 2.0),
        ("multi", Some(mc(&["a", "b", "c"])), Outcome::Partial, 2.0),
        ("multi", Some(mc(&["a", "c"])), Outcome::Incorrect, 0.0),
        ("multi", Some(mc(&["c"])), Outcome::Incorrect, 0.0),
        ("multi", Some(mc(&["c", "d"])), Outcome::Incorrect, 0.0),
        // 0.5 × 3 points = 1.5, exactly
        ("thirds", Some(mc(&["a"])), Outcome::Partial, 1.5),
        // true/false
        (
            "tf",
            Some(json!({"type": "true_false", "value": true})),
            Outcome::Correct,
            1.0,
        ),
        (
            "tf",
            Some(json!({"type": "true_false", "value": false})),
            Outcome::Incorrect,
            0.0,
        ),
        // short answer: trimmed, case-insensitive, wildcard, first match wins
        (
            "capital",
            Some(text("short_answer", "  paris \n")),
            Outcome::Correct,
            2.0,
        ),
        (
            "capital",
            Some(text("short_answer", "PARIS")),
            Outcome::Correct,
            2.0,
        ),
        (
            "capital",
            Some(text("short_answer", "Parisian")),
            Outcome::Partial,
            1.0,
        ),
        (
            "capital",
            Some(text("short_answer", "London")),
            Outcome::Incorrect,
            0.0,
        ),
        (
            "capital",
            Some(text("short_answer", "   ")),
            Outcome::Unanswered,
            0.0,
        ),
        (
            "formula",
            Some(text("short_answer", "nacl")),
            Outcome::Incorrect,
            0.0,
        ),
        (
            "formula",
            Some(text("short_answer", "NaCl")),
            Outcome::Correct,
            1.0,
        ),
        // NFC: e + combining acute equals é
        (
            "cafe",
            Some(text("short_answer", "CAFE\u{301}")),
            Outcome::Correct,
            1.0,
        ),
        // no regex: `.` and `+` are literal
        (
            "cafe",
            Some(text("short_answer", "abc")),
            Outcome::Incorrect,
            0.0,
        ),
        (
            "cafe",
            Some(text("short_answer", "a.c")),
            Outcome::Correct,
            1.0,
        ),
        (
            "cafe",
            Some(text("short_answer", "xxxxy")),
            Outcome::Incorrect,
            0.0,
        ),
        (
            "cafe",
            Some(text("short_answer", "(x+)+y")),
            Outcome::Correct,
            1.0,
        ),
        // essays wait for a grader
        (
            "essay",
            Some(text("essay", "My essay")),
            Outcome::PendingReview,
            0.0,
        ),
        ("essay", Some(text("essay", " ")), Outcome::Unanswered, 0.0),
    ];
    let questions = questions();
    for (id, answer, outcome, points) in cases {
        let mut map = serde_json::Map::new();
        if let Some(a) = &answer {
            map.insert(id.to_owned(), a.clone());
        }
        let scored = score(&questions, &answers(Value::Object(map)), &policy(50)).unwrap();
        let entry = entry_of(&scored, id);
        assert_eq!(
            (entry.outcome, entry.points_earned),
            (outcome, Points::from_f64(points).unwrap()),
            "{id} {answer:?}"
        );
    }
}

#[test]
fn wildcards_match_runs_of_characters() {
    let cases = [
        ("a*c", "abbbc", true),
        ("a*c", "ac", true),
        ("a*c", "acb", false),
        ("*", "", true),
        ("**", "x", true),
        ("a*", "a", true),
        ("*a*a*", "aa", true),
        ("*a*a*", "a", false),
        ("ab*ba", "aba", false),
        ("ab", "ab", true),
        ("ab", "abc", false),
        ("é*", "éa", true),
        // Moodle's escapes
        ("a\\*b", "a*b", true),
        ("a\\*b", "axb", false),
        ("a\\**", "a*xyz", true),
        ("a\\\\b", "a\\b", true),
        ("a\\\\*", "a\\zz", true),
        ("a\\b", "a\\b", true),
        ("trailing\\", "trailing\\", true),
    ];
    for (pattern, text, expected) in cases {
        assert_eq!(wildcard_match(pattern, text), expected, "{pattern} {text}");
    }
}

#[test]
fn score_is_the_exact_percentage_rounded_down() {
    let cases = [
        (0.0, 10, 0),
        (10.0, 10, 100),
        (11.0, 10, 100),
        (2.0, 3, 66),
        (1.0, 3, 33),
        (1.0, 8, 12),
        (3.0, 8, 37),
        (1.0, 200, 0),
        (199.0, 200, 99),
        (397.0, 400, 99),
        (5.0, 0, 0),
        (6.95, 10, 69),
        (0.695, 1, 69),
        (0.7, 1, 70),
        (4_294_967_294.0, u32::MAX, 99),
    ];
    for (earned, total, expected) in cases {
        let earned = Points::from_f64(earned).unwrap();
        assert_eq!(percent(earned, total), expected, "{earned}/{total}");
        // the rounding down never contradicts passing at that score
        assert!(reaches(earned, total, expected), "{earned}/{total}");
        assert!(
            expected == 100 || total == 0 || !reaches(earned, total, expected + 1),
            "{earned}/{total}"
        );
    }
}

#[test]
fn passing_is_score_at_least_minimum() {
    let questions = validate::<QuestionSet>(&json!([
        {"type": "true_false", "id": "a", "prompt": "?", "points": 1, "correct": true},
        {"type": "true_false", "id": "b", "prompt": "?", "points": 1, "correct": true},
        {"type": "true_false", "id": "c", "prompt": "?", "points": 1, "correct": true}
    ]))
    .unwrap();
    let two_right = answers(json!({
        "a": {"type": "true_false", "value": true},
        "b": {"type": "true_false", "value": true},
        "c": {"type": "true_false", "value": false}
    }));
    // 66.67 % passes 66 and fails 67: passing compares the exact percentage
    for (minimum, passed) in [
        (0, true),
        (66, true),
        (67, false),
        (68, false),
        (100, false),
    ] {
        let scored = score(&questions, &two_right, &policy(minimum)).unwrap();
        assert_eq!(
            (scored.points_earned, scored.total_points),
            (Points::whole(2), 3)
        );
        assert_eq!(scored.score, Some(66));
        assert_eq!(scored.passed, Some(passed), "minimum {minimum}");
        assert!(scored.is_final());
    }
}

#[test]
fn invalid_answers_are_typed_errors() {
    let questions = questions();
    let cases: Vec<(Value, Error)> = vec![
        (
            json!({"nope": {"type": "true_false", "value": true}}),
            Error::UnknownQuestion {
                question_id: "nope".into(),
            },
        ),
        (
            json!({"single": {"type": "short_answer", "text": "4"}}),
            Error::AnswerKindMismatch {
                question_id: "single".into(),
                expected: QuestionKind::MultipleChoice,
                found: QuestionKind::ShortAnswer,
            },
        ),
        (
            json!({"multi": {"type": "multiple_choice", "selected": ["a", "z"]}}),
            Error::UnknownOption {
                question_id: "multi".into(),
                option_id: "z".into(),
            },
        ),
        (
            json!({"single": {"type": "multiple_choice", "selected": ["a", "b"]}}),
            Error::TooManySelected {
                question_id: "single".into(),
                selected: 2,
            },
        ),
    ];
    for (value, expected) in cases {
        let err = score(&questions, &answers(value.clone()), &policy(50)).unwrap_err();
        assert_eq!(err, expected, "{value}");
        assert_eq!(err.code(), "invalid_document");
    }
    assert_eq!(
        score(&QuestionSet::default(), &Answers::default(), &policy(50)).unwrap_err(),
        Error::NoQuestions
    );
    assert_eq!(
        score(&questions, &Answers::default(), &policy(101)).unwrap_err(),
        Error::InvalidPassingScore { value: 101 }
    );
    assert_eq!(
        ScoringPolicy::new(-1).unwrap_err(),
        Error::InvalidPassingScore { value: -1 }
    );
    assert_eq!(ScoringPolicy::new(70).unwrap(), policy(70));
}

#[test]
fn essays_stay_pending_until_graded() {
    let questions = questions();
    let given = answers(json!({
        "single": {"type": "multiple_choice", "selected": ["b"]},
        "tf": {"type": "true_false", "value": true},
        "essay": {"type": "essay", "text": "My essay"}
    }));
    let scored = score(&questions, &given, &policy(10)).unwrap();
    assert_eq!(
        (scored.points_earned, scored.total_points),
        (Points::whole(3), 31)
    );
    assert_eq!((scored.score, scored.passed), (None, None));
    assert!(!scored.is_final());
    assert_eq!(scored.pending_review().collect::<Vec<_>>(), ["essay"]);
    assert_eq!(
        entry_of(&scored, "tf").explanation.as_deref(),
        Some("Rayleigh.")
    );

    // Refused grades.
    let refusals = [
        (
            "essay",
            11,
            Error::PointsOutOfRange {
                question_id: "essay".into(),
                points: Points::whole(11),
                max: 10,
            },
        ),
        (
            "tf",
            1,
            Error::NotGradable {
                question_id: "tf".into(),
            },
        ),
        (
            "ghost",
            1,
            Error::UnknownQuestion {
                question_id: "ghost".into(),
            },
        ),
    ];
    for (id, points, expected) in refusals {
        assert_eq!(
            grade_essay(&scored, id, points, None).unwrap_err(),
            expected
        );
    }
    let long = "x".repeat(MAX_TEXT_CHARS + 1);
    let err = grade_essay(&scored, "essay", 1, Some(&long)).unwrap_err();
    assert_eq!(err.code(), "invalid_document");

    let graded = grade_essay(&scored, "essay", 7, Some("Good structure")).unwrap();
    assert!(graded.is_final());
    assert_eq!(
        (graded.points_earned, graded.total_points),
        (Points::whole(10), 31)
    );
    // 10 of 31 is 32.26 %: 32, which passes 10
    assert_eq!((graded.score, graded.passed), (Some(32), Some(true)));
    let entry = entry_of(&graded, "essay");
    assert_eq!(entry.outcome, Outcome::Partial);
    assert_eq!(entry.grader_comment.as_deref(), Some("Good structure"));

    // Re-grading replaces the grade; the stored feedback round-trips.
    let regraded = grade_essay(&graded, "essay", 10, None).unwrap();
    assert_eq!(entry_of(&regraded, "essay").outcome, Outcome::Correct);
    assert_eq!(regraded.points_earned, Points::whole(13));
    let stored = serde_json::to_value(&regraded.feedback).unwrap();
    let reloaded = Scored::from_feedback(validate::<Feedback>(&stored).unwrap());
    assert_eq!(reloaded, regraded);
}

#[test]
fn unanswered_essay_is_final_and_not_gradable() {
    let questions = questions();
    let scored = score(&questions, &Answers::default(), &policy(0)).unwrap();
    assert!(scored.is_final());
    assert_eq!(
        (scored.points_earned, scored.score, scored.passed),
        (Points::ZERO, Some(0), Some(true))
    );
    assert_eq!(
        grade_essay(&scored, "essay", 5, None).unwrap_err(),
        Error::NotGradable {
            question_id: "essay".into()
        }
    );
}

#[test]
fn any_question_can_be_overridden_and_a_regrade_keeps_it() {
    let questions = questions();
    let given = answers(json!({
        "half": {"type": "multiple_choice", "selected": ["a"]},
        "tf": {"type": "true_false", "value": false}
    }));
    let scored = score(&questions, &given, &policy(0)).unwrap();
    // Moodle's "override mark": any question, exact points, a comment
    let over = grade_question(
        &scored,
        "tf",
        Points::from_f64(0.75).unwrap(),
        Some("close"),
    )
    .unwrap();
    let tf = entry_of(&over, "tf");
    assert_eq!(
        (tf.outcome, tf.points_earned, tf.manual),
        (Outcome::Partial, Points::from_micros(750_000), true)
    );
    assert_eq!(over.points_earned, Points::from_micros(1_250_000));
    assert_eq!(
        grade_question(&scored, "tf", Points::from_f64(1.5).unwrap(), None)
            .unwrap_err()
            .code(),
        "invalid_document"
    );
    // a regrade against edited questions: the override stays, the rest is re-scored
    let mut edited = questions.clone();
    for q in &mut edited.0 {
        if let Question::MultipleChoice(m) = q {
            if m.id == "half" {
                m.options[0].fraction = 1.0;
                m.options[1].fraction = 0.0;
            }
        }
    }
    let regraded = regrade(&edited, &given, &over.feedback, &policy(0)).unwrap();
    assert_eq!(entry_of(&regraded, "half").points_earned, Points::whole(1));
    assert_eq!(
        entry_of(&regraded, "tf").points_earned,
        Points::from_micros(750_000)
    );
    assert_eq!(
        entry_of(&regraded, "tf").grader_comment.as_deref(),
        Some("close")
    );
    // unchanged questions change nothing
    assert_eq!(
        regrade(&questions, &given, &over.feedback, &policy(0)).unwrap(),
        over
    );
}

mod properties {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::documents::{
        AcceptedAnswer, ChoiceOption, EssayAnswer, EssayQuestion, MultipleChoiceAnswer,
        MultipleChoiceQuestion, ShortAnswerAnswer, ShortAnswerQuestion, TrueFalseAnswer,
        TrueFalseQuestion,
    };

    fn question(i: usize) -> impl Strategy<Value = Question> {
        let id = format!("q{i}");
        (
            0..4u8,
            1..=20u32,
            any::<bool>(),
            prop::collection::vec(-1.5f64..1.5, 2..6),
            prop::collection::vec(("[a-c*]{1,3}", 0.0f64..=1.0), 1..4),
        )
            .prop_map(move |(kind, points, flag, fractions, accepted)| {
                let id = id.clone();
                let prompt = "?".to_owned();
                match kind {
                    0 => Question::MultipleChoice(MultipleChoiceQuestion {
                        skills: vec![],
                        id,
                        prompt,
                        points,
                        multiple: flag,
                        options: fractions
                            .iter()
                            .enumerate()
                            .map(|(j, f)| ChoiceOption {
                                id: format!("o{j}"),
                                text: "x".into(),
                                fraction: *f,
                            })
                            .collect(),
                        explanation: None,
                    }),
                    1 => Question::TrueFalse(TrueFalseQuestion {
                        skills: vec![],
                        id,
                        prompt,
                        points,
                        correct: flag,
                        explanation: Some("because".into()),
                    }),
                    2 => Question::ShortAnswer(ShortAnswerQuestion {
                        skills: vec![],
                        id,
                        prompt,
                        points,
                        accepted: accepted
                            .into_iter()
                            .map(|(text, fraction)| AcceptedAnswer { text, fraction })
                            .collect(),
                        case_sensitive: flag,
                        explanation: None,
                    }),
                    _ => Question::Essay(EssayQuestion {
                        skills: vec![],
                        id,
                        prompt,
                        points,
                        rubric: None,
                        explanation: None,
                    }),
                }
            })
    }

    fn answer_for(q: &Question, seed: u64, text: String) -> Option<Answer> {
        if seed % 5 == 0 {
            return None;
        }
        Some(match q {
            Question::MultipleChoice(q) => Answer::MultipleChoice(MultipleChoiceAnswer {
                selected: q
                    .options
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| seed >> j & 1 == 1)
                    .map(|(_, o)| o.id.clone())
                    .take(if q.multiple { usize::MAX } else { 1 })
                    .collect(),
                answered_at: None,
            }),
            Question::TrueFalse(_) => Answer::TrueFalse(TrueFalseAnswer {
                value: seed & 2 == 2,
                answered_at: None,
            }),
            Question::ShortAnswer(_) => Answer::ShortAnswer(ShortAnswerAnswer {
                text,
                answered_at: None,
            }),
            Question::Essay(_) => Answer::Essay(EssayAnswer {
                text,
                answered_at: None,
            }),
        })
    }

    fn attempt() -> impl Strategy<Value = (QuestionSet, Answers, u32, Vec<u32>)> {
        (1..8usize)
            .prop_flat_map(|n| {
                (
                    (0..n).map(question).collect::<Vec<_>>(),
                    prop::collection::vec((any::<u64>(), "[a-cA-C ]{0,4}"), n),
                    0..=100u32,
                    prop::collection::vec(0..=25u32, n),
                )
            })
            .prop_map(|(questions, seeds, minimum, grades)| {
                let answers: BTreeMap<String, Answer> = questions
                    .iter()
                    .zip(seeds)
                    .filter_map(|(q, (seed, text))| {
                        answer_for(q, seed, text).map(|a| (q.id().to_owned(), a))
                    })
                    .collect();
                (QuestionSet(questions), Answers(answers), minimum, grades)
            })
    }

    fn assert_invariants(scored: &Scored) {
        assert!(scored.points_earned <= Points::whole(scored.total_points));
        for q in &scored.feedback.questions {
            // 0 ≤ exact credit ≤ points
            assert!(q.points_earned <= Points::whole(q.max_points));
        }
        if let (Some(score), Some(passed)) = (scored.score, scored.passed) {
            // passed ⇔ the stored integer score reaches the minimum
            let minimum = scored.feedback.summary.minimum_passing_score;
            assert_eq!(passed, score >= minimum, "{score} vs {minimum}");
        }
        assert!(scored.score.is_none_or(|s| s <= 100));
        assert_eq!(scored.score.is_some(), scored.is_final());
        assert_eq!(scored.passed.is_some(), scored.is_final());
        let stored = serde_json::to_value(&scored.feedback).unwrap();
        validate::<Feedback>(&stored).unwrap();
    }

    proptest! {
        #[test]
        fn folding_copies_only_what_it_changes(
            text in proptest::string::string_regex("[a-zA-Z0-9 ÉéÅåΣσßİ\u{0301}\u{030A}\u{212B}ﬁ*]{0,12}").unwrap(),
            case_sensitive in any::<bool>(),
        ) {
            // the plain definition: NFC, then lowercase and NFC again
            let nfc: String = text.nfc().collect();
            let expected = if case_sensitive { nfc } else { nfc.to_lowercase().nfc().collect() };
            let folded = fold(&text, case_sensitive);
            prop_assert_eq!(folded.as_ref(), expected.as_str());
        }

        #[test]
        fn scoring_keeps_its_invariants((questions, answers, minimum, grades) in attempt()) {
            let mut scored = score(&questions, &answers, &policy(minimum)).unwrap();
            assert_invariants(&scored);
            let pending: Vec<String> = scored.pending_review().map(str::to_owned).collect();
            for (id, points) in pending.iter().zip(grades) {
                match grade_essay(&scored, id, points, Some("ok")) {
                    Ok(next) => scored = next,
                    Err(e) => assert!(matches!(e, Error::PointsOutOfRange { .. }), "{e}"),
                }
                assert_invariants(&scored);
            }
        }

        #[test]
        fn a_regrade_of_unchanged_questions_changes_nothing((questions, answers, minimum, grades) in attempt()) {
            let mut scored = score(&questions, &answers, &policy(minimum)).unwrap();
            let pending: Vec<String> = scored.pending_review().map(str::to_owned).collect();
            for (id, points) in pending.iter().zip(grades) {
                if let Ok(next) = grade_essay(&scored, id, points, Some("ok")) {
                    scored = next;
                }
            }
            let again = regrade(&questions, &answers, &scored.feedback, &policy(minimum)).unwrap();
            prop_assert_eq!(again, scored);
        }

        #[test]
        fn scoring_never_panics_on_odd_input(
            (questions, _, minimum, _) in attempt(),
            selected in prop::collection::vec("[a-z0-9]{0,3}", 0..4),
            text in ".{0,8}",
        ) {
            let mut map = BTreeMap::new();
            for q in &questions.0 {
                map.insert(q.id().to_owned(), Answer::MultipleChoice(MultipleChoiceAnswer {
                    selected: selected.clone(),
                    answered_at: None,
                }));
            }
            map.insert("q0".into(), Answer::ShortAnswer(ShortAnswerAnswer { text, answered_at: None }));
            if let Ok(scored) = score(&questions, &Answers(map), &policy(minimum)) {
                assert_invariants(&scored);
            }
        }
    }
}

#[test]
fn with_duplicate_ids_only_the_first_question_counts() {
    // an unvalidated set (validation refuses duplicate ids): the first `q` is the one
    let set: Vec<Question> = serde_json::from_value(json!([
        {"type": "true_false", "id": "z", "prompt": "Last?", "points": 1, "correct": true},
        {"type": "true_false", "id": "q", "prompt": "First?", "points": 2, "correct": true},
        {"type": "short_answer", "id": "q", "prompt": "Second?", "points": 5,
         "accepted": [{"text": "yes", "fraction": 1}]},
        {"type": "true_false", "id": "a", "prompt": "Other?", "points": 1, "correct": false}
    ]))
    .unwrap();
    let questions = QuestionSet(set);
    let answers =
        validate::<Answers>(&json!({"q": {"type": "true_false", "value": true}})).unwrap();
    let scored = score(&questions, &answers, &policy(50)).unwrap();
    let ids: Vec<&str> = scored
        .feedback
        .questions
        .iter()
        .map(|q| q.question_id.as_str())
        .collect();
    assert_eq!(ids, ["z", "q", "a"]);
    assert_eq!(scored.total_points, 4);
    assert_eq!(scored.points_earned, Points::whole(2));
    // an answer of the second question's kind does not fit the first
    let wrong =
        validate::<Answers>(&json!({"q": {"type": "short_answer", "text": "yes"}})).unwrap();
    assert!(matches!(
        score(&questions, &wrong, &policy(50)),
        Err(Error::AnswerKindMismatch { .. })
    ));
}

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};

use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::documents::{
    Document, KnowledgeProfile, LearningPreferences, Pace, RoadmapData, SkillMastery, StepKind,
    StepStatus,
};
use crate::model::{AssessmentId, ContentBlockId, ContentType, CourseId, LessonId, ProgressStatus};

fn lid(n: u128) -> LessonId {
    LessonId(Uuid::from_u128(n))
}
fn aid(n: u128) -> AssessmentId {
    AssessmentId(Uuid::from_u128(1_000 + n))
}
fn bid(n: u128) -> ContentBlockId {
    ContentBlockId(Uuid::from_u128(2_000 + n))
}

fn lesson(n: u128, prerequisites: &[u128], skills: &[&str]) -> PlanLesson {
    PlanLesson {
        id: lid(n),
        title: format!("L{n}"),
        order_index: n as i32,
        prerequisites: prerequisites.iter().map(|p| lid(*p)).collect(),
        skills: skills.iter().map(|s| (*s).to_owned()).collect(),
        minutes: Some(20),
        blocks: vec![],
        assessments: vec![],
        status: ProgressStatus::NotStarted,
    }
}

fn assessment(n: u128, mandatory: bool, standing: Standing) -> PlanAssessment {
    PlanAssessment {
        id: aid(n),
        title: format!("A{n}"),
        mandatory,
        skills: vec![],
        minutes: Some(10),
        standing,
    }
}

fn input(lessons: Vec<PlanLesson>) -> PlanInput {
    PlanInput {
        course_id: CourseId(Uuid::from_u128(9)),
        lessons,
        final_assessment: None,
        knowledge: KnowledgeProfile::default(),
        preferences: LearningPreferences::default(),
        settings: PlanSettings::default(),
    }
}

fn knows(input: &mut PlanInput, skill: &str, mastery: f64) {
    input.knowledge.skills.insert(
        skill.to_owned(),
        SkillMastery {
            mastery,
            evidence: 5,
            updated_at: None,
        },
    );
}

fn lessons_of(r: &Roadmap) -> Vec<Option<LessonId>> {
    r.data.steps.iter().map(|s| s.lesson_id).collect()
}

#[test]
fn a_fresh_student_follows_the_course_order() {
    let i = input(vec![
        lesson(2, &[1], &["b"]),
        lesson(1, &[], &["a"]),
        lesson(3, &[], &["c"]),
    ]);
    let r = plan(&i).unwrap();
    assert_eq!(
        lessons_of(&r),
        vec![Some(lid(1)), Some(lid(2)), Some(lid(3))]
    );
    assert!(r.data.steps.iter().all(|s| s.kind == StepKind::Study));
    assert!(
        r.reasoning
            .starts_with("3 steps, about 60 minutes at a medium pace."),
        "{}",
        r.reasoning
    );
}

#[test]
fn weak_skills_come_first_among_unlocked_lessons() {
    let mut i = input(vec![
        lesson(1, &[], &["strong"]),
        lesson(2, &[], &["weak"]),
        lesson(3, &[2], &["x"]),
    ]);
    knows(&mut i, "strong", 0.8);
    knows(&mut i, "weak", 0.1);
    knows(&mut i, "x", 0.9);
    let r = plan(&i).unwrap();
    // 2 (weak) first; then 1 (0.8) before 3 (0.9)
    assert_eq!(
        lessons_of(&r),
        vec![Some(lid(2)), Some(lid(1)), Some(lid(3))]
    );
    assert!(
        r.data.steps[0].reason.contains("weak (0.10)"),
        "{}",
        r.data.steps[0].reason
    );
    assert!(
        r.reasoning.contains("Weakest skills first: weak (0.10)"),
        "{}",
        r.reasoning
    );
}

#[test]
fn a_mastered_lesson_is_fast_tracked_to_its_assessment() {
    let mut l1 = lesson(1, &[], &["loops", "vars"]);
    l1.assessments = vec![assessment(1, true, Standing::NotAttempted)];
    let mut i = input(vec![l1, lesson(2, &[1], &["recursion"])]);
    knows(&mut i, "loops", 0.97);
    knows(&mut i, "vars", 0.99);
    let r = plan(&i).unwrap();
    let s = &r.data.steps[0];
    assert_eq!(s.kind, StepKind::FastTrack);
    assert_eq!(s.assessment_id, Some(aid(1)));
    assert_eq!(s.estimated_minutes, 10, "the assessment's time only");
    assert!(s.reason.contains("loops (0.97)"), "{}", s.reason);
    assert!(
        r.reasoning.contains("Fast-tracked (skills mastered): “L1”"),
        "{}",
        r.reasoning
    );
    // one skill short of mastery: studied
    knows(&mut i, "vars", 0.94);
    assert_eq!(plan(&i).unwrap().data.steps[0].kind, StepKind::Study);
    // mastery without evidence is not mastery
    i.knowledge.skills.get_mut("vars").unwrap().evidence = 0;
    i.knowledge.skills.get_mut("vars").unwrap().mastery = 0.99;
    assert_eq!(plan(&i).unwrap().data.steps[0].kind, StepKind::Study);
}

#[test]
fn a_failed_assessment_is_followed_by_review_then_retake() {
    let mut l1 = lesson(1, &[], &["a"]);
    l1.status = ProgressStatus::InProgress;
    l1.assessments = vec![assessment(1, true, Standing::Failed)];
    let mut l2 = lesson(2, &[], &["b"]);
    l2.status = ProgressStatus::Completed;
    l2.assessments = vec![assessment(2, false, Standing::Failed)];
    let mut i = input(vec![lesson(0, &[], &["z"]), l1, l2]);
    i.final_assessment = Some(assessment(9, true, Standing::Failed));
    let r = plan(&i).unwrap();
    let kinds: Vec<_> = r
        .data
        .steps
        .iter()
        .map(|s| (s.kind, s.lesson_id, s.assessment_id, s.optional))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (StepKind::Review, Some(lid(1)), Some(aid(1)), false),
            (StepKind::Review, Some(lid(2)), Some(aid(2)), true),
            (StepKind::Study, Some(lid(0)), None, false),
            (StepKind::Review, None, Some(aid(9)), false),
        ]
    );
    assert_eq!(r.data.steps[0].status, StepStatus::InProgress);
    assert!(
        r.data.steps[0].reason.contains("“A1” is not passed yet"),
        "{}",
        r.data.steps[0].reason
    );
}

#[test]
fn durations_follow_the_pace_and_blocks_are_highlighted_by_preference() {
    let mut l = lesson(1, &[], &[]);
    l.minutes = Some(21);
    l.blocks = vec![
        PlanBlock {
            id: bid(1),
            content_type: ContentType::RichText,
            minutes: None,
        },
        PlanBlock {
            id: bid(2),
            content_type: ContentType::Video,
            minutes: None,
        },
        PlanBlock {
            id: bid(3),
            content_type: ContentType::Image,
            minutes: None,
        },
        PlanBlock {
            id: bid(4),
            content_type: ContentType::Video,
            minutes: None,
        },
    ];
    l.assessments = vec![assessment(1, true, Standing::NotAttempted)];
    let mut i = input(vec![l]);
    i.preferences.preferred_media_types = vec![ContentType::Image, ContentType::Video];
    let minutes = |i: &PlanInput| plan(i).unwrap().data.steps[0].estimated_minutes;
    assert_eq!(minutes(&i), 21 + 10);
    i.preferences.preferred_pace = Pace::Slow;
    assert_eq!(minutes(&i), 32 + 10, "21 × 1.5 rounded up");
    i.preferences.preferred_pace = Pace::Fast;
    assert_eq!(minutes(&i), 16 + 10, "21 × 0.75 rounded up");
    assert_eq!(
        plan(&i).unwrap().data.steps[0].highlights,
        vec![bid(3), bid(2), bid(4)]
    );
}

#[test]
fn any_input_plans_a_valid_document() {
    // 600 lessons: the next 500 steps; a 20,000-character title, a huge skill name and
    // minutes at the top of u32: still a valid document, no overflow
    let mut lessons: Vec<PlanLesson> = (0..600).map(|n| lesson(n, &[], &["s"])).collect();
    lessons[0].title = "T".repeat(20_000);
    lessons[0].skills = vec!["k".repeat(5_000)];
    lessons[0].minutes = Some(u32::MAX);
    lessons[0].assessments = vec![PlanAssessment {
        minutes: Some(u32::MAX),
        title: "A".repeat(20_000),
        ..assessment(1, true, Standing::Failed)
    }];
    let r = plan(&input(lessons)).unwrap();
    assert_eq!(r.data.steps.len(), 500);
    assert!(
        r.reasoning
            .contains("100 more steps come once these are done"),
        "{}",
        r.reasoning
    );
    let doc = serde_json::to_value(&r.data).unwrap();
    assert_eq!(RoadmapData::validate(&doc).unwrap(), r.data);
}

#[test]
fn a_cycle_is_refused() {
    let i = input(vec![lesson(1, &[2], &[]), lesson(2, &[1], &[])]);
    assert!(matches!(
        plan(&i),
        Err(crate::Error::PrerequisiteCycle { .. })
    ));
}

// ---- proposals

fn course() -> (PlanInput, Roadmap) {
    let mut l1 = lesson(1, &[], &["a"]);
    l1.blocks = vec![PlanBlock {
        id: bid(1),
        content_type: ContentType::Video,
        minutes: None,
    }];
    l1.assessments = vec![assessment(1, true, Standing::NotAttempted)];
    let mut l3 = lesson(3, &[], &["c"]);
    l3.status = ProgressStatus::Completed;
    l3.assessments = vec![assessment(3, false, Standing::Failed)];
    let i = input(vec![
        l1,
        lesson(2, &[1], &["b"]),
        l3,
        lesson(4, &[], &["d"]),
    ]);
    let r = plan(&i).unwrap();
    (i, r)
}

fn codes(v: &[Violation]) -> Vec<ViolationCode> {
    v.iter().map(|v| v.code).collect()
}

#[test]
fn a_reordered_annotated_proposal_without_the_optional_step_is_accepted() {
    let (i, r) = course();
    let mut p = r.data.clone();
    assert!(
        p.steps[0].optional,
        "the review of a completed lesson's optional assessment"
    );
    p.steps.remove(0);
    p.steps.reverse(); // 4, 2, 1 → prerequisite broken; put 1 before 2 again
    let pos = |p: &RoadmapData, l| {
        p.steps
            .iter()
            .position(|s| s.lesson_id == Some(lid(l)))
            .unwrap()
    };
    let (a, b) = (pos(&p, 1), pos(&p, 2));
    p.steps.swap(a, b);
    p.steps[0].reason = "Start with something short".into();
    p.steps[0].estimated_minutes = 5;
    let at = pos(&p, 1);
    p.steps[at].content_ids = vec![bid(1)];
    assert_eq!(check(&i, &r.data, &p), vec![]);
    let (chosen, violations) = decide(&i, &r, "model-x", p.clone(), Some("Shorter first.".into()));
    assert!(violations.is_empty());
    assert_eq!(chosen.data.steps, p.steps);
    assert_eq!(chosen.reasoning, "Shorter first.");
    assert_eq!(chosen.data.advisor.as_ref().unwrap().source, "model-x");
    assert!(chosen.data.advisor.as_ref().unwrap().accepted);
}

#[test]
fn proposals_that_break_rules_are_refused_with_their_reasons() {
    let (i, r) = course();
    let pos = |p: &RoadmapData, l| {
        p.steps
            .iter()
            .position(|s| s.lesson_id == Some(lid(l)))
            .unwrap()
    };
    // dropping a mandatory assessment's step
    let mut p = r.data.clone();
    p.steps.remove(pos(&p, 1));
    assert!(codes(&check(&i, &r.data, &p)).contains(&ViolationCode::RequiredStepDropped));
    // 2 before its prerequisite 1
    let mut p = r.data.clone();
    let (a, b) = (pos(&p, 1), pos(&p, 2));
    p.steps.swap(a, b);
    assert_eq!(
        codes(&check(&i, &r.data, &p)),
        vec![ViolationCode::PrerequisiteOrder]
    );
    // a lesson that is not in the course, a block of another lesson, a duplicate, a status
    let mut p = r.data.clone();
    let mut foreign = p.steps[1].clone();
    foreign.lesson_id = Some(lid(77));
    p.steps.push(foreign);
    p.steps.push(p.steps[1].clone());
    let at = pos(&p, 2);
    p.steps[at].highlights = vec![bid(1)];
    let at = pos(&p, 4);
    p.steps[at].status = StepStatus::Completed;
    let got = codes(&check(&i, &r.data, &p));
    for code in [
        ViolationCode::NotInPlan,
        ViolationCode::DuplicateStep,
        ViolationCode::UnknownContent,
        ViolationCode::StatusChanged,
    ] {
        assert!(got.contains(&code), "{code:?} in {got:?}");
    }
    // a lesson's other assessment before the lesson; the final before the lessons, with
    // content; `optional` claimed by the advisor is not believed
    let mut two = lesson(5, &[], &["e"]);
    two.blocks = vec![PlanBlock {
        id: bid(5),
        content_type: ContentType::Video,
        minutes: None,
    }];
    two.assessments = vec![
        assessment(6, true, Standing::NotAttempted),
        assessment(7, true, Standing::NotAttempted),
    ];
    let mut i2 = input(vec![lesson(4, &[], &["d"]), two]);
    i2.final_assessment = Some(assessment(9, true, Standing::NotAttempted));
    let r2 = plan(&i2).unwrap();
    let kinds: Vec<_> = r2
        .data
        .steps
        .iter()
        .map(|s| (s.kind, s.lesson_id, s.assessment_id))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (StepKind::Study, Some(lid(4)), None),
            (StepKind::Study, Some(lid(5)), Some(aid(6))),
            (StepKind::Assessment, Some(lid(5)), Some(aid(7))),
            (StepKind::Assessment, None, Some(aid(9))),
        ]
    );
    let mut early = r2.data.clone();
    early.steps.swap(1, 2);
    assert_eq!(
        codes(&check(&i2, &r2.data, &early)),
        vec![ViolationCode::PrerequisiteOrder]
    );
    let mut first = r2.data.clone();
    let fin = first.steps.pop().unwrap();
    first.steps.insert(0, fin);
    first.steps[0].content_ids = vec![bid(5)];
    assert_eq!(
        codes(&check(&i2, &r2.data, &first)),
        vec![
            ViolationCode::UnknownContent,
            ViolationCode::FinalBeforeLessons
        ]
    );
    let mut claimed = r2.data.clone();
    claimed.steps[3].optional = true;
    let (kept, v) = decide(&i2, &r2, "m", claimed, None);
    assert!(v.is_empty());
    assert!(
        !kept.data.steps[3].optional,
        "the plan says what is optional"
    );
    let (refused, _) = decide(&i2, &r2, "\0\0", early, Some("\0".into()));
    assert_eq!(refused.data.advisor.unwrap().source, "advisor");

    let mut p2 = r.data.clone();
    p2.course_id = Some(CourseId(Uuid::from_u128(1)));
    assert_eq!(
        codes(&check(&i, &r.data, &p2)),
        vec![ViolationCode::WrongCourse]
    );
    // refused: the plan stands, the reasons recorded
    let (chosen, violations) = decide(&i, &r, "model-x", p, None);
    assert!(!violations.is_empty());
    assert_eq!(chosen.data.steps, r.data.steps);
    let note = chosen.data.advisor.unwrap();
    assert!(!note.accepted);
    assert_eq!(note.reasons.len(), violations.len());
    assert!(
        chosen
            .reasoning
            .contains("A proposal from model-x was refused"),
        "{}",
        chosen.reasoning
    );
}

// ---- knowledge tracing over answers

#[test]
fn objectives_become_skill_names() {
    assert_eq!(skill_name("  Loops \n"), Some("Loops".into()));
    assert_eq!(skill_name(" \t "), None);
    assert_eq!(skill_name(&"é".repeat(100)).unwrap().chars().count(), 64);
    assert_eq!(skill_name("a\u{0}b"), Some("ab".into()));
}

#[test]
fn traced_profiles_explain_each_change() {
    let model = KnowledgeModel::default();
    let obs = |skill: &str, q: &str, correct| Observation {
        skill: skill.into(),
        question_id: q.into(),
        correct,
        at: None,
    };
    let t = trace(
        &model,
        &[
            obs("loops", "q1", true),
            obs("vars", "q1", false),
            obs("loops", "q2", true),
        ],
    );
    let bkt = BktParams::DEFAULT.model();
    let once = bkt.update(bkt.start(), true);
    assert_eq!(
        t.profile.skills["loops"].mastery,
        bkt.update(once, true).p()
    );
    assert_eq!(t.profile.skills["loops"].evidence, 2);
    assert_eq!(t.changes[0].before, 0.2);
    assert_eq!(t.changes[0].after, once.p());
    assert!(
        t.changes[2].to_string().starts_with("mastery of loops 0."),
        "{}",
        t.changes[2]
    );
    let doc = serde_json::to_value(&t.profile).unwrap();
    KnowledgeProfile::validate(&doc).unwrap();
}

// ---- properties

/// A random course: a DAG (prerequisites among earlier lessons of a random order),
/// statuses, assessments, skills and masteries.
fn course_strategy() -> impl Strategy<Value = PlanInput> {
    (1usize..25)
        .prop_flat_map(|n| {
            (
                Just(n),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                proptest::collection::vec(
                    proptest::collection::vec(any::<proptest::sample::Index>(), 0..3),
                    n,
                ),
                proptest::collection::vec(0u8..3, n),
                proptest::collection::vec(
                    proptest::collection::vec((any::<bool>(), 0u8..3), 0..3),
                    n,
                ),
                proptest::collection::vec(proptest::option::of(0.0..=1.0f64), 6),
                any::<Option<(bool, u8)>>(),
                0u8..3,
            )
        })
        .prop_map(|(n, order, pre, status, assess, mastery, fin, pace)| {
            let mut lessons = Vec::new();
            let mut next_assessment = 0u128;
            for (pos, &l) in order.iter().enumerate() {
                let mut prerequisites: Vec<LessonId> = pre[l]
                    .iter()
                    .filter(|_| pos > 0)
                    .map(|ix| lid(order[ix.index(pos)] as u128))
                    .collect();
                prerequisites.dedup();
                let skills = vec![format!("s{}", l % 6)];
                let assessments = assess[l]
                    .iter()
                    .map(|(mandatory, st)| {
                        next_assessment += 1;
                        assessment(
                            next_assessment,
                            *mandatory,
                            [Standing::NotAttempted, Standing::Failed, Standing::Passed]
                                [*st as usize],
                        )
                    })
                    .collect();
                lessons.push(PlanLesson {
                    id: lid(l as u128),
                    title: format!("L{l}"),
                    order_index: (l % 7) as i32, // ties on purpose
                    prerequisites,
                    skills,
                    minutes: None,
                    blocks: vec![],
                    assessments,
                    status: [
                        ProgressStatus::NotStarted,
                        ProgressStatus::InProgress,
                        ProgressStatus::Completed,
                    ][status[l] as usize],
                });
            }
            let mut i = input(lessons);
            for (k, m) in mastery.iter().enumerate() {
                if let Some(m) = m {
                    knows(&mut i, &format!("s{k}"), *m);
                }
            }
            i.final_assessment = fin.map(|(mandatory, st)| {
                assessment(
                    500,
                    mandatory,
                    [Standing::NotAttempted, Standing::Failed, Standing::Passed][(st % 3) as usize],
                )
            });
            i.preferences.preferred_pace = [Pace::Slow, Pace::Medium, Pace::Fast][pace as usize];
            let _ = n;
            i
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_the_rules(i in course_strategy()) {
        let r = plan(&i).unwrap();
        // prerequisites: every lesson step after its prerequisites' (or they are completed)
        let completed: HashSet<LessonId> = i.lessons.iter().filter(|l| l.status == ProgressStatus::Completed).map(|l| l.id).collect();
        let prereqs: BTreeMap<LessonId, &Vec<LessonId>> = i.lessons.iter().map(|l| (l.id, &l.prerequisites)).collect();
        let mut covered = completed.clone();
        for s in &r.data.steps {
            if let (Some(l), true) = (s.lesson_id, s.kind != StepKind::Assessment) {
                for p in prereqs[&l] {
                    prop_assert!(covered.contains(p), "lesson {l} before its prerequisite {p}");
                }
                covered.insert(l);
            }
        }
        // every lesson not completed has a step; every mandatory assessment not passed too
        let named: HashSet<AssessmentId> = r.data.steps.iter().filter_map(|s| s.assessment_id).collect();
        for l in &i.lessons {
            prop_assert!(completed.contains(&l.id) || covered.contains(&l.id), "lesson {} dropped", l.id);
            for a in &l.assessments {
                if a.mandatory && a.standing != Standing::Passed && !completed.contains(&l.id) {
                    prop_assert!(named.contains(&a.id), "mandatory {} dropped", a.id);
                }
                if a.standing == Standing::Failed {
                    // reviewed: a review step of its lesson retakes it
                    prop_assert!(r.data.steps.iter().any(|s| s.kind == StepKind::Review && s.lesson_id == Some(l.id) && s.assessment_id == Some(a.id))
                        || r.data.steps.iter().any(|s| s.kind == StepKind::Review && s.lesson_id == Some(l.id)));
                }
            }
        }
        if let Some(f) = &i.final_assessment {
            prop_assert_eq!(named.contains(&f.id), f.standing != Standing::Passed);
        }
        // a valid document, which its own plan passes
        let doc = serde_json::to_value(&r.data).unwrap();
        prop_assert_eq!(RoadmapData::validate(&doc).unwrap(), r.data.clone());
        prop_assert_eq!(check(&i, &r.data, &r.data), vec![]);
        // deterministic, whatever the order the lessons come in
        let mut shuffled = i.clone();
        shuffled.lessons.reverse();
        prop_assert_eq!(plan(&shuffled).unwrap(), r.clone());
        prop_assert_eq!(plan(&i).unwrap(), r);
    }

    #[test]
    fn dropping_a_required_step_is_always_refused(i in course_strategy(), pick in any::<proptest::sample::Index>()) {
        let r = plan(&i).unwrap();
        let required: Vec<usize> = r.data.steps.iter().enumerate().filter(|(_, s)| !s.optional).map(|(k, _)| k).collect();
        prop_assume!(!required.is_empty());
        let mut p = r.data.clone();
        p.steps.remove(required[pick.index(required.len())]);
        prop_assert!(codes(&check(&i, &r.data, &p)).contains(&ViolationCode::RequiredStepDropped));
    }

    #[test]
    fn swapping_a_lesson_before_its_prerequisite_is_refused(i in course_strategy()) {
        let r = plan(&i).unwrap();
        let pos: BTreeMap<LessonId, usize> = r.data.steps.iter().enumerate()
            .filter(|(_, s)| s.kind != StepKind::Assessment)
            .filter_map(|(k, s)| s.lesson_id.map(|l| (l, k))).collect();
        let completed: HashSet<LessonId> = i.lessons.iter().filter(|l| l.status == ProgressStatus::Completed).map(|l| l.id).collect();
        let pair = i.lessons.iter().find_map(|l| {
            let a = *pos.get(&l.id)?;
            l.prerequisites.iter().filter(|p| !completed.contains(p)).find_map(|p| pos.get(p).map(|b| (*b, a)))
        });
        prop_assume!(pair.is_some());
        let (b, a) = pair.unwrap();
        let mut p = r.data.clone();
        p.steps.swap(a, b);
        prop_assert!(codes(&check(&i, &r.data, &p)).contains(&ViolationCode::PrerequisiteOrder));
    }
}

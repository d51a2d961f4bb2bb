#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use super::*;
use crate::model::{ContentType, UserId};

const COURSE: u128 = 0xC0;
const OTHER_COURSE: u128 = 0xC1;
const L1: u128 = 0x11;
const L2: u128 = 0x12;
const A1: u128 = 0xA1;
const A2: u128 = 0xA2;
const FINAL: u128 = 0xAF;
const B1: u128 = 0xB1;
const B2: u128 = 0xB2;

fn lesson_id(n: u128) -> LessonId {
    LessonId(Uuid::from_u128(n))
}
fn assessment_id(n: u128) -> AssessmentId {
    AssessmentId(Uuid::from_u128(n))
}
fn block_id(n: u128) -> ContentBlockId {
    ContentBlockId(Uuid::from_u128(n))
}
fn course_id(n: u128) -> CourseId {
    CourseId(Uuid::from_u128(n))
}

const T0: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;

fn questions() -> Value {
    json!([{"type": "true_false", "id": "q1", "prompt": "Is it?", "points": 1, "correct": true}])
}

fn assessment(id: u128, lesson: Option<u128>, course: Option<u128>) -> Assessment {
    Assessment {
        id: assessment_id(id),
        lesson_id: lesson.map(lesson_id),
        course_id: course.map(course_id),
        title: "Check".into(),
        description: None,
        questions: questions(),
        ai_generated: false,
        source_content_ids: vec![],
        is_mandatory: true,
        minimum_passing_score: 70,
        max_attempts: None,
        time_limit_minutes: None,
        policy: Default::default(),
        schedule: Default::default(),
        late_policy: None,
        questions_version: 1,
        created_at: T0,
        updated_at: T0,
    }
}

fn lesson(id: u128, order: i32, assessment: u128, prerequisites: &[u128]) -> Lesson {
    Lesson {
        id: lesson_id(id),
        course_id: course_id(COURSE),
        title: format!("Lesson {order}"),
        unlocks_at: None,
        description: None,
        order_index: order,
        learning_objectives: vec![],
        estimated_duration_minutes: None,
        assessment_id: Some(assessment_id(assessment)),
        prerequisites: prerequisites.iter().copied().map(lesson_id).collect(),
        is_published: false,
        created_at: T0,
        updated_at: T0,
    }
}

fn block(id: u128, lesson: u128, content_type: ContentType, content: Value) -> ContentBlock {
    ContentBlock {
        id: block_id(id),
        lesson_id: lesson_id(lesson),
        content_type,
        content,
        order_index: 0,
        metadata: json!({}),
        created_at: T0,
        updated_at: T0,
    }
}

/// A course that can be published: two lessons (the second requires the first), each
/// with a block and an assessment, and a final assessment.
struct Fixture {
    course: Course,
    lessons: Vec<Lesson>,
    blocks: Vec<ContentBlock>,
    assessments: Vec<Assessment>,
}

impl Fixture {
    fn publishable() -> Self {
        Fixture {
            course: Course {
                id: course_id(COURSE),
                title: "Fractions".into(),
                description: None,
                instructor_id: UserId(Uuid::from_u128(0x1)),
                final_assessment_id: Some(assessment_id(FINAL)),
                tags: vec![],
                difficulty_level: None,
                estimated_duration_minutes: None,
                is_published: false,
                late_policy: None,
                grading_scheme: Default::default(),
                created_at: T0,
                updated_at: T0,
            },
            lessons: vec![lesson(L1, 1, A1, &[]), lesson(L2, 2, A2, &[L1])],
            blocks: vec![
                block(
                    B1,
                    L1,
                    ContentType::RichText,
                    json!({"rich_text": {"html": "<p>Halves</p>"}}),
                ),
                block(
                    B2,
                    L2,
                    ContentType::Image,
                    json!({"image": {"url": "https://cdn.example.com/a.png", "alt_text": "A pie"}}),
                ),
            ],
            assessments: vec![
                assessment(A1, Some(L1), None),
                assessment(A2, Some(L2), None),
                assessment(FINAL, None, Some(COURSE)),
            ],
        }
    }

    fn check(&self) -> Result<(), Vec<PublishProblem>> {
        check(&CourseOutline {
            course: &self.course,
            lessons: &self.lessons,
            blocks: &self.blocks,
            assessments: &self.assessments,
        })
    }

    fn assessment_mut(&mut self, id: u128) -> &mut Assessment {
        self.assessments
            .iter_mut()
            .find(|a| a.id == assessment_id(id))
            .unwrap()
    }
}

#[test]
fn a_complete_course_is_publishable() {
    assert_eq!(Fixture::publishable().check(), Ok(()));
}

/// Paths of the problems of a document problem, to compare without the wording.
fn paths(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.path.as_str()).collect()
}

#[test]
fn each_rule_alone() {
    type Change = Box<dyn Fn(&mut Fixture)>;
    // (rule, change to a publishable course, the one expected problem)
    let cases: Vec<(&str, Change, PublishProblem)> = vec![
        (
            "no lesson",
            Box::new(|f| {
                f.lessons.clear();
                f.blocks.clear();
                f.assessments.retain(|a| a.id == assessment_id(FINAL));
            }),
            PublishProblem::NoLessons,
        ),
        (
            "lesson without assessment",
            Box::new(|f| {
                f.lessons[1].assessment_id = None;
                f.assessments.retain(|a| a.id != assessment_id(A2));
            }),
            PublishProblem::LessonWithoutAssessment {
                lesson: lesson_id(L2),
            },
        ),
        (
            "lesson assessment not loaded",
            Box::new(|f| f.assessments.retain(|a| a.id != assessment_id(A2))),
            PublishProblem::UnknownLessonAssessment {
                lesson: lesson_id(L2),
                assessment: assessment_id(A2),
            },
        ),
        (
            "lesson assessment of another lesson",
            Box::new(|f| f.assessment_mut(A2).lesson_id = Some(lesson_id(L1))),
            PublishProblem::AssessmentOfAnotherLesson {
                lesson: lesson_id(L2),
                assessment: assessment_id(A2),
                assessment_lesson: Some(lesson_id(L1)),
            },
        ),
        (
            "lesson of another course",
            Box::new(|f| f.lessons[0].course_id = course_id(OTHER_COURSE)),
            PublishProblem::LessonNotInCourse {
                lesson: lesson_id(L1),
                course: course_id(OTHER_COURSE),
            },
        ),
        (
            "block of no lesson of the course",
            Box::new(|f| f.blocks[0].lesson_id = lesson_id(0x99)),
            PublishProblem::BlockNotInCourse {
                block: block_id(B1),
                lesson: lesson_id(0x99),
            },
        ),
        (
            "prerequisite cycle",
            Box::new(|f| f.lessons[0].prerequisites = vec![lesson_id(L2)]),
            PublishProblem::PrerequisiteCycle {
                cycle: vec![lesson_id(L1), lesson_id(L2)],
            },
        ),
        (
            "self prerequisite",
            Box::new(|f| f.lessons[0].prerequisites = vec![lesson_id(L1)]),
            PublishProblem::PrerequisiteCycle {
                cycle: vec![lesson_id(L1)],
            },
        ),
        (
            "unknown prerequisite",
            Box::new(|f| f.lessons[1].prerequisites = vec![lesson_id(0x99)]),
            PublishProblem::UnknownPrerequisite {
                lesson: lesson_id(L2),
                prerequisite: lesson_id(0x99),
            },
        ),
        (
            "no final assessment",
            Box::new(|f| {
                f.course.final_assessment_id = None;
                f.assessments.retain(|a| a.id != assessment_id(FINAL));
            }),
            PublishProblem::NoFinalAssessment,
        ),
        (
            "final assessment not loaded",
            Box::new(|f| f.assessments.retain(|a| a.id != assessment_id(FINAL))),
            PublishProblem::UnknownFinalAssessment {
                assessment: assessment_id(FINAL),
            },
        ),
        (
            "final assessment of another course",
            Box::new(|f| f.assessment_mut(FINAL).course_id = Some(course_id(OTHER_COURSE))),
            PublishProblem::FinalAssessmentOfAnotherCourse {
                assessment: assessment_id(FINAL),
                assessment_course: Some(course_id(OTHER_COURSE)),
            },
        ),
        (
            "final assessment of a lesson",
            Box::new(|f| {
                let a = f.assessment_mut(FINAL);
                a.course_id = None;
                a.lesson_id = Some(lesson_id(L1));
            }),
            PublishProblem::FinalAssessmentOfAnotherCourse {
                assessment: assessment_id(FINAL),
                assessment_course: None,
            },
        ),
        (
            "assessment without questions",
            Box::new(|f| f.assessment_mut(A1).questions = json!([])),
            PublishProblem::NoQuestions {
                assessment: assessment_id(A1),
            },
        ),
        (
            "final assessment without questions",
            Box::new(|f| f.assessment_mut(FINAL).questions = json!([])),
            PublishProblem::NoQuestions {
                assessment: assessment_id(FINAL),
            },
        ),
    ];
    let mut failures = Vec::new();
    for (rule, change, expected) in cases {
        let mut fixture = Fixture::publishable();
        change(&mut fixture);
        let got = fixture.check();
        if got != Err(vec![expected.clone()]) {
            failures.push(format!("{rule}: want [{expected}], got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_documents_are_reported_with_their_paths() {
    type Change = Box<dyn Fn(&mut Fixture)>;
    // (rule, change, expected problem with the expected JSON paths)
    let cases: Vec<(&str, Change, &str, &[&str])> = vec![
        (
            "invalid content",
            Box::new(|f| {
                f.blocks[1].content = json!({"image": {"url": "http://e.com/a.png", "alt": "x"}});
            }),
            "invalid_content",
            &["/image/alt_text", "/image/alt"],
        ),
        (
            "content disagrees with the block type",
            Box::new(|f| f.blocks[1].content_type = ContentType::Video),
            "invalid_content",
            &[""],
        ),
        (
            "semantic content rule",
            Box::new(|f| {
                f.blocks[1].content =
                    json!({"image": {"url": "http://e.com/a.png", "alt_text": "x"}});
            }),
            "invalid_content",
            &["/image/url"],
        ),
        (
            "invalid questions",
            Box::new(|f| {
                f.assessment_mut(A2).questions =
                    json!([{"type": "true_false", "id": "q1", "prompt": "?", "points": 0}]);
            }),
            "invalid_questions",
            &["/0/points", "/0/correct"],
        ),
        (
            "questions not even a list",
            Box::new(|f| f.assessment_mut(FINAL).questions = Value::Null),
            "invalid_questions",
            &[""],
        ),
    ];
    let mut failures = Vec::new();
    for (rule, change, tag, want) in cases {
        let mut fixture = Fixture::publishable();
        change(&mut fixture);
        let problems = match fixture.check() {
            Ok(()) => {
                failures.push(format!("{rule}: publishable"));
                continue;
            }
            Err(problems) => problems,
        };
        let [problem] = &problems[..] else {
            failures.push(format!("{rule}: want one problem, got {problems:?}"));
            continue;
        };
        let got_tag = serde_json::to_value(problem).unwrap()["problem"].clone();
        let (mut got, mut want) = match problem {
            PublishProblem::InvalidContent { problems, .. }
            | PublishProblem::InvalidQuestions { problems, .. } => (paths(problems), want.to_vec()),
            other => {
                failures.push(format!("{rule}: unexpected {other}"));
                continue;
            }
        };
        got.sort_unstable();
        want.sort_unstable();
        if got_tag != tag || got != want {
            failures.push(format!("{rule}: want {tag} at {want:?}, got {problem}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_problem_is_reported_at_once_in_a_stable_order() {
    let mut f = Fixture::publishable();
    f.lessons[0].assessment_id = None; // L1: no assessment
    f.lessons[1].prerequisites = vec![lesson_id(L2)]; // L2 requires itself
    f.blocks[0].content = json!({"rich_text": {"html": 5}}); // B1 (of L1) invalid
    f.assessment_mut(A2).questions = json!([]); // L2's assessment empty
    f.course.final_assessment_id = None; // no final assessment
    let problems = f.check().unwrap_err();
    let expected = vec![
        PublishProblem::LessonWithoutAssessment {
            lesson: lesson_id(L1),
        },
        PublishProblem::InvalidContent {
            lesson: lesson_id(L1),
            block: block_id(B1),
            problems: vec![Problem {
                path: "/rich_text/html".into(),
                reason: "expected string, found integer".into(),
            }],
        },
        PublishProblem::NoQuestions {
            assessment: assessment_id(A2),
        },
        PublishProblem::PrerequisiteCycle {
            cycle: vec![lesson_id(L2)],
        },
        PublishProblem::NoFinalAssessment,
    ];
    assert_eq!(problems, expected);

    // The same input gives the same order, whatever the order of the rows.
    f.lessons.reverse();
    f.blocks.reverse();
    f.assessments.reverse();
    assert_eq!(f.check().unwrap_err(), expected);

    let err = ensure(&CourseOutline {
        course: &f.course,
        lessons: &f.lessons,
        blocks: &f.blocks,
        assessments: &f.assessments,
    })
    .unwrap_err();
    assert_eq!(err.code(), "not_publishable");
    let text = err.to_string();
    assert!(
        text.starts_with("the course cannot be published: lesson "),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "content block {} of lesson {} is invalid: /rich_text/html: expected string",
            block_id(B1),
            lesson_id(L1)
        )),
        "{text}"
    );
}

#[test]
fn problems_serialize_with_a_tag_and_read_as_sentences() {
    let a = assessment_id(A1);
    let l = lesson_id(L1);
    let cases: Vec<(PublishProblem, Value, String)> = vec![
        (
            PublishProblem::NoLessons,
            json!({"problem": "no_lessons"}),
            "the course has no lesson".into(),
        ),
        (
            PublishProblem::LessonWithoutAssessment { lesson: l },
            json!({"problem": "lesson_without_assessment", "lesson": l}),
            format!("lesson {l} has no assessment"),
        ),
        (
            PublishProblem::AssessmentOfAnotherLesson {
                lesson: l,
                assessment: a,
                assessment_lesson: None,
            },
            json!({"problem": "assessment_of_another_lesson", "lesson": l, "assessment": a, "assessment_lesson": null}),
            format!("the assessment {a} of lesson {l} belongs to no lesson"),
        ),
        (
            PublishProblem::InvalidQuestions {
                assessment: a,
                problems: vec![
                    Problem {
                        path: "/0/points".into(),
                        reason: "must be at least 1".into(),
                    },
                    Problem {
                        path: "".into(),
                        reason: "x".into(),
                    },
                ],
            },
            json!({"problem": "invalid_questions", "assessment": a, "problems": [
                {"path": "/0/points", "reason": "must be at least 1"}, {"path": "", "reason": "x"}]}),
            format!(
                "the questions of assessment {a} are invalid: /0/points: must be at least 1; /: x"
            ),
        ),
        (
            PublishProblem::PrerequisiteCycle {
                cycle: vec![l, lesson_id(L2)],
            },
            json!({"problem": "prerequisite_cycle", "cycle": [l, lesson_id(L2)]}),
            format!(
                "lesson prerequisites form a cycle: {l} -> {} -> {l}",
                lesson_id(L2)
            ),
        ),
    ];
    for (problem, json, text) in cases {
        assert_eq!(serde_json::to_value(&problem).unwrap(), json, "{problem:?}");
        let back: PublishProblem = serde_json::from_value(json).unwrap();
        assert_eq!(back, problem);
        assert_eq!(problem.to_string(), text);
    }
}

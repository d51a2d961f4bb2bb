//! Benches of knowledge tracing and roadmap planning in `lms::core::roadmap`: one BKT
//! update, a roadmap for a 200-lesson course from 1,000 past answers (tracing them and
//! planning), and fitting a course's model to 100,000 answers.
//!
//! `cargo bench -p lms --bench roadmap`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use lms::core::documents::{Document, RoadmapData};
use lms::core::model::ProgressStatus;
use lms::core::model::{AssessmentId, ContentBlockId, ContentType, CourseId, LessonId};
use lms::core::roadmap::{
    self, AnswerRow, BktParams, FitOptions, KnowledgeModel, Observation, PlanAssessment, PlanBlock,
    PlanInput, PlanLesson, PlanSettings, Standing,
};
use uuid::Uuid;

/// A 200-lesson course: 50 skills, each lesson after up to two earlier ones, three blocks
/// and a mandatory quiz each; the first 60 lessons completed.
fn course() -> PlanInput {
    let id = |n: u128| Uuid::from_u128(n);
    let lessons = (0..200u128)
        .map(|i| PlanLesson {
            id: LessonId(id(i)),
            title: format!("Lesson {i}"),
            order_index: i as i32,
            prerequisites: [i.checked_sub(1), i.checked_sub(7)]
                .into_iter()
                .flatten()
                .filter(|_| i % 3 != 0)
                .map(|p| LessonId(id(p)))
                .collect(),
            skills: vec![format!("skill {}", i % 50)],
            minutes: Some(20),
            blocks: (0..3u128)
                .map(|b| PlanBlock {
                    id: ContentBlockId(id(10_000 + i * 3 + b)),
                    content_type: [
                        ContentType::RichText,
                        ContentType::Video,
                        ContentType::Image,
                    ][b as usize],
                    minutes: None,
                })
                .collect(),
            assessments: vec![PlanAssessment {
                id: AssessmentId(id(20_000 + i)),
                title: format!("Quiz {i}"),
                mandatory: true,
                skills: vec![],
                minutes: Some(10),
                standing: if i < 60 {
                    Standing::Passed
                } else {
                    Standing::NotAttempted
                },
            }],
            status: if i < 60 {
                ProgressStatus::Completed
            } else {
                ProgressStatus::NotStarted
            },
        })
        .collect();
    PlanInput {
        course_id: CourseId(id(99_999)),
        lessons,
        final_assessment: None,
        knowledge: Default::default(),
        preferences: Default::default(),
        settings: PlanSettings::default(),
    }
}

/// 1,000 graded answers over the course's 50 skills.
fn answers() -> Vec<Observation> {
    (0..1_000u32)
        .map(|i| Observation {
            skill: format!("skill {}", (i * 7) % 50),
            question_id: format!("q{}", i % 20),
            correct: (i * 13) % 5 < 3,
            at: None,
        })
        .collect()
}

fn tracing(c: &mut Criterion) {
    let bkt = BktParams::DEFAULT.model();
    let m = bkt.start();
    c.bench_function("one BKT update", |b| {
        b.iter(|| bkt.update(black_box(m), black_box(true)))
    });

    let course = course();
    let answers = answers();
    let model = KnowledgeModel::default();
    let plan = {
        let mut input = course.clone();
        input.knowledge = roadmap::trace(&model, &answers).profile;
        roadmap::plan(&input).expect("the bench course plans")
    };
    assert_eq!(plan.data.steps.len(), 140);
    RoadmapData::validate(&serde_json::to_value(&plan.data).expect("serializes"))
        .expect("the plan is a valid document");
    // what a generation computes: the profile traced from the answers, then the plan
    // from an input holding that profile
    let mut input = course.clone();
    input.knowledge = roadmap::trace(&model, &answers).profile;
    c.bench_function(
        "roadmap of a 200-lesson course from 1,000 past answers (trace + plan)",
        |b| {
            b.iter(|| {
                let profile = roadmap::profile(&model, black_box(&answers));
                (profile, roadmap::plan(black_box(&input)))
            })
        },
    );
}

fn fitting(c: &mut Criterion) {
    // 100,000 answers: 10 skills, 1,000 students, 10 answers each per skill
    let rows: Vec<AnswerRow> = (0..100_000u32)
        .map(|i| {
            let student = i / 100;
            let skill = (i / 10) % 10;
            let t = i % 10;
            AnswerRow {
                student: format!("s{student}"),
                skill: format!("skill {skill}"),
                // learners: wrong early, right later, some noise
                correct: (t * 3 + student % 7 + skill) % 10 >= 4,
            }
        })
        .collect();
    let options = FitOptions::default();
    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.bench_function(
        "fit a course of 100,000 answers (10 skills, 5 restarts)",
        |b| b.iter(|| roadmap::fit_answers(black_box(&rows), &options)),
    );
    group.finish();
}

criterion_group!(benches, tracing, fitting);
criterion_main!(benches);

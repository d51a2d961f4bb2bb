//! Benches of the pure rules of `lms::core`: scoring an attempt, validating an
//! assessment document, validating a rich-text content block.
//!
//! `cargo bench -p lms --bench core`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use lms::core::documents::{self, Answers, ContentData, QuestionSet};
use lms::core::model::ContentType;
use lms::core::scoring::{self, ScoringPolicy};

#[path = "support/inputs.rs"]
mod inputs;

fn scoring(c: &mut Criterion) {
    let questions = documents::validate::<QuestionSet>(&inputs::question_set())
        .expect("bench questions are valid");
    let answers =
        documents::validate::<Answers>(&inputs::answers()).expect("bench answers are valid");
    let policy = ScoringPolicy::new(70).expect("70 is a passing score");
    let scored = scoring::score(&questions, &answers, &policy).expect("bench attempt scores");
    assert_eq!(scored.feedback.questions.len(), inputs::QUESTIONS);
    assert!(scored.is_final());

    c.bench_function("score a 20-question mixed attempt", |b| {
        b.iter(|| scoring::score(black_box(&questions), black_box(&answers), &policy))
    });
}

fn validation(c: &mut Criterion) {
    let questions = inputs::question_set();
    let rich_text = inputs::rich_text();
    assert!(documents::validate::<QuestionSet>(&questions).is_ok());
    assert!(ContentData::validate_for(ContentType::RichText, &rich_text).is_ok());

    c.bench_function("validate a 20-question assessment document", |b| {
        b.iter(|| documents::validate::<QuestionSet>(black_box(&questions)))
    });
    c.bench_function("validate a rich_text content block", |b| {
        b.iter(|| ContentData::validate_for(ContentType::RichText, black_box(&rich_text)))
    });
}

criterion_group!(benches, scoring, validation);
criterion_main!(benches);

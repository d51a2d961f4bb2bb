//! Size limits of the documents, so that a hostile document cannot exhaust memory or
//! time. Every limit is part of the JSON Schema of the documents (`maxLength`,
//! `maxItems`, `maxProperties`) and is checked by [`crate::documents::validate`].
//!
//! Text lengths are counted in Unicode scalar values (characters), as JSON Schema does.

/// Longest id (question id, option id, skill name, answer key): 64 characters.
pub const MAX_ID_CHARS: usize = 64;
/// Longest short text (title, alt text, option text, file name, accepted answer,
/// caption, file type): 1 000 characters.
pub const MAX_SHORT_TEXT_CHARS: usize = 1_000;
/// Longest text (question prompt, explanation, short answer, message, grader comment,
/// roadmap reason): 10 000 characters.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Longest essay answer: 100 000 characters.
pub const MAX_ESSAY_CHARS: usize = 100_000;
/// Longest `rich_text.html` (before sanitizing): 200 000 characters.
pub const MAX_HTML_CHARS: usize = 200_000;
/// Longest URL: 2 048 characters.
pub const MAX_URL_CHARS: usize = 2_048;
/// Most questions in an assessment: 200.
pub const MAX_QUESTIONS: usize = 200;
/// Most options of a multiple-choice question: 20.
pub const MAX_OPTIONS: usize = 20;
/// Most accepted answers of a short-answer question: 20.
pub const MAX_ACCEPTED_ANSWERS: usize = 20;
/// Most answers in an attempt (one per question at most): [`MAX_QUESTIONS`].
pub const MAX_ANSWERS: usize = MAX_QUESTIONS;
/// Most skills one question names: 20.
pub const MAX_QUESTION_SKILLS: usize = 20;
/// Most skills in a knowledge profile: 1 000.
pub const MAX_SKILLS: usize = 1_000;
/// Most properties of a block's metadata: 50.
pub const MAX_METADATA_KEYS: usize = 50;
/// Most values in one list of a block's metadata: 100.
pub const MAX_METADATA_ITEMS: usize = 100;
/// Most steps in a roadmap: 500.
pub const MAX_ROADMAP_STEPS: usize = 500;
/// Most content ids in one roadmap step: 100.
pub const MAX_STEP_CONTENT_IDS: usize = 100;
/// Most per-block entries in a progress document: 1 000.
pub const MAX_PROGRESS_BLOCKS: usize = 1_000;
/// Most points a single question is worth: 1 000 (so totals fit easily in `i32`).
pub const MAX_POINTS: u32 = 1_000;
/// Longest media duration or position: 7 days, in seconds.
pub const MAX_DURATION_SECONDS: u32 = 7 * 24 * 3_600;
/// Largest file: 10 GiB, in bytes.
pub const MAX_FILE_SIZE_BYTES: u64 = 10 * 1024 * 1024 * 1024;
/// Largest estimate of a roadmap step: 10 000 minutes.
pub const MAX_STEP_MINUTES: u32 = 10_000;
/// Deepest nesting of arrays and objects accepted in a document: 32 levels. No
/// document shape needs more than 6.
pub const MAX_DEPTH: usize = 32;
/// Most problems reported for one document; the rest are summarised in one problem.
pub const MAX_PROBLEMS: usize = 100;

//! A seeded, reproducible demo database, as the library itself would store it: courses
//! built through the library's use cases, and students, enrolments, attempts and
//! progress loaded with `COPY` (the use cases would take hours for 300,000 attempts) but
//! computed with the library's own rules, so that every row is one the library could
//! have written. Included with `#[path = "../benches/support/demo.rs"] mod demo;` by
//! `examples/demo_data.rs` (and by benches that want a big, realistic world).
//!
//! # What is made
//! * **Content, through the use cases**: instructors signed up by the service
//!   (`sign_up`), courses (`create_course`), lessons in order, each requiring the one
//!   before (`create_lesson`), rich-text and YouTube blocks (`create_block`), a quiz per
//!   lesson and a timed final exam per course (`create_assessment`) with questions of
//!   three kinds (single-choice with four options, true/false, short answer with a
//!   wildcard for partial credit), each naming one or two skills among its lesson's
//!   learning objectives; then `publish_course`.
//! * **People and activity, through `COPY`**, the database's triggers all kept (they
//!   derive `assessment_attempts.course_id`, `learning_progress.course_id`,
//!   `student_progress.completed_at`, the `learning_activity` rollup, the profiles and
//!   the audit log): students in `auth.users` (the sign-up trigger makes their profiles;
//!   their names are then set as `sign_up` sets them), `enrollments`,
//!   `assessment_attempts`, `student_progress`, `learning_progress`.
//! * **Attempts** are answered by a Rasch model: each student has an ability θ ~ N(0, 1)
//!   (plus a per-course offset), each question a difficulty b ~ N([`DIFFICULTY_MEAN`],
//!   1), and a question is answered right with probability 1 / (1 + e^−(θ − b + gain)),
//!   the gain growing with each retake. Wrong choices pick distractors of uneven
//!   popularity, wrong short answers come from a few misconceptions and misspellings
//!   (some of which the wildcard gives half credit), about 3 % of questions are left
//!   unanswered. Each attempt is scored by `lms_core::scoring::score`, its time
//!   checked by `lms_core::attempts::submission`, its start by `may_start` (attempt
//!   limits), and stored as `submit_attempt` stores it (answers stamped with the time
//!   they were saved, the feedback document, integer and exact points).
//! * **Progress** is what the library's refresh derives from those facts, with the same
//!   functions (`lesson_progress`, `grade_history`, `course_complete`,
//!   `course_percentage`, the prerequisite `Graph`): a row per lesson and per assessment
//!   of every enrolment (the refresh writes them all at enrolment), and the enrolment's
//!   `progress` summary and completion.
//!
//! One **flagship course** (the first) has 30 % of the students, and its first lesson's
//! quiz is an unlimited practice quiz taking about 9 % of all attempts (at least 8 per
//! flagship student): with the default sizes, 3,000 students and 27,000 attempts.
//! Students take 1–5 other courses, popular ones more often (with the default sizes,
//! from about 2,100 students down to 600 each). How far each
//! student gets in a course follows their ability and how long ago they enrolled, times
//! one scale for all, found by dry runs of the simulation (the same draws, nothing
//! written) so that the attempts come within 0.1 % of [`DemoOptions::attempts`] when the
//! course sizes allow it.
//!
//! Everything random comes from one `ChaCha8Rng` seeded with [`DemoOptions::seed`]
//! (and one more for row ids), consumed in a fixed order: the same options give the
//! same database, but for the ids the database itself draws (content, through the use
//! cases) and the times, which are relative to [`DemoOptions::now`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use lms::core::attempts::{
    grade_history, may_start, submission, AttemptHistory, AttemptRules, AttemptSummary,
    StartDecision,
};
use lms::core::documents::{
    Answer, Answers, Document, MultipleChoiceAnswer, ProgressData, QuestionSet, ShortAnswerAnswer,
    TrueFalseAnswer,
};
use lms::core::model::{
    AssessmentId, ContentBlockId, ContentType, CourseId, DifficultyLevel, LessonId, ProgressStatus,
    UserId, UserRole,
};
use lms::core::prerequisites::Graph;
use lms::core::progress::{
    course_complete, course_percentage, lesson_progress, AssessmentState, LessonFacts,
};
use lms::core::repo::{
    AssessmentOwner, NewAssessment, NewContentBlock, NewCourse, NewLesson, NewUser,
};
use lms::core::scoring::{score, ScoringPolicy};
use lms::db::{Lms, Scope};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use sqlx::{Connection as _, PgConnection};
use tokio::sync::mpsc;
use uuid::Uuid;

/// Mean difficulty of the questions: b ~ N(`DIFFICULTY_MEAN`, 1). Below 0 so that an
/// average student (θ = 0) answers about two questions in three right and passes a quiz
/// at 70 % about every other attempt.
pub const DIFFICULTY_MEAN: f64 = -1.0;

/// Ability gained with each retake (on the logit scale), up to [`MAX_GAIN`].
const GAIN_PER_ATTEMPT: f64 = 0.25;
/// The largest gain from retakes.
const MAX_GAIN: f64 = 1.0;
/// Share of questions left unanswered.
const SKIP: f64 = 0.03;
/// Share of the students enrolled in the flagship course.
const FLAGSHIP_SHARE: f64 = 0.3;
/// Share of all attempts made at the flagship's practice quiz (at least
/// [`HEAVY_PER_STUDENT`] per flagship student).
const HEAVY_SHARE: f64 = 0.09;
/// Fewest practice-quiz attempts per flagship student, on average.
const HEAVY_PER_STUDENT: usize = 8;
/// Attempts allowed at a regular lesson quiz.
const QUIZ_ATTEMPTS: i32 = 3;
/// Attempts allowed at a final exam.
const FINAL_ATTEMPTS: i32 = 2;
/// A final exam's time limit, minutes.
const FINAL_MINUTES: i32 = 45;
/// Rows per `COPY` chunk at most.
const CHUNK_ROWS: usize = 10_000;
/// Bytes per `COPY` chunk at most.
const CHUNK_BYTES: usize = 1 << 20;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Courses (the first is the flagship).
    pub courses: usize,
    /// Lessons per course.
    pub lessons: usize,
    /// Students.
    pub students: usize,
    /// Submitted attempts to aim at, in all.
    pub attempts: usize,
    /// The seed of every random choice.
    pub seed: u64,
    /// The present of the generated history (every time is before it): `None` for now.
    pub now: Option<DateTime<Utc>>,
}

impl Default for DemoOptions {
    /// 20 courses × 30 lessons, 10,000 students, 300,000 attempts, seed 1.
    fn default() -> Self {
        Self {
            courses: 20,
            lessons: 30,
            students: 10_000,
            attempts: 300_000,
            seed: 1,
            now: None,
        }
    }
}

impl DemoOptions {
    /// Tiny sizes that generate in seconds: 3 courses × 5 lessons, 200 students, 3,000
    /// attempts.
    pub fn smoke() -> Self {
        Self {
            courses: 3,
            lessons: 5,
            students: 200,
            attempts: 3_000,
            ..Self::default()
        }
    }
}

/// The command-line options of the generator's sizes, shared by `lms demo-data` and
/// `examples/demo_data.rs` (`#[command(flatten)]`).
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Courses (the first is the flagship).
    #[arg(long, default_value_t = 20)]
    pub courses: usize,
    /// Lessons per course.
    #[arg(long, default_value_t = 30)]
    pub lessons: usize,
    /// Students.
    #[arg(long, default_value_t = 10_000)]
    pub students: usize,
    /// Submitted attempts to aim at.
    #[arg(long, default_value_t = 300_000)]
    pub attempts: usize,
    /// The seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The present of the history (RFC 3339, e.g. 2026-12-01T00:00:00Z; default now):
    /// with the same seed, sizes and `--now`, the same data but for the ids of the
    /// content, which the database draws.
    #[arg(long)]
    pub now: Option<DateTime<Utc>>,
    /// Tiny sizes (3 courses × 5 lessons, 200 students, 3,000 attempts): seconds.
    #[arg(long)]
    pub smoke: bool,
}

impl DemoArgs {
    /// What to generate: the sizes given, or the smoke sizes with the seed and present
    /// given.
    pub fn options(&self) -> DemoOptions {
        if self.smoke {
            DemoOptions {
                seed: self.seed,
                now: self.now,
                ..DemoOptions::smoke()
            }
        } else {
            DemoOptions {
                courses: self.courses,
                lessons: self.lessons,
                students: self.students,
                attempts: self.attempts,
                seed: self.seed,
                now: self.now,
            }
        }
    }
}

/// A course that was made.
#[derive(Debug, Clone)]
pub struct DemoCourse {
    /// The course.
    pub id: CourseId,
    /// Its title.
    pub title: String,
    /// Its instructor (act as them with `lms.as_user(instructor)`).
    pub instructor: UserId,
    /// Its lessons, in order.
    pub lessons: Vec<LessonId>,
    /// Each lesson's quiz, in lesson order.
    pub quizzes: Vec<AssessmentId>,
    /// The final exam.
    pub final_exam: AssessmentId,
    /// Every content block, lesson by lesson.
    pub blocks: Vec<ContentBlockId>,
    /// The enrolled students.
    pub students: Vec<UserId>,
}

/// Rows written by [`generate`], by table (as sent to `COPY`; the database's triggers
/// add profiles, `learning_activity` and audit rows).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowCounts {
    /// Students (`auth.users`, hence `profiles`).
    pub students: u64,
    /// `enrollments`.
    pub enrollments: u64,
    /// `assessment_attempts` (all submitted).
    pub attempts: u64,
    /// Of those, at the flagship's practice quiz.
    pub flagship_attempts: u64,
    /// `student_progress`.
    pub student_progress: u64,
    /// `learning_progress`.
    pub learning_progress: u64,
    /// Enrolments whose course is complete.
    pub completed_enrollments: u64,
}

/// How long one phase took.
#[derive(Debug, Clone)]
pub struct Phase {
    /// What was done.
    pub name: &'static str,
    /// How long it took.
    pub elapsed: Duration,
}

/// What [`generate`] made.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The courses, the flagship first.
    pub courses: Vec<DemoCourse>,
    /// The index of the flagship course in `courses` (0).
    pub flagship: usize,
    /// The flagship's assessment with the most attempts: its first lesson's quiz,
    /// unlimited attempts.
    pub flagship_assessment: AssessmentId,
    /// Every student, in the order they were made.
    pub students: Vec<UserId>,
    /// Rows written.
    pub rows: RowCounts,
    /// The phases and their times.
    pub phases: Vec<Phase>,
    /// How long each table's `COPY` took (at the same time, during the activity phase).
    pub copies: Vec<Phase>,
    /// The scale of the students' drive that the dry runs found for the attempts aimed
    /// at, and how many dry runs it took.
    pub scale: f64,
    /// See `scale`.
    pub dry_runs: usize,
    /// The present of the history.
    pub now: DateTime<Utc>,
}

impl Demo {
    /// The flagship course.
    pub fn flagship(&self) -> &DemoCourse {
        &self.courses[self.flagship]
    }

    /// The instructor of `course`, if it is one of the demo's.
    pub fn instructor_of(&self, course: CourseId) -> Option<UserId> {
        self.courses
            .iter()
            .find(|c| c.id == course)
            .map(|c| c.instructor)
    }
}

/// Generates the demo into `lms`'s database, which must be migrated and hold no demo
/// yet (e-mail addresses would collide). Its pool needs at least 6 connections; the
/// connections' session user is the migrating user (it writes `auth.users`, as
/// `sign_up` does, and may `set role service_role` for the rest). Panics on any
/// error: it is bench and tool support.
pub async fn generate(lms: &Lms, options: &DemoOptions) -> Demo {
    let mut phases = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, phases: &mut Vec<Phase>| {
        phases.push(Phase {
            name,
            elapsed: clock.elapsed(),
        });
        clock = Instant::now();
    };
    let now = micros(options.now.unwrap_or_else(Utc::now));
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut ids = ChaCha8Rng::seed_from_u64(options.seed ^ 0x05ee_d1d5);
    let lessons = options.lessons.max(1);
    let courses = options.courses.max(1);

    // content: specs drawn in order, then made through the use cases, courses in parallel
    let specs: Vec<CourseSpec> = (0..courses)
        .map(|i| course_spec(&mut rng, i, lessons))
        .collect();
    let instructors = sign_up_instructors(lms, &mut rng, courses).await;
    let built = build_courses(lms, &specs, &instructors).await;
    backdate_content(lms, &built, now).await;
    lap("content (use cases)", &mut phases);

    // students
    let students = student_specs(&mut rng, &mut ids, options.students, now);
    load_students(lms, &students).await;
    lap("students (COPY auth.users, names)", &mut phases);

    // enrolments planned, then simulated and streamed
    let world = Arc::new(World::new(built, &specs, &students, now));
    let plans = Arc::new(plan_enrollments(&mut rng, &world, options.attempts));
    let flagship_assessment = world.courses[0].lessons[0].quiz.id;
    let course_students = {
        let mut by_course: Vec<Vec<UserId>> = vec![Vec::new(); world.courses.len()];
        for p in &plans.list {
            by_course[p.course].push(world.students[p.student].id);
        }
        by_course
    };
    let (scale, dry_runs) = {
        let (world, plans, rng) = (Arc::clone(&world), Arc::clone(&plans), rng.clone());
        tokio::task::spawn_blocking(move || calibrate(&world, &plans, &rng))
            .await
            .expect("calibrate")
    };
    lap("calibrate (dry runs)", &mut phases);
    let (rows, copies) = simulate_and_copy(lms, Arc::clone(&world), plans, scale, rng, ids).await;
    lap("activity (simulate + COPY)", &mut phases);

    analyze(lms).await;
    lap("vacuum analyze", &mut phases);

    let courses = world
        .courses
        .iter()
        .zip(course_students)
        .map(|(c, students)| DemoCourse {
            id: c.id,
            title: c.title.clone(),
            instructor: c.instructor,
            lessons: c.lessons.iter().map(|l| l.id).collect(),
            quizzes: c.lessons.iter().map(|l| l.quiz.id).collect(),
            final_exam: c.final_exam.id,
            blocks: c
                .lessons
                .iter()
                .flat_map(|l| l.blocks.iter().map(|b| b.id))
                .collect(),
            students,
        })
        .collect();
    Demo {
        courses,
        flagship: 0,
        flagship_assessment,
        students: world.students.iter().map(|s| s.id).collect(),
        rows,
        phases,
        copies,
        scale,
        dry_runs,
        now,
    }
}

// ---------------------------------------------------------------------------------------
// Random draws.

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(1e-12);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A log-normal draw with this median and log-scale spread.
fn lognormal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// An exponential draw with this mean.
fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    -mean * rng.gen::<f64>().max(1e-12).ln()
}

/// One of `items` by weight.
fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [(String, f64)]) -> &'a str {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    items.last().map_or("", |(item, _)| item.as_str())
}

/// A uuid from the id stream.
fn uuid(ids: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(ids.gen()).into_uuid()
}

/// `t` at whole microseconds (what PostgreSQL keeps), so that times in documents and in
/// columns agree.
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// `seconds` (fractional) as a duration at whole microseconds.
fn secs(seconds: f64) -> chrono::Duration {
    chrono::Duration::microseconds((seconds * 1e6) as i64)
}

/// Seconds in a day.
const DAY: f64 = 86_400.0;

// ---------------------------------------------------------------------------------------
// Vocabulary.

/// Course topics: title, tags, and eight key terms (the skills of its lessons).
const TOPICS: [(&str, [&str; 2], [&str; 8]); 20] = [
    (
        "Foundations of Biology",
        ["biology", "science"],
        [
            "photosynthesis",
            "respiration",
            "mitosis",
            "meiosis",
            "osmosis",
            "enzyme",
            "chromosome",
            "ribosome",
        ],
    ),
    (
        "Introductory Chemistry",
        ["chemistry", "science"],
        [
            "isotope",
            "electron",
            "covalent",
            "ionic",
            "catalyst",
            "oxidation",
            "molarity",
            "titration",
        ],
    ),
    (
        "Classical Mechanics",
        ["physics", "science"],
        [
            "velocity",
            "acceleration",
            "momentum",
            "inertia",
            "friction",
            "torque",
            "gravity",
            "energy",
        ],
    ),
    (
        "Algebra Essentials",
        ["mathematics", "algebra"],
        [
            "variable",
            "coefficient",
            "polynomial",
            "factorization",
            "equation",
            "inequality",
            "exponent",
            "logarithm",
        ],
    ),
    (
        "Statistics for Everyone",
        ["mathematics", "statistics"],
        [
            "mean",
            "median",
            "variance",
            "correlation",
            "regression",
            "probability",
            "sampling",
            "histogram",
        ],
    ),
    (
        "Programming in Python",
        ["programming", "python"],
        [
            "loop",
            "function",
            "recursion",
            "list",
            "dictionary",
            "exception",
            "iterator",
            "module",
        ],
    ),
    (
        "Databases and SQL",
        ["programming", "databases"],
        [
            "table",
            "index",
            "join",
            "transaction",
            "normalization",
            "query",
            "constraint",
            "trigger",
        ],
    ),
    (
        "World History",
        ["history", "humanities"],
        [
            "renaissance",
            "reformation",
            "enlightenment",
            "industrialization",
            "colonialism",
            "revolution",
            "feudalism",
            "imperialism",
        ],
    ),
    (
        "Macroeconomics",
        ["economics", "social-science"],
        [
            "inflation",
            "unemployment",
            "recession",
            "interest",
            "taxation",
            "deficit",
            "currency",
            "tariff",
        ],
    ),
    (
        "Human Anatomy",
        ["medicine", "biology"],
        [
            "skeleton",
            "muscle",
            "artery",
            "neuron",
            "hormone",
            "digestion",
            "lung",
            "kidney",
        ],
    ),
    (
        "Earth Science",
        ["geology", "science"],
        [
            "tectonics",
            "erosion",
            "volcano",
            "earthquake",
            "mineral",
            "sediment",
            "glacier",
            "atmosphere",
        ],
    ),
    (
        "Music Theory",
        ["music", "arts"],
        [
            "melody", "harmony", "rhythm", "tempo", "chord", "scale", "interval", "cadence",
        ],
    ),
    (
        "Digital Marketing",
        ["marketing", "business"],
        [
            "branding",
            "conversion",
            "funnel",
            "engagement",
            "retention",
            "segmentation",
            "campaign",
            "audience",
        ],
    ),
    (
        "Spanish for Beginners",
        ["languages", "spanish"],
        [
            "hola", "gracias", "familia", "comida", "ciudad", "tiempo", "trabajo", "escuela",
        ],
    ),
    (
        "Astronomy",
        ["astronomy", "science"],
        [
            "galaxy",
            "nebula",
            "supernova",
            "orbit",
            "comet",
            "asteroid",
            "telescope",
            "eclipse",
        ],
    ),
    (
        "Psychology 101",
        ["psychology", "social-science"],
        [
            "cognition",
            "memory",
            "perception",
            "motivation",
            "emotion",
            "conditioning",
            "personality",
            "attention",
        ],
    ),
    (
        "Art History",
        ["art", "humanities"],
        [
            "baroque",
            "impressionism",
            "cubism",
            "surrealism",
            "perspective",
            "fresco",
            "sculpture",
            "portrait",
        ],
    ),
    (
        "Computer Networks",
        ["networking", "programming"],
        [
            "packet",
            "router",
            "protocol",
            "bandwidth",
            "latency",
            "firewall",
            "encryption",
            "subnet",
        ],
    ),
    (
        "Nutrition Science",
        ["nutrition", "health"],
        [
            "protein",
            "carbohydrate",
            "vitamin",
            "mineral",
            "fiber",
            "metabolism",
            "calorie",
            "hydration",
        ],
    ),
    (
        "Project Management",
        ["management", "business"],
        [
            "scope",
            "schedule",
            "budget",
            "risk",
            "stakeholder",
            "milestone",
            "deliverable",
            "sprint",
        ],
    ),
];

/// Given names.
const FIRST_NAMES: [&str; 48] = [
    "Maria", "James", "Sofia", "Liam", "Emma", "Noah", "Olivia", "Mateo", "Ava", "Lucas", "Mia",
    "Ethan", "Amelia", "Leo", "Harper", "Hugo", "Chloe", "Omar", "Zoe", "Arjun", "Lea", "Yuki",
    "Nora", "Ivan", "Fatima", "Kenji", "Elena", "Samuel", "Aisha", "Diego", "Ingrid", "Tomas",
    "Priya", "Felix", "Hana", "Marco", "Clara", "Ravi", "Alice", "Pablo", "Greta", "Jonas",
    "Laila", "Victor", "Mei", "Oscar", "Sara", "Daniel",
];

/// Family names.
const LAST_NAMES: [&str; 48] = [
    "Garcia",
    "Smith",
    "Muller",
    "Rossi",
    "Kim",
    "Nguyen",
    "Silva",
    "Johnson",
    "Kowalski",
    "Martin",
    "Tanaka",
    "Brown",
    "Novak",
    "Dubois",
    "Lopez",
    "Andersson",
    "Patel",
    "Wilson",
    "Costa",
    "Schmidt",
    "Ivanova",
    "Haddad",
    "Moreau",
    "Jensen",
    "Okafor",
    "Fischer",
    "Romero",
    "Chen",
    "Larsen",
    "Bianchi",
    "Murphy",
    "Santos",
    "Weber",
    "Sato",
    "Nowak",
    "Khan",
    "Hughes",
    "Ortiz",
    "Petrov",
    "Li",
    "Keller",
    "Ferreira",
    "Walsh",
    "Yilmaz",
    "Bauer",
    "Reyes",
    "Dahl",
    "Park",
];

/// E-mail domains.
const DOMAINS: [&str; 4] = [
    "example.org",
    "example.com",
    "example.net",
    "students.example.edu",
];

/// `word` with its first letter in upper case.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

// ---------------------------------------------------------------------------------------
// Content specs (pure: drawn from the seeded generator).

/// How one question is answered, besides its document.
#[derive(Debug, Clone)]
struct Item {
    /// The question's id.
    id: String,
    /// Its difficulty b.
    difficulty: f64,
    /// What right and wrong answers look like.
    kind: ItemKind,
}

/// The answers a question gets.
#[derive(Debug, Clone)]
enum ItemKind {
    /// Single choice: the right option, and the distractors by popularity.
    Choice {
        /// The right option's id.
        right: String,
        /// The distractors' ids with their weights.
        wrong: Vec<(String, f64)>,
    },
    /// True or false.
    TrueFalse {
        /// The right value.
        correct: bool,
    },
    /// Short answer: ways of writing the right term, and wrong texts, by weight.
    Short {
        /// Texts given by students who know the answer.
        right: Vec<(String, f64)>,
        /// Misconceptions and misspellings.
        wrong: Vec<(String, f64)>,
    },
}

/// An assessment to make.
#[derive(Debug, Clone)]
struct QuizSpec {
    /// Title.
    title: String,
    /// The questions document.
    questions: Value,
    /// How its questions are answered, in its order.
    items: Vec<Item>,
    /// Attempts allowed (`None`: unlimited).
    max_attempts: Option<i32>,
    /// Time limit, minutes.
    time_limit: Option<i32>,
    /// Median seconds a student takes.
    median_seconds: f64,
}

/// A content block to make.
#[derive(Debug, Clone)]
struct BlockSpec {
    /// Its type.
    kind: ContentType,
    /// Its content document.
    content: Value,
    /// Its metadata document.
    metadata: Value,
    /// Median seconds a student spends on it.
    median_seconds: f64,
    /// A video's length in seconds.
    duration: Option<u32>,
}

/// A lesson to make.
#[derive(Debug, Clone)]
struct LessonSpec {
    /// Title.
    title: String,
    /// Learning objectives (skills).
    objectives: Vec<String>,
    /// Minutes.
    minutes: i32,
    /// Its blocks, in order.
    blocks: Vec<BlockSpec>,
    /// Its quiz.
    quiz: QuizSpec,
}

/// A course to make.
#[derive(Debug, Clone)]
struct CourseSpec {
    /// Title.
    title: String,
    /// Description.
    description: String,
    /// Tags.
    tags: Vec<String>,
    /// Difficulty.
    difficulty: DifficultyLevel,
    /// Its lessons, in order.
    lessons: Vec<LessonSpec>,
    /// Its final exam.
    final_exam: QuizSpec,
}

/// The key terms of course `index`.
fn terms_of(index: usize) -> [&'static str; 8] {
    TOPICS[index % TOPICS.len()].2
}

/// Course `index` of `lessons` lessons.
fn course_spec(rng: &mut ChaCha8Rng, index: usize, lessons: usize) -> CourseSpec {
    let (topic, tags, terms) = TOPICS[index % TOPICS.len()];
    let round = index / TOPICS.len();
    let title = if round == 0 {
        topic.to_owned()
    } else {
        format!("{topic} {}", round + 1)
    };
    let lesson_specs: Vec<LessonSpec> = (0..lessons)
        .map(|j| lesson_spec(rng, index, j, index == 0 && j == 0))
        .collect();
    // the final exam's skills: objectives of the lessons (all eight terms once there
    // are eight lessons)
    let mut objectives: Vec<String> = Vec::new();
    for l in &lesson_specs {
        for o in &l.objectives {
            if !objectives.contains(o) {
                objectives.push(o.clone());
            }
        }
    }
    let final_exam = quiz_spec(
        rng,
        &QuizShape {
            title: format!("{title}: final exam"),
            label: "Final".into(),
            skills: objectives,
            all_terms: terms,
            counts: (8, 6, 6),
            max_attempts: Some(FINAL_ATTEMPTS),
            time_limit: Some(FINAL_MINUTES),
            median_seconds: 22.0 * 60.0,
        },
    );
    CourseSpec {
        description: format!(
            "{title}: {} lessons from {} to {}, with a quiz each and a final exam.",
            lessons, terms[0], terms[7]
        ),
        title,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        difficulty: [
            DifficultyLevel::Beginner,
            DifficultyLevel::Intermediate,
            DifficultyLevel::Advanced,
        ][rng.gen_range(0..3)],
        lessons: lesson_specs,
        final_exam,
    }
}

/// Lesson `j` of course `course`; `practice`: its quiz takes unlimited attempts.
fn lesson_spec(rng: &mut ChaCha8Rng, course: usize, j: usize, practice: bool) -> LessonSpec {
    let terms = terms_of(course);
    let main = terms[j % 8];
    let second = terms[(j + 3) % 8];
    let objectives = vec![main.to_owned(), second.to_owned()];
    let title = format!("Lesson {}: {}", j + 1, capitalized(main));
    let mut blocks = vec![rich_text_block(rng, &title, main, second, true)];
    if j % 3 == 1 {
        blocks.push(youtube_block(rng, main));
    }
    blocks.push(rich_text_block(rng, &title, main, second, false));
    let quiz = quiz_spec(
        rng,
        &QuizShape {
            title: if practice {
                format!("Practice quiz: {}", capitalized(main))
            } else {
                format!("Quiz: {}", capitalized(main))
            },
            label: format!("L{}", j + 1),
            skills: objectives.clone(),
            all_terms: terms,
            counts: (4, 3, 3),
            max_attempts: if practice { None } else { Some(QUIZ_ATTEMPTS) },
            time_limit: None,
            median_seconds: 7.0 * 60.0,
        },
    );
    LessonSpec {
        title,
        objectives,
        minutes: rng.gen_range(20..=45),
        blocks,
        quiz,
    }
}

/// A rich-text block about `term`: the lesson's introduction or its summary.
fn rich_text_block(
    rng: &mut ChaCha8Rng,
    title: &str,
    term: &str,
    other: &str,
    intro: bool,
) -> BlockSpec {
    let paragraphs = rng.gen_range(3..=6);
    let mut html = format!(
        "<h2>{}</h2>",
        if intro {
            format!("{title}: introduction")
        } else {
            format!("{title}: summary")
        }
    );
    for p in 0..paragraphs {
        html.push_str(&format!(
            "<p>The idea of <b>{term}</b> (part {}) connects with <i>{other}</i>: read the \
             example carefully, then check how {term} changes when {other} does. See \
             <a href=\"https://example.org/glossary/{term}\">the glossary</a>.</p>",
            p + 1
        ));
    }
    html.push_str(&format!(
        "<ul><li>Define {term}</li><li>Relate {term} to {other}</li><li>Practise with the \
         quiz</li></ul>"
    ));
    let minutes = if intro { 3 + paragraphs } else { 2 };
    BlockSpec {
        kind: ContentType::RichText,
        content: json!({"rich_text": {"html": html}}),
        metadata: json!({"reading_minutes": minutes}),
        median_seconds: f64::from(u32::try_from(minutes).unwrap_or(5)) * 45.0,
        duration: None,
    }
}

/// A YouTube block about `term`.
fn youtube_block(rng: &mut ChaCha8Rng, term: &str) -> BlockSpec {
    /// The characters of a YouTube video id.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let id: String = (0..11)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    let duration: u32 = rng.gen_range(240..=900);
    BlockSpec {
        kind: ContentType::Youtube,
        content: json!({"youtube": {
            "video_id": id,
            "title": format!("{} explained", capitalized(term)),
            "thumbnail_url": format!("https://i.ytimg.com/vi/{id}/hqdefault.jpg"),
            "duration": duration,
        }}),
        metadata: json!({"source": "youtube", "captions": true}),
        median_seconds: f64::from(duration),
        duration: Some(duration),
    }
}

/// The shape of an assessment to draw.
struct QuizShape {
    /// Title.
    title: String,
    /// A label for prompts ("L3", "Final").
    label: String,
    /// The skills its questions name (one or two each).
    skills: Vec<String>,
    /// The course's terms (misconceptions come from them).
    all_terms: [&'static str; 8],
    /// Single-choice, true/false and short-answer questions.
    counts: (usize, usize, usize),
    /// Attempts allowed.
    max_attempts: Option<i32>,
    /// Time limit, minutes.
    time_limit: Option<i32>,
    /// Median seconds a student takes.
    median_seconds: f64,
}

/// The skills of one question: one or two of `skills`.
fn question_skills(rng: &mut ChaCha8Rng, skills: &[String]) -> Vec<String> {
    let mut chosen: Vec<String> = skills.choose_multiple(rng, 2).cloned().collect();
    if chosen.len() > 1 && rng.gen_bool(0.6) {
        chosen.truncate(1);
    }
    chosen
}

/// An assessment of the given shape, with a difficulty per question.
fn quiz_spec(rng: &mut ChaCha8Rng, shape: &QuizShape) -> QuizSpec {
    let (choices, true_false, short) = shape.counts;
    let mut questions = Vec::new();
    let mut items = Vec::new();
    let mut n = 0;
    let label = &shape.label;
    for _ in 0..choices {
        n += 1;
        let skills = question_skills(rng, &shape.skills);
        let term = skills[0].clone();
        let right = rng.gen_range(0..4);
        let ids = ["a", "b", "c", "d"];
        let options: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                json!({
                    "id": id,
                    "text": format!("Statement {} about {term}", id.to_uppercase()),
                    "fraction": if i == right { 1 } else { 0 },
                })
            })
            .collect();
        // distractor popularity: one attractive, one plausible, one rarely chosen
        let mut weights = [0.6, 0.3, 0.1];
        weights.shuffle(rng);
        let wrong: Vec<(String, f64)> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != right)
            .zip(weights)
            .map(|((_, id), w)| ((*id).to_owned(), w))
            .collect();
        let id = format!("q{n}");
        questions.push(json!({
            "type": "multiple_choice", "id": id, "points": 2,
            "prompt": format!("{label}, question {n}: which statement about {term} is true?"),
            "options": options, "skills": skills,
            "explanation": format!("Statement {} is the definition of {term}.", ids[right].to_uppercase()),
        }));
        items.push(Item {
            id,
            difficulty: DIFFICULTY_MEAN + normal(rng),
            kind: ItemKind::Choice {
                right: ids[right].to_owned(),
                wrong,
            },
        });
    }
    for _ in 0..true_false {
        n += 1;
        let skills = question_skills(rng, &shape.skills);
        let term = &skills[0];
        let correct = rng.gen_bool(0.5);
        let id = format!("q{n}");
        questions.push(json!({
            "type": "true_false", "id": id, "points": 1,
            "prompt": format!("{label}, question {n}: true or false? {} is a cause of what the lesson calls its first example.", capitalized(term)),
            "correct": correct, "skills": skills,
        }));
        items.push(Item {
            id,
            difficulty: DIFFICULTY_MEAN + normal(rng),
            kind: ItemKind::TrueFalse { correct },
        });
    }
    for _ in 0..short {
        n += 1;
        let skills = question_skills(rng, &shape.skills);
        let term = skills[0].clone();
        let prefix: String = term.chars().take(5.min(term.len() - 1)).collect();
        let id = format!("q{n}");
        questions.push(json!({
            "type": "short_answer", "id": id, "points": 3,
            "prompt": format!("{label}, question {n}: which key term of this lesson starts with \"{}\" and has {} letters?", &term[..1], term.len()),
            "accepted": [
                {"text": term, "fraction": 1},
                {"text": format!("{prefix}*"), "fraction": 0.5},
            ],
            "skills": skills,
            "explanation": format!("The term is \"{term}\"."),
        }));
        // misconceptions: other terms of the course; misspellings: a swap late in the
        // word (the wildcard gives half credit), a dropped letter early (none)
        let others: Vec<&str> = shape
            .all_terms
            .iter()
            .copied()
            .filter(|t| *t != term)
            .collect();
        let mut wrong: Vec<(String, f64)> = others
            .choose_multiple(rng, 2)
            .zip([0.35, 0.2])
            .map(|(t, w)| ((*t).to_owned(), w))
            .collect();
        let chars: Vec<char> = term.chars().collect();
        if chars.len() > prefix.len() + 1 {
            let mut swapped = chars.clone();
            let at = rng.gen_range(prefix.len()..chars.len() - 1);
            swapped.swap(at, at + 1);
            wrong.push((swapped.into_iter().collect(), 0.3));
        } else {
            wrong.push((format!("{term}s"), 0.3));
        }
        let mut dropped = chars.clone();
        dropped.remove(1.min(chars.len() - 1));
        wrong.push((dropped.into_iter().collect(), 0.15));
        items.push(Item {
            id,
            difficulty: DIFFICULTY_MEAN + normal(rng),
            kind: ItemKind::Short {
                right: vec![
                    (term.clone(), 0.7),
                    (capitalized(&term), 0.2),
                    (format!(" {term} "), 0.05),
                    (term.to_uppercase(), 0.05),
                ],
                wrong,
            },
        });
    }
    QuizSpec {
        title: shape.title.clone(),
        questions: Value::Array(questions),
        items,
        max_attempts: shape.max_attempts,
        time_limit: shape.time_limit,
        median_seconds: shape.median_seconds,
    }
}

// ---------------------------------------------------------------------------------------
// Content through the use cases.

/// An assessment as it was stored, with what answering it needs.
#[derive(Debug, Clone)]
struct QuizModel {
    /// The assessment.
    id: AssessmentId,
    /// Its questions as stored (version `version`).
    questions: QuestionSet,
    /// How they are answered.
    items: Vec<Item>,
    /// Its attempt rules.
    rules: AttemptRules,
    /// Its passing score.
    policy: ScoringPolicy,
    /// Its questions version.
    version: i32,
    /// Whether passing it is required.
    mandatory: bool,
    /// Median seconds a student takes.
    median_seconds: f64,
}

/// A block as stored.
#[derive(Debug, Clone)]
struct BlockModel {
    /// The block.
    id: ContentBlockId,
    /// Its type.
    kind: ContentType,
    /// Median seconds a student spends.
    median_seconds: f64,
    /// A video's length.
    duration: Option<u32>,
}

/// A lesson as stored.
#[derive(Debug, Clone)]
struct LessonModel {
    /// The lesson.
    id: LessonId,
    /// Its blocks.
    blocks: Vec<BlockModel>,
    /// Its quiz.
    quiz: QuizModel,
}

/// A course as stored.
#[derive(Debug, Clone)]
struct CourseModel {
    /// The course.
    id: CourseId,
    /// Title.
    title: String,
    /// Instructor.
    instructor: UserId,
    /// Lessons in order.
    lessons: Vec<LessonModel>,
    /// Final exam.
    final_exam: QuizModel,
}

/// Signs up one instructor per three courses (at least one), as the service does.
async fn sign_up_instructors(lms: &Lms, rng: &mut ChaCha8Rng, courses: usize) -> Vec<UserId> {
    let n = courses.div_ceil(3).max(1);
    let mut list = Vec::with_capacity(n);
    for i in 0..n {
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        let profile = lms
            .as_service()
            .sign_up(NewUser {
                email: format!(
                    "{}.{}.{i}@faculty.example.edu",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                role: UserRole::Instructor,
                first_name: Some(first.to_owned()),
                last_name: Some(last.to_owned()),
            })
            .await
            .expect("sign up an instructor");
        list.push(profile.id);
    }
    list
}

/// Makes every course through the use cases, four at a time.
async fn build_courses(
    lms: &Lms,
    specs: &[CourseSpec],
    instructors: &[UserId],
) -> Vec<CourseModel> {
    let gate = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, spec) in specs.iter().enumerate() {
        let instructor = instructors[i % instructors.len()];
        let author = lms.as_user(instructor);
        let spec = spec.clone();
        let gate = Arc::clone(&gate);
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            (i, build_course(&author, instructor, &spec).await)
        });
    }
    let mut built: Vec<Option<CourseModel>> = vec![None; specs.len()];
    while let Some(done) = tasks.join_next().await {
        let (i, course) = done.expect("a course task");
        built[i] = Some(course);
    }
    built
        .into_iter()
        .map(|c| c.expect("every course"))
        .collect()
}

/// The assessment as stored, read back by its author.
async fn quiz_model(author: &Scope, id: AssessmentId, spec: &QuizSpec) -> QuizModel {
    let stored = author
        .get_assessment(id)
        .await
        .expect("read the assessment");
    let questions = QuestionSet::validate(&stored.questions).expect("stored questions validate");
    QuizModel {
        id,
        questions,
        items: spec.items.clone(),
        rules: AttemptRules::from_assessment(&stored),
        policy: ScoringPolicy::new(stored.minimum_passing_score).expect("passing score"),
        version: stored.questions_version,
        mandatory: stored.is_mandatory,
        median_seconds: spec.median_seconds,
    }
}

/// A new assessment of `spec` owned by `owner`.
fn new_assessment(owner: AssessmentOwner, spec: &QuizSpec) -> NewAssessment {
    NewAssessment {
        owner,
        title: spec.title.clone(),
        description: None,
        questions: spec.questions.clone(),
        ai_generated: false,
        source_content_ids: vec![],
        is_mandatory: true,
        minimum_passing_score: 70,
        max_attempts: spec.max_attempts,
        time_limit_minutes: spec.time_limit,
        policy: Default::default(),
        schedule: Default::default(),
        late_policy: None,
    }
}

/// One course, published.
async fn build_course(author: &Scope, instructor: UserId, spec: &CourseSpec) -> CourseModel {
    let course = author
        .create_course(NewCourse {
            title: spec.title.clone(),
            description: Some(spec.description.clone()),
            instructor_id: instructor,
            tags: spec.tags.clone(),
            difficulty_level: Some(spec.difficulty),
            estimated_duration_minutes: Some(spec.lessons.iter().map(|l| l.minutes).sum()),
        })
        .await
        .expect("create a course");
    let mut lessons = Vec::with_capacity(spec.lessons.len());
    let mut previous: Option<LessonId> = None;
    for (j, l) in spec.lessons.iter().enumerate() {
        let lesson = author
            .create_lesson(NewLesson {
                course_id: course.id,
                title: l.title.clone(),
                description: Some(format!("{}: {}", l.title, l.objectives.join(", "))),
                order_index: i32::try_from(j).expect("lesson index"),
                learning_objectives: l.objectives.clone(),
                estimated_duration_minutes: Some(l.minutes),
                prerequisites: previous.into_iter().collect(),
            })
            .await
            .expect("create a lesson");
        previous = Some(lesson.id);
        let mut blocks = Vec::with_capacity(l.blocks.len());
        for (b, block) in l.blocks.iter().enumerate() {
            let made = author
                .create_block(NewContentBlock {
                    lesson_id: lesson.id,
                    content_type: block.kind,
                    content: block.content.clone(),
                    order_index: i32::try_from(b).expect("block index"),
                    metadata: block.metadata.clone(),
                })
                .await
                .expect("create a block");
            blocks.push(BlockModel {
                id: made.id,
                kind: block.kind,
                median_seconds: block.median_seconds,
                duration: block.duration,
            });
        }
        let quiz = author
            .create_assessment(new_assessment(AssessmentOwner::Lesson(lesson.id), &l.quiz))
            .await
            .expect("create a quiz");
        lessons.push(LessonModel {
            id: lesson.id,
            blocks,
            quiz: quiz_model(author, quiz.id, &l.quiz).await,
        });
    }
    let final_exam = author
        .create_assessment(new_assessment(
            AssessmentOwner::Course(course.id),
            &spec.final_exam,
        ))
        .await
        .expect("create the final exam");
    let final_exam = quiz_model(author, final_exam.id, &spec.final_exam).await;
    author
        .publish_course(course.id)
        .await
        .expect("publish the course");
    CourseModel {
        id: course.id,
        title: spec.title.clone(),
        instructor,
        lessons,
        final_exam,
    }
}

/// A connection of `lms`'s pool, taken out of it, acting as `service_role` (the trusted
/// path: Row Level Security bypassed) for its whole session.
async fn service_connection(lms: &Lms) -> PgConnection {
    let mut conn = lms.pool().acquire().await.expect("a connection").detach();
    for sql in [
        "select set_config('request.jwt.claims', '{\"role\":\"service_role\"}', false)",
        "set role service_role",
    ] {
        sqlx::query(sql)
            .execute(&mut conn)
            .await
            .expect("act as service_role");
    }
    conn
}

/// The content was made just now: dates it back 150 days before `now`, before the first
/// sign-up, as imported history would be (the instructors' profiles too).
async fn backdate_content(lms: &Lms, courses: &[CourseModel], now: DateTime<Utc>) {
    let at = now - secs(150.0 * DAY);
    let course_ids: Vec<Uuid> = courses.iter().map(|c| c.id.0).collect();
    let instructors: Vec<Uuid> = courses.iter().map(|c| c.instructor.0).collect();
    let mut conn = service_connection(lms).await;
    for sql in [
        "update public.courses set created_at = $1 where id = any($2)",
        "update public.lessons set created_at = $1 where course_id = any($2)",
        "update public.content_blocks set created_at = $1 \
          where lesson_id in (select id from public.lessons where course_id = any($2))",
        "update public.assessments set created_at = $1 where course_id = any($2) \
          or lesson_id in (select id from public.lessons where course_id = any($2))",
    ] {
        sqlx::query(sql)
            .bind(at)
            .bind(&course_ids)
            .execute(&mut conn)
            .await
            .expect("date the content back");
    }
    sqlx::query("update public.profiles set created_at = $1 where id = any($2)")
        .bind(at - secs(30.0 * DAY))
        .bind(&instructors)
        .execute(&mut conn)
        .await
        .expect("date the instructors back");
}

// ---------------------------------------------------------------------------------------
// Students.

/// A student to make.
#[derive(Debug, Clone)]
struct StudentSpec {
    /// Their id (`auth.users.id`).
    id: UserId,
    /// E-mail address.
    email: String,
    /// Given name.
    first_name: String,
    /// Family name.
    last_name: String,
    /// When they signed up.
    signed_up: DateTime<Utc>,
    /// Ability θ.
    theta: f64,
}

/// `n` students, signed up over the 130 days before `now`.
fn student_specs(
    rng: &mut ChaCha8Rng,
    ids: &mut ChaCha8Rng,
    n: usize,
    now: DateTime<Utc>,
) -> Vec<StudentSpec> {
    (0..n)
        .map(|i| {
            let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
            let domain = DOMAINS[rng.gen_range(0..DOMAINS.len())];
            let days = 1.0 + 129.0 * rng.gen::<f64>();
            StudentSpec {
                id: UserId(uuid(ids)),
                email: format!(
                    "{}.{}{}@{domain}",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    i + 1
                ),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                signed_up: micros(now - secs(days * DAY)),
                theta: normal(rng),
            }
        })
        .collect()
}

/// Signs the students up as `sign_up` does: a row in `auth.users` as the session user
/// (the trigger makes a student profile), then their names on the trusted path; and
/// their profiles dated back to their sign-up.
async fn load_students(lms: &Lms, students: &[StudentSpec]) {
    let mut conn = lms.pool().acquire().await.expect("a connection").detach();
    {
        let mut copy = conn
            .copy_in_raw("copy auth.users (id, email, created_at, updated_at) from stdin")
            .await
            .expect("copy auth.users");
        let mut buf = Vec::with_capacity(CHUNK_BYTES + 4096);
        for s in students {
            let t = ts(s.signed_up);
            let _ = writeln!(buf, "{}\t{}\t{t}\t{t}", s.id.0, s.email);
            if buf.len() >= CHUNK_BYTES {
                copy.send(std::mem::take(&mut buf))
                    .await
                    .expect("send users");
            }
        }
        if !buf.is_empty() {
            copy.send(buf).await.expect("send users");
        }
        copy.finish().await.expect("copy auth.users");
    }
    let _ = conn.close().await;
    let mut conn = service_connection(lms).await;
    for chunk in students.chunks(CHUNK_ROWS) {
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.id.0).collect();
        let first: Vec<&str> = chunk.iter().map(|s| s.first_name.as_str()).collect();
        let last: Vec<&str> = chunk.iter().map(|s| s.last_name.as_str()).collect();
        let at: Vec<DateTime<Utc>> = chunk.iter().map(|s| s.signed_up).collect();
        sqlx::query(
            "update public.profiles p set role = 'student', first_name = u.first_name, \
               last_name = u.last_name, created_at = u.created_at \
               from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) \
                    as u(id, first_name, last_name, created_at) \
              where p.id = u.id",
        )
        .bind(&ids)
        .bind(&first)
        .bind(&last)
        .bind(&at)
        .execute(&mut conn)
        .await
        .expect("name the students");
    }
    let _ = conn.close().await;
}

// ---------------------------------------------------------------------------------------
// The world the simulation reads.

/// A student as the simulation knows them.
#[derive(Debug, Clone)]
struct StudentModel {
    /// Their id.
    id: UserId,
    /// When they signed up.
    signed_up: DateTime<Utc>,
    /// Ability.
    theta: f64,
}

/// Everything the simulation reads.
struct World {
    /// The courses, the flagship first.
    courses: Vec<CourseModel>,
    /// Each course's prerequisite graph.
    graphs: Vec<Graph>,
    /// The students.
    students: Vec<StudentModel>,
    /// Latest time of any activity (a few minutes before `now`).
    end: DateTime<Utc>,
}

impl World {
    /// The world of the made courses and students.
    fn new(
        courses: Vec<CourseModel>,
        specs: &[CourseSpec],
        students: &[StudentSpec],
        now: DateTime<Utc>,
    ) -> Self {
        debug_assert_eq!(courses.len(), specs.len());
        let graphs = courses
            .iter()
            .map(|c| {
                Graph::new(c.lessons.iter().enumerate().map(|(j, l)| {
                    let pre = if j == 0 {
                        vec![]
                    } else {
                        vec![c.lessons[j - 1].id]
                    };
                    (l.id, pre)
                }))
                .expect("the prerequisite chain")
            })
            .collect();
        Self {
            courses,
            graphs,
            students: students
                .iter()
                .map(|s| StudentModel {
                    id: s.id,
                    signed_up: s.signed_up,
                    theta: s.theta,
                })
                .collect(),
            end: now - secs(300.0),
        }
    }
}

/// One enrolment to simulate.
#[derive(Debug, Clone)]
struct Plan {
    /// Index of the student.
    student: usize,
    /// Index of the course.
    course: usize,
    /// When they enrolled.
    enrolled_at: DateTime<Utc>,
    /// Ability on this course.
    theta: f64,
    /// How far they would go, before the scale found by [`calibrate`].
    drive: f64,
    /// Attempts at the flagship's practice quiz (flagship enrolments only).
    practice: u32,
}

/// The enrolments in the order they are simulated, with the regular attempts to aim at.
struct Plans {
    /// The enrolments.
    list: Vec<Plan>,
    /// Attempts to aim at, beyond the practice quiz's.
    regular_target: f64,
}

/// Who enrols where, when, how driven; the practice quiz's attempts shared out.
fn plan_enrollments(rng: &mut ChaCha8Rng, world: &World, attempts: usize) -> Plans {
    let students = world.students.len();
    let courses = world.courses.len();
    let mut order: Vec<usize> = (0..students).collect();
    order.shuffle(rng);
    let flagship_n = if courses == 1 {
        students
    } else {
        ((students as f64) * FLAGSHIP_SHARE).round() as usize
    };
    let in_flagship: HashSet<usize> = order[..flagship_n.min(students)].iter().copied().collect();
    // popularity of the other courses: Zipf-like, all below the flagship's (with the
    // default sizes: from about 2,100 students down to 600)
    let weights: Vec<f64> = (1..courses)
        .map(|c| 1.0 / ((c + 1) as f64).powf(0.6))
        .collect();
    let mut list = Vec::new();
    for (s, student) in world.students.iter().enumerate() {
        let mut chosen: Vec<usize> = Vec::new();
        if in_flagship.contains(&s) {
            chosen.push(0);
        }
        if courses > 1 {
            let extra = match rng.gen_range(0..100) {
                0..=44 => 1,
                45..=74 => 2,
                75..=89 => 3,
                90..=96 => 4,
                _ => 5,
            }
            .min(courses - 1);
            let mut pool: Vec<(usize, f64)> = (1..courses).map(|c| (c, weights[c - 1])).collect();
            for _ in 0..extra {
                let total: f64 = pool.iter().map(|p| p.1).sum();
                let mut x = rng.gen::<f64>() * total;
                let mut at = pool.len() - 1;
                for (i, p) in pool.iter().enumerate() {
                    if x < p.1 {
                        at = i;
                        break;
                    }
                    x -= p.1;
                }
                chosen.push(pool.swap_remove(at).0);
            }
        }
        // enrolments after the sign-up, a week apart on average, before `end`
        let mut at = student.signed_up;
        let latest = world.end - secs(3_600.0);
        for course in chosen {
            at += secs(exponential(rng, 7.0 * DAY));
            let enrolled_at = if at < latest {
                at
            } else {
                let room = (latest - student.signed_up).num_microseconds().unwrap_or(0) as f64;
                student.signed_up + chrono::Duration::microseconds((room * rng.gen::<f64>()) as i64)
            };
            let age_days = (world.end - enrolled_at).num_seconds() as f64 / DAY;
            let theta = student.theta + 0.3 * normal(rng);
            let browser = rng.gen_bool(0.15);
            let drive = (0.5 * theta + 0.8 * normal(rng)).exp()
                * (age_days / 30.0).clamp(0.05, 1.0).sqrt()
                * if browser { 0.15 } else { 1.0 };
            list.push(Plan {
                student: s,
                course,
                enrolled_at: micros(enrolled_at),
                theta,
                drive,
                practice: 0,
            });
        }
    }
    // the practice quiz's attempts: a share of all, at least 1 per flagship student
    let flagship: Vec<usize> = (0..list.len()).filter(|i| list[*i].course == 0).collect();
    let heavy = if flagship.is_empty() {
        0
    } else {
        ((attempts as f64 * HEAVY_SHARE) as usize)
            .max(HEAVY_PER_STUDENT * flagship.len())
            .min(attempts / 2)
            .max(flagship.len())
    };
    if !flagship.is_empty() {
        let w: Vec<f64> = flagship.iter().map(|_| lognormal(rng, 1.0, 0.8)).collect();
        let total: f64 = w.iter().sum();
        let spare = (heavy - flagship.len()) as f64;
        let mut given = 0usize;
        for (i, p) in flagship.iter().enumerate() {
            let n = 1 + (spare * w[i] / total).floor() as usize;
            list[*p].practice = u32::try_from(n).unwrap_or(u32::MAX);
            given += n;
        }
        // the remainder, one each, to the keenest
        let mut keen: Vec<usize> = (0..flagship.len()).collect();
        keen.sort_by(|a, b| w[*b].total_cmp(&w[*a]));
        for i in keen.into_iter().cycle().take(heavy.saturating_sub(given)) {
            list[flagship[i]].practice += 1;
        }
    }
    list.shuffle(rng);
    Plans {
        list,
        regular_target: attempts.saturating_sub(heavy) as f64,
    }
}

// ---------------------------------------------------------------------------------------
// COPY.

/// Text-format `COPY` rows of one table, sent in chunks to the task that copies them.
struct Table {
    /// The rows not sent yet.
    buf: Vec<u8>,
    /// How many.
    pending: usize,
    /// Rows written in all.
    rows: u64,
    /// Where chunks go; `None` once the copy stopped.
    tx: Option<mpsc::Sender<Vec<u8>>>,
}

impl Table {
    /// A table whose chunks go to `tx`.
    fn new(tx: mpsc::Sender<Vec<u8>>) -> Self {
        Self {
            buf: Vec::with_capacity(CHUNK_BYTES + 64 * 1024),
            pending: 0,
            rows: 0,
            tx: Some(tx),
        }
    }

    /// Ends the current row; sends a chunk when it is full. `false` once the copy
    /// stopped (its error is reported by the copy's task).
    fn end_row(&mut self) -> bool {
        self.buf.push(b'\n');
        self.pending += 1;
        self.rows += 1;
        if self.pending >= CHUNK_ROWS || self.buf.len() >= CHUNK_BYTES {
            return self.flush();
        }
        self.tx.is_some()
    }

    /// Sends what is pending.
    fn flush(&mut self) -> bool {
        let Some(tx) = &self.tx else { return false };
        if self.buf.is_empty() {
            return true;
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES + 64 * 1024));
        self.pending = 0;
        if tx.blocking_send(chunk).is_err() {
            self.tx = None;
            return false;
        }
        true
    }

    /// A text value, escaped for `COPY`'s text format, then a tab.
    fn text(&mut self, value: &str) -> &mut Self {
        for b in value.bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self.buf.push(b'\t');
        self
    }

    /// A value written by `Display` (numbers, uuids, booleans: nothing to escape).
    fn plain(&mut self, value: impl std::fmt::Display) -> &mut Self {
        let _ = write!(self.buf, "{value}\t");
        self
    }

    /// An optional value (`\N` for none).
    fn opt(&mut self, value: Option<impl std::fmt::Display>) -> &mut Self {
        match value {
            Some(v) => self.plain(v),
            None => {
                self.buf.extend_from_slice(b"\\N\t");
                self
            }
        }
    }

    /// A time.
    fn time(&mut self, t: DateTime<Utc>) -> &mut Self {
        self.plain(ts(t))
    }

    /// An optional time.
    fn opt_time(&mut self, t: Option<DateTime<Utc>>) -> &mut Self {
        self.opt(t.map(ts))
    }

    /// A JSON document, serialized (`serde_json::to_string` of the library's type).
    fn json(&mut self, text: serde_json::Result<String>) -> &mut Self {
        self.text(&text.expect("serialize a document"))
    }

    /// Drops the tab after the last value of the row (call before [`Table::end_row`]).
    fn last(&mut self) -> &mut Self {
        if self.buf.last() == Some(&b'\t') {
            self.buf.pop();
        }
        self
    }
}

/// A time as `COPY` reads it.
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Copies the chunks of `rx` with `statement` on a service connection; the rows copied.
async fn copy_task(
    lms: Lms,
    statement: &'static str,
    mut rx: mpsc::Receiver<Vec<u8>>,
) -> (u64, Duration) {
    let started = Instant::now();
    let mut conn = service_connection(&lms).await;
    let mut copy = conn
        .copy_in_raw(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
    while let Some(chunk) = rx.recv().await {
        if let Err(e) = copy.send(chunk).await {
            panic!("{statement}: {e}");
        }
    }
    let rows = copy
        .finish()
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
    let _ = conn.close().await;
    (rows, started.elapsed())
}

/// The `COPY` statements, one per table of activity.
const COPY_ENROLLMENTS: &str = "copy public.enrollments \
    (id, student_id, course_id, enrolled_at, completed_at, progress) from stdin";
/// See [`COPY_ENROLLMENTS`].
const COPY_ATTEMPTS: &str = "copy public.assessment_attempts \
    (id, assessment_id, student_id, attempt_number, answers, score, points_earned, \
     total_points, passed, time_spent, started_at, submitted_at, feedback, \
     questions_version, exact_points_earned) from stdin";
/// See [`COPY_ENROLLMENTS`].
const COPY_PROGRESS: &str = "copy public.student_progress \
    (id, student_id, course_id, lesson_id, assessment_id, status, completion_percentage, \
     last_accessed, time_spent, attempts_count, best_score, created_at, updated_at, \
     completed_at) from stdin";
/// See [`COPY_ENROLLMENTS`].
const COPY_LEARNING: &str = "copy public.learning_progress \
    (id, student_id, content_id, content_type, progress_data, completed_at, time_spent, \
     created_at, updated_at) from stdin";

/// Simulates every enrolment on a blocking thread while four connections copy the rows.
async fn simulate_and_copy(
    lms: &Lms,
    world: Arc<World>,
    plans: Arc<Plans>,
    scale: f64,
    rng: ChaCha8Rng,
    ids: ChaCha8Rng,
) -> (RowCounts, Vec<Phase>) {
    let (etx, erx) = mpsc::channel(4);
    let (atx, arx) = mpsc::channel(4);
    let (ptx, prx) = mpsc::channel(4);
    let (ltx, lrx) = mpsc::channel(4);
    let copies = [
        tokio::spawn(copy_task(lms.clone(), COPY_ENROLLMENTS, erx)),
        tokio::spawn(copy_task(lms.clone(), COPY_ATTEMPTS, arx)),
        tokio::spawn(copy_task(lms.clone(), COPY_PROGRESS, prx)),
        tokio::spawn(copy_task(lms.clone(), COPY_LEARNING, lrx)),
    ];
    let sim = tokio::task::spawn_blocking(move || {
        let mut sim = Sim {
            world: &world,
            dry: false,
            rng,
            ids,
            enrollments: Table::new(etx),
            attempts: Table::new(atx),
            progress: Table::new(ptx),
            learning: Table::new(ltx),
            counts: RowCounts::default(),
        };
        sim.run(&plans, scale);
        sim.finish()
    });
    let counts = sim.await.expect("the simulation");
    let mut copied = Vec::new();
    let mut times = Vec::new();
    for (c, name) in copies.into_iter().zip([
        "COPY enrollments",
        "COPY assessment_attempts",
        "COPY student_progress",
        "COPY learning_progress",
    ]) {
        let (rows, elapsed) = c.await.expect("a COPY task");
        copied.push(rows);
        times.push(Phase { name, elapsed });
    }
    assert_eq!(
        copied,
        vec![
            counts.enrollments,
            counts.attempts,
            counts.student_progress,
            counts.learning_progress
        ],
        "rows copied"
    );
    (counts, times)
}

/// The scale of the students' drive (see [`Sim::run`]) that makes the regular attempts
/// closest to the target, found by dry runs (the same draws, nothing written): the
/// attempts grow with the scale. Returns it with the dry runs made.
fn calibrate(world: &World, plans: &Plans, rng: &ChaCha8Rng) -> (f64, usize) {
    let target = plans.regular_target;
    let dry_run = |scale: f64| {
        let (tx, _) = mpsc::channel(1);
        let table = || Table::new(tx.clone());
        let mut sim = Sim {
            world,
            dry: true,
            rng: rng.clone(),
            ids: ChaCha8Rng::seed_from_u64(0),
            enrollments: table(),
            attempts: table(),
            progress: table(),
            learning: table(),
            counts: RowCounts::default(),
        };
        sim.run(plans, scale) as f64
    };
    let drive: f64 = plans.list.iter().map(|p| p.drive).sum();
    if target <= 0.0 || drive <= 0.0 {
        return (0.0, 0);
    }
    // about 1.4 attempts per lesson reached: the first guess
    let mut scale = target / (1.4 * drive);
    // the nearest dry runs below and above the target: (scale, attempts)
    let mut below: Option<(f64, f64)> = None;
    let mut above: Option<(f64, f64)> = None;
    let mut best = (f64::INFINITY, scale);
    let mut runs = 0;
    while runs < 12 {
        let got = dry_run(scale);
        runs += 1;
        let miss = (got - target).abs() / target;
        if miss < best.0 {
            best = (miss, scale);
        }
        if miss < 0.001 {
            break;
        }
        if got < target {
            // more drive makes no more attempts: every student goes as far as they can
            if below.is_some_and(|(_, before)| got < before * 1.002) {
                break;
            }
            below = Some((scale, got));
        } else {
            above = Some((scale, got));
        }
        scale = match (below, above) {
            // between the two: where the line through them meets the target
            (Some((s0, a0)), Some((s1, a1))) => {
                let x = if a1 > a0 {
                    (target - a0) / (a1 - a0)
                } else {
                    0.5
                };
                s0 + (s1 - s0) * x.clamp(0.1, 0.9)
            }
            (Some((s0, a0)), None) => s0 * (target / a0.max(1.0)).powf(1.5).min(8.0),
            (None, Some((s1, a1))) => s1 * (target / a1).powf(1.5),
            (None, None) => scale,
        };
    }
    (best.1, runs)
}

/// `vacuum (analyze)` of the loaded tables, as their owner.
async fn analyze(lms: &Lms) {
    sqlx::raw_sql(
        "vacuum (analyze) auth.users, public.profiles, public.enrollments, \
           public.assessment_attempts, public.student_progress, public.learning_progress, \
           public.learning_activity, public.audit_log, public.assessment_question_versions, \
           public.courses, public.lessons, public.content_blocks, public.assessments",
    )
    .execute(lms.pool())
    .await
    .expect("vacuum analyze");
}

// ---------------------------------------------------------------------------------------
// The simulation.

/// What happened on one lesson of one enrolment.
#[derive(Debug, Clone, Default)]
struct LessonLog {
    /// Blocks completed.
    done: u32,
    /// When the last block was completed.
    content_done_at: Option<DateTime<Utc>>,
    /// When content was last reported (`last_accessed`).
    last_report: Option<DateTime<Utc>>,
    /// Seconds reported.
    seconds: i64,
    /// The quiz's attempts.
    attempts: Vec<AttemptSummary>,
}

/// The simulation and its outputs.
struct Sim<'w> {
    /// What it reads.
    world: &'w World,
    /// A dry run: the same draws, nothing written (to calibrate the scale).
    dry: bool,
    /// Every random choice.
    rng: ChaCha8Rng,
    /// Row ids.
    ids: ChaCha8Rng,
    /// `enrollments` rows.
    enrollments: Table,
    /// `assessment_attempts` rows.
    attempts: Table,
    /// `student_progress` rows.
    progress: Table,
    /// `learning_progress` rows.
    learning: Table,
    /// What was written.
    counts: RowCounts,
}

impl Sim<'_> {
    /// Simulates the enrolments in order: each student means to complete `scale` × their
    /// drive lessons (rounded at random). Returns the regular attempts made (all but the
    /// practice quiz's).
    fn run(&mut self, plans: &Plans, scale: f64) -> u64 {
        let lessons = self.world.courses[0].lessons.len() as f64;
        let mut regular = 0;
        for plan in &plans.list {
            let want = (scale * plan.drive).min(lessons);
            let mut k = want.floor();
            if self.rng.gen::<f64>() < want - k {
                k += 1.0;
            }
            regular += self.enrollment(plan, k as usize) as u64;
            if !self.dry && !self.alive() {
                break;
            }
        }
        regular
    }

    /// Whether every copy still takes rows.
    fn alive(&self) -> bool {
        [
            &self.enrollments,
            &self.attempts,
            &self.progress,
            &self.learning,
        ]
        .iter()
        .all(|t| t.tx.is_some())
    }

    /// Sends what is pending; the counts.
    fn finish(mut self) -> RowCounts {
        for t in [
            &mut self.enrollments,
            &mut self.attempts,
            &mut self.progress,
            &mut self.learning,
        ] {
            t.flush();
            t.tx = None;
        }
        self.counts.enrollments = self.enrollments.rows;
        self.counts.attempts = self.attempts.rows;
        self.counts.student_progress = self.progress.rows;
        self.counts.learning_progress = self.learning.rows;
        self.counts.students = self.world.students.len() as u64;
        self.counts
    }

    /// One enrolment: the student works through up to `k` lessons (and the final exam
    /// when they finish them); its rows are written. Returns the regular attempts made.
    fn enrollment(&mut self, plan: &Plan, k: usize) -> usize {
        let world = self.world;
        let course = &world.courses[plan.course];
        let student = world.students[plan.student].id;
        let end = world.end;
        let n = course.lessons.len();
        let mut logs: Vec<LessonLog> = vec![LessonLog::default(); n];
        let mut finals: Vec<AttemptSummary> = Vec::new();
        let mut regular = 0usize;
        // the pace: days between lessons, fitted to the time since enrolling
        let age = (end - plan.enrolled_at).num_seconds().max(60) as f64;
        let gap_mean = lognormal(&mut self.rng, 1.2 * DAY, 0.6).min(0.8 * age / (k as f64 + 1.0));
        let mut t = plan.enrolled_at + secs(exponential(&mut self.rng, 7_200.0).min(age / 2.0));
        let practice = plan.practice;
        let mut practice_left = practice;
        let mut finished_all = true;
        for (j, lesson) in course.lessons.iter().enumerate() {
            let is_practice = plan.course == 0 && j == 0;
            if t >= end {
                finished_all = false;
                break;
            }
            if j >= k {
                finished_all = false;
                // the lesson they are on: some of it, or nothing yet
                if is_practice || self.rng.gen_bool(0.6) {
                    let done = self.rng.gen_range(0..=lesson.blocks.len());
                    t = self.study(student, lesson, &mut logs[j], t, done, true);
                    if is_practice {
                        self.practice_attempts(
                            plan,
                            student,
                            lesson,
                            &mut logs[j],
                            t,
                            practice_left,
                        );
                    } else if done == lesson.blocks.len() && self.rng.gen_bool(0.5) {
                        let tries = self.rng.gen_range(1..=2);
                        for _ in 0..tries {
                            if t >= end {
                                break;
                            }
                            match self.attempt(plan, student, &lesson.quiz, &logs[j].attempts, t) {
                                Some(a) => {
                                    regular += 1;
                                    t = a.submitted_at.unwrap_or(t)
                                        + secs(lognormal(&mut self.rng, 1_200.0, 1.0));
                                    logs[j].attempts.push(a);
                                }
                                None => break,
                            }
                        }
                    }
                }
                break;
            }
            // a whole lesson: every block, then the quiz until passed
            t = self.study(student, lesson, &mut logs[j], t, lesson.blocks.len(), false);
            if (logs[j].done as usize) < lesson.blocks.len() {
                // the history ends while they read
                if is_practice {
                    self.practice_attempts(plan, student, lesson, &mut logs[j], t, practice_left);
                }
                finished_all = false;
                break;
            }
            t += secs(lognormal(&mut self.rng, 120.0, 0.8));
            let mut passed = false;
            loop {
                if t >= end || (is_practice && practice_left == 0) {
                    break;
                }
                let Some(a) = self.attempt(plan, student, &lesson.quiz, &logs[j].attempts, t)
                else {
                    break;
                };
                if is_practice {
                    practice_left -= 1;
                } else {
                    regular += 1;
                }
                passed = a.passed == Some(true);
                t = a.submitted_at.unwrap_or(t);
                logs[j].attempts.push(a);
                if passed {
                    break;
                }
                t += secs(lognormal(&mut self.rng, 1_800.0, 1.2));
            }
            // a few retake a passed quiz to do better
            if passed && !is_practice && self.rng.gen_bool(0.05) {
                let at = t + secs(lognormal(&mut self.rng, 3_600.0, 1.0));
                if at < end {
                    if let Some(a) =
                        self.attempt(plan, student, &lesson.quiz, &logs[j].attempts, at)
                    {
                        regular += 1;
                        logs[j].attempts.push(a);
                    }
                }
            }
            if is_practice {
                // the rest of the practice attempts, spread over the time since
                self.practice_attempts(plan, student, lesson, &mut logs[j], t, practice_left);
                practice_left = 0;
            }
            if !passed {
                finished_all = false;
                break;
            }
            t += secs(exponential(&mut self.rng, gap_mean));
        }
        if finished_all && t < end && self.rng.gen_bool(0.9) {
            // the final exam, once or twice
            t += secs(exponential(&mut self.rng, gap_mean));
            while t < end {
                let Some(a) = self.attempt(plan, student, &course.final_exam, &finals, t) else {
                    break;
                };
                regular += 1;
                let passed = a.passed == Some(true);
                t = a.submitted_at.unwrap_or(t) + secs(lognormal(&mut self.rng, 2.0 * DAY, 0.7));
                finals.push(a);
                if passed {
                    break;
                }
            }
        }
        if !self.dry {
            self.progress_rows(plan, student, &logs, &finals);
        }
        regular
    }

    /// Practice attempts at the flagship's first quiz: `count` of them at random times
    /// between `from` and the end of the history.
    fn practice_attempts(
        &mut self,
        plan: &Plan,
        student: UserId,
        lesson: &LessonModel,
        log: &mut LessonLog,
        from: DateTime<Utc>,
        count: u32,
    ) {
        let end = self.world.end;
        if count == 0 || from >= end {
            return;
        }
        let room = (end - from).num_microseconds().unwrap_or(0) as f64;
        let mut times: Vec<f64> = (0..count).map(|_| self.rng.gen::<f64>()).collect();
        times.sort_by(f64::total_cmp);
        let mut last = from;
        for x in times {
            let at =
                (from + chrono::Duration::microseconds((room * x) as i64)).max(last + secs(60.0));
            if at >= end {
                break;
            }
            let Some(a) = self.attempt(plan, student, &lesson.quiz, &log.attempts, at) else {
                break;
            };
            last = a.submitted_at.unwrap_or(at);
            log.attempts.push(a);
        }
    }

    /// Studies `done` blocks of `lesson` from `t` (and, with `partial`, maybe part of the
    /// next); writes their `learning_progress` rows. Returns when they stopped.
    fn study(
        &mut self,
        student: UserId,
        lesson: &LessonModel,
        log: &mut LessonLog,
        mut t: DateTime<Utc>,
        done: usize,
        partial: bool,
    ) -> DateTime<Utc> {
        let end = self.world.end;
        for (b, block) in lesson.blocks.iter().enumerate() {
            let complete = b < done;
            let studied = complete || (partial && b == done && self.rng.gen_bool(0.5));
            if !studied {
                break;
            }
            let full = match block.duration {
                Some(d) => f64::from(d) * self.rng.gen_range(0.9..1.3),
                None => lognormal(&mut self.rng, block.median_seconds, 0.6),
            };
            let share = if complete {
                1.0
            } else {
                self.rng.gen_range(0.15..0.85)
            };
            let seconds = (full * share).round().max(5.0);
            let finished = t + secs(seconds);
            if finished >= end {
                break;
            }
            // two reports: early on, then when leaving the block
            let first = t + secs((seconds / 4.0).min(30.0));
            let percent = (share * 100.0).round() as u32;
            let data = ProgressData {
                completed: complete,
                percent: if complete { 100 } else { percent.min(99) },
                position_seconds: block.duration.map(|d| {
                    if complete {
                        d
                    } else {
                        (f64::from(d) * share) as u32
                    }
                }),
                duration_seconds: block.duration,
                ..ProgressData::default()
            };
            if !self.dry {
                let id = uuid(&mut self.ids);
                self.learning
                    .plain(id)
                    .plain(student.0)
                    .plain(block.id.0)
                    .text(block.kind.as_str())
                    .json(serde_json::to_string(&data))
                    .opt_time(complete.then_some(finished))
                    .plain(seconds as i64)
                    .time(first)
                    .time(finished)
                    .last()
                    .end_row();
            }
            log.seconds += seconds as i64;
            log.last_report = Some(finished);
            if complete {
                log.done += 1;
                log.content_done_at = Some(finished);
            }
            t = finished + secs(lognormal(&mut self.rng, 20.0, 0.8));
            if !complete {
                break;
            }
        }
        t
    }

    /// One attempt at `quiz` started at `started`, if the library's rules let it start
    /// (attempt limits): answered, scored by the library, written. Its summary.
    fn attempt(
        &mut self,
        plan: &Plan,
        student: UserId,
        quiz: &QuizModel,
        previous: &[AttemptSummary],
        started: DateTime<Utc>,
    ) -> Option<AttemptSummary> {
        let number = match may_start(&quiz.rules, previous, &[], started) {
            Ok(StartDecision::New { attempt_number }) => attempt_number,
            _ => return None,
        };
        let retakes = f64::from(number - 1);
        let theta = plan.theta + (GAIN_PER_ATTEMPT * retakes).min(MAX_GAIN);
        // how long: median for the quiz, within a timed one's limit
        let mut seconds = lognormal(&mut self.rng, quiz.median_seconds, 0.45).max(45.0);
        if let Some(limit) = quiz.rules.time_limit_minutes {
            seconds = seconds.min(f64::from(limit) * 60.0 - self.rng.gen_range(5.0..120.0));
        }
        let submitted = started + secs(seconds);
        let count = quiz.items.len();
        let mut answers = BTreeMap::new();
        for (i, item) in quiz.items.iter().enumerate() {
            if self.rng.gen_bool(SKIP) {
                continue;
            }
            let at =
                started + secs(seconds * (i as f64 + self.rng.gen_range(0.2..0.95)) / count as f64);
            let right = self
                .rng
                .gen_bool(1.0 / (1.0 + (-(theta - item.difficulty)).exp()));
            let answer = match &item.kind {
                ItemKind::Choice { right: r, wrong } => {
                    Answer::MultipleChoice(MultipleChoiceAnswer {
                        selected: vec![if right {
                            r.clone()
                        } else {
                            pick(&mut self.rng, wrong).to_owned()
                        }],
                        answered_at: Some(at),
                    })
                }
                ItemKind::TrueFalse { correct } => Answer::TrueFalse(TrueFalseAnswer {
                    value: if right { *correct } else { !*correct },
                    answered_at: Some(at),
                }),
                ItemKind::Short { right: r, wrong } => Answer::ShortAnswer(ShortAnswerAnswer {
                    text: pick(&mut self.rng, if right { r } else { wrong }).to_owned(),
                    answered_at: Some(at),
                }),
            };
            answers.insert(item.id.clone(), answer);
        }
        if answers.is_empty() {
            // nobody submits a blank attempt by choice: the first question, wrong
            let item = &quiz.items[0];
            let at = started + secs(seconds / 2.0);
            let answer = match &item.kind {
                ItemKind::Choice { wrong, .. } => Answer::MultipleChoice(MultipleChoiceAnswer {
                    selected: vec![wrong[0].0.clone()],
                    answered_at: Some(at),
                }),
                ItemKind::TrueFalse { correct } => Answer::TrueFalse(TrueFalseAnswer {
                    value: !*correct,
                    answered_at: Some(at),
                }),
                ItemKind::Short { wrong, .. } => Answer::ShortAnswer(ShortAnswerAnswer {
                    text: wrong[0].0.clone(),
                    answered_at: Some(at),
                }),
            };
            answers.insert(item.id.clone(), answer);
        }
        let answers = Answers(answers);
        // what submit_attempt does: the time policy decides what counts and when it was
        // submitted, the library's scoring the rest
        let verdict = submission(
            &quiz.rules,
            started,
            submitted,
            answers
                .0
                .iter()
                .map(|(q, a)| (q.as_str(), a.answered_at().unwrap_or(submitted))),
        )
        .expect("a submission in time");
        assert!(
            !verdict.late && verdict.dropped.is_empty(),
            "a demo attempt is submitted in time"
        );
        let scored =
            score(&quiz.questions, &answers, &quiz.policy).expect("the library scores the answers");
        let int = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        let summary = AttemptSummary {
            attempt_number: number,
            started_at: started,
            submitted_at: Some(verdict.submitted_at),
            abandoned_at: None,
            score: scored.score.map(int),
            passed: scored.passed,
            points_earned: Some(scored.points_earned),
            total_points: Some(scored.total_points),
        };
        if self.dry {
            return Some(summary);
        }
        if quiz.id == self.world.courses[0].lessons[0].quiz.id {
            self.counts.flagship_attempts += 1;
        }
        let micros = scored.points_earned.micros();
        let id = uuid(&mut self.ids);
        self.attempts
            .plain(id)
            .plain(quiz.id.0)
            .plain(student.0)
            .plain(number)
            .json(serde_json::to_string(&answers))
            .opt(scored.score.map(int))
            .plain(int(scored.points_earned.floor()))
            .plain(int(scored.total_points))
            .opt(scored.passed)
            .plain(verdict.time_spent_seconds)
            .time(started)
            .time(verdict.submitted_at)
            .json(serde_json::to_string(&scored.feedback))
            .plain(quiz.version)
            .plain(format_args!(
                "{}.{:06}",
                micros / 1_000_000,
                micros % 1_000_000
            ))
            .last()
            .end_row();
        Some(summary)
    }

    /// The enrolment's progress rows and the enrolment itself, as the library's refresh
    /// derives them from the facts: a row per lesson and per assessment, statuses by
    /// `lesson_progress` in the prerequisite order, grades by `grade_history`, the course
    /// by `course_complete` and `course_percentage`.
    fn progress_rows(
        &mut self,
        plan: &Plan,
        student: UserId,
        logs: &[LessonLog],
        finals: &[AttemptSummary],
    ) {
        let world = self.world;
        let course = &world.courses[plan.course];
        let graph = &world.graphs[plan.course];
        let index: HashMap<LessonId, usize> = course
            .lessons
            .iter()
            .enumerate()
            .map(|(j, l)| (l.id, j))
            .collect();
        let grade = |quiz: &QuizModel, attempts: &[AttemptSummary]| {
            grade_history(
                quiz.rules.policy.grading_method,
                &AttemptHistory::of(attempts),
                quiz.policy.minimum_passing_score,
            )
        };
        let first_pass = |attempts: &[AttemptSummary]| {
            attempts
                .iter()
                .find(|a| a.passed == Some(true))
                .and_then(|a| a.submitted_at)
        };
        let state = |quiz: &QuizModel, attempts: &[AttemptSummary]| {
            if !quiz.mandatory {
                AssessmentState::NotRequired
            } else if grade(quiz, attempts).passed == Some(true) {
                AssessmentState::Passed
            } else if attempts.iter().any(|a| a.submitted_at.is_some()) {
                AssessmentState::Failed
            } else {
                AssessmentState::NotAttempted
            }
        };
        let mut completed: HashSet<LessonId> = HashSet::new();
        let mut statuses: Vec<ProgressStatus> =
            vec![ProgressStatus::NotStarted; course.lessons.len()];
        let mut completed_at: Vec<Option<DateTime<Utc>>> = vec![None; course.lessons.len()];
        for lesson_id in graph.topological_order() {
            let j = index[&lesson_id];
            let lesson = &course.lessons[j];
            let log = &logs[j];
            let missing = graph
                .missing(lesson_id, &completed)
                .expect("a lesson of the graph");
            let total = u32::try_from(lesson.blocks.len()).unwrap_or(u32::MAX);
            let facts = LessonFacts {
                prerequisites_met: missing.is_empty(),
                blocks_done: log.done.min(total),
                blocks_total: total,
                assessment: state(&lesson.quiz, &log.attempts),
                accessed: log.last_report.is_some(),
                previous: None,
            };
            let now = lesson_progress(&facts).expect("lesson progress");
            statuses[j] = now.status;
            // unlocked when the previous lesson was completed; completed when the last of
            // content, quiz and prerequisites was
            let unlocked_at = if j == 0 { None } else { completed_at[j - 1] };
            if now.status == ProgressStatus::Completed {
                completed.insert(lesson_id);
                let content = if total == 0 {
                    Some(plan.enrolled_at)
                } else {
                    log.content_done_at
                };
                let quiz = match facts.assessment {
                    AssessmentState::NotRequired => None,
                    _ => first_pass(&log.attempts),
                };
                completed_at[j] = [content, quiz, unlocked_at, Some(plan.enrolled_at)]
                    .into_iter()
                    .flatten()
                    .max();
            }
            let updated = match completed_at[j] {
                Some(done) => done,
                None => [
                    Some(plan.enrolled_at),
                    unlocked_at,
                    log.last_report,
                    log.attempts.iter().filter_map(|a| a.submitted_at).max(),
                ]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(plan.enrolled_at),
            };
            let id = uuid(&mut self.ids);
            self.progress
                .plain(id)
                .plain(student.0)
                .plain(course.id.0)
                .plain(lesson.id.0)
                .opt(None::<Uuid>)
                .text(now.status.as_str())
                .plain(now.completion_percentage)
                .opt_time(log.last_report)
                .plain(log.seconds)
                .plain(0)
                .opt(None::<i32>)
                .time(plan.enrolled_at)
                .time(updated)
                .opt_time(completed_at[j])
                .last()
                .end_row();
        }
        // one row per assessment: the lessons' quizzes, then the final exam
        let rows: Vec<(Option<usize>, &QuizModel, &[AttemptSummary])> = course
            .lessons
            .iter()
            .enumerate()
            .map(|(j, l)| (Some(j), &l.quiz, logs[j].attempts.as_slice()))
            .chain(std::iter::once((None, &course.final_exam, finals)))
            .collect();
        let mut final_state = AssessmentState::NotRequired;
        let mut final_passed_at = None;
        for (lesson, quiz, attempts) in rows {
            let g = grade(quiz, attempts);
            let passed = g.passed == Some(true);
            let blocked = lesson.is_some_and(|j| statuses[j] == ProgressStatus::Blocked);
            let status = if passed {
                ProgressStatus::Completed
            } else if blocked {
                ProgressStatus::Blocked
            } else if attempts.is_empty() {
                ProgressStatus::NotStarted
            } else {
                ProgressStatus::InProgress
            };
            let unlocked_at = lesson.and_then(|j| if j == 0 { None } else { completed_at[j - 1] });
            let updated = [
                Some(plan.enrolled_at),
                unlocked_at,
                attempts.iter().filter_map(|a| a.submitted_at).max(),
            ]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(plan.enrolled_at);
            let done_at = if passed { first_pass(attempts) } else { None };
            if lesson.is_none() {
                final_state = state(quiz, attempts);
                final_passed_at = done_at;
            }
            let id = uuid(&mut self.ids);
            self.progress
                .plain(id)
                .plain(student.0)
                .plain(course.id.0)
                .opt(lesson.map(|j| course.lessons[j].id.0))
                .plain(quiz.id.0)
                .text(status.as_str())
                .plain(if passed { 100 } else { 0 })
                .opt(None::<String>)
                .plain(0)
                .plain(attempts.len())
                .opt(g.score)
                .time(plan.enrolled_at)
                .time(updated)
                .opt_time(done_at)
                .last()
                .end_row();
        }
        let complete = course_complete(statuses.iter().copied(), final_state);
        let summary = ProgressData {
            completed: complete,
            percent: u32::try_from(course_percentage(statuses.iter().copied())).unwrap_or(0),
            ..ProgressData::default()
        };
        let completed_course_at = complete.then(|| {
            completed_at
                .iter()
                .copied()
                .chain([final_passed_at, Some(plan.enrolled_at)])
                .flatten()
                .max()
                .unwrap_or(plan.enrolled_at)
        });
        if complete {
            self.counts.completed_enrollments += 1;
        }
        let id = uuid(&mut self.ids);
        self.enrollments
            .plain(id)
            .plain(student.0)
            .plain(course.id.0)
            .time(plan.enrolled_at)
            .opt_time(completed_course_at)
            .json(serde_json::to_string(&summary))
            .last()
            .end_row();
    }
}

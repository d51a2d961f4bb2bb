//! Row Level Security, as a matrix: persona × table × operation. Each cell of the matrix
//! says in words which rows the persona may read or change (the text docs/security.md is
//! generated from) and carries the SQL checks that prove it. Every check runs in its own
//! transaction, as the persona (`set local role …` + `request.jwt.claims`), against a
//! seeded world, and is rolled back.
//!
//! The same matrix runs on plain PostgreSQL (the `auth` shim) and on a Supabase-like
//! database (its own `auth` schema and default privileges granting ALL to the API roles).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sqlx::PgPool;
use uuid::Uuid;

/// Who runs a check.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Persona {
    /// `anon`, no user.
    Anon,
    /// `authenticated` as student `s1` (enrolled in `pub1` and the unpublished `draft1`).
    Student,
    /// `authenticated` as instructor `i1` (owner of `pub1` and `draft1`).
    Instructor,
    /// `authenticated` as the admin.
    Admin,
    /// The trusted path: `authenticated` with `s1`'s claims, then `set local role service_role`.
    Service,
}

const PERSONAS: [Persona; 5] = [
    Persona::Anon,
    Persona::Student,
    Persona::Instructor,
    Persona::Admin,
    Persona::Service,
];

impl Persona {
    fn column(self) -> &'static str {
        match self {
            Persona::Anon => "anon",
            Persona::Student => "student",
            Persona::Instructor => "instructor",
            Persona::Admin => "admin",
            Persona::Service => "service_role (trusted path)",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Op {
    Select,
    Insert,
    Update,
    Delete,
    Execute,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Select => "select",
            Op::Insert => "insert",
            Op::Update => "update",
            Op::Delete => "delete",
            Op::Execute => "execute",
        }
    }
}

/// What a check must give.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    /// a `select` returning this number, or a write affecting this many rows
    Rows(i64),
    /// a `select` returning this text (`null` for SQL null)
    Text(&'static str),
    /// an error with this SQLSTATE
    Error(&'static str),
}

/// insufficient_privilege: no grant, or a row refused by a policy's `with check`
const DENIED: Expect = Expect::Error("42501");

fn rows(n: i64) -> Expect {
    Expect::Rows(n)
}

struct Check {
    /// statements separated by ` ;; `: all but the last must succeed, the last is measured
    sql: String,
    expect: Expect,
}

struct Cell {
    table: &'static str,
    op: Op,
    persona: Persona,
    /// the rule, in words, for docs/security.md
    allowed: &'static str,
    checks: Vec<Check>,
}

#[derive(Default)]
struct Matrix {
    cells: Vec<Cell>,
}

impl Matrix {
    fn cell(
        &mut self,
        table: &'static str,
        op: Op,
        persona: Persona,
        allowed: &'static str,
        checks: &[(&str, Expect)],
    ) {
        self.cells.push(Cell {
            table,
            op,
            persona,
            allowed,
            checks: checks
                .iter()
                .map(|(sql, expect)| Check {
                    sql: (*sql).to_owned(),
                    expect: expect.clone(),
                })
                .collect(),
        });
    }
}

/// The questions of an assessment as the persona gets them from
/// `public.assessment_questions`: `full` (answer keys included), `stripped`, or `null`.
fn questions(placeholder: &str) -> String {
    format!(
        "select case when q is null then 'null' \
                     when q::text ~ '\"(fraction|correct|accepted|rubric|explanation)\"' then 'full' \
                     else 'stripped' end \
         from (select public.assessment_questions('{{{placeholder}}}') as q) s"
    )
}

const TABLES: [&str; 16] = [
    "profiles",
    "courses",
    "lessons",
    "content_blocks",
    "assessments",
    "assessment_question_versions",
    "enrollments",
    "assessment_attempts",
    "student_progress",
    "personalized_roadmaps",
    "learning_progress",
    "learning_activity",
    "assessment_item_responses",
    "knowledge_models",
    "accommodations",
    "course_staff",
];

/// Rows seeded per table (what admins and the trusted path see).
fn total(table: &str) -> i64 {
    match table {
        "profiles" => 5,
        "courses" => 4,
        "lessons" | "content_blocks" => 8,
        // one version of the questions of each assessment
        "assessments" | "assessment_question_versions" => 12,
        "enrollments" | "assessment_attempts" => 3,
        _ => 2,
    }
}

/// A harmless update of every row of a table.
fn touch(table: &str) -> &'static str {
    match table {
        "profiles" => "update profiles set first_name = 'x'",
        "courses" => "update courses set title = 'x'",
        "lessons" => "update lessons set title = 'x'",
        "content_blocks" => "update content_blocks set metadata = '{}'",
        "assessments" => "update assessments set title = 'x'",
        "assessment_question_versions" => {
            "update assessment_question_versions set questions = '[]'"
        }
        "enrollments" => "update enrollments set progress = '{}'",
        "assessment_attempts" => "update assessment_attempts set passed = true, score = 100",
        "student_progress" => "update student_progress set completion_percentage = 100",
        "personalized_roadmaps" => "update personalized_roadmaps set status = 'paused'",
        "learning_progress" => "update learning_progress set time_spent = 1",
        "knowledge_models" => "update knowledge_models set prior = 0.3",
        "accommodations" => "update accommodations set extra_minutes = 5",
        "course_staff" => "update course_staff set role = 'grader'",
        "learning_activity" => "update learning_activity set seconds = 99999",
        "assessment_item_responses" => "update assessment_item_responses set points = '{9}'",
        _ => unreachable!("{table}"),
    }
}

/// A valid new row of a table.
fn new_row(table: &str) -> &'static str {
    match table {
        "profiles" => "insert into profiles (id, email) values (gen_random_uuid(), 'new@example.org')",
        "courses" => "insert into courses (title, instructor_id) values ('New', '{i1}')",
        "lessons" => "insert into lessons (course_id, title, order_index) values ('{pub1}', 'New', 9)",
        "content_blocks" => "insert into content_blocks (lesson_id, type, content, order_index) values ('{pub1_l}', 'rich_text', '{\"rich_text\": {\"html\": \"<p>new</p>\", \"plain_text\": \"new\"}}', 9)",
        "assessments" => "insert into assessments (lesson_id, title, questions) values ('{pub1_l}', 'New', '[]')",
        "assessment_question_versions" => "insert into assessment_question_versions (assessment_id, version, questions) values ('{pub1_l_a}', 2, '[]')",
        "enrollments" => "insert into enrollments (student_id, course_id) values ('{s1}', '{pub2}')",
        "assessment_attempts" => "insert into assessment_attempts (assessment_id, student_id, attempt_number, answers, score, points_earned, total_points, passed, submitted_at) values ('{pub1_l_a}', '{s1}', 2, '{}', 100, 9, 9, true, now())",
        "student_progress" => "insert into student_progress (student_id, course_id, status, completion_percentage) values ('{s1}', '{pub2}', 'completed', 100)",
        "personalized_roadmaps" => "insert into personalized_roadmaps (student_id, roadmap_data) values ('{s1}', '{\"steps\": []}')",
        "knowledge_models" => "insert into knowledge_models (course_id, skill, prior, learn, guess, slip) values ('{pub2}', 'new', 0.2, 0.1, 0.2, 0.1)",
        "accommodations" => "insert into accommodations (course_id, student_id, extra_minutes) values ('{pub1}', '{s2}', 5)",
        "course_staff" => "insert into course_staff (course_id, user_id, role) values ('{draft1}', '{i2}', 'grader')",
        "learning_progress" => "insert into learning_progress (student_id, content_id, content_type) values ('{s1}', gen_random_uuid(), 'lesson')",
        "learning_activity" => "insert into learning_activity (course_id, student_id, day, seconds, last_reported_at) values ('{pub1}', '{s1}', current_date - 1, 36000, now())",
        "assessment_item_responses" => "insert into assessment_item_responses (attempt_id, assessment_id, course_id, student_id, attempt_number, score, question_ids, kinds, points, max_points, outcomes, responses) values ('{att_s1_f}', '{draft1_f}', '{draft1}', '{s1}', 1, 100, '{}', '', '{}', '{}', '', '{}')",
        _ => unreachable!("{table}"),
    }
}

/// A valid learning-preferences document.
const PREFERENCES: &str =
    r#"{"preferred_pace": "fast", "preferred_media_types": ["video"], "learning_style": "visual"}"#;

/// The content of [`new_row`]'s block, as the library would store it.
const NEW_BLOCK: &str = r#"{"rich_text": {"html": "<p>new</p>", "plain_text": "new"}}"#;

/// A block whose HTML would run a script in every student's browser.
const XSS_BLOCK: &str = r#"insert into content_blocks (lesson_id, type, content, order_index) values ('{pub1_l}', 'rich_text', '{"rich_text": {"html": "<img src=x onerror=alert(1)><script>alert(2)</script>", "plain_text": ""}}', 9)"#;

/// The same HTML written over the published lesson's block.
const XSS_UPDATE: &str = r#"update content_blocks set content = '{"rich_text": {"html": "<script>alert(1)</script>", "plain_text": ""}}' where id = '{pub1_l_b}'"#;

/// A question set the library cannot read.
const NONSENSE_QUESTIONS: &str = r#"insert into assessments (lesson_id, title, questions) values ('{pub1_l}', 'Nonsense', '[{"kind": "nonsense"}]')"#;

/// The matrix. Placeholders: users `{s1}` `{s2}` (students), `{i1}` `{i2}` (instructors),
/// `{admin}`; courses `{pub1}` `{draft1}` (of i1), `{pub2}` `{draft2}` (of i2); for each
/// course `c`: lessons `{c_l}` (published) and `{c_d}` (draft), their blocks `{c_l_b}`
/// `{c_d_b}` and assessments `{c_l_a}` `{c_d_a}`, the final assessment `{c_f}`;
/// attempts `{att_s1}` (s1 on `pub1_l_a`, graded), `{att_s1_f}` (s1 on `draft1_f`),
/// `{att_s2}` (s2 on `pub2_f`). s1 is enrolled in pub1 and draft1, s2 in pub2.
#[allow(clippy::too_many_lines)]
fn matrix() -> Matrix {
    use Op::{Delete, Execute, Insert, Select, Update};
    use Persona::{Admin, Anon, Instructor, Service, Student};
    let mut m = Matrix::default();

    // Anon: the catalog only (published courses, outline of their published lessons).
    for table in TABLES {
        let select = format!("select count(*) from {table}");
        match table {
            "courses" => m.cell(table, Select, Anon, "published", &[
                (&select, rows(2)),
                ("select count(*) from courses where id = '{draft1}'", rows(0)),
            ]),
            "lessons" => m.cell(table, Select, Anon, "published lessons of published courses (outline columns only)", &[
                (&select, rows(2)),
                ("select count(*) from lessons where id = '{pub1_d}' or course_id = '{draft1}'", rows(0)),
                ("select string_agg(title, ',' order by title) from lessons", Expect::Text("pub1 lesson,pub2 lesson")),
                ("select count(prerequisites) from lessons", DENIED),
            ]),
            _ => m.cell(table, Select, Anon, "✗", &[(&select, DENIED)]),
        }
        m.cell(table, Insert, Anon, "✗", &[(new_row(table), DENIED)]);
        m.cell(table, Update, Anon, "✗", &[(touch(table), DENIED)]);
        m.cell(
            table,
            Delete,
            Anon,
            "✗",
            &[(&format!("delete from {table}"), DENIED)],
        );
    }

    // The trusted path: everything (BYPASSRLS, every privilege).
    for table in TABLES {
        let select = format!("select count(*) from {table}");
        let mut selects = vec![(select.as_str(), rows(total(table)))];
        if table == "assessments" {
            selects.push(("select count(questions) from assessments", rows(12)));
        }
        m.cell(table, Select, Service, "all", &selects);
        let insert = if table == "profiles" {
            "delete from profiles where id = '{s2}' ;; insert into profiles (id, email, role) values ('{s2}', 's2@example.org', 'instructor')"
        } else {
            new_row(table)
        };
        m.cell(table, Insert, Service, "all", &[(insert, rows(1))]);
        if table == "assessment_question_versions" {
            // frozen: a version is never changed nor deleted, not even on the trusted path
            // (it goes with its assessment, by the cascade)
            m.cell(
                table,
                Update,
                Service,
                "✗ (a version never changes)",
                &[(touch(table), DENIED)],
            );
            m.cell(
                table,
                Delete,
                Service,
                "✗ (a version goes with its assessment)",
                &[
                    ("delete from assessment_question_versions", DENIED),
                    ("truncate assessment_question_versions", DENIED),
                ],
            );
            continue;
        }
        let mut updates = vec![(touch(table), rows(total(table)))];
        if table == "profiles" {
            updates.push((
                "update profiles set role = 'instructor' where id = '{s2}'",
                rows(1),
            ));
        }
        m.cell(table, Update, Service, "all", &updates);
        // (instructors' profiles are kept by their courses: on delete restrict)
        let delete = match table {
            "profiles" => (
                "delete from profiles where role = 'student'".to_owned(),
                rows(2),
            ),
            _ => (format!("delete from {table}"), rows(total(table))),
        };
        m.cell(
            table,
            Delete,
            Service,
            "all",
            &[(delete.0.as_str(), delete.1)],
        );
    }

    // profiles
    m.cell(
        "profiles",
        Select,
        Student,
        "own",
        &[
            ("select count(*) from profiles", rows(1)),
            ("select id::text from profiles", Expect::Text("{s1}")),
        ],
    );
    m.cell(
        "profiles",
        Select,
        Instructor,
        "own; students and staff of own courses",
        &[
            ("select count(*) from profiles", rows(3)),
            (
                "select count(*) from profiles where id in ('{i1}', '{s1}', '{i2}')",
                rows(3),
            ),
            (
                "select count(*) from profiles where id in ('{s2}', '{admin}')",
                rows(0),
            ),
        ],
    );
    m.cell(
        "profiles",
        Select,
        Admin,
        "all",
        &[("select count(*) from profiles", rows(5))],
    );
    for p in [Student, Instructor, Admin] {
        m.cell(
            "profiles",
            Insert,
            p,
            "✗ (the sign-up trigger creates profiles)",
            &[(new_row("profiles"), DENIED)],
        );
        m.cell(
            "profiles",
            Delete,
            p,
            "✗ (deleting the auth user does)",
            &[("delete from profiles", DENIED)],
        );
    }
    let no_role_change: [(&str, Expect); 4] = [
        (
            "update profiles set role = 'admin' where id = '{s1}'",
            DENIED,
        ),
        ("update profiles set email = 'me@example.org'", DENIED),
        (
            "update profiles set knowledge_profile = '{\"rust\": 1}'",
            DENIED,
        ),
        ("update profiles set id = '{s2}' where id = '{s1}'", DENIED),
    ];
    m.cell("profiles", Update, Student, "own: first_name, last_name, avatar_url; learning_preferences with the library's receipt", &[
        &[
            ("update profiles set first_name = 'x'", rows(1)),
            ("update profiles set learning_preferences = '{\"preferred_pace\": \"fast\"}' where id = '{s1}'", DENIED),
            (&format!("update profiles set learning_preferences = '{PREFERENCES}'"), DENIED),
            (&format!("receipt profiles.learning_preferences {PREFERENCES} ;; update profiles set learning_preferences = '{PREFERENCES}'"), rows(1)),
            (&format!("receipt profiles.knowledge_profile {PREFERENCES} ;; update profiles set learning_preferences = '{PREFERENCES}'"), DENIED),
            ("update profiles set learning_preferences = null", rows(1)),
            ("update profiles set first_name = 'x' where id = '{s2}'", rows(0)),
        ][..],
        &no_role_change[..],
    ].concat());
    m.cell(
        "profiles",
        Update,
        Instructor,
        "own: same columns (not the students it sees)",
        &[
            ("update profiles set first_name = 'x'", rows(1)),
            (
                "update profiles set first_name = 'x' where id = '{s1}'",
                rows(0),
            ),
            (
                "update profiles set role = 'admin' where id = '{i1}'",
                DENIED,
            ),
        ],
    );
    m.cell(
        "profiles",
        Update,
        Admin,
        "all: same columns; roles through set_user_role()",
        &[
            ("update profiles set first_name = 'x'", rows(5)),
            (
                "update profiles set role = 'admin' where id = '{s2}'",
                DENIED,
            ),
        ],
    );

    // courses
    m.cell(
        "courses",
        Select,
        Student,
        "published; enrolled (even unpublished)",
        &[
            ("select count(*) from courses", rows(3)),
            (
                "select count(*) from courses where id = '{draft1}'",
                rows(1),
            ),
            (
                "select count(*) from courses where id = '{draft2}'",
                rows(0),
            ),
        ],
    );
    m.cell(
        "courses",
        Select,
        Instructor,
        "published; own",
        &[
            ("select count(*) from courses", rows(3)),
            (
                "select count(*) from courses where id = '{draft2}'",
                rows(0),
            ),
        ],
    );
    m.cell(
        "courses",
        Select,
        Admin,
        "all",
        &[("select count(*) from courses", rows(4))],
    );
    m.cell(
        "courses",
        Insert,
        Student,
        "✗ (instructors only)",
        &[(
            "insert into courses (title, instructor_id) values ('Mine', '{s1}')",
            DENIED,
        )],
    );
    m.cell(
        "courses",
        Insert,
        Instructor,
        "own (instructor_id = self)",
        &[
            (new_row("courses"), rows(1)),
            (
                "insert into courses (title, instructor_id) values ('Theirs', '{i2}')",
                DENIED,
            ),
        ],
    );
    m.cell(
        "courses",
        Insert,
        Admin,
        "any",
        &[(
            "insert into courses (title, instructor_id) values ('For i2', '{i2}')",
            rows(1),
        )],
    );
    m.cell(
        "courses",
        Update,
        Student,
        "none",
        &[(touch("courses"), rows(0))],
    );
    m.cell(
        "courses",
        Update,
        Instructor,
        "own; not instructor_id",
        &[
            (touch("courses"), rows(2)),
            (
                "update courses set title = 'mine now' where id = '{pub2}'",
                rows(0),
            ),
            (
                "update courses set is_published = true where id = '{draft2}'",
                rows(0),
            ),
            (
                "update courses set instructor_id = '{i2}' where id = '{pub1}'",
                DENIED,
            ),
            (
                "update courses set final_assessment_id = '{pub1_f}' where id = '{pub1}'",
                rows(1),
            ),
        ],
    );
    m.cell(
        "courses",
        Update,
        Admin,
        "all; not instructor_id",
        &[
            (touch("courses"), rows(4)),
            (
                "update courses set instructor_id = '{i2}' where id = '{pub1}'",
                DENIED,
            ),
        ],
    );
    m.cell(
        "courses",
        Delete,
        Student,
        "none",
        &[("delete from courses", rows(0))],
    );
    m.cell(
        "courses",
        Delete,
        Instructor,
        "own",
        &[
            ("delete from courses where id = '{pub2}'", rows(0)),
            ("delete from courses", rows(2)),
        ],
    );
    m.cell(
        "courses",
        Delete,
        Admin,
        "all",
        &[("delete from courses", rows(4))],
    );

    // lessons
    m.cell(
        "lessons",
        Select,
        Student,
        "published lessons of published or enrolled courses",
        &[
            ("select count(*) from lessons", rows(3)),
            (
                "select count(*) from lessons where id in ('{pub1_d}', '{draft1_d}', '{draft2_l}')",
                rows(0),
            ),
            (
                "select count(*) from lessons where id = '{draft1_l}'",
                rows(1),
            ),
        ],
    );
    m.cell(
        "lessons",
        Select,
        Instructor,
        "own courses' (drafts too); published lessons of published courses",
        &[
            ("select count(*) from lessons", rows(5)),
            (
                "select count(*) from lessons where course_id = '{draft2}' or id = '{pub2_d}'",
                rows(0),
            ),
        ],
    );
    m.cell(
        "lessons",
        Select,
        Admin,
        "all",
        &[("select count(*) from lessons", rows(8))],
    );
    m.cell(
        "lessons",
        Insert,
        Student,
        "✗",
        &[(new_row("lessons"), DENIED)],
    );
    m.cell("lessons", Insert, Instructor, "own courses'", &[
        (new_row("lessons"), rows(1)),
        ("insert into lessons (course_id, title, order_index) values ('{pub2}', 'Intruder', 9)", DENIED),
    ]);
    m.cell(
        "lessons",
        Insert,
        Admin,
        "any",
        &[(
            "insert into lessons (course_id, title, order_index) values ('{pub2}', 'By admin', 9)",
            rows(1),
        )],
    );
    m.cell(
        "lessons",
        Update,
        Student,
        "none",
        &[(touch("lessons"), rows(0))],
    );
    m.cell(
        "lessons",
        Update,
        Instructor,
        "own courses'; not course_id",
        &[
            (touch("lessons"), rows(4)),
            (
                "update lessons set title = 'x' where course_id = '{pub2}'",
                rows(0),
            ),
            (
                "update lessons set course_id = '{pub2}' where id = '{pub1_l}'",
                DENIED,
            ),
        ],
    );
    m.cell(
        "lessons",
        Update,
        Admin,
        "all; not course_id",
        &[(touch("lessons"), rows(8))],
    );
    m.cell(
        "lessons",
        Delete,
        Student,
        "none",
        &[("delete from lessons", rows(0))],
    );
    m.cell(
        "lessons",
        Delete,
        Instructor,
        "own courses'",
        &[("delete from lessons", rows(4))],
    );
    m.cell(
        "lessons",
        Delete,
        Admin,
        "all",
        &[("delete from lessons", rows(8))],
    );

    // content_blocks
    m.cell(
        "content_blocks",
        Select,
        Student,
        "published lessons of enrolled courses",
        &[
            ("select count(*) from content_blocks", rows(2)),
            (
                "select count(*) from content_blocks where lesson_id in ('{pub1_l}', '{draft1_l}')",
                rows(2),
            ),
        ],
    );
    m.cell(
        "content_blocks",
        Select,
        Instructor,
        "own courses'",
        &[
            ("select count(*) from content_blocks", rows(4)),
            (
                "select count(*) from content_blocks where lesson_id = '{pub2_l}'",
                rows(0),
            ),
        ],
    );
    m.cell(
        "content_blocks",
        Select,
        Admin,
        "all",
        &[("select count(*) from content_blocks", rows(8))],
    );
    m.cell(
        "content_blocks",
        Insert,
        Student,
        "✗",
        &[(new_row("content_blocks"), DENIED)],
    );
    let vouched_block = format!(
        "receipt content_blocks.content:rich_text {NEW_BLOCK} ;; receipt content_blocks.metadata {{}} ;; {}",
        new_row("content_blocks")
    );
    m.cell("content_blocks", Insert, Instructor, "own courses', documents with the library's receipt", &[
        (new_row("content_blocks"), DENIED),
        (&vouched_block, rows(1)),
        (&format!("receipt content_blocks.content:image {NEW_BLOCK} ;; receipt content_blocks.metadata {{}} ;; {}", new_row("content_blocks")), DENIED),
        (XSS_BLOCK, DENIED),
        ("insert into content_blocks (lesson_id, type, content, order_index) values ('{pub2_l}', 'rich_text', '{}', 9)", DENIED),
        (&vouched_block.replace("{pub1_l}", "{pub2_l}"), DENIED),
    ]);
    m.cell(
        "content_blocks",
        Insert,
        Admin,
        "any, documents with the library's receipt",
        &[
            (new_row("content_blocks"), DENIED),
            (XSS_BLOCK, DENIED),
            (&vouched_block.replace("{pub1_l}", "{pub2_l}"), rows(1)),
        ],
    );
    m.cell(
        "content_blocks",
        Update,
        Student,
        "none",
        &[(touch("content_blocks"), rows(0))],
    );
    m.cell(
        "content_blocks",
        Update,
        Instructor,
        "own courses'; not lesson_id",
        &[
            (touch("content_blocks"), rows(4)),
            (
                "update content_blocks set lesson_id = '{pub1_d}' where id = '{pub1_l_b}'",
                DENIED,
            ),
            (XSS_UPDATE, DENIED),
            ("update content_blocks set type = 'image' where id = '{pub1_l_b}'", DENIED),
            ("update content_blocks set metadata = '{\"k\": 1}' where id = '{pub1_l_b}'", DENIED),
            ("receipt content_blocks.metadata {\"k\": 1} ;; update content_blocks set metadata = '{\"k\": 1}' where id = '{pub1_l_b}'", rows(1)),
        ],
    );
    m.cell(
        "content_blocks",
        Update,
        Admin,
        "all; not lesson_id; documents with the library's receipt",
        &[(touch("content_blocks"), rows(8)), (XSS_UPDATE, DENIED)],
    );
    m.cell(
        "content_blocks",
        Delete,
        Student,
        "none",
        &[("delete from content_blocks", rows(0))],
    );
    m.cell(
        "content_blocks",
        Delete,
        Instructor,
        "own courses'",
        &[("delete from content_blocks", rows(4))],
    );
    m.cell(
        "content_blocks",
        Delete,
        Admin,
        "all",
        &[("delete from content_blocks", rows(8))],
    );

    // assessments
    let no_questions = ("select count(questions) from assessments", DENIED);
    m.cell("assessments", Select, Student, "of published lessons of enrolled courses, and their finals; never `questions`", &[
        ("select count(*) from assessments", rows(4)),
        ("select count(*) from assessments where id in ('{pub1_d_a}', '{pub2_l_a}', '{pub2_f}')", rows(0)),
        ("select count(*) from assessments where id in ('{pub1_l_a}', '{pub1_f}', '{draft1_l_a}', '{draft1_f}')", rows(4)),
        no_questions.clone(),
        ("select questions::text from assessments where id = '{pub1_l_a}'", DENIED),
    ]);
    m.cell(
        "assessments",
        Select,
        Instructor,
        "own courses'; never `questions`",
        &[
            ("select count(*) from assessments", rows(6)),
            (
                "select count(*) from assessments where id in ('{pub2_l_a}', '{pub2_f}')",
                rows(0),
            ),
            no_questions.clone(),
        ],
    );
    m.cell(
        "assessments",
        Select,
        Admin,
        "all; never `questions`",
        &[("select count(*) from assessments", rows(12)), no_questions],
    );
    m.cell(
        "assessments",
        Insert,
        Student,
        "✗",
        &[(new_row("assessments"), DENIED)],
    );
    m.cell(
        "assessments",
        Insert,
        Instructor,
        "own courses', questions with the library's receipt",
        &[
            (new_row("assessments"), DENIED),
            (
                "receipt assessments.questions [] ;; insert into assessments (course_id, title) values ('{pub1}', 'Final 2')",
                rows(1),
            ),
            (NONSENSE_QUESTIONS, DENIED),
            (
                "receipt assessments.questions [] ;; insert into assessments (course_id, title) values ('{pub2}', 'Intruder')",
                DENIED,
            ),
        ],
    );
    m.cell(
        "assessments",
        Insert,
        Admin,
        "any, questions with the library's receipt",
        &[
            (
                "insert into assessments (course_id, title) values ('{pub2}', 'By admin')",
                DENIED,
            ),
            (
                "receipt assessments.questions [] ;; insert into assessments (course_id, title) values ('{pub2}', 'By admin')",
                rows(1),
            ),
        ],
    );
    m.cell(
        "assessments",
        Update,
        Student,
        "none",
        &[
            (touch("assessments"), rows(0)),
            ("update assessments set questions = '[]'", rows(0)),
        ],
    );
    m.cell(
        "assessments",
        Update,
        Instructor,
        "own courses' (questions with the library's receipt); not lesson_id, course_id",
        &[
            (touch("assessments"), rows(6)),
            (
                "update assessments set questions = '[]' where id = '{pub1_l_a}'",
                DENIED,
            ),
            (
                "update assessments set questions = '[{\"kind\": \"nonsense\"}]' where id = '{pub1_l_a}'",
                DENIED,
            ),
            (
                "receipt assessments.questions [] ;; update assessments set questions = '[]' where id = '{pub1_l_a}'",
                rows(1),
            ),
            (
                "update assessments set questions = '[]' where id = '{pub2_l_a}'",
                rows(0),
            ),
            (
                "update assessments set lesson_id = '{pub1_d}' where id = '{pub1_l_a}'",
                DENIED,
            ),
        ],
    );
    m.cell(
        "assessments",
        Update,
        Admin,
        "all; not lesson_id, course_id; questions with the library's receipt",
        &[
            (touch("assessments"), rows(12)),
            (
                "update assessments set questions = '[]' where id = '{pub2_l_a}'",
                DENIED,
            ),
        ],
    );
    m.cell(
        "assessments",
        Delete,
        Student,
        "none",
        &[("delete from assessments", rows(0))],
    );
    m.cell(
        "assessments",
        Delete,
        Instructor,
        "own courses'",
        &[("delete from assessments", rows(6))],
    );
    m.cell(
        "assessments",
        Delete,
        Admin,
        "all",
        &[("delete from assessments", rows(12))],
    );

    // enrollments
    m.cell(
        "enrollments",
        Select,
        Student,
        "own",
        &[
            ("select count(*) from enrollments", rows(2)),
            (
                "select count(*) from enrollments where student_id = '{s2}'",
                rows(0),
            ),
        ],
    );
    m.cell(
        "enrollments",
        Select,
        Instructor,
        "own; own courses\'",
        &[("select count(*) from enrollments", rows(2))],
    );
    m.cell(
        "enrollments",
        Select,
        Admin,
        "all",
        &[("select count(*) from enrollments", rows(3))],
    );
    m.cell("enrollments", Insert, Student, "self into a published course (student_id, course_id only)", &[
        (new_row("enrollments"), rows(1)),
        ("insert into enrollments (student_id, course_id) values ('{s1}', '{draft2}')", DENIED),
        ("insert into enrollments (student_id, course_id) values ('{s2}', '{pub1}')", DENIED),
        ("insert into enrollments (student_id, course_id, completed_at) values ('{s1}', '{pub2}', now())", DENIED),
        ("insert into enrollments (student_id, course_id, progress) values ('{s1}', '{pub2}', '{\"done\": 100}')", DENIED),
    ]);
    m.cell(
        "enrollments",
        Insert,
        Instructor,
        "self into a published course",
        &[
            (
                "insert into enrollments (student_id, course_id) values ('{i1}', '{pub2}')",
                rows(1),
            ),
            (
                "insert into enrollments (student_id, course_id) values ('{s2}', '{pub1}')",
                DENIED,
            ),
        ],
    );
    m.cell(
        "enrollments",
        Insert,
        Admin,
        "anyone into any course",
        &[(
            "insert into enrollments (student_id, course_id) values ('{s2}', '{draft1}')",
            rows(1),
        )],
    );
    for (p, allowed) in [
        (
            Student,
            "✗ (completed_at, progress are computed; student_id, course_id fixed)",
        ),
        (Instructor, "✗"),
        (Admin, "✗"),
    ] {
        m.cell(
            "enrollments",
            Update,
            p,
            allowed,
            &[
                (touch("enrollments"), DENIED),
                ("update enrollments set completed_at = now()", DENIED),
                (
                    "update enrollments set student_id = '{s2}' where student_id = '{s1}'",
                    DENIED,
                ),
            ],
        );
    }
    m.cell(
        "enrollments",
        Delete,
        Student,
        "own (leaving a course)",
        &[
            ("delete from enrollments where student_id = '{s2}'", rows(0)),
            ("delete from enrollments", rows(2)),
        ],
    );
    m.cell(
        "enrollments",
        Delete,
        Instructor,
        "own; own courses\'",
        &[("delete from enrollments", rows(2))],
    );
    m.cell(
        "enrollments",
        Delete,
        Admin,
        "all",
        &[("delete from enrollments", rows(3))],
    );

    // assessment_question_versions: answer keys, written by the triggers on assessments
    let t = "assessment_question_versions";
    m.cell(t, Select, Student, "none (answer keys)", &[
        ("select count(*) from assessment_question_versions", rows(0)),
        ("select count(*) from assessment_question_versions where assessment_id = '{pub1_l_a}'", rows(0)),
    ]);
    m.cell(t, Select, Instructor, "own courses' assessments'", &[
        ("select count(*) from assessment_question_versions", rows(6)),
        ("select count(*) from assessment_question_versions where assessment_id in ('{pub1_l_a}', '{pub1_d_a}', '{pub1_f}', '{draft1_l_a}', '{draft1_d_a}', '{draft1_f}')", rows(6)),
        // a direct edit of the questions adds a version (the trigger, as security definer)
        ("receipt assessments.questions [] ;; update assessments set questions = '[]' where id = '{pub1_l_a}' ;; select count(*) from assessment_question_versions where assessment_id = '{pub1_l_a}' and version = 2", rows(1)),
    ]);
    m.cell(
        t,
        Select,
        Admin,
        "all",
        &[(
            "select count(*) from assessment_question_versions",
            rows(12),
        )],
    );
    for p in [Student, Instructor, Admin] {
        m.cell(
            t,
            Insert,
            p,
            "✗ (written by the triggers on assessments)",
            &[(new_row(t), DENIED)],
        );
        m.cell(t, Update, p, "✗", &[(touch(t), DENIED)]);
        m.cell(
            t,
            Delete,
            p,
            "✗",
            &[("delete from assessment_question_versions", DENIED)],
        );
    }

    // assessment_attempts
    m.cell(
        "assessment_attempts",
        Select,
        Student,
        "own (with feedback): open ones; finished ones while their review options show score, correctness and feedback (else `attempt_reviews`)",
        &[
            ("select count(*) from assessment_attempts", rows(2)),
            (
                "select count(*) from assessment_attempts where student_id = '{s2}'",
                rows(0),
            ),
            (
                "select feedback ->> 'q1' from assessment_attempts where id = '{att_s1}'",
                Expect::Text("well done"),
            ),
        ],
    );
    m.cell(
        "assessment_attempts",
        Select,
        Instructor,
        "at own courses' assessments (lesson and final)",
        &[
            ("select count(*) from assessment_attempts", rows(2)),
            (
                "select count(*) from assessment_attempts where id in ('{att_s1}', '{att_s1_f}')",
                rows(2),
            ),
        ],
    );
    m.cell(
        "assessment_attempts",
        Select,
        Admin,
        "all",
        &[("select count(*) from assessment_attempts", rows(3))],
    );
    for (p, allowed) in [
        (
            Student,
            "✗ (a passing attempt cannot be forged: the library starts and grades attempts)",
        ),
        (Instructor, "✗"),
        (Admin, "✗"),
    ] {
        m.cell("assessment_attempts", Insert, p, allowed, &[
            (new_row("assessment_attempts"), DENIED),
            ("insert into assessment_attempts (assessment_id, student_id, attempt_number) values ('{pub1_l_a}', '{s1}', 2)", DENIED),
        ]);
        m.cell(
            "assessment_attempts",
            Update,
            p,
            "✗",
            &[
                (touch("assessment_attempts"), DENIED),
                (
                    "update assessment_attempts set answers = '{}' where id = '{att_s1}'",
                    DENIED,
                ),
                (
                    "update assessment_attempts set feedback = '{}' where id = '{att_s1}'",
                    DENIED,
                ),
            ],
        );
        m.cell(
            "assessment_attempts",
            Delete,
            p,
            "✗",
            &[("delete from assessment_attempts", DENIED)],
        );
    }

    // attempt_reviews (20261203000020): the view of every attempt the actor may read, as
    // the assessment's review options show it to its student now
    let reviews = "select count(*) from attempt_reviews";
    m.cell("attempt_reviews", Select, Anon, "✗", &[(reviews, DENIED)]);
    m.cell(
        "attempt_reviews",
        Select,
        Student,
        "own, always: what the review options hide left out (score, feedback's parts, answer keys)",
        &[
            (reviews, rows(2)),
            (
                "select count(*) from attempt_reviews where student_id = '{s2}'",
                rows(0),
            ),
            // by default the score, not the right answers
            (
                "select score from attempt_reviews where id = '{att_s1}'",
                rows(80),
            ),
            (
                "select shows_answers::text from attempt_reviews where id = '{att_s1}'",
                Expect::Text("false"),
            ),
        ],
    );
    m.cell(
        "attempt_reviews",
        Select,
        Instructor,
        "at own courses' assessments, whole",
        &[
            (reviews, rows(2)),
            (
                "select shows_answers::text from attempt_reviews where id = '{att_s1}'",
                Expect::Text("true"),
            ),
        ],
    );
    m.cell(
        "attempt_reviews",
        Select,
        Admin,
        "all, whole",
        &[(reviews, rows(3))],
    );
    m.cell(
        "attempt_reviews",
        Select,
        Service,
        "all, whole",
        &[(reviews, rows(3))],
    );
    for p in [Anon, Student, Instructor, Admin, Service] {
        // refused before any privilege is looked at: the view is not updatable
        m.cell(
            "attempt_reviews",
            Update,
            p,
            "✗ (not updatable)",
            &[(
                "update attempt_reviews set score = 100",
                Expect::Error("55000"),
            )],
        );
    }

    // computed, read-only tables
    for (table, student, instructor, instructor_rows) in [
        ("student_progress", "own", "own courses'", 1),
        ("personalized_roadmaps", "own", "own courses'", 1),
        // fine-grained progress and the daily activity (20261202000011): the analytics
        // of the instructor's own courses
        ("learning_progress", "own", "own courses'", 1),
        ("learning_activity", "own", "own courses'", 1),
        // each graded attempt's item responses (20261202000011), read like the attempts
        ("assessment_item_responses", "own", "own courses'", 1),
    ] {
        let select = format!("select count(*) from {table}");
        let others = format!("select count(*) from {table} where student_id = '{{s2}}'");
        m.cell(
            table,
            Select,
            Student,
            student,
            &[(&select, rows(1)), (&others, rows(0))],
        );
        m.cell(
            table,
            Select,
            Instructor,
            instructor,
            &[(&select, rows(instructor_rows))],
        );
        m.cell(table, Select, Admin, "all", &[(&select, rows(2))]);
        for p in [Student, Instructor, Admin] {
            m.cell(
                table,
                Insert,
                p,
                "✗ (computed by the library)",
                &[(new_row(table), DENIED)],
            );
            m.cell(table, Update, p, "✗", &[(touch(table), DENIED)]);
            m.cell(
                table,
                Delete,
                p,
                "✗",
                &[(&format!("delete from {table}"), DENIED)],
            );
        }
    }

    // knowledge_models: the parameters of a course's knowledge tracing, read by its
    // instructor, written by the library only (fitted or set through it)
    let table = "knowledge_models";
    let select = "select count(*) from knowledge_models";
    m.cell(table, Select, Student, "✗ (none)", &[(select, rows(0))]);
    m.cell(
        table,
        Select,
        Instructor,
        "own courses'",
        &[
            (select, rows(1)),
            (
                "select count(*) from knowledge_models where course_id = '{pub2}'",
                rows(0),
            ),
        ],
    );
    m.cell(table, Select, Admin, "all", &[(select, rows(2))]);
    for p in [Student, Instructor, Admin] {
        m.cell(
            table,
            Insert,
            p,
            "✗ (fitted or set through the library)",
            &[(new_row(table), DENIED)],
        );
        m.cell(table, Update, p, "✗", &[(touch(table), DENIED)]);
        m.cell(
            table,
            Delete,
            p,
            "✗",
            &[("delete from knowledge_models", DENIED)],
        );
    }

    // accommodations (20261202000014): set by the course's instructor and admins, read by
    // the student they concern
    let table = "accommodations";
    let select = "select count(*) from accommodations";
    m.cell(
        table,
        Select,
        Student,
        "own",
        &[
            (select, rows(1)),
            (
                "select count(*) from accommodations where student_id = '{s2}'",
                rows(0),
            ),
        ],
    );
    m.cell(table, Insert, Student, "✗", &[(new_row(table), DENIED)]);
    m.cell(table, Update, Student, "✗", &[(touch(table), rows(0))]);
    m.cell(
        table,
        Delete,
        Student,
        "✗",
        &[("delete from accommodations", rows(0))],
    );
    m.cell(
        table,
        Select,
        Instructor,
        "own courses'",
        &[(select, rows(1))],
    );
    m.cell(
        table,
        Insert,
        Instructor,
        "own courses (scope columns only on insert)",
        &[
            (new_row(table), rows(1)),
            (
                "insert into accommodations (course_id, student_id) values ('{pub2}', '{s2}')",
                DENIED,
            ),
            (
                "insert into accommodations (id, course_id, student_id) values (gen_random_uuid(), '{pub1}', '{s2}')",
                DENIED,
            ),
            (
                "insert into accommodations (course_id, student_id, assessment_id) values ('{pub1}', '{s2}', '{pub2_f}')",
                DENIED,
            ),
        ],
    );
    m.cell(
        table,
        Update,
        Instructor,
        "own courses' (never the scope)",
        &[
            (touch(table), rows(1)),
            ("update accommodations set student_id = '{s2}'", DENIED),
        ],
    );
    m.cell(
        table,
        Delete,
        Instructor,
        "own courses'",
        &[("delete from accommodations", rows(1))],
    );
    m.cell(table, Select, Admin, "all", &[(select, rows(2))]);
    m.cell(table, Insert, Admin, "all", &[(new_row(table), rows(1))]);
    m.cell(table, Update, Admin, "all", &[(touch(table), rows(2))]);
    m.cell(
        table,
        Delete,
        Admin,
        "all",
        &[("delete from accommodations", rows(2))],
    );

    // course_staff (20261202000015, 20261203000016): managed by the course's owner and
    // admins, read by the member and the course's staff; a member may leave
    let table = "course_staff";
    let select = "select count(*) from course_staff";
    m.cell(table, Select, Student, "own", &[(select, rows(0))]);
    m.cell(table, Insert, Student, "✗", &[(new_row(table), DENIED)]);
    m.cell(table, Update, Student, "✗", &[(touch(table), rows(0))]);
    m.cell(
        table,
        Delete,
        Student,
        "own membership (leaving)",
        &[("delete from course_staff", rows(0))],
    );
    m.cell(
        table,
        Select,
        Instructor,
        "own courses'",
        &[(select, rows(1))],
    );
    m.cell(
        table,
        Insert,
        Instructor,
        "own courses (who and where on insert only)",
        &[
            (new_row(table), rows(1)),
            (
                "insert into course_staff (course_id, user_id, role) values ('{pub2}', '{i1}', 'co_instructor')",
                DENIED,
            ),
        ],
    );
    m.cell(
        table,
        Update,
        Instructor,
        "own courses' (the role only)",
        &[
            (touch(table), rows(1)),
            ("update course_staff set user_id = '{s1}'", DENIED),
        ],
    );
    m.cell(
        table,
        Delete,
        Instructor,
        "own courses'",
        &[("delete from course_staff", rows(1))],
    );
    m.cell(table, Select, Admin, "all", &[(select, rows(2))]);
    m.cell(table, Insert, Admin, "all", &[(new_row(table), rows(1))]);
    m.cell(table, Update, Admin, "all", &[(touch(table), rows(2))]);
    m.cell(
        table,
        Delete,
        Admin,
        "all",
        &[("delete from course_staff", rows(2))],
    );

    // public.assessment_questions(assessment_id)
    let f = "assessment_questions()";
    m.cell(f, Execute, Anon, "✗", &[(&questions("pub1_l_a"), DENIED)]);
    m.cell(
        f,
        Execute,
        Student,
        "stripped, for the assessments it may see; null otherwise",
        &[
            (&questions("pub1_l_a"), Expect::Text("stripped")),
            (&questions("pub1_f"), Expect::Text("stripped")),
            (&questions("draft1_l_a"), Expect::Text("stripped")),
            (&questions("pub1_d_a"), Expect::Text("null")),
            (&questions("pub2_l_a"), Expect::Text("null")),
            (
                "select coalesce(lms_private.assessment_questions('{pub2_l_a}')::text, 'null')",
                Expect::Text("null"),
            ),
        ],
    );
    m.cell(
        f,
        Execute,
        Instructor,
        "full, own courses'; null otherwise",
        &[
            (&questions("pub1_d_a"), Expect::Text("full")),
            (&questions("draft1_f"), Expect::Text("full")),
            (&questions("pub2_l_a"), Expect::Text("null")),
        ],
    );
    m.cell(
        f,
        Execute,
        Admin,
        "full",
        &[(&questions("draft2_d_a"), Expect::Text("full"))],
    );
    m.cell(
        f,
        Execute,
        Service,
        "as the user of the claims (reads `questions` directly)",
        &[(&questions("pub1_l_a"), Expect::Text("stripped"))],
    );

    // public.set_user_role(user_id, new_role)
    let f = "set_user_role()";
    m.cell(
        f,
        Execute,
        Anon,
        "✗",
        &[("select public.set_user_role('{s1}', 'admin')", DENIED)],
    );
    m.cell(
        f,
        Execute,
        Student,
        "✗",
        &[
            ("select public.set_user_role('{s1}', 'admin')", DENIED),
            ("select public.set_user_role('{s2}', 'instructor')", DENIED),
            ("select lms_private.set_user_role('{s1}', 'admin')", DENIED),
        ],
    );
    m.cell(
        f,
        Execute,
        Instructor,
        "✗",
        &[
            ("select public.set_user_role('{s1}', 'instructor')", DENIED),
            ("select public.set_user_role('{i1}', 'admin')", DENIED),
        ],
    );
    m.cell(f, Execute, Admin, "others' roles, never its own", &[
        ("select public.set_user_role('{s2}', 'instructor') ;; select role::text from profiles where id = '{s2}'", Expect::Text("instructor")),
        ("select public.set_user_role('{admin}', 'student')", DENIED),
        ("select public.set_user_role(gen_random_uuid(), 'student')", Expect::Error("P0002")),
    ]);
    m.cell(
        f,
        Execute,
        Service,
        "as the user of the claims (updates profiles.role directly)",
        &[("select public.set_user_role('{s2}', 'admin')", DENIED)],
    );

    m
}

const QUESTIONS: &str = r#"[
  {"id": "q1", "type": "multiple_choice", "prompt": "2 + 2?", "points": 1,
   "options": [{"id": "a", "text": "4", "fraction": 1}, {"id": "b", "text": "5", "fraction": 0}],
   "explanation": "arithmetic"},
  {"id": "q2", "type": "true_false", "prompt": "Rust has a borrow checker", "points": 1,
   "correct": true, "explanation": "it does"},
  {"id": "q3", "type": "short_answer", "prompt": "The language?", "points": 2,
   "accepted": [{"text": "Rust", "fraction": 1}, {"text": "rust-lang", "fraction": 0.5}],
   "case_sensitive": false},
  {"id": "q4", "type": "essay", "prompt": "Explain ownership", "points": 5,
   "rubric": "moves and borrows", "explanation": "see lesson 1"}
]"#;

const STRIPPED: &str = r#"[
  {"id": "q1", "type": "multiple_choice", "prompt": "2 + 2?", "points": 1,
   "options": [{"id": "a", "text": "4"}, {"id": "b", "text": "5"}]},
  {"id": "q2", "type": "true_false", "prompt": "Rust has a borrow checker", "points": 1},
  {"id": "q3", "type": "short_answer", "prompt": "The language?", "points": 2,
   "case_sensitive": false},
  {"id": "q4", "type": "essay", "prompt": "Explain ownership", "points": 5}
]"#;

const COURSES: [&str; 4] = ["pub1", "draft1", "pub2", "draft2"];

/// The content of course `{c}`: a published and a draft lesson, a block and an assessment
/// each, and a final assessment, all with answer keys.
const COURSE_TEMPLATE: &str = r#"
insert into lessons (id, course_id, title, order_index, is_published) values
  ('{{c}_l}', '{{c}}', '{c} lesson', 0, true),
  ('{{c}_d}', '{{c}}', '{c} draft', 1, false);
insert into content_blocks (id, lesson_id, type, content, order_index) values
  ('{{c}_l_b}', '{{c}_l}', 'rich_text', '{"html": "<p>{c}</p>"}', 0),
  ('{{c}_d_b}', '{{c}_d}', 'rich_text', '{"html": "<p>{c} draft</p>"}', 0);
insert into assessments (id, lesson_id, course_id, title, questions) values
  ('{{c}_l_a}', '{{c}_l}', null, '{c} quiz', $q$$QUESTIONS$q$),
  ('{{c}_d_a}', '{{c}_d}', null, '{c} draft quiz', $q$$QUESTIONS$q$),
  ('{{c}_f}', null, '{{c}}', '{c} final', $q$$QUESTIONS$q$);
update lessons set assessment_id = '{{c}_l_a}' where id = '{{c}_l}';
update lessons set assessment_id = '{{c}_d_a}' where id = '{{c}_d}';
update courses set final_assessment_id = '{{c}_f}' where id = '{{c}}';
"#;

/// Ids of everything seeded, by placeholder name.
struct World {
    ids: BTreeMap<String, Uuid>,
}

impl World {
    fn new() -> Self {
        let mut names: Vec<String> = [
            "s1", "s2", "i1", "i2", "admin", "att_s1", "att_s1_f", "att_s2",
        ]
        .map(String::from)
        .to_vec();
        for c in COURSES {
            names.push(c.to_owned());
            for suffix in ["l", "d", "l_b", "d_b", "l_a", "d_a", "f"] {
                names.push(format!("{c}_{suffix}"));
            }
        }
        World {
            ids: names.into_iter().map(|n| (n, Uuid::new_v4())).collect(),
        }
    }

    /// Replaces every `{name}` placeholder by its id.
    fn sql(&self, template: &str) -> String {
        let mut sql = template.to_owned();
        for (name, id) in &self.ids {
            sql = sql.replace(&format!("{{{name}}}"), &id.to_string());
        }
        sql
    }

    /// Seeds the world as the (superuser) pool user.
    async fn seed(&self, pool: &PgPool) {
        let mut sql = String::from(
            "insert into auth.users (id, email) values
               ('{s1}', 's1@example.org'), ('{s2}', 's2@example.org'),
               ('{i1}', 'i1@example.org'), ('{i2}', 'i2@example.org'),
               ('{admin}', 'admin@example.org');
             update profiles set role = 'instructor' where id in ('{i1}', '{i2}');
             update profiles set role = 'admin' where id = '{admin}';
             insert into courses (id, title, instructor_id, is_published) values
               ('{pub1}', 'pub1', '{i1}', true), ('{draft1}', 'draft1', '{i1}', false),
               ('{pub2}', 'pub2', '{i2}', true), ('{draft2}', 'draft2', '{i2}', false);
            ",
        );
        for c in COURSES {
            sql.push_str(
                &COURSE_TEMPLATE
                    .replace("{c}", c)
                    .replace("$QUESTIONS", QUESTIONS),
            );
        }
        sql.push_str(
            "insert into enrollments (student_id, course_id) values
               ('{s1}', '{pub1}'), ('{s1}', '{draft1}'), ('{s2}', '{pub2}');
             insert into assessment_attempts (id, assessment_id, student_id, attempt_number, answers,
                                              score, points_earned, total_points, passed,
                                              started_at, submitted_at, feedback) values
               ('{att_s1}', '{pub1_l_a}', '{s1}', 1, '{\"q1\": \"a\"}', 80, 8, 9, true,
                now() - interval '1 hour', now(), '{\"q1\": \"well done\"}'),
               ('{att_s1_f}', '{draft1_f}', '{s1}', 1, '{}', null, null, null, null, now(), null, null),
               ('{att_s2}', '{pub2_f}', '{s2}', 1, '{}', 40, 4, 9, false,
                now() - interval '1 hour', now(), '{}');
             insert into student_progress (student_id, course_id, lesson_id, status, completion_percentage) values
               ('{s1}', '{pub1}', '{pub1_l}', 'completed', 100),
               ('{s2}', '{pub2}', null, 'in_progress', 50);
             insert into personalized_roadmaps (student_id, course_id) values
               ('{s1}', '{pub1}'), ('{s2}', '{pub2}');
             insert into knowledge_models (course_id, skill, prior, learn, guess, slip) values
               ('{pub1}', 'loops', 0.2, 0.1, 0.2, 0.1), ('{pub2}', 'loops', 0.2, 0.1, 0.2, 0.1);
             insert into learning_progress (student_id, content_id, content_type) values
               ('{s1}', '{pub1_l_b}', 'content_block'), ('{s2}', '{pub2_l_b}', 'content_block');
             insert into accommodations (course_id, student_id, assessment_id, extra_minutes) values
               ('{pub1}', '{s1}', null, 10), ('{pub2}', '{s2}', '{pub2_f}', 20);
             insert into course_staff (course_id, user_id, role) values
               ('{pub1}', '{i2}', 'grader'), ('{draft2}', '{s2}', 'grader');
             insert into assessment_item_responses (attempt_id, assessment_id, course_id,
                 student_id, attempt_number, score, passed, question_ids, kinds, points,
                 max_points, outcomes, responses) values
               ('{att_s1}', '{pub1_l_a}', '{pub1}', '{s1}', 1, 80, true, '{q1}',
                't', '{8}', '{9}', 'p', '{true}'),
               ('{att_s2}', '{pub2_f}', '{pub2}', '{s2}', 1, 40, false, '{q1}',
                't', '{4}', '{9}', 'p', '{false}');
            ",
        );
        sqlx::raw_sql(&self.sql(&sql)).execute(pool).await.unwrap();
    }

    /// Starts a transaction acting as `persona`.
    async fn begin_as(
        &self,
        pool: &PgPool,
        persona: Persona,
        receipts: &[(&str, &str)],
    ) -> sqlx::Transaction<'static, sqlx::Postgres> {
        let mut tx = pool.begin().await.unwrap();
        for (target, document) in receipts {
            common::vouch(&mut tx, target, document).await;
        }
        let (role, sub) = match persona {
            Persona::Anon => ("anon", None),
            Persona::Student | Persona::Service => ("authenticated", Some("s1")),
            Persona::Instructor => ("authenticated", Some("i1")),
            Persona::Admin => ("authenticated", Some("admin")),
        };
        sqlx::query(&format!("set local role {role}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        let claims = match sub {
            Some(name) => serde_json::json!({"sub": self.ids[name], "role": role}),
            None => serde_json::json!({"role": role}),
        };
        sqlx::query("select set_config('request.jwt.claims', $1, true)")
            .bind(claims.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
        if persona == Persona::Service {
            sqlx::query("set local role service_role")
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx
    }

    /// Runs one check as `persona` and returns what it gave.
    async fn run(&self, pool: &PgPool, persona: Persona, check: &Check) -> Result<Expect, String> {
        // `receipt <target> <json>`: the library's receipt for a document, made before the
        // persona acts (what the library's validated path does, docs/security.md)
        let (receipts, statements): (Vec<&str>, Vec<&str>) = check
            .sql
            .split(" ;; ")
            .partition(|s| s.starts_with("receipt "));
        let receipts: Vec<(String, String)> = receipts
            .iter()
            .map(|r| {
                let (target, json) = r["receipt ".len()..].split_once(' ').unwrap();
                (target.to_owned(), self.sql(json))
            })
            .collect();
        let receipts: Vec<(&str, &str)> = receipts
            .iter()
            .map(|(t, j)| (t.as_str(), j.as_str()))
            .collect();
        let mut tx = self.begin_as(pool, persona, &receipts).await;
        let statements: Vec<String> = statements.iter().map(|s| self.sql(s)).collect();
        let (last, before) = statements.split_last().unwrap();
        for statement in before {
            sqlx::raw_sql(statement)
                .execute(&mut *tx)
                .await
                .map_err(|e| format!("setup `{statement}` failed: {e}"))?;
        }
        let outcome = if last.trim_start().starts_with("select") {
            sqlx::query_scalar::<_, Option<String>>(&format!(
                "select t.x::text from ({last}) as t(x)"
            ))
            .fetch_one(&mut *tx)
            .await
            .map(|v| {
                let v = v.unwrap_or_else(|| "null".to_owned());
                match v.parse::<i64>() {
                    Ok(n) => Expect::Rows(n),
                    Err(_) => Expect::Text(Box::leak(v.into_boxed_str())),
                }
            })
        } else {
            sqlx::query(last)
                .execute(&mut *tx)
                .await
                .map(|r| Expect::Rows(i64::try_from(r.rows_affected()).unwrap()))
        };
        let outcome = match outcome {
            Ok(expect) => expect,
            Err(sqlx::Error::Database(e)) => Expect::Error(Box::leak(
                e.code().unwrap_or_default().into_owned().into_boxed_str(),
            )),
            Err(e) => return Err(format!("{e}")),
        };
        tx.rollback().await.unwrap();
        Ok(outcome)
    }
}

/// Seeds a new world and runs every check of the matrix on it; returns the world and the
/// failures, one line each.
async fn seed_and_run_matrix(pool: &PgPool) -> (World, Vec<String>) {
    let world = World::new();
    world.seed(pool).await;
    let failures = run_matrix(pool, &world).await;
    (world, failures)
}

/// Runs every check of the matrix on a seeded world.
async fn run_matrix(pool: &PgPool, world: &World) -> Vec<String> {
    let mut failures = Vec::new();
    let matrix = matrix();
    for cell in &matrix.cells {
        for check in &cell.checks {
            let mut expect = check.expect.clone();
            if let Expect::Text(t) = expect {
                // a text expectation may name a placeholder
                expect = Expect::Text(Box::leak(world.sql(t).into_boxed_str()));
            }
            match world.run(pool, cell.persona, check).await {
                Ok(got) if got == expect => {}
                Ok(got) => failures.push(format!(
                    "{:?} {} {}: `{}` gave {got:?}, expected {expect:?}",
                    cell.persona,
                    cell.table,
                    cell.op.name(),
                    check.sql
                )),
                Err(e) => failures.push(format!(
                    "{:?} {} {}: `{}`: {e}",
                    cell.persona,
                    cell.table,
                    cell.op.name(),
                    check.sql
                )),
            }
        }
    }
    failures
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn every_cell_of_the_access_matrix_holds(pool: PgPool) {
    let (_, failures) = seed_and_run_matrix(&pool).await;
    assert!(
        failures.is_empty(),
        "{} failing checks:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The same matrix on a Supabase-like database: its `auth` schema, and default
/// privileges granting ALL on new tables and functions to the API roles, which the
/// migration's revokes must undo.
#[sqlx::test(migrations = false)]
async fn every_cell_of_the_access_matrix_holds_on_supabase(pool: PgPool) {
    common::supabase_setup(&pool).await;
    lms_db::MIGRATOR.run(&pool).await.unwrap();
    let (_, failures) = seed_and_run_matrix(&pool).await;
    assert!(
        failures.is_empty(),
        "{} failing checks:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every cell of the matrix has a rule and at least one check, and every (table,
/// operation, persona) is covered.
#[test]
fn the_matrix_is_complete() {
    let matrix = matrix();
    let mut seen = BTreeMap::new();
    for cell in &matrix.cells {
        assert!(
            !cell.checks.is_empty(),
            "{} {:?} {:?}",
            cell.table,
            cell.op,
            cell.persona
        );
        let key = (cell.table, cell.op, cell.persona);
        assert!(seen.insert(key, ()).is_none(), "duplicate cell {key:?}");
    }
    for table in TABLES {
        for op in [Op::Select, Op::Insert, Op::Update, Op::Delete] {
            for persona in PERSONAS {
                assert!(
                    seen.contains_key(&(table, op, persona)),
                    "missing cell {table} {op:?} {persona:?}"
                );
            }
        }
    }
}

/// Renders the matrix as the markdown of docs/security.md's generated section.
fn render(matrix: &Matrix) -> String {
    let mut tables: Vec<&str> = Vec::new();
    for cell in &matrix.cells {
        if !tables.contains(&cell.table) {
            tables.push(cell.table);
        }
    }
    tables.sort_by_key(|t| TABLES.iter().position(|x| x == t).unwrap_or(TABLES.len()));
    let mut out = String::new();
    for table in tables {
        let cells: Vec<&Cell> = matrix.cells.iter().filter(|c| c.table == table).collect();
        let mut ops: Vec<Op> = cells.iter().map(|c| c.op).collect();
        ops.sort();
        ops.dedup();
        let _ = writeln!(out, "\n### `{table}`\n");
        let _ = write!(out, "| |");
        for p in PERSONAS {
            let _ = write!(out, " {} |", p.column());
        }
        let _ = write!(out, "\n|---|");
        for _ in PERSONAS {
            let _ = write!(out, "---|");
        }
        out.push('\n');
        for op in ops {
            let _ = write!(out, "| {} |", op.name());
            for p in PERSONAS {
                let text = cells
                    .iter()
                    .find(|c| c.op == op && c.persona == p)
                    .map_or("·", |c| c.allowed);
                let _ = write!(out, " {} |", text.replace('|', "\\|"));
            }
            out.push('\n');
        }
    }
    out
}

const BEGIN: &str = "<!-- BEGIN GENERATED MATRIX (lms-db/tests/rls.rs; UPDATE_DOCS=1 cargo test -p lms-db --test rls) -->";
const END: &str = "<!-- END GENERATED MATRIX -->";

/// docs/security.md's matrix is the one tested here (`UPDATE_DOCS=1` rewrites it).
#[test]
fn docs_security_md_shows_this_matrix() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/security.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = doc.find(END).expect("end marker");
    let rendered = format!("\n{}\n", render(&matrix()));
    let updated = format!("{}{rendered}{}", &doc[..start], &doc[end..]);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &updated).unwrap();
    } else {
        assert!(
            doc == updated,
            "docs/security.md is out of date: run UPDATE_DOCS=1 cargo test -p lms-db --test rls"
        );
    }
}

/// A user connected as `authenticated` (the session user itself, as when a client gets
/// a direct connection) cannot switch to `service_role`, nor back to the session's
/// original user: only the library's own session can take the trusted path.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn authenticated_cannot_become_service_role(pool: PgPool) {
    let member: bool = sqlx::query_scalar(
        "select pg_has_role('authenticated', 'service_role', 'member') \
             or pg_has_role('anon', 'service_role', 'member') \
             or pg_has_role('anon', 'authenticated', 'member')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!member);

    let whoami: String = sqlx::query_scalar("select current_user::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    for statement in [
        "set role service_role".to_owned(),
        "set local role service_role".to_owned(),
        format!("set role \"{whoami}\""),
    ] {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("set local session authorization authenticated")
            .execute(&mut *tx)
            .await
            .unwrap();
        let err = sqlx::query(&statement).execute(&mut *tx).await.unwrap_err();
        let code = err
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{statement}: {err}");
        tx.rollback().await.unwrap();
    }
}

/// The one stripping function removes every answer key and keeps everything else, in order.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn strip_answer_keys_keeps_only_the_fields_students_see(pool: PgPool) {
    let stripped: serde_json::Value =
        sqlx::query_scalar("select lms_private.strip_answer_keys($1::jsonb)")
            .bind(QUESTIONS)
            .fetch_one(&pool)
            .await
            .unwrap();
    let expected: serde_json::Value = serde_json::from_str(STRIPPED).unwrap();
    assert_eq!(stripped, expected);
    // other shapes: elements that are not questions are dropped, fields of the wrong
    // type too, and so is anything not on the allowlist
    for (input, output) in [
        ("[]", "[]"),
        ("{\"q1\": {}}", "[]"),
        ("[1, \"x\", null, [\"answer\"]]", "[]"),
        ("[{\"options\": 3}]", "[{}]"),
        (
            "[{\"id\": \"q\", \"prompt\": {\"answer\": \"42\"}, \"points\": \"1\", \"answer\": \"42\"}]",
            "[{\"id\": \"q\"}]",
        ),
        (
            "[{\"type\": \"multiple_choice\", \"options\": [{\"id\": \"a\", \"text\": \"A\", \"is_correct\": true}, \"b\"]}]",
            "[{\"type\": \"multiple_choice\", \"options\": [{\"id\": \"a\", \"text\": \"A\"}]}]",
        ),
    ] {
        let got: serde_json::Value =
            sqlx::query_scalar("select lms_private.strip_answer_keys($1::jsonb)")
                .bind(input)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(
            got,
            serde_json::from_str::<serde_json::Value>(output).unwrap(),
            "{input}"
        );
    }
}

/// Every table has Row Level Security enabled and forced; every policy names its role
/// (none applies to `public`); `anon` and `authenticated` have no table-wide privilege
/// other than the ones granted on purpose.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn every_table_has_forced_rls_and_every_policy_names_its_role(pool: PgPool) {
    let unprotected: Vec<String> = sqlx::query_scalar(
        "select relname::text from pg_class \
         where relnamespace = 'public'::regnamespace and relkind = 'r' \
           and relname <> '_sqlx_migrations' \
           and not (relrowsecurity and relforcerowsecurity) order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        unprotected.is_empty(),
        "without forced RLS: {unprotected:?}"
    );

    let to_public: Vec<String> = sqlx::query_scalar(
        "select tablename || '.' || policyname from pg_policies \
         where schemaname = 'public' and roles && array['public']::name[] order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        to_public.is_empty(),
        "policies for every role: {to_public:?}"
    );

    let policies: i64 =
        sqlx::query_scalar("select count(*) from pg_policies where schemaname = 'public'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(policies >= 27, "only {policies} policies");

    // no function of lms_private, of the API or running as its owner in public is
    // executable by PUBLIC
    let public_exec: Vec<String> = sqlx::query_scalar(
        "select p.oid::regprocedure::text from pg_proc p \
         where (p.pronamespace = 'lms_private'::regnamespace \
                or (p.prosecdef and p.pronamespace = 'public'::regnamespace) \
                or p.oid in ('public.assessment_questions(uuid)'::regprocedure, \
                             'public.set_user_role(uuid, public.user_role)'::regprocedure)) \
           and has_function_privilege('public', p.oid, 'execute') order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        public_exec.is_empty(),
        "executable by PUBLIC: {public_exec:?}"
    );
    // a security definer trigger function the API roles could execute could be attached
    // to a temporary table of their own and run as its owner on rows they choose
    let borrowable: Vec<String> = sqlx::query_scalar(
        "select r || ': ' || p.oid::regprocedure::text from pg_proc p, \
                unnest(array['anon', 'authenticated']) r \
         where p.prosecdef and p.prorettype = 'trigger'::regtype \
           and has_function_privilege(r, p.oid, 'execute') order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        borrowable.is_empty(),
        "security definer triggers executable by the API roles: {borrowable:?}"
    );

    // every security definer function pins its search_path, pg_temp last (tests/hardening.rs)
    let unpinned: Vec<String> = sqlx::query_scalar(
        "select p.oid::regprocedure::text from pg_proc p \
         where p.prosecdef and p.pronamespace in ('public'::regnamespace, 'lms_private'::regnamespace) \
           and not coalesce(p.proconfig @> array['search_path=pg_catalog, pg_temp'], false) \
         order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        unpinned.is_empty(),
        "security definer without search_path pg_catalog, pg_temp: {unpinned:?}"
    );
}

/// The migrating user is an ordinary database owner (no superuser, no BYPASSRLS): the
/// migrations still run and revert, the forced policies apply to it as the tables' owner,
/// the helpers and the sign-up trigger (owned by `service_role`) still see every row, the
/// matrix holds, and the trusted path works from its session.
#[sqlx::test(migrations = false)]
async fn a_non_superuser_owner_migrates_and_is_subject_to_rls(pool: PgPool) {
    // what a superuser prepares once per cluster: the API roles (BYPASSRLS needs a
    // superuser) and a login role owning the database
    sqlx::raw_sql(common::API_ROLES)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::raw_sql(
        r#"
        do $$ begin
          if not exists (select 1 from pg_roles where rolname = 'lms_test_migrator') then
            create role lms_test_migrator login createrole password 'lms_test_migrator';
          end if;
        exception when duplicate_object or unique_violation then null;
        end $$;
        do $$ begin
          execute format('alter database %I owner to lms_test_migrator', current_database());
        end $$;
        "#,
    )
    .execute(&pool)
    .await
    .unwrap();
    let options = (*pool.connect_options())
        .clone()
        .username("lms_test_migrator")
        .password("lms_test_migrator");
    let owner = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let superuser: bool = sqlx::query_scalar(
        "select rolsuper or rolbypassrls from pg_roles where rolname = current_user",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    assert!(!superuser);

    lms_db::MIGRATOR.run(&owner).await.unwrap();

    let (world, failures) = seed_and_run_matrix(&pool).await;
    assert!(
        failures.is_empty(),
        "{} failing checks:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // the owner itself does not bypass RLS (forced): as a member of anon and
    // authenticated, without claims, it sees the catalog, not the 4 courses
    let seen: i64 = sqlx::query_scalar("select count(*) from courses")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(seen, 2);

    // the sign-up trigger still creates profiles when the owner inserts a user
    sqlx::query(
        "insert into auth.users (id, email) values (gen_random_uuid(), 'late@example.org')",
    )
    .execute(&owner)
    .await
    .unwrap();
    let profiles: i64 = sqlx::query_scalar("select count(*) from profiles")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(profiles, 6);

    // the trusted path from the owner's session
    let mut tx = owner.begin().await.unwrap();
    sqlx::query("set local role authenticated")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("select set_config('request.jwt.claims', $1, true)")
        .bind(serde_json::json!({"sub": world.ids["s1"], "role": "authenticated"}).to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let visible: i64 = sqlx::query_scalar("select count(*) from courses")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(visible, 3);
    sqlx::query("set local role service_role")
        .execute(&mut *tx)
        .await
        .unwrap();
    let graded = sqlx::query("update assessment_attempts set passed = true where student_id = $1")
        .bind(world.ids["s1"])
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(graded.rows_affected(), 2);
    tx.rollback().await.unwrap();

    lms_db::MIGRATOR.undo(&owner, 0).await.unwrap();
    owner.close().await;
}

/// A bigger world for the plans: 2,000 students and 20 instructors, 200 courses of 10
/// published lessons with an assessment each, 5 enrollments per student (10,000), one
/// attempt per enrolled student and lesson assessment (100,000), one course progress row
/// per enrollment. Shared with the RLS bench (`benches/rls.rs`).
const BIG_WORLD: &str = include_str!("sql/big_world.sql");

/// The plan of `query` run (EXPLAIN ANALYZE) as the user `who` under RLS.
async fn plan_as(pool: &PgPool, who: Uuid, query: &str, param: Uuid) -> String {
    let mut tx = pool.begin().await.unwrap();
    common::act_as(
        &mut tx,
        "authenticated",
        serde_json::json!({"sub": who, "role": "authenticated"}),
    )
    .await;
    let sql = format!("explain (analyze, costs off) {query}");
    let mut explain = sqlx::query_scalar(&sql).bind(param);
    if query.contains("limit $2 offset $3") {
        // the gradebook's largest page: the whole course
        explain = explain
            .bind(i64::from(lms_core::repo::Page::MAX_LIMIT))
            .bind(0_i64);
    }
    let lines: Vec<String> = explain.fetch_all(&mut *tx).await.unwrap();
    tx.rollback().await.unwrap();
    lines.join("\n")
}

/// The library's student dashboard and instructor gradebook (`lms_db::analytics::queries`,
/// with their parameter bound), under RLS, on 100,000 attempts: the big tables are read
/// through their indexes, never scanned whole. (The queries filter on the actor or the
/// course as well as RLS does: a policy's OR of several rules is a filter, the query's
/// own predicate is what picks an index.)
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn dashboard_and_gradebook_use_indexes_under_rls(pool: PgPool) {
    use lms_db::analytics::queries;

    sqlx::raw_sql(BIG_WORLD).execute(&pool).await.unwrap();
    let attempts: i64 = sqlx::query_scalar("select count(*) from assessment_attempts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(attempts >= 100_000, "{attempts} attempts");
    let student: Uuid =
        sqlx::query_scalar("select student_id from enrollments order by student_id limit 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    let (instructor, course): (Uuid, Uuid) =
        sqlx::query_as("select instructor_id, id from courses order by title limit 1")
            .fetch_one(&pool)
            .await
            .unwrap();

    let plans = [
        (
            "dashboard courses",
            plan_as(&pool, student, queries::DASHBOARD_COURSES, student).await,
        ),
        (
            "dashboard attempts",
            plan_as(&pool, student, queries::DASHBOARD_ATTEMPTS, student).await,
        ),
        (
            "gradebook",
            plan_as(&pool, instructor, queries::GRADEBOOK, course).await,
        ),
    ];
    for (what, plan) in &plans {
        for table in ["assessment_attempts", "enrollments", "student_progress"] {
            assert!(
                !plan.contains(&format!("Seq Scan on {table}")),
                "{what} scans {table}:\n{plan}"
            );
        }
        if std::env::var_os("SHOW_PLANS").is_some() {
            println!("== {what}\n{plan}\n");
        }
    }
    // the gradebook reads its course's 500 attempts (50 students × 10 quizzes), the
    // dashboard the student's 5 enrolments and their 50 attempts
    for (plan, scan, rows) in [
        (&plans[2].1, "on assessment_attempts at", "rows=500 "),
        (&plans[1].1, "on assessment_attempts at", "rows=50 "),
        (&plans[0].1, "on enrollments e", "rows=5 "),
    ] {
        let line = plan.lines().find(|l| l.contains(scan)).unwrap_or_default();
        assert!(line.contains(rows), "{scan}: {rows} expected in:\n{plan}");
    }
}

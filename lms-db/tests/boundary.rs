//! Documents at the boundary (migration `20261201000008`): whoever writes, the database
//! keeps only documents the library accepts, and students see only the allowlisted fields
//! of a question. Raw SQL as each API role (Supabase's claims, `set local role`), the
//! library's validated path, the student view against `lms-core`'s classification, and
//! the documents stored before the boundary.
#![allow(clippy::unwrap_used)]

mod world;

use lms_core::documents::{
    fields_of, student_view, Document, FieldUse, Question, QuestionSet, OPTION_FIELDS,
    QUESTION_FIELDS,
};
use lms_core::model::{ContentType, UserId};
use lms_core::repo::{AssessmentOwner, ContentBlockPatch, NewContentBlock, ProfilePatch};
use lms_db::documents::{DocumentIssue, DOCUMENT_COLUMNS};
use lms_db::Lms;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;
use world::{common, World};

/// Runs `sql` in a transaction as `role` with `sub` in the claims, as a Supabase client
/// would (the statement's SQLSTATE on failure), and rolls back.
async fn raw(pool: &PgPool, role: &str, sub: Option<UserId>, sql: &str) -> Result<u64, String> {
    let mut tx = pool.begin().await.unwrap();
    let claims = match sub {
        Some(id) => json!({"sub": id, "role": role}),
        None => json!({"role": role}),
    };
    common::act_as(&mut tx, role, claims).await;
    let outcome = match sqlx::query(sql).execute(&mut *tx).await {
        Ok(done) => Ok(done.rows_affected()),
        Err(sqlx::Error::Database(e)) => Err(e.code().unwrap_or_default().into_owned()),
        Err(e) => Err(e.to_string()),
    };
    tx.rollback().await.unwrap();
    outcome
}

/// The personas of the acceptance: who tries, as which role and user.
fn personas(w: &World) -> [(&'static str, &'static str, Option<UserId>); 4] {
    [
        ("anon", "anon", None),
        ("student", "authenticated", Some(w.student)),
        ("instructor", "authenticated", Some(w.instructor)),
        ("admin", "authenticated", Some(w.admin)),
    ]
}

const XSS: &str =
    r#"<p>Hello</p><img src=x onerror="alert(document.cookie)"><script>alert(1)</script>"#;

fn xss_content() -> Value {
    json!({"rich_text": {"html": XSS, "plain_text": "Hello"}})
}

/// Case 1: a `rich_text` block carrying a script and an event handler is refused to every
/// API role, as an insert or an update; through the library it is stored sanitized, and
/// that is what an enrolled student reads back, directly or through the library.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn script_in_rich_text_never_reaches_a_student(pool: PgPool) {
    let w = world::world(pool.clone(), true).await;
    let content = xss_content().to_string().replace('\'', "''");
    let insert = format!(
        "insert into public.content_blocks (lesson_id, type, content, order_index) \
         values ('{}', 'rich_text', '{content}', 9)",
        w.lesson1
    );
    let update = format!(
        "update public.content_blocks set content = '{content}' where id = '{}'",
        w.block1
    );
    for (who, role, sub) in personas(&w) {
        for sql in [&insert, &update] {
            let got = raw(&pool, role, sub, sql).await;
            // anon has no privilege, a student's update reaches no row; the staff are
            // refused by the receipt gate
            match who {
                "student" if sql == &update => assert_eq!(got, Ok(0), "{who}: {sql}"),
                _ => assert_eq!(got, Err("42501".into()), "{who}: {sql}"),
            }
        }
    }

    let author = w.lms.as_user(w.instructor);
    let block = author
        .create_block(NewContentBlock {
            lesson_id: w.lesson1,
            content_type: ContentType::RichText,
            content: xss_content(),
            order_index: 9,
            metadata: json!({"source": "pasted"}),
        })
        .await
        .unwrap();
    let expected =
        json!({"rich_text": {"html": "<p>Hello</p><img src=\"x\">", "plain_text": "Hello"}});
    assert_eq!(block.content, expected);
    let updated = author
        .update_block(
            w.block2,
            ContentBlockPatch {
                content: Some((ContentType::RichText, xss_content())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.content, expected);

    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    for b in me.list_blocks(w.lesson1).await.unwrap() {
        let html = b.content.to_string();
        assert!(
            !html.contains("script") && !html.contains("onerror"),
            "{html}"
        );
    }
    // and as a Supabase client reading the table
    let mut tx = pool.begin().await.unwrap();
    common::act_as(
        &mut tx,
        "authenticated",
        json!({"sub": w.student, "role": "authenticated"}),
    )
    .await;
    let stored: Vec<Value> =
        sqlx::query_scalar("select content from public.content_blocks where lesson_id = $1")
            .bind(w.lesson1.0)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(stored.len(), 3);
    assert!(stored
        .iter()
        .all(|c| !c.to_string().contains("<script") && !c.to_string().contains("onerror")));
}

/// Case 2: a question set the library cannot read is refused to every API role; the
/// library refuses it with `invalid_document`; a valid one still goes through.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_question_set_the_library_cannot_read_is_refused(pool: PgPool) {
    let w = world::world(pool.clone(), false).await;
    let nonsense = r#"[{"kind": "nonsense"}]"#;
    let valid = world::questions().to_string().replace('\'', "''");
    for (who, role, sub) in personas(&w) {
        let insert = format!(
            "insert into public.assessments (lesson_id, title, questions) \
             values ('{}', 'Q', '{nonsense}')",
            w.lesson1
        );
        let update = format!(
            "update public.assessments set questions = '{nonsense}' where id = '{}'",
            w.quiz1
        );
        // even a valid document: only the library's validated path writes questions
        let valid_update = format!(
            "update public.assessments set questions = '{valid}' where id = '{}'",
            w.quiz1
        );
        for sql in [&insert, &update, &valid_update] {
            let got = raw(&pool, role, sub, sql).await;
            match who {
                "student" if sql != &insert => assert_eq!(got, Ok(0), "{who}: {sql}"),
                _ => assert_eq!(got, Err("42501".into()), "{who}: {sql}"),
            }
        }
    }
    let author = w.lms.as_user(w.instructor);
    let refused = author
        .update_assessment(
            w.quiz1,
            lms_core::repo::AssessmentPatch {
                questions: Some(serde_json::from_str(nonsense).unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "invalid_document");
    let mut quiz = world::new_quiz(AssessmentOwner::Lesson(w.lesson1), "Second quiz");
    quiz.questions = serde_json::from_str(nonsense).unwrap();
    assert_eq!(
        author.create_assessment(quiz).await.unwrap_err().code(),
        "invalid_document"
    );
    // the valid path: create and update through the library, as the author and an admin
    let created = author
        .create_assessment(world::new_quiz(
            AssessmentOwner::Lesson(w.lesson1),
            "Second quiz",
        ))
        .await
        .unwrap();
    assert_eq!(
        QuestionSet::validate(&created.questions).unwrap().0.len(),
        2
    );
    w.lms
        .as_user(w.admin)
        .update_assessment(
            created.id,
            lms_core::repo::AssessmentPatch {
                questions: Some(json!([])),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

/// Case 3: a student cannot store learning preferences with an unknown pace or extra keys
/// — nor any preferences but through the library, which validates them.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn learning_preferences_are_stored_only_valid(pool: PgPool) {
    let w = world::world(pool.clone(), false).await;
    let bad = r#"{"preferred_pace": "warp", "preferred_media_types": [], "learning_style": "mixed", "planner_override": true}"#;
    let good = r#"{"preferred_pace": "slow", "preferred_media_types": ["video"], "learning_style": "visual"}"#;
    for (who, role, sub) in personas(&w) {
        for doc in [bad, good] {
            let sql = format!(
                "update public.profiles set learning_preferences = '{doc}' where id = '{}'",
                sub.map_or(w.student.0, |u| u.0)
            );
            let got = raw(&pool, role, sub, &sql).await;
            assert_eq!(got, Err("42501".into()), "{who}: {doc}");
        }
    }
    // names still change directly
    let sql = format!(
        "update public.profiles set first_name = 'Sam' where id = '{}'",
        w.student
    );
    assert_eq!(
        raw(&pool, "authenticated", Some(w.student), &sql).await,
        Ok(1)
    );

    let me = w.lms.as_user(w.student);
    let patch = |doc: &str| ProfilePatch {
        learning_preferences: Some(serde_json::from_str(doc).unwrap()),
        ..Default::default()
    };
    let refused = me.update_profile(w.student, patch(bad)).await.unwrap_err();
    assert_eq!(refused.code(), "invalid_document");
    let updated = me.update_profile(w.student, patch(good)).await.unwrap();
    assert_eq!(
        updated.learning_preferences,
        Some(serde_json::from_str::<Value>(good).unwrap())
    );
    // an admin sets someone's preferences through the library too
    w.lms
        .as_user(w.admin)
        .update_profile(w.student, patch(good))
        .await
        .unwrap();
}

/// Case 4: questions written in other shapes (imported, or stored before the boundary)
/// reach students without any field outside the allowlist, whatever its name.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn questions_in_other_shapes_reach_students_without_their_keys(pool: PgPool) {
    let w = world::world(pool.clone(), true).await;
    let foreign = json!([
        {"type": "short_answer", "id": "q1", "prompt": "6 x 7?", "points": 1,
         "answer": "42", "solution": "six sevens", "accepted_answers": ["42", "forty-two"]},
        {"type": "multiple_choice", "id": "q2", "prompt": "Pick", "points": 1,
         "options": [{"id": "a", "text": "A", "is_correct": true, "feedback": "yes"},
                     {"id": "b", "text": "B", "score": 0}],
         "correct_option": "a"},
        {"type": "true_false", "id": "q3", "prompt": "T?", "points": {"correct": true}},
        "the answer is 42"
    ]);
    // a trusted writer (the owner) stores it as it came: no receipt needed there
    sqlx::query("update public.assessments set questions = $2 where id = $1")
        .bind(w.quiz1.0)
        .bind(&foreign)
        .execute(&pool)
        .await
        .unwrap();
    w.lms.as_user(w.student).enroll(w.course).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    common::act_as(
        &mut tx,
        "authenticated",
        json!({"sub": w.student, "role": "authenticated"}),
    )
    .await;
    let seen: Value = sqlx::query_scalar("select public.assessment_questions($1)")
        .bind(w.quiz1.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        seen,
        json!([
            {"type": "short_answer", "id": "q1", "prompt": "6 x 7?", "points": 1},
            {"type": "multiple_choice", "id": "q2", "prompt": "Pick", "points": 1,
             "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
            {"type": "true_false", "id": "q3", "prompt": "T?"}
        ])
    );
    // the library's students' path reads the same function
    assert_eq!(
        w.lms
            .as_user(w.student)
            .assessment_questions(w.quiz1)
            .await
            .unwrap(),
        seen
    );
    // anon may not call it at all
    let sql = format!("select public.assessment_questions('{}')", w.quiz1);
    assert_eq!(raw(&pool, "anon", None, &sql).await, Err("42501".into()));
}

/// A document rewritten so that `jsonb` equality still holds (a number's digits) is a
/// change: it needs a receipt like any other. (Found by review: `10` → `10.000` made the
/// library refuse the questions, and so every student's attempt.)
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_document_equal_as_jsonb_but_not_as_text_is_a_change(pool: PgPool) {
    let w = world::world(pool.clone(), true).await;
    sqlx::query("update public.content_blocks set metadata = '{\"k\": 1}' where id = $1")
        .bind(w.block1.0)
        .execute(&pool)
        .await
        .unwrap();
    for (sql, who) in [
        (
            format!(
                "update public.assessments set questions = \
                   jsonb_set(questions, '{{0,points}}', '1.000'::jsonb) where id = '{}'",
                w.quiz1
            ),
            w.instructor,
        ),
        (
            format!(
                "update public.content_blocks set metadata = '{{\"k\": 1.0}}'::jsonb \
                  where id = '{}'",
                w.block1
            ),
            w.admin,
        ),
    ] {
        assert_eq!(
            raw(&pool, "authenticated", Some(who), &sql).await,
            Err("42501".into()),
            "{sql}"
        );
    }
    // the stored questions still read as the library wrote them
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    me.start_attempt(w.quiz1).await.unwrap();
    me.save_answers(w.quiz1, &world::answers(2)).await.unwrap();
}

/// A receipt vouches for one document, one column and one transaction: not for another
/// document, column or transaction; and API roles cannot make one.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_receipt_is_for_one_document_column_and_transaction(pool: PgPool) {
    let w = world::world(pool.clone(), false).await;
    let good =
        r#"{"preferred_pace": "slow", "preferred_media_types": [], "learning_style": "mixed"}"#;
    let update = |doc: &str| {
        format!(
            "update public.profiles set learning_preferences = '{doc}' where id = '{}'",
            w.student
        )
    };
    let claims = json!({"sub": w.student, "role": "authenticated"});
    let attempt = |receipts: Vec<(&'static str, String)>, doc: String| {
        let pool = pool.clone();
        let claims = claims.clone();
        let sql = update(&doc);
        async move {
            let mut tx = pool.begin().await.unwrap();
            for (target, d) in &receipts {
                common::vouch(&mut tx, target, d).await;
            }
            common::act_as(&mut tx, "authenticated", claims).await;
            let got = sqlx::query(&sql).execute(&mut *tx).await;
            let code = got.err().map(|e| match e {
                sqlx::Error::Database(d) => d.code().unwrap_or_default().into_owned(),
                e => e.to_string(),
            });
            tx.rollback().await.unwrap();
            code
        }
    };
    let target = "profiles.learning_preferences";
    assert_eq!(
        attempt(vec![(target, good.into())], good.into()).await,
        None
    );
    // another document, another column
    let other = good.replace("slow", "fast");
    assert_eq!(
        attempt(vec![(target, other.clone())], good.into()).await,
        Some("42501".into())
    );
    assert_eq!(
        attempt(
            vec![("profiles.knowledge_profile", good.into())],
            good.into()
        )
        .await,
        Some("42501".into())
    );
    // one receipt, one write: the second write of the same document needs its own
    let mut tx = pool.begin().await.unwrap();
    common::vouch(&mut tx, target, good).await;
    common::act_as(&mut tx, "authenticated", claims.clone()).await;
    sqlx::query(&update(good)).execute(&mut *tx).await.unwrap();
    sqlx::query(&update(&other))
        .execute(&mut *tx)
        .await
        .unwrap_err();
    tx.rollback().await.unwrap();
    // a receipt of a committed transaction is no use to a later one
    let mut tx = pool.begin().await.unwrap();
    common::vouch(&mut tx, target, good).await;
    tx.commit().await.unwrap();
    assert_eq!(attempt(vec![], good.into()).await, Some("42501".into()));
    // API roles can neither read nor make receipts
    for sql in [
        "select count(*) from lms_private.validated_documents",
        "insert into lms_private.validated_documents (target, digest) values ('x', '\\x00')",
        "delete from lms_private.validated_documents",
    ] {
        for role in ["anon", "authenticated"] {
            assert_eq!(
                raw(&pool, role, Some(w.student), sql).await,
                Err("42501".into()),
                "{role}: {sql}"
            );
        }
    }
}

/// The document columns an API role may insert or update, each checked to be guarded by
/// the receipt trigger naming it.
async fn gated_columns(pool: &PgPool) -> Vec<String> {
    let mut gated = Vec::new();
    for c in DOCUMENT_COLUMNS {
        for role in ["anon", "authenticated"] {
            for privilege in ["INSERT", "UPDATE"] {
                let writable: bool =
                    sqlx::query_scalar("select has_column_privilege($1, $2, $3, $4)")
                        .bind(role)
                        .bind(format!("public.{}", c.table))
                        .bind(c.column)
                        .bind(privilege)
                        .fetch_one(pool)
                        .await
                        .unwrap();
                if !writable {
                    continue;
                }
                let has_gate: bool = sqlx::query_scalar(
                    "select exists (select 1 from pg_trigger t \
                       join pg_attribute a on a.attrelid = t.tgrelid and a.attnum = any(t.tgattr) \
                      where t.tgrelid = $1::regclass and t.tgname = 'documents_need_receipts' \
                        and a.attname = $2 and t.tgenabled <> 'D')",
                )
                .bind(format!("public.{}", c.table))
                .bind(c.column)
                .fetch_one(pool)
                .await
                .unwrap();
                assert!(
                    has_gate,
                    "{role} may {privilege} {}.{} ungated",
                    c.table, c.column
                );
                gated.push(format!("{}.{}", c.table, c.column));
            }
        }
    }
    gated.sort();
    gated.dedup();
    gated
}

const GATED: [&str; 5] = [
    "assessments.questions",
    "content_blocks.content",
    "content_blocks.metadata",
    "courses.grading_scheme",
    "profiles.learning_preferences",
];

/// Every document column an API role may insert or update is guarded by a receipt
/// trigger that names the column; the others are not writable by API roles at all. A
/// column granted later without a gate fails here.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn every_document_column_api_roles_may_write_is_gated(pool: PgPool) {
    assert_eq!(gated_columns(&pool).await, GATED);
}

/// The same on a Supabase-like database, whose default privileges grant API roles
/// everything on new tables.
#[sqlx::test(migrations = false)]
async fn every_document_column_api_roles_may_write_is_gated_on_supabase(pool: PgPool) {
    common::supabase_setup(&pool).await;
    lms_db::MIGRATOR.run(&pool).await.unwrap();
    assert_eq!(gated_columns(&pool).await, GATED);
}

/// Documents stored before the boundary: `check_documents` names every row the library
/// would refuse or store differently; `migrate` applying the boundary migration
/// sanitizes the HTML at once and leaves (and reports) what only an author can fix.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn documents_stored_before_the_boundary_are_repaired_or_reported(pool: PgPool) {
    let w = world::world(pool.clone(), true).await;
    lms_db::MIGRATOR.undo(&pool, 20261126000007).await.unwrap();
    // what direct clients could write before: the owner writes it here
    sqlx::raw_sql(&format!(
        r#"update public.content_blocks set content = '{{"rich_text": {{"html": "<p>Hi</p><script>alert(1)</script>", "plain_text": "Hi"}}}}' where id = '{b1}';
           update public.content_blocks set metadata = '{{"nested": {{"a": 1}}}}' where id = '{b2}';
           update public.assessments set questions = '[{{"kind": "nonsense"}}]' where id = '{q2}';
           update public.profiles set learning_preferences = '{{"preferred_pace": "warp"}}' where id = '{s}';"#,
        b1 = w.block1,
        b2 = w.block2,
        q2 = w.quiz2,
        s = w.student
    ))
    .execute(&pool)
    .await
    .unwrap();
    Lms::from_pool(pool.clone()).migrate().await.unwrap();

    let html: Value = sqlx::query_scalar("select content from public.content_blocks where id = $1")
        .bind(w.block1.0)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        html,
        json!({"rich_text": {"html": "<p>Hi</p>", "plain_text": "Hi"}})
    );

    let service = w.lms.as_service();
    let report = service.check_documents().await.unwrap();
    assert_eq!(report.not_normalized, 0, "{report:?}");
    assert_eq!(report.invalid, 3, "{report:?}");
    let mut found: Vec<(&str, &str, Uuid)> = report
        .documents
        .iter()
        .map(|d| (d.column.table, d.column.column, d.row_id))
        .collect();
    found.sort();
    let mut expected = vec![
        ("assessments", "questions", w.quiz2.0),
        ("content_blocks", "metadata", w.block2.0),
        ("profiles", "learning_preferences", w.student.0),
    ];
    expected.sort();
    assert_eq!(found, expected);
    assert!(report.documents.iter().all(|d| matches!(
        &d.issue,
        DocumentIssue::Invalid { problems } if !problems.is_empty()
    )));
    assert!(report.checked >= 10, "{report:?}");

    // a later repair finds nothing more to do; only the service runs these
    assert_eq!(service.repair_documents().await.unwrap().repaired, 0);
    for scope in [w.lms.as_user(w.admin), w.lms.as_anon()] {
        assert_eq!(
            scope.check_documents().await.unwrap_err().code(),
            "forbidden"
        );
        assert_eq!(
            scope.repair_documents().await.unwrap_err().code(),
            "forbidden"
        );
    }
    // the stored nonsense reaches students as an empty question, no key of its own
    let seen: Value = sqlx::query_scalar(
        "select lms_private.strip_answer_keys(questions) from public.assessments where id = $1",
    )
    .bind(w.quiz2.0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(seen, json!([{}]));
}

/// Answer-key texts carry this prefix, so a test can look for them in the student view.
const KEY: &str = "KEY~";

/// A valid question (as `lms-core` would store it), whose answer-key texts carry [`KEY`].
fn question() -> impl Strategy<Value = Value> {
    let id = "[a-z]{1,6}";
    let text = "[ -~&&[^K]]{1,24}";
    let points = 1u32..=1000;
    let key_text = "[a-z]{0,6}".prop_map(|s| format!("{KEY}{s}"));
    let explanation = proptest::option::of(key_text.clone());
    prop_oneof![
        (id, text, points.clone(), any::<bool>(), 2usize..5, explanation.clone()).prop_map(
            |(id, prompt, points, multiple, n, explanation)| {
                let options: Vec<Value> = (0..n)
                    .map(|i| {
                        let fraction = if multiple {
                            if i < 2 { 0.5 } else { -0.25 }
                        } else if i == 0 {
                            1.0
                        } else {
                            0.0
                        };
                        json!({"id": format!("o{i}"), "text": format!("option {i}"), "fraction": fraction})
                    })
                    .collect();
                let mut q = json!({"type": "multiple_choice", "id": id, "prompt": prompt,
                                   "points": points, "multiple": multiple, "options": options});
                if let Some(e) = explanation {
                    q["explanation"] = json!(e);
                }
                q
            }
        ),
        (id, text, points.clone(), any::<bool>(), explanation.clone()).prop_map(
            |(id, prompt, points, correct, explanation)| {
                let mut q = json!({"type": "true_false", "id": id, "prompt": prompt,
                                   "points": points, "correct": correct});
                if let Some(e) = explanation {
                    q["explanation"] = json!(e);
                }
                q
            }
        ),
        (id, text, points.clone(), prop::collection::vec(key_text.clone(), 1..4), any::<bool>())
            .prop_map(|(id, prompt, points, accepted, case_sensitive)| {
                let accepted: Vec<Value> = accepted
                    .iter()
                    .enumerate()
                    .map(|(i, t)| json!({"text": t, "fraction": if i == 0 { 1.0 } else { 0.5 }}))
                    .collect();
                json!({"type": "short_answer", "id": id, "prompt": prompt, "points": points,
                       "accepted": accepted, "case_sensitive": case_sensitive})
            }),
        (id, text, points, proptest::option::of(key_text), explanation).prop_map(
            |(id, prompt, points, rubric, explanation)| {
                let mut q = json!({"type": "essay", "id": id, "prompt": prompt, "points": points});
                if let Some(r) = rubric {
                    q["rubric"] = json!(r);
                }
                if let Some(e) = explanation {
                    q["explanation"] = json!(e);
                }
                q
            }
        ),
    ]
}

/// Unknown extra fields, on questions and options, whose values are answer keys.
fn extras() -> impl Strategy<Value = Vec<(String, Value)>> {
    let name = prop_oneof![
        Just("answer".to_owned()),
        Just("solution".to_owned()),
        Just("accepted_answers".to_owned()),
        Just("is_correct".to_owned()),
        Just("hint".to_owned()),
        "[a-z_]{1,12}",
    ];
    let value = prop_oneof![
        "[a-z]{0,6}".prop_map(|s| json!(format!("{KEY}{s}"))),
        any::<bool>().prop_map(|b| json!({"correct": b, "why": format!("{KEY}why")})),
        Just(json!([format!("{KEY}1"), format!("{KEY}2")])),
    ];
    prop::collection::vec((name, value), 0..4)
}

/// Every key anywhere in `value`, with whether it is inside an option.
fn keys(value: &Value, in_option: bool, out: &mut Vec<(bool, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push((in_option, k.clone()));
                keys(v, in_option || k == "options", out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, in_option, out)),
        _ => {}
    }
}

/// The property of the acceptance: for generated question documents (valid ones, and
/// the same with unknown extra fields on questions and options), what the database
/// shows students never holds a key outside the allowlist of `lms-core`'s
/// classification, nor any answer-key value; for a valid document it is exactly
/// `lms-core`'s student view. The cases run through the real SQL function, in batches.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_student_view_in_the_database_is_the_allowlist(pool: PgPool) {
    let shown_question = fields_of(&QUESTION_FIELDS, FieldUse::Shown);
    let shown_option = fields_of(&OPTION_FIELDS, FieldUse::Shown);
    let case = prop::collection::vec((question(), extras(), extras()), 0..6);
    let mut runner = TestRunner::new(Config::default());
    // proptest drives synchronous closures: generate the batches first, then check them
    // against the database
    let mut batches = Vec::new();
    for _ in 0..8 {
        let mut batch = Vec::new();
        for _ in 0..32 {
            batch.push(case.new_tree(&mut runner).unwrap().current());
        }
        batches.push(batch);
    }
    for batch in batches {
        let mut valid = Vec::new();
        let mut dirty = Vec::new();
        for questions in &batch {
            let clean: Vec<Value> = questions.iter().map(|(q, _, _)| q.clone()).collect();
            let with_extras: Vec<Value> = questions
                .iter()
                .map(|(q, on_question, on_options)| {
                    let mut q = q.clone();
                    for (k, v) in on_question {
                        if !QUESTION_FIELDS.iter().any(|(f, _)| f == k) {
                            q[k.as_str()] = v.clone();
                        }
                    }
                    if let Some(options) = q.get_mut("options").and_then(Value::as_array_mut) {
                        for o in options {
                            for (k, v) in on_options {
                                if !OPTION_FIELDS.iter().any(|(f, _)| f == k) {
                                    o[k.as_str()] = v.clone();
                                }
                            }
                        }
                    }
                    q
                })
                .collect();
            valid.push(Value::Array(clean));
            dirty.push(Value::Array(with_extras));
        }
        let stripped: Vec<(Value, Value)> = sqlx::query_as(
            "select lms_private.strip_answer_keys(v), lms_private.strip_answer_keys(d) \
               from unnest($1::jsonb[], $2::jsonb[]) with ordinality as u(v, d, n) order by n",
        )
        .bind(&valid)
        .bind(&dirty)
        .fetch_all(&pool)
        .await
        .unwrap();
        for ((clean, extra), (input, _)) in stripped.iter().zip(valid.iter().zip(&dirty)) {
            let set: QuestionSet = serde_json::from_value(input.clone()).unwrap();
            let expected = serde_json::to_value(student_view(&set)).unwrap();
            assert_eq!(clean, &expected, "{input}");
            assert_eq!(extra, &expected, "extra fields changed the view of {input}");
            for view in [clean, extra] {
                let mut found = Vec::new();
                keys(view, false, &mut found);
                for (in_option, key) in found {
                    let allowed = if in_option {
                        &shown_option
                    } else {
                        &shown_question
                    };
                    assert!(allowed.contains(&key.as_str()), "{key} in {view}");
                }
                assert!(!view.to_string().contains(KEY), "an answer key in {view}");
            }
        }
    }
    // every question kind's every field at once: exactly the shown ones are left
    let every: Vec<Question> = serde_json::from_value(json!([
        {"type": "multiple_choice", "id": "a", "prompt": "p", "points": 1, "multiple": true,
         "options": [{"id": "x", "text": "X", "fraction": 0.5}, {"id": "y", "text": "Y", "fraction": 0.5}],
         "explanation": "e"},
        {"type": "short_answer", "id": "b", "prompt": "p", "points": 1, "case_sensitive": true,
         "accepted": [{"text": "t", "fraction": 1.0}], "explanation": "e"},
        {"type": "essay", "id": "c", "prompt": "p", "points": 1, "rubric": "r", "explanation": "e"},
        {"type": "true_false", "id": "d", "prompt": "p", "points": 1, "correct": true, "explanation": "e"}
    ]))
    .unwrap();
    let stored = serde_json::to_value(&every).unwrap();
    let seen: Value = sqlx::query_scalar("select lms_private.strip_answer_keys($1)")
        .bind(&stored)
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut found = Vec::new();
    keys(&seen, false, &mut found);
    let mut question_keys: Vec<&str> = found
        .iter()
        .filter(|(o, _)| !o)
        .map(|(_, k)| k.as_str())
        .collect();
    question_keys.sort_unstable();
    question_keys.dedup();
    let mut expected = shown_question.clone();
    expected.sort_unstable();
    assert_eq!(question_keys, expected);
    assert_eq!(
        seen,
        serde_json::to_value(student_view(&QuestionSet(every))).unwrap()
    );
}

/// What the library and the column defaults store is in the library's own form: a
/// database used only through the library reports nothing to repair (the defaults of the
/// document columns, `{}` for a profile's knowledge among them, are normalized
/// documents).
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn documents_written_by_the_library_need_no_repair(pool: PgPool) {
    let w = world::world(pool, true).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    me.record_content_progress(w.block1, &json!({"completed": true}), 10)
        .await
        .unwrap();
    me.submit_attempt(w.quiz1, &world::answers(1))
        .await
        .unwrap();
    let report = w.lms.as_service().check_documents().await.unwrap();
    assert!(report.is_clean(), "{report:#?}");
    assert!(report.checked > 10, "{report:?}");
}

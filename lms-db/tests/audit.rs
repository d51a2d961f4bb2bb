//! The audit log against a real PostgreSQL: every change of every table is logged once
//! with its actor, no-op updates are not, the log is append-only for every role (owner
//! and superuser included), only admins and the service read it, failed sign-ins are
//! recorded, retention purges only old entries, and erasure redacts the user.
#![allow(clippy::unwrap_used)]

mod world;

use world::common;

use lms_core::model::{UserId, UserRole};
use lms_core::repo::Page;
use lms_db::{AuditAction, AuditActorRole, AuditFilter, Lms};
use serde_json::{json, Value};
use sqlx::{PgPool, Row};
use uuid::Uuid;

/// Runs `sql` in its own committed transaction as `role` (`authenticated`,
/// `service_role`, `anon`, or `none` for the session user — the superuser owner), with
/// `sub` in `request.jwt.claims`; returns the first column of the first row, if a uuid.
async fn run_as(
    pool: &PgPool,
    role: &str,
    sub: Option<Uuid>,
    sql: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    run_vouched(pool, role, sub, sql, &[]).await
}

/// [`run_as`], after the library's receipts for `documents` (`(target, JSON)`): what an
/// API role's write of a document column needs (docs/security.md, "Documents").
async fn run_vouched(
    pool: &PgPool,
    role: &str,
    sub: Option<Uuid>,
    sql: &str,
    documents: &[(&str, &str)],
) -> Result<Option<Uuid>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    for (target, document) in documents {
        common::vouch(&mut tx, target, document).await;
    }
    if let Some(sub) = sub {
        sqlx::query("select set_config('request.jwt.claims', $1, true)")
            .bind(json!({"sub": sub, "role": role}).to_string())
            .execute(&mut *tx)
            .await?;
    }
    if role != "none" {
        sqlx::query(&format!("set local role {role}"))
            .execute(&mut *tx)
            .await?;
    }
    let row = sqlx::query(sql).fetch_optional(&mut *tx).await?;
    tx.commit().await?;
    Ok(row.and_then(|r| r.try_get::<Uuid, _>(0).ok()))
}

/// An audit row as stored (read by the superuser).
#[derive(Debug, Clone)]
struct Entry {
    actor_id: Option<Uuid>,
    actor_role: String,
    action: String,
    table_name: String,
    row_id: Option<Uuid>,
    old_data: Option<Value>,
    new_data: Option<Value>,
}

/// `Entry` as selected.
type EntryRow = (
    Option<Uuid>,
    String,
    String,
    String,
    Option<Uuid>,
    Option<Value>,
    Option<Value>,
);

async fn last_id(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select coalesce(max(id), 0) from public.audit_log")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Entries written after entry `after`, oldest first.
async fn entries_after(pool: &PgPool, after: i64) -> Vec<Entry> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "select actor_id, actor_role, action, table_name, row_id, old_data, new_data \
         from public.audit_log where id > $1 order by id",
    )
    .bind(after)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|r| Entry {
            actor_id: r.0,
            actor_role: r.1,
            action: r.2,
            table_name: r.3,
            row_id: r.4,
            old_data: r.5,
            new_data: r.6,
        })
        .collect()
}

/// Every entry of one row, oldest first.
async fn history(pool: &PgPool, table: &str, row: Uuid) -> Vec<Entry> {
    entries_after(pool, 0)
        .await
        .into_iter()
        .filter(|e| e.table_name == table && e.row_id == Some(row))
        .collect()
}

fn keys(v: &Option<Value>) -> Vec<String> {
    v.as_ref()
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn logged_role(role: &str) -> &'static str {
    match role {
        "authenticated" => "authenticated",
        "service_role" => "service",
        "anon" => "anon",
        _ => "system",
    }
}

#[derive(Clone, Copy)]
enum Who {
    Instructor,
    Student,
    Admin,
}

/// One table: who inserts, updates and deletes a row how (`{id}`, `{course}`, … are
/// substituted), and the column the update changes.
struct Case {
    table: &'static str,
    changed: &'static str,
    insert: (&'static str, Who, &'static str),
    update: (&'static str, Who, &'static str),
    delete: (&'static str, Who, &'static str),
}

const CASES: &[Case] = &[
    Case {
        table: "profiles",
        changed: "first_name",
        // signing up: the sign-up trigger inserts the profile (the session user: system)
        insert: (
            "none",
            Who::Admin,
            "insert into auth.users (email) values ('neo@example.org') returning id",
        ),
        update: (
            "authenticated",
            Who::Admin,
            "update public.profiles set first_name = 'Neo' where id = '{id}'",
        ),
        delete: (
            "service_role",
            Who::Admin,
            "delete from public.profiles where id = '{id}'",
        ),
    },
    Case {
        table: "courses",
        changed: "title",
        insert: (
            "authenticated",
            Who::Instructor,
            "insert into public.courses (title, instructor_id) values ('Go', '{instructor}') \
             returning id",
        ),
        update: (
            "authenticated",
            Who::Instructor,
            "update public.courses set title = 'Go 2' where id = '{id}'",
        ),
        delete: (
            "authenticated",
            Who::Instructor,
            "delete from public.courses where id = '{id}'",
        ),
    },
    Case {
        table: "lessons",
        changed: "title",
        insert: (
            "authenticated",
            Who::Instructor,
            "insert into public.lessons (course_id, title, order_index) \
             values ('{course}', 'Traits', 1) returning id",
        ),
        update: (
            "authenticated",
            Who::Instructor,
            "update public.lessons set title = 'Generics' where id = '{id}'",
        ),
        delete: (
            "authenticated",
            Who::Instructor,
            "delete from public.lessons where id = '{id}'",
        ),
    },
    Case {
        table: "content_blocks",
        changed: "order_index",
        insert: (
            "authenticated",
            Who::Instructor,
            r#"insert into public.content_blocks (lesson_id, type, content, order_index)
               values ('{lesson}', 'rich_text', '{"rich_text": {"html": "<p>x</p>", "plain_text": "x"}}', 1) returning id"#,
        ),
        update: (
            "authenticated",
            Who::Instructor,
            "update public.content_blocks set order_index = 2 where id = '{id}'",
        ),
        delete: (
            "authenticated",
            Who::Instructor,
            "delete from public.content_blocks where id = '{id}'",
        ),
    },
    Case {
        table: "assessments",
        changed: "title",
        insert: (
            "authenticated",
            Who::Instructor,
            "insert into public.assessments (lesson_id, title) values ('{lesson}', 'Quiz 2') \
             returning id",
        ),
        update: (
            "authenticated",
            Who::Instructor,
            "update public.assessments set title = 'Quiz 3' where id = '{id}'",
        ),
        delete: (
            "authenticated",
            Who::Instructor,
            "delete from public.assessments where id = '{id}'",
        ),
    },
    Case {
        table: "enrollments",
        changed: "progress",
        insert: (
            "authenticated",
            Who::Admin,
            "insert into public.enrollments (student_id, course_id) \
             values ('{student}', '{course}') returning id",
        ),
        update: (
            "service_role",
            Who::Student,
            r#"update public.enrollments set progress = '{"lessons": 1}' where id = '{id}'"#,
        ),
        delete: (
            "authenticated",
            Who::Admin,
            "delete from public.enrollments where id = '{id}'",
        ),
    },
    Case {
        table: "assessment_attempts",
        changed: "answers",
        insert: (
            "service_role",
            Who::Student,
            "insert into public.assessment_attempts (assessment_id, student_id, attempt_number) \
             values ('{assessment}', '{student}', 1) returning id",
        ),
        update: (
            "service_role",
            Who::Student,
            r#"update public.assessment_attempts set answers = '{"q1": 1}' where id = '{id}'"#,
        ),
        delete: (
            "service_role",
            Who::Admin,
            "delete from public.assessment_attempts where id = '{id}'",
        ),
    },
    Case {
        table: "student_progress",
        changed: "status",
        insert: (
            "service_role",
            Who::Student,
            "insert into public.student_progress (student_id, course_id, lesson_id) \
             values ('{student}', '{course}', '{lesson}') returning id",
        ),
        update: (
            "service_role",
            Who::Student,
            "update public.student_progress set status = 'in_progress' where id = '{id}'",
        ),
        delete: (
            "service_role",
            Who::Student,
            "delete from public.student_progress where id = '{id}'",
        ),
    },
    Case {
        table: "personalized_roadmaps",
        changed: "status",
        insert: (
            "service_role",
            Who::Student,
            "insert into public.personalized_roadmaps (student_id) values ('{student}') \
             returning id",
        ),
        update: (
            "service_role",
            Who::Student,
            "update public.personalized_roadmaps set status = 'paused' where id = '{id}'",
        ),
        delete: (
            "service_role",
            Who::Student,
            "delete from public.personalized_roadmaps where id = '{id}'",
        ),
    },
    Case {
        table: "learning_progress",
        changed: "time_spent",
        insert: (
            "service_role",
            Who::Student,
            "insert into public.learning_progress (student_id, content_id, content_type) \
             values ('{student}', gen_random_uuid(), 'rich_text') returning id",
        ),
        update: (
            "service_role",
            Who::Student,
            "update public.learning_progress set time_spent = 30 where id = '{id}'",
        ),
        delete: (
            "service_role",
            Who::Student,
            "delete from public.learning_progress where id = '{id}'",
        ),
    },
];

/// The receipts an API role's insert into `table` needs: the documents of the case's
/// insert (the column defaults included), as the library would vouch for them.
fn receipts(table: &str) -> &'static [(&'static str, &'static str)] {
    match table {
        "content_blocks" => &[
            (
                "content_blocks.content:rich_text",
                r#"{"rich_text": {"html": "<p>x</p>", "plain_text": "x"}}"#,
            ),
            ("content_blocks.metadata", "{}"),
        ],
        "assessments" => &[("assessments.questions", "[]")],
        _ => &[],
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn every_change_of_every_table_is_logged_once_with_its_actor(pool: PgPool) {
    let s = common::seed(&pool).await;
    let admin = common::create_user(&pool, "root@example.org", "admin").await;
    let who = |w: Who| match w {
        Who::Instructor => s.instructor,
        Who::Student => s.student,
        Who::Admin => admin,
    };
    let sql = |template: &str, id: Option<Uuid>| {
        template
            .replace("{instructor}", &s.instructor.to_string())
            .replace("{student}", &s.student.to_string())
            .replace("{course}", &s.course.to_string())
            .replace("{lesson}", &s.lesson.to_string())
            .replace("{assessment}", &s.lesson_assessment.to_string())
            .replace("{id}", &id.map(|i| i.to_string()).unwrap_or_default())
    };
    assert_eq!(CASES.len(), 10, "one case per table");

    for case in CASES {
        let t = case.table;
        let check = |entries: &[Entry], action: &str, step: (&str, Who, &str), id: Uuid| {
            assert_eq!(entries.len(), 1, "{t} {action}: {entries:?}");
            let e = &entries[0];
            assert_eq!(e.action, action, "{t}");
            assert_eq!(e.table_name, t, "{t} {action}");
            assert_eq!(e.row_id, Some(id), "{t} {action}");
            assert_eq!(e.actor_id, Some(who(step.1)), "{t} {action}: actor");
            assert_eq!(e.actor_role, logged_role(step.0), "{t} {action}: role");
        };

        // insert: the whole new row
        let before = last_id(&pool).await;
        let id = run_vouched(
            &pool,
            case.insert.0,
            Some(who(case.insert.1)),
            &sql(case.insert.2, None),
            receipts(t),
        )
        .await
        .unwrap_or_else(|e| panic!("{t} insert: {e}"))
        .unwrap();
        let e = entries_after(&pool, before).await;
        check(&e, "insert", case.insert, id);
        assert_eq!(e[0].old_data, None, "{t}");
        assert_eq!(e[0].new_data.as_ref().unwrap()["id"], json!(id), "{t}");

        // update: the changed column only, before and after (not updated_at)
        let before = last_id(&pool).await;
        run_as(
            &pool,
            case.update.0,
            Some(who(case.update.1)),
            &sql(case.update.2, Some(id)),
        )
        .await
        .unwrap_or_else(|e| panic!("{t} update: {e}"));
        let e = entries_after(&pool, before).await;
        check(&e, "update", case.update, id);
        assert_eq!(keys(&e[0].old_data), [case.changed], "{t}");
        assert_eq!(keys(&e[0].new_data), [case.changed], "{t}");
        assert_ne!(e[0].old_data, e[0].new_data, "{t}");

        // a no-op update (updated_at still moves where the table has it) writes nothing
        let before = last_id(&pool).await;
        let noop = format!(
            "update public.{t} set {c} = {c} where id = '{id}'",
            c = case.changed
        );
        run_as(&pool, "service_role", Some(admin), &noop)
            .await
            .unwrap();
        assert!(entries_after(&pool, before).await.is_empty(), "{t} no-op");

        // delete: the whole old row
        let before = last_id(&pool).await;
        run_as(
            &pool,
            case.delete.0,
            Some(who(case.delete.1)),
            &sql(case.delete.2, Some(id)),
        )
        .await
        .unwrap_or_else(|e| panic!("{t} delete: {e}"));
        let e = entries_after(&pool, before).await;
        check(&e, "delete", case.delete, id);
        assert_eq!(e[0].new_data, None, "{t}");
        assert_eq!(e[0].old_data.as_ref().unwrap()["id"], json!(id), "{t}");
        assert_eq!(
            keys(&e[0].old_data),
            keys(&history(&pool, t, id).await[0].new_data),
            "{t}: the delete logs every column"
        );
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn use_cases_are_logged_in_the_acting_users_name(pool: PgPool) {
    let w = world::world(pool.clone(), true).await;

    // authoring runs as the instructor under RLS
    let course = history(&pool, "courses", w.course.0).await;
    assert_eq!(course[0].action, "insert");
    assert_eq!(course[0].actor_id, Some(w.instructor.0));
    assert_eq!(course[0].actor_role, "authenticated");
    // the instructor publishes through `publish_course`, under RLS
    let published = course.last().unwrap();
    assert_eq!(published.action, "update");
    assert_eq!(published.actor_id, Some(w.instructor.0));
    assert_eq!(published.actor_role, "authenticated");
    assert_eq!(published.new_data, Some(json!({"is_published": true})));
    let block = history(&pool, "content_blocks", w.block1.0).await;
    assert_eq!(block.len(), 1);
    assert_eq!(block[0].actor_id, Some(w.instructor.0));

    // enrolling: the enrolment under RLS as the student, the progress it computes on the
    // trusted path in the student's name
    let before = last_id(&pool).await;
    let me = w.lms.as_user(w.student);
    let enrollment = me.enroll(w.course).await.unwrap();
    let e = entries_after(&pool, before).await;
    assert!(e.iter().all(|e| e.actor_id == Some(w.student.0)), "{e:?}");
    assert!(
        e.iter().all(|e| e.actor_role
            == if e.table_name == "enrollments" && e.action == "insert" {
                "authenticated"
            } else {
                "service"
            }),
        "{e:?}"
    );
    assert_eq!(
        e.iter()
            .filter(|e| e.table_name == "enrollments" && e.action == "insert")
            .map(|e| e.row_id)
            .collect::<Vec<_>>(),
        [Some(enrollment.id.0)]
    );
    assert_eq!(
        e.iter()
            .filter(|e| e.table_name == "student_progress" && e.action == "insert")
            .count(),
        5
    );

    let before = last_id(&pool).await;
    me.record_content_progress(w.block1, &json!({"completed": true}), 60)
        .await
        .unwrap();
    let e = entries_after(&pool, before).await;
    assert!(e
        .iter()
        .any(|e| e.table_name == "learning_progress" && e.action == "insert"));
    let progress = e
        .iter()
        .find(|e| e.table_name == "student_progress" && e.action == "update")
        .unwrap();
    assert_eq!(progress.actor_id, Some(w.student.0));
    assert!(keys(&progress.new_data).contains(&"time_spent".to_owned()));
    assert!(e.iter().all(|e| e.actor_id == Some(w.student.0)), "{e:?}");

    // an admin's role change goes through SECURITY DEFINER functions: still theirs
    let before = last_id(&pool).await;
    w.lms
        .as_user(w.admin)
        .set_role(w.other_student, UserRole::Instructor)
        .await
        .unwrap();
    let e = entries_after(&pool, before).await;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].actor_id, Some(w.admin.0));
    assert_eq!(e[0].actor_role, "authenticated");
    assert_eq!(e[0].row_id, Some(w.other_student.0));
    assert_eq!(e[0].old_data, Some(json!({"role": "student"})));
    assert_eq!(e[0].new_data, Some(json!({"role": "instructor"})));

    // the service: nobody's name
    let before = last_id(&pool).await;
    w.lms
        .as_service()
        .set_role(w.other_student, UserRole::Student)
        .await
        .unwrap();
    let e = entries_after(&pool, before).await;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].actor_id, None);
    assert_eq!(e[0].actor_role, "service");
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_log_is_append_only_for_every_role(pool: PgPool) {
    let s = common::seed(&pool).await;
    let admin = common::create_user(&pool, "root@example.org", "admin").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from public.audit_log")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = count().await;
    assert!(before > 0);
    let writes = [
        "update public.audit_log set actor_id = null, old_data = null, new_data = null",
        "delete from public.audit_log",
        "truncate public.audit_log",
        "insert into public.audit_log (actor_role, action, table_name) \
         values ('system', 'insert', 'courses')",
    ];
    for (role, sub) in [
        ("authenticated", Some(admin)),
        ("authenticated", Some(s.student)),
        ("anon", None),
        ("service_role", None),
        ("none", None),
    ] {
        for sql in writes {
            if role == "none" && sql.starts_with("insert") {
                continue; // the owner writes the log (through its functions)
            }
            let err = run_as(&pool, role, sub, sql).await.unwrap_err();
            let db = err.as_database_error().unwrap();
            assert_eq!(db.code().as_deref(), Some("42501"), "{role}: {sql}: {db}");
            if role == "none" {
                assert!(db.message().contains("append-only"), "{sql}: {db}");
            }
        }
        // the maintenance flag is not a key: privileges still refuse
        if role != "none" {
            let mut tx = pool.begin().await.unwrap();
            sqlx::raw_sql(&format!(
                "set local lms.audit_maintenance = 'purge'; set local role {role}"
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
            let err = sqlx::query("delete from public.audit_log")
                .execute(&mut *tx)
                .await
                .unwrap_err();
            assert_eq!(
                err.as_database_error().unwrap().code().as_deref(),
                Some("42501")
            );
        }
    }
    assert_eq!(count().await, before, "nothing changed");

    // the maintenance functions are the service's alone
    for sql in [
        "select lms_private.purge_audit_log('400 days')",
        "select lms_private.redact_audit_for_user(gen_random_uuid())",
    ] {
        for (role, sub) in [("authenticated", Some(admin)), ("anon", None)] {
            let err = run_as(&pool, role, sub, sql).await.unwrap_err();
            assert_eq!(
                err.as_database_error().unwrap().code().as_deref(),
                Some("42501"),
                "{role}: {sql}"
            );
        }
    }
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn only_admins_and_the_service_read_the_log(pool: PgPool) {
    let w = world::world(pool.clone(), true).await;
    let total: i64 = sqlx::query_scalar("select count(*) from public.audit_log")
        .fetch_one(&pool)
        .await
        .unwrap();
    let visible = |role: &'static str, sub: Option<UserId>| {
        let pool = pool.clone();
        async move {
            let mut tx = pool.begin().await.unwrap();
            if let Some(sub) = sub {
                sqlx::query("select set_config('request.jwt.claims', $1, true)")
                    .bind(json!({"sub": sub, "role": role}).to_string())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            sqlx::query(&format!("set local role {role}"))
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query_scalar::<_, i64>("select count(*) from public.audit_log")
                .fetch_one(&mut *tx)
                .await
        }
    };
    assert_eq!(
        visible("authenticated", Some(w.admin)).await.unwrap(),
        total
    );
    assert_eq!(visible("service_role", None).await.unwrap(), total);
    for user in [w.student, w.instructor] {
        assert_eq!(visible("authenticated", Some(user)).await.unwrap(), 0);
    }
    let anon = visible("anon", None).await.unwrap_err();
    assert_eq!(
        anon.as_database_error().unwrap().code().as_deref(),
        Some("42501")
    );

    // the use case: admins and the service; others are refused
    let all = w
        .lms
        .as_user(w.admin)
        .audit_log(&AuditFilter::default(), Page::new(500, 0))
        .await
        .unwrap()
        .items;
    assert_eq!(all.len() as i64, total);
    assert!(all
        .windows(2)
        .all(|p| (p[0].occurred_at, p[0].id) > (p[1].occurred_at, p[1].id)));
    for user in [w.student, w.instructor] {
        let err = w
            .lms
            .as_user(user)
            .audit_log(&AuditFilter::default(), Page::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
    }

    // filters
    let service = w.lms.as_service();
    let of_course = AuditFilter {
        table_name: Some("courses".into()),
        row_id: Some(w.course.0),
        ..Default::default()
    };
    let course = service
        .audit_log(&of_course, Page::default())
        .await
        .unwrap()
        .items;
    assert!(course.len() >= 2);
    assert!(course
        .iter()
        .all(|e| e.table_name == "courses" && e.row_id == Some(w.course.0)));
    assert_eq!(course.last().unwrap().action, AuditAction::Insert);
    assert_eq!(course.last().unwrap().actor_id, Some(w.instructor));
    assert_eq!(
        course.last().unwrap().actor_role,
        AuditActorRole::Authenticated
    );

    let by_instructor = AuditFilter {
        actor_id: Some(w.instructor),
        action: Some(AuditAction::Insert),
        ..Default::default()
    };
    let mine = service
        .audit_log(&by_instructor, Page::default())
        .await
        .unwrap()
        .items;
    // course, two lessons, three blocks, three assessments
    assert_eq!(mine.len(), 9, "{mine:?}");

    let first = all.last().unwrap().occurred_at;
    let last = all[0].occurred_at;
    let window = |since, until| AuditFilter {
        since,
        until,
        ..Default::default()
    };
    let page = Page::new(500, 0);
    assert_eq!(
        service
            .audit_log(&window(Some(first), None), page)
            .await
            .unwrap()
            .items
            .len(),
        all.len()
    );
    assert!(service
        .audit_log(
            &window(Some(last + chrono::Duration::seconds(1)), None),
            page
        )
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(service
        .audit_log(&window(None, Some(first)), page)
        .await
        .unwrap()
        .items
        .is_empty());

    // pages
    let two = service
        .audit_log(&AuditFilter::default(), Page::new(2, 1))
        .await
        .unwrap()
        .items;
    assert_eq!(
        two.iter().map(|e| e.id).collect::<Vec<_>>(),
        [all[1].id, all[2].id]
    );

    // serializes for the bindings
    let v = serde_json::to_value(&course[0]).unwrap();
    assert_eq!(v["table_name"], "courses");
    assert!(v["action"].is_string() && v["actor_role"].is_string());
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn failed_sign_ins_are_recorded(pool: PgPool) {
    let lms = Lms::from_pool(pool.clone());
    let sam = world::user(&pool, "sam@example.org", "student").await;

    // an anonymous client (PostgREST RPC): lengths bounded
    let before = last_id(&pool).await;
    let long = format!("{}@example.org", "x".repeat(1000));
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("set local role anon")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("select public.record_failed_sign_in($1, $2)")
        .bind(&long)
        .bind("r".repeat(1000))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let e = entries_after(&pool, before).await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].action, "sign_in_failed");
    assert_eq!(e[0].table_name, "auth.users");
    assert_eq!((e[0].actor_id, e[0].actor_role.as_str()), (None, "anon"));
    let data = e[0].new_data.as_ref().unwrap();
    assert_eq!(data["email"].as_str().unwrap().len(), 320);
    assert_eq!(data["reason"].as_str().unwrap().len(), 200);

    // the sign-in flow on the service; a signed-in user (e.g. re-authentication)
    let id = lms
        .as_service()
        .record_failed_sign_in("sam@example.org", "wrong password")
        .await
        .unwrap();
    lms.as_user(sam)
        .record_failed_sign_in("sam@example.org", "wrong password")
        .await
        .unwrap();
    let failed = lms
        .as_service()
        .audit_log(
            &AuditFilter {
                action: Some(AuditAction::SignInFailed),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(failed.len(), 3);
    assert_eq!(failed[0].actor_id, Some(sam));
    assert_eq!(failed[0].actor_role, AuditActorRole::Authenticated);
    assert_eq!(failed[1].id, id);
    assert_eq!(failed[1].actor_role, AuditActorRole::Service);
    assert_eq!(
        failed[1].new_data,
        Some(json!({"email": "sam@example.org", "reason": "wrong password"}))
    );
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn purging_keeps_a_year_and_deletes_only_older_entries(pool: PgPool) {
    common::seed(&pool).await;
    // back-dated entries, written the only way a row enters the log with a chosen time:
    // an insert by the owner (inserting is not rewriting; the guard only stops changes)
    sqlx::query(
        "insert into public.audit_log (occurred_at, actor_role, action, table_name, row_id) \
         select now() - make_interval(days => d), 'system', 'insert', 'courses', \
                gen_random_uuid() \
           from unnest(array[400, 500, 3000, 300]) as d",
    )
    .execute(&pool)
    .await
    .unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let total = count("select count(*) from public.audit_log").await;
    let purge = |interval: Option<&'static str>| {
        let pool = pool.clone();
        async move {
            let mut tx = pool.begin().await?;
            sqlx::query("set local role service_role")
                .execute(&mut *tx)
                .await?;
            let n: i64 = sqlx::query_scalar("select lms_private.purge_audit_log($1::interval)")
                .bind(interval)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(n)
        }
    };

    for short in [
        Some("30 days"),
        Some("364 days"),
        Some("11 months"),
        Some("-2 years"),
        None,
    ] {
        let err = purge(short).await.unwrap_err();
        assert_eq!(
            err.as_database_error().unwrap().code().as_deref(),
            Some("22023"),
            "{short:?}"
        );
    }
    assert_eq!(
        count("select count(*) from public.audit_log").await,
        total,
        "nothing purged"
    );

    assert_eq!(purge(Some("365 days")).await.unwrap(), 3);
    assert_eq!(
        count(
            "select count(*) from public.audit_log where occurred_at < now() - interval '365 days'"
        )
        .await,
        0
    );
    // the 300-day entry and the recent ones stay; the purge itself is logged
    assert_eq!(
        count("select count(*) from public.audit_log").await,
        total - 3 + 1
    );
    let record: Value = sqlx::query_scalar(
        "select new_data from public.audit_log where table_name = 'audit_log' \
         and action = 'delete' and actor_role = 'service'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(record["purged_entries"], 3);

    // a calendar year is a year
    assert_eq!(purge(Some("1 year")).await.unwrap(), 0);

    // the maintenance flag lives as long as the function call, not the transaction
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("select lms_private.purge_audit_log('2 years')")
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query("delete from public.audit_log")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err
        .as_database_error()
        .unwrap()
        .message()
        .contains("append-only"));
}

/// Rows of the log mentioning `needle` anywhere: actor, or inside the data.
async fn mentions(pool: &PgPool, needle: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from public.audit_log \
         where actor_id::text = $1 \
            or strpos(lower(coalesce(old_data::text, '') || coalesce(new_data::text, '')), \
                      lower($1)) > 0",
    )
    .bind(needle)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn erasing_a_user_redacts_them_from_the_log(pool: PgPool) {
    let w = world::world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    me.record_content_progress(w.block1, &json!({"completed": true}), 60)
        .await
        .unwrap();
    me.submit_attempt(w.quiz1, &world::answers(1))
        .await
        .unwrap();
    // (as a Supabase client would: Scope::update_profile also writes knowledge_profile,
    // which authenticated may not)
    run_as(
        &pool,
        "authenticated",
        Some(w.student.0),
        "update public.profiles set first_name = 'Sam' where id = (select auth.uid())",
    )
    .await
    .unwrap();
    w.lms
        .as_service()
        .record_failed_sign_in("SAM@example.org", "wrong password")
        .await
        .unwrap();
    // someone else's rows, which must stay as they are
    w.lms
        .as_user(w.other_student)
        .enroll(w.course)
        .await
        .unwrap();
    w.lms
        .as_service()
        .record_failed_sign_in("kim@example.org", "wrong password")
        .await
        .unwrap();
    let student = w.student.0.to_string();
    assert!(mentions(&pool, &student).await > 10);
    assert!(mentions(&pool, "sam@example.org").await >= 2);
    let others_before = mentions(&pool, &w.other_student.0.to_string()).await;
    let kim_before = mentions(&pool, "kim@example.org").await;
    assert_eq!(kim_before, 2, "profile and failed sign-in");

    me.erase_user(w.student, None).await.unwrap();

    assert_eq!(mentions(&pool, &student).await, 0);
    assert_eq!(mentions(&pool, "sam@example.org").await, 0);
    // what happened stays: the profile's sign-up, name change and deletion (setting the
    // role it already had was no change), without their data
    let profile = history(&pool, "profiles", w.student.0).await;
    assert_eq!(
        profile
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["insert", "update", "delete"]
    );
    assert!(profile
        .iter()
        .all(|e| e.old_data.is_none() && e.new_data.is_none()));
    let deleted: i64 = sqlx::query_scalar(
        "select count(*) from public.audit_log where action = 'delete' \
         and table_name in ('enrollments', 'student_progress', 'learning_progress', \
                            'assessment_attempts') and old_data is null",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // one enrollment, five progress rows, one learning progress row, one attempt
    assert_eq!(deleted, 8);
    // the other student's data is untouched
    assert_eq!(
        mentions(&pool, &w.other_student.0.to_string()).await,
        others_before
    );
    assert_eq!(mentions(&pool, "kim@example.org").await, kim_before);
}

#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn erasing_an_instructor_keeps_the_courses_history_without_them(pool: PgPool) {
    let w = world::world(pool.clone(), true).await;
    let erasure = w
        .lms
        .as_user(w.admin)
        .erase_user(w.instructor, Some(w.other_instructor))
        .await
        .unwrap();
    assert_eq!(erasure.transferred_courses, 1);
    let instructor = w.instructor.0.to_string();
    assert_eq!(mentions(&pool, &instructor).await, 0);

    let course = history(&pool, "courses", w.course.0).await;
    assert_eq!(course[0].action, "insert");
    assert_eq!(course[0].actor_id, None, "was the instructor");
    let created = course[0].new_data.as_ref().unwrap();
    assert_eq!(created["instructor_id"], Value::Null);
    assert_eq!(created["title"], "Rust", "the rest of the row stays");
    let transfer = course.last().unwrap();
    assert_eq!(transfer.actor_id, Some(w.admin.0));
    assert_eq!(transfer.old_data, Some(json!({"instructor_id": null})));
    assert_eq!(
        transfer.new_data,
        Some(json!({"instructor_id": w.other_instructor.0}))
    );
    // their authoring entries stay, unattributed
    let block = history(&pool, "content_blocks", w.block1.0).await;
    assert_eq!(block[0].actor_id, None);
    assert!(block[0].new_data.is_some());
}

/// On a Supabase-like database (default privileges granting ALL on new tables, sequences
/// and functions of `public` to the API roles) the log is still append-only and the
/// maintenance functions still the service's alone.
#[sqlx::test(migrations = false)]
async fn supabase_default_privileges_do_not_open_the_log(pool: PgPool) {
    common::supabase_setup(&pool).await;
    lms_db::MIGRATOR.run(&pool).await.unwrap();
    let granted: Vec<String> = sqlx::query_scalar(
        "select r || ' ' || p from unnest(array['anon', 'authenticated', 'service_role']) r \
         cross join unnest(array['insert', 'update', 'delete', 'truncate', 'references', \
                                 'trigger']) p \
         where has_table_privilege(r, 'public.audit_log', p) \
         union all \
         select r || ' sequence' from unnest(array['anon', 'authenticated', 'service_role']) r \
         where has_sequence_privilege(r, 'public.audit_log_id_seq', 'usage, update') \
         union all \
         select r || ' ' || f from unnest(array['anon', 'authenticated']) r \
         cross join unnest(array['lms_private.purge_audit_log(interval)', \
                                 'lms_private.redact_audit_for_user(uuid)', \
                                 'lms_private.audit_row_change()']) f \
         where has_function_privilege(r, f, 'execute') \
         order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(granted.is_empty(), "granted: {granted:?}");
    let readers: Vec<String> = sqlx::query_scalar(
        "select r from unnest(array['anon', 'authenticated', 'service_role']) r \
         where has_table_privilege(r, 'public.audit_log', 'select') order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(readers, ["authenticated", "service_role"]);
    let callers: Vec<String> = sqlx::query_scalar(
        "select r from unnest(array['anon', 'authenticated', 'service_role']) r \
         where has_function_privilege(r, 'public.record_failed_sign_in(text, text)', 'execute') \
         order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(callers, ["anon", "authenticated", "service_role"]);

    // and the triggers write on Supabase's own auth.users (no default id)
    let id: Uuid = sqlx::query_scalar(
        "insert into auth.users (id, email) values (gen_random_uuid(), 'x@example.org') \
         returning id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(history(&pool, "profiles", id).await.len(), 1);
    lms_db::MIGRATOR.undo(&pool, 0).await.unwrap();
}

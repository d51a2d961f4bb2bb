//! The API as a back end uses it: one typed refusal per situation, the same from every
//! call; errors fit for HTTP (codes, problems with JSON pointers, details, no SQL in
//! messages); signing users up on plain PostgreSQL; pages; blank submissions; a
//! database that goes away and comes back.
#![allow(clippy::unwrap_used)]

mod world;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lms_core::model::*;
use lms_core::repo::{
    AssessmentPatch, CourseFilter, CoursePatch, NewCourse, NewLesson, NewUser, Page, ProfilePatch,
};
use lms_db::{Error, ErrorCode, Lms, SubmitOptions};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;
use sqlx::PgPool;
use world::{answers, common, world};

fn course(instructor: UserId, title: &str) -> NewCourse {
    NewCourse {
        title: title.into(),
        description: None,
        instructor_id: instructor,
        tags: vec![],
        difficulty_level: None,
        estimated_duration_minutes: None,
    }
}

/// A valid token for a user the database has no profile of (an id the auth server
/// knows, say, but the profile never made or deleted): every call is refused with the
/// same `no_profile`, whatever it would have done.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_user_without_a_profile_is_refused_the_same_by_every_call(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let gone = world::user(&pool, "gone@example.org", "student").await;
    sqlx::query("delete from public.profiles where id = $1")
        .bind(gone.0)
        .execute(&pool)
        .await
        .unwrap();
    for user in [gone, UserId::new_v4()] {
        let me = w.lms.as_user(user);
        let outcomes: Vec<(&str, Result<(), Error>)> = vec![
            ("enroll", me.enroll(w.course).await.map(drop)),
            ("dashboard", me.student_dashboard().await.map(drop)),
            (
                "gradebook",
                me.gradebook(w.course, Page::default()).await.map(drop),
            ),
            (
                "submit",
                me.submit_attempt(w.quiz1, &answers(2)).await.map(drop),
            ),
            (
                "questions",
                me.assessment_questions(w.quiz1).await.map(drop),
            ),
            (
                "catalog",
                me.list_courses(&CourseFilter::default(), Page::default())
                    .await
                    .map(drop),
            ),
            ("course", me.get_course(w.course).await.map(drop)),
            ("profile", me.my_profile().await.map(drop)),
            (
                "update profile",
                me.update_profile(user, ProfilePatch::default())
                    .await
                    .map(drop),
            ),
            ("enrollments", me.my_enrollments().await.map(drop)),
            (
                "create course",
                me.create_course(course(user, "Mine")).await.map(drop),
            ),
        ];
        for (what, outcome) in outcomes {
            let err = outcome.unwrap_err();
            assert_eq!(err.code(), ErrorCode::NoProfile, "{what}: {err}");
            assert_eq!(err.code().http_status(), 403);
            assert_eq!(err.details()["user_id"], json!(user), "{what}");
        }
    }
}

/// The library on a pool of one connection to the test's database, with its pool options.
async fn one_connection(pool: &PgPool) -> Lms {
    Lms::from_pool(
        Lms::pool_options()
            .max_connections(1)
            .connect_with((*pool.connect_options()).clone())
            .await
            .unwrap(),
    )
}

/// The pool's (only) connection as raw SQL finds it: not in a transaction (outside one,
/// each statement has its own `now()`), no claims, not the `authenticated` role.
async fn assert_connection_clean(lms: &Lms) {
    let mut conn = lms.pool().acquire().await.unwrap();
    let mut nows = Vec::new();
    for _ in 0..2 {
        let t: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("select now()")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        nows.push(t);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_ne!(nows[0], nows[1], "the connection was left in a transaction");
    let (claims, role): (Option<String>, String) = sqlx::query_as(
        "select nullif(current_setting('request.jwt.claims', true), ''), current_user::text",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(claims, None);
    assert_ne!(role, "authenticated");
}

/// The refusal of a user without a profile, found as the transaction opens, leaves the
/// connection clean: on a pool of one connection, the calls after it (the same
/// connection) neither fail as an aborted transaction nor inherit its identity.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_refused_user_leaves_the_connection_clean(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let lms = one_connection(&pool).await;
    let stranger = UserId::new_v4();
    for _ in 0..3 {
        let err = lms.as_user(stranger).my_profile().await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::NoProfile, "{err}");
        assert_eq!(err.details()["user_id"], json!(stranger));
        // the student's own call on the same connection: their identity, not the stranger's
        let me = lms.as_user(w.student).my_profile().await.unwrap();
        assert_eq!(me.id, w.student);
        assert_connection_clean(&lms).await;
    }
}

/// A call cancelled while its transaction opens (here: blocked reading the profile, a
/// timeout drops it) leaves nothing of its actor on the pooled connection: the next user
/// of the connection is not in a transaction and has neither its role nor its claims.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_call_cancelled_while_it_opens_leaves_the_connection_clean(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let lms = one_connection(&pool).await;
    lms.as_user(w.student).my_profile().await.unwrap();
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query("lock table public.profiles in access exclusive mode")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let cancelled = tokio::time::timeout(
        Duration::from_millis(300),
        lms.as_user(w.student).my_profile(),
    )
    .await;
    assert!(cancelled.is_err(), "the call was not blocked");
    blocker.rollback().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_connection_clean(&lms).await;
    assert_eq!(
        lms.as_user(w.student).my_profile().await.unwrap().id,
        w.student
    );
}

/// A pooled connection the server ended just after its release (within the window in
/// which the pool hands connections out untested) costs no call: the use case begins
/// again on a new connection.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_connection_ended_by_the_server_costs_no_call(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let lms = one_connection(&pool).await;
    for round in 0..3 {
        let pid: i32 = {
            let mut conn = lms.pool().acquire().await.unwrap();
            sqlx::query_scalar("select pg_backend_pid()")
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        };
        tokio::time::sleep(Duration::from_millis(30)).await;
        let ended: bool = sqlx::query_scalar("select pg_terminate_backend($1)")
            .bind(pid)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(ended);
        tokio::time::sleep(Duration::from_millis(30)).await;
        let me = lms.as_user(w.student).my_profile().await;
        assert_eq!(
            me.map(|p| p.id).map_err(|e| e.to_string()),
            Ok(w.student),
            "round {round}"
        );
    }
}

/// Plain PostgreSQL has no auth server: the service signs users up (the sign-in row,
/// then the profile by the sign-up trigger) and gives any id a profile on first sight.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn the_service_signs_users_up_on_plain_postgresql(pool: PgPool) {
    let lms = Lms::from_pool(pool.clone());
    let service = lms.as_service();
    let ada = service
        .sign_up(NewUser {
            email: "ada@example.org".into(),
            role: UserRole::Instructor,
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
        })
        .await
        .unwrap();
    assert_eq!(
        (ada.role, ada.email.as_deref(), ada.first_name.as_deref()),
        (UserRole::Instructor, Some("ada@example.org"), Some("Ada"))
    );
    // the new user acts at once
    lms.as_user(ada.id)
        .create_course(course(ada.id, "Analytical engines"))
        .await
        .unwrap();
    let again = service
        .sign_up(NewUser {
            email: "ada@example.org".into(),
            role: UserRole::Student,
            first_name: None,
            last_name: None,
        })
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict, "{again}");
    assert_eq!(again.to_string(), "this e-mail address is already used");
    let bad = service
        .sign_up(NewUser {
            email: "not an address".into(),
            role: UserRole::Student,
            first_name: None,
            last_name: None,
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidDocument);
    assert_eq!(bad.problems()[0].path, "/email");
    let refused = lms
        .as_user(ada.id)
        .sign_up(NewUser {
            email: "eve@example.org".into(),
            role: UserRole::Admin,
            first_name: None,
            last_name: None,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Forbidden);

    // an id from another identity provider: a profile on first sight, once
    let sub = UserId::new_v4();
    assert_eq!(
        lms.as_user(sub).my_profile().await.unwrap_err().code(),
        ErrorCode::NoProfile
    );
    let made = service
        .ensure_profile(sub, Some("grace@example.org"))
        .await
        .unwrap();
    assert_eq!(
        (made.id, made.role, made.email.as_deref()),
        (sub, UserRole::Student, Some("grace@example.org"))
    );
    assert_eq!(service.ensure_profile(sub, None).await.unwrap(), made);
    assert_eq!(lms.as_user(sub).my_profile().await.unwrap().id, sub);
    assert_eq!(
        lms.as_user(sub)
            .ensure_profile(sub, None)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
}

/// On Supabase, Supabase Auth signs users up: the library does not, and gives a profile
/// only to a user the auth server knows.
#[sqlx::test(migrations = false)]
async fn on_supabase_users_sign_up_through_supabase_auth(pool: PgPool) {
    common::supabase_setup(&pool).await;
    lms_db::MIGRATOR.run(&pool).await.unwrap();
    let lms = Lms::from_pool(pool.clone());
    let service = lms.as_service();
    let refused = service
        .sign_up(NewUser {
            email: "ada@example.org".into(),
            role: UserRole::Student,
            first_name: None,
            last_name: None,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Forbidden, "{refused}");
    assert!(!refused.to_string().contains("auth.users"), "{refused}");
    let known = common::create_user(&pool, "sam@example.org", "student").await;
    sqlx::query("delete from public.profiles where id = $1")
        .bind(known)
        .execute(&pool)
        .await
        .unwrap();
    let made = service.ensure_profile(UserId(known), None).await.unwrap();
    assert_eq!(made.email.as_deref(), Some("sam@example.org"));
    let unknown = service
        .ensure_profile(UserId::new_v4(), Some("x@example.org"))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::NotFound);
}

/// The refusals `docs/api.md` promises: `not_enrolled` for the questions of a published
/// course one is not enrolled in, `attempt_not_started` for a timed assessment read,
/// saved to or submitted before its clock runs.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn refusals_are_the_ones_the_docs_promise(pool: PgPool) {
    let w = world(pool, true).await;
    let me = w.lms.as_user(w.student);
    let err = me.assessment_questions(w.quiz1).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotEnrolled, "{err}");
    assert_eq!(err.details()["course_id"], json!(w.course.to_string()));
    let unknown = me
        .assessment_questions(AssessmentId::new_v4())
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::NotFound);

    me.enroll(w.course).await.unwrap();
    world::set_time_limit(&w, w.quiz1, 10).await;
    for err in [
        me.assessment_questions(w.quiz1).await.unwrap_err(),
        me.submit_attempt(w.quiz1, &answers(2)).await.unwrap_err(),
        me.save_answers(w.quiz1, &answers(2)).await.unwrap_err(),
    ] {
        assert_eq!(err.code(), ErrorCode::AttemptNotStarted, "{err}");
        assert_eq!(err.code().http_status(), 409);
        assert_eq!(err.details()["assessment_id"], json!(w.quiz1));
        assert!(!err.to_string().contains("start_attempt"), "{err}");
    }
    // the flow: start (the clock runs, the questions come), save, submit
    let started = me.start_attempt(w.quiz1).await.unwrap();
    assert!(started.deadline.is_some());
    assert_eq!(
        me.assessment_questions(w.quiz1).await.unwrap(),
        started.questions
    );
    me.save_answers(w.quiz1, &answers(1)).await.unwrap();
    let done = me.submit_attempt(w.quiz1, &json!({})).await.unwrap();
    assert_eq!(done.attempt.score, Some(50), "the saved answers count");
}

/// `{}` (or only empty selections) answers nothing: refused with `no_answers` and
/// nothing written, unless a blank attempt is meant.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn an_answer_sheet_that_answers_nothing_is_refused_unless_meant(pool: PgPool) {
    let w = world(pool.clone(), true).await;
    let me = w.lms.as_user(w.student);
    me.enroll(w.course).await.unwrap();
    let blank = json!({"q1": {"type": "multiple_choice", "selected": []}});
    for empty in [json!({}), blank.clone()] {
        let err = me.submit_attempt(w.quiz1, &empty).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::NoAnswers, "{err}");
        assert_eq!(err.code().http_status(), 422);
    }
    let attempts = common::count(
        &pool,
        "select count(*) from assessment_attempts where student_id = $1",
        w.student.0,
    )
    .await;
    assert_eq!(attempts, 0, "a refused submission writes nothing");
    let handed_in = me
        .submit_attempt_with(w.quiz1, &blank, SubmitOptions::allow_empty())
        .await
        .unwrap();
    assert_eq!(
        (handed_in.attempt.score, handed_in.attempt.passed),
        (Some(0), Some(false))
    );
    assert_eq!(me.my_attempts(w.quiz1).await.unwrap().len(), 1);
}

/// Input the database cannot store is `invalid_document` naming the field, never a
/// `database` error; values breaking the schema's checks name their field too, and no
/// message names a constraint, a table or SQL.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn bad_input_names_its_field(pool: PgPool) {
    let w = world(pool, true).await;
    let author = w.lms.as_user(w.instructor);
    w.lms.as_user(w.student).enroll(w.course).await.unwrap();
    let cases: Vec<(Error, &str, &str)> = vec![
        (
            // the service may create a course for anyone, but not for nobody
            w.lms
                .as_service()
                .create_course(course(UserId::new_v4(), "Ghost's"))
                .await
                .unwrap_err(),
            "course",
            "/instructor_id",
        ),
        (
            author
                .list_courses(
                    &CourseFilter {
                        tag: Some("\0".into()),
                        ..Default::default()
                    },
                    Page::default(),
                )
                .await
                .unwrap_err(),
            "course_filter",
            "/tag",
        ),
        (
            author
                .create_course(NewCourse {
                    tags: vec!["ok".into(), "b\0d".into()],
                    ..course(w.instructor, "Tags")
                })
                .await
                .unwrap_err(),
            "course",
            "/tags/1",
        ),
        (
            author
                .create_course(course(w.instructor, "  "))
                .await
                .unwrap_err(),
            "course",
            "/title",
        ),
        (
            author
                .update_course(
                    w.course,
                    CoursePatch {
                        estimated_duration_minutes: Some(Some(-5)),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err(),
            "course",
            "/estimated_duration",
        ),
        (
            author
                .create_lesson(NewLesson {
                    course_id: w.course,
                    title: "Negative".into(),
                    description: None,
                    order_index: -1,
                    learning_objectives: vec![],
                    estimated_duration_minutes: None,
                    prerequisites: vec![],
                })
                .await
                .unwrap_err(),
            "lesson",
            "/order_index",
        ),
        (
            author
                .update_assessment(
                    w.quiz1,
                    AssessmentPatch {
                        minimum_passing_score: Some(101),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err(),
            "assessment",
            "/minimum_passing_score",
        ),
        (
            w.lms
                .as_user(w.student)
                .update_profile(
                    w.student,
                    ProfilePatch {
                        first_name: Some(Some("Sam\0".into())),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err(),
            "profile",
            "/first_name",
        ),
        (
            w.lms
                .as_user(w.student)
                .submit_attempt(
                    w.quiz1,
                    &json!({"q9": {"type": "true_false", "value": true}}),
                )
                .await
                .unwrap_err(),
            "answers",
            "/q9",
        ),
    ];
    for (err, document, path) in cases {
        assert_eq!(err.code(), ErrorCode::InvalidDocument, "{path}: {err}");
        assert_eq!(err.document(), Some(document), "{path}: {err:?}");
        assert!(
            err.problems().iter().any(|p| p.path == path),
            "{path}: {:?}",
            err.problems()
        );
        let message = err.to_string();
        for leak in [
            "_check",
            "_positive",
            "_range",
            "_not_blank",
            "public.",
            "select ",
        ] {
            assert!(!message.contains(leak), "{message}");
        }
        assert!(!message.starts_with("invalid_document"), "{message}");
        let body = serde_json::to_value(&err).unwrap();
        assert_eq!(body["code"], "invalid_document");
        assert!(body["problems"].as_array().is_some_and(|p| !p.is_empty()));
    }
    // messages do not repeat their code
    let forbidden = w
        .lms
        .as_user(w.student)
        .gradebook(w.course, Page::default())
        .await
        .unwrap_err();
    assert!(
        !forbidden.to_string().starts_with("forbidden"),
        "{forbidden}"
    );
}

/// Pages: defaults, where the next one starts, the total.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn lists_come_in_pages_with_the_next_offset_and_a_total(pool: PgPool) {
    let w = world(pool, false).await;
    let author = w.lms.as_user(w.instructor);
    for i in 0..4 {
        author
            .create_course(course(w.instructor, &format!("Course {i}")))
            .await
            .unwrap();
    }
    let all = author
        .list_courses(&CourseFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(
        (all.items.len(), all.total, all.next_offset),
        (5, Some(5), None)
    );
    let first = author
        .list_courses(&CourseFilter::default(), Page::new(2, 0))
        .await
        .unwrap();
    assert_eq!((first.items.len(), first.next_offset), (2, Some(2)));
    let last = author
        .list_courses(&CourseFilter::default(), Page::new(2, 4))
        .await
        .unwrap();
    assert_eq!((last.items.len(), last.next_offset), (1, None));
    let past = author
        .list_courses(&CourseFilter::default(), Page::new(2, 40))
        .await
        .unwrap();
    assert_eq!(
        (past.items.len(), past.next_offset, past.total),
        (0, None, Some(5))
    );
    let ids: Vec<CourseId> = [first.items, last.items]
        .concat()
        .iter()
        .map(|c| c.id)
        .collect();
    assert!(ids.iter().all(|id| all.items.iter().any(|c| c.id == *id)));

    let log = w
        .lms
        .as_service()
        .audit_log(&Default::default(), Page::new(3, 0))
        .await
        .unwrap();
    assert_eq!(
        (log.items.len(), log.next_offset, log.total),
        (3, Some(3), None)
    );

    // the enrolments come with their course's title
    let me = w.lms.as_user(w.student);
    author.publish_course(w.course).await.unwrap();
    me.enroll(w.course).await.unwrap();
    let mine = me.my_enrollments().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].course_title, "Rust");
    let as_json = serde_json::to_value(&mine[0]).unwrap();
    assert_eq!(as_json["course_title"], "Rust");
    assert_eq!(as_json["course_id"], json!(w.course));
}

/// A TCP proxy in front of the test database that can be cut and restored, to play a
/// database going away.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    cut: tokio::sync::watch::Sender<u64>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let (is_up, cuts) = (up.clone(), cut.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !is_up.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let mut cut = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Proxy { addr, up, cut }
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            self.cut.send_modify(|n| *n += 1);
        }
    }
}

/// With the database gone, a call fails within the acquire timeout with `database`
/// (not after sqlx's 30 s default); once it is back, calls succeed again.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn a_database_that_goes_away_fails_calls_fast_and_they_recover(pool: PgPool) {
    assert!(Lms::DEFAULT_ACQUIRE_TIMEOUT <= Duration::from_secs(10));
    let w = world(pool.clone(), true).await;
    let options = pool.connect_options();
    let target: SocketAddr = format!("{}:{}", options.get_host(), options.get_port())
        .parse()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], options.get_port())));
    let proxy = Proxy::start(target).await;
    let via_proxy = (*options)
        .clone()
        .host(&proxy.addr.ip().to_string())
        .port(proxy.addr.port());
    let timeout = Duration::from_secs(1);
    let lms = Lms::from_pool(
        Lms::pool_options()
            .acquire_timeout(timeout)
            .connect_lazy_with(via_proxy),
    );
    let me = lms.as_user(w.student);
    me.get_course(w.course).await.unwrap();

    proxy.set_up(false);
    let began = Instant::now();
    let err = me.get_course(w.course).await.unwrap_err();
    let waited = began.elapsed();
    assert_eq!(err.code(), ErrorCode::Database, "{err}");
    assert_eq!(err.code().http_status(), 503);
    assert_eq!(err.to_string(), "database error");
    assert!(
        waited < timeout * 10,
        "failed after {waited:?}, the acquire timeout is {timeout:?}"
    );

    proxy.set_up(true);
    assert_eq!(me.get_course(w.course).await.unwrap().id, w.course);
}

/// The property of the acceptance: whatever text a caller passes in a text parameter
/// (NUL characters, blanks, any Unicode, very long), the answer is a value or a typed
/// refusal, never a `database` error.
#[sqlx::test(migrator = "lms_db::MIGRATOR")]
async fn arbitrary_text_in_any_parameter_never_gives_a_database_error(pool: PgPool) {
    let w = world(pool, true).await;
    let mut runner = TestRunner::new(Config::default());
    let text = prop_oneof![
        any::<String>(),
        "[\\x00-\\x7f]{0,40}",
        Just(String::new()),
        Just("\0".to_owned()),
        Just("x".repeat(20_000)),
        "[a-z]{1,8}@[a-z]{1,8}\\.org",
    ];
    let author = w.lms.as_user(w.instructor);
    let student = w.lms.as_user(w.student);
    let service = w.lms.as_service();
    student.enroll(w.course).await.unwrap();
    let attempt = student
        .submit_attempt(
            w.final_exam,
            &json!({"q1": {"type": "multiple_choice", "selected": ["b"]}}),
        )
        .await
        .unwrap()
        .attempt
        .id;
    for _ in 0..48 {
        let s = text.new_tree(&mut runner).unwrap().current();
        let calls: Vec<(&str, Result<(), Error>)> = vec![
            (
                "list_courses tag",
                author
                    .list_courses(
                        &CourseFilter {
                            tag: Some(s.clone()),
                            ..Default::default()
                        },
                        Page::default(),
                    )
                    .await
                    .map(drop),
            ),
            (
                "create_course",
                author
                    .create_course(NewCourse {
                        title: s.clone(),
                        description: Some(s.clone()),
                        tags: vec![s.clone()],
                        ..course(w.instructor, "x")
                    })
                    .await
                    .map(drop),
            ),
            (
                "update_course",
                author
                    .update_course(
                        w.course,
                        CoursePatch {
                            description: Some(Some(s.clone())),
                            tags: Some(vec![s.clone()]),
                            ..Default::default()
                        },
                    )
                    .await
                    .map(drop),
            ),
            (
                "create_lesson",
                author
                    .create_lesson(NewLesson {
                        course_id: w.course,
                        title: s.clone(),
                        description: Some(s.clone()),
                        order_index: 50,
                        learning_objectives: vec![s.clone()],
                        estimated_duration_minutes: None,
                        prerequisites: vec![],
                    })
                    .await
                    .map(drop),
            ),
            (
                "update_assessment",
                author
                    .update_assessment(
                        w.quiz2,
                        AssessmentPatch {
                            title: Some(s.clone()),
                            description: Some(Some(s.clone())),
                            ..Default::default()
                        },
                    )
                    .await
                    .map(drop),
            ),
            (
                "update_profile",
                student
                    .update_profile(
                        w.student,
                        ProfilePatch {
                            first_name: Some(Some(s.clone())),
                            last_name: Some(Some(s.clone())),
                            avatar_url: Some(Some(s.clone())),
                            ..Default::default()
                        },
                    )
                    .await
                    .map(drop),
            ),
            (
                "grade_essay",
                author
                    .grade_essay(attempt, &s, 1, Some(&s))
                    .await
                    .map(drop),
            ),
            (
                "record_failed_sign_in",
                w.lms
                    .as_anon()
                    .record_failed_sign_in(&s, &s)
                    .await
                    .map(drop),
            ),
            (
                "audit_log",
                service
                    .audit_log(
                        &lms_db::AuditFilter {
                            table_name: Some(s.clone()),
                            ..Default::default()
                        },
                        Page::new(1, 0),
                    )
                    .await
                    .map(drop),
            ),
            (
                "sign_up",
                service
                    .sign_up(NewUser {
                        email: s.clone(),
                        role: UserRole::Student,
                        first_name: Some(s.clone()),
                        last_name: None,
                    })
                    .await
                    .map(drop),
            ),
            (
                "ensure_profile",
                service
                    .ensure_profile(UserId::new_v4(), Some(&s))
                    .await
                    .map(drop),
            ),
            (
                "save_answers",
                student
                    .submit_attempt(
                        w.quiz1,
                        &json!({"q2": {"type": "true_false", "value": true}, s.clone(): {"type": "essay", "text": s.clone()}}),
                    )
                    .await
                    .map(drop),
            ),
        ];
        for (what, outcome) in calls {
            if let Err(e) = outcome {
                assert_ne!(e.code(), ErrorCode::Database, "{what} with {s:?}: {e:?}");
            }
        }
    }
}

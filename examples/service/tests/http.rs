//! The example service over loopback, as a client sees it: good and bad input (no token,
//! a bad or expired token, a NUL byte, unknown and malformed ids, someone else's
//! gradebook, a user without a profile), statuses and bodies, the timed-assessment flow,
//! and `ETag`s.
#![allow(clippy::unwrap_used)]

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{encode, EncodingKey, Header};
use lms::core::model::{AssessmentId, ContentType, CourseId, UserId, UserRole};
use lms::core::repo::{
    AssessmentOwner, AssessmentPatch, NewAssessment, NewContentBlock, NewCourse, NewLesson, NewUser,
};
use lms::db::Lms;
use lms_example_service::{router, AppState, Auth};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

const SECRET: &[u8] = b"a test secret of the example service";

/// A token for `sub` as Supabase signs them: HS256, audience `authenticated`.
fn token(sub: &str, expires_in: i64, secret: &[u8]) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    encode(
        &Header::default(),
        &json!({"sub": sub, "aud": "authenticated", "role": "authenticated", "exp": now + expires_in}),
        &EncodingKey::from_secret(secret).unwrap(),
    )
    .unwrap()
}

struct World {
    base: String,
    http: Client,
    instructor: UserId,
    other_instructor: UserId,
    student: UserId,
    course: CourseId,
    quiz: AssessmentId,
    timed: AssessmentId,
}

impl World {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request as `user` (none: anonymous), its status and JSON body (`null` when
    /// empty).
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        user: Option<UserId>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(user) = user {
            request = request.bearer_auth(token(&user.to_string(), 600, SECRET));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"))
        };
        (status, value)
    }

    async fn get(&self, path: &str, user: Option<UserId>) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, user, None).await
    }

    async fn post(&self, path: &str, user: UserId, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(user), Some(body))
            .await
    }
}

fn questions() -> Value {
    json!([
        {"type": "true_false", "id": "q1", "prompt": "Rust has a borrow checker.", "points": 1,
         "correct": true},
        {"type": "multiple_choice", "id": "q2", "prompt": "Which one borrows?", "points": 1,
         "options": [{"id": "a", "text": "x", "fraction": 0.0},
                     {"id": "b", "text": "&x", "fraction": 1.0}]}
    ])
}

fn quiz(owner: AssessmentOwner, title: &str) -> NewAssessment {
    NewAssessment {
        owner,
        title: title.into(),
        description: None,
        questions: questions(),
        ai_generated: false,
        source_content_ids: vec![],
        is_mandatory: true,
        minimum_passing_score: 50,
        max_attempts: None,
        time_limit_minutes: None,
        policy: Default::default(),
        schedule: Default::default(),
        late_policy: None,
    }
}

/// Users signed up through the library, a published course of two lessons (an
/// untimed quiz, a timed one) and a final exam; the service on a loopback port.
async fn world(pool: PgPool) -> World {
    let lms = Lms::from_pool(pool);
    let service = lms.as_service();
    let user = |email: &str, role| NewUser {
        email: email.into(),
        role,
        first_name: None,
        last_name: None,
    };
    let instructor = service
        .sign_up(user("ada@example.org", UserRole::Instructor))
        .await
        .unwrap()
        .id;
    let other_instructor = service
        .sign_up(user("grace@example.org", UserRole::Instructor))
        .await
        .unwrap()
        .id;
    let student = service
        .sign_up(user("sam@example.org", UserRole::Student))
        .await
        .unwrap()
        .id;
    let author = lms.as_user(instructor);
    let course = author
        .create_course(NewCourse {
            title: "Rust".into(),
            description: None,
            instructor_id: instructor,
            tags: vec!["rust".into()],
            difficulty_level: None,
            estimated_duration_minutes: None,
        })
        .await
        .unwrap()
        .id;
    let mut quizzes = Vec::new();
    for (i, title) in ["Ownership", "Borrowing"].into_iter().enumerate() {
        let lesson = author
            .create_lesson(NewLesson {
                course_id: course,
                title: title.into(),
                description: None,
                order_index: i as i32,
                learning_objectives: vec![],
                estimated_duration_minutes: None,
                prerequisites: vec![],
            })
            .await
            .unwrap()
            .id;
        author
            .create_block(NewContentBlock {
                lesson_id: lesson,
                content_type: ContentType::RichText,
                content: json!({"rich_text": {"html": "<p>Read me</p>"}}),
                order_index: 0,
                metadata: Value::Null,
            })
            .await
            .unwrap();
        let quiz = author
            .create_assessment(quiz(AssessmentOwner::Lesson(lesson), title))
            .await
            .unwrap()
            .id;
        quizzes.push(quiz);
    }
    author
        .create_assessment(quiz(AssessmentOwner::Course(course), "Final"))
        .await
        .unwrap();
    author
        .update_assessment(
            quizzes[1],
            AssessmentPatch {
                time_limit_minutes: Some(Some(10)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    author.publish_course(course).await.unwrap();

    let app = router(AppState {
        lms,
        auth: Auth::hs256(SECRET).unwrap(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    World {
        base,
        http: Client::new(),
        instructor,
        other_instructor,
        student,
        course,
        quiz: quizzes[0],
        timed: quizzes[1],
    }
}

/// Asserts a library refusal: its status and `code`, a message that names no SQL.
fn refused(got: &(StatusCode, Value), status: u16, code: &str) {
    assert_eq!(got.0.as_u16(), status, "{got:?}");
    assert_eq!(got.1["code"], code, "{got:?}");
    let message = got.1["message"].as_str().unwrap();
    assert!(
        !message.is_empty() && !message.starts_with(code),
        "{message}"
    );
    for leak in ["select ", "public.", "_fkey", "_key", "sqlx"] {
        assert!(!message.contains(leak), "{message}");
    }
}

#[sqlx::test(migrator = "lms::db::MIGRATOR")]
async fn the_service_answers_good_and_bad_requests(pool: PgPool) {
    let w = world(pool).await;
    let course = w.course;

    // the catalog, anonymous and signed in; pages
    let (status, body) = w.get("/courses", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["total"].as_u64(), body["items"][0]["title"].as_str()),
        (Some(1), Some("Rust"))
    );
    let (_, page) = w.get("/courses?limit=1&offset=1", Some(w.student)).await;
    assert_eq!(
        (
            page["items"].as_array().unwrap().len(),
            &page["next_offset"]
        ),
        (0, &Value::Null)
    );
    let (status, outline) = w.get(&format!("/courses/{course}/outline"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outline.as_array().unwrap().len(), 2);

    // a NUL byte in a query parameter: the field named, not a 500
    let got = w.get("/courses?tag=%00", Some(w.student)).await;
    refused(&got, 422, "invalid_document");
    assert_eq!(got.1["problems"][0]["path"], "/tag");
    let got = w.get("/courses?limit=lots", None).await;
    refused(&got, 422, "invalid_document");

    // tokens: none, a forged one, an expired one, one whose subject is no user id
    let got = w
        .call(
            reqwest::Method::POST,
            &format!("/courses/{course}/enrollment"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (got.0.as_u16(), got.1["code"].as_str()),
        (401, Some("unauthenticated"))
    );
    for bad in [
        token(&w.student.to_string(), 600, b"another secret"),
        token(&w.student.to_string(), -600, SECRET),
        token("not-a-uuid", 600, SECRET),
        "garbage".to_owned(),
    ] {
        let response = w
            .http
            .get(w.url("/me/dashboard"))
            .bearer_auth(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated");
    }
    // a bad token is refused on anonymous routes too (it is not ignored)
    let response = w
        .http
        .get(w.url("/courses"))
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // a valid token of a user without a profile
    let stranger = UserId::new_v4();
    for path in ["/me/dashboard", "/courses"] {
        let got = w.get(path, Some(stranger)).await;
        refused(&got, 403, "no_profile");
        assert_eq!(got.1["details"]["user_id"], json!(stranger));
    }
    refused(
        &w.post(
            &format!("/courses/{course}/enrollment"),
            stranger,
            json!(null),
        )
        .await,
        403,
        "no_profile",
    );

    // unknown and malformed ids
    let unknown = CourseId::new_v4();
    let got = w.get(&format!("/courses/{unknown}"), Some(w.student)).await;
    refused(&got, 404, "not_found");
    assert_eq!(got.1["details"]["entity"], "course");
    let got = w.get("/courses/not-an-id", Some(w.student)).await;
    refused(&got, 422, "invalid_document");
    assert_eq!(got.1["problems"][0]["path"], "/id");

    // not enrolled yet
    refused(
        &w.get(
            &format!("/assessments/{}/questions", w.quiz),
            Some(w.student),
        )
        .await,
        403,
        "not_enrolled",
    );
    // enrol, twice
    let (status, enrollment) = w
        .post(
            &format!("/courses/{course}/enrollment"),
            w.student,
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(enrollment["course_id"], json!(course));
    refused(
        &w.post(
            &format!("/courses/{course}/enrollment"),
            w.student,
            json!(null),
        )
        .await,
        409,
        "already_enrolled",
    );

    // an untimed quiz: nothing answered is refused unless meant; bad answers name where
    let submission = format!("/assessments/{}/submission", w.quiz);
    refused(
        &w.post(&submission, w.student, json!({})).await,
        422,
        "no_answers",
    );
    let got = w
        .post(
            &submission,
            w.student,
            json!({"q9": {"type": "true_false", "value": true}}),
        )
        .await;
    refused(&got, 422, "invalid_document");
    assert_eq!(
        (
            got.1["document"].as_str(),
            got.1["problems"][0]["path"].as_str()
        ),
        (Some("answers"), Some("/q9"))
    );
    let got = w
        .call(reqwest::Method::POST, &submission, Some(w.student), None)
        .await;
    refused(&got, 422, "invalid_document");
    let (status, blank) = w
        .post(
            &format!("{submission}?allow_empty=true"),
            w.student,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{blank}");
    assert_eq!(blank["attempt"]["score"], 0);

    let (status, done) = w
        .post(
            &submission,
            w.student,
            json!({"q1": {"type": "true_false", "value": true},
                   "q2": {"type": "multiple_choice", "selected": ["b"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (
            done["attempt"]["score"].as_i64(),
            done["attempt"]["passed"].as_bool()
        ),
        (Some(100), Some(true))
    );
    // a timed quiz: questions before the clock runs → 409; start → 201 with them;
    // save → 200; submit what was saved
    let timed = w.timed;
    let got = w
        .get(&format!("/assessments/{timed}/questions"), Some(w.student))
        .await;
    refused(&got, 409, "attempt_not_started");
    refused(
        &w.post(
            &format!("/assessments/{timed}/submission"),
            w.student,
            json!({"q1": {"type": "true_false", "value": true}}),
        )
        .await,
        409,
        "attempt_not_started",
    );
    let (status, started) = w
        .post(
            &format!("/assessments/{timed}/attempts"),
            w.student,
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert!(started["deadline"].is_string());
    assert!(
        started["questions"][0].get("correct").is_none(),
        "{started}"
    );
    let (status, questions) = w
        .get(&format!("/assessments/{timed}/questions"), Some(w.student))
        .await;
    assert_eq!(
        (status, &questions),
        (StatusCode::OK, &started["questions"])
    );
    let (status, saved) = w
        .call(
            reqwest::Method::PUT,
            &format!("/assessments/{timed}/answers"),
            Some(w.student),
            Some(json!({"q1": {"type": "true_false", "value": true}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, done) = w
        .post(
            &format!("/assessments/{timed}/submission"),
            w.student,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["attempt"]["score"], 50);

    // the dashboard with its ETag: 304 while it is unchanged
    let response = w
        .http
        .get(w.url("/me/dashboard"))
        .bearer_auth(token(&w.student.to_string(), 600, SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let dashboard: Value = response.json().await.unwrap();
    assert_eq!(
        format!("\"{}\"", dashboard["version"].as_str().unwrap()),
        etag
    );
    let again = w
        .http
        .get(w.url("/me/dashboard"))
        .bearer_auth(token(&w.student.to_string(), 600, SECRET))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // the gradebook: the course's instructor, paged; not a student, not another
    // instructor
    let (status, book) = w
        .get(
            &format!("/courses/{course}/gradebook?limit=1"),
            Some(w.instructor),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{book}");
    assert_eq!(
        (book["total"].as_u64(), book["next_offset"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(book["entries"][0]["student_email"], "sam@example.org");
    assert!(book["entries"][0]["assessment_title"].is_string());
    for someone_else in [w.student, w.other_instructor] {
        refused(
            &w.get(&format!("/courses/{course}/gradebook"), Some(someone_else))
                .await,
            403,
            "forbidden",
        );
    }
    refused(
        &w.get(&format!("/courses/{unknown}/gradebook"), Some(w.instructor))
            .await,
        404,
        "not_found",
    );
}

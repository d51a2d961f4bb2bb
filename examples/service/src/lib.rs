//! An HTTP service embedding `lms`, as a back end would: the caller's JWT (HS256, as
//! Supabase signs them) is verified and its `sub` becomes [`lms::db::Lms::as_user`]; a
//! request without a token reads the catalog as an anonymous visitor; every refusal of
//! the library becomes the HTTP status its [`ErrorCode`] recommends, with the library's
//! error body (`code`, `message`, `problems`, `details`) as JSON; read models carry
//! their `version` as an `ETag`.
//!
//! | method and path | use case |
//! |---|---|
//! | `GET /courses?tag=&difficulty=&limit=&offset=` | `list_courses` (anonymous too) |
//! | `GET /courses/{id}` | `get_course` (anonymous too) |
//! | `GET /courses/{id}/outline` | `course_outline` (anonymous too) |
//! | `POST /courses/{id}/enrollment` | `enroll` → 201 |
//! | `GET /courses/{id}/gradebook?limit=&offset=` | `gradebook`, with an `ETag` |
//! | `GET /me/dashboard` | `student_dashboard`, with an `ETag` |
//! | `GET /assessments/{id}/questions` | `assessment_questions` |
//! | `POST /assessments/{id}/attempts` | `start_attempt` → 201 |
//! | `PUT /assessments/{id}/answers` | `save_answers` |
//! | `POST /assessments/{id}/submission?allow_empty=` | `submit_attempt_with` |

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, ETAG, IF_NONE_MATCH, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use lms::core::model::{AssessmentId, CourseId, DifficultyLevel, UserId};
use lms::core::repo::{CourseFilter, Page};
use lms::db::{Error, ErrorCode, Lms, Scope, SubmitOptions};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What every handler shares: the library's handle and the key tokens are verified with.
#[derive(Clone)]
pub struct AppState {
    /// The library.
    pub lms: Lms,
    /// How tokens are checked.
    pub auth: Auth,
}

/// Verifies bearer tokens: HS256 with a shared secret (a Supabase project's JWT
/// secret), an expiry, and the audience `authenticated`.
#[derive(Clone)]
pub struct Auth {
    key: DecodingKey,
    validation: Validation,
}

impl Auth {
    /// Tokens signed with `secret` (HS256).
    pub fn hs256(secret: &[u8]) -> Result<Self, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&["authenticated"]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        Ok(Auth {
            key: DecodingKey::from_secret(secret)?,
            validation,
        })
    }

    /// The user a verified token names (`sub`), or why it is refused.
    fn user(&self, token: &str) -> Result<UserId, ApiError> {
        #[derive(Deserialize)]
        struct Claims {
            sub: String,
        }
        let data = decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| ApiError::unauthenticated(&format!("invalid token: {e}")))?;
        data.claims
            .sub
            .parse()
            .map_err(|_| ApiError::unauthenticated("the token's subject is not a user id"))
    }
}

/// The service's routes over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/courses", get(list_courses))
        .route("/courses/{id}", get(get_course))
        .route("/courses/{id}/outline", get(course_outline))
        .route("/courses/{id}/enrollment", post(enroll))
        .route("/courses/{id}/gradebook", get(gradebook))
        .route("/me/dashboard", get(dashboard))
        .route("/assessments/{id}/questions", get(questions))
        .route("/assessments/{id}/attempts", post(start_attempt))
        .route("/assessments/{id}/answers", put(save_answers))
        .route("/assessments/{id}/submission", post(submit))
        .with_state(state)
}

/// A response that is not a success: a status and a JSON body.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
    challenge: bool,
}

impl ApiError {
    /// 401, for a missing or invalid token.
    fn unauthenticated(message: &str) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            body: json!({"code": "unauthenticated", "message": message}),
            challenge: true,
        }
    }

    /// 422 `invalid_document`, for a request the library never saw (a malformed id,
    /// query string or body), in the library's shape.
    fn bad_request(what: &str, field: &str, reason: String) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "code": ErrorCode::InvalidDocument,
                "message": format!("invalid {what}: {reason}"),
                "document": what,
                "problems": [{"path": field, "reason": reason}],
            }),
            challenge: false,
        }
    }
}

/// The library's refusals: the status [`ErrorCode::http_status`] recommends, the body
/// [`Error::body`]; database failures are logged with their cause (never sent).
impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        if e.code() == ErrorCode::Database {
            let cause = std::error::Error::source(&e).map(ToString::to_string);
            tracing::error!(error = %e, cause = ?cause, "the database failed");
        }
        ApiError {
            status: StatusCode::from_u16(e.code().http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: serde_json::to_value(e.body()).unwrap_or_default(),
            challenge: false,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.challenge {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The signed-in user of a request (a verified bearer token); 401 without one.
pub struct User(pub UserId);

/// The signed-in user if the request carries a token (which must then be valid), else
/// an anonymous visitor.
pub struct Visitor(pub Option<UserId>);

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

impl FromRequestParts<AppState> for User {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(|| ApiError::unauthenticated("sign in first"))?;
        Ok(User(state.auth.user(token)?))
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match bearer(parts) {
            None => Ok(Visitor(None)),
            Some(token) => Ok(Visitor(Some(state.auth.user(token)?))),
        }
    }
}

impl Visitor {
    fn scope(&self, lms: &Lms) -> Scope {
        match self.0 {
            Some(user) => lms.as_user(user),
            None => lms.as_anon(),
        }
    }
}

/// A path's `{id}`, refused in the library's shape when it is not a UUID.
pub struct Id<T>(pub T);

impl<T, S> FromRequestParts<S> for Id<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Id(p.0))
            .map_err(|e: PathRejection| ApiError::bad_request("path", "/id", e.body_text()))
    }
}

/// A query string, refused in the library's shape when it does not parse.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| ApiError::bad_request("query", "", e.body_text()))
    }
}

/// A JSON body, refused in the library's shape when it does not parse.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|j| Body(j.0))
            .map_err(|e: JsonRejection| ApiError::bad_request("body", "", e.body_text()))
    }
}

/// `value` as JSON with its version as a strong `ETag`; 304 with no body when the
/// request's `If-None-Match` names it.
fn versioned<T: Serialize>(headers: &HeaderMap, version: &str, value: &T) -> Response {
    let tag = format!("\"{version}\"");
    let matches = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let etag = HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"\""));
    if matches {
        return (StatusCode::NOT_MODIFIED, [(ETAG, etag)]).into_response();
    }
    (StatusCode::OK, [(ETAG, etag)], Json(value)).into_response()
}

/// The catalog's query string: a filter and a page (`limit`, `offset`), all optional.
/// (Not a flattened `Page`: query strings carry text, which serde's `flatten` would not
/// turn into numbers.)
#[derive(Debug, Deserialize)]
pub struct CatalogQuery {
    tag: Option<String>,
    difficulty: Option<DifficultyLevel>,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl CatalogQuery {
    fn page(&self) -> Page {
        let default = Page::default();
        Page::new(
            self.limit.unwrap_or(default.limit),
            self.offset.unwrap_or(default.offset),
        )
    }
}

async fn list_courses(
    State(s): State<AppState>,
    visitor: Visitor,
    Query(q): Query<CatalogQuery>,
) -> Result<Response, ApiError> {
    let filter = CourseFilter {
        tag: q.tag.clone(),
        difficulty: q.difficulty,
        ..Default::default()
    };
    let page = visitor
        .scope(&s.lms)
        .list_courses(&filter, q.page())
        .await?;
    Ok(Json(page).into_response())
}

async fn get_course(
    State(s): State<AppState>,
    visitor: Visitor,
    Id(id): Id<CourseId>,
) -> Result<Response, ApiError> {
    Ok(Json(visitor.scope(&s.lms).get_course(id).await?).into_response())
}

async fn course_outline(
    State(s): State<AppState>,
    visitor: Visitor,
    Id(id): Id<CourseId>,
) -> Result<Response, ApiError> {
    Ok(Json(visitor.scope(&s.lms).course_outline(id).await?).into_response())
}

async fn enroll(
    State(s): State<AppState>,
    User(me): User,
    Id(id): Id<CourseId>,
) -> Result<Response, ApiError> {
    let enrollment = s.lms.as_user(me).enroll(id).await?;
    Ok((StatusCode::CREATED, Json(enrollment)).into_response())
}

async fn gradebook(
    State(s): State<AppState>,
    User(me): User,
    Id(id): Id<CourseId>,
    Query(page): Query<Page>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let book = s.lms.as_user(me).gradebook(id, page).await?;
    Ok(versioned(&headers, &book.version, &book))
}

async fn dashboard(
    State(s): State<AppState>,
    User(me): User,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let dashboard = s.lms.as_user(me).student_dashboard().await?;
    Ok(versioned(&headers, &dashboard.version, &dashboard))
}

async fn questions(
    State(s): State<AppState>,
    User(me): User,
    Id(id): Id<AssessmentId>,
) -> Result<Response, ApiError> {
    Ok(Json(s.lms.as_user(me).assessment_questions(id).await?).into_response())
}

async fn start_attempt(
    State(s): State<AppState>,
    User(me): User,
    Id(id): Id<AssessmentId>,
) -> Result<Response, ApiError> {
    let started = s.lms.as_user(me).start_attempt(id).await?;
    Ok((StatusCode::CREATED, Json(started)).into_response())
}

async fn save_answers(
    State(s): State<AppState>,
    User(me): User,
    Id(id): Id<AssessmentId>,
    Body(answers): Body<Value>,
) -> Result<Response, ApiError> {
    Ok(Json(s.lms.as_user(me).save_answers(id, &answers).await?).into_response())
}

async fn submit(
    State(s): State<AppState>,
    User(me): User,
    Id(id): Id<AssessmentId>,
    Query(options): Query<SubmitOptions>,
    Body(answers): Body<Value>,
) -> Result<Response, ApiError> {
    let done = s
        .lms
        .as_user(me)
        .submit_attempt_with(id, &answers, options)
        .await?;
    Ok(Json(done).into_response())
}

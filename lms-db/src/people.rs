//! People: profiles, roles, and the GDPR rights — export of every row about a user and
//! erasure in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lms_core::documents::{KnowledgeProfile, LearningPreferences};
use lms_core::model::*;
use lms_core::repo::{NewUser, ProfilePatch};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::rows::{self, document};
use crate::session::{Actor, Scope, Tx};

/// Loads a profile the actor can see, or `NotFound`.
pub(crate) async fn profile(tx: &mut Tx, id: UserId) -> Result<Profile> {
    rows::by_id(tx.conn(), "profiles", rows::PROFILE, id.0)
        .await?
        .ok_or_else(|| Error::not_found("user", id))
}

/// Whether `auth.users` is the library's shim (plain PostgreSQL), not an auth server's.
async fn auth_is_the_shim(tx: &mut Tx) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "select coalesce(obj_description('auth.users'::regclass, 'pg_class') = 'lms auth shim', \
                         false)",
    )
    .fetch_one(tx.conn())
    .await?)
}

/// The user, an admin, or the service may act on `user`'s personal data.
async fn require_self_or_admin(tx: &mut Tx, user: UserId) -> Result<()> {
    // the user themselves first: their role is not asked for
    if matches!(tx.actor(), Actor::User(me) if me == user) {
        return Ok(());
    }
    match (tx.actor(), tx.actor_role().await?) {
        (Actor::Service, _) | (_, Some(UserRole::Admin)) => Ok(()),
        _ => Err(Error::forbidden(
            "only the user themselves or an admin may do this",
        )),
    }
}

/// Every row about one user, by table: what [`Scope::export_user_data`] returns.
///
/// Keys are table names; each value is the list of that table's rows about the user,
/// every column as stored (`to_jsonb` of the row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserExport {
    /// The format of this document.
    pub format: &'static str,
    /// When it was made.
    pub exported_at: DateTime<Utc>,
    /// The user.
    pub user_id: UserId,
    /// Rows by table name.
    pub tables: BTreeMap<&'static str, Value>,
}

/// What [`Scope::erase_user`] removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erasure {
    /// The erased user.
    pub user_id: UserId,
    /// Who owns their courses now, when they had any.
    pub successor: Option<UserId>,
    /// How many courses were handed to the successor.
    pub transferred_courses: i64,
    /// Rows deleted, by table.
    pub deleted: BTreeMap<&'static str, i64>,
}

/// The personal tables: every table whose rows belong to a user through `student_id`
/// (`profiles` itself through `id`, `course_staff` through `user_id`). Deleting the user
/// deletes these rows (cascade).
const PERSONAL: [(&str, &str); 10] = [
    ("profiles", "id"),
    ("enrollments", "student_id"),
    ("assessment_attempts", "student_id"),
    ("student_progress", "student_id"),
    ("personalized_roadmaps", "student_id"),
    ("learning_progress", "student_id"),
    ("learning_activity", "student_id"),
    ("assessment_item_responses", "student_id"),
    ("accommodations", "student_id"),
    ("course_staff", "user_id"),
];

impl Scope {
    /// The acting user's profile.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "my_profile", actor = self.actor.role_name()))]
    pub async fn my_profile(&self) -> Result<Profile> {
        let mut tx = self.begin().await?;
        let Actor::User(me) = tx.actor() else {
            return Err(Error::forbidden("only a signed-in user has a profile"));
        };
        let p = profile(&mut tx, me).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Changes a profile: its owner's names, avatar (an `https` URL) and learning
    /// preferences (validated as a `LearningPreferences` document). The knowledge profile is computed by the
    /// library and only the service may set it; roles change through
    /// [`Scope::set_role`].
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "update_profile", actor = self.actor.role_name()))]
    pub async fn update_profile(&self, user: UserId, patch: ProfilePatch) -> Result<Profile> {
        rows::Texts::of("profile")
            .one(
                "first_name",
                patch.first_name.as_ref().and_then(Option::as_deref),
            )
            .one(
                "last_name",
                patch.last_name.as_ref().and_then(Option::as_deref),
            )
            .one(
                "avatar_url",
                patch.avatar_url.as_ref().and_then(Option::as_deref),
            )
            .check()?;
        let preferences = patch
            .learning_preferences
            .as_ref()
            .map(|v| document::<LearningPreferences>("learning_preferences", v))
            .transpose()?;
        if let Some(Some(url)) = &patch.avatar_url {
            lms_core::documents::check_url("avatar_url", url)?;
        }
        let mut tx = self.begin().await?;
        if patch.knowledge_profile.is_some() && tx.actor() != Actor::Service {
            return Err(Error::forbidden(
                "the knowledge profile is computed by the library, not written by users",
            ));
        }
        let knowledge = patch
            .knowledge_profile
            .as_ref()
            .map(|v| document::<KnowledgeProfile>("knowledge_profile", v))
            .transpose()?;
        let current = profile(&mut tx, user).await?;
        let mut receipts = Vec::new();
        if let Some(doc) = &preferences {
            receipts.push(("profiles.learning_preferences".to_owned(), doc));
        }
        if let Some(doc) = &knowledge {
            receipts.push(("profiles.knowledge_profile".to_owned(), doc));
        }
        tx.vouch(&receipts).await?;
        // only the columns given: a user may update their names, avatar and preferences,
        // not the knowledge profile, and column privileges are checked per column named
        let mut u = rows::Update::new("profiles");
        u.set_some("first_name", patch.first_name);
        u.set_some("last_name", patch.last_name);
        u.set_some("avatar_url", patch.avatar_url);
        u.set_some("learning_preferences", preferences);
        u.set_some("knowledge_profile", knowledge);
        if u.is_empty() {
            tx.commit().await?;
            return Ok(current);
        }
        let updated = u
            .returning(tx.conn(), current.id.0, rows::PROFILE)
            .await?
            .ok_or_else(|| Error::forbidden(format!("profile {user} may not be changed")))?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Signs a user up where the library's `auth` shim stands in for an auth server
    /// (plain PostgreSQL): the sign-in row (`auth.users`), and through the sign-up
    /// trigger the profile, with the role and names given. The service only. On a
    /// database with its own auth server (Supabase), users sign up through it (Supabase
    /// Auth) and the trigger creates their profile: this call is refused there.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "sign_up", actor = self.actor.role_name()))]
    pub async fn sign_up(&self, new: NewUser) -> Result<Profile> {
        self.require_service("signs users up")?;
        rows::Texts::of("user")
            .one("first_name", new.first_name.as_deref())
            .one("last_name", new.last_name.as_deref())
            .check()?;
        lms_core::documents::check_email("email", &new.email)?;
        let mut tx = self.begin().await?;
        if !auth_is_the_shim(&mut tx).await? {
            return Err(Error::forbidden(
                "users sign up through this database's own auth server (Supabase Auth), \
                 not through the library",
            ));
        }
        // the sign-in rows belong to the session user, who made the shim
        tx.as_session_user().await?;
        let id: uuid::Uuid =
            sqlx::query_scalar("insert into auth.users (email) values ($1) returning id")
                .bind(&new.email)
                .fetch_one(tx.conn())
                .await?;
        tx.set_actor_role().await?;
        let sql = format!(
            "update public.profiles set role = $2::public.user_role, first_name = $3, \
               last_name = $4 where id = $1 returning {}",
            rows::PROFILE
        );
        let profile = rows::select::<Profile>(&sql)
            .bind(id)
            .bind(new.role.as_str())
            .bind(&new.first_name)
            .bind(&new.last_name)
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(profile)
    }

    /// The profile of `user`, created when it is missing (the service only): for a user
    /// whose sign-in row exists (made by an auth server before the sign-up trigger, say),
    /// from that row; where the library's `auth` shim stands in for an auth server, with
    /// a new sign-in row for `email` too — so a back end that verifies tokens of its own
    /// identity provider can give each new `sub` a profile on its first request.
    /// `NotFound` on a database with its own auth server that does not know the user.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "ensure_profile", actor = self.actor.role_name()))]
    pub async fn ensure_profile(&self, user: UserId, email: Option<&str>) -> Result<Profile> {
        self.require_service("creates profiles")?;
        if let Some(email) = email {
            lms_core::documents::check_email("email", email)?;
        }
        let mut tx = self.begin().await?;
        if let Ok(found) = profile(&mut tx, user).await {
            tx.commit().await?;
            return Ok(found);
        }
        tx.as_session_user().await?;
        let signed_in: Option<Option<String>> =
            sqlx::query_scalar("select email::text from auth.users where id = $1")
                .bind(user.0)
                .fetch_optional(tx.conn())
                .await?;
        match signed_in {
            Some(known) => {
                tx.set_actor_role().await?;
                sqlx::query(
                    "insert into public.profiles (id, email, role) \
                     values ($1, nullif(btrim($2), ''), 'student') on conflict (id) do nothing",
                )
                .bind(user.0)
                .bind(known)
                .execute(tx.conn())
                .await?;
            }
            None => {
                if !auth_is_the_shim(&mut tx).await? {
                    return Err(Error::not_found("user", user));
                }
                sqlx::query("insert into auth.users (id, email) values ($1, $2)")
                    .bind(user.0)
                    .bind(email)
                    .execute(tx.conn())
                    .await?;
                tx.set_actor_role().await?;
            }
        }
        let created = profile(&mut tx, user).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Sets another user's role (admins only; nobody changes their own role). Goes
    /// through the database's `public.set_user_role`, which enforces the same.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "set_role", actor = self.actor.role_name()))]
    pub async fn set_role(&self, user: UserId, role: UserRole) -> Result<Profile> {
        let mut tx = self.begin().await?;
        match (tx.actor(), tx.actor_role().await?) {
            (Actor::Service, _) => {
                sqlx::query("update public.profiles set role = $2::public.user_role where id = $1")
                    .bind(user.0)
                    .bind(role.as_str())
                    .execute(tx.conn())
                    .await?;
            }
            (Actor::User(me), Some(UserRole::Admin)) if me != user => {
                sqlx::query("select public.set_user_role($1, $2::public.user_role)")
                    .bind(user.0)
                    .bind(role.as_str())
                    .execute(tx.conn())
                    .await?;
            }
            (Actor::User(me), _) if me == user => {
                return Err(Error::forbidden("no one may change their own role"))
            }
            _ => return Err(Error::forbidden("only an admin may change a role")),
        }
        let p = profile(&mut tx, user).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Every row about `user` (GDPR data portability), as the actor may read it: the user
    /// themselves, an admin, or the service. Tables: `profiles`, `courses` they teach,
    /// `enrollments`, `assessment_attempts`, `student_progress`,
    /// `personalized_roadmaps`, `learning_progress`, `learning_activity`,
    /// `assessment_item_responses`, `accommodations`, `course_staff`, and the view
    /// `attempt_reviews`.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "export_user_data", actor = self.actor.role_name()))]
    pub async fn export_user_data(&self, user: UserId) -> Result<UserExport> {
        let mut tx = self.begin().await?;
        require_self_or_admin(&mut tx, user).await?;
        profile(&mut tx, user).await?;
        let mut tables = BTreeMap::new();
        // and the reviews of their attempts (`attempt_reviews`): every attempt, as its
        // review options show it to the actor (a student's hidden results left out)
        let exported = [
            ("courses", "instructor_id"),
            ("attempt_reviews", "student_id"),
        ];
        for (table, column) in PERSONAL.into_iter().chain(exported) {
            // every column as stored, so a column added later is exported too; by id
            // (a table without one, by its content)
            let sql = format!(
                "select coalesce(jsonb_agg(to_jsonb(t) order by to_jsonb(t) ->> 'id', \
                                           to_jsonb(t)::text), '[]'::jsonb) \
                 from public.{table} t where t.{column} = $1"
            );
            let rows: Value = sqlx::query_scalar(&sql)
                .bind(user.0)
                .fetch_one(tx.conn())
                .await?;
            tables.insert(table, rows);
        }
        tx.commit().await?;
        Ok(UserExport {
            format: "lms.user_export.v1",
            exported_at: Utc::now(),
            user_id: user,
            tables,
        })
    }

    /// Erases a user (GDPR right to erasure): the user themselves, an admin or the
    /// service. Courses they teach are handed to `successor` (an instructor or admin,
    /// not the user), whom only an admin or the service may name; without one, a user
    /// who teaches courses is refused with [`Error::SuccessorRequired`]. Then the user's sign-in (`auth.users`), profile and
    /// every personal row are deleted, and the user's personal data is redacted from the
    /// audit log (`lms_private.redact_audit_for_user`) — all in one transaction.
    ///
    /// The `auth.users` row is deleted as the library's session user (the one that ran
    /// the migrations), which owns the sign-up trigger on that table.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "erase_user", actor = self.actor.role_name()))]
    pub async fn erase_user(&self, user: UserId, successor: Option<UserId>) -> Result<Erasure> {
        let mut tx = self.begin().await?;
        require_self_or_admin(&mut tx, user).await?;
        profile(&mut tx, user).await?;
        // handing courses over is an admin's decision, not the leaving user's
        let may_name_successor = matches!(
            (tx.actor(), tx.actor_role().await?),
            (Actor::Service, _) | (_, Some(UserRole::Admin))
        );
        if successor.is_some() && !may_name_successor {
            return Err(Error::forbidden(
                "only an admin may hand a user's courses to a successor",
            ));
        }
        tx.trusted().await?;
        let courses: i64 =
            sqlx::query_scalar("select count(*) from public.courses where instructor_id = $1")
                .bind(user.0)
                .fetch_one(tx.conn())
                .await?;
        let mut transferred = 0;
        if courses > 0 {
            let Some(heir) = successor else {
                return Err(Error::SuccessorRequired { user, courses });
            };
            if heir == user {
                return Err(Error::Conflict {
                    reason: "the successor must be another user".into(),
                });
            }
            let role: Option<String> =
                sqlx::query_scalar("select role::text from public.profiles where id = $1")
                    .bind(heir.0)
                    .fetch_optional(tx.conn())
                    .await?;
            match role.as_deref() {
                Some("instructor" | "admin") => {}
                Some(_) => {
                    return Err(Error::Conflict {
                        reason: format!("successor {heir} is not an instructor or admin"),
                    })
                }
                None => return Err(Error::not_found("user", heir)),
            }
            transferred = sqlx::query(
                "update public.courses set instructor_id = $2 where instructor_id = $1",
            )
            .bind(user.0)
            .bind(heir.0)
            .execute(tx.conn())
            .await?
            .rows_affected() as i64;
        }
        let mut deleted = BTreeMap::new();
        for (table, column) in PERSONAL {
            let n: i64 = sqlx::query_scalar(&format!(
                "select count(*) from public.{table} where {column} = $1"
            ))
            .bind(user.0)
            .fetch_one(tx.conn())
            .await?;
            deleted.insert(table, n);
        }
        tx.as_session_user().await?;
        let gone = sqlx::query("delete from auth.users where id = $1")
            .bind(user.0)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if gone == 0 {
            // every profile has its sign-in row (profiles.id references auth.users)
            return Err(Error::not_found("user", user));
        }
        // the deletes above logged the deleted rows: now remove the user's personal
        // data from the audit log (docs/audit.md), in the same transaction
        tx.trusted().await?;
        sqlx::query("select lms_private.redact_audit_for_user($1)")
            .bind(user.0)
            .execute(tx.conn())
            .await?;
        tx.set_actor_role().await?;
        tx.commit().await?;
        Ok(Erasure {
            user_id: user,
            successor: if transferred > 0 { successor } else { None },
            transferred_courses: transferred,
            deleted,
        })
    }
}

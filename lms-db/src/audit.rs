//! The audit log (`public.audit_log`): every change of the lms tables with its actor and
//! time, and failed sign-ins. The database writes it (row triggers, append-only); this
//! module records failed sign-ins and reads the log for admins and the service.
//! `docs/audit.md` is the policy: what is logged, who reads it, retention, GDPR.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use lms_core::model::{UserId, UserRole};
use lms_core::repo::{Page, Paged};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::rows::{self, parse};
use crate::session::{Actor, Scope};

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A row was inserted (`new_data`: the whole row).
    Insert,
    /// A row was updated (`old_data` / `new_data`: the changed columns only).
    Update,
    /// A row was deleted (`old_data`: the whole row).
    Delete,
    /// A sign-in failed (`new_data`: `{email, reason}`).
    SignInFailed,
}

impl AuditAction {
    /// The database's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Insert => "insert",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::SignInFailed => "sign_in_failed",
        }
    }
}

impl FromStr for AuditAction {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "insert" => AuditAction::Insert,
            "update" => AuditAction::Update,
            "delete" => AuditAction::Delete,
            "sign_in_failed" => AuditAction::SignInFailed,
            other => return Err(format!("unknown audit action {other:?}")),
        })
    }
}

/// The database role a change ran as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditActorRole {
    /// A signed-in user under Row Level Security.
    Authenticated,
    /// An anonymous client.
    Anon,
    /// `service_role`: the library's trusted path or a back-office job.
    Service,
    /// Any other role: the migrating/owner user, the auth server, a console session.
    System,
}

impl FromStr for AuditActorRole {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "authenticated" => AuditActorRole::Authenticated,
            "anon" => AuditActorRole::Anon,
            "service" => AuditActorRole::Service,
            "system" => AuditActorRole::System,
            other => return Err(format!("unknown audit actor role {other:?}")),
        })
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Increasing id.
    pub id: i64,
    /// When the change was made (clock time of the statement's row, not of the
    /// transaction's start).
    pub occurred_at: DateTime<Utc>,
    /// The user in whose name it was made (`auth.uid()`); `None` for the service, the
    /// system, anonymous clients, and after the user's erasure.
    pub actor_id: Option<UserId>,
    /// The role it ran as.
    pub actor_role: AuditActorRole,
    /// What happened.
    pub action: AuditAction,
    /// The table changed (`auth.users` for failed sign-ins, `audit_log` for a purge).
    pub table_name: String,
    /// The `id` of the row changed.
    pub row_id: Option<Uuid>,
    /// Before: the whole row (delete) or the changed columns (update).
    pub old_data: Option<Value>,
    /// After: the whole row (insert), the changed columns (update), or
    /// `{email, reason}` (failed sign-in).
    pub new_data: Option<Value>,
}

/// Which entries [`Scope::audit_log`] returns; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Only changes of this table (`profiles`, `courses`, …, `auth.users`).
    pub table_name: Option<String>,
    /// Only changes of this row.
    pub row_id: Option<Uuid>,
    /// Only changes made in this user's name.
    pub actor_id: Option<UserId>,
    /// Only this kind of entry.
    pub action: Option<AuditAction>,
    /// Only entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this time.
    pub until: Option<DateTime<Utc>>,
}

impl FromRow<'_, PgRow> for AuditEntry {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        Ok(AuditEntry {
            id: row.try_get("id")?,
            occurred_at: row.try_get("occurred_at")?,
            actor_id: row.try_get::<Option<Uuid>, _>("actor_id")?.map(UserId),
            actor_role: parse(row, "actor_role")?,
            action: parse(row, "action")?,
            table_name: row.try_get("table_name")?,
            row_id: row.try_get("row_id")?,
            old_data: row.try_get("old_data")?,
            new_data: row.try_get("new_data")?,
        })
    }
}

impl Scope {
    /// Records a failed sign-in (wrong password, unknown e-mail address…) for `email`
    /// with a short `reason`, as this scope's actor: typically the service, for the
    /// sign-in flow. Anonymous clients call the database's `public.record_failed_sign_in`
    /// directly. The e-mail address is kept to 320 characters, the reason to 200.
    /// Returns the entry's id.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "record_failed_sign_in", actor = self.actor.role_name()))]
    pub async fn record_failed_sign_in(&self, email: &str, reason: &str) -> Result<i64> {
        rows::Texts::of("sign_in")
            .one("email", Some(email))
            .one("reason", Some(reason))
            .check()?;
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar("select public.record_failed_sign_in($1, $2)")
            .bind(email)
            .bind(reason)
            .fetch_one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Entries of the audit log matching `filter`, newest first: admins and the service
    /// only (anyone else is refused, as the database's policy would show them nothing).
    ///
    /// One page, with where the next one starts; the log is not counted (it grows
    /// without bound), so `total` is `None`.
    #[tracing::instrument(name = "lms", skip_all, fields(use_case = "audit_log", actor = self.actor.role_name()))]
    pub async fn audit_log(&self, filter: &AuditFilter, page: Page) -> Result<Paged<AuditEntry>> {
        rows::Texts::of("audit_filter")
            .one("table_name", filter.table_name.as_deref())
            .check()?;
        let mut tx = self.begin().await?;
        match (tx.actor(), tx.actor_role().await?) {
            (Actor::Service, _) | (_, Some(UserRole::Admin)) => {}
            _ => return Err(Error::forbidden("only admins may read the audit log")),
        }
        // only the filters given, so each read can use its index
        let mut q = QueryBuilder::<Postgres>::new(
            "select id, occurred_at, actor_id, actor_role, action, table_name, row_id, \
                    old_data, new_data \
               from public.audit_log where true",
        );
        if let Some(table) = &filter.table_name {
            q.push(" and table_name = ").push_bind(table.clone());
        }
        if let Some(row) = filter.row_id {
            q.push(" and row_id = ").push_bind(row);
        }
        if let Some(actor) = filter.actor_id {
            q.push(" and actor_id = ").push_bind(actor.0);
        }
        if let Some(action) = filter.action {
            q.push(" and action = ").push_bind(action.as_str());
        }
        if let Some(since) = filter.since {
            q.push(" and occurred_at >= ").push_bind(since);
        }
        if let Some(until) = filter.until {
            q.push(" and occurred_at < ").push_bind(until);
        }
        let page = Page::new(page.limit, page.offset);
        let (limit, offset) = rows::paging(page);
        // one row beyond the page tells whether another page follows
        q.push(" order by occurred_at desc, id desc limit ")
            .push_bind(limit + 1)
            .push(" offset ")
            .push_bind(offset);
        let entries = q
            .build_query_as::<AuditEntry>()
            .fetch_all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(Paged::probed(entries, page))
    }
}

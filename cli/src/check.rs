//! `lms check`: does the database hold the schema the library embeds?
//!
//! * **Migrations**: every embedded migration applied, successfully, with the checksum
//!   it has here (an edited migration is drift); none applied that the library does not
//!   know.
//! * **Security objects**: the catalog's row level security flags, policies, grants to
//!   the API roles (table, column, function), functions (security definer, owner,
//!   pinned `search_path`, source), views and triggers, as lines of text
//!   ([`snapshot`]), against those of a database just migrated by this version
//!   (`schema.txt`, embedded; `UPDATE_SCHEMA=1 cargo test -p lms-cli` rewrites it from a
//!   fresh database). A policy dropped or loosened by hand, a grant added, a function
//!   replaced: each is a line missing or unexpected (but a privilege `service_role`, the
//!   trusted path, has beyond those expected). Policy definitions are compared
//!   only on the PostgreSQL major version `schema.txt` was made with (the server
//!   deparses them, and may word them differently on another).

use std::collections::BTreeSet;

use serde::Serialize;
use sqlx::PgPool;

/// The expected snapshot, made from a freshly migrated database.
pub const EXPECTED: &str = include_str!("../schema.txt");

/// The catalog lines of the library's security objects, sorted; one names the server's
/// major version (`server 15`).
pub const SNAPSHOT_SQL: &str = include_str!("snapshot.sql");

/// The catalog lines of the database behind `pool` ([`SNAPSHOT_SQL`]).
pub async fn snapshot(pool: &PgPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(SNAPSHOT_SQL).fetch_all(pool).await
}

/// One migration that is not as embedded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationDrift {
    /// Its version.
    pub version: i64,
    /// Its description, when the library knows it.
    pub description: String,
    /// `pending`, `failed`, `changed` (its checksum differs) or `unknown` (applied, not
    /// embedded).
    pub state: &'static str,
}

/// What `lms check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Migrations not as embedded.
    pub migrations: Vec<MigrationDrift>,
    /// Expected catalog lines the database lacks (a policy dropped, a grant revoked…).
    pub missing: Vec<String>,
    /// Catalog lines the database has beyond the expected ones (a grant added, a
    /// function replaced…).
    pub unexpected: Vec<String>,
    /// Whether policy definitions were compared (the same PostgreSQL major version as
    /// `schema.txt`).
    pub definitions_compared: bool,
}

impl Report {
    /// Whether nothing drifted.
    pub fn is_clean(&self) -> bool {
        self.migrations.is_empty() && self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// A row of `_sqlx_migrations`: version, success, checksum, description.
pub type AppliedRow = (i64, bool, Vec<u8>, String);

/// The rows of `_sqlx_migrations` by version (none when the table does not exist: no
/// migration was ever applied).
pub async fn applied_rows(pool: &PgPool) -> sqlx::Result<Vec<AppliedRow>> {
    match sqlx::query_as(
        "select version, success, checksum, description from _sqlx_migrations order by version",
    )
    .fetch_all(pool)
    .await
    {
        Ok(rows) => Ok(rows),
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The embedded migrations against `_sqlx_migrations` (none applied: every one
/// pending).
pub async fn migrations(pool: &PgPool) -> sqlx::Result<Vec<MigrationDrift>> {
    let applied = applied_rows(pool).await?;
    let mut drift = Vec::new();
    let embedded: Vec<_> = lms::db::MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .collect();
    for m in &embedded {
        let state = match applied.iter().find(|a| a.0 == m.version) {
            None => Some("pending"),
            Some((_, false, ..)) => Some("failed"),
            Some((_, true, checksum, _)) if checksum[..] != m.checksum[..] => Some("changed"),
            Some(_) => None,
        };
        if let Some(state) = state {
            drift.push(MigrationDrift {
                version: m.version,
                description: m.description.to_string(),
                state,
            });
        }
    }
    for (version, _, _, description) in &applied {
        if !embedded.iter().any(|m| m.version == *version) {
            drift.push(MigrationDrift {
                version: *version,
                description: description.clone(),
                state: "unknown",
            });
        }
    }
    Ok(drift)
}

/// Compares the database's catalog lines with `expected` ([`EXPECTED`]).
pub fn compare(expected: &str, found: &[String]) -> (Vec<String>, Vec<String>, bool) {
    let expected: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    let server_of = |l: &str| l.starts_with("server ");
    let same_server = expected.iter().find(|l| server_of(l)).copied()
        == found.iter().map(String::as_str).find(|l| server_of(l));
    let keep = |l: &str| {
        !l.starts_with("server ")
            && (same_server
                || !(l.starts_with("policy-definition ") || l.starts_with("view-definition ")))
    };
    let want: BTreeSet<&str> = expected.iter().copied().filter(|l| keep(l)).collect();
    let have: BTreeSet<&str> = found
        .iter()
        .map(String::as_str)
        .filter(|l| keep(l))
        .collect();
    // service_role is the trusted path: a privilege it has beyond those expected (a
    // platform's default privileges) is no drift; one it lacks is
    let trusted = |l: &&&str| {
        !(l.starts_with("grant service_role ") || l.starts_with("execute service_role "))
    };
    // an object of the database's own (a table, a function of the application beside
    // the library's) is not the library's to check: a line is unexpected when it is
    // about one of the library's objects, or anything in `lms_private`, or the roles
    let known: BTreeSet<String> = want.iter().filter_map(|l| object_of(l)).collect();
    let ours = |l: &&&str| match object_of(l) {
        None => true,
        Some(o) => o.starts_with("lms_private.") || known.contains(&o),
    };
    (
        want.difference(&have).map(|l| (*l).to_owned()).collect(),
        have.difference(&want)
            .filter(trusted)
            .filter(ours)
            .map(|l| (*l).to_owned())
            .collect(),
        same_server,
    )
}

/// The object a catalog line is about (a table or view as the lines name it: `courses`,
/// `lms_private.validated_documents`; a function), `None` for the lines about roles
/// (always the library's business).
fn object_of(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split(' ').collect();
    // `a.b` → `a`; in `lms_private`, `lms_private.t.c` → `lms_private.t`
    let parent = |s: &str| s.rsplit_once('.').map_or(s, |(t, _)| t).to_owned();
    let relation = |s: &str| {
        let dots = s.matches('.').count();
        let private = s.starts_with("lms_private.");
        if (private && dots >= 2) || (!private && dots >= 1) {
            parent(s)
        } else {
            s.to_owned()
        }
    };
    match words.first().copied()? {
        "table" | "view" | "view-definition" | "function" | "function-source" => {
            words.get(1).map(|w| (*w).to_owned())
        }
        // `policy T.P`: the table
        "policy" | "policy-definition" => words.get(1).map(|w| parent(w)),
        // `trigger S.T.N`: the table, named as the table lines name it
        "trigger" => {
            let table = parent(words.get(1)?);
            Some(table.strip_prefix("public.").unwrap_or(&table).to_owned())
        }
        // `grant R P on T[.C]`
        "grant" => words.get(4).map(|w| relation(w)),
        // `execute R F`
        "execute" => words.get(2).map(|w| (*w).to_owned()),
        _ => None,
    }
}

/// The whole check.
pub async fn run(pool: &PgPool) -> sqlx::Result<Report> {
    let migrations = migrations(pool).await?;
    let found = snapshot(pool).await?;
    let (missing, unexpected, definitions_compared) = compare(EXPECTED, &found);
    Ok(Report {
        migrations,
        missing,
        unexpected,
        definitions_compared,
    })
}

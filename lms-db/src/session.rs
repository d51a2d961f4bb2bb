//! The entry point: [`Lms`] holds the pool; [`Lms::as_user`], [`Lms::as_anon`] and
//! [`Lms::as_service`] give a [`Scope`], and every use case of a scope runs in one transaction opened by
//! [`Scope::begin`], which sets the session context Row Level Security reads.

use std::str::FromStr;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use lms_core::model::{UserId, UserRole};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{PgConnection, Postgres, Row, Transaction};

use crate::error::{Error, Result};

/// The migration after which the database takes documents from API roles only with the
/// library's receipt ([`Lms::migrate`] repairs the documents stored before it).
const BOUNDARY_MIGRATION: i64 = 20261201000008;

/// The handle of an lms database: a connection pool and the embedded migrations.
///
/// ```no_run
/// # async fn run() -> lms_db::Result<()> {
/// let lms = lms_db::Lms::connect("postgres://localhost/lms").await?;
/// lms.migrate().await?;
/// let me = lms.as_user("6f1c1d4e-8f5a-4f5e-9a53-1f0e7a1c2b3d".parse().unwrap());
/// # let _ = me;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Lms {
    pool: PgPool,
    /// Connected through a transaction-pooling pooler ([`Lms::connect_pooled`]).
    pooled: bool,
    /// Read replicas for the read models ([`Lms::with_replicas`]).
    replicas: std::sync::Arc<Replicas>,
}

/// The read replicas of an [`Lms`]: each a pool, skipped for a while after it failed.
#[derive(Debug, Default)]
pub(crate) struct Replicas {
    list: Vec<Replica>,
    /// The most a replica may lag behind (replay behind what it received) to be used.
    max_lag: Duration,
    /// Round robin.
    next: std::sync::atomic::AtomicUsize,
}

#[derive(Debug)]
struct Replica {
    pool: PgPool,
    /// Reached through a transaction pooler, as the primary ([`Lms::connect_pooled`]).
    pooled: bool,
    /// Until when it is skipped (milliseconds of the Unix clock) after it failed or
    /// lagged.
    skipped_until: std::sync::atomic::AtomicU64,
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A pool's statistics ([`Lms::pool_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PoolStats {
    /// Connections open (idle or in use).
    pub size: u32,
    /// Open connections waiting in the pool.
    pub idle: u32,
    /// Open connections lent to a call now.
    pub in_use: u32,
    /// The most connections the pool opens.
    pub max_connections: u32,
    /// Whether the pool was closed ([`Lms::pool`]`.close()`).
    pub closed: bool,
}

impl Lms {
    /// How long a call waits for a free connection (or for a new one to open) before it
    /// fails with `database`, unless the pool options say otherwise: a database that is
    /// down fails calls fast, and they succeed again once it is back.
    pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

    /// How long a connection may sit idle in the pool before it is tested (a ping) when
    /// taken again. sqlx tests it on every release; one released this recently is handed
    /// out without a second round trip (HikariCP's `aliveBypassWindowMs`, 500 ms, is the
    /// same trade): only a server that restarts within this window costs a call on it.
    pub const PING_IDLE_AFTER: Duration = Duration::from_millis(500);

    /// The pool options [`Lms::connect`] uses: 10 connections,
    /// [`Lms::DEFAULT_ACQUIRE_TIMEOUT`], connections idle longer than
    /// [`Lms::PING_IDLE_AFTER`] tested before use. Start from them to change one.
    pub fn pool_options() -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Self::DEFAULT_ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= Self::PING_IDLE_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
    }

    /// Connects with [`Lms::pool_options`].
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(Self::pool_options(), url).await
    }

    /// Makes the handle without connecting: the pool ([`Lms::pool_options`]) connects
    /// on the first call, so a service may start while its database is still down. A
    /// malformed URL is refused at once.
    pub fn connect_lazy(url: &str) -> Result<Self> {
        Ok(Self::from_pool(Self::pool_options().connect_lazy(url)?))
    }

    /// Connects with the given pool options (size, timeouts, …).
    pub async fn connect_with(options: PgPoolOptions, url: &str) -> Result<Self> {
        Ok(Self::from_pool(options.connect(url).await?))
    }

    /// Wraps an existing pool.
    pub fn from_pool(pool: PgPool) -> Self {
        Self {
            pool,
            pooled: false,
            replicas: Default::default(),
        }
    }

    /// How long a call waits for a replica's connection before it reads on the primary
    /// instead (and skips that replica for [`Lms::REPLICA_RETRY_AFTER`]).
    pub const REPLICA_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

    /// How long a replica that failed, or lagged beyond the bound, is skipped.
    pub const REPLICA_RETRY_AFTER: Duration = Duration::from_secs(5);

    /// This handle with read replicas (streaming standbys of its primary, `postgres://`
    /// URLs; connected lazily): the read models — `gradebook`, `course_grades`,
    /// `completion_funnel`, `item_analysis`, `at_risk_students`, `activity` — and the
    /// catalog a visitor reads (`list_courses` as anon) run on one of them, in turn;
    /// every other call (writes, and what a user reads of their own writes) on the
    /// primary. A replica is used only while it is in recovery, streaming from its
    /// primary, and replays within `max_lag` of what it received (caught up, or its last
    /// replayed transaction at most `max_lag` old); one that is down, slower than
    /// [`Lms::REPLICA_ACQUIRE_TIMEOUT`] to give a connection, or lagging, is skipped for
    /// [`Lms::REPLICA_RETRY_AFTER`] and the call runs on the primary. A malformed URL is
    /// refused at once.
    pub fn with_replicas(mut self, urls: &[&str], max_lag: Duration) -> Result<Self> {
        let mut list = Vec::with_capacity(urls.len());
        for url in urls {
            // as the primary's connections: through a pooler, no statement cache
            let mut connect: sqlx::postgres::PgConnectOptions = url.parse()?;
            if self.pooled {
                connect = connect.statement_cache_capacity(0);
            }
            let pool = Self::pool_options()
                .max_connections(self.pool.options().get_max_connections())
                .acquire_timeout(Self::REPLICA_ACQUIRE_TIMEOUT)
                .connect_lazy_with(connect);
            list.push(Replica {
                pool,
                pooled: self.pooled,
                skipped_until: Default::default(),
            });
        }
        self.replicas = std::sync::Arc::new(Replicas {
            list,
            max_lag,
            next: Default::default(),
        });
        Ok(self)
    }

    /// The number of read replicas ([`Lms::with_replicas`]).
    pub fn replica_count(&self) -> usize {
        self.replicas.list.len()
    }

    /// How long a statement may run before sqlx logs it at `warn` (target `sqlx::query`,
    /// inside the span of the use case that ran it): the spec's slow-query alert. Every
    /// statement is logged at `debug`, with its rows returned and affected and its time.
    pub const DEFAULT_SLOW_STATEMENT: Duration = Duration::from_secs(1);

    /// The connect options of `url` with the library's statement logging: slow
    /// statements (longer than `slow`; [`Lms::DEFAULT_SLOW_STATEMENT`] is the default of
    /// every other constructor) at `warn`, every statement at `debug`. For
    /// [`Lms::connect_with_options`].
    pub fn connect_options(url: &str, slow: Duration) -> Result<sqlx::postgres::PgConnectOptions> {
        use sqlx::ConnectOptions as _;
        let options: sqlx::postgres::PgConnectOptions = url.parse()?;
        Ok(options
            .log_statements(log::LevelFilter::Debug)
            .log_slow_statements(log::LevelFilter::Warn, slow))
    }

    /// Connects with pool options and connect options of your own (e.g.
    /// [`Lms::connect_options`] for another slow-statement threshold).
    pub async fn connect_with_options(
        pool: PgPoolOptions,
        connect: sqlx::postgres::PgConnectOptions,
    ) -> Result<Self> {
        Ok(Self::from_pool(pool.connect_with(connect).await?))
    }

    /// Connects through a connection pooler in transaction mode (PgBouncer's
    /// `pool_mode = transaction`, Supabase's pooler on port 6543), with
    /// [`Lms::pool_options`]. Every use case already runs in one transaction, and every
    /// setting it makes (the actor's claims and role) and every lock it takes are the
    /// transaction's own, so consecutive transactions may run on different server
    /// connections. What a pooler of this kind cannot carry across them is a prepared
    /// statement: the statement cache is off (`statement_cache_capacity(0)`), and each
    /// transaction starts with `deallocate all` (sqlx still names the statements it
    /// prepares, per client connection, and leaves them prepared on the server
    /// connection, where another client's would collide with them: `42P05`).
    /// [`Lms::migrate`] is refused: migrations take a session-level lock; run them on a
    /// direct connection.
    pub async fn connect_pooled(url: &str) -> Result<Self> {
        Self::connect_pooled_with(Self::pool_options(), url).await
    }

    /// [`Lms::connect_pooled`] with pool options of your own.
    pub async fn connect_pooled_with(options: PgPoolOptions, url: &str) -> Result<Self> {
        Self::connect_pooled_with_options(options, url.parse()?).await
    }

    /// [`Lms::connect_pooled`] with pool and connect options of your own (e.g.
    /// [`Lms::connect_options`]); the statement cache is turned off whatever they say.
    pub async fn connect_pooled_with_options(
        options: PgPoolOptions,
        connect: sqlx::postgres::PgConnectOptions,
    ) -> Result<Self> {
        let pool = options
            .connect_with(connect.statement_cache_capacity(0))
            .await?;
        Ok(Self {
            pooled: true,
            ..Self::from_pool(pool)
        })
    }

    /// Whether this handle goes through a transaction-pooling pooler
    /// ([`Lms::connect_pooled`]).
    pub fn is_pooled(&self) -> bool {
        self.pooled
    }

    /// The pool's statistics now: connections open, idle and in use, and its maximum
    /// (for a health endpoint or a metrics exporter).
    pub fn pool_stats(&self) -> PoolStats {
        let size = self.pool.size();
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
        PoolStats {
            size,
            idle,
            in_use: size.saturating_sub(idle),
            max_connections: self.pool.options().get_max_connections(),
            closed: self.pool.is_closed(),
        }
    }

    /// The underlying pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies the pending migrations of [`crate::MIGRATOR`].
    ///
    /// When it applies `20261201000008_documents_at_the_boundary`, it then runs
    /// [`Scope::repair_documents`] once: documents stored before in a form the library
    /// would not store (unsanitized rich-text HTML above all) are rewritten, and every
    /// stored document the library refuses is logged (`tracing`, level `warn`). Running
    /// the migrations yourself (`MIGRATOR.run`)? Call
    /// `lms.as_service().repair_documents()` once after that migration.
    pub async fn migrate(&self) -> Result<()> {
        if self.pooled {
            return Err(Error::Conflict {
                reason: "migrations need a session of their own (they take a session-level \
                         lock): run them on a direct connection, not through a \
                         transaction pooler"
                    .into(),
            });
        }
        let boundary_applied = self.applied(BOUNDARY_MIGRATION).await?;
        crate::MIGRATOR.run(&self.pool).await?;
        if !boundary_applied {
            let repair = self.as_service().repair_documents().await?;
            if repair.repaired > 0 {
                tracing::warn!(
                    repaired = repair.repaired,
                    "stored documents rewritten in the library's form (sanitized HTML, defaults)"
                );
            }
            for doc in &repair.remaining.documents {
                tracing::warn!(
                    table = doc.column.table,
                    column = doc.column.column,
                    row_id = %doc.row_id,
                    issue = ?doc.issue,
                    "a stored document is refused by the library's rules"
                );
            }
        }
        Ok(())
    }

    /// Whether migration `version` is applied.
    async fn applied(&self, version: i64) -> Result<bool> {
        let table: Option<String> =
            sqlx::query_scalar("select to_regclass('_sqlx_migrations')::text")
                .fetch_one(&self.pool)
                .await?;
        if table.is_none() {
            return Ok(false);
        }
        Ok(sqlx::query_scalar(
            "select exists (select 1 from _sqlx_migrations where version = $1 and success)",
        )
        .bind(version)
        .fetch_one(&self.pool)
        .await?)
    }

    /// A handle acting as `user`: every call runs under Row Level Security as the
    /// `authenticated` role with the user's id in `request.jwt.claims`, exactly as a
    /// Supabase client connecting with that user's JWT.
    pub fn as_user(&self, user: UserId) -> Scope {
        Scope {
            pool: self.pool.clone(),
            actor: Actor::User(user),
            pooled: self.pooled,
            replicas: self.replicas.clone(),
        }
    }

    /// A handle for a visitor who is not signed in: every call runs under Row Level
    /// Security as the `anon` role, like a Supabase client with the anon key. It reads
    /// the public catalog (published courses and their published lessons); everything
    /// else is refused. Use it, not [`Lms::as_service`], to serve public pages.
    pub fn as_anon(&self) -> Scope {
        Scope {
            pool: self.pool.clone(),
            actor: Actor::Anon,
            pooled: self.pooled,
            replicas: self.replicas.clone(),
        }
    }

    /// A handle for trusted back-office jobs: runs as `service_role`, which bypasses Row
    /// Level Security. Never hand it to code acting for an end user.
    pub fn as_service(&self) -> Scope {
        Scope {
            pool: self.pool.clone(),
            actor: Actor::Service,
            pooled: self.pooled,
            replicas: self.replicas.clone(),
        }
    }
}

/// Who a [`Scope`] acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Actor {
    /// An end user, under Row Level Security.
    User(UserId),
    /// A visitor who is not signed in (`anon`), under Row Level Security.
    Anon,
    /// The trusted back office (`service_role`).
    Service,
}

impl Actor {
    /// The database role the actor's transactions run as: `authenticated`, `anon` or
    /// `service_role` (the `actor` field of every use case's tracing span).
    pub fn role_name(self) -> &'static str {
        match self {
            Actor::User(_) => "authenticated",
            Actor::Anon => "anon",
            Actor::Service => "service_role",
        }
    }

    /// The user acted for, if any.
    pub fn user(self) -> Option<UserId> {
        match self {
            Actor::User(id) => Some(id),
            Actor::Anon | Actor::Service => None,
        }
    }
}

/// A handle acting for one [`Actor`]; cheap to clone. Use cases are methods of it.
#[derive(Debug, Clone)]
pub struct Scope {
    pub(crate) pool: PgPool,
    pub(crate) actor: Actor,
    /// Through a transaction-pooling pooler ([`Lms::connect_pooled`]).
    pub(crate) pooled: bool,
    /// The read replicas ([`Lms::with_replicas`]).
    pub(crate) replicas: std::sync::Arc<Replicas>,
}

impl Scope {
    /// Who this scope acts for.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// Refuses anyone but the service, which `does` what is refused to others.
    pub(crate) fn require_service(&self, does: &str) -> Result<()> {
        match self.actor {
            Actor::Service => Ok(()),
            _ => Err(Error::forbidden(format!("only the service {does}"))),
        }
    }

    /// Opens a transaction with the actor's session context: `set local role` and
    /// `request.jwt.claims`, both transaction-local so a pooled connection never carries
    /// one user's identity to the next. Every use case starts here.
    ///
    /// For trusted code only: the connection's session user is the library's, which may
    /// switch to `service_role` (the trusted path needs it), so SQL run on [`Tx::conn`]
    /// can leave the actor's role (`set role`, `set_config('role', …)`). Row Level
    /// Security holds against what the *actor* asks for through the use cases, not
    /// against arbitrary SQL on this connection: never run SQL an end user wrote on it,
    /// and never hand a `Tx` to a binding's untrusted caller.
    pub async fn begin(&self) -> Result<Tx> {
        self.begin_on(&self.pool, self.pooled, None).await
    }

    /// [`Scope::begin`] for a read model: on a read replica that is up and within its
    /// lag bound ([`Lms::with_replicas`]), else on the primary.
    pub(crate) async fn begin_read(&self) -> Result<Tx> {
        let replicas = &self.replicas;
        let n = replicas.list.len();
        let first = replicas.next.fetch_add(1, Relaxed);
        for i in 0..n {
            let index = first.wrapping_add(i) % n;
            let replica = &replicas.list[index];
            let now = now_millis();
            if replica.skipped_until.load(Relaxed) > now {
                continue;
            }
            let begun = self
                .begin_on(&replica.pool, replica.pooled, Some(replicas.max_lag))
                .await;
            match begun {
                Ok(tx) => {
                    tracing::debug!(replica = index, "read on a replica");
                    return Ok(tx);
                }
                // what the primary would refuse too (no profile, …) is no fault of the
                // replica's: the caller gets it
                Err(e) if !matches!(e, Error::Database(_) | Error::Conflict { .. }) => {
                    return Err(e)
                }
                Err(e) => {
                    tracing::warn!(replica = index, error = %e, "replica skipped");
                    let retry =
                        u64::try_from(Lms::REPLICA_RETRY_AFTER.as_millis()).unwrap_or(u64::MAX);
                    replica
                        .skipped_until
                        .store(now.saturating_add(retry), Relaxed);
                }
            }
        }
        self.begin().await
    }

    /// Begins on `pool`; on a replica (`max_lag` given), only when it is a streaming
    /// standby within the lag bound (checked in the same round trip as the actor's
    /// settings).
    async fn begin_on(&self, pool: &PgPool, pooled: bool, max_lag: Option<Duration>) -> Result<Tx> {
        let (claims, role) = match self.actor {
            Actor::User(id) => (
                serde_json::json!({ "sub": id, "role": "authenticated" }),
                "authenticated",
            ),
            Actor::Anon => (serde_json::json!({ "role": "anon" }), "anon"),
            Actor::Service => (
                serde_json::json!({ "role": "service_role" }),
                "service_role",
            ),
        };
        // The claims and the role, transaction-local, so that a pooled connection never
        // carries one user's identity to the next. The older per-claim settings, which
        // `auth.uid()` and `auth.role()` read first, are blanked for the transaction
        // too: one left on the connection at session level (by other code on the pool)
        // must not speak for this actor. The claims are the library's own JSON (an id,
        // fixed words); quotes are doubled all the same, as the simple protocol takes no
        // parameters.
        let claims = claims.to_string().replace('\'', "''");
        let settings = format!(
            "select set_config('request.jwt.claims', '{claims}', true), \
                    set_config('request.jwt.claim.sub', '', true), \
                    set_config('request.jwt.claim.role', '', true), \
                    set_config('request.jwt.claim.email', '', true)"
        );
        // Through a transaction pooler this transaction's server connection may have
        // served other clients' transactions: with the statement cache off, sqlx still
        // names the statements it prepares (sqlx_s_1, …, numbered per client connection)
        // and leaves them prepared, so those of another client would collide with ours.
        // Each transaction starts clean.
        let reset = if pooled { "deallocate all; " } else { "" };
        let Some(lag) = max_lag else {
            return self
                .begin_in_one_round_trip(pool, reset, &settings, role)
                .await;
        };
        // On a replica: BEGIN, then one round trip (BEGIN sent first, so that a call
        // cancelled while this runs leaves sqlx a transaction to roll back, never a
        // connection holding this actor's settings) for the standby's health, the
        // settings, the role, and for a user the role of their profile (`null` without
        // one). A replica is used while it is a standby streaming from its primary whose
        // replay is caught up with what it received, or whose last replayed transaction
        // is at most `max_lag` old (the usual estimate of a standby's lag).
        let mut tx = Self::begin_on_live_connection(pool).await?;
        let health = format!(
            "select pg_is_in_recovery() \
                and exists (select 1 from pg_stat_wal_receiver \
                            where coalesce(status, 'streaming') = 'streaming') \
                and (pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() \
                     or coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), \
                                 1e9) <= {}) as replica_healthy; ",
            lag.as_secs_f64()
        );
        let mut batch = format!("{reset}{health}{settings}; set local role {role}");
        if matches!(self.actor, Actor::User(_)) {
            batch.push_str("; select lms_private.current_user_role()::text as user_role");
        }
        // no parameters: the simple protocol, which runs the statements in one round trip
        let conn: &mut PgConnection = &mut tx;
        let rows = sqlx::Executor::fetch_all(conn, batch.as_str()).await?;
        let healthy: Option<bool> = rows
            .first()
            .and_then(|row| row.try_get("replica_healthy").ok())
            .flatten();
        if healthy != Some(true) {
            return Err(Error::Conflict {
                reason: "the replica is not a streaming standby within its lag bound".into(),
            });
        }
        let role = match self.actor {
            Actor::User(user) => {
                let text: Option<String> = rows
                    .last()
                    .map(|row| row.try_get("user_role"))
                    .transpose()?
                    .flatten();
                match text {
                    Some(r) => Some(UserRole::from_str(&r)?),
                    None => return Err(Error::NoProfile { user }),
                }
            }
            Actor::Anon | Actor::Service => None,
        };
        Ok(Tx {
            tx,
            actor: self.actor,
            role: Some(role),
            trusted: matches!(self.actor, Actor::Service),
            trusted_to_the_end: false,
        })
    }

    /// Begins on the primary in one round trip: the settings, the role, for a user the
    /// check that they have a profile ([`Error::NoProfile`], before BEGIN: a refused
    /// start leaves no transaction open), then BEGIN, which makes the statements before
    /// it part of its transaction. Run to its end whatever happens to the caller: a
    /// call cancelled while the server answers drops the finished transaction, which
    /// sqlx then rolls back, where a connection left inside it would go back to the pool
    /// holding this actor's settings. The role of the user's profile is read when first
    /// asked for ([`Tx::actor_role`]): few use cases need it.
    async fn begin_in_one_round_trip(
        &self,
        pool: &PgPool,
        reset: &str,
        settings: &str,
        role: &str,
    ) -> Result<Tx> {
        let check = match self.actor {
            Actor::User(_) => "select lms_private.require_profile(); ",
            Actor::Anon | Actor::Service => "",
        };
        let statement = format!("{reset}{settings}; set local role {role}; {check}begin");
        let pool = pool.clone();
        let begun = tokio::spawn(async move {
            match pool.begin_with(statement.clone()).await {
                Err(e) if connection_lost(&e) => pool.begin_with(statement).await,
                other => other,
            }
        })
        .await
        .map_err(|_| Error::Database(sqlx::Error::WorkerCrashed))?;
        let tx = match (begun, self.actor) {
            (Err(sqlx::Error::Database(e)), Actor::User(user))
                if e.code().as_deref() == Some(NO_PROFILE) =>
            {
                return Err(Error::NoProfile { user })
            }
            (begun, _) => begun?,
        };
        Ok(Tx {
            tx,
            actor: self.actor,
            role: match self.actor {
                Actor::User(_) => None,
                Actor::Anon | Actor::Service => Some(None),
            },
            trusted: matches!(self.actor, Actor::Service),
            trusted_to_the_end: false,
        })
    }

    /// BEGIN on a pooled connection, once more on another when the first turns out dead:
    /// connections released within [`Lms::PING_IDLE_AFTER`] are handed out untested, and
    /// one the server dropped meanwhile (a restart, `pg_terminate_backend`, an idle
    /// timeout) fails its first statement. Nothing ran on it, so retrying is safe.
    async fn begin_on_live_connection(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
        match pool.begin().await {
            Err(e) if connection_lost(&e) => Ok(pool.begin().await?),
            other => Ok(other?),
        }
    }
}

/// The SQLSTATE of `lms_private.require_profile()`: the user acted for has no profile.
const NO_PROFILE: &str = "LMS01";

/// Whether `e` says the connection is gone (its socket, or the server ended the session:
/// SQLSTATE class 08, or 57P01–57P03 shutdown and termination), as opposed to a refusal.
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

/// A transaction acting for an [`Actor`]. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    tx: Transaction<'static, Postgres>,
    actor: Actor,
    /// The role of the user's profile (`Some(None)` for the service and anonymous
    /// visitors), `None` until read ([`Tx::actor_role`]).
    role: Option<Option<UserRole>>,
    /// Whether the transaction runs as `service_role` now (the trusted path, or the
    /// service's own role).
    trusted: bool,
    /// Set by [`Tx::trusted_to_the_end`]: the actor's rights are all checked and the rest
    /// of the transaction is the library's own computed reads and writes.
    trusted_to_the_end: bool,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").field("actor", &self.actor).finish()
    }
}

impl Tx {
    /// Who this transaction acts for.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The connection, for queries of your own under the actor's session context (trusted
    /// code only: see [`Scope::begin`]).
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Commits.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Takes the transaction-scoped advisory lock named `key` (hashed to 64 bits): other
    /// transactions taking the same key wait until this one ends. Needs no privilege on
    /// any row, so it works under every role.
    pub(crate) async fn lock(&mut self, key: &str) -> Result<()> {
        sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// [`Tx::lock`] if no other transaction holds it: `false` (and nothing taken) when
    /// one does.
    pub(crate) async fn try_lock(&mut self, key: &str) -> Result<bool> {
        Ok(
            sqlx::query_scalar("select pg_try_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(key)
                .fetch_one(&mut *self.tx)
                .await?,
        )
    }

    /// Switches to the trusted path (`service_role`) for writing what the library
    /// computed (scores, progress, completion), after the actor's rights were checked.
    pub(crate) async fn trusted(&mut self) -> Result<()> {
        // already there: one round trip saved (had the role been changed behind the
        // library's back, a trusted write would run as the actor and be refused)
        if self.trusted {
            return Ok(());
        }
        sqlx::query("set local role service_role")
            .execute(&mut *self.tx)
            .await?;
        self.trusted = true;
        Ok(())
    }

    /// Switches to the trusted path for the rest of the transaction: every
    /// [`Tx::set_actor_role`] after this is a no-op. For a use case whose checks of the
    /// actor's rights are all done, and whose remaining steps are the library's own
    /// computed reads and writes (scoring, storing the result, the progress refresh): it
    /// saves the role switches between them.
    pub(crate) async fn trusted_to_the_end(&mut self) -> Result<()> {
        self.trusted().await?;
        self.trusted_to_the_end = true;
        Ok(())
    }

    /// Records, on the trusted path, the receipts of documents the library validated and
    /// is about to write under the actor's role in this transaction: each `(target,
    /// document)` is what the database's gate (`lms_private.take_document_receipt`, see
    /// migration `20261201000008`) asks for — `"content_blocks.content:<type>"`,
    /// `"content_blocks.metadata"`, `"assessments.questions"`,
    /// `"profiles.learning_preferences"`. Only scopes of a user need receipts: the
    /// service writes unchecked and anonymous visitors write no documents. Receipts of
    /// finished transactions (values written unchanged take none) are cleared on the way.
    pub(crate) async fn vouch(&mut self, documents: &[(String, &serde_json::Value)]) -> Result<()> {
        if documents.is_empty() || !matches!(self.actor, Actor::User(_)) {
            return Ok(());
        }
        let (targets, values): (Vec<&str>, Vec<&serde_json::Value>) =
            documents.iter().map(|(t, v)| (t.as_str(), *v)).unzip();
        self.trusted().await?;
        sqlx::query(
            "with stale as ( \
               delete from lms_private.validated_documents \
                where xact < pg_snapshot_xmin(pg_current_snapshot())) \
             insert into lms_private.validated_documents (target, digest) \
             select t, sha256(convert_to(d::text, 'UTF8')) \
               from unnest($1::text[], $2::jsonb[]) as u(t, d)",
        )
        .bind(targets)
        .bind(values)
        .execute(&mut *self.tx)
        .await?;
        self.set_actor_role().await
    }

    /// Leaves every API role for the library's own session user (`set local role none`):
    /// only for what belongs to the user who made the schema (the `auth` shim's sign-in
    /// rows), on the service's behalf. Back with [`Tx::set_actor_role`].
    pub(crate) async fn as_session_user(&mut self) -> Result<()> {
        sqlx::query("set local role none")
            .execute(&mut *self.tx)
            .await?;
        self.trusted = false;
        Ok(())
    }

    /// Back to the actor's own role after [`Tx::trusted`].
    pub(crate) async fn set_actor_role(&mut self) -> Result<()> {
        if self.trusted_to_the_end {
            return Ok(());
        }
        let sql = match self.actor {
            Actor::User(_) => "set local role authenticated",
            Actor::Anon => "set local role anon",
            Actor::Service => "set local role service_role",
        };
        sqlx::query(sql).execute(&mut *self.tx).await?;
        self.trusted = matches!(self.actor, Actor::Service);
        Ok(())
    }

    /// The actor's role from their profile, read in this transaction when first asked
    /// for (on a replica, when it began); `None` for the service and for anonymous
    /// visitors (a user without a profile never gets a transaction:
    /// [`Error::NoProfile`]).
    pub(crate) async fn actor_role(&mut self) -> Result<Option<UserRole>> {
        if let Some(role) = self.role {
            return Ok(role);
        }
        let text: Option<String> = sqlx::query_scalar(Self::ACTOR_ROLE_SQL)
            .fetch_one(&mut *self.tx)
            .await?;
        self.know_role(text)
    }

    /// What reads the actor's role from their profile, for a statement to read it along
    /// with its own columns ([`Tx::know_role`]).
    pub(crate) const ACTOR_ROLE_SQL: &'static str = "select lms_private.current_user_role()::text";

    /// Whether [`Tx::actor_role`] would ask the database.
    pub(crate) fn role_unknown(&self) -> bool {
        self.role.is_none()
    }

    /// Takes the actor's role as [`Tx::ACTOR_ROLE_SQL`] read it in this transaction.
    pub(crate) fn know_role(&mut self, text: Option<String>) -> Result<Option<UserRole>> {
        let role = match (self.actor, text) {
            (Actor::User(_), Some(r)) => Some(UserRole::from_str(&r)?),
            (Actor::User(user), None) => return Err(Error::NoProfile { user }),
            (Actor::Anon | Actor::Service, _) => None,
        };
        self.role = Some(role);
        Ok(role)
    }
}

//! `lms health`: the key metrics and alerts of the spec, from PostgreSQL's statistics
//! views. Each metric has a value and, where it can be wrong, a threshold; a crossed
//! threshold is an alert (the command then exits 1). Informational findings (an index
//! never used, a large table read by sequential scans) are notes.

use serde::Serialize;
use sqlx::{PgPool, Row};

/// The thresholds (command-line options).
#[derive(Debug, Clone, clap::Args)]
pub struct Thresholds {
    /// A statement running (or, with pg_stat_statements, taking on average over at least
    /// 10 calls since the statistics were reset) longer than this many milliseconds is
    /// slow: an alert.
    #[arg(long, default_value_t = 1000)]
    pub slow_ms: u64,
    /// Connections in use beyond this percentage of `max_connections`: an alert.
    #[arg(long, default_value_t = 80)]
    pub max_connections_percent: u32,
    /// Dead tuples beyond this percentage of a table's live ones (and at least
    /// `--dead-tuples-min`): the table needs VACUUM, an alert.
    #[arg(long, default_value_t = 20)]
    pub dead_tuples_percent: u32,
    /// The fewest dead tuples a VACUUM alert needs.
    #[arg(long, default_value_t = 1000)]
    pub dead_tuples_min: i64,
    /// A table of at least this many live rows read mostly by sequential scans: a note
    /// (an index may be missing).
    #[arg(long, default_value_t = 10_000)]
    pub seq_scan_rows: i64,
}

/// One table's size and activity.
#[derive(Debug, Clone, Serialize)]
pub struct TableStats {
    /// `schema.table`.
    pub table: String,
    /// Table, indexes and TOAST, bytes.
    pub total_bytes: i64,
    /// Live rows (estimated).
    pub live_rows: i64,
    /// Dead rows (estimated).
    pub dead_rows: i64,
    /// Rows inserted since the statistics were reset (its growth).
    pub inserted_rows: i64,
    /// Sequential scans and index scans since then.
    pub seq_scans: i64,
    /// Index scans.
    pub index_scans: i64,
    /// When it was last vacuumed, by hand or by autovacuum.
    pub last_vacuum: Option<chrono::DateTime<chrono::Utc>>,
}

/// A statement over the slow threshold.
#[derive(Debug, Clone, Serialize)]
pub struct SlowStatement {
    /// `running` (pg_stat_activity, now) or `mean` (pg_stat_statements, on average).
    pub kind: &'static str,
    /// Milliseconds.
    pub milliseconds: f64,
    /// The statement's text, cut at 200 characters.
    pub query: String,
}

/// What `lms health` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// The server's version.
    pub server_version: String,
    /// The database's size in bytes.
    pub database_bytes: i64,
    /// Connections to the server now.
    pub connections: i64,
    /// Its `max_connections`.
    pub max_connections: i64,
    /// Whether `pg_stat_statements` is installed (then slow statements are also read
    /// from it).
    pub statements_extension: bool,
    /// Statements over the slow threshold.
    pub slow_statements: Vec<SlowStatement>,
    /// The tables of `public` and `lms_private`, largest first.
    pub tables: Vec<TableStats>,
    /// Indexes never scanned since the statistics were reset (not primary keys nor
    /// unique), `schema.index`.
    pub unused_indexes: Vec<String>,
    /// Thresholds crossed: the command exits 1.
    pub alerts: Vec<String>,
    /// Worth a look, not alarming.
    pub notes: Vec<String>,
}

/// Reads the metrics and applies the thresholds.
pub async fn run(pool: &PgPool, t: &Thresholds) -> sqlx::Result<Health> {
    let row = sqlx::query(
        "select version(), pg_database_size(current_database()), \
                (select count(*) from pg_stat_activity where backend_type = 'client backend'), \
                current_setting('max_connections')::bigint, \
                exists (select 1 from pg_extension where extname = 'pg_stat_statements')",
    )
    .fetch_one(pool)
    .await?;
    let mut h = Health {
        server_version: row.try_get(0)?,
        database_bytes: row.try_get(1)?,
        connections: row.try_get(2)?,
        max_connections: row.try_get(3)?,
        statements_extension: row.try_get(4)?,
        slow_statements: Vec::new(),
        tables: Vec::new(),
        unused_indexes: Vec::new(),
        alerts: Vec::new(),
        notes: Vec::new(),
    };
    let slow_ms = t.slow_ms as f64;
    let running = sqlx::query(
        "select extract(epoch from clock_timestamp() - query_start)::float8 * 1000, \
                coalesce(left(query, 200), '') \
           from pg_stat_activity \
          where state = 'active' and pid <> pg_backend_pid() and query_start is not null \
            and datname = current_database() \
            and backend_type = 'client backend' \
            and clock_timestamp() - query_start > make_interval(secs => $1 / 1000.0) \
          order by 1 desc limit 20",
    )
    .bind(slow_ms)
    .fetch_all(pool)
    .await?;
    for r in running {
        h.slow_statements.push(SlowStatement {
            kind: "running",
            milliseconds: r.try_get(0)?,
            query: r.try_get(1)?,
        });
    }
    if h.statements_extension {
        // readable by pg_read_all_stats members; another's text shows as <insufficient
        // privilege>, still counted
        let mean = sqlx::query(
            "select mean_exec_time, coalesce(left(query, 200), '') from pg_stat_statements \
              where dbid = (select oid from pg_database where datname = current_database()) \
                and mean_exec_time > $1 and calls >= 10 \
              order by mean_exec_time desc limit 20",
        )
        .bind(slow_ms)
        .fetch_all(pool)
        .await;
        match mean {
            Ok(rows) => {
                for r in rows {
                    h.slow_statements.push(SlowStatement {
                        kind: "mean",
                        milliseconds: r.try_get(0)?,
                        query: r.try_get(1)?,
                    });
                }
            }
            // installed but not loaded (shared_preload_libraries): say so, go on
            Err(e) => h
                .notes
                .push(format!("pg_stat_statements is not readable: {e}")),
        }
    }
    for s in &h.slow_statements {
        h.alerts.push(format!(
            "slow statement ({}, {:.0} ms over {} ms): {}",
            s.kind, s.milliseconds, t.slow_ms, s.query
        ));
    }
    let percent = |part: i64, whole: i64| {
        if whole <= 0 {
            0.0
        } else {
            100.0 * part as f64 / whole as f64
        }
    };
    let used = percent(h.connections, h.max_connections);
    if used > f64::from(t.max_connections_percent) {
        h.alerts.push(format!(
            "{} connections of max_connections {} ({used:.0} % over {} %)",
            h.connections, h.max_connections, t.max_connections_percent
        ));
    }
    let tables = sqlx::query(
        "select s.schemaname || '.' || s.relname, pg_total_relation_size(s.relid), \
                s.n_live_tup, s.n_dead_tup, s.n_tup_ins, s.seq_scan, coalesce(s.idx_scan, 0), \
                greatest(s.last_vacuum, s.last_autovacuum) \
           from pg_stat_user_tables s \
          where s.schemaname in ('public', 'lms_private') \
          order by 2 desc, 1",
    )
    .fetch_all(pool)
    .await?;
    for r in tables {
        let table = TableStats {
            table: r.try_get(0)?,
            total_bytes: r.try_get(1)?,
            live_rows: r.try_get(2)?,
            dead_rows: r.try_get(3)?,
            inserted_rows: r.try_get(4)?,
            seq_scans: r.try_get(5)?,
            index_scans: r.try_get(6)?,
            last_vacuum: r.try_get(7)?,
        };
        let dead = percent(table.dead_rows, table.live_rows.max(1));
        if table.dead_rows >= t.dead_tuples_min && dead > f64::from(t.dead_tuples_percent) {
            h.alerts.push(format!(
                "{} needs VACUUM: {} dead rows, {dead:.0} % of its {} live ones (over {} %)",
                table.table, table.dead_rows, table.live_rows, t.dead_tuples_percent
            ));
        }
        if table.live_rows >= t.seq_scan_rows && table.seq_scans > table.index_scans {
            h.notes.push(format!(
                "{} ({} rows) is read more by sequential scans ({}) than by index ({}): \
                 an index may be missing",
                table.table, table.live_rows, table.seq_scans, table.index_scans
            ));
        }
        h.tables.push(table);
    }
    h.unused_indexes = sqlx::query_scalar(
        "select s.schemaname || '.' || s.indexrelname from pg_stat_user_indexes s \
           join pg_index i on i.indexrelid = s.indexrelid \
          where s.schemaname in ('public', 'lms_private') and s.idx_scan = 0 \
            and not i.indisunique and not i.indisprimary \
          order by 1",
    )
    .fetch_all(pool)
    .await?;
    Ok(h)
}

/// The report as text for a terminal.
pub fn render(h: &Health) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mb = |b: i64| b as f64 / 1_048_576.0;
    let _ = writeln!(out, "server       {}", h.server_version);
    let _ = writeln!(out, "database     {:.1} MiB", mb(h.database_bytes));
    let _ = writeln!(
        out,
        "connections  {} of {}",
        h.connections, h.max_connections
    );
    let _ = writeln!(
        out,
        "statements   {}",
        if h.statements_extension {
            "pg_stat_statements"
        } else {
            "pg_stat_activity only (install pg_stat_statements for averages)"
        }
    );
    let _ = writeln!(
        out,
        "\n{:<44} {:>10} {:>10} {:>9} {:>10} {:>9} {:>9}",
        "table", "MiB", "live", "dead", "inserted", "seq scan", "idx scan"
    );
    for t in &h.tables {
        let _ = writeln!(
            out,
            "{:<44} {:>10.1} {:>10} {:>9} {:>10} {:>9} {:>9}",
            t.table,
            mb(t.total_bytes),
            t.live_rows,
            t.dead_rows,
            t.inserted_rows,
            t.seq_scans,
            t.index_scans
        );
    }
    if !h.unused_indexes.is_empty() {
        let _ = writeln!(
            out,
            "\nindexes never scanned since the statistics were reset: {}",
            h.unused_indexes.join(", ")
        );
    }
    for n in &h.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if h.alerts.is_empty() {
        let _ = writeln!(out, "\nno alert");
    }
    for a in &h.alerts {
        let _ = writeln!(out, "ALERT: {a}");
    }
    out
}

//! PostgreSQL clusters of a test's own, from the server's binaries (`initdb`, `pg_ctl`,
//! `pg_basebackup`): for the drills that need a server configured their way (a WAL
//! archive, a streaming replica). Included by the Rust tests that need them
//! (`#[path = "../../tests/support/cluster.rs"] mod cluster;`). As root, the server's
//! tools run as the `postgres` OS user, which the server requires.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A PostgreSQL tool: the newest of Debian's (`/usr/lib/postgresql/N/bin`), else `PATH`'s.
pub fn pg_bin(tool: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| d.join(tool).exists())
        .collect();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
        .map_or_else(|| PathBuf::from(tool), |d| d.join(tool))
}

/// Whether the test runs as root.
pub fn root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `tool args` as the server's OS user.
pub fn server_tool(tool: &str, args: &[&str]) -> Command {
    let bin = pg_bin(tool);
    if root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

/// Runs `c`, which must succeed; its standard output.
pub fn run(mut c: Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Hands `path` (recursively) to the server's OS user, when running as root.
pub fn give(path: &Path) {
    if root() {
        let mut c = Command::new("chown");
        c.args(["-R", "postgres"]).arg(path);
        run(c);
    }
}

/// A directory of its own under the system's temporary directory, the server's OS user's.
pub fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lms-drill-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    give(&dir);
    dir
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Appends `text` to `file`.
pub fn append(file: &Path, text: &str) {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// A new cluster's data directory at `data` (`postgres`, trust), with `conf` appended
/// to its `postgresql.conf` (fsync off: a drill, not a server).
pub fn initdb(data: &Path, conf: &str) {
    run(server_tool(
        "initdb",
        &[
            "-D",
            data.to_str().unwrap(),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
    ));
    append(
        &data.join("postgresql.conf"),
        &format!("\nfsync = off\nlisten_addresses = '127.0.0.1'\n{conf}\n"),
    );
}

/// A running cluster, stopped (immediately) when dropped.
pub struct Cluster {
    pub data: PathBuf,
    pub port: u16,
}

impl Cluster {
    /// Starts the cluster of `data` on a free port; waits until it takes connections.
    pub fn start(data: PathBuf) -> Cluster {
        let port = free_port();
        let log = data.with_extension("log");
        let out = server_tool(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "120",
                "-o",
                &format!("-p {port} -k {}", data.parent().unwrap().display()),
                "start",
            ],
        )
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Cluster { data, port }
    }

    /// Its `postgres` database, as `postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops it now (immediately).
    pub fn stop(&self) {
        let _ = server_tool(
            "pg_ctl",
            &["-D", self.data.to_str().unwrap(), "-m", "immediate", "stop"],
        )
        .output();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

//! A throw-away PostgreSQL cluster for one test: `initdb` in a temporary folder, `pg_ctl`
//! on a free loopback port, stopped and deleted when dropped. No system service is used.
//!
//! The server's binaries are found in `BLANKETT_PG_BIN`, else the newest
//! `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package, which `cargo xtask install`
//! installs). PostgreSQL refuses to run as root, so as root the cluster runs as the
//! `postgres` user the package creates.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running cluster.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The loopback port it listens on.
    pub port: u16,
}

/// Where the server's binaries are.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BLANKETT_PG_BIN") {
        return dir.into();
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.parse().ok()?;
                    let bin = e.path().join("bin");
                    bin.join("initdb").is_file().then_some((version, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().map(|(_, bin)| bin).expect(
        "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): \
         run `cargo xtask install`, or set BLANKETT_PG_BIN",
    )
}

/// Whether this process runs as root: the owner of a file it makes.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        let probe = tempfile::NamedTempFile::new().unwrap();
        probe.as_file().metadata().unwrap().uid() == 0
    })
}

/// A free loopback port (the kernel's choice, released at once).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// Makes and starts a cluster; `durable: false` turns `fsync` off (tests), `true`
    /// keeps the server's defaults (the bench's figures).
    pub fn start(durable: bool) -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("blankett-pg-")
            .tempdir()
            .unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown of the cluster's folder failed");
        }
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
        };
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-U",
                "blankett",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        let mut conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             max_connections = 100\n",
            cluster.port,
            cluster.dir.path().display()
        );
        if !durable {
            conf.push_str("fsync = off\nfull_page_writes = off\n");
        }
        let path = Path::new(&cluster.data()).join("postgresql.auto.conf");
        std::fs::write(&path, conf).unwrap();
        if is_root() {
            Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&path)
                .status()
                .unwrap();
        }
        cluster.start_server();
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// Runs one of the server's programs (as `postgres` when root), failing the test with
    /// its output if it fails.
    fn run(&self, program: &str, args: &[&str]) {
        let exe = self.bin.join(program);
        let output = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        } else {
            Command::new(&exe)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        }
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the server and waits until it takes connections.
    pub fn start_server(&self) {
        let log = self.dir.path().join("server.log").display().to_string();
        self.run("pg_ctl", &["-D", &self.data(), "-l", &log, "-w", "start"]);
    }

    /// Stops the server (`fast`: connections are cut, nothing committed is lost).
    pub fn stop_server(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// The URL of database `name` (made by [`Cluster::create_database`], or `postgres`).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://blankett@127.0.0.1:{}/{name}", self.port)
    }

    /// Makes a new empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        let mut client = self.client("postgres");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        self.url(name)
    }

    /// A client of database `name` (blocking: from async code, use it in `spawn_blocking`).
    pub fn client(&self, name: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(name), postgres::NoTls).unwrap()
    }
}

/// Starts a throw-away cluster with one database, `blankett`, and returns it with the
/// database's URL; the blocking work runs off the async threads. `durable` as in
/// [`Cluster::start`].
pub async fn start_with_database(durable: bool) -> (Cluster, String) {
    tokio::task::spawn_blocking(move || {
        let cluster = Cluster::start(durable);
        let url = cluster.create_database("blankett");
        (cluster, url)
    })
    .await
    .unwrap()
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // What the server logged, to see why a test failed.
            let log =
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            let tail: Vec<&str> = log
                .lines()
                .filter(|l| !l.contains("could not serialize") && l.contains("UTC ["))
                .filter(|l| {
                    !l.contains("DETAIL") && !l.contains("HINT") && !l.contains("STATEMENT")
                })
                .rev()
                .take(40)
                .collect();
            eprintln!("PostgreSQL's log (last lines):");
            for line in tail.iter().rev() {
                eprintln!("  {line}");
            }
        }
        let exe = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "-w", "stop"];
        let _ = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .output()
        } else {
            Command::new(&exe).args(args).output()
        };
    }
}

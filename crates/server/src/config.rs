//! Command-line arguments and environment variables, parsed by hand.

use std::path::PathBuf;

use blankett_core::Lang;

use crate::retention;
use crate::store::Synchronous;

/// The usage text printed by `--help` and after a usage error.
pub const USAGE: &str = "\
Blankett's reference receiver: checks submissions again and stores them in SQLite
(one receiver) or PostgreSQL (one or several receivers sharing it).

Usage:
  blankett-server serve [--addr ADDR] [--db FILE|URL] [--forms DIR] [--dist DIR] [--max-body BYTES]
                        [--public-url URL] [--allow-unsigned] [--signature-window SECONDS]
                        [--allowed-origin ORIGIN ...] [--connect-origin ORIGIN ...]
                        [--synchronous full|normal] [--db-pool N] [--db-timeout SECONDS]
                        [--db-isolation read-committed|serializable]
                        [--retention-every HOURS] [--keep-unread]
                        [--header-timeout SECONDS] [--body-timeout SECONDS]
                        [--idle-timeout SECONDS] [--max-connections N]
                        [--submit-rate N] [--upload-concurrency N]
                        [--scan-command COMMAND] [--scan-timeout SECONDS]
                        [--staged-hours HOURS]
  blankett-server backup DEST [--db FILE]
  blankett-server retention [--db FILE|URL] [--forms DIR] [--keep-unread] [--staged-hours HOURS]
                            [--dry-run]
  blankett-server check FILE.json [FILE.json ...] [--lang sv|en] [--connect-origin ORIGIN ...]
  blankett-server import-oep FLOW.oeflow [--id ID] [--organisation NAME] [--lang sv|en] > form.json
  blankett-server --help

serve options (arguments override environment variables, which override defaults):
  --addr ADDR        address to listen on   [env BLANKETT_ADDR,  default 127.0.0.1:8080]
  --db FILE|URL      a SQLite database file, or a PostgreSQL URL
                     (postgres://user:password@host:5432/dbname) that several
                     receivers may share [env BLANKETT_DB, default data/blankett.sqlite3]
  --forms DIR        form definitions       [env BLANKETT_FORMS, default public/forms]
  --dist DIR         the built app          [env BLANKETT_DIST,  default dist]
  --max-body BYTES   largest request body   [default 1048576]
  --public-url URL   the address citizens' browsers use for this receiver, e.g.
                     https://kommun.se/blankett; signatures cover the URL the browser
                     posted to, so behind a proxy it is rebuilt from this (without it:
                     http:// + the Host header)              [env BLANKETT_PUBLIC_URL]
  --allow-unsigned   accept submissions without a signature (from old clients); a
                     signature that is present is always verified
                                          [env BLANKETT_ALLOW_UNSIGNED=1, default off]
  --signature-window SECONDS
                     how far a signature's time may be from this receiver's clock,
                     either way        [env BLANKETT_SIGNATURE_WINDOW, default 300]
  --allowed-origin ORIGIN
                     a web page origin (https://www.kommun.se) that may post
                     cross-origin; repeat for more; without it every origin may
                     [env BLANKETT_ALLOWED_ORIGINS, comma-separated, default any]
  --connect-origin ORIGIN
                     another origin (https://forms.kommun.se) the app this receiver
                     serves may load definitions and code lists from and post
                     submissions to (and show a definition's logo from): added to its
                     pages' Content-Security-Policy connect-src and img-src; repeat
                     for more; that server must also allow this
                     one by CORS (docs/receiver-api.md)
                     [env BLANKETT_CONNECT_ORIGINS, comma-separated, default none]
  --synchronous full|normal
                     full: every submission is on the disk before its receipt is
                     sent, so a power loss never loses an answered case; normal:
                     faster, but a power loss (not a crash) can lose the last
                     seconds of answered cases  [env BLANKETT_SYNCHRONOUS, default full]
                     (SQLite; PostgreSQL commits as its server's synchronous_commit says)
  --db-pool N        PostgreSQL: the most connections this receiver opens
                                       [env BLANKETT_DB_POOL, default 8]
  --db-timeout SECONDS
                     PostgreSQL: the longest a statement runs and a request waits
                     for a connection; then 503 with Retry-After
                                       [env BLANKETT_DB_TIMEOUT, default 5]
  --db-isolation read-committed|serializable
                     PostgreSQL: the isolation level submissions are stored at;
                     exactly-once holds at both (unique constraints), serializable
                     retries more under load (docs/operations.md)
                          [env BLANKETT_DB_ISOLATION, default read-committed]
  --retention-every HOURS
                     delete the cases older than their form's privacy.keep_days at
                     start and then every HOURS hours (as the retention command does)
                                       [env BLANKETT_RETENTION_EVERY, default off]
  --keep-unread      retention never deletes a case nobody has read or exported
                     through the admin API       [env BLANKETT_KEEP_UNREAD=1, default off]
  --header-timeout SECONDS
                     a connection that has not sent a request's whole head this long
                     after it opened (or after the previous answer) is closed
                                       [env BLANKETT_HEADER_TIMEOUT, default 10]
  --body-timeout SECONDS
                     a request whose body has not all arrived this long after its
                     head is cut off   [env BLANKETT_BODY_TIMEOUT, default 30]
  --idle-timeout SECONDS
                     a kept-alive connection with no request and no byte either way
                     this long is closed  [env BLANKETT_IDLE_TIMEOUT, default 15]
  --max-connections N
                     connections served at once; one more is answered 503 and closed
                                       [env BLANKETT_MAX_CONNECTIONS, default 1024]
  --submit-rate N    POST /api/submissions from one client (IP address, IPv6 /64)
                     at most N a minute, then 429 with Retry-After; leave it off
                     behind a proxy (every request comes from the proxy's address:
                     let the proxy limit)  [env BLANKETT_SUBMIT_RATE, default off]
  --upload-concurrency N
                     file uploads read into memory at once (each at most the largest
                     max_file_size of the loaded forms); more wait their turn
                                       [env BLANKETT_UPLOAD_CONCURRENCY, default 4]
  --scan-command COMMAND
                     run by `sh -c` for each uploaded file, with the file on stdin,
                     before it is accepted: exit 0 = clean, 1 = refused (422
                     file_refused), anything else or a timeout = 503
                     scanner_unavailable; e.g. \"clamdscan --no-summary -\"
                     (docs/operations.md)    [env BLANKETT_SCAN_COMMAND, default none]
  --scan-timeout SECONDS
                     the longest the scan command may take per file
                                       [env BLANKETT_SCAN_TIMEOUT, default 60]
  --staged-hours HOURS
                     retention deletes an uploaded file no submission has claimed
                     this many hours after it arrived (and every file no case and no
                     upload names)     [env BLANKETT_STAGED_HOURS, default 168]
  BLANKETT_ADMIN_TOKEN enables GET /api/submissions/{reference} with
  `Authorization: Bearer <token>`; without it that endpoint answers 404.

backup copies the database (--db, BLANKETT_DB, default data/blankett.sqlite3) to DEST, a
new file, while the receiver keeps running: a consistent copy with every submission
committed before it started. See docs/operations.md for how to restore it.
Exit codes: 0 copied and checked, 1 the copy failed, 2 usage error.

retention deletes every stored case older than its form's privacy.keep_days (forms
without it, and forms not in --forms, are kept) and prints how many, per form; then the
uploaded files no submission claimed within --staged-hours, and the files nothing names any
more; --keep-unread and --staged-hours as for serve; --dry-run counts and deletes nothing. --db and --forms as for serve.
Exit codes: 0 done, 1 the database failed, 2 usage error.

check prints every problem in each definition, prefixed with the file name; with
--connect-origin (as the serving receiver has it), also every address on another origin
that receiver's Content-Security-Policy would block.
Exit codes: 0 all files load, 1 a file has errors, 2 usage error or unreadable file.

import-oep converts an Open ePlatform e-service export to a definition on stdout and
prints what could not be converted as it was (and the checker's verdict) on stderr.
Exit codes: 0 converted and the definition checks, 1 converted but the definition has
errors, 2 usage error, or a file that cannot be read or converted.
";

/// Default listen address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Default SQLite database path.
pub const DEFAULT_DB: &str = "data/blankett.sqlite3";
/// Default folder of form definitions.
pub const DEFAULT_FORMS: &str = "public/forms";
/// Default folder of the built app.
pub const DEFAULT_DIST: &str = "dist";
/// Default request body limit in bytes (1 MiB).
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// Default signature window in seconds: how far `created` may be from the receiver's clock.
pub const DEFAULT_SIGNATURE_WINDOW: i64 = 300;
/// Default header-read timeout in seconds.
pub const DEFAULT_HEADER_TIMEOUT: u64 = 10;
/// Default body-read timeout in seconds.
pub const DEFAULT_BODY_TIMEOUT: u64 = 30;
/// Default idle keep-alive timeout in seconds: longer than clients keep an idle connection
/// themselves (Node's fetch: 4 s), so a client never sends a request on a connection the
/// receiver is closing at that moment (a 5 s default failed a browser-suite fetch that way).
/// An idle kept-alive connection is closed by the header-read timeout first anyway.
pub const DEFAULT_IDLE_TIMEOUT: u64 = 15;
/// Default cap on connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// The PostgreSQL pool's most connections per receiver, unless `--db-pool` says otherwise.
pub const DEFAULT_DB_POOL: u32 = 8;
/// The PostgreSQL statement timeout and connection wait in seconds, unless `--db-timeout`
/// says otherwise.
pub const DEFAULT_DB_TIMEOUT: u64 = 5;
/// File uploads read into memory at once, unless `--upload-concurrency` says otherwise.
pub const DEFAULT_UPLOAD_CONCURRENCY: usize = 4;
/// The longest a scan command may take per file in seconds, unless `--scan-timeout` says
/// otherwise.
pub const DEFAULT_SCAN_TIMEOUT: u64 = 60;
/// Hours an unclaimed upload is kept, unless `--staged-hours` says otherwise (a week).
pub const DEFAULT_STAGED_HOURS: u32 = 168;

/// Everything `serve` needs to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The address to listen on (`host:port`; port 0 picks a free port).
    pub addr: String,
    /// The SQLite database file; its parent folder is created on start.
    pub db: PathBuf,
    /// The folder of form definitions (`*.json`, except `index.json`).
    pub forms: PathBuf,
    /// The folder of the built app, served at `/`.
    pub dist: PathBuf,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// The bearer token of the admin endpoint; `None` disables it.
    pub admin_token: Option<String>,
    /// The address citizens' browsers use (`https://kommun.se/blankett`, no trailing `/`):
    /// the base of the `@target-uri` that signatures cover; `None`: `http://` + `Host`.
    pub public_url: Option<String>,
    /// Whether submissions without a signature are accepted (a present one is verified).
    pub allow_unsigned: bool,
    /// How far a signature's `created` may be from the receiver's clock, in seconds.
    pub signature_window: i64,
    /// The origins that may post cross-origin; empty: every origin (`*`).
    pub allowed_origins: Vec<String>,
    /// Other origins the served app may fetch from and post to (its CSP `connect-src`).
    pub connect_origins: Vec<String>,
    /// Whether each commit waits for the disk (`PRAGMA synchronous`).
    pub synchronous: Synchronous,
    /// PostgreSQL: the pool's most connections.
    pub db_pool: u32,
    /// PostgreSQL: the statement timeout and the longest wait for a connection.
    pub db_timeout: std::time::Duration,
    /// PostgreSQL: store submissions `SERIALIZABLE` (else `READ COMMITTED`).
    pub db_serializable: bool,
    /// Run retention at start and then every this many hours; `None`: never.
    pub retention_every: Option<u32>,
    /// Whether retention keeps cases nobody has read or exported yet.
    pub keep_unread: bool,
    /// Timeouts and the connection cap.
    pub limits: crate::limits::Timeouts,
    /// Submissions per minute per client; `None`: no limit.
    pub submit_rate: Option<u32>,
    /// File uploads read into memory at once.
    pub upload_concurrency: usize,
    /// The command run (by `sh -c`) on each uploaded file, the file on stdin; `None`: none.
    pub scan_command: Option<String>,
    /// The longest the scan command may take per file.
    pub scan_timeout: std::time::Duration,
    /// Hours an upload no submission claimed is kept before retention deletes it.
    pub staged_hours: u32,
}

impl Config {
    /// The defaults, overridden by the `BLANKETT_*` variables that `env` returns.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Config, UsageError> {
        let non_empty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let public_url = non_empty("BLANKETT_PUBLIC_URL")
            .map(|v| parse_public_url("BLANKETT_PUBLIC_URL", v))
            .transpose()?;
        let allow_unsigned = non_empty("BLANKETT_ALLOW_UNSIGNED")
            .map(|v| parse_switch("BLANKETT_ALLOW_UNSIGNED", v))
            .transpose()?
            .unwrap_or(false);
        let signature_window = non_empty("BLANKETT_SIGNATURE_WINDOW")
            .map(|v| parse_window("BLANKETT_SIGNATURE_WINDOW", v))
            .transpose()?
            .unwrap_or(DEFAULT_SIGNATURE_WINDOW);
        let allowed_origins = non_empty("BLANKETT_ALLOWED_ORIGINS")
            .map(|v| parse_origin_list("BLANKETT_ALLOWED_ORIGINS", &v))
            .transpose()?
            .unwrap_or_default();
        let connect_origins = non_empty("BLANKETT_CONNECT_ORIGINS")
            .map(|v| parse_origin_list("BLANKETT_CONNECT_ORIGINS", &v))
            .transpose()?
            .unwrap_or_default();
        let synchronous = non_empty("BLANKETT_SYNCHRONOUS")
            .map(|v| parse_synchronous("BLANKETT_SYNCHRONOUS", v))
            .transpose()?
            .unwrap_or_default();
        let retention_every = non_empty("BLANKETT_RETENTION_EVERY")
            .map(|v| parse_hours("BLANKETT_RETENTION_EVERY", v))
            .transpose()?;
        let keep_unread = non_empty("BLANKETT_KEEP_UNREAD")
            .map(|v| parse_switch("BLANKETT_KEEP_UNREAD", v))
            .transpose()?
            .unwrap_or(false);
        let seconds = |name: &str, default: u64| {
            non_empty(name)
                .map(|v| parse_seconds(name, v))
                .transpose()
                .map(|v| std::time::Duration::from_secs(v.unwrap_or(default)))
        };
        let limits = crate::limits::Timeouts {
            header: seconds("BLANKETT_HEADER_TIMEOUT", DEFAULT_HEADER_TIMEOUT)?,
            body: seconds("BLANKETT_BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT)?,
            idle: seconds("BLANKETT_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT)?,
            max_connections: non_empty("BLANKETT_MAX_CONNECTIONS")
                .map(|v| parse_count("BLANKETT_MAX_CONNECTIONS", v))
                .transpose()?
                .map_or(DEFAULT_MAX_CONNECTIONS, |n| n as usize),
        };
        let db_pool = non_empty("BLANKETT_DB_POOL")
            .map(|v| parse_pool("BLANKETT_DB_POOL", v))
            .transpose()?
            .unwrap_or(DEFAULT_DB_POOL);
        let db_timeout = seconds("BLANKETT_DB_TIMEOUT", DEFAULT_DB_TIMEOUT)?;
        let db_serializable = non_empty("BLANKETT_DB_ISOLATION")
            .map(|v| parse_isolation("BLANKETT_DB_ISOLATION", v))
            .transpose()?
            .unwrap_or(false);
        let submit_rate = non_empty("BLANKETT_SUBMIT_RATE")
            .map(|v| parse_count("BLANKETT_SUBMIT_RATE", v))
            .transpose()?;
        let upload_concurrency = non_empty("BLANKETT_UPLOAD_CONCURRENCY")
            .map(|v| parse_concurrency("BLANKETT_UPLOAD_CONCURRENCY", v))
            .transpose()?
            .unwrap_or(DEFAULT_UPLOAD_CONCURRENCY);
        let scan_timeout = seconds("BLANKETT_SCAN_TIMEOUT", DEFAULT_SCAN_TIMEOUT)?;
        let staged_hours = non_empty("BLANKETT_STAGED_HOURS")
            .map(|v| parse_hours("BLANKETT_STAGED_HOURS", v))
            .transpose()?
            .unwrap_or(DEFAULT_STAGED_HOURS);
        Ok(Config {
            upload_concurrency,
            scan_command: non_empty("BLANKETT_SCAN_COMMAND"),
            scan_timeout,
            staged_hours,
            limits,
            submit_rate,
            addr: non_empty("BLANKETT_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned()),
            db: non_empty("BLANKETT_DB").map_or_else(|| DEFAULT_DB.into(), PathBuf::from),
            forms: non_empty("BLANKETT_FORMS").map_or_else(|| DEFAULT_FORMS.into(), PathBuf::from),
            dist: non_empty("BLANKETT_DIST").map_or_else(|| DEFAULT_DIST.into(), PathBuf::from),
            max_body: DEFAULT_MAX_BODY,
            admin_token: non_empty("BLANKETT_ADMIN_TOKEN"),
            public_url,
            allow_unsigned,
            signature_window,
            allowed_origins,
            connect_origins,
            synchronous,
            db_pool,
            db_timeout,
            db_serializable,
            retention_every,
            keep_unread,
        })
    }
}

/// `--header-timeout` and the other timeouts: a whole number of seconds from 1 to 3600.
fn parse_seconds(option: &str, value: String) -> Result<u64, UsageError> {
    parse_within(
        option,
        value,
        1..=3600,
        "expected a number of seconds from 1 to 3600",
    )
}

/// `--max-connections`, `--submit-rate`: a whole number from 1 to 1,000,000.
fn parse_count(option: &str, value: String) -> Result<u32, UsageError> {
    parse_within(
        option,
        value,
        1..=1_000_000,
        "expected a whole number from 1 to 1000000",
    )
}

/// `--upload-concurrency`: a whole number of uploads from 1 to 256.
fn parse_concurrency(option: &str, value: String) -> Result<usize, UsageError> {
    parse_within(
        option,
        value,
        1..=256,
        "expected a number of uploads from 1 to 256",
    )
}

/// `--retention-every`, `--staged-hours`: a whole number of hours from 1 to 8760 (a year).
fn parse_hours(option: &str, value: String) -> Result<u32, UsageError> {
    parse_within(
        option,
        value,
        1..=8760,
        "expected a number of hours from 1 to 8760",
    )
}

/// A number in `range`, or the usage error that says `reason`.
fn parse_within<T: std::str::FromStr + PartialOrd>(
    option: &str,
    value: String,
    range: std::ops::RangeInclusive<T>,
    reason: &'static str,
) -> Result<T, UsageError> {
    value
        .trim()
        .parse::<T>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or(UsageError::InvalidValue {
            option: option.to_owned(),
            value,
            reason,
        })
}

/// `--db-isolation`: `read-committed` (false) or `serializable` (true).
fn parse_isolation(option: &str, value: String) -> Result<bool, UsageError> {
    parse_choice(
        option,
        value,
        &[("read-committed", false), ("serializable", true)],
        "expected read-committed or serializable",
    )
}

/// One of `choices` by its name (any case), or the usage error that says `reason`.
fn parse_choice<T: Copy>(
    option: &str,
    value: String,
    choices: &[(&str, T)],
    reason: &'static str,
) -> Result<T, UsageError> {
    let name = value.trim().to_ascii_lowercase();
    match choices.iter().find(|(n, _)| *n == name) {
        Some(&(_, choice)) => Ok(choice),
        None => Err(UsageError::InvalidValue {
            option: option.to_owned(),
            value,
            reason,
        }),
    }
}

/// `--db-pool`: a whole number of connections from 1 to 1000.
fn parse_pool(option: &str, value: String) -> Result<u32, UsageError> {
    parse_within(
        option,
        value,
        1..=1000,
        "expected a number of connections from 1 to 1000",
    )
}

impl Config {
    /// The database `--db` names.
    pub fn database(&self) -> crate::store::Database {
        crate::store::Database::from_arg(&self.db)
    }

    /// How the receiver uses its database, from `--synchronous`, `--db-pool` and
    /// `--db-timeout`.
    pub fn store_options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            synchronous: self.synchronous,
            pool_size: self.db_pool,
            timeout: self.db_timeout,
            serializable: self.db_serializable,
        }
    }
}

/// `--synchronous`: `full` or `normal`.
fn parse_synchronous(option: &str, value: String) -> Result<Synchronous, UsageError> {
    parse_choice(
        option,
        value,
        &[("full", Synchronous::Full), ("normal", Synchronous::Normal)],
        "expected full or normal",
    )
}

/// `--public-url`: an absolute `http(s)` URL without query or fragment; kept without its
/// trailing `/`, so the request's path joins it.
fn parse_public_url(option: &str, value: String) -> Result<String, UsageError> {
    let invalid = |reason| UsageError::InvalidValue {
        option: option.to_owned(),
        value: value.clone(),
        reason,
    };
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| invalid("expected an http:// or https:// URL"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || value.contains(['?', '#']) || value.contains(char::is_whitespace) {
        return Err(invalid(
            "expected scheme://host[:port][/path], without query or fragment",
        ));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// A comma-separated list of origins in the variable `name` (empty items skipped).
fn parse_origin_list(name: &str, value: &str) -> Result<Vec<String>, UsageError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| parse_origin(name, o.to_owned()))
        .collect()
}

/// `--allowed-origin`: `scheme://host[:port]`, as browsers send it in `Origin`.
fn parse_origin(option: &str, value: String) -> Result<String, UsageError> {
    let origin = value.trim_end_matches('/').to_ascii_lowercase();
    let host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ', ',', '*']) => {
            Ok(origin)
        }
        _ => Err(UsageError::InvalidValue {
            option: option.to_owned(),
            value,
            reason: "expected an origin such as https://www.kommun.se (no path)",
        }),
    }
}

/// `--signature-window`: a whole number of seconds, at least 1.
fn parse_window(option: &str, value: String) -> Result<i64, UsageError> {
    parse_within(
        option,
        value,
        1..=366 * 24 * 3600,
        "expected a number of seconds from 1 to 31622400",
    )
}

/// An on/off environment variable: `1`/`true`/`yes` or `0`/`false`/`no`.
fn parse_switch(option: &str, value: String) -> Result<bool, UsageError> {
    let on_off = [
        ("1", true),
        ("true", true),
        ("yes", true),
        ("on", true),
        ("0", false),
        ("false", false),
        ("no", false),
        ("off", false),
    ];
    parse_choice(option, value, &on_off, "expected 1 or 0")
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the receiver (boxed: a `Config` is much larger than the other commands).
    Serve(Box<Config>),
    /// Check definition files and print their diagnostics.
    Check {
        /// The files to check, in order.
        files: Vec<PathBuf>,
        /// The language of the messages.
        lang: Lang,
        /// `--connect-origin`: the serving receiver's other origins, to warn about addresses
        /// its policy would block; `None` when not given (nothing is said about origins).
        connect_origins: Option<Vec<String>>,
    },
    /// Convert an Open ePlatform `.oeflow` export to a definition.
    ImportOep {
        /// The `.oeflow` file.
        file: PathBuf,
        /// The form id to use instead of one made from the flow's name.
        id: Option<String>,
        /// The organisation's name, which OEP exports do not always carry.
        organisation: Option<String>,
        /// The language of the report.
        lang: Lang,
    },
    /// Delete the stored cases older than their form's retention.
    Retention {
        /// The database.
        db: PathBuf,
        /// The definitions, which say how long each form's cases are kept.
        forms: PathBuf,
        /// What the run may do.
        options: retention::Options,
    },
    /// Copy the database to a new file while the receiver runs.
    Backup {
        /// The database to copy.
        db: PathBuf,
        /// The new file.
        dest: PathBuf,
    },
    /// Print the usage text.
    Help,
}

/// A command line that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// No subcommand was given.
    #[error("no command given")]
    NoCommand,
    /// The subcommand is not `serve` or `check`.
    #[error("unknown command \"{0}\"")]
    UnknownCommand(String),
    /// An option the subcommand does not know.
    #[error("unknown option \"{0}\"")]
    UnknownOption(String),
    /// An option without its value.
    #[error("option {0} needs a value")]
    MissingValue(String),
    /// An option value that cannot be used.
    #[error("invalid value \"{value}\" for {option}: {reason}")]
    InvalidValue {
        /// The option.
        option: String,
        /// The value as given.
        value: String,
        /// Why it is wrong.
        reason: &'static str,
    },
    /// `check` without files.
    #[error("check needs at least one FILE.json")]
    NoFiles,
    /// `backup` without the file to write.
    #[error("backup needs the DEST file to write")]
    NoDestination,
}

/// Parses the arguments (without the program name); `env` reads environment variables.
pub fn parse_args(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, UsageError> {
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        return Err(UsageError::NoCommand);
    };
    let rest: Vec<String> = args.collect();
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help);
    }
    match command.as_str() {
        "--help" | "-h" | "help" => Ok(Command::Help),
        "serve" => parse_serve(rest, env).map(|c| Command::Serve(Box::new(c))),
        "check" => parse_check(rest),
        "import-oep" => parse_import(rest),
        "backup" => parse_backup(rest, env),
        "retention" => parse_retention(rest, env),
        other if other.starts_with('-') => Err(UsageError::UnknownOption(other.to_owned())),
        other => Err(UsageError::UnknownCommand(other.to_owned())),
    }
}

/// Splits `--name=value` or takes the next argument as the value.
fn option_value(
    name: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = String>,
) -> Result<String, UsageError> {
    inline
        .or_else(|| rest.next())
        .ok_or_else(|| UsageError::MissingValue(name.to_owned()))
}

fn split_option(arg: &str) -> (String, Option<String>) {
    match arg.split_once('=') {
        Some((name, value)) if arg.starts_with("--") => (name.to_owned(), Some(value.to_owned())),
        _ => (arg.to_owned(), None),
    }
}

fn parse_serve(
    rest: Vec<String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Config, UsageError> {
    let mut config = Config::from_env(env)?;
    let mut origins_given = false;
    let mut connect_given = false;
    let mut rest = rest.into_iter();
    while let Some(arg) = rest.next() {
        let (name, inline) = split_option(&arg);
        match name.as_str() {
            "--public-url" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.public_url = Some(parse_public_url(&name, value)?);
            }
            "--allow-unsigned" if inline.is_none() => config.allow_unsigned = true,
            "--signature-window" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.signature_window = parse_window(&name, value)?;
            }
            "--allowed-origin" => {
                let value = option_value(&name, inline, &mut rest)?;
                // Origins on the command line replace those of the environment.
                if !origins_given {
                    config.allowed_origins.clear();
                    origins_given = true;
                }
                config.allowed_origins.push(parse_origin(&name, value)?);
            }
            "--connect-origin" => {
                let value = option_value(&name, inline, &mut rest)?;
                // Origins on the command line replace those of the environment.
                if !connect_given {
                    config.connect_origins.clear();
                    connect_given = true;
                }
                config.connect_origins.push(parse_origin(&name, value)?);
            }
            "--retention-every" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.retention_every = Some(parse_hours(&name, value)?);
            }
            "--keep-unread" if inline.is_none() => config.keep_unread = true,
            "--header-timeout" | "--body-timeout" | "--idle-timeout" => {
                let value = option_value(&name, inline, &mut rest)?;
                let seconds = std::time::Duration::from_secs(parse_seconds(&name, value)?);
                match name.as_str() {
                    "--header-timeout" => config.limits.header = seconds,
                    "--body-timeout" => config.limits.body = seconds,
                    _ => config.limits.idle = seconds,
                }
            }
            "--max-connections" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.limits.max_connections = parse_count(&name, value)? as usize;
            }
            "--submit-rate" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.submit_rate = Some(parse_count(&name, value)?);
            }
            "--upload-concurrency" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.upload_concurrency = parse_concurrency(&name, value)?;
            }
            "--scan-command" => {
                let value = option_value(&name, inline, &mut rest)?;
                if value.trim().is_empty() {
                    return Err(UsageError::InvalidValue {
                        option: name,
                        value,
                        reason: "expected a command, such as \"clamdscan --no-summary -\"",
                    });
                }
                config.scan_command = Some(value);
            }
            "--scan-timeout" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.scan_timeout = std::time::Duration::from_secs(parse_seconds(&name, value)?);
            }
            "--staged-hours" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.staged_hours = parse_hours(&name, value)?;
            }
            "--synchronous" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.synchronous = parse_synchronous(&name, value)?;
            }
            "--db-isolation" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.db_serializable = parse_isolation(&name, value)?;
            }
            "--db-pool" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.db_pool = parse_pool(&name, value)?;
            }
            "--db-timeout" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.db_timeout = std::time::Duration::from_secs(parse_seconds(&name, value)?);
            }
            "--addr" => config.addr = option_value(&name, inline, &mut rest)?,
            "--db" => config.db = option_value(&name, inline, &mut rest)?.into(),
            "--forms" => config.forms = option_value(&name, inline, &mut rest)?.into(),
            "--dist" => config.dist = option_value(&name, inline, &mut rest)?.into(),
            "--max-body" => {
                let value = option_value(&name, inline, &mut rest)?;
                config.max_body = value.parse::<usize>().ok().filter(|n| *n > 0).ok_or(
                    UsageError::InvalidValue {
                        option: name,
                        value,
                        reason: "expected a positive number of bytes",
                    },
                )?;
            }
            _ => return Err(UsageError::UnknownOption(arg)),
        }
    }
    Ok(config)
}

fn parse_check(rest: Vec<String>) -> Result<Command, UsageError> {
    let mut files = Vec::new();
    let mut lang = Lang::En;
    let mut connect_origins: Option<Vec<String>> = None;
    let mut rest = rest.into_iter();
    while let Some(arg) = rest.next() {
        let (name, inline) = split_option(&arg);
        match name.as_str() {
            "--lang" => {
                let value = option_value(&name, inline, &mut rest)?;
                lang = parse_lang(name, value)?;
            }
            "--connect-origin" => {
                let value = option_value(&name, inline, &mut rest)?;
                let origin = parse_origin(&name, value)?;
                connect_origins.get_or_insert_with(Vec::new).push(origin);
            }
            "--" => files.extend(rest.by_ref().map(PathBuf::from)),
            _ if arg.starts_with('-') && arg.len() > 1 => {
                return Err(UsageError::UnknownOption(arg));
            }
            _ => files.push(PathBuf::from(arg)),
        }
    }
    if files.is_empty() {
        return Err(UsageError::NoFiles);
    }
    Ok(Command::Check {
        files,
        lang,
        connect_origins,
    })
}

/// `--lang sv|en`.
fn parse_lang(option: String, value: String) -> Result<Lang, UsageError> {
    match value.as_str() {
        "sv" => Ok(Lang::Sv),
        "en" => Ok(Lang::En),
        _ => Err(UsageError::InvalidValue {
            option,
            value,
            reason: "expected sv or en",
        }),
    }
}

/// `retention [--db FILE] [--forms DIR] [--keep-unread] [--dry-run]`, with `serve`'s
/// environment variables and defaults.
fn parse_retention(
    rest: Vec<String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, UsageError> {
    let defaults = Config::from_env(env)?;
    let (mut db, mut forms) = (defaults.db, defaults.forms);
    let mut options = retention::Options {
        keep_unread: defaults.keep_unread,
        dry_run: false,
        staged_hours: defaults.staged_hours,
    };
    let mut rest = rest.into_iter();
    while let Some(arg) = rest.next() {
        let (name, inline) = split_option(&arg);
        match name.as_str() {
            "--db" => db = option_value(&name, inline, &mut rest)?.into(),
            "--forms" => forms = option_value(&name, inline, &mut rest)?.into(),
            "--keep-unread" if inline.is_none() => options.keep_unread = true,
            "--dry-run" if inline.is_none() => options.dry_run = true,
            "--staged-hours" => {
                let value = option_value(&name, inline, &mut rest)?;
                options.staged_hours = parse_hours(&name, value)?;
            }
            _ => return Err(UsageError::UnknownOption(arg)),
        }
    }
    Ok(Command::Retention { db, forms, options })
}

/// `backup DEST [--db FILE]`; the database defaults to `BLANKETT_DB`, then [`DEFAULT_DB`].
fn parse_backup(
    rest: Vec<String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, UsageError> {
    let mut db = env("BLANKETT_DB")
        .filter(|v| !v.trim().is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_DB), PathBuf::from);
    let mut dest = None;
    let mut rest = rest.into_iter();
    while let Some(arg) = rest.next() {
        let (name, inline) = split_option(&arg);
        match name.as_str() {
            "--db" => db = option_value(&name, inline, &mut rest)?.into(),
            _ if arg.starts_with('-') && arg.len() > 1 => {
                return Err(UsageError::UnknownOption(arg));
            }
            _ if dest.is_none() => dest = Some(PathBuf::from(arg)),
            _ => return Err(UsageError::UnknownOption(arg)),
        }
    }
    let dest = dest.ok_or(UsageError::NoDestination)?;
    Ok(Command::Backup { db, dest })
}

fn parse_import(rest: Vec<String>) -> Result<Command, UsageError> {
    let mut rest = rest.into_iter();
    let (mut file, mut id, mut organisation, mut lang) = (None, None, None, Lang::Sv);
    while let Some(arg) = rest.next() {
        let (name, inline) = split_option(&arg);
        match name.as_str() {
            "--id" => id = Some(option_value(&name, inline, &mut rest)?),
            "--organisation" => organisation = Some(option_value(&name, inline, &mut rest)?),
            "--lang" => {
                let value = option_value(&name, inline, &mut rest)?;
                lang = parse_lang(name, value)?;
            }
            _ if arg.starts_with('-') && arg.len() > 1 => {
                return Err(UsageError::UnknownOption(arg));
            }
            _ if file.is_none() => file = Some(PathBuf::from(arg)),
            _ => return Err(UsageError::UnknownOption(arg)),
        }
    }
    let file = file.ok_or(UsageError::NoFiles)?;
    Ok(Command::ImportOep {
        file,
        id,
        organisation,
        lang,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Command, UsageError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        parse_args(args.iter().map(|a| (*a).to_owned()), |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn serve_defaults() {
        let Command::Serve(c) = parse(&["serve"], &[]).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(c.addr, DEFAULT_ADDR);
        assert_eq!(c.db, PathBuf::from(DEFAULT_DB));
        assert_eq!(c.forms, PathBuf::from(DEFAULT_FORMS));
        assert_eq!(c.dist, PathBuf::from(DEFAULT_DIST));
        assert_eq!(c.max_body, DEFAULT_MAX_BODY);
        assert_eq!(c.admin_token, None);
        assert_eq!(c.public_url, None);
        assert!(!c.allow_unsigned, "signatures are required by default");
        assert_eq!(c.signature_window, DEFAULT_SIGNATURE_WINDOW);
        assert!(c.allowed_origins.is_empty());
        assert_eq!(
            c.synchronous,
            Synchronous::Full,
            "durable commits by default"
        );
    }

    #[test]
    fn upload_options_from_env_and_args() {
        let Command::Serve(c) = parse(&["serve"], &[]).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(c.upload_concurrency, DEFAULT_UPLOAD_CONCURRENCY);
        assert_eq!(c.scan_command, None, "no scanner by default");
        assert_eq!(
            c.scan_timeout,
            std::time::Duration::from_secs(DEFAULT_SCAN_TIMEOUT)
        );
        assert_eq!(c.staged_hours, DEFAULT_STAGED_HOURS);
        let env = [
            ("BLANKETT_UPLOAD_CONCURRENCY", "2"),
            ("BLANKETT_SCAN_COMMAND", "clamdscan --no-summary -"),
            ("BLANKETT_SCAN_TIMEOUT", "10"),
            ("BLANKETT_STAGED_HOURS", "24"),
        ];
        let Command::Serve(c) = parse(&["serve"], &env).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(c.upload_concurrency, 2);
        assert_eq!(c.scan_command.as_deref(), Some("clamdscan --no-summary -"));
        assert_eq!(c.scan_timeout, std::time::Duration::from_secs(10));
        assert_eq!(c.staged_hours, 24);
        let args = [
            "serve",
            "--upload-concurrency=8",
            "--scan-command",
            "/usr/local/bin/scan",
            "--scan-timeout",
            "5",
            "--staged-hours",
            "48",
        ];
        let Command::Serve(c) = parse(&args, &env).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(c.upload_concurrency, 8);
        assert_eq!(c.scan_command.as_deref(), Some("/usr/local/bin/scan"));
        assert_eq!(c.scan_timeout, std::time::Duration::from_secs(5));
        assert_eq!(c.staged_hours, 48);
        for (option, bad) in [
            ("--upload-concurrency", "0"),
            ("--upload-concurrency", "257"),
            ("--scan-command", " "),
            ("--scan-timeout", "0"),
            ("--staged-hours", "0"),
        ] {
            assert!(
                matches!(
                    parse(&["serve", option, bad], &[]),
                    Err(UsageError::InvalidValue { .. })
                ),
                "{option} {bad}"
            );
        }
    }

    #[test]
    fn synchronous_from_env_and_args() {
        let serve = |args: &[&str], env: &[(&str, &str)]| match parse(args, env) {
            Ok(Command::Serve(c)) => Ok(c.synchronous),
            Ok(other) => panic!("not serve: {other:?}"),
            Err(e) => Err(e),
        };
        let normal = [("BLANKETT_SYNCHRONOUS", "NORMAL")];
        assert_eq!(serve(&["serve"], &normal), Ok(Synchronous::Normal));
        assert_eq!(
            serve(&["serve", "--synchronous", "full"], &normal),
            Ok(Synchronous::Full)
        );
        assert_eq!(
            serve(&["serve", "--synchronous=normal"], &[]),
            Ok(Synchronous::Normal)
        );
        for bad in [
            &["serve", "--synchronous", "off"][..],
            &["serve", "--synchronous", "extra"][..],
        ] {
            assert!(
                matches!(serve(bad, &[]), Err(UsageError::InvalidValue { .. })),
                "{bad:?}"
            );
        }
        assert!(matches!(
            serve(&["serve"], &[("BLANKETT_SYNCHRONOUS", "0")]),
            Err(UsageError::InvalidValue { .. })
        ));
    }

    #[test]
    fn database_options_from_env_and_args() {
        let serve = |args: &[&str], env: &[(&str, &str)]| match parse(args, env) {
            Ok(Command::Serve(c)) => Ok(c),
            Ok(other) => panic!("not serve: {other:?}"),
            Err(e) => Err(e),
        };
        let c = serve(&["serve"], &[]).unwrap();
        assert_eq!(
            c.database(),
            crate::store::Database::Sqlite(DEFAULT_DB.into())
        );
        let options = c.store_options();
        assert_eq!((options.pool_size, options.timeout.as_secs()), (8, 5));
        assert!(!options.serializable);
        let env = [
            ("BLANKETT_DB", "postgres://u:pw@db.internal/blankett"),
            ("BLANKETT_DB_POOL", "20"),
            ("BLANKETT_DB_ISOLATION", "Serializable"),
        ];
        let c = serve(&["serve", "--db-timeout", "2"], &env).unwrap();
        assert_eq!(
            c.database(),
            crate::store::Database::Postgres("postgres://u:pw@db.internal/blankett".into())
        );
        let options = c.store_options();
        assert_eq!((options.pool_size, options.timeout.as_secs()), (20, 2));
        assert!(options.serializable);
        let c = serve(
            &["serve", "--db-pool=3", "--db-isolation", "read-committed"],
            &env,
        )
        .unwrap();
        assert_eq!(c.db_pool, 3);
        assert!(!c.db_serializable);
        for bad in [
            &["serve", "--db-pool", "0"][..],
            &["serve", "--db-pool", "1001"][..],
            &["serve", "--db-timeout", "0"][..],
            &["serve", "--db-isolation", "snapshot"][..],
        ] {
            assert!(
                matches!(serve(bad, &[]), Err(UsageError::InvalidValue { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn signature_and_origin_options() {
        let env = [
            ("BLANKETT_PUBLIC_URL", "https://env.example/"),
            ("BLANKETT_ALLOW_UNSIGNED", "1"),
            ("BLANKETT_SIGNATURE_WINDOW", "60"),
            (
                "BLANKETT_ALLOWED_ORIGINS",
                "https://a.example, https://B.example/",
            ),
        ];
        let serve = |args: &[&str]| match parse(args, &env).unwrap() {
            Command::Serve(c) => c,
            other => panic!("not serve: {other:?}"),
        };
        let c = serve(&["serve"]);
        assert_eq!(c.public_url.as_deref(), Some("https://env.example"));
        assert!(c.allow_unsigned);
        assert_eq!(c.signature_window, 60);
        assert_eq!(
            c.allowed_origins,
            ["https://a.example", "https://b.example"]
        );

        let c = serve(&[
            "serve",
            "--public-url",
            "https://kommun.se/blankett/",
            "--allow-unsigned",
            "--signature-window=900",
            "--allowed-origin",
            "https://www.kommun.se",
            "--allowed-origin=http://localhost:8000",
        ]);
        assert_eq!(c.public_url.as_deref(), Some("https://kommun.se/blankett"));
        assert!(c.allow_unsigned);
        assert_eq!(c.signature_window, 900);
        assert_eq!(
            c.allowed_origins,
            ["https://www.kommun.se", "http://localhost:8000"],
            "arguments replace the environment's origins"
        );

        for args in [
            &["serve", "--public-url", "kommun.se"][..],
            &["serve", "--public-url", "https://kommun.se/?a=1"][..],
            &["serve", "--public-url", "https:///x"][..],
            &["serve", "--signature-window", "0"][..],
            &["serve", "--signature-window", "soon"][..],
            &["serve", "--allowed-origin", "https://kommun.se/path"][..],
            &["serve", "--allowed-origin", "*"][..],
        ] {
            assert!(
                matches!(parse(args, &[]), Err(UsageError::InvalidValue { .. })),
                "{args:?}"
            );
        }
        assert!(matches!(
            parse(&["serve"], &[("BLANKETT_ALLOW_UNSIGNED", "maybe")]),
            Err(UsageError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse(&["serve"], &[("BLANKETT_SIGNATURE_WINDOW", "-5")]),
            Err(UsageError::InvalidValue { .. })
        ));
    }

    #[test]
    fn args_override_env_which_overrides_defaults() {
        let env = [
            ("BLANKETT_ADDR", "0.0.0.0:9000"),
            ("BLANKETT_DB", "/tmp/x.db"),
            ("BLANKETT_ADMIN_TOKEN", "secret"),
        ];
        let Command::Serve(c) =
            parse(&["serve", "--addr", "[::1]:1", "--max-body=10"], &env).unwrap()
        else {
            panic!("not serve")
        };
        assert_eq!(c.addr, "[::1]:1");
        assert_eq!(c.db, PathBuf::from("/tmp/x.db"));
        assert_eq!(c.max_body, 10);
        assert_eq!(c.admin_token.as_deref(), Some("secret"));
    }

    #[test]
    fn usage_errors() {
        assert_eq!(parse(&[], &[]), Err(UsageError::NoCommand));
        assert_eq!(
            parse(&["start"], &[]),
            Err(UsageError::UnknownCommand("start".into()))
        );
        assert_eq!(
            parse(&["serve", "--port", "1"], &[]),
            Err(UsageError::UnknownOption("--port".into()))
        );
        assert_eq!(
            parse(&["serve", "--db"], &[]),
            Err(UsageError::MissingValue("--db".into()))
        );
        assert!(matches!(
            parse(&["serve", "--max-body", "lots"], &[]),
            Err(UsageError::InvalidValue { .. })
        ));
        assert_eq!(parse(&["check"], &[]), Err(UsageError::NoFiles));
        assert_eq!(parse(&["import-oep"], &[]), Err(UsageError::NoFiles));
        assert_eq!(
            parse(
                &[
                    "import-oep",
                    "a.oeflow",
                    "--id=x",
                    "--organisation",
                    "Sala kommun",
                    "--lang",
                    "en"
                ],
                &[]
            ),
            Ok(Command::ImportOep {
                file: PathBuf::from("a.oeflow"),
                id: Some("x".into()),
                organisation: Some("Sala kommun".into()),
                lang: Lang::En,
            })
        );
        assert!(matches!(
            parse(&["import-oep", "a.oeflow", "--lang", "fi"], &[]),
            Err(UsageError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse(&["check", "a.json", "--lang", "fi"], &[]),
            Err(UsageError::InvalidValue { .. })
        ));
    }

    #[test]
    fn timeouts_the_connection_cap_and_the_submission_rate() {
        use std::time::Duration;
        let Command::Serve(c) = parse(&["serve"], &[]).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(c.limits, crate::limits::Timeouts::default());
        assert_eq!(c.limits.header, Duration::from_secs(DEFAULT_HEADER_TIMEOUT));
        assert_eq!(c.submit_rate, None, "off by default");
        let env = [
            ("BLANKETT_HEADER_TIMEOUT", "3"),
            ("BLANKETT_BODY_TIMEOUT", "4"),
            ("BLANKETT_IDLE_TIMEOUT", "5"),
            ("BLANKETT_MAX_CONNECTIONS", "6"),
            ("BLANKETT_SUBMIT_RATE", "7"),
        ];
        let Command::Serve(c) = parse(&["serve"], &env).unwrap() else {
            panic!("not serve")
        };
        let secs = Duration::from_secs;
        assert_eq!(
            (c.limits.header, c.limits.body, c.limits.idle),
            (secs(3), secs(4), secs(5))
        );
        assert_eq!((c.limits.max_connections, c.submit_rate), (6, Some(7)));
        let args = [
            "serve",
            "--header-timeout=30",
            "--body-timeout",
            "40",
            "--idle-timeout",
            "50",
            "--max-connections",
            "60",
            "--submit-rate",
            "70",
        ];
        let Command::Serve(c) = parse(&args, &env).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(
            (c.limits.header, c.limits.body, c.limits.idle),
            (secs(30), secs(40), secs(50))
        );
        assert_eq!((c.limits.max_connections, c.submit_rate), (60, Some(70)));
        for (option, bad) in [
            ("--header-timeout", "0"),
            ("--body-timeout", "3601"),
            ("--idle-timeout", "soon"),
            ("--max-connections", "0"),
            ("--submit-rate", "-1"),
        ] {
            assert!(
                matches!(
                    parse(&["serve", option, bad], &[]),
                    Err(UsageError::InvalidValue { .. })
                ),
                "{option} {bad}"
            );
        }
    }

    #[test]
    fn retention_in_the_receiver_and_as_a_command() {
        let Command::Serve(c) = parse(&["serve"], &[]).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(
            (c.retention_every, c.keep_unread),
            (None, false),
            "off by default"
        );
        let env = [
            ("BLANKETT_RETENTION_EVERY", "24"),
            ("BLANKETT_KEEP_UNREAD", "1"),
            ("BLANKETT_DB", "/srv/db.sqlite3"),
        ];
        let Command::Serve(c) = parse(&["serve"], &env).unwrap() else {
            panic!("not serve")
        };
        assert_eq!((c.retention_every, c.keep_unread), (Some(24), true));
        let Command::Serve(c) =
            parse(&["serve", "--retention-every", "6", "--keep-unread"], &[]).unwrap()
        else {
            panic!("not serve")
        };
        assert_eq!((c.retention_every, c.keep_unread), (Some(6), true));
        for bad in ["0", "8761", "daily"] {
            assert!(matches!(
                parse(&["serve", "--retention-every", bad], &[]),
                Err(UsageError::InvalidValue { .. })
            ));
        }
        assert_eq!(
            parse(&["retention"], &env),
            Ok(Command::Retention {
                db: "/srv/db.sqlite3".into(),
                forms: DEFAULT_FORMS.into(),
                options: retention::Options {
                    keep_unread: true,
                    dry_run: false,
                    staged_hours: DEFAULT_STAGED_HOURS,
                },
            })
        );
        assert_eq!(
            parse(
                &[
                    "retention",
                    "--db=a.sqlite3",
                    "--forms",
                    "f",
                    "--dry-run",
                    "--staged-hours",
                    "24"
                ],
                &[]
            ),
            Ok(Command::Retention {
                db: "a.sqlite3".into(),
                forms: "f".into(),
                options: retention::Options {
                    keep_unread: false,
                    dry_run: true,
                    staged_hours: 24,
                },
            })
        );
        assert_eq!(
            parse(&["retention", "now"], &[]),
            Err(UsageError::UnknownOption("now".into()))
        );
    }

    #[test]
    fn backup_takes_a_destination_and_the_database() {
        assert_eq!(
            parse(&["backup", "/backups/b.sqlite3"], &[]),
            Ok(Command::Backup {
                db: DEFAULT_DB.into(),
                dest: "/backups/b.sqlite3".into()
            })
        );
        assert_eq!(
            parse(
                &["backup", "b.sqlite3"],
                &[("BLANKETT_DB", "/srv/db.sqlite3")]
            ),
            Ok(Command::Backup {
                db: "/srv/db.sqlite3".into(),
                dest: "b.sqlite3".into()
            })
        );
        assert_eq!(
            parse(
                &["backup", "--db=/a.sqlite3", "b.sqlite3"],
                &[("BLANKETT_DB", "/srv/db.sqlite3")]
            ),
            Ok(Command::Backup {
                db: "/a.sqlite3".into(),
                dest: "b.sqlite3".into()
            })
        );
        assert_eq!(parse(&["backup"], &[]), Err(UsageError::NoDestination));
        assert_eq!(
            parse(&["backup", "a", "b"], &[]),
            Err(UsageError::UnknownOption("b".into()))
        );
    }

    #[test]
    fn connect_origins_from_env_and_args() {
        let Ok(Command::Serve(c)) = parse(
            &["serve"],
            &[(
                "BLANKETT_CONNECT_ORIGINS",
                "https://a.se, https://b.se:8443",
            )],
        ) else {
            panic!("serve")
        };
        assert_eq!(c.connect_origins, ["https://a.se", "https://b.se:8443"]);
        let Ok(Command::Serve(c)) = parse(
            &["serve", "--connect-origin", "https://c.se"],
            &[("BLANKETT_CONNECT_ORIGINS", "https://a.se")],
        ) else {
            panic!("serve")
        };
        assert_eq!(
            c.connect_origins,
            ["https://c.se"],
            "arguments replace the environment"
        );
        assert!(parse(&["serve", "--connect-origin", "https://c.se/path"], &[]).is_err());
        assert_eq!(
            parse(
                &["check", "a.json", "--connect-origin", "https://c.se"],
                &[]
            ),
            Ok(Command::Check {
                files: vec!["a.json".into()],
                lang: Lang::En,
                connect_origins: Some(vec!["https://c.se".into()]),
            })
        );
    }

    #[test]
    fn check_and_help() {
        assert_eq!(
            parse(&["check", "a.json", "--lang", "sv", "b.json"], &[]),
            Ok(Command::Check {
                files: vec!["a.json".into(), "b.json".into()],
                lang: Lang::Sv,
                connect_origins: None,
            })
        );
        assert_eq!(parse(&["--help"], &[]), Ok(Command::Help));
        assert_eq!(parse(&["serve", "-h"], &[]), Ok(Command::Help));
    }
}

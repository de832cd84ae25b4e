//! Installing missing tools, each only when the pinned version is not already there.

use std::path::Path;
use std::process::Command;

use crate::{root, run, tool_path};

const TRUNK_VERSION: &str = "0.21.14";

/// The wasm target, trunk, wasm-bindgen-cli (the version in Cargo.lock) and binaryen.
pub fn build_tools() -> Result<(), String> {
    let targets =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if !version_of("trunk").contains(TRUNK_VERSION) {
        run(Command::new("cargo").args([
            "install",
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--locked",
        ]))?;
    }
    let bindgen = wasm_bindgen_version()?;
    if !version_of("wasm-bindgen").contains(&bindgen) {
        // `--locked` fails here: a locked dependency is missing from the registry.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &bindgen]))?;
    }
    npm_install(&root().join("tools"), "node_modules/.bin/wasm-opt")
}

/// Chromium, chromedriver, xmllint (libxml2-utils, for the XML schema tests) and
/// PostgreSQL's server (for the store's tests on its second backend: each test makes a
/// throw-away cluster with `initdb`; no service is started) from apt;
/// Playwright and axe-core from npm, and the comparison benchmark's packages (`bench/`).
pub fn test_tools() -> Result<(), String> {
    let missing: Vec<&str> = [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromium-driver"),
        ("/usr/bin/xmllint", "libxml2-utils"),
    ]
    .into_iter()
    .filter(|(path, _)| !Path::new(path).exists())
    .map(|(_, package)| package)
    .chain((!has_postgres_server()).then_some("postgresql"))
    .collect();
    if !missing.is_empty() {
        run(Command::new("apt-get").arg("update"))?;
        // Non-interactive: a package's configuration (tzdata, which PostgreSQL pulls in)
        // must never wait for an answer on a CI machine.
        run(Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y"])
            .args(&missing))?;
    }
    npm_install(
        &root().join("tests"),
        "node_modules/playwright-core/package.json",
    )?;
    npm_install(
        &root().join("bench"),
        "node_modules/playwright-core/package.json",
    )
}

/// Whether Debian's PostgreSQL server programs are there (`/usr/lib/postgresql/*/bin/initdb`).
fn has_postgres_server() -> bool {
    std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .flatten()
            .any(|v| v.path().join("bin/initdb").is_file())
    })
}

fn npm_install(dir: &Path, marker: &str) -> Result<(), String> {
    // npm writes node_modules/.package-lock.json on every install: newer than the lock = current.
    let lock = modified(&dir.join("package-lock.json"));
    let installed = modified(&dir.join("node_modules/.package-lock.json"));
    if dir.join(marker).exists() && installed.is_some() && lock <= installed {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir))
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.env("PATH", tool_path()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn version_of(tool: &str) -> String {
    output(Command::new(tool).arg("--version")).unwrap_or_default()
}

/// The wasm-bindgen version Cargo.lock pins (the CLI must match it exactly).
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

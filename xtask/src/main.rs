//! `cargo xtask …`: every task a person or CI runs, installing what is missing first.
//!
//! If `cargo xtask test` passes locally, CI passes: `.ci/run` calls exactly that.

mod bench;
mod e2e;
mod fuzz;
mod install;
mod precompress;
mod tidy;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  install    install missing build tools (wasm target, trunk, wasm-bindgen-cli, binaryen)
  build      build the app in release mode into dist/
  serve      build, then start the reference receiver with SQLite and print its URL
             (options after `--` go to blankett-server serve, e.g. -- --addr 0.0.0.0:8080)
  test       install what tests need, then fmt, clippy, unit and browser tests
  e2e        build the app and run the browser suite alone, optionally under CPU pressure:
             --repeat N (runs in a row), --busy N (busy-loop threads beside it),
             --cpu-throttle R (Chromium runs every page R times slower), --only PATTERN
  bench      build and print bundle sizes (raw, gzip, brotli) and engine timings
  fuzz       fuzz the definition loader, submission check, markdown and signatures:
             --minutes N (split over the targets), --target NAME, --seed N, --replay FILE
  schema     regenerate schema/form-definition.schema.json from the Rust types
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("install") => install::build_tools(),
        Some("build") => install::build_tools().and_then(|()| build_app()),
        Some("serve") => serve(&args[1..]),
        Some("test") => test(),
        Some("e2e") => e2e::run(&args[1..]),
        Some("bench") => bench::run(),
        Some("fuzz") => fuzz::run_fuzz(&args[1..]),
        Some("schema") => write_schema(),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing task\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// PATH with the npm-installed tools (wasm-opt) and cargo's bin dir in front.
pub fn tool_path() -> String {
    let mut parts = vec![root().join("tools/node_modules/.bin").display().to_string()];
    if let Some(home) = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        parts.push(home.join("bin").display().to_string());
    }
    parts.push(env::var("PATH").unwrap_or_default());
    parts.join(":")
}

/// Runs a command (in the workspace root unless it names its own directory), failing with its description if it fails.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: $ {shown}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let status = cmd
        .env("PATH", tool_path())
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed with {status}"))
    }
}

/// Cargo, as the one that runs xtask.
pub fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Builds the release app into `dist/`, with its service worker and the developer pages.
pub fn build_app() -> Result<(), String> {
    run(Command::new("trunk").args(["build", "--release", "--offline"]))?;
    after_trunk(&root().join("dist"))?;
    build_dev_pages()?;
    precompress_dist()
}

/// What trunk does not make: the embed script and the service worker (which lists the
/// embed script among the files it keeps).
pub fn after_trunk(dist: &Path) -> Result<(), String> {
    write_embed_script(dist)?;
    write_service_worker(dist)
}

/// Compressed copies (`.br`, `.gz`) of every built file, for the receiver to serve
/// (`precompress.rs`); run last, after the developer pages are in `dist/` too.
pub fn precompress_dist() -> Result<(), String> {
    let count = precompress::write_precompressed(&root().join("dist"))?;
    eprintln!("xtask: wrote brotli and gzip copies of {count} file(s) in dist/");
    Ok(())
}

/// Writes `dist/embed.js`, the one script a host page loads to embed forms: wasm-bindgen's
/// glue (trunk's `blankett-*.js`) followed by the template `public/embed.js` with the built
/// module's name and SHA-384 (checked when it is fetched), and the stylesheet (adopted by each
/// form's shadow root), as `embed.js` (always the latest) and `embed-<hash>.js` (this build's,
/// to pin). Prints the snippet with the script's own `integrity` value for host pages, and
/// writes the versioned name and that value to `dist/embed.js.integrity`.
pub fn write_embed_script(dist: &Path) -> Result<(), String> {
    use sha2::Digest as _;
    let template_path = root().join("public/embed.js");
    let template = std::fs::read_to_string(&template_path)
        .map_err(|e| format!("{}: {e}", template_path.display()))?;
    let mut names: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let find = |what: &str, test: &dyn Fn(&str) -> bool| {
        names
            .iter()
            .find(|n| test(n))
            .cloned()
            .ok_or_else(|| format!("{} has no {what}: build the app first", dist.display()))
    };
    let glue = find("wasm-bindgen glue (blankett-*.js)", &|n| {
        n.starts_with("blankett-") && n.ends_with(".js")
    })?;
    let wasm = find("module (*_bg.wasm)", &|n| n.ends_with("_bg.wasm"))?;
    let css = find("stylesheet (main-*.css)", &|n| {
        n.starts_with("main-") && n.ends_with(".css")
    })?;
    let read = |name: &str| std::fs::read(dist.join(name)).map_err(|e| format!("{name}: {e}"));
    let sri = |bytes: &[u8]| {
        format!(
            "sha384-{}",
            blankett_core::signing::base64::encode(&sha2::Sha384::digest(bytes))
        )
    };
    let css_text = String::from_utf8(read(&css)?).map_err(|e| format!("{css}: {e}"))?;
    let mut element = template;
    for (placeholder, value) in [
        ("\"__WASM_FILE__\"", js_string(&wasm)),
        ("\"__WASM_INTEGRITY__\"", js_string(&sri(&read(&wasm)?))),
        ("\"__CSS_FILE__\"", js_string(&css)),
        ("\"__CSS__\"", js_string(&css_text)),
    ] {
        element = stamp(&element, placeholder, &value)?;
    }
    let glue_text = String::from_utf8(read(&glue)?).map_err(|e| format!("{glue}: {e}"))?;
    let script = format!("{glue_text}\n{element}");
    // `embed.js` always the latest; `embed-<hash>.js` this build's forever, for a host page
    // that pins it with `integrity` (a new deployment must not break that page).
    let digest = sha2::Sha384::digest(script.as_bytes());
    let versioned = format!(
        "embed-{}.js",
        digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    for name in ["embed.js", versioned.as_str()] {
        let out = dist.join(name);
        std::fs::write(&out, &script).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let integrity = sri(script.as_bytes());
    let integrity_file = dist.join("embed.js.integrity");
    std::fs::write(&integrity_file, format!("{versioned} {integrity}\n"))
        .map_err(|e| format!("{}: {e}", integrity_file.display()))?;
    eprintln!(
        "xtask: wrote dist/embed.js and dist/{versioned} ({} bytes); a host page pins it with\n  \
         <script type=\"module\" src=\"…/{versioned}\" integrity=\"{integrity}\" crossorigin=\"anonymous\"></script>",
        script.len()
    );
    Ok(())
}

/// Writes `dist/sw.js` from the template `public/sw.js`: the build id (a hash of every built
/// file, so each deployment that changes anything is a new worker the browser installs) and
/// the app's files to keep (the page as `./`, and trunk's hashed js, wasm and css).
/// Definitions are not in the list: the worker keeps those it finds in `forms/index.json`.
pub fn write_service_worker(dist: &Path) -> Result<(), String> {
    let template_path = root().join("public/sw.js");
    let template = std::fs::read_to_string(&template_path)
        .map_err(|e| format!("{}: {e}", template_path.display()))?;
    let mut files = Vec::new();
    list_files(dist, dist, &mut files)?;
    // The worker itself is not part of its own id; the developer pages are not the app.
    files.retain(|f| f != "sw.js" && !f.starts_with("dev/"));
    files.sort();
    let mut hash = Fnv64::default();
    for name in &files {
        let data = std::fs::read(dist.join(name)).map_err(|e| format!("{name}: {e}"))?;
        hash.write(name.as_bytes());
        hash.write(&[0]);
        hash.write(&(data.len() as u64).to_le_bytes());
        hash.write(&data);
    }
    let build_id = format!("{:016x}", hash.0);
    // The page first, then trunk's files; nothing from the folders (forms, dev pages), and not
    // the embed script: host pages load it from the network (the worker never controls them),
    // and keeping its two copies cost every first visit 32 KB brotli more (issue 17).
    if !files.iter().any(|f| f == "index.html") {
        return Err(format!("{} has no index.html", dist.display()));
    }
    let app_files: Vec<&str> = std::iter::once("./")
        .chain(
            files
                .iter()
                .map(String::as_str)
                .filter(|f| !f.contains('/') && *f != "index.html" && !f.starts_with("embed")),
        )
        .collect();
    let quoted: Vec<String> = app_files.iter().map(|f| js_string(f)).collect();
    let worker = stamp(
        &stamp(&template, "\"__BUILD_ID__\"", &js_string(&build_id))?,
        "[\"__APP_FILES__\"]",
        &format!("[{}]", quoted.join(", ")),
    )?;
    let out = dist.join("sw.js");
    std::fs::write(&out, worker).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "xtask: wrote {} (build {build_id}, {} app files)",
        out.display(),
        app_files.len()
    );
    Ok(())
}

/// `template` with its one `placeholder` replaced by `value`.
fn stamp(template: &str, placeholder: &str, value: &str) -> Result<String, String> {
    if template.matches(placeholder).count() != 1 {
        return Err(format!("the template must hold {placeholder} exactly once"));
    }
    Ok(template.replacen(placeholder, value, 1))
}

/// A JavaScript string literal (a file name, the build id, a stylesheet).
fn js_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every file under `dir`, as paths relative to `base` with `/` between folders.
fn list_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            list_files(base, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(base) {
            let parts: Vec<_> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// FNV-1a, 64 bits: a stable content hash for the build id (not a security boundary: the
/// browser compares the worker's bytes, this only has to change when the files do).
struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// The developer page `dist/dev/oep.html`: the Open ePlatform importer as its own small wasm,
/// so the citizen's app does not carry it.
fn build_dev_pages() -> Result<(), String> {
    run(cargo().args([
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "blankett-oep-web",
    ]))?;
    let out = root().join("dist/dev");
    let pkg = out.join("pkg");
    std::fs::create_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&pkg)
        .arg(root().join("target/wasm32-unknown-unknown/release/blankett_oep_web.wasm")))?;
    let wasm = pkg.join("blankett_oep_web_bg.wasm");
    run(Command::new("wasm-opt")
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "-o",
        ])
        .arg(&wasm)
        .arg(&wasm))?;
    for name in ["oep.html", "oep.js", "oep.css"] {
        std::fs::copy(root().join("dev").join(name), out.join(name))
            .map_err(|e| format!("dev/{name}: {e}"))?;
    }
    Ok(())
}

fn serve(extra: &[String]) -> Result<(), String> {
    install::build_tools()?;
    build_app()?;
    let extra = extra.iter().skip_while(|a| *a == "--");
    run(cargo()
        .args([
            "run",
            "--release",
            "-p",
            "blankett-server",
            "--",
            "serve",
            "--dist",
            "dist",
            "--forms",
            "public/forms",
        ])
        .args(extra))
}

fn test() -> Result<(), String> {
    install::build_tools()?;
    install::test_tools()?;
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args([
        "clippy",
        "-p",
        "blankett",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args(["test", "--workspace"]))?;
    build_app()?;
    browser_tests(&e2e::Pressure::default())?;
    bench::smoke()
}

/// Starts the receiver on a free port with a fresh database and runs the Playwright suite
/// (the test files whose names contain `pressure.only`, when given), CPU-throttled in
/// Chromium as `pressure` says.
pub fn browser_tests(pressure: &e2e::Pressure) -> Result<(), String> {
    // The receiver validates against, and serves, the examples plus the test-only forms.
    with_receiver(
        "e2e",
        &["public/forms", "tests/e2e/forms"],
        import_oep_fixtures,
        |url, token| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/e2e"))
                .map_err(|e| format!("cannot list tests/e2e: {e}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
                .filter(|p| {
                    pressure
                        .only
                        .as_ref()
                        .is_none_or(|only| p.to_string_lossy().contains(only.as_str()))
                })
                .collect();
            files.sort();
            run(Command::new("node")
                .args(["--test", "--test-concurrency=1"])
                .args(&files)
                .env("BLANKETT_CPU_THROTTLE", pressure.cpu_throttle.to_string())
                .env("BLANKETT_URL", url)
                .env("BLANKETT_ADMIN_TOKEN", token)
                .env("NODE_PATH", root().join("tests/node_modules")))
        },
    )
}

/// Converts the hand-written Open ePlatform exports in `tests/oep/` into `forms` with the
/// receiver's `import-oep`, which fails when a converted definition does not pass the checker.
fn import_oep_fixtures(forms: &Path) -> Result<(), String> {
    let server_bin = root().join("target/debug/blankett-server");
    let mut flows: Vec<PathBuf> = std::fs::read_dir(root().join("tests/oep"))
        .map_err(|e| format!("cannot list tests/oep: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "oeflow"))
        .collect();
    flows.sort();
    for flow in flows {
        // The app opens `?form=<id>` from `forms/<id>.json`: the file is named by the id.
        let id = format!(
            "oep-{}",
            flow.file_stem().unwrap_or_default().to_string_lossy()
        );
        let out = Command::new(&server_bin)
            .arg("import-oep")
            .arg(&flow)
            .args(["--id", &id, "--organisation", "Testby kommun"])
            .output()
            .map_err(|e| format!("cannot start {}: {e}", server_bin.display()))?;
        if !out.status.success() {
            return Err(format!(
                "import-oep {} failed:\n{}",
                flow.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let target = forms.join(format!("{id}.json"));
        std::fs::write(&target, &out.stdout).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(())
}

/// Starts the receiver (debug build) on a free port with a fresh database in
/// `target/<name>/`, its forms folder filled from `form_dirs` and then by `setup`, runs
/// `body` with its URL and admin token, and stops it again.
pub fn with_receiver(
    name: &str,
    form_dirs: &[&str],
    setup: impl FnOnce(&Path) -> Result<(), String>,
    body: impl FnOnce(&str, &str) -> Result<(), String>,
) -> Result<(), String> {
    run(cargo().args(["build", "-p", "blankett-server"]))?;
    let work = root().join("target").join(name);
    let _ = std::fs::remove_dir_all(&work);
    let forms = work.join("forms");
    std::fs::create_dir_all(&forms)
        .map_err(|e| format!("cannot create {}: {e}", forms.display()))?;
    for dir in form_dirs {
        copy_dir(&root().join(dir), &forms)?;
    }
    setup(&forms)?;
    let token = format!("{name}-{}", std::process::id());
    let server_bin = root().join("target/debug/blankett-server");
    let mut server = Command::new(&server_bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--dist", "dist"])
        .arg("--forms")
        .arg(&forms)
        .arg("--db")
        .arg(work.join("db.sqlite3"))
        .env("BLANKETT_ADMIN_TOKEN", &token)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", server_bin.display()))?;
    let result = read_server_url(&mut server).and_then(|url| body(&url, &token));
    let _ = server.kill();
    let _ = server.wait();
    result
}

/// Copies the files of `from` into `to`, folders too (code lists live in `forms/lists/`).
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from)
        .map_err(|e| format!("{}: {e}", from.display()))?
        .flatten()
    {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
        }
    }
    Ok(())
}

/// Reads the receiver's "Blankett is running at URL" line.
fn read_server_url(server: &mut std::process::Child) -> Result<String, String> {
    use std::io::BufRead;
    let stdout = server.stdout.take().ok_or("the receiver has no stdout")?;
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.map_err(|e| format!("reading the receiver's output: {e}"))?;
        eprintln!("server: {line}");
        if let Some(url) = line.strip_prefix("Blankett is running at ") {
            let url = url.trim().to_owned();
            // Keep draining its output so the receiver never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok(url);
        }
    }
    Err("the receiver exited before it was ready".into())
}

fn write_schema() -> Result<(), String> {
    let path = root().join("schema/form-definition.schema.json");
    std::fs::create_dir_all(root().join("schema")).map_err(|e| e.to_string())?;
    std::fs::write(&path, blankett_core::definition_schema())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_schema_is_current() {
        let path = super::root().join("schema/form-definition.schema.json");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == blankett_core::definition_schema(),
            "{} is out of date: run `cargo xtask schema` and commit it",
            path.display()
        );
    }

    #[test]
    #[allow(clippy::unwrap_used)] // tests fail loudly on purpose
    fn service_worker_gets_the_build_id_and_the_app_files() {
        let dist = std::env::temp_dir().join(format!("blankett-sw-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dist);
        for (name, body) in [
            ("index.html", "<html></html>"),
            ("blankett-1234_bg.wasm", "wasm"),
            ("blankett-1234.js", "js"),
            ("main-5678.css", "css"),
            ("embed.js", "embed"),
            ("embed-9abc.js", "embed"),
            ("embed.js.integrity", "sha384-…"),
            ("forms/index.json", "{}"),
            ("dev/oep.html", "dev"),
        ] {
            let path = dist.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, body).unwrap();
        }
        let read = || std::fs::read_to_string(dist.join("sw.js")).unwrap();
        super::write_service_worker(&dist).unwrap();
        let first = read();
        assert!(first.contains(
            r#"const APP_FILES = ["./", "blankett-1234.js", "blankett-1234_bg.wasm", "main-5678.css"];"#
        ));
        let id = |sw: &str| {
            let start = sw.find("const BUILD_ID = \"").unwrap() + 18;
            sw[start..start + 16].to_owned()
        };
        assert!(id(&first).chars().all(|c| c.is_ascii_hexdigit()));
        // The same files give the same id (the worker's own file does not count) ...
        super::write_service_worker(&dist).unwrap();
        assert_eq!(id(&read()), id(&first));
        // ... a changed developer page is the same app; a changed bundled form is a new
        // build (the worker keeps the bundled forms when it installs).
        std::fs::write(dist.join("dev/oep.html"), "changed").unwrap();
        super::write_service_worker(&dist).unwrap();
        assert_eq!(id(&read()), id(&first));
        std::fs::write(dist.join("forms/index.json"), "{\"forms\": []}").unwrap();
        super::write_service_worker(&dist).unwrap();
        assert_ne!(id(&read()), id(&first));
        let _ = std::fs::remove_dir_all(&dist);
    }
}

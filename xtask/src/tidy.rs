//! Tidy checks on the workspace itself, run by `cargo test -p xtask`.

#[cfg(test)]
mod tests {
    use std::process::Command;

    use crate::root;

    fn normal_deps(package: &str, target: Option<&str>) -> String {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args([
            "tree",
            "--offline",
            "-q",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            package,
        ])
        .current_dir(root());
        if let Some(t) = target {
            cmd.args(["--target", t]);
        }
        let out = cmd.output().expect("cargo tree runs");
        assert!(
            out.status.success(),
            "cargo tree failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The engine stays pure: no UI framework, browser bindings, async runtime, storage or clock crates.
    #[test]
    fn core_has_no_io_dependencies() {
        let tree = normal_deps("blankett-core", None);
        let forbidden = [
            "leptos",
            "web-sys",
            "js-sys",
            "wasm-bindgen",
            "tokio",
            "rusqlite",
            "axum",
            "reqwest",
            "chrono",
            "getrandom",
        ];
        for name in forbidden {
            assert!(
                !tree
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(name)),
                "blankett-core must not depend on {name}:\n{tree}"
            );
        }
    }

    /// The browser build must not link crates that add hundreds of KB (see ../shared/pitfalls.md).
    #[test]
    fn browser_build_avoids_heavy_crates() {
        let tree = normal_deps("blankett-core", Some("wasm32-unknown-unknown"));
        for name in ["regex", "idna", "chrono-tz", "personnummer", "validator"] {
            assert!(
                !tree
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(name)),
                "the browser build reaches {name} through blankett-core:\n{tree}"
            );
        }
    }
}

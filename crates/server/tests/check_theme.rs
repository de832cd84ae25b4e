//! `blankett-server check` prints the theme's contrast warnings and still passes the file.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_blankett-server");

#[test]
fn check_prints_contrast_warnings_and_passes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let organisation = r#""organisation": { "name": "Exempelby kommun", "contact": { "email": "info@exempelby.se" } }"#;
    assert!(common::FORM.contains(organisation));
    let themed = common::FORM.replace(
        organisation,
        r##""organisation": {
            "name": "Exempelby kommun",
            "contact": { "email": "info@exempelby.se" },
            "logo": { "src": "/bilder/logo.svg", "alt": "Exempelby kommun" },
            "theme": { "primary": "#ffbf47", "text": "#777", "radius": "6px" }
        }"##,
    );
    std::fs::write(dir.path().join("theme.json"), themed).unwrap();

    let run = |lang: &str| {
        let out = Command::new(BIN)
            .args(["check", "--lang", lang, "theme.json"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        // The plain-language summary line is tested in cli.rs.
        let text: String = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.contains(": plain language: ") && !l.contains(": klarspråk: "))
            .map(|l| format!("{l}\n"))
            .collect();
        (out.status.code().unwrap(), text)
    };
    assert_eq!(
        run("en"),
        (
            0,
            "theme.json: organisation.theme.text: (warning) body text: \"text\" #777777 on \"background\" #ffffff (default) has a contrast of 4.4:1; WCAG 2.1 AA needs at least 4.5:1 [low_contrast]\n\
             theme.json: organisation.theme.primary: (warning) links: \"primary\" #ffbf47 on \"background\" #ffffff (default) has a contrast of 1.6:1; WCAG 2.1 AA needs at least 4.5:1 [low_contrast]\n\
             theme.json: organisation.theme.primary: (warning) text on buttons: \"primary_text\" #ffffff (default) on \"primary\" #ffbf47 has a contrast of 1.6:1; WCAG 2.1 AA needs at least 4.5:1 [low_contrast]\n\
             theme.json: ok\n"
                .to_owned()
        )
    );
    let (code, out) = run("sv");
    assert_eq!(code, 0);
    assert!(
        out.starts_with("theme.json: organisation.theme.text: (varning) brödtext: \"text\" #777777 på \"background\" #ffffff (standard) har kontrasten 4,4:1; WCAG 2.1 AA kräver minst 4,5:1 [low_contrast]\n"),
        "{out}"
    );
    assert!(out.ends_with("theme.json: ok\n"), "{out}");
}

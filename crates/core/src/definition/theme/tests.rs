//! The theme's values, tokens and contrast, and how the loader reads `organisation.logo`
//! and `organisation.theme`.

use serde_json::{Value, json};

use super::*;
use crate::definition::{Loaded, Severity, load};

fn colour(s: &str) -> Colour {
    Colour::parse(s).unwrap_or_else(|| panic!("{s} is a colour"))
}

fn rounded(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[test]
fn colours_are_read_from_three_or_six_hex_digits_only() {
    assert_eq!(Colour::parse("#005A9c"), Some(Colour([0x00, 0x5a, 0x9c])));
    assert_eq!(Colour::parse("#fA0"), Some(Colour([0xff, 0xaa, 0x00])));
    assert_eq!(colour("#FFF").to_string(), "#ffffff");
    assert_eq!(colour("#005A9C").to_string(), "#005a9c");
    for bad in [
        "",
        "#",
        "fff",
        "#ff",
        "#ffff",
        "#fffff",
        "#fffffff",
        "#ffffffff",
        "#ggg",
        "# fff",
        "red",
        "rgb(0,0,0)",
        "#ff ff ff",
        "＃fff",
        "#fé0",
    ] {
        assert_eq!(Colour::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn contrast_ratios_match_known_pairs() {
    let cases = [
        ("#000", "#fff", 21.0),
        ("#fff", "#fff", 1.0),
        ("#777", "#fff", 4.48),
        ("#767676", "#ffffff", 4.54),
        ("#ff0000", "#ffffff", 4.0),
        ("#005a9c", "#ffffff", 7.14),
        ("#ffbf47", "#ffffff", 1.64),
    ];
    for (a, b, expected) in cases {
        assert_eq!(
            rounded(colour(a).contrast(colour(b))),
            expected,
            "{a} on {b}"
        );
        assert_eq!(colour(a).contrast(colour(b)), colour(b).contrast(colour(a)));
    }
    assert_eq!(colour("#000").relative_luminance(), 0.0);
    assert_eq!(colour("#fff").relative_luminance(), 1.0);
}

#[test]
fn radius_takes_zero_px_or_rem_within_limits() {
    let cases = [
        ("0", Some("0")),
        ("0px", Some("0")),
        ("0.0rem", Some("0")),
        ("4px", Some("4px")),
        ("4.0px", Some("4px")),
        ("0.25rem", Some("0.25rem")),
        ("32px", Some("32px")),
        ("2rem", Some("2rem")),
        ("32.5px", None),
        ("2.01rem", None),
        ("4", None),
        ("4 px", None),
        ("-4px", None),
        (".5rem", None),
        ("4.px", None),
        ("4PX", None),
        ("4em", None),
        ("1e1px", None),
        ("50%", None),
        ("calc(4px)", None),
        ("", None),
    ];
    for (input, expected) in cases {
        assert_eq!(
            Radius::parse(input).as_ref().map(Radius::as_str),
            expected,
            "{input:?}"
        );
    }
}

#[test]
fn tokens_name_only_what_the_theme_gives_normalised() {
    assert_eq!(Theme::default().tokens(), []);
    let theme = Theme {
        primary: Some(colour("#0A5")),
        primary_text: Some(colour("#FFFFFF")),
        text: Some(colour("#222")),
        background: Some(colour("#fff")),
        focus: Some(colour("#FFBF47")),
        error: Some(colour("#b3261e")),
        radius: Radius::parse("0.5rem"),
        font: Some("\"Source Sans Pro\", Arial, sans-serif".into()),
    };
    let tokens = theme.tokens();
    let expected = [
        ("--bk-org-primary", "#00aa55"),
        ("--bk-org-primary-text", "#ffffff"),
        ("--bk-org-text", "#222222"),
        ("--bk-org-bg", "#ffffff"),
        ("--bk-org-focus", "#ffbf47"),
        ("--bk-org-error", "#b3261e"),
        ("--bk-org-radius", "0.5rem"),
        ("--bk-org-font", "\"Source Sans Pro\", Arial, sans-serif"),
    ];
    let tokens: Vec<(&str, &str)> = tokens.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(tokens, expected);
    let only_primary = Theme {
        primary: Some(colour("#00457a")),
        ..Theme::default()
    };
    assert_eq!(
        only_primary.tokens(),
        [("--bk-org-primary", "#00457a".to_owned())]
    );
}

#[test]
fn the_defaults_pass_and_match_the_stylesheet() {
    // Every default pair passes, except the yellow focus ring on white, which relies on the
    // dark edge (`--bk-focus-text`) drawn around it.
    let defaults = Theme {
        primary: Some(ThemeColour::Primary.default_colour()),
        primary_text: Some(ThemeColour::PrimaryText.default_colour()),
        text: Some(ThemeColour::Text.default_colour()),
        background: Some(ThemeColour::Background.default_colour()),
        error: Some(ThemeColour::Error.default_colour()),
        ..Theme::default()
    };
    assert_eq!(defaults.contrast_failures(), []);
    let pairs: Vec<ContrastPair> = Theme {
        focus: Some(ThemeColour::Focus.default_colour()),
        ..Theme::default()
    }
    .contrast_failures()
    .iter()
    .map(|f| f.pair)
    .collect();
    assert_eq!(pairs, [ContrastPair::FocusRing]);

    // The defaults are the stylesheet's: `--bk-primary: var(--bk-org-primary, #005a9c);`.
    let css = include_str!("../../../../../style/main.css");
    let declaration = |property: &str| {
        css.lines()
            .find(|l| l.trim_start().starts_with(&format!("{property}:")))
            .unwrap_or_else(|| panic!("style/main.css declares no {property}"))
    };
    for c in ThemeColour::ALL {
        let line = declaration(&c.token().replace("--bk-org-", "--bk-"));
        assert!(
            line.contains(&c.default_colour().to_string()),
            "{line} is not {}",
            c.default_colour()
        );
    }
    assert!(declaration("--bk-focus-text").contains(&FOCUS_TEXT.to_string()));
}

#[test]
fn a_pair_is_measured_when_the_theme_gives_one_of_its_colours() {
    let failures = |theme: Theme| -> Vec<(ContrastPair, String)> {
        theme
            .contrast_failures()
            .iter()
            .map(|f| (f.pair, f.key().to_owned()))
            .collect()
    };
    // A pale background fails with the default yellow focus ring, but that ring is not
    // measured unless the theme sets `focus`.
    assert_eq!(
        failures(Theme {
            background: Some(colour("#aaaaaa")),
            ..Theme::default()
        }),
        [
            (ContrastPair::Links, "background".to_owned()),
            (ContrastPair::Errors, "background".to_owned()),
        ]
    );
    // A light primary fails as link text and under white button text.
    assert_eq!(
        failures(Theme {
            primary: Some(colour("#ffbf47")),
            ..Theme::default()
        }),
        [
            (ContrastPair::Links, "primary".to_owned()),
            (ContrastPair::Buttons, "primary".to_owned()),
        ]
    );
    // A dark focus colour passes as a ring but hides a focused link's dark text.
    assert_eq!(
        failures(Theme {
            focus: Some(colour("#00457a")),
            ..Theme::default()
        }),
        [(ContrastPair::FocusedLink, "focus".to_owned())]
    );
    assert_eq!(
        failures(Theme {
            text: Some(colour("#777")),
            focus: Some(colour("#e0e0e0")),
            ..Theme::default()
        }),
        [
            (ContrastPair::Text, "text".to_owned()),
            (ContrastPair::FocusRing, "focus".to_owned()),
        ]
    );
}

#[test]
fn messages_name_the_pair_both_colours_the_ratio_and_the_minimum() {
    let theme = Theme {
        text: Some(colour("#777")),
        ..Theme::default()
    };
    let [failure] = theme
        .contrast_failures()
        .try_into()
        .unwrap_or_else(|f| panic!("{f:?}"));
    assert_eq!(rounded(failure.ratio), 4.48);
    // Rounded down: 4.48 is shown as 4.4, never as the 4.5 it misses.
    assert_eq!(
        failure.message(Lang::En),
        "body text: \"text\" #777777 on \"background\" #ffffff (default) has a contrast of 4.4:1; WCAG 2.1 AA needs at least 4.5:1"
    );
    assert_eq!(
        failure.message(Lang::Sv),
        "brödtext: \"text\" #777777 på \"background\" #ffffff (standard) har kontrasten 4,4:1; WCAG 2.1 AA kräver minst 4,5:1"
    );
    // 2.998:1 misses 3:1 and reads 2.9:1, not 3.0:1.
    let [almost] = Theme {
        focus: Some(colour("#e07b00")),
        ..Theme::default()
    }
    .contrast_failures()
    .try_into()
    .unwrap_or_else(|f| panic!("{f:?}"));
    assert!(
        almost
            .message(Lang::En)
            .contains("has a contrast of 2.9:1; WCAG 2.1 AA needs at least 3:1")
    );
    let focus = Theme {
        focus: Some(colour("#e0e0e0")),
        background: Some(colour("#fff")),
        ..Theme::default()
    };
    let messages: Vec<String> = focus
        .contrast_failures()
        .iter()
        .map(|f| f.message(Lang::En))
        .collect();
    assert_eq!(
        messages,
        [
            "the focus ring: \"focus\" #e0e0e0 against \"background\" #ffffff has a contrast of 1.3:1; WCAG 2.1 AA needs at least 3:1"
        ]
    );
    let dark_focus = Theme {
        focus: Some(colour("#00457a")),
        ..Theme::default()
    };
    let messages: Vec<String> = dark_focus
        .contrast_failures()
        .iter()
        .map(|f| f.message(Lang::Sv))
        .collect();
    assert_eq!(
        messages,
        [
            "texten i en fokuserad länk: #0b0c0c (fast) på \"focus\" #00457a har kontrasten 1,9:1; WCAG 2.1 AA kräver minst 4,5:1"
        ]
    );
}

// The loader.

/// Loads the test definition with `organisation` extended by `extra`.
fn load_with(extra: Value) -> Loaded {
    let mut v = crate::test_support::definition_json(
        "test",
        "1",
        json!("Test"),
        json!([
            { "id": "one", "title": "Ett", "fields": [
                { "id": "name", "type": "text", "label": "Namn" }
            ]}
        ]),
    );
    if let (Some(org), Value::Object(extra)) = (v["organisation"].as_object_mut(), extra) {
        org.extend(extra);
    }
    load(&v.to_string())
}

fn lines(loaded: &Loaded, lang: Lang) -> Vec<String> {
    loaded.diagnostics.iter().map(|d| d.line(lang)).collect()
}

#[test]
fn a_logo_and_theme_load_normalised_and_serialize_back() {
    let loaded = load_with(json!({
        "logo": { "src": "https://www.exempelby.se/logo.svg", "alt": { "sv": "Exempelby kommun", "en": "Exempelby Municipality" } },
        "theme": {
            "primary": "#00457A", "primary_text": "#fff", "text": "#1b1b1b", "background": "#FFFFFF",
            "focus": "#D06600", "error": "#b3261e", "radius": "0.25rem", "font": "'Open Sans', Arial, sans-serif",
            "x-note": "extensions are allowed"
        }
    }));
    assert_eq!(lines(&loaded, Lang::En), Vec::<String>::new());
    let def = loaded.definition.unwrap_or_else(|| unreachable!("loads"));
    let org = &def.organisation;
    let logo = org.logo.as_ref().unwrap_or_else(|| unreachable!("a logo"));
    assert_eq!(logo.src, "https://www.exempelby.se/logo.svg");
    assert_eq!(logo.alt.get(Lang::En), "Exempelby Municipality");
    let theme = org
        .theme
        .as_ref()
        .unwrap_or_else(|| unreachable!("a theme"));
    assert_eq!(theme.primary, Some(colour("#00457a")));
    assert_eq!(
        serde_json::to_value(org).unwrap_or_default()["theme"],
        json!({
            "primary": "#00457a", "primary_text": "#ffffff", "text": "#1b1b1b", "background": "#ffffff",
            "focus": "#d06600", "error": "#b3261e", "radius": "0.25rem", "font": "'Open Sans', Arial, sans-serif"
        })
    );
    // Both are optional, and so is each key of the theme.
    let plain = load_with(json!({ "theme": {} }));
    assert!(plain.diagnostics.is_empty(), "{:?}", plain.diagnostics);
    let org = plain.definition.map(|d| d.organisation);
    assert_eq!(
        org.as_ref().and_then(|o| o.theme.clone()),
        Some(Theme::default())
    );
    assert_eq!(org.and_then(|o| o.logo), None);
}

#[test]
fn logo_sources_are_https_or_relative_paths() {
    for ok in [
        "https://cdn.exempelby.se/profil/logo.svg",
        "/bilder/logo.svg",
        "bilder/logo.png",
        "./logo.svg",
        "../logo.svg?v=2",
        "logo.svg#a:b",
        "http://localhost:8080/logo.svg",
    ] {
        let loaded = load_with(json!({ "logo": { "src": ok, "alt": "Exempelby kommun" } }));
        assert!(
            loaded.diagnostics.is_empty(),
            "{ok}: {:?}",
            loaded.diagnostics
        );
    }
    for bad in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:image/svg+xml;base64,PHN2Zz4=",
        "http://exempelby.se/logo.svg",
        "ftp://exempelby.se/logo.svg",
        "//evil.example/logo.svg",
        "\\\\evil.example/logo.svg",
        "bilder/min logo.svg",
        "vbscript:x",
    ] {
        let loaded = load_with(json!({ "logo": { "src": bad, "alt": "Exempelby kommun" } }));
        assert_eq!(
            lines(&loaded, Lang::En),
            [format!(
                "organisation.logo.src: \"{bad}\" is not an https:// address or a relative path (javascript:, data: and other schemes are not allowed)"
            )],
            "{bad}"
        );
        assert!(loaded.definition.is_none());
    }
    let loaded = load_with(json!({ "logo": { "src": "data:x", "alt": "Exempelby kommun" } }));
    assert_eq!(
        lines(&loaded, Lang::Sv),
        [
            "organisation.logo.src: \"data:x\" är varken en https://-adress eller en relativ sökväg (javascript:, data: och andra scheman är inte tillåtna)"
        ]
    );
}

#[test]
fn a_logo_needs_its_text_and_nothing_else() {
    let loaded = load_with(json!({ "logo": { "src": "/logo.svg" } }));
    assert_eq!(
        lines(&loaded, Lang::En),
        ["organisation.logo: missing required property \"alt\""]
    );
    let loaded = load_with(json!({ "logo": { "src": "/logo.svg", "alt": " ", "width": 80 } }));
    assert_eq!(
        lines(&loaded, Lang::En),
        [
            "organisation.logo.width: unknown property \"width\"",
            "organisation.logo.alt: text is empty",
        ]
    );
    let loaded = load_with(json!({ "logo": "/logo.svg" }));
    assert_eq!(
        lines(&loaded, Lang::En),
        ["organisation.logo: expected an object, found a string"]
    );
}

#[test]
fn every_invalid_theme_value_is_reported_with_its_path() {
    let loaded = load_with(json!({ "theme": {
        "primary": "blue",
        "primary_text": "#ffff",
        "text": 0x1b1b1b,
        "background": "#fff ",
        "focus": "rgb(255, 191, 71)",
        "error": "#b3261",
        "radius": "4",
        "font": "Arial; color: red",
        "primry": "#005a9c"
    }}));
    assert_eq!(
        lines(&loaded, Lang::En),
        [
            r#"organisation.theme.primry: unknown property "primry" (did you mean "primary"?)"#,
            r##"organisation.theme.primary: "blue" is not a colour: write #rgb or #rrggbb in hexadecimal, e.g. "#005a9c""##,
            r##"organisation.theme.primary_text: "#ffff" is not a colour: write #rgb or #rrggbb in hexadecimal, e.g. "#005a9c""##,
            "organisation.theme.text: expected a string, found a number",
            r##"organisation.theme.background: "#fff " is not a colour: write #rgb or #rrggbb in hexadecimal, e.g. "#005a9c""##,
            r##"organisation.theme.focus: "rgb(255, 191, 71)" is not a colour: write #rgb or #rrggbb in hexadecimal, e.g. "#005a9c""##,
            r##"organisation.theme.error: "#b3261" is not a colour: write #rgb or #rrggbb in hexadecimal, e.g. "#005a9c""##,
            r#"organisation.theme.radius: "4" is not a corner radius: write 0, or a number with px (at most 32px) or rem (at most 2rem), e.g. "4px""#,
            r#"organisation.theme.font: a font-family list may hold only letters A–Z, digits, spaces, commas, hyphens and quotes, not ";""#,
        ]
    );
    assert!(loaded.definition.is_none());

    let loaded = load_with(json!({ "theme": { "radius": "3rem", "font": "a".repeat(201) } }));
    assert_eq!(
        lines(&loaded, Lang::En),
        [
            r#"organisation.theme.radius: "3rem" is not a corner radius: write 0, or a number with px (at most 32px) or rem (at most 2rem), e.g. "4px""#,
            "organisation.theme.font: is longer than 200 characters",
        ]
    );
    assert_eq!(
        lines(&loaded, Lang::Sv),
        [
            r#"organisation.theme.radius: "3rem" är ingen hörnradie: skriv 0, eller ett tal med px (högst 32px) eller rem (högst 2rem), t.ex. "4px""#,
            "organisation.theme.font: är längre än 200 tecken",
        ]
    );
    let loaded = load_with(json!({ "theme": { "font": "url(x)", "primary": "#12" } }));
    assert_eq!(
        lines(&loaded, Lang::Sv),
        [
            r##"organisation.theme.primary: "#12" är ingen färg: skriv #rgb eller #rrggbb hexadecimalt, t.ex. "#005a9c""##,
            r#"organisation.theme.font: en lista med typsnitt får bara innehålla bokstäverna A–Z, siffror, mellanslag, kommatecken, bindestreck och citattecken, inte "(""#,
        ]
    );
    let loaded = load_with(json!({ "theme": "#005a9c" }));
    assert_eq!(
        lines(&loaded, Lang::En),
        ["organisation.theme: expected an object, found a string"]
    );
}

#[test]
fn low_contrast_is_a_warning_and_the_definition_still_loads() {
    let loaded = load_with(json!({ "theme": {
        "primary": "#ffbf47",
        "text": "#777",
        "focus": "#e0e0e0"
    }}));
    assert_eq!(
        lines(&loaded, Lang::En),
        [
            "organisation.theme.text: (warning) body text: \"text\" #777777 on \"background\" #ffffff (default) has a contrast of 4.4:1; WCAG 2.1 AA needs at least 4.5:1",
            "organisation.theme.primary: (warning) links: \"primary\" #ffbf47 on \"background\" #ffffff (default) has a contrast of 1.6:1; WCAG 2.1 AA needs at least 4.5:1",
            "organisation.theme.primary: (warning) text on buttons: \"primary_text\" #ffffff (default) on \"primary\" #ffbf47 has a contrast of 1.6:1; WCAG 2.1 AA needs at least 4.5:1",
            "organisation.theme.focus: (warning) the focus ring: \"focus\" #e0e0e0 against \"background\" #ffffff (default) has a contrast of 1.3:1; WCAG 2.1 AA needs at least 3:1",
        ]
    );
    assert!(
        loaded
            .diagnostics
            .iter()
            .all(|d| d.severity == Severity::Warning)
    );
    assert!(loaded.definition.is_some());

    let loaded = load_with(
        json!({ "theme": { "background": "#1b1b1b", "text": "#ffffff", "error": "#ff8a80", "primary": "#8ab4f8", "primary_text": "#1b1b1b" } }),
    );
    assert_eq!(
        lines(&loaded, Lang::Sv),
        Vec::<String>::new(),
        "a dark theme with light text passes"
    );
}

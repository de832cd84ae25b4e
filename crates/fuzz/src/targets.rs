//! The four targets: what one input is (bytes, as saved in the corpus), how the code under
//! test is driven by it, and which properties must hold beyond "does not panic".

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
use blankett_core::signing::{self, sf};
use blankett_core::{Answers, Context, Date, Definition, Lang, Submission, markdown};
use blankett_server::conformance::{Signer, valid_answers};
use blankett_server::forms::Forms;
use blankett_server::verify::{self, Policy};

/// The receiver's clock for signed inputs: saved inputs keep verifying.
pub const NOW: i64 = 1_800_000_000;
/// The URL signed requests are posted to (`Host` + this path).
pub const HOST: &str = "kommun.example";
/// The path signed requests are posted to.
pub const PATH: &str = "/api/submissions";
/// A fixed submission id for the seeds.
pub const SEED_ID: &str = "00000000-0000-4000-8000-000000000001";

/// A fuzz target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `blankett_core::load` on a definition's text, then the engine on what loaded.
    Definition,
    /// The receiver's reading and check of a submission body against its definition.
    Submission,
    /// The markdown subset's parser.
    Markdown,
    /// The receiver's signature verification of a whole request (header block + body).
    Signature,
}

impl Target {
    /// Every target, in run order.
    pub const ALL: [Target; 4] = [
        Target::Definition,
        Target::Submission,
        Target::Markdown,
        Target::Signature,
    ];

    /// Its name on the command line and its corpus folder.
    pub fn name(self) -> &'static str {
        match self {
            Target::Definition => "definition",
            Target::Submission => "submission",
            Target::Markdown => "markdown",
            Target::Signature => "signature",
        }
    }

    /// The target of a name.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Runs one input: `Ok` with a short name for what happened (the corpus keeps the
    /// smallest input per name), `Err` when a property is broken.
    pub fn run(self, input: &[u8]) -> Result<String, String> {
        match self {
            Target::Definition => run_definition(input),
            Target::Submission => run_submission(input),
            Target::Markdown => Ok(run_markdown(input)),
            Target::Signature => run_signature(input),
        }
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The receiver's "today" at [`NOW`].
pub fn today() -> Date {
    Date::new(2027, 1, 15).unwrap_or_else(|| unreachable!("a valid date"))
}

/// The definitions the seeds come from: `public/forms/*.json` and `tests/e2e/forms/*.json`,
/// as text, with their file names.
pub fn definition_texts() -> &'static [(String, String)] {
    static TEXTS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let mut out = Vec::new();
        for dir in ["public/forms", "tests/e2e/forms"] {
            let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                if p.extension().is_some_and(|e| e == "json")
                    && let Ok(text) = std::fs::read_to_string(&p)
                {
                    out.push((p.display().to_string(), text));
                }
            }
        }
        out
    })
}

/// The forms the receiver would serve from those folders (code lists resolved).
pub fn forms() -> &'static [Forms] {
    static FORMS: OnceLock<Vec<Forms>> = OnceLock::new();
    FORMS.get_or_init(|| {
        ["public/forms", "tests/e2e/forms"]
            .iter()
            .map(|d| Forms::load_dir(&root().join(d)).0)
            .collect()
    })
}

fn form(id: &str) -> Option<&'static Definition> {
    forms().iter().find_map(|f| f.get(id))
}

/// A valid submission of every form the receiver serves: canonical JSON bodies.
pub fn valid_submissions() -> &'static [String] {
    static BODIES: OnceLock<Vec<String>> = OnceLock::new();
    BODIES.get_or_init(|| {
        let mut out = Vec::new();
        for f in forms() {
            for summary in f.summaries() {
                let Some(def) = f.get(&summary.id) else {
                    continue;
                };
                if let Some(s) = build_valid(def) {
                    out.push(s.to_canonical_json());
                }
            }
        }
        out
    })
}

fn build_valid(def: &Definition) -> Option<Submission> {
    let answers = valid_answers(def, &Answers::new(), today()).ok()?;
    Submission::build(
        def,
        &answers,
        Lang::Sv,
        SEED_ID,
        &Context { today: today() },
    )
    .ok()
}

fn run_definition(input: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(input);
    let loaded = blankett_core::load(&text);
    let Some(def) = loaded.definition else {
        let mut codes: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| variant(&format!("{:?}", d.problem)))
            .collect();
        codes.sort();
        codes.dedup();
        codes.truncate(3);
        return Ok(format!("refused:{}", codes.join("+")));
    };
    let cx = Context { today: today() };
    let _ = blankett_core::FormState::evaluate(&def, &Answers::new(), &cx);
    // A definition that loaded writes back as format v1 that loads again.
    let written = serde_json::to_string(&def).map_err(|e| format!("does not serialise: {e}"))?;
    let again = blankett_core::load(&written);
    if again.definition.is_none() {
        let lines: Vec<String> = again.diagnostics.iter().map(|d| d.line(Lang::En)).collect();
        return Err(format!(
            "loaded, but its own serialisation does not: {}",
            lines.join("; ")
        ));
    }
    // What the browser builds from valid answers, the receiver accepts.
    let Ok(answers) = valid_answers(&def, &Answers::new(), today()) else {
        return Ok("loaded:no-valid-answers".into());
    };
    let Ok(built) = Submission::build(&def, &answers, Lang::Sv, SEED_ID, &cx) else {
        return Ok("loaded:build-refused".into());
    };
    let body = built.to_canonical_json();
    let parsed: Submission =
        serde_json::from_str(&body).map_err(|e| format!("own submission unreadable: {e}"))?;
    if let Err(e) = parsed.check(&def, &cx) {
        return Err(format!(
            "the receiver refuses what the browser built: {} ({})",
            e.code(),
            e.message(Lang::En)
        ));
    }
    Ok("loaded:round-trip".into())
}

/// The first word of a Debug rendering: the enum variant.
fn variant(debug: &str) -> String {
    debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn run_submission(body: &[u8]) -> Result<String, String> {
    // As `api::post_submission` reads a body once its signature verified.
    let submission = match Submission::from_json(body) {
        Ok(s) => s,
        Err(blankett_core::submission::ParseError::Json(e)) => {
            return Ok(format!("json:{:?}", e.classify()));
        }
        Err(e) => return Ok(format!("parse:{}", variant(&format!("{e:?}")))),
    };
    if std::str::from_utf8(body).is_err() {
        return Ok("not-utf8".into());
    }
    let Some(def) = form(&submission.form_id) else {
        return Ok("unknown-form".into());
    };
    let cx = Context { today: today() };
    match submission.check(def, &cx) {
        Ok(answers) => {
            // What the receiver accepts, the browser's own rules accept too.
            Submission::build(def, &answers, Lang::Sv, &submission.submission_id, &cx).map_err(
                |issues| format!("the receiver accepted answers the engine refuses: {issues:?}"),
            )?;
            Ok(format!("accepted:{}", submission.form_id))
        }
        Err(e) => {
            let _ = e.message(Lang::Sv);
            Ok(format!("{}:{}", submission.form_id, e.code()))
        }
    }
}

fn run_markdown(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let blocks = markdown::parse(&text);
    let mut kinds = String::new();
    for b in blocks.iter().take(4) {
        let inlines: Vec<&[markdown::Inline]> = match b {
            markdown::Block::Paragraph(i) | markdown::Block::Heading(i) => vec![i],
            markdown::Block::BulletList(items) | markdown::Block::NumberedList(items) => {
                items.iter().map(Vec::as_slice).collect()
            }
        };
        for i in inlines {
            let _ = markdown::plain_text(i);
        }
        kinds.push_str(&variant(&format!("{b:?}"))[..1]);
    }
    format!("blocks:{}:{kinds}", blocks.len().min(5))
}

/// Splits a request as saved: `name: value` lines, an empty line, the body.
pub fn split_request(input: &[u8]) -> (HeaderMap, &[u8]) {
    let (head, body) = match input.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&input[..i], &input[i + 2..]),
        None => (input, &[][..]),
    };
    let mut headers = HeaderMap::new();
    for line in head.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let value = line[colon + 1..].trim_ascii();
        // What hyper would have refused never reaches the receiver.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(name, value);
        }
    }
    (headers, body)
}

/// Writes a request in the saved form.
pub fn join_request(fields: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, v) in fields {
        out.extend_from_slice(format!("{n}: {v}\n").as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// A key to sign the seeds with.
pub fn signer() -> &'static Signer {
    static SIGNER: OnceLock<Signer> = OnceLock::new();
    SIGNER.get_or_init(|| Signer::generate().unwrap_or_else(|e| panic!("no key: {e:?}")))
}

fn run_signature(input: &[u8]) -> Result<String, String> {
    let (headers, body) = split_request(input);
    // The structured fields alone: what parses reads back the same from its own text.
    for name in ["signature-input", "signature", "content-digest"] {
        if let Some(v) = headers.get(name) {
            let text = String::from_utf8_lossy(v.as_bytes());
            if let Ok(entries) = sf::parse_dictionary(&text) {
                let again = entries
                    .iter()
                    .map(|e| match &e.value {
                        // A bare key (`a;p=1`): its raw text is its parameters alone.
                        sf::Member::Item(sf::ParamItem {
                            item: sf::Item::Boolean(true),
                            ..
                        }) if !e.raw.starts_with('?') => format!("{}{}", e.key, e.raw),
                        _ => format!("{}={}", e.key, e.raw),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let reparsed = sf::parse_dictionary(&again)
                    .map_err(|e| format!("{name}: its members' own text does not parse: {e}"))?;
                let values = |es: &[sf::Entry]| {
                    es.iter()
                        .map(|e| (e.key.clone(), e.value.clone()))
                        .collect::<Vec<_>>()
                };
                if values(&reparsed) != values(&entries) {
                    return Err(format!("{name}: its members' own text reads differently"));
                }
            }
            let _ = signing::check_content_digest(Some(&text), body);
        }
    }
    // As `api::post_submission` does, up to the store.
    let fields = verify::header_fields(&headers);
    let uri: Uri = PATH.parse().map_err(|_| "bad path".to_owned())?;
    let target_uri = verify::target_uri(None, &headers, &uri);
    let request = signing::Message {
        method: "POST",
        target_uri: &target_uri,
        fields: &fields,
        ..signing::Message::default()
    };
    let policy = Policy {
        allow_unsigned: false,
        window: 300,
        public_url: None,
    };
    let verified = match verify::verify_request(&request, body, &policy, NOW) {
        Ok(v) => v,
        Err(e) => return Ok(format!("refused:{}", e.problem().code)),
    };
    let Some(verified) = verified else {
        return Err("an unsigned request passed a policy that asks for a signature".into());
    };
    let _ = verified.signed_by(NOW, policy.window);
    let submission = match Submission::from_json(body) {
        Ok(s) => s,
        Err(_) => return Ok("verified:json".into()),
    };
    match verify::idempotency_key(&request, &submission.submission_id) {
        Ok(_) => {}
        Err(e) => return Ok(format!("verified:{}", e.problem().code)),
    }
    Ok(format!("verified:{}", run_submission(body)?))
}

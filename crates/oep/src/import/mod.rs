//! `.oeflow` → Blankett definition.
//!
//! OEP's flow export is read leniently (unknown elements are normal: statistics, admin URLs,
//! nested copies of descriptors), every question is converted or reported, and OEP's
//! procedural rules ("when ANY/ALL of these alternatives are chosen, set these questions to
//! this state, otherwise back to their default") become declarative conditions: a question's
//! state is that of the last matching rule, else its default. The result carries an `x-oep`
//! block that maps each exported question back to its OEP query, so the receiver can deliver
//! submissions as FlowInstance XML.

use std::collections::BTreeMap;

use roxmltree::{Document, Node};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::html::{to_markdown, to_plain};

use rules::{Choice, Cond, Rule, State};

mod queries;
mod rules;

/// What the caller may decide instead of the importer.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The form id (default: from the flow's name).
    pub id: Option<String>,
    /// The organisation's name (default: the flow family's owner, else a placeholder).
    pub organisation: Option<String>,
}

/// A converted flow: the definition (JSON, format v1) and what the author must know.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The Blankett definition.
    pub definition: Value,
    /// Everything that was not converted as it was, in flow order.
    pub report: Vec<Note>,
}

/// One thing the author must know about the conversion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// How serious it is.
    pub kind: NoteKind,
    /// Where in the flow: step and question, as the OEP author named them.
    pub at: String,
    /// What happened, in Swedish.
    pub sv: String,
    /// What happened, in English.
    pub en: String,
}

/// The kinds of notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A question or rule with no Blankett equivalent: it is not in the definition.
    NotConverted,
    /// Converted, but it behaves differently in some way the note explains.
    Changed,
    /// The export lacks something Blankett requires; a placeholder marked `[Fyll i: …]` is there.
    FillIn,
}

impl NoteKind {
    /// A short label for reports.
    pub fn label(self, lang: blankett_core::Lang) -> &'static str {
        match (self, lang) {
            (NoteKind::NotConverted, blankett_core::Lang::Sv) => "EJ KONVERTERAD",
            (NoteKind::NotConverted, _) => "NOT CONVERTED",
            (NoteKind::Changed, blankett_core::Lang::Sv) => "ÄNDRAD",
            (NoteKind::Changed, _) => "CHANGED",
            (NoteKind::FillIn, blankett_core::Lang::Sv) => "FYLL I",
            (NoteKind::FillIn, _) => "FILL IN",
        }
    }
}

/// Why a file could not be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The bytes are not text in the encoding the XML declaration names.
    #[error("the file is not valid {0} text")]
    Encoding(String),
    /// The encoding named in the XML declaration is not one this importer reads.
    #[error("unsupported encoding \"{0}\" (UTF-8 and ISO-8859-1 are read)")]
    UnsupportedEncoding(String),
    /// Not well-formed XML.
    #[error("not well-formed XML: {0}")]
    Xml(String),
    /// The root element is not `<Flow>`.
    #[error("the root element is <{0}>, not <Flow>: this is not an OEP e-service export (.oeflow)")]
    NotAFlow(String),
    /// The flow has no name.
    #[error("the flow has no <name>")]
    NoName,
    /// The flow links to an external e-service and has no questions.
    #[error("the flow is a link to an external e-service ({0}); it has no questions to convert")]
    ExternalLink(String),
    /// Nothing in the flow could be converted.
    #[error("no question in the flow could be converted; see the report")]
    NothingConverted(Vec<Note>),
}

impl ImportError {
    /// The message in `lang`.
    pub fn message(&self, lang: blankett_core::Lang) -> String {
        if lang != blankett_core::Lang::Sv {
            return self.to_string();
        }
        match self {
            ImportError::Encoding(e) => format!("filen är inte giltig {e}-text"),
            ImportError::UnsupportedEncoding(e) => {
                format!("teckenkodningen \"{e}\" stöds inte (UTF-8 och ISO-8859-1 kan läsas)")
            }
            ImportError::Xml(e) => format!("inte välformad XML: {e}"),
            ImportError::NotAFlow(root) => format!(
                "rotelementet är <{root}>, inte <Flow>: det här är ingen export av en e-tjänst från OEP (.oeflow)"
            ),
            ImportError::NoName => "flödet saknar <name>".into(),
            ImportError::ExternalLink(url) => format!(
                "flödet är en länk till en extern e-tjänst ({url}); det har inga frågor att konvertera"
            ),
            ImportError::NothingConverted(_) => {
                "ingen fråga i flödet kunde konverteras; se rapporten".into()
            }
        }
    }
}

/// Decodes a file's bytes by its XML declaration (UTF-8 by default, ISO-8859-1/Latin-1 and
/// windows-1252 as OEP installations often write them).
pub fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
    let head: String = bytes
        .iter()
        .take(200)
        .take_while(|b| **b != b'>')
        .map(|b| char::from(*b))
        .collect();
    let encoding = head
        .strip_prefix("<?xml")
        .and_then(|decl| {
            let at = decl.find("encoding")?;
            let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
            let quote = rest.chars().next()?;
            rest[1..].split(quote).next().map(str::to_ascii_lowercase)
        })
        .unwrap_or_else(|| "utf-8".into());
    match encoding.as_str() {
        "utf-8" | "utf8" => {
            String::from_utf8(bytes.to_vec()).map_err(|_| ImportError::Encoding("UTF-8".into()))
        }
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "iso-8859-15" => {
            Ok(bytes.iter().map(|b| char::from(*b)).collect())
        }
        "windows-1252" | "cp1252" => Ok(bytes.iter().map(|b| cp1252(*b)).collect()),
        other => Err(ImportError::UnsupportedEncoding(other.to_owned())),
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// One OEP question, read.
struct Query<'a> {
    id: i64,
    name: String,
    state: State,
    step: usize,
    /// The type element (`TextFieldQuery`, …).
    config: Option<Node<'a, 'a>>,
    type_name: String,
    exported: Option<String>,
    node: Node<'a, 'a>,
}

struct Importer<'a> {
    notes: Vec<Note>,
    queries: Vec<Query<'a>>,
    step_names: Vec<String>,
    choices: BTreeMap<i64, Choice>,
    /// OEP query id → the Blankett condition for "visible", "required".
    states: BTreeMap<i64, (Cond, Cond)>,
}

/// Converts an `.oeflow` document (already decoded to text) to a Blankett definition.
pub fn import(xml: &str, options: &Options) -> Result<Imported, ImportError> {
    let doc = Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .map_err(|e| ImportError::Xml(e.to_string()))?;
    let flow = doc.root_element();
    if flow.tag_name().name() != "Flow" {
        return Err(ImportError::NotAFlow(flow.tag_name().name().to_owned()));
    }
    let name = text(flow, "name").ok_or(ImportError::NoName)?;
    if let Some(link) = text(flow, "externalLink") {
        return Err(ImportError::ExternalLink(link));
    }
    let mut im = Importer::read(flow);
    let rules = im.read_rules();
    im.resolve_states(&rules);
    let (steps, form_rules, exports) = im.steps(markdown(flow, "longDescription"), &rules);
    if steps.is_empty() {
        return Err(ImportError::NothingConverted(im.notes));
    }
    let family = child(flow, "FlowFamily");
    let organisation = im.organisation(family, options);
    let contact = im.contact(family);
    im.flow_notes(flow, &name);

    let id = options.id.clone().unwrap_or_else(|| slug(&name));
    let version = text(flow, "version")
        .filter(|v| v.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or_else(|| "1".into());
    let mut definition = json!({
        "blankett": "1",
        "id": id,
        "version": version,
        "title": name,
        "organisation": { "name": organisation, "contact": Value::Object(contact) },
        "privacy": {
            "controller": format!("[Fyll i: personuppgiftsansvarig] {}", options.organisation.clone().unwrap_or_default()).trim().to_owned(),
            "purpose": "[Fyll i: ändamålet med behandlingen]",
            "legal_basis": "[Fyll i: rättslig grund]",
            "retention": "[Fyll i: hur länge uppgifterna sparas]",
            "recipients": "[Fyll i: vilka som får uppgifterna]",
            "rights_url": "/personuppgifter"
        },
        "submit": { "url": "/api/submissions" },
        "steps": steps,
    });
    if let Some(short) = plain(flow, "shortDescription") {
        definition["description"] = json!(short);
    }
    if !form_rules.is_empty() {
        definition["rules"] = Value::Array(form_rules);
    }
    definition["x-oep"] = x_oep(flow, family, &name, exports);
    Ok(Imported {
        definition,
        report: im.notes,
    })
}

/// The `x-oep` block: the status and flow that delivered cases name, and the exported queries.
fn x_oep(
    flow: Node<'_, '_>,
    family: Option<Node<'_, '_>>,
    name: &str,
    exports: Vec<Value>,
) -> Value {
    let submitted = list(flow, "Statuses", "Status")
        .into_iter()
        .find(|st| text(*st, "contentType").as_deref() == Some("SUBMITTED"))
        .and_then(|st| {
            Some(
                json!({ "id": int(st, "statusID").filter(|n| *n > 0)?, "name": text(st, "name")? }),
            )
        });
    json!({
        "status": submitted.unwrap_or_else(|| json!({ "id": 1, "name": "Inskickat" })),
        "flow": {
            "family_id": family.and_then(|f| int(f, "flowFamilyID")).filter(|n| *n > 0).unwrap_or(1),
            "flow_id": int(flow, "flowID").filter(|n| *n > 0).unwrap_or(1),
            "version": int(flow, "version").filter(|n| *n > 0).unwrap_or(1),
            "name": name,
        },
        "queries": exports,
    })
}

impl<'a> Importer<'a> {
    /// Every question of the flow, step by step in OEP's order.
    fn read(flow: Node<'a, 'a>) -> Importer<'a> {
        let mut im = Importer {
            notes: Vec::new(),
            queries: Vec::new(),
            step_names: Vec::new(),
            choices: BTreeMap::new(),
            states: BTreeMap::new(),
        };
        let mut steps = sorted(list(flow, "Steps", "Step"));
        for (i, step) in steps.iter_mut().enumerate() {
            im.step_names
                .push(text(*step, "name").unwrap_or_else(|| format!("Steg {}", i + 1)));
            for q in sorted(list(*step, "QueryDescriptors", "QueryDescriptor")) {
                im.read_query(q, i);
            }
        }
        im
    }

    /// Every question converted, in its step (the flow's long description, `about`, first):
    /// the steps that have fields, the rules of the whole form, and the exported queries.
    fn steps(
        &mut self,
        about: Option<String>,
        rules: &[Rule],
    ) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
        let mut out_steps: Vec<Value> = Vec::new();
        let mut form_rules: Vec<Value> = Vec::new();
        let mut step_rules: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
        let mut exports: Vec<Value> = Vec::new();
        let mut fields_by_step: Vec<Vec<Value>> = vec![Vec::new(); self.step_names.len()];
        if let (Some(long), Some(first)) = (about, fields_by_step.first_mut()) {
            first.push(
                json!({ "id": "om_tjansten", "type": "info", "label": "Om e-tjänsten", "text": long }),
            );
        }
        for qi in 0..self.queries.len() {
            let converted = self.convert(qi, rules);
            let step = self.queries[qi].step;
            fields_by_step[step].extend(converted.fields);
            if let Some(export) = converted.export {
                exports.push(export);
            }
            for (rule, rule_step) in converted.rules {
                match rule_step {
                    Some(s) => step_rules.entry(s).or_default().push(rule),
                    None => form_rules.push(rule),
                }
            }
        }
        for (i, fields) in fields_by_step.into_iter().enumerate() {
            let title = self.step_names[i].clone();
            if fields.is_empty() {
                self.note(
                    NoteKind::NotConverted,
                    &title,
                    "Steget har inga frågor som kunde konverteras och är borttaget.",
                    "The step has no question that could be converted and is left out.",
                );
                continue;
            }
            let mut step =
                json!({ "id": format!("steg-{}", i + 1), "title": title, "fields": fields });
            if let Some(rules) = step_rules.remove(&i) {
                step["rules"] = Value::Array(rules);
            }
            out_steps.push(step);
        }
        (out_steps, form_rules, exports)
    }

    /// The organisation's name: the caller's, else the flow family's owner, else a placeholder.
    fn organisation(&mut self, family: Option<Node<'_, '_>>, options: &Options) -> String {
        let owner = family.and_then(|f| text(f, "ownerName"));
        match options.organisation.clone().or(owner) {
            Some(o) => o,
            None => {
                self.note(
                    NoteKind::FillIn,
                    "organisation",
                    "Exporten säger inte vilken organisation som ger ut e-tjänsten.",
                    "The export does not say which organisation publishes the e-service.",
                );
                "[Fyll i: organisation]".into()
            }
        }
    }

    /// The organisation's contact details from the flow family, else a placeholder page.
    fn contact(&mut self, family: Option<Node<'_, '_>>) -> Map<String, Value> {
        let mut contact = Map::new();
        if let Some(email) = family
            .and_then(|f| text(f, "contactEmail").or_else(|| text(f, "ownerEmail")))
            .filter(|e| blankett_core::formats::is_valid_email(e))
        {
            contact.insert("email".into(), json!(email));
        }
        if let Some(phone) = family.and_then(|f| text(f, "contactPhone")) {
            contact.insert("phone".into(), json!(phone));
        }
        if let Some(url) = family
            .and_then(|f| text(f, "contactWebAddress"))
            .filter(|u| u.starts_with("https://"))
        {
            contact.insert("url".into(), json!(url));
        }
        if contact.is_empty() {
            self.note(
                NoteKind::FillIn,
                "organisation.contact",
                "Exporten har inga kontaktuppgifter; sidan /kontakt är en platshållare.",
                "The export has no contact details; the page /kontakt is a placeholder.",
            );
            contact.insert("url".into(), json!("/kontakt"));
        }
        contact
    }

    /// The notes on the flow as a whole: the privacy notice to write, and what of OEP's
    /// login, signing and payment the flow uses.
    fn flow_notes(&mut self, flow: Node<'_, '_>, name: &str) {
        self.note(
            NoteKind::FillIn,
            "privacy",
            "Informationen om personuppgifter (ändamål, rättslig grund, lagringstid, mottagare) finns inte i OEP:s export; fyll i de markerade platshållarna innan formuläret publiceras.",
            "The personal data notice (purpose, legal basis, retention, recipients) is not in OEP's export; fill in the marked placeholders before the form is published.",
        );
        for (flag, sv, en) in [
            (
                "requireAuthentication",
                "Flödet kräver inloggning i OEP. Blankett identifierar inte den som fyller i; använd förifyllnad från inloggningen (prefill) om e-tjänsten behöver det.",
                "The flow requires login in OEP. Blankett does not identify the citizen; use prefill from the login if the e-service needs it.",
            ),
            (
                "requireSigning",
                "Flödet kräver underskrift i OEP; Blankett skriver inte under med e-legitimation.",
                "The flow requires signing in OEP; Blankett does not sign with an e-ID.",
            ),
            (
                "paymentSupportEnabled",
                "Flödet har betalning i OEP; Blankett har ingen betalning.",
                "The flow takes payment in OEP; Blankett has no payment.",
            ),
        ] {
            if boolean(flow, flag) {
                self.note(NoteKind::Changed, name, sv, en);
            }
        }
    }
}

impl<'a> Importer<'a> {
    fn note(&mut self, kind: NoteKind, at: &str, sv: &str, en: &str) {
        self.notes.push(Note {
            kind,
            at: at.to_owned(),
            sv: sv.to_owned(),
            en: en.to_owned(),
        });
    }

    fn at(&self, qi: usize) -> String {
        let q = &self.queries[qi];
        format!("{} › {} [{}]", self.step_names[q.step], q.name, q.id)
    }

    fn read_query(&mut self, node: Node<'a, 'a>, step: usize) {
        let id = int(node, "queryID").unwrap_or(0);
        let name = text(node, "name").unwrap_or_else(|| format!("Fråga {id}"));
        let state = text(node, "defaultQueryState")
            .and_then(|s| State::parse(&s))
            .unwrap_or(State::Visible);
        let config = node.children().filter(Node::is_element).find(|c| {
            let n = c.tag_name().name();
            n.ends_with("Query") && n.starts_with(|ch: char| ch.is_ascii_uppercase())
        });
        let type_name = config.map_or_else(
            || {
                text(node, "queryTypeID")
                    .and_then(|t| t.rsplit('.').nth(1).map(str::to_owned))
                    .unwrap_or_else(|| "okänd".into())
            },
            |c| c.tag_name().name().to_owned(),
        );
        let exported = boolean(node, "exported")
            .then(|| text(node, "xsdElementName"))
            .flatten();
        self.queries.push(Query {
            id,
            name,
            state,
            step,
            config,
            type_name,
            exported,
            node,
        });
    }
}

/// A form id from a flow name: lower case, å/ä → a, ö → o, other characters → `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_matches('-').chars().take(60).collect();
    out = out.trim_end_matches('-').to_owned();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out = format!("e-{out}");
    }
    out
}

/// An XML element name from a label, as OEP derives text-field element names.
pub fn element_name(label: &str) -> String {
    let mut out: String = label
        .chars()
        .map(|c| match c {
            'ö' => 'o',
            'Ö' => 'O',
            'å' | 'ä' => 'a',
            'Å' | 'Ä' => 'A',
            c if c.is_ascii_alphanumeric() || c == '.' || c == '-' => c,
            _ => '_',
        })
        .collect();
    if out.to_ascii_lowercase().starts_with("xml") {
        out.replace_range(0..3, "___");
    }
    if out.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-') || out.is_empty() {
        out.replace_range(0..out.chars().next().map_or(0, char::len_utf8), "_");
        if out.is_empty() {
            out.push('_');
        }
    }
    out
}

// --- reading the tree ---

fn child<'a>(node: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text(node: Node<'_, '_>, name: &str) -> Option<String> {
    let c = child(node, name)?;
    let s: String = c
        .children()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// A child's text (HTML in OEP) as Markdown, if any is left.
fn markdown(node: Node<'_, '_>, name: &str) -> Option<String> {
    text(node, name)
        .map(|h| to_markdown(&h))
        .filter(|m| !m.is_empty())
}

/// A child's text (HTML in OEP) as plain text, if any is left.
fn plain(node: Node<'_, '_>, name: &str) -> Option<String> {
    text(node, name)
        .map(|h| to_plain(&h))
        .filter(|s| !s.is_empty())
}

fn int(node: Node<'_, '_>, name: &str) -> Option<i64> {
    text(node, name)?.parse().ok()
}

fn boolean(node: Node<'_, '_>, name: &str) -> bool {
    text(node, name).is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

fn list<'a>(node: Node<'a, 'a>, wrapper: &str, item: &str) -> Vec<Node<'a, 'a>> {
    child(node, wrapper)
        .map(|w| {
            w.children()
                .filter(|c| c.is_element() && c.tag_name().name() == item)
                .collect()
        })
        .unwrap_or_default()
}

fn ints(node: Node<'_, '_>, wrapper: &str, item: &str) -> Vec<i64> {
    list(node, wrapper, item)
        .into_iter()
        .filter_map(|n| n.text()?.trim().parse().ok())
        .collect()
}

/// Items in `sortIndex` order (document order among equals).
fn sorted<'a, 'i>(mut items: Vec<Node<'a, 'i>>) -> Vec<Node<'a, 'i>> {
    items.sort_by_key(|n| int(*n, "sortIndex").unwrap_or(i64::MAX));
    items
}

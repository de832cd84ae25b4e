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
    let rules = im.read_rules();
    im.resolve_states(&rules);

    let mut out_steps: Vec<Value> = Vec::new();
    let mut form_rules: Vec<Value> = Vec::new();
    let mut step_rules: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    let mut exports: Vec<Value> = Vec::new();
    let long = text(flow, "longDescription")
        .map(|h| to_markdown(&h))
        .filter(|m| !m.is_empty());
    let mut fields_by_step: Vec<Vec<Value>> = vec![Vec::new(); im.step_names.len()];
    if let (Some(long), Some(first)) = (long, fields_by_step.first_mut()) {
        first.push(
            json!({ "id": "om_tjansten", "type": "info", "label": "Om e-tjänsten", "text": long }),
        );
    }
    for qi in 0..im.queries.len() {
        let converted = im.convert(qi, &rules);
        let step = im.queries[qi].step;
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
        let title = im.step_names[i].clone();
        if fields.is_empty() {
            im.note(
                NoteKind::NotConverted,
                &title,
                "Steget har inga frågor som kunde konverteras och är borttaget.",
                "The step has no question that could be converted and is left out.",
            );
            continue;
        }
        let mut step = json!({ "id": format!("steg-{}", i + 1), "title": title, "fields": fields });
        if let Some(rules) = step_rules.remove(&i) {
            step["rules"] = Value::Array(rules);
        }
        out_steps.push(step);
    }
    if out_steps.is_empty() {
        return Err(ImportError::NothingConverted(im.notes));
    }

    let family = child(flow, "FlowFamily");
    let owner = family.and_then(|f| text(f, "ownerName"));
    let organisation = match options.organisation.clone().or(owner) {
        Some(o) => o,
        None => {
            im.note(
                NoteKind::FillIn,
                "organisation",
                "Exporten säger inte vilken organisation som ger ut e-tjänsten.",
                "The export does not say which organisation publishes the e-service.",
            );
            "[Fyll i: organisation]".into()
        }
    };
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
        im.note(
            NoteKind::FillIn,
            "organisation.contact",
            "Exporten har inga kontaktuppgifter; sidan /kontakt är en platshållare.",
            "The export has no contact details; the page /kontakt is a placeholder.",
        );
        contact.insert("url".into(), json!("/kontakt"));
    }
    im.note(
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
            im.note(NoteKind::Changed, &name, sv, en);
        }
    }

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
        "steps": out_steps,
    });
    if let Some(short) = text(flow, "shortDescription")
        .map(|h| to_plain(&h))
        .filter(|s| !s.is_empty())
    {
        definition["description"] = json!(short);
    }
    if !form_rules.is_empty() {
        definition["rules"] = Value::Array(form_rules);
    }
    let submitted = list(flow, "Statuses", "Status")
        .into_iter()
        .find(|st| text(*st, "contentType").as_deref() == Some("SUBMITTED"))
        .and_then(|st| {
            Some(
                json!({ "id": int(st, "statusID").filter(|n| *n > 0)?, "name": text(st, "name")? }),
            )
        });
    definition["x-oep"] = json!({
        "status": submitted.unwrap_or_else(|| json!({ "id": 1, "name": "Inskickat" })),
        "flow": {
            "family_id": family.and_then(|f| int(f, "flowFamilyID")).filter(|n| *n > 0).unwrap_or(1),
            "flow_id": int(flow, "flowID").filter(|n| *n > 0).unwrap_or(1),
            "version": int(flow, "version").filter(|n| *n > 0).unwrap_or(1),
            "name": name,
        },
        "queries": exports,
    });
    Ok(Imported {
        definition,
        report: im.notes,
    })
}

/// What one question became.
#[derive(Default)]
struct Converted {
    fields: Vec<Value>,
    export: Option<Value>,
    /// Rules with the step they belong to (`None`: the whole form).
    rules: Vec<(Value, Option<usize>)>,
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

    fn convert(&mut self, qi: usize, rules: &[Rule]) -> Converted {
        let at = self.at(qi);
        let (id, type_name) = (self.queries[qi].id, self.queries[qi].type_name.clone());
        let (visible, required) = self
            .states
            .get(&id)
            .cloned()
            .unwrap_or((Cond::Always, Cond::Never));
        let Some(config) = self.queries[qi].config else {
            self.note(
                NoteKind::NotConverted,
                &at,
                "Frågan saknar sin typdel i exporten och kan inte läsas.",
                "The question lacks its type element in the export and cannot be read.",
            );
            return Converted::default();
        };
        if visible == Cond::Never {
            self.note(
                NoteKind::Changed,
                &at,
                "Frågan är dold och ingen regel visar den; den följer med men visas aldrig.",
                "The question is hidden and no rule shows it; it is kept but never shown.",
            );
        }
        let name = self.queries[qi].name.clone();
        let base = format!("q{id}");
        let help = text(config, "helpText")
            .map(|h| to_plain(&h))
            .filter(|h| !h.is_empty());
        let description = text(config, "description")
            .map(|h| to_markdown(&h))
            .filter(|m| !m.is_empty());
        let mut out = Converted::default();
        let mut fields: Vec<Value> = Vec::new();
        let info = description
            .clone()
            .map(|d| json!({ "id": format!("{base}_info"), "type": "info", "text": d }));
        let exported = self.queries[qi].exported.clone();
        let query_export = |kind: &str, extra: Value| -> Option<Value> {
            let element = exported.clone()?;
            let mut v = json!({ "query_id": id, "name": name, "element": element, "type": kind });
            if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
                m.extend(e);
            }
            Some(v)
        };
        match type_name.as_str() {
            "TextFieldQuery" => {
                let text_fields = sorted(list(config, "Fields", "TextField"));
                if text_fields.is_empty() {
                    self.note(
                        NoteKind::NotConverted,
                        &at,
                        "Textfältsfrågan har inga fält.",
                        "The text field question has no fields.",
                    );
                    return out;
                }
                let mut inner = Vec::new();
                let mut export_fields = Vec::new();
                let mut used_elements: Vec<String> = text_fields
                    .iter()
                    .filter_map(|tf| text(*tf, "xsdElementName"))
                    .collect();
                for tf in &text_fields {
                    let fid = int(*tf, "textFieldID").unwrap_or(0);
                    let field_id = format!("{base}_{fid}");
                    let label = text(*tf, "label").unwrap_or_else(|| name.clone());
                    let mut f = self.text_field(*tf, &field_id, &label, &at);
                    if boolean(*tf, "required") {
                        apply_required(&mut f, &required);
                    }
                    // As OEP names them: the field's own name, else one made from the label,
                    // numbered when the question already has it.
                    let element = text(*tf, "xsdElementName").unwrap_or_else(|| {
                        let base = element_name(&label);
                        let mut name = base.clone();
                        let mut n = 1;
                        while used_elements.contains(&name) {
                            name = format!("{base}{n}");
                            n += 1;
                        }
                        name
                    });
                    used_elements.push(element.clone());
                    export_fields.push(json!({
                        "field": field_id,
                        "element": element,
                        "label": label,
                        "required": boolean(*tf, "required"),
                    }));
                    inner.push(f);
                }
                out.export = query_export("TextFieldQuery", json!({ "fields": export_fields }));
                let single = inner.len() == 1
                    && text(text_fields[0], "label").is_none_or(|l| l == name)
                    && info.is_none();
                if single {
                    let mut f = inner.remove(0);
                    if let Some(h) = &help {
                        f["hint"] = json!(h);
                    }
                    apply_visible(&mut f, &visible);
                    fields.push(f);
                } else {
                    let mut group = json!({ "id": base, "type": "group", "label": name });
                    if let Some(h) = &help {
                        group["hint"] = json!(h);
                    }
                    let mut all = Vec::new();
                    all.extend(info.clone());
                    all.extend(inner);
                    group["fields"] = Value::Array(all);
                    apply_visible(&mut group, &visible);
                    fields.push(group);
                }
                out.fields = fields;
                return out;
            }
            "TextAreaQuery" => {
                let mut f = json!({ "id": base, "type": "textarea", "label": name });
                if let Some(max) = int(config, "maxLength").filter(|n| *n > 0) {
                    f["max_length"] = json!(max);
                }
                fields.extend(info.clone());
                out.export = query_export(
                    "TextAreaQuery",
                    json!({ "field": base, "max_length": int(config, "maxLength").filter(|n| *n > 0).unwrap_or(65535) }),
                );
                fields.push(self.finish(f, &help, &visible, &required));
            }
            "RadioButtonQuery" | "DropDownQuery" | "CheckboxQuery" => {
                let item = match type_name.as_str() {
                    "RadioButtonQuery" => "RadioButtonAlternative",
                    "DropDownQuery" => "DropDownAlternative",
                    _ => "CheckboxAlternative",
                };
                let alternatives = sorted(list(config, "Alternatives", item));
                let free = text(config, "freeTextAlternative");
                let mut options: Vec<Value> = Vec::new();
                let mut export_values = Map::new();
                for a in &alternatives {
                    let Some(aid) = int(*a, "alternativeID") else {
                        continue;
                    };
                    let label = text(*a, "name").unwrap_or_else(|| format!("Alternativ {aid}"));
                    let xml_value = text(*a, "xmlValue")
                        .or_else(|| text(*a, "value"))
                        .unwrap_or_else(|| label.clone());
                    export_values.insert(format!("a{aid}"), json!(xml_value));
                    options.push(json!({ "value": format!("a{aid}"), "label": label }));
                }
                if let Some(free) = &free {
                    options.push(json!({ "value": "fritext", "label": free }));
                }
                if options.is_empty() {
                    self.note(
                        NoteKind::NotConverted,
                        &at,
                        "Frågan har inga svarsalternativ.",
                        "The question has no alternatives.",
                    );
                    return out;
                }
                let kind = match type_name.as_str() {
                    "CheckboxQuery" => "checkboxes",
                    "RadioButtonQuery" if options.len() >= 2 => "radio",
                    _ => "select",
                };
                let mut f = json!({ "id": base, "type": kind, "label": name, "options": options });
                let mut max_export = if kind == "checkboxes" {
                    alternatives.len().max(1) as i64
                } else {
                    1
                };
                if kind == "checkboxes" {
                    let n = options.len() as i64;
                    if let Some(min) = int(config, "minChecked").filter(|m| *m > 0 && *m <= n) {
                        f["min_choices"] = json!(min);
                    }
                    if let Some(max) = int(config, "maxChecked").filter(|m| *m > 0 && *m <= n) {
                        f["max_choices"] = json!(max);
                        max_export = max;
                    }
                }
                if type_name == "DropDownQuery"
                    && let Some(placeholder) = text(config, "shortDescription")
                {
                    self.note(
                        NoteKind::Changed,
                        &at,
                        &format!("Listans platshållare ”{placeholder}” ersätts av Blanketts ”Välj …”."),
                        &format!("The list's placeholder \"{placeholder}\" is replaced by Blankett's \"Choose …\"."),
                    );
                }
                let mut export = json!({
                    "field": base,
                    "values": Value::Object(export_values),
                    "max": max_export,
                });
                if let Some(free) = &free {
                    export["free_text"] = json!({ "option": "fritext", "field": format!("{base}_fritext"), "label": free });
                }
                out.export = query_export(&type_name, export);
                fields.extend(info.clone());
                fields.push(self.finish(f, &help, &visible, &required));
                if let Some(free) = &free {
                    let chosen = if kind == "checkboxes" {
                        json!({ "in": ["fritext", { "var": base }] })
                    } else {
                        json!({ "==": [{ "var": base }, "fritext"] })
                    };
                    fields.push(json!({
                        "id": format!("{base}_fritext"),
                        "type": "text",
                        "label": free,
                        "max_length": 255,
                        "visible_if": chosen,
                        "required": true,
                    }));
                }
                apply_visible_all(&mut fields, &visible, &format!("{base}_fritext"));
                out.fields = fields;
                return out;
            }
            "ContactDetailQuery" | "OrganizationDetailQuery" => {
                let person = type_name == "ContactDetailQuery";
                let rows = if person {
                    CONTACT_ROWS
                } else {
                    ORGANISATION_ROWS
                };
                let (mut inner, export_fields) = detail_fields(&base, config, rows, &required);
                let mobile_shown = text(config, "fieldMobilePhone").as_deref() != Some("HIDDEN");
                let sms = (boolean(config, "allowSMS") && (mobile_shown || !person))
                    .then(|| format!("{base}_sms"));
                if let Some(sms) = &sms {
                    let label = if person {
                        "Vill du få meddelanden via sms?"
                    } else {
                        "Vill ni få meddelanden via sms?"
                    };
                    inner.push(json!({ "id": sms, "type": "yes_no", "label": label }));
                }
                if person && boolean(config, "useOfficalAddress") {
                    self.note(
                        NoteKind::Changed,
                        &at,
                        "Adressen hämtas från folkbokföringen i OEP; i Blankett skriver den sökande den själv (eller den förifylls).",
                        "OEP takes the address from the population register; in Blankett the citizen types it (or it is prefilled).",
                    );
                }
                out.export =
                    query_export(&type_name, json!({ "fields": export_fields, "sms": sms }));
                out.fields = vec![self.group(&base, &name, &help, info, inner, &visible)];
                return out;
            }
            "PersonDataInformerQuery" => {
                self.note(
                    NoteKind::FillIn,
                    &at,
                    "Texterna om personuppgiftsbehandling är inställningar per e-tjänst i OEP och finns inte i exporten; skriv dem i formulärets privacy-del. Kryssrutan ”Jag har tagit del av …” följer med.",
                    "The personal data texts are per-service settings in OEP and are not in the export; write them in the form's privacy notice. The \"I have read …\" checkbox is kept.",
                );
                let f = json!({
                    "id": base, "type": "checkboxes", "label": name,
                    "options": [{ "value": "godkant", "label": "Jag har tagit del av informationen om hur mina personuppgifter behandlas" }],
                });
                let mut f = self.finish(f, &help, &visible, &required);
                if f.get("required").is_some() || f.get("required_if").is_some() {
                    f["min_choices"] = json!(1);
                }
                out.export = query_export(
                    "PersonDataInformerQuery",
                    json!({ "field": base, "values": { "godkant": "Personuppgiftshantering accepterat" }, "max": 1 }),
                );
                fields.extend(info.clone());
                fields.push(f);
            }
            "FileInfoQuery" => {
                let files: Vec<String> = list(config, "Files", "FileDescriptor")
                    .into_iter()
                    .filter_map(|f| text(f, "name"))
                    .collect();
                let mut body = description.unwrap_or_default();
                if !files.is_empty() {
                    self.note(
                        NoteKind::Changed,
                        &at,
                        &format!("Filerna att ladda ner ({}) finns inte i exporten; lägg upp dem och länka till dem i texten.", files.join(", ")),
                        &format!("The files to download ({}) are not in the export; publish them and link to them in the text.", files.join(", ")),
                    );
                }
                if body.is_empty() {
                    body = name.clone();
                }
                let mut f = json!({ "id": base, "type": "info", "label": name, "text": body });
                apply_visible(&mut f, &visible);
                out.fields = vec![f];
                return out;
            }
            "StopQuery" => {
                let message = text(config, "description")
                    .map(|h| to_plain(&h))
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| name.clone());
                let Cond::When(shown) = visible.clone() else {
                    self.note(
                        NoteKind::NotConverted,
                        &at,
                        "Stoppfrågan visas alltid (ingen regel styr den), så e-tjänsten kan aldrig skickas in; den följer inte med.",
                        "The stop question is always shown (no rule controls it), so the e-service could never be sent; it is left out.",
                    );
                    return out;
                };
                // The questions whose answers show it: the rule's message is shown there.
                let sources: Vec<(String, usize)> = rules
                    .iter()
                    .filter(|r| r.targets.contains(&id) && r.state != State::Hidden)
                    .filter_map(|r| {
                        let c = self.choices.get(&r.source)?;
                        let q = self.queries.iter().find(|q| q.id == r.source)?;
                        Some((c.field.clone(), q.step))
                    })
                    .collect();
                let mut f = json!({ "id": base, "type": "info", "label": name, "text": description.unwrap_or_else(|| message.clone()) });
                apply_visible(&mut f, &Cond::When(shown.clone()));
                out.fields = vec![f];
                let step = sources.first().map(|(_, s)| *s);
                let same_step = sources.iter().all(|(_, s)| Some(*s) == step);
                let mut targets: Vec<String> = sources.into_iter().map(|(f, _)| f).collect();
                targets.dedup();
                if !targets.is_empty() {
                    out.rules.push((
                        json!({ "rule": { "!": shown }, "message": message, "fields": targets }),
                        if same_step { step } else { None },
                    ));
                }
                self.note(
                    NoteKind::Changed,
                    &at,
                    "Stoppfrågan blir en informationstext och en regel: med de svar som visar den går det inte att gå vidare, och meddelandet visas vid frågan som styr den.",
                    "The stop question becomes an information text and a rule: with the answers that show it the citizen cannot go on, and the message is shown at the question that controls it.",
                );
                return out;
            }
            other => {
                let what = match other {
                    "FileUploadQuery" => ("filuppladdning", "file upload"),
                    "GeneralMapQuery"
                    | "SinglePolygonMapQuery"
                    | "MultiGeometryMapQuery"
                    | "PUDMapQuery" => ("kartfråga", "map question"),
                    "TreeQuery" | "MultiTreeQuery" => ("trädfråga", "tree question"),
                    "ChildQuery" => (
                        "val av barn från folkbokföringen",
                        "choice of child from the population register",
                    ),
                    "PUDQuery" => (
                        "sökning på adress eller fastighet",
                        "address or property search",
                    ),
                    "ManualMultiSignQuery" => ("flerpartssignering", "multi-party signing"),
                    _ => ("okänd frågetyp", "unknown question type"),
                };
                self.note(
                    NoteKind::NotConverted,
                    &at,
                    &format!("Blankett har ingen motsvarighet till {} ({other}); frågan följer inte med.", what.0),
                    &format!("Blankett has no equivalent of a {} ({other}); the question is left out.", what.1),
                );
                return out;
            }
        }
        apply_visible_all(&mut fields, &visible, "");
        out.fields = fields;
        out
    }

    fn finish(
        &self,
        mut f: Value,
        help: &Option<String>,
        visible: &Cond,
        required: &Cond,
    ) -> Value {
        if let Some(h) = help {
            f["hint"] = json!(h);
        }
        apply_required(&mut f, required);
        apply_visible(&mut f, visible);
        f
    }

    fn group(
        &self,
        base: &str,
        name: &str,
        help: &Option<String>,
        info: Option<Value>,
        inner: Vec<Value>,
        visible: &Cond,
    ) -> Value {
        let mut fields = Vec::new();
        fields.extend(info);
        fields.extend(inner);
        let mut group = json!({ "id": base, "type": "group", "label": name, "fields": fields });
        if let Some(h) = help {
            group["hint"] = json!(h);
        }
        apply_visible(&mut group, visible);
        group
    }

    /// One OEP text field as a Blankett field of the type its validator implies.
    fn text_field(&mut self, tf: Node<'_, '_>, id: &str, label: &str, at: &str) -> Value {
        let validator = text(tf, "formatValidator").unwrap_or_default();
        let class = validator.rsplit('.').next().unwrap_or("");
        let mut f = json!({ "id": id, "label": label });
        let kind = match class {
            "" => "text",
            "StringEmailValidator" | "EmailPopulator" => "email",
            "PositiveStringIntegerValidator"
            | "PositiveStringLongValidator"
            | "SpacedPositiveStringIntegerValidator"
            | "SpacedPositiveStringLongValidator" => {
                f["min"] = json!(1);
                "integer"
            }
            "NonNegativeStringIntegerValidator" | "NonNegativeStringLongValidator" => {
                f["min"] = json!(0);
                "integer"
            }
            c if c.contains("SocialSecurityOrOrganizationNumber") => {
                self.note(NoteKind::Changed, &format!("{at} › {label}"), "Fältet tar personnummer eller organisationsnummer i OEP; i Blankett är det ett textfält utan kontroll av numret.", "The field takes a personnummer or an organisation number in OEP; in Blankett it is a text field without a number check.");
                "text"
            }
            c if c.contains("SocialSecurity") => {
                f["allow_samordningsnummer"] = json!(c.contains("Coordination"));
                "personnummer"
            }
            "SwedishOrganizationNumberPopulator" => "organisationsnummer",
            "StringSwedishPhoneNumberPopulator" | "SwedishPhoneNumberValidator" => "phone",
            "DatePopulator" => "date",
            "StringColorHEXValidator" => {
                f["pattern"] = json!({ "regex": "#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", "message": text(tf, "invalidFormatMessage").unwrap_or_else(|| "Skriv en färg som #RRGGBB.".into()) });
                "text"
            }
            _ => {
                self.note(
                    NoteKind::Changed,
                    &format!("{at} › {label}"),
                    &format!("Kontrollen {validator} är okänd för Blankett; fältet tar vilken text som helst."),
                    &format!("The check {validator} is unknown to Blankett; the field accepts any text."),
                );
                "text"
            }
        };
        f["type"] = json!(kind);
        if matches!(kind, "text" | "email") {
            if let Some(min) = int(tf, "minContentLength").filter(|n| *n > 0) {
                f["min_length"] = json!(min);
            }
            let max = int(tf, "maxContentLength")
                .filter(|n| *n > 0)
                .unwrap_or(255)
                .min(255);
            f["max_length"] = json!(max.max(int(tf, "minContentLength").unwrap_or(0)));
        }
        if let Some(placeholder) = text(tf, "placeholderText") {
            f["hint"] = json!(format!("Till exempel: {placeholder}"));
        }
        if text(tf, "defaultValue").is_some() || boolean(tf, "disabled") {
            self.note(
                NoteKind::Changed,
                &format!("{at} › {label}"),
                "Fältets förvalda värde eller spärr följer inte med; använd förifyllnad (prefill) om det behövs.",
                "The field's default value or lock is not kept; use prefill if it is needed.",
            );
        }
        if boolean(tf, "maskFieldContent") {
            self.note(
                NoteKind::Changed,
                &format!("{at} › {label}"),
                "Fältet döljer inte det som skrivs.",
                "The field does not mask what is typed.",
            );
        }
        f
    }
}

/// One field of OEP's contact or organisation question: its XML element, the Blankett field
/// (id suffix, type, label, autocomplete), and the setting that shows or requires it with its
/// default (`None`: always required).
type DetailRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<(&'static str, &'static str)>,
);

const NAME: Option<(&str, &str)> = Some(("fieldName", "REQUIRED"));
const ADDRESS: Option<(&str, &str)> = Some(("fieldAddress", "VISIBLE"));
const PHONE: Option<(&str, &str)> = Some(("fieldPhone", "VISIBLE"));
const MOBILE: Option<(&str, &str)> = Some(("fieldMobilePhone", "VISIBLE"));

/// `ContactDetailQuery`'s fields in OEP's export order, with OEP's defaults.
#[rustfmt::skip]
const CONTACT_ROWS: &[DetailRow] = &[
    ("Firstname", "fornamn", "text", "Förnamn", Some("given-name"), NAME),
    ("Lastname", "efternamn", "text", "Efternamn", Some("family-name"), NAME),
    ("CareOf", "co", "text", "c/o", None, Some(("fieldCareOf", "HIDDEN"))),
    ("Address", "adress", "text", "Gatuadress", Some("street-address"), ADDRESS),
    ("ZipCode", "postnummer", "postal_code", "Postnummer", None, ADDRESS),
    ("PostalAddress", "postort", "text", "Postort", Some("address-level2"), ADDRESS),
    ("Phone", "telefon", "phone", "Telefon", None, PHONE),
    ("Email", "epost", "email", "E-post", None, Some(("fieldEmail", "VISIBLE"))),
    ("MobilePhone", "mobil", "phone", "Mobiltelefon", Some("mobile tel"), MOBILE),
    ("SocialSecurityNumber", "personnummer", "personnummer", "Personnummer", None, Some(("fieldCitizenID", "HIDDEN"))),
];

/// `OrganizationDetailQuery`'s fields in OEP's export order, with OEP's defaults.
#[rustfmt::skip]
const ORGANISATION_ROWS: &[DetailRow] = &[
    ("OrganizationName", "namn", "text", "Organisationens namn", Some("organization"), None),
    ("OrganizationNumber", "orgnr", "organisationsnummer", "Organisationsnummer", None, None),
    ("Address", "adress", "text", "Gatuadress", Some("street-address"), ADDRESS),
    ("ZipCode", "postnummer", "postal_code", "Postnummer", None, ADDRESS),
    ("PostalAddress", "postort", "text", "Postort", Some("address-level2"), ADDRESS),
    ("Firstname", "fornamn", "text", "Kontaktpersonens förnamn", Some("given-name"), None),
    ("Lastname", "efternamn", "text", "Kontaktpersonens efternamn", Some("family-name"), None),
    ("Phone", "telefon", "phone", "Telefon", None, PHONE),
    ("Email", "epost", "email", "E-post", None, Some(("fieldEmail", "REQUIRED"))),
    ("MobilePhone", "mobil", "phone", "Mobiltelefon", Some("mobile tel"), MOBILE),
];

/// The Blankett fields of a contact or organisation question and their export mapping: a
/// field per row whose setting is not `HIDDEN`, required (while the question is) when
/// `REQUIRED`; c/o only with the address.
fn detail_fields(
    base: &str,
    config: Node<'_, '_>,
    rows: &[DetailRow],
    required: &Cond,
) -> (Vec<Value>, Vec<Value>) {
    let address_hidden = text(config, "fieldAddress").as_deref() == Some("HIDDEN");
    let mut fields = Vec::new();
    let mut export = Vec::new();
    for &(element, suffix, kind, label, autocomplete, setting) in rows {
        let state = match setting {
            None => "REQUIRED".to_owned(),
            Some(("fieldCareOf", _)) if address_hidden => "HIDDEN".to_owned(),
            Some((name, default)) => text(config, name).unwrap_or_else(|| default.to_owned()),
        };
        if state == "HIDDEN" {
            continue;
        }
        let id = format!("{base}_{suffix}");
        let mut f = json!({ "id": id, "type": kind, "label": label });
        if let Some(a) = autocomplete {
            f["autocomplete"] = json!(a);
        }
        match kind {
            "text" => f["max_length"] = json!(255),
            "personnummer" => f["allow_samordningsnummer"] = json!(false),
            _ => {}
        }
        if state == "REQUIRED" {
            apply_required(&mut f, required);
        }
        export.push(json!({ "field": id, "element": element, "required": state == "REQUIRED" }));
        fields.push(f);
    }
    (fields, export)
}

fn apply_visible(f: &mut Value, visible: &Cond) {
    match visible {
        Cond::Always => {}
        Cond::Never => f["visible_if"] = json!(false),
        Cond::When(c) => f["visible_if"] = c.clone(),
    }
}

/// Adds the question's visibility to every field of a converted question (for a free-text
/// follow-up: shown only when its choice is shown *and* made).
fn apply_visible_all(fields: &mut [Value], visible: &Cond, follow_up: &str) {
    for f in fields.iter_mut() {
        if f["id"] == follow_up
            && let Some(own) = f.get("visible_if").cloned()
        {
            apply_visible(f, &Cond::When(own).and(visible.clone()));
        } else if f["type"] == "info" {
            apply_visible(f, visible);
        }
    }
}

fn apply_required(f: &mut Value, required: &Cond) {
    match required {
        Cond::Always => f["required"] = json!(true),
        Cond::Never => {}
        Cond::When(c) => f["required_if"] = c.clone(),
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

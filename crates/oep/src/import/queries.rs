//! Each OEP question type converted to Blankett fields and its `x-oep` export mapping.

use roxmltree::Node;
use serde_json::{Map, Value, json};

use super::rules::{Cond, Rule, State};
use super::{Importer, NoteKind, boolean, element_name, int, list, sorted, text};
use crate::html::{to_markdown, to_plain};

/// What one question became.
#[derive(Default)]
pub(super) struct Converted {
    pub(super) fields: Vec<Value>,
    pub(super) export: Option<Value>,
    /// Rules with the step they belong to (`None`: the whole form).
    pub(super) rules: Vec<(Value, Option<usize>)>,
}

impl Importer<'_> {
    pub(super) fn convert(&mut self, qi: usize, rules: &[Rule]) -> Converted {
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

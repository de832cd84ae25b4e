//! Each OEP question type converted to Blankett fields and its `x-oep` export mapping.

use blankett_core::FileType;
use blankett_core::definition::FileRules;
use blankett_core::files::{MAX_FILE_SIZE, MAX_FILES};
use roxmltree::Node;
use serde_json::{Map, Value, json};

use super::rules::{Cond, FREE_TEXT, Rule, option_value};
use super::{Importer, NoteKind, boolean, element_name, int, list, markdown, plain, sorted, text};

/// What one question became.
#[derive(Default)]
pub(super) struct Converted {
    pub(super) fields: Vec<Value>,
    pub(super) export: Option<Value>,
    /// Rules with the step they belong to (`None`: the whole form).
    pub(super) rules: Vec<(Value, Option<usize>)>,
}

impl Converted {
    /// Fields and their export mapping, without rules.
    fn new(fields: Vec<Value>, export: Option<Value>) -> Converted {
        Converted {
            fields,
            export,
            rules: Vec::new(),
        }
    }
}

/// One question as every type's conversion reads it: its texts and its resolved state.
struct Question<'a> {
    id: i64,
    name: String,
    /// Where it is in the flow, for notes.
    at: String,
    /// The type element (`TextFieldQuery`, …) and its name.
    config: Node<'a, 'a>,
    type_name: String,
    /// The id of its field or group, and the prefix of the ids of the fields in it.
    base: String,
    /// The help text as plain text: the hint.
    help: Option<String>,
    /// The description as Markdown.
    description: Option<String>,
    visible: Cond,
    required: Cond,
    /// The XML element OEP exports it as, if it is exported.
    exported: Option<String>,
}

/// A choice question's alternatives, read.
struct Alternatives {
    /// How many alternatives the export lists.
    count: usize,
    /// Option value → the value OEP exports for it.
    values: Map<String, Value>,
    /// The label of the free-text alternative, if there is one.
    free: Option<String>,
}

impl<'a> Importer<'a> {
    /// One question converted by its type, or reported.
    pub(super) fn convert(&mut self, qi: usize, rules: &[Rule]) -> Converted {
        let Some(q) = self.question(qi) else {
            return Converted::default();
        };
        match q.type_name.as_str() {
            "TextFieldQuery" => self.text_field(&q),
            "TextAreaQuery" => text_area(&q),
            "RadioButtonQuery" => self.radio(&q),
            "DropDownQuery" => self.drop_down(&q),
            "CheckboxQuery" => self.checkboxes(&q),
            "ContactDetailQuery" => self.contact_details(&q),
            "OrganizationDetailQuery" => organisation_details(&q),
            "PersonDataInformerQuery" => self.gdpr(&q),
            "FileInfoQuery" => self.file_info(&q),
            "FileUploadQuery" => self.file_upload(&q),
            "StopQuery" => self.stop(&q, rules),
            _ => self.not_converted(&q),
        }
    }

    /// The question as its conversion reads it, after the notes every type shares; `None`
    /// when the export lacks its type element.
    fn question(&mut self, qi: usize) -> Option<Question<'a>> {
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
            return None;
        };
        if visible == Cond::Never {
            self.note(
                NoteKind::Changed,
                &at,
                "Frågan är dold och ingen regel visar den; den följer med men visas aldrig.",
                "The question is hidden and no rule shows it; it is kept but never shown.",
            );
        }
        Some(Question {
            id,
            name: self.queries[qi].name.clone(),
            at,
            config,
            type_name,
            base: format!("q{id}"),
            help: plain(config, "helpText"),
            description: markdown(config, "description"),
            visible,
            required,
            exported: self.queries[qi].exported.clone(),
        })
    }

    /// `TextFieldQuery`: its one field, or a group of its fields, each typed by its validator.
    fn text_field(&mut self, q: &Question) -> Converted {
        let text_fields = sorted(list(q.config, "Fields", "TextField"));
        if text_fields.is_empty() {
            self.note(
                NoteKind::NotConverted,
                &q.at,
                "Textfältsfrågan har inga fält.",
                "The text field question has no fields.",
            );
            return Converted::default();
        }
        let mut inner = Vec::new();
        let mut export_fields = Vec::new();
        let mut used_elements: Vec<String> = text_fields
            .iter()
            .filter_map(|tf| text(*tf, "xsdElementName"))
            .collect();
        for tf in &text_fields {
            let fid = int(*tf, "textFieldID").unwrap_or(0);
            let field_id = format!("{}_{fid}", q.base);
            let label = text(*tf, "label").unwrap_or_else(|| q.name.clone());
            let mut f = self.validated_field(*tf, &field_id, &label, &q.at);
            if boolean(*tf, "required") {
                apply_required(&mut f, &q.required);
            }
            let element = text(*tf, "xsdElementName")
                .unwrap_or_else(|| unused_element(&label, &used_elements));
            used_elements.push(element.clone());
            export_fields.push(json!({
                "field": field_id,
                "element": element,
                "label": label,
                "required": boolean(*tf, "required"),
            }));
            inner.push(f);
        }
        let export = q.export("TextFieldQuery", json!({ "fields": export_fields }));
        let single = inner.len() == 1
            && text(text_fields[0], "label").is_none_or(|l| l == q.name)
            && q.description.is_none();
        let field = if single {
            let mut f = inner.remove(0);
            q.hint(&mut f);
            apply_visible(&mut f, &q.visible);
            f
        } else {
            q.group(inner)
        };
        Converted::new(vec![field], export)
    }

    /// `RadioButtonQuery`: radio buttons, or a list when there is only one alternative.
    fn radio(&mut self, q: &Question) -> Converted {
        let Some((options, alternatives)) = self.alternatives(q, "RadioButtonAlternative") else {
            return Converted::default();
        };
        let kind = if options.len() >= 2 {
            "radio"
        } else {
            "select"
        };
        let f = json!({ "id": q.base, "type": kind, "label": q.name, "options": options });
        q.choice(f, alternatives, 1)
    }

    /// `DropDownQuery`: a list (with Blankett's own placeholder).
    fn drop_down(&mut self, q: &Question) -> Converted {
        let Some((options, alternatives)) = self.alternatives(q, "DropDownAlternative") else {
            return Converted::default();
        };
        if let Some(placeholder) = text(q.config, "shortDescription") {
            self.note(
                NoteKind::Changed,
                &q.at,
                &format!("Listans platshållare ”{placeholder}” ersätts av Blanketts ”Välj …”."),
                &format!("The list's placeholder \"{placeholder}\" is replaced by Blankett's \"Choose …\"."),
            );
        }
        let f = json!({ "id": q.base, "type": "select", "label": q.name, "options": options });
        q.choice(f, alternatives, 1)
    }

    /// `CheckboxQuery`: checkboxes, with OEP's least and most number of choices.
    fn checkboxes(&mut self, q: &Question) -> Converted {
        let Some((options, alternatives)) = self.alternatives(q, "CheckboxAlternative") else {
            return Converted::default();
        };
        let n = options.len() as i64;
        let mut f =
            json!({ "id": q.base, "type": "checkboxes", "label": q.name, "options": options });
        let mut max_export = alternatives.count.max(1) as i64;
        if let Some(min) = int(q.config, "minChecked").filter(|m| *m > 0 && *m <= n) {
            f["min_choices"] = json!(min);
        }
        if let Some(max) = int(q.config, "maxChecked").filter(|m| *m > 0 && *m <= n) {
            f["max_choices"] = json!(max);
            max_export = max;
        }
        q.choice(f, alternatives, max_export)
    }

    /// A choice question's alternatives (`item` elements) as options, the free-text one last;
    /// `None`, with a note, when there are none.
    fn alternatives(&mut self, q: &Question, item: &str) -> Option<(Vec<Value>, Alternatives)> {
        let alternatives = sorted(list(q.config, "Alternatives", item));
        let free = text(q.config, "freeTextAlternative");
        let mut options: Vec<Value> = Vec::new();
        let mut values = Map::new();
        for a in &alternatives {
            let Some(aid) = int(*a, "alternativeID") else {
                continue;
            };
            let label = text(*a, "name").unwrap_or_else(|| format!("Alternativ {aid}"));
            let xml_value = text(*a, "xmlValue")
                .or_else(|| text(*a, "value"))
                .unwrap_or_else(|| label.clone());
            let value = option_value(aid);
            values.insert(value.clone(), json!(xml_value));
            options.push(json!({ "value": value, "label": label }));
        }
        if let Some(free) = &free {
            options.push(json!({ "value": FREE_TEXT, "label": free }));
        }
        if options.is_empty() {
            self.note(
                NoteKind::NotConverted,
                &q.at,
                "Frågan har inga svarsalternativ.",
                "The question has no alternatives.",
            );
            return None;
        }
        let count = alternatives.len();
        Some((
            options,
            Alternatives {
                count,
                values,
                free,
            },
        ))
    }

    /// `ContactDetailQuery`: the contact fields OEP's settings show, as a group.
    fn contact_details(&mut self, q: &Question) -> Converted {
        if boolean(q.config, "useOfficalAddress") {
            self.note(
                NoteKind::Changed,
                &q.at,
                "Adressen hämtas från folkbokföringen i OEP; i Blankett skriver den sökande den själv (eller den förifylls).",
                "OEP takes the address from the population register; in Blankett the citizen types it (or it is prefilled).",
            );
        }
        let mobile_shown = text(q.config, "fieldMobilePhone").as_deref() != Some("HIDDEN");
        q.details(
            CONTACT_ROWS,
            mobile_shown.then_some("Vill du få meddelanden via sms?"),
        )
    }

    /// `PersonDataInformerQuery`: the "I have read …" checkbox; OEP's texts are not exported.
    fn gdpr(&mut self, q: &Question) -> Converted {
        self.note(
            NoteKind::FillIn,
            &q.at,
            "Texterna om personuppgiftsbehandling är inställningar per e-tjänst i OEP och finns inte i exporten; skriv dem i formulärets privacy-del. Kryssrutan ”Jag har tagit del av …” följer med.",
            "The personal data texts are per-service settings in OEP and are not in the export; write them in the form's privacy notice. The \"I have read …\" checkbox is kept.",
        );
        let f = json!({
            "id": q.base, "type": "checkboxes", "label": q.name,
            "options": [{ "value": "godkant", "label": "Jag har tagit del av informationen om hur mina personuppgifter behandlas" }],
        });
        let mut f = q.finish(f);
        if f.get("required").is_some() || f.get("required_if").is_some() {
            f["min_choices"] = json!(1);
        }
        let export = q.export(
            "PersonDataInformerQuery",
            json!({ "field": q.base, "values": { "godkant": "Personuppgiftshantering accepterat" }, "max": 1 }),
        );
        Converted::new(q.with_info(vec![f], ""), export)
    }

    /// `FileInfoQuery`: an information text; the files to download are not in the export.
    fn file_info(&mut self, q: &Question) -> Converted {
        let files: Vec<String> = list(q.config, "Files", "FileDescriptor")
            .into_iter()
            .filter_map(|f| text(f, "name"))
            .collect();
        if !files.is_empty() {
            self.note(
                NoteKind::Changed,
                &q.at,
                &format!("Filerna att ladda ner ({}) finns inte i exporten; lägg upp dem och länka till dem i texten.", files.join(", ")),
                &format!("The files to download ({}) are not in the export; publish them and link to them in the text.", files.join(", ")),
            );
        }
        let body = q.description.clone().unwrap_or_else(|| q.name.clone());
        let mut f = json!({ "id": q.base, "type": "info", "label": q.name, "text": body });
        apply_visible(&mut f, &q.visible);
        Converted::new(vec![f], None)
    }

    /// `FileUploadQuery`: a `file` field. OEP's allowed extensions become the accepted types
    /// (the ones Blankett knows; the others are reported), its byte limits and count the
    /// field's limits within Blankett's; not converted when none of its extensions is known.
    fn file_upload(&mut self, q: &Question) -> Converted {
        let Some(accept) = self.accepted_types(q) else {
            return Converted::default();
        };
        let oep_count = int(q.config, "maxFileCount").filter(|n| *n > 0);
        let max_files = match oep_count {
            Some(n) if n <= i64::from(MAX_FILES) => n,
            _ => {
                let (sv, en) = match oep_count {
                    Some(n) => (format!("högst {n} filer"), format!("at most {n} files")),
                    None => (
                        "hur många filer som helst".to_owned(),
                        "any number of files".to_owned(),
                    ),
                };
                self.note(
                    NoteKind::Changed,
                    &q.at,
                    &format!("OEP tar emot {sv}; i Blankett tar frågan emot högst {MAX_FILES}."),
                    &format!("OEP takes {en}; in Blankett the question takes at most {MAX_FILES}."),
                );
                i64::from(MAX_FILES)
            }
        };
        let own_size = int(q.config, "maxFileSize").filter(|n| *n > 0);
        let mut max_file_size = match own_size {
            Some(n) => self.within_ceiling(q, n.unsigned_abs()),
            None => FileRules::DEFAULT_MAX_FILE_SIZE,
        };
        let max_total = int(q.config, "maxQuerySize")
            .filter(|n| *n > 0)
            .map(i64::unsigned_abs);
        if let Some(total) = max_total
            && total < max_file_size
        {
            // A file larger than all the question's files together could never be attached.
            max_file_size = total;
        }
        if own_size.is_none() {
            let size = mib(max_file_size);
            self.note(
                NoteKind::Changed,
                &q.at,
                &format!("Frågan har ingen egen största filstorlek i exporten (OEP använder installationens, normalt 50 MB); i Blankett tar den emot filer på högst {size}. Ändra max_file_size om det behövs."),
                &format!("The question has no file size limit of its own in the export (OEP uses the installation's, 50 MB by default); in Blankett it takes files of at most {size}. Change max_file_size if needed."),
            );
        }
        if let Some(len) = int(q.config, "maxFileNameLength").filter(|n| *n > 0 && *n < 255) {
            self.note(
                NoteKind::Changed,
                &q.at,
                &format!("OEP begränsar filnamnen till {len} tecken; Blankett tar emot namn på upp till 255 tecken."),
                &format!("OEP limits file names to {len} characters; Blankett takes names of up to 255 characters."),
            );
        }
        let mut f = json!({
            "id": q.base, "type": "file", "label": q.name,
            "accept": accept.iter().map(|t| t.mime()).collect::<Vec<_>>(),
            "max_file_size": max_file_size,
            "max_files": max_files,
        });
        if let Some(total) = max_total {
            f["max_total_size"] = json!(total);
        }
        let mut extra = json!({ "field": q.base });
        if let Some(n) = oep_count {
            extra["max"] = json!(n);
        }
        if boolean(q.config, "excludeFileContentFromXML") {
            extra["exclude_content"] = json!(true);
        }
        let export = q.export("FileUploadQuery", extra);
        Converted::new(q.with_info(vec![q.finish(f)], ""), export)
    }

    /// The types a file upload question accepts, from its `allowedFileExtensions` (each
    /// extension Blankett does not know reported); every known type when OEP allows any file;
    /// `None`, reported, when none of its extensions is known.
    fn accepted_types(&mut self, q: &Question) -> Option<Vec<FileType>> {
        let extensions: Vec<String> = list(q.config, "allowedFileExtensions", "value")
            .into_iter()
            .filter_map(|n| n.text())
            .map(|e| e.trim().trim_start_matches('.').to_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        if extensions.is_empty() {
            let labels = type_list(&FileType::ALL);
            self.note(
                NoteKind::Changed,
                &q.at,
                &format!("OEP tar emot filer av alla slag här; Blankett tar emot de filtyper det känner igen på innehållet: {labels}."),
                &format!("OEP takes files of any kind here; Blankett takes the file types it recognises by their content: {labels}."),
            );
            return Some(FileType::ALL.to_vec());
        }
        let mut accept: Vec<FileType> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for e in extensions {
            match FileType::from_extension(&e) {
                Some(t) if !accept.contains(&t) => accept.push(t),
                Some(_) => {}
                None if !unknown.contains(&e) => unknown.push(e),
                None => {}
            }
        }
        let named = unknown
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(", ");
        if accept.is_empty() {
            self.note(
                NoteKind::NotConverted,
                &q.at,
                &format!("Blankett tar inte emot någon av frågans filtyper ({named}); frågan följer inte med. Blankett känner igen: {}.", type_list(&FileType::ALL)),
                &format!("Blankett takes none of the question's file types ({named}); the question is left out. Blankett recognises: {}.", type_list(&FileType::ALL)),
            );
            return None;
        }
        if !unknown.is_empty() {
            let taken = type_list(&accept);
            let (sv, en) = if unknown.len() == 1 {
                (
                    format!(
                        "Filtypen {named} tas inte emot i Blankett (den känns inte igen på innehållet)"
                    ),
                    format!(
                        "The file type {named} is not taken in Blankett (it cannot be recognised by its content)"
                    ),
                )
            } else {
                (
                    format!(
                        "Filtyperna {named} tas inte emot i Blankett (de känns inte igen på innehållet)"
                    ),
                    format!(
                        "The file types {named} are not taken in Blankett (they cannot be recognised by their content)"
                    ),
                )
            };
            self.note(
                NoteKind::Changed,
                &q.at,
                &format!("{sv}; frågan tar emot {taken}."),
                &format!("{en}; the question takes {taken}."),
            );
        }
        Some(accept)
    }

    /// A file upload question's largest file size within Blankett's ceiling for one file
    /// (reported when lowered).
    fn within_ceiling(&mut self, q: &Question, bytes: u64) -> u64 {
        if bytes <= MAX_FILE_SIZE {
            return bytes;
        }
        self.note(
            NoteKind::Changed,
            &q.at,
            &format!("OEP:s största filstorlek {} är större än Blanketts tak {} per fil; taket gäller.", mib(bytes), mib(MAX_FILE_SIZE)),
            &format!("OEP's largest file size {} is above Blankett's ceiling of {} per file; the ceiling applies.", mib(bytes), mib(MAX_FILE_SIZE)),
        );
        MAX_FILE_SIZE
    }

    /// `StopQuery`: an information text, and a rule that the answers which show it break,
    /// with its message at the questions that show it. Left out when nothing shows it.
    fn stop(&mut self, q: &Question, rules: &[Rule]) -> Converted {
        let message = plain(q.config, "description").unwrap_or_else(|| q.name.clone());
        let Cond::When(shown) = q.visible.clone() else {
            self.note(
                NoteKind::NotConverted,
                &q.at,
                "Stoppfrågan visas alltid (ingen regel styr den), så e-tjänsten kan aldrig skickas in; den följer inte med.",
                "The stop question is always shown (no rule controls it), so the e-service could never be sent; it is left out.",
            );
            return Converted::default();
        };
        let sources = self.shown_by(rules, q.id);
        let body = q.description.clone().unwrap_or_else(|| message.clone());
        let mut f = json!({ "id": q.base, "type": "info", "label": q.name, "text": body });
        apply_visible(&mut f, &q.visible);
        let mut out = Converted::new(vec![f], None);
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
            &q.at,
            "Stoppfrågan blir en informationstext och en regel: med de svar som visar den går det inte att gå vidare, och meddelandet visas vid frågan som styr den.",
            "The stop question becomes an information text and a rule: with the answers that show it the citizen cannot go on, and the message is shown at the question that controls it.",
        );
        out
    }

    /// A question type Blankett has no equivalent of: reported and left out.
    fn not_converted(&mut self, q: &Question) -> Converted {
        let what = match q.type_name.as_str() {
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
        let other = &q.type_name;
        self.note(
            NoteKind::NotConverted,
            &q.at,
            &format!(
                "Blankett har ingen motsvarighet till {} ({other}); frågan följer inte med.",
                what.0
            ),
            &format!(
                "Blankett has no equivalent of a {} ({other}); the question is left out.",
                what.1
            ),
        );
        Converted::default()
    }

    /// One OEP text field as a Blankett field of the type its validator implies.
    fn validated_field(&mut self, tf: Node<'_, '_>, id: &str, label: &str, at: &str) -> Value {
        let at = format!("{at} › {label}");
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
                self.note(NoteKind::Changed, &at, "Fältet tar personnummer eller organisationsnummer i OEP; i Blankett är det ett textfält utan kontroll av numret.", "The field takes a personnummer or an organisation number in OEP; in Blankett it is a text field without a number check.");
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
                    &at,
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
                &at,
                "Fältets förvalda värde eller spärr följer inte med; använd förifyllnad (prefill) om det behövs.",
                "The field's default value or lock is not kept; use prefill if it is needed.",
            );
        }
        if boolean(tf, "maskFieldContent") {
            self.note(
                NoteKind::Changed,
                &at,
                "Fältet döljer inte det som skrivs.",
                "The field does not mask what is typed.",
            );
        }
        f
    }
}

impl Question<'_> {
    /// The question's `x-oep` mapping of OEP type `kind`, with `extra`'s keys; `None` when OEP
    /// does not export the question.
    fn export(&self, kind: &str, extra: Value) -> Option<Value> {
        let element = self.exported.clone()?;
        let mut v =
            json!({ "query_id": self.id, "name": self.name, "element": element, "type": kind });
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        Some(v)
    }

    /// The description as an information field, shown before the question's own.
    fn info(&self) -> Option<Value> {
        self.description
            .clone()
            .map(|d| json!({ "id": format!("{}_info", self.base), "type": "info", "text": d }))
    }

    /// The help text as the hint of `f`.
    fn hint(&self, f: &mut Value) {
        if let Some(h) = &self.help {
            f["hint"] = json!(h);
        }
    }

    /// The question's one field `f` with its hint, required and shown as the question is.
    fn finish(&self, mut f: Value) -> Value {
        self.hint(&mut f);
        apply_required(&mut f, &self.required);
        apply_visible(&mut f, &self.visible);
        f
    }

    /// The question's fields after its description, which is shown with the question; the
    /// free-text field `follow_up` only while its choice is shown too.
    fn with_info(&self, fields: Vec<Value>, follow_up: &str) -> Vec<Value> {
        let mut all: Vec<Value> = self.info().into_iter().collect();
        all.extend(fields);
        apply_visible_all(&mut all, &self.visible, follow_up);
        all
    }

    /// The question as a group of its description and `inner`, with its hint and visibility.
    fn group(&self, inner: Vec<Value>) -> Value {
        let mut fields = Vec::new();
        fields.extend(self.info());
        fields.extend(inner);
        let mut group =
            json!({ "id": self.base, "type": "group", "label": self.name, "fields": fields });
        self.hint(&mut group);
        apply_visible(&mut group, &self.visible);
        group
    }

    /// A choice question's field `f` (with its options), its free-text follow-up and its
    /// export mapping, which lists at most `max` values.
    fn choice(&self, f: Value, alternatives: Alternatives, max: i64) -> Converted {
        let base = &self.base;
        let multiple = f["type"] == "checkboxes";
        let mut export = json!({
            "field": base,
            "values": Value::Object(alternatives.values),
            "max": max,
        });
        let free = alternatives.free;
        if let Some(free) = &free {
            export["free_text"] =
                json!({ "option": FREE_TEXT, "field": format!("{base}_fritext"), "label": free });
        }
        let export = self.export(&self.type_name, export);
        let mut fields = vec![self.finish(f)];
        if let Some(free) = &free {
            let chosen = if multiple {
                json!({ "in": [FREE_TEXT, { "var": base }] })
            } else {
                json!({ "==": [{ "var": base }, FREE_TEXT] })
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
        Converted::new(self.with_info(fields, &format!("{base}_fritext")), export)
    }

    /// A contact or organisation question as a group of its `rows`' fields, and a yes/no
    /// question about text messages (labelled `sms`) when OEP offers them.
    fn details(&self, rows: &[DetailRow], sms: Option<&str>) -> Converted {
        let (mut inner, export_fields) =
            detail_fields(&self.base, self.config, rows, &self.required);
        let sms = sms
            .filter(|_| boolean(self.config, "allowSMS"))
            .map(|label| (format!("{}_sms", self.base), label));
        if let Some((id, label)) = &sms {
            inner.push(json!({ "id": id, "type": "yes_no", "label": label }));
        }
        let export = self.export(
            &self.type_name,
            json!({ "fields": export_fields, "sms": sms.map(|(id, _)| id) }),
        );
        Converted::new(vec![self.group(inner)], export)
    }
}

/// `TextAreaQuery`: a text area, as long as OEP allows.
fn text_area(q: &Question) -> Converted {
    let max_length = int(q.config, "maxLength").filter(|n| *n > 0);
    let mut f = json!({ "id": q.base, "type": "textarea", "label": q.name });
    if let Some(max) = max_length {
        f["max_length"] = json!(max);
    }
    let export = q.export(
        "TextAreaQuery",
        json!({ "field": q.base, "max_length": max_length.unwrap_or(65535) }),
    );
    Converted::new(q.with_info(vec![q.finish(f)], ""), export)
}

/// Bytes as OEP's administration writes limits: whole MiB when they are (`10 MB`), else bytes.
fn mib(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else {
        format!("{bytes} byte")
    }
}

/// File types as a citizen names them, each once: "PDF, JPEG, PNG".
fn type_list(types: &[FileType]) -> String {
    let mut labels: Vec<&str> = Vec::new();
    for t in types {
        if !labels.contains(&t.label()) {
            labels.push(t.label());
        }
    }
    labels.join(", ")
}

/// `OrganizationDetailQuery`: the organisation's fields OEP's settings show, as a group.
fn organisation_details(q: &Question) -> Converted {
    q.details(ORGANISATION_ROWS, Some("Vill ni få meddelanden via sms?"))
}

/// The XML element of a text field OEP gives no name, as OEP names it: made from the label,
/// numbered when the question already has it.
fn unused_element(label: &str, used: &[String]) -> String {
    let base = element_name(label);
    let mut name = base.clone();
    let mut n = 1;
    while used.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
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

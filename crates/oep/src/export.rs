//! A stored submission → OEP FlowInstance XML, and the per-form XSD to check it against.
//!
//! The XML follows what OEP writes for a submitted case (namespace
//! `http://www.oeplatform.org/version/2.0/schemas/flowinstance`): a `Header` with the flow,
//! the case id, the status and the times, then `Values` with one element per answered
//! question, named by its XSD element name, holding `QueryID`, `Name` and the answer in the
//! question type's shape; a file question holds one `File` per attached file with its bytes in
//! Base64, as OEP's file upload query writes them (the caller passes the bytes by SHA-256).
//! The XSD is built the way OEP builds one (its base schema with the flow's ids fixed and one
//! element per question), with three deliberate differences that make OEP's own cases valid
//! where OEP's schema refuses them: a choice's `Value` is optional when the question has a
//! free-text alternative, the GDPR question declares its `Accepted` element, and a text field
//! is required in the schema only when Blankett always requires it.
//!
//! Which questions are exported and under which names comes from the definition's `x-oep`
//! block (written by the importer for a converted OEP e-service); for a form without one, every
//! question is exported under its field id.

use std::collections::BTreeMap;

use blankett_core::definition::{Definition, Field, FieldKind};
use blankett_core::signing::base64;
use blankett_core::{Date, FileRef, Lang, Text};
use serde_json::Value;

use crate::import::element_name;
use crate::xml::XmlWriter;

/// The FlowInstance namespace.
pub const NAMESPACE: &str = "http://www.oeplatform.org/version/2.0/schemas/flowinstance";

/// Why a form cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The `x-oep` block is not in the shape the importer writes.
    #[error("the definition's x-oep block is malformed: {0}")]
    Mapping(String),
    /// A file the case names is not among the bytes the caller gave (or has another size).
    #[error(
        "the file {sha256} of the answer {field} is missing from the files given to the export"
    )]
    MissingFile {
        /// The answer (field id) that names it.
        field: String,
        /// Its SHA-256.
        sha256: String,
    },
}

/// The flow a form stands for in OEP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    family_id: u64,
    flow_id: u64,
    version: u64,
    name: String,
    status_id: u64,
    status_name: String,
}

/// How one OEP question is filled from the answers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    id: u64,
    name: String,
    element: String,
    shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// One element per field, named per field; `required` in the schema.
    Fields {
        type_name: &'static str,
        fields: Vec<(String, String, bool)>,
        /// A yes/no field answering "contact by SMS" (always written when present).
        sms: Option<SmsField>,
    },
    TextArea {
        field: String,
        max_length: u64,
    },
    Choice {
        type_name: &'static str,
        field: String,
        /// Option value → exported value, in option order.
        values: Vec<(String, String)>,
        max: u64,
        free_text: Option<(String, String)>,
        gdpr: bool,
    },
    /// A file upload: one `File` element per attached file.
    Files {
        field: String,
        /// OEP's `maxFileCount` (`None`: unbounded).
        max: Option<u64>,
        /// Whether each file's bytes are in the XML (`EncodedData`); OEP's
        /// `excludeFileContentFromXML` leaves them out.
        content: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SmsField {
    Field(String),
    /// Always `false`: OEP's organisation question always has the element.
    AlwaysFalse,
}

/// What the exporter needs to know about a form: its flow and its questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    flow: Flow,
    queries: Vec<Query>,
}

/// A stored case.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// OEP's case id: a positive number (the receiver's reference number's sequence).
    pub flow_instance_id: u64,
    /// When it was received, RFC 3339 in UTC (`2026-11-23T09:14:03Z`).
    pub received_at: &'a str,
    /// The submitted answers (an object keyed by field id, canonical values).
    pub answers: &'a Value,
    /// The bytes of the case's attached files by their SHA-256 (lowercase hex): at least those
    /// [`Mapping::file_hashes`] names. An empty map for a case without files.
    pub files: &'a BTreeMap<String, Vec<u8>>,
}

impl Mapping {
    /// The mapping for a definition: from its `x-oep` block, or derived from its fields.
    pub fn new(def: &Definition, x_oep: Option<&Value>) -> Result<Mapping, ExportError> {
        let flow_json = x_oep.and_then(|x| x.get("flow"));
        let number = |key: &str, default: u64| {
            flow_json
                .and_then(|f| f.get(key))
                .and_then(Value::as_u64)
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        let status = x_oep.and_then(|x| x.get("status"));
        let flow = Flow {
            family_id: number("family_id", 1),
            flow_id: number("flow_id", 1),
            version: number(
                "version",
                def.version.parse().ok().filter(|n| *n > 0).unwrap_or(1),
            ),
            name: flow_json
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .map_or_else(|| def.title.get(Lang::Sv).to_owned(), str::to_owned),
            status_id: status
                .and_then(|s| s.get("id"))
                .and_then(Value::as_u64)
                .filter(|n| *n > 0)
                .unwrap_or(1),
            status_name: status
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("Inskickat")
                .to_owned(),
        };
        let queries = match x_oep.and_then(|x| x.get("queries")) {
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .enumerate()
                .map(|(i, q)| {
                    mapped_query(def, q)
                        .map_err(|e| ExportError::Mapping(format!("queries[{i}]: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => derived_queries(def),
        };
        Ok(Mapping { flow, queries })
    }

    /// The SHA-256 of every file whose bytes the case's XML carries (each once, in answer
    /// order): what the caller loads into [`Case::files`].
    pub fn file_hashes(&self, answers: &Value) -> Vec<String> {
        let mut hashes: Vec<String> = Vec::new();
        for q in &self.queries {
            if let Shape::Files {
                field,
                content: true,
                ..
            } = &q.shape
            {
                for file in attached(answers, field) {
                    if !hashes.contains(&file.sha256) {
                        hashes.push(file.sha256);
                    }
                }
            }
        }
        hashes
    }

    /// The case as FlowInstance XML, as ISO-8859-1 bytes (characters beyond Latin-1 as
    /// character references), which is what OEP installations usually write and integrations
    /// read. Attached files are written with their bytes in Base64, as OEP writes them; a
    /// file missing from [`Case::files`] is an error, never left out silently.
    pub fn flowinstance_xml(&self, case: &Case<'_>) -> Result<Vec<u8>, ExportError> {
        let mut w = XmlWriter::with_encoding("ISO-8859-1");
        let location = format!("{NAMESPACE} schema-{}.xsd", self.flow.flow_id);
        w.open(
            "FlowInstance",
            &[
                ("xmlns", NAMESPACE),
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                ("xsi:schemaLocation", &location),
            ],
        );
        w.open("Header", &[]);
        w.open("Flow", &[]);
        w.leaf("FamilyID", &self.flow.family_id.to_string());
        w.leaf("Version", &self.flow.version.to_string());
        w.leaf("FlowID", &self.flow.flow_id.to_string());
        w.leaf("Name", &self.flow.name);
        w.close();
        w.leaf("FlowInstanceID", &case.flow_instance_id.max(1).to_string());
        w.open("Status", &[]);
        w.leaf("ID", &self.flow.status_id.to_string());
        w.leaf("Name", &self.flow.status_name);
        w.close();
        let when = stockholm_time(case.received_at);
        w.leaf("Posted", &when);
        w.leaf("FirstSubmitted", &when);
        w.leaf("LastSubmitted", &when);
        w.close();
        w.open("Values", &[]);
        for q in &self.queries {
            write_query(&mut w, q, case)?;
        }
        w.close();
        Ok(to_latin1(&w.finish()))
    }

    /// The per-form XSD, built as OEP builds one from its base schema.
    pub fn xsd(&self) -> String {
        let mut w = XmlWriter::new();
        w.open(
            "xs:schema",
            &[
                ("xmlns", NAMESPACE),
                ("xmlns:xs", "http://www.w3.org/2001/XMLSchema"),
                ("targetNamespace", NAMESPACE),
                ("elementFormDefault", "qualified"),
                ("attributeFormDefault", "unqualified"),
            ],
        );
        element(&mut w, "FlowInstance", "FlowInstance", None);
        sequence_type(
            &mut w,
            "FlowInstance",
            &[
                ("Header", "Header", 1, "1"),
                ("Values", "Values", 1, "1"),
                ("SigningEvents", "SigningEvents", 0, "1"),
            ],
        );
        w.open("xs:complexType", &[("name", "Header")]);
        w.open("xs:sequence", &[]);
        el(&mut w, "Flow", "Flow", 1, "1", None);
        el(&mut w, "FlowInstanceID", "xs:positiveInteger", 1, "1", None);
        el(&mut w, "Status", "Status", 1, "1", None);
        el(&mut w, "Poster", "User", 0, "1", None);
        el(&mut w, "Owner", "User", 0, "unbounded", None);
        el(&mut w, "Posted", "xs:dateTime", 1, "1", None);
        el(&mut w, "Editor", "User", 0, "1", None);
        el(&mut w, "Updated", "xs:dateTime", 0, "1", None);
        el(&mut w, "FirstSubmitted", "xs:dateTime", 1, "1", None);
        el(&mut w, "LastSubmitted", "xs:dateTime", 1, "1", None);
        w.close();
        w.close();
        w.open("xs:complexType", &[("name", "Values")]);
        w.open("xs:sequence", &[]);
        for q in &self.queries {
            el(&mut w, &q.element, &type_name(q), 0, "1", None);
        }
        w.close();
        w.close();
        sequence_type(
            &mut w,
            "SigningEvents",
            &[("SignEvent", "SignEvent", 0, "unbounded")],
        );
        w.open("xs:complexType", &[("name", "User")]);
        w.open("xs:sequence", &[]);
        el(&mut w, "Firstname", "xs:string", 1, "1", None);
        el(&mut w, "Lastname", "xs:string", 1, "1", None);
        el(&mut w, "Email", "xs:string", 0, "1", None);
        el(&mut w, "ID", "xs:string", 1, "1", None);
        w.close();
        w.close();
        w.open("xs:complexType", &[("name", "Flow")]);
        w.open("xs:sequence", &[]);
        el(
            &mut w,
            "FamilyID",
            "xs:positiveInteger",
            1,
            "1",
            Some(&self.flow.family_id.to_string()),
        );
        el(
            &mut w,
            "Version",
            "xs:positiveInteger",
            1,
            "1",
            Some(&self.flow.version.to_string()),
        );
        el(
            &mut w,
            "FlowID",
            "xs:positiveInteger",
            1,
            "1",
            Some(&self.flow.flow_id.to_string()),
        );
        el(&mut w, "Name", "xs:string", 1, "1", None);
        w.close();
        w.close();
        w.open("xs:complexType", &[("name", "Status")]);
        w.open("xs:sequence", &[]);
        w.open(
            "xs:element",
            &[("name", "ID"), ("minOccurs", "1"), ("maxOccurs", "1")],
        );
        w.open("xs:simpleType", &[]);
        w.open("xs:restriction", &[("base", "xs:positiveInteger")]);
        w.empty(
            "xs:enumeration",
            &[("value", &self.flow.status_id.to_string())],
        );
        w.close();
        w.close();
        w.close();
        el(&mut w, "Name", "xs:string", 1, "1", None);
        w.close();
        w.close();
        sequence_type(
            &mut w,
            "Query",
            &[("QueryID", "xs:positiveInteger", 1, "1")],
        );
        w.open("xs:complexType", &[("name", "SignEvent")]);
        w.open("xs:sequence", &[]);
        el(&mut w, "SignedChecksum", "xs:string", 1, "1", None);
        el(&mut w, "Date", "xs:dateTime", 1, "1", None);
        el(&mut w, "Signer", "User", 1, "1", None);
        w.close();
        w.close();
        w.open("xs:simpleType", &[("name", "StringType")]);
        w.empty("xs:restriction", &[("base", "xs:string")]);
        w.close();
        for q in &self.queries {
            query_xsd(&mut w, q);
        }
        w.finish()
    }
}

fn type_name(q: &Query) -> String {
    let prefix = match &q.shape {
        Shape::Fields { type_name, .. } | Shape::Choice { type_name, .. } => *type_name,
        Shape::TextArea { .. } => "TextAreaQuery",
        Shape::Files { .. } => "FileUploadQuery",
    };
    format!("{prefix}{}", q.id)
}

fn el(w: &mut XmlWriter, name: &str, ty: &str, min: u64, max: &str, fixed: Option<&str>) {
    let min = min.to_string();
    let mut attrs = vec![
        ("name", name),
        ("type", ty),
        ("minOccurs", min.as_str()),
        ("maxOccurs", max),
    ];
    if let Some(f) = fixed {
        attrs.push(("fixed", f));
    }
    w.empty("xs:element", &attrs);
}

fn element(w: &mut XmlWriter, name: &str, ty: &str, _fixed: Option<&str>) {
    w.empty("xs:element", &[("name", name), ("type", ty)]);
}

fn sequence_type(w: &mut XmlWriter, name: &str, items: &[(&str, &str, u64, &str)]) {
    w.open("xs:complexType", &[("name", name)]);
    w.open("xs:sequence", &[]);
    for (n, t, min, max) in items {
        el(w, n, t, *min, max, None);
    }
    w.close();
    w.close();
}

fn query_xsd(w: &mut XmlWriter, q: &Query) {
    let ty = type_name(q);
    w.open("xs:complexType", &[("name", &ty)]);
    w.open("xs:complexContent", &[]);
    w.open("xs:extension", &[("base", "Query")]);
    w.open("xs:sequence", &[]);
    el(w, "Name", "xs:string", 1, "1", Some(&q.name));
    match &q.shape {
        Shape::Fields { fields, sms, .. } => {
            for (element, _, required) in fields {
                el(w, element, "xs:string", u64::from(*required), "1", None);
            }
            if sms.is_some() {
                el(w, "ContactBySMS", "xs:boolean", 1, "1", None);
            }
        }
        Shape::TextArea { max_length, .. } => {
            w.open(
                "xs:element",
                &[("name", "Value"), ("minOccurs", "1"), ("maxOccurs", "1")],
            );
            w.open("xs:simpleType", &[]);
            w.open("xs:restriction", &[("base", "xs:string")]);
            w.empty("xs:maxLength", &[("value", &max_length.to_string())]);
            w.close();
            w.close();
            w.close();
        }
        Shape::Choice {
            max,
            free_text,
            gdpr,
            ..
        } => {
            if *gdpr {
                el(w, "Accepted", "xs:boolean", 0, "1", None);
            }
            let min = u64::from(free_text.is_none());
            el(
                w,
                "Value",
                &format!("{ty}Alternative"),
                min,
                &max.to_string(),
                None,
            );
            if free_text.is_some() {
                el(w, "TextAlternative", "xs:string", 0, "1", None);
            }
        }
        Shape::Files { max, .. } => {
            let max = max.map_or_else(|| "unbounded".to_owned(), |n| n.to_string());
            el(w, "File", &format!("FileType{}", q.id), 0, &max, None);
        }
    }
    w.close();
    w.close();
    w.close();
    w.close();
    if let Shape::Files { content, .. } = &q.shape {
        w.open("xs:complexType", &[("name", &format!("FileType{}", q.id))]);
        w.open("xs:sequence", &[]);
        el(w, "ID", "xs:string", 1, "1", None);
        el(w, "Name", "xs:string", 1, "1", None);
        el(w, "Size", "xs:long", 1, "1", None);
        if *content {
            el(w, "EncodedData", "xs:string", 1, "1", None);
        }
        w.close();
        w.close();
    }
    if let Shape::Choice {
        values, free_text, ..
    } = &q.shape
    {
        w.open("xs:simpleType", &[("name", &format!("{ty}Alternative"))]);
        w.open("xs:restriction", &[("base", "xs:string")]);
        let mut seen: Vec<&str> = Vec::new();
        for (_, v) in values {
            if !seen.contains(&v.as_str()) {
                w.empty("xs:enumeration", &[("value", v)]);
                seen.push(v);
            }
        }
        if let Some((_, label)) = free_text
            && !seen.contains(&label.as_str())
        {
            w.empty("xs:enumeration", &[("value", label)]);
        }
        w.close();
        w.close();
    }
}

/// An answer as the text OEP writes for it.
fn answer_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "Ja" } else { "Nej" }.to_owned()),
        Value::Array(items) if !items.is_empty() => Some(
            items
                .iter()
                .filter_map(answer_text)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// The files attached in answer `field`, in the order the citizen attached them.
fn attached(answers: &Value, field: &str) -> Vec<FileRef> {
    answers
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| serde_json::from_value(f.clone()).ok())
        .collect()
}

fn write_query(w: &mut XmlWriter, q: &Query, case: &Case<'_>) -> Result<(), ExportError> {
    let answers = case.answers;
    let get = |field: &str| answers.get(field).filter(|v| !v.is_null());
    match &q.shape {
        Shape::Fields { fields, sms, .. } => {
            let given: Vec<(&str, String)> = fields
                .iter()
                .filter_map(|(element, field, _)| {
                    Some((element.as_str(), answer_text(get(field)?)?))
                })
                .collect();
            if given.is_empty() {
                return Ok(());
            }
            open_query(w, q);
            for (element, value) in given {
                w.leaf(element, &value);
            }
            match sms {
                Some(SmsField::Field(f)) => w.leaf(
                    "ContactBySMS",
                    if get(f) == Some(&Value::Bool(true)) {
                        "true"
                    } else {
                        "false"
                    },
                ),
                Some(SmsField::AlwaysFalse) => w.leaf("ContactBySMS", "false"),
                None => {}
            }
            w.close();
        }
        Shape::TextArea { field, .. } => {
            let Some(value) = get(field).and_then(answer_text) else {
                return Ok(());
            };
            open_query(w, q);
            w.leaf("Value", &value);
            w.close();
        }
        Shape::Choice {
            field,
            values,
            free_text,
            gdpr,
            ..
        } => {
            let chosen: Vec<&str> = match get(field) {
                Some(Value::String(s)) => vec![s.as_str()],
                Some(Value::Bool(b)) => vec![if *b { "yes" } else { "no" }],
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if chosen.is_empty() {
                return Ok(());
            }
            open_query(w, q);
            if *gdpr {
                w.leaf("Accepted", "true");
            }
            for (option, exported) in values {
                if chosen.contains(&option.as_str()) {
                    w.leaf("Value", exported);
                }
            }
            if let Some((text_field, _)) = free_text
                && let Some(text) = get(text_field).and_then(answer_text)
            {
                w.leaf("TextAlternative", &text);
            }
            w.close();
        }
        Shape::Files { field, content, .. } => {
            let files = attached(answers, field);
            if files.is_empty() {
                return Ok(());
            }
            open_query(w, q);
            for file in files {
                w.open("File", &[]);
                w.leaf("ID", &file.sha256);
                w.leaf("Name", &file.name);
                w.leaf("Size", &file.size.to_string());
                if *content {
                    let bytes = case
                        .files
                        .get(&file.sha256)
                        .filter(|b| b.len() as u64 == file.size)
                        .ok_or_else(|| ExportError::MissingFile {
                            field: field.clone(),
                            sha256: file.sha256.clone(),
                        })?;
                    // Standard Base64 without line breaks, one string.
                    w.leaf("EncodedData", &base64::encode(bytes));
                }
                w.close();
            }
            w.close();
        }
    }
    Ok(())
}

fn open_query(w: &mut XmlWriter, q: &Query) {
    w.open(&q.element, &[]);
    w.leaf("QueryID", &q.id.to_string());
    w.leaf("Name", &q.name);
}

/// A question mapped by the importer (`x-oep.queries[i]`).
fn mapped_query(def: &Definition, q: &Value) -> Result<Query, String> {
    let s = |key: &str| q.get(key).and_then(Value::as_str).map(str::to_owned);
    let id = q
        .get("query_id")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
        .ok_or("query_id must be a positive number")?;
    let name = s("name").ok_or("name is missing")?;
    let element = s("element").ok_or("element is missing")?;
    let kind = s("type").ok_or("type is missing")?;
    let always = |field: &str| def.field(field).is_some_and(|f| f.required);
    let fields = |q: &Value| -> Vec<(String, String, bool)> {
        q.get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let field = f.get("field")?.as_str()?.to_owned();
                let element = f.get("element")?.as_str()?.to_owned();
                let required = always(&field);
                Some((element, field, required))
            })
            .collect()
    };
    let shape = match kind.as_str() {
        "TextFieldQuery" => Shape::Fields {
            type_name: "TextFieldQuery",
            fields: fields(q),
            sms: None,
        },
        "ContactDetailQuery" => Shape::Fields {
            type_name: "ContactChannelQuery",
            fields: fields(q),
            sms: s("sms").map(SmsField::Field),
        },
        "OrganizationDetailQuery" => Shape::Fields {
            type_name: "OrganizationDetailQuery",
            fields: fields(q),
            sms: Some(s("sms").map_or(SmsField::AlwaysFalse, SmsField::Field)),
        },
        "TextAreaQuery" => Shape::TextArea {
            field: s("field").ok_or("field is missing")?,
            max_length: q.get("max_length").and_then(Value::as_u64).unwrap_or(65535),
        },
        "RadioButtonQuery" | "DropDownQuery" | "CheckboxQuery" | "PersonDataInformerQuery" => {
            let field = s("field").ok_or("field is missing")?;
            let exported: BTreeMap<String, String> = q
                .get("values")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default();
            // In the options' order, as the submission lists them.
            let options: Vec<String> = def
                .field(&field)
                .and_then(|f| f.kind.options())
                .map(|o| o.iter().map(|o| o.value.to_string()).collect())
                .unwrap_or_else(|| exported.keys().cloned().collect());
            let values = options
                .into_iter()
                .filter_map(|o| Some((o.clone(), exported.get(&o)?.clone())))
                .collect();
            let free_text = q.get("free_text").and_then(|f| {
                Some((
                    f.get("field")?.as_str()?.to_owned(),
                    f.get("label")?.as_str()?.to_owned(),
                ))
            });
            let type_name = match kind.as_str() {
                "RadioButtonQuery" => "RadioButtonQuery",
                "DropDownQuery" => "DropDownQuery",
                "CheckboxQuery" => "CheckboxQuery",
                _ => "PersonDataInformerQuery",
            };
            Shape::Choice {
                type_name,
                field,
                values,
                max: q
                    .get("max")
                    .and_then(Value::as_u64)
                    .filter(|n| *n > 0)
                    .unwrap_or(1),
                free_text,
                gdpr: kind == "PersonDataInformerQuery",
            }
        }
        "FileUploadQuery" => {
            let field = s("field").ok_or("field is missing")?;
            // OEP's count, but never below what the form takes (an author may raise it).
            let takes = match def.field(&field).map(|f| &f.kind) {
                Some(FieldKind::File(rules)) => u64::from(rules.max_files),
                _ => 0,
            };
            Shape::Files {
                field,
                max: q
                    .get("max")
                    .and_then(Value::as_u64)
                    .filter(|n| *n > 0)
                    .map(|n| n.max(takes)),
                content: q.get("exclude_content") != Some(&Value::Bool(true)),
            }
        }
        other => return Err(format!("unknown type \"{other}\"")),
    };
    Ok(Query {
        id,
        name,
        element,
        shape,
    })
}

/// Every question of a Blankett form as an OEP question of the nearest type, named by its
/// field id. Repeating groups have no OEP equivalent and are not exported.
fn derived_queries(def: &Definition) -> Vec<Query> {
    let mut out = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for (_, field) in def.fields() {
        let Some(shape) = derived_shape(field) else {
            continue;
        };
        let mut element = element_name(field.id.as_str());
        while used.contains(&element) {
            element.push('_');
        }
        used.push(element.clone());
        out.push(Query {
            id: out.len() as u64 + 1,
            name: field.label_in(Lang::Sv).to_owned(),
            element,
            shape,
        });
    }
    out
}

fn derived_shape(field: &Field) -> Option<Shape> {
    let id = field.id.to_string();
    let label = |t: &Text| t.get(Lang::Sv).to_owned();
    let choice = |type_name: &'static str, max: u64| Shape::Choice {
        type_name,
        field: id.clone(),
        values: field
            .kind
            .options()
            .unwrap_or_default()
            .iter()
            .map(|o| (o.value.to_string(), label(&o.label)))
            .collect(),
        max,
        free_text: None,
        gdpr: false,
    };
    Some(match &field.kind {
        FieldKind::Info(_) | FieldKind::Group(_) | FieldKind::Repeat(_) => return None,
        FieldKind::Textarea(rules) => Shape::TextArea {
            field: id,
            max_length: rules.max_length.map_or(65535, u64::from),
        },
        FieldKind::File(rules) => Shape::Files {
            field: id,
            max: Some(u64::from(rules.max_files)),
            content: true,
        },
        FieldKind::Radio(_) => choice("RadioButtonQuery", 1),
        FieldKind::Select(_) => choice("DropDownQuery", 1),
        FieldKind::Checkboxes(c) => {
            let n = c.list.options().len() as u64;
            choice("CheckboxQuery", c.max_choices.map_or(n, u64::from).max(1))
        }
        FieldKind::YesNo => Shape::Choice {
            type_name: "RadioButtonQuery",
            field: id,
            values: vec![("yes".into(), "Ja".into()), ("no".into(), "Nej".into())],
            max: 1,
            free_text: None,
            gdpr: false,
        },
        _ => Shape::Fields {
            type_name: "TextFieldQuery",
            fields: vec![(element_name(&id), id, field.required)],
            sms: None,
        },
    })
}

/// An RFC 3339 UTC time as OEP writes times: Swedish local time, no zone, no fractions
/// (`2026-11-23T10:14:03`). Central European time, with summer time from the last Sunday of
/// March to the last Sunday of October at 01:00 UTC.
pub fn stockholm_time(rfc3339: &str) -> String {
    let number = |r: std::ops::Range<usize>| rfc3339.get(r).and_then(|s| s.parse::<i64>().ok());
    let (Some(day), Some(h), Some(mi), Some(s)) = (
        rfc3339.get(0..10).and_then(Date::parse_iso),
        number(11..13),
        number(14..16),
        number(17..19),
    ) else {
        return rfc3339.chars().take(19).collect();
    };
    let utc = day.day_number() * 86400 + h * 3600 + mi * 60 + s;
    let last_sunday = |month: u8| {
        let last = Date::new(day.year(), month, 31).map_or(0, Date::day_number);
        // 1970-01-01 was a Thursday.
        last - (last + 4).rem_euclid(7)
    };
    let summer = last_sunday(3) * 86400 + 3600..last_sunday(10) * 86400 + 3600;
    let local = utc + if summer.contains(&utc) { 7200 } else { 3600 };
    let (days, secs) = (local.div_euclid(86400), local.rem_euclid(86400));
    let date = Date::from_day_number(days)
        .map_or_else(|| rfc3339.chars().take(10).collect(), |d| d.to_string());
    format!(
        "{date}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Text as ISO-8859-1 bytes; characters beyond Latin-1 become character references (the
/// writer never uses CDATA, so every character is in text or attribute content).
fn to_latin1(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => out.extend(format!("&#x{:X};", u32::from(c)).bytes()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_swedish_local_time_without_zone() {
        assert_eq!(
            stockholm_time("2026-11-23T09:14:03Z"),
            "2026-11-23T10:14:03"
        );
        assert_eq!(
            stockholm_time("2026-07-01T22:30:00Z"),
            "2026-07-02T00:30:00"
        );
        // Summer time starts 2026-03-29 01:00 UTC and ends 2026-10-25 01:00 UTC.
        assert_eq!(
            stockholm_time("2026-03-29T00:59:59Z"),
            "2026-03-29T01:59:59"
        );
        assert_eq!(
            stockholm_time("2026-03-29T01:00:00Z"),
            "2026-03-29T03:00:00"
        );
        assert_eq!(
            stockholm_time("2026-10-25T00:59:59.123Z"),
            "2026-10-25T02:59:59"
        );
        assert_eq!(
            stockholm_time("2026-10-25T01:00:00Z"),
            "2026-10-25T02:00:00"
        );
        assert_eq!(
            stockholm_time("2026-12-31T23:00:00Z"),
            "2027-01-01T00:00:00"
        );
    }

    #[test]
    fn latin1_keeps_swedish_letters_and_references_the_rest() {
        assert_eq!(to_latin1("åäö€"), b"\xe5\xe4\xf6&#x20AC;".to_vec());
    }
}

//! The checked definition model: what a loaded form definition means.
//!
//! These types are built only by [`crate::definition::load`], which checks every rule the
//! format has. They serialize back to format v1 (the same JSON a form author writes), and
//! with the `schema` feature they derive the published JSON Schema.

use std::fmt;

use serde::Serialize;

use super::theme::{Logo, Theme};
use crate::text::{LangTag, Text};

/// The format version this crate reads and writes (`"blankett": "1"`).
pub const FORMAT_VERSION: &str = "1";

/// An identifier of a form, step, field or option: a letter, then letters, digits, `_` or `-`.
///
/// Ids become JSON keys in submissions and parts of element ids in the page, so the loader
/// accepts only this safe alphabet (at most 64 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transparent))]
#[serde(transparent)]
pub struct Id(
    #[cfg_attr(
        feature = "schema",
        schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"))
    )]
    pub(crate) String,
);

impl Id {
    /// Checks `s` against the id alphabet and wraps it.
    pub fn new(s: &str) -> Option<Id> {
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        (first_ok && rest_ok && s.len() <= 64).then(|| Id(s.to_owned()))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A complete, checked form definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Format version marker; always `"1"`.
    pub blankett: String,
    /// The form's id, stable across versions (e.g. `felanmalan`).
    pub id: Id,
    /// The definition's version, chosen by its author (e.g. `"2026-11-01"` or `"3"`).
    #[cfg_attr(feature = "schema", schemars(schema_with = "version_schema"))]
    pub version: String,
    /// The languages the form offers, as BCP 47 tags, the first being the one a text missing
    /// in another language falls back to (`["sv", "fi", "ar"]`); the language switch offers
    /// exactly these. Without it (as before), `["sv", "en"]`.
    #[serde(
        default = "default_languages",
        skip_serializing_if = "is_default_languages"
    )]
    #[cfg_attr(feature = "schema", schemars(schema_with = "languages_schema"))]
    pub languages: Vec<LangTag>,
    /// The form's title, shown as the page's only `h1`.
    pub title: Text,
    /// A short description shown on the start page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Who publishes the form.
    pub organisation: Organisation,
    /// How the citizen's personal data is processed (GDPR art. 13); required.
    pub privacy: PrivacyNotice,
    /// Where the finished submission is sent.
    pub submit: Submit,
    /// The steps (pages) of the form, in order.
    pub steps: Vec<Step>,
    /// Cross-field rules checked on the review page and by the receiver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Where prefilled values come from besides the page (e.g. the logged-in citizen's data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefill: Option<PrefillSource>,
    /// How drafts of this form are kept on the citizen's device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drafts: Option<DraftPolicy>,
}

/// How drafts of a form are kept on the citizen's device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftPolicy {
    /// Days a draft is kept after its last change (default 30, at most 365); 0 keeps no
    /// drafts of this form on the device.
    #[cfg_attr(feature = "schema", schemars(range(max = 365)))]
    pub keep_days: u32,
}

/// A JSON endpoint with values for prefilled fields, e.g. the citizen's name and address from login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PrefillSource {
    /// The endpoint's URL (`https://…` or a same-site path); fetched with the citizen's cookies.
    pub endpoint: String,
}

/// That a field may be prefilled, from which key, and whether a trusted value locks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Prefill {
    /// The key in the prefill data: a name, or a dotted path such as `address.postal_code`.
    pub key: String,
    /// Whether a value from a trusted source (the endpoint or the embedding page) locks the field.
    #[serde(default, skip_serializing_if = "is_false")]
    pub lock: bool,
}

/// The languages of a definition that does not say: Swedish, then English.
pub fn default_languages() -> Vec<LangTag> {
    vec![LangTag::SV, LangTag::EN]
}

fn is_default_languages(languages: &[LangTag]) -> bool {
    languages == default_languages()
}

#[cfg(feature = "schema")]
fn languages_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "The languages the form offers, as BCP 47 tags (e.g. [\"sv\", \"fi\", \"ar\"]); the first is the one a missing translation falls back to. Default [\"sv\", \"en\"].",
        "type": "array",
        "minItems": 1,
        "uniqueItems": true,
        "items": {
            "type": "string",
            "maxLength": 15,
            "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
        }
    })
}

#[cfg(feature = "schema")]
fn version_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "The definition's version: a string, or a number kept as written.",
        "type": ["string", "number"]
    })
}

/// The organisation (municipality, region, agency) that publishes the form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// The organisation's name, e.g. "Exempelby kommun".
    pub name: Text,
    /// How a citizen reaches the organisation with questions about the form.
    pub contact: Contact,
    /// The organisation's logo, shown with its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<Logo>,
    /// The organisation's colours, corner radius and font (a host page's own `--bk-*` win).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
}

/// Contact details; at least one of them is given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// An e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A telephone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// A web page (`https://…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The privacy notice every e-service must show before the citizen starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PrivacyNotice {
    /// The controller (personuppgiftsansvarig), e.g. "Tekniska nämnden".
    pub controller: Text,
    /// Why the data is processed.
    pub purpose: Text,
    /// The legal basis (rättslig grund), e.g. public interest.
    pub legal_basis: Text,
    /// How long the data is kept.
    pub retention: Text,
    /// Who else receives the data, if anyone.
    pub recipients: Text,
    /// A page describing the citizen's rights (`https://…`).
    pub rights_url: String,
    /// How to reach the data protection officer, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Text>,
    /// Days a received case is kept, counted from when it arrived, before the receiver's
    /// retention deletes it (1–36500); without it, the receiver never deletes the form's cases.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 36500)))]
    pub keep_days: Option<u32>,
}

/// The most days `privacy.keep_days` may say: a hundred years.
pub const MAX_CASE_KEEP_DAYS: u32 = 36_500;

/// Where and how the submission is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Submit {
    /// The receiver's URL: absolute `https://…` or a path on the app's own origin (`/api/submissions`).
    pub url: String,
}

/// One step (page) of the form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The step's id, unique among steps.
    pub id: Id,
    /// The step's title, shown as its heading.
    pub title: Text,
    /// Optional text shown under the heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The step applies only when this holds; otherwise it is skipped and its answers not sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
    /// The fields on this step, in order.
    pub fields: Vec<Field>,
    /// Cross-field rules checked when the citizen leaves this step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
}

/// One field: a question, a group of questions or an information text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Field {
    /// The field's id, unique in the whole form; the key of its answer.
    pub id: Id,
    /// The label (or legend for groups and choices); required except for `info`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
    /// Help shown under the label, e.g. the expected format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// Whether an answer is required (not for `info` and `group`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The HTML `autocomplete` token(s), so browsers can fill personal data (WCAG 1.3.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// The `inputmode`, so phones show the right keyboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputmode: Option<InputMode>,
    /// The id of another field whose answer this one must equal (e.g. "repeat your e-mail").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub must_match: Option<Id>,
    /// The field is shown (and validated and sent) only when this holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
    /// The field is required when this holds (in addition to `required`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Condition>,
    /// The citizen cannot change the field while this holds (e.g. a prefilled value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only_if: Option<Condition>,
    /// The field may be prefilled from this key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
    /// The field type and its type-specific rules.
    #[serde(flatten)]
    pub kind: FieldKind,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The closed set of field types, with the rules each type takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// A single line of text.
    Text(TextRules),
    /// Several lines of text.
    Textarea(TextRules),
    /// A decimal number (`,` or `.` as decimal sign).
    Number(NumberRules),
    /// A whole number.
    Integer(NumberRules),
    /// An e-mail address.
    Email(TextRules),
    /// A telephone number as Swedish e-services accept it.
    Phone,
    /// A calendar date.
    Date(DateRules),
    /// One option from a drop-down list.
    Select(ChoiceRules),
    /// One option from radio buttons.
    Radio(ChoiceRules),
    /// Any number of options from checkboxes.
    Checkboxes(MultiChoiceRules),
    /// Yes or no, as two radio buttons.
    YesNo,
    /// A Swedish personnummer (and, unless turned off, samordningsnummer).
    Personnummer(PersonnummerRules),
    /// A Swedish organisationsnummer.
    Organisationsnummer,
    /// A Swedish postal code (`NNN NN`).
    PostalCode,
    /// Information text in a safe markdown subset; not a question.
    Info(InfoContent),
    /// A group of fields shown together in a fieldset.
    Group(GroupContent),
    /// A group of fields the citizen fills in once per row (children, co-applicants).
    Repeat(RepeatContent),
    /// A read-only value computed from other answers (a fee, a sum); sent with the answers.
    Computed(ComputedRules),
    /// One or more attached files (a site plan, a certificate, a photo).
    File(FileRules),
}

impl FieldKind {
    /// The `type` name as written in a definition.
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldKind::Text(_) => "text",
            FieldKind::Textarea(_) => "textarea",
            FieldKind::Number(_) => "number",
            FieldKind::Integer(_) => "integer",
            FieldKind::Email(_) => "email",
            FieldKind::Phone => "phone",
            FieldKind::Date(_) => "date",
            FieldKind::Select(_) => "select",
            FieldKind::Radio(_) => "radio",
            FieldKind::Checkboxes(_) => "checkboxes",
            FieldKind::YesNo => "yes_no",
            FieldKind::Personnummer(_) => "personnummer",
            FieldKind::Organisationsnummer => "organisationsnummer",
            FieldKind::PostalCode => "postal_code",
            FieldKind::Info(_) => "info",
            FieldKind::Group(_) => "group",
            FieldKind::Repeat(_) => "repeat",
            FieldKind::Computed(_) => "computed",
            FieldKind::File(_) => "file",
        }
    }

    /// Whether the answer is written left to right in every language: numbers, dates,
    /// personal and organisation numbers, postal codes, phone numbers and e-mail addresses keep
    /// their order inside a right-to-left page.
    pub fn is_left_to_right(&self) -> bool {
        matches!(
            self,
            FieldKind::Number(_)
                | FieldKind::Integer(_)
                | FieldKind::Email(_)
                | FieldKind::Phone
                | FieldKind::Date(_)
                | FieldKind::Personnummer(_)
                | FieldKind::Organisationsnummer
                | FieldKind::PostalCode
                | FieldKind::Computed(_)
        )
    }

    /// Whether the citizen answers the field with one value (everything but `info`,
    /// `group`, `repeat` and `computed`).
    pub fn is_question(&self) -> bool {
        !matches!(
            self,
            FieldKind::Info(_)
                | FieldKind::Group(_)
                | FieldKind::Repeat(_)
                | FieldKind::Computed(_)
        )
    }

    /// Whether the field has a value in the submission: questions, computed values and
    /// repeating groups (an array of rows).
    pub fn has_value(&self) -> bool {
        !matches!(self, FieldKind::Info(_) | FieldKind::Group(_))
    }

    /// The options of a choice field, if it is one.
    pub fn options(&self) -> Option<&[ChoiceOption]> {
        match self {
            FieldKind::Select(c) | FieldKind::Radio(c) => Some(c.list.options()),
            FieldKind::Checkboxes(c) => Some(c.list.options()),
            _ => None,
        }
    }
}

/// Every `type` name a definition may use, in documentation order.
pub const FIELD_TYPES: [&str; 19] = [
    "text",
    "textarea",
    "number",
    "integer",
    "email",
    "phone",
    "date",
    "select",
    "radio",
    "checkboxes",
    "yes_no",
    "personnummer",
    "organisationsnummer",
    "postal_code",
    "info",
    "group",
    "repeat",
    "computed",
    "file",
];

/// Length and pattern rules for text answers.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TextRules {
    /// The fewest characters allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// The most characters allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A pattern the whole answer must match, with the message shown when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Pattern>,
}

/// A regular expression (the `regex-lite` syntax) that the whole answer must match.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// The expression, without anchors: it is matched against the whole answer.
    pub regex: String,
    /// The message shown when the answer does not match, in plain language.
    pub message: Text,
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) compiled: regex_lite::Regex,
}

impl Pattern {
    /// Compiles `regex` anchored at both ends.
    pub fn new(regex: &str, message: Text) -> Result<Pattern, regex_lite::Error> {
        let compiled = regex_lite::Regex::new(&format!("^(?:{regex})$"))?;
        Ok(Pattern {
            regex: regex.to_owned(),
            message,
            compiled,
        })
    }

    /// Whether the whole of `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        self.compiled.is_match(value)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.regex == other.regex && self.message == other.message
    }
}

/// Range rules for numbers.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NumberRules {
    /// The smallest value allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The largest value allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// Range rules for dates.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DateRules {
    /// The earliest date allowed: `YYYY-MM-DD`, or `today`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<DateBound>,
    /// The latest date allowed: `YYYY-MM-DD`, or `today`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<DateBound>,
}

/// A date limit: a fixed date or the day the citizen fills in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    /// The day of filling in (the caller supplies it; core has no clock).
    Today,
    /// A fixed date.
    Fixed(crate::formats::Date),
}

impl DateBound {
    /// Parses `today` or `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<DateBound> {
        if s == "today" {
            Some(DateBound::Today)
        } else {
            crate::formats::Date::parse_iso(s).map(DateBound::Fixed)
        }
    }

    /// The concrete date, given today's date.
    pub fn resolve(self, today: crate::formats::Date) -> crate::formats::Date {
        match self {
            DateBound::Today => today,
            DateBound::Fixed(d) => d,
        }
    }
}

impl Serialize for DateBound {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DateBound::Today => s.serialize_str("today"),
            DateBound::Fixed(d) => s.collect_str(d),
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DateBound {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DateBound".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A date `YYYY-MM-DD`, or `today`.",
            "type": "string",
            "pattern": "^(today|[0-9]{4}-[0-9]{2}-[0-9]{2})$"
        })
    }
}

/// The options of a single-choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChoiceRules {
    /// The options: written out, or a list fetched from a URL.
    #[serde(flatten)]
    pub list: OptionList,
}

/// Where a choice field's options come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum OptionList {
    /// Options written in the definition.
    Inline {
        /// The options, in the order shown.
        options: Vec<ChoiceOption>,
    },
    /// A code list fetched from a URL (shared by forms, maintained in one place).
    Remote {
        /// Where the list is.
        options_from: OptionsSource,
        /// The list once fetched and checked; empty until then.
        #[serde(skip)]
        #[cfg_attr(feature = "schema", schemars(skip))]
        resolved: Vec<ChoiceOption>,
    },
}

impl OptionList {
    /// The options in effect (none for a remote list not yet resolved).
    pub fn options(&self) -> &[ChoiceOption] {
        match self {
            OptionList::Inline { options } => options,
            OptionList::Remote { resolved, .. } => resolved,
        }
    }

    /// The URL of a remote list.
    pub fn url(&self) -> Option<&str> {
        match self {
            OptionList::Inline { .. } => None,
            OptionList::Remote { options_from, .. } => Some(&options_from.url),
        }
    }
}

/// A JSON code list: an array of options (`{"value", "label", "hint"}`), or `{"options": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OptionsSource {
    /// The list's URL: `https://…` or a same-site path such as `/forms/lists/forskolor.json`.
    pub url: String,
}

/// What a `file` field takes: the accepted types and the limits, checked in the browser and
/// again by the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FileRules {
    /// The accepted types, each a MIME type (`application/pdf`) or an extension (`.pdf`);
    /// every file's type is found by its content, never by its name alone.
    pub accept: Vec<AcceptedType>,
    /// The largest size of one file, in bytes (default 10 MiB, at most 100 MiB).
    #[cfg_attr(feature = "schema", schemars(default = "schema_max_file_size"))]
    pub max_file_size: u64,
    /// How many files the citizen may attach (default 1, at most 20).
    #[cfg_attr(feature = "schema", schemars(default = "schema_max_files"))]
    pub max_files: u32,
    /// The largest size of all the field's files together, in bytes (default
    /// `max_file_size` × `max_files`).
    #[cfg_attr(
        feature = "schema",
        schemars(default, transform = schema_without_default)
    )]
    pub max_total_size: u64,
    /// Offer the phone's camera: `environment` (the back camera) or `user` (the front one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<Capture>,
    /// Make photos smaller on the device before they are kept and sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downscale: Option<Downscale>,
}

impl FileRules {
    /// The default `max_file_size`: 10 MiB.
    pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

    /// The accepted types, without repeats, in the order of [`FileType::ALL`](crate::files::FileType::ALL).
    pub fn types(&self) -> Vec<crate::files::FileType> {
        crate::files::FileType::ALL
            .into_iter()
            .filter(|t| self.accept.iter().any(|a| a.0 == *t))
            .collect()
    }

    /// Whether a file of this type is accepted.
    pub fn accepts(&self, t: crate::files::FileType) -> bool {
        self.accept.iter().any(|a| a.0 == t)
    }

    /// The accepted types as the browser's file chooser takes them (`accept` attribute):
    /// each type's MIME type and extensions.
    pub fn accept_attribute(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for t in self.types() {
            parts.push(t.mime().to_owned());
            parts.extend(t.extensions().iter().map(|e| format!(".{e}")));
        }
        parts.join(",")
    }
}

#[cfg(feature = "schema")]
fn schema_max_file_size() -> u64 {
    FileRules::DEFAULT_MAX_FILE_SIZE
}

#[cfg(feature = "schema")]
fn schema_max_files() -> u32 {
    1
}

/// `max_total_size` is optional, and its default depends on the other two limits.
#[cfg(feature = "schema")]
fn schema_without_default(schema: &mut schemars::Schema) {
    schema.remove("default");
}

/// One accepted file type, written as a MIME type or an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedType(pub crate::files::FileType);

impl Serialize for AcceptedType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.mime())
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for AcceptedType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AcceptedType".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut names: Vec<String> = Vec::new();
        for t in crate::files::FileType::ALL {
            names.push(t.mime().to_owned());
            names.extend(t.extensions().iter().map(|e| format!(".{e}")));
        }
        schemars::json_schema!({
            "description": "A MIME type or a file name extension (with its dot); ASCII case is ignored.",
            "type": "string",
            "examples": names,
        })
    }
}

/// Which of the phone's cameras a file field offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Capture {
    /// The camera on the back (a document, a broken street lamp).
    Environment,
    /// The camera on the front.
    User,
}

impl Capture {
    /// The value of the file input's `capture` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Capture::Environment => "environment",
            Capture::User => "user",
        }
    }
}

/// How photos are made smaller on the device: the longest side and the JPEG quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Downscale {
    /// The longest side in pixels after downscaling (320–10000); smaller photos stay as they are.
    pub max_side: u32,
    /// The JPEG quality, 1–100 (default 85).
    pub jpeg_quality: u8,
}

/// The options and limits of a multiple-choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MultiChoiceRules {
    /// The options: written out, or a list fetched from a URL.
    #[serde(flatten)]
    pub list: OptionList,
    /// The fewest options the citizen must choose (when answering at all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_choices: Option<u32>,
    /// The most options the citizen may choose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<u32>,
}

/// One option of a choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// The value submitted when this option is chosen.
    pub value: Id,
    /// The text the citizen sees.
    pub label: Text,
    /// Optional help under the option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
}

/// Rules for personnummer fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonnummerRules {
    /// Whether a samordningsnummer (day + 60) is accepted too; default true.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub allow_samordningsnummer: bool,
}

impl Default for PersonnummerRules {
    fn default() -> Self {
        PersonnummerRules {
            allow_samordningsnummer: true,
        }
    }
}

fn is_true(b: &bool) -> bool {
    *b
}

#[cfg_attr(
    not(feature = "schema"),
    allow(dead_code, reason = "only the schema derive reads it")
)]
fn default_true() -> bool {
    true
}

/// The content of an information text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InfoContent {
    /// The text, in the safe markdown subset (paragraphs, lists, bold, italic, links).
    pub text: Text,
}

/// The fields of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupContent {
    /// The fields inside the group, in order.
    pub fields: Vec<Field>,
}

/// A repeating group: its fields, filled in once per row, and how many rows there may be.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RepeatContent {
    /// The fields of one row, in order (no repeating group inside another).
    pub fields: Vec<Field>,
    /// The fewest rows the citizen must fill in; this many rows are shown from the start.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_rows: u32,
    /// The most rows allowed; no limit when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<u32>,
    /// What one row is called, numbered after it: "Syskon" gives "Syskon 1", "Syskon 2".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_label: Option<Text>,
    /// The add button's text; "Lägg till" and the item label when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_label: Option<Text>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The HTML `inputmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum InputMode {
    /// The standard keyboard.
    Text,
    /// Digits and a decimal separator.
    Decimal,
    /// Digits only.
    Numeric,
    /// A telephone keypad.
    Tel,
    /// A keyboard for e-mail addresses.
    Email,
    /// A keyboard for web addresses.
    Url,
    /// A keyboard for searching.
    Search,
}

impl InputMode {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            InputMode::Text => "text",
            InputMode::Decimal => "decimal",
            InputMode::Numeric => "numeric",
            InputMode::Tel => "tel",
            InputMode::Email => "email",
            InputMode::Url => "url",
            InputMode::Search => "search",
        }
    }

    /// Parses an attribute value.
    pub fn parse(s: &str) -> Option<InputMode> {
        [
            InputMode::Text,
            InputMode::Decimal,
            InputMode::Numeric,
            InputMode::Tel,
            InputMode::Email,
            InputMode::Url,
            InputMode::Search,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

impl Field {
    /// The label in `lang`, or an empty string for unlabelled info texts.
    pub fn label_in(&self, lang: impl Into<LangTag>) -> &str {
        self.label.as_ref().map_or("", |t| t.get(lang))
    }

    /// The `inputmode` to use: the definition's, or the type's sensible default.
    pub fn effective_inputmode(&self) -> Option<InputMode> {
        self.inputmode.or(match &self.kind {
            FieldKind::Number(_) => Some(InputMode::Decimal),
            FieldKind::Integer(_)
            | FieldKind::Personnummer(_)
            | FieldKind::Organisationsnummer
            | FieldKind::PostalCode => Some(InputMode::Numeric),
            FieldKind::Phone => Some(InputMode::Tel),
            FieldKind::Email(_) => Some(InputMode::Email),
            _ => None,
        })
    }

    /// The `autocomplete` token to use: the definition's, or the type's sensible default.
    pub fn effective_autocomplete(&self) -> Option<&str> {
        self.autocomplete.as_deref().or(match &self.kind {
            FieldKind::Email(_) => Some("email"),
            FieldKind::Phone => Some("tel"),
            FieldKind::PostalCode => Some("postal-code"),
            _ => None,
        })
    }
}

impl Definition {
    /// The URLs of the code lists the form's choice fields need, each once.
    pub fn option_urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = Vec::new();
        for field in self
            .steps
            .iter()
            .flat_map(|s| FieldsInOrder::all(&s.fields))
        {
            if let Some(url) = option_list(&field.kind).and_then(OptionList::url)
                && !urls.iter().any(|u| u == url)
            {
                urls.push(url.to_owned());
            }
        }
        urls
    }

    /// Every form-level field in document order, groups included, with the index of its step.
    /// A repeating group is one field here; its rows' fields are not included.
    pub fn fields(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.steps
            .iter()
            .enumerate()
            .flat_map(|(i, step)| FieldsInOrder::new(&step.fields).map(move |f| (i, f)))
    }

    /// The form-level questions (fields that take an answer) in document order, with their
    /// step index; the questions inside repeating groups are not included.
    pub fn questions(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.fields().filter(|(_, f)| f.kind.is_question())
    }

    /// How many days a draft of this form is kept after its last change (0: none kept).
    pub fn keep_days(&self) -> u32 {
        self.drafts
            .map_or(crate::draft::DEFAULT_KEEP_DAYS, |d| d.keep_days)
    }

    /// Whether drafts of this form are kept on the device at all.
    pub fn keeps_drafts(&self) -> bool {
        self.keep_days() > 0
    }

    /// The field a key names: a form-level field id, or a row key (`syskon[0].namn`).
    pub fn field(&self, key: &str) -> Option<&Field> {
        match crate::answers::split_row_key(key) {
            Some((repeat, _, id)) => self.repeat(repeat)?.row_field(id),
            None => self.fields().map(|(_, f)| f).find(|f| f.id.as_str() == key),
        }
    }

    /// The repeating group with this id.
    pub fn repeat(&self, id: &str) -> Option<&RepeatContent> {
        match &self.field(id)?.kind {
            FieldKind::Repeat(r) => Some(r),
            _ => None,
        }
    }

    /// The index of the step holding the field a key names.
    pub fn step_of(&self, key: &str) -> Option<usize> {
        let id = crate::answers::split_row_key(key).map_or(key, |(repeat, _, _)| repeat);
        self.fields()
            .find(|(_, f)| f.id.as_str() == id)
            .map(|(i, _)| i)
    }
}

impl Definition {
    /// The field ids any expression reads (conditions, computed values, rules): a change to
    /// another field cannot change what is shown, required, read-only or computed.
    pub fn read_by_expressions(&self) -> std::collections::HashSet<String> {
        let mut out = std::collections::HashSet::new();
        let mut add = |expr: &crate::expr::Expr| {
            out.extend(referenced_fields(expr).into_iter().map(str::to_owned));
        };
        for rule in &self.rules {
            add(rule.rule.expr());
        }
        for step in &self.steps {
            if let Some(c) = &step.visible_if {
                add(&c.expr);
            }
            for rule in &step.rules {
                add(rule.rule.expr());
            }
            for field in FieldsInOrder::all(&step.fields) {
                for c in [&field.visible_if, &field.required_if, &field.read_only_if]
                    .into_iter()
                    .flatten()
                {
                    add(&c.expr);
                }
                if let FieldKind::Computed(c) = &field.kind {
                    add(c.expression.expr());
                }
            }
        }
        out
    }
}

impl RepeatContent {
    /// The field of a row with this id (inside the row's groups too).
    pub fn row_field(&self, id: &str) -> Option<&Field> {
        FieldsInOrder::new(&self.fields).find(|f| f.id.as_str() == id)
    }

    /// A row's fields in document order, groups included.
    pub fn row_fields(&self) -> impl Iterator<Item = &Field> {
        FieldsInOrder::new(&self.fields)
    }
}

impl Step {
    /// How many questions the step shows, inside groups and a repeating group's row too (the
    /// checker's measure of a step's length).
    pub fn question_count(&self) -> usize {
        FieldsInOrder::all(&self.fields)
            .filter(|f| f.kind.is_question())
            .count()
    }

    /// The questions on this step (inside groups too), in order.
    pub fn questions(&self) -> Vec<&Field> {
        let mut out = Vec::new();
        collect(&self.fields, &mut out);
        out.retain(|f| f.kind.is_question());
        out
    }

    /// The fields with a value on this step: questions and computed values, in order.
    pub fn value_fields(&self) -> Vec<&Field> {
        let mut out = Vec::new();
        collect(&self.fields, &mut out);
        out.retain(|f| f.kind.has_value());
        out
    }

    /// Every field on this step with the key of its answer, in document order: form-level
    /// fields by id, and after each repeating group its rows' fields by row key.
    pub fn entries<'a>(&'a self, answers: &crate::Answers) -> Vec<(String, &'a Field)> {
        let mut out = Vec::new();
        for field in FieldsInOrder::new(&self.fields) {
            out.push((field.id.0.clone(), field));
            if let FieldKind::Repeat(r) = &field.kind {
                for row in 0..answers.row_count(field.id.as_str()) {
                    for inner in r.row_fields() {
                        out.push((
                            crate::answers::row_key(field.id.as_str(), row, inner.id.as_str()),
                            inner,
                        ));
                    }
                }
            }
        }
        out
    }
}

fn option_list(kind: &FieldKind) -> Option<&OptionList> {
    match kind {
        FieldKind::Select(c) | FieldKind::Radio(c) => Some(&c.list),
        FieldKind::Checkboxes(c) => Some(&c.list),
        _ => None,
    }
}

fn collect<'a>(fields: &'a [Field], out: &mut Vec<&'a Field>) {
    out.extend(FieldsInOrder::new(fields));
}

/// Fields in document order, groups before their fields, without collecting them first
/// (the state is re-evaluated on every keystroke, and it walks every field).
struct FieldsInOrder<'a> {
    /// The fields still to visit at each open group level, innermost last.
    stack: Vec<std::slice::Iter<'a, Field>>,
    /// Whether to visit the fields of repeating groups' rows too.
    into_repeats: bool,
}

impl<'a> FieldsInOrder<'a> {
    fn new(fields: &'a [Field]) -> Self {
        FieldsInOrder {
            stack: vec![fields.iter()],
            into_repeats: false,
        }
    }

    fn all(fields: &'a [Field]) -> Self {
        FieldsInOrder {
            stack: vec![fields.iter()],
            into_repeats: true,
        }
    }
}

impl<'a> Iterator for FieldsInOrder<'a> {
    type Item = &'a Field;

    fn next(&mut self) -> Option<&'a Field> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                Some(field) => {
                    match &field.kind {
                        FieldKind::Group(g) => self.stack.push(g.fields.iter()),
                        FieldKind::Repeat(r) if self.into_repeats => {
                            self.stack.push(r.fields.iter());
                        }
                        _ => {}
                    }
                    return Some(field);
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

/// A condition: a JsonLogic expression, or the short form for choices
/// (`{"choice": "category", "any_of": ["lamp", "road"]}`), compiled to an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The condition as written, for serializing back.
    pub(crate) source: serde_json::Value,
    /// The field a short form refers to, if it is one.
    pub(crate) choice: Option<Id>,
    /// The expression that decides it.
    pub(crate) expr: crate::expr::Expr,
}

impl Condition {
    /// Whether the condition holds for these expression data.
    pub fn holds(&self, data: &serde_json::Value, cx: &crate::expr::EvalContext) -> bool {
        self.expr.is_true(data, cx)
    }

    /// The field ids the condition reads.
    pub fn fields(&self) -> Vec<&str> {
        referenced_fields(&self.expr)
    }

    /// The condition as written in the definition.
    pub fn source(&self) -> &serde_json::Value {
        &self.source
    }
}

/// The field ids an expression reads: the first segment of each `var` path.
pub(crate) fn referenced_fields(expr: &crate::expr::Expr) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for path in expr.vars() {
        let id = path.split('.').next().unwrap_or(path);
        if !id.is_empty() && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.source.serialize(s)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Condition {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Condition".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A JsonLogic expression over answers by field id (`{\"var\": \"field_id\"}`), or the short form for choices: `{\"choice\": \"field_id\", \"any_of\": [values]}` (or `all_of`, `none_of`).",
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "choice": { "type": "string" },
                        "any_of": { "type": "array", "items": { "type": "string" } },
                        "all_of": { "type": "array", "items": { "type": "string" } },
                        "none_of": { "type": "array", "items": { "type": "string" } }
                    },
                    "required": ["choice"],
                    "additionalProperties": false
                },
                { "type": "object", "minProperties": 1, "maxProperties": 1 },
                { "type": "boolean" }
            ]
        })
    }
}

/// A JsonLogic expression as written in a definition (computed values, rules).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Expression(pub(crate) crate::expr::Expr);

impl Expression {
    /// The compiled expression.
    pub fn expr(&self) -> &crate::expr::Expr {
        &self.0
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Expression {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Expression".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A JsonLogic expression; answers are read with {\"var\": \"field_id\"}. See docs/form-definition.md for the operators."
        })
    }
}

/// A cross-field rule: when `rule` is false, `message` is shown at each of `fields`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The expression that must hold, e.g. `{"<": [{"var": "start"}, {"var": "end"}]}`.
    pub rule: Expression,
    /// What the citizen is told when it does not, e.g. "Slutdatum måste vara efter startdatum".
    pub message: Text,
    /// The fields the message is shown at (at least one).
    pub fields: Vec<Id>,
}

/// How a computed value is calculated and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ComputedRules {
    /// The expression over other answers, e.g. `{"*": [{"var": "days"}, 150]}`.
    pub expression: Expression,
    /// A unit shown after the value, e.g. `{"sv": "kr", "en": "SEK"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Text>,
}

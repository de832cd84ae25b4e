//! Problems found while loading a definition, each with its JSON path and a plain message.

use std::fmt;

use super::theme::ContrastFailure;
use crate::Lang;

/// How serious a problem is: errors stop the form from loading, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The definition cannot be used until this is fixed.
    Error,
    /// The definition works, but something is probably not what the author meant.
    Warning,
}

/// One problem in a definition, at a JSON path such as `steps[2].fields[0].type`.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Where the problem is: dotted keys and `[index]`, empty for the whole document.
    pub path: String,
    /// Whether it stops the form from loading.
    pub severity: Severity,
    /// What is wrong.
    pub problem: Problem,
}

impl Diagnostic {
    /// The diagnostic as the citizen's page lists it, without words in any language:
    /// `path: code`, e.g. `steps[0].fields[2].type: unknown_field_type`. A missing property
    /// is named in the path (`privacy: missing`), as it is the only detail that code needs.
    pub fn code_line(&self) -> String {
        let mut path = self.path.clone();
        if let Problem::Missing(property) = self.problem {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(property);
        }
        if path.is_empty() {
            self.problem.code().to_owned()
        } else {
            format!("{path}: {}", self.problem.code())
        }
    }

    /// The diagnostic as one line, `path: message`, in `lang`.
    pub fn line(&self, lang: Lang) -> String {
        let message = self.problem.message(lang);
        match (self.path.is_empty(), self.severity) {
            (true, Severity::Error) => message,
            (false, Severity::Error) => format!("{}: {message}", self.path),
            (true, Severity::Warning) => format!("({}) {message}", warning_word(lang)),
            (false, Severity::Warning) => {
                format!("{}: ({}) {message}", self.path, warning_word(lang))
            }
        }
    }
}

/// "warning" in `lang`, as a warning's line says it: `path: (warning) message`.
pub fn warning_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => "varning",
        Lang::En => "warning",
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line(Lang::En))
    }
}

/// What kind of thing an id names, for duplicate-id messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A field id (unique in the whole form).
    Field,
    /// A step id.
    Step,
    /// An option value within one field.
    Option,
}

/// Everything that can be wrong with a definition. `Display` is English; see [`Problem::message`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// The text is not JSON at all.
    #[error("not valid JSON: {message} (line {line}, column {column})")]
    Syntax {
        /// serde_json's description.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A key written twice in one object: parsers disagree on which value counts.
    #[error("the key is written twice in the same object; keep one")]
    DuplicateKey,
    /// A value has the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the format wants here.
        expected: &'static str,
        /// What the document has.
        found: &'static str,
    },
    /// A required property is absent.
    #[error("missing required property \"{0}\"")]
    Missing(&'static str),
    /// A property the format does not know (typos are caught here).
    #[error("unknown property \"{name}\"{}", did_you_mean(suggestion.as_deref()))]
    UnknownProperty {
        /// The property as written.
        name: String,
        /// The closest known property, if one is close.
        suggestion: Option<&'static str>,
    },
    /// A property that exists, but not for this field type.
    #[error("\"{property}\" does not apply to a field of type \"{field_type}\"")]
    NotApplicable {
        /// The property as written.
        property: String,
        /// The field's type.
        field_type: &'static str,
    },
    /// The `blankett` marker names another format version.
    #[error("unsupported format version \"{0}\": this runtime reads version \"1\"")]
    UnsupportedVersion(String),
    /// The field `type` is not one of the known types.
    #[error("unknown field type \"{found}\"{}", did_you_mean(suggestion.as_deref()))]
    UnknownFieldType {
        /// The type as written.
        found: String,
        /// The closest known type, if one is close.
        suggestion: Option<&'static str>,
    },
    /// An id with characters outside the safe alphabet.
    #[error(
        "\"{0}\" is not a valid id: start with a letter, then use letters, digits, \"_\" or \"-\" (at most 64)"
    )]
    InvalidId(String),
    /// An id used twice where it must be unique.
    #[error("duplicate {} \"{id}\", first used at {first}", id_kind_en(*kind))]
    DuplicateId {
        /// What the id names.
        kind: IdKind,
        /// The id.
        id: String,
        /// The path of its first use.
        first: String,
    },
    /// A text with nothing in it.
    #[error("text is empty")]
    EmptyText,
    /// A per-language text without Swedish.
    #[error("text has no Swedish version (\"sv\"); Swedish is shown when a language is missing")]
    MissingSwedish,
    /// A key in a per-language text that is not a language code.
    #[error("\"{0}\" is not a language code (use e.g. \"sv\", \"en\", \"fi\")")]
    BadLanguageCode(String),
    /// A language listed twice in `languages`.
    #[error("\"{0}\" is listed twice")]
    DuplicateLanguage(String),
    /// `languages` that does not start with Swedish.
    #[error(
        "the first language must be Swedish (\"sv\"): a text missing in another language is shown in Swedish"
    )]
    FirstLanguageNotSwedish,
    /// A form without steps.
    #[error("the form has no steps")]
    NoSteps,
    /// A step with more questions than a citizen can take in on a phone (a warning).
    #[error(
        "has {questions} questions: long steps are hard on a phone — consider splitting it (one thing per page, at most {advised} questions)"
    )]
    LongStep {
        /// The questions on the step.
        questions: usize,
        /// The most the checker advises.
        advised: usize,
    },
    /// A step with so many questions that it would freeze a citizen's phone (an error).
    #[error("has {questions} questions, more than {max} on one step: split it into several steps")]
    StepTooLong {
        /// The questions on the step.
        questions: usize,
        /// The most allowed.
        max: usize,
    },
    /// A step or group without fields.
    #[error("has no fields")]
    NoFields,
    /// A `pattern.regex` that does not compile.
    #[error("invalid regular expression: {0}")]
    InvalidPattern(String),
    /// A lower limit above its upper limit.
    #[error("\"{low}\" ({low_value}) is greater than \"{high}\" ({high_value})")]
    LimitsReversed {
        /// The lower limit's property.
        low: &'static str,
        /// Its value.
        low_value: String,
        /// The upper limit's property.
        high: &'static str,
        /// Its value.
        high_value: String,
    },
    /// A reference to a field id that is not in the form.
    #[error("refers to field \"{0}\", which does not exist")]
    UnknownField(String),
    /// A reference to an info text or group, which have no answer.
    #[error("refers to \"{0}\", which takes no answer")]
    NotAQuestion(String),
    /// A field that refers to itself.
    #[error("refers to the field itself")]
    SelfReference,
    /// A choice field with too few options.
    #[error("needs at least {0} option(s)")]
    TooFewOptions(usize),
    /// A choice limit larger than the number of options.
    #[error("\"{property}\" is {value}, but there are only {options} options")]
    MoreChoicesThanOptions {
        /// `min_choices` or `max_choices`.
        property: &'static str,
        /// Its value.
        value: u32,
        /// How many options there are.
        options: usize,
    },
    /// A URL that is neither `https://…` nor a path on the same site.
    #[error("\"{0}\" is not an https:// address or a path starting with \"/\"")]
    InvalidUrl(String),
    /// A contact e-mail that is not an e-mail address.
    #[error("\"{0}\" is not an e-mail address")]
    InvalidEmail(String),
    /// Contact details with nothing in them.
    #[error("give at least one of \"email\", \"phone\" or \"url\"")]
    NoContact,
    /// An `autocomplete` value HTML does not define.
    #[error(
        "\"{0}\" is not an HTML autocomplete token (e.g. \"given-name\", \"email\", \"postal-code\")"
    )]
    UnknownAutocomplete(String),
    /// An `inputmode` value HTML does not define.
    #[error("unknown inputmode \"{0}\" (use text, decimal, numeric, tel, email, url or search)")]
    UnknownInputMode(String),
    /// A date limit that is not a date.
    #[error("\"{0}\" is not a date (YYYY-MM-DD) or \"today\"")]
    InvalidDate(String),
    /// A number that must be a whole number and is not.
    #[error("must be a whole number")]
    NotWholeNumber,
    /// Groups nested deeper than the runtime renders well.
    #[error("groups may be nested at most {0} levels deep")]
    TooDeep(usize),
    /// A problem inside a JsonLogic expression.
    #[error("{0}")]
    Expression(crate::expr::ExprErrorKind),
    /// The choice short form names a field that has no options.
    #[error(
        "\"{0}\" is not a select, radio, checkboxes or yes_no field, so it has no options to choose"
    )]
    NotAChoiceField(String),
    /// The choice short form names a value the field does not offer.
    #[error("\"{value}\" is not an option of \"{field}\" (yes_no fields have \"yes\" and \"no\")")]
    UnknownOptionValue {
        /// The choice field.
        field: String,
        /// The value as written.
        value: String,
    },
    /// The choice short form without exactly one of its three lists.
    #[error("give exactly one of \"any_of\", \"all_of\" or \"none_of\"")]
    ChoiceFormShape,
    /// Fields whose visibility or value depend on each other in a circle.
    #[error("these fields depend on each other in a circle: {}", .0.join(" → "))]
    Cycle(Vec<String>),
    /// A comparison whose literal can never equal the field's value.
    #[error("compares \"{field}\" with {literal}, which it never equals: its value is {expected}")]
    ComparisonNeverTrue {
        /// The field read with `var`.
        field: String,
        /// The literal as JSON.
        literal: String,
        /// What the field's value is.
        expected: &'static str,
    },
    /// Both `options` and `options_from`.
    #[error("give either \"options\" or \"options_from\", not both")]
    OptionsTwice,
    /// A rule with no field to show its message at.
    #[error("a rule needs at least one field in \"fields\" to show its message at")]
    RuleWithoutFields,
    /// Something a row of a repeating group cannot hold.
    #[error("{0} is not supported inside a repeating group")]
    NotInRepeat(&'static str),
    /// A reference from outside a repeating group to one of its rows' fields.
    #[error(
        "refers to \"{field}\", which is inside the repeating group \"{repeat}\": outside it, read the rows with {{\"var\": \"{repeat}\"}} (an array of objects)"
    )]
    RowFieldOutside {
        /// The field in the rows.
        field: String,
        /// The repeating group.
        repeat: String,
    },
    /// A `must_match` in a row naming a field outside that row.
    #[error("in a repeating group, must_match names a field of the same row; \"{0}\" is not one")]
    MustMatchOutsideRow(String),
    /// `max_rows` of zero.
    #[error("must be at least 1")]
    ZeroRows,
    /// A number above the largest allowed.
    #[error("must be at most {max}")]
    TooLarge {
        /// The largest allowed.
        max: u32,
    },
    /// A number below the smallest allowed.
    #[error("must be at least {min}")]
    TooSmall {
        /// The smallest allowed.
        min: u32,
    },
    /// A text longer than allowed.
    #[error("is longer than {max} characters")]
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// An image address with a scheme other than https, or otherwise unusable.
    #[error(
        "\"{0}\" is not an https:// address or a relative path (javascript:, data: and other schemes are not allowed)"
    )]
    InvalidImageSrc(String),
    /// A theme colour that is not `#rgb` or `#rrggbb`.
    #[error("\"{0}\" is not a colour: write #rgb or #rrggbb in hexadecimal, e.g. \"#005a9c\"")]
    InvalidColour(String),
    /// A theme radius that is not `0`, `<n>px` or `<n>rem` within the limits.
    #[error(
        "\"{0}\" is not a corner radius: write 0, or a number with px (at most 32px) or rem (at most 2rem), e.g. \"4px\""
    )]
    InvalidRadius(String),
    /// A character a theme's font-family list may not hold.
    #[error(
        "a font-family list may hold only letters A–Z, digits, spaces, commas, hyphens and quotes, not \"{0}\""
    )]
    FontCharacter(char),
    /// Two theme colours with too little contrast (a warning).
    #[error("{0}")]
    LowContrast(ContrastFailure),
    /// An `accept` item that is none of the file types the runtime recognises by content.
    #[error(
        "\"{0}\" is not a file type Blankett recognises: write a MIME type or an extension such as \"application/pdf\" or \".pdf\" (the list is in docs/form-definition.md)"
    )]
    UnknownFileType(String),
    /// `accept` with no type in it.
    #[error("list at least one file type the field accepts")]
    NoFileTypes,
    /// A `capture` that names no camera.
    #[error(
        "\"{0}\" is not a camera: write \"environment\" (the back camera) or \"user\" (the front one)"
    )]
    UnknownCapture(String),
    /// A size in bytes above the format's ceiling.
    #[error("must be at most {0} bytes (100 MiB)")]
    TooManyBytes(u64),
    /// A file field property that needs a type the field does not accept.
    #[error("\"{property}\" needs {needs} in \"accept\"")]
    NeedsFileType {
        /// `capture` or `downscale`.
        property: &'static str,
        /// What `accept` must hold, in words.
        needs: &'static str,
    },
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!(" (did you mean \"{s}\"?)"))
        .unwrap_or_default()
}

fn id_kind_en(k: IdKind) -> &'static str {
    match k {
        IdKind::Field => "field id",
        IdKind::Step => "step id",
        IdKind::Option => "option value",
    }
}

fn id_kind_sv(k: IdKind) -> &'static str {
    match k {
        IdKind::Field => "fält-id",
        IdKind::Step => "steg-id",
        IdKind::Option => "svarsalternativ",
    }
}

impl Problem {
    /// The problem's stable code, e.g. `unknown_field_type`: what the citizen's page lists
    /// (with the path) and what docs/form-definition.md explains (§ Diagnostic codes).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Syntax { .. } => "syntax",
            Problem::DuplicateKey => "duplicate_key",
            Problem::WrongType { .. } => "wrong_type",
            Problem::Missing(..) => "missing",
            Problem::UnknownProperty { .. } => "unknown_property",
            Problem::NotApplicable { .. } => "not_applicable",
            Problem::UnsupportedVersion(..) => "unsupported_version",
            Problem::UnknownFieldType { .. } => "unknown_field_type",
            Problem::InvalidId(..) => "invalid_id",
            Problem::DuplicateId { .. } => "duplicate_id",
            Problem::EmptyText => "empty_text",
            Problem::MissingSwedish => "missing_swedish",
            Problem::BadLanguageCode(..) => "bad_language_code",
            Problem::DuplicateLanguage(..) => "duplicate_language",
            Problem::FirstLanguageNotSwedish => "first_language_not_swedish",
            Problem::NoSteps => "no_steps",
            Problem::LongStep { .. } => "long_step",
            Problem::StepTooLong { .. } => "step_too_long",
            Problem::NoFields => "no_fields",
            Problem::InvalidPattern(..) => "invalid_pattern",
            Problem::LimitsReversed { .. } => "limits_reversed",
            Problem::UnknownField(..) => "unknown_field",
            Problem::NotAQuestion(..) => "not_a_question",
            Problem::SelfReference => "self_reference",
            Problem::TooFewOptions(..) => "too_few_options",
            Problem::MoreChoicesThanOptions { .. } => "more_choices_than_options",
            Problem::InvalidUrl(..) => "invalid_url",
            Problem::InvalidEmail(..) => "invalid_email",
            Problem::NoContact => "no_contact",
            Problem::UnknownAutocomplete(..) => "unknown_autocomplete",
            Problem::UnknownInputMode(..) => "unknown_input_mode",
            Problem::InvalidDate(..) => "invalid_date",
            Problem::NotWholeNumber => "not_whole_number",
            Problem::TooDeep(..) => "too_deep",
            Problem::Expression(kind) => kind.code(),
            Problem::NotAChoiceField(..) => "not_a_choice_field",
            Problem::UnknownOptionValue { .. } => "unknown_option_value",
            Problem::ChoiceFormShape => "choice_form_shape",
            Problem::Cycle(..) => "cycle",
            Problem::ComparisonNeverTrue { .. } => "comparison_never_true",
            Problem::OptionsTwice => "options_twice",
            Problem::RuleWithoutFields => "rule_without_fields",
            Problem::NotInRepeat(..) => "not_in_repeat",
            Problem::RowFieldOutside { .. } => "row_field_outside",
            Problem::MustMatchOutsideRow(..) => "must_match_outside_row",
            Problem::ZeroRows => "zero_rows",
            Problem::TooLarge { .. } => "too_large",
            Problem::TooSmall { .. } => "too_small",
            Problem::TooLong { .. } => "too_long",
            Problem::InvalidImageSrc(..) => "invalid_image_src",
            Problem::InvalidColour(..) => "invalid_colour",
            Problem::InvalidRadius(..) => "invalid_radius",
            Problem::FontCharacter(..) => "font_character",
            Problem::LowContrast(..) => "low_contrast",
            Problem::UnknownFileType(..) => "unknown_file_type",
            Problem::NoFileTypes => "no_file_types",
            Problem::UnknownCapture(..) => "unknown_capture",
            Problem::TooManyBytes(..) => "too_many_bytes",
            Problem::NeedsFileType { .. } => "needs_file_type",
        }
    }

    /// The message in `lang`, written for a form author.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Sv => self.message_sv(),
        }
    }

    fn message_sv(&self) -> String {
        let meant = |s: &Option<&str>| {
            s.map(|s| format!(" (menade du \"{s}\"?)"))
                .unwrap_or_default()
        };
        match self {
            Problem::Syntax {
                message,
                line,
                column,
            } => {
                format!("inte giltig JSON: {message} (rad {line}, kolumn {column})")
            }
            Problem::DuplicateKey => {
                "nyckeln står två gånger i samma objekt; behåll en av dem".to_owned()
            }
            Problem::WrongType { expected, found } => {
                format!("ska vara {}, men är {}", type_sv(expected), type_sv(found))
            }
            Problem::Missing(p) => format!("egenskapen \"{p}\" saknas men krävs"),
            Problem::UnknownProperty { name, suggestion } => {
                format!("okänd egenskap \"{name}\"{}", meant(suggestion))
            }
            Problem::NotApplicable {
                property,
                field_type,
            } => {
                format!("\"{property}\" gäller inte fält av typen \"{field_type}\"")
            }
            Problem::UnsupportedVersion(v) => {
                format!("formatversion \"{v}\" stöds inte: den här versionen läser version \"1\"")
            }
            Problem::UnknownFieldType { found, suggestion } => {
                format!("okänd fälttyp \"{found}\"{}", meant(suggestion))
            }
            Problem::InvalidId(id) => format!(
                "\"{id}\" är inte ett giltigt id: börja med en bokstav och använd sedan bokstäver, siffror, \"_\" eller \"-\" (högst 64)"
            ),
            Problem::DuplicateId { kind, id, first } => {
                format!(
                    "{} \"{id}\" används redan, först vid {first}",
                    id_kind_sv(*kind)
                )
            }
            Problem::EmptyText => "texten är tom".into(),
            Problem::MissingSwedish => {
                "texten saknar svensk version (\"sv\"); svenska visas när ett språk saknas".into()
            }
            Problem::BadLanguageCode(c) => {
                format!("\"{c}\" är ingen språkkod (använd t.ex. \"sv\", \"en\", \"fi\")")
            }
            Problem::DuplicateLanguage(c) => format!("\"{c}\" står två gånger"),
            Problem::FirstLanguageNotSwedish => "första språket måste vara svenska (\"sv\"): \
                 en text som saknas på ett annat språk visas på svenska"
                .into(),
            Problem::NoSteps => "formuläret har inga steg".into(),
            Problem::LongStep { questions, advised } => format!(
                "har {questions} frågor: långa steg är svåra på en telefon — dela gärna upp det (en sak per sida, högst {advised} frågor)"
            ),
            Problem::StepTooLong { questions, max } => format!(
                "har {questions} frågor, fler än {max} på ett steg: dela upp det i flera steg"
            ),
            Problem::NoFields => "har inga fält".into(),
            Problem::InvalidPattern(e) => format!("ogiltigt reguljärt uttryck: {e}"),
            Problem::LimitsReversed {
                low,
                low_value,
                high,
                high_value,
            } => {
                format!("\"{low}\" ({low_value}) är större än \"{high}\" ({high_value})")
            }
            Problem::UnknownField(id) => format!("hänvisar till fältet \"{id}\", som inte finns"),
            Problem::NotAQuestion(id) => format!("hänvisar till \"{id}\", som inte tar något svar"),
            Problem::SelfReference => "hänvisar till sig självt".into(),
            Problem::UnknownFileType(t) => format!(
                "\"{t}\" är ingen filtyp som Blankett känner igen: skriv en MIME-typ eller en filändelse som \"application/pdf\" eller \".pdf\" (listan finns i docs/form-definition.md)"
            ),
            Problem::NoFileTypes => "ange minst en filtyp som fältet tar emot".into(),
            Problem::UnknownCapture(c) => format!(
                "\"{c}\" är ingen kamera: skriv \"environment\" (kameran på baksidan) eller \"user\" (den på framsidan)"
            ),
            Problem::TooManyBytes(max) => format!("får vara högst {max} byte (100 MiB)"),
            Problem::NeedsFileType { property, needs } => {
                let needs = match *needs {
                    "an image type" => "en bildtyp",
                    "image/jpeg" => "image/jpeg",
                    other => other,
                };
                format!("\"{property}\" kräver {needs} i \"accept\"")
            }
            Problem::TooFewOptions(n) => format!("behöver minst {n} svarsalternativ"),
            Problem::MoreChoicesThanOptions {
                property,
                value,
                options,
            } => {
                format!("\"{property}\" är {value}, men det finns bara {options} svarsalternativ")
            }
            Problem::InvalidUrl(u) => {
                format!("\"{u}\" är varken en https://-adress eller en sökväg som börjar med \"/\"")
            }
            Problem::InvalidEmail(e) => format!("\"{e}\" är ingen e-postadress"),
            Problem::NoContact => "ange minst en av \"email\", \"phone\" eller \"url\"".into(),
            Problem::UnknownAutocomplete(t) => format!(
                "\"{t}\" är inget autocomplete-värde i HTML (t.ex. \"given-name\", \"email\", \"postal-code\")"
            ),
            Problem::UnknownInputMode(m) => format!(
                "okänt inputmode \"{m}\" (använd text, decimal, numeric, tel, email, url eller search)"
            ),
            Problem::InvalidDate(d) => {
                format!("\"{d}\" är inget datum (ÅÅÅÅ-MM-DD) eller \"today\"")
            }
            Problem::NotWholeNumber => "måste vara ett heltal".into(),
            Problem::TooDeep(n) => format!("grupper får vara inbäddade i högst {n} nivåer"),
            Problem::Expression(kind) => kind.message(Lang::Sv),
            Problem::NotAChoiceField(id) => format!(
                "\"{id}\" är inte ett fält av typen select, radio, checkboxes eller yes_no, så det har inga svarsalternativ"
            ),
            Problem::UnknownOptionValue { field, value } => format!(
                "\"{value}\" är inget svarsalternativ i \"{field}\" (yes_no-fält har \"yes\" och \"no\")"
            ),
            Problem::ChoiceFormShape => {
                "ange exakt en av \"any_of\", \"all_of\" eller \"none_of\"".into()
            }
            Problem::Cycle(ids) => format!(
                "de här fälten beror av varandra i en cirkel: {}",
                ids.join(" → ")
            ),
            Problem::ComparisonNeverTrue {
                field,
                literal,
                expected,
            } => format!(
                "jämför \"{field}\" med {literal}, som fältet aldrig har: dess värde är {}",
                match *expected {
                    "true or false" => "true eller false",
                    "a number" => "ett tal",
                    "one of the field's option values" => "ett av fältets svarsalternativ",
                    _ => "en lista (pröva ett alternativ med \"in\")",
                }
            ),
            Problem::OptionsTwice => {
                "ange antingen \"options\" eller \"options_from\", inte båda".into()
            }
            Problem::RuleWithoutFields => {
                "en regel behöver minst ett fält i \"fields\" att visa sitt meddelande vid".into()
            }
            Problem::NotInRepeat(what) => format!("{what} stöds inte i en upprepad grupp"),
            Problem::RowFieldOutside { field, repeat } => format!(
                "hänvisar till \"{field}\", som ligger i den upprepade gruppen \"{repeat}\": utanför den läser du raderna med {{\"var\": \"{repeat}\"}} (en lista med objekt)"
            ),
            Problem::MustMatchOutsideRow(id) => format!(
                "i en upprepad grupp ska must_match peka på ett fält i samma rad; \"{id}\" gör inte det"
            ),
            Problem::ZeroRows => "måste vara minst 1".into(),
            Problem::TooLarge { max } => format!("får vara högst {max}"),
            Problem::TooSmall { min } => format!("måste vara minst {min}"),
            Problem::TooLong { max } => format!("är längre än {max} tecken"),
            Problem::InvalidImageSrc(s) => format!(
                "\"{s}\" är varken en https://-adress eller en relativ sökväg (javascript:, data: och andra scheman är inte tillåtna)"
            ),
            Problem::InvalidColour(s) => format!(
                "\"{s}\" är ingen färg: skriv #rgb eller #rrggbb hexadecimalt, t.ex. \"#005a9c\""
            ),
            Problem::InvalidRadius(s) => format!(
                "\"{s}\" är ingen hörnradie: skriv 0, eller ett tal med px (högst 32px) eller rem (högst 2rem), t.ex. \"4px\""
            ),
            Problem::FontCharacter(c) => format!(
                "en lista med typsnitt får bara innehålla bokstäverna A–Z, siffror, mellanslag, kommatecken, bindestreck och citattecken, inte \"{c}\""
            ),
            Problem::LowContrast(failure) => failure.message(Lang::Sv),
        }
    }
}

fn type_sv(t: &str) -> &str {
    match t {
        "an object" => "ett objekt",
        "an array" => "en lista",
        "a string" => "en sträng",
        "a number" => "ett tal",
        "a whole number ≥ 0" => "ett heltal ≥ 0",
        "true or false" => "true eller false",
        "null" => "null",
        "a non-empty array" => "en lista som inte är tom",
        "a string or an object of language codes to strings" => {
            "en sträng eller ett objekt med språkkoder och strängar"
        }
        other => other,
    }
}

#[cfg(test)]
mod tests;

//! Validation: the same rules in the browser and in the receiver.
//!
//! Each question gets at most one issue (the first rule it breaks), so the citizen is told
//! one thing to fix at a time. Nothing here reads a clock: today's date comes in [`Context`].

use crate::answers::{Answer, Answers};
use crate::definition::{Definition, Field, FieldKind, Step};
use crate::formats::{
    self, Date, OrganisationsnummerError, PersonnummerError, parse_organisationsnummer,
    parse_personnummer,
};
use crate::logic::FormState;
use crate::text::{Lang, Text};

/// What validation needs from outside: today's date in the citizen's (or receiver's) time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// Today, for "not in the future" rules and `today` date limits.
    pub today: Date,
}

/// One problem with one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// The id of the field the issue belongs to.
    pub field: String,
    /// What is wrong.
    pub code: IssueCode,
}

/// Everything that can be wrong with an answer; [`IssueCode::message`] says it in plain language.
#[derive(Debug, Clone, PartialEq)]
pub enum IssueCode {
    /// A required text-like field is empty.
    Required,
    /// A required choice has nothing chosen.
    RequiredChoice,
    /// Fewer characters than `min_length`.
    TooShort {
        /// The minimum.
        min: u32,
    },
    /// More characters than `max_length`.
    TooLong {
        /// The maximum.
        max: u32,
        /// How many characters the answer has.
        actual: usize,
    },
    /// The answer does not match the field's pattern; carries the author's message.
    Pattern(Text),
    /// Not a number.
    NotANumber,
    /// Not a whole number.
    NotAWholeNumber,
    /// A number below `min`.
    BelowMin(String),
    /// A number above `max`.
    AboveMax(String),
    /// Not an e-mail address.
    InvalidEmail,
    /// Not a telephone number.
    InvalidPhone,
    /// Not a valid date.
    InvalidDate,
    /// A date before the earliest allowed.
    DateTooEarly(Date),
    /// A date after the latest allowed.
    DateTooLate(Date),
    /// A value that is not one of the options.
    UnknownOption,
    /// Fewer options chosen than `min_choices`.
    TooFewChoices(u32),
    /// More options chosen than `max_choices`.
    TooManyChoices(u32),
    /// A yes/no answer that is neither.
    InvalidYesNo,
    /// A personnummer that breaks a rule.
    Personnummer(PersonnummerError),
    /// An organisationsnummer that breaks a rule.
    Organisationsnummer(OrganisationsnummerError),
    /// Not a Swedish postal code.
    InvalidPostalCode,
    /// Differs from the field it must match; carries that field's label.
    Mismatch(Text),
    /// An answer of the wrong JSON shape for its field (receiver only).
    WrongShape,
    /// An answer for a field the form does not have, or that takes no answer (receiver only).
    UnknownField,
    /// A cross-field rule does not hold; carries the rule's message.
    Rule(Text),
    /// An answer for a field that is hidden by its conditions (receiver only).
    HiddenField,
    /// A computed value that differs from what the definition computes (receiver only).
    ComputedMismatch,
    /// A repeating group with fewer rows than `min_rows`.
    TooFewRows(u32),
    /// A repeating group with more rows than `max_rows`.
    TooManyRows(u32),
    /// A problem a receiver reported, with its own localized message.
    Receiver {
        /// The receiver's machine-readable code.
        code: String,
        /// The receiver's message.
        message: Text,
    },
}

impl IssueCode {
    /// The message shown next to the field, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        let pick = |s: &str, e: &str| if sv { s.to_owned() } else { e.to_owned() };
        match self {
            IssueCode::Required => pick("Fyll i det här fältet.", "Fill in this field."),
            IssueCode::RequiredChoice => pick("Välj ett alternativ.", "Choose an option."),
            IssueCode::TooShort { min } => {
                if sv {
                    format!("Skriv minst {min} tecken.")
                } else {
                    format!("Enter at least {min} characters.")
                }
            }
            IssueCode::TooLong { max, actual } => {
                if sv {
                    format!("Skriv högst {max} tecken. Du har skrivit {actual}.")
                } else {
                    format!("Enter at most {max} characters. You have entered {actual}.")
                }
            }
            IssueCode::Pattern(message) => message.get(lang).to_owned(),
            IssueCode::NotANumber => pick(
                "Skriv ett tal, till exempel 12 eller 12,5.",
                "Enter a number, for example 12 or 12.5.",
            ),
            IssueCode::NotAWholeNumber => pick(
                "Skriv ett heltal, till exempel 12.",
                "Enter a whole number, for example 12.",
            ),
            IssueCode::BelowMin(min) => {
                if sv {
                    format!("Talet måste vara {} eller större.", min.replace('.', ","))
                } else {
                    format!("The number must be {min} or more.")
                }
            }
            IssueCode::AboveMax(max) => {
                if sv {
                    format!("Talet måste vara {} eller mindre.", max.replace('.', ","))
                } else {
                    format!("The number must be {max} or less.")
                }
            }
            IssueCode::InvalidEmail => pick(
                "Skriv e-postadressen i formatet namn@exempel.se.",
                "Enter the e-mail address in the format name@example.com.",
            ),
            IssueCode::InvalidPhone => pick(
                "Skriv ett telefonnummer, till exempel 070-123 45 67.",
                "Enter a telephone number, for example 070-123 45 67 or +46 70 123 45 67.",
            ),
            IssueCode::InvalidDate => pick(
                "Skriv ett datum som finns, i formatet ÅÅÅÅ-MM-DD.",
                "Enter a real date in the format YYYY-MM-DD.",
            ),
            IssueCode::DateTooEarly(d) => {
                if sv {
                    format!("Datumet får inte vara tidigare än {d}.")
                } else {
                    format!("The date must be {d} or later.")
                }
            }
            IssueCode::DateTooLate(d) => {
                if sv {
                    format!("Datumet får inte vara senare än {d}.")
                } else {
                    format!("The date must be {d} or earlier.")
                }
            }
            IssueCode::UnknownOption => {
                pick("Välj ett av alternativen.", "Choose one of the options.")
            }
            IssueCode::TooFewChoices(n) => {
                if sv {
                    format!("Välj minst {n} alternativ.")
                } else {
                    format!("Choose at least {n} options.")
                }
            }
            IssueCode::TooManyChoices(n) => {
                if sv {
                    format!("Välj högst {n} alternativ.")
                } else {
                    format!("Choose at most {n} options.")
                }
            }
            IssueCode::InvalidYesNo => pick("Välj Ja eller Nej.", "Choose Yes or No."),
            IssueCode::Personnummer(e) => match e {
                PersonnummerError::Format => pick(
                    "Skriv personnumret med 10 eller 12 siffror, till exempel ÅÅÅÅMMDD-NNNN.",
                    "Enter the personal identity number with 10 or 12 digits, for example YYYYMMDD-NNNN.",
                ),
                PersonnummerError::InvalidDate => pick(
                    "Personnumret innehåller inget datum som finns. Kontrollera siffrorna.",
                    "The personal identity number does not contain a real date. Check the digits.",
                ),
                PersonnummerError::InFuture => pick(
                    "Personnumret har ett födelsedatum i framtiden. Kontrollera siffrorna.",
                    "The personal identity number has a birth date in the future. Check the digits.",
                ),
                PersonnummerError::Checksum => pick(
                    "Personnumret stämmer inte. Kontrollera att du har skrivit rätt siffror.",
                    "The personal identity number is not correct. Check that you entered the right digits.",
                ),
                PersonnummerError::SamordningsnummerNotAllowed => pick(
                    "Samordningsnummer kan inte användas här. Skriv ett personnummer.",
                    "A co-ordination number cannot be used here. Enter a personal identity number.",
                ),
            },
            IssueCode::Organisationsnummer(e) => match e {
                OrganisationsnummerError::Format => pick(
                    "Skriv organisationsnumret med 10 siffror, till exempel 212000-0142.",
                    "Enter the organisation number with 10 digits, for example 212000-0142.",
                ),
                OrganisationsnummerError::NotAnOrganisation => pick(
                    "Det här är inget organisationsnummer. Den tredje siffran ska vara 2 eller högre.",
                    "This is not an organisation number. The third digit must be 2 or higher.",
                ),
                OrganisationsnummerError::Checksum => pick(
                    "Organisationsnumret stämmer inte. Kontrollera att du har skrivit rätt siffror.",
                    "The organisation number is not correct. Check that you entered the right digits.",
                ),
            },
            IssueCode::InvalidPostalCode => pick(
                "Skriv postnumret med fem siffror, till exempel 123 45.",
                "Enter the postcode with five digits, for example 123 45.",
            ),
            IssueCode::Mismatch(other) => {
                if sv {
                    format!("Ska vara samma som i fältet ”{}”.", other.get(lang))
                } else {
                    format!("Must be the same as in the field “{}”.", other.get(lang))
                }
            }
            IssueCode::WrongShape => pick(
                "Svaret har fel form för fältet.",
                "The answer has the wrong shape for this field.",
            ),
            IssueCode::UnknownField => pick(
                "Formuläret har inget sådant fält.",
                "The form has no such field.",
            ),
            IssueCode::Receiver { message, .. } => message.get(lang).to_owned(),
            IssueCode::Rule(message) => message.get(lang).to_owned(),
            IssueCode::HiddenField => pick(
                "Fältet visas inte med de andra svaren, så det ska inte ha något svar.",
                "The field is not shown with the other answers, so it must have no answer.",
            ),
            IssueCode::ComputedMismatch => pick(
                "Det beräknade värdet stämmer inte med svaren.",
                "The computed value does not match the answers.",
            ),
            IssueCode::TooFewRows(n) => {
                if sv {
                    format!("Fyll i minst {n}. Lägg till fler med knappen.")
                } else {
                    format!("Fill in at least {n}. Add more with the button.")
                }
            }
            IssueCode::TooManyRows(n) => {
                if sv {
                    format!("Det får vara högst {n}. Ta bort några.")
                } else {
                    format!("There may be at most {n}. Remove some.")
                }
            }
        }
    }

    /// A stable machine-readable name, for receivers and logs (`required`, `personnummer_checksum`, …).
    pub fn code(&self) -> &'static str {
        match self {
            IssueCode::Required => "required",
            IssueCode::RequiredChoice => "required_choice",
            IssueCode::TooShort { .. } => "too_short",
            IssueCode::TooLong { .. } => "too_long",
            IssueCode::Pattern(_) => "pattern",
            IssueCode::NotANumber => "not_a_number",
            IssueCode::NotAWholeNumber => "not_a_whole_number",
            IssueCode::BelowMin(_) => "below_min",
            IssueCode::AboveMax(_) => "above_max",
            IssueCode::InvalidEmail => "invalid_email",
            IssueCode::InvalidPhone => "invalid_phone",
            IssueCode::InvalidDate => "invalid_date",
            IssueCode::DateTooEarly(_) => "date_too_early",
            IssueCode::DateTooLate(_) => "date_too_late",
            IssueCode::UnknownOption => "unknown_option",
            IssueCode::TooFewChoices(_) => "too_few_choices",
            IssueCode::TooManyChoices(_) => "too_many_choices",
            IssueCode::InvalidYesNo => "invalid_yes_no",
            IssueCode::Personnummer(e) => match e {
                PersonnummerError::Format => "personnummer_format",
                PersonnummerError::InvalidDate => "personnummer_date",
                PersonnummerError::InFuture => "personnummer_future",
                PersonnummerError::Checksum => "personnummer_checksum",
                PersonnummerError::SamordningsnummerNotAllowed => "samordningsnummer_not_allowed",
            },
            IssueCode::Organisationsnummer(e) => match e {
                OrganisationsnummerError::Format => "organisationsnummer_format",
                OrganisationsnummerError::NotAnOrganisation => {
                    "organisationsnummer_not_organisation"
                }
                OrganisationsnummerError::Checksum => "organisationsnummer_checksum",
            },
            IssueCode::InvalidPostalCode => "invalid_postal_code",
            IssueCode::Mismatch(_) => "mismatch",
            IssueCode::WrongShape => "wrong_shape",
            IssueCode::UnknownField => "unknown_field",
            IssueCode::Receiver { .. } => "receiver",
            IssueCode::Rule(_) => "rule",
            IssueCode::HiddenField => "hidden_field",
            IssueCode::ComputedMismatch => "computed_mismatch",
            IssueCode::TooFewRows(_) => "too_few_rows",
            IssueCode::TooManyRows(_) => "too_many_rows",
        }
    }
}

/// Checks one answer (by field id or row key); `None` when it is acceptable.
pub fn validate_field(
    def: &Definition,
    key: &str,
    answers: &Answers,
    cx: &Context,
) -> Option<IssueCode> {
    let field = def.field(key)?;
    check_field(
        def,
        &FormState::evaluate(def, answers, cx),
        field,
        key,
        answers,
        cx,
    )
}

/// [`validate_field`] with the form's state already evaluated (hidden fields have no issues):
/// `field` is the field `key` names. A repeating group is checked for its number of rows.
pub fn check_field(
    def: &Definition,
    state: &FormState,
    field: &Field,
    key: &str,
    answers: &Answers,
    cx: &Context,
) -> Option<IssueCode> {
    if !state.is_visible(key) {
        return None;
    }
    if let FieldKind::Repeat(r) = &field.kind {
        let rows = answers.row_count(key);
        return if rows < r.min_rows as usize {
            Some(IssueCode::TooFewRows(r.min_rows))
        } else {
            r.max_rows
                .filter(|max| rows > *max as usize)
                .map(IssueCode::TooManyRows)
        };
    }
    if !field.kind.is_question() {
        return None;
    }
    let answer = answers.get(key);
    let empty = answer.is_none_or(Answer::is_empty);
    if empty {
        return state.is_required(key).then_some(match field.kind {
            FieldKind::Select(_)
            | FieldKind::Radio(_)
            | FieldKind::Checkboxes(_)
            | FieldKind::YesNo => IssueCode::RequiredChoice,
            _ => IssueCode::Required,
        });
    }
    let answer = answer?;
    if let Err(code) = normalize(field, answer, cx) {
        return Some(code);
    }
    // In a row, `must_match` names a field of the same row.
    let other_key =
        field
            .must_match
            .as_ref()
            .map(|other| match crate::answers::split_row_key(key) {
                Some((repeat, row, _)) => crate::answers::row_key(repeat, row, other.as_str()),
                None => other.0.clone(),
            });
    if let (Some(other_id), Some(other_key)) = (&field.must_match, &other_key)
        && let Some(other) = def.field(other_key)
        && answers.get(other_key).map(|a| comparable(other, a, cx))
            != Some(comparable(field, answer, cx))
    {
        return Some(IssueCode::Mismatch(
            other
                .label
                .clone()
                .unwrap_or_else(|| Text::from(other_id.as_str())),
        ));
    }
    None
}

/// An answer as `must_match` compares it: its canonical form when valid (so `8112289874`
/// matches `811228-9874`), e-mail addresses without regard to case, otherwise the trimmed text.
fn comparable(field: &Field, a: &Answer, cx: &Context) -> String {
    match (normalize(field, a, cx), a) {
        (Ok(Normalized::Text(s)), _) if matches!(field.kind, FieldKind::Email(_)) => {
            s.to_lowercase()
        }
        (Ok(Normalized::Text(s)), _) => s,
        (Ok(Normalized::Number(n)), _) => n.to_string(),
        (Ok(Normalized::Bool(b)), _) => b.to_string(),
        (Ok(Normalized::Choices(c)), _) => c.join(","),
        (Err(_), Answer::Text(s)) => s.trim().to_owned(),
        (Err(_), Answer::Choices(c)) => c.join(","),
        (Err(_), Answer::Rows(_)) => String::new(),
    }
}

/// Every issue on one step, in document order, then its rules' issues.
pub fn validate_step(def: &Definition, step: &Step, answers: &Answers, cx: &Context) -> Vec<Issue> {
    check_step(
        def,
        &FormState::evaluate(def, answers, cx),
        step,
        answers,
        cx,
    )
}

/// [`validate_step`] with the form's state already evaluated.
pub fn check_step(
    def: &Definition,
    state: &FormState,
    step: &Step,
    answers: &Answers,
    cx: &Context,
) -> Vec<Issue> {
    let mut issues: Vec<Issue> = step
        .entries(answers)
        .into_iter()
        .filter_map(|(key, f)| {
            check_field(def, state, f, &key, answers, cx).map(|code| Issue { field: key, code })
        })
        .collect();
    add_rule_issues(&mut issues, state.check_rules(&step.rules, cx));
    issues
}

/// Every issue in the whole form: each step that applies, then the form's rules.
pub fn validate_form(def: &Definition, answers: &Answers, cx: &Context) -> Vec<Issue> {
    check_form(def, &FormState::evaluate(def, answers, cx), answers, cx)
}

/// [`validate_form`] with the form's state already evaluated.
pub fn check_form(
    def: &Definition,
    state: &FormState,
    answers: &Answers,
    cx: &Context,
) -> Vec<Issue> {
    let mut issues: Vec<Issue> = def
        .steps
        .iter()
        .enumerate()
        .filter(|(i, _)| state.step_applies(*i))
        .flat_map(|(_, s)| check_step(def, state, s, answers, cx))
        .collect();
    add_rule_issues(&mut issues, state.check_rules(&def.rules, cx));
    issues
}

/// One message per field: a rule's message only where the answer itself is fine.
fn add_rule_issues(issues: &mut Vec<Issue>, rule_issues: Vec<Issue>) {
    for issue in rule_issues {
        if !issues.iter().any(|i| i.field == issue.field) {
            issues.push(issue);
        }
    }
}

/// A checked answer in its canonical form, as it is submitted.
#[derive(Debug, Clone, PartialEq)]
pub enum Normalized {
    /// Text, trimmed (and put in canonical form for Swedish numbers and postal codes).
    Text(String),
    /// A number (integers have no fraction).
    Number(f64),
    /// A yes/no answer.
    Bool(bool),
    /// Chosen checkbox values, in the order the options are defined.
    Choices(Vec<String>),
}

/// Checks a non-empty answer against its field's type rules and returns its canonical form.
pub fn normalize(field: &Field, answer: &Answer, cx: &Context) -> Result<Normalized, IssueCode> {
    let text = || match answer {
        Answer::Text(s) => Ok(s.trim()),
        Answer::Choices(_) | Answer::Rows(_) => Err(IssueCode::WrongShape),
    };
    match &field.kind {
        FieldKind::Text(rules) | FieldKind::Textarea(rules) | FieldKind::Email(rules) => {
            let s = text()?;
            if matches!(field.kind, FieldKind::Email(_)) && !formats::is_valid_email(s) {
                return Err(IssueCode::InvalidEmail);
            }
            let len = s.chars().count();
            if let Some(min) = rules.min_length
                && len < min as usize
            {
                return Err(IssueCode::TooShort { min });
            }
            if let Some(max) = rules.max_length
                && len > max as usize
            {
                return Err(IssueCode::TooLong { max, actual: len });
            }
            if let Some(p) = &rules.pattern
                && !p.matches(s)
            {
                return Err(IssueCode::Pattern(p.message.clone()));
            }
            Ok(Normalized::Text(s.to_owned()))
        }
        FieldKind::Number(rules) | FieldKind::Integer(rules) => {
            let whole = matches!(field.kind, FieldKind::Integer(_));
            let n = parse_number(text()?).ok_or(if whole {
                IssueCode::NotAWholeNumber
            } else {
                IssueCode::NotANumber
            })?;
            if whole && n.fract() != 0.0 {
                return Err(IssueCode::NotAWholeNumber);
            }
            if let Some(min) = rules.min
                && n < min
            {
                return Err(IssueCode::BelowMin(format_number(min)));
            }
            if let Some(max) = rules.max
                && n > max
            {
                return Err(IssueCode::AboveMax(format_number(max)));
            }
            Ok(Normalized::Number(n))
        }
        FieldKind::Phone => formats::normalize_phone(text()?)
            .map(Normalized::Text)
            .ok_or(IssueCode::InvalidPhone),
        FieldKind::Date(rules) => {
            let d = Date::parse_iso(text()?).ok_or(IssueCode::InvalidDate)?;
            if let Some(min) = rules.min.map(|b| b.resolve(cx.today))
                && d < min
            {
                return Err(IssueCode::DateTooEarly(min));
            }
            if let Some(max) = rules.max.map(|b| b.resolve(cx.today))
                && d > max
            {
                return Err(IssueCode::DateTooLate(max));
            }
            Ok(Normalized::Text(d.to_string()))
        }
        FieldKind::Select(c) | FieldKind::Radio(c) => {
            let s = text()?;
            if c.list.options().iter().any(|o| o.value.as_str() == s) {
                Ok(Normalized::Text(s.to_owned()))
            } else {
                Err(IssueCode::UnknownOption)
            }
        }
        FieldKind::Checkboxes(rules) => {
            let Answer::Choices(chosen) = answer else {
                return Err(IssueCode::WrongShape);
            };
            if chosen
                .iter()
                .any(|v| !rules.list.options().iter().any(|o| o.value.as_str() == v))
            {
                return Err(IssueCode::UnknownOption);
            }
            // Canonical order is the options' order, each value once.
            let ordered: Vec<String> = rules
                .list
                .options()
                .iter()
                .filter(|o| chosen.iter().any(|v| v == o.value.as_str()))
                .map(|o| o.value.0.clone())
                .collect();
            let n = ordered.len() as u32;
            if let Some(min) = rules.min_choices
                && n < min
            {
                return Err(IssueCode::TooFewChoices(min));
            }
            if let Some(max) = rules.max_choices
                && n > max
            {
                return Err(IssueCode::TooManyChoices(max));
            }
            Ok(Normalized::Choices(ordered))
        }
        FieldKind::YesNo => match text()? {
            "yes" => Ok(Normalized::Bool(true)),
            "no" => Ok(Normalized::Bool(false)),
            _ => Err(IssueCode::InvalidYesNo),
        },
        FieldKind::Personnummer(rules) => {
            parse_personnummer(text()?, cx.today, rules.allow_samordningsnummer)
                .map(|p| Normalized::Text(p.canonical()))
                .map_err(IssueCode::Personnummer)
        }
        FieldKind::Organisationsnummer => parse_organisationsnummer(text()?)
            .map(Normalized::Text)
            .map_err(IssueCode::Organisationsnummer),
        FieldKind::PostalCode => formats::normalize_postal_code(text()?)
            .map(Normalized::Text)
            .ok_or(IssueCode::InvalidPostalCode),
        FieldKind::Info(_)
        | FieldKind::Group(_)
        | FieldKind::Repeat(_)
        | FieldKind::Computed(_) => Err(IssueCode::UnknownField),
    }
}

/// Parses a number as Swedes and others write it: `12`, `-3`, `12,5`, `12.5`, `1 000`.
pub fn parse_number(s: &str) -> Option<f64> {
    let cleaned: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| match c {
            ',' => '.',
            '\u{2212}' => '-',
            other => other,
        })
        .collect();
    let body = cleaned.strip_prefix(['-', '+']).unwrap_or(&cleaned);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let ok = digits(int) && frac.is_none_or(digits);
    if !ok {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Formats a number for messages: no trailing `.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests;

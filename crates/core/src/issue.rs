//! What can be wrong with an answer, and how the citizen is told.

use crate::formats::{Date, OrganisationsnummerError, PersonnummerError};
use crate::text::{Lang, Text};

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
    /// Submitted text with control or bidirectional formatting characters, or not in Unicode
    /// NFC: not what the engine's normalisation sends (`normalize::clean_text`).
    NotNormalized,
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
            IssueCode::NotNormalized => pick(
                "Svaret innehåller osynliga styrtecken eller är inte i Unicode-normalform (NFC).",
                "The answer contains invisible control characters or is not in Unicode normal form (NFC).",
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
            IssueCode::NotNormalized => "not_normalized",
            IssueCode::ComputedMismatch => "computed_mismatch",
            IssueCode::TooFewRows(_) => "too_few_rows",
            IssueCode::TooManyRows(_) => "too_many_rows",
        }
    }
}

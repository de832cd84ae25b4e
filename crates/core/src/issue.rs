//! What can be wrong with an answer, and how the citizen is told.

use crate::formats::{Date, OrganisationsnummerError, PersonnummerError};
use crate::i18n::{Key, t};
use crate::text::{LangTag, Text};

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
    /// A required file field with no file.
    RequiredFile,
    /// A file of a type the field does not accept (found by its content).
    FileType {
        /// The file's name.
        name: String,
        /// The types the field accepts.
        accepted: Vec<crate::files::FileType>,
    },
    /// An empty file.
    FileEmpty {
        /// The file's name.
        name: String,
    },
    /// A file larger than `max_file_size`.
    FileTooLarge {
        /// The file's name.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The largest size allowed.
        max: u64,
    },
    /// The same file attached twice.
    FileTwice {
        /// The file's name.
        name: String,
    },
    /// More files than `max_files`.
    TooManyFiles(u32),
    /// The files together larger than `max_total_size`.
    FilesTooLarge {
        /// Their total size in bytes.
        total: u64,
        /// The largest total allowed.
        max: u64,
    },
    /// A problem a receiver reported, with its own localized message.
    Receiver {
        /// The receiver's machine-readable code.
        code: String,
        /// The receiver's message.
        message: Text,
    },
}

impl IssueCode {
    /// The message shown next to the field, in `lang`: the interface's language files
    /// (`crates/core/i18n/`), Swedish for a language that has none; the parts that come from
    /// the definition (a pattern's or a rule's message, another field's label) in `lang` as
    /// the definition has it.
    pub fn message(&self, lang: impl Into<LangTag>) -> String {
        let lang = lang.into();
        let text = |key: Key| t(lang, key).to_owned();
        // A decimal comma where the language writes one.
        let number = |n: &str| {
            if lang.is("sv") || lang.is("fi") {
                n.replace('.', ",")
            } else {
                n.to_owned()
            }
        };
        let size_text =
            |bytes: u64| crate::files::format_size(bytes, lang.is("sv") || lang.is("fi"));
        match self {
            IssueCode::Required => text(Key::IssueRequired),
            IssueCode::RequiredChoice => text(Key::IssueRequiredChoice),
            IssueCode::TooShort { min } => {
                text(Key::IssueTooShort).replace("{min}", &min.to_string())
            }
            IssueCode::TooLong { max, actual } => text(Key::IssueTooLong)
                .replace("{max}", &max.to_string())
                .replace("{actual}", &actual.to_string()),
            IssueCode::Pattern(message) | IssueCode::Rule(message) => message.get(lang).to_owned(),
            IssueCode::Receiver { message, .. } => message.get(lang).to_owned(),
            IssueCode::NotANumber => text(Key::IssueNotANumber),
            IssueCode::NotAWholeNumber => text(Key::IssueNotAWholeNumber),
            IssueCode::BelowMin(min) => text(Key::IssueBelowMin).replace("{min}", &number(min)),
            IssueCode::AboveMax(max) => text(Key::IssueAboveMax).replace("{max}", &number(max)),
            IssueCode::InvalidEmail => text(Key::IssueInvalidEmail),
            IssueCode::InvalidPhone => text(Key::IssueInvalidPhone),
            IssueCode::InvalidDate => text(Key::IssueInvalidDate),
            IssueCode::DateTooEarly(d) => {
                text(Key::IssueDateTooEarly).replace("{date}", &d.to_string())
            }
            IssueCode::DateTooLate(d) => {
                text(Key::IssueDateTooLate).replace("{date}", &d.to_string())
            }
            IssueCode::UnknownOption => text(Key::IssueUnknownOption),
            IssueCode::TooFewChoices(n) => {
                text(Key::IssueTooFewChoices).replace("{n}", &n.to_string())
            }
            IssueCode::TooManyChoices(n) => {
                text(Key::IssueTooManyChoices).replace("{n}", &n.to_string())
            }
            IssueCode::InvalidYesNo => text(Key::IssueInvalidYesNo),
            IssueCode::Personnummer(e) => text(match e {
                PersonnummerError::Format => Key::IssuePersonnummerFormat,
                PersonnummerError::InvalidDate => Key::IssuePersonnummerDate,
                PersonnummerError::InFuture => Key::IssuePersonnummerFuture,
                PersonnummerError::Checksum => Key::IssuePersonnummerChecksum,
                PersonnummerError::SamordningsnummerNotAllowed => Key::IssueSamordningsnummer,
            }),
            IssueCode::Organisationsnummer(e) => text(match e {
                OrganisationsnummerError::Format => Key::IssueOrgnrFormat,
                OrganisationsnummerError::NotAnOrganisation => Key::IssueOrgnrNotOrganisation,
                OrganisationsnummerError::Checksum => Key::IssueOrgnrChecksum,
            }),
            IssueCode::InvalidPostalCode => text(Key::IssuePostalCode),
            IssueCode::Mismatch(other) => {
                text(Key::IssueMismatch).replace("{field}", other.get(lang))
            }
            IssueCode::RequiredFile => text(Key::IssueRequiredFile),
            IssueCode::FileType { name, accepted } => text(Key::IssueFileType)
                .replace("{name}", name)
                .replace("{types}", &crate::files::type_labels(accepted)),
            IssueCode::FileEmpty { name } => text(Key::IssueFileEmpty).replace("{name}", name),
            IssueCode::FileTooLarge { name, size, max } => text(Key::IssueFileTooLarge)
                .replace("{name}", name)
                .replace("{size}", &size_text(*size))
                .replace("{max}", &size_text(*max)),
            IssueCode::FileTwice { name } => text(Key::IssueFileTwice).replace("{name}", name),
            IssueCode::TooManyFiles(n) => {
                text(Key::IssueTooManyFiles).replace("{n}", &n.to_string())
            }
            IssueCode::FilesTooLarge { total, max } => text(Key::IssueFilesTooLarge)
                .replace("{size}", &size_text(*total))
                .replace("{max}", &size_text(*max)),
            IssueCode::WrongShape => text(Key::IssueWrongShape),
            IssueCode::UnknownField => text(Key::IssueUnknownField),
            IssueCode::HiddenField => text(Key::IssueHiddenField),
            IssueCode::NotNormalized => text(Key::IssueNotNormalized),
            IssueCode::ComputedMismatch => text(Key::IssueComputedMismatch),
            IssueCode::TooFewRows(n) => text(Key::IssueTooFewRows).replace("{n}", &n.to_string()),
            IssueCode::TooManyRows(n) => text(Key::IssueTooManyRows).replace("{n}", &n.to_string()),
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
            IssueCode::RequiredFile => "required_file",
            IssueCode::FileType { .. } => "file_type",
            IssueCode::FileEmpty { .. } => "file_empty",
            IssueCode::FileTooLarge { .. } => "file_too_large",
            IssueCode::FileTwice { .. } => "file_twice",
            IssueCode::TooManyFiles(_) => "too_many_files",
            IssueCode::FilesTooLarge { .. } => "files_too_large",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    fn tag(code: &str) -> LangTag {
        LangTag::parse(code).unwrap_or_default()
    }

    #[test]
    fn messages_speak_every_language_of_the_interface() {
        let checksum = IssueCode::Personnummer(PersonnummerError::Checksum);
        assert_eq!(
            checksum.message(Lang::Sv),
            "Personnumret stämmer inte. Kontrollera att du har skrivit rätt siffror."
        );
        assert_eq!(
            checksum.message(tag("fi")),
            "Henkilötunnus ei ole oikein. Tarkista, että kirjoitit oikeat numerot."
        );
        assert_eq!(
            checksum.message(tag("ar")),
            "الرقم الشخصي غير صحيح. تحقق من أنك كتبت الأرقام الصحيحة."
        );
        // A language without interface files: Swedish, marked as such on the page.
        assert_eq!(checksum.message(tag("se")), checksum.message(Lang::Sv));
        assert_eq!(crate::session::message_lang(tag("se")), Some("sv"));
        for spoken in ["sv", "en", "fi", "ar"] {
            assert_eq!(crate::session::message_lang(tag(spoken)), None, "{spoken}");
        }
        // Numbers with the language's decimal sign; parts filled in.
        let min = IssueCode::BelowMin("12.5".into());
        assert_eq!(min.message(Lang::Sv), "Talet måste vara 12,5 eller större.");
        assert_eq!(min.message(tag("fi")), "Luvun on oltava vähintään 12,5.");
        assert_eq!(min.message(Lang::En), "The number must be 12.5 or more.");
        let long = IssueCode::TooLong {
            max: 10,
            actual: 12,
        };
        assert_eq!(
            long.message(tag("fi")),
            "Kirjoita enintään 10 merkkiä. Olet kirjoittanut 12."
        );
        let label = Text::Localized(
            [("sv", "E-post"), ("fi", "Sähköposti")]
                .map(|(l, t)| (l.to_owned(), t.to_owned()))
                .into(),
        );
        assert_eq!(
            IssueCode::Mismatch(label).message(tag("fi")),
            "Pitää olla sama kuin kentässä ”Sähköposti”."
        );
    }
}

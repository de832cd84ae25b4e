//! The runtime's own interface texts, from one data file per language (`crates/core/i18n/`:
//! Swedish, English, Finnish, Arabic): the one way the app and the engine write a word of the
//! interface.
//!
//! Texts from a form definition are localized by the definition itself ([`crate::Text`]); these
//! are the words of the runtime around them: buttons, headings, status messages, and an
//! answer's messages (`Issue…` keys, their `{…}` parts filled in by
//! [`IssueCode::message`](crate::IssueCode::message)). The loader's diagnostics, for authors,
//! say themselves in Swedish and English where they are made ([`Lang`](crate::Lang)).

use std::sync::OnceLock;

#[cfg(test)]
use crate::text::Lang;
use crate::text::LangTag;

/// Declares [`Key`] with its list of variants and their names in the language files.
macro_rules! keys {
    ($( $(#[$doc:meta])* $name:ident, )*) => {
        /// Every interface text, by meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key {
            $( $(#[$doc])* $name, )*
        }

        impl Key {
            /// Every key, in the order of the language files.
            pub const ALL: &[Key] = &[$(Key::$name),*];

            /// The key's name in the language files (`Next = Nästa`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$name => stringify!($name),)*
                }
            }
        }
    };
}

keys! {
    /// "Skip to content"
    SkipToContent,
    /// "Language"
    ChangeLanguage,
    /// "Loading…"
    Loading,
    /// "E-services"
    CatalogueTitle,
    /// "Choose the e-service you want to use. You can fill in the form at your own pace."
    CatalogueIntro,
    /// "The list of e-services could not be loaded. Check your connection and reload the page."
    CatalogueLoadFailed,
    /// "Start"
    Start,
    /// "Next"
    Next,
    /// "Review your answers"
    ToReview,
    /// "Save and return to the review"
    BackToReview,
    /// "Back"
    Back,
    /// "Submit"
    Submit,
    /// "Sending…"
    Submitting,
    /// "Step {n} of {total}"
    StepOf,
    /// "Fields marked with * are required."
    RequiredNote,
    /// "Error:"
    ErrorPrefix,
    /// "Fix the following before you continue"
    ErrorSummaryTitle,
    /// "Review your answers"
    ReviewTitle,
    /// "Check that everything is correct before you submit. You can change your answers."
    ReviewIntro,
    /// "Change"
    Change,
    /// "Add"
    AddRow,
    /// "Remove"
    RemoveRow,
    /// "{row} has been added."
    RowAdded,
    /// "{row} has been removed."
    RowRemoved,
    /// "Not answered"
    NotAnswered,
    /// "How we process your personal data"
    PrivacyTitle,
    /// "Controller"
    PrivacyController,
    /// "Why we process the data"
    PrivacyPurpose,
    /// "Legal basis"
    PrivacyLegalBasis,
    /// "How long the data is kept"
    PrivacyRetention,
    /// "Who receives the data"
    PrivacyRecipients,
    /// "Data protection officer"
    PrivacyContact,
    /// "Read about your rights"
    PrivacyRights,
    /// "Published by"
    Publisher,
    /// "Contact"
    ContactUs,
    /// "Choose…"
    Choose,
    /// "Thank you! We have received your form"
    ReceiptTitle,
    /// "Your reference number"
    ReceiptReference,
    /// "Keep the reference number. Give it if you contact us about the case."
    ReceiptSaveReference,
    /// "Received"
    ReceiptReceived,
    /// "Back to the e-services"
    NewForm,
    /// "It was not possible to send right now. Check your connection and try again."
    SendFailed,
    /// "The receiver could not accept the form:"
    SendRejected,
    /// "Your answers are kept."
    AnswersKept,
    /// "The form could not be loaded. Check your connection and reload the page."
    FormLoadFailed,
    /// "This page may not load the form from {origin}…" (a setting, not the connection)
    FormBlocked,
    /// "The form cannot be shown"
    FormBroken,
    /// "The form definition has errors, so the form cannot be shown. Contact the publisher…"
    FormBrokenIntro,
    /// "For the form's author: each code is explained in docs/form-definition.md…"
    FormBrokenAuthor,
    /// "To the list of e-services"
    BackToCatalogue,
    /// "We could not fetch your details right now. Please fill them in yourself."
    PrefillFailed,
    /// "(opens in a new tab)"
    OpensInNewTab,
    /// "Row"
    RowDefault,
    /// "Yes"
    Yes,
    /// "No"
    No,
    /// "My unfinished forms"
    DraftsTitle,
    /// "Forms you have started on this device. They are kept only here and deleted automatically when they have not been changed for a while."
    DraftsIntro,
    /// "You have no unfinished forms on this device."
    DraftsNone,
    /// "Last changed"
    DraftChanged,
    /// "Deleted on"
    DraftExpires,
    /// "Reached"
    DraftProgress,
    /// "Continue"
    Continue,
    /// "Delete"
    DeleteDraft,
    /// "Delete {form} from this device for good?"
    ConfirmDeleteDraft,
    /// "Yes, delete"
    ConfirmYes,
    /// "Cancel"
    Cancel,
    /// "{form} has been deleted."
    DraftDeleted,
    /// "Delete my data on this device"
    DeleteAllData,
    /// "Delete every unfinished form and every saved form on this device? This cannot be undone."
    ConfirmDeleteAll,
    /// "Yes, delete everything"
    ConfirmDeleteAllYes,
    /// "All your data on this device has been deleted."
    AllDeleted,
    /// "It could not be deleted: {reason}"
    DeleteFailed,
    /// "You have an unfinished form"
    ResumeTitle,
    /// "You started filling in this form {date}. Do you want to continue where you left off?"
    ResumeText,
    /// "You have {n} unfinished forms of this kind. The latest was changed {date}."
    ResumeMany,
    /// "Start over"
    StartOver,
    /// "If you start over, the unfinished form stays under My unfinished forms."
    StartOverHint,
    /// "If you start over, the unfinished form stays on this device." (embedded: no drafts page)
    StartOverHintHere,
    /// "Delete the unfinished form" (the offer to continue, where there is no drafts page)
    DeleteOffered,
    /// "The unfinished form is deleted from this device."
    OfferedDeleted,
    /// "My unfinished forms"
    AllDrafts,
    /// "Your answers are saved on this device ({time})."
    Saved,
    /// "Your answers could not be saved: there is no room on this device. You can go on, but submit before you close the page."
    SaveFull,
    /// "Your answers cannot be saved on this device (for example in a private window). You can fill in the form, but the answers are lost if you close the page."
    SaveUnavailable,
    /// "Your answers could not be saved on this device: {reason}. You can go on, but submit before you close the page."
    SaveFailed,
    /// "This form is not saved on the device. Submit before you close the page."
    DraftsOff,
    /// "This form is open in another tab or window. What you change here is not saved, so that nothing is overwritten. Continue in the other tab."
    OtherTab,
    /// "The form has changed since you started"
    VersionChangedTitle,
    /// "These answers no longer fit the form and will not be kept. Copy them if you need them:"
    VersionChangedText,
    /// "I understand"
    VersionChangedOk,
    /// "A saved form could not be opened: {reason}. It is still on the device."
    DraftUnreadable,
    /// "Kept on this device"
    PrivacyOnDevice,
    /// "What you fill in is kept only on this device until you submit, and deleted {days} days after your last change. Nothing is sent before you submit. You can delete it under My unfinished forms."
    PrivacyOnDeviceText,
    /// The privacy line of a form embedded in a host page, where deleting is offered on the form.
    PrivacyOnDeviceTextHere,
    /// "What you fill in is not kept on the device, and nothing is sent before you submit."
    PrivacyOnDeviceOff,
    /// "A new version of the e-service is available."
    UpdateAvailable,
    /// "Update"
    UpdateApp,
    /// "Forms waiting on this device to be sent: {n}. They are sent automatically when the device is online."
    OutboxWaiting,
    /// "It could not be sent right now. Your form is kept on the device and sent automatically when you are online again. You can close the page."
    SendQueued,
    /// "We will try again automatically."
    SendRetrying,
    /// "The receipt is signed by the receiver and kept on this device."
    ReceiptVerified,
    /// "The receiver did not sign the receipt."
    ReceiptNotSigned,
    /// "What you sent"
    ReceiptAnswers,
    /// "Print the receipt"
    PrintReceipt,
    /// "Date:" (on paper, before the date it was printed)
    PrintDate,
    /// "Fill in this field."
    IssueRequired,
    /// "Choose an option."
    IssueRequiredChoice,
    /// "Enter at least {min} characters."
    IssueTooShort,
    /// "Enter at most {max} characters. You have entered {actual}."
    IssueTooLong,
    /// "Enter a number, for example 12 or 12.5."
    IssueNotANumber,
    /// "Enter a whole number, for example 12."
    IssueNotAWholeNumber,
    /// "The number must be {min} or more."
    IssueBelowMin,
    /// "The number must be {max} or less."
    IssueAboveMax,
    /// "Enter the e-mail address in the format name@example.com."
    IssueInvalidEmail,
    /// "Enter a telephone number, for example 070-123 45 67 or +46 70 123 45 67."
    IssueInvalidPhone,
    /// "Enter a real date in the format YYYY-MM-DD."
    IssueInvalidDate,
    /// "The date must be {date} or later."
    IssueDateTooEarly,
    /// "The date must be {date} or earlier."
    IssueDateTooLate,
    /// "Choose one of the options."
    IssueUnknownOption,
    /// "Choose at least {n} options."
    IssueTooFewChoices,
    /// "Choose at most {n} options."
    IssueTooManyChoices,
    /// "Choose Yes or No."
    IssueInvalidYesNo,
    /// "Enter the personal identity number with 10 or 12 digits, for example YYYYMMDD-NNNN."
    IssuePersonnummerFormat,
    /// "The personal identity number does not contain a real date. Check the digits."
    IssuePersonnummerDate,
    /// "The personal identity number has a birth date in the future. Check the digits."
    IssuePersonnummerFuture,
    /// "The personal identity number is not correct. Check that you entered the right digits."
    IssuePersonnummerChecksum,
    /// "A co-ordination number cannot be used here. Enter a personal identity number."
    IssueSamordningsnummer,
    /// "Enter the organisation number with 10 digits, for example 212000-0142."
    IssueOrgnrFormat,
    /// "This is not an organisation number. The third digit must be 2 or higher."
    IssueOrgnrNotOrganisation,
    /// "The organisation number is not correct. Check that you entered the right digits."
    IssueOrgnrChecksum,
    /// "Enter the postcode with five digits, for example 123 45."
    IssuePostalCode,
    /// "Must be the same as in the field “{field}”."
    IssueMismatch,
    /// "The answer has the wrong shape for this field."
    IssueWrongShape,
    /// "The form has no such field."
    IssueUnknownField,
    /// "The field is not shown with the other answers, so it must have no answer."
    IssueHiddenField,
    /// "The answer contains invisible control characters or is not in Unicode normal form (NFC)."
    IssueNotNormalized,
    /// "The computed value does not match the answers."
    IssueComputedMismatch,
    /// "Fill in at least {n}. Add more with the button."
    IssueTooFewRows,
    /// "There may be at most {n}. Remove some."
    IssueTooManyRows,
    /// A required file field without a file.
    IssueRequiredFile,
    /// A file of a type not accepted (`{name}`, `{types}`).
    IssueFileType,
    /// An empty file (`{name}`).
    IssueFileEmpty,
    /// A file too large (`{name}`, `{size}`, `{max}`).
    IssueFileTooLarge,
    /// The same file twice (`{name}`).
    IssueFileTwice,
    /// Too many files (`{n}`).
    IssueTooManyFiles,
    /// Files too large together (`{size}`, `{max}`).
    IssueFilesTooLarge,
    /// Which file types the field takes (`{types}`).
    FileHintTypes,
    /// The largest size of one file (`{size}`).
    FileHintSize,
    /// How many files and their largest total (`{n}`, `{size}`).
    FileHintCount,
    /// The name of the list of attached files.
    FileListLabel,
    /// The visible text of a file's remove button.
    FileRemove,
    /// The accessible name of a file's remove button (`{name}`).
    FileRemoveNamed,
    /// Announced when a file is attached (`{name}`).
    FileAttached,
    /// Announced when a file is removed (`{name}`).
    FileRemovedAnnounce,
    /// Shown while a chosen file is read and its hash computed (`{name}`).
    FileReading,
    /// A chosen file the browser could not read (`{name}`).
    FileUnreadable,
    /// A draft's file no longer on the device (`{name}`).
    FileLost,
    /// The review page's answer for a file field without files.
    FileNone,
}

/// The interface's language files, one per language: `crates/core/i18n/<tag>.txt`, one
/// `Key = text` line per [`Key`] (`Next = Nästa`; `{n}`-style parts are filled in by the caller).
/// Swedish is complete and is what a missing text falls back to.
pub const FILES: &[(&str, &str)] = &[
    ("sv", include_str!("../i18n/sv.txt")),
    ("en", include_str!("../i18n/en.txt")),
    ("fi", include_str!("../i18n/fi.txt")),
    ("ar", include_str!("../i18n/ar.txt")),
];

/// Each file read into a table by key, on first use.
static TABLES: [OnceLock<Vec<Option<&'static str>>>; 4] = [
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
];

/// The table of the file for `lang` (its exact tag, else its primary language), if there is one.
fn table(lang: LangTag) -> Option<&'static [Option<&'static str>]> {
    let index = FILES
        .iter()
        .position(|(code, _)| lang.is(code))
        .or_else(|| FILES.iter().position(|(code, _)| *code == lang.primary()))?;
    let (_, text) = FILES.get(index)?;
    Some(TABLES.get(index)?.get_or_init(|| read_file(text)))
}

/// A language file as a table by key; lines that name no key are left out (a test finds them).
fn read_file(text: &'static str) -> Vec<Option<&'static str>> {
    let mut table = vec![None; Key::ALL.len()];
    for (name, value) in text.lines().filter_map(|l| l.split_once(" = ")) {
        if let Some(i) = Key::ALL.iter().position(|k| k.name() == name)
            && let Some(slot) = table.get_mut(i)
        {
            *slot = Some(value);
        }
    }
    table
}

fn lookup(lang: LangTag, key: Key) -> Option<&'static str> {
    let i = Key::ALL.iter().position(|k| *k == key)?;
    table(lang)?.get(i).copied().flatten()
}

/// The interface text for `key` in `lang`, or in Swedish when that language's file lacks it
/// (or there is no file for it).
pub fn t(lang: impl Into<LangTag>, key: Key) -> &'static str {
    lookup(lang.into(), key)
        .or_else(|| lookup(LangTag::SV, key))
        .unwrap_or("")
}

/// Whether the interface has its own text for `key` in `lang` (else [`t`] gives Swedish).
pub fn has(lang: impl Into<LangTag>, key: Key) -> bool {
    lookup(lang.into(), key).is_some()
}

/// The keys `lang`'s file lacks, or `None` when the interface has no file for it at all (every
/// text is then shown in Swedish). For the checker.
pub fn missing(lang: LangTag) -> Option<Vec<Key>> {
    table(lang)?;
    Some(
        Key::ALL
            .iter()
            .copied()
            .filter(|k| lookup(lang, *k).is_none())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{…}` parts of a text, which every translation must keep.
    fn parts(text: &str) -> Vec<&str> {
        let mut out: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_file_has_every_key_once_with_the_same_parts() {
        for (code, text) in FILES {
            let names: Vec<&str> = text
                .lines()
                .map(|l| l.split_once(" = ").map_or(l, |(n, _)| n))
                .collect();
            let expected: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
            assert_eq!(names, expected, "{code}.txt lists every key once, in order");
            let lang = LangTag::parse(code).unwrap_or_default();
            assert_eq!(missing(lang), Some(Vec::new()), "{code}");
            for key in Key::ALL {
                assert!(!t(lang, *key).trim().is_empty(), "{code}: {key:?}");
                assert_eq!(
                    parts(t(lang, *key)),
                    parts(t(Lang::Sv, *key)),
                    "{code}: {key:?} keeps the parts"
                );
            }
        }
    }

    #[test]
    fn a_language_without_a_file_or_a_text_falls_back_to_swedish() {
        let se = LangTag::parse("se").unwrap_or_default();
        assert_eq!(t(se, Key::Next), "Nästa");
        assert!(!has(se, Key::Next));
        assert_eq!(missing(se), None);
        let fi_se = LangTag::parse("fi-SE").unwrap_or_default();
        assert_eq!(
            t(fi_se, Key::Next),
            "Seuraava",
            "a region uses its language's file"
        );
        assert_eq!(t(Lang::En, Key::Next), "Next");
        assert_eq!(t(Lang::Sv, Key::OpensInNewTab), " (öppnas i en ny flik)");
        let partial = read_file("Next = Nästa\nNoSuchKey = x");
        assert_eq!(partial.iter().flatten().count(), 1);
    }
}

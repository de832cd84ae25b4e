//! The runtime's own interface texts in Swedish and English: the one way the app and the
//! engine write a word of the interface.
//!
//! Texts from a form definition are localized by the definition itself ([`crate::Text`]); these
//! are the words of the runtime around them: buttons, headings, status messages. A message with
//! parts (an answer's issue, a loader diagnostic) says itself in each language where it is made.

use crate::text::Lang;

/// Every interface text, by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
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
    /// "The form cannot be shown"
    FormBroken,
    /// "The form definition has errors. Contact the publisher of the e-service. The errors are:"
    FormBrokenIntro,
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
}

/// The interface text for `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    let (sv, en) = match key {
        Key::SkipToContent => ("Hoppa till innehållet", "Skip to content"),
        Key::ChangeLanguage => ("Språk", "Language"),
        Key::Loading => ("Laddar…", "Loading…"),
        Key::CatalogueTitle => ("E-tjänster", "E-services"),
        Key::CatalogueIntro => (
            "Välj den e-tjänst du vill använda. Du kan fylla i formuläret i din egen takt.",
            "Choose the e-service you want to use. You can fill in the form at your own pace.",
        ),
        Key::CatalogueLoadFailed => (
            "Det gick inte att hämta listan över e-tjänster. Kontrollera din anslutning och ladda om sidan.",
            "The list of e-services could not be loaded. Check your connection and reload the page.",
        ),
        Key::Start => ("Börja fylla i", "Start"),
        Key::Next => ("Nästa", "Next"),
        Key::ToReview => ("Granska dina svar", "Review your answers"),
        Key::BackToReview => (
            "Spara och gå tillbaka till granskningen",
            "Save and return to the review",
        ),
        Key::Back => ("Tillbaka", "Back"),
        Key::Submit => ("Skicka in", "Submit"),
        Key::Submitting => ("Skickar…", "Sending…"),
        Key::StepOf => ("Steg {n} av {total}", "Step {n} of {total}"),
        Key::RequiredNote => (
            "Fält markerade med * måste fyllas i.",
            "Fields marked with * are required.",
        ),
        Key::ErrorPrefix => ("Fel:", "Error:"),
        Key::ErrorSummaryTitle => (
            "Rätta följande innan du går vidare",
            "Fix the following before you continue",
        ),
        Key::ReviewTitle => ("Granska dina svar", "Review your answers"),
        Key::ReviewIntro => (
            "Kontrollera att allt stämmer innan du skickar in. Du kan ändra dina svar.",
            "Check that everything is correct before you submit. You can change your answers.",
        ),
        Key::Change => ("Ändra", "Change"),
        Key::AddRow => ("Lägg till", "Add"),
        Key::RemoveRow => ("Ta bort", "Remove"),
        Key::RowAdded => ("{row} har lagts till.", "{row} has been added."),
        Key::RowRemoved => ("{row} har tagits bort.", "{row} has been removed."),
        Key::NotAnswered => ("Inte besvarad", "Not answered"),
        Key::PrivacyTitle => (
            "Så behandlar vi dina personuppgifter",
            "How we process your personal data",
        ),
        Key::PrivacyController => ("Personuppgiftsansvarig", "Controller"),
        Key::PrivacyPurpose => ("Varför vi behandlar uppgifterna", "Why we process the data"),
        Key::PrivacyLegalBasis => ("Rättslig grund", "Legal basis"),
        Key::PrivacyRetention => ("Hur länge uppgifterna sparas", "How long the data is kept"),
        Key::PrivacyRecipients => (
            "Vilka som får ta del av uppgifterna",
            "Who receives the data",
        ),
        Key::PrivacyContact => ("Dataskyddsombud", "Data protection officer"),
        Key::PrivacyRights => ("Läs om dina rättigheter", "Read about your rights"),
        Key::Publisher => ("Utgivare", "Published by"),
        Key::ContactUs => ("Kontakt", "Contact"),
        Key::Choose => ("Välj…", "Choose…"),
        Key::ReceiptTitle => (
            "Tack! Vi har tagit emot dina uppgifter",
            "Thank you! We have received your form",
        ),
        Key::ReceiptReference => ("Ditt ärendenummer", "Your reference number"),
        Key::ReceiptSaveReference => (
            "Spara ärendenumret. Ange det om du kontaktar oss om ärendet.",
            "Keep the reference number. Give it if you contact us about the case.",
        ),
        Key::ReceiptReceived => ("Mottaget", "Received"),
        Key::NewForm => ("Till e-tjänsterna", "Back to the e-services"),
        Key::SendFailed => (
            "Det gick inte att skicka just nu. Kontrollera din anslutning och försök igen.",
            "It was not possible to send right now. Check your connection and try again.",
        ),
        Key::SendRejected => (
            "Mottagaren kunde inte ta emot formuläret:",
            "The receiver could not accept the form:",
        ),
        Key::AnswersKept => ("Dina svar finns kvar.", "Your answers are kept."),
        Key::FormLoadFailed => (
            "Det gick inte att hämta formuläret. Kontrollera din anslutning och ladda om sidan.",
            "The form could not be loaded. Check your connection and reload the page.",
        ),
        Key::FormBroken => ("Formuläret kan inte visas", "The form cannot be shown"),
        Key::FormBrokenIntro => (
            "Formulärdefinitionen har fel. Kontakta den som publicerar e-tjänsten. Felen är:",
            "The form definition has errors. Contact the publisher of the e-service. The errors are:",
        ),
        Key::BackToCatalogue => ("Till listan över e-tjänster", "To the list of e-services"),
        Key::PrefillFailed => (
            "Vi kunde inte hämta dina uppgifter just nu. Fyll i dem själv.",
            "We could not fetch your details right now. Please fill them in yourself.",
        ),
        Key::OpensInNewTab => (" (öppnas i en ny flik)", " (opens in a new tab)"),
        Key::RowDefault => ("Rad", "Row"),
        Key::Yes => ("Ja", "Yes"),
        Key::No => ("Nej", "No"),
    };
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

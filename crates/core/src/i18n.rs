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
    /// "This page may not load the form from {origin}…" (a setting, not the connection)
    FormBlocked,
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
        Key::FormBlocked => (
            "Den här sidan får inte hämta formuläret från {origin}. Det beror på hur sidan är inställd, inte på din anslutning. Berätta det för organisationen bakom sidan, så kan de rätta det.",
            "This page is not allowed to load the form from {origin}. That is how the page is set up, not your connection. Please tell the organisation behind the page so they can fix it.",
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
        Key::DraftsTitle => ("Mina påbörjade ärenden", "My unfinished forms"),
        Key::DraftsIntro => (
            "Ärenden du har börjat fylla i på den här enheten. De finns bara här och raderas automatiskt när de inte har ändrats på ett tag.",
            "Forms you have started on this device. They are kept only here and deleted automatically when they have not been changed for a while.",
        ),
        Key::DraftsNone => (
            "Du har inga påbörjade ärenden på den här enheten.",
            "You have no unfinished forms on this device.",
        ),
        Key::DraftChanged => ("Senast ändrat", "Last changed"),
        Key::DraftExpires => ("Raderas", "Deleted on"),
        Key::DraftProgress => ("Kommit till", "Reached"),
        Key::Continue => ("Fortsätt", "Continue"),
        Key::DeleteDraft => ("Ta bort", "Delete"),
        Key::ConfirmDeleteDraft => (
            "Ta bort {form} från den här enheten för gott?",
            "Delete {form} from this device for good?",
        ),
        Key::ConfirmYes => ("Ja, ta bort", "Yes, delete"),
        Key::Cancel => ("Avbryt", "Cancel"),
        Key::DraftDeleted => ("{form} är borttaget.", "{form} has been deleted."),
        Key::DeleteAllData => (
            "Radera mina uppgifter på den här enheten",
            "Delete my data on this device",
        ),
        Key::ConfirmDeleteAll => (
            "Radera alla påbörjade ärenden och sparade formulär på den här enheten? Det går inte att ångra.",
            "Delete every unfinished form and every saved form on this device? This cannot be undone.",
        ),
        Key::ConfirmDeleteAllYes => ("Ja, radera allt", "Yes, delete everything"),
        Key::AllDeleted => (
            "Alla dina uppgifter på den här enheten är raderade.",
            "All your data on this device has been deleted.",
        ),
        Key::DeleteFailed => (
            "Det gick inte att radera: {reason}",
            "It could not be deleted: {reason}",
        ),
        Key::ResumeTitle => ("Du har ett påbörjat ärende", "You have an unfinished form"),
        Key::ResumeText => (
            "Du började fylla i formuläret {date}. Vill du fortsätta där du slutade?",
            "You started filling in this form {date}. Do you want to continue where you left off?",
        ),
        Key::ResumeMany => (
            "Du har {n} påbörjade ärenden för det här formuläret. Det senaste ändrades {date}.",
            "You have {n} unfinished forms of this kind. The latest was changed {date}.",
        ),
        Key::StartOver => ("Börja om", "Start over"),
        Key::StartOverHint => (
            "Börjar du om finns det påbörjade ärendet kvar under Mina påbörjade ärenden.",
            "If you start over, the unfinished form stays under My unfinished forms.",
        ),
        Key::StartOverHintHere => (
            "Börjar du om finns det påbörjade ärendet kvar på enheten tills du raderar det.",
            "If you start over, the unfinished form stays on this device until you delete it.",
        ),
        Key::DeleteOffered => ("Radera det påbörjade ärendet", "Delete the unfinished form"),
        Key::OfferedDeleted => (
            "Det påbörjade ärendet är raderat från enheten.",
            "The unfinished form is deleted from this device.",
        ),
        Key::AllDrafts => ("Mina påbörjade ärenden", "My unfinished forms"),
        Key::Saved => (
            "Dina svar är sparade på den här enheten ({time}).",
            "Your answers are saved on this device ({time}).",
        ),
        Key::SaveFull => (
            "Dina svar kunde inte sparas: det finns inte plats på enheten. Du kan fortsätta, men skicka in innan du stänger sidan.",
            "Your answers could not be saved: there is no room on this device. You can go on, but submit before you close the page.",
        ),
        Key::SaveUnavailable => (
            "Dina svar kan inte sparas på den här enheten (till exempel i ett privat fönster). Du kan fylla i formuläret, men svaren försvinner om du stänger sidan.",
            "Your answers cannot be saved on this device (for example in a private window). You can fill in the form, but the answers are lost if you close the page.",
        ),
        Key::SaveFailed => (
            "Dina svar kunde inte sparas på den här enheten: {reason}. Du kan fortsätta, men skicka in innan du stänger sidan.",
            "Your answers could not be saved on this device: {reason}. You can go on, but submit before you close the page.",
        ),
        Key::DraftsOff => (
            "Det här formuläret sparas inte på enheten. Skicka in innan du stänger sidan.",
            "This form is not saved on the device. Submit before you close the page.",
        ),
        Key::OtherTab => (
            "Det här ärendet är öppet i en annan flik eller ett annat fönster. Det du ändrar här sparas inte, så att inget skrivs över. Fortsätt i den andra fliken.",
            "This form is open in another tab or window. What you change here is not saved, so that nothing is overwritten. Continue in the other tab.",
        ),
        Key::VersionChangedTitle => (
            "Formuläret har ändrats sedan du började",
            "The form has changed since you started",
        ),
        Key::VersionChangedText => (
            "De här svaren passar inte längre i formuläret och följer inte med. Skriv av dem om du behöver dem:",
            "These answers no longer fit the form and will not be kept. Copy them if you need them:",
        ),
        Key::VersionChangedOk => ("Jag förstår", "I understand"),
        Key::DraftUnreadable => (
            "Ett sparat ärende kunde inte öppnas: {reason}. Det finns kvar på enheten.",
            "A saved form could not be opened: {reason}. It is still on the device.",
        ),
        Key::PrivacyOnDevice => ("Sparas på den här enheten", "Kept on this device"),
        Key::PrivacyOnDeviceText => (
            "Det du fyller i sparas bara på den här enheten tills du skickar in, och raderas {days} dagar efter din senaste ändring. Inget skickas innan du skickar in. Du kan radera det under Mina påbörjade ärenden.",
            "What you fill in is kept only on this device until you submit, and deleted {days} days after your last change. Nothing is sent before you submit. You can delete it under My unfinished forms.",
        ),
        Key::PrivacyOnDeviceTextHere => (
            "Det du fyller i sparas bara på den här enheten tills du skickar in, och raderas {days} dagar efter din senaste ändring. Inget skickas innan du skickar in. När du öppnar formuläret igen kan du fortsätta eller radera det.",
            "What you fill in is kept only on this device until you submit, and deleted {days} days after your last change. Nothing is sent before you submit. When you open the form again you can continue or delete it.",
        ),
        Key::PrivacyOnDeviceOff => (
            "Det du fyller i sparas inte på enheten och skickas inte förrän du skickar in.",
            "What you fill in is not kept on the device, and nothing is sent before you submit.",
        ),
        Key::UpdateAvailable => (
            "En ny version av e-tjänsten finns.",
            "A new version of the e-service is available.",
        ),
        Key::UpdateApp => ("Uppdatera", "Update"),
        Key::OutboxWaiting => (
            "Ärenden som väntar på att skickas från den här enheten: {n}. De skickas automatiskt när enheten är online.",
            "Forms waiting on this device to be sent: {n}. They are sent automatically when the device is online.",
        ),
        Key::SendQueued => (
            "Det gick inte att skicka just nu. Ditt ärende är sparat på enheten och skickas automatiskt när du är online igen. Du kan stänga sidan.",
            "It could not be sent right now. Your form is kept on the device and sent automatically when you are online again. You can close the page.",
        ),
        Key::SendRetrying => (
            "Vi försöker igen automatiskt.",
            "We will try again automatically.",
        ),
        Key::ReceiptVerified => (
            "Kvittot är signerat av mottagaren och sparat på den här enheten.",
            "The receipt is signed by the receiver and kept on this device.",
        ),
        Key::ReceiptNotSigned => (
            "Mottagaren signerade inte kvittot.",
            "The receiver did not sign the receipt.",
        ),
        Key::ReceiptAnswers => ("Det här skickade du", "What you sent"),
        Key::PrintReceipt => ("Skriv ut kvittot", "Print the receipt"),
        Key::PrintDate => ("Datum:", "Date:"),
    };
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

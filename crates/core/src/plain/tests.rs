//! Plain-language checks: LIX counted by hand, and each kind of finding on and off.

use serde_json::json;

use super::*;
use crate::test_support::test_definition;

/// `text`'s counts must be (words, long words, sentences) and its rounded LIX `lix`.
fn check_lix(text: &str, counts: (usize, usize, usize), lix: u32) {
    let got = analyse(text).lix;
    assert_eq!(
        (got.words, got.long_words, got.sentences),
        counts,
        "counts of {text:?}"
    );
    assert_eq!(got.rounded(), Some(lix), "LIX of {text:?}");
}

#[test]
fn lix_as_counted_by_hand() {
    // 12 words, 2 sentences, no word over six letters ("veckor", "frågor" have six):
    // 12/2 + 0 = 6.
    check_lix(
        "Du får svar inom två veckor. Ring oss om du har frågor.",
        (12, 0, 2),
        6,
    );
    // 7 words, 1 sentence, 4 long (Ansökan, behandlas, förvaltningen, arbetsdagar):
    // 7/1 + 100·4/7 = 64.14.
    check_lix(
        "Ansökan behandlas av förvaltningen inom tjugo arbetsdagar.",
        (7, 4, 1),
        64,
    );
    // Markdown: the paragraph is one sentence ("t.ex." ends none), each list item another;
    // 10 words, 3 long (körkort, Läkarintyg, beslutet): 10/3 + 100·3/10 = 33.33.
    check_lix(
        "Ta med t.ex. pass eller körkort.\n\n- Läkarintyg\n- Kopia av beslutet",
        (10, 3, 3),
        33,
    );
    // Addresses are not words; a label without a period is one sentence; "e-post" is one
    // word of five letters: 5 words, 1 long (adressen): 5/1 + 100·1/5 = 25.
    check_lix(
        "Skriv e-post till info@exempelby.se eller https://exempelby.se/kontakt adressen",
        (5, 1, 1),
        25,
    );
    // A question and an exclamation end sentences, a colon too: 7 words, 3 sentences,
    // 1 long (ansökan is seven letters): 7/3 + 100·1/7 = 16.62.
    check_lix("Har du frågor? Ring oss! Om ansökan:", (7, 1, 3), 17);
}

#[test]
fn the_form_is_read_as_one_text() {
    let mut form = analyse("Du får svar inom två veckor. Ring oss om du har frågor.").lix;
    form.add(analyse("Ansökan behandlas av förvaltningen inom tjugo arbetsdagar.").lix);
    // 19 words, 3 sentences, 4 long: 19/3 + 400/19 = 27.39.
    assert_eq!(form.rounded(), Some(27));
    assert_eq!(Lix::default().value(), None, "no words, no LIX");
}

#[test]
fn bands() {
    let cases = [
        (0, Band::VeryEasy),
        (29, Band::VeryEasy),
        (30, Band::Easy),
        (39, Band::Easy),
        (40, Band::Medium),
        (50, Band::Hard),
        (59, Band::Hard),
        (60, Band::VeryHard),
        (85, Band::VeryHard),
    ];
    for (lix, band) in cases {
        assert_eq!(Band::of(lix), band, "LIX {lix}");
    }
    assert_eq!(Band::Medium.name(Lang::Sv), "medelsvår");
    assert_eq!(Band::VeryHard.name(Lang::En), "very hard");
}

#[test]
fn passive_heuristic() {
    let passive = [
        ("skickades", ""),
        ("behandlats", "har"),
        ("betalas", "avgiften"),
        ("kontaktas", "du"),
        ("registreras", "uppgifterna"),
        ("lämnas", "ska"),
        ("anges", "ska"),
        ("göras", "att"),
    ];
    for (word, before) in passive {
        assert!(is_passive(word, before), "{before} {word} is passive");
    }
    let not = [
        ("finns", "det"),
        ("hoppas", "vi"),
        ("plats", "en"),
        ("arbetsplats", "din"),
        ("kommunens", "ska"),
        ("barnets", "kan"),
        ("thomas", ""),
        ("lämnas", "beslutet"), // a short present passive without a modal is left alone
        ("behövs", "ska"),
        ("oss", "kan"),
        ("adress", "ska"),
        ("läsa", "kan"),
    ];
    for (word, before) in not {
        assert!(
            !is_passive(word, before),
            "{before} {word} is not taken for a passive"
        );
    }
}

/// The kinds of finding in `text`, in order, as short strings.
fn found(text: &str) -> Vec<String> {
    let mut report = Report::default();
    check_text(text, "t", &mut report);
    report
        .findings
        .iter()
        .map(|f| match &f.kind {
            FindingKind::HardText { lix } => format!("lix {lix}"),
            FindingKind::LongSentence { words, .. } => format!("sentence {words}"),
            FindingKind::LongWord { word } => format!("long {word}"),
            FindingKind::Passive { word } => format!("passive {word}"),
            FindingKind::Officialese { word, instead, .. } => format!("{word} → {instead}"),
        })
        .collect()
}

#[test]
fn findings_per_text() {
    assert_eq!(
        found(
            "Vederbörande ska erhålla beslutet samt inkomma med kompletteringar därest det behövs."
        ),
        [
            "Vederbörande → du, den det gäller",
            "erhålla → få",
            "samt → och",
            "inkomma → komma in, skicka",
            "därest → om",
        ]
    );
    assert_eq!(
        found("Du får svar inom två veckor. Ring oss om du har frågor."),
        Vec::<String>::new()
    );
    assert_eq!(
        found("Bifoga parkeringstillståndsansökan."),
        ["long parkeringstillståndsansökan"]
    );
    // 26 words in one sentence.
    let long = "Du som bor i kommunen och har barn i förskolan kan ansöka om plats på en annan \
                förskola om du flyttar eller om du byter arbete.";
    assert_eq!(analyse(long).lix.words, 26);
    assert_eq!(found(long), ["sentence 26"]);
    // A hard text of 15 words or more: 15 words, 1 sentence, 9 long: 15 + 60 = 75.
    let hard = "Myndighetsutövningen förutsätter omfattande dokumentation beträffande \
                sökandens ekonomiska förhållanden och familjesituation vid ansökningstillfället \
                för att kunna bedöma rätten.";
    let lix = analyse(hard).lix;
    assert_eq!((lix.words, lix.long_words, lix.sentences), (17, 10, 1));
    assert_eq!(found(hard), ["lix 76"]);
    // The same LIX in a short text is not reported on its own.
    assert_eq!(
        found("Ansökan behandlas av förvaltningen."),
        ["passive behandlas"]
    );
    // "inkomst" (income) is not "inkomma"; "inget" is no officialese.
    assert_eq!(
        found("Ange din inkomst. Inget annat."),
        Vec::<String>::new()
    );
}

#[test]
fn messages_carry_a_suggestion_in_both_languages() {
    let finding = Finding {
        path: "steps[0].title".into(),
        kind: FindingKind::Officialese {
            word: "erhålla".into(),
            instead: "få",
            instead_en: "få (get)",
        },
    };
    assert_eq!(
        finding.message(Lang::Sv),
        "\"erhålla\" är kanslisvenska: skriv hellre få"
    );
    assert_eq!(
        finding.message(Lang::En),
        "\"erhålla\" is officialese: write få (get) instead"
    );
}

#[test]
fn a_definition_is_checked_text_by_text_with_paths() {
    let def = test_definition(
        "byrakrati",
        "1",
        json!({ "sv": "Ansökan om bidrag", "en": "Application for a grant" }),
        json!([{
            "id": "one",
            "title": "Uppgifter",
            "description": { "sv": "Vederbörande ska erhålla beslutet.", "en": "Samt erhålla in English is not checked." },
            "fields": [
                { "id": "namn", "type": "text", "label": "Namn", "hint": "Uppgifterna registreras samt sparas." },
                { "id": "info", "type": "info", "text": "Handlingar som ska bifogas:\n\n- Intyg\n- Kopia" }
            ]
        }]),
    );
    let report = check(&def);
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{}: {}", f.path, f.message(Lang::En)))
        .collect();
    assert_eq!(
        lines,
        [
            "steps[0].description.sv: \"Vederbörande\" is officialese: write du, den det gäller (you, the person concerned) instead",
            "steps[0].description.sv: \"erhålla\" is officialese: write få (get) instead",
            "steps[0].fields[0].hint: \"registreras\" looks like a passive form: use the active voice and say who acts (\"vi skickar\", we send, rather than \"skickas\", is sent)",
            "steps[0].fields[0].hint: \"samt\" is officialese: write och (and) instead",
            "steps[0].fields[1].text: \"bifogas\" looks like a passive form: use the active voice and say who acts (\"vi skickar\", we send, rather than \"skickas\", is sent)",
        ]
    );
    // Every Swedish text is counted, English ones are not.
    assert!(report.texts.iter().any(|t| t.path == "title.sv"));
    assert!(!report.texts.iter().any(|t| t.path.ends_with(".en")));
    assert!(report.texts.iter().any(|t| t.path == "organisation.name"));
    assert!(report.texts.iter().any(|t| t.path == "privacy.purpose"));
    let total: usize = report.texts.iter().map(|t| t.lix.words).sum();
    assert_eq!(report.form.words, total);
    assert!(
        report
            .summary(Lang::Sv)
            .starts_with("klarspråk: formulärets LIX är ")
    );
    assert!(report.summary(Lang::En).ends_with(" 5 suggestions"));
}

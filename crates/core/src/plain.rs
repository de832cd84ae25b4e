//! Plain Swedish (Språklagen §11): readability and wording checks over a definition's Swedish
//! texts, for the author. Every finding is a suggestion, never an error: authors decide.
//!
//! What is measured, per text (with its JSON path) and for the whole form:
//! - **LIX** (Björnsson's läsbarhetsindex): words per sentence + 100 × the share of long words
//!   (more than six letters). Bands: under 30 very easy, 30–39 easy, 40–49 medium, 50–59 hard,
//!   60 and over very hard. A text is warned about from 50 up, once it has at least
//!   [`MIN_WORDS_FOR_LIX`] words (LIX says little about a three-word label).
//! - **Long sentences**: more than [`MAX_SENTENCE_WORDS`] words.
//! - **Long words**: more than [`MAX_WORD_LETTERS`] letters (a compound the reader must take
//!   apart).
//! - **Passive s-forms**, by a deliberately careful heuristic (see [`is_passive`]): a word ending
//!   in *-ades* or *-ats*, a word of at least seven letters ending in *-as*, or any word ending
//!   in *-s* right after a modal verb or *att* ("ska skickas", "att behandlas"); minus a list of
//!   deponent verbs and other words that only look passive ("finns", "hoppas", "plats", "oss").
//! - **Officialese**: words from [`OFFICIALESE`], a short list after the Swedish Language
//!   Council's and Klarspråk's advice, each with a plainer word.
//!
//! A text is split into words (runs of letters and digits, with inner hyphens: "e-post"),
//! leaving out web and e-mail addresses, and into sentences at `.`, `!`, `?` and `:` followed
//! by a space or the end, at line breaks and at markdown blocks and list items. A period after
//! a common abbreviation ("t.ex.", "bl.a.", "kl.") ends no sentence. Which texts are Swedish:
//! a text's `sv` (or `sv-…`) version, and a text written once for every language.

use std::fmt::Write as _;

use crate::definition::Definition;
use crate::markdown::{self, Block};
use crate::text::Lang;

/// A sentence with more words than this is flagged.
pub const MAX_SENTENCE_WORDS: usize = 25;
/// A word with more letters than this is flagged.
pub const MAX_WORD_LETTERS: usize = 20;
/// A text's own LIX is reported only when it has at least this many words.
pub const MIN_WORDS_FOR_LIX: usize = 15;
/// A text whose LIX is at least this is flagged (the band "hard" starts here).
pub const HARD_LIX: u32 = 50;

/// Officialese and the plainer word to write instead: (the word or a stem ending in `*`,
/// suggestion in Swedish, the same in English).
pub const OFFICIALESE: &[(&str, &str, &str)] = &[
    ("erhåll*", "få", "få (get)"),
    ("erhöll*", "fick", "fick (got)"),
    ("inkomm*", "komma in, skicka", "komma in, skicka (send)"),
    ("inkom", "kom in", "kom in (came in)"),
    ("inkomna", "som kommit in", "som kommit in (received)"),
    (
        "tillhandahåll*",
        "ge, ha, erbjuda",
        "ge, ha, erbjuda (give, have, offer)",
    ),
    ("samt", "och", "och (and)"),
    ("därest", "om", "om (if)"),
    (
        "vederbörande",
        "du, den det gäller",
        "du, den det gäller (you, the person concerned)",
    ),
    ("torde", "bör, troligen", "bör, troligen (should, probably)"),
    ("emedan", "eftersom", "eftersom (because)"),
    ("enär", "eftersom", "eftersom (because)"),
    ("icke", "inte", "inte (not)"),
    ("ej", "inte", "inte (not)"),
    ("nyttja*", "använda", "använda (use)"),
    (
        "beakta*",
        "tänka på, ta hänsyn till",
        "tänka på (bear in mind)",
    ),
    ("delge*", "meddela, ge", "meddela (tell)"),
    ("delgiv*", "meddela, ge", "meddela (tell)"),
    ("åligg*", "måste, ska", "måste, ska (must)"),
    ("tillställ*", "skicka", "skicka (send)"),
    (
        "erforderlig*",
        "som behövs, nödvändig",
        "som behövs (needed)",
    ),
    ("införskaffa*", "skaffa, köpa", "skaffa, köpa (get, buy)"),
    ("ombesörj*", "ordna, se till", "ordna (arrange)"),
    ("åberopa*", "hänvisa till", "hänvisa till (refer to)"),
    ("medelst", "med", "med (with)"),
    ("jämte", "och, med", "och, med (and, with)"),
    ("således", "alltså", "alltså (so)"),
    ("såsom", "som", "som (as)"),
    ("varvid", "och då", "och då (and then)"),
    ("härmed", "(stryk), nu", "(leave it out)"),
    ("likaledes", "också", "också (also)"),
    ("tillika", "också", "också (also)"),
    ("dylik*", "sådan", "sådan (such)"),
    ("förevarande", "den här", "den här (this)"),
];

/// Words before which an s-form is read as a passive infinitive ("ska skickas").
const MODALS: &[&str] = &[
    "ska", "skall", "skulle", "kan", "kunde", "måste", "bör", "borde", "får", "fick", "behöver",
    "vill", "att",
];

/// Words that end like a passive but are not one: deponent verbs (active in meaning), and
/// nouns and function words ending in -s.
const NOT_PASSIVE: &[&str] = &[
    "finns",
    "finnas",
    "fanns",
    "funnits",
    "hoppas",
    "hoppades",
    "hoppats",
    "andas",
    "minnas",
    "minns",
    "mindes",
    "lyckas",
    "lyckades",
    "lyckats",
    "trivs",
    "trivas",
    "synas",
    "syns",
    "låtsas",
    "umgås",
    "slåss",
    "svettas",
    "skämmas",
    "vistas",
    "envisas",
    "åldras",
    "brottas",
    "fattas",
    "kräks",
    "kräkas",
    "träffas",
    "ses",
    "känns",
    "kännas",
    "behövs",
    "krävs",
    "plats",
    "platsens",
    "oss",
    "dess",
    "hos",
    "ens",
    "alls",
    "tills",
    "längs",
    "nyss",
    "ytterligare",
    "bas",
    "gas",
    "glas",
    "ananas",
    "atlas",
    "kaktus",
    "status",
    "paus",
    "buss",
    "mottagningens",
];

/// Abbreviations whose final period ends no sentence (lower case, without that period).
const ABBREVIATIONS: &[&str] = &[
    "t.ex", "bl.a", "m.m", "o.s.v", "osv", "dvs", "d.v.s", "ca", "kl", "nr", "s.k", "p.g.a", "pga",
    "fr.o.m", "t.o.m", "jfr", "resp", "st", "tel", "etc", "obs", "ev", "inkl", "exkl",
];

/// Counts for LIX: words, long words (more than six letters) and sentences.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lix {
    /// Words.
    pub words: usize,
    /// Words of more than six letters.
    pub long_words: usize,
    /// Sentences.
    pub sentences: usize,
}

impl Lix {
    /// The readability index, `None` for a text without words.
    pub fn value(&self) -> Option<f64> {
        (self.words > 0 && self.sentences > 0).then(|| {
            self.words as f64 / self.sentences as f64
                + 100.0 * self.long_words as f64 / self.words as f64
        })
    }

    /// The index rounded to a whole number, as LIX is usually given.
    pub fn rounded(&self) -> Option<u32> {
        self.value().map(|v| v.round() as u32)
    }

    /// Adds another text's counts (the LIX of several texts read as one).
    pub fn add(&mut self, other: Lix) {
        self.words += other.words;
        self.long_words += other.long_words;
        self.sentences += other.sentences;
    }
}

/// How hard a LIX value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    /// Under 30.
    VeryEasy,
    /// 30–39.
    Easy,
    /// 40–49.
    Medium,
    /// 50–59.
    Hard,
    /// 60 and over.
    VeryHard,
}

impl Band {
    /// The band of a (rounded) LIX value.
    pub fn of(lix: u32) -> Band {
        match lix {
            0..30 => Band::VeryEasy,
            30..40 => Band::Easy,
            40..50 => Band::Medium,
            50..60 => Band::Hard,
            _ => Band::VeryHard,
        }
    }

    /// The band's name in `lang`.
    pub fn name(self, lang: Lang) -> &'static str {
        let (sv, en) = match self {
            Band::VeryEasy => ("mycket lättläst", "very easy"),
            Band::Easy => ("lättläst", "easy"),
            Band::Medium => ("medelsvår", "medium"),
            Band::Hard => ("svår", "hard"),
            Band::VeryHard => ("mycket svår", "very hard"),
        };
        match lang {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq)]
pub enum FindingKind {
    /// The text's own LIX is in the band "hard" or above.
    HardText {
        /// The text's LIX, rounded.
        lix: u32,
    },
    /// A sentence of more than [`MAX_SENTENCE_WORDS`] words.
    LongSentence {
        /// How many words it has.
        words: usize,
        /// Its first words, to find it by.
        start: String,
    },
    /// A word of more than [`MAX_WORD_LETTERS`] letters.
    LongWord {
        /// The word as written.
        word: String,
    },
    /// A passive s-form.
    Passive {
        /// The word as written.
        word: String,
    },
    /// A word from [`OFFICIALESE`].
    Officialese {
        /// The word as written.
        word: String,
        /// The plainer word, in Swedish.
        instead: &'static str,
        /// The same, explained in English.
        instead_en: &'static str,
    },
}

/// One suggestion about one text, at its JSON path (`steps[0].fields[2].hint.sv`).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Where the text is.
    pub path: String,
    /// What was found.
    pub kind: FindingKind,
}

impl Finding {
    /// The finding as a message with its suggestion, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (&self.kind, lang) {
            (FindingKind::HardText { lix }, Lang::Sv) => format!(
                "texten har LIX {lix} ({}): skriv kortare meningar och vanligare, kortare ord",
                Band::of(*lix).name(lang)
            ),
            (FindingKind::HardText { lix }, Lang::En) => format!(
                "the text has LIX {lix} ({}): write shorter sentences and commoner, shorter words",
                Band::of(*lix).name(lang)
            ),
            (FindingKind::LongSentence { words, start }, Lang::Sv) => format!(
                "meningen \"{start} …\" har {words} ord (över {MAX_SENTENCE_WORDS}): dela upp den"
            ),
            (FindingKind::LongSentence { words, start }, Lang::En) => format!(
                "the sentence \"{start} …\" has {words} words (over {MAX_SENTENCE_WORDS}): split it"
            ),
            (FindingKind::LongWord { word }, Lang::Sv) => {
                format!("\"{word}\" är ett långt ord: skriv om med flera ord, eller förklara det")
            }
            (FindingKind::LongWord { word }, Lang::En) => {
                format!("\"{word}\" is a long word: rephrase it in several words, or explain it")
            }
            (FindingKind::Passive { word }, Lang::Sv) => format!(
                "\"{word}\" ser ut att vara passiv form: skriv aktivt och säg vem som gör något \
                 (\"vi skickar\" i stället för \"skickas\")"
            ),
            (FindingKind::Passive { word }, Lang::En) => format!(
                "\"{word}\" looks like a passive form: use the active voice and say who acts \
                 (\"vi skickar\", we send, rather than \"skickas\", is sent)"
            ),
            (FindingKind::Officialese { word, instead, .. }, Lang::Sv) => {
                format!("\"{word}\" är kanslisvenska: skriv hellre {instead}")
            }
            (
                FindingKind::Officialese {
                    word, instead_en, ..
                },
                Lang::En,
            ) => {
                format!("\"{word}\" is officialese: write {instead_en} instead")
            }
        }
    }
}

/// One Swedish text of the definition with its LIX counts.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLix {
    /// Where the text is.
    pub path: String,
    /// Its counts.
    pub lix: Lix,
}

/// What the plain-language check found in a definition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Every Swedish text with its counts, by their place in the definition.
    pub texts: Vec<TextLix>,
    /// The counts of all of them read as one text.
    pub form: Lix,
    /// The suggestions, by the place of their text in the definition.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The summary line: the form's LIX and band, over how many words and texts.
    pub fn summary(&self, lang: Lang) -> String {
        let texts = self.texts.len();
        let words = self.form.words;
        match (self.form.rounded(), lang) {
            (Some(lix), Lang::Sv) => format!(
                "klarspråk: formulärets LIX är {lix} ({}), {words} ord i {texts} svenska texter, \
                 {} förslag",
                Band::of(lix).name(lang),
                self.findings.len()
            ),
            (Some(lix), Lang::En) => format!(
                "plain language: the form's LIX is {lix} ({}), {words} words in {texts} Swedish \
                 texts, {} suggestions",
                Band::of(lix).name(lang),
                self.findings.len()
            ),
            (None, Lang::Sv) => "klarspråk: formuläret har ingen svensk text".to_owned(),
            (None, Lang::En) => "plain language: the form has no Swedish text".to_owned(),
        }
    }
}

/// The keys whose values are texts a citizen reads ([`crate::Text`]: one string, or one per
/// language).
const TEXT_KEYS: &[&str] = &[
    "title",
    "description",
    "label",
    "hint",
    "text",
    "message",
    "name",
    "item_label",
    "add_label",
    "unit",
    "controller",
    "purpose",
    "legal_basis",
    "retention",
    "recipients",
    "contact",
    "alt",
];

/// Checks every Swedish text of `def`.
///
/// The definition is walked in its JSON form (as [`Definition`] serializes, which is the
/// format), so each finding has the path an author sees in the file.
pub fn check(def: &Definition) -> Report {
    let mut report = Report::default();
    if let Ok(json) = serde_json::to_value(def) {
        walk(&json, &mut String::new(), &mut report);
    }
    report
}

fn walk(value: &serde_json::Value, path: &mut String, report: &mut Report) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                if key.starts_with("x-") || key.starts_with('$') {
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if TEXT_KEYS.contains(&key.as_str()) {
                    match child {
                        serde_json::Value::String(s) => check_text(s, path, report),
                        serde_json::Value::Object(langs) => {
                            for (code, text) in langs {
                                let swedish = code == "sv" || code.starts_with("sv-");
                                if let (true, Some(text)) = (swedish, text.as_str()) {
                                    let len = path.len();
                                    let _ = write!(path, ".{code}");
                                    check_text(text, path, report);
                                    path.truncate(len);
                                }
                            }
                        }
                        _ => walk(child, path, report),
                    }
                } else {
                    walk(child, path, report);
                }
                path.truncate(len);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                walk(item, path, report);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Checks one text, adding its counts and findings to `report`.
fn check_text(text: &str, path: &str, report: &mut Report) {
    let analysis = analyse(text);
    let mut finding = |kind| {
        report.findings.push(Finding {
            path: path.to_owned(),
            kind,
        });
    };
    if analysis.lix.words >= MIN_WORDS_FOR_LIX
        && let Some(lix) = analysis.lix.rounded()
        && lix >= HARD_LIX
    {
        finding(FindingKind::HardText { lix });
    }
    for sentence in &analysis.sentences {
        if sentence.len() > MAX_SENTENCE_WORDS {
            finding(FindingKind::LongSentence {
                words: sentence.len(),
                start: sentence[..6].join(" "),
            });
        }
    }
    for sentence in &analysis.sentences {
        for (i, word) in sentence.iter().enumerate() {
            let lower = word.to_lowercase();
            if letters(word) > MAX_WORD_LETTERS {
                finding(FindingKind::LongWord { word: word.clone() });
            }
            if let Some((_, instead, instead_en)) = officialese(&lower) {
                finding(FindingKind::Officialese {
                    word: word.clone(),
                    instead,
                    instead_en,
                });
            }
            let before = i
                .checked_sub(1)
                .map(|j| sentence[j].to_lowercase())
                .unwrap_or_default();
            if is_passive(&lower, &before) {
                finding(FindingKind::Passive { word: word.clone() });
            }
        }
    }
    report.form.add(analysis.lix);
    report.texts.push(TextLix {
        path: path.to_owned(),
        lix: analysis.lix,
    });
}

/// A text as sentences of words, with its LIX counts.
#[derive(Debug, Default)]
struct Analysis {
    sentences: Vec<Vec<String>>,
    lix: Lix,
}

/// Splits `text` (plain or markdown) into sentences of words and counts them for LIX.
fn analyse(text: &str) -> Analysis {
    let mut analysis = Analysis::default();
    for unit in units(text) {
        let mut sentence: Vec<String> = Vec::new();
        for token in unit.split_whitespace() {
            if token.contains('@') || token.contains("://") || token.starts_with("www.") {
                continue;
            }
            let (words, ends) = token_words(token);
            sentence.extend(words);
            if ends && !sentence.is_empty() {
                analysis.sentences.push(std::mem::take(&mut sentence));
            }
        }
        if !sentence.is_empty() {
            analysis.sentences.push(sentence);
        }
    }
    for sentence in &analysis.sentences {
        analysis.lix.sentences += 1;
        analysis.lix.words += sentence.len();
        analysis.lix.long_words += sentence.iter().filter(|w| letters(w) > 6).count();
    }
    analysis
}

/// The text's blocks and list items, each of which ends a sentence, as plain text; a line
/// break inside one ends a sentence too.
fn units(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in markdown::parse(text) {
        match block {
            Block::Paragraph(inlines) | Block::Heading(inlines) => {
                out.extend(markdown::plain_text(&inlines).lines().map(str::to_owned));
            }
            Block::BulletList(items) | Block::NumberedList(items) => {
                for item in items {
                    out.extend(markdown::plain_text(&item).lines().map(str::to_owned));
                }
            }
        }
    }
    out
}

/// The words in one whitespace-separated token, and whether the token ends a sentence.
fn token_words(token: &str) -> (Vec<String>, bool) {
    let trimmed = token.trim_end_matches(['"', '\'', ')', '”', '’', '»']);
    let ends = trimmed.ends_with(['.', '!', '?', ':'])
        && !ABBREVIATIONS.contains(&trimmed.trim_end_matches('.').to_lowercase().as_str());
    let mut words = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = token.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let joins =
            c == '-' && !word.is_empty() && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || joins {
            word.push(c);
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    // "t.ex." is one word, not two.
    if ABBREVIATIONS.contains(&trimmed.trim_end_matches('.').to_lowercase().as_str()) {
        words = vec![trimmed.trim_end_matches('.').to_owned()];
    }
    (words, ends)
}

/// The letters in a word (digits and hyphens are not letters).
fn letters(word: &str) -> usize {
    word.chars().filter(|c| c.is_alphabetic()).count()
}

/// The [`OFFICIALESE`] entry a lower-case word matches.
fn officialese(lower: &str) -> Option<(&'static str, &'static str, &'static str)> {
    OFFICIALESE
        .iter()
        .copied()
        .find(|(pattern, _, _)| match pattern.strip_suffix('*') {
            Some(stem) => lower.starts_with(stem),
            None => lower == *pattern,
        })
}

/// Whether a lower-case word reads as a passive s-form, given the word before it.
///
/// Careful on purpose (a false warning costs an author's trust): a word ending in *-ades*
/// ("skickades") or *-ats* ("behandlats"), a word of at least seven letters ending in *-as*
/// ("betalas", "kontaktas"), or a word ending in *-s* after a modal verb or *att* ("ska
/// lämnas", "att ses" is excluded as a deponent); never a word in the list of deponents and
/// look-alikes, a word shorter than five letters, or a word ending in *-ss*, *-ns* or *-ts*
/// after a modal (genitives and nouns: "kommunens", "barnets").
pub fn is_passive(lower: &str, before: &str) -> bool {
    let n = letters(lower);
    if n < 5 || NOT_PASSIVE.contains(&lower) || lower.ends_with("plats") {
        return false;
    }
    if lower.ends_with("ades") || lower.ends_with("ats") {
        return true;
    }
    if lower.ends_with("as") && n >= 7 {
        return true;
    }
    MODALS.contains(&before)
        && lower.ends_with('s')
        && !lower.ends_with("ss")
        && !lower.ends_with("ns")
        && !lower.ends_with("ts")
}

#[cfg(test)]
mod tests;

//! Localized text: every string a citizen sees can be given per language.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A language the messages built in code for authors and integrators (a loader diagnostic,
/// the receiver's problems) are said in; any other page language gets Swedish
/// ([`LangTag::messages`]). An answer's message speaks every interface language
/// ([`crate::i18n`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Swedish, the default (Språklagen §11: Swedish first).
    #[default]
    Sv,
    /// English.
    En,
}

impl Lang {
    /// All interface languages, Swedish first.
    pub const ALL: [Lang; 2] = [Lang::Sv, Lang::En];

    /// The BCP 47 code used in `lang` attributes and definition text maps.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Parses a language code such as `sv`, `sv-SE` or `en-GB`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The longest language tag the runtime keeps (`zh-Hant-TW` is 10): longer tags are refused.
pub const MAX_TAG_LEN: usize = 15;

/// Any language a definition may offer, by its BCP 47 tag (`sv`, `fi`, `fit`, `se`, `ar`,
/// `zh-Hant`): what the page is in. Small and `Copy`, so the interface can hold it in a
/// signal. Messages that code builds for authors and integrators speak [`Lang`]:
/// [`LangTag::messages`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LangTag {
    len: u8,
    bytes: [u8; MAX_TAG_LEN],
}

/// Languages written right to left, by primary subtag (Arabic, Persian, Dari, Hebrew, Urdu,
/// Pashto, Sorani, Yiddish, Dhivehi, Sindhi, Uyghur, Syriac, N'Ko, Aramaic).
const RTL: &[&str] = &[
    "ar", "fa", "prs", "he", "ur", "ps", "ckb", "yi", "dv", "sd", "ug", "syr", "nqo", "arc",
];

/// Languages' own names, for the language switch; a language not listed shows its tag.
const NATIVE_NAMES: &[(&str, &str)] = &[
    ("sv", "Svenska"),
    ("en", "English"),
    ("fi", "suomi"),
    ("fit", "meänkieli"),
    ("se", "davvisámegiella"),
    ("smj", "julevsámegiella"),
    ("sma", "åarjelsaemien gïele"),
    ("rmy", "romani chib"),
    ("rom", "romani chib"),
    ("yi", "ייִדיש"),
    ("ar", "العربية"),
    ("fa", "فارسی"),
    ("prs", "دری"),
    ("so", "Soomaali"),
    ("ti", "ትግርኛ"),
    ("ku", "Kurdî"),
    ("ckb", "کوردی"),
    ("bs", "bosanski"),
    ("hr", "hrvatski"),
    ("sr", "српски"),
    ("pl", "polski"),
    ("de", "Deutsch"),
    ("fr", "français"),
    ("es", "español"),
    ("uk", "українська"),
    ("ru", "русский"),
    ("tr", "Türkçe"),
    ("th", "ไทย"),
    ("zh", "中文"),
    ("nb", "norsk bokmål"),
    ("nn", "norsk nynorsk"),
    ("da", "dansk"),
];

impl LangTag {
    /// Swedish.
    pub const SV: LangTag = LangTag::ascii(b"sv");
    /// English.
    pub const EN: LangTag = LangTag::ascii(b"en");

    const fn ascii(tag: &[u8]) -> LangTag {
        let mut bytes = [0; MAX_TAG_LEN];
        let mut i = 0;
        while i < tag.len() {
            bytes[i] = tag[i];
            i += 1;
        }
        LangTag {
            len: tag.len() as u8,
            bytes,
        }
    }

    /// Reads a BCP 47 tag: a primary subtag of 2–3 letters, then subtags of 1–8 letters or
    /// digits, at most [`MAX_TAG_LEN`] bytes; `_` is read as `-`. The primary subtag is kept in
    /// lower case, the rest as written.
    pub fn parse(tag: &str) -> Option<LangTag> {
        let tag = tag.trim();
        if tag.is_empty() || tag.len() > MAX_TAG_LEN {
            return None;
        }
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next()?;
        let primary_ok =
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
        let rest_ok = parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if !(primary_ok && rest_ok) {
            return None;
        }
        let mut bytes = [0; MAX_TAG_LEN];
        for (i, b) in tag.bytes().enumerate() {
            bytes[i] = match b {
                b'_' => b'-',
                _ if i < primary.len() => b.to_ascii_lowercase(),
                _ => b,
            };
        }
        Some(LangTag {
            len: tag.len() as u8,
            bytes,
        })
    }

    /// The tag, for `lang` attributes and definition text maps.
    pub fn code(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("sv")
    }

    /// The primary language subtag: `sv` of `sv-FI`.
    pub fn primary(&self) -> &str {
        let code = self.code();
        code.split('-').next().unwrap_or(code)
    }

    /// Whether the language is written right to left (by its primary subtag, or an `Arab`,
    /// `Hebr`, `Thaa`, `Syrc` or `Nkoo` script subtag).
    pub fn is_rtl(&self) -> bool {
        RTL.contains(&self.primary())
            || self.code().split('-').skip(1).any(|s| {
                ["arab", "hebr", "thaa", "syrc", "nkoo"].contains(&s.to_ascii_lowercase().as_str())
            })
    }

    /// The language's own name ("suomi", "العربية"), or its tag when the runtime knows none.
    pub fn native_name(&self) -> &str {
        NATIVE_NAMES
            .iter()
            .find(|(code, _)| *code == self.code() || *code == self.primary())
            .map_or(self.code(), |(_, name)| name)
    }

    /// The language in which code-built messages with parts (a loader diagnostic, a
    /// receiver's problem) are said: English for English, Swedish for every other language
    /// (Swedish first, Språklagen §11).
    pub fn messages(self) -> Lang {
        if self.primary() == "en" {
            Lang::En
        } else {
            Lang::Sv
        }
    }

    /// Of the languages `offered` (a definition's, Swedish first), the one to show for this
    /// wish: itself, else one of the same primary language (`fi` for `fi-SE`, `sv` for
    /// `sv-FI`), else the first; this language when nothing is offered.
    pub fn best_of(self, offered: &[LangTag]) -> LangTag {
        offered
            .iter()
            .find(|l| **l == self)
            .or_else(|| offered.iter().find(|l| l.primary() == self.primary()))
            .or_else(|| offered.first())
            .copied()
            .unwrap_or(self)
    }

    /// Whether `code` (a key of a per-language text) names this language exactly, ignoring
    /// case.
    pub fn is(&self, code: &str) -> bool {
        self.code().eq_ignore_ascii_case(code)
    }
}

impl Default for LangTag {
    fn default() -> LangTag {
        LangTag::SV
    }
}

impl From<Lang> for LangTag {
    fn from(lang: Lang) -> LangTag {
        match lang {
            Lang::Sv => LangTag::SV,
            Lang::En => LangTag::EN,
        }
    }
}

impl fmt::Debug for LangTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LangTag({})", self.code())
    }
}

impl fmt::Display for LangTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for LangTag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Text in a definition: one string for every language, or a map from language code to string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Text {
    /// The same text in every language.
    Plain(String),
    /// Text per language code (`"sv"`, `"en"`, …); Swedish should be present.
    Localized(BTreeMap<String, String>),
}

impl Text {
    /// The text in `lang`: its exact tag, else its primary language (`sv` for `sv-FI`), else
    /// the fallback language (Swedish: a definition's first language, see
    /// [`crate::Definition::languages`]), then English, then any language given.
    pub fn get(&self, lang: impl Into<LangTag>) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Localized(map) => self
                .lang_of(lang)
                .and_then(|code| map.get(code))
                .map_or("", String::as_str),
        }
    }

    /// The language the text returned by [`Text::get`] is actually written in, if known.
    ///
    /// The UI puts a `lang` attribute on text that fell back to another language (WCAG 3.1.2).
    pub fn lang_of(&self, lang: impl Into<LangTag>) -> Option<&str> {
        let lang = lang.into();
        match self {
            Text::Plain(_) => None,
            Text::Localized(map) => map
                .keys()
                .find(|c| lang.is(c))
                .or_else(|| map.keys().find(|c| lang.primary().eq_ignore_ascii_case(c)))
                .or_else(|| map.keys().find(|c| *c == "sv"))
                .or_else(|| map.keys().find(|c| *c == "en"))
                .or_else(|| map.keys().next())
                .map(String::as_str),
        }
    }

    /// The language tags this text is written in (none for one text for every language).
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        match self {
            Text::Plain(_) => None,
            Text::Localized(map) => Some(map.keys().map(String::as_str)),
        }
        .into_iter()
        .flatten()
    }

    /// Whether the text has no visible content in any language.
    pub fn is_blank(&self) -> bool {
        match self {
            Text::Plain(s) => s.trim().is_empty(),
            Text::Localized(map) => map.values().all(|s| s.trim().is_empty()),
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::Plain(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv_en(sv: &str, en: &str) -> Text {
        Text::Localized(BTreeMap::from([
            ("sv".into(), sv.into()),
            ("en".into(), en.into()),
        ]))
    }

    #[test]
    fn picks_requested_language_then_falls_back_to_swedish() {
        let t = sv_en("Namn", "Name");
        assert_eq!(t.get(Lang::En), "Name");
        assert_eq!(t.get(Lang::Sv), "Namn");
        let only_sv = Text::Localized(BTreeMap::from([("sv".into(), "Namn".into())]));
        assert_eq!(only_sv.get(Lang::En), "Namn");
        assert_eq!(only_sv.lang_of(Lang::En), Some("sv"));
        assert_eq!(t.lang_of(Lang::En), Some("en"));
        assert_eq!(Text::from("x").lang_of(Lang::En), None);
    }

    #[test]
    fn any_language_falls_back_to_swedish_with_its_tag() {
        let t = Text::Localized(BTreeMap::from([
            ("sv".into(), "Namn".into()),
            ("fi".into(), "Nimi".into()),
            ("ar".into(), "الاسم".into()),
        ]));
        let tag = |c| LangTag::parse(c).unwrap_or_default();
        assert_eq!(t.get(tag("fi")), "Nimi");
        assert_eq!(t.get(tag("ar")), "الاسم");
        assert_eq!(
            t.get(tag("fi-SE")),
            "Nimi",
            "a region falls back to its language"
        );
        assert_eq!(t.get(tag("fit")), "Namn");
        assert_eq!(t.lang_of(tag("fit")), Some("sv"));
        assert_eq!(t.lang_of(tag("fi")), Some("fi"));
    }

    #[test]
    fn language_tags() {
        let fi = LangTag::parse("fi").unwrap_or_default();
        assert_eq!(
            (fi.code(), fi.native_name(), fi.is_rtl()),
            ("fi", "suomi", false)
        );
        let ar = LangTag::parse("AR").unwrap_or_default();
        assert_eq!(
            (ar.code(), ar.native_name(), ar.is_rtl()),
            ("ar", "العربية", true)
        );
        assert_eq!(
            LangTag::parse("se")
                .map(|t| t.native_name().to_owned())
                .as_deref(),
            Some("davvisámegiella")
        );
        assert_eq!(
            LangTag::parse("fit")
                .map(|t| t.native_name().to_owned())
                .as_deref(),
            Some("meänkieli")
        );
        assert!(LangTag::parse("pa-Arab").is_some_and(|t| t.is_rtl()));
        assert_eq!(
            LangTag::parse("sv_FI")
                .map(|t| t.code().to_owned())
                .as_deref(),
            Some("sv-FI")
        );
        assert_eq!(
            LangTag::parse("xx")
                .map(|t| t.native_name().to_owned())
                .as_deref(),
            Some("xx")
        );
        for bad in [
            "",
            "s",
            "svenska",
            "sv--x",
            "sv-verylongsubtag",
            "12",
            "sv-aaaaaaaa-bbbbbbbb",
        ] {
            assert_eq!(LangTag::parse(bad), None, "{bad:?}");
        }
        assert_eq!(fi.messages(), Lang::Sv);
        let offered = [LangTag::SV, fi, ar];
        assert_eq!(ar.best_of(&offered), ar);
        assert_eq!(
            LangTag::parse("fi-SE").map(|t| t.best_of(&offered)),
            Some(fi)
        );
        assert_eq!(
            LangTag::EN.best_of(&offered),
            LangTag::SV,
            "not offered: the first"
        );
        assert_eq!(LangTag::EN.best_of(&[]), LangTag::EN);
        assert_eq!(
            LangTag::parse("en-GB").map(LangTag::messages),
            Some(Lang::En)
        );
        assert_eq!(LangTag::from(Lang::En), LangTag::EN);
    }

    #[test]
    fn parses_language_codes() {
        assert_eq!(Lang::from_code("sv-SE"), Some(Lang::Sv));
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
        assert_eq!(Lang::from_code("fi"), None);
    }
}

//! Localized text: every string a citizen sees can be given per language.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A language the runtime's own interface speaks.
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

    /// The language's own name, for a language switch ("Svenska", "English").
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Sv => "Svenska",
            Lang::En => "English",
        }
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
    /// The text in `lang`, falling back to Swedish, then English, then any language given.
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Localized(map) => map
                .get(lang.code())
                .or_else(|| map.get("sv"))
                .or_else(|| map.get("en"))
                .or_else(|| map.values().next())
                .map(String::as_str)
                .unwrap_or(""),
        }
    }

    /// The language the text returned by [`Text::get`] is actually written in, if known.
    ///
    /// The UI puts a `lang` attribute on text that fell back to another language (WCAG 3.1.2).
    pub fn lang_of(&self, lang: Lang) -> Option<&str> {
        match self {
            Text::Plain(_) => None,
            Text::Localized(map) => {
                if map.contains_key(lang.code()) {
                    Some(lang.code())
                } else {
                    ["sv", "en"]
                        .into_iter()
                        .find(|c| map.contains_key(*c))
                        .or_else(|| map.keys().next().map(String::as_str))
                }
            }
        }
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
    fn parses_language_codes() {
        assert_eq!(Lang::from_code("sv-SE"), Some(Lang::Sv));
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
        assert_eq!(Lang::from_code("fi"), None);
    }
}

//! The organisation's look: its logo, and a theme of colours, corner radius and font.
//!
//! The app turns a [`Theme`] into CSS custom properties with [`Theme::tokens`]; the
//! stylesheet uses them below the host page's own `--bk-*` values and above its defaults.
//! [`Theme::contrast_failures`] measures the theme's colours by WCAG 2.1 (the loader turns
//! each failure into a warning).

use std::fmt;

use serde::Serialize;

use crate::Lang;
use crate::text::Text;

/// The organisation's logo, shown with its name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Logo {
    /// The image: an `https://…` address or a relative path (no `javascript:`, `data:` or other schemes).
    pub src: String,
    /// The image's text alternative: the organisation's name as the logo shows it.
    pub alt: Text,
}

/// The organisation's colours, corner radius and font; every key is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Buttons and links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<Colour>,
    /// Text on primary buttons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_text: Option<Colour>,
    /// Body text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Colour>,
    /// The page's background.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<Colour>,
    /// The focus ring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<Colour>,
    /// Error messages and the borders of fields with errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Colour>,
    /// The corner radius of fields and buttons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius: Option<Radius>,
    /// A CSS font-family list, e.g. `"Source Sans Pro", Arial, sans-serif`: letters A–Z,
    /// digits, spaces, commas, hyphens and quotes, at most 200 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(regex(pattern = r#"^[A-Za-z0-9 ,'"-]{1,200}$"#))
    )]
    pub font: Option<String>,
}

/// The longest `font` a theme takes, in characters.
pub const MAX_FONT_LEN: usize = 200;

/// The theme's colours, each with its key, its CSS custom property and the default it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeColour {
    /// `primary`: buttons and links.
    Primary,
    /// `primary_text`: text on primary buttons.
    PrimaryText,
    /// `text`: body text.
    Text,
    /// `background`: the page's background.
    Background,
    /// `focus`: the focus ring.
    Focus,
    /// `error`: error messages.
    Error,
}

impl ThemeColour {
    /// Every theme colour, in the order of [`Theme::tokens`].
    pub const ALL: [ThemeColour; 6] = [
        ThemeColour::Primary,
        ThemeColour::PrimaryText,
        ThemeColour::Text,
        ThemeColour::Background,
        ThemeColour::Focus,
        ThemeColour::Error,
    ];

    /// The key in the definition's `theme` object.
    pub fn key(self) -> &'static str {
        match self {
            ThemeColour::Primary => "primary",
            ThemeColour::PrimaryText => "primary_text",
            ThemeColour::Text => "text",
            ThemeColour::Background => "background",
            ThemeColour::Focus => "focus",
            ThemeColour::Error => "error",
        }
    }

    /// The CSS custom property the app sets from it.
    pub fn token(self) -> &'static str {
        match self {
            ThemeColour::Primary => "--bk-org-primary",
            ThemeColour::PrimaryText => "--bk-org-primary-text",
            ThemeColour::Text => "--bk-org-text",
            ThemeColour::Background => "--bk-org-bg",
            ThemeColour::Focus => "--bk-org-focus",
            ThemeColour::Error => "--bk-org-error",
        }
    }

    /// The stylesheet's default (`style/main.css`, `:root`), used where a theme gives none.
    pub fn default_colour(self) -> Colour {
        match self {
            ThemeColour::Primary => Colour([0x00, 0x5a, 0x9c]),
            ThemeColour::PrimaryText => Colour([0xff, 0xff, 0xff]),
            ThemeColour::Text => Colour([0x1b, 0x1b, 0x1b]),
            ThemeColour::Background => Colour([0xff, 0xff, 0xff]),
            ThemeColour::Focus => Colour([0xff, 0xbf, 0x47]),
            ThemeColour::Error => Colour([0xb3, 0x26, 0x1e]),
        }
    }
}

/// The text on a focused link and the skip link, drawn on the focus colour
/// (`--bk-focus-text` in the stylesheet; a theme does not change it).
pub const FOCUS_TEXT: Colour = Colour([0x0b, 0x0c, 0x0c]);

impl Theme {
    /// The colour the theme gives for `which`, if any.
    pub fn colour(&self, which: ThemeColour) -> Option<Colour> {
        match which {
            ThemeColour::Primary => self.primary,
            ThemeColour::PrimaryText => self.primary_text,
            ThemeColour::Text => self.text,
            ThemeColour::Background => self.background,
            ThemeColour::Focus => self.focus,
            ThemeColour::Error => self.error,
        }
    }

    /// The colour used for `which`: the theme's, else the stylesheet's default.
    pub fn colour_or_default(&self, which: ThemeColour) -> Colour {
        self.colour(which).unwrap_or_else(|| which.default_colour())
    }

    /// The CSS custom properties (`--bk-org-…`) and values for what the theme gives, for
    /// `CSSStyleDeclaration.setProperty`; colours as lowercase `#rrggbb`.
    pub fn tokens(&self) -> Vec<(&'static str, String)> {
        let colours = ThemeColour::ALL
            .into_iter()
            .filter_map(|c| Some((c.token(), self.colour(c)?.to_string())));
        let radius = self
            .radius
            .as_ref()
            .map(|r| ("--bk-org-radius", r.as_str().to_owned()));
        let font = self.font.clone().map(|f| ("--bk-org-font", f));
        colours.chain(radius).chain(font).collect()
    }

    /// Every pair of colours that misses its WCAG 2.1 AA contrast, in [`ContrastPair::ALL`]
    /// order. A pair is measured when the theme gives one of its colours (the other may be
    /// the default); the focus pairs only when it gives `focus`.
    pub fn contrast_failures(&self) -> Vec<ContrastFailure> {
        ContrastPair::ALL
            .into_iter()
            .filter(|pair| pair.measured_for(self))
            .filter_map(|pair| {
                let (foreground, background) = pair.colours(self);
                let ratio = foreground.contrast(background);
                (ratio < pair.minimum()).then_some(ContrastFailure {
                    pair,
                    foreground,
                    background,
                    ratio,
                    foreground_given: pair.foreground().is_some_and(|c| self.colour(c).is_some()),
                    background_given: self.colour(pair.background()).is_some(),
                })
            })
            .collect()
    }
}

/// An sRGB colour, read from `#rgb` or `#rrggbb` and written as lowercase `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour(pub [u8; 3]);

impl Colour {
    /// Reads `#rgb` or `#rrggbb` (hex digits in either case); nothing else.
    pub fn parse(s: &str) -> Option<Colour> {
        let hex = s.strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok();
        match hex.len() {
            3 => Some(Colour([digit(0)? * 17, digit(1)? * 17, digit(2)? * 17])),
            6 => Some(Colour([
                digit(0)? * 16 + digit(1)?,
                digit(2)? * 16 + digit(3)?,
                digit(4)? * 16 + digit(5)?,
            ])),
            _ => None,
        }
    }

    /// The WCAG 2.1 relative luminance: 0 for black, 1 for white.
    pub fn relative_luminance(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            // WCAG 2.1 writes 0.03928, sRGB 0.04045; no 8-bit value lies between them.
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// The WCAG 2.1 contrast ratio with `other`, from 1 (none) to 21 (black on white).
    pub fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.relative_luminance(), other.relative_luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

impl Serialize for Colour {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Colour {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Colour".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A colour in hexadecimal: `#rgb` or `#rrggbb`.",
            "type": "string",
            "pattern": "^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$"
        })
    }
}

/// A corner radius: `0`, or a number of `px` (at most 32) or `rem` (at most 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Radius(String);

impl Radius {
    /// The largest radius in `px`.
    pub const MAX_PX: f64 = 32.0;
    /// The largest radius in `rem`.
    pub const MAX_REM: f64 = 2.0;

    /// Reads `0`, `<n>px` or `<n>rem` (`n` digits with an optional fraction, within the
    /// limits) and writes the number back plainly (`4.0px` → `4px`, `0rem` → `0`).
    pub fn parse(s: &str) -> Option<Radius> {
        if s == "0" {
            return Some(Radius("0".into()));
        }
        let (number, unit, max) = if let Some(n) = s.strip_suffix("rem") {
            (n, "rem", Self::MAX_REM)
        } else {
            (s.strip_suffix("px")?, "px", Self::MAX_PX)
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
        let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) {
            return None;
        }
        let value = crate::num::decimal(number);
        if value > max {
            return None;
        }
        Some(Radius(if value == 0.0 {
            "0".into()
        } else {
            format!("{value}{unit}")
        }))
    }

    /// The radius as CSS.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for Radius {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Radius {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Radius".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A corner radius: `0`, or a number with `px` (at most 32px) or `rem` (at most 2rem).",
            "type": "string",
            "pattern": "^(0|[0-9]+(\\.[0-9]+)?(px|rem))$"
        })
    }
}

/// A pair of colours that WCAG 2.1 AA asks a minimum contrast of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContrastPair {
    /// `text` on `background`: body text (4.5:1).
    Text,
    /// `primary` on `background`: links (4.5:1).
    Links,
    /// `primary_text` on `primary`: the text on primary buttons (4.5:1).
    Buttons,
    /// `error` on `background`: error messages (4.5:1).
    Errors,
    /// `focus` against `background`: the focus ring (3:1, non-text contrast).
    FocusRing,
    /// The fixed focus text on `focus`: a focused link and the skip link (4.5:1).
    FocusedLink,
}

impl ContrastPair {
    /// Every pair, in the order failures are reported.
    pub const ALL: [ContrastPair; 6] = [
        ContrastPair::Text,
        ContrastPair::Links,
        ContrastPair::Buttons,
        ContrastPair::Errors,
        ContrastPair::FocusRing,
        ContrastPair::FocusedLink,
    ];

    /// The smallest contrast ratio WCAG 2.1 AA allows for the pair (1.4.3 text, 1.4.11 non-text).
    pub fn minimum(self) -> f64 {
        match self {
            ContrastPair::FocusRing => 3.0,
            _ => 4.5,
        }
    }

    /// The foreground's theme colour; `None` for the fixed focus text.
    pub fn foreground(self) -> Option<ThemeColour> {
        match self {
            ContrastPair::Text => Some(ThemeColour::Text),
            ContrastPair::Links => Some(ThemeColour::Primary),
            ContrastPair::Buttons => Some(ThemeColour::PrimaryText),
            ContrastPair::Errors => Some(ThemeColour::Error),
            ContrastPair::FocusRing => Some(ThemeColour::Focus),
            ContrastPair::FocusedLink => None,
        }
    }

    /// The background's theme colour.
    pub fn background(self) -> ThemeColour {
        match self {
            ContrastPair::Buttons => ThemeColour::Primary,
            ContrastPair::FocusedLink => ThemeColour::Focus,
            _ => ThemeColour::Background,
        }
    }

    /// The colours the pair is drawn with under `theme` (its own, else the defaults).
    fn colours(self, theme: &Theme) -> (Colour, Colour) {
        let foreground = self
            .foreground()
            .map_or(FOCUS_TEXT, |c| theme.colour_or_default(c));
        (foreground, theme.colour_or_default(self.background()))
    }

    /// Whether `theme` gives a colour that makes this pair worth measuring. The default focus
    /// ring (1.6:1 on white) relies on its dark edge, so the focus pairs count only a `focus`.
    fn measured_for(self, theme: &Theme) -> bool {
        match self {
            ContrastPair::FocusRing | ContrastPair::FocusedLink => theme.focus.is_some(),
            _ => {
                self.foreground().is_some_and(|c| theme.colour(c).is_some())
                    || theme.colour(self.background()).is_some()
            }
        }
    }

    fn what(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ContrastPair::Text, Lang::En) => "body text",
            (ContrastPair::Text, Lang::Sv) => "brödtext",
            (ContrastPair::Links, Lang::En) => "links",
            (ContrastPair::Links, Lang::Sv) => "länkar",
            (ContrastPair::Buttons, Lang::En) => "text on buttons",
            (ContrastPair::Buttons, Lang::Sv) => "text på knappar",
            (ContrastPair::Errors, Lang::En) => "error messages",
            (ContrastPair::Errors, Lang::Sv) => "felmeddelanden",
            (ContrastPair::FocusRing, Lang::En) => "the focus ring",
            (ContrastPair::FocusRing, Lang::Sv) => "fokusmarkeringen",
            (ContrastPair::FocusedLink, Lang::En) => "the text of a focused link",
            (ContrastPair::FocusedLink, Lang::Sv) => "texten i en fokuserad länk",
        }
    }
}

/// A pair of theme colours below its WCAG 2.1 AA minimum contrast.
#[derive(Debug, Clone, PartialEq)]
pub struct ContrastFailure {
    /// Which pair.
    pub pair: ContrastPair,
    /// The foreground as drawn (the theme's, the default, or the fixed focus text).
    pub foreground: Colour,
    /// The background as drawn (the theme's or the default).
    pub background: Colour,
    /// The contrast ratio, e.g. 3.2 for 3.2:1.
    pub ratio: f64,
    /// Whether the theme gives the foreground (else it is the default or fixed).
    pub foreground_given: bool,
    /// Whether the theme gives the background (else it is the default).
    pub background_given: bool,
}

impl ContrastFailure {
    /// The theme key a warning points at: the foreground's if the theme gives it, else the background's.
    pub fn key(&self) -> &'static str {
        match self.pair.foreground() {
            Some(c) if self.foreground_given => c.key(),
            _ => self.pair.background().key(),
        }
    }

    /// The ratio rounded down to one decimal, so a ratio just below the minimum never reads as it.
    pub fn ratio_rounded_down(&self) -> f64 {
        (self.ratio * 10.0).floor() / 10.0
    }

    /// What fails, in `lang`: the pair, both colours, the ratio and the minimum.
    pub fn message(&self, lang: Lang) -> String {
        let colour = |key: Option<&str>, c: Colour, given: bool| {
            let origin = match (key.is_some(), given, lang) {
                (true, true, _) => "",
                (true, false, Lang::En) => " (default)",
                (true, false, Lang::Sv) => " (standard)",
                (false, _, Lang::En) => " (fixed)",
                (false, _, Lang::Sv) => " (fast)",
            };
            match key {
                Some(key) => format!("\"{key}\" {c}{origin}"),
                None => format!("{c}{origin}"),
            }
        };
        let foreground = colour(
            self.pair.foreground().map(ThemeColour::key),
            self.foreground,
            self.foreground_given,
        );
        let background = colour(
            Some(self.pair.background().key()),
            self.background,
            self.background_given,
        );
        let what = self.pair.what(lang);
        let ratio = format!("{:.1}", self.ratio_rounded_down());
        let minimum = format!("{}", self.pair.minimum());
        match lang {
            Lang::En => {
                let on = if self.pair == ContrastPair::FocusRing {
                    "against"
                } else {
                    "on"
                };
                format!(
                    "{what}: {foreground} {on} {background} has a contrast of {ratio}:1; WCAG 2.1 AA needs at least {minimum}:1"
                )
            }
            Lang::Sv => {
                let on = if self.pair == ContrastPair::FocusRing {
                    "mot"
                } else {
                    "på"
                };
                format!(
                    "{what}: {foreground} {on} {background} har kontrasten {}:1; WCAG 2.1 AA kräver minst {}:1",
                    ratio.replace('.', ","),
                    minimum.replace('.', ","),
                )
            }
        }
    }
}

impl fmt::Display for ContrastFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

#[cfg(test)]
mod tests;

//! The organisation's logo and theme, and the theme's contrast warnings.

use serde_json::Value;

use super::Cx;
use super::read::{Path, is_acceptable_url};
use crate::definition::diagnostic::Problem;
use crate::definition::theme::{Colour, Logo, MAX_FONT_LEN, Radius, Theme};

impl Cx {
    pub(super) fn logo(&mut self, v: &Value, path: &Path) -> Option<Logo> {
        let obj = self.object(v, path)?;
        self.unknown_keys(&obj, &["src", "alt"]);
        let src = self.required(&obj, "src").and_then(|(v, p)| {
            let s = self.nonempty_string(v, &p)?;
            if is_image_src(&s) {
                Some(s)
            } else {
                self.error(&p, Problem::InvalidImageSrc(s));
                None
            }
        });
        let alt = self
            .required(&obj, "alt")
            .and_then(|(v, p)| self.text(v, &p));
        Some(Logo {
            src: src?,
            alt: alt?,
        })
    }

    /// Reads a theme and warns about each pair of its colours below WCAG 2.1 AA contrast.
    pub(super) fn theme(&mut self, v: &Value, path: &Path) -> Option<Theme> {
        let obj = self.object(v, path)?;
        self.unknown_keys(
            &obj,
            &[
                "primary",
                "primary_text",
                "text",
                "background",
                "focus",
                "error",
                "radius",
                "font",
            ],
        );
        let colour = |cx: &mut Self, key| {
            cx.opt(&obj, key, |cx, v, p| {
                cx.parsed(v, p, Colour::parse, Problem::InvalidColour)
            })
        };
        let primary = colour(self, "primary");
        let primary_text = colour(self, "primary_text");
        let text = colour(self, "text");
        let background = colour(self, "background");
        let focus = colour(self, "focus");
        let error = colour(self, "error");
        let radius = self.opt(&obj, "radius", |cx, v, p| {
            cx.parsed(v, p, Radius::parse, Problem::InvalidRadius)
        });
        let font = self.opt(&obj, "font", Self::font);
        let theme = Theme {
            primary: primary.ok()?,
            primary_text: primary_text.ok()?,
            text: text.ok()?,
            background: background.ok()?,
            focus: focus.ok()?,
            error: error.ok()?,
            radius: radius.ok()?,
            font: font.ok()?,
        };
        for failure in theme.contrast_failures() {
            self.warning(&path.key(failure.key()), Problem::LowContrast(failure));
        }
        Some(theme)
    }

    fn font(&mut self, v: &Value, path: &Path) -> Option<String> {
        let s = self.nonempty_string(v, path)?;
        let allowed = |c: char| c.is_ascii_alphanumeric() || " ,-'\"".contains(c);
        if let Some(c) = s.chars().find(|c| !allowed(*c)) {
            self.error(path, Problem::FontCharacter(c));
            return None;
        }
        if s.chars().count() > MAX_FONT_LEN {
            self.error(path, Problem::TooLong { max: MAX_FONT_LEN });
            return None;
        }
        Some(s)
    }
}

/// An address the loader accepts elsewhere (https, a same-site path, local http), or a
/// relative path: no scheme (so no `javascript:` or `data:`), no `//` host, no backslash,
/// no spaces or control characters.
fn is_image_src(s: &str) -> bool {
    if is_acceptable_url(s) {
        return true;
    }
    // A colon ahead of the first `/`, `?` or `#` would make the start a scheme (`data:`).
    let has_scheme = s
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|head| head.contains(':'));
    !has_scheme
        && !s.starts_with('/')
        && !s
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

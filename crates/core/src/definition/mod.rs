//! Form definitions: the checked model, loading from JSON, and load diagnostics.

mod diagnostic;
mod load;
mod model;
mod theme;

pub use diagnostic::{Diagnostic, IdKind, Problem, Severity, warning_word};
pub use load::{Loaded, load, load_value};
pub use model::*;
pub use theme::{
    Colour, ContrastFailure, ContrastPair, FOCUS_TEXT, Logo, MAX_FONT_LEN, Radius, Theme,
    ThemeColour,
};

#[cfg(test)]
mod tests;

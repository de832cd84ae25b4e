//! Blankett's form engine: definitions, validation, answers and submissions.
//!
//! Pure Rust with no I/O, no clock and no web APIs, so the browser app and the receiver
//! run exactly the same rules. The browser passes in today's date; the receiver does too.

pub mod answers;
pub mod definition;
pub mod draft;
pub mod expr;
pub mod files;
pub mod formats;
pub mod i18n;
mod issue;
pub mod json;
pub mod logic;
pub mod markdown;
mod nfc;
mod normalize;
pub mod num;
pub mod plain;
pub mod protocol;
pub mod session;
pub mod signing;
pub mod submission;
pub mod text;
pub mod validate;

#[cfg(test)]
mod test_support;

pub use answers::{Answer, Answers};
pub use definition::{Definition, Diagnostic, Field, FieldKind, Loaded, Severity, load};
pub use draft::{Draft, DraftError, DraftPosition, Dropped, Restored};
pub use files::{FileRef, FileType};
pub use formats::Date;
pub use logic::FormState;
pub use protocol::{Localized, Problem, Receipt, SendOutcome};
pub use session::{
    Change, Control, ControlPart, Focus, FormSession, Position, PrefillOrigin, SendStatus,
};
pub use submission::{Submission, SubmissionError};
pub use text::{Lang, LangTag, Text};
pub use validate::{Context, Issue, IssueCode};

/// The JSON Schema of definition format v1, as published in `schema/form-definition.schema.json`.
#[cfg(feature = "schema")]
pub fn definition_schema() -> String {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(definition::Definition)).unwrap_or_default();
    allow_extensions(&mut schema);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// The loader ignores `x-…` and `$…` keys on every object; say so wherever the schema closes one.
#[cfg(feature = "schema")]
fn allow_extensions(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if map.get("additionalProperties") == Some(&serde_json::Value::Bool(false)) {
                map.insert(
                    "patternProperties".into(),
                    serde_json::json!({ "^(x-|\\$)": {} }),
                );
            }
            map.values_mut().for_each(allow_extensions);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(allow_extensions),
        _ => {}
    }
}

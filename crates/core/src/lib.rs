//! Blankett's form engine: definitions, validation, answers and submissions.
//!
//! Pure Rust with no I/O, no clock and no web APIs, so the browser app and the receiver
//! run exactly the same rules. The browser passes in today's date; the receiver does too.

pub mod answers;
pub mod definition;
pub mod formats;
pub mod markdown;
pub mod session;
pub mod submission;
pub mod text;
pub mod validate;

pub use answers::{Answer, Answers};
pub use definition::{Definition, Diagnostic, Field, FieldKind, Loaded, Severity, load};
pub use formats::Date;
pub use session::{FormSession, Position};
pub use submission::{Submission, SubmissionError};
pub use text::{Lang, Text};
pub use validate::{Context, Issue, IssueCode};

/// The JSON Schema of definition format v1, as published in `schema/form-definition.schema.json`.
#[cfg(feature = "schema")]
pub fn definition_schema() -> String {
    let schema = schemars::schema_for!(definition::Definition);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

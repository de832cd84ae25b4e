//! Form definitions: the checked model, loading from JSON, and load diagnostics.

mod diagnostic;
mod load;
mod model;

pub use diagnostic::{Diagnostic, IdKind, Problem, Severity};
pub use load::{Loaded, load, load_value};
pub use model::*;

#[cfg(test)]
mod tests;

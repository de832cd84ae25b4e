//! Problems found while compiling an expression, in English and Swedish.

use std::fmt;

use crate::Lang;

use super::MAX_DEPTH;

/// One problem in an expression, at a path relative to the expression's root
/// (e.g. `and[1]` or `if[0].==[1].var`; empty for the root).
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    /// Where: operator keys joined by `.`, argument positions as `[index]`.
    pub path: String,
    /// What is wrong.
    pub kind: ExprErrorKind,
}

impl fmt::Display for ExprError {
    /// `path: message` in English (just the message at the root).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path, self.kind)
        }
    }
}

/// Everything that can be wrong with an expression. `Display` is English; see
/// [`ExprErrorKind::message`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExprErrorKind {
    /// An operator this runtime does not have.
    #[error("unknown operator \"{name}\"{}", did_you_mean(*suggestion))]
    UnknownOperator {
        /// The operator as written.
        name: String,
        /// The closest known operator, if one is close.
        suggestion: Option<&'static str>,
    },
    /// Too few or too many arguments for the operator.
    #[error(
        "\"{operator}\" takes {expected} argument{}, but has {found}",
        if expected.ends_with('1') { "" } else { "s" }
    )]
    Arity {
        /// The operator.
        operator: &'static str,
        /// How many it takes, e.g. `2`, `2 or 3`, `at least 1`.
        expected: &'static str,
        /// How many it has.
        found: usize,
    },
    /// An object that is not an operator: it has no key, or more than one.
    #[error(
        "an object in an expression must have exactly one key, the operator, but this one has {keys}"
    )]
    NotAnExpression {
        /// How many keys it has.
        keys: usize,
    },
    /// A `var` whose path is computed, or whose default is.
    #[error(
        "\"var\" needs a fixed path (a string or number) and, if any, a fixed default; computed paths cannot be checked"
    )]
    VarNotLiteral,
    /// A `missing` or `missing_some` whose keys are computed.
    #[error("the keys of \"{operator}\" must be fixed strings or numbers")]
    KeysNotLiteral {
        /// `missing` or `missing_some`.
        operator: &'static str,
    },
    /// A `date_add` unit that is not `days`, `months` or `years`.
    #[error("\"{found}\" is not a unit of \"date_add\": use \"days\", \"months\" or \"years\"")]
    UnknownDateUnit {
        /// The unit as written.
        found: String,
    },
    /// Operators and arrays nested more than 64 levels deep.
    #[error("expressions may be nested at most {MAX_DEPTH} levels deep")]
    TooDeep,
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!(" (did you mean \"{s}\"?)"))
        .unwrap_or_default()
}

impl ExprErrorKind {
    /// The problem's stable code, `expression.` and its kind, e.g. `expression.arity`.
    pub fn code(&self) -> &'static str {
        match self {
            ExprErrorKind::UnknownOperator { .. } => "expression.unknown_operator",
            ExprErrorKind::Arity { .. } => "expression.arity",
            ExprErrorKind::NotAnExpression { .. } => "expression.not_an_expression",
            ExprErrorKind::VarNotLiteral => "expression.var_not_literal",
            ExprErrorKind::KeysNotLiteral { .. } => "expression.keys_not_literal",
            ExprErrorKind::UnknownDateUnit { .. } => "expression.unknown_date_unit",
            ExprErrorKind::TooDeep => "expression.too_deep",
        }
    }

    /// The message in `lang`, written for a form author.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Sv => self.message_sv(),
        }
    }

    fn message_sv(&self) -> String {
        match self {
            ExprErrorKind::UnknownOperator { name, suggestion } => {
                let meant = suggestion
                    .map(|s| format!(" (menade du \"{s}\"?)"))
                    .unwrap_or_default();
                format!("okänd operator \"{name}\"{meant}")
            }
            ExprErrorKind::Arity {
                operator,
                expected,
                found,
            } => {
                let expected = match *expected {
                    "0 to 2" => "0 till 2",
                    "1 or 2" => "1 eller 2",
                    "2 or 3" => "2 eller 3",
                    "at least 1" => "minst 1",
                    other => other,
                };
                format!("\"{operator}\" tar {expected} argument, men har {found}")
            }
            ExprErrorKind::NotAnExpression { keys } => format!(
                "ett objekt i ett uttryck måste ha exakt en nyckel, operatorn, men det här har {keys}"
            ),
            ExprErrorKind::VarNotLiteral => "\"var\" behöver en fast sökväg (en sträng eller ett tal) och i så fall ett fast standardvärde; sökvägar som räknas fram går inte att kontrollera".into(),
            ExprErrorKind::KeysNotLiteral { operator } => {
                format!("nycklarna till \"{operator}\" måste vara fasta strängar eller tal")
            }
            ExprErrorKind::UnknownDateUnit { found } => format!(
                "\"{found}\" är ingen enhet för \"date_add\": använd \"days\", \"months\" eller \"years\""
            ),
            ExprErrorKind::TooDeep => {
                format!("uttryck får vara inbäddade i högst {MAX_DEPTH} nivåer")
            }
        }
    }
}

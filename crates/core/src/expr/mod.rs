//! JsonLogic expressions for form conditions and computed values.
//!
//! An expression is JSON: a literal (number, string, `true`/`false`, `null`), an array of
//! expressions (evaluated item by item), or an object with exactly one key, the operator,
//! whose value is the list of arguments (a single argument may be written without the
//! array: `{"var": "age"}` is `{"var": ["age"]}`, so to pass one array literal, wrap it:
//! `{"length": [[1, 2]]}`). [`Expr::compile`] checks it once, reporting every problem with
//! its path; [`Expr::eval`] then runs it against data as many times as needed. Evaluation
//! never panics, never fails halfway and cannot exhaust the stack: anything that cannot be
//! computed is `null`.
//!
//! The semantics are [json-logic-js](https://github.com/jwadhams/json-logic-js) 2.0's,
//! including JavaScript's type coercions. Numbers are `f64`; whole-number results are
//! written as JSON integers, and `NaN` or infinite results as `null` (as `JSON.stringify`).
//!
//! # Truthiness
//!
//! `false`, `null`, `0`, `""` and `[]` are false; everything else is true, including `"0"`,
//! `[0]` and `{}`. `if`, `and`, `or`, `!`, `!!`, `filter`, `all`, `some` and `none` use it.
//!
//! # Data
//!
//! - `{"var": "a.b.0"}`: the value at a dot-separated path into objects and arrays
//!   (`"children.0.name"`); `""`, `null` or no argument is the whole data. A second argument
//!   is the default when the path does not exist (`{"var": ["age", 0]}`); a value that
//!   exists but is `null` stays `null`. The path and default must be written out, not
//!   computed, so that the fields an expression reads can be known ([`Expr::vars`]).
//! - `{"missing": ["a", "b"]}`: the keys whose value is absent, `null` or `""`, as an
//!   array (also `{"missing": [["a", "b"]]}`). Keys are written out, like `var` paths.
//! - `{"missing_some": [1, ["a", "b"]]}`: `[]` if at least 1 of the keys is present,
//!   otherwise the missing ones.
//!
//! # Logic
//!
//! - `{"if": [c1, v1, c2, v2, …, else]}` (also `?:`): the value after the first truthy
//!   condition, else the last argument, else `null`.
//! - `{"and": [a, b, …]}`: the first falsy argument, or the last; stops there.
//!   `{"or": [a, b, …]}`: the first truthy argument, or the last; stops there.
//! - `{"!": [a]}`: `true` if `a` is falsy; `{"!!": [a]}`: `true` if `a` is truthy.
//! - `{"==": [a, b]}`, `{"!=": [a, b]}`: JavaScript loose equality: `1 == "1"`,
//!   `0 == false`, `"" == 0`, `[1] == "1"`, but `null` equals only `null` (`null == 0` is
//!   false). Arrays and objects are equal only to themselves (the same value in the data).
//! - `{"===": [a, b]}`, `{"!==": [a, b]}`: strict equality: same type and value.
//! - `{"<": [a, b]}`, `{"<=": [a, b]}`, `{">": [a, b]}`, `{">=": [a, b]}`: if both are
//!   strings (arrays count as their text, `[1,2]` as `"1,2"`), by UTF-16 code units
//!   (`"10" < "2"`); otherwise as numbers, with `null` as 0, booleans as 0 or 1, strings
//!   parsed (`"2" < 10`); anything not a number (`"abc"`) compares false.
//!   `{"<": [a, b, c]}` and `{"<=": [a, b, c]}` test that `b` is between `a` and `c`.
//!
//! # Numbers
//!
//! - `{"+": [a, b, …]}`: the sum, reading each argument as JavaScript `parseFloat` does
//!   (`"3 kg"` is 3; `null`, `true` and `""` are not numbers, so the sum is `null`);
//!   `{"+": "3"}` turns a string into a number.
//! - `{"*": [a, b, …]}`: the product, likewise (a single argument is returned unchanged).
//! - `{"-": [a, b]}`, `{"/": [a, b]}`, `{"%": [a, b]}`: difference, quotient, remainder
//!   (with the sign of `a`), converting as JavaScript `Number()` does (`null` is 0, `""` is
//!   0, `"abc"` is not a number); `{"-": [a]}` negates. Dividing by 0 gives infinity
//!   (`NaN` for `0 / 0` and `% 0`), which compares as infinity and is written `null`.
//! - `{"max": [a, b, …]}`, `{"min": [a, b, …]}`: the largest or smallest, converting as
//!   `Number()`; `null` if any argument is not a number.
//!
//! # Strings and arrays
//!
//! - `{"cat": [a, b, …]}`: the arguments as text, joined (`null` as nothing, numbers as
//!   JavaScript writes them: `1.5`, `1e+21`, arrays as `1,2`).
//! - `{"substr": [s, start, length]}`: part of `s` as text, from `start` (negative counts
//!   from the end) for `length` characters (negative: stop that many before the end).
//! - `{"in": [a, b]}`: whether string `b` contains `a` as text, or array `b` has an item
//!   strictly equal to `a`.
//! - `{"merge": [a, b, …]}`: one array of the arguments, arrays spread one level.
//! - `{"map": [array, expr]}`: `expr` for each item; `{"filter": [array, expr]}`: the items
//!   for which `expr` is truthy. Inside `expr`, `{"var": ""}` is the item and other paths
//!   start from it. Not an array: `[]`.
//! - `{"reduce": [array, expr, initial]}`: folds the items; inside `expr`, `{"var":
//!   "current"}` is the item and `{"var": "accumulator"}` the result so far, starting at
//!   `initial` (`null` if absent). Not an array: `initial`.
//! - `{"all": [array, expr]}`, `{"some": [array, expr]}`, `{"none": [array, expr]}`:
//!   whether `expr` is truthy for every item, for at least one, for none. An empty array
//!   (or anything not an array) gives `false` for `all` and `some` and `true` for `none`.
//!
//! # For forms
//!
//! - `{"today": []}`: today's date, `"2026-11-23"`, from the [`EvalContext`].
//! - `{"length": x}`: the characters in a string (`{"length": "åäö"}` is 3), the items in an
//!   array (`{"length": {"var": "children"}}`), otherwise 0.
//! - `{"age": x}`: full years from a birth date to today, where `x` is an ISO date
//!   (`"2008-11-23"`) or a personnummer or samordningsnummer in any usual form
//!   (`"19121212-1212"`, `"811228-9874"`, `"670979-9537"`); `null` if it is neither. A
//!   birthday counts from the day itself; an ISO date after today gives a negative age.
//!   `{">=": [{"age": {"var": "pnr"}}, 18]}` is "of age".
//! - `{"days_between": [a, b]}`: whole days from ISO date `a` to ISO date `b`, negative if
//!   `b` is earlier; `null` if either is not a date.
//! - `{"date_add": [date, n, unit]}`: the ISO date `n` `"days"`, `"months"` or `"years"`
//!   after `date` (`n` may be negative); months and years keep the day of the month where
//!   it exists, otherwise the month's last day (`["2024-01-31", 1, "months"]` is
//!   `"2024-02-29"`); `null` if an argument is not usable or the result is outside the
//!   years 1000–9999.
//!
//! # Checks
//!
//! [`Expr::compile`] rejects unknown operators (suggesting the closest one), wrong numbers
//! of arguments for operators that take a fixed number, computed `var` paths and `missing`
//! keys, objects with no key or several keys, unknown `date_add` units written out, and
//! nesting deeper than 64 levels (each operator or array is a level).
//!
//! # Where this differs from json-logic-js
//!
//! - Stricter compilation, as above (json-logic-js returns objects with several keys as
//!   data and accepts any arguments).
//! - `var` reads object members and array items only, not JavaScript properties: no
//!   `"name.length"` or characters of a string by index. Use `length` and `substr`.
//! - `substr` and `length` count characters (Unicode scalar values), not UTF-16 units; the
//!   same for text in Swedish and every other language outside emoji and rare scripts.
//! - `log` and method calls (`"a.b"` operators) do not exist; there is no I/O.
//! - Built values have generous limits (an array of 2^20 items, a string of 4 MiB, arrays
//!   nested 128 deep), which only a `reduce` that feeds its result back into itself can
//!   reach; past them the expression is `null`.
//! - Strings are read as numbers with serde_json's parser, so a numeral with more than 15
//!   significant digits or an exponent beyond ±22 may come out one unit in the last place
//!   away from JavaScript's value unless serde_json's `float_roundtrip` feature is on.
//! - [`Expr::is_true`] is the truthiness of what [`Expr::eval`] returns, so an infinite
//!   result (written `null`) is false there, though truthy inside an expression.

mod compile;
mod dates;
mod error;
mod eval;
mod value;

#[cfg(test)]
mod tests;

use serde::{Serialize, Serializer};
use serde_json::Value;

pub use error::{ExprError, ExprErrorKind};

use compile::{Compiler, Node};
use value::V;

/// Operators and arrays may nest this many levels deep.
const MAX_DEPTH: usize = 64;

/// A checked, compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    node: Node,
    source: Value,
    vars: Vec<Box<str>>,
}

/// What `eval` needs from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalContext {
    /// Today's date, for `today`, `age` and the century of ten-digit personnummer.
    pub today: crate::formats::Date,
}

impl Expr {
    /// Checks and compiles an expression, or returns every problem in it.
    pub fn compile(source: &Value) -> Result<Expr, Vec<ExprError>> {
        let mut compiler = Compiler::default();
        let node = compiler.node(source, 1);
        if compiler.errors.is_empty() {
            Ok(Expr {
                node,
                source: source.clone(),
                vars: compiler.vars,
            })
        } else {
            Err(compiler.errors)
        }
    }

    /// The expression exactly as given to [`Expr::compile`].
    pub fn source(&self) -> &Value {
        &self.source
    }

    /// Every `var` path (and `missing` key) the expression reads from its data, in order of
    /// appearance, without repeats; paths inside `map`, `filter`, `reduce`, `all`, `some` and
    /// `none`'s inner expressions read the current item and are not included.
    pub fn vars(&self) -> Vec<&str> {
        self.vars.iter().map(|p| &**p).collect()
    }

    /// The value of the expression for `data`; `null` where it cannot be computed.
    pub fn eval(&self, data: &Value, cx: &EvalContext) -> Value {
        self.node
            .eval(&V::from_json(data), cx)
            .map_or(Value::Null, |v| v.to_json())
    }

    /// Whether [`Expr::eval`] gives a truthy value (see [`truthy`]), without building it.
    pub fn is_true(&self, data: &Value, cx: &EvalContext) -> bool {
        self.node
            .eval(&V::from_json(data), cx)
            .is_ok_and(|v| match v {
                // An infinite result is written null, so it is false here too.
                V::Num(n) => n.is_finite() && n != 0.0,
                v => v.truthy(),
            })
    }
}

impl Serialize for Expr {
    /// Serializes as the source.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.source.serialize(s)
    }
}

/// JsonLogic truthiness: `false`, `null`, `0`, `""` and `[]` are false; the rest is true.
pub fn truthy(v: &Value) -> bool {
    V::from_json(v).truthy()
}

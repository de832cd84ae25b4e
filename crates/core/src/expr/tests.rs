//! Expression tests: tables of `(rule, data, expected)` per operator, compile errors with
//! their paths and messages, `vars()`, limits, and a differential test against datalogic-rs.
//!
//! The expected values of the standard operators are json-logic-js 2.0.5's (each table was
//! also run through it); the reason column says which JavaScript rule decides.

#![allow(clippy::unwrap_used)] // reason: tests

use serde_json::{Value, json};

use super::*;
use crate::Lang;
use crate::formats::Date;

fn cx() -> EvalContext {
    EvalContext {
        today: Date::new(2026, 11, 23).unwrap(),
    }
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("bad JSON in test {s}: {e}"))
}

/// Evaluates `rule` on `data` and compares with `expected` (all JSON text).
fn check(rule: &str, data: &str, expected: &str, why: &str) {
    let expr = Expr::compile(&parse(rule))
        .unwrap_or_else(|e| panic!("{rule} does not compile: {e:?} ({why})"));
    let got = expr.eval(&parse(data), &cx());
    assert_eq!(got, parse(expected), "{rule} on {data}: {why}");
    assert_eq!(
        expr.is_true(&parse(data), &cx()),
        truthy(&got),
        "is_true agrees with eval for {rule}"
    );
}

/// Runs a table of `(rule, data, expected, why)`.
fn table(cases: &[(&str, &str, &str, &str)]) {
    for (rule, data, expected, why) in cases {
        check(rule, data, expected, why);
    }
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn truthiness() {
    // jsonLogic.truthy: `[]` is false (its one change to JavaScript), all else as `!!v`.
    let cases: &[(Value, bool, &str)] = &[
        (json!(false), false, "false"),
        (json!(null), false, "null"),
        (json!(0), false, "0"),
        (json!(0.0), false, "0.0"),
        (json!(-0.0), false, "-0 is falsy in JS"),
        (json!(""), false, "empty string"),
        (json!([]), false, "empty array: JsonLogic's rule, truthy in plain JS"),
        (json!(true), true, "true"),
        (json!(1), true, "non-zero"),
        (json!(-1), true, "negative"),
        (json!(0.5), true, "fraction"),
        (json!("0"), true, "JS: any non-empty string, even \"0\""),
        (json!("false"), true, "JS: the string \"false\""),
        (json!(" "), true, "a space"),
        (json!([0]), true, "non-empty array"),
        (json!([[]]), true, "array holding an empty array"),
        (json!({}), true, "JS: every object, even empty"),
    ];
    let not_not = Expr::compile(&json!({"!!": {"var": "v"}})).unwrap();
    let not = Expr::compile(&json!({"!": {"var": "v"}})).unwrap();
    let itself = Expr::compile(&json!({"var": "v"})).unwrap();
    for (v, want, why) in cases {
        assert_eq!(truthy(v), *want, "truthy({v}): {why}");
        let data = json!({ "v": v });
        assert_eq!(not_not.eval(&data, &cx()), json!(want), "!! of {v}: {why}");
        assert_eq!(not.eval(&data, &cx()), json!(!want), "! of {v}: {why}");
        assert_eq!(itself.is_true(&data, &cx()), *want, "is_true of {v}: {why}");
    }
    table(&[
        (r#"{"!!": [{"/": [0, 0]}]}"#, "{}", "false", "NaN is falsy"),
        (r#"{"!!": [{"/": [1, 0]}]}"#, "{}", "true", "Infinity is truthy (inside; written null)"),
        (r#"{"if": [{"/": [-1, 0]}, 1, 2]}"#, "{}", "1", "-Infinity is truthy"),
        (r#"{"!": {"var": "x"}}"#, r#"{"x": []}"#, "true", "unary sugar: one argument without brackets"),
        (r#"{"!": [[]]}"#, "{}", "true", "[[]] is one argument, the empty array"),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn literals() {
    table(&[
        ("1", "{}", "1", "a number is itself"),
        ("1.5", "{}", "1.5", "decimals"),
        (r#""text""#, "{}", r#""text""#, "a string is itself"),
        ("true", "{}", "true", "true"),
        ("null", "{}", "null", "null"),
        ("[]", "{}", "[]", "empty array"),
        (r#"[1, "a", [2, null]]"#, "{}", r#"[1, "a", [2, null]]"#, "literal arrays, nested"),
        (r#"[1, {"var": "a"}, [{"+": [1, 1]}]]"#, r#"{"a": "x"}"#, r#"[1, "x", [2]]"#, "arrays are evaluated item by item"),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn var() {
    let data = r#"{"a": 1, "b": {"c": [10, {"d": "deep"}]}, "n": null, "z": 0, "e": "", "f": false, "1": "one", "arr": ["x", "y"], "": "blank"}"#;
    table(&[
        (r#"{"var": "a"}"#, data, "1", "top-level key"),
        (r#"{"var": ["a"]}"#, data, "1", "argument in an array"),
        (r#"{"var": "b.c.0"}"#, data, "10", "dots go into objects and arrays"),
        (r#"{"var": "b.c.1.d"}"#, data, r#""deep""#, "deeper"),
        (r#"{"var": "b.c"}"#, data, "[10, {\"d\": \"deep\"}]", "returns arrays as they are"),
        (r#"{"var": "nope"}"#, data, "null", "missing key: null"),
        (r#"{"var": ["nope", 5]}"#, data, "5", "missing key: the default"),
        (r#"{"var": ["b.x.y", "dflt"]}"#, data, r#""dflt""#, "missing in the middle: the default"),
        (r#"{"var": ["n", 5]}"#, data, "null", "JS: only undefined takes the default; a null value stays null"),
        (r#"{"var": ["n.x", 5]}"#, data, "5", "JS: stepping into null gives not_found"),
        (r#"{"var": ["z", 5]}"#, data, "0", "0 exists"),
        (r#"{"var": ["e", 5]}"#, data, r#""""#, "\"\" exists"),
        (r#"{"var": ["f", 5]}"#, data, "false", "false exists"),
        (r#"{"var": ["a.x", 5]}"#, data, "5", "a number has no members"),
        (r#"{"var": 1}"#, data, r#""one""#, "JS: String(1) is \"1\""),
        (r#"{"var": "arr.1"}"#, data, r#""y""#, "array index"),
        (r#"{"var": ["arr.2", "none"]}"#, data, r#""none""#, "past the end"),
        (r#"{"var": ["arr.01", "none"]}"#, data, r#""none""#, "JS: \"01\" is not an array index"),
        (r#"{"var": ["arr.-1", "none"]}"#, data, r#""none""#, "JS: negative indexes are not array items"),
        (r#"{"var": ["arr.length", "none"]}"#, data, r#""none""#, "deviation: no JS properties (json-logic-js gives 2)"),
        (r#"{"var": ["arr.0.0", "none"]}"#, data, r#""none""#, "deviation: no characters of strings (json-logic-js gives \"x\")"),
        (r#"{"var": ""}"#, r#"{"q": 1}"#, r#"{"q": 1}"#, "\"\" is the whole data"),
        (r#"{"var": []}"#, r#"[1, 2]"#, "[1, 2]", "no argument: the whole data"),
        (r#"{"var": null}"#, "5", "5", "JS: a===null gives the data"),
        (r#"{"var": ["", 5]}"#, "null", "null", "the whole data, even null, never the default"),
        (r#"{"var": "a"}"#, "null", "null", "null data"),
        (r#"{"var": "a"}"#, r#""str""#, "null", "string data has no keys"),
        (r#"{"var": "0"}"#, "[7, 8]", "7", "array data"),
        (r#"{"var": "a..b"}"#, r#"{"a": {"": {"b": 3}}}"#, "3", "JS split: an empty segment is the key \"\""),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn missing() {
    let data = r#"{"a": 1, "b": null, "c": "", "d": 0, "e": false, "f": {"g": ""}, "h": []}"#;
    table(&[
        (r#"{"missing": ["a", "b", "c", "x"]}"#, data, r#"["b", "c", "x"]"#, "null, \"\" and absent are missing"),
        (r#"{"missing": ["d", "e", "h"]}"#, data, "[]", "0, false and [] are present"),
        (r#"{"missing": [["a", "x"]]}"#, data, r#"["x"]"#, "one array of keys"),
        (r#"{"missing": "x"}"#, data, r#"["x"]"#, "a single key"),
        (r#"{"missing": ["f.g", "f.x", "a.b"]}"#, data, r#"["f.g", "f.x", "a.b"]"#, "paths"),
        (r#"{"missing": []}"#, data, "[]", "no keys"),
        (r#"{"missing": [1]}"#, r#"{"1": 2}"#, "[]", "a number key"),
        (r#"{"missing": [0]}"#, r#"{}"#, "[0]", "returned as written, a number"),
        (r#"{"missing_some": [1, ["a", "x"]]}"#, data, "[]", "1 of 2 present is enough"),
        (r#"{"missing_some": [2, ["a", "x", "y"]]}"#, data, r#"["x", "y"]"#, "only 1 of 3: the missing ones"),
        (r#"{"missing_some": [0, ["x"]]}"#, data, "[]", "none needed"),
        (r#"{"missing_some": [{"var": "d"}, ["x"]]}"#, data, "[]", "the count may be computed"),
        (r#"{"missing_some": ["1", ["a"]]}"#, data, "[]", "JS: 1 >= \"1\" compares as numbers"),
        (
            r#"{"if": [{"merge": [{"missing": ["a", "b"]}, {"missing_some": [1, ["c", "d"]]}]}, "incomplete", "ok"]}"#,
            data,
            r#""incomplete""#,
            "the jsonlogic.com pattern",
        ),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn conditionals() {
    table(&[
        (r#"{"if": [true, "yes", "no"]}"#, "{}", r#""yes""#, "then"),
        (r#"{"if": [false, "yes", "no"]}"#, "{}", r#""no""#, "else"),
        (r#"{"if": [[], "yes", "no"]}"#, "{}", r#""no""#, "[] is false"),
        (r#"{"if": ["0", "yes", "no"]}"#, "{}", r#""yes""#, "\"0\" is true"),
        (r#"{"if": [false, 1, false, 2, 3]}"#, "{}", "3", "else-if chain to the else"),
        (r#"{"if": [false, 1, true, 2, 3]}"#, "{}", "2", "else-if chain"),
        (r#"{"if": [false, 1, false, 2]}"#, "{}", "null", "no else: null"),
        (r#"{"if": [false, 1]}"#, "{}", "null", "no else: null"),
        (r#"{"if": ["only"]}"#, "{}", r#""only""#, "one argument is the else"),
        (r#"{"if": []}"#, "{}", "null", "no arguments: null"),
        (r#"{"if": [true, "yes", {"var": "x.y.z"}]}"#, "{}", r#""yes""#, "the branch not taken is not evaluated"),
        (r#"{"?:": [true, 1, 2]}"#, "{}", "1", "?: is if"),
        (r#"{"?:": [false, 1, 2]}"#, "{}", "2", "?: else"),
        (r#"{"and": [true, 1, "a"]}"#, "{}", r#""a""#, "all truthy: the last"),
        (r#"{"and": [true, 0, "a"]}"#, "{}", "0", "the first falsy value itself"),
        (r#"{"and": [[], true]}"#, "{}", "[]", "[] decides"),
        (r#"{"and": [false]}"#, "{}", "false", "one argument"),
        (r#"{"or": [0, "", "x", false]}"#, "{}", r#""x""#, "the first truthy value"),
        (r#"{"or": [0, "", null]}"#, "{}", "null", "all falsy: the last"),
    ]);
    table(&[
        (r#"{"or": [false, {"var": "o"}]}"#, r#"{"o": {"k": 1}}"#, r#"{"k": 1}"#, "objects are truthy and returned"),
        (r#"{"or": [true, {"var": ""}]}"#, "{}", "true", "stops at the first truthy"),
        (r#"{"and": [{"var": "a"}, {"var": "a.b"}]}"#, r#"{"a": {"b": 2}}"#, "2", "guarding a path"),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn equality() {
    table(&[
        // Abstract Equality Comparison (ECMA-262 §7.2.14), as `a == b` in json-logic-js.
        (r#"{"==": [1, 1]}"#, "{}", "true", "same number"),
        (r#"{"==": [1, 1.0]}"#, "{}", "true", "1 and 1.0 are the same number"),
        (r#"{"==": [1, "1"]}"#, "{}", "true", "JS: string to number"),
        (r#"{"==": ["1", 1]}"#, "{}", "true", "either side"),
        (r#"{"==": [1, " 1 "]}"#, "{}", "true", "JS: Number(\" 1 \") trims"),
        (r#"{"==": [0, ""]}"#, "{}", "true", "JS: Number(\"\") is 0"),
        (r#"{"==": [16, "0x10"]}"#, "{}", "true", "JS: Number(\"0x10\") is 16"),
        (r#"{"==": [1, "1abc"]}"#, "{}", "false", "JS: Number(\"1abc\") is NaN"),
        (r#"{"==": ["1", "1.0"]}"#, "{}", "false", "two strings compare as strings"),
        (r#"{"==": [1, true]}"#, "{}", "true", "JS: true becomes 1"),
        (r#"{"==": [0, false]}"#, "{}", "true", "JS: false becomes 0"),
        (r#"{"==": [2, true]}"#, "{}", "false", "true is 1, not 2"),
        (r#"{"==": ["1", true]}"#, "{}", "true", "JS: true → 1, then \"1\" → 1"),
        (r#"{"==": ["true", true]}"#, "{}", "false", "JS: \"true\" → NaN"),
        (r#"{"==": ["", false]}"#, "{}", "true", "JS: false → 0, \"\" → 0"),
        (r#"{"==": [null, null]}"#, "{}", "true", "null equals null"),
        (r#"{"==": [null, 0]}"#, "{}", "false", "JS: null equals only null and undefined"),
        (r#"{"==": [null, false]}"#, "{}", "false", "JS: null is not false"),
        (r#"{"==": [null, ""]}"#, "{}", "false", "JS: null is not \"\""),
        (r#"{"==": [{"var": "x"}, null]}"#, "{}", "true", "an absent value is null"),
        (r#"{"==": [[1], 1]}"#, "{}", "true", "JS: [1] → \"1\" → 1"),
        (r#"{"==": [[1, 2], "1,2"]}"#, "{}", "true", "JS: arrays become their join"),
        (r#"{"==": [[], false]}"#, "{}", "true", "JS: [] → \"\" → 0, false → 0"),
        (r#"{"==": [[], 0]}"#, "{}", "true", "JS: [] → \"\" → 0"),
        (r#"{"==": [[1], [1]]}"#, "{}", "false", "JS: two arrays are two objects"),
        (r#"{"==": [{"var": "a"}, {"var": "a"}]}"#, r#"{"a": [1]}"#, "true", "JS: the same array from the data is itself"),
        (r#"{"==": [{"var": "o"}, "[object Object]"]}"#, r#"{"o": {}}"#, "true", "JS: objects become \"[object Object]\""),
        (r#"{"==": [{"/": [0, 0]}, {"/": [0, 0]}]}"#, "{}", "false", "NaN equals nothing"),
        (r#"{"==": ["a", "a"]}"#, "{}", "true", "same string"),
        (r#"{"==": ["a", "A"]}"#, "{}", "false", "case matters"),
        (r#"{"!=": [1, "1"]}"#, "{}", "false", "!= is the negation of =="),
        (r#"{"!=": [null, 0]}"#, "{}", "true", "null != 0"),
        (r#"{"!=": ["a", "b"]}"#, "{}", "true", "different strings"),
        // Strict equality (§7.2.16).
        (r#"{"===": [1, 1]}"#, "{}", "true", "same number"),
        (r#"{"===": [1, 1.0]}"#, "{}", "true", "one number type in JS"),
        (r#"{"===": [1, "1"]}"#, "{}", "false", "JS: different types"),
        (r#"{"===": [0, false]}"#, "{}", "false", "JS: different types"),
        (r#"{"===": [null, null]}"#, "{}", "true", "null"),
        (r#"{"===": [[], []]}"#, "{}", "false", "JS: two objects"),
        (r#"{"===": [{"var": "a"}, {"var": "a"}]}"#, r#"{"a": []}"#, "true", "the same object"),
        (r#"{"!==": [1, "1"]}"#, "{}", "true", "!== negates ==="),
        (r#"{"!==": ["a", "a"]}"#, "{}", "false", "same string"),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn comparison() {
    table(&[
        // Abstract Relational Comparison (§7.2.13): strings by code units if both are
        // strings after ToPrimitive, otherwise numbers; NaN makes every comparison false.
        (r#"{"<": [1, 2]}"#, "{}", "true", "numbers"),
        (r#"{"<": [2, 2]}"#, "{}", "false", "not less"),
        (r#"{"<": ["2", "10"]}"#, "{}", "false", "JS: two strings compare as text, \"2\" > \"1\""),
        (r#"{"<": ["2", 10]}"#, "{}", "true", "JS: one number makes it numeric"),
        (r#"{"<": [2, "10"]}"#, "{}", "true", "either side"),
        (r#"{"<": ["a", "b"]}"#, "{}", "true", "text"),
        (r#"{"<": ["B", "a"]}"#, "{}", "true", "by code unit: uppercase first"),
        (r#"{"<": ["a", "ä"]}"#, "{}", "true", "by code unit, not Swedish collation"),
        (r#"{"<": ["", "a"]}"#, "{}", "true", "empty string first"),
        (r#"{"<": ["abc", 1]}"#, "{}", "false", "JS: NaN"),
        (r#"{">=": ["abc", 1]}"#, "{}", "false", "JS: NaN, also for >="),
        (r#"{"<": [null, 1]}"#, "{}", "true", "JS: null is 0"),
        (r#"{"<=": [null, 0]}"#, "{}", "true", "JS: null <= 0"),
        (r#"{">": [null, -1]}"#, "{}", "true", "JS: null is 0"),
        (r#"{"<": [false, true]}"#, "{}", "true", "JS: booleans are 0 and 1"),
        (r#"{"<": ["", 1]}"#, "{}", "true", "JS: \"\" is 0"),
        (r#"{"<": [[2], 3]}"#, "{}", "true", "JS: [2] → \"2\" → 2"),
        (r#"{"<": [[10], "9"]}"#, "{}", "true", "JS: [10] → \"10\", two strings"),
        (r#"{"<": [{"var": "x"}, 1]}"#, "{}", "true", "absent is null is 0"),
        (r#"{"<=": [2, 2]}"#, "{}", "true", "equal"),
        (r#"{"<=": ["b", "a"]}"#, "{}", "false", "text"),
        (r#"{">": [3, 2]}"#, "{}", "true", ">"),
        (r#"{">": ["3", "20"]}"#, "{}", "true", "text"),
        (r#"{">=": [2, 2]}"#, "{}", "true", ">="),
        (r#"{">=": [1, 2]}"#, "{}", "false", ">="),
        (r#"{"<": [1, 2, 3]}"#, "{}", "true", "between, exclusive"),
        (r#"{"<": [1, 1, 3]}"#, "{}", "false", "between, exclusive at the low end"),
        (r#"{"<": [1, 3, 3]}"#, "{}", "false", "between, exclusive at the high end"),
        (r#"{"<=": [1, 1, 3]}"#, "{}", "true", "between, inclusive"),
        (r#"{"<=": [1, 3, 3]}"#, "{}", "true", "between, inclusive"),
        (r#"{"<=": [1, 4, 3]}"#, "{}", "false", "outside"),
        (r#"{"<": [0, {"var": "age"}, 18]}"#, r#"{"age": "12"}"#, "true", "strings from answers compare as numbers against numbers"),
        (r#"{"<": [{"/": [1, 0]}, 1]}"#, "{}", "false", "Infinity is not less than 1"),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn arithmetic() {
    table(&[
        // `+` and `*` use parseFloat; `-`, `/`, `%` use Number() (ToNumber).
        (r#"{"+": [1, 2]}"#, "{}", "3", "sum"),
        (r#"{"+": [1, 2, 3, 4]}"#, "{}", "10", "many"),
        (r#"{"+": []}"#, "{}", "0", "the reduce starts at 0"),
        (r#"{"+": "3.5"}"#, "{}", "3.5", "casts a string to a number"),
        (r#"{"+": ["1", "2"]}"#, "{}", "3", "JS: parseFloat, not string concatenation"),
        (r#"{"+": ["3 kg", 1]}"#, "{}", "4", "JS: parseFloat reads a number prefix"),
        (r#"{"+": [" 12", 0]}"#, "{}", "12", "JS: parseFloat skips leading space"),
        (r#"{"+": ["", 1]}"#, "{}", "null", "JS: parseFloat(\"\") is NaN; JSON writes null"),
        (r#"{"+": [null, 1]}"#, "{}", "null", "JS: parseFloat(\"null\") is NaN"),
        (r#"{"+": [true, 1]}"#, "{}", "null", "JS: parseFloat(\"true\") is NaN"),
        (r#"{"+": [[2, 3], 1]}"#, "{}", "3", "JS: parseFloat(\"2,3\") is 2"),
        (r#"{"+": ["0x10"]}"#, "{}", "0", "JS: parseFloat stops at x"),
        (r#"{"+": ["1e3"]}"#, "{}", "1000", "exponent"),
        (r#"{"+": ["-Infinity", 1]}"#, "{}", "null", "infinite: null in JSON"),
        (r#"{"+": [0.1, 0.2]}"#, "{}", "0.30000000000000004", "f64, like JS"),
        (r#"{"+": [2.5, 2.5]}"#, "{}", "5", "whole results are integers"),
        (r#"{"*": [2, 3]}"#, "{}", "6", "product"),
        (r#"{"*": [2, "3", 4]}"#, "{}", "24", "parseFloat"),
        (r#"{"*": ["2"]}"#, "{}", r#""2""#, "JS: reduce without a start returns one item as it is"),
        (r#"{"*": [2, ""]}"#, "{}", "null", "parseFloat(\"\") is NaN"),
        (r#"{"*": [1.5, 2]}"#, "{}", "3", "whole"),
        (r#"{"-": [5, 3]}"#, "{}", "2", "difference"),
        (r#"{"-": [3, 5]}"#, "{}", "-2", "negative"),
        (r#"{"-": ["5", "3"]}"#, "{}", "2", "JS: Number(\"5\")"),
        (r#"{"-": [5, ""]}"#, "{}", "5", "JS: Number(\"\") is 0"),
        (r#"{"-": [5, null]}"#, "{}", "5", "JS: Number(null) is 0"),
        (r#"{"-": [5, true]}"#, "{}", "4", "JS: Number(true) is 1"),
        (r#"{"-": [5, "3 kg"]}"#, "{}", "null", "JS: Number(\"3 kg\") is NaN"),
        (r#"{"-": [2]}"#, "{}", "-2", "negation"),
        (r#"{"-": "-2"}"#, "{}", "2", "negation converts"),
        (r#"{"-": [0]}"#, "{}", "0", "-0 is written 0"),
        (r#"{"/": [10, 4]}"#, "{}", "2.5", "quotient"),
        (r#"{"/": [1, 3]}"#, "{}", "0.3333333333333333", "f64"),
        (r#"{"/": [1, 0]}"#, "{}", "null", "Infinity: null in JSON"),
        (r#"{"/": [0, 0]}"#, "{}", "null", "NaN: null in JSON"),
        (r#"{"/": ["9", "3"]}"#, "{}", "3", "Number()"),
        (r#"{"%": [7, 3]}"#, "{}", "1", "remainder"),
        (r#"{"%": [-7, 3]}"#, "{}", "-1", "JS: the sign of the dividend"),
        (r#"{"%": [7, -3]}"#, "{}", "1", "JS: the sign of the dividend"),
        (r#"{"%": [5.5, 2]}"#, "{}", "1.5", "fractional"),
        (r#"{"%": [1, 0]}"#, "{}", "null", "NaN"),
        (r#"{"max": [1, 3, 2]}"#, "{}", "3", "max"),
        (r#"{"min": [1, 3, 2]}"#, "{}", "1", "min"),
        (r#"{"max": ["10", 9]}"#, "{}", "10", "JS: Math.max converts with Number()"),
        (r#"{"max": [null, -1]}"#, "{}", "0", "JS: null is 0"),
        (r#"{"min": [1, "a"]}"#, "{}", "null", "JS: any NaN makes NaN"),
        (r#"{"min": [-0.5]}"#, "{}", "-0.5", "one argument"),
        (r#"{"max": [[], -1]}"#, "{}", "0", "JS: [] → 0"),
        (r#"{"*": [{"var": "price"}, {"var": "qty"}]}"#, r#"{"price": 12.5, "qty": "4"}"#, "50", "computed value"),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn strings() {
    table(&[
        (r#"{"cat": ["I love", " pie"]}"#, "{}", r#""I love pie""#, "concatenation"),
        (r#"{"cat": ["a", 1, true, false]}"#, "{}", r#""a1truefalse""#, "JS: String()"),
        (r#"{"cat": ["a", null, "b"]}"#, "{}", r#""ab""#, "JS: join writes null as nothing"),
        (r#"{"cat": [[1, [2, null], 3]]}"#, "{}", r#""1,2,,3""#, "JS: arrays join with commas, null empty"),
        (r#"{"cat": [{"var": "o"}]}"#, r#"{"o": {"a": 1}}"#, r#""[object Object]""#, "JS: objects"),
        (r#"{"cat": []}"#, "{}", r#""""#, "nothing"),
        (r#"{"cat": "x"}"#, "{}", r#""x""#, "one"),
        (r#"{"cat": [1.5, -0.25, 100, 1e21, 1.5e-7, 0.000001, 123456789012]}"#, "{}", r#""1.5-0.251001e+211.5e-70.000001123456789012""#, "JS Number::toString"),
        (r#"{"cat": [1e20, 2e-7, 0.1, -1e-7, 1.7976931348623157e308]}"#, "{}", r#""1000000000000000000002e-70.1-1e-71.7976931348623157e+308""#, "JS: exponent from 1e21 and below 1e-6"),
        (r#"{"cat": [{"/": [0, 0]}, {"/": [1, 0]}, {"/": [-1, 0]}]}"#, "{}", r#""NaNInfinity-Infinity""#, "JS names"),
        (r#"{"cat": [{"-": [0]}]}"#, "{}", r#""0""#, "JS: String(-0) is \"0\""),
        (r#"{"substr": ["jsonlogic", 4]}"#, "{}", r#""logic""#, "from 4"),
        (r#"{"substr": ["jsonlogic", -5]}"#, "{}", r#""logic""#, "negative start counts from the end"),
        (r#"{"substr": ["jsonlogic", 1, 3]}"#, "{}", r#""son""#, "length 3"),
        (r#"{"substr": ["jsonlogic", 4, -2]}"#, "{}", r#""log""#, "negative length stops before the end"),
        (r#"{"substr": ["abc", 10]}"#, "{}", r#""""#, "past the end"),
        (r#"{"substr": ["abc", -10, 2]}"#, "{}", r#""ab""#, "JS: start clamps to 0"),
        (r#"{"substr": ["abc", 1, -5]}"#, "{}", r#""""#, "negative length longer than the rest"),
        (r#"{"substr": ["abc", 1, null]}"#, "{}", r#""""#, "JS: substr(1, null) has length 0"),
        (r#"{"substr": ["abc", "1", "1"]}"#, "{}", r#""b""#, "JS: ToIntegerOrInfinity(\"1\")"),
        (r#"{"substr": ["abc", 1.7, 1.2]}"#, "{}", r#""b""#, "JS: truncates"),
        (r#"{"substr": ["abc", "x"]}"#, "{}", r#""abc""#, "JS: NaN start is 0"),
        (r#"{"substr": ["abcdef", 1, "-1"]}"#, "{}", r#""""#, "JS: 5 + \"-1\" is \"5-1\", NaN, so length 0"),
        (r#"{"substr": [12345, 1, 2]}"#, "{}", r#""23""#, "JS: String(12345)"),
        (r#"{"substr": [null, 0]}"#, "{}", r#""null""#, "JS: String(null)"),
        (r#"{"substr": ["åäöx", 1, 2]}"#, "{}", r#""äö""#, "characters, not bytes"),
        (r#"{"in": ["Spring", "Springfield"]}"#, "{}", "true", "substring"),
        (r#"{"in": ["x", "Springfield"]}"#, "{}", "false", "not a substring"),
        (r#"{"in": ["", "abc"]}"#, "{}", "true", "the empty string is in every string"),
        (r#"{"in": ["", ""]}"#, "{}", "false", "JS: `!b` is true for \"\""),
        (r#"{"in": [1, "a1"]}"#, "{}", "true", "JS: indexOf converts the needle to text"),
        (r#"{"in": [null, "xnullx"]}"#, "{}", "true", "JS: String(null)"),
        (r#"{"in": ["b", ["a", "b"]]}"#, "{}", "true", "array member"),
        (r#"{"in": ["c", ["a", "b"]]}"#, "{}", "false", "not a member"),
        (r#"{"in": [1, ["1", 2]]}"#, "{}", "false", "JS: indexOf uses ==="),
        (r#"{"in": [1, [1.0]]}"#, "{}", "true", "same number"),
        (r#"{"in": [null, [null]]}"#, "{}", "true", "null is found"),
        (r#"{"in": [[1], [[1]]]}"#, "{}", "false", "JS: arrays by identity"),
        (r#"{"in": ["a", {"var": "o"}]}"#, r#"{"o": {"a": 1}}"#, "false", "JS: objects have no indexOf"),
        (r#"{"in": [1, 12]}"#, "{}", "false", "JS: numbers have no indexOf"),
        (r#"{"in": ["a", null]}"#, "{}", "false", "JS: `!b`"),
        (r#"{"in": ["a", []]}"#, "{}", "false", "empty array"),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn arrays() {
    let data = r#"{"nums": [1, 2, 3, 4], "people": [{"name": "Ann", "age": 30}, {"name": "Bo", "age": 12}], "empty": [], "str": "abc"}"#;
    table(&[
        (r#"{"merge": [[1, 2], [3, 4]]}"#, "{}", "[1, 2, 3, 4]", "arrays spread"),
        (r#"{"merge": [1, 2, [3, 4]]}"#, "{}", "[1, 2, 3, 4]", "items join as they are"),
        (r#"{"merge": [[1, [2]], [[3]]]}"#, "{}", "[1, [2], [3]]", "one level only"),
        (r#"{"merge": [null, "a", {"var": "o"}]}"#, r#"{"o": {"k": 1}}"#, r#"[null, "a", {"k": 1}]"#, "JS: concat keeps null and objects"),
        (r#"{"merge": []}"#, "{}", "[]", "nothing"),
        (r#"{"map": [{"var": "nums"}, {"*": [{"var": ""}, 2]}]}"#, data, "[2, 4, 6, 8]", "map"),
        (r#"{"map": [{"var": "people"}, {"var": "name"}]}"#, data, r#"["Ann", "Bo"]"#, "paths start at the item"),
        (r#"{"map": [{"var": "str"}, 1]}"#, data, "[]", "not an array: []"),
        (r#"{"map": [{"var": "nope"}, 1]}"#, data, "[]", "absent: []"),
        (r#"{"filter": [{"var": "nums"}, {"%": [{"var": ""}, 2]}]}"#, data, "[1, 3]", "filter"),
        (r#"{"filter": [{"var": "people"}, {">=": [{"var": "age"}, 18]}]}"#, data, r#"[{"name": "Ann", "age": 30}]"#, "keeps items as they are"),
        (r#"{"filter": [5, true]}"#, data, "[]", "not an array: []"),
        (r#"{"reduce": [{"var": "nums"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}"#, data, "10", "sum"),
        (r#"{"reduce": [{"var": "nums"}, {"*": [{"var": "current"}, {"var": "accumulator"}]}, 1]}"#, data, "24", "product"),
        (r#"{"reduce": [{"var": "nums"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}]}"#, data, "null", "JS: the start is null, and parseFloat(null) is NaN"),
        (r#"{"reduce": [{"var": "empty"}, {"var": "current"}, 7]}"#, data, "7", "empty: the start"),
        (r#"{"reduce": ["abc", {"var": "current"}, 7]}"#, data, "7", "not an array: the start"),
        (r#"{"reduce": [[1, 2], {"var": ""}, 0]}"#, "{}", r#"{"current": 2, "accumulator": {"current": 1, "accumulator": 0}}"#, "the data inside is {current, accumulator}"),
        (r#"{"reduce": [{"var": "people"}, {"+": [{"var": "accumulator"}, {"var": "current.age"}]}, 0]}"#, data, "42", "paths into current"),
        (r#"{"all": [{"var": "nums"}, {">": [{"var": ""}, 0]}]}"#, data, "true", "all"),
        (r#"{"all": [{"var": "nums"}, {">": [{"var": ""}, 1]}]}"#, data, "false", "not all"),
        (r#"{"all": [{"var": "empty"}, true]}"#, data, "false", "JS: all of [] is false"),
        (r#"{"all": [{"var": "nope"}, true]}"#, data, "false", "not an array: false"),
        (r#"{"some": [{"var": "nums"}, {">": [{"var": ""}, 3]}]}"#, data, "true", "some"),
        (r#"{"some": [{"var": "nums"}, {">": [{"var": ""}, 4]}]}"#, data, "false", "none does"),
        (r#"{"some": [{"var": "empty"}, true]}"#, data, "false", "some of [] is false"),
        (r#"{"some": [{"var": "people"}, {"<": [{"var": "age"}, 18]}]}"#, data, "true", "objects"),
        (r#"{"none": [{"var": "nums"}, {">": [{"var": ""}, 4]}]}"#, data, "true", "none"),
        (r#"{"none": [{"var": "nums"}, {">": [{"var": ""}, 3]}]}"#, data, "false", "one does"),
        (r#"{"none": [{"var": "empty"}, true]}"#, data, "true", "JS: none of [] is true"),
        (r#"{"none": [null, true]}"#, data, "true", "JS 2.0.5: not an array is empty"),
        (
            r#"{"map": [{"var": "people"}, {"map": [[1, 2], {"var": ""}]}]}"#,
            data,
            "[[1, 2], [1, 2]]",
            "nested iteration",
        ),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn form_operators() {
    table(&[
        (r#"{"today": []}"#, "{}", r#""2026-11-23""#, "from the context"),
        (r#"{"length": "åäö"}"#, "{}", "3", "characters, not bytes"),
        (r#"{"length": ""}"#, "{}", "0", "empty"),
        (r#"{"length": "👍🏽"}"#, "{}", "2", "Unicode scalar values (two code points)"),
        (r#"{"length": [[1, 2, 3]]}"#, "{}", "3", "array items (a literal array must be wrapped)"),
        (r#"{"length": {"var": "kids"}}"#, r#"{"kids": [{}, {}]}"#, "2", "array from data"),
        (r#"{"length": {"var": "kids"}}"#, "{}", "0", "absent"),
        (r#"{"length": 12345}"#, "{}", "0", "a number has no length"),
        (r#"{"length": {"map": [[1, 2], 0]}}"#, "{}", "2", "a built array"),
        // age: ISO dates and personnummer, against today = 2026-11-23.
        (r#"{"age": "19121212-1212"}"#, "{}", "113", "born 1912-12-12, birthday next month"),
        (r#"{"age": "191212121212"}"#, "{}", "113", "twelve digits"),
        (r#"{"age": "121212+1212"}"#, "{}", "113", "ten digits with + (100 or older)"),
        (r#"{"age": "121212-1212"}"#, "{}", "13", "ten digits with -: born 2012"),
        (r#"{"age": "811228-9874"}"#, "{}", "44", "born 1981-12-28"),
        (r#"{"age": "8112289874"}"#, "{}", "44", "without separator"),
        (r#"{"age": "670979-9537"}"#, "{}", "59", "samordningsnummer: day 79 is the 19th, born 1967-09-19"),
        (r#"{"age": "811228-9875"}"#, "{}", "null", "wrong check digit"),
        (r#"{"age": "2008-11-23"}"#, "{}", "18", "ISO date: the 18th birthday is today"),
        (r#"{"age": "2008-11-24"}"#, "{}", "17", "ISO date: the 18th birthday is tomorrow"),
        (r#"{"age": "2008-11-22"}"#, "{}", "18", "ISO date: yesterday"),
        (r#"{"age": "2000-02-29"}"#, "{}", "26", "leap day"),
        (r#"{"age": "2026-11-23"}"#, "{}", "0", "born today"),
        (r#"{"age": "2027-01-01"}"#, "{}", "-1", "an ISO date after today"),
        (r#"{"age": "2008-02-30"}"#, "{}", "null", "not a date"),
        (r#"{"age": "23/11/2008"}"#, "{}", "null", "not ISO"),
        (r#"{"age": 20081123}"#, "{}", "null", "a number"),
        (r#"{"age": {"var": "pnr"}}"#, "{}", "null", "absent"),
        (r#"{">=": [{"age": {"var": "pnr"}}, 18]}"#, r#"{"pnr": "19121212-1212"}"#, "true", "of age"),
        // days_between
        (r#"{"days_between": ["2026-11-23", "2026-12-24"]}"#, "{}", "31", "to Christmas Eve"),
        (r#"{"days_between": ["2026-12-24", "2026-11-23"]}"#, "{}", "-31", "backwards"),
        (r#"{"days_between": ["2024-02-28", "2024-03-01"]}"#, "{}", "2", "over a leap day"),
        (r#"{"days_between": ["2023-02-28", "2023-03-01"]}"#, "{}", "1", "no leap day"),
        (r#"{"days_between": ["1970-01-01", "2000-01-01"]}"#, "{}", "10957", "30 years"),
        (r#"{"days_between": ["1000-01-01", "9999-12-31"]}"#, "{}", "3287181", "the whole range"),
        (r#"{"days_between": [{"today": []}, "2026-11-23"]}"#, "{}", "0", "same day"),
        (r#"{"days_between": ["2026-11-23", "tomorrow"]}"#, "{}", "null", "not a date"),
        (r#"{"days_between": [null, "2026-11-23"]}"#, "{}", "null", "null"),
        // date_add
        (r#"{"date_add": ["2026-11-23", 10, "days"]}"#, "{}", r#""2026-12-03""#, "days"),
        (r#"{"date_add": ["2026-11-23", -365, "days"]}"#, "{}", r#""2025-11-23""#, "negative days"),
        (r#"{"date_add": ["2024-02-28", 1, "days"]}"#, "{}", r#""2024-02-29""#, "leap day"),
        (r#"{"date_add": ["2026-01-31", 1, "months"]}"#, "{}", r#""2026-02-28""#, "clamps to February's last day"),
        (r#"{"date_add": ["2024-01-31", 1, "months"]}"#, "{}", r#""2024-02-29""#, "leap February"),
        (r#"{"date_add": ["2026-03-31", -1, "months"]}"#, "{}", r#""2026-02-28""#, "backwards"),
        (r#"{"date_add": ["2026-11-23", 2, "months"]}"#, "{}", r#""2027-01-23""#, "over the new year"),
        (r#"{"date_add": ["2026-01-15", -13, "months"]}"#, "{}", r#""2024-12-15""#, "back over a year"),
        (r#"{"date_add": ["2024-02-29", 1, "years"]}"#, "{}", r#""2025-02-28""#, "leap day to a common year"),
        (r#"{"date_add": ["2024-02-29", 4, "years"]}"#, "{}", r#""2028-02-29""#, "leap to leap"),
        (r#"{"date_add": ["2026-11-23", -18, "years"]}"#, "{}", r#""2008-11-23""#, "18 years ago"),
        (r#"{"date_add": ["2026-11-23", "3", "days"]}"#, "{}", r#""2026-11-26""#, "a numeric string"),
        (r#"{"date_add": ["2026-11-23", 1.5, "days"]}"#, "{}", "null", "not whole"),
        (r#"{"date_add": ["2026-11-23", {"var": "unit_n"}, "days"]}"#, "{}", "null", "null count"),
        (r#"{"date_add": ["9999-12-31", 1, "days"]}"#, "{}", "null", "past 9999"),
        (r#"{"date_add": ["1000-01-01", -1, "years"]}"#, "{}", "null", "before 1000"),
        (r#"{"date_add": ["2026-11-23", 1e300, "days"]}"#, "{}", "null", "huge"),
        (r#"{"date_add": ["2026-11-23", 1, {"var": "u"}]}"#, r#"{"u": "weeks"}"#, "null", "unknown unit from data"),
        (r#"{"date_add": ["2026-11-23", 1, {"var": "u"}]}"#, r#"{"u": "years"}"#, r#""2027-11-23""#, "unit from data"),
        (r#"{"date_add": ["not a date", 1, "days"]}"#, "{}", "null", "not a date"),
        (r#"{"<": [{"var": "d"}, {"date_add": [{"today": []}, -18, "years"]}]}"#, r#"{"d": "2001-05-01"}"#, "true", "ISO dates compare as text"),
    ]);
}

#[test]
#[rustfmt::skip] // One case per line reads as a table; rustfmt would split them.
fn results_are_json() {
    table(&[
        (r#"{"+": [1, 1]}"#, "{}", "2", "an integer, not 2.0"),
        (r#"{"*": [1e10, 1e10]}"#, "{}", "100000000000000000000", "whole beyond i64 stays a number"),
        (r#"{"-": [0, 0]}"#, "{}", "0", "no -0"),
        (r#"{"map": [[1, 2], {"/": [{"var": ""}, 0]}]}"#, "{}", "[null, null]", "infinities in arrays"),
    ]);
    let e = Expr::compile(&json!({"+": [1, 1]})).unwrap();
    assert!(e.eval(&json!({}), &cx()).is_i64(), "whole numbers are JSON integers");
    let e = Expr::compile(&json!({"/": [1, 2]})).unwrap();
    assert!(e.eval(&json!({}), &cx()).is_f64(), "fractions are JSON floats");
}

/// `(rule, [(path, English, Swedish)])`.
type ErrorCase<'a> = (&'a str, &'a [(&'a str, &'a str, &'a str)]);

#[test]
fn compile_errors() {
    let cases: &[ErrorCase<'_>] = &[
        (
            r#"{"and": [true, {"foo": 1}]}"#,
            &[(
                "and[1].foo",
                "unknown operator \"foo\"",
                "okänd operator \"foo\"",
            )],
        ),
        (
            r#"{"lenght": "x"}"#,
            &[(
                "lenght",
                "unknown operator \"lenght\" (did you mean \"length\"?)",
                "okänd operator \"lenght\" (menade du \"length\"?)",
            )],
        ),
        (
            r#"{"=": [1, 1]}"#,
            &[(
                "=",
                "unknown operator \"=\" (did you mean \"==\"?)",
                "okänd operator \"=\" (menade du \"==\"?)",
            )],
        ),
        (
            r#"{"not": true}"#,
            &[(
                "not",
                "unknown operator \"not\" (did you mean \"!\"?)",
                "okänd operator \"not\" (menade du \"!\"?)",
            )],
        ),
        (
            r#"{"If": [true, 1, 2]}"#,
            &[(
                "If",
                "unknown operator \"If\" (did you mean \"if\"?)",
                "okänd operator \"If\" (menade du \"if\"?)",
            )],
        ),
        (
            r#"{"log": "x"}"#,
            &[("log", "unknown operator \"log\"", "okänd operator \"log\"")],
        ),
        (
            r#"{"if": [{"==": [1, 2, 3]}, 1, 2]}"#,
            &[(
                "if[0].==",
                "\"==\" takes 2 arguments, but has 3",
                "\"==\" tar 2 argument, men har 3",
            )],
        ),
        (
            r#"{"!": [1, 2]}"#,
            &[(
                "!",
                "\"!\" takes 1 argument, but has 2",
                "\"!\" tar 1 argument, men har 2",
            )],
        ),
        (
            r#"{"!": []}"#,
            &[(
                "!",
                "\"!\" takes 1 argument, but has 0",
                "\"!\" tar 1 argument, men har 0",
            )],
        ),
        (
            r#"{"<": [1]}"#,
            &[(
                "<",
                "\"<\" takes 2 or 3 arguments, but has 1",
                "\"<\" tar 2 eller 3 argument, men har 1",
            )],
        ),
        (
            r#"{"and": []}"#,
            &[(
                "and",
                "\"and\" takes at least 1 argument, but has 0",
                "\"and\" tar minst 1 argument, men har 0",
            )],
        ),
        (
            r#"{"today": [1]}"#,
            &[(
                "today",
                "\"today\" takes 0 arguments, but has 1",
                "\"today\" tar 0 argument, men har 1",
            )],
        ),
        (
            r#"{"var": ["a", 1, 2]}"#,
            &[(
                "var",
                "\"var\" takes 0 to 2 arguments, but has 3",
                "\"var\" tar 0 till 2 argument, men har 3",
            )],
        ),
        (
            r#"{"-": [1, 2, 3]}"#,
            &[(
                "-",
                "\"-\" takes 1 or 2 arguments, but has 3",
                "\"-\" tar 1 eller 2 argument, men har 3",
            )],
        ),
        (
            r#"{"length": [1, 2, 3]}"#,
            &[(
                "length",
                "\"length\" takes 1 argument, but has 3",
                "\"length\" tar 1 argument, men har 3",
            )],
        ),
        (
            r#"{"if": [{"==": [1, {"var": {"cat": ["a", "b"]}}]}, 1]}"#,
            &[(
                "if[0].==[1].var",
                "\"var\" needs a fixed path (a string or number) and, if any, a fixed default; computed paths cannot be checked",
                "\"var\" behöver en fast sökväg (en sträng eller ett tal) och i så fall ett fast standardvärde; sökvägar som räknas fram går inte att kontrollera",
            )],
        ),
        (
            r#"{"var": [{"var": "x"}]}"#,
            &[(
                "var[0]",
                "\"var\" needs a fixed path (a string or number) and, if any, a fixed default; computed paths cannot be checked",
                "\"var\" behöver en fast sökväg (en sträng eller ett tal) och i så fall ett fast standardvärde; sökvägar som räknas fram går inte att kontrollera",
            )],
        ),
        (
            r#"{"var": ["a", {"var": "b"}]}"#,
            &[(
                "var[1]",
                "\"var\" needs a fixed path (a string or number) and, if any, a fixed default; computed paths cannot be checked",
                "\"var\" behöver en fast sökväg (en sträng eller ett tal) och i så fall ett fast standardvärde; sökvägar som räknas fram går inte att kontrollera",
            )],
        ),
        (
            r#"{"var": true}"#,
            &[(
                "var",
                "\"var\" needs a fixed path (a string or number) and, if any, a fixed default; computed paths cannot be checked",
                "\"var\" behöver en fast sökväg (en sträng eller ett tal) och i så fall ett fast standardvärde; sökvägar som räknas fram går inte att kontrollera",
            )],
        ),
        (
            r#"{"missing": ["a", {"var": "b"}]}"#,
            &[(
                "missing[1]",
                "the keys of \"missing\" must be fixed strings or numbers",
                "nycklarna till \"missing\" måste vara fasta strängar eller tal",
            )],
        ),
        (
            r#"{"missing_some": [1, {"merge": [["a"]]}]}"#,
            &[(
                "missing_some[1]",
                "the keys of \"missing_some\" must be fixed strings or numbers",
                "nycklarna till \"missing_some\" måste vara fasta strängar eller tal",
            )],
        ),
        (
            r#"{"or": [{}, {"a": 1, "b": 2}]}"#,
            &[
                (
                    "or[0]",
                    "an object in an expression must have exactly one key, the operator, but this one has 0",
                    "ett objekt i ett uttryck måste ha exakt en nyckel, operatorn, men det här har 0",
                ),
                (
                    "or[1]",
                    "an object in an expression must have exactly one key, the operator, but this one has 2",
                    "ett objekt i ett uttryck måste ha exakt en nyckel, operatorn, men det här har 2",
                ),
            ],
        ),
        (
            r#"{"date_add": ["2026-01-01", 1, "weeks"]}"#,
            &[(
                "date_add[2]",
                "\"weeks\" is not a unit of \"date_add\": use \"days\", \"months\" or \"years\"",
                "\"weeks\" är ingen enhet för \"date_add\": använd \"days\", \"months\" eller \"years\"",
            )],
        ),
        (
            r#"{"date_add": ["2026-01-01", 1, 7]}"#,
            &[(
                "date_add[2]",
                "\"7\" is not a unit of \"date_add\": use \"days\", \"months\" or \"years\"",
                "\"7\" är ingen enhet för \"date_add\": använd \"days\", \"months\" eller \"years\"",
            )],
        ),
        (
            r#"[1, {"bogus": []}, [{"==": []}]]"#,
            &[
                (
                    "[1].bogus",
                    "unknown operator \"bogus\"",
                    "okänd operator \"bogus\"",
                ),
                (
                    "[2][0].==",
                    "\"==\" takes 2 arguments, but has 0",
                    "\"==\" tar 2 argument, men har 0",
                ),
            ],
        ),
        (
            r#"{"map": [{"var": {"x": 1}}, {"filter": [[], {"nope": 1}]}]}"#,
            &[
                (
                    "map[0].var",
                    "\"var\" needs a fixed path (a string or number) and, if any, a fixed default; computed paths cannot be checked",
                    "\"var\" behöver en fast sökväg (en sträng eller ett tal) och i så fall ett fast standardvärde; sökvägar som räknas fram går inte att kontrollera",
                ),
                (
                    "map[1].filter[1].nope",
                    "unknown operator \"nope\" (did you mean \"none\"?)",
                    "okänd operator \"nope\" (menade du \"none\"?)",
                ),
            ],
        ),
        (
            r#"{}"#,
            &[(
                "",
                "an object in an expression must have exactly one key, the operator, but this one has 0",
                "ett objekt i ett uttryck måste ha exakt en nyckel, operatorn, men det här har 0",
            )],
        ),
    ];
    for (rule, expected) in cases {
        let errors = Expr::compile(&parse(rule)).expect_err(rule);
        let got: Vec<(String, String, String)> = errors
            .iter()
            .map(|e| {
                (
                    e.path.clone(),
                    e.kind.message(Lang::En),
                    e.kind.message(Lang::Sv),
                )
            })
            .collect();
        let want: Vec<(String, String, String)> = expected
            .iter()
            .map(|(p, en, sv)| (p.to_string(), en.to_string(), sv.to_string()))
            .collect();
        assert_eq!(got, want, "{rule}");
        for e in &errors {
            assert_eq!(
                e.kind.to_string(),
                e.kind.message(Lang::En),
                "Display is English"
            );
        }
    }
    let e = Expr::compile(&json!({"and": [{"foo": 1}]})).unwrap_err();
    assert_eq!(e[0].to_string(), "and[0].foo: unknown operator \"foo\"");
}

#[test]
fn error_kinds_are_structured() {
    let e = Expr::compile(&json!({"lenght": "x"})).unwrap_err();
    assert_eq!(
        e[0].kind,
        ExprErrorKind::UnknownOperator {
            name: "lenght".into(),
            suggestion: Some("length")
        }
    );
    let e = Expr::compile(&json!({"==": [1]})).unwrap_err();
    assert_eq!(
        e[0].kind,
        ExprErrorKind::Arity {
            operator: "==",
            expected: "2",
            found: 1
        }
    );
}

#[test]
fn valid_shapes_compile() {
    for rule in [
        json!({"var": []}),
        json!({"var": null}),
        json!({"var": 0}),
        json!({"var": ["a", [1, 2]]}),
        json!({"var": ["a", null]}),
        json!({"missing": []}),
        json!({"missing": 1}),
        json!({"if": []}),
        json!({"+": []}),
        json!({"cat": []}),
        json!({"merge": []}),
        json!({"date_add": ["2026-01-01", 1, {"var": "unit"}]}),
        json!({"today": []}),
        json!([]),
        json!(null),
    ] {
        assert!(Expr::compile(&rule).is_ok(), "{rule}");
    }
}

#[test]
fn vars_in_order_without_repeats() {
    let cases: &[(Value, &[&str])] = &[
        (json!({"var": "age"}), &["age"]),
        (json!({"==": [{"var": "b"}, {"var": "a"}]}), &["b", "a"]),
        (
            json!({"and": [{"var": "a"}, {"var": "b.c"}, {"var": "a"}]}),
            &["a", "b.c"],
        ),
        (json!({"var": "children.0.name"}), &["children.0.name"]),
        (json!({"var": 1}), &["1"]),
        (json!({"var": ""}), &[""]),
        (json!({"var": []}), &[""]),
        (json!({"missing": ["x", "y"]}), &["x", "y"]),
        (json!({"missing_some": [1, ["x", "y"]]}), &["x", "y"]),
        (json!({"missing_some": [{"var": "n"}, ["x"]]}), &["n", "x"]),
        (
            json!({"map": [{"var": "kids"}, {"var": "name"}]}),
            &["kids"],
        ),
        (
            json!({"filter": [{"var": "kids"}, {">": [{"var": "age"}, {"var": "limit"}]}]}),
            &["kids"],
        ),
        (
            json!({"reduce": [{"var": "kids"}, {"+": [{"var": "current.age"}, {"var": "accumulator"}]}, {"var": "start"}]}),
            &["kids", "start"],
        ),
        (
            json!({"all": [{"var": "a"}, {"some": [{"var": "inner"}, {"var": "x"}]}]}),
            &["a"],
        ),
        (
            json!({"if": [{"some": [{"var": "list"}, {"var": "ok"}]}, {"var": "yes"}, {"var": "list"}]}),
            &["list", "yes"],
        ),
        (json!([{"var": "a"}, {"cat": [{"var": "b"}]}]), &["a", "b"]),
        (json!({"+": [1, 2]}), &[]),
        (json!(true), &[]),
    ];
    for (rule, want) in cases {
        let e = Expr::compile(rule).unwrap();
        assert_eq!(e.vars(), *want, "{rule}");
    }
}

#[test]
fn source_and_serialize() {
    let rule = json!({"if": [{"var": "a"}, [1, 2], {"cat": ["x", 1.5]}]});
    let e = Expr::compile(&rule).unwrap();
    assert_eq!(e.source(), &rule);
    assert_eq!(serde_json::to_value(&e).unwrap(), rule);
    assert_eq!(e.clone(), e, "Clone and PartialEq");
}

/// `[v]`, without `json!`, which would copy `v` recursively.
fn array(v: Value) -> Value {
    Value::Array(vec![v])
}

/// `{name: v}`, without `json!`.
fn object(name: &str, v: Value) -> Value {
    Value::Object([(name.to_owned(), v)].into_iter().collect())
}

/// Builds `depth` levels of nesting without recursion.
fn nested(depth: usize, wrap: impl Fn(Value) -> Value) -> Value {
    let mut v = json!(1);
    for _ in 0..depth {
        v = wrap(v);
    }
    v
}

/// Takes a deep value apart level by level, so that dropping it cannot overflow the stack.
fn dismantle(mut v: Value) {
    loop {
        v = match v {
            Value::Array(mut items) => match items.pop() {
                Some(inner) => inner,
                None => return,
            },
            Value::Object(map) => match map.into_iter().next() {
                Some((_, inner)) => inner,
                None => return,
            },
            _ => return,
        };
    }
}

#[test]
fn deep_nesting_is_rejected_cleanly() {
    let shapes: [fn(Value) -> Value; 3] = [array, |v| object("!", array(v)), |v| object("if", v)];
    for wrap in shapes {
        let deep = nested(10_000, wrap);
        let errors = Expr::compile(&deep).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, ExprErrorKind::TooDeep);
        assert_eq!(
            errors[0].kind.message(Lang::Sv),
            "uttryck får vara inbäddade i högst 64 nivåer"
        );
        assert_eq!(
            errors[0].kind.message(Lang::En),
            "expressions may be nested at most 64 levels deep"
        );
        dismantle(deep);
    }
    // A deep literal as a var default is checked too.
    let rule = object("var", Value::Array(vec![json!("a"), nested(10_000, array)]));
    let errors = Expr::compile(&rule).unwrap_err();
    assert_eq!(errors[0].kind, ExprErrorKind::TooDeep);
    assert!(errors[0].path.starts_with("var[1][0][0]"));
    dismantle(rule);
    // The limit: 64 levels compile, 65 do not (the innermost literal is not a level).
    let ok = nested(64, |v| object("!", array(v)));
    assert_eq!(
        Expr::compile(&ok).unwrap().eval(&json!({}), &cx()),
        json!(true)
    );
    let too_deep = nested(65, |v| object("!", array(v)));
    let errors = Expr::compile(&too_deep).unwrap_err();
    assert_eq!(
        errors[0].path.matches('!').count(),
        64,
        "at the 65th, inside 64 others"
    );
}

#[test]
fn long_flat_expressions_are_fine() {
    let terms: Vec<Value> = (0..1000).map(|i| json!({"<": [i, {"var": "n"}]})).collect();
    let e = Expr::compile(&json!({ "and": terms })).unwrap();
    assert_eq!(e.eval(&json!({"n": 1000}), &cx()), json!(true));
    assert_eq!(e.eval(&json!({"n": 500}), &cx()), json!(false));
    let sum: Vec<Value> = (1..=1000).map(|i| json!(i)).collect();
    let e = Expr::compile(&json!({ "+": sum })).unwrap();
    assert_eq!(e.eval(&json!({}), &cx()), json!(500_500));
}

#[test]
fn runaway_growth_is_null() {
    let items: Vec<u32> = (0..200).collect();
    // Doubling the accumulator 200 times would need 2^200 items or bytes.
    for rule in [
        json!({"reduce": [items, {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]}),
        json!({"reduce": [items, {"cat": [{"var": "accumulator"}, {"var": "accumulator"}]}, "ab"]}),
        // Wrapping it nests arrays 200 deep, deep enough to matter for the stack.
        json!({"reduce": [items, [{"var": "accumulator"}], 0]}),
        json!({"reduce": [items, {"var": ""}, 0]}),
    ] {
        let e = Expr::compile(&rule).unwrap();
        assert_eq!(e.eval(&json!({}), &cx()), Value::Null, "{rule}");
        assert!(!e.is_true(&json!({}), &cx()));
    }
    // Growth within the limits is fine.
    let rule = json!({"reduce": [[1, 2, 3], {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [0]]});
    let e = Expr::compile(&rule).unwrap();
    assert_eq!(e.eval(&json!({}), &cx()), json!([0, 0, 0, 0, 0, 0, 0, 0]));
}

#[test]
fn deep_data_does_not_overflow_string_conversion() {
    let e = Expr::compile(&json!({"cat": [{"var": "d"}]})).unwrap();
    let data = object("d", nested(5_000, array));
    // JavaScript would write "1"; past 320 levels the conversion stops instead of
    // exhausting the stack. serde_json's parser never makes data this deep (128 levels).
    assert_eq!(e.eval(&data, &cx()), json!(""));
    dismantle(data);
}

mod remainder {
    //! `%` is a hand-written `fmod`; Rust's `%` on `f64` is the reference.

    use proptest::prelude::*;

    use super::super::value::remainder;

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn special_values() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            3.0,
            -7.0,
            1e300,
            -1e-300,
            5e-324,
            -5e-324,
            2.2250738585072014e-308,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            0.1,
            0.3,
            1e20,
            2.5,
        ];
        for x in values {
            for y in values {
                assert!(
                    same(remainder(x, y), x % y),
                    "{x} % {y}: {} vs {}",
                    remainder(x, y),
                    x % y
                );
            }
        }
    }

    proptest! {
        #[test]
        fn matches_rust(x in any::<u64>(), y in any::<u64>()) {
            let (x, y) = (f64::from_bits(x), f64::from_bits(y));
            prop_assert!(same(remainder(x, y), x % y), "{} % {}", x, y);
        }

        #[test]
        fn matches_rust_for_ordinary_numbers(x in -1e6f64..1e6, y in -100f64..100.0) {
            prop_assert!(same(remainder(x, y), x % y), "{} % {}", x, y);
        }
    }
}

mod oracle {
    //! Differential test against datalogic-rs, a Rust JsonLogic implementation.
    //!
    //! datalogic-rs follows the JsonLogic test suite but not json-logic-js where JavaScript's
    //! coercions are surprising, so the generator keeps to the ground where the two agree;
    //! the tables above pin json-logic-js's behaviour in the rest. Where datalogic-rs 5.4
    //! deliberately differs (principled, not bugs):
    //!
    //! - `null == 0`, `null == false`, `null == ""` are true there (JS: false), and `==`
    //!   between arrays compares contents (JS: identity) and errors for array vs. scalar;
    //!   `==` and `!=` are generated only between numbers, numeric strings and booleans,
    //!   or between strings.
    //! - `{}` is falsy there (JS: truthy); no objects are generated where truthiness matters.
    //! - Arithmetic and comparisons treat `NaN` as an error, `null`/`true` as numbers in `+`
    //!   (JS parseFloat: NaN), and division by zero saturates to f64::MAX (JS: Infinity);
    //!   arithmetic gets numbers and numeric strings only, divisors are non-zero literals.
    //! - `max`/`min` reject strings (JS: Number()); they get numbers only.
    //! - `cat` writes arrays without commas and numbers without exponents (`1e-7` is
    //!   `0.0000001`); `cat` gets strings and whole numbers only.
    //! - `in` does not convert a number needle to text, and `""` is in `""` there (JS: `!b`
    //!   makes it false); string haystacks are non-empty and needles strings.
    //! - `merge` drops `null` arguments (JS: keeps them); no nulls are merged.
    //! - `missing` only asks whether a key exists (JS: also null or `""` count as missing);
    //!   the data has no null or `""` values at the keys `missing` asks for.
    //! - `reduce` without an initial value starts from the first item (JS: from null);
    //!   `reduce` always gets one.
    //! - `*` with one argument converts it to a number (JS: returns it unchanged); `*` gets
    //!   at least two.

    use datalogic_rs::Engine;
    use datalogic_rs::bumpalo::Bump;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::super::{Expr, truthy};
    use super::cx;

    /// The data every generated expression runs on: fixed keys with known types.
    fn data() -> BoxedStrategy<Value> {
        let int = -20i64..=20;
        let num = prop_oneof![
            int.clone().prop_map(|n| json!(n)),
            (-40i64..=40).prop_map(|n| json!(n as f64 / 4.0))
        ];
        let word = prop::sample::select(vec!["a", "b", "abc", "B", "åäö", "x y", "Ab", "10", "2"]);
        let numeric = prop::sample::select(vec!["1", "2", "10", "-3", "1.5", "0", "007"]);
        (
            prop::collection::vec(num.clone(), 4),
            prop::collection::vec(word.clone(), 3),
            prop::collection::vec(numeric, 2),
            prop::collection::vec(any::<bool>(), 2),
            prop::collection::vec(prop::collection::vec(int.clone(), 0..5), 2),
            prop::collection::vec(word, 0..4),
            (num, int),
        )
            .prop_map(|(n, s, t, b, a, sa, (ox, oy))| {
                json!({
                    "n0": n[0], "n1": n[1], "n2": n[2], "n3": n[3],
                    "s0": s[0], "s1": s[1], "s2": s[2],
                    "t0": t[0], "t1": t[1],
                    "b0": b[0], "b1": b[1],
                    "a0": a[0], "a1": a[1], "sa": sa,
                    "o": {"x": ox, "y": oy},
                    "z": null,
                })
            })
            .boxed()
    }

    fn op(name: &str, args: Vec<Value>) -> Value {
        Value::Object(
            [(name.to_owned(), Value::Array(args))]
                .into_iter()
                .collect(),
        )
    }

    fn var(path: &str) -> Value {
        json!({ "var": path })
    }

    /// Number-valued expressions.
    fn num() -> BoxedStrategy<Value> {
        let leaf = prop_oneof![
            (-20i64..=20).prop_map(|n| json!(n)),
            (-40i64..=40).prop_map(|n| json!(n as f64 / 4.0)),
            prop::sample::select(vec!["n0", "n1", "n2", "n3", "o.x", "o.y"]).prop_map(var),
            (-5i64..=5).prop_map(|d| json!({"var": ["nope", d]})),
            (
                prop::sample::select(vec!["a0.0", "a0.1", "a1.3"]),
                -5i64..=5
            )
                .prop_map(|(p, d)| json!({"var": [p, d]})),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            let numeric = prop_oneof![
                2 => inner.clone(),
                1 => prop::sample::select(vec!["t0", "t1"]).prop_map(var),
                1 => prop::sample::select(vec!["1", "2.5", "-3", "10"]).prop_map(|s| json!(s)),
            ];
            let divisor = prop::sample::select(vec![1, 2, 3, 4, -2, 5]).prop_map(|n| json!(n));
            prop_oneof![
                prop::collection::vec(numeric.clone(), 0..4).prop_map(|a| op("+", a)),
                prop::collection::vec(numeric.clone(), 2..4).prop_map(|a| op("*", a)),
                (numeric.clone(), numeric.clone()).prop_map(|(a, b)| op("-", vec![a, b])),
                numeric.clone().prop_map(|a| op("-", vec![a])),
                (inner.clone(), divisor.clone()).prop_map(|(a, b)| op("/", vec![a, b])),
                (inner.clone(), divisor).prop_map(|(a, b)| op("%", vec![a, b])),
                prop::collection::vec(inner.clone(), 1..4).prop_map(|a| op("max", a)),
                prop::collection::vec(inner.clone(), 1..4).prop_map(|a| op("min", a)),
                (boolean_leaf(), inner.clone(), inner.clone())
                    .prop_map(|(c, a, b)| op("if", vec![c, a, b])),
                (array_of_numbers(), inner.clone()).prop_map(|(list, start)| op(
                    "reduce",
                    vec![
                        list,
                        json!({"+": [{"var": "current"}, {"var": "accumulator"}]}),
                        start
                    ]
                )),
            ]
        })
        .boxed()
    }

    /// Arrays of numbers: literals, data, `map`, `filter`, `merge`.
    fn array_of_numbers() -> BoxedStrategy<Value> {
        prop_oneof![
            prop::sample::select(vec!["a0", "a1"]).prop_map(var),
            prop::collection::vec(-9i64..=9, 0..4).prop_map(|v| json!(v)),
            prop::sample::select(vec!["a0", "a1"])
                .prop_map(|p| json!({"map": [{"var": p}, {"*": [{"var": ""}, 2]}]})),
            (prop::sample::select(vec!["a0", "a1"]), -9i64..=9)
                .prop_map(|(p, n)| json!({"filter": [{"var": p}, {">": [{"var": ""}, n]}]})),
            (prop::sample::select(vec!["a0", "a1"]), -9i64..=9)
                .prop_map(|(p, n)| json!({"merge": [{"var": p}, n, [n, n]]})),
            (prop::sample::select(vec!["a0", "a1"]), -9i64..=9).prop_map(|(p, n)| {
                json!({"map": [{"var": p}, {"if": [{">": [{"var": ""}, n]}, {"var": ""}, {"-": [{"var": ""}]}]}]})
            }),
        ]
        .boxed()
    }

    /// Simple booleans for conditions inside numbers and strings.
    fn boolean_leaf() -> BoxedStrategy<Value> {
        prop_oneof![
            any::<bool>().prop_map(|b| json!(b)),
            prop::sample::select(vec!["b0", "b1"]).prop_map(var),
            (prop::sample::select(vec!["n0", "n1"]), -5i64..=5)
                .prop_map(|(p, n)| json!({"<": [{"var": p}, n]})),
        ]
        .boxed()
    }

    /// Strings: literals, data, `cat`, `substr`, `if`.
    fn string() -> BoxedStrategy<Value> {
        let leaf = prop_oneof![
            prop::sample::select(vec!["", "a", "abc", "åäö", "Hej", "B"]).prop_map(|s| json!(s)),
            prop::sample::select(vec!["s0", "s1", "s2"]).prop_map(var),
        ];
        leaf.prop_recursive(2, 12, 3, |inner| {
            let part = prop_oneof![
                3 => inner.clone(),
                1 => (-99i64..=99).prop_map(|n| json!(n)),
                1 => prop::sample::select(vec!["n0", "o.y"])
                    .prop_map(|p| json!({"*": [{"var": p}, 4]})),
            ];
            prop_oneof![
                prop::collection::vec(part, 0..4).prop_map(|a| op("cat", a)),
                (inner.clone(), -6i64..=6).prop_map(|(s, a)| op("substr", vec![s, json!(a)])),
                (inner.clone(), -6i64..=6, -6i64..=6)
                    .prop_map(|(s, a, b)| op("substr", vec![s, json!(a), json!(b)])),
                (boolean_leaf(), inner.clone(), inner)
                    .prop_map(|(c, a, b)| op("if", vec![c, a, b])),
            ]
        })
        .boxed()
    }

    /// Booleans: comparisons, logic, membership, quantifiers, truthiness.
    fn boolean() -> BoxedStrategy<Value> {
        let eq = prop::sample::select(vec!["==", "!=", "===", "!=="]);
        let rel = prop::sample::select(vec!["<", "<=", ">", ">="]);
        // Numbers and numeric strings; booleans only against numbers (datalogic-rs compares
        // a boolean with a string as the text "true"/"false", JS as 1/0).
        let numeric = prop_oneof![
            3 => num(),
            1 => prop::sample::select(vec!["t0", "t1"]).prop_map(var),
        ];
        let bool_vs_num = prop_oneof![
            (any::<bool>().prop_map(|b| json!(b)), num()),
            (num(), any::<bool>().prop_map(|b| json!(b))),
            (
                any::<bool>().prop_map(|b| json!(b)),
                prop::sample::select(vec!["b0", "b1"]).prop_map(var)
            ),
        ];
        let leaf = prop_oneof![
            boolean_leaf(),
            (eq.clone(), numeric.clone(), numeric.clone()).prop_map(|(o, a, b)| op(o, vec![a, b])),
            (eq.clone(), bool_vs_num).prop_map(|(o, (a, b))| op(o, vec![a, b])),
            (eq, string(), string()).prop_map(|(o, a, b)| op(o, vec![a, b])),
            (rel.clone(), numeric.clone(), numeric).prop_map(|(o, a, b)| op(o, vec![a, b])),
            (rel, string(), string()).prop_map(|(o, a, b)| op(o, vec![a, b])),
            (prop::sample::select(vec!["<", "<="]), num(), num(), num())
                .prop_map(|(o, a, b, c)| op(o, vec![a, b, c])),
            (
                string(),
                prop::sample::select(vec!["abc", "Hej på dig", "s0", "s1"])
            )
                .prop_map(|(a, b)| {
                    let haystack = if b.starts_with('s') { var(b) } else { json!(b) };
                    op("in", vec![a, haystack])
                }),
            (-9i64..=9, array_of_numbers()).prop_map(|(n, a)| op("in", vec![json!(n), a])),
            (string(), prop::sample::select(vec!["sa"]).prop_map(var))
                .prop_map(|(a, b)| op("in", vec![a, b])),
            (
                prop::sample::select(vec!["all", "some", "none"]),
                array_of_numbers(),
                prop::sample::select(vec!["<", ">", "=="]),
                -9i64..=9
            )
                .prop_map(|(q, a, r, n)| op(q, vec![a, op(r, vec![var(""), json!(n)])])),
            // Inside, paths read the item, so compare it with fixed words.
            (
                prop::sample::select(vec!["all", "some", "none"]),
                prop::sample::select(vec!["a", "b", "abc", "åäö", ""]),
            )
                .prop_map(|(q, w)| op(q, vec![var("sa"), op("==", vec![var(""), json!(w)])])),
            prop_oneof![num(), string(), array_of_numbers()].prop_map(|v| op("!!", vec![v])),
            prop_oneof![num(), string(), array_of_numbers()].prop_map(|v| op("!", vec![v])),
        ];
        leaf.prop_recursive(2, 16, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(|a| op("and", a)),
                prop::collection::vec(inner.clone(), 1..4).prop_map(|a| op("or", a)),
                inner.clone().prop_map(|a| op("!", vec![a])),
                (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| op("if", vec![c, a, b])),
            ]
        })
        .boxed()
    }

    /// `missing` and `missing_some` over keys that are absent or hold non-empty values.
    fn missing() -> BoxedStrategy<Value> {
        let key = prop::sample::select(vec![
            "n0", "s0", "b0", "a0", "o.x", "o.y", "nope", "o.nope", "t1",
        ]);
        prop_oneof![
            prop::collection::vec(key.clone(), 0..4).prop_map(|k| json!({"missing": k})),
            (0i64..=3, prop::collection::vec(key, 1..4))
                .prop_map(|(n, k)| json!({"missing_some": [n, k]})),
        ]
        .boxed()
    }

    fn expression() -> BoxedStrategy<Value> {
        prop_oneof![
            num(),
            string(),
            boolean(),
            array_of_numbers(),
            missing(),
            // Mixed-type `and`/`or` return the deciding value; `if` chains.
            prop::collection::vec(prop_oneof![num(), string(), array_of_numbers()], 1..4)
                .prop_map(|a| op("and", a)),
            prop::collection::vec(prop_oneof![num(), string(), array_of_numbers()], 1..4)
                .prop_map(|a| op("or", a)),
            (boolean(), num(), boolean(), string(), array_of_numbers())
                .prop_map(|(c1, a, c2, b, e)| op("if", vec![c1, a, c2, b, e])),
            prop::collection::vec(num(), 0..3).prop_map(|a| json!(a)),
        ]
        .boxed()
    }

    /// Whether two results agree: numbers within rounding, the rest exactly.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
            }
            _ => a == b,
        }
    }

    /// datalogic-rs's result, or `None` if it reports an error.
    fn oracle(engine: &Engine, rule: &Value, data: &Value) -> Option<Value> {
        let compiled = engine.compile(rule.to_string().as_str()).ok()?;
        let arena = Bump::new();
        let data = data.to_string();
        let result = engine.evaluate(&compiled, data.as_str(), &arena).ok()?;
        serde_json::from_str(&result.to_string()).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn agrees_with_datalogic(rule in expression(), data in data()) {
            let engine = Engine::new();
            let expr = Expr::compile(&rule).unwrap();
            let ours = expr.eval(&data, &cx());
            prop_assert_eq!(expr.is_true(&data, &cx()), truthy(&ours));
            match oracle(&engine, &rule, &data) {
                Some(theirs) => prop_assert!(
                    same(&ours, &theirs),
                    "rule {rule}\ndata {data}\nours {ours}\ndatalogic {theirs}"
                ),
                None => prop_assert_eq!(ours, Value::Null, "datalogic errors on {}", rule),
            }
        }
    }
}

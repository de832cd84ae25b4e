//! Values during evaluation, and the JavaScript coercions json-logic-js gets from its language.
//!
//! Data is borrowed, not copied: arrays and objects read from the data (or written in the
//! expression) stay `&Value`; only what the evaluator builds is owned. Numbers are `f64` and
//! may be `NaN` or infinite in between (as in JavaScript); the JSON result writes those as
//! `null`, as `JSON.stringify` does.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::rc::Rc;

use serde_json::{Map, Number, Value};

/// Evaluation stopped because a built value outgrew a limit; the expression evaluates to null.
#[derive(Debug)]
pub(super) struct Fail;

/// The result of evaluating a node.
pub(super) type R<'a> = Result<V<'a>, Fail>;

/// Most items in one array built during evaluation (`merge`, `map`, …).
///
/// Work is otherwise bounded by the input, except where `reduce` feeds a result back into
/// itself: `{"merge": [acc, acc]}` doubles per item. These limits stop such growth long
/// before memory runs out, far above anything a form needs.
const MAX_ITEMS: usize = 1 << 20;
/// Most bytes in one string built during evaluation (`cat`).
const MAX_STRING: usize = 1 << 22;
/// How deeply arrays built during evaluation may nest (`reduce` wrapping its accumulator).
const MAX_NESTING: u32 = 128;
/// How deeply string conversion descends into arrays. Data parsed by serde_json is at most
/// 128 levels deep and built arrays at most [`MAX_NESTING`], so this only guards the stack.
const MAX_STRING_DEPTH: u32 = 320;

/// A value during evaluation.
#[derive(Debug, Clone)]
pub(super) enum V<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number; may be `NaN` or infinite.
    Num(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An array or object from the data or the expression.
    Json(&'a Value),
    /// An array built during evaluation.
    Arr(Rc<List<'a>>),
    /// The object `reduce` gives its expression: items `[current, accumulator]`.
    Scope(Rc<List<'a>>),
}

/// The items of a built array or scope, and how deeply built arrays nest in it.
#[derive(Debug)]
pub(super) struct List<'a> {
    depth: u32,
    items: Vec<V<'a>>,
}

impl<'a> V<'a> {
    /// The value for a JSON value: scalars become scalars, arrays and objects are borrowed.
    pub(super) fn from_json(v: &'a Value) -> V<'a> {
        match v {
            Value::Null => V::Null,
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => V::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => V::Str(Cow::Borrowed(s)),
            _ => V::Json(v),
        }
    }

    /// A new array, or `Fail` past the size and nesting limits.
    pub(super) fn list(items: Vec<V<'a>>) -> R<'a> {
        Ok(V::Arr(Rc::new(List::new(items)?)))
    }

    /// `reduce`'s `{"current": …, "accumulator": …}`.
    pub(super) fn scope(current: V<'a>, accumulator: V<'a>) -> R<'a> {
        Ok(V::Scope(Rc::new(List::new(vec![current, accumulator])?)))
    }

    /// An owned string.
    pub(super) fn string(s: String) -> V<'a> {
        V::Str(Cow::Owned(s))
    }

    fn depth(&self) -> u32 {
        match self {
            V::Arr(l) | V::Scope(l) => l.depth,
            _ => 0,
        }
    }

    /// The JSON result: non-finite numbers become `null`, whole numbers integers.
    pub(super) fn to_json(&self) -> Value {
        match self {
            V::Null => Value::Null,
            V::Bool(b) => Value::Bool(*b),
            V::Num(n) => number_json(*n),
            V::Str(s) => Value::String(s.to_string()),
            V::Json(v) => (*v).clone(),
            V::Arr(l) => Value::Array(l.items.iter().map(V::to_json).collect()),
            V::Scope(l) => {
                let mut map = Map::new();
                for (key, v) in ["current", "accumulator"].into_iter().zip(&l.items) {
                    map.insert(key.into(), v.to_json());
                }
                Value::Object(map)
            }
        }
    }

    /// JsonLogic truthiness: JavaScript's, except that `[]` is false.
    pub(super) fn truthy(&self) -> bool {
        match self {
            V::Null => false,
            V::Bool(b) => *b,
            V::Num(n) => *n != 0.0 && !n.is_nan(),
            V::Str(s) => !s.is_empty(),
            V::Json(Value::Array(a)) => !a.is_empty(),
            V::Arr(l) => !l.items.is_empty(),
            V::Json(_) | V::Scope(_) => true,
        }
    }

    /// Whether this is a JavaScript object (arrays included), compared by identity.
    fn is_object(&self) -> bool {
        matches!(self, V::Json(_) | V::Arr(_) | V::Scope(_))
    }

    /// The items, if this is an array.
    pub(super) fn items(&self) -> Option<Vec<V<'a>>> {
        match self {
            V::Json(Value::Array(a)) => Some(a.iter().map(V::from_json).collect()),
            V::Arr(l) => Some(l.items.clone()),
            _ => None,
        }
    }

    /// How many items, if this is an array.
    pub(super) fn len_items(&self) -> Option<usize> {
        match self {
            V::Json(Value::Array(a)) => Some(a.len()),
            V::Arr(l) => Some(l.items.len()),
            _ => None,
        }
    }

    /// The item at a path segment (`data[key]` in json-logic-js's `var`), or `None` for
    /// `undefined`. Only object members and array items are visible; see the module doc.
    pub(super) fn get(&self, key: &str) -> Option<V<'a>> {
        match self {
            V::Json(v) => {
                let v: &'a Value = v;
                match v {
                    Value::Object(m) => m.get(key).map(V::from_json),
                    Value::Array(a) => a.get(array_index(key)?).map(V::from_json),
                    _ => None,
                }
            }
            V::Arr(l) => l.items.get(array_index(key)?).cloned(),
            V::Scope(l) => match key {
                "current" => l.items.first().cloned(),
                "accumulator" => l.items.get(1).cloned(),
                _ => None,
            },
            _ => None,
        }
    }

    /// JavaScript `String(v)`: arrays join their items with `,` (null items as empty).
    pub(super) fn to_js_string(&self) -> Cow<'_, str> {
        match self {
            V::Str(s) => Cow::Borrowed(s),
            _ => {
                let mut out = String::new();
                self.write_js(&mut out, 0);
                Cow::Owned(out)
            }
        }
    }

    /// Appends JavaScript `String(v)` to `out`.
    pub(super) fn write_js(&self, out: &mut String, depth: u32) {
        if depth > MAX_STRING_DEPTH {
            return;
        }
        match self {
            V::Null => out.push_str("null"),
            V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            V::Num(n) => push_number(out, *n),
            V::Str(s) => out.push_str(s),
            V::Json(Value::Array(a)) => {
                for (i, item) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if !item.is_null() {
                        V::from_json(item).write_js(out, depth + 1);
                    }
                }
            }
            V::Arr(l) => {
                for (i, item) in l.items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if !matches!(item, V::Null) {
                        item.write_js(out, depth + 1);
                    }
                }
            }
            V::Json(_) | V::Scope(_) => out.push_str("[object Object]"),
        }
    }

    /// JavaScript `Number(v)`.
    pub(super) fn to_number(&self) -> f64 {
        match self {
            V::Null => 0.0,
            V::Bool(b) => f64::from(u8::from(*b)),
            V::Num(n) => *n,
            V::Str(s) => str_to_number(s),
            V::Json(Value::Array(_)) | V::Arr(_) => str_to_number(&self.to_js_string()),
            V::Json(_) | V::Scope(_) => f64::NAN,
        }
    }

    /// JavaScript `parseFloat(v)`, which json-logic-js's `+` and `*` use.
    pub(super) fn parse_float(&self) -> f64 {
        match self {
            // parseFloat(String(-0)) is 0; adding 0.0 turns -0 into 0.
            V::Num(n) => *n + 0.0,
            V::Str(s) => parse_float(s),
            V::Json(Value::Array(_)) | V::Arr(_) => parse_float(&self.to_js_string()),
            // "null", "true", "false", "[object Object]": no number at the start.
            _ => f64::NAN,
        }
    }

    /// JavaScript ToPrimitive: objects and arrays become their string; the rest stay.
    fn to_primitive(&self) -> V<'_> {
        match self {
            V::Null => V::Null,
            V::Bool(b) => V::Bool(*b),
            V::Num(n) => V::Num(*n),
            _ => V::Str(self.to_js_string()),
        }
    }
}

impl<'a> List<'a> {
    fn new(items: Vec<V<'a>>) -> Result<List<'a>, Fail> {
        let depth = 1 + items.iter().map(V::depth).max().unwrap_or(0);
        if items.len() > MAX_ITEMS || depth > MAX_NESTING {
            return Err(Fail);
        }
        Ok(List { depth, items })
    }
}

/// A string built during evaluation, or `Fail` past the size limit.
pub(super) fn checked_string<'a>(s: String) -> R<'a> {
    if s.len() > MAX_STRING {
        Err(Fail)
    } else {
        Ok(V::string(s))
    }
}

/// Whether a built array may hold `n` items.
pub(super) fn check_items(n: usize) -> Result<(), Fail> {
    if n > MAX_ITEMS { Err(Fail) } else { Ok(()) }
}

/// `key` as an array index: digits without a leading zero, as JavaScript property keys.
fn array_index(key: &str) -> Option<usize> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    key.bytes().try_fold(0usize, |n, b| {
        let digit = b.is_ascii_digit().then(|| usize::from(b - b'0'))?;
        n.checked_mul(10)?.checked_add(digit)
    })
}

/// JavaScript `x % y` (C's `fmod`): the exact remainder, with the sign of `x`.
///
/// musl's bit-by-bit long division, which is much smaller in WebAssembly than the 128-bit
/// version compiler-builtins links for Rust's `%` on `f64`.
pub(super) fn remainder(x: f64, y: f64) -> f64 {
    let (bx, by) = (x.to_bits(), y.to_bits());
    let (mut ex, mut ey) = ((bx >> 52 & 0x7ff) as i32, (by >> 52 & 0x7ff) as i32);
    let sign = bx & 1 << 63;
    if by << 1 == 0 || y.is_nan() || ex == 0x7ff {
        return f64::NAN;
    }
    if bx << 1 <= by << 1 {
        return if bx << 1 == by << 1 { 0.0 * x } else { x };
    }
    // The significands, normalized so that bit 52 is the leading one.
    let mantissa = |bits: u64, e: &mut i32| {
        if *e == 0 {
            let mut i = bits << 12;
            while i >> 63 == 0 {
                *e -= 1;
                i <<= 1;
            }
            bits << (1 - *e)
        } else {
            bits & (u64::MAX >> 12) | 1 << 52
        }
    };
    let mut mx = mantissa(bx, &mut ex);
    let my = mantissa(by, &mut ey);
    loop {
        let i = mx.wrapping_sub(my);
        if i >> 63 == 0 {
            if i == 0 {
                return 0.0 * x;
            }
            mx = i;
        }
        if ex == ey {
            break;
        }
        mx <<= 1;
        ex -= 1;
    }
    while mx >> 52 == 0 {
        mx <<= 1;
        ex -= 1;
    }
    let bits = if ex > 0 {
        (mx - (1 << 52)) | ((ex as u64) << 52)
    } else {
        mx >> (1 - ex)
    };
    f64::from_bits(bits | sign)
}

/// The text before the first `byte` (an ASCII character) and, if there is one, after it.
/// (Plain byte search: `str::split_once` would bring the general pattern searcher.)
pub(super) fn split_at_byte(s: &str, byte: u8) -> (&str, Option<&str>) {
    match s.bytes().position(|b| b == byte) {
        Some(i) => (s.get(..i).unwrap_or(s), s.get(i + 1..)),
        None => (s, None),
    }
}

/// The number of characters (Unicode scalar values) in `s`.
pub(super) fn char_count(s: &str) -> usize {
    s.chars().fold(0, |n, _| n + 1)
}

/// Appends the decimal digits of `n` (without the formatting machinery).
pub(super) fn push_uint(out: &mut String, n: u64) {
    if n >= 10 {
        push_uint(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// JavaScript strict equality (`===`): same type and value; objects and arrays by identity.
pub(super) fn strict_eq(a: &V<'_>, b: &V<'_>) -> bool {
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Num(x), V::Num(y)) => x == y,
        (V::Str(x), V::Str(y)) => x == y,
        (V::Json(x), V::Json(y)) => std::ptr::eq(*x, *y),
        (V::Arr(x), V::Arr(y)) | (V::Scope(x), V::Scope(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// JavaScript loose equality (`==`), the Abstract Equality Comparison of ECMA-262.
pub(super) fn loose_eq(a: &V<'_>, b: &V<'_>) -> bool {
    match (a, b) {
        (V::Null, V::Null) => true,
        // null == undefined only; undefined never reaches here.
        (V::Null, _) | (_, V::Null) => false,
        (V::Num(n), V::Str(s)) | (V::Str(s), V::Num(n)) => *n == str_to_number(s),
        (V::Bool(x), _) => loose_eq(&V::Num(f64::from(u8::from(*x))), b),
        (_, V::Bool(y)) => loose_eq(a, &V::Num(f64::from(u8::from(*y)))),
        _ if a.is_object() && b.is_object() => strict_eq(a, b),
        _ if a.is_object() => loose_eq(&a.to_primitive(), b),
        _ if b.is_object() => loose_eq(a, &b.to_primitive()),
        _ => strict_eq(a, b),
    }
}

/// JavaScript's Abstract Relational Comparison: strings by UTF-16 code units when both
/// sides are strings (after arrays become strings), otherwise as numbers; `None` for `NaN`.
pub(super) fn compare(a: &V<'_>, b: &V<'_>) -> Option<Ordering> {
    let (a, b) = (a.to_primitive(), b.to_primitive());
    if let (V::Str(x), V::Str(y)) = (&a, &b) {
        return Some(x.encode_utf16().cmp(y.encode_utf16()));
    }
    a.to_number().partial_cmp(&b.to_number())
}

/// A number as a JSON value: whole numbers as integers, `NaN` and infinities as `null`.
pub(super) fn number_json(n: f64) -> Value {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if n.fract() == 0.0 && (-LIMIT..LIMIT).contains(&n) {
        // Exact: whole and within i64 (and -0 becomes 0, as JSON.stringify writes it).
        Value::from(n as i64)
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Appends JavaScript `String(n)` (Number::toString, ECMA-262 §6.1.6.1.20) to `out`.
pub(super) fn push_number(out: &mut String, n: f64) {
    if n.is_nan() {
        return out.push_str("NaN");
    }
    if n < 0.0 {
        out.push('-');
    }
    let n = n.abs();
    if n.is_infinite() {
        return out.push_str("Infinity");
    }
    if n == 0.0 {
        return out.push('0');
    }
    let (digits, point) = crate::num::shortest_digits(n);
    let digits = digits.as_str();
    let k = digits.len() as i64;
    let zeros = |out: &mut String, count: i64| {
        for _ in 0..count {
            out.push('0');
        }
    };
    if k <= point && point <= 21 {
        out.push_str(digits);
        zeros(out, point - k);
    } else if 0 < point && point <= 21 {
        let (a, b) = digits
            .split_at_checked(point as usize)
            .unwrap_or((digits, ""));
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        zeros(out, -point);
        out.push_str(digits);
    } else {
        let mut rest = digits.chars();
        out.extend(rest.next());
        if !rest.as_str().is_empty() {
            out.push('.');
            out.push_str(rest.as_str());
        }
        let e = point - 1;
        out.push_str(if e < 0 { "e-" } else { "e+" });
        push_uint(out, e.unsigned_abs());
    }
}

/// JavaScript's WhiteSpace and LineTerminator characters, which number parsing trims.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// The length of the longest prefix of `b` that is a decimal literal
/// (`[+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?`), 0 if none.
fn decimal_prefix(b: &[u8]) -> usize {
    let digits = |from: usize| {
        b.get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int = digits(i);
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        frac = digits(i + 1);
        if int + frac > 0 {
            i += 1 + frac;
        }
    }
    if int + frac == 0 {
        return 0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let e = digits(j);
        if e > 0 {
            i = j + e;
        }
    }
    i
}

/// Splits off a sign: (−1 or 1, the rest).
fn sign(s: &str) -> (f64, &str) {
    match s.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, s.strip_prefix('+').unwrap_or(s)),
    }
}

/// The value of a literal [`decimal_prefix`] accepted.
fn decimal_value(literal: &str) -> f64 {
    crate::num::decimal(literal)
}

/// JavaScript `Number(s)`: trimmed; empty is 0; decimal, `Infinity`, `0x`/`0o`/`0b`; else `NaN`.
pub(super) fn str_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    let radix = match t.as_bytes() {
        [b'0', b'x' | b'X', ..] => 16,
        [b'0', b'o' | b'O', ..] => 8,
        [b'0', b'b' | b'B', ..] => 2,
        _ => 0,
    };
    if radix != 0 {
        let digits = t.get(2..).unwrap_or_default();
        if digits.is_empty() {
            return f64::NAN;
        }
        return digits
            .chars()
            .try_fold(0.0, |acc: f64, c| {
                c.to_digit(radix)
                    .map(|d| acc * f64::from(radix) + f64::from(d))
            })
            .unwrap_or(f64::NAN);
    }
    let (sign, unsigned) = sign(t);
    if unsigned == "Infinity" {
        return sign * f64::INFINITY;
    }
    if decimal_prefix(t.as_bytes()) == t.len() {
        decimal_value(t)
    } else {
        f64::NAN
    }
}

/// JavaScript `parseFloat(s)`: the longest decimal prefix after leading space, else `NaN`.
pub(super) fn parse_float(s: &str) -> f64 {
    let t = s.trim_start_matches(is_js_space);
    let (sign, unsigned) = sign(t);
    if unsigned.starts_with("Infinity") {
        return sign * f64::INFINITY;
    }
    match t.get(..decimal_prefix(t.as_bytes())) {
        None | Some("") => f64::NAN,
        Some(literal) => decimal_value(literal),
    }
}

//! Evaluating a compiled [`Node`] against data.
//!
//! Recursion follows the compiled tree, whose depth the compiler limits to
//! [`super::MAX_DEPTH`], so evaluation cannot exhaust the stack. Iterating operators loop.

use std::cmp::Ordering;

use super::EvalContext;
use super::compile::{Key, Node, Op};
use super::dates;
use super::value::{
    R, V, char_count, check_items, checked_string, compare, loose_eq, remainder, strict_eq,
};

impl Node {
    /// The value of this node for `data` (the whole data, or the current item).
    pub(super) fn eval<'a>(&'a self, data: &V<'a>, cx: &EvalContext) -> R<'a> {
        match self {
            Node::Lit(v) => Ok(V::from_json(v)),
            Node::List(nodes) => V::list(
                nodes
                    .iter()
                    .map(|n| n.eval(data, cx))
                    .collect::<Result<_, _>>()?,
            ),
            Node::Var(path, default) => {
                Ok(lookup(data, path).unwrap_or_else(|| V::from_json(default)))
            }
            Node::Missing(keys) => V::list(missing(data, keys)),
            Node::MissingSome(need, keys) => {
                let need = need.eval(data, cx)?;
                let absent = missing(data, keys);
                let present = V::Num((keys.len() - absent.len()) as f64);
                // `options.length - are_missing.length >= need_count`
                if matches!(
                    compare(&present, &need),
                    Some(Ordering::Greater | Ordering::Equal)
                ) {
                    V::list(Vec::new())
                } else {
                    V::list(absent)
                }
            }
            Node::Op(op, args) => operation(*op, args, data, cx),
        }
    }
}

/// json-logic-js's `var` lookup: `None` where JavaScript finds `undefined`.
fn lookup<'a>(data: &V<'a>, path: &[Box<str>]) -> Option<V<'a>> {
    let mut current = data.clone();
    for key in path {
        current = current.get(key)?;
    }
    Some(current)
}

/// The keys whose value is null, missing or `""`, as written.
fn missing<'a>(data: &V<'a>, keys: &'a [Key]) -> Vec<V<'a>> {
    keys.iter()
        .filter(|key| match lookup(data, &key.path) {
            None | Some(V::Null) => true,
            Some(V::Str(s)) => s.is_empty(),
            Some(_) => false,
        })
        .map(|key| V::from_json(&key.written))
        .collect()
}

/// An operator with its unevaluated arguments.
fn operation<'a>(op: Op, args: &'a [Node], data: &V<'a>, cx: &EvalContext) -> R<'a> {
    let arg = |i: usize| args.get(i).map_or(Ok(V::Null), |n| n.eval(data, cx));
    // The operators that decide which arguments to evaluate, and on what.
    let result = match op {
        Op::If => {
            let mut i = 0;
            while i + 1 < args.len() {
                if arg(i)?.truthy() {
                    return arg(i + 1);
                }
                i += 2;
            }
            return arg(i);
        }
        Op::And | Op::Or => {
            let mut last = V::Null;
            for n in args {
                last = n.eval(data, cx)?;
                if last.truthy() == (op == Op::Or) {
                    break;
                }
            }
            last
        }
        Op::Reduce => {
            let list = arg(0)?;
            let initial = arg(2)?;
            let (Some(items), Some(f)) = (list.items(), args.get(1)) else {
                return Ok(initial);
            };
            let mut acc = initial;
            for item in items {
                acc = f.eval(&V::scope(item, acc)?, cx)?;
            }
            acc
        }
        Op::Map | Op::Filter | Op::All | Op::Some | Op::None => {
            let items = arg(0)?.items().unwrap_or_default();
            let Some(f) = args.get(1) else {
                return Ok(V::Null);
            };
            let mut kept = Vec::new();
            // all: stop at the first falsy; some, none: at the first truthy.
            let mut found = false;
            for item in &items {
                let v = f.eval(item, cx)?;
                match op {
                    Op::Map => kept.push(v),
                    Op::Filter if v.truthy() => kept.push(item.clone()),
                    Op::Filter => {}
                    _ if v.truthy() == (op != Op::All) => {
                        found = true;
                        break;
                    }
                    _ => {}
                }
            }
            match op {
                Op::Map | Op::Filter => V::list(kept)?,
                Op::All => V::Bool(!items.is_empty() && !found),
                Op::Some => V::Bool(found),
                _ => V::Bool(!found),
            }
        }
        // The rest take their arguments evaluated, in order.
        _ => {
            let values = args
                .iter()
                .map(|n| n.eval(data, cx))
                .collect::<Result<Vec<_>, _>>()?;
            apply(op, &values, cx)?
        }
    };
    Ok(result)
}

/// An operator that takes its arguments evaluated.
fn apply<'a>(op: Op, args: &[V<'a>], cx: &EvalContext) -> R<'a> {
    let null = V::Null;
    let at = |i: usize| args.get(i).unwrap_or(&null);
    let num = |i: usize| at(i).to_number();
    // `<` and `<=` with a third argument test `a < b < c`.
    let chain = |want: fn(Ordering) -> bool| {
        args.windows(2)
            .take(2)
            .all(|w| matches!(w, [a, b] if compare(a, b).is_some_and(want)))
    };
    Ok(match op {
        Op::Eq => V::Bool(loose_eq(at(0), at(1))),
        Op::Ne => V::Bool(!loose_eq(at(0), at(1))),
        Op::StrictEq => V::Bool(strict_eq(at(0), at(1))),
        Op::StrictNe => V::Bool(!strict_eq(at(0), at(1))),
        Op::Not => V::Bool(!at(0).truthy()),
        Op::NotNot => V::Bool(at(0).truthy()),
        Op::Lt => V::Bool(chain(|o| o == Ordering::Less)),
        Op::Le => V::Bool(chain(|o| o != Ordering::Greater)),
        Op::Gt => V::Bool(compare(at(0), at(1)) == Some(Ordering::Greater)),
        Op::Ge => V::Bool(compare(at(0), at(1)).is_some_and(|o| o != Ordering::Less)),
        Op::Max | Op::Min => {
            // Math.max / Math.min: NaN if any argument is not a number.
            let max = op == Op::Max;
            let mut best = if max {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            for v in args {
                let x = v.to_number();
                if x.is_nan() || best.is_nan() {
                    best = f64::NAN;
                } else if (max && x > best) || (!max && x < best) {
                    best = x;
                }
            }
            V::Num(best)
        }
        Op::Add => V::Num(args.iter().map(V::parse_float).fold(0.0, |a, b| a + b)),
        // Array.prototype.reduce without a start returns a lone item unchanged.
        Op::Mul if args.len() == 1 => at(0).clone(),
        Op::Mul => V::Num(args.iter().map(V::parse_float).fold(1.0, |a, b| a * b)),
        Op::Sub if args.len() == 1 => V::Num(-num(0)),
        Op::Sub => V::Num(num(0) - num(1)),
        Op::Div => V::Num(num(0) / num(1)),
        Op::Mod => V::Num(remainder(num(0), num(1))),
        Op::Cat => {
            let mut s = String::new();
            for v in args {
                // Array.prototype.join writes null as nothing.
                if !matches!(v, V::Null) {
                    v.write_js(&mut s, 0);
                }
            }
            checked_string(s)?
        }
        Op::Substr => {
            let source = at(0).to_js_string();
            let start = num(1);
            match args.get(2) {
                None => V::string(substr(&source, start, None)),
                Some(end) if compare(end, &V::Num(0.0)) == Some(Ordering::Less) => {
                    // `temp.substr(0, temp.length + end)`. A string `end` ("-1") is joined to
                    // the length as text ("3-1"), which is NaN, which counts as 0: nothing.
                    let temp = substr(&source, start, None);
                    let keep = match end {
                        V::Num(e) => char_count(&temp) as f64 + e,
                        _ => 0.0,
                    };
                    V::string(substr(&temp, 0.0, Some(keep)))
                }
                Some(end) => V::string(substr(&source, start, Some(end.to_number()))),
            }
        }
        Op::In => V::Bool(match at(1) {
            // `!b` is true for "", so "" never contains anything.
            V::Str(s) => !s.is_empty() && contains(s, &at(0).to_js_string()),
            haystack => haystack
                .items()
                .is_some_and(|items| items.iter().any(|item| strict_eq(item, at(0)))),
        }),
        Op::Merge => {
            let mut out = Vec::new();
            for v in args {
                match v.items() {
                    Some(items) => out.extend(items),
                    None => out.push(v.clone()),
                }
                check_items(out.len())?;
            }
            V::list(out)?
        }
        Op::Today => V::string(cx.today.to_string()),
        Op::Length => V::Num(match at(0) {
            V::Str(s) => char_count(s),
            other => other.len_items().unwrap_or(0),
        } as f64),
        Op::Age => dates::age(at(0), cx.today).map_or(V::Null, V::Num),
        Op::DaysBetween => dates::days_between(at(0), at(1)).map_or(V::Null, V::Num),
        Op::DateAdd => {
            dates::add(at(0), at(1), at(2)).map_or(V::Null, |d| V::string(d.to_string()))
        }
        // Evaluated lazily above, or compiled to nodes of their own.
        _ => V::Null,
    })
}

/// Whether `needle` occurs in `haystack` (a plain search: form texts are short, and
/// `str::contains` would bring its two-way searcher).
fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

/// JavaScript `String.prototype.substr(start, length)`, counting characters (not UTF-16
/// units; see the module doc).
fn substr(s: &str, start: f64, length: Option<f64>) -> String {
    // ToIntegerOrInfinity: NaN is 0, otherwise truncate.
    let int = |x: f64| if x.is_nan() { 0.0 } else { x.trunc() };
    let size = char_count(s) as f64;
    let start = int(start);
    let start = if start < 0.0 {
        (size + start).max(0.0)
    } else {
        start.min(size)
    };
    let length = length.map_or(size, int).clamp(0.0, size);
    let end = (start + length).min(size);
    if end <= start {
        return String::new();
    }
    s.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

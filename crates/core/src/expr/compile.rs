//! Checking an expression and compiling it into a tree of [`Node`]s.

use serde_json::{Map, Value};

use super::value::{char_count, push_number, push_uint, split_at_byte};
use super::{ExprError, ExprErrorKind, MAX_DEPTH};

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    /// A value without operators (also whole arrays of them).
    Lit(Value),
    /// An array with operators inside, evaluated item by item.
    List(Vec<Node>),
    /// `var`: the path split at dots (empty for the whole data) and the default.
    Var(Vec<Box<str>>, Value),
    /// `missing`: the keys.
    Missing(Vec<Key>),
    /// `missing_some`: how many must be present, and the keys.
    MissingSome(Box<Node>, Vec<Key>),
    /// Any other operator with its arguments.
    Op(Op, Vec<Node>),
}

/// A key of `missing`: as written (returned when missing) and as a path.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Key {
    /// The key as written, a string or number.
    pub(super) written: Value,
    /// The path it reads, split at dots.
    pub(super) path: Vec<Box<str>>,
}

/// The operators that compile to [`Node::Op`] (and the three with nodes of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Var,
    Missing,
    MissingSome,
    If,
    Eq,
    StrictEq,
    Ne,
    StrictNe,
    Not,
    NotNot,
    Or,
    And,
    Lt,
    Le,
    Gt,
    Ge,
    Max,
    Min,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Cat,
    Substr,
    In,
    Merge,
    Map,
    Filter,
    Reduce,
    All,
    Some,
    None,
    Today,
    Length,
    Age,
    DaysBetween,
    DateAdd,
}

/// No upper limit on the number of arguments.
const ANY: usize = usize::MAX;

/// Every operator: name, operator, fewest and most arguments, and that range in words.
const OPERATORS: &[(&str, Op, usize, usize, &str)] = &[
    ("var", Op::Var, 0, 2, "0 to 2"),
    ("missing", Op::Missing, 0, ANY, ""),
    ("missing_some", Op::MissingSome, 2, 2, "2"),
    ("if", Op::If, 0, ANY, ""),
    ("?:", Op::If, 0, ANY, ""),
    ("==", Op::Eq, 2, 2, "2"),
    ("===", Op::StrictEq, 2, 2, "2"),
    ("!=", Op::Ne, 2, 2, "2"),
    ("!==", Op::StrictNe, 2, 2, "2"),
    ("!", Op::Not, 1, 1, "1"),
    ("!!", Op::NotNot, 1, 1, "1"),
    ("or", Op::Or, 1, ANY, "at least 1"),
    ("and", Op::And, 1, ANY, "at least 1"),
    ("<", Op::Lt, 2, 3, "2 or 3"),
    ("<=", Op::Le, 2, 3, "2 or 3"),
    (">", Op::Gt, 2, 2, "2"),
    (">=", Op::Ge, 2, 2, "2"),
    ("max", Op::Max, 1, ANY, "at least 1"),
    ("min", Op::Min, 1, ANY, "at least 1"),
    ("+", Op::Add, 0, ANY, ""),
    ("-", Op::Sub, 1, 2, "1 or 2"),
    ("*", Op::Mul, 1, ANY, "at least 1"),
    ("/", Op::Div, 2, 2, "2"),
    ("%", Op::Mod, 2, 2, "2"),
    ("cat", Op::Cat, 0, ANY, ""),
    ("substr", Op::Substr, 2, 3, "2 or 3"),
    ("in", Op::In, 2, 2, "2"),
    ("merge", Op::Merge, 0, ANY, ""),
    ("map", Op::Map, 2, 2, "2"),
    ("filter", Op::Filter, 2, 2, "2"),
    ("reduce", Op::Reduce, 2, 3, "2 or 3"),
    ("all", Op::All, 2, 2, "2"),
    ("some", Op::Some, 2, 2, "2"),
    ("none", Op::None, 2, 2, "2"),
    ("today", Op::Today, 0, 0, "0"),
    ("length", Op::Length, 1, 1, "1"),
    ("age", Op::Age, 1, 1, "1"),
    ("days_between", Op::DaysBetween, 2, 2, "2"),
    ("date_add", Op::DateAdd, 3, 3, "3"),
];

/// Names from other languages that mean one of ours, suggested before spelling neighbours.
const ALIASES: &[(&str, &str)] = &[
    ("=", "=="),
    ("&&", "and"),
    ("||", "or"),
    ("not", "!"),
    ("concat", "cat"),
    ("len", "length"),
    ("count", "length"),
    ("now", "today"),
    ("contains", "in"),
    ("substring", "substr"),
    ("<>", "!="),
];

/// The units `date_add` knows.
pub(super) const DATE_UNITS: [&str; 3] = ["days", "months", "years"];

/// Walks the source, collecting nodes, problems and `var` paths.
#[derive(Default)]
pub(super) struct Compiler {
    /// Problems found so far.
    pub(super) errors: Vec<ExprError>,
    /// `var` and `missing` paths outside iteration, in order, without repeats.
    pub(super) vars: Vec<Box<str>>,
    /// The path of the value being compiled.
    path: String,
    /// How many `map`/`filter`/… inner expressions we are in (their data is the item).
    scoped: u32,
}

impl Compiler {
    fn error(&mut self, kind: ExprErrorKind) {
        self.errors.push(ExprError {
            path: self.path.clone(),
            kind,
        });
    }

    /// Runs `f` with `.key` added to the path.
    fn at_key<T>(&mut self, key: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.path.len();
        if len > 0 {
            self.path.push('.');
        }
        self.path.push_str(key);
        let out = f(self);
        self.path.truncate(len);
        out
    }

    /// Runs `f` with `[index]` added to the path.
    fn at_index<T>(&mut self, index: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.path.len();
        self.path.push('[');
        push_uint(&mut self.path, index as u64);
        self.path.push(']');
        let out = f(self);
        self.path.truncate(len);
        out
    }

    /// Runs `f` at argument `index`; a lone argument written without an array is at the operator.
    fn at_arg<T>(&mut self, sugar: bool, index: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        if sugar {
            f(self)
        } else {
            self.at_index(index, f)
        }
    }

    /// Compiles `v`, found `depth` levels deep (the root is level 1).
    pub(super) fn node(&mut self, v: &Value, depth: usize) -> Node {
        // Operators and arrays are levels; the scalars inside the deepest level are not.
        if depth > MAX_DEPTH && (v.is_array() || v.is_object()) {
            self.error(ExprErrorKind::TooDeep);
            return Node::Lit(Value::Null);
        }
        match v {
            Value::Array(items) => {
                let before = self.errors.len();
                let nodes: Vec<Node> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.at_index(i, |c| c.node(item, depth + 1)))
                    .collect();
                if self.errors.len() == before && nodes.iter().all(|n| matches!(n, Node::Lit(_))) {
                    Node::Lit(v.clone())
                } else {
                    Node::List(nodes)
                }
            }
            Value::Object(map) => self.operator(map, depth),
            _ => Node::Lit(v.clone()),
        }
    }

    fn operator(&mut self, map: &Map<String, Value>, depth: usize) -> Node {
        let mut entries = map.iter();
        let (Some((name, raw)), None) = (entries.next(), entries.next()) else {
            self.error(ExprErrorKind::NotAnExpression { keys: map.len() });
            return Node::Lit(Value::Null);
        };
        self.at_key(name, |c| {
            let Some(&(operator, op, min, max, expected)) = OPERATORS.iter().find(|o| o.0 == name)
            else {
                let suggestion = suggest(name);
                c.error(ExprErrorKind::UnknownOperator {
                    name: name.clone(),
                    suggestion,
                });
                return Node::Lit(Value::Null);
            };
            let (args, sugar) = match raw {
                Value::Array(items) => (items.as_slice(), false),
                other => (std::slice::from_ref(other), true),
            };
            if args.len() < min || args.len() > max {
                c.error(ExprErrorKind::Arity {
                    operator,
                    expected,
                    found: args.len(),
                });
            }
            c.operands(op, args, sugar, depth)
        })
    }

    fn operands(&mut self, op: Op, args: &[Value], sugar: bool, depth: usize) -> Node {
        match op {
            Op::Var => self.var(args, sugar, depth),
            Op::Missing => match args {
                [Value::Array(keys)] if !sugar => {
                    self.at_index(0, |c| Node::Missing(c.keys(keys, false, "missing")))
                }
                _ => Node::Missing(self.keys(args, sugar, "missing")),
            },
            Op::MissingSome => {
                let need = match args.first() {
                    Some(v) => self.at_arg(sugar, 0, |c| c.node(v, depth + 1)),
                    None => Node::Lit(Value::Null),
                };
                let keys = match args.get(1) {
                    Some(Value::Array(keys)) => {
                        self.at_index(1, |c| c.keys(keys, false, "missing_some"))
                    }
                    Some(_) => {
                        self.at_index(1, |c| {
                            c.error(ExprErrorKind::KeysNotLiteral {
                                operator: "missing_some",
                            })
                        });
                        Vec::new()
                    }
                    None => Vec::new(),
                };
                Node::MissingSome(Box::new(need), keys)
            }
            _ => {
                let iterates = matches!(
                    op,
                    Op::Map | Op::Filter | Op::Reduce | Op::All | Op::Some | Op::None
                );
                let nodes: Vec<Node> = args
                    .iter()
                    .enumerate()
                    .map(|(i, arg)| {
                        // The second argument of an iterating operator runs on each item.
                        let inner = iterates && i == 1;
                        self.scoped += u32::from(inner);
                        let node = self.at_arg(sugar, i, |c| c.node(arg, depth + 1));
                        self.scoped -= u32::from(inner);
                        node
                    })
                    .collect();
                if op == Op::DateAdd
                    && let Some(Node::Lit(unit)) = nodes.get(2)
                    && !unit.as_str().is_some_and(|u| DATE_UNITS.contains(&u))
                {
                    let found = unit.as_str().map_or_else(
                        || serde_json::to_string(unit).unwrap_or_default(),
                        str::to_owned,
                    );
                    self.at_index(2, |c| c.error(ExprErrorKind::UnknownDateUnit { found }));
                }
                Node::Op(op, nodes)
            }
        }
    }

    /// `var`: a literal path (string, number, or null/absent for the whole data) and an
    /// optional literal default.
    fn var(&mut self, args: &[Value], sugar: bool, depth: usize) -> Node {
        let path = match args.first() {
            None | Some(Value::Null) => Some(String::new()),
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(number_key(n)),
            Some(_) => {
                self.at_arg(sugar, 0, |c| c.error(ExprErrorKind::VarNotLiteral));
                None
            }
        };
        let default = match args.get(1) {
            None => Value::Null,
            Some(v) => {
                let before = self.errors.len();
                match self.at_index(1, |c| c.node(v, depth + 1)) {
                    Node::Lit(v) => v,
                    _ => {
                        if self.errors.len() == before {
                            self.at_index(1, |c| c.error(ExprErrorKind::VarNotLiteral));
                        }
                        Value::Null
                    }
                }
            }
        };
        match path {
            Some(path) => {
                let split = split_path(&path);
                self.record(path);
                Node::Var(split, default)
            }
            None => Node::Lit(Value::Null),
        }
    }

    /// The keys of `missing` or `missing_some`: literal strings or numbers.
    fn keys(&mut self, keys: &[Value], sugar: bool, operator: &'static str) -> Vec<Key> {
        let mut out = Vec::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            let path = match key {
                Value::String(s) => s.clone(),
                Value::Number(n) => number_key(n),
                _ => {
                    self.at_arg(sugar, i, |c| {
                        c.error(ExprErrorKind::KeysNotLiteral { operator })
                    });
                    continue;
                }
            };
            out.push(Key {
                written: key.clone(),
                path: split_path(&path),
            });
            self.record(path);
        }
        out
    }

    /// Notes a path read from the expression's data (not from an iterated item).
    fn record(&mut self, path: String) {
        if self.scoped == 0 && !self.vars.iter().any(|p| **p == *path) {
            self.vars.push(path.into_boxed_str());
        }
    }
}

/// A numeric path as JavaScript's `String(n)` writes it (`1`, `1.5`).
fn number_key(n: &serde_json::Number) -> String {
    let mut s = String::new();
    push_number(&mut s, n.as_f64().unwrap_or(f64::NAN));
    s
}

/// A `var` path split at dots; the empty path (the whole data) has no segments.
fn split_path(path: &str) -> Vec<Box<str>> {
    if path.is_empty() {
        Vec::new()
    } else {
        let mut segments = Vec::new();
        let mut rest = path;
        loop {
            let (segment, tail) = split_at_byte(rest, b'.');
            segments.push(Box::from(segment));
            match tail {
                Some(tail) => rest = tail,
                None => return segments,
            }
        }
    }
}

/// A known operator that `name` was probably meant to be.
fn suggest(name: &str) -> Option<&'static str> {
    if let Some(&(_, to)) = ALIASES
        .iter()
        .find(|(from, _)| from.eq_ignore_ascii_case(name))
    {
        return Some(to);
    }
    OPERATORS
        .iter()
        .map(|o| (edit_distance(name, o.0), o.0))
        // Close enough to be a slip: at most 2 edits, and at most a third of the word.
        .filter(|&(d, op)| d <= 2 && 3 * d <= op.len().max(char_count(name)))
        .min_by_key(|&(d, _)| d)
        .map(|(_, op)| op)
}

/// Levenshtein distance: insertions, deletions and substitutions (`lenght` is two steps
/// from `length`), ignoring ASCII case.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // One row of the table, updated in place; `diag` and `left` are its neighbours.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().map(|c| c.to_ascii_lowercase()).enumerate() {
        let (mut diag, mut left) = (i, i + 1);
        for (cell, cb) in row.iter_mut().skip(1).zip(&b) {
            let up = *cell;
            left = (diag + usize::from(ca != *cb)).min(up + 1).min(left + 1);
            diag = up;
            *cell = left;
        }
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
    }
    row.last().copied().unwrap_or(0)
}

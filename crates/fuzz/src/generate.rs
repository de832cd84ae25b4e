//! The generators: proptest strategies that build hostile inputs from valid ones (mutated
//! definitions, submissions and signed requests) and from structured random JSON, text
//! and structured-field tokens.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};

/// Strings that make parsers and validators work: control and bidirectional characters,
/// escapes, numbers at the edges, markup, long runs.
pub const HOSTILE: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\u{1}",
    "\t",
    "\n",
    "\r\n",
    "\u{7f}",
    "\u{85}",
    "\u{202e}",
    "\u{2066}",
    "\u{feff}",
    "\u{fffd}",
    "e\u{301}",
    "\u{1f600}",
    "å",
    "\\",
    "\"",
    "'",
    "<script>",
    "&amp;",
    "javascript:alert(1)",
    "https://example.se/",
    "/forms/lists/x.json",
    "1e309",
    "-0",
    "99999999999999999999",
    "0.1",
    "-1",
    "2026-02-30",
    "2026-12-04",
    "19121212-1212",
    "121212-1212",
    "556016-0680",
    "123 45",
    "070-123 45 67",
    "a@b.se",
    "(a+)+$",
    "[",
    "]",
    "{",
    "}",
    "yes",
    "no",
    "true",
    "null",
    "sv",
    "en",
    "text",
    "number",
    "date",
    "choice",
    "checkboxes",
    "repeat",
    "info",
    "$ref",
    "x-extra",
];

/// One JSON leaf: the dictionary's words (keys and strings from the seeds) often, hostile
/// strings and numbers at the edges otherwise.
fn leaf(dict: Vec<String>) -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(2),
            Just(366),
            Just(1 << 53)
        ]
        .prop_map(|n| Value::Number(n.into())),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        select(dict).prop_map(Value::String),
        select(HOSTILE).prop_map(|s| Value::String(s.to_owned())),
        "\\PC{0,24}".prop_map(Value::String),
        (select(HOSTILE), 1usize..3000).prop_map(|(s, n)| Value::String(s.repeat(n))),
    ]
}

/// Structured random JSON, up to a few levels deep, with the seeds' words as keys.
pub fn json(dict: Vec<String>) -> BoxedStrategy<Value> {
    let keys = dict.clone();
    leaf(dict)
        .prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((select(keys.clone()), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// One change to a JSON document, at a node picked by number (preorder, modulo the count).
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Replace the node with new JSON.
    Replace(u64, Value),
    /// Remove one member or element of a container node.
    Remove(u64, u64),
    /// Add a member (or append an element) to a container node.
    Insert(u64, String, Value),
    /// Replace a node with a copy of another (moves structure around the document).
    Copy(u64, u64),
    /// Repeat an array's elements (many rows, many fields, many options).
    Grow(u64, u16),
}

/// A mutation with its new values from `json`.
pub fn mutation(dict: Vec<String>) -> impl Strategy<Value = Mutation> {
    let j = json(dict.clone());
    prop_oneof![
        3 => (any::<u64>(), j.clone()).prop_map(|(n, v)| Mutation::Replace(n, v)),
        2 => (any::<u64>(), any::<u64>()).prop_map(|(n, k)| Mutation::Remove(n, k)),
        2 => (any::<u64>(), select(dict), j).prop_map(|(n, k, v)| Mutation::Insert(n, k, v)),
        2 => (any::<u64>(), any::<u64>()).prop_map(|(a, b)| Mutation::Copy(a, b)),
        1 => (any::<u64>(), 1u16..600).prop_map(|(n, k)| Mutation::Grow(n, k)),
    ]
}

/// A change to the text after serialising: what a JSON value cannot hold (duplicate keys,
/// broken syntax, raw control bytes, invalid UTF-8).
#[derive(Debug, Clone)]
pub enum TextOp {
    /// Insert bytes at a position.
    Insert(u64, Vec<u8>),
    /// Delete a range.
    Delete(u64, u16),
    /// Copy a range to another place (duplicate keys, repeated members).
    Duplicate(u64, u16, u64),
    /// Flip one byte.
    Flip(u64, u8),
}

/// A text change, inserting hostile strings or the given tokens.
pub fn text_op(tokens: &'static [&'static str]) -> impl Strategy<Value = TextOp> {
    prop_oneof![
        3 => (any::<u64>(), prop_oneof![
            select(tokens).prop_map(|s| s.as_bytes().to_vec()),
            select(HOSTILE).prop_map(|s| s.as_bytes().to_vec()),
            prop::collection::vec(any::<u8>(), 1..8),
        ]).prop_map(|(p, b)| TextOp::Insert(p, b)),
        2 => (any::<u64>(), 1u16..64).prop_map(|(p, n)| TextOp::Delete(p, n)),
        2 => (any::<u64>(), 1u16..200, any::<u64>()).prop_map(|(p, n, q)| TextOp::Duplicate(p, n, q)),
        1 => (any::<u64>(), any::<u8>()).prop_map(|(p, b)| TextOp::Flip(p, b)),
    ]
}

/// Tokens for the text changes of JSON documents.
pub const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\u0000",
    "\\ud800",
    "\\u202e",
    "1e309",
    "-0",
    "null",
    "\"id\":\"x\",",
    "\"type\":\"text\",",
    "\"answers\":{},",
    "\"form_id\":\"x\",",
    "\u{0}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "\"a\":1,\"a\":2,",
];

/// Tokens for the text changes of header fields (RFC 8941 structured fields).
pub const SF_TOKENS: &[&str] = &[
    "blankett=",
    "sig2=",
    ";",
    "=",
    ",",
    " ",
    "\t",
    "(",
    ")",
    "\"",
    "\\",
    ":",
    "::",
    "*",
    "?1",
    "?0",
    "@method",
    "\"@method\"",
    "\"@target-uri\"",
    "\"content-digest\"",
    "\"@authority\"",
    "\"@query-param\";name=\"a\"",
    ";req",
    ";sf",
    ";key=\"x\"",
    ";bs",
    ";tr",
    ";created=1",
    ";created=999999999999999",
    ";created=-999999999999999",
    ";expires=0",
    ";alg=\"ed25519\"",
    ";alg=\"ecdsa-p256-sha256\"",
    ";keyid=\"x\"",
    ";nonce=\"x\"",
    "1.5",
    "-1.123",
    "9999999999999999",
    "%\"%ff\"",
    "@1700000000",
    "sha-256=:",
    "sha-512=:",
    "=:",
    "AAAA",
    "====",
    "blankett=(\"@method\");created=1800000000",
    "\u{0}",
    "\u{7f}",
    "\u{e5}",
];

/// The most nodes a mutated document grows to.
const MAX_NODES: usize = 20_000;

/// Applies the mutations to a document.
pub fn apply(doc: &mut Value, mutations: &[Mutation]) {
    for m in mutations {
        let count = count(doc) as u64;
        match m {
            Mutation::Replace(n, v) => {
                if let Some(node) = nth(doc, (n % count) as usize) {
                    *node = v.clone();
                }
            }
            Mutation::Remove(n, k) => match nth(doc, (n % count) as usize) {
                Some(Value::Array(a)) if !a.is_empty() => {
                    a.remove((k % a.len() as u64) as usize);
                }
                Some(Value::Object(o)) if !o.is_empty() => {
                    let key = o.keys().nth((k % o.len() as u64) as usize).cloned();
                    if let Some(key) = key {
                        o.remove(&key);
                    }
                }
                _ => {}
            },
            Mutation::Insert(n, key, v) => match nth(doc, (n % count) as usize) {
                Some(Value::Array(a)) => a.push(v.clone()),
                Some(Value::Object(o)) => {
                    o.insert(key.clone(), v.clone());
                }
                _ => {}
            },
            Mutation::Copy(a, b) => {
                let source = nth(doc, (b % count) as usize).map(|v| v.clone());
                if let (Some(source), Some(node)) = (source, nth(doc, (a % count) as usize)) {
                    *node = source;
                }
            }
            Mutation::Grow(n, k) => {
                let total = weight(doc);
                if let Some(Value::Array(a)) = nth(doc, (n % count) as usize)
                    && !a.is_empty()
                {
                    let items = a.clone();
                    // Grow to a weight of about MAX_NODES: repeated growth of nested arrays
                    // multiplies (this aborted a run by allocating 400 MB in the generator).
                    let per_copy = items.iter().map(weight).sum::<usize>().max(1);
                    let copies = usize::from(*k)
                        .min(MAX_NODES.saturating_sub(total) / per_copy * items.len());
                    for i in 0..copies {
                        a.push(items[i % items.len()].clone());
                    }
                }
            }
        }
        // Keep documents to a size a real client could send.
        if count > MAX_NODES as u64 {
            break;
        }
    }
}

/// Applies text changes to bytes.
pub fn apply_text(bytes: &mut Vec<u8>, ops: &[TextOp]) {
    for op in ops {
        let len = bytes.len() as u64 + 1;
        match op {
            TextOp::Insert(p, b) => {
                let at = (p % len) as usize;
                bytes.splice(at..at, b.iter().copied());
            }
            TextOp::Delete(p, n) => {
                let at = (p % len) as usize;
                let end = (at + usize::from(*n)).min(bytes.len());
                bytes.drain(at..end);
            }
            TextOp::Duplicate(p, n, q) => {
                let at = (p % len) as usize;
                let end = (at + usize::from(*n)).min(bytes.len());
                let chunk = bytes[at..end].to_vec();
                let to = (q % (bytes.len() as u64 + 1)) as usize;
                bytes.splice(to..to, chunk);
            }
            TextOp::Flip(p, b) => {
                if !bytes.is_empty() {
                    let at = (p % bytes.len() as u64) as usize;
                    bytes[at] ^= b | 1;
                }
            }
        }
    }
}

/// The number of nodes of a document.
pub fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// A document's size for the growth limit: its nodes, and its strings' bytes by 32.
fn weight(v: &Value) -> usize {
    1 + match v {
        Value::String(s) => s.len() / 32,
        Value::Array(a) => a.iter().map(weight).sum(),
        Value::Object(o) => o.values().map(weight).sum(),
        _ => 0,
    }
}

/// The `n`th node in preorder.
fn nth(v: &mut Value, n: usize) -> Option<&mut Value> {
    let mut n = n;
    nth_rec(v, &mut n)
}

fn nth_rec<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().find_map(|x| nth_rec(x, n)),
        Value::Object(o) => o.values_mut().find_map(|x| nth_rec(x, n)),
        _ => None,
    }
}

/// Every object key and string value of the documents, for the generators' dictionary.
pub fn dictionary(docs: &[Value]) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.len() < 64 => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => {
                for (k, x) in o {
                    out.push(k.clone());
                    walk(x, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    docs.iter().for_each(|d| walk(d, &mut out));
    out.extend(HOSTILE.iter().map(|s| (*s).to_owned()));
    out.sort();
    out.dedup();
    out
}

/// Markdown-subset tokens: the markup the parser knows, its near misses, and text.
pub const MARKDOWN_TOKENS: &[&str] = &[
    "*",
    "**",
    "***",
    "_",
    "__",
    "[",
    "]",
    "(",
    ")",
    "](",
    "](https://a.se)",
    "](javascript:x)",
    "](/x)",
    "](//evil)",
    "](mailto:a@b.se)",
    "](tel:+46)",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    "# ",
    "## ",
    "### ",
    "#### ",
    "- ",
    "* ",
    "1. ",
    "99999999999999999999. ",
    "  \n",
    "\\",
    "\\*",
    "`",
    "<b>",
    "&amp;",
    "text",
    "å",
    " ",
    "\u{202e}",
    "\u{0}",
    "\t",
    "[a](",
    "**[",
    "](**",
];

/// Markdown built from tokens, with runs that stress the parser's worst cases.
pub fn markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => select(MARKDOWN_TOKENS).prop_map(str::to_owned),
        2 => "\\PC{0,12}",
        1 => (select(MARKDOWN_TOKENS), 1usize..5000).prop_map(|(s, n)| s.repeat(n)),
        1 => (prop::collection::vec(select(MARKDOWN_TOKENS), 1..6), 1usize..1500)
            .prop_map(|(v, n)| v.concat().repeat(n)),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

//! The parts of Structured Field Values (RFC 8941) that signatures need: dictionaries of
//! byte sequences (`Signature`, `Content-Digest`) and of inner lists with parameters
//! (`Signature-Input`), parsed strictly, and serialized the way RFC 9421 compares them.

use super::base64;

/// A bare item: the values a member or a parameter can take here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `"…"`
    String(String),
    /// A token such as `sha-256` or `?1`'s neighbours.
    Token(String),
    /// A whole number.
    Integer(i64),
    /// `?1` / `?0`
    Boolean(bool),
    /// `:base64:`
    Bytes(Vec<u8>),
}

impl Item {
    /// The item as RFC 8941 serializes it.
    pub fn serialize(&self) -> String {
        match self {
            Item::String(s) => {
                let mut out = String::from("\"");
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
                out
            }
            Item::Token(t) => t.clone(),
            Item::Integer(n) => n.to_string(),
            Item::Boolean(b) => if *b { "?1" } else { "?0" }.to_owned(),
            Item::Bytes(b) => format!(":{}:", base64::encode(b)),
        }
    }
}

/// Parameters in order: `;name=value` (a name alone is `true`).
pub type Params = Vec<(String, Item)>;

/// An inner list's item with its parameters: a covered component in `Signature-Input`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamItem {
    /// The item.
    pub item: Item,
    /// Its parameters.
    pub params: Params,
}

/// A dictionary member's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A single item with parameters.
    Item(ParamItem),
    /// An inner list with parameters, e.g. `("@method" "content-type");created=1`.
    InnerList(Vec<ParamItem>, Params),
}

/// A dictionary member: its key, its value, and its text exactly as received (the
/// `@signature-params` line uses the received text, not a re-serialization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The member's key.
    pub key: String,
    /// The member's value.
    pub value: Member,
    /// The value's text as it appeared in the field.
    pub raw: String,
}

/// Why a structured field could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed structured field at byte {at}: {what}")]
pub struct SfError {
    /// Where parsing stopped.
    pub at: usize,
    /// What was expected.
    pub what: &'static str,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err<T>(&self, what: &'static str) -> Result<T, SfError> {
        Err(SfError { at: self.i, what })
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn key(&mut self) -> Result<String, SfError> {
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => {}
            _ => return self.err("a key"),
        }
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || matches!(c, b'_' | b'-' | b'.' | b'*')
            {
                self.i += 1;
            } else {
                break;
            }
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn bare_item(&mut self) -> Result<Item, SfError> {
        match self.peek() {
            Some(b'"') => self.string(),
            Some(b':') => self.bytes(),
            Some(b'?') => {
                self.i += 1;
                match self.peek() {
                    Some(b'1') => {
                        self.i += 1;
                        Ok(Item::Boolean(true))
                    }
                    Some(b'0') => {
                        self.i += 1;
                        Ok(Item::Boolean(false))
                    }
                    _ => self.err("?0 or ?1"),
                }
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => self.integer(),
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => self.token(),
            _ => self.err("an item"),
        }
    }
    fn string(&mut self) -> Result<Item, SfError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return self.err("a closing quote"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Item::String(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c as char);
                            self.i += 1;
                        }
                        _ => return self.err("an escaped quote or backslash"),
                    }
                }
                Some(c) if (0x20..0x7f).contains(&c) => {
                    out.push(c as char);
                    self.i += 1;
                }
                Some(_) => return self.err("a visible ASCII character"),
            }
        }
    }
    fn token(&mut self) -> Result<Item, SfError> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c) {
                self.i += 1;
            } else {
                break;
            }
        }
        Ok(Item::Token(
            String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
        ))
    }
    fn integer(&mut self) -> Result<Item, SfError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i == digits || self.i - digits > 15 {
            return self.err("an integer of 1 to 15 digits");
        }
        if self.peek() == Some(b'.') {
            return self.err("an integer (decimals are not used here)");
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()
            .and_then(|t| t.parse().ok())
            .map(Item::Integer)
            .map_or_else(|| self.err("an integer"), Ok)
    }
    fn bytes(&mut self) -> Result<Item, SfError> {
        self.i += 1;
        let start = self.i;
        while self.peek().is_some_and(|c| c != b':') {
            self.i += 1;
        }
        if self.peek() != Some(b':') {
            return self.err("a closing colon");
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        self.i += 1;
        base64::decode(text).map(Item::Bytes).ok_or(SfError {
            at: start,
            what: "base64",
        })
    }
    fn params(&mut self) -> Result<Params, SfError> {
        let mut out = Params::new();
        while self.peek() == Some(b';') {
            self.i += 1;
            self.skip_sp();
            let key = self.key()?;
            let value = if self.peek() == Some(b'=') {
                self.i += 1;
                self.bare_item()?
            } else {
                Item::Boolean(true)
            };
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
        }
        Ok(out)
    }
    fn item_or_inner_list(&mut self) -> Result<Member, SfError> {
        if self.peek() != Some(b'(') {
            let item = self.bare_item()?;
            let params = self.params()?;
            return Ok(Member::Item(ParamItem { item, params }));
        }
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            if self.peek() == Some(b')') {
                self.i += 1;
                let params = self.params()?;
                return Ok(Member::InnerList(items, params));
            }
            let item = self.bare_item()?;
            let params = self.params()?;
            items.push(ParamItem { item, params });
            match self.peek() {
                Some(b' ' | b')') => {}
                _ => return self.err("a space or a closing parenthesis"),
            }
        }
    }
}

/// Parses a dictionary field (members in order; a repeated key keeps its last value).
pub fn parse_dictionary(field: &str) -> Result<Vec<Entry>, SfError> {
    let mut p = Parser {
        s: field.as_bytes(),
        i: 0,
    };
    let mut out: Vec<Entry> = Vec::new();
    p.skip_sp();
    while p.peek().is_some() {
        let key = p.key()?;
        let start;
        let value = if p.peek() == Some(b'=') {
            p.i += 1;
            start = p.i;
            p.item_or_inner_list()?
        } else {
            start = p.i;
            let params = p.params()?;
            Member::Item(ParamItem {
                item: Item::Boolean(true),
                params,
            })
        };
        let raw = String::from_utf8_lossy(&p.s[start..p.i]).into_owned();
        match out.iter_mut().find(|e| e.key == key) {
            Some(e) => {
                e.value = value;
                e.raw = raw;
            }
            None => out.push(Entry { key, value, raw }),
        }
        p.skip_ows();
        if p.peek().is_none() {
            break;
        }
        if p.peek() != Some(b',') {
            return p.err("a comma between members");
        }
        p.i += 1;
        p.skip_ows();
        if p.peek().is_none() {
            return p.err("a member after the comma");
        }
    }
    Ok(out)
}

/// Serializes parameters: `;name=value`, a `true` boolean as the bare name.
pub fn serialize_params(params: &Params) -> String {
    params
        .iter()
        .map(|(k, v)| match v {
            Item::Boolean(true) => format!(";{k}"),
            v => format!(";{k}={}", v.serialize()),
        })
        .collect()
}

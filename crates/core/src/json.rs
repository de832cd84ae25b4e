//! Strict JSON: a key written twice in one object is refused.
//!
//! serde_json (like most parsers) silently keeps the last of two equal keys, others keep the
//! first, so `{"namn":"Anna","namn":"Bo"}` reads as two different answers depending on who
//! reads it, and a signature would cover bytes that two parsers read two ways. The browser's
//! loader and the receiver both look for repeated keys with [`duplicate_keys`] before they use
//! a document. Keys are compared after their escapes are decoded (`"a"` and `"\u0061"` are
//! the same key), as every parser compares them.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// At most this many repeated keys are reported for one document.
const MAX_REPORTED: usize = 20;

/// A key that appears a second time in the same JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The path of the repeated key, as the loader writes paths: `answers.namn`,
    /// `steps[0].fields[1].id`, `answers["två ord"]`.
    pub path: String,
}

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "duplicate key {}", self.path)
    }
}

impl std::error::Error for DuplicateKey {}

/// Every key repeated within one object of `json` (at most 20), in document order.
///
/// Only the part of `json` before its first syntax error is looked at: a document that is
/// not JSON is the parser's to refuse, with its own message.
pub fn duplicate_keys(json: &str) -> Vec<DuplicateKey> {
    let mut walk = Walk {
        path: String::new(),
        found: Vec::new(),
    };
    // From a `str`, as the loader parses: the browser build carries one serde_json reader.
    let mut de = serde_json::Deserializer::from_str(json);
    // A syntax error ends the walk; what was found before it stands.
    let _ = Node(&mut walk).deserialize(&mut de);
    walk.found
}

/// The path so far and what was found.
struct Walk {
    path: String,
    found: Vec<DuplicateKey>,
}

/// One value at the walk's current path.
struct Node<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let walk = self.0;
        let len = walk.path.len();
        let mut index = 0usize;
        loop {
            let _ = write!(walk.path, "[{index}]");
            let more = seq.next_element_seed(Node(walk))?.is_some();
            walk.path.truncate(len);
            if !more {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walk = self.0;
        let len = walk.path.len();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            push_key(&mut walk.path, &key);
            if seen.contains(&key) {
                if walk.found.len() < MAX_REPORTED {
                    walk.found.push(DuplicateKey {
                        path: walk.path.clone(),
                    });
                }
                map.next_value::<IgnoredAny>()?;
            } else {
                map.next_value_seed(Node(walk))?;
                seen.insert(key);
            }
            walk.path.truncate(len);
        }
        Ok(())
    }
}

/// Adds `key` to `path` the way the loader writes paths: `.key` when it is a plain id,
/// else `["key"]` as a JSON string.
pub(crate) fn push_key(path: &mut String, key: &str) {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if simple {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&serde_json::Value::String(key.to_owned()).to_string());
        path.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(json: &str) -> Vec<String> {
        duplicate_keys(json).into_iter().map(|d| d.path).collect()
    }

    #[test]
    fn a_key_written_twice_is_found_with_its_path() {
        for (json, expected) in [
            (r#"{"a":1,"a":2}"#, vec!["a"]),
            (
                r#"{"answers":{"fornamn":"Anna","fornamn":"Bo"}}"#,
                vec!["answers.fornamn"],
            ),
            (
                r#"{"steps":[{"fields":[{},{"id":"x","type":"text","id":"y"}]}]}"#,
                vec!["steps[0].fields[1].id"],
            ),
            (
                r#"{"x":[[{"två ord":1,"två ord":2}]]}"#,
                vec![r#"x[0][0]["två ord"]"#],
            ),
            // Equal once their escapes are read.
            (r#"{"a":1,"\u0061":2}"#, vec!["a"]),
            (
                r#"{"a":1,"b":{"c":1},"a":{"c":1,"c":2},"b":3}"#,
                vec!["a", "b"],
            ),
        ] {
            assert_eq!(paths(json), expected, "{json}");
        }
    }

    #[test]
    fn equal_keys_in_different_objects_are_no_duplicate() {
        for json in [
            r#"{"a":{"a":1},"b":[{"a":1},{"a":1}]}"#,
            r#"[1,"a",null,true,-2.5e3,{}]"#,
            r#"{"a":1,"A":2,"a ":3}"#,
            "",
            "{",
        ] {
            assert_eq!(paths(json), Vec::<String>::new(), "{json}");
        }
    }

    #[test]
    fn only_what_comes_before_a_syntax_error_counts() {
        assert_eq!(paths(r#"{"a":1,"a":2,"b":}"#), ["a"]);
        assert!(paths(r#"{"a":[1,,2],"a":2}"#).is_empty());
    }

    #[test]
    fn a_hostile_document_gets_a_bounded_report() {
        let body = format!(
            "{{{}\"k\":0}}",
            (0..1000).map(|_| "\"k\":0,").collect::<String>()
        );
        assert_eq!(paths(&body).len(), MAX_REPORTED);
        // Deep nesting ends at the parser's depth limit, not in a stack overflow.
        let deep = "[".repeat(100_000);
        assert!(paths(&deep).is_empty());
    }
}

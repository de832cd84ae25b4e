//! The citizen's answers, as the UI holds them and a draft would store them.
//!
//! An answer inside a repeating group is addressed by a *key*: `repeat[row].field`, e.g.
//! `syskon[1].namn` (row indexes start at 0). Field ids cannot contain `[`, `]` or `.`, so a
//! key is never mistaken for an id. Everything keyed by field (answers, messages, what is
//! shown) takes either an id or such a key.

use std::collections::BTreeMap;

/// One answer: text typed or picked, the options chosen, or the rows of a repeating group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Text as typed (or the chosen option value, or `yes`/`no`).
    Text(String),
    /// The values of the chosen checkbox options.
    Choices(Vec<String>),
    /// The rows of a repeating group, each with its own answers by field id.
    Rows(Vec<Answers>),
    /// The files attached to a `file` field, in the order they were attached.
    Files(Vec<crate::files::FileRef>),
}

impl Answer {
    /// Whether the answer counts as not given (only whitespace, nothing chosen, no rows).
    pub fn is_empty(&self) -> bool {
        match self {
            // Characters the engine removes do not count as an answer.
            Answer::Text(s) => s
                .chars()
                .all(|c| c.is_whitespace() || crate::normalize::is_removed_char(c)),
            Answer::Choices(c) => c.is_empty(),
            Answer::Rows(r) => r.is_empty(),
            Answer::Files(f) => f.is_empty(),
        }
    }

    /// The text, if this is a text answer.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Answer::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// The key of a field's answer in one row of a repeating group: `repeat[row].field`.
pub fn row_key(repeat: &str, row: usize, field: &str) -> String {
    format!("{repeat}[{row}].{field}")
}

/// Splits a row key into (repeat id, row index, field id); `None` for a plain field id.
pub fn split_row_key(key: &str) -> Option<(&str, usize, &str)> {
    let (repeat, rest) = key.split_once('[')?;
    let (row, field) = rest.split_once("].")?;
    let row = row
        .parse()
        .ok()
        .filter(|_| row.bytes().all(|b| b.is_ascii_digit()))?;
    (!repeat.is_empty() && !field.is_empty()).then_some((repeat, row, field))
}

/// All answers of one form (or of one row of a repeating group), keyed by field id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answers(BTreeMap<String, Answer>);

impl Answers {
    /// No answers yet.
    pub fn new() -> Answers {
        Answers::default()
    }

    /// The answer to a field (an id, or a row key such as `syskon[0].namn`), if any.
    pub fn get(&self, key: &str) -> Option<&Answer> {
        match split_row_key(key) {
            Some((repeat, row, field)) => self.row(repeat, row)?.0.get(field),
            None => self.0.get(key),
        }
    }

    /// The text answer to a field, or `""`.
    pub fn text(&self, key: &str) -> &str {
        self.get(key).and_then(Answer::as_text).unwrap_or("")
    }

    /// The chosen options of a checkbox field, or none.
    pub fn choices(&self, key: &str) -> &[String] {
        match self.get(key) {
            Some(Answer::Choices(c)) => c,
            _ => &[],
        }
    }

    /// The files attached to a file field, or none.
    pub fn files(&self, key: &str) -> &[crate::files::FileRef] {
        match self.get(key) {
            Some(Answer::Files(f)) => f,
            _ => &[],
        }
    }

    /// Sets (or replaces) the answer to a field; a row key sets it in an existing row only.
    pub fn set(&mut self, key: impl Into<String>, answer: Answer) {
        let key = key.into();
        match split_row_key(&key) {
            Some((repeat, row, field)) => {
                if let Some(r) = self.row_mut(repeat, row) {
                    r.0.insert(field.to_owned(), answer);
                }
            }
            None => {
                self.0.insert(key, answer);
            }
        }
    }

    /// Removes the answer to a field (a row key removes it from its row, not the row).
    pub fn remove(&mut self, key: &str) -> Option<Answer> {
        match split_row_key(key) {
            Some((repeat, row, field)) => self.row_mut(repeat, row)?.0.remove(field),
            None => self.0.remove(key),
        }
    }

    /// Every answer, in field-id order (a repeating group's rows as one [`Answer::Rows`]).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Answer)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The rows of a repeating group (none when it has no answer).
    pub fn rows(&self, repeat: &str) -> &[Answers] {
        match self.0.get(repeat) {
            Some(Answer::Rows(rows)) => rows,
            _ => &[],
        }
    }

    /// How many rows a repeating group has.
    pub fn row_count(&self, repeat: &str) -> usize {
        self.rows(repeat).len()
    }

    /// One row of a repeating group.
    pub fn row(&self, repeat: &str, row: usize) -> Option<&Answers> {
        self.rows(repeat).get(row)
    }

    fn row_mut(&mut self, repeat: &str, row: usize) -> Option<&mut Answers> {
        match self.0.get_mut(repeat) {
            Some(Answer::Rows(rows)) => rows.get_mut(row),
            _ => None,
        }
    }

    /// Adds an empty row at the end of a repeating group and returns its index.
    pub fn add_row(&mut self, repeat: &str) -> usize {
        let entry = self
            .0
            .entry(repeat.to_owned())
            .or_insert_with(|| Answer::Rows(Vec::new()));
        if !matches!(entry, Answer::Rows(_)) {
            *entry = Answer::Rows(Vec::new());
        }
        match entry {
            Answer::Rows(rows) => {
                rows.push(Answers::new());
                rows.len() - 1
            }
            _ => 0,
        }
    }

    /// Removes one row of a repeating group (later rows move up); the group's answer goes
    /// when its last row does.
    pub fn remove_row(&mut self, repeat: &str, row: usize) -> Option<Answers> {
        let Some(Answer::Rows(rows)) = self.0.get_mut(repeat) else {
            return None;
        };
        if row >= rows.len() {
            return None;
        }
        let removed = rows.remove(row);
        if rows.is_empty() {
            self.0.remove(repeat);
        }
        Some(removed)
    }
}

/// In a draft, an answer is plain JSON: text is a string, chosen options an array of strings,
/// rows an array of objects, files an object `{"files": [file references]}`. That reads back without the definition (a draft may outlive the
/// version of the form it was made with).
impl serde::Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Text(t) => s.serialize_str(t),
            Answer::Choices(c) => c.serialize(s),
            Answer::Rows(r) => r.serialize(s),
            Answer::Files(f) => {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("files", f)?;
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Answer, D::Error> {
        use serde::de::Error;
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Choices(Vec<String>),
            Rows(Vec<Answers>),
            Files { files: Vec<crate::files::FileRef> },
        }
        match Raw::deserialize(d) {
            Ok(Raw::Text(t)) => Ok(Answer::Text(t)),
            // An empty array reads as rows: an empty choice is never kept.
            Ok(Raw::Choices(c)) if c.is_empty() => Ok(Answer::Rows(Vec::new())),
            Ok(Raw::Choices(c)) => Ok(Answer::Choices(c)),
            Ok(Raw::Rows(r)) => Ok(Answer::Rows(r)),
            Ok(Raw::Files { files }) => Ok(Answer::Files(files)),
            Err(_) => Err(D::Error::custom(
                "an answer is a string, an array of strings, an array of objects or {\"files\": […]}",
            )),
        }
    }
}

impl serde::Serialize for Answers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Answers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Answers, D::Error> {
        let mut map = BTreeMap::<String, Answer>::deserialize(d)?;
        // In place: collecting into a new map would add a sort to the browser's build.
        map.retain(|_, a| !a.is_empty());
        Ok(Answers(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_back_as_written_without_the_definition() {
        let mut a = Answers::new();
        a.set("namn", Answer::Text(" Ada ".into()));
        a.set("val", Answer::Choices(vec!["b".into(), "a".into()]));
        a.add_row("syskon");
        a.add_row("syskon");
        a.set("syskon[1].namn", Answer::Text("Bo".into()));
        a.set("syskon[1].skolor", Answer::Choices(vec!["eken".into()]));
        let json = serde_json::to_string(&a).expect("serializes");
        assert_eq!(
            json,
            r#"{"namn":" Ada ","syskon":[{},{"namn":"Bo","skolor":["eken"]}],"val":["b","a"]}"#
        );
        assert_eq!(
            serde_json::from_str::<Answers>(&json).expect("reads back"),
            a
        );
        let empty: Answers = serde_json::from_str(r#"{"a":"","b":[],"c":"  "}"#).expect("reads");
        assert_eq!(empty.get("a"), None);
        assert_eq!(
            empty.get("b"),
            None,
            "nothing chosen, or no rows: no answer"
        );
        for bad in [
            r#"{"a":1}"#,
            r#"{"a":[1]}"#,
            r#"{"a":["x",{}]}"#,
            r#"{"a":null}"#,
        ] {
            assert!(serde_json::from_str::<Answers>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn row_keys_round_trip_and_plain_ids_are_not_row_keys() {
        assert_eq!(row_key("syskon", 2, "namn"), "syskon[2].namn");
        assert_eq!(split_row_key("syskon[2].namn"), Some(("syskon", 2, "namn")));
        for plain in [
            "namn", "a-b_c", "x[1]", "x[].y", "[0].y", "x[0].", "x[+1].y", "x[a].y",
        ] {
            assert_eq!(split_row_key(plain), None, "{plain}");
        }
    }

    #[test]
    fn answers_in_rows_are_read_and_written_by_key() {
        let mut a = Answers::new();
        // A key into a row that does not exist changes nothing.
        a.set("syskon[0].namn", Answer::Text("Ada".into()));
        assert_eq!(a.get("syskon[0].namn"), None);
        assert_eq!(a.add_row("syskon"), 0);
        assert_eq!(a.add_row("syskon"), 1);
        a.set("syskon[0].namn", Answer::Text("Ada".into()));
        a.set("syskon[1].namn", Answer::Text("Bo".into()));
        assert_eq!(a.text("syskon[1].namn"), "Bo");
        assert_eq!(a.row_count("syskon"), 2);
        assert_eq!(a.remove("syskon[1].namn"), Some(Answer::Text("Bo".into())));
        assert_eq!(a.row_count("syskon"), 2, "removing an answer keeps its row");
        let removed = a.remove_row("syskon", 0).expect("row 0");
        assert_eq!(removed.text("namn"), "Ada");
        assert_eq!(a.row_count("syskon"), 1);
        assert_eq!(a.text("syskon[0].namn"), "", "the later row moved up");
        a.remove_row("syskon", 0);
        assert_eq!(a.get("syskon"), None, "no rows, no answer");
        assert_eq!(a.remove_row("syskon", 0), None);
    }
}

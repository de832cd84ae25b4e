//! A small XML writer: elements, text and attributes escaped, two-space indentation.

/// Builds an XML document as text.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
    open: Vec<String>,
    /// Whether the innermost open element has children yet (so its end tag goes on a new line).
    has_children: Vec<bool>,
}

impl XmlWriter {
    /// A document starting with the XML declaration (UTF-8).
    pub fn new() -> XmlWriter {
        XmlWriter::with_encoding("UTF-8")
    }

    /// A document whose declaration names `encoding` (the caller encodes the text).
    pub fn with_encoding(encoding: &str) -> XmlWriter {
        XmlWriter {
            out: format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n"),
            ..XmlWriter::default()
        }
    }

    /// `<name attr="value" …/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// `<name attr="value" …` on a new, indented line (the caller ends the tag).
    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attributes {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.out.push_str(&escape(v));
            self.out.push('"');
        }
    }

    fn indent(&mut self) {
        if let Some(last) = self.has_children.last_mut() {
            if !*last {
                self.out.push('\n');
            }
            *last = true;
        }
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    /// Opens `<name attr="value" …>`.
    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push('>');
        self.open.push(name.to_owned());
        self.has_children.push(false);
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) {
        let Some(name) = self.open.pop() else { return };
        if self.has_children.pop() == Some(true) {
            for _ in 0..self.open.len() {
                self.out.push_str("  ");
            }
        }
        self.out.push_str("</");
        self.out.push_str(&name);
        self.out.push_str(">\n");
    }

    /// `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.push_str(&escape(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// The document, with every element closed.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

/// Escapes text for element content and attribute values; drops characters XML 1.0 forbids.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_escaped_xml() {
        let mut w = XmlWriter::new();
        w.open("a", &[("xmlns", "urn:x")]);
        w.leaf("b", "1 < 2 & \"ok\"\u{1}");
        w.open("c", &[]);
        w.close();
        let xml = w.finish();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:x\">\n  <b>1 &lt; 2 &amp; &quot;ok&quot;</b>\n  <c></c>\n</a>\n"
        );
        assert!(roxmltree::Document::parse(&xml).is_ok());
    }
}

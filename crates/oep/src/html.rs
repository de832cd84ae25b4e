//! OEP's descriptions are HTML (written in a rich-text editor); Blankett's info texts are a
//! safe markdown subset. This turns the one into the other, tolerantly: paragraphs, line
//! breaks, bold, italic, links, lists and headings survive; every other tag is dropped with
//! its text kept, and `script`/`style` are dropped with their content. Nothing is ever
//! passed through as HTML.

/// Converts an HTML fragment to Blankett's markdown subset.
pub fn to_markdown(html: &str) -> String {
    let mut out = Out::default();
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    let mut lists: Vec<(bool, usize)> = Vec::new();
    let mut link: Option<(String, usize)> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                out.text(&decode(rest));
            }
            break;
        };
        if skip_until.is_none() {
            out.text(&decode(&rest[..lt]));
        }
        rest = &rest[lt..];
        // A comment, a doctype or a tag; a lone `<` is text.
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            if skip_until.is_none() {
                out.text(&decode(rest));
            }
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            if skip_until.is_none() {
                out.text(&decode(&format!("<{tag}>")));
            }
            continue;
        }
        if let Some(end) = skip_until {
            if closing && name == end {
                skip_until = None;
            }
            continue;
        }
        match (name.as_str(), closing) {
            ("script", false) => skip_until = Some("script"),
            ("style", false) => skip_until = Some("style"),
            ("p" | "div" | "table" | "blockquote", _) | ("tr", true) => out.block(),
            ("br", _) => out.line_break(),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                out.block();
                out.raw("## ");
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) => out.block(),
            ("strong" | "b", _) => out.raw("**"),
            ("em" | "i", _) => out.raw("*"),
            ("ul", false) => {
                out.block();
                lists.push((false, 0));
            }
            ("ol", false) => {
                out.block();
                lists.push((true, 0));
            }
            ("ul" | "ol", true) => {
                lists.pop();
                out.block();
            }
            ("li", false) => {
                out.line();
                match lists.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        let marker = format!("{n}. ");
                        out.raw(&marker);
                    }
                    _ => out.raw("- "),
                }
            }
            ("a", false) => {
                let href = attribute(tag, "href").map(|h| decode(&h));
                if let Some(href) = href.filter(|h| safe_href(h)) {
                    out.raw("[");
                    link = Some((href, out.buf.len()));
                }
            }
            ("a", true) => {
                if let Some((href, _)) = link.take() {
                    out.raw(&format!("]({href})"));
                }
            }
            _ => {}
        }
    }
    if let Some((href, _)) = link.take() {
        out.raw(&format!("]({href})"));
    }
    out.finish()
}

#[derive(Default)]
struct Out {
    buf: String,
    /// Whether the current line has had text yet (markers are escaped only at line start).
    line_has_text: bool,
}

impl Out {
    fn text(&mut self, s: &str) {
        for c in s.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c == ' ' && (self.buf.is_empty() || self.buf.ends_with([' ', '\n'])) {
                continue;
            }
            if matches!(c, '*' | '_' | '[' | ']' | '\\' | '`')
                || (!self.line_has_text && matches!(c, '#' | '-' | '+'))
            {
                self.buf.push('\\');
            }
            if !self.line_has_text && c.is_ascii_digit() {
                // "1. " at the start of a line would become a list.
                self.buf.push(c);
                self.line_has_text = true;
                continue;
            }
            self.buf.push(c);
            self.line_has_text = c != ' ';
            if c == '.' {
                self.escape_numbered_marker();
            }
        }
    }

    /// `2024.` written at the start of a line: escape the dot so it is not a list marker.
    fn escape_numbered_marker(&mut self) {
        let line_start = self.buf.rfind('\n').map_or(0, |i| i + 1);
        let line = &self.buf[line_start..];
        if line.len() >= 2 && line[..line.len() - 1].bytes().all(|b| b.is_ascii_digit()) {
            self.buf.insert(self.buf.len() - 1, '\\');
        }
    }

    fn raw(&mut self, s: &str) {
        self.buf.push_str(s);
        self.line_has_text = true;
    }

    fn trim_end_spaces(&mut self) {
        while self.buf.ends_with(' ') {
            self.buf.pop();
        }
    }

    fn line(&mut self) {
        self.trim_end_spaces();
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push('\n');
        }
        self.line_has_text = false;
    }

    fn line_break(&mut self) {
        self.trim_end_spaces();
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push_str("\\\n");
        }
        self.line_has_text = false;
    }

    fn block(&mut self) {
        self.trim_end_spaces();
        while self.buf.ends_with("\\\n") {
            self.buf.truncate(self.buf.len() - 2);
        }
        if !self.buf.is_empty() && !self.buf.ends_with("\n\n") {
            if !self.buf.ends_with('\n') {
                self.buf.push('\n');
            }
            self.buf.push('\n');
        }
        self.line_has_text = false;
    }

    fn finish(mut self) -> String {
        self.block();
        self.buf.trim().to_owned()
    }
}

/// The value of an attribute in a tag's text (`a href="…"`), quoted or not.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        let before_ok = lower[..at].ends_with(|c: char| c.is_whitespace());
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - rest.len() + 1;
        let value = tag[value_start..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_owned(),
            _ => value
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_owned(),
        });
    }
    None
}

/// The link destinations Blankett's markdown keeps (others become plain text there anyway).
fn safe_href(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    ["https:", "http:", "mailto:", "tel:"]
        .iter()
        .any(|p| lower.starts_with(p))
        || (href.starts_with('/') && !href.starts_with("//"))
}

/// Decodes the character references editors write (`&amp;`, `&nbsp;`, `&aring;`, `&#228;`, …).
pub fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10);
        let decoded = end.and_then(|end| entity(&rest[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace());
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "aring" => 'å',
        "auml" => 'ä',
        "ouml" => 'ö',
        "Aring" => 'Å',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "eacute" => 'é',
        "Eacute" => 'É',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        _ => return None,
    })
}

/// The text of an HTML fragment on one line, without tags (for labels and option names).
pub fn to_plain(html: &str) -> String {
    let md = to_markdown(html);
    let mut out = String::new();
    let mut chars = md.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(&next) = chars.peek()
                    && next != '\n'
                {
                    out.push(next);
                    chars.next();
                }
            }
            '*' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use blankett_core::markdown::{Block, Inline, parse};

    #[test]
    fn paragraphs_lists_links_and_emphasis_survive() {
        let html = "<p>Läs <strong>noga</strong> och se <a href=\"https://sala.se/x?a=1&amp;b=2\">mer&nbsp;info</a>.</p>\
                    <ul><li>Ett</li><li><em>Två</em></li></ul><ol><li>Först</li><li>Sen</li></ol>\
                    <p>Rad ett<br/>rad två</p><h2>Rubrik</h2>";
        assert_eq!(
            to_markdown(html),
            "Läs **noga** och se [mer info](https://sala.se/x?a=1&b=2).\n\n- Ett\n- *Två*\n\n1. Först\n2. Sen\n\nRad ett\\\nrad två\n\n## Rubrik"
        );
        let blocks = parse(&to_markdown(html));
        assert_eq!(blocks.len(), 5, "{blocks:?}");
        assert!(matches!(&blocks[1], Block::BulletList(items) if items.len() == 2));
        assert!(matches!(&blocks[2], Block::NumberedList(items) if items.len() == 2));
    }

    #[test]
    fn nothing_becomes_markup_that_was_not_markup() {
        let html = "<script>alert(1)</script><p>* inte en lista, 2024. inget nummer, [x](y) och &lt;b&gt;</p>\
                    <a href=\"javascript:alert(1)\">klick</a><img src=x onerror=alert(1)>";
        let md = to_markdown(html);
        assert!(!md.contains("alert"), "{md}");
        let blocks = parse(&md);
        assert_eq!(
            blocks,
            [
                Block::Paragraph(vec![Inline::Text(
                    "* inte en lista, 2024. inget nummer, [x](y) och <b>".into()
                )]),
                Block::Paragraph(vec![Inline::Text("klick".into())]),
            ],
            "{md}"
        );
        assert_eq!(to_plain("<p>A <b>B</b>&amp;C</p><p>D</p>"), "A B&C D");
        assert_eq!(to_markdown("2024. Året"), "2024\\. Året");
        assert_eq!(to_markdown("<p></p>"), "");
        assert_eq!(to_markdown("a < b > c"), "a < b > c");
    }
}

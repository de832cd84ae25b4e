//! A small, safe markdown subset for information texts (field type `info`).
//!
//! Form definitions are untrusted input, so [`parse`] produces a plain data tree
//! ([`Block`]s of [`Inline`]s) that the UI turns into DOM nodes. Raw HTML is never
//! interpreted: `<script>` stays the literal text `"<script>"`, and `&amp;` stays
//! `"&amp;"`.
//!
//! Supported syntax:
//!
//! | Input | Result |
//! |---|---|
//! | a blank line | separates blocks |
//! | `# `, `## ` or `### ` at the start of a line | [`Block::Heading`] (one level; the UI picks the HTML level) |
//! | consecutive lines starting with `- ` or `* ` | one [`Block::BulletList`] |
//! | consecutive lines starting with `1. `, `2. `, … | one [`Block::NumberedList`] (the numbers themselves are ignored) |
//! | any other lines | a [`Block::Paragraph`]; its lines are joined with a single space |
//! | two spaces or a `\` at the end of a line | [`Inline::LineBreak`] (not after a block's last line) |
//! | `**bold**` | [`Inline::Strong`] |
//! | `*italic*` or `_italic_` | [`Inline::Emphasis`] |
//! | `[text](href)` | [`Inline::Link`], see below |
//! | `\` before ASCII punctuation (`\*`, `\[`, `\\`, …) | the punctuation character itself |
//!
//! Details:
//!
//! - Headings and list markers may be indented; indentation is otherwise ignored
//!   (there are no nested lists or code blocks). A line that is not a marker line and
//!   directly follows a list item continues that item. Headings and list items
//!   interrupt a paragraph without a blank line. Empty headings and list items are
//!   dropped.
//! - Emphasis follows CommonMark's delimiter rules, so `2 * 3 * 4` and
//!   `snake_case_name` stay plain text. Unmatched `*`, `_`, `[` and `]` are literal.
//!   Emphasis and strong may nest and contain links; links never contain links.
//!   Nesting deeper than 8 levels is flattened (the text is kept, the formatting of
//!   the innermost levels is dropped).
//! - A link's destination may be surrounded by spaces and may contain balanced
//!   parentheses. Only `https:`, `http:`, `mailto:` and `tel:` destinations and
//!   site-relative paths (`/…` but not `//…`) are links. Any other destination
//!   (`javascript:`, `data:`, a relative `page.html`, anything with whitespace,
//!   control characters or a backslash, …) makes the whole `[text](href)`
//!   construct plain text. A link with empty text shows its destination.
//! - Adjacent text is merged into one [`Inline::Text`]; each block's leading and
//!   trailing whitespace is trimmed. CRLF, LF and lone CR line endings are accepted.
//! - Parsing never panics and takes roughly linear time, also on adversarial input.

/// A block of information text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph of running text.
    Paragraph(Vec<Inline>),
    /// A heading line (`# `, `## ` or `### `); all one level, the UI chooses the heading level.
    Heading(Vec<Inline>),
    /// A bulleted list (lines starting with `- ` or `* `); one entry per item.
    BulletList(Vec<Vec<Inline>>),
    /// A numbered list (lines starting with `1. `, `2. `, …); one entry per item.
    NumberedList(Vec<Vec<Inline>>),
}

/// A piece of inline content inside a [`Block`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Literal text, to be rendered as a text node.
    Text(String),
    /// Strong importance: `**bold**`.
    Strong(Vec<Inline>),
    /// Emphasis: `*italic*` or `_italic_`.
    Emphasis(Vec<Inline>),
    /// A hyperlink `[text](href)` whose destination passed the scheme allow-list.
    Link {
        /// The destination: `https:`, `http:`, `mailto:`, `tel:` or a path starting with one `/`.
        href: String,
        /// The link text (never empty, never containing another link).
        children: Vec<Inline>,
    },
    /// A hard line break inside a block.
    LineBreak,
}

/// Parses information text in the supported markdown subset into blocks.
pub fn parse(input: &str) -> Vec<Block> {
    let normalized = input.replace("\r\n", "\n");
    let mut blocks = Vec::new();
    let mut pending: Option<Pending<'_>> = None;
    for raw in normalized.split(['\n', '\r']) {
        let line = raw.trim_start();
        if line.is_empty() {
            flush(&mut pending, &mut blocks);
            continue;
        }
        match classify(line) {
            LineKind::Heading(text) => {
                flush(&mut pending, &mut blocks);
                let inlines = parse_lines(&[text]);
                if !inlines.is_empty() {
                    blocks.push(Block::Heading(inlines));
                }
            }
            LineKind::Bullet(text) => match &mut pending {
                Some(Pending::Bullets(items)) => items.push(vec![text]),
                _ => {
                    flush(&mut pending, &mut blocks);
                    pending = Some(Pending::Bullets(vec![vec![text]]));
                }
            },
            LineKind::Numbered(text) => match &mut pending {
                Some(Pending::Numbered(items)) => items.push(vec![text]),
                _ => {
                    flush(&mut pending, &mut blocks);
                    pending = Some(Pending::Numbered(vec![vec![text]]));
                }
            },
            LineKind::Text => match &mut pending {
                Some(Pending::Paragraph(lines)) => lines.push(line),
                Some(Pending::Bullets(items) | Pending::Numbered(items)) => {
                    if let Some(item) = items.last_mut() {
                        item.push(line);
                    }
                }
                None => pending = Some(Pending::Paragraph(vec![line])),
            },
        }
    }
    flush(&mut pending, &mut blocks);
    blocks
}

/// The plain text of inlines (for accessible names, review pages); line breaks become `\n`.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    collect_text(inlines, &mut out);
    out
}

fn collect_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push_str(text),
            Inline::Strong(children)
            | Inline::Emphasis(children)
            | Inline::Link { children, .. } => collect_text(children, out),
            Inline::LineBreak => out.push('\n'),
        }
    }
}

// ---------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------

/// Deepest nesting of strong/emphasis/link kept in the output.
const MAX_DEPTH: usize = 8;
/// Deepest nesting of parentheses inside a link destination.
const MAX_DESTINATION_PARENS: usize = 32;
/// Schemes a link destination may have (compared ASCII case-insensitively).
const ALLOWED_SCHEMES: [&str; 4] = ["https", "http", "mailto", "tel"];
/// Joins the lines of a block where the source had a plain line ending.
/// Lines never contain `\n` or `\r`, so these markers cannot collide with input.
const SOFT_BREAK: char = '\n';
/// Joins the lines of a block where the source had a hard line break.
const HARD_BREAK: char = '\r';

/// A block whose lines are still being collected (lines are start-trimmed).
enum Pending<'a> {
    Paragraph(Vec<&'a str>),
    Bullets(Vec<Vec<&'a str>>),
    Numbered(Vec<Vec<&'a str>>),
}

/// What a (start-trimmed, non-blank) line is; the payloads are the text after the marker.
enum LineKind<'a> {
    Heading(&'a str),
    Bullet(&'a str),
    Numbered(&'a str),
    Text,
}

fn classify(line: &str) -> LineKind<'_> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=3).contains(&hashes)
        && let Some(text) = line.get(hashes..).and_then(after_marker)
    {
        return LineKind::Heading(text);
    }
    if let Some(text) = line.strip_prefix(['-', '*']).and_then(after_marker) {
        return LineKind::Bullet(text);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits)
        && let Some(text) = line
            .get(digits..)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(after_marker)
    {
        return LineKind::Numbered(text);
    }
    LineKind::Text
}

/// The text after a block marker, if the marker is followed by whitespace or ends the line.
fn after_marker(rest: &str) -> Option<&str> {
    if rest.is_empty() || rest.starts_with([' ', '\t']) {
        Some(rest.trim_start())
    } else {
        None
    }
}

fn flush(pending: &mut Option<Pending<'_>>, blocks: &mut Vec<Block>) {
    let Some(done) = pending.take() else {
        return;
    };
    let items = |items: Vec<Vec<&str>>| -> Vec<Vec<Inline>> {
        items
            .iter()
            .map(|lines| parse_lines(lines))
            .filter(|inlines| !inlines.is_empty())
            .collect()
    };
    let block = match done {
        Pending::Paragraph(lines) => Block::Paragraph(parse_lines(&lines)),
        Pending::Bullets(list) => Block::BulletList(items(list)),
        Pending::Numbered(list) => Block::NumberedList(items(list)),
    };
    let empty = match &block {
        Block::Paragraph(inlines) | Block::Heading(inlines) => inlines.is_empty(),
        Block::BulletList(list) | Block::NumberedList(list) => list.is_empty(),
    };
    if !empty {
        blocks.push(block);
    }
}

/// Joins a block's lines (with break markers between them) and parses the inlines.
fn parse_lines(lines: &[&str]) -> Vec<Inline> {
    let mut joined = String::new();
    for (index, line) in lines.iter().enumerate() {
        if index + 1 == lines.len() {
            joined.push_str(line.trim());
        } else {
            let (content, hard) = split_hard_break(line);
            joined.push_str(content.trim());
            joined.push(if hard { HARD_BREAK } else { SOFT_BREAK });
        }
    }
    // Both break markers are whitespace, so this also drops breaks at the edges.
    InlineParser::new(joined.trim()).parse()
}

/// Splits a trailing hard-break marker (two spaces, or an unescaped `\`) off a line.
fn split_hard_break(line: &str) -> (&str, bool) {
    if line.ends_with("  ") {
        return (line, true);
    }
    let backslashes = line.bytes().rev().take_while(|&b| b == b'\\').count();
    match line.strip_suffix('\\') {
        Some(content) if backslashes % 2 == 1 => (content, true),
        _ => (line, false),
    }
}

// ---------------------------------------------------------------------------
// Inlines
// ---------------------------------------------------------------------------
//
// The inline parser follows the structure of CommonMark's reference algorithm:
// the text is scanned once into a linked tree of nodes in an arena; runs of `*`
// and `_` go on a delimiter stack, `[` on a bracket stack. A `]` followed by a
// valid destination turns the nodes after its `[` into a link, and delimiters are
// matched into strong/emphasis nodes ("process emphasis"), inside each link when it
// closes and at the end for the rest. Every node moves into a container at most
// once and the opener search is bounded per delimiter class, so the work is
// roughly linear. The arena is converted into [`Inline`]s at the end, flattening
// anything nested deeper than [`MAX_DEPTH`] without recursing further.

/// The root node of the arena.
const ROOT: usize = 0;

enum Kind {
    Root,
    Text(String),
    /// A delimiter run; its current length lives in the referenced [`Delim`].
    Delim(usize),
    LineBreak,
    Strong,
    Emphasis,
    Link(String),
}

struct Node {
    kind: Kind,
    parent: Option<usize>,
    prev: Option<usize>,
    next: Option<usize>,
    first: Option<usize>,
    last: Option<usize>,
}

/// A run of `*` or `_`; arena indices follow document order.
struct Delim {
    node: usize,
    ch: char,
    /// Characters not yet used for emphasis.
    count: usize,
    /// Length of the run in the source (for CommonMark's "multiple of 3" rule).
    orig: usize,
    can_open: bool,
    can_close: bool,
    prev: Option<usize>,
    next: Option<usize>,
}

/// An unclosed `[`.
struct Bracket {
    /// Its `[` text node.
    node: usize,
    /// Its index in the source characters.
    pos: usize,
    /// The top of the delimiter stack when it was pushed.
    prev_delim: Option<usize>,
}

struct InlineParser {
    chars: Vec<char>,
    nodes: Vec<Node>,
    delims: Vec<Delim>,
    /// Top of the delimiter stack (a linked list through `Delim::prev`/`next`).
    top: Option<usize>,
    brackets: Vec<Bracket>,
    /// Brackets below this index are inactive (a link closed after them).
    active_floor: usize,
    /// Text not yet turned into a node.
    text: String,
}

impl InlineParser {
    fn new(text: &str) -> Self {
        let mut parser = InlineParser {
            chars: text.chars().collect(),
            nodes: Vec::new(),
            delims: Vec::new(),
            top: None,
            brackets: Vec::new(),
            active_floor: 0,
            text: String::new(),
        };
        parser.new_node(Kind::Root);
        parser
    }

    fn parse(mut self) -> Vec<Inline> {
        let mut i = 0;
        while let Some(&c) = self.chars.get(i) {
            i = match c {
                '\\' => match self.chars.get(i + 1) {
                    Some(&next) if next.is_ascii_punctuation() => {
                        self.text.push(next);
                        i + 2
                    }
                    _ => {
                        self.text.push('\\');
                        i + 1
                    }
                },
                SOFT_BREAK => {
                    self.text.push(' ');
                    i + 1
                }
                HARD_BREAK => {
                    self.push_node(Kind::LineBreak);
                    i + 1
                }
                '*' | '_' => self.delimiter_run(i, c),
                '[' => {
                    let node = self.push_node(Kind::Text("[".to_owned()));
                    self.brackets.push(Bracket {
                        node,
                        pos: i,
                        prev_delim: self.top,
                    });
                    i + 1
                }
                ']' => self.close_bracket(i),
                _ => {
                    self.text.push(c);
                    i + 1
                }
            };
        }
        self.flush_text();
        self.process_emphasis(None);
        let mut out = Vec::new();
        self.build(ROOT, 0, &mut out);
        out
    }

    // --- arena ---

    fn new_node(&mut self, kind: Kind) -> usize {
        self.nodes.push(Node {
            kind,
            parent: None,
            prev: None,
            next: None,
            first: None,
            last: None,
        });
        self.nodes.len() - 1
    }

    fn append(&mut self, parent: usize, id: usize) {
        let last = self.nodes[parent].last;
        let node = &mut self.nodes[id];
        node.parent = Some(parent);
        node.prev = last;
        node.next = None;
        match last {
            Some(last) => self.nodes[last].next = Some(id),
            None => self.nodes[parent].first = Some(id),
        }
        self.nodes[parent].last = Some(id);
    }

    fn insert_after(&mut self, anchor: usize, id: usize) {
        let parent = self.nodes[anchor].parent;
        let next = self.nodes[anchor].next;
        let node = &mut self.nodes[id];
        node.parent = parent;
        node.prev = Some(anchor);
        node.next = next;
        self.nodes[anchor].next = Some(id);
        match (next, parent) {
            (Some(next), _) => self.nodes[next].prev = Some(id),
            (None, Some(parent)) => self.nodes[parent].last = Some(id),
            (None, None) => {}
        }
    }

    fn unlink(&mut self, id: usize) {
        let Node {
            parent, prev, next, ..
        } = self.nodes[id];
        match (prev, parent) {
            (Some(prev), _) => self.nodes[prev].next = next,
            (None, Some(parent)) => self.nodes[parent].first = next,
            (None, None) => {}
        }
        match (next, parent) {
            (Some(next), _) => self.nodes[next].prev = prev,
            (None, Some(parent)) => self.nodes[parent].last = prev,
            (None, None) => {}
        }
        let node = &mut self.nodes[id];
        node.parent = None;
        node.prev = None;
        node.next = None;
    }

    /// Moves the siblings from `from` up to (not including) `stop` into `container`.
    fn move_into(&mut self, from: Option<usize>, stop: Option<usize>, container: usize) {
        let mut cursor = from;
        while let Some(id) = cursor {
            if Some(id) == stop {
                break;
            }
            cursor = self.nodes[id].next;
            self.unlink(id);
            self.append(container, id);
        }
    }

    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            let id = self.new_node(Kind::Text(text));
            self.append(ROOT, id);
        }
    }

    fn push_node(&mut self, kind: Kind) -> usize {
        self.flush_text();
        let id = self.new_node(kind);
        self.append(ROOT, id);
        id
    }

    // --- delimiters ---

    /// Scans the run of `ch` starting at `start`; returns the index after it.
    fn delimiter_run(&mut self, start: usize, ch: char) -> usize {
        let len = self.chars[start..].iter().take_while(|&&c| c == ch).count();
        let end = start + len;
        let before = start
            .checked_sub(1)
            .and_then(|i| self.chars.get(i))
            .copied()
            .unwrap_or(' ');
        let after = self.chars.get(end).copied().unwrap_or(' ');
        let left_flanking = !after.is_whitespace()
            && (!is_punctuation(after) || before.is_whitespace() || is_punctuation(before));
        let right_flanking = !before.is_whitespace()
            && (!is_punctuation(before) || after.is_whitespace() || is_punctuation(after));
        let (can_open, can_close) = if ch == '*' {
            (left_flanking, right_flanking)
        } else {
            (
                left_flanking && (!right_flanking || is_punctuation(before)),
                right_flanking && (!left_flanking || is_punctuation(after)),
            )
        };
        let id = self.delims.len();
        let node = self.push_node(Kind::Delim(id));
        let on_stack = can_open || can_close;
        self.delims.push(Delim {
            node,
            ch,
            count: len,
            orig: len,
            can_open,
            can_close,
            prev: if on_stack { self.top } else { None },
            next: None,
        });
        if on_stack {
            if let Some(top) = self.top {
                self.delims[top].next = Some(id);
            }
            self.top = Some(id);
        }
        end
    }

    fn remove_delim(&mut self, id: usize) {
        let (prev, next) = (self.delims[id].prev, self.delims[id].next);
        if let Some(prev) = prev {
            self.delims[prev].next = next;
        }
        match next {
            Some(next) => self.delims[next].prev = prev,
            None => self.top = prev,
        }
    }

    /// Drops every delimiter above `bottom` from the stack.
    fn truncate_delims(&mut self, bottom: Option<usize>) {
        self.top = bottom;
        if let Some(bottom) = bottom {
            self.delims[bottom].next = None;
        }
    }

    /// Matches the delimiters above `bottom` into strong/emphasis nodes.
    fn process_emphasis(&mut self, bottom: Option<usize>) {
        // Per (character, closer length mod 3, closer can open): no opener at or
        // below this delimiter can match, so later searches stop there.
        let mut openers_bottom = [[[bottom; 2]; 3]; 2];
        let mut first = None;
        let mut cursor = self.top;
        while let Some(id) = cursor {
            if Some(id) <= bottom {
                break;
            }
            first = Some(id);
            cursor = self.delims[id].prev;
        }
        let mut closer = first;
        while let Some(c) = closer {
            let Delim {
                ch,
                orig,
                can_open,
                can_close,
                prev,
                next,
                ..
            } = self.delims[c];
            if !can_close {
                closer = next;
                continue;
            }
            let slot = &mut openers_bottom[usize::from(ch == '_')][orig % 3][usize::from(can_open)];
            let limit = (*slot).max(bottom);
            let mut candidate = prev;
            let mut found = None;
            while let Some(o) = candidate {
                if Some(o) <= limit {
                    break;
                }
                let opener = &self.delims[o];
                if opener.ch == ch && opener.can_open {
                    let both_sides = opener.can_close || can_open;
                    let odd_match = both_sides
                        && (opener.orig + orig).is_multiple_of(3)
                        && !(opener.orig.is_multiple_of(3) && orig.is_multiple_of(3));
                    if !odd_match {
                        found = Some(o);
                        break;
                    }
                }
                candidate = opener.prev;
            }
            match found {
                Some(o) => closer = self.match_delims(o, c),
                None => {
                    *slot = prev;
                    if !can_open {
                        self.remove_delim(c);
                    }
                    closer = next;
                }
            }
        }
        self.truncate_delims(bottom);
    }

    /// Wraps the nodes between opener `o` and closer `c` in strong/emphasis;
    /// returns the closer to look at next.
    fn match_delims(&mut self, o: usize, c: usize) -> Option<usize> {
        let used = if self.delims[o].count >= 2 && self.delims[c].count >= 2 {
            2
        } else {
            1
        };
        self.delims[o].count -= used;
        self.delims[c].count -= used;
        let container = self.new_node(if used == 2 {
            Kind::Strong
        } else {
            Kind::Emphasis
        });
        let (opener_node, closer_node) = (self.delims[o].node, self.delims[c].node);
        let inner = self.nodes[opener_node].next;
        self.move_into(inner, Some(closer_node), container);
        self.insert_after(opener_node, container);
        // Delimiters between the two can no longer match anything.
        self.delims[o].next = Some(c);
        self.delims[c].prev = Some(o);
        if self.delims[o].count == 0 {
            self.unlink(opener_node);
            self.remove_delim(o);
        }
        if self.delims[c].count == 0 {
            let next = self.delims[c].next;
            self.unlink(closer_node);
            self.remove_delim(c);
            next
        } else {
            Some(c)
        }
    }

    // --- links ---

    /// Handles a `]` at `pos`; returns the index to continue at.
    fn close_bracket(&mut self, pos: usize) -> usize {
        let Some(bracket) = self.brackets.pop() else {
            self.text.push(']');
            return pos + 1;
        };
        let active = self.brackets.len() >= self.active_floor;
        self.active_floor = self.active_floor.min(self.brackets.len());
        let destination = if active {
            parse_destination(&self.chars, pos + 1)
        } else {
            None
        };
        let Some((href, end)) = destination else {
            self.text.push(']');
            return pos + 1;
        };
        self.flush_text();
        if is_allowed_href(&href) {
            let link = self.new_node(Kind::Link(href));
            let label = self.nodes[bracket.node].next;
            self.move_into(label, None, link);
            self.insert_after(bracket.node, link);
            self.unlink(bracket.node);
            self.process_emphasis(bracket.prev_delim);
            // No links inside links: every earlier `[` is now plain text.
            self.active_floor = self.brackets.len();
        } else {
            // The whole construct becomes plain text, exactly as written.
            let mut cursor = Some(bracket.node);
            while let Some(id) = cursor {
                cursor = self.nodes[id].next;
                self.unlink(id);
                // The raw text below replaces it: free it now, or nested constructs keep
                // every level's copy (found by fuzzing: 100 MB for 94 KB of `[[[…`).
                if let Kind::Text(text) = &mut self.nodes[id].kind {
                    *text = String::new();
                }
            }
            self.truncate_delims(bracket.prev_delim);
            let raw = self.chars.get(bracket.pos..end).unwrap_or_default();
            self.text.push_str(&unescape(raw));
        }
        end
    }

    // --- output ---

    /// Converts the children of `parent` into inlines; containers at `depth`
    /// [`MAX_DEPTH`] and deeper are flattened into their parent iteratively.
    fn build(&self, parent: usize, depth: usize, out: &mut Vec<Inline>) {
        let mut resume: Vec<Option<usize>> = Vec::new();
        let mut cursor = self.nodes[parent].first;
        loop {
            let Some(id) = cursor else {
                match resume.pop() {
                    Some(next) => {
                        cursor = next;
                        continue;
                    }
                    None => break,
                }
            };
            let node = &self.nodes[id];
            cursor = node.next;
            match &node.kind {
                Kind::Root => {}
                Kind::Text(text) => push_text(out, text),
                Kind::Delim(delim) => {
                    if let Some(delim) = self.delims.get(*delim) {
                        push_text(out, &delim.ch.to_string().repeat(delim.count));
                    }
                }
                Kind::LineBreak => out.push(Inline::LineBreak),
                Kind::Strong | Kind::Emphasis | Kind::Link(_) if depth >= MAX_DEPTH => {
                    resume.push(cursor);
                    cursor = node.first;
                }
                Kind::Strong | Kind::Emphasis => {
                    let mut children = Vec::new();
                    self.build(id, depth + 1, &mut children);
                    if !children.is_empty() {
                        out.push(if matches!(node.kind, Kind::Strong) {
                            Inline::Strong(children)
                        } else {
                            Inline::Emphasis(children)
                        });
                    }
                }
                Kind::Link(href) => {
                    let mut children = Vec::new();
                    self.build(id, depth + 1, &mut children);
                    if children.is_empty() {
                        children.push(Inline::Text(href.clone()));
                    }
                    out.push(Inline::Link {
                        href: href.clone(),
                        children,
                    });
                }
            }
        }
    }
}

/// Appends text, merging it into a preceding [`Inline::Text`].
fn push_text(out: &mut Vec<Inline>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Inline::Text(last)) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Inline::Text(text.to_owned()));
    }
}

/// CommonMark punctuation: ASCII punctuation, and non-ASCII characters that are
/// neither alphanumeric nor whitespace (punctuation and symbols).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace())
}

/// Resolves backslash escapes and turns break markers into spaces.
fn unescape(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match (c, chars.get(i + 1)) {
            ('\\', Some(&next)) if next.is_ascii_punctuation() => {
                out.push(next);
                i += 2;
                continue;
            }
            (SOFT_BREAK | HARD_BREAK, _) => out.push(' '),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Parses `(destination)` at `start`; returns the unescaped destination and the
/// index after the `)`, or `None` if there is no such construct.
fn parse_destination(chars: &[char], start: usize) -> Option<(String, usize)> {
    if chars.get(start) != Some(&'(') {
        return None;
    }
    let skip_whitespace = |mut i: usize| {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        i
    };
    let begin = skip_whitespace(start + 1);
    let mut i = begin;
    let mut depth = 0usize;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' if chars.get(i + 1).is_some_and(char::is_ascii_punctuation) => {
                i += 2;
                continue;
            }
            '(' => {
                depth += 1;
                if depth > MAX_DESTINATION_PARENS {
                    return None;
                }
            }
            ')' if depth == 0 => break,
            ')' => depth -= 1,
            c if c.is_whitespace() => break,
            _ => {}
        }
        i += 1;
    }
    let destination = unescape(chars.get(begin..i)?);
    let end = skip_whitespace(i);
    (chars.get(end) == Some(&')')).then_some((destination, end + 1))
}

/// Whether `href` may become a link: an allowed scheme or a site-relative path.
fn is_allowed_href(href: &str) -> bool {
    if href.is_empty()
        || href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return false;
    }
    if let Some(path) = href.strip_prefix('/') {
        return !path.starts_with('/');
    }
    href.split_once(':').is_some_and(|(scheme, _)| {
        ALLOWED_SCHEMES
            .iter()
            .any(|allowed| scheme.eq_ignore_ascii_case(allowed))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(text: &str) -> Inline {
        Inline::Text(text.to_owned())
    }
    fn strong(children: Vec<Inline>) -> Inline {
        Inline::Strong(children)
    }
    fn em(children: Vec<Inline>) -> Inline {
        Inline::Emphasis(children)
    }
    fn link(href: &str, children: Vec<Inline>) -> Inline {
        Inline::Link {
            href: href.to_owned(),
            children,
        }
    }
    fn p(inlines: Vec<Inline>) -> Block {
        Block::Paragraph(inlines)
    }
    fn ptext(text: &str) -> Block {
        Block::Paragraph(vec![t(text)])
    }
    fn h(inlines: Vec<Inline>) -> Block {
        Block::Heading(inlines)
    }
    fn ul(items: Vec<Vec<Inline>>) -> Block {
        Block::BulletList(items)
    }
    fn ol(items: Vec<Vec<Inline>>) -> Block {
        Block::NumberedList(items)
    }

    fn check(input: &str, expected: &[Block]) {
        let actual = parse(input);
        assert_eq!(actual, expected, "input: {input:?}");
        assert_invariants(input, &actual);
    }

    fn check_all(cases: &[(&str, Vec<Block>)]) {
        for (input, expected) in cases {
            check(input, expected);
        }
    }

    /// The test's own, independent statement of which hrefs are acceptable.
    fn href_is_safe(href: &str) -> bool {
        let lower = href.to_ascii_lowercase();
        let scheme_ok = ["https:", "http:", "mailto:", "tel:"]
            .iter()
            .any(|prefix| lower.starts_with(prefix))
            || (lower.starts_with('/') && !lower.starts_with("//"));
        scheme_ok
            && !href
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    }

    fn check_inlines(input: &str, inlines: &[Inline], depth: usize, in_link: bool) {
        assert!(depth <= MAX_DEPTH, "too deep for {input:?}");
        for pair in inlines.windows(2) {
            assert!(
                !matches!(pair, [Inline::Text(_), Inline::Text(_)]),
                "unmerged text for {input:?}"
            );
        }
        for inline in inlines {
            match inline {
                Inline::Text(text) => {
                    assert!(!text.is_empty(), "empty text for {input:?}");
                    assert!(!text.contains(['\n', '\r']), "break marker for {input:?}");
                }
                Inline::Strong(children) | Inline::Emphasis(children) => {
                    assert!(!children.is_empty(), "empty container for {input:?}");
                    check_inlines(input, children, depth + 1, in_link);
                }
                Inline::Link { href, children } => {
                    assert!(href_is_safe(href), "unsafe href {href:?} for {input:?}");
                    assert!(!in_link, "link in link for {input:?}");
                    assert!(!children.is_empty(), "empty link for {input:?}");
                    check_inlines(input, children, depth + 1, true);
                }
                Inline::LineBreak => {}
            }
        }
    }

    fn assert_invariants(input: &str, blocks: &[Block]) {
        for block in blocks {
            match block {
                Block::Paragraph(inlines) | Block::Heading(inlines) => {
                    assert!(!inlines.is_empty(), "empty block for {input:?}");
                    check_inlines(input, inlines, 0, false);
                }
                Block::BulletList(items) | Block::NumberedList(items) => {
                    assert!(!items.is_empty(), "empty list for {input:?}");
                    for item in items {
                        assert!(!item.is_empty(), "empty item for {input:?}");
                        check_inlines(input, item, 0, false);
                    }
                }
            }
        }
    }

    fn depth_of(inlines: &[Inline]) -> usize {
        inlines
            .iter()
            .map(|inline| match inline {
                Inline::Strong(c) | Inline::Emphasis(c) | Inline::Link { children: c, .. } => {
                    1 + depth_of(c)
                }
                Inline::Text(_) | Inline::LineBreak => 0,
            })
            .max()
            .unwrap_or(0)
    }

    fn block_inlines(blocks: &[Block]) -> Vec<Inline> {
        blocks
            .iter()
            .flat_map(|block| match block {
                Block::Paragraph(inlines) | Block::Heading(inlines) => inlines.clone(),
                Block::BulletList(items) | Block::NumberedList(items) => items.concat(),
            })
            .collect()
    }

    #[test]
    fn blocks() {
        check_all(&[
            ("", vec![]),
            ("   \n\t\n  ", vec![]),
            ("Hej världen", vec![ptext("Hej världen")]),
            ("  indragen  ", vec![ptext("indragen")]),
            (
                "rad ett\nrad två\n   rad tre",
                vec![ptext("rad ett rad två rad tre")],
            ),
            (
                "ett\n\ntvå\n  \n\n tre",
                vec![ptext("ett"), ptext("två"), ptext("tre")],
            ),
            ("a\r\nb\r\n\r\nc\r\n", vec![ptext("a b"), ptext("c")]),
            ("a\rb\r\rc", vec![ptext("a b"), ptext("c")]),
            ("# Rubrik", vec![h(vec![t("Rubrik")])]),
            ("## Rubrik två ", vec![h(vec![t("Rubrik två")])]),
            ("### Tre", vec![h(vec![t("Tre")])]),
            ("  # Indragen", vec![h(vec![t("Indragen")])]),
            ("#### Fyra", vec![ptext("#### Fyra")]),
            ("#Ingen", vec![ptext("#Ingen")]),
            ("#\n# \nText", vec![ptext("Text")]),
            (
                "# **Viktigt** om _dig_",
                vec![h(vec![
                    strong(vec![t("Viktigt")]),
                    t(" om "),
                    em(vec![t("dig")]),
                ])],
            ),
            (
                "före\n# Rubrik\nefter",
                vec![ptext("före"), h(vec![t("Rubrik")]), ptext("efter")],
            ),
            (
                "- ett\n* två\n  - tre",
                vec![ul(vec![vec![t("ett")], vec![t("två")], vec![t("tre")]])],
            ),
            (
                "1. ett\n2. två\n10. tio",
                vec![ol(vec![vec![t("ett")], vec![t("två")], vec![t("tio")]])],
            ),
            ("7. sju", vec![ol(vec![vec![t("sju")]])]),
            (
                "- ett\n  fortsätter\nhär\n- två",
                vec![ul(vec![vec![t("ett fortsätter här")], vec![t("två")]])],
            ),
            (
                "- punkt\n1. nummer\n- punkt",
                vec![
                    ul(vec![vec![t("punkt")]]),
                    ol(vec![vec![t("nummer")]]),
                    ul(vec![vec![t("punkt")]]),
                ],
            ),
            (
                "Du behöver:\n- ID\n- intyg\n\nSkicka sedan.",
                vec![
                    ptext("Du behöver:"),
                    ul(vec![vec![t("ID")], vec![t("intyg")]]),
                    ptext("Skicka sedan."),
                ],
            ),
            (
                "- a\n\n- b",
                vec![ul(vec![vec![t("a")]]), ul(vec![vec![t("b")]])],
            ),
            ("- \n-\n- a", vec![ul(vec![vec![t("a")]])]),
            ("-", vec![]),
            (
                "-a\n1.a\n1234567890. a",
                vec![ptext("-a 1.a 1234567890. a")],
            ),
            ("*fet* rad", vec![p(vec![em(vec![t("fet")]), t(" rad")])]),
            (
                "- **a**\n- [b](/b)",
                vec![ul(vec![
                    vec![strong(vec![t("a")])],
                    vec![link("/b", vec![t("b")])],
                ])],
            ),
            ("---", vec![ptext("---")]),
            ("***", vec![ptext("***")]),
            (
                "\\- ingen lista\n\\# ingen rubrik",
                vec![ptext("- ingen lista # ingen rubrik")],
            ),
            ("1\\. ingen lista", vec![ptext("1. ingen lista")]),
        ]);
    }

    #[test]
    fn line_breaks() {
        check_all(&[
            (
                "rad ett  \nrad två",
                vec![p(vec![t("rad ett"), Inline::LineBreak, t("rad två")])],
            ),
            (
                "rad ett\\\nrad två",
                vec![p(vec![t("rad ett"), Inline::LineBreak, t("rad två")])],
            ),
            (
                "rad ett \\\r\nrad två",
                vec![p(vec![t("rad ett"), Inline::LineBreak, t("rad två")])],
            ),
            // An escaped backslash is not a break.
            ("a\\\\\nb", vec![ptext("a\\ b")]),
            // Not after the last line of a block.
            ("slut  ", vec![ptext("slut")]),
            ("slut\\", vec![ptext("slut\\")]),
            ("slut\\\n\nnästa", vec![ptext("slut\\"), ptext("nästa")]),
            // An empty first line with a break does not start the block with a break.
            ("\\\ntext", vec![ptext("text")]),
            (
                "- a  \n  b",
                vec![ul(vec![vec![t("a"), Inline::LineBreak, t("b")]])],
            ),
            (
                "**fet  \nrad**",
                vec![p(vec![strong(vec![t("fet"), Inline::LineBreak, t("rad")])])],
            ),
            ("# rubrik  ", vec![h(vec![t("rubrik")])]),
        ]);
    }

    #[test]
    fn emphasis() {
        check_all(&[
            ("**fet**", vec![p(vec![strong(vec![t("fet")])])]),
            ("*kursiv*", vec![p(vec![em(vec![t("kursiv")])])]),
            ("_kursiv_", vec![p(vec![em(vec![t("kursiv")])])]),
            ("__fet__", vec![p(vec![strong(vec![t("fet")])])]),
            (
                "**fet *kursiv* text**",
                vec![p(vec![strong(vec![
                    t("fet "),
                    em(vec![t("kursiv")]),
                    t(" text"),
                ])])],
            ),
            (
                "*kursiv **fet** text*",
                vec![p(vec![em(vec![
                    t("kursiv "),
                    strong(vec![t("fet")]),
                    t(" text"),
                ])])],
            ),
            (
                "***båda***",
                vec![p(vec![em(vec![strong(vec![t("båda")])])])],
            ),
            (
                "_kursiv med **fet**_",
                vec![p(vec![em(vec![t("kursiv med "), strong(vec![t("fet")])])])],
            ),
            ("*över\nrader*", vec![p(vec![em(vec![t("över rader")])])]),
            ("a*b*c", vec![p(vec![t("a"), em(vec![t("b")]), t("c")])]),
            ("snake_case_name", vec![ptext("snake_case_name")]),
            ("2 * 3 * 4", vec![ptext("2 * 3 * 4")]),
            ("**a", vec![ptext("**a")]),
            ("a**", vec![ptext("a**")]),
            ("*a", vec![ptext("*a")]),
            ("_a", vec![ptext("_a")]),
            ("a_", vec![ptext("a_")]),
            ("** a **", vec![ptext("** a **")]),
            ("**a*", vec![p(vec![t("*"), em(vec![t("a")])])]),
            ("*a**", vec![p(vec![em(vec![t("a")]), t("*")])]),
            ("*a_", vec![ptext("*a_")]),
            ("****", vec![ptext("****")]),
            (
                "*(*a*)*",
                vec![p(vec![em(vec![t("("), em(vec![t("a")]), t(")")])])],
            ),
            (
                "**Obs!** Läs *noga*.",
                vec![p(vec![
                    strong(vec![t("Obs!")]),
                    t(" Läs "),
                    em(vec![t("noga")]),
                    t("."),
                ])],
            ),
        ]);
    }

    #[test]
    fn escapes() {
        check_all(&[
            ("\\*inte kursiv\\*", vec![ptext("*inte kursiv*")]),
            ("\\_inte\\_", vec![ptext("_inte_")]),
            ("\\*\\*inte fet\\*\\*", vec![ptext("**inte fet**")]),
            ("\\\\", vec![ptext("\\")]),
            ("\\a \\å", vec![ptext("\\a \\å")]),
            ("\\[x](/y)", vec![ptext("[x](/y)")]),
            ("[x\\](/y)", vec![ptext("[x](/y)")]),
            ("\\<b\\>", vec![ptext("<b>")]),
            (
                "\\**fet**",
                vec![p(vec![t("*"), em(vec![t("fet")]), t("*")])],
            ),
            ("snett \\ streck", vec![ptext("snett \\ streck")]),
        ]);
    }

    #[test]
    fn links() {
        check_all(&[
            (
                "[Skatteverket](https://www.skatteverket.se)",
                vec![p(vec![link(
                    "https://www.skatteverket.se",
                    vec![t("Skatteverket")],
                )])],
            ),
            (
                "Läs [villkoren](/villkor) först.",
                vec![p(vec![
                    t("Läs "),
                    link("/villkor", vec![t("villkoren")]),
                    t(" först."),
                ])],
            ),
            (
                "[http](http://example.com/a?b=c&d=e#f)",
                vec![p(vec![link(
                    "http://example.com/a?b=c&d=e#f",
                    vec![t("http")],
                )])],
            ),
            (
                "[Mejla oss](mailto:info@kommun.se)",
                vec![p(vec![link("mailto:info@kommun.se", vec![t("Mejla oss")])])],
            ),
            (
                "[Ring](tel:+46812345678)",
                vec![p(vec![link("tel:+46812345678", vec![t("Ring")])])],
            ),
            (
                "[Stor](HTTPS://EXAMPLE.SE)",
                vec![p(vec![link("HTTPS://EXAMPLE.SE", vec![t("Stor")])])],
            ),
            (
                "[mellanslag]( /sida )",
                vec![p(vec![link("/sida", vec![t("mellanslag")])])],
            ),
            (
                "[wiki](https://sv.wikipedia.org/wiki/Test_(olika))",
                vec![p(vec![link(
                    "https://sv.wikipedia.org/wiki/Test_(olika)",
                    vec![t("wiki")],
                )])],
            ),
            (
                "[esc](https://x.se/a\\_b)",
                vec![p(vec![link("https://x.se/a_b", vec![t("esc")])])],
            ),
            (
                "[**fet** länk](/x)",
                vec![p(vec![link(
                    "/x",
                    vec![strong(vec![t("fet")]), t(" länk")],
                )])],
            ),
            (
                "*se [här](/x)*",
                vec![p(vec![em(vec![t("se "), link("/x", vec![t("här")])])])],
            ),
            (
                "**[a](/a) och [b](/b)**",
                vec![p(vec![strong(vec![
                    link("/a", vec![t("a")]),
                    t(" och "),
                    link("/b", vec![t("b")]),
                ])])],
            ),
            (
                "[två\nrader](/x)",
                vec![p(vec![link("/x", vec![t("två rader")])])],
            ),
            ("[](/tom)", vec![p(vec![link("/tom", vec![t("/tom")])])]),
            // Emphasis cannot cross a link's boundary.
            (
                "*[a*](/x)",
                vec![p(vec![t("*"), link("/x", vec![t("a*")])])],
            ),
            // No links in links.
            (
                "[a [b](/b)](/a)",
                vec![p(vec![t("[a "), link("/b", vec![t("b")]), t("](/a)")])],
            ),
            (
                "[[a](/a)]",
                vec![p(vec![t("["), link("/a", vec![t("a")]), t("]")])],
            ),
            ("[a] (/x) [b]", vec![ptext("[a] (/x) [b]")]),
            ("[a](/x \"titel\")", vec![ptext("[a](/x \"titel\")")]),
            ("[a](/x", vec![ptext("[a](/x")]),
            ("[a", vec![ptext("[a")]),
            ("a]", vec![ptext("a]")]),
            ("[a]", vec![ptext("[a]")]),
            ("[a](", vec![ptext("[a](")]),
            (
                "![bild](https://x.se/a.png)",
                vec![p(vec![t("!"), link("https://x.se/a.png", vec![t("bild")])])],
            ),
        ]);
    }

    #[test]
    fn nested_unsafe_links_are_their_text_once() {
        // Found by fuzzing (crates/fuzz): each refused level kept a copy of its text, so
        // 94 KB of nested `[…](javascript:…)` allocated 100 MB. The text is still exact.
        let levels = 2000;
        let input = format!(
            "{}{}",
            "[a".repeat(levels),
            "](javascript:x)".repeat(levels)
        );
        let blocks = parse(&input);
        assert_eq!(blocks, vec![Block::Paragraph(vec![t(&input)])]);
        assert_eq!(
            parse("[a [b](javascript:x) c](javascript:y)"),
            vec![Block::Paragraph(vec![t(
                "[a [b](javascript:x) c](javascript:y)"
            )])]
        );
    }

    #[test]
    fn unsafe_links_are_text() {
        let cases = [
            "[klicka](javascript:alert(1))",
            "[klicka]( JaVaScRiPt:alert(1))",
            "[klicka](JAVASCRIPT:alert(1))",
            "[klicka](java\tscript:alert(1))",
            "[klicka](java\\tscript:alert(1))",
            "[klicka](\u{0}javascript:alert(1))",
            "[klicka](\u{1}javascript:alert(1))",
            "[klicka](java\u{0}script:alert(1))",
            "[klicka](\u{200b}javascript:alert(1))",
            "[klicka](data:text/html,<script>alert(1)</script>)",
            "[klicka](data:text/html;base64,PHNjcmlwdD4=)",
            "[klicka](vbscript:msgbox(1))",
            "[klicka](file:///etc/passwd)",
            "[klicka](ftp://example.se)",
            "[klicka](//evil.example)",
            "[klicka](/\\evil.example)",
            "[klicka](\\\\evil.example)",
            "[klicka](/\\/evil.example)",
            "[klicka](relativ.html)",
            "[klicka](#ankare)",
            "[klicka](?fråga)",
            "[klicka]()",
            "[klicka](<https://x.se>)",
            "[klicka](https\u{ff1a}//x.se)",
            "[klicka](httpſ://x.se)",
        ];
        for input in cases {
            let blocks = parse(input);
            assert_invariants(input, &blocks);
            let inlines = block_inlines(&blocks);
            assert!(
                !inlines.iter().any(|i| matches!(i, Inline::Link { .. })),
                "{input:?} gave a link: {blocks:?}"
            );
            assert!(
                plain_text(&inlines).starts_with("[klicka]("),
                "{input:?} lost its text: {blocks:?}"
            );
        }
        check_all(&[
            (
                "[klicka](javascript:alert(1))",
                vec![ptext("[klicka](javascript:alert(1))")],
            ),
            (
                "Se [**här**](javascript:alert(1)) nu",
                vec![ptext("Se [**här**](javascript:alert(1)) nu")],
            ),
            (
                "**[a](javascript:x)**",
                vec![p(vec![strong(vec![t("[a](javascript:x)")])])],
            ),
            (
                "[a [b](javascript:x)](/ok)",
                vec![p(vec![link("/ok", vec![t("a [b](javascript:x)")])])],
            ),
            (
                "[a\\*](data:x) [b](/b)",
                vec![p(vec![t("[a*](data:x) "), link("/b", vec![t("b")])])],
            ),
        ]);
    }

    #[test]
    fn raw_html_is_text() {
        check_all(&[
            (
                "<script>alert(1)</script>",
                vec![ptext("<script>alert(1)</script>")],
            ),
            (
                "<b>fet</b> &amp; &lt;",
                vec![ptext("<b>fet</b> &amp; &lt;")],
            ),
            (
                "<img src=x onerror=alert(1)>",
                vec![ptext("<img src=x onerror=alert(1)>")],
            ),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                vec![ptext("<a href=\"javascript:alert(1)\">x</a>")],
            ),
            ("**<script>**", vec![p(vec![strong(vec![t("<script>")])])]),
            (
                "[<script>](/x)",
                vec![p(vec![link("/x", vec![t("<script>")])])],
            ),
        ]);
    }

    #[test]
    fn swedish_text() {
        check_all(&[
            (
                "Ansökan måste **lämnas** senast _fredag_ kl. 12.00.\nÅÄÖ åäö é ü",
                vec![p(vec![
                    t("Ansökan måste "),
                    strong(vec![t("lämnas")]),
                    t(" senast "),
                    em(vec![t("fredag")]),
                    t(" kl. 12.00. ÅÄÖ åäö é ü"),
                ])],
            ),
            (
                "# Välkommen till e-tjänsten\n\n- Bifoga *läkarintyg*\n- Ange [personnummer](/hjälp/personnummer)",
                vec![
                    h(vec![t("Välkommen till e-tjänsten")]),
                    ul(vec![
                        vec![t("Bifoga "), em(vec![t("läkarintyg")])],
                        vec![
                            t("Ange "),
                            link("/hjälp/personnummer", vec![t("personnummer")]),
                        ],
                    ]),
                ],
            ),
            (
                "_å_ *ö*",
                vec![p(vec![em(vec![t("å")]), t(" "), em(vec![t("ö")])])],
            ),
            ("»citat« – ”här”", vec![ptext("»citat« – ”här”")]),
        ]);
    }

    #[test]
    fn plain_text_of_inlines() {
        let blocks = parse("**Fet** och *[länk](/x)*  \nrad två");
        let inlines = block_inlines(&blocks);
        assert_eq!(plain_text(&inlines), "Fet och länk\nrad två");
        assert_eq!(plain_text(&[]), "");
        assert_eq!(
            plain_text(&[link("/x", vec![t("a"), em(vec![t("b")])]), t("c")]),
            "abc"
        );
    }

    #[test]
    fn nesting_depth_is_limited() {
        let deep_strong = format!("{}kärna{}", "*".repeat(200), "*".repeat(200));
        let blocks = parse(&deep_strong);
        assert_invariants(&deep_strong, &blocks);
        let inlines = block_inlines(&blocks);
        assert_eq!(depth_of(&inlines), MAX_DEPTH);
        assert_eq!(plain_text(&inlines), "kärna");

        let mut alternating = String::new();
        for level in 0..100 {
            alternating.push_str(if level % 2 == 0 { "*a " } else { "_b " });
        }
        alternating.push('c');
        for level in (0..100).rev() {
            alternating.push_str(if level % 2 == 0 { " d*" } else { " e_" });
        }
        let blocks = parse(&alternating);
        assert_invariants(&alternating, &blocks);
        let inlines = block_inlines(&blocks);
        assert_eq!(depth_of(&inlines), MAX_DEPTH);
        assert_eq!(
            plain_text(&inlines).chars().filter(|&c| c == 'a').count(),
            50
        );

        let nested_link = format!("{}[x](/x){}", "**a ".repeat(50), " b**".repeat(50));
        let blocks = parse(&nested_link);
        assert_invariants(&nested_link, &blocks);
        assert!(plain_text(&block_inlines(&blocks)).contains('x'));
    }

    #[test]
    fn adversarial_input_parses() {
        let inputs = [
            "*".repeat(10_000),
            "_".repeat(10_000),
            "[".repeat(10_000),
            "]".repeat(10_000),
            "(".repeat(10_000),
            "\\".repeat(10_000),
            "*a".repeat(10_000),
            "a*".repeat(10_000),
            "*a ".repeat(10_000),
            " a*".repeat(10_000),
            "_a_".repeat(10_000),
            "**a*".repeat(10_000),
            "*a**".repeat(10_000),
            "[a](".repeat(10_000),
            "[a](/".repeat(10_000),
            "[a](/x)".repeat(10_000),
            "[](".repeat(10_000),
            "[".repeat(5_000) + &"](/x)".repeat(5_000),
            "[a".repeat(5_000) + &"]".repeat(5_000),
            "*[".repeat(5_000) + &"*]".repeat(5_000),
            "[a](javascript:x)".repeat(5_000),
            format!("[a]({}", "(".repeat(10_000)),
            format!("x{}y{}z", "*".repeat(10_000), "*".repeat(10_000)),
            "- a\n".repeat(10_000),
            "a  \n".repeat(10_000),
            "\n".repeat(10_000),
            "\r\n".repeat(10_000),
            "# ".repeat(10_000),
        ];
        for input in &inputs {
            let blocks = parse(input);
            assert_invariants(input, &blocks);
        }
    }

    fn assert_props(input: &str) {
        let blocks = parse(input);
        assert_invariants(input, &blocks);
        for block in &blocks {
            match block {
                Block::Paragraph(inlines) | Block::Heading(inlines) => {
                    let _ = plain_text(inlines);
                }
                Block::BulletList(items) | Block::NumberedList(items) => {
                    for item in items {
                        let _ = plain_text(item);
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(input in any::<String>()) {
            assert_props(&input);
        }

        #[test]
        fn markdown_like_strings_never_panic(
            input in "[-*_\\[\\]()\\\\ \t\n\r#1.:/ajåJ<>\u{0}\u{200b}]{0,300}"
        ) {
            assert_props(&input);
        }

        #[test]
        fn links_only_with_allowed_destinations(
            label in "[a-zå*_\\[\\] ]{0,10}",
            prefix in "[ \t\u{0}\u{1}\u{200b}]{0,2}",
            scheme in "(https?|HTTPS?|mailto|tel|javascript|JaVaScRiPt|java\tscript|data|vbscript|file|)",
            colon in "(:|//|/|\\\\|)",
            rest in any::<String>(),
        ) {
            assert_props(&format!("[{label}]({prefix}{scheme}{colon}{rest})"));
        }
    }
}

//! What the views show, in the citizen's language: the page title and progress, the error
//! summary, the review page, options with their labels, the names of rows and their
//! announcements, and answers as a citizen reads them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Control, FormSession, Position};
use crate::answers::Answer;
use crate::definition::{ChoiceOption, Definition, Field, FieldKind, Id};
use crate::i18n::{Key, t};
use crate::text::{Lang, LangTag, Text};

/// One answered (or unanswered) question on the review page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    /// The field's id, for the "Change" link.
    pub field: String,
    /// The field's label.
    pub label: String,
    /// The answer as the citizen should read it; empty when not answered.
    pub value: String,
    /// Whether the citizen can change it (not computed, not read-only).
    pub editable: bool,
    /// Whether the answer reads left to right in every language (a number, a date, a
    /// personnummer, an address): the view isolates it as such in a right-to-left page.
    pub ltr: bool,
}

/// The answers of one step on the review page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSection {
    /// The step's index.
    pub step: usize,
    /// The step's title.
    pub title: String,
    /// Its questions, in order.
    pub items: Vec<ReviewItem>,
}

/// One entry of the error summary: the text of its link, and the control it moves focus to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryItem {
    /// The control the link leads to.
    pub control: Control,
    /// The question's label, with the row's name for an answer in a row ("Syskon 2: Förnamn").
    pub label: String,
    /// What is wrong.
    pub message: String,
    /// The language the message is in, when it is not the page's: messages with parts
    /// are said in Swedish or English ([`LangTag::messages`]), so the view marks them.
    pub message_lang: Option<&'static str>,
}

impl SummaryItem {
    /// "Label: message", as the link reads.
    pub fn text(&self) -> String {
        format!("{}: {}", self.label, self.message)
    }
}

impl FormSession {
    /// The document title: "Fel: " while the summary lists errors, "Steg 2 av 4: " on a step,
    /// the page's heading, then the form's title (WCAG 2.4.2: each step is its own page).
    pub fn page_title(&self, lang: LangTag) -> String {
        let heading = match self.position() {
            Position::Start => None,
            Position::Step(i) => Some(self.def.steps[i].title.get(lang).to_owned()),
            Position::Review => Some(t(lang, Key::ReviewTitle).to_owned()),
            Position::Done => Some(t(lang, Key::ReceiptTitle).to_owned()),
        };
        let heading = match (self.progress_text(lang), heading) {
            (Some(p), Some(h)) => Some(format!("{p}: {h}")),
            (_, h) => h,
        };
        let mut parts: Vec<String> = Vec::new();
        if !self.summary.is_empty() {
            parts.push(t(lang, Key::ErrorPrefix).to_owned());
        }
        parts.extend(heading.map(|h| format!("{h} –")));
        parts.push(self.def.title.get(lang).to_owned());
        parts.join(" ")
    }

    /// "Steg 2 av 4" on a step or the review page.
    pub fn progress_text(&self, lang: LangTag) -> Option<String> {
        self.progress().map(|(n, total)| {
            t(lang, Key::StepOf)
                .replace("{n}", &n.to_string())
                .replace("{total}", &total.to_string())
        })
    }

    /// What the Next button of the current step says: on to the next step, to the review
    /// page, or back to it after "Change".
    pub fn next_label(&self, lang: LangTag) -> &'static str {
        t(
            lang,
            if self.returns_to_review() {
                Key::BackToReview
            } else if self.next_is_review() {
                Key::ToReview
            } else {
                Key::Next
            },
        )
    }

    /// The error summary's entries, in order.
    pub fn summary_items(&self, lang: LangTag) -> Vec<SummaryItem> {
        self.summary
            .iter()
            .filter_map(|issue| {
                let field = self.def.field(&issue.field)?;
                Some(SummaryItem {
                    control: self.control(&issue.field)?,
                    label: self.answer_label(&issue.field, field, lang),
                    message: issue.code.message(lang),
                    message_lang: message_lang(lang),
                })
            })
            .collect()
    }

    /// A field's label, after its row's name when it is in a row ("Syskon 2: Förnamn").
    fn answer_label(&self, key: &str, field: &Field, lang: LangTag) -> String {
        match crate::answers::split_row_key(key) {
            Some((repeat, row, _)) => {
                format!(
                    "{}: {}",
                    self.row_name(repeat, row, lang),
                    field.label_in(lang)
                )
            }
            None => field.label_in(lang).to_owned(),
        }
    }

    /// The options of a choice field, with their labels ("Ja"/"Nej" for yes/no).
    pub fn options(&self, key: &str) -> Cow<'_, [ChoiceOption]> {
        let Some(field) = self.def.field(key) else {
            return Cow::Borrowed(&[]);
        };
        match &field.kind {
            FieldKind::YesNo => Cow::Owned(
                [(true, "yes"), (false, "no")]
                    .into_iter()
                    .filter_map(|(yes, value)| {
                        Some(ChoiceOption {
                            value: Id::new(value)?,
                            // In every language the interface has a file for.
                            // Inserted one by one: collecting into a map sorts, and that
                            // sort would be one more copy in the browser's build.
                            label: Text::Localized({
                                let mut labels = BTreeMap::new();
                                for l in crate::i18n::FILES
                                    .iter()
                                    .filter_map(|(code, _)| LangTag::parse(code))
                                {
                                    labels.insert(
                                        l.code().to_owned(),
                                        yes_no_label(yes, l).to_owned(),
                                    );
                                }
                                labels
                            }),
                            hint: None,
                        })
                    })
                    .collect(),
            ),
            kind => Cow::Borrowed(kind.options().unwrap_or_default()),
        }
    }

    /// What one row of a repeating group is called ("Syskon"), before its number.
    pub fn row_label(&self, repeat: &str, lang: LangTag) -> String {
        let Some(field) = self.def.field(repeat) else {
            return String::new();
        };
        match &field.kind {
            FieldKind::Repeat(r) => r.item_label.as_ref().map_or_else(
                || t(lang, Key::RowDefault).to_owned(),
                |t| t.get(lang).to_owned(),
            ),
            _ => field.label_in(lang).to_owned(),
        }
    }

    /// Row `row` (from 0) of a repeating group by name: "Syskon 2".
    pub fn row_name(&self, repeat: &str, row: usize, lang: LangTag) -> String {
        format!("{} {}", self.row_label(repeat, lang), row + 1)
    }

    /// The add button's text: the author's `add_label`, else "Lägg till syskon".
    pub fn add_row_label(&self, repeat: &str, lang: LangTag) -> String {
        match self.def.repeat(repeat).and_then(|r| r.add_label.as_ref()) {
            Some(label) => label.get(lang).to_owned(),
            None => format!(
                "{} {}",
                t(lang, Key::AddRow),
                in_sentence(&self.row_label(repeat, lang))
            ),
        }
    }

    /// A row's remove button: "Ta bort syskon 2".
    pub fn remove_row_label(&self, repeat: &str, row: usize, lang: LangTag) -> String {
        format!(
            "{} {}",
            t(lang, Key::RemoveRow),
            in_sentence(&self.row_name(repeat, row, lang))
        )
    }

    /// What the repeating group's status region says after the last row was added or
    /// removed there: "Syskon 2 har lagts till."
    pub fn row_announcement(&self, repeat: &str, lang: LangTag) -> Option<String> {
        let change = self.row_change.as_ref().filter(|c| c.repeat == repeat)?;
        let key = if change.added {
            Key::RowAdded
        } else {
            Key::RowRemoved
        };
        Some(t(lang, key).replace("{row}", &self.row_name(repeat, change.row, lang)))
    }

    /// Every step's questions and answers, for the review page.
    ///
    /// Labels that occur more than once on the page (two "Förnamn" in the groups "Person 1"
    /// and "Person 2") are prefixed with their group's legend, so every "Change" button says
    /// which answer it changes.
    pub fn review(&self, lang: LangTag) -> Vec<ReviewSection> {
        let mut sections: Vec<ReviewSection> = self
            .def
            .steps
            .iter()
            .enumerate()
            .filter(|(i, _)| self.state.step_applies(*i))
            .map(|(i, step)| ReviewSection {
                step: i,
                title: step.title.get(lang).to_owned(),
                items: step
                    .entries(&self.answers)
                    .into_iter()
                    .filter(|(key, f)| f.kind.has_value() && self.state.is_visible(key))
                    .filter_map(|(key, f)| self.review_item(key, f, lang))
                    .collect(),
            })
            .collect();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for item in sections.iter().flat_map(|s| &s.items) {
            *seen.entry(item.label.clone()).or_default() += 1;
        }
        let groups = group_legends(&self.def, lang);
        for item in sections.iter_mut().flat_map(|s| &mut s.items) {
            if seen.get(&item.label).is_some_and(|n| *n > 1)
                && let Some(legend) = groups.get(item.field.as_str())
            {
                item.label = format!("{legend}: {}", item.label);
            }
        }
        sections
    }

    fn review_item(&self, key: String, f: &Field, lang: LangTag) -> Option<ReviewItem> {
        let value = match &f.kind {
            FieldKind::Computed(c) => {
                display_computed(self.state.computed(&key), c.unit.as_ref(), lang)
            }
            // A group with rows is shown through its rows' answers.
            FieldKind::Repeat(_) if self.answers.row_count(&key) > 0 => return None,
            FieldKind::Repeat(_) => String::new(),
            _ => display_answer(f, self.answers.get(&key), lang),
        };
        let label = self.answer_label(&key, f, lang);
        Some(ReviewItem {
            editable: (f.kind.is_question() || matches!(f.kind, FieldKind::Repeat(_)))
                && !self.state.is_read_only(&key),
            ltr: f.kind.is_left_to_right(),
            field: key,
            label,
            value,
        })
    }
}

/// The `lang` an answer's message ([`crate::IssueCode::message`]) needs on a page in `lang`:
/// `None` when the interface's language files speak `lang`, else `sv` (the messages fall back
/// to Swedish).
pub fn message_lang(lang: LangTag) -> Option<&'static str> {
    (!crate::i18n::has(lang, crate::i18n::Key::IssueRequired)).then_some("sv")
}

/// The legend of the innermost group around each form-level field, by field id.
fn group_legends(def: &Definition, lang: LangTag) -> BTreeMap<String, String> {
    fn walk(
        fields: &[Field],
        legend: Option<&str>,
        lang: LangTag,
        out: &mut BTreeMap<String, String>,
    ) {
        for f in fields {
            if let Some(l) = legend {
                out.insert(f.id.0.clone(), l.to_owned());
            }
            if let FieldKind::Group(g) = &f.kind {
                walk(&g.fields, Some(f.label_in(lang)), lang, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    for step in &def.steps {
        walk(&step.fields, None, lang, &mut out);
    }
    out
}

/// An answer as a citizen reads it: option labels instead of values, "Ja"/"Nej", as typed otherwise.
pub fn display_answer(field: &Field, answer: Option<&Answer>, lang: LangTag) -> String {
    let Some(answer) = answer.filter(|a| !a.is_empty()) else {
        return String::new();
    };
    let option_label = |v: &str| {
        field
            .kind
            .options()
            .and_then(|opts| opts.iter().find(|o| o.value.as_str() == v))
            .map_or_else(|| v.to_owned(), |o| o.label.get(lang).to_owned())
    };
    match (answer, &field.kind) {
        // In the options' order, as submitted, whatever order they were ticked in.
        (Answer::Choices(values), kind) => match kind.options() {
            Some(options) => options
                .iter()
                .filter(|o| values.iter().any(|v| v == o.value.as_str()))
                .map(|o| o.label.get(lang).to_owned())
                .collect::<Vec<_>>()
                .join(", "),
            None => values.join(", "),
        },
        (Answer::Text(v), FieldKind::YesNo) => yes_no_label(v == "yes", lang).to_owned(),
        (Answer::Text(v), FieldKind::Select(_) | FieldKind::Radio(_)) => option_label(v),
        (Answer::Text(v), _) => v.trim().to_owned(),
        (Answer::Rows(rows), _) => rows.len().to_string(),
        (Answer::Files(files), _) => file_names(files, lang),
    }
}

/// Attached files as a citizen reads them: each name with its size, one per line.
pub fn file_names(files: &[crate::files::FileRef], lang: LangTag) -> String {
    let comma = lang.is("sv") || lang.is("fi");
    files
        .iter()
        .map(|f| format!("{} ({})", f.name, crate::files::format_size(f.size, comma)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A computed value as the citizen reads it: a number with a decimal comma in Swedish and
/// spaces between thousands, then its unit; empty when it cannot be computed yet.
pub fn display_computed(
    value: Option<&serde_json::Value>,
    unit: Option<&crate::Text>,
    lang: LangTag,
) -> String {
    let text = match value {
        None | Some(serde_json::Value::Null) => return String::new(),
        Some(serde_json::Value::Number(n)) => format_amount(n.as_f64().unwrap_or(0.0), lang),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Bool(b)) => yes_no_label(*b, lang).to_owned(),
        Some(other) => other.to_string(),
    };
    match unit {
        Some(u) => format!("{text} {}", u.get(lang)),
        None => text,
    }
}

/// `1234.5` as `1 234,5` (Swedish) or `1,234.5` (English), with at most two decimals.
fn format_amount(x: f64, lang: LangTag) -> String {
    let rounded = (x * 100.0).round() / 100.0;
    let negative = rounded < 0.0;
    let whole = rounded.abs().trunc() as u64;
    let cents = ((rounded.abs() - rounded.abs().trunc()) * 100.0).round() as u64;
    let (group, decimal) = if lang.messages() == Lang::Sv {
        ('\u{a0}', ',')
    } else {
        (',', '.')
    };
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if cents > 0 {
        out.push(decimal);
        out.push_str(format!("{cents:02}").trim_end_matches('0'));
    }
    if negative { format!("-{out}") } else { out }
}

/// "Ja"/"Nej" or "Yes"/"No".
pub fn yes_no_label(yes: bool, lang: LangTag) -> &'static str {
    t(lang, if yes { Key::Yes } else { Key::No })
}

/// A label as it reads inside a sentence: "Syskon" in "Lägg till syskon", but "BRF" kept.
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_owned(),
    }
}

//! One answer against its field's type rules: its canonical form, or the first rule it breaks.
//! Nothing here reads a clock: today's date comes in [`Context`].

use std::borrow::Cow;

use crate::answers::Answer;
use crate::definition::{Field, FieldKind};
use crate::formats::{self, Date, parse_organisationsnummer, parse_personnummer};
use crate::issue::IssueCode;
use crate::nfc::{is_nfc, nfc};

/// What validation needs from outside: today's date in the citizen's (or receiver's) time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// Today, for "not in the future" rules and `today` date limits.
    pub today: Date,
}

/// A checked answer in its canonical form, as it is submitted.
#[derive(Debug, Clone, PartialEq)]
pub enum Normalized {
    /// Text, trimmed (and put in canonical form for Swedish numbers and postal codes).
    Text(String),
    /// A number (integers have no fraction).
    Number(f64),
    /// A yes/no answer.
    Bool(bool),
    /// Chosen checkbox values, in the order the options are defined.
    Choices(Vec<String>),
    /// Attached files, in the order they were attached.
    Files(Vec<crate::files::FileRef>),
}

/// Checks a non-empty answer against its field's type rules and returns its canonical form.
///
/// Typed text is read as [`clean_text`] leaves it, then trimmed; an option's value is read
/// as it is, since it must be one of the definition's own values.
pub fn normalize(field: &Field, answer: &Answer, cx: &Context) -> Result<Normalized, IssueCode> {
    let typed = match answer {
        Answer::Text(s) if is_typed(&field.kind) => Ok(clean_text(s, is_multiline(&field.kind))),
        Answer::Text(s) => Ok(Cow::Borrowed(s.as_str())),
        Answer::Choices(_) | Answer::Rows(_) | Answer::Files(_) => Err(IssueCode::WrongShape),
    };
    let text = || typed.as_deref().map(str::trim).map_err(Clone::clone);
    match &field.kind {
        FieldKind::Text(rules) | FieldKind::Textarea(rules) | FieldKind::Email(rules) => {
            let s = text()?;
            if matches!(field.kind, FieldKind::Email(_)) && !formats::is_valid_email(s) {
                return Err(IssueCode::InvalidEmail);
            }
            let len = s.chars().count();
            if let Some(min) = rules.min_length
                && len < min as usize
            {
                return Err(IssueCode::TooShort { min });
            }
            if let Some(max) = rules.max_length
                && len > max as usize
            {
                return Err(IssueCode::TooLong { max, actual: len });
            }
            if let Some(p) = &rules.pattern
                && !p.matches(s)
            {
                return Err(IssueCode::Pattern(p.message.clone()));
            }
            Ok(Normalized::Text(s.to_owned()))
        }
        FieldKind::Number(rules) | FieldKind::Integer(rules) => {
            let whole = matches!(field.kind, FieldKind::Integer(_));
            let n = parse_number(text()?).ok_or(if whole {
                IssueCode::NotAWholeNumber
            } else {
                IssueCode::NotANumber
            })?;
            if whole && n.fract() != 0.0 {
                return Err(IssueCode::NotAWholeNumber);
            }
            if let Some(min) = rules.min
                && n < min
            {
                return Err(IssueCode::BelowMin(format_number(min)));
            }
            if let Some(max) = rules.max
                && n > max
            {
                return Err(IssueCode::AboveMax(format_number(max)));
            }
            Ok(Normalized::Number(n))
        }
        FieldKind::Phone => formats::normalize_phone(text()?)
            .map(Normalized::Text)
            .ok_or(IssueCode::InvalidPhone),
        FieldKind::Date(rules) => {
            let d = Date::parse_iso(text()?).ok_or(IssueCode::InvalidDate)?;
            if let Some(min) = rules.min.map(|b| b.resolve(cx.today))
                && d < min
            {
                return Err(IssueCode::DateTooEarly(min));
            }
            if let Some(max) = rules.max.map(|b| b.resolve(cx.today))
                && d > max
            {
                return Err(IssueCode::DateTooLate(max));
            }
            Ok(Normalized::Text(d.to_string()))
        }
        FieldKind::Select(c) | FieldKind::Radio(c) => {
            let s = text()?;
            if c.list.options().iter().any(|o| o.value.as_str() == s) {
                Ok(Normalized::Text(s.to_owned()))
            } else {
                Err(IssueCode::UnknownOption)
            }
        }
        FieldKind::Checkboxes(rules) => {
            let Answer::Choices(chosen) = answer else {
                return Err(IssueCode::WrongShape);
            };
            if chosen
                .iter()
                .any(|v| !rules.list.options().iter().any(|o| o.value.as_str() == v))
            {
                return Err(IssueCode::UnknownOption);
            }
            // Canonical order is the options' order, each value once.
            let ordered: Vec<String> = rules
                .list
                .options()
                .iter()
                .filter(|o| chosen.iter().any(|v| v == o.value.as_str()))
                .map(|o| o.value.0.clone())
                .collect();
            let n = ordered.len() as u32;
            if let Some(min) = rules.min_choices
                && n < min
            {
                return Err(IssueCode::TooFewChoices(min));
            }
            if let Some(max) = rules.max_choices
                && n > max
            {
                return Err(IssueCode::TooManyChoices(max));
            }
            Ok(Normalized::Choices(ordered))
        }
        FieldKind::YesNo => match text()? {
            "yes" => Ok(Normalized::Bool(true)),
            "no" => Ok(Normalized::Bool(false)),
            _ => Err(IssueCode::InvalidYesNo),
        },
        FieldKind::Personnummer(rules) => {
            parse_personnummer(text()?, cx.today, rules.allow_samordningsnummer)
                .map(|p| Normalized::Text(p.canonical()))
                .map_err(IssueCode::Personnummer)
        }
        FieldKind::Organisationsnummer => parse_organisationsnummer(text()?)
            .map(Normalized::Text)
            .map_err(IssueCode::Organisationsnummer),
        FieldKind::PostalCode => formats::normalize_postal_code(text()?)
            .map(Normalized::Text)
            .ok_or(IssueCode::InvalidPostalCode),
        FieldKind::File(rules) => {
            let Answer::Files(files) = answer else {
                return Err(IssueCode::WrongShape);
            };
            check_files(rules, files)?;
            Ok(Normalized::Files(files.clone()))
        }
        FieldKind::Info(_)
        | FieldKind::Group(_)
        | FieldKind::Repeat(_)
        | FieldKind::Computed(_) => Err(IssueCode::UnknownField),
    }
}

/// A file field's files against its rules: each file's shape, type and size, then how many
/// there are and their total size. The first problem found, naming the file it is about.
fn check_files(
    rules: &crate::definition::FileRules,
    files: &[crate::files::FileRef],
) -> Result<(), IssueCode> {
    use crate::files::{clean_name, is_sha256_hex};
    // A set, not a scan of the earlier files: a tampered submission may name thousands.
    let mut seen = std::collections::HashSet::new();
    for file in files {
        if !is_sha256_hex(&file.sha256) || file.name.is_empty() {
            return Err(IssueCode::WrongShape);
        }
        if clean_name(&file.name) != file.name {
            return Err(IssueCode::NotNormalized);
        }
        let name = file.name.clone();
        if file.size == 0 {
            return Err(IssueCode::FileEmpty { name });
        }
        if !file.file_type().is_some_and(|t| rules.accepts(t)) {
            return Err(IssueCode::FileType {
                name,
                accepted: rules.types(),
            });
        }
        if file.size > rules.max_file_size {
            return Err(IssueCode::FileTooLarge {
                name,
                size: file.size,
                max: rules.max_file_size,
            });
        }
        if !seen.insert(file.sha256.as_str()) {
            return Err(IssueCode::FileTwice { name });
        }
    }
    if files.len() > rules.max_files as usize {
        return Err(IssueCode::TooManyFiles(rules.max_files));
    }
    let total = files.iter().map(|f| f.size).fold(0u64, u64::saturating_add);
    if total > rules.max_total_size {
        return Err(IssueCode::FilesTooLarge {
            total,
            max: rules.max_total_size,
        });
    }
    Ok(())
}

/// Whether the field's answer is text the citizen types or pastes (not an option's value).
pub(crate) fn is_typed(kind: &FieldKind) -> bool {
    !matches!(
        kind,
        FieldKind::Select(_) | FieldKind::Radio(_) | FieldKind::YesNo | FieldKind::Checkboxes(_)
    )
}

/// Whether line feeds and tabs belong in the field's answer (a `textarea`).
pub(crate) fn is_multiline(kind: &FieldKind) -> bool {
    matches!(kind, FieldKind::Textarea(_))
}

/// Whether `c` is removed from text answers in every field: a C0 control character
/// (U+0000–U+001F) or a bidirectional embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069). They are invisible, and can make a case officer read a different name or
/// number than the one sent.
pub fn is_removed_char(c: char) -> bool {
    c < ' ' || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Typed text in the engine's normal form, the same in the browser and the receiver: without
/// the characters [`is_removed_char`] names (line feed and tab stay in a multi-line field),
/// and in Unicode NFC, so `"a\u{30A}"` is `"å"` (composed as `nfc.rs` says: exact NFC for
/// marks in canonical order, with no Unicode library in the browser build). A pasted value never fails for a character
/// the citizen cannot see, and the submitted text is what the case officer reads.
///
/// Borrowed when the text is already in that form (the receiver refuses text that is not).
pub fn clean_text(s: &str, multiline: bool) -> Cow<'_, str> {
    let removed = |c: char| is_removed_char(c) && !(multiline && matches!(c, '\n' | '\t'));
    let has_removed = s.chars().any(removed);
    if !has_removed && (s.is_ascii() || is_nfc(s)) {
        return Cow::Borrowed(s);
    }
    if !has_removed {
        return Cow::Owned(nfc(s.chars()));
    }
    Cow::Owned(nfc(s.chars().filter(|c| !removed(*c))))
}

/// Parses a number as Swedes and others write it: `12`, `-3`, `12,5`, `12.5`, `1 000`.
pub fn parse_number(s: &str) -> Option<f64> {
    let cleaned: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| match c {
            ',' => '.',
            '\u{2212}' => '-',
            other => other,
        })
        .collect();
    let body = cleaned.strip_prefix(['-', '+']).unwrap_or(&cleaned);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let ok = digits(int) && frac.is_none_or(digits);
    if !ok {
        return None;
    }
    Some(crate::num::decimal(&cleaned)).filter(|n| n.is_finite())
}

/// Formats a number for messages: no trailing `.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        crate::num::display(n)
    }
}

//! Reading fields: the keys each type takes, the common properties, and each type's rules.

use std::collections::HashMap;

use serde_json::Value;

use super::Cx;
use super::expressions::condition_fields;
use super::read::{Obj, Path, closest};
use crate::definition::diagnostic::{IdKind, Problem};
use crate::definition::model::*;
use crate::files::{FileType, MAX_FILE_SIZE, MAX_FILES};

/// How deep groups may nest inside a step.
const MAX_GROUP_DEPTH: usize = 3;

const COMMON_FIELD_KEYS: &[&str] = &[
    "prefill",
    "visible_if",
    "required_if",
    "read_only_if",
    "id",
    "type",
    "label",
    "hint",
    "required",
    "autocomplete",
    "inputmode",
    "must_match",
];

/// The type-specific properties of each field type.
fn type_keys(field_type: &str) -> &'static [&'static str] {
    match field_type {
        "text" | "textarea" | "email" => &["min_length", "max_length", "pattern"],
        "number" | "integer" | "date" => &["min", "max"],
        "select" | "radio" => &["options", "options_from"],
        "checkboxes" => &["options", "options_from", "min_choices", "max_choices"],
        "personnummer" => &["allow_samordningsnummer"],
        "info" => &["text"],
        "group" => &["fields"],
        "repeat" => &["fields", "min_rows", "max_rows", "item_label", "add_label"],
        "computed" => &["expression", "unit"],
        "file" => &[
            "accept",
            "max_file_size",
            "max_files",
            "max_total_size",
            "capture",
            "downscale",
        ],
        _ => &[],
    }
}

/// Common properties only questions take (not `info`, `group` or `computed`).
const QUESTION_ONLY_KEYS: &[&str] = &[
    "required",
    "prefill",
    "autocomplete",
    "inputmode",
    "must_match",
    "required_if",
    "read_only_if",
];

/// Whether a common property makes no sense for a type.
fn excludes(field_type: &str, key: &str) -> bool {
    match field_type {
        "info" => key == "hint" || QUESTION_ONLY_KEYS.contains(&key),
        "group" | "repeat" | "computed" => QUESTION_ONLY_KEYS.contains(&key),
        "select" | "radio" | "checkboxes" | "yes_no" => key == "inputmode",
        // A file cannot be prefilled, completed by the browser or typed to match another.
        "file" => matches!(key, "prefill" | "autocomplete" | "inputmode" | "must_match"),
        _ => false,
    }
}

impl Cx {
    pub(super) fn fields(&mut self, v: &Value, path: &Path, depth: usize) -> Option<Vec<Field>> {
        self.array(v, path, Some(Problem::NoFields), |cx, item, p| {
            cx.field(item, p, depth)
        })
    }

    fn field(&mut self, v: &Value, path: &Path, depth: usize) -> Option<Field> {
        let obj = self.object(v, path)?;
        let id = self.required(&obj, "id").and_then(|(v, p)| {
            let mut ids = std::mem::take(&mut self.field_ids);
            let id = self.unique_id(v, &p, IdKind::Field, &mut ids);
            self.field_ids = ids;
            id
        });

        // The type decides which other properties are allowed, so read it first.
        let type_name: Option<&'static str> = self.required(&obj, "type").and_then(|(v, p)| {
            let s = self.string(v, &p)?;
            match FIELD_TYPES.iter().find(|t| **t == s) {
                Some(t) => Some(*t),
                None => {
                    let suggestion = closest(&s, FIELD_TYPES.iter().copied());
                    self.error(
                        &p,
                        Problem::UnknownFieldType {
                            found: s,
                            suggestion,
                        },
                    );
                    None
                }
            }
        });
        let Some(field_type) = type_name else {
            // Without a type nothing else can be checked meaningfully; the id is still recorded.
            return None;
        };
        self.check_field_keys(&obj, field_type);

        let label = match self.opt(&obj, "label", Self::text) {
            Ok(None) if field_type != "info" => {
                self.error(path, Problem::Missing("label"));
                Err(())
            }
            other => other,
        };
        let hint = self.opt(&obj, "hint", Self::text);
        let required = self.opt(&obj, "required", Self::boolean);
        let autocomplete = self.opt(&obj, "autocomplete", |cx, v, p| {
            let s = cx.string(v, p)?;
            if is_autocomplete(&s) {
                Some(s)
            } else {
                cx.error(p, Problem::UnknownAutocomplete(s));
                None
            }
        });
        let inputmode = self.opt(&obj, "inputmode", |cx, v, p| {
            let s = cx.string(v, p)?;
            let mode = InputMode::parse(&s);
            if mode.is_none() {
                cx.error(p, Problem::UnknownInputMode(s));
            }
            mode
        });
        let must_match = self.opt(&obj, "must_match", Self::id);
        let visible_if = self.opt(&obj, "visible_if", Self::condition);
        let required_if = self.opt(&obj, "required_if", Self::condition);
        let read_only_if = self.opt(&obj, "read_only_if", Self::condition);
        let prefill = self.opt(&obj, "prefill", |cx, v, p| {
            let obj = cx.object(v, p)?;
            cx.unknown_keys(&obj, &["key", "lock"]);
            let key = cx
                .required(&obj, "key")
                .and_then(|(v, p)| cx.nonempty_string(v, &p));
            let lock = cx.opt(&obj, "lock", Self::boolean);
            Some(Prefill {
                key: key?,
                lock: lock.ok()?.unwrap_or(false),
            })
        });
        // A group's condition decides its fields too.
        let own = condition_fields(&visible_if);
        let mut deps: Vec<String> = self.scope_deps.iter().flatten().cloned().collect();
        deps.extend(own.iter().cloned());
        self.scope_deps.push(own);
        let kind = self.field_kind(&obj, field_type, depth);
        self.scope_deps.pop();

        let id = id?;
        self.questions.insert(
            id.0.clone(),
            !matches!(field_type, "info" | "group" | "computed"),
        );
        if !matches!(field_type, "info" | "group") {
            if let Some(FieldKind::Computed(c)) = &kind {
                deps.extend(
                    referenced_fields(c.expression.expr())
                        .into_iter()
                        .map(str::to_owned),
                );
            }
            self.value_deps.push((id.0.clone(), path.0.clone(), deps));
        }
        if let Ok(Some(target)) = &must_match {
            self.references.push((
                path.key("must_match").0,
                id.0.clone(),
                target.0.clone(),
                self.repeat.clone(),
            ));
        }
        if let Some(repeat) = &self.repeat {
            self.row_fields.insert(id.0.clone(), repeat.clone());
            if matches!(prefill, Ok(Some(_))) {
                self.error(&path.key("prefill"), Problem::NotInRepeat("prefill"));
            }
        }
        Some(Field {
            id,
            label: label.ok()?,
            hint: hint.ok()?,
            required: required.ok()?.unwrap_or(false),
            autocomplete: autocomplete.ok()?,
            inputmode: inputmode.ok()?,
            must_match: must_match.ok()?,
            visible_if: visible_if.ok()?,
            required_if: required_if.ok()?,
            read_only_if: read_only_if.ok()?,
            prefill: prefill.ok()?,
            kind: kind?,
        })
    }

    fn check_field_keys(&mut self, obj: &Obj<'_>, field_type: &'static str) {
        let specific = type_keys(field_type);
        for key in obj.map.keys() {
            let k = key.as_str();
            if k.starts_with("x-") || k.starts_with('$') {
                continue;
            }
            let common = COMMON_FIELD_KEYS.contains(&k);
            if (common && !excludes(field_type, k)) || specific.contains(&k) {
                continue;
            }
            let known_elsewhere = common || FIELD_TYPES.iter().any(|t| type_keys(t).contains(&k));
            let problem = if known_elsewhere {
                Problem::NotApplicable {
                    property: key.clone(),
                    field_type,
                }
            } else {
                let candidates = COMMON_FIELD_KEYS.iter().chain(specific).copied();
                Problem::UnknownProperty {
                    name: key.clone(),
                    suggestion: closest(k, candidates),
                }
            };
            self.error(&obj.path.key(k), problem);
        }
    }

    fn field_kind(
        &mut self,
        obj: &Obj<'_>,
        field_type: &'static str,
        depth: usize,
    ) -> Option<FieldKind> {
        Some(match field_type {
            "text" => FieldKind::Text(self.text_rules(obj)?),
            "textarea" => FieldKind::Textarea(self.text_rules(obj)?),
            "email" => FieldKind::Email(self.text_rules(obj)?),
            "number" => FieldKind::Number(self.number_rules(obj, false)?),
            "integer" => FieldKind::Integer(self.number_rules(obj, true)?),
            "phone" => FieldKind::Phone,
            "date" => {
                let min = self.opt(obj, "min", Self::date_bound);
                let max = self.opt(obj, "max", Self::date_bound);
                let (min, max) = (min.ok()?, max.ok()?);
                if let (Some(DateBound::Fixed(lo)), Some(DateBound::Fixed(hi))) = (min, max)
                    && lo > hi
                {
                    self.reversed(&obj.path, "min", lo, "max", hi);
                    return None;
                }
                FieldKind::Date(DateRules { min, max })
            }
            "select" => FieldKind::Select(ChoiceRules {
                list: self.options(obj, 1)?,
            }),
            "radio" => FieldKind::Radio(ChoiceRules {
                list: self.options(obj, 2)?,
            }),
            "checkboxes" => {
                let options = self.options(obj, 1);
                let min_choices = self.opt(obj, "min_choices", Self::count);
                let max_choices = self.opt(obj, "max_choices", Self::count);
                let (options, min_choices, max_choices) =
                    (options?, min_choices.ok()?, max_choices.ok()?);
                if let (Some(lo), Some(hi)) = (min_choices, max_choices)
                    && lo > hi
                {
                    self.reversed(&obj.path, "min_choices", lo, "max_choices", hi);
                    return None;
                }
                for (property, value) in
                    [("min_choices", min_choices), ("max_choices", max_choices)]
                {
                    // A remote list's length is known only when it is fetched.
                    if let Some(value) = value
                        && let OptionList::Inline { options } = &options
                        && value as usize > options.len()
                    {
                        let options = options.len();
                        self.error(
                            &obj.path.key(property),
                            Problem::MoreChoicesThanOptions {
                                property,
                                value,
                                options,
                            },
                        );
                        return None;
                    }
                }
                FieldKind::Checkboxes(MultiChoiceRules {
                    list: options,
                    min_choices,
                    max_choices,
                })
            }
            "yes_no" => FieldKind::YesNo,
            "personnummer" => {
                let allow = self
                    .opt(obj, "allow_samordningsnummer", Self::boolean)
                    .ok()?;
                FieldKind::Personnummer(PersonnummerRules {
                    allow_samordningsnummer: allow.unwrap_or(true),
                })
            }
            "organisationsnummer" => FieldKind::Organisationsnummer,
            "postal_code" => FieldKind::PostalCode,
            "file" => FieldKind::File(self.file_rules(obj)?),
            "computed" if self.repeat.is_some() => {
                self.error(
                    &obj.path.key("type"),
                    Problem::NotInRepeat("a computed field"),
                );
                return None;
            }
            "repeat" => {
                if self.repeat.is_some() {
                    self.error(
                        &obj.path.key("type"),
                        Problem::NotInRepeat("a repeating group"),
                    );
                    return None;
                }
                let min_rows = self.opt(obj, "min_rows", Self::count);
                let max_rows = self.opt(obj, "max_rows", Self::count);
                let item_label = self.opt(obj, "item_label", Self::text);
                let add_label = self.opt(obj, "add_label", Self::text);
                let id = obj.map.get("id").and_then(Value::as_str).unwrap_or("");
                self.repeat = Some(id.to_owned());
                let fields = self
                    .required(obj, "fields")
                    .and_then(|(v, p)| self.fields(v, &p, depth + 1));
                self.repeat = None;
                let (min_rows, max_rows) = (min_rows.ok()?, max_rows.ok()?);
                if max_rows == Some(0) {
                    self.error(&obj.path.key("max_rows"), Problem::ZeroRows);
                    return None;
                }
                if let (Some(lo), Some(hi)) = (min_rows, max_rows)
                    && lo > hi
                {
                    self.reversed(&obj.path, "min_rows", lo, "max_rows", hi);
                    return None;
                }
                FieldKind::Repeat(RepeatContent {
                    fields: fields?,
                    min_rows: min_rows.unwrap_or(0),
                    max_rows,
                    item_label: item_label.ok()?,
                    add_label: add_label.ok()?,
                })
            }
            "computed" => {
                let expression = self
                    .required(obj, "expression")
                    .and_then(|(v, p)| self.expression(v, &p));
                let unit = self.opt(obj, "unit", Self::text);
                FieldKind::Computed(ComputedRules {
                    expression: expression?,
                    unit: unit.ok()?,
                })
            }
            "info" => {
                let text = self
                    .required(obj, "text")
                    .and_then(|(v, p)| self.text(v, &p))?;
                FieldKind::Info(InfoContent { text })
            }
            "group" => {
                if depth >= MAX_GROUP_DEPTH {
                    self.error(&obj.path, Problem::TooDeep(MAX_GROUP_DEPTH));
                    return None;
                }
                let fields = self
                    .required(obj, "fields")
                    .and_then(|(v, p)| self.fields(v, &p, depth + 1))?;
                FieldKind::Group(GroupContent { fields })
            }
            _ => return None,
        })
    }

    /// A `file` field's accepted types and limits; impossible limits are refused.
    fn file_rules(&mut self, obj: &Obj<'_>) -> Option<FileRules> {
        let accept = match self.required(obj, "accept") {
            Some((v, p)) => self.array(v, &p, Some(Problem::NoFileTypes), |cx, item, p| {
                cx.parsed(item, p, FileType::from_accept, Problem::UnknownFileType)
                    .map(AcceptedType)
            }),
            None => None,
        };
        let max_file_size = self.opt(obj, "max_file_size", Self::byte_count);
        let max_files = self.opt(obj, "max_files", Self::count);
        let max_total_size = self.opt(obj, "max_total_size", Self::byte_count);
        let capture = self.opt(obj, "capture", |cx, v, p| {
            cx.parsed(
                v,
                p,
                |s| match s {
                    "environment" => Some(Capture::Environment),
                    "user" => Some(Capture::User),
                    _ => None,
                },
                Problem::UnknownCapture,
            )
        });
        let downscale = self.opt(obj, "downscale", Self::downscale);
        let (accept, max_file_size, max_files, max_total_size, capture, downscale) = (
            accept?,
            max_file_size.ok()?,
            max_files.ok()?,
            max_total_size.ok()?,
            capture.ok()?,
            downscale.ok()?,
        );
        let max_file_size = max_file_size.unwrap_or(FileRules::DEFAULT_MAX_FILE_SIZE);
        let max_files = max_files.unwrap_or(1);
        let mut ok = true;
        if max_file_size > MAX_FILE_SIZE {
            self.error(
                &obj.path.key("max_file_size"),
                Problem::TooManyBytes(MAX_FILE_SIZE),
            );
            ok = false;
        }
        for (property, value) in [
            ("max_file_size", Some(max_file_size)),
            ("max_files", Some(u64::from(max_files))),
            ("max_total_size", max_total_size),
        ] {
            if value == Some(0) {
                self.error(&obj.path.key(property), Problem::TooSmall { min: 1 });
                ok = false;
            }
        }
        if max_files > MAX_FILES {
            self.error(
                &obj.path.key("max_files"),
                Problem::TooLarge { max: MAX_FILES },
            );
            ok = false;
        }
        let max_total_size = match max_total_size {
            Some(total) if total > 0 && total < max_file_size => {
                self.reversed(
                    &obj.path,
                    "max_file_size",
                    max_file_size,
                    "max_total_size",
                    total,
                );
                return None;
            }
            Some(total) => total,
            None => max_file_size.saturating_mul(u64::from(max_files)),
        };
        let has_image = accept.iter().any(|a| a.0.is_image());
        if capture.is_some() && !has_image {
            self.error(
                &obj.path.key("capture"),
                Problem::NeedsFileType {
                    property: "capture",
                    needs: "an image type",
                },
            );
            ok = false;
        }
        if downscale.is_some() && !accept.iter().any(|a| a.0 == FileType::Jpeg) {
            self.error(
                &obj.path.key("downscale"),
                Problem::NeedsFileType {
                    property: "downscale",
                    needs: "image/jpeg",
                },
            );
            ok = false;
        }
        ok.then_some(FileRules {
            accept,
            max_file_size,
            max_files,
            max_total_size,
            capture,
            downscale,
        })
    }

    /// `downscale`: `{"max_side": 320–10000, "jpeg_quality": 1–100}` (quality 85 if left out).
    fn downscale(&mut self, v: &Value, path: &Path) -> Option<Downscale> {
        let obj = self.object(v, path)?;
        self.unknown_keys(&obj, &["max_side", "jpeg_quality"]);
        let max_side = self.required(&obj, "max_side").and_then(|(v, p)| {
            let n = self.count(v, &p)?;
            if n < 320 {
                self.error(&p, Problem::TooSmall { min: 320 });
                return None;
            }
            if n > 10_000 {
                self.error(&p, Problem::TooLarge { max: 10_000 });
                return None;
            }
            Some(n)
        });
        let quality = self.opt(&obj, "jpeg_quality", |cx, v, p| {
            let n = cx.count(v, p)?;
            if !(1..=100).contains(&n) {
                let problem = if n == 0 {
                    Problem::TooSmall { min: 1 }
                } else {
                    Problem::TooLarge { max: 100 }
                };
                cx.error(p, problem);
                return None;
            }
            u8::try_from(n).ok()
        });
        Some(Downscale {
            max_side: max_side?,
            jpeg_quality: quality.ok()?.unwrap_or(85),
        })
    }

    fn reversed(
        &mut self,
        path: &Path,
        low: &'static str,
        lo: impl ToString,
        high: &'static str,
        hi: impl ToString,
    ) {
        self.error(
            path,
            Problem::LimitsReversed {
                low,
                low_value: lo.to_string(),
                high,
                high_value: hi.to_string(),
            },
        );
    }

    fn text_rules(&mut self, obj: &Obj<'_>) -> Option<TextRules> {
        let min_length = self.opt(obj, "min_length", Self::count);
        let max_length = self.opt(obj, "max_length", Self::count);
        let pattern = self.opt(obj, "pattern", Self::pattern);
        let (min_length, max_length, pattern) = (min_length.ok()?, max_length.ok()?, pattern.ok()?);
        if let (Some(lo), Some(hi)) = (min_length, max_length)
            && lo > hi
        {
            self.reversed(&obj.path, "min_length", lo, "max_length", hi);
            return None;
        }
        Some(TextRules {
            min_length,
            max_length,
            pattern,
        })
    }

    fn pattern(&mut self, v: &Value, path: &Path) -> Option<Pattern> {
        let obj = self.object(v, path)?;
        self.unknown_keys(&obj, &["regex", "message"]);
        let regex = self
            .required(&obj, "regex")
            .and_then(|(v, p)| Some((self.nonempty_string(v, &p)?, p)));
        let message = self
            .required(&obj, "message")
            .and_then(|(v, p)| self.text(v, &p));
        let ((regex, regex_path), message) = (regex?, message?);
        match Pattern::new(&regex, message) {
            Ok(p) => Some(p),
            Err(e) => {
                self.error(&regex_path, Problem::InvalidPattern(e.to_string()));
                None
            }
        }
    }

    fn number_rules(&mut self, obj: &Obj<'_>, whole: bool) -> Option<NumberRules> {
        let read = |cx: &mut Self, key| {
            cx.opt(obj, key, |cx, v, p| {
                let n = cx.number(v, p)?;
                if whole && n.fract() != 0.0 {
                    cx.error(p, Problem::NotWholeNumber);
                    return None;
                }
                Some(n)
            })
        };
        let min = read(self, "min");
        let max = read(self, "max");
        let (min, max) = (min.ok()?, max.ok()?);
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.reversed(
                &obj.path,
                "min",
                crate::num::display(lo),
                "max",
                crate::num::display(hi),
            );
            return None;
        }
        Some(NumberRules { min, max })
    }

    fn date_bound(&mut self, v: &Value, path: &Path) -> Option<DateBound> {
        let s = self.string(v, path)?;
        let bound = DateBound::parse(&s);
        if bound.is_none() {
            self.error(path, Problem::InvalidDate(s));
        }
        bound
    }

    /// Options written out (at least `at_least`), or `options_from` naming a code list.
    fn options(&mut self, obj: &Obj<'_>, at_least: usize) -> Option<OptionList> {
        if let Some((v, path)) = obj.get("options_from") {
            if obj.get("options").is_some() {
                self.error(&obj.path, Problem::OptionsTwice);
                return None;
            }
            let o = self.object(v, &path)?;
            self.unknown_keys(&o, &["url"]);
            let url = self
                .required(&o, "url")
                .and_then(|(v, p)| self.url(v, &p))?;
            return Some(OptionList::Remote {
                options_from: OptionsSource { url },
                resolved: Vec::new(),
            });
        }
        let (v, path) = self.required(obj, "options")?;
        let options = self.option_items(v, &path);
        if v.as_array().is_some_and(|items| items.len() < at_least) {
            self.error(&path, Problem::TooFewOptions(at_least));
            return None;
        }
        Some(OptionList::Inline { options: options? })
    }

    /// An array of options with unique values.
    pub(super) fn option_items(&mut self, v: &Value, path: &Path) -> Option<Vec<ChoiceOption>> {
        let mut seen: HashMap<String, String> = HashMap::new();
        self.array(v, path, None, |cx, item, p| {
            let o = cx.object(item, p)?;
            cx.unknown_keys(&o, &["value", "label", "hint"]);
            let value = cx
                .required(&o, "value")
                .and_then(|(v, vp)| cx.unique_id(v, &vp, IdKind::Option, &mut seen));
            let label = cx.required(&o, "label").and_then(|(v, lp)| cx.text(v, &lp));
            let hint = cx.opt(&o, "hint", Self::text);
            Some(ChoiceOption {
                value: value?,
                label: label?,
                hint: hint.ok()?,
            })
        })
    }
}

/// The autocomplete field names of the HTML standard (§ 4.10.18.7).
const AUTOCOMPLETE_NAMES: &[&str] = &[
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "username",
    "new-password",
    "current-password",
    "one-time-code",
    "organization-title",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level4",
    "address-level3",
    "address-level2",
    "address-level1",
    "country",
    "country-name",
    "postal-code",
    "cc-name",
    "cc-given-name",
    "cc-additional-name",
    "cc-family-name",
    "cc-number",
    "cc-exp",
    "cc-exp-month",
    "cc-exp-year",
    "cc-csc",
    "cc-type",
    "transaction-currency",
    "transaction-amount",
    "language",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "sex",
    "url",
    "photo",
    "tel",
    "tel-country-code",
    "tel-national",
    "tel-area-code",
    "tel-local",
    "tel-local-prefix",
    "tel-local-suffix",
    "tel-extension",
    "email",
    "impp",
];

/// Whether `s` is a valid autocomplete value: `on`, `off`, or `[section-x] [shipping|billing]
/// [home|work|mobile|fax|pager] name [webauthn]`.
fn is_autocomplete(s: &str) -> bool {
    let tokens: Vec<&str> = s.split_ascii_whitespace().collect();
    if let [single] = tokens.as_slice()
        && (*single == "on" || *single == "off")
    {
        return true;
    }
    let mut rest = tokens.as_slice();
    if let [webauthn_less @ .., "webauthn"] = rest {
        rest = webauthn_less;
    }
    let Some((name, mut modifiers)) = rest.split_last() else {
        return false;
    };
    if !AUTOCOMPLETE_NAMES.contains(name) {
        return false;
    }
    if let [first, tail @ ..] = modifiers
        && first.starts_with("section-")
    {
        modifiers = tail;
    }
    if let [first, tail @ ..] = modifiers
        && (*first == "shipping" || *first == "billing")
    {
        modifiers = tail;
    }
    if let [first, tail @ ..] = modifiers
        && matches!(*first, "home" | "work" | "mobile" | "fax" | "pager")
        && (name.starts_with("tel") || *name == "email" || *name == "impp")
    {
        modifiers = tail;
    }
    modifiers.is_empty()
}

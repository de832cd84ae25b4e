//! One field of a step: label, hint, message and control, wired to the session.
//!
//! Accessibility is the runtime's job, not the author's: every control has a bound label
//! (or a fieldset legend), hints and messages are linked with `aria-describedby`, and
//! `aria-invalid` is set while a message is shown.

use blankett_core::Answer;
use blankett_core::answers::row_key;
use blankett_core::definition::{ChoiceOption, Field, FieldKind};
use blankett_core::session::{display_computed, yes_no_label};
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::markdown::render_markdown;
use super::{FormCtx, lang_attr, tr};
use crate::browser::{focus_after_update, focus_now};
use crate::i18n::{Key, t};

/// The element id for a field's answer key: `f-namn`, or `f-syskon.0.namn` in a row.
pub fn dom_id(key: &str) -> String {
    format!("f-{}", key.replace('[', ".").replace(']', ""))
}

/// The element id of a field's control: the input, the first option of a choice group, or
/// a repeating group's add button.
pub fn control_id(field: &Field, key: &str) -> String {
    match field.kind {
        FieldKind::Radio(_) | FieldKind::Checkboxes(_) | FieldKind::YesNo => {
            format!("{}-0", dom_id(key))
        }
        FieldKind::Repeat(_) => format!("{}-add", dom_id(key)),
        _ => dom_id(key),
    }
}

/// Which row of which repeating group a field is rendered in.
#[derive(Clone, Debug)]
pub struct Row {
    repeat: String,
    index: usize,
}

/// The answer key of `field` in `row` (its id outside rows).
fn key_of(field: &Field, row: Option<&Row>) -> String {
    match row {
        Some(r) => row_key(&r.repeat, r.index, field.id.as_str()),
        None => field.id.to_string(),
    }
}

/// Renders any field while its conditions show it; groups and rows render their fields
/// through this again. Showing or hiding a field never moves focus, and a hidden field
/// keeps its answer.
pub fn field_view(field: Field, row: Option<Row>) -> AnyView {
    let key = key_of(&field, row.as_ref());
    if field.visible_if.is_none() {
        return field_body(field, key, row);
    }
    let ctx = expect_context::<FormCtx>();
    let visible_key = key.clone();
    let visible = Memo::new(move |_| ctx.session.with(|s| s.state().is_visible(&visible_key)));
    (move || {
        visible
            .get()
            .then(|| field_body(field.clone(), key.clone(), row.clone()))
    })
    .into_any()
}

fn field_body(field: Field, key: String, row: Option<Row>) -> AnyView {
    match &field.kind {
        FieldKind::Info(_) => info_view(field).into_any(),
        FieldKind::Group(_) => group_view(field, key, row).into_any(),
        FieldKind::Repeat(_) => repeat_view(field).into_any(),
        FieldKind::Select(_) => select_view(field, key).into_any(),
        FieldKind::Radio(_) | FieldKind::YesNo | FieldKind::Checkboxes(_) => {
            choice_view(field, key).into_any()
        }
        FieldKind::Computed(_) => computed_view(field, key).into_any(),
        _ => input_view(field, key).into_any(),
    }
}

/// What every question shares: ids, the shown message, `aria-describedby`.
#[derive(Clone)]
struct Parts {
    id: String,
    required: Memo<bool>,
    read_only: Memo<bool>,
    hint_id: Option<String>,
    error_id: String,
    error: Memo<Option<String>>,
}

impl Parts {
    fn new(ctx: FormCtx, field: &Field, key: &str) -> Parts {
        let id = key.to_owned();
        let dom = dom_id(key);
        let key = id.clone();
        let lang = ctx.lang;
        let error = Memo::new(move |_| {
            ctx.session
                .with(|s| s.error(&key).map(|c| c.message(lang.get())))
        });
        let (req_key, ro_key) = (id.clone(), id.clone());
        let required = Memo::new(move |_| ctx.session.with(|s| s.state().is_required(&req_key)));
        let read_only = Memo::new(move |_| ctx.session.with(|s| s.state().is_read_only(&ro_key)));
        Parts {
            hint_id: field.hint.as_ref().map(|_| format!("{dom}-hint")),
            error_id: format!("{dom}-error"),
            id,
            required,
            read_only,
            error,
        }
    }

    fn described_by(&self) -> impl Fn() -> Option<String> + Send + Sync + 'static + use<> {
        let (hint, err, error) = (self.hint_id.clone(), self.error_id.clone(), self.error);
        move || {
            let ids: Vec<&str> = hint
                .iter()
                .map(String::as_str)
                .chain(error.get().map(|_| err.as_str()))
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    }

    fn invalid(&self) -> impl Fn() -> Option<&'static str> + Send + Sync + 'static + use<> {
        let error = self.error;
        move || error.get().map(|_| "true")
    }

    fn wrapper_class(
        &self,
        base: &'static str,
    ) -> impl Fn() -> String + Send + Sync + 'static + use<> {
        let error = self.error;
        move || {
            if error.get().is_some() {
                format!("{base} field--error")
            } else {
                base.to_owned()
            }
        }
    }
}

fn label_content(ctx: FormCtx, field: &Field, key: &str) -> impl IntoView + use<> {
    let label = field
        .label
        .clone()
        .unwrap_or_else(|| field.id.as_str().into());
    let lang = ctx.lang;
    let id = key.to_owned();
    let required = Memo::new(move |_| ctx.session.with(|s| s.state().is_required(&id)));
    view! {
        <span lang={
            let label = label.clone();
            move || lang_attr(&label, lang.get())
        }>{tr(&label, lang)}</span>
        {move || required.get().then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
    }
}

fn hint_view(ctx: FormCtx, field: &Field, parts: &Parts) -> impl IntoView + use<> {
    let lang = ctx.lang;
    field.hint.clone().map(|hint| {
        let text = tr(&hint, lang);
        view! { <p class="hint" id=parts.hint_id.clone() lang=move || lang_attr(&hint, lang.get())>{text}</p> }
    })
}

fn error_view(ctx: FormCtx, parts: &Parts) -> impl IntoView + use<> {
    let (error, error_id, lang) = (parts.error, parts.error_id.clone(), ctx.lang);
    move || {
        error.get().map(|message| {
            view! {
                <p class="error-message" id=error_id.clone()>
                    <span class="visually-hidden">{t(lang.get(), Key::ErrorPrefix)}" "</span>
                    {message}
                </p>
            }
        })
    }
}

/// The context, shared parts and text answer of a single-control question. The answer is
/// reactive so a value prefilled later appears; writing back the value just typed does not
/// move the caret (the HTML value setter only moves it when the value changes).
fn text_question(field: &Field, key: &str) -> (FormCtx, Parts, Memo<String>) {
    let ctx = expect_context::<FormCtx>();
    let parts = Parts::new(ctx, field, key);
    let key = parts.id.clone();
    let typed = ctx.answer_trigger(&key);
    let value = Memo::new(move |_| {
        typed.track();
        ctx.session.with(|s| s.answers().text(&key).to_owned())
    });
    (ctx, parts, value)
}

fn input_view(field: Field, key: String) -> impl IntoView {
    let (ctx, parts, initial) = text_question(&field, &key);
    let id = parts.id.clone();
    let dom = dom_id(&id);
    let (on_input, on_blur) = text_handlers(ctx, id.clone());
    let input_type = match field.kind {
        FieldKind::Email(_) => "email",
        FieldKind::Phone => "tel",
        FieldKind::Date(_) => "date",
        _ => "text",
    };
    let control = if matches!(field.kind, FieldKind::Textarea(_)) {
        view! {
            <textarea
                id=dom.clone()
                name=id.clone()
                rows="5"
                prop:value=initial
                required=move || parts.required.get()
                readonly=move || parts.read_only.get()
                autocomplete=field.effective_autocomplete().map(str::to_owned)
                aria-describedby=parts.described_by()
                aria-invalid=parts.invalid()
                on:input=on_input
                on:blur=on_blur
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                type=input_type
                id=dom.clone()
                name=id.clone()
                prop:value=initial
                required=move || parts.required.get()
                readonly=move || parts.read_only.get()
                autocomplete=field.effective_autocomplete().map(str::to_owned)
                inputmode=field.effective_inputmode().map(|m| m.as_str())
                spellcheck=matches!(field.kind, FieldKind::Text(_)).then_some("true").or(Some("false"))
                aria-describedby=parts.described_by()
                aria-invalid=parts.invalid()
                class=width_class(&field)
                on:input=on_input
                on:blur=on_blur
            />
        }
        .into_any()
    };
    view! {
        <div class=parts.wrapper_class("field")>
            <label for=dom.clone()>{label_content(ctx, &field, &key)}</label>
            {hint_view(ctx, &field, &parts)}
            {error_view(ctx, &parts)}
            {control}
        </div>
    }
}

/// A width that hints at the expected answer (short for postal codes, dates, numbers).
fn width_class(field: &Field) -> &'static str {
    match field.kind {
        FieldKind::PostalCode => "input--short",
        FieldKind::Number(_) | FieldKind::Integer(_) | FieldKind::Date(_) => "input--short",
        FieldKind::Personnummer(_) | FieldKind::Organisationsnummer | FieldKind::Phone => {
            "input--medium"
        }
        _ => "input--full",
    }
}

fn text_handlers(
    ctx: FormCtx,
    id: String,
) -> (
    impl Fn(ev::Event) + 'static,
    impl Fn(ev::FocusEvent) + 'static,
) {
    let key = id.clone();
    let on_input = move |e: ev::Event| ctx.type_answer(&key, Answer::Text(event_target_value(&e)));
    let on_blur = move |_| {
        let cx = ctx.validation();
        ctx.session.update(|s| s.blur(&id, &cx));
    };
    (on_input, on_blur)
}

fn select_view(field: Field, key: String) -> impl IntoView {
    let (ctx, parts, initial) = text_question(&field, &key);
    let id = parts.id.clone();
    let dom = dom_id(&id);
    let options = field.kind.options().unwrap_or_default().to_vec();
    let lang = ctx.lang;
    let key = id.clone();
    let on_change = move |e: ev::Event| {
        let value = event_target_value(&e);
        let cx = ctx.validation();
        ctx.session.update(|s| {
            s.set_answer(&key, Answer::Text(value));
            s.blur(&key, &cx);
        });
    };
    view! {
        <div class=parts.wrapper_class("field")>
            <label for=dom.clone()>{label_content(ctx, &field, &id)}</label>
            {hint_view(ctx, &field, &parts)}
            {error_view(ctx, &parts)}
            <select
                id=dom.clone()
                name=id.clone()
                required=move || parts.required.get()
                disabled=move || parts.read_only.get()
                autocomplete=field.effective_autocomplete().map(str::to_owned)
                aria-describedby=parts.described_by()
                aria-invalid=parts.invalid()
                on:change=on_change
            >
                <option value="" prop:selected=move || initial.get().is_empty()>{move || t(lang.get(), Key::Choose)}</option>
                {options.into_iter().map(|o| {
                    let v = o.value.to_string();
                    let selected = move || initial.get() == v;
                    view! { <option value=o.value.to_string() prop:selected=selected>{tr(&o.label, lang)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// Radio buttons, yes/no and checkboxes: a fieldset with a legend and one labelled input each.
fn choice_view(field: Field, key: String) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let parts = Parts::new(ctx, &field, &key);
    let id = parts.id.clone();
    let dom = dom_id(&id);
    let multiple = matches!(field.kind, FieldKind::Checkboxes(_));
    let options: Vec<ChoiceOption> = match &field.kind {
        FieldKind::YesNo => ["yes", "no"]
            .into_iter()
            .filter_map(|v| {
                let value = blankett_core::definition::Id::new(v)?;
                let label = blankett_core::Text::Localized(
                    [
                        ("sv", yes_no_label(v == "yes", blankett_core::Lang::Sv)),
                        ("en", yes_no_label(v == "yes", blankett_core::Lang::En)),
                    ]
                    .into_iter()
                    .map(|(k, s)| (k.to_owned(), s.to_owned()))
                    .collect(),
                );
                Some(ChoiceOption {
                    value,
                    label,
                    hint: None,
                })
            })
            .collect(),
        kind => kind.options().unwrap_or_default().to_vec(),
    };
    let lang = ctx.lang;
    let key = id.clone();
    // Validate when focus leaves the whole group, not when it moves between its options.
    let on_focusout = move |e: ev::FocusEvent| {
        let inside = match (e.current_target(), e.related_target()) {
            (Some(group), Some(next)) => group
                .dyn_ref::<web_sys::Node>()
                .is_some_and(|g| g.contains(next.dyn_ref::<web_sys::Node>())),
            _ => false,
        };
        if !inside {
            let cx = ctx.validation();
            ctx.session.update(|s| s.blur(&key, &cx));
        }
    };
    let (required, read_only) = (parts.required, parts.read_only);
    let typed = ctx.answer_trigger(&id);
    let items = options
        .into_iter()
        .enumerate()
        .map(|(i, option)| {
            let input_id = format!("{dom}-{i}");
            let option_hint_id = option.hint.as_ref().map(|_| format!("{dom}-{i}-hint"));
            let value = option.value.to_string();
            let (cid, cvalue) = (id.clone(), value.clone());
            let typed = typed.clone();
            let checked = Memo::new(move |_| {
                typed.track();
                ctx.session.with(|s| {
                    if multiple {
                        s.answers().choices(&cid).contains(&cvalue)
                    } else {
                        s.answers().text(&cid) == cvalue
                    }
                })
            });
            let key = id.clone();
            let v = value.clone();
            let on_change = move |e: ev::Event| {
                let on = event_target_checked(&e);
                let cx = ctx.validation();
                ctx.session.update(|s| {
                    let answer = if multiple {
                        let mut chosen = s.answers().choices(&key).to_vec();
                        chosen.retain(|c| *c != v);
                        if on {
                            chosen.push(v.clone());
                        }
                        Answer::Choices(chosen)
                    } else {
                        Answer::Text(v.clone())
                    };
                    s.set_answer(&key, answer);
                    // A choice is complete when made: re-check only to clear or update a shown message.
                    if s.error(&key).is_some() {
                        s.blur(&key, &cx);
                    }
                });
            };
            view! {
                <div class="choice">
                    <input
                        type=if multiple { "checkbox" } else { "radio" }
                        id=input_id.clone()
                        name=dom.clone()
                        value=value
                        prop:checked=checked
                        required=move || required.get() && !multiple
                        disabled=move || read_only.get()
                        aria-describedby=option_hint_id.clone()
                        on:change=on_change
                    />
                    <label for=input_id>{tr(&option.label, lang)}</label>
                    {option.hint.map(|h| view! { <p class="hint" id=option_hint_id>{tr(&h, lang)}</p> })}
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class=parts.wrapper_class("field")
            aria-describedby=parts.described_by()
            on:focusout=on_focusout
        >
            <legend>{label_content(ctx, &field, &id)}</legend>
            {hint_view(ctx, &field, &parts)}
            {error_view(ctx, &parts)}
            <div class=if multiple { "choices choices--checkboxes" } else { "choices" }>{items}</div>
        </fieldset>
    }
}

fn info_view(field: Field) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let FieldKind::Info(content) = field.kind else {
        return ().into_any();
    };
    let heading = field.label.map(|l| view! { <h3>{tr(&l, lang)}</h3> });
    let text = content.text;
    view! {
        <div class="info">
            {heading}
            {move || render_markdown(text.get(lang.get()), lang.get())}
        </div>
    }
    .into_any()
}

fn group_view(field: Field, key: String, row: Option<Row>) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let FieldKind::Group(group) = field.kind.clone() else {
        return ().into_any();
    };
    let hint_id = format!("{}-hint", dom_id(&key));
    view! {
        <fieldset class="group" aria-describedby=field.hint.as_ref().map(|_| hint_id.clone())>
            <legend>{label_content(ctx, &field, &key)}</legend>
            {field.hint.clone().map(|h| view! { <p class="hint" id=hint_id.clone()>{tr(&h, lang)}</p> })}
            {group.fields.into_iter().map(|f| field_view(f, row.clone())).collect_view()}
        </fieldset>
    }
    .into_any()
}

/// A repeating group: a fieldset with one numbered fieldset per row, a remove button per row
/// (above `min_rows`) and an add button (below `max_rows`). Adding moves focus to the new
/// row's first question, removing moves it to the add button, and both are announced.
fn repeat_view(field: Field) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let FieldKind::Repeat(repeat) = field.kind.clone() else {
        return ().into_any();
    };
    let id = field.id.to_string();
    let parts = Parts::new(ctx, &field, &id);
    let add_id = control_id(&field, &id);
    let (count_id, add_ok_id, remove_ok_id) = (id.clone(), id.clone(), id.clone());
    let count = Memo::new(move |_| ctx.session.with(|s| s.answers().row_count(&count_id)));
    let can_add = Memo::new(move |_| ctx.session.with(|s| s.can_add_row(&add_ok_id)));
    let can_remove = Memo::new(move |_| ctx.session.with(|s| s.can_remove_row(&remove_ok_id)));
    let announcement = RwSignal::new(String::new());
    let row_name = {
        let id = id.clone();
        move |l: blankett_core::Lang, row: usize| {
            let name = ctx.session.with_untracked(|s| s.row_label(&id, l));
            format!("{name} {}", row + 1)
        }
    };
    let first_question = repeat.row_fields().find(|f| f.kind.is_question()).cloned();
    let add = {
        let id = id.clone();
        let row_name = row_name.clone();
        move |_| {
            let Some(row) = ctx.session.try_update(|s| s.add_row(&id)).flatten() else {
                return;
            };
            let l = lang.get_untracked();
            announcement.set(t(l, Key::RowAdded).replace("{row}", &row_name(l, row)));
            if let Some(first) = &first_question {
                focus_after_update(control_id(first, &row_key(&id, row, first.id.as_str())));
            }
        }
    };
    let rows = {
        let id = id.clone();
        let fields = repeat.fields.clone();
        let add_id = add_id.clone();
        move || {
            let l = lang.get();
            (0..count.get())
                .map(|index| {
                    let name = row_name(l, index);
                    let legend_id = format!("{}-row-{index}", dom_id(&id));
                    let row = Row {
                        repeat: id.clone(),
                        index,
                    };
                    let (rid, add_id) = (id.clone(), add_id.clone());
                    let removed = t(l, Key::RowRemoved).replace("{row}", &name);
                    let remove = move |_| {
                        // Focus leaves the button for Add before the row (and with it, the
                        // button) goes, when Add is on the page already; otherwise it moves
                        // there once Add appears, in the same task.
                        focus_now(&add_id);
                        let done = ctx
                            .session
                            .try_update(|s| s.remove_row(&rid, index))
                            .unwrap_or(false);
                        if done {
                            announcement.set(removed.clone());
                            focus_after_update(add_id.clone());
                        }
                    };
                    let remove_label = format!("{} {}", t(l, Key::RemoveRow), in_sentence(&name));
                    view! {
                        <fieldset class="repeat-row">
                            <legend id=legend_id>{name.clone()}</legend>
                            {fields.iter().cloned().map(|f| field_view(f, Some(row.clone()))).collect_view()}
                            {move || can_remove.get().then(|| view! {
                                <button type="button" class="button button--secondary button--remove" on:click=remove.clone()>
                                    {remove_label.clone()}
                                </button>
                            })}
                        </fieldset>
                    }
                })
                .collect_view()
        }
    };
    let add_label = {
        let id = id.clone();
        let custom = repeat.add_label.clone();
        move || {
            let l = lang.get();
            match &custom {
                Some(text) => text.get(l).to_owned(),
                None => {
                    let name = ctx.session.with_untracked(|s| s.row_label(&id, l));
                    format!("{} {}", t(l, Key::AddRow), in_sentence(&name))
                }
            }
        }
    };
    view! {
        <fieldset class=parts.wrapper_class("repeat") aria-describedby=parts.described_by()>
            <legend>{label_content(ctx, &field, &id)}</legend>
            {hint_view(ctx, &field, &parts)}
            {error_view(ctx, &parts)}
            {rows}
            {move || can_add.get().then(|| view! {
                <button type="button" class="button button--secondary button--add" id=add_id.clone() on:click=add.clone()>
                    {add_label.clone()}
                </button>
            })}
            <p class="visually-hidden" role="status">{move || announcement.get()}</p>
        </fieldset>
    }
    .into_any()
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

/// A computed value: a labelled `<output>` that updates as the answers change.
fn computed_view(field: Field, key: String) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let FieldKind::Computed(rules) = field.kind.clone() else {
        return ().into_any();
    };
    let dom = dom_id(&key);
    let label = label_content(ctx, &field, &key);
    let value = Memo::new(move |_| ctx.session.with(|s| s.state().computed(&key).cloned()));
    let hint_id = format!("{dom}-hint");
    view! {
        <div class="field field--computed">
            <label for=dom.clone()>{label}</label>
            {field.hint.clone().map(|h| view! { <p class="hint" id=hint_id.clone()>{tr(&h, lang)}</p> })}
            <output
                id=dom.clone()
                class="computed"
                aria-live="polite"
                aria-describedby=field.hint.as_ref().map(|_| hint_id.clone())
            >
                {move || {
                    let shown = display_computed(value.get().as_ref(), rules.unit.as_ref(), lang.get());
                    if shown.is_empty() { "–".to_owned() } else { shown }
                }}
            </output>
        </div>
    }
    .into_any()
}

//! Questions with one control: text inputs and text areas, and lists (`<select>`).

use blankett_core::definition::{Field, FieldKind};
use leptos::prelude::*;

use super::{Parts, dom_id, error_view, hint_view, label_content};
use crate::form::{FormCtx, tr};
use crate::i18n::{Key, t};

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
        ctx.read(|s| s.answers().text(&key).to_owned())
    });
    (ctx, parts, value)
}

/// A text input (text, e-mail, telephone, date, numbers, Swedish numbers) or a text area.
/// Quiet while the citizen types; checked when they leave it.
#[component]
pub fn InputField(field: Field, key: String) -> impl IntoView {
    let (ctx, parts, value) = text_question(&field, &key);
    let dom = dom_id(&key);
    let on_input = {
        let key = key.clone();
        move |e: leptos::ev::Event| ctx.type_text(&key, event_target_value(&e))
    };
    let on_blur = {
        let key = key.clone();
        move |_| ctx.leave(&key)
    };
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
                name=key.clone()
                rows="5"
                prop:value=value
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
                name=key.clone()
                prop:value=value
                required=move || parts.required.get()
                readonly=move || parts.read_only.get()
                autocomplete=field.effective_autocomplete().map(str::to_owned)
                inputmode=field.effective_inputmode().map(|m| m.as_str())
                dir=field.kind.is_left_to_right().then_some("ltr")
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

/// A list to choose one entry from; a choice is complete when made.
#[component]
pub fn SelectField(field: Field, key: String) -> impl IntoView {
    let (ctx, parts, chosen) = text_question(&field, &key);
    let dom = dom_id(&key);
    let lang = ctx.lang;
    let options = ctx.read_untracked(|s| s.options(&key).into_owned());
    let on_change = {
        let key = key.clone();
        move |e: leptos::ev::Event| ctx.choose(&key, &event_target_value(&e))
    };
    view! {
        <div class=parts.wrapper_class("field")>
            <label for=dom.clone()>{label_content(ctx, &field, &key)}</label>
            {hint_view(ctx, &field, &parts)}
            {error_view(ctx, &parts)}
            <select
                id=dom.clone()
                name=key.clone()
                required=move || parts.required.get()
                disabled=move || parts.read_only.get()
                autocomplete=field.effective_autocomplete().map(str::to_owned)
                aria-describedby=parts.described_by()
                aria-invalid=parts.invalid()
                on:change=on_change
            >
                <option value="" prop:selected=move || chosen.get().is_empty()>{move || t(lang.get(), Key::Choose)}</option>
                {options.into_iter().map(|o| {
                    let v = o.value.to_string();
                    let selected = move || chosen.get() == v;
                    view! { <option value=o.value.to_string() prop:selected=selected>{tr(&o.label, lang)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

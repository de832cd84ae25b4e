//! Radio buttons, yes/no and checkboxes: a fieldset with a legend and one labelled input per
//! option.
//!
//! A group in error says so where a screen reader arrives: radio buttons and yes/no are a
//! `radiogroup` with `aria-invalid` (and each radio is invalid too, since the error summary's
//! link lands on the first one), checkboxes each carry `aria-invalid`; the group's message is
//! in its `aria-describedby`.

use blankett_core::definition::{ChoiceOption, Field, FieldKind};
use leptos::ev;
use leptos::prelude::*;

use super::{Parts, dom_id, error_view, hint_view, label_content};
use crate::browser::focus_left;
use crate::form::{FormCtx, tr};

/// A group of options. It is checked when focus leaves the whole group, not when it moves
/// between its options.
#[component]
pub fn ChoiceField(field: Field, key: String) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let parts = Parts::new(ctx, &field, &key);
    let multiple = matches!(field.kind, FieldKind::Checkboxes(_));
    let options = ctx.read_untracked(|s| s.options(&key).into_owned());
    let on_focusout = {
        let key = key.clone();
        move |e: ev::FocusEvent| {
            if focus_left(&e) {
                ctx.leave(&key);
            }
        }
    };
    let group = Group {
        key: key.clone(),
        multiple,
        required: parts.required,
        read_only: parts.read_only,
        typed: ctx.answer_trigger(&key),
        error: parts.error,
    };
    let invalid = parts.invalid();
    let items = options
        .into_iter()
        .enumerate()
        .map(|(index, option)| view! { <ChoiceItem group=group.clone() index option/> })
        .collect_view();
    view! {
        <fieldset
            class=parts.wrapper_class("field")
            role=(!multiple).then_some("radiogroup")
            aria-invalid=move || if multiple { None } else { invalid() }
            aria-describedby=parts.described_by()
            on:focusout=on_focusout
        >
            <legend>{label_content(ctx, &field, &key)}</legend>
            {hint_view(ctx, &field, &parts)}
            {error_view(ctx, &parts)}
            <div class=if multiple { "choices choices--checkboxes" } else { "choices" }>{items}</div>
        </fieldset>
    }
}

/// What every option of one group shares.
#[derive(Clone)]
struct Group {
    key: String,
    multiple: bool,
    required: Memo<bool>,
    read_only: Memo<bool>,
    typed: ArcTrigger,
    error: Memo<Option<String>>,
}

/// One option: a radio button or checkbox with its label and hint.
#[component]
fn ChoiceItem(group: Group, index: usize, option: ChoiceOption) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let input_id = format!("{}-{index}", dom_id(&group.key));
    let hint_id = option.hint.as_ref().map(|_| format!("{input_id}-hint"));
    let value = option.value.to_string();
    let Group {
        key,
        multiple,
        required,
        read_only,
        typed,
        error,
    } = group;
    let checked = {
        let (key, value) = (key.clone(), value.clone());
        Memo::new(move |_| {
            typed.track();
            ctx.read(|s| s.is_chosen(&key, &value))
        })
    };
    let on_change = {
        let value = value.clone();
        let key = key.clone();
        move |e: ev::Event| {
            if multiple {
                ctx.toggle(&key, &value, event_target_checked(&e));
            } else {
                ctx.choose(&key, &value);
            }
        }
    };
    view! {
        <div class="choice">
            <input
                type=if multiple { "checkbox" } else { "radio" }
                id=input_id.clone()
                name=dom_id(&key)
                value=value
                prop:checked=checked
                required=move || required.get() && !multiple
                disabled=move || read_only.get()
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=hint_id.clone()
                on:change=on_change
            />
            <label for=input_id>{tr(&option.label, lang)}</label>
            {option.hint.map(|h| view! { <p class="hint" id=hint_id>{tr(&h, lang)}</p> })}
        </div>
    }
}

//! Fields that are not single questions: information text, groups of fields, and computed
//! values.

use blankett_core::definition::{Field, FieldKind};
use blankett_core::session::display_computed;
use leptos::prelude::*;

use super::{Row, dom_id, field_view, label_content};
use crate::form::markdown::render_markdown;
use crate::form::{FormCtx, tr};

/// Information text: the safe markdown subset, with an optional heading.
#[component]
pub fn InfoText(field: Field) -> impl IntoView {
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

/// A group of fields under one legend.
#[component]
pub fn FieldGroup(field: Field, key: String, row: Option<Row>) -> impl IntoView {
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

/// A computed value: a labelled `<output>` that updates as the answers change.
#[component]
pub fn ComputedValue(field: Field, key: String) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let FieldKind::Computed(rules) = field.kind.clone() else {
        return ().into_any();
    };
    let dom = dom_id(&key);
    let label = label_content(ctx, &field, &key);
    let value = Memo::new(move |_| ctx.read(|s| s.state().computed(&key).cloned()));
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

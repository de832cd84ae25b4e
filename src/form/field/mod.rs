//! One field of a step: label, hint, message and control, wired to the session.
//!
//! Accessibility is the runtime's job, not the author's: every control has a bound label
//! (or a fieldset legend), hints and messages are linked with `aria-describedby`, and
//! `aria-invalid` is set while a message is shown. Each kind of field has its own file;
//! this one holds what they share.

mod choice;
mod content;
mod file;
mod repeat;
mod text;

use blankett_core::answers::row_key;
use blankett_core::definition::{Field, FieldKind};
use blankett_core::{Control, ControlPart};
use leptos::prelude::*;

use super::{FormCtx, lang_attr, tr};
use crate::i18n::{Key, t};

/// The element id for a field's answer key: `f-namn`, or `f-syskon.0.namn` in a row.
pub fn dom_id(key: &str) -> String {
    format!("f-{}", key.replace('[', ".").replace(']', ""))
}

/// The element id of the control the session names: the input, the first option of a
/// choice group, or a repeating group's add button.
pub fn control_id(control: &Control) -> String {
    let dom = dom_id(&control.key);
    match control.part {
        ControlPart::Input => dom,
        ControlPart::FirstOption => format!("{dom}-0"),
        ControlPart::AddRow => format!("{dom}-add"),
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
    let visible = Memo::new(move |_| ctx.read(|s| s.state().is_visible(&visible_key)));
    (move || {
        visible
            .get()
            .then(|| field_body(field.clone(), key.clone(), row.clone()))
    })
    .into_any()
}

fn field_body(field: Field, key: String, row: Option<Row>) -> AnyView {
    match &field.kind {
        FieldKind::Info(_) => view! { <content::InfoText field/> }.into_any(),
        FieldKind::Group(_) => view! { <content::FieldGroup field key row/> }.into_any(),
        FieldKind::Repeat(_) => view! { <repeat::RepeatField field/> }.into_any(),
        FieldKind::Select(_) => view! { <text::SelectField field key/> }.into_any(),
        FieldKind::Radio(_) | FieldKind::YesNo | FieldKind::Checkboxes(_) => {
            view! { <choice::ChoiceField field key/> }.into_any()
        }
        FieldKind::Computed(_) => view! { <content::ComputedValue field key/> }.into_any(),
        FieldKind::File(_) => view! { <file::FileField field key/> }.into_any(),
        _ => view! { <text::InputField field key/> }.into_any(),
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
        let lang = ctx.lang;
        let (err_key, req_key, ro_key) = (id.clone(), id.clone(), id.clone());
        let error =
            Memo::new(move |_| ctx.read(|s| s.error(&err_key).map(|c| c.message(lang.get()))));
        let required = Memo::new(move |_| ctx.read(|s| s.state().is_required(&req_key)));
        let read_only = Memo::new(move |_| ctx.read(|s| s.state().is_read_only(&ro_key)));
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
    let required = Memo::new(move |_| ctx.read(|s| s.state().is_required(&id)));
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
                <p class="error-message" id=error_id.clone() lang=blankett_core::session::message_lang(lang.get())>
                    <span class="visually-hidden">{t(lang.get(), Key::ErrorPrefix)}" "</span>
                    {message}
                </p>
            }
        })
    }
}

//! A repeating group: a fieldset with one numbered fieldset per row, a remove button per row
//! (above `min_rows`) and an add button (below `max_rows`). Adding moves focus to the new
//! row's first question, removing moves it to the add button, and both are announced.

use blankett_core::definition::{Field, FieldKind};
use blankett_core::{Control, ControlPart};
use leptos::prelude::*;

use super::{Parts, Row, control_id, dom_id, error_view, field_view, hint_view, label_content};
use crate::form::FormCtx;

/// The group with its rows, its add button and its status region.
#[component]
pub fn RepeatField(field: Field) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let FieldKind::Repeat(repeat) = field.kind.clone() else {
        return ().into_any();
    };
    let id = field.id.to_string();
    let parts = Parts::new(ctx, &field, &id);
    let add_id = control_id(&Control {
        key: id.clone(),
        part: ControlPart::AddRow,
    });
    let (count_id, add_ok_id, said_id, label_id) = (id.clone(), id.clone(), id.clone(), id.clone());
    let count = Memo::new(move |_| ctx.read(|s| s.answers().row_count(&count_id)));
    let can_add = Memo::new(move |_| ctx.read(|s| s.can_add_row(&add_ok_id)));
    let announcement = Memo::new(move |_| ctx.read(|s| s.row_announcement(&said_id, lang.get())));
    let add_label = Memo::new(move |_| ctx.read(|s| s.add_row_label(&label_id, lang.get())));
    let rows = {
        let (id, fields) = (id.clone(), repeat.fields.clone());
        move || {
            (0..count.get())
                .map(|index| {
                    let (repeat, fields) = (id.clone(), fields.clone());
                    view! { <RepeatRow repeat index fields/> }
                })
                .collect_view()
        }
    };
    let add = {
        let id = id.clone();
        move |_| ctx.add_row(&id)
    };
    view! {
        <fieldset class=parts.wrapper_class("repeat") aria-describedby=parts.described_by()>
            <legend>{label_content(ctx, &field, &id)}</legend>
            {hint_view(ctx, &field, &parts)}
            {error_view(ctx, &parts)}
            {rows}
            {move || can_add.get().then(|| view! {
                <button type="button" class="button button--secondary button--add" id=add_id.clone() on:click=add.clone()>
                    {move || add_label.get()}
                </button>
            })}
            <p class="visually-hidden" role="status">{move || announcement.get()}</p>
        </fieldset>
    }
    .into_any()
}

/// One row: a numbered fieldset with the row's fields and, above `min_rows`, its remove
/// button.
#[component]
fn RepeatRow(repeat: String, index: usize, fields: Vec<Field>) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let legend_id = format!("{}-row-{index}", dom_id(&repeat));
    let (name_id, remove_id, label_id) = (repeat.clone(), repeat.clone(), repeat.clone());
    let name = Memo::new(move |_| ctx.read(|s| s.row_name(&name_id, index, lang.get())));
    let can_remove = Memo::new(move |_| ctx.read(|s| s.can_remove_row(&remove_id)));
    let remove_label =
        Memo::new(move |_| ctx.read(|s| s.remove_row_label(&label_id, index, lang.get())));
    let row = Row {
        repeat: repeat.clone(),
        index,
    };
    let remove = move |_| ctx.remove_row(&repeat, index);
    view! {
        <fieldset class="repeat-row">
            <legend id=legend_id>{move || name.get()}</legend>
            {fields.into_iter().map(|f| field_view(f, Some(row.clone()))).collect_view()}
            {move || can_remove.get().then(|| view! {
                <button type="button" class="button button--secondary button--remove" on:click=remove.clone()>
                    {move || remove_label.get()}
                </button>
            })}
        </fieldset>
    }
}

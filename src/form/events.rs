//! What the host page hears of a form (docs/embedding.md, "Events"): `blankett:started` when
//! the citizen begins, `blankett:step` at every page, `blankett:submitted` with the receipt's
//! reference, `blankett:error` when the receiver refuses; `blankett:draft-saved` comes from
//! the drafts, `blankett:error` for a form that cannot load from the loader. No detail holds
//! an answer: the host learns where the citizen is, never what they wrote.

use blankett_core::{Definition, Position, SendStatus};
use leptos::prelude::*;
use serde_json::json;

use super::FormCtx;
use crate::host::Host;

/// Emits the form's events to `host` as the citizen moves through `def`.
pub fn tell_host(ctx: FormCtx, host: Host, def: &Definition, position: Memo<Position>) {
    let form = json!({ "id": def.id.to_string(), "version": def.version.to_string() });
    let started = StoredValue::new(false);
    let step_form = form.clone();
    Effect::new(move |_| {
        let at = position.get();
        let (page, step, number, of) = ctx.read_untracked(|s| {
            let (number, of) = s.progress().unwrap_or((0, 0));
            let step = match at {
                Position::Step(i) => s.definition().steps.get(i).map(|st| st.id.to_string()),
                _ => None,
            };
            let page = match at {
                Position::Start => "start",
                Position::Step(_) => "step",
                Position::Review => "review",
                Position::Done => "receipt",
            };
            (page, step, number, of)
        });
        if at != Position::Start && !started.get_value() {
            started.set_value(true);
            host.emit("started", &json!({ "form": step_form }));
        }
        host.emit(
            "step",
            &json!({ "form": step_form, "page": page, "step": step, "number": number, "of": of }),
        );
    });
    // What sending came to: the reference once, or the receiver's refusal.
    let status = Memo::new(move |_| ctx.read(|s| s.send_status().clone()));
    Effect::new(move |_| {
        match status.get() {
        SendStatus::Received(receipt) => host.emit(
            "submitted",
            &json!({ "form": form, "reference": receipt.reference, "submission_id": receipt.submission_id }),
        ),
        SendStatus::Refused { status, .. } => host.emit(
            "error",
            &json!({ "form": form, "kind": "refused", "status": status }),
        ),
        _ => {}
    }
    });
}

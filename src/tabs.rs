//! Other tabs and windows of this site: one draft is edited in one tab at a time.
//!
//! With the browser's Web Locks, the tab that opens a draft first holds a lock named after
//! it for as long as the page lives; a second tab asking for the same lock is told it is
//! taken, so it can say so and not save over the first tab's answers.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Tries to take the lock `name` and hold it until the page goes away. `true` when this tab
/// holds it now (also where the browser has no Web Locks: then nothing can be checked),
/// `false` when another tab or window holds it.
pub async fn hold(name: &str) -> bool {
    let Some(request) = lock_request() else {
        return true;
    };
    let (locks, request) = request;
    let granted = Promise::new(&mut |resolve: Function, _reject: Function| {
        let callback = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |lock: JsValue| {
            let held = !lock.is_null() && !lock.is_undefined();
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(held));
            if held {
                // A promise that never settles keeps the lock until the page is gone.
                Promise::new(&mut |_, _| {}).into()
            } else {
                JsValue::UNDEFINED
            }
        })
        .into_js_value();
        let options = Object::new();
        let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
        let _ = request.call3(&locks, &JsValue::from_str(name), &options, &callback);
    });
    JsFuture::from(granted)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}

/// `navigator.locks` and its `request` function, where the browser has them.
fn lock_request() -> Option<(JsValue, Function)> {
    let navigator: JsValue = web_sys::window()?.navigator().into();
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some((locks, request))
}

/// Runs `work` while holding the lock `name`, if no other tab or window holds it; `false`
/// when another one does (it is doing the same work). Where the browser has no Web Locks the
/// work runs anyway.
pub async fn with_lock<F>(name: &str, work: F) -> bool
where
    F: std::future::Future<Output = ()> + 'static,
{
    let Some((locks, request)) = lock_request() else {
        work.await;
        return true;
    };
    let mut work = Some(work);
    let callback = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |lock: JsValue| {
        if lock.is_null() || lock.is_undefined() {
            return JsValue::FALSE;
        }
        let Some(work) = work.take() else {
            return JsValue::FALSE;
        };
        // The lock is held until this promise settles.
        wasm_bindgen_futures::future_to_promise(async move {
            work.await;
            Ok(JsValue::TRUE)
        })
        .into()
    })
    .into_js_value();
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let Ok(promise) = request.call3(&locks, &JsValue::from_str(name), &options, &callback) else {
        return false;
    };
    JsFuture::from(Promise::from(promise))
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

//! The interface language the page is in, shared by every component; the words themselves
//! are core's ([`blankett_core::i18n`]), so the app and the engine say them the same way.

use blankett_core::Lang;
use leptos::prelude::RwSignal;

pub use blankett_core::i18n::{Key, t};

/// The interface language, shared by every component as a context.
#[derive(Debug, Clone, Copy)]
pub struct UiLang(pub RwSignal<Lang>);

//! The language the page is in and the languages it may switch to, shared by every component;
//! the words themselves are core's ([`blankett_core::i18n`], one data file per language), so
//! the app and the engine say them the same way.

use blankett_core::LangTag;
use leptos::prelude::RwSignal;

pub use blankett_core::i18n::{Key, t};

/// The language the page is in (any language a definition offers), shared by every component
/// as a context.
#[derive(Debug, Clone, Copy)]
pub struct UiLang(pub RwSignal<LangTag>);

/// The languages the language switch offers: the definition's `languages` on a form's page,
/// Swedish and English elsewhere.
#[derive(Debug, Clone, Copy)]
pub struct Offered(pub RwSignal<Vec<LangTag>>);

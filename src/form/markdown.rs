//! Renders core's safe markdown tree as DOM nodes. Nothing is ever set as HTML.

use blankett_core::LangTag;
use blankett_core::markdown::{Block, Inline, parse};
use leptos::prelude::*;

use crate::i18n::{Key, t};

/// Renders information text: paragraphs, headings (as `h3`), lists, emphasis and links.
pub fn render_markdown(source: &str, lang: LangTag) -> AnyView {
    parse(source)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(inl) => view! { <p>{inlines(inl, lang)}</p> }.into_any(),
            Block::Heading(inl) => view! { <h3>{inlines(inl, lang)}</h3> }.into_any(),
            Block::BulletList(items) => {
                view! { <ul>{items.into_iter().map(|i| view! { <li>{inlines(i, lang)}</li> }).collect_view()}</ul> }
                    .into_any()
            }
            Block::NumberedList(items) => {
                view! { <ol>{items.into_iter().map(|i| view! { <li>{inlines(i, lang)}</li> }).collect_view()}</ol> }
                    .into_any()
            }
        })
        .collect_view()
        .into_any()
}

fn inlines(items: Vec<Inline>, lang: LangTag) -> AnyView {
    items
        .into_iter()
        .map(|item| match item {
            Inline::Text(s) => s.into_any(),
            Inline::Strong(c) => view! { <strong>{inlines(c, lang)}</strong> }.into_any(),
            Inline::Emphasis(c) => view! { <em>{inlines(c, lang)}</em> }.into_any(),
            Inline::LineBreak => view! { <br/> }.into_any(),
            // Links open in a new tab so the form and its answers stay where they are.
            Inline::Link { href, children } => view! {
                <a href=href target="_blank" rel="noopener noreferrer">
                    {inlines(children, lang)}
                    <span class="visually-hidden">
                        {t(lang, Key::OpensInNewTab)}
                    </span>
                </a>
            }
            .into_any(),
        })
        .collect_view()
        .into_any()
}

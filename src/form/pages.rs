//! The pages of a form: start (with the privacy notice), each step, review, receipt.

use blankett_core::Position;
use leptos::ev;
use leptos::prelude::*;

use super::field::{control_id, field_view};
use super::submit::{SendState, submit};
use super::{FormCtx, lang_attr, tr};
use crate::browser::{focus_after_update, focus_now};
use crate::i18n::{Key, t};

/// The first page: what the form is, who publishes it, and how personal data is processed.
#[component]
pub fn StartPage() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let def = ctx.session.with_untracked(|s| s.definition().clone());
    let start = move |_| {
        ctx.session.update(|s| s.start());
        focus_after_update("step-heading".into());
    };
    let description = def.description.clone();
    let org = def.organisation.clone();
    let contact = org.contact.clone();
    view! {
        {description.map(|d| view! { <p class="lead" lang=move || lang_attr(&d, lang.get())>{tr(&d, lang)}</p> })}
        <p class="publisher">
            {move || t(lang.get(), Key::Publisher)}": " {tr(&org.name, lang)}
        </p>
        <PrivacyNotice open=true/>
        <h2 class="contact-heading">{move || t(lang.get(), Key::ContactUs)}</h2>
        <ul class="contact">
            {contact.email.clone().map(|e| view! { <li><a href=format!("mailto:{e}")>{e.clone()}</a></li> })}
            {contact.phone.clone().map(|p| view! { <li><a href=format!("tel:{}", p.replace([' ', '-'], ""))>{p.clone()}</a></li> })}
            {contact.url.clone().map(|u| view! { <li><a href=u.clone()>{u.clone()}</a></li> })}
        </ul>
        <div class="actions">
            <button type="button" class="button button--primary" on:click=start>{move || t(lang.get(), Key::Start)}</button>
        </div>
    }
}

/// The privacy notice (GDPR art. 13) as a disclosure; open on the start page.
#[component]
pub fn PrivacyNotice(open: bool) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let p = ctx
        .session
        .with_untracked(|s| s.definition().privacy.clone());
    let row = move |key: Key, text: &blankett_core::Text| {
        let text = text.clone();
        view! {
            <dt>{move || t(lang.get(), key)}</dt>
            <dd lang=move || lang_attr(&text, lang.get())>{tr(&text, lang)}</dd>
        }
    };
    view! {
        <details class="privacy" open=open>
            <summary>{move || t(lang.get(), Key::PrivacyTitle)}</summary>
            <dl>
                {row(Key::PrivacyController, &p.controller)}
                {row(Key::PrivacyPurpose, &p.purpose)}
                {row(Key::PrivacyLegalBasis, &p.legal_basis)}
                {row(Key::PrivacyRetention, &p.retention)}
                {row(Key::PrivacyRecipients, &p.recipients)}
                {p.contact.as_ref().map(|c| row(Key::PrivacyContact, c))}
            </dl>
            <p>
                <a href=p.rights_url.clone() target="_blank" rel="noopener noreferrer">
                    {move || t(lang.get(), Key::PrivacyRights)}
                    <span class="visually-hidden">{move || if lang.get() == blankett_core::Lang::Sv { " (öppnas i en ny flik)" } else { " (opens in a new tab)" }}</span>
                </a>
            </p>
        </details>
    }
}

/// "Steg 2 av 4".
#[component]
fn Progress() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let progress = Memo::new(move |_| ctx.session.with(|s| s.progress()));
    move || {
        progress.get().map(|(n, total)| {
            let text = t(lang.get(), Key::StepOf)
                .replace("{n}", &n.to_string())
                .replace("{total}", &total.to_string());
            view! { <p class="progress">{text}</p> }
        })
    }
}

/// The error summary: every problem on the step as a link that moves focus to its field.
#[component]
fn ErrorSummary() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let summary = Memo::new(move |_| ctx.session.with(|s| s.summary().to_vec()));
    move || {
        let issues = summary.get();
        (!issues.is_empty()).then(|| {
            let l = lang.get();
            let items = ctx.session.with_untracked(|s| {
                issues
                    .iter()
                    .filter_map(|issue| {
                        let field = s.definition().field(&issue.field)?;
                        let label = match blankett_core::answers::split_row_key(&issue.field) {
                            Some((repeat, row, _)) => format!("{} {}: {}", s.row_label(repeat, l), row + 1, field.label_in(l)),
                            None => field.label_in(l).to_owned(),
                        };
                        Some((control_id(field, &issue.field), format!("{label}: {}", issue.code.message(l))))
                    })
                    .collect::<Vec<_>>()
            });
            view! {
                <div class="error-summary" id="error-summary" role="group" tabindex="-1" aria-labelledby="error-summary-title">
                    <h2 id="error-summary-title">{t(l, Key::ErrorSummaryTitle)}</h2>
                    <ul>
                        {items.into_iter().map(|(target, text)| {
                            let href = format!("#{target}");
                            let on_click = move |e: ev::MouseEvent| {
                                e.prevent_default();
                                focus_now(&target);
                            };
                            view! { <li><a href=href on:click=on_click>{text}</a></li> }
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// One step: summary, progress, heading, fields, and Next/Back.
#[component]
pub fn StepPage(index: usize) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let step = ctx
        .session
        .with_untracked(|s| s.definition().steps[index].clone());
    let has_required = Memo::new(move |_| ctx.session.with(|s| s.step_has_required(index)));
    let is_last = Memo::new(move |_| ctx.session.with(|s| s.next_is_review()));
    let to_review = ctx.session.with_untracked(|s| s.returns_to_review());
    let on_submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let cx = ctx.validation();
        let moved = ctx.session.try_update(|s| s.next(&cx)).unwrap_or(false);
        focus_after_update(
            if moved {
                "step-heading"
            } else {
                "error-summary"
            }
            .into(),
        );
    };
    let back = move |_| {
        ctx.session.update(|s| s.back());
        let to = if ctx.session.with_untracked(|s| s.position()) == Position::Start {
            "main"
        } else {
            "step-heading"
        };
        focus_after_update(to.into());
    };
    let next_label = move || {
        t(
            lang.get(),
            if to_review {
                Key::BackToReview
            } else if is_last.get() {
                Key::ToReview
            } else {
                Key::Next
            },
        )
    };
    let title = step.title.clone();
    view! {
        <form class="step" novalidate on:submit=on_submit>
            <ErrorSummary/>
            <Progress/>
            <h2 id="step-heading" tabindex="-1" lang=move || lang_attr(&title, lang.get())>{tr(&step.title, lang)}</h2>
            {step.description.clone().map(|d| view! { <p class="lead">{tr(&d, lang)}</p> })}
            {move || has_required.get().then(|| view! { <p class="required-note">{t(lang.get(), Key::RequiredNote)}</p> })}
            {step.fields.into_iter().map(|f| field_view(f, None)).collect_view()}
            <div class="actions">
                <button type="submit" class="button button--primary">{next_label}</button>
                <button type="button" class="button button--secondary" on:click=back>{move || t(lang.get(), Key::Back)}</button>
            </div>
        </form>
        <PrivacyNotice open=false/>
    }
}

/// Every answer, with a Change button per question, then Submit.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let sections = Memo::new(move |_| ctx.session.with(|s| s.review(lang.get())));
    let change = move |field: String| {
        ctx.session.update(|s| s.change(&field));
        let target = ctx
            .session
            .with_untracked(|s| s.definition().field(&field).map(|f| control_id(f, &field)));
        if let Some(target) = target {
            focus_after_update(target);
        }
    };
    let back = move |_| {
        ctx.session.update(|s| s.back());
        focus_after_update("step-heading".into());
    };
    let sending = move || ctx.send.get() == SendState::Sending;
    view! {
        <ErrorSummary/>
        <Progress/>
        <h2 id="step-heading" tabindex="-1">{move || t(lang.get(), Key::ReviewTitle)}</h2>
        <p>{move || t(lang.get(), Key::ReviewIntro)}</p>
        {move || sections.get().into_iter().map(|section| view! {
            <section class="review-section" aria-labelledby=format!("review-{}", section.step)>
                <h3 id=format!("review-{}", section.step)>{section.title}</h3>
                <dl class="review">
                    {section.items.into_iter().map(|item| {
                        let field = item.field.clone();
                        let l = lang.get();
                        let answered = !item.value.is_empty();
                        view! {
                            <div class="review-row">
                                <dt>{item.label.clone()}</dt>
                                <dd class=if answered { "review-value" } else { "review-value review-value--empty" }>
                                    {if answered { item.value } else { t(l, Key::NotAnswered).to_owned() }}
                                </dd>
                                {item.editable.then(|| view! {
                                    <dd class="review-action">
                                        <button type="button" class="link-button" on:click=move |_| change(field.clone())>
                                            {t(l, Key::Change)}<span class="visually-hidden">" "{item.label.clone()}</span>
                                        </button>
                                    </dd>
                                })}
                            </div>
                        }
                    }).collect_view()}
                </dl>
            </section>
        }).collect_view()}
        <SendStatus/>
        <div class="actions">
            <button type="button" class="button button--primary" disabled=sending on:click=move |_| submit(ctx)>
                {move || t(lang.get(), if sending() { Key::Submitting } else { Key::Submit })}
            </button>
            <button type="button" class="button button--secondary" on:click=back>{move || t(lang.get(), Key::Back)}</button>
        </div>
    }
}

/// What happened to the last attempt to send, in a live region.
#[component]
fn SendStatus() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    view! {
        <div id="send-status" role="status" aria-live="polite" tabindex="-1">
            {move || match ctx.send.get() {
                SendState::Idle | SendState::Sending => ().into_any(),
                SendState::Failed => view! {
                    <p class="notice notice--error">
                        {t(lang.get(), Key::SendFailed)}" "{t(lang.get(), Key::AnswersKept)}
                    </p>
                }
                .into_any(),
                SendState::Rejected(message) => view! {
                    <p class="notice notice--error">
                        {t(lang.get(), Key::SendRejected)}" "{message.get(lang.get()).to_owned()}" "{t(lang.get(), Key::AnswersKept)}
                    </p>
                }
                .into_any(),
                SendState::Done(_) => ().into_any(),
            }}
        </div>
    }
}

/// The receipt: the reference number the receiver gave.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let receipt = move || match ctx.send.get() {
        SendState::Done(r) => Some(r),
        _ => None,
    };
    view! {
        <section class="receipt" aria-labelledby="step-heading">
            <h2 id="step-heading" tabindex="-1">{move || t(lang.get(), Key::ReceiptTitle)}</h2>
            {move || receipt().map(|r| view! {
                <dl class="receipt-facts">
                    <dt>{t(lang.get(), Key::ReceiptReference)}</dt>
                    <dd class="reference" id="reference">{r.reference.clone()}</dd>
                    <dt>{t(lang.get(), Key::ReceiptReceived)}</dt>
                    <dd>{crate::browser::human_time(&r.received_at, lang.get())}</dd>
                </dl>
            })}
            <p>{move || t(lang.get(), Key::ReceiptSaveReference)}</p>
            <p><a href="./">{move || t(lang.get(), Key::NewForm)}</a></p>
        </section>
    }
}

//! The pages of a form: start (with the privacy notice), each step, review, receipt.

use blankett_core::{SendStatus, Text};
use leptos::ev;
use leptos::prelude::*;

use super::field::{control_id, field_view};
use super::{FormCtx, lang_attr, tr};
use crate::browser::human_time;
use crate::i18n::{Key, t};

/// The first page: what the form is, who publishes it, and how personal data is processed.
#[component]
pub fn StartPage() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let def = ctx.read_untracked(|s| s.definition().clone());
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
            <button type="button" class="button button--primary" on:click=move |_| ctx.start()>{move || t(lang.get(), Key::Start)}</button>
        </div>
    }
}

/// The privacy notice (GDPR art. 13) as a disclosure; open on the start page.
#[component]
pub fn PrivacyNotice(open: bool) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let p = ctx.read_untracked(|s| s.definition().privacy.clone());
    let row = move |key: Key, text: &Text| {
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
                <dt>{move || t(lang.get(), Key::PrivacyOnDevice)}</dt>
                <dd>{move || ctx.read_untracked(|s| super::drafts::privacy_text(s.definition(), lang.get(), ctx.host.standalone()))}</dd>
            </dl>
            <p>
                <a href=p.rights_url.clone() target="_blank" rel="noopener noreferrer">
                    {move || t(lang.get(), Key::PrivacyRights)}
                    <span class="visually-hidden">{move || t(lang.get(), Key::OpensInNewTab)}</span>
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
    let progress = Memo::new(move |_| ctx.read(|s| s.progress_text(lang.get())));
    move || {
        progress
            .get()
            .map(|text| view! { <p class="progress">{text}</p> })
    }
}

/// The error summary: every problem on the step as a link that moves focus to its field.
#[component]
fn ErrorSummary() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let items = Memo::new(move |_| ctx.read(|s| s.summary_items(lang.get())));
    move || {
        let items = items.get();
        (!items.is_empty()).then(|| {
            view! {
                <div class="error-summary" id="error-summary" role="group" tabindex="-1" aria-labelledby="error-summary-title">
                    <h2 id="error-summary-title">{t(lang.get(), Key::ErrorSummaryTitle)}</h2>
                    <ul>
                        {items.into_iter().map(|item| {
                            let target = control_id(&item.control);
                            let href = format!("#{target}");
                            let on_click = move |e: ev::MouseEvent| {
                                e.prevent_default();
                                ctx.host.focus_now(&target);
                            };
                            view! {
                                <li><a href=href on:click=on_click>
                                    {item.label}": "<span lang=item.message_lang>{item.message}</span>
                                </a></li>
                            }
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
    let step = ctx.read_untracked(|s| s.definition().steps[index].clone());
    let has_required = Memo::new(move |_| ctx.read(|s| s.step_has_required(index)));
    let next_label = Memo::new(move |_| ctx.read(|s| s.next_label(lang.get())));
    let on_submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        ctx.next();
    };
    let title = step.title.clone();
    view! {
        <form class="step" novalidate on:submit=on_submit>
            <ErrorSummary/>
            <Progress/>
            <h2 id="step-heading" tabindex="-1" lang=move || lang_attr(&title, lang.get())>{tr(&step.title, lang)}</h2>
            {step.description.clone().map(|d| view! { <p class="lead">{tr(&d, lang)}</p> })}
            {move || has_required.get().then(|| view! { <p class="required-note">{t(lang.get(), Key::RequiredNote)}</p> })}
            // Built in a container of their own and put in the form at once: Chromium files
            // every input it inserts into a <form> in document order, one at a time (quadratic
            // for a long step: 4,000 fields took 6 s; now the same as outside a form).
            <div class="step-fields">
                {step.fields.into_iter().map(|f| field_view(f, None)).collect_view()}
            </div>
            <div class="actions">
                <button type="submit" class="button button--primary">{move || next_label.get()}</button>
                <button type="button" class="button button--secondary" on:click=move |_| ctx.back()>{move || t(lang.get(), Key::Back)}</button>
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
    let sections = Memo::new(move |_| ctx.read(|s| s.review(lang.get())));
    let sending = Memo::new(move |_| ctx.read(|s| s.is_sending()));
    view! {
        <ErrorSummary/>
        <Progress/>
        <PrintHeading/>
        <h2 id="step-heading" tabindex="-1">{move || t(lang.get(), Key::ReviewTitle)}</h2>
        <p class="no-print">{move || t(lang.get(), Key::ReviewIntro)}</p>
        {move || sections.get().into_iter().map(|section| view! {
            <section class="review-section" aria-labelledby=ctx.host.region_label(&format!("review-{}", section.step))>
                <h3 id=format!("review-{}", section.step)>{section.title}</h3>
                <dl class="review">
                    {section.items.into_iter().map(|item| view! { <ReviewRow item/> }).collect_view()}
                </dl>
            </section>
        }).collect_view()}
        <SendStatusNotice/>
        <div class="actions">
            <button type="button" class="button button--primary" disabled=move || sending.get() on:click=move |_| ctx.submit()>
                {move || t(lang.get(), if sending.get() { Key::Submitting } else { Key::Submit })}
            </button>
            <button type="button" class="button button--secondary" on:click=move |_| ctx.back()>{move || t(lang.get(), Key::Back)}</button>
        </div>
    }
}

/// One answer on the review page, with its Change button unless it cannot be changed.
#[component]
fn ReviewRow(item: blankett_core::session::ReviewItem) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let l = ctx.lang.get_untracked();
    let answered = !item.value.is_empty();
    let field = item.field.clone();
    view! {
        <div class="review-row">
            <dt>{item.label.clone()}</dt>
            <dd class=if answered { "review-value" } else { "review-value review-value--empty" }>
                {match (answered, item.ltr) {
                    (true, true) => view! { <bdi dir="ltr">{item.value}</bdi> }.into_any(),
                    (true, false) => item.value.into_any(),
                    (false, _) => t(l, Key::NotAnswered).into_any(),
                }}
            </dd>
            {item.editable.then(|| view! {
                <dd class="review-action">
                    <button type="button" class="link-button" on:click=move |_| ctx.change(&field)>
                        {t(l, Key::Change)}<span class="visually-hidden">" "{item.label.clone()}</span>
                    </button>
                </dd>
            })}
        </div>
    }
}

/// On paper only (the review page and the receipt): who publishes the form and the date it was
/// printed, under the form's title. The screen has both elsewhere (the start page, the receipt's
/// facts), so the element is hidden there, and from assistive technology with it.
#[component]
fn PrintHeading() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let name = ctx.read_untracked(|s| s.definition().organisation.name.clone());
    let today = crate::browser::today().to_string();
    view! {
        <p class="print-only print-heading">
            <span lang={
                let name = name.clone();
                move || lang_attr(&name, lang.get())
            }>{tr(&name, lang)}</span>
            <br/>
            {move || t(lang.get(), Key::PrintDate)}" "<bdi dir="ltr">{today}</bdi>
        </p>
    }
}

/// What the last attempt to send came to, in a live region.
#[component]
fn SendStatusNotice() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let status = Memo::new(move |_| ctx.read(|s| s.send_status().clone()));
    let notice = move || {
        let l = lang.get();
        let problem = |status: u16, detail: Option<blankett_core::Localized>| {
            let reason = detail.map_or_else(
                || format!("HTTP {status}"),
                |d| d.get(l.messages()).to_owned(),
            );
            format!(
                "{} {reason} {}",
                t(l, Key::SendRejected),
                t(l, Key::AnswersKept)
            )
        };
        let text = match status.get() {
            SendStatus::NotSent | SendStatus::Sending | SendStatus::Received(_) => return None,
            SendStatus::Refused { status, detail } => problem(status, detail),
            // The receiver answered, but could not take it now: its own words, or its status;
            // the outbox sends it again.
            SendStatus::TryAgain {
                status: Some(status),
                detail,
            } if detail.is_some() || status >= 300 => {
                let reason = detail.map_or_else(
                    || format!("HTTP {status}"),
                    |d| d.get(l.messages()).to_owned(),
                );
                format!(
                    "{} {reason} {}",
                    t(l, Key::SendRejected),
                    t(l, Key::SendRetrying)
                )
            }
            SendStatus::TryAgain { .. } => t(l, Key::SendQueued).to_owned(),
        };
        Some(view! { <p class="notice notice--error">{text}</p> })
    };
    view! {
        <div id="send-status" role="status" aria-live="polite" tabindex="-1">{notice}</div>
    }
}

/// The receipt: the reference number the receiver gave, whether the receiver signed it, the
/// answers as sent, and a way to print it all (the paper copy of the guidelines).
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let receipt = Memo::new(move |_| ctx.read(|s| s.receipt().cloned()));
    // The copy kept on the device says whether the receiver's signature checked out.
    let kept = LocalResource::new(move || {
        let reference = receipt.get().map(|r| r.reference);
        async move {
            match reference {
                Some(r) => crate::outbox::kept_receipt(&r).await,
                None => None,
            }
        }
    });
    let sections = Memo::new(move |_| ctx.read(|s| s.review(lang.get())));
    view! {
        <section class="receipt" aria-labelledby=ctx.host.region_label("step-heading")>
            <PrintHeading/>
            <h2 id="step-heading" tabindex="-1">{move || t(lang.get(), Key::ReceiptTitle)}</h2>
            {move || receipt.get().map(|r| view! {
                <dl class="receipt-facts">
                    <dt>{t(lang.get(), Key::ReceiptReference)}</dt>
                    <dd class="reference" id="reference">{r.reference.clone()}</dd>
                    <dt>{t(lang.get(), Key::ReceiptReceived)}</dt>
                    <dd>{human_time(&r.received_at, lang.get())}</dd>
                </dl>
            })}
            <p class="receipt-proof">{move || kept.get().flatten().map(|k| {
                t(lang.get(), if k.verified { Key::ReceiptVerified } else { Key::ReceiptNotSigned })
            })}</p>
            <p>{move || t(lang.get(), Key::ReceiptSaveReference)}</p>
            <div class="actions no-print">
                <button type="button" class="button button--secondary" on:click=|_| crate::browser::print()>
                    {move || t(lang.get(), Key::PrintReceipt)}
                </button>
            </div>
            <h3>{move || t(lang.get(), Key::ReceiptAnswers)}</h3>
            {move || sections.get().into_iter().map(|section| view! {
                <section class="review-section" aria-labelledby=ctx.host.region_label(&format!("sent-{}", section.step))>
                    <h4 id=format!("sent-{}", section.step)>{section.title}</h4>
                    <dl class="review">
                        {section.items.into_iter().filter(|i| !i.value.is_empty()).map(|item| view! {
                            <div class="review-row">
                                <dt>{item.label}</dt>
                                <dd class="review-value">{if item.ltr {
                                    view! { <bdi dir="ltr">{item.value}</bdi> }.into_any()
                                } else {
                                    item.value.into_any()
                                }}</dd>
                            </div>
                        }).collect_view()}
                    </dl>
                </section>
            }).collect_view()}
            {ctx.host.standalone().then(|| view! {
                <p class="no-print"><a href="./">{move || t(lang.get(), Key::NewForm)}</a></p>
            })}
        </section>
    }
}

//! Proposals, invoices, credit notes and payments: lists, the draft editor, each document's
//! page and its actions (send, accept, decline, convert, issue, void, credit, record or delete
//! a payment).
//!
//! The editor saves the draft on every change and shows the totals the API computed for it:
//! the browser never computes an amount.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::dashboard::{invoice_table, proposal_table};
use super::editor::{Balance, Draft, Kind, customer_options, draft_page, totals};
use super::records::{Paging, safe_id};
use super::{Fields, Submission, fmt, idempotency, listed};
use crate::domain::credit_note::{CreditNote, CreditNoteSummary};
use crate::domain::document::Content;
use crate::domain::ids::CustomerId;
use crate::domain::invoice::{Invoice, InvoiceStatus};
use crate::domain::link::{Delivery, DeliveryEvent, DocumentLink};
use crate::domain::payment::{Payment, PaymentSummary};
use crate::domain::proposal::{Proposal, ProposalStatus};
use crate::domain::sending::Sending;
use crate::domain::time::Date;
use crate::http::records::View;
use crate::web::form::{Form, to_json};
use crate::web::page::{
    self, Input, Section, field, hidden, hinted, next_link, notice, once, required, status,
};
use crate::web::reads::{self, typed};
use crate::web::show::{Fmt, method, or_empty};
use crate::web::ui::{t, t_with};
use crate::web::{Failure, Web, go_to};

/// `?status=&customer=&next=` of a document list.
#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    status: Option<String>,
    customer: Option<String>,
    next: Option<String>,
}

impl Filter {
    /// The filter's parameters that every page of the list keeps.
    fn kept(&self) -> [(&'static str, Option<&str>); 2] {
        [
            ("status", self.status.as_deref()),
            ("customer", self.customer.as_deref()),
        ]
    }

    /// This page's query of the API's list.
    fn query(&self) -> impl Iterator<Item = (&'static str, Option<&str>)> {
        self.kept()
            .into_iter()
            .chain([("next", self.next.as_deref())])
    }
}

fn filter_form(kind: Kind, filter: &Filter, customers: &[(String, String)]) -> Markup {
    let mut form = Form::default();
    form.set("status", filter.status.clone().unwrap_or_default());
    form.set("customer", filter.customer.clone().unwrap_or_default());
    let any = t("any-customer");
    let mut options: Vec<(&str, &str)> = vec![("", any.as_str())];
    options.extend(
        customers
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str())),
    );
    html! {
        form.card.fields method="get" action=(format!("/{}", kind.path())) role="search" {
            (field(&form, &t("col-status"), "status", Input::Choice(kind.statuses())))
            (field(&form, &t("col-customer"), "customer", Input::Select(&options)))
            div { button.secondary type="submit" { (t("show")) } }
        }
    }
}

async fn list(
    kind: Kind,
    web: &Web,
    headers: &HeaderMap,
    filter: &Filter,
) -> Result<Response, Failure> {
    let (table, next, customers) = match kind {
        Kind::Invoice => {
            let (page, customers) = tokio::join!(
                listed(web, headers, reads::list::<Invoice>(filter.query())),
                customer_options(web, headers),
            );
            let (page, fmt) = page?;
            (invoice_table(&fmt, &page.data), page.next, customers)
        }
        Kind::Proposal => {
            let (page, customers) = tokio::join!(
                listed(web, headers, reads::list::<Proposal>(filter.query())),
                customer_options(web, headers),
            );
            let (page, fmt) = page?;
            (proposal_table(&fmt, &page.data), page.next, customers)
        }
    };
    let content = html! {
        div.actions { a.button href=(format!("/{}/new", kind.path())) { (t(&format!("{}-new", kind.singular()))) } }
        (filter_form(kind, filter, &customers?))
        (table)
        (next_link(&format!("/{}", kind.path()), &filter.kept(), next.as_deref()))
    };
    let title = match kind {
        Kind::Proposal => "nav-proposals",
        Kind::Invoice => "nav-invoices",
    };
    Ok(page::page(&t(title), kind.section(), content).into_response())
}

pub async fn list_proposals(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, Failure> {
    list(Kind::Proposal, &web, &headers, &filter).await
}

pub async fn list_invoices(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, Failure> {
    list(Kind::Invoice, &web, &headers, &filter).await
}

/// Where an action's success leads: the document's page, or what the action made.
enum Next {
    Back,
    MadeInvoice,
    MadeCreditNote,
}

/// Facts of an issued document, as a list of terms.
struct Facts<'a> {
    status: &'a str,
    customer_id: Option<&'a CustomerId>,
    issue_date: Date,
    /// When it is due, or until when it is valid (a message id and the date).
    second: Option<(&'static str, Date)>,
    content: &'a Content,
    /// Why it was voided, declined or credited (a message id and the reason).
    reason: Option<(&'static str, &'a str)>,
}

fn facts(fmt: &Fmt, doc: &Facts<'_>) -> Markup {
    let content = doc.content;
    html! {
        dl.facts {
            dt { (t("col-status")) } dd { (status(doc.status)) }
            dt { (t("col-customer")) } dd {
                @if let Some(customer) = doc.customer_id {
                    a href=(format!("/customers/{customer}")) { (or_empty(&content.customer_name)) }
                } @else { (or_empty(&content.customer_name)) }
            }
            dt { (t("col-date")) } dd { (fmt.date(doc.issue_date)) }
            @if let Some((label, date)) = doc.second { dt { (t(label)) } dd { (fmt.date(date)) } }
            dt { (t("col-total")) } dd { (fmt.money(&content.total, content.currency)) }
            @if let Some((label, reason)) = doc.reason { dt { (t(label)) } dd { (reason) } }
        }
    }
}

/// The lines of an issued document, read only.
fn lines_table(fmt: &Fmt, doc: &Content) -> Markup {
    let currency = doc.currency;
    html! {
        div.table { table {
            caption { (t("lines")) }
            thead { tr {
                th scope="col" { (t("field-description")) } th.num scope="col" { (t("quantity")) } th scope="col" { (t("field-unit")) }
                th.num scope="col" { (t("field-unit-price")) } th.num scope="col" { (t("tax")) } th.num scope="col" { (t("net")) }
            } }
            tbody { @for line in &doc.lines { tr {
                td { (line.description) }
                td.num { (fmt.quantity(&line.quantity)) }
                td { (or_empty(&line.unit)) }
                td.num { (fmt.money(&line.unit_price, currency)) }
                td.num { (fmt.percent(&line.tax_rate)) }
                td.num { (fmt.money(&line.net, currency)) }
            } } }
        } }
    }
}

/// A form for one action on a document, with a reason or other fields.
fn action_form(path: &str, label: &str, class: &str, form: &Form, inner: Markup) -> Markup {
    html! {
        form.card.action hx-post=(path) hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["reason", "amount", "date", "method", "reference", "to[0]", "cc[0]", "subject", "message"]))
            (once())
            (inner)
            button class=(class) type="submit" { (label) }
        }
    }
}

fn reason_form(path: &str, label: &str, class: &str, form: &Form, prompt: &str) -> Markup {
    // Each action's path ends with its name: `decline`, `credit`, `void`.
    let scope = match path.rsplit('/').next() {
        Some("credit") => "credit",
        Some("void") => "void",
        _ => "decline",
    };
    let form = form.clone().scoped(scope);
    let reason = required(&form, prompt, "reason", Input::Area);
    action_form(path, label, class, &form, reason)
}

/// The form that e-mails an issued invoice: every field may be left to the defaults.
fn send_form(path: &str, form: &Form) -> Markup {
    let form = form.clone().scoped("send");
    action_form(
        path,
        &t("send"),
        "",
        &form,
        html! {
            div.fields {
                (hinted(&form, &t("field-to"), "to[0]", Input::Email, &t("hint-to")))
                (field(&form, &t("field-cc"), "cc[0]", Input::Email))
                (hinted(&form, &t("field-subject"), "subject", Input::Text, &t("hint-subject")))
            }
            (hinted(&form, &t("field-message"), "message", Input::Area, &t("hint-message")))
        },
    )
}

/// An invoice's payment reminders: the next one's day (or why none), those sent, and the
/// owner's actions (send one now, pause or resume the schedule's).
fn reminder_section(
    fmt: &Fmt,
    (id, etag): (&str, &str),
    open: bool,
    currency: crate::domain::values::Currency,
    reminders: &crate::app::reminders::Reminders,
) -> Markup {
    let at_version = |action: &str, label: &str, class: &str| {
        html! {
            form.action hx-post=(format!("/invoices/{id}/do/{action}")) hx-target="this" hx-swap="outerHTML" {
                (notice(&Form::default(), &[]))
                (hidden("_etag", etag))
                button class=(class) type="submit" { (label) }
            }
        }
    };
    html! {
        h2 { (t("reminders")) }
        @if open {
            p.next-reminder {
                @if let Some(day) = reminders.next_reminder {
                    (t_with("reminders-next", &[("date", &fmt.date(day))]))
                } @else if !reminders.enabled {
                    (t("reminders-off"))
                } @else if reminders.paused {
                    (t("reminders-paused"))
                } @else if reminders.customer_opted_out {
                    (t("reminders-opted-out"))
                } @else {
                    (t("reminders-none-due"))
                }
            }
        }
        @if let Some(problem) = &reminders.problem { p.error role="status" { (problem) } }
        @if !reminders.sent.is_empty() {
            div.table { table {
                caption { (t("reminders-sent")) }
                thead { tr {
                    th scope="col" { (t("col-date")) } th scope="col" { (t("reminders-stage")) }
                    th scope="col" { (t("field-to")) } th.num scope="col" { (t("reminders-claimed")) }
                } }
                tbody { @for r in &reminders.sent { tr {
                    td { (fmt.date(r.date)) }
                    td { (r.stage) @if r.by_hand { " (" (t("reminders-by-hand")) ")" } }
                    td { (r.to.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")) }
                    td.num { (fmt.money(&r.charges.total, currency)) }
                } } }
            } }
        }
        @if open {
            div.actions {
                (page::action(&format!("/invoices/{id}/do/remind"), &t("reminders-send-now"), "secondary"))
                @if reminders.paused {
                    (at_version("resume-reminders", &t("reminders-resume"), "secondary"))
                } @else {
                    (at_version("pause-reminders", &t("reminders-pause"), "secondary"))
                }
            }
        }
    }
}

/// Each message that carried the document: when, to whom, with which subject.
fn sendings_table(fmt: &Fmt, sendings: &[Sending]) -> Markup {
    html! {
        @if sendings.is_empty() {
            p { (t("not-sent-yet")) }
        } @else {
            div.table { table {
                caption { (t("sent-by-email")) }
                thead { tr {
                    th scope="col" { (t("col-date")) } th scope="col" { (t("field-to")) }
                    th scope="col" { (t("field-subject")) }
                } }
                tbody { @for sending in sendings { tr {
                    td { (fmt.day(sending.at)) }
                    td { (sending.to.iter().chain(&sending.cc).map(|a| a.as_str()).collect::<Vec<_>>().join(", ")) }
                    td { (sending.subject) }
                } } }
            } }
        }
    }
}

/// What happened to a sent document: its messages, its delivery history and its links (each
/// revocable while it opens the page).
fn delivery_section(
    fmt: &Fmt,
    base: &str,
    sendings: &[Sending],
    deliveries: &[Delivery],
    links: &[DocumentLink],
) -> Markup {
    html! {
        (sendings_table(fmt, sendings))
        @if !deliveries.is_empty() {
            div.table { table {
                caption { (t("delivery-history")) }
                thead { tr {
                    th scope="col" { (t("col-date")) } th scope="col" { (t("col-event")) }
                    th scope="col" { (t("col-detail")) }
                } }
                tbody { @for d in deliveries { tr {
                    td { (fmt.day(d.at)) }
                    td { (event_name(d.event)) }
                    td { (d.recipient.as_ref().map(|r| r.as_str()).or(d.detail.as_deref()).unwrap_or_default()) }
                } } }
            } }
        }
        form.action hx-post=(format!("{base}/do/make-link")) hx-target="this" hx-swap="outerHTML" {
            button.secondary type="submit" { (t("make-link")) }
        }
        @if !links.is_empty() {
            div.table { table {
                caption { (t("document-links")) }
                thead { tr {
                    th scope="col" { (t("link-created")) } th scope="col" { (t("link-expires")) }
                    th scope="col" { (t("link-viewed")) } th scope="col" { (t("col-status")) }
                    th scope="col" { span.visually-hidden { (t("actions")) } }
                } }
                tbody { @for link in links { tr {
                    td { (fmt.day(link.created_at)) }
                    td { (fmt.day(link.expires_at)) }
                    td { @if let Some(at) = link.viewed_at { (fmt.day(at)) } @else { "—" } }
                    td { @if link.revoked_at.is_some() { (t("link-revoked")) } @else { (t("link-live")) } }
                    td { @if link.revoked_at.is_none() {
                        form.action hx-post=(format!("{base}/do/revoke-link")) hx-target="this" hx-swap="outerHTML" {
                            (hidden("link", &link.id.to_string()))
                            button.link type="submit" { (t("revoke-link")) }
                        }
                    } }
                } } }
            } }
            p.hint { (t("links-explained")) }
        }
    }
}

/// An event of the delivery history, in the owner's words.
fn event_name(event: DeliveryEvent) -> String {
    t(match event {
        DeliveryEvent::Delivered => "event-delivered",
        DeliveryEvent::Bounced => "event-bounced",
        DeliveryEvent::Complained => "event-complained",
        DeliveryEvent::Rejected => "event-rejected",
        DeliveryEvent::Viewed => "event-viewed",
        DeliveryEvent::Accepted => "event-accepted",
        DeliveryEvent::Declined => "event-declined",
    })
}

const METHODS: &[(&str, &str)] = &[
    ("bank_transfer", "method-bank_transfer"),
    ("card", "method-card"),
    ("cash", "method-cash"),
    ("cheque", "method-cheque"),
    ("other", "method-other"),
];

fn payment_form(path: &str, form: &Form) -> Markup {
    action_form(
        path,
        &t("record-payment"),
        "",
        form,
        html! {
            div.fields {
                (required(form, &t("amount"), "amount", Input::Decimal))
                (required(form, &t("received-on"), "date", Input::Date))
                (required(form, &t("method"), "method", Input::Choice(METHODS)))
                (field(form, &t("reference"), "reference", Input::Text))
            }
        },
    )
}

/// `GET /proposals/{id}`: the editor for a draft; otherwise the proposal and what can be done
/// with it now.
pub async fn proposal(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let got = web
        .api
        .read_tagged(&headers, reads::record::<Proposal>(id))
        .await?;
    if got.value.record.status == ProposalStatus::Draft {
        return draft_page(&web, &headers, id, &Draft::Proposal(got)).await;
    }
    let doc = got.value.record;
    let fmt = fmt(&web, &headers).await?;
    let none = Form::default();
    let sent = doc.status == ProposalStatus::Sent;
    let content = html! {
        (facts(&fmt, &Facts {
            status: doc.status.as_str(),
            customer_id: doc.content.customer_id.as_ref(),
            issue_date: doc.issue_date,
            second: Some(("valid-until", doc.valid_until)),
            content: &doc.content,
            reason: doc.decline_reason.as_ref().map(|r| ("declined-because", r.as_str())),
        }))
        div.actions {
            a.button.secondary href=(reads::of_record::<Proposal>(id, "pdf")) download { (t("download-pdf")) }
            @if sent {
                (page::action(&format!("/proposals/{id}/do/accept"), &t("mark-accepted"), ""))
            }
            @if doc.status == ProposalStatus::Accepted {
                (page::action(&format!("/proposals/{id}/do/invoice"), &t("convert-to-invoice"), ""))
            }
            @if let Some(invoice) = &doc.invoice_id {
                a.button href=(format!("/invoices/{invoice}")) { (t("open-its-invoice")) }
            }
        }
        @if sent {
            h2 { (t("declined-question")) }
            (reason_form(&format!("/proposals/{id}/do/decline"), &t("mark-declined"), "secondary", &none, &t("why-declined")))
        }
        (lines_table(&fmt, &doc.content))
        (totals(&fmt, Some(&doc.content), None))
        h2 { (t("send-by-email")) }
        (send_form(&format!("/proposals/{id}/do/send"), &none))
        (delivery_section(&fmt, &format!("/proposals/{id}"), &doc.sendings, &doc.deliveries, &doc.links))
    };
    let title = t_with(
        "proposal-title",
        &[("number", doc.number.as_deref().unwrap_or_default())],
    );
    Ok(page::page(&title, Section::Proposals, content).into_response())
}

/// `GET /invoices/{id}`: the editor for a draft; otherwise the invoice, its payments and
/// credit notes, and what can be done with it now.
pub async fn invoice(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let got = web
        .api
        .read_tagged(&headers, reads::record::<Invoice>(id))
        .await?;
    if got.value.record.status == InvoiceStatus::Draft {
        return draft_page(&web, &headers, id, &Draft::Invoice(got)).await;
    }
    let doc = got.value.record;
    let (fmt, payments, credits, summary, reminders) = tokio::join!(
        fmt(&web, &headers),
        web.api.read(&headers, reads::payments_of(id)),
        web.api.read(&headers, reads::credit_notes_of(id)),
        web.api.read(&headers, reads::summary()),
        web.api.read(&headers, reads::reminders_of(id)),
    );
    let (fmt, payments, credits, reminders) = (fmt?, payments?.data, credits?.data, reminders?);
    let today = summary?.as_of;
    let open = matches!(
        doc.status,
        InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid
    );
    let void = doc.status == InvoiceStatus::Void;
    let mut pay = Form::default();
    pay.set("amount", doc.amount_due.to_string());
    pay.set("date", today.to_string());
    pay.set("method", "bank_transfer");
    let none = Form::default();
    let content = html! {
        (facts(&fmt, &Facts {
            status: doc.status.as_str(),
            customer_id: doc.content.customer_id.as_ref(),
            issue_date: doc.issue_date,
            second: Some(("col-due", doc.due_date)),
            content: &doc.content,
            reason: doc.void_reason.as_ref().map(|r| ("voided-because", r.as_str())),
        }))
        div.actions {
            a.button.secondary href=(reads::of_record::<Invoice>(id, "pdf")) download { (t("download-pdf")) }
            @if !void {
                a.button.secondary href=(reads::of_record::<Invoice>(id, "ubl")) download { (t("download-ubl")) }
            }
        }
        (lines_table(&fmt, &doc.content))
        (totals(&fmt, Some(&doc.content), Some(Balance {
            paid: &doc.amount_paid,
            credited: &doc.amount_credited,
            due: &doc.amount_due,
        })))
        @if !void {
            h2 { (t("send-by-email")) }
            (send_form(&format!("/invoices/{id}/do/send"), &none))
            (delivery_section(&fmt, &format!("/invoices/{id}"), &doc.sendings, &doc.deliveries, &doc.links))
        }
        @if open || !reminders.sent.is_empty() {
            (reminder_section(&fmt, (id, &got.etag), open, doc.content.currency, &reminders))
        }
        @if open {
            h2 { (t("record-a-payment")) }
            (payment_form(&format!("/invoices/{id}/do/pay"), &pay))
        }
        h2 { (t("nav-payments")) }
        (payment_table(&fmt, &payments, Some(&format!("/invoices/{id}"))))
        h2 { (t("nav-credit-notes")) }
        (credit_table(&fmt, &credits))
        @if !void {
            h2 { (t("credit-this-invoice")) }
            p { (t("credit-explained")) }
            (reason_form(&format!("/invoices/{id}/do/credit"), &t("issue-credit-note"), "secondary", &none, &t("reason-for-credit")))
        }
        @if open {
            h2 { (t("void-this-invoice")) }
            p { (t("void-explained")) }
            (reason_form(&format!("/invoices/{id}/do/void"), &t("void-invoice"), "danger", &none, &t("reason-for-void")))
        }
    };
    let title = t_with(
        "invoice-title",
        &[("number", doc.number.as_deref().unwrap_or_default())],
    );
    Ok(page::page(&title, Section::Invoices, content).into_response())
}

fn payment_table(fmt: &Fmt, payments: &[PaymentSummary], back: Option<&str>) -> Markup {
    html! {
        @if payments.is_empty() {
            p { (t("no-payments")) }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { (t("received")) } th scope="col" { (t("invoice")) } th scope="col" { (t("col-customer")) }
                    th scope="col" { (t("method")) } th scope="col" { (t("reference")) } th.num scope="col" { (t("amount")) }
                    th scope="col" { span.visually-hidden { (t("actions")) } }
                } }
                tbody { @for summary in payments { @let p = &summary.payment; tr {
                    td { (fmt.date(p.date)) }
                    td { a href=(format!("/invoices/{}", p.invoice_id)) { (p.invoice_number) } }
                    td { (or_empty(&p.customer_name)) }
                    td { (method(p.method)) }
                    td { (or_empty(&p.reference)) }
                    td.num { (fmt.money(&p.amount, p.currency)) }
                    td {
                        form.action hx-post=(format!("/payments/{}/delete", summary.id)) hx-target="this" hx-swap="outerHTML" {
                            @if let Some(back) = back { (hidden("_back", back)) }
                            button.link type="submit" { (t("delete")) span.visually-hidden { " " (t_with("payment-of", &[("amount", &fmt.money(&p.amount, p.currency))])) } }
                        }
                    }
                } } }
            } }
        }
    }
}

fn credit_table(fmt: &Fmt, credits: &[CreditNoteSummary]) -> Markup {
    html! {
        @if credits.is_empty() {
            p { (t("no-credit-notes")) }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { (t("col-number")) } th scope="col" { (t("invoice")) } th scope="col" { (t("col-customer")) }
                    th scope="col" { (t("col-date")) } th.num scope="col" { (t("credited")) }
                } }
                tbody { @for c in credits { tr {
                    td { a href=(format!("/credit-notes/{}", c.id)) { (c.number) } }
                    td { a href=(format!("/invoices/{}", c.invoice_id)) { (c.invoice_number) } }
                    td { (or_empty(&c.customer_name)) }
                    td { (fmt.date(c.issue_date)) }
                    td.num { (fmt.money(&c.total, c.currency)) }
                } } }
            } }
        }
    }
}

/// Makes a new link to a document's page (`POST …/links`) and shows its address, once, in place
/// of the button.
async fn make_link(web: &Web, headers: &HeaderMap, api_record: &str) -> Result<Response, Failure> {
    let reply = web
        .api
        .send(
            headers,
            Method::POST,
            format!("{api_record}/links"),
            None,
            Vec::new(),
        )
        .await;
    if !reply.is_success() {
        return Err(Failure::Refused(reply.refusal()));
    }
    let made = typed::<Value>(reply)?.value;
    let url = made["url"].as_str().unwrap_or_default();
    Ok(html! {
        div.card role="status" {
            label for="made-link" { (t("link-made")) }
            input id="made-link" type="text" readonly value=(url);
        }
    }
    .into_response())
}

/// Revokes one link of a document (`DELETE …/links/{link}`), then shows its page again.
async fn revoke_link(
    web: &Web,
    headers: &HeaderMap,
    api_record: &str,
    back: &str,
    link: &str,
) -> Result<Response, Failure> {
    let reply = web
        .api
        .send(
            headers,
            Method::DELETE,
            format!("{api_record}/links/{link}"),
            None,
            Vec::new(),
        )
        .await;
    if reply.is_success() {
        return Ok(go_to(back));
    }
    Err(Failure::Refused(reply.refusal()))
}

/// `POST /credit-notes/{id}/do/{action}`: send a credit note, or revoke one of its links.
pub async fn act_on_credit_note(
    State(web): State<Web>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    fields: Fields,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let record = format!("{}/{id}", reads::records::<CreditNote>());
    let back = format!("/credit-notes/{id}");
    match action.as_str() {
        "make-link" => Box::pin(make_link(&web, &headers, &record)).await,
        "revoke-link" => {
            let link = fields
                .iter()
                .find(|(name, _)| name == "link")
                .map(|(_, value)| value.as_str())
                .ok_or(Failure::NotFound)?;
            let link = safe_id(link)?;
            Box::pin(revoke_link(&web, &headers, &record, &back, link)).await
        }
        "send" => {
            let sent = to_json(&fields);
            let reply = web
                .api
                .send(
                    &headers,
                    Method::POST,
                    format!("{record}/send"),
                    Some(&sent.body),
                    idempotency(&fields),
                )
                .await;
            if reply.is_success() {
                return Ok(go_to(&back));
            }
            let here = format!("/credit-notes/{id}/do/send");
            Submission { reply, sent }.refused(&fields, |form| send_form(&here, form))
        }
        _ => Err(Failure::NotFound),
    }
}

/// `POST /{kind}/{id}/do/{action}`: one action on a document, then its page again (or the
/// document the action made).
pub async fn act(
    State(web): State<Web>,
    headers: HeaderMap,
    Path((kind, id, action)): Path<(String, String, String)>,
    fields: Fields,
) -> Result<Response, Failure> {
    let kind = Kind::parse(&kind).ok_or(Failure::NotFound)?;
    let id = safe_id(&id)?;
    let path = kind.path();
    let sent = to_json(&fields);
    let (api_path, body, next): (String, Option<&Value>, Next) = match (kind, action.as_str()) {
        (Kind::Proposal, "accept") | (Kind::Invoice, "issue") => {
            (kind.api_of(id, &action), None, Next::Back)
        }
        (Kind::Proposal, "send") => (kind.api_of(id, "send"), Some(&sent.body), Next::Back),
        (_, "make-link") => {
            return Box::pin(make_link(&web, &headers, &kind.api_record(id))).await;
        }
        (_, "revoke-link") => {
            let link = fields
                .iter()
                .find(|(name, _)| name == "link")
                .map(|(_, value)| value.as_str())
                .ok_or(Failure::NotFound)?;
            let link = safe_id(link)?;
            // Boxed: the action's own future is large already.
            return Box::pin(revoke_link(
                &web,
                &headers,
                &kind.api_record(id),
                &format!("/{path}/{id}"),
                link,
            ))
            .await;
        }
        (Kind::Proposal, "decline") | (Kind::Invoice, "void") => {
            (kind.api_of(id, &action), Some(&sent.body), Next::Back)
        }
        (Kind::Proposal, "invoice") => (kind.api_of(id, "invoice"), None, Next::MadeInvoice),
        (Kind::Invoice, "credit") => (
            kind.api_of(id, "credit-notes"),
            Some(&sent.body),
            Next::MadeCreditNote,
        ),
        (Kind::Invoice, "pay") => (kind.api_of(id, "payments"), Some(&sent.body), Next::Back),
        (Kind::Invoice, "send") => (kind.api_of(id, "send"), Some(&sent.body), Next::Back),
        (Kind::Invoice, "remind") => (kind.api_of(id, "reminders"), None, Next::Back),
        (Kind::Invoice, "pause-reminders") => {
            (kind.api_of(id, "reminders/pause"), None, Next::Back)
        }
        (Kind::Invoice, "resume-reminders") => {
            (kind.api_of(id, "reminders/resume"), None, Next::Back)
        }
        _ => return Err(Failure::NotFound),
    };
    let mut extra = idempotency(&fields);
    if action.ends_with("-reminders") {
        // At the version the page showed.
        let etag = super::own(&fields, "_etag").unwrap_or("*").to_owned();
        extra.push((axum::http::header::IF_MATCH, etag));
    }
    let reply = web
        .api
        .send(&headers, Method::POST, api_path, body, extra)
        .await;
    if reply.is_success() {
        let to = match next {
            Next::Back => format!("/{path}/{id}"),
            Next::MadeInvoice => format!("/invoices/{}", typed::<View<Invoice>>(reply)?.value.id),
            Next::MadeCreditNote => {
                format!(
                    "/credit-notes/{}",
                    typed::<View<CreditNote>>(reply)?.value.id
                )
            }
        };
        return Ok(go_to(&to));
    }
    let here = format!("/{path}/{id}/do/{action}");
    Submission { reply, sent }.refused(&fields, |form| match action.as_str() {
        "pay" => payment_form(&here, form),
        "send" => send_form(&here, form),
        "decline" => reason_form(
            &here,
            &t("mark-declined"),
            "secondary",
            form,
            &t("why-declined"),
        ),
        "credit" => reason_form(
            &here,
            &t("issue-credit-note"),
            "secondary",
            form,
            &t("reason-for-credit"),
        ),
        "void" => reason_form(
            &here,
            &t("void-invoice"),
            "danger",
            form,
            &t("reason-for-void"),
        ),
        _ => html! {
            form.action hx-post=(here) hx-target="this" hx-swap="outerHTML" {
                (notice(form, &[]))
                (once())
                button type="submit" { (t("try-again")) }
            }
        },
    })
}

pub async fn list_credit_notes(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    let list = reads::list::<CreditNote>([("next", paging.next.as_deref())]);
    let (page, fmt) = listed(&web, &headers, list).await?;
    let content = html! {
        p { (t("credit-notes-explained")) }
        (credit_table(&fmt, &page.data))
        (next_link("/credit-notes", &[], page.next.as_deref()))
    };
    Ok(page::page(&t("nav-credit-notes"), Section::CreditNotes, content).into_response())
}

pub async fn credit_note(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let (doc, fmt) = tokio::join!(
        web.api.read(&headers, reads::record::<CreditNote>(id)),
        fmt(&web, &headers),
    );
    let (doc, fmt) = (doc?.record, fmt?);
    let content = html! {
        p { (t("credits-invoice")) " " a href=(format!("/invoices/{}", doc.invoice_id)) { (doc.invoice_number) } "." }
        (facts(&fmt, &Facts {
            status: "issued",
            customer_id: doc.content.customer_id.as_ref(),
            issue_date: doc.issue_date,
            second: None,
            content: &doc.content,
            reason: doc.reason.as_ref().map(|r| ("reason", r.as_str())),
        }))
        div.actions {
            a.button.secondary href=(reads::of_record::<CreditNote>(id, "pdf")) download { (t("download-pdf")) }
            a.button.secondary href=(reads::of_record::<CreditNote>(id, "ubl")) download { (t("download-ubl")) }
        }
        (lines_table(&fmt, &doc.content))
        (totals(&fmt, Some(&doc.content), None))
        h2 { (t("send-by-email")) }
        (send_form(&format!("/credit-notes/{id}/do/send"), &Form::default()))
        (delivery_section(&fmt, &format!("/credit-notes/{id}"), &doc.sendings, &doc.deliveries, &doc.links))
    };
    let title = t_with("credit-note-title", &[("number", &doc.number.to_string())]);
    Ok(page::page(&title, Section::CreditNotes, content).into_response())
}

pub async fn list_payments(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    let list = reads::list::<Payment>([("next", paging.next.as_deref())]);
    let (page, fmt) = listed(&web, &headers, list).await?;
    let content = html! {
        p { (t("payments-explained")) }
        (payment_table(&fmt, &page.data, None))
        (next_link("/payments", &[], page.next.as_deref()))
    };
    Ok(page::page(&t("nav-payments"), Section::Payments, content).into_response())
}

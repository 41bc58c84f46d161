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

use super::dashboard::invoice_table;
use super::editor::{Kind, Shown, customer_options, draft_page, totals};
use super::records::{Paging, safe_id};
use super::{Fields, Submission, idempotency, listed};
use crate::web::form::{Form, to_json};
use crate::web::page::{
    self, Input, Section, field, hidden, next_link, notice, once, required, status, with_query,
};
use crate::web::show::{Fmt, method, text};
use crate::web::{Failure, Web, body, go_to};

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

    /// The API's list path `path` for this page.
    fn of(&self, path: &str) -> String {
        with_query(
            path,
            self.kept()
                .into_iter()
                .chain([("next", self.next.as_deref())]),
        )
    }
}

fn filter_form(kind: Kind, filter: &Filter, customers: &[(String, String)]) -> Markup {
    let mut form = Form::default();
    form.set("status", filter.status.clone().unwrap_or_default());
    form.set("customer", filter.customer.clone().unwrap_or_default());
    let mut options: Vec<(&str, &str)> = vec![("", "Any customer")];
    options.extend(
        customers
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str())),
    );
    html! {
        form.card.fields method="get" action=(format!("/{}", kind.path())) role="search" {
            (field(&form, "Status", "status", Input::Select(kind.statuses())))
            (field(&form, "Customer", "customer", Input::Select(&options)))
            div { button.secondary type="submit" { "Show" } }
        }
    }
}

async fn list(
    kind: Kind,
    web: &Web,
    headers: &HeaderMap,
    filter: &Filter,
) -> Result<Response, Failure> {
    let api_path = filter.of(&format!("/v1/{}", kind.path()));
    let (page, settings, customers) = tokio::join!(
        web.api.get(headers, &api_path),
        web.api.get(headers, "/v1/settings"),
        customer_options(web, headers),
    );
    let page = body(page)?;
    let fmt = Fmt::of(&body(settings)?);
    let items = page["data"].as_array().cloned().unwrap_or_default();
    let table = match kind {
        Kind::Invoice => invoice_table(&fmt, &items),
        Kind::Proposal => proposal_table(&fmt, &items),
    };
    let content = html! {
        div.actions { a.button href=(format!("/{}/new", kind.path())) { "New " (kind.singular()) } }
        (filter_form(kind, filter, &customers?))
        (table)
        (next_link(&format!("/{}", kind.path()), &filter.kept(), page["next"].as_str()))
    };
    let title = match kind {
        Kind::Proposal => "Proposals",
        Kind::Invoice => "Invoices",
    };
    Ok(page::page(title, kind.section(), content).into_response())
}

fn proposal_table(fmt: &Fmt, proposals: &[Value]) -> Markup {
    html! {
        @if proposals.is_empty() {
            p { "No proposals here." }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "Number" } th scope="col" { "Customer" } th scope="col" { "Date" }
                    th scope="col" { "Valid until" } th scope="col" { "Status" } th.num scope="col" { "Total" }
                } }
                tbody { @for p in proposals { tr {
                    td { a href=(format!("/proposals/{}", text(&p["id"]))) { (p["number"].as_str().unwrap_or("Draft")) } }
                    td { (text(&p["customer_name"])) }
                    td { (fmt.date(&p["issue_date"])) }
                    td { (fmt.date(&p["valid_until"])) }
                    td { (status(text(&p["status"]))) }
                    td.num { (fmt.money(&p["total"], &p["currency"])) }
                } } }
            } }
        }
    }
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
type Next = fn(&str, &Value) -> String;

/// Facts of an issued document, as a list of terms.
fn facts(fmt: &Fmt, doc: &Value, shown: Shown) -> Markup {
    let currency = &doc["currency"];
    html! {
        dl.facts {
            dt { "Status" } dd { (status(text(&doc["status"]))) }
            dt { "Customer" } dd {
                @if let Some(customer) = doc["customer_id"].as_str() {
                    a href=(format!("/customers/{customer}")) { (text(&doc["customer_name"])) }
                } @else { (text(&doc["buyer"]["name"])) }
            }
            dt { "Date" } dd { (fmt.date(&doc["issue_date"])) }
            @match shown {
                Shown::Invoice => { dt { "Due" } dd { (fmt.date(&doc["due_date"])) } }
                Shown::Proposal => { dt { "Valid until" } dd { (fmt.date(&doc["valid_until"])) } }
                Shown::CreditNote => {}
            }
            dt { "Total" } dd { (fmt.money(&doc["total"], currency)) }
            @if let Some(reason) = doc["void_reason"].as_str() { dt { "Voided because" } dd { (reason) } }
            @if let Some(reason) = doc["decline_reason"].as_str() { dt { "Declined because" } dd { (reason) } }
            @if let Some(reason) = doc["reason"].as_str() { dt { "Reason" } dd { (reason) } }
        }
    }
}

/// The lines of an issued document, read only.
fn lines_table(fmt: &Fmt, doc: &Value) -> Markup {
    let currency = &doc["currency"];
    html! {
        div.table { table {
            caption { "Lines" }
            thead { tr {
                th scope="col" { "Description" } th.num scope="col" { "Quantity" } th scope="col" { "Unit" }
                th.num scope="col" { "Unit price" } th.num scope="col" { "Tax" } th.num scope="col" { "Net" }
            } }
            tbody { @for line in doc["lines"].as_array().map(Vec::as_slice).unwrap_or_default() { tr {
                td { (text(&line["description"])) }
                td.num { (fmt.quantity(&line["quantity"])) }
                td { (text(&line["unit"])) }
                td.num { (fmt.money(&line["unit_price"], currency)) }
                td.num { (fmt.percent(&line["tax_rate"])) }
                td.num { (fmt.money(&line["net"], currency)) }
            } } }
        } }
    }
}

/// A form for one action on a document, with a reason or other fields.
fn action_form(path: &str, label: &str, class: &str, form: &Form, inner: Markup) -> Markup {
    html! {
        form.card.action hx-post=(path) hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["reason", "amount", "date", "method", "reference"]))
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

const METHODS: &[(&str, &str)] = &[
    ("bank_transfer", "Bank transfer"),
    ("card", "Card"),
    ("cash", "Cash"),
    ("cheque", "Cheque"),
    ("other", "Other"),
];

fn payment_form(path: &str, form: &Form) -> Markup {
    action_form(
        path,
        "Record payment",
        "",
        form,
        html! {
            div.fields {
                (required(form, "Amount", "amount", Input::Decimal))
                (required(form, "Received on", "date", Input::Date))
                (required(form, "Method", "method", Input::Select(METHODS)))
                (field(form, "Reference", "reference", Input::Text))
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
    let reply = web.api.get(&headers, format!("/v1/proposals/{id}")).await;
    let etag = reply.etag().unwrap_or_default();
    let doc = body(reply)?;
    if doc["status"] == "draft" {
        return draft_page(Kind::Proposal, &web, &headers, id, &doc, etag).await;
    }
    let fmt = Fmt::of(&body(web.api.get(&headers, "/v1/settings").await)?);
    let none = Form::default();
    let content = html! {
        (facts(&fmt, &doc, Shown::Proposal))
        div.actions {
            a.button.secondary href=(format!("/v1/proposals/{id}/pdf")) download { "Download PDF" }
            @if doc["status"] == "sent" {
                (page::action(&format!("/proposals/{id}/do/accept"), "Mark accepted", ""))
            }
            @if doc["status"] == "accepted" {
                (page::action(&format!("/proposals/{id}/do/invoice"), "Convert to an invoice", ""))
            }
            @if let Some(invoice) = doc["invoice_id"].as_str() {
                a.button href=(format!("/invoices/{invoice}")) { "Open its invoice" }
            }
        }
        @if doc["status"] == "sent" {
            h2 { "Declined?" }
            (reason_form(&format!("/proposals/{id}/do/decline"), "Mark declined", "secondary", &none, "Why the customer declined"))
        }
        (lines_table(&fmt, &doc))
        (totals(&fmt, Some(&doc), Shown::Proposal))
    };
    let title = format!("Proposal {}", text(&doc["number"]));
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
    let reply = web.api.get(&headers, format!("/v1/invoices/{id}")).await;
    let etag = reply.etag().unwrap_or_default();
    let doc = body(reply)?;
    if doc["status"] == "draft" {
        return draft_page(Kind::Invoice, &web, &headers, id, &doc, etag).await;
    }
    let (settings, payments, credits, summary) = tokio::join!(
        web.api.get(&headers, "/v1/settings"),
        web.api
            .get(&headers, format!("/v1/invoices/{id}/payments?limit=100")),
        web.api.get(
            &headers,
            format!("/v1/invoices/{id}/credit-notes?limit=100")
        ),
        web.api.get(&headers, "/v1/summary"),
    );
    let fmt = Fmt::of(&body(settings)?);
    let payments = body(payments)?["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let credits = body(credits)?["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let today = body(summary)?["as_of"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let open = matches!(doc["status"].as_str(), Some("issued" | "partially_paid"));
    let mut pay = Form::default();
    pay.set("amount", text(&doc["amount_due"]));
    pay.set("date", today);
    pay.set("method", "bank_transfer");
    let none = Form::default();
    let content = html! {
        (facts(&fmt, &doc, Shown::Invoice))
        div.actions {
            a.button.secondary href=(format!("/v1/invoices/{id}/pdf")) download { "Download PDF" }
            @if doc["status"] != "void" {
                a.button.secondary href=(format!("/v1/invoices/{id}/ubl")) download { "Download e-invoice (UBL)" }
            }
        }
        (lines_table(&fmt, &doc))
        (totals(&fmt, Some(&doc), Shown::Invoice))
        @if open {
            h2 { "Record a payment" }
            (payment_form(&format!("/invoices/{id}/do/pay"), &pay))
        }
        h2 { "Payments" }
        (payment_table(&fmt, &payments, Some(&format!("/invoices/{id}"))))
        h2 { "Credit notes" }
        (credit_table(&fmt, &credits))
        @if doc["status"] != "void" {
            h2 { "Credit this invoice" }
            p { "A credit note cancels what is left of this invoice, with a reason shown on it." }
            (reason_form(&format!("/invoices/{id}/do/credit"), "Issue a credit note", "secondary", &none, "Reason for the credit"))
        }
        @if open {
            h2 { "Void this invoice" }
            p { "Voiding keeps the invoice and its number, marked VOID; nothing is owed on it any more." }
            (reason_form(&format!("/invoices/{id}/do/void"), "Void invoice", "danger", &none, "Reason for voiding"))
        }
    };
    let title = format!("Invoice {}", text(&doc["number"]));
    Ok(page::page(&title, Section::Invoices, content).into_response())
}

fn payment_table(fmt: &Fmt, payments: &[Value], back: Option<&str>) -> Markup {
    html! {
        @if payments.is_empty() {
            p { "No payments recorded." }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "Received" } th scope="col" { "Invoice" } th scope="col" { "Customer" }
                    th scope="col" { "Method" } th scope="col" { "Reference" } th.num scope="col" { "Amount" }
                    th scope="col" { span.visually-hidden { "Actions" } }
                } }
                tbody { @for p in payments { tr {
                    td { (fmt.date(&p["date"])) }
                    td { a href=(format!("/invoices/{}", text(&p["invoice_id"]))) { (text(&p["invoice_number"])) } }
                    td { (text(&p["customer_name"])) }
                    td { (method(&p["method"])) }
                    td { (text(&p["reference"])) }
                    td.num { (fmt.money(&p["amount"], &p["currency"])) }
                    td {
                        form.action hx-post=(format!("/payments/{}/delete", text(&p["id"]))) hx-target="this" hx-swap="outerHTML" {
                            @if let Some(back) = back { (hidden("_back", back)) }
                            button.link type="submit" { "Delete" span.visually-hidden { " payment of " (fmt.money(&p["amount"], &p["currency"])) } }
                        }
                    }
                } } }
            } }
        }
    }
}

fn credit_table(fmt: &Fmt, credits: &[Value]) -> Markup {
    html! {
        @if credits.is_empty() {
            p { "No credit notes." }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "Number" } th scope="col" { "Invoice" } th scope="col" { "Customer" }
                    th scope="col" { "Date" } th.num scope="col" { "Credited" }
                } }
                tbody { @for c in credits { tr {
                    td { a href=(format!("/credit-notes/{}", text(&c["id"]))) { (text(&c["number"])) } }
                    td { a href=(format!("/invoices/{}", text(&c["invoice_id"]))) { (text(&c["invoice_number"])) } }
                    td { (text(&c["customer_name"])) }
                    td { (fmt.date(&c["issue_date"])) }
                    td.num { (fmt.money(&c["total"], &c["currency"])) }
                } } }
            } }
        }
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
    let (api_path, body, goes_to): (String, Option<&Value>, Next) = match (kind, action.as_str()) {
        (Kind::Proposal, "send" | "accept") | (Kind::Invoice, "issue") => {
            (format!("/v1/{path}/{id}/{action}"), None, |page, _| {
                page.to_owned()
            })
        }
        (Kind::Proposal, "decline") | (Kind::Invoice, "void") => (
            format!("/v1/{path}/{id}/{action}"),
            Some(&sent.body),
            |page, _| page.to_owned(),
        ),
        (Kind::Proposal, "invoice") => (format!("/v1/proposals/{id}/invoice"), None, |_, made| {
            format!("/invoices/{}", text(&made["id"]))
        }),
        (Kind::Invoice, "credit") => (
            format!("/v1/invoices/{id}/credit-notes"),
            Some(&sent.body),
            |_, made| format!("/credit-notes/{}", text(&made["id"])),
        ),
        (Kind::Invoice, "pay") => (
            format!("/v1/invoices/{id}/payments"),
            Some(&sent.body),
            |page, _| page.to_owned(),
        ),
        _ => return Err(Failure::NotFound),
    };
    let reply = web
        .api
        .send(&headers, Method::POST, api_path, body, idempotency(&fields))
        .await;
    if reply.is_success() {
        return Ok(go_to(&goes_to(&format!("/{path}/{id}"), &reply.body)));
    }
    let here = format!("/{path}/{id}/do/{action}");
    Submission { reply, sent }.refused(&fields, |form| match action.as_str() {
        "pay" => payment_form(&here, form),
        "decline" => reason_form(
            &here,
            "Mark declined",
            "secondary",
            form,
            "Why the customer declined",
        ),
        "credit" => reason_form(
            &here,
            "Issue a credit note",
            "secondary",
            form,
            "Reason for the credit",
        ),
        "void" => reason_form(&here, "Void invoice", "danger", form, "Reason for voiding"),
        _ => html! {
            form.action hx-post=(here) hx-target="this" hx-swap="outerHTML" {
                (notice(form, &[]))
                (once())
                button type="submit" { "Try again" }
            }
        },
    })
}

pub async fn list_credit_notes(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    let path = paging.of("/v1/credit-notes");
    let (page, items, fmt) = listed(&web, &headers, path).await?;
    let content = html! {
        p { "A credit note is made from its invoice's page." }
        (credit_table(&fmt, &items))
        (next_link("/credit-notes", &[], page["next"].as_str()))
    };
    Ok(page::page("Credit notes", Section::CreditNotes, content).into_response())
}
pub async fn credit_note(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let (doc, settings) = tokio::join!(
        web.api.get(&headers, format!("/v1/credit-notes/{id}")),
        web.api.get(&headers, "/v1/settings"),
    );
    let doc = body(doc)?;
    let fmt = Fmt::of(&body(settings)?);
    let content = html! {
        p { "Credits invoice " a href=(format!("/invoices/{}", text(&doc["invoice_id"]))) { (text(&doc["invoice_number"])) } "." }
        (facts(&fmt, &doc, Shown::CreditNote))
        div.actions {
            a.button.secondary href=(format!("/v1/credit-notes/{id}/pdf")) download { "Download PDF" }
            a.button.secondary href=(format!("/v1/credit-notes/{id}/ubl")) download { "Download e-invoice (UBL)" }
        }
        (lines_table(&fmt, &doc))
        (totals(&fmt, Some(&doc), Shown::CreditNote))
    };
    let title = format!("Credit note {}", text(&doc["number"]));
    Ok(page::page(&title, Section::CreditNotes, content).into_response())
}

pub async fn list_payments(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    let path = paging.of("/v1/payments");
    let (page, items, fmt) = listed(&web, &headers, path).await?;
    let content = html! {
        p { "A payment is recorded from its invoice's page." }
        (payment_table(&fmt, &items, None))
        (next_link("/payments", &[], page["next"].as_str()))
    };
    Ok(page::page("Payments", Section::Payments, content).into_response())
}

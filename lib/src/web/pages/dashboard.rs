//! The dashboard: what is outstanding, overdue and received, and the invoices still open.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::Value;

use crate::web::page::{self, Section, status};
use crate::web::show::{Fmt, text};
use crate::web::{Failure, Web, body};

pub async fn show(State(web): State<Web>, headers: HeaderMap) -> Result<Response, Failure> {
    let api = &web.api;
    let (summary, settings, issued, partly) = tokio::join!(
        api.get(&headers, "/v1/summary"),
        api.get(&headers, "/v1/settings"),
        api.get(&headers, "/v1/invoices?status=issued&limit=10"),
        api.get(&headers, "/v1/invoices?status=partially_paid&limit=10"),
    );
    let summary = body(summary)?;
    let fmt = Fmt::of(&body(settings)?);
    let mut open: Vec<Value> = Vec::new();
    for reply in [partly, issued] {
        if let Value::Array(items) = body(reply)?["data"].take() {
            open.extend(items);
        }
    }
    let content = html! {
        div.actions {
            a.button href="/invoices/new" { "New invoice" }
            a.button.secondary href="/proposals/new" { "New proposal" }
            a.button.secondary href="/customers/new" { "New customer" }
        }
        @let currencies = summary["currencies"].as_array().cloned().unwrap_or_default();
        @if currencies.is_empty() {
            div.card {
                p { "Nothing is outstanding yet. Start by filling in your "
                    a href="/settings" { "company profile" } ", then add a customer and write an invoice." }
            }
        }
        @for entry in &currencies {
            @let currency = &entry["currency"];
            section.grid aria-label=(format!("Totals in {}", text(currency))) {
                div.card { h2 { "Outstanding" } p.figure data-figure="outstanding" { (fmt.money(&entry["outstanding"], currency)) } }
                div.card {
                    h2 { "Overdue" }
                    p.figure data-figure="overdue" { (fmt.money(&entry["overdue_amount"], currency)) }
                    p { (entry["overdue_count"].as_u64().unwrap_or(0)) " invoice(s) past due" }
                }
                div.card { h2 { "Received, last 30 days" } p.figure data-figure="received" { (fmt.money(&entry["received_last_30_days"], currency)) } }
            }
        }
        p.hint { "As of " (fmt.date(&summary["as_of"])) "." }
        h2 { "Open invoices" }
        (invoice_table(&fmt, &open))
    };
    Ok(page::page("Dashboard", Section::Dashboard, content).into_response())
}

/// Invoices as a table: number, customer, dates, status, total and amount due.
pub fn invoice_table(fmt: &Fmt, invoices: &[Value]) -> Markup {
    html! {
        @if invoices.is_empty() {
            p { "No invoices here." }
        } @else {
            div.table {
                table {
                    thead { tr {
                        th scope="col" { "Number" } th scope="col" { "Customer" }
                        th scope="col" { "Issued" } th scope="col" { "Due" } th scope="col" { "Status" }
                        th.num scope="col" { "Total" } th.num scope="col" { "Due amount" }
                    } }
                    tbody {
                        @for invoice in invoices {
                            @let currency = &invoice["currency"];
                            tr {
                                td { a href=(format!("/invoices/{}", text(&invoice["id"]))) {
                                    (invoice["number"].as_str().unwrap_or("Draft")) } }
                                td { (text(&invoice["customer_name"])) }
                                td { (fmt.date(&invoice["issue_date"])) }
                                td { (fmt.date(&invoice["due_date"])) }
                                td { (status(text(&invoice["status"]))) }
                                td.num { (fmt.money(&invoice["total"], currency)) }
                                td.num { (fmt.money(&invoice["amount_due"], currency)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

//! The dashboard: what is outstanding, overdue and received, and the invoices still open.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::fmt;
use crate::domain::invoice::{Invoice, InvoiceSummary};
use crate::web::page::{self, Section, status};
use crate::web::reads;
use crate::web::show::{Fmt, or_empty};
use crate::web::{Failure, Web};

pub async fn show(State(web): State<Web>, headers: HeaderMap) -> Result<Response, Failure> {
    let api = &web.api;
    let open_of =
        |status| reads::list::<Invoice>([("status", Some(status)), ("limit", Some("10"))]);
    let (summary, fmt, issued, partly) = tokio::join!(
        api.read(&headers, reads::summary()),
        fmt(&web, &headers),
        api.read(&headers, open_of("issued")),
        api.read(&headers, open_of("partially_paid")),
    );
    let (summary, fmt) = (summary?, fmt?);
    let mut open = partly?.data;
    open.extend(issued?.data);
    let content = html! {
        div.actions {
            a.button href="/invoices/new" { "New invoice" }
            a.button.secondary href="/proposals/new" { "New proposal" }
            a.button.secondary href="/customers/new" { "New customer" }
        }
        @if summary.currencies.is_empty() {
            div.card {
                p { "Nothing is outstanding yet. Start by filling in your "
                    a href="/settings" { "company profile" } ", then add a customer and write an invoice." }
            }
        }
        @for entry in &summary.currencies {
            @let currency = entry.currency;
            section.grid aria-label=(format!("Totals in {currency}")) {
                div.card { h2 { "Outstanding" } p.figure data-figure="outstanding" { (fmt.money(&entry.outstanding, currency)) } }
                div.card {
                    h2 { "Overdue" }
                    p.figure data-figure="overdue" { (fmt.money(&entry.overdue_amount, currency)) }
                    p { (entry.overdue_count) " invoice(s) past due" }
                }
                div.card { h2 { "Received, last 30 days" } p.figure data-figure="received" { (fmt.money(&entry.received_last_30_days, currency)) } }
            }
        }
        p.hint { "As of " (fmt.date(summary.as_of)) "." }
        h2 { "Open invoices" }
        (invoice_table(&fmt, &open))
    };
    Ok(page::page("Dashboard", Section::Dashboard, content).into_response())
}

/// Invoices as a table: number, customer, dates, status, total and amount due.
pub fn invoice_table(fmt: &Fmt, invoices: &[InvoiceSummary]) -> Markup {
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
                            @let currency = invoice.currency;
                            tr {
                                td { a href=(format!("/invoices/{}", invoice.id)) {
                                    (invoice.number.as_deref().unwrap_or("Draft")) } }
                                td { (or_empty(&invoice.customer_name)) }
                                td { (fmt.date(invoice.issue_date)) }
                                td { (fmt.date(invoice.due_date)) }
                                td { (status(invoice.status.as_str())) }
                                td.num { (fmt.money(&invoice.total, currency)) }
                                td.num { (fmt.money(&invoice.amount_due, currency)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

//! The dashboard: what is outstanding, overdue and received, and the invoices still open.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::fmt;
use crate::domain::invoice::{Invoice, InvoiceSummary};
use crate::domain::proposal::{Proposal, ProposalSummary};
use crate::web::page::{self, Section, status};
use crate::web::reads;
use crate::web::show::{Fmt, or_empty};
use crate::web::ui::{t, t_with};
use crate::web::{Failure, Web};

pub async fn show(State(web): State<Web>, headers: HeaderMap) -> Result<Response, Failure> {
    let api = &web.api;
    let open_of =
        |status| reads::list::<Invoice>([("status", Some(status)), ("limit", Some("10"))]);
    let accepted = reads::list::<Proposal>([("status", Some("accepted")), ("limit", Some("10"))]);
    let (summary, fmt, issued, partly, accepted) = tokio::join!(
        api.read(&headers, reads::summary()),
        fmt(&web, &headers),
        api.read(&headers, open_of("issued")),
        api.read(&headers, open_of("partially_paid")),
        api.read(&headers, accepted),
    );
    let (summary, fmt, accepted) = (summary?, fmt?, accepted?.data);
    let mut open = partly?.data;
    open.extend(issued?.data);
    let content = html! {
        div.actions {
            a.button href="/invoices/new" { (t("new-invoice")) }
            a.button.secondary href="/proposals/new" { (t("new-proposal")) }
            a.button.secondary href="/customers/new" { (t("new-customer")) }
        }
        @if summary.currencies.is_empty() {
            div.card {
                p { (t("dashboard-empty-start")) " "
                    a href="/settings" { (t("dashboard-empty-profile")) } (t("dashboard-empty-end")) }
            }
        }
        @for entry in &summary.currencies {
            @let currency = entry.currency;
            section.grid aria-label=(t_with("totals-in", &[("currency", &currency.to_string())])) {
                div.card { h2 { (t("outstanding")) } p.figure data-figure="outstanding" { (fmt.money(&entry.outstanding, currency)) } }
                div.card {
                    h2 { (t("overdue")) }
                    p.figure data-figure="overdue" { (fmt.money(&entry.overdue_amount, currency)) }
                    p { (t_with("invoices-past-due", &[("count", &entry.overdue_count.to_string())])) }
                }
                div.card { h2 { (t("received-30-days")) } p.figure data-figure="received" { (fmt.money(&entry.received_last_30_days, currency)) } }
            }
        }
        p.hint { (t_with("as-of", &[("date", &fmt.date(summary.as_of))])) }
        @if !accepted.is_empty() {
            h2 { (t("accepted-proposals")) }
            (proposal_table(&fmt, &accepted))
        }
        h2 { (t("open-invoices")) }
        (invoice_table(&fmt, &open))
    };
    Ok(page::page(&t("nav-dashboard"), Section::Dashboard, content).into_response())
}

/// Invoices as a table: number, customer, dates, status, total and amount due.
pub fn invoice_table(fmt: &Fmt, invoices: &[InvoiceSummary]) -> Markup {
    html! {
        @if invoices.is_empty() {
            p { (t("no-invoices")) }
        } @else {
            div.table {
                table {
                    thead { tr {
                        th scope="col" { (t("col-number")) } th scope="col" { (t("col-customer")) }
                        th scope="col" { (t("col-issued")) } th scope="col" { (t("col-due")) } th scope="col" { (t("col-status")) }
                        th.num scope="col" { (t("col-total")) } th.num scope="col" { (t("col-amount-due")) }
                    } }
                    tbody {
                        @for invoice in invoices {
                            @let currency = invoice.currency;
                            tr {
                                td { a href=(format!("/invoices/{}", invoice.id)) {
                                    (invoice.number.clone().unwrap_or_else(|| t("status-draft"))) } }
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

pub fn proposal_table(fmt: &Fmt, proposals: &[ProposalSummary]) -> Markup {
    html! {
        @if proposals.is_empty() {
            p { (t("no-proposals")) }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { (t("col-number")) } th scope="col" { (t("col-customer")) } th scope="col" { (t("col-date")) }
                    th scope="col" { (t("valid-until")) } th scope="col" { (t("col-status")) } th.num scope="col" { (t("col-total")) }
                } }
                tbody { @for p in proposals { tr {
                    td { a href=(format!("/proposals/{}", p.id)) { (p.number.clone().unwrap_or_else(|| t("status-draft"))) } }
                    td { (or_empty(&p.customer_name)) }
                    td { (fmt.date(p.issue_date)) }
                    td { (fmt.date(p.valid_until)) }
                    td { (status(p.status.as_str())) }
                    td.num { (fmt.money(&p.total, p.currency)) }
                } } }
            } }
        }
    }
}

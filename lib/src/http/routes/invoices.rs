//! The `invoices` function: `/v1/invoices`, one invoice, its actions (issue, void) and its
//! credit notes.

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::app::invoices;
use crate::app::reads::{Entries, Stored};
use crate::domain::credit_note::{CreditNote, CreditNoteSummary, NewCreditNote};
use crate::domain::ids::{CustomerId, InvoiceId};
use crate::domain::invoice::{Invoice, InvoicePatch, InvoiceStatus, InvoiceSummary, NewInvoice};
use crate::domain::values::DocumentText;
use crate::http::etag::IfMatch;
use crate::http::extract::PathId;
use crate::http::json::{Fingerprinted, Json};
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records::{
    self, DocumentFilter, IdempotencyKey, ListPage, ListParams, Resource, StatusFilter, View,
};
use crate::http::session::Session;

function_routes! {
    documented, routes;
    "/v1/invoices" => { get: list_invoices, post: create_invoice }
    "/v1/invoices/{id}" => { get: get_invoice, patch: update_invoice, delete: delete_invoice }
    "/v1/invoices/{id}/issue" => { post: issue_invoice }
    "/v1/invoices/{id}/void" => { post: void_invoice }
    "/v1/invoices/{id}/credit-notes" => { get: list_invoice_credit_notes, post: create_credit_note }
    "/v1/credit-notes" => { get: list_credit_notes }
    "/v1/credit-notes/{id}" => { get: get_credit_note }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
}

/// The query of `GET /v1/invoices` (documentation; [`DocumentFilter`] reads it).
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceListParams {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u16>,
    #[param(min_length = 1)]
    pub next: Option<String>,
    /// Only invoices of this status.
    #[param(value_type = Option<InvoiceStatus>)]
    pub status: Option<InvoiceStatus>,
    /// Only invoices of this customer (`cus_…`).
    #[param(value_type = Option<String>)]
    pub customer: Option<CustomerId>,
    /// `true`: only overdue invoices (issued or partially paid, something due, the due date
    /// before today), the longest overdue first; `false`: only those not overdue.
    pub overdue: Option<bool>,
}

/// The query of `GET /v1/invoices`: a document list's, and `overdue`.
#[derive(Debug, Clone, Default)]
struct InvoiceFilter {
    documents: DocumentFilter<InvoiceStatus>,
    overdue: Option<bool>,
}

impl<S: Send + Sync> FromRequestParts<S> for InvoiceFilter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut filter = Self::default();
        let query = parts.uri.query().unwrap_or_default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "overdue" => {
                    let overdue = value
                        .parse()
                        .map_err(|_| ApiError::invalid("overdue", "must be true or false"))?;
                    filter.overdue = Some(overdue);
                }
                other => filter.documents.take(other, &value)?,
            }
        }
        Ok(filter)
    }
}

/// An invoice as of now (overdue or not), with its ETag.
fn view(state: &AppState, id: &InvoiceId, stored: Stored<Invoice>) -> Response {
    let now = state.clock.now();
    records::view_response(id, stored.map(|invoice| invoice.as_of(now)))
}

impl StatusFilter for InvoiceStatus {
    const EXPECTED: &'static str = "must be draft, issued, partially_paid, paid or void";

    fn parse(text: &str) -> Option<Self> {
        InvoiceStatus::parse(text)
    }
}

/// The account's invoices, newest first: each with its number, status, customer, dates,
/// currency, total, amount due and whether it is overdue. Filter by `status`, `customer`,
/// `overdue` or any of them together (`overdue=true` lists the longest overdue first).
#[utoipa::path(
    get, path = "/v1/invoices", tag = "invoices", params(InvoiceListParams),
    responses(
        (status = 200, description = "A page of invoices", body = ListPage<InvoiceSummary>),
        (status = 400, description = "A bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_invoices(
    State(state): State<AppState>,
    session: Session,
    filter: InvoiceFilter,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let InvoiceFilter { documents, overdue } = filter;
    let (status, customer) = (documents.status, documents.customer);
    let entries = match overdue {
        Some(true) => Entries::OverdueInvoices { now },
        _ => Entries::Invoices {
            status: status.map(InvoiceStatus::as_str),
            customer: customer.as_ref(),
        },
    };
    records::list_entries::<InvoiceSummary>(
        &state,
        &session,
        entries,
        &documents.page,
        Invoice::ACTIONS.list,
        |summary| {
            status.is_none_or(|wanted| summary.status == wanted)
                && customer.is_none_or(|wanted| summary.customer_id == Some(wanted))
                && overdue.is_none_or(|wanted| summary.overdue_at(now).is_some() == wanted)
        },
        |summary| summary.as_of(now),
    )
    .await
}

/// Create a draft invoice. Its amounts are computed from its lines (EN 16931); defaults come
/// from the customer, the catalogue and the settings. With `Idempotency-Key`, a retry of the
/// same request returns the first response and writes nothing.
#[utoipa::path(
    post, path = "/v1/invoices", tag = "invoices", request_body = NewInvoice,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours")),
    responses(
        (status = 201, description = "Created", body = View<Invoice>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same request is still in progress", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_invoice(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    idempotency: IdempotencyKey,
    body: Fingerprinted<NewInvoice>,
) -> Result<Response, ApiError> {
    let answer = crate::app::documents::create(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        body.value,
        records::view_json::<Invoice>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// One invoice, with its lines, amounts and (once issued) number and parties.
#[utoipa::path(
    get, path = "/v1/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "The invoice's id (`inv_…`)")),
    responses(
        (status = 200, description = "The invoice; ETag is its version", body = View<Invoice>),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_invoice(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let stored = records::get::<Invoice>(&state, &session, &id).await?;
    Ok(view(&state, &id, stored))
}

fn parse_id(id: &str) -> Result<InvoiceId, ApiError> {
    records::parse_id::<Invoice>(id)
}

/// Change a draft (JSON merge patch; `lines` replaces every line). Needs `If-Match`. An issued
/// or void invoice cannot change: correct it with a credit note.
#[utoipa::path(
    patch, path = "/v1/invoices/{id}", tag = "invoices", request_body = InvoicePatch,
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Changed", body = View<Invoice>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_invoice(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
    Json(patch): Json<InvoicePatch>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let stored = crate::app::documents::update::<Invoice>(
        &state,
        &session.actor(&request),
        &id,
        expected.0,
        patch,
    )
    .await?;
    Ok(view(&state, &id, stored))
}

/// Delete a draft. Needs `If-Match`. An issued invoice is never deleted: void it.
#[utoipa::path(
    delete, path = "/v1/invoices/{id}", tag = "invoices",
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("If-Match" = String, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_invoice(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    crate::app::documents::delete::<Invoice>(&state, &session.actor(&request), &id, expected.0)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Issue a draft: it gets the next number of the invoice series, the seller and buyer are
/// recorded as they are now, and it can no longer change. Takes `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/issue", tag = "invoices",
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours"),
    ),
    responses(
        (status = 200, description = "Issued", body = View<Invoice>),
        (status = 400, description = "The draft lacks a customer or lines; no number was used", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn issue_invoice(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let answer = crate::app::documents::number::<Invoice>(
        &state,
        &session.actor(&request),
        idempotency.request(b""),
        &id,
        records::view_json::<Invoice>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// Why an invoice is voided.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    pub reason: DocumentText,
}

/// Void an issued invoice without payments: it keeps its number and owes nothing. Takes
/// `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/void", tag = "invoices", request_body = VoidRequest,
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours"),
    ),
    responses(
        (status = 200, description = "Voided", body = View<Invoice>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not an issued invoice", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn void_invoice(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
    body: Fingerprinted<VoidRequest>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let answer = invoices::void(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        &id,
        body.value.reason,
        records::view_json::<Invoice>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// Credit an issued invoice, at once: the whole invoice, or chosen lines and quantities. A
/// credit note is numbered in its own series and never credits more than the invoice's total
/// less earlier credits (422 naming `lines`); the invoice's `amount_credited` rises and its
/// `amount_due` falls. Takes `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/credit-notes", tag = "invoices", request_body = NewCreditNote,
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours"),
    ),
    responses(
        (status = 201, description = "Issued", body = View<CreditNote>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The invoice is not issued", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "More than is left to credit, or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_credit_note(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
    body: Fingerprinted<NewCreditNote>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let answer = invoices::credit(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        &id,
        body.value,
        records::view_json::<CreditNote>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// The credit notes of one invoice, newest first.
#[utoipa::path(
    get, path = "/v1/invoices/{id}/credit-notes", tag = "invoices",
    params(("id" = String, Path, description = "The invoice's id (`inv_…`)"), ListParams),
    responses(
        (status = 200, description = "A page of credit notes", body = ListPage<CreditNoteSummary>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_invoice_credit_notes(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
    params: ListParams,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    records::list_of::<Invoice, CreditNoteSummary>(
        &state,
        &session,
        &id,
        Entries::CreditNotes { invoice: Some(&id) },
        &params,
        CreditNote::ACTIONS.list,
    )
    .await
}

/// Every credit note of the account, newest first.
#[utoipa::path(
    get, path = "/v1/credit-notes", tag = "invoices", params(ListParams),
    responses(
        (status = 200, description = "A page of credit notes", body = ListPage<CreditNoteSummary>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_credit_notes(
    State(state): State<AppState>,
    session: Session,
    params: ListParams,
) -> Result<Response, ApiError> {
    records::list_entries::<CreditNoteSummary>(
        &state,
        &session,
        Entries::CreditNotes { invoice: None },
        &params,
        CreditNote::ACTIONS.list,
        |_| true,
        |summary| summary,
    )
    .await
}

/// One credit note, with its lines and amounts.
#[utoipa::path(
    get, path = "/v1/credit-notes/{id}", tag = "invoices",
    params(("id" = String, Path, description = "The credit note's id (`crn_…`)")),
    responses(
        (status = 200, description = "The credit note", body = View<CreditNote>),
        (status = 404, description = "No such credit note in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_credit_note(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    records::read::<CreditNote>(&state, &session, &id).await
}

//! The `payments` function: payments recorded against invoices, and the account's summary of
//! what is owed to it.

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use utoipa::IntoParams;

use crate::AppState;
use crate::app::payments;
use crate::app::reads::{Entries, PaymentsOf};
use crate::domain::ids::CustomerId;
use crate::domain::invoice::Invoice;
use crate::domain::payment::{NewPayment, Payment, PaymentSummary};
use crate::domain::summary::AccountSummary;
use crate::domain::time::Date;
use crate::http::etag::IfMatch;
use crate::http::extract::PathId;
use crate::http::json::Fingerprinted;
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records::{self, IdempotencyKey, ListPage, ListParams, Resource, View};
use crate::http::session::Session;

function_routes! {
    documented, routes;
    "/v1/invoices/{id}/payments" => { get: list_invoice_payments, post: record_payment }
    "/v1/payments" => { get: list_payments }
    "/v1/payments/{id}" => { get: get_payment, delete: delete_payment }
    "/v1/summary" => { get: get_summary }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
}

/// Record a payment received against an issued or partially paid invoice. Its amount is in the
/// invoice's currency, more than zero and at most the amount due (422 naming `amount`); its
/// date is not after today. The invoice's `amount_paid`, `amount_due` and status (`partially_paid`,
/// then `paid`) change with it. Takes `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/payments", tag = "payments", request_body = NewPayment,
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours"),
    ),
    responses(
        (status = 201, description = "Recorded", body = View<Payment>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The invoice takes no payments (a draft, void or paid)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The amount is refused (zero, negative, too precise, above the amount due), or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn record_payment(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
    body: Fingerprinted<NewPayment>,
) -> Result<Response, ApiError> {
    let invoice = records::parse_id::<Invoice>(&id)?;
    let answer = payments::record(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        &invoice,
        body.value,
        records::view_json::<Payment>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// The payments of one invoice, the latest received first.
#[utoipa::path(
    get, path = "/v1/invoices/{id}/payments", tag = "payments",
    params(("id" = String, Path, description = "The invoice's id (`inv_…`)"), ListParams),
    responses(
        (status = 200, description = "A page of payments", body = ListPage<PaymentSummary>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_invoice_payments(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
    params: ListParams,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Invoice>(&id)?;
    records::list_of::<Invoice, PaymentSummary>(
        &state,
        &session,
        &id,
        Entries::Payments {
            of: PaymentsOf::Invoice(&id),
            from: None,
            to: None,
        },
        &params,
        Payment::ACTIONS.list,
    )
    .await
}

/// The query of `GET /v1/payments`.
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentListParams {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u16>,
    #[param(min_length = 1)]
    pub next: Option<String>,
    /// Only payments of this customer (`cus_…`).
    #[param(value_type = Option<String>)]
    pub customer: Option<CustomerId>,
    /// Only payments received on or after this day.
    #[param(value_type = Option<Date>)]
    pub from: Option<Date>,
    /// Only payments received on or before this day.
    #[param(value_type = Option<Date>)]
    pub to: Option<Date>,
}

impl<S: Send + Sync> FromRequestParts<S> for PaymentListParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut page = ListParams::default();
        let mut filter = Self::default();
        let date = |name: &str, value: &str| {
            Date::parse(value).ok_or_else(|| ApiError::invalid(name, "must be a date, YYYY-MM-DD"))
        };
        let query = parts.uri.query().unwrap_or_default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "customer" => filter.customer = Some(records::customer_param(&value)?),
                "from" => filter.from = Some(date("from", &value)?),
                "to" => filter.to = Some(date("to", &value)?),
                other => page.take(other, &value)?,
            }
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && to < from
        {
            return Err(ApiError::invalid("to", "must not be before from"));
        }
        filter.limit = page.limit;
        filter.next = page.next;
        Ok(filter)
    }
}

/// Every payment of the account, the latest received first. Filter by `customer` and by the
/// days received (`from`, `to`, inclusive).
#[utoipa::path(
    get, path = "/v1/payments", tag = "payments", params(PaymentListParams),
    responses(
        (status = 200, description = "A page of payments", body = ListPage<PaymentSummary>),
        (status = 400, description = "A bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_payments(
    State(state): State<AppState>,
    session: Session,
    filter: PaymentListParams,
) -> Result<Response, ApiError> {
    let of = match &filter.customer {
        Some(customer) => PaymentsOf::Customer(customer),
        None => PaymentsOf::All,
    };
    let entries = Entries::Payments {
        of,
        from: filter.from,
        to: filter.to,
    };
    let page = ListParams {
        limit: filter.limit,
        next: filter.next.clone(),
    };
    records::list_entries::<PaymentSummary>(
        &state,
        &session,
        entries,
        &page,
        Payment::ACTIONS.list,
        |_| true,
        |summary| summary,
    )
    .await
}

/// One payment.
#[utoipa::path(
    get, path = "/v1/payments/{id}", tag = "payments",
    params(("id" = String, Path, description = "The payment's id (`pay_…`)")),
    responses(
        (status = 200, description = "The payment; ETag is its version", body = View<Payment>),
        (status = 404, description = "No such payment in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_payment(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    records::read::<Payment>(&state, &session, &id).await
}

/// Delete a payment recorded by mistake: the invoice's amount paid, amount due and status are
/// restored as if it had never been recorded. Needs `If-Match`.
#[utoipa::path(
    delete, path = "/v1/payments/{id}", tag = "payments",
    params(
        ("id" = String, Path, description = "The payment's id (`pay_…`)"),
        ("If-Match" = String, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such payment in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_payment(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Payment>(&id)?;
    payments::delete(&state, &session.actor(&request), &id, expected.0).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// What is owed to the account, per currency: the amount outstanding, the number and amount of
/// overdue invoices, and the amount received today and in the 29 days before (all as of today
/// in the account's time zone).
#[utoipa::path(
    get, path = "/v1/summary", tag = "payments",
    responses(
        (status = 200, description = "The summary", body = AccountSummary),
    )
)]
async fn get_summary(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
) -> Result<Response, ApiError> {
    let summary = payments::summary(&state, &session.actor(&request)).await?;
    session.record_read("summary.read", None);
    Ok(axum::Json(summary).into_response())
}

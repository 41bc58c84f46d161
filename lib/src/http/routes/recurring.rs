//! The `recurring` function: `/v1/recurring-invoices`, an invoice's template and its schedule.
//! The invoices themselves are made by the scheduled `schedules` function.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Router};

use crate::AppState;
use crate::app;
use crate::app::recurring::Change;
use crate::domain::ids::RecurringInvoiceId;
use crate::domain::recurring::{
    NewRecurringInvoice, RecurringInvoice, RecurringInvoicePatch, ScheduleStatus,
};
use crate::http::etag::IfMatch;
use crate::http::extract::PathId;
use crate::http::json::{Fingerprinted, Json};
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records::{self, IdempotencyKey, ListPage, ListParams, View};
use crate::http::session::Session;
use crate::app::reads::Stored;

function_routes! {
    documented, routes;
    "/v1/recurring-invoices" => { get: list_recurring, post: create_recurring }
    "/v1/recurring-invoices/{id}" => { get: get_recurring, patch: update_recurring, delete: delete_recurring }
    "/v1/recurring-invoices/{id}/pause" => { post: pause_recurring }
    "/v1/recurring-invoices/{id}/resume" => { post: resume_recurring }
    "/v1/recurring-invoices/{id}/end" => { post: end_recurring }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
}

/// A schedule as read: with its next dates.
fn view(id: &RecurringInvoiceId, stored: Stored<RecurringInvoice>) -> Response {
    records::view_response(id, stored.map(RecurringInvoice::seen))
}

fn view_json(id: &RecurringInvoiceId, stored: Stored<RecurringInvoice>) -> serde_json::Value {
    records::view_json::<RecurringInvoice>(id, stored.map(RecurringInvoice::seen))
}

/// The account's recurring invoices, in the order they were created, each with its next dates.
#[utoipa::path(
    get, path = "/v1/recurring-invoices", tag = "recurring invoices", params(ListParams),
    responses(
        (status = 200, description = "A page of recurring invoices", body = ListPage<View<RecurringInvoice>>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_recurring(
    State(state): State<AppState>,
    session: Session,
    params: ListParams,
) -> Result<Response, ApiError> {
    let page =
        app::reads::records::<RecurringInvoice>(&state, session.tenant(), params.request()).await?;
    session.record_read("recurring_invoice.list", None);
    let data = page
        .items
        .into_iter()
        .map(|(ulid, stored)| {
            View::of(
                &RecurringInvoiceId::from_ulid(ulid),
                stored.map(RecurringInvoice::seen),
            )
        })
        .collect::<Vec<_>>();
    Ok(ListPage::response(data, page.next))
}

/// Create a recurring invoice: a template (customer, currency, lines, terms, notes) and a
/// schedule (every N weeks, months, quarters or years from `start`, today or later; ending
/// never, after a count or on a date). Each period makes a draft or an issued invoice
/// (`produce`), dated for its period; after missed runs, every missed period once or only the
/// latest (`catch_up`). With `Idempotency-Key`, a retry returns the first response.
#[utoipa::path(
    post, path = "/v1/recurring-invoices", tag = "recurring invoices", request_body = NewRecurringInvoice,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours")),
    responses(
        (status = 201, description = "Created; `upcoming` shows its next five dates", body = View<RecurringInvoice>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same request is still in progress", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_recurring(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    idempotency: IdempotencyKey,
    body: Fingerprinted<NewRecurringInvoice>,
) -> Result<Response, ApiError> {
    let answer = app::recurring::create(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        body.value,
        view_json,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// One recurring invoice, with its next dates (`upcoming`) and its last invoice.
#[utoipa::path(
    get, path = "/v1/recurring-invoices/{id}", tag = "recurring invoices",
    params(("id" = String, Path, description = "The recurring invoice's id (`rec_…`)")),
    responses(
        (status = 200, description = "The recurring invoice; ETag is its version", body = View<RecurringInvoice>),
        (status = 404, description = "No such recurring invoice in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_recurring(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<RecurringInvoice>(&id)?;
    let stored = records::get::<RecurringInvoice>(&state, &session, &id).await?;
    Ok(view(&id, stored))
}

/// Change a recurring invoice (JSON merge patch). The change shapes only the periods not yet
/// made; a new `schedule` must start after the last invoice made. Needs `If-Match`.
#[utoipa::path(
    patch, path = "/v1/recurring-invoices/{id}", tag = "recurring invoices", request_body = RecurringInvoicePatch,
    params(
        ("id" = String, Path, description = "The recurring invoice's id (`rec_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Changed", body = View<RecurringInvoice>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such recurring invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_recurring(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
    Json(patch): Json<RecurringInvoicePatch>,
) -> Result<Response, ApiError> {
    changed(
        &state,
        &session,
        &request,
        &id,
        expected,
        Change::Patch(Box::new(patch)),
    )
    .await
}

async fn changed(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
    expected: IfMatch,
    change: Change,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<RecurringInvoice>(id)?;
    let stored =
        app::recurring::change(state, &session.actor(request), &id, expected.0, change).await?;
    Ok(view(&id, stored))
}

/// Pause a recurring invoice: nothing is made until it is resumed. Needs `If-Match`.
#[utoipa::path(
    post, path = "/v1/recurring-invoices/{id}/pause", tag = "recurring invoices",
    params(
        ("id" = String, Path, description = "The recurring invoice's id (`rec_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Paused", body = View<RecurringInvoice>),
        (status = 404, description = "No such recurring invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already paused, or ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn pause_recurring(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let change = Change::Move(ScheduleStatus::Paused);
    changed(&state, &session, &request, &id, expected, change).await
}

/// Resume a paused recurring invoice. The periods that came while it was paused are made as
/// after missed runs (`catch_up`). Needs `If-Match`.
#[utoipa::path(
    post, path = "/v1/recurring-invoices/{id}/resume", tag = "recurring invoices",
    params(
        ("id" = String, Path, description = "The recurring invoice's id (`rec_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Active again", body = View<RecurringInvoice>),
        (status = 400, description = "Its template no longer makes an invoice (a deleted customer)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such recurring invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already active, or ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn resume_recurring(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let change = Change::Move(ScheduleStatus::Active);
    changed(&state, &session, &request, &id, expected, change).await
}

/// End a recurring invoice: it makes nothing more (its invoices stay). Needs `If-Match`.
#[utoipa::path(
    post, path = "/v1/recurring-invoices/{id}/end", tag = "recurring invoices",
    params(
        ("id" = String, Path, description = "The recurring invoice's id (`rec_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Ended", body = View<RecurringInvoice>),
        (status = 404, description = "No such recurring invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn end_recurring(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let change = Change::Move(ScheduleStatus::Ended);
    changed(&state, &session, &request, &id, expected, change).await
}

/// Delete a recurring invoice (its invoices stay). Needs `If-Match`.
#[utoipa::path(
    delete, path = "/v1/recurring-invoices/{id}", tag = "recurring invoices",
    params(
        ("id" = String, Path, description = "The recurring invoice's id (`rec_…`)"),
        ("If-Match" = String, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such recurring invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_recurring(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    records::delete::<RecurringInvoice>(&state, &session, &request, &id, expected).await
}

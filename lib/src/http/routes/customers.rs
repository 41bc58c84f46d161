//! The `customers` function: `/v1/customers` and `/v1/customers/{id}`.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Router};

use crate::AppState;
use crate::app;
use crate::domain::customer::{Customer, CustomerPatch, NewCustomer};
use crate::http::etag::IfMatch;
use crate::http::extract::PathId;
use crate::http::json::{Fingerprinted, Json};
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records::{self, IdempotencyKey, ListPage, ListParams, View};
use crate::http::session::Session;

function_routes! {
    documented, routes;
    "/v1/customers" => { get: list_customers, post: create_customer }
    "/v1/customers/{id}" => { get: get_customer, patch: update_customer, delete: delete_customer }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
}

/// The account's customers, in the order they were created.
#[utoipa::path(
    get, path = "/v1/customers", tag = "customers", params(ListParams),
    responses(
        (status = 200, description = "A page of customers", body = ListPage<View<Customer>>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_customers(
    State(state): State<AppState>,
    session: Session,
    params: ListParams,
) -> Result<Response, ApiError> {
    records::list::<Customer>(&state, &session, params).await
}

/// Add a customer. With `Idempotency-Key`, a retry of the same request returns the first
/// response and writes nothing.
#[utoipa::path(
    post, path = "/v1/customers", tag = "customers", request_body = NewCustomer,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours")),
    responses(
        (status = 201, description = "Created", body = View<Customer>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same request is still in progress", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_customer(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    idempotency: IdempotencyKey,
    body: Fingerprinted<NewCustomer>,
) -> Result<Response, ApiError> {
    let answer = app::catalogue::create_customer(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        Customer::from(body.value),
        records::view_json::<Customer>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// One customer.
#[utoipa::path(
    get, path = "/v1/customers/{id}", tag = "customers",
    params(("id" = String, Path, description = "The customer's id (`cus_…`)")),
    responses(
        (status = 200, description = "The customer; ETag is its version", body = View<Customer>),
        (status = 404, description = "No such customer in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_customer(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    records::read::<Customer>(&state, &session, &id).await
}

/// Change some of a customer's fields (JSON merge patch). Needs `If-Match`.
#[utoipa::path(
    patch, path = "/v1/customers/{id}", tag = "customers", request_body = CustomerPatch,
    params(
        ("id" = String, Path, description = "The customer's id (`cus_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Changed", body = View<Customer>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_customer(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
    Json(patch): Json<CustomerPatch>,
) -> Result<Response, ApiError> {
    records::update::<Customer>(&state, &session, &request, &id, expected, |current| {
        Ok(current.patched(patch))
    })
    .await
}

/// Delete a customer. Needs `If-Match`.
#[utoipa::path(
    delete, path = "/v1/customers/{id}", tag = "customers",
    params(
        ("id" = String, Path, description = "The customer's id (`cus_…`)"),
        ("If-Match" = String, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such customer in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_customer(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    records::delete::<Customer>(&state, &session, &request, &id, expected).await
}

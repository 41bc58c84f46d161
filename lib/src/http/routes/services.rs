//! The `services` function: the catalogue, `/v1/services` and `/v1/services/{id}`.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Router};

use crate::AppState;
use crate::app;
use crate::domain::catalogue::{NewService, Service, ServicePatch};
use crate::http::etag::IfMatch;
use crate::http::extract::PathId;
use crate::http::json::{Fingerprinted, Json};
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records::{self, IdempotencyKey, ListPage, ListParams, View};
use crate::http::session::Session;

function_routes! {
    documented, routes;
    "/v1/services" => { get: list_services, post: create_service }
    "/v1/services/{id}" => { get: get_service, patch: update_service, delete: delete_service }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
}

/// The catalogue, in the order services were added (archived ones included, `active: false`).
#[utoipa::path(
    get, path = "/v1/services", tag = "services", params(ListParams),
    responses(
        (status = 200, description = "A page of customers", body = ListPage<View<Service>>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_services(
    State(state): State<AppState>,
    session: Session,
    params: ListParams,
) -> Result<Response, ApiError> {
    records::list::<Service>(&state, &session, params).await
}

/// Add a service. Its `unit_price` may have at most the currency's minor-unit decimals. With `Idempotency-Key`, a retry of the same request returns the first
/// response and writes nothing.
#[utoipa::path(
    post, path = "/v1/services", tag = "services", request_body = NewService,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours")),
    responses(
        (status = 201, description = "Created", body = View<Service>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same request is still in progress", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_service(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    idempotency: IdempotencyKey,
    body: Fingerprinted<NewService>,
) -> Result<Response, ApiError> {
    let answer = app::catalogue::create_service(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        body.value,
        records::view_json::<Service>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// One service.
#[utoipa::path(
    get, path = "/v1/services/{id}", tag = "services",
    params(("id" = String, Path, description = "The service's id (`svc_…`)")),
    responses(
        (status = 200, description = "The service; ETag is its version", body = View<Service>),
        (status = 404, description = "No such service in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_service(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    records::read::<Service>(&state, &session, &id).await
}

/// Change some of a service's fields (JSON merge patch); `active: false` archives it. Needs `If-Match`.
#[utoipa::path(
    patch, path = "/v1/services/{id}", tag = "services", request_body = ServicePatch,
    params(
        ("id" = String, Path, description = "The service's id (`svc_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Changed", body = View<Service>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_service(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
    Json(patch): Json<ServicePatch>,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Service>(&id)?;
    let stored =
        app::catalogue::update_service(&state, &session.actor(&request), &id, expected.0, patch)
            .await?;
    Ok(records::view_response(&id, stored))
}

/// Delete a service. Needs `If-Match`. (Archive it instead to keep it readable.)
#[utoipa::path(
    delete, path = "/v1/services/{id}", tag = "services",
    params(
        ("id" = String, Path, description = "The service's id (`svc_…`)"),
        ("If-Match" = String, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such service in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_service(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    records::delete::<Service>(&state, &session, &request, &id, expected).await
}

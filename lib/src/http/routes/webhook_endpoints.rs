//! `/v1/webhook-endpoints`: served by the `account` function, beside the API keys. Only the
//! owner's session manages endpoints: a key gets 403.

use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Timestamp;
use crate::domain::ids::WebhookEndpointId;
use crate::domain::webhook::{DeliveryAttempt, EndpointPatch, EndpointView, NewEndpoint};
use crate::http::etag::{IfMatch, etag};
use crate::http::extract::PathId;
use crate::http::json::Json;
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records::{ListPage, ListParams};
use crate::http::session::Session;
use crate::{AppState, app};

/// The account's webhook endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpoints {
    pub data: Vec<EndpointView>,
}

/// Which events to deliver again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// Every event of the endpoint's types since then (at most 30 days back, at most 500).
    pub since: Timestamp,
}

/// How many events were queued again.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    pub queued: usize,
}

fn endpoint_id(text: &str) -> Result<WebhookEndpointId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// An endpoint with its ETag; `no-store` when it carries a secret.
fn shown(status: StatusCode, endpoint: &EndpointView) -> Response {
    let mut response = (status, axum::Json(endpoint)).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(endpoint.version));
    if endpoint.secret.is_some() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    response
}

/// The account's webhook endpoints, oldest first (never a secret). Only with the owner's
/// session.
#[utoipa::path(
    get, path = "/v1/webhook-endpoints", tag = "webhooks",
    responses(
        (status = 200, description = "The endpoints", body = WebhookEndpoints),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Made with an API key: webhooks are managed with the owner's session", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_webhook_endpoints(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
) -> Result<Response, ApiError> {
    let data = app::webhooks::list(&state, &session.owner()?.actor(&request)).await?;
    session.record_read("webhook_endpoint.list", None);
    Ok(axum::Json(WebhookEndpoints { data }).into_response())
}

/// Add a webhook endpoint: the events of the types named are posted to `url`, signed as
/// Standard Webhooks specifies (`webhook-id`, `webhook-timestamp`, `webhook-signature`), at
/// least once, retried for about three days with the same `webhook-id`. A payload carries the
/// object's id and type only, unless `payload` is `object`. The URL must be `https://` and
/// resolve to public addresses only (checked again at every delivery). The signing secret is
/// in this answer only. At most 100 endpoints. Only with the owner's session.
#[utoipa::path(
    post, path = "/v1/webhook-endpoints", tag = "webhooks", request_body = NewEndpoint,
    responses(
        (status = 201, description = "Made: `secret` is shown this once", body = EndpointView),
        (status = 400, description = "A field was refused (the URL not https, over 2,048 characters or not public; an unknown event type); nothing was made", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Made with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The account holds 100 endpoints already", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_webhook_endpoint(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    Json(new): Json<NewEndpoint>,
) -> Result<Response, ApiError> {
    let made = app::webhooks::create(&state, &session.owner()?.actor(&request), new).await?;
    let mut response = shown(StatusCode::CREATED, &made);
    if let Ok(location) =
        header::HeaderValue::from_str(&format!("/v1/webhook-endpoints/{}", made.id))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// One webhook endpoint.
#[utoipa::path(
    get, path = "/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`whe_…`)")),
    responses(
        (status = 200, description = "The endpoint", body = EndpointView),
        (status = 403, description = "Made with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_webhook_endpoint(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = endpoint_id(&id)?;
    let endpoint = app::webhooks::get(&state, &session.owner()?.actor(&request), &id).await?;
    session.record_read("webhook_endpoint.read", Some(id.to_string()));
    Ok(shown(StatusCode::OK, &endpoint))
}

/// Change a webhook endpoint: each field given replaces its own. `"enabled": false` stops
/// every delivery not yet made, queued and retrying ones too; `"enabled": true` starts again
/// with the next event (use `replay` for what was skipped). Needs `If-Match`.
#[utoipa::path(
    patch, path = "/v1/webhook-endpoints/{id}", tag = "webhooks", request_body = EndpointPatch,
    params(
        ("id" = String, Path, description = "The endpoint's id (`whe_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Changed", body = EndpointView),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Made with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_webhook_endpoint(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
    Json(patch): Json<EndpointPatch>,
) -> Result<Response, ApiError> {
    let id = endpoint_id(&id)?;
    let actor = session.owner()?.actor(&request);
    let changed = app::webhooks::update(&state, &actor, &id, patch, expected.0).await?;
    Ok(shown(StatusCode::OK, &changed))
}

/// Delete a webhook endpoint: nothing more reaches it, queued or not.
#[utoipa::path(
    delete, path = "/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(
        ("id" = String, Path, description = "The endpoint's id (`whe_…`)"),
        ("If-Match" = String, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Made with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_webhook_endpoint(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let id = endpoint_id(&id)?;
    app::webhooks::delete(&state, &session.owner()?.actor(&request), &id, expected.0).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Rotate the signing secret: the new one is in this answer only; the old one keeps signing
/// beside it for 24 hours (both signatures are sent), so the receiver can move over. Needs
/// `If-Match`.
#[utoipa::path(
    post, path = "/v1/webhook-endpoints/{id}/rotate-secret", tag = "webhooks",
    params(
        ("id" = String, Path, description = "The endpoint's id (`whe_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Rotated: `secret` is shown this once", body = EndpointView),
        (status = 403, description = "Made with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rotate_webhook_secret(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let id = endpoint_id(&id)?;
    let actor = session.owner()?.actor(&request);
    let rotated = app::webhooks::rotate(&state, &actor, &id, expected.0).await?;
    Ok(shown(StatusCode::OK, &rotated))
}

/// Send a `webhook.test` event to this endpoint alone.
#[utoipa::path(
    post, path = "/v1/webhook-endpoints/{id}/test", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`whe_…`)")),
    responses(
        (status = 202, description = "Queued"),
        (status = 403, description = "Made with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is disabled", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn test_webhook_endpoint(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = endpoint_id(&id)?;
    app::webhooks::test(&state, &session.owner()?.actor(&request), &id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Deliver again the events of the endpoint's types since `since`, including those skipped
/// while it was disabled.
#[utoipa::path(
    post, path = "/v1/webhook-endpoints/{id}/replay", tag = "webhooks", request_body = Replay,
    params(("id" = String, Path, description = "The endpoint's id (`whe_…`)")),
    responses(
        (status = 202, description = "Queued", body = Replayed),
        (status = 400, description = "A field was refused", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Made with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is disabled", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replay_webhook_events(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    Json(replay): Json<Replay>,
) -> Result<Response, ApiError> {
    let id = endpoint_id(&id)?;
    let actor = session.owner()?.actor(&request);
    let queued = app::webhooks::replay(&state, &actor, &id, replay.since).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(Replayed { queued })).into_response())
}

/// The endpoint's delivery log, newest first: each attempt's event, number, outcome, status,
/// time and response time (no bodies), kept 30 days.
#[utoipa::path(
    get, path = "/v1/webhook-endpoints/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`whe_…`)"), ListParams),
    responses(
        (status = 200, description = "A page of the log", body = ListPage<DeliveryAttempt>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Made with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn webhook_deliveries(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    params: ListParams,
) -> Result<Response, ApiError> {
    let id = endpoint_id(&id)?;
    let page = params.request();
    let actor = session.owner()?.actor(&request);
    let log = app::webhooks::deliveries(&state, &actor, &id, page.limit, page.next).await?;
    session.record_read("webhook_endpoint.deliveries", Some(id.to_string()));
    Ok(ListPage::response(log.items, log.next))
}

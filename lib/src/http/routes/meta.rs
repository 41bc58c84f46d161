//! The `meta` function: health and the OpenAPI document.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;

/// How long the health check waits for the table before calling it unreachable.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(3);

function_routes! {
    documented, routes;
    "/v1/health" => { get: health }
    "/v1/openapi.json" => { get: openapi_document }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    let router = routes();
    // The document is generated from every resource's routes at build time of the repository
    // (docs/openapi.json, kept equal by a test), so this function does not link every handler.
    let document = OpenApiJson(Arc::from(crate::http::openapi::DOCUMENT));
    router.layer(Extension(document)).with_state(state)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when every dependency answers, else `unavailable`.
    pub status: &'static str,
    pub checks: HealthChecks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthChecks {
    /// `ok` or `unreachable`. Names no table, account or endpoint.
    pub database: &'static str,
}

/// Whether the service can reach its database.
#[utoipa::path(
    get,
    path = "/v1/health",
    tag = "meta",
    responses(
        (status = 200, description = "Every dependency answers", body = Health),
        (status = 503, description = "A dependency does not answer", body = Health),
    )
)]
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let reachable =
        match tokio::time::timeout(HEALTH_TIMEOUT, crate::app::reads::ping(&state)).await {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                let error = format!("{:#}", anyhow::Error::new(error));
                tracing::warn!(error, "health check: table unreachable");
                false
            }
            Err(_) => {
                tracing::warn!(
                    limit = ?HEALTH_TIMEOUT,
                    "health check: table unreachable: no answer in time"
                );
                false
            }
        };
    let (status, word, database) = match reachable {
        true => (StatusCode::OK, "ok", "ok"),
        false => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "unreachable",
        ),
    };
    (
        status,
        axum::Json(Health {
            status: word,
            checks: HealthChecks { database },
        }),
    )
}

#[derive(Clone)]
struct OpenApiJson(Arc<str>);

/// This document: every route of the API, in OpenAPI 3.1.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
async fn openapi_document(Extension(document): Extension<OpenApiJson>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.0.to_string(),
    )
}

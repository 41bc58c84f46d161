//! What every router gets: a request id and a tracing span, `Cache-Control: no-store`,
//! problem+json for unknown routes, methods and panics, and a body size limit.

use std::any::Any;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::Instrument as _;

use super::problem::ApiError;
use crate::config::Config;
pub use crate::telemetry::RequestId;

/// Largest request body accepted. Far above any document's size, far below Lambda's 6 MB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps a resource's routes with everything every response needs.
pub fn finish(router: Router, state: &crate::AppState) -> Router {
    let config: &Config = &state.config;
    let allowed_origins: Arc<[String]> = config.allowed_origins.clone().into();
    let (forwarding, clock) = (state.forwarding.clone(), state.clock.clone());
    let edge = super::edge::EdgeSecret::new(&config.edge_secret);
    let router = router
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            super::session::csrf_guard(allowed_origins.clone(), req, next)
        }))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            super::client::believe_vouched(forwarding.clone(), clock.clone(), req, next)
        }))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            super::edge::edge_only(edge.clone(), req, next)
        }))
        .layer(middleware::from_fn(request_context))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    hardened(router)
}

/// Only HTTPS, for two years, on every subdomain too (API Gateway and CloudFront serve nothing
/// else; the header tells browsers never to try plain HTTP).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";
/// No page of ours uses a camera, a microphone, the location, a payment handler, USB, motion
/// sensors or full screen; no frame may ask for them either.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), display-capture=(), \
    fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), \
    payment=(), usb=()";

/// The headers every response of every function carries: no content sniffing, HTTPS only,
/// no powerful browser features.
pub fn hardened<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
}

pub(crate) async fn request_context(mut req: Request, next: Next) -> Response {
    let id = gateway_request_id(&req).unwrap_or_else(|| ulid::Ulid::generate().to_string());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route, tenant_id = tracing::field::Empty);
    let client = super::client::seen(&req);
    req.extensions_mut().insert(RequestId {
        id: id.clone(),
        client,
    });
    let started = std::time::Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "served"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    response
}

fn gateway_request_id(req: &Request) -> Option<String> {
    use lambda_http::request::RequestContext;
    match req.extensions().get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(context) => context.request_id.clone(),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

pub(crate) fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_answer_of_a_function_is_hardened_even_a_refusal() {
        let config = Config {
            table_name: String::new(),
            export_bucket: String::new(),
            tenant_key_id: String::new(),
            export_key_id: String::new(),
            signing_key_id: String::new(),
            allowed_origins: Vec::new(),
            mail_from: String::new(),
            mail_configuration_set: String::new(),
            webhook_queue_url: String::new(),
            webhooks_allow_loopback: false,
            webhook_retry_pauses: Vec::new(),
            audit_key_id: String::new(),
            forwarding_key_id: String::new(),
            edge_secret: String::new(),
            tenant_role_arn: String::new(),
            quotas: crate::domain::throttle::QUOTAS,
        };
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let router = finish(Router::new(), &crate::AppState::new(config, &sdk));
        let request = Request::builder()
            .uri("/v1/nothing-here")
            .body(axum::body::Body::empty())
            .expect("request");
        let Ok(response) = tower::ServiceExt::oneshot(router, request).await;
        assert_eq!(response.status(), 404);
        let headers = response.headers();
        assert_eq!(
            headers[header::STRICT_TRANSPORT_SECURITY],
            STRICT_TRANSPORT_SECURITY
        );
        assert_eq!(headers["permissions-policy"], PERMISSIONS_POLICY);
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }
}

//! Only requests that came through the edge (CloudFront, with the per-client limits of its web
//! ACL) are served. API Gateway's own `execute-api` address answers too, and a client calling it
//! would bypass those limits. CloudFront therefore adds a header with a secret to every request
//! it forwards (`X-InvoiceFlow-Edge`, the stack's `EdgeOriginSecret`). Each function refuses
//! a request without that header, with 403, and removes the header from any request it serves.
//! Locally there is no edge and no secret, and nothing is checked.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The header CloudFront adds to every request it forwards.
pub static EDGE_HEADER: HeaderName = HeaderName::from_static("x-invoiceflow-edge");

/// The edge's secret (`EDGE_SECRET`); none where there is no edge.
#[derive(Clone, Default)]
pub struct EdgeSecret(Option<Arc<str>>);

impl EdgeSecret {
    pub fn new(secret: &str) -> Self {
        Self((!secret.is_empty()).then(|| Arc::from(secret)))
    }

    /// From `EDGE_SECRET`.
    pub fn from_env() -> Self {
        Self::new(&std::env::var("EDGE_SECRET").unwrap_or_default())
    }

    /// Whether `presented` is the secret (compared in constant time).
    fn admits(&self, presented: Option<&[u8]>) -> bool {
        use subtle::ConstantTimeEq as _;
        match (&self.0, presented) {
            (None, _) => true,
            (Some(secret), Some(presented)) => {
                presented.len() == secret.len() && bool::from(presented.ct_eq(secret.as_bytes()))
            }
            (Some(_), None) => false,
        }
    }
}

/// Refuses what did not come through the edge; removes the edge's header from what did. With
/// no edge, the request goes on untouched (where the whole site is one router, locally, the
/// API's own layer then checks it).
pub async fn edge_only(secret: EdgeSecret, mut req: Request, next: Next) -> Response {
    if secret.0.is_none() {
        return next.run(req).await;
    }
    let presented = req.headers_mut().remove(&EDGE_HEADER);
    if !secret.admits(presented.as_ref().map(|v| v.as_bytes())) {
        tracing::info!("a request that did not come through the edge was refused");
        return (
            StatusCode::FORBIDDEN,
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            "Use the site's own address.",
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;

    async fn status(router: Router, header: Option<&str>) -> (u16, bool) {
        let mut request = Request::builder().uri("/");
        if let Some(value) = header {
            request = request.header(&EDGE_HEADER, value);
        }
        let request = request.body(axum::body::Body::empty()).expect("request");
        let Ok(response) = tower::ServiceExt::oneshot(router, request).await;
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .expect("body");
        (status, body.as_ref() == b"leaked")
    }

    fn router(secret: EdgeSecret) -> Router {
        Router::new()
            .route(
                "/",
                get(|req: Request| async move {
                    if req.headers().contains_key(&EDGE_HEADER) {
                        "leaked"
                    } else {
                        "served"
                    }
                }),
            )
            .layer(axum::middleware::from_fn(
                move |req: Request, next: Next| edge_only(secret.clone(), req, next),
            ))
    }

    #[tokio::test]
    async fn only_what_came_through_the_edge_is_served_and_its_secret_goes_no_further() {
        let edge = router(EdgeSecret::new("s3cret-of-the-edge"));
        assert_eq!(status(edge.clone(), None).await, (403, false));
        assert_eq!(status(edge.clone(), Some("guess")).await, (403, false));
        assert_eq!(
            status(edge.clone(), Some("s3cret-of-the-edgeX")).await,
            (403, false)
        );
        assert_eq!(
            status(edge, Some("s3cret-of-the-edge")).await,
            (200, false),
            "served, without the header"
        );
        let local = router(EdgeSecret::default());
        assert_eq!(
            status(local, None).await,
            (200, false),
            "no edge: all served"
        );
    }
}

//! Who sent a request. API Gateway tells a function the address it saw, and the request says
//! its `User-Agent`. For a page of the web app, though, the API's functions are called by the
//! web function, so they would see the web function's address. The web function therefore
//! vouches for the browser it serves: it sends `X-InvoiceFlow-Client`, the browser's address
//! and user agent with the time, under a MAC.
//!
//! - Only holders of the forwarding key can make that MAC: the web function and the API's
//!   functions, which are its readers. The key (KMS, HMAC_256) never leaves KMS. Each container
//!   derives its MAC key once, with one `GenerateMac` of a fixed label, and then works locally.
//! - A header that does not verify, or is more than [`MAX_AGE_SECONDS`] old, is ignored. The
//!   client is then the one API Gateway saw. A browser cannot choose its recorded address.

use std::net::IpAddr;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

pub use crate::crypto::forwarding::{FORWARDED_CLIENT, Forwarding, MAX_AGE_SECONDS};
pub use crate::telemetry::Client;
use crate::telemetry::RequestId;

/// The client a request came from: API Gateway's view of it (or, served locally, the
/// connection's), its `User-Agent`.
pub fn seen(req: &Request) -> Client {
    let agent = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    Client::new(source_ip(req), agent)
}

fn source_ip(req: &Request) -> Option<IpAddr> {
    use lambda_http::request::RequestContext;
    if let Some(RequestContext::ApiGatewayV2(context)) = req.extensions().get::<RequestContext>() {
        return context.http.source_ip.as_deref()?.parse().ok();
    }
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The API's side: a request the web function vouched for is the browser's, for the audit
/// trail and the login budget. An unverifiable header is dropped, and the request is then the
/// client's API Gateway saw.
pub async fn believe_vouched(
    forwarding: Forwarding,
    clock: crate::clock::Clock,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(header) = req.headers_mut().remove(&FORWARDED_CLIENT) {
        match forwarding.believe(&header, clock.unix()).await {
            Some(client) => {
                if let Some(request) = req.extensions_mut().get_mut::<RequestId>() {
                    request.client = client;
                }
            }
            None => tracing::info!("a client header that does not verify was ignored"),
        }
    }
    next.run(req).await
}

/// The web function's side: whatever the browser sent as the header is dropped, and the web
/// function's own vouching for it put in its place, for the API calls the page makes.
pub async fn vouch_for_browser(
    forwarding: Forwarding,
    clock: crate::clock::Clock,
    mut req: Request,
    next: Next,
) -> Response {
    req.headers_mut().remove(&FORWARDED_CLIENT);
    let client = req
        .extensions()
        .get::<RequestId>()
        .map(|request| request.client.clone())
        .unwrap_or_default();
    if let Some(value) = forwarding.vouch(&client, clock.unix()).await {
        req.headers_mut().insert(FORWARDED_CLIENT.clone(), value);
    }
    next.run(req).await
}

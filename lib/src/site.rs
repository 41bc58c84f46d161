//! The whole site under one origin, as API Gateway routes it: `/v1/…` to the API's functions,
//! `/d/…` to the `link` function, every other path to the web app. What the local server
//! (`make dev`) and the end-to-end and browser tests serve; in AWS, the HTTP API's routes do
//! this (`template.yaml`).

use axum::Router;
use axum::extract::Request;

use crate::AppState;

/// Every function's routes behind one router, each with its own layers.
pub fn with_api(state: AppState) -> Router {
    let config = state.config.clone();
    let link = crate::link::router(state.clone());
    let vouching = crate::web::Vouching {
        forwarding: state.forwarding.clone(),
        clock: state.clock.clone(),
    };
    let api = crate::http::functions::all(state);
    let site = crate::web::over_api(api, &config.allowed_origins, vouching);
    Router::new().fallback(move |req: Request| {
        let (link, site) = (link.clone(), site.clone());
        async move {
            let Ok(response) = if req.uri().path().starts_with("/d/") {
                tower::ServiceExt::oneshot(link, req).await
            } else {
                tower::ServiceExt::oneshot(site, req).await
            };
            response
        }
    })
}

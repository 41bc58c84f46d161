//! HTTP: one axum router per API resource, the extractors they share, and problem+json.
//!
//! A function's `main` runs `lambda_http::run(http::<resource>::router(state))`; the local
//! server merges the same routers. See docs/decisions/0003-axum-routers-on-lambda-http.md.

pub mod etag;
pub mod extract;
pub mod functions;
pub mod json;
mod layers;
pub mod openapi;
pub mod problem;
pub mod resource;
pub mod routes;
pub mod session;

pub use json::Json;
pub use layers::{RequestId, finish};
pub use problem::{ApiError, FieldError};
pub use routes::{account, auth, customers, exports, meta, services};
pub use session::Session;

//! HTTP: one axum router per API resource, the extractors they share, and problem+json.
//!
//! A function's `main` runs `lambda_http::run(http::<resource>::router(state))`; the local
//! server merges the same routers. See docs/decisions/0003-axum-routers-on-lambda-http.md.

/// Declares a function's routes once, as two routers over the same handlers:
///
/// - `$documented()`, a utoipa `OpenApiRouter` whose paths and schemas make the OpenAPI
///   document (built only by the document's generator and its tests);
/// - `$runtime()`, the plain axum router the function serves, which builds no schema at start.
///
/// Each handler's `#[utoipa::path]` names its path too; a test checks that every function's
/// runtime router answers exactly the documented methods on every documented path.
macro_rules! function_routes {
    ($documented:ident, $runtime:ident;
     $($path:literal => { $($method:ident: $handler:ident),+ $(,)? })+) => {
        /// The documented routes: paths and schemas for the OpenAPI document.
        pub fn $documented() -> ::utoipa_axum::router::OpenApiRouter<crate::AppState> {
            ::utoipa_axum::router::OpenApiRouter::new()
                $(.routes(::utoipa_axum::routes!($($handler),+)))+
        }

        /// The same routes as the function serves them, with no schema built.
        pub fn $runtime() -> ::axum::Router<crate::AppState> {
            ::axum::Router::new()
                $(.route($path, ::axum::routing::MethodRouter::new()$(.$method($handler))+))+
        }
    };
}

pub mod etag;
pub mod extract;
pub mod functions;
pub mod json;
pub(crate) mod layers;
pub mod openapi;
pub mod problem;
pub mod resource;
pub mod routes;
pub mod session;

pub use json::Json;
pub use layers::{RequestId, finish};
pub use problem::{ApiError, FieldError};
pub use routes::{
    account, auth, customers, documents, exports, invoices, meta, payments, proposals, services,
};
pub use session::Session;

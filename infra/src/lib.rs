//! The local stack: the template's resources created on the emulator, and every resource
//! router served by one axum server.

pub mod bootstrap;
pub mod emulator;
pub mod template;

use axum::Router;
use invoiceflow::AppState;

/// Every function's routes, merged (from the registry, `invoiceflow::http::functions`), and the
/// web app for every other path: what API Gateway routes to the functions, served locally.
pub fn app(state: AppState) -> Router {
    invoiceflow::site::with_api(state)
}

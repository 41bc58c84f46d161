//! The local stack: the template's resources created on the emulator, and every resource
//! router served by one axum server.

pub mod bootstrap;
pub mod emulator;
pub mod template;

use axum::Router;
use invoiceflow::AppState;

/// Every resource router, merged: what API Gateway routes to the functions, served locally.
pub fn app(state: AppState) -> Router {
    use invoiceflow::http::{account, auth, customers, exports, finish, meta, services};
    let config = state.config.clone();
    let routes = Router::new()
        .merge(meta::api(state.clone()))
        .merge(auth::api(state.clone()))
        .merge(account::api(state.clone()))
        .merge(customers::api(state.clone()))
        .merge(services::api(state.clone()))
        .merge(exports::api(state));
    finish(routes, &config)
}

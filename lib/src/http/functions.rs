//! What the registry of functions holds (the list itself is [`super::routes`]): every Lambda
//! function, its name (its crate in `functions/`, its binary in `template.yaml`, the prefix of
//! its sample events) and its routes.

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// One Lambda function behind the HTTP API.
pub struct Function {
    /// `functions/<name>`, the template's `BuildProperties.Binary`, `events/<name>-*.json`.
    pub name: &'static str,
    /// Its documented routes: paths and schemas for the OpenAPI document.
    pub documented: fn() -> OpenApiRouter<AppState>,
    /// Its routes with their session layer and state, before the shared layers
    /// ([`super::finish`]): what the local server merges.
    pub api: fn(AppState) -> Router,
}

impl Function {
    /// The router the function's `main` runs: its routes with every layer a response needs.
    pub fn router(&self, state: AppState) -> Router {
        super::finish((self.api)(state.clone()), &state)
    }
}

pub use super::routes::FUNCTIONS;

/// The function called `name`.
pub fn find(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|function| function.name == name)
}

/// Every function's routes in one router, with the shared layers: the whole API, as the local
/// server serves it.
pub fn all(state: AppState) -> Router {
    let routes = FUNCTIONS.iter().fold(Router::new(), |router, function| {
        router.merge((function.api)(state.clone()))
    });
    super::finish(routes, &state)
}

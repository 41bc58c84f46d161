//! The registry of functions: every Lambda function, its name (its crate in `functions/`, its
//! binary in `template.yaml`, the prefix of its sample events) and its routes. The local server,
//! the OpenAPI document, the events test and the template test all read this list, so adding a
//! function is one entry here plus its crate, template resource and events.

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
        let config = state.config.clone();
        super::finish((self.api)(state), &config)
    }
}

/// Every function, in the order the API documents them.
pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "meta",
        documented: super::meta::documented,
        api: super::meta::api,
    },
    Function {
        name: "auth",
        documented: super::auth::documented,
        api: super::auth::api,
    },
    Function {
        name: "account",
        documented: super::account::documented,
        api: super::account::api,
    },
    Function {
        name: "customers",
        documented: super::customers::documented,
        api: super::customers::api,
    },
    Function {
        name: "services",
        documented: super::services::documented,
        api: super::services::api,
    },
    Function {
        name: "proposals",
        documented: super::proposals::documented,
        api: super::proposals::api,
    },
    Function {
        name: "invoices",
        documented: super::invoices::documented,
        api: super::invoices::api,
    },
    Function {
        name: "payments",
        documented: super::payments::documented,
        api: super::payments::api,
    },
    Function {
        name: "documents",
        documented: super::documents::documented,
        api: super::documents::api,
    },
    Function {
        name: "exports",
        documented: super::exports::documented,
        api: super::exports::api,
    },
];

/// The function called `name`.
pub fn find(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|function| function.name == name)
}

/// Every function's routes in one router, with the shared layers: the whole API, as the local
/// server serves it.
pub fn all(state: AppState) -> Router {
    let config = state.config.clone();
    let routes = FUNCTIONS.iter().fold(Router::new(), |router, function| {
        router.merge((function.api)(state.clone()))
    });
    super::finish(routes, &config)
}

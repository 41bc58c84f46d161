//! HTTP: one axum router per API resource, the extractors they share, and problem+json.
//!
//! A function's `main` runs `lambda_http::run(http::<resource>::router(state))`; the local
//! server merges the same routers. See docs/decisions/0003-axum-routers-on-lambda-http.md.

/// Declares a function's routes once, as two routers over the same handlers:
///
/// - `$documented()`, a utoipa `OpenApiRouter` whose paths and schemas make the OpenAPI
///   document (built only by the document's generator and its tests);
/// - `$routes()`, the plain axum router the function serves, which builds no schema at start.
///
/// Each handler's `#[utoipa::path]` names its path too; a test checks that every function's
/// plain router answers exactly the documented methods on every documented path.
macro_rules! function_routes {
    ($documented:ident, $routes:ident;
     $($path:literal => { $($method:ident: $handler:ident),+ $(,)? })+) => {
        /// The documented routes: paths and schemas for the OpenAPI document.
        pub fn $documented() -> ::utoipa_axum::router::OpenApiRouter<crate::AppState> {
            ::utoipa_axum::router::OpenApiRouter::new()
                $(.routes(::utoipa_axum::routes!($($handler),+)))+
        }

        /// The same routes as the function serves them, with no schema built.
        pub fn $routes() -> ::axum::Router<crate::AppState> {
            ::axum::Router::new()
                $(.route($path, ::axum::routing::MethodRouter::new()$(.$method($handler))+))+
        }
    };
}

pub mod client;
pub mod edge;
pub mod etag;
pub mod extract;
pub mod functions;
pub mod json;
pub mod layers;
pub mod openapi;
pub mod problem;
pub mod records;
pub mod routes;
pub mod session;

pub use json::Json;
pub use layers::{RequestId, finish};
pub use problem::{ApiError, FieldError};
pub use routes::*;
pub use session::Session;

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, into: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read lib/src/http").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                into.push(path);
            }
        }
    }

    /// `http` parses, calls one use case (`app`), renders: reads go through `app` as writes do.
    /// The one exception is the session's liveness check, which runs around every handler.
    #[test]
    fn no_file_of_http_but_the_session_s_names_the_store() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
        let mut files = Vec::new();
        sources(&root, &mut files);
        assert!(files.len() > 10, "found {} files", files.len());
        // Spelled apart, so this file does not name what it looks for.
        let store = "store";
        let needles = [
            format!("crate::{store}"),
            format!("super::{store}"),
            format!(".{store}."),
        ];
        let offenders: Vec<String> = files
            .iter()
            .filter(|path| !path.ends_with("session.rs"))
            .filter(|path| {
                let text = std::fs::read_to_string(path).expect("read a source");
                needles.iter().any(|needle| text.contains(needle.as_str()))
            })
            .map(|path| path.display().to_string())
            .collect();
        assert!(
            offenders.is_empty(),
            "http names the store in {offenders:?}"
        );
    }
}

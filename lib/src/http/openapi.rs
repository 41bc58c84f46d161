//! The OpenAPI 3.1 document, generated from the routes themselves: each resource's
//! `routes()` carries its paths and schemas, and this merges them.

use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

use utoipa_axum::router::OpenApiRouter;

use super::problem::{FieldError, Problem};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "InvoiceFlow API",
        description = "Invoicing and proposal management for small businesses. Errors are RFC 9457 \
                       problem+json; money is a decimal string; lists are cursor-paginated.",
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "meta", description = "Health and this document"),
        (name = "auth", description = "Signup, login, logout, the session and the password. \
            The session is a cookie (`__Host-session`, HttpOnly, Secure, SameSite=Strict); every \
            unsafe request needs an `X-Requested-With` header and, if it sends `Origin`, an \
            allowed one."),
        (name = "account", description = "The company profile, the account's settings and its audit trail"),
        (name = "customers", description = "The account's customers"),
        (name = "services", description = "The account's catalogue of services"),
        (name = "exports", description = "CSV exports of customers and services, as 15-minute links"),
    ),
)]
struct ApiDoc;

/// Every route of every resource.
pub fn document() -> Document {
    let mut document = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .merge(super::meta::routes())
        .merge(super::auth::routes())
        .merge(super::auth::session_routes())
        .merge(super::account::routes())
        .merge(super::customers::routes())
        .merge(super::services::routes())
        .merge(super::exports::routes())
        .into_openapi();
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    document
}

/// The document as served: docs/openapi.json, which a test keeps equal to [`document_json`].
pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

pub fn document_json() -> String {
    // Serialising a document of plain strings and maps cannot fail.
    document()
        .to_pretty_json()
        .map(|json| json + "\n")
        .unwrap_or_else(|_| "{}".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `UPDATE_OPENAPI=1 cargo test -p invoiceflow openapi` rewrites docs/openapi.json.
    #[test]
    fn the_served_document_is_the_one_the_routes_generate() {
        let generated = document_json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
            std::fs::write(path, &generated).expect("write docs/openapi.json");
            return;
        }
        assert!(
            generated == DOCUMENT,
            "docs/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p invoiceflow openapi`"
        );
    }

    #[test]
    fn the_document_is_openapi_3_1_and_lists_every_resources_routes() {
        let json: serde_json::Value = serde_json::from_str(&document_json()).expect("JSON");
        assert!(
            json["openapi"]
                .as_str()
                .unwrap_or_default()
                .starts_with("3.1"),
            "{}",
            json["openapi"]
        );
        assert!(json["paths"]["/v1/health"]["get"].is_object());
        assert!(json["paths"]["/v1/openapi.json"]["get"].is_object());
        assert!(json["paths"]["/v1/auth/login"]["post"].is_object());
        assert!(json["paths"]["/v1/settings"]["patch"].is_object());
        assert!(json["components"]["schemas"]["SignupRequest"].is_object());
        assert!(json["components"]["schemas"]["Problem"].is_object());
    }
}

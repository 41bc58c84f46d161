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
        (name = "proposals", description = "Proposals (quotes): drafts, sending, the customer's answer, conversion into an invoice"),
        (name = "invoices", description = "Invoices and their credit notes: drafts, issue with gapless numbers, void, corrections"),
        (name = "documents", description = "Documents as files: PDF/A-3 with the EN 16931 e-invoice embedded (Factur-X / ZUGFeRD), and UBL 2.1 (Peppol BIS Billing 3.0)"),
        (name = "payments", description = "Payments received against invoices, and the summary of what is owed: outstanding, overdue, received"),
        (name = "exports", description = "CSV exports of customers, services, proposals, invoices and invoice lines, and the complete account as one ZIP; each download goes through the API, which records it"),
        (name = "webhooks", description = "Webhook endpoints: events posted, signed as Standard Webhooks specifies (`webhook-id`, \
            `webhook-timestamp`, `webhook-signature`), at least once, to public HTTPS addresses; only with the owner's session"),
    ),
)]
struct ApiDoc;

/// Every route of every resource.
pub fn document() -> Document {
    let mut document = super::functions::FUNCTIONS
        .iter()
        .fold(
            OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi()),
            |router, function| router.merge((function.documented)()),
        )
        .into_openapi();
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    document
}

/// The document as served: docs/openapi.json, which a test keeps equal to [`document_json`].
pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

pub fn document_json() -> String {
    // Serialising a document of plain strings and maps cannot fail.
    let mut json = serde_json::to_value(document()).unwrap_or_default();
    conform(&mut json);
    serde_json::to_string_pretty(&json)
        .map(|json| json + "\n")
        .unwrap_or_else(|_| "{}".to_owned())
}

/// Routes that answer without a session.
const OPEN_ROUTES: &[&str] = &[
    "/v1/health",
    "/v1/openapi.json",
    "/v1/auth/signup",
    "/v1/auth/login",
];

/// What the API's shared layers and extractors do to every operation, written into the
/// document so it describes the wire: the answers they give (problem+json), the headers' exact
/// forms, and views that extend a record (`allOf`) without its own request-side
/// `additionalProperties: false` refusing the view's extra fields.
fn conform(document: &mut serde_json::Value) {
    use serde_json::{Value, json};
    fn open_all_of(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(parts)) = map.get_mut("allOf") {
                    for part in parts.iter_mut() {
                        if let Value::Object(part) = part {
                            part.remove("additionalProperties");
                        }
                    }
                }
                map.values_mut().for_each(open_all_of);
            }
            Value::Array(items) => items.iter_mut().for_each(open_all_of),
            _ => {}
        }
    }
    open_all_of(document);

    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        })
    };
    // Who may call: the owner's session cookie, or an API key (`Authorization: Bearer ifk_…`);
    // what only the owner may do answers a key 403, as its description says.
    if let Some(Value::Object(components)) = document.get_mut("components") {
        components.insert(
            "securitySchemes".to_owned(),
            json!({
                "session": {"type": "apiKey", "in": "cookie", "name": "__Host-session",
                            "description": "The session a login or signup sets (HttpOnly, Secure, SameSite=Strict)"},
                "apiKey": {"type": "http", "scheme": "bearer",
                           "description": "An API key (`ifk_…`) made on the Integrations page, `read` or `write`"},
            }),
        );
    }
    let Some(Value::Object(paths)) = document.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        for (method, operation) in item.iter_mut() {
            let Value::Object(operation) = operation else {
                continue;
            };
            let mut headers = Vec::new();
            if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
                for parameter in parameters.iter_mut() {
                    let name = parameter["name"].as_str().unwrap_or_default().to_owned();
                    let pattern = match name.as_str() {
                        "If-Match" => r#"^(\*|"[0-9]+")$"#,
                        "Idempotency-Key" => "^[!-~]{1,255}$",
                        _ => continue,
                    };
                    parameter["schema"] = json!({"type": "string", "pattern": pattern});
                    headers.push(name);
                }
            }
            let has_body = operation.contains_key("requestBody");
            let responses = operation.entry("responses").or_insert_with(|| json!({}));
            let Value::Object(responses) = responses else {
                continue;
            };
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description));
            };
            if has_body
                || headers
                    .iter()
                    .any(|h| h == "If-Match" || h == "Idempotency-Key")
            {
                add(
                    "400",
                    "A field, parameter or header was refused; nothing was written",
                );
            }
            if has_body {
                add("415", "The body is not application/json");
            }
            if headers.iter().any(|h| h == "If-Match") {
                add("412", "Changed since that ETag");
                add("428", "If-Match is missing");
            }
            if headers.iter().any(|h| h == "Idempotency-Key") {
                add("409", "The same request is still in progress");
                add("422", "The Idempotency-Key was used for another request");
            }
            let open = OPEN_ROUTES.contains(&path.as_str());
            if !open {
                add("401", "No live session");
            }
            if method != "get" {
                add("403", "No X-Requested-With header, or a foreign Origin");
            }
            if path.contains('{') {
                add("404", "No such record in this account");
            }
            let security = if open {
                json!([])
            } else {
                json!([{"session": []}, {"apiKey": []}])
            };
            operation.insert("security".to_owned(), security);
        }
    }
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

//! The web app: every path outside /v1. It renders pages and reaches the data only through
//! the API on the same origin (`ALLOWED_ORIGINS`), so it holds no right to the table, the
//! bucket or any key.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let allowed_origins = invoiceflow::config::allowed_origins();
    let router = invoiceflow::web::router(&allowed_origins)?;
    lambda_http::run(router).await
}

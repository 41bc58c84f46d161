//! /v1/services and /v1/services/{id}: the catalogue.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::services::router(state)).await
}

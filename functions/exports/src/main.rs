//! /v1/exports and /v1/exports/{id}: CSV exports.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::exports::router(state)).await
}

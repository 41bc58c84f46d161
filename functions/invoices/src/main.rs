//! /v1/invoices, /v1/invoices/{id}, its actions (issue, void) and its credit notes.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::invoices::router(state)).await
}

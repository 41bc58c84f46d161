//! /v1/invoices/{id}/payments, /v1/payments, /v1/payments/{id} and /v1/summary.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::payments::router(state)).await
}

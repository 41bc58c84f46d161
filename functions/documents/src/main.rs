//! /v1/invoices/{id}/pdf and /ubl, /v1/credit-notes/{id}/pdf and /ubl, /v1/proposals/{id}/pdf.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::documents::router(state)).await
}

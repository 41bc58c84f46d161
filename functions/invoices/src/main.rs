//! /v1/invoices, /v1/invoices/{id} and its actions (issue, void).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::invoices::router(state)).await
}

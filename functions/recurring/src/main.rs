//! /v1/recurring-invoices: invoices' templates and their schedules.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::recurring::router(state)).await
}

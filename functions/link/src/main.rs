//! /d/<token>: a sent document's page for its customer, its files, and a proposal's answer.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::link::router(state)).await
}

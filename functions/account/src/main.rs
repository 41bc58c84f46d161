//! `/v1/company` and `/v1/settings`: the company profile and the account's settings.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::account::router(state)).await
}

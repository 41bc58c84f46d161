//! /v1/customers and /v1/customers/{id}.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::customers::router(state)).await
}

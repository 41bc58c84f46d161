//! /v1/proposals, /v1/proposals/{id} and its actions (send, accept, decline, convert).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::proposals::router(state)).await
}

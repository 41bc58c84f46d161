//! `GET /v1/health` and `GET /v1/openapi.json`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::meta::router(state)).await
}

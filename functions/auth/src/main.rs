//! `/v1/auth/*`: signup, login, logout, the current session, password change.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    lambda_http::run(invoiceflow::http::auth::router(state)).await
}

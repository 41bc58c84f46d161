//! The web app: every path outside /v1. It renders pages and reaches the data only through
//! the API on the same origin (`ALLOWED_ORIGINS`), so it holds no right to the table, the
//! bucket or any key.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let allowed_origins = invoiceflow::config::allowed_origins();
    let sdk = invoiceflow::state::sdk_config_from_env().await?;
    let key_id = std::env::var("FORWARDING_KEY_ID").unwrap_or_default();
    let vouching = invoiceflow::web::Vouching {
        forwarding: invoiceflow::http::client::Forwarding::new(
            invoiceflow::aws::Clients::new(&sdk).lazy_kms(),
            &key_id,
        ),
        clock: invoiceflow::clock::Clock::default(),
    };
    let router = invoiceflow::web::router(&allowed_origins, vouching)?;
    lambda_http::run(router).await
}

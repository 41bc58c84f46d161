//! `make dev`: every resource router on http://127.0.0.1:3000, on the local emulator.
//!
//! AWS is reached exactly as in Lambda, through the SDK's environment chain
//! (`AWS_ENDPOINT_URL`, set by the Makefile), so this runs the functions' own code.

use anyhow::Context as _;
use invoiceflow::AppState;
use invoiceflow_infra::bootstrap::{self, Names};
use invoiceflow_infra::template::Template;

/// The worker threads' stacks: a debug build's frames are many times a release build's (see
/// `.cargo/config.toml`), and `make dev` runs a debug build.
const WORKER_STACK: usize = 8 * 1024 * 1024;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK)
        .build()?
        .block_on(serve())
}

async fn serve() -> anyhow::Result<()> {
    invoiceflow::telemetry::init();
    let address = std::env::var("INVOICEFLOW_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("{address} is in use: is another `make dev` running?"))?;

    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let stack = bootstrap::ensure(&sdk, &Names::dev(), &Template::embedded()?)
        .await
        .context("creating the template's resources on the emulator")?;
    let mut config = stack.config;
    let own_origin = format!("http://{address}");
    if !config.allowed_origins.contains(&own_origin) {
        // Unsafe requests from the local server's own origin pass the CSRF check.
        config.allowed_origins.push(own_origin);
    }
    let state = AppState::new(config, &sdk);
    // What the Lambda service does in AWS: read the webhooks' queue (a second a poll), and
    // sweep the outbox every minute.
    let worker = state.clone();
    tokio::spawn(async move {
        let mut polls: u64 = 0;
        loop {
            if let Err(error) = invoiceflow::webhooks::drain(&worker).await {
                tracing::warn!(error = format!("{error:#}"), "webhook deliveries");
            }
            polls += 1;
            if polls.is_multiple_of(60)
                && let Err(error) = invoiceflow::webhooks::sweep(&worker).await
            {
                tracing::warn!(error = format!("{error:#}"), "the outbox sweep");
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    });
    let app = invoiceflow_infra::app(state);

    println!(
        "InvoiceFlow listening on http://{address} (try: curl http://{address}/v1/health). Ctrl-C stops it."
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}

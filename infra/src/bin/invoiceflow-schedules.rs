//! `make schedules`: one pass of the scheduled `schedules` function against the local stack
//! (`make dev`), as it runs each hour: makes the invoices of recurring invoices that are due.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use invoiceflow::AppState;
use invoiceflow_infra::bootstrap::{self, Names};
use invoiceflow_infra::template::Template;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    invoiceflow::telemetry::init();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let stack = bootstrap::ensure(&sdk, &Names::dev(), &Template::embedded()?)
        .await
        .context("the local stack (is the emulator running? `make dev` starts it)")?;
    let state = AppState::new(stack.config, &sdk);
    // The deployed function's timeout less its margin.
    let deadline = Instant::now() + Duration::from_secs(270);
    let report = invoiceflow::schedules::run(&state, deadline).await?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

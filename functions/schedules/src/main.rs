//! Scheduled hourly: makes the invoices of the recurring invoices that are due (each period
//! once), stopping cleanly before the function's timeout.

use std::time::{Instant, SystemTime};

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    let state = &state;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<invoiceflow::purge::Scheduled>| async move {
            // The invocation's deadline, as an instant of this process's clock.
            let left = event
                .context
                .deadline()
                .duration_since(SystemTime::now())
                .unwrap_or_default();
            invoiceflow::schedules::handle(state, event.payload, Instant::now() + left)
                .await
                .map_err(lambda_http::Error::from)
        },
    ))
    .await
}

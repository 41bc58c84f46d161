//! Amazon SES's events about the documents sent (delivered, bounced, complained, rejected), as
//! EventBridge hands them over: each recorded on its document and in the audit trail.

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    let state = &state;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<invoiceflow::deliveries::SesEvent>| async move {
            invoiceflow::deliveries::handle(state, event.payload)
                .await
                .map(|_| ())
                .map_err(lambda_http::Error::from)
        },
    ))
    .await
}

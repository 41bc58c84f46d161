//! Webhooks: delivers each message of the delivery queue (SQS) to its endpoint, signed; every
//! minute, hands over the events a crash left in the outbox (decision 0025).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    invoiceflow::telemetry::init();
    let state = invoiceflow::AppState::from_env().await?;
    let state = &state;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<invoiceflow::webhooks::Invocation>| async move {
            invoiceflow::webhooks::handle(state, event.payload)
                .await
                .map_err(lambda_http::Error::from)
        },
    ))
    .await
}

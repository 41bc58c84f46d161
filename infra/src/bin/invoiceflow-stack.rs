//! Creates the local stack (`make dev`'s table, bucket and keys) on the running emulator if it
//! is not there, and prints the environment a function needs to run against it:
//!
//! - `invoiceflow-stack env`: `KEY=VALUE` lines, for `cargo lambda watch --env-file`
//!   (`make invoke`);
//! - `invoiceflow-stack sam [ENDPOINT]`: a SAM `--env-vars` file, every function pointed at the
//!   emulator at ENDPOINT (default `http://host.docker.internal:4566`, the host as SAM's
//!   containers see it).

use anyhow::Context as _;
use invoiceflow_infra::bootstrap::{self, Names};
use invoiceflow_infra::template::Template;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let template = Template::embedded()?;
    let stack = bootstrap::ensure(&sdk, &Names::dev(), &template)
        .await
        .context("the local stack (is the emulator running? `make dev` starts it)")?;
    let config = stack.config;
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    let mut variables = vec![
        ("TABLE_NAME", config.table_name),
        ("EXPORT_BUCKET", config.export_bucket),
        ("TENANT_KEY_ID", config.tenant_key_id),
        ("EXPORT_KEY_ID", config.export_key_id),
        ("SIGNING_KEY_ID", config.signing_key_id),
        ("ALLOWED_ORIGINS", config.allowed_origins.join(",")),
        ("MAIL_FROM", config.mail_from),
        ("WEBHOOK_QUEUE_URL", config.webhook_queue_url),
        // Local only: a receiver on this machine may be tried.
        ("WEBHOOKS_ALLOW_LOOPBACK", "true".to_owned()),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
    ];
    match args.first().map(String::as_str) {
        Some("env") => {
            variables.push(("AWS_ENDPOINT_URL", endpoint));
            for (name, value) in variables {
                println!("{name}={value}");
            }
        }
        Some("sam") => {
            let endpoint = args
                .get(1)
                .cloned()
                .unwrap_or_else(|| "http://host.docker.internal:4566".to_owned());
            variables.push(("AWS_ENDPOINT_URL", endpoint));
            let parameters: serde_json::Map<String, serde_json::Value> = variables
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.into()))
                .collect();
            let functions: serde_json::Map<String, serde_json::Value> = template
                .functions()?
                .into_iter()
                .map(|f| (f.logical_id, serde_json::Value::Object(parameters.clone())))
                .collect();
            println!("{}", serde_json::to_string_pretty(&functions)?);
        }
        _ => anyhow::bail!("usage: invoiceflow-stack env | sam [ENDPOINT]"),
    }
    Ok(())
}

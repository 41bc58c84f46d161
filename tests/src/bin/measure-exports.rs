//! `make measure-exports`: wall time and peak resident memory of the CSV export path for 10,000
//! and 50,000 customers, and of the complete export of an account (one ZIP) of that size,
//! against a private stack on the local emulator.
//!
//! The parent seeds each account; the export then runs in a fresh child process that starts
//! the way a function does (`AppState::from_env`, pointed at the emulator through
//! `AWS_ENDPOINT_URL`) and reports its own peak resident memory (`VmHWM`), so the figure is the
//! export's, not the seeding's.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, ensure};
use invoiceflow::domain::TenantId;
use invoiceflow::domain::customer::Customer;
use invoiceflow::domain::ids::{CustomerId, ExportId};
use invoiceflow::export;
use invoiceflow::store::keys;
use invoiceflow_tests::{TestStack, status_kib};

fn customer(n: usize) -> anyhow::Result<Customer> {
    Ok(serde_json::from_value(serde_json::json!({
        "name": format!("Ölçü Handelsgesellschaft {n:06}"),
        "contact_name": "Jörg Müller",
        "email": format!("billing{n}@olcu.example"),
        "phone": "+49 30 1234567",
        "billing_address": {"lines": ["Friedrichstraße 12", "Hinterhaus"], "city": "Berlin", "postal_code": "10117", "country": "DE"},
        "shipping_address": {"lines": ["Lagerweg 3"], "city": "Potsdam", "postal_code": "14467", "country": "DE"},
        "tax_id": "DE123456789",
        "currency": "EUR",
        "notes": "Prefers email; net 30, \"no\" paper invoices."
    }))?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("export") {
        return export_in_this_process(&args[1..]).await;
    }
    // `account`: the complete export (ZIP) rather than the customers' CSV.
    let kind = if args.iter().any(|a| a == "account") {
        "account"
    } else {
        "customers"
    };
    let sizes: Vec<usize> = args
        .iter()
        .filter(|a| *a != "account")
        .map(|a| a.parse())
        .collect::<Result<_, _>>()
        .context("sizes are whole numbers")?;
    let sizes = if sizes.is_empty() {
        vec![10_000, 50_000]
    } else {
        sizes
    };
    let stack = TestStack::new().await;
    let store = &stack.state.store;
    let endpoint = invoiceflow_infra::emulator::ensure()?.endpoint.clone();
    let config = &stack.stack.config;
    println!(
        "{kind}: rows     seconds  rows/s  file_bytes  parts  peak_rss_MiB (whole export process)"
    );
    for size in sizes {
        let tenant = TenantId::for_tests();
        let opened = store.open_account(&tenant).await?;
        store.commit(opened).await?;
        for start in (0..size).step_by(1_000) {
            let records = (start..size.min(start + 1_000))
                .map(|n| {
                    Ok((
                        keys::customer(&tenant, &CustomerId::generate()),
                        customer(n)?,
                    ))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            store.seed_for_tests(&tenant, records).await?;
        }
        let output = Command::new(std::env::current_exe()?)
            .args(["export", &tenant.to_string(), kind])
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("TABLE_NAME", &config.table_name)
            .env("EXPORT_BUCKET", &config.export_bucket)
            .env("TENANT_KEY_ID", &config.tenant_key_id)
            .env("EXPORT_KEY_ID", &config.export_key_id)
            .env("SIGNING_KEY_ID", &config.signing_key_id)
            .output()?;
        ensure!(
            output.status.success(),
            "export process failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report = String::from_utf8(output.stdout)?;
        ensure!(
            report.starts_with(&format!("{size} ")),
            "exported other than {size} rows: {report}"
        );
        print!("{report}");
    }
    Ok(())
}

async fn export_in_this_process(args: &[String]) -> anyhow::Result<()> {
    let tenant = TenantId::parse_for_tests(args.first().context("tenant")?)?;
    let state = invoiceflow::AppState::from_env().await?;
    let dataset = match args.get(1).map(String::as_str) {
        Some("account") => export::Dataset::Account,
        _ => export::Dataset::Customers,
    };
    let key = export::object_key(&tenant, &ExportId::generate(), dataset);
    let bucket = state.config.export_bucket.clone();
    let started = Instant::now();
    let target = invoiceflow::store::files::Target {
        bucket: &bucket,
        key: &key,
        kms_key_id: &state.config.export_key_id,
    };
    let as_tenant = state.store.as_tenant(&tenant).await?;
    let (store, s3) = (&state.store, as_tenant.s3());
    let rows = match dataset {
        export::Dataset::Account => {
            let about = serde_json::json!({"account": tenant});
            export::write_account_zip(store, s3, &target, &tenant, (&about, None)).await?
        }
        _ => export::write_csv::<Customer>(store, s3, &target, &tenant).await?,
    };
    let seconds = started.elapsed().as_secs_f64();
    let head = s3.head_object().bucket(&bucket).key(&key).send().await?;
    let bytes = head.content_length().unwrap_or_default();
    let parts = head
        .e_tag()
        .and_then(|tag| tag.trim_matches('"').rsplit_once('-'))
        .map(|(_, n)| n.to_owned())
        .unwrap_or_else(|| "1".into());
    println!(
        "{rows:<8} {seconds:<8.1} {:<7.0} {bytes:<11} {parts:<6} {:.1}",
        rows as f64 / seconds,
        status_kib("VmHWM:")? as f64 / 1024.0
    );
    Ok(())
}

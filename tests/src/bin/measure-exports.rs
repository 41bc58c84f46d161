//! `make measure-exports`: wall time and peak resident memory of the CSV export path for 10,000
//! and 50,000 customers, against a private stack on the local emulator.
//!
//! Peak memory is read from `/proc/self/status` (`VmHWM`) after resetting it just before the
//! export (`/proc/self/clear_refs` ← 5), so seeding does not count.

use std::time::Instant;

use anyhow::Context as _;
use invoiceflow::domain::TenantId;
use invoiceflow::domain::customer::Customer;
use invoiceflow::domain::ids::{CustomerId, ExportId};
use invoiceflow::export;
use invoiceflow::store::keys;
use invoiceflow_tests::TestStack;

fn status_kib(field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| {
            line.strip_prefix(field)?
                .trim()
                .strip_suffix(" kB")?
                .trim()
                .parse()
                .ok()
        })
        .with_context(|| format!("{field} in /proc/self/status"))
}

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
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
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
    println!(
        "rows     seconds  rows/s   csv_bytes   parts  rss_before_MiB  peak_rss_during_export_MiB"
    );
    for size in sizes {
        let tenant = TenantId::for_tests();
        let opened = store.open_account(&tenant).await?;
        store.commit(opened).await?;
        for chunk in (0..size).collect::<Vec<_>>().chunks(100) {
            let mut tx = store.transaction(&tenant).await?;
            for &n in chunk {
                tx.create(
                    &keys::customer(&tenant, &CustomerId::generate()),
                    &customer(n)?,
                );
            }
            store.commit(tx).await?;
        }
        std::fs::write("/proc/self/clear_refs", "5").context("resetting the peak RSS")?;
        let before = status_kib("VmRSS:")?;
        let key = export::object_key(&tenant, &ExportId::generate());
        let started = Instant::now();
        let rows = export::write_csv::<Customer>(
            store,
            &stack.state.clients.s3,
            &stack.state.config.export_bucket,
            &tenant,
            &key,
        )
        .await?;
        let seconds = started.elapsed().as_secs_f64();
        let peak = status_kib("VmHWM:")?;
        let head = stack
            .state
            .clients
            .s3
            .head_object()
            .bucket(&stack.state.config.export_bucket)
            .key(&key)
            .send()
            .await?;
        let bytes = head.content_length().unwrap_or_default();
        let parts = head
            .e_tag()
            .and_then(|tag| tag.trim_matches('"').rsplit_once('-'))
            .map(|(_, n)| n.to_owned())
            .unwrap_or_else(|| "1".into());
        anyhow::ensure!(rows == size as u64, "exported {rows} of {size}");
        println!(
            "{rows:<8} {seconds:<8.1} {:<8.0} {bytes:<11} {parts:<6} {:<15.1} {:.1}",
            rows as f64 / seconds,
            before as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    Ok(())
}

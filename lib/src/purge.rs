//! The scheduled purge of deleted accounts (DESIGN §8, the `purge` function): for each account
//! due, every item of its partition, every file under its prefix, and last its account item
//! (which holds its place in the queue). A pass stops cleanly before its deadline; the next
//! pass finds the account still queued and carries on, so a pass stopped or killed at any
//! point is finished by the next one, and a second pass over a finished account does nothing.
//!
//! The logs say how many items and files were removed for which account id, never what.

use std::time::Instant;

use crate::AppState;
use crate::domain::TenantId;

/// The name of the function (its crate, binary and sample events).
pub const FUNCTION: &str = "purge";
/// Accounts taken from the queue per pass.
const ACCOUNTS_PER_PASS: i32 = 100;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// Accounts fully purged by this pass.
    pub accounts: usize,
    pub items: usize,
    pub files: usize,
    /// Whether the pass stopped at its deadline with work left for the next.
    pub stopped_early: bool,
}

/// How long before the function's own deadline a pass stops, to finish its page and report.
pub const MARGIN: std::time::Duration = std::time::Duration::from_secs(30);

/// The EventBridge scheduled event that starts a pass (only what is checked of it).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Scheduled {
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    pub source: String,
    pub time: String,
}

/// Handles one scheduled event: a pass that stops [`MARGIN`] before `deadline`.
pub async fn handle(
    state: &AppState,
    event: Scheduled,
    deadline: Instant,
) -> anyhow::Result<Report> {
    anyhow::ensure!(
        event.detail_type == "Scheduled Event" && event.source == "aws.events",
        "not a scheduled event: {} from {}",
        event.detail_type,
        event.source
    );
    let report = run(state, deadline.checked_sub(MARGIN).unwrap_or(deadline)).await?;
    tracing::info!(target: "purge", ?report, scheduled = %event.time, "purge pass done");
    Ok(report)
}

/// Purges every account due, until `deadline` (checked after every page of deletes).
pub async fn run(state: &AppState, deadline: Instant) -> anyhow::Result<Report> {
    let store = &state.store;
    let due = store
        .due_for_purge(state.clock.now(), ACCOUNTS_PER_PASS)
        .await?;
    let mut report = Report::default();
    for tenant in due {
        // The queue is an eventually consistent index: the account item itself decides.
        if store.is_closed(&tenant).await? != Some(true) {
            continue;
        }
        let mut items = 0;
        loop {
            let deleted = store.purge_page(&tenant).await?;
            items += deleted;
            if deleted == 0 {
                break;
            }
            // Every pass gets at least a page done, so passes always make progress.
            if Instant::now() >= deadline {
                report.stopped_early = true;
                log(&tenant, items, 0, false);
                report.items += items;
                return Ok(report);
            }
        }
        let files = crate::store::files::delete_tenant_files(
            store.as_tenant(&tenant).await?.s3(),
            &state.config.export_bucket,
            &tenant,
        )
        .await?;
        store.drop_account_item(&tenant).await?;
        store.keyring().forget(&tenant).await;
        log(&tenant, items, files, true);
        report.accounts += 1;
        report.items += items;
        report.files += files;
    }
    Ok(report)
}

fn log(tenant: &TenantId, items: usize, files: usize, finished: bool) {
    tracing::info!(
        target: "purge",
        tenant = %tenant,
        items,
        files,
        finished,
        "purged a deleted account"
    );
}

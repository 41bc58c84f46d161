//! The scheduled pass of recurring invoices (the `schedules` function): every schedule whose
//! next period has come, found through the sparse index of due work, makes its invoices
//! (each period once, however passes overlap or repeat). A pass stops before its deadline;
//! the next one finds what is left still due and carries on.
//!
//! The logs say how many schedules and invoices, never whose or what.

use std::time::Instant;

use crate::AppState;
use crate::app::recurring;
use crate::telemetry::RequestId;

/// The name of the function (its crate, binary and sample events).
pub const FUNCTION: &str = "schedules";
/// Due schedules read per page of the index.
const PAGE: i32 = 100;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// Schedules found due and worked on.
    pub schedules: usize,
    /// Invoices made.
    pub invoices: usize,
    /// Invoices e-mailed.
    pub sent: usize,
    /// Schedules with an invoice left to e-mail (the mail service failed; the next pass tries
    /// again).
    pub send_pending: usize,
    /// Schedules whose work failed (left due for the next pass).
    pub failed: usize,
    /// Whether the pass stopped at its deadline with work left for the next.
    pub stopped_early: bool,
}

/// Handles one scheduled event: a pass that stops [`crate::purge::MARGIN`] before `deadline`.
pub async fn handle(
    state: &AppState,
    event: crate::purge::Scheduled,
    deadline: Instant,
) -> anyhow::Result<Report> {
    anyhow::ensure!(
        event.detail_type == "Scheduled Event" && event.source == "aws.events",
        "not a scheduled event: {} from {}",
        event.detail_type,
        event.source
    );
    let margin = crate::purge::MARGIN;
    let report = run(state, deadline.checked_sub(margin).unwrap_or(deadline)).await?;
    tracing::info!(target: "schedules", ?report, scheduled = %event.time, "schedules pass done");
    Ok(report)
}

/// Makes what is due by now, until `deadline` (checked before each schedule).
pub async fn run(state: &AppState, deadline: Instant) -> anyhow::Result<Report> {
    let store = &state.store;
    let now = state.clock.now();
    let request = RequestId(format!("schedules-{}", ulid::Ulid::generate()));
    let mut report = Report::default();
    let mut after = None;
    loop {
        let page = store.due_recurring(now, PAGE, after).await?;
        for (tenant, id) in page.due {
            if Instant::now() >= deadline {
                report.stopped_early = true;
                return Ok(report);
            }
            // A closed account makes nothing more (its items wait for the purge).
            if store.is_closed(&tenant).await? != Some(false) {
                continue;
            }
            report.schedules += 1;
            match recurring::catch_up(state, &tenant, &id, &request).await {
                Ok(caught) => {
                    report.invoices += caught.made.len();
                    report.sent += caught.sent;
                    report.send_pending += usize::from(caught.send_pending);
                }
                Err(error) => {
                    report.failed += 1;
                    tracing::error!(target: "schedules", schedule = %id, error = %error, "a schedule failed");
                }
            }
        }
        after = page.next;
        if after.is_none() {
            return Ok(report);
        }
    }
}

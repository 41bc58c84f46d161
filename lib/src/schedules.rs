//! The scheduled pass of recurring invoices (the `schedules` function): every schedule whose
//! next period has come, found through the sparse index of due work, makes its invoices
//! (each period once, however passes overlap or repeat). A pass stops before its deadline;
//! the next one finds what is left still due and carries on.
//!
//! The logs say how many schedules and invoices, never whose or what.

use std::time::Instant;

use futures_util::StreamExt as _;

use crate::AppState;
use crate::app::recurring;
use crate::domain::TenantId;
use crate::domain::ids::RecurringInvoiceId;
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

/// Accounts worked on at once: each waits on DynamoDB most of the time. Two passes or two
/// accounts never make the same period (the guard items decide).
const AT_ONCE: usize = 8;

/// What became of one due schedule in a pass.
enum Outcome {
    Worked(recurring::Caught),
    Failed,
    /// Its account is closed: nothing is made (its items wait for the purge).
    Closed,
    /// The deadline came first.
    Left,
}

/// Makes what is due by now, until `deadline` (checked before each schedule is begun).
pub async fn run(state: &AppState, deadline: Instant) -> anyhow::Result<Report> {
    let store = &state.store;
    let now = state.clock.now();
    let request = &RequestId(format!("schedules-{}", ulid::Ulid::generate()));
    let mut report = Report::default();
    let mut after = None;
    loop {
        let page = store.due_recurring(now, PAGE, after).await?;
        // One account's schedules one after another (they take numbers from one series);
        // accounts at once.
        let mut accounts: Vec<(TenantId, Vec<RecurringInvoiceId>)> = Vec::new();
        for (tenant, id) in page.due {
            match accounts.iter_mut().find(|(t, _)| *t == tenant) {
                Some((_, ids)) => ids.push(id),
                None => accounts.push((tenant, vec![id])),
            }
        }
        let outcomes: Vec<Outcome> = futures_util::stream::iter(accounts)
            .map(|(tenant, ids)| async move {
                if store.is_closed(&tenant).await? != Some(false) {
                    return Ok(vec![Outcome::Closed]);
                }
                let mut outcomes = Vec::with_capacity(ids.len());
                for id in ids {
                    if Instant::now() >= deadline {
                        outcomes.push(Outcome::Left);
                        break;
                    }
                    let caught = Box::pin(recurring::catch_up(state, &tenant, &id, request)).await;
                    outcomes.push(match caught {
                        Ok(caught) => Outcome::Worked(caught),
                        Err(error) => {
                            tracing::error!(target: "schedules", schedule = %id, error = %error, "a schedule failed");
                            Outcome::Failed
                        }
                    });
                }
                Ok::<_, anyhow::Error>(outcomes)
            })
            .buffer_unordered(AT_ONCE)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<anyhow::Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        for outcome in outcomes {
            match outcome {
                Outcome::Worked(caught) => {
                    report.schedules += 1;
                    report.invoices += caught.made.len();
                    report.sent += caught.sent;
                    report.send_pending += usize::from(caught.send_pending);
                }
                Outcome::Failed => {
                    report.schedules += 1;
                    report.failed += 1;
                }
                Outcome::Closed => {}
                Outcome::Left => report.stopped_early = true,
            }
        }
        after = page.next;
        if after.is_none() || report.stopped_early {
            return Ok(report);
        }
    }
}

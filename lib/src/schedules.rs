//! The scheduled pass of recurring invoices and payment reminders (the `schedules` function):
//! every schedule whose next period has come, found through the sparse index of due work,
//! makes its invoices (each period once, however passes overlap or repeat); then every open
//! invoice whose next reminder's day has come, found the same way, is looked at and reminded
//! (each stage at most once). A pass stops before its deadline; the next one finds what is
//! left still due and carries on.
//!
//! The logs say how many schedules and invoices, never whose or what.

use std::time::Instant;

use futures_util::StreamExt as _;

use crate::AppState;
use crate::app::recurring;
use crate::app::reminders::{self, Looked};
use crate::domain::TenantId;
use crate::domain::ids::{InvoiceId, RecurringInvoiceId};
use crate::store::keys;
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
    /// Invoices looked at for a reminder.
    pub invoices_looked_at: usize,
    /// Reminders e-mailed.
    pub reminders_sent: usize,
    /// Reminders due and not sent (paused, opted out, no or a suppressed address).
    pub reminders_withheld: usize,
    /// Looks that failed (left due for the next pass: the mail service, the store).
    pub reminders_failed: usize,
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

/// Makes what is due by now, then sends the reminders due, until `deadline` (checked before
/// each schedule or invoice is begun).
pub async fn run(state: &AppState, deadline: Instant) -> anyhow::Result<Report> {
    let request = &RequestId(format!("schedules-{}", ulid::Ulid::generate()));
    let mut report = Report::default();
    recurring_invoices(state, deadline, request, &mut report).await?;
    if !report.stopped_early {
        reminders_due(state, deadline, request, &mut report).await?;
    }
    Ok(report)
}

/// The due entries of one page, by account (in the order they came).
fn by_account<T>(
    due: Vec<(TenantId, ulid::Ulid)>,
    id: fn(ulid::Ulid) -> T,
) -> Vec<(TenantId, Vec<T>)> {
    let mut accounts: Vec<(TenantId, Vec<T>)> = Vec::new();
    for (tenant, ulid) in due {
        match accounts.iter_mut().find(|(t, _)| *t == tenant) {
            Some((_, ids)) => ids.push(id(ulid)),
            None => accounts.push((tenant, vec![id(ulid)])),
        }
    }
    accounts
}

/// What became of one invoice due a reminder look in a pass.
enum Reminded {
    Looked(Looked),
    Failed,
    Closed,
    Left,
}

/// Looks at every open invoice whose next reminder's day has come, until `deadline`.
async fn reminders_due(
    state: &AppState,
    deadline: Instant,
    request: &RequestId,
    report: &mut Report,
) -> anyhow::Result<()> {
    let store = &state.store;
    let now = state.clock.now();
    let mut after = None;
    loop {
        let page = store.due(keys::REMINDERS_DUE, now, PAGE, after).await?;
        let accounts = by_account(page.due, InvoiceId::from_ulid);
        let outcomes: Vec<Reminded> = futures_util::stream::iter(accounts)
            .map(|(tenant, ids)| async move {
                if store.is_closed(&tenant).await? != Some(false) {
                    return Ok(vec![Reminded::Closed]);
                }
                // The policy and the time zone, once for the account's invoices.
                let settings = reminders::settings(state, &tenant).await?;
                let mut outcomes = Vec::with_capacity(ids.len());
                for id in ids {
                    if Instant::now() >= deadline {
                        outcomes.push(Reminded::Left);
                        break;
                    }
                    let looked =
                        Box::pin(reminders::look_at(state, &tenant, &id, &settings, request)).await;
                    outcomes.push(match looked {
                        Ok(looked) => Reminded::Looked(looked),
                        Err(error) => {
                            tracing::error!(target: "schedules", invoice = %id, error = %error, "a reminder look failed");
                            Reminded::Failed
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
                Reminded::Looked(looked) => {
                    report.invoices_looked_at += 1;
                    match looked {
                        Looked::Sent => report.reminders_sent += 1,
                        Looked::PassedOver(Some(_)) => report.reminders_withheld += 1,
                        Looked::PassedOver(None) | Looked::Nothing => {}
                    }
                }
                Reminded::Failed => {
                    report.invoices_looked_at += 1;
                    report.reminders_failed += 1;
                }
                Reminded::Closed => {}
                Reminded::Left => report.stopped_early = true,
            }
        }
        after = page.next;
        if after.is_none() || report.stopped_early {
            return Ok(());
        }
    }
}

/// Makes the recurring invoices due by now, until `deadline`.
async fn recurring_invoices(
    state: &AppState,
    deadline: Instant,
    request: &RequestId,
    report: &mut Report,
) -> anyhow::Result<()> {
    let store = &state.store;
    let now = state.clock.now();
    let mut after = None;
    loop {
        let page = store
            .due(crate::store::keys::RECURRING_DUE, now, PAGE, after)
            .await?;
        // One account's schedules one after another (they take numbers from one series);
        // accounts at once.
        let accounts = by_account(page.due, RecurringInvoiceId::from_ulid);
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
            return Ok(());
        }
    }
}

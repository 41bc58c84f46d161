//! The scheduled pass of recurring invoices and payment reminders (the `schedules` function):
//! every schedule whose next period has come, found through the sparse index of due work,
//! makes its invoices (each period once, however passes overlap or repeat); then every open
//! invoice whose next reminder's day has come, found the same way, is looked at and reminded
//! (each stage at most once); last, every account's audit trail due for a look has its new
//! entries signed as a checkpoint ([`crate::app::trail`]). A pass stops before its deadline; the
//! next one finds what is left still due and carries on.
//!
//! The logs say how many schedules and invoices, never whose or what.

use std::future::Future;
use std::time::Instant;

use futures_util::StreamExt as _;

use crate::AppState;
use crate::app::recurring;
use crate::app::reminders::{self, Looked};
use crate::domain::TenantId;
use crate::domain::ids::{InvoiceId, RecurringInvoiceId};
use crate::domain::settings::Settings;
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
    /// Invoices reported overdue (`invoice.overdue`) as they fell due.
    pub reported_overdue: usize,
    /// Audit trails looked at for entries to sign.
    pub trails_looked_at: usize,
    /// Audit entries a new checkpoint covers.
    pub entries_signed: u64,
    /// Trails whose look failed (left due for the next pass).
    pub trails_failed: usize,
    /// Whether the pass stopped at its deadline with work left for the next.
    pub stopped_early: bool,
}

impl Report {
    /// This pass's report and the `next` pass's together (whether the last stopped early).
    pub fn and(self, next: Report) -> Report {
        Report {
            schedules: self.schedules + next.schedules,
            invoices: self.invoices + next.invoices,
            sent: self.sent + next.sent,
            send_pending: self.send_pending + next.send_pending,
            failed: self.failed + next.failed,
            invoices_looked_at: self.invoices_looked_at + next.invoices_looked_at,
            reminders_sent: self.reminders_sent + next.reminders_sent,
            reminders_withheld: self.reminders_withheld + next.reminders_withheld,
            reminders_failed: self.reminders_failed + next.reminders_failed,
            reported_overdue: self.reported_overdue + next.reported_overdue,
            trails_looked_at: self.trails_looked_at + next.trails_looked_at,
            entries_signed: self.entries_signed + next.entries_signed,
            trails_failed: self.trails_failed + next.trails_failed,
            stopped_early: next.stopped_early,
        }
    }
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
/// accounts never make the same period or send the same reminder (the guard items decide).
const AT_ONCE: usize = 8;

/// What became of one due item in a pass.
enum Outcome<T> {
    Worked(T),
    Failed,
    /// Its account is closed: nothing is done (its items wait for the purge).
    Closed,
    /// The deadline came first.
    Left,
}

/// Makes what is due by now, then sends the reminders due, until `deadline` (checked before
/// each schedule or invoice is begun).
pub async fn run(state: &AppState, deadline: Instant) -> anyhow::Result<Report> {
    let request = &RequestId::internal(format!("schedules-{}", ulid::Ulid::generate()));
    let mut report = Report::default();
    for outcome in walk::<Schedules>(state, deadline, request).await? {
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
    if report.stopped_early {
        return Ok(report);
    }
    for outcome in walk::<Overdue>(state, deadline, request).await? {
        match outcome {
            Outcome::Worked(reported) => report.reported_overdue += usize::from(reported),
            Outcome::Failed => report.reminders_failed += 1,
            Outcome::Closed => {}
            Outcome::Left => report.stopped_early = true,
        }
    }
    if report.stopped_early {
        return Ok(report);
    }
    for outcome in walk::<Reminders>(state, deadline, request).await? {
        match outcome {
            Outcome::Worked(looked) => {
                report.invoices_looked_at += 1;
                match looked {
                    Looked::Sent => report.reminders_sent += 1,
                    Looked::PassedOver(Some(_)) => report.reminders_withheld += 1,
                    Looked::PassedOver(None) | Looked::Nothing => {}
                }
            }
            Outcome::Failed => {
                report.invoices_looked_at += 1;
                report.reminders_failed += 1;
            }
            Outcome::Closed => {}
            Outcome::Left => report.stopped_early = true,
        }
    }
    if report.stopped_early {
        return Ok(report);
    }
    // Last, so what this pass wrote is signed by a later one.
    for outcome in walk::<Trails>(state, deadline, request).await? {
        match outcome {
            Outcome::Worked(sealed) => {
                report.trails_looked_at += 1;
                report.entries_signed += sealed.entries;
            }
            Outcome::Failed => {
                report.trails_looked_at += 1;
                report.trails_failed += 1;
            }
            Outcome::Closed => {}
            Outcome::Left => report.stopped_early = true,
        }
    }
    Ok(report)
}

/// A kind of work found in a partition of the index of due work.
trait DueWork {
    /// Its partition of the index.
    const PARTITION: &'static str;
    /// What the item's ULID names.
    type Id: std::fmt::Display + Send + Sync;
    /// What is read once per account for all its items.
    type Account: Send + Sync;
    type Done: Send;
    fn id(ulid: ulid::Ulid) -> Self::Id;
    fn account(
        state: &AppState,
        tenant: &TenantId,
    ) -> impl Future<Output = crate::app::Result<Self::Account>> + Send;
    fn work(
        state: &AppState,
        tenant: &TenantId,
        id: &Self::Id,
        account: &Self::Account,
        request: &RequestId,
    ) -> impl Future<Output = crate::app::Result<Self::Done>> + Send;
}

/// Recurring invoices whose next period has come.
struct Schedules;

impl DueWork for Schedules {
    const PARTITION: &'static str = keys::RECURRING_DUE;
    type Id = RecurringInvoiceId;
    type Account = ();
    type Done = recurring::Caught;

    fn id(ulid: ulid::Ulid) -> RecurringInvoiceId {
        RecurringInvoiceId::from_ulid(ulid)
    }

    async fn account(_: &AppState, _: &TenantId) -> crate::app::Result<()> {
        Ok(())
    }

    async fn work(
        state: &AppState,
        tenant: &TenantId,
        id: &RecurringInvoiceId,
        (): &(),
        request: &RequestId,
    ) -> crate::app::Result<recurring::Caught> {
        Box::pin(recurring::catch_up(state, tenant, id, request)).await
    }
}

/// Open invoices whose next reminder's day has come.
struct Reminders;

impl DueWork for Reminders {
    const PARTITION: &'static str = keys::REMINDERS_DUE;
    type Id = InvoiceId;
    /// The policy and the time zone.
    type Account = Settings;
    type Done = Looked;

    fn id(ulid: ulid::Ulid) -> InvoiceId {
        InvoiceId::from_ulid(ulid)
    }

    async fn account(state: &AppState, tenant: &TenantId) -> crate::app::Result<Settings> {
        reminders::settings(state, tenant).await
    }

    async fn work(
        state: &AppState,
        tenant: &TenantId,
        id: &InvoiceId,
        settings: &Settings,
        request: &RequestId,
    ) -> crate::app::Result<Looked> {
        Box::pin(reminders::look_at(state, tenant, id, settings, request)).await
    }
}

/// Accounts whose audit trail is due for a look: its new entries signed as a checkpoint.
struct Trails;

impl DueWork for Trails {
    const PARTITION: &'static str = keys::TRAILS_DUE;
    /// The entry names the account twice.
    type Id = TenantId;
    type Account = ();
    type Done = crate::app::trail::Sealed;

    fn id(ulid: ulid::Ulid) -> TenantId {
        TenantId::from_due_index(ulid)
    }

    async fn account(_: &AppState, _: &TenantId) -> crate::app::Result<()> {
        Ok(())
    }

    async fn work(
        state: &AppState,
        tenant: &TenantId,
        _: &TenantId,
        (): &(),
        _: &RequestId,
    ) -> crate::app::Result<crate::app::trail::Sealed> {
        Box::pin(crate::app::trail::catch_up(state, tenant)).await
    }
}

/// Issued invoices whose due moment has come: each reported overdue once, if still open.
struct Overdue;

impl DueWork for Overdue {
    const PARTITION: &'static str = keys::OVERDUE_DUE;
    type Id = InvoiceId;
    type Account = ();
    type Done = bool;

    fn id(ulid: ulid::Ulid) -> InvoiceId {
        InvoiceId::from_ulid(ulid)
    }

    async fn account(_: &AppState, _: &TenantId) -> crate::app::Result<()> {
        Ok(())
    }

    async fn work(
        state: &AppState,
        tenant: &TenantId,
        id: &InvoiceId,
        (): &(),
        request: &RequestId,
    ) -> crate::app::Result<bool> {
        Box::pin(reminders::report_overdue(state, tenant, id, request)).await
    }
}

/// Works on every entry of `W`'s partition due by now, a page at a time: accounts at once,
/// one account's items one after another (a series of numbers is the account's), until
/// `deadline`, checked before each item is begun.
async fn walk<W: DueWork>(
    state: &AppState,
    deadline: Instant,
    request: &RequestId,
) -> anyhow::Result<Vec<Outcome<W::Done>>> {
    let store = &state.store;
    let now = state.clock.now();
    let mut done = Vec::new();
    let mut after = None;
    loop {
        let page = store.due(W::PARTITION, now, PAGE, after).await?;
        let outcomes: Vec<Outcome<W::Done>> = futures_util::stream::iter(by_account(page.due))
            .map(|(tenant, ulids)| async move {
                if store.is_closed(&tenant).await? != Some(false) {
                    return Ok(vec![Outcome::Closed]);
                }
                let account = W::account(state, &tenant).await?;
                let mut outcomes = Vec::with_capacity(ulids.len());
                for ulid in ulids {
                    if Instant::now() >= deadline {
                        outcomes.push(Outcome::Left);
                        break;
                    }
                    let id = W::id(ulid);
                    outcomes.push(match W::work(state, &tenant, &id, &account, request).await {
                        Ok(worked) => Outcome::Worked(worked),
                        Err(error) => {
                            tracing::error!(target: "schedules", item = %id, error = %error, "due work failed");
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
        let left = outcomes.iter().any(|o| matches!(o, Outcome::Left));
        done.extend(outcomes);
        after = page.next;
        if after.is_none() || left {
            return Ok(done);
        }
    }
}

/// The due entries of one page, by account (in the order they came).
fn by_account(due: Vec<(TenantId, ulid::Ulid)>) -> Vec<(TenantId, Vec<ulid::Ulid>)> {
    let mut accounts: Vec<(TenantId, Vec<ulid::Ulid>)> = Vec::new();
    for (tenant, ulid) in due {
        match accounts.iter_mut().find(|(t, _)| *t == tenant) {
            Some((_, ulids)) => ulids.push(ulid),
            None => accounts.push((tenant, vec![ulid])),
        }
    }
    accounts
}

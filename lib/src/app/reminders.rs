//! Payment reminders (issue 25, decision 0023): the schedule's look at each open invoice whose
//! next stage's day has come, and the owner's reminder sent by hand.
//!
//! - An open invoice stands in the index of due work (`keys::REMINDERS_DUE`) at
//!   `reminder_check_at`, the start of its next stage's day, on its entry in the index of open
//!   invoices: paying it, crediting it in full or voiding it takes it out in the same write.
//! - Each look re-reads the invoice and sends nothing for one paid, credited in full, voided,
//!   paused by the owner, whose customer asked for none, or whose address is suppressed; then
//!   moves the entry to the next stage's day (or out, after the last).
//! - A stage is sent at most once, ever: its guard item (`REMINDED#<invoice>#<stage>`) is
//!   created before the message leaves, so a second look, an overlapping pass or the owner's
//!   click finds it and sends nothing. If the mail service fails, the guard is removed and the
//!   entry left where it is: the next pass tries again.
//! - After missed runs only the latest stage due is sent ([`ReminderPolicy::stage_due`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::customer::Customer;
use crate::domain::ids::InvoiceId;
use crate::domain::invoice::Invoice;
use crate::domain::reminders::{ReminderPolicy, SentReminder};
use crate::domain::sending::SendRequest;
use crate::domain::settings::Settings;
use crate::domain::time::Date;
use crate::domain::{TenantId, Timestamp};
use crate::render::{Kind, Printable, ReminderSheet, pdf};
use crate::store::{ConflictReason, StoreError, Stored, keys};
use crate::telemetry::RequestId;

use super::collection::{Render, current};
use super::documents::{answered, write_entries};
use super::idempotency::{self, Answer, Claim};
use super::race::{self, Attempt};
use super::sending::{Accepted, Reminding, deliver, id_ulid};
use super::{Acting, Error, Result, Scheduled, files, get, missing};

/// What a look at one invoice came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Looked {
    /// A reminder left.
    Sent,
    /// Nothing was due, or it was not sent (`Some`: why); the entry moved on.
    PassedOver(Option<String>),
    /// The invoice is no longer open, or another look moved it first: nothing to do.
    Nothing,
}

/// An invoice's reminders as the owner sees them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Reminders {
    /// Whether the account's policy sends reminders.
    pub enabled: bool,
    /// The owner paused this invoice's reminders.
    pub paused: bool,
    /// The customer asked for no reminders.
    pub customer_opted_out: bool,
    /// The day the next reminder is due (none: none will be, or none is due to be sent).
    pub next_reminder: Option<Date>,
    /// Why the last reminder due was not sent.
    pub problem: Option<String>,
    pub sent: Vec<SentReminder>,
}

/// The account's settings, which a pass reads once for an account's invoices.
pub async fn settings(state: &AppState, tenant: &TenantId) -> Result<Settings> {
    Ok(get::<Settings>(state, tenant, keys::settings(tenant))
        .await?
        .ok_or_else(|| missing("settings"))?
        .record)
}

/// The schedule's look at invoice `id`, whose entry in the index of reminders due came up.
pub async fn look_at(
    state: &AppState,
    tenant: &TenantId,
    id: &InvoiceId,
    settings: &Settings,
    request: &RequestId,
) -> Result<Looked> {
    let actor = Scheduled::new(*tenant, request.clone());
    let now = state.clock.now();
    let stored = current::<Invoice>(state, &actor, id, None).await?;
    let invoice = stored.record.clone().as_of(now);
    let (Some(due_at), Some(look)) = (invoice.due_at, invoice.reminder_check_at) else {
        return Ok(Looked::Nothing);
    };
    if !invoice.is_open() || look > now {
        return Ok(Looked::Nothing);
    }
    let policy = &settings.reminders;
    let days = invoice.days_overdue;
    let next = policy.next_look(due_at, days);
    let Some(stage) = policy.stage_due(days, &invoice.stages_sent()) else {
        return pass_over(state, &actor, id, None, next).await;
    };
    if invoice.reminders_paused {
        return pass_over(state, &actor, id, None, next).await;
    }
    if opted_out(state, &actor, &invoice).await? {
        let why = "The customer asked for no payment reminders.".to_owned();
        return pass_over(state, &actor, id, Some(why), next).await;
    }
    let sent = remind(
        state,
        &actor,
        &stored,
        id,
        (stage, false),
        settings,
        &Claim::none(),
        None,
    )
    .await;
    match sent {
        Ok(_) => Ok(Looked::Sent),
        Err(Error::Conflict(_)) => Ok(Looked::Nothing),
        // Refused for good (no address, a suppressed one): the owner is told on the invoice.
        Err(Error::Invalid(errors) | Error::UnprocessableFields(errors)) => {
            let why = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.detail))
                .collect::<Vec<_>>()
                .join("; ");
            pass_over(state, &actor, id, Some(why), next).await
        }
        Err(Error::MailService {
            retry: false,
            detail,
        }) => pass_over(state, &actor, id, Some(detail), next).await,
        Err(error) => Err(error),
    }
}

/// Whether the invoice's customer asked for no reminders (a deleted customer did not).
async fn opted_out(state: &AppState, actor: &impl Acting, invoice: &Invoice) -> Result<bool> {
    let Some(customer) = invoice.content.customer_id else {
        return Ok(false);
    };
    let customer = get::<Customer>(state, actor, keys::customer(actor.tenant(), &customer)).await?;
    Ok(customer.is_some_and(|c| c.record.no_reminders))
}

/// Moves the invoice's entry on to `next`, sending nothing (`problem`: why not).
async fn pass_over(
    state: &AppState,
    actor: &Scheduled,
    id: &InvoiceId,
    problem: Option<String>,
    next: Option<Timestamp>,
) -> Result<Looked> {
    let looked = Looked::PassedOver(problem.clone());
    race::with_retries(|| {
        let problem = problem.clone();
        async move {
            let before = current::<Invoice>(state, actor, id, None).await?;
            if !before.record.is_open() {
                return Ok(Attempt::Done(()));
            }
            let after = before.record.passed_over(problem, next);
            let mut tx = actor.transaction(&state.store).await?;
            let write = replace(&mut tx, id, &before, &after);
            race::commit(state, tx, &[write], ()).await
        }
    })
    .await?;
    Ok(looked)
}

/// `POST /v1/invoices/{id}/reminders`: the owner sends the next reminder now (the latest
/// stage due, else the one after the last sent), whatever the schedule and the policy's
/// switch; never one already sent.
pub async fn send_by_hand(
    state: &AppState,
    actor: &impl Acting,
    request: idempotency::Request<'_>,
    id: &InvoiceId,
    render: Render<Invoice>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        let now = state.clock.now();
        let settings = settings(state, actor.tenant()).await?;
        let stored = current::<Invoice>(state, actor, id, None).await?;
        let invoice = stored.record.clone().as_of(now);
        if !invoice.is_open() {
            return Err(Error::Conflict(
                "Only an issued invoice with something still due is reminded.",
            ));
        }
        if !invoice.overdue {
            return Err(Error::Conflict(
                "The invoice is not overdue yet: a reminder can be sent once its due date has passed.",
            ));
        }
        if opted_out(state, actor, &invoice).await? {
            return Err(Error::Conflict(
                "The customer asked for no payment reminders (see the customer's record).",
            ));
        }
        let Some(stage) = settings
            .reminders
            .stage_by_hand(invoice.days_overdue, &invoice.stages_sent())
        else {
            return Err(Error::Conflict(
                "Every reminder stage of the account's policy has been sent for this invoice.",
            ));
        };
        remind(
            state,
            actor,
            &stored,
            id,
            (stage, true),
            &settings,
            &claim,
            Some(render),
        )
        .await
    })
    .await
}

/// Sends reminder `stage` (by hand or not) for the invoice `stored` and records it; the
/// invoice's view as the answer.
#[allow(clippy::too_many_arguments)]
async fn remind(
    state: &AppState,
    actor: &impl Acting,
    stored: &Stored<Invoice>,
    id: &InvoiceId,
    (stage, by_hand): (usize, bool),
    settings: &Settings,
    claim: &Claim,
    render: Option<Render<Invoice>>,
) -> Result<crate::store::SavedResponse> {
    let now = state.clock.now();
    let invoice = stored.record.clone().as_of(now);
    let policy: &ReminderPolicy = &settings.reminders;
    let Some(stage_of_policy) = policy.stages.get(stage) else {
        return Err(Error::Conflict("The policy has no such reminder stage."));
    };
    let date = settings
        .time_zone
        .today(now)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("no date in the account's zone")))?;
    let charges = policy.charges(
        stage,
        &invoice.stages_sent(),
        invoice.amount_due,
        invoice.content.currency,
        invoice.days_overdue,
    );
    let level = u8::try_from(stage + 1).unwrap_or(u8::MAX);
    // The guard first: whatever happens next, this stage never leaves twice.
    let guard = keys::reminder_sent(actor.tenant(), id, stage);
    let mut tx = actor.transaction(&state.store).await?;
    tx.create(
        &guard,
        &crate::store::ReminderGuard {
            stage: level,
            at: now,
        },
    );
    match Box::pin(state.store.commit(tx)).await {
        Ok(()) => {}
        Err(StoreError::Conflict {
            reason: ConflictReason::AlreadyExists,
            ..
        }) => return Err(Error::Conflict("This reminder has been sent already.")),
        Err(error) => return Err(error.into()),
    }
    let sheet = ReminderSheet {
        stage: level,
        invoice_date: invoice.issue_date,
        charges: &charges,
        interest_percent: policy.interest_percent.map(|p| p.value()),
        message: stage_of_policy.message.as_ref().map(|m| m.as_str()),
    };
    let made = async {
        let pdf = files::invoice_printed(state, actor, id, |printable, _, _| {
            let doc = Printable {
                kind: Kind::Reminder,
                issue_date: date,
                mark: None,
                paid: None,
                due: Some(charges.total),
                created: now,
                ..*printable
            };
            pdf::reminder(&doc, &sheet)
        })
        .await?
        .map_err(|e| Error::Internal(anyhow::anyhow!("the reminder's PDF: {e}")))?;
        let name = format!(
            "{}-reminder-{level}.pdf",
            invoice.number.clone().unwrap_or_default()
        );
        let send = SendRequest {
            to: None,
            cc: Vec::new(),
            subject: stage_of_policy.subject.clone(),
            message: stage_of_policy.message.clone(),
        };
        let reminding = Reminding {
            days_overdue: invoice.days_overdue,
            claimed: charges.total,
            pdf: files::File {
                bytes: pdf,
                name,
                content_type: "application/pdf",
            },
        };
        deliver::<Invoice>(state, actor, id, &send, Some(reminding)).await
    }
    .await;
    let accepted = match made {
        Ok(accepted) => accepted,
        Err(error) => {
            // Nothing left: the stage may be sent again.
            let mut tx = actor.transaction(&state.store).await?;
            tx.remove(&guard);
            if let Err(undo) = Box::pin(state.store.commit(tx)).await {
                tracing::error!(error = %undo, "a reminder's guard was not removed");
            }
            return Err(error);
        }
    };
    let reminder = SentReminder {
        stage: level,
        date,
        at: now,
        by_hand,
        message_id: accepted.message_id.clone(),
        to: accepted.to.clone(),
        subject: accepted.subject.clone(),
        charges,
    };
    race::with_retries(|| {
        record(
            state, actor, id, &accepted, &reminder, policy, claim, render,
        )
    })
    .await
}

/// Records on the invoice that `reminder` left, moves its entry to the next stage's day, and
/// writes the audit entry.
#[allow(clippy::too_many_arguments)]
async fn record(
    state: &AppState,
    actor: &impl Acting,
    id: &InvoiceId,
    accepted: &Accepted,
    reminder: &SentReminder,
    policy: &ReminderPolicy,
    claim: &Claim,
    render: Option<Render<Invoice>>,
) -> Result<Attempt<crate::store::SavedResponse>> {
    let before = current::<Invoice>(state, actor, id, None).await?;
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    let days = before.record.clone().as_of(now).days_overdue;
    // Never earlier than the schedule would look anyway (a reminder by hand ahead of its day).
    let next = before
        .record
        .due_at
        .and_then(|due_at| policy.next_look(due_at, days.max(policy_day(policy, reminder))));
    let mut after = before.record.reminded(reminder.clone(), next);
    after.links.push(accepted.link.clone());
    let write = replace(&mut tx, id, &before, &after);
    tx.create_link(
        &accepted.link.digest,
        crate::store::LinkedKind::Invoice,
        id_ulid::<Invoice>(id)?,
        &accepted.link.id.to_string(),
        accepted.link.expires_at,
    );
    tx.emit(crate::domain::webhook::EventType::InvoiceReminded, id)
        .audit(&actor.audit("invoice.reminded", Some(id.to_string()), Outcome::Success));
    let version = before.version + 1;
    let body = match render {
        Some(render) => render(
            id,
            Stored {
                record: after,
                version,
                created_at: before.created_at,
                updated_at: now,
            },
        ),
        None => serde_json::Value::Null,
    };
    let response = answered(version, body);
    claim.complete(&mut tx, &response);
    race::commit(state, tx, &[write], response).await
}

/// Replaces the invoice `before` with `after` in `tx`, with its list entries (and so its place
/// in the index of reminders due); the write's index, contested by a concurrent change.
fn replace(
    tx: &mut crate::store::Tx,
    id: &InvoiceId,
    before: &Stored<Invoice>,
    after: &Invoice,
) -> usize {
    let tenant = *tx.tenant();
    let write = tx.len();
    tx.replace(&keys::invoice(&tenant, id), after, before.version);
    write_entries(tx, &tenant, id, Some(&before.record), Some(after));
    write
}

/// The day of the stage `reminder` was.
fn policy_day(policy: &ReminderPolicy, reminder: &SentReminder) -> u32 {
    policy
        .stages
        .get(usize::from(reminder.stage.saturating_sub(1)))
        .map_or(0, |stage| u32::from(stage.days.days()))
}

/// `POST /v1/invoices/{id}/reminders/pause` and `…/resume`: the owner stops or restarts the
/// schedule's reminders for one invoice.
pub async fn pause(
    state: &AppState,
    actor: &impl Acting,
    id: &InvoiceId,
    paused: bool,
    expected: Option<u64>,
    render: Render<Invoice>,
) -> Result<crate::store::SavedResponse> {
    race::with_retries(|| async move {
        let before = current::<Invoice>(state, actor, id, expected).await?;
        let mut tx = actor.transaction(&state.store).await?;
        let now = tx.now();
        let after = Invoice {
            reminders_paused: paused,
            ..before.record.clone()
        };
        let write = replace(&mut tx, id, &before, &after);
        let action = if paused {
            "invoice.reminders_paused"
        } else {
            "invoice.reminders_resumed"
        };
        tx.audit(&actor.audit(action, Some(id.to_string()), Outcome::Success));
        let version = before.version + 1;
        let response = answered(
            version,
            render(
                id,
                Stored {
                    record: after,
                    version,
                    created_at: before.created_at,
                    updated_at: now,
                },
            ),
        );
        // A change at a version the owner named is not retried on a race: it is stale.
        let contested: &[usize] = if expected.is_some() { &[] } else { &[write] };
        race::commit(state, tx, contested, response).await
    })
    .await
}

/// `GET /v1/invoices/{id}/reminders`: what was sent, and when the next is due.
pub async fn overview(state: &AppState, actor: &impl Acting, id: &InvoiceId) -> Result<Reminders> {
    let now = state.clock.now();
    let (stored, settings) = tokio::try_join!(
        current::<Invoice>(state, actor, id, None),
        settings(state, actor.tenant()),
    )?;
    let invoice = stored.record.as_of(now);
    let customer_opted_out = opted_out(state, actor, &invoice).await?;
    let policy = &settings.reminders;
    // The day the schedule next looks, which is a stage's day (today, if a pass is late).
    let next_reminder = invoice
        .reminder_check_at
        .filter(|_| {
            policy.enabled && invoice.is_open() && !invoice.reminders_paused && !customer_opted_out
        })
        .and_then(|at| settings.time_zone.today(at.max(now)));
    Ok(Reminders {
        enabled: policy.enabled,
        paused: invoice.reminders_paused,
        customer_opted_out,
        next_reminder,
        problem: invoice.reminder_problem.clone(),
        sent: invoice.reminders,
    })
}

/// The schedules pass at the moment an invoice falls due (its entry in the index's `OVERDUE`
/// partition): reports it overdue once (`invoice.overdue`, for webhooks and the audit trail)
/// if it is still open, and takes it out of that partition either way. Whether it reported.
pub async fn report_overdue(
    state: &AppState,
    tenant: &TenantId,
    id: &InvoiceId,
    request: &RequestId,
) -> Result<bool> {
    let actor = Scheduled::new(*tenant, request.clone());
    race::with_retries(|| {
        let actor = actor.clone();
        async move {
            let key = keys::invoice(tenant, id);
            let Some(before) = get::<Invoice>(state, &actor, key.clone()).await? else {
                return Ok(Attempt::Done(false));
            };
            let now = state.clock.now();
            let invoice = before.record.clone().as_of(now);
            let mut tx = actor.transaction(&state.store).await?;
            let write = tx.len();
            // Due later after all (never so today, but an entry is never left stale): it waits.
            let later = invoice
                .open_until()
                .filter(|due_at| *due_at > now)
                .map(|due_at| keys::overdue_due(tenant, id, due_at));
            tx.replace_due(&key, &before.record, before.version, later);
            if invoice.overdue {
                tx.emit(crate::domain::webhook::EventType::InvoiceOverdue, id)
                    .audit(&actor.audit("invoice.overdue", Some(id.to_string()), Outcome::Success));
            }
            race::commit(state, tx, &[write], invoice.overdue).await
        }
    })
    .await
}

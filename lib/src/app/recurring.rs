//! Recurring invoices: the owner's use cases (create, change, pause, resume, end) and the
//! scheduled pass that makes each period's invoice.
//!
//! - A period's invoice is created in one transaction with the guard item of (schedule,
//!   period), the schedule moved on (at the version read) and, when it is issued, its number
//!   and the running totals: a pass repeated, overlapping another or retried after a timeout
//!   finds the guard and makes nothing twice; numbers stay gapless.
//! - Only an active schedule whose next period has a date has an entry in the sparse index of
//!   due work (its next period's start in the account's time zone): the pass reads that index,
//!   never the table.

use crate::AppState;
use crate::audit::{self, Outcome};
use crate::domain::account::CompanyProfile;
use crate::domain::customer::Customer;
use crate::domain::ids::{InvoiceId, RecurringInvoiceId};
use crate::domain::invoice::Invoice;
use crate::domain::recurring::{
    Made, NewRecurringInvoice, Produce, RecurringInvoice, RecurringInvoicePatch, ScheduleStatus,
};
use crate::domain::sending::SendRequest;
use crate::domain::settings::Settings;
use crate::domain::{FieldError, TenantId};
use crate::store::{DueEntry, PeriodMade, Stored, keys};
use crate::telemetry::RequestId;

use super::collection::{Render, Resource, current};
use super::documents::{Loaded, Numbered, check_size, created, load, load_parts, write_entries};
use super::idempotency::{self, Answer};
use super::race::{self, Attempt};
use super::{Acting, Scheduled, numbering, sending};
use super::{Actor, Error, Result, Tenanted, get, missing, today_in, totals};

/// The entry of a schedule in the index of due work: its next period's start in the
/// account's time zone, while it is active and has one.
fn due_entry(
    tenant: &TenantId,
    id: &RecurringInvoiceId,
    schedule: &RecurringInvoice,
    settings: &Settings,
) -> Option<DueEntry> {
    let date = schedule.work_due()?;
    let start = settings.time_zone.start_of(date)?;
    Some(keys::recurring_due(tenant, id, start))
}

/// Checks that the template still makes an invoice: its customer exists and a draft of its
/// first period is valid (the same rules as any invoice's, naming the same fields).
async fn check_template(
    state: &AppState,
    actor: &(impl Tenanted + ?Sized),
    schedule: &RecurringInvoice,
) -> Result<Settings> {
    let template = &schedule.template;
    let loaded = load(
        state,
        actor,
        Some(template.customer_id),
        Some(&template.lines),
    )
    .await?;
    if loaded.customer.is_none() {
        return Err(Error::invalid(
            "customer_id",
            "no such customer in this account",
        ));
    }
    let first = schedule.next_due().unwrap_or(schedule.schedule.start);
    let draft = Invoice::draft(
        schedule.invoice(
            schedule.next_period,
            first,
            loaded.settings.payment_terms_days,
        ),
        &loaded.context(),
    )
    .map_err(Error::Invalid)?;
    check_size(&draft, "invoice")?;
    Ok(loaded.settings)
}

/// Creates a recurring invoice (active from its start).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    new: NewRecurringInvoice,
    render: Render<RecurringInvoice>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        let schedule = RecurringInvoice::new(new).map_err(Error::Invalid)?;
        let settings = check_template(state, actor, &schedule).await?;
        if schedule.schedule.start < today_in(state, &settings)? {
            return Err(Error::invalid(
                "schedule.start",
                "must be today or later: a schedule makes invoices from now on",
            ));
        }
        let id = RecurringInvoice::new_id();
        let mut tx = actor.transaction(&state.store).await?;
        let due = due_entry(actor.tenant(), &id, &schedule, &settings);
        let response = created(
            RecurringInvoice::PATH,
            &id,
            render(&id, Stored::created(schedule.clone(), tx.now())),
        );
        tx.create_due(
            &keys::recurring_invoice(actor.tenant(), &id),
            &schedule,
            due,
        );
        tx.audit(&actor.audit(
            RecurringInvoice::ACTIONS.create,
            Some(id.to_string()),
            Outcome::Success,
        ));
        claim.complete(&mut tx, &response);
        state.store.commit(tx).await?;
        Ok(response)
    })
    .await
}

/// What the owner does to a schedule.
pub enum Change {
    Patch(Box<RecurringInvoicePatch>),
    Move(ScheduleStatus),
}

impl Change {
    fn action(&self) -> &'static str {
        match self {
            Self::Patch(_) => RecurringInvoice::ACTIONS.update,
            Self::Move(ScheduleStatus::Active) => "recurring_invoice.resume",
            Self::Move(ScheduleStatus::Paused) => "recurring_invoice.pause",
            Self::Move(ScheduleStatus::Ended) => "recurring_invoice.end",
        }
    }
}

/// Changes a schedule (its future periods only), or pauses, resumes or ends it, at the
/// version `expected` names (any, when `None`).
pub async fn change(
    state: &AppState,
    actor: &Actor,
    id: &RecurringInvoiceId,
    expected: Option<u64>,
    change: Change,
) -> Result<Stored<RecurringInvoice>> {
    let before = current::<RecurringInvoice>(state, actor, id, expected).await?;
    let action = change.action();
    let next = match change {
        Change::Patch(patch) => before.record.patched(*patch).map_err(Error::Invalid)?,
        Change::Move(status) => before.record.moved(status).map_err(Error::Conflict)?,
    };
    let settings = if next.is_active() {
        check_template(state, actor, &next).await?
    } else {
        get::<Settings>(state, actor, keys::settings(actor.tenant()))
            .await?
            .ok_or_else(|| missing("settings"))?
            .record
    };
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    let due = due_entry(actor.tenant(), id, &next, &settings);
    tx.replace_due(
        &keys::recurring_invoice(actor.tenant(), id),
        &next,
        before.version,
        due,
    );
    tx.audit(&actor.audit(action, Some(id.to_string()), Outcome::Success));
    state.store.commit(tx).await?;
    Ok(Stored {
        record: next,
        version: before.version + 1,
        created_at: before.created_at,
        updated_at: now,
    })
}

/// What one step of a pass did for one schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Made the invoice of a period; `more`: whether the schedule has more to do now.
    Made {
        invoice: InvoiceId,
        produce: Produce,
        more: bool,
    },
    /// Skipped the periods before the latest (catch-up `latest`).
    Skipped,
    /// An invoice made is to be e-mailed before anything else.
    Send(Made),
    /// Nothing (more) is due, or the schedule stopped.
    Done,
}

/// What a pass did for one schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Caught {
    /// The invoices made, in period order, and what each was made as.
    pub made: Vec<(InvoiceId, Produce)>,
    /// Invoices e-mailed.
    pub sent: usize,
    /// Whether an invoice is left to e-mail because the mail service failed (the next pass
    /// tries again).
    pub send_pending: bool,
}

/// Makes every period of the schedule that is due (at most a pass's worth), each once.
pub async fn catch_up(
    state: &AppState,
    tenant: &TenantId,
    id: &RecurringInvoiceId,
    request: &RequestId,
) -> Result<Caught> {
    let mut caught = Caught::default();
    // Bounded: a pass's periods, one skip, and the last step that finds nothing due.
    for _ in 0..crate::domain::recurring::MAX_PERIODS_PER_PASS + 2 {
        match race::with_retries(|| step(state, tenant, id, request)).await? {
            Step::Made {
                invoice,
                produce,
                more,
            } => {
                caught.made.push((invoice, produce));
                if !more {
                    break;
                }
            }
            Step::Skipped => {}
            Step::Send(made) => {
                match Box::pin(send_made(state, tenant, id, made, request)).await? {
                    Mailed::Sent => caught.sent += 1,
                    Mailed::Refused => {}
                    Mailed::Pending => {
                        caught.send_pending = true;
                        break;
                    }
                }
            }
            Step::Done => break,
        }
        if caught.made.len() >= crate::domain::recurring::MAX_PERIODS_PER_PASS {
            break;
        }
    }
    Ok(caught)
}

/// One write of a pass: the next due period's invoice, a skip, a stop, or the index set right.
async fn step(
    state: &AppState,
    tenant: &TenantId,
    id: &RecurringInvoiceId,
    request: &RequestId,
) -> Result<Attempt<Step>> {
    let key = keys::recurring_invoice(tenant, id);
    let (schedule, settings, company) = tokio::try_join!(
        get::<RecurringInvoice>(state, tenant, key.clone()),
        get::<Settings>(state, tenant, keys::settings(tenant)),
        get::<CompanyProfile>(state, tenant, keys::company(tenant)),
    )?;
    let Some(before) = schedule else {
        return Ok(Attempt::Done(Step::Done));
    };
    if let Some(made) = before.record.to_send {
        return Ok(Attempt::Done(Step::Send(made)));
    }
    let settings = settings.ok_or_else(|| missing("settings"))?.record;
    let company = company.ok_or_else(|| missing("company profile"))?.record;
    let today = today_in(state, &settings)?;
    let due = before.record.due(today);
    let by_schedule = |action: &'static str, object: String| {
        audit::event(None, action, Some(object), Outcome::Success, request)
    };

    if let Some(n) = due.skip_to {
        let next = before.record.skipped_to(n);
        let mut tx = state.store.transaction(tenant).await?;
        tx.replace_due(
            &key,
            &next,
            before.version,
            due_entry(tenant, id, &next, &settings),
        );
        tx.audit(&by_schedule("recurring_invoice.skip", id.to_string()));
        return race::commit(state, tx, &[0], Step::Skipped).await;
    }
    let Some(&(n, date)) = due.periods.first() else {
        // Found through the index but not due (the time zone changed): set its entry right.
        let entry = due_entry(tenant, id, &before.record, &settings);
        let mut tx = state.store.transaction(tenant).await?;
        tx.replace_due(&key, &before.record, before.version, entry);
        return race::commit(state, tx, &[0], Step::Done).await;
    };

    let template = &before.record.template;
    // Settings and company are read already: only the customer and services are left.
    let (customer, services) = load_parts(
        state,
        tenant,
        Some(template.customer_id),
        Some(&template.lines),
    )
    .await?;
    let loaded = Loaded::of(state, settings.clone(), company.clone(), customer, services)?;
    let stop = |because: String| {
        let next = before.record.stopped(&because);
        let (key, version) = (key.clone(), before.version);
        let entry = by_schedule("recurring_invoice.stop", id.to_string());
        async move {
            let mut tx = state.store.transaction(tenant).await?;
            tx.replace_due(&key, &next, version, None);
            tx.audit(&entry);
            race::commit(state, tx, &[0], Step::Done).await
        }
    };
    let Some(customer) = loaded.customer.clone() else {
        return stop("Its customer was deleted: choose another customer, then resume it.".into())
            .await;
    };
    let draft = match Invoice::draft(
        before.record.invoice(n, date, settings.payment_terms_days),
        &loaded.context(),
    ) {
        Ok(draft) => Invoice {
            recurring_invoice_id: Some(*id),
            ..draft
        },
        Err(errors) => return stop(refusal(&errors)).await,
    };

    let mut tx = state.store.transaction(tenant).await?;
    let now = tx.now();
    let invoice_id = InvoiceId::generate();
    let next = before.record.made(n, date, invoice_id);
    // The guard and the schedule: a concurrent pass that made this period first is a race,
    // and the retry reads the schedule moved on.
    let mut contested = vec![tx.len()];
    tx.create(
        &keys::period_made(tenant, id, n),
        &PeriodMade { invoice_id },
    );
    contested.push(tx.len());
    tx.replace_due(
        &key,
        &next,
        before.version,
        due_entry(tenant, id, &next, &settings),
    );

    let invoice = if before.record.produce == Produce::Draft {
        draft
    } else {
        let issued = issue(state, tenant, &draft, (&company, &customer), &settings, now).await;
        let (issued, reserved, mut ledger) = match issued {
            Ok(issued) => issued,
            Err(Error::Invalid(errors) | Error::UnprocessableFields(errors)) => {
                return stop(refusal(&errors)).await;
            }
            Err(other) => return Err(other),
        };
        contested.extend(reserved.take(&mut tx));
        ledger.invoice_changed(None, &issued);
        contested.extend(ledger.write(&mut tx));
        issued
    };
    check_size(&invoice, "invoice")?;
    {
        use super::documents::Listed as _;
        tx.create_due(
            &keys::invoice(tenant, &invoice_id),
            &invoice,
            invoice.falls_due(tenant, &invoice_id),
        );
    }
    if before.record.produce != Produce::Draft {
        tx.emit(crate::domain::webhook::EventType::InvoiceIssued, invoice_id);
    }
    write_entries(&mut tx, tenant, &invoice_id, None, Some(&invoice));
    tx.audit(&by_schedule(
        "recurring_invoice.made",
        format!("{id} {invoice_id}"),
    ));
    race::commit(
        state,
        tx,
        &contested,
        Step::Made {
            invoice: invoice_id,
            produce: before.record.produce,
            more: next.to_send.is_some() || !next.due(today).periods.is_empty(),
        },
    )
    .await
}

/// The draft numbered as it is issued, with the number to take and the totals it moves.
async fn issue(
    state: &AppState,
    tenant: &TenantId,
    draft: &Invoice,
    parties: (&CompanyProfile, &Customer),
    settings: &Settings,
    now: crate::domain::Timestamp,
) -> Result<(Invoice, numbering::Reserved, totals::Ledger)> {
    draft.content.complete("invoice").map_err(Error::Invalid)?;
    draft
        .content
        .check_parties(parties.0, parties.1)
        .and_then(|()| draft.content.check_small_business(settings))
        .map_err(Error::UnprocessableFields)?;
    let (reserved, ledger) = tokio::try_join!(
        numbering::reserve(
            state,
            tenant,
            <Invoice as Numbered>::SERIES,
            numbering::prefix(settings, <Invoice as Numbered>::SERIES),
            draft.issue_date,
        ),
        totals::read(state, tenant),
    )?;
    let issued = draft
        .numbered(reserved.number.clone(), parties, settings, now)
        .map_err(Error::Invalid)?;
    Ok((issued, reserved, ledger))
}

/// Why a schedule stopped when its template no longer makes an invoice.
fn refusal(errors: &[FieldError]) -> String {
    let first = errors
        .first()
        .map(|e| format!("{}: {}", e.field, e.detail))
        .unwrap_or_default();
    format!("Its invoice could not be made ({first}): change it, then resume it.")
}

/// What became of an invoice made to be e-mailed.
enum Mailed {
    Sent,
    /// Refused for good (no address, a suppressed one): the schedule says why.
    Refused,
    /// The mail service failed: the next pass tries again.
    Pending,
}

/// E-mails an invoice the schedule made, as the owner's send would, under a key of its own
/// (schedule, period): however passes repeat, one message.
async fn send_made(
    state: &AppState,
    tenant: &TenantId,
    id: &RecurringInvoiceId,
    made: Made,
    request: &RequestId,
) -> Result<Mailed> {
    let actor = Scheduled::new(*tenant, request.clone());
    let key = format!("recurring-{id}-{}", made.period);
    let path = format!("/v1/invoices/{}/send", made.invoice_id);
    let request = idempotency::Request {
        key: Some(&key),
        method: "POST",
        path: &path,
        body: b"",
    };
    let sent = sending::send::<Invoice>(
        state,
        &actor,
        request,
        &made.invoice_id,
        SendRequest::default(),
        |_, _| serde_json::Value::Null,
    )
    .await;
    let problem = match sent {
        Ok(_) => None,
        Err(Error::MailService { .. }) => return Ok(Mailed::Pending),
        Err(Error::Invalid(errors) | Error::UnprocessableFields(errors)) => Some(
            errors
                .first()
                .map(|e| format!("It could not be e-mailed ({}: {}).", e.field, e.detail))
                .unwrap_or_default(),
        ),
        Err(Error::Unprocessable(why) | Error::Conflict(why)) => Some(why.to_owned()),
        Err(Error::NotFound) => Some("The invoice is gone.".to_owned()),
        Err(other) => return Err(other),
    };
    race::with_retries(|| async {
        let key = keys::recurring_invoice(tenant, id);
        let (schedule, settings) = tokio::try_join!(
            get::<RecurringInvoice>(state, tenant, key.clone()),
            get::<Settings>(state, tenant, keys::settings(tenant)),
        )?;
        let Some(before) = schedule.filter(|s| s.record.to_send == Some(made)) else {
            return Ok(Attempt::Done(()));
        };
        let settings = settings.ok_or_else(|| missing("settings"))?.record;
        let next = before.record.sent(problem.clone());
        let mut tx = state.store.transaction(tenant).await?;
        tx.replace_due(
            &key,
            &next,
            before.version,
            due_entry(tenant, id, &next, &settings),
        );
        if problem.is_some() {
            tx.audit(&actor.audit(
                "recurring_invoice.not_sent",
                Some(format!("{id} {}", made.invoice_id)),
                Outcome::Refused,
            ));
        }
        race::commit(state, tx, &[0], ()).await
    })
    .await?;
    Ok(if problem.is_some() {
        Mailed::Refused
    } else {
        Mailed::Sent
    })
}

//! Payments (DESIGN §7): record one against an issued invoice, or take back one recorded by
//! mistake; and the account's summary of what is owed to it.
//!
//! A payment, the invoice's balance and status, its list entries, the running totals and the
//! audit item change in one transaction, conditioned on the versions of the invoice and the
//! totals that were read: of two concurrent payments on one invoice, the second is a race and
//! is tried again on fresh reads, where the amount due has already fallen. So payments can
//! never exceed what is due, whatever the interleaving.

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::ids::{InvoiceId, PaymentId};
use crate::domain::invoice::InvoiceSummary;
use crate::domain::payment::{NewPayment, Payment, PaymentError};
use crate::domain::settings::Settings;
use crate::domain::summary::AccountSummary;
use crate::store::{Stored, keys};

use super::collection::{Render, Resource, current};
use super::documents::{created, write_entries};
use super::idempotency::{self, Answer};
use super::race::{self, Attempt};
use super::totals;
use super::{Actor, Error, Result};
use super::{get, missing, today_in};

/// Records a payment against an issued or partly paid invoice.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    invoice_id: &InvoiceId,
    new: NewPayment,
    render: Render<Payment>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        race::with_retries(|| try_record(state, actor, invoice_id, &new, &claim, render)).await
    })
    .await
}

async fn try_record(
    state: &AppState,
    actor: &Actor,
    invoice_id: &InvoiceId,
    new: &NewPayment,
    claim: &idempotency::Claim,
    render: Render<Payment>,
) -> Result<Attempt> {
    let tenant = actor.tenant();
    let invoice_key = keys::invoice(tenant, invoice_id);
    let totals::Books {
        invoice,
        today,
        mut ledger,
        ..
    } = totals::books(state, actor, invoice_id).await?;
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    let (payment, after) = Payment::record(&invoice.record, *invoice_id, new, today, now).map_err(
        |error| match error {
            PaymentError::NotPayable(why) => Error::Conflict(why),
            PaymentError::Refused(field) => Error::UnprocessableFields(vec![field]),
            PaymentError::Invalid(field) => Error::Invalid(vec![field]),
        },
    )?;
    let id = PaymentId::generate();
    let invoice_write = tx.len();
    tx.replace(&invoice_key, &after, invoice.version);
    let mut contested = vec![invoice_write];
    ledger.invoice_changed(Some(&invoice.record), &after);
    ledger.received(
        payment.currency,
        payment.date,
        payment.amount.value(),
        today,
    );
    contested.extend(ledger.write(&mut tx));
    tx.create(&keys::payment(tenant, &id), &payment);
    write_entries(&mut tx, tenant, &id, None, Some(&payment));
    write_entries(
        &mut tx,
        tenant,
        invoice_id,
        Some(&invoice.record),
        Some(&after),
    );
    tx.emit(crate::domain::webhook::EventType::PaymentRecorded, id);
    if after.status == crate::domain::invoice::InvoiceStatus::Paid
        && invoice.record.status != crate::domain::invoice::InvoiceStatus::Paid
    {
        tx.emit(crate::domain::webhook::EventType::InvoicePaid, invoice_id);
    }
    tx.audit(&actor.audit(
        Payment::ACTIONS.create,
        Some(id.to_string()),
        Outcome::Success,
    ));
    let response = created(
        Payment::PATH,
        &id,
        render(&id, Stored::created(payment, now)),
    );
    claim.complete(&mut tx, &response);
    race::commit(state, tx, &contested, response).await
}

/// Deletes a payment recorded by mistake: its invoice's balance and status, and the totals,
/// are as if it had never been recorded.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    id: &PaymentId,
    expected: Option<u64>,
) -> Result<()> {
    race::with_retries(|| try_delete(state, actor, id, expected)).await
}

async fn try_delete(
    state: &AppState,
    actor: &Actor,
    id: &PaymentId,
    expected: Option<u64>,
) -> Result<Attempt<()>> {
    let tenant = actor.tenant();
    let payment = current::<Payment>(state, actor, id, expected).await?;
    let invoice_key = keys::invoice(tenant, &payment.record.invoice_id);
    let totals::Books {
        invoice,
        today,
        mut ledger,
        ..
    } = totals::books(state, actor, &payment.record.invoice_id)
        .await
        .map_err(|error| match error {
            Error::NotFound => missing("invoice of a payment"),
            other => other,
        })?;
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    let after = invoice.record.unpaid(payment.record.amount, now);
    let invoice_write = tx.len();
    tx.replace(&invoice_key, &after, invoice.version);
    let mut contested = vec![invoice_write];
    ledger.invoice_changed(Some(&invoice.record), &after);
    ledger.received(
        payment.record.currency,
        payment.record.date,
        -payment.record.amount.value(),
        today,
    );
    contested.extend(ledger.write(&mut tx));
    tx.delete(&keys::payment(tenant, id), payment.version);
    write_entries::<Payment>(&mut tx, tenant, id, Some(&payment.record), None);
    write_entries(
        &mut tx,
        tenant,
        &payment.record.invoice_id,
        Some(&invoice.record),
        Some(&after),
    );
    tx.emit(crate::domain::webhook::EventType::PaymentDeleted, id);
    tx.audit(&actor.audit(
        Payment::ACTIONS.delete,
        Some(id.to_string()),
        Outcome::Success,
    ));
    race::commit(state, tx, &contested, ()).await
}

/// The account's summary: the running totals, the overdue invoices from the index of open
/// invoices by due date, and today from the settings, read in parallel.
pub async fn summary(state: &AppState, actor: &Actor) -> Result<AccountSummary> {
    let tenant = actor.tenant();
    let now = state.clock.now();
    let overdue = async {
        let listing = keys::overdue_invoices(now);
        let mut overdue = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = Box::pin(state.store.list_entries::<InvoiceSummary>(
                tenant,
                &listing,
                100,
                cursor.as_deref(),
                |_| true,
            ))
            .await?;
            overdue.extend(page.items.into_iter().map(|(_, stored)| stored.record));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok::<_, Error>(overdue)
    };
    let (settings, ledger, overdue) = tokio::try_join!(
        get::<Settings>(state, actor, keys::settings(tenant)),
        totals::read(state, actor),
        overdue,
    )?;
    let today = today_in(state, &settings.ok_or_else(|| missing("settings"))?.record)?;
    Ok(ledger.totals().summary(today, &overdue))
}

//! Invoices: void an issued one; credit it with a credit note. Drafts are created, changed,
//! deleted and issued by the use cases every document shares (`app::documents`).
//!
//! Each use case reads what it needs in parallel and commits one transaction holding the
//! invoice, its list entries, the audit item and, under an `Idempotency-Key`, the saved
//! response.

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::credit_note::{CreditError, CreditNote, NewCreditNote};
use crate::domain::ids::{CreditNoteId, InvoiceId};
use crate::domain::invoice::{Invoice, InvoiceStatus};
use crate::domain::link::Tracked;
use crate::domain::values::DocumentText;
use crate::store::{Stored, keys};

use super::collection::Render;
use super::collection::current;
use super::documents::{answered, created, write_entries};
use super::idempotency::{self, Answer};
use super::numbering::{self, Series};
use super::race::{self, Attempt};
use super::totals;
use super::{Actor, Error, Result};

/// Voids an issued invoice: it keeps its number and owes nothing. One with payments cannot be
/// voided (its payments are deleted first, or it is credited).
pub async fn void(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    id: &InvoiceId,
    reason: DocumentText,
    render: Render<Invoice>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        race::with_retries(|| try_void(state, actor, id, &reason, &claim, render)).await
    })
    .await
}

async fn try_void(
    state: &AppState,
    actor: &Actor,
    id: &InvoiceId,
    reason: &DocumentText,
    claim: &idempotency::Claim,
    render: Render<Invoice>,
) -> Result<Attempt> {
    let (before, mut ledger) = tokio::try_join!(
        current::<Invoice>(state, actor, id, None),
        totals::read(state, actor),
    )?;
    match before.record.status {
        InvoiceStatus::Issued => {}
        InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid => {
            return Err(Error::Conflict(
                "An invoice with payments cannot be voided: delete its payments first, or issue a credit note.",
            ));
        }
        InvoiceStatus::Draft | InvoiceStatus::Void => {
            return Err(Error::Conflict(
                "Only an issued invoice can be voided; a draft is deleted instead.",
            ));
        }
    }
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    // A void invoice is owed by no one: its page closes with it.
    let (voided, links) = before.record.voided(reason.clone(), now).links_revoked(now);
    let invoice_write = tx.len();
    tx.replace(&keys::invoice(actor.tenant(), id), &voided, before.version);
    for digest in &links {
        tx.revoke_link(digest);
    }
    let mut contested = vec![invoice_write];
    ledger.invoice_changed(Some(&before.record), &voided);
    contested.extend(ledger.write(&mut tx));
    write_entries(
        &mut tx,
        actor.tenant(),
        id,
        Some(&before.record),
        Some(&voided),
    );
    tx.emit(crate::domain::webhook::EventType::InvoiceVoided, id)
        .audit(&actor.audit("invoice.void", Some(id.to_string()), Outcome::Success));
    let response = answered(
        before.version + 1,
        render(
            id,
            Stored {
                record: voided,
                version: before.version + 1,
                created_at: before.created_at,
                updated_at: now,
            },
        ),
    );
    claim.complete(&mut tx, &response);
    race::commit(state, tx, &contested, response).await
}

/// Issues a credit note against an issued invoice, at once: numbered in its own series, never
/// more than the invoice's total less earlier credits; the invoice's amount credited and amount
/// due change in the same transaction.
pub async fn credit(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    invoice_id: &InvoiceId,
    new: NewCreditNote,
    render: Render<CreditNote>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        race::with_retries(|| try_credit(state, actor, invoice_id, &new, &claim, render)).await
    })
    .await
}

async fn try_credit(
    state: &AppState,
    actor: &Actor,
    invoice_id: &InvoiceId,
    new: &NewCreditNote,
    claim: &idempotency::Claim,
    render: Render<CreditNote>,
) -> Result<Attempt> {
    let tenant = actor.tenant();
    let invoice_key = keys::invoice(tenant, invoice_id);
    let totals::Books {
        invoice,
        settings,
        today,
        mut ledger,
    } = totals::books(state, actor, invoice_id).await?;
    if !matches!(
        invoice.record.status,
        InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid
    ) {
        return Err(Error::Conflict(
            "Only an issued invoice can be credited; a draft can still be changed.",
        ));
    }
    let reserved = numbering::reserve(
        state,
        actor,
        Series::CreditNote,
        numbering::prefix(&settings, Series::CreditNote),
        today,
    )
    .await?;
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    let note = CreditNote::against(
        &invoice.record,
        *invoice_id,
        new,
        reserved.number.clone(),
        today,
        now,
    )
    .map_err(|error| match error {
        CreditError::Invalid(errors) => Error::Invalid(errors),
        CreditError::AboveCreditable { creditable, asked } => Error::unprocessable(
            "lines",
            format!(
                "credits {asked} {}, but only {creditable} is left to credit on the invoice",
                invoice.record.content.currency
            ),
        ),
    })?;
    let id = CreditNoteId::generate();
    let credited = invoice.record.credited(note.content.total, now);
    let invoice_write = tx.len();
    tx.replace(&invoice_key, &credited, invoice.version);
    let mut contested = vec![invoice_write];
    contested.extend(reserved.take(&mut tx));
    ledger.invoice_changed(Some(&invoice.record), &credited);
    contested.extend(ledger.write(&mut tx));
    tx.create(&keys::credit_note(tenant, &id), &note);
    write_entries(&mut tx, tenant, &id, None, Some(&note));
    write_entries(
        &mut tx,
        actor.tenant(),
        invoice_id,
        Some(&invoice.record),
        Some(&credited),
    );
    tx.emit(crate::domain::webhook::EventType::CreditNoteIssued, id)
        .audit(&actor.audit("credit_note.create", Some(id.to_string()), Outcome::Success));
    let response = created(
        "/v1/credit-notes",
        &id,
        render(&id, Stored::created(note, now)),
    );
    claim.complete(&mut tx, &response);
    race::commit(state, tx, &contested, response).await
}

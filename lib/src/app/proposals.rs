//! Proposals: create, change and delete a draft; send it (numbered, gapless, both parties
//! snapshot); accept or decline a sent one; convert an accepted one, once, into a draft
//! invoice linked both ways.

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::account::CompanyProfile;
use crate::domain::customer::Customer;
use crate::domain::ids::{InvoiceId, ProposalId};
use crate::domain::invoice::Invoice;
use crate::domain::proposal::{Proposal, ProposalStatus};
use crate::domain::settings::Settings;
use crate::domain::values::DocumentText;
use crate::store::{Stored, keys};

use super::documents::{answered, created, current, get, missing, write_entries};
use super::idempotency::{self, Answer};
use super::numbering::{self, Attempt, Series};
use super::{Actor, Error, FieldError, Result};

/// How the API shows a proposal (as of now: expired once its validity has passed).
pub type Render = fn(&ProposalId, Stored<Proposal>) -> serde_json::Value;

/// How the API shows the invoice a conversion creates.
pub type RenderInvoice = fn(&InvoiceId, Stored<Invoice>) -> serde_json::Value;

/// Sends a draft: the next number of the proposal series (gapless, as invoices), both parties
/// snapshot, acceptable until the end of `valid_until` in the account's time zone.
pub async fn send(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    id: &ProposalId,
    render: Render,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        numbering::with_retries(|| try_send(state, actor, id, &claim, render)).await
    })
    .await
}

async fn try_send(
    state: &AppState,
    actor: &Actor,
    id: &ProposalId,
    claim: &idempotency::Claim,
    render: Render,
) -> Result<Attempt> {
    let tenant = actor.tenant();
    let key = keys::proposal(tenant, id);
    let (before, settings, company) = tokio::try_join!(
        get::<Proposal>(state, actor, key.clone()),
        get::<Settings>(state, actor, keys::settings(tenant)),
        get::<CompanyProfile>(state, actor, keys::company(tenant)),
    )?;
    let before = before.ok_or(Error::NotFound)?;
    let settings = settings.ok_or_else(|| missing("settings"))?.record;
    let company = company.ok_or_else(|| missing("company profile"))?.record;
    if before.record.status != ProposalStatus::Draft {
        return Err(Error::Conflict("Only a draft proposal can be sent."));
    }
    before.record.sendable().map_err(Error::Invalid)?;
    let now = state.clock.now();
    let expires_at = settings
        .time_zone
        .end_of(before.record.valid_until)
        .ok_or_else(|| missing("time zone"))?;
    if expires_at <= now {
        return Err(Error::invalid(
            "valid_until",
            "has passed: give the proposal a later valid_until before sending it",
        ));
    }
    let customer_id = before
        .record
        .content
        .customer_id
        .ok_or_else(|| Error::invalid("customer_id", "required"))?;
    let (customer, reserved) = tokio::try_join!(
        get::<Customer>(state, actor, keys::customer(tenant, &customer_id)),
        numbering::reserve(
            state,
            actor,
            Series::Proposal,
            settings.proposal_number_prefix.as_str(),
            before.record.issue_date,
        ),
    )?;
    let customer = customer
        .ok_or_else(|| Error::invalid("customer_id", "the customer no longer exists"))?
        .record;
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    let sent = before.record.sent(
        reserved.number.clone(),
        &company,
        &customer,
        now,
        expires_at,
    );
    let proposal_write = tx.len();
    tx.replace(&key, &sent, before.version);
    let counter_write = reserved.take(&mut tx);
    write_entries(&mut tx, tenant, id, Some(&before.record), Some(&sent));
    tx.audit(&actor.audit("proposal.send", Some(id.to_string()), Outcome::Success));
    let response = answered(
        before.version + 1,
        render(
            id,
            Stored {
                record: sent,
                version: before.version + 1,
                created_at: before.created_at,
                updated_at: now,
            },
        ),
    );
    claim.complete(&mut tx, &response);
    numbering::commit(state, tx, &[proposal_write, counter_write], response).await
}

/// What a customer's answer to a sent proposal is.
pub enum Answering {
    Accept,
    Decline(DocumentText),
}

/// Records the customer's answer to a sent proposal. An expired proposal cannot be accepted.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    id: &ProposalId,
    answering: Answering,
    render: Render,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        let before = current::<Proposal>(state, actor, id, None).await?;
        let now = state.clock.now();
        if before.record.status != ProposalStatus::Sent {
            return Err(Error::Conflict(
                "Only a sent proposal can be accepted or declined.",
            ));
        }
        let (next, action) = match answering {
            Answering::Accept if before.record.is_expired(now) => {
                return Err(Error::Conflict(
                    "The proposal has expired: its validity ended before it was accepted.",
                ));
            }
            Answering::Accept => (before.record.accepted(now), "proposal.accept"),
            Answering::Decline(reason) => (before.record.declined(reason, now), "proposal.decline"),
        };
        let mut tx = actor.transaction(&state.store).await?;
        tx.replace(&keys::proposal(actor.tenant(), id), &next, before.version);
        write_entries(
            &mut tx,
            actor.tenant(),
            id,
            Some(&before.record),
            Some(&next),
        );
        tx.audit(&actor.audit(action, Some(id.to_string()), Outcome::Success));
        let response = answered(
            before.version + 1,
            render(
                id,
                Stored {
                    record: next,
                    version: before.version + 1,
                    created_at: before.created_at,
                    updated_at: tx.now(),
                },
            ),
        );
        claim.complete(&mut tx, &response);
        state.store.commit(tx).await?;
        Ok(response)
    })
    .await
}

/// Converts an accepted proposal into one draft invoice with the same customer, currency,
/// terms and lines, linked both ways. A second conversion answers 409 naming the invoice.
pub async fn convert(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    id: &ProposalId,
    render: RenderInvoice,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        let tenant = actor.tenant();
        let (before, settings) = tokio::try_join!(
            current::<Proposal>(state, actor, id, None),
            get::<Settings>(state, actor, keys::settings(tenant)),
        )?;
        let settings = settings.ok_or_else(|| missing("settings"))?.record;
        if let Some(invoice) = before.record.invoice_id {
            return Err(Error::ConflictField(FieldError::new(
                "invoice_id",
                format!("The proposal was already converted into invoice {invoice}."),
            )));
        }
        if before.record.status != ProposalStatus::Accepted {
            return Err(Error::Conflict(
                "Only an accepted proposal can be converted into an invoice.",
            ));
        }
        let today = settings
            .time_zone
            .today(state.clock.now())
            .ok_or_else(|| missing("time zone"))?;
        let invoice_id = InvoiceId::generate();
        let invoice = Invoice::from_proposal(
            *id,
            before.record.content.clone(),
            today,
            settings.payment_terms_days.days(),
        );
        let converted = before.record.converted(invoice_id);
        let mut tx = actor.transaction(&state.store).await?;
        let now = tx.now();
        tx.replace(&keys::proposal(tenant, id), &converted, before.version)
            .create(&keys::invoice(tenant, &invoice_id), &invoice);
        write_entries(&mut tx, tenant, id, Some(&before.record), Some(&converted));
        write_entries(&mut tx, tenant, &invoice_id, None, Some(&invoice));
        tx.audit(&actor.audit("proposal.convert", Some(id.to_string()), Outcome::Success));
        let response = created(
            "/v1/invoices",
            &invoice_id,
            render(&invoice_id, Stored::created(invoice, now)),
        );
        claim.complete(&mut tx, &response);
        state.store.commit(tx).await?;
        Ok(response)
    })
    .await
}

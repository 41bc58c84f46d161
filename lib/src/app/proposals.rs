//! Proposals: the customer's answer to a sent one (accept, decline), and the conversion of an
//! accepted one, once, into a draft invoice linked both ways. Drafts are created, changed,
//! deleted and sent by the use cases every document shares (`app::documents`).

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::ids::{InvoiceId, ProposalId};
use crate::domain::invoice::Invoice;
use crate::domain::proposal::{Proposal, ProposalStatus};
use crate::domain::settings::Settings;
use crate::domain::values::DocumentText;
use crate::store::{Stored, keys};

use super::collection::Render;
use super::collection::current;
use super::documents::{answered, created, write_entries};
use super::idempotency::{self, Answer};
use super::{Actor, Error, FieldError, Result};
use super::{get, missing, today_in};

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
    render: Render<Proposal>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        let before = current::<Proposal>(state, actor, id, None).await?;
        let now = state.clock.now();
        if before.record.status != ProposalStatus::Sent {
            return Err(Error::Conflict(
                "Only a sent proposal can be accepted or declined.",
            ));
        }
        let (next, action, event) = match answering {
            Answering::Accept if before.record.is_expired(now) => {
                return Err(Error::Conflict(
                    "The proposal has expired: its validity ended before it was accepted.",
                ));
            }
            Answering::Accept => (
                before.record.accepted(now),
                "proposal.accept",
                crate::domain::webhook::EventType::ProposalAccepted,
            ),
            Answering::Decline(reason) => (
                before.record.declined(reason, now),
                "proposal.decline",
                crate::domain::webhook::EventType::ProposalDeclined,
            ),
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
        tx.emit(event, id)
            .audit(&actor.audit(action, Some(id.to_string()), Outcome::Success));
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
    render: Render<Invoice>,
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
        let today = today_in(state, &settings)?;
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

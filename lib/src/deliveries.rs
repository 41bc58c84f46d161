//! The `deliveries` function: what happened to the messages the account sent. Amazon SES
//! publishes each message's events (delivery, bounce, complaint, reject) to EventBridge through
//! the sending configuration set; a rule hands them here. Each is recorded on its document's
//! delivery history and in the audit trail; a permanent bounce or a complaint suppresses the
//! address for the account, so later sends to it are refused until the owner clears it.
//!
//! A message names its document by the tags the send put on it (`tenant`, `kind`, `document`):
//! the function reads nothing else to find it. Events arrive at least once and in any order, so
//! one already recorded is skipped.

use serde::Deserialize;

use crate::AppState;
use crate::app::collection::current;
use crate::app::sending::{Mailable, TAG_DOCUMENT, TAG_KIND, TAG_TENANT};
use crate::app::suppressions::address_mac;
use crate::audit::{self, Outcome};
use crate::domain::TenantId;
use crate::domain::credit_note::CreditNote;
use crate::domain::invoice::Invoice;
use crate::domain::link::{Delivery, DeliveryEvent, Suppression, SuppressionReason, Tracked};
use crate::domain::proposal::Proposal;
use crate::domain::values::EmailAddress;
use crate::store::{ConflictReason, StoreError, keys};
use crate::telemetry::RequestId;

/// The function's name (its crate, binary and sample events).
pub const FUNCTION: &str = "deliveries";

/// The most recipients of one event that are recorded (SES's own limit per message).
const MAX_RECIPIENTS: usize = 50;

/// An SES event as EventBridge delivers it (only what is read of it).
#[derive(Debug, Clone, Deserialize)]
pub struct SesEvent {
    pub id: String,
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    pub source: String,
    pub detail: Detail,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    pub event_type: String,
    pub mail: Mail,
    #[serde(default)]
    pub bounce: Option<Bounce>,
    #[serde(default)]
    pub complaint: Option<Complaint>,
    #[serde(default)]
    pub delivery: Option<Deliveried>,
    #[serde(default)]
    pub reject: Option<Reject>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mail {
    pub message_id: String,
    #[serde(default)]
    pub tags: std::collections::HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bounce {
    pub bounce_type: String,
    #[serde(default)]
    pub bounce_sub_type: String,
    #[serde(default)]
    pub bounced_recipients: Vec<Recipient>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Complaint {
    #[serde(default)]
    pub complained_recipients: Vec<Recipient>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deliveried {
    #[serde(default)]
    pub recipients: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reject {
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    pub email_address: String,
}

/// What handling an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Recorded on the document: how many history entries, and how many addresses suppressed.
    Recorded { entries: usize, suppressed: usize },
    /// Recorded before (a redelivery).
    AlreadyRecorded,
    /// Not ours to record: another event type, a message without our tags, a document gone.
    Ignored(&'static str),
}

/// One event's history entries and the addresses it suppresses.
struct Entries {
    deliveries: Vec<Delivery>,
    suppress: Vec<(EmailAddress, SuppressionReason)>,
}

impl Detail {
    fn entries(&self, at: crate::domain::Timestamp) -> Option<Entries> {
        let message_id = Some(self.mail.message_id.clone());
        let entry = |event, recipient: Option<EmailAddress>, detail: Option<String>| Delivery {
            event,
            at,
            recipient,
            message_id: message_id.clone(),
            detail,
        };
        let addresses = |recipients: &mut dyn Iterator<Item = &str>| -> Vec<EmailAddress> {
            recipients
                .take(MAX_RECIPIENTS)
                .filter_map(|a| EmailAddress::parse(a).ok())
                .collect()
        };
        let mut suppress = Vec::new();
        let deliveries = match self.event_type.as_str() {
            "Delivery" => {
                let recipients = self
                    .delivery
                    .as_ref()?
                    .recipients
                    .iter()
                    .map(String::as_str);
                addresses(&mut recipients.into_iter())
                    .into_iter()
                    .map(|a| entry(DeliveryEvent::Delivered, Some(a), None))
                    .collect()
            }
            "Bounce" => {
                let bounce = self.bounce.as_ref()?;
                let permanent = bounce.bounce_type == "Permanent";
                let kind = format!("{} {}", bounce.bounce_type, bounce.bounce_sub_type)
                    .trim()
                    .chars()
                    .take(80)
                    .collect::<String>();
                let mut recipients = bounce
                    .bounced_recipients
                    .iter()
                    .map(|r| r.email_address.as_str());
                addresses(&mut recipients)
                    .into_iter()
                    .map(|a| {
                        if permanent {
                            suppress.push((a.clone(), SuppressionReason::Bounced));
                        }
                        entry(DeliveryEvent::Bounced, Some(a), Some(kind.clone()))
                    })
                    .collect()
            }
            "Complaint" => {
                let complaint = self.complaint.as_ref()?;
                let mut recipients = complaint
                    .complained_recipients
                    .iter()
                    .map(|r| r.email_address.as_str());
                addresses(&mut recipients)
                    .into_iter()
                    .map(|a| {
                        suppress.push((a.clone(), SuppressionReason::Complained));
                        entry(DeliveryEvent::Complained, Some(a), None)
                    })
                    .collect()
            }
            "Reject" => {
                let reason: String = self.reject.as_ref()?.reason.chars().take(200).collect();
                vec![entry(DeliveryEvent::Rejected, None, Some(reason))]
            }
            _ => return None,
        };
        Some(Entries {
            deliveries,
            suppress,
        })
    }

    fn tag(&self, name: &str) -> Option<&str> {
        self.mail.tags.get(name)?.first().map(String::as_str)
    }
}

/// Records one SES event on the document its message carried.
pub async fn handle(state: &AppState, event: SesEvent) -> anyhow::Result<Handled> {
    anyhow::ensure!(
        event.source == "aws.ses",
        "not an Amazon SES event: {} from {}",
        event.detail_type,
        event.source
    );
    let Some(entries) = event.detail.entries(state.clock.now()) else {
        return Ok(Handled::Ignored("an event type that is not recorded"));
    };
    let target = (
        event
            .detail
            .tag(TAG_TENANT)
            .and_then(|t| ulid::Ulid::from_string(t).ok()),
        event.detail.tag(TAG_KIND),
        event
            .detail
            .tag(TAG_DOCUMENT)
            .and_then(|d| ulid::Ulid::from_string(d).ok()),
    );
    let (Some(tenant), Some(kind), Some(document)) = target else {
        return Ok(Handled::Ignored("a message without a document's tags"));
    };
    let tenant = TenantId::from_ulid(tenant);
    if !Box::pin(state.store.account_is_active(&tenant)).await? {
        return Ok(Handled::Ignored("an account closed or gone"));
    }
    let request = RequestId::internal(event.id.chars().take(64).collect::<String>());
    let handled = match kind {
        // Boxed: each kind's future is large, and the test threads' stacks are small.
        "invoice" => {
            Box::pin(record::<Invoice>(
                state, &tenant, document, entries, &request,
            ))
            .await
        }
        "credit_note" => {
            Box::pin(record::<CreditNote>(
                state, &tenant, document, entries, &request,
            ))
            .await
        }
        "proposal" => {
            Box::pin(record::<Proposal>(
                state, &tenant, document, entries, &request,
            ))
            .await
        }
        _ => return Ok(Handled::Ignored("a kind of document that is not sent")),
    }?;
    tracing::info!(target: "deliveries", document = %document, event = %event.detail.event_type, ?handled, "recorded");
    Ok(handled)
}

/// The audit action of `event` on a document of kind `D`.
fn action<D: Tracked>(event: DeliveryEvent) -> &'static str {
    let actions = D::TRACKED;
    match event {
        DeliveryEvent::Delivered => actions.delivered,
        DeliveryEvent::Bounced => actions.bounced,
        DeliveryEvent::Complained => actions.complained,
        _ => actions.rejected,
    }
}

async fn record<D: Mailable>(
    state: &AppState,
    tenant: &TenantId,
    document: ulid::Ulid,
    entries: Entries,
    request: &RequestId,
) -> anyhow::Result<Handled> {
    let id = D::id_from_ulid(document);
    for _ in 0..5 {
        let before = match current::<D>(state, tenant, &id, None).await {
            Ok(before) => before,
            Err(crate::app::Error::NotFound) => return Ok(Handled::Ignored("a document gone")),
            Err(error) => return Err(error.into()),
        };
        let known = before.record.deliveries();
        let fresh: Vec<&Delivery> = entries
            .deliveries
            .iter()
            .filter(|new| {
                !known.iter().any(|old| {
                    old.event == new.event
                        && old.message_id == new.message_id
                        && old.recipient == new.recipient
                })
            })
            .collect();
        if fresh.is_empty() {
            return Ok(Handled::AlreadyRecorded);
        }
        let mut next = before.record.clone();
        for delivery in &fresh {
            next = next.with_delivery((*delivery).clone());
        }
        let mut tx = Box::pin(state.store.transaction(tenant)).await?;
        tx.replace(&D::key(tenant, &id), &next, before.version);
        let cipher = Box::pin(state.store.cipher(tenant)).await?;
        for (address, reason) in &entries.suppress {
            tx.put(
                &keys::suppression(tenant, &address_mac(&cipher, address)),
                &Suppression {
                    address: address.clone(),
                    reason: *reason,
                    at: tx.now(),
                    message_id: fresh.first().and_then(|d| d.message_id.clone()),
                },
            );
        }
        for delivery in &fresh {
            match delivery.event {
                DeliveryEvent::Delivered => {
                    tx.emit(crate::domain::webhook::EventType::DocumentDelivered, id);
                }
                DeliveryEvent::Bounced => {
                    tx.emit(crate::domain::webhook::EventType::DocumentBounced, id);
                }
                _ => {}
            }
            tx.audit(&audit::event(
                None,
                action::<D>(delivery.event),
                Some(id.to_string()),
                Outcome::Success,
                request,
            ));
        }
        match Box::pin(state.store.commit(tx)).await {
            Ok(()) => {
                return Ok(Handled::Recorded {
                    entries: fresh.len(),
                    suppressed: entries.suppress.len(),
                });
            }
            // The document changed meanwhile (another event, a payment): read it again.
            Err(StoreError::Conflict {
                reason: ConflictReason::VersionMismatch | ConflictReason::Contended,
                ..
            }) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    anyhow::bail!("the document kept changing; EventBridge will deliver the event again")
}

//! The outbox (decision 0025): an event is an item written in the transaction of the change it
//! reports, so it exists if and only if its change committed. An event some endpoint wants
//! also carries an entry in GSI1's `OUTBOX` partition until the delivery queue has taken it:
//! right after the commit, or, if the process died in between, by the webhooks function's
//! sweep a minute later. Delivery is at least once, each message naming the tenant, the event
//! and the endpoint (ids only: the queue never holds a record's content).

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::item::{self, EXPIRES_ATTR, number};
use super::keys::{self, Collection};
use super::tx::{DUE_INDEX_PK, DUE_INDEX_SK};
use super::{Store, StoreError, Tx};
use crate::domain::ids::{EventId, WebhookEndpointId};
use crate::domain::webhook::{Endpoint, Event, EventType, KEPT_SECONDS, Subscriptions};
use crate::domain::{TenantId, Timestamp};

/// The delivery queue: where an event's deliveries wait, one message per endpoint.
#[derive(Clone, Debug)]
pub struct Relay {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
}

/// One delivery to make, as the queue carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryMessage {
    pub tenant: String,
    pub event: String,
    pub endpoint: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Not to be attempted before this (unix seconds): a pause longer than the queue's
    /// longest delay (15 minutes) is waited out in several.
    #[serde(default)]
    pub not_before: Option<i64>,
}

/// An event written by a transaction, with the endpoints it goes to.
#[derive(Debug, Clone)]
pub struct Written {
    pub tenant: TenantId,
    pub id: EventId,
    pub targets: Vec<WebhookEndpointId>,
}

impl Tx {
    /// Reports `kind` of the object `object` (its id, `inv_…`) when this transaction commits,
    /// and only then.
    pub fn emit(&mut self, kind: EventType, object: impl ToString) -> &mut Self {
        self.events.push((kind, object.to_string()));
        self
    }

    /// Writes the events emitted, each to the endpoints of `subscribed` that want it; those
    /// with an endpoint get an outbox entry.
    pub(super) fn write_events(&mut self, subscribed: &Subscriptions) -> Vec<Written> {
        let mut written = Vec::new();
        let expires = self.now().unix_seconds() + KEPT_SECONDS;
        for (kind, object) in std::mem::take(&mut self.events) {
            let id = EventId::generate();
            let targets = subscribed.targets(kind, &object);
            let event = Event {
                kind,
                object,
                occurred_at: self.now(),
                targets: targets.clone(),
            };
            let key = keys::event(self.tenant(), &id);
            let outbox =
                (!targets.is_empty()).then(|| keys::outbox_entry(self.tenant(), &id, self.now()));
            self.try_push(&key, super::tx::Expect::Absent, |tx| {
                let mut attrs = item::encode_new(tx.cipher(), &key, &event, tx.now())?;
                attrs.insert(EXPIRES_ATTR.into(), number(expires));
                if let Some(entry) = outbox {
                    attrs.insert(DUE_INDEX_PK.into(), AttributeValue::S(entry.pk));
                    attrs.insert(DUE_INDEX_SK.into(), AttributeValue::S(entry.sk));
                }
                tx.put_new(attrs)
            });
            if !targets.is_empty() {
                written.push(Written {
                    tenant: *self.tenant(),
                    id,
                    targets,
                });
            }
        }
        written
    }

    /// Creates the item (as [`Tx::create`]), to be deleted by the table's TTL after `expires`.
    pub fn create_expiring<R: super::Record>(
        &mut self,
        key: &super::ItemKey,
        record: &R,
        expires: Timestamp,
    ) -> &mut Self {
        self.try_push(key, super::tx::Expect::Absent, |tx| {
            let mut attrs = item::encode_new(tx.cipher(), key, record, tx.now())?;
            attrs.insert(EXPIRES_ATTR.into(), number(expires.unix_seconds()));
            tx.put_new(attrs)
        })
    }

    /// Writes the account's subscriptions after an endpoint changed: `before` as read (its
    /// version the condition), or a new item.
    pub fn put_subscriptions(
        &mut self,
        before: Option<&super::Stored<Subscriptions>>,
        next: &Subscriptions,
    ) -> &mut Self {
        let key = keys::webhook_subscriptions(self.tenant());
        match before {
            Some(before) => self.replace(&key, next, before.version),
            None => self.create(&key, next),
        }
    }

    pub(super) fn has_events(&self) -> bool {
        !self.events.is_empty()
    }
}

impl Store {
    /// Delivers events through `relay` (without one, events are written and wait in the
    /// outbox for a process that has one).
    pub fn with_relay(mut self, relay: Option<Relay>) -> Self {
        self.relay = relay;
        self
    }

    /// The delivery queue, where the process has one.
    pub fn relay(&self) -> Option<&Relay> {
        self.relay.as_ref()
    }

    /// The account's endpoints, enabled or not (at most 100).
    pub async fn webhook_endpoints(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<(WebhookEndpointId, super::Stored<Endpoint>)>, StoreError> {
        let page = self
            .list_keyed::<Endpoint>(tenant, Collection::WebhookEndpoints, 100, None)
            .await?;
        Ok(page
            .items
            .into_iter()
            .map(|(id, stored)| (WebhookEndpointId::from_ulid(id), stored))
            .collect())
    }

    /// Which enabled endpoints of the account want which events (none when it has none).
    pub async fn webhook_subscriptions(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<super::Stored<Subscriptions>>, StoreError> {
        self.get::<Subscriptions>(tenant, &keys::webhook_subscriptions(tenant))
            .await
    }

    /// Commits a transaction that emitted events: reads which endpoints want them (one
    /// GetItem), writes the events with the change, then hands those wanted to the queue.
    pub(super) async fn commit_with_events(&self, mut tx: Tx) -> Result<(), StoreError> {
        let subscribed = self
            .webhook_subscriptions(tx.tenant())
            .await?
            .map(|stored| stored.record)
            .unwrap_or_default();
        let written = tx.write_events(&subscribed);
        let db = self.db_of(tx.tenant()).await?;
        tx.commit(&db).await?;
        if !written.is_empty() {
            // Committed: a failure to hand over now is left to the sweep, never undone.
            if let Err(error) = self.hand_over(&written).await {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "events left in the outbox for the sweep"
                );
            }
        }
        Ok(())
    }

    /// Queues one delivery per endpoint of each event, then takes the events out of the outbox.
    pub async fn hand_over(&self, written: &[Written]) -> anyhow::Result<()> {
        let Some(relay) = &self.relay else {
            anyhow::bail!("no delivery queue is configured");
        };
        let messages: Vec<DeliveryMessage> = written
            .iter()
            .flat_map(|event| {
                event.targets.iter().map(|endpoint| DeliveryMessage {
                    tenant: event.tenant.ulid().to_string(),
                    event: event.id.ulid().to_string(),
                    endpoint: endpoint.ulid().to_string(),
                    attempt: 1,
                    not_before: None,
                })
            })
            .collect();
        relay.send(&messages, 0).await?;
        for event in written {
            self.db_of(&event.tenant)
                .await?
                .update_item()
                .table_name(self.table.as_ref())
                .set_key(Some(item::key_attributes(&keys::event(
                    &event.tenant,
                    &event.id,
                ))))
                .update_expression("REMOVE #pk, #sk")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_names("#pk", DUE_INDEX_PK)
                .expression_attribute_names("#sk", DUE_INDEX_SK)
                .send()
                .await?;
        }
        Ok(())
    }

    /// The events left in the outbox since before `before` (a crash between a commit and its
    /// hand-over), at most `limit`, with their endpoints: for the sweep to hand over.
    pub async fn left_in_outbox(
        &self,
        before: Timestamp,
        limit: i32,
    ) -> Result<Vec<Written>, StoreError> {
        let page = self.due(keys::OUTBOX, before, limit, None).await?;
        let mut left = Vec::new();
        for (tenant, id) in page.due {
            let id = EventId::from_ulid(id);
            if let Some(event) = self
                .get::<Event>(&tenant, &keys::event(&tenant, &id))
                .await?
            {
                left.push(Written {
                    tenant,
                    id,
                    targets: event.record.targets,
                });
            }
        }
        Ok(left)
    }
}

impl Relay {
    /// Queues `messages`, ten to a call, each delayed `delay_seconds` (at most 900).
    pub async fn send(
        &self,
        messages: &[DeliveryMessage],
        delay_seconds: i32,
    ) -> anyhow::Result<()> {
        use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
        for chunk in messages.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, message)| {
                    Ok(SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(serde_json::to_string(message)?)
                        .delay_seconds(delay_seconds.clamp(0, 900))
                        .build()?)
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let out = self
                .sqs
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await?;
            if !out.failed.is_empty() {
                anyhow::bail!(
                    "the queue refused {} of {} messages",
                    out.failed.len(),
                    chunk.len()
                );
            }
        }
        Ok(())
    }
}

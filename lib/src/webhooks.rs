//! Delivering webhooks (decision 0025): the `webhooks` function takes each message of the
//! delivery queue, posts the event to its endpoint signed as Standard Webhooks specifies, and
//! logs the attempt; a failed attempt is queued again after a growing pause, with the same
//! `webhook-id`, for about three days. Every minute it also hands over the events a crash left
//! in the outbox.
//!
//! - **Disable means stop**: each attempt reads the endpoint first; a disabled or deleted one
//!   gets nothing, whatever was queued or retrying.
//! - **No request where it must not go**: the host is resolved at each attempt and every
//!   address must be public (loopback only where the setting allows it); the connection goes
//!   to the address checked, so a name that resolves again differently gets nothing. No
//!   redirect is followed, the answer's body is read up to 4 KiB, and 10 s is the limit.
//! - An endpoint that has failed every delivery for three days is disabled, the owner told by
//!   e-mail and in the audit trail.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::audit::{self, Outcome};
use crate::domain::TenantId;
use crate::domain::ids::{EventId, WebhookEndpointId};
use crate::domain::webhook::{
    DeliveryAttempt, DeliveryOutcome, DisabledBy, Endpoint, Event, FAILING_LIMIT_SECONDS,
    KEPT_SECONDS, PayloadContent, may_reach,
};
use crate::store::{DeliveryMessage, Stored, keys};
use crate::telemetry::RequestId;

/// The function's name (its crate, its binary, its template resource).
pub const FUNCTION: &str = "webhooks";

/// The longest a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a host's name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);
/// The most of an answer's body read (and then dropped: none is kept).
const BODY_LIMIT: usize = 4 * 1024;
/// How long an event may wait in the outbox before the sweep hands it over.
const OUTBOX_GRACE_SECONDS: i64 = 60;

pub use crate::state::Resolve;

/// The queue's messages as the Lambda service hands them over, or the minute's schedule.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Invocation {
    Queue {
        #[serde(rename = "Records")]
        records: Vec<QueueRecord>,
    },
    Schedule(crate::purge::Scheduled),
}

#[derive(Debug, Deserialize)]
pub struct QueueRecord {
    #[serde(rename = "messageId")]
    pub message_id: String,
    pub body: String,
}

/// The messages to be handed over again (SQS's partial batch response): those that failed
/// for a reason of ours (the table did not answer), not the receiver's.
#[derive(Debug, Default, Serialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub failures: Vec<ItemFailure>,
}

#[derive(Debug, Serialize)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub id: String,
}

/// What the function does with one invocation.
pub async fn handle(state: &AppState, invocation: Invocation) -> anyhow::Result<BatchResponse> {
    match invocation {
        Invocation::Queue { records } => {
            let mut response = BatchResponse::default();
            for record in records {
                if let Err(error) = deliver(state, &record.body).await {
                    tracing::error!(
                        error = format!("{error:#}"),
                        "a delivery will be tried again"
                    );
                    response.failures.push(ItemFailure {
                        id: record.message_id,
                    });
                }
            }
            Ok(response)
        }
        Invocation::Schedule(event) => {
            anyhow::ensure!(
                event.source == "aws.events",
                "not a scheduled event: {} from {}",
                event.detail_type,
                event.source
            );
            let handed = sweep(state).await?;
            tracing::info!(handed, "outbox swept");
            Ok(BatchResponse::default())
        }
    }
}

/// Hands over the events left in the outbox for longer than a minute.
pub async fn sweep(state: &AppState) -> anyhow::Result<usize> {
    let before = state.clock.now().plus_seconds(-OUTBOX_GRACE_SECONDS);
    let left = state.store.left_in_outbox(before, 100).await?;
    if !left.is_empty() {
        state.store.hand_over(&left).await?;
    }
    Ok(left.len())
}

/// Takes every message the queue has ready and delivers each (local development and tests,
/// where no Lambda service reads the queue); how many it took.
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    let queue = state.config.webhook_queue_url.as_str();
    anyhow::ensure!(!queue.is_empty(), "no delivery queue is configured");
    let sqs = state.clients.sqs();
    let mut taken = 0;
    loop {
        let out = sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await?;
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(taken);
        }
        for message in messages {
            taken += 1;
            let delivered = deliver(state, message.body().unwrap_or_default()).await;
            if let Err(error) = &delivered {
                tracing::error!(
                    error = format!("{error:#}"),
                    "a delivery will be tried again"
                );
                continue;
            }
            if let Some(receipt) = message.receipt_handle() {
                sqs.delete_message()
                    .queue_url(queue)
                    .receipt_handle(receipt)
                    .send()
                    .await?;
            }
        }
    }
}

/// Delivers one queued message: an error is ours (the message is to be handed over again);
/// whatever the receiver did is logged and, if need be, queued again.
pub async fn deliver(state: &AppState, body: &str) -> anyhow::Result<()> {
    let message: DeliveryMessage = serde_json::from_str(body)?;
    let now = state.clock.now();
    if let Some(wait) = message.not_before.map(|at| at - now.unix_seconds())
        && wait > 0
    {
        return requeue(state, &message, wait).await;
    }
    let tenant = TenantId::from_due_index(ulid::Ulid::from_string(&message.tenant)?);
    let endpoint_id = WebhookEndpointId::from_ulid(ulid::Ulid::from_string(&message.endpoint)?);
    let event_id = EventId::from_ulid(ulid::Ulid::from_string(&message.event)?);
    let endpoint_key = keys::webhook_endpoint(&tenant, &endpoint_id);
    let event_key = keys::event(&tenant, &event_id);
    let read = tokio::try_join!(
        state.store.get::<Endpoint>(&tenant, &endpoint_key),
        state.store.get::<Event>(&tenant, &event_key),
    );
    let (endpoint, event) = match read {
        Ok(read) => read,
        // The account is gone (closed and purged): nothing to deliver, nothing to retry.
        Err(crate::store::StoreError::Keyring(crate::crypto::KeyringError::NoKey)) => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    let (Some(endpoint), Some(event)) = (endpoint, event) else {
        // Deleted (with its log), or the event is past keeping: nothing to deliver.
        return Ok(());
    };
    let mut attempt = DeliveryAttempt {
        event_id: event_id.to_string(),
        kind: event.record.kind,
        attempt: message.attempt,
        outcome: DeliveryOutcome::Skipped,
        status: None,
        detail: None,
        at: now,
        response_ms: None,
        next_attempt_at: None,
    };
    if !endpoint.record.enabled() {
        attempt.detail = Some("the endpoint is disabled".into());
        return record(state, &tenant, &endpoint_id, &endpoint, attempt, None).await;
    }
    let payload = payload(
        state,
        &tenant,
        &event_id,
        &event.record,
        endpoint.record.payload,
    )
    .await?;
    let timestamp = now.unix_seconds();
    let signature = crate::domain::webhook::signature(
        endpoint.record.signing_secrets(now),
        &attempt.event_id,
        timestamp,
        &payload,
    );
    let started = Instant::now();
    let answer = post(
        state,
        &endpoint.record.url,
        &attempt.event_id,
        timestamp,
        &signature,
        payload,
    )
    .await;
    attempt.response_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    match answer {
        Ok(status) if (200..300).contains(&status) => {
            attempt.outcome = DeliveryOutcome::Delivered;
            attempt.status = Some(status);
        }
        Ok(status) => {
            attempt.outcome = DeliveryOutcome::Failed;
            attempt.status = Some(status);
            attempt.detail = Some(format!("the receiver answered {status}"));
        }
        Err(Refused::NotPublic(why)) => {
            attempt.outcome = DeliveryOutcome::Failed;
            attempt.response_ms = None;
            attempt.detail = Some(why);
        }
        Err(Refused::Unreachable(why)) => {
            attempt.outcome = DeliveryOutcome::Failed;
            attempt.detail = Some(why);
        }
    }
    let retry = if attempt.outcome == DeliveryOutcome::Failed {
        let index = usize::try_from(message.attempt)
            .unwrap_or(usize::MAX)
            .saturating_sub(1);
        state.config.webhook_retry_pauses.get(index).copied()
    } else {
        None
    };
    record(
        state,
        &tenant,
        &endpoint_id,
        &endpoint,
        attempt,
        retry.map(|pause| (message, pause)),
    )
    .await
}

/// Logs the attempt, moves the endpoint's failing state (disabling it after three days of
/// failures), and queues the next attempt if there is one.
async fn record(
    state: &AppState,
    tenant: &TenantId,
    endpoint_id: &WebhookEndpointId,
    endpoint: &Stored<Endpoint>,
    mut attempt: DeliveryAttempt,
    retry: Option<(DeliveryMessage, Duration)>,
) -> anyhow::Result<()> {
    let now = attempt.at;
    let failed = attempt.outcome == DeliveryOutcome::Failed;
    let failing_since = match attempt.outcome {
        DeliveryOutcome::Delivered => None,
        DeliveryOutcome::Failed => Some(endpoint.record.failing_since.unwrap_or(now)),
        DeliveryOutcome::Skipped => endpoint.record.failing_since,
    };
    let given_up = failed
        && failing_since.is_some_and(|since| {
            now.unix_seconds() - since.unix_seconds() >= FAILING_LIMIT_SECONDS
        });
    let retry = retry.filter(|_| !given_up);
    if let Some((_, pause)) = &retry {
        attempt.next_attempt_at =
            Some(now.plus_seconds(i64::try_from(pause.as_secs()).unwrap_or(i64::MAX / 2)));
    }
    let mut changed = endpoint.record.clone();
    changed.failing_since = failing_since;
    if given_up {
        changed.disabled = Some(DisabledBy::Failing);
    }
    let request = RequestId::internal(format!("webhook-{}", attempt.event_id));
    let held = if given_up {
        state.store.webhook_subscriptions(tenant).await?
    } else {
        None
    };
    let mut tx = state.store.transaction(tenant).await?;
    let log_key = keys::webhook_delivery(tenant, endpoint_id, &crate::domain::ids::next_ulid());
    tx.create_expiring(&log_key, &attempt, now.plus_seconds(KEPT_SECONDS));
    if changed != endpoint.record {
        tx.replace(
            &keys::webhook_endpoint(tenant, endpoint_id),
            &changed,
            endpoint.version,
        );
    }
    if given_up {
        let mut subscribed = held.as_ref().map(|s| s.record.clone()).unwrap_or_default();
        subscribed.set(*endpoint_id, None);
        tx.put_subscriptions(held.as_ref(), &subscribed);
        tx.audit(&audit::event(
            None,
            "webhook_endpoint.disabled",
            Some(endpoint_id.to_string()),
            Outcome::Success,
            &request,
        ));
    }
    match state.store.commit(tx).await {
        Ok(()) => {}
        // The owner changed the endpoint meanwhile: the log alone, its state next time.
        Err(crate::store::StoreError::Conflict { .. }) if changed != endpoint.record => {
            let mut tx = state.store.transaction(tenant).await?;
            tx.create_expiring(&log_key, &attempt, now.plus_seconds(KEPT_SECONDS));
            state.store.commit(tx).await?;
        }
        Err(error) => return Err(error.into()),
    }
    tracing::info!(
        endpoint = %endpoint_id,
        event = %attempt.event_id,
        attempt = attempt.attempt,
        outcome = ?attempt.outcome,
        status = attempt.status,
        "webhook attempt"
    );
    if given_up {
        tell_owner(state, tenant, &endpoint.record.url).await;
    }
    if let Some((message, pause)) = retry {
        let wait = i64::try_from(pause.as_secs()).unwrap_or(i64::MAX / 2);
        let next = DeliveryMessage {
            attempt: message.attempt + 1,
            not_before: Some(now.unix_seconds() + wait),
            ..message
        };
        requeue(state, &next, wait).await?;
    }
    Ok(())
}

/// Queues `message` again, to be seen in `wait` seconds (or in 15 minutes, the queue's
/// longest delay, to wait again).
async fn requeue(state: &AppState, message: &DeliveryMessage, wait: i64) -> anyhow::Result<()> {
    let Some(relay) = state.store.relay() else {
        anyhow::bail!("no delivery queue is configured");
    };
    relay
        .send(
            std::slice::from_ref(message),
            i32::try_from(wait.clamp(0, 900)).unwrap_or(900),
        )
        .await
}

/// The body: Standard Webhooks' shape, `{"type", "timestamp", "data"}`; `data` holds the
/// object's id and type, and the object itself when the endpoint asked for it.
async fn payload(
    state: &AppState,
    tenant: &TenantId,
    id: &EventId,
    event: &Event,
    content: PayloadContent,
) -> anyhow::Result<Vec<u8>> {
    let mut data = serde_json::json!({"id": event.object, "object": event.object_type()});
    if content == PayloadContent::Object
        && let Some(object) = object_of(state, tenant, &event.object).await?
        && let (Some(data), serde_json::Value::Object(fields)) = (data.as_object_mut(), object)
    {
        for (name, value) in fields {
            data.entry(name).or_insert(value);
        }
    }
    Ok(serde_json::to_vec(&serde_json::json!({
        "id": id.to_string(),
        "type": event.kind.as_str(),
        "timestamp": event.occurred_at,
        "data": data,
    }))?)
}

/// The object as it is now, with its version; `None` when it is gone.
async fn object_of(
    state: &AppState,
    tenant: &TenantId,
    object: &str,
) -> anyhow::Result<Option<serde_json::Value>> {
    use crate::domain::{
        credit_note::CreditNote, invoice::Invoice, payment::Payment, proposal::Proposal,
    };
    async fn read<R: crate::store::Record + serde::Serialize>(
        state: &AppState,
        tenant: &TenantId,
        key: Option<crate::store::ItemKey>,
    ) -> anyhow::Result<Option<serde_json::Value>> {
        let Some(key) = key else {
            return Ok(None);
        };
        let Some(stored) = state.store.get::<R>(tenant, &key).await? else {
            return Ok(None);
        };
        let mut value = serde_json::to_value(&stored.record)?;
        if let Some(fields) = value.as_object_mut() {
            fields.insert("version".into(), stored.version.into());
            fields.insert(
                "updated_at".into(),
                serde_json::to_value(stored.updated_at)?,
            );
        }
        Ok(Some(value))
    }
    match object.split('_').next() {
        Some("inv") => {
            let key = object.parse().ok().map(|id| keys::invoice(tenant, &id));
            read::<Invoice>(state, tenant, key).await
        }
        Some("pay") => {
            let key = object.parse().ok().map(|id| keys::payment(tenant, &id));
            read::<Payment>(state, tenant, key).await
        }
        Some("pro") => {
            let key = object.parse().ok().map(|id| keys::proposal(tenant, &id));
            read::<Proposal>(state, tenant, key).await
        }
        Some("crn") => {
            let key = object.parse().ok().map(|id| keys::credit_note(tenant, &id));
            read::<CreditNote>(state, tenant, key).await
        }
        _ => Ok(None),
    }
}

/// Why a request was not made or not answered.
enum Refused {
    /// The host resolves to an address it may not reach.
    NotPublic(String),
    /// No answer: the name did not resolve, the connection failed or timed out.
    Unreachable(String),
}

/// Posts the signed body to `url` at an address checked to be public; the receiver's status.
async fn post(
    state: &AppState,
    url: &str,
    id: &str,
    timestamp: i64,
    signature: &str,
    body: Vec<u8>,
) -> Result<u16, Refused> {
    let reach = state.config.webhook_reach();
    let url = crate::domain::webhook::endpoint_url(url, reach)
        .map_err(|e| Refused::NotPublic(e.detail))?;
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = resolve(state, &host).await?;
    if let Some(refused) = addresses.iter().find(|ip| !may_reach(**ip, reach)) {
        return Err(Refused::NotPublic(format!(
            "{host} resolves to {refused}, which is not a public address"
        )));
    }
    let pinned: Vec<SocketAddr> = addresses
        .iter()
        .map(|ip| SocketAddr::new(*ip, port))
        .collect();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .resolve_to_addrs(&host, &pinned)
        .no_proxy()
        .build()
        .map_err(|e| Refused::Unreachable(format!("no client: {e}")))?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "InvoiceFlow-Webhooks/1")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            Refused::Unreachable(if e.is_timeout() {
                "no answer within 10 s".into()
            } else {
                "could not connect".into()
            })
        })?;
    let status = response.status().as_u16();
    let mut response = response;
    let mut read = 0;
    while read < BODY_LIMIT {
        match tokio::time::timeout(TIMEOUT, response.chunk()).await {
            Ok(Ok(Some(chunk))) => read += chunk.len(),
            _ => break,
        }
    }
    Ok(status)
}

/// The host's addresses: an address given literally, or the resolver's answer.
async fn resolve(state: &AppState, host: &str) -> Result<Vec<IpAddr>, Refused> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let addresses = match state.webhook_resolver() {
        Some(resolve) => resolve(host),
        // A resolver that does not answer in time counts as no answer.
        None => tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, 443)))
            .await
            .ok()
            .and_then(Result::ok)
            .map(|found| found.map(|a| a.ip()).collect())
            .unwrap_or_default(),
    };
    if addresses.is_empty() {
        return Err(Refused::Unreachable(format!("{host} does not resolve")));
    }
    Ok(addresses)
}

/// Checks a URL the owner gives: its text, then the addresses its host resolves to now.
pub async fn check_url(state: &AppState, text: &str) -> Result<String, crate::domain::FieldError> {
    let reach = state.config.webhook_reach();
    let url = crate::domain::webhook::endpoint_url(text, reach)?;
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_owned();
    match resolve(state, &host).await {
        Ok(addresses) if addresses.iter().all(|ip| may_reach(*ip, reach)) => Ok(url.to_string()),
        Ok(_) => Err(crate::domain::FieldError::new(
            "url",
            "resolves to a loopback, private, link-local or other non-public address",
        )),
        Err(_) => Err(crate::domain::FieldError::new(
            "url",
            "the host does not resolve",
        )),
    }
}

/// E-mails the account's owners that an endpoint was disabled after three days of failures.
async fn tell_owner(state: &AppState, tenant: &TenantId, url: &str) {
    if let Err(error) = try_tell_owner(state, tenant, url).await {
        tracing::warn!(
            error = format!("{error:#}"),
            "the owner could not be told by e-mail"
        );
    }
}

async fn try_tell_owner(state: &AppState, tenant: &TenantId, url: &str) -> anyhow::Result<()> {
    let notice = crate::notice::Notice::WebhookDisabled {
        url: url.to_owned(),
    };
    crate::notice::tell_every_user(state, tenant, notice).await
}

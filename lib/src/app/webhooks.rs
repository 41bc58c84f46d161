//! Webhook endpoints (issue 26): the owner makes, changes, disables, deletes them, rotates
//! their secrets, sends a test event, reads their delivery logs and replays what was skipped;
//! only the owner's session may (a key may not send the account's data somewhere new).

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::Timestamp;
use crate::domain::ids::WebhookEndpointId;
use crate::domain::webhook::{
    self, DeliveryAttempt, DisabledBy, Endpoint, EndpointPatch, EndpointView, EventType,
    MAX_ENDPOINTS, NewEndpoint, SigningSecret, Subscriptions,
};
use crate::store::{Collection, Page, Stored, Written, keys};

use super::{Actor, Error, Result};

fn view(id: &WebhookEndpointId, stored: &Stored<Endpoint>, secret: Option<String>) -> EndpointView {
    let endpoint = &stored.record;
    EndpointView {
        id: id.to_string(),
        url: endpoint.url.clone(),
        events: endpoint.events.clone(),
        payload: endpoint.payload,
        description: endpoint.description.clone(),
        enabled: endpoint.enabled(),
        disabled_by: endpoint.disabled,
        failing_since: endpoint.failing_since,
        created_at: stored.created_at,
        version: stored.version,
        secret,
    }
}

fn new_secret() -> Result<String> {
    webhook::new_secret().map_err(|e| Error::Internal(anyhow::anyhow!("CSPRNG: {e}")))
}

/// The account's subscriptions as read, and a copy to change.
async fn subscriptions(
    state: &AppState,
    actor: &Actor,
) -> Result<(Option<Stored<Subscriptions>>, Subscriptions)> {
    let before = state.store.webhook_subscriptions(actor.tenant()).await?;
    let next = before
        .as_ref()
        .map(|s| s.record.clone())
        .unwrap_or_default();
    Ok((before, next))
}

async fn checked_url(state: &AppState, url: &str) -> Result<String> {
    crate::webhooks::check_url(state, url)
        .await
        .map_err(|field| Error::Invalid(vec![field]))
}

/// `POST /v1/webhook-endpoints`: a new endpoint; its signing secret is in this answer only.
pub async fn create(state: &AppState, actor: &Actor, new: NewEndpoint) -> Result<EndpointView> {
    actor.check()?;
    let events = webhook::event_types(&new.events).map_err(|f| Error::Invalid(vec![f]))?;
    let description =
        webhook::description(new.description.as_deref()).map_err(|f| Error::Invalid(vec![f]))?;
    let url = checked_url(state, &new.url).await?;
    let held = state.store.webhook_endpoints(actor.tenant()).await?;
    if held.len() >= MAX_ENDPOINTS {
        return Err(Error::unprocessable(
            "url",
            format!("an account holds at most {MAX_ENDPOINTS} webhook endpoints"),
        ));
    }
    let secret = new_secret()?;
    let endpoint = Endpoint {
        url,
        events,
        payload: new.payload,
        description,
        secrets: vec![SigningSecret {
            secret: secret.clone(),
            until: None,
        }],
        disabled: None,
        failing_since: None,
    };
    let id = WebhookEndpointId::generate();
    let (before, mut subscribed) = subscriptions(state, actor).await?;
    subscribed.set(id, Some(&endpoint));
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    tx.create(&keys::webhook_endpoint(actor.tenant(), &id), &endpoint)
        .put_subscriptions(before.as_ref(), &subscribed)
        .audit(&actor.audit(
            "webhook_endpoint.created",
            Some(id.to_string()),
            Outcome::Success,
        ));
    state.store.commit(tx).await?;
    Ok(view(&id, &Stored::created(endpoint, now), Some(secret)))
}

/// `GET /v1/webhook-endpoints`: every endpoint, oldest first.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<EndpointView>> {
    actor.check()?;
    Ok(state
        .store
        .webhook_endpoints(actor.tenant())
        .await?
        .iter()
        .map(|(id, stored)| view(id, stored, None))
        .collect())
}

async fn current(
    state: &AppState,
    actor: &Actor,
    id: &WebhookEndpointId,
    expected: Option<u64>,
) -> Result<Stored<Endpoint>> {
    actor.check()?;
    let stored = state
        .store
        .get::<Endpoint>(actor.tenant(), &keys::webhook_endpoint(actor.tenant(), id))
        .await?
        .ok_or(Error::NotFound)?;
    if expected.is_some_and(|version| version != stored.version) {
        return Err(Error::PreconditionFailed);
    }
    Ok(stored)
}

/// The endpoint, if it is enabled: what a test event and a replay need.
async fn enabled(
    state: &AppState,
    actor: &Actor,
    id: &WebhookEndpointId,
) -> Result<Stored<Endpoint>> {
    let endpoint = current(state, actor, id, None).await?;
    if !endpoint.record.enabled() {
        return Err(Error::Conflict(
            "The endpoint is disabled: enable it first.",
        ));
    }
    Ok(endpoint)
}

/// `GET /v1/webhook-endpoints/{id}`.
pub async fn get(state: &AppState, actor: &Actor, id: &WebhookEndpointId) -> Result<EndpointView> {
    Ok(view(id, &current(state, actor, id, None).await?, None))
}

/// `PATCH /v1/webhook-endpoints/{id}`: each field given replaces the endpoint's. Disabling
/// stops every delivery not yet made; enabling starts with the next event and forgets the
/// failures before.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &WebhookEndpointId,
    patch: EndpointPatch,
    expected: Option<u64>,
) -> Result<EndpointView> {
    let before = current(state, actor, id, expected).await?;
    let mut next = before.record.clone();
    let mut errors = Vec::new();
    if let Some(events) = &patch.events {
        match webhook::event_types(events) {
            Ok(events) => next.events = events,
            Err(field) => errors.push(field),
        }
    }
    if let Some(description) = &patch.description {
        match webhook::description(Some(description)) {
            Ok(description) => next.description = description,
            Err(field) => errors.push(field),
        }
    }
    if let Some(url) = &patch.url {
        match crate::webhooks::check_url(state, url).await {
            Ok(url) => next.url = url,
            Err(field) => errors.push(field),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if let Some(payload) = patch.payload {
        next.payload = payload;
    }
    let action = match patch.enabled {
        Some(false) if before.record.enabled() => {
            next.disabled = Some(DisabledBy::Owner);
            "webhook_endpoint.disabled"
        }
        Some(true) if !before.record.enabled() => {
            next.disabled = None;
            next.failing_since = None;
            "webhook_endpoint.enabled"
        }
        _ => "webhook_endpoint.updated",
    };
    let key = keys::webhook_endpoint(actor.tenant(), id);
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    tx.replace(&key, &next, before.version).audit(&actor.audit(
        action,
        Some(id.to_string()),
        Outcome::Success,
    ));
    state.store.commit(tx).await?;
    Ok(view(id, &before.changed(next, now), None))
}

/// `DELETE /v1/webhook-endpoints/{id}`: nothing more is delivered to it, queued or not.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    id: &WebhookEndpointId,
    expected: Option<u64>,
) -> Result<()> {
    let before = current(state, actor, id, expected).await?;
    let (held, mut subscribed) = subscriptions(state, actor).await?;
    subscribed.set(*id, None);
    let mut tx = actor.transaction(&state.store).await?;
    tx.delete(&keys::webhook_endpoint(actor.tenant(), id), before.version)
        .put_subscriptions(held.as_ref(), &subscribed)
        .audit(&actor.audit(
            "webhook_endpoint.deleted",
            Some(id.to_string()),
            Outcome::Success,
        ));
    state.store.commit(tx).await?;
    Ok(())
}

/// `POST /v1/webhook-endpoints/{id}/rotate-secret`: a new secret, in this answer only; the
/// old one signs beside it for a day.
pub async fn rotate(
    state: &AppState,
    actor: &Actor,
    id: &WebhookEndpointId,
    expected: Option<u64>,
) -> Result<EndpointView> {
    let before = current(state, actor, id, expected).await?;
    let secret = new_secret()?;
    let mut next = before.record.clone();
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    next.rotate(secret.clone(), now);
    tx.replace(
        &keys::webhook_endpoint(actor.tenant(), id),
        &next,
        before.version,
    )
    .audit(&actor.audit(
        "webhook_endpoint.secret_rotated",
        Some(id.to_string()),
        Outcome::Success,
    ));
    state.store.commit(tx).await?;
    Ok(view(id, &before.changed(next, now), Some(secret)))
}

/// `POST /v1/webhook-endpoints/{id}/test`: a `webhook.test` event for this endpoint alone.
pub async fn test(state: &AppState, actor: &Actor, id: &WebhookEndpointId) -> Result<()> {
    enabled(state, actor, id).await?;
    let mut tx = actor.transaction(&state.store).await?;
    tx.emit(EventType::Test, id).audit(&actor.audit(
        "webhook_endpoint.tested",
        Some(id.to_string()),
        Outcome::Success,
    ));
    state.store.commit(tx).await?;
    Ok(())
}

/// `GET /v1/webhook-endpoints/{id}/deliveries`: the attempts, newest first.
pub async fn deliveries(
    state: &AppState,
    actor: &Actor,
    id: &WebhookEndpointId,
    limit: u16,
    cursor: Option<&str>,
) -> Result<Page<DeliveryAttempt>> {
    current(state, actor, id, None).await?;
    let page = state
        .store
        .list_entries::<DeliveryAttempt>(
            actor.tenant(),
            &keys::webhook_deliveries(id),
            limit,
            cursor,
            |_| true,
        )
        .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|(_, stored)| stored.record)
            .collect(),
        next: page.next,
    })
}

/// The most events one replay hands over.
const REPLAY_LIMIT: u16 = 500;

/// `POST /v1/webhook-endpoints/{id}/replay`: the events of the types the endpoint wants that
/// happened since `since` (at most 30 days back, at most 500) are delivered to it again, or
/// for the first time if it was disabled when they happened. How many.
pub async fn replay(
    state: &AppState,
    actor: &Actor,
    id: &WebhookEndpointId,
    since: Timestamp,
) -> Result<usize> {
    let endpoint = enabled(state, actor, id).await?;
    let mut chosen = Vec::new();
    let mut cursor: Option<String> = None;
    'pages: loop {
        let page = state
            .store
            .list_keyed::<webhook::Event>(
                actor.tenant(),
                Collection::Events,
                100,
                cursor.as_deref(),
            )
            .await?;
        for (event, stored) in page.items {
            // Newest first: the first one before `since` ends the walk.
            if stored.record.occurred_at < since {
                break 'pages;
            }
            if endpoint.record.events.contains(&stored.record.kind) {
                chosen.push(Written {
                    tenant: *actor.tenant(),
                    id: crate::domain::ids::EventId::from_ulid(event),
                    targets: vec![*id],
                });
                if chosen.len() >= usize::from(REPLAY_LIMIT) {
                    break 'pages;
                }
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    chosen.reverse();
    if !chosen.is_empty() {
        state
            .store
            .hand_over(&chosen)
            .await
            .map_err(Error::Internal)?;
    }
    let mut tx = actor.transaction(&state.store).await?;
    tx.audit(&actor.audit(
        "webhook_endpoint.replayed",
        Some(id.to_string()),
        Outcome::Success,
    ));
    state.store.commit(tx).await?;
    Ok(chosen.len())
}

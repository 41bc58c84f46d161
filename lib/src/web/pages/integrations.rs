//! The Integrations page: the account's API keys (made, listed with their last use, revoked)
//! and webhook endpoints (made, listed with their recent deliveries, tested, their secret
//! rotated, disabled, enabled, deleted). A secret is shown once, on the page the making or
//! rotating answers, and never again.

use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{Fields, submit};
use crate::domain::api_key::{ApiKeyView, Scope};
use crate::domain::webhook::{
    DeliveryAttempt, DeliveryOutcome, DisabledBy, EndpointView, EventType,
};
use crate::web::form::Form;
use crate::web::page::{self, Input, Section, notice, required};
use crate::web::reads::typed;
use crate::web::show::Fmt;
use crate::web::ui::t;
use crate::web::{Failure, Web, go_to};

const API_KEYS: &str = "/v1/api-keys";
const ENDPOINTS: &str = "/v1/webhook-endpoints";
/// The deliveries each endpoint shows.
const RECENT: u16 = 5;

const SCOPES: &[(&str, &str)] = &[("read", "key-scope-read"), ("write", "key-scope-write")];

#[derive(Deserialize)]
struct Keys {
    data: Vec<ApiKeyView>,
}

#[derive(Deserialize)]
struct Endpoints {
    data: Vec<EndpointView>,
}

#[derive(Deserialize)]
struct Deliveries {
    data: Vec<DeliveryAttempt>,
}

const PAYLOADS: &[(&str, &str)] = &[
    ("ids", "webhook-payload-ids"),
    ("object", "webhook-payload-object"),
];

fn endpoint_form(form: &Form) -> Markup {
    // A refused form keeps one checked type (the form keeps one value a name).
    let chosen = [form.value("events")];
    html! {
        form.card.narrow hx-post="/integrations/webhooks" hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["url", "payload"]))
            (required(form, &t("webhook-url"), "url", Input::Text))
            fieldset {
                legend { (t("webhook-events")) }
                @for kind in EventType::ALL {
                    label.check {
                        input type="checkbox" name="events" value=(kind.as_str()) checked[chosen.contains(&kind.as_str())];
                        " " code { (kind.as_str()) }
                    }
                }
            }
            (required(form, &t("webhook-payload"), "payload", Input::Choice(PAYLOADS)))
            button type="submit" { (t("make-webhook")) }
        }
    }
}

fn key_form(form: &Form) -> Markup {
    html! {
        form.card.narrow hx-post="/integrations/keys" hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["name", "scope"]))
            (required(form, &t("key-name"), "name", Input::Text))
            (required(form, &t("key-scope"), "scope", Input::Choice(SCOPES)))
            button type="submit" { (t("make-key")) }
        }
    }
}

/// A secret shown once: a key's, or an endpoint's signing secret.
enum Shown<'a> {
    Key(&'a ApiKeyView),
    Endpoint(&'a EndpointView),
}

/// The page, with `made` (a secret just made, shown this once) above the lists.
async fn page_with(
    web: &Web,
    headers: &HeaderMap,
    made: Option<Shown<'_>>,
) -> Result<Response, Failure> {
    let (keys, endpoints, fmt) = tokio::join!(
        web.api.get(headers, API_KEYS),
        web.api.get(headers, ENDPOINTS),
        super::fmt(web, headers)
    );
    let (keys, endpoints, fmt) = (
        typed::<Keys>(keys)?.value.data,
        typed::<Endpoints>(endpoints)?.value.data,
        fmt?,
    );
    let recent = futures_util::future::join_all(endpoints.iter().map(|endpoint| {
        web.api.get(
            headers,
            format!("{ENDPOINTS}/{}/deliveries?limit={RECENT}", endpoint.id),
        )
    }))
    .await
    .into_iter()
    .map(|reply| typed::<Deliveries>(reply).map(|d| d.value.data))
    .collect::<Result<Vec<_>, _>>()?;
    // Now, to tell an expired key (unix seconds).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|since| i64::try_from(since.as_secs()).ok())
        .unwrap_or_default();
    let content = html! {
        p { (t("integrations-explained")) }
        @match made {
            Some(Shown::Key(made)) => section.card.notice role="status" {
                h2 { (t("key-made")) }
                p { (t("key-copy-now")) }
                p { code.secret { (made.secret.as_deref().unwrap_or_default()) } }
            },
            Some(Shown::Endpoint(made)) => section.card.notice role="status" {
                h2 { (t("webhook-secret-made")) }
                p { (t("webhook-copy-now")) }
                p { code.secret { (made.secret.as_deref().unwrap_or_default()) } }
            },
            None => {},
        }
        h2 { (t("api-keys")) }
        (key_form(&Form::default()))
        @if keys.is_empty() {
            p { (t("no-keys")) }
        } @else {
            (key_table(&fmt, &keys, now))
        }
        h2 { (t("webhooks")) }
        p { (t("webhooks-explained")) }
        (endpoint_form(&Form::default()))
        @if endpoints.is_empty() {
            p { (t("no-webhooks")) }
        } @else {
            (endpoint_table(&fmt, &endpoints, &recent))
        }
    };
    Ok(page::page(&t("nav-integrations"), Section::Integrations, content).into_response())
}

fn key_table(fmt: &Fmt, keys: &[ApiKeyView], now: i64) -> Markup {
    html! {
        div.table { table {
            thead { tr {
                th scope="col" { (t("key-name")) } th scope="col" { (t("key-scope")) }
                th scope="col" { (t("key-hint")) } th scope="col" { (t("made")) }
                th scope="col" { (t("key-last-used")) } th scope="col" { (t("col-status")) }
                th scope="col" { span.visually-hidden { (t("actions")) } }
            } }
            tbody { @for key in keys { tr {
                td { (key.name) }
                td { (t(match key.scope { Scope::Read => "key-scope-read", Scope::Write => "key-scope-write" })) }
                td { code { (key.hint) } }
                td { (fmt.day(key.created_at)) }
                td { @if let Some(used) = key.last_used_at { (fmt.day(used)) } @else { (t("key-never-used")) } }
                td {
                    @if key.revoked_at.is_some() { (t("key-revoked")) }
                    @else if key.expires_at.is_some_and(|e| e.unix_seconds() <= now) { (t("status-expired")) }
                    @else { (t("key-active")) }
                }
                td {
                    @if key.revoked_at.is_none() {
                        form.action hx-post=(format!("/integrations/keys/{}/revoke", key.id)) hx-target="this" hx-swap="outerHTML" {
                            (notice(&Form::default(), &[]))
                            button.link.danger type="submit" { (t("revoke-key")) span.visually-hidden { " " (key.name) } }
                        }
                    }
                }
            } } }
        } }
    }
}

fn endpoint_table(
    fmt: &Fmt,
    endpoints: &[EndpointView],
    recent: &[Vec<DeliveryAttempt>],
) -> Markup {
    let action = |endpoint: &EndpointView, path: &str, label: &str, danger: bool| {
        html! {
            form.action hx-post=(format!("/integrations/webhooks/{}/{path}", endpoint.id)) hx-target="this" hx-swap="outerHTML" {
                (notice(&Form::default(), &[]))
                (crate::web::page::hidden("version", &endpoint.version.to_string()))
                button.link.danger[danger] type="submit" { (t(label)) span.visually-hidden { " " (endpoint.url) } }
            }
        }
    };
    html! {
        div.table { table {
            thead { tr {
                th scope="col" { (t("webhook-url")) } th scope="col" { (t("webhook-events")) }
                th scope="col" { (t("col-status")) } th scope="col" { (t("webhook-recent")) }
                th scope="col" { span.visually-hidden { (t("actions")) } }
            } }
            tbody { @for (endpoint, deliveries) in endpoints.iter().zip(recent) { tr {
                td { code { (endpoint.url) } }
                td { @for kind in &endpoint.events { code { (kind.as_str()) } " " } }
                td {
                    @match endpoint.disabled_by {
                        None => (t("webhook-enabled")),
                        Some(DisabledBy::Owner) => (t("webhook-disabled")),
                        Some(DisabledBy::Failing) => (t("webhook-disabled-failing")),
                    }
                }
                td {
                    @if deliveries.is_empty() { (t("webhook-no-deliveries")) }
                    @else { ul.plain { @for d in deliveries { li {
                        (fmt.day(d.at)) " · " code { (d.kind.as_str()) } " · "
                        (t(match d.outcome {
                            DeliveryOutcome::Delivered => "webhook-delivered",
                            DeliveryOutcome::Failed => "webhook-failed",
                            DeliveryOutcome::Skipped => "webhook-skipped",
                        }))
                        @if let Some(status) = d.status { " (" (status) ")" }
                    } } } }
                }
                td {
                    @if endpoint.enabled {
                        (action(endpoint, "test", "webhook-test", false))
                        (action(endpoint, "disable", "webhook-disable", false))
                    } @else {
                        (action(endpoint, "enable", "webhook-enable", false))
                    }
                    (action(endpoint, "rotate", "webhook-rotate", false))
                    (action(endpoint, "delete", "webhook-delete", true))
                }
            } } }
        } }
    }
}

/// `POST /integrations/webhooks`: makes an endpoint and answers the page with its secret, once.
pub async fn make_endpoint(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let events: Vec<String> = fields
        .iter()
        .filter(|(name, _)| name == "events")
        .map(|(_, value)| value.clone())
        .collect();
    let body =
        serde_json::json!({"url": value("url"), "events": events, "payload": value("payload")});
    let reply = web
        .api
        .send(&headers, Method::POST, ENDPOINTS, Some(&body), Vec::new())
        .await;
    if !reply.is_success() {
        let sent = crate::web::form::to_json(&fields);
        let submission = super::Submission { reply, sent };
        return submission.refused(&fields, endpoint_form);
    }
    let made = typed::<EndpointView>(reply)?.value;
    shown_once(&web, &headers, &made).await
}

/// The whole page with the secret, not a redirect: the secret is never in a URL or a later page.
async fn shown_once(
    web: &Web,
    headers: &HeaderMap,
    made: &EndpointView,
) -> Result<Response, Failure> {
    let mut response = page_with(web, headers, Some(Shown::Endpoint(made))).await?;
    response.headers_mut().insert(
        axum::http::HeaderName::from_static("hx-retarget"),
        axum::http::HeaderValue::from_static("body"),
    );
    Ok(response)
}

/// `POST /integrations/webhooks/{id}/{action}`: test, disable, enable, rotate, delete.
pub async fn endpoint_action(
    State(web): State<Web>,
    headers: HeaderMap,
    axum::extract::Path((id, action)): axum::extract::Path<(String, String)>,
    fields: Fields,
) -> Result<Response, Failure> {
    let id = super::records::safe_id(&id)?;
    let version = fields
        .iter()
        .find(|(name, _)| name == "version")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .ok_or(Failure::NotFound)?;
    let if_match = vec![(axum::http::header::IF_MATCH, format!("\"{version}\""))];
    let path = format!("{ENDPOINTS}/{id}");
    let (method, path, body, extra) = match action.as_str() {
        "test" => (Method::POST, format!("{path}/test"), None, Vec::new()),
        "disable" => (
            Method::PATCH,
            path,
            Some(serde_json::json!({"enabled": false})),
            if_match,
        ),
        "enable" => (
            Method::PATCH,
            path,
            Some(serde_json::json!({"enabled": true})),
            if_match,
        ),
        "rotate" => (
            Method::POST,
            format!("{path}/rotate-secret"),
            None,
            if_match,
        ),
        "delete" => (Method::DELETE, path, None, if_match),
        _ => return Err(Failure::NotFound),
    };
    let reply = web
        .api
        .send(&headers, method, path, body.as_ref(), extra)
        .await;
    if !reply.is_success() {
        return Err(Failure::Refused(reply.refusal()));
    }
    if action == "rotate" {
        let rotated = typed::<EndpointView>(reply)?.value;
        return shown_once(&web, &headers, &rotated).await;
    }
    Ok(go_to("/integrations"))
}

/// `GET /integrations`.
pub async fn integrations(State(web): State<Web>, headers: HeaderMap) -> Result<Response, Failure> {
    page_with(&web, &headers, None).await
}

/// `POST /integrations/keys`: makes a key and answers the page with its secret, once.
pub async fn make_key(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let sent = submit(&web, &headers, Method::POST, API_KEYS, &fields, Vec::new()).await;
    if !sent.reply.is_success() {
        return sent.refused(&fields, key_form);
    }
    let made = typed::<ApiKeyView>(sent.reply)?.value;
    // The whole page, not a redirect: the secret is never in a URL or a later page.
    let mut response = page_with(&web, &headers, Some(Shown::Key(&made))).await?;
    response.headers_mut().insert(
        axum::http::HeaderName::from_static("hx-retarget"),
        axum::http::HeaderValue::from_static("body"),
    );
    Ok(response)
}

/// `POST /integrations/keys/{id}/revoke`.
pub async fn revoke_key(
    State(web): State<Web>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, Failure> {
    let id = super::records::safe_id(&id)?;
    let reply = web
        .api
        .send(
            &headers,
            Method::DELETE,
            format!("{API_KEYS}/{id}"),
            None,
            Vec::new(),
        )
        .await;
    if !reply.is_success() {
        return Err(Failure::Refused(reply.refusal()));
    }
    Ok(go_to("/integrations"))
}

//! The Integrations page: the account's API keys (made, listed with their last use, revoked).
//! A key's secret is shown once, on the page the making answers, and never again.

use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{Fields, submit};
use crate::domain::api_key::{ApiKeyView, Scope};
use crate::web::form::Form;
use crate::web::page::{self, Input, Section, notice, required};
use crate::web::reads::typed;
use crate::web::show::Fmt;
use crate::web::ui::t;
use crate::web::{Failure, Web, go_to};

const API_KEYS: &str = "/v1/api-keys";

const SCOPES: &[(&str, &str)] = &[("read", "key-scope-read"), ("write", "key-scope-write")];

#[derive(Deserialize)]
struct Keys {
    data: Vec<ApiKeyView>,
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

/// The page, with `made` (a key just made, its secret shown this once) above the list.
async fn page_with(
    web: &Web,
    headers: &HeaderMap,
    made: Option<&ApiKeyView>,
) -> Result<Response, Failure> {
    let (keys, fmt) = tokio::join!(web.api.get(headers, API_KEYS), super::fmt(web, headers));
    let (keys, fmt) = (typed::<Keys>(keys)?.value.data, fmt?);
    // Now, to tell an expired key (unix seconds).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|since| i64::try_from(since.as_secs()).ok())
        .unwrap_or_default();
    let content = html! {
        p { (t("integrations-explained")) }
        @if let Some(made) = made {
            section.card.notice role="status" {
                h2 { (t("key-made")) }
                p { (t("key-copy-now")) }
                p { code.secret { (made.secret.as_deref().unwrap_or_default()) } }
            }
        }
        h2 { (t("api-keys")) }
        (key_form(&Form::default()))
        @if keys.is_empty() {
            p { (t("no-keys")) }
        } @else {
            (key_table(&fmt, &keys, now))
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
    let mut response = page_with(&web, &headers, Some(&made)).await?;
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

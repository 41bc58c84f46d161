//! The web app's pages, one module per part of the app.

pub mod account;
pub mod auth;
pub mod dashboard;
pub mod documents;
pub mod editor;
pub mod records;

pub use super::form::Fields;

/// The value of the form's own field `name` (`_etag`, `_key`).
pub fn own<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

use axum::http::{HeaderMap, HeaderName, Method};
use axum::response::Response;
use maud::Markup;
use serde_json::Value;

use super::api::Reply;
use super::form::{Form, Sent, to_json};
use super::show::Fmt;
use super::{Failure, Web, body, refused};

/// The form's idempotency key as the API's header: a double submit makes one record.
pub fn idempotency(fields: &[(String, String)]) -> Vec<(HeaderName, String)> {
    own(fields, "_key")
        .map(|key| vec![(HeaderName::from_static("idempotency-key"), key.to_owned())])
        .unwrap_or_default()
}

/// A form sent to the API: what it answered, and the body the form became.
pub struct Submission {
    pub reply: Reply,
    pub sent: Sent,
}

/// Sends the submitted `fields` to the API as the JSON body of `method path`.
pub async fn submit(
    web: &Web,
    headers: &HeaderMap,
    method: Method,
    path: impl Into<String>,
    fields: &[(String, String)],
    extra: Vec<(HeaderName, String)>,
) -> Submission {
    let sent = to_json(fields);
    let reply = web
        .api
        .send(headers, method, path, Some(&sent.body), extra)
        .await;
    Submission { reply, sent }
}

impl Submission {
    /// The form drawn again with the API's refusal beside its fields (a 422 htmx swaps in), or
    /// the login page when the session has ended.
    pub fn refused(
        &self,
        fields: &[(String, String)],
        draw: impl FnOnce(&Form) -> Markup,
    ) -> Result<Response, Failure> {
        if self.reply.status == 401 {
            return Err(Failure::LoggedOut);
        }
        let form = Form::refused(fields, &self.reply.refusal(), &self.sent);
        Ok(refused(draw(&form)))
    }
}

/// A page of the list at `path` and the account's way of writing amounts and dates, read
/// together.
pub async fn listed(
    web: &Web,
    headers: &HeaderMap,
    path: impl Into<String>,
) -> Result<(Value, Vec<Value>, Fmt), Failure> {
    let (page, settings) = tokio::join!(
        web.api.get(headers, path),
        web.api.get(headers, "/v1/settings")
    );
    let mut page = body(page)?;
    let fmt = Fmt::of(&body(settings)?);
    let items = match page["data"].take() {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    Ok((page, items, fmt))
}

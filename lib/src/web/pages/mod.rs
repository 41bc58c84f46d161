//! The web app's pages, one module per part of the app.

pub mod account;
pub mod auth;
pub mod confirm;
pub mod dashboard;
pub mod documents;
pub mod editor;
pub mod integrations;
pub mod records;
pub mod recurring;

pub use super::form::Fields;

/// The VAT categories (EN 16931 BT-151) as a picker offers them; empty: the default.
pub const TAX_CATEGORIES: &[(&str, &str)] = &[
    ("", "category-default"),
    ("S", "category-S"),
    ("Z", "category-Z"),
    ("E", "category-E"),
    ("AE", "category-AE"),
    ("K", "category-K"),
    ("G", "category-G"),
    ("O", "category-O"),
];

/// The value of the form's own field `name` (`_etag`, `_key`).
pub fn own<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

use super::api::Reply;
use super::form::{Form, Sent, to_json};
use super::reads::{self, Read};
use super::show::Fmt;
use super::{Failure, Web, refused};
use crate::http::records::ListPage;
use axum::http::{HeaderMap, HeaderName, Method};
use axum::response::Response;
use maud::Markup;

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

/// A page of a list and the account's way of writing amounts and dates, read together.
pub async fn listed<T: serde::de::DeserializeOwned>(
    web: &Web,
    headers: &HeaderMap,
    list: Read<ListPage<T>>,
) -> Result<(ListPage<T>, Fmt), Failure> {
    let (page, fmt) = tokio::join!(web.api.read(headers, list), fmt(web, headers));
    Ok((page?, fmt?))
}

/// The account's way of writing amounts and dates.
pub async fn fmt(web: &Web, headers: &HeaderMap) -> Result<Fmt, Failure> {
    let settings = web.api.read(headers, reads::settings()).await?;
    Ok(Fmt::of(&settings.record))
}

//! The web app's pages, one module per part of the app.

pub mod account;
pub mod auth;
pub mod dashboard;
pub mod documents;
pub mod records;

use axum::Form as Submitted;

/// A submitted form, as its (name, value) pairs in order.
pub type Fields = Submitted<Vec<(String, String)>>;

/// The value of the form's own field `name` (`_etag`, `_key`).
pub fn own<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

//! The owner's language and way of writing numbers in the web app: the account's locale (its
//! settings), or before a login the browser's `Accept-Language`.
//!
//! - Each request's locale is kept for the time the request is served (a task-local), so a
//!   page's helpers ask [`t`] for a text without every function passing the language on.
//! - The locale rides in a `__Host-ui` cookie that says nothing but the locale (`de-DE`): set when the
//!   owner saves settings, cleared at login and logout, and read from the account's settings
//!   once when a signed-in browser lacks it, so a page costs no extra call to the API.
//! - Texts are Project Fluent messages (`lib/locales/<lang>/app.ftl`); a test fails naming any
//!   message a language lacks.

use std::future::Future;

use axum::http::{HeaderMap, HeaderValue, header};

use crate::render::locale::Format;
use crate::render::messages::{Messages, app_messages};

/// The cookie that carries the owner's locale between pages.
pub const COOKIE: &str = "__Host-ui";

/// One request's locale.
#[derive(Clone)]
pub struct Ui {
    locale: String,
    messages: &'static Messages,
    format: Format,
}

tokio::task_local! {
    static UI: Ui;
}

impl Ui {
    /// The locale of a BCP 47 tag; its texts are English when the app is not written in its
    /// language, its numbers still its own.
    pub fn of(locale: &str) -> Self {
        Self {
            locale: locale.to_owned(),
            messages: app_messages(locale),
            format: Format::of(locale),
        }
    }

    /// Serves `work` in this locale.
    pub async fn scope<F: Future>(self, work: F) -> F::Output {
        UI.scope(self, work).await
    }
}

/// Reads the request's locale; outside a request (a unit test), English.
fn with<R>(read: impl Fn(&Ui) -> R) -> R {
    UI.try_with(&read).unwrap_or_else(|_| read(&Ui::of("en")))
}

/// The text `id` in the request's language.
pub fn t(id: &str) -> String {
    with(|ui| ui.messages.text(id))
}

/// The text `id` with its arguments.
pub fn t_with(id: &str, args: &[(&str, &str)]) -> String {
    with(|ui| ui.messages.with(id, args))
}

/// A country's name in the request's language.
pub fn country(code: &str) -> String {
    with(|ui| ui.messages.country(code))
}

/// The language the page is written in (its `lang` attribute).
pub fn language() -> &'static str {
    with(|ui| ui.messages.language())
}

/// The request's locale (`de-DE`).
pub fn locale() -> String {
    with(|ui| ui.locale.clone())
}

/// The request's way of writing numbers.
pub fn format() -> Format {
    with(|ui| ui.format)
}

/// The browser's first language (`Accept-Language`), if it names one.
pub fn accepted(headers: &HeaderMap) -> Option<String> {
    let header = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    Some(
        crate::domain::values::Locale::preferred(header)?
            .as_str()
            .to_owned(),
    )
}

/// The `ui` cookie's locale, if it holds a valid one.
pub fn from_cookie(headers: &HeaderMap) -> Option<String> {
    crate::auth::cookie::named(headers, COOKIE)
        .filter(|value| crate::domain::values::Locale::parse(value).is_ok())
}

/// The `Set-Cookie` value that keeps `locale` for the next pages.
pub fn cookie(locale: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={locale}; Path=/; Max-Age=31536000; Secure; HttpOnly; SameSite=Lax"
    ))
    .unwrap_or_else(|_| clear())
}

/// The `Set-Cookie` value that forgets the locale (the next page reads the account's).
pub fn clear() -> HeaderValue {
    HeaderValue::from_static("__Host-ui=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::messages::app_messages;

    fn headers(accept: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(accept).unwrap(),
        );
        headers
    }

    #[test]
    fn the_browser_s_first_language_by_weight() {
        assert_eq!(
            accepted(&headers("de-DE,de;q=0.9,en;q=0.8")).as_deref(),
            Some("de-DE")
        );
        assert_eq!(accepted(&headers("*")), None);
        assert_eq!(accepted(&HeaderMap::new()), None);
    }

    #[tokio::test]
    async fn texts_follow_the_request_s_locale() {
        let german = Ui::of("de-DE").scope(async { (t("nav-invoices"), format().read("1.234,5")) });
        assert_eq!(
            german.await,
            ("Rechnungen".to_owned(), Some("1234.5".to_owned()))
        );
        assert_eq!(t("nav-invoices"), "Invoices");
        let swedish = Ui::of("sv-SE")
            .scope(async { (t("nav-invoices"), language()) })
            .await;
        assert_eq!(swedish, ("Invoices".to_owned(), "en"));
    }

    /// The message ids the web app's source names: each literal given to `t` or `t_with`,
    /// and each literal of the id tables (`("EUR", "currency-EUR")`).
    fn named_in_source() -> Vec<String> {
        const TABLES: &[&str] = &[
            "nav-",
            "category-",
            "currency-",
            "method-",
            "dataset-",
            "status-",
            "series-",
            "any-",
            "field-",
            "address-",
            "col-",
        ];
        let mut named = Vec::new();
        let mut files = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/web"
        ))];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for (at, _) in source.match_indices('"') {
                let rest = &source[at + 1..];
                let Some(end) = rest.find('"') else { continue };
                let literal = &rest[..end];
                let called = ["t(", "t_with(", "label("].iter().any(|f| {
                    source[..at].strip_suffix(f).is_some_and(|before| {
                        !before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
                    })
                });
                let tabled = TABLES
                    .iter()
                    .any(|p| literal.starts_with(p) && literal.len() > p.len());
                let id_like = literal
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if (called || tabled) && id_like {
                    named.push(literal.to_owned());
                }
            }
        }
        named
    }

    #[test]
    fn every_message_the_pages_name_is_written() {
        use crate::domain::invoice::InvoiceStatus;
        use crate::domain::proposal::ProposalStatus;
        let mut named = named_in_source();
        assert!(named.len() > 200, "{}", named.len());
        // Ids the pages make from a value.
        named.extend(
            InvoiceStatus::ALL
                .iter()
                .map(|s| format!("status-{}", s.as_str())),
        );
        named.extend(
            ProposalStatus::ALL
                .iter()
                .map(|s| format!("status-{}", s.as_str())),
        );
        for outcome in [
            "success",
            "wrong_password",
            "unknown_email",
            "locked",
            "session_ended",
        ] {
            named.push(format!("outcome-{outcome}"));
        }
        for kind in ["customer", "service"] {
            for what in [
                "add-a", "add", "new", "search", "matches", "none-yet", "delete",
            ] {
                named.push(format!("{kind}-{what}"));
            }
        }
        for kind in ["proposal", "invoice"] {
            for what in ["new", "start", "draft"] {
                named.push(format!("{kind}-{what}"));
            }
        }
        for series in ["invoices", "credit-notes", "proposals"] {
            named.push(format!("series-{series}-raise"));
        }
        let english = app_messages("en");
        let missing: Vec<&String> = named.iter().filter(|id| !english.has(id)).collect();
        assert!(missing.is_empty(), "no message for {missing:?}");
    }
}

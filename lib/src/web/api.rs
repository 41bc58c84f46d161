//! The API: the web app's only way to read or change an account.
//!
//! A page or a form is turned into the same request a client of `/v1` would send, carrying the
//! browser's own cookies and `Origin`. So every rule holds exactly as for the API: parsing,
//! validation, the session check, the CSRF check, idempotency, `If-Match`, the audit trail.
//!
//! - In AWS the request goes over HTTPS to the API's own functions, each with its own narrow
//!   role: the web function holds no right to the table, the bucket or any key.
//! - Locally (`make dev`, the tests) it is handed to the API's router in this process.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt as _;

use crate::http::session::CSRF_HEADER;
use crate::web::ui::{t, t_with};

/// Where the API is.
#[derive(Clone)]
pub enum Api {
    /// The whole API's router, as the functions serve it, in this process.
    InProcess(Router),
    /// The API on the site's own origin, reached over HTTPS: the origin the browser asked
    /// for when it is one of `origins` (the allowed origins: the API and the pages share one),
    /// else the first of them. No other host is ever called.
    Remote {
        origins: Vec<String>,
        client: reqwest::Client,
    },
}

/// What the API answered.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// An answer that is not a success, as a form shows it: a message, and a detail per field.
#[derive(Debug, Default, Clone)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
    pub fields: Vec<(String, String)>,
}

/// The largest API response the web app reads (a page of 100 documents is far below it).
const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;

impl Api {
    pub fn remote(origins: &[String]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !origins.is_empty(),
            "ALLOWED_ORIGINS is empty: the web app needs the site's origin"
        );
        // API Gateway's certificates (its own domain's, and ACM's for a custom domain) chain
        // to Amazon Trust Services: trusting those roots only, compiled in, a cold start reads
        // no certificate file (as the SDK's client, decision 0005).
        let roots = reqwest::Certificate::from_pem_bundle(crate::aws::AWS_TRUST_ROOTS.as_bytes())?;
        let client = reqwest::Client::builder()
            .tls_certs_only(roots)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(25))
            .build()?;
        Ok(Self::Remote {
            origins: origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_owned())
                .collect(),
            client,
        })
    }

    /// `GET path` for the browser that sent `from`.
    pub async fn get(&self, from: &HeaderMap, path: impl Into<String>) -> Reply {
        self.send(from, Method::GET, path, None, Vec::new()).await
    }

    /// A request to the API for the browser that sent `from`: its cookies and `Origin` go
    /// with it, with the CSRF header the web app's own guard has already required.
    pub async fn send(
        &self,
        from: &HeaderMap,
        method: Method,
        path: impl Into<String>,
        body: Option<&Value>,
        extra: Vec<(HeaderName, String)>,
    ) -> Reply {
        let path = path.into();
        let mut headers = HeaderMap::new();
        for name in [
            header::COOKIE,
            header::ORIGIN,
            header::USER_AGENT,
            header::ACCEPT_LANGUAGE,
            crate::http::client::FORWARDED_CLIENT.clone(),
        ] {
            for value in from.get_all(&name) {
                headers.append(&name, value.clone());
            }
        }
        headers.insert(CSRF_HEADER, HeaderValue::from_static("invoiceflow-web"));
        for (name, value) in extra {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        let body = match body {
            Some(json) => {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                serde_json::to_vec(json).unwrap_or_default()
            }
            None => Vec::new(),
        };
        let answered = match self {
            Self::InProcess(router) => in_process(router, method, &path, headers, body).await,
            Self::Remote { origins, client } => {
                let base = api_origin(origins, from.get(header::HOST));
                remote(client, method, &format!("{base}{path}"), headers, body).await
            }
        };
        match answered {
            Ok((status, headers, bytes)) => Reply {
                status,
                headers,
                body: if bytes.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
                },
            },
            Err(error) => Reply::internal(&format!("{error:#}")),
        }
    }
}

/// The origin the API is called on: the one the browser asked for (`Host`) if it is allowed,
/// else the first allowed one. Never a host the request names that is not allowed.
fn api_origin<'a>(origins: &'a [String], host: Option<&HeaderValue>) -> &'a str {
    let asked = host
        .and_then(|host| host.to_str().ok())
        .map(|host| format!("https://{host}"));
    asked
        .and_then(|asked| origins.iter().find(|origin| **origin == asked))
        .or_else(|| origins.first())
        .map(String::as_str)
        .unwrap_or_default()
}

type Answered = anyhow::Result<(StatusCode, HeaderMap, Vec<u8>)>;

async fn in_process(
    router: &Router,
    method: Method,
    path: &str,
    headers: HeaderMap,
    body: Vec<u8>,
) -> Answered {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::from(body))?;
    *request.headers_mut() = headers;
    let Ok(response) = router.clone().oneshot(request).await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_REPLY_BYTES).await?;
    Ok((parts.status, parts.headers, bytes.to_vec()))
}

async fn remote(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    headers: HeaderMap,
    body: Vec<u8>,
) -> Answered {
    let response = client
        .request(method, url)
        .headers(headers)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    anyhow::ensure!(
        bytes.len() <= MAX_REPLY_BYTES,
        "the API's reply is too large"
    );
    Ok((status, headers, bytes.to_vec()))
}

impl Reply {
    fn internal(cause: &str) -> Self {
        tracing::error!(cause, "the in-process API call could not be made");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            headers: HeaderMap::new(),
            body: Value::Null,
        }
    }

    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// A 401 that says the password was wrong, not that the session ended.
    pub fn is_wrong_password(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
            && self.body["type"]
                .as_str()
                .is_some_and(|kind| kind.ends_with("invalid-credentials"))
    }

    /// Whether the API refused with the problem type ending `kind`
    /// (`second-factor-required`, `reauthentication-required`).
    pub fn problem_is(&self, kind: &str) -> bool {
        !self.is_success()
            && self.body["type"]
                .as_str()
                .is_some_and(|t| t.rsplit(':').next() == Some(kind))
    }

    /// The `ETag` the API answered, for the `If-Match` of the next change.
    pub fn etag(&self) -> Option<String> {
        self.headers
            .get(header::ETAG)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    }

    /// The cookies the API set (a session, a device cookie, or their removal), for the browser.
    pub fn cookies(&self) -> impl Iterator<Item = &HeaderValue> {
        self.headers.get_all(header::SET_COOKIE).iter()
    }

    /// The API's problem+json, as a form shows it.
    pub fn refusal(&self) -> Refusal {
        let body = &self.body;
        let text = |name: &str| body[name].as_str().map(str::to_owned);
        let fields = body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|error| {
                        Some((
                            error["field"].as_str()?.to_owned(),
                            plain_detail(error["detail"].as_str().unwrap_or("refused")),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let message = match self.status.as_u16() {
            412 => "This was changed elsewhere (another window or another person) since you \
                    opened it, so your change was not saved. Reload the page to see the current \
                    version."
                .to_owned(),
            429 => {
                let minutes = self
                    .headers
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(|seconds| seconds.div_ceil(60).max(1));
                match minutes {
                    Some(m) => t_with("login-paused", &[("count", &m.to_string())]),
                    None => t("too-many-attempts"),
                }
            }
            500.. => t("server-failed"),
            _ => text("detail")
                .or_else(|| text("title"))
                .unwrap_or_else(|| t("request-refused")),
        };
        Refusal {
            status: self.status.as_u16(),
            message,
            fields,
        }
    }
}

/// serde's wording for a field left empty, said plainly.
fn plain_detail(detail: &str) -> String {
    if detail.starts_with("invalid type: null") || detail == "required" {
        t("required")
    } else {
        let mut chars = detail.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: Value) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            headers: HeaderMap::new(),
            body,
        }
    }

    #[test]
    fn a_problem_names_its_fields_plainly() {
        let refusal = reply(
            400,
            serde_json::json!({"title": "Invalid request", "detail": "A field was refused",
                "errors": [{"field": "name", "detail": "invalid type: null, expected a string"},
                           {"field": "lines[0].quantity", "detail": "must be above 0"}]}),
        )
        .refusal();
        assert_eq!(refusal.message, "A field was refused");
        assert_eq!(
            refusal.fields,
            vec![
                ("name".to_owned(), "Required.".to_owned()),
                ("lines[0].quantity".to_owned(), "Must be above 0".to_owned())
            ]
        );
    }

    #[test]
    fn the_api_is_called_only_on_an_allowed_origin() {
        let origins = vec![
            "https://app.example.com".to_owned(),
            "https://abc.execute-api.eu-west-1.amazonaws.com".to_owned(),
        ];
        let host = |h: &'static str| HeaderValue::from_static(h);
        assert_eq!(
            api_origin(
                &origins,
                Some(&host("abc.execute-api.eu-west-1.amazonaws.com"))
            ),
            "https://abc.execute-api.eu-west-1.amazonaws.com"
        );
        for other in [
            "evil.example.net",
            "app.example.com.evil.net",
            "169.254.169.254",
        ] {
            assert_eq!(
                api_origin(&origins, Some(&host(other))),
                "https://app.example.com"
            );
        }
        assert_eq!(api_origin(&origins, None), "https://app.example.com");
    }

    #[test]
    fn a_locked_login_says_for_how_long() {
        let mut locked = reply(429, serde_json::json!({"title": "Too many requests"}));
        locked
            .headers
            .insert(header::RETRY_AFTER, HeaderValue::from_static("600"));
        assert_eq!(
            locked.refusal().message,
            "Too many attempts. For your safety, logging in to this account is paused: try again \
             in 10 minutes."
        );
    }

    #[test]
    fn a_stale_change_says_so() {
        assert!(
            reply(412, Value::Null)
                .refusal()
                .message
                .contains("changed elsewhere")
        );
    }
}

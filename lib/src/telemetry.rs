//! Structured JSON logs. Lambda's log format and level settings are honoured; nothing personal
//! (names, emails, addresses, amounts, tokens) is ever logged.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Installs the process-wide subscriber once, at start-up: as `lambda_http`'s default one
/// (the level from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else INFO; JSON when
/// `AWS_LAMBDA_LOG_FORMAT` is `JSON`; no time, which CloudWatch adds, and no target), except
/// that a JSON line carries its request's span once, not again as a one-element span list: an
/// invocation serves one request, and CloudWatch Logs bills every byte ingested (`make cost`).
pub fn init() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|text| text.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    // `RUST_LOG`'s `target=level` directives, through `Targets`: `EnvFilter`'s span and field
    // filters would link a regular-expression engine into every function (about 180 KB).
    let targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| text.parse::<Targets>().ok())
        .unwrap_or_default();
    let targets = if targets.default_level().is_some() {
        targets
    } else {
        targets.with_default(level)
    };
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt().with_target(false).without_time();
    let installed = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .finish()
            .with(targets)
            .try_init()
    } else {
        builder.finish().with(targets).try_init()
    };
    // A second call (a test that starts two functions) keeps the first subscriber.
    drop(installed);
}

/// The request being served: its id (API Gateway's when it sent one, else a fresh ULID), which
/// names it in every log line and audit item it causes and in `X-Request-Id`, and the client
/// that sent it, which every audit item it causes names too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId {
    pub id: String,
    pub client: Client,
}

impl RequestId {
    /// A request of the service's own (a scheduled pass, a queue's message): no client.
    pub fn internal(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            client: Client::default(),
        }
    }
}

/// Who sent a request, as far as we can tell: the address API Gateway saw (or the one the web
/// function vouched for, [`crate::http::client`]) and the `User-Agent` it gave. Both are the
/// client's to choose in part (a proxy's address, any text), so they are a record, never a
/// credential.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
}

/// The most of a `User-Agent` an audit item keeps.
pub const MAX_USER_AGENT_BYTES: usize = 256;

impl Client {
    /// The client of `ip` that said it was `user_agent` (cut at [`MAX_USER_AGENT_BYTES`],
    /// control characters dropped).
    pub fn new(ip: Option<std::net::IpAddr>, user_agent: Option<&str>) -> Self {
        let user_agent = user_agent.map(|agent| {
            let mut kept = String::new();
            for c in agent.chars().filter(|c| !c.is_control()) {
                if kept.len() + c.len_utf8() > MAX_USER_AGENT_BYTES {
                    break;
                }
                kept.push(c);
            }
            kept
        });
        Self {
            ip,
            user_agent: user_agent.filter(|agent| !agent.is_empty()),
        }
    }
}

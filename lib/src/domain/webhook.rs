//! Webhooks (issue 26): the events an account's changes produce, and the endpoints the owner
//! has them delivered to.
//!
//! - An event is written in the transaction of the change it reports (the outbox), so there
//!   is none without its change; it names its object by id and type, and nothing more.
//! - An endpoint is an HTTPS URL, the event types it wants and whether a payload carries the
//!   object or only its id (ids only unless the owner asks for more). Its signing secrets are
//!   `whsec_` and 32 random bytes, shown once; a rotated one keeps signing for a day beside
//!   the new, so a receiver can move over without a gap (Standard Webhooks).
//! - Messages are signed as Standard Webhooks specifies: HMAC-SHA256 over
//!   `<webhook-id>.<webhook-timestamp>.<body>`, each secret's as `v1,<base64>`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ids::WebhookEndpointId;
use super::{FieldError, Timestamp};

/// The most endpoints an account may hold.
pub const MAX_ENDPOINTS: usize = 100;
/// The longest URL an endpoint may have.
pub const MAX_URL_LENGTH: usize = 2_048;
/// What a signing secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// The random bytes of a signing secret.
const SECRET_BYTES: usize = 32;
/// How long a rotated-out secret keeps signing beside the new one.
pub const ROTATION_OVERLAP_SECONDS: i64 = 24 * 60 * 60;
/// An endpoint that has failed every delivery for this long is disabled, and the owner told.
pub const FAILING_LIMIT_SECONDS: i64 = 3 * 24 * 60 * 60;
/// How long events and delivery logs are kept.
pub const KEPT_SECONDS: i64 = 30 * 24 * 60 * 60;

/// The pauses before each retry of a failed delivery: the first attempt at once, then these,
/// about three days in all (71 h 35 min 5 s); the same `webhook-id` every time.
pub const RETRY_PAUSES_SECONDS: &[u64] = &[
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    20 * 3600,
];

/// What happened, as a webhook names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "invoice.issued")]
    InvoiceIssued,
    #[serde(rename = "invoice.sent")]
    InvoiceSent,
    #[serde(rename = "invoice.paid")]
    InvoicePaid,
    #[serde(rename = "invoice.overdue")]
    InvoiceOverdue,
    #[serde(rename = "invoice.voided")]
    InvoiceVoided,
    #[serde(rename = "invoice.reminded")]
    InvoiceReminded,
    #[serde(rename = "payment.recorded")]
    PaymentRecorded,
    #[serde(rename = "payment.deleted")]
    PaymentDeleted,
    #[serde(rename = "proposal.sent")]
    ProposalSent,
    #[serde(rename = "proposal.accepted")]
    ProposalAccepted,
    #[serde(rename = "proposal.declined")]
    ProposalDeclined,
    #[serde(rename = "credit_note.issued")]
    CreditNoteIssued,
    #[serde(rename = "document.delivered")]
    DocumentDelivered,
    #[serde(rename = "document.bounced")]
    DocumentBounced,
    /// Sent only by the owner's "send a test event", to the one endpoint.
    #[serde(rename = "webhook.test")]
    Test,
}

impl EventType {
    /// Every type an endpoint may ask for.
    pub const ALL: &[Self] = &[
        Self::InvoiceIssued,
        Self::InvoiceSent,
        Self::InvoicePaid,
        Self::InvoiceOverdue,
        Self::InvoiceVoided,
        Self::InvoiceReminded,
        Self::PaymentRecorded,
        Self::PaymentDeleted,
        Self::ProposalSent,
        Self::ProposalAccepted,
        Self::ProposalDeclined,
        Self::CreditNoteIssued,
        Self::DocumentDelivered,
        Self::DocumentBounced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvoiceIssued => "invoice.issued",
            Self::InvoiceSent => "invoice.sent",
            Self::InvoicePaid => "invoice.paid",
            Self::InvoiceOverdue => "invoice.overdue",
            Self::InvoiceVoided => "invoice.voided",
            Self::InvoiceReminded => "invoice.reminded",
            Self::PaymentRecorded => "payment.recorded",
            Self::PaymentDeleted => "payment.deleted",
            Self::ProposalSent => "proposal.sent",
            Self::ProposalAccepted => "proposal.accepted",
            Self::ProposalDeclined => "proposal.declined",
            Self::CreditNoteIssued => "credit_note.issued",
            Self::DocumentDelivered => "document.delivered",
            Self::DocumentBounced => "document.bounced",
            Self::Test => "webhook.test",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .chain([&Self::Test])
            .copied()
            .find(|kind| kind.as_str() == text)
    }
}

/// What a payload carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayloadContent {
    /// The object's id and type only: the receiver reads the rest with an API key.
    #[default]
    Ids,
    /// The object as the API shows it when the event is delivered.
    Object,
}

/// One event: the change it reports happened, and committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventType,
    /// The object's id (`inv_…`, `pay_…`, `pro_…`, `crn_…`).
    pub object: String,
    pub occurred_at: Timestamp,
    /// The endpoints it is delivered to, as they were subscribed when it was written.
    #[serde(default)]
    pub targets: Vec<WebhookEndpointId>,
}

impl Event {
    /// The object's type, from its id's prefix (`inv_…` is an invoice).
    pub fn object_type(&self) -> &'static str {
        match self.object.split('_').next() {
            Some("inv") => "invoice",
            Some("pay") => "payment",
            Some("pro") => "proposal",
            Some("crn") => "credit_note",
            Some("whe") => "webhook_endpoint",
            _ => "object",
        }
    }
}

/// An endpoint to make.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndpoint {
    /// Where events are posted: `https://`, at most 2,048 characters, to a public address.
    #[schema(
        example = "https://books.example.com/hooks/invoiceflow",
        max_length = 2048
    )]
    pub url: String,
    /// The event types wanted (at least one).
    #[schema(value_type = Vec<String>, example = json!(["invoice.issued", "payment.recorded"]))]
    pub events: Vec<String>,
    #[serde(default)]
    pub payload: PayloadContent,
    /// What the owner calls it.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub description: Option<String>,
}

/// A change to an endpoint; each field given replaces the endpoint's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    #[schema(value_type = Option<Vec<String>>)]
    pub events: Option<Vec<String>>,
    pub payload: Option<PayloadContent>,
    #[schema(max_length = 200)]
    pub description: Option<String>,
    /// `false` stops every delivery not yet made, queued and retrying ones too; `true` starts
    /// again with the next event (what was skipped is not replayed).
    pub enabled: Option<bool>,
}

/// A signing secret, sealed with the endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningSecret {
    pub secret: String,
    /// When a rotated-out secret stops signing; `None` for the current one.
    #[serde(default)]
    pub until: Option<Timestamp>,
}

/// Why an endpoint is disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisabledBy {
    Owner,
    /// Every delivery failed for three days.
    Failing,
}

/// An endpoint as the account keeps it (sealed: its URL and secrets are the owner's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub url: String,
    pub events: Vec<EventType>,
    pub payload: PayloadContent,
    pub description: Option<String>,
    pub secrets: Vec<SigningSecret>,
    /// `None` while enabled.
    pub disabled: Option<DisabledBy>,
    /// Since when every delivery has failed; `None` after a success.
    #[serde(default)]
    pub failing_since: Option<Timestamp>,
}

/// Which enabled endpoints want which event types: one item per account, changed with the
/// endpoints in the same transaction, read (one GetItem) by every change that emits events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriptions {
    pub endpoints: Vec<Subscribed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribed {
    pub id: WebhookEndpointId,
    pub events: Vec<EventType>,
}

impl Subscriptions {
    /// The endpoint `id` wants `events` from now on, or nothing (`None`: disabled or deleted).
    pub fn set(&mut self, id: WebhookEndpointId, endpoint: Option<&Endpoint>) {
        self.endpoints.retain(|s| s.id != id);
        if let Some(endpoint) = endpoint.filter(|e| e.enabled()) {
            self.endpoints.push(Subscribed {
                id,
                events: endpoint.events.clone(),
            });
        }
    }

    /// The endpoints an event of `kind` about `object` goes to (a test event: the one
    /// endpoint it names).
    pub fn targets(&self, kind: EventType, object: &str) -> Vec<WebhookEndpointId> {
        self.endpoints
            .iter()
            .filter(|s| match kind {
                EventType::Test => s.id.to_string() == object,
                kind => s.events.contains(&kind),
            })
            .map(|s| s.id)
            .collect()
    }
}

/// An endpoint as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EndpointView {
    /// `whe_…`
    pub id: String,
    pub url: String,
    #[schema(value_type = Vec<String>)]
    pub events: Vec<EventType>,
    pub payload: PayloadContent,
    pub description: Option<String>,
    pub enabled: bool,
    /// Why it is disabled: by the owner, or after three days of failed deliveries.
    pub disabled_by: Option<DisabledBy>,
    /// Since when every delivery has failed.
    pub failing_since: Option<Timestamp>,
    pub created_at: Timestamp,
    pub version: u64,
    /// The signing secret: only in the answer that made the endpoint or rotated its secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Endpoint {
    pub fn enabled(&self) -> bool {
        self.disabled.is_none()
    }

    /// The secrets that sign at `now`: the current one and any rotated out less than a day ago.
    pub fn signing_secrets(&self, now: Timestamp) -> impl Iterator<Item = &str> {
        self.secrets
            .iter()
            .filter(move |s| s.until.is_none_or(|until| now < until))
            .map(|s| s.secret.as_str())
    }

    /// Puts `fresh` first and keeps the current secret signing until a day from `now`; secrets
    /// rotated out before are dropped.
    pub fn rotate(&mut self, fresh: String, now: Timestamp) {
        let until = now.plus_seconds(ROTATION_OVERLAP_SECONDS);
        self.secrets.retain(|s| s.until.is_none());
        for old in &mut self.secrets {
            old.until = Some(until);
        }
        self.secrets.insert(
            0,
            SigningSecret {
                secret: fresh,
                until: None,
            },
        );
    }
}

/// What one attempt to deliver an event came to: kept 30 days, never the bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryAttempt {
    /// The event's id: the `webhook-id` header, the same on every attempt.
    pub event_id: String,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: EventType,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub outcome: DeliveryOutcome,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why it failed or was not made, in words.
    pub detail: Option<String>,
    pub at: Timestamp,
    /// From the request's start to the answer's headers.
    pub response_ms: Option<u64>,
    /// When the next attempt is due, if there is one.
    pub next_attempt_at: Option<Timestamp>,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// It answered otherwise, did not answer in time, or could not be reached; tried again
    /// later unless `next_attempt_at` is empty.
    Failed,
    /// Not made: the endpoint was disabled or deleted, or its address is not public.
    Skipped,
}

/// A new signing secret from the operating system's CSPRNG: `whsec_` and 32 bytes in base64.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

/// The `webhook-signature` header: `v1,<base64 HMAC-SHA256>` for each secret, space-separated.
pub fn signature<'a>(
    secrets: impl IntoIterator<Item = &'a str>,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .into_iter()
        .filter_map(|secret| {
            let key = STANDARD
                .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
                .ok()?;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            Some(format!(
                "v1,{}",
                STANDARD.encode(mac.finalize().into_bytes())
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The event types named, each known; at least one, no more than there are.
pub fn event_types(names: &[String]) -> Result<Vec<EventType>, FieldError> {
    if names.is_empty() {
        return Err(FieldError::new("events", "name at least one event type"));
    }
    let mut kinds = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let kind = EventType::parse(name)
            .filter(|kind| *kind != EventType::Test)
            .ok_or_else(|| {
                FieldError::new(
                    format!("events[{i}]"),
                    format!(
                        "not an event type; one of {}",
                        EventType::ALL
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// A description: at most 200 characters, no control characters; blank is none.
pub fn description(text: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > 200 || text.chars().any(char::is_control) {
        return Err(FieldError::new(
            "description",
            "at most 200 characters, without control characters",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// Where a URL may point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Only HTTPS to public addresses: what the deployed product allows.
    PublicOnly,
    /// Also `http://` to a loopback address: local development and tests only, by an explicit
    /// setting the deployed template never sets.
    AlsoLoopback,
}

/// A URL an endpoint may have, as far as its text tells (its addresses are checked when it is
/// saved and again at every delivery): HTTPS, at most 2,048 characters, a host, no user or
/// password, no fragment; an IP address given literally must be public.
pub fn endpoint_url(text: &str, reach: Reach) -> Result<url::Url, FieldError> {
    let refuse = |why: &str| FieldError::new("url", why);
    if text.len() > MAX_URL_LENGTH {
        return Err(refuse("at most 2,048 characters"));
    }
    let url = url::Url::parse(text).map_err(|_| refuse("not a URL"))?;
    let loopback_http = reach == Reach::AlsoLoopback
        && url.scheme() == "http"
        && url
            .host()
            .is_some_and(|host| matches!(host_address(&host), Some(ip) if ip.is_loopback()));
    if url.scheme() != "https" && !loopback_http {
        return Err(refuse("must be https://"));
    }
    let Some(host) = url.host() else {
        return Err(refuse("must name a host"));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not carry a user name or password"));
    }
    if url.fragment().is_some() {
        return Err(refuse("must not have a fragment"));
    }
    if let Some(ip) = host_address(&host)
        && !may_reach(ip, reach)
    {
        return Err(refuse(
            "must not point at a loopback, private, link-local or other non-public address",
        ));
    }
    Ok(url)
}

fn host_address(host: &url::Host<&str>) -> Option<std::net::IpAddr> {
    match host {
        url::Host::Ipv4(ip) => Some((*ip).into()),
        url::Host::Ipv6(ip) => Some((*ip).into()),
        url::Host::Domain(_) => None,
    }
}

/// Whether a delivery may connect to `ip`: a public unicast address (or loopback where the
/// setting allows it). Loopback, private (RFC 1918, unique local), link-local (169.254.0.0/16,
/// the cloud's metadata service among them), shared (100.64.0.0/10), multicast, broadcast,
/// documentation, benchmarking, reserved and unspecified addresses are refused, and an IPv6
/// address that carries an IPv4 one is judged by it.
pub fn may_reach(ip: std::net::IpAddr, reach: Reach) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_loopback() {
                return reach == Reach::AlsoLoopback;
            }
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if v6.is_loopback() {
                return reach == Reach::AlsoLoopback;
            }
            if let Some(v4) = v6.to_ipv4_mapped() {
                return may_reach(IpAddr::V4(v4), reach);
            }
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
                || first == 0x0064 && v6.segments()[1] == 0xff9b // NAT64: an IPv4 inside
                || first == 0x2002 // 6to4: an IPv4 inside
                || (first == 0 && v6.segments()[1..6].iter().all(|s| *s == 0))) // IPv4-compatible
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn only_public_addresses_may_be_reached() {
        for refused in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:a00:1::1",
        ] {
            assert!(!may_reach(ip(refused), Reach::PublicOnly), "{refused}");
        }
        for allowed in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(may_reach(ip(allowed), Reach::PublicOnly), "{allowed}");
        }
        assert!(may_reach(ip("127.0.0.1"), Reach::AlsoLoopback));
        assert!(may_reach(ip("::1"), Reach::AlsoLoopback));
        assert!(!may_reach(ip("10.0.0.1"), Reach::AlsoLoopback));
    }

    #[test]
    fn a_url_is_https_to_a_host_and_a_loopback_one_only_where_allowed() {
        assert!(endpoint_url("https://hooks.example.com/in?x=1", Reach::PublicOnly).is_ok());
        for (text, why) in [
            ("http://hooks.example.com/", "https"),
            ("https://127.0.0.1/", "non-public"),
            ("https://[::1]/", "non-public"),
            ("https://10.0.0.1/", "non-public"),
            ("https://169.254.169.254/latest/meta-data", "non-public"),
            ("https://user:pw@hooks.example.com/", "password"),
            ("not a url", "not a URL"),
            ("http://127.0.0.1:9000/", "https"),
        ] {
            let error = endpoint_url(text, Reach::PublicOnly).expect_err(text);
            assert_eq!(error.field, "url");
            assert!(error.detail.contains(why), "{text}: {}", error.detail);
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(2_048));
        assert!(endpoint_url(&long, Reach::PublicOnly).is_err());
        assert!(endpoint_url("http://127.0.0.1:9000/in", Reach::AlsoLoopback).is_ok());
        assert!(endpoint_url("http://10.0.0.1/in", Reach::AlsoLoopback).is_err());
    }

    #[test]
    fn unknown_event_types_are_refused_by_their_place() {
        let kinds = event_types(&["invoice.issued".into(), "invoice.issued".into()]).expect("ok");
        assert_eq!(kinds, vec![EventType::InvoiceIssued]);
        let error =
            event_types(&["invoice.issued".into(), "invoice.eaten".into()]).expect_err("unknown");
        assert_eq!(error.field, "events[1]");
        assert!(event_types(&[]).is_err());
        assert!(event_types(&["webhook.test".into()]).is_err());
    }

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn the_signature_is_the_specification_s() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let signed = signature([secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_rotated_secret_signs_beside_the_new_one_for_a_day() {
        let now = Timestamp::from_unix_seconds(1_800_000_000).expect("a time");
        let mut endpoint = Endpoint {
            url: "https://hooks.example.com/".into(),
            events: vec![EventType::InvoiceIssued],
            payload: PayloadContent::Ids,
            description: None,
            secrets: vec![SigningSecret {
                secret: "whsec_b2xk".into(),
                until: None,
            }],
            disabled: None,
            failing_since: None,
        };
        endpoint.rotate("whsec_bmV3".into(), now);
        assert_eq!(
            endpoint.signing_secrets(now).collect::<Vec<_>>(),
            ["whsec_bmV3", "whsec_b2xk"]
        );
        let later = now.plus_seconds(ROTATION_OVERLAP_SECONDS);
        assert_eq!(
            endpoint.signing_secrets(later).collect::<Vec<_>>(),
            ["whsec_bmV3"]
        );
        endpoint.rotate("whsec_dGhpcmQ=".into(), later);
        assert_eq!(endpoint.secrets.len(), 2, "the expired one is dropped");
    }
}

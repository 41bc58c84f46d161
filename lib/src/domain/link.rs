//! A sent document's link to its own page, and what happened to the document after it left:
//! delivered, bounced, viewed, accepted, declined.
//!
//! The link's token (192 bits from the operating system's CSPRNG) is given once, in the
//! e-mail; the account keeps only its SHA-256, so neither a copy of the table nor an operator
//! can open a customer's page.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Timestamp;
use super::bearer;
use super::ids::LinkId;
use super::values::EmailAddress;

/// The random bytes of a token.
const TOKEN_BYTES: usize = 24;
/// A token as it is written in a link: base64url, unpadded.
pub const TOKEN_LENGTH: usize = TOKEN_BYTES * 4 / 3;

/// A link's secret, as it appears in `/d/<token>`. Never stored, never logged.
pub struct Token(String);

impl Token {
    /// A new token from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self(bearer::random::<TOKEN_BYTES>()?))
    }

    /// A token as a link carries it; `None` for anything that cannot be one (so a malformed
    /// path costs no read).
    pub fn parse(text: &str) -> Option<Self> {
        bearer::well_formed(text, TOKEN_LENGTH).then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the account keeps: the SHA-256 of the token, in hex.
    pub fn digest(&self) -> String {
        bearer::digest(&self.0)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

/// One link to a document's page, as the owner sees it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentLink {
    /// The link's id, to revoke it.
    pub id: LinkId,
    /// The SHA-256 of its token (hex): what finds it. The token itself is kept nowhere.
    pub digest: String,
    pub created_at: Timestamp,
    /// After this the page answers as if the link never existed.
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// When the page was first opened through it.
    pub viewed_at: Option<Timestamp>,
}

/// What happened to a document after it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryEvent {
    /// The recipient's mail server accepted the message.
    Delivered,
    /// The message could not be delivered; a permanent bounce suppresses the address.
    Bounced,
    /// The recipient marked the message as spam; the address is suppressed.
    Complained,
    /// Amazon SES did not send the message (a virus in it, for example).
    Rejected,
    /// The customer first opened the document's page through a link.
    Viewed,
    /// The customer accepted the proposal on its page.
    Accepted,
    /// The customer declined the proposal on its page.
    Declined,
}

impl DeliveryEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Bounced => "bounced",
            Self::Complained => "complained",
            Self::Rejected => "rejected",
            Self::Viewed => "viewed",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }
}

/// One entry of a document's delivery history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub event: DeliveryEvent,
    pub at: Timestamp,
    /// The address it concerns (a delivery, a bounce).
    pub recipient: Option<EmailAddress>,
    /// The message it concerns (Amazon SES's id).
    pub message_id: Option<String>,
    /// What the mail service said (a bounce's kind), or the link's id for a view.
    pub detail: Option<String>,
}

/// The customer's acceptance of a proposal on its page: who, when, from where, and exactly
/// what they were shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Acceptance {
    /// The name the customer typed.
    pub name: String,
    pub at: Timestamp,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    /// The SHA-256 of the PDF the page offered, in hex: the file the customer agreed to.
    pub pdf_sha256: String,
}

/// Why an address gets no more of the account's mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    /// A permanent bounce: the address does not exist or refuses mail for good.
    Bounced,
    /// The recipient marked the account's message as spam.
    Complained,
}

/// An address the account's documents are no longer sent to, until the owner clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Suppression {
    pub address: EmailAddress,
    pub reason: SuppressionReason,
    pub at: Timestamp,
    /// The message whose bounce or complaint suppressed it.
    pub message_id: Option<String>,
}

/// A document that keeps links and a delivery history.
/// The audit actions of what happens to a sent document: `invoice.viewed`, …
#[derive(Debug, Clone, Copy)]
pub struct TrackedActions {
    pub viewed: &'static str,
    pub link_made: &'static str,
    pub link_revoked: &'static str,
    pub delivered: &'static str,
    pub bounced: &'static str,
    pub complained: &'static str,
    pub rejected: &'static str,
}

pub trait Tracked: Clone {
    /// Its audit actions once sent.
    const TRACKED: TrackedActions;
    fn links(&self) -> &[DocumentLink];
    fn links_mut(&mut self) -> &mut Vec<DocumentLink>;
    fn deliveries(&self) -> &[Delivery];
    fn deliveries_mut(&mut self) -> &mut Vec<Delivery>;

    /// The document with `delivery` added to its history.
    fn with_delivery(&self, delivery: Delivery) -> Self {
        let mut next = self.clone();
        next.deliveries_mut().push(delivery);
        next
    }

    /// The document with every link that still opens its page revoked at `now`, and the
    /// digests of those links (whose index items the same transaction revokes).
    fn links_revoked(&self, now: Timestamp) -> (Self, Vec<String>) {
        let mut next = self.clone();
        let mut digests = Vec::new();
        for link in next.links_mut() {
            if link.revoked_at.is_none() && link.expires_at > now {
                link.revoked_at = Some(now);
                digests.push(link.digest.clone());
            }
        }
        (next, digests)
    }

    /// Its links that still open its page at `now`.
    fn live_links(&self, now: Timestamp) -> Vec<&DocumentLink> {
        self.links()
            .iter()
            .filter(|link| link.revoked_at.is_none() && link.expires_at > now)
            .collect()
    }
}

/// Implements [`Tracked`] for a document with `links` and `deliveries` fields.
macro_rules! tracked {
    ($document:ty, $name:literal) => {
        impl $crate::domain::link::Tracked for $document {
            const TRACKED: $crate::domain::link::TrackedActions =
                $crate::domain::link::TrackedActions {
                    viewed: concat!($name, ".viewed"),
                    link_made: concat!($name, ".link_made"),
                    link_revoked: concat!($name, ".link_revoked"),
                    delivered: concat!($name, ".delivered"),
                    bounced: concat!($name, ".bounced"),
                    complained: concat!($name, ".complained"),
                    rejected: concat!($name, ".rejected"),
                };
            fn links(&self) -> &[$crate::domain::link::DocumentLink] {
                &self.links
            }
            fn links_mut(&mut self) -> &mut Vec<$crate::domain::link::DocumentLink> {
                &mut self.links
            }
            fn deliveries(&self) -> &[$crate::domain::link::Delivery] {
                &self.deliveries
            }
            fn deliveries_mut(&mut self) -> &mut Vec<$crate::domain::link::Delivery> {
                &mut self.deliveries
            }
        }
    };
}
pub(crate) use tracked;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_192_random_bits_and_only_its_digest_finds_it() {
        let a = Token::generate().expect("the CSPRNG");
        let b = Token::generate().expect("the CSPRNG");
        assert_eq!(a.as_str().len(), TOKEN_LENGTH);
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.digest().len(), 64);
        assert!(!a.digest().contains(a.as_str()));
        let parsed = Token::parse(a.as_str()).expect("a token parses back");
        assert_eq!(parsed.digest(), a.digest());
        assert_eq!(format!("{a:?}"), "Token(…)");
    }

    #[test]
    fn anything_but_a_token_is_not_parsed() {
        let token = Token::generate().expect("the CSPRNG");
        let short = &token.as_str()[1..];
        let long = format!("{}A", token.as_str());
        let odd = format!("{}%", &token.as_str()[1..]);
        for text in ["", short, &long, &odd, "../../../../../../../etc/passwd"] {
            assert!(Token::parse(text).is_none(), "{text}");
        }
    }
}

//! Identifiers: ULIDs, shown in the API with a type prefix (`cus_01J…`).
//!
//! ULIDs sort by creation time, so a tenant's items come back from a Query in creation order.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use ulid::{Generator, Ulid};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct IdError {
    pub kind: &'static str,
}

/// A fresh ULID, strictly increasing within this process so that items created in the same
/// millisecond still list in creation order.
pub(crate) fn next_ulid() -> Ulid {
    static GENERATOR: Mutex<Option<Generator>> = Mutex::new(None);
    let mut guard = GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let generator = guard.get_or_insert_with(Generator::new);
    // Overflow needs 2^80 ids in one millisecond; fall back to a random one rather than fail.
    generator.generate().unwrap_or_else(|_| Ulid::generate())
}

/// Declares a prefixed id type: `Display`/`FromStr`/serde as `<prefix>_<ULID>`.
macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Ulid);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// The ULID, as it appears inside storage keys.
            pub fn ulid(&self) -> Ulid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}_{}", $prefix, self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl $name {
            fn parse_text(s: &str) -> Result<Self, IdError> {
                s.strip_prefix(concat!($prefix, "_"))
                    .and_then(|rest| Ulid::from_string(rest).ok())
                    .map(Self)
                    .ok_or(IdError { kind: $kind })
            }

            /// The id whose ULID appears in a storage key.
            #[allow(dead_code)]
            pub(crate) fn from_ulid(ulid: Ulid) -> Self {
                Self(ulid)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}

/// Makes an id type parseable from text and JSON (every id the API accepts from clients).
macro_rules! parseable_id {
    ($($name:ident),*) => {$(
        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse_text(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(format!("A {} id: `{}_` and a ULID.", stringify!($name), $name::PREFIX)))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

prefixed_id!(
    /// One InvoiceFlow account: the unit of tenancy.
    ///
    /// Only a verified session (or account creation) can produce one, so a handler that holds a
    /// `TenantId` has proved who is asking. It is never parsed from a path, query or body.
    TenantId, "acc", "account"
);

impl TenantId {
    /// The account a purge-queue entry names (an account already deleted, never a session).
    pub(crate) fn from_purge_queue(ulid: ulid::Ulid) -> Self {
        Self(ulid)
    }

    /// The account an entry of the index of due work names (the scheduled passes).
    pub(crate) fn from_due_index(ulid: ulid::Ulid) -> Self {
        Self(ulid)
    }

    /// A new account's id: only account creation calls this.
    pub(crate) fn generate() -> Self {
        Self(next_ulid())
    }

    /// The tenant named by a session token whose signature and claims were verified.
    pub(crate) fn from_verified_claim(text: &str) -> Result<Self, IdError> {
        Self::parse_text(text)
    }

    /// Test helper: a fresh tenant without a session. Not compiled into the functions.
    #[cfg(any(test, feature = "test-util"))]
    pub fn for_tests() -> Self {
        Self(next_ulid())
    }

    /// Test helper: a tenant named in text (e.g. handed to a benchmark's child process).
    #[cfg(any(test, feature = "test-util"))]
    pub fn parse_for_tests(text: &str) -> Result<Self, IdError> {
        Self::parse_text(text)
    }
}

impl utoipa::PartialSchema for TenantId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An account id: `acc_` and a ULID."))
            .into()
    }
}

impl utoipa::ToSchema for TenantId {}

/// Declares an id a client may name and the API may create: one line per id, which makes it
/// parseable from text and JSON, documented in the OpenAPI document and generated afresh.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        prefixed_id!($(#[$doc])* $name, $prefix, $kind);
        parseable_id!($name);

        impl $name {
            pub fn generate() -> Self {
                Self(next_ulid())
            }
        }
    };
}

id!(
    /// A login identity within an account.
    UserId, "usr", "user"
);
id!(
    /// A customer of the account's business.
    CustomerId, "cus", "customer"
);
id!(
    /// An entry in the account's catalogue of services.
    ServiceId, "svc", "service"
);
id!(
    /// A proposal (quote) sent to a customer.
    ProposalId, "pro", "proposal"
);
id!(
    /// An invoice.
    InvoiceId, "inv", "invoice"
);
id!(
    /// A recurring invoice: a template and a schedule.
    RecurringInvoiceId, "rec", "recurring invoice"
);
id!(
    /// A credit note: a correction of an issued invoice.
    CreditNoteId, "crn", "credit note"
);
id!(
    /// A payment recorded against an invoice.
    PaymentId, "pay", "payment"
);
id!(
    /// A CSV export.
    ExportId, "exp", "export"
);
id!(
    /// A link to a sent document's page (not its token, which is never kept).
    LinkId, "lnk", "link"
);
id!(
    /// An API key a program uses instead of the owner's session (not its secret, never kept).
    ApiKeyId, "key", "API key"
);
id!(
    /// A webhook endpoint: where the account's events are posted.
    WebhookEndpointId, "whe", "webhook endpoint"
);
id!(
    /// An event: a change that committed, as webhooks report it.
    EventId, "evt", "event"
);
id!(
    /// One login session (the token's `jti`).
    SessionId, "ses", "session"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_through_its_text_form() {
        let id = CustomerId::generate();
        let text = id.to_string();
        assert!(text.starts_with("cus_"), "{text}");
        assert_eq!(text.parse::<CustomerId>(), Ok(id));
    }

    #[test]
    fn an_id_with_another_prefix_is_rejected() {
        let text = InvoiceId::generate().to_string();
        assert_eq!(
            text.parse::<CustomerId>(),
            Err(IdError { kind: "customer" })
        );
    }

    #[test]
    fn garbage_is_rejected_without_panicking() {
        for input in [
            "",
            "cus_",
            "cus_!!",
            "cus_01ARZ3NDEKTSV4RRFFQ69G5FAVX",
            "ÿÿÿ",
            "cus",
        ] {
            assert!(input.parse::<CustomerId>().is_err(), "{input:?}");
        }
    }

    #[test]
    fn ids_generated_in_a_row_sort_in_creation_order() {
        let ids: Vec<_> = (0..1000).map(|_| CustomerId::generate()).collect();
        let mut sorted = ids.clone();
        sorted.sort_by_key(|id| id.ulid().to_string());
        assert_eq!(ids, sorted);
    }
}

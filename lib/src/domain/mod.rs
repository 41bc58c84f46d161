//! Pure types and rules: no I/O, no AWS types.

pub mod account;
pub mod api_key;
mod bearer;
pub mod catalogue;
pub mod credit_note;
pub mod customer;
mod days;
pub mod document;
pub mod endpoint;
pub mod ids;
pub mod invoice;
pub mod link;
pub mod money;
pub mod patch;
pub mod payment;
pub mod pricing;
pub mod proposal;
pub mod recurrence;
pub mod recurring;
pub mod reference;
pub mod reminders;
pub mod second_factor;
pub mod sending;
pub mod settings;
pub mod summary;
pub mod tax;
pub mod throttle;
pub mod time;
pub mod trail;
pub mod values;
pub mod webhook;

pub use ids::{IdError, SessionId, TenantId, UserId};
pub use time::Timestamp;

/// One field of a request that was refused, named by its JSON path (`billing_address.country`)
/// or by the query parameter or header it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            detail: detail.into(),
        }
    }
}

//! Pure types and rules: no I/O, no AWS types.

pub mod account;
pub mod catalogue;
pub mod customer;
pub mod ids;
pub mod money;
pub mod patch;
pub mod pricing;
pub mod settings;
pub mod throttle;
pub mod time;
pub mod values;

pub use ids::{IdError, SessionId, TenantId, UserId};
pub use time::Timestamp;

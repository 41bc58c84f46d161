//! Pure types and rules: no I/O, no AWS types.

pub mod ids;
pub mod time;

pub use ids::{IdError, TenantId};
pub use time::Timestamp;

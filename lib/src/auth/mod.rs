//! Passwords, session tokens, the email index and the failed-login rule.
//!
//! See docs/decisions/0006-sessions.md.

pub mod cookie;
pub mod device;
pub mod password;
pub mod service_key;
pub mod token;

pub use password::Password;
pub use service_key::ServiceKey;
pub use token::{Claims, SessionSigner, TokenError, VerifiedSession};

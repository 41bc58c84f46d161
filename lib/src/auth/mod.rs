//! Passwords, session tokens, the email index and the failed-login rule.
//!
//! See docs/decisions/0006-sessions.md.

pub mod clock;
pub mod cookie;
pub mod email_index;
pub mod password;
pub mod throttle;
pub mod token;

pub use clock::Clock;
pub use email_index::EmailIndex;
pub use password::Password;
pub use token::{Claims, SessionSigner, TokenError, VerifiedSession};

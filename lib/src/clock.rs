//! The one clock: every "now" of a request (timestamps, session expiry, the failed-login
//! window, export links, later due dates) is read from it. Built once per cold start in the
//! state; tests move it forward to watch windows and expiries pass without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

use crate::domain::Timestamp;

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// Now, at millisecond precision.
    pub fn now(&self) -> Timestamp {
        let offset = time::Duration::seconds(self.offset_seconds.load(Ordering::Relaxed));
        Timestamp::from_datetime(OffsetDateTime::now_utc().saturating_add(offset))
    }

    /// Now, in unix seconds.
    pub fn unix(&self) -> i64 {
        self.now().unix_seconds()
    }

    /// Moves this clock (and every clone of it) forward.
    #[cfg(any(test, feature = "test-util"))]
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clone_moves_together() {
        let clock = Clock::default();
        let other = clock.clone();
        let before = other.unix();
        clock.advance(900);
        assert!(other.unix() >= before + 900);
    }
}

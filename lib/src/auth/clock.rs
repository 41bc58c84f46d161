//! The time the failed-login rule reads: the system's, and movable in tests so that a lockout
//! can be watched to expire without waiting 15 minutes.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in unix seconds.
    pub fn now(&self) -> i64 {
        let system = time::OffsetDateTime::now_utc().unix_timestamp();
        system.saturating_add(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward.
    #[cfg(any(test, feature = "test-util"))]
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

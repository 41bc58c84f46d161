//! The failed-login rule: more than 10 failures for one address within 15 minutes lock it
//! until the window that they fell in has passed. Counted per address, known or not, so the
//! lockout itself says nothing about whether an account exists.

use crate::store::LoginFailures;

pub const MAX_FAILURES: u32 = 10;
pub const WINDOW_SECONDS: i64 = 15 * 60;

/// Seconds until the address may try again, if it is locked now.
pub fn locked_for(failures: LoginFailures, now: i64) -> Option<u64> {
    let window_ends = failures.since.saturating_add(WINDOW_SECONDS);
    if failures.count > MAX_FAILURES && now < window_ends {
        u64::try_from(window_ends - now).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    fn failures(count: u32) -> LoginFailures {
        LoginFailures { count, since: T0 }
    }

    #[test]
    fn ten_failures_do_not_lock_the_eleventh_does() {
        assert_eq!(locked_for(failures(10), T0 + 1), None);
        assert_eq!(locked_for(failures(11), T0 + 60), Some(840));
    }

    #[test]
    fn the_lock_ends_with_its_window() {
        assert_eq!(locked_for(failures(50), T0 + WINDOW_SECONDS), None);
        assert_eq!(locked_for(failures(50), T0 + WINDOW_SECONDS - 1), Some(1));
    }
}

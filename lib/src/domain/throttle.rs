//! The failed-login rule. Every password guess is counted before it is checked, by one
//! conditional update, so however requests interleave no more than a budget's `max` guesses
//! are ever evaluated in its window:
//! - per address (known or not, so the lockout says nothing about whether an account exists):
//!   10 guesses per 15 minutes from browsers we do not recognise;
//! - per device cookie (a browser that logged in as that user before): 5 guesses per 15
//!   minutes of its own, untouched by failures from anywhere else.
//!
//! A successful login clears the budget it used.

/// How many guesses a budget allows per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub max: u32,
    pub window_seconds: i64,
}

pub const WINDOW_SECONDS: i64 = 15 * 60;

/// Browsers that present no valid device cookie for the user, together.
pub const ADDRESS: Budget = Budget {
    max: 10,
    window_seconds: WINDOW_SECONDS,
};

/// One recognised browser.
pub const DEVICE: Budget = Budget {
    max: 5,
    window_seconds: WINDOW_SECONDS,
};

/// What one account may do in an hour of what costs the most, so one account (or one stolen
/// key) cannot spend everyone's capacity: exports written, PDFs made, documents e-mailed.
/// Generous for a small business's busiest day; over it, the answer is 429 with
/// `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    pub exports: Budget,
    pub pdfs: Budget,
    pub mails: Budget,
}

pub const QUOTAS: Quotas = Quotas {
    exports: Budget {
        max: 30,
        window_seconds: 3600,
    },
    pdfs: Budget {
        max: 600,
        window_seconds: 3600,
    },
    mails: Budget {
        max: 300,
        window_seconds: 3600,
    },
};

// A recognised browser's budget is the smaller one: it is the one a stolen cookie would spend.
const _: () = assert!(DEVICE.max < ADDRESS.max);

/// What counting a guess decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The guess may be checked; it is the `nth` of its window.
    Allowed { nth: u32 },
    /// The budget is spent: no guess is checked until the window ends.
    Locked { retry_after_seconds: u64 },
}

impl Budget {
    /// Seconds until a window that opened at `since` ends (at least 1).
    pub fn retry_after(&self, since: i64, now: i64) -> u64 {
        u64::try_from(since.saturating_add(self.window_seconds) - now)
            .unwrap_or(0)
            .max(1)
    }

    /// Whether a window that opened at `since` is still running at `now`.
    pub fn running(&self, since: i64, now: i64) -> bool {
        since.saturating_add(self.window_seconds) > now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    #[test]
    fn a_window_runs_for_fifteen_minutes() {
        assert!(ADDRESS.running(T0, T0 + WINDOW_SECONDS - 1));
        assert!(!ADDRESS.running(T0, T0 + WINDOW_SECONDS));
        assert_eq!(ADDRESS.retry_after(T0, T0 + 60), 840);
        assert_eq!(ADDRESS.retry_after(T0, T0 + WINDOW_SECONDS), 1);
    }
}

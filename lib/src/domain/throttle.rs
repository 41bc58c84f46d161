//! The failed-login rule. Every password guess is counted before it is checked, by one
//! conditional update, so however requests interleave no more than a budget's `max` guesses
//! are ever evaluated in its window:
//! - per address and client (known or not, so the lockout says nothing about whether an account
//!   exists): 10 guesses per 15 minutes from one client address (an IPv6 client's /64) with a
//!   browser we do not recognise, so one client that guesses locks out only itself;
//! - per address, from every client we do not recognise together: 100 guesses per 15 minutes,
//!   the bound on how fast many clients together can guess;
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

/// Browsers that present no valid device cookie for the user, from one client address.
pub const ADDRESS: Budget = Budget {
    max: 10,
    window_seconds: WINDOW_SECONDS,
};

/// Browsers that present no valid device cookie for the user, from every address together.
pub const ADDRESS_ALL: Budget = Budget {
    max: 100,
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
// One client spends a small part of what all clients together may.
const _: () = assert!(ADDRESS.max * 5 <= ADDRESS_ALL.max);

impl Attempt {
    /// The guess counted against two budgets at once: refused if either is spent (until the
    /// later of the two windows ends), else the `nth` of the first.
    pub fn and(self, other: Attempt) -> Attempt {
        match (self, other) {
            (
                Attempt::Locked {
                    retry_after_seconds: a,
                },
                Attempt::Locked {
                    retry_after_seconds: b,
                },
            ) => Attempt::Locked {
                retry_after_seconds: a.max(b),
            },
            (locked @ Attempt::Locked { .. }, _) | (_, locked @ Attempt::Locked { .. }) => locked,
            (allowed, Attempt::Allowed { .. }) => allowed,
        }
    }
}

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

    #[test]
    fn a_guess_counted_twice_is_refused_if_either_budget_is_spent() {
        let allowed = |nth| Attempt::Allowed { nth };
        let locked = |retry_after_seconds| Attempt::Locked {
            retry_after_seconds,
        };
        assert_eq!(allowed(3).and(allowed(57)), allowed(3), "the first's count");
        assert_eq!(allowed(3).and(locked(60)), locked(60));
        assert_eq!(locked(60).and(allowed(57)), locked(60));
        assert_eq!(locked(60).and(locked(900)), locked(900), "the later end");
    }
}

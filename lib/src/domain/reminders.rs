//! Payment reminders (issue 25): an account's policy of up to three stages at chosen days after
//! an invoice's due date, each optionally with a fee, and the statutory late-payment interest
//! and compensation the owner claims.
//!
//! - Which stage is due is decided from the days overdue and the stages already sent: the
//!   latest stage whose day has come, and only if it is later than every stage sent. After
//!   missed runs that is one reminder, the latest, never a burst of every stage.
//! - Interest is simple interest to the day, on the amount due: `amount × rate × days / 365`,
//!   rounded to the currency's minor unit (EU Directive 2011/7/EU; Germany's § 288 BGB counts
//!   the same way).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::days::days;
use super::money::{Amount, Money};
use super::time::{Date, Timestamp};
use super::values::{Currency, DocumentText, EmailAddress, MailSubject, Percentage};

days!(
    /// Days after an invoice's due date a reminder stage is sent.
    ReminderDays, 1..=365
);

/// The most stages a policy may have.
pub const MAX_STAGES: usize = 3;

/// One reminder: when it is sent and what it says and charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderStage {
    /// Days after the due date: 1 to 365, each stage later than the one before.
    pub days: ReminderDays,
    /// A fixed fee this reminder charges, in the invoice's currency (not negative).
    #[serde(default)]
    pub fee: Option<Amount>,
    /// The subject; a default in the customer's language when not given.
    #[serde(default)]
    pub subject: Option<MailSubject>,
    /// The message; a default in the customer's language when not given.
    #[serde(default)]
    pub message: Option<DocumentText>,
}

/// An account's reminder policy. Off by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, try_from = "PolicyRequest")]
pub struct ReminderPolicy {
    pub enabled: bool,
    /// One to three stages, in order (7, 14 and 30 days by default).
    #[schema(min_items = 1, max_items = 3)]
    pub stages: Vec<ReminderStage>,
    /// Statutory late-payment interest, a year (0 to 100 %): for example the ECB reference
    /// rate + 8 points under the EU Late Payment Directive, + 9 points between businesses in
    /// Germany. None: no interest is claimed.
    pub interest_percent: Option<Percentage>,
    /// The fixed compensation for recovery costs the directive allows between businesses
    /// (EUR 40), claimed on every reminder once due. None: not claimed.
    pub compensation: Option<Amount>,
}

/// A policy as a request gives it, before its stages are checked against each other.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyRequest {
    #[serde(default)]
    enabled: bool,
    #[serde(default = "default_stages")]
    stages: Vec<ReminderStage>,
    #[serde(default)]
    interest_percent: Option<Percentage>,
    #[serde(default)]
    compensation: Option<Amount>,
}

impl TryFrom<PolicyRequest> for ReminderPolicy {
    type Error = String;

    fn try_from(request: PolicyRequest) -> Result<Self, String> {
        if request.stages.is_empty() || request.stages.len() > MAX_STAGES {
            return Err(format!("stages: from 1 to {MAX_STAGES} stages"));
        }
        if request
            .stages
            .windows(2)
            .any(|pair| pair[1].days.days() <= pair[0].days.days())
        {
            return Err("stages: each stage's days must be later than the one before".into());
        }
        Ok(Self {
            enabled: request.enabled,
            stages: request.stages,
            interest_percent: request.interest_percent,
            compensation: request.compensation,
        })
    }
}

fn default_stages() -> Vec<ReminderStage> {
    [7, 14, 30]
        .into_iter()
        .filter_map(|days| ReminderDays::new(days).ok())
        .map(|days| ReminderStage {
            days,
            fee: None,
            subject: None,
            message: None,
        })
        .collect()
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        Self {
            enabled: false,
            stages: default_stages(),
            interest_percent: None,
            compensation: None,
        }
    }
}

/// What a reminder claims beside the amount due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Charges {
    pub days_overdue: u32,
    /// This stage's fee and those of the stages sent before it.
    pub fees: Money,
    pub interest: Money,
    pub compensation: Money,
    /// The amount due with everything claimed.
    pub total: Money,
}

/// A reminder that left for the customer, as the invoice keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SentReminder {
    /// Which stage: 1 for the first reminder.
    pub stage: u8,
    /// Its date (in the account's time zone).
    pub date: Date,
    pub at: Timestamp,
    /// Sent by the owner rather than by the schedule.
    pub by_hand: bool,
    /// The mail service's id of the message.
    pub message_id: String,
    pub to: Vec<EmailAddress>,
    pub subject: MailSubject,
    /// What it claimed, as its PDF shows.
    pub charges: Charges,
}

/// The start of day `days` after a due date, for an invoice falling due at `due_at` (the end
/// of its due date): day 1 begins at `due_at`.
fn day_begins(due_at: Timestamp, days: u16) -> Timestamp {
    due_at.plus_seconds((i64::from(days) - 1).max(0) * 86_400)
}

impl ReminderPolicy {
    /// When the schedule next looks at an invoice falling due at `due_at` that is
    /// `days_overdue` days overdue: the start of the first stage's day after it, if any.
    pub fn next_look(&self, due_at: Timestamp, days_overdue: u32) -> Option<Timestamp> {
        self.stages
            .iter()
            .map(|stage| stage.days.days())
            .find(|days| u32::from(*days) > days_overdue)
            .map(|days| day_begins(due_at, days))
    }

    /// The stage the owner sends by hand: the latest whose day has come if none later was
    /// sent, else the one after the last sent (however the policy is switched).
    pub fn stage_by_hand(&self, days_overdue: u32, sent: &[usize]) -> Option<usize> {
        let after = sent.iter().max().map(|last| last + 1);
        let latest = self
            .stages
            .iter()
            .rposition(|stage| u32::from(stage.days.days()) <= days_overdue);
        let stage = match (latest, after) {
            (Some(latest), Some(after)) => latest.max(after),
            (Some(latest), None) => latest,
            (None, after) => after.unwrap_or(0),
        };
        (stage < self.stages.len()).then_some(stage)
    }

    /// The stage (its index) to send an invoice `days_overdue` days overdue, given the stages
    /// already `sent`: the latest whose day has come, if later than every stage sent.
    pub fn stage_due(&self, days_overdue: u32, sent: &[usize]) -> Option<usize> {
        if !self.enabled {
            return None;
        }
        let latest = self
            .stages
            .iter()
            .rposition(|stage| u32::from(stage.days.days()) <= days_overdue)?;
        match sent.iter().max() {
            Some(&last) if last >= latest => None,
            _ => Some(latest),
        }
    }

    /// When the next stage after those `sent` falls, for an invoice due on `due`.
    pub fn next_date(&self, due: Date, sent: &[usize]) -> Option<Date> {
        if !self.enabled {
            return None;
        }
        let after = sent.iter().max().map_or(0, |last| last + 1);
        let stage = self.stages.get(after)?;
        Some(due.plus_days(stage.days.days()))
    }

    /// What stage `stage` claims on `amount_due`, `days_overdue` days after the due date,
    /// when the stages `sent` were sent before it.
    pub fn charges(
        &self,
        stage: usize,
        sent: &[usize],
        amount_due: Money,
        currency: Currency,
        days_overdue: u32,
    ) -> Charges {
        let fee_of = |i: &usize| {
            self.stages
                .get(*i)
                .and_then(|s| s.fee)
                .map_or(Decimal::ZERO, |fee| fee.value())
        };
        let fees: Decimal = sent
            .iter()
            .filter(|i| **i < stage)
            .chain(std::iter::once(&stage))
            .map(fee_of)
            .sum();
        let interest = self.interest_percent.map_or(Decimal::ZERO, |rate| {
            amount_due.value() * rate.value() / Decimal::ONE_HUNDRED * Decimal::from(days_overdue)
                / Decimal::from(365)
        });
        let compensation = self.compensation.map_or(Decimal::ZERO, |c| c.value());
        let (fees, interest, compensation) = (
            Money::of(fees, currency),
            Money::of(interest, currency),
            Money::of(compensation, currency),
        );
        Charges {
            days_overdue,
            fees,
            interest,
            compensation,
            total: Money::of(
                amount_due.value() + fees.value() + interest.value() + compensation.value(),
                currency,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: serde_json::Value) -> Result<ReminderPolicy, String> {
        serde_json::from_value(json).map_err(|e| e.to_string())
    }

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR")
    }

    #[test]
    fn off_by_default_with_stages_at_7_14_and_30_days() {
        let default = policy(serde_json::json!({})).expect("a policy");
        assert_eq!(default, ReminderPolicy::default());
        assert!(!default.enabled);
        let days: Vec<u16> = default.stages.iter().map(|s| s.days.days()).collect();
        assert_eq!(days, [7, 14, 30]);
        assert_eq!(default.stage_due(40, &[]), None, "off: nothing is sent");
    }

    #[test]
    fn only_the_latest_stage_due_is_sent_and_never_one_already_passed() {
        let on = policy(serde_json::json!({"enabled": true})).expect("a policy");
        assert_eq!(on.stage_due(6, &[]), None);
        assert_eq!(on.stage_due(7, &[]), Some(0));
        assert_eq!(on.stage_due(13, &[0]), None, "the first is sent");
        assert_eq!(on.stage_due(14, &[0]), Some(1));
        // A run missed until day 31: only the 30-day stage, once.
        assert_eq!(on.stage_due(31, &[]), Some(2));
        assert_eq!(on.stage_due(45, &[2]), None);
        let due = Date::parse("2027-03-01").expect("date");
        assert_eq!(on.next_date(due, &[]), Date::parse("2027-03-08"));
        assert_eq!(on.next_date(due, &[0]), Date::parse("2027-03-15"));
        assert_eq!(on.next_date(due, &[2]), None);
        // The schedule looks again when the next stage's day begins.
        let due_at = Timestamp::parse("2027-03-01T23:00:00Z").expect("instant");
        assert_eq!(
            on.next_look(due_at, 0),
            Timestamp::parse("2027-03-07T23:00:00Z")
        );
        assert_eq!(
            on.next_look(due_at, 14),
            Timestamp::parse("2027-03-30T23:00:00Z")
        );
        assert_eq!(on.next_look(due_at, 30), None);
        assert_eq!(on.stage_by_hand(3, &[]), Some(0));
        assert_eq!(on.stage_by_hand(20, &[]), Some(1));
        assert_eq!(on.stage_by_hand(20, &[1]), Some(2));
        assert_eq!(on.stage_by_hand(40, &[2]), None);
    }

    #[test]
    fn interest_fees_and_compensation_equal_the_hand_computed_values() {
        // 1,190.00 EUR 31 days overdue at 11.27 % a year (the ECB's 3.27 % + 8 points):
        // 1190 × 0.1127 × 31 / 365 = 11.3904… → 11.39; the first stage's 5.00 and this one's
        // 7.50 fee; EUR 40 compensation. 1190 + 11.39 + 12.50 + 40 = 1253.89.
        let on = policy(serde_json::json!({
            "enabled": true,
            "stages": [{"days": 7, "fee": "5.00"}, {"days": 14}, {"days": 30, "fee": "7.50"}],
            "interest_percent": "11.27",
            "compensation": "40.00",
        }))
        .expect("a policy");
        let due = Money::of(Decimal::new(119_000, 2), eur());
        let charges = on.charges(2, &[0], due, eur(), 31);
        assert_eq!(charges.interest.to_string(), "11.39");
        assert_eq!(charges.fees.to_string(), "12.50");
        assert_eq!(charges.compensation.to_string(), "40.00");
        assert_eq!(charges.total.to_string(), "1253.89");
    }

    #[test]
    fn bad_policies_are_refused_naming_the_field() {
        for (json, expected) in [
            (serde_json::json!({"stages": [{"days": 0}]}), "days"),
            (
                serde_json::json!({"stages": [{"days": 7, "fee": "-5.00"}]}),
                "fee",
            ),
            (
                serde_json::json!({"interest_percent": "100.5"}),
                "interest_percent",
            ),
            (serde_json::json!({"compensation": "-40"}), "compensation"),
            (
                serde_json::json!({"stages": [{"days": 14}, {"days": 7}]}),
                "later than the one before",
            ),
            (
                serde_json::json!({"stages": [{"days": 1}, {"days": 2}, {"days": 3}, {"days": 4}]}),
                "from 1 to 3",
            ),
        ] {
            let error = serde_path_to_error::deserialize::<_, ReminderPolicy>(json.clone())
                .expect_err("refused");
            let named = format!("{} {}", error.path(), error.inner());
            assert!(named.contains(expected), "{json}: {named}");
        }
    }
}

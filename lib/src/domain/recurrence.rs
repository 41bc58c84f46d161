//! When a recurring invoice's periods fall: every N weeks, months, quarters or years from a
//! start date, until an end date, after a number of invoices, or for ever.
//!
//! Period `n` is always computed from the start (`start + n × interval`), never from the period
//! before, so a day a month lacks falls on that month's last day and the next month is back on
//! the start's day: from 31 January, 28/29 February, 31 March, 30 April. Nothing drifts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::time::Date;

/// The longest interval a schedule may have, in its unit (ten years of months).
pub const MAX_INTERVAL: u16 = 120;
/// The most invoices a schedule may be limited to.
pub const MAX_COUNT: u32 = 1000;

/// What a schedule's interval counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Weeks,
    Months,
    Quarters,
    Years,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weeks => "weeks",
            Self::Months => "months",
            Self::Quarters => "quarters",
            Self::Years => "years",
        }
    }
}

/// How a schedule ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Ending {
    /// It runs until it is ended by hand.
    Never,
    /// After this many invoices.
    After { count: u32 },
    /// No period after this date.
    On { date: Date },
}

/// A schedule's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Recurrence {
    /// Every how many `unit`s: 1 to 120.
    pub every: u16,
    pub unit: Unit,
    /// The first period's date.
    pub start: Date,
    pub ending: Ending,
}

impl Recurrence {
    /// Why the schedule cannot be kept, naming the field.
    pub fn check(&self) -> Result<(), FieldError> {
        if !(1..=MAX_INTERVAL).contains(&self.every) {
            return Err(FieldError::new(
                "every",
                format!("must be a whole number from 1 to {MAX_INTERVAL}"),
            ));
        }
        match self.ending {
            Ending::After { count } if !(1..=MAX_COUNT).contains(&count) => Err(FieldError::new(
                "ending.count",
                format!("must be a whole number from 1 to {MAX_COUNT}"),
            )),
            Ending::On { date } if date < self.start => Err(FieldError::new(
                "ending.date",
                "must not be before the start",
            )),
            _ => Ok(()),
        }
    }

    /// The date of period `n` (0 is the start), or `None` when the schedule has ended by then
    /// (or the calendar has: past 2099).
    pub fn period(&self, n: u32) -> Option<Date> {
        if let Ending::After { count } = self.ending
            && n >= count
        {
            return None;
        }
        let steps = n.checked_mul(u32::from(self.every))?;
        let date = match self.unit {
            Unit::Weeks => self.start.plus_weeks(steps)?,
            Unit::Months => self.start.plus_months(steps)?,
            Unit::Quarters => self.start.plus_months(steps.checked_mul(3)?)?,
            Unit::Years => self.start.plus_months(steps.checked_mul(12)?)?,
        };
        match self.ending {
            Ending::On { date: end } if date > end => None,
            _ => Some(date),
        }
    }

    /// The periods from `next` on whose date has come by `today`, at most `limit` of them:
    /// what a pass creates (each missed period once, dated for itself).
    pub fn due(&self, next: u32, today: Date, limit: usize) -> Vec<(u32, Date)> {
        (next..)
            .map_while(|n| self.period(n).map(|date| (n, date)))
            .take_while(|(_, date)| *date <= today)
            .take(limit)
            .collect()
    }

    /// The dates of the `count` periods from `next` on that are still to come.
    pub fn preview(&self, next: u32, count: usize) -> Vec<Date> {
        (next..).map_while(|n| self.period(n)).take(count).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    fn monthly(start: &str, ending: Ending) -> Recurrence {
        Recurrence {
            every: 1,
            unit: Unit::Months,
            start: date(start),
            ending,
        }
    }

    fn dates(recurrence: &Recurrence, count: usize) -> Vec<String> {
        recurrence
            .preview(0, count)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_month_day_a_month_lacks_falls_on_its_last_day_and_never_drifts() {
        let leap = monthly("2028-01-31", Ending::Never);
        assert_eq!(
            dates(&leap, 5),
            [
                "2028-01-31",
                "2028-02-29",
                "2028-03-31",
                "2028-04-30",
                "2028-05-31"
            ]
        );
        let common = monthly("2027-01-31", Ending::Never);
        assert_eq!(
            dates(&common, 3),
            ["2027-01-31", "2027-02-28", "2027-03-31"]
        );
        // The 30th stays the 30th after February.
        let thirtieth = monthly("2027-01-30", Ending::Never);
        assert_eq!(
            dates(&thirtieth, 3),
            ["2027-01-30", "2027-02-28", "2027-03-30"]
        );
    }

    #[test]
    fn weeks_quarters_and_years_count_from_the_start() {
        let weekly = Recurrence {
            every: 2,
            unit: Unit::Weeks,
            start: date("2026-12-28"),
            ending: Ending::Never,
        };
        assert_eq!(
            dates(&weekly, 3),
            ["2026-12-28", "2027-01-11", "2027-01-25"]
        );
        let quarterly = Recurrence {
            every: 1,
            unit: Unit::Quarters,
            start: date("2026-11-30"),
            ending: Ending::Never,
        };
        assert_eq!(
            dates(&quarterly, 4),
            ["2026-11-30", "2027-02-28", "2027-05-30", "2027-08-30"]
        );
        let yearly = Recurrence {
            every: 1,
            unit: Unit::Years,
            start: date("2028-02-29"),
            ending: Ending::Never,
        };
        assert_eq!(
            dates(&yearly, 5),
            [
                "2028-02-29",
                "2029-02-28",
                "2030-02-28",
                "2031-02-28",
                "2032-02-29"
            ]
        );
    }

    #[test]
    fn a_schedule_ends_after_its_count_or_on_its_date() {
        let by_count = monthly("2027-01-15", Ending::After { count: 3 });
        assert_eq!(dates(&by_count, 10).len(), 3);
        assert_eq!(by_count.period(3), None);
        let by_date = monthly(
            "2027-01-15",
            Ending::On {
                date: date("2027-04-14"),
            },
        );
        assert_eq!(
            dates(&by_date, 10),
            ["2027-01-15", "2027-02-15", "2027-03-15"]
        );
        // The end date itself is still a period.
        let on_the_day = monthly(
            "2027-01-15",
            Ending::On {
                date: date("2027-03-15"),
            },
        );
        assert_eq!(dates(&on_the_day, 10).len(), 3);
    }

    #[test]
    fn missed_periods_are_each_due_once_dated_for_themselves_and_at_most_a_limit() {
        let schedule = monthly("2027-01-31", Ending::Never);
        // Down from February to May: four periods due after January's, in order.
        let due = schedule.due(1, date("2027-05-31"), 10);
        let due: Vec<String> = due.iter().map(|(n, d)| format!("{n}:{d}")).collect();
        assert_eq!(
            due,
            [
                "1:2027-02-28",
                "2:2027-03-31",
                "3:2027-04-30",
                "4:2027-05-31"
            ]
        );
        assert_eq!(schedule.due(1, date("2027-05-31"), 2).len(), 2);
        assert!(schedule.due(5, date("2027-05-31"), 10).is_empty());
    }

    #[test]
    fn the_day_is_the_account_s_not_utc_s() {
        // 11:30 UTC on 31 January is already 1 February in Auckland (UTC+13 in summer).
        let zone = crate::domain::values::TimeZone::parse("Pacific/Auckland").expect("zone");
        let now = crate::domain::Timestamp::from_unix_seconds(1_801_395_000).expect("instant");
        let today = zone.today(now).expect("today");
        assert_eq!(today, date("2027-02-01"));
        let schedule = monthly("2027-02-01", Ending::Never);
        assert_eq!(schedule.due(0, today, 10).len(), 1, "due in Auckland");
        let utc = crate::domain::values::TimeZone::parse("UTC").expect("zone");
        assert!(
            schedule
                .due(0, utc.today(now).expect("today"), 10)
                .is_empty()
        );
    }

    #[test]
    fn bad_schedules_are_refused_naming_the_field() {
        let mut zero = monthly("2027-01-15", Ending::Never);
        zero.every = 0;
        assert_eq!(zero.check().map_err(|e| e.field), Err("every".into()));
        let backwards = monthly(
            "2027-01-15",
            Ending::On {
                date: date("2027-01-14"),
            },
        );
        assert_eq!(
            backwards.check().map_err(|e| e.field),
            Err("ending.date".into())
        );
        let none = monthly("2027-01-15", Ending::After { count: 0 });
        assert_eq!(
            none.check().map_err(|e| e.field),
            Err("ending.count".into())
        );
        assert!(monthly("2027-01-15", Ending::Never).check().is_ok());
    }
}

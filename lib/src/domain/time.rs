//! Timestamps: RFC 3339 in UTC at millisecond precision, everywhere in the API and in storage.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The instant `at`, in UTC at millisecond precision. (`domain` never reads the time
    /// itself: the state's clock does, and passes it in.)
    pub fn from_datetime(at: OffsetDateTime) -> Self {
        let at = at.to_offset(UtcOffset::UTC);
        // Millisecond precision: what we store is what we return.
        let millis = at.millisecond();
        Self(
            at.replace_nanosecond(u32::from(millis) * 1_000_000)
                .unwrap_or(at),
        )
    }

    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(seconds).ok().map(Self)
    }

    pub fn unix_seconds(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Year, month, day, hour, minute and second in UTC.
    pub fn utc_parts(&self) -> (u16, u8, u8, u8, u8, u8) {
        let at = self.0;
        (
            u16::try_from(at.year()).unwrap_or(0),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
        )
    }

    pub fn plus_seconds(&self, seconds: i64) -> Self {
        Self(self.0.saturating_add(time::Duration::seconds(seconds)))
    }

    pub fn parse(text: &str) -> Option<Self> {
        OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(Self::from_datetime)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Rfc3339 formatting of a UTC value cannot fail for years 0..=9999.
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 timestamp"))
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .description(Some("RFC 3339 time in UTC, millisecond precision."))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

/// A calendar date (`2026-11-25`): a document's issue date, due date or validity, as the
/// tenant's time zone sees the day.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date(jiff::civil::Date);

impl Date {
    /// Strictly `YYYY-MM-DD`, years 2000 to 2099 (nothing a real document is dated outside).
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !well_formed {
            return None;
        }
        let date: jiff::civil::Date = text.parse().ok()?;
        (2000..=2099).contains(&date.year()).then_some(Self(date))
    }

    /// The day `at` falls on in `zone` (an IANA name already checked by `TimeZone`).
    pub fn on(at: Timestamp, zone: &jiff::tz::TimeZone) -> Option<Self> {
        let instant = jiff::Timestamp::from_second(at.unix_seconds()).ok()?;
        Some(Self(zone.to_datetime(instant).date()))
    }

    /// The instant this day begins in `zone`.
    pub fn start_in(&self, zone: &jiff::tz::TimeZone) -> Option<Timestamp> {
        let midnight = self.0.to_datetime(jiff::civil::Time::midnight());
        let start = zone.to_timestamp(midnight).ok()?;
        Timestamp::from_unix_seconds(start.as_second())
    }

    pub fn year(&self) -> i16 {
        self.0.year()
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> i8 {
        self.0.month()
    }

    /// The day of the month, 1 to 31.
    pub fn day(&self) -> i8 {
        self.0.day()
    }

    /// The date `days` later (saturating at the end of the calendar).
    pub fn plus_days(&self, days: u16) -> Self {
        Self(
            self.0
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .unwrap_or(jiff::civil::Date::MAX),
        )
    }
}

impl Date {
    /// The date `count` months later, on the same day of the month or, where that month is
    /// shorter, its last day (31 January + 1 month = 28 or 29 February). `None` past 2099.
    pub fn plus_months(&self, count: u32) -> Option<Self> {
        let date = self
            .0
            .checked_add(jiff::Span::new().months(i64::from(count)))
            .ok()?;
        (date.year() <= 2099).then_some(Self(date))
    }

    /// The date `count` weeks later; `None` past 2099.
    pub fn plus_weeks(&self, count: u32) -> Option<Self> {
        let date = self
            .0
            .checked_add(jiff::Span::new().days(i64::from(count) * 7))
            .ok()?;
        (date.year() <= 2099).then_some(Self(date))
    }

    /// The date `days` earlier (saturating at the start of the calendar).
    pub fn minus_days(&self, days: u16) -> Self {
        Self(
            self.0
                .checked_sub(jiff::Span::new().days(i64::from(days)))
                .unwrap_or(jiff::civil::Date::MIN),
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("must be a date, YYYY-MM-DD, in 2000-2099"))
    }
}

impl utoipa::PartialSchema for Date {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .pattern(Some(r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"))
            .examples(["2026-11-25"])
            .into()
    }
}

impl utoipa::ToSchema for Date {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_round_trips_through_rfc3339_in_utc() {
        let at = Timestamp::parse("2026-11-24T10:44:05.123+02:00").expect("valid");
        assert_eq!(at.to_string(), "2026-11-24T08:44:05.123Z");
        assert_eq!(Timestamp::parse(&at.to_string()), Some(at));
    }

    #[test]
    fn text_that_is_not_a_timestamp_is_rejected() {
        assert_eq!(Timestamp::parse("yesterday"), None);
        assert_eq!(Timestamp::parse("2026-13-01T00:00:00Z"), None);
    }
}

//! Numbers, amounts and dates written the way the settings' locale writes them: `de-DE` writes
//! 1.234,56 € and 25.11.2026; `en-US` $1,234.56 and 11/25/2026; `fr-FR` 1 234,56 € and
//! 25/11/2026.
//!
//! A table of the conventions documents need (decimal mark, grouping, where the currency sign
//! goes, the order of a date), by language and region, rather than CLDR's full data: ICU's
//! formatters with their data would add about a megabyte to the function that renders PDFs
//! (decision 0015), for the dozen patterns an invoice uses.

use rust_decimal::Decimal;

use crate::domain::time::Date;
use crate::domain::values::Currency;

/// How a date is ordered and separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateStyle {
    /// 11/25/2026
    MonthDayYear,
    /// 25/11/2026 (or with `.` or `-`)
    DayMonthYear(char),
    /// 2026-11-25 (or with `/` or `.`)
    YearMonthDay(char),
}

/// One locale's conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    decimal: char,
    group: &'static str,
    /// `€ 1.234,56`/`$1,234.56` (before) or `1.234,56 €` (after).
    symbol_first: bool,
    /// A space between sign and number.
    spaced: bool,
    date: DateStyle,
    /// The percent sign after a space (`19 %`).
    spaced_percent: bool,
}

const NARROW_NBSP: &str = "\u{202f}";
const NBSP: &str = "\u{a0}";

impl Format {
    /// The conventions of a BCP 47 tag (`de-DE`, `fr`, `en-GB`); English (US) when the language
    /// is not one the table knows.
    pub fn of(tag: &str) -> Self {
        let mut parts = tag.split(['-', '_']);
        let language = parts.next().unwrap_or_default().to_ascii_lowercase();
        let region = parts
            .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
            .map(str::to_ascii_uppercase)
            .unwrap_or_default();
        let english = Self {
            decimal: '.',
            group: ",",
            symbol_first: true,
            spaced: false,
            date: DateStyle::MonthDayYear,
            spaced_percent: false,
        };
        let continental = Self {
            decimal: ',',
            group: ".",
            symbol_first: false,
            spaced: true,
            date: DateStyle::DayMonthYear('.'),
            spaced_percent: true,
        };
        let spaced_groups = Self {
            decimal: ',',
            group: NARROW_NBSP,
            symbol_first: false,
            spaced: true,
            date: DateStyle::DayMonthYear('/'),
            spaced_percent: true,
        };
        match (language.as_str(), region.as_str()) {
            ("en", "US" | "PH" | "") => english,
            ("en", "CA") => Self {
                date: DateStyle::YearMonthDay('-'),
                ..english
            },
            ("en", "IE" | "MT") => Self {
                date: DateStyle::DayMonthYear('/'),
                ..english
            },
            ("en", _) => Self {
                date: DateStyle::DayMonthYear('/'),
                ..english
            },
            ("de", "CH" | "LI") => Self {
                decimal: '.',
                group: "’",
                symbol_first: true,
                ..continental
            },
            ("de", "AT") => Self {
                symbol_first: true,
                group: NBSP,
                ..continental
            },
            ("de" | "da" | "id" | "tr" | "el" | "ro" | "hr" | "sl" | "sr", _) => continental,
            ("nl", _) => Self {
                symbol_first: true,
                date: DateStyle::DayMonthYear('-'),
                ..continental
            },
            ("it" | "es" | "pt", _) => Self {
                date: DateStyle::DayMonthYear('/'),
                ..continental
            },
            ("fr", "CH") => Self {
                decimal: '.',
                ..spaced_groups
            },
            ("fr", "CA") => Self {
                date: DateStyle::YearMonthDay('-'),
                ..spaced_groups
            },
            ("fr", _) => spaced_groups,
            ("pl" | "cs" | "sk" | "ru" | "uk" | "nb" | "no" | "nn" | "fi" | "bg", _) => Self {
                group: NBSP,
                date: DateStyle::DayMonthYear('.'),
                ..spaced_groups
            },
            ("sv", _) => Self {
                group: NBSP,
                date: DateStyle::YearMonthDay('-'),
                ..spaced_groups
            },
            ("hu", _) => Self {
                group: NBSP,
                date: DateStyle::YearMonthDay('.'),
                ..spaced_groups
            },
            ("ja" | "zh" | "ko", _) => Self {
                date: DateStyle::YearMonthDay('/'),
                ..english
            },
            _ => english,
        }
    }

    /// A decimal with its digits grouped by thousands (`1.234,5`), as many decimals as it has.
    pub fn number(&self, value: Decimal) -> String {
        let text = value.abs().to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let mut grouped = String::with_capacity(text.len() + 4);
        if value.is_sign_negative() && !value.is_zero() {
            grouped.push('-');
        }
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index) % 3 == 0 {
                grouped.push_str(self.group);
            }
            grouped.push(digit);
        }
        if !fraction.is_empty() {
            grouped.push(self.decimal);
            grouped.push_str(fraction);
        }
        grouped
    }

    /// A quantity: no trailing zeros (`1,5`, `2`).
    pub fn quantity(&self, value: Decimal) -> String {
        self.number(value.normalize())
    }

    /// An amount with its currency's sign, at the currency's decimals (`1.234,56 €`).
    pub fn money(&self, value: Decimal, currency: Currency) -> String {
        let mut scaled = value;
        scaled.rescale(currency.minor_units());
        let number = self.number(scaled);
        let sign = symbol(currency);
        // A code (`CHF`) is always set apart; a sign (`$`) only where the locale spaces it.
        let space = if self.spaced || sign.chars().all(|c| c.is_ascii_uppercase()) {
            NBSP
        } else {
            ""
        };
        if self.symbol_first {
            match number.strip_prefix('-') {
                Some(positive) => format!("-{sign}{space}{positive}"),
                None => format!("{sign}{space}{number}"),
            }
        } else {
            format!("{number}{space}{sign}")
        }
    }

    /// A decimal as a person types it into a form: the locale's decimal mark, no grouping
    /// (`800,00` in German, `800.00` in English), from the API's `800.00`. Text that is not a
    /// plain decimal is returned as it is.
    pub fn typed(&self, api: &str) -> String {
        let plain = api.strip_prefix('-').unwrap_or(api);
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        match plain.split_once('.') {
            Some((whole, fraction))
                if !whole.is_empty()
                    && digits(whole)
                    && !fraction.is_empty()
                    && digits(fraction) =>
            {
                api.replacen('.', &self.decimal.to_string(), 1)
            }
            _ => api.to_owned(),
        }
    }

    /// What a person typed as a decimal, in the API's form (`1.234,5` → `1234.5` in German),
    /// or `None` when it is not a number written this locale's way (or the API's way: `800.00`
    /// is read as eight hundred everywhere, a pasted value). The API names anything else.
    ///
    /// The group separator is accepted only between groups of three digits, so `1.5` typed in
    /// German is one and a half (the API's form), never fifteen.
    pub fn read(&self, typed: &str) -> Option<String> {
        let text = typed.trim();
        let (sign, unsigned) = match text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", text),
        };
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let (whole, fraction) = match unsigned.rsplit_once(self.decimal) {
            Some((whole, fraction)) if digits(fraction) => (whole, Some(fraction)),
            Some(_) => return None,
            None => (unsigned, None),
        };
        let groups: Vec<&str> = if self.group.is_empty() {
            vec![whole]
        } else {
            whole
                .split(self.group)
                .flat_map(|g| g.split([' ', '\u{a0}', '\u{202f}']))
                .collect()
        };
        let grouped = groups.len() > 1
            && groups.iter().all(|g| digits(g))
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        let whole = if grouped {
            groups.concat()
        } else if digits(whole) {
            whole.to_owned()
        } else if fraction.is_none()
            && let Some((w, f)) = whole.split_once('.')
            && digits(w)
            && digits(f)
        {
            // The API's own form, in a locale whose decimal mark is not `.`.
            return Some(format!("{sign}{w}.{f}"));
        } else {
            return None;
        };
        Some(match fraction {
            Some(fraction) => format!("{sign}{whole}.{fraction}"),
            None => format!("{sign}{whole}"),
        })
    }

    /// A tax rate (`19 %`, `9.975%`).
    pub fn percent(&self, value: Decimal) -> String {
        let number = self.quantity(value);
        if self.spaced_percent {
            format!("{number}{NBSP}%")
        } else {
            format!("{number}%")
        }
    }

    /// A date (`25.11.2026`, `11/25/2026`, `2026-11-25`).
    pub fn date(&self, date: Date) -> String {
        let (year, month, day) = (date.year(), date.month(), date.day());
        match self.date {
            DateStyle::MonthDayYear => format!("{month:02}/{day:02}/{year}"),
            DateStyle::DayMonthYear(separator) => {
                format!("{day:02}{separator}{month:02}{separator}{year}")
            }
            DateStyle::YearMonthDay(separator) => {
                format!("{year}{separator}{month:02}{separator}{day:02}")
            }
        }
    }
}

/// A currency's sign where it is unambiguous in print, else its ISO code.
fn symbol(currency: Currency) -> &'static str {
    match currency.code() {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        "KRW" => "₩",
        "ILS" => "₪",
        "PLN" => "zł",
        "UAH" => "₴",
        "TRY" => "₺",
        "NGN" => "₦",
        "PHP" => "₱",
        "VND" => "₫",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(tag: &str, value: &str, currency: &str) -> String {
        Format::of(tag).money(
            value.parse().expect("a decimal"),
            Currency::parse(currency).expect("a currency"),
        )
    }

    #[test]
    fn typed_amounts_are_read_the_locale_s_way() {
        let de = Format::of("de-DE");
        let fr = Format::of("fr-FR");
        let en = Format::of("en-US");
        let read = |f: &Format, text: &str| f.read(text);
        assert_eq!(read(&de, "800,00").as_deref(), Some("800.00"));
        assert_eq!(read(&de, "1.234,56").as_deref(), Some("1234.56"));
        assert_eq!(read(&de, "1.234").as_deref(), Some("1234"));
        assert_eq!(read(&de, "-12,5").as_deref(), Some("-12.5"));
        // The API's form, pasted, is one and a half, never fifteen.
        assert_eq!(read(&de, "1.5").as_deref(), Some("1.5"));
        assert_eq!(read(&fr, "1 234,56").as_deref(), Some("1234.56"));
        assert_eq!(read(&fr, "1\u{202f}234,56").as_deref(), Some("1234.56"));
        assert_eq!(read(&en, "1,234.56").as_deref(), Some("1234.56"));
        assert_eq!(read(&en, "800.00").as_deref(), Some("800.00"));
        for nonsense in [
            "", "1,2,3", "12,34,5", "abc", "1.2.3,4", "1,5", "--1", "1e5",
        ] {
            assert_eq!(read(&en, nonsense), None, "{nonsense}");
        }
        assert_eq!(read(&de, "1,2,3"), None);
        assert_eq!(read(&de, "12.34,5"), None);
        assert_eq!(de.typed("800.00"), "800,00");
        assert_eq!(de.typed("-0.5"), "-0,5");
        assert_eq!(de.typed("800"), "800");
        assert_eq!(de.typed("800,00 typed"), "800,00 typed");
        assert_eq!(en.typed("800.00"), "800.00");
    }

    #[test]
    fn amounts_follow_the_locale() {
        assert_eq!(money("de-DE", "1234.56", "EUR"), "1.234,56\u{a0}€");
        assert_eq!(money("en-US", "1234.56", "USD"), "$1,234.56");
        assert_eq!(money("fr-FR", "1234.56", "EUR"), "1\u{202f}234,56\u{a0}€");
        assert_eq!(money("en-GB", "1234567.5", "GBP"), "£1,234,567.50");
        assert_eq!(money("de-CH", "1234.5", "CHF"), "CHF\u{a0}1’234.50");
        assert_eq!(money("ja-JP", "1235", "JPY"), "¥1,235");
        assert_eq!(money("en", "0.5", "KWD"), "KWD\u{a0}0.500");
        assert_eq!(money("xx", "-12", "USD"), "-$12.00");
        assert_eq!(money("nl-NL", "999.99", "EUR"), "€\u{a0}999,99");
    }

    #[test]
    fn dates_quantities_and_rates_follow_the_locale() {
        let date = Date::parse("2026-11-05").expect("a date");
        assert_eq!(Format::of("de-DE").date(date), "05.11.2026");
        assert_eq!(Format::of("en-US").date(date), "11/05/2026");
        assert_eq!(Format::of("en-GB").date(date), "05/11/2026");
        assert_eq!(Format::of("sv-SE").date(date), "2026-11-05");
        assert_eq!(
            Format::of("de-DE").quantity("1.500".parse().expect("q")),
            "1,5"
        );
        assert_eq!(
            Format::of("en-US").quantity("1234".parse().expect("q")),
            "1,234"
        );
        assert_eq!(
            Format::of("de").percent("19".parse().expect("r")),
            "19\u{a0}%"
        );
        assert_eq!(
            Format::of("en-CA").percent("9.975".parse().expect("r")),
            "9.975%"
        );
    }
}

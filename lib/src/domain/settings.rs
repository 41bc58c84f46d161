//! An account's preferences, and how a partial update applies to them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::days::days;
use super::patch::{nullable, present};
use super::reminders::ReminderPolicy;
use super::values::{Currency, DocumentText, Locale, NumberPrefix, Percentage, TimeZone};

days!(
    /// Days from an invoice's issue date to its due date (0: due on receipt).
    PaymentTerms, 0..=365
);
days!(
    /// Days a proposal can be accepted after it is sent.
    ValidityDays, 1..=365
);
days!(
    /// Days a document's link opens its page after it is sent.
    LinkDays, 1..=365
);

fn link_days() -> LinkDays {
    LinkDays(90)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Settings {
    /// Put before every invoice number: `INV-{YYYY}-` gives `INV-2026-0001`; with `{YYYY}`
    /// (the issue year) the series restarts each year.
    pub invoice_number_prefix: NumberPrefix,
    pub proposal_number_prefix: NumberPrefix,
    /// Credit notes are numbered in a series of their own (`CN-{YYYY}-` gives `CN-2026-0001`).
    #[serde(default = "credit_note_prefix")]
    pub credit_note_number_prefix: NumberPrefix,
    pub payment_terms_days: PaymentTerms,
    pub default_tax_rate: Percentage,
    /// Overrides the company's currency for new documents; `null` means the company's.
    pub default_currency: Option<Currency>,
    /// Language and formats of documents (BCP 47).
    pub locale: Locale,
    /// The zone that decides which day a document is dated.
    pub time_zone: TimeZone,
    pub proposal_validity_days: ValidityDays,
    pub invoice_notes: Option<DocumentText>,
    pub invoice_footer: Option<DocumentText>,
    /// The business is exempt from VAT as a small enterprise (Germany's § 19 UStG, France's
    /// art. 293 B CGI, …): every line is exempt (`E`), with the sentence its country requires,
    /// and no document shows a VAT amount.
    #[serde(default)]
    pub small_business_exemption: bool,
    /// Days the link in a sent invoice or credit note opens the document's page (a proposal's
    /// opens it until the proposal's validity ends).
    #[serde(default = "link_days")]
    pub document_link_days: LinkDays,
    /// Payment reminders for overdue invoices (off by default).
    #[serde(default)]
    pub reminders: ReminderPolicy,
}

fn credit_note_prefix() -> NumberPrefix {
    NumberPrefix::from_trusted("CN-{YYYY}-")
}

impl Default for Settings {
    fn default() -> Self {
        // Trusted constants (no parser linked for them): `the_defaults_are_valid_settings`
        // parses every one of them back.
        Self {
            invoice_number_prefix: NumberPrefix::from_trusted("INV-{YYYY}-"),
            proposal_number_prefix: NumberPrefix::from_trusted("PRO-{YYYY}-"),
            credit_note_number_prefix: credit_note_prefix(),
            payment_terms_days: PaymentTerms(30),
            default_tax_rate: Percentage::zero(),
            default_currency: None,
            locale: Locale::from_trusted("en"),
            time_zone: TimeZone::from_trusted("UTC"),
            proposal_validity_days: ValidityDays(30),
            invoice_notes: None,
            invoice_footer: None,
            small_business_exemption: false,
            document_link_days: link_days(),
            reminders: ReminderPolicy::default(),
        }
    }
}

/// A partial update (JSON merge patch): an absent field is left alone; `null` clears a field
/// that may be empty and is refused for one that may not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NumberPrefix)]
    pub invoice_number_prefix: Option<NumberPrefix>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NumberPrefix)]
    pub proposal_number_prefix: Option<NumberPrefix>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NumberPrefix)]
    pub credit_note_number_prefix: Option<NumberPrefix>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = PaymentTerms)]
    pub payment_terms_days: Option<PaymentTerms>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Percentage)]
    pub default_tax_rate: Option<Percentage>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Currency>)]
    pub default_currency: Option<Option<Currency>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Locale)]
    pub locale: Option<Locale>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = TimeZone)]
    pub time_zone: Option<TimeZone>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = ValidityDays)]
    pub proposal_validity_days: Option<ValidityDays>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub invoice_notes: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub invoice_footer: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub small_business_exemption: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = LinkDays)]
    pub document_link_days: Option<LinkDays>,
    /// The whole reminder policy, replaced.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = ReminderPolicy)]
    pub reminders: Option<ReminderPolicy>,
}

impl Settings {
    /// The settings with `patch` applied.
    pub fn patched(&self, patch: SettingsPatch) -> Self {
        let mut next = self.clone();
        let SettingsPatch {
            invoice_number_prefix,
            proposal_number_prefix,
            credit_note_number_prefix,
            payment_terms_days,
            default_tax_rate,
            default_currency,
            locale,
            time_zone,
            proposal_validity_days,
            invoice_notes,
            invoice_footer,
            small_business_exemption,
            document_link_days,
            reminders,
        } = patch;
        if let Some(v) = invoice_number_prefix {
            next.invoice_number_prefix = v;
        }
        if let Some(v) = proposal_number_prefix {
            next.proposal_number_prefix = v;
        }
        if let Some(v) = credit_note_number_prefix {
            next.credit_note_number_prefix = v;
        }
        if let Some(v) = payment_terms_days {
            next.payment_terms_days = v;
        }
        if let Some(v) = default_tax_rate {
            next.default_tax_rate = v;
        }
        if let Some(v) = default_currency {
            next.default_currency = v;
        }
        if let Some(v) = locale {
            next.locale = v;
        }
        if let Some(v) = time_zone {
            next.time_zone = v;
        }
        if let Some(v) = proposal_validity_days {
            next.proposal_validity_days = v;
        }
        if let Some(v) = invoice_notes {
            next.invoice_notes = v;
        }
        if let Some(v) = invoice_footer {
            next.invoice_footer = v;
        }
        if let Some(v) = small_business_exemption {
            next.small_business_exemption = v;
        }
        if let Some(v) = document_link_days {
            next.document_link_days = v;
        }
        if let Some(v) = reminders {
            next.reminders = v;
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> Result<SettingsPatch, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn the_defaults_are_valid_settings() {
        let defaults = Settings::default();
        let json = serde_json::to_string(&defaults).expect("serialise");
        assert_eq!(
            serde_json::from_str::<Settings>(&json).expect("round trip"),
            defaults
        );
    }

    #[test]
    fn an_absent_field_is_kept_and_null_clears_a_clearable_one() {
        let settings = Settings {
            invoice_notes: DocumentText::parse("Thanks!").ok(),
            ..Settings::default()
        };
        let next = settings
            .patched(patch(r#"{"invoice_notes": null, "payment_terms_days": 14}"#).expect("valid"));
        assert_eq!(next.invoice_notes, None);
        assert_eq!(next.payment_terms_days.days(), 14);
        assert_eq!(next.locale, settings.locale);
    }

    #[test]
    fn null_is_refused_for_a_field_that_must_hold_a_value() {
        assert!(patch(r#"{"locale": null}"#).is_err());
        assert!(patch(r#"{"payment_terms_days": null}"#).is_err());
    }

    #[test]
    fn days_outside_their_range_are_refused() {
        for bad in ["-1", "366", "1.5", "1e9"] {
            assert!(
                patch(&format!(r#"{{"payment_terms_days": {bad}}}"#)).is_err(),
                "{bad}"
            );
        }
        assert!(patch(r#"{"proposal_validity_days": 0}"#).is_err());
        assert!(patch(r#"{"payment_terms_days": 0}"#).is_ok());
    }
}

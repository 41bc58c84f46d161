//! Proposals (quotes): draft → sent (numbered) → accepted | declined, or expired once its
//! validity has passed (computed, never stored); an accepted proposal converts, once, into a
//! draft invoice.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::account::CompanyProfile;
use super::customer::Customer;
use super::document::{
    Buyer, Content, ContentPatch, ContentRequest, DraftContext, LineRequest, Particulars,
    ParticularsPatch, Seller, invalid,
};
use super::ids::{CustomerId, InvoiceId, ProposalId};
use super::money::Money;
use super::patch::{nullable, present};
use super::time::Date;
use super::values::{Currency, CustomerName, DocumentText, Percentage};
use super::{FieldError, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Draft,
    Sent,
    Accepted,
    Declined,
    /// Sent, and its validity has passed (computed when it is read).
    Expired,
    /// Accepted and made into an invoice.
    Converted,
}

impl ProposalStatus {
    pub const ALL: [Self; 6] = [
        Self::Draft,
        Self::Sent,
        Self::Accepted,
        Self::Declined,
        Self::Expired,
        Self::Converted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Converted => "converted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status stored for one shown as this: an expired proposal is stored as sent.
    pub fn stored(self) -> Self {
        match self {
            Self::Expired => Self::Sent,
            other => other,
        }
    }
}

/// A new draft proposal. Every field may wait until it is sent, except that a proposal needs a
/// customer and at least one line to be sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProposal {
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// The customer's currency, else the company's.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Today in the account's time zone when not given.
    #[serde(default)]
    pub issue_date: Option<Date>,
    /// The last day it can be accepted: the issue date plus the settings' validity when not given.
    #[serde(default)]
    pub valid_until: Option<Date>,
    #[serde(default)]
    pub notes: Option<DocumentText>,
    #[serde(default)]
    pub footer: Option<DocumentText>,
    #[serde(default)]
    pub discount_percent: Option<Percentage>,
    #[serde(default)]
    pub prices_include_tax: bool,
    /// Up to 500 lines.
    #[serde(default)]
    pub lines: Vec<LineRequest>,
}

/// A change to a draft (JSON merge patch), as for invoices; `valid_until: null` goes back to
/// the settings' validity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<CustomerId>)]
    pub customer_id: Option<Option<CustomerId>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<Option<Currency>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Date)]
    pub issue_date: Option<Date>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Date>)]
    pub valid_until: Option<Option<Date>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub notes: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub footer: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Percentage>)]
    pub discount_percent: Option<Option<Percentage>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub prices_include_tax: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<LineRequest>)]
    pub lines: Option<Vec<LineRequest>>,
}

/// A proposal as the account keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    pub status: ProposalStatus,
    /// Assigned when it is sent (`PRO-2026-0001`); `null` on a draft.
    pub number: Option<String>,
    pub issue_date: Date,
    pub valid_until: Date,
    #[serde(flatten)]
    pub content: Content,
    pub seller: Option<Seller>,
    pub buyer: Option<Buyer>,
    pub sent_at: Option<Timestamp>,
    /// When it can no longer be accepted: the end of `valid_until` in the account's time zone.
    pub expires_at: Option<Timestamp>,
    pub accepted_at: Option<Timestamp>,
    pub declined_at: Option<Timestamp>,
    pub decline_reason: Option<DocumentText>,
    /// The invoice it was converted into.
    pub invoice_id: Option<InvoiceId>,
    /// The customer's acceptance on its page: their name, when, from where, and the SHA-256
    /// of the PDF they were shown. `null` when the owner recorded the answer.
    #[serde(default)]
    pub acceptance: Option<crate::domain::link::Acceptance>,
    /// Each time it was e-mailed, oldest first: once the mail service accepted the message.
    #[serde(default)]
    pub sendings: Vec<crate::domain::sending::Sending>,
    /// Its links to its page, newest last (each send makes one; none is shown again).
    #[serde(default)]
    pub links: Vec<crate::domain::link::DocumentLink>,
    /// What happened to it after it was sent: delivered, bounced, viewed, answered.
    #[serde(default)]
    pub deliveries: Vec<crate::domain::link::Delivery>,
}

/// A proposal as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProposalSummary {
    pub id: ProposalId,
    pub number: Option<String>,
    pub status: ProposalStatus,
    pub customer_id: Option<CustomerId>,
    pub customer_name: Option<CustomerName>,
    pub issue_date: Date,
    pub valid_until: Date,
    pub expires_at: Option<Timestamp>,
    pub currency: Currency,
    pub total: Money,
}

fn check_validity(issue: Date, valid_until: Date) -> Result<(), Vec<FieldError>> {
    if valid_until < issue {
        return Err(invalid("valid_until", "must not be before issue_date"));
    }
    Ok(())
}

fn expired(status: ProposalStatus, expires_at: Option<Timestamp>, now: Timestamp) -> bool {
    status == ProposalStatus::Sent && expires_at.is_some_and(|end| end <= now)
}

impl ProposalSummary {
    /// The summary as of `now`: a sent proposal past its validity shows as expired.
    pub fn as_of(mut self, now: Timestamp) -> Self {
        if expired(self.status, self.expires_at, now) {
            self.status = ProposalStatus::Expired;
        }
        self
    }
}

impl Proposal {
    fn drafted(content: Content, issue_date: Date, valid_until: Date) -> Self {
        Self {
            status: ProposalStatus::Draft,
            number: None,
            issue_date,
            valid_until,
            content,
            seller: None,
            buyer: None,
            sent_at: None,
            expires_at: None,
            accepted_at: None,
            declined_at: None,
            decline_reason: None,
            invoice_id: None,
            acceptance: None,
            sendings: Vec::new(),
            links: Vec::new(),
            deliveries: Vec::new(),
        }
    }

    /// A new draft from a request.
    pub fn draft(new: NewProposal, context: &DraftContext<'_>) -> Result<Self, Vec<FieldError>> {
        let issue_date = new.issue_date.unwrap_or(context.today);
        let valid_until = new.valid_until.unwrap_or_else(|| {
            issue_date.plus_days(context.settings.proposal_validity_days.days())
        });
        check_validity(issue_date, valid_until)?;
        let content = Content::new(
            ContentRequest {
                customer_id: new.customer_id,
                currency: new.currency,
                notes: new.notes,
                footer: new.footer,
                discount_percent: new.discount_percent,
                prices_include_tax: new.prices_include_tax,
                particulars: Particulars::default(),
                lines: &new.lines,
            },
            context,
        )?;
        Ok(Self::drafted(content, issue_date, valid_until))
    }

    /// This draft with `patch` applied and its amounts recomputed.
    pub fn patched(
        &self,
        patch: ProposalPatch,
        context: &DraftContext<'_>,
    ) -> Result<Self, Vec<FieldError>> {
        let validity = context.settings.proposal_validity_days.days();
        let issue_date = patch.issue_date.unwrap_or(self.issue_date);
        let valid_until = match patch.valid_until {
            Some(Some(date)) => date,
            Some(None) => issue_date.plus_days(validity),
            None if patch.issue_date.is_some()
                && self.valid_until == self.issue_date.plus_days(validity) =>
            {
                issue_date.plus_days(validity)
            }
            None => self.valid_until,
        };
        check_validity(issue_date, valid_until)?;
        let content = self.content.patched(
            ContentPatch {
                customer_id: patch.customer_id,
                currency: patch.currency,
                notes: patch.notes,
                footer: patch.footer,
                discount_percent: patch.discount_percent,
                prices_include_tax: patch.prices_include_tax,
                particulars: ParticularsPatch::default(),
                lines: patch.lines.as_deref(),
            },
            context,
        )?;
        Ok(Self::drafted(content, issue_date, valid_until))
    }

    /// Whether it was sent and its validity has passed at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        expired(self.status, self.expires_at, now)
    }

    /// The proposal as of `now`, as the API shows it: expired once its validity has passed.
    pub fn as_of(mut self, now: Timestamp) -> Self {
        if self.is_expired(now) {
            self.status = ProposalStatus::Expired;
        }
        self
    }

    /// The draft, sent: numbered, both parties snapshot, unchangeable, acceptable until
    /// `expires_at`.
    pub fn sent(
        &self,
        number: String,
        company: &CompanyProfile,
        customer: &Customer,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Self {
        let mut sent = self.clone();
        sent.status = ProposalStatus::Sent;
        sent.number = Some(number);
        sent.content.customer_name = Some(customer.name.clone());
        sent.seller = Some(Seller::of(company));
        sent.buyer = Some(Buyer::of(customer));
        sent.sent_at = Some(at);
        sent.expires_at = Some(expires_at);
        sent
    }

    /// The sent proposal, recording that `sending` left for its customer.
    pub fn mailed(&self, sending: crate::domain::sending::Sending) -> Self {
        let mut sent = self.clone();
        sent.sendings.push(sending);
        sent
    }

    pub fn accepted(&self, at: Timestamp) -> Self {
        Self {
            status: ProposalStatus::Accepted,
            accepted_at: Some(at),
            ..self.clone()
        }
    }

    pub fn declined(&self, reason: DocumentText, at: Timestamp) -> Self {
        Self {
            status: ProposalStatus::Declined,
            declined_at: Some(at),
            decline_reason: Some(reason),
            ..self.clone()
        }
    }

    pub fn converted(&self, invoice: InvoiceId) -> Self {
        Self {
            status: ProposalStatus::Converted,
            invoice_id: Some(invoice),
            ..self.clone()
        }
    }

    pub fn summary(&self, id: ProposalId) -> ProposalSummary {
        ProposalSummary {
            id,
            number: self.number.clone(),
            status: self.status,
            customer_id: self.content.customer_id,
            customer_name: self.content.customer_name.clone(),
            issue_date: self.issue_date,
            valid_until: self.valid_until,
            expires_at: self.expires_at,
            currency: self.content.currency,
            total: self.content.total,
        }
    }
}

super::link::tracked!(Proposal, "proposal");

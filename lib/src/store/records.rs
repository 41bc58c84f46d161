//! What each domain type is stored as: its kind and schema version, bound into its seal.

use serde::{Deserialize, Serialize};

use super::Record;
use crate::domain::UserId;
use crate::domain::account::{CompanyProfile, User};
use crate::domain::settings::Settings;

impl Record for User {
    const KIND: &'static str = "user";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for CompanyProfile {
    const KIND: &'static str = "company";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for Settings {
    const KIND: &'static str = "settings";
    const SCHEMA_VERSION: u32 = 1;
}

/// The sealed part of a session item: whose session it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SessionRecord {
    pub user: UserId,
}

impl Record for SessionRecord {
    const KIND: &'static str = "session";
    const SCHEMA_VERSION: u32 = 1;
}

/// One entry of the account's audit trail: who did what to which object, and how it ended.
/// Never the object's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The user who acted; `None` for an actor not (yet) known, e.g. a failed login.
    pub actor: Option<UserId>,
    /// What was done, e.g. `auth.login`, `company.update`.
    pub action: String,
    /// The id of the object acted on.
    pub object: Option<String>,
    /// `success`, or why it failed (`wrong_password`, `locked`).
    pub outcome: String,
    /// The request, to find its log lines.
    pub request_id: Option<String>,
    /// What the actor used instead of the session: `key <name>` for an API key.
    #[serde(default)]
    pub via: Option<String>,
    /// The client's address (for a page of the web app, the browser's, as the web function
    /// vouched for it); none for the service's own passes.
    #[serde(default)]
    pub ip: Option<String>,
    /// The `User-Agent` the client gave (at most 256 bytes).
    #[serde(default)]
    pub user_agent: Option<String>,
}

impl Record for AuditEntry {
    const KIND: &'static str = "audit";
    const SCHEMA_VERSION: u32 = 1;
}

/// How far the account's audit trail is signed: the last checkpoint's number, last entry and
/// digest (what the next checkpoint follows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailHead {
    pub seq: u64,
    /// The last entry signed (its ULID).
    pub through: Option<String>,
    pub digest: String,
}

impl Default for TrailHead {
    fn default() -> Self {
        Self {
            seq: 0,
            through: None,
            digest: crate::domain::trail::GENESIS.to_owned(),
        }
    }
}

impl Record for TrailHead {
    const KIND: &'static str = "trail-head";
    const SCHEMA_VERSION: u32 = 1;
}

/// One signed checkpoint of the audit trail: the statement's text and its signature (DER
/// ECDSA P-256 over SHA-256, base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub statement: String,
    pub signature: String,
}

impl Record for Checkpoint {
    const KIND: &'static str = "checkpoint";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::customer::Customer {
    const KIND: &'static str = "customer";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::catalogue::Service {
    const KIND: &'static str = "service";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::invoice::Invoice {
    const KIND: &'static str = "invoice";
    const SCHEMA_VERSION: u32 = 1;
    const COMPUTED: &'static [&'static str] = &["overdue", "days_overdue"];
}

impl Record for crate::domain::recurring::RecurringInvoice {
    const KIND: &'static str = "recurring-invoice";
    const SCHEMA_VERSION: u32 = 1;
    const COMPUTED: &'static [&'static str] = &["upcoming"];
}

/// That one period of a recurring invoice was made, and as which invoice: created in the
/// transaction that creates the invoice, so a period is made once however passes interleave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodMade {
    pub invoice_id: crate::domain::ids::InvoiceId,
}

impl Record for PeriodMade {
    const KIND: &'static str = "period-made";
    const SCHEMA_VERSION: u32 = 1;
}

/// That a payment reminder stage of an invoice was sent (or is being sent): created before the
/// message leaves, so a stage is sent at most once, ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderGuard {
    /// 1 for the first reminder.
    pub stage: u8,
    pub at: crate::domain::Timestamp,
}

impl Record for crate::domain::api_key::ApiKey {
    const KIND: &'static str = "api-key";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for ReminderGuard {
    const KIND: &'static str = "reminder-sent";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::invoice::InvoiceSummary {
    const KIND: &'static str = "invoice-entry";
    const SCHEMA_VERSION: u32 = 1;
    const COMPUTED: &'static [&'static str] = &["overdue", "days_overdue"];
}

impl Record for crate::domain::proposal::Proposal {
    const KIND: &'static str = "proposal";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::proposal::ProposalSummary {
    const KIND: &'static str = "proposal-entry";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::credit_note::CreditNote {
    const KIND: &'static str = "credit-note";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::credit_note::CreditNoteSummary {
    const KIND: &'static str = "credit-note-entry";
    const SCHEMA_VERSION: u32 = 1;
}

/// A gapless number series: the number the next document of its kind and period gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    pub next: u64,
}

impl Record for Counter {
    const KIND: &'static str = "counter";
    const SCHEMA_VERSION: u32 = 1;
}

/// A document number (BT-1) taken in the account, whichever series and settings gave it: created
/// in the transaction that numbers the document, so no number is ever given twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakenNumber {
    /// The series that took it (`invoice`, `credit-note`, `proposal`).
    pub series: String,
}

impl Record for TakenNumber {
    const KIND: &'static str = "number";
    const SCHEMA_VERSION: u32 = 1;
}

/// The response a create with an `Idempotency-Key` gave, kept (sealed: it holds the record) to
/// give again to a retry of the same request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedResponse {
    pub status: u16,
    pub body: serde_json::Value,
    pub location: Option<String>,
    /// The version the response's `ETag` names, if it has one.
    pub etag: Option<u64>,
}

impl Record for SavedResponse {
    const KIND: &'static str = "idempotency";
    const SCHEMA_VERSION: u32 = 2;
}

impl Record for crate::domain::payment::Payment {
    const KIND: &'static str = "payment";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::payment::PaymentSummary {
    const KIND: &'static str = "payment-entry";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::summary::Totals {
    const KIND: &'static str = "totals";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::link::Suppression {
    const KIND: &'static str = "suppression";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::webhook::Endpoint {
    const KIND: &'static str = "webhook-endpoint";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::webhook::Event {
    const KIND: &'static str = "event";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::webhook::DeliveryAttempt {
    const KIND: &'static str = "webhook-delivery";
    const SCHEMA_VERSION: u32 = 1;
}

impl Record for crate::domain::webhook::Subscriptions {
    const KIND: &'static str = "webhook-subscriptions";
    const SCHEMA_VERSION: u32 = 1;
}

//! What the web app reads from the API, each with the API's own response type, and every API
//! path it names: a page deserialises what the API answered into the type the API serialised
//! it from, so renaming a field fails to compile, and a test checks every path against the
//! OpenAPI document.

use std::marker::PhantomData;

use axum::http::HeaderMap;
use serde::de::DeserializeOwned;

use super::api::{Api, Refusal, Reply};
use super::page::with_query;
use super::{Failure, body};
use crate::app::collection::Resource;
use crate::app::numbering::SeriesState;
use crate::domain::account::CompanyProfile;
use crate::domain::catalogue::Service;
use crate::domain::credit_note::{CreditNote, CreditNoteSummary};
use crate::domain::customer::Customer;
use crate::domain::invoice::{Invoice, InvoiceSummary};
use crate::domain::payment::{Payment, PaymentSummary};
use crate::domain::proposal::{Proposal, ProposalSummary};
use crate::domain::recurring::RecurringInvoice;
use crate::domain::settings::Settings;
use crate::domain::summary::AccountSummary;
use crate::http::account::{AuditView, TrailCheckView, Versioned};
use crate::http::exports::ExportView;
use crate::http::records::{ListPage, View};

/// A `GET` of the API answered with a `T`.
pub struct Read<T> {
    path: String,
    answer: PhantomData<fn() -> T>,
}

impl<T> Read<T> {
    fn at(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            answer: PhantomData,
        }
    }

    /// The path it reads (with its query).
    #[cfg(test)]
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// An answer and the `ETag` it came with (the `If-Match` of the next change).
pub struct Got<T> {
    pub value: T,
    pub etag: String,
}

impl Api {
    /// `read` for the browser that sent `from`, as the API's own type.
    pub async fn read<T: DeserializeOwned>(
        &self,
        from: &HeaderMap,
        read: Read<T>,
    ) -> Result<T, Failure> {
        Ok(self.read_tagged(from, read).await?.value)
    }

    /// `read`, with the `ETag` the API answered.
    pub async fn read_tagged<T: DeserializeOwned>(
        &self,
        from: &HeaderMap,
        read: Read<T>,
    ) -> Result<Got<T>, Failure> {
        typed(self.get(from, read.path).await)
    }
}

/// What a successful `reply` says, as a `T`; else the failure it is.
pub fn typed<T: DeserializeOwned>(reply: Reply) -> Result<Got<T>, Failure> {
    let etag = reply.etag().unwrap_or_default();
    let value = body(reply)?;
    match serde_json::from_value(value) {
        Ok(value) => Ok(Got { value, etag }),
        Err(error) => {
            tracing::error!(%error, "the API answered what its own type cannot read");
            Err(Failure::Refused(Refusal {
                status: 500,
                message: "Something went wrong on our side. Please try again.".to_owned(),
                fields: Vec::new(),
            }))
        }
    }
}

/// A kind of record the API lists, with what each entry of its list is.
pub trait Listed: Resource {
    type Entry: DeserializeOwned;
}

impl Listed for Customer {
    type Entry = View<Customer>;
}
impl Listed for Service {
    type Entry = View<Service>;
}
impl Listed for Proposal {
    type Entry = ProposalSummary;
}
impl Listed for Invoice {
    type Entry = InvoiceSummary;
}
impl Listed for CreditNote {
    type Entry = CreditNoteSummary;
}
impl Listed for Payment {
    type Entry = PaymentSummary;
}
impl Listed for RecurringInvoice {
    type Entry = View<RecurringInvoice>;
}

pub const SETTINGS: &str = "/v1/settings";
pub const COMPANY: &str = "/v1/company";
pub const SUMMARY: &str = "/v1/summary";
pub const NUMBER_SERIES: &str = "/v1/number-series";
pub const EXPORTS: &str = "/v1/exports";
pub const AUDIT: &str = "/v1/audit";
pub const AUDIT_VERIFY: &str = "/v1/audit/verify";
pub const ACCOUNT: &str = "/v1/account";
pub const LOGIN: &str = "/v1/auth/login";
pub const SIGNUP: &str = "/v1/auth/signup";
pub const LOGOUT: &str = "/v1/auth/logout";
pub const PASSWORD: &str = "/v1/auth/password";
pub const EMAIL: &str = "/v1/auth/email";
pub const SESSION: &str = "/v1/auth/session";
pub const REAUTHENTICATE: &str = "/v1/auth/reauthenticate";
pub const SECOND_FACTOR: &str = "/v1/auth/second-factor";
pub const SECOND_FACTOR_CONFIRM: &str = "/v1/auth/second-factor/confirm";

pub fn settings() -> Read<Versioned<Settings>> {
    Read::at(SETTINGS)
}

pub fn company() -> Read<Versioned<CompanyProfile>> {
    Read::at(COMPANY)
}

pub fn summary() -> Read<AccountSummary> {
    Read::at(SUMMARY)
}

pub fn number_series() -> Read<Vec<SeriesState>> {
    Read::at(NUMBER_SERIES)
}

/// One number series: `/v1/number-series/invoice`.
pub fn series(name: &str) -> String {
    format!("{NUMBER_SERIES}/{name}")
}

/// A page of the account's exports.
pub fn exports(next: Option<&str>) -> Read<ListPage<ExportView>> {
    Read::at(with_query(EXPORTS, [("next", next)]))
}

/// A page of the audit trail.
pub fn audit(next: Option<&str>) -> Read<ListPage<AuditView>> {
    Read::at(with_query(AUDIT, [("next", next)]))
}

/// The audit trail checked against its signed checkpoints.
pub fn audit_check() -> Read<TrailCheckView> {
    Read::at(AUDIT_VERIFY.to_owned())
}

/// The records of kind `R`: `/v1/customers`.
pub fn records<R: Resource>() -> &'static str {
    R::PATH
}

/// One record of kind `R`: `/v1/customers/cus_…`.
pub fn record_path<R: Resource>(id: &str) -> String {
    format!("{}/{id}", R::PATH)
}

/// Reads one record of kind `R`.
pub fn record<R: Resource + DeserializeOwned>(id: &str) -> Read<View<R>> {
    Read::at(record_path::<R>(id))
}

/// What is done to a record, or made from it: `/v1/invoices/inv_…/issue`, `…/pdf`.
pub fn of_record<R: Resource>(id: &str, what: &str) -> String {
    format!("{}/{id}/{what}", R::PATH)
}

/// A page of the list of `R`, with the query `parameters` (each left out when empty).
pub fn list<'n, 'v, R: Listed>(
    parameters: impl IntoIterator<Item = (&'n str, Option<&'v str>)>,
) -> Read<ListPage<R::Entry>> {
    Read::at(with_query(R::PATH, parameters))
}

/// Up to 100 payments of one invoice.
pub fn payments_of(invoice: &str) -> Read<ListPage<PaymentSummary>> {
    Read::at(format!(
        "{}?limit=100",
        of_record::<Invoice>(invoice, "payments")
    ))
}

/// An invoice's payment reminders: those sent, and the next one's day.
pub fn reminders_of(invoice: &str) -> Read<crate::app::reminders::Reminders> {
    Read::at(of_record::<Invoice>(invoice, "reminders"))
}

/// Up to 100 credit notes of one invoice.
pub fn credit_notes_of(invoice: &str) -> Read<ListPage<CreditNoteSummary>> {
    Read::at(format!(
        "{}?limit=100",
        of_record::<Invoice>(invoice, "credit-notes")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path the web app names is one the API documents, with the method it is used with.
    #[test]
    fn every_path_the_web_app_names_is_documented() {
        let document: serde_json::Value =
            serde_json::from_str(crate::http::openapi::DOCUMENT).expect("the document is JSON");
        let id = "{id}";
        let template = |path: &str| {
            path.split('?')
                .next()
                .unwrap_or_default()
                .replace("/invoice/", "/{series}/")
        };
        let used: Vec<(&str, String)> = vec![
            ("get", settings().path().to_owned()),
            ("patch", SETTINGS.to_owned()),
            ("get", company().path().to_owned()),
            ("put", COMPANY.to_owned()),
            ("get", summary().path().to_owned()),
            ("get", number_series().path().to_owned()),
            ("put", series("{series}")),
            ("get", exports(Some("x")).path().to_owned()),
            ("post", EXPORTS.to_owned()),
            ("get", audit(None).path().to_owned()),
            ("get", audit_check().path().to_owned()),
            ("delete", ACCOUNT.to_owned()),
            ("post", LOGIN.to_owned()),
            ("post", SIGNUP.to_owned()),
            ("post", LOGOUT.to_owned()),
            ("post", PASSWORD.to_owned()),
            ("put", EMAIL.to_owned()),
            ("get", SESSION.to_owned()),
            ("post", REAUTHENTICATE.to_owned()),
            ("post", SECOND_FACTOR.to_owned()),
            ("delete", SECOND_FACTOR.to_owned()),
            ("post", SECOND_FACTOR_CONFIRM.to_owned()),
            (
                "get",
                list::<Customer>([("limit", Some("100"))]).path().to_owned(),
            ),
            ("post", records::<Customer>().to_owned()),
            ("get", record::<Customer>(id).path().to_owned()),
            ("patch", record_path::<Customer>(id)),
            ("delete", record_path::<Customer>(id)),
            ("get", list::<Service>([]).path().to_owned()),
            ("post", records::<Service>().to_owned()),
            ("get", record::<Service>(id).path().to_owned()),
            ("patch", record_path::<Service>(id)),
            ("delete", record_path::<Service>(id)),
            ("get", list::<Proposal>([]).path().to_owned()),
            ("post", records::<Proposal>().to_owned()),
            ("get", record::<Proposal>(id).path().to_owned()),
            ("patch", record_path::<Proposal>(id)),
            ("delete", record_path::<Proposal>(id)),
            ("get", of_record::<Proposal>(id, "pdf")),
            ("post", of_record::<Proposal>(id, "send")),
            ("post", of_record::<Proposal>(id, "accept")),
            ("post", of_record::<Proposal>(id, "decline")),
            ("post", of_record::<Proposal>(id, "invoice")),
            ("get", list::<Invoice>([]).path().to_owned()),
            ("post", records::<Invoice>().to_owned()),
            ("get", record::<Invoice>(id).path().to_owned()),
            ("patch", record_path::<Invoice>(id)),
            ("delete", record_path::<Invoice>(id)),
            ("get", of_record::<Invoice>(id, "pdf")),
            ("get", of_record::<Invoice>(id, "ubl")),
            ("post", of_record::<Invoice>(id, "issue")),
            ("post", of_record::<Invoice>(id, "void")),
            ("get", payments_of(id).path().to_owned()),
            ("post", of_record::<Invoice>(id, "payments")),
            ("get", credit_notes_of(id).path().to_owned()),
            ("post", of_record::<Invoice>(id, "credit-notes")),
            ("get", list::<CreditNote>([]).path().to_owned()),
            ("get", record::<CreditNote>(id).path().to_owned()),
            ("get", of_record::<CreditNote>(id, "pdf")),
            ("get", of_record::<CreditNote>(id, "ubl")),
            ("get", list::<Payment>([]).path().to_owned()),
            ("delete", record_path::<Payment>(id)),
            (
                "get",
                list::<RecurringInvoice>([("limit", Some("100"))])
                    .path()
                    .to_owned(),
            ),
            ("post", records::<RecurringInvoice>().to_owned()),
            ("get", record::<RecurringInvoice>(id).path().to_owned()),
            ("post", of_record::<RecurringInvoice>(id, "pause")),
            ("post", of_record::<RecurringInvoice>(id, "resume")),
            ("post", of_record::<RecurringInvoice>(id, "end")),
        ];
        let missing: Vec<String> = used
            .iter()
            .filter(|(method, path)| document["paths"][template(path)][*method].is_null())
            .map(|(method, path)| format!("{method} {path}"))
            .collect();
        assert!(missing.is_empty(), "not in the API: {missing:?}");
    }
}

//! CSV exports: a collection streamed page by page into an S3 multipart upload, so memory stays
//! flat however many rows there are, and handed out as a presigned link.
//!
//! Files are written under `exports/<tenant>/`, encrypted by the bucket's default SSE-KMS key,
//! and deleted by the bucket's lifecycle after 7 days. Cells that a spreadsheet would run as a
//! formula (leading `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'` (OWASP CSV
//! injection); every other cell is the stored value exactly. Decimals are plain strings, times
//! RFC 3339, text UTF-8.

use std::time::Duration;

use std::io::Write as _;

use anyhow::Context as _;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::Service;
use crate::domain::credit_note::CreditNote;
use crate::domain::customer::Customer;
use crate::domain::ids::{
    CreditNoteId, CustomerId, ExportId, InvoiceId, PaymentId, ProposalId, ServiceId,
};
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::proposal::Proposal;
use crate::domain::values::Address;
use crate::domain::{TenantId, Timestamp};
use crate::store::{AuditEntry, Collection, Record, Store, Stored, keys};

/// S3's smallest part (except the last); parts are flushed when the buffer reaches it.
pub const PART_BYTES: usize = 5 * 1024 * 1024;
/// How long a download link works.
pub const LINK_SECONDS: u64 = 15 * 60;
/// How long the bucket's lifecycle keeps a file (template.yaml, `ExportsExpire`).
pub const RETENTION_DAYS: i64 = 7;

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    Customers,
    Services,
    /// One row per proposal: its number, status, customer, dates and totals.
    Proposals,
    /// One row per invoice: its number, status, customer, dates, totals and balance.
    Invoices,
    /// One row per line of every invoice.
    InvoiceLines,
    /// One row per payment: its invoice, customer, amount, day, method and reference.
    Payments,
    /// Everything: one ZIP with a CSV of every collection (customers, services, proposals,
    /// invoices, invoice lines, credit notes, payments, the audit trail), the company profile,
    /// settings and users as JSON, and a README.txt that says what each file holds.
    Account,
}

impl Dataset {
    /// The file's extension and media type.
    pub fn file_type(self) -> (&'static str, &'static str) {
        match self {
            Self::Account => ("zip", "application/zip"),
            _ => ("csv", "text/csv; charset=utf-8"),
        }
    }
}

/// The stored record of one export (sealed like every record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRecord {
    pub dataset: Dataset,
    pub rows: u64,
    pub object_key: String,
}

impl Record for ExportRecord {
    const KIND: &'static str = "export";
    const SCHEMA_VERSION: u32 = 1;
}

/// A stable, documented CSV form of the records of one collection: a header, and the rows
/// each record gives (one, or one per line of a document).
pub trait CsvForm {
    type Record: Record;
    const COLLECTION: Collection;
    const HEADER: &'static [&'static str];
    /// Records read per Query: fewer for documents, which can be large, so memory stays flat.
    const PAGE: u16 = 100;
    fn rows(id: ulid::Ulid, stored: &Stored<Self::Record>) -> Vec<Vec<String>>;
}

fn text<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// An address as five cells: street lines (one per line), city, region, postal code, country.
fn address_cells(address: &Option<Address>) -> [String; 5] {
    match address {
        None => Default::default(),
        Some(a) => [
            a.lines
                .lines()
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            text(&a.city),
            text(&a.region),
            text(&a.postal_code),
            a.country.to_string(),
        ],
    }
}

impl CsvForm for Customer {
    type Record = Self;
    const COLLECTION: Collection = Collection::Customers;
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "contact_name",
        "email",
        "phone",
        "billing_address_lines",
        "billing_city",
        "billing_region",
        "billing_postal_code",
        "billing_country",
        "shipping_address_lines",
        "shipping_city",
        "shipping_region",
        "shipping_postal_code",
        "shipping_country",
        "tax_id",
        "currency",
        "notes",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let c = &stored.record;
        let mut row = vec![
            CustomerId::from_ulid(id).to_string(),
            c.name.to_string(),
            text(&c.contact_name),
            text(&c.email),
            text(&c.phone),
        ];
        row.extend(address_cells(&c.billing_address));
        row.extend(address_cells(&c.shipping_address));
        row.extend([
            text(&c.tax_id),
            text(&c.currency),
            text(&c.notes),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]);
        vec![row]
    }
}

impl CsvForm for Service {
    type Record = Self;
    const COLLECTION: Collection = Collection::Services;
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "description",
        "unit_price",
        "unit",
        "tax_rate",
        "currency",
        "active",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let s = &stored.record;
        vec![vec![
            ServiceId::from_ulid(id).to_string(),
            s.name.to_string(),
            text(&s.description),
            s.unit_price.to_string(),
            text(&s.unit),
            text(&s.tax_rate),
            s.currency.to_string(),
            s.active.to_string(),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]]
    }
}

/// Proposals, one row each.
impl CsvForm for Proposal {
    type Record = Self;
    const COLLECTION: Collection = Collection::Proposals;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "id",
        "number",
        "status",
        "customer_id",
        "customer_name",
        "issue_date",
        "valid_until",
        "expires_at",
        "currency",
        "net_total",
        "discount_total",
        "tax_total",
        "total",
        "invoice_id",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let p = &stored.record;
        let c = &p.content;
        vec![vec![
            ProposalId::from_ulid(id).to_string(),
            text(&p.number),
            p.status.as_str().to_owned(),
            text(&c.customer_id),
            text(&c.customer_name),
            p.issue_date.to_string(),
            p.valid_until.to_string(),
            text(&p.expires_at),
            c.currency.to_string(),
            c.net_total.to_string(),
            c.discount_total.to_string(),
            c.tax_total.to_string(),
            c.total.to_string(),
            text(&p.invoice_id),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]]
    }
}

/// Invoices, one row each.
impl CsvForm for Invoice {
    type Record = Self;
    const COLLECTION: Collection = Collection::Invoices;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "id",
        "number",
        "status",
        "customer_id",
        "customer_name",
        "issue_date",
        "due_date",
        "currency",
        "net_total",
        "discount_total",
        "tax_total",
        "total",
        "amount_credited",
        "amount_paid",
        "amount_due",
        "paid_at",
        "proposal_id",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let i = &stored.record;
        let c = &i.content;
        vec![vec![
            InvoiceId::from_ulid(id).to_string(),
            text(&i.number),
            i.status.as_str().to_owned(),
            text(&c.customer_id),
            text(&c.customer_name),
            i.issue_date.to_string(),
            i.due_date.to_string(),
            c.currency.to_string(),
            c.net_total.to_string(),
            c.discount_total.to_string(),
            c.tax_total.to_string(),
            c.total.to_string(),
            i.amount_credited.to_string(),
            i.amount_paid.to_string(),
            i.amount_due.to_string(),
            text(&i.paid_at),
            text(&i.proposal_id),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]]
    }
}

/// Every line of every invoice, one row each, numbered from 1 within its invoice.
pub struct InvoiceLines;

impl CsvForm for InvoiceLines {
    type Record = Invoice;
    const COLLECTION: Collection = Collection::Invoices;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "invoice_id",
        "invoice_number",
        "line",
        "service_id",
        "description",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "discount_amount",
        "tax_rate",
        "net",
        "currency",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Invoice>) -> Vec<Vec<String>> {
        let invoice = &stored.record;
        let id = InvoiceId::from_ulid(id).to_string();
        invoice
            .content
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                vec![
                    id.clone(),
                    text(&invoice.number),
                    (index + 1).to_string(),
                    text(&line.service_id),
                    line.description.to_string(),
                    line.quantity.to_string(),
                    text(&line.unit),
                    line.unit_price.to_string(),
                    text(&line.discount_percent),
                    text(&line.discount_amount),
                    line.tax_rate.to_string(),
                    line.net.to_string(),
                    invoice.content.currency.to_string(),
                ]
            })
            .collect()
    }
}

/// Payments, one row each.
impl CsvForm for Payment {
    type Record = Self;
    const COLLECTION: Collection = Collection::Payments;
    const PAGE: u16 = 100;
    const HEADER: &'static [&'static str] = &[
        "id",
        "invoice_id",
        "invoice_number",
        "customer_id",
        "customer_name",
        "date",
        "currency",
        "amount",
        "method",
        "reference",
        "note",
        "created_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let p = &stored.record;
        vec![vec![
            PaymentId::from_ulid(id).to_string(),
            p.invoice_id.to_string(),
            p.invoice_number.clone(),
            p.customer_id.to_string(),
            text(&p.customer_name),
            p.date.to_string(),
            p.currency.to_string(),
            p.amount.to_string(),
            p.method.as_str().to_owned(),
            text(&p.reference),
            text(&p.note),
            stored.created_at.to_string(),
        ]]
    }
}

/// Credit notes, one row each.
impl CsvForm for CreditNote {
    type Record = Self;
    const COLLECTION: Collection = Collection::CreditNotes;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "id",
        "number",
        "invoice_id",
        "invoice_number",
        "customer_id",
        "customer_name",
        "issue_date",
        "reason",
        "currency",
        "net_total",
        "tax_total",
        "total",
        "refund",
        "issued_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let n = &stored.record;
        let c = &n.content;
        vec![vec![
            CreditNoteId::from_ulid(id).to_string(),
            n.number.clone(),
            n.invoice_id.to_string(),
            n.invoice_number.clone(),
            text(&c.customer_id),
            text(&c.customer_name),
            n.issue_date.to_string(),
            text(&n.reason),
            c.currency.to_string(),
            c.net_total.to_string(),
            c.tax_total.to_string(),
            c.total.to_string(),
            n.refund.to_string(),
            n.issued_at.to_string(),
        ]]
    }
}

/// The audit trail, newest first: who did what to which object, how it ended, when.
impl CsvForm for AuditEntry {
    type Record = Self;
    const COLLECTION: Collection = Collection::Audit;
    const HEADER: &'static [&'static str] = &[
        "id",
        "at",
        "actor",
        "action",
        "object",
        "outcome",
        "request_id",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let e = &stored.record;
        vec![vec![
            id.to_string(),
            stored.created_at.to_string(),
            text(&e.actor),
            e.action.clone(),
            text(&e.object),
            e.outcome.clone(),
            text(&e.request_id),
        ]]
    }
}

/// What `README.txt` in an account's ZIP says.
const ACCOUNT_README: &str = "\
InvoiceFlow: the complete export of one account.

account.json        the company profile, the settings, and the account's users (name and
                    email; never a password or a key)
customers.csv       one row per customer
services.csv        one row per service of the catalogue
proposals.csv       one row per proposal: number, status, customer, dates, totals
invoices.csv        one row per invoice: number, status, customer, dates, totals, amount
                    credited, paid and due
invoice_lines.csv   one row per line of every invoice
credit_notes.csv    one row per credit note: the invoice it corrects, totals, refund
payments.csv        one row per payment: invoice, customer, day, amount, method, reference
audit.csv           the audit trail, newest first: who did what, to which record, when
documents/          the PDF of every issued invoice, credit note and sent proposal that has
                    been downloaded, the very file that was sent (named by the document's
                    id); a document never downloaded has its PDF made on its first download

Text is UTF-8. Amounts are decimal strings in the document's currency; dates are YYYY-MM-DD
and times RFC 3339 (UTC). A cell that a spreadsheet would run as a formula (it begins with
=, +, -, @, a tab or a carriage return) starts with an apostrophe.
";

/// Streams the complete export of an account into the target as one ZIP (see
/// [`Dataset::Account`]): every collection a page at a time, so memory stays flat whatever the
/// account's size. `account` is the company profile, settings and users. Returns the number of
/// CSV rows, headers excluded.
pub async fn write_account_zip(
    store: &Store,
    s3: &aws_sdk_s3::Client,
    target: &Target<'_>,
    tenant: &TenantId,
    account: &serde_json::Value,
) -> Result<u64, ExportError> {
    use zip::write::SimpleFileOptions;
    let mut upload = Box::pin(Upload::start(
        s3,
        target,
        tenant,
        Dataset::Account.file_type().1,
    ))
    .await?;
    let sink = upload.sink.clone();
    let written = async {
        let mut zip = zip::ZipWriter::new_stream(sink);
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("README.txt", options).map_err(write_error)?;
        zip.write_all(ACCOUNT_README.as_bytes())
            .map_err(write_error)?;
        zip.start_file("account.json", options)
            .map_err(write_error)?;
        serde_json::to_writer_pretty(&mut zip, account).map_err(write_error)?;
        let mut rows = 0;
        macro_rules! csv_file {
            ($form:ty, $name:literal) => {{
                zip.start_file($name, options).map_err(write_error)?;
                let mut csv = csv::Writer::from_writer(&mut zip);
                rows +=
                    Box::pin(write_rows::<$form, _>(store, tenant, &mut csv, &mut upload)).await?;
            }};
        }
        csv_file!(Customer, "customers.csv");
        csv_file!(Service, "services.csv");
        csv_file!(Proposal, "proposals.csv");
        csv_file!(Invoice, "invoices.csv");
        csv_file!(InvoiceLines, "invoice_lines.csv");
        csv_file!(CreditNote, "credit_notes.csv");
        csv_file!(Payment, "payments.csv");
        csv_file!(AuditEntry, "audit.csv");
        // The kept PDFs, opened, stored as they are (a PDF is compressed already).
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let prefix = keys::documents_prefix(tenant);
        let cipher = store.cipher(tenant).await?;
        for key in Box::pin(list_keys(s3, target.bucket, &prefix)).await? {
            let sealed = Box::pin(read_object(s3, target.bucket, &key)).await?;
            let pdf = cipher
                .open(key.as_bytes(), &sealed)
                .map_err(|_| ExportError::Write(anyhow::anyhow!("a kept document did not open")))?;
            let name = key.strip_prefix(&prefix).unwrap_or(&key);
            zip.start_file(format!("documents/{name}"), stored)
                .map_err(write_error)?;
            zip.write_all(&pdf).map_err(write_error)?;
            Box::pin(upload.ship()).await?;
        }
        zip.finish().map_err(write_error)?;
        Ok(rows)
    }
    .await;
    Box::pin(upload.finish(written)).await
}

/// A cell a spreadsheet would evaluate gets a leading `'`; any other is written as it is.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Where a tenant's export file of `dataset` lives.
pub fn object_key(tenant: &TenantId, export: &ExportId, dataset: Dataset) -> String {
    keys::export_file(tenant, export, dataset.file_type().0)
}

/// Every key under `prefix`, a page of 1,000 at a time.
async fn list_keys(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, ExportError> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let listed = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_continuation_token(token)
            .send()
            .await
            .map_err(s3_error)?;
        keys.extend(
            listed
                .contents()
                .iter()
                .filter_map(|object| object.key())
                .filter(|key| key.starts_with(prefix))
                .map(str::to_owned),
        );
        match listed.next_continuation_token {
            Some(next) => token = Some(next),
            None => return Ok(keys),
        }
    }
}

async fn read_object(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Vec<u8>, ExportError> {
    let object = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(s3_error)?;
    let body = object.body.collect().await.map_err(s3_error)?;
    Ok(body.into_bytes().to_vec())
}

/// Deletes every file of the tenant (its purge): its exports and its kept documents; how many
/// there were.
pub async fn delete_tenant_files(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    tenant: &TenantId,
) -> Result<usize, ExportError> {
    let mut deleted = 0;
    for prefix in keys::file_prefixes(tenant) {
        deleted += delete_prefix(s3, bucket, &prefix).await?;
    }
    Ok(deleted)
}

/// Deletes every object under `prefix`: how many there were.
async fn delete_prefix(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<usize, ExportError> {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    let mut deleted = 0;
    loop {
        // Each round lists what is left (at most 1,000 keys) and deletes it, until none is.
        let listed = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .send()
            .await
            .map_err(s3_error)?;
        let objects: Vec<ObjectIdentifier> = listed
            .contents()
            .iter()
            .filter_map(|object| object.key())
            .filter(|key| key.starts_with(prefix))
            .map(|key| {
                ObjectIdentifier::builder()
                    .key(key)
                    .build()
                    .map_err(s3_error)
            })
            .collect::<Result<_, _>>()?;
        if objects.is_empty() {
            return Ok(deleted);
        }
        let count = objects.len();
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(s3_error)?;
        let out = s3
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(s3_error)?;
        if !out.errors().is_empty() {
            return Err(ExportError::S3(anyhow::anyhow!(
                "{} of {count} files could not be deleted",
                out.errors().len()
            )));
        }
        deleted += count;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("S3 call failed")]
    S3(#[source] anyhow::Error),
    #[error("writing the export file failed")]
    Write(#[source] anyhow::Error),
}

fn write_error(e: impl Into<anyhow::Error>) -> ExportError {
    ExportError::Write(e.into())
}

fn s3_error(e: impl Into<anyhow::Error>) -> ExportError {
    ExportError::S3(e.into())
}

/// Where an export file is written, and the KMS key it is encrypted under.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub kms_key_id: &'a str,
}

/// The SSE-KMS encryption context of a tenant's export files (base64 JSON, as S3 takes it):
/// KMS checks it on every decryption, the key policy requires it, and CloudTrail records it.
pub fn encryption_context(tenant: &TenantId) -> String {
    use base64::Engine as _;
    let context = serde_json::json!({ "tenant": tenant.to_string() });
    base64::engine::general_purpose::STANDARD.encode(context.to_string())
}

/// A multipart upload being written: the bytes written so far that are not yet a part, and
/// the parts sent. Writers (CSV, ZIP) write into [`Upload::sink`]; after each page of records,
/// [`Upload::ship`] sends what has gathered once it makes a part, so memory stays flat.
struct Upload<'a> {
    s3: &'a aws_sdk_s3::Client,
    bucket: &'a str,
    key: &'a str,
    id: String,
    parts: Vec<CompletedPart>,
    sink: Sink,
}

/// Bytes written and not yet sent: shared between a writer that owns its output (a CSV or ZIP
/// writer) and the upload that drains it.
#[derive(Clone, Default)]
struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("export buffer poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn len(&self) -> usize {
        self.0.lock().map(|bytes| bytes.len()).unwrap_or_default()
    }

    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut bytes| std::mem::take(&mut *bytes))
            .unwrap_or_default()
    }
}

impl<'a> Upload<'a> {
    /// Starts the upload: SSE-KMS under the export key, the tenant in the encryption context.
    async fn start(
        s3: &'a aws_sdk_s3::Client,
        target: &'a Target<'a>,
        tenant: &TenantId,
        content_type: &str,
    ) -> Result<Self, ExportError> {
        let upload = s3
            .create_multipart_upload()
            .bucket(target.bucket)
            .key(target.key)
            .content_type(content_type)
            .content_disposition("attachment")
            .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
            .ssekms_key_id(target.kms_key_id)
            .ssekms_encryption_context(encryption_context(tenant))
            .send()
            .await
            .map_err(s3_error)?;
        Ok(Self {
            s3,
            bucket: target.bucket,
            key: target.key,
            id: upload
                .upload_id
                .ok_or_else(|| s3_error(anyhow::anyhow!("no upload id")))?,
            parts: Vec::new(),
            sink: Sink::default(),
        })
    }

    /// Sends what has gathered as a part, once there is a part's worth.
    async fn ship(&mut self) -> Result<(), ExportError> {
        if self.sink.len() >= PART_BYTES {
            self.send_part().await?;
        }
        Ok(())
    }

    async fn send_part(&mut self) -> Result<(), ExportError> {
        let bytes = self.sink.take();
        let part = upload_part(
            self.s3,
            self.bucket,
            self.key,
            &self.id,
            self.parts.len() + 1,
            bytes,
        )
        .await?;
        self.parts.push(part);
        Ok(())
    }

    /// Sends the rest as the last part and completes the object; or, if `written` failed,
    /// aborts the upload, so no half-written file is left behind.
    async fn finish<T>(mut self, written: Result<T, ExportError>) -> Result<T, ExportError> {
        let completed = match written {
            Ok(value) => match self.send_part().await {
                Ok(()) => self.complete().await.map(|()| value),
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        };
        if completed.is_err() {
            let _ = self
                .s3
                .abort_multipart_upload()
                .bucket(self.bucket)
                .key(self.key)
                .upload_id(&self.id)
                .send()
                .await;
        }
        completed
    }

    async fn complete(&mut self) -> Result<(), ExportError> {
        self.s3
            .complete_multipart_upload()
            .bucket(self.bucket)
            .key(self.key)
            .upload_id(&self.id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(std::mem::take(&mut self.parts)))
                    .build(),
            )
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }
}

/// Streams every record of `R` into the target as CSV, encrypted with SSE-KMS under the
/// export key with the tenant in the encryption context. Returns the number of rows.
pub async fn write_csv<R: CsvForm>(
    store: &Store,
    s3: &aws_sdk_s3::Client,
    target: &Target<'_>,
    tenant: &TenantId,
) -> Result<u64, ExportError> {
    let mut upload = Box::pin(Upload::start(s3, target, tenant, "text/csv; charset=utf-8")).await?;
    let mut csv = csv::Writer::from_writer(upload.sink.clone());
    let written = Box::pin(write_rows::<R, _>(store, tenant, &mut csv, &mut upload)).await;
    drop(csv);
    Box::pin(upload.finish(written)).await
}

fn csv_error(e: csv::Error) -> ExportError {
    write_error(anyhow::Error::new(e).context("writing CSV"))
}

/// Writes the header and every record of `R` as rows, a page at a time, shipping each part's
/// worth as it gathers. Returns the number of rows.
async fn write_rows<R: CsvForm, W: std::io::Write>(
    store: &Store,
    tenant: &TenantId,
    csv: &mut csv::Writer<W>,
    upload: &mut Upload<'_>,
) -> Result<u64, ExportError> {
    csv.write_record(R::HEADER).map_err(csv_error)?;
    let mut rows = 0u64;
    let mut cursor: Option<String> = None;
    loop {
        // Boxed, here and below: the SDK's call futures are large, and an export nests many.
        let page = Box::pin(store.list_keyed::<R::Record>(
            tenant,
            R::COLLECTION,
            R::PAGE,
            cursor.as_deref(),
        ))
        .await?;
        for (id, stored) in &page.items {
            for row in R::rows(*id, stored) {
                csv.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))
                    .map_err(csv_error)?;
                rows += 1;
            }
        }
        csv.flush()
            .context("flushing CSV")
            .map_err(ExportError::Write)?;
        Box::pin(upload.ship()).await?;
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(rows),
        }
    }
}

async fn upload_part(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    number: usize,
    bytes: Vec<u8>,
) -> Result<CompletedPart, ExportError> {
    let number = i32::try_from(number).map_err(s3_error)?;
    let out = s3
        .upload_part()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .part_number(number)
        .body(ByteStream::from(bytes))
        .send()
        .await
        .map_err(s3_error)?;
    Ok(CompletedPart::builder()
        .part_number(number)
        .set_e_tag(out.e_tag)
        .build())
}

/// Deletes an export file (one whose record could not be written).
pub async fn delete_file(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<(), ExportError> {
    s3.delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(s3_error)?;
    Ok(())
}

/// A link to download the file, valid for 15 minutes from `now`, and when it stops working.
pub async fn download_link(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    now: Timestamp,
) -> Result<(String, Timestamp), ExportError> {
    let config =
        PresigningConfig::expires_in(Duration::from_secs(LINK_SECONDS)).map_err(s3_error)?;
    let expires_at = now.plus_seconds(LINK_SECONDS as i64);
    let request = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .presigned(config)
        .await
        .map_err(s3_error)?;
    Ok((request.uri().to_owned(), expires_at))
}

/// Whether the bucket's lifecycle has (or is about to have) deleted an export made at `created`.
pub fn file_expired(created: Timestamp, now: Timestamp) -> bool {
    now.unix_seconds() >= created.unix_seconds() + RETENTION_DAYS * 24 * 3600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept_exactly() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(formula), format!("'{formula}"));
        }
        for plain in ["Ölçü", "a,b", "say \"hi\"", "two\nlines", "", "1+1"] {
            assert_eq!(neutralise(plain), plain);
        }
    }

    #[test]
    fn exports_of_a_tenant_live_under_its_own_prefix() {
        let tenant = TenantId::for_tests();
        let key = object_key(&tenant, &ExportId::generate(), Dataset::Customers);
        assert!(key.starts_with(&keys::exports_prefix(&tenant)), "{key}");
        assert!(key.starts_with(&format!("exports/{tenant}/")), "{key}");
        assert!(key.ends_with(".csv"), "{key}");
        let zip = object_key(&tenant, &ExportId::generate(), Dataset::Account);
        assert!(
            zip.starts_with(&keys::exports_prefix(&tenant)) && zip.ends_with(".zip"),
            "{zip}"
        );
    }
}

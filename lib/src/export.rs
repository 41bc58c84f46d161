//! CSV exports: a collection streamed page by page into an S3 multipart upload, so memory stays
//! flat however many rows there are, and handed out as a presigned link.
//!
//! Files are written under `exports/<tenant>/`, encrypted by the bucket's default SSE-KMS key,
//! and deleted by the bucket's lifecycle after 7 days. Cells that a spreadsheet would run as a
//! formula (leading `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'` (OWASP CSV
//! injection); every other cell is the stored value exactly. Decimals are plain strings, times
//! RFC 3339, text UTF-8.

use std::time::Duration;

use anyhow::Context as _;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::Service;
use crate::domain::customer::Customer;
use crate::domain::ids::{CustomerId, ExportId, InvoiceId, PaymentId, ProposalId, ServiceId};
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::proposal::Proposal;
use crate::domain::values::Address;
use crate::domain::{TenantId, Timestamp};
use crate::store::{Collection, Record, Store, Stored};

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

/// A cell a spreadsheet would evaluate gets a leading `'`; any other is written as it is.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Where a tenant's export file lives.
pub fn object_key(tenant: &TenantId, export: &ExportId) -> String {
    format!("{}{export}.csv", tenant_prefix(tenant))
}

/// Where every file of one tenant is kept: `exports/<tenant>/`.
pub fn tenant_prefix(tenant: &TenantId) -> String {
    format!("exports/{tenant}/")
}

/// Deletes every file of the tenant (its purge): how many there were.
pub async fn delete_tenant_files(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    tenant: &TenantId,
) -> Result<usize, ExportError> {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    let prefix = tenant_prefix(tenant);
    let mut deleted = 0;
    loop {
        // Each round lists what is left (at most 1,000 keys) and deletes it, until none is.
        let listed = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(&prefix)
            .send()
            .await
            .map_err(s3_error)?;
        let objects: Vec<ObjectIdentifier> = listed
            .contents()
            .iter()
            .filter_map(|object| object.key())
            .filter(|key| key.starts_with(&prefix))
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

/// Streams every record of `R` into the target as CSV, encrypted with SSE-KMS under the
/// export key with the tenant in the encryption context. Returns the number of rows.
pub async fn write_csv<R: CsvForm>(
    store: &Store,
    s3: &aws_sdk_s3::Client,
    target: &Target<'_>,
    tenant: &TenantId,
) -> Result<u64, ExportError> {
    let (bucket, key) = (target.bucket, target.key);
    let upload = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .content_type("text/csv; charset=utf-8")
        .content_disposition("attachment")
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
        .ssekms_key_id(target.kms_key_id)
        .ssekms_encryption_context(encryption_context(tenant))
        .send()
        .await
        .map_err(s3_error)?;
    let upload_id = upload
        .upload_id
        .ok_or_else(|| s3_error(anyhow::anyhow!("no upload id")))?;
    let written = stream_parts::<R>(store, s3, bucket, tenant, key, &upload_id).await;
    match written {
        Ok((rows, parts)) => {
            s3.complete_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(s3_error)?;
            Ok(rows)
        }
        Err(error) => {
            // Leave no half-written upload behind (the lifecycle rule would, after a day).
            let _ = s3
                .abort_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
            Err(error)
        }
    }
}

async fn stream_parts<R: CsvForm>(
    store: &Store,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    tenant: &TenantId,
    key: &str,
    upload_id: &str,
) -> Result<(u64, Vec<CompletedPart>), ExportError> {
    let new_writer = || csv::Writer::from_writer(Vec::with_capacity(PART_BYTES + 64 * 1024));
    let csv_error = |e: csv::Error| s3_error(anyhow::Error::new(e).context("writing CSV"));
    let into_bytes = |writer: csv::Writer<Vec<u8>>| {
        writer
            .into_inner()
            .map_err(|e| s3_error(anyhow::anyhow!("flushing CSV: {}", e.error())))
    };
    let mut csv = new_writer();
    csv.write_record(R::HEADER).map_err(csv_error)?;
    let mut parts = Vec::new();
    let mut rows = 0u64;
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .list_keyed::<R::Record>(tenant, R::COLLECTION, R::PAGE, cursor.as_deref())
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
            .map_err(ExportError::S3)?;
        if csv.get_ref().len() >= PART_BYTES {
            let full = std::mem::replace(&mut csv, new_writer());
            let bytes = into_bytes(full)?;
            parts.push(upload_part(s3, bucket, key, upload_id, parts.len() + 1, bytes).await?);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let last = into_bytes(csv)?;
    parts.push(upload_part(s3, bucket, key, upload_id, parts.len() + 1, last).await?);
    Ok((rows, parts))
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
        let key = object_key(&tenant, &ExportId::generate());
        assert!(key.starts_with(&format!("exports/{tenant}/")), "{key}");
    }
}

//! Exports: a collection as CSV, or the complete account as one ZIP, streamed page by page into
//! an S3 multipart upload (through [`crate::store::files`]), so memory stays flat however many
//! rows there are, and handed out as a presigned link.
//!
//! Files are written under `exports/<tenant>/`, encrypted by the bucket's default SSE-KMS key,
//! and deleted by the bucket's lifecycle after 7 days. Cells that a spreadsheet would run as a
//! formula (leading `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'` (OWASP CSV
//! injection); every other cell is the stored value exactly. Decimals are plain strings, times
//! RFC 3339, text UTF-8. The CSV form of each collection is [`forms`].

mod forms;

use std::io::Write as _;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::Service;
use crate::domain::credit_note::CreditNote;
use crate::domain::customer::Customer;
use crate::domain::ids::ExportId;
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::proposal::Proposal;
use crate::domain::recurring::RecurringInvoice;
use crate::domain::{TenantId, Timestamp};
use crate::store::files::{self, FilesError, Target, Upload};
use crate::store::{AuditEntry, Record, Store, keys};

pub use forms::{CsvForm, InvoiceLines, InvoiceReminders, neutralise};

/// S3's smallest part (except the last); parts are flushed when the buffer reaches it.
pub const PART_BYTES: usize = 5 * 1024 * 1024;
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
recurring_invoices.csv  one row per recurring invoice: its schedule, status and last invoice
reminders.csv       one row per payment reminder sent: invoice, stage, day, recipients, days
                    overdue, fees, interest, compensation, total
audit.csv           the audit trail, newest first: who did what, to which record, when,
                    from which address and user agent
audit/              the audit trail as it is signed, to check it offline: trail.jsonl (each
                    entry's canonical line, oldest first), checkpoints.jsonl (each hourly
                    checkpoint's statement and signature), public-key.pem (the key that
                    signs them) and verify.py, which checks the three:
                    python3 audit/verify.py audit   (needs the `cryptography` package)
documents/          the PDF of every issued invoice, credit note and sent proposal that has
                    been downloaded, the very file that was sent (named by the document's
                    id); a document never downloaded has its PDF made on its first download;
                    a void invoice's file since its void is <id>.void.pdf, marked VOID

Text is UTF-8. Amounts are decimal strings in the document's currency; dates are YYYY-MM-DD
and times RFC 3339 (UTC). A cell that a spreadsheet would run as a formula (it begins with
=, +, -, @, a tab or a carriage return) starts with an apostrophe.
";

/// What the complete export carries to check the trail offline: every entry's canonical line
/// (`audit/trail.jsonl`), every checkpoint (`audit/checkpoints.jsonl`: its statement and
/// signature) and the key's public half (`audit/public-key.pem`).
pub struct TrailFiles {
    pub trail: Vec<u8>,
    pub checkpoints: Vec<u8>,
    pub public_key_pem: String,
}

/// The offline check of the audit trail the complete export carries (`audit/verify.py`).
pub const VERIFY_SCRIPT: &str = include_str!("verify_audit_trail.py");

/// Streams the complete export of an account into the target as one ZIP (see
/// [`Dataset::Account`]): every collection a page at a time, so memory stays flat whatever the
/// account's size. `account` is the company profile, settings and users, with the audit trail
/// as signed (none where there is no key to read, as in a measurement). Returns the number of
/// CSV rows, headers excluded.
pub async fn write_account_zip(
    store: &Store,
    s3: &aws_sdk_s3::Client,
    target: &Target<'_>,
    tenant: &TenantId,
    (account, trail): (&serde_json::Value, Option<&TrailFiles>),
) -> Result<u64, ExportError> {
    use zip::write::SimpleFileOptions;
    let mut upload = Box::pin(Upload::start(
        s3,
        target,
        tenant,
        Dataset::Account.file_type().1,
    ))
    .await?;
    let sink = upload.sink();
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
        csv_file!(InvoiceReminders, "reminders.csv");
        csv_file!(CreditNote, "credit_notes.csv");
        csv_file!(Payment, "payments.csv");
        csv_file!(RecurringInvoice, "recurring_invoices.csv");
        csv_file!(AuditEntry, "audit.csv");
        if let Some(trail) = trail {
            for (name, bytes) in [
                ("audit/trail.jsonl", trail.trail.as_slice()),
                ("audit/checkpoints.jsonl", trail.checkpoints.as_slice()),
                ("audit/public-key.pem", trail.public_key_pem.as_bytes()),
                ("audit/verify.py", VERIFY_SCRIPT.as_bytes()),
            ] {
                zip.start_file(name, options).map_err(write_error)?;
                zip.write_all(bytes).map_err(write_error)?;
            }
            Box::pin(upload.ship()).await?;
        }
        // The kept PDFs, opened, stored as they are (a PDF is compressed already).
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let prefix = keys::documents_prefix(tenant);
        let cipher = store.cipher(tenant).await?;
        for key in Box::pin(files::list_keys(s3, target.bucket, &prefix)).await? {
            let sealed = Box::pin(files::read_object(s3, target.bucket, &key)).await?;
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

/// Where a tenant's export file of `dataset` lives.
pub fn object_key(tenant: &TenantId, export: &ExportId, dataset: Dataset) -> String {
    keys::export_file(tenant, export, dataset.file_type().0)
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Files(#[from] FilesError),
    #[error("writing the export file failed")]
    Write(#[source] anyhow::Error),
}

fn write_error(e: impl Into<anyhow::Error>) -> ExportError {
    ExportError::Write(e.into())
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
    let mut csv = csv::Writer::from_writer(upload.sink());
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

/// Whether the bucket's lifecycle has (or is about to have) deleted an export made at `created`.
pub fn file_expired(created: Timestamp, now: Timestamp) -> bool {
    now.unix_seconds() >= file_expires_at(created).unix_seconds()
}

/// When the bucket's lifecycle deletes a file written at `created`.
pub fn file_expires_at(created: Timestamp) -> Timestamp {
    created.plus_seconds(RETENTION_DAYS * 24 * 3600)
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

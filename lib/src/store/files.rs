//! The bucket: the one adapter to S3. Every object key comes from [`super::keys`]; this module
//! lists, reads, writes (whole, conditionally, or as a multipart upload that streams), deletes
//! and presigns them.

use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};

use crate::domain::{TenantId, Timestamp};

use super::keys;

/// S3's smallest part (except the last); parts are flushed when the buffer reaches it.
pub const PART_BYTES: usize = 5 * 1024 * 1024;
/// How long a download link works.
/// How long a presigned download works: long enough for the browser to follow the API's
/// redirect, short enough that a link copied out of it is dead within a minute (the API, which
/// records each download, is the way to a file).
pub const LINK_SECONDS: u64 = 50;

/// An S3 call that failed.
#[derive(Debug, thiserror::Error)]
#[error("S3 call failed")]
pub struct FilesError(#[source] anyhow::Error);

fn s3_error(e: impl Into<anyhow::Error>) -> FilesError {
    FilesError(e.into())
}

/// The object at `key`, or `None` when there is none.
pub async fn get_if_present(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Option<Vec<u8>>, FilesError> {
    let out = match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(out) => out,
        // S3 says NoSuchKey only to a caller that may list the bucket; a tenant's session may
        // list only its own prefixes, so it may hear AccessDenied for a file not yet kept. The
        // key is under the tenant's own prefix (its session can reach nothing else), so that
        // means absent too; a session truly refused would be refused the write that follows.
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_no_such_key() || e.meta().code() == Some("AccessDenied")) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(s3_error(error)),
    };
    let body = out.body.collect().await.map_err(s3_error)?;
    Ok(Some(body.into_bytes().to_vec()))
}

/// Writes `bytes` at `key` unless an object is there already (`If-None-Match: *`): whether it
/// was written.
pub async fn put_new(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    bytes: Vec<u8>,
) -> Result<bool, FilesError> {
    let put = s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .if_none_match("*")
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::Aes256)
        .content_type("application/octet-stream")
        .body(ByteStream::from(bytes))
        .send()
        .await;
    match put {
        Ok(_) => Ok(true),
        Err(error)
            if error
                .raw_response()
                .is_some_and(|r| matches!(r.status().as_u16(), 409 | 412)) =>
        {
            Ok(false)
        }
        Err(error) => Err(s3_error(error)),
    }
}

/// Every key under `prefix`, a page of 1,000 at a time.
pub async fn list_keys(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, FilesError> {
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

pub async fn read_object(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Vec<u8>, FilesError> {
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
) -> Result<usize, FilesError> {
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
) -> Result<usize, FilesError> {
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
            return Err(s3_error(anyhow::anyhow!(
                "{} of {count} files could not be deleted",
                out.errors().len()
            )));
        }
        deleted += count;
    }
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
pub struct Upload<'a> {
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
pub struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

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
    /// Where writers write: what is written is sent as parts by [`Upload::ship`].
    pub fn sink(&self) -> Sink {
        self.sink.clone()
    }

    /// Starts the upload: SSE-KMS under the export key, the tenant in the encryption context.
    pub async fn start(
        s3: &'a aws_sdk_s3::Client,
        target: &'a Target<'a>,
        tenant: &TenantId,
        content_type: &str,
    ) -> Result<Self, FilesError> {
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
    pub async fn ship(&mut self) -> Result<(), FilesError> {
        if self.sink.len() >= PART_BYTES {
            self.send_part().await?;
        }
        Ok(())
    }

    async fn send_part(&mut self) -> Result<(), FilesError> {
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
    pub async fn finish<T, E: From<FilesError>>(mut self, written: Result<T, E>) -> Result<T, E> {
        let completed = match written {
            Ok(value) => match self.send_part().await {
                Ok(()) => self.complete().await.map(|()| value).map_err(E::from),
                Err(error) => Err(E::from(error)),
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

    async fn complete(&mut self) -> Result<(), FilesError> {
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

async fn upload_part(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    number: usize,
    bytes: Vec<u8>,
) -> Result<CompletedPart, FilesError> {
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
) -> Result<(), FilesError> {
    s3.delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(s3_error)?;
    Ok(())
}

/// A link to download the file, valid for [`LINK_SECONDS`] from `now`, and when it stops working.
pub async fn download_link(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    now: Timestamp,
) -> Result<(String, Timestamp), FilesError> {
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

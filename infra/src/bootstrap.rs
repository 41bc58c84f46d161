//! Creates, on the emulator, the table, bucket and KMS keys that template.yaml declares.
//! Idempotent: what exists already is reused, so it can run against a live emulator.

use anyhow::Context as _;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, SseSpecification, SseType, TimeToLiveSpecification,
};
use aws_sdk_kms::types::{KeySpec, KeyUsageType};
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use invoiceflow::aws::Clients;
use invoiceflow::config::Config;

use crate::template::{self, KeyAttribute, KmsKeySpec, Template};

/// Names of one local stack's resources.
#[derive(Debug, Clone)]
pub struct Names {
    pub table: String,
    pub bucket: String,
    /// KMS aliases are `alias/<key_alias_prefix>-<role>`.
    pub key_alias_prefix: String,
}

impl Names {
    /// `make dev`'s stack.
    pub fn dev() -> Self {
        Self {
            table: "invoiceflow".into(),
            bucket: "invoiceflow-exports".into(),
            key_alias_prefix: "invoiceflow".into(),
        }
    }

    /// A stack of its own, for one test.
    pub fn unique() -> Self {
        let suffix = ulid::Ulid::generate().to_string().to_lowercase();
        Self {
            table: format!("invoiceflow-{suffix}"),
            bucket: format!("invoiceflow-{suffix}"),
            key_alias_prefix: format!("invoiceflow-{suffix}"),
        }
    }
}

/// Everything the application needs to know about a stack it runs on.
#[derive(Debug, Clone)]
pub struct Stack {
    pub names: Names,
    pub config: Config,
    /// The key the table is encrypted under at rest.
    pub table_key_id: String,
}

pub async fn ensure(sdk: &SdkConfig, names: &Names, template: &Template) -> anyhow::Result<Stack> {
    let clients = Clients::new(sdk);
    let (dynamodb, s3, kms) = (clients.dynamodb(), clients.s3(), clients.kms());
    let mut ids = Vec::with_capacity(KEYS.len());
    for (role, logical_id) in KEYS {
        ids.push(ensure_key(kms, &alias(names, role), &template.kms_key(logical_id)?).await?);
    }
    let [
        tenant_key_id,
        signing_key_id,
        forwarding_key_id,
        audit_key_id,
        table_key_id,
        export_key_id,
    ]: [String; 6] = ids
        .try_into()
        .map_err(|_| anyhow::anyhow!("one id per key"))?;
    ensure_table(dynamodb, &names.table, template, &table_key_id).await?;
    ensure_bucket(s3, &names.bucket, template, &export_key_id).await?;
    ensure_sender(clients.sesv2()).await?;
    let webhook_queue_url = ensure_queue(clients.sqs(), &names.table).await?;
    Ok(Stack {
        names: names.clone(),
        config: Config {
            table_name: names.table.clone(),
            export_bucket: names.bucket.clone(),
            tenant_key_id,
            export_key_id,
            signing_key_id,
            allowed_origins: vec![
                "http://127.0.0.1:3000".into(),
                "http://localhost:3000".into(),
            ],
            mail_from: MAIL_FROM.into(),
            mail_configuration_set: String::new(),
            webhook_queue_url,
            webhooks_allow_loopback: true,
            webhook_retry_pauses: invoiceflow::config::webhook_retry_pauses(),
            audit_key_id,
            forwarding_key_id,
            edge_secret: String::new(),
            // The emulator's STS hands out credentials for any role of its account, and its
            // table accepts them: every test's tenant reads and writes go this way.
            tenant_role_arn: LOCAL_TENANT_ROLE.into(),
            quotas: invoiceflow::domain::throttle::QUOTAS,
        },
        table_key_id,
    })
}

/// The webhooks' delivery queue, named after the stack's table (`<table>-webhooks`), as
/// template.yaml declares it: messages kept 4 days, seen again after 60 s if not deleted.
async fn ensure_queue(sqs: &aws_sdk_sqs::Client, table: &str) -> anyhow::Result<String> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let out = sqs
        .create_queue()
        .queue_name(format!("{table}-webhooks"))
        .attributes(QueueAttributeName::MessageRetentionPeriod, "345600")
        .attributes(QueueAttributeName::VisibilityTimeout, "60")
        .send()
        .await
        .context("create the webhooks' queue")?;
    out.queue_url.context("the queue's URL")
}

/// The role a local request assumes for its tenant (the emulator's account is 123456789012).
pub const LOCAL_TENANT_ROLE: &str =
    "arn:aws:iam::123456789012:role/invoiceflow-TenantDataRole-local";

/// The local stack's sending address; its domain is the identity verified in the emulator's
/// SES, as the platform's is in AWS.
pub const MAIL_FROM: &str = "documents@mail.invoiceflow.test";

/// Verifies the sending domain in SES (the emulator refuses unverified senders, as SES does).
async fn ensure_sender(ses: &aws_sdk_sesv2::Client) -> anyhow::Result<()> {
    let domain = MAIL_FROM.rsplit('@').next().unwrap_or(MAIL_FROM);
    if ses
        .get_email_identity()
        .email_identity(domain)
        .send()
        .await
        .is_ok()
    {
        return Ok(());
    }
    ses.create_email_identity()
        .email_identity(domain)
        .send()
        .await
        .context("verify the sending domain in SES")?;
    Ok(())
}

/// Removes a stack's table, bucket (with its objects) and keys.
pub async fn teardown(sdk: &SdkConfig, stack: &Stack) -> anyhow::Result<()> {
    let clients = Clients::new(sdk);
    let (dynamodb, s3, kms) = (clients.dynamodb(), clients.s3(), clients.kms());
    let listed = s3
        .list_objects_v2()
        .bucket(&stack.names.bucket)
        .send()
        .await;
    for object in listed.ok().and_then(|l| l.contents).unwrap_or_default() {
        if let Some(key) = object.key {
            s3.delete_object()
                .bucket(&stack.names.bucket)
                .key(key)
                .send()
                .await?;
        }
    }
    let _ = s3.delete_bucket().bucket(&stack.names.bucket).send().await;
    let _ = clients
        .sqs()
        .delete_queue()
        .queue_url(&stack.config.webhook_queue_url)
        .send()
        .await;
    let _ = dynamodb
        .delete_table()
        .table_name(&stack.names.table)
        .send()
        .await;
    for key in [
        &stack.config.tenant_key_id,
        &stack.config.signing_key_id,
        &stack.config.forwarding_key_id,
        &stack.config.audit_key_id,
        &stack.config.export_key_id,
        &stack.table_key_id,
    ] {
        let _ = kms
            .schedule_key_deletion()
            .key_id(key)
            .pending_window_in_days(7)
            .send()
            .await;
    }
    for (role, _) in KEYS {
        let _ = kms
            .delete_alias()
            .alias_name(alias(&stack.names, role))
            .send()
            .await;
    }
    Ok(())
}

/// Every key of the stack: its alias's role and its logical id in template.yaml, in the order
/// `ensure` gives their ids out.
const KEYS: [(&str, &str); 6] = [
    ("tenant-data", template::TENANT_KEY),
    ("session-signing", template::SIGNING_KEY),
    ("client-forwarding", template::FORWARDING_KEY),
    ("audit-signing", template::AUDIT_KEY),
    ("table", template::TABLE_KEY),
    ("exports", template::EXPORT_KEY),
];

fn alias(names: &Names, role: &str) -> String {
    format!("alias/{}-{role}", names.key_alias_prefix)
}

async fn ensure_key(
    kms: &aws_sdk_kms::Client,
    alias: &str,
    spec: &KmsKeySpec,
) -> anyhow::Result<String> {
    if let Ok(found) = kms.describe_key().key_id(alias).send().await
        && let Some(metadata) = found.key_metadata
    {
        return Ok(metadata.key_id);
    }
    let created = kms
        .create_key()
        .key_spec(KeySpec::from(spec.key_spec.as_str()))
        .key_usage(KeyUsageType::from(spec.key_usage.as_str()))
        .description(format!("InvoiceFlow local {alias}"))
        .send()
        .await
        .with_context(|| format!("creating KMS key {alias}"))?;
    let id = created
        .key_metadata
        .map(|m| m.key_id)
        .context("CreateKey returned no key id")?;
    if spec.rotation {
        kms.enable_key_rotation()
            .key_id(&id)
            .send()
            .await
            .context("enabling key rotation")?;
    }
    kms.create_alias()
        .alias_name(alias)
        .target_key_id(&id)
        .send()
        .await
        .context("creating key alias")?;
    Ok(id)
}

fn key_schema(keys: &[KeyAttribute]) -> anyhow::Result<Vec<KeySchemaElement>> {
    keys.iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .context("key schema")
        })
        .collect()
}

async fn ensure_table(
    db: &aws_sdk_dynamodb::Client,
    name: &str,
    template: &Template,
    table_key_id: &str,
) -> anyhow::Result<()> {
    if db.describe_table().table_name(name).send().await.is_ok() {
        return Ok(());
    }
    let spec = template.table()?;
    let mut create = db
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::from(spec.billing_mode.as_str()))
        .set_key_schema(Some(key_schema(&spec.key_schema)?))
        .sse_specification(
            SseSpecification::builder()
                .enabled(true)
                .sse_type(SseType::Kms)
                .kms_master_key_id(table_key_id)
                .build(),
        );
    for (attribute, kind) in &spec.attribute_definitions {
        create = create.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()
                .context("attribute definition")?,
        );
    }
    for index in &spec.global_secondary_indexes {
        let projection = Projection::builder()
            .projection_type(ProjectionType::from(index.projection_type.as_str()))
            .set_non_key_attributes(
                (!index.non_key_attributes.is_empty()).then(|| index.non_key_attributes.clone()),
            )
            .build();
        create = create.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(projection)
                .build()
                .context("index")?,
        );
    }
    create
        .send()
        .await
        .with_context(|| format!("creating table {name}"))?;
    if let Some(attribute) = spec.ttl_attribute {
        db.update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attribute)
                    .enabled(true)
                    .build()
                    .context("ttl")?,
            )
            .send()
            .await
            .context("enabling TTL")?;
    }
    Ok(())
}

async fn ensure_bucket(
    s3: &aws_sdk_s3::Client,
    name: &str,
    template: &Template,
    export_key_id: &str,
) -> anyhow::Result<()> {
    if s3.head_bucket().bucket(name).send().await.is_ok() {
        return Ok(());
    }
    let spec = template.export_bucket()?;
    s3.create_bucket()
        .bucket(name)
        .send()
        .await
        .with_context(|| format!("creating bucket {name}"))?;
    let by_default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::from(spec.sse_algorithm.as_str()))
        .kms_master_key_id(export_key_id)
        .build()
        .context("bucket encryption")?;
    s3.put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(by_default)
                        .build(),
                )
                .build()
                .context("bucket encryption")?,
        )
        .send()
        .await
        .context("setting bucket encryption")?;
    if spec.blocks_public_access {
        s3.put_public_access_block()
            .bucket(name)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .context("blocking public access")?;
    }
    if let Some(days) = spec.export_expiry_days {
        let rule = LifecycleRule::builder()
            .id("expire-exports")
            .status(ExpirationStatus::Enabled)
            .filter(
                LifecycleRuleFilter::builder()
                    .prefix(spec.export_prefix.unwrap_or_default())
                    .build(),
            )
            .expiration(LifecycleExpiration::builder().days(days).build())
            .build()
            .context("lifecycle rule")?;
        s3.put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .rules(rule)
                    .build()
                    .context("lifecycle")?,
            )
            .send()
            .await
            .context("setting the export lifecycle")?;
    }
    Ok(())
}

//! AWS clients, built once per cold start from one `SdkConfig`, each with a call counter.
//!
//! The counter is an SDK interceptor: it sees every attempt that goes on the wire, so the
//! round-trip budgets (one call per warm read, no KMS on a warm request) are counted by the
//! real code path rather than estimated. It costs one mutex-guarded increment per call.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Counts of calls sent, keyed `service:Operation` (e.g. `kms:Decrypt`).
#[derive(Debug, Clone, Default)]
pub struct AwsCalls {
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl AwsCalls {
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts
            .lock()
            .map(|counts| counts.clone())
            .unwrap_or_default()
    }

    /// The calls made since `before` (an earlier [`AwsCalls::snapshot`]), of each operation
    /// that had any.
    pub fn since(&self, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
        self.snapshot()
            .into_iter()
            .filter_map(|(operation, n)| {
                let made = n - before.get(&operation).copied().unwrap_or(0);
                (made > 0).then_some((operation, made))
            })
            .collect()
    }

    /// Calls to one service (`dynamodb`, `kms`, `s3`) so far.
    pub fn to_service(&self, service: &str) -> u64 {
        let prefix = format!("{service}:");
        self.snapshot()
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .map(|(_, count)| count)
            .sum()
    }

    fn record(&self, service: &str, operation: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            *counts.entry(format!("{service}:{operation}")).or_default() += 1;
        }
    }
}

#[derive(Debug, Clone)]
struct CountCalls {
    service: &'static str,
    calls: AwsCalls,
}

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "InvoiceFlowCountCalls"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name())
            .unwrap_or("unknown");
        tracing::debug!(service = self.service, operation, "aws call");
        self.calls.record(self.service, operation);
        Ok(())
    }
}

/// The roots AWS service endpoints chain to (Amazon Trust Services: Amazon Root CA 1–4 and the
/// Starfield Services G2 cross-sign), compiled in.
pub const AWS_TRUST_ROOTS: &str = include_str!("../certs/amazon-trust-services.pem");

/// The SDK's HTTPS client (rustls on aws-lc, as the SDK's default) trusting [`AWS_TRUST_ROOTS`]
/// only, so a cold start reads no certificate file: the default client loads the machine's
/// whole native store, file by file (decision 0005). Certificates are still verified.
pub fn https_client()
-> Result<aws_smithy_runtime_api::client::http::SharedHttpClient, anyhow::Error> {
    use aws_smithy_http_client::tls;
    let trust = tls::TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_TRUST_ROOTS.as_bytes());
    let context = tls::TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(anyhow::Error::new)?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(context)
        .build_https())
}

/// An SDK client built on its first use. Building one parses its endpoint rules and partition
/// table (and the first one builds the TLS connector): most of a function's init when done
/// eagerly, and wasted in every function that never calls that service (decision 0005).
#[derive(Clone)]
pub struct Lazy<C> {
    cell: Arc<OnceLock<C>>,
    build: Arc<dyn Fn() -> C + Send + Sync>,
}

impl<C> Lazy<C> {
    fn new(build: impl Fn() -> C + Send + Sync + 'static) -> Self {
        Self {
            cell: Arc::new(OnceLock::new()),
            build: Arc::new(build),
        }
    }

    /// The client, built now if this is its first use.
    pub fn get(&self) -> &C {
        self.cell.get_or_init(|| (self.build)())
    }
}

impl<C> std::fmt::Debug for Lazy<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.cell.get().is_some() {
            "Lazy(built)"
        } else {
            "Lazy(not yet built)"
        })
    }
}

/// Every AWS client the application uses, each built on first use.
#[derive(Clone, Debug)]
pub struct Clients {
    dynamodb: Lazy<aws_sdk_dynamodb::Client>,
    s3: Lazy<aws_sdk_s3::Client>,
    kms: Lazy<aws_sdk_kms::Client>,
    sesv2: Lazy<aws_sdk_sesv2::Client>,
    sqs: Lazy<aws_sdk_sqs::Client>,
    sts: Lazy<aws_sdk_sts::Client>,
    pub calls: AwsCalls,
}

impl Clients {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self::counting(sdk, AwsCalls::default())
    }

    /// As [`Clients::new`], counting their calls into `calls` (a tenant's clients count into
    /// the function's).
    fn counting(sdk: &aws_config::SdkConfig, calls: AwsCalls) -> Self {
        let counter = {
            let calls = calls.clone();
            move |service| CountCalls {
                service,
                calls: calls.clone(),
            }
        };
        let (sdk_d, count_d) = (sdk.clone(), counter.clone());
        let dynamodb = Lazy::new(move || {
            aws_sdk_dynamodb::Client::from_conf(
                aws_sdk_dynamodb::config::Builder::from(&sdk_d)
                    .interceptor(count_d("dynamodb"))
                    .build(),
            )
        });
        let (sdk_s, count_s) = (sdk.clone(), counter.clone());
        let s3 = Lazy::new(move || {
            // Path-style addressing works against AWS and against a local emulator alike.
            aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&sdk_s)
                    .interceptor(count_s("s3"))
                    .force_path_style(uses_custom_endpoint(&sdk_s))
                    .build(),
            )
        });
        let (sdk_k, count_k) = (sdk.clone(), counter.clone());
        let kms = Lazy::new(move || {
            aws_sdk_kms::Client::from_conf(
                aws_sdk_kms::config::Builder::from(&sdk_k)
                    .interceptor(count_k("kms"))
                    .build(),
            )
        });
        let (sdk_e, count_e) = (sdk.clone(), counter.clone());
        let sesv2 = Lazy::new(move || {
            aws_sdk_sesv2::Client::from_conf(
                aws_sdk_sesv2::config::Builder::from(&sdk_e)
                    .interceptor(count_e("sesv2"))
                    .build(),
            )
        });
        let (sdk_q, count_q) = (sdk.clone(), counter.clone());
        let sqs = Lazy::new(move || {
            aws_sdk_sqs::Client::from_conf(
                aws_sdk_sqs::config::Builder::from(&sdk_q)
                    .interceptor(count_q("sqs"))
                    .build(),
            )
        });
        let (sdk_t, count_t) = (sdk.clone(), counter);
        let sts = Lazy::new(move || {
            aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(&sdk_t)
                    .interceptor(count_t("sts"))
                    .build(),
            )
        });
        Self {
            dynamodb,
            s3,
            kms,
            sesv2,
            sqs,
            sts,
            calls,
        }
    }

    pub fn dynamodb(&self) -> &aws_sdk_dynamodb::Client {
        self.dynamodb.get()
    }

    pub fn s3(&self) -> &aws_sdk_s3::Client {
        self.s3.get()
    }

    pub fn kms(&self) -> &aws_sdk_kms::Client {
        self.kms.get()
    }

    /// Amazon SES (v2), which sends documents by e-mail.
    pub fn sesv2(&self) -> &aws_sdk_sesv2::Client {
        self.sesv2.get()
    }

    /// Amazon SQS: the webhooks' delivery queue.
    pub fn sqs(&self) -> &aws_sdk_sqs::Client {
        self.sqs.get()
    }

    /// The KMS client, to build on first use (for the keyring and the session signer).
    pub fn lazy_kms(&self) -> Lazy<aws_sdk_kms::Client> {
        self.kms.clone()
    }
}

/// Clients that act as one tenant (decision 0028): made with credentials of `TenantDataRole`
/// assumed with the session tag `tenant=<ULID>`, whose policy reaches that tenant's items, data
/// key and files and nothing else. One `AssumeRole` per tenant per warm container, while the
/// credentials last; a warm request makes no STS call. Without a role (`TENANT_ROLE_ARN` unset)
/// the function's own clients are used.
#[derive(Clone)]
pub struct TenantAccess {
    own: Clients,
    role: Option<Arc<TenantRole>>,
}

struct TenantRole {
    role_arn: String,
    sdk: aws_config::SdkConfig,
    sts: Lazy<aws_sdk_sts::Client>,
    calls: AwsCalls,
    cache: moka::future::Cache<ulid::Ulid, TenantClients>,
}

/// What a tenant's credentials are used with: its partition, its data key, its files. Each
/// client is built on its first use, as the function's own are: most requests of a warm
/// tenant need DynamoDB alone.
#[derive(Clone, Debug)]
pub struct TenantClients {
    dynamodb: Lazy<aws_sdk_dynamodb::Client>,
    kms: Lazy<aws_sdk_kms::Client>,
    s3: Lazy<aws_sdk_s3::Client>,
}

impl TenantClients {
    pub fn dynamodb(&self) -> &aws_sdk_dynamodb::Client {
        self.dynamodb.get()
    }

    pub fn kms(&self) -> &aws_sdk_kms::Client {
        self.kms.get()
    }

    pub fn s3(&self) -> &aws_sdk_s3::Client {
        self.s3.get()
    }
}

/// How long a tenant's credentials are asked for, and how long they are used: a quarter of an
/// hour to spare, so no request (15 minutes at most) outlives them.
const TENANT_SESSION_SECONDS: i32 = 3600;
const TENANT_CLIENTS_TTL: std::time::Duration = std::time::Duration::from_secs(45 * 60);

impl TenantAccess {
    /// `role_arn` assumed per tenant (none: `own`, the function's own clients).
    pub fn new(role_arn: &str, sdk: &aws_config::SdkConfig, own: &Clients) -> Self {
        if role_arn.is_empty() {
            return Self::none(own);
        }
        Self {
            own: own.clone(),
            role: Some(Arc::new(TenantRole {
                role_arn: role_arn.to_owned(),
                sdk: sdk.clone(),
                sts: own.sts.clone(),
                calls: own.calls.clone(),
                cache: moka::future::Cache::builder()
                    .max_capacity(10_000)
                    .time_to_live(TENANT_CLIENTS_TTL)
                    .build(),
            })),
        }
    }

    /// The function's own clients for everything.
    pub fn none(own: &Clients) -> Self {
        Self {
            own: own.clone(),
            role: None,
        }
    }

    /// The tenant's clients: made with its credentials where there is a role to assume, else
    /// the function's own.
    pub async fn clients(&self, tenant: &ulid::Ulid) -> anyhow::Result<TenantClients> {
        let Some(role) = &self.role else {
            return Ok(TenantClients {
                dynamodb: self.own.dynamodb.clone(),
                kms: self.own.kms.clone(),
                s3: self.own.s3.clone(),
            });
        };
        // The AssumeRole runs in a task of its own: a caller dropped mid-way (a `try_join`
        // whose other side failed) does not cut the call short, and the next caller finds it
        // made or in flight.
        let (assuming, tenant) = (role.clone(), *tenant);
        role.cache
            .try_get_with(tenant, async move {
                tokio::spawn(async move { assuming.assume(&tenant).await })
                    .await
                    .map_err(anyhow::Error::new)?
            })
            .await
            .map_err(|e| anyhow::anyhow!("tenant credentials: {e:#}"))
    }
}

impl TenantRole {
    async fn assume(&self, tenant: &ulid::Ulid) -> anyhow::Result<TenantClients> {
        let tag = aws_sdk_sts::types::Tag::builder()
            .key("tenant")
            .value(tenant.to_string())
            .build()?;
        let out = self
            .sts
            .get()
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(format!("tenant-{tenant}"))
            .duration_seconds(TENANT_SESSION_SECONDS)
            .tags(tag)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(aws_sdk_sts::error::DisplayErrorContext(e).to_string()))?;
        let credentials = out
            .credentials
            .ok_or_else(|| anyhow::anyhow!("STS returned no credentials"))?;
        let expiry = std::time::SystemTime::try_from(credentials.expiration).ok();
        let provider = aws_credential_types::Credentials::new(
            credentials.access_key_id,
            credentials.secret_access_key,
            Some(credentials.session_token),
            expiry,
            "tenant-data-role",
        );
        // The function's clients, built the same way, on the tenant's credentials.
        let sdk = self
            .sdk
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .build();
        let clients = Clients::counting(&sdk, self.calls.clone());
        Ok(TenantClients {
            dynamodb: clients.dynamodb,
            kms: clients.kms,
            s3: clients.s3,
        })
    }
}

fn uses_custom_endpoint(sdk: &aws_config::SdkConfig) -> bool {
    sdk.endpoint_url().is_some()
}

#[cfg(test)]
mod trust_tests {
    use super::*;

    #[test]
    fn the_compiled_in_roots_are_the_five_amazon_trust_services_certificates() {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let roots: Vec<_> = CertificateDer::pem_slice_iter(AWS_TRUST_ROOTS.as_bytes())
            .collect::<Result<_, _>>()
            .expect("every root parses");
        assert_eq!(roots.len(), 5);
        assert!(https_client().is_ok());
    }
}

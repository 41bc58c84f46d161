//! Application state: every client and setting, built once per cold start and shared by
//! reference with every request.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{ServiceKey, SessionSigner};
use crate::aws::{AwsCalls, Clients};
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Keyring;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The SDK's configuration from what Lambda puts in the environment: the region, the role's
/// credentials, and `AWS_ENDPOINT_URL` when set (the local stack runs this same code). The
/// SDK's loader would also walk its provider chains (profile files, SSO, IMDS) and a provider
/// per setting, for settings Lambda never gives; retries and timeouts are set here as the
/// loader's defaults have them (decision 0005).
pub async fn sdk_config_from_env() -> anyhow::Result<aws_config::SdkConfig> {
    use anyhow::Context as _;
    use aws_config::environment::{
        EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
    };
    use aws_config::meta::region::ProvideRegion as _;
    use aws_config::{retry::RetryConfig, timeout::TimeoutConfig};
    let region = EnvironmentVariableRegionProvider::new()
        .region()
        .await
        .context("AWS_REGION is not set")?;
    let mut sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(region)
        .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
            EnvironmentVariableCredentialsProvider::new(),
        ))
        .http_client(crate::aws::https_client()?)
        .retry_config(RetryConfig::standard())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(3100))
                .build(),
        );
    if let Some(url) = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        sdk = sdk.endpoint_url(url);
    }
    Ok(sdk.build())
}

/// How a webhook host's name becomes addresses, where a test put its own resolver in place
/// of the system's (a name that answers one address and then another).
pub type Resolve = Arc<dyn Fn(&str) -> Vec<std::net::IpAddr> + Send + Sync>;

pub struct Inner {
    pub config: Config,
    pub clients: Clients,
    pub store: Store,
    pub signer: SessionSigner,
    /// The service's MAC key: the email index and device cookies.
    pub service_key: ServiceKey,
    /// The key the audit trail's checkpoints are signed with.
    pub trail_signer: crate::crypto::trail_key::TrailSigner,
    /// The key the web function's vouching for a browser is checked with.
    pub forwarding: crate::crypto::forwarding::Forwarding,
    /// The one clock (the store's too).
    pub clock: Clock,
    /// How webhook hosts resolve where a test put its own resolver in place.
    webhook_resolver: std::sync::RwLock<Option<Resolve>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// What a function does at cold start: configuration and the AWS SDK's configuration from
    /// the environment (see [`sdk_config_from_env`]).
    pub async fn from_env() -> anyhow::Result<Self> {
        let config = Config::from_env()?;
        let sdk = sdk_config_from_env().await?;
        Ok(Self::new(config, &sdk))
    }

    pub fn new(config: Config, sdk: &aws_config::SdkConfig) -> Self {
        Self::with_key_cache(config, sdk, Keyring::DEFAULT_CAPACITY, Keyring::DEFAULT_TTL)
    }

    /// As [`AppState::new`], with the data-key cache's size and lifetime chosen (tests use a
    /// short lifetime to watch keys expire).
    pub fn with_key_cache(
        config: Config,
        sdk: &aws_config::SdkConfig,
        capacity: u64,
        ttl: Duration,
    ) -> Self {
        let clients = Clients::new(sdk);
        let keyring = Keyring::new(
            clients.lazy_kms(),
            config.tenant_key_id.as_str(),
            capacity,
            ttl,
        );
        let clock = Clock::default();
        let relay = (!config.webhook_queue_url.is_empty()).then(|| crate::store::Relay {
            sqs: clients.sqs().clone(),
            queue_url: config.webhook_queue_url.clone(),
        });
        let store = Store::new(
            clients.dynamodb().clone(),
            config.table_name.as_str(),
            keyring,
            clock.clone(),
            crate::aws::TenantAccess::new(&config.tenant_role_arn, sdk, &clients),
        )
        .with_relay(relay);
        let signer = SessionSigner::new(clients.lazy_kms(), config.signing_key_id.as_str());
        let trail_signer =
            crate::crypto::trail_key::TrailSigner::new(clients.lazy_kms(), &config.audit_key_id);
        let forwarding = crate::crypto::forwarding::Forwarding::new(
            clients.lazy_kms(),
            &config.forwarding_key_id,
        );
        Self(Arc::new(Inner {
            config,
            clients,
            store,
            signer,
            service_key: ServiceKey::default(),
            forwarding,
            trail_signer,
            clock,
            webhook_resolver: std::sync::RwLock::new(None),
        }))
    }

    /// The resolver a test put in place for webhook hosts, if any.
    pub fn webhook_resolver(&self) -> Option<Resolve> {
        self.webhook_resolver.read().ok().and_then(|r| r.clone())
    }

    /// Resolves webhook hosts with `resolve` from now on (tests: a name that answers one
    /// address and then another).
    pub fn resolve_webhooks_with(&self, resolve: Resolve) {
        if let Ok(mut slot) = self.webhook_resolver.write() {
            *slot = Some(resolve);
        }
    }

    /// AWS calls this container has made, by operation.
    pub fn aws_calls(&self) -> &AwsCalls {
        &self.clients.calls
    }
}

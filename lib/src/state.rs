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

pub struct Inner {
    pub config: Config,
    pub clients: Clients,
    pub store: Store,
    pub signer: SessionSigner,
    /// The service's MAC key: the email index and device cookies.
    pub service_key: ServiceKey,
    /// The one clock (the store's too).
    pub clock: Clock,
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// What a function does at cold start: configuration from the environment and the AWS
    /// SDK's loader (which honours `AWS_ENDPOINT_URL`, so the local stack runs this same code).
    /// Region and credentials come from the environment, where Lambda puts them, rather than
    /// from the SDK's whole provider chains (profiles, SSO, IMDS), which init would build for
    /// nothing (decision 0005).
    pub async fn from_env() -> anyhow::Result<Self> {
        use aws_config::environment::{
            EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
        };
        let config = Config::from_env()?;
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(crate::aws::https_client()?)
            .region(EnvironmentVariableRegionProvider::new())
            .credentials_provider(EnvironmentVariableCredentialsProvider::new())
            .load()
            .await;
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
        let store = Store::new(
            clients.dynamodb().clone(),
            config.table_name.as_str(),
            keyring,
            clock.clone(),
        );
        let signer = SessionSigner::new(clients.lazy_kms(), config.signing_key_id.as_str());
        Self(Arc::new(Inner {
            config,
            clients,
            store,
            signer,
            service_key: ServiceKey::default(),
            clock,
        }))
    }

    /// AWS calls this container has made, by operation.
    pub fn aws_calls(&self) -> &AwsCalls {
        &self.clients.calls
    }
}

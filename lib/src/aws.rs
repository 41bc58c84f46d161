//! AWS clients, built once per cold start from one `SdkConfig`, each with a call counter.
//!
//! The counter is an SDK interceptor: it sees every attempt that goes on the wire, so the
//! round-trip budgets (one call per warm read, no KMS on a warm request) are counted by the
//! real code path rather than estimated. It costs one mutex-guarded increment per call.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

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

/// Every AWS client the application uses.
#[derive(Clone, Debug)]
pub struct Clients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: aws_sdk_s3::Client,
    pub kms: aws_sdk_kms::Client,
    pub calls: AwsCalls,
}

impl Clients {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        let calls = AwsCalls::default();
        let counter = |service| CountCalls {
            service,
            calls: calls.clone(),
        };
        let dynamodb = aws_sdk_dynamodb::config::Builder::from(sdk)
            .interceptor(counter("dynamodb"))
            .build();
        // Path-style addressing works against AWS and against a local emulator alike.
        let s3 = aws_sdk_s3::config::Builder::from(sdk)
            .interceptor(counter("s3"))
            .force_path_style(uses_custom_endpoint(sdk))
            .build();
        let kms = aws_sdk_kms::config::Builder::from(sdk)
            .interceptor(counter("kms"))
            .build();
        Self {
            dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb),
            s3: aws_sdk_s3::Client::from_conf(s3),
            kms: aws_sdk_kms::Client::from_conf(kms),
            calls,
        }
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

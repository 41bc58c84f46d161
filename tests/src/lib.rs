//! Helpers for the end-to-end tests: a private stack per test on the local emulator, and the
//! application served over real HTTP on a free loopback port.

use std::time::Duration;

use aws_config::SdkConfig;
use invoiceflow::AppState;
use invoiceflow_infra::bootstrap::{self, Names, Stack};
use invoiceflow_infra::{emulator, template::Template};

/// One test's own table, bucket and keys on the emulator, removed when dropped.
pub struct TestStack {
    pub sdk: SdkConfig,
    pub stack: Stack,
    pub state: AppState,
    /// A plain DynamoDB client, as an operator with database access would have.
    pub raw_dynamodb: aws_sdk_dynamodb::Client,
}

impl TestStack {
    pub async fn new() -> Self {
        Self::with_key_cache_ttl(invoiceflow::crypto::Keyring::DEFAULT_TTL).await
    }

    /// A stack whose data-key cache forgets keys after `ttl`.
    pub async fn with_key_cache_ttl(ttl: Duration) -> Self {
        let emulator = emulator::ensure().expect("local AWS emulator");
        let sdk = emulator::sdk_config(&emulator.endpoint).await;
        let template = Template::embedded().expect("template.yaml parses");
        let stack = bootstrap::ensure(&sdk, &Names::unique(), &template)
            .await
            .expect("bootstrap the test stack");
        let state = AppState::with_key_cache(stack.config.clone(), &sdk, 1_000, ttl);
        let raw_dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        Self {
            sdk,
            stack,
            state,
            raw_dynamodb,
        }
    }

    /// Every attribute of every item in the table, read with the plain SDK (tests only: the
    /// application never scans).
    pub async fn raw_items(&self) -> Vec<invoiceflow::store::RawItem> {
        self.raw_dynamodb
            .scan()
            .table_name(&self.stack.config.table_name)
            .send()
            .await
            .expect("scan")
            .items
            .unwrap_or_default()
    }
}

impl Drop for TestStack {
    fn drop(&mut self) {
        let sdk = self.sdk.clone();
        let stack = self.stack.clone();
        // Drop cannot await; tear down on a thread with a runtime of its own.
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = runtime.block_on(bootstrap::teardown(&sdk, &stack));
            }
        })
        .join();
    }
}

/// The application served over HTTP, with a cookie-keeping client.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub stack: TestStack,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn state(&self) -> &AppState {
        &self.stack.state
    }
}

pub async fn spawn_app() -> TestApp {
    let stack = TestStack::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let app = invoiceflow_infra::app(stack.state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    TestApp {
        base,
        client,
        stack,
    }
}

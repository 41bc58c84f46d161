//! Helpers for the end-to-end tests: a private stack per test on the local emulator, and the
//! application served over real HTTP on a free loopback port.

use std::time::Duration;

use aws_config::SdkConfig;
use invoiceflow::AppState;
use invoiceflow_infra::bootstrap::{self, Names, Stack};
use invoiceflow_infra::{emulator, template::Template};

/// One test's own table, bucket and keys on the emulator, removed when dropped.
pub struct TestStack {
    /// The tests' own configuration: an operator's, unfenced.
    pub sdk: SdkConfig,
    /// The application's: a function's credentials, fenced as IAM would fence them.
    pub app_sdk: SdkConfig,
    pub stack: Stack,
    pub state: AppState,
    /// A plain DynamoDB client, as an operator with database access would have.
    pub raw_dynamodb: aws_sdk_dynamodb::Client,
    /// The emulator the stack is on when it has one of its own (see [`TestStack::alone`]).
    _emulator: Option<emulator::Emulator>,
}

impl TestStack {
    pub async fn new() -> Self {
        Self::with_key_cache_ttl(invoiceflow::crypto::Keyring::DEFAULT_TTL).await
    }

    /// A stack whose data-key cache forgets keys after `ttl`.
    pub async fn with_key_cache_ttl(ttl: Duration) -> Self {
        let emulator = emulator::ensure().expect("local AWS emulator");
        Self::on(&emulator.endpoint, ttl, None).await
    }

    /// A stack on an emulator of its own, stopped with it. For a check with a time limit of its
    /// own (the health check's 3 s) or a test that orders requests in time: the run's shared
    /// emulator serves every test one call at a time, and a single call to it has waited 11 s
    /// behind the others.
    pub async fn alone() -> Self {
        let emulator = emulator::start_private().expect("local AWS emulator");
        let endpoint = emulator.endpoint.clone();
        Self::on(
            &endpoint,
            invoiceflow::crypto::Keyring::DEFAULT_TTL,
            Some(emulator),
        )
        .await
    }

    async fn on(endpoint: &str, ttl: Duration, own: Option<emulator::Emulator>) -> Self {
        let sdk = emulator::sdk_config(endpoint).await;
        let template = Template::embedded().expect("template.yaml parses");
        let stack = bootstrap::ensure(&sdk, &Names::unique(), &template)
            .await
            .expect("bootstrap the test stack");
        let app_sdk = emulator::as_function(&sdk);
        let state = AppState::with_key_cache(stack.config.clone(), &app_sdk, 1_000, ttl);
        let raw_dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        Self {
            sdk,
            app_sdk,
            stack,
            state,
            raw_dynamodb,
            _emulator: own,
        }
    }

    /// A plain S3 client, as an operator with access to the bucket would have (path-style, as
    /// the emulator takes it).
    pub fn raw_s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.sdk)
                .force_path_style(true)
                .build(),
        )
    }

    /// Every attribute of every item in the table, read with the plain SDK (tests only: the
    /// application never scans).
    pub async fn raw_items(&self) -> Vec<invoiceflow::store::RawItem> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .raw_dynamodb
                .scan()
                .table_name(&self.stack.config.table_name)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            items.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(last) => start = Some(last),
                None => return items,
            }
        }
    }

    /// Asserts that no attribute of any item (string, binary or number) holds any of
    /// `needles`: what an operator with a copy of the table would see.
    pub async fn assert_no_plain_text(&self, needles: &[&str]) {
        use aws_sdk_dynamodb::types::AttributeValue;
        for item in self.raw_items().await {
            for (name, value) in &item {
                let bytes: &[u8] = match value {
                    AttributeValue::S(s) | AttributeValue::N(s) => s.as_bytes(),
                    AttributeValue::B(b) => b.as_ref(),
                    _ => continue,
                };
                for needle in needles {
                    assert!(
                        !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                        "attribute {name} holds plain text {needle:?}"
                    );
                }
            }
        }
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

/// A message the emulator's SES accepted.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub id: String,
    pub source: String,
    pub destinations: Vec<String>,
    /// The raw MIME message.
    pub raw: String,
}

/// What a test signed up with.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub email: String,
    pub password: String,
    pub company_name: String,
    /// The session token the signup set.
    pub token: String,
    pub body: serde_json::Value,
}

/// A password zxcvbn rates strong, unrelated to any test's details.
pub const STRONG_PASSWORD: &str = "granite-lantern-orbit-cactus";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn state(&self) -> &AppState {
        &self.stack.state
    }

    /// Moves the app's clock on to `at` (an RFC 3339 instant in the future).
    pub fn move_clock_to(&self, at: &str) {
        move_state_clock_to(self.state(), at);
    }

    /// Another browser: a client with a cookie jar of its own.
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client")
    }

    /// An unsafe request as the API's own front end sends it (CSRF header, own origin).
    pub fn unsafe_request(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        client
            .request(method, self.url(path))
            .header("x-requested-with", "XMLHttpRequest")
            .header("origin", &self.base)
    }

    pub fn post(&self, client: &reqwest::Client, path: &str) -> reqwest::RequestBuilder {
        self.unsafe_request(client, reqwest::Method::POST, path)
    }

    /// A second instance of the application on this test's stack, whose every AWS answer
    /// arrives `delay` late.
    pub async fn instance_beside(&self, delay: Duration) -> Instance {
        let (base, state) = serve(&self.stack, Some(delay)).await;
        Instance { base, state }
    }

    /// A second instance of the application on this test's stack, its configuration changed
    /// by `change` (a fault of configuration, such as an unverified sender).
    pub async fn instance_configured(
        &self,
        change: impl FnOnce(&mut invoiceflow::config::Config),
    ) -> Instance {
        let (base, state) = serve_with(&self.stack, &self.stack.app_sdk, None, change).await;
        Instance { base, state }
    }

    /// As [`TestApp::instance_configured`], with function credentials that reach every
    /// tenant's data, as before decision 0028: the baseline tenant credentials are measured
    /// against.
    pub async fn instance_unfenced(
        &self,
        change: impl FnOnce(&mut invoiceflow::config::Config),
    ) -> Instance {
        let (base, state) = serve_with(&self.stack, &self.stack.sdk, None, change).await;
        Instance { base, state }
    }

    /// Every message the emulator's SES has accepted: a test finds its own by its recipients
    /// or message id. The emulator answers with a dump of everything it holds, so a test that
    /// reads it has an emulator of its own ([`spawn_app_alone`]).
    /// The link to a document's page in the last message the emulator's SES took for
    /// `address`, if it took one.
    pub async fn link_mailed_to(&self, address: &str) -> Option<String> {
        let mail = self.sent_mail().await;
        let message = mail
            .iter()
            .rfind(|m| m.destinations.iter().any(|d| d.contains(address)))?;
        let parsed = mail_parser::MessageParser::default().parse(message.raw.as_bytes())?;
        let text = parsed.body_text(0)?.to_string();
        let start = text.find(&self.url("/d/"))?;
        text[start..].split_whitespace().next().map(str::to_owned)
    }

    pub async fn sent_mail(&self) -> Vec<SentMail> {
        let endpoint = self
            .stack
            .sdk
            .endpoint_url()
            .expect("the emulator's endpoint");
        let data: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
            .await
            .expect("the emulator's data")
            .json()
            .await
            .expect("json");
        data["ses"]["RawMessage"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|message| SentMail {
                id: message["id"].as_str().unwrap_or_default().to_owned(),
                source: message["source"].as_str().unwrap_or_default().to_owned(),
                destinations: message["destinations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d.as_str().map(str::to_owned))
                    .collect(),
                raw: message["raw_data"].as_str().unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// Signs up a fresh account on `client` (whose jar then holds the session).
    pub async fn signup(&self, client: &reqwest::Client) -> Account {
        let marker = ulid::Ulid::generate().to_string().to_lowercase();
        let name = format!("Ann Ölçü {marker}");
        let email = format!("ann.{marker}@example.com");
        let company_name = format!("Ölçü Atelier {marker}");
        let response = self
            .post(client, "/v1/auth/signup")
            .json(&serde_json::json!({
                "name": name,
                "email": email,
                "password": STRONG_PASSWORD,
                "company_name": company_name,
            }))
            .send()
            .await
            .expect("signup request");
        assert_eq!(response.status(), 201, "signup failed");
        let token = session_token(&response).expect("signup sets the session cookie");
        let body = response.json().await.expect("signup body");
        Account {
            name,
            email,
            password: STRONG_PASSWORD.to_owned(),
            company_name,
            token,
            body,
        }
    }

    pub async fn login(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post(client, "/v1/auth/login")
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request")
    }

    /// The newest 100 entries of the account's audit trail, as the app's client reads them.
    pub async fn audit_entries(&self) -> Vec<serde_json::Value> {
        let page: serde_json::Value = self
            .client
            .get(self.url("/v1/audit?limit=100"))
            .send()
            .await
            .expect("audit")
            .json()
            .await
            .expect("audit page");
        page["data"].as_array().cloned().expect("entries")
    }

    /// Confirms the password of the client's session (signed up with [`STRONG_PASSWORD`]), as
    /// a change of the bank account or a complete export asks within the last five minutes.
    pub async fn reauthenticate(&self, client: &reqwest::Client) {
        let response = self
            .post(client, "/v1/auth/reauthenticate")
            .json(&serde_json::json!({"password": STRONG_PASSWORD}))
            .send()
            .await
            .expect("reauthenticate");
        assert_eq!(response.status(), 204, "reauthenticate");
    }

    /// Asserts that `GET path` is refused with a 400 whose first error names `field`.
    pub async fn assert_refused_by_name(&self, client: &reqwest::Client, path: &str, field: &str) {
        let response = client.get(self.url(path)).send().await.expect("get");
        assert_eq!(response.status(), 400, "{path}");
        let problem: serde_json::Value = response.json().await.expect("problem+json");
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
    }

    /// A GET carrying exactly this session token (no cookie jar).
    pub async fn get_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url(path))
            .header("cookie", format!("__Host-session={token}"))
            .send()
            .await
            .expect("request")
    }

    /// A customer in EUR, named `name`, created by the app's client; its body.
    pub async fn add_customer(&self, name: &str) -> serde_json::Value {
        let response = self
            .post(&self.client, "/v1/customers")
            .json(&serde_json::json!({"name": name, "currency": "EUR"}))
            .send()
            .await
            .expect("create");
        assert_eq!(response.status(), 201);
        response.json().await.expect("customer")
    }

    /// The names on the first page of the session's customers, as the API lists them.
    pub async fn customer_names(&self, token: &str) -> Vec<String> {
        let page: serde_json::Value = self
            .get_with_token("/v1/customers", token)
            .await
            .json()
            .await
            .expect("a page of customers");
        page["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// The session token a response set, if any (an empty value clears the cookie).
pub fn session_token(response: &reqwest::Response) -> Option<String> {
    set_cookie(response)
        .and_then(|cookie| {
            cookie
                .strip_prefix("__Host-session=")
                .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        })
        .filter(|token| !token.is_empty())
}

/// The device cookie's value a response set, if any.
pub fn device_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.strip_prefix("__Host-device="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .filter(|value| !value.is_empty())
}

/// The response's `Set-Cookie` for the session cookie, whole.
pub fn set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("__Host-session="))
        .map(str::to_owned)
}

/// Every log line the application writes from now on, in this test process: JSON, one per
/// line, with the request's span (and so its `request_id`). The first call installs the
/// process's subscriber; every test that asks shares it.
pub fn capture_logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .json()
            .with_span_list(true)
            .with_writer(move || Capture(writer.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The audit log lines (`target: "audit"`) written while serving the request `request_id`.
pub fn audit_lines(logs: &std::sync::Mutex<Vec<u8>>, request_id: &str) -> Vec<serde_json::Value> {
    let mut lines = request_lines(logs, request_id);
    lines.retain(|line| line["target"] == "audit");
    lines
}

/// Every log line written while serving the request `request_id`.
pub fn request_lines(logs: &std::sync::Mutex<Vec<u8>>, request_id: &str) -> Vec<serde_json::Value> {
    let text = logs
        .lock()
        .map(|buffer| String::from_utf8_lossy(&buffer).into_owned())
        .unwrap_or_default();
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| {
            line["spans"]
                .as_array()
                .is_some_and(|spans| spans.iter().any(|span| span["request_id"] == request_id))
        })
        .collect()
}

/// An HTTP client for the SDK that holds every AWS response for `delay` before handing it on.
/// The emulator answers one call at a time, so concurrent requests never overlap there the way
/// they do on DynamoDB; with each answer held back, concurrent requests interleave: all of them
/// make their first call before any makes its second.
#[derive(Debug, Clone)]
struct Interleaving {
    inner: aws_smithy_runtime_api::client::http::SharedHttpClient,
    delay: Duration,
}

#[derive(Debug)]
struct Delayed {
    inner: aws_smithy_runtime_api::client::http::SharedHttpConnector,
    delay: Duration,
}

impl aws_smithy_runtime_api::client::http::HttpClient for Interleaving {
    fn http_connector(
        &self,
        settings: &aws_smithy_runtime_api::client::http::HttpConnectorSettings,
        components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
    ) -> aws_smithy_runtime_api::client::http::SharedHttpConnector {
        aws_smithy_runtime_api::client::http::SharedHttpConnector::new(Delayed {
            inner: self.inner.http_connector(settings, components),
            delay: self.delay,
        })
    }
}

impl aws_smithy_runtime_api::client::http::HttpConnector for Delayed {
    fn call(
        &self,
        request: aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    ) -> aws_smithy_runtime_api::client::http::HttpConnectorFuture {
        let inner = self.inner.clone();
        let delay = self.delay;
        aws_smithy_runtime_api::client::http::HttpConnectorFuture::new(async move {
            let response = inner.call(request).await;
            tokio::time::sleep(delay).await;
            response
        })
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestStack::new().await, None).await
}

/// The application on a stack with an emulator of its own (see [`TestStack::alone`]).
pub async fn spawn_app_alone() -> TestApp {
    spawn_app_with(TestStack::alone().await, None).await
}

/// The application on a store whose every AWS answer arrives `delay` late (see
/// [`Interleaving`]): for tests of what concurrent requests do on DynamoDB. On an emulator of
/// its own, so that the interleaving the delays make is not undone by waits behind the run's
/// other tests.
pub async fn spawn_interleaving_app(delay: Duration) -> TestApp {
    spawn_app_with(TestStack::alone().await, Some(delay)).await
}

async fn spawn_app_with(mut stack: TestStack, delay: Option<Duration>) -> TestApp {
    let (base, state) = serve(&stack, delay).await;
    stack.state = state;
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

/// The application on `stack` served on a loopback port of its own, with a state (and a clock)
/// of its own: its base URL and its state.
async fn serve(stack: &TestStack, delay: Option<Duration>) -> (String, AppState) {
    serve_with(stack, &stack.app_sdk, delay, |_| {}).await
}

async fn serve_with(
    stack: &TestStack,
    app_sdk: &SdkConfig,
    delay: Option<Duration>,
    change: impl FnOnce(&mut invoiceflow::config::Config),
) -> (String, AppState) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    // The test server's own origin is the one allowed to make unsafe requests.
    let mut config = stack.stack.config.clone();
    config.allowed_origins = vec![base.clone()];
    change(&mut config);
    let sdk = match delay {
        // The emulator speaks plain HTTP on loopback.
        Some(delay) => app_sdk
            .to_builder()
            .http_client(Interleaving {
                inner: aws_smithy_http_client::Builder::new().build_http(),
                delay,
            })
            .build(),
        None => app_sdk.clone(),
    };
    let state = AppState::with_key_cache(
        config,
        &sdk,
        1_000,
        invoiceflow::crypto::Keyring::DEFAULT_TTL,
    );
    let app = invoiceflow_infra::app(state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    (base, state)
}

/// A second instance of the application beside a [`TestApp`]: the same table, bucket and keys,
/// its own port, state and clock, as two Lambda instances of one function are.
pub struct Instance {
    pub base: String,
    pub state: AppState,
}

impl Instance {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// The HTTP methods a route may document.
pub const METHODS: [&str; 5] = ["GET", "PUT", "POST", "PATCH", "DELETE"];

/// A function's documented routes, as (method, path) pairs, from its OpenAPI paths.
pub fn documented_routes(
    function: &invoiceflow::http::functions::Function,
) -> std::collections::BTreeSet<(String, String)> {
    let document = (function.documented)().into_openapi();
    document
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            let value = serde_json::to_value(item).expect("path item");
            METHODS
                .into_iter()
                .filter(|method| value.get(method.to_lowercase()).is_some())
                .map(|method| (method.to_owned(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A field of this process's `/proc/self/status` in KiB (`VmHWM:`, the peak resident memory).
pub fn status_kib(field: &str) -> anyhow::Result<u64> {
    use anyhow::Context as _;
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| {
            line.strip_prefix(field)?
                .trim()
                .strip_suffix(" kB")?
                .trim()
                .parse()
                .ok()
        })
        .with_context(|| format!("{field} in /proc/self/status"))
}

/// Moves `state`'s clock on to `at` (an RFC 3339 instant in the future).
pub fn move_state_clock_to(state: &AppState, at: &str) {
    let target = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .expect("an instant")
        .unix_timestamp();
    let now = state.clock.unix();
    assert!(target > now, "{at} is not in the future");
    state.clock.advance(target - now);
}

/// Scheduled passes over `state` until one finishes before its deadline (each given 300 s):
/// their reports together, and how many passes it took.
pub async fn passes_until_done(state: &AppState) -> (invoiceflow::schedules::Report, usize) {
    let pass =
        || invoiceflow::schedules::run(state, std::time::Instant::now() + Duration::from_secs(300));
    let mut report = pass().await.expect("a pass");
    let mut passes = 1;
    while report.stopped_early {
        report = report.and(pass().await.expect("a pass"));
        passes += 1;
    }
    (report, passes)
}

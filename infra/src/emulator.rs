//! Finding or starting the local AWS emulator (moto, single-threaded; see infra/emulator.py).
//!
//! Reuses one that answers at `AWS_ENDPOINT_URL` or 127.0.0.1:4566 (e.g. under `make dev`);
//! otherwise starts a private one on a free port that exits when this process does (its stdin
//! is a pipe from us, and it stops at end-of-file), so tests never leave a process behind.

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

/// The address `make dev` serves the emulator on.
pub const DEV_ENDPOINT: &str = "http://127.0.0.1:4566";

pub struct Emulator {
    pub endpoint: String,
    /// Held open for our lifetime; closing it tells a private emulator to exit.
    _stdin: Option<ChildStdin>,
    _child: Option<Child>,
}

/// The emulator for this process: found once, or started once.
pub fn ensure() -> anyhow::Result<&'static Emulator> {
    static EMULATOR: OnceLock<Result<Emulator, String>> = OnceLock::new();
    EMULATOR
        .get_or_init(|| find_or_start().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow!("local AWS emulator unavailable: {e}"))
}

fn find_or_start() -> anyhow::Result<Emulator> {
    let configured = std::env::var("AWS_ENDPOINT_URL").ok();
    for endpoint in configured.iter().map(String::as_str).chain([DEV_ENDPOINT]) {
        if answers(endpoint) {
            return Ok(Emulator {
                endpoint: endpoint.to_owned(),
                _stdin: None,
                _child: None,
            });
        }
    }
    start_private()
}

fn answers(endpoint: &str) -> bool {
    let address = endpoint.trim_start_matches("http://").trim_end_matches('/');
    address
        .parse::<SocketAddr>()
        .is_ok_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok())
}

/// The project's virtual environment (made by `make venv`).
pub fn venv_python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
}

/// A private emulator for the caller alone, on a free port; it exits when the returned value is
/// dropped. For a check that must not wait behind the rest of a test run's calls: the emulator
/// serves one call at a time.
pub fn start_private() -> anyhow::Result<Emulator> {
    let python = venv_python();
    if !python.exists() {
        bail!(
            "{} is missing: run `make venv` (or `make test`) first",
            python.display()
        );
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("emulator.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .args(["--port", "0", "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", script.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow!("emulator has no stdout"))?;
    let mut first_line = String::new();
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .context("reading the emulator's address")?;
    let endpoint = first_line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| anyhow!("emulator said {first_line:?}"))?
        .to_owned();
    Ok(Emulator {
        endpoint,
        _stdin: child.stdin.take(),
        _child: Some(child),
    })
}

/// SDK configuration for the emulator: its endpoint and dummy credentials. (The functions get
/// the same from the environment, through `invoiceflow::state::sdk_config_from_env`.)
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "test",
            "test",
            None,
            None,
            "invoiceflow-local",
        ))
        .load()
        .await
}

/// The configuration `sdk` as a function has it: the same emulator, with an access key that the
/// emulator's tenant fence (infra/tenant_fence.py) holds to what a function's role may reach,
/// as IAM would. The tests' own clients stay unfenced, as an operator's are.
pub fn as_function(sdk: &SdkConfig) -> SdkConfig {
    sdk.to_builder()
        .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
            Credentials::new(
                "FUNCTIONLOCAL",
                "test",
                None,
                None,
                "invoiceflow-local-function",
            ),
        ))
        .build()
}

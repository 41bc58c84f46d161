//! `make cost`: what one million requests of a stated mix cost on AWS, from what the code does.
//!
//! Against a private stack on the local emulator (release build), an account is set up (company,
//! customer, an issued invoice whose PDF has been kept), then each kind of request of the mix is
//! made `RUNS` times, warm. For each request it reads, from the real code path:
//!
//! - the Lambda invocations it makes (each request a function serves logs one `served` line: a
//!   web page is one for the page and one for each API call it makes, each of them an HTTP API
//!   request too), each invocation's duration (its `elapsed_ms`, billed at least 1 ms) and its
//!   function's memory (`template.yaml`);
//! - the AWS calls (the clients' call counter), priced as request units: a `GetItem` or `Query`
//!   (strongly consistent) 1 read unit per 4 KB, `TransactGetItems` 2 per item, a
//!   `TransactWriteItems` 2 write units per KB of each item it writes (measured from the table
//!   before and after) and of the session it checks;
//! - the log bytes it writes (CloudWatch Logs ingestion) as each function would write them, plus
//!   Lambda's own ~300 bytes per invocation (START, END, REPORT).
//!
//! `COST_SHOW_LOGS=1` prints what each request logged. Prices are `infra/prices.json` (its date and region in it). The goal is $2.00 per million
//! requests beside the HTTP API's own $1.00.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context as _, ensure};
use aws_sdk_dynamodb::types::AttributeValue;
use invoiceflow_tests::{TestApp, capture_logs, spawn_app};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

const RUNS: usize = 20;
/// What Lambda itself logs per invocation (START, END and REPORT lines), in bytes.
const PLATFORM_LOG_BYTES: f64 = 300.0;

#[derive(Debug, Deserialize)]
struct Prices {
    region: String,
    as_of: String,
    lambda_arm64_gb_second: f64,
    lambda_request: f64,
    http_api_request: f64,
    dynamodb_read_request_unit: f64,
    dynamodb_write_request_unit: f64,
    kms_request: f64,
    s3_get_request: f64,
    s3_put_request: f64,
    cloudwatch_logs_ingested_gb: f64,
    xray_trace_recorded: f64,
    xray_sampled_share: f64,
}

/// One kind of request of the mix.
struct Kind {
    name: &'static str,
    share: f64,
    method: Method,
    path: String,
    body: Option<Value>,
}

/// What one request cost, by part, in dollars.
#[derive(Debug, Default, Clone)]
struct Cost {
    parts: BTreeMap<&'static str, f64>,
    invocations: f64,
    session_checks: f64,
    duration_ms: f64,
}

impl Cost {
    fn add(&mut self, part: &'static str, dollars: f64) {
        *self.parts.entry(part).or_default() += dollars;
    }

    fn total(&self) -> f64 {
        self.parts.values().sum()
    }

    fn scaled(&self, by: f64) -> Self {
        Self {
            parts: self.parts.iter().map(|(k, v)| (*k, v * by)).collect(),
            invocations: self.invocations * by,
            session_checks: self.session_checks * by,
            duration_ms: self.duration_ms * by,
        }
    }

    fn plus(&mut self, other: &Self) {
        for (part, dollars) in &other.parts {
            self.add(part, *dollars);
        }
        self.invocations += other.invocations;
        self.session_checks += other.session_checks;
        self.duration_ms += other.duration_ms;
    }
}

/// Each function's memory in MB, by its binary's name (`Globals` for those that set none).
fn memory_by_function(template: &str) -> anyhow::Result<HashMap<String, f64>> {
    let root: yaml_serde::Value = yaml_serde::from_str(template).context("template.yaml")?;
    let default = root["Globals"]["Function"]["MemorySize"]
        .as_u64()
        .context("Globals.Function.MemorySize")?;
    let mut memory = HashMap::new();
    for resource in root["Resources"]
        .as_mapping()
        .context("Resources")?
        .values()
    {
        if let Some(binary) = resource["Metadata"]["BuildProperties"]["Binary"].as_str() {
            let mb = resource["Properties"]["MemorySize"]
                .as_u64()
                .unwrap_or(default);
            memory.insert(binary.to_owned(), mb as f64);
        }
    }
    Ok(memory)
}

/// Which function serves an API route (`/v1/customers/{id}`), from the registry.
fn function_of_route() -> HashMap<String, &'static str> {
    let mut functions = HashMap::new();
    for function in invoiceflow::http::functions::FUNCTIONS {
        let document = (function.documented)().into_openapi();
        for path in document.paths.paths.keys() {
            functions.insert(path.clone(), function.name);
        }
    }
    functions
}

/// An item's size as DynamoDB counts it: attribute names and values.
fn item_bytes(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter()
        .map(|(name, value)| {
            name.len()
                + match value {
                    AttributeValue::S(s) => s.len(),
                    AttributeValue::N(n) => n.len(),
                    AttributeValue::B(b) => b.as_ref().len(),
                    AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
                    other => format!("{other:?}").len(),
                }
        })
        .sum()
}

fn item_id(item: &HashMap<String, AttributeValue>) -> String {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        _ => String::new(),
    };
    format!("{}|{}", text("PK"), text("SK"))
}

/// The table as (item, size) pairs, to find what a write changed.
async fn table(app: &TestApp) -> HashMap<String, (usize, String)> {
    app.stack
        .raw_items()
        .await
        .iter()
        .map(|item| {
            let mut attributes: Vec<String> = item.iter().map(|kv| format!("{kv:?}")).collect();
            attributes.sort();
            (item_id(item), (item_bytes(item), attributes.concat()))
        })
        .collect()
}

/// Write units of what changed between two looks at the table (2 per KB of each item a
/// transaction writes).
fn written_units(
    before: &HashMap<String, (usize, String)>,
    after: &HashMap<String, (usize, String)>,
) -> f64 {
    after
        .iter()
        .filter(|(id, now)| before.get(*id) != Some(now))
        .map(|(_, (bytes, _))| 2.0 * (*bytes as f64 / 1024.0).ceil())
        .sum()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let prices: Prices =
        serde_json::from_str(&std::fs::read_to_string(root.join("infra/prices.json"))?)?;
    let memory = memory_by_function(&std::fs::read_to_string(root.join("template.yaml"))?)?;
    let routes = function_of_route();
    let logs = capture_logs();
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let send = |method: Method, path: String, body: Option<Value>| {
        let mut request = app
            .new_client()
            .request(method, app.url(&path))
            .header("cookie", format!("__Host-session={}", account.token))
            .header("x-requested-with", "cost")
            .header("if-match", "*");
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await?;
            let status = response.status();
            let bytes = response.bytes().await?;
            ensure!(status.is_success(), "{path}: {status}");
            anyhow::Ok(bytes.to_vec())
        }
    };
    let json_of = |bytes: Vec<u8>| -> anyhow::Result<Value> { Ok(serde_json::from_slice(&bytes)?) };
    send(Method::PUT, "/v1/company".into(), Some(json!({
        "legal_name": account.company_name, "currency": "EUR", "tax_id": "DE123456789",
        "address": {"lines": ["Hauptstraße 1"], "city": "Berlin", "postal_code": "10115", "country": "DE"},
    }))).await?;
    let customer = json_of(send(Method::POST, "/v1/customers".into(), Some(json!({
        "name": "Nordlicht GmbH", "email": "books@nordlicht.example",
        "billing_address": {"lines": ["Am Markt 5"], "city": "Hamburg", "postal_code": "20095", "country": "DE"},
    }))).await?)?;
    let customer = customer["id"].as_str().context("customer id")?.to_owned();
    let invoice = json_of(send(Method::POST, "/v1/invoices".into(), Some(json!({
        "customer_id": customer,
        "lines": [{"description": "Design", "quantity": "3", "unit_price": "95.00", "tax_rate": "19"}],
    }))).await?)?;
    let invoice = invoice["id"].as_str().context("invoice id")?.to_owned();
    send(Method::POST, format!("/v1/invoices/{invoice}/issue"), None).await?;
    send(Method::GET, format!("/v1/invoices/{invoice}/pdf"), None).await?;

    let kinds = [
        Kind {
            name: "API read: GET /v1/customers/{id}",
            share: 0.30,
            method: Method::GET,
            path: format!("/v1/customers/{customer}"),
            body: None,
        },
        Kind {
            name: "API read: GET /v1/invoices (a list)",
            share: 0.30,
            method: Method::GET,
            path: "/v1/invoices".into(),
            body: None,
        },
        Kind {
            name: "API write: PATCH /v1/customers/{id}",
            share: 0.25,
            method: Method::PATCH,
            path: format!("/v1/customers/{customer}"),
            body: Some(json!({"notes": "Pays by transfer."})),
        },
        Kind {
            name: "page load: GET /invoices/{id} (web)",
            share: 0.10,
            method: Method::GET,
            path: format!("/invoices/{invoice}"),
            body: None,
        },
        Kind {
            name: "PDF: GET /v1/invoices/{id}/pdf (kept)",
            share: 0.05,
            method: Method::GET,
            path: format!("/v1/invoices/{invoice}/pdf"),
            body: None,
        },
    ];
    let shares: f64 = kinds.iter().map(|k| k.share).sum();
    ensure!((shares - 1.0).abs() < 1e-9, "the mix adds up to {shares}");
    let session_bytes = app
        .stack
        .raw_items()
        .await
        .iter()
        .filter(|item| item_id(item).contains("|SESSION#"))
        .map(item_bytes)
        .max()
        .unwrap_or(1024);

    println!(
        "Prices: {} as of {}; {} runs of each request, warm; Lambda arm64.\n",
        prices.region, prices.as_of, RUNS
    );
    println!(
        "{:<42} {:>6} {:>8} {:>7} {:>10}  AWS calls per request",
        "request", "share", "invoc.", "ms", "$ per 1M"
    );
    let mut mix = Cost::default();
    for kind in &kinds {
        for _ in 0..3 {
            send(kind.method.clone(), kind.path.clone(), kind.body.clone()).await?;
        }
        let mut total = Cost::default();
        let mut calls_total: BTreeMap<String, u64> = BTreeMap::new();
        for _ in 0..RUNS {
            let before_calls = app.state().aws_calls().snapshot();
            let before_logs = logs.lock().map(|l| l.len()).unwrap_or(0);
            let before_table = if kind.method == Method::GET {
                None
            } else {
                Some(table(&app).await)
            };
            send(kind.method.clone(), kind.path.clone(), kind.body.clone()).await?;
            let after_calls = app.state().aws_calls().snapshot();
            let new_logs = logs
                .lock()
                .map(|l| l[before_logs..].to_vec())
                .unwrap_or_default();
            let mut cost = Cost::default();
            // Invocations: every `served` line, at its function's memory.
            let text = String::from_utf8_lossy(&new_logs);
            for line in text.lines() {
                let Ok(entry) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                if entry["fields"]["message"] != "served" {
                    continue;
                }
                let route = entry["span"]["route"].as_str().unwrap_or_default();
                // The local server's web layer passing `/v1` on to the API (no route of its
                // own): in AWS, API Gateway sends it to the API's function directly.
                if route.is_empty() {
                    continue;
                }
                let function = if route.starts_with("/v1/") {
                    routes.get(route).copied().unwrap_or("unknown")
                } else {
                    "web"
                };
                let mb = memory.get(function).copied().context(function.to_owned())?;
                let ms = entry["fields"]["elapsed_ms"]
                    .as_f64()
                    .unwrap_or(0.0)
                    .max(1.0);
                cost.invocations += 1.0;
                cost.duration_ms += ms;
                cost.add("Lambda requests", prices.lambda_request);
                cost.add(
                    "Lambda duration",
                    ms / 1000.0 * mb / 1024.0 * prices.lambda_arm64_gb_second,
                );
                cost.add("HTTP API", prices.http_api_request);
            }
            // The log lines as each function writes them in AWS (`telemetry::init`: no time,
            // no target, the request's span once): the local server's pass-through of `/v1`
            // (no route) writes nothing there.
            let mut log_bytes = PLATFORM_LOG_BYTES * cost.invocations;
            for line in text.lines() {
                let Ok(mut entry) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                if entry["span"]["route"] == "" {
                    continue;
                }
                if let Some(fields) = entry.as_object_mut() {
                    for field in ["spans", "timestamp", "target"] {
                        fields.remove(field);
                    }
                }
                let written = entry.to_string();
                if std::env::var_os("COST_SHOW_LOGS").is_some() {
                    eprintln!("{}: {written}", kind.name);
                }
                log_bytes += written.len() as f64 + 1.0;
            }
            cost.add(
                "CloudWatch Logs",
                log_bytes / 1e9 * prices.cloudwatch_logs_ingested_gb,
            );
            cost.add(
                "X-Ray",
                prices.xray_sampled_share * prices.xray_trace_recorded,
            );
            let session_units = 2.0 * (session_bytes as f64 / 4096.0).ceil();
            for (op, after) in &after_calls {
                let n = (after - before_calls.get(op).copied().unwrap_or(0)) as f64;
                if n == 0.0 {
                    continue;
                }
                *calls_total.entry(op.clone()).or_default() += n as u64;
                match op.as_str() {
                    "dynamodb:GetItem" | "dynamodb:Query" => {
                        cost.add("DynamoDB reads", n * prices.dynamodb_read_request_unit)
                    }
                    "dynamodb:TransactGetItems" => {
                        cost.session_checks += n;
                        cost.add(
                            "DynamoDB session checks",
                            n * session_units * prices.dynamodb_read_request_unit,
                        )
                    }
                    "dynamodb:TransactWriteItems" => {
                        // The session the transaction checks: 2 units per KB, as a write.
                        let check = 2.0 * (session_bytes as f64 / 1024.0).ceil();
                        cost.add(
                            "DynamoDB writes",
                            n * check * prices.dynamodb_write_request_unit,
                        )
                    }
                    op if op.starts_with("kms:") => cost.add("KMS", n * prices.kms_request),
                    "s3:GetObject" => cost.add("S3", n * prices.s3_get_request),
                    op if op.starts_with("s3:") => cost.add("S3", n * prices.s3_put_request),
                    other => anyhow::bail!("no price for {other}"),
                }
            }
            if let Some(before) = before_table {
                let units = written_units(&before, &table(&app).await);
                cost.add(
                    "DynamoDB writes",
                    units * prices.dynamodb_write_request_unit,
                );
            }
            total.plus(&cost);
        }
        let each = total.scaled(1.0 / RUNS as f64);
        let calls: Vec<String> = calls_total
            .iter()
            .map(|(op, n)| format!("{op} {}", *n as f64 / RUNS as f64))
            .collect();
        println!(
            "{:<42} {:>5.0}% {:>8.1} {:>7.1} {:>10.3}  {}",
            kind.name,
            kind.share * 100.0,
            each.invocations,
            each.duration_ms,
            each.total() * 1e6,
            calls.join(", ")
        );
        mix.plus(&each.scaled(kind.share));
    }
    let per_million = mix.scaled(1e6);
    let http_api = per_million.parts.get("HTTP API").copied().unwrap_or(0.0);
    println!(
        "\nOne million requests of this mix: ${:.2} in all; ${:.2} without the HTTP API's own ${:.2} \
         ({:.2} invocations and {:.2} session checks per request on average).",
        per_million.total(),
        per_million.total() - http_api,
        http_api,
        mix.invocations,
        mix.session_checks,
    );
    let mut parts: Vec<(&str, f64)> = per_million.parts.iter().map(|(k, v)| (*k, *v)).collect();
    parts.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (part, dollars) in parts {
        println!("  {part:<26} ${dollars:>7.3}");
    }
    Ok(())
}

//! `make measure-auth`: how long a login takes, whether an unknown email takes as long as a
//! wrong password, and how many AWS calls a warm login, company read and company write make.
//!
//! Runs the real routers in process against a private stack on the local emulator. Timings
//! include the emulator's own latency; bcrypt's share is measured on its own as well.

use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use invoiceflow::AppState;
use invoiceflow::auth::{Password, password};
use invoiceflow_infra::bootstrap::{self, Names};
use invoiceflow_infra::template::Template;
use invoiceflow_infra::{app, emulator};
use tower::ServiceExt as _;

const RUNS: usize = 30;
const PASSWORD: &str = "granite-lantern-orbit-cactus";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let emulator = emulator::ensure()?;
    let sdk = emulator::sdk_config(&emulator.endpoint).await;
    let stack = bootstrap::ensure(&sdk, &Names::unique(), &Template::embedded()?).await?;
    let state = AppState::new(stack.config.clone(), &sdk);
    let router = app(state.clone());
    let result = measure(&router, &state).await;
    bootstrap::teardown(&sdk, &stack).await?;
    result
}

async fn measure(router: &Router, state: &AppState) -> anyhow::Result<()> {
    let secret: Password = serde_json::from_value(serde_json::json!(PASSWORD))?;
    let hash_times = time_n(RUNS, || async { password::hash(&secret).await.map(|_| ()) }).await?;
    report("bcrypt cost 12 hash (spawn_blocking)", &hash_times);

    let email = "measure@example.com";
    let signup = send(
        router,
        "POST",
        "/v1/auth/signup",
        None,
        Some(serde_json::json!({"name": "Measure", "email": email, "password": PASSWORD, "company_name": "Measure Co"})),
    )
    .await?;
    ensure!(signup.status() == 201, "signup: {}", signup.status());
    let cookie = session_cookie(&signup).context("signup cookie")?;

    // Interleaved so that the emulator's state and the machine's load affect each alike; the
    // successful login after each failure resets the address's failure count.
    let (mut right, mut wrong, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        let login = |address: String, password: &'static str| {
            let body = serde_json::json!({"email": address, "password": password});
            async move { send(router, "POST", "/v1/auth/login", None, Some(body)).await }
        };
        let started = Instant::now();
        let r = login(
            format!("nobody{run}@example.com"),
            "wrong-password-entirely",
        )
        .await?;
        unknown.push(started.elapsed());
        ensure!(r.status() == 401, "unknown email: {}", r.status());
        let started = Instant::now();
        let r = login(email.to_owned(), "wrong-password-entirely").await?;
        wrong.push(started.elapsed());
        ensure!(r.status() == 401, "wrong password: {}", r.status());
        let started = Instant::now();
        let r = login(email.to_owned(), PASSWORD).await?;
        right.push(started.elapsed());
        ensure!(r.status() == 200, "login: {}", r.status());
    }
    report("login, right password", &right);
    report("login, wrong password", &wrong);
    report("login, unknown email", &unknown);

    // The container's first authenticated request fetches the signing key's public half.
    let r = send(router, "GET", "/v1/company", Some(&cookie), None).await?;
    ensure!(r.status() == 200);
    let calls = state.aws_calls();
    let before = calls.snapshot();
    let r = send(
        router,
        "POST",
        "/v1/auth/login",
        None,
        Some(serde_json::json!({"email": email, "password": PASSWORD})),
    )
    .await?;
    ensure!(r.status() == 200);
    println!(
        "AWS calls, warm login:           {:?}",
        delta(&before, &calls.snapshot())
    );
    let before = calls.snapshot();
    let r = send(router, "GET", "/v1/company", Some(&cookie), None).await?;
    ensure!(r.status() == 200);
    println!(
        "AWS calls, warm GET /v1/company: {:?}",
        delta(&before, &calls.snapshot())
    );
    let before = calls.snapshot();
    let r = send(
        router,
        "PUT",
        "/v1/company",
        Some(&cookie),
        Some(serde_json::json!({"legal_name": "Measure Co Ltd"})),
    )
    .await?;
    ensure!(r.status() == 200, "put: {}", r.status());
    println!(
        "AWS calls, warm PUT /v1/company: {:?}",
        delta(&before, &calls.snapshot())
    );
    Ok(())
}

async fn send(
    router: &Router,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<serde_json::Value>,
) -> anyhow::Result<Response<Body>> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("x-requested-with", "measure")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if method == "PUT" {
        request = request.header(header::IF_MATCH, "\"1\"");
    }
    let body = body
        .map(|b| Body::from(b.to_string()))
        .unwrap_or_else(Body::empty);
    Ok(router.clone().oneshot(request.body(body)?).await?)
}

fn session_cookie(response: &Response<Body>) -> Option<String> {
    response
        .headers()
        .get(header::SET_COOKIE)?
        .to_str()
        .ok()?
        .split(';')
        .next()
        .map(str::to_owned)
}

async fn time_n<F, Fut>(runs: usize, mut f: F) -> anyhow::Result<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await?;
        times.push(started.elapsed());
    }
    Ok(times)
}

fn report(what: &str, times: &[Duration]) {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what:<40} n={} median {:.1} ms  p10 {:.1}  p90 {:.1}",
        ms.len(),
        at(0.5),
        at(0.1),
        at(0.9)
    );
}

fn delta(
    before: &std::collections::BTreeMap<String, u64>,
    after: &std::collections::BTreeMap<String, u64>,
) -> std::collections::BTreeMap<String, u64> {
    after
        .iter()
        .filter_map(|(op, n)| {
            let d = n - before.get(op).copied().unwrap_or(0);
            (d > 0).then(|| (op.clone(), d))
        })
        .collect()
}

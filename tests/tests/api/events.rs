//! Every sample event in events/ is a real API Gateway (HTTP API, payload 2.0) event that
//! lambda_http decodes, and its function's router answers it (not 404/405).

use std::path::PathBuf;

use axum::Router;
use invoiceflow::AppState;
use invoiceflow_tests::TestStack;
use tower::ServiceExt as _;

/// The router each function runs, by the function's name (from the registry; the web app's,
/// whose pages reach the API on the site's origin).
fn function_router(function: &str, state: AppState) -> Router {
    if function == invoiceflow::web::FUNCTION {
        return invoiceflow::web::router(
            &["https://abc123.execute-api.eu-west-1.amazonaws.com".into()],
            invoiceflow::web::Vouching::none(),
        )
        .expect("the web router");
    }
    if function == invoiceflow::link::FUNCTION {
        return invoiceflow::link::router(state);
    }
    invoiceflow::http::functions::find(function)
        .unwrap_or_else(|| panic!("events/ names {function:?}, which is not in the registry"))
        .router(state)
}

fn events() -> Vec<(String, PathBuf)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("events/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_owned();
            let function = stem.split('-').next().expect("function prefix").to_owned();
            (function, path)
        })
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn every_sample_event_decodes_and_reaches_its_handler() {
    let stack = TestStack::new().await;
    let files = events();
    assert!(!files.is_empty(), "events/ has no sample events");
    // Scheduled functions' events are EventBridge events, run by their own test below.
    for (function, path) in files.into_iter().filter(|(function, _)| {
        ![
            invoiceflow::purge::FUNCTION,
            invoiceflow::schedules::FUNCTION,
            invoiceflow::deliveries::FUNCTION,
            invoiceflow::webhooks::FUNCTION,
        ]
        .contains(&function.as_str())
    }) {
        let text = std::fs::read_to_string(&path).expect("read event");
        let request = lambda_http::request::from_str(&text)
            .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
        let response = function_router(&function, stack.state.clone())
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        if function == invoiceflow::link::FUNCTION {
            // A link no send made: the one page every dead link gets, never indexed.
            assert_eq!(status, 404, "{}", path.display());
            assert_eq!(response.headers()["x-robots-tag"], "noindex, nofollow");
            assert_eq!(response.headers()["referrer-policy"], "no-referrer");
            continue;
        }
        assert!(
            ![404, 405].contains(&status),
            "{} was not routed: {status}",
            path.display()
        );
        assert!(status < 500, "{} failed: {status}", path.display());
    }
}

#[test]
fn every_function_has_a_sample_event() {
    let with_events: Vec<_> = events().into_iter().map(|(function, _)| function).collect();
    let names = invoiceflow::http::functions::FUNCTIONS
        .iter()
        .map(|function| function.name)
        .chain([
            invoiceflow::web::FUNCTION,
            invoiceflow::link::FUNCTION,
            invoiceflow::deliveries::FUNCTION,
            invoiceflow::purge::FUNCTION,
            invoiceflow::schedules::FUNCTION,
            invoiceflow::webhooks::FUNCTION,
        ]);
    for name in names {
        assert!(
            with_events.iter().any(|with| with == name),
            "{name} has no sample event in events/"
        );
    }
}

/// A function serves its routes from a plain axum router (no OpenAPI schema is built at start)
/// and documents them from its `#[utoipa::path]` handlers: the two must agree. Every documented
/// path answers its documented methods (never 404/405) and refuses every other method with 405.
#[tokio::test]
async fn each_function_serves_exactly_its_documented_routes() {
    use axum::body::Body;
    use axum::http::Request;

    let stack = TestStack::new().await;
    for function in invoiceflow::http::functions::FUNCTIONS {
        let documented = invoiceflow_tests::documented_routes(function);
        assert!(
            !documented.is_empty(),
            "{} documents no route",
            function.name
        );
        let paths: std::collections::BTreeSet<&String> =
            documented.iter().map(|(_, path)| path).collect();
        for path in paths {
            let uri = path.replace("{id}", "01JD0000000000000000000000");
            for method in invoiceflow_tests::METHODS {
                let request = Request::builder()
                    .method(method)
                    .uri(&uri)
                    .header("x-requested-with", "test")
                    .header("content-type", "application/json")
                    .body(Body::from("{}"))
                    .expect("request");
                let status = function
                    .router(stack.state.clone())
                    .oneshot(request)
                    .await
                    .expect("infallible")
                    .status()
                    .as_u16();
                if documented.contains(&(method.to_owned(), path.clone())) {
                    assert!(
                        ![404, 405].contains(&status),
                        "{} does not serve its documented {method} {path}: {status}",
                        function.name
                    );
                } else {
                    assert_eq!(
                        status, 405,
                        "{} answers the undocumented {method} {path}",
                        function.name
                    );
                }
            }
        }
    }
}

/// The purge's sample event is a real EventBridge scheduled event: it decodes, and the handler
/// runs a pass with it (nothing is due on a fresh stack); any other event is refused.
#[tokio::test]
async fn the_scheduled_purge_event_decodes_and_runs_a_pass() {
    let stack = TestStack::new().await;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events/purge-scheduled.json");
    let text = std::fs::read_to_string(&path).expect("events/purge-scheduled.json");
    let event: invoiceflow::purge::Scheduled = serde_json::from_str(&text).expect("decodes");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let report = invoiceflow::purge::handle(&stack.state, event.clone(), deadline)
        .await
        .expect("a pass");
    assert_eq!(report, invoiceflow::purge::Report::default());
    let not_scheduled = invoiceflow::purge::Scheduled {
        source: "aws.s3".into(),
        ..event
    };
    assert!(
        invoiceflow::purge::handle(&stack.state, not_scheduled, deadline)
            .await
            .is_err()
    );
}

/// The schedules' sample event is a real EventBridge scheduled event: it runs a pass (nothing
/// is due on a fresh stack); any other event is refused.
#[tokio::test]
async fn the_scheduled_schedules_event_decodes_and_runs_a_pass() {
    let stack = TestStack::new().await;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events/schedules-scheduled.json");
    let text = std::fs::read_to_string(&path).expect("events/schedules-scheduled.json");
    let event: invoiceflow::purge::Scheduled = serde_json::from_str(&text).expect("decodes");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let report = invoiceflow::schedules::handle(&stack.state, event.clone(), deadline)
        .await
        .expect("a pass");
    assert_eq!(report, invoiceflow::schedules::Report::default());
    let not_scheduled = invoiceflow::purge::Scheduled {
        detail_type: "Object Created".into(),
        ..event
    };
    assert!(
        invoiceflow::schedules::handle(&stack.state, not_scheduled, deadline)
            .await
            .is_err()
    );
}

/// `make invoke` runs a function under cargo-lambda's Lambda runtime emulator against the local
/// stack and prints its response: once an API function with its API Gateway event, once the
/// purge with its scheduled event. It runs against an emulator of its own: the emulator serves
/// one call at a time, and behind the run's other tests (fifty concurrent issues, say) the health
/// check's table call waited past its 3 s limit and answered 503 on a busy CI machine.
#[test]
fn make_invoke_runs_a_function_under_the_lambda_runtime_emulator() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let emulator = invoiceflow_infra::emulator::start_private().expect("local AWS emulator");
    let invoke = |function: &str, event: &str| {
        let output = std::process::Command::new("make")
            .current_dir(&root)
            .env("AWS_ENDPOINT_URL", &emulator.endpoint)
            .args([
                "--no-print-directory",
                "invoke",
                &format!("FN={function}"),
                &format!("EVENT={event}"),
            ])
            .output()
            .expect("make invoke");
        // make invoke prints the function's log on stderr.
        let log = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "make invoke FN={function}: {log}");
        let stdout = String::from_utf8(output.stdout).expect("utf-8");
        let last = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        let response = serde_json::from_str::<serde_json::Value>(last)
            .unwrap_or_else(|e| panic!("{function} answered no JSON ({e}): {stdout}"));
        (response, log)
    };
    let (health, log) = invoke("meta", "events/meta-health.json");
    assert_eq!(
        health["statusCode"], 200,
        "{health}\nthe function's log:\n{log}"
    );
    let body: serde_json::Value =
        serde_json::from_str(health["body"].as_str().expect("body")).expect("json body");
    assert_eq!(
        body["checks"]["database"], "ok",
        "it reached the local stack"
    );
    assert!(
        log.contains("/v1/health") && log.contains("served"),
        "make invoke prints the function's own log: {log}"
    );
    let (purge, log) = invoke("purge", "events/purge-scheduled.json");
    assert_eq!(purge["stopped_early"], false, "{purge}\n{log}");
    assert!(purge["accounts"].is_u64(), "{purge}");
}

/// The deliveries function's sample events are SES events as EventBridge delivers them (the
/// shapes AWS documents): each decodes, and without our tags it is left alone.
#[tokio::test]
async fn the_ses_sample_events_decode_and_untagged_ones_are_ignored() {
    let stack = TestStack::new().await;
    let files: Vec<PathBuf> = events()
        .into_iter()
        .filter(|(function, _)| function == invoiceflow::deliveries::FUNCTION)
        .map(|(_, path)| path)
        .collect();
    assert_eq!(files.len(), 3, "delivery, bounce, complaint");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read event");
        let mut event: invoiceflow::deliveries::SesEvent =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(event.source, "aws.ses");
        event.detail.mail.tags.remove("tenant");
        let handled = invoiceflow::deliveries::handle(&stack.state, event)
            .await
            .expect("handled");
        assert!(
            matches!(handled, invoiceflow::deliveries::Handled::Ignored(_)),
            "{}: {handled:?}",
            path.display()
        );
    }
}

/// The webhooks function's sample events: a queue message (for an event no account has, so
/// nothing is delivered and nothing fails) and the minute's sweep (nothing is left in a fresh
/// stack's outbox); any other scheduled source is refused.
#[tokio::test]
async fn the_webhooks_events_decode_and_run() {
    let stack = TestStack::new().await;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events");
    for name in ["webhooks-delivery.json", "webhooks-sweep.json"] {
        let text = std::fs::read_to_string(dir.join(name)).expect("a sample event");
        let invocation: invoiceflow::webhooks::Invocation =
            serde_json::from_str(&text).expect("decodes");
        let response = invoiceflow::webhooks::handle(&stack.state, invocation)
            .await
            .expect("handled");
        assert!(response.failures.is_empty(), "{name}: {response:?}");
    }
    let text = std::fs::read_to_string(dir.join("webhooks-sweep.json")).expect("sweep");
    let other = text.replace("\"aws.events\"", "\"aws.s3\"");
    let invocation: invoiceflow::webhooks::Invocation =
        serde_json::from_str(&other).expect("decodes");
    assert!(
        invoiceflow::webhooks::handle(&stack.state, invocation)
            .await
            .is_err()
    );
}

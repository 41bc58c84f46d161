//! Every sample event in events/ is a real API Gateway (HTTP API, payload 2.0) event that
//! lambda_http decodes, and its function's router answers it (not 404/405).

use std::path::PathBuf;

use axum::Router;
use invoiceflow::AppState;
use invoiceflow_tests::TestStack;
use tower::ServiceExt as _;

/// The router each function runs, by the function's name (from the registry).
fn function_router(function: &str, state: AppState) -> Router {
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
    for (function, path) in files {
        let text = std::fs::read_to_string(&path).expect("read event");
        let request = lambda_http::request::from_str(&text)
            .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
        let response = function_router(&function, stack.state.clone())
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status().as_u16();
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
    for function in invoiceflow::http::functions::FUNCTIONS {
        assert!(
            with_events.iter().any(|name| name == function.name),
            "{} has no sample event in events/",
            function.name
        );
    }
}

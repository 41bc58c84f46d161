use invoiceflow_tests::{spawn_app, spawn_app_alone};

/// On an emulator of its own: behind the rest of the run on the shared one, the table call can
/// wait past the health check's 3 s and be called unreachable.
#[tokio::test]
async fn health_answers_200_json_when_the_table_is_reachable() {
    let app = spawn_app_alone().await;
    let response = app
        .client
        .get(app.url("/v1/health"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({"status": "ok", "checks": {"database": "ok"}})
    );
}

#[tokio::test]
async fn health_does_not_leak_resource_names() {
    let app = spawn_app().await;
    let text = app
        .client
        .get(app.url("/v1/health"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(!text.contains(&app.stack.stack.config.table_name), "{text}");
}

#[tokio::test]
async fn health_answers_503_when_the_table_is_gone() {
    let app = spawn_app().await;
    app.stack
        .raw_dynamodb
        .delete_table()
        .table_name(&app.stack.stack.config.table_name)
        .send()
        .await
        .expect("delete table");
    let response = app
        .client
        .get(app.url("/v1/health"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["checks"]["database"], "unreachable");
}

#[tokio::test]
async fn the_openapi_document_is_served_and_describes_itself() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/v1/openapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(
        body["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.1")
    );
    assert!(body["paths"]["/v1/openapi.json"]["get"].is_object());
    assert!(body["paths"]["/v1/health"]["get"].is_object());
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/v1/nothing-here"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], 404);
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem() {
    let app = spawn_app().await;
    // With the CSRF header: without it, an unsafe method is refused (403) before routing.
    let response = app
        .unsafe_request(&app.client, reqwest::Method::DELETE, "/v1/health")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 405);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/v1/health"))
        .send()
        .await
        .expect("request");
    let id = response.headers()["x-request-id"].to_str().expect("ascii");
    assert_eq!(id.len(), 26, "{id}");
}

/// Behind an edge (a secret configured), a request without the edge's header is refused by the
/// API, the customer's page and the web app alike; with it, each is served.
#[tokio::test]
async fn with_an_edge_only_what_came_through_it_is_served() {
    let app = spawn_app().await;
    let edged = app
        .instance_configured(|config| config.edge_secret = "the-edge-s-own-secret".into())
        .await;
    let client = reqwest::Client::new();
    for path in ["/v1/openapi.json", "/d/no-such-link", "/v1/customers"] {
        let direct = client.get(edged.url(path)).send().await.expect("get");
        assert_eq!(direct.status(), 403, "{path}");
        let through = client
            .get(edged.url(path))
            .header("x-invoiceflow-edge", "the-edge-s-own-secret")
            .send()
            .await
            .expect("get");
        assert_ne!(through.status(), 403, "{path}");
    }
}

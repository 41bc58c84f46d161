//! The account's reminder policy in the settings: off by default with stages at 7, 14 and 30
//! days, replaced whole, and a bad one refused naming the field with nothing written.

use invoiceflow_tests::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn the_reminder_policy_is_off_by_default_and_bad_ones_are_refused_naming_the_field() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let settings = |app: &invoiceflow_tests::TestApp| {
        let client = app.client.clone();
        let url = app.url("/v1/settings");
        async move {
            let response = client.get(url).send().await.expect("get");
            response.json::<Value>().await.expect("json")
        }
    };
    let before = settings(&app).await;
    assert_eq!(
        before["reminders"],
        json!({
            "enabled": false,
            "stages": [
                {"days": 7, "fee": null, "subject": null, "message": null},
                {"days": 14, "fee": null, "subject": null, "message": null},
                {"days": 30, "fee": null, "subject": null, "message": null},
            ],
            "interest_percent": null,
            "compensation": null,
        })
    );
    let patch = |policy: Value| {
        app.unsafe_request(&app.client, Method::PATCH, "/v1/settings")
            .header("if-match", "*")
            .json(&json!({"reminders": policy}))
            .send()
    };
    for (policy, field) in [
        (
            json!({"stages": [{"days": 7, "fee": "-5.00"}]}),
            "reminders.stages[0].fee",
        ),
        (
            json!({"interest_percent": "100.01"}),
            "reminders.interest_percent",
        ),
        (json!({"stages": [{"days": 0}]}), "reminders.stages[0].days"),
        (json!({"compensation": "-40.00"}), "reminders.compensation"),
        (json!({"stages": [{"days": 14}, {"days": 7}]}), "reminders"),
    ] {
        let response = patch(policy.clone()).await.expect("patch");
        assert_eq!(response.status(), 400, "{policy}");
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    assert_eq!(settings(&app).await, before, "nothing was written");

    let policy = json!({
        "enabled": true,
        "stages": [{"days": 10, "fee": "5.00"}, {"days": 20, "subject": "Second reminder"}],
        "interest_percent": "11.27",
        "compensation": "40.00",
    });
    let response = patch(policy).await.expect("patch");
    assert_eq!(response.status(), 200);
    let after = settings(&app).await;
    assert_eq!(after["reminders"]["enabled"], true);
    assert_eq!(
        after["reminders"]["stages"][1]["subject"],
        "Second reminder"
    );
    assert_eq!(after["reminders"]["interest_percent"], "11.27");
    assert_eq!(
        after["reminders"]["stages"].as_array().map(Vec::len),
        Some(2)
    );
}

//! Recurring invoices end to end, with the state's clock moved forward: each period's invoice
//! dated for its period (month ends clamped, never drifting), made once however passes overlap,
//! repeat or are killed, missed periods caught up (each, or only the latest), a time zone whose
//! midnight is not UTC's, pausing, a deleted customer, and bad input refused naming the field.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt as _;

use invoiceflow::schedules;
use invoiceflow_tests::{Account, TestApp, move_state_clock_to, spawn_app, spawn_app_alone};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};

async fn json_of(response: Response) -> Value {
    response.json().await.expect("json")
}

async fn post(app: &TestApp, client: &Client, path: &str, body: &Value) -> Response {
    app.post(client, path)
        .json(body)
        .send()
        .await
        .expect("post")
}

async fn get(app: &TestApp, client: &Client, path: &str) -> Value {
    let response = client.get(app.url(path)).send().await.expect("get");
    assert_eq!(response.status(), 200, "{path}");
    json_of(response).await
}

fn move_clock_to(app: &TestApp, at: &str) {
    app.move_clock_to(at);
}

/// Logs in again (a session does not live through months of the moved clock).
async fn again(app: &TestApp, account: &Account) {
    let response = app
        .login(&app.client, &account.email, &account.password)
        .await;
    assert_eq!(response.status(), 200);
}

async fn pass(app: &TestApp) -> schedules::Report {
    pass_of(app.state()).await
}

async fn pass_of(state: &invoiceflow::AppState) -> schedules::Report {
    schedules::run(state, Instant::now() + Duration::from_secs(120))
        .await
        .expect("a pass")
}

async fn customer(app: &TestApp) -> String {
    app.add_customer("Retainer Client GmbH").await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn schedule(customer: &str, every: u32, unit: &str, start: &str, ending: Value) -> Value {
    json!({
        "name": "Monthly retainer",
        "customer_id": customer,
        "payment_terms_days": 14,
        "lines": [{"description": "Retainer", "quantity": "1", "unit_price": "1000.00", "tax_rate": "19"}],
        "schedule": {"every": every, "unit": unit, "start": start, "ending": ending},
        "produce": "issued",
    })
}

async fn create(app: &TestApp, body: &Value) -> Value {
    let response = post(app, &app.client, "/v1/recurring-invoices", body).await;
    assert_eq!(response.status(), 201);
    json_of(response).await
}

/// The account's invoices, oldest first: (issue date, number, status).
async fn invoices(app: &TestApp) -> Vec<(String, String, String)> {
    let page = get(app, &app.client, "/v1/invoices?limit=100").await;
    let mut rows: Vec<_> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|i| {
            (
                i["issue_date"].as_str().unwrap_or_default().to_owned(),
                i["number"].as_str().unwrap_or_default().to_owned(),
                i["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn dates(rows: &[(String, String, String)]) -> Vec<&str> {
    rows.iter().map(|(date, _, _)| date.as_str()).collect()
}

fn numbers(rows: &[(String, String, String)]) -> Vec<&str> {
    rows.iter().map(|(_, number, _)| number.as_str()).collect()
}

fn year_after_now() -> i32 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("time")
        .as_secs();
    time::OffsetDateTime::from_unix_timestamp(now as i64)
        .expect("now")
        .year()
        + 1
}

#[tokio::test]
async fn monthly_from_31_january_clamps_to_each_months_end_and_catches_up_each_period_once() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let customer = customer(&app).await;
    let y = year_after_now();
    let created = create(
        &app,
        &schedule(
            &customer,
            1,
            "months",
            &format!("{y}-01-31"),
            json!({"type": "never"}),
        ),
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created["upcoming"],
        json!([
            format!("{y}-01-31"),
            format!("{y}-02-28"),
            format!("{y}-03-31"),
            format!("{y}-04-30"),
            format!("{y}-05-31"),
        ])
    );
    // Nothing is due before its start.
    assert_eq!(pass(&app).await.invoices, 0);

    // The function was down from January to the end of April: each missed period once.
    move_clock_to(&app, &format!("{y}-04-30T12:00:00Z"));
    let report = pass(&app).await;
    assert_eq!((report.schedules, report.invoices), (1, 4), "{report:?}");
    again(&app, &account).await;
    let rows = invoices(&app).await;
    assert_eq!(
        dates(&rows),
        [
            format!("{y}-01-31"),
            format!("{y}-02-28"),
            format!("{y}-03-31"),
            format!("{y}-04-30")
        ]
    );
    assert_eq!(
        numbers(&rows),
        [1, 2, 3, 4].map(|n| format!("INV-{y}-{n:04}")),
        "gapless numbers in period order"
    );
    assert!(rows.iter().all(|(_, _, status)| status == "issued"));

    // Each invoice bills its period and is due by the schedule's terms.
    let page = get(&app, &app.client, "/v1/invoices?limit=100").await;
    let february = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|i| i["issue_date"] == format!("{y}-02-28"))
        .expect("February's invoice")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let invoice = get(&app, &app.client, &format!("/v1/invoices/{february}")).await;
    assert_eq!(invoice["due_date"], format!("{y}-03-14"));
    assert_eq!(
        invoice["supply_period"],
        json!({"start": format!("{y}-02-28"), "end": format!("{y}-03-30")})
    );
    assert_eq!(invoice["recurring_invoice_id"], id.as_str());

    // A second pass the same day makes nothing more; the schedule shows where it is.
    assert_eq!(pass(&app).await.invoices, 0);
    let now = get(&app, &app.client, &format!("/v1/recurring-invoices/{id}")).await;
    assert_eq!(now["invoices_made"], 4);
    assert_eq!(now["next_period"], 4);
    assert_eq!(now["upcoming"][0], format!("{y}-05-31"));
    assert_eq!(now["last"]["date"], format!("{y}-04-30"));
}

#[tokio::test]
async fn concurrent_and_killed_passes_make_each_period_exactly_once_with_gapless_numbers() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let customer = customer(&app).await;
    let y = year_after_now();
    for start in ["01-05", "01-10", "01-15"] {
        create(
            &app,
            &schedule(
                &customer,
                1,
                "weeks",
                &format!("{y}-{start}"),
                json!({"type": "never"}),
            ),
        )
        .await;
    }
    move_clock_to(&app, &format!("{y}-02-20T12:00:00Z"));

    // A pass killed midway (its future dropped between two AWS calls), then two at once.
    tokio::select! {
        _ = pass(&app) => panic!("the pass was to be killed before it finished"),
        () = tokio::time::sleep(Duration::from_millis(400)) => {}
    }
    let (a, b) = tokio::join!(pass(&app), pass(&app));
    assert_eq!(a.failed + b.failed, 0, "{a:?} {b:?}");
    // And once more: everything is made already.
    assert_eq!(pass(&app).await.invoices, 0);

    again(&app, &account).await;
    let rows = invoices(&app).await;
    // Weekly from 5, 10 and 15 January to 20 February: 7, 6 and 6 periods.
    assert_eq!(rows.len(), 19, "{rows:?}");
    let mut seen = rows.iter().map(|r| &r.1).collect::<Vec<_>>();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 19, "no number twice");
    let mut numbers: Vec<u32> = rows
        .iter()
        .map(|(_, n, _)| {
            n.rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("n")
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=19).collect::<Vec<_>>(), "gapless");
    let list = get(&app, &app.client, "/v1/recurring-invoices").await;
    let made: u64 = list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|s| s["invoices_made"].as_u64().expect("made"))
        .sum();
    assert_eq!(made, 19);
}

#[tokio::test]
async fn after_missed_months_only_the_latest_is_made_when_the_owner_chose_so() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let customer = customer(&app).await;
    let y = year_after_now();
    let mut body = schedule(
        &customer,
        1,
        "months",
        &format!("{y}-01-15"),
        json!({"type": "never"}),
    );
    body["catch_up"] = json!("latest");
    let id = create(&app, &body).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    move_clock_to(&app, &format!("{y}-03-20T12:00:00Z"));
    let report = pass(&app).await;
    assert_eq!(report.invoices, 1, "{report:?}");
    again(&app, &account).await;
    assert_eq!(dates(&invoices(&app).await), [format!("{y}-03-15")]);
    let now = get(&app, &app.client, &format!("/v1/recurring-invoices/{id}")).await;
    assert_eq!(now["periods_skipped"], 2);
    assert_eq!(now["invoices_made"], 1);
    assert_eq!(now["upcoming"][0], format!("{y}-04-15"));
}

#[tokio::test]
async fn counts_dates_years_and_a_time_zone_ahead_of_utc_decide_what_is_due() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let customer = customer(&app).await;
    let y = year_after_now();
    let response = app
        .unsafe_request(&app.client, Method::PATCH, "/v1/settings")
        .header("if-match", "*")
        .json(&json!({"time_zone": "Pacific/Auckland"}))
        .send()
        .await
        .expect("settings");
    assert_eq!(response.status(), 200);
    // Three invoices, weekly; a yearly one; a fortnightly one ending on a date.
    let three = create(
        &app,
        &schedule(
            &customer,
            1,
            "weeks",
            &format!("{y}-01-01"),
            json!({"type": "after", "count": 3}),
        ),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let yearly = create(
        &app,
        &schedule(
            &customer,
            1,
            "years",
            &format!("{y}-01-01"),
            json!({"type": "never"}),
        ),
    )
    .await;
    assert_eq!(
        yearly["upcoming"].as_array().expect("upcoming")[..3],
        [
            json!(format!("{y}-01-01")),
            json!(format!("{}-01-01", y + 1)),
            json!(format!("{}-01-01", y + 2))
        ]
    );
    let until = create(
        &app,
        &schedule(
            &customer,
            2,
            "weeks",
            &format!("{y}-01-01"),
            json!({"type": "on", "date": format!("{y}-01-20")}),
        ),
    )
    .await;
    assert_eq!(
        until["upcoming"],
        json!([format!("{y}-01-01"), format!("{y}-01-15")])
    );

    // 11:00 UTC on 31 December is already 1 January in Auckland (UTC+13): the first periods
    // are due there, though not yet in UTC.
    move_clock_to(&app, &format!("{}-12-31T11:30:00Z", y - 1));
    let report = pass(&app).await;
    assert_eq!(report.invoices, 3, "{report:?}");

    // Weeks later: the weekly one has made its three and ended; the dated one stopped at 15th.
    move_clock_to(&app, &format!("{y}-02-10T00:00:00Z"));
    let report = pass(&app).await;
    assert_eq!(report.invoices, 3, "{report:?}");
    again(&app, &account).await;
    let ended = get(
        &app,
        &app.client,
        &format!("/v1/recurring-invoices/{three}"),
    )
    .await;
    assert_eq!(ended["status"], "ended");
    assert_eq!(ended["invoices_made"], 3);
    assert_eq!(ended["upcoming"], json!([]));
    let mut rows = dates(&invoices(&app).await)
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    rows.dedup();
    assert_eq!(
        rows,
        [
            format!("{y}-01-01"),
            format!("{y}-01-08"),
            format!("{y}-01-15"),
        ]
    );
    assert_eq!(invoices(&app).await.len(), 6);
}

/// `POST /v1/recurring-invoices/{id}/<verb>` (pause, resume, end) at any version.
async fn act(app: &TestApp, id: &str, verb: &str) -> Response {
    let path = format!("/v1/recurring-invoices/{id}/{verb}");
    app.unsafe_request(&app.client, Method::POST, &path)
        .header("if-match", "*")
        .send()
        .await
        .expect(verb)
}

#[tokio::test]
async fn a_paused_schedule_makes_nothing_and_a_deleted_customer_stops_one_saying_why() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let customer = customer(&app).await;
    let y = year_after_now();
    let body = schedule(
        &customer,
        1,
        "months",
        &format!("{y}-01-10"),
        json!({"type": "never"}),
    );
    let paused = create(&app, &body).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let stopped = create(&app, &body).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let response = act(&app, &paused, "pause").await;
    assert_eq!(response.status(), 200);
    let response = json_of(response).await;
    assert_eq!(response["status"], "paused");
    assert_eq!(response["upcoming"], json!([]));
    assert_eq!(
        act(&app, &paused, "pause").await.status(),
        409,
        "already paused"
    );
    // The customer goes.
    let response = app
        .unsafe_request(
            &app.client,
            Method::DELETE,
            &format!("/v1/customers/{customer}"),
        )
        .header("if-match", "*")
        .send()
        .await
        .expect("delete customer");
    assert_eq!(response.status(), 204);

    move_clock_to(&app, &format!("{y}-01-12T12:00:00Z"));
    let report = pass(&app).await;
    // The paused one is not in the index; the active one stops, making nothing.
    assert_eq!(
        (report.schedules, report.invoices, report.failed),
        (1, 0, 0),
        "{report:?}"
    );
    assert_eq!(
        pass(&app).await.schedules,
        0,
        "a stopped schedule leaves the index"
    );
    again(&app, &account).await;
    let now = get(
        &app,
        &app.client,
        &format!("/v1/recurring-invoices/{stopped}"),
    )
    .await;
    assert_eq!(now["status"], "paused");
    assert!(
        now["stopped_because"]
            .as_str()
            .is_some_and(|why| why.contains("customer was deleted")),
        "{now}"
    );
    // Resuming needs a customer that exists; with another one it goes on from its period.
    let refused = act(&app, &paused, "resume").await;
    assert_eq!(refused.status(), 400);
    assert_eq!(json_of(refused).await["errors"][0]["field"], "customer_id");
    let other = app.add_customer("Successor Ltd").await["id"].clone();
    let response = app
        .unsafe_request(
            &app.client,
            Method::PATCH,
            &format!("/v1/recurring-invoices/{stopped}"),
        )
        .header("if-match", "*")
        .json(&json!({"customer_id": other}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    let resumed = act(&app, &stopped, "resume").await;
    assert_eq!(resumed.status(), 200);
    let resumed = json_of(resumed).await;
    assert_eq!(resumed["stopped_because"], Value::Null);
    assert_eq!(resumed["upcoming"][0], format!("{y}-01-10"));
    assert_eq!(pass(&app).await.invoices, 1);
    assert_eq!(invoices(&app).await.len(), 1);
    assert_eq!(act(&app, &stopped, "end").await.status(), 200);
    assert_eq!(act(&app, &stopped, "resume").await.status(), 409, "ended");
}

#[tokio::test]
async fn bad_schedules_are_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer = customer(&app).await;
    let y = year_after_now();
    let good = schedule(
        &customer,
        1,
        "months",
        &format!("{y}-01-31"),
        json!({"type": "never"}),
    );
    let line = good["lines"][0].clone();
    let with = |path: &[&str], value: Value| {
        let mut body = good.clone();
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        body
    };
    let cases = [
        (
            with(&["schedule", "every"], json!(0)),
            400,
            "schedule.every",
        ),
        (
            with(
                &["schedule", "ending"],
                json!({"type": "on", "date": format!("{y}-01-01")}),
            ),
            400,
            "schedule.ending.date",
        ),
        (with(&["lines"], json!(vec![line; 501])), 400, "lines"),
        (
            with(&["customer_id"], json!("cus_01J00000000000000000000000")),
            400,
            "customer_id",
        ),
        (
            with(&["schedule", "start"], json!("2020-01-01")),
            400,
            "schedule.start",
        ),
        (with(&["lines"], json!([])), 400, "lines"),
    ];
    for (body, status, field) in cases {
        let response = post(&app, &app.client, "/v1/recurring-invoices", &body).await;
        assert_eq!(response.status(), status, "{field}");
        let problem = json_of(response).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let list = get(&app, &app.client, "/v1/recurring-invoices").await;
    assert_eq!(list["data"], json!([]), "nothing was written");
    assert_eq!(pass(&app).await, schedules::Report::default());
}

#[tokio::test]
async fn periods_made_to_be_sent_are_e_mailed_once_and_a_failed_send_is_tried_again() {
    let app = spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    crate::documents::seller(&app, "en-GB").await;
    let address = format!(
        "retainer.{}@kunde.example",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    let reachable = post(
        &app,
        &app.client,
        "/v1/customers",
        &json!({"name": "Reachable GmbH", "email": address, "currency": "EUR"}),
    )
    .await;
    assert_eq!(reachable.status(), 201);
    let reachable = json_of(reachable).await["id"].clone();
    let unreachable = customer(&app).await;
    let y = year_after_now();
    let start = format!("{y}-01-04");
    let mut body = schedule("", 1, "weeks", &start, json!({"type": "never"}));
    body["produce"] = json!("sent");
    body["customer_id"] = reachable;
    let mailed = create(&app, &body).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    body["customer_id"] = json!(unreachable);
    let no_address = create(&app, &body).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let due = format!("{y}-01-12T12:00:00Z");

    // First SES refuses (an instance whose sender it has not verified): the first invoice is
    // made and waits to be sent; the customer without an address gets its invoices, unsent.
    let refusing = app
        .instance_configured(|config| config.mail_from = "documents@unverified.example".into())
        .await;
    move_state_clock_to(&refusing.state, &due);
    let report = pass_of(&refusing.state).await;
    assert_eq!(
        (
            report.invoices,
            report.sent,
            report.send_pending,
            report.failed
        ),
        (3, 0, 1, 0),
        "{report:?}"
    );
    let to = |mail: &invoiceflow_tests::SentMail| mail.destinations.iter().any(|d| d == &address);
    assert!(!app.sent_mail().await.iter().any(to));

    // Then SES takes it: the waiting invoice is sent, the next period made and sent.
    move_clock_to(&app, &due);
    let report = pass(&app).await;
    assert_eq!(
        (report.invoices, report.sent, report.send_pending),
        (1, 2, 0),
        "{report:?}"
    );
    assert_eq!(
        pass(&app).await,
        schedules::Report::default(),
        "nothing more"
    );
    assert_eq!(app.sent_mail().await.iter().filter(|m| to(m)).count(), 2);

    again(&app, &account).await;
    let page = get(&app, &app.client, "/v1/invoices?limit=100").await;
    for summary in page["data"].as_array().expect("data") {
        let invoice = get(
            &app,
            &app.client,
            &format!("/v1/invoices/{}", summary["id"].as_str().expect("id")),
        )
        .await;
        let sent = invoice["sendings"].as_array().expect("sendings").len();
        let expected = usize::from(invoice["customer_id"] != json!(unreachable));
        assert_eq!(sent, expected, "{invoice}");
    }
    let unsent = get(
        &app,
        &app.client,
        &format!("/v1/recurring-invoices/{no_address}"),
    )
    .await;
    assert_eq!(unsent["to_send"], Value::Null);
    assert!(
        unsent["send_problem"]
            .as_str()
            .is_some_and(|why| why.contains("to")),
        "{unsent}"
    );
    let sent = get(
        &app,
        &app.client,
        &format!("/v1/recurring-invoices/{mailed}"),
    )
    .await;
    assert_eq!(
        (
            sent["invoices_made"].as_u64(),
            sent["send_problem"].as_str()
        ),
        (Some(2), None)
    );
}

/// One pass over due schedules of four accounts, each making an issued invoice (the count from
/// `MEASURE_SCHEDULES`, 100 in `make test`): its AWS calls by operation and its time, beside
/// one read of a schedule. The pass reads the index of due work a page at a time: no scan.
#[tokio::test]
async fn one_pass_s_aws_calls_and_time_for_due_schedules() {
    let app = spawn_app_alone().await;
    let count: usize = std::env::var("MEASURE_SCHEDULES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let y = year_after_now();
    let mut ids = Vec::new();
    for account in 0..4 {
        let client = app.new_client();
        app.signup(&client).await;
        let customer = post(
            &app,
            &client,
            "/v1/customers",
            &json!({"name": format!("Kunde {account}"), "currency": "EUR"}),
        )
        .await;
        let customer = json_of(customer).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let made = futures::stream::iter(0..count / 4)
            .map(|i| {
                let (client, customer) = (client.clone(), customer.clone());
                let app = &app;
                async move {
                    let start = format!("{y}-01-{:02}", 1 + i % 7);
                    let body = schedule(&customer, 1, "months", &start, json!({"type": "never"}));
                    let response = post(app, &client, "/v1/recurring-invoices", &body).await;
                    assert_eq!(response.status(), 201);
                    json_of(response).await["id"]
                        .as_str()
                        .expect("id")
                        .to_owned()
                }
            })
            .buffer_unordered(4)
            .collect::<Vec<_>>()
            .await;
        ids.push((client, made[0].clone()));
    }
    let (client, one) = &ids[0];
    let calls = app.state().aws_calls();
    let delta = |before: &std::collections::BTreeMap<String, u64>| calls.since(before);
    let before = calls.snapshot();
    let started = Instant::now();
    get(&app, client, &format!("/v1/recurring-invoices/{one}")).await;
    let read_time = started.elapsed();
    let read_calls = delta(&before);

    move_clock_to(&app, &format!("{y}-01-10T12:00:00Z"));
    let before = calls.snapshot();
    let started = Instant::now();
    // Passes until nothing is left (each stops before its deadline, as a deployed one does).
    let (report, passes) = invoiceflow_tests::passes_until_done(app.state()).await;
    let pass_time = started.elapsed();
    let pass_calls = delta(&before);
    assert_eq!(
        (report.schedules, report.invoices, report.failed),
        (count / 4 * 4, count / 4 * 4, 0),
        "{report:?}"
    );
    assert_eq!(pass_calls.get("dynamodb:Scan"), None, "no scan");
    let per_schedule: f64 = pass_calls.values().sum::<u64>() as f64 / report.schedules as f64;
    println!(
        "MEASURE schedule GET: {read_time:?}, calls {read_calls:?}\nMEASURE {passes} pass(es) over {} due schedules: {pass_time:?} = {:.0}x the GET, {:.1} calls a schedule, calls {pass_calls:?}",
        report.schedules,
        pass_time.as_secs_f64() / read_time.as_secs_f64(),
        per_schedule,
    );
}

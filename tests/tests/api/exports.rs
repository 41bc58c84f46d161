//! CSV exports, end to end: written to S3, fetched through the presigned link, parsed back.

use std::time::Duration;

use invoiceflow_tests::{TestApp, spawn_app, spawn_interleaving_app};
use reqwest::Client;
use serde_json::{Value, json};

const CUSTOMER_HEADER: [&str; 21] = [
    "id",
    "name",
    "contact_name",
    "email",
    "phone",
    "billing_address_lines",
    "billing_city",
    "billing_region",
    "billing_postal_code",
    "billing_country",
    "shipping_address_lines",
    "shipping_city",
    "shipping_region",
    "shipping_postal_code",
    "shipping_country",
    "tax_id",
    "currency",
    "notes",
    "no_reminders",
    "created_at",
    "updated_at",
];

pub(crate) async fn export(app: &TestApp, client: &Client, dataset: &str) -> Value {
    let response = app
        .post(client, "/v1/exports")
        .json(&json!({"dataset": dataset}))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 201);
    response.json().await.expect("json")
}

/// The export's file, downloaded as a browser does: its `url` on the API (with the caller's
/// session), then the redirect to S3.
pub(crate) async fn download(app: &TestApp, client: &Client, export: &Value) -> Vec<u8> {
    let path = export["url"].as_str().expect("url");
    let response = client.get(app.url(path)).send().await.expect("download");
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.expect("body").to_vec()
}

pub(crate) async fn fetch_csv(app: &TestApp, client: &Client, export: &Value) -> Vec<Vec<String>> {
    let bytes = download(app, client, export).await;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    reader
        .records()
        .map(|r| r.expect("csv record").iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn an_export_of_customers_parses_back_with_formulas_neutralised() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let names = [
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "+1",
        "Ölçü Danışmanlık",
        "Comma, Inc.",
        "The \"Quoted\" Co",
        "Two\nLines Ltd",
    ];
    for name in names {
        let created = app
            .post(&app.client, "/v1/customers")
            .json(&json!({
                "name": name,
                "notes": "multi\nline, \"note\"",
                "billing_address": {"lines": ["Straße 1", "Hof 2"], "city": "Köln", "country": "DE"},
                "currency": "EUR"
            }))
            .send()
            .await
            .expect("customer");
        assert_eq!(created.status(), 201);
    }

    let export = export(&app, &app.client, "customers").await;
    assert_eq!(export["dataset"], "customers");
    assert_eq!(export["rows"], 6);
    assert!(
        export["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("exp_"))
    );
    let id = export["id"].as_str().expect("id");
    assert_eq!(export["url"], format!("/v1/exports/{id}/download"));
    assert!(export["expires_at"].as_str().is_some());
    // The API records the download, then redirects to a link that works for under a minute.
    let redirected = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url(&format!("/v1/exports/{id}/download")))
        .header("cookie", format!("__Host-session={}", account.token))
        .send()
        .await
        .expect("download");
    assert_eq!(redirected.status(), 303);
    assert_eq!(redirected.headers()["referrer-policy"], "no-referrer");
    let location = redirected.headers()["location"].to_str().expect("location");
    let expires: u64 = location
        .split(['?', '&'])
        .find_map(|part| part.strip_prefix("X-Amz-Expires="))
        .expect("X-Amz-Expires")
        .parse()
        .expect("seconds");
    assert!(expires < 60, "{expires}");
    let trail: Value = app
        .client
        .get(app.url("/v1/audit"))
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    let downloads = trail["data"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["action"] == "export.download" && entry["object"] == id)
        .count();
    assert_eq!(downloads, 1, "{trail}");
    // Someone else's session downloads nothing.
    let stranger = app.new_client();
    app.signup(&stranger).await;
    let refused = stranger
        .get(app.url(&format!("/v1/exports/{id}/download")))
        .send()
        .await
        .expect("download");
    assert_eq!(refused.status(), 404);

    let rows = fetch_csv(&app, &app.client, &export).await;
    assert_eq!(rows[0], CUSTOMER_HEADER);
    let data = &rows[1..];
    assert_eq!(data.len(), 6);
    let exported_names: Vec<&str> = data.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        exported_names,
        [
            "'=HYPERLINK(\"http://evil.example\",\"click\")",
            "'+1",
            "Ölçü Danışmanlık",
            "Comma, Inc.",
            "The \"Quoted\" Co",
            "Two\nLines Ltd",
        ]
    );
    for row in data {
        assert_eq!(row.len(), CUSTOMER_HEADER.len());
        assert_eq!(row[5], "Straße 1\nHof 2");
        assert_eq!(row[6], "Köln");
        assert_eq!(row[9], "DE");
        assert_eq!(row[16], "EUR");
        assert_eq!(row[17], "multi\nline, \"note\"");
        assert_eq!(row[18], "false", "no_reminders");
        assert!(row[19].ends_with('Z'), "RFC 3339 UTC: {}", row[19]);
    }
}

#[tokio::test]
async fn an_export_of_services_keeps_decimals_as_written() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    app.post(&app.client, "/v1/services")
        .json(&json!({"name": "Consulting", "unit_price": "150.50", "tax_rate": "9.975", "unit": "hour", "currency": "CAD"}))
        .send()
        .await
        .expect("service");
    let export = export(&app, &app.client, "services").await;
    let rows = fetch_csv(&app, &app.client, &export).await;
    assert_eq!(
        rows[0],
        [
            "id",
            "name",
            "description",
            "unit_price",
            "unit",
            "tax_rate",
            "currency",
            "active",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        &rows[1][1..8],
        ["Consulting", "", "150.50", "hour", "9.975", "CAD", "true"]
    );
}

#[tokio::test]
async fn an_export_is_stored_under_its_tenant_encrypted_and_readable_only_by_it() {
    let app = spawn_app().await;
    let ann = app.signup(&app.client).await;
    app.post(&app.client, "/v1/customers")
        .json(&json!({"name": "Ann's client"}))
        .send()
        .await
        .expect("customer");
    let export = export(&app, &app.client, "customers").await;
    let id = export["id"].as_str().expect("id");

    let s3 = app.stack.raw_s3();
    let listed = s3
        .list_objects_v2()
        .bucket(&app.stack.stack.config.export_bucket)
        .send()
        .await
        .expect("list");
    let keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    let tenant = ann.body["account"]["id"].as_str().expect("tenant");
    assert_eq!(keys, [format!("exports/{tenant}/{id}.csv")]);
    let head = s3
        .head_object()
        .bucket(&app.stack.stack.config.export_bucket)
        .key(&keys[0])
        .send()
        .await
        .expect("head");
    assert_eq!(
        head.server_side_encryption().map(|e| e.as_str()),
        Some("aws:kms")
    );

    let again = app
        .client
        .get(app.url(&format!("/v1/exports/{id}")))
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["rows"], 1);
    assert!(again["url"].as_str().is_some());

    let bob = app.new_client();
    app.signup(&bob).await;
    let refused = bob
        .get(app.url(&format!("/v1/exports/{id}")))
        .send()
        .await
        .expect("get");
    assert_eq!(refused.status(), 404);
    let bobs: Value = bob
        .get(app.url("/v1/exports"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(bobs["data"], json!([]));
    let bobs_export = self::export(&app, &bob, "customers").await;
    assert_eq!(bobs_export["rows"], 0);
    let rows = fetch_csv(&app, &bob, &bobs_export).await;
    assert_eq!(rows.len(), 1, "header only: no row of Ann's");
}

#[tokio::test]
async fn an_unknown_dataset_is_refused_by_name() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let response = app
        .post(&app.client, "/v1/exports")
        .json(&json!({"dataset": "invoices_and_secrets"}))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "dataset");
}

#[tokio::test]
async fn documents_export_one_row_each_and_invoice_lines_one_row_per_line() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer = app
        .post(&app.client, "/v1/customers")
        .json(&json!({"name": "Kunde Ölçü"}))
        .send()
        .await
        .expect("customer");
    let customer: Value = customer.json().await.expect("json");
    let customer_id = customer["id"].as_str().expect("id");
    let invoice = app
        .post(&app.client, "/v1/invoices")
        .json(&json!({
            "customer_id": customer_id,
            "issue_date": "2026-11-25",
            "lines": [
                {"description": "=SUM(A1:A9)", "quantity": "2", "unit_price": "10.00", "tax_rate": "19"},
                {"description": "Printing", "quantity": "1.5", "unit_price": "3.333", "tax_rate": "7"},
            ],
        }))
        .send()
        .await
        .expect("invoice");
    let invoice: Value = invoice.json().await.expect("json");
    let invoice_id = invoice["id"].as_str().expect("id");
    let issued = app
        .post(&app.client, &format!("/v1/invoices/{invoice_id}/issue"))
        .send()
        .await
        .expect("issue");
    assert_eq!(issued.status(), 200);
    let proposal = app
        .post(&app.client, "/v1/proposals")
        .json(&json!({"customer_id": customer_id, "issue_date": "2026-11-25",
            "lines": [{"description": "Audit", "quantity": "1", "unit_price": "500", "tax_rate": "19"}]}))
        .send()
        .await
        .expect("proposal");
    let proposal: Value = proposal.json().await.expect("json");

    let invoices = export(&app, &app.client, "invoices").await;
    let rows = fetch_csv(&app, &app.client, &invoices).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let header = &rows[0];
    let cell = |row: &Vec<String>, name: &str| {
        row[header.iter().position(|h| h == name).expect(name)].clone()
    };
    assert_eq!(cell(&rows[1], "id"), invoice_id);
    assert_eq!(cell(&rows[1], "number"), "INV-2026-0001");
    assert_eq!(cell(&rows[1], "status"), "issued");
    assert_eq!(cell(&rows[1], "customer_name"), "Kunde Ölçü");
    assert_eq!(
        cell(&rows[1], "total"),
        invoice["total"].as_str().expect("total")
    );
    assert_eq!(
        cell(&rows[1], "amount_due"),
        invoice["total"].as_str().expect("total")
    );

    let lines = export(&app, &app.client, "invoice_lines").await;
    let rows = fetch_csv(&app, &app.client, &lines).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    let header = &rows[0];
    let cell = |row: &Vec<String>, name: &str| {
        row[header.iter().position(|h| h == name).expect(name)].clone()
    };
    assert_eq!(cell(&rows[1], "invoice_number"), "INV-2026-0001");
    assert_eq!(cell(&rows[1], "line"), "1");
    assert_eq!(cell(&rows[1], "description"), "'=SUM(A1:A9)", "neutralised");
    assert_eq!(cell(&rows[1], "net"), "20.00");
    assert_eq!(cell(&rows[2], "quantity"), "1.5");
    assert_eq!(cell(&rows[2], "unit_price"), "3.333");
    assert_eq!(cell(&rows[2], "net"), "5.00");

    let proposals = export(&app, &app.client, "proposals").await;
    let rows = fetch_csv(&app, &app.client, &proposals).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], proposal["id"].as_str().expect("id"));
    assert!(rows[1].contains(&"draft".to_owned()));
    assert!(rows[1].contains(&"595.00".to_owned()));
}

/// The complete export made and downloaded by `client` (its password confirmed), unpacked by
/// Python's `zipfile` into a new folder under the temporary directory: the folder.
pub(crate) async fn export_account_to_folder(app: &TestApp, client: &Client) -> std::path::PathBuf {
    let made = export(app, client, "account").await;
    let bytes = download(app, client, &made).await;
    let folder = std::env::temp_dir().join(format!("account-{}", ulid::Ulid::generate()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let zip = folder.join("export.zip");
    std::fs::write(&zip, bytes).expect("write the zip");
    let unpacked = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
        ])
        .arg(&zip)
        .arg(&folder)
        .status()
        .expect("python3");
    assert!(unpacked.success());
    folder
}

/// The contents of a ZIP as Python's standard `zipfile` reads it (after its own integrity
/// check of every member): file name → text (a PDF's bytes as Latin-1, one char a byte).
fn unzip_with_python(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let path = std::env::temp_dir().join(format!("account-{}.zip", ulid::Ulid::generate()));
    std::fs::write(&path, bytes).expect("write the zip");
    let script = "import json, sys, zipfile\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        bad = z.testzip()\n\
        assert bad is None, bad\n\
        print(json.dumps({n: z.read(n).decode('latin-1' if n.endswith('.pdf') else 'utf-8') for n in z.namelist()}))";
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3");
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

#[tokio::test]
async fn the_account_export_is_one_zip_that_holds_every_record() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let created = |path: &'static str, body: Value| {
        let app = &app;
        async move {
            let response = app
                .post(&app.client, path)
                .json(&body)
                .send()
                .await
                .expect("create");
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            response.json::<Value>().await.expect("json")
        }
    };
    let customer = created(
        "/v1/customers",
        json!({"name": "=HYPERLINK(\"http://evil\")", "email": "k@kunde.example"}),
    )
    .await;
    let customer_id = customer["id"].as_str().expect("id").to_owned();
    let service = created(
        "/v1/services",
        json!({"name": "Consulting hour", "unit_price": "120.00", "tax_rate": "19"}),
    )
    .await;
    let proposal = created(
        "/v1/proposals",
        json!({"customer_id": customer_id, "lines": [{"service_id": service["id"], "quantity": "2"}]}),
    )
    .await;
    let invoice = created(
        "/v1/invoices",
        json!({"customer_id": customer_id, "lines": [
            {"description": "Design", "quantity": "1", "unit_price": "100.00", "tax_rate": "0"},
            {"description": "Print", "quantity": "2", "unit_price": "5.00", "tax_rate": "0"},
        ]}),
    )
    .await;
    let invoice_id = invoice["id"].as_str().expect("id").to_owned();
    let issue = app
        .post(&app.client, &format!("/v1/invoices/{invoice_id}/issue"))
        .send()
        .await
        .expect("issue");
    assert_eq!(issue.status(), 200);
    let today = app.state().clock.now().to_string()[..10].to_owned();
    let payment = app
        .post(&app.client, &format!("/v1/invoices/{invoice_id}/payments"))
        .json(&json!({"amount": "50", "date": today, "method": "cash", "reference": "Till 7"}))
        .send()
        .await
        .expect("pay");
    assert_eq!(payment.status(), 201);
    let payment: Value = payment.json().await.expect("json");
    let note = app
        .post(
            &app.client,
            &format!("/v1/invoices/{invoice_id}/credit-notes"),
        )
        .json(&json!({"lines": [{"line": 1}]}))
        .send()
        .await
        .expect("credit");
    assert_eq!(note.status(), 201);
    let note: Value = note.json().await.expect("json");
    // The invoice's PDF, once downloaded, is kept and exported as it was sent.
    let pdf = app
        .client
        .get(app.url(&format!("/v1/invoices/{invoice_id}/pdf")))
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), 200);
    let pdf = pdf.bytes().await.expect("pdf");

    // Without the password confirmed in the last five minutes, no complete export.
    let refused = app
        .post(&app.client, "/v1/exports")
        .json(&json!({"dataset": "account"}))
        .send()
        .await
        .expect("export");
    assert_eq!(refused.status(), 403);
    let problem: Value = refused.json().await.expect("problem");
    assert!(
        problem["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("reauthentication-required")),
        "{problem}"
    );
    app.reauthenticate(&app.client).await;
    let export = export(&app, &app.client, "account").await;
    assert_eq!(export["dataset"], "account");
    let bytes = download(&app, &app.client, &export).await;
    let files = unzip_with_python(&bytes);
    // Both downloads are entries in the owner's trail, written before the file was released.
    let entries = app.audit_entries().await;
    let has = |action: &str, object: &str| {
        entries
            .iter()
            .any(|entry| entry["action"] == action && entry["object"] == object)
    };
    assert!(has("invoice.pdf", &invoice_id), "{entries:?}");
    assert!(
        has("export.download", export["id"].as_str().expect("id")),
        "{entries:?}"
    );
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "README.txt",
            "account.json",
            "audit.csv",
            "audit/checkpoints.jsonl",
            "audit/public-key.pem",
            "audit/trail.jsonl",
            "audit/verify.py",
            "credit_notes.csv",
            "customers.csv",
            format!("documents/{invoice_id}.pdf").as_str(),
            "invoice_lines.csv",
            "invoices.csv",
            "payments.csv",
            "proposals.csv",
            "recurring_invoices.csv",
            "reminders.csv",
            "services.csv",
        ]
    );
    assert!(files["README.txt"].contains("payments.csv"));
    assert!(files["README.txt"].contains("python3 audit/verify.py audit"));
    assert_eq!(files["audit/verify.py"], invoiceflow::export::VERIFY_SCRIPT);
    let lines = files["audit/trail.jsonl"].lines().count();
    assert_eq!(
        lines + 1,
        files["audit.csv"].lines().count(),
        "every entry of the trail, as signed (the CSV has a header)"
    );
    let latin1: String = pdf.iter().map(|&b| char::from(b)).collect();
    assert!(
        files[&format!("documents/{invoice_id}.pdf")] == latin1,
        "the exported PDF is the one that was downloaded"
    );
    let about: Value = serde_json::from_str(&files["account.json"]).expect("account.json");
    assert_eq!(about["company"]["legal_name"], account.company_name);
    assert_eq!(about["users"][0]["email"], account.email);
    assert!(about["settings"]["time_zone"].is_string());
    assert!(
        !files["account.json"].contains("$2") && !files["account.json"].contains("password"),
        "no password hash: {}",
        files["account.json"]
    );
    let holds = |file: &str, needle: &str| {
        assert!(
            files[file].contains(needle),
            "{file} lacks {needle}:\n{}",
            files[file]
        );
    };
    holds("customers.csv", &customer_id);
    holds("customers.csv", "'=HYPERLINK");
    holds("services.csv", service["id"].as_str().expect("id"));
    holds("proposals.csv", proposal["id"].as_str().expect("id"));
    holds("invoices.csv", &invoice_id);
    assert_eq!(files["invoice_lines.csv"].matches(&invoice_id).count(), 2);
    holds("credit_notes.csv", note["id"].as_str().expect("id"));
    holds("payments.csv", payment["id"].as_str().expect("id"));
    holds("payments.csv", "Till 7");
    holds("audit.csv", "payment.create");
    holds("audit.csv", "credit_note.create");
}

fn tenant_of(account: &invoiceflow_tests::Account) -> String {
    account.body["account"]["id"]
        .as_str()
        .expect("account id")
        .trim_start_matches("acc_")
        .to_owned()
}

/// Every object key under the tenant's export prefix.
async fn export_objects(app: &TestApp, tenant: &str) -> Vec<String> {
    app.stack
        .raw_s3()
        .list_objects_v2()
        .bucket(&app.stack.stack.config.export_bucket)
        .prefix(format!("exports/acc_{tenant}/"))
        .send()
        .await
        .expect("list objects")
        .contents
        .unwrap_or_default()
        .into_iter()
        .filter_map(|object| object.key)
        .collect()
}

#[tokio::test]
async fn a_logged_out_session_leaves_no_export_file() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    app.add_customer("Kept Private GmbH").await;
    let token = account.token.clone();
    app.post(&app.client, "/v1/auth/logout")
        .send()
        .await
        .expect("logout");
    let response = app
        .post(&reqwest::Client::new(), "/v1/exports")
        .header("cookie", format!("__Host-session={token}"))
        .json(&json!({"dataset": "customers"}))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 401);
    assert_eq!(
        export_objects(&app, &tenant_of(&account)).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn an_export_whose_record_cannot_be_written_leaves_no_file() {
    // Each AWS answer held back 300 ms, so the logout below lands while the export streams:
    // its file is written, then its transaction fails on the ended session.
    let app = spawn_interleaving_app(Duration::from_millis(300)).await;
    let account = app.signup(&app.client).await;
    app.add_customer("Streamed GmbH").await;
    let token = account.token.clone();
    let export = app
        .post(&reqwest::Client::new(), "/v1/exports")
        .header("cookie", format!("__Host-session={token}"))
        .json(&json!({"dataset": "customers"}))
        .send();
    let logout = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        app.post(&app.client, "/v1/auth/logout")
            .send()
            .await
            .expect("logout")
            .status()
    };
    let (export, logout) = tokio::join!(export, logout);
    assert_eq!(logout, 204);
    assert_eq!(export.expect("export").status(), 401);
    assert_eq!(
        export_objects(&app, &tenant_of(&account)).await,
        Vec::<String>::new()
    );
}

//! Tenant isolation as IAM enforces it (decision 0028): `template.yaml`'s `TenantDataRole`,
//! its trust policy and the keys' statements for it, evaluated offline by the IAM policy
//! simulator (`@cloud-copilot/iam-simulate`, pinned in tests/policy). The emulator enforces no
//! IAM condition, so this is where "tenant A's session reaches A's data and nothing else" is
//! shown: A's items, data key and files are allowed; B's, a longer id that begins with A's, an
//! untagged session, and any `Scan` are denied.

use std::path::PathBuf;

use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const STACK: &str = "invoiceflow";
const TABLE: &str = "arn:aws:dynamodb:eu-west-1:123456789012:table/invoiceflow-Table-1";
const BUCKET: &str = "arn:aws:s3:::invoiceflow-exportbucket-1";
const DATA_KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/tenant-data";
const EXPORT_KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/exports";
const ROLE: &str = "arn:aws:iam::123456789012:role/invoiceflow-TenantDataRole-1";

/// Tenant A's ULID, B's, and an id that begins with A's.
const A: &str = "01JQ8Z5V8R6Y2M3N4P5Q6R7S8T";
const B: &str = "01JQ8Z5V8R6Y2M3N4P5Q6R7S8V";
const A_LONGER: &str = "01JQ8Z5V8R6Y2M3N4P5Q6R7S8TX";

fn template() -> yaml_serde::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    yaml_serde::from_str(&std::fs::read_to_string(path).expect("template.yaml")).expect("yaml")
}

/// What a deployed stack would make of the template's intrinsics, in one made-up account.
fn resolved(value: &yaml_serde::Value) -> Value {
    use yaml_serde::Value as Y;
    match value {
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let argument = tagged.value.as_str().unwrap_or_default();
            match tag.as_str() {
                "!GetAtt" => json!(match argument {
                    "Table.Arn" => TABLE.to_owned(),
                    "ExportBucket.Arn" => BUCKET.to_owned(),
                    "TenantDataRole.Arn" => ROLE.to_owned(),
                    "TenantDataKey.Arn" => DATA_KEY.to_owned(),
                    "ExportKey.Arn" => EXPORT_KEY.to_owned(),
                    role if role.ends_with("Role.Arn") => format!(
                        "arn:aws:iam::{ACCOUNT}:role/{STACK}-{}-1",
                        role.trim_end_matches(".Arn")
                    ),
                    // A queue, a topic: nothing the matrix asks about.
                    other => format!("arn:aws:other:eu-west-1:{ACCOUNT}:{other}"),
                }),
                "!Sub" => json!(
                    argument
                        .replace("${AWS::Partition}", "aws")
                        .replace("${AWS::Region}", "eu-west-1")
                        .replace("${AWS::AccountId}", ACCOUNT)
                        .replace("${AWS::StackName}", STACK)
                        .replace("${ExportBucket.Arn}", BUCKET)
                        .replace("${Table.Arn}", TABLE)
                        // `${!x}` is CloudFormation's way of writing a literal `${x}`.
                        .replace("${!", "${")
                ),
                "!Ref" => json!(format!("{STACK}-{argument}-1")),
                other => panic!("no value for {other} {argument}"),
            }
        }
        Y::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), resolved(v)))
                .collect(),
        ),
        Y::Sequence(list) => Value::Array(list.iter().map(resolved).collect()),
        Y::String(text) => json!(text),
        Y::Bool(b) => json!(b.to_string()),
        Y::Number(n) => json!(n.to_string()),
        Y::Null => Value::Null,
    }
}

/// The policies that decide a request of the tenant role's session.
struct Policies {
    /// The role's own (its inline policy and the files' policy).
    identity: Vec<Value>,
    trust: Value,
    data_key: Value,
    export_key: Value,
}

fn policies() -> Policies {
    let template = template();
    let resource = |name: &str| resolved(&template["Resources"][name]["Properties"]);
    let role = resource("TenantDataRole");
    let mut identity: Vec<Value> = role["Policies"]
        .as_array()
        .expect("the role's policies")
        .iter()
        .map(|p| json!({"name": p["PolicyName"], "policy": p["PolicyDocument"]}))
        .collect();
    let files = resource("TenantDataFilesPolicy");
    identity.push(json!({"name": files["PolicyName"], "policy": files["PolicyDocument"]}));
    Policies {
        identity,
        trust: role["AssumeRolePolicyDocument"].clone(),
        data_key: resource("TenantDataKey")["KeyPolicy"].clone(),
        export_key: resource("ExportKey")["KeyPolicy"].clone(),
    }
}

/// One request of the matrix and the answer it must get.
struct Case {
    what: String,
    simulation: Value,
    allowed: bool,
}

impl Case {
    fn new(what: String, simulation: Value, allowed: bool) -> Self {
        Self {
            what,
            simulation,
            allowed,
        }
    }
}

/// Simulates every case and asserts each got its answer: how many were allowed.
fn check(cases: &[Case]) -> usize {
    let results = simulate(&cases.iter().map(|c| &c.simulation).collect::<Vec<_>>());
    assert_eq!(results.len(), cases.len());
    let wrong: Vec<String> = cases
        .iter()
        .zip(&results)
        .filter(|(case, result)| (result.as_str() == "Allowed") != case.allowed)
        .map(|(case, result)| format!("{}: {result}", case.what))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {}: {wrong:#?}",
        wrong.len(),
        cases.len()
    );
    cases.iter().filter(|c| c.allowed).count()
}

/// The functions that open tenant data (all but the web function and `meta`).
const TENANT_FUNCTIONS: [&str; 15] = [
    "Auth",
    "Account",
    "Customers",
    "Services",
    "Proposals",
    "Invoices",
    "Payments",
    "Documents",
    "Recurring",
    "Exports",
    "Link",
    "Deliveries",
    "Schedules",
    "Webhooks",
    "Purge",
];

/// A request made with a session of the tenant role tagged `tenant` (`None`: untagged).
fn as_session(
    tenant: Option<&str>,
    action: &str,
    resource: &str,
    mut context: serde_json::Map<String, Value>,
    identity: &[Value],
    resource_policy: Option<&Value>,
) -> Value {
    if let Some(tenant) = tenant {
        context.insert("aws:PrincipalTag/tenant".into(), json!(tenant));
    }
    let mut simulation = json!({
        "identityPolicies": identity,
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
        "request": {
            "action": action,
            "principal": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{STACK}-TenantDataRole-1/request"),
            "resource": {"accountId": ACCOUNT, "resource": resource},
            "contextVariables": context,
        },
    });
    if let Some(policy) = resource_policy {
        simulation["resourcePolicy"] = policy.clone();
    }
    simulation
}

fn context(pairs: &[(&str, Value)]) -> serde_json::Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn matrix(policies: &Policies) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut case = |what: String, simulation: Value, allowed: bool| {
        cases.push(Case::new(what, simulation, allowed));
    };
    let identity = &policies.identity;

    // Items: the partition is T#<ULID>.
    for action in [
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ] {
        for (session, partition, allowed) in [
            (Some(A), A, true),
            (Some(A), B, false),
            (Some(A), A_LONGER, false),
            (None, A, false),
        ] {
            let keys = context(&[("dynamodb:LeadingKeys", json!([format!("T#{partition}")]))]);
            case(
                format!("{action} T#{partition} as {session:?}"),
                as_session(session, action, TABLE, keys, identity, None),
                allowed,
            );
        }
    }
    // A transaction's items are all A's, or it is refused.
    let mixed = context(&[(
        "dynamodb:LeadingKeys",
        json!([format!("T#{A}"), format!("T#{B}")]),
    )]);
    case(
        "a write naming A's and B's partitions".into(),
        as_session(
            Some(A),
            "dynamodb:BatchWriteItem",
            TABLE,
            mixed,
            identity,
            None,
        ),
        false,
    );
    // The shared indexes' items a transaction writes beside the tenant's own: written, one
    // item at a time as DynamoDB authorises a transaction's, never read; and nothing else
    // outside the partition.
    for partition in ["EMAIL#00ff", "LINK#00ff", "KEY#00ff"] {
        let keys = || context(&[("dynamodb:LeadingKeys", json!([partition]))]);
        for (action, session, allowed) in [
            ("dynamodb:PutItem", Some(A), true),
            ("dynamodb:DeleteItem", Some(A), true),
            ("dynamodb:ConditionCheckItem", Some(A), true),
            ("dynamodb:GetItem", Some(A), false),
            ("dynamodb:Query", Some(A), false),
            ("dynamodb:PutItem", None, false),
        ] {
            case(
                format!("{action} {partition} as {session:?}"),
                as_session(session, action, TABLE, keys(), identity, None),
                allowed,
            );
        }
    }
    for partition in ["SYSTEM", "ACCOUNTS#all", "T#"] {
        let keys = context(&[("dynamodb:LeadingKeys", json!([partition]))]);
        case(
            format!("PutItem {partition} as A"),
            as_session(Some(A), "dynamodb:PutItem", TABLE, keys, identity, None),
            false,
        );
    }
    for session in [Some(A), None] {
        case(
            format!("Scan as {session:?}"),
            as_session(
                session,
                "dynamodb:Scan",
                TABLE,
                Default::default(),
                identity,
                None,
            ),
            false,
        );
    }

    // The data key: the encryption context names the tenant as acc_<ULID>.
    for action in ["kms:Decrypt", "kms:GenerateDataKey"] {
        for (session, tenant, allowed) in [
            (Some(A), A, true),
            (Some(A), B, false),
            (Some(A), A_LONGER, false),
            (None, A, false),
        ] {
            let wrapped = context(&[
                (
                    "kms:EncryptionContext:tenant",
                    json!(format!("acc_{tenant}")),
                ),
                ("kms:EncryptionContextKeys", json!(["tenant"])),
            ]);
            case(
                format!("{action} of acc_{tenant}'s key as {session:?}"),
                as_session(
                    session,
                    action,
                    DATA_KEY,
                    wrapped,
                    identity,
                    Some(&policies.data_key),
                ),
                allowed,
            );
        }
    }
    // Export files' encryption, only through S3 and only with the tenant's context.
    for (session, tenant, via, allowed) in [
        (Some(A), A, "s3.eu-west-1.amazonaws.com", true),
        (Some(A), B, "s3.eu-west-1.amazonaws.com", false),
        (Some(A), A, "", false),
        (None, A, "s3.eu-west-1.amazonaws.com", false),
    ] {
        let mut wrapped = context(&[(
            "kms:EncryptionContext:tenant",
            json!(format!("acc_{tenant}")),
        )]);
        if !via.is_empty() {
            wrapped.insert("kms:ViaService".into(), json!(via));
        }
        case(
            format!("an export file of acc_{tenant} via {via:?} as {session:?}"),
            as_session(
                session,
                "kms:Decrypt",
                EXPORT_KEY,
                wrapped,
                identity,
                Some(&policies.export_key),
            ),
            allowed,
        );
    }

    // Files: exports/acc_<ULID>/ and documents/acc_<ULID>/.
    for folder in ["exports", "documents"] {
        for action in ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] {
            for (session, tenant, allowed) in [
                (Some(A), A, true),
                (Some(A), B, false),
                (Some(A), A_LONGER, false),
                (None, A, false),
            ] {
                let object = format!("{BUCKET}/{folder}/acc_{tenant}/file.pdf");
                case(
                    format!("{action} {folder}/acc_{tenant}/ as {session:?}"),
                    as_session(session, action, &object, Default::default(), identity, None),
                    allowed,
                );
            }
        }
        for (session, tenant, allowed) in
            [(Some(A), A, true), (Some(A), B, false), (None, A, false)]
        {
            let prefix = context(&[("s3:prefix", json!(format!("{folder}/acc_{tenant}/")))]);
            case(
                format!("list {folder}/acc_{tenant}/ as {session:?}"),
                as_session(session, "s3:ListBucket", BUCKET, prefix, identity, None),
                allowed,
            );
        }
    }
    case(
        "list the whole bucket".into(),
        as_session(
            Some(A),
            "s3:ListBucket",
            BUCKET,
            context(&[("s3:prefix", json!(""))]),
            identity,
            None,
        ),
        false,
    );

    // Who may take the role: a function of the stack, for one tenant, with no other tag.
    let assume = |principal: &str, tags: Value, tag_keys: Value| {
        let mut context = serde_json::Map::new();
        if let Value::Object(tags) = &tags {
            for (key, value) in tags {
                context.insert(format!("aws:RequestTag/{key}"), value.clone());
            }
        }
        context.insert("aws:TagKeys".into(), tag_keys);
        context.insert("aws:PrincipalArn".into(), json!(principal));
        json!({
            "identityPolicies": [{"name": "function", "policy": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": ROLE}],
            }}],
            "serviceControlPolicies": [],
            "resourceControlPolicies": [],
            "resourcePolicy": policies.trust,
            "request": {
                "action": "sts:TagSession",
                "principal": principal,
                "resource": {"accountId": ACCOUNT, "resource": ROLE},
                "contextVariables": context,
            },
        })
    };
    let function = |name: &str| format!("arn:aws:iam::{ACCOUNT}:role/{STACK}-{name}FunctionRole-1");
    for (who, principal, tags, allowed) in [
        (
            "the invoices function, for A",
            function("Invoices"),
            json!({"tenant": A}),
            true,
        ),
        (
            "the purge, for A",
            function("Purge"),
            json!({"tenant": A}),
            true,
        ),
        (
            "the web function",
            function("Web"),
            json!({"tenant": A}),
            false,
        ),
        (
            "a role of another stack",
            format!("arn:aws:iam::{ACCOUNT}:role/other-InvoicesFunctionRole-1"),
            json!({"tenant": A}),
            false,
        ),
        (
            "a function, for a longer id",
            function("Invoices"),
            json!({"tenant": A_LONGER}),
            false,
        ),
        (
            "a function, untagged",
            function("Invoices"),
            json!({}),
            false,
        ),
        (
            "a function, with another tag too",
            function("Invoices"),
            json!({"tenant": A, "admin": "yes"}),
            false,
        ),
    ] {
        let keys: Vec<&String> = tags
            .as_object()
            .map(|t| t.keys().collect())
            .unwrap_or_default();
        case(
            format!("{who} tags a session"),
            assume(&principal, tags.clone(), json!(keys)),
            allowed,
        );
    }
    cases
}

/// The simulator (0.1.173) recognises a condition key with a variable part only in the
/// `prefix/name` form (`aws:PrincipalTag/tenant`), so it ignores `kms:EncryptionContext:tenant`
/// and every statement that tests it fails as if the key were missing. Both the key policies
/// and the requests are given to it with that key renamed to a global key it does read; the
/// operator, the value and the policy variable are evaluated unchanged.
const CONTEXT_KEY: &str = "kms:EncryptionContext:tenant";
const CONTEXT_STAND_IN: &str = "aws:RequestTag/encryption-context-tenant";

/// The simulator's overall result for each simulation.
fn simulate(simulations: &[&Value]) -> Vec<String> {
    let simulations: Vec<Value> = simulations
        .iter()
        .map(|simulation| {
            serde_json::from_str(
                &simulation
                    .to_string()
                    .replace(CONTEXT_KEY, CONTEXT_STAND_IN),
            )
            .expect("json")
        })
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policy");
    assert!(
        dir.join("node_modules/@cloud-copilot/iam-simulate")
            .exists(),
        "the simulator is missing: run make browser"
    );
    let mut child = std::process::Command::new("node")
        .arg("simulate.mjs")
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(&serde_json::to_vec(&simulations).expect("json"))
            .expect("write");
    }
    let output = child.wait_with_output().expect("the simulator");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("results")
}

#[test]
fn a_tenant_s_session_reaches_its_own_items_keys_and_files_and_nothing_else() {
    let policies = policies();
    let cases = matrix(&policies);
    let allowed = check(&cases);
    // The whole matrix ran: 27 requests allowed, 67 denied.
    assert_eq!((allowed, cases.len() - allowed), (27, 67));
}

/// Every function that opens a tenant's records may take the role for its tenant, and every
/// function is told which role that is.
#[test]
fn the_functions_that_reach_tenant_data_may_take_the_tenant_role() {
    let template = template();
    let resources = &template["Resources"];
    let environment = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        resolved(&environment["TENANT_ROLE_ARN"]),
        json!(ROLE),
        "every function knows the role"
    );
    let assume = resolved(&resources["AssumeTenantDataPolicy"]["Properties"]["PolicyDocument"]);
    assert_eq!(
        assume["Statement"][0]["Action"],
        json!(["sts:AssumeRole", "sts:TagSession"])
    );
    assert_eq!(assume["Statement"][0]["Resource"], json!(ROLE));
    for function in TENANT_FUNCTIONS {
        let policies = format!(
            "{:?}",
            resources[format!("{function}Function").as_str()]["Properties"]["Policies"]
        );
        assert!(
            policies.contains("AssumeTenantDataPolicy"),
            "{function} cannot take its tenant's role"
        );
    }
    for function in ["Web", "Meta"] {
        let policies = format!(
            "{:?}",
            resources[format!("{function}Function").as_str()]["Properties"]["Policies"]
        );
        assert!(!policies.contains("AssumeTenantDataPolicy"), "{function}");
    }
}

/// A function role's own policies, its inline ones and the template's managed ones it names.
fn function_policies(template: &yaml_serde::Value, function: &str) -> Vec<Value> {
    let resources = &template["Resources"];
    resources[format!("{function}Function").as_str()]["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(n, policy)| match policy {
            yaml_serde::Value::Tagged(tagged) => {
                let name = tagged.value.as_str().expect("a managed policy's name");
                json!({"name": name, "policy": resolved(&resources[name]["Properties"]["PolicyDocument"])})
            }
            inline => json!({"name": format!("inline{n}"), "policy": resolved(inline)}),
        })
        .collect()
}

/// Issue 27: no function role reaches a tenant's items, data key or files with its own
/// credentials, only the shared indexes' items by key. Every function's own policies (and the
/// keys' policies) given to the simulator: each function is denied A's partition, A's data key
/// and A's files; each behind the API may read the API keys' index, only the link function the
/// links', only the auth function the e-mail index.
#[test]
fn no_function_role_reaches_a_tenant_s_data_with_its_own_credentials() {
    let template = template();
    let policies = policies();
    let mut cases = Vec::new();
    for function in TENANT_FUNCTIONS.iter().chain(&["Web", "Meta"]) {
        let function = *function;
        let identity = function_policies(&template, function);
        let principal =
            format!("arn:aws:sts::{ACCOUNT}:assumed-role/{STACK}-{function}FunctionRole-1/request");
        let request =
            |action: &str, resource: &str, context: Value, resource_policy: Option<&Value>| {
                let mut simulation = json!({
                    "identityPolicies": identity,
                    "serviceControlPolicies": [],
                    "resourceControlPolicies": [],
                    "request": {
                        "action": action,
                        "principal": principal,
                        "resource": {"accountId": ACCOUNT, "resource": resource},
                        "contextVariables": context,
                    },
                });
                if let Some(policy) = resource_policy {
                    simulation["resourcePolicy"] = policy.clone();
                }
                simulation
            };
        let checks_api_keys = ![
            "Web",
            "Meta",
            "Purge",
            "Schedules",
            "Webhooks",
            "Deliveries",
            "Link",
        ]
        .contains(&function);
        let passes = ["Purge", "Schedules", "Webhooks"].contains(&function);
        for action in [
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ] {
            cases.push(Case::new(
                format!("{function}: {action} T#A"),
                request(
                    action,
                    TABLE,
                    json!({"dynamodb:LeadingKeys": [format!("T#{A}")]}),
                    None,
                ),
                false,
            ));
        }
        cases.push(Case::new(
            format!("{function}: Query the due index"),
            request(
                "dynamodb:Query",
                &format!("{TABLE}/index/GSI1"),
                json!({"dynamodb:LeadingKeys": ["RECUR"]}),
                None,
            ),
            passes,
        ));
        // Each shared index, read by key: only by the functions that need it.
        for (partition, allowed) in [
            ("KEY#00ff", checks_api_keys),
            ("LINK#00ff", function == "Link"),
            ("EMAIL#00ff", function == "Auth"),
        ] {
            cases.push(Case::new(
                format!("{function}: GetItem {partition}"),
                request(
                    "dynamodb:GetItem",
                    TABLE,
                    json!({"dynamodb:LeadingKeys": [partition]}),
                    None,
                ),
                allowed,
            ));
        }
        for action in ["kms:Decrypt", "kms:GenerateDataKey"] {
            cases.push(Case::new(
                format!("{function}: {action} of A's data key"),
                request(
                    action,
                    DATA_KEY,
                    json!({CONTEXT_KEY: format!("acc_{A}"), "kms:EncryptionContextKeys": ["tenant"]}),
                    Some(&policies.data_key),
                ),
                false,
            ));
        }
        cases.push(Case::new(
            format!("{function}: an export file of A through S3"),
            request(
                "kms:Decrypt",
                EXPORT_KEY,
                json!({CONTEXT_KEY: format!("acc_{A}"), "kms:ViaService": "s3.eu-west-1.amazonaws.com"}),
                Some(&policies.export_key),
            ),
            false,
        ));
        for object in ["exports", "documents"] {
            cases.push(Case::new(
                format!("{function}: GetObject {object}/acc_A/"),
                request(
                    "s3:GetObject",
                    &format!("{BUCKET}/{object}/acc_{A}/file.pdf"),
                    json!({}),
                    None,
                ),
                false,
            ));
        }
    }
    let allowed = check(&cases);
    // 17 functions, 13 requests each: 10 may read the API keys' index, 1 the links', 1 the
    // e-mail index, 3 may query the due index.
    assert_eq!((allowed, cases.len()), (15, 17 * 13));
}

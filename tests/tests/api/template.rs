//! template.yaml and the code agree: every function is deployed, every documented route is
//! routed to a function, and no policy reaches beyond what the functions do.

use std::collections::BTreeSet;
use std::path::PathBuf;

use invoiceflow_infra::template::Template;

fn function_crates() -> BTreeSet<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../functions");
    std::fs::read_dir(dir)
        .expect("functions/")
        .map(|entry| entry.expect("entry"))
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_function_is_linked_non_pie_by_the_shared_build_script() {
    // A function without it would start measurably slower (decision 0005), and nothing else
    // would say so.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../functions");
    for name in function_crates() {
        let manifest =
            std::fs::read_to_string(dir.join(&name).join("Cargo.toml")).expect("Cargo.toml");
        assert!(
            manifest
                .lines()
                .any(|line| line.trim() == r#"build = "../../infra/link.rs""#),
            "functions/{name}/Cargo.toml has no `build = \"../../infra/link.rs\"`"
        );
    }
}

#[test]
fn the_registry_the_crates_and_the_template_name_the_same_functions() {
    let functions = Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions");
    let deployed: BTreeSet<String> = functions.iter().map(|f| f.binary.clone()).collect();
    // The functions behind the API, the web app, documents' pages, and the scheduled purge.
    let registered: BTreeSet<String> = invoiceflow::http::functions::FUNCTIONS
        .iter()
        .map(|f| f.name.to_owned())
        .chain([
            invoiceflow::web::FUNCTION.to_owned(),
            invoiceflow::link::FUNCTION.to_owned(),
            invoiceflow::deliveries::FUNCTION.to_owned(),
            invoiceflow::purge::FUNCTION.to_owned(),
            invoiceflow::schedules::FUNCTION.to_owned(),
            invoiceflow::webhooks::FUNCTION.to_owned(),
        ])
        .collect();
    assert_eq!(deployed, function_crates());
    assert_eq!(registered, function_crates());
}

#[test]
fn each_function_is_routed_exactly_its_registered_routes() {
    let functions = Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions");
    for function in invoiceflow::http::functions::FUNCTIONS {
        let documented = invoiceflow_tests::documented_routes(function);
        let deployed = functions
            .iter()
            .find(|f| f.binary == function.name)
            .unwrap_or_else(|| panic!("{} is not in the template", function.name));
        let routed: BTreeSet<(String, String)> = deployed
            .routes
            .iter()
            .map(|(method, path)| (method.to_uppercase(), path.clone()))
            .collect();
        assert_eq!(routed, documented, "{}", function.name);
    }
}

#[test]
fn every_documented_route_is_routed_to_a_function_and_nothing_else_is() {
    let functions = Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions");
    let routed: BTreeSet<(String, String)> = functions
        .iter()
        .filter(|f| {
            f.binary != invoiceflow::web::FUNCTION && f.binary != invoiceflow::link::FUNCTION
        })
        .flat_map(|f| f.routes.iter().cloned())
        .map(|(method, path)| (method.to_uppercase(), path))
        .collect();
    let document = invoiceflow::http::openapi::document();
    let documented: BTreeSet<(String, String)> = document
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            let value = serde_json::to_value(item).expect("path item");
            let methods: Vec<String> = value
                .as_object()
                .map(|o| {
                    o.keys()
                        .filter(|k| k.as_str() != "parameters")
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            methods
                .into_iter()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    assert_eq!(routed, documented);
}

/// The web app takes every path the API does not route, and, reaching data only through the
/// API, may do nothing in AWS itself: no table, no bucket, no data key. Its one right is to
/// derive, from the client-forwarding key, the MAC it vouches for its browsers with.
#[test]
fn the_web_function_serves_every_other_path_and_holds_no_right() {
    let functions = Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions");
    let web = functions
        .iter()
        .find(|f| f.binary == invoiceflow::web::FUNCTION)
        .expect("the web function");
    let routes: BTreeSet<(String, String)> = web
        .routes
        .iter()
        .map(|(method, path)| (method.to_uppercase(), path.clone()))
        .collect();
    assert_eq!(
        routes,
        BTreeSet::from([
            ("GET".to_owned(), "/".to_owned()),
            ("ANY".to_owned(), "/{proxy+}".to_owned()),
        ])
    );
    assert!(web.actions.is_empty(), "the web role may {:?}", web.actions);
    let template =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template.yaml"))
            .expect("template.yaml");
    let forwarding = template
        .split_once("\n  ClientForwardingKey:\n")
        .and_then(|(_, rest)| rest.split_once("\n  ClientForwardingKeyAlias:\n"))
        .map(|(key, _)| key)
        .expect("the client-forwarding key");
    assert_eq!(
        template.matches("!GetAtt WebFunctionRole").count(),
        1,
        "a policy other than the forwarding key's names the web function's role"
    );
    let statement = forwarding
        .split("- Sid: ")
        .find(|statement| statement.contains("WebFunctionRole"))
        .expect("the forwarding key's policy names the web function's role");
    let actions: Vec<&str> = statement
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Action: "))
        .collect();
    assert_eq!(actions, ["kms:GenerateMac"], "{statement}");
    assert!(
        !statement.contains("- kms:"),
        "one action only: {statement}"
    );
}

#[test]
fn no_function_may_scan_or_act_on_everything() {
    for function in Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions")
    {
        assert!(
            !function.any_resource,
            "{} allows Resource *",
            function.logical_id
        );
        for action in &function.actions {
            assert!(
                !action.contains('*'),
                "{} allows {action}",
                function.logical_id
            );
            assert_ne!(action, "dynamodb:Scan", "{} may scan", function.logical_id);
        }
    }
}

/// Actions that use a key's material: whoever has one of these can read or mint something.
const USE_ACTIONS: &[&str] = &[
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateMac",
    "kms:Sign",
    "kms:CreateGrant",
];

const ROOT: &str = "Sub:arn:${AWS::Partition}:iam::${AWS::AccountId}:root";

fn role(function: &str) -> String {
    format!("GetAtt:{function}FunctionRole.Arn")
}

fn roles(functions: &[&str]) -> Vec<String> {
    functions.iter().map(|f| role(f)).collect()
}

fn statement<'a>(
    statements: &'a [invoiceflow_infra::template::KeyStatement],
    sid: &str,
) -> &'a invoiceflow_infra::template::KeyStatement {
    statements
        .iter()
        .find(|s| s.sid == sid)
        .unwrap_or_else(|| panic!("no statement {sid}"))
}

/// The statement of every key that lets the break-glass role, and no one else, change it.
const BREAK_GLASS: &str = "OnlyBreakGlassChangesThePolicyOrGrantsUse";

/// Every key: exactly the statements named (and the break-glass role's), all Allow, no
/// wildcard action; the account's administrators manage it but hold no action that uses it,
/// nor one that changes its policy.
fn check_key(key: &str, sids: &[&str]) -> Vec<invoiceflow_infra::template::KeyStatement> {
    let statements = Template::embedded()
        .and_then(|t| t.key_policy(key))
        .expect("key policy");
    let found: Vec<&str> = statements
        .iter()
        .map(|s| s.sid.as_str())
        .filter(|sid| *sid != BREAK_GLASS)
        .collect();
    assert_eq!(found, sids, "{key}'s statements");
    let break_glass = statement(&statements, BREAK_GLASS);
    assert_eq!(
        break_glass.principals,
        ["GetAtt:BreakGlassRole.Arn"],
        "{key}"
    );
    assert_eq!(
        break_glass.actions,
        ["kms:PutKeyPolicy", "kms:CreateGrant"],
        "{key}"
    );
    for s in &statements {
        assert_eq!(s.effect, "Allow", "{key} {}", s.sid);
        for action in &s.actions {
            assert!(!action.contains('*'), "{key} {} allows {action}", s.sid);
        }
    }
    let admin = statement(&statements, "AdministratorsManageButCannotUse");
    assert_eq!(admin.principals, [ROOT], "{key}");
    for action in &admin.actions {
        assert!(
            !USE_ACTIONS.contains(&action.as_str()) && action != "kms:PutKeyPolicy",
            "{key}: administrators may {action}"
        );
    }
    // Only the administrators' statement names the account itself.
    for s in statements.iter().filter(|s| s.sid != admin.sid) {
        assert!(!s.principals.iter().any(|p| p == ROOT), "{key} {}", s.sid);
    }
    statements
}

#[test]
fn tenant_data_keys_are_used_only_by_a_tenant_s_session_and_the_service_key_only_by_auth() {
    let statements = check_key(
        "TenantDataKey",
        &[
            "AdministratorsManageButCannotUse",
            "ServiceMacKey",
            "OneTenantsDataKey",
        ],
    );
    // A tenant's session (decision 0028) uses only its own tenant's key: the simulator's
    // matrix (tenant_policy.rs) evaluates the condition. No function role may use a tenant's.
    let one = statement(&statements, "OneTenantsDataKey");
    assert_eq!(one.principals, ["GetAtt:TenantDataRole.Arn"]);
    assert_eq!(one.actions, ["kms:GenerateDataKey", "kms:Decrypt"]);
    assert_eq!(
        one.condition.as_ref(),
        Some(&serde_json::json!({
            "StringEquals": {"kms:EncryptionContext:tenant": "acc_${aws:PrincipalTag/tenant}"},
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant"]},
        }))
    );
    let service = statement(&statements, "ServiceMacKey");
    assert_eq!(service.principals, roles(&["Auth"]));
    assert_eq!(service.actions, ["kms:GenerateDataKey", "kms:Decrypt"]);
    assert_eq!(
        service.condition.as_ref(),
        Some(&serde_json::json!({
            "StringEquals": {"kms:EncryptionContext:purpose": "email-index"},
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["purpose"]},
        }))
    );
}

#[test]
fn only_the_auth_role_may_sign_sessions() {
    let statements = check_key(
        "SessionSigningKey",
        &[
            "AdministratorsManageButCannotUse",
            "SignSessions",
            "ReadThePublicKey",
        ],
    );
    let sign = statement(&statements, "SignSessions");
    assert_eq!(sign.principals, roles(&["Auth"]));
    assert_eq!(sign.actions, ["kms:Sign"]);
    let public = statement(&statements, "ReadThePublicKey");
    assert_eq!(public.actions, ["kms:GetPublicKey"]);
    for s in &statements {
        let signs = s.actions.iter().any(|a| a == "kms:Sign");
        assert_eq!(signs, s.sid == "SignSessions", "{}", s.sid);
    }
}

#[test]
fn only_the_schedules_role_signs_the_trail_and_the_readers_read_its_public_key() {
    let statements = check_key(
        "AuditSigningKey",
        &[
            "AdministratorsManageButCannotUse",
            "SignCheckpoints",
            "ReadThePublicKey",
        ],
    );
    let sign = statement(&statements, "SignCheckpoints");
    assert_eq!(sign.principals, roles(&["Schedules"]));
    assert_eq!(sign.actions, ["kms:Sign"]);
    let public = statement(&statements, "ReadThePublicKey");
    assert_eq!(
        public.principals,
        roles(&["Schedules", "Account", "Exports"])
    );
    assert_eq!(public.actions, ["kms:GetPublicKey"]);
    for s in &statements {
        let signs = s.actions.iter().any(|a| a == "kms:Sign");
        assert_eq!(signs, s.sid == "SignCheckpoints", "{}", s.sid);
    }
}

#[test]
fn only_the_web_app_and_the_api_derive_the_key_that_vouches_for_a_browser() {
    let statements = check_key(
        "ClientForwardingKey",
        &[
            "AdministratorsManageButCannotUse",
            "WebAndApiDeriveTheirMacKey",
        ],
    );
    let derive = statement(&statements, "WebAndApiDeriveTheirMacKey");
    assert_eq!(derive.actions, ["kms:GenerateMac"]);
    let mut expected = vec!["GetAtt:WebFunctionRole.Arn".to_owned()];
    expected.extend(
        invoiceflow::http::functions::FUNCTIONS
            .iter()
            .map(|f| role(&capitalised(f.name))),
    );
    let mut principals = derive.principals.clone();
    principals.sort();
    expected.sort();
    assert_eq!(
        principals, expected,
        "the web function and every API function"
    );
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[test]
fn export_files_are_readable_only_by_a_tenant_s_session_through_s3() {
    let statements = check_key(
        "ExportKey",
        &[
            "AdministratorsManageButCannotUse",
            "OneTenantsFilesThroughS3",
        ],
    );
    let tenant = statement(&statements, "OneTenantsFilesThroughS3");
    assert_eq!(tenant.principals, ["GetAtt:TenantDataRole.Arn"]);
    assert_eq!(tenant.actions, ["kms:GenerateDataKey", "kms:Decrypt"]);
    assert_eq!(
        tenant.condition.as_ref(),
        Some(&serde_json::json!({
            "StringEquals": {
                "kms:ViaService": "Sub:s3.${AWS::Region}.amazonaws.com",
                "kms:EncryptionContext:tenant": "acc_${aws:PrincipalTag/tenant}",
            },
        }))
    );
}

#[test]
fn the_table_key_is_usable_only_through_dynamodb_by_this_account() {
    let statements = check_key(
        "TableKey",
        &["AdministratorsManageButCannotUse", "ThroughDynamoDbOnly"],
    );
    let dynamodb = statement(&statements, "ThroughDynamoDbOnly");
    assert_eq!(
        dynamodb.condition.as_ref(),
        Some(&serde_json::json!({
            "StringEquals": {
                "kms:CallerAccount": "Ref:AWS::AccountId",
                "kms:ViaService": "Sub:dynamodb.${AWS::Region}.amazonaws.com",
            },
        }))
    );
}

#[test]
fn no_function_role_holds_a_kms_permission_of_its_own() {
    for function in Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions")
    {
        for action in &function.actions {
            assert!(
                !action.starts_with("kms:"),
                "{} may {action} by IAM: key policies alone decide",
                function.logical_id
            );
        }
    }
}

/// The privacy policy: a deleted account's data is gone "within 30 days", every copy of it.
/// The longest a copy can outlive the deletion is the wait for the next purge, plus a restore
/// of the table from point-in-time recovery, plus an export file's lifecycle, plus the longest
/// log retention; every function's log group has a retention.
#[test]
fn every_copy_of_a_deleted_account_is_gone_within_30_days() {
    let template = Template::embedded().expect("template");
    let retention = template.retention().expect("retention");
    for function in template.functions().expect("functions") {
        let name = format!("/aws/lambda/${{{}}}", function.logical_id);
        let days = retention
            .log_days
            .iter()
            .find(|(group, _)| *group == name)
            .unwrap_or_else(|| panic!("{} has no log group {name}", function.logical_id))
            .1;
        assert!(days.is_some(), "{name} keeps its logs for ever");
    }
    let longest_log = retention
        .log_days
        .iter()
        .map(|(_, days)| days.unwrap_or(f64::INFINITY))
        .fold(0.0, f64::max);
    let total =
        retention.schedule_days + retention.recovery_days + retention.export_days + longest_log;
    assert!(
        total <= 30.0,
        "{retention:?}: {total} days exceeds the 30 the policy promises"
    );
    assert!(
        retention.schedule_days <= 1.0 / 24.0,
        "the purge runs hourly"
    );
}

/// Issue 27: every function role holds no direct data rights beyond the items shared across
/// tenants. A tenant's items, data key and files are reached only by assuming TenantDataRole
/// for that tenant (decision 0028); what a role holds of its own is the shared indexes' items
/// by key (the e-mail index and the service key for the auth function; the links' index for
/// the link function; the API keys' index for every function behind the API), a query of the
/// sparse index of due work (keys only) for the passes, and nothing of the bucket or the data
/// keys.
#[test]
fn every_function_role_holds_no_direct_data_rights_beyond_the_shared_index_items() {
    let template = Template::embedded().expect("template");
    let index = template
        .table()
        .expect("table")
        .global_secondary_indexes
        .into_iter()
        .find(|index| index.name == "GSI1")
        .expect("GSI1");
    assert_eq!(
        index.projection_type, "KEYS_ONLY",
        "the due index shows no content"
    );
    let shared_by_key = |condition: &Option<serde_json::Value>, allowed: &[&str]| {
        let Some(condition) = condition else {
            return false;
        };
        let leading = condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        !leading.is_empty()
            && leading
                .iter()
                .all(|key| key.as_str().is_some_and(|key| allowed.contains(&key)))
            && condition["Null"]["dynamodb:LeadingKeys"] == "false"
    };
    let mut email_index = Vec::new();
    let mut due_index = Vec::new();
    let mut key_index = Vec::new();
    let mut link_index = Vec::new();
    for function in template.functions().expect("functions") {
        let name = function.logical_id.as_str();
        for statement in &function.statements {
            let sid = &statement.sid;
            for action in &statement.actions {
                assert!(
                    !action.starts_with("s3:"),
                    "{name} {sid} may {action}: files only as their tenant"
                );
                assert!(
                    !action.starts_with("sts:") || statement.resources.contains("TenantDataRole"),
                    "{name} {sid} may {action} on {}",
                    statement.resources
                );
            }
            if !statement.actions.iter().any(|a| a.starts_with("dynamodb:")) {
                continue;
            }
            if statement.actions == ["dynamodb:DescribeTable"] {
                continue;
            }
            if statement.actions == ["dynamodb:Query"]
                && statement.resources.contains("${Table.Arn}/index/GSI1")
            {
                due_index.push(name.to_owned());
                continue;
            }
            if shared_by_key(&statement.condition, &["KEY#*"]) {
                assert_eq!(
                    statement.actions,
                    ["dynamodb:GetItem", "dynamodb:UpdateItem"],
                    "{name} {sid} on the API keys' index"
                );
                key_index.push(name.to_owned());
                continue;
            }
            if shared_by_key(&statement.condition, &["LINK#*"]) {
                assert_eq!(
                    statement.actions,
                    ["dynamodb:GetItem"],
                    "{name} {sid} on the links' index"
                );
                link_index.push(name.to_owned());
                continue;
            }
            assert!(
                shared_by_key(&statement.condition, &["EMAIL#*", "SYSTEM"]),
                "{name} {sid} reaches items beyond the shared indexes: {statement:?}"
            );
            email_index.push(name.to_owned());
        }
    }
    assert_eq!(email_index, ["AuthFunction"], "the e-mail index by key");
    assert_eq!(link_index, ["LinkFunction"], "the links' index by key");
    // Every function behind the API that a request with an API key may reach.
    let mut api: Vec<String> = invoiceflow::http::functions::FUNCTIONS
        .iter()
        .filter(|function| function.name != "meta")
        .map(|function| format!("{}Function", capitalised(function.name)))
        .collect();
    api.sort();
    key_index.sort();
    assert_eq!(key_index, api, "the API keys' index by key");
    due_index.sort();
    assert_eq!(
        due_index,
        ["PurgeFunction", "SchedulesFunction", "WebhooksFunction"],
        "the due index, keys only"
    );
    // What reaches a tenant's data: TenantDataRole, tagged, and no one else (tenant_policy.rs
    // evaluates its conditions).
    let bucket = template.export_bucket().expect("bucket");
    assert!(
        !format!("{bucket:?}").contains("FunctionRole"),
        "the bucket names no function role"
    );
}

/// A document's page is the link function's alone, and its role reads items by key only: it
/// can list nothing (no Query, no Scan, no ListBucket).
#[test]
fn the_link_function_serves_the_document_pages_and_can_list_nothing() {
    let functions = Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions");
    let link = functions
        .iter()
        .find(|f| f.binary == invoiceflow::link::FUNCTION)
        .expect("the link function");
    let routed: BTreeSet<String> = link.routes.iter().map(|(_, path)| path.clone()).collect();
    let served: BTreeSet<String> = invoiceflow::link::ROUTES
        .iter()
        .map(|p| (*p).to_owned())
        .collect();
    assert_eq!(routed, served);
    let actions: Vec<&String> = link.statements.iter().flat_map(|s| &s.actions).collect();
    for listing in [
        "dynamodb:Query",
        "dynamodb:Scan",
        "s3:ListBucket",
        "dynamodb:DeleteItem",
    ] {
        assert!(
            !actions.iter().any(|a| a.as_str() == listing),
            "{listing} in {actions:?}"
        );
    }
}

/// Webhooks (decision 0025): every function whose changes report events may queue their
/// deliveries, only the webhooks function reads the queue, and the deployed template never
/// lets a webhook reach a loopback address.
#[test]
fn changes_queue_their_events_only_the_webhooks_function_reads_the_queue_and_loopback_is_never_allowed()
 {
    let functions = Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions");
    let may = |binary: &str, action: &str| {
        functions
            .iter()
            .find(|f| f.binary == binary)
            .unwrap_or_else(|| panic!("no function {binary}"))
            .actions
            .iter()
            .any(|a| a == action)
    };
    for emitting in [
        "account",
        "proposals",
        "invoices",
        "payments",
        "documents",
        "link",
        "deliveries",
        "schedules",
        "webhooks",
    ] {
        assert!(
            may(emitting, "sqs:SendMessage"),
            "{emitting} cannot queue its events"
        );
    }
    let readers: Vec<&str> = functions
        .iter()
        .filter(|f| f.actions.iter().any(|a| a == "sqs:ReceiveMessage"))
        .map(|f| f.binary.as_str())
        .collect();
    assert_eq!(readers, [invoiceflow::webhooks::FUNCTION]);
    let template =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template.yaml"))
            .expect("template.yaml");
    assert!(
        !template.contains("WEBHOOKS_ALLOW_LOOPBACK:"),
        "a deployed function may reach loopback"
    );
    assert!(template.contains("WEBHOOK_QUEUE_URL: !Ref WebhookQueue"));
}

/// One client cannot spend everyone's limits: CloudFront in front of the HTTP API carries the
/// web ACL of `infra/edge-waf.yaml`, whose rate rules count per client address, blocking with
/// 429 and `Retry-After` (the application's own per-account and per-address limits are tested
/// end to end).
#[test]
fn the_edge_limits_each_client_s_requests_and_credential_guesses_by_address() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |path: &str| -> yaml_serde::Value {
        yaml_serde::from_str(&std::fs::read_to_string(root.join(path)).expect(path)).expect(path)
    };
    let edge = read("infra/edge-waf.yaml");
    let acl = &edge["Resources"]["EdgeWebAcl"]["Properties"];
    assert_eq!(acl["Scope"].as_str(), Some("CLOUDFRONT"));
    let rules = acl["Rules"].as_sequence().expect("rules");
    let rule = |name: &str| {
        rules
            .iter()
            .find(|rule| rule["Name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("a rule {name}"))
    };
    for (name, most) in [("CredentialsPerClient", 100), ("RequestsPerClient", 5000)] {
        let rule = rule(name);
        let rate = &rule["Statement"]["RateBasedStatement"];
        assert_eq!(rate["AggregateKeyType"].as_str(), Some("IP"), "{name}");
        let limit = rate["Limit"].as_u64().expect("limit");
        assert!(limit <= most, "{name}: {limit}");
        let blocked = &rule["Action"]["Block"]["CustomResponse"];
        assert_eq!(blocked["ResponseCode"].as_u64(), Some(429), "{name}");
        assert!(
            format!("{:?}", blocked["ResponseHeaders"]).contains("retry-after"),
            "{name}"
        );
    }
    let credentials = &rule("CredentialsPerClient")["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
        ["ByteMatchStatement"];
    assert_eq!(credentials["SearchString"].as_str(), Some("/v1/auth/"));
    assert_eq!(
        credentials["PositionalConstraint"].as_str(),
        Some("STARTS_WITH")
    );

    let main = read("template.yaml");
    let distribution = &main["Resources"]["Edge"]["Properties"]["DistributionConfig"];
    assert!(
        format!("{:?}", distribution["WebACLId"]).contains("EdgeWebAclArn"),
        "the distribution carries the edge web ACL"
    );
    assert!(
        format!("{:?}", distribution["Origins"][0]["DomainName"]).contains("${HttpApi}"),
        "its origin is the HTTP API"
    );
    let behaviour = &distribution["DefaultCacheBehavior"];
    assert_eq!(
        behaviour["ViewerProtocolPolicy"].as_str(),
        Some("redirect-to-https")
    );
    assert_eq!(
        behaviour["CachePolicyId"].as_str(),
        Some("4135ea2d-6df8-44a3-9df3-4b5a84be39ad"),
        "nothing cached: every answer is a session's"
    );
    // The execute-api address is closed to what did not come through here: CloudFront adds
    // the edge's secret, and every function (their shared environment) checks the same one.
    let secret = "{{resolve:secretsmanager:${EdgeOriginSecret}:SecretString}}";
    let added = &distribution["Origins"][0]["OriginCustomHeaders"][0];
    assert_eq!(added["HeaderName"].as_str(), Some("X-InvoiceFlow-Edge"));
    assert!(format!("{:?}", added["HeaderValue"]).contains(secret));
    assert_eq!(
        invoiceflow::http::edge::EDGE_HEADER.as_str(),
        "x-invoiceflow-edge"
    );
    let environment = &main["Globals"]["Function"]["Environment"]["Variables"];
    assert!(format!("{:?}", environment["EDGE_SECRET"]).contains(secret));
    assert_eq!(
        main["Resources"]["EdgeOriginSecret"]["Type"].as_str(),
        Some("AWS::SecretsManager::Secret")
    );
}

/// No administrator can quietly give themselves a key: only the break-glass role (assumed with
/// MFA) may change a key's policy or grant its use, and every such call, or assuming that role,
/// is an EventBridge rule's match that notifies the security alarm topic.
#[test]
fn only_the_break_glass_role_may_change_a_key_policy_or_grant_a_key_and_each_change_alarms() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let template: yaml_serde::Value = yaml_serde::from_str(
        &std::fs::read_to_string(root.join("template.yaml")).expect("template.yaml"),
    )
    .expect("yaml");
    let resources = template["Resources"].as_mapping().expect("resources");
    let actions = |statement: &yaml_serde::Value| -> Vec<String> {
        match &statement["Action"] {
            yaml_serde::Value::String(one) => vec![one.clone()],
            yaml_serde::Value::Sequence(many) => many
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
            other => panic!("an action list: {other:?}"),
        }
    };
    let mut keys = 0;
    for (name, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::KMS::Key") {
            continue;
        }
        keys += 1;
        let name = name.as_str().unwrap_or_default();
        let statements = resource["Properties"]["KeyPolicy"]["Statement"]
            .as_sequence()
            .expect("statements");
        let mut break_glass = false;
        for statement in statements {
            let sid = statement["Sid"].as_str().unwrap_or_default();
            let actions = actions(statement);
            assert!(
                !actions.iter().any(|a| a == "kms:*" || a == "*"),
                "{name}/{sid}: every action"
            );
            let principal = format!("{:?}", statement["Principal"]);
            let changes: Vec<&String> = actions
                .iter()
                .filter(|a| *a == "kms:PutKeyPolicy" || *a == "kms:CreateGrant")
                .collect();
            if changes.is_empty() {
                continue;
            }
            if principal.contains("BreakGlassRole.Arn") {
                assert_eq!(statement["Effect"].as_str(), Some("Allow"));
                break_glass = true;
                continue;
            }
            // DynamoDB makes grants on the table's own key for the roles that use the table,
            // and only through DynamoDB.
            assert_eq!(
                (name, changes.as_slice()),
                ("TableKey", [&"kms:CreateGrant".to_owned()].as_slice()),
                "{name}/{sid} lets {principal} change the key's policy or grant it"
            );
            assert!(
                format!("{:?}", statement["Condition"]).contains("dynamodb."),
                "{name}/{sid}: only through DynamoDB"
            );
        }
        assert!(break_glass, "{name}: the break-glass role may change it");
        assert_eq!(
            resource["Properties"]["BypassPolicyLockoutSafetyCheck"].as_bool(),
            Some(true),
            "{name}: the deployer, who may not change the policy, creates the key"
        );
    }
    assert_eq!(keys, 6, "every key of the stack was looked at");

    let role = &template["Resources"]["BreakGlassRole"]["Properties"];
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        trust["Condition"]["Bool"]["aws:MultiFactorAuthPresent"].as_str(),
        Some("true"),
        "assumed only with MFA"
    );

    let rule = &template["Resources"]["KeyPolicyChangedRule"]["Properties"];
    let detail = &rule["EventPattern"]["detail"];
    let names: Vec<&str> = detail["eventName"]
        .as_sequence()
        .expect("event names")
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert_eq!(names, ["PutKeyPolicy", "CreateGrant"]);
    assert_eq!(detail["eventSource"][0].as_str(), Some("kms.amazonaws.com"));
    let assumed = &template["Resources"]["BreakGlassAssumedRule"]["Properties"];
    assert!(format!("{:?}", assumed["EventPattern"]).contains("BreakGlassRole.Arn"));
    for rule in [rule, assumed] {
        assert!(
            format!("{:?}", rule["Targets"][0]).contains("SecurityAlarmTopic"),
            "{rule:?}"
        );
    }
}

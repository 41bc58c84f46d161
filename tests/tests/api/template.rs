//! template.yaml and the code agree: every function is deployed, every documented route is
//! routed to a function, and no policy reaches beyond what the functions do.

use std::collections::BTreeSet;
use std::path::PathBuf;

use invoiceflow_infra::template::Template;

fn function_crates() -> BTreeSet<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../functions");
    std::fs::read_dir(dir)
        .expect("functions/")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn every_function_crate_is_deployed_by_the_template() {
    let functions = Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions");
    let deployed: BTreeSet<String> = functions.iter().map(|f| f.binary.clone()).collect();
    assert_eq!(deployed, function_crates());
}

#[test]
fn every_documented_route_is_routed_to_a_function_and_nothing_else_is() {
    let functions = Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions");
    let routed: BTreeSet<(String, String)> = functions
        .iter()
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

#[test]
fn only_the_auth_function_may_sign_sessions() {
    for function in Template::embedded()
        .and_then(|t| t.functions())
        .expect("functions")
    {
        let signs = function.actions.iter().any(|a| a == "kms:Sign");
        assert_eq!(signs, function.binary == "auth", "{}", function.logical_id);
    }
}

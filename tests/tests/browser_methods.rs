//! The browser package's one-request methods are rows of
//! `crates/domo-wasm/js/methods.js` (method, domo-core endpoint, argument
//! names) declared in `crates/domo-wasm/src/methods.d.ts`. Nothing compiles
//! the two against each other or against domo-core's `named::ENDPOINTS`, so
//! this test does: every row names an endpoint that exists and builds from
//! the arguments the row passes, every endpoint has a method, and the
//! declarations list the same methods with the same parameters.

use std::path::Path;

use domo_core::named::{ENDPOINTS, endpoint};
use domo_core::{BaseUrl, Config, Credentials};
use serde_json::{Map, Value, json};

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of methods.js: `["getSchema", "GetSchema", "datasetId"],`.
fn rows() -> Vec<Vec<String>> {
    let js = read("../crates/domo-wasm/js/methods.js");
    let rows: Vec<Vec<String>> = js
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("[\"") && l.ends_with("],"))
        .map(|l| {
            l.trim_start_matches('[')
                .trim_end_matches("],")
                .split(',')
                .map(|s| s.trim().trim_matches('"').to_owned())
                .collect()
        })
        .collect();
    assert!(rows.len() > 30, "methods.js rows not found: {rows:?}");
    rows
}

/// The methods of `interface DomoClient` in methods.d.ts: name and
/// parameter names.
fn declarations() -> Vec<(String, Vec<String>)> {
    let dts = read("../crates/domo-wasm/src/methods.d.ts");
    dts.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with('*') && !l.starts_with("/**"))
        .filter_map(|l| {
            let (name, rest) = l.split_once('(')?;
            let params = rest.split_once("):")?.0;
            let names = params
                .split(", ")
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.split(':')
                        .next()
                        .unwrap()
                        .trim_end_matches('?')
                        .to_owned()
                })
                .collect();
            Some((name.to_owned(), names))
        })
        .collect()
}

/// A value of the right kind for each argument a row passes.
fn sample(param: &str) -> Value {
    match param {
        "datasetId"
        | "name"
        | "description"
        | "sql"
        | "alias"
        | "values"
        | "delimiter"
        | "text"
        | "dataSourceName"
        | "dataSourceDescription" => json!("x"),
        "userId" | "indexId" | "partitionId" | "streamId" | "uploadId" | "executionId"
        | "policyId" | "ownerId" | "tokenId" => json!(7),
        "expires" => json!(1_767_225_600_000u64),
        "enabled" | "external" => json!(true),
        "policy" => json!({"name": "East", "parameters": []}),
        "limit" | "offset" => json!(10),
        "includeHidden" | "includeHeader" | "sendEmail" => json!(true),
        "columns" => json!([{"name": "a", "type": "LONG"}]),
        "permissions" | "users" => json!([{"type": "USER", "id": 7}]),
        "requestedParts" | "tags" => json!(["a"]),
        "filter" => json!({}),
        "request" => json!({"dataSource": {"name": "n"}}),
        other => panic!("no sample for the argument `{other}`; add one"),
    }
}

#[test]
fn every_row_runs_a_named_endpoint_with_the_arguments_it_reads() {
    let config = Config::new(
        BaseUrl::parse("http://127.0.0.1:1").unwrap(),
        Credentials::developer_token("t"),
    );
    for row in rows() {
        let (method, name, params) = (&row[0], &row[1], &row[2..]);
        let args: Map<String, Value> = params
            .iter()
            .filter(|p| *p != "...")
            .map(|p| (p.clone(), sample(p)))
            .collect();
        let built = endpoint(name, &Value::Object(args))
            .unwrap_or_else(|e| panic!("{method} → {name}: {e}"));
        config
            .prepare(&*built)
            .unwrap_or_else(|e| panic!("{method} → {name}: {e}"));
    }
}

#[test]
fn every_named_endpoint_has_a_method() {
    let used: Vec<String> = rows().into_iter().map(|r| r[1].clone()).collect();
    for (name, _) in ENDPOINTS {
        assert!(
            used.iter().any(|u| u == name),
            "domo-core's endpoint {name} has no row in methods.js"
        );
    }
}

#[test]
fn the_declarations_list_each_method_with_its_parameters() {
    let declared = declarations();
    let rows = rows();
    let names = |v: Vec<&String>| v.into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(declared.iter().map(|(n, _)| n).collect()),
        names(rows.iter().map(|r| &r[0]).collect()),
        "methods.d.ts and methods.js list different methods (or in another order)"
    );
    for ((method, params), row) in declared.iter().zip(&rows) {
        assert_eq!(params.len(), row.len() - 2, "{method}: parameter count");
        for (declared, passed) in params.iter().zip(&row[2..]) {
            // An options object (`...`) may take any parameter name.
            if passed != "..." {
                assert_eq!(declared, passed, "{method}: parameter names");
            }
        }
    }
}

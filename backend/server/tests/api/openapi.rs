//! The committed OpenAPI document must be exactly what the code produces.

use skriptoteket_server::api;

#[test]
fn committed_openapi_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
    let generated = api::openapi().to_pretty_json().unwrap() + "\n";
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != generated {
        if std::env::var("SKRIPTOTEKET_UPDATE_OPENAPI").as_deref() == Ok("1") {
            std::fs::write(path, &generated).unwrap();
            return;
        }
        panic!(
            "openapi/openapi.json is out of date with the code. Regenerate it with \
             `make openapi` (or SKRIPTOTEKET_UPDATE_OPENAPI=1 cargo test openapi) and commit it."
        );
    }
}

#[test]
fn every_operation_is_documented_with_problems() {
    let doc = serde_json::to_value(api::openapi()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["summary"].is_string(), "{method} {path} has no summary");
            if !["/api/health", "/api/ready", "/metrics"].contains(&path.as_str()) {
                let responses = op["responses"].as_object().unwrap();
                assert!(responses.contains_key("5XX"), "{method} {path} does not document 5XX");
            }
        }
    }
}

#[test]
fn operation_ids_are_unique_so_generated_clients_do_not_collide() {
    let doc = serde_json::to_value(api::openapi()).unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId `{id}` is used by `{other}` and `{method} {path}`");
            }
        }
    }
}

/// A `$ref` to a schema that is not in `components` (e.g. an enum used only in query
/// parameters) breaks the generated TypeScript client.
#[test]
fn every_reference_resolves() {
    fn walk(value: &serde_json::Value, doc: &serde_json::Value, missing: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(target) = map.get("$ref").and_then(|r| r.as_str()) {
                    let pointer = target.trim_start_matches('#');
                    if doc.pointer(pointer).is_none() {
                        missing.push(target.to_owned());
                    }
                }
                map.values().for_each(|v| walk(v, doc, missing));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, doc, missing)),
            _ => {}
        }
    }
    let doc = serde_json::to_value(api::openapi()).unwrap();
    let mut missing = Vec::new();
    walk(&doc, &doc, &mut missing);
    assert!(missing.is_empty(), "unresolved references: {missing:?}");
}

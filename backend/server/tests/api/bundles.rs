//! Tool bundles through the API and the CLI: export → import → export is exact, the original
//! platform's input schema converts (or says per field why not), and imports are checked first.

use crate::support::{TestApp, each_backend};
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use skriptoteket_server::cli;
use skriptoteket_server::config::{DbArgs, ToolsCommand};

/// A published tool with both schemas, usage instructions and taxonomy; returns its id.
async fn rich_tool(app: &TestApp) -> String {
    let input = json!({
        "files": { "accept": [".csv"], "min": 1, "max": 2, "label": "Elevlista" },
        "fields": [{ "name": "klass", "kind": "string", "label": "Klass", "required": true }],
    });
    let settings = json!({ "fields": [{ "name": "skala", "kind": "enum", "label": "Skala",
        "options": [{ "value": "af", "label": "A–F" }, { "value": "pf", "label": "G/IG" }] }] });
    let (tool, _, version) =
        app.publish_tool("original", "def run_tool(i, o):\n    return 'ok'\n", input, settings).await;
    let author = app.token(Role::Contributor).await;
    let draft = app.call(Method::GET, &format!("/api/admin/tool-versions/{version}"), Some(&author), None).await;
    assert_eq!(draft.body["state"], "active");
    tool
}

fn without_slug(mut bundle: Value) -> Value {
    bundle.as_object_mut().unwrap().remove("slug");
    bundle
}

#[tokio::test]
async fn export_then_import_then_export_is_exact() {
    each_backend(|app| async move {
        let tool = rich_tool(&app).await;
        let admin = app.token(Role::Admin).await;
        let exported = app.call(Method::GET, &format!("/api/admin/tools/{tool}/export"), Some(&admin), None).await;
        assert_eq!(exported.status, StatusCode::OK, "{}", exported.body);
        let disposition = exported.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"original.skriptoteket.json\""), "{disposition}");
        let bundle = exported.body;
        assert_eq!(bundle["format"], "skriptoteket.tool-bundle");
        assert_eq!(bundle["categories"].as_array().unwrap().len(), 1);

        let mut copy = bundle.clone();
        copy["slug"] = json!("kopia");
        let imported =
            app.call(Method::POST, "/api/admin/tools/import?publish=true", Some(&admin), Some(copy.clone())).await;
        assert_eq!(imported.status, StatusCode::CREATED, "{:?} {}", app.backend, imported.body);
        assert_eq!(imported.body["version"]["state"], "active");
        assert_eq!(imported.body["tool"]["published"], true);
        let new_id = imported.body["tool"]["id"].as_str().unwrap();
        let again = app.call(Method::GET, &format!("/api/admin/tools/{new_id}/export"), Some(&admin), None).await;
        assert_eq!(again.body, copy, "{:?}: the round trip changes nothing but the slug", app.backend);
        assert_eq!(without_slug(again.body), without_slug(bundle));

        // The same bundle again: its slug is taken now.
        app.call(Method::POST, "/api/admin/tools/import", Some(&admin), Some(copy)).await.problem(409, "slug_taken");
    })
    .await;
}

#[tokio::test]
async fn the_originals_input_schema_is_converted_or_refused_per_field() {
    each_backend(|app| async move {
        let admin = app.token(Role::Admin).await;
        let original = json!({
            "format": "skriptoteket.tool-bundle", "format_version": 1,
            "slug": "vardnadshavare", "title": "Vårdnadshavares e-post", "summary": "Från en klasslista",
            "source": "def run_tool(input_dir, output_dir):\n    return 'ok'\n",
            "input_schema": [
                { "name": "klasslista", "kind": "file", "label": "Klasslista", "accept": ["xlsx", ".CSV"], "min": 1, "max": 1 },
                { "name": "separator", "kind": "enum", "label": "Avgränsare", "options": [",", ";"] },
            ],
        });
        let imported = app.call(Method::POST, "/api/admin/tools/import", Some(&admin), Some(original.clone())).await;
        assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.body);
        let version = &imported.body["version"];
        assert_eq!(version["state"], "draft", "without the flag a draft");
        assert_eq!(version["input_schema"]["files"]["accept"], json!([".xlsx", ".csv"]));
        assert_eq!(version["input_schema"]["fields"][0]["options"][1], json!({ "value": ";", "label": ";" }));

        let mut bad = original.clone();
        bad["slug"] = json!("trasig");
        bad["input_schema"] = json!([
            { "name": "a", "kind": "file" }, { "name": "b", "kind": "file" }, { "name": "c", "kind": "date", "label": "C" },
        ]);
        bad["categories"] = json!(["finns-inte"]);
        let refused = app.call(Method::POST, "/api/admin/tools/import?publish=true", Some(&admin), Some(bad)).await;
        let problem = refused.problem(422, "validation_failed");
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["input_schema[1].kind", "input_schema[2].kind"], "schema problems come first: {problem}");
        let mut unknown = original.clone();
        unknown["slug"] = json!("trasig");
        unknown["categories"] = json!(["finns-inte"]);
        let refused = app.call(Method::POST, "/api/admin/tools/import?publish=true", Some(&admin), Some(unknown)).await;
        let problem = refused.problem(422, "validation_failed");
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["categories[0]", "professions"], "{problem}");
        let catalog = app.call(Method::GET, "/api/my-tools", Some(&admin), None).await;
        assert_eq!(catalog.body.as_array().unwrap().len(), 1, "nothing was written for a refused bundle");
    })
    .await;
}

#[tokio::test]
async fn the_cli_imports_bundle_files_and_reports_the_bad_ones() {
    each_backend(|app| async move {
        let tool = rich_tool(&app).await;
        let admin = app.token(Role::Admin).await;
        let mut bundle =
            app.call(Method::GET, &format!("/api/admin/tools/{tool}/export"), Some(&admin), None).await.body;
        bundle["slug"] = json!("fran-fil");
        let good = app.dir.path().join("good.json");
        std::fs::write(&good, bundle.to_string()).unwrap();
        let bad = app.dir.path().join("bad.json");
        std::fs::write(&bad, "{\"not\": \"a bundle\"}").unwrap();
        let db = || DbArgs { data_dir: app.dir.path().to_owned(), database_url: Some(app.database_url()) };
        let owner = Some(crate::support::email(Role::Admin));
        let both =
            ToolsCommand::Import { files: vec![good.clone(), bad], publish: true, owner: owner.clone(), db: db() };
        let error = cli::tools(both).await.unwrap_err().to_string();
        assert!(error.contains("1 of 2"), "{error}");
        let user = app.token(Role::User).await;
        let page = app.call(Method::GET, "/api/tools/fran-fil", Some(&user), None).await;
        assert_eq!(page.status, StatusCode::OK, "the good file was published: {}", page.body);
        assert_eq!(page.body["input_schema"]["files"]["max"], 2);
        let again = ToolsCommand::Import { files: vec![good], publish: false, owner, db: db() };
        assert!(cli::tools(again).await.is_err(), "a taken slug is an error");
    })
    .await;
}

//! Class mode through the router, on both databases with the scripted runner: one run per
//! file, all or nothing, the caps, the fairness rule, cancel, and the streamed zip.

use crate::fake_runner::FakeRunner;
use crate::support::{Engine, TestApp, each_backend, zip_entries};
use axum::http::Method;
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use skriptoteket_store::testing::backends;
use std::sync::Arc;
use std::time::Duration;

fn one_file_schema() -> Value {
    json!({ "files": { "accept": [".txt"], "min": 1, "max": 1 }, "fields": [{ "name": "klass", "kind": "string", "label": "Klass" }] })
}

/// Polls a batch until every item ended (at most `secs` seconds).
pub async fn wait_batch(app: &TestApp, token: &str, id: &str, secs: u64) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let reply = app.call(Method::GET, &format!("/api/batches/{id}"), Some(token), None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        if reply.body["finished"] == true || std::time::Instant::now() > deadline {
            return reply.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn each_file_becomes_its_own_run_and_the_zip_has_a_folder_per_file() {
    each_backend(|app| async move {
        let (_, slug, _) = app.publish_tool("klass", "write_artifact", one_file_schema(), Value::Null).await;
        let teacher = app.token(Role::User).await;
        let names = ["anna.txt", "bo.txt", "anna.txt"];
        let mut parts: Vec<(&str, Option<&str>, &[u8])> =
            names.iter().map(|n| ("files", Some(*n), b"hej\n" as &[u8])).collect();
        parts.push(("inputs", None, br#"{"klass": "7B"}"#));
        let reply = app.post_form(&format!("/api/tools/{slug}/batch"), &teacher, &parts, &[]).await;
        assert_eq!(reply.status, 202, "{}", reply.body);
        let id = reply.body["id"].as_str().unwrap().to_owned();
        assert_eq!(reply.headers["location"], format!("/api/batches/{id}"));
        assert_eq!(reply.body["item_count"], 3);

        let batch = wait_batch(&app, &teacher, &id, 20).await;
        assert_eq!(batch["counts"]["succeeded"], 3, "{batch}");
        let files: Vec<&str> =
            batch["items"].as_array().unwrap().iter().map(|i| i["file"]["name"].as_str().unwrap()).collect();
        assert_eq!(files, ["anna.txt", "bo.txt", "anna (2).txt"], "upload order, unique names");
        // Each item is an ordinary run of mine, with the shared inputs and its one file.
        let run_url = batch["items"][1]["run_url"].as_str().unwrap();
        let run = app.call(Method::GET, run_url, Some(&teacher), None).await;
        assert_eq!(run.body["batch_id"], id.as_str());
        assert_eq!(run.body["inputs"], json!({ "klass": "7B" }));
        assert_eq!(run.body["files"], json!([{ "name": "bo.txt", "bytes": 4 }]));

        let zip = app.call(Method::GET, &format!("/api/batches/{id}/artifacts.zip"), Some(&teacher), None).await;
        assert_eq!(zip.status, 200);
        assert_eq!(zip.content_type(), "application/zip");
        assert!(zip.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let entries = zip_entries(&zip.bytes);
        let mut names: Vec<&String> = entries.keys().collect();
        names.sort();
        assert_eq!(names, ["anna (2).txt/rapport.txt", "anna.txt/rapport.txt", "bo.txt/rapport.txt"]);
        assert_eq!(entries["bo.txt/rapport.txt"]["text"], "fake report\n");
    })
    .await;
}

#[tokio::test]
async fn a_batch_is_refused_whole_when_it_does_not_fit() {
    each_backend(|app| async move {
        let (_, slug, _) = app.publish_tool("klass", "ok", one_file_schema(), Value::Null).await;
        let (_, two, _) = app
            .publish_tool("par", "ok", json!({ "files": { "accept": [".txt"], "min": 2, "max": 2 } }), Value::Null)
            .await;
        let teacher = app.token(Role::User).await;
        let path = format!("/api/tools/{slug}/batch");

        let none = app.post_form(&path, &teacher, &[("inputs", None, b"{}")], &[]).await;
        assert_eq!(none.problem(422, "validation_failed")["errors"][0]["field"], "files");
        let pairs =
            app.post_form(&format!("/api/tools/{two}/batch"), &teacher, &[("files", Some("a.txt"), b"a")], &[]).await;
        assert!(pairs.problem(422, "validation_failed").to_string().contains("one file at a time"), "{}", pairs.body);
        let wrong_type = [("files", Some("a.exe"), b"a" as &[u8]), ("files", Some("b.txt"), b"b")];
        let refused = app.post_form(&path, &teacher, &wrong_type, &[]).await;
        assert!(refused.problem(422, "validation_failed").to_string().contains("a.exe"), "{}", refused.body);
        let bad_inputs = [("files", Some("a.txt"), b"a" as &[u8]), ("inputs", None, br#"{"klass": 7}"#)];
        app.post_form(&path, &teacher, &bad_inputs, &[]).await.problem(422, "validation_failed");

        let many: Vec<(&str, Option<&str>, &[u8])> =
            (0..101).map(|_| ("files", Some("a.txt"), b"a" as &[u8])).collect();
        app.post_form(&path, &teacher, &many, &[]).await.problem(413, "payload_too_large");

        // Nothing of the refused batches was queued or left on disk.
        let runs = app.call(Method::GET, "/api/runs", Some(&teacher), None).await;
        assert_eq!(runs.body["total"], 0, "{}", runs.body);
        // (The folders of a refused form are removed in the background: give it a moment.)
        let uploads = app.state.runs.uploads_root.clone();
        let left = || std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0);
        for _ in 0..50 {
            if left() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(left(), 0, "upload folders left in {}", uploads.display());
    })
    .await;
}

#[tokio::test]
async fn a_batch_counts_once_toward_my_share_and_cancels_as_a_whole() {
    for backend in backends() {
        let runner = Arc::new(FakeRunner::default());
        let app = TestApp::build(backend, Engine::Fake(runner), |c| {
            c.max_active_per_user = 2;
            c.max_concurrency = 1;
        })
        .await;
        let (_, slug, _) = app.publish_tool("klass", "sleep=30", one_file_schema(), Value::Null).await;
        let teacher = app.token(Role::User).await;
        let files: Vec<(&str, Option<&str>, &[u8])> = (0..5).map(|_| ("files", Some("a.txt"), b"a" as &[u8])).collect();
        let batch = app.post_form(&format!("/api/tools/{slug}/batch"), &teacher, &files, &[]).await;
        assert_eq!(batch.status, 202, "{}", batch.body);
        let id = batch.body["id"].as_str().unwrap().to_owned();

        // Five items waiting or going are one entry: one more run fits, then the share is used.
        let one = [("files", Some("b.txt"), b"b" as &[u8])];
        let single = app.post_form(&format!("/api/tools/{slug}/run"), &teacher, &one, &[]).await;
        assert_eq!(single.status, 202, "{}", single.body);
        app.post_form(&format!("/api/tools/{slug}/batch"), &teacher, &files, &[]).await.problem(429, "too_many_runs");

        let cancelled = app.call(Method::POST, &format!("/api/batches/{id}/cancel"), Some(&teacher), None).await;
        assert_eq!(cancelled.status, 200, "{}", cancelled.body);
        let batch = wait_batch(&app, &teacher, &id, 10).await;
        assert_eq!(batch["counts"]["cancelled"], 5, "{batch}");
        assert!(batch["items"].as_array().unwrap().iter().all(|i| i["error_code"] == "cancelled"), "{batch}");
        // The single run was not part of it.
        let run = app
            .call(Method::GET, &format!("/api/runs/{}", single.body["id"].as_str().unwrap()), Some(&teacher), None)
            .await;
        assert!(matches!(run.body["status"].as_str(), Some("queued" | "running")), "{}", run.body);
    }
}

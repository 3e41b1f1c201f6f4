//! `STORAGE_URL=s3://…` through the router, against the local S3 server (moto; skipped without
//! it): uploads reach the store before the run is queued, a server without the local copy
//! fetches them, artifacts are served from the store, and erasing and housekeeping remove them
//! there too.

use crate::fake_runner::FakeRunner;
use crate::s3::test_store;
use crate::support::{Engine, TestApp};
use axum::http::Method;
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use skriptoteket_server::execution::housekeeping::{Policy, sweep};
use skriptoteket_store::testing::backends;
use std::sync::Arc;

#[tokio::test]
async fn run_files_live_in_the_shared_store() {
    for backend in backends() {
        let Some(s3) = test_store().await else { return };
        let shared = s3.clone();
        let app = TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), move |c| {
            c.shared_storage = Some(shared);
        })
        .await;
        let schema = json!({ "files": { "accept": [".txt"], "min": 1, "max": 1 } });
        let (_, slug, _) = app.publish_tool("delad", "write_artifact", schema, Value::Null).await;
        let teacher = app.token(Role::User).await;
        let file = [("files", Some("klass 7B.txt"), b"Anna\n" as &[u8])];
        let run = app.post_form(&format!("/api/tools/{slug}/run"), &teacher, &file, &[("prefer", "wait=10")]).await;
        assert_eq!(run.body["status"], "succeeded", "{}", run.body);
        let id = run.body["id"].as_str().unwrap().to_owned();

        let ready = app.call(Method::GET, "/api/ready", None, None).await;
        let check = ready.body["checks"].as_array().unwrap().iter().find(|c| c["name"] == "shared_storage").cloned();
        assert_eq!(check.map(|c| c["ok"].clone()), Some(json!(true)), "{}", ready.body);

        // The upload and the artifact are in the store; the artifact's working copy is gone.
        assert_eq!(s3.list(&format!("uploads/{id}/")).await.unwrap(), [format!("uploads/{id}/000")]);
        assert_eq!(s3.list(&format!("artifacts/{id}/")).await.unwrap().len(), 1);
        assert!(!app.state.runs.artifacts_root.join(&id).exists());
        let url = run.body["artifacts"][0]["download_url"].as_str().unwrap();
        let download = app.call(Method::GET, url, Some(&teacher), None).await;
        assert_eq!((download.status.as_u16(), download.bytes.as_slice()), (200, b"fake report\n".as_slice()));

        // As on a server that never saw the upload: the run again fetches it from the store.
        std::fs::remove_dir_all(app.state.runs.uploads_root.join(&id)).unwrap();
        let again =
            app.call_with(Method::POST, &format!("/api/runs/{id}/rerun"), &teacher, &[("prefer", "wait=10")]).await;
        assert_eq!(again.body["status"], "succeeded", "{}", again.body);
        assert!(app.state.runs.uploads_root.join(&id).join("000").exists(), "fetched into the working copy");

        // A batch's zip reads the store too.
        let batch = app.post_form(&format!("/api/tools/{slug}/batch"), &teacher, &file, &[]).await;
        let batch_id = batch.body["id"].as_str().unwrap().to_owned();
        crate::batches::wait_batch(&app, &teacher, &batch_id, 10).await;
        let zip = app.call(Method::GET, &format!("/api/batches/{batch_id}/artifacts.zip"), Some(&teacher), None).await;
        assert!(crate::support::zip_entries(&zip.bytes).contains_key("klass 7B.txt/rapport.txt"));

        // Housekeeping removes expired artifacts from the store; erasing removes everything.
        let policy = Policy { artifacts_retention: chrono::Duration::zero(), ..Policy::of(&app.state.runs) };
        let later = chrono::Utc::now() + chrono::Duration::minutes(1);
        let swept = sweep(app.state.store.as_ref(), &policy, later).await.unwrap();
        assert_eq!(swept.artifacts, 3, "{swept:?}");
        assert!(s3.list("artifacts/").await.unwrap().is_empty());
        let erased = app.call(Method::DELETE, "/api/me/runs", Some(&teacher), None).await;
        assert_eq!(erased.body["runs"], 3, "{}", erased.body);
        assert_eq!(s3.list("").await.unwrap(), Vec::<String>::new(), "nothing of the person is left in the store");
    }
}

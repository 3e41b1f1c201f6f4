//! Storage (issue 11, finding 5): the per-user quota and the free-space floor refuse new runs
//! with clear problems and lose nothing already stored; `/api/auth/me` shows the usage;
//! `/api/ready` says when the disk is full.

use crate::fake_runner::FakeRunner;
use crate::support::{Engine, Reply, TestApp, each_backend};
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use skriptoteket_server::execution::RunConfig;
use skriptoteket_store::testing::backends;
use std::sync::Arc;

/// Takes up to two CSV files; the fake runner keeps a 12-byte artifact and offers an action.
pub const SOURCE: &str = "write_artifact = offer_action = 1\n";
pub const ARTIFACT_BYTES: u64 = 12;

pub fn csv_files() -> Value {
    json!({ "files": { "accept": [".csv"], "min": 0, "max": 2 } })
}

pub async fn app_with(
    configure: impl FnOnce(&mut RunConfig),
    backend: skriptoteket_store::testing::Backend,
) -> TestApp {
    let app = TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), configure).await;
    app.publish_tool("lagring", SOURCE, csv_files(), Value::Null).await;
    app
}

/// Starts a run with one uploaded file of `bytes` bytes (none for 0) and waits for its end.
pub async fn run_with(app: &TestApp, token: &str, bytes: usize) -> Reply {
    let data = vec![b'1'; bytes];
    let file = [("files", Some("elever.csv"), data.as_slice())];
    let parts: &[(&str, Option<&str>, &[u8])] = if bytes == 0 { &[] } else { &file };
    app.post_form("/api/tools/lagring/run", token, parts, &[("prefer", "wait=10")]).await
}

pub async fn me(app: &TestApp, token: &str) -> (u64, Value) {
    let me = app.call(Method::GET, "/api/auth/me", Some(token), None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    (me.body["storage_used_bytes"].as_u64().expect("storage_used_bytes"), me.body["storage_quota_bytes"].clone())
}

/// Run folders under the data dir's `name` (refused uploads are removed on a blocking thread:
/// this waits up to 2 s for the count to come down to `expected`).
pub async fn folders(app: &TestApp, name: &str, expected: usize) -> usize {
    let count = || std::fs::read_dir(app.dir.path().join(name)).map(|d| d.count()).unwrap_or(0);
    for _ in 0..40 {
        if count() <= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    count()
}

#[tokio::test]
async fn me_shows_my_storage_and_quota() {
    each_backend(|app| async move {
        let user = app.token(Role::User).await;
        assert_eq!(me(&app, &user).await, (0, json!(1024 * 1024 * 1024)), "{:?}: the default is 1 GiB", app.backend);
    })
    .await;
    for backend in backends() {
        let app = app_with(|c| c.storage.quota_per_user = 0, backend).await;
        let user = app.token(Role::User).await;
        let run = run_with(&app, &user, 100).await;
        assert_eq!(run.body["status"], "succeeded", "{}", run.body);
        assert_eq!(me(&app, &user).await, (100 + ARTIFACT_BYTES, Value::Null), "{backend:?}: 0 is unlimited");
        // PATCH answers the same shape.
        let patched = app.call(Method::PATCH, "/api/auth/me", Some(&user), Some(json!({ "display_name": "Ny" }))).await;
        assert_eq!(patched.body["storage_used_bytes"], 100 + ARTIFACT_BYTES, "{}", patched.body);
    }
}

#[tokio::test]
async fn uploads_past_the_quota_are_refused_clearly_and_nothing_stored_is_lost() {
    for backend in backends() {
        let app = app_with(|c| c.storage.quota_per_user = 1000, backend).await;
        let user = app.token(Role::User).await;
        let first = run_with(&app, &user, 600).await;
        assert_eq!(first.body["status"], "succeeded", "{backend:?} {}", first.body);
        assert_eq!(me(&app, &user).await, (600 + ARTIFACT_BYTES, json!(1000)));

        let refused = run_with(&app, &user, 500).await;
        let detail = refused.problem(413, "storage_quota_exceeded")["detail"].as_str().unwrap().to_owned();
        for needle in ["612 B", "1000 B", "500 B", "24 hours", "reuse the files"] {
            assert!(detail.contains(needle), "{backend:?}: `{needle}` missing from: {detail}");
        }
        assert_eq!(folders(&app, "uploads", 1).await, 1, "the refused run's uploads are removed, the first run's kept");
        let runs = app.call(Method::GET, "/api/runs", Some(&user), None).await;
        assert_eq!(runs.body["total"], 1, "nothing was queued");
        // What was stored before is all there: the run, its upload and its artifact.
        let first_id = first.body["id"].as_str().unwrap();
        let stored_as =
            app.state.store.run_by_id(first_id.parse().unwrap()).await.unwrap().unwrap().files[0].stored_as.clone();
        assert_eq!(std::fs::metadata(app.dir.path().join("uploads").join(stored_as)).unwrap().len(), 600);
        let url = first.body["artifacts"][0]["download_url"].as_str().unwrap();
        assert_eq!(app.call(Method::GET, url, Some(&user), None).await.bytes, b"fake report\n");

        // What still fits goes; reusing files adds nothing.
        assert_eq!(run_with(&app, &user, 300).await.body["status"], "succeeded");
        let reuse = app
            .post_form(
                "/api/tools/lagring/run",
                &user,
                &[("reuse_files_from", None, first_id.as_bytes())],
                &[("prefer", "wait=10")],
            )
            .await;
        assert_eq!(reuse.body["status"], "succeeded", "{}", reuse.body);
        assert_eq!(me(&app, &user).await.0, 900 + 3 * ARTIFACT_BYTES);
        // Others have their own quota.
        let admin = app.token(Role::Admin).await;
        assert_eq!(run_with(&app, &admin, 900).await.body["status"], "succeeded");
    }
}

#[tokio::test]
async fn a_user_past_the_quota_starts_no_run_until_files_expire() {
    for backend in backends() {
        let app = app_with(|c| c.storage.quota_per_user = 20, backend).await;
        let user = app.token(Role::User).await;
        let first = run_with(&app, &user, 0).await;
        let second = run_with(&app, &user, 0).await;
        assert_eq!(second.body["status"], "succeeded", "{backend:?} {}", second.body);
        assert_eq!(me(&app, &user).await.0, 2 * ARTIFACT_BYTES, "results count too, and may pass the quota");

        let full = run_with(&app, &user, 0).await;
        let detail = full.problem(413, "storage_quota_exceeded")["detail"].as_str().unwrap();
        assert!(detail.contains("Your storage is full") && detail.contains("7 days"), "{detail}");
        let author = app.token(Role::Contributor).await;
        let tool = app.state.store.tool_by_slug("lagring").await.unwrap().unwrap();
        let sandbox = format!("/api/admin/tool-versions/{}/run-sandbox", tool.active_version_id.unwrap());
        assert_eq!(
            app.post_form(&sandbox, &author, &[], &[("prefer", "wait=10")]).await.status,
            StatusCode::OK,
            "{backend:?}: the author's own quota"
        );
        let action = json!({ "action_id": "next", "input": {} });
        let follow_up = format!("/api/runs/{}/actions", first.body["id"].as_str().unwrap());
        app.call(Method::POST, &follow_up, Some(&user), Some(action)).await.problem(413, "storage_quota_exceeded");
        assert_eq!(app.call(Method::GET, "/api/runs", Some(&user), None).await.body["total"], 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_starts_cannot_share_the_last_free_bytes() {
    for backend in backends() {
        let app = Arc::new(app_with(|c| c.storage.quota_per_user = 1000, backend).await);
        let user = app.token(Role::User).await;
        let starts: Vec<_> = (0..8)
            .map(|_| {
                let (app, user) = (app.clone(), user.clone());
                tokio::spawn(async move {
                    let data = vec![b'1'; 400];
                    app.post_form("/api/tools/lagring/run", &user, &[("files", Some("a.csv"), &data)], &[]).await
                })
            })
            .collect();
        let mut accepted = 0;
        for start in starts {
            let reply = start.await.unwrap();
            match reply.status {
                StatusCode::ACCEPTED => accepted += 1,
                _ => {
                    reply.problem(413, "storage_quota_exceeded");
                }
            }
        }
        assert_eq!(accepted, 2, "{backend:?}: 2 × 400 fit in 1000 bytes, a third does not");
    }
}

#[tokio::test]
async fn a_full_disk_refuses_new_runs_and_readiness_says_so() {
    for backend in backends() {
        let app = app_with(|_| {}, backend).await;
        let user = app.token(Role::User).await;
        let first = run_with(&app, &user, 100).await;
        assert_eq!(first.body["status"], "succeeded", "{backend:?} {}", first.body);
        let ready = app.call(Method::GET, "/api/ready", None, None).await;
        let check = ready.body["checks"].as_array().unwrap().iter().find(|c| c["name"] == "storage").unwrap().clone();
        assert_eq!(check["ok"], true, "{}", ready.body);

        // The same data after a restart on a disk with less free space than the floor.
        let app = app
            .restart_with(Engine::Fake(Arc::new(FakeRunner::default())), |c| c.storage.min_free = u64::MAX / 2)
            .await;
        let user = app.token(Role::User).await;
        let full = run_with(&app, &user, 100).await;
        assert_eq!(full.problem(503, "storage_full")["retry_after"], 60);
        assert_eq!(full.headers.get(header::RETRY_AFTER).unwrap(), "60");
        assert!(full.body["detail"].as_str().unwrap().contains("disk space"), "{}", full.body);
        let run_id = first.body["id"].as_str().unwrap();
        let follow_up = format!("/api/runs/{run_id}/actions");
        app.call(Method::POST, &follow_up, Some(&user), Some(json!({ "action_id": "next", "input": {} })))
            .await
            .problem(503, "storage_full");
        assert_eq!(folders(&app, "uploads", 1).await, 1, "{backend:?}: refused before any byte was written");

        let ready = app.call(Method::GET, "/api/ready", None, None).await;
        assert_eq!((ready.status, ready.body["status"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("not_ready")));
        let check = ready.body["checks"].as_array().unwrap().iter().find(|c| c["name"] == "storage").unwrap();
        assert_eq!(check["ok"], false, "{}", ready.body);
        assert!(check["detail"].as_str().unwrap().contains("below the floor"), "{}", ready.body);

        // Nothing stored is lost or hidden: the run, its artifact, my usage.
        let run = app.call(Method::GET, &format!("/api/runs/{run_id}"), Some(&user), None).await;
        assert_eq!(run.body["status"], "succeeded");
        let url = run.body["artifacts"][0]["download_url"].as_str().unwrap();
        assert_eq!(app.call(Method::GET, url, Some(&user), None).await.status, StatusCode::OK);
        assert_eq!(me(&app, &user).await.0, 100 + ARTIFACT_BYTES);
    }
}

//! Housekeeping (issue 11, finding 5): uploads no run can reuse, artifacts and runs past their
//! retention, and folders nothing needs are removed — by the server on its schedule and by
//! `skriptoteket artifacts prune` — while nothing a queued or running run uses is touched.

use crate::storage::{ARTIFACT_BYTES, app_with, csv_files, folders, me, run_with};
use crate::support::{TestApp, each_backend};
use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::Value;
use skriptoteket_domain::Role;
use skriptoteket_server::cli;
use skriptoteket_server::config::{ArtifactsCommand, DbArgs, StorageArgs};
use skriptoteket_server::execution::housekeeping::{Policy, Swept, sweep};
use skriptoteket_store::testing::backends;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use uuid::Uuid;

/// Starts a 30-second run of `lang` with a file of `bytes` bytes; waits until it is `status`.
async fn long_run(app: &TestApp, token: &str, bytes: usize, status: &str) -> String {
    let data = vec![b'2'; bytes];
    let reply = app.post_form("/api/tools/lang/run", token, &[("files", Some("a.csv"), &data)], &[]).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    for _ in 0..100 {
        if app.call(Method::GET, &format!("/api/runs/{id}"), Some(token), None).await.body["status"] == status {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("run {id} never became {status}");
}

/// Where a run's uploaded files are.
async fn upload_dir(app: &TestApp, run: &str) -> PathBuf {
    let run = app.state.store.run_by_id(run.parse().unwrap()).await.unwrap().unwrap();
    let stored_as = &run.files[0].stored_as;
    app.dir.path().join("uploads").join(stored_as.split('/').next().unwrap())
}

async fn status_of(app: &TestApp, token: &str, run: &str) -> Value {
    app.call(Method::GET, &format!("/api/runs/{run}"), Some(token), None).await.body["status"].clone()
}

#[tokio::test]
async fn expired_uploads_artifacts_and_runs_go_and_nothing_in_use() {
    for backend in backends() {
        let app = app_with(|_| {}, backend).await;
        app.publish_tool("lang", "sleep=30\n", csv_files(), Value::Null).await;
        let user = app.token(Role::User).await;
        let done = run_with(&app, &user, 100).await;
        let done_id = done.body["id"].as_str().unwrap().to_owned();
        let running = long_run(&app, &user, 50, "running").await;
        let queued = long_run(&app, &user, 70, "queued").await;
        let (done_dir, running_dir, queued_dir) =
            (upload_dir(&app, &done_id).await, upload_dir(&app, &running).await, upload_dir(&app, &queued).await);
        let policy = Policy::of(&app.state.runs);
        let store = app.state.store.as_ref();
        let now = Utc::now();

        assert_eq!(sweep(store, &policy, now).await.unwrap(), Swept::default(), "{backend:?}: nothing has expired");
        // Two days on, the finished run's uploads can no longer be reused; the others are in use.
        let swept = sweep(store, &policy, now + Duration::days(2)).await.unwrap();
        assert_eq!((swept.uploads, swept.artifacts, swept.runs), (1, 0, 0), "{backend:?}");
        assert!(!done_dir.exists() && running_dir.exists() && queued_dir.exists());
        assert_eq!(me(&app, &user).await.0, 50 + 70 + ARTIFACT_BYTES, "released uploads no longer count");
        // A follow-up needs its run's files again: it is refused, not left to fail.
        let follow_up = format!("/api/runs/{done_id}/actions");
        let body = serde_json::json!({ "action_id": "next", "input": {} });
        app.call(Method::POST, &follow_up, Some(&user), Some(body)).await.problem(409, "files_not_kept");

        // Eight days on, its artifact is past ARTIFACTS_RETENTION_DAYS (7).
        let swept = sweep(store, &policy, now + Duration::days(8)).await.unwrap();
        assert_eq!((swept.artifacts, swept.artifact_bytes, swept.runs), (1, ARTIFACT_BYTES, 0));
        let url = done.body["artifacts"][0]["download_url"].as_str().unwrap();
        app.call(Method::GET, url, Some(&user), None).await.problem(404, "not_found");
        assert!(!app.dir.path().join("artifacts").join(&done_id).exists());

        // 91 days on, the finished run is past RUNS_RETENTION_DAYS; the running and queued stay.
        let swept = sweep(store, &policy, now + Duration::days(91)).await.unwrap();
        assert_eq!((swept.uploads, swept.runs), (0, 1), "{backend:?}");
        app.call(Method::GET, &format!("/api/runs/{done_id}"), Some(&user), None).await.problem(404, "not_found");
        assert_eq!(status_of(&app, &user, &running).await, "running");
        assert_eq!(status_of(&app, &user, &queued).await, "queued");
        assert!(running_dir.join("000").is_file() && queued_dir.join("000").is_file());

        // Once they have ended, they go too.
        for run in [&queued, &running] {
            app.call(Method::POST, &format!("/api/runs/{run}/cancel"), Some(&user), None).await;
        }
        assert_eq!(app.wait_run(&user, &running, 5).await.body["status"], "cancelled");
        let swept = sweep(store, &policy, now + Duration::days(91)).await.unwrap();
        assert_eq!((swept.uploads, swept.runs), (2, 2), "{backend:?}");
        assert_eq!((folders(&app, "uploads", 0).await, folders(&app, "artifacts", 0).await), (0, 0));
        assert_eq!(app.call(Method::GET, "/api/runs", Some(&user), None).await.body["total"], 0);
        assert_eq!(me(&app, &user).await.0, 0);
    }
}

/// Makes `dir` look untouched for two hours.
fn age(dir: &Path) {
    let two_hours_ago = SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    std::fs::File::open(dir).unwrap().set_modified(two_hours_ago).unwrap();
}

#[tokio::test]
async fn folders_nothing_needs_are_removed_after_a_grace_period() {
    each_backend(|app| async move {
        app.publish_tool("lang", "sleep=30\n", csv_files(), Value::Null).await;
        let user = app.token(Role::User).await;
        app.publish_tool("kort", "x = 1\n", Value::Null, Value::Null).await;
        let ended = app.post_form("/api/tools/kort/run", &user, &[], &[("prefer", "wait=10")]).await;
        assert_eq!(ended.body["status"], "succeeded", "{}", ended.body);
        let ended = ended.body["id"].as_str().unwrap().to_owned();
        let running = long_run(&app, &user, 10, "running").await;
        let in_use = upload_dir(&app, &running).await;
        age(&in_use);
        let (uploads, artifacts) = (app.dir.path().join("uploads"), app.dir.path().join("artifacts"));
        let orphan = |root: &Path, old: bool| {
            let dir = root.join(Uuid::now_v7().to_string());
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("000"), b"left behind").unwrap();
            if old {
                age(&dir);
            }
            dir
        };
        let (old_upload, new_upload, old_artifacts) =
            (orphan(&uploads, true), orphan(&uploads, false), orphan(&artifacts, true));
        let not_a_run = uploads.join("lost+found");
        std::fs::create_dir(&not_a_run).unwrap();
        age(&not_a_run);
        // A finished run that kept no artifact: its (empty) folder goes at once.
        let empty = artifacts.join(&ended);
        std::fs::create_dir_all(&empty).unwrap();

        let swept = sweep(app.state.store.as_ref(), &Policy::of(&app.state.runs), Utc::now()).await.unwrap();
        assert_eq!(swept.orphans, 3, "{:?}", app.backend);
        assert!(!old_upload.exists() && !old_artifacts.exists() && !empty.exists(), "orphans go");
        assert!(new_upload.exists(), "a fresh folder may belong to a run on its way in");
        assert!(not_a_run.exists(), "only folders named by a run id are touched");
        assert!(in_use.join("000").is_file(), "a running run's files stay");
    })
    .await;
}

#[tokio::test]
async fn artifacts_prune_from_the_cli_is_the_same_pass() {
    for backend in backends() {
        let app = app_with(|_| {}, backend).await;
        app.publish_tool("lang", "sleep=30\n", csv_files(), Value::Null).await;
        let user = app.token(Role::User).await;
        let done = run_with(&app, &user, 100).await;
        let running = long_run(&app, &user, 10, "running").await;
        let db = DbArgs { data_dir: app.dir.path().to_owned(), database_url: Some(app.database_url()) };
        let storage = StorageArgs {
            artifacts_root: Some(app.state.runs.artifacts_root.clone()),
            artifacts_retention_days: 0,
            runs_retention_days: 1,
            storage_url: None,
        };
        cli::artifacts(ArtifactsCommand::Prune { db, storage }).await.unwrap();
        let url = done.body["artifacts"][0]["download_url"].as_str().unwrap();
        app.call(Method::GET, url, Some(&user), None).await.problem(404, "not_found");
        let done_id = done.body["id"].as_str().unwrap();
        assert_eq!(status_of(&app, &user, done_id).await, "succeeded", "{backend:?}: a recent run stays");
        assert!(upload_dir(&app, done_id).await.join("000").is_file(), "its uploads are still reusable");
        assert_eq!(status_of(&app, &user, &running).await, "running");
        assert!(upload_dir(&app, &running).await.join("000").is_file());
    }
}

#[tokio::test]
async fn the_server_prunes_on_its_schedule_and_stops_at_shutdown() {
    for backend in backends() {
        let mut app = app_with(
            |c| {
                c.storage.housekeeping_interval = Some(std::time::Duration::from_millis(200));
                c.storage.runs_retention = Some(Duration::seconds(1));
            },
            backend,
        )
        .await;
        app.publish_tool("lang", "sleep=30\n", csv_files(), Value::Null).await;
        let user = app.token(Role::User).await;
        let done = run_with(&app, &user, 0).await;
        let done_id = done.body["id"].as_str().unwrap().to_owned();
        assert_eq!(done.body["artifacts"].as_array().unwrap().len(), 1);
        let running = long_run(&app, &user, 10, "running").await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while app.call(Method::GET, &format!("/api/runs/{done_id}"), Some(&user), None).await.status
            != StatusCode::NOT_FOUND
        {
            assert!(std::time::Instant::now() < deadline, "{backend:?}: the finished run was never pruned");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(!app.dir.path().join("artifacts").join(&done_id).exists(), "its artifacts went with it");
        // The running run is older than the retention too, and untouched.
        assert_eq!(status_of(&app, &user, &running).await, "running");
        assert!(upload_dir(&app, &running).await.join("000").is_file());
        let metrics = app.call(Method::GET, "/metrics", None, None).await;
        let text = metrics.body.as_str().unwrap_or_default();
        assert!(!text.contains("skriptoteket_housekeeping_passes_total 0\n"), "{text}");

        app.state.shutdown.cancel();
        let task = app.housekeeping.take().expect("the task runs");
        tokio::time::timeout(std::time::Duration::from_secs(2), task).await.expect("it stops at shutdown").unwrap();
    }
}

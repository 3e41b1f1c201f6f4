//! Uploaded files of a run that never gets queued must not stay on disk — whether the run is
//! refused after the form was read (found by verify/fuzz) or the client goes away mid-upload.

use crate::support::{TestApp, each_backend, multipart};
use axum::body::{Body, Bytes};
use axum::http::{Method, Request, header};
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use std::time::Duration;
use tower::ServiceExt;

/// Upload folders left under the data dir (removal runs on a blocking thread: wait ≤ 2 s).
async fn upload_folders(app: &TestApp) -> usize {
    let count = || std::fs::read_dir(app.dir.path().join("uploads")).map(|d| d.count()).unwrap_or(0);
    for _ in 0..40 {
        if count() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    count()
}

#[tokio::test]
async fn refused_runs_leave_no_uploads_behind() {
    each_backend(|app| async move {
        let schema = json!({ "files": { "accept": [".csv"], "min": 1, "max": 2 } });
        let (_, _, version) = app.publish_tool("rensa", "x = 1", schema, Value::Null).await;
        let user = app.token(Role::User).await;
        let author = app.token(Role::Contributor).await;
        let file = ("files", Some("elever.csv"), b"namn\nAda\n".as_slice());
        app.post_form("/api/tools/finns-inte/run", &user, &[file], &[]).await.problem(404, "not_found");
        let sandbox = format!("/api/admin/tool-versions/{version}/run-sandbox");
        app.post_form(&sandbox, &author, &[file, ("input_schema", None, br#"{"files": 3}"#)], &[])
            .await
            .problem(422, "validation_failed");
        app.post_form(&sandbox, &author, &[file, ("entrypoint", None, b"not a name")], &[])
            .await
            .problem(422, "validation_failed");
        assert_eq!(upload_folders(&app).await, 0, "{:?}: refused runs left their uploads", app.backend);
    })
    .await;
}

#[tokio::test]
async fn an_abandoned_upload_leaves_nothing_behind() {
    each_backend(|app| async move {
        let schema = json!({ "files": { "accept": [".csv"], "min": 1, "max": 2 } });
        app.publish_tool("halvvags", "x = 1", schema, Value::Null).await;
        let user = app.token(Role::User).await;
        // The form's first part and some of the file, then the client stops sending.
        let (content_type, body) = multipart(&[("files", Some("stor.csv"), &[b'1'; 64 * 1024])]);
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
        tx.send(Ok(Bytes::copy_from_slice(&body[..body.len() - 100]))).await.unwrap();
        let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/tools/halvvags/run")
            .header(header::AUTHORIZATION, format!("Bearer {user}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from_stream(stream))
            .unwrap();
        let router = app.router.clone();
        let upload = tokio::spawn(async move { router.oneshot(request).await });
        let uploads = app.dir.path().join("uploads");
        let started = std::time::Instant::now();
        while std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0) == 0 {
            assert!(started.elapsed() < Duration::from_secs(5), "the upload never reached the disk");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        upload.abort();
        let _ = upload.await;
        drop(tx);
        assert_eq!(upload_folders(&app).await, 0, "{:?}: an abandoned upload stayed on disk", app.backend);
    })
    .await;
}

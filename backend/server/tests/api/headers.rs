//! Security headers on every answer (docs/security.md): JSON, problems and downloads.

use crate::support::each_backend;
use axum::http::Method;
use serde_json::Value;
use skriptoteket_domain::Role;

#[tokio::test]
async fn every_answer_refuses_sniffing_and_framing_by_other_sites() {
    each_backend(|app| async move {
        app.publish_tool("rubriker", "write_artifact = 1", Value::Null, Value::Null).await;
        let user = app.token(Role::User).await;
        let run = app.post_form("/api/tools/rubriker/run", &user, &[], &[("prefer", "wait=10")]).await;
        let download = run.body["artifacts"][0]["download_url"].as_str().expect("an artifact").to_owned();
        for (path, token) in [("/api/health", None), ("/api/nope", None), ("/api/tools", Some(&user))] {
            let reply = app.call(Method::GET, path, token.map(String::as_str), None).await;
            assert_eq!(reply.headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(reply.headers["x-frame-options"], "SAMEORIGIN", "{path}");
            assert_eq!(reply.headers["referrer-policy"], "same-origin", "{path}");
        }
        let file = app.call(Method::GET, &download, Some(&user), None).await;
        assert_eq!(file.status, 200, "{}", file.body);
        assert_eq!(file.headers["x-content-type-options"], "nosniff");
        assert_eq!(file.headers["content-security-policy"], "default-src 'none'; sandbox");
        assert!(file.headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    })
    .await;
}

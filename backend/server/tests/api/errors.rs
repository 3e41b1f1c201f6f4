//! Every kind of bad input gets a problem document, never plain text or a 500.

use crate::support::each_backend;
use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::json;
use skriptoteket_domain::Role;

#[tokio::test]
async fn validation_errors_list_every_offending_field() {
    each_backend(|app| async move {
        let admin = app.token(Role::Admin).await;
        let body = json!({ "email": "not-an-email", "display_name": "", "role": "user", "password": "short" });
        let reply = app.call(Method::POST, "/api/admin/users", Some(&admin), Some(body)).await;
        let problem = reply.problem(422, "validation_failed");
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["display_name", "email", "password"], "{problem}");
        assert_eq!(problem["errors"][2]["message"], "must be between 8 and 1024 characters");
    })
    .await;
}

#[tokio::test]
async fn malformed_bodies_and_unknown_fields_are_problems() {
    each_backend(|app| async move {
        let admin = app.token(Role::Admin).await;
        let unknown = json!({ "email": "x@y.se", "display_name": "X", "role": "user", "password": "long-enough", "is_root": true });
        let reply = app.call(Method::POST, "/api/admin/users", Some(&admin), Some(unknown)).await;
        let problem = reply.problem(422, "validation_failed");
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("is_root"), "{problem}");

        let bad_role = json!({ "email": "x@y.se", "display_name": "X", "role": "root", "password": "long-enough" });
        app.call(Method::POST, "/api/admin/users", Some(&admin), Some(bad_role)).await.problem(422, "validation_failed");

        let broken = Request::builder()
            .method(Method::POST)
            .uri("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"email\": "))
            .unwrap();
        app.send(broken).await.problem(400, "invalid_json");

        let not_json = Request::builder().method(Method::POST).uri("/api/auth/login").body(Body::from("email=x")).unwrap();
        app.send(not_json).await.problem(400, "unsupported_media_type");

        let huge = Request::builder()
            .method(Method::POST)
            .uri("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(vec![b' '; 2 * 1024 * 1024]))
            .unwrap();
        app.send(huge).await.problem(413, "payload_too_large");
    })
    .await;
}

#[tokio::test]
async fn unknown_routes_methods_and_ids_are_problems() {
    each_backend(|app| async move {
        app.call(Method::GET, "/api/nope", None, None).await.problem(404, "not_found");
        let reply = app.call(Method::DELETE, "/api/auth/me", None, None).await;
        reply.problem(405, "method_not_allowed");
        let admin = app.token(Role::Admin).await;
        app.call(Method::GET, "/api/admin/users/not-a-uuid", Some(&admin), None).await.problem(400, "bad_request");
        app.call(Method::GET, "/api/admin/users?limit=many", Some(&admin), None)
            .await
            .problem(422, "validation_failed");
    })
    .await;
}

#[tokio::test]
async fn health_and_readiness_answer() {
    each_backend(|app| async move {
        let health = app.call(Method::GET, "/api/health", None, None).await;
        assert_eq!(health.body["status"], "ok");
        let ready = app.call(Method::GET, "/api/ready", None, None).await;
        assert_eq!(ready.body["status"], "ready", "{}", ready.body);
        assert!(ready.headers.get("x-request-id").is_some());
    })
    .await;
}

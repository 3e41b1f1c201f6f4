//! `TestApp`: the real router on a fresh store, with one signed-up user per role.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use skriptoteket_domain::{Role, User};
use skriptoteket_server::api;
use skriptoteket_server::auth::jwt::JwtKeys;
use skriptoteket_server::services::users::{CreateUser, create_unchecked};
use skriptoteket_server::state::{AppState, SessionConfig};
use skriptoteket_store::testing::{Backend, TestDb, backends};
use std::time::Duration;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct-horse-battery";
pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

pub struct TestApp {
    pub backend: Backend,
    pub router: Router,
    pub state: AppState,
    _db: TestDb,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts this is a problem document with `status` and `code`, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "body: {}",
            self.body
        );
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["request_id"].is_string(),
            "problems carry the request id: {}",
            self.body
        );
        &self.body
    }
}

/// Runs `test` once per backend the suite must cover.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        test(TestApp::new(backend).await).await;
    }
}

pub fn email(role: Role) -> String {
    format!("{role}@skola.se")
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        let db = TestDb::new(backend).await;
        for role in Role::ALL {
            let new = CreateUser {
                email: email(role),
                display_name: format!("The {role}"),
                role,
                password: PASSWORD.into(),
            };
            create_unchecked(db.store.as_ref(), new)
                .await
                .expect("seed user");
        }
        let sessions = SessionConfig {
            ttl: Duration::from_secs(3600),
            cookie_secure: false,
        };
        let state = AppState::new(db.store.clone(), JwtKeys::from_secret(SECRET), sessions);
        let router = api::app(state.clone(), Duration::from_secs(30), None);
        Self {
            backend,
            router,
            state,
            _db: db,
        }
    }

    pub async fn user(&self, role: Role) -> User {
        self.state
            .store
            .user_credentials(&email(role))
            .await
            .unwrap()
            .unwrap()
            .0
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A JSON request with an optional Bearer token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(json) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        let body = serde_json::json!({ "email": email, "password": password });
        self.call(Method::POST, "/api/auth/login", None, Some(body))
            .await
    }

    /// Signs in as the seeded user of `role` and returns the Bearer token.
    pub async fn token(&self, role: Role) -> String {
        let reply = self.login(&email(role), PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["access_token"].as_str().unwrap().to_owned()
    }
}

//! `TestApp`: the real router on a fresh store, with one signed-up user per role.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use skriptoteket_domain::execution::Runner;
use skriptoteket_domain::{Role, Store, User};
use skriptoteket_server::api;
use skriptoteket_server::auth::jwt::JwtKeys;
use skriptoteket_server::execution::{RunConfig, housekeeping, queue, relay};
use skriptoteket_server::services::users::{CreateUser, create_unchecked};
use skriptoteket_server::state::{AppState, SessionConfig};
use skriptoteket_store::testing::{Backend, TestDb, backends};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct-horse-battery";
pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

pub struct TestApp {
    pub backend: Backend,
    pub router: Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    /// The housekeeping task, when the test's `RunConfig` set an interval.
    pub housekeeping: Option<tokio::task::JoinHandle<()>>,
    workers: Option<JoinSet<()>>,
    /// Signals to and from other servers on the same database (PostgreSQL).
    relay: Option<tokio::task::JoinHandle<()>>,
    /// The schema or file; `None` on a second server, which uses the first one's.
    db: Option<TestDb>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        if let Some(mut workers) = self.workers.take() {
            workers.abort_all();
        }
        if let Some(task) = self.housekeeping.take() {
            task.abort();
        }
        if let Some(task) = self.relay.take() {
            task.abort();
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as sent, for downloads.
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// Asserts this is a problem document with `status` and `code`, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.content_type(), "application/problem+json", "body: {}", self.body);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(self.body["request_id"].is_string(), "problems carry the request id: {}", self.body);
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

/// How a test app runs tools.
pub enum Engine {
    /// The scripted fake (no Docker): for queue, permission and validation tests.
    Fake(Arc<crate::fake_runner::FakeRunner>),
    /// The real Docker runner and image.
    Docker,
    /// A runner the test built (several engines).
    Runner(Arc<dyn Runner>),
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        Self::build(backend, Engine::Fake(Arc::new(crate::fake_runner::FakeRunner::default())), |_| {}).await
    }

    /// The real Docker runner; `None` when the suite deliberately skips Docker.
    pub async fn with_docker(backend: Backend, configure: impl FnOnce(&mut RunConfig)) -> Option<Self> {
        if std::env::var("SKRIPTOTEKET_TEST_DOCKER").as_deref() != Ok("1") {
            if std::env::var("SKRIPTOTEKET_TEST_SKIP_DOCKER").as_deref() == Ok("1") {
                return None;
            }
            panic!(
                "set SKRIPTOTEKET_TEST_DOCKER=1 (make test does) or SKRIPTOTEKET_TEST_SKIP_DOCKER=1 to skip on purpose"
            );
        }
        Some(Self::build(backend, Engine::Docker, configure).await)
    }

    pub async fn build(backend: Backend, engine: Engine, configure: impl FnOnce(&mut RunConfig)) -> Self {
        let db = TestDb::new(backend).await;
        for role in Role::ALL {
            let new =
                CreateUser { email: email(role), display_name: format!("The {role}"), role, password: PASSWORD.into() };
            create_unchecked(db.store.as_ref(), new).await.expect("seed user");
        }
        let dir = tempfile::tempdir().unwrap();
        let instance = format!("test-{}", uuid::Uuid::new_v4().simple());
        let mut runs = RunConfig::under(dir.path(), &instance);
        runs.timeout_sandbox = Duration::from_secs(20);
        runs.timeout_production = Duration::from_secs(20);
        configure(&mut runs);
        Self::start(backend, engine, db.store.clone(), Some(db), dir, runs).await
    }

    /// Another server process on this app's database: its own instance name, files, workers
    /// and caches, the same signing secret (a token works on both).
    pub async fn second_server(&self, engine: Engine, configure: impl FnOnce(&mut RunConfig)) -> Self {
        let store = skriptoteket_store::connect(&self.database_url(), false).await.expect("second store");
        let dir = tempfile::tempdir().unwrap();
        let instance = format!("test-{}", uuid::Uuid::new_v4().simple());
        let mut runs = RunConfig::under(dir.path(), &instance);
        runs.timeout_sandbox = self.state.runs.timeout_sandbox;
        runs.timeout_production = self.state.runs.timeout_production;
        configure(&mut runs);
        Self::start(self.backend, engine, store, None, dir, runs).await
    }

    /// Stops claiming runs (this server only serves requests and signals).
    pub async fn kill_workers(&mut self) {
        if let Some(mut workers) = self.workers.take() {
            workers.abort_all();
            while workers.join_next().await.is_some() {}
        }
    }

    /// Simulates `kill -9` for good: workers, lease keeper and relay vanish without recording
    /// anything; the database and the requests still answer (as another server would).
    pub async fn kill(&mut self) {
        self.kill_workers().await;
        for task in [self.housekeeping.take(), self.relay.take()].into_iter().flatten() {
            task.abort();
        }
    }

    /// Simulates `kill -9` and a new start on the same database, files and instance name:
    /// the workers vanish without recording anything, then a fresh state starts.
    pub async fn crash_and_restart(self, engine: Engine) -> Self {
        self.restart_with(engine, |_| {}).await
    }

    /// Like `crash_and_restart`, with the run configuration changed for the new start.
    pub async fn restart_with(mut self, engine: Engine, configure: impl FnOnce(&mut RunConfig)) -> Self {
        if let Some(mut workers) = self.workers.take() {
            workers.abort_all();
            while workers.join_next().await.is_some() {}
        }
        for task in [self.housekeeping.take(), self.relay.take()].into_iter().flatten() {
            task.abort();
        }
        let db = self.db.take().expect("db");
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        let mut runs = self.state.runs.clone();
        configure(&mut runs);
        Self::start(self.backend, engine, db.store.clone(), Some(db), dir, runs).await
    }

    async fn start(
        backend: Backend,
        engine: Engine,
        store: Arc<dyn Store>,
        db: Option<TestDb>,
        dir: tempfile::TempDir,
        runs: RunConfig,
    ) -> Self {
        let runner: Arc<dyn Runner> = match engine {
            Engine::Fake(fake) => fake,
            Engine::Runner(runner) => runner,
            Engine::Docker => {
                let image = std::env::var("RUNNER_IMAGE").unwrap_or_else(|_| "skriptoteket-runner:latest".into());
                let runner =
                    skriptoteket_runner::DockerRunner::connect(image, Default::default(), runs.instance.clone())
                        .await
                        .expect("docker");
                Arc::new(runner)
            }
        };
        let sessions = SessionConfig {
            ttl: Duration::from_secs(3600),
            cookie_secure: false,
            trusted_proxies: vec![std::net::Ipv4Addr::LOCALHOST.into()],
        };
        let state = AppState::new(store, runner, JwtKeys::from_secret(SECRET), sessions, runs);
        let workers = queue::start(&state).await.expect("queue");
        let housekeeping = housekeeping::start(&state);
        let relay = relay::start(&state);
        // Signals sent before a server listens are missed (by design; the caches' bound covers
        // that): tests that talk across servers start once it hears the others.
        if relay.is_some() {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while !state.relay.is_listening() && std::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let router = api::app(state.clone(), Duration::from_secs(30), None);
        Self { backend, router, state, dir, housekeeping, workers: Some(workers), relay, db }
    }

    /// The database URL this app uses (for CLI commands under test).
    pub fn database_url(&self) -> String {
        self.db.as_ref().expect("the first server's db").url.clone()
    }

    pub async fn user(&self, role: Role) -> User {
        self.state.store.user_credentials(&email(role)).await.unwrap().unwrap().0
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply { status, headers, body, bytes: bytes.to_vec() }
    }

    /// A JSON request with an optional Bearer token.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(json) => builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    /// A request without a body, with a Bearer token and extra headers (e.g. `Prefer`).
    pub async fn call_with(&self, method: Method, path: &str, token: &str, headers: &[(&str, &str)]) -> Reply {
        let mut builder =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        let body = serde_json::json!({ "email": email, "password": password });
        self.call(Method::POST, "/api/auth/login", None, Some(body)).await
    }

    /// Signs in as the seeded user of `role` and returns the Bearer token.
    pub async fn token(&self, role: Role) -> String {
        let reply = self.login(&email(role), PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["access_token"].as_str().unwrap().to_owned()
    }
}

/// A multipart body: `(name, Some(file name), bytes)` for files, `(name, None, text)` for fields.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "skriptoteket-test-boundary";
    let mut body = Vec::new();
    for (name, file, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Posts a multipart form with a Bearer token and optional extra headers.
    pub async fn post_form(
        &self,
        path: &str,
        token: &str,
        parts: &[(&str, Option<&str>, &[u8])],
        headers: &[(&str, &str)],
    ) -> Reply {
        let (content_type, body) = multipart(parts);
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// Creates a tool as the contributor, with `source` and optional schemas, gives it a
    /// category and profession, and publishes it as the admin. Returns (tool id, slug, version id).
    pub async fn publish_tool(
        &self,
        slug: &str,
        source: &str,
        input_schema: serde_json::Value,
        settings_schema: serde_json::Value,
    ) -> (String, String, String) {
        let author = self.token(Role::Contributor).await;
        let admin = self.token(Role::Admin).await;
        let created = self
            .call(Method::POST, "/api/admin/tools", Some(&author), Some(serde_json::json!({ "title": format!("Verktyg {slug}"), "summary": "Ett testverktyg", "slug": slug })))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let tool_id = created.body["tool"]["id"].as_str().unwrap().to_owned();
        let version_id = created.body["draft"]["id"].as_str().unwrap().to_owned();
        let categories = self.call(Method::GET, "/api/categories", Some(&author), None).await;
        let professions = self.call(Method::GET, "/api/professions", Some(&author), None).await;
        let patch = serde_json::json!({ "category_ids": [categories.body[0]["id"]], "profession_ids": [professions.body[0]["id"]] });
        let patched =
            self.call(Method::PATCH, &format!("/api/admin/tools/{tool_id}"), Some(&author), Some(patch)).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        let save = serde_json::json!({ "source": source, "input_schema": input_schema, "settings_schema": settings_schema, "expected_revision": created.body["draft"]["revision"] });
        let saved =
            self.call(Method::PUT, &format!("/api/admin/tool-versions/{version_id}"), Some(&author), Some(save)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let submitted = self
            .call(Method::POST, &format!("/api/admin/tool-versions/{version_id}/submit-review"), Some(&author), None)
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
        let published = self
            .call(Method::POST, &format!("/api/admin/tool-versions/{version_id}/publish"), Some(&admin), None)
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        (tool_id, slug.to_owned(), version_id)
    }

    /// Polls a run until it is final (at most `secs` seconds).
    pub async fn wait_run(&self, token: &str, run_id: &str, secs: u64) -> Reply {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let reply = self.call(Method::GET, &format!("/api/runs/{run_id}"), Some(token), None).await;
            let status = reply.body["status"].as_str().unwrap_or_default().to_owned();
            if !matches!(status.as_str(), "queued" | "running") || std::time::Instant::now() > deadline {
                return reply;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The entries of a zip (checked with Python's `zipfile`, an independent reader): each name
/// with its size, and its text for `.json` and `.txt` entries.
pub fn zip_entries(bytes: &[u8]) -> serde_json::Map<String, Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.zip");
    std::fs::write(&path, bytes).unwrap();
    let script = "import json,sys,zipfile\n\
        z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None\n\
        print(json.dumps({i.filename: {'size': i.file_size, 'text': z.read(i).decode() if i.filename.endswith(('.json', '.txt')) else None} for i in z.infolist()}))";
    let out = std::process::Command::new("python3").args(["-c", script]).arg(&path).output().unwrap();
    assert!(out.status.success(), "not a valid zip: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_object().unwrap().clone()
}

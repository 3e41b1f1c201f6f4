//! Several server processes on one PostgreSQL database (issue 15): two `AppState`s with their
//! own instance names, workers and hubs on the same schema, as two `skriptoteket serve` would.

use crate::fake_runner::FakeRunner;
use crate::support::{Engine, PASSWORD, TestApp, email};
use axum::http::{Method, StatusCode, header};
use serde_json::Value;
use skriptoteket_domain::Role;
use skriptoteket_store::testing::{Backend, backends};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn fake() -> Engine {
    Engine::Fake(Arc::new(FakeRunner::default()))
}

/// Several servers need PostgreSQL (SQLite is one process's file).
fn postgres() -> Option<Backend> {
    backends().into_iter().find(|b| *b == Backend::Postgres)
}

/// The whole event stream of a run, read through `app` until it ends.
async fn event_stream(app: &TestApp, token: &str, run: &str) -> String {
    let request = axum::http::Request::builder()
        .uri(format!("/api/runs/{run}/events"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

async fn wait_for_status(app: &TestApp, token: &str, run: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = app.call(Method::GET, &format!("/api/runs/{run}"), Some(token), None).await;
        if reply.body["status"] == status {
            return reply.body;
        }
        assert!(Instant::now() < deadline, "never {status}: {}", reply.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Servers A and B, and a run of a tool with `source` by `role` that A is executing: B only
/// serves requests. Returns (A, B, the token, the run id).
async fn running_on_a(backend: Backend, source: &str, role: Role) -> (TestApp, TestApp, String, String) {
    let a = TestApp::build(backend, fake(), |_| {}).await;
    let mut b = a.second_server(fake(), |_| {}).await;
    b.kill_workers().await;
    a.publish_tool("fjarr", source, Value::Null, Value::Null).await;
    let token = a.token(role).await;
    let run = a.post_form("/api/tools/fjarr/run", &token, &[], &[]).await.body["id"].as_str().unwrap().to_owned();
    wait_for_status(&b, &token, &run, "running").await;
    (a, b, token, run)
}

#[tokio::test]
async fn a_run_executing_on_one_server_is_followed_live_through_another() {
    let Some(backend) = postgres() else { return };
    let (_a, b, admin, run) = running_on_a(backend, "progress = 1\nsleep=3", Role::Admin).await;
    let started = Instant::now();
    let follower = {
        let (b, admin, run) = (&b, admin.clone(), run.clone());
        async move { event_stream(b, &admin, &run).await }
    };
    let progress = async {
        // A saves the progress with the run's heartbeat; B reads it from there.
        loop {
            let body = b.call(Method::GET, &format!("/api/runs/{run}"), Some(&admin), None).await.body;
            if body["progress"]["total"] == 2.0 || body["status"] != "running" {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let (text, while_running) = tokio::join!(follower, progress);
    assert_eq!(while_running["status"], "running", "B showed A's progress while it ran: {while_running}");
    assert_eq!(while_running["progress"]["stage"], "Halvvägs");
    // The fake writes to stderr after its work: B's follower saw it live, before the end.
    let live = text.find(r#""stream":"stderr""#).unwrap_or_else(|| panic!("no live output through B:\n{text}"));
    let end = text.find("event: run").unwrap_or_else(|| panic!("no end:\n{text}"));
    assert!(live < end, "{text}");
    assert!(text.contains(r#"{"status":"succeeded"}"#), "{text}");
    // Signalled, not found by the slow safety poll (15 s).
    assert!(started.elapsed() < Duration::from_secs(8), "the end reached B after {:?}", started.elapsed());
}

#[tokio::test]
async fn a_cancel_through_another_server_stops_the_run_at_once() {
    let Some(backend) = postgres() else { return };
    let (_a, b, user, run) = running_on_a(backend, "sleep=30", Role::User).await;
    let asked = Instant::now();
    let reply = b.call(Method::POST, &format!("/api/runs/{run}/cancel"), Some(&user), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    wait_for_status(&b, &user, &run, "cancelled").await;
    // The heartbeat would notice within 2 s as well; the signal is usually far quicker.
    assert!(asked.elapsed() < Duration::from_secs(4), "{:?}", asked.elapsed());
}

#[tokio::test]
async fn a_killed_servers_runs_are_settled_by_another_within_the_lease() {
    let Some(backend) = postgres() else { return };
    let lease = Duration::from_secs(3);
    let mut a = TestApp::build(backend, fake(), |runs| runs.lease = lease).await;
    a.publish_tool("evig", "sleep=60", Value::Null, Value::Null).await;
    a.publish_tool("snabb", "ok", Value::Null, Value::Null).await;
    let user = a.token(Role::User).await;
    let stuck = a.post_form("/api/tools/evig/run", &user, &[], &[]).await.body["id"].as_str().unwrap().to_owned();
    wait_for_status(&a, &user, &stuck, "running").await;
    // A's only worker is busy: this one waits in the queue, owned by nobody.
    let waiting = a.post_form("/api/tools/snabb/run", &user, &[], &[]).await.body["id"].as_str().unwrap().to_owned();
    a.kill().await;
    let killed = Instant::now();
    let b = a.second_server(fake(), |runs| runs.lease = lease).await;
    let admin = b.token(Role::Admin).await;
    let follower = event_stream(&b, &admin, &stuck);
    let text = tokio::time::timeout(Duration::from_secs(15), follower).await.expect("the follower's stream ended");
    let settled_after = killed.elapsed();
    assert!(text.contains(r#"{"status":"failed"}"#), "{text}");
    let failed = b.call(Method::GET, &format!("/api/runs/{stuck}"), Some(&user), None).await.body;
    assert_eq!(failed["error_code"], "interrupted", "{failed}");
    // The bound: the lease, one sweep interval (a sixth of it), and slack for a busy machine.
    assert!(settled_after < lease + lease / 6 + Duration::from_secs(2), "settled after {settled_after:?}");
    let done = b.wait_run(&user, &waiting, 10).await;
    assert_eq!(done.body["status"], "succeeded", "B ran the dead server's queued run: {}", done.body);
    // A's lease is over and its (here: no) containers reaped: it is forgotten.
    let far = chrono::Utc::now() + chrono::Duration::hours(1);
    let known = b.state.store.dead_instances(far).await.unwrap();
    assert_eq!(known, [b.state.runs.instance.as_str()], "only B is left");
    // A late result of the dead server changes nothing.
    let late = skriptoteket_domain::run::RunFinish {
        status: skriptoteket_domain::run::RunStatus::Succeeded,
        stdout: String::new(),
        stderr: String::new(),
        ui: None,
        error_summary: None,
        error: None,
        exit_code: Some(0),
        artifacts: vec![],
    };
    let id = stuck.parse().unwrap();
    let recorded = b.state.store.finish_run(id, late).await.unwrap().unwrap();
    assert_eq!(recorded.status, skriptoteket_domain::run::RunStatus::Failed);
}

#[tokio::test]
async fn a_disabled_user_is_refused_by_every_server_at_once() {
    let Some(backend) = postgres() else { return };
    let a = TestApp::build(backend, fake(), |_| {}).await;
    let b = a.second_server(fake(), |_| {}).await;
    let user = a.token(Role::User).await;
    let admin = a.token(Role::Admin).await;
    let id = a.user(Role::User).await.id;
    let path = format!("/api/admin/users/{id}");
    // B has the user in its cache now.
    assert_eq!(b.call(Method::GET, "/api/auth/me", Some(&user), None).await.status, StatusCode::OK);
    let disabled = a.call(Method::PATCH, &path, Some(&admin), Some(serde_json::json!({ "disabled": true }))).await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    let deadline = Instant::now() + Duration::from_millis(1500);
    loop {
        let reply = b.call(Method::GET, "/api/auth/me", Some(&user), None).await;
        if reply.status != StatusCode::OK {
            break;
        }
        // The cache alone would keep the user for 2 s.
        assert!(Instant::now() < deadline, "B still let the disabled user in");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn sign_in_throttling_is_shared_by_the_servers() {
    let Some(backend) = postgres() else { return };
    let a = TestApp::build(backend, fake(), |_| {}).await;
    let b = a.second_server(fake(), |_| {}).await;
    // Five failures of one email, spread over both servers, reach the limit on each.
    for app in [&a, &b, &a, &b, &a] {
        app.login("ghost@skola.se", "wrong-password").await.problem(401, "invalid_credentials");
    }
    b.login("ghost@skola.se", "wrong-password").await.problem(429, "too_many_attempts");
    a.login("ghost@skola.se", "wrong-password").await.problem(429, "too_many_attempts");
    // A success on one server starts the email over on both.
    for app in [&a, &b] {
        app.login(&email(Role::Contributor), "wrong-password").await.problem(401, "invalid_credentials");
    }
    assert_eq!(a.login(&email(Role::Contributor), PASSWORD).await.status, StatusCode::OK);
    for _ in 0..4 {
        b.login(&email(Role::Contributor), "wrong-password").await.problem(401, "invalid_credentials");
    }
}

#[tokio::test]
async fn the_containers_of_a_dead_server_are_removed_from_the_engine() {
    let backend = postgres().unwrap_or(Backend::Sqlite);
    // A long lease keeps the app's own sweep away from the dead server; the test sweeps as of
    // a later time instead.
    let lease = Duration::from_secs(3600);
    let Some(app) = TestApp::with_docker(backend, |runs| runs.lease = lease).await else { return };
    let dead = format!("dead-{}", uuid::Uuid::new_v4().simple());
    let image = std::env::var("RUNNER_IMAGE").unwrap_or_else(|_| "skriptoteket-runner:latest".into());
    let docker = |args: &[&str]| {
        let out = std::process::Command::new("docker").args(args).output().expect("docker CLI");
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let instance_label = format!("org.skriptoteket.instance={dead}");
    // What a server killed mid-run leaves: its run's container, still going.
    docker(&[
        "run",
        "-d",
        "--name",
        &format!("skt-run-{dead}"),
        "--label",
        "org.skriptoteket.managed=true",
        "--label",
        &instance_label,
        "--network",
        "none",
        "--entrypoint",
        "sleep",
        &image,
        "300",
    ]);
    let now = chrono::Utc::now();
    app.state.store.heartbeat_instance(&dead, now).await.unwrap();
    let later = now + chrono::Duration::hours(2);
    let swept = skriptoteket_server::execution::queue::sweep(&app.state, later).await.unwrap();
    assert_eq!(swept.instances, [dead.as_str()]);
    let left = docker(&["ps", "-aq", "--filter", &format!("label={instance_label}")]);
    assert!(left.is_empty(), "the dead server's container is still there: {left}");
    let own = app.state.runs.instance.clone();
    let known = app.state.store.dead_instances(later).await.unwrap();
    assert_eq!(known, [own], "the dead server is forgotten");
}

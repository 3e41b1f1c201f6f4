//! Several container engines end to end: the local engine and a second `dockerd` over TLS on
//! loopback (`scripts/ci/start-tls-dockerd.sh DIR PORT`, which `make test-rust` starts).
//! Selected by `SKRIPTOTEKET_TEST_DOCKER2=tcp://127.0.0.1:PORT` with
//! `SKRIPTOTEKET_TEST_DOCKER2_DIR=DIR` (its certificates are in DIR/certs); the test kills that
//! daemon and starts it again, so nothing else may use it meanwhile.

use crate::support::{Engine, TestApp};
use axum::http::Method;
use clap::Parser;
use serde_json::Value;
use skriptoteket_domain::Role;
use skriptoteket_domain::execution::Runner;
use skriptoteket_runner::fleet::Probe;
use skriptoteket_runner::{DockerRunner, EngineSpec, Fleet};
use skriptoteket_server::cli;
use skriptoteket_server::config::{Cli, Command};
use skriptoteket_store::testing::backends;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct SecondEngine {
    address: String,
    dir: PathBuf,
}

fn second_engine() -> Option<SecondEngine> {
    let (Ok(address), Ok(dir)) =
        (std::env::var("SKRIPTOTEKET_TEST_DOCKER2"), std::env::var("SKRIPTOTEKET_TEST_DOCKER2_DIR"))
    else {
        eprintln!(
            "NOTE: skipping the two-engine test: set SKRIPTOTEKET_TEST_DOCKER2=tcp://127.0.0.1:PORT and \
             SKRIPTOTEKET_TEST_DOCKER2_DIR=DIR after `scripts/ci/start-tls-dockerd.sh DIR PORT` (make test-rust does)"
        );
        return None;
    };
    if std::env::var("SKRIPTOTEKET_TEST_DOCKER").as_deref() != Ok("1") {
        eprintln!("NOTE: skipping the two-engine test: it also needs SKRIPTOTEKET_TEST_DOCKER=1");
        return None;
    }
    Some(SecondEngine { address, dir: PathBuf::from(dir) })
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/ci").join(name)
}

/// Runs placed on each engine since start.
fn placed(fleet: &Fleet<DockerRunner>) -> Vec<u64> {
    fleet.engines().iter().map(|e| e.placed).collect()
}

async fn until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "waited {secs} s for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn check<'a>(ready: &'a Value, name: &str) -> &'a Value {
    ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {ready}"))
}

#[tokio::test]
async fn runs_spread_over_two_engines_and_a_dead_engine_loses_its_runs_then_comes_back() {
    let Some(second) = second_engine() else { return };
    let Some(backend) = backends().into_iter().next() else { return };
    let certs = second.dir.join("certs");
    let hosts = format!("unix:///var/run/docker.sock=1,{}?certs={}=1", second.address, certs.display());
    let image = std::env::var("RUNNER_IMAGE").unwrap_or_else(|_| "skriptoteket-runner:latest".into());
    let instance = format!("test-{}", uuid::Uuid::new_v4().simple());
    let mut engines = Vec::new();
    for spec in EngineSpec::parse_list(&hosts, 1, None).unwrap() {
        let runner =
            DockerRunner::connect_to(&spec, image.clone(), Default::default(), instance.clone()).await.unwrap();
        engines.push((spec.address, spec.capacity, runner));
    }
    let probe = Probe { every: Duration::from_secs(1), within: Duration::from_secs(2) };
    let fleet = Arc::new(Fleet::new(engines, probe));
    let app =
        TestApp::build(backend, Engine::Runner(fleet.clone()), |runs| runs.max_concurrency = fleet.capacity()).await;
    let _watch = fleet.watch(app.state.shutdown.clone());
    let (local, remote) = ("engine:unix:///var/run/docker.sock", format!("engine:{}", second.address));

    // `runner check` tries a hardened run on every listed engine.
    let cli = Cli::parse_from(["skriptoteket", "runner", "check", "--runner-docker-hosts", &hosts]);
    let Command::Runner(command) = cli.command else { unreachable!() };
    cli::runner_check(command).await.expect("runner check on both engines");

    app.publish_tool("hej", "def run_tool(i, o):\n    return {'outputs': []}\n", Value::Null, Value::Null).await;
    app.publish_tool(
        "sov",
        "import time\ndef run_tool(i, o):\n    print('sover', flush=True)\n    time.sleep(8)\n    return {'outputs': []}\n",
        Value::Null,
        Value::Null,
    )
    .await;
    let user = app.token(Role::User).await;
    let submit = |slug: &'static str| {
        let (app, user) = (&app, &user);
        async move {
            let run = app.post_form(&format!("/api/tools/{slug}/run"), user, &[], &[]).await;
            run.body["id"].as_str().unwrap_or_else(|| panic!("{}", run.body)).to_owned()
        }
    };

    // Spread: six quick runs land on both engines.
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(submit("hej").await);
    }
    for id in &ids {
        let run = app.wait_run(&user, id, 60).await;
        assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    }
    let spread = placed(&fleet);
    assert!(spread.iter().all(|n| *n >= 2), "runs on both engines: {spread:?}");
    let ready = app.call(Method::GET, "/api/ready", None, None).await;
    assert_eq!(ready.body["status"], "ready", "{}", ready.body);
    assert_eq!(check(&ready.body, &remote)["ok"], true);

    // One long run on each engine; then the second engine's daemon dies (kill -9).
    let long = [submit("sov").await, submit("sov").await];
    until("a long run on each engine", 60, || fleet.engines().iter().all(|e| e.running == 1)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = std::fs::read_to_string(second.dir.join("pid")).unwrap();
    let killed = std::process::Command::new("kill").args(["-KILL", pid.trim()]).status().unwrap();
    assert!(killed.success());
    let killed_at = Instant::now();
    let mut endings = Vec::new();
    for id in &long {
        let run = app.wait_run(&user, id, 30).await;
        endings.push((run.body["status"].as_str().unwrap().to_owned(), run.body["error_code"].clone(), run.body));
    }
    let lost: Vec<_> = endings.iter().filter(|(status, _, _)| status == "failed").collect();
    assert_eq!(lost.len(), 1, "exactly the run on the dead engine fails: {endings:?}");
    assert_eq!(lost[0].1, "engine_unavailable", "{}", lost[0].2);
    assert!(endings.iter().any(|(status, _, _)| status == "succeeded"), "the other engine's run goes on: {endings:?}");
    assert!(killed_at.elapsed() < Duration::from_secs(15), "the lost run ended without waiting for its timeout");

    let ready = app.call(Method::GET, "/api/ready", None, None).await;
    assert_eq!(ready.body["status"], "ready", "one engine still takes runs: {}", ready.body);
    assert_eq!(check(&ready.body, &remote)["ok"], false, "{}", ready.body);
    assert_eq!(check(&ready.body, local)["ok"], true);
    assert!(check(&ready.body, "container_engine")["detail"].as_str().unwrap().starts_with("1 of 2 engines answer"));
    let metrics = app.call(Method::GET, "/metrics", None, None).await;
    let text = metrics.body.as_str().unwrap_or_default();
    assert!(text.contains(&format!("skriptoteket_engine_up{{engine=\"{}\"}} 0", second.address)), "{text}");
    assert!(text.contains("skriptoteket_engine_up{engine=\"unix:///var/run/docker.sock\"} 1"), "{text}");
    assert!(text.contains(&format!("skriptoteket_engine_lost_runs_total{{engine=\"{}\"}} 1", second.address)));

    // Later runs all go to the first engine.
    let before = placed(&fleet);
    for _ in 0..3 {
        let id = submit("hej").await;
        assert_eq!(app.wait_run(&user, &id, 60).await.body["status"], "succeeded");
    }
    let after = placed(&fleet);
    assert_eq!((after[0] - before[0], after[1] - before[1]), (3, 0), "{before:?} → {after:?}");

    // The daemon comes back: the next probe marks it up and it takes runs again.
    let started = std::process::Command::new("bash")
        .arg(script("start-tls-dockerd.sh"))
        .arg(&second.dir)
        .arg(second.address.rsplit(':').next().unwrap())
        .status()
        .unwrap();
    assert!(started.success());
    until("the second engine marked up", 30, || fleet.engines()[1].up).await;
    let before = placed(&fleet);
    for _ in 0..2 {
        let id = submit("hej").await;
        assert_eq!(app.wait_run(&user, &id, 60).await.body["status"], "succeeded");
    }
    assert!(placed(&fleet)[1] > before[1], "the engine back takes runs again");
    let ready = app.call(Method::GET, "/api/ready", None, None).await;
    assert_eq!(check(&ready.body, &remote)["ok"], true, "{}", ready.body);
    for runner in fleet.runners() {
        let left = runner.containers_with_label(&format!("org.skriptoteket.instance={instance}")).await.unwrap();
        assert!(left.is_empty(), "containers left behind: {left:?}");
    }
}

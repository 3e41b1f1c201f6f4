use super::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// An engine that runs `sleep=MS` tools; when told to stop answering, runs in progress end
/// the way a dead engine's do (no result), and pings fail.
#[derive(Default)]
struct FakeEngine {
    silent: AtomicBool,
    recovered: AtomicUsize,
}

impl FakeEngine {
    fn set_answering(&self, answering: bool) {
        self.silent.store(!answering, Ordering::SeqCst);
    }
}

#[async_trait]
impl Runner for FakeEngine {
    async fn execute(&self, request: RunRequest, _events: EventSink, cancel: CancellationToken) -> Execution {
        let started = Instant::now();
        let ms = request.source.strip_prefix("sleep=").and_then(|n| n.parse().ok()).unwrap_or(0);
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(ms)) => {}
            () = cancel.cancelled() => return ended(ExecutionStatus::Cancelled, "cancelled".into(), ErrorCode::Cancelled, started),
        }
        if self.silent.load(Ordering::SeqCst) {
            return ended(ExecutionStatus::Failed, "no result".into(), ErrorCode::InvalidResult, started);
        }
        Execution {
            error_summary: None,
            error: None,
            status: ExecutionStatus::Succeeded,
            ..ended(ExecutionStatus::Succeeded, String::new(), ErrorCode::InternalError, started)
        }
    }

    async fn health(&self) -> RunnerHealth {
        let ok = !self.silent.load(Ordering::SeqCst);
        RunnerHealth { engine_ok: ok, engine: "Fake 1.0".into(), image_ok: ok, image: "runner:test".into() }
    }
}

#[async_trait]
impl Member for FakeEngine {
    async fn answers(&self, _within: Duration) -> bool {
        !self.silent.load(Ordering::SeqCst)
    }

    async fn recovered(&self) {
        self.recovered.fetch_add(1, Ordering::SeqCst);
    }
}

fn fleet(capacities: &[usize]) -> Arc<Fleet<FakeEngine>> {
    let engines = capacities.iter().enumerate().map(|(i, c)| (format!("e{i}"), *c, FakeEngine::default())).collect();
    Arc::new(Fleet::new(engines, Probe { every: Duration::from_millis(50), within: Duration::from_millis(50) }))
}

fn request(source: &str) -> RunRequest {
    RunRequest {
        run_id: uuid::Uuid::new_v4(),
        source: source.into(),
        entrypoint: "run_tool".into(),
        files: vec![],
        inputs: serde_json::json!({}),
        settings: serde_json::json!({}),
        action: None,
        timeout: Duration::from_secs(10),
        artifacts_dir: PathBuf::from("/nonexistent"),
        labels: vec![],
    }
}

async fn run(fleet: &Arc<Fleet<FakeEngine>>, source: &str) -> Execution {
    fleet.execute(request(source), Arc::new(|_| {}), CancellationToken::new()).await
}

fn spawn_run(fleet: &Arc<Fleet<FakeEngine>>, source: &str) -> tokio::task::JoinHandle<Execution> {
    let fleet = fleet.clone();
    let source = source.to_owned();
    tokio::spawn(async move { run(&fleet, &source).await })
}

fn placed(fleet: &Fleet<FakeEngine>) -> Vec<u64> {
    fleet.engines().iter().map(|e| e.placed).collect()
}

fn running(fleet: &Fleet<FakeEngine>) -> Vec<usize> {
    fleet.engines().iter().map(|e| e.running).collect()
}

async fn settle() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}

#[test]
fn the_engine_list_reads_sockets_tls_engines_and_concurrency() {
    let certs = Path::new("/etc/skt/certs");
    let list = EngineSpec::parse_list(
        " unix:///var/run/docker.sock=2 , tcp://10.0.0.5:2376=4,tcp://10.0.0.6:2376?certs=/etc/e6, /run/podman.sock",
        3,
        Some(certs),
    )
    .unwrap();
    assert_eq!(
        list,
        vec![
            EngineSpec { address: "unix:///var/run/docker.sock".into(), capacity: 2, certs: None },
            EngineSpec { address: "tcp://10.0.0.5:2376".into(), capacity: 4, certs: Some(certs.into()) },
            EngineSpec { address: "tcp://10.0.0.6:2376".into(), capacity: 3, certs: Some("/etc/e6".into()) },
            EngineSpec { address: "unix:///run/podman.sock".into(), capacity: 3, certs: None },
        ]
    );
    let with_both = EngineSpec::parse_list("tcp://h:2376?certs=/c=5", 1, None).unwrap();
    assert_eq!(with_both[0].capacity, 5);
    assert_eq!(with_both[0].certs.as_deref(), Some(Path::new("/c")));
}

#[test]
fn a_bad_engine_list_is_refused_with_the_reason() {
    for (text, reason) in [
        ("tcp://10.0.0.5:2376", "needs TLS client certificates"),
        ("unix:///var/run/docker.sock=0", "at least 1"),
        ("http://10.0.0.5:2375", "an engine is"),
        ("unix:///a.sock,unix:///a.sock=2", "listed twice"),
        ("unix:///a.sock?certs=/c", "takes no certificates"),
        (" , ", "no engine"),
    ] {
        let error = EngineSpec::parse_list(text, 1, None).unwrap_err();
        assert!(error.contains(reason), "{text}: {error}");
    }
}

#[tokio::test]
async fn sequential_runs_alternate_between_idle_engines() {
    let fleet = fleet(&[1, 1]);
    for _ in 0..4 {
        assert_eq!(run(&fleet, "sleep=0").await.status, ExecutionStatus::Succeeded);
    }
    assert_eq!(placed(&fleet), vec![2, 2]);
    assert_eq!(fleet.capacity(), 2);
}

#[tokio::test]
async fn a_run_goes_to_the_engine_with_the_smallest_share_in_use() {
    let fleet = fleet(&[4, 1]);
    let mut runs = Vec::new();
    for expected in [vec![1, 0], vec![1, 1], vec![2, 1], vec![3, 1], vec![4, 1]] {
        runs.push(spawn_run(&fleet, "sleep=300"));
        settle().await;
        assert_eq!(running(&fleet), expected);
    }
    // Full: the sixth waits for a place and takes the first one freed.
    let waiting = spawn_run(&fleet, "sleep=0");
    settle().await;
    assert_eq!(running(&fleet), vec![4, 1]);
    for r in runs {
        assert_eq!(r.await.unwrap().status, ExecutionStatus::Succeeded);
    }
    assert_eq!(waiting.await.unwrap().status, ExecutionStatus::Succeeded);
    assert_eq!(running(&fleet), vec![0, 0]);
}

#[tokio::test]
async fn an_engine_that_stops_answering_loses_its_runs_gets_no_new_ones_and_comes_back() {
    let fleet = fleet(&[1, 1]);
    let first = spawn_run(&fleet, "sleep=5000");
    let second = spawn_run(&fleet, "sleep=5000");
    settle().await;
    assert_eq!(running(&fleet), vec![1, 1]);

    fleet.engines[1].runner.set_answering(false);
    let started = Instant::now();
    fleet.probe().await;
    let lost = second.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1), "the lost run ended at once");
    assert_eq!(lost.status, ExecutionStatus::Failed);
    assert_eq!(lost.error.unwrap().code, ErrorCode::EngineUnavailable);
    assert!(lost.error_summary.unwrap().contains("e1 stopped answering"));
    let status = &fleet.engines()[1];
    assert!(!status.up);
    assert_eq!((status.running, status.lost), (0, 1));
    let health = fleet.health().await;
    assert!(health.engine_ok && health.image_ok, "one engine still answers");
    assert!(health.engine.starts_with("1 of 2 engines answer"), "{}", health.engine);

    // The first engine is busy, the second down: a new run waits for the first.
    let third = spawn_run(&fleet, "sleep=0");
    settle().await;
    first.abort();
    assert_eq!(third.await.unwrap().status, ExecutionStatus::Succeeded);
    assert_eq!(placed(&fleet), vec![2, 1]);

    fleet.engines[1].runner.set_answering(true);
    fleet.probe().await;
    assert!(fleet.engines()[1].up);
    assert_eq!(fleet.engines[1].runner.recovered.load(Ordering::SeqCst), 1, "leftovers cleared before reuse");
    run(&fleet, "sleep=0").await;
    assert_eq!(placed(&fleet), vec![2, 2], "the engine back takes runs again");
}

#[tokio::test]
async fn a_run_cut_short_by_a_dying_engine_is_blamed_on_the_engine_not_the_tool() {
    let fleet = fleet(&[1]);
    let cut = spawn_run(&fleet, "sleep=200");
    settle().await;
    // Dies before any probe notices: the run's stream just ends.
    fleet.engines[0].runner.set_answering(false);
    let execution = cut.await.unwrap();
    assert_eq!(execution.error.unwrap().code, ErrorCode::EngineUnavailable);
    assert!(!fleet.engines()[0].up);

    let refused = run(&fleet, "sleep=0").await;
    assert_eq!(refused.error.unwrap().code, ErrorCode::EngineUnavailable);
    assert!(refused.error_summary.unwrap().contains("no container engine answers"));
    let health = fleet.health().await;
    assert!(!health.engine_ok);
    assert_eq!(health.image, "runner:test");
}

#[tokio::test]
async fn a_run_waiting_for_a_place_can_be_cancelled() {
    let fleet = fleet(&[1]);
    let busy = spawn_run(&fleet, "sleep=2000");
    settle().await;
    let cancel = CancellationToken::new();
    let waiting = {
        let (fleet, cancel) = (fleet.clone(), cancel.clone());
        tokio::spawn(async move { fleet.execute(request("sleep=0"), Arc::new(|_| {}), cancel).await })
    };
    settle().await;
    cancel.cancel();
    assert_eq!(waiting.await.unwrap().status, ExecutionStatus::Cancelled);
    busy.abort();
    settle().await;
    assert_eq!(running(&fleet), vec![0], "an abandoned run frees its place");
}

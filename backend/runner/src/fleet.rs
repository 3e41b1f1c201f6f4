//! Several container engines behind one `Runner` (`RUNNER_DOCKER_HOSTS`). Each run goes to
//! the least-loaded engine that answers; an engine that stops answering is marked down, its
//! runs end at once as `engine_unavailable` (their containers went with it), and it takes runs
//! again after a probe finds it answering and its leftovers are cleared.
//!
//! Placement is per process: servers sharing engines do not see each other's load, so each
//! engine's `=N` is what one server may put there (docs/operations.md, "Several engines").

use async_trait::async_trait;
use skriptoteket_domain::contract::UiPayload;
use skriptoteket_domain::execution::{
    EngineStatus, EventSink, Execution, ExecutionStatus, PoolStats, RunRequest, Runner, RunnerHealth,
};
use skriptoteket_domain::run_error::{ErrorCode, RunError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// One entry of `RUNNER_DOCKER_HOSTS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSpec {
    /// `unix:///path` or `tcp://host:port`; also the engine's name in readiness and metrics.
    pub address: String,
    /// Runs it may take at once.
    pub capacity: usize,
    /// The directory with `ca.pem`, `cert.pem` and `key.pem`; always set for `tcp://`.
    pub certs: Option<PathBuf>,
}

impl EngineSpec {
    /// Parses `ADDRESS[?certs=DIR][=N],…`. `N` defaults to `default_capacity`; a `tcp://`
    /// engine without `?certs=` uses `default_certs` and is refused without either.
    pub fn parse_list(text: &str, default_capacity: usize, default_certs: Option<&Path>) -> Result<Vec<Self>, String> {
        let mut engines: Vec<Self> = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let engine = Self::parse(item, default_capacity, default_certs)?;
            if engines.iter().any(|e| e.address == engine.address) {
                return Err(format!("{} is listed twice", engine.address));
            }
            engines.push(engine);
        }
        if engines.is_empty() {
            return Err("no engine listed".into());
        }
        Ok(engines)
    }

    fn parse(item: &str, default_capacity: usize, default_certs: Option<&Path>) -> Result<Self, String> {
        let (rest, capacity) = match item.rsplit_once('=') {
            Some((rest, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                let n: usize = n.parse().map_err(|_| format!("{item}: the concurrency {n} is too large"))?;
                if n == 0 {
                    return Err(format!("{item}: the concurrency must be at least 1"));
                }
                (rest, n)
            }
            _ => (item, default_capacity.max(1)),
        };
        let (address, certs) = match rest.split_once("?certs=") {
            Some((address, dir)) if !dir.is_empty() => (address, Some(PathBuf::from(dir))),
            Some(_) => return Err(format!("{item}: ?certs= names no directory")),
            None => (rest, None),
        };
        let address = if address.starts_with('/') { format!("unix://{address}") } else { address.to_owned() };
        if address.starts_with("unix://") {
            if certs.is_some() {
                return Err(format!("{item}: a unix socket takes no certificates"));
            }
            return Ok(Self { address, capacity, certs: None });
        }
        if let Some(host) = address.strip_prefix("tcp://")
            && !host.is_empty()
        {
            let certs = certs.or_else(|| default_certs.map(Path::to_path_buf)).ok_or_else(|| {
                format!("{item}: a tcp:// engine needs TLS client certificates (RUNNER_DOCKER_CERT_PATH or ?certs=DIR)")
            })?;
            return Ok(Self { address, capacity, certs: Some(certs) });
        }
        Err(format!("{item}: an engine is unix:///path/to/docker.sock or tcp://host:port"))
    }
}

/// What the fleet needs of an engine's runner besides running tools.
#[async_trait]
pub trait Member: Runner {
    /// Whether the engine answers a ping within `within`.
    async fn answers(&self, within: Duration) -> bool;
    /// Called when the engine answers again after it was down, before it takes runs.
    async fn recovered(&self) {}
}

/// How often engines are pinged, and how long a ping may take before the engine counts as down.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub every: Duration,
    pub within: Duration,
}

impl Default for Probe {
    fn default() -> Self {
        Self { every: Duration::from_secs(5), within: Duration::from_secs(3) }
    }
}

pub struct Fleet<R> {
    engines: Vec<Engine<R>>,
    /// One lock for every engine's load, so choosing an engine and counting the run on it is
    /// one step.
    loads: Mutex<Vec<Load>>,
    /// Wakes runs waiting for a free place.
    freed: tokio::sync::Notify,
    probe: Probe,
}

struct Engine<R> {
    name: String,
    capacity: usize,
    runner: R,
}

struct Load {
    up: bool,
    running: usize,
    placed: u64,
    lost: u64,
    /// Cancelled when the engine is marked down, ending its runs; a fresh one when it is back.
    down: CancellationToken,
}

enum Placement {
    On(usize, CancellationToken),
    AllBusy,
    NoneUp,
}

impl<R: Member> Fleet<R> {
    /// `(name, capacity, runner)` for each engine, every one taken to be up until a probe
    /// or a run says otherwise.
    pub fn new(engines: Vec<(String, usize, R)>, probe: Probe) -> Self {
        let loads = engines
            .iter()
            .map(|_| Load { up: true, running: 0, placed: 0, lost: 0, down: CancellationToken::new() })
            .collect();
        let engines = engines
            .into_iter()
            .map(|(name, capacity, runner)| Engine { name, capacity: capacity.max(1), runner })
            .collect();
        Self { engines, loads: Mutex::new(loads), freed: tokio::sync::Notify::new(), probe }
    }

    pub fn runners(&self) -> impl Iterator<Item = &R> {
        self.engines.iter().map(|e| &e.runner)
    }

    /// Runs all engines may take at once: the server's worker count.
    pub fn capacity(&self) -> usize {
        self.engines.iter().map(|e| e.capacity).sum()
    }

    /// Pings every engine once, marking each up or down.
    pub async fn probe(&self) {
        let answers = futures::future::join_all(self.engines.iter().map(|e| e.runner.answers(self.probe.within))).await;
        for (index, answers) in answers.into_iter().enumerate() {
            let was_up = self.loads()[index].up;
            match (was_up, answers) {
                (true, false) => self.mark_down(index, "it did not answer a ping"),
                (false, true) => {
                    self.engines[index].runner.recovered().await;
                    self.mark_up(index);
                }
                _ => {}
            }
        }
    }

    /// Probes every `Probe::every` until `shutdown`.
    pub fn watch(self: &Arc<Self>, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let fleet = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(fleet.probe.every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => fleet.probe().await,
                    () = shutdown.cancelled() => break,
                }
            }
        })
    }

    fn loads(&self) -> std::sync::MutexGuard<'_, Vec<Load>> {
        self.loads.lock().expect("fleet lock")
    }

    /// The up engine with room whose share of its capacity in use is lowest; among equals the
    /// one given fewest runs, so sequential runs alternate.
    fn place(&self) -> Placement {
        let mut loads = self.loads();
        let best = loads
            .iter()
            .zip(&self.engines)
            .enumerate()
            .filter(|(_, (load, engine))| load.up && load.running < engine.capacity)
            .min_by(|(_, (a, ea)), (_, (b, eb))| {
                // a.running / ea.capacity against b.running / eb.capacity, without division.
                (a.running * eb.capacity).cmp(&(b.running * ea.capacity)).then(a.placed.cmp(&b.placed))
            })
            .map(|(index, _)| index);
        match best {
            Some(index) => {
                let load = &mut loads[index];
                load.running += 1;
                load.placed += 1;
                Placement::On(index, load.down.clone())
            }
            None if loads.iter().any(|l| l.up) => Placement::AllBusy,
            None => Placement::NoneUp,
        }
    }

    fn mark_down(&self, index: usize, why: &str) {
        let mut loads = self.loads();
        let load = &mut loads[index];
        if load.up {
            load.up = false;
            load.down.cancel();
            tracing::warn!(engine = %self.engines[index].name, running = load.running, why, "container engine marked down; its runs end and new runs go elsewhere");
        }
    }

    fn mark_up(&self, index: usize) {
        {
            let mut loads = self.loads();
            let load = &mut loads[index];
            if load.up {
                return;
            }
            load.up = true;
            load.down = CancellationToken::new();
        }
        tracing::info!(engine = %self.engines[index].name, "container engine answers again; it takes runs");
        self.freed.notify_waiters();
    }

    fn lost(&self, index: usize, partial: Option<Execution>, started: Instant) -> Execution {
        self.loads()[index].lost += 1;
        let summary = format!("The container engine {} stopped answering during the run.", self.engines[index].name);
        let mut execution = ended(ExecutionStatus::Failed, summary, ErrorCode::EngineUnavailable, started);
        if let Some(partial) = partial {
            execution.stdout = partial.stdout;
            execution.stderr = partial.stderr;
        }
        execution
    }
}

/// Counts a run off its engine however `execute` ends (also when its future is dropped).
struct Placed<'a, R: Member> {
    fleet: &'a Fleet<R>,
    index: usize,
}

impl<R: Member> Drop for Placed<'_, R> {
    fn drop(&mut self) {
        self.fleet.loads()[self.index].running -= 1;
        self.fleet.freed.notify_waiters();
    }
}

fn ended(status: ExecutionStatus, summary: String, code: ErrorCode, started: Instant) -> Execution {
    Execution {
        status,
        error_summary: Some(summary),
        error: Some(RunError::bare(code)),
        ui: UiPayload::default(),
        stdout: String::new(),
        stderr: String::new(),
        artifacts: Vec::new(),
        exit_code: None,
        duration: started.elapsed(),
    }
}

#[async_trait]
impl<R: Member> Runner for Fleet<R> {
    async fn execute(&self, request: RunRequest, events: EventSink, cancel: CancellationToken) -> Execution {
        let started = Instant::now();
        // With an engine down, its share of the workers waits here for a place on the others.
        let (index, down) = loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            match self.place() {
                Placement::On(index, down) => break (index, down),
                Placement::NoneUp => {
                    let summary = "The tool could not be started: no container engine answers.".to_owned();
                    return ended(ExecutionStatus::Failed, summary, ErrorCode::EngineUnavailable, started);
                }
                Placement::AllBusy => {}
            }
            tokio::select! {
                () = freed => {}
                () = cancel.cancelled() => {
                    return ended(ExecutionStatus::Cancelled, "The run was cancelled.".into(), ErrorCode::Cancelled, started);
                }
                // Every engine with room may have gone down meanwhile.
                () = tokio::time::sleep(self.probe.every) => {}
            }
        };
        let _placed = Placed { fleet: self, index };
        let engine = &self.engines[index];
        let execution = tokio::select! {
            execution = engine.runner.execute(request, events, cancel) => execution,
            // The run's container went with the engine; the runner's guard removes what is left.
            () = down.cancelled() => return self.lost(index, None, started),
        };
        // A dead engine cuts the run's stream, which reads as a tool that ended without a
        // result: ask the engine before blaming the tool.
        if execution.status == ExecutionStatus::Failed
            && !down.is_cancelled()
            && !engine.runner.answers(self.probe.within).await
        {
            self.mark_down(index, "it stopped answering during a run");
        }
        if down.is_cancelled() {
            return self.lost(index, Some(execution), started);
        }
        execution
    }

    async fn health(&self) -> RunnerHealth {
        let up: Vec<bool> = self.loads().iter().map(|l| l.up).collect();
        let deadline = self.probe.within * 2;
        let healths = futures::future::join_all(
            self.engines.iter().map(|e| async move { tokio::time::timeout(deadline, e.runner.health()).await.ok() }),
        )
        .await;
        let image = healths.iter().flatten().map(|h| h.image.clone()).next().unwrap_or_default();
        // An engine marked down counts as down until the next probe, even if it answers now.
        let answering: Vec<(&Engine<R>, RunnerHealth)> = self
            .engines
            .iter()
            .zip(healths)
            .zip(up)
            .filter_map(|((e, h), up)| h.filter(|h| up && h.engine_ok).map(|h| (e, h)))
            .collect();
        let versions: Vec<String> = answering.iter().map(|(e, h)| format!("{}: {}", e.name, h.engine)).collect();
        let engine = format!("{} of {} engines answer; {}", answering.len(), self.engines.len(), versions.join("; "));
        let missing: Vec<&str> = answering.iter().filter(|(_, h)| !h.image_ok).map(|(e, _)| e.name.as_str()).collect();
        RunnerHealth {
            engine_ok: !answering.is_empty(),
            engine,
            image_ok: !answering.is_empty() && missing.is_empty(),
            image: if missing.is_empty() { image } else { format!("{image} on {}", missing.join(", ")) },
        }
    }

    /// A dead server process may have left containers on every engine.
    async fn reap_instance(&self, instance: &str) -> Result<usize, String> {
        let reaped = futures::future::join_all(self.runners().map(|r| r.reap_instance(instance))).await;
        let mut total = 0;
        let mut failures = Vec::new();
        for (engine, result) in self.engines.iter().zip(reaped) {
            match result {
                Ok(n) => total += n,
                Err(e) => failures.push(format!("{}: {e}", engine.name)),
            }
        }
        // Any engine not reached: the instance is not forgotten, so a later sweep tries again.
        if failures.is_empty() { Ok(total) } else { Err(failures.join("; ")) }
    }

    fn pool_stats(&self) -> Option<PoolStats> {
        self.runners().filter_map(Runner::pool_stats).reduce(|a, b| PoolStats {
            size: a.size + b.size,
            ready: a.ready + b.ready,
            hits: a.hits + b.hits,
            misses: a.misses + b.misses,
        })
    }

    fn engines(&self) -> Vec<EngineStatus> {
        self.loads()
            .iter()
            .zip(&self.engines)
            .map(|(load, engine)| EngineStatus {
                name: engine.name.clone(),
                up: load.up,
                running: load.running,
                capacity: engine.capacity,
                placed: load.placed,
                lost: load.lost,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;

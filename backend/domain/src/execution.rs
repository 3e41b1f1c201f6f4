//! The execution port: what the server asks of a runner, and what comes back. The Docker
//! implementation lives in `skriptoteket-runner`; tests may use a fake.

use crate::contract::UiPayload;
use crate::run_error::RunError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// One uploaded file: its sanitised name and where the server keeps its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct InputFile {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
}

/// Everything one run needs.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub run_id: Uuid,
    pub source: String,
    pub entrypoint: String,
    pub files: Vec<InputFile>,
    /// The form inputs, a JSON object.
    pub inputs: serde_json::Value,
    /// The user's settings for the tool, handed in as `memory.json` `{"settings": ...}`.
    pub settings: serde_json::Value,
    /// For follow-up runs: `{action_id, input, state}`.
    pub action: Option<serde_json::Value>,
    pub timeout: Duration,
    /// An empty directory the runner fills with the run's artifacts.
    pub artifacts_dir: PathBuf,
    /// Extra container labels (e.g. the request id), namespaced by the runner.
    pub labels: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// Live progress of a run, for the event stream.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// The container is running.
    Started,
    /// A chunk of the tool's output (within the per-stream cap).
    Output { stream: LogStream, text: String },
    /// The tool's latest progress (`skriptoteket.progress`), at most ~10 a second.
    Progress(RunProgress),
}

/// How far a running tool says it has come: `done` of `total` (unknown when absent), and what
/// it is doing now. Checked on arrival: non-negative finite numbers, `stage` ≤ 200 characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunProgress {
    pub done: f64,
    pub total: Option<f64>,
    pub stage: Option<String>,
}

impl RunProgress {
    pub const STAGE_LIMIT: usize = 200;

    /// Parses a `P` frame's payload; `None` when it is not a valid progress message.
    pub fn parse(payload: &[u8]) -> Option<Self> {
        let mut value: Self = serde_json::from_slice(payload).ok()?;
        let valid = |n: f64| n.is_finite() && n >= 0.0;
        if !valid(value.done) || !value.total.is_none_or(valid) {
            return None;
        }
        if let Some(stage) = &mut value.stage
            && let Some((cut, _)) = stage.char_indices().nth(Self::STAGE_LIMIT)
        {
            stage.truncate(cut);
        }
        Some(value)
    }
}

pub type EventSink = Arc<dyn Fn(RunEvent) + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionStatus {
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
}

/// One kept output file.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactFile {
    /// The tool's relative name below `output/`.
    pub name: String,
    /// Where the runner stored it (a name the runner chose, inside `artifacts_dir`).
    pub stored_as: PathBuf,
    pub bytes: u64,
}

/// What came back from one run, whatever the tool did.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    pub status: ExecutionStatus,
    /// An explanation in English when the run did not succeed (≤ 20 KiB), for integrators
    /// and authors.
    pub error_summary: Option<String>,
    /// Why, as a code the SPA words for teachers (`output_cut` also on a success).
    pub error: Option<RunError>,
    pub ui: UiPayload,
    pub stdout: String,
    pub stderr: String,
    pub artifacts: Vec<ArtifactFile>,
    pub exit_code: Option<i64>,
    pub duration: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunnerHealth {
    pub engine_ok: bool,
    pub engine: String,
    pub image_ok: bool,
    pub image: String,
}

/// The pre-started containers of a runner that keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PoolStats {
    /// How many it keeps ready (`RUNNER_POOL_SIZE`).
    pub size: usize,
    /// How many are ready now.
    pub ready: usize,
    /// Runs that got a pre-started container, and runs that had to start their own.
    pub hits: u64,
    pub misses: u64,
}

/// One container engine of a runner that spreads runs over several (`RUNNER_DOCKER_HOSTS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineStatus {
    /// The engine's address as configured (`unix:///…`, `tcp://host:port`).
    pub name: String,
    /// It answered its last probe; runs are placed only on engines that are up.
    pub up: bool,
    /// Runs on it now, and how many it may take at once.
    pub running: usize,
    pub capacity: usize,
    /// Runs placed on it since start, and those of them that ended because it stopped answering.
    pub placed: u64,
    pub lost: u64,
}

#[async_trait]
pub trait Runner: Send + Sync + 'static {
    /// Runs one tool to the end. Never panics on tool behaviour: every failure is an `Execution`.
    async fn execute(&self, request: RunRequest, events: EventSink, cancel: CancellationToken) -> Execution;
    async fn health(&self) -> RunnerHealth;
    /// The pool of pre-started containers, when this runner keeps one.
    fn pool_stats(&self) -> Option<PoolStats> {
        None
    }
    /// Each engine's state, when this runner has several; empty for a single engine.
    fn engines(&self) -> Vec<EngineStatus> {
        Vec::new()
    }

    /// Removes what another server process (`instance`, found dead) left on the engine; how
    /// many containers. A runner that leaves nothing behind has nothing to do.
    async fn reap_instance(&self, instance: &str) -> Result<usize, String> {
        let _ = instance;
        Ok(0)
    }
}

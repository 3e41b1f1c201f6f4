//! The Docker implementation of `Runner`: one ephemeral container per run, inputs streamed
//! in as a tar over the attached stdin into a tmpfs `/work`, results framed back over
//! stdout (docs/adr/0004-execution-model.md). No volumes and no archive calls.

mod pool;
mod pump;
pub mod spec;

pub use pool::LABEL_POOL;

use crate::fleet::{EngineSpec, Member};
use crate::input_tar::{self, InputBundle};
use crate::limits::{Engine, RunLimits};
use crate::outcome::{self, Collected, Ending};
use crate::output_tar::{self, OutputBundle, OutputLimits};
use async_trait::async_trait;
use bollard::Docker;
use bollard::errors::Error as DockerError;
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, KillContainerOptionsBuilder,
    ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
};
use futures::StreamExt;
use pump::{ChannelReader, Pump};
use skriptoteket_domain::execution::{EventSink, Execution, PoolStats, RunEvent, RunRequest, Runner, RunnerHealth};
use skriptoteket_domain::run_error::FileCap;
use spec::{ContainerSpec, LABEL_INSTANCE, LABEL_MANAGED};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

/// bollard's own default: a request (not a run: runs have their own timeout) may take this long.
const CLIENT_TIMEOUT_SECS: u64 = 120;

#[derive(Clone)]
pub struct DockerRunner {
    docker: Docker,
    image: String,
    limits: RunLimits,
    /// Names this process's containers, so the reaper never touches another server's runs.
    instance: String,
    engine_version: String,
    engine: Engine,
    /// Pre-started containers (`with_pool`); `None` starts every run's container on demand.
    pool: Option<Arc<pool::Pool>>,
    /// With `remove_in_background`: the removals still going (`settle` waits for them).
    removals: Option<tokio_util::task::TaskTracker>,
}

impl DockerRunner {
    /// Connects to the engine named by `DOCKER_HOST` (unix socket by default; `tcp://` with
    /// `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH` for TLS; a Podman socket works the same way).
    /// An unreachable engine is not an error here: the server starts, readiness says why
    /// runs cannot start, and runs fail with a clear message until the engine is back.
    pub async fn connect(image: String, limits: RunLimits, instance: String) -> Result<Self, DockerError> {
        Ok(Self::configured(Docker::connect_with_defaults()?, image, limits, instance).await)
    }

    /// Connects to one engine of `RUNNER_DOCKER_HOSTS`: a unix socket, or `tcp://` with TLS
    /// client certificates (never plain TCP: the engine's API is root on its host).
    pub async fn connect_to(
        engine: &EngineSpec,
        image: String,
        limits: RunLimits,
        instance: String,
    ) -> Result<Self, DockerError> {
        let base = match &engine.certs {
            Some(certs) => Docker::connect_with_ssl(
                &engine.address,
                &certs.join("key.pem"),
                &certs.join("cert.pem"),
                &certs.join("ca.pem"),
                CLIENT_TIMEOUT_SECS,
                bollard::API_DEFAULT_VERSION,
            )?,
            None => Docker::connect_with_unix(&engine.address, CLIENT_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)?,
        };
        Ok(Self::configured(base, image, limits, instance).await)
    }

    async fn configured(base: Docker, image: String, limits: RunLimits, instance: String) -> Self {
        let docker = match base.clone().negotiate_version().await {
            Ok(docker) => docker,
            Err(e) => {
                tracing::warn!(error = %e, "container engine unreachable at start-up; runs will fail until it answers");
                base
            }
        };
        let (engine_version, engine) = match docker.version().await {
            Ok(v) => {
                let podman = v.components.iter().flatten().any(|c| c.name.to_lowercase().contains("podman"));
                let name = if podman { "Podman " } else { "" };
                let text =
                    format!("{name}{} (API {})", v.version.unwrap_or_default(), v.api_version.unwrap_or_default());
                (text, if podman { Engine::Podman } else { Engine::Docker })
            }
            Err(_) => ("unreachable".to_owned(), Engine::Docker),
        };
        tracing::info!(engine = %engine_version, image = %image, instance = %instance, "container engine configured");
        Self { docker, image, limits, instance, engine_version, engine, pool: None, removals: None }
    }

    /// Removes each finished run's container after the run's result is handed back, so the
    /// answer does not wait for the engine's clean-up; `settle` (at shutdown) waits for the
    /// removals still going, and the start-up reaper takes any a crash interrupted.
    pub fn remove_in_background(mut self) -> Self {
        self.removals = Some(tokio_util::task::TaskTracker::new());
        self
    }

    /// Waits for the background removals still going.
    pub async fn settle(&self) {
        if let Some(removals) = &self.removals {
            removals.close();
            removals.wait().await;
        }
    }

    /// Keeps `size` containers pre-started (0: none); `maintain_pool` then fills it.
    pub fn with_pool(mut self, size: usize) -> Self {
        self.pool = (size > 0).then(|| Arc::new(pool::Pool::new(size)));
        self
    }

    pub fn limits(&self) -> &RunLimits {
        &self.limits
    }

    /// Removes every container of this instance left by an earlier process (crash, kill -9).
    pub async fn reap(&self) -> Result<usize, DockerError> {
        let count = self.remove_instance(&self.instance).await?;
        if count > 0 {
            tracing::warn!(count, "removed containers left behind by an earlier process");
        }
        Ok(count)
    }

    /// Removes every container (run or pre-started) labelled with `instance`.
    async fn remove_instance(&self, instance: &str) -> Result<usize, DockerError> {
        let ids = self.containers_with_label(&format!("{LABEL_INSTANCE}={instance}")).await?;
        for id in &ids {
            self.remove(id).await;
        }
        Ok(ids.len())
    }

    /// Ids of all our containers (running or not) carrying `label` (`key=value`).
    pub async fn containers_with_label(&self, label: &str) -> Result<Vec<String>, DockerError> {
        let filters = HashMap::from([("label", vec![LABEL_MANAGED.to_owned() + "=true", label.to_owned()])]);
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        let list = self.docker.list_containers(Some(options)).await?;
        Ok(list.into_iter().filter_map(|c| c.id).collect())
    }

    async fn remove(&self, name: &str) {
        let options = RemoveContainerOptionsBuilder::default().force(true).v(true).build();
        match self.docker.remove_container(name, Some(options)).await {
            Ok(()) | Err(DockerError::DockerResponseServerError { status_code: 404, .. }) => {}
            Err(e) => tracing::error!(container = name, error = %e, "could not remove container"),
        }
    }

    async fn kill(&self, name: &str) {
        let options = KillContainerOptionsBuilder::default().signal("SIGKILL").build();
        if let Err(e) = self.docker.kill_container(name, Some(options)).await {
            tracing::debug!(container = name, error = %e, "kill failed (probably already exited)");
        }
    }

    /// The container's environment: the same for every run (paths and caps), so a container
    /// can be made before its run; what is per run goes in `run.json` (`run_json`).
    fn environment(&self) -> Vec<String> {
        vec![
            "SKRIPTOTEKET_SCRIPT_PATH=/work/script.py".into(),
            "SKRIPTOTEKET_INPUT_DIR=/work/input".into(),
            "SKRIPTOTEKET_MEMORY_PATH=/work/memory.json".into(),
            "SKRIPTOTEKET_OUTPUT_DIR=/work/output".into(),
            format!("SKRIPTOTEKET_ARTIFACT_LIMITS={}", self.limits.artifact_limits_json()),
        ]
    }

    /// The run's own variables, for the wrapper to hand the tool (docs/runner-protocol.md).
    fn run_json(request: &RunRequest) -> Vec<u8> {
        let manifest = serde_json::json!({
            "files": request.files.iter().map(|f| serde_json::json!({
                "name": f.name, "path": format!("/work/input/{}", f.name), "bytes": f.bytes,
            })).collect::<Vec<_>>()
        });
        let action = request.action.as_ref().map(|a| a.to_string()).unwrap_or_default();
        serde_json::json!({ "env": {
            "SKRIPTOTEKET_ENTRYPOINT": request.entrypoint,
            "SKRIPTOTEKET_INPUT_MANIFEST": manifest.to_string(),
            "SKRIPTOTEKET_INPUTS": request.inputs.to_string(),
            "SKRIPTOTEKET_ACTION": action,
        }})
        .to_string()
        .into_bytes()
    }

    fn output_limits(&self) -> OutputLimits {
        OutputLimits {
            max_files: self.limits.max_artifacts,
            max_file_bytes: self.limits.max_artifact_bytes,
            max_total_bytes: self.limits.max_artifacts_total_bytes,
            max_result_bytes: self.limits.max_result_bytes,
        }
    }

    /// Creates (unless `prestarted`), feeds, follows and ends the container; the caller
    /// removes it. The run's timeout starts when its input is sent.
    async fn drive(
        &self,
        name: &str,
        prestarted: bool,
        request: &RunRequest,
        events: &EventSink,
        cancel: &CancellationToken,
    ) -> (Ending, Option<Pump>, OutputBundle) {
        let memory = serde_json::json!({ "settings": request.settings }).to_string();
        let run_json = Self::run_json(request);
        let action = request.action.as_ref().map(|a| a.to_string());
        let files: Vec<_> =
            request.files.iter().map(|f| input_tar::InputFile { name: f.name.clone(), path: f.path.clone() }).collect();
        let source = request.source.clone();
        let tar = tokio::task::spawn_blocking(move || {
            input_tar::build(&InputBundle {
                run_json: &run_json,
                script: &source,
                memory_json: memory.as_bytes(),
                action_json: action.as_deref().map(str::as_bytes),
                files: &files,
            })
        })
        .await;
        let tar = match tar {
            Ok(Ok(tar)) => tar,
            Ok(Err(e)) => {
                return (
                    Ending::EngineError(format!("the inputs could not be packed ({e})")),
                    None,
                    OutputBundle::default(),
                );
            }
            Err(e) => {
                return (Ending::EngineError(e.to_string()), None, OutputBundle::default());
            }
        };

        if !prestarted {
            let run_id = request.run_id.to_string();
            let body = spec::create_body(&ContainerSpec {
                image: &self.image,
                instance: &self.instance,
                run_id: &run_id,
                env: self.environment(),
                extra_labels: &request.labels,
                limits: &self.limits,
                engine: self.engine,
            });
            let create = CreateContainerOptionsBuilder::default().name(name).build();
            if let Err(e) = self.docker.create_container(Some(create), body).await {
                return (Ending::EngineError(engine_message(&e, &self.image)), None, OutputBundle::default());
            }
        }
        let attach_options =
            AttachContainerOptionsBuilder::default().stdin(true).stdout(true).stderr(true).stream(true).build();
        let attach = match self.docker.attach_container(name, Some(attach_options)).await {
            Ok(attach) => attach,
            Err(e) => {
                return (Ending::EngineError(engine_message(&e, &self.image)), None, OutputBundle::default());
            }
        };
        if !prestarted && let Err(e) = self.docker.start_container(name, None).await {
            return (Ending::EngineError(engine_message(&e, &self.image)), None, OutputBundle::default());
        }
        events(RunEvent::Started);

        let mut input = attach.input;
        let feeder = tokio::spawn(async move {
            // An early exit of the tool closes stdin; that is not our error to report.
            let _ = input.write_all(&tar).await;
            let _ = input.shutdown().await;
        });
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let dest = request.artifacts_dir.clone();
        let limits = self.output_limits();
        let reader = tokio::task::spawn_blocking(move || {
            if let Err(e) = std::fs::create_dir_all(&dest) {
                let mut bundle = OutputBundle::default();
                bundle.refuse(FileCap::Unreadable, 0, format!("The artifact directory could not be created ({e})."));
                return bundle;
            }
            output_tar::read(ChannelReader::new(rx), &dest, &limits)
        });

        let result_cap = self.limits.max_result_stream_bytes();
        let mut pump = Pump::new(self.limits.log_bytes, result_cap, events.clone(), tx);
        let ending = tokio::select! {
            finished = tokio::time::timeout(request.timeout, pump.run(attach.output)) => match finished {
                Ok(()) => None,
                Err(_) => Some(Ending::TimedOut { after: request.timeout }),
            },
            () = cancel.cancelled() => Some(Ending::Cancelled),
        };
        feeder.abort();
        let ending = match ending {
            Some(early) => {
                self.kill(name).await;
                early
            }
            None if pump.overflowed => {
                // result.json comes first in the stream, so the run is judged on it as usual.
                self.kill(name).await;
                Ending::Exited { exit_code: None, oom_killed: false }
            }
            None => self.exit_state(name).await,
        };
        let ending = match (&ending, &pump.protocol_error) {
            (Ending::Exited { oom_killed: false, .. }, Some(e)) => Ending::ProtocolError(e.clone()),
            _ => ending,
        };
        // After a timeout or cancel the pump stopped mid-stream: close the tar channel so the
        // reader sees the end.
        pump.close();
        let mut bundle = reader.await.unwrap_or_default();
        if pump.overflowed {
            let problem = format!(
                "The tool's output grew past {} MiB in all and was cut off; the container was stopped.",
                result_cap / (1024 * 1024)
            );
            bundle.refuse(FileCap::TotalSize, 0, problem);
        }
        (ending, Some(pump), bundle)
    }

    async fn exit_state(&self, name: &str) -> Ending {
        let mut wait = self.docker.wait_container(name, None);
        let exit_code = match tokio::time::timeout(self.limits.kill_grace * 5, wait.next()).await {
            Ok(Some(Ok(response))) => Some(response.status_code),
            Ok(Some(Err(DockerError::DockerContainerWaitError { code, .. }))) => Some(code),
            _ => None,
        };
        let oom_killed = match self.docker.inspect_container(name, None).await {
            Ok(info) => info.state.and_then(|s| s.oom_killed).unwrap_or(false),
            Err(_) => false,
        };
        Ending::Exited { exit_code, oom_killed }
    }
}

/// Engine errors in words an operator can act on; the image name is the common culprit.
fn engine_message(e: &DockerError, image: &str) -> String {
    match e {
        DockerError::DockerResponseServerError { status_code: 404, .. } => {
            format!(
                "the runner image `{image}` is missing on the container engine (build it with `make build-runner-image`)"
            )
        }
        other => format!("the container engine refused the run ({other})"),
    }
}

#[async_trait]
impl Runner for DockerRunner {
    async fn reap_instance(&self, instance: &str) -> Result<usize, String> {
        let count = self.remove_instance(instance).await.map_err(|e| e.to_string())?;
        if count > 0 {
            tracing::warn!(count, instance, "removed containers left behind by a server process that died");
        }
        Ok(count)
    }

    async fn execute(&self, request: RunRequest, events: EventSink, cancel: CancellationToken) -> Execution {
        let started = Instant::now();
        let pooled = self.take_pooled(request.run_id).await;
        let prestarted = pooled.is_some();
        let name = pooled.unwrap_or_else(|| format!("skt-run-{}", request.run_id));
        let guard = RemoveOnDrop { runner: Some(self.clone()), name: name.clone() };
        let (ending, pump, bundle) = self.drive(&name, prestarted, &request, &events, &cancel).await;
        match &self.removals {
            Some(removals) if !removals.is_closed() => {
                let runner = self.clone();
                let name = name.clone();
                removals.spawn(async move { runner.remove(&name).await });
            }
            _ => self.remove(&name).await,
        }
        guard.disarm();
        let (stdout, stderr) = pump.map(|p| (p.stdout.finish(), p.stderr.finish())).unwrap_or_default();
        outcome::assemble(Collected {
            ending,
            bundle,
            stdout,
            stderr,
            limits: self.limits.clone(),
            duration: started.elapsed(),
        })
    }

    async fn health(&self) -> RunnerHealth {
        let engine_ok = self.docker.ping().await.is_ok();
        let image_ok = self.docker.inspect_image(&self.image).await.is_ok();
        RunnerHealth { engine_ok, engine: self.engine_version.clone(), image_ok, image: self.image.clone() }
    }

    fn pool_stats(&self) -> Option<PoolStats> {
        self.pool.as_ref().map(|pool| pool.stats())
    }
}

#[async_trait]
impl Member for DockerRunner {
    async fn answers(&self, within: std::time::Duration) -> bool {
        matches!(tokio::time::timeout(within, self.docker.ping()).await, Ok(Ok(_)))
    }

    /// Containers of runs the engine lost are dead or orphaned now; nothing of ours runs there.
    async fn recovered(&self) {
        if let Err(e) = self.reap().await {
            tracing::warn!(error = %e, "could not clear the containers of runs the engine lost");
        }
    }
}

/// Removes the container if `execute` is abandoned (its future dropped, a panic), so no
/// container outlives its run on any path.
struct RemoveOnDrop {
    runner: Option<DockerRunner>,
    name: String,
}

impl RemoveOnDrop {
    fn disarm(mut self) {
        self.runner = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(runner) = self.runner.take() {
            let name = std::mem::take(&mut self.name);
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(async move { runner.remove(&name).await });
            }
        }
    }
}

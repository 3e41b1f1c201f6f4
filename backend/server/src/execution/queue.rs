//! The durable run queue's workers: `RUNNER_MAX_CONCURRENCY` tasks in this process, each
//! claiming the oldest queued run from the database (safe across processes on PostgreSQL),
//! executing it through the runner, and recording the outcome.
//!
//! Several server processes may share the database. Each renews a lease on every run it
//! executes (the run's heartbeat) and on itself (its `instances` row); the sweep in every
//! process fails the running runs whose lease ran out and removes the containers of instances
//! whose lease ran out (they died: `kill -9`, a lost machine). Queued runs belong to nobody:
//! whoever is alive claims them.

use crate::blobs::Area;
use crate::execution::hub::HubEvent;
use crate::state::AppState;
use skriptoteket_domain::execution::{EventSink, InputFile, RunEvent, RunRequest};
use skriptoteket_domain::run::{NewArtifact, Run, RunFinish, RunStatus};
use skriptoteket_domain::run_error::{ErrorCode, RunError};
use skriptoteket_domain::tool::VersionContent;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;
use tracing::Instrument;

/// How often a running run proves it is alive, saves its latest progress and checks for a
/// cancel from elsewhere (a signal usually brings the cancel sooner).
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// A running run, or a server process, whose heartbeat is older than this is taken for dead.
/// Far above `HEARTBEAT`, so a slow database write or two do not fail a live run.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// The sweep for runs and processes past their lease runs this many times per lease; so does a
/// process's own heartbeat. A dead process's runs are settled within `lease + lease / SWEEPS`.
const SWEEPS: u32 = 6;
/// Workers look for work at least this often (other processes may enqueue).
const IDLE_POLL: Duration = Duration::from_secs(1);

pub const RESTART_REASON: &str = "The server stopped while this run was going. Nothing was lost; start the run again.";

/// Fails the runs an earlier process of this instance left `running`, then starts the workers
/// and the lease keeper (which also sweeps for other processes' leftovers at once).
pub async fn start(state: &AppState) -> anyhow::Result<JoinSet<()>> {
    let interrupted = RunError::bare(ErrorCode::Interrupted);
    let now = chrono::Utc::now();
    let mine = state.store.fail_orphaned_runs(Some(&state.runs.instance), now, RESTART_REASON, &interrupted).await?;
    if !mine.is_empty() {
        tracing::warn!(count = mine.len(), "marked runs of this server's earlier process as failed");
    }
    state.store.heartbeat_instance(&state.runs.instance, now).await?;
    let mut workers = JoinSet::new();
    for n in 0..state.runs.max_concurrency.max(1) {
        let state = state.clone();
        workers.spawn(async move { worker(state, n).await });
    }
    let keeper = state.clone();
    workers.spawn(async move { keep_lease(keeper).await });
    Ok(workers)
}

/// Renews this process's lease and sweeps, until shutdown and then until the last run executing
/// here has ended (its containers are ours until then); a clean stop then gives the lease up.
async fn keep_lease(state: AppState) {
    let mut tick = tokio::time::interval(state.runs.lease / SWEEPS);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = state.shutdown.cancelled(), if !state.shutdown.is_cancelled() => {}
        }
        let now = chrono::Utc::now();
        if state.shutdown.is_cancelled() && state.hub.executing() == 0 {
            let _ = state.store.forget_instance(&state.runs.instance, now + chrono::Duration::seconds(1)).await;
            return;
        }
        if let Err(e) = state.store.heartbeat_instance(&state.runs.instance, now).await {
            tracing::warn!(error = %e, "could not renew this server's lease");
        }
        if !state.shutdown.is_cancelled()
            && let Err(e) = sweep(&state, now).await
        {
            tracing::warn!(error = %e, "the sweep for dead servers' runs failed; trying again");
        }
    }
}

/// What one sweep settled.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Running runs past their lease, now failed.
    pub runs: Vec<uuid::Uuid>,
    /// Dead server processes whose containers were removed.
    pub instances: Vec<String>,
}

/// Fails the running runs whose lease ran out by `now` (their process died), tells their
/// followers everywhere, and removes the containers of processes whose lease ran out.
pub async fn sweep(state: &AppState, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<Swept> {
    let stale_before = now - chrono::Duration::from_std(state.runs.lease)?;
    let interrupted = RunError::bare(ErrorCode::Interrupted);
    let runs = state.store.fail_orphaned_runs(None, stale_before, RESTART_REASON, &interrupted).await?;
    if !runs.is_empty() {
        tracing::warn!(count = runs.len(), "failed runs of a server process that stopped renewing its lease");
    }
    for run in &runs {
        state.announce(*run, HubEvent::Finished);
    }
    let mut instances = Vec::new();
    for instance in state.store.dead_instances(stale_before).await? {
        if instance == state.runs.instance {
            continue; // alive after all: our own renewal was late
        }
        match state.runner.reap_instance(&instance).await {
            // Reaped by whoever gets there first; the others find nothing to remove.
            Ok(_) => {
                if state.store.forget_instance(&instance, stale_before).await? {
                    tracing::info!(instance, "forgot a server process that stopped renewing its lease");
                }
                instances.push(instance);
            }
            Err(e) => tracing::warn!(instance, error = %e, "could not remove a dead server process's containers"),
        }
    }
    Ok(Swept { runs, instances })
}

async fn worker(state: AppState, n: usize) {
    tracing::debug!(worker = n, "queue worker started");
    loop {
        if state.shutdown.is_cancelled() {
            break;
        }
        match state.store.claim_next_run(&state.runs.instance).await {
            Ok(Some(run)) => {
                let span =
                    tracing::info_span!("run", run_id = %run.id, request_id = run.request_id.as_deref().unwrap_or("-"));
                process(&state, run).instrument(span).await;
            }
            Ok(None) => {
                tokio::select! {
                    () = state.queue_wake.notified() => {}
                    () = tokio::time::sleep(IDLE_POLL) => {}
                    () = state.shutdown.cancelled() => break,
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming a run failed");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

async fn process(state: &AppState, run: Run) {
    state.announce(run.id, HubEvent::Status(RunStatus::Running));
    let cancel = state.hub.register(run.id);
    let finish = match request_for(state, &run).await {
        Ok(request) => execute(state, &run, request, cancel).await,
        Err((reason, error)) => {
            state.metrics.run_finished(run.context.as_str(), RunStatus::Failed.as_str(), Duration::ZERO);
            failed(reason, error)
        }
    };
    let finish = share_artifacts(state, run.id, finish).await;
    let sent = finish.status;
    let blobs = state.runs.blobs();
    match state.store.finish_run(run.id, finish).await {
        // Ended elsewhere meanwhile (cancelled, or failed as orphaned), or erased with its
        // owner's history: its files are not ours to keep.
        Ok(Some(recorded)) if recorded.status != sent => {
            let _ = blobs.remove(Area::Artifacts, run.id).await;
        }
        Ok(None) => {
            let _ = blobs.remove(Area::Artifacts, run.id).await;
        }
        // Shared: downloads read the store, so the working copy goes.
        Ok(_) if blobs.shared().is_some() => {
            let _ = tokio::fs::remove_dir_all(state.runs.artifacts_root.join(run.id.to_string())).await;
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "recording a finished run failed"),
    }
    state.storage_changed(Some(run.user_id));
    state.relay.run_event(run.id, &HubEvent::Finished);
    state.hub.finish(run.id);
}

/// With a shared store, the run's artifacts are copied there before the run is recorded, so
/// every server can serve them once it is; a run whose files could not be copied keeps none
/// and says so.
async fn share_artifacts(state: &AppState, run: uuid::Uuid, mut finish: RunFinish) -> RunFinish {
    if finish.artifacts.is_empty() {
        return finish;
    }
    let blobs = state.runs.blobs();
    if let Err(e) = blobs.publish(Area::Artifacts, run).await {
        tracing::error!(error = %e, "copying a run's artifacts to the shared store failed");
        let _ = blobs.remove(Area::Artifacts, run).await;
        finish.artifacts.clear();
        finish.status = RunStatus::Failed;
        finish.error_summary = Some("The run's files could not be stored. Try again in a little while.".into());
        finish.error = Some(RunError::bare(ErrorCode::InternalError));
    }
    finish
}

fn failed(reason: String, error: RunError) -> RunFinish {
    RunFinish {
        status: RunStatus::Failed,
        stdout: String::new(),
        stderr: String::new(),
        ui: None,
        error_summary: Some(reason),
        error: Some(error),
        exit_code: None,
        artifacts: vec![],
    }
}

/// What a run needs from the store and the uploads; why not, when something is gone.
async fn request_for(state: &AppState, run: &Run) -> Result<RunRequest, (String, RunError)> {
    let content = match &run.source_override {
        Some(o) => VersionContent {
            source: o.source.clone(),
            entrypoint: o.entrypoint.clone(),
            input_schema: o.input_schema.clone(),
            settings_schema: o.settings_schema.clone(),
            change_summary: String::new(),
            usage_instructions: String::new(),
        },
        None => match state.store.version_by_id(run.version_id).await {
            Ok(Some(version)) => VersionContent::of(&version),
            _ => {
                let reason = "The tool version of this run no longer exists.".to_owned();
                return Err((reason, RunError::bare(ErrorCode::InternalError)));
            }
        },
    };
    let mut files = Vec::with_capacity(run.files.len());
    let blobs = state.runs.blobs();
    for f in &run.files {
        let path = state.runs.uploads_root.join(&f.stored_as);
        // Received by another server: fetched from the shared store into the working copy.
        if !blobs.fetch(Area::Uploads, &f.stored_as).await.unwrap_or(false) {
            let reason = format!("The uploaded file “{}” is no longer available; upload it again.", f.name);
            return Err((reason, RunError::files_not_kept(&f.name)));
        }
        files.push(InputFile { name: f.name.clone(), path, bytes: f.bytes });
    }
    let mut labels = vec![("context".to_owned(), run.context.as_str().to_owned())];
    if let Some(id) = &run.request_id {
        labels.push(("request-id".into(), id.clone()));
    }
    Ok(RunRequest {
        run_id: run.id,
        source: content.source,
        entrypoint: content.entrypoint,
        files,
        inputs: run.inputs.clone(),
        settings: run.settings.clone(),
        action: run.action.clone(),
        timeout: Duration::from_secs(u64::from(run.timeout_seconds)),
        artifacts_dir: state.runs.artifacts_root.join(run.id.to_string()),
        labels,
    })
}

async fn execute(state: &AppState, run: &Run, request: RunRequest, cancel: CancellationToken) -> RunFinish {
    let announcer = state.clone();
    let run_id = run.id;
    let sink: EventSink = Arc::new(move |event| match event {
        RunEvent::Output { stream, text } => announcer.announce(run_id, HubEvent::Output { stream, text }),
        // The latest stays in the hub while the run goes (GET /api/runs/{id} here shows it),
        // and the heartbeat saves it for the other servers.
        RunEvent::Progress(progress) => {
            announcer.relay.run_event(run_id, &HubEvent::Progress(progress.clone()));
            announcer.hub.progress(run_id, progress);
        }
        RunEvent::Started => {}
    });
    // Ends with this future even when it is dropped half-way (the worker aborted).
    let watcher = AbortOnDropHandle::new(tokio::spawn(watch(state.clone(), run_id, cancel.clone())));
    state.metrics.active_containers.fetch_add(1, Ordering::Relaxed);
    let execution = state.runner.execute(request, sink, cancel).await;
    state.metrics.active_containers.fetch_sub(1, Ordering::Relaxed);
    drop(watcher);
    state.metrics.run_finished(run.context.as_str(), RunStatus::from(execution.status).as_str(), execution.duration);
    let artifacts = execution
        .artifacts
        .iter()
        .filter_map(|a| {
            let relative = a.stored_as.strip_prefix(&state.runs.artifacts_root).ok()?;
            Some(NewArtifact {
                name: a.name.clone(),
                stored_as: relative.to_string_lossy().into_owned(),
                bytes: a.bytes,
            })
        })
        .collect();
    RunFinish {
        status: execution.status.into(),
        stdout: execution.stdout,
        stderr: execution.stderr,
        ui: Some(execution.ui),
        error_summary: execution.error_summary,
        error: execution.error,
        exit_code: execution.exit_code,
        artifacts,
    }
}

/// While a run executes: heartbeats, cancels requested through another process, and the
/// shutdown grace period after which the run is cancelled.
async fn watch(state: AppState, run: uuid::Uuid, cancel: CancellationToken) {
    let grace = async {
        state.shutdown.cancelled().await;
        tokio::time::sleep(state.runs.shutdown_grace).await;
    };
    tokio::pin!(grace);
    let mut tick = tokio::time::interval(HEARTBEAT);
    let mut saved = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let _ = state.store.heartbeat_runs(&[run]).await;
                let progress = state.hub.latest_progress(run);
                if progress != saved && let Some(latest) = &progress {
                    let _ = state.store.save_progress(run, latest).await;
                    saved = progress;
                }
                if state.store.cancel_requested(run).await.unwrap_or(false) {
                    cancel.cancel();
                }
            }
            () = &mut grace => {
                tracing::warn!("shutdown grace period over: cancelling the run");
                cancel.cancel();
                return;
            }
        }
    }
}

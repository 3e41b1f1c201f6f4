//! Housekeeping of run files and history: removes uploads no run can use any more, artifacts
//! past `ARTIFACTS_RETENTION_DAYS`, runs past `RUNS_RETENTION_DAYS` (their rows with inputs
//! and logs, artifacts and uploads), and run folders nothing in the database needs (left by a
//! crash between a database change and the disk), and sign-in counters whose window is over. The server runs it on a schedule; so does
//! `skriptoteket artifacts prune`. Nothing a queued or running run uses is ever removed.

use crate::blobs::{Area, Blobs};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use skriptoteket_domain::run::SESSION_FILES_TTL;
use skriptoteket_domain::{Store, StoreError};
use std::path::Path;
use std::time::{Duration, SystemTime};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Uploads stay this long past their reuse window, so a run that was let reuse them at the
/// last moment still finds them.
const REUSE_MARGIN: chrono::Duration = chrono::Duration::hours(1);
/// A folder the database does not know is left alone this long: its run may be on its way in.
const ORPHAN_GRACE: Duration = Duration::from_secs(3600);
/// Rows changed per statement, so a first prune of a large history never holds a long lock.
const BATCH: u32 = 500;

/// What to remove, and where the files are (here, and in the shared store of `STORAGE_URL`).
#[derive(Debug, Clone)]
pub struct Policy {
    pub blobs: Blobs,
    pub artifacts_retention: chrono::Duration,
    /// `None` keeps runs for ever.
    pub runs_retention: Option<chrono::Duration>,
}

impl Policy {
    /// The server's policy.
    pub fn of(runs: &crate::execution::RunConfig) -> Self {
        Self {
            blobs: runs.blobs(),
            artifacts_retention: runs.storage.artifacts_retention,
            runs_retention: runs.storage.runs_retention,
        }
    }
}

/// What one pass removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Upload folders no run can use any more.
    pub uploads: usize,
    /// Artifacts past their retention, and their bytes.
    pub artifacts: usize,
    pub artifact_bytes: u64,
    /// Runs past their retention.
    pub runs: usize,
    /// Folders nothing in the database needed.
    pub orphans: usize,
}

impl Swept {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One pass, as of `now` (tests pass a later one to see the future).
pub async fn sweep(store: &dyn Store, policy: &Policy, now: DateTime<Utc>) -> Result<Swept, StoreError> {
    let mut swept = Swept::default();
    let reusable_since = now - SESSION_FILES_TTL - REUSE_MARGIN;
    loop {
        let released = store.release_uploads(reusable_since, BATCH).await?;
        remove_folders(policy, Area::Uploads, &released).await;
        swept.uploads += released.len();
        if released.len() < BATCH as usize {
            break;
        }
    }
    let artifacts = store.prune_artifacts(now - policy.artifacts_retention).await?;
    for artifact in &artifacts {
        if let Err(e) = policy.blobs.remove_file(Area::Artifacts, &artifact.stored_as).await {
            tracing::warn!(error = %e, file = %artifact.stored_as, "housekeeping could not remove an artifact");
        }
        swept.artifact_bytes += artifact.bytes;
    }
    swept.artifacts = artifacts.len();
    let mut emptied: Vec<Uuid> = artifacts.iter().map(|a| a.run_id).collect();
    emptied.sort_unstable();
    emptied.dedup();
    for run in emptied {
        // Only empty folders: the files were just removed, and nothing else belongs there.
        let _ = tokio::fs::remove_dir(policy.blobs.root(Area::Artifacts).join(run.to_string())).await;
    }
    if let Some(retention) = policy.runs_retention {
        loop {
            let pruned = store.prune_runs(now - retention, reusable_since, BATCH).await?;
            remove_folders(policy, Area::Uploads, &pruned).await;
            remove_folders(policy, Area::Artifacts, &pruned).await;
            swept.runs += pruned.len();
            if pruned.len() < BATCH as usize {
                break;
            }
        }
    }
    swept.orphans = remove_orphans(store, policy).await?;
    // Sign-in counters whose window is over count nothing any more.
    let windows = chrono::Duration::from_std(crate::auth::rate_limit::LONGEST_WINDOW).expect("a short window");
    store.prune_attempts(now - windows).await?;
    Ok(swept)
}

/// Removes the folders of `runs` in `area`, here and in the shared store.
async fn remove_folders(policy: &Policy, area: Area, runs: &[Uuid]) {
    for run in runs {
        if let Err(e) = policy.blobs.remove(area, *run).await {
            tracing::warn!(error = %e, %run, ?area, "housekeeping could not remove a run's files");
        }
    }
}

/// Run folders the database no longer needs: those of known runs at once (e.g. the empty
/// artifact folder of a run that kept nothing), those of unknown runs once untouched for
/// `ORPHAN_GRACE` (a run may be on its way in with its uploads).
async fn remove_orphans(store: &dyn Store, policy: &Policy) -> Result<usize, StoreError> {
    let mut removed = 0;
    for area in [Area::Uploads, Area::Artifacts] {
        let candidates = run_folders(policy.blobs.root(area)).await;
        for chunk in candidates.chunks(BATCH as usize) {
            let ids: Vec<Uuid> = chunk.iter().map(|(id, _)| *id).collect();
            let in_use = store.folders_in_use(&ids).await?;
            let needed = if area == Area::Uploads { &in_use.uploads } else { &in_use.artifacts };
            let orphans: Vec<Uuid> = chunk
                .iter()
                .filter(|(id, old)| !needed.contains(id) && (*old || in_use.known.contains(id)))
                .map(|(id, _)| *id)
                .collect();
            remove_folders(policy, area, &orphans).await;
            removed += orphans.len();
        }
    }
    Ok(removed)
}

/// The folders under `root` named by a run id, and whether each is untouched for `ORPHAN_GRACE`.
async fn run_folders(root: &Path) -> Vec<(Uuid, bool)> {
    let root = root.to_owned();
    let list = tokio::task::spawn_blocking(move || {
        let Ok(entries) = std::fs::read_dir(&root) else { return Vec::new() };
        let now = SystemTime::now();
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| {
                let id = Uuid::parse_str(e.file_name().to_str()?).ok()?;
                let modified = e.metadata().and_then(|m| m.modified());
                let old = modified.is_ok_and(|t| now.duration_since(t).unwrap_or_default() > ORPHAN_GRACE);
                Some((id, old))
            })
            .collect()
    });
    list.await.unwrap_or_default()
}

/// The server's housekeeping task: a pass at start and then every interval, until shutdown.
/// `None` when no interval is set.
pub fn start(state: &AppState) -> Option<JoinHandle<()>> {
    let interval = state.runs.storage.housekeeping_interval?;
    let state = state.clone();
    Some(tokio::spawn(async move {
        let policy = Policy::of(&state.runs);
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = state.shutdown.cancelled() => break,
            }
            let pass = sweep(state.store.as_ref(), &policy, Utc::now());
            // A pass in progress stops with the server too; the next start picks up from there.
            let outcome = tokio::select! {
                outcome = pass => outcome,
                () = state.shutdown.cancelled() => break,
            };
            match outcome {
                Ok(swept) if swept.is_empty() => tracing::debug!("housekeeping: nothing to remove"),
                Ok(swept) => {
                    // What users keep changed: their shown usage is read again.
                    state.storage_changed(None);
                    tracing::info!(?swept, "housekeeping removed expired files and runs");
                }
                Err(e) => tracing::warn!(error = %e, "housekeeping failed; trying again at the next interval"),
            }
            state.metrics.housekeeping_passes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        tracing::debug!("housekeeping stopped");
    }))
}

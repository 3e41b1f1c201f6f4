//! Readiness and metrics for operators: what the database and the runner say.

use crate::services::storage::{self, Volume};
use crate::state::AppState;
use skriptoteket_domain::execution::{EngineStatus, PoolStats, RunnerHealth};

pub struct Readiness {
    /// The dialect when the database answers.
    pub database: Result<&'static str, String>,
    pub runner: RunnerHealth,
    pub pool: Option<PoolStats>,
    /// Each engine of RUNNER_DOCKER_HOSTS (empty with one engine).
    pub engines: Vec<EngineStatus>,
    /// Free space where uploads and artifacts go, against `STORAGE_MIN_FREE`.
    pub storage: Volume,
    /// With `STORAGE_URL`: the shared store, and whether it answers (`Err` with why not).
    pub shared_storage: Option<(String, Result<(), String>)>,
}

pub async fn readiness(state: &AppState) -> Readiness {
    let database = match state.store.ping().await {
        Ok(()) => Ok(state.store.dialect()),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            Err(e.to_string())
        }
    };
    Readiness {
        database,
        runner: state.runner.health().await,
        pool: state.runner.pool_stats(),
        engines: state.runner.engines(),
        storage: storage::volume(state).await,
        shared_storage: shared_storage(state).await,
    }
}

async fn shared_storage(state: &AppState) -> Option<(String, Result<(), String>)> {
    let s3 = state.runs.shared_storage.as_ref()?;
    let answer = match tokio::time::timeout(std::time::Duration::from_secs(3), s3.check()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 3 s".to_owned()),
    };
    if let Err(e) = &answer {
        tracing::warn!(error = %e, "readiness: the shared store does not answer");
    }
    Some((format!("{s3:?}"), answer))
}

/// The Prometheus exposition text, or `None` when the database does not answer.
pub async fn metrics_text(state: &AppState) -> Option<String> {
    match (state.store.queued_count().await, state.store.run_counts().await) {
        (Ok(depth), Ok(counts)) => {
            Some(state.metrics.render(depth, &counts, state.runner.pool_stats(), &state.runner.engines()))
        }
        _ => None,
    }
}

//! Operator commands: `runner check`, `artifacts prune`, `seed`.

use crate::config::{ArtifactsCommand, DbArgs, RunnerCommand};
use crate::execution::{engines, housekeeping};
use skriptoteket_domain::execution::{RunRequest, Runner};
use skriptoteket_runner::DockerRunner;
use std::sync::Arc;
use std::time::Duration;

/// On every engine (those of RUNNER_DOCKER_HOSTS, or the one of DOCKER_HOST): reachable,
/// image present, and a trivial hardened run succeeds; exit 1 when any fails.
pub async fn runner_check(command: RunnerCommand) -> anyhow::Result<()> {
    let RunnerCommand::Check(args) = command;
    let engines = engines::connect_each(&args, args.engines(1)?, 1).await?;
    let several = engines.len() > 1;
    let mut failed = Vec::new();
    for (name, _, runner) in &engines {
        if several {
            println!("== {name}");
        }
        if let Err(e) = check_engine(runner).await {
            println!("FAILED: {e:#}");
            failed.push(name.as_str());
        }
    }
    anyhow::ensure!(failed.is_empty(), "runner check failed on {}", failed.join(", "));
    println!(
        "runner check passed{}",
        if several { format!(" on all {} engines", engines.len()) } else { String::new() }
    );
    Ok(())
}

async fn check_engine(runner: &DockerRunner) -> anyhow::Result<()> {
    let health = runner.health().await;
    println!("engine: {} ({})", if health.engine_ok { "ok" } else { "UNREACHABLE" }, health.engine);
    println!("image:  {} ({})", if health.image_ok { "ok" } else { "MISSING" }, health.image);
    anyhow::ensure!(health.engine_ok, "the container engine does not answer; check DOCKER_HOST or RUNNER_DOCKER_HOSTS");
    anyhow::ensure!(health.image_ok, "the runner image is missing; run `make build-runner-image` (or load it there)");
    let dir = tempfile_dir()?;
    let request = RunRequest {
        run_id: uuid::Uuid::now_v7(),
        source:
            "def run_tool(input_dir, output_dir):\n    return {'outputs': [{'kind': 'markdown', 'markdown': 'ok'}]}\n"
                .into(),
        entrypoint: "run_tool".into(),
        files: vec![],
        inputs: serde_json::json!({}),
        settings: serde_json::json!({}),
        action: None,
        timeout: Duration::from_secs(30),
        artifacts_dir: dir.join("artifacts"),
        labels: vec![("purpose".into(), "runner-check".into())],
    };
    let execution = runner.execute(request, Arc::new(|_| {}), Default::default()).await;
    let _ = std::fs::remove_dir_all(&dir);
    println!("run:    {:?} in {} ms", execution.status, execution.duration.as_millis());
    anyhow::ensure!(
        execution.status == skriptoteket_domain::execution::ExecutionStatus::Succeeded,
        "the trial run failed: {}",
        execution.error_summary.unwrap_or_default()
    );
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("skriptoteket-check-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// One housekeeping pass, as the server makes on its schedule: uploads no run can use any
/// more, artifacts past ARTIFACTS_RETENTION_DAYS, runs past RUNS_RETENTION_DAYS, and folders
/// nothing needs. Nothing a queued or running run uses is removed.
pub async fn artifacts(command: ArtifactsCommand) -> anyhow::Result<()> {
    let ArtifactsCommand::Prune { db, storage } = command;
    let store = super::open(&db).await?;
    let policy = storage.housekeeping(&db.data_dir)?;
    let swept = housekeeping::sweep(store.as_ref(), &policy, chrono::Utc::now()).await?;
    let runs = match storage.runs_retention_days {
        0 => "no runs (RUNS_RETENTION_DAYS=0 keeps them)".to_owned(),
        days => format!("{} runs ended more than {days} days ago", swept.runs),
    };
    println!(
        "pruned {} artifacts ({} bytes) older than {} days, {} upload folders no run can reuse, {runs}, \
         and {} folders nothing needed",
        swept.artifacts, swept.artifact_bytes, storage.artifacts_retention_days, swept.uploads, swept.orphans
    );
    Ok(())
}

pub async fn seed(db: &DbArgs) -> anyhow::Result<()> {
    let store = super::open(db).await?;
    let added = crate::seed::seed_examples(store.as_ref()).await?;
    println!("added {added} example tools");
    Ok(())
}

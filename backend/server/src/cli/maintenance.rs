//! Operator commands: `runner check`, `artifacts prune`, `seed`.

use crate::config::{ArtifactsCommand, DbArgs, RunnerCommand};
use skriptoteket_domain::execution::{RunRequest, Runner};
use skriptoteket_runner::DockerRunner;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Engine reachable, image present, and a trivial hardened run succeeds; exit 1 otherwise.
pub async fn runner_check(command: RunnerCommand) -> anyhow::Result<()> {
    let RunnerCommand::Check(args) = command;
    let runner = DockerRunner::connect(args.runner_image.clone(), args.limits()?, args.instance()).await?;
    let health = runner.health().await;
    println!("engine: {} ({})", if health.engine_ok { "ok" } else { "UNREACHABLE" }, health.engine);
    println!("image:  {} ({})", if health.image_ok { "ok" } else { "MISSING" }, health.image);
    anyhow::ensure!(health.engine_ok, "the container engine does not answer; check DOCKER_HOST");
    anyhow::ensure!(health.image_ok, "the runner image is missing; run `make build-runner-image`");
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
    println!("runner check passed");
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("skriptoteket-check-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Deletes artifacts of runs older than the retention and uploads older than 24 hours.
pub async fn artifacts(command: ArtifactsCommand) -> anyhow::Result<()> {
    let ArtifactsCommand::Prune { db, storage } = command;
    let store = super::open(&db).await?;
    let root = storage.artifacts_root(&db.data_dir);
    let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(storage.artifacts_retention_days));
    let pruned = store.prune_artifacts(cutoff).await?;
    let mut bytes = 0;
    for artifact in &pruned {
        bytes += artifact.bytes;
        let path = root.join(&artifact.stored_as);
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            eprintln!("could not delete {}: {e}", path.display());
        }
    }
    let emptied = remove_empty_dirs(&root);
    let uploads = remove_older_than(&db.data_dir.join("uploads"), Duration::from_secs(24 * 3600));
    println!(
        "pruned {} artifacts ({} bytes, {} empty run folders) older than {} days and {} upload folders older than 24 h",
        pruned.len(),
        bytes,
        emptied,
        storage.artifacts_retention_days,
        uploads
    );
    Ok(())
}

fn remove_empty_dirs(root: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(root) else { return 0 };
    entries.flatten().filter(|e| e.path().is_dir() && std::fs::remove_dir(e.path()).is_ok()).count()
}

fn remove_older_than(root: &std::path::Path, age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(root) else { return 0 };
    let now = SystemTime::now();
    entries
        .flatten()
        .filter(|e| {
            let old =
                e.metadata().and_then(|m| m.modified()).is_ok_and(|t| now.duration_since(t).unwrap_or_default() > age);
            old && std::fs::remove_dir_all(e.path()).is_ok()
        })
        .count()
}

pub async fn seed(db: &DbArgs) -> anyhow::Result<()> {
    let store = super::open(db).await?;
    let added = crate::seed::seed_examples(store.as_ref()).await?;
    println!("added {added} example tools");
    Ok(())
}

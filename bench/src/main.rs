//! Measures the full lifecycle of a trivial tool through `DockerRunner` (create, attach,
//! start, stream inputs, read results, remove) beside a bare `docker run --rm -i` with the
//! same image, flags and stdin, interleaved in one process so both see the same machine
//! state; then the runner at 1, 2 and 4 concurrent runs, without and with pre-started
//! containers (`RUNNER_POOL_SIZE` = the concurrency). Prints a Markdown report.
//!
//! `cargo run --release -p skriptoteket-bench -- [runs]` (default 20; `make bench`).

use skriptoteket_domain::execution::{ExecutionStatus, RunRequest, Runner};
use skriptoteket_runner::input_tar::{self, InputBundle};
use skriptoteket_runner::{DockerRunner, RunLimits};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const TOOL: &str =
    "def run_tool(input_dir, output_dir):\n    return {'outputs': [{'kind': 'markdown', 'markdown': 'ok'}]}\n";

fn request(dir: &std::path::Path) -> RunRequest {
    let run_id = uuid::Uuid::now_v7();
    RunRequest {
        run_id,
        source: TOOL.into(),
        entrypoint: "run_tool".into(),
        files: vec![],
        inputs: serde_json::json!({}),
        settings: serde_json::json!({}),
        action: None,
        timeout: Duration::from_secs(60),
        artifacts_dir: dir.join(run_id.to_string()),
        labels: vec![("purpose".into(), "bench".into())],
    }
}

async fn runner_once(runner: &DockerRunner, dir: &std::path::Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let execution = runner.execute(request(dir), Arc::new(|_| {}), CancellationToken::new()).await;
    anyhow::ensure!(execution.status == ExecutionStatus::Succeeded, "runner: {:?}", execution.error_summary);
    Ok(started.elapsed())
}

/// The same container by the CLI: same image, limits and stdin tar; output discarded.
fn bare_once(image: &str, limits: &RunLimits, tar: &[u8]) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut child = Command::new("docker")
        .args(["run", "--rm", "-i", "--network", "none", "--read-only", "--user", "10001:10001", "--cap-drop", "ALL"])
        .args(["--security-opt", "no-new-privileges", "--pids-limit", &limits.pids.to_string()])
        .args(["--memory", &limits.memory_bytes.to_string(), "--memory-swap", &limits.memory_bytes.to_string()])
        .args(["--cpus", &limits.cpus.to_string(), "--ulimit", "nofile=1024:1024"])
        .args([
            "--tmpfs",
            &format!("/work:{}", limits.work_tmpfs()),
            "--tmpfs",
            &format!("/tmp:{}", limits.tmp_tmpfs()),
        ])
        .args(["-e", "SKRIPTOTEKET_ENTRYPOINT=run_tool", "-e", "SKRIPTOTEKET_SCRIPT_PATH=/work/script.py", image])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    child.stdin.take().expect("stdin").write_all(tar)?;
    let output = child.wait_with_output()?;
    anyhow::ensure!(output.status.success() && output.stdout.len() > 100, "bare docker run failed");
    Ok(started.elapsed())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20).max(5);
    let image = std::env::var("RUNNER_IMAGE").unwrap_or_else(|_| "skriptoteket-runner:latest".into());
    let limits = RunLimits::default();
    let runner =
        DockerRunner::connect(image.clone(), limits.clone(), format!("bench-{}", uuid::Uuid::new_v4().simple()))
            .await?;
    let dir = tempfile::tempdir()?;
    let run_json = serde_json::json!({ "env": { "SKRIPTOTEKET_ENTRYPOINT": "run_tool" } }).to_string();
    let tar = input_tar::build(&InputBundle {
        run_json: run_json.as_bytes(),
        script: TOOL,
        memory_json: b"{\"settings\":{}}",
        action_json: None,
        files: &[],
    })?;

    // Warm-up: page cache, image layers, the engine's own caches.
    runner_once(&runner, dir.path()).await?;
    bare_once(&image, &limits, &tar)?;

    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(runner_once(&runner, dir.path()).await?);
        bare.push(bare_once(&image, &limits, &tar)?);
    }
    let (m_ours, m_bare) = (median(ours), median(bare));

    let mut concurrency = Vec::new();
    for parallel in [1usize, 2, 4] {
        for pooled in [false, true] {
            let runner = if pooled { runner.clone().with_pool(parallel) } else { runner.clone() };
            let stop = CancellationToken::new();
            let keeper = runner.maintain_pool(stop.clone());
            if pooled {
                while runner.pool_stats().is_some_and(|s| s.ready < parallel) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            let rounds = (runs / parallel).max(3);
            let started = Instant::now();
            let mut latencies = Vec::new();
            for _ in 0..rounds {
                let batch = (0..parallel).map(|_| runner_once(&runner, dir.path()));
                for result in futures::future::join_all(batch).await {
                    latencies.push(result?);
                }
            }
            let throughput = latencies.len() as f64 / started.elapsed().as_secs_f64();
            concurrency.push((parallel, pooled, latencies.len(), median(latencies), throughput));
            stop.cancel();
            if let Some(keeper) = keeper {
                keeper.await?;
            }
        }
    }

    println!("| measure | median (ms) |\n|---|---|");
    println!("| `DockerRunner` full lifecycle, trivial tool ({runs} runs) | {} |", ms(m_ours));
    println!("| bare `docker run --rm -i`, same image, flags and stdin ({runs} runs) | {} |", ms(m_bare));
    println!("| ratio runner / bare | {:.2} |", m_ours.as_secs_f64() / m_bare.as_secs_f64());
    println!();
    println!(
        "| concurrent runs | pre-started | runs measured | median latency (ms) | throughput (runs/s) |\n|---|---|---|---|---|"
    );
    for (parallel, pooled, n, latency, throughput) in concurrency {
        let pool = if pooled { "yes" } else { "no" };
        println!("| {parallel} | {pool} | {n} | {} | {throughput:.1} |", ms(latency));
    }
    Ok(())
}

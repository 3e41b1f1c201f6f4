//! The container engines the server runs tools on: the one of DOCKER_HOST, exactly as
//! before, or the fleet of RUNNER_DOCKER_HOSTS. Owns what each engine needs beside its runs:
//! the start-up reaper, the pre-started pool, the fleet's probes, and the wait for background
//! removals at shutdown.

use crate::config::RunnerArgs;
use anyhow::Context;
use skriptoteket_domain::execution::Runner;
use skriptoteket_runner::fleet::Probe;
use skriptoteket_runner::{DockerRunner, EngineSpec, Fleet};
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct Engines {
    runner: Arc<dyn Runner>,
    /// Clones sharing each engine's pool and removals with the runner above.
    dockers: Vec<DockerRunner>,
    fleet: Option<Arc<Fleet<DockerRunner>>>,
    capacity: usize,
}

impl Engines {
    /// Connects to each engine and removes what an earlier process left there. Each engine
    /// keeps `pool_size` containers pre-started (default: the runs it may take at once).
    pub async fn connect(args: &RunnerArgs, max_concurrency: usize, pool_size: Option<usize>) -> anyhow::Result<Self> {
        let max_concurrency = max_concurrency.max(1);
        let specs = args.engines(max_concurrency)?;
        let several = specs.is_some();
        let mut prepared = Vec::new();
        for (name, capacity, runner) in connect_each(args, specs, max_concurrency).await? {
            if let Err(e) = runner.reap().await {
                tracing::warn!(engine = %name, error = %e, "could not look for containers left by an earlier process");
            }
            let runner = runner.with_pool(pool_size.unwrap_or(capacity)).remove_in_background();
            prepared.push((name, capacity, runner));
        }
        let dockers = prepared.iter().map(|(_, _, runner)| runner.clone()).collect();
        if !several {
            let (_, capacity, runner) = prepared.pop().context("no container engine")?;
            return Ok(Self { runner: Arc::new(runner), dockers, fleet: None, capacity });
        }
        let fleet = Arc::new(Fleet::new(prepared, Probe::default()));
        tracing::info!(
            engines = fleet.engines().len(),
            runs_at_once = fleet.capacity(),
            "runs spread over several container engines"
        );
        Ok(Self { runner: fleet.clone(), dockers, capacity: fleet.capacity(), fleet: Some(fleet) })
    }

    pub fn runner(&self) -> Arc<dyn Runner> {
        self.runner.clone()
    }

    /// Runs all engines may take at once: the number of queue workers.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The pool keepers and the fleet's probes, until `shutdown`.
    pub fn start(&self, shutdown: &CancellationToken) -> Vec<JoinHandle<()>> {
        let mut tasks: Vec<JoinHandle<()>> =
            self.dockers.iter().filter_map(|docker| docker.maintain_pool(shutdown.clone())).collect();
        tasks.extend(self.fleet.as_ref().map(|fleet| fleet.watch(shutdown.clone())));
        tasks
    }

    /// Waits for the last runs' containers to be removed.
    pub async fn settle(&self) {
        futures::future::join_all(self.dockers.iter().map(DockerRunner::settle)).await;
    }
}

/// One runner per engine, as `(name, runs at once, runner)`: those of `specs`, or without
/// them the one of DOCKER_HOST (the local socket by default).
pub async fn connect_each(
    args: &RunnerArgs,
    specs: Option<Vec<EngineSpec>>,
    default_capacity: usize,
) -> anyhow::Result<Vec<(String, usize, DockerRunner)>> {
    let (image, limits, instance) = (args.runner_image.clone(), args.limits()?, args.instance());
    let Some(specs) = specs else {
        let name = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
        let runner = DockerRunner::connect(image, limits, instance)
            .await
            .context("configuring the container engine (DOCKER_HOST)")?;
        return Ok(vec![(name, default_capacity, runner)]);
    };
    let mut engines = Vec::new();
    for spec in specs {
        let runner = DockerRunner::connect_to(&spec, image.clone(), limits.clone(), instance.clone())
            .await
            .with_context(|| format!("configuring the container engine {} (RUNNER_DOCKER_HOSTS)", spec.address))?;
        engines.push((spec.address, spec.capacity, runner));
    }
    Ok(engines)
}

//! Pre-started containers (`RUNNER_POOL_SIZE`): created and started ahead of demand with every
//! setting of a run container, each blocked on its stdin until a run's input arrives; handed
//! to exactly one run, then removed like any run container. A background task keeps the pool
//! full, drops containers that died while waiting or were made from an image that has since
//! changed, and removes what is left at shutdown. ADR 0005 argues why a pooled container is as
//! fresh as a new one.

use super::DockerRunner;
use super::spec::{self, ContainerSpec};
use bollard::errors::Error as DockerError;
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, RenameContainerOptionsBuilder,
};
use skriptoteket_domain::execution::PoolStats;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Marks pooled containers (besides the labels every run container has).
pub const LABEL_POOL: &str = "org.skriptoteket.pool";
/// How often the pool is checked for dead containers and a changed image.
const CHECK_EVERY: Duration = Duration::from_secs(5);

pub struct Pool {
    size: usize,
    ready: Mutex<VecDeque<Pooled>>,
    /// Wakes the keeper when a container was taken (or found dead).
    wanted: Notify,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Pooled {
    name: String,
    image_id: String,
}

impl Pool {
    pub fn new(size: usize) -> Self {
        Self {
            size,
            ready: Mutex::default(),
            wanted: Notify::new(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> PoolStats {
        PoolStats {
            size: self.size,
            ready: self.ready.lock().expect("pool lock").len(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    fn pop(&self) -> Option<Pooled> {
        self.ready.lock().expect("pool lock").pop_front()
    }

    fn missing(&self) -> usize {
        self.size.saturating_sub(self.ready.lock().expect("pool lock").len())
    }
}

impl DockerRunner {
    /// Keeps the pool full until `shutdown`, then removes the containers still waiting.
    pub fn maintain_pool(&self, shutdown: CancellationToken) -> Option<tokio::task::JoinHandle<()>> {
        let pool = self.pool.clone()?;
        let runner = self.clone();
        Some(tokio::spawn(async move {
            let mut check = tokio::time::interval(CHECK_EVERY);
            loop {
                runner.fill(&pool, &shutdown).await;
                tokio::select! {
                    () = pool.wanted.notified() => {}
                    _ = check.tick() => runner.prune(&pool).await,
                    () = shutdown.cancelled() => break,
                }
            }
            while let Some(pooled) = pool.pop() {
                runner.remove(&pooled.name).await;
            }
        }))
    }

    async fn fill(&self, pool: &Pool, shutdown: &CancellationToken) {
        let Ok(image_id) = self.image_id().await else { return };
        for _ in 0..pool.missing() {
            if shutdown.is_cancelled() {
                return;
            }
            match self.prestart().await {
                Ok(name) => {
                    pool.ready.lock().expect("pool lock").push_back(Pooled { name, image_id: image_id.clone() })
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not pre-start a container; runs start their own meanwhile");
                    return;
                }
            }
        }
    }

    /// Drops pooled containers that are no longer running or were made from another image.
    async fn prune(&self, pool: &Pool) {
        let (Ok(image_id), Ok(running)) = (self.image_id().await, self.running_pool_containers().await) else {
            return;
        };
        let stale: VecDeque<Pooled> = {
            let mut ready = pool.ready.lock().expect("pool lock");
            let (keep, stale) = ready.drain(..).partition(|p| p.image_id == image_id && running.contains(&p.name));
            *ready = keep;
            stale
        };
        for pooled in &stale {
            tracing::info!(container = %pooled.name, "dropping a pre-started container (image changed or it died)");
            self.remove(&pooled.name).await;
        }
    }

    /// A pre-started container for `run`, renamed after it; `None` when the pool is off or
    /// empty (the caller then creates one). Never hands out a container that is not running.
    pub(super) async fn take_pooled(&self, run: Uuid) -> Option<String> {
        let pool = self.pool.as_ref()?;
        let taken = loop {
            let Some(pooled) = pool.pop() else {
                pool.misses.fetch_add(1, Ordering::Relaxed);
                pool.wanted.notify_one();
                return None;
            };
            let alive = self.docker.inspect_container(&pooled.name, None).await.ok().and_then(|i| i.state);
            if alive.is_some_and(|s| s.running == Some(true) && s.oom_killed != Some(true)) {
                break pooled;
            }
            tracing::warn!(container = %pooled.name, "a pre-started container died while waiting; not used");
            self.remove(&pooled.name).await;
        };
        pool.hits.fetch_add(1, Ordering::Relaxed);
        pool.wanted.notify_one();
        let name = format!("skt-run-{run}");
        let options = RenameContainerOptionsBuilder::default().name(&name).build();
        match self.docker.rename_container(&taken.name, options).await {
            Ok(()) => Some(name),
            Err(_) => Some(taken.name),
        }
    }

    /// Creates and starts a container that waits for a run on its stdin.
    async fn prestart(&self) -> Result<String, DockerError> {
        let name = format!("skt-pool-{}", Uuid::new_v4().simple());
        let labels = [("pool".to_owned(), "true".to_owned())];
        let body = spec::create_body(&ContainerSpec {
            image: &self.image,
            instance: &self.instance,
            run_id: "",
            env: self.environment(),
            extra_labels: &labels,
            limits: &self.limits,
            engine: self.engine,
        });
        let create = CreateContainerOptionsBuilder::default().name(&name).build();
        self.docker.create_container(Some(create), body).await?;
        if let Err(e) = self.docker.start_container(&name, None).await {
            self.remove(&name).await;
            return Err(e);
        }
        Ok(name)
    }

    async fn image_id(&self) -> Result<String, DockerError> {
        Ok(self.docker.inspect_image(&self.image).await?.id.unwrap_or_default())
    }

    async fn running_pool_containers(&self) -> Result<HashSet<String>, DockerError> {
        let labels = vec![format!("{LABEL_POOL}=true"), format!("{}={}", spec::LABEL_INSTANCE, self.instance)];
        let filters = HashMap::from([("label", labels), ("status", vec!["running".to_owned()])]);
        let options = ListContainersOptionsBuilder::default().filters(&filters).build();
        let list = self.docker.list_containers(Some(options)).await?;
        Ok(list
            .into_iter()
            .flat_map(|c| c.names.unwrap_or_default())
            .map(|n| n.trim_start_matches('/').to_owned())
            .collect())
    }
}

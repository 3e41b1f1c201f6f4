//! Everything between a stored run and a finished one: the in-process event hub, the queue
//! workers, uploaded files, the pre-flight syntax check, the run metrics, and the disk they
//! use (free space, housekeeping).

pub mod engines;
pub mod housekeeping;
pub mod hub;
pub mod metrics;
pub mod queue;
pub mod relay;
pub mod storage;
pub mod streams;
pub mod syntax;
pub mod uploads;

pub use storage::StorageConfig;

use std::path::PathBuf;
use std::time::Duration;

/// Enough for a teacher with a dozen tabs; far below what would wear the server down.
pub const DEFAULT_MAX_STREAMS_PER_USER: usize = 20;

/// Run-related configuration, resolved from the command line.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub artifacts_root: PathBuf,
    pub uploads_root: PathBuf,
    pub max_concurrency: usize,
    pub max_queue: u64,
    /// Queued or running runs one user may have at once, so nobody fills the queue alone.
    pub max_active_per_user: u64,
    /// Runs one user may follow at once (event streams and `Prefer: wait`).
    pub max_streams_per_user: usize,
    pub timeout_production: Duration,
    pub timeout_sandbox: Duration,
    /// Names this process in run claims and container labels.
    pub instance: String,
    pub shutdown_grace: Duration,
    /// How long a running run or a server process may go without a heartbeat before the other
    /// processes take it for dead (`queue::DEFAULT_LEASE`; tests shorten it).
    pub lease: Duration,
    /// Per-user quota, free-space floor, retention and housekeeping schedule.
    pub storage: StorageConfig,
    /// The S3 store uploads and artifacts are shared through (`STORAGE_URL`); `None`: the
    /// data directory alone.
    pub shared_storage: Option<crate::blobs::S3>,
}

impl RunConfig {
    /// Defaults under `data_dir`, for tests and tools (no free-space floor, no housekeeping
    /// task: tests turn them on).
    pub fn under(data_dir: &std::path::Path, instance: &str) -> Self {
        Self {
            artifacts_root: data_dir.join("artifacts"),
            uploads_root: data_dir.join("uploads"),
            max_concurrency: 1,
            max_queue: 50,
            max_active_per_user: 10,
            max_streams_per_user: DEFAULT_MAX_STREAMS_PER_USER,
            timeout_production: Duration::from_secs(120),
            timeout_sandbox: Duration::from_secs(60),
            instance: instance.to_owned(),
            shutdown_grace: Duration::from_secs(30),
            lease: queue::DEFAULT_LEASE,
            storage: StorageConfig::default(),
            shared_storage: None,
        }
    }

    /// Where this server keeps run files (see `blobs`).
    pub fn blobs(&self) -> crate::blobs::Blobs {
        let local = crate::blobs::Blobs::local(self.uploads_root.clone(), self.artifacts_root.clone());
        match &self.shared_storage {
            Some(s3) => local.with_s3(s3.clone()),
            None => local,
        }
    }
}

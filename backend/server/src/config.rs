//! Command line and environment configuration (SPEC §7). Every `serve` option is also an
//! environment variable; docs/configuration.md lists them all.

use clap::{Args, Parser, Subcommand};
use skriptoteket_domain::Role;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "skriptoteket", version, about = "Skriptoteket: run teachers' Python tools safely")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "SKRIPTOTEKET_LOG_JSON", global = true)]
    pub log_json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (and the SPA when built).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Container engine and runner image health.
    #[command(subcommand)]
    Runner(RunnerCommand),
    /// Artifact housekeeping.
    #[command(subcommand)]
    Artifacts(ArtifactsCommand),
    /// Add the example tools to an empty catalog.
    Seed(DbArgs),
    /// Tool bundles.
    #[command(subcommand)]
    Tools(ToolsCommand),
}

#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// Import tool bundles (JSON files from `GET /api/admin/tools/{id}/export`, or with the
    /// original platform's input schema) as new tools, each with a draft or published.
    Import {
        /// The bundle files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Publish each imported version at once (needs a category and a profession).
        #[arg(long)]
        publish: bool,
        /// The maintainer and author (an admin to publish); default the first superuser or admin.
        #[arg(long)]
        owner: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum RunnerCommand {
    /// Engine reachable, image present, and a trivial hardened run succeeds.
    Check(RunnerArgs),
}

#[derive(Debug, Subcommand)]
pub enum ArtifactsCommand {
    /// One housekeeping pass (the server also makes them on a schedule): artifacts older than
    /// ARTIFACTS_RETENTION_DAYS, uploads no run can reuse, runs older than RUNS_RETENTION_DAYS.
    Prune {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "user")]
        role: Role,
        /// Display name (defaults to the part of the email before `@`).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Change a user's role.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: Role,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Where the data lives; shared by every subcommand that opens the database.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Directory for the SQLite file, the JWT secret and artifacts.
    #[arg(long, env = "SKRIPTOTEKET_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; defaults to a SQLite file in the data dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// Where run files live.
#[derive(Debug, Clone, Args)]
pub struct StorageArgs {
    /// Artifacts of runs; defaults to `$SKRIPTOTEKET_DATA_DIR/artifacts`.
    #[arg(long, env = "ARTIFACTS_ROOT")]
    pub artifacts_root: Option<PathBuf>,
    /// Days a run's artifacts are kept after it ended.
    #[arg(long, env = "ARTIFACTS_RETENTION_DAYS", default_value_t = 7)]
    pub artifacts_retention_days: u32,
    /// Days a run is kept after it ended (its row with inputs and logs, artifacts and
    /// uploads); 0 keeps runs for ever.
    #[arg(long, env = "RUNS_RETENTION_DAYS", default_value_t = 90)]
    pub runs_retention_days: u32,
    /// `s3://bucket/prefix`: keep uploads and artifacts in this S3-compatible store, shared by
    /// every server (endpoint and credentials from `AWS_ENDPOINT_URL`, `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`); unset: the data directory alone.
    #[arg(long, env = "STORAGE_URL")]
    pub storage_url: Option<String>,
}

impl StorageArgs {
    pub fn artifacts_root(&self, data_dir: &std::path::Path) -> PathBuf {
        self.artifacts_root.clone().unwrap_or_else(|| data_dir.join("artifacts"))
    }

    /// The shared S3 store of `STORAGE_URL`, if one is set.
    pub fn shared_storage(&self) -> anyhow::Result<Option<crate::blobs::S3>> {
        match self.storage_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => Ok(Some(crate::blobs::S3::from_env(url)?)),
            None => Ok(None),
        }
    }

    /// How long artifacts and runs are kept after a run ended (`None`: runs for ever).
    pub fn retention(&self) -> (chrono::Duration, Option<chrono::Duration>) {
        let runs = (self.runs_retention_days > 0).then(|| chrono::Duration::days(i64::from(self.runs_retention_days)));
        (chrono::Duration::days(i64::from(self.artifacts_retention_days)), runs)
    }

    /// What housekeeping removes, with the run files under `data_dir` (and in the shared store).
    pub fn housekeeping(&self, data_dir: &std::path::Path) -> anyhow::Result<crate::execution::housekeeping::Policy> {
        let mut blobs = crate::blobs::Blobs::local(data_dir.join("uploads"), self.artifacts_root(data_dir));
        if let Some(s3) = self.shared_storage()? {
            blobs = blobs.with_s3(s3);
        }
        let (artifacts_retention, runs_retention) = self.retention();
        Ok(crate::execution::housekeeping::Policy { blobs, artifacts_retention, runs_retention })
    }
}

/// The container engine and the limits of every run (SPEC §6). The engine address comes from
/// `DOCKER_HOST` (and `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH` for TLS), read by bollard.
#[derive(Debug, Clone, Args)]
pub struct RunnerArgs {
    #[arg(long, env = "RUNNER_IMAGE", default_value = "skriptoteket-runner:latest")]
    pub runner_image: String,
    #[arg(long, env = "RUNNER_CPU_LIMIT", default_value_t = 1.0)]
    pub runner_cpu_limit: f64,
    #[arg(long, env = "RUNNER_MEMORY_LIMIT", default_value = "1g")]
    pub runner_memory_limit: String,
    #[arg(long, env = "RUNNER_PIDS_LIMIT", default_value_t = 256)]
    pub runner_pids_limit: i64,
    #[arg(long, env = "RUNNER_TMP_SIZE", default_value = "256m")]
    pub runner_tmp_size: String,
    #[arg(long, env = "RUNNER_WORK_SIZE", default_value = "512m")]
    pub runner_work_size: String,
    #[arg(long, env = "RUNNER_MAX_ARTIFACTS", default_value_t = 100)]
    pub runner_max_artifacts: usize,
    #[arg(long, env = "RUNNER_MAX_ARTIFACT_SIZE", default_value = "50m")]
    pub runner_max_artifact_size: String,
    #[arg(long, env = "RUNNER_MAX_ARTIFACTS_TOTAL", default_value = "200m")]
    pub runner_max_artifacts_total: String,
    /// Names this server's containers, so its start-up reaper never touches another server's
    /// runs on a shared engine. Defaults to the host name.
    #[arg(long, env = "SKRIPTOTEKET_INSTANCE")]
    pub instance: Option<String>,
    /// Several container engines instead of the one of DOCKER_HOST, comma-separated:
    /// `unix:///path/docker.sock[=N]` or `tcp://host:2376[?certs=DIR][=N]` (TLS only). N runs
    /// at once on that engine (default RUNNER_MAX_CONCURRENCY); the server runs their sum.
    #[arg(long, env = "RUNNER_DOCKER_HOSTS")]
    pub runner_docker_hosts: Option<String>,
    /// TLS client certificates (ca.pem, cert.pem, key.pem) for the tcp:// engines of
    /// RUNNER_DOCKER_HOSTS that name no `?certs=` of their own.
    #[arg(long, env = "RUNNER_DOCKER_CERT_PATH")]
    pub runner_docker_cert_path: Option<PathBuf>,
}

impl RunnerArgs {
    pub fn limits(&self) -> anyhow::Result<skriptoteket_runner::RunLimits> {
        use skriptoteket_runner::limits::parse_size;
        let size = |what: &str, text: &str| parse_size(text).map_err(|e| anyhow::anyhow!("{what}: {e}"));
        anyhow::ensure!(self.runner_cpu_limit > 0.0, "RUNNER_CPU_LIMIT must be positive");
        anyhow::ensure!(self.runner_pids_limit > 0, "RUNNER_PIDS_LIMIT must be positive");
        Ok(skriptoteket_runner::RunLimits {
            cpus: self.runner_cpu_limit,
            memory_bytes: size("RUNNER_MEMORY_LIMIT", &self.runner_memory_limit)?,
            pids: self.runner_pids_limit,
            tmp_bytes: size("RUNNER_TMP_SIZE", &self.runner_tmp_size)?,
            work_bytes: size("RUNNER_WORK_SIZE", &self.runner_work_size)?,
            max_artifacts: self.runner_max_artifacts,
            max_artifact_bytes: size("RUNNER_MAX_ARTIFACT_SIZE", &self.runner_max_artifact_size)?,
            max_artifacts_total_bytes: size("RUNNER_MAX_ARTIFACTS_TOTAL", &self.runner_max_artifacts_total)?,
            ..Default::default()
        })
    }

    /// The engines of `RUNNER_DOCKER_HOSTS`, each taking `default_capacity` runs unless it
    /// says `=N`; `None` when unset (the one engine of DOCKER_HOST).
    pub fn engines(&self, default_capacity: usize) -> anyhow::Result<Option<Vec<skriptoteket_runner::EngineSpec>>> {
        let Some(list) = self.runner_docker_hosts.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        skriptoteket_runner::EngineSpec::parse_list(list, default_capacity, self.runner_docker_cert_path.as_deref())
            .map(Some)
            .map_err(|e| anyhow::anyhow!("RUNNER_DOCKER_HOSTS: {e}"))
    }

    pub fn instance(&self) -> String {
        self.instance.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_owned())
                .unwrap_or_else(|_| "skriptoteket".into())
        })
    }
}

impl DbArgs {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("skriptoteket.db").display()))
    }
}

/// A secret from the command line or environment: usable as text, never shown by `Debug`, so
/// logging the configuration cannot leak it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "SKRIPTOTEKET_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Secret for signing session tokens; generated once into the data dir when unset.
    #[arg(long, env = "SKRIPTOTEKET_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,
    /// How long a sign-in lasts, in hours.
    #[arg(long, env = "SKRIPTOTEKET_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,
    /// Mark the session cookie `Secure` (set this behind HTTPS).
    #[arg(long, env = "SKRIPTOTEKET_COOKIE_SECURE")]
    pub cookie_secure: bool,
    /// Reverse proxies (comma-separated IP addresses) whose `X-Forwarded-For` names the
    /// client. Without it, every sign-in through a proxy counts against the proxy's address.
    #[arg(long, env = "SKRIPTOTEKET_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
    /// With `SKRIPTOTEKET_BOOTSTRAP_PASSWORD`: create this superuser at start when no user exists.
    #[arg(long, env = "SKRIPTOTEKET_BOOTSTRAP_EMAIL")]
    pub bootstrap_email: Option<String>,
    #[arg(long, env = "SKRIPTOTEKET_BOOTSTRAP_PASSWORD", hide_env_values = true)]
    pub bootstrap_password: Option<Secret>,
    /// Directory of the built SPA, served with history fallback when it exists.
    #[arg(long, env = "SKRIPTOTEKET_SPA_DIR", default_value = "frontend/dist")]
    pub spa_dir: PathBuf,
    /// Seconds a request may take before it is answered with 408 (runs are asynchronous;
    /// event streams and downloads are exempt).
    #[arg(long, env = "SKRIPTOTEKET_REQUEST_TIMEOUT_SECONDS", default_value_t = 90)]
    pub request_timeout_seconds: u64,
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(flatten)]
    pub runner: RunnerArgs,
    /// Runs executing at once.
    #[arg(long, env = "RUNNER_MAX_CONCURRENCY", default_value_t = 1)]
    pub runner_max_concurrency: usize,
    /// Containers kept started ahead of demand, each used for one run (default: as many as
    /// runs may execute at once; 0 starts every run's container on demand).
    #[arg(long, env = "RUNNER_POOL_SIZE")]
    pub runner_pool_size: Option<usize>,
    /// Runs that may wait; more are answered with 503 and Retry-After.
    #[arg(long, env = "RUNNER_MAX_QUEUE", default_value_t = 50)]
    pub runner_max_queue: u64,
    /// Queued or running runs one user may have at once; more are answered with 429.
    #[arg(long, env = "RUNNER_MAX_ACTIVE_PER_USER", default_value_t = 10)]
    pub runner_max_active_per_user: u64,
    #[arg(long, env = "RUNNER_TIMEOUT_PRODUCTION_SECONDS", default_value_t = 120)]
    pub runner_timeout_production_seconds: u32,
    #[arg(long, env = "RUNNER_TIMEOUT_SANDBOX_SECONDS", default_value_t = 60)]
    pub runner_timeout_sandbox_seconds: u32,
    /// Bytes of uploads and kept artifacts one user may hold (e.g. 1g); a run whose uploads
    /// would go past it is refused with 413. 0 = unlimited.
    #[arg(long, env = "STORAGE_QUOTA_PER_USER", default_value = "1g")]
    pub storage_quota_per_user: String,
    /// Free space the data volume keeps (e.g. 1g); below it new runs are refused with 503 and
    /// readiness fails. 0 = off.
    #[arg(long, env = "STORAGE_MIN_FREE", default_value = "1g")]
    pub storage_min_free: String,
    /// Seconds between housekeeping passes in the server (expired uploads, artifacts and runs);
    /// 0 = none (then run `skriptoteket artifacts prune` from cron).
    #[arg(long, env = "SKRIPTOTEKET_HOUSEKEEPING_INTERVAL_SECONDS", default_value_t = 3600)]
    pub housekeeping_interval_seconds: u64,
    /// Seconds a server's runs stay its own without a heartbeat: another server on the same
    /// database fails them (and removes its containers) once this passes after a crash.
    #[arg(long, env = "SKRIPTOTEKET_LEASE_SECONDS", default_value_t = 30)]
    pub lease_seconds: u64,
    /// On shutdown, how long running runs may go on before they are cancelled.
    #[arg(long, env = "SKRIPTOTEKET_SHUTDOWN_GRACE_SECONDS", default_value_t = 30)]
    pub shutdown_grace_seconds: u64,
    /// Add the example tools at start when they are missing and an admin exists.
    #[arg(long, env = "SKRIPTOTEKET_SEED", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed: bool,
}

impl ServeArgs {
    /// The storage limits and housekeeping schedule of `serve`.
    pub fn storage(&self) -> anyhow::Result<crate::execution::StorageConfig> {
        use skriptoteket_runner::limits::parse_size;
        let size = |what: &str, text: &str| parse_size(text).map_err(|e| anyhow::anyhow!("{what}: {e}"));
        let (artifacts_retention, runs_retention) = self.storage.retention();
        Ok(crate::execution::StorageConfig {
            quota_per_user: size("STORAGE_QUOTA_PER_USER", &self.storage_quota_per_user)?,
            min_free: size("STORAGE_MIN_FREE", &self.storage_min_free)?,
            artifacts_retention,
            runs_retention,
            housekeeping_interval: (self.housekeeping_interval_seconds > 0)
                .then(|| std::time::Duration::from_secs(self.housekeeping_interval_seconds)),
        })
    }
}

#[cfg(test)]
mod secret_tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let cli = Cli::parse_from([
            "skriptoteket",
            "serve",
            "--jwt-secret",
            "hemlig-nyckel-som-inte-far-synas-0123456789",
            "--bootstrap-email",
            "a@b.se",
            "--bootstrap-password",
            "hemligt-losenord",
        ]);
        let shown = format!("{cli:?}");
        assert!(!shown.contains("hemlig") && shown.contains("Secret(***)"), "{shown}");
    }
}

//! Shared application state handed to every handler.

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimiter;
use crate::cache::TtlCache;
use crate::execution::RunConfig;
use crate::execution::hub::RunHub;
use crate::execution::metrics::Metrics;
use crate::execution::storage::UserLocks;
use crate::execution::streams::StreamCounter;
use crate::execution::syntax::SyntaxChecker;
use skriptoteket_domain::execution::Runner;
use skriptoteket_domain::{Page, Store, User};
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A cached catalog page and, once a handler has made it, its JSON answer and ETag: a hit then
/// costs neither queries nor serialisation.
pub struct CatalogPage {
    pub page: Page<skriptoteket_domain::tool::CatalogEntry>,
    pub answer: std::sync::OnceLock<(bytes::Bytes, String)>,
}

/// How long another server's change to a user or the catalog may take to show here.
pub const CACHE_BOUND: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub runner: Arc<dyn Runner>,
    pub keys: JwtKeys,
    pub sessions: SessionConfig,
    pub runs: RunConfig,
    pub login_limiter: LoginLimiter,
    pub hub: RunHub,
    /// Runs followed right now, per user.
    pub streams: StreamCounter,
    /// Wakes a queue worker when a run is enqueued.
    pub queue_wake: Notify,
    pub metrics: Metrics,
    pub syntax: SyntaxChecker,
    /// Signed-in users by id, so a request needs no database round trip to authenticate;
    /// changed here → invalidated at once, changed by another server → seen within the bound.
    pub users: TtlCache<Uuid, User>,
    /// Catalog pages by query; cleared whenever this process changes a tool or a version.
    pub catalog: TtlCache<String, Arc<CatalogPage>>,
    /// Bytes each user keeps, as shown to them (never used for the quota check).
    pub storage_used: TtlCache<Uuid, u64>,
    /// Held by a user's run start from the quota check to the enqueue.
    pub storage_locks: UserLocks,
    /// Cancelled when the server shuts down: event streams end, workers stop claiming.
    pub shutdown: CancellationToken,
}

#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub ttl: Duration,
    /// Whether the session cookie carries `Secure` (only behind HTTPS).
    pub cookie_secure: bool,
    /// Peers whose `X-Forwarded-For` is believed when throttling sign-ins by client address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        runner: Arc<dyn Runner>,
        keys: JwtKeys,
        sessions: SessionConfig,
        runs: RunConfig,
    ) -> Self {
        Self(Arc::new(Inner {
            store,
            runner,
            keys,
            sessions,
            runs,
            login_limiter: LoginLimiter::default(),
            hub: RunHub::default(),
            streams: StreamCounter::default(),
            queue_wake: Notify::new(),
            metrics: Metrics::default(),
            syntax: SyntaxChecker::default(),
            users: TtlCache::new(CACHE_BOUND, 10_000),
            catalog: TtlCache::new(CACHE_BOUND, 1_000),
            storage_used: TtlCache::new(CACHE_BOUND, 10_000),
            storage_locks: UserLocks::default(),
            shutdown: CancellationToken::new(),
        }))
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

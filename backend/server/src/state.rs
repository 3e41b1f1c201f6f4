//! Shared application state handed to every handler.

use crate::auth::jwt::JwtKeys;
use crate::cache::TtlCache;
use crate::execution::RunConfig;
use crate::execution::hub::{HubEvent, RunHub};
use crate::execution::metrics::Metrics;
use crate::execution::relay::{Cache, Relay};
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

/// How long another server's change to a user or the catalog may take to show here when the
/// database cannot signal it (a lost signal on PostgreSQL; SQLite has one server only).
pub const CACHE_BOUND: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub runner: Arc<dyn Runner>,
    pub keys: JwtKeys,
    pub sessions: SessionConfig,
    pub runs: RunConfig,
    pub hub: RunHub,
    /// Run events, cancels and cache changes to and from the other servers on this database.
    pub relay: Relay,
    /// Runs followed right now, per user.
    pub streams: StreamCounter,
    /// Wakes a queue worker when a run is enqueued.
    pub queue_wake: Notify,
    pub metrics: Metrics,
    pub syntax: SyntaxChecker,
    /// Signed-in users by id, so a request needs no database round trip to authenticate;
    /// changed here → invalidated at once, changed by another server → seen within the bound.
    /// (`user_changed` does both).
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
            relay: Relay::new(store.signals(), &runs.instance),
            store,
            runner,
            keys,
            sessions,
            runs,
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

impl AppState {
    /// An event of a run executing here, for its followers here and on the other servers.
    pub fn announce(&self, run: Uuid, event: HubEvent) {
        self.relay.run_event(run, &event);
        self.hub.publish(run, event);
    }

    /// A user changed (role, disabled, name): forgotten here and on the other servers.
    pub fn user_changed(&self, user: Uuid) {
        self.users.invalidate(&user);
        self.relay.cache_changed(Cache::Users, Some(user));
    }

    /// A tool or version changed what the catalog shows: every page is made again, everywhere.
    pub fn catalog_changed(&self) {
        self.catalog.clear();
        self.relay.cache_changed(Cache::Catalog, None);
    }

    /// What `user` keeps changed (`None`: possibly everyone's), here and on the other servers.
    pub fn storage_changed(&self, user: Option<Uuid>) {
        match user {
            Some(user) => self.storage_used.invalidate(&user),
            None => self.storage_used.clear(),
        }
        self.relay.cache_changed(Cache::StorageUsed, user);
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

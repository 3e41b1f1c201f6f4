//! Shared application state handed to every handler.

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimiter;
use crate::execution::RunConfig;
use crate::execution::hub::RunHub;
use crate::execution::metrics::Metrics;
use crate::execution::storage::UserLocks;
use crate::execution::syntax::SyntaxChecker;
use skriptoteket_domain::Store;
use skriptoteket_domain::execution::Runner;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

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
    /// Wakes a queue worker when a run is enqueued.
    pub queue_wake: Notify,
    pub metrics: Metrics,
    pub syntax: SyntaxChecker,
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
            queue_wake: Notify::new(),
            metrics: Metrics::default(),
            syntax: SyntaxChecker::default(),
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

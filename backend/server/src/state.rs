//! Shared application state handed to every handler.

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimiter;
use skriptoteket_domain::Store;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub keys: JwtKeys,
    pub sessions: SessionConfig,
    pub login_limiter: LoginLimiter,
}

#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub ttl: Duration,
    /// Whether the session cookie carries `Secure` (only behind HTTPS).
    pub cookie_secure: bool,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, keys: JwtKeys, sessions: SessionConfig) -> Self {
        Self(Arc::new(Inner {
            store,
            keys,
            sessions,
            login_limiter: LoginLimiter::default(),
        }))
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

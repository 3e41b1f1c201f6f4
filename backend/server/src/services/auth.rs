//! Signing in: throttling, lockout, constant-time-ish failures, token issue.

use crate::auth::jwt::Claims;
use crate::auth::{password, rate_limit};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use chrono::Utc;
use skriptoteket_domain::User;
use skriptoteket_domain::user::{LOCKOUT, MAX_FAILED_LOGINS, normalize_email};
use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Semaphore;

pub struct Session {
    pub user: User,
    pub token: String,
    pub claims: Claims,
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthenticated("invalid_credentials", "The email or password is wrong.")
}

pub(crate) fn too_many(retry_after_seconds: u64) -> ApiError {
    ApiError::TooManyRequests {
        code: "too_many_attempts",
        detail: "Too many failed sign-ins. Wait a while and try again.".into(),
        retry_after_seconds: retry_after_seconds.max(1),
    }
}

pub async fn login(state: &AppState, ip: Option<IpAddr>, email: &str, pw: &str) -> ApiResult<Session> {
    let email = normalize_email(email);
    rate_limit::check(state.store.as_ref(), ip, &email, Utc::now()).await?.map_err(|wait| too_many(wait.as_secs()))?;

    let Some((user, hash)) = state.store.user_credentials(&email).await? else {
        let candidate = pw.to_owned();
        argon2(move || password::verify_dummy(&candidate)).await?;
        return Err(invalid_credentials());
    };
    if let Some(until) = user.locked_until.filter(|until| *until > Utc::now()) {
        return Err(too_many((until - Utc::now()).num_seconds().max(1) as u64));
    }
    let candidate = pw.to_owned();
    if !argon2(move || password::verify(&candidate, &hash)).await? {
        state.store.record_login_failure(user.id, MAX_FAILED_LOGINS, Utc::now() + LOCKOUT).await?;
        return Err(invalid_credentials());
    }
    if user.disabled {
        return Err(ApiError::forbidden("account_disabled", "This account is disabled."));
    }
    rate_limit::record_success(state.store.as_ref(), &email).await?;
    state.store.record_login_success(user.id).await?;
    let (token, claims) = state.keys.issue(user.id, Utc::now(), state.sessions.ttl);
    Ok(Session { user, token, claims })
}

/// Argon2 takes 19 MiB and a core for a while per hash, deliberately: at most one hash per
/// core runs at a time (so a burst cannot drive the server's memory up), off the async
/// workers; a request that gets no turn within `ARGON2_WAIT` is told to come back (503).
pub async fn argon2<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    static GATE: LazyLock<Semaphore> =
        LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get())));
    let permit = tokio::time::timeout(ARGON2_WAIT, GATE.acquire()).await.map_err(|_| ApiError::Unavailable {
        code: "busy",
        detail: "Too many sign-ins are being checked right now. Try again in a moment.".into(),
        retry_after_seconds: 2,
    })?;
    let result = tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.into()));
    drop(permit);
    result
}

/// How long a password check may wait for its turn.
const ARGON2_WAIT: Duration = Duration::from_secs(3);

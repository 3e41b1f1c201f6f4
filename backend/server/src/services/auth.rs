//! Signing in: throttling, lockout, constant-time-ish failures, token issue.

use crate::auth::jwt::Claims;
use crate::auth::password;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use chrono::Utc;
use skriptoteket_domain::User;
use skriptoteket_domain::user::{LOCKOUT, MAX_FAILED_LOGINS, normalize_email};
use std::net::IpAddr;
use std::time::Instant;

pub struct Session {
    pub user: User,
    pub token: String,
    pub claims: Claims,
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthenticated("invalid_credentials", "The email or password is wrong.")
}

fn too_many(retry_after_seconds: u64) -> ApiError {
    ApiError::TooManyRequests {
        code: "too_many_attempts",
        detail: "Too many failed sign-ins. Wait a while and try again.".into(),
        retry_after_seconds: retry_after_seconds.max(1),
    }
}

pub async fn login(state: &AppState, ip: Option<IpAddr>, email: &str, pw: &str) -> ApiResult<Session> {
    let email = normalize_email(email);
    let now = Instant::now();
    state.login_limiter.check(ip, &email, now).map_err(|wait| too_many(wait.as_secs()))?;

    let Some((user, hash)) = state.store.user_credentials(&email).await? else {
        let candidate = pw.to_owned();
        run_blocking(move || password::verify_dummy(&candidate)).await?;
        state.login_limiter.record_failure(&email, now);
        return Err(invalid_credentials());
    };
    if let Some(until) = user.locked_until.filter(|until| *until > Utc::now()) {
        return Err(too_many((until - Utc::now()).num_seconds().max(1) as u64));
    }
    let candidate = pw.to_owned();
    if !run_blocking(move || password::verify(&candidate, &hash)).await? {
        state.login_limiter.record_failure(&email, now);
        state.store.record_login_failure(user.id, MAX_FAILED_LOGINS, Utc::now() + LOCKOUT).await?;
        return Err(invalid_credentials());
    }
    if user.disabled {
        return Err(ApiError::forbidden("account_disabled", "This account is disabled."));
    }
    state.login_limiter.record_success(&email);
    state.store.record_login_success(user.id).await?;
    let (token, claims) = state.keys.issue(user.id, Utc::now(), state.sessions.ttl);
    Ok(Session { user, token, claims })
}

/// Argon2 is deliberately slow; keep it off the async workers.
pub async fn run_blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.into()))
}

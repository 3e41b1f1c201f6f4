//! The `CurrentUser` extractor: reads `Authorization: Bearer` or the session cookie,
//! verifies the token, enforces CSRF on cookie-authenticated writes, and loads the user so a
//! disabled account or a changed role takes effect at once.

use crate::auth::cookies::{CSRF_HEADER, session_token};
use crate::auth::jwt::{Claims, TokenError};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use skriptoteket_domain::{Role, User};

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub claims: Claims,
    /// True when the token came from the cookie (the SPA), false for a Bearer header.
    pub via_cookie: bool,
}

impl CurrentUser {
    /// Refuses with `403` unless the user holds at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.user.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden("forbidden", format!("This needs the {role} role or higher.")))
        }
    }

    pub fn role(&self) -> Role {
        self.user.role
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (token, via_cookie) = match bearer(parts)? {
            Some(token) => (token, false),
            None => match session_token(&parts.headers) {
                Some(token) => (token, true),
                None => {
                    return Err(ApiError::unauthenticated("unauthenticated", "Sign in to continue."));
                }
            },
        };
        let claims = state.keys.verify(token).map_err(|e| match e {
            TokenError::Expired => {
                ApiError::unauthenticated("session_expired", "Your session has expired; sign in again.")
            }
            TokenError::Invalid => {
                ApiError::unauthenticated("invalid_token", "The session token is not valid; sign in again.")
            }
        })?;
        if via_cookie && !parts.method.is_safe() {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|s| constant_time_eq(s.as_bytes(), claims.csrf.as_bytes())) {
                return Err(ApiError::forbidden(
                    "csrf_failed",
                    "This change needs the X-CSRF-Token header from your sign-in.",
                ));
            }
        }
        let user = match state.users.get(&claims.sub) {
            Some(user) => user,
            None => {
                let user = state
                    .store
                    .user_by_id(claims.sub)
                    .await?
                    .ok_or_else(|| ApiError::unauthenticated("invalid_token", "The account no longer exists."))?;
                state.users.put(user.id, user.clone());
                user
            }
        };
        if user.disabled {
            return Err(ApiError::forbidden("account_disabled", "This account is disabled."));
        }
        if !user.accepts_session_issued_at(claims.iat) {
            return Err(ApiError::unauthenticated(
                "session_expired",
                "Your password was changed since you signed in; sign in again.",
            ));
        }
        Ok(Self { user, claims, via_cookie })
    }
}

fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default();
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::unauthenticated("invalid_token", "Use `Authorization: Bearer <token>`.")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

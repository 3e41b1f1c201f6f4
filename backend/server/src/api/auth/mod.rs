//! `POST /api/auth/login`, `POST /api/auth/logout`, `GET /api/auth/me`.

pub mod json;

use crate::api::problems::Common;
use crate::auth::CurrentUser;
use crate::auth::cookies::{clear_session_cookie, session_cookie};
use crate::error::{ApiResult, Problem};
use crate::extract::{ClientIp, ValidatedJson};
use crate::services;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use chrono::DateTime;
use json::{LoginRequest, LoginResponse, MeResponse, UpdateMeRequest};

/// Sign in with email and password; answers a token and sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, body = LoginResponse, description = "Signed in; `Set-Cookie` carries the session"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "Wrong email or password"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Missing fields"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many failed attempts; see Retry-After"),
        Common,
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ValidatedJson(body): ValidatedJson<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let session = services::auth::login(&state, ip, &body.email, &body.password).await?;
    let cookie = session_cookie(&session.token, &state.sessions);
    let response = LoginResponse {
        access_token: session.token,
        token_type: "Bearer",
        expires_at: DateTime::from_timestamp(session.claims.exp, 0).unwrap_or_default(),
        csrf_token: session.claims.csrf,
        user: session.user.into(),
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(response)))
}

/// Sign out: clears the session cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(()), responses((status = 204, description = "Signed out"), Common))]
pub async fn logout(State(state): State<AppState>) -> impl IntoResponse {
    let mut headers = HeaderMap::new();
    if let Ok(value) = clear_session_cookie(&state.sessions).parse() {
        headers.insert(header::SET_COOKIE, value);
    }
    (StatusCode::NO_CONTENT, headers)
}

/// Who am I: the signed-in user, my storage and quota, and for cookie sessions the CSRF token.
#[utoipa::path(
    get,
    path = "/api/auth/me",
    tag = "auth",
    responses((status = 200, body = MeResponse), Common)
)]
pub async fn me(user: CurrentUser, State(state): State<AppState>) -> ApiResult<Json<MeResponse>> {
    let storage = services::storage::usage(&state, &user).await?;
    Ok(Json(MeResponse {
        expires_at: DateTime::from_timestamp(user.claims.exp, 0).unwrap_or_default(),
        csrf_token: user.via_cookie.then(|| user.claims.csrf.clone()),
        user: user.user.into(),
        storage_used_bytes: storage.used_bytes,
        storage_quota_bytes: storage.quota_bytes,
    }))
}

/// Change my display name or password (the current password is needed for a new one).
#[utoipa::path(
    patch,
    path = "/api/auth/me",
    tag = "auth",
    request_body = UpdateMeRequest,
    responses(
        (status = 200, body = MeResponse),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields or a wrong current password"),
        Common,
    )
)]
pub async fn update_me(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidatedJson(body): ValidatedJson<UpdateMeRequest>,
) -> ApiResult<impl IntoResponse> {
    let change =
        services::users::change_self(&state, &user, body.display_name, body.current_password, body.new_password)
            .await?;
    let updated = change.user;
    // A new password ends every earlier session, this one included: the service issued a fresh one.
    let (claims, cookie) = match change.session {
        Some((token, claims)) => (claims, user.via_cookie.then(|| session_cookie(&token, &state.sessions))),
        None => (user.claims.clone(), None),
    };
    let mut headers = HeaderMap::new();
    if let Some(value) = cookie.and_then(|c| c.parse().ok()) {
        headers.insert(header::SET_COOKIE, value);
    }
    let body = MeResponse {
        expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or_default(),
        csrf_token: user.via_cookie.then(|| claims.csrf.clone()),
        user: updated.into(),
        storage_used_bytes: change.storage.used_bytes,
        storage_quota_bytes: change.storage.quota_bytes,
    };
    Ok((headers, Json(body)))
}

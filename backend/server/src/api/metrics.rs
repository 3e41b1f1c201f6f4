//! `GET /metrics`: Prometheus text for operators (runs by status and context, durations,
//! queue depth, active containers). Keep it on an internal network.

use crate::services::health;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "system", security(()), responses((status = 200, content_type = "text/plain", body = String), (status = 503, description = "The database is unreachable")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    match health::metrics_text(&state).await {
        Some(text) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            String::from("database unreachable\n"),
        ),
    }
}

//! `GET /metrics`: Prometheus text for operators (runs by status and context, durations,
//! queue depth, active containers). Keep it on an internal network.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, content_type = "text/plain", body = String), (status = 503, description = "The database is unreachable")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let (depth, counts) = match (state.store.queued_count().await, state.store.run_counts().await) {
        (Ok(depth), Ok(counts)) => (depth, counts),
        _ => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain")],
                String::from("database unreachable\n"),
            );
        }
    };
    let text = state.metrics.render(depth, &counts);
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

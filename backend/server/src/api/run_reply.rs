//! How endpoints that start a run answer: `202` with `Location` while it is queued or running,
//! `200` when it ended within `Prefer: wait=N`.

use crate::api::runs::json::RunResponse;
use crate::services::runs::RunView;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub struct RunAccepted(pub RunView);

impl IntoResponse for RunAccepted {
    fn into_response(self) -> Response {
        let status = if self.0.run.status.is_final() { StatusCode::OK } else { StatusCode::ACCEPTED };
        let body = RunResponse::from(self.0);
        let location = format!("/api/runs/{}", body.id);
        (status, [(header::LOCATION, location)], Json(body)).into_response()
    }
}

//! `GET /api/runs/{id}/events`: server-sent events for a run. A snapshot `status` first,
//! then `status` changes, `output` chunks and `progress` while it runs, then one `run` event with the
//! final run and the end of the stream. A client that connects late still gets the end.

use crate::api::problems::{Common, NotFound};
use crate::api::runs::json::RunResponse;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::services::runs::{self, RunUpdate};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use serde::Serialize;
use serde_json::json;
use std::convert::Infallible;
use std::time::Duration;
use utoipa::ToSchema;
use uuid::Uuid;

/// One event of a run's stream, as a client's SSE parser sees it. (OpenAPI 3.1 describes an
/// event stream by the schema of one event; the stream itself is documented only here.)
#[derive(Serialize, ToSchema)]
pub struct RunStreamEvent {
    pub event: RunStreamEventName,
    /// JSON text: `{"status"}` for `status`, `{"stream","text"}` for `output`,
    /// `{"done","total","stage"}` for `progress` (`RunProgress`; at most ~10 a second), the final run
    /// (as `GET /api/runs/{id}` answers it) for `run`.
    pub data: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStreamEventName {
    Status,
    Output,
    Progress,
    Run,
}

/// Server-sent events of one run: `status`, `output`, `progress`, then `run` (the final run).
#[utoipa::path(
    get, path = "/api/runs/{id}/events", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id")),
    responses(
        (status = 200, content_type = "text/event-stream", body = RunStreamEvent,
         description = "`event: status` data `{\"status\"}`; `event: output` data `{\"stream\",\"text\"}`; `event: progress` data `{\"done\",\"total\",\"stage\"}`; `event: run` data: the final run"),
        NotFound,
        Common,
    )
)]
pub async fn run_events(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let updates = runs::follow(&state, &user, id).await?;
    let events = updates.flat_map(|update| futures::stream::iter(events_of(update))).map(Ok::<_, Infallible>);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The SSE events of one update; the end is its final status and then the whole run.
fn events_of(update: RunUpdate) -> Vec<Event> {
    match update {
        RunUpdate::Status(status) => vec![status_event(status.as_str())],
        RunUpdate::Output { stream, text } => {
            let data = json!({ "stream": stream, "text": text }).to_string();
            vec![Event::default().event("output").data(data)]
        }
        RunUpdate::Progress(progress) => {
            let data = serde_json::to_string(&progress).unwrap_or_default();
            vec![Event::default().event("progress").data(data)]
        }
        RunUpdate::Finished(view) => {
            let body = RunResponse::from(*view);
            let data = serde_json::to_string(&body).unwrap_or_default();
            vec![status_event(body.status.as_str()), Event::default().event("run").data(data)]
        }
    }
}

fn status_event(status: &str) -> Event {
    Event::default().event("status").data(json!({ "status": status }).to_string())
}

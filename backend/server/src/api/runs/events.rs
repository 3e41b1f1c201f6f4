//! `GET /api/runs/{id}/events`: server-sent events for a run. A snapshot `status` first,
//! then `status` changes and `output` chunks while it runs, then one `run` event with the
//! final run and the end of the stream. A client that connects late still gets the end.

use crate::api::problems::Common;
use crate::api::runs::respond;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::execution::hub::HubEvent;
use crate::services::access::can_edit;
use crate::services::runs;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::Serialize;
use serde_json::json;
use skriptoteket_domain::execution::LogStream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use utoipa::ToSchema;
use uuid::Uuid;

/// Runs executed by another server process have no live feed here: poll the database.
const POLL: Duration = Duration::from_secs(1);

/// One event of a run's stream, as a client's SSE parser sees it. (OpenAPI 3.1 describes an
/// event stream by the schema of one event; the stream itself is documented only here.)
#[derive(Serialize, ToSchema)]
pub struct RunStreamEvent {
    pub event: RunStreamEventName,
    /// JSON text: `{"status"}` for `status`, `{"stream","text"}` for `output`, the final run
    /// (as `GET /api/runs/{id}` answers it) for `run`.
    pub data: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStreamEventName {
    Status,
    Output,
    Run,
}

/// Server-sent events of one run: `status`, `output`, then `run` (the final run).
#[utoipa::path(
    get, path = "/api/runs/{id}/events", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, content_type = "text/event-stream", body = RunStreamEvent,
         description = "`event: status` data `{\"status\"}`; `event: output` data `{\"stream\",\"text\"}`; `event: run` data: the final run"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
pub async fn run_events(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // Subscribe before reading the run, so nothing between the two is missed.
    let mut sub = state.hub.subscribe(id);
    let run = runs::load_run(&state, &user, id).await?;
    // stderr (tracebacks) is for the tool's maintainers and admins only (SPEC §3), live too.
    let show_stderr = can_edit(&user, &runs::tool_of(&state, &run).await?);
    let (tx, rx) = mpsc::channel::<Event>(64);
    tokio::spawn(async move {
        let _ = tx.send(status_event(run.status.as_str())).await;
        let mut last = run.status;
        let mut poll = tokio::time::interval(POLL);
        poll.tick().await;
        loop {
            if last.is_final() {
                break;
            }
            // Output chunks are forwarded as they come; only a status change, the end, a lag or
            // the poll tick is a reason to re-read the run from the database.
            let reread = tokio::select! {
                event = sub.rx.recv() => match event {
                    Ok(HubEvent::Output { stream, text }) => {
                        let delivered = forward_output(&tx, stream, text, show_stderr).await;
                        if !delivered {
                            return;
                        }
                        false
                    }
                    Ok(HubEvent::Status(status)) if status != last && !status.is_final() => {
                        last = status;
                        if tx.send(status_event(status.as_str())).await.is_err() {
                            return;
                        }
                        false
                    }
                    // The end, a lagging receiver, or a closed hub: the database decides.
                    _ => true,
                },
                _ = poll.tick() => true,
                () = state.shutdown.cancelled() => return,
            };
            if !reread {
                continue;
            }
            match runs::load_run(&state, &user, id).await {
                Ok(current) if current.status != last => {
                    last = current.status;
                    if !last.is_final() && tx.send(status_event(last.as_str())).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
        // The database may say "finished" before this task has read the last chunks.
        while let Ok(event) = sub.rx.try_recv() {
            if let HubEvent::Output { stream, text } = event
                && !forward_output(&tx, stream, text, show_stderr).await
            {
                return;
            }
        }
        if let Ok(run) = runs::load_run(&state, &user, id).await
            && let Ok(body) = respond(&state, &user, run).await
        {
            let _ = tx.send(status_event(body.status.as_str())).await;
            let data = serde_json::to_string(&body).unwrap_or_default();
            let _ = tx.send(Event::default().event("run").data(data)).await;
        }
    });
    let stream = ReceiverStream::new(rx).map(Ok::<_, Infallible>);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Sends one output chunk (stderr only to those who may see it); false when the client left.
async fn forward_output(tx: &mpsc::Sender<Event>, stream: LogStream, text: String, show_stderr: bool) -> bool {
    if stream == LogStream::Stderr && !show_stderr {
        return true;
    }
    let data = json!({ "stream": stream, "text": text }).to_string();
    tx.send(Event::default().event("output").data(data)).await.is_ok()
}

fn status_event(status: &str) -> Event {
    Event::default().event("status").data(json!({ "status": status }).to_string())
}

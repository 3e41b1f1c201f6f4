//! Following a run: the one place that subscribes to the run hub, races its events against a
//! poll tick (runs executed by another server process have no live feed here) and re-reads the
//! run. The event stream (SSE) maps its updates to events; `Prefer: wait` reads it until the end.

use super::{RunView, get};
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::execution::hub::{HubEvent, Subscription};
use crate::state::AppState;
use skriptoteket_domain::execution::LogStream;
use skriptoteket_domain::run::RunStatus;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use uuid::Uuid;

/// How often a followed run is re-read from the database when the hub says nothing.
const POLL: Duration = Duration::from_secs(1);
/// Longest `Prefer: wait=N` honoured.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// What a follower learns, in order: the status now, then changes and output chunks (stderr
/// only for those who may see it), then `Finished` once, last.
#[derive(Clone)]
pub enum RunUpdate {
    Status(RunStatus),
    Output { stream: LogStream, text: String },
    Finished(Box<RunView>),
}

/// Follows a run I may see. The stream ends after `Finished`, when the server shuts down, or
/// when the reader drops it (the task behind it notices at once, not at its next send).
pub async fn follow(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<ReceiverStream<RunUpdate>> {
    // Subscribe before reading the run, so nothing between the two is missed.
    let sub = state.hub.subscribe(id);
    let view = get(state, user, id).await?;
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(feed(state.clone(), user.clone(), view, sub, tx));
    Ok(ReceiverStream::new(rx))
}

async fn feed(state: AppState, user: CurrentUser, view: RunView, mut sub: Subscription, tx: mpsc::Sender<RunUpdate>) {
    let id = view.run.id;
    let show_stderr = view.show_stderr;
    let send = |update: RunUpdate| async { tx.send(update).await.is_ok() };
    let output = |stream: LogStream, text: String| {
        let visible = stream != LogStream::Stderr || show_stderr;
        visible.then_some(RunUpdate::Output { stream, text })
    };
    if !send(RunUpdate::Status(view.run.status)).await {
        return;
    }
    let mut last = view.run.status;
    let mut poll = tokio::time::interval(POLL);
    poll.tick().await;
    while !last.is_final() {
        // Output chunks are forwarded as they come; only a status change, the end, a lag or the
        // poll tick is a reason to re-read the run from the database.
        let reread = tokio::select! {
            event = sub.rx.recv() => match event {
                Ok(HubEvent::Output { stream, text }) => {
                    if let Some(update) = output(stream, text) && !send(update).await {
                        return;
                    }
                    false
                }
                Ok(HubEvent::Status(status)) if status != last && !status.is_final() => {
                    last = status;
                    if !send(RunUpdate::Status(status)).await {
                        return;
                    }
                    false
                }
                // The end, a lagging receiver, or a closed hub: the database decides.
                _ => true,
            },
            _ = poll.tick() => true,
            () = tx.closed() => return,
            () = state.shutdown.cancelled() => return,
        };
        if !reread {
            continue;
        }
        match get(&state, &user, id).await {
            Ok(current) if current.run.status != last => {
                last = current.run.status;
                if !last.is_final() && !send(RunUpdate::Status(last)).await {
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
            && let Some(update) = output(stream, text)
            && !send(update).await
        {
            return;
        }
    }
    if let Ok(finished) = get(&state, &user, id).await {
        send(RunUpdate::Finished(Box::new(finished))).await;
    }
}

/// Waits up to `wait` (at most `MAX_WAIT`) for the run to end; answers it as it is then.
pub(super) async fn wait_for(
    state: &AppState,
    user: &CurrentUser,
    view: RunView,
    wait: Duration,
) -> ApiResult<RunView> {
    if view.run.status.is_final() || wait.is_zero() {
        return Ok(view);
    }
    let deadline = tokio::time::Instant::now() + wait.min(MAX_WAIT);
    let mut updates = follow(state, user, view.run.id).await?;
    loop {
        match tokio::time::timeout_at(deadline, updates.next()).await {
            Ok(Some(RunUpdate::Finished(done))) => return Ok(*done),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return get(state, user, view.run.id).await,
        }
    }
}

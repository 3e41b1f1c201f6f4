//! Following a run: the one place that subscribes to the run hub and re-reads the run. Each
//! follower listens to the hub only; one poll task per followed run re-reads it from the
//! database for all of them and announces what changed. On PostgreSQL the server executing the
//! run signals its events to every server's hub (`execution::relay`), so the poll is only a
//! slow safety net for a lost signal; on SQLite (one process) it is the once-a-second check.
//! The event stream (SSE) maps the updates to events; `Prefer: wait` reads them until the end.

use super::{RunView, get};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::execution::hub::{HubEvent, Subscription};
use crate::execution::streams::StreamGuard;
use crate::state::AppState;
use skriptoteket_domain::execution::{LogStream, RunProgress};
use skriptoteket_domain::run::RunStatus;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use uuid::Uuid;

/// How often a followed run is re-read from the database, for all its followers together:
/// where nothing signals its changes, and where signals do (a lost one is caught up this late).
const POLL: Duration = Duration::from_secs(1);
const POLL_SIGNALLED: Duration = Duration::from_secs(15);
/// Longest `Prefer: wait=N` honoured.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// What a follower learns, in order: the status now (and the latest progress, if any), then
/// changes, output chunks (stderr only for those who may see it) and progress, then `Finished`
/// once, last.
#[derive(Clone)]
pub enum RunUpdate {
    Status(RunStatus),
    Output { stream: LogStream, text: String },
    Progress(RunProgress),
    Finished(Box<RunView>),
}

/// Follows a run I may see. The stream ends after `Finished`, when the server shuts down, or
/// when the reader drops it (the task behind it notices at once, not at its next send). A user
/// follows at most `max_streams_per_user` runs at once (429 beyond).
pub async fn follow(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<ReceiverStream<RunUpdate>> {
    let place = state.streams.try_open(user.user.id, state.runs.max_streams_per_user).ok_or_else(|| {
        ApiError::TooManyRequests {
            code: "too_many_streams",
            detail: format!(
                "You are following {} runs at once already. Close some tabs and try again.",
                state.runs.max_streams_per_user
            ),
            retry_after_seconds: 5,
        }
    })?;
    // Subscribe before reading the run, so nothing between the two is missed.
    let sub = state.hub.subscribe(id);
    let view = get(state, user, id).await?;
    if !view.run.status.is_final() && state.hub.claim_poll(id) {
        tokio::spawn(poll(state.clone(), id, view.run.status));
    }
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(feed(state.clone(), user.clone(), view, sub, tx, place));
    Ok(ReceiverStream::new(rx))
}

/// The one poll of a followed run: announces a status change to the hub, and the end.
async fn poll(state: AppState, id: Uuid, mut last: RunStatus) {
    let mut tick = tokio::time::interval(if state.relay.is_live() { POLL_SIGNALLED } else { POLL });
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = state.shutdown.cancelled() => break,
        }
        if !state.hub.keep_polling(id) {
            return;
        }
        let Ok(Some(run)) = state.store.run_by_id(id).await else { continue };
        if run.status != last {
            last = run.status;
            state.hub.publish(id, HubEvent::Status(last));
        }
        if last.is_final() {
            state.hub.publish(id, HubEvent::Finished);
            break;
        }
    }
    state.hub.end_poll(id);
}

async fn feed(
    state: AppState,
    user: CurrentUser,
    view: RunView,
    mut sub: Subscription,
    tx: mpsc::Sender<RunUpdate>,
    _place: StreamGuard,
) {
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
    if let Some(progress) = view.progress
        && !send(RunUpdate::Progress(progress)).await
    {
        return;
    }
    let mut last = view.run.status;
    while !last.is_final() {
        // Output chunks and status changes are forwarded as they come; the end, a lag or a
        // closed hub is the reason to re-read the run from the database.
        let reread = tokio::select! {
            event = sub.rx.recv() => match event {
                Ok(HubEvent::Output { stream, text }) => {
                    if let Some(update) = output(stream, text) && !send(update).await {
                        return;
                    }
                    false
                }
                Ok(HubEvent::Progress(progress)) => {
                    if !send(RunUpdate::Progress(progress)).await {
                        return;
                    }
                    false
                }
                Ok(HubEvent::Status(status)) if !status.is_final() => {
                    if status != last {
                        last = status;
                        if !send(RunUpdate::Status(status)).await {
                            return;
                        }
                    }
                    false
                }
                _ => true,
            },
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
    // The run is queued already: without a free place to follow it, answer it as it is (202).
    let Ok(mut updates) = follow(state, user, view.run.id).await else { return Ok(view) };
    loop {
        match tokio::time::timeout_at(deadline, updates.next()).await {
            Ok(Some(RunUpdate::Finished(done))) => return Ok(*done),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return get(state, user, view.run.id).await,
        }
    }
}

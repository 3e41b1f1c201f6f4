//! What one server process tells the others sharing the database (PostgreSQL LISTEN/NOTIFY):
//! the events of the runs it executes, so a follower connected to another server sees the
//! output live; cancels of runs executing elsewhere; and changes that make the others' caches
//! stale (a disabled user must be refused everywhere at once). Each server listens on one
//! connection and republishes what it hears into its own hub, where only runs somebody follows
//! here have subscribers. On SQLite (one process) the relay does nothing.
//!
//! Signals are fire and forget: one lost while a listener reconnects is caught up by the slow
//! re-read of followed runs (`services::runs::follow`) and by clearing the caches on reconnect.

use crate::execution::hub::HubEvent;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use skriptoteket_domain::Signals;
use skriptoteket_domain::execution::{LogStream, RunProgress};
use skriptoteket_domain::run::RunStatus;
use skriptoteket_domain::store::SIGNAL_PAYLOAD_MAX;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Events of runs, and cancels.
pub const RUN_CHANNEL: &str = "skt_run_events";
/// Cache invalidations.
pub const CACHE_CHANNEL: &str = "skt_cache";
/// Signals waiting to be sent; beyond this, output chunks are dropped (the stored output is
/// whole at the end) rather than the executing run slowed down.
const OUTBOX: usize = 4096;
/// Output chunks merged into one signal, at most (so one signal stays well under the limit).
const MERGE_UP_TO: usize = 4000;
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// The caches other servers keep of what this one changes (`AppState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cache {
    Users,
    Catalog,
    StorageUsed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event {
    Status { status: RunStatus },
    Output { stream: LogStream, text: String },
    Progress { progress: RunProgress },
    Finished,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
enum Signal {
    Run {
        run: Uuid,
        event: Event,
    },
    /// `key: None` clears the whole cache.
    Cache {
        cache: Cache,
        key: Option<Uuid>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Envelope {
    /// The sending instance: a server skips its own signals (it acted on them already).
    from: String,
    #[serde(flatten)]
    signal: Signal,
}

pub struct Relay {
    signals: Option<Arc<dyn Signals>>,
    instance: String,
    outbox: mpsc::Sender<Signal>,
    /// Signals accepted and not yet sent (or given up).
    unsent: Arc<AtomicUsize>,
    /// Taken by the sending task when the server starts.
    pending: Mutex<Option<mpsc::Receiver<Signal>>>,
    /// Whether this server hears the others now (signals sent before it does are missed;
    /// the caches' time bound and the slow follow poll cover that gap).
    listening: AtomicBool,
}

impl Relay {
    pub fn new(signals: Option<Arc<dyn Signals>>, instance: &str) -> Self {
        let (outbox, pending) = mpsc::channel(OUTBOX);
        let unsent = Arc::new(AtomicUsize::new(0));
        Self {
            signals,
            instance: instance.to_owned(),
            outbox,
            unsent,
            pending: Mutex::new(Some(pending)),
            listening: AtomicBool::new(false),
        }
    }

    /// Whether this server hears the other servers' signals right now.
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// Whether other servers may share the database (and so hear and send signals).
    pub fn is_live(&self) -> bool {
        self.signals.is_some()
    }

    /// Tells the other servers about an event of a run executing here.
    pub fn run_event(&self, run: Uuid, event: &HubEvent) {
        let event = match event.clone() {
            HubEvent::Status(status) => Event::Status { status },
            HubEvent::Output { stream, text } => Event::Output { stream, text },
            HubEvent::Progress(progress) => Event::Progress { progress },
            HubEvent::Finished => Event::Finished,
        };
        self.send(Signal::Run { run, event });
    }

    /// Asks whichever server executes `run` to cancel it now.
    pub fn cancel(&self, run: Uuid) {
        self.send(Signal::Run { run, event: Event::Cancel });
    }

    /// Tells the other servers that their `cache` entry for `key` (or all of it) is stale.
    pub fn cache_changed(&self, cache: Cache, key: Option<Uuid>) {
        self.send(Signal::Cache { cache, key });
    }

    /// Waits (at most `within`) until every signal waiting to go has gone.
    pub async fn drained(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.unsent.load(Ordering::Acquire) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn send(&self, signal: Signal) {
        if self.signals.is_none() {
            return;
        }
        self.unsent.fetch_add(1, Ordering::AcqRel);
        if self.outbox.try_send(signal).is_err() {
            self.unsent.fetch_sub(1, Ordering::AcqRel);
            tracing::debug!("the relay's outbox is full: a signal to the other servers was dropped");
        }
    }
}

/// Starts sending this server's signals and listening to the others'; `None` on SQLite.
/// Listening ends at shutdown; sending goes on (runs still end in the grace period) until the
/// task is aborted, after `drained`.
pub fn start(state: &AppState) -> Option<JoinHandle<()>> {
    let signals = state.relay.signals.clone()?;
    let pending = state.relay.pending.lock().expect("relay lock").take()?;
    let from = state.relay.instance.clone();
    let unsent = state.relay.unsent.clone();
    let state = state.clone();
    Some(tokio::spawn(async move {
        tokio::join!(listen(&state, signals.as_ref()), send_all(signals.clone(), from, pending, unsent));
    }))
}

/// Sends in order, merging the output chunks that queued up meanwhile.
async fn send_all(
    signals: Arc<dyn Signals>,
    from: String,
    mut pending: mpsc::Receiver<Signal>,
    unsent: Arc<AtomicUsize>,
) {
    let mut batch = Vec::new();
    while pending.recv_many(&mut batch, 256).await > 0 {
        let taken = batch.len();
        for signal in merge(std::mem::take(&mut batch)) {
            let channel = match signal {
                Signal::Run { .. } => RUN_CHANNEL,
                Signal::Cache { .. } => CACHE_CHANNEL,
            };
            for payload in encode(&from, signal) {
                if let Err(e) = signals.notify(channel, &payload).await {
                    tracing::debug!(error = %e, "a signal to the other servers was not sent");
                }
            }
        }
        unsent.fetch_sub(taken, Ordering::AcqRel);
    }
}

/// Output chunks of the same run and stream next to each other become one.
fn merge(batch: Vec<Signal>) -> Vec<Signal> {
    let mut merged: Vec<Signal> = Vec::with_capacity(batch.len());
    for signal in batch {
        if let (
            Some(Signal::Run { run: last_run, event: Event::Output { stream: last_stream, text: last_text } }),
            Signal::Run { run, event: Event::Output { stream, text } },
        ) = (merged.last_mut(), &signal)
            && last_run == run
            && last_stream == stream
            && last_text.len() + text.len() <= MERGE_UP_TO
        {
            last_text.push_str(text);
            continue;
        }
        merged.push(signal);
    }
    merged
}

/// The payloads of one signal: an output chunk too long for one is split (on character
/// boundaries) until each piece fits; everything else always fits.
fn encode(from: &str, signal: Signal) -> Vec<String> {
    let payload =
        serde_json::to_string(&Envelope { from: from.to_owned(), signal: signal.clone() }).expect("signals serialise");
    if payload.len() <= SIGNAL_PAYLOAD_MAX {
        return vec![payload];
    }
    let Signal::Run { run, event: Event::Output { stream, text } } = signal else {
        tracing::warn!(bytes = payload.len(), "a signal too long to send was dropped");
        return vec![];
    };
    let mut middle = text.len() / 2;
    while !text.is_char_boundary(middle) {
        middle += 1;
    }
    let (head, tail) = text.split_at(middle);
    let piece = |text: &str| Signal::Run { run, event: Event::Output { stream, text: text.to_owned() } };
    let mut payloads = encode(from, piece(head));
    payloads.extend(encode(from, piece(tail)));
    payloads
}

async fn listen(state: &AppState, signals: &dyn Signals) {
    let mut connected_before = false;
    loop {
        let listening = tokio::select! {
            listening = signals.listen(&[RUN_CHANNEL, CACHE_CHANNEL]) => listening,
            () = state.shutdown.cancelled() => return,
        };
        match listening {
            Ok(mut listener) => {
                if connected_before {
                    // Whatever was changed while we were away is read again.
                    state.users.clear();
                    state.catalog.clear();
                    state.storage_used.clear();
                }
                connected_before = true;
                state.relay.listening.store(true, Ordering::Relaxed);
                loop {
                    let message = tokio::select! {
                        message = listener.recv() => message,
                        () = state.shutdown.cancelled() => return,
                    };
                    match message {
                        Ok((_, payload)) => receive(state, &payload),
                        Err(e) => {
                            state.relay.listening.store(false, Ordering::Relaxed);
                            tracing::warn!(error = %e, "listening to the other servers stopped; connecting again");
                            break;
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not listen to the other servers; trying again"),
        }
        tokio::select! {
            () = tokio::time::sleep(RECONNECT_AFTER) => {}
            () = state.shutdown.cancelled() => return,
        }
    }
}

/// Acts on one signal of another server.
fn receive(state: &AppState, payload: &str) {
    let envelope: Envelope = match serde_json::from_str(payload) {
        Ok(envelope) => envelope,
        Err(e) => {
            tracing::debug!(error = %e, "ignored a signal this server does not understand");
            return;
        }
    };
    if envelope.from == state.relay.instance {
        return;
    }
    match envelope.signal {
        Signal::Run { run, event } => match event {
            Event::Status { status } => state.hub.publish(run, HubEvent::Status(status)),
            Event::Output { stream, text } => state.hub.publish(run, HubEvent::Output { stream, text }),
            Event::Progress { progress } => state.hub.publish(run, HubEvent::Progress(progress)),
            Event::Finished => state.hub.publish(run, HubEvent::Finished),
            Event::Cancel => {
                state.hub.cancel(run);
            }
        },
        Signal::Cache { cache, key } => match (cache, key) {
            (Cache::Users, Some(user)) => state.users.invalidate(&user),
            (Cache::Users, None) => state.users.clear(),
            (Cache::Catalog, _) => state.catalog.clear(),
            (Cache::StorageUsed, Some(user)) => state.storage_used.invalidate(&user),
            (Cache::StorageUsed, None) => state.storage_used.clear(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(run: Uuid, text: &str) -> Signal {
        Signal::Run { run, event: Event::Output { stream: LogStream::Stdout, text: text.to_owned() } }
    }

    #[test]
    fn long_output_is_split_into_payloads_that_fit_and_add_up() {
        let run = Uuid::new_v4();
        // Quotes double in JSON and a control character takes six bytes: the split must see that.
        let text = "å\"\u{1}".repeat(5000);
        let payloads = encode("a", output(run, &text));
        assert!(payloads.len() > 1);
        let mut whole = String::new();
        for payload in &payloads {
            assert!(payload.len() <= SIGNAL_PAYLOAD_MAX);
            let envelope: Envelope = serde_json::from_str(payload).unwrap();
            let Signal::Run { event: Event::Output { text, .. }, .. } = envelope.signal else { panic!() };
            whole.push_str(&text);
        }
        assert_eq!(whole, text);
    }

    #[test]
    fn neighbouring_chunks_merge_in_order() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let finished = Signal::Run { run: a, event: Event::Finished };
        let merged = merge(vec![output(a, "1"), output(a, "2"), output(b, "x"), output(a, "3"), finished.clone()]);
        assert_eq!(merged, vec![output(a, "12"), output(b, "x"), output(a, "3"), finished]);
    }
}

//! In-process fan-out of run events (status, live output, the end) to event streams and
//! waiting requests, plus the cancel switch and the latest progress of each run this process
//! executes.

use skriptoteket_domain::execution::{LogStream, RunProgress};
use skriptoteket_domain::run::RunStatus;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Lagging subscribers lose the oldest output chunks, never the end (they re-read the run).
const CHANNEL_CAPACITY: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub enum HubEvent {
    Status(RunStatus),
    Output { stream: LogStream, text: String },
    Progress(RunProgress),
    Finished,
}

#[derive(Default)]
struct Entry {
    tx: Option<broadcast::Sender<HubEvent>>,
    cancel: Option<CancellationToken>,
    /// The latest progress of a run executing here (kept in memory only, while it runs).
    progress: Option<RunProgress>,
    /// A task re-reads this run from the database for all its followers (runs executed by
    /// another process send nothing here); one per run, however many follow it.
    polled: bool,
}

#[derive(Default, Clone)]
pub struct RunHub {
    entries: Arc<Mutex<HashMap<Uuid, Entry>>>,
}

/// A live subscription; dropping it lets the hub forget runs nobody follows.
pub struct Subscription {
    pub rx: broadcast::Receiver<HubEvent>,
    hub: RunHub,
    run: Uuid,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Drop our receiver first, so `release` sees the true receiver count.
        drop(std::mem::replace(&mut self.rx, broadcast::channel(1).1));
        self.hub.release(self.run);
    }
}

impl RunHub {
    pub fn subscribe(&self, run: Uuid) -> Subscription {
        let mut entries = self.entries.lock().expect("hub lock");
        let entry = entries.entry(run).or_default();
        let tx = entry.tx.get_or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0);
        Subscription { rx: tx.subscribe(), hub: self.clone(), run }
    }

    pub fn publish(&self, run: Uuid, event: HubEvent) {
        let entries = self.entries.lock().expect("hub lock");
        if let Some(tx) = entries.get(&run).and_then(|e| e.tx.as_ref()) {
            // No receivers is fine: nobody is watching.
            let _ = tx.send(event);
        }
    }

    /// Keeps a running run's latest progress and announces it to its followers.
    pub fn progress(&self, run: Uuid, progress: RunProgress) {
        let mut entries = self.entries.lock().expect("hub lock");
        let Some(entry) = entries.get_mut(&run) else { return };
        if entry.cancel.is_none() {
            return; // not (or no longer) executing here
        }
        entry.progress = Some(progress.clone());
        if let Some(tx) = &entry.tx {
            let _ = tx.send(HubEvent::Progress(progress));
        }
    }

    /// The latest progress of a run executing in this process, if it reported any.
    pub fn latest_progress(&self, run: Uuid) -> Option<RunProgress> {
        self.entries.lock().expect("hub lock").get(&run).and_then(|e| e.progress.clone())
    }

    /// Registers the cancel switch of a run this process is about to execute.
    pub fn register(&self, run: Uuid) -> CancellationToken {
        let token = CancellationToken::new();
        self.entries.lock().expect("hub lock").entry(run).or_default().cancel = Some(token.clone());
        token
    }

    /// Cancels a run executing in this process; false when it is not here.
    pub fn cancel(&self, run: Uuid) -> bool {
        match self.entries.lock().expect("hub lock").get(&run).and_then(|e| e.cancel.as_ref()) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Announces the end of a run and forgets its cancel switch.
    pub fn finish(&self, run: Uuid) {
        self.publish(run, HubEvent::Finished);
        let mut entries = self.entries.lock().expect("hub lock");
        if let Some(entry) = entries.get_mut(&run) {
            entry.cancel = None;
            entry.progress = None;
        }
        drop(entries);
        self.release(run);
    }

    fn release(&self, run: Uuid) {
        let mut entries = self.entries.lock().expect("hub lock");
        let unused = entries.get(&run).is_some_and(|e| {
            !e.polled && e.cancel.is_none() && e.tx.as_ref().is_none_or(|tx| tx.receiver_count() == 0)
        });
        if unused {
            entries.remove(&run);
        }
    }

    /// Claims the poll of `run` for the caller; false when another task already polls it.
    pub fn claim_poll(&self, run: Uuid) -> bool {
        let mut entries = self.entries.lock().expect("hub lock");
        let entry = entries.entry(run).or_default();
        !std::mem::replace(&mut entry.polled, true)
    }

    /// Whether anyone still follows `run`; when nobody does, the poll is released and the
    /// poller should stop.
    pub fn keep_polling(&self, run: Uuid) -> bool {
        let mut entries = self.entries.lock().expect("hub lock");
        let followed = entries.get(&run).and_then(|e| e.tx.as_ref()).is_some_and(|tx| tx.receiver_count() > 0);
        if !followed && let Some(entry) = entries.get_mut(&run) {
            entry.polled = false;
        }
        drop(entries);
        if !followed {
            self.release(run);
        }
        followed
    }

    /// The poll of `run` is over (the run ended or the server stops).
    pub fn end_poll(&self, run: Uuid) {
        if let Some(entry) = self.entries.lock().expect("hub lock").get_mut(&run) {
            entry.polled = false;
        }
        self.release(run);
    }

    /// Runs executing in this process right now.
    pub fn executing(&self) -> usize {
        self.entries.lock().expect("hub lock").values().filter(|e| e.cancel.is_some()).count()
    }

    /// Runs being polled right now (for tests: one poll per run, however many follow it).
    pub fn polls(&self) -> usize {
        self.entries.lock().expect("hub lock").values().filter(|e| e.polled).count()
    }

    /// Runs tracked right now (for tests that check nothing leaks).
    pub fn tracked(&self) -> usize {
        self.entries.lock().expect("hub lock").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_see_events_and_the_hub_forgets_finished_runs() {
        let hub = RunHub::default();
        let run = Uuid::new_v4();
        let token = hub.register(run);
        let mut sub = hub.subscribe(run);
        hub.publish(run, HubEvent::Status(RunStatus::Running));
        let half = RunProgress { done: 1.0, total: Some(2.0), stage: None };
        hub.progress(run, half.clone());
        assert_eq!(hub.latest_progress(run), Some(half.clone()));
        assert!(hub.cancel(run));
        assert!(token.is_cancelled());
        hub.finish(run);
        assert_eq!(sub.rx.recv().await.unwrap(), HubEvent::Status(RunStatus::Running));
        assert_eq!(sub.rx.recv().await.unwrap(), HubEvent::Progress(half));
        assert_eq!(sub.rx.recv().await.unwrap(), HubEvent::Finished);
        assert_eq!(hub.latest_progress(run), None);
        drop(sub);
        assert_eq!(hub.tracked(), 0);
        assert!(!hub.cancel(run));
    }
}

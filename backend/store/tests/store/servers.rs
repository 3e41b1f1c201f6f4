//! What several server processes on one database rely on: claims across connection pools,
//! leases of runs and processes, a late finish, the latest progress, shared sign-in counters,
//! and (PostgreSQL) signals between processes.

use super::each_backend;
use super::runs::{enqueue, finish, fixture};
use chrono::{Duration, Utc};
use skriptoteket_domain::execution::RunProgress;
use skriptoteket_domain::run::RunStatus;
use skriptoteket_domain::run_error::{ErrorCode, RunError};
use skriptoteket_store::testing::{Backend, TestDb, backends};
use std::collections::HashSet;

#[tokio::test]
async fn two_processes_claim_every_run_exactly_once() {
    for backend in backends().into_iter().filter(|b| *b == Backend::Postgres) {
        let db = TestDb::new(backend).await;
        // A second pool on the same schema stands for a second server process.
        let other = skriptoteket_store::connect(&db.url, false).await.unwrap();
        let f = fixture(&db.store).await;
        let mut queued = HashSet::new();
        for _ in 0..40 {
            queued.insert(enqueue(&db.store, f.run()).await.id);
        }
        let claimers: Vec<_> = (0..8)
            .map(|i| {
                let store = if i % 2 == 0 { db.store.clone() } else { other.clone() };
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    while let Some(run) = store.claim_next_run(&format!("server-{}", i % 2)).await.unwrap() {
                        mine.push(run.id);
                    }
                    mine
                })
            })
            .collect();
        let mut claimed = HashSet::new();
        for claimer in claimers {
            for id in claimer.await.unwrap() {
                assert!(claimed.insert(id), "run {id} claimed twice");
            }
        }
        assert_eq!(claimed, queued);
    }
}

#[tokio::test]
async fn a_late_finish_does_not_bring_a_settled_run_back() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let run = enqueue(&store, f.run()).await;
        store.claim_next_run("dead").await.unwrap().unwrap();
        let interrupted = RunError::bare(ErrorCode::Interrupted);
        let later = Utc::now() + Duration::seconds(1);
        assert_eq!(store.fail_orphaned_runs(None, later, "weg", &interrupted).await.unwrap(), [run.id]);
        let late = store.finish_run(run.id, finish(RunStatus::Succeeded, &["a.txt"])).await.unwrap().unwrap();
        assert_eq!((late.status, late.error), (RunStatus::Failed, Some(interrupted)), "{backend:?}");
        assert!(late.artifacts.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_latest_progress_is_kept_while_the_run_goes() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let run = enqueue(&store, f.run()).await;
        let half = RunProgress { done: 1.0, total: Some(2.0), stage: Some("Läser".into()) };
        store.save_progress(run.id, &half).await.unwrap();
        assert_eq!(store.run_progress(run.id).await.unwrap(), None, "{backend:?}: a queued run has none");
        store.claim_next_run("a").await.unwrap().unwrap();
        store.save_progress(run.id, &half).await.unwrap();
        assert_eq!(store.run_progress(run.id).await.unwrap(), Some(half));
        store.finish_run(run.id, finish(RunStatus::Succeeded, &[])).await.unwrap();
        assert_eq!(store.run_progress(run.id).await.unwrap(), None, "an ended run shows its status instead");
    })
    .await;
}

#[tokio::test]
async fn an_instance_is_dead_once_its_lease_runs_out() {
    each_backend(|store, backend| async move {
        let t0 = Utc::now();
        store.heartbeat_instance("a", t0).await.unwrap();
        store.heartbeat_instance("b", t0).await.unwrap();
        store.heartbeat_instance("b", t0 + Duration::seconds(20)).await.unwrap();
        let lease_end = t0 + Duration::seconds(10);
        assert_eq!(store.dead_instances(lease_end).await.unwrap(), ["a"], "{backend:?}");
        assert!(!store.forget_instance("b", lease_end).await.unwrap(), "b renewed its lease");
        assert!(store.forget_instance("a", lease_end).await.unwrap());
        assert!(store.dead_instances(lease_end).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn attempts_are_counted_atomically_per_window() {
    each_backend(|store, backend| async move {
        let t0 = Utc::now();
        let window = Duration::minutes(1);
        let counts: Vec<_> = (0..12)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.count_attempt("ip:10.0.0.1", t0, window).await.unwrap().1 })
            })
            .collect();
        let mut seen = Vec::new();
        for count in counts {
            seen.push(count.await.unwrap());
        }
        seen.sort_unstable();
        assert_eq!(seen, (1..=12).collect::<Vec<_>>(), "{backend:?}");
        let (start, n) = store.count_attempt("ip:10.0.0.1", t0 + Duration::seconds(59), window).await.unwrap();
        assert_eq!(n, 13);
        assert!((start - t0).num_milliseconds().abs() < 1, "the window started at the first attempt");
        let (start, n) = store.count_attempt("ip:10.0.0.1", t0 + window, window).await.unwrap();
        assert_eq!(n, 1, "a window that is over starts again");
        assert!((start - (t0 + window)).num_milliseconds().abs() < 1);
        store.count_attempt("email:a@x.se", t0, window).await.unwrap();
        store.clear_attempts("email:a@x.se").await.unwrap();
        assert_eq!(store.count_attempt("email:a@x.se", t0, window).await.unwrap().1, 1);
        assert_eq!(store.prune_attempts(t0 + Duration::seconds(1)).await.unwrap(), 1, "the old window goes");
    })
    .await;
}

#[tokio::test]
async fn postgres_signals_reach_every_listener() {
    for backend in backends().into_iter().filter(|b| *b == Backend::Postgres) {
        let db = TestDb::new(backend).await;
        let signals = db.store.signals().expect("PostgreSQL signals");
        let channel = format!("skt_test_{}", uuid::Uuid::new_v4().simple());
        let mut listener = signals.listen(&[&channel]).await.unwrap();
        signals.notify(&channel, "hej").await.unwrap();
        let heard = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv()).await;
        assert_eq!(heard.unwrap().unwrap(), (channel, "hej".to_owned()));
    }
    let sqlite = TestDb::new(Backend::Sqlite).await;
    assert!(sqlite.store.signals().is_none(), "one process on SQLite signals nobody");
}

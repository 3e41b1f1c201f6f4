//! Storage: each user's share (kept uploads plus kept artifacts), releasing uploads no run can
//! use any more, pruning old runs, and which folders are still needed. Nothing a queued or
//! running run uses is ever released or pruned.

use super::runs::{enqueue, finish, fixture};
use super::{each_backend, user};
use chrono::{Duration, Utc};
use skriptoteket_domain::Role;
use skriptoteket_domain::run::{NewRun, RunFile, RunStatus};
use uuid::Uuid;

/// `run` with `n` uploaded files of `bytes` each, kept in its own folder.
fn with_uploads(mut run: NewRun, n: usize, bytes: u64) -> NewRun {
    run.files =
        (0..n).map(|i| RunFile { name: format!("f{i}.csv"), bytes, stored_as: format!("{}/{i:03}", run.id) }).collect();
    run.files_from = Some(run.id);
    run
}

/// `run` reusing the files of `from` (as a reuse or a follow-up does).
fn reusing(mut run: NewRun, from: &skriptoteket_domain::run::Run) -> NewRun {
    run.files = from.files.clone();
    run.files_from = from.files_from;
    run
}

fn later() -> chrono::DateTime<Utc> {
    Utc::now() + Duration::seconds(1)
}

#[tokio::test]
async fn a_users_storage_is_their_kept_uploads_and_artifacts() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        assert_eq!(store.storage_used(f.user).await.unwrap(), 0, "{backend:?}");
        let uploaded = enqueue(&store, with_uploads(f.run(), 2, 1_000)).await;
        assert_eq!((uploaded.files_from, uploaded.upload_bytes), (Some(uploaded.id), Some(2_000)));
        assert_eq!(store.storage_used(f.user).await.unwrap(), 2_000);
        store.claim_next_run("a").await.unwrap();
        store.finish_run(uploaded.id, finish(RunStatus::Succeeded, &["a", "b"])).await.unwrap();
        assert_eq!(store.storage_used(f.user).await.unwrap(), 2_084, "two artifacts of 42 bytes");
        // Reusing the files (or following up) points at the same folder and adds nothing.
        let reuse = enqueue(&store, reusing(f.run(), &uploaded)).await;
        assert_eq!((reuse.files_from, reuse.upload_bytes), (Some(uploaded.id), None));
        assert_eq!(store.storage_used(f.user).await.unwrap(), 2_084);
        // Someone else's runs are theirs.
        let other = user(&store, Role::User).await.id;
        let mut theirs = with_uploads(f.run(), 1, 5);
        theirs.user_id = other;
        enqueue(&store, theirs).await;
        assert_eq!(store.storage_used(f.user).await.unwrap(), 2_084);
        assert_eq!(store.storage_used(other).await.unwrap(), 5);
        assert_eq!(store.storage_used(Uuid::new_v4()).await.unwrap(), 0);
        // Big numbers stay exact (SUM is NUMERIC on PostgreSQL).
        enqueue(&store, with_uploads(f.run(), 3, 3 << 30)).await;
        assert_eq!(store.storage_used(f.user).await.unwrap(), 2_084 + (9 << 30));
    })
    .await;
}

#[tokio::test]
async fn uploads_are_released_only_when_no_run_can_use_them() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let done = enqueue(&store, with_uploads(f.run(), 1, 100)).await;
        store.claim_next_run("a").await.unwrap();
        store.finish_run(done.id, finish(RunStatus::Succeeded, &[])).await.unwrap();
        let queued = enqueue(&store, with_uploads(f.run(), 1, 10)).await;
        let source = enqueue(&store, with_uploads(f.run(), 1, 1)).await;
        store.request_cancel(source.id).await.unwrap();
        let user_of_source = enqueue(&store, reusing(f.run(), &source)).await;

        // Still reusable: nothing is released.
        let a_day_ago = Utc::now() - Duration::days(1);
        assert!(store.release_uploads(a_day_ago, 100).await.unwrap().is_empty(), "{backend:?}");
        // Past the reuse window: only the finished run's folder goes; the queued run's own
        // folder and the cancelled run's folder (a queued run reuses it) stay.
        assert_eq!(store.release_uploads(later(), 100).await.unwrap(), [done.id], "{backend:?}");
        let released = store.run_by_id(done.id).await.unwrap().unwrap();
        assert_eq!((released.upload_bytes, released.files.len()), (None, 1), "the run keeps its file list");
        assert_eq!(store.storage_used(f.user).await.unwrap(), 11);
        assert!(store.release_uploads(later(), 100).await.unwrap().is_empty(), "released once");

        // Once the runs using them end, they go too, at most `limit` at a time.
        store.request_cancel(queued.id).await.unwrap();
        store.request_cancel(user_of_source.id).await.unwrap();
        let first = store.release_uploads(later(), 1).await.unwrap();
        let second = store.release_uploads(later(), 1).await.unwrap();
        let mut both = [first, second].concat();
        both.sort();
        assert_eq!(both, [queued.id, source.id], "{backend:?}");
        assert_eq!(store.storage_used(f.user).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn old_runs_are_pruned_with_their_artifacts_but_nothing_in_use() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let old = enqueue(&store, with_uploads(f.run(), 1, 100)).await;
        store.claim_next_run("a").await.unwrap();
        store.finish_run(old.id, finish(RunStatus::Succeeded, &["rapport.pdf"])).await.unwrap();
        let mut next = f.run();
        next.parent_run_id = Some(old.id);
        let follow_up = enqueue(&store, next).await;
        store.request_cancel(follow_up.id).await.unwrap();
        let running = enqueue(&store, f.run()).await;
        store.claim_next_run("a").await.unwrap();
        let queued = enqueue(&store, f.run()).await;
        let in_use = enqueue(&store, with_uploads(f.run(), 1, 7)).await;
        store.request_cancel(in_use.id).await.unwrap();
        let user_of_in_use = enqueue(&store, reusing(f.run(), &in_use)).await;

        let a_day_ago = Utc::now() - Duration::days(1);
        assert!(store.prune_runs(a_day_ago, a_day_ago, 100).await.unwrap().is_empty(), "{backend:?}: all recent");
        let mut pruned = store.prune_runs(later(), later(), 100).await.unwrap();
        pruned.sort();
        assert_eq!(pruned, [old.id, follow_up.id], "{backend:?}");
        assert!(store.run_by_id(old.id).await.unwrap().is_none());
        assert_eq!(store.storage_used(f.user).await.unwrap(), 7, "the artifact rows went with the run");
        for kept in [&running, &queued, &in_use, &user_of_in_use] {
            let run = store.run_by_id(kept.id).await.unwrap();
            assert!(run.is_some(), "{backend:?}: {} was pruned", kept.id);
        }
        // A follow-up outlives its parent; it only loses the link.
        let mut parent = f.run();
        parent.id = Uuid::now_v7();
        let parent = enqueue(&store, parent).await;
        store.request_cancel(parent.id).await.unwrap();
        let mut child = f.run();
        child.parent_run_id = Some(parent.id);
        let child = enqueue(&store, child).await;
        let pruned = store.prune_runs(later(), later(), 100).await.unwrap();
        assert_eq!(pruned, [parent.id], "{backend:?}");
        assert_eq!(store.run_by_id(child.id).await.unwrap().unwrap().parent_run_id, None);
        assert_eq!(store.run_by_id(running.id).await.unwrap().unwrap().status, RunStatus::Running);
    })
    .await;
}

#[tokio::test]
async fn pruning_goes_oldest_first_within_the_limit() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            let run = enqueue(&store, f.run()).await;
            store.request_cancel(run.id).await.unwrap();
            ids.push(run.id);
        }
        assert_eq!(store.prune_runs(later(), later(), 2).await.unwrap().len(), 2, "{backend:?}");
        assert!(store.run_by_id(ids[2]).await.unwrap().is_some(), "{backend:?}: the newest is left");
        assert_eq!(store.prune_runs(later(), later(), 2).await.unwrap(), [ids[2]]);
    })
    .await;
}

#[tokio::test]
async fn folders_in_use_name_what_the_database_still_needs() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let with_artifacts = enqueue(&store, with_uploads(f.run(), 1, 1)).await;
        store.claim_next_run("a").await.unwrap();
        store.finish_run(with_artifacts.id, finish(RunStatus::Succeeded, &["a"])).await.unwrap();
        let without = enqueue(&store, f.run()).await;
        store.claim_next_run("a").await.unwrap();
        store.finish_run(without.id, finish(RunStatus::Failed, &[])).await.unwrap();
        let queued = enqueue(&store, f.run()).await;
        let unknown = Uuid::new_v4();
        let all = [with_artifacts.id, without.id, queued.id, unknown];
        let folders = store.folders_in_use(&all).await.unwrap();
        assert_eq!(folders.known, [with_artifacts.id, without.id, queued.id].into(), "{backend:?}");
        assert_eq!(folders.uploads, [with_artifacts.id].into(), "{backend:?}");
        assert_eq!(folders.artifacts, [with_artifacts.id, queued.id].into(), "{backend:?}");
        store.release_uploads(later(), 100).await.unwrap();
        let released = store.folders_in_use(&all).await.unwrap();
        assert!(released.uploads.is_empty() && released.known.len() == 3);
        assert_eq!(store.folders_in_use(&[]).await.unwrap(), Default::default());
    })
    .await;
}

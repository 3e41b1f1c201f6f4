//! Class-mode batches: queued whole or not at all, served one item per round, counted once
//! toward their owner's share, listed in upload order with their artifacts.

use super::each_backend;
use super::runs::{enqueue, finish, fixture};
use skriptoteket_domain::batch::NewBatch;
use skriptoteket_domain::run::{NewRun, RunContext, RunStatus};
use skriptoteket_domain::{Role, Store};
use std::sync::Arc;
use uuid::Uuid;

async fn batch_of(store: &Arc<dyn Store>, items: Vec<NewRun>, max_queue: u64) -> Option<Uuid> {
    let first = &items[0];
    let id = items[0].batch_id.unwrap();
    let new = NewBatch { id, tool_id: first.tool_id, user_id: first.user_id, context: RunContext::Production };
    store.enqueue_batch(new, items, max_queue).await.unwrap().map(|b| b.id)
}

#[tokio::test]
async fn batches_take_turns_with_other_runs_and_count_once() {
    each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let batch = Uuid::now_v7();
        let items: Vec<NewRun> = (0..3).map(|_| NewRun { batch_id: Some(batch), ..f.run() }).collect();
        let ids: Vec<Uuid> = items.iter().map(|r| r.id).collect();
        // All or nothing: three items do not fit into a queue with room for two.
        assert_eq!(batch_of(&store, items.clone(), 2).await, None);
        assert_eq!(store.queued_count().await.unwrap(), 0);
        assert_eq!(batch_of(&store, items, 10).await, Some(batch));

        // Someone else's single run, queued after the whole batch.
        let other = super::user(&store, Role::User).await.id;
        let single = enqueue(&store, NewRun { user_id: other, ..f.run() }).await;
        assert_eq!(store.active_runs_of(f.user).await.unwrap(), 1, "a batch counts once");

        let claim = || async { store.claim_next_run("test").await.unwrap().unwrap().id };
        assert_eq!(claim().await, ids[0], "the batch's first item, oldest");
        assert_eq!(claim().await, single.id, "then the run whose owner has had no turn yet");
        assert_eq!(claim().await, ids[1]);
        assert_eq!(claim().await, ids[2]);

        store.finish_run(ids[1], finish(RunStatus::Succeeded, &["a.txt", "b.txt"])).await.unwrap();
        let items = store.batch_items(batch).await.unwrap();
        assert_eq!(items.iter().map(|i| i.run_id).collect::<Vec<_>>(), ids);
        assert_eq!(items[1].artifact_count, 2);
        assert_eq!(items[1].status, RunStatus::Succeeded);
        assert_eq!(store.batch_artifacts(batch).await.unwrap().len(), 2);
        assert_eq!(store.batch_by_id(batch).await.unwrap().unwrap().item_count, 3);

        // Housekeeping: the batch goes with its last item.
        for id in [ids[0], ids[2], single.id] {
            store.finish_run(id, finish(RunStatus::Succeeded, &[])).await.unwrap();
        }
        let later = chrono::Utc::now() + chrono::Duration::days(1);
        assert_eq!(store.prune_runs(later, later, 100).await.unwrap().len(), 4);
        assert_eq!(store.batch_by_id(batch).await.unwrap(), None);
    })
    .await;
}

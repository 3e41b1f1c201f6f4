//! Runs: the durable queue, cancelling, finishing with artifacts, orphans, follow-ups,
//! session files, pruning, lists, counts and per-user settings.

use super::{each_backend, user};
use chrono::{Duration, Utc};
use serde_json::json;
use skriptoteket_domain::contract::{UiOutput, UiPayload};
use skriptoteket_domain::run::{
    CancelOutcome, NewArtifact, NewRun, Run, RunContext, RunFile, RunFinish, RunQuery, RunStatus, SettingsScope,
    SourceOverride,
};
use skriptoteket_domain::run_error::{ErrorCode, FileCap, OutputCaps, OutputCut, RunError};
use skriptoteket_domain::tool::{NewTool, VersionContent};
use skriptoteket_domain::{PageRequest, Role, Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;
use uuid::Uuid;

/// A user, and a tool with its first version, to run.
pub(super) struct Fixture {
    pub user: Uuid,
    pub tool: Uuid,
    pub version: Uuid,
}

pub(super) async fn fixture(store: &Arc<dyn Store>) -> Fixture {
    let user = user(store, Role::Contributor).await.id;
    let slug = format!("t-{}", Uuid::new_v4().simple());
    let new = NewTool { slug, title: "Körbar".into(), summary: String::new(), created_by: user };
    let (tool, version) = store.create_tool(new, VersionContent::starter()).await.unwrap();
    Fixture { user, tool: tool.id, version: version.id }
}

impl Fixture {
    pub(super) fn run(&self) -> NewRun {
        NewRun {
            id: Uuid::now_v7(),
            tool_id: self.tool,
            version_id: self.version,
            context: RunContext::Production,
            user_id: self.user,
            inputs: json!({}),
            files: vec![],
            settings: json!({}),
            action: None,
            parent_run_id: None,
            source_override: None,
            timeout_seconds: 120,
            request_id: None,
            files_from: None,
            batch_id: None,
        }
    }
}

pub(super) async fn enqueue(store: &Arc<dyn Store>, run: NewRun) -> Run {
    store.enqueue_run(run, 100).await.unwrap().expect("room in the queue")
}

pub(super) fn finish(status: RunStatus, artifacts: &[&str]) -> RunFinish {
    RunFinish {
        status,
        stdout: "klart\n".into(),
        stderr: String::new(),
        ui: Some(UiPayload {
            outputs: vec![UiOutput::Markdown { markdown: "## Resultat".into() }],
            next_actions: vec![],
            state: Some(json!({ "steg": 2 })),
        }),
        error_summary: None,
        error: None,
        exit_code: Some(0),
        artifacts: artifacts
            .iter()
            .map(|name| NewArtifact { name: (*name).into(), stored_as: format!("x/{name}"), bytes: 42 })
            .collect(),
    }
}

#[tokio::test]
async fn runs_round_trip_every_field() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let mut new = f.run();
        new.context = RunContext::Sandbox;
        new.inputs = json!({ "klass": "7B", "antal": 3 });
        new.files = vec![RunFile { name: "elever.csv".into(), bytes: 120, stored_as: "u/1".into() }];
        new.settings = json!({ "skala": 5 });
        new.source_override = Some(SourceOverride {
            source: "print(1)".into(),
            entrypoint: "main".into(),
            input_schema: None,
            settings_schema: None,
        });
        new.timeout_seconds = 60;
        new.request_id = Some("req-1".into());
        let run = enqueue(&store, new.clone()).await;
        assert_eq!((run.id, run.status, run.context), (new.id, RunStatus::Queued, RunContext::Sandbox), "{backend:?}");
        assert_eq!((&run.inputs, &run.files, &run.settings), (&new.inputs, &new.files, &new.settings));
        assert_eq!(
            (run.source_override, run.timeout_seconds, run.request_id.as_deref()),
            (new.source_override, 60, Some("req-1"))
        );
        assert!(run.started_at.is_none() && run.finished_at.is_none() && !run.cancel_requested);
        let loaded = store.run_by_id(new.id).await.unwrap().unwrap();
        assert_eq!(loaded.id, run.id);
        assert_eq!(store.run_by_id(new.id).await.unwrap(), Some(loaded));
        assert!(store.run_by_id(Uuid::new_v4()).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn the_queue_is_bounded_and_claimed_oldest_first() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let first = store.enqueue_run(f.run(), 2).await.unwrap().unwrap();
        let second = store.enqueue_run(f.run(), 2).await.unwrap().unwrap();
        assert!(store.enqueue_run(f.run(), 2).await.unwrap().is_none(), "{backend:?}: queue full");
        assert_eq!(store.queued_count().await.unwrap(), 2);
        let claimed = store.claim_next_run("a").await.unwrap().unwrap();
        assert_eq!((claimed.id, claimed.status), (first.id, RunStatus::Running));
        assert!(claimed.started_at.is_some());
        let third = store.enqueue_run(f.run(), 2).await.unwrap().expect("a claim frees a place");
        let order: Vec<_> = [
            store.claim_next_run("a").await.unwrap().unwrap().id,
            store.claim_next_run("b").await.unwrap().unwrap().id,
        ]
        .into();
        assert_eq!(order, [second.id, third.id]);
        assert!(store.claim_next_run("a").await.unwrap().is_none());
        assert_eq!(store.queued_count().await.unwrap(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_and_enqueues_never_collide() {
    each_backend(|store, backend| async move {
        let f = Arc::new(fixture(&store).await);
        // Concurrent enqueues stop exactly at max_queue.
        let enqueues: Vec<_> = (0..12)
            .map(|_| {
                let (store, f) = (store.clone(), f.clone());
                tokio::spawn(async move { store.enqueue_run(f.run(), 8).await.unwrap() })
            })
            .collect();
        let mut accepted = 0;
        for e in enqueues {
            accepted += usize::from(e.await.unwrap().is_some());
        }
        assert_eq!(accepted, 8, "{backend:?}");
        // Concurrent claims each get a different run.
        let claims: Vec<_> = (0..10)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.claim_next_run(&format!("w{i}")).await.unwrap() })
            })
            .collect();
        let mut ids = HashSet::new();
        for c in claims {
            if let Some(run) = c.await.unwrap() {
                assert!(ids.insert(run.id), "{backend:?}: run {} claimed twice", run.id);
            }
        }
        assert_eq!(ids.len(), 8, "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn cancelling_a_queued_run_ends_it_and_a_running_one_is_flagged() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let running = enqueue(&store, f.run()).await;
        let queued = enqueue(&store, f.run()).await;
        store.claim_next_run("a").await.unwrap().unwrap();
        assert_eq!(store.request_cancel(queued.id).await.unwrap(), CancelOutcome::Cancelled, "{backend:?}");
        let cancelled = store.run_by_id(queued.id).await.unwrap().unwrap();
        assert_eq!(cancelled.status, RunStatus::Cancelled);
        assert!(cancelled.finished_at.is_some());
        assert!(!store.cancel_requested(running.id).await.unwrap());
        assert_eq!(store.request_cancel(running.id).await.unwrap(), CancelOutcome::Requested);
        assert!(store.cancel_requested(running.id).await.unwrap());
        assert_eq!(store.run_by_id(running.id).await.unwrap().unwrap().status, RunStatus::Running);
        assert_eq!(store.request_cancel(queued.id).await.unwrap(), CancelOutcome::AlreadyFinal(RunStatus::Cancelled));
        assert_eq!(store.request_cancel(Uuid::new_v4()).await.unwrap(), CancelOutcome::NotFound);
        assert!(!store.cancel_requested(Uuid::new_v4()).await.unwrap());
        assert!(store.claim_next_run("a").await.unwrap().is_none(), "a cancelled run is not claimed");
    })
    .await;
}

#[tokio::test]
async fn finishing_records_results_and_artifacts() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let run = enqueue(&store, f.run()).await;
        store.claim_next_run("a").await.unwrap();
        let done =
            store.finish_run(run.id, finish(RunStatus::Succeeded, &["b.csv", "a/rapport.pdf"])).await.unwrap().unwrap();
        assert_eq!(
            (done.status, done.stdout.as_str(), done.exit_code),
            (RunStatus::Succeeded, "klart\n", Some(0)),
            "{backend:?}"
        );
        assert_eq!(done.ui, finish(RunStatus::Succeeded, &[]).ui);
        assert!(done.finished_at.is_some());
        let names: Vec<_> = done.artifacts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["a/rapport.pdf", "b.csv"]);
        assert_eq!(store.run_by_id(run.id).await.unwrap().as_ref(), Some(&done));
        let a = &done.artifacts[0];
        assert_eq!((a.run_id, a.bytes, a.stored_as.as_str()), (run.id, 42, "x/a/rapport.pdf"));
        assert_eq!(store.artifact(run.id, a.id).await.unwrap().as_ref(), Some(a));
        assert!(store.artifact(Uuid::new_v4(), a.id).await.unwrap().is_none(), "artifacts belong to their run");
        // Finishing twice changes nothing.
        let again = store.finish_run(run.id, finish(RunStatus::Failed, &["c"])).await.unwrap();
        assert_eq!(again.as_ref(), Some(&done));
        assert!(store.finish_run(Uuid::new_v4(), finish(RunStatus::Failed, &[])).await.unwrap().is_none());
        let not_final = store.finish_run(run.id, finish(RunStatus::Running, &[])).await;
        assert!(matches!(not_final, Err(StoreError::Backend(_))));
    })
    .await;
}

#[tokio::test]
async fn a_cancelled_run_stays_cancelled_when_its_result_comes_late() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let run = enqueue(&store, f.run()).await;
        store.request_cancel(run.id).await.unwrap();
        let late = store.finish_run(run.id, finish(RunStatus::Succeeded, &["a.txt"])).await.unwrap().unwrap();
        assert_eq!(late.status, RunStatus::Cancelled, "{backend:?}");
        assert!(late.artifacts.is_empty() && late.ui.is_none());
    })
    .await;
}

#[tokio::test]
async fn orphaned_runs_fail_by_instance_or_stale_heartbeat() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let mut ids = Vec::new();
        for _ in 0..4 {
            ids.push(enqueue(&store, f.run()).await.id);
        }
        for instance in ["a", "a", "b"] {
            store.claim_next_run(instance).await.unwrap().unwrap();
        }
        let interrupted = RunError::bare(ErrorCode::Interrupted);
        let mut failed =
            store.fail_orphaned_runs(Some("a"), Utc::now(), "Servern startades om", &interrupted).await.unwrap();
        failed.sort();
        assert_eq!(failed, [ids[0], ids[1]], "{backend:?}");
        let run = store.run_by_id(ids[0]).await.unwrap().unwrap();
        assert_eq!((run.status, run.error_summary.as_deref()), (RunStatus::Failed, Some("Servern startades om")));
        assert_eq!(run.error, Some(interrupted.clone()));
        assert!(run.finished_at.is_some());

        // A fresh heartbeat keeps b's run alive; without one it is stale.
        let cutoff = Utc::now();
        store.heartbeat_runs(&[ids[2], ids[0]]).await.unwrap();
        store.heartbeat_runs(&[]).await.unwrap();
        assert!(store.fail_orphaned_runs(None, cutoff, "tyst", &interrupted).await.unwrap().is_empty());
        let later = Utc::now() + Duration::seconds(1);
        assert_eq!(store.fail_orphaned_runs(None, later, "tyst", &interrupted).await.unwrap(), [ids[2]]);
        assert_eq!(store.run_by_id(ids[3]).await.unwrap().unwrap().status, RunStatus::Queued, "queued runs wait");
        assert_eq!(
            store.run_by_id(ids[0]).await.unwrap().unwrap().error_summary.as_deref(),
            Some("Servern startades om")
        );
    })
    .await;
}

#[tokio::test]
async fn a_run_has_at_most_one_follow_up() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let parent = enqueue(&store, f.run()).await;
        assert!(!store.has_follow_up(parent.id).await.unwrap(), "{backend:?}");
        let mut next = f.run();
        next.parent_run_id = Some(parent.id);
        next.action = Some(json!({ "action_id": "nasta", "input": {}, "state": { "steg": 1 } }));
        let child = enqueue(&store, next.clone()).await;
        assert_eq!((child.parent_run_id, child.action.as_ref()), (Some(parent.id), next.action.as_ref()));
        assert!(store.has_follow_up(parent.id).await.unwrap());
        assert!(!store.has_follow_up(child.id).await.unwrap());
        next.id = Uuid::now_v7();
        let twice = store.enqueue_run(next, 100).await;
        assert!(matches!(twice, Err(StoreError::Conflict("follow_up"))), "{twice:?}");
    })
    .await;
}

#[tokio::test]
async fn the_latest_run_with_files_is_found_per_user_and_tool() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let start = Utc::now() - Duration::seconds(1);
        let mut with_files = f.run();
        with_files.files = vec![RunFile { name: "a.csv".into(), bytes: 1, stored_as: "u/a".into() }];
        let older = enqueue(&store, with_files.clone()).await;
        with_files.id = Uuid::now_v7();
        let newer = enqueue(&store, with_files).await;
        enqueue(&store, f.run()).await; // newest, but without files
        let found = store.latest_run_with_files(f.user, f.tool, start).await.unwrap().unwrap();
        assert_eq!(found.id, newer.id, "{backend:?}");
        assert_ne!(found.id, older.id);
        assert!(store.latest_run_with_files(f.user, f.tool, Utc::now()).await.unwrap().is_none());
        let other = user(&store, Role::User).await.id;
        assert!(store.latest_run_with_files(other, f.tool, start).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn artifacts_of_runs_finished_before_the_cutoff_are_pruned() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let run = enqueue(&store, f.run()).await;
        store.claim_next_run("a").await.unwrap();
        store.finish_run(run.id, finish(RunStatus::Succeeded, &["a", "b"])).await.unwrap();
        let unfinished = enqueue(&store, f.run()).await;
        assert!(store.prune_artifacts(Utc::now() - Duration::days(1)).await.unwrap().is_empty(), "{backend:?}");
        let mut pruned: Vec<_> = store
            .prune_artifacts(Utc::now() + Duration::seconds(1))
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.run_id, a.stored_as))
            .collect();
        pruned.sort();
        assert_eq!(pruned, [(run.id, "x/a".to_owned()), (run.id, "x/b".to_owned())]);
        assert!(store.run_by_id(run.id).await.unwrap().unwrap().artifacts.is_empty());
        assert_eq!(store.run_by_id(unfinished.id).await.unwrap().unwrap().status, RunStatus::Queued);
    })
    .await;
}

#[tokio::test]
async fn runs_are_listed_newest_first_with_filters_and_counted() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let g = fixture(&store).await;
        let a = enqueue(&store, f.run()).await;
        let mut sandbox = f.run();
        sandbox.context = RunContext::Sandbox;
        let b = enqueue(&store, sandbox).await;
        let c = enqueue(&store, g.run()).await;
        store.request_cancel(a.id).await.unwrap();

        let list = |query: RunQuery, page: PageRequest| {
            let store = store.clone();
            async move { store.list_runs(&query, page).await.unwrap() }
        };
        let all = list(RunQuery::default(), PageRequest::default()).await;
        assert_eq!(all.items.iter().map(|r| r.id).collect::<Vec<_>>(), [c.id, b.id, a.id], "{backend:?}");
        assert_eq!(
            (all.items[0].tool_slug.as_str(), all.items[0].tool_title.as_str()),
            (g_slug(&store, g.tool).await.as_str(), "Körbar")
        );
        let mine =
            list(RunQuery { user_id: Some(f.user), ..Default::default() }, PageRequest::new(Some(1), None)).await;
        assert_eq!((mine.total, mine.items[0].id), (2, b.id));
        let by_tool = list(RunQuery { tool_id: Some(g.tool), ..Default::default() }, PageRequest::default()).await;
        assert_eq!(by_tool.items.iter().map(|r| r.id).collect::<Vec<_>>(), [c.id]);
        let cancelled =
            list(RunQuery { status: Some(RunStatus::Cancelled), ..Default::default() }, PageRequest::default()).await;
        assert_eq!((cancelled.total, cancelled.items[0].finished_at.is_some()), (1, true));
        let sandboxed = list(
            RunQuery { context: Some(RunContext::Sandbox), user_id: Some(f.user), ..Default::default() },
            PageRequest::default(),
        )
        .await;
        assert_eq!(sandboxed.items.iter().map(|r| r.id).collect::<Vec<_>>(), [b.id]);

        let counts = store.run_counts().await.unwrap();
        let expected = [
            ("production".to_owned(), "cancelled".to_owned(), 1),
            ("production".to_owned(), "queued".to_owned(), 1),
            ("sandbox".to_owned(), "queued".to_owned(), 1),
        ];
        assert_eq!(counts, expected);
    })
    .await;
}

async fn g_slug(store: &Arc<dyn Store>, tool: Uuid) -> String {
    store.tool_by_id(tool).await.unwrap().unwrap().slug
}

#[tokio::test]
async fn settings_are_kept_per_scope() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let sandbox = SettingsScope::Sandbox(f.version);
        assert!(store.settings(f.user, f.tool, &SettingsScope::Production).await.unwrap().is_none(), "{backend:?}");
        let values = json!({ "skala": 5, "namn": "Åsa" }).as_object().unwrap().clone();
        let saved = store.put_settings(f.user, f.tool, &SettingsScope::Production, "fp1", &values).await.unwrap();
        assert_eq!((saved.fingerprint.as_str(), &saved.values), ("fp1", &values));
        assert_eq!(store.settings(f.user, f.tool, &SettingsScope::Production).await.unwrap(), Some(saved));
        assert!(store.settings(f.user, f.tool, &sandbox).await.unwrap().is_none());
        let other = json!({ "skala": 3 }).as_object().unwrap().clone();
        store.put_settings(f.user, f.tool, &sandbox, "fp2", &other).await.unwrap();
        let replaced = store.put_settings(f.user, f.tool, &SettingsScope::Production, "fp3", &other).await.unwrap();
        assert_eq!(replaced.fingerprint, "fp3");
        assert_eq!(store.settings(f.user, f.tool, &SettingsScope::Production).await.unwrap().unwrap().values, other);
        assert_eq!(store.settings(f.user, f.tool, &sandbox).await.unwrap().unwrap().fingerprint, "fp2");
        let unknown = store.put_settings(f.user, Uuid::new_v4(), &sandbox, "fp", &other).await;
        assert!(matches!(unknown, Err(StoreError::UnknownReference(_))), "{unknown:?}");
    })
    .await;
}

#[tokio::test]
async fn production_runs_overtake_queued_sandbox_runs() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let sandbox = || NewRun { context: RunContext::Sandbox, timeout_seconds: 60, ..f.run() };
        let tests: Vec<Run> = enqueue_all(&store, (0..3).map(|_| sandbox()).collect()).await;
        let teacher = enqueue(&store, f.run()).await;
        let order: Vec<Uuid> = {
            let mut order = Vec::new();
            while let Some(run) = store.claim_next_run("a").await.unwrap() {
                order.push(run.id);
            }
            order
        };
        let mut expected = vec![teacher.id];
        expected.extend(tests.iter().map(|r| r.id));
        assert_eq!(order, expected, "{backend:?}: the teacher first, then the tests oldest first");
    })
    .await;
}

async fn enqueue_all(store: &Arc<dyn Store>, runs: Vec<NewRun>) -> Vec<Run> {
    let mut out = Vec::new();
    for run in runs {
        out.push(enqueue(store, run).await);
    }
    out
}

#[tokio::test]
async fn error_codes_and_their_parameters_round_trip() {
    each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let caps = OutputCaps { max_files: 100, max_file_bytes: 50 << 20, max_total_bytes: 200 << 20 };
        let cut = OutputCut { files: 2, caps: vec![FileCap::Sparse], shortened: true }.into_error(caps).unwrap();
        let errors = [
            Some(RunError::timed_out(120)),
            Some(RunError::out_of_memory(1 << 30)),
            Some(RunError::tool_error("Filen saknar kolumnen ”Betyg”.")),
            Some(RunError::bare(ErrorCode::ToolCrashed)),
            Some(cut),
            Some(RunError::files_not_kept("elever.csv")),
            None,
        ];
        for error in errors {
            let run = enqueue(&store, f.run()).await;
            let status = if error.is_some() { RunStatus::Failed } else { RunStatus::Succeeded };
            let finished = RunFinish { error: error.clone(), ..finish(status, &[]) };
            let done = store.finish_run(run.id, finished).await.unwrap().unwrap();
            assert_eq!(done.error, error, "{backend:?}");
            assert_eq!(store.run_by_id(run.id).await.unwrap().unwrap().error, error);
            let query = RunQuery { user_id: Some(f.user), ..Default::default() };
            let listed = store.list_runs(&query, PageRequest::default()).await.unwrap();
            assert_eq!(listed.items.iter().find(|s| s.id == run.id).unwrap().error, error, "{backend:?}");
        }
        // A queued run cancelled at once is `cancelled` too.
        let queued = enqueue(&store, f.run()).await;
        assert_eq!(store.request_cancel(queued.id).await.unwrap(), CancelOutcome::Cancelled);
        let cancelled = store.run_by_id(queued.id).await.unwrap().unwrap();
        assert_eq!(cancelled.error, Some(RunError::bare(ErrorCode::Cancelled)), "{backend:?}");
    })
    .await;
}

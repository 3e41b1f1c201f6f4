//! The persistence port. One implementation per SQL dialect lives in `skriptoteket-store`.

use crate::batch::{Batch, BatchItem, NewBatch};
use crate::execution::RunProgress;
use crate::privacy::{ErasedHistory, PrivacyEvent, SettingsRecord, ToolHandover};
use crate::run::{
    Artifact, CancelOutcome, FoldersInUse, NewRun, Run, RunFinish, RunQuery, RunSummary, SettingsScope, StoredSettings,
};
use crate::run_error::RunError;
use crate::tool::{
    CatalogEntry, CatalogQuery, NewTool, Taxon, Tool, ToolMarks, ToolPatch, ToolVersion, VersionContent, VersionEvent,
    VersionState,
};
use crate::{NewUser, Page, PageRequest, User, UserPatch};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint said no; the string names what collided (e.g. "email").
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// A referenced row does not exist (e.g. an unknown category id).
    #[error("unknown {0}")]
    UnknownReference(&'static str),
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the application keeps, by area; one implementation per SQL dialect.
#[async_trait]
pub trait Store:
    UserStore
    + ToolStore
    + VersionStore
    + RunStore
    + SettingsStore
    + StorageStore
    + FavoriteStore
    + BatchStore
    + PrivacyStore
    + InstanceStore
    + ThrottleStore
    + Send
    + Sync
    + 'static
{
    /// Cheap round trip used by readiness checks.
    async fn ping(&self) -> StoreResult<()>;
    /// Which dialect this is ("sqlite" or "postgres"), for logs and readiness.
    fn dialect(&self) -> &'static str;
    /// Messages between the server processes sharing this database, where the dialect has them
    /// (PostgreSQL's LISTEN/NOTIFY); `None` on SQLite, which one process uses alone.
    fn signals(&self) -> Option<Arc<dyn Signals>>;
}

/// Messages between the server processes that share the database: fire and forget, delivered
/// to every listener (the sender's own included) while it is connected, lost otherwise.
#[async_trait]
pub trait Signals: Send + Sync {
    /// Sends `payload` (at most `SIGNAL_PAYLOAD_MAX` bytes) on `channel`.
    async fn notify(&self, channel: &str, payload: &str) -> StoreResult<()>;
    /// One connection listening on `channels`.
    async fn listen(&self, channels: &[&str]) -> StoreResult<Box<dyn SignalListener>>;
}

/// The longest payload a signal may carry (PostgreSQL refuses 8000 bytes and more).
pub const SIGNAL_PAYLOAD_MAX: usize = 7999;

#[async_trait]
pub trait SignalListener: Send {
    /// The next message as (channel, payload). An error means the connection was lost; the next
    /// call connects again, and what was sent meanwhile is lost.
    async fn recv(&mut self) -> StoreResult<(String, String)>;
}

/// Accounts and sign-in bookkeeping.
#[async_trait]
pub trait UserStore: Send + Sync {
    async fn count_users(&self) -> StoreResult<u64>;
    async fn create_user(&self, new: NewUser) -> StoreResult<User>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<User>>;
    /// The user and their password hash, by normalised email.
    async fn user_credentials(&self, email: &str) -> StoreResult<Option<(User, String)>>;
    async fn list_users(&self, page: PageRequest) -> StoreResult<Page<User>>;
    async fn update_user(&self, id: Uuid, patch: UserPatch) -> StoreResult<Option<User>>;
    /// Counts a failed sign-in and locks the account until `lock_until` once it reaches
    /// `threshold` failures. Returns the updated user.
    async fn record_login_failure(
        &self,
        id: Uuid,
        threshold: i32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;
    async fn record_login_success(&self, id: Uuid) -> StoreResult<()>;
}

/// The taxonomy, tools and their maintainers.
#[async_trait]
pub trait ToolStore: Send + Sync {
    async fn categories(&self) -> StoreResult<Vec<Taxon>>;
    async fn professions(&self) -> StoreResult<Vec<Taxon>>;
    /// Creates a tool, makes its creator a maintainer and adds the first draft (version 1).
    async fn create_tool(&self, new: NewTool, first: VersionContent) -> StoreResult<(Tool, ToolVersion)>;
    async fn tool_by_id(&self, id: Uuid) -> StoreResult<Option<Tool>>;
    async fn tool_by_slug(&self, slug: &str) -> StoreResult<Option<Tool>>;
    /// The tools with these ids (unknown ids are skipped), in no particular order.
    async fn tools_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<Tool>>;
    async fn update_tool(&self, id: Uuid, patch: ToolPatch) -> StoreResult<Option<Tool>>;
    /// Published tools (active version, not archived) with the viewer's marks, filtered and
    /// ordered as the query says (by title unless it says otherwise).
    async fn catalog(&self, query: &CatalogQuery, page: PageRequest) -> StoreResult<Page<CatalogEntry>>;
    /// Tools `user` maintains, by title.
    async fn tools_maintained_by(&self, user: Uuid) -> StoreResult<Vec<Tool>>;
    async fn maintainers(&self, tool: Uuid) -> StoreResult<Vec<User>>;
    async fn add_maintainer(&self, tool: Uuid, user: Uuid) -> StoreResult<()>;
    /// Returns false when `user` was not a maintainer.
    async fn remove_maintainer(&self, tool: Uuid, user: Uuid) -> StoreResult<bool>;
}

/// Tool versions and their lifecycle.
#[async_trait]
pub trait VersionStore: Send + Sync {
    /// A new draft with the next number.
    async fn create_version(
        &self,
        tool: Uuid,
        author: Uuid,
        content: VersionContent,
        derived_from: Option<Uuid>,
    ) -> StoreResult<ToolVersion>;
    async fn version_by_id(&self, id: Uuid) -> StoreResult<Option<ToolVersion>>;
    /// Newest first.
    async fn versions_of_tool(&self, tool: Uuid) -> StoreResult<Vec<ToolVersion>>;
    /// The versions of several tools in one read, newest first within each tool.
    async fn versions_of_tools(&self, tools: &[Uuid]) -> StoreResult<Vec<ToolVersion>>;
    /// Every version in `state`, oldest change first (the review queue).
    async fn versions_in_state(&self, state: VersionState) -> StoreResult<Vec<ToolVersion>>;
    /// Saves a draft if it is still a draft at `expected_revision`; `Ok(None)` when it is not
    /// (the caller re-reads to tell why).
    async fn save_draft(
        &self,
        id: Uuid,
        expected_revision: i32,
        content: VersionContent,
        author: Uuid,
    ) -> StoreResult<Option<ToolVersion>>;
    /// Moves a version from `from` to `to` if it is in `from`, recording the event.
    async fn transition_version(
        &self,
        id: Uuid,
        from: VersionState,
        to: VersionState,
        actor: Uuid,
        message: Option<String>,
    ) -> StoreResult<Option<ToolVersion>>;
    /// Makes an `in_review` version active, archives the previous active version and points
    /// the tool at it, in one transaction. `Ok(None)` when the version is not in review.
    async fn publish_version(&self, id: Uuid, actor: Uuid, message: Option<String>)
    -> StoreResult<Option<ToolVersion>>;
    /// Copies an archived version into a new active version (history is never rewritten).
    async fn rollback_to(
        &self,
        archived: Uuid,
        actor: Uuid,
        message: Option<String>,
    ) -> StoreResult<Option<ToolVersion>>;
    /// State changes of every version of a tool, newest first.
    async fn version_events(&self, tool: Uuid) -> StoreResult<Vec<VersionEvent>>;
}

/// Runs, the durable queue and artifacts.
#[async_trait]
pub trait RunStore: Send + Sync {
    /// Inserts a queued run unless `max_queue` runs are already queued (`Ok(None)`).
    async fn enqueue_run(&self, run: NewRun, max_queue: u64) -> StoreResult<Option<Run>>;
    async fn queued_count(&self) -> StoreResult<u64>;
    /// Runs of `user` that are queued or running (for the per-user fairness limit).
    async fn active_runs_of(&self, user: Uuid) -> StoreResult<u64>;
    /// Takes the oldest queued run and marks it running for `instance` (safe across processes).
    async fn claim_next_run(&self, instance: &str) -> StoreResult<Option<Run>>;
    /// Marks runs as alive; stale heartbeats reveal runs of dead processes.
    async fn heartbeat_runs(&self, ids: &[Uuid]) -> StoreResult<()>;
    /// Keeps the latest progress of a running run, for whichever server shows it.
    async fn save_progress(&self, id: Uuid, progress: &RunProgress) -> StoreResult<()>;
    /// The latest progress a running run reported (`None` once it ended).
    async fn run_progress(&self, id: Uuid) -> StoreResult<Option<RunProgress>>;
    async fn finish_run(&self, id: Uuid, finish: RunFinish) -> StoreResult<Option<Run>>;
    async fn run_by_id(&self, id: Uuid) -> StoreResult<Option<Run>>;
    async fn list_runs(&self, query: &RunQuery, page: PageRequest) -> StoreResult<Page<RunSummary>>;
    async fn request_cancel(&self, id: Uuid) -> StoreResult<CancelOutcome>;
    async fn cancel_requested(&self, id: Uuid) -> StoreResult<bool>;
    /// Fails `running` runs claimed by `instance`, or (with `None`) any whose heartbeat is older
    /// than `stale_before`; returns their ids.
    async fn fail_orphaned_runs(
        &self,
        instance: Option<&str>,
        stale_before: DateTime<Utc>,
        reason: &str,
        error: &RunError,
    ) -> StoreResult<Vec<Uuid>>;
    /// Whether a follow-up run of `run` exists already (its actions are then stale).
    async fn has_follow_up(&self, run: Uuid) -> StoreResult<bool>;
    /// The newest run of `user` for `tool` with files, newer than `since`.
    async fn latest_run_with_files(&self, user: Uuid, tool: Uuid, since: DateTime<Utc>) -> StoreResult<Option<Run>>;
    async fn artifact(&self, run: Uuid, artifact: Uuid) -> StoreResult<Option<Artifact>>;
    /// Deletes artifact rows of runs finished before `before`; returns what to delete on disk.
    async fn prune_artifacts(&self, before: DateTime<Utc>) -> StoreResult<Vec<Artifact>>;
    /// Counts runs by (context, status), for metrics.
    async fn run_counts(&self) -> StoreResult<Vec<(String, String, u64)>>;
}

/// Per-user settings of a tool.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn settings(&self, user: Uuid, tool: Uuid, scope: &SettingsScope) -> StoreResult<Option<StoredSettings>>;
    async fn put_settings(
        &self,
        user: Uuid,
        tool: Uuid,
        scope: &SettingsScope,
        fingerprint: &str,
        values: &serde_json::Map<String, serde_json::Value>,
    ) -> StoreResult<StoredSettings>;
    /// The hash of the usage instructions `user` last saw for `tool`.
    async fn usage_seen(&self, user: Uuid, tool: Uuid) -> StoreResult<Option<String>>;
    async fn mark_usage_seen(&self, user: Uuid, tool: Uuid, hash: &str) -> StoreResult<()>;
}

/// What runs keep on disk: each user's share of it, and what housekeeping may remove. Nothing
/// a queued or running run uses is ever released or pruned.
#[async_trait]
pub trait StorageStore: Send + Sync {
    /// Bytes `user` holds: the uploads still kept plus the artifacts still kept.
    async fn storage_used(&self, user: Uuid) -> StoreResult<u64>;
    /// Marks as removed (at most `limit`) upload folders no run may use any more: no run using
    /// the folder is queued or running, and none was created after `reusable_since`. Returns the
    /// runs whose folders to delete.
    async fn release_uploads(&self, reusable_since: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Uuid>>;
    /// Deletes (at most `limit`) runs that finished before `before` — rows with inputs, logs and
    /// artifact rows — except those whose upload folder a queued, running or still reusable run
    /// (created after `reusable_since`) uses. Returns their ids, whose folders to delete.
    async fn prune_runs(
        &self,
        before: DateTime<Utc>,
        reusable_since: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Uuid>>;
    /// Which of `runs` still need their folders on disk (unknown runs need none).
    async fn folders_in_use(&self, runs: &[Uuid]) -> StoreResult<FoldersInUse>;
}

/// Favourite tools ("stars") per user.
#[async_trait]
pub trait FavoriteStore: Send + Sync {
    /// Stars (`true`) or unstars a tool; idempotent either way.
    async fn set_favorite(&self, user: Uuid, tool: Uuid, favorite: bool) -> StoreResult<()>;
    /// Whether `user` starred `tool`, and when they last ran it.
    async fn tool_marks(&self, user: Uuid, tool: Uuid) -> StoreResult<ToolMarks>;
}

/// Class mode: batches and their item runs (`batch`).
#[async_trait]
pub trait BatchStore: Send + Sync {
    /// Queues the batch and all its runs at once, or nothing (`None`) when they would take the
    /// queue past `max_queue` waiting runs.
    async fn enqueue_batch(&self, batch: NewBatch, runs: Vec<NewRun>, max_queue: u64) -> StoreResult<Option<Batch>>;
    async fn batch_by_id(&self, id: Uuid) -> StoreResult<Option<Batch>>;
    /// The batch's items in the order their files were uploaded.
    async fn batch_items(&self, batch: Uuid) -> StoreResult<Vec<BatchItem>>;
    /// The artifacts of all the batch's items.
    async fn batch_artifacts(&self, batch: Uuid) -> StoreResult<Vec<Artifact>>;
}

/// A person's data as a whole: export, erase, hand over, audit (`privacy`).
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// Every run of the user, oldest first, with artifacts.
    async fn runs_of_user(&self, user: Uuid) -> StoreResult<Vec<Run>>;
    async fn settings_of_user(&self, user: Uuid) -> StoreResult<Vec<SettingsRecord>>;
    /// The slugs of the user's favourite tools.
    async fn favorites_of_user(&self, user: Uuid) -> StoreResult<Vec<String>>;
    /// Deletes the user's runs (none may be queued or running), batches, settings, favourites
    /// and seen usage instructions; the account stays.
    async fn erase_history(&self, user: Uuid) -> StoreResult<ErasedHistory>;
    /// Takes `user` off every tool they maintain (a tool belongs to its maintainers), and makes
    /// `admin` a maintainer where nobody else is left.
    async fn hand_over_tools(&self, user: Uuid, admin: Uuid) -> StoreResult<ToolHandover>;
    /// Replaces the account's name, email and password by placeholders and disables it.
    async fn anonymize_user(&self, user: Uuid) -> StoreResult<()>;
    async fn record_privacy_event(&self, event: PrivacyEvent) -> StoreResult<()>;
    async fn privacy_events(&self, subject: Option<Uuid>, page: PageRequest) -> StoreResult<Page<PrivacyEvent>>;
}

/// The server processes sharing the database, each alive while it renews its heartbeat.
#[async_trait]
pub trait InstanceStore: Send + Sync {
    /// Records that `instance` is alive at `now` (registering it the first time).
    async fn heartbeat_instance(&self, instance: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Instances whose last heartbeat is older than `stale_before`.
    async fn dead_instances(&self, stale_before: DateTime<Utc>) -> StoreResult<Vec<String>>;
    /// Forgets `instance` (stopped cleanly, or its leftovers were removed), unless it proved
    /// alive again since `stale_before`; whether it was forgotten.
    async fn forget_instance(&self, instance: &str, stale_before: DateTime<Utc>) -> StoreResult<bool>;
}

/// Counters of attempts per key in a time window (sign-in throttling), shared by all servers.
#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Counts one attempt under `key` at `now` and returns the key's window start and attempts
    /// in it, this one included. A window older than `window` starts over at `now`. Atomic:
    /// concurrent attempts each get their own count.
    async fn count_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StoreResult<(DateTime<Utc>, u32)>;
    /// The key's attempts start over.
    async fn clear_attempts(&self, key: &str) -> StoreResult<()>;
    /// Removes counters whose window began before `before`; how many.
    async fn prune_attempts(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

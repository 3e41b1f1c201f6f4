// The queries both dialects share. `include!`d by `sqlite.rs` and `postgres.rs`, where `Db`
// is the concrete sqlx database and `This` the store type with a `pool: Pool<Db>`. The dialect
// module also provides what only it does well: `write_tx` (SQLite `BEGIN IMMEDIATE`),
// `queue_tx`, `claim_next` (PostgreSQL `FOR UPDATE SKIP LOCKED`) and the `json_texts!` macro
// that turns a JSON array parameter into rows, so a list of ids is one bound parameter.
//
// The one `Store` impl below only delegates; the SQL lives in one file per area.

use crate::rows::parse_id;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::run::{
    Artifact, CancelOutcome, NewRun, RunContext, RunFinish, RunQuery, RunStatus, RunSummary, SettingsScope,
    StoredSettings,
};
use skriptoteket_domain::store::StoreResult;
use skriptoteket_domain::tool::{
    CatalogQuery, NewTool, Taxon, Tool, ToolPatch, ToolVersion, VersionContent, VersionEvent, VersionState,
};
use skriptoteket_domain::{NewUser, Page, PageRequest, Store, User, UserPatch};
use sqlx::types::Json;
use uuid::Uuid;

/// A connection of this dialect: helpers take one so they run inside a transaction or not.
type Conn = <Db as sqlx::Database>::Connection;

/// A row written a moment ago in the same transaction is missing: only a bug can do that.
fn gone(what: &str) -> StoreError {
    StoreError::Backend(format!("the {what} just written is missing"))
}

mod users {
    include!("queries/users.rs");
}
mod tools {
    include!("queries/tools.rs");
}
mod versions {
    include!("queries/versions.rs");
}
mod runs {
    include!("queries/runs.rs");
}
mod settings {
    include!("queries/settings.rs");
}

#[async_trait]
impl Store for This {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(backend_error)?;
        Ok(())
    }

    fn dialect(&self) -> &'static str {
        DIALECT
    }

    async fn count_users(&self) -> StoreResult<u64> {
        users::count(self).await
    }

    async fn create_user(&self, new: NewUser) -> StoreResult<User> {
        users::create(self, new).await
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<User>> {
        users::by_id(self, id).await
    }

    async fn user_credentials(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        users::credentials(self, email).await
    }

    async fn list_users(&self, page: PageRequest) -> StoreResult<Page<User>> {
        users::list(self, page).await
    }

    async fn update_user(&self, id: Uuid, patch: UserPatch) -> StoreResult<Option<User>> {
        users::update(self, id, patch).await
    }

    async fn record_login_failure(
        &self,
        id: Uuid,
        threshold: i32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        users::record_login_failure(self, id, threshold, lock_until).await
    }

    async fn record_login_success(&self, id: Uuid) -> StoreResult<()> {
        users::record_login_success(self, id).await
    }

    async fn categories(&self) -> StoreResult<Vec<Taxon>> {
        tools::categories(self).await
    }

    async fn professions(&self) -> StoreResult<Vec<Taxon>> {
        tools::professions(self).await
    }

    async fn create_tool(&self, new: NewTool, first: VersionContent) -> StoreResult<(Tool, ToolVersion)> {
        tools::create(self, new, first).await
    }

    async fn tool_by_id(&self, id: Uuid) -> StoreResult<Option<Tool>> {
        tools::by_id(self, id).await
    }

    async fn tool_by_slug(&self, slug: &str) -> StoreResult<Option<Tool>> {
        tools::by_slug(self, slug).await
    }

    async fn update_tool(&self, id: Uuid, patch: ToolPatch) -> StoreResult<Option<Tool>> {
        tools::update(self, id, patch).await
    }

    async fn catalog(&self, query: &CatalogQuery, page: PageRequest) -> StoreResult<Page<Tool>> {
        tools::catalog(self, query, page).await
    }

    async fn tools_maintained_by(&self, user: Uuid) -> StoreResult<Vec<Tool>> {
        tools::maintained_by(self, user).await
    }

    async fn maintainers(&self, tool: Uuid) -> StoreResult<Vec<User>> {
        users::maintainers(self, tool).await
    }

    async fn add_maintainer(&self, tool: Uuid, user: Uuid) -> StoreResult<()> {
        tools::add_maintainer(self, tool, user).await
    }

    async fn remove_maintainer(&self, tool: Uuid, user: Uuid) -> StoreResult<bool> {
        tools::remove_maintainer(self, tool, user).await
    }

    async fn create_version(
        &self,
        tool: Uuid,
        author: Uuid,
        content: VersionContent,
        derived_from: Option<Uuid>,
    ) -> StoreResult<ToolVersion> {
        versions::create(self, tool, author, content, derived_from).await
    }

    async fn version_by_id(&self, id: Uuid) -> StoreResult<Option<ToolVersion>> {
        versions::by_id(self, id).await
    }

    async fn versions_of_tool(&self, tool: Uuid) -> StoreResult<Vec<ToolVersion>> {
        versions::of_tool(self, tool).await
    }

    async fn versions_in_state(&self, state: VersionState) -> StoreResult<Vec<ToolVersion>> {
        versions::in_state(self, state).await
    }

    async fn save_draft(
        &self,
        id: Uuid,
        expected_revision: i32,
        content: VersionContent,
        author: Uuid,
    ) -> StoreResult<Option<ToolVersion>> {
        versions::save_draft(self, id, expected_revision, content, author).await
    }

    async fn transition_version(
        &self,
        id: Uuid,
        from: VersionState,
        to: VersionState,
        actor: Uuid,
        message: Option<String>,
    ) -> StoreResult<Option<ToolVersion>> {
        versions::transition(self, id, from, to, actor, message).await
    }

    async fn publish_version(
        &self,
        id: Uuid,
        actor: Uuid,
        message: Option<String>,
    ) -> StoreResult<Option<ToolVersion>> {
        let (from, to) = (VersionState::InReview, VersionState::Active);
        versions::transition(self, id, from, to, actor, message).await
    }

    async fn rollback_to(
        &self,
        archived: Uuid,
        actor: Uuid,
        message: Option<String>,
    ) -> StoreResult<Option<ToolVersion>> {
        versions::rollback_to(self, archived, actor, message).await
    }

    async fn version_events(&self, tool: Uuid) -> StoreResult<Vec<VersionEvent>> {
        versions::events(self, tool).await
    }

    async fn enqueue_run(&self, run: NewRun, max_queue: u64) -> StoreResult<Option<Run>> {
        runs::enqueue(self, run, max_queue).await
    }

    async fn queued_count(&self) -> StoreResult<u64> {
        runs::queued_count(self).await
    }

    async fn active_runs_of(&self, user: Uuid) -> StoreResult<u64> {
        runs::active_runs_of(self, user).await
    }

    async fn claim_next_run(&self, instance: &str) -> StoreResult<Option<Run>> {
        self.claim_next(instance).await
    }

    async fn heartbeat_runs(&self, ids: &[Uuid]) -> StoreResult<()> {
        runs::heartbeat(self, ids).await
    }

    async fn finish_run(&self, id: Uuid, finish: RunFinish) -> StoreResult<Option<Run>> {
        runs::finish(self, id, finish).await
    }

    async fn run_by_id(&self, id: Uuid) -> StoreResult<Option<Run>> {
        runs::by_id(self, id).await
    }

    async fn list_runs(&self, query: &RunQuery, page: PageRequest) -> StoreResult<Page<RunSummary>> {
        runs::list(self, query, page).await
    }

    async fn request_cancel(&self, id: Uuid) -> StoreResult<CancelOutcome> {
        runs::request_cancel(self, id).await
    }

    async fn cancel_requested(&self, id: Uuid) -> StoreResult<bool> {
        runs::cancel_requested(self, id).await
    }

    async fn fail_orphaned_runs(
        &self,
        instance: Option<&str>,
        stale_before: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<Vec<Uuid>> {
        runs::fail_orphaned(self, instance, stale_before, reason).await
    }

    async fn has_follow_up(&self, run: Uuid) -> StoreResult<bool> {
        runs::has_follow_up(self, run).await
    }

    async fn latest_run_with_files(&self, user: Uuid, tool: Uuid, since: DateTime<Utc>) -> StoreResult<Option<Run>> {
        runs::latest_with_files(self, user, tool, since).await
    }

    async fn artifact(&self, run: Uuid, artifact: Uuid) -> StoreResult<Option<Artifact>> {
        runs::artifact(self, run, artifact).await
    }

    async fn prune_artifacts(&self, before: DateTime<Utc>) -> StoreResult<Vec<Artifact>> {
        runs::prune_artifacts(self, before).await
    }

    async fn run_counts(&self) -> StoreResult<Vec<(String, String, u64)>> {
        runs::counts(self).await
    }

    async fn settings(&self, user: Uuid, tool: Uuid, scope: &SettingsScope) -> StoreResult<Option<StoredSettings>> {
        settings::get(self, user, tool, scope).await
    }

    async fn put_settings(
        &self,
        user: Uuid,
        tool: Uuid,
        scope: &SettingsScope,
        fingerprint: &str,
        values: &serde_json::Map<String, serde_json::Value>,
    ) -> StoreResult<StoredSettings> {
        settings::put(self, user, tool, scope, fingerprint, values).await
    }
}

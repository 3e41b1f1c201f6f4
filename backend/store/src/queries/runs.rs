//! Runs, the durable queue and artifacts: `RunStore`. Claiming is dialect-specific
//! (`claim_next` in the dialect module); so is the lock `enqueue_run` takes (`queue_tx`).
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::{Conn, This};
use crate::backend_error;
use crate::rows::{ArtifactRow, CountRow, RunRow, SummaryRow, parse_id, parse_status};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::execution::RunProgress;
use skriptoteket_domain::run::{
    Artifact, CancelOutcome, NewRun, Run, RunContext, RunFinish, RunQuery, RunStatus, RunSummary,
};
use skriptoteket_domain::run_error::RunError;
use skriptoteket_domain::store::{RunStore, StoreError, StoreResult};
use skriptoteket_domain::{Page, PageRequest};
use sqlx::types::Json;
use uuid::Uuid;

/// The run with its artifacts.
async fn load(conn: &mut Conn, id: &str) -> StoreResult<Option<Run>> {
    let sql = concat!("SELECT ", run_columns!(), " FROM runs WHERE id = $1");
    let row: Option<RunRow> = sqlx::query_as(sql).bind(id).fetch_optional(&mut *conn).await.map_err(backend_error)?;
    match row {
        Some(row) => Ok(Some(with_artifacts(conn, row).await?)),
        None => Ok(None),
    }
}

async fn with_artifacts(conn: &mut Conn, row: RunRow) -> StoreResult<Run> {
    let mut run = Run::try_from(row)?;
    let sql = concat!("SELECT ", artifact_columns!(), " FROM artifacts WHERE run_id = $1 ORDER BY name");
    let rows: Vec<ArtifactRow> =
        sqlx::query_as(sql).bind(run.id.to_string()).fetch_all(&mut *conn).await.map_err(backend_error)?;
    run.artifacts = rows.into_iter().map(Artifact::try_from).collect::<StoreResult<_>>()?;
    Ok(run)
}

/// How many runs wait in the queue.
pub(super) async fn queued_count(conn: &mut Conn) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM runs WHERE status = 'queued'")
        .fetch_one(&mut *conn)
        .await
        .map_err(backend_error)?;
    Ok(n as u64)
}

/// Inserts one queued run; the caller holds the queue transaction and checked its room.
pub(super) async fn insert_run(conn: &mut Conn, run: &NewRun) -> StoreResult<RunRow> {
    let sql = concat!(
        "INSERT INTO runs (id, tool_id, version_id, context, user_id, status, inputs, files, \
         settings, action, parent_run_id, source_override, timeout_seconds, request_id, \
         created_at, files_from, upload_bytes, batch_id) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING ",
        run_columns!()
    );
    sqlx::query_as(sql)
        .bind(run.id.to_string())
        .bind(run.tool_id.to_string())
        .bind(run.version_id.to_string())
        .bind(run.context.as_str())
        .bind(run.user_id.to_string())
        .bind(Json(&run.inputs))
        .bind(Json(&run.files))
        .bind(Json(&run.settings))
        .bind(run.action.as_ref().map(Json))
        .bind(run.parent_run_id.map(|id| id.to_string()))
        .bind(run.source_override.as_ref().map(Json))
        .bind(i64::from(run.timeout_seconds))
        .bind(run.request_id.as_deref())
        .bind(Utc::now())
        .bind(run.files_from.map(|id| id.to_string()))
        .bind(run.upload_bytes().map(|n| i64::try_from(n).unwrap_or(i64::MAX)))
        .bind(run.batch_id.map(|id| id.to_string()))
        .fetch_one(&mut *conn)
        .await
        // The only unique index a new run can hit is "one follow-up per run".
        .map_err(crate::conflict_or_backend("follow_up"))
}

/// The filter of run lists: `$1` user, `$2` tool, `$3` status, `$4` context, each optional.
macro_rules! run_filter {
    () => {
        " WHERE ($1 IS NULL OR r.user_id = $1) AND ($2 IS NULL OR r.tool_id = $2) \
         AND ($3 IS NULL OR r.status = $3) AND ($4 IS NULL OR r.context = $4)"
    };
}

/// A user's runs waiting or going, where a batch counts once however many items it has
/// (the fairness rule in the domain's `batch`).
const ACTIVE_ENTRIES: &str = "SELECT COUNT(DISTINCT COALESCE(batch_id, id)) FROM runs \
     WHERE user_id = $1 AND status IN ('queued', 'running')";

#[async_trait]
impl RunStore for This {
    /// Inserts a queued run unless `max_queue` runs are queued already. The count and the insert
    /// happen inside the dialect's queue transaction (SQLite's write lock, PostgreSQL's advisory
    /// lock), so concurrent enqueues cannot overshoot the limit.
    async fn enqueue_run(&self, run: NewRun, max_queue: u64) -> StoreResult<Option<Run>> {
        let mut tx = self.queue_tx().await?;
        if queued_count(&mut tx).await? >= max_queue {
            return Ok(None);
        }
        let row = insert_run(&mut tx, &run).await?;
        tx.commit().await.map_err(backend_error)?;
        Run::try_from(row).map(Some)
    }

    async fn queued_count(&self) -> StoreResult<u64> {
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        queued_count(&mut conn).await
    }

    async fn active_runs_of(&self, user: Uuid) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar(ACTIVE_ENTRIES)
                .bind(user.to_string())
                .fetch_one(&self.pool)
                .await
                .map_err(backend_error)?;
        Ok(n as u64)
    }

    async fn heartbeat_runs(&self, ids: &[Uuid]) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let sql = concat!(
            "UPDATE runs SET heartbeat_at = $1 WHERE status = 'running' \
             AND id IN (SELECT w.value FROM ",
            json_texts!("$2"),
            ")"
        );
        sqlx::query(sql).bind(Utc::now()).bind(Json(&ids)).execute(&self.pool).await.map_err(backend_error)?;
        Ok(())
    }

    async fn save_progress(&self, id: Uuid, progress: &RunProgress) -> StoreResult<()> {
        sqlx::query("UPDATE runs SET progress = $2 WHERE id = $1 AND status = 'running'")
            .bind(id.to_string())
            .bind(Json(progress))
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn run_progress(&self, id: Uuid) -> StoreResult<Option<RunProgress>> {
        let progress: Option<Option<Json<RunProgress>>> =
            sqlx::query_scalar("SELECT progress FROM runs WHERE id = $1 AND status = 'running'")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_error)?;
        Ok(progress.flatten().map(|p| p.0))
    }

    /// Records the end of a run that is still queued or running, with its artifacts. A run that
    /// already ended (e.g. cancelled, or failed as orphaned) is left as it is and returned as is:
    /// the caller compares statuses to tell, and then owns the artifact files it meant to record.
    async fn finish_run(&self, id: Uuid, finish: RunFinish) -> StoreResult<Option<Run>> {
        if !finish.status.is_final() {
            return Err(StoreError::Backend(format!("cannot finish a run as `{}`", finish.status)));
        }
        let key = id.to_string();
        let now = Utc::now();
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE runs SET status = $2, stdout = $3, stderr = $4, ui = $5, error_summary = $6, \
             exit_code = $7, finished_at = $8, error_code = $9, error_params = $10 \
             WHERE id = $1 AND status IN ('queued', 'running')",
        )
        .bind(&key)
        .bind(finish.status.as_str())
        .bind(&finish.stdout)
        .bind(&finish.stderr)
        .bind(finish.ui.as_ref().map(Json))
        .bind(finish.error_summary.as_deref())
        .bind(finish.exit_code)
        .bind(now)
        .bind(finish.error.as_ref().map(|e| e.code.as_str()))
        .bind(finish.error.as_ref().map(|e| Json(&e.params)))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if done.rows_affected() == 1 {
            for a in &finish.artifacts {
                sqlx::query(
                    "INSERT INTO artifacts (id, run_id, name, stored_as, bytes, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(Uuid::now_v7().to_string())
                .bind(&key)
                .bind(&a.name)
                .bind(&a.stored_as)
                .bind(i64::try_from(a.bytes).unwrap_or(i64::MAX))
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(crate::conflict_or_backend("artifact"))?;
            }
        }
        let run = load(&mut tx, &key).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(run)
    }

    async fn run_by_id(&self, id: Uuid) -> StoreResult<Option<Run>> {
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        load(&mut conn, &id.to_string()).await
    }

    async fn list_runs(&self, query: &RunQuery, page: PageRequest) -> StoreResult<Page<RunSummary>> {
        let user = query.user_id.map(|id| id.to_string());
        let tool = query.tool_id.map(|id| id.to_string());
        let status = query.status.map(RunStatus::as_str);
        let context = query.context.map(RunContext::as_str);
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM runs r", run_filter!()))
            .bind(&user)
            .bind(&tool)
            .bind(status)
            .bind(context)
            .fetch_one(&mut *conn)
            .await
            .map_err(backend_error)?;
        let sql = concat!(
            "SELECT r.id, r.tool_id, t.slug AS tool_slug, t.title AS tool_title, r.version_id, \
             r.context, r.user_id, r.status, r.error_summary, r.error_code, r.error_params, \
             r.parent_run_id, r.created_at, r.finished_at FROM runs r JOIN tools t ON t.id = r.tool_id",
            run_filter!(),
            " ORDER BY r.created_at DESC, r.id DESC LIMIT $5 OFFSET $6"
        );
        let rows: Vec<SummaryRow> = sqlx::query_as(sql)
            .bind(&user)
            .bind(&tool)
            .bind(status)
            .bind(context)
            .bind(i64::from(page.limit))
            .bind(page.offset as i64)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend_error)?;
        Ok(Page {
            items: rows.into_iter().map(RunSummary::try_from).collect::<StoreResult<_>>()?,
            total: total as u64,
            limit: page.limit,
            offset: page.offset,
        })
    }

    /// A queued run is cancelled at once; a running one is flagged for its worker. The statements
    /// follow the lifecycle's direction, so a run that moves on meanwhile is still answered right.
    async fn request_cancel(&self, id: Uuid) -> StoreResult<CancelOutcome> {
        let key = id.to_string();
        let mut tx = self.write_tx().await?;
        let cancelled = sqlx::query(
            "UPDATE runs SET status = 'cancelled', cancel_requested = TRUE, finished_at = $2, \
             error_code = 'cancelled', error_params = '{}' WHERE id = $1 AND status = 'queued'",
        )
        .bind(&key)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        let outcome = if cancelled.rows_affected() == 1 {
            CancelOutcome::Cancelled
        } else {
            let requested = sqlx::query("UPDATE runs SET cancel_requested = TRUE WHERE id = $1 AND status = 'running'")
                .bind(&key)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
            if requested.rows_affected() == 1 {
                CancelOutcome::Requested
            } else {
                let status: Option<String> = sqlx::query_scalar("SELECT status FROM runs WHERE id = $1")
                    .bind(&key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                match status {
                    Some(status) => CancelOutcome::AlreadyFinal(parse_status(&status)?),
                    None => CancelOutcome::NotFound,
                }
            }
        };
        tx.commit().await.map_err(backend_error)?;
        Ok(outcome)
    }

    async fn cancel_requested(&self, id: Uuid) -> StoreResult<bool> {
        let flag: Option<bool> = sqlx::query_scalar("SELECT cancel_requested FROM runs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(flag.unwrap_or(false))
    }

    async fn fail_orphaned_runs(
        &self,
        instance: Option<&str>,
        stale_before: DateTime<Utc>,
        reason: &str,
        error: &RunError,
    ) -> StoreResult<Vec<Uuid>> {
        let ids: Vec<String> = match instance {
            Some(instance) => sqlx::query_scalar(
                "UPDATE runs SET status = 'failed', finished_at = $1, error_summary = $2, error_code = $4, \
                 error_params = $5 WHERE status = 'running' AND claimed_by = $3 RETURNING id",
            )
            .bind(Utc::now())
            .bind(reason)
            .bind(instance)
            .bind(error.code.as_str())
            .bind(Json(&error.params)),
            None => sqlx::query_scalar(
                "UPDATE runs SET status = 'failed', finished_at = $1, error_summary = $2, error_code = $4, \
                 error_params = $5 WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $3) \
                 RETURNING id",
            )
            .bind(Utc::now())
            .bind(reason)
            .bind(stale_before)
            .bind(error.code.as_str())
            .bind(Json(&error.params)),
        }
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        ids.iter().map(|id| parse_id(id)).collect()
    }

    async fn has_follow_up(&self, run: Uuid) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM runs WHERE parent_run_id = $1")
            .bind(run.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(n > 0)
    }

    async fn latest_run_with_files(&self, user: Uuid, tool: Uuid, since: DateTime<Utc>) -> StoreResult<Option<Run>> {
        // `files` is always written by serde_json, so an empty list is exactly `[]`.
        let sql = concat!(
            "SELECT ",
            run_columns!(),
            " FROM runs WHERE user_id = $1 AND tool_id = $2 AND created_at > $3 AND files <> '[]' \
             ORDER BY created_at DESC, id DESC LIMIT 1"
        );
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        let row: Option<RunRow> = sqlx::query_as(sql)
            .bind(user.to_string())
            .bind(tool.to_string())
            .bind(since)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend_error)?;
        match row {
            Some(row) => Ok(Some(with_artifacts(&mut conn, row).await?)),
            None => Ok(None),
        }
    }

    async fn artifact(&self, run: Uuid, artifact: Uuid) -> StoreResult<Option<Artifact>> {
        let sql = concat!("SELECT ", artifact_columns!(), " FROM artifacts WHERE id = $1 AND run_id = $2");
        let row: Option<ArtifactRow> = sqlx::query_as(sql)
            .bind(artifact.to_string())
            .bind(run.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(Artifact::try_from).transpose()
    }

    async fn prune_artifacts(&self, before: DateTime<Utc>) -> StoreResult<Vec<Artifact>> {
        let sql = concat!(
            "DELETE FROM artifacts WHERE run_id IN (SELECT id FROM runs WHERE finished_at < $1) \
             RETURNING ",
            artifact_columns!()
        );
        let rows: Vec<ArtifactRow> =
            sqlx::query_as(sql).bind(before).fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.into_iter().map(Artifact::try_from).collect()
    }

    async fn run_counts(&self) -> StoreResult<Vec<(String, String, u64)>> {
        let rows: Vec<CountRow> = sqlx::query_as(
            "SELECT context, status, COUNT(*) AS n FROM runs GROUP BY context, status \
             ORDER BY context, status",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.into_iter().map(CountRow::into_tuple).collect()
    }

    async fn claim_next_run(&self, instance: &str) -> StoreResult<Option<Run>> {
        self.claim_next(instance).await
    }
}

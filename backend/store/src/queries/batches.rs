//! Class mode: a batch and its item runs (`BatchStore`). Items are ordinary runs with a
//! `batch_id`; the queue's order (`queue_order!`) serves batches one item per round.
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::This;
use super::runs::{insert_run, queued_count};
use crate::backend_error;
use crate::rows::{ArtifactRow, BatchItemRow, BatchRow};
use async_trait::async_trait;
use chrono::Utc;
use skriptoteket_domain::batch::{Batch, BatchItem, NewBatch};
use skriptoteket_domain::run::{Artifact, NewRun};
use skriptoteket_domain::store::{BatchStore, StoreResult};
use uuid::Uuid;

macro_rules! batch_columns {
    () => {
        "id, tool_id, user_id, context, item_count, created_at"
    };
}

#[async_trait]
impl BatchStore for This {
    async fn enqueue_batch(&self, batch: NewBatch, runs: Vec<NewRun>, max_queue: u64) -> StoreResult<Option<Batch>> {
        let mut tx = self.queue_tx().await?;
        if queued_count(&mut tx).await? + runs.len() as u64 > max_queue {
            return Ok(None);
        }
        let sql = concat!(
            "INSERT INTO batches (",
            batch_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            batch_columns!()
        );
        let row: BatchRow = sqlx::query_as(sql)
            .bind(batch.id.to_string())
            .bind(batch.tool_id.to_string())
            .bind(batch.user_id.to_string())
            .bind(batch.context.as_str())
            .bind(runs.len() as i64)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(backend_error)?;
        for run in &runs {
            insert_run(&mut tx, run).await?;
        }
        tx.commit().await.map_err(backend_error)?;
        Batch::try_from(row).map(Some)
    }

    async fn batch_by_id(&self, id: Uuid) -> StoreResult<Option<Batch>> {
        let sql = concat!("SELECT ", batch_columns!(), " FROM batches WHERE id = $1");
        let row: Option<BatchRow> =
            sqlx::query_as(sql).bind(id.to_string()).fetch_optional(&self.pool).await.map_err(backend_error)?;
        row.map(Batch::try_from).transpose()
    }

    async fn batch_items(&self, batch: Uuid) -> StoreResult<Vec<BatchItem>> {
        // Item runs get time-ordered ids in upload order (UUIDv7), so the id orders them.
        let rows: Vec<BatchItemRow> = sqlx::query_as(
            "SELECT r.id, r.files, r.status, r.error_summary, r.error_code, r.error_params, \
             (SELECT COUNT(*) FROM artifacts a WHERE a.run_id = r.id) AS artifact_count, \
             r.created_at, r.started_at, r.finished_at FROM runs r WHERE r.batch_id = $1 ORDER BY r.id",
        )
        .bind(batch.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.into_iter().map(BatchItem::try_from).collect()
    }

    async fn batch_artifacts(&self, batch: Uuid) -> StoreResult<Vec<Artifact>> {
        let sql = concat!(
            "SELECT ",
            artifact_columns!(),
            " FROM artifacts WHERE run_id IN (SELECT id FROM runs WHERE batch_id = $1) ORDER BY run_id, name"
        );
        let rows: Vec<ArtifactRow> =
            sqlx::query_as(sql).bind(batch.to_string()).fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.into_iter().map(Artifact::try_from).collect()
    }
}


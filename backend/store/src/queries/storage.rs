//! What runs keep on disk: each user's share of it (uploads still kept plus artifacts still
//! kept) and what housekeeping may remove: `StorageStore`.
//!
//! A run's uploads live in the folder of the run that uploaded them (`files_from`); runs that
//! reuse them or follow up on it point at that folder too, so a folder is released only once no
//! run using it is queued, running or still reusable.
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::This;
use crate::backend_error;
use crate::rows::parse_id;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::run::FoldersInUse;
use skriptoteket_domain::store::{StorageStore, StoreResult};
use sqlx::types::Json;
use uuid::Uuid;

/// True for a run `k` whose upload folder some run still needs: one using it (`files_from`) is
/// queued or running, or was created after `$since` (so its files may be reused).
macro_rules! uploads_in_use {
    ($k:literal, $since:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM runs u WHERE u.files_from = ",
            $k,
            ".id AND (u.status IN ('queued', 'running') OR u.created_at > ",
            $since,
            "))"
        )
    };
}

#[derive(sqlx::FromRow)]
struct FolderRow {
    id: String,
    uploads_kept: bool,
    artifacts_needed: bool,
}

#[async_trait]
impl StorageStore for This {
    async fn storage_used(&self, user: Uuid) -> StoreResult<u64> {
        // SUM of BIGINT is NUMERIC on PostgreSQL: cast back so both dialects answer a BIGINT.
        let used: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE((SELECT SUM(upload_bytes) FROM runs WHERE user_id = $1), 0) \
             + COALESCE((SELECT SUM(a.bytes) FROM artifacts a JOIN runs r ON r.id = a.run_id \
             WHERE r.user_id = $1), 0) AS BIGINT)",
        )
        .bind(user.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(u64::try_from(used).unwrap_or(0))
    }

    async fn release_uploads(&self, reusable_since: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Uuid>> {
        let sql = concat!(
            "UPDATE runs SET upload_bytes = NULL WHERE id IN (SELECT k.id FROM runs k \
             WHERE k.upload_bytes IS NOT NULL AND NOT ",
            uploads_in_use!("k", "$1"),
            " ORDER BY k.created_at LIMIT $2) RETURNING id"
        );
        let ids: Vec<String> = sqlx::query_scalar(sql)
            .bind(reusable_since)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        ids.iter().map(|id| parse_id(id)).collect()
    }

    async fn prune_runs(
        &self,
        before: DateTime<Utc>,
        reusable_since: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Uuid>> {
        // Artifact rows go with their run (ON DELETE CASCADE); follow-ups keep their own row
        // and lose only the link (ON DELETE SET NULL).
        let sql = concat!(
            "DELETE FROM runs WHERE id IN (SELECT p.id FROM runs p \
             WHERE p.status IN ('succeeded', 'failed', 'timed_out', 'cancelled') \
             AND p.finished_at < $1 AND NOT ",
            uploads_in_use!("p", "$2"),
            " ORDER BY p.finished_at LIMIT $3) RETURNING id"
        );
        let ids: Vec<String> = sqlx::query_scalar(sql)
            .bind(before)
            .bind(reusable_since)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        // A class-mode batch goes with its last item.
        sqlx::query(
            "DELETE FROM batches WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.batch_id = batches.id)",
        )
        .bind(before)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        ids.iter().map(|id| parse_id(id)).collect()
    }

    async fn folders_in_use(&self, runs: &[Uuid]) -> StoreResult<FoldersInUse> {
        if runs.is_empty() {
            return Ok(FoldersInUse::default());
        }
        let ids: Vec<String> = runs.iter().map(Uuid::to_string).collect();
        let sql = concat!(
            "SELECT r.id, r.upload_bytes IS NOT NULL AS uploads_kept, \
             (r.status IN ('queued', 'running') OR EXISTS (SELECT 1 FROM artifacts a \
             WHERE a.run_id = r.id)) AS artifacts_needed FROM runs r \
             WHERE r.id IN (SELECT w.value FROM ",
            json_texts!("$1"),
            ")"
        );
        let rows: Vec<FolderRow> =
            sqlx::query_as(sql).bind(Json(&ids)).fetch_all(&self.pool).await.map_err(backend_error)?;
        let mut folders = FoldersInUse::default();
        for row in rows {
            let id = parse_id(&row.id)?;
            folders.known.insert(id);
            if row.uploads_kept {
                folders.uploads.insert(id);
            }
            if row.artifacts_needed {
                folders.artifacts.insert(id);
            }
        }
        Ok(folders)
    }
}

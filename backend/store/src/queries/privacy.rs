//! A person's data as a whole: what their export reads, what erasing their history deletes,
//! handing their tools over, and the audit of both (`PrivacyStore`).
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::This;
use super::tools::insert_maintainer;
use crate::backend_error;
use crate::rows::{ArtifactRow, PrivacyEventRow, RunRow, SettingsRecordRow, parse_id};
use async_trait::async_trait;
use chrono::Utc;
use skriptoteket_domain::privacy::{ErasedHistory, PrivacyEvent, SettingsRecord, ToolHandover};
use skriptoteket_domain::run::{Artifact, Run};
use skriptoteket_domain::store::{PrivacyStore, StoreResult};
use skriptoteket_domain::{Page, PageRequest};
use sqlx::types::Json;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct Totals {
    artifacts: i64,
    bytes: i64,
}

#[async_trait]
impl PrivacyStore for This {
    async fn runs_of_user(&self, user: Uuid) -> StoreResult<Vec<Run>> {
        let key = user.to_string();
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        let sql = concat!("SELECT ", run_columns!(), " FROM runs WHERE user_id = $1 ORDER BY created_at, id");
        let rows: Vec<RunRow> = sqlx::query_as(sql).bind(&key).fetch_all(&mut *conn).await.map_err(backend_error)?;
        let sql = concat!(
            "SELECT ",
            artifact_columns!(),
            " FROM artifacts WHERE run_id IN (SELECT id FROM runs WHERE user_id = $1) ORDER BY name"
        );
        let artifacts: Vec<ArtifactRow> =
            sqlx::query_as(sql).bind(&key).fetch_all(&mut *conn).await.map_err(backend_error)?;
        let mut by_run: HashMap<Uuid, Vec<Artifact>> = HashMap::new();
        for row in artifacts {
            let artifact = Artifact::try_from(row)?;
            by_run.entry(artifact.run_id).or_default().push(artifact);
        }
        rows.into_iter()
            .map(|row| {
                let mut run = Run::try_from(row)?;
                run.artifacts = by_run.remove(&run.id).unwrap_or_default();
                Ok(run)
            })
            .collect()
    }

    async fn settings_of_user(&self, user: Uuid) -> StoreResult<Vec<SettingsRecord>> {
        let rows: Vec<SettingsRecordRow> = sqlx::query_as(
            "SELECT s.tool_id, t.slug AS tool_slug, s.scope, s.setting_values, s.updated_at \
             FROM user_settings s JOIN tools t ON t.id = s.tool_id WHERE s.user_id = $1 ORDER BY t.slug, s.scope",
        )
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.into_iter().map(SettingsRecord::try_from).collect()
    }

    async fn favorites_of_user(&self, user: Uuid) -> StoreResult<Vec<String>> {
        sqlx::query_scalar(
            "SELECT t.slug FROM favorites f JOIN tools t ON t.id = f.tool_id WHERE f.user_id = $1 ORDER BY t.slug",
        )
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)
    }

    async fn erase_history(&self, user: Uuid) -> StoreResult<ErasedHistory> {
        let key = user.to_string();
        let mut tx = self.write_tx().await?;
        let totals: Totals = sqlx::query_as(
            "SELECT COUNT(*) AS artifacts, CAST(COALESCE(SUM(a.bytes), 0) + COALESCE((SELECT SUM(upload_bytes) \
             FROM runs WHERE user_id = $1), 0) AS BIGINT) AS bytes FROM artifacts a JOIN runs r ON r.id = a.run_id \
             WHERE r.user_id = $1",
        )
        .bind(&key)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend_error)?;
        let runs: Vec<String> = sqlx::query_scalar("DELETE FROM runs WHERE user_id = $1 RETURNING id")
            .bind(&key)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend_error)?;
        let mut deleted = [0u64; 4];
        for (n, sql) in [
            "DELETE FROM batches WHERE user_id = $1",
            "DELETE FROM user_settings WHERE user_id = $1",
            "DELETE FROM favorites WHERE user_id = $1",
            "DELETE FROM usage_seen WHERE user_id = $1",
        ]
        .into_iter()
        .enumerate()
        {
            deleted[n] = sqlx::query(sql).bind(&key).execute(&mut *tx).await.map_err(backend_error)?.rows_affected();
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(ErasedHistory {
            runs: runs.iter().map(|id| parse_id(id)).collect::<StoreResult<_>>()?,
            artifacts: u64::try_from(totals.artifacts).unwrap_or(0),
            bytes: u64::try_from(totals.bytes).unwrap_or(0),
            batches: deleted[0],
            settings: deleted[1],
            favorites: deleted[2],
        })
    }

    async fn hand_over_tools(&self, user: Uuid, admin: Uuid) -> StoreResult<ToolHandover> {
        let key = user.to_string();
        let now = Utc::now();
        let mut tx = self.write_tx().await?;
        let tools: Vec<String> = sqlx::query_scalar("DELETE FROM tool_maintainers WHERE user_id = $1 RETURNING tool_id")
            .bind(&key)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend_error)?;
        let mut handover = ToolHandover { tools: tools.len() as u64, to_admin: 0 };
        for tool in &tools {
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tool_maintainers WHERE tool_id = $1")
                .bind(tool)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend_error)?;
            if left == 0 {
                insert_maintainer(&mut tx, parse_id(tool)?, admin, now).await?;
                handover.to_admin += 1;
            }
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(handover)
    }

    async fn anonymize_user(&self, user: Uuid) -> StoreResult<()> {
        let now = Utc::now();
        sqlx::query(
            "UPDATE users SET email = $2, display_name = 'Raderad användare', password_hash = '!', \
             disabled = TRUE, failed_logins = 0, locked_until = NULL, sessions_valid_after = $3, updated_at = $3 \
             WHERE id = $1",
        )
        .bind(user.to_string())
        .bind(format!("erased-{user}@invalid"))
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn record_privacy_event(&self, event: PrivacyEvent) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO privacy_events (id, action, actor_id, subject_id, summary, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(event.id.to_string())
        .bind(event.action.as_str())
        .bind(event.actor_id.map(|id| id.to_string()))
        .bind(event.subject_id.to_string())
        .bind(Json(&event.summary))
        .bind(event.created_at)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn privacy_events(&self, subject: Option<Uuid>, page: PageRequest) -> StoreResult<Page<PrivacyEvent>> {
        let subject = subject.map(|id| id.to_string());
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM privacy_events WHERE ($1 IS NULL OR subject_id = $1)")
            .bind(&subject)
            .fetch_one(&self.pool)
            .await
            .map_err(backend_error)?;
        let rows: Vec<PrivacyEventRow> = sqlx::query_as(
            "SELECT id, action, actor_id, subject_id, summary, created_at FROM privacy_events \
             WHERE ($1 IS NULL OR subject_id = $1) ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        )
        .bind(&subject)
        .bind(i64::from(page.limit))
        .bind(page.offset as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(Page {
            items: rows.into_iter().map(PrivacyEvent::try_from).collect::<StoreResult<_>>()?,
            total: total as u64,
            limit: page.limit,
            offset: page.offset,
        })
    }
}

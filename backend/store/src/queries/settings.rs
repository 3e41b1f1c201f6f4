//! Per-user memory of a tool: settings (one row per scope) and which usage instructions were
//! seen: `SettingsStore`.
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::This;
use crate::backend_error;
use crate::rows::SettingsRow;
use async_trait::async_trait;
use chrono::Utc;
use skriptoteket_domain::run::{SettingsScope, StoredSettings};
use skriptoteket_domain::store::{SettingsStore, StoreResult};
use sqlx::types::Json;
use uuid::Uuid;

#[async_trait]
impl SettingsStore for This {
    async fn settings(&self, user: Uuid, tool: Uuid, scope: &SettingsScope) -> StoreResult<Option<StoredSettings>> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT fingerprint, setting_values, updated_at FROM user_settings \
             WHERE user_id = $1 AND tool_id = $2 AND scope = $3",
        )
        .bind(user.to_string())
        .bind(tool.to_string())
        .bind(scope.key())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(row.map(StoredSettings::from))
    }

    /// Upserts in one statement, so concurrent saves end with one of them whole.
    async fn put_settings(
        &self,
        user: Uuid,
        tool: Uuid,
        scope: &SettingsScope,
        fingerprint: &str,
        values: &serde_json::Map<String, serde_json::Value>,
    ) -> StoreResult<StoredSettings> {
        let row: SettingsRow = sqlx::query_as(
            "INSERT INTO user_settings (user_id, tool_id, scope, fingerprint, setting_values, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (user_id, tool_id, scope) DO UPDATE SET fingerprint = excluded.fingerprint, \
             setting_values = excluded.setting_values, updated_at = excluded.updated_at \
             RETURNING fingerprint, setting_values, updated_at",
        )
        .bind(user.to_string())
        .bind(tool.to_string())
        .bind(scope.key())
        .bind(fingerprint)
        .bind(Json(values))
        .bind(Utc::now())
        .fetch_one(&self.pool)
        .await
        .map_err(crate::reference_or_backend("tool"))?;
        Ok(row.into())
    }

    async fn usage_seen(&self, user: Uuid, tool: Uuid) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT hash FROM usage_seen WHERE user_id = $1 AND tool_id = $2")
            .bind(user.to_string())
            .bind(tool.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)
    }

    async fn mark_usage_seen(&self, user: Uuid, tool: Uuid, hash: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO usage_seen (user_id, tool_id, hash, seen_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, tool_id) DO UPDATE SET hash = excluded.hash, seen_at = excluded.seen_at",
        )
        .bind(user.to_string())
        .bind(tool.to_string())
        .bind(hash)
        .bind(Utc::now())
        .execute(&self.pool)
        .await
        .map_err(crate::reference_or_backend("tool"))?;
        Ok(())
    }
}

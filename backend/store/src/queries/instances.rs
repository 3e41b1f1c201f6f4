//! The server processes sharing the database and their liveness: `InstanceStore`.
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types (docs/adr/0002).

use super::This;
use crate::backend_error;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::store::{InstanceStore, StoreResult};

#[async_trait]
impl InstanceStore for This {
    async fn heartbeat_instance(&self, instance: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO instances (name, started_at, heartbeat_at) VALUES ($1, $2, $2) \
             ON CONFLICT (name) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        )
        .bind(instance)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn dead_instances(&self, stale_before: DateTime<Utc>) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT name FROM instances WHERE heartbeat_at < $1 ORDER BY name")
            .bind(stale_before)
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)
    }

    async fn forget_instance(&self, instance: &str, stale_before: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM instances WHERE name = $1 AND heartbeat_at < $2")
            .bind(instance)
            .bind(stale_before)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(done.rows_affected() > 0)
    }
}

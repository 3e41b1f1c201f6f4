//! Attempt counters per key and window (sign-in throttling across servers): `ThrottleStore`.
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types (docs/adr/0002).

use super::This;
use crate::backend_error;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::store::{StoreResult, ThrottleStore};

#[async_trait]
impl ThrottleStore for This {
    /// One statement, so the row lock (PostgreSQL) or the write lock (SQLite) orders concurrent
    /// attempts; the `SET` expressions all see the old row, so both start the window over alike.
    async fn count_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> StoreResult<(DateTime<Utc>, u32)> {
        let (start, attempts): (DateTime<Utc>, i32) = sqlx::query_as(
            "INSERT INTO login_attempts (key, window_start, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END, \
             attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.attempts + 1 END \
             RETURNING window_start, attempts",
        )
        .bind(key)
        .bind(now)
        .bind(now - window)
        .fetch_one(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok((start, attempts.max(0) as u32))
    }

    async fn clear_attempts(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_attempts WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn prune_attempts(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM login_attempts WHERE window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(done.rows_affected())
    }
}

//! Favourite tools ("stars") per user, and what the tool page shows of my use of a tool:
//! `FavoriteStore`. The catalog's own marks and ordering are in `tools.rs` (`catalog_from!`).
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::This;
use crate::backend_error;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::store::{FavoriteStore, StoreResult};
use skriptoteket_domain::tool::ToolMarks;
use uuid::Uuid;

#[async_trait]
impl FavoriteStore for This {
    async fn set_favorite(&self, user: Uuid, tool: Uuid, favorite: bool) -> StoreResult<()> {
        let query = if favorite {
            sqlx::query(
                "INSERT INTO favorites (user_id, tool_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, tool_id) DO NOTHING",
            )
            .bind(user.to_string())
            .bind(tool.to_string())
            .bind(Utc::now())
        } else {
            sqlx::query("DELETE FROM favorites WHERE user_id = $1 AND tool_id = $2")
                .bind(user.to_string())
                .bind(tool.to_string())
        };
        query.execute(&self.pool).await.map_err(crate::reference_or_backend("tool"))?;
        Ok(())
    }

    async fn tool_marks(&self, user: Uuid, tool: Uuid) -> StoreResult<ToolMarks> {
        let (favorite, last_run_at): (bool, Option<DateTime<Utc>>) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM favorites WHERE user_id = $1 AND tool_id = $2), \
             (SELECT MAX(created_at) FROM runs WHERE user_id = $1 AND tool_id = $2 AND context = 'production')",
        )
        .bind(user.to_string())
        .bind(tool.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(ToolMarks { favorite, last_run_at })
    }
}

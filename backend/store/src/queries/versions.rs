//! Tool versions and their lifecycle: `VersionStore`.
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::{Conn, This};
use crate::backend_error;
use crate::rows::{EventRow, VersionRow};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::store::{StoreError, StoreResult, VersionStore};
use skriptoteket_domain::tool::{ToolVersion, VersionContent, VersionEvent, VersionState};
use sqlx::types::Json;
use uuid::Uuid;

/// Inserts version `max + 1` of `tool` in `state` and records its creation (from no state).
#[expect(clippy::too_many_arguments, reason = "one insert's worth of columns")]
pub(super) async fn insert(
    conn: &mut Conn,
    tool: Uuid,
    author: Uuid,
    content: &VersionContent,
    derived_from: Option<Uuid>,
    state: VersionState,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<ToolVersion> {
    let sql = concat!(
        "INSERT INTO tool_versions (id, tool_id, number, state, source, entrypoint, input_schema, \
         settings_schema, change_summary, author_id, revision, derived_from, created_at, \
         updated_at, usage_instructions) VALUES ($1, $2, \
         (SELECT COALESCE(MAX(number), 0) + 1 FROM tool_versions WHERE tool_id = $2), \
         $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11, $12) RETURNING ",
        version_columns!()
    );
    let row: VersionRow = sqlx::query_as(sql)
        .bind(Uuid::now_v7().to_string())
        .bind(tool.to_string())
        .bind(state.as_str())
        .bind(&content.source)
        .bind(&content.entrypoint)
        .bind(content.input_schema.as_ref().map(Json))
        .bind(content.settings_schema.as_ref().map(Json))
        .bind(&content.change_summary)
        .bind(author.to_string())
        .bind(derived_from.map(|id| id.to_string()))
        .bind(now)
        .bind(&content.usage_instructions)
        .fetch_one(&mut *conn)
        .await
        .map_err(crate::reference_or_backend("user"))?;
    let version = ToolVersion::try_from(row)?;
    record(conn, &version, author, None, message, now).await?;
    Ok(version)
}

/// Records that `version` (already in its new state) came from `from`.
async fn record(
    conn: &mut Conn,
    version: &ToolVersion,
    actor: Uuid,
    from: Option<VersionState>,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO version_events (id, tool_id, version_id, actor_id, from_state, to_state, \
         message, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(version.tool_id.to_string())
    .bind(version.id.to_string())
    .bind(actor.to_string())
    .bind(from.map(VersionState::as_str))
    .bind(version.state.as_str())
    .bind(message)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(crate::reference_or_backend("user"))?;
    Ok(())
}

/// Locks the tool of version `id` and reads the version afresh (after the lock).
async fn lock_version(conn: &mut Conn, id: Uuid) -> StoreResult<Option<ToolVersion>> {
    let key = id.to_string();
    let tool: Option<String> = sqlx::query_scalar("SELECT tool_id FROM tool_versions WHERE id = $1")
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend_error)?;
    let Some(tool) = tool else { return Ok(None) };
    super::tools::lock(conn, &tool).await?;
    load(conn, id).await
}

async fn load(conn: &mut Conn, id: Uuid) -> StoreResult<Option<ToolVersion>> {
    let sql = concat!("SELECT ", version_columns!(), " FROM tool_versions WHERE id = $1");
    let row: Option<VersionRow> =
        sqlx::query_as(sql).bind(id.to_string()).fetch_optional(&mut *conn).await.map_err(backend_error)?;
    row.map(ToolVersion::try_from).transpose()
}

/// Archives the tool's active version, if any, recording the change.
async fn archive_active(conn: &mut Conn, tool: Uuid, actor: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    let sql = concat!(
        "UPDATE tool_versions SET state = 'archived', updated_at = $2 \
         WHERE tool_id = $1 AND state = 'active' RETURNING ",
        version_columns!()
    );
    let rows: Vec<VersionRow> =
        sqlx::query_as(sql).bind(tool.to_string()).bind(now).fetch_all(&mut *conn).await.map_err(backend_error)?;
    for row in rows {
        let archived = ToolVersion::try_from(row)?;
        record(conn, &archived, actor, Some(VersionState::Active), None, now).await?;
    }
    Ok(())
}

/// Points the tool at its active version (or at none).
async fn set_active(conn: &mut Conn, tool: Uuid, version: Option<Uuid>, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("UPDATE tools SET active_version_id = $2, updated_at = $3 WHERE id = $1")
        .bind(tool.to_string())
        .bind(version.map(|v| v.to_string()))
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    Ok(())
}

#[async_trait]
impl VersionStore for This {
    async fn create_version(
        &self,
        tool: Uuid,
        author: Uuid,
        content: VersionContent,
        derived_from: Option<Uuid>,
    ) -> StoreResult<ToolVersion> {
        let mut tx = self.write_tx().await?;
        if !super::tools::lock(&mut tx, &tool.to_string()).await? {
            return Err(StoreError::UnknownReference("tool"));
        }
        if let Some(from) = derived_from {
            let same_tool: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM tool_versions WHERE id = $1 AND tool_id = $2")
                    .bind(from.to_string())
                    .bind(tool.to_string())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend_error)?;
            if same_tool == 0 {
                return Err(StoreError::UnknownReference("version"));
            }
        }
        let now = Utc::now();
        let version = insert(&mut tx, tool, author, &content, derived_from, VersionState::Draft, None, now).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(version)
    }

    async fn version_by_id(&self, id: Uuid) -> StoreResult<Option<ToolVersion>> {
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        load(&mut conn, id).await
    }

    async fn versions_of_tool(&self, tool: Uuid) -> StoreResult<Vec<ToolVersion>> {
        let sql = concat!("SELECT ", version_columns!(), " FROM tool_versions WHERE tool_id = $1 ORDER BY number DESC");
        let rows: Vec<VersionRow> =
            sqlx::query_as(sql).bind(tool.to_string()).fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.into_iter().map(ToolVersion::try_from).collect()
    }

    async fn versions_in_state(&self, state: VersionState) -> StoreResult<Vec<ToolVersion>> {
        let sql =
            concat!("SELECT ", version_columns!(), " FROM tool_versions WHERE state = $1 ORDER BY updated_at, id");
        let rows: Vec<VersionRow> =
            sqlx::query_as(sql).bind(state.as_str()).fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.into_iter().map(ToolVersion::try_from).collect()
    }

    /// One conditional statement: the revision check and the write cannot be torn apart.
    async fn save_draft(
        &self,
        id: Uuid,
        expected_revision: i32,
        content: VersionContent,
        author: Uuid,
    ) -> StoreResult<Option<ToolVersion>> {
        let sql = concat!(
            "UPDATE tool_versions SET source = $3, entrypoint = $4, input_schema = $5, \
             settings_schema = $6, change_summary = $7, author_id = $8, revision = revision + 1, \
             updated_at = $9, usage_instructions = $10 WHERE id = $1 AND state = 'draft' AND revision = $2 RETURNING ",
            version_columns!()
        );
        let row: Option<VersionRow> = sqlx::query_as(sql)
            .bind(id.to_string())
            .bind(expected_revision)
            .bind(&content.source)
            .bind(&content.entrypoint)
            .bind(content.input_schema.as_ref().map(Json))
            .bind(content.settings_schema.as_ref().map(Json))
            .bind(&content.change_summary)
            .bind(author.to_string())
            .bind(Utc::now())
            .bind(&content.usage_instructions)
            .fetch_optional(&self.pool)
            .await
            .map_err(crate::reference_or_backend("user"))?;
        row.map(ToolVersion::try_from).transpose()
    }

    /// Moves a version from `from` to `to`. Becoming active archives the previous active version
    /// and points the tool at this one; leaving `active` unpoints the tool.
    async fn transition_version(
        &self,
        id: Uuid,
        from: VersionState,
        to: VersionState,
        actor: Uuid,
        message: Option<String>,
    ) -> StoreResult<Option<ToolVersion>> {
        let mut tx = self.write_tx().await?;
        let current = match lock_version(&mut tx, id).await? {
            Some(v) if v.state == from => v,
            _ => return Ok(None),
        };
        let now = Utc::now();
        if to == VersionState::Active {
            archive_active(&mut tx, current.tool_id, actor, now).await?;
        }
        let sql = concat!(
            "UPDATE tool_versions SET state = $2, review_message = COALESCE($3, review_message), \
             updated_at = $4 WHERE id = $1 RETURNING ",
            version_columns!()
        );
        let review_message = message.as_deref().filter(|_| to == VersionState::Draft);
        let row: VersionRow = sqlx::query_as(sql)
            .bind(id.to_string())
            .bind(to.as_str())
            .bind(review_message)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend_error)?;
        let version = ToolVersion::try_from(row)?;
        if to == VersionState::Active {
            set_active(&mut tx, version.tool_id, Some(version.id), now).await?;
        } else if from == VersionState::Active {
            set_active(&mut tx, version.tool_id, None, now).await?;
        }
        record(&mut tx, &version, actor, Some(from), message.as_deref(), now).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(Some(version))
    }

    /// Copies an archived version into a new active version, archiving the current one.
    async fn rollback_to(
        &self,
        archived: Uuid,
        actor: Uuid,
        message: Option<String>,
    ) -> StoreResult<Option<ToolVersion>> {
        let mut tx = self.write_tx().await?;
        let source = match lock_version(&mut tx, archived).await? {
            Some(v) if v.state == VersionState::Archived => v,
            _ => return Ok(None),
        };
        let now = Utc::now();
        archive_active(&mut tx, source.tool_id, actor, now).await?;
        let version = insert(
            &mut tx,
            source.tool_id,
            actor,
            &VersionContent::of(&source),
            Some(source.id),
            VersionState::Active,
            message.as_deref(),
            now,
        )
        .await?;
        set_active(&mut tx, version.tool_id, Some(version.id), now).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(Some(version))
    }

    async fn version_events(&self, tool: Uuid) -> StoreResult<Vec<VersionEvent>> {
        let sql = concat!(
            "SELECT ",
            event_columns!(),
            " FROM version_events WHERE tool_id = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<EventRow> =
            sqlx::query_as(sql).bind(tool.to_string()).fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.into_iter().map(VersionEvent::try_from).collect()
    }

    async fn versions_of_tools(&self, tools: &[Uuid]) -> StoreResult<Vec<ToolVersion>> {
        if tools.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = tools.iter().map(Uuid::to_string).collect();
        let sql = concat!(
            "SELECT ",
            version_columns!(),
            " FROM tool_versions WHERE tool_id IN (SELECT w.value FROM ",
            json_texts!("$1"),
            ") ORDER BY tool_id, number DESC"
        );
        let rows: Vec<VersionRow> =
            sqlx::query_as(sql).bind(Json(&ids)).fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.into_iter().map(ToolVersion::try_from).collect()
    }

    async fn publish_version(
        &self,
        id: Uuid,
        actor: Uuid,
        message: Option<String>,
    ) -> StoreResult<Option<ToolVersion>> {
        self.transition_version(id, VersionState::InReview, VersionState::Active, actor, message).await
    }
}

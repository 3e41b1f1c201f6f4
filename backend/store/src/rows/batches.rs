//! Rows of class-mode batches and their items.

use super::parse_id;
use super::runs::{parse_context, parse_status, run_error, unsigned};
use chrono::{DateTime, Utc};
use skriptoteket_domain::StoreError;
use skriptoteket_domain::batch::{Batch, BatchItem};
use skriptoteket_domain::run::RunFile;
use skriptoteket_domain::run_error::ErrorParams;
use sqlx::types::Json;

#[derive(sqlx::FromRow)]
pub(crate) struct BatchRow {
    id: String,
    tool_id: String,
    user_id: String,
    context: String,
    item_count: i64,
    created_at: DateTime<Utc>,
}

impl TryFrom<BatchRow> for Batch {
    type Error = StoreError;

    fn try_from(r: BatchRow) -> Result<Self, Self::Error> {
        Ok(Batch {
            id: parse_id(&r.id)?,
            tool_id: parse_id(&r.tool_id)?,
            user_id: parse_id(&r.user_id)?,
            context: parse_context(&r.context)?,
            item_count: u32::try_from(unsigned(r.item_count, "item count")?)
                .map_err(|_| StoreError::Backend("item count too large".into()))?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct BatchItemRow {
    id: String,
    files: Json<Vec<RunFile>>,
    status: String,
    error_summary: Option<String>,
    error_code: Option<String>,
    error_params: Option<Json<ErrorParams>>,
    artifact_count: i64,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<BatchItemRow> for BatchItem {
    type Error = StoreError;

    fn try_from(r: BatchItemRow) -> Result<Self, Self::Error> {
        Ok(BatchItem {
            run_id: parse_id(&r.id)?,
            file: r.files.0.into_iter().next(),
            status: parse_status(&r.status)?,
            error_summary: r.error_summary,
            error: run_error(r.error_code, r.error_params)?,
            artifact_count: u32::try_from(r.artifact_count).unwrap_or(u32::MAX),
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

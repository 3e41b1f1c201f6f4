//! Rows of a person's stored settings (for their export) and of the privacy audit.

use super::parse_id;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use skriptoteket_domain::StoreError;
use skriptoteket_domain::privacy::{PrivacyEvent, SettingsRecord};
use sqlx::types::Json;

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRecordRow {
    tool_id: String,
    tool_slug: String,
    scope: String,
    setting_values: Json<Map<String, Value>>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<SettingsRecordRow> for SettingsRecord {
    type Error = StoreError;

    fn try_from(r: SettingsRecordRow) -> Result<Self, Self::Error> {
        Ok(SettingsRecord {
            tool_id: parse_id(&r.tool_id)?,
            tool_slug: r.tool_slug,
            scope: r.scope,
            values: r.setting_values.0,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PrivacyEventRow {
    id: String,
    action: String,
    actor_id: Option<String>,
    subject_id: String,
    summary: Json<Value>,
    created_at: DateTime<Utc>,
}

impl TryFrom<PrivacyEventRow> for PrivacyEvent {
    type Error = StoreError;

    fn try_from(r: PrivacyEventRow) -> Result<Self, Self::Error> {
        Ok(PrivacyEvent {
            id: parse_id(&r.id)?,
            action: r.action.parse().map_err(StoreError::Backend)?,
            actor_id: r.actor_id.as_deref().map(parse_id).transpose()?,
            subject_id: parse_id(&r.subject_id)?,
            summary: r.summary.0,
            created_at: r.created_at,
        })
    }
}

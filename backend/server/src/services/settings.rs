//! Per-user tool settings ("memory", SPEC §3): validated against the settings schema,
//! versioned by its fingerprint, and handed to every run as `memory.json`.

use crate::error::{ApiError, ApiResult};
use crate::services::versions::issues_to_error;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use skriptoteket_domain::Store;
use skriptoteket_domain::run::SettingsScope;
use skriptoteket_domain::schema::SettingsSchema;
use uuid::Uuid;

pub struct SettingsView {
    pub values: Map<String, Value>,
    /// True when the values were saved under an earlier schema (only still-valid ones are kept).
    pub schema_changed: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn get(
    store: &dyn Store,
    user: Uuid,
    tool: Uuid,
    schema: Option<&SettingsSchema>,
    scope: &SettingsScope,
) -> ApiResult<SettingsView> {
    let stored = store.settings(user, tool, scope).await?;
    let Some(stored) = stored else {
        return Ok(SettingsView { values: Map::new(), schema_changed: false, updated_at: None });
    };
    let Some(schema) = schema else {
        return Ok(SettingsView { values: Map::new(), schema_changed: true, updated_at: Some(stored.updated_at) });
    };
    let changed = stored.fingerprint != schema.fingerprint();
    let values = if changed { schema.retain_valid(&stored.values) } else { stored.values };
    Ok(SettingsView { values, schema_changed: changed, updated_at: Some(stored.updated_at) })
}

pub async fn put(
    store: &dyn Store,
    user: Uuid,
    tool: Uuid,
    schema: Option<&SettingsSchema>,
    scope: &SettingsScope,
    values: &Value,
) -> ApiResult<SettingsView> {
    let schema = schema.ok_or_else(|| ApiError::conflict("no_settings", "This tool has no settings."))?;
    let clean = schema.validate(values).map_err(issues_to_error)?;
    let stored = store.put_settings(user, tool, scope, &schema.fingerprint(), &clean).await?;
    Ok(SettingsView { values: stored.values, schema_changed: false, updated_at: Some(stored.updated_at) })
}

/// The settings a run gets: the saved values that fit the current schema.
pub async fn effective(
    store: &dyn Store,
    user: Uuid,
    tool: Uuid,
    schema: Option<&SettingsSchema>,
    scope: &SettingsScope,
) -> ApiResult<Value> {
    Ok(Value::Object(get(store, user, tool, schema, scope).await?.values))
}

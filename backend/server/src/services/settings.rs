//! Per-user tool settings ("memory", SPEC §3): validated against the settings schema,
//! versioned by its fingerprint, and handed to every run as `memory.json`. Production settings
//! belong to a published tool; sandbox settings to one version, for those who may edit it.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::{catalog, versions};
use crate::state::AppState;
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

/// Whose settings: mine for a published tool (by slug), or my sandbox settings of a version.
pub enum SettingsTarget<'a> {
    Tool(&'a str),
    Version(Uuid),
}

/// The settings and the schema they are for.
pub struct SettingsPage {
    pub view: SettingsView,
    pub schema: Option<SettingsSchema>,
}

/// Resolves the target to (tool id, schema, scope), checking who may see it.
async fn resolve(
    state: &AppState,
    user: &CurrentUser,
    target: SettingsTarget<'_>,
) -> ApiResult<(Uuid, Option<SettingsSchema>, SettingsScope)> {
    match target {
        SettingsTarget::Tool(slug) => {
            let (tool, version) = catalog::published(state.store.as_ref(), slug).await?;
            Ok((tool.id, version.settings_schema, SettingsScope::Production))
        }
        SettingsTarget::Version(id) => {
            let (tool, version) = versions::load_editable(state.store.as_ref(), user, id).await?;
            Ok((tool.id, version.settings_schema, SettingsScope::Sandbox(id)))
        }
    }
}

pub async fn get(state: &AppState, user: &CurrentUser, target: SettingsTarget<'_>) -> ApiResult<SettingsPage> {
    let (tool, schema, scope) = resolve(state, user, target).await?;
    let view = read(state.store.as_ref(), user.user.id, tool, schema.as_ref(), &scope).await?;
    Ok(SettingsPage { view, schema })
}

pub async fn put(
    state: &AppState,
    user: &CurrentUser,
    target: SettingsTarget<'_>,
    values: &Value,
) -> ApiResult<SettingsPage> {
    let (tool, schema, scope) = resolve(state, user, target).await?;
    let fitting = schema.as_ref().ok_or_else(|| ApiError::conflict("no_settings", "This tool has no settings."))?;
    let clean = fitting.validate(values).map_err(ApiError::from_issues)?;
    let stored = state.store.put_settings(user.user.id, tool, &scope, &fitting.fingerprint(), &clean).await?;
    let view = SettingsView { values: stored.values, schema_changed: false, updated_at: Some(stored.updated_at) };
    Ok(SettingsPage { view, schema })
}

async fn read(
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

/// The settings a run gets: the saved values that fit the current schema.
pub(crate) async fn effective(
    store: &dyn Store,
    user: Uuid,
    tool: Uuid,
    schema: Option<&SettingsSchema>,
    scope: &SettingsScope,
) -> ApiResult<Value> {
    Ok(Value::Object(read(store, user, tool, schema, scope).await?.values))
}

//! The version lifecycle (SPEC §2): drafts with optimistic concurrency, review, publishing,
//! requested changes and rollback, each with its role rule and a clear 409 for wrong states.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::services::tools;
use skriptoteket_domain::contract::FieldIssue;
use skriptoteket_domain::schema::{InputSchema, SettingsSchema};
use skriptoteket_domain::tool::{Tool, ToolVersion, VersionContent, VersionState};
use skriptoteket_domain::{Role, Store};
use uuid::Uuid;

pub const MAX_SOURCE_BYTES: usize = 256 * 1024;

/// A version and its tool, for a user who may edit the tool.
pub async fn load_editable(store: &dyn Store, user: &CurrentUser, id: Uuid) -> ApiResult<(Tool, ToolVersion)> {
    let version = store.version_by_id(id).await?.ok_or_else(|| ApiError::not_found("The version"))?;
    let tool = tools::load_editable(store, user, version.tool_id).await?;
    Ok((tool, version))
}

/// Where a new draft starts from.
pub enum DraftOrigin {
    Active,
    Scratch,
    Version(Uuid),
}

pub async fn create_draft(
    store: &dyn Store,
    user: &CurrentUser,
    tool_id: Uuid,
    origin: DraftOrigin,
) -> ApiResult<ToolVersion> {
    let tool = tools::load_editable(store, user, tool_id).await?;
    let (content, derived_from) = match origin {
        DraftOrigin::Scratch => (VersionContent::starter(), None),
        DraftOrigin::Active => match tool.active_version_id {
            Some(active) => {
                let version =
                    store.version_by_id(active).await?.ok_or_else(|| ApiError::not_found("The active version"))?;
                (VersionContent::of(&version), Some(active))
            }
            None => (VersionContent::starter(), None),
        },
        DraftOrigin::Version(id) => {
            let version = store
                .version_by_id(id)
                .await?
                .filter(|v| v.tool_id == tool_id)
                .ok_or_else(|| ApiError::not_found("The version"))?;
            (VersionContent::of(&version), Some(id))
        }
    };
    let mut content = content;
    content.change_summary = String::new();
    Ok(store.create_version(tool_id, user.user.id, content, derived_from).await?)
}

/// Checks editor content; every problem is reported with its field path.
pub fn check_content(content: &VersionContent) -> ApiResult<()> {
    let mut issues: Vec<FieldIssue> = Vec::new();
    if content.source.len() > MAX_SOURCE_BYTES {
        issues.push(FieldIssue {
            field: "source".into(),
            message: format!("must be at most {} KiB", MAX_SOURCE_BYTES / 1024),
        });
    }
    let entry_ok = !content.entrypoint.is_empty()
        && content.entrypoint.len() <= 64
        && content.entrypoint.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !content.entrypoint.as_bytes()[0].is_ascii_digit();
    if !entry_ok {
        issues.push(FieldIssue { field: "entrypoint".into(), message: "must be a Python function name".into() });
    }
    if content.change_summary.len() > 2000 {
        issues.push(FieldIssue { field: "change_summary".into(), message: "must be at most 2000 characters".into() });
    }
    if let Some(schema) = &content.input_schema {
        issues.extend(schema.check("input_schema"));
    }
    if let Some(schema) = &content.settings_schema {
        issues.extend(schema.check("settings_schema"));
    }
    if issues.is_empty() { Ok(()) } else { Err(issues_to_error(issues)) }
}

pub fn issues_to_error(issues: Vec<FieldIssue>) -> ApiError {
    ApiError::Validation(issues.into_iter().map(|i| FieldError { field: i.field, message: i.message }).collect())
}

/// Parses a schema given as JSON, pointing errors at `field`.
pub fn parse_input_schema(value: Option<serde_json::Value>) -> ApiResult<Option<InputSchema>> {
    parse_schema(value, "input_schema")
}

pub fn parse_settings_schema(value: Option<serde_json::Value>) -> ApiResult<Option<SettingsSchema>> {
    parse_schema(value, "settings_schema")
}

fn parse_schema<T: serde::de::DeserializeOwned>(value: Option<serde_json::Value>, field: &str) -> ApiResult<Option<T>> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v).map(Some).map_err(|e| ApiError::field(field, e.to_string())),
    }
}

pub async fn save_draft(
    store: &dyn Store,
    user: &CurrentUser,
    id: Uuid,
    expected_revision: i32,
    content: VersionContent,
) -> ApiResult<ToolVersion> {
    let (_, version) = load_editable(store, user, id).await?;
    check_content(&content)?;
    if version.state != VersionState::Draft {
        return Err(wrong_state(&version, "saved", "Only drafts can be edited; create a new draft from this version."));
    }
    match store.save_draft(id, expected_revision, content, user.user.id).await? {
        Some(saved) => Ok(saved),
        None => {
            let current = store.version_by_id(id).await?.ok_or_else(|| ApiError::not_found("The version"))?;
            if current.state != VersionState::Draft {
                return Err(wrong_state(&current, "saved", "The draft was submitted or changed state meanwhile."));
            }
            Err(ApiError::PreconditionFailed(format!(
                "Someone saved this draft meanwhile (revision {} is current, you edited {}). Reload it and apply your changes again.",
                current.revision, expected_revision
            )))
        }
    }
}

fn wrong_state(version: &ToolVersion, action: &str, hint: &str) -> ApiError {
    ApiError::conflict(
        "wrong_state",
        format!("Version {} is {} and cannot be {action}. {hint}", version.number, version.state),
    )
}

pub async fn submit_review(
    store: &dyn Store,
    user: &CurrentUser,
    id: Uuid,
    message: Option<String>,
) -> ApiResult<ToolVersion> {
    let (_, version) = load_editable(store, user, id).await?;
    store
        .transition_version(id, VersionState::Draft, VersionState::InReview, user.user.id, message)
        .await?
        .ok_or_else(|| wrong_state(&version, "submitted for review", "Only drafts can be submitted."))
}

pub async fn publish(
    store: &dyn Store,
    user: &CurrentUser,
    id: Uuid,
    message: Option<String>,
) -> ApiResult<ToolVersion> {
    user.require(Role::Admin)?;
    let (tool, version) = load_editable(store, user, id).await?;
    if version.state != VersionState::InReview {
        return Err(wrong_state(&version, "published", "Only versions in review can be published."));
    }
    if let Some(blocker) = tool.publish_blocker() {
        return Err(ApiError::conflict("not_publishable", blocker));
    }
    store
        .publish_version(id, user.user.id, message)
        .await?
        .ok_or_else(|| wrong_state(&version, "published", "Only versions in review can be published."))
}

pub async fn request_changes(
    store: &dyn Store,
    user: &CurrentUser,
    id: Uuid,
    message: String,
) -> ApiResult<ToolVersion> {
    user.require(Role::Admin)?;
    let (_, version) = load_editable(store, user, id).await?;
    if message.trim().is_empty() {
        return Err(ApiError::field("message", "say what should change"));
    }
    store
        .transition_version(id, VersionState::InReview, VersionState::Draft, user.user.id, Some(message))
        .await?
        .ok_or_else(|| wrong_state(&version, "sent back", "Only versions in review can be sent back."))
}

pub async fn rollback(
    store: &dyn Store,
    user: &CurrentUser,
    id: Uuid,
    message: Option<String>,
) -> ApiResult<ToolVersion> {
    user.require(Role::Admin)?;
    let (_, version) = load_editable(store, user, id).await?;
    store
        .rollback_to(id, user.user.id, message)
        .await?
        .ok_or_else(|| wrong_state(&version, "rolled back to", "Only archived versions can be restored."))
}

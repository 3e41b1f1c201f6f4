//! The version lifecycle (SPEC §2): drafts with optimistic concurrency, review, publishing,
//! requested changes and rollback, each with its role rule and a clear 409 for wrong states;
//! and the review queue.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::{content, tools};
use crate::state::AppState;
use skriptoteket_domain::tool::{Tool, ToolVersion, VersionContent, VersionState};
use skriptoteket_domain::{Role, Store};
use std::collections::HashMap;
use uuid::Uuid;

/// A version and its tool, for a user who may edit the tool (contributors and above).
pub(crate) async fn load_editable(store: &dyn Store, user: &CurrentUser, id: Uuid) -> ApiResult<(Tool, ToolVersion)> {
    user.require(Role::Contributor)?;
    let version = store.version_by_id(id).await?.ok_or_else(|| ApiError::not_found("The version"))?;
    let tool = tools::load_editable(store, user, version.tool_id).await?;
    Ok((tool, version))
}

/// One version with its source.
pub async fn get(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<ToolVersion> {
    Ok(load_editable(state.store.as_ref(), user, id).await?.1)
}

/// Where a new draft starts from.
pub enum DraftOrigin {
    Active,
    Scratch,
    Version(Uuid),
}

pub async fn create_draft(
    state: &AppState,
    user: &CurrentUser,
    tool_id: Uuid,
    origin: DraftOrigin,
) -> ApiResult<ToolVersion> {
    user.require(Role::Contributor)?;
    let store = state.store.as_ref();
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

pub async fn save_draft(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    expected_revision: i32,
    mut content: VersionContent,
    usage_instructions: Option<String>,
) -> ApiResult<ToolVersion> {
    let store = state.store.as_ref();
    let (_, version) = load_editable(store, user, id).await?;
    // Absent instructions are kept, so a client that does not know them cannot erase them.
    content.usage_instructions = usage_instructions.unwrap_or_else(|| version.usage_instructions.clone());
    content::check(&content)?;
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
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    message: Option<String>,
) -> ApiResult<ToolVersion> {
    let (_, version) = load_editable(state.store.as_ref(), user, id).await?;
    state
        .store
        .transition_version(id, VersionState::Draft, VersionState::InReview, user.user.id, message)
        .await?
        .ok_or_else(|| wrong_state(&version, "submitted for review", "Only drafts can be submitted."))
}

pub async fn publish(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    message: Option<String>,
) -> ApiResult<ToolVersion> {
    user.require(Role::Admin)?;
    let (tool, version) = load_editable(state.store.as_ref(), user, id).await?;
    if version.state != VersionState::InReview {
        return Err(wrong_state(&version, "published", "Only versions in review can be published."));
    }
    if let Some(blocker) = tool.publish_blocker() {
        return Err(ApiError::conflict("not_publishable", blocker));
    }
    let published = state
        .store
        .publish_version(id, user.user.id, message)
        .await?
        .ok_or_else(|| wrong_state(&version, "published", "Only versions in review can be published."))?;
    state.catalog_changed();
    Ok(published)
}

pub async fn request_changes(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    message: Option<String>,
) -> ApiResult<ToolVersion> {
    user.require(Role::Admin)?;
    let (_, version) = load_editable(state.store.as_ref(), user, id).await?;
    let message = message.unwrap_or_default();
    if message.trim().is_empty() {
        return Err(ApiError::field("message", "say what should change"));
    }
    state
        .store
        .transition_version(id, VersionState::InReview, VersionState::Draft, user.user.id, Some(message))
        .await?
        .ok_or_else(|| wrong_state(&version, "sent back", "Only versions in review can be sent back."))
}

pub async fn rollback(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    message: Option<String>,
) -> ApiResult<ToolVersion> {
    user.require(Role::Admin)?;
    let (_, version) = load_editable(state.store.as_ref(), user, id).await?;
    let restored = state
        .store
        .rollback_to(id, user.user.id, message)
        .await?
        .ok_or_else(|| wrong_state(&version, "rolled back to", "Only archived versions can be restored."))?;
    state.catalog_changed();
    Ok(restored)
}

/// Versions in review with their tools, oldest first (admins): two reads, whatever their number.
pub async fn review_queue(state: &AppState, user: &CurrentUser) -> ApiResult<Vec<(Tool, ToolVersion)>> {
    user.require(Role::Admin)?;
    let versions = state.store.versions_in_state(VersionState::InReview).await?;
    let ids: Vec<Uuid> = versions.iter().map(|v| v.tool_id).collect();
    let tools: HashMap<Uuid, Tool> = state.store.tools_by_ids(&ids).await?.into_iter().map(|t| (t.id, t)).collect();
    Ok(versions.into_iter().filter_map(|v| tools.get(&v.tool_id).map(|t| (t.clone(), v))).collect())
}

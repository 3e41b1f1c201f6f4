//! Tools for their authors: creating one with its first draft, editing metadata and taxonomy,
//! maintainers, the state-change history, and the tools I maintain.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::access::require_edit;
use crate::state::AppState;
use skriptoteket_domain::tool::{
    NewTool, Tool, ToolPatch, ToolVersion, VersionContent, VersionEvent, slugify, validate_slug,
};
use skriptoteket_domain::{Role, Store, StoreError, User};
use std::collections::HashMap;
use uuid::Uuid;

/// A tool with all its versions, newest first: what its authors see.
pub struct ToolView {
    pub tool: Tool,
    pub versions: Vec<ToolVersion>,
}

pub(crate) async fn load(store: &dyn Store, id: Uuid) -> ApiResult<Tool> {
    store.tool_by_id(id).await?.ok_or_else(|| ApiError::not_found("The tool"))
}

/// Loads a tool the user may edit (maintainer or admin); others get 403/404.
pub(crate) async fn load_editable(store: &dyn Store, user: &CurrentUser, id: Uuid) -> ApiResult<Tool> {
    let tool = load(store, id).await?;
    require_edit(user, &tool)?;
    Ok(tool)
}

async fn view(state: &AppState, tool: Tool) -> ApiResult<ToolView> {
    let versions = state.store.versions_of_tool(tool.id).await?;
    Ok(ToolView { tool, versions })
}

/// Creates a tool and its first draft; the creator becomes its maintainer. Without a usable
/// slug the tool gets a `draft-…` placeholder, which blocks publishing until it is set.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    title: &str,
    summary: &str,
    slug: Option<&str>,
) -> ApiResult<(ToolView, ToolVersion)> {
    user.require(Role::Contributor)?;
    let wanted = match slug {
        Some(slug) => {
            validate_slug(slug).map_err(|m| ApiError::field("slug", m))?;
            slug.to_owned()
        }
        None => slugify(title),
    };
    let placeholder = format!("draft-{}", &Uuid::new_v4().simple().to_string()[..12]);
    let candidates = if wanted.is_empty() { vec![placeholder] } else { vec![wanted, placeholder] };
    let explicit = slug.is_some();
    for candidate in candidates {
        let new = NewTool {
            slug: candidate,
            title: title.trim().to_owned(),
            summary: summary.trim().to_owned(),
            created_by: user.user.id,
        };
        match state.store.create_tool(new, VersionContent::starter()).await {
            Ok((tool, draft)) => return Ok((ToolView { tool, versions: vec![draft.clone()] }, draft)),
            Err(StoreError::Conflict(_)) if !explicit => continue,
            Err(StoreError::Conflict(_)) => return Err(slug_taken()),
            Err(e) => return Err(e.into()),
        }
    }
    Err(slug_taken())
}

fn slug_taken() -> ApiError {
    ApiError::conflict("slug_taken", "Another tool already uses that URL slug.")
}

/// A tool with its versions, for its maintainers and admins.
pub async fn get(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<ToolView> {
    user.require(Role::Contributor)?;
    let tool = load_editable(state.store.as_ref(), user, id).await?;
    view(state, tool).await
}

/// Edits metadata and taxonomy; a published tool keeps its slug; archiving is for admins.
pub async fn update(state: &AppState, user: &CurrentUser, id: Uuid, patch: ToolPatch) -> ApiResult<ToolView> {
    user.require(Role::Contributor)?;
    let tool = load_editable(state.store.as_ref(), user, id).await?;
    if let Some(slug) = &patch.slug {
        validate_slug(slug).map_err(|m| ApiError::field("slug", m))?;
        if tool.is_published() && *slug != tool.slug {
            return Err(ApiError::conflict(
                "slug_locked",
                "A published tool keeps its URL; archive it first to change it.",
            ));
        }
    }
    if patch.archived.is_some() {
        user.require(Role::Admin)?;
    }
    let updated = match state.store.update_tool(id, patch).await {
        Ok(Some(tool)) => tool,
        Ok(None) => return Err(ApiError::not_found("The tool")),
        Err(StoreError::Conflict(_)) => return Err(slug_taken()),
        Err(StoreError::UnknownReference(what)) => {
            return Err(ApiError::field(&format!("{what}_ids"), format!("contains an unknown {what}")));
        }
        Err(e) => return Err(e.into()),
    };
    state.catalog_changed();
    view(state, updated).await
}

/// The tool's maintainers.
pub async fn maintainers(state: &AppState, user: &CurrentUser, tool: Uuid) -> ApiResult<Vec<User>> {
    user.require(Role::Contributor)?;
    load_editable(state.store.as_ref(), user, tool).await?;
    Ok(state.store.maintainers(tool).await?)
}

/// Adds a maintainer by email (a contributor or above); answers the maintainers after.
pub async fn add_maintainer(state: &AppState, user: &CurrentUser, tool: Uuid, email: &str) -> ApiResult<Vec<User>> {
    user.require(Role::Contributor)?;
    load_editable(state.store.as_ref(), user, tool).await?;
    let (target, _) = state
        .store
        .user_credentials(email)
        .await?
        .ok_or_else(|| ApiError::field("email", "no account has that email"))?;
    if target.role < Role::Contributor {
        return Err(ApiError::field("email", "maintainers must be contributors or above"));
    }
    state.store.add_maintainer(tool, target.id).await?;
    Ok(state.store.maintainers(tool).await?)
}

/// Removes a maintainer, never the last one.
pub async fn remove_maintainer(state: &AppState, user: &CurrentUser, tool: Uuid, target: Uuid) -> ApiResult<()> {
    user.require(Role::Contributor)?;
    let loaded = load_editable(state.store.as_ref(), user, tool).await?;
    if !loaded.is_maintainer(target) {
        return Err(ApiError::not_found("The maintainer"));
    }
    if loaded.maintainer_ids.len() == 1 {
        return Err(ApiError::conflict("last_maintainer", "A tool needs at least one maintainer."));
    }
    state.store.remove_maintainer(tool, target).await?;
    Ok(())
}

/// Every state change of the tool's versions, newest first.
pub async fn events(state: &AppState, user: &CurrentUser, tool: Uuid) -> ApiResult<Vec<VersionEvent>> {
    user.require(Role::Contributor)?;
    load_editable(state.store.as_ref(), user, tool).await?;
    Ok(state.store.version_events(tool).await?)
}

/// The tools I maintain with their versions: two reads, whatever their number.
pub async fn mine(state: &AppState, user: &CurrentUser) -> ApiResult<Vec<ToolView>> {
    user.require(Role::Contributor)?;
    let tools = state.store.tools_maintained_by(user.user.id).await?;
    let ids: Vec<Uuid> = tools.iter().map(|t| t.id).collect();
    let mut by_tool: HashMap<Uuid, Vec<ToolVersion>> = HashMap::new();
    for version in state.store.versions_of_tools(&ids).await? {
        by_tool.entry(version.tool_id).or_default().push(version);
    }
    Ok(tools
        .into_iter()
        .map(|tool| {
            let versions = by_tool.remove(&tool.id).unwrap_or_default();
            ToolView { tool, versions }
        })
        .collect())
}

//! Tools: creating one with its first draft, editing metadata, maintainers.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::access::require_edit;
use skriptoteket_domain::tool::{NewTool, Tool, ToolPatch, ToolVersion, VersionContent, slugify, validate_slug};
use skriptoteket_domain::{Role, Store, StoreError};
use uuid::Uuid;

pub async fn load(store: &dyn Store, id: Uuid) -> ApiResult<Tool> {
    store.tool_by_id(id).await?.ok_or_else(|| ApiError::not_found("The tool"))
}

/// Loads a tool the user may edit (maintainer or admin); others get 403/404.
pub async fn load_editable(store: &dyn Store, user: &CurrentUser, id: Uuid) -> ApiResult<Tool> {
    let tool = load(store, id).await?;
    require_edit(user, &tool)?;
    Ok(tool)
}

/// Creates a tool and its first draft; the creator becomes its maintainer. Without a usable
/// slug the tool gets a `draft-…` placeholder, which blocks publishing until it is set.
pub async fn create(
    store: &dyn Store,
    user: &CurrentUser,
    title: &str,
    summary: &str,
    slug: Option<&str>,
) -> ApiResult<(Tool, ToolVersion)> {
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
        match store.create_tool(new, VersionContent::starter()).await {
            Ok(created) => return Ok(created),
            Err(StoreError::Conflict(_)) if !explicit => continue,
            Err(StoreError::Conflict(_)) => {
                return Err(ApiError::conflict("slug_taken", "Another tool already uses that URL slug."));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict("slug_taken", "Another tool already uses that URL slug."))
}

pub async fn update(store: &dyn Store, user: &CurrentUser, id: Uuid, patch: ToolPatch) -> ApiResult<Tool> {
    let tool = load_editable(store, user, id).await?;
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
    match store.update_tool(id, patch).await {
        Ok(Some(tool)) => Ok(tool),
        Ok(None) => Err(ApiError::not_found("The tool")),
        Err(StoreError::Conflict(_)) => {
            Err(ApiError::conflict("slug_taken", "Another tool already uses that URL slug."))
        }
        Err(StoreError::UnknownReference(what)) => {
            Err(ApiError::field(&format!("{what}_ids"), format!("contains an unknown {what}")))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_maintainer(store: &dyn Store, user: &CurrentUser, tool: Uuid, email: &str) -> ApiResult<()> {
    load_editable(store, user, tool).await?;
    let (target, _) =
        store.user_credentials(email).await?.ok_or_else(|| ApiError::field("email", "no account has that email"))?;
    if target.role < Role::Contributor {
        return Err(ApiError::field("email", "maintainers must be contributors or above"));
    }
    store.add_maintainer(tool, target.id).await?;
    Ok(())
}

pub async fn remove_maintainer(store: &dyn Store, user: &CurrentUser, tool: Uuid, target: Uuid) -> ApiResult<()> {
    let loaded = load_editable(store, user, tool).await?;
    if !loaded.is_maintainer(target) {
        return Err(ApiError::not_found("The maintainer"));
    }
    if loaded.maintainer_ids.len() == 1 {
        return Err(ApiError::conflict("last_maintainer", "A tool needs at least one maintainer."));
    }
    store.remove_maintainer(tool, target).await?;
    Ok(())
}

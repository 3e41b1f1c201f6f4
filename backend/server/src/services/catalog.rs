//! What every signed-in user sees: the published catalog, a tool page and the taxonomy.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::access::can_edit;
use crate::state::{AppState, CatalogPage};
use skriptoteket_domain::tool::{CatalogQuery, Taxon, Tool, ToolMarks, ToolVersion, usage_fingerprint};
use skriptoteket_domain::{PageRequest, Store};
use std::sync::{Arc, OnceLock};

/// A published tool's page: the tool, its active version, whether I may edit it, and whether
/// I have seen its usage instructions as they read now.
pub struct ToolPage {
    pub tool: Tool,
    /// My star and when I last ran it.
    pub marks: ToolMarks,
    pub version: ToolVersion,
    pub can_edit: bool,
    pub usage_seen: bool,
}

/// A published tool and its active version; anything else is missing.
pub(crate) async fn published(store: &dyn Store, slug: &str) -> ApiResult<(Tool, ToolVersion)> {
    let tool =
        store.tool_by_slug(slug).await?.filter(Tool::is_published).ok_or_else(|| ApiError::not_found("The tool"))?;
    let active = tool.active_version_id.ok_or_else(|| ApiError::not_found("The tool"))?;
    let version = store.version_by_id(active).await?.ok_or_else(|| ApiError::not_found("The tool"))?;
    Ok((tool, version))
}

/// The published catalog: search and filters, a page at a time, marked (and, as asked,
/// filtered and ordered) by my favourites and runs.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    query: CatalogQuery,
    page: PageRequest,
) -> ApiResult<Arc<CatalogPage>> {
    let query = CatalogQuery { viewer: Some(user.user.id), ..query };
    // Per viewer: favourites and recent runs mark and order the page.
    let key = format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
        user.user.id, query.q, query.category, query.profession, query.only, query.sort, page.limit, page.offset
    );
    if let Some(hit) = state.catalog.get(&key) {
        return Ok(hit);
    }
    let found = Arc::new(CatalogPage { page: state.store.catalog(&query, page).await?, answer: OnceLock::new() });
    state.catalog.put(key, found.clone());
    Ok(found)
}

/// Stars or unstars a published tool for me.
pub async fn set_favorite(state: &AppState, user: &CurrentUser, slug: &str, favorite: bool) -> ApiResult<()> {
    let (tool, _) = published(state.store.as_ref(), slug).await?;
    state.store.set_favorite(user.user.id, tool.id, favorite).await?;
    state.catalog_changed();
    Ok(())
}

pub async fn tool_page(state: &AppState, user: &CurrentUser, slug: &str) -> ApiResult<ToolPage> {
    let (tool, version) = published(state.store.as_ref(), slug).await?;
    let can_edit = can_edit(user, &tool);
    let seen = state.store.usage_seen(user.user.id, tool.id).await?;
    let usage_seen = seen.is_some_and(|hash| hash == usage_fingerprint(&version.usage_instructions));
    let marks = state.store.tool_marks(user.user.id, tool.id).await?;
    Ok(ToolPage { tool, marks, version, can_edit, usage_seen })
}

/// Remembers that I have read the tool's usage instructions as they read now.
pub async fn mark_usage_seen(state: &AppState, user: &CurrentUser, slug: &str) -> ApiResult<()> {
    let (tool, version) = published(state.store.as_ref(), slug).await?;
    let hash = usage_fingerprint(&version.usage_instructions);
    Ok(state.store.mark_usage_seen(user.user.id, tool.id, &hash).await?)
}

pub async fn categories(state: &AppState, _user: &CurrentUser) -> ApiResult<Vec<Taxon>> {
    Ok(state.store.categories().await?)
}

pub async fn professions(state: &AppState, _user: &CurrentUser) -> ApiResult<Vec<Taxon>> {
    Ok(state.store.professions().await?)
}

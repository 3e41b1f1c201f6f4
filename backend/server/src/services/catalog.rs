//! What every signed-in user sees: the published catalog, a tool page and the taxonomy.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::access::can_edit;
use crate::state::AppState;
use skriptoteket_domain::tool::{CatalogQuery, Taxon, Tool, ToolVersion};
use skriptoteket_domain::{Page, PageRequest, Store};

/// A published tool's page: the tool, its active version, and whether I may edit it.
pub struct ToolPage {
    pub tool: Tool,
    pub version: ToolVersion,
    pub can_edit: bool,
}

/// A published tool and its active version; anything else is missing.
pub(crate) async fn published(store: &dyn Store, slug: &str) -> ApiResult<(Tool, ToolVersion)> {
    let tool =
        store.tool_by_slug(slug).await?.filter(Tool::is_published).ok_or_else(|| ApiError::not_found("The tool"))?;
    let active = tool.active_version_id.ok_or_else(|| ApiError::not_found("The tool"))?;
    let version = store.version_by_id(active).await?.ok_or_else(|| ApiError::not_found("The tool"))?;
    Ok((tool, version))
}

/// The published catalog: search and filters, a page at a time.
pub async fn list(
    state: &AppState,
    _user: &CurrentUser,
    query: &CatalogQuery,
    page: PageRequest,
) -> ApiResult<Page<Tool>> {
    Ok(state.store.catalog(query, page).await?)
}

pub async fn tool_page(state: &AppState, user: &CurrentUser, slug: &str) -> ApiResult<ToolPage> {
    let (tool, version) = published(state.store.as_ref(), slug).await?;
    let can_edit = can_edit(user, &tool);
    Ok(ToolPage { tool, version, can_edit })
}

pub async fn categories(state: &AppState, _user: &CurrentUser) -> ApiResult<Vec<Taxon>> {
    Ok(state.store.categories().await?)
}

pub async fn professions(state: &AppState, _user: &CurrentUser) -> ApiResult<Vec<Taxon>> {
    Ok(state.store.professions().await?)
}

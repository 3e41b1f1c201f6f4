//! Tool bundles: export a version of a tool I may edit as one JSON document, and import a
//! bundle as a new tool with a draft or, on request, published (admins through the API; the
//! CLI in the name of the owner it is given).

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::content;
use crate::services::tools::{self, ToolView};
use crate::state::AppState;
use skriptoteket_domain::bundle::ToolBundle;
use skriptoteket_domain::contract::FieldIssue;
use skriptoteket_domain::tool::{NewTool, Taxon, ToolPatch, ToolVersion, VersionContent, VersionState, validate_slug};
use skriptoteket_domain::{Role, Store, StoreError, User};
use uuid::Uuid;

/// The bundle of one version of a tool I may edit: the given one, else the active one, else
/// the newest.
pub async fn export(state: &AppState, user: &CurrentUser, tool: Uuid, version: Option<Uuid>) -> ApiResult<ToolBundle> {
    user.require(Role::Contributor)?;
    let store = state.store.as_ref();
    let tool = tools::load_editable(store, user, tool).await?;
    let wanted = match version.or(tool.active_version_id) {
        Some(id) => store.version_by_id(id).await?.filter(|v| v.tool_id == tool.id),
        None => store.versions_of_tool(tool.id).await?.into_iter().next(),
    };
    let version = wanted.ok_or_else(|| ApiError::not_found("The version"))?;
    Ok(ToolBundle::of(&tool, &version))
}

/// A tool made from a bundle, and its one version.
pub struct Imported {
    pub tool: ToolView,
    pub version: ToolVersion,
}

/// Imports a bundle as a new tool that I maintain (admins).
pub async fn import(state: &AppState, user: &CurrentUser, bundle: ToolBundle, publish: bool) -> ApiResult<Imported> {
    user.require(Role::Admin)?;
    let imported = import_as(state.store.as_ref(), &user.user, bundle, publish).await?;
    state.catalog_changed();
    Ok(imported)
}

/// Imports in the name of `owner`, who becomes the maintainer and author (and publisher, which
/// needs an admin). The CLI calls this directly: it has no `AppState`, hence the store.
/// Everything is checked before anything is written.
pub async fn import_as(store: &dyn Store, owner: &User, bundle: ToolBundle, publish: bool) -> ApiResult<Imported> {
    let needed = if publish { Role::Admin } else { Role::Contributor };
    if owner.role < needed || owner.disabled {
        return Err(ApiError::forbidden("forbidden", format!("Importing needs an active {needed} or higher.")));
    }
    let (input_schema, settings_schema) = bundle.schemas().map_err(ApiError::from_issues)?;
    let mut issues = Vec::new();
    if let Err(message) = validate_slug(&bundle.slug) {
        issues.push(FieldIssue { field: "slug".into(), message: message.to_string() });
    }
    let title = bundle.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        issues.push(FieldIssue { field: "title".into(), message: "must be 1–200 characters".into() });
    }
    if bundle.summary.chars().count() > 2000 {
        issues.push(FieldIssue { field: "summary".into(), message: "must be at most 2000 characters".into() });
    }
    let categories = taxa(&store.categories().await?, &bundle.categories, "categories", publish, &mut issues);
    let professions = taxa(&store.professions().await?, &bundle.professions, "professions", publish, &mut issues);
    if !issues.is_empty() {
        return Err(ApiError::from_issues(issues));
    }
    let content = VersionContent {
        source: bundle.source,
        entrypoint: bundle.entrypoint,
        input_schema,
        settings_schema,
        change_summary: "Importerad".into(),
        usage_instructions: bundle.usage_instructions,
    };
    content::check(&content)?;
    let new = NewTool {
        slug: bundle.slug,
        title: title.to_owned(),
        summary: bundle.summary.trim().to_owned(),
        created_by: owner.id,
    };
    let (tool, draft) = match store.create_tool(new, content).await {
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::conflict("slug_taken", "Another tool already uses that URL slug."));
        }
        other => other?,
    };
    let patch = ToolPatch { category_ids: Some(categories), profession_ids: Some(professions), ..Default::default() };
    store.update_tool(tool.id, patch).await?;
    let version = if publish {
        let message = Some("Importerad och publicerad".to_owned());
        store.transition_version(draft.id, VersionState::Draft, VersionState::InReview, owner.id, None).await?;
        store.publish_version(draft.id, owner.id, message).await?.ok_or_else(|| gone("version"))?
    } else {
        draft
    };
    let tool = store.tool_by_id(tool.id).await?.ok_or_else(|| gone("tool"))?;
    let versions = store.versions_of_tool(tool.id).await?;
    Ok(Imported { tool: ToolView { tool, versions }, version })
}

fn gone(what: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the imported {what} vanished while it was being set up"))
}

/// The ids of the taxa named by slug; unknown slugs (and, to publish, none) are field issues.
fn taxa(known: &[Taxon], slugs: &[String], field: &str, publish: bool, issues: &mut Vec<FieldIssue>) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for (i, slug) in slugs.iter().enumerate() {
        match known.iter().find(|t| t.slug == *slug) {
            Some(taxon) if !ids.contains(&taxon.id) => ids.push(taxon.id),
            Some(_) => {}
            None => {
                let names: Vec<&str> = known.iter().map(|t| t.slug.as_str()).collect();
                let message = format!("unknown `{slug}` (known: {})", names.join(", "));
                issues.push(FieldIssue { field: format!("{field}[{i}]"), message });
            }
        }
    }
    if publish && slugs.is_empty() {
        issues.push(FieldIssue { field: field.into(), message: "a published tool needs at least one".into() });
    }
    ids
}

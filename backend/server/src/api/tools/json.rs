//! Bodies of the catalog, tool page and settings endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use skriptoteket_domain::schema::{InputSchema, SettingsSchema};
use skriptoteket_domain::tool::{CatalogEntry, CatalogOnly, CatalogSort, Taxon, Tool, ToolMarks, ToolVersion};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
pub struct TaxonResponse {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

impl From<&Taxon> for TaxonResponse {
    fn from(t: &Taxon) -> Self {
        Self { id: t.id, slug: t.slug.clone(), name: t.name.clone() }
    }
}

/// A tool as the catalog lists it, with the caller's marks.
#[derive(Debug, Serialize, ToSchema)]
pub struct ToolSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub categories: Vec<TaxonResponse>,
    pub professions: Vec<TaxonResponse>,
    /// Whether I starred the tool (`PUT`/`DELETE /api/tools/{slug}/favorite`).
    pub favorite: bool,
    /// When I last ran the tool (test runs do not count); absent if never.
    pub last_run_at: Option<DateTime<Utc>>,
}

impl ToolSummary {
    pub fn new(t: &Tool, marks: ToolMarks) -> Self {
        Self {
            id: t.id,
            slug: t.slug.clone(),
            title: t.title.clone(),
            summary: t.summary.clone(),
            categories: t.categories.iter().map(Into::into).collect(),
            professions: t.professions.iter().map(Into::into).collect(),
            favorite: marks.favorite,
            last_run_at: marks.last_run_at,
        }
    }
}

impl From<CatalogEntry> for ToolSummary {
    fn from(entry: CatalogEntry) -> Self {
        Self::new(&entry.tool, entry.marks)
    }
}

/// Which tools `GET /api/tools` lists.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CatalogOnlyParam {
    /// Every published tool.
    #[default]
    All,
    /// My favourites.
    Favorites,
    /// Tools I have run ("senast använda"; test runs do not count).
    Recent,
}

/// The order of `GET /api/tools`; ties and the rest by title.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CatalogSortParam {
    #[default]
    Title,
    /// My favourites first.
    Favorites,
    /// The tools I ran most recently first.
    Recent,
}

impl From<CatalogOnlyParam> for CatalogOnly {
    fn from(p: CatalogOnlyParam) -> Self {
        match p {
            CatalogOnlyParam::All => Self::All,
            CatalogOnlyParam::Favorites => Self::Favorites,
            CatalogOnlyParam::Recent => Self::Recent,
        }
    }
}

impl From<CatalogSortParam> for CatalogSort {
    fn from(p: CatalogSortParam) -> Self {
        match p {
            CatalogSortParam::Title => Self::Title,
            CatalogSortParam::Favorites => Self::Favorites,
            CatalogSortParam::Recent => Self::Recent,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogParams {
    /// Words to find in the title or summary.
    pub q: Option<String>,
    /// A category slug.
    pub category: Option<String>,
    /// A profession slug.
    pub profession: Option<String>,
    /// `favorites`: only my favourites; `recent`: only tools I have run. Default: all.
    #[param(inline)]
    pub only: Option<CatalogOnlyParam>,
    /// `favorites`: my favourites first; `recent`: the tools I ran most recently first.
    /// Default: by title.
    #[param(inline)]
    pub sort: Option<CatalogSortParam>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

/// The tool page: what the run form and the settings form are built from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ToolPageResponse {
    #[serde(flatten)]
    pub tool: ToolSummary,
    pub version_id: Uuid,
    pub version_number: i32,
    pub input_schema: Option<InputSchema>,
    pub settings_schema: Option<SettingsSchema>,
    /// Whether the caller may edit the tool (show the editor link).
    pub can_edit: bool,
    /// How to use the tool, in Markdown (render it sanitised); empty when there are none.
    pub usage_instructions: String,
    /// Whether the caller has seen these instructions as they read now (show them folded).
    pub usage_instructions_seen: bool,
}

impl ToolPageResponse {
    pub fn new(tool: &Tool, marks: ToolMarks, version: &ToolVersion, can_edit: bool, usage_seen: bool) -> Self {
        Self {
            tool: ToolSummary::new(tool, marks),
            version_id: version.id,
            version_number: version.number,
            input_schema: version.input_schema.clone(),
            settings_schema: version.settings_schema.clone(),
            can_edit,
            usage_instructions: version.usage_instructions.clone(),
            usage_instructions_seen: usage_seen,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsResponse {
    #[schema(value_type = Object)]
    pub values: Map<String, Value>,
    pub schema: Option<SettingsSchema>,
    /// The values were saved under an earlier schema; only those still valid are shown.
    pub schema_changed: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutSettingsRequest {
    #[schema(value_type = Object)]
    pub values: Value,
}

impl SettingsResponse {
    pub fn new(view: crate::services::settings::SettingsView, schema: Option<SettingsSchema>) -> Self {
        Self { values: view.values, schema, schema_changed: view.schema_changed, updated_at: view.updated_at }
    }
}

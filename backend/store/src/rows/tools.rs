//! Rows of the taxonomy, tools, versions and version events.

use super::parse_id;
use chrono::{DateTime, Utc};
use skriptoteket_domain::StoreError;
use skriptoteket_domain::schema::{InputSchema, SettingsSchema};
use skriptoteket_domain::tool::{Taxon, Tool, ToolVersion, VersionEvent, VersionState};
use sqlx::types::Json;
use uuid::Uuid;

/// The tool columns of `ToolRow`.
macro_rules! tool_columns {
    () => {
        "id, slug, title, summary, active_version_id, archived, created_at, updated_at"
    };
}

/// The version columns of `VersionRow`.
macro_rules! version_columns {
    () => {
        "id, tool_id, number, state, source, entrypoint, input_schema, settings_schema, \
         change_summary, usage_instructions, author_id, revision, review_message, derived_from, created_at, updated_at"
    };
}

/// The event columns of `EventRow`.
macro_rules! event_columns {
    () => {
        "id, tool_id, version_id, actor_id, from_state, to_state, message, created_at"
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaxonRow {
    id: String,
    slug: String,
    name: String,
}

impl TryFrom<TaxonRow> for Taxon {
    type Error = StoreError;

    fn try_from(r: TaxonRow) -> Result<Self, Self::Error> {
        Ok(Taxon { id: parse_id(&r.id)?, slug: r.slug, name: r.name })
    }
}

/// A taxon of one of a page of tools.
#[derive(sqlx::FromRow)]
pub(crate) struct ToolTaxonRow {
    pub tool_id: String,
    #[sqlx(flatten)]
    pub taxon: TaxonRow,
}

#[derive(sqlx::FromRow)]
pub(crate) struct MaintainerRow {
    pub tool_id: String,
    pub user_id: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ToolRow {
    pub id: String,
    slug: String,
    title: String,
    summary: String,
    active_version_id: Option<String>,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A catalog row: the tool and the viewer's marks.
#[derive(sqlx::FromRow)]
pub(crate) struct CatalogRow {
    #[sqlx(flatten)]
    pub tool: ToolRow,
    pub favorite: bool,
    pub last_run_at: Option<DateTime<Utc>>,
}

impl ToolRow {
    /// The tool, with the taxa and maintainers loaded separately for a whole page of rows.
    pub fn into_tool(
        self,
        categories: Vec<Taxon>,
        professions: Vec<Taxon>,
        maintainer_ids: Vec<Uuid>,
    ) -> Result<Tool, StoreError> {
        Ok(Tool {
            id: parse_id(&self.id)?,
            slug: self.slug,
            title: self.title,
            summary: self.summary,
            active_version_id: self.active_version_id.as_deref().map(parse_id).transpose()?,
            archived: self.archived,
            categories,
            professions,
            maintainer_ids,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    id: String,
    tool_id: String,
    number: i32,
    state: String,
    source: String,
    entrypoint: String,
    input_schema: Option<Json<InputSchema>>,
    settings_schema: Option<Json<SettingsSchema>>,
    change_summary: String,
    usage_instructions: String,
    author_id: String,
    revision: i32,
    review_message: Option<String>,
    derived_from: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

pub(crate) fn parse_state(s: &str) -> Result<VersionState, StoreError> {
    s.parse().map_err(StoreError::Backend)
}

impl TryFrom<VersionRow> for ToolVersion {
    type Error = StoreError;

    fn try_from(r: VersionRow) -> Result<Self, Self::Error> {
        Ok(ToolVersion {
            id: parse_id(&r.id)?,
            tool_id: parse_id(&r.tool_id)?,
            number: r.number,
            state: parse_state(&r.state)?,
            source: r.source,
            entrypoint: r.entrypoint,
            input_schema: r.input_schema.map(|j| j.0),
            settings_schema: r.settings_schema.map(|j| j.0),
            change_summary: r.change_summary,
            usage_instructions: r.usage_instructions,
            author_id: parse_id(&r.author_id)?,
            revision: r.revision,
            review_message: r.review_message,
            derived_from: r.derived_from.as_deref().map(parse_id).transpose()?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: String,
    tool_id: String,
    version_id: String,
    actor_id: String,
    from_state: Option<String>,
    to_state: String,
    message: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<EventRow> for VersionEvent {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Self, Self::Error> {
        Ok(VersionEvent {
            id: parse_id(&r.id)?,
            tool_id: parse_id(&r.tool_id)?,
            version_id: parse_id(&r.version_id)?,
            actor_id: parse_id(&r.actor_id)?,
            from_state: r.from_state.as_deref().map(parse_state).transpose()?,
            to_state: parse_state(&r.to_state)?,
            message: r.message,
            created_at: r.created_at,
        })
    }
}

//! Bodies of tool administration: tools, maintainers, versions and their lifecycle.

use crate::api::tools::json::TaxonResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use skriptoteket_domain::User;
use skriptoteket_domain::schema::{InputSchema, SettingsSchema};
use skriptoteket_domain::tool::{Tool, ToolVersion, VersionEvent, VersionState};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToolRequest {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub summary: String,
    /// Defaults to one made from the title.
    pub slug: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateToolRequest {
    pub slug: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
    /// Replaces the tool's categories.
    pub category_ids: Option<Vec<Uuid>>,
    /// Replaces the tool's professions.
    pub profession_ids: Option<Vec<Uuid>>,
    /// Admins only: take the tool out of the catalog (or back).
    pub archived: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMaintainerRequest {
    #[validate(email)]
    #[schema(format = Email)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MaintainerResponse {
    pub id: Uuid,
    pub display_name: String,
    pub email: String,
}

impl From<User> for MaintainerResponse {
    fn from(u: User) -> Self {
        Self { id: u.id, display_name: u.display_name, email: u.email }
    }
}

/// A version without its source, for lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionSummary {
    pub id: Uuid,
    pub number: i32,
    pub state: VersionState,
    pub change_summary: String,
    pub review_message: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<&ToolVersion> for VersionSummary {
    fn from(v: &ToolVersion) -> Self {
        Self {
            id: v.id,
            number: v.number,
            state: v.state,
            change_summary: v.change_summary.clone(),
            review_message: v.review_message.clone(),
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminToolResponse {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub archived: bool,
    /// In the catalog now.
    pub published: bool,
    pub active_version_id: Option<Uuid>,
    /// Why publishing is blocked, if it is (missing slug, category or profession).
    pub publish_blocker: Option<String>,
    pub categories: Vec<TaxonResponse>,
    pub professions: Vec<TaxonResponse>,
    pub maintainer_ids: Vec<Uuid>,
    pub versions: Vec<VersionSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AdminToolResponse {
    pub fn new(tool: &Tool, versions: &[ToolVersion]) -> Self {
        Self {
            id: tool.id,
            slug: tool.slug.clone(),
            title: tool.title.clone(),
            summary: tool.summary.clone(),
            archived: tool.archived,
            published: tool.is_published(),
            active_version_id: tool.active_version_id,
            publish_blocker: tool.publish_blocker().map(str::to_owned),
            categories: tool.categories.iter().map(Into::into).collect(),
            professions: tool.professions.iter().map(Into::into).collect(),
            maintainer_ids: tool.maintainer_ids.clone(),
            versions: versions.iter().map(Into::into).collect(),
            created_at: tool.created_at,
            updated_at: tool.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreateToolResponse {
    pub tool: AdminToolResponse,
    pub draft: VersionResponse,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewVersionRequest {
    /// `active` (default: copy the active version), `scratch`, or `version` with `version_id`.
    pub from: Option<String>,
    pub version_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionResponse {
    pub id: Uuid,
    pub tool_id: Uuid,
    pub number: i32,
    pub state: VersionState,
    pub source: String,
    pub entrypoint: String,
    pub input_schema: Option<InputSchema>,
    pub settings_schema: Option<SettingsSchema>,
    pub change_summary: String,
    /// How to use the tool, in Markdown; shown on the tool page.
    pub usage_instructions: String,
    pub author_id: Uuid,
    /// Send it back as `expected_revision` (or `If-Match: "<revision>"`) when saving.
    pub revision: i32,
    pub review_message: Option<String>,
    pub derived_from: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ToolVersion> for VersionResponse {
    fn from(v: ToolVersion) -> Self {
        Self {
            id: v.id,
            tool_id: v.tool_id,
            number: v.number,
            state: v.state,
            source: v.source,
            entrypoint: v.entrypoint,
            input_schema: v.input_schema,
            settings_schema: v.settings_schema,
            change_summary: v.change_summary,
            usage_instructions: v.usage_instructions,
            author_id: v.author_id,
            revision: v.revision,
            review_message: v.review_message,
            derived_from: v.derived_from,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveVersionRequest {
    pub source: String,
    pub entrypoint: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub input_schema: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub settings_schema: Option<serde_json::Value>,
    #[serde(default)]
    pub change_summary: String,
    /// How to use the tool, in Markdown (at most 16 KiB); left as it is when absent.
    pub usage_instructions: Option<String>,
    /// The revision you edited; alternatively send `If-Match: "<revision>"`.
    pub expected_revision: Option<i32>,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRequest {
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub message: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionEventResponse {
    pub id: Uuid,
    pub version_id: Uuid,
    pub actor_id: Uuid,
    pub from_state: Option<VersionState>,
    pub to_state: VersionState,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<VersionEvent> for VersionEventResponse {
    fn from(e: VersionEvent) -> Self {
        Self {
            id: e.id,
            version_id: e.version_id,
            actor_id: e.actor_id,
            from_state: e.from_state,
            to_state: e.to_state,
            message: e.message,
            created_at: e.created_at,
        }
    }
}

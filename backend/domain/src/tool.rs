//! Tools, their versions and the lifecycle rules between them (SPEC §2).

use crate::schema::{InputSchema, SettingsSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

pub const MAX_SLUG_LEN: usize = 128;
pub const DEFAULT_ENTRYPOINT: &str = "run_tool";
/// Source of a fresh draft: runs as is and shows what a tool returns.
pub const STARTER_SOURCE: &str = r###"from skriptoteket import input_files, markdown


def run_tool(input_dir, output_dir):
    files = input_files()
    lines = [f"- {f['name']} ({f['bytes']} bytes)" for f in files] or ["(no files)"]
    return {"outputs": [markdown("## Files\n" + "\n".join(lines))]}
"###;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taxon {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub active_version_id: Option<Uuid>,
    pub archived: bool,
    pub categories: Vec<Taxon>,
    pub professions: Vec<Taxon>,
    pub maintainer_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tool {
    /// In the public catalog: has an active version and is not archived.
    pub fn is_published(&self) -> bool {
        self.active_version_id.is_some() && !self.archived
    }

    pub fn is_maintainer(&self, user: Uuid) -> bool {
        self.maintainer_ids.contains(&user)
    }

    /// Why the tool cannot be published yet, if anything stands in the way.
    pub fn publish_blocker(&self) -> Option<&'static str> {
        if validate_slug(&self.slug).is_err() || self.slug.starts_with("draft-") {
            Some("The tool needs a real URL slug before it can be published.")
        } else if self.categories.is_empty() {
            Some("The tool needs at least one category before it can be published.")
        } else if self.professions.is_empty() {
            Some("The tool needs at least one profession before it can be published.")
        } else {
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewTool {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub created_by: Uuid,
}

#[derive(Debug, Clone, Default)]
pub struct ToolPatch {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub archived: Option<bool>,
    pub category_ids: Option<Vec<Uuid>>,
    pub profession_ids: Option<Vec<Uuid>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    Draft,
    InReview,
    Active,
    Archived,
}

impl VersionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }
}

impl fmt::Display for VersionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VersionState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Draft, Self::InReview, Self::Active, Self::Archived]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown version state `{s}`"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToolVersion {
    pub id: Uuid,
    pub tool_id: Uuid,
    /// 1, 2, 3… per tool.
    pub number: i32,
    pub state: VersionState,
    pub source: String,
    pub entrypoint: String,
    pub input_schema: Option<InputSchema>,
    pub settings_schema: Option<SettingsSchema>,
    pub change_summary: String,
    /// How to use the tool, in Markdown, shown on its page.
    pub usage_instructions: String,
    pub author_id: Uuid,
    /// Bumped by every save; the optimistic-concurrency token (ETag).
    pub revision: i32,
    /// The reviewer's message when changes were requested.
    pub review_message: Option<String>,
    pub derived_from: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The editable content of a version.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionContent {
    pub source: String,
    pub entrypoint: String,
    pub input_schema: Option<InputSchema>,
    pub settings_schema: Option<SettingsSchema>,
    pub change_summary: String,
    /// How to use the tool, in Markdown (at most `MAX_USAGE_INSTRUCTIONS` bytes).
    pub usage_instructions: String,
}

/// Longest usage instructions, in bytes.
pub const MAX_USAGE_INSTRUCTIONS: usize = 16 * 1024;

/// What a user has seen of some usage instructions: changes whenever the text does.
pub fn usage_fingerprint(text: &str) -> String {
    format!("{:016x}", crate::schema::fnv1a(text.trim().as_bytes()))
}

impl VersionContent {
    pub fn starter() -> Self {
        Self {
            source: STARTER_SOURCE.to_owned(),
            entrypoint: DEFAULT_ENTRYPOINT.to_owned(),
            input_schema: None,
            settings_schema: None,
            change_summary: String::new(),
            usage_instructions: String::new(),
        }
    }

    pub fn of(version: &ToolVersion) -> Self {
        Self {
            source: version.source.clone(),
            entrypoint: version.entrypoint.clone(),
            input_schema: version.input_schema.clone(),
            settings_schema: version.settings_schema.clone(),
            change_summary: version.change_summary.clone(),
            usage_instructions: version.usage_instructions.clone(),
        }
    }
}

/// One recorded state change (SPEC §2: who, when, from, to, message).
#[derive(Debug, Clone, PartialEq)]
pub struct VersionEvent {
    pub id: Uuid,
    pub tool_id: Uuid,
    pub version_id: Uuid,
    pub actor_id: Uuid,
    pub from_state: Option<VersionState>,
    pub to_state: VersionState,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Filters of the public catalog.
#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    /// Case-insensitive words matched against title and summary.
    pub q: Option<String>,
    pub category: Option<String>,
    pub profession: Option<String>,
    /// Whose favourites and runs mark (and may filter and order) the tools.
    pub viewer: Option<Uuid>,
    pub only: CatalogOnly,
    pub sort: CatalogSort,
}

/// Which published tools the catalog lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CatalogOnly {
    #[default]
    All,
    /// The viewer's favourites.
    Favorites,
    /// Tools the viewer has run (production runs; test runs do not count).
    Recent,
}

/// The catalog's order; ties (and the rest) by title.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CatalogSort {
    #[default]
    Title,
    /// The viewer's favourites first.
    Favorites,
    /// The tools the viewer ran most recently first; never-run tools after them.
    Recent,
}

impl CatalogOnly {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Favorites => "favorites",
            Self::Recent => "recent",
        }
    }
}

impl CatalogSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Favorites => "favorites",
            Self::Recent => "recent",
        }
    }
}

/// What one user has to do with a tool: a star, and when they last ran it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ToolMarks {
    pub favorite: bool,
    /// The user's latest production run of it.
    pub last_run_at: Option<DateTime<Utc>>,
}

/// A tool as the catalog lists it to one viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogEntry {
    pub tool: Tool,
    pub marks: ToolMarks,
}

/// `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 128 characters (SPEC §2).
pub fn validate_slug(slug: &str) -> Result<(), &'static str> {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG_LEN
        && slug
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if ok { Ok(()) } else { Err("must be lower-case letters a–z, digits and single hyphens, at most 128 characters") }
}

/// A slug suggestion from a title: "Betygsöversikt för 7B" → "betygsoversikt-for-7b".
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' => 'u',
            'í' | 'ì' | 'ï' => 'i',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars().take(MAX_SLUG_LEN).collect::<String>().trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_grammar() {
        for good in ["a", "betyg-7b", "x1-2-3"] {
            assert!(validate_slug(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "å", "a_b", &"a".repeat(129)] {
            assert!(validate_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn titles_become_valid_slugs() {
        assert_eq!(slugify("Betygsöversikt för 7B!"), "betygsoversikt-for-7b");
        assert_eq!(slugify("  --  "), "");
        assert!(validate_slug(&slugify("Närvaro & frånvaro (ht 25)")).is_ok());
    }
}

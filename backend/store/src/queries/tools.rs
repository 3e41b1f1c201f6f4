//! The taxonomy, tools and their maintainers: `ToolStore`.
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::{Conn, This};
use crate::rows::{CatalogRow, MaintainerRow, TaxonRow, ToolRow, ToolTaxonRow, UserRow, parse_id};
use crate::{backend_error, conflict_or_backend, gone};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::store::{StoreError, StoreResult, ToolStore};
use skriptoteket_domain::tool::{
    CatalogEntry, CatalogQuery, NewTool, Taxon, Tool, ToolMarks, ToolPatch, ToolVersion, VersionContent, VersionState,
};
use skriptoteket_domain::{Page, PageRequest, User};
use sqlx::types::Json;
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

async fn taxa(s: &This, sql: &'static str) -> StoreResult<Vec<Taxon>> {
    let rows: Vec<TaxonRow> = sqlx::query_as(sql).fetch_all(&s.pool).await.map_err(backend_error)?;
    rows.into_iter().map(Taxon::try_from).collect()
}

/// What the catalog's words are matched against. Folded here rather than with SQL `LOWER()`,
/// which on SQLite folds only ASCII (so "Översikt" would never match "översikt").
fn search_text(title: &str, summary: &str) -> String {
    format!("{title}\n{summary}").to_lowercase()
}

/// `%word%` for `LIKE … ESCAPE '\'`, with the user's `%`, `_` and `\` taken literally.
fn like_pattern(word: &str) -> String {
    let mut p = String::with_capacity(word.len() + 2);
    p.push('%');
    for c in word.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Loads the taxa and maintainers of a page of tools with one query per kind (not per tool).
pub(super) async fn hydrate(conn: &mut Conn, rows: Vec<ToolRow>) -> StoreResult<Vec<Tool>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut categories = tool_taxa(
        conn,
        &ids,
        concat!(
            "SELECT tc.tool_id, c.id, c.slug, c.name FROM tool_categories tc \
             JOIN categories c ON c.id = tc.category_id WHERE tc.tool_id IN (SELECT w.value FROM ",
            json_texts!("$1"),
            ") ORDER BY c.sort, c.name"
        ),
    )
    .await?;
    let mut professions = tool_taxa(
        conn,
        &ids,
        concat!(
            "SELECT tp.tool_id, p.id, p.slug, p.name FROM tool_professions tp \
             JOIN professions p ON p.id = tp.profession_id WHERE tp.tool_id IN (SELECT w.value FROM ",
            json_texts!("$1"),
            ") ORDER BY p.sort, p.name"
        ),
    )
    .await?;
    let sql = concat!(
        "SELECT tool_id, user_id FROM tool_maintainers WHERE tool_id IN (SELECT w.value FROM ",
        json_texts!("$1"),
        ") ORDER BY created_at, user_id"
    );
    let maintainer_rows: Vec<MaintainerRow> =
        sqlx::query_as(sql).bind(Json(&ids)).fetch_all(&mut *conn).await.map_err(backend_error)?;
    let mut maintainers: HashMap<String, Vec<Uuid>> = HashMap::new();
    for m in maintainer_rows {
        maintainers.entry(m.tool_id).or_default().push(parse_id(&m.user_id)?);
    }
    rows.into_iter()
        .map(|row| {
            let id = row.id.clone();
            row.into_tool(
                categories.remove(&id).unwrap_or_default(),
                professions.remove(&id).unwrap_or_default(),
                maintainers.remove(&id).unwrap_or_default(),
            )
        })
        .collect()
}

async fn tool_taxa(conn: &mut Conn, ids: &[&str], sql: &'static str) -> StoreResult<HashMap<String, Vec<Taxon>>> {
    let rows: Vec<ToolTaxonRow> =
        sqlx::query_as(sql).bind(Json(ids)).fetch_all(&mut *conn).await.map_err(backend_error)?;
    let mut by_tool: HashMap<String, Vec<Taxon>> = HashMap::new();
    for r in rows {
        by_tool.entry(r.tool_id).or_default().push(r.taxon.try_into()?);
    }
    Ok(by_tool)
}

/// One tool by `sql` (which selects `tool_columns!()` with one parameter), hydrated.
async fn one(conn: &mut Conn, sql: &'static str, key: String) -> StoreResult<Option<Tool>> {
    let row: Option<ToolRow> = sqlx::query_as(sql).bind(key).fetch_optional(&mut *conn).await.map_err(backend_error)?;
    Ok(hydrate(conn, row.into_iter().collect()).await?.pop())
}

pub(super) async fn load(conn: &mut Conn, id: Uuid) -> StoreResult<Option<Tool>> {
    let sql = concat!("SELECT ", tool_columns!(), " FROM tools WHERE id = $1");
    one(conn, sql, id.to_string()).await
}

/// Takes the tool's row lock (PostgreSQL; SQLite's write lock is already held) so that
/// read-then-write sequences on one tool run one at a time. False when there is no such tool.
pub(super) async fn lock(conn: &mut Conn, id: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE tools SET archived = archived WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn insert_maintainer(conn: &mut Conn, tool: Uuid, user: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tool_maintainers (tool_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (tool_id, user_id) DO NOTHING",
    )
    .bind(tool.to_string())
    .bind(user.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(crate::reference_or_backend("user"))?;
    Ok(())
}

/// Fails with `UnknownReference(what)` unless every id is in the table `count_sql` counts.
async fn check_refs(
    conn: &mut Conn,
    ids: &BTreeSet<String>,
    count_sql: &'static str,
    what: &'static str,
) -> StoreResult<()> {
    let found: i64 =
        sqlx::query_scalar(count_sql).bind(Json(ids)).fetch_one(&mut *conn).await.map_err(backend_error)?;
    if found as usize == ids.len() { Ok(()) } else { Err(StoreError::UnknownReference(what)) }
}

fn id_set(ids: &Option<Vec<Uuid>>) -> Option<BTreeSet<String>> {
    ids.as_ref().map(|ids| ids.iter().map(Uuid::to_string).collect())
}

/// Runs `[delete, insert]`: the delete with the tool id, the insert also with the new ids.
async fn replace_set(
    conn: &mut Conn,
    tool: &str,
    ids: &BTreeSet<String>,
    [delete, insert]: [&'static str; 2],
) -> StoreResult<()> {
    sqlx::query(delete).bind(tool).execute(&mut *conn).await.map_err(backend_error)?;
    sqlx::query(insert).bind(tool).bind(Json(ids)).execute(&mut *conn).await.map_err(backend_error)?;
    Ok(())
}

/// The public catalog with the viewer's marks, as a derived table `cat` (the tool columns,
/// `favorite`, `last_run_at`): `$1` category slug, `$2` profession slug (either may be NULL),
/// `$3` a JSON array of `LIKE` patterns that must all match, `$4` the viewer's id (NULL: no
/// marks), and `$5` which tools (`all`, `favorites`, `recent`). Marks are subqueries rather than
/// joins so the tool columns stay unambiguous and a tool is never listed twice.
macro_rules! catalog_from {
    () => {
        concat!(
            " FROM (SELECT ",
            tool_columns!(),
            ", EXISTS (SELECT 1 FROM favorites f WHERE f.tool_id = tools.id AND f.user_id = $4) AS favorite, \
             (SELECT MAX(r.created_at) FROM runs r WHERE r.tool_id = tools.id AND r.user_id = $4 \
               AND r.context = 'production') AS last_run_at \
             FROM tools WHERE active_version_id IS NOT NULL AND archived = FALSE \
             AND ($1 IS NULL OR EXISTS (SELECT 1 FROM tool_categories tc \
               JOIN categories c ON c.id = tc.category_id \
               WHERE tc.tool_id = tools.id AND c.slug = $1)) \
             AND ($2 IS NULL OR EXISTS (SELECT 1 FROM tool_professions tp \
               JOIN professions p ON p.id = tp.profession_id \
               WHERE tp.tool_id = tools.id AND p.slug = $2)) \
             AND NOT EXISTS (SELECT 1 FROM ",
            json_texts!("$3"),
            " WHERE tools.search_text NOT LIKE w.value ESCAPE '\\')) cat \
             WHERE ($5 <> 'favorites' OR cat.favorite) AND ($5 <> 'recent' OR cat.last_run_at IS NOT NULL)"
        )
    };
}

#[async_trait]
impl ToolStore for This {
    async fn categories(&self) -> StoreResult<Vec<Taxon>> {
        taxa(self, "SELECT id, slug, name FROM categories ORDER BY sort, name").await
    }

    async fn professions(&self) -> StoreResult<Vec<Taxon>> {
        taxa(self, "SELECT id, slug, name FROM professions ORDER BY sort, name").await
    }

    async fn create_tool(&self, new: NewTool, first: VersionContent) -> StoreResult<(Tool, ToolVersion)> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO tools (id, slug, title, summary, search_text, archived, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $6)",
        )
        .bind(id.to_string())
        .bind(&new.slug)
        .bind(&new.title)
        .bind(&new.summary)
        .bind(search_text(&new.title, &new.summary))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(conflict_or_backend("slug"))?;
        insert_maintainer(&mut tx, id, new.created_by, now).await?;
        let version =
            super::versions::insert(&mut tx, id, new.created_by, &first, None, VersionState::Draft, None, now).await?;
        let tool = load(&mut tx, id).await?.ok_or_else(|| gone("tool"))?;
        tx.commit().await.map_err(backend_error)?;
        Ok((tool, version))
    }

    async fn tool_by_id(&self, id: Uuid) -> StoreResult<Option<Tool>> {
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        load(&mut conn, id).await
    }

    async fn tool_by_slug(&self, slug: &str) -> StoreResult<Option<Tool>> {
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        let sql = concat!("SELECT ", tool_columns!(), " FROM tools WHERE slug = $1");
        one(&mut conn, sql, slug.to_owned()).await
    }

    async fn update_tool(&self, id: Uuid, patch: ToolPatch) -> StoreResult<Option<Tool>> {
        let categories = id_set(&patch.category_ids);
        let professions = id_set(&patch.profession_ids);
        let mut tx = self.write_tx().await?;
        // Every reference is checked before anything is written.
        if let Some(ids) = &categories {
            let sql =
                concat!("SELECT COUNT(*) FROM categories WHERE id IN (SELECT w.value FROM ", json_texts!("$1"), ")");
            check_refs(&mut tx, ids, sql, "category").await?;
        }
        if let Some(ids) = &professions {
            let sql =
                concat!("SELECT COUNT(*) FROM professions WHERE id IN (SELECT w.value FROM ", json_texts!("$1"), ")");
            check_refs(&mut tx, ids, sql, "profession").await?;
        }
        let key = id.to_string();
        if !lock(&mut tx, &key).await? {
            return Ok(None);
        }
        let (title, summary): (String, String) = sqlx::query_as("SELECT title, summary FROM tools WHERE id = $1")
            .bind(&key)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend_error)?;
        let title = patch.title.unwrap_or(title);
        let summary = patch.summary.unwrap_or(summary);
        sqlx::query(
            "UPDATE tools SET slug = COALESCE($2, slug), title = $3, summary = $4, search_text = $5, \
             archived = COALESCE($6, archived), updated_at = $7 WHERE id = $1",
        )
        .bind(&key)
        .bind(patch.slug)
        .bind(&title)
        .bind(&summary)
        .bind(search_text(&title, &summary))
        .bind(patch.archived)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await
        .map_err(conflict_or_backend("slug"))?;
        if let Some(ids) = &categories {
            let replace = [
                "DELETE FROM tool_categories WHERE tool_id = $1",
                concat!(
                    "INSERT INTO tool_categories (tool_id, category_id) SELECT $1, w.value FROM ",
                    json_texts!("$2")
                ),
            ];
            replace_set(&mut tx, &key, ids, replace).await?;
        }
        if let Some(ids) = &professions {
            let replace = [
                "DELETE FROM tool_professions WHERE tool_id = $1",
                concat!(
                    "INSERT INTO tool_professions (tool_id, profession_id) SELECT $1, w.value FROM ",
                    json_texts!("$2")
                ),
            ];
            replace_set(&mut tx, &key, ids, replace).await?;
        }
        let tool = load(&mut tx, id).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(tool)
    }

    async fn catalog(&self, query: &CatalogQuery, page: PageRequest) -> StoreResult<Page<CatalogEntry>> {
        let words: Vec<String> = query.q.as_deref().unwrap_or_default().split_whitespace().map(like_pattern).collect();
        let viewer = query.viewer.map(|id| id.to_string());
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*)", catalog_from!()))
            .bind(query.category.as_deref())
            .bind(query.profession.as_deref())
            .bind(Json(&words))
            .bind(&viewer)
            .bind(query.only.as_str())
            .fetch_one(&mut *conn)
            .await
            .map_err(backend_error)?;
        let sql = concat!(
            "SELECT cat.*",
            catalog_from!(),
            " ORDER BY CASE WHEN $6 = 'favorites' AND cat.favorite THEN 0 ELSE 1 END, \
             CASE WHEN $6 = 'recent' THEN cat.last_run_at END DESC NULLS LAST, cat.title, cat.id \
             LIMIT $7 OFFSET $8"
        );
        let rows: Vec<CatalogRow> = sqlx::query_as(sql)
            .bind(query.category.as_deref())
            .bind(query.profession.as_deref())
            .bind(Json(&words))
            .bind(&viewer)
            .bind(query.only.as_str())
            .bind(query.sort.as_str())
            .bind(i64::from(page.limit))
            .bind(page.offset as i64)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend_error)?;
        let marks: Vec<ToolMarks> =
            rows.iter().map(|r| ToolMarks { favorite: r.favorite, last_run_at: r.last_run_at }).collect();
        let tools = hydrate(&mut conn, rows.into_iter().map(|r| r.tool).collect()).await?;
        let items = tools.into_iter().zip(marks).map(|(tool, marks)| CatalogEntry { tool, marks }).collect();
        Ok(Page { items, total: total as u64, limit: page.limit, offset: page.offset })
    }

    async fn tools_maintained_by(&self, user: Uuid) -> StoreResult<Vec<Tool>> {
        let sql = concat!(
            "SELECT ",
            tool_columns!(),
            " FROM tools WHERE id IN (SELECT tool_id FROM tool_maintainers WHERE user_id = $1) \
             ORDER BY title, id"
        );
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        let rows: Vec<ToolRow> =
            sqlx::query_as(sql).bind(user.to_string()).fetch_all(&mut *conn).await.map_err(backend_error)?;
        hydrate(&mut conn, rows).await
    }

    /// Idempotent: adding a maintainer twice is not an error.
    async fn add_maintainer(&self, tool: Uuid, user: Uuid) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        let tools: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tools WHERE id = $1")
            .bind(tool.to_string())
            .fetch_one(&mut *conn)
            .await
            .map_err(backend_error)?;
        if tools == 0 {
            return Err(StoreError::UnknownReference("tool"));
        }
        insert_maintainer(&mut conn, tool, user, Utc::now()).await
    }

    async fn remove_maintainer(&self, tool: Uuid, user: Uuid) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM tool_maintainers WHERE tool_id = $1 AND user_id = $2")
            .bind(tool.to_string())
            .bind(user.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(done.rows_affected() > 0)
    }

    /// The maintainers of a tool, by name.
    async fn maintainers(&self, tool: Uuid) -> StoreResult<Vec<User>> {
        let sql = concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id IN (SELECT user_id FROM tool_maintainers WHERE tool_id = $1) \
             ORDER BY display_name, email"
        );
        let rows: Vec<UserRow> =
            sqlx::query_as(sql).bind(tool.to_string()).fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.into_iter().map(User::try_from).collect()
    }

    async fn tools_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<Tool>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let sql = concat!(
            "SELECT ",
            tool_columns!(),
            " FROM tools WHERE id IN (SELECT w.value FROM ",
            json_texts!("$1"),
            ")"
        );
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        let rows: Vec<ToolRow> =
            sqlx::query_as(sql).bind(Json(&ids)).fetch_all(&mut *conn).await.map_err(backend_error)?;
        hydrate(&mut conn, rows).await
    }
}

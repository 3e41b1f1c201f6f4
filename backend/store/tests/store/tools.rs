//! Taxonomy, tools, maintainers, the catalog, drafts and the version lifecycle.

use super::{each_backend, user};
use skriptoteket_domain::contract::{ActionField, FieldKind};
use skriptoteket_domain::schema::{FileRule, InputSchema, SettingsSchema};
use skriptoteket_domain::tool::{
    CatalogOnly, CatalogQuery, CatalogSort, NewTool, Tool, ToolMarks, ToolPatch, ToolVersion, VersionContent,
    VersionState,
};
use skriptoteket_domain::{PageRequest, Role, Store, StoreError};
use std::sync::Arc;
use uuid::Uuid;

const LEKTIONSPLANERING: &str = "00000000-0000-4000-8000-000000000201";
const MENTORSKAP: &str = "00000000-0000-4000-8000-000000000202";
const LARARE: &str = "00000000-0000-4000-8000-000000000101";
const REKTOR: &str = "00000000-0000-4000-8000-000000000104";

fn id(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

fn new_tool(slug: &str, title: &str, author: Uuid) -> NewTool {
    NewTool { slug: slug.into(), title: title.into(), summary: format!("Om {title}"), created_by: author }
}

/// Content with both schemas, so their JSON round-trips are covered.
fn content(source: &str) -> VersionContent {
    VersionContent {
        source: source.into(),
        entrypoint: "run_tool".into(),
        input_schema: Some(InputSchema {
            files: Some(FileRule { accept: vec![".csv".into()], min: 1, max: 2, label: Some("Elevlista".into()) }),
            fields: vec![ActionField::new("klass", FieldKind::String, "Klass")],
        }),
        settings_schema: Some(SettingsSchema { fields: vec![ActionField::new("skala", FieldKind::Integer, "Skala")] }),
        change_summary: "Första versionen".into(),
        usage_instructions: "Ladda upp **elevlistan**.".into(),
    }
}

async fn make_tool(store: &Arc<dyn Store>, slug: &str, title: &str) -> (Tool, ToolVersion, Uuid) {
    let author = user(store, Role::Contributor).await.id;
    let (tool, v1) = store.create_tool(new_tool(slug, title, author), content("print(1)")).await.unwrap();
    (tool, v1, author)
}

/// Submits and publishes `version`; returns the active version.
async fn publish(store: &Arc<dyn Store>, version: Uuid, actor: Uuid) -> ToolVersion {
    store
        .transition_version(version, VersionState::Draft, VersionState::InReview, actor, None)
        .await
        .unwrap()
        .expect("draft");
    store.publish_version(version, actor, Some("Ser bra ut".into())).await.unwrap().expect("in review")
}

fn taxa(tool: Uuid, categories: &[&str], professions: &[&str]) -> (Uuid, ToolPatch) {
    let patch = ToolPatch {
        category_ids: Some(categories.iter().map(|c| id(c)).collect()),
        profession_ids: Some(professions.iter().map(|p| id(p)).collect()),
        ..Default::default()
    };
    (tool, patch)
}

#[tokio::test]
async fn the_taxonomy_is_seeded() {
    each_backend(|store, backend| async move {
        let categories = store.categories().await.unwrap();
        let slugs: Vec<_> = categories.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(slugs, ["lektionsplanering", "mentorskap", "administration", "ovrigt"], "{backend:?}");
        assert_eq!(categories[3].name, "Övrigt");
        assert_eq!(categories[0].id, id(LEKTIONSPLANERING));
        let professions = store.professions().await.unwrap();
        let names: Vec<_> = professions.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Lärare", "Specialpedagog", "Skoladministratör", "Rektor", "Gemensamt"]);
        assert_eq!(professions[2].slug, "skoladministrator");
        assert_eq!(professions[0].id, id(LARARE));
    })
    .await;
}

#[tokio::test]
async fn creating_a_tool_adds_a_first_draft_a_maintainer_and_an_event() {
    each_backend(|store, backend| async move {
        let (tool, v1, author) = make_tool(&store, "betyg", "Betyg").await;
        assert_eq!((v1.number, v1.state, v1.revision), (1, VersionState::Draft, 1), "{backend:?}");
        assert_eq!(VersionContent::of(&v1), content("print(1)"));
        assert_eq!((v1.tool_id, v1.author_id, v1.derived_from), (tool.id, author, None));
        assert_eq!(tool.maintainer_ids, [author]);
        assert!(!tool.is_published() && tool.categories.is_empty());
        assert_eq!(store.tool_by_id(tool.id).await.unwrap().as_ref(), Some(&tool));
        assert_eq!(store.tool_by_slug("betyg").await.unwrap().as_ref(), Some(&tool));
        assert!(store.tool_by_slug("nope").await.unwrap().is_none());
        assert_eq!(store.version_by_id(v1.id).await.unwrap().as_ref(), Some(&v1));
        let events = store.version_events(tool.id).await.unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!((e.version_id, e.actor_id, e.from_state, e.to_state), (v1.id, author, None, VersionState::Draft));
        let maintainers = store.maintainers(tool.id).await.unwrap();
        assert_eq!(maintainers.iter().map(|u| u.id).collect::<Vec<_>>(), [author]);
        assert_eq!(store.tools_maintained_by(author).await.unwrap(), [tool]);
    })
    .await;
}

#[tokio::test]
async fn slugs_are_unique() {
    each_backend(|store, backend| async move {
        let (first, _, author) = make_tool(&store, "narvaro", "Närvaro").await;
        let again = store.create_tool(new_tool("narvaro", "Annan", author), VersionContent::starter()).await;
        assert!(matches!(again, Err(StoreError::Conflict("slug"))), "{backend:?}: {again:?}");
        let (second, _, _) = make_tool(&store, "franvaro", "Frånvaro").await;
        let patch = ToolPatch { slug: Some("narvaro".into()), ..Default::default() };
        let clash = store.update_tool(second.id, patch).await;
        assert!(matches!(clash, Err(StoreError::Conflict("slug"))), "{backend:?}: {clash:?}");
        assert_eq!(store.tool_by_slug("narvaro").await.unwrap().unwrap().id, first.id);
    })
    .await;
}

#[tokio::test]
async fn tool_patches_replace_taxa_and_check_references_first() {
    each_backend(|store, backend| async move {
        let (tool, _, _) = make_tool(&store, "plan", "Plan").await;
        let (_, patch) = taxa(tool.id, &[LEKTIONSPLANERING, MENTORSKAP], &[LARARE]);
        let patched = store.update_tool(tool.id, patch).await.unwrap().unwrap();
        let slugs: Vec<_> = patched.categories.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(slugs, ["lektionsplanering", "mentorskap"], "{backend:?}");
        assert_eq!(patched.professions[0].name, "Lärare");
        assert!(patched.updated_at >= tool.updated_at);

        let (_, mut patch) = taxa(tool.id, &[MENTORSKAP], &[REKTOR]);
        patch.title = Some("Ny titel".into());
        let replaced = store.update_tool(tool.id, patch).await.unwrap().unwrap();
        assert_eq!(replaced.title, "Ny titel");
        assert_eq!(replaced.categories.len(), 1);
        assert_eq!(replaced.professions[0].slug, "rektor");

        let bad = ToolPatch {
            title: Some("Ska inte sparas".into()),
            category_ids: Some(vec![Uuid::new_v4()]),
            ..Default::default()
        };
        let refused = store.update_tool(tool.id, bad).await;
        assert!(matches!(refused, Err(StoreError::UnknownReference("category"))), "{refused:?}");
        let bad = ToolPatch { profession_ids: Some(vec![id(LARARE), Uuid::new_v4()]), ..Default::default() };
        let refused = store.update_tool(tool.id, bad).await;
        assert!(matches!(refused, Err(StoreError::UnknownReference("profession"))), "{refused:?}");
        assert_eq!(store.tool_by_id(tool.id).await.unwrap().unwrap(), replaced);

        let cleared = ToolPatch { category_ids: Some(vec![]), ..Default::default() };
        let cleared = store.update_tool(tool.id, cleared).await.unwrap().unwrap();
        assert!(cleared.categories.is_empty() && cleared.professions.len() == 1);
        assert!(store.update_tool(Uuid::new_v4(), ToolPatch::default()).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn maintainers_are_added_idempotently_and_removed() {
    each_backend(|store, backend| async move {
        let (tool, _, author) = make_tool(&store, "m", "M").await;
        let other = user(&store, Role::Contributor).await.id;
        store.add_maintainer(tool.id, other).await.unwrap();
        store.add_maintainer(tool.id, other).await.unwrap();
        let ids = store.tool_by_id(tool.id).await.unwrap().unwrap().maintainer_ids;
        assert_eq!(ids, [author, other], "{backend:?}");
        assert_eq!(store.maintainers(tool.id).await.unwrap().len(), 2);
        assert!(store.remove_maintainer(tool.id, other).await.unwrap());
        assert!(!store.remove_maintainer(tool.id, other).await.unwrap());
        assert!(store.tools_maintained_by(other).await.unwrap().is_empty());
        let no_tool = store.add_maintainer(Uuid::new_v4(), other).await;
        assert!(matches!(no_tool, Err(StoreError::UnknownReference("tool"))), "{no_tool:?}");
        let no_user = store.add_maintainer(tool.id, Uuid::new_v4()).await;
        assert!(matches!(no_user, Err(StoreError::UnknownReference("user"))), "{no_user:?}");
    })
    .await;
}

#[tokio::test]
async fn the_catalog_shows_published_tools_filtered_and_paged() {
    each_backend(|store, backend| async move {
        let admin = user(&store, Role::Admin).await.id;
        let mut published = Vec::new();
        for (slug, title, category, profession) in [
            ("oversikt", "Betygsöversikt", LEKTIONSPLANERING, LARARE),
            ("narvaro", "Närvaro 100%", MENTORSKAP, REKTOR),
            ("arkiv", "Arkiverad översikt", MENTORSKAP, LARARE),
        ] {
            let (tool, v1, _) = make_tool(&store, slug, title).await;
            let (_, patch) = taxa(tool.id, &[category], &[profession]);
            store.update_tool(tool.id, patch).await.unwrap();
            publish(&store, v1.id, admin).await;
            published.push(tool.id);
        }
        make_tool(&store, "utkast", "Översikt utkast").await;
        let archived = ToolPatch { archived: Some(true), ..Default::default() };
        store.update_tool(published[2], archived).await.unwrap();

        let find = |q: Option<&str>, category: Option<&str>, profession: Option<&str>| {
            let store = store.clone();
            let query = CatalogQuery {
                q: q.map(Into::into),
                category: category.map(Into::into),
                profession: profession.map(Into::into),
                ..Default::default()
            };
            async move {
                let page = store.catalog(&query, PageRequest::default()).await.unwrap();
                page.items.into_iter().map(|t| t.tool.title).collect::<Vec<_>>()
            }
        };
        assert_eq!(find(None, None, None).await, ["Betygsöversikt", "Närvaro 100%"], "{backend:?}");
        // Words are matched case-insensitively (å/ä/ö too), each against title or summary.
        assert_eq!(find(Some("ÖVERSIKT"), None, None).await, ["Betygsöversikt"]);
        assert_eq!(find(Some("om  betyg"), None, None).await, ["Betygsöversikt"]);
        assert!(find(Some("betyg närvaro"), None, None).await.is_empty());
        // LIKE's wildcards in the user's words are taken literally.
        assert_eq!(find(Some("0%"), None, None).await, ["Närvaro 100%"]);
        assert!(find(Some("%"), None, None).await.len() == 1);
        assert!(find(Some("betyg_"), None, None).await.is_empty());
        assert_eq!(find(None, Some("mentorskap"), None).await, ["Närvaro 100%"]);
        assert_eq!(find(None, None, Some("larare")).await, ["Betygsöversikt"]);
        assert!(find(None, Some("mentorskap"), Some("larare")).await.is_empty());
        assert!(find(None, Some("okand"), None).await.is_empty());

        let page = store.catalog(&CatalogQuery::default(), PageRequest::new(Some(1), Some(1))).await.unwrap();
        assert_eq!((page.total, page.items.len()), (2, 1));
        let tool = &page.items[0].tool;
        assert_eq!(page.items[0].marks, ToolMarks::default(), "no viewer, no marks");
        assert_eq!(tool.title, "Närvaro 100%");
        assert_eq!((tool.categories[0].slug.as_str(), tool.professions[0].slug.as_str()), ("mentorskap", "rektor"));
        assert_eq!(tool.maintainer_ids.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn drafts_save_only_at_the_expected_revision() {
    each_backend(|store, backend| async move {
        let (_, v1, author) = make_tool(&store, "d", "D").await;
        let editor = user(&store, Role::Contributor).await.id;
        let saved = store.save_draft(v1.id, 1, content("print(2)"), editor).await.unwrap().expect("revision 1 matches");
        assert_eq!((saved.revision, saved.source.as_str(), saved.author_id), (2, "print(2)", editor), "{backend:?}");
        assert!(saved.updated_at >= v1.updated_at);
        let stale = store.save_draft(v1.id, 1, content("print(3)"), author).await.unwrap();
        assert!(stale.is_none(), "a stale revision must not overwrite");
        store
            .transition_version(v1.id, VersionState::Draft, VersionState::InReview, author, None)
            .await
            .unwrap()
            .unwrap();
        let in_review = store.save_draft(v1.id, 2, content("print(4)"), author).await.unwrap();
        assert!(in_review.is_none(), "only drafts are saved");
        assert_eq!(store.version_by_id(v1.id).await.unwrap().unwrap().source, "print(2)");
        assert!(store.save_draft(Uuid::new_v4(), 1, content("x"), author).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn publishing_archives_the_previous_version_and_rollback_copies_forward() {
    each_backend(|store, backend| async move {
        let (tool, v1, author) = make_tool(&store, "liv", "Livscykel").await;
        let admin = user(&store, Role::Admin).await.id;
        let v1 = publish(&store, v1.id, admin).await;
        assert_eq!(v1.state, VersionState::Active, "{backend:?}");
        let live = store.tool_by_id(tool.id).await.unwrap().unwrap();
        assert_eq!(live.active_version_id, Some(v1.id));

        let v2 = store.create_version(tool.id, author, content("print(2)"), Some(v1.id)).await.unwrap();
        assert_eq!((v2.number, v2.state, v2.derived_from), (2, VersionState::Draft, Some(v1.id)));
        // Request changes, then submit again.
        store
            .transition_version(v2.id, VersionState::Draft, VersionState::InReview, author, None)
            .await
            .unwrap()
            .unwrap();
        let queue: Vec<_> =
            store.versions_in_state(VersionState::InReview).await.unwrap().iter().map(|v| v.id).collect();
        assert_eq!(queue, [v2.id], "the review queue lists exactly the version in review");
        let back = store
            .transition_version(v2.id, VersionState::InReview, VersionState::Draft, admin, Some("Byt namn".into()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((back.state, back.review_message.as_deref()), (VersionState::Draft, Some("Byt namn")));
        let wrong =
            store.transition_version(v2.id, VersionState::InReview, VersionState::Active, admin, None).await.unwrap();
        assert!(wrong.is_none(), "a version not in `from` is not moved");
        assert!(store.publish_version(v2.id, admin, None).await.unwrap().is_none(), "drafts are not published");
        let v2 = publish(&store, v2.id, admin).await;
        assert_eq!(v2.state, VersionState::Active);
        assert_eq!(store.version_by_id(v1.id).await.unwrap().unwrap().state, VersionState::Archived);
        assert_eq!(store.tool_by_id(tool.id).await.unwrap().unwrap().active_version_id, Some(v2.id));

        let v3 = store.rollback_to(v1.id, admin, Some("Tillbaka".into())).await.unwrap().unwrap();
        assert_eq!((v3.number, v3.state, v3.derived_from), (3, VersionState::Active, Some(v1.id)));
        assert_eq!((v3.source.as_str(), v3.author_id), (v1.source.as_str(), admin));
        assert_eq!(VersionContent::of(&v3), VersionContent::of(&v1));
        assert_eq!(store.version_by_id(v2.id).await.unwrap().unwrap().state, VersionState::Archived);
        assert_eq!(store.version_by_id(v1.id).await.unwrap().unwrap().state, VersionState::Archived);
        assert_eq!(store.tool_by_id(tool.id).await.unwrap().unwrap().active_version_id, Some(v3.id));
        assert!(store.rollback_to(v3.id, admin, None).await.unwrap().is_none(), "only archived versions");
        assert!(store.rollback_to(Uuid::new_v4(), admin, None).await.unwrap().is_none());

        let numbers: Vec<_> = store.versions_of_tool(tool.id).await.unwrap().iter().map(|v| v.number).collect();
        assert_eq!(numbers, [3, 2, 1]);
        let number = |id: Uuid| [v1.id, v2.id, v3.id].iter().position(|v| *v == id).unwrap() + 1;
        let history: Vec<_> = store
            .version_events(tool.id)
            .await
            .unwrap()
            .iter()
            .map(|e| (number(e.version_id), e.from_state.map(|s| s.as_str()), e.to_state.as_str(), e.message.clone()))
            .collect();
        let s = |s: &str| Some(s.to_owned());
        assert_eq!(
            history,
            [
                (3, None, "active", s("Tillbaka")),
                (2, Some("active"), "archived", None),
                (2, Some("in_review"), "active", s("Ser bra ut")),
                (1, Some("active"), "archived", None),
                (2, Some("draft"), "in_review", None),
                (2, Some("in_review"), "draft", s("Byt namn")),
                (2, Some("draft"), "in_review", None),
                (2, None, "draft", None),
                (1, Some("in_review"), "active", s("Ser bra ut")),
                (1, Some("draft"), "in_review", None),
                (1, None, "draft", None),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn archiving_the_active_version_unpublishes_the_tool() {
    each_backend(|store, backend| async move {
        let (tool, v1, _) = make_tool(&store, "a", "A").await;
        let admin = user(&store, Role::Admin).await.id;
        publish(&store, v1.id, admin).await;
        store
            .transition_version(v1.id, VersionState::Active, VersionState::Archived, admin, None)
            .await
            .unwrap()
            .unwrap();
        let tool = store.tool_by_id(tool.id).await.unwrap().unwrap();
        assert_eq!(tool.active_version_id, None, "{backend:?}");
        let unknown = store.create_version(Uuid::new_v4(), admin, content("x"), None).await;
        assert!(matches!(unknown, Err(StoreError::UnknownReference("tool"))), "{unknown:?}");
    })
    .await;
}

#[tokio::test]
async fn tools_and_their_versions_are_read_in_batches() {
    each_backend(|store, backend| async move {
        let (a, a1, author) = make_tool(&store, "batch-a", "A").await;
        let a2 = store.create_version(a.id, author, content("print(2)"), Some(a1.id)).await.unwrap();
        let (b, b1, _) = make_tool(&store, "batch-b", "B").await;
        let (_, c1, _) = make_tool(&store, "batch-c", "C").await;

        let mut tools = store.tools_by_ids(&[b.id, a.id, Uuid::new_v4()]).await.unwrap();
        tools.sort_by_key(|t| t.slug.clone());
        assert_eq!(tools.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["batch-a", "batch-b"], "{backend:?}");
        assert_eq!(tools[0].maintainer_ids, vec![author], "{backend:?}: hydrated like one tool");
        assert!(store.tools_by_ids(&[]).await.unwrap().is_empty());

        let versions = store.versions_of_tools(&[a.id, b.id]).await.unwrap();
        let ids: Vec<Uuid> = versions.iter().map(|v| v.id).collect();
        assert!(!ids.contains(&c1.id), "{backend:?}: only the asked tools");
        let of_a: Vec<Uuid> = versions.iter().filter(|v| v.tool_id == a.id).map(|v| v.id).collect();
        assert_eq!(of_a, vec![a2.id, a1.id], "{backend:?}: newest first within a tool");
        assert!(ids.contains(&b1.id));
    })
    .await;
}

#[tokio::test]
async fn usage_instructions_are_kept_per_version_and_seen_per_user() {
    each_backend(|store, backend| async move {
        let (tool, v1, author) = make_tool(&store, "instruktioner", "Instruktioner").await;
        assert_eq!(v1.usage_instructions, "Ladda upp **elevlistan**.", "{backend:?}");
        let mut changed = content("print(2)");
        changed.usage_instructions = "Nya steg".into();
        let saved = store.save_draft(v1.id, v1.revision, changed, author).await.unwrap().unwrap();
        assert_eq!(saved.usage_instructions, "Nya steg");
        let reader = user(&store, Role::User).await.id;
        assert_eq!(store.usage_seen(reader, tool.id).await.unwrap(), None);
        store.mark_usage_seen(reader, tool.id, "abc").await.unwrap();
        store.mark_usage_seen(reader, tool.id, "def").await.unwrap();
        assert_eq!(store.usage_seen(reader, tool.id).await.unwrap().as_deref(), Some("def"), "{backend:?}");
        assert_eq!(store.usage_seen(author, tool.id).await.unwrap(), None, "per user");
        let unknown = store.mark_usage_seen(reader, Uuid::new_v4(), "x").await;
        assert!(matches!(unknown, Err(StoreError::UnknownReference("tool"))), "{backend:?}: {unknown:?}");
    })
    .await;
}

#[tokio::test]
async fn favorites_and_recent_runs_mark_filter_and_order_the_catalog() {
    use skriptoteket_domain::run::{NewRun, RunContext};
    each_backend(|store, backend| async move {
        let admin = user(&store, Role::Admin).await.id;
        let (me, other) = (user(&store, Role::User).await.id, user(&store, Role::User).await.id);
        let mut tools = Vec::new();
        for (slug, title) in [("a", "Anteckningar"), ("b", "Betyg"), ("c", "Close reading"), ("d", "Diagram")] {
            let (tool, v1, _) = make_tool(&store, slug, title).await;
            publish(&store, v1.id, admin).await;
            tools.push((tool.id, v1.id));
        }
        let run = |tool: (Uuid, Uuid), user: Uuid, context: RunContext| NewRun {
            id: Uuid::now_v7(),
            tool_id: tool.0,
            version_id: tool.1,
            context,
            user_id: user,
            inputs: serde_json::json!({}),
            files: vec![],
            settings: serde_json::json!({}),
            action: None,
            parent_run_id: None,
            source_override: None,
            timeout_seconds: 120,
            request_id: None,
            files_from: None,
            batch_id: None,
        };
        // I ran Diagram, then Betyg (twice: the newest counts); a test run and someone else's
        // run do not count.
        for (tool, user, context) in [
            (tools[3], me, RunContext::Production),
            (tools[1], me, RunContext::Production),
            (tools[0], me, RunContext::Sandbox),
            (tools[2], other, RunContext::Production),
            (tools[1], me, RunContext::Production),
        ] {
            store.enqueue_run(run(tool, user, context), 100).await.unwrap().unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        store.set_favorite(me, tools[2].0, true).await.unwrap();
        store.set_favorite(me, tools[2].0, true).await.unwrap(); // idempotent
        store.set_favorite(me, tools[0].0, true).await.unwrap();
        store.set_favorite(other, tools[1].0, true).await.unwrap();

        let list = |only: CatalogOnly, sort: CatalogSort, viewer: Option<Uuid>| {
            let store = store.clone();
            async move {
                let query = CatalogQuery { viewer, only, sort, ..Default::default() };
                let page = store.catalog(&query, PageRequest::default()).await.unwrap();
                let titles: Vec<String> = page.items.iter().map(|e| e.tool.title.clone()).collect();
                assert_eq!(page.total as usize, titles.len());
                (titles, page.items.into_iter().map(|e| e.marks).collect::<Vec<_>>())
            }
        };
        let (titles, marks) = list(CatalogOnly::All, CatalogSort::Title, Some(me)).await;
        assert_eq!(titles, ["Anteckningar", "Betyg", "Close reading", "Diagram"], "{backend:?}");
        assert_eq!(marks.iter().map(|m| m.favorite).collect::<Vec<_>>(), [true, false, true, false]);
        assert_eq!(marks.iter().map(|m| m.last_run_at.is_some()).collect::<Vec<_>>(), [false, true, false, true]);

        assert_eq!(
            list(CatalogOnly::Favorites, CatalogSort::Title, Some(me)).await.0,
            ["Anteckningar", "Close reading"]
        );
        assert_eq!(
            list(CatalogOnly::All, CatalogSort::Favorites, Some(me)).await.0,
            ["Anteckningar", "Close reading", "Betyg", "Diagram"]
        );
        assert_eq!(
            list(CatalogOnly::Recent, CatalogSort::Recent, Some(me)).await.0,
            ["Betyg", "Diagram"],
            "{backend:?}"
        );
        assert_eq!(
            list(CatalogOnly::All, CatalogSort::Recent, Some(me)).await.0,
            ["Betyg", "Diagram", "Anteckningar", "Close reading"]
        );
        assert!(list(CatalogOnly::Favorites, CatalogSort::Title, None).await.0.is_empty());
        assert_eq!(list(CatalogOnly::Favorites, CatalogSort::Title, Some(other)).await.0, ["Betyg"]);

        let marks = store.tool_marks(me, tools[1].0).await.unwrap();
        assert!(!marks.favorite && marks.last_run_at.is_some(), "{backend:?}: {marks:?}");
        store.set_favorite(me, tools[2].0, false).await.unwrap();
        store.set_favorite(me, tools[2].0, false).await.unwrap(); // idempotent
        assert_eq!(store.tool_marks(me, tools[2].0).await.unwrap(), ToolMarks::default());
        assert!(matches!(store.set_favorite(me, Uuid::new_v4(), true).await, Err(StoreError::UnknownReference(_))));
    })
    .await;
}

//! Example tools for a fresh install (SPEC §7 asks for a CSV grade summary and an interactive
//! tool), published in the name of the first superuser or admin. Idempotent by slug.

use anyhow::Context;
use skriptoteket_domain::contract::{ActionField, EnumOption, FieldKind};
use skriptoteket_domain::schema::{FileRule, InputSchema, SettingsSchema};
use skriptoteket_domain::tool::{NewTool, ToolPatch, VersionContent, VersionState};
use skriptoteket_domain::{PageRequest, Role, Store};

struct Example {
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    source: &'static str,
    categories: &'static [&'static str],
    professions: &'static [&'static str],
    input_schema: fn() -> InputSchema,
    settings_schema: Option<fn() -> SettingsSchema>,
}

fn examples() -> [Example; 2] {
    [
        Example {
            slug: "betygsoversikt",
            title: "Betygsöversikt",
            summary: "Sammanfattar en CSV med elevresultat per kolumn och ger en Excel-fil att ladda ner.",
            source: include_str!("grade_summary.py"),
            categories: &["administration"],
            professions: &["larare", "gemensamt"],
            input_schema: || InputSchema {
                files: Some(FileRule {
                    accept: vec![".csv".into()],
                    min: 1,
                    max: 1,
                    label: Some("Resultat som CSV".into()),
                }),
                fields: vec![],
            },
            settings_schema: Some(|| SettingsSchema {
                fields: vec![ActionField {
                    options: vec![
                        EnumOption { value: ",".into(), label: "Komma (,)".into() },
                        EnumOption { value: ";".into(), label: "Semikolon (;)".into() },
                    ],
                    help: Some("Hur kolumnerna är åtskilda i dina CSV-filer.".into()),
                    ..ActionField::new("separator", FieldKind::Enum, "Avgränsare")
                }],
            }),
        },
        Example {
            slug: "gruppindelning",
            title: "Gruppindelning",
            summary: "Delar in en klass i slumpade grupper. Interaktivt: välj storlek och slumpa om tills det känns rätt.",
            source: include_str!("group_maker.py"),
            categories: &["lektionsplanering"],
            professions: &["larare", "specialpedagog"],
            input_schema: || InputSchema {
                files: Some(FileRule {
                    accept: vec![".csv".into(), ".txt".into()],
                    min: 0,
                    max: 1,
                    label: Some("Klasslista (valfri)".into()),
                }),
                fields: vec![ActionField {
                    help: Some("Ett namn per rad, om du inte laddar upp en klasslista.".into()),
                    ..ActionField::new("names", FieldKind::Text, "Namn")
                }],
            },
            settings_schema: None,
        },
    ]
}

/// Adds the examples that are missing; returns how many were added. Needs an admin or
/// superuser to publish them; without one it adds nothing.
pub async fn seed_examples(store: &dyn Store) -> anyhow::Result<usize> {
    let users = store.list_users(PageRequest::new(Some(100), None)).await?;
    let Some(owner) = users.items.iter().filter(|u| u.role >= Role::Admin && !u.disabled).max_by_key(|u| u.role) else {
        return Ok(0);
    };
    let categories = store.categories().await?;
    let professions = store.professions().await?;
    let ids = |list: &[skriptoteket_domain::tool::Taxon], slugs: &[&str]| {
        list.iter().filter(|t| slugs.contains(&t.slug.as_str())).map(|t| t.id).collect::<Vec<_>>()
    };
    let mut added = 0;
    for example in examples() {
        if store.tool_by_slug(example.slug).await?.is_some() {
            continue;
        }
        let content = VersionContent {
            source: example.source.to_owned(),
            entrypoint: "run_tool".into(),
            input_schema: Some((example.input_schema)()),
            settings_schema: example.settings_schema.map(|f| f()),
            change_summary: "Exempelverktyg".into(),
        };
        let new = NewTool {
            slug: example.slug.into(),
            title: example.title.into(),
            summary: example.summary.into(),
            created_by: owner.id,
        };
        let (tool, draft) = store.create_tool(new, content).await.context("creating an example tool")?;
        let patch = ToolPatch {
            category_ids: Some(ids(&categories, example.categories)),
            profession_ids: Some(ids(&professions, example.professions)),
            ..Default::default()
        };
        store.update_tool(tool.id, patch).await?;
        store.transition_version(draft.id, VersionState::Draft, VersionState::InReview, owner.id, None).await?;
        store.publish_version(draft.id, owner.id, Some("Exempel vid installation".into())).await?;
        added += 1;
    }
    Ok(added)
}

//! Example tools for a fresh install (SPEC §7 asks for a CSV grade summary and an interactive
//! tool; two more make real documents: a PDF through `pdf_helper` and a Word file through
//! pandoc), published in the name of the first superuser or admin. Idempotent by slug.

use anyhow::Context;
use skriptoteket_domain::Store;
use skriptoteket_domain::contract::{ActionField, EnumOption, FieldKind};
use skriptoteket_domain::schema::{FileRule, InputSchema, SettingsSchema};
use skriptoteket_domain::tool::{NewTool, ToolPatch, VersionContent, VersionState};

struct Example {
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    source: &'static str,
    categories: &'static [&'static str],
    professions: &'static [&'static str],
    input_schema: fn() -> InputSchema,
    settings_schema: Option<fn() -> SettingsSchema>,
    /// Usage instructions (Markdown) shown on the tool page.
    usage: &'static str,
}

fn examples() -> [Example; 4] {
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
            usage: "1. Exportera resultaten som **CSV** med en rad per elev och en kolumn per prov.\n\
                    2. Ladda upp filen och tryck **Kör**.\n\
                    3. Ladda ner Excel-filen med medel, min och max per kolumn.\n\n\
                    Använder du semikolon mellan kolumnerna? Välj det under ⚙ Inställningar.",
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
            usage: "Skriv ett namn per rad eller ladda upp en klasslista. Välj sedan gruppstorlek \
                    och slumpa om tills indelningen känns rätt.",
        },
        Example {
            slug: "klassintyg",
            title: "Klassintyg",
            summary: "Gör ett intyg per elev som en PDF att skriva ut: namn, kurs och datum.",
            source: include_str!("class_certificate.py"),
            categories: &["administration"],
            professions: &["larare", "skoladministrator"],
            input_schema: || InputSchema {
                files: None,
                fields: vec![
                    ActionField {
                        required: true,
                        help: Some("Ett namn per rad (högst 200).".into()),
                        ..ActionField::new("names", FieldKind::Text, "Elevernas namn")
                    },
                    ActionField {
                        required: true,
                        max_length: Some(120),
                        ..ActionField::new("course", FieldKind::String, "Kurs")
                    },
                    ActionField {
                        max_length: Some(10),
                        help: Some("ÅÅÅÅ-MM-DD; dagens datum om du lämnar det tomt.".into()),
                        ..ActionField::new("date", FieldKind::String, "Datum")
                    },
                ],
            },
            settings_schema: None,
            usage: "Klistra in elevernas namn, ett per rad, och skriv kursens namn. Du får en PDF \
                    med ett intyg per sida, redo att skriva ut.",
        },
        Example {
            slug: "markdown-till-word",
            title: "Markdown till Word",
            summary: "Gör om Markdown-text till ett Word-dokument (.docx) med rubriker, listor och tabeller.",
            source: include_str!("markdown_to_docx.py"),
            categories: &["lektionsplanering", "administration"],
            professions: &["larare", "gemensamt"],
            input_schema: || InputSchema {
                files: Some(FileRule {
                    accept: vec![".md".into(), ".markdown".into(), ".txt".into()],
                    min: 0,
                    max: 1,
                    label: Some("Markdown-fil (valfri)".into()),
                }),
                fields: vec![ActionField {
                    help: Some("Skriv eller klistra in text här om du inte laddar upp en fil.".into()),
                    ..ActionField::new("markdown", FieldKind::Text, "Markdown")
                }],
            },
            settings_schema: None,
            usage: "Ladda upp en `.md`-fil eller skriv direkt i rutan: `# Rubrik`, `- punkt`, \
                    `**fet**`. Word-filen går att öppna och redigera vidare i Word eller LibreOffice.",
        },
    ]
}

/// Adds the examples that are missing; returns how many were added. Needs an admin or
/// superuser to publish them; without one it adds nothing.
pub async fn seed_examples(store: &dyn Store) -> anyhow::Result<usize> {
    let owner = crate::services::users::installation_owner(store).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(owner) = owner else {
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
            usage_instructions: example.usage.into(),
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

//! A person's data as a whole (issue 14): everything held about them as a streamed zip, and
//! erasing their run history (runs, uploads, artifacts, settings; the account stays). Admins
//! can do both for anyone, and erase a person entirely: their data everywhere, their account
//! replaced by a disabled placeholder, the tools they authored handed to the remaining
//! maintainers or the acting admin. Each export and erase leaves a `PrivacyEvent` with counts
//! only.

use crate::archive::{self, Entry};
use crate::auth::CurrentUser;
use crate::blobs::Area;
use crate::error::{ApiError, ApiResult};
use crate::services::access::can_edit;
use crate::state::AppState;
use chrono::Utc;
use serde_json::{Value, json};
use skriptoteket_domain::privacy::{ErasedHistory, PrivacyAction, PrivacyEvent, ToolHandover};
use skriptoteket_domain::run::{Run, RunQuery, RunStatus};
use skriptoteket_domain::tool::Tool;
use skriptoteket_domain::{Page, PageRequest, Role, User};
use std::collections::HashMap;
use uuid::Uuid;

/// Whose data: my own, or (admins) anyone's.
#[derive(Clone, Copy)]
pub enum Subject {
    Me,
    User(Uuid),
}

async fn subject_user(state: &AppState, user: &CurrentUser, subject: Subject) -> ApiResult<User> {
    match subject {
        Subject::Me => Ok(user.user.clone()),
        Subject::User(id) => {
            user.require(Role::Admin)?;
            state.store.user_by_id(id).await?.ok_or_else(|| ApiError::not_found("The user"))
        }
    }
}

/// Everything held about the subject, as archive entries: JSON documents and the kept files.
pub async fn export(state: &AppState, user: &CurrentUser, subject: Subject) -> ApiResult<(User, Vec<Entry>)> {
    let person = subject_user(state, user, subject).await?;
    let runs = state.store.runs_of_user(person.id).await?;
    let settings = state.store.settings_of_user(person.id).await?;
    let favorites = state.store.favorites_of_user(person.id).await?;
    let mut tool_ids: Vec<Uuid> = runs.iter().map(|r| r.tool_id).collect();
    tool_ids.sort();
    tool_ids.dedup();
    let tools: HashMap<Uuid, Tool> =
        state.store.tools_by_ids(&tool_ids).await?.into_iter().map(|t| (t.id, t)).collect();

    let mut entries = vec![
        Entry::bytes("LASMIG.txt", README.as_bytes().to_vec()),
        json_entry("profile.json", &profile(&person)),
        json_entry("settings.json", &json!(settings)),
        json_entry("favorites.json", &json!(favorites)),
        json_entry("runs.json", &Value::Array(runs.iter().map(|r| run_json(user, r, tools.get(&r.tool_id))).collect())),
    ];
    let (mut files, mut bytes) = (0u64, 0u64);
    for run in &runs {
        let folder = run.id.to_string();
        if run.files_from == Some(run.id) && run.upload_bytes.is_some() {
            for file in &run.files {
                let name = format!("uploads/{folder}/{}", archive::segment(&file.name));
                entries.push(Entry::blob(name, Area::Uploads, file.stored_as.clone()));
                (files, bytes) = (files + 1, bytes + file.bytes);
            }
        }
        for artifact in &run.artifacts {
            let name = format!("artifacts/{folder}/{}", artifact.name);
            entries.push(Entry::blob(name, Area::Artifacts, artifact.stored_as.clone()));
            (files, bytes) = (files + 1, bytes + artifact.bytes);
        }
    }
    let summary = json!({ "runs": runs.len(), "files": files, "bytes": bytes });
    audit(state, user, &person, PrivacyAction::Export, summary).await?;
    Ok((person, entries))
}

/// Erases the subject's run history; the account stays. Runs still going are cancelled first.
pub async fn erase_runs(state: &AppState, user: &CurrentUser, subject: Subject) -> ApiResult<ErasedHistory> {
    let person = subject_user(state, user, subject).await?;
    let erased = erase_history(state, person.id).await?;
    audit(state, user, &person, PrivacyAction::EraseRuns, history_summary(&erased)).await?;
    Ok(erased)
}

/// What erasing a person did.
pub struct ErasedUser {
    pub history: ErasedHistory,
    pub tools: ToolHandover,
}

/// Erases a person (admins): their history, their account (a disabled placeholder keeps the
/// authorship records of tools intact) and their place as a maintainer, handing their tools on.
pub async fn erase_user(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<ErasedUser> {
    let person = subject_user(state, user, Subject::User(id)).await?;
    if person.id == user.user.id {
        return Err(ApiError::conflict("cannot_erase_self", "You cannot erase your own account; ask another admin."));
    }
    if !user.role().can_manage(person.role) {
        return Err(ApiError::forbidden(
            "forbidden",
            format!("You may not erase accounts with the {} role.", person.role),
        ));
    }
    let history = erase_history(state, person.id).await?;
    let tools = state.store.hand_over_tools(person.id, user.user.id).await?;
    state.store.anonymize_user(person.id).await?;
    state.user_changed(person.id);
    state.catalog_changed();
    let mut summary = history_summary(&history);
    summary["tools_handed_over"] = json!(tools.tools);
    summary["tools_to_admin"] = json!(tools.to_admin);
    audit(state, user, &person, PrivacyAction::EraseUser, summary).await?;
    Ok(ErasedUser { history, tools })
}

/// The audit of exports and erasures (admins), newest first; optionally of one person.
pub async fn events(
    state: &AppState,
    user: &CurrentUser,
    subject: Option<Uuid>,
    page: PageRequest,
) -> ApiResult<Page<PrivacyEvent>> {
    user.require(Role::Admin)?;
    Ok(state.store.privacy_events(subject, page).await?)
}

async fn erase_history(state: &AppState, person: Uuid) -> ApiResult<ErasedHistory> {
    for run in active_runs(state, person).await? {
        crate::services::runs::stop(state, run).await?;
    }
    let erased = state.store.erase_history(person).await?;
    let blobs = state.runs.blobs();
    for id in &erased.runs {
        for area in [Area::Uploads, Area::Artifacts] {
            if let Err(e) = blobs.remove(area, *id).await {
                tracing::warn!(error = %e, run = %id, ?area, "removing an erased run's files failed");
            }
        }
    }
    state.storage_changed(Some(person));
    state.catalog_changed();
    Ok(erased)
}

/// The person's runs still waiting or going, from the run list (no logs or payloads loaded).
async fn active_runs(state: &AppState, person: Uuid) -> ApiResult<Vec<Uuid>> {
    let mut ids = Vec::new();
    for status in [RunStatus::Queued, RunStatus::Running] {
        let query = RunQuery { user_id: Some(person), status: Some(status), ..RunQuery::default() };
        let mut offset = 0;
        loop {
            let page = PageRequest::new(Some(PageRequest::MAX_LIMIT), Some(offset));
            let found = state.store.list_runs(&query, page).await?;
            offset += found.items.len() as u64;
            let more = found.items.len() as u32 == page.limit;
            ids.extend(found.items.into_iter().map(|r| r.id));
            if !more {
                break;
            }
        }
    }
    Ok(ids)
}

fn history_summary(erased: &ErasedHistory) -> Value {
    json!({
        "runs": erased.runs.len(),
        "artifacts": erased.artifacts,
        "bytes": erased.bytes,
        "settings": erased.settings,
        "favorites": erased.favorites,
        "batches": erased.batches,
    })
}

async fn audit(
    state: &AppState,
    actor: &CurrentUser,
    subject: &User,
    action: PrivacyAction,
    summary: Value,
) -> ApiResult<()> {
    let event = PrivacyEvent {
        id: Uuid::now_v7(),
        action,
        actor_id: Some(actor.user.id),
        subject_id: subject.id,
        summary,
        created_at: Utc::now(),
    };
    state.store.record_privacy_event(event).await?;
    tracing::info!(action = action.as_str(), subject = %subject.id, actor = %actor.user.id, "privacy action");
    Ok(())
}

fn json_entry(name: &str, value: &Value) -> Entry {
    Entry::bytes(name, serde_json::to_vec_pretty(value).unwrap_or_default())
}

fn profile(person: &User) -> Value {
    json!({
        "id": person.id,
        "email": person.email,
        "display_name": person.display_name,
        "role": person.role,
        "disabled": person.disabled,
        "created_at": person.created_at,
    })
}

/// A run as the export lists it. Technical output (stderr) only where the viewer may see it
/// anywhere else (the tool's maintainers and admins).
fn run_json(viewer: &CurrentUser, run: &Run, tool: Option<&Tool>) -> Value {
    let show_stderr = tool.is_some_and(|t| can_edit(viewer, t));
    json!({
        "id": run.id,
        "tool": tool.map(|t| json!({ "id": t.id, "slug": t.slug, "title": t.title })),
        "version_id": run.version_id,
        "context": run.context,
        "status": run.status,
        "inputs": run.inputs,
        "files": run.files.iter().map(|f| json!({ "name": f.name, "bytes": f.bytes })).collect::<Vec<_>>(),
        "settings": run.settings,
        "action": run.action,
        "batch_id": run.batch_id,
        "stdout": run.stdout,
        "stderr": if show_stderr { Value::String(run.stderr.clone()) } else { Value::Null },
        "ui": run.ui,
        "error_code": run.error.as_ref().map(|e| e.code),
        "error_params": run.error.as_ref().map(|e| &e.params),
        "error_summary": run.error_summary,
        "artifacts": run.artifacts.iter().map(|a| json!({ "name": a.name, "bytes": a.bytes })).collect::<Vec<_>>(),
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    })
}

const README: &str = "\
Det här är allt Skriptoteket har sparat om dig när arkivet skapades.

profile.json    ditt konto (namn, e-post, roll)
settings.json   dina sparade inställningar för verktyg
favorites.json  verktyg du har stjärnmärkt
runs.json       dina körningar: indata, inställningar, resultat och felkoder
uploads/        filer du laddat upp som fortfarande sparas (en mapp per körning)
artifacts/      filer verktygen skapat åt dig som fortfarande sparas (en mapp per körning)

Uppladdade filer sparas i 24 timmar efter sista körningen och verktygens filer i 7 dagar,
så äldre körningar finns kvar i runs.json men utan filer.
";

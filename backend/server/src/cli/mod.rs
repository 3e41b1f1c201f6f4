//! The non-serving subcommands: `migrate`, `users create|set-role`, `openapi`, `seed`,
//! `runner check`, `artifacts prune`, `tools import`.

mod maintenance;

pub use maintenance::{artifacts, runner_check, seed};

use crate::config::{DbArgs, ToolsCommand, UsersCommand};
use crate::error::ApiError;
use crate::services::bundles::import_as;
use crate::services::users::{CreateUser, create_unchecked};
use anyhow::Context;
use skriptoteket_domain::User;
use skriptoteket_domain::bundle::ToolBundle;
use skriptoteket_domain::{Store, UserPatch};
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

pub(crate) async fn open(db: &DbArgs) -> anyhow::Result<Arc<dyn Store>> {
    std::fs::create_dir_all(&db.data_dir)?;
    skriptoteket_store::connect(&db.database_url(), true).await.context("opening the database")
}

pub async fn migrate(db: &DbArgs) -> anyhow::Result<()> {
    let store = open(db).await?;
    println!("migrations applied ({})", store.dialect());
    Ok(())
}

pub async fn users(command: UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::Create { email, role, name, db } => {
            let store = open(&db).await?;
            let password = read_password()?;
            let display_name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
            let user = create_unchecked(store.as_ref(), CreateUser { email, display_name, role, password })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created {} ({}) with id {}", user.email, user.role, user.id);
        }
        UsersCommand::SetRole { email, role, db } => {
            let store = open(&db).await?;
            let (user, _) = store.user_credentials(&email).await?.context("no user with that email")?;
            store.update_user(user.id, UserPatch { role: Some(role), ..Default::default() }).await?;
            println!("{} is now {role}", user.email);
        }
    }
    Ok(())
}

/// The password comes from standard input (first line) so it never shows in `ps` or history.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "pipe the password on standard input");
    Ok(password)
}

/// `tools import FILE…`: every file is read and imported on its own; the command fails (after
/// trying them all) when any of them could not be imported, saying why per field.
pub async fn tools(command: ToolsCommand) -> anyhow::Result<()> {
    let ToolsCommand::Import { files, publish, owner, db } = command;
    let store = open(&db).await?;
    let owner = match owner {
        Some(email) => store.user_credentials(&email).await?.context("no user with that email")?.0,
        None => crate::services::users::installation_owner(store.as_ref())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .context("no admin or superuser to own the tools; pass --owner")?,
    };
    let mut failed = 0;
    for file in &files {
        match import_file(store.as_ref(), &owner, file, publish).await {
            Ok(line) => println!("{}: {line}", file.display()),
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e}", file.display());
            }
        }
    }
    anyhow::ensure!(failed == 0, "{failed} of {} bundles were not imported", files.len());
    Ok(())
}

async fn import_file(store: &dyn Store, owner: &User, file: &Path, publish: bool) -> anyhow::Result<String> {
    let text = std::fs::read(file).context("reading the file")?;
    let bundle: ToolBundle = serde_json::from_slice(&text).context("not a tool bundle")?;
    match import_as(store, owner, bundle, publish).await {
        Ok(imported) => {
            let state = imported.version.state;
            Ok(format!("imported as {} (version {}, {state})", imported.tool.tool.slug, imported.version.number))
        }
        Err(ApiError::Validation(errors)) => {
            let list: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            anyhow::bail!("not imported: {}", list.join("; "))
        }
        Err(e) => anyhow::bail!("not imported: {e}"),
    }
}

pub fn print_openapi() -> anyhow::Result<()> {
    println!("{}", crate::api::openapi().to_pretty_json()?);
    Ok(())
}

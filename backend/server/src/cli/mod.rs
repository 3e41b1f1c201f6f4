//! The non-serving subcommands: `migrate`, `users create|set-role`, `openapi`, `seed`,
//! `runner check`, `artifacts prune`.

mod maintenance;

pub use maintenance::{artifacts, runner_check, seed};

use crate::config::{DbArgs, UsersCommand};
use crate::services::users::{CreateUser, create_unchecked};
use anyhow::Context;
use skriptoteket_domain::{Store, UserPatch};
use std::io::BufRead;
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

pub fn print_openapi() -> anyhow::Result<()> {
    println!("{}", crate::api::openapi().to_pretty_json()?);
    Ok(())
}

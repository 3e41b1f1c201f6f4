//! Command line and environment configuration (SPEC §7). Every `serve` option is also an
//! environment variable; docs/configuration.md lists them all.

use clap::{Args, Parser, Subcommand};
use skriptoteket_domain::Role;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "skriptoteket",
    version,
    about = "Skriptoteket: run teachers' Python tools safely"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "SKRIPTOTEKET_LOG_JSON", global = true)]
    pub log_json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (and the SPA when built).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "user")]
        role: Role,
        /// Display name (defaults to the part of the email before `@`).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Change a user's role.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: Role,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Where the data lives; shared by every subcommand that opens the database.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Directory for the SQLite file, the JWT secret and artifacts.
    #[arg(long, env = "SKRIPTOTEKET_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; defaults to a SQLite file in the data dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl DbArgs {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir.join("skriptoteket.db").display()
            )
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "SKRIPTOTEKET_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Secret for signing session tokens; generated once into the data dir when unset.
    #[arg(long, env = "SKRIPTOTEKET_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// How long a sign-in lasts, in hours.
    #[arg(long, env = "SKRIPTOTEKET_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,
    /// Mark the session cookie `Secure` (set this behind HTTPS).
    #[arg(long, env = "SKRIPTOTEKET_COOKIE_SECURE")]
    pub cookie_secure: bool,
    /// With `SKRIPTOTEKET_BOOTSTRAP_PASSWORD`: create this superuser at start when no user exists.
    #[arg(long, env = "SKRIPTOTEKET_BOOTSTRAP_EMAIL")]
    pub bootstrap_email: Option<String>,
    #[arg(long, env = "SKRIPTOTEKET_BOOTSTRAP_PASSWORD", hide_env_values = true)]
    pub bootstrap_password: Option<String>,
    /// Directory of the built SPA, served with history fallback when it exists.
    #[arg(long, env = "SKRIPTOTEKET_SPA_DIR", default_value = "frontend/dist")]
    pub spa_dir: PathBuf,
    /// Seconds a request may take before it is answered with 408 (runs are asynchronous).
    #[arg(
        long,
        env = "SKRIPTOTEKET_REQUEST_TIMEOUT_SECONDS",
        default_value_t = 60
    )]
    pub request_timeout_seconds: u64,
}

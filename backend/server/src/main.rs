//! The `skriptoteket` binary: parses the command line and hands over to the library.

use clap::Parser;
use skriptoteket_server::config::{Cli, Command};
use skriptoteket_server::{cli, serve, telemetry};

/// Returns freed memory to the system, unlike glibc's malloc after Argon2's large blocks
/// (docs/performance.md, "Memory").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.log_json);
    match cli.command {
        Command::Serve(args) => serve::run(*args).await,
        Command::Migrate(db) => cli::migrate(&db).await,
        Command::Users(command) => cli::users(command).await,
        Command::Openapi => cli::print_openapi(),
        Command::Runner(command) => cli::runner_check(command).await,
        Command::Artifacts(command) => cli::artifacts(command).await,
        Command::Seed(db) => cli::seed(&db).await,
        Command::Tools(command) => cli::tools(command).await,
    }
}

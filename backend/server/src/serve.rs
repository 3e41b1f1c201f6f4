//! `skriptoteket serve`: open the store, bootstrap, listen, shut down gracefully.

use crate::auth::jwt::JwtKeys;
use crate::config::ServeArgs;
use crate::services::users::bootstrap_superuser;
use crate::state::{AppState, SessionConfig};
use crate::{api, spa};
use anyhow::Context;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.db.data_dir)
        .with_context(|| format!("creating data dir {}", args.db.data_dir.display()))?;
    let store = skriptoteket_store::connect(&args.db.database_url(), true)
        .await
        .context("opening the database")?;
    tracing::info!(dialect = store.dialect(), "database ready");

    if let (Some(email), Some(password)) = (&args.bootstrap_email, &args.bootstrap_password) {
        if let Some(user) = bootstrap_superuser(store.as_ref(), email, password)
            .await
            .map_err(|e| anyhow::anyhow!("bootstrap superuser: {e}"))?
        {
            tracing::info!(email = %user.email, "created the bootstrap superuser");
        }
    }

    let keys = JwtKeys::load_or_create(args.jwt_secret.as_deref(), &args.db.data_dir)?;
    let sessions = SessionConfig {
        ttl: Duration::from_secs(u64::from(args.session_hours.max(1)) * 3600),
        cookie_secure: args.cookie_secure,
    };
    let state = AppState::new(store, keys, sessions);
    let spa = spa::router(&args.spa_dir);
    if spa.is_none() {
        tracing::info!(dir = %args.spa_dir.display(), "no built SPA found; serving the API only");
    }
    let app = api::app(
        state,
        Duration::from_secs(args.request_timeout_seconds),
        spa,
    );

    let listener = TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing open requests");
}

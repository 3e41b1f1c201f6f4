//! `skriptoteket serve`: open the store, bootstrap, connect the runner, start the queue and
//! housekeeping, listen, and shut down gracefully (event streams end, housekeeping stops,
//! running runs get a grace period).

use crate::auth::jwt::JwtKeys;
use crate::config::{Secret, ServeArgs};
use crate::execution::engines::Engines;
use crate::execution::{RunConfig, housekeeping, queue, relay};
use crate::services::users::bootstrap_superuser;
use crate::state::{AppState, SessionConfig};
use crate::{api, seed, spa};
use anyhow::Context;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let data_dir = &args.db.data_dir;
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating data dir {}", data_dir.display()))?;
    let store = skriptoteket_store::connect(&args.db.database_url(), true).await.context("opening the database")?;
    tracing::info!(dialect = store.dialect(), "database ready");

    if let (Some(email), Some(password)) = (&args.bootstrap_email, args.bootstrap_password.as_ref().map(Secret::expose))
    {
        let created = bootstrap_superuser(store.as_ref(), email, password)
            .await
            .map_err(|e| anyhow::anyhow!("bootstrap superuser: {e}"))?;
        if let Some(user) = created {
            tracing::info!(email = %user.email, "created the bootstrap superuser");
        }
    }
    if args.seed {
        match seed::seed_examples(store.as_ref()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "added example tools to the catalog"),
            Err(e) => tracing::warn!(error = %e, "could not add the example tools"),
        }
    }

    let keys = JwtKeys::load_or_create(args.jwt_secret.as_ref().map(Secret::expose), data_dir)?;
    let sessions = SessionConfig {
        ttl: Duration::from_secs(u64::from(args.session_hours.max(1)) * 3600),
        cookie_secure: args.cookie_secure,
        trusted_proxies: args.trusted_proxies.clone(),
    };
    let instance = args.runner.instance();
    let engines = Engines::connect(&args.runner, args.runner_max_concurrency, args.runner_pool_size).await?;
    let runs = RunConfig {
        max_streams_per_user: crate::execution::DEFAULT_MAX_STREAMS_PER_USER,
        artifacts_root: args.storage.artifacts_root(data_dir),
        uploads_root: data_dir.join("uploads"),
        max_concurrency: engines.capacity(),
        max_queue: args.runner_max_queue,
        max_active_per_user: args.runner_max_active_per_user,
        timeout_production: Duration::from_secs(u64::from(args.runner_timeout_production_seconds)),
        timeout_sandbox: Duration::from_secs(u64::from(args.runner_timeout_sandbox_seconds)),
        instance,
        shutdown_grace: Duration::from_secs(args.shutdown_grace_seconds),
        lease: Duration::from_secs(args.lease_seconds.max(3)),
        storage: args.storage()?,
        shared_storage: args.storage.shared_storage()?,
    };
    if let Some(s3) = &runs.shared_storage {
        tracing::info!(store = ?s3, "uploads and artifacts are shared through S3");
    }
    std::fs::create_dir_all(&runs.artifacts_root)?;
    std::fs::create_dir_all(&runs.uploads_root)?;
    let state = AppState::new(store, engines.runner(), keys, sessions, runs);
    let engine_tasks = engines.start(&state.shutdown);
    let mut workers = queue::start(&state).await?;
    let housekeeping = housekeeping::start(&state);
    let relay = relay::start(&state);

    let spa = spa::router(&args.spa_dir);
    if spa.is_none() {
        tracing::info!(dir = %args.spa_dir.display(), "no built SPA found; serving the API only");
    }
    let app = api::app(state.clone(), Duration::from_secs(args.request_timeout_seconds), spa);
    let listener = TcpListener::bind(args.bind).await.with_context(|| format!("binding {}", args.bind))?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    let shutdown = state.shutdown.clone();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            shutdown.cancel();
        })
        .await?;

    if let Some(task) = housekeeping {
        // It stops at the shutdown signal, between or inside a pass.
        let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    }
    let deadline = state.runs.shutdown_grace + Duration::from_secs(10);
    if tokio::time::timeout(deadline, async { while workers.join_next().await.is_some() {} }).await.is_err() {
        tracing::warn!("runs did not finish within the shutdown grace period");
    }
    // The keepers remove the pre-started containers still waiting, and the last runs'
    // containers finish being removed (the reaper would at the next start anyway).
    let _ = tokio::time::timeout(Duration::from_secs(10), futures::future::join_all(engine_tasks)).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), engines.settle()).await;
    if let Some(relay) = relay {
        // The last runs' ends reach the other servers' followers.
        state.relay.drained(Duration::from_secs(2)).await;
        relay.abort();
    }
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
    tracing::info!("shutting down: no new runs start; running runs get the grace period");
}

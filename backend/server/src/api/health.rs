//! Liveness and readiness.

use crate::execution::storage::human_bytes;
use crate::middleware::KeepBody;
use crate::services::health;
use crate::services::storage::Volume;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Serialize;
use skriptoteket_domain::execution::EngineStatus;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    pub status: &'static str,
    pub version: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ReadyResponse {
    /// `ready` when every check passed, except the `engine:ADDRESS` ones: one engine down of
    /// several is reported there while the others take its runs.
    pub status: &'static str,
    pub checks: Vec<ReadyCheck>,
}

#[derive(Serialize, ToSchema)]
pub struct ReadyCheck {
    /// `database`, `container_engine`, `runner_image`, `storage`, `shared_storage` (with
    /// `STORAGE_URL`), `runner_pool`, and with several engines one `engine:ADDRESS` each.
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/api/health", tag = "system", security(()), responses((status = 200, body = HealthResponse)))]
pub async fn health() -> Json<HealthResponse> {
    Json(HealthResponse { status: "ok", version: env!("CARGO_PKG_VERSION") })
}

/// Readiness: the database, the container engine, the runner image and room on the data volume.
#[utoipa::path(
    get,
    path = "/api/ready",
    tag = "system",
    security(()),
    responses(
        (status = 200, body = ReadyResponse, description = "Everything is usable"),
        (status = 503, body = ReadyResponse, description = "Some check failed; see `checks`"),
    )
)]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Extension<KeepBody>, Json<ReadyResponse>) {
    let readiness = health::readiness(&state).await;
    let database = match readiness.database {
        Ok(dialect) => ReadyCheck { name: "database".into(), ok: true, detail: dialect.to_owned() },
        Err(_) => ReadyCheck { name: "database".into(), ok: false, detail: "unreachable".into() },
    };
    let runner = readiness.runner;
    let engine = ReadyCheck { name: "container_engine".into(), ok: runner.engine_ok, detail: runner.engine.clone() };
    let image = ReadyCheck {
        name: "runner_image".into(),
        ok: runner.image_ok,
        detail: if runner.image_ok {
            runner.image
        } else {
            format!("{} is missing: run `make build-runner-image`", runner.image)
        },
    };
    let mut checks = vec![database, engine, image, storage_check(&readiness.storage)];
    if let Some((store, answer)) = readiness.shared_storage {
        // Without it no run starts (uploads go there first) and no download is served.
        let (ok, detail) = match answer {
            Ok(()) => (true, store),
            Err(e) => (false, format!("{store}: {e}")),
        };
        checks.push(ReadyCheck { name: "shared_storage".into(), ok, detail });
    }
    if let Some(pool) = readiness.pool {
        // Informational: with no container ready, runs start their own (a little slower).
        let detail = format!("{} of {} pre-started containers ready", pool.ready, pool.size);
        checks.push(ReadyCheck { name: "runner_pool".into(), ok: true, detail });
    }
    let ok = checks.iter().all(|c| c.ok);
    checks.extend(readiness.engines.iter().map(engine_check));
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    // A 503 here is the report itself: which checks failed, not a generic problem.
    (status, Extension(KeepBody), Json(ReadyResponse { status: if ok { "ready" } else { "not_ready" }, checks }))
}

/// `storage`: fails below `STORAGE_MIN_FREE` (new runs are then refused with `storage_full`).
fn storage_check(volume: &Volume) -> ReadyCheck {
    let floor = if volume.min_free > 0 {
        format!("the floor is {}", human_bytes(volume.min_free))
    } else {
        "no floor set".to_owned()
    };
    let detail = match &volume.free {
        Ok(free) if volume.is_full() => {
            format!(
                "{} free, below the floor of {}: new runs are refused",
                human_bytes(*free),
                human_bytes(volume.min_free)
            )
        }
        Ok(free) => format!("{} free; {floor}", human_bytes(*free)),
        Err(e) => format!("free space unknown ({e}); {floor}"),
    };
    ReadyCheck { name: "storage".into(), ok: !volume.is_full(), detail }
}

/// `engine:ADDRESS`: whether it takes runs, and how many it has.
fn engine_check(engine: &EngineStatus) -> ReadyCheck {
    let state = if engine.up { "up" } else { "down: it does not answer; its runs go to the other engines" };
    let detail = format!(
        "{state}; {} of {} runs going, {} placed since start, {} lost with the engine",
        engine.running, engine.capacity, engine.placed, engine.lost
    );
    ReadyCheck { name: format!("engine:{}", engine.name), ok: engine.up, detail }
}

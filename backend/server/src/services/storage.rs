//! Storage as users and operators meet it: how much I keep and my quota, the checks every new
//! run passes (the data volume above its free-space floor, my files within my quota), and the
//! volume's state for readiness.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::execution::storage::{free_space, human_bytes};
use crate::state::AppState;
use uuid::Uuid;

/// How long a client should wait before trying again on a full disk.
const FULL_RETRY_SECONDS: u64 = 60;

/// What a user keeps: uploads and run results, against their quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageUsage {
    pub used_bytes: u64,
    /// `None` when unlimited.
    pub quota_bytes: Option<u64>,
}

/// How much I keep and my quota, as `GET /api/auth/me` shows it: at most `CACHE_BOUND` old, so
/// the page does not cost a sum over my runs on every request (the quota itself is always
/// checked exactly, with `usage_of`).
pub async fn usage(state: &AppState, user: &CurrentUser) -> ApiResult<StorageUsage> {
    let used = match state.storage_used.get(&user.user.id) {
        Some(used) => used,
        None => {
            let used = state.store.storage_used(user.user.id).await?;
            state.storage_used.put(user.user.id, used);
            used
        }
    };
    Ok(against_quota(state, used))
}

/// The exact usage of `user`, read now.
pub(crate) async fn usage_of(state: &AppState, user: Uuid) -> ApiResult<StorageUsage> {
    Ok(against_quota(state, state.store.storage_used(user).await?))
}

fn against_quota(state: &AppState, used_bytes: u64) -> StorageUsage {
    let quota = state.runs.storage.quota_per_user;
    StorageUsage { used_bytes, quota_bytes: (quota > 0).then_some(quota) }
}

/// The data volume's state: the fewest free bytes where uploads and artifacts go, and the floor.
pub struct Volume {
    pub free: Result<u64, String>,
    pub min_free: u64,
}

impl Volume {
    /// Below the floor (a volume that cannot be measured counts as below).
    pub fn is_full(&self) -> bool {
        self.min_free > 0 && self.free.as_ref().map_or(true, |free| *free < self.min_free)
    }
}

pub async fn volume(state: &AppState) -> Volume {
    let paths = vec![state.runs.uploads_root.clone(), state.runs.artifacts_root.clone()];
    let free = free_space(paths).await.map_err(|e| e.to_string());
    Volume { free, min_free: state.runs.storage.min_free }
}

/// New runs need room on the data volume: below `STORAGE_MIN_FREE` they are refused (503).
pub(crate) async fn require_free_space(state: &AppState) -> ApiResult<()> {
    if state.runs.storage.min_free == 0 {
        return Ok(());
    }
    let volume = volume(state).await;
    if !volume.is_full() {
        return Ok(());
    }
    match &volume.free {
        Ok(free) => tracing::warn!(free, min_free = volume.min_free, "data volume below its floor: refusing new runs"),
        Err(e) => tracing::warn!(error = %e, "data volume cannot be measured: refusing new runs"),
    }
    Err(ApiError::Unavailable {
        code: "storage_full",
        detail: "Skriptoteket is short of disk space, so no new runs can start right now. Nothing you have \
                 already stored is affected. Try again later; the administrators can see it on /api/ready."
            .into(),
        retry_after_seconds: FULL_RETRY_SECONDS,
    })
}

/// A run that adds `new_bytes` of uploads must keep `user` within the quota (413). Runs add
/// their results afterwards, so a user already past the quota starts none until files expire.
pub(crate) async fn require_quota(state: &AppState, user: Uuid, new_bytes: u64) -> ApiResult<()> {
    let StorageUsage { used_bytes, quota_bytes } = usage_of(state, user).await?;
    let Some(quota) = quota_bytes else { return Ok(()) };
    if used_bytes.saturating_add(new_bytes) <= quota {
        return Ok(());
    }
    let kept =
        format!("you keep {} of your {} (uploaded files and run results)", human_bytes(used_bytes), human_bytes(quota));
    let frees = format!(
        "Space frees itself: uploaded files are removed 24 hours after the last run that used them, and run \
         results after {} days. An administrator can also give you a larger quota.",
        state.runs.storage.artifacts_retention.num_days()
    );
    let detail = if used_bytes <= quota {
        format!(
            "This run's files ({}) do not fit in your storage: {kept}. Upload smaller files, or reuse the files \
             of an earlier run instead of uploading them again. {frees}",
            human_bytes(new_bytes)
        )
    } else {
        format!("Your storage is full: {kept}, so no new run can start. {frees}")
    };
    Err(ApiError::QuotaExceeded(detail))
}

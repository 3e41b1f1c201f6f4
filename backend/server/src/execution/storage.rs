//! The disk that runs use: the storage settings, the free space of the volumes holding uploads
//! and artifacts, and the per-user lock that makes a quota check and the enqueue behind it one
//! step (so parallel starts by one user cannot all pass the same check).

use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

const GIB: u64 = 1024 * 1024 * 1024;

/// Storage limits and housekeeping (docs/configuration.md, "Storage").
#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// Bytes of kept uploads and artifacts one user may hold; 0 = unlimited.
    pub quota_per_user: u64,
    /// Free bytes the data volume keeps; below it new runs are refused. 0 = off.
    pub min_free: u64,
    /// Artifacts of runs that ended longer ago are removed.
    pub artifacts_retention: chrono::Duration,
    /// Runs that ended longer ago are removed; `None` keeps them.
    pub runs_retention: Option<chrono::Duration>,
    /// How often the server's housekeeping task runs; `None` = no task.
    pub housekeeping_interval: Option<Duration>,
}

impl Default for StorageConfig {
    /// The documented defaults, except that the free-space floor and the housekeeping task are
    /// off (tests and tools turn them on; `serve` takes them from its settings).
    fn default() -> Self {
        Self {
            quota_per_user: GIB,
            min_free: 0,
            artifacts_retention: chrono::Duration::days(7),
            runs_retention: Some(chrono::Duration::days(90)),
            housekeeping_interval: None,
        }
    }
}

/// The fewest free bytes (available to the server's user) among the volumes of `paths`. A
/// folder not made yet is measured at its nearest existing parent.
pub async fn free_space(paths: Vec<PathBuf>) -> std::io::Result<u64> {
    // statvfs is quick, but a network file system can stall: keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        let mut least = u64::MAX;
        for path in &paths {
            least = least.min(fs4::available_space(existing_ancestor(path))?);
        }
        Ok(least)
    })
    .await
    .map_err(std::io::Error::other)?
}

fn existing_ancestor(path: &Path) -> &Path {
    path.ancestors().find(|p| p.exists()).unwrap_or(Path::new("/"))
}

/// Striped async locks by user id: one user's runs start one at a time through the quota
/// check, while other users (almost always on other stripes) are not held up.
pub struct UserLocks {
    stripes: Vec<tokio::sync::Mutex<()>>,
}

impl Default for UserLocks {
    fn default() -> Self {
        Self { stripes: (0..64).map(|_| tokio::sync::Mutex::new(())).collect() }
    }
}

impl UserLocks {
    pub async fn lock(&self, user: Uuid) -> tokio::sync::MutexGuard<'_, ()> {
        let stripe = (user.as_u128() % self.stripes.len() as u128) as usize;
        self.stripes[stripe].lock().await
    }
}

/// Bytes as people read them: "512 B", "20.0 MiB", "1.0 GiB".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_like_people_say_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(20 * 1024 * 1024), "20.0 MiB");
        assert_eq!(human_bytes(GIB + GIB / 4), "1.2 GiB");
        assert_eq!(human_bytes(u64::MAX), "16777216.0 TiB");
    }

    #[tokio::test]
    async fn free_space_is_measured_at_the_nearest_existing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("not/made/yet");
        let free = free_space(vec![dir.path().to_owned(), missing]).await.unwrap();
        assert!(free > 0 && free < u64::MAX);
    }

    #[tokio::test]
    async fn one_users_starts_wait_for_each_other_but_not_for_others() {
        let locks = UserLocks::default();
        let ada = Uuid::from_u128(1);
        let held = locks.lock(ada).await;
        assert!(locks.stripes[1].try_lock().is_err(), "ada's stripe is held");
        let _bo = tokio::time::timeout(Duration::from_millis(100), locks.lock(Uuid::from_u128(2))).await.unwrap();
        drop(held);
        let _again = tokio::time::timeout(Duration::from_millis(100), locks.lock(ada)).await.unwrap();
    }
}

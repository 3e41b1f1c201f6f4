//! Every limit a run is held to (SPEC §6), in one value built from configuration.

use std::time::Duration;

pub const KIB: u64 = 1024;
pub const MIB: u64 = 1024 * KIB;
pub const GIB: u64 = 1024 * MIB;

/// Which engine serves the Docker API: they differ in the tmpfs options they accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    #[default]
    Docker,
    Podman,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunLimits {
    /// CPUs (1.0 = one core).
    pub cpus: f64,
    /// Memory for the whole container, tmpfs pages included; swap is not allowed on top.
    pub memory_bytes: u64,
    /// Processes and threads (cgroup pids controller).
    pub pids: i64,
    /// Size of the `/tmp` tmpfs (noexec).
    pub tmp_bytes: u64,
    /// Size of the `/work` tmpfs holding the script, inputs and outputs.
    pub work_bytes: u64,
    /// Size of `/dev/shm` (noexec, inode-capped like the others).
    pub shm_bytes: u64,
    /// Inodes of each tmpfs, so a tool cannot exhaust them with empty files either.
    pub inodes: u64,
    /// Per-stream cap of stdout and stderr kept for the run.
    pub log_bytes: usize,
    pub max_artifacts: usize,
    pub max_artifact_bytes: u64,
    pub max_artifacts_total_bytes: u64,
    /// `result.json` larger than this is refused before parsing.
    pub max_result_bytes: u64,
    /// Grace after the timeout for the kill and clean-up to finish.
    pub kill_grace: Duration,
}

impl Default for RunLimits {
    fn default() -> Self {
        Self {
            cpus: 1.0,
            memory_bytes: GIB,
            pids: 256,
            tmp_bytes: 256 * MIB,
            work_bytes: 512 * MIB,
            shm_bytes: 64 * MIB,
            inodes: 16_384,
            log_bytes: 200 * KIB as usize,
            max_artifacts: 100,
            max_artifact_bytes: 50 * MIB,
            max_artifacts_total_bytes: 200 * MIB,
            max_result_bytes: MIB,
            kill_grace: Duration::from_secs(2),
        }
    }
}

impl RunLimits {
    pub fn nano_cpus(&self) -> i64 {
        (self.cpus * 1e9) as i64
    }

    /// Docker `--tmpfs` options for `/work`: owned by the runner user, private to it.
    pub fn work_tmpfs(&self) -> String {
        self.work_tmpfs_for(Engine::Docker)
    }

    /// Docker `--tmpfs` options for `/tmp`: no executables.
    pub fn tmp_tmpfs(&self) -> String {
        self.tmp_tmpfs_for(Engine::Docker)
    }

    /// Podman 4 refuses `nr_inodes`, `uid` and `gid`; it chowns a tmpfs to the container's
    /// user with `U`. The size caps stay, so the disk-fill guarantee holds on both.
    pub fn work_tmpfs_for(&self, engine: Engine) -> String {
        match engine {
            Engine::Docker => format!(
                "rw,nosuid,nodev,size={},nr_inodes={},uid=10001,gid=10001,mode=0700",
                self.work_bytes, self.inodes
            ),
            Engine::Podman => format!("rw,nosuid,nodev,size={},mode=0700,U", self.work_bytes),
        }
    }

    pub fn tmp_tmpfs_for(&self, engine: Engine) -> String {
        shared_tmpfs(engine, self.tmp_bytes, self.inodes)
    }

    /// `/dev/shm`: like `/tmp` but smaller; without it a tool could fill the engine's default
    /// shm with inodes until the timeout.
    pub fn shm_tmpfs_for(&self, engine: Engine) -> String {
        shared_tmpfs(engine, self.shm_bytes, self.inodes)
    }

    /// The output caps the wrapper applies before it streams anything back
    /// (`SKRIPTOTEKET_ARTIFACT_LIMITS`), so the stream stays small even for sparse files.
    pub fn artifact_limits_json(&self) -> String {
        serde_json::json!({
            "max_files": self.max_artifacts,
            "max_file_bytes": self.max_artifact_bytes,
            "max_total_bytes": self.max_artifacts_total_bytes,
        })
        .to_string()
    }

    /// The most result-tar bytes an honest wrapper can send: `result.json`, every kept file and
    /// tar headers (with PAX records) for each, plus slack. More means a runaway stream.
    pub fn max_result_stream_bytes(&self) -> u64 {
        let per_file_overhead = 4 * KIB;
        self.max_result_bytes
            + self.max_artifacts_total_bytes
            + (self.max_artifacts as u64 + 1) * per_file_overhead
            + MIB
    }
}

/// A world-writable, noexec tmpfs of `bytes` (Podman 4 refuses `nr_inodes`).
fn shared_tmpfs(engine: Engine, bytes: u64, inodes: u64) -> String {
    match engine {
        Engine::Docker => format!("rw,noexec,nosuid,nodev,size={bytes},nr_inodes={inodes},mode=1777"),
        Engine::Podman => format!("rw,noexec,nosuid,nodev,size={bytes},mode=1777"),
    }
}

/// Parses sizes like `512m`, `1g`, `1GiB`, `2048` (bytes) for configuration.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim().to_ascii_lowercase();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits_end);
    let number: u64 = number.parse().map_err(|_| format!("`{text}` is not a size like 512m or 1g"))?;
    let factor = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => KIB,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => GIB,
        _ => return Err(format!("`{text}` has an unknown unit (use k, m or g)")),
    };
    number.checked_mul(factor).ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("512m").unwrap(), 512 * MIB);
        assert_eq!(parse_size("1GiB").unwrap(), GIB);
        assert_eq!(parse_size("2048").unwrap(), 2048);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5t").is_err());
    }

    #[test]
    fn defaults_follow_the_spec() {
        let l = RunLimits::default();
        assert_eq!((l.memory_bytes, l.pids, l.nano_cpus()), (GIB, 256, 1_000_000_000));
        assert!(l.tmp_tmpfs().contains("noexec") && l.tmp_tmpfs().contains(&format!("size={}", 256 * MIB)));
        assert!(l.work_tmpfs().contains("uid=10001"));
        let podman = l.work_tmpfs_for(Engine::Podman);
        assert!(podman.contains("size=") && podman.ends_with(",U") && !podman.contains("nr_inodes"), "{podman}");
    }
}

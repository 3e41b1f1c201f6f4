//! The container a run gets: every isolation setting of SPEC §6 in one place.

use crate::limits::{Engine, RunLimits};
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig, ResourcesUlimits};
use std::collections::HashMap;

pub const LABEL_MANAGED: &str = "org.skriptoteket.managed";
pub const LABEL_INSTANCE: &str = "org.skriptoteket.instance";
pub const LABEL_RUN_ID: &str = "org.skriptoteket.run-id";
/// The uid:gid of the runner user baked into the image.
pub const RUNNER_USER: &str = "10001:10001";

pub struct ContainerSpec<'a> {
    pub image: &'a str,
    pub instance: &'a str,
    pub run_id: &'a str,
    pub env: Vec<String>,
    pub extra_labels: &'a [(String, String)],
    pub limits: &'a RunLimits,
    /// Docker or Podman: they accept different tmpfs options.
    pub engine: Engine,
}

pub fn create_body(spec: &ContainerSpec<'_>) -> ContainerCreateBody {
    let mut labels = HashMap::from([
        (LABEL_MANAGED.to_owned(), "true".to_owned()),
        (LABEL_INSTANCE.to_owned(), spec.instance.to_owned()),
        (LABEL_RUN_ID.to_owned(), spec.run_id.to_owned()),
    ]);
    for (key, value) in spec.extra_labels {
        labels.insert(format!("org.skriptoteket.{key}"), value.clone());
    }
    let limits = spec.limits;
    let host_config = HostConfig {
        network_mode: Some("none".into()),
        readonly_rootfs: Some(true),
        cap_drop: Some(vec!["ALL".into()]),
        security_opt: Some(vec!["no-new-privileges".into()]),
        pids_limit: Some(limits.pids),
        memory: Some(limits.memory_bytes as i64),
        // Equal to memory: no swap on top, so a memory bomb ends in an OOM kill.
        memory_swap: Some(limits.memory_bytes as i64),
        nano_cpus: Some(limits.nano_cpus()),
        tmpfs: Some(HashMap::from([
            ("/work".to_owned(), limits.work_tmpfs_for(spec.engine)),
            ("/tmp".to_owned(), limits.tmp_tmpfs_for(spec.engine)),
            ("/dev/shm".to_owned(), limits.shm_tmpfs_for(spec.engine)),
        ])),
        ulimits: Some(vec![
            ResourcesUlimits { name: Some("nofile".into()), soft: Some(1024), hard: Some(1024) },
            // No core dumps: a crashing tool must not write its memory image anywhere.
            ResourcesUlimits { name: Some("core".into()), soft: Some(0), hard: Some(0) },
        ]),
        // Output travels over the attach stream only; with the default json-file driver the
        // engine would also write everything a tool prints to its own disk.
        log_config: Some(HostConfigLogConfig { typ: Some("none".into()), config: None }),
        // The wrapper is PID 1 on purpose: the tool cannot signal it.
        init: Some(false),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(spec.image.to_owned()),
        user: Some(RUNNER_USER.into()),
        working_dir: Some("/work".into()),
        env: Some(spec.env.clone()),
        labels: Some(labels),
        network_disabled: Some(true),
        attach_stdin: Some(true),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        open_stdin: Some(true),
        stdin_once: Some(true),
        tty: Some(false),
        host_config: Some(host_config),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_isolation_setting_is_present() {
        let limits = RunLimits::default();
        let spec = ContainerSpec {
            image: "img",
            instance: "i",
            run_id: "r",
            env: vec![],
            extra_labels: &[],
            limits: &limits,
            engine: Engine::Docker,
        };
        let body = create_body(&spec);
        let host = body.host_config.unwrap();
        assert_eq!(host.network_mode.as_deref(), Some("none"));
        assert_eq!(host.readonly_rootfs, Some(true));
        assert_eq!(host.cap_drop, Some(vec!["ALL".to_owned()]));
        assert_eq!(host.security_opt, Some(vec!["no-new-privileges".to_owned()]));
        assert_eq!(host.memory, host.memory_swap);
        assert_eq!(host.pids_limit, Some(256));
        let ulimits = host.ulimits.unwrap();
        assert!(ulimits.iter().any(|u| u.name.as_deref() == Some("core") && u.hard == Some(0)), "no core dumps");
        assert_eq!(host.log_config.unwrap().typ.as_deref(), Some("none"));
        let tmpfs = host.tmpfs.unwrap();
        assert!(tmpfs["/dev/shm"].contains("noexec") && tmpfs["/dev/shm"].contains("nr_inodes="));
        assert!(host.binds.is_none() && host.mounts.is_none(), "no host paths, no docker socket");
        assert_eq!(body.user.as_deref(), Some(RUNNER_USER));
        assert_eq!(body.labels.unwrap()[LABEL_MANAGED], "true");
    }
}

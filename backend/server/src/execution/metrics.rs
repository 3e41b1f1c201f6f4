//! Run metrics in the Prometheus text format, without a metrics crate: counters and a
//! duration histogram kept in memory, queue depth and run totals read at scrape time.

use skriptoteket_domain::execution::EngineStatus;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

#[derive(Default)]
pub struct Metrics {
    /// (context, status) → count, since start.
    finished: Mutex<BTreeMap<(String, String), u64>>,
    /// Cumulative bucket counts, then sum and count.
    durations: Mutex<([u64; BUCKETS.len()], f64, u64)>,
    pub active_containers: AtomicI64,
    /// Housekeeping passes that ended (with or without error), since start.
    pub housekeeping_passes: AtomicU64,
}

impl Metrics {
    pub fn run_finished(&self, context: &str, status: &str, duration: Duration) {
        *self.finished.lock().expect("metrics lock").entry((context.into(), status.into())).or_default() += 1;
        let seconds = duration.as_secs_f64();
        let mut d = self.durations.lock().expect("metrics lock");
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                d.0[i] += 1;
            }
        }
        d.1 += seconds;
        d.2 += 1;
    }

    /// The exposition text; `queue_depth` and `stored` (context, status, count) come from the store.
    pub fn render(
        &self,
        queue_depth: u64,
        stored: &[(String, String, u64)],
        pool: Option<skriptoteket_domain::execution::PoolStats>,
        engines: &[EngineStatus],
    ) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP skriptoteket_runs_finished_total Runs finished by this process.");
        let _ = writeln!(out, "# TYPE skriptoteket_runs_finished_total counter");
        for ((context, status), n) in self.finished.lock().expect("metrics lock").iter() {
            let _ = writeln!(out, "skriptoteket_runs_finished_total{{context=\"{context}\",status=\"{status}\"}} {n}");
        }
        let _ = writeln!(out, "# HELP skriptoteket_runs Runs in the database by context and status.");
        let _ = writeln!(out, "# TYPE skriptoteket_runs gauge");
        for (context, status, n) in stored {
            let _ = writeln!(out, "skriptoteket_runs{{context=\"{context}\",status=\"{status}\"}} {n}");
        }
        let d = self.durations.lock().expect("metrics lock");
        let _ = writeln!(out, "# HELP skriptoteket_run_duration_seconds Wall time of runs, container start to result.");
        let _ = writeln!(out, "# TYPE skriptoteket_run_duration_seconds histogram");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "skriptoteket_run_duration_seconds_bucket{{le=\"{bound}\"}} {}", d.0[i]);
        }
        let _ = writeln!(out, "skriptoteket_run_duration_seconds_bucket{{le=\"+Inf\"}} {}", d.2);
        let _ = writeln!(out, "skriptoteket_run_duration_seconds_sum {}", d.1);
        let _ = writeln!(out, "skriptoteket_run_duration_seconds_count {}", d.2);
        let _ = writeln!(out, "# HELP skriptoteket_queue_depth Runs waiting for a worker.");
        let _ = writeln!(out, "# TYPE skriptoteket_queue_depth gauge");
        let _ = writeln!(out, "skriptoteket_queue_depth {queue_depth}");
        let _ = writeln!(out, "# HELP skriptoteket_active_containers Run containers of this process right now.");
        let _ = writeln!(out, "# TYPE skriptoteket_active_containers gauge");
        let _ = writeln!(out, "skriptoteket_active_containers {}", self.active_containers.load(Ordering::Relaxed));
        if let Some(pool) = pool {
            let _ = writeln!(out, "# HELP skriptoteket_runner_pool_ready Pre-started containers waiting for a run.");
            let _ = writeln!(out, "# TYPE skriptoteket_runner_pool_ready gauge");
            let _ = writeln!(out, "skriptoteket_runner_pool_ready {}", pool.ready);
            let _ =
                writeln!(out, "# HELP skriptoteket_runner_pool_size Pre-started containers kept (RUNNER_POOL_SIZE).");
            let _ = writeln!(out, "# TYPE skriptoteket_runner_pool_size gauge");
            let _ = writeln!(out, "skriptoteket_runner_pool_size {}", pool.size);
            let _ = writeln!(
                out,
                "# HELP skriptoteket_runner_pool_runs_total Runs by whether a pre-started container was ready."
            );
            let _ = writeln!(out, "# TYPE skriptoteket_runner_pool_runs_total counter");
            let _ = writeln!(out, "skriptoteket_runner_pool_runs_total{{container=\"pre_started\"}} {}", pool.hits);
            let _ = writeln!(out, "skriptoteket_runner_pool_runs_total{{container=\"on_demand\"}} {}", pool.misses);
        }
        if !engines.is_empty() {
            render_engines(&mut out, engines);
        }
        let _ = writeln!(out, "# HELP skriptoteket_housekeeping_passes_total Housekeeping passes of this process.");
        let _ = writeln!(out, "# TYPE skriptoteket_housekeeping_passes_total counter");
        let _ = writeln!(
            out,
            "skriptoteket_housekeeping_passes_total {}",
            self.housekeeping_passes.load(Ordering::Relaxed)
        );
        out
    }
}

/// One series per engine of RUNNER_DOCKER_HOSTS, labelled with its address.
fn render_engines(out: &mut String, engines: &[EngineStatus]) {
    type Value = fn(&EngineStatus) -> u64;
    let series: [(&str, &str, &str, Value); 5] = [
        ("engine_up", "gauge", "1 while the container engine answers and takes runs, 0 while it is down.", |e| {
            u64::from(e.up)
        }),
        ("engine_running", "gauge", "Runs on the engine right now.", |e| e.running as u64),
        ("engine_capacity", "gauge", "Runs the engine may take at once.", |e| e.capacity as u64),
        ("engine_runs_total", "counter", "Runs placed on the engine since start.", |e| e.placed),
        ("engine_lost_runs_total", "counter", "Runs that ended because the engine stopped answering.", |e| e.lost),
    ];
    for (name, kind, help, value) in series {
        let _ = writeln!(out, "# HELP skriptoteket_{name} {help}");
        let _ = writeln!(out, "# TYPE skriptoteket_{name} {kind}");
        for engine in engines {
            let _ = writeln!(out, "skriptoteket_{name}{{engine=\"{}\"}} {}", engine.name, value(engine));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.run_finished("production", "succeeded", Duration::from_millis(300));
        m.run_finished("sandbox", "failed", Duration::from_secs(3));
        let pool = skriptoteket_domain::execution::PoolStats { size: 2, ready: 1, hits: 5, misses: 1 };
        let engines = [
            EngineStatus {
                name: "unix:///var/run/docker.sock".into(),
                up: true,
                running: 1,
                capacity: 2,
                placed: 7,
                lost: 0,
            },
            EngineStatus { name: "tcp://10.0.0.5:2376".into(), up: false, running: 0, capacity: 4, placed: 3, lost: 1 },
        ];
        let text = m.render(4, &[("production".into(), "queued".into(), 4)], Some(pool), &engines);
        assert!(text.contains("skriptoteket_engine_up{engine=\"unix:///var/run/docker.sock\"} 1"));
        assert!(text.contains("skriptoteket_engine_up{engine=\"tcp://10.0.0.5:2376\"} 0"));
        assert!(text.contains("skriptoteket_engine_runs_total{engine=\"unix:///var/run/docker.sock\"} 7"));
        assert!(text.contains("skriptoteket_engine_lost_runs_total{engine=\"tcp://10.0.0.5:2376\"} 1"));
        assert!(text.contains("skriptoteket_runner_pool_ready 1"));
        assert!(text.contains("skriptoteket_runner_pool_runs_total{container=\"pre_started\"} 5"));
        assert!(text.contains("skriptoteket_runs_finished_total{context=\"production\",status=\"succeeded\"} 1"));
        assert!(text.contains("skriptoteket_run_duration_seconds_bucket{le=\"0.5\"} 1"));
        assert!(text.contains("skriptoteket_run_duration_seconds_bucket{le=\"5\"} 2"));
        assert!(text.contains("skriptoteket_queue_depth 4"));
    }
}

#!/usr/bin/env bash
# Crash recovery: the real server (SQLite, the Docker runner, RUNNER_MAX_CONCURRENCY=2) runs
# two sleeping runs with four more queued behind them, and is killed with SIGKILL. Started
# again on the same data dir and SKRIPTOTEKET_INSTANCE, it must: remove the dead process's
# containers, leave no run `running` (the two are failed with a clear reason), finish every
# queued run (with its artifact), and leave no container, volume or orphaned file behind.
#
#   verify/crash/run.sh          ~20 s; exit status non-zero on any failure
source "$(dirname "$0")/../lib.sh"

SLEEPER='import time


def run_tool(input_dir, output_dir):
    time.sleep(120)
    return "vaknade"
'
QUICK='def run_tool(input_dir, output_dir):
    with open(f"{output_dir}/hej.txt", "w") as f:
        f.write("hej")
    return "klar"
'
ENV=(SKRIPTOTEKET_SEED=false RUNNER_MAX_CONCURRENCY=2 RUNNER_MAX_QUEUE=20)

run_status() { api GET "/api/runs/$2" "$1" | json '["status"]'; }

our_volumes() { docker volume ls -q --filter "label=org.skriptoteket.instance=$INSTANCE"; }

start_server "${ENV[@]}"
TOKEN=$(login root@verify.se)
publish_tool "$TOKEN" sovande "$SLEEPER" >/dev/null
publish_tool "$TOKEN" snabb "$QUICK" >/dev/null

sleeping=("$(start_run "$TOKEN" sovande)" "$(start_run "$TOKEN" sovande)")
deadline=$((SECONDS + 30))
until [[ $(run_status "$TOKEN" "${sleeping[0]}") == running && $(run_status "$TOKEN" "${sleeping[1]}") == running ]]; do
    ((SECONDS < deadline)) || die "the sleeping runs did not start within 30 s"
    sleep 0.2
done
queued=()
for _ in 1 2 3 4; do queued+=("$(start_run "$TOKEN" snabb)"); done
for id in "${queued[@]}"; do
    [[ $(run_status "$TOKEN" "$id") == queued ]] || die "run $id should wait behind the two sleeping runs"
done
# The containers exist once the runs are running; give the engine a moment to list them.
for _ in $(seq 1 25); do
    [[ $(our_containers | wc -l) -ge 2 ]] && break
    sleep 0.2
done
before=$(our_containers | sort)
log "2 runs sleeping, 4 queued, $(wc -l <<<"$before") containers of ours; kill -9"
crash_server
after=$(our_containers | sort)
log "after the crash $(grep -c . <<<"$after" || true) containers of ours are still there (the dead process cannot remove them)"

start_server "${ENV[@]}"
TOKEN=$(login root@verify.se)
still=$(comm -12 <(echo "$before") <(our_containers | sort) | grep . || true)
[[ -z $still ]] || die "containers of the dead process survived the restart: $still"

for id in "${sleeping[@]}"; do
    run=$(api GET "/api/runs/$id" "$TOKEN")
    [[ $(json '["status"]' <<<"$run") == failed ]] || die "run $id is $(json '["status"]' <<<"$run") after the restart"
    grep -q 'server stopped' <<<"$(json '["error_summary"]' <<<"$run")" || die "run $id has no clear reason: $run"
done
wait_idle "$TOKEN" 60
for id in "${queued[@]}"; do
    run=$(api GET "/api/runs/$id" "$TOKEN")
    [[ $(json '["status"]' <<<"$run") == succeeded ]] || die "queued run $id ended $(json '["status"]' <<<"$run"): $run"
    url=$(json '["artifacts"][0]["download_url"]' <<<"$run")
    [[ $(api GET "$url" "$TOKEN") == hej ]] || die "the artifact of run $id is not downloadable"
done
running=$(api GET "/api/runs?all=true&status=running" "$TOKEN" | json '["total"]')
[[ $running == 0 ]] || die "$running runs are still running"

# The restarted server keeps pre-started containers waiting (RUNNER_POOL_SIZE); every run's
# container must be gone.
for _ in $(seq 1 25); do
    [[ -z $(our_run_containers) ]] && break
    sleep 0.2
done
[[ -z $(our_run_containers) ]] || die "run containers of ours are left: $(our_run_containers | tr '\n' ' ')"
[[ -z $(our_volumes) ]] || die "volumes of ours are left: $(our_volumes | tr '\n' ' ')"
left=$(orphans)
[[ -z $left ]] || die "files without a run: $left"
log "crash recovery passed: no run left running, 4/4 queued runs finished, no container, volume or orphaned file"

#!/usr/bin/env bash
# The API side of `make bench` (issue 13's table), each figure beside its anchor measured in
# the same run on this machine, against the release build (SQLite, the Docker runner with its
# pool of pre-started containers, RUNNER_MAX_CONCURRENCY=1):
#   1. a trivial TESTKÖR through the API with `Prefer: wait` (RUNS, default 15), median, beside
#      a bare `docker run -i --rm` of the same image, hardening and stdin tar, interleaved;
#   2. GET /api/tools (signed in) and GET /api/auth/me with wrk -t2 -c32 beside GET /api/health;
#   3. the server's RSS after 100 runs and the wrk load.
# Needs wrk (installed from Debian's packages when missing). Prints Markdown for
# docs/performance.md.
source "$(dirname "$0")/../verify/lib.sh"

RUNS=${RUNS:-15} DURATION=${DURATION:-8} CONNECTIONS=${CONNECTIONS:-32}
IMAGE=${RUNNER_IMAGE:-skriptoteket-runner:latest}
if ! command -v wrk >/dev/null; then
    log "installing wrk"
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
if [[ -z ${SKRIPTOTEKET_BIN:-} ]]; then
    log "building the release binary (cargo build --release -p skriptoteket-server)"
    (cd "$REPO_ROOT" && cargo build --release -q -p skriptoteket-server)
    export SKRIPTOTEKET_BIN=$REPO_ROOT/target/release/skriptoteket
fi

start_server SKRIPTOTEKET_SEED=true RUNNER_MAX_CONCURRENCY=1 RUNNER_MAX_ACTIVE_PER_USER=1000
TOKEN=$(login root@verify.se)
TRIVIAL='def run_tool(input_dir, output_dir):
    return {"outputs": [{"kind": "markdown", "markdown": "ok"}]}
'
VERSION=$(publish_tool "$TOKEN" trivial "$TRIVIAL")

ms_of() { python3 -c 'import sys; print(round(float(sys.argv[1]) * 1000))' "$1"; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# One TESTKÖR of the stored version, waited for; prints seconds.
testkor() {
    local out
    out=$(curl -sS --max-time 60 -o "$WORK/testkor.json" -w '%{http_code} %{time_total}' \
        -H "Authorization: Bearer $TOKEN" -H 'Prefer: wait=30' -F 'inputs={}' \
        "$BASE/api/admin/tool-versions/$VERSION/run-sandbox")
    [[ ${out%% *} == 200 ]] || die "TESTKÖR answered ${out%% *}: $(cat "$WORK/testkor.json")"
    grep -q '"status":"succeeded"' "$WORK/testkor.json" || die "TESTKÖR did not succeed: $(cat "$WORK/testkor.json")"
    echo "${out#* }"
}

# The same container by the CLI, the way the server makes it; prints seconds.
python3 - "$WORK/in.tar" "$TRIVIAL" <<'PY'
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], "w") as tar:
    for name, data in [("run.json", json.dumps({"env": {"SKRIPTOTEKET_ENTRYPOINT": "run_tool"}})),
                       ("script.py", sys.argv[2]), ("memory.json", '{"settings": {}}')]:
        info = tarfile.TarInfo(name)
        info.size = len(data.encode())
        tar.addfile(info, io.BytesIO(data.encode()))
PY
bare() {
    local start end
    start=$(date +%s.%N)
    docker run -i --rm --network none --read-only --user 10001:10001 --cap-drop ALL \
        --security-opt no-new-privileges --pids-limit 256 --memory 1g --memory-swap 1g --cpus 1 \
        --ulimit nofile=1024:1024 --ulimit core=0:0 --log-driver none \
        --tmpfs /work:rw,nosuid,nodev,size=536870912,nr_inodes=16384,uid=10001,gid=10001,mode=0700 \
        --tmpfs /tmp:rw,noexec,nosuid,nodev,size=268435456,nr_inodes=16384,mode=1777 \
        --label org.skriptoteket.bench=true -e SKRIPTOTEKET_SCRIPT_PATH=/work/script.py \
        "$IMAGE" <"$WORK/in.tar" >"$WORK/bare.frames"
    end=$(date +%s.%N)
    [[ $(stat -c %s "$WORK/bare.frames") -gt 100 ]] || die "the bare docker run failed"
    python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$start" "$end"
}

log "warm-up, then $RUNS TESTKÖR through the API and $RUNS bare docker runs, interleaved"
testkor >/dev/null
bare >/dev/null
for _ in $(seq 1 "$RUNS"); do
    testkor >>"$WORK/api.times"
    bare >>"$WORK/bare.times"
done
api_ms=$(ms_of "$(median <"$WORK/api.times")")
bare_ms=$(ms_of "$(median <"$WORK/bare.times")")
api_min=$(ms_of "$(sort -n "$WORK/api.times" | head -1)") api_max=$(ms_of "$(sort -n "$WORK/api.times" | tail -1)")

log "more runs, to 100 in all, for the memory figure"
for _ in $(seq $((RUNS + 2)) 100); do testkor >/dev/null; done

# wrk_run PATH: prints "requests/s p99" for PATH with the Bearer token.
wrk_run() {
    local out
    out=$(TOKEN=$TOKEN wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$REPO_ROOT/verify/load/bearer.lua" "$BASE$1")
    grep -q 'Non-2xx' <<<"$out" && die "$1: some answers were not 2xx: $out"
    echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")"
}
log "wrk -t2 -c$CONNECTIONS -d${DURATION}s: /api/health, /api/tools, /api/auth/me"
read -r health_rps health_p99 <<<"$(wrk_run /api/health)"
read -r tools_rps tools_p99 <<<"$(wrk_run /api/tools)"
read -r me_rps me_p99 <<<"$(wrk_run /api/auth/me)"
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
hwm_kib=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
pct() { python3 -c 'import sys; print(f"{100 * float(sys.argv[1]) / float(sys.argv[2]):.0f} %")' "$1" "$2"; }

cat <<EOF

| measure | value | anchor (same run) | ratio | goal |
|---|---|---|---|---|
| trivial TESTKÖR via the API, \`Prefer: wait\`, median of $RUNS (min–max) | $api_ms ms ($api_min–$api_max) | bare \`docker run\`: $bare_ms ms | $(python3 -c "print(f'{$api_ms / $bare_ms:.2f}')") | ≤ 0.25 |
| \`GET /api/tools\`, signed in, wrk -t2 -c$CONNECTIONS | $tools_rps req/s, p99 $tools_p99 | \`GET /api/health\`: $health_rps req/s, p99 $health_p99 | $(pct "$tools_rps" "$health_rps") | ≥ 50 %, p99 < 10 ms |
| \`GET /api/auth/me\` | $me_rps req/s, p99 $me_p99 | \`GET /api/health\` | $(pct "$me_rps" "$health_rps") | ≥ 50 % |
| server RSS after 100 runs and the load | $((rss_kib / 1024)) MiB (peak $((hwm_kib / 1024)) MiB) | | | < 30 MiB |
EOF

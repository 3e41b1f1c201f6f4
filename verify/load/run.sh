#!/usr/bin/env bash
# Load on loopback against the release build (SQLite, the Docker runner,
# RUNNER_MAX_CONCURRENCY=2, RUNNER_MAX_QUEUE=30), bounded in time:
#   1. GET /api/tools (a catalog of 22 tools) and GET /api/runs/{id}: wrk, DURATION seconds
#      each (default 12) with CONNECTIONS connections (default 32): throughput and latency.
#   2. 100 run submissions of a trivial tool, 20 at a time (curl + xargs): every answer is
#      202 or 503 (with Retry-After), every accepted run finishes, and the database holds
#      exactly the accepted runs — nothing lost, nothing extra.
# Needs wrk (`apt-get install -y wrk`). Prints a summary for docs/performance.md.
source "$(dirname "$0")/../lib.sh"

DURATION=${DURATION:-12} CONNECTIONS=${CONNECTIONS:-32} SUBMISSIONS=${SUBMISSIONS:-100} PARALLEL=${PARALLEL:-20}
command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk"
if [[ -z ${SKRIPTOTEKET_BIN:-} ]]; then
    log "building the release binary (cargo build --release -p skriptoteket-server)"
    (cd "$REPO_ROOT" && cargo build --release -q -p skriptoteket-server)
    export SKRIPTOTEKET_BIN=$REPO_ROOT/target/release/skriptoteket
fi

start_server SKRIPTOTEKET_SEED=true RUNNER_MAX_CONCURRENCY=2 RUNNER_MAX_QUEUE=30 RUNNER_MAX_ACTIVE_PER_USER=1000
ROOT_TOKEN=$(login root@verify.se)
create_user "$ROOT_TOKEN" larare@verify.se user
TOKEN=$(login larare@verify.se)
TRIVIAL='def run_tool(input_dir, output_dir):
    return "ok"
'
publish_tool "$ROOT_TOKEN" trivial "$TRIVIAL" >/dev/null
for n in $(seq 1 19); do publish_tool "$ROOT_TOKEN" "verktyg-$n" "$TRIVIAL" >/dev/null; done
RUN_ID=$(curl -sS --max-time 60 -H "Authorization: Bearer $TOKEN" -H 'Prefer: wait=30' -F 'inputs={}' \
    "$BASE/api/tools/trivial/run" | json '["id"]')
[[ $(api GET "/api/runs/$RUN_ID" "$TOKEN" | json '["status"]') == succeeded ]] || die "the trivial run did not succeed"

# bench NAME PATH: wrk with the Bearer token; fails on any non-2xx answer.
bench() {
    local out
    out=$(TOKEN=$TOKEN wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$VERIFY_ROOT/load/bearer.lua" "$BASE$2")
    echo "$out" >&2
    grep -q 'Non-2xx' <<<"$out" && die "$1: some answers were not 2xx"
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    SUMMARY+=("| \`$1\` | $CONNECTIONS | ${DURATION} s | $rps | $p50 | $p99 |")
}
SUMMARY=()
log "GET /api/tools for ${DURATION}s"
bench "GET /api/tools" /api/tools
log "GET /api/runs/{id} for ${DURATION}s"
bench "GET /api/runs/{id}" "/api/runs/$RUN_ID"

log "$SUBMISSIONS run submissions, $PARALLEL at a time"
mkdir -p "$WORK/submissions"
started=$SECONDS
seq "$SUBMISSIONS" | xargs -P "$PARALLEL" -I%N curl -sS --max-time 60 -o "$WORK/submissions/%N.json" \
    -D "$WORK/submissions/%N.headers" -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" -F 'inputs={}' \
    "$BASE/api/tools/trivial/run" >"$WORK/codes"
accepted=$(grep -c '^202$' "$WORK/codes" || true)
busy=$(grep -c '^503$' "$WORK/codes" || true)
other=$(grep -vc '^202$\|^503$' "$WORK/codes" || true)
((other == 0)) || die "$other submissions got neither 202 nor 503: $(sort "$WORK/codes" | uniq -c | tr '\n' ' ')"
((accepted + busy == SUBMISSIONS)) || die "only $((accepted + busy)) of $SUBMISSIONS submissions were answered"
for n in $(seq "$SUBMISSIONS"); do
    if grep -q '^HTTP/1.1 503' "$WORK/submissions/$n.headers"; then
        grep -qi '^retry-after:' "$WORK/submissions/$n.headers" || die "a 503 came without Retry-After"
    fi
done
ids=$(for f in "$WORK"/submissions/*.json; do
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["id"]) if "id" in d else None' "$f"
done | sort)
[[ $(grep -c . <<<"$ids") == "$accepted" ]] || die "the accepted answers do not all carry a run id"
wait_idle "$ROOT_TOKEN" 300
drained=$((SECONDS - started))
statuses=$(for id in $ids; do api GET "/api/runs/$id" "$TOKEN" | json '["status"]'; done | sort | uniq -c)
succeeded=$(awk '$2 == "succeeded" {print $1}' <<<"$statuses")
[[ ${succeeded:-0} == "$accepted" ]] || die "not every accepted run succeeded: $statuses"
stored=$(api GET "/api/runs?limit=1" "$TOKEN" | json '["total"]')
((stored == accepted + 1)) || die "the database holds $stored runs of this user, expected $((accepted + 1))"

cat <<SUMMARY_END

Measured $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end:

| endpoint | connections | duration | requests/s | p50 | p99 |
|---|---|---|---|---|---|
$(printf '%s\n' "${SUMMARY[@]}")

$SUBMISSIONS submissions ($PARALLEL at a time) against RUNNER_MAX_CONCURRENCY=2, RUNNER_MAX_QUEUE=30:
$accepted accepted (202), $busy refused with 503 + Retry-After, 0 other answers; all $accepted
accepted runs succeeded, queue drained ${drained} s after the first submission; the database
holds exactly the accepted runs.
SUMMARY_END

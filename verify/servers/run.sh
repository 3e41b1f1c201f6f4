#!/usr/bin/env bash
# Several servers on one PostgreSQL database (issue 15): two real `skriptoteket serve`
# processes, A and B (own instance names and data dirs, one JWT secret, concurrency 1 each, the
# Docker runner), on a fresh schema of SKRIPTOTEKET_TEST_POSTGRES_URL. It must hold that:
#  - runs submitted alternately to both finish, each claimed exactly once;
#  - an event stream on one server shows the live output of a run the other one executes;
#  - after SIGKILL of A mid-run (never started again), B fails A's running run within the lease
#    (30 s + a 5 s sweep), removes A's containers, and runs the run that was waiting in the queue.
#
#   SKRIPTOTEKET_TEST_POSTGRES_URL=postgres://… verify/servers/run.sh      ~60 s
source "$(dirname "$0")/../lib.sh"

PG=${SKRIPTOTEKET_TEST_POSTGRES_URL:?set SKRIPTOTEKET_TEST_POSTGRES_URL (make test does)}
SCHEMA=verify_$(basename "$WORK" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')
psql -q "$PG" -c "CREATE SCHEMA $SCHEMA"
DB_URL="$PG?options=-c%20search_path%3D$SCHEMA"
sql() { psql -tA "$PG" -c "SET search_path = $SCHEMA; $1" | grep -v '^SET$'; }

A_PID= B_PID=
A_INSTANCE=$INSTANCE-a B_INSTANCE=$INSTANCE-b
stop_both() {
    for pid in $A_PID $B_PID; do
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    for instance in "$A_INSTANCE" "$B_INSTANCE"; do
        left=$(docker ps -aq --filter "label=org.skriptoteket.instance=$instance")
        [[ -z $left ]] || docker rm -f $left >/dev/null 2>&1 || true
    done
    psql -q "$PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" 2>/dev/null || true
}
trap 'status=$?; stop_both; (exit $status); cleanup' EXIT

# start NAME INSTANCE: starts a server on its own port and data dir; sets NAME_PID, NAME_BASE.
start() {
    local name=$1 instance=$2 port bin pid
    bin=$(server_binary)
    port=$(free_port)
    mkdir -p "$WORK/$name"
    env SKRIPTOTEKET_BIND="127.0.0.1:$port" SKRIPTOTEKET_DATA_DIR="$WORK/$name" DATABASE_URL="$DB_URL" \
        SKRIPTOTEKET_INSTANCE="$instance" SKRIPTOTEKET_BOOTSTRAP_EMAIL=root@verify.se \
        SKRIPTOTEKET_BOOTSTRAP_PASSWORD="$PASSWORD" SKRIPTOTEKET_SEED=false \
        SKRIPTOTEKET_JWT_SECRET=verify-secret-verify-secret-verify-secret SKRIPTOTEKET_SPA_DIR="$WORK/no-spa" \
        RUNNER_MAX_CONCURRENCY=1 RUST_LOG="${RUST_LOG:-warn}" \
        "$bin" serve >>"$WORK/$name.log" 2>&1 &
    pid=$!
    printf -v "${name}_PID" %s "$pid"
    printf -v "${name}_BASE" %s "http://127.0.0.1:$port"
    for _ in $(seq 1 150); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/api/health" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { tail -20 "$WORK/$name.log" >&2; die "server $name exited at start-up"; }
        sleep 0.2
    done
    die "server $name did not answer within 30 s"
}

# on NAME FUNCTION ARGS…: runs a lib.sh helper against server NAME.
on() {
    local base=${1}_BASE
    BASE=${!base} "${@:2}"
}

status_of() { on B api GET "/api/runs/$1" "$TOKEN" | json '["status"]'; }
claimed_by() { sql "SELECT claimed_by FROM runs WHERE id = '$1'"; }

start A "$A_INSTANCE"
start B "$B_INSTANCE"
TOKEN=$(on A login root@verify.se)
on A publish_tool "$TOKEN" snabb 'def run_tool(input_dir, output_dir):
    return "klar"
' >/dev/null
on A publish_tool "$TOKEN" pratsam 'import time


def run_tool(input_dir, output_dir):
    for n in range(8):
        print(f"rad {n}", flush=True)
        time.sleep(0.5)
    return "klar"
' >/dev/null
on A publish_tool "$TOKEN" sovande 'import time


def run_tool(input_dir, output_dir):
    time.sleep(120)
    return "vaknade"
' >/dev/null

# 1. Runs submitted alternately to both finish, each claimed once.
ids=()
for n in $(seq 1 10); do
    if ((n % 2)); then ids+=("$(on A start_run "$TOKEN" snabb)"); else ids+=("$(on B start_run "$TOKEN" snabb)"); fi
done
on A wait_idle "$TOKEN" 90
for id in "${ids[@]}"; do
    [[ $(status_of "$id") == succeeded ]] || die "run $id ended $(status_of "$id")"
done
spread=$(sql "SELECT claimed_by || ':' || COUNT(*) FROM runs GROUP BY claimed_by ORDER BY 1" | tr '\n' ' ')
log "10 runs through both servers succeeded; claimed by $spread"

# 2. Live output through the server that does not execute the run.
talker=$(on A start_run "$TOKEN" pratsam)
for _ in $(seq 1 100); do [[ -n $(claimed_by "$talker") ]] && break; sleep 0.1; done
executing=$(claimed_by "$talker")
[[ $executing == "$A_INSTANCE" ]] && other=B_BASE || other=A_BASE
stream=$(curl -sSN --max-time 30 -H "Authorization: Bearer $TOKEN" "${!other}/api/runs/$talker/events")
grep -q '^event: output' <<<"$stream" || die "no live output through the other server:\n$stream"
live=$(grep -n '^event: output' <<<"$stream" | head -1 | cut -d: -f1)
end=$(grep -n '^event: run' <<<"$stream" | head -1 | cut -d: -f1)
[[ -n $end && $live -lt $end ]] || die "the output did not come before the end:\n$stream"
log "run executing on $executing followed live through ${other%_BASE}: $(grep -c '^event: output' <<<"$stream") output events before the end"

# 3. SIGKILL of A with a run going and one waiting.
sleepers=("$(on A start_run "$TOKEN" sovande)" "$(on B start_run "$TOKEN" sovande)")
deadline=$((SECONDS + 30))
until [[ $(status_of "${sleepers[0]}") == running && $(status_of "${sleepers[1]}") == running ]]; do
    ((SECONDS < deadline)) || die "the sleeping runs did not both start within 30 s"
    sleep 0.2
done
waiting=$(on B start_run "$TOKEN" snabb)
[[ $(claimed_by "${sleepers[0]}") == "$A_INSTANCE" ]] && on_a=${sleepers[0]} on_b=${sleepers[1]} || on_a=${sleepers[1]} on_b=${sleepers[0]}
[[ -n $(docker ps -q --filter "label=org.skriptoteket.instance=$A_INSTANCE") ]] || die "A has no container to leave behind"
kill -KILL "$A_PID"
wait "$A_PID" 2>/dev/null || true
A_PID=
killed=$SECONDS
log "A killed with run $on_a going; B settles it"
until [[ $(status_of "$on_a") != running ]]; do
    ((SECONDS - killed <= 40)) || die "A's run is still running $((SECONDS - killed)) s after the kill"
    sleep 0.5
done
settled=$((SECONDS - killed))
run=$(on B api GET "/api/runs/$on_a" "$TOKEN")
[[ $(json '["status"]' <<<"$run") == failed && $(json '["error_code"]' <<<"$run") == interrupted ]] \
    || die "A's run did not end as interrupted: $run"
until [[ -z $(docker ps -aq --filter "label=org.skriptoteket.instance=$A_INSTANCE") ]]; do
    ((SECONDS - killed <= 45)) || die "A's containers are still there $((SECONDS - killed)) s after the kill"
    sleep 0.5
done
log "A's run failed as interrupted after ${settled} s; A's containers removed after $((SECONDS - killed)) s"
# B's worker is busy sleeping: a cancel through B frees it for the run that waited.
on B api POST "/api/runs/$on_b/cancel" "$TOKEN" >/dev/null
on B wait_idle "$TOKEN" 60
[[ $(status_of "$waiting") == succeeded ]] || die "the waiting run ended $(status_of "$waiting")"
[[ $(status_of "$on_b") == cancelled ]] || die "B's run ended $(status_of "$on_b")"
[[ -z $(sql "SELECT name FROM instances WHERE name = '$A_INSTANCE'") ]] || die "A is still registered as alive"
log "several servers passed: runs claimed once, live output across servers, a killed server settled in ${settled} s"

# shellcheck shell=bash
# Shared by verify/*/run.sh: build and start the real `skriptoteket serve` on a free loopback
# port with a throw-away data directory, sign in, create accounts, and always clean up
# (server stopped, our containers removed, temp files deleted) when the script exits.

set -euo pipefail

VERIFY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$VERIFY_ROOT/.." && pwd)
PASSWORD=verify-password-123
SERVER_PID=
WORK=$(mktemp -d "${TMPDIR:-/tmp}/skt-verify.XXXXXX")
DATA_DIR=$WORK/data
INSTANCE=verify-$(basename "$WORK" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')
SERVER_LOG=$WORK/server.log
PORT=
BASE=

log() { printf '\033[1m[%s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# The binary to run: SKRIPTOTEKET_BIN, or the debug build (`cargo build -p
# skriptoteket-server`, a no-op when it is up to date).
server_binary() {
    if [[ -n "${SKRIPTOTEKET_BIN:-}" ]]; then
        echo "$SKRIPTOTEKET_BIN"
        return
    fi
    (cd "$REPO_ROOT" && cargo build -q -p skriptoteket-server) >&2
    echo "$REPO_ROOT/target/debug/skriptoteket"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server [VAR=value ...]: starts the server with the given extra environment and waits
# until it answers. Reuses DATA_DIR, INSTANCE and (after the first start) PORT.
start_server() {
    local bin
    bin=$(server_binary)
    PORT=${PORT:-$(free_port)}
    BASE=http://127.0.0.1:$PORT
    mkdir -p "$DATA_DIR"
    env SKRIPTOTEKET_BIND="127.0.0.1:$PORT" \
        SKRIPTOTEKET_DATA_DIR="$DATA_DIR" \
        SKRIPTOTEKET_INSTANCE="$INSTANCE" \
        SKRIPTOTEKET_BOOTSTRAP_EMAIL=root@verify.se \
        SKRIPTOTEKET_BOOTSTRAP_PASSWORD="$PASSWORD" \
        SKRIPTOTEKET_JWT_SECRET=verify-secret-verify-secret-verify-secret \
        SKRIPTOTEKET_SPA_DIR="$WORK/no-spa" \
        SKRIPTOTEKET_SHUTDOWN_GRACE_SECONDS=2 \
        RUST_LOG="${RUST_LOG:-warn}" \
        "$@" "$bin" serve >>"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 150); do
        if curl -fsS -o /dev/null "$BASE/api/health" 2>/dev/null; then
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$SERVER_LOG" >&2; die "the server exited at start-up"; }
        sleep 0.2
    done
    die "the server did not answer within 30 s"
}

# Stops the server: SIGTERM and a bounded wait, then SIGKILL.
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# kill -9, as a crash would.
crash_server() {
    kill -KILL "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

our_containers() {
    docker ps -aq --filter "label=org.skriptoteket.instance=$INSTANCE"
}

# Our containers that belong to a run: all of ours but the pre-started ones still waiting
# (named skt-pool-…; one taken by a run is renamed skt-run-<run id>).
our_run_containers() {
    docker ps -a --filter "label=org.skriptoteket.instance=$INSTANCE" --format '{{.ID}} {{.Names}}' \
        | awk '$2 !~ /^skt-pool-/ { print $1 }'
}

cleanup() {
    local status=$?
    stop_server
    local left
    left=$(our_containers 2>/dev/null || true)
    if [[ -n $left ]]; then
        docker rm -f $left >/dev/null 2>&1 || true
    fi
    if [[ -n ${KEEP_WORK:-} || $status -ne 0 ]]; then
        log "server log and data kept in $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# api METHOD PATH [TOKEN] [JSON]: prints the body; fails on a non-2xx status.
api() {
    local method=$1 path=$2 token=${3:-} body=${4:-}
    local args=(-sS -X "$method" --max-time 30 -w '\n%{http_code}')
    [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
    [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
    local out code
    out=$(curl "${args[@]}" "$BASE$path")
    code=${out##*$'\n'}
    out=${out%$'\n'*}
    [[ $code == 2* ]] || die "$method $path answered $code: $out"
    printf '%s' "$out"
}

# json FIELD-EXPRESSION: reads JSON on stdin and prints data<expr> (Python syntax).
json() {
    python3 -c "import json, sys; d = json.load(sys.stdin); v = d$1; print(v if isinstance(v, str) else json.dumps(v))"
}

login() {
    api POST /api/auth/login "" "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | json '["access_token"]'
}

# create_user TOKEN EMAIL ROLE
create_user() {
    api POST /api/admin/users "$1" \
        "{\"email\":\"$2\",\"display_name\":\"$3 ($2)\",\"role\":\"$3\",\"password\":\"$PASSWORD\"}" >/dev/null
}

# publish_tool TOKEN SLUG SOURCE: creates, categorises, saves, submits and publishes a tool
# with no inputs (as a superuser); prints the active version's id.
publish_tool() {
    local token=$1 slug=$2 source=$3 created tool version revision cat prof
    created=$(api POST /api/admin/tools "$token" "{\"title\":\"Verify $slug\",\"summary\":\"verify\",\"slug\":\"$slug\"}")
    tool=$(json '["tool"]["id"]' <<<"$created")
    version=$(json '["draft"]["id"]' <<<"$created")
    revision=$(json '["draft"]["revision"]' <<<"$created")
    cat=$(api GET /api/categories "$token" | json '[0]["id"]')
    prof=$(api GET /api/professions "$token" | json '[0]["id"]')
    api PATCH "/api/admin/tools/$tool" "$token" "{\"category_ids\":[\"$cat\"],\"profession_ids\":[\"$prof\"]}" >/dev/null
    local body
    body=$(python3 -c 'import json, sys; print(json.dumps({"source": sys.argv[1], "expected_revision": int(sys.argv[2])}))' "$source" "$revision")
    api PUT "/api/admin/tool-versions/$version" "$token" "$body" >/dev/null
    api POST "/api/admin/tool-versions/$version/submit-review" "$token" >/dev/null
    api POST "/api/admin/tool-versions/$version/publish" "$token" >/dev/null
    echo "$version"
}

# Prints what on disk has no run or artifact row (SQLite in DATA_DIR): folders under
# uploads/ and artifacts/ whose run is unknown, artifact files no row names, rows whose
# file is missing. Empty output means nothing is orphaned.
orphans() {
    python3 - "$DATA_DIR" <<'PY'
import os, sqlite3, sys
data = sys.argv[1]
db = sqlite3.connect(f"file:{os.path.join(data, 'skriptoteket.db')}?mode=ro", uri=True)
runs = {r[0] for r in db.execute("SELECT id FROM runs")}
stored = {r[0] for r in db.execute("SELECT stored_as FROM artifacts")}
for sub in ("uploads", "artifacts"):
    root = os.path.join(data, sub)
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if name not in runs:
            print(f"{sub}/{name}: a folder of no run")
root = os.path.join(data, "artifacts")
on_disk = set()
for folder, _, files in os.walk(root):
    for f in files:
        on_disk.add(os.path.relpath(os.path.join(folder, f), root))
for path in sorted(on_disk - stored):
    print(f"artifacts/{path}: a file no artifact row names")
for path in sorted(stored - on_disk):
    print(f"artifacts/{path}: an artifact row without its file")
PY
}

# start_run TOKEN SLUG: queues a run (202) and prints its id.
start_run() {
    local out code
    out=$(curl -sS --max-time 30 -w '\n%{http_code}' -H "Authorization: Bearer $1" -F 'inputs={}' "$BASE/api/tools/$2/run")
    code=${out##*$'\n'}
    [[ $code == 202 ]] || die "starting a run of $2 answered $code: ${out%$'\n'*}"
    json '["id"]' <<<"${out%$'\n'*}"
}

# wait_idle TOKEN [SECONDS]: waits until no run is queued or running (an admin's token).
wait_idle() {
    local token=$1 deadline=$((SECONDS + ${2:-60})) busy
    while ((SECONDS < deadline)); do
        busy=0
        for status in queued running; do
            busy=$((busy + $(api GET "/api/runs?all=true&status=$status&limit=1" "$token" | json '["total"]')))
        done
        ((busy == 0)) && return 0
        sleep 0.5
    done
    die "runs were still queued or running after ${2:-60} s"
}

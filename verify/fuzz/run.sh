#!/usr/bin/env bash
# Schema-based fuzzing of the whole API (schemathesis, from openapi/openapi.json as the live
# server serves it) against the real server: SQLite in a temp dir, the example tools, the
# real Docker runner. One pass per role (anonymous, user, contributor, admin, superuser),
# each with a Bearer token, checking: no 5xx, documented status codes and content types
# (so every error is problem+json), and bodies that match the documented schemas. Then:
# no upload or artifact left on disk without its run, and no error in the server's log.
#
#   verify/fuzz/run.sh           ~5 min  (EXAMPLES=25 per operation, 60 s per role)
#   FAST=1 verify/fuzz/run.sh    ~75 s   (EXAMPLES=5, 12 s per role; `make verify-fast`)
#
# Reports (JUnit) land in verify/fuzz/report/<role>.xml. Exit status: non-zero on any failure.
source "$(dirname "$0")/../lib.sh"

if [[ -n ${FAST:-} ]]; then
    EXAMPLES=${EXAMPLES:-5} ROLE_SECONDS=${ROLE_SECONDS:-12}
else
    EXAMPLES=${EXAMPLES:-25} ROLE_SECONDS=${ROLE_SECONDS:-60}
fi
VENV=$VERIFY_ROOT/.venv
REPORTS=$VERIFY_ROOT/fuzz/report

if [[ ! -x $VENV/bin/schemathesis ]] || ! cmp -s "$VERIFY_ROOT/fuzz/requirements.txt" "$VENV/.fuzz-requirements"; then
    log "installing schemathesis into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$VERIFY_ROOT/fuzz/requirements.txt"
    cp "$VERIFY_ROOT/fuzz/requirements.txt" "$VENV/.fuzz-requirements"
fi

start_server SKRIPTOTEKET_SEED=true RUNNER_MAX_CONCURRENCY=2 RUNNER_MAX_QUEUE=10 \
    RUNNER_TIMEOUT_PRODUCTION_SECONDS=20 RUNNER_TIMEOUT_SANDBOX_SECONDS=20
log "server on $BASE (data in $DATA_DIR)"

ROOT_TOKEN=$(login root@verify.se)
create_user "$ROOT_TOKEN" user@verify.se user
create_user "$ROOT_TOKEN" contributor@verify.se contributor
create_user "$ROOT_TOKEN" admin@verify.se admin
create_user "$ROOT_TOKEN" target@verify.se user
declare -A TOKENS=(
    [anonymous]=""
    [user]=$(login user@verify.se)
    [contributor]=$(login contributor@verify.se)
    [admin]=$(login admin@verify.se)
    [superuser]=$ROOT_TOKEN
)
export FUZZ_ACCOUNT_ID FUZZ_MAINTAINER_ID FUZZ_TOOL_ID FUZZ_VERSION_ID FUZZ_RUN_ID FUZZ_ARTIFACT_ID FUZZ_ACTION_RUN_ID
FUZZ_ACCOUNT_ID=$(api GET "/api/admin/users?limit=100" "$ROOT_TOKEN" | json '["items"]' |
    python3 -c 'import json, sys; print(next(u["id"] for u in json.load(sys.stdin) if u["email"] == "target@verify.se"))')
FUZZ_MAINTAINER_ID=$(api GET /api/auth/me "${TOKENS[contributor]}" | json '["user"]["id"]')

# A tool and draft the contributor maintains (admins may edit every tool).
created=$(api POST /api/admin/tools "${TOKENS[contributor]}" '{"title":"Fuzzverktyg","slug":"fuzzverktyg"}')
FUZZ_TOOL_ID=$(json '["tool"]["id"]' <<<"$created")
FUZZ_VERSION_ID=$(json '["draft"]["id"]' <<<"$created")

# run_of TOKEN SLUG CSV INPUTS: a finished run of an example tool; prints the run's JSON.
run_of() {
    local args=(-sS --max-time 60 -H "Authorization: Bearer $1" -H 'Prefer: wait=45' -F "inputs=$4")
    [[ -n $3 ]] && args+=(-F "files=@$3;filename=elever.csv")
    curl "${args[@]}" "$BASE/api/tools/$2/run"
}
printf 'namn,poang\nAda,7\nBo,9\n' >"$WORK/elever.csv"

mkdir -p "$REPORTS"
failed=()
for role in anonymous user contributor admin superuser; do
    token=${TOKENS[$role]}
    headers=()
    if [[ -n $token ]]; then
        headers=(-H "Authorization: Bearer $token")
        graded=$(run_of "$token" betygsoversikt "$WORK/elever.csv" '{}')
        FUZZ_RUN_ID=$(json '["id"]' <<<"$graded")
        FUZZ_ARTIFACT_ID=$(json '["artifacts"][0]["id"]' <<<"$graded")
        FUZZ_ACTION_RUN_ID=$(run_of "$token" gruppindelning "" '{"names":"Ada\nBo\nCilla"}' | json '["id"]')
    else
        FUZZ_RUN_ID=$(python3 -c 'import uuid; print(uuid.uuid4())')
        FUZZ_ARTIFACT_ID=$FUZZ_RUN_ID FUZZ_ACTION_RUN_ID=$FUZZ_RUN_ID
    fi
    log "fuzzing as $role (≤ $EXAMPLES examples per operation, ≤ ${ROLE_SECONDS}s)"
    if ! (cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$VERIFY_ROOT/fuzz/schemathesis.toml" run \
        "$BASE/api/openapi.json" "${headers[@]}" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --max-time "$ROLE_SECONDS" \
        --workers 1 --request-timeout 30 --seed 20261123 --no-color \
        --report junit --report-junit-path "$REPORTS/$role.xml" --warnings off); then
        failed+=("$role")
    fi
done

wait_idle "$ROOT_TOKEN" 90
left=$(orphans)
if [[ -n $left ]]; then
    log "files left without a run:"
    echo "$left" | head -20 >&2
    failed+=("orphaned-files")
fi
if grep -q 'ERROR\|panicked' "$SERVER_LOG"; then
    log "the server logged errors:"
    grep 'ERROR\|panicked' "$SERVER_LOG" | head -20 >&2
    failed+=("server-log")
fi
[[ ${#failed[@]} -eq 0 ]] || die "fuzzing found failures as: ${failed[*]} (reports in $REPORTS)"
log "fuzzing passed for every role"

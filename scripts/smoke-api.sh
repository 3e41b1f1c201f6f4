#!/usr/bin/env bash
# HTTP smoke test of a running Skriptoteket: /api/health, /api/ready (every check ok), sign-in
# as EMAIL/PASSWORD (a superuser or admin, so the seeded tools exist), then the seeded tool
# `betygsoversikt` on a small CSV through `POST /api/tools/betygsoversikt/run` with
# `Prefer: wait=30`: the run must succeed and its Excel artifact must download.
#   usage: scripts/smoke-api.sh BASE_URL EMAIL PASSWORD
set -euo pipefail
BASE="$1" EMAIL="$2" PASSWORD="$3"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

curl -fsS "$BASE/api/health"; echo
curl -sS "$BASE/api/ready" >"$TMP/ready.json" || true
cat "$TMP/ready.json"; echo
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"] == "ready", d' "$TMP/ready.json"

echo "== sign in as $EMAIL"
curl -fsS -H 'Content-Type: application/json' \
  -d "$(python3 -c 'import json,sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' "$EMAIL" "$PASSWORD")" \
  "$BASE/api/auth/login" >"$TMP/login.json"
TOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$TMP/login.json")
auth=(-H "Authorization: Bearer $TOKEN")
curl -fsS "${auth[@]}" "$BASE/api/tools/betygsoversikt" >/dev/null

echo "== POST /api/tools/betygsoversikt/run (Prefer: wait=30)"
printf 'namn,matematik,svenska\nAda,18,15\nBo,12,17.5\nCi,20,\n' >"$TMP/resultat.csv"
start=$(date +%s%N)
code=$(curl -sS -o "$TMP/run.json" -w '%{http_code}' "${auth[@]}" -H 'Prefer: wait=30' \
  -F "files=@$TMP/resultat.csv;type=text/csv" -F 'inputs={}' \
  "$BASE/api/tools/betygsoversikt/run")
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
python3 - "$TMP/run.json" "$code" "$elapsed" <<'PY'
import json, sys

run = json.load(open(sys.argv[1], encoding="utf-8"))
assert sys.argv[2] == "200", f"HTTP {sys.argv[2]}: {run}"
assert run["status"] == "succeeded", json.dumps(run, indent=2, ensure_ascii=False)[:3000]
outputs = run["ui"]["outputs"]
kinds = [o["kind"] for o in outputs]
table = next(o for o in outputs if o["kind"] == "table")
rows = {r["kolumn"]: r for r in table["rows"]}
assert rows["matematik"]["medel"] == 16.67 and rows["svenska"]["antal"] == 2, rows
names = [a["name"] for a in run["artifacts"]]
assert names == ["betygsoversikt.xlsx"], names
print(f"run {run['id']} succeeded in {sys.argv[3]} ms (request): outputs {kinds}, artifacts {names}")
with open(sys.argv[1] + ".artifact", "w") as f:
    f.write(run["artifacts"][0]["download_url"])
PY
curl -fsS "${auth[@]}" -o "$TMP/betygsoversikt.xlsx" "$BASE$(cat "$TMP/run.json.artifact")"
head -c 2 "$TMP/betygsoversikt.xlsx" | grep -q PK || { echo "the artifact is not an xlsx (zip)" >&2; exit 1; }
echo "artifact downloaded ($(stat -c %s "$TMP/betygsoversikt.xlsx") bytes)"

#!/usr/bin/env bash
# A local S3-compatible server for tests (moto in server mode, from PyPI), on loopback:
# `bash scripts/ci/start-s3.sh [PORT]` installs it into .venv-moto when missing, starts it in the
# background unless it already answers, and prints the endpoint. Stop it with stop-s3.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${1:-${SKRIPTOTEKET_TEST_S3_PORT:-9466}}"
venv=.venv-moto
state="${TMPDIR:-/tmp}/skriptoteket-s3-$port"
endpoint="http://127.0.0.1:$port"

if curl -fsS -o /dev/null "$endpoint/moto-api/" 2>/dev/null; then
  echo "$endpoint"
  exit 0
fi
if [ ! -x "$venv/bin/moto_server" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q 'moto[server]==5.*' >&2
fi
mkdir -p "$state"
nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$state/log" 2>&1 &
echo $! >"$state/pid"
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "$endpoint/moto-api/" 2>/dev/null; then
    echo "$endpoint"
    exit 0
  fi
  sleep 0.1
done
echo "the S3 test server did not start; see $state/log" >&2
exit 1

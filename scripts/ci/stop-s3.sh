#!/usr/bin/env bash
# Stops the S3 test server start-s3.sh started on PORT (its in-memory buckets go with it).
set -euo pipefail
port="${1:-${SKRIPTOTEKET_TEST_S3_PORT:-9466}}"
pidfile="${TMPDIR:-/tmp}/skriptoteket-s3-$port/pid"
if [ -f "$pidfile" ]; then
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
fi

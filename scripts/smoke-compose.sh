#!/usr/bin/env bash
# Brings the production stack (compose.prod.yaml + compose.socket.yaml: the app image, PostgreSQL
# 15, named volumes, the local engine's socket) up under a throw-away project name and env file,
# waits for the health checks, runs scripts/smoke-api.sh against it (a real tool run through the
# containerised backend on PostgreSQL), then takes it down with its volumes. Never touches the
# stack of `make run-local` (project "skriptoteket") or its .env.
#   COMPOSE (the compose command), CONTAINER_ENGINE, APP_IMAGE, RUNNER_IMAGE
set -euo pipefail
cd "$(dirname "$0")/.."

COMPOSE="${COMPOSE:-docker compose}"
PROJECT="skriptoteket-smoke-$$"
ENV_FILE=$(mktemp)
EMAIL=smoke@skriptoteket.test
PASSWORD="smoke-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
rm -f "$ENV_FILE"   # prepare-compose.sh writes it

# shellcheck disable=SC2086  # COMPOSE may be two words ("docker compose")
compose() { $COMPOSE -p "$PROJECT" --env-file "$ENV_FILE" -f compose.prod.yaml -f compose.socket.yaml "$@"; }
cleanup() {
  status=$?
  if [ "$status" != 0 ]; then
    compose ps -a >&2 || true
    compose logs --tail 40 >&2 || true
  fi
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  # The server removes its pre-started run containers when it stops; should a stop be cut
  # short, they go here (they carry the instance label, which is this project's name).
  leftover=$("${CONTAINER_ENGINE:-docker}" ps -aq --filter "label=org.skriptoteket.instance=$PROJECT" 2>/dev/null || true)
  [ -z "$leftover" ] || "${CONTAINER_ENGINE:-docker}" rm -f $leftover >/dev/null 2>&1 || true
  rm -f "$ENV_FILE"
  exit "$status"
}
trap cleanup EXIT

start=$(date +%s)
ENV_FILE="$ENV_FILE" bash scripts/prepare-compose.sh
{
  echo "SKRIPTOTEKET_INSTANCE=$PROJECT"
  echo "SKRIPTOTEKET_PUBLISH=127.0.0.1:"   # a free port: "127.0.0.1::8080"
  echo "SKRIPTOTEKET_BOOTSTRAP_EMAIL=$EMAIL"
  echo "SKRIPTOTEKET_BOOTSTRAP_PASSWORD=$PASSWORD"
} >>"$ENV_FILE"

echo "== $COMPOSE -p $PROJECT up -d --wait (compose.prod.yaml + compose.socket.yaml)"
compose up -d --wait --wait-timeout 180 --no-build
PORT=$(compose port backend 8080 | sed 's/.*://')
echo "stack healthy after $(( $(date +%s) - start )) s; backend on 127.0.0.1:$PORT"
compose exec -T backend skriptoteket runner check
bash scripts/smoke-api.sh "http://127.0.0.1:$PORT" "$EMAIL" "$PASSWORD"
echo "compose stack smoke test passed in $(( $(date +%s) - start )) s"

#!/usr/bin/env bash
# End-to-end smoke test of the app image: start it on SQLite (named volume at /data) with the
# engine's socket mounted and its group added, wait for the image's HEALTHCHECK to report
# healthy, check /api/ready and `skriptoteket runner check` inside the container, sign in as
# the bootstrap superuser, and run the seeded tool `betygsoversikt` on a small CSV through
# `POST /api/tools/betygsoversikt/run` with `Prefer: wait=30`; the run must succeed and its
# Excel artifact must download. Removes its container and volume on every path.
#   APP_IMAGE (skriptoteket:latest), RUNNER_IMAGE (skriptoteket-runner:latest), CONTAINER_ENGINE,
#   DOCKER_SOCKET (/var/run/docker.sock)
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE="${CONTAINER_ENGINE:-docker}"
IMAGE="${APP_IMAGE:-skriptoteket:latest}"
RUNNER="${RUNNER_IMAGE:-skriptoteket-runner:latest}"
SOCKET="${DOCKER_SOCKET:-/var/run/docker.sock}"
NAME="skriptoteket-smoke-$$"
VOLUME="$NAME-data"
EMAIL=smoke@skriptoteket.test
PASSWORD="smoke-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

TMP=$(mktemp -d)
cleanup() {
  status=$?
  if [ "$status" != 0 ] && "$ENGINE" container inspect "$NAME" >/dev/null 2>&1; then
    echo "--- last log lines of $NAME" >&2
    "$ENGINE" logs --tail 40 "$NAME" >&2 || true
  fi
  # A graceful stop lets the server remove its pre-started containers; whatever of this
  # instance is still there after that goes too.
  "$ENGINE" stop -t 20 "$NAME" >/dev/null 2>&1 || true
  "$ENGINE" rm -f "$NAME" >/dev/null 2>&1 || true
  leftover=$("$ENGINE" ps -aq --filter "label=org.skriptoteket.instance=$NAME")
  [ -z "$leftover" ] || "$ENGINE" rm -f $leftover >/dev/null 2>&1 || true
  "$ENGINE" volume rm "$VOLUME" >/dev/null 2>&1 || true
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT

for image in "$IMAGE" "$RUNNER"; do
  "$ENGINE" image inspect "$image" >/dev/null 2>&1 \
    || { echo "$image is missing: run \`make build-app-image build-runner-image\`" >&2; exit 1; }
done

start=$(date +%s)
"$ENGINE" volume create --label org.skriptoteket.smoke-test=true "$VOLUME" >/dev/null
"$ENGINE" run -d --name "$NAME" --label org.skriptoteket.smoke-test=true \
  --health-interval 2s --health-start-period 30s \
  -v "$SOCKET:/var/run/docker.sock" --group-add "$(stat -c %g "$SOCKET")" \
  -v "$VOLUME:/data" -p 127.0.0.1:0:8080 \
  -e SKRIPTOTEKET_BOOTSTRAP_EMAIL="$EMAIL" -e SKRIPTOTEKET_BOOTSTRAP_PASSWORD="$PASSWORD" \
  -e SKRIPTOTEKET_INSTANCE="$NAME" -e RUNNER_IMAGE="$RUNNER" -e SKRIPTOTEKET_LOG_JSON=true \
  "$IMAGE" >/dev/null
PORT=$("$ENGINE" port "$NAME" 8080/tcp | head -n 1 | sed 's/.*://')
BASE="http://127.0.0.1:$PORT"
echo "== $IMAGE as $NAME on $BASE"

health=starting
for _ in $(seq 1 120); do   # 120 x 0.5 s
  health=$("$ENGINE" inspect -f '{{.State.Health.Status}}' "$NAME" 2>/dev/null || echo gone)
  [ "$health" = healthy ] && break
  [ "$("$ENGINE" inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" = true ] || break
  sleep 0.5
done
[ "$health" = healthy ] || { echo "HEALTHCHECK did not report healthy (status: $health)" >&2; exit 1; }
echo "healthy after $(( $(date +%s) - start )) s (HEALTHCHECK on /api/health)"

echo "== skriptoteket runner check (inside the container)"
"$ENGINE" exec "$NAME" skriptoteket runner check
bash scripts/smoke-api.sh "$BASE" "$EMAIL" "$PASSWORD"

# Run containers (skt-run-<id>) must be gone; pre-started ones (skt-pool-…) wait for the next
# run and go when the server stops.
left=""
for _ in $(seq 1 25); do
  left=$("$ENGINE" ps -a --filter "label=org.skriptoteket.instance=$NAME" --format '{{.Names}}' | grep -v '^skt-pool-' || true)
  [ -z "$left" ] && break
  sleep 0.2
done
[ -z "$left" ] || { echo "run containers left behind: $left" >&2; exit 1; }
echo "app image smoke test passed in $(( $(date +%s) - start )) s"

#!/usr/bin/env bash
# Build the runner image (${RUNNER_IMAGE:-skriptoteket-runner:latest}) from Dockerfile.runner.
# Skips the build when the image already carries the current source hash; --force rebuilds
# from scratch (no layer cache, libraries downloaded again).
#   BASE_IMAGE  base for both stages; default python:3.11-slim when present or pullable, else
#               skriptoteket-base:bookworm (bootstrapped from Debian packages, no registry needed;
#               scripts/lib/base-image.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${RUNNER_IMAGE:-skriptoteket-runner:latest}"
FORCE=0
cache=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1; cache=(--no-cache) ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

# Debian's docker CLI has BuildKit built in (RUN --mount needs it); another client may not.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker)

# shellcheck source=lib/base-image.sh
. scripts/lib/base-image.sh
[ -n "${BASE_IMAGE:-}" ] || BASE_IMAGE=$(pick_base_image "$DOCKER" python:3.11-slim)

# Hash of what goes into the image: Dockerfile.runner, runner/ minus tests, tools and caches
# (same exclusions as Dockerfile.runner.dockerignore), and the base image's id.
source_hash() {
  {
    sha256sum Dockerfile.runner
    find runner -type f \
      ! -path 'runner/tests/*' ! -path 'runner/tools/*' ! -path 'runner/build/*' \
      ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*/.pytest_cache/*' \
      ! -path '*.egg-info/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    echo "base $("$DOCKER" image inspect -f '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || echo "$BASE_IMAGE")"
  } | sha256sum | cut -c1-64
}
HASH=$(source_hash)
LABEL=org.skriptoteket.source-hash

current=$("$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$IMAGE" 2>/dev/null || true)
if [ "$FORCE" = 0 ] && [ "$current" = "$HASH" ]; then
  echo "$IMAGE is up to date (source hash ${HASH:0:12})"
else
  # The host's CA bundle, for registries behind a TLS-intercepting proxy (optional secret).
  CA="${PIP_CERT:-}"
  [ -n "$CA" ] || CA=$(python3 -m pip config get global.cert 2>/dev/null || true)
  [ -n "$CA" ] || { [ -f /etc/ssl/certs/ca-certificates.crt ] && CA=/etc/ssl/certs/ca-certificates.crt; } || true
  secret=()
  [ -n "$CA" ] && [ -s "$CA" ] && secret=(--secret "id=ca,src=$CA")

  echo "building $IMAGE from $BASE_IMAGE"
  start=$(date +%s)
  DOCKER_BUILDKIT=1 "$DOCKER" build \
    -f Dockerfile.runner \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --label "$LABEL=$HASH" \
    "${secret[@]}" "${cache[@]}" \
    -t "$IMAGE" .
  echo "built $IMAGE in $(( $(date +%s) - start )) s"
fi

size=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
echo "$IMAGE size: $(( size / 1000000 )) MB ($size bytes)"

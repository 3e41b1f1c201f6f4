#!/usr/bin/env bash
# Build the runner image (${RUNNER_IMAGE:-skriptoteket-runner:latest}) from Dockerfile.runner.
# Skips the build when the image already carries the current source hash; --force rebuilds
# from scratch (no layer cache, wheels and libraries downloaded again).
#   BASE_IMAGE  base for both stages; default python:3.13-slim when present or pullable, else
#               skriptoteket-base:trixie (Debian 13 with Python 3.13, bootstrapped from Debian
#               packages, no registry needed; scripts/lib/base-image.sh)
# The Python libraries (runner/requirements.txt, runner/requirements-build.txt) are downloaded as
# wheels by the host's pip for the image's Python and platform into .wheels/ (gitignored; kept
# while the requirements, the Python version and the platform stay the same) and installed
# offline by Dockerfile.runner: pip on Python 3.13 inside a build refuses a TLS-intercepting
# proxy. Without a host pip, or when the download fails, the build falls back to the index.
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
[ -n "${BASE_IMAGE:-}" ] || BASE_IMAGE=$(pick_base_image "$DOCKER" python:3.13-slim trixie)

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

# fetch_wheels: fill .wheels/ for the base image's Python and this machine's platform, unless
# it already holds the wheels of the same requirements (stamp .wheels/.key).
WHEELS=.wheels
fetch_wheels() {
  mkdir -p "$WHEELS"
  local pyver arch key
  pyver=$("$DOCKER" run --rm --network none --entrypoint python3 "$BASE_IMAGE" \
    -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
  arch=$(uname -m)
  if [ -z "$pyver" ] || ! python3 -m pip --version >/dev/null 2>&1; then
    echo "no host pip or no python3 in $BASE_IMAGE: the build installs from the index" >&2
    rm -f "$WHEELS"/*.whl "$WHEELS/.key"
    return
  fi
  key="$(cat runner/requirements.txt runner/requirements-build.txt | sha256sum | cut -c1-64) python$pyver $arch"
  if [ "$FORCE" = 0 ] && [ "$(cat "$WHEELS/.key" 2>/dev/null)" = "$key" ]; then
    echo "wheels for python$pyver $arch already in $WHEELS/"
    return
  fi
  echo "downloading wheels for python$pyver $arch into $WHEELS/ (host pip)"
  local tmp plat=()
  tmp=$(mktemp -d "$WHEELS/.download.XXXXXX")
  for p in manylinux_2_28 manylinux_2_17 manylinux2014; do plat+=(--platform "${p}_$arch"); done
  if env -u PIP_FIND_LINKS python3 -m pip download -q --disable-pip-version-check \
       --only-binary=:all: --python-version "$pyver" --implementation cp "${plat[@]}" \
       --platform any -d "$tmp" -r runner/requirements.txt -r runner/requirements-build.txt; then
    rm -f "$WHEELS"/*.whl
    mv "$tmp"/*.whl "$WHEELS"/
    echo "$key" >"$WHEELS/.key"
    echo "$(find "$WHEELS" -name '*.whl' | wc -l) wheels, $(du -sm "$WHEELS" | cut -f1) MB"
  else
    echo "wheel download failed: the build installs from the index" >&2
    rm -f "$WHEELS"/*.whl "$WHEELS/.key"
  fi
  rm -rf "$tmp"
}
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

  fetch_wheels

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

#!/usr/bin/env bash
# `make push` / `make build-multiarch`: build both images with docker buildx and push them.
#   push       the runner and app images for this machine's platform
#   multiarch  the same for every platform in PLATFORMS (default linux/amd64,linux/arm64)
# REGISTRY (required, e.g. registry.example.org/school), VERSION (default latest),
# BASE_IMAGE (app image, default python:3.13-slim) and RUNNER_BASE_IMAGE (runner image, default
# python:3.13-slim): a multi-platform base must come from a registry.
# The app image copies a host-built binary, so for each platform the binary must already be at
# target/<rust target>/release/skriptoteket (x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu);
# for `push` the native target/release/skriptoteket is used (`make build-app-image` builds it).
# Without buildx this says so and exits 2: use `docker tag` + `docker push` instead.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${1:-}"
case "$MODE" in
  push|multiarch) ;;
  *) echo "usage: $0 push|multiarch" >&2; exit 2 ;;
esac
ENGINE="${CONTAINER_ENGINE:-docker}"

if [ "$ENGINE" != docker ]; then
  cat >&2 <<EOF
make ${MODE/multiarch/build-multiarch} uses docker buildx; the engine here is $ENGINE.
With Podman, build per platform and push a manifest list, e.g.:
  podman build --platform linux/amd64,linux/arm64 --manifest \$REGISTRY/skriptoteket-runner:\$VERSION -f Dockerfile.runner .
  podman manifest push --all \$REGISTRY/skriptoteket-runner:\$VERSION
EOF
  exit 2
fi
DOCKER=docker
if ! "$DOCKER" buildx version >/dev/null 2>&1 && [ -x /usr/bin/docker ] && /usr/bin/docker buildx version >/dev/null 2>&1; then
  DOCKER=/usr/bin/docker
fi
if ! "$DOCKER" buildx version >/dev/null 2>&1; then
  cat >&2 <<EOF
make ${MODE/multiarch/build-multiarch}: docker buildx is not installed on this machine ('docker buildx version' failed).
Install the buildx plugin (Docker's docker-buildx-plugin package, or docker-buildx on Debian 13+)
and run it again. Without buildx you can still push the single-platform images built here:
  docker tag skriptoteket-runner:latest \$REGISTRY/skriptoteket-runner:\$VERSION
  docker tag skriptoteket:latest        \$REGISTRY/skriptoteket:\$VERSION
  docker push \$REGISTRY/skriptoteket-runner:\$VERSION && docker push \$REGISTRY/skriptoteket:\$VERSION
EOF
  exit 2
fi

: "${REGISTRY:?set REGISTRY, e.g. REGISTRY=registry.example.org/school make $MODE}"
VERSION="${VERSION:-latest}"
BASE="${BASE_IMAGE:-python:3.13-slim}"
RUNNER_BASE="${RUNNER_BASE_IMAGE:-python:3.13-slim}"
CA="${PIP_CERT:-}"
[ -n "$CA" ] || { [ -f /etc/ssl/certs/ca-certificates.crt ] && CA=/etc/ssl/certs/ca-certificates.crt; } || true
secret=()
[ -n "$CA" ] && [ -s "$CA" ] && secret=(--secret "id=ca,src=$CA")
[ -f frontend/dist/index.html ] || make --no-print-directory fe-build

if [ "$MODE" = push ]; then
  "$DOCKER" buildx build --push -f Dockerfile.runner --build-arg "BASE_IMAGE=$RUNNER_BASE" "${secret[@]}" \
    -t "$REGISTRY/skriptoteket-runner:$VERSION" .
  [ -x target/release/skriptoteket ] || { echo "target/release/skriptoteket is missing: make build-app-image" >&2; exit 1; }
  "$DOCKER" buildx build --push -f Dockerfile --build-arg "BASE_IMAGE=$BASE" \
    --build-arg BINARY=target/release/skriptoteket -t "$REGISTRY/skriptoteket:$VERSION" .
  echo "pushed $REGISTRY/skriptoteket-runner:$VERSION and $REGISTRY/skriptoteket:$VERSION"
  exit 0
fi

PLATFORMS="${PLATFORMS:-linux/amd64,linux/arm64}"
# Multi-platform builds need a builder with the docker-container driver (and QEMU/binfmt for
# foreign platforms); create one once.
if ! "$DOCKER" buildx inspect skriptoteket-multiarch >/dev/null 2>&1; then
  "$DOCKER" buildx create --name skriptoteket-multiarch --driver docker-container >/dev/null
fi
bx=("$DOCKER" buildx build --builder skriptoteket-multiarch --push)

# The runner image is Python and wheels: one build for every platform.
"${bx[@]}" --platform "$PLATFORMS" -f Dockerfile.runner --build-arg "BASE_IMAGE=$RUNNER_BASE" "${secret[@]}" \
  -t "$REGISTRY/skriptoteket-runner:$VERSION" .

# The app image: one build per platform from that platform's binary, then one manifest list.
per_platform=()
IFS=, read -ra platforms <<<"$PLATFORMS"
for platform in "${platforms[@]}"; do
  arch="${platform#linux/}"
  case "$arch" in
    amd64) triple=x86_64-unknown-linux-gnu ;;
    arm64) triple=aarch64-unknown-linux-gnu ;;
    *) echo "no Rust target known for $platform" >&2; exit 1 ;;
  esac
  binary="target/$triple/release/skriptoteket"
  if [ ! -x "$binary" ]; then
    echo "$binary is missing: cargo build --release -p skriptoteket-server --target $triple (needs that target's linker)" >&2
    exit 1
  fi
  # The build context lets in only target/release/skriptoteket* (.dockerignore).
  install -m 0755 "$binary" "target/release/skriptoteket-$arch"
  tag="$REGISTRY/skriptoteket:$VERSION-$arch"
  "${bx[@]}" --platform "$platform" -f Dockerfile --build-arg "BASE_IMAGE=$BASE" \
    --build-arg "BINARY=target/release/skriptoteket-$arch" -t "$tag" .
  per_platform+=("$tag")
done
"$DOCKER" buildx imagetools create -t "$REGISTRY/skriptoteket:$VERSION" "${per_platform[@]}"
echo "pushed $REGISTRY/skriptoteket-runner:$VERSION and $REGISTRY/skriptoteket:$VERSION for $PLATFORMS"

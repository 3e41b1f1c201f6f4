#!/usr/bin/env bash
# Build the app image (${APP_IMAGE:-skriptoteket:latest}) from Dockerfile:
#   1. the backend binary on the host: `cargo build --release -p skriptoteket-server`
#      (there is no Rust image to build in; the binary links only glibc);
#   2. the SPA into frontend/dist with `make fe-build`, when it is not built yet;
#   3. the image, with BuildKit through Debian's /usr/bin/docker (like build-runner-image.sh).
# Options:
#   --debug     copy target/debug/skriptoteket instead, built with `cargo build -p
#               skriptoteket-server` (`make test` reuses the test build: no release build in CI)
#   --no-cargo  do not run cargo; the binary must exist
# Environment: APP_IMAGE, VERSION (also tag skriptoteket:$VERSION), CONTAINER_ENGINE,
# BASE_IMAGE (default python:3.13-slim when present or pullable, else skriptoteket-base:trixie
# bootstrapped from Debian packages: scripts/lib/base-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${APP_IMAGE:-skriptoteket:latest}"
PROFILE=release
CARGO_BUILD=1
for arg in "$@"; do
  case "$arg" in
    --debug) PROFILE=debug ;;
    --no-cargo) CARGO_BUILD=0 ;;
    *) echo "usage: $0 [--debug] [--no-cargo]" >&2; exit 2 ;;
  esac
done
BINARY="target/$PROFILE/skriptoteket"
CARGO="${CARGO:-cargo}"

t0=$(date +%s)
if [ "$CARGO_BUILD" = 1 ]; then
  if [ "$PROFILE" = release ]; then
    echo "== cargo build --release -p skriptoteket-server"
    "$CARGO" build --release -p skriptoteket-server
  else
    echo "== cargo build -p skriptoteket-server (a no-op when the test build is fresh)"
    "$CARGO" build -p skriptoteket-server
  fi
fi
[ -x "$BINARY" ] || { echo "$BINARY is missing: build it with cargo first" >&2; exit 1; }
# The base has only Debian's libraries: the binary must not need more than glibc.
if command -v ldd >/dev/null 2>&1; then
  extra=$(ldd "$BINARY" | awk '{print $1}' | grep -vE '^(linux-vdso|/lib64/ld-linux|libc\.|libm\.|libgcc_s\.|libpthread\.|libdl\.|librt\.)' || true)
  [ -z "$extra" ] || echo "warning: $BINARY links libraries the base may lack: $extra" >&2
fi
t1=$(date +%s)

if [ ! -f frontend/dist/index.html ]; then
  echo "== make fe-build (frontend/dist is missing)"
  make --no-print-directory fe-build
fi
t2=$(date +%s)

ENGINE="${CONTAINER_ENGINE:-docker}"
if [ "$ENGINE" = docker ]; then
  # Debian's docker CLI has BuildKit built in; another client may not.
  DOCKER=/usr/bin/docker
  [ -x "$DOCKER" ] || DOCKER=$(command -v docker)
  build=(env DOCKER_BUILDKIT=1 "$DOCKER" build)
else
  DOCKER=$(command -v "$ENGINE")
  build=("$DOCKER" build)
fi

# shellcheck source=lib/base-image.sh
. scripts/lib/base-image.sh
[ -n "${BASE_IMAGE:-}" ] || BASE_IMAGE=$(pick_base_image "$DOCKER" python:3.13-slim trixie)

tags=(-t "$IMAGE")
[ -n "${VERSION:-}" ] && tags+=(-t "skriptoteket:$VERSION")
echo "== building $IMAGE from $BASE_IMAGE with $BINARY"
"${build[@]}" -f Dockerfile \
  --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  --build-arg "BINARY=$BINARY" \
  --label "org.opencontainers.image.version=${VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}" \
  --label "org.skriptoteket.binary-profile=$PROFILE" \
  "${tags[@]}" .
t3=$(date +%s)

size=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
echo "$IMAGE: $(( size / 1000000 )) MB ($size bytes); binary $(( $(stat -c %s "$BINARY") / 1000000 )) MB ($PROFILE)"
echo "timings: binary $((t1 - t0)) s, SPA $((t2 - t1)) s, image $((t3 - t2)) s"

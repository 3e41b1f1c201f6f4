#!/usr/bin/env bash
# Prepare the production compose stack (compose.prod.yaml) on this machine, idempotently:
#   1. write .env when it is missing: COMPOSE_PROJECT_NAME, a random POSTGRES_PASSWORD (letters
#      and digits, so it fits in DATABASE_URL unencoded), DOCKER_GID of the engine's socket, and
#      POSTGRES_IMAGE: the official postgres:15 when present or pullable, else
#      skriptoteket-postgres:15 built from Debian packages (deploy/postgres/Dockerfile);
#   2. keep DOCKER_GID in step with the socket (it differs between machines);
#   3. build skriptoteket-postgres:15 when .env names it and it is missing.
# ENV_FILE (.env), CONTAINER_ENGINE (docker or podman), DOCKER_SOCKET (/var/run/docker.sock).
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE="${CONTAINER_ENGINE:-docker}"
DOCKER=$(command -v "$ENGINE")
[ "$ENGINE" = docker ] && [ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker
SOCKET="${DOCKER_SOCKET:-/var/run/docker.sock}"
ENV="${ENV_FILE:-.env}"
# shellcheck source=lib/base-image.sh
. scripts/lib/base-image.sh

build_postgres() {
  local tag="$1" base
  base=$(pick_base_image "$DOCKER" debian:bookworm-slim)
  echo "building $tag from $base (PostgreSQL 15 from Debian packages)" >&2
  if [ "$ENGINE" = docker ]; then
    DOCKER_BUILDKIT=1 "$DOCKER" build -q --build-arg "BASE_IMAGE=$base" -t "$tag" deploy/postgres >/dev/null
  else
    "$DOCKER" build -q --build-arg "BASE_IMAGE=$base" -t "$tag" deploy/postgres >/dev/null
  fi
}

gid=""
[ -S "$SOCKET" ] && gid=$(stat -c %g "$SOCKET")

if [ ! -f "$ENV" ]; then
  if "$DOCKER" image inspect postgres:15 >/dev/null 2>&1 \
     || { [ "${SKRIPTOTEKET_OFFLINE:-0}" != 1 ] && timeout 300 "$DOCKER" pull -q postgres:15 >/dev/null 2>&1; }; then
    pg_image=postgres:15
  else
    pg_image=skriptoteket-postgres:15
  fi
  umask 077
  cat >"$ENV" <<EOF
# Written by scripts/prepare-compose.sh for compose.prod.yaml (git-ignored; keep it secret).
COMPOSE_PROJECT_NAME=skriptoteket
POSTGRES_PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
POSTGRES_IMAGE=$pg_image
DOCKER_GID=${gid:-0}
# First start only: a superuser to sign in with (remove both lines once it exists).
#SKRIPTOTEKET_BOOTSTRAP_EMAIL=admin@example.org
#SKRIPTOTEKET_BOOTSTRAP_PASSWORD=change-me-please
# Behind a TLS reverse proxy: SKRIPTOTEKET_COOKIE_SECURE=true. Listen on every interface:
#SKRIPTOTEKET_PUBLISH=0.0.0.0:8080
EOF
  echo "wrote $ENV (POSTGRES_IMAGE=$pg_image, DOCKER_GID=${gid:-0})"
elif [ -n "$gid" ] && ! grep -qx "DOCKER_GID=$gid" "$ENV"; then
  if grep -q '^DOCKER_GID=' "$ENV"; then
    sed -i "s/^DOCKER_GID=.*/DOCKER_GID=$gid/" "$ENV"
  else
    echo "DOCKER_GID=$gid" >>"$ENV"
  fi
  echo "updated DOCKER_GID=$gid in $ENV"
fi

pg_image=$(sed -n 's/^POSTGRES_IMAGE=//p' "$ENV" | tail -n 1)
pg_image="${pg_image:-postgres:15}"
if ! "$DOCKER" image inspect "$pg_image" >/dev/null 2>&1; then
  case "$pg_image" in
    skriptoteket-postgres:*) build_postgres "$pg_image" ;;
    *) "$DOCKER" pull "$pg_image" ;;
  esac
fi
echo "compose stack prepared: $ENV, $pg_image"

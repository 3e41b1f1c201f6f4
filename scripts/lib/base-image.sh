# shellcheck shell=bash
# pick_base_image DOCKER OFFICIAL [SUITE]: prints the base image to build on.
#   1. OFFICIAL when it is already present locally;
#   2. OFFICIAL when it can be pulled (a registry is reachable; fails within a second when not);
#   3. otherwise skriptoteket-base:SUITE (default bookworm), bootstrapped from Debian packages
#      when missing (scripts/bootstrap-base-image.sh, ~45 s for bookworm, ~1.5 min for trixie,
#      once). Pick the suite whose Python matches OFFICIAL: bookworm for python:3.11-slim,
#      trixie for python:3.13-slim.
# SKRIPTOTEKET_OFFLINE=1 skips the pull attempt. Progress goes to stderr.
pick_base_image() {
  local docker="$1" official="$2" suite="${3:-bookworm}"
  if "$docker" image inspect "$official" >/dev/null 2>&1; then
    echo "$official"
    return
  fi
  if [ "${SKRIPTOTEKET_OFFLINE:-0}" != 1 ] && timeout 300 "$docker" pull -q "$official" >/dev/null 2>&1; then
    echo "pulled $official" >&2
    echo "$official"
    return
  fi
  echo "no registry for $official: using the Debian $suite base built from packages" >&2
  bash "$(dirname "${BASH_SOURCE[0]}")/../bootstrap-base-image.sh" "$suite" >&2
  echo "skriptoteket-base:$suite"
}

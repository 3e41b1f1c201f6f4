# shellcheck shell=bash
# pick_base_image DOCKER OFFICIAL: prints the base image to build on.
#   1. OFFICIAL when it is already present locally;
#   2. OFFICIAL when it can be pulled (a registry is reachable; fails within a second when not);
#   3. otherwise skriptoteket-base:bookworm, bootstrapped from Debian packages when missing
#      (scripts/bootstrap-base-image.sh, ~45 s once).
# SKRIPTOTEKET_OFFLINE=1 skips the pull attempt. Progress goes to stderr.
pick_base_image() {
  local docker="$1" official="$2"
  if "$docker" image inspect "$official" >/dev/null 2>&1; then
    echo "$official"
    return
  fi
  if [ "${SKRIPTOTEKET_OFFLINE:-0}" != 1 ] && timeout 300 "$docker" pull -q "$official" >/dev/null 2>&1; then
    echo "pulled $official" >&2
    echo "$official"
    return
  fi
  echo "no registry for $official: using the Debian base built from packages" >&2
  bash "$(dirname "${BASH_SOURCE[0]}")/../bootstrap-base-image.sh" >&2
  echo "skriptoteket-base:bookworm"
}

#!/usr/bin/env bash
# Build skriptoteket-base:<suite> (an equivalent of the official slim Python image) from Debian
# packages, for machines that cannot pull images. Skips when the tag already exists.
#   usage: bootstrap-base-image.sh [SUITE]   (default bookworm; BASE_SUITE works too)
#   bookworm (Debian 12) carries Python 3.11, trixie (Debian 13) Python 3.13: the runner image
#   builds on trixie, the app and PostgreSQL images on bookworm.
#   BASE_TAG overrides the tag (default skriptoteket-base:<suite>).
set -euo pipefail

SUITE="${1:-${BASE_SUITE:-bookworm}}"
case "$SUITE" in
  *[!a-z]*|"") echo "bootstrap-base-image.sh: not a Debian suite name: $SUITE" >&2; exit 2 ;;
esac
TAG="${BASE_TAG:-skriptoteket-base:$SUITE}"

if docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "$TAG already present"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

# Use the mirror this machine is configured with (never hard-code a registry host).
MIRROR=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$MIRROR" ] && [ -f /etc/apt/sources.list ]; then
  MIRROR=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if($i ~ /^[a-z]+:\/\//){print $i; exit}}' /etc/apt/sources.list)
fi
if [ -z "$MIRROR" ]; then
  echo "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list" >&2
  exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ROOTFS="$TMP/rootfs"

# An older debootstrap may not know a newer suite yet; its script for any current suite is the
# same ("sid"), so fall back to that one explicitly.
SCRIPT=()
if [ ! -e "/usr/share/debootstrap/scripts/$SUITE" ] && [ -e /usr/share/debootstrap/scripts/sid ]; then
  SCRIPT=(/usr/share/debootstrap/scripts/sid)
fi

echo "debootstrapping $SUITE into $ROOTFS"
start=$(date +%s)
# Only real packages in --include: debootstrap cannot resolve virtual ones. python3-venv gives
# venv and pip, ca-certificates the CA bundle.
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  "$SUITE" "$ROOTFS" "$MIRROR" "${SCRIPT[@]}" >"$TMP/debootstrap.log" 2>&1 || {
  tail -n 30 "$TMP/debootstrap.log" >&2
  exit 1
}
# Drop apt lists and docs: they only make the base bigger.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
  "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/*

tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  - "$TAG" >/dev/null
echo "built $TAG in $(( $(date +%s) - start )) s ($(docker image inspect -f '{{.Size}}' "$TAG") bytes)"

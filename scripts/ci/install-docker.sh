#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine (CI and dev boxes have only a client).
# Idempotent: does nothing when `docker info` already works.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "docker engine already running"
  exit 0
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Start the engine unless one is already starting (e.g. a parallel CI step).
if ! pgrep -x dockerd >/dev/null 2>&1; then
  # setsid + nohup: the daemon must outlive this script and its shell.
  setsid nohup dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
fi

for _ in $(seq 1 120); do   # 120 x 0.5 s = 60 s
  if docker info >/dev/null 2>&1; then
    echo "docker engine ready: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
    exit 0
  fi
  sleep 0.5
done
echo "docker engine did not come up within 60 s; see /var/log/dockerd.log" >&2
tail -n 20 /var/log/dockerd.log >&2 || true
exit 1

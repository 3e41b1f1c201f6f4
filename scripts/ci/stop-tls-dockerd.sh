#!/usr/bin/env bash
# Stops the engine start-tls-dockerd.sh DIR started (by its pid file) and waits until it and
# its containerd are gone; the data root stays, so a restart keeps the loaded image.
#   stop-tls-dockerd.sh DIR [--purge]    (--purge also removes DIR and the exec root)
set -euo pipefail

dir=${1:?usage: stop-tls-dockerd.sh DIR [--purge]}
[ -d "$dir" ] || exit 0
dir=$(cd "$dir" && pwd)
exec_root=/tmp/skt-x-$(printf '%s' "$dir" | md5sum | cut -c1-8)
bridge=sktbr-$(printf '%s' "$dir" | md5sum | cut -c1-8)

if [ -f "$dir/pid" ]; then
  pid=$(cat "$dir/pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do # 60 x 0.5 s = 30 s
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop-tls-dockerd: dockerd $pid did not stop within 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/pid"
fi
# The managed containerd normally leaves with dockerd; one left by a kill -9 is ended by its pid.
cpid_file=$exec_root/containerd/containerd.pid
if [ -f "$cpid_file" ] && kill -0 "$(cat "$cpid_file")" 2>/dev/null; then
  kill -TERM "$(cat "$cpid_file")" 2>/dev/null || true
  sleep 1
fi

# Containers of a daemon that was killed (a test of a lost engine) keep running under their
# shims; they are this engine's alone (its own containerd address), so they go too.
for shim in $(pgrep -f "containerd-shim.*-address $exec_root/" || true); do
  pkill -KILL -P "$shim" 2>/dev/null || true
  kill -KILL "$shim" 2>/dev/null || true
done

if [ "${2:-}" = "--purge" ]; then
  # Mounts below the data root (overlay layers of stopped containers) must go before the files.
  grep -o " $dir/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$dir" "$exec_root"
  ip link del "$bridge" 2>/dev/null || true
fi
echo "stop-tls-dockerd: stopped the engine of $dir" >&2

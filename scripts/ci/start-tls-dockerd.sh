#!/usr/bin/env bash
# A second Docker engine beside the first, answering on tcp://127.0.0.1:PORT with TLS client
# certificates only, for the multi-engine tests (docs/operations.md "Several engines").
#   start-tls-dockerd.sh DIR [PORT]      (PORT defaults to 23760)
# Idempotent: reuses DIR's certificates and a daemon that already answers. Prints the
# certificate directory (ca.pem, cert.pem, key.pem: what RUNNER_DOCKER_CERT_PATH names).
# Stop it with stop-tls-dockerd.sh DIR.
set -euo pipefail

dir=${1:?usage: start-tls-dockerd.sh DIR [PORT]}
port=${2:-23760}
image=${RUNNER_IMAGE:-skriptoteket-runner:latest}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
certs=$dir/certs
# containerd puts its sockets below the exec root, and unix socket paths are short (108 bytes).
exec_root=/tmp/skt-x-$(printf '%s' "$dir" | md5sum | cut -c1-8)
# The engine's own network bridge (interface names are at most 15 characters).
bridge=sktbr-$(printf '%s' "$dir" | md5sum | cut -c1-8)

log() { echo "start-tls-dockerd: $*" >&2; }

if ! command -v openssl >/dev/null 2>&1; then
  log "installing openssl"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi

if [ ! -f "$certs/key.pem" ]; then
  mkdir -p "$certs"
  (
    cd "$certs"
    openssl genrsa -out ca-key.pem 2048 2>/dev/null
    openssl req -new -x509 -days 30 -key ca-key.pem -sha256 -subj "/CN=skriptoteket test CA" -out ca.pem
    openssl genrsa -out server-key.pem 2048 2>/dev/null
    openssl req -new -key server-key.pem -subj "/CN=127.0.0.1" -out server.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -days 30 -sha256 -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl genrsa -out key.pem 2048 2>/dev/null
    openssl req -new -key key.pem -subj "/CN=skriptoteket client" -out client.csr
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -days 30 -sha256 -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -extfile client.ext -out cert.pem 2>/dev/null
    rm -f server.csr client.csr server.ext client.ext
    chmod 600 ca-key.pem server-key.pem key.pem
  )
  log "certificates made in $certs"
fi

engine() { DOCKER_HOST=tcp://127.0.0.1:$port DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$certs docker "$@"; }

alive() { [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; }
answers_within() { # SECONDS
  for _ in $(seq 1 $(($1 * 2))); do
    engine version >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

if ! engine version >/dev/null 2>&1; then
  # A daemon still starting (or still dying after a kill) gets a moment before a new one.
  if alive && answers_within 10; then
    :
  else
    if alive; then
      log "the daemon of $dir/pid does not answer; replacing it"
      kill -KILL "$(cat "$dir/pid")" 2>/dev/null || true
      sleep 1
    fi
    rm -f "$dir/pid"
    mkdir -p "$dir/data" "$exec_root"
    # Its own bridge: with --bridge=none dockerd deletes the host's docker0 (the first
    # engine's default network) at start. Runs use no network; the bridge only has to exist.
    if ! ip link show "$bridge" >/dev/null 2>&1; then
      ip link add "$bridge" type bridge
      ip addr add "10.231.$((port % 250)).1/24" dev "$bridge"
      ip link set "$bridge" up
    fi
    # Its own containerd namespace too, so it never sees the first engine's containers.
    setsid nohup dockerd --data-root "$dir/data" --exec-root "$exec_root" --pidfile "$dir/pid" \
      -H "unix://$dir/docker.sock" -H "tcp://127.0.0.1:$port" \
      --tlsverify --tlscacert "$certs/ca.pem" --tlscert "$certs/server-cert.pem" --tlskey "$certs/server-key.pem" \
      --bridge="$bridge" --iptables=false --ip-masq=false --ip6tables=false \
      --containerd-namespace skt-tls --containerd-plugins-namespace skt-tls-plugins \
      >>"$dir/dockerd.log" 2>&1 </dev/null &
    if ! answers_within 60; then
      log "the daemon did not answer within 60 s; see $dir/dockerd.log"
      tail -n 20 "$dir/dockerd.log" >&2 || true
      exit 1
    fi
  fi
fi
log "engine $(engine version --format '{{.Server.Version}}') answers on tcp://127.0.0.1:$port"

if ! engine image inspect "$image" >/dev/null 2>&1; then
  log "loading $image into it"
  docker save "$image" | engine load -q >&2
fi
echo "$certs"

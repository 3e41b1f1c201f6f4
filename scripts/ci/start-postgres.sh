#!/usr/bin/env bash
# Installs (from Debian packages) and starts a PostgreSQL server for the test suite, idempotently,
# and creates the `skt` role and database that SKRIPTOTEKET_TEST_POSTGRES_URL points at.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi

for _ in $(seq 1 60); do
  su postgres -c "pg_isready -q" && break
  sleep 0.5
done

su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='skt'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE skt LOGIN PASSWORD 'skt'\""
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='skt'\"" | grep -q 1 \
  || su postgres -c "createdb -O skt skt"
echo "postgres ready: postgres://skt:skt@127.0.0.1:5432/skt"

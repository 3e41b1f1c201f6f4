#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the frontend's e2e tests
# (driven by playwright-core; never `npx playwright install`). Idempotent.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
  exit 0
fi

echo "installing chromium"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "chromium ready: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"

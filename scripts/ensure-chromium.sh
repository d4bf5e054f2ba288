#!/usr/bin/env bash
# Installs Debian's Chromium (for previews and browser tests) when it is missing. Never downloads a browser by other means.
set -euo pipefail
CHROMIUM="${BROADSHEET_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing at $CHROMIUM; install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "installed $(chromium --version)"

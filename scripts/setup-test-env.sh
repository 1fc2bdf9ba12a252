#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Debian's Chromium for Playwright
# (Playwright cannot download its own browsers here; DESIGN.md). Idempotent and quiet when present.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "setup: $CHROMIUM missing; installing Debian chromium" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
"$CHROMIUM" --version 2>/dev/null | head -1 || true

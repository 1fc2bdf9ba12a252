#!/usr/bin/env bash
# The one gate: typecheck, lint with zero warnings, format check, unit tests, build, e2e.
# Every step must pass; the first failure stops the gate with its exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s ==\n' "$1"; }
step "typecheck";    bash scripts/typecheck.sh
step "lint";         npx eslint . --max-warnings 0
step "format";       npx prettier --check . --log-level warn
step "unit tests";   npx vitest run
step "build";        npx vite build --logLevel warn
step "e2e";          npx playwright test

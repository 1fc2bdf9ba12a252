#!/usr/bin/env bash
# Type-checks each layer under its own libraries (src/README.md): the core and engine without the
# DOM (so `document` in core fails), the worker with the WebWorker library, the UI with the DOM, and
# the CLI, scripts, tests and configs with node's types.
set -euo pipefail
cd "$(dirname "$0")/.."
for layer in core worker ui node; do
  npx tsc -p "tsconfig.$layer.json" --pretty false
done

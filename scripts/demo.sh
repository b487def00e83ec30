#!/usr/bin/env bash
# The project's demo command: sets up .venv if needed, then syncs a simulated practice
# into spruce-demo/spruce-demo.duckdb and prints the run summary and analysts' answers.
# No token, no server, no network beyond PyPI for the first install. Extra arguments go
# to `spruce-sync demo` (e.g. --folder /tmp/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/venv.sh
ensure_venv "."
export RUNTIME__DLTHUB_TELEMETRY=false
exec .venv/bin/spruce-sync demo "$@"

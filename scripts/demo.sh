#!/usr/bin/env bash
# The project's demo command: sets up .venv if needed, then syncs a simulated practice
# into spruce-demo/spruce-demo.duckdb, builds the analysts' models on it and prints the run
# summary and the answers to analysts' questions.
# No token, no server, no network beyond PyPI for the first install. Extra arguments go
# to `spruce-sync demo` (e.g. --folder /tmp/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/venv.sh
ensure_venv ".[dbt]"  # dbt: the demo also answers from the analysts' models
export RUNTIME__DLTHUB_TELEMETRY=false
exec .venv/bin/spruce-sync demo "$@"

#!/usr/bin/env bash
# The project's test command: sets up .venv if needed, starts PostgreSQL if it is
# installed but stopped, then runs the whole suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/venv.sh
ensure_venv ".[test]"
source scripts/lib/postgres.sh
ensure_postgres
export RUNTIME__DLTHUB_TELEMETRY=false
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# The project's test command: sets up .venv if needed, starts PostgreSQL if it is
# installed but stopped, checks the code (ruff, mypy strict), then runs the whole suite.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/venv.sh
ensure_venv ".[test,dev]"
source scripts/lib/postgres.sh
ensure_postgres
export RUNTIME__DLTHUB_TELEMETRY=false
.venv/bin/ruff check .
.venv/bin/mypy .
exec .venv/bin/python -m pytest "$@"

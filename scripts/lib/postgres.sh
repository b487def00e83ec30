# shellcheck shell=bash
# ensure_postgres: start the local PostgreSQL cluster when it is installed but not
# answering on 127.0.0.1:5432. Where PostgreSQL is not installed the Postgres tests
# skip themselves with a visible reason, so this only warns.
ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL is not installed here: the Postgres tests will be skipped." >&2
    return 0
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    sleep 1
  done
  echo "PostgreSQL did not start: the Postgres tests will be skipped." >&2
}

"""Freshness: a change in the simulator, delivered signed to ``webhooks serve
--apply-every``, until its row shows it in PostgreSQL.

A change's freshness runs from just before the simulator makes it to the first poll that
finds its row holding that change's event (``_spruce_event_time`` at or after the
change's time): the row then carries the event's whole resource, its new value.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from random import Random
from types import TracebackType
from typing import Any

import httpx
from typing_extensions import Self

from benchmarks.harness import RunResult
from benchmarks.settings import (
    APPLY_EVERY_SECONDS,
    BENCH_TOKEN,
    DATASET,
    FRESHNESS_POLL_SECONDS,
    FRESHNESS_TIMEOUT_SECONDS,
    SEED,
)
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.webhook_processes import (
    ReceiverProcess,
    SyncCommand,
    free_port,
    fresh_database,
    project_env,
)
from pipelines.webhooks.apply_settings import EVENT_TIME_COLUMN
from pipelines.webhooks.settings import DEFAULT_PATH
from simulator import SimulatorSettings


@dataclass(frozen=True)
class Change:
    """One kind of change: the simulator's change key, and the table (and summary kind)
    whose row it edits."""

    key: str
    table: str


# Alternately: a contact edited (a name, a tag, a phone...), a conversation retitled.
CHANGES = (Change("edited_contacts", "contacts"), Change("retitled_conversations", "conversations"))


@dataclass(frozen=True)
class FreshnessResult:
    """Seconds per change (None: not visible within the timeout), and the syncs around
    them: the full sync before, the incremental sync after (the polling figure's)."""

    seconds: list[float | None]
    syncs: list[RunResult]

    def incremental_seconds(self) -> float | None:
        run = self.syncs[-1]
        return run.wall_seconds if run.ok else None


class WarehouseWatch:
    """Polls the PostgreSQL dataset for a row's state; use as a context manager."""

    def __init__(self, dsn: str) -> None:
        import psycopg2

        self._connection = psycopg2.connect(dsn)
        self._connection.autocommit = True  # each poll sees what is committed by then

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # fmt: skip
        self._connection.close()

    def shows(self, table: str, record_id: str, changed_at: datetime) -> bool:
        """Whether ``table``'s row ``record_id`` holds a state from ``changed_at`` on.
        Before the first apply the event-time column (or the table) does not exist."""
        import psycopg2

        query = (f'SELECT 1 FROM "{DATASET}"."{table}" WHERE id = %s'
                 f" AND {EVENT_TIME_COLUMN} >= %s")
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(query, (record_id, changed_at))
                return cursor.fetchone() is not None
        except (psycopg2.errors.UndefinedColumn, psycopg2.errors.UndefinedTable):
            return False


def freshness_run(
    settings: SimulatorSettings, project: Path, changes: int, sync_timeout_seconds: float
) -> FreshnessResult:
    """A full sync into a new database, the receiver registered with the simulator and
    applying every APPLY_EVERY_SECONDS, ``changes`` changes timed, an incremental sync."""
    with fresh_database() as dsn, SimulatorProcess(settings) as simulator:
        env = project_env(project, SOURCES__SPRUCE__API_TOKEN=BENCH_TOKEN,
                          DESTINATION__POSTGRES__CREDENTIALS=dsn)
        sync = SyncCommand(env, sync_timeout_seconds)
        full = sync.measured(simulator, "full")
        port = free_port()
        secret = create_endpoint(simulator.base_url, f"http://127.0.0.1:{port}{DEFAULT_PATH}")
        serving = {**env, "SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET": secret}
        with (ReceiverProcess(project, serving, "--port", str(port), "--destination", "postgres",
                              "--apply-every", f"{APPLY_EVERY_SECONDS}s"),
              WarehouseWatch(dsn) as watch):
            seconds = timed_changes(simulator, watch, changes)
        incremental = sync.measured(simulator, "incremental")
    return FreshnessResult(seconds, [full, incremental])


def create_endpoint(base_url: str, url: str) -> str:
    """Register ``url`` as the organization's webhook endpoint; its signing secret (the
    only answer that holds it)."""
    answer = httpx.post(f"{base_url}/webhooks/endpoints", json={"name": "bench", "url": url},
                        headers={"Authorization": f"Bearer {BENCH_TOKEN}"}, timeout=30.0)
    answer.raise_for_status()
    endpoint: dict[str, Any] = answer.json()["endpoint"]
    return str(endpoint["signingSecrets"][0]["value"])


def timed_changes(
    simulator: SimulatorProcess, watch: WarehouseWatch, count: int
) -> list[float | None]:
    """``count`` changes one after the other, each followed by a pause drawn in
    [0, APPLY_EVERY_SECONDS), so that they fall anywhere in the apply cycle."""
    pauses = Random(SEED)
    seconds: list[float | None] = []
    for number in range(count):
        seconds.append(change_freshness(simulator, watch, CHANGES[number % len(CHANGES)]))
        time.sleep(pauses.uniform(0, APPLY_EVERY_SECONDS))
    return seconds


def change_freshness(
    simulator: SimulatorProcess, watch: WarehouseWatch, change: Change
) -> float | None:
    """Seconds from the change to its row showing it; None past the timeout."""
    started = time.monotonic()
    summary = simulator.advance({change.key: 1})
    [record_id] = summary[change.table]["edited"]
    # The change's time: its events' eventTime (the bench's simulator delays nothing).
    changed_at = datetime.fromisoformat(summary["visibleFrom"])
    while time.monotonic() - started < FRESHNESS_TIMEOUT_SECONDS:
        if watch.shows(change.table, record_id, changed_at):
            return time.monotonic() - started
        time.sleep(FRESHNESS_POLL_SECONDS)
    return None

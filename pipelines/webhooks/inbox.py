"""The inbox: every webhook event the receiver acknowledged, kept until it is applied.

One SQLite file (never the warehouse: a running sync holds a DuckDB file), in WAL mode
with ``synchronous=FULL``, so that a commit has reached the disk before the receiver
answers 2xx and survives ``kill -9`` or a power cut. The receiver writes while
``webhooks apply`` reads and marks from another process: WAL lets readers and the one
writer work together, and the busy timeout makes each wait for the other's short lock.

What a row keeps (and nothing else: no headers, no signature, no raw body): the
idempotency key, the organization's slug, the event's type and time, the resource's id
and the resource itself, *after* the PHI policy, and when it was received and applied.
The file and its WAL are owner-only (0600): the resources are patient data.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from pipelines.webhooks.settings import INBOX_BUSY_TIMEOUT_MS, INBOX_SCHEMA

# Fixed-width UTC text: sorts like the instants it names, reads like the API's eventTime.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_COLUMNS = "key, organization, type, event_time, resource_id, resource, received_at"


@dataclass(frozen=True)
class ReceivedEvent:
    """A verified, parsed delivery, its resource already protected by the PHI policy.

    ``key`` is the idempotency key: the event's id when the delivery carries one, else
    the SHA-256 of the raw body (`pipelines.webhooks.events.idempotency_key`).
    """

    key: str
    organization: str
    type: str
    event_time: datetime
    resource_id: str | None
    resource: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class StoredEvent(ReceivedEvent):
    """An event as the inbox returns it (times are timezone-aware, UTC)."""


class Inbox:
    """The inbox file, opened; safe to share between threads (one connection, one lock)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Inbox:
        """Open ``path``, creating it (and its folder) owner-only when it does not exist."""
        _create_owner_only(path)
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                     timeout=INBOX_BUSY_TIMEOUT_MS / 1000)
        # WAL: the receiver keeps writing while `webhooks apply` reads; FULL: a commit's
        # WAL frames are fsynced before COMMIT returns, so an acknowledged event is on disk.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(f"PRAGMA busy_timeout={INBOX_BUSY_TIMEOUT_MS}")
        connection.executescript(INBOX_SCHEMA)
        return cls(connection, path)

    def store(self, event: ReceivedEvent) -> bool:
        """Keep ``event`` durably; False when its key is already stored (a repeat)."""
        row = (event.key, event.organization, event.type, _text(event.event_time),
               event.resource_id, orjson.dumps(event.resource), _text(event.received_at))
        with self._transaction() as connection:
            cursor = connection.execute(
                f"INSERT OR IGNORE INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            return cursor.rowcount == 1

    def pending(self, limit: int, organization: str | None = None) -> list[StoredEvent]:
        """Up to ``limit`` events not yet applied, oldest ``eventTime`` first (arrival
        order among equal times); only ``organization``'s when it is given."""
        where = "applied_at IS NULL" + (" AND organization = ?" if organization else "")
        arguments: tuple[Any, ...] = (organization, limit) if organization else (limit,)
        with self._lock:
            rows = self._connection.execute(
                f"SELECT {_COLUMNS} FROM events WHERE {where} "
                "ORDER BY event_time, rowid LIMIT ?", arguments).fetchall()
        return [_stored(row) for row in rows]

    def mark_applied(self, keys: Sequence[str]) -> None:
        """Record that the events of ``keys`` reached the warehouse (one transaction)."""
        applied_at = _text(datetime.now(timezone.utc))
        with self._transaction() as connection:
            connection.executemany("UPDATE events SET applied_at = ? WHERE key = ?",
                                   [(applied_at, key) for key in keys])

    def last_applied_event_time(self, organization: str | None = None) -> datetime | None:
        """The newest ``eventTime`` applied so far (where a catch-up starts, less an
        overlap); None before the first apply."""
        where = " AND organization = ?" if organization else ""
        with self._lock:
            (newest,) = self._connection.execute(
                f"SELECT max(event_time) FROM events WHERE applied_at IS NOT NULL{where}",
                (organization,) if organization else ()).fetchone()
        return _time(newest) if newest else None

    def count(self) -> int:
        """How many events the inbox holds, applied or not."""
        with self._lock:
            (total,) = self._connection.execute("SELECT count(*) FROM events").fetchone()
        return int(total)

    def check_writable(self) -> None:
        """Raise ``sqlite3.Error`` unless the inbox can take a write now (readiness)."""
        with self._transaction():
            pass

    def close(self) -> None:
        """Close the file; the WAL is checkpointed into it by SQLite."""
        with self._lock:
            self._connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taking the write lock at once (``BEGIN IMMEDIATE``): a
        reader in another process never makes it fail halfway."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")


def _create_owner_only(path: Path) -> None:
    """The folder (0700) and an empty file (0600) before SQLite opens it: SQLite gives
    its -wal and -shm files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)  # a file created before, under a wider umask, is narrowed


def _text(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(_TIME_FORMAT)


def _time(text: str) -> datetime:
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=timezone.utc)


def _stored(row: tuple[Any, ...]) -> StoredEvent:
    key, organization, kind, event_time, resource_id, resource, received_at = row
    return StoredEvent(key=key, organization=organization, type=kind,
                       event_time=_time(event_time), resource_id=resource_id,
                       resource=orjson.loads(resource), received_at=_time(received_at))

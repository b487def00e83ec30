"""Signed deliveries at a steady rate, as Spruce sends them, each answer timed.

Open loop: delivery ``i`` is sent at ``start + i x 60 / per_minute`` by one of
``WEBHOOK_SENDERS`` threads, whatever the answers before it, so that a slow answer shows
in its own latency instead of slowing the load. A latency runs from the request's start
to its answer, on the sender's clock, over connections kept alive (one pool for all
senders); each body is a different contact's update (the receiver stores repeats once,
and the check afterwards counts rows).
"""

from __future__ import annotations

import logging
import sqlite3
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
import orjson

from benchmarks.settings import WEBHOOK_SENDERS, WEBHOOK_TIMEOUT_SECONDS
from pipelines.webhooks.signature import sign


@dataclass(frozen=True)
class LoadResult:
    """What a load sent, what was answered 2xx (and how fast), what the inbox kept."""

    sent: int
    latencies_ms: list[float]  # of the 2xx answers
    stored: int

    @property
    def acknowledged(self) -> int:
        return len(self.latencies_ms)

    @property
    def lost(self) -> int:
        """Deliveries not answered 2xx (an error, or past Spruce's 5 s), and those
        answered 2xx that the inbox does not hold."""
        return self.sent - self.acknowledged + max(0, self.acknowledged - self.stored)


def percentile(values: Sequence[float], share: int) -> float | None:
    """The ``share``-th percentile (1-99) of ``values``; None for no values."""
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def paced_deliveries(url: str, secret: str, per_minute: int, seconds: float) -> list[float | None]:
    """Send ``seconds`` of deliveries at ``per_minute``; each one's latency in ms, None
    where it was not answered 2xx in time."""
    interval = 60.0 / per_minute
    # httpx logs each request at INFO: 5,000 lines a load would bury the bench's own.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with (httpx.Client(timeout=WEBHOOK_TIMEOUT_SECONDS) as client,
          ThreadPoolExecutor(WEBHOOK_SENDERS) as senders):
        start = time.perf_counter()
        pending: list[Future[float | None]] = []
        for number in range(round(seconds / interval)):
            time.sleep(max(0.0, start + number * interval - time.perf_counter()))
            pending.append(senders.submit(_deliver, client, url, secret, _body(number)))
        return [future.result() for future in pending]


def stored_events(inbox: Path) -> int:
    """Rows in the inbox file (read-only; the receiver has stopped)."""
    with sqlite3.connect(f"file:{inbox}?mode=ro", uri=True) as connection:
        (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
    return int(count)


def _deliver(client: httpx.Client, url: str, secret: str, body: bytes) -> float | None:
    headers = {"content-type": "application/json", "x-spruce-signature": sign(body, secret)}
    started = time.perf_counter()
    try:
        answer = client.post(url, content=body, headers=headers)
    except httpx.HTTPError:
        return None
    elapsed_ms = (time.perf_counter() - started) * 1000
    return elapsed_ms if answer.is_success else None


def _body(number: int) -> bytes:
    """A ``contact.updated`` envelope of a contact as Spruce sends it (~600 bytes)."""
    contact = {
        "id": f"entity_bench{number:07d}", "object": "contact", "category": "patient",
        "givenName": "Bench", "familyName": f"Patient-{number}",
        "displayName": f"Bench Patient-{number}", "gender": "unknown",
        "phoneNumbers": [{"value": f"+1555{number:07d}", "label": "mobile"}],
        "emailAddresses": [{"value": f"bench{number}@example.com", "label": "home"}],
        "tags": [{"id": "tag_1", "name": "bench"}], "hasAccount": False,
        "createdAt": "2025-01-01T00:00:00Z",
        "modifiedAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z",
    }  # fmt: skip
    return orjson.dumps({"object": "event", "type": "contact.updated",
                         "eventTime": contact["modifiedAt"], "data": {"object": contact}})

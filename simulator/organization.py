"""A simulated Spruce organization: seeded records, keyset listings, changes over time.

``SimulatedOrganization`` implements ``simulator.contract.Organization``. It is
thread-safe (one lock): the HTTP server lists pages from request handlers while tests
call ``advance``. Records returned by ``list_page`` and ``get`` are shared: callers must
not mutate them.

Listing rules (sort keys in ``simulator.data.listings``):

- ``ListContacts``: live contacts by id ascending. ``SearchContacts``: the
  ``structured.createdTimeFilter`` part of the body, id ascending.
- ``ListConversations``: ``orderBy`` created | last_message, ascending by (time, id),
  ``startFrom`` inclusive; a conversation whose lastMessageAt moves moves to the end.
- ``ConversationItems``: ``order`` newest_first (default) | oldest_first by
  (createdAt, id); ``startFrom`` keeps items created strictly after it; soft-deleted
  items stay listed as placeholders (see ``simulator.data.items.placeholder``).
- ``ListWebhookEndpointEvents``: by (eventTime, id), ``startTime`` inclusive,
  ``endTime`` exclusive, 30 days retention before ``now``. Endpoints are created, paused
  and deleted through ``webhooks`` (``simulator.data.webhooks``).
- Eventual consistency: records made by ``advance`` appear in listings once ``now >=
  created + consistency_delay`` (late items: the change's time + the delay, since
  they arrive then); ``get`` finds them at once. A conversation's ``lastMessageAt``
  moves at once, before its new item is listed: a cursor must look back.

Scale ``large`` (100k contacts and conversations, 2M items) starts in ~3 s and ~90 MB:
records are generated lazily from (seed, index); ``ground_truth`` there builds every
record, so prefer ``ground_truth_ids`` or ``ground_truth_counts``.
Figures: ``python -m simulator.data.measure --scale large``.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from simulator.contract import GetOperation, JsonRecord, ListQuery, Page, WebhookBook
from simulator.data.changes import apply_change
from simulator.data.clock import to_ms
from simulator.data.listings import HANDLERS
from simulator.data.lookups import look_up
from simulator.data.settings import DEFAULT_ANCHOR
from simulator.data.truth import ground_truth, ground_truth_counts, ground_truth_ids
from simulator.data.webhook_book import LockedWebhookBook
from simulator.data.world import World, build_world


class SimulatedOrganization:
    """One organization's data, deterministic from ``seed`` at a named ``scale``.

    ``scale`` is tiny | small | demo | medium | large (``simulator.data.scales``). All
    generated history lies before ``anchor``; pass ``now`` values after it.
    """

    def __init__(self, seed: int, scale: str, *,
                 consistency_delay: timedelta | float = timedelta(0),
                 anchor: datetime = DEFAULT_ANCHOR) -> None:
        if not isinstance(consistency_delay, timedelta):
            # Seconds, as the command line and the server settings give it.
            consistency_delay = timedelta(seconds=consistency_delay)
        delay_ms = int(consistency_delay.total_seconds() * 1000)
        self._world: World = build_world(seed, scale, anchor, delay_ms)
        self._lock = threading.Lock()
        self.organization_id: str = self._world.context.organization_id
        self.webhooks: WebhookBook = LockedWebhookBook(self._world.events.endpoints, self._lock)
        self.anchor = anchor

    @property
    def world(self) -> World:
        """The underlying stores (for tests and benchmarks; take no lock)."""
        return self._world

    def list_page(self, query: ListQuery) -> Page:
        """One keyset page; raises NotFound for an unknown parent id, InvalidParameter."""
        handler = HANDLERS.get(query.operation)
        if handler is None:
            raise ValueError(f"unknown list operation {query.operation!r}")
        with self._lock:
            return handler(self._world, query)

    def get(self, operation: GetOperation, record_id: str, now: datetime) -> JsonRecord:
        """One record by id; raises NotFound or Gone."""
        with self._lock:
            return look_up(self._world, operation, record_id, to_ms(now))

    def advance(self, change: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Apply ``change`` at ``now`` (keys in ``simulator.data.changes``); a summary.

        Raises ValueError naming the offending key for a malformed change (TypeError
        when ``change`` is not a dict).
        """
        with self._lock:
            return apply_change(self._world, change, to_ms(now))

    def ground_truth(self, now: datetime) -> dict[str, list[JsonRecord]]:
        """What a perfect sync must have loaded at ``now``, keyed by warehouse table."""
        with self._lock:
            return ground_truth(self._world, to_ms(now))

    def ground_truth_ids(self, now: datetime) -> dict[str, set[str]]:
        """The ids per table of ``ground_truth`` only: cheap enough at the large scale."""
        with self._lock:
            return ground_truth_ids(self._world, to_ms(now))

    def ground_truth_counts(self, now: datetime) -> dict[str, int]:
        """The row count per table of ``ground_truth``, without building rows or ids."""
        with self._lock:
            return ground_truth_counts(self._world, to_ms(now))

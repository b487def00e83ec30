"""The webhook endpoints' event log (30 days retention), one shared list of events.

Every endpoint receives every event made after it was created; an event's ``data`` is
a JSON string holding Spruce's webhook payload::

    {"object": "event", "type": "conversationItem.created",
     "eventTime": "2026-11-02T10:00:00.000Z", "data": {"object": {...whole item...}}}

``contact.merged`` also names the contacts merged away: ``data.mergedContactIds``.
Which endpoints list an event, and its delivery state there: ``simulator.data.webhooks``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

import orjson

from simulator.contract import JsonRecord
from simulator.data.clock import rfc3339
from simulator.data.settings import DAY_MS, EVENT_RETENTION_DAYS
from simulator.data.webhooks import WebhookEndpoints


@dataclass(frozen=True)
class LoggedEvent:
    """One change, as every endpoint receives it."""

    time_ms: int
    sequence: int
    event_type: str
    data: str


class EventLog:
    """Events in (time, sequence) order, served per endpoint as Spruce's event records."""

    def __init__(self, endpoints: WebhookEndpoints) -> None:
        self.endpoints = endpoints
        self.events: list[LoggedEvent] = []
        self._keys: list[tuple[int, int]] = []

    def append(self, event_type: str, time_ms: int, resource: JsonRecord,
               extra: dict[str, Any] | None = None) -> None:
        """Log ``event_type`` for ``resource`` (its whole current state) at ``time_ms``."""
        payload_data: dict[str, Any] = {"object": resource, **(extra or {})}
        payload = {"object": "event", "type": event_type, "eventTime": rfc3339(time_ms),
                   "data": payload_data}
        key = (time_ms, len(self.events))
        event = LoggedEvent(time_ms, key[1], event_type, orjson.dumps(payload).decode())
        position = bisect_right(self._keys, key)
        self._keys.insert(position, key)
        self.events.insert(position, event)
        self.endpoints.on_event(event.sequence, time_ms, event.data)

    def endpoint_index(self, endpoint_id: str) -> int | None:
        return self.endpoints.index(endpoint_id)

    def window(self, endpoint: int, now_ms: int, start_ms: int | None, end_ms: int | None,
               ) -> tuple[int, int]:
        """Positions of the events an endpoint lists at ``now_ms`` within [start, end)."""
        floor = max(now_ms - EVENT_RETENTION_DAYS * DAY_MS, self.endpoints.created_ms[endpoint],
                    start_ms if start_ms is not None else 0)
        ceiling = now_ms + 1 if end_ms is None else min(end_ms, now_ms + 1)
        return bisect_left(self._keys, (floor, -1)), bisect_left(self._keys, (ceiling, -1))

    def record(self, endpoint: int, event: LoggedEvent) -> JsonRecord:
        """The event as ``endpoint`` lists it, with its delivery state."""
        return {"id": self.endpoints.event_id(endpoint, event.sequence),
                "eventTime": rfc3339(event.time_ms), "data": event.data, "object": "event",
                "delivery": self.endpoints.delivery(endpoint, event.sequence, event.time_ms)}

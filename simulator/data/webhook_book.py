"""``WebhookBook`` over a world's endpoints, under the organization's lock."""

from __future__ import annotations

import threading
from datetime import datetime

from simulator.contract import (
    DeliveryState,
    JsonRecord,
    NotFound,
    WebhookDelivery,
    WebhookTarget,
)
from simulator.data.clock import to_ms
from simulator.data.webhooks import WebhookEndpoints


class LockedWebhookBook:
    """The ``simulator.contract.WebhookBook`` of one ``SimulatedOrganization``."""

    def __init__(self, endpoints: WebhookEndpoints, lock: threading.Lock) -> None:
        self._endpoints = endpoints
        self._lock = lock

    def create(self, name: str, url: str, secret: str, now: datetime) -> JsonRecord:
        with self._lock:
            return self._endpoints.create(name, url, secret, to_ms(now))

    def delete(self, endpoint_id: str) -> None:
        with self._lock:
            self._endpoints.delete(self._index(endpoint_id))

    def set_paused(self, endpoint_id: str, paused: bool) -> None:
        with self._lock:
            self._endpoints.set_paused(self._index(endpoint_id), paused)

    def add_secret(self, endpoint_id: str, secret: str) -> JsonRecord:
        with self._lock:
            index = self._index(endpoint_id)
            if index not in self._endpoints.live:
                raise NotFound(f"webhook endpoint {endpoint_id} was not created through the API")
            return self._endpoints.add_secret(index, secret)

    def target(self, endpoint_id: str) -> WebhookTarget | None:
        with self._lock:
            index = self._endpoints.index(endpoint_id)
            live = self._endpoints.live.get(index) if index is not None else None
            if live is None or live.paused:
                return None
            return WebhookTarget(live.url, str(live.secrets[-1]["value"]))

    def take_deliveries(self) -> list[WebhookDelivery]:
        with self._lock:
            taken, self._endpoints.outbox = self._endpoints.outbox, []
            return taken

    def record(self, event_id: str, state: DeliveryState) -> None:
        with self._lock:
            place = self._endpoints.event_place(event_id)
            if place is None:
                raise NotFound(f"event {event_id} not found")
            self._endpoints.ledger[place] = state

    def _index(self, endpoint_id: str) -> int:
        index = self._endpoints.index(endpoint_id)
        if index is None:
            raise NotFound(f"webhook endpoint {endpoint_id} not found")
        return index

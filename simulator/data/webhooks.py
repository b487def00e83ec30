"""The organization's webhook endpoints and the delivery state of their events.

Endpoints are addressed by index (their id encodes it) and an index is never reused:
deleting an endpoint takes it out of the listing (``reference.webhook_endpoints``) and
out of reach, not out of ``records``. The seeded endpoints point at hosts nobody serves;
their event log shows made-up delivery states. Endpoints created through the API are
*live*: each event logged after their creation is due to them (``outbox``) unless they
are paused, and the outcome of every attempt is kept in ``ledger`` for the log to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.contract import DeliveryState, JsonRecord, WebhookDelivery
from simulator.data.clock import parse_rfc3339, rfc3339, to_ms
from simulator.data.context import OrgContext
from simulator.data.settings import EVENT_ATTEMPT_LIMIT, HOUR_MS

# Event ids per endpoint are endpoint index * this + the event's sequence number.
ENDPOINT_ID_SPAN = 10**10
ACTIVE, PAUSED = "active", "paused"


@dataclass
class LiveEndpoint:
    """Where a created endpoint's deliveries go; its newest secret signs them."""

    url: str
    secrets: list[JsonRecord] = field(default_factory=list)
    paused: bool = False


class WebhookEndpoints:
    """Every endpoint the organization has had; ``listed`` is the listing, mutated in place."""

    def __init__(self, context: OrgContext, listed: list[JsonRecord]) -> None:
        self._context = context
        self.listed = listed
        self.records = list(listed)
        self.created_ms = [parse_rfc3339(record["createdAt"]) for record in listed]
        self.live: dict[int, LiveEndpoint] = {}
        self.deleted: set[int] = set()
        self.ledger: dict[tuple[int, int], DeliveryState] = {}
        self.outbox: list[WebhookDelivery] = []
        # Seeded endpoint N holds secret N; secrets made later follow on.
        self._secrets_made = len(listed)

    def index(self, endpoint_id: str) -> int | None:
        """The index of a listed endpoint; None for a foreign or deleted id."""
        index = self._context.codecs.webhook_endpoint.parse(endpoint_id)
        if index is None or index >= len(self.records) or index in self.deleted:
            return None
        return index

    def event_id(self, endpoint: int, sequence: int) -> str:
        return self._context.codecs.event.make(endpoint * ENDPOINT_ID_SPAN + sequence)

    def event_place(self, event_id: str) -> tuple[int, int] | None:
        """(endpoint, sequence) that ``event_id`` names, or None for a foreign id."""
        number = self._context.codecs.event.parse(event_id)
        return None if number is None else divmod(number, ENDPOINT_ID_SPAN)

    def create(self, name: str, url: str, secret: str, now_ms: int) -> JsonRecord:
        """A live endpoint; the record returned carries its secret's value, the listing not."""
        index = len(self.records)
        record: JsonRecord = {
            "id": self._context.codecs.webhook_endpoint.make(index), "name": name, "url": url,
            "status": ACTIVE, "signingSecrets": [], "createdAt": rfc3339(now_ms),
            "object": "webhookEndpoint",
        }  # fmt: skip
        self.records.append(record)
        self.created_ms.append(now_ms)
        self.listed.append(record)
        self.live[index] = LiveEndpoint(url)
        return {**record, "signingSecrets": [self.add_secret(index, secret)]}

    def delete(self, index: int) -> None:
        self.deleted.add(index)
        self.listed.remove(self.records[index])
        self.live.pop(index, None)

    def set_paused(self, index: int, paused: bool) -> None:
        live = self.live.get(index)
        if live is not None:
            live.paused = paused
        self.records[index]["status"] = PAUSED if paused else ACTIVE

    def add_secret(self, index: int, value: str) -> JsonRecord:
        """A new signing secret for a live endpoint (``{"id", "value"}``); it signs from now."""
        secret = {"id": self._context.codecs.signing_secret.make(self._secrets_made),
                  "value": value}  # fmt: skip
        self._secrets_made += 1
        # Spruce shows a secret's value only once: the listing keeps its id alone.
        self.records[index]["signingSecrets"].append({"id": secret["id"], "value": ""})
        self.live[index].secrets.append(secret)
        return dict(secret)

    def on_event(self, sequence: int, time_ms: int, payload: str) -> None:
        """An event was logged: due to every live endpoint that existed at its time."""
        for endpoint, live in self.live.items():
            if time_ms < self.created_ms[endpoint]:
                continue
            place = (endpoint, sequence)
            if live.paused:
                self.ledger[place] = DeliveryState(0, EVENT_ATTEMPT_LIMIT, "paused")
                continue
            self.ledger[place] = DeliveryState(0, EVENT_ATTEMPT_LIMIT, "pending")
            endpoint_id = self.records[endpoint]["id"]
            self.outbox.append(WebhookDelivery(endpoint_id, self.event_id(*place), payload))

    def delivery(self, endpoint: int, sequence: int, time_ms: int) -> JsonRecord:
        """The ``delivery`` object of an event as ``endpoint`` lists it."""
        state = self.ledger.get((endpoint, sequence))
        if state is not None:
            return delivery_json(state)
        if self.records[endpoint]["status"] == ACTIVE:
            return {"attempts": 1, "attemptLimit": EVENT_ATTEMPT_LIMIT, "status": "delivered",
                    "deliveryTime": rfc3339(time_ms + 1000)}
        return {"attempts": 3, "attemptLimit": EVENT_ATTEMPT_LIMIT, "status": "pending",
                "nextAttemptTime": rfc3339(time_ms + HOUR_MS)}


def delivery_json(state: DeliveryState) -> JsonRecord:
    """A delivery state in the shape of ``webhookDestinationEndpointEventDelivery``."""
    body: JsonRecord = {"attempts": state.attempts, "attemptLimit": state.attempt_limit,
                        "status": state.status}  # fmt: skip
    if state.delivery_time is not None:
        body["deliveryTime"] = rfc3339(to_ms(state.delivery_time))
    if state.next_attempt_time is not None:
        body["nextAttemptTime"] = rfc3339(to_ms(state.next_attempt_time))
    return body

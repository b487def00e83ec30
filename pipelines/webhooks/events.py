"""A verified delivery's body read as a Spruce event, its resource protected for storage.

The envelope::

    {"object": "event", "id": "wev_...",            # id: present or not (undocumented)
     "type": "contact.updated", "eventTime": "2024-05-01T12:00:00.123Z",
     "data": {"object": {<the whole current contact>}}}

Only the type, the time, the resource's id and the resource (after the PHI policy) are
kept; the raw body is not: its SHA-256 is the idempotency key when there is no event id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Protocol

import orjson

from pipelines.webhooks.inbox import ReceivedEvent
from pipelines.webhooks.settings import EVENT_TYPES


class InvalidEvent(ValueError):
    """A body that is not a Spruce event; the message names what is wrong, never a value."""


class ResourceProtector(Protocol):
    """What the receiver needs of the PHI policy (`sources.spruce.phi.RecordProtector`)."""

    def protect(self, record: dict[str, Any], resource: str) -> None: ...


def received_event(
    body: bytes, organization: str, protector: ResourceProtector, resources: Mapping[str, str]
) -> ReceivedEvent:
    """The event of ``body``, its resource protected in place by ``protector`` under the
    rules of its table (``resources``: the type's prefix -> table, e.g. contact ->
    contacts). Raises `InvalidEvent`."""
    envelope = _envelope(body)
    kind, event_time = envelope["type"], _event_time(envelope.get("eventTime"))
    resource: dict[str, Any] = envelope["data"]["object"]
    resource_id = resource.get("id")
    protector.protect(resource, resources[kind.partition(".")[0]])
    return ReceivedEvent(
        key=idempotency_key(envelope, body), organization=organization, type=kind,
        event_time=event_time,
        resource_id=resource_id if isinstance(resource_id, str) else None,
        resource=resource, received_at=datetime.now(timezone.utc),
    )  # fmt: skip


def idempotency_key(envelope: Mapping[str, Any], body: bytes) -> str:
    """The event's id when the delivery carries one, else ``sha256:<hex>`` of the body:
    every retry of a delivery sends the same bytes."""
    event_id = envelope.get("id")
    if isinstance(event_id, str) and event_id:
        return event_id
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _envelope(body: bytes) -> dict[str, Any]:
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidEvent("the body is not JSON") from None
    if not isinstance(envelope, dict) or envelope.get("object") != "event":
        raise InvalidEvent('the body is not an event (no "object": "event")')
    if envelope.get("type") not in EVENT_TYPES:
        raise InvalidEvent("the event's type is missing or not one Spruce documents")
    data = envelope.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise InvalidEvent('the event carries no resource ("data": {"object": {...}})')
    return envelope


def _event_time(value: object) -> datetime:
    """``eventTime`` as an aware datetime (UTC when the text has no offset)."""
    if not isinstance(value, str):
        raise InvalidEvent("the event has no eventTime")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidEvent("the event's eventTime is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

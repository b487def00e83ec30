"""Webhook events: the endpoint's delivery log, and the resources it carries.

``GET /webhooks/endpoints/{id}/events`` pages by token (20 a page). Each event's ``data``
is a JSON string holding Spruce's webhook payload, the *whole* current resource::

    {"object": "event", "type": "conversationItem.updated", "eventTime": "...",
     "data": {"object": {...the whole conversation item...}}}

Contact, conversation and item events are applied to their tables (edits, retitles and
deletions that do not move ``lastMessageAt``); a deleted contact gets ``deleted_at``.
``contact.merged`` names contacts merged away without their records: the next complete
contact listing marks those deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import dlt
import orjson

from sources.spruce.listings import Record

logger = logging.getLogger(__name__)

# Spruce's event ``type`` prefix -> the table its resource lives in.
APPLIED_TABLES = {
    "contact": "contacts",
    "conversation": "conversations",
    "conversationItem": "conversation_items",
}


def event_row(event: Record, endpoint_id: str) -> Record:
    """The event as stored in ``webhook_events`` (with the endpoint it came from)."""
    return {**event, "endpointId": endpoint_id}


def applied_records(event: Record) -> Iterator[Any]:
    """The resource an event carries, routed to its table; nothing for other kinds."""
    payload = _payload(event)
    kind, _, action = str(payload.get("type", "")).partition(".")
    table = APPLIED_TABLES.get(kind)
    record = (payload.get("data") or {}).get("object")
    if table is None or action == "merged" or not isinstance(record, dict):
        return
    if table == "contacts":
        record = {**record, "deleted_at": event["eventTime"] if action == "deleted" else None}
    yield dlt.mark.with_table_name(record, table)


def _payload(event: Record) -> dict[str, Any]:
    try:
        payload = orjson.loads(event.get("data") or "{}")
    except orjson.JSONDecodeError:
        logger.warning("webhook event %s has an undecodable payload; kept, not applied",
                       event.get("id"))  # fmt: skip
        return {}
    return payload if isinstance(payload, dict) else {}

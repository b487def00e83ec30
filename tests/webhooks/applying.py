"""Helpers of the apply and catch-up tests: events put in a real inbox, rows read back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

from pipelines.configuration.options import SyncOptions
from pipelines.webhooks.apply import ApplyReport, apply_pending
from pipelines.webhooks.inbox import Inbox, ReceivedEvent
from pipelines.webhooks.settings import DEFAULT_ORGANIZATION
from tests.reliability.warehouse import DELETED_MARKER, Row, Warehouse
from tests.source.warehouse_reader import WarehouseReader

# Event times of the tests: after any load of the test (load ids are the wall clock).
BASE_TIME = datetime.now(timezone.utc) + timedelta(days=1)


def at(seconds: float) -> datetime:
    """An event time ``seconds`` after the tests' base time."""
    return BASE_TIME + timedelta(seconds=seconds)


@dataclass
class Events:
    """Puts events in the test's inbox file and applies them, as ``webhooks apply`` does."""

    inbox_path: Path
    options: SyncOptions

    def store(self, kind: str, resource: dict[str, Any], when: datetime) -> bool:
        """Store one event (keyed like a delivery without id: the hash of its body)."""
        body = orjson.dumps({"type": kind, "eventTime": when.isoformat(), "id": resource["id"]})
        event = ReceivedEvent(
            key="sha256:" + hashlib.sha256(body).hexdigest(), organization=DEFAULT_ORGANIZATION,
            type=kind, event_time=when, resource_id=resource["id"], resource=resource,
            received_at=datetime.now(timezone.utc),
        )
        inbox = Inbox.open(self.inbox_path)
        try:
            return inbox.store(event)
        finally:
            inbox.close()

    def apply(self) -> ApplyReport:
        return apply_pending(self.options, self.inbox_path)


def contact(contact_id: str, given_name: str, phones: int = 1) -> dict[str, Any]:
    """A contact as Spruce sends it (the fields the tests read)."""
    return {"id": contact_id, "givenName": given_name, "displayName": given_name,
            "category": "patient",
            "phoneNumbers": [{"value": f"+1555000{n:04d}", "label": "mobile"}
                             for n in range(phones)]}


def item(item_id: str, text: str) -> dict[str, Any]:
    """A conversation item as Spruce sends it in a webhook (with its conversation)."""
    return {"id": item_id, "conversationId": "t_1", "text": text, "direction": "inbound",
            "isInternalNote": False, "createdAt": "2025-01-01T00:00:00Z",
            "modifiedAt": "2025-01-01T00:00:00Z", "conversation": {"id": "t_1", "title": "x"}}


def rows_of(reader: WarehouseReader, table: str, row_id: str, *columns: str) -> list[tuple[Any, ...]]:
    """``columns`` of every row of ``table`` with ``id`` = ``row_id``."""
    return reader.query(f"SELECT {', '.join(columns)} FROM {{{table}}} WHERE id = %s", row_id)


class ItemsAsListed:
    """A warehouse view in which a soft-deleted item reads as Spruce lists it: its
    placeholder, live (the ground truth lists it; the comparison drops ``deleted_at`` rows)."""

    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse

    def tables(self) -> set[str]:
        return self._warehouse.tables()

    def rows(self, table: str) -> list[Row]:
        rows = self._warehouse.rows(table)
        if table != "conversation_items":
            return rows
        return [{**row, DELETED_MARKER: None} for row in rows]

"""What a batch of webhook events does to the tables: one row state per resource.

Each event carries the *whole* current resource, so the newest event of a resource says
everything about its row: its values, and whether it is deleted. A batch therefore folds
to one row per (table, id), the newest ``eventTime`` winning (arrival order among equal
times). What each action means, as Spruce defines it:

- ``created`` / ``updated``: the resource as sent, live (``deleted_at`` null).
- ``deleted``: the resource as sent, ``deleted_at`` = the event's time. A contact or a
  conversation is gone from Spruce's listings; an item is soft-deleted: it stays listed
  as a placeholder (content emptied) that can be restored (API-NOTES, OpenAPI).
- ``conversationItem.restored``: the item with its content back, live again.
- ``contact.merged``: the resource is the winner (live); the contacts merged away are
  named beside it and become deleted at the event's time (their rows keep their values).

Scheduled-message events change no table here: ``scheduled_messages`` is reference data
that every sync replaces whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipelines.webhooks.apply_settings import (
    DELETED_AT_COLUMN,
    DELETING_ACTIONS,
    EVENT_TABLES,
    EVENT_TIME_COLUMN,
    WEBHOOK_ONLY_FIELDS,
)
from pipelines.webhooks.inbox import StoredEvent

Row = dict[str, Any]


@dataclass
class BatchChanges:
    """A batch folded: the newest row per table and id, and the contacts merged away."""

    rows: dict[str, dict[str, Row]] = field(default_factory=dict)
    merged_away: dict[str, datetime] = field(default_factory=dict)
    not_applied: int = 0  # events of kinds no table takes (scheduled messages, no id)

    def add(self, event: StoredEvent) -> None:
        """Fold one event in (events may come in any order)."""
        kind, _, action = event.type.partition(".")
        table = EVENT_TABLES.get(kind)
        resource_id = event.resource.get("id")
        if table is None or not isinstance(resource_id, str):
            self.not_applied += 1
            return
        self._keep_newest(table, resource_id, row_state(event, table, action))
        for merged_id in merged_away_ids(event) if event.type == "contact.merged" else ():
            if self.merged_away.get(merged_id, event.event_time) <= event.event_time:
                self.merged_away[merged_id] = event.event_time

    def _keep_newest(self, table: str, resource_id: str, row: Row) -> None:
        rows = self.rows.setdefault(table, {})
        held = rows.get(resource_id)
        if held is None or held[EVENT_TIME_COLUMN] <= row[EVENT_TIME_COLUMN]:
            rows[resource_id] = row

    def row_counts(self) -> dict[str, int]:
        """Rows offered per table (before the warehouse's newer rows keep theirs)."""
        return {table: len(rows) for table, rows in sorted(self.rows.items())}


def fold(events: Iterable[StoredEvent]) -> BatchChanges:
    """The changes of ``events``, newest per resource."""
    changes = BatchChanges()
    for event in events:
        changes.add(event)
    return changes


def row_state(event: StoredEvent, table: str, action: str) -> Row:
    """The row a sync would load for the event's resource, plus when it was true and
    whether it is deleted (the columns dlt names ``_spruce_event_time``, ``deleted_at``)."""
    dropped = WEBHOOK_ONLY_FIELDS.get(table, frozenset())
    row = {key: value for key, value in event.resource.items() if key not in dropped}
    deleted = action in DELETING_ACTIONS
    row[DELETED_AT_COLUMN] = event.event_time if deleted else None
    row[EVENT_TIME_COLUMN] = event.event_time
    return row


def merged_away_ids(event: StoredEvent) -> Sequence[str]:
    """The contacts a ``contact.merged`` event names as merged into its resource.

    Spruce lists them beside the winner (``data.mergedContactIds``); the inbox keeps them
    as ``merged_ids`` once its `StoredEvent` carries them (until then: none known, and the
    next complete contact listing of a sync marks the losers deleted).
    """
    ids: Any = getattr(event, "merged_ids", ())
    return [value for value in ids or () if isinstance(value, str)]

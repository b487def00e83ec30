"""Constants of applying webhook events to the tables, each with the reason for its value.

Kept apart from `pipelines.webhooks.settings` (the receiver's) so that the two can change
independently; both are the package's settings.
"""

from __future__ import annotations

from datetime import timedelta

from sources.spruce.events import APPLIED_TABLES

# Spruce's event type prefix -> the table a sync loads its resource into (the same map
# the sync's own event-log resource uses, so both paths write the same tables).
EVENT_TABLES = APPLIED_TABLES
# The time of the state a row shows when it came from an event (its ``eventTime``); a
# row loaded by a sync has none and is as new as its load (see `pipelines.webhooks.apply`).
EVENT_TIME_COLUMN = "_spruce_event_time"
DELETED_AT_COLUMN = "deleted_at"
# Actions that leave the resource deleted (its row stays, with ``deleted_at``).
DELETING_ACTIONS = frozenset({"deleted"})
# A merge's losers: the contacts merged away, listed beside the winner in ``data``.
MERGED_IDS_FIELD = "mergedContactIds"
# Only in webhook payloads (OpenAPI: "omitted from REST API responses"): a sync never
# stores it, so an applied item must not either (same columns on both paths).
WEBHOOK_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "conversation_items": frozenset({"conversation"}),
}

# Events read from the inbox per load: one dlt load per batch costs ~1 s of fixed work
# (schema, staging, merge SQL) whatever its size, so batches of a few thousand keep a
# backlog of 1,000 events a minute (Spruce's ceiling) well ahead; small enough that a
# batch's records (whole resources) stay a few MB in memory.
APPLY_BATCH_SIZE = 2000
# `webhooks serve --apply-every` default: near-real-time without a load every second
# (each load is ~1 s of fixed work on 2 cores).
DEFAULT_APPLY_EVERY = timedelta(seconds=5)

# The catch-up re-reads the event log from the newest applied event minus this overlap:
# events arrive out of order (Spruce retries a failed delivery every 2 minutes for 10
# attempts), so one older than the newest applied may still be missing. 30 minutes covers
# the whole retry schedule (20 minutes) with room for clock skew; the re-read events are
# stored once (idempotency key) and a replayed old one changes no row.
CATCH_UP_OVERLAP = timedelta(minutes=30)
# The event log keeps 30 days: a catch-up never asks for more.
EVENT_LOG_RETENTION = timedelta(days=30)

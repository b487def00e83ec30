"""The conversation cursor: where a listing starts, where it stops, how far it advances.

The cursor is one timestamp in the conversations resource's dlt state (bounded, whatever
the size of the organization); it is committed with the load package that carries the
rows, so it advances only together with a successful load.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sources.spruce.plan import SourcePlan

CURSOR_KEY = "last_message_at"


def parse_timestamp(value: str) -> datetime:
    """An RFC 3339 timestamp from the API, as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC, floored to the second (reading a fraction earlier is harmless)."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_cursor(state: MutableMapping[str, Any]) -> datetime | None:
    value = state.get(CURSOR_KEY)
    return parse_timestamp(value) if value else None


@dataclass(frozen=True)
class ListingWindow:
    """One window's slice of the conversations listing, ordered by ``lastMessageAt``.

    ``start_from`` goes on the first page (None: from the beginning); a backfill stops at
    the first conversation at or after ``end_before``. Otherwise a window reads to the end
    of the listing or to its volume bound, whichever comes first (`ConversationScan`).
    """

    start_from: datetime | None
    end_before: datetime | None
    moves_cursor: bool


def plan_window(
    cursor: datetime | None, plan: SourcePlan, resume_from: datetime | None = None
) -> ListingWindow:
    """The window to list: where this run's previous window stopped (``resume_from``),
    else a backfill's own range, else the cursor minus the lookback."""
    if plan.backfill_since is not None:
        return ListingWindow(resume_from or plan.backfill_since, plan.backfill_until, False)
    if resume_from is not None:
        return ListingWindow(resume_from, None, True)
    return ListingWindow(None if cursor is None else cursor - plan.lookback, None, True)


def advance_cursor(
    cursor: datetime | None, newest_seen: datetime | None, plan: SourcePlan
) -> datetime | None:
    """``min(newest seen, run start - settle)``, and never backwards."""
    if newest_seen is None:
        return cursor
    candidate = min(newest_seen, plan.cursor_cap)
    return candidate if cursor is None else max(cursor, candidate)


def write_cursor(state: MutableMapping[str, Any], cursor: datetime | None) -> None:
    if cursor is not None:
        state[CURSOR_KEY] = cursor.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")

"""Read one window of the conversations listing ordered by ``lastMessageAt``.

The listing is ``GET /conversations?orderBy=last_message`` (oldest activity first),
``startFrom`` on the first page only. A window ends at the end of the listing, at a
backfill's ``until``, or at the end of the first page that reaches the run's volume bound
(``window_conversations``, ``window_duration``); the scan remembers the newest activity it
read, which is where the cursor may advance to and where the next window starts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sources.spruce.client import SpruceClient
from sources.spruce.cursors import ListingWindow, format_timestamp, parse_timestamp
from sources.spruce.listings import CONVERSATIONS, ListingPage, Record, read_listing
from sources.spruce.plan import SourcePlan
from sources.spruce.stats import RunStats

ORDER_PARAMS = {"orderBy": "last_message"}


@dataclass
class ConversationScan:
    """One pass over a window; after it, ``newest`` and ``stopped_at_bound`` are known."""

    window: ListingWindow
    newest: datetime | None = None
    read: int = 0
    # True when the window ended at its volume bound with more of the listing to read.
    stopped_at_bound: bool = False
    # The conversations read at ``newest`` (id -> that time): where the next window starts.
    at_newest: dict[str, datetime] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def pages(
        self, client: SpruceClient, plan: SourcePlan, stats: RunStats
    ) -> Iterator[list[Record]]:
        """Pages of conversations inside the window, in listing order."""
        start = self.window.start_from
        start_params = {"startFrom": format_timestamp(start)} if start is not None else {}
        for page in read_listing(
            client, CONVERSATIONS, plan, stats, params=ORDER_PARAMS, start_params=start_params
        ):
            inside = self._inside(page.records)
            if inside:
                yield inside
            if len(inside) < len(page.records) or self._at_bound(page, plan):
                return

    def _at_bound(self, page: ListingPage, plan: SourcePlan) -> bool:
        """Whether the window ends after this page, leaving the rest to the next window."""
        self.read += len(page.records)
        full = (
            self.read >= plan.window_conversations
            or time.monotonic() - self.started >= plan.window_duration.total_seconds()
        )
        # A window that did not get past its own start (a page of one timestamp) goes on:
        # the next window would start where this one did, forever.
        moved = self.newest is not None and (
            self.window.start_from is None or self.newest > self.window.start_from
        )
        self.stopped_at_bound = page.has_more and full and moved
        return self.stopped_at_bound

    def _inside(self, records: list[Record]) -> list[Record]:
        """The records before a backfill's end; all of them otherwise."""
        inside = []
        end = self.window.end_before
        for record in records:
            moment = _activity(record)
            if moment is not None:
                if end is not None and moment >= end:
                    break
                self._note_activity(record, moment)
            inside.append(record)
        return inside

    def _note_activity(self, record: Record, moment: datetime) -> None:
        """Keep the newest activity read and the conversations at it."""
        if self.newest is None or moment > self.newest:
            self.newest = moment
            self.at_newest = {}
        if moment == self.newest and isinstance(record.get("id"), str):
            self.at_newest[record["id"]] = moment


def _activity(record: Record) -> datetime | None:
    """The listing's ordering time: ``lastMessageAt``, else ``createdAt`` (no message yet)."""
    value = record.get("lastMessageAt") or record.get("createdAt")
    return parse_timestamp(value) if isinstance(value, str) else None

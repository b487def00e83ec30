"""Read one window of the conversations listing ordered by ``lastMessageAt``.

The listing is ``GET /conversations?orderBy=last_message`` (oldest activity first),
``startFrom`` on the first page only. The scan stops at the first conversation at or after
the window's end and remembers how far it read, which is what the cursor may advance to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sources.spruce.client import SpruceClient
from sources.spruce.cursors import ListingWindow, format_timestamp, parse_timestamp
from sources.spruce.listings import CONVERSATIONS, Record, read_listing
from sources.spruce.plan import SourcePlan
from sources.spruce.stats import RunStats

ORDER_PARAMS = {"orderBy": "last_message"}


@dataclass
class ConversationScan:
    """One pass over a window; after it, ``read_up_to`` and ``stopped_at_end`` are known."""

    window: ListingWindow
    newest: datetime | None = None
    stopped_at_end: bool = False
    # The activity time of the first conversation past the window's end, where it stopped.
    stopped_at: datetime | None = None
    _pages: Iterator[list[Record]] | None = field(default=None, repr=False)

    def pages(
        self, client: SpruceClient, plan: SourcePlan, stats: RunStats
    ) -> Iterator[list[Record]]:
        """Pages of conversations inside the window, in listing order."""
        start = self.window.start_from
        start_params = {"startFrom": format_timestamp(start)} if start is not None else {}
        for records in read_listing(
            client, CONVERSATIONS, plan, stats, params=ORDER_PARAMS, start_params=start_params
        ):
            inside = self._inside(records, plan)
            if inside:
                yield inside
            if self.stopped_at_end:
                return

    @property
    def read_up_to(self) -> datetime | None:
        """Every conversation active before this time has been read.

        Past the window's end that is the first conversation beyond it, not the newest
        one inside: a window without any conversation (a quiet month) must still move
        the cursor, or the next window would be the same one again.
        """
        reached = [moment for moment in (self.newest, self.stopped_at) if moment is not None]
        return max(reached) if reached else None

    def _inside(self, records: list[Record], plan: SourcePlan) -> list[Record]:
        inside = []
        for record in records:
            moment = _activity(record)
            if moment is not None:
                self.window = self.window.bounded_at(moment, plan)
                if self.window.end_before is not None and moment >= self.window.end_before:
                    self.stopped_at_end, self.stopped_at = True, moment
                    break
                self.newest = moment if self.newest is None else max(self.newest, moment)
            inside.append(record)
        return inside


def _activity(record: Record) -> datetime | None:
    """The listing's ordering time: ``lastMessageAt``, else ``createdAt`` (no message yet)."""
    value = record.get("lastMessageAt") or record.get("createdAt")
    return parse_timestamp(value) if isinstance(value, str) else None

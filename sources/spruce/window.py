"""What the runner hands the source for one window, and what the source reports back.

Data flows one way: the runner passes a frozen `WindowStart` down with each window's
source, and reads a frozen `WindowReport` after the window ran. In between, the window's
resources record what they saw in a `WindowContext` that only the source writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sources.spruce.plan import PreviousPositions, no_previous_positions
from sources.spruce.stats import RunStats


@dataclass(frozen=True)
class WindowStart:
    """Where a window of the conversations listing starts (the first: from the cursor)."""

    # Where the previous window of this run stopped: the next lists on from there (no
    # lookback: what lies before it was read moments ago, and before the settle point).
    resume_from: datetime | None = None
    # The conversations at ``resume_from`` (id -> lastMessageAt), whose items the previous
    # window read: this window lists them again and need not read them again.
    boundary: Mapping[str, datetime] = field(default_factory=dict)
    # Whether the run began without a cursor (None: not known before its first window).
    first_sync: bool | None = None
    previous_positions: PreviousPositions = no_previous_positions


@dataclass(frozen=True)
class WindowReport:
    """What one window found, for the runner: is there more, was the contact listing whole."""

    resume_from: datetime | None
    resume_boundary: Mapping[str, datetime]
    first_sync: bool | None
    contacts_listing_complete: bool
    contacts_listed: int
    figures: Mapping[str, Any]

    @property
    def more_windows(self) -> bool:
        """Whether the window stopped at its bound with more of the listing to read."""
        return self.resume_from is not None

    def next_start(self, previous_positions: PreviousPositions) -> WindowStart:
        """The start of the window after this one."""
        return WindowStart(self.resume_from, dict(self.resume_boundary), self.first_sync,
                           previous_positions)


@dataclass
class WindowContext:
    """A window's start and what its resources record while it runs (source-internal)."""

    start: WindowStart
    stats: RunStats
    first_sync: bool | None = None
    resume_from: datetime | None = None
    resume_boundary: dict[str, datetime] = field(default_factory=dict)
    contacts_listing_complete: bool = False
    contacts_listed: int = 0
    closables: list[Callable[[], None]] = field(default_factory=list)
    _item_readers: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.first_sync = self.start.first_sync

    def item_readers(self, workers: int) -> Executor:
        """The window's one pool of threads reading conversations' items, shared by every
        page of conversations (dlt reads two pages' items at once): started on first use,
        shut down with the window."""
        with self._lock:
            if self._item_readers is None:
                self._item_readers = ThreadPoolExecutor(workers, thread_name_prefix="items")
                self.closables.append(self._shut_down_item_readers)
            return self._item_readers

    def _shut_down_item_readers(self) -> None:
        """Drop what a failed window left queued, wait for the reads under way (before the
        client they use is closed)."""
        if self._item_readers is not None:
            self._item_readers.shutdown(wait=True, cancel_futures=True)

    def report(self) -> WindowReport:
        """The frozen values of the window, once it ran."""
        return WindowReport(self.resume_from, dict(self.resume_boundary), self.first_sync,
                            self.contacts_listing_complete, self.contacts_listed,
                            self.stats.snapshot())

    def close(self) -> None:
        """Close what the window's source opened (its HTTP client, its item readers), the
        last opened first."""
        while self.closables:
            self.closables.pop()()

"""What one sync asks of the source, and what the source tells the run back.

`SourcePlan` is fixed for a run; `SyncSession` is shared by the run's windows: one rate
limiter for the organization, one set of counters, and the flags the runner reads after
each window (is there more history to read, was the contact listing complete).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sources.spruce import settings
from sources.spruce.exceptions import ConfigurationError
from sources.spruce.stats import RunStats
from sources.spruce.throttle import RateBudget

@dataclass(frozen=True)
class LoadedPosition:
    """A conversation as the warehouse has it: its ``lastMessageAt``, and when the load
    that wrote it began (its items were read after that)."""

    last_message_at: datetime
    loaded_at: datetime


# ids of listed conversations -> where each already is in the warehouse.
PreviousPositions = Callable[[Sequence[str]], Mapping[str, LoadedPosition]]


def _no_previous_positions(conversation_ids: Sequence[str]) -> Mapping[str, LoadedPosition]:
    return {}


@dataclass(frozen=True)
class SourcePlan:
    """The source's options for one run (the pipeline builds it from `SyncOptions`)."""

    lookback: timedelta = settings.DEFAULT_LOOKBACK
    settle: timedelta = settings.DEFAULT_SETTLE
    window_conversations: int = settings.DEFAULT_WINDOW_CONVERSATIONS
    window_duration: timedelta = settings.DEFAULT_WINDOW_DURATION
    concurrency: int = settings.DEFAULT_CONCURRENCY
    page_sizes: Mapping[str, int] = field(default_factory=dict)
    backfill_since: datetime | None = None
    backfill_until: datetime | None = None
    webhook_endpoint_id: str | None = None
    run_started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __post_init__(self) -> None:
        if self.window_conversations < 1:
            raise ConfigurationError(
                f"window_conversations must be at least 1, got {self.window_conversations}"
            )
        if self.concurrency < 1:
            raise ConfigurationError(f"concurrency must be at least 1, got {self.concurrency}")
        for operation, size in self.page_sizes.items():
            _check_page_size(operation, size)

    @property
    def is_backfill(self) -> bool:
        return self.backfill_since is not None

    @property
    def cursor_cap(self) -> datetime:
        """The conversation cursor never passes this: records this new may still be hidden."""
        return self.run_started_at - self.settle

    def page_size(self, operation: str) -> int:
        """The configured page size, else the largest the operation accepts."""
        return self.page_sizes.get(operation, settings.MAX_PAGE_SIZES[operation])


def _check_page_size(operation: str, size: int) -> None:
    largest = settings.MAX_PAGE_SIZES.get(operation)
    if largest is None:
        raise ConfigurationError(
            f"page_sizes names {operation!r}, which takes no pageSize; sized operations are"
            f" {', '.join(sorted(settings.MAX_PAGE_SIZES))}."
        )
    smallest = 2 if operation == "OrganizationMembers" else 1
    if not smallest <= size <= largest:
        raise ConfigurationError(
            f"page_sizes[{operation!r}] = {size} is outside what Spruce accepts"
            f" ({smallest}..{largest})."
        )


@dataclass
class SyncSession:
    """State shared by the windows of one run (never persisted)."""

    budget: RateBudget = field(default_factory=RateBudget)
    stats: RunStats = field(default_factory=RunStats)
    previous_positions: PreviousPositions = _no_previous_positions
    # Set by the conversations resource when it stopped at the end of a window: the
    # activity time where the next window of this run lists from (no lookback: what lies
    # before it was read moments ago, and before the run's settle point).
    resume_from: datetime | None = None
    # The conversations at ``resume_from`` (id -> lastMessageAt), whose items the last
    # window read: the next window lists them again and need not read them again. Handed
    # from ``resume_boundary`` to ``boundary`` when that next window starts, not before:
    # the items of the last window's last page are read after its listing ended.
    resume_boundary: dict[str, datetime] = field(default_factory=dict)
    boundary: dict[str, datetime] = field(default_factory=dict)
    # Whether this run began without a cursor: nothing of the warehouse is then worth
    # looking up for where a conversation's items resume.
    first_sync: bool | None = None
    # Set by the contacts resource after it read the last page of the listing.
    contacts_listing_complete: bool = False
    contacts_listed: int = 0
    closables: list[Callable[[], None]] = field(default_factory=list)

    @property
    def more_windows(self) -> bool:
        """Whether the last window stopped at its bound with more of the listing to read."""
        return self.resume_from is not None

    def close(self) -> None:
        """Close what the source opened (the HTTP client of each window)."""
        while self.closables:
            self.closables.pop()()

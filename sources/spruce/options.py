"""`SourceOptions`: what a sync asks of the Spruce source, validated once, defaults in settings.

The one declaration of every source option: the runner's `SyncOptions` extends it, the
YAML profile is generated from it with every key optional, and a plain dlt user can
pass it to ``spruce_source``. Values arrive typed (``timedelta``) or as written in YAML
(``10m``); a bad value raises pydantic's ``ValidationError`` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, Strict
from pydantic.dataclasses import dataclass

from sources.spruce import settings

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

# Unknown keys are errors, values are checked by type and range, and a validated object
# never changes: `dataclasses.replace` makes (and validates) a new one.
OPTIONS_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


def parse_duration(value: object) -> object:
    """``90s``, ``10m``, ``2h``, ``30d`` (or a number of seconds) to a ``timedelta``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value  # a timedelta passes; pydantic reports any other type
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    match = _DURATION.match(value)
    if match is None:
        raise ValueError("a duration such as 90s, 10m, 2h or 30d is expected")
    return timedelta(**{_DURATION_UNITS[match.group(2)]: float(match.group(1))})


def _within_page_limits(sizes: Mapping[str, int]) -> Mapping[str, int]:
    for operation, size in sizes.items():
        smallest = 2 if operation == "OrganizationMembers" else 1
        largest = settings.MAX_PAGE_SIZES[operation]
        if size > largest:
            raise ValueError(f"{operation} allows at most {largest}")
        if size < smallest:
            raise ValueError(f"{operation} allows at least {smallest}")
    return sizes


def _utc(value: datetime | None) -> datetime | None:
    """A time without zone is UTC (what the CLI's dates mean)."""
    return value.replace(tzinfo=timezone.utc) if value and value.tzinfo is None else value


Duration = Annotated[timedelta, BeforeValidator(parse_duration), Field(ge=timedelta(0))]


PositiveInt = Annotated[int, Strict(), Field(ge=1)]
PagedOperation = Literal[tuple(settings.MAX_PAGE_SIZES)]  # type: ignore[valid-type]  # built from the limits table
PageSizes = Annotated[
    dict[PagedOperation, PositiveInt], AfterValidator(_within_page_limits)  # type: ignore[valid-type]
]
Instant = Annotated[datetime | None, AfterValidator(_utc)]


@dataclass(frozen=True, config=OPTIONS_CONFIG)
class SourceOptions:
    """The source's options for a run; every default is `sources.spruce.settings`'."""

    # Requests in flight at once, all through one rate limiter.
    concurrency: Annotated[int, Strict(), Field(ge=1, le=64)] = settings.DEFAULT_CONCURRENCY
    # Re-read this far behind the conversation cursor (records appear late).
    lookback: Duration = settings.DEFAULT_LOOKBACK
    # The cursor never passes the run's start minus this.
    settle: Duration = settings.DEFAULT_SETTLE
    # A long sync commits a window after this many conversations, or this much time.
    window_conversations: PositiveInt = settings.DEFAULT_WINDOW_CONVERSATIONS
    window_duration: Duration = settings.DEFAULT_WINDOW_DURATION
    # Share of the rate budget left to the practice's other integrations.
    reserve_share: Annotated[float, Field(ge=0, lt=1)] = settings.DEFAULT_RESERVE_SHARE
    # The lengths of Spruce's rate windows: where the limiter starts; it learns the
    # minute window's real length from the refills it sees, so none needs setting.
    rate_window: Duration = settings.DEFAULT_RATE_WINDOW
    daily_rate_window: Duration = settings.DEFAULT_DAILY_RATE_WINDOW
    # pageSize per operationId; an operation not named pages at the largest size allowed.
    page_sizes: PageSizes = Field(default_factory=dict)
    # A request that fails retriably (5xx, 429, a lost connection) waits retry_initial_wait,
    # doubling up to retry_max_wait (or what Retry-After asks, up to 2 minutes), at most
    # retry_attempts times and retry_total in all; then the run stops with exit code 7.
    retry_initial_wait: Duration = settings.DEFAULT_RETRY_INITIAL_WAIT
    retry_max_wait: Duration = settings.DEFAULT_RETRY_MAX_WAIT
    retry_total: Duration = settings.DEFAULT_RETRY_TOTAL
    retry_attempts: Annotated[int, Strict(), Field(ge=1, le=20)] = settings.RETRY_ATTEMPTS
    # The longest wait for a response's bytes before the attempt counts as lost.
    read_timeout: Duration = settings.DEFAULT_READ_TIMEOUT
    # Sync this webhook endpoint's event log and apply its changes.
    webhook_endpoint_id: str | None = None
    # A backfill: a window of conversations (and their items) that leaves the cursor alone.
    # Given per run (the CLI's --since/--until), never in a profile.
    backfill_since: Instant = None
    backfill_until: Instant = None

    @property
    def is_backfill(self) -> bool:
        return self.backfill_since is not None

    def page_size(self, operation: str) -> int:
        """The configured page size, else the largest the operation accepts."""
        return self.page_sizes.get(operation, settings.MAX_PAGE_SIZES[operation])

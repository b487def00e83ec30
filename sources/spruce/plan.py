"""What one run asks of the source: its options, when it started, what the warehouse holds.

`SourcePlan` is fixed for a run; `PreviousPositions` looks up where the warehouse already
has conversations, so that their items resume from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timezone

from pydantic import Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from sources.spruce.options import OPTIONS_CONFIG, SourceOptions
from sources.spruce.throttle import RateBudget


@dataclass(frozen=True)
class LoadedPosition:
    """A conversation as the warehouse has it: its ``lastMessageAt``, and when the load
    that wrote it began (its items were read after that)."""

    last_message_at: datetime
    loaded_at: datetime


# ids of listed conversations -> where each already is in the warehouse.
PreviousPositions = Callable[[Sequence[str]], Mapping[str, LoadedPosition]]


def no_previous_positions(conversation_ids: Sequence[str]) -> Mapping[str, LoadedPosition]:
    return {}


@pydantic_dataclass(frozen=True, config=OPTIONS_CONFIG)
class SourcePlan(SourceOptions):
    """The source's options fixed for one run, with the moment the run started."""

    run_started_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))

    @classmethod
    def for_run(cls, options: SourceOptions, started_at: datetime) -> SourcePlan:
        """The plan of a run of ``options`` (any subclass: only the source's fields count)."""
        values = {field.name: getattr(options, field.name) for field in fields(SourceOptions)}
        return cls(**values, run_started_at=started_at)

    @property
    def cursor_cap(self) -> datetime:
        """The conversation cursor never passes this: records this new may still be hidden."""
        return self.run_started_at - self.settle


def rate_budget(options: SourceOptions) -> RateBudget:
    """The organization's rate limiter, paced for the options' window lengths and reserve."""
    return RateBudget(
        reserve_share=options.reserve_share,
        window_seconds=options.rate_window.total_seconds(),
        daily_window_seconds=options.daily_rate_window.total_seconds(),
    )

"""A fixed-window rate limit as Spruce applies it, on a fake clock, for the throttle's math.

Only the arithmetic of the limiter is exercised against this model; the end-to-end tests
run the real simulator over HTTP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class FakeClock:
    """Time that moves only when the code under test sleeps."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class FixedWindowOrganization:
    """One organization's budget: ``limit`` a ``window``; a neighbour spends its share evenly."""

    clock: FakeClock
    limit: int
    window: float
    neighbour_share: float = 0.0
    used: int = 0
    window_start: float = 0.0
    neighbour_spent_until: float = 0.0
    sent: list[float] = field(default_factory=list)
    refused: int = 0
    neighbour_sent: list[float] = field(default_factory=list)
    neighbour_refused: int = 0

    def request(self) -> dict[str, str]:
        """Answer one of our requests: its headers; counts a refusal when exhausted."""
        while self.clock.now - self.window_start >= self.window:  # windows passed since
            self._neighbour_catches_up(self.window_start + self.window)
            self._roll()
        self._neighbour_catches_up(self.clock.now)
        if self.used >= self.limit:
            self.refused += 1
        else:
            self.used += 1
            self.sent.append(self.clock.now)
        return {"s-ratelimit-limit": str(self.limit),
                "s-ratelimit-remaining": str(self.limit - self.used)}  # fmt: skip

    def _roll(self) -> None:
        """Open the next window (one at a time, so the neighbour spends in each)."""
        self.window_start += self.window
        self.used = 0
        self.neighbour_spent_until = self.window_start

    def _neighbour_catches_up(self, until: float) -> None:
        """The neighbour's requests up to ``until`` (it spends in each window from its start)."""
        per_window = math.floor(self.limit * self.neighbour_share)
        if not per_window:
            return
        interval = self.window / per_window
        while self.neighbour_spent_until + interval < until or (
            self.neighbour_spent_until + interval == until == self.clock.now
        ):
            self.neighbour_spent_until += interval
            if self.used >= self.limit:
                self.neighbour_refused += 1
            else:
                self.used += 1
                self.neighbour_sent.append(self.neighbour_spent_until)

    def most_in_any_window(self) -> int:
        """Our requests in the busiest fixed window."""
        return max(self.per_window().values(), default=0)

    def per_window(self) -> dict[int, int]:
        """Our requests in each fixed window, by the window's number."""
        counts: dict[int, int] = {}
        for moment in self.sent:
            counts[int(moment // self.window)] = counts.get(int(moment // self.window), 0) + 1
        return counts

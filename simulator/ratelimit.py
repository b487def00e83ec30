"""Spruce's rate limits: one budget per organization, whatever token spends it.

A fixed window (``window_seconds``, 60 s at Spruce) is reported on every response in
``s-ratelimit-limit``/``s-ratelimit-remaining``, with ``DEFAULT_RATE_LIMIT`` when no limit
is configured; an optional daily window applies only to the configured operations and is
reported in ``s-ratelimit-daily-*`` on those only. A missing header means that dimension
is not limited. A throttled request consumes no budget. The noisy neighbour is another
integration of the same organization that spends a share of every window evenly, from a
task on the server's event loop.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from simulator.counters import RequestCounters
from simulator.settings import DEFAULT_RATE_LIMIT, RateLimitSettings

Clock = Callable[[], float]
_IDLE_POLL_SECONDS = 0.05


class RateWindow:
    """A fixed window of ``limit`` requests every ``seconds``.

    The first window opens at the first request after the settings applied (not when
    they applied), so that a test's burst does not straddle a boundary by chance.
    """

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._start: float | None = None
        self._used = 0

    def remaining(self, now: float) -> int:
        self._roll(now)
        return max(self.limit - self._used, 0)

    def take(self, now: float) -> None:
        self._roll(now)
        self._used += 1

    def resets_in(self, now: float) -> float:
        return self._roll(now) + self.seconds - now

    def _roll(self, now: float) -> float:
        """The current window's start, opening or rolling it as needed."""
        if self._start is None:
            self._start = now
        elif now - self._start >= self.seconds:
            self._start += (now - self._start) // self.seconds * self.seconds
            self._used = 0
        return self._start


@dataclass(frozen=True)
class Admission:
    """The limiter's answer to one request: its headers, and the throttle if refused."""

    headers: list[tuple[str, str]]
    throttled_status: int | None = None
    retry_after_seconds: int | None = None


class RateBudget:
    """The organization's budget; ``configure`` swaps the settings and starts afresh.

    ``None`` settings mean none were configured: the budget is ``DEFAULT_RATE_LIMIT``.
    """

    def __init__(self, settings: RateLimitSettings | None, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.configure(settings)

    @property
    def settings(self) -> RateLimitSettings:
        """The settings in force (``DEFAULT_RATE_LIMIT`` unless others were configured)."""
        return self._settings

    def configure(self, settings: RateLimitSettings | None) -> None:
        settings = settings or DEFAULT_RATE_LIMIT
        with self._lock:
            self._settings = settings
            self._window = RateWindow(settings.limit, settings.window_seconds)
            self._daily = (
                RateWindow(settings.daily_limit, settings.daily_window_seconds)
                if settings.daily_limit is not None
                else None
            )

    def admit(self, operation: str) -> Admission:
        """Spend one request of ``operation`` if the budget allows it."""
        with self._lock:
            windows = self._windows_for(operation, self._settings)
            now = self._clock()
            exhausted = [window for window in windows if window.remaining(now) == 0]
            if not exhausted:
                for window in windows:
                    window.take(now)
            headers = self._headers(windows, now)
        return self._admission(headers, exhausted, now) if exhausted else Admission(headers)

    def spend_neighbour(self) -> bool:
        """One request of the other integration; False when the window is exhausted."""
        with self._lock:
            now = self._clock()
            if self._window.remaining(now) == 0:
                return False
            self._window.take(now)
            return True

    def _windows_for(self, operation: str, settings: RateLimitSettings) -> list[RateWindow]:
        daily_applies = not settings.daily_operations or operation in settings.daily_operations
        if self._daily is not None and daily_applies:
            return [self._window, self._daily]
        return [self._window]

    def _headers(self, windows: list[RateWindow], now: float) -> list[tuple[str, str]]:
        names = (("s-ratelimit-limit", "s-ratelimit-remaining"),
                 ("s-ratelimit-daily-limit", "s-ratelimit-daily-remaining"))  # fmt: skip
        headers = []
        for (limit_name, remaining_name), window in zip(names, windows):
            headers += [(limit_name, str(window.limit)),
                        (remaining_name, str(window.remaining(now)))]  # fmt: skip
        return headers

    def _admission(
        self, headers: list[tuple[str, str]], exhausted: list[RateWindow], now: float
    ) -> Admission:
        wait = max(window.resets_in(now) for window in exhausted)
        retry_after = max(math.ceil(wait), 1) if self._settings.retry_after else None
        return Admission(headers, self._settings.exhausted_status, retry_after)


class NoisyNeighbour:
    """Spends ``noisy_neighbour_share`` of each window's budget, one request at a time."""

    def __init__(self, budget: RateBudget, counters: RequestCounters) -> None:
        self._budget = budget
        self._counters = counters

    async def run(self) -> None:
        """Runs until cancelled; re-reads the settings each time, so changes apply live."""
        while True:
            interval = self._interval()
            await asyncio.sleep(interval or _IDLE_POLL_SECONDS)
            if interval and self._budget.spend_neighbour():
                self._counters.neighbour_request()

    def _interval(self) -> float | None:
        settings = self._budget.settings
        if settings.noisy_neighbour_share <= 0:
            return None
        per_window = math.floor(settings.limit * settings.noisy_neighbour_share)
        return settings.window_seconds / per_window if per_window else None

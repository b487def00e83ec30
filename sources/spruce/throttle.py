"""`RateBudget`: one limiter per organization, driven by Spruce's rate-limit headers.

Spruce sends ``s-ratelimit-limit``/``-remaining`` (a 60-second window) and a daily pair on
some responses, but no reset time; every integration of the practice draws on the same
budget. The limiter therefore:

- keeps, per dimension, an estimate of what remains: the last remaining seen, minus our
  own requests sent since (so concurrent requests are counted before they land);
- never sends when that estimate would dip into the reserve left for the practice's other
  integrations (``reserve_share`` of the limit), so it never sends at remaining 0;
- paces the sends so that the usable rest of the window is spread evenly over the time
  left in it; a neighbour that spends the same budget lowers the remaining faster than we
  do, which stretches the pacing at once;
- learns where a window starts when the remaining goes *up* (a reset), and assumes a
  reset one window after the last one it knows of;
- raises ``RateBudgetExhausted`` when the daily budget reaches the reserve, with the time
  it expects the budget to refill, instead of sleeping for hours.

The clock and the sleep are injectable so that tests can drive the arithmetic instantly.
A header that is missing on a response means "that dimension does not limit this
request": it changes nothing in what the limiter knows.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sources.spruce import settings
from sources.spruce.exceptions import RateBudgetExhausted

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        # A garbled header tells us nothing; treating it as "unlimited" would be unsafe,
        # treating it as "no information" keeps the last good knowledge.
        return None


@dataclass
class WindowBudget:
    """What is known about one rate-limit dimension (the minute window or the day)."""

    length: float
    reserve_share: float
    limit: int | None = None
    estimate: int | None = None  # remaining, minus our sends not yet reflected
    anchor: float | None = None  # when the current window is believed to have started
    last_seen: int | None = None

    @property
    def reserve(self) -> int:
        """Requests left untouched for the practice's other integrations."""
        return math.ceil((self.limit or 0) * self.reserve_share)

    def usable(self) -> int | None:
        """Requests we may still send in this window; None when not limited or not known."""
        if self.estimate is None:
            return None
        return self.estimate - self.reserve

    def roll_over(self, now: float) -> None:
        """Forget the estimate once the window must have reset, so one probe may go out."""
        if self.anchor is not None and now >= self.anchor + self.length:
            self.anchor = None
            self.estimate = None
            self.last_seen = None

    def observe(self, limit: int, remaining: int, now: float, others_in_flight: int) -> None:
        """Take in a response's headers; ``others_in_flight`` are sends it cannot reflect."""
        rose = self.last_seen is not None and remaining > self.last_seen + others_in_flight
        fresh = remaining - others_in_flight
        if self.anchor is None or rose:
            self.anchor = now
            self.estimate = fresh
        else:
            self.estimate = fresh if self.estimate is None else min(self.estimate, fresh)
        self.limit = limit
        self.last_seen = remaining


@dataclass
class RateBudget:
    """The shared limiter: call `acquire` before each request and `observe` after it."""

    reserve_share: float = settings.DEFAULT_RESERVE_SHARE
    window_seconds: float = settings.RATE_WINDOW_S
    daily_window_seconds: float = settings.DAILY_RATE_WINDOW_S
    clock: Clock = time.monotonic
    sleep: Sleep = time.sleep
    wall_clock: Callable[[], datetime] = _utc_now
    minute: WindowBudget = field(init=False)
    daily: WindowBudget = field(init=False)
    in_flight: int = field(init=False, default=0)
    last_send: float | None = field(init=False, default=None)
    waited_seconds: float = field(init=False, default=0.0)
    informed: bool = field(init=False, default=False)  # any response seen yet
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not 0 <= self.reserve_share < 1:
            raise ValueError(f"reserve_share must be in [0, 1), got {self.reserve_share}")
        self.minute = WindowBudget(self.window_seconds, self.reserve_share)
        self.daily = WindowBudget(self.daily_window_seconds, self.reserve_share)

    def acquire(self) -> float:
        """Block until one request may be sent and count it as in flight.

        Returns the seconds spent waiting. Raises `RateBudgetExhausted` when the daily
        budget is down to the reserve.
        """
        waited = 0.0
        while True:
            with self._lock:
                delay = self._delay_before_send(self.clock())
                if delay <= 0:
                    self._count_send(self.clock())
                    self.waited_seconds += waited
                    return waited
            self.sleep(delay)
            waited += delay

    def release(self) -> None:
        """Count a request that ended without headers (a transport error)."""
        with self._lock:
            self.in_flight = max(0, self.in_flight - 1)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take in the rate-limit headers of a response to a request from `acquire`."""
        with self._lock:
            self.in_flight = max(0, self.in_flight - 1)
            self.informed = True
            now = self.clock()
            self._observe_dimension(self.minute, headers, now, settings.HEADER_LIMIT,
                                    settings.HEADER_REMAINING)
            self._observe_dimension(self.daily, headers, now, settings.HEADER_DAILY_LIMIT,
                                    settings.HEADER_DAILY_REMAINING)

    def snapshot(self) -> dict[str, int | None]:
        """The limits and remaining counts last seen (for `check` and logs)."""
        with self._lock:
            return {
                "limit": self.minute.limit,
                "remaining": self.minute.last_seen,
                "daily_limit": self.daily.limit,
                "daily_remaining": self.daily.last_seen,
            }

    def _observe_dimension(
        self, budget: WindowBudget, headers: Mapping[str, str], now: float, limit_name: str,
        remaining_name: str,
    ) -> None:
        limit = _header_int(headers, limit_name)
        remaining = _header_int(headers, remaining_name)
        if limit is not None and remaining is not None:
            budget.observe(limit, remaining, now, self.in_flight)
        elif budget.estimate is not None:
            budget.estimate += 1  # this request did not count on this dimension

    def _delay_before_send(self, now: float) -> float:
        self.minute.roll_over(now)
        self.daily.roll_over(now)
        self._check_daily(now)
        return max(self._gate_delay(self.minute, now), self._pace_delay(now))

    def _check_daily(self, now: float) -> None:
        usable = self.daily.usable()
        if usable is None or usable - self.in_flight > 0:
            return
        anchor = self.daily.anchor if self.daily.anchor is not None else now
        resume_at = self.wall_clock() + timedelta(seconds=anchor + self.daily.length - now)
        raise RateBudgetExhausted(
            f"The organization's daily request budget is down to the reserve kept for other"
            f" integrations ({self.daily.reserve} of {self.daily.limit}); the work loaded so"
            f" far is kept. Run again after {resume_at:%Y-%m-%d %H:%M} UTC.",
            resume_at=resume_at,
        )

    def _gate_delay(self, budget: WindowBudget, now: float) -> float:
        """Seconds until the window may have room again; 0 when a send may go now."""
        if self._probe_out(budget, now):
            return settings.PROBE_POLL_S  # a probe is out: wait for what it learns
        usable = budget.usable()
        if usable is None or usable > 0:
            return 0.0
        anchor = budget.anchor if budget.anchor is not None else now
        return max(anchor + budget.length - now, 0.001 * budget.length)

    def _probe_out(self, budget: WindowBudget, now: float) -> bool:
        """A request is out while nothing is known (first request, or a new window)."""
        blind = not self.informed or (budget.limit is not None and budget.estimate is None)
        recent = self.last_send is not None and now - self.last_send < settings.PROBE_PATIENCE_S
        return blind and self.in_flight > 0 and recent

    def _pace_delay(self, now: float) -> float:
        """Spread what is usable in the window evenly over the time left in it."""
        usable = self.minute.usable()
        if usable is None or usable <= 0 or self.last_send is None or self.minute.anchor is None:
            return 0.0
        time_left = self.minute.anchor + self.minute.length - now
        interval = max(time_left, 0.0) / usable
        return self.last_send + interval - now

    def _count_send(self, now: float) -> None:
        self.in_flight += 1
        self.last_send = now
        for budget in (self.minute, self.daily):
            if budget.estimate is not None:
                budget.estimate -= 1

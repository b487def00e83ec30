"""`RateBudget`: one limiter per organization, driven by Spruce's rate-limit headers.

Spruce sends ``s-ratelimit-limit``/``-remaining`` (a 60-second window) and a daily pair on
some responses, but no reset time; every integration of the practice draws on the same
budget. What matters is how long the work takes against the time the budget needs for it,
and that no request is throttled. The limiter therefore:

- keeps, per dimension (a `WindowBudget`, in ``window_budget``), an estimate of what
  remains: the lowest remaining answered, minus our own requests sent since (so concurrent
  requests are counted before they land);
- keeps back, beyond the reserve left for the practice's other integrations
  (``reserve_share`` of the limit, never dipped into), what those others may have spent
  since the freshest answer until the next request lands, and their share of the time left
  in the window, at the rate they were seen spending (a prior share until they are seen):
  so it never sends at remaining 0, and a neighbour spending evenly is not starved;
- sends the rest at once, except a small tail paced up to the window's latest possible
  end: each answer there shows whether the others spent what was kept for them (if not,
  it is released) and whether the window has reset early. The first window's start is
  unknown, so its tail spreads over the time left; once a reset has been seen, the tail
  is packed into the span where the next one can come, so it is seen within a fraction of
  a second and the next burst follows;
- pairs each answer with its request (by the thread that acquired), so that a reset is
  recognised only when an answer shows more than the lowest remaining known when its
  request left (answers overtaking each other are not resets), and answers to requests
  sent before the current window opened are left out;
- takes a window's start to be when the answer showing it arrived, an upper bound, so that
  "one window after it" is a moment the window must have reset, whatever rule aligns
  Spruce's windows; then one probe goes out, and the burst follows its answer;
- learns the window's length from the refills it sees (``window_length``; 60 s until
  then): while searching, the tail goes at doubling intervals, so a short one is found;
- raises ``RateBudgetExhausted`` when the daily budget reaches the reserve, with the time
  it expects the budget to refill, instead of sleeping for hours.

The clock and the sleep (by default one a SIGTERM cuts short) are injectable for tests.
A missing header means "that dimension does not limit this request": nothing learnt.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sources.spruce import settings
from sources.spruce.exceptions import RateBudgetExhausted
from sources.spruce.waiting import interruptible_sleep
from sources.spruce.window_budget import Mark, WindowBudget

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


@dataclass(frozen=True)
class Ticket:
    """One request between `acquire` and its answer: when it left, and what each dimension
    knew then (see `WindowBudget.observe`)."""

    sent_at: float
    minute: Mark
    daily: Mark


@dataclass
class RateBudget:
    """The shared limiter: call `acquire` before each request and `observe` after it."""

    reserve_share: float = settings.DEFAULT_RESERVE_SHARE
    window_seconds: float = settings.RATE_WINDOW_S
    daily_window_seconds: float = settings.DAILY_RATE_WINDOW_S
    clock: Clock = time.monotonic
    sleep: Sleep = interruptible_sleep
    wall_clock: Callable[[], datetime] = _utc_now
    minute: WindowBudget = field(init=False)
    daily: WindowBudget = field(init=False)
    in_flight: int = field(init=False, default=0)
    last_send: float | None = field(init=False, default=None)
    waited_seconds: float = field(init=False, default=0.0)
    informed: bool = field(init=False, default=False)  # any response seen yet
    round_trip: float = field(init=False, default=0.0)  # recent send-to-answer time
    _tickets: dict[int, deque[Ticket]] = field(init=False, default_factory=dict)  # by thread
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
            self._answered(self.clock())

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take in the rate-limit headers of a response to a request from `acquire`."""
        with self._lock:
            now = self.clock()
            ticket = self._answered(now)
            self.informed = True
            self._observe_dimension(self.minute, ticket.minute, headers, now, ticket.sent_at,
                                    (settings.HEADER_LIMIT, settings.HEADER_REMAINING))
            self._observe_dimension(self.daily, ticket.daily, headers, now, ticket.sent_at,
                                    (settings.HEADER_DAILY_LIMIT, settings.HEADER_DAILY_REMAINING))

    def snapshot(self) -> dict[str, int | None]:
        """The limits and remaining counts last seen (for `check` and logs)."""
        with self._lock:
            return {
                "limit": self.minute.limit,
                "remaining": self.minute.last_seen,
                "daily_limit": self.daily.limit,
                "daily_remaining": self.daily.last_seen,
            }

    def _answered(self, now: float) -> Ticket:
        """Count one request as no longer in flight; returns the ticket it left with.

        The client answers on the thread that acquired, so a thread's tickets, oldest
        first, pair each answer with its request exactly.
        """
        self.in_flight = max(0, self.in_flight - 1)
        queue = self._tickets.get(threading.get_ident())
        ticket = queue.popleft() if queue else self._ticket(now)
        if queue is not None and not queue:
            del self._tickets[threading.get_ident()]
        self.round_trip = max(now - ticket.sent_at, self.round_trip * settings.ROUND_TRIP_DECAY)
        return ticket

    def _ticket(self, now: float) -> Ticket:
        """A request leaving now (or an answer with no request on record: taken as fresh)."""
        return Ticket(now, self.minute.mark(), self.daily.mark())

    def _observe_dimension(
        self, budget: WindowBudget, mark: Mark, headers: Mapping[str, str], now: float,
        sent_at: float, names: tuple[str, str],
    ) -> None:
        """``names`` are the dimension's limit and remaining headers."""
        limit = _header_int(headers, names[0])
        remaining = _header_int(headers, names[1])
        if limit is not None and remaining is not None:
            budget.observe(limit, remaining, now, self.in_flight, sent_at, mark)
        else:
            budget.count_unlimited()

    def _delay_before_send(self, now: float) -> float:
        self.minute.roll_over(now, self.in_flight)
        self.daily.roll_over(now, self.in_flight)
        self._check_daily(now)
        return self._minute_delay(now)

    def _check_daily(self, now: float) -> None:
        usable = self.daily.usable()
        if usable is None or usable - self.in_flight > 0:
            return
        anchor = self.daily.anchor if self.daily.anchor is not None else now
        resume_at = self.wall_clock() + timedelta(seconds=anchor + self.daily.seconds - now)
        raise RateBudgetExhausted(
            f"The organization's daily request budget is down to the reserve kept for other"
            f" integrations ({self.daily.reserve} of {self.daily.limit}); the work loaded so"
            f" far is kept. Run again after {resume_at:%Y-%m-%d %H:%M} UTC.",
            resume_at=resume_at,
        )

    def _minute_delay(self, now: float) -> float:
        """Seconds before the next send: none in a burst, a pace in the tail, or a wait."""
        if self._probe_out(self.minute, now):
            return settings.PROBE_POLL_S  # a probe is out: wait for what it learns
        spendable = self._spendable(now)
        if spendable is None or spendable > self._tail_size():
            return 0.0
        if spendable <= 0:
            return self._wait_for_news(now)
        return self._tail_delay(now, spendable)

    def _probe_out(self, budget: WindowBudget, now: float) -> bool:
        """A request is out while nothing is known (first request, or a new window)."""
        blind = not self.informed or (budget.limit is not None and budget.estimate is None)
        recent = self.last_send is not None and now - self.last_send < settings.PROBE_PATIENCE_S
        return blind and self.in_flight > 0 and recent

    def _spendable(self, now: float) -> int | None:
        """Requests that may go in this window; None when the window does not limit us.

        Beyond the reserve, it keeps back what the others may have spent since the freshest
        answer (until the next request lands), and their last window's share of the time
        left, so that a neighbour spending evenly is neither starved nor raced to zero.
        """
        usable = self.minute.usable()
        if usable is None or self.minute.end is None or self.minute.limit is None:
            return usable
        return usable - self._kept_for_others(now, self.minute.end, self.minute.limit)

    def _kept_for_others(self, now: float, end: float, limit: int) -> int:
        """The others' requests that may have landed unseen, and their share of what is left.

        Until the others are seen spending, they are assumed to spend a prior share evenly.
        A fraction of a request unseen counts whole: at the last few, one is a throttle.
        """
        budget = self.minute
        prior = limit * settings.RATE_OTHERS_PRIOR_SHARE / budget.seconds
        informed_at = now if budget.info_sent is None else budget.info_sent
        rate = max(prior, budget.others_rate(self.in_flight))
        unseen = rate * (now - informed_at + self.round_trip)
        ahead = max(prior, budget.others_last_rate) * max(end - now, 0.0)
        return math.ceil(unseen) + math.floor(ahead)

    def _tail_size(self) -> int:
        """Requests kept to be paced up to the window's end; more while searching."""
        share = math.ceil((self.minute.limit or 0) * settings.RATE_TAIL_SHARE)
        searching = 0 if self.minute.learnt.bounded else settings.RATE_SEARCH_PROBES
        return max(settings.RATE_TAIL_MIN, share, searching)

    def _tail_delay(self, now: float, spendable: int) -> float:
        """Spread the tail evenly up to the window's end, sooner while searching.

        While the window's start is unknown, the tail spreads over all the time left, so a
        reset is seen at most one interval late; once a reset has been seen, only over the
        span it may come in (from the soonest the length learnt allows): a tail interval
        narrows it each window, to the last moments.
        """
        end, earliest = self.minute.end, self.minute.learnt.earliest_reset()
        assert end is not None
        start = self.last_send if self.last_send is not None else now
        if earliest is not None:
            span = max(end - earliest, self.minute.seconds * settings.RATE_TAIL_SPAN_SHARE)
            # round trips more: the first tail answer releases what the others left
            # unspent, and those requests must go out and land before the reset
            start = max(start, end - span - settings.RATE_TAIL_ROUND_TRIPS * self.round_trip)
        # spendable + 1 gaps: the last tail request goes before the end, not with the probe
        evenly = start + max(end - start, 0.0) / (spendable + 1)
        return min(evenly, self._search_send(earliest)) - now

    def _search_send(self, earliest: float | None) -> float:
        """While two refills have not bounded the length: doubling intervals from the
        soonest the window can reset, so a window far shorter than the prior is found."""
        anchor = self.minute.anchor
        if self.minute.learnt.bounded or anchor is None:
            return math.inf
        base = anchor if earliest is None else max(anchor, earliest)
        first = self.minute.seconds * settings.RATE_SEARCH_FIRST_SHARE
        since = 0.0 if self.last_send is None else self.last_send - base
        return base + max(first, 2 * since)

    def _wait_for_news(self, now: float) -> float:
        """Wait for the window's end, or for an answer still out (it may show a reset).

        Nothing else can free budget: what is kept for the others since the freshest answer
        does not shrink while no answer comes.
        """
        end = self.minute.rolls_over_at()
        assert end is not None
        wait = max(end - now, self.minute.seconds * settings.RATE_WAIT_FLOOR_SHARE)
        return min(wait, settings.PROBE_POLL_S) if self.in_flight else wait

    def _count_send(self, now: float) -> None:
        self.in_flight += 1
        self.last_send = now
        self._tickets.setdefault(threading.get_ident(), deque()).append(self._ticket(now))
        self.minute.count_send()
        self.daily.count_send()

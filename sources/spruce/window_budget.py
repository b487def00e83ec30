"""`WindowBudget`: what the limiter knows of one rate-limit window (the minute or the day).

Spruce answers each request with the limit and what remains of a window whose start and
reset time it never sends. A `WindowBudget` keeps, for one such dimension, an estimate of
what remains (the lowest remaining answered, minus our own requests sent since), the latest
moment the window can have started, and how fast the practice's other integrations were
seen spending in it; how long the window lasts is learnt from the refills seen
(`window_length.WindowLength`, the configured length its prior). A `Mark` is what a request takes with it when it leaves, so that its
answer can be told apart from an answer of an older window, and a reset from answers
overtaking each other. `throttle.RateBudget` holds one `WindowBudget` a dimension and
decides from them when the next request may go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sources.spruce import settings
from sources.spruce.window_length import WindowLength


@dataclass(frozen=True)
class Mark:
    """What one dimension knew when a request left: its window, and the lowest remaining."""

    epoch: int
    lowest: int | None


@dataclass
class WindowBudget:
    """What is known about one rate-limit dimension (the minute window or the day)."""

    length: float  # the prior: what the window is documented (or configured) to last
    reserve_share: float
    limit: int | None = None
    estimate: int | None = None  # remaining, minus our sends not yet reflected
    anchor: float | None = None  # latest moment the current window can have started
    last_seen: int | None = None
    lowest: int | None = None  # lowest remaining answered in this window
    ours: int = 0  # our answers counted in this window
    info_sent: float | None = None  # when the request of the freshest answer left
    others_last_rate: float = 0.0  # requests a second the others spent in the last window
    # how late the anchor may be, from the last reset seen between two answers
    phase_error: float | None = None
    epoch: int = 0  # counts windows; an answer to a request of an older one may straddle
    learnt: WindowLength = field(init=False)

    def __post_init__(self) -> None:
        self.learnt = WindowLength(self.length)

    @property
    def seconds(self) -> float:
        """The window's length as learnt so far (the prior until answers tell otherwise)."""
        return self.learnt.seconds

    @property
    def reserve(self) -> int:
        """Requests left untouched for the practice's other integrations."""
        return math.ceil((self.limit or 0) * self.reserve_share)

    @property
    def end(self) -> float | None:
        """The moment the current window must have reset by; None when not known."""
        return None if self.anchor is None else self.anchor + self.seconds

    def mark(self) -> Mark:
        """What a request leaving now takes with it, to judge its answer by."""
        return Mark(self.epoch, self.lowest)

    def usable(self) -> int | None:
        """Requests we may still send in this window; None when not limited or not known."""
        if self.estimate is None:
            return None
        return self.estimate - self.reserve

    def count_send(self) -> None:
        """One request of ours left: it is not reflected in any answer yet."""
        if self.estimate is not None:
            self.estimate -= 1

    def count_unlimited(self) -> None:
        """An answer without this dimension's headers: its request did not count here."""
        if self.estimate is not None:
            self.estimate += 1

    def others_seen(self, in_flight: int) -> int:
        """What the others spent in this window: at least this (all of ours may have landed)."""
        if self.limit is None or self.lowest is None:
            return 0
        return max(0, self.limit - self.lowest - self.ours - in_flight)

    def others_rate(self, in_flight: int) -> float:
        """Requests a second the others spend: the faster of the last window and this one.

        This window's figure is what they had spent by the freshest answer, over the time
        from the window's latest possible start to the earliest moment that answer can
        reflect, so it errs high; a floor on that time keeps one early request from reading
        as a flood.
        """
        return max(self.others_last_rate, self._rate_in_window(in_flight))

    def _rate_in_window(self, in_flight: int) -> float:
        if self.anchor is None:
            return 0.0
        informed_at = self.anchor if self.info_sent is None else self.info_sent
        elapsed = max(informed_at - self.anchor, self.seconds * settings.RATE_SAMPLE_FLOOR_SHARE)
        return self.others_seen(in_flight) / elapsed

    def rolls_over_at(self) -> float | None:
        """When the estimate is forgotten and one probe may go out; None when not known.

        While some of our share is left, at the planned `end`: a probe that proves early
        only shows the window still open. Once it is spent, at the latest the window can
        reset (by the length's upper bound once two refills bound it): a probe that proved
        early would be throttled, and the planned length can be far too short (a lower
        bound of the time a burst took, grown by half).
        """
        usable = self.usable()
        upper = self.learnt.upper
        if self.anchor is None or usable is None or usable > 0 or upper is None:
            return self.end
        return self.anchor + max(upper, self.seconds)

    def roll_over(self, now: float, in_flight: int) -> None:
        """Forget the estimate once the window must have reset, so one probe may go out."""
        end = self.rolls_over_at()
        if end is not None and now >= end:
            self._close(in_flight)
            # the lowest is kept: an answer above it shows the reset, and when it came
            self.anchor = self.estimate = None
            self.epoch += 1

    def observe(
        self, limit: int, remaining: int, now: float, others_in_flight: int, sent_at: float,
        mark: Mark,
    ) -> None:
        """Take in a response's headers; ``others_in_flight`` are sends it cannot reflect,
        ``sent_at`` and ``mark`` when and with what knowledge its request left.

        A reset is certain when an answer shows more than the lowest remaining known when
        its request left: that request was admitted after the lowest one's. An answer to a
        request sent before the current window opened is left out unless it shows such a
        reset (then it counts in the current window); otherwise it is the old window's,
        and the estimate already counted it as in flight.
        """
        self.limit = limit
        self.last_seen = remaining
        newer = mark.lowest is not None and remaining > mark.lowest
        current = mark.epoch == self.epoch
        if mark.lowest is not None and not newer:
            self.learnt.still_open(sent_at)  # admitted in the window the lowest was seen in
        if not (current or newer):
            return
        if self.anchor is None or self.estimate is None or (newer and current):
            self._open(now, remaining - others_in_flight, newer, others_in_flight)
        self._count_answer(remaining, others_in_flight, sent_at)

    def _count_answer(self, remaining: int, others_in_flight: int, sent_at: float) -> None:
        """Count an answer of the current window in the estimate and the others' spending."""
        self.lowest = remaining if self.lowest is None else min(self.lowest, remaining)
        # The lowest answered reflects every request of ours admitted before it; counting
        # all those still out as not reflected errs low, and is exact once they are in.
        self.estimate = self.lowest - others_in_flight
        self.ours += 1
        self.info_sent = sent_at if self.info_sent is None else max(self.info_sent, sent_at)

    def _open(self, now: float, fresh: int, rose: bool, others_in_flight: int) -> None:
        """Start a new window at ``now``; a reset seen between two answers fixes the phase.

        An answer after a roll-over that shows no reset means the window is longer than
        planned: it goes on (its opening and counts kept) unless it should be over by now.
        """
        self.estimate = fresh
        if not rose and self._goes_on(now):
            return
        if rose:
            self._close(others_in_flight)
            self.epoch += 1  # the requests still out left in the old window
            # the reset came after the latest request answered in the old window left
            self.phase_error = None if self.info_sent is None else now - self.info_sent
            self.learnt.refilled(self.info_sent, now)
        self.learnt.first_answer(now)
        self.anchor = now
        self.lowest = None
        self.ours = 0

    def _goes_on(self, now: float) -> bool:
        """Take the window seen open as the one opened at the last refill, if it can be."""
        opened = self.learnt.opened
        if self.lowest is None or opened is None or opened.before + self.seconds <= now:
            return False
        self.anchor = opened.before
        self.epoch -= 1  # the roll-over was early: answers to requests sent before it count
        return True

    def _close(self, in_flight: int) -> None:
        """Remember how fast the others spent in the window that ends (once: a reset seen
        after a roll-over finds it closed already).

        A window that ended lasted its whole length: what the others spent in it is spread
        over that, not over the time since we saw it open. After a wait for a window's end,
        that time is a fraction of a second, and their spending read as a flood for which
        everything was kept back, window after window: one run sent a probe a window for
        minutes.
        """
        if self.anchor is not None:
            self.others_last_rate = self.others_seen(in_flight) / self.seconds

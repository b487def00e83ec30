"""`WindowLength`: how long a rate-limit window lasts, learned from the refills observed.

Spruce documents a 60-second window but sends no reset time; a simulator, a proxy or a
change at Spruce can make it shorter or longer. The limiter starts from the documented
length (the prior) and keeps two bounds that only the answers can move:

- a refill (remaining rising) seen between two answers happened after the request of the
  last answer of the old window left (``after``) and before the answer showing it arrived
  (``before``). Two refills ``k`` windows apart bound ``k`` lengths between them, so the
  gap from the first refill seen to the latest one narrows the length as windows pass;
  ``k`` is only ever counted low (for the upper bound) or high (for the lower one), so a
  window that passed unseen (an idle spell) never makes a bound wrong;
- an answer that shows no refill to a request that left ``s`` seconds after the window
  opened (at the latest) shows that the window lasts longer than ``s``.

The length planned by is the prior while both bounds allow it, else the nearest bound they
allow: an upper bound is a moment the window must have reset by, so pacing by it never
sends before the reset it waits for. A noisy neighbour only lowers remaining, so it cannot
fake a refill; if the evidence ever contradicts itself (the window changed), it is
forgotten and learnt again from the latest refill.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sources.spruce import settings


@dataclass(frozen=True)
class Refill:
    """When a refill happened: after ``after`` (None: unknown) and by ``before``."""

    after: float | None
    before: float


@dataclass
class WindowLength:
    """What is known of one dimension's window length: a prior, and bounds from answers."""

    prior: float
    lower: float = 0.0  # the window lasts longer than this
    upper: float | None = None  # ...and at most this (None: no two refills seen yet)
    opened: Refill | None = None  # the current window's opening (the first answer's, at first)
    reference: Refill | None = None  # the first refill seen with both ends known

    @property
    def seconds(self) -> float:
        """The length to plan by: the prior while the evidence allows it, else a guess
        past the lower bound, never past the upper one.

        Not the upper bound itself: two refills far apart (a neighbour holding the tail
        back, an idle spell) can leave it loose, and a plan by it paces as slowly; a plan
        that proves short costs one request that shows the window still open.
        """
        if self.lower < self.prior and (self.upper is None or self.prior <= self.upper):
            return self.prior
        guess = self.lower * settings.RATE_WINDOW_GROWTH
        if self.upper is None:
            return guess
        return min(self.upper, guess) if guess > 0 else self.upper

    @property
    def bounded(self) -> bool:
        """Whether two refills have been seen: the length is no longer searched for."""
        return self.upper is not None

    def earliest_reset(self) -> float | None:
        """The soonest the current window can reset; None while its opening is unknown."""
        if self.opened is None or self.opened.after is None:
            return None
        return self.opened.after + self.lower

    def first_answer(self, now: float) -> None:
        """The first answer: the window it shows opened by ``now`` (when, nobody says)."""
        if self.opened is None:
            self.opened = Refill(None, now)

    def refilled(self, after: float | None, before: float) -> None:
        """A refill seen between a request that left at ``after`` and an answer at ``before``."""
        refill = Refill(after, before)
        for earlier in (self.opened, self.reference):
            if earlier is not None and earlier.after is not None and after is not None:
                self._bound_between(earlier, refill)
        if self.reference is None and after is not None:
            self.reference = refill
        self.opened = refill

    def still_open(self, sent_at: float) -> None:
        """An answer shows the window had not reset when a request that left at ``sent_at``
        was admitted; the window opened by ``opened.before`` at the latest."""
        if self.opened is not None:
            self._raise_lower(sent_at - self.opened.before)

    def _bound_between(self, earlier: Refill, later: Refill) -> None:
        """``k`` whole windows lie between two refills: ``k`` lengths span at least
        ``shortest`` and at most ``longest``, for some ``k`` the current bounds allow."""
        assert earlier.after is not None and later.after is not None
        shortest, longest = later.after - earlier.before, later.before - earlier.after
        fewest = max(1, math.ceil(shortest / self.upper)) if self.upper else 1
        most = math.floor(longest / self.lower) if self.lower > 0 else None
        self._lower_upper(longest / fewest)
        if most is not None and most >= 1:
            self._raise_lower(shortest / most)

    def _raise_lower(self, candidate: float) -> None:
        if candidate <= self.lower:
            return
        if self.upper is not None and candidate > self.upper:
            self._forget()  # the window got longer: what was learnt no longer holds
        self.lower = candidate

    def _lower_upper(self, candidate: float) -> None:
        if self.upper is not None and candidate >= self.upper:
            return
        if candidate < self.lower:
            self._forget()  # the window got shorter
        self.upper = candidate

    def _forget(self) -> None:
        """Start learning again from the latest refill."""
        self.lower, self.upper = 0.0, None
        self.reference = self.opened if self.opened and self.opened.after is not None else None

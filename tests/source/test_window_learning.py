"""The limiter learns how long the rate window lasts from the refills it sees.

On a fake clock against the fixed-window model: Spruce documents 60 s (the prior), the
organization's window is shorter or longer, and nothing is configured.
"""

from __future__ import annotations

import math

import pytest

from sources.spruce.settings import DEFAULT_RESERVE_SHARE, RATE_WINDOW_S
from sources.spruce.window_length import WindowLength
from tests.source.budget_model import FakeClock, FixedWindowOrganization
from tests.source.limiter_sweep import one_run, unconfigured
from tests.source.test_throttle import spend

WINDOWS = 12  # windows' worth of requests in each run


@pytest.mark.parametrize(
    ("window", "limit", "reserve_share", "neighbour_share"),
    [(5.0, 60, 0.0, 0.0), (2.0, 30, 0.2, 0.0), (20.0, 40, 0.2, 0.0),
     (5.0, 30, 0.0, 0.0), (5.0, 20, 0.2, 0.2), (90.0, 60, 0.2, 0.0),
     (150.0, 20, 0.2, 0.0)],
)
# With round trips a burst takes time, and what it shows of the window's length (a lower
# bound of a fraction of a second) must not plan a probe that finds the budget spent.
@pytest.mark.parametrize("round_trip", [0.0, 0.002, 0.01])
# the run starts inside a window it did not see open
@pytest.mark.parametrize("into_window", [1.7, 3.0])
def test_the_window_is_learnt_whether_shorter_or_longer_than_documented(
    window: float, limit: int, reserve_share: float, neighbour_share: float, round_trip: float,
    into_window: float,
) -> None:
    clock = FakeClock(now=into_window)
    organization = FixedWindowOrganization(clock, limit, window, neighbour_share)
    budget = unconfigured(clock, reserve_share)
    ours = limit - math.floor(limit * neighbour_share) - math.ceil(limit * reserve_share)

    spend(budget, organization, requests=ours * WINDOWS, round_trip=round_trip)

    assert organization.refused == 0
    # round trips blur the refills' moments: the bounds close in more slowly with them
    assert budget.minute.seconds == pytest.approx(window, rel=0.05 if not round_trip else 0.1)
    # near the budget's own pace (a 5-s window paced by the prior takes ~10 times as long)
    assert clock.now - into_window <= 3 * WINDOWS * window


def test_windows_as_documented_keep_the_documented_length() -> None:
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit=60, window=RATE_WINDOW_S)
    budget = unconfigured(clock, reserve_share=0.0)

    spend(budget, organization, requests=59 * 4)

    assert budget.minute.seconds == RATE_WINDOW_S
    assert organization.refused == 0
    assert set(organization.per_window().values()) == {59}


# Phases into the window the run starts at, and send-to-admission times from none to slow.
PHASES = (0.05, 0.3, 0.6, 0.9)
ROUND_TRIPS = (0.0, 0.002, 0.01, 0.05, 0.2)


@pytest.mark.parametrize("limit", [20, 30, 60, 100, 300])
@pytest.mark.parametrize("neighbour_share", [0.1, 0.2, 1 / 3, 0.5])
def test_with_the_documented_window_and_default_reserve_nobody_is_throttled(
    limit: int, neighbour_share: float
) -> None:
    """What a run meets at Spruce as documented, beside another integration: neither ours
    nor the neighbour's requests are refused, whatever the phase and the latency.

    (With no reserve, the fake-clock model finds the neighbour refused now and then when it
    spends a third or more; with windows other than the documented one, ours too: the
    README's limits of the limiter.)
    """
    runs = {(phase, round_trip): one_run(RATE_WINDOW_S, limit, neighbour_share, round_trip,
                                         phase, DEFAULT_RESERVE_SHARE)
            for phase in PHASES for round_trip in ROUND_TRIPS}  # fmt: skip

    throttled = {case: run for case, run in runs.items() if run.ours_refused or run.neighbour_refused}
    assert throttled == {}


def test_the_prior_holds_until_two_refills_bound_the_length() -> None:
    length = WindowLength(prior=60.0)
    length.first_answer(0.0)
    length.refilled(after=3.0, before=4.0)  # could be a 60-s window opened before the run

    assert length.seconds == 60.0

    length.refilled(after=8.9, before=9.2)

    assert length.seconds == pytest.approx(6.2)  # refilled at most 9.2 - 3.0 apart


def test_an_idle_spell_of_several_windows_leaves_the_bounds_true() -> None:
    """Refills at 5, 10, 15, ... seen after the run paused for four windows: the gap spans
    several windows, and only whole numbers of windows the bounds allow are counted."""
    length = WindowLength(prior=60.0)
    for after, before in [(4.9, 5.05), (9.95, 10.1), (14.98, 15.02)]:
        length.refilled(after, before)
    length.refilled(after=15.1, before=31.0)  # refills at 20, 25, 30 went unseen
    length.refilled(after=34.99, before=35.01)

    assert length.lower < 5.0 <= length.upper  # type: ignore[operator]
    assert length.seconds == pytest.approx(5.0, rel=0.02)


def test_an_answer_showing_the_window_still_open_lengthens_it() -> None:
    length = WindowLength(prior=60.0)
    length.first_answer(0.0)

    length.still_open(sent_at=70.0)  # admitted 70 s after the window opened, in it

    assert length.seconds > 70.0
    assert not length.bounded

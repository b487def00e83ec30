"""The limiter against the fixed-window model over many organizations: who is throttled,
and how close to the budget's pace a run goes.

    .venv/bin/python -m tests.source.limiter_sweep      # ~15 s

Each row runs the unconfigured limiter (only the documented 60 s to go by) against
windows of one length, every limit, neighbour share, phase and round trip below, for eight
windows' worth of requests; utilisation is the run's time over the time its requests need
at what the neighbour leaves. It is a diagnostic for the limiter's known limits (README),
not a test: the tests hold the cases that must stay clean.
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass

from sources.spruce.settings import DEFAULT_RESERVE_SHARE
from sources.spruce.throttle import RateBudget
from tests.source.budget_model import FakeClock, FixedWindowOrganization
from tests.source.test_throttle import NOON, spend

WINDOWS = (2.0, 5.0, 10.0, 20.0, 60.0, 90.0)
LIMITS = (20, 30, 60, 100)
NEIGHBOUR_SHARES = (0.0, 0.2, 1 / 3, 0.5)
ROUND_TRIPS = (0.0, 0.002, 0.01, 0.05)
PHASES = (0.05, 0.3, 0.6, 0.9)
WINDOWS_OF_WORK = 8


@dataclass(frozen=True)
class SweepRun:
    ours_refused: int
    neighbour_refused: int
    utilisation: float


def unconfigured(clock: FakeClock, reserve_share: float) -> RateBudget:
    """A limiter as a run makes it: only the documented 60 s to go by."""
    return RateBudget(reserve_share=reserve_share, clock=clock, sleep=clock.sleep,
                      wall_clock=lambda: NOON)  # fmt: skip


def one_run(window: float, limit: int, neighbour_share: float, round_trip: float,
            phase: float, reserve_share: float) -> SweepRun:  # fmt: skip
    """Eight windows' worth of what the neighbour and the reserve leave, started ``phase``
    of a window in."""
    clock = FakeClock(now=phase * window)
    organization = FixedWindowOrganization(clock, limit, window, neighbour_share)
    budget = unconfigured(clock, reserve_share)
    available = limit - math.floor(limit * neighbour_share) - math.ceil(limit * reserve_share)
    requests = available * WINDOWS_OF_WORK
    spend(budget, organization, requests=requests, round_trip=round_trip)
    utilisation = (clock.now - phase * window) / (WINDOWS_OF_WORK * window)
    return SweepRun(organization.refused, organization.neighbour_refused, utilisation)


def row(window: float, reserve_share: float) -> str:
    runs = [one_run(window, *case, reserve_share=reserve_share)
            for case in itertools.product(LIMITS, NEIGHBOUR_SHARES, ROUND_TRIPS, PHASES)]  # fmt: skip
    ours = sum(1 for run in runs if run.ours_refused)
    neighbour = sum(1 for run in runs if run.neighbour_refused)
    utilisation = [run.utilisation for run in runs]
    return (f"| {window:g} | {reserve_share:g} | {len(runs)} | {ours} | {neighbour} |"
            f" {statistics.median(utilisation):.2f} | {max(utilisation):.1f} |")  # fmt: skip


def main() -> None:
    print("| window s | reserve | runs | ours refused in | neighbour refused in"
          " | utilisation median | worst |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for window in WINDOWS:
        for reserve_share in (0.0, DEFAULT_RESERVE_SHARE):
            print(row(window, reserve_share))


if __name__ == "__main__":
    main()

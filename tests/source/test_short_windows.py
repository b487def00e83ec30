"""Over HTTP: a simulator whose rate window is far shorter than Spruce's documented 60 s,
and a run configured with nothing about it. The limiter learns the window from the
refills it sees: no request is throttled, and the run is not paced by 60-s windows."""

from __future__ import annotations

import time

from pipelines.configuration.options import SyncOptions
from pipelines.runner.run import run_sync
from simulator import RateLimitSettings
from sources.spruce.settings import RATE_WINDOW_S
from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory

# A small sync (~220 requests) at 40 a 2-s window, 32 of them ours (the default reserve):
# seven windows or more, 14 s at the budget's pace; paced by the prior, six minutes.
SHORT_WINDOW = RateLimitSettings(limit=40, window_seconds=2.0)


def test_a_run_with_no_rate_configuration_follows_short_windows(
    simulator_factory: SimulatorFactory, duckdb_options: SyncOptions
) -> None:
    simulator = simulator_factory(rate_limit=SHORT_WINDOW)
    started = time.monotonic()

    summary = run_sync(duckdb_options, api_token=TEST_TOKEN, base_url=simulator.base_url)

    elapsed = time.monotonic() - started
    counters = simulator.counters()
    assert counters.throttled == 0 and summary.throttled == 0 and summary.retries == 0
    windows_of_budget = counters.total_requests / SHORT_WINDOW.limit
    assert windows_of_budget > 4, "the run must need several windows"
    # With the prior's 60 s every window after the first costs a minute: the run must have
    # finished before the second one (a margin of several times the learnt pace).
    assert elapsed < RATE_WINDOW_S

"""Rows 1-5, 7 and 8: throttling, server errors, dropped connections and bad bodies.

Each fault is injected by the simulator over real HTTP; the run is judged by the
warehouse (equals the ground truth, or untouched) and by what the simulator saw. Runs
whose requests fail on purpose wait ``FAST_RETRIES`` between attempts (the production
backoff would sleep 15 s for six attempts); where the waits themselves are the point,
they are chosen so that a wrong wait cannot pass for a right one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from pipelines.runner.failures import ExitCode, classify
from simulator import FaultKind, RateLimitSettings
from sources.spruce.exceptions import SpruceUnavailable
from sources.spruce.settings import RETRY_ATTEMPTS, RETRY_JITTER_S
from tests.fixtures.destinations import DESTINATIONS
from tests.fixtures.retries import FAST_RETRIES
from tests.reliability.conftest import StartSimulator, SyncHarness, schedule
from tests.reliability.request_log import LoggedRequest
from tests.reliability.warehouse import row_counts

# The simulator's Retry-After (simulator.settings.RETRY_AFTER_SECONDS).
RETRY_AFTER_S = 1.0
# The first backoff of row 2: its doublings (0.2, 0.4, 0.8 s) outgrow the source's jitter
# (up to 0.5 s), so a backoff that stopped doubling fails the third bound.
BACKOFF_INITIAL = timedelta(seconds=0.2)
# Small pages, so that a listing has several pages for a fault to land between.
SMALL_PAGES = {"ListConversations": 5, "ConversationItems": 20, "ListContacts": 10}
# Every retriable fault, each of which a run must survive when it is brief.
TRANSIENT_FAULTS: list[FaultKind] = ["500", "502", "503", "504", "disconnect", "truncated-json", "html"]


def retries_of(requests: list[LoggedRequest], failed: Callable[[int], bool]) -> list[float]:
    """Seconds between each failed request and the next request to the same URL."""
    gaps = []
    for index, entry in enumerate(requests):
        later = [r for r in requests[index + 1 :] if (r.path, r.query) == (entry.path, entry.query)]
        if failed(entry.status) and later:
            gaps.append(later[0].started - entry.finished)
    return gaps


def test_row1_429_with_retry_after_is_waited_for(harness: SyncHarness) -> None:
    harness.simulator.set_faults(schedule("429", "ListConversations", 2))

    # A backoff far shorter than Retry-After: only honouring the header waits a second.
    summary = harness.run(**FAST_RETRIES)

    waits = retries_of(harness.simulator.request_log.to_path("/conversations"), lambda s: s == 429)
    assert len(waits) == 2 and min(waits) >= RETRY_AFTER_S
    assert summary.retries == 2
    assert harness.differences() == []


@pytest.mark.parametrize("fault", ["429-no-retry-after", "503"])
def test_row2_throttling_without_retry_after_backs_off_exponentially(
    harness: SyncHarness, fault: FaultKind
) -> None:
    harness.simulator.set_faults(schedule(fault, "ListConversations", 3))

    harness.run(retry_initial_wait=BACKOFF_INITIAL)

    log = harness.simulator.request_log.to_path("/conversations")
    waits = retries_of(log, lambda status: status in (429, 503))
    # wait_exponential_jitter: initial * 2**n plus up to the jitter; the lower bounds hold.
    initial = BACKOFF_INITIAL.total_seconds()
    assert initial * 2**2 > initial + RETRY_JITTER_S, "the jitter could hide a flat backoff"
    assert [w >= initial * 2**n for n, w in enumerate(waits)] == [True] * 3, waits
    assert harness.differences() == []


@pytest.mark.parametrize("neighbour_share", [0.0, 0.4])
def test_row3_the_budget_is_never_overdrawn(
    start_simulator: StartSimulator, harness: SyncHarness, neighbour_share: float
) -> None:
    # A tiny sync (~30 requests) at 12 a window spans several windows; a window longer
    # than 1 s (the bar test in tests/source uses 1 s too) would only lengthen the waits.
    limit = RateLimitSettings(limit=12, window_seconds=1.0, noisy_neighbour_share=neighbour_share)
    harness.simulator = start_simulator(rate_limit=limit)

    harness.run(rate_window=timedelta(seconds=limit.window_seconds))

    counters = harness.simulator.counters()
    assert counters.throttled == 0, "a request was sent while the budget was 0"
    assert counters.total_requests > limit.limit, "the run must span several windows"
    assert harness.differences() == []


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
def test_row4_7_8_a_brief_fault_is_retried_and_changes_nothing(
    harness: SyncHarness, fault: FaultKind
) -> None:
    """Rows 4 (5xx burst), 7 (reset mid-body) and 8 (truncated JSON, HTML with a 200)."""
    harness.simulator.set_faults(schedule(fault, "ConversationItems", 2))

    summary = harness.run(page_sizes=SMALL_PAGES, **FAST_RETRIES)

    assert summary.retries == 2
    assert harness.simulator.counters().faults_injected == {fault: 2}
    assert harness.differences() == []


@pytest.mark.parametrize("destination", DESTINATIONS, indirect=True)
def test_row5_a_5xx_outage_fails_clearly_and_commits_nothing(harness: SyncHarness) -> None:
    harness.run()
    states, loads, counts = harness.stored_states(), harness.load_ids(), row_counts(harness.warehouse)
    harness.simulator.advance({"new_items": 5, "new_conversations": 2})
    harness.simulator.set_faults(schedule("503", "ListConversations", RETRY_ATTEMPTS))

    error = harness.fail(**FAST_RETRIES)

    assert isinstance(error, SpruceUnavailable) and f"after {RETRY_ATTEMPTS} attempts" in str(error)
    assert harness.simulator.counters().by_status[503] == RETRY_ATTEMPTS
    assert classify(error)[0] == ExitCode.API_UNAVAILABLE
    assert (harness.stored_states(), harness.load_ids()) == (states, loads)
    assert row_counts(harness.warehouse) == counts
    harness.run()
    assert harness.differences() == []


@pytest.mark.parametrize("fault", ["truncated-json", "html"])
def test_row8_a_body_that_stays_bad_is_a_failure_never_a_last_page(
    harness: SyncHarness, fault: FaultKind
) -> None:
    harness.simulator.set_faults(schedule(fault, "ListConversations", RETRY_ATTEMPTS))

    error = harness.fail(**FAST_RETRIES)

    assert isinstance(error, SpruceUnavailable) and "not a JSON object" in str(error)
    assert f"after {RETRY_ATTEMPTS} attempts" in str(error)
    assert harness.load_ids() == []


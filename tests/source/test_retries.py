"""The fetcher's retries over real HTTP with a sleep that only records: which failures are
retried, how long each wait is, how many attempts are made, and when it gives up.

The simulator answers the scheduled faults; the client's ``sleep`` records the waits
instead of sleeping them, so that the production backoff (0.5 s doubling, six attempts)
is checked to the millisecond in no time. A policy without jitter makes the waits exact;
the default policy's jitter is checked by its bounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from simulator import FaultKind, FaultSchedule, FaultSettings, Simulator
from sources.spruce.client import SpruceClient
from sources.spruce.exceptions import SpruceApiError, SpruceUnavailable
from sources.spruce.retries import DEFAULT_RETRY_POLICY, RetryPolicy
from sources.spruce.stats import RunStats
from sources.spruce.throttle import RateBudget
from tests.fixtures.retries import RecordingSleep
from tests.fixtures.simulator import TEST_TOKEN

# The production policy without its jitter: every wait is exact.
EXACT = replace(DEFAULT_RETRY_POLICY, jitter_s=0.0)
DOUBLING = [EXACT.initial_wait_s * 2**n for n in range(EXACT.attempts - 1)]
# Retriable failures: 5xx, 429 without Retry-After, a cut connection, a bad 200 body.
RETRIED: list[FaultKind] = ["500", "503", "429-no-retry-after", "disconnect", "truncated-json"]


class Fetcher:
    """A client of the test's simulator with a recording sleep; ``get`` one object."""

    def __init__(self, simulator: Simulator, policy: RetryPolicy) -> None:
        self.simulator = simulator
        self.policy = policy
        self.sleep = RecordingSleep()
        self.stats = RunStats()
        self.client = SpruceClient(TEST_TOKEN, simulator.base_url, RateBudget(), self.stats,
                                   retry=policy, sleep=self.sleep)  # fmt: skip

    def fail_next(self, fault: FaultKind, count: int) -> None:
        schedule = FaultSchedule(fault, count, "Organization")
        self.simulator.set_faults(FaultSettings(schedules=(schedule,)))

    def get(self, path: str = "/organization") -> dict[str, object]:
        return self.client.get(path, {}, "organization")

    def attempts(self) -> int:
        return self.simulator.counters().total_requests


@pytest.fixture
def fetcher(simulator: Simulator, request: pytest.FixtureRequest) -> Iterator[Fetcher]:
    """A fetcher with the policy the test parametrizes (default: ``EXACT``)."""
    fetcher = Fetcher(simulator, getattr(request, "param", EXACT))
    yield fetcher
    fetcher.client.close()


@pytest.mark.parametrize("fault", RETRIED)
def test_a_retriable_failure_is_retried_after_doubling_waits(
    fetcher: Fetcher, fault: FaultKind
) -> None:
    fetcher.fail_next(fault, 3)

    body = fetcher.get()

    assert "organization" in body
    assert fetcher.sleep.waits == DOUBLING[:3]
    assert (fetcher.attempts(), fetcher.stats.retries) == (4, 3)


def test_a_request_that_keeps_failing_gives_up_after_the_attempts(fetcher: Fetcher) -> None:
    fetcher.fail_next("503", EXACT.attempts + 1)

    with pytest.raises(SpruceUnavailable, match=f"after {EXACT.attempts} attempts"):
        fetcher.get()

    assert fetcher.sleep.waits == DOUBLING
    assert fetcher.attempts() == EXACT.attempts


@pytest.mark.parametrize(
    "fetcher", [replace(EXACT, max_wait_s=1.5), replace(EXACT, attempts=3)], indirect=True,
    ids=["max_wait", "attempts"],
)  # fmt: skip
def test_the_policy_caps_the_waits_and_the_attempts(fetcher: Fetcher) -> None:
    policy = fetcher.policy
    fetcher.fail_next("500", policy.attempts + 1)

    with pytest.raises(SpruceUnavailable, match=f"after {policy.attempts} attempts"):
        fetcher.get()

    assert fetcher.sleep.waits == [min(wait, policy.max_wait_s) for wait in DOUBLING][
        : policy.attempts - 1
    ]
    assert fetcher.attempts() == policy.attempts


def test_retry_after_is_waited_for_instead_of_the_backoff(fetcher: Fetcher) -> None:
    fetcher.fail_next("429", 2)

    fetcher.get()

    assert fetcher.sleep.waits == [1.0, 1.0]  # the simulator's Retry-After, twice


@pytest.mark.parametrize("fetcher", [DEFAULT_RETRY_POLICY], indirect=True, ids=["default"])
def test_the_default_policy_adds_at_most_its_jitter_to_each_doubling(fetcher: Fetcher) -> None:
    fetcher.fail_next("502", 4)

    fetcher.get()

    jitter = DEFAULT_RETRY_POLICY.jitter_s
    assert len(fetcher.sleep.waits) == 4
    for wait, floor in zip(fetcher.sleep.waits, DOUBLING):
        assert floor <= wait <= floor + jitter


@pytest.mark.parametrize(
    ("path", "status"), [("/organization", 400), ("/contacts/entity_none", 404)]
)
def test_an_error_that_retrying_cannot_fix_is_not_retried(
    fetcher: Fetcher, path: str, status: int
) -> None:
    fetcher.fail_next("leak-error", 1)  # a 400 on /organization; /contacts/... is a 404

    with pytest.raises(SpruceApiError) as failure:
        fetcher.get(path)

    assert failure.value.status == status
    assert fetcher.sleep.waits == [] and fetcher.attempts() == 1

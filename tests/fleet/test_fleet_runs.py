"""The fleet's bar, in-process: five organizations over real HTTP, each partition
materialized by Dagster into its own DuckDB file.

One organization's token is revoked (it fails alone, not retried), one's daily budget runs
out (Dagster retries it after resume_at and it completes), one meets 5xx bursts (the
client's retries absorb them); every organization's tables equal its own ground truth, and
a second materialization of the unchanged fleet makes only a no-change run's requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from pipelines.fleet.ground_truth import truth_differences
from pipelines.runner.failures import ExitCode
from simulator import FaultSettings, RateLimitSettings, SimulatorSettings, seeded_fleet
from tests.fleet.conftest import RunningFleet

STEP = "spruce_organization_sync"
REVOKED, SPENT, FLAKY = "clinic-02", "clinic-03", "clinic-04"
# A tiny first sync makes about 30 requests, in one window (nothing commits before its
# end): another integration has spent 50 of the day's 60 when it starts, so it stops at
# once, and the retry after resume_at has a whole day (4 s here) for the whole sync.
DAILY_LIMIT = 60
SPENT_BY_OTHERS = 50
DAILY_WINDOW = "4s"


def five_organizations() -> dict[str, SimulatorSettings]:
    organizations = seeded_fleet(5, "tiny")
    daily = RateLimitSettings(limit=1_000_000, daily_limit=DAILY_LIMIT, daily_window_seconds=4.0)
    bursts = FaultSettings(seed=4, probabilities={"*": {"503": 0.15, "502": 0.05}})
    organizations[SPENT] = replace(organizations[SPENT], rate_limit=daily)
    organizations[FLAKY] = replace(organizations[FLAKY], faults=bursts)
    return organizations


@pytest.fixture
def five(serve_fleet: Callable[..., RunningFleet]) -> RunningFleet:
    running = serve_fleet(five_organizations(), {"daily_rate_window": DAILY_WINDOW})
    running.simulator.organization(REVOKED).revoke_tokens()
    return running


def failure_metadata(result: object) -> dict[str, object]:
    failure = result.get_step_failure_events()[-1].step_failure_data  # type: ignore[attr-defined]
    return {key: value.value for key, value in failure.user_failure_data.metadata.items()}


def equals_ground_truth(running: RunningFleet, slug: str) -> dict[str, int]:
    options = running.fleet.organization(slug).options
    truth = running.simulator.organization(slug).ground_truth()
    return truth_differences(Path(str(options.duckdb_path)), options.dataset_name, truth)


def test_each_organization_loads_its_own_data_and_one_revoked_token_fails_alone(
    five: RunningFleet,
) -> None:
    results = {slug: five.materialize(slug) for slug in five.simulator.slugs}
    assert [slug for slug, result in results.items() if not result.success] == [REVOKED]
    assert failure_metadata(results[REVOKED])["exit_code"] == int(ExitCode.AUTH)
    assert results[REVOKED].retry_attempts_for_node(STEP) == 0  # not retried
    for slug in five.simulator.slugs:
        if slug != REVOKED:
            assert not any(equals_ground_truth(five, slug).values()), slug


def spend_daily_budget(running: RunningFleet, slug: str, requests: int) -> None:
    """Another integration of ``slug`` spends ``requests`` of its day."""
    token = running.simulator.organization(slug).token
    with httpx.Client(base_url=running.base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(requests):
            client.get("/organization").raise_for_status()


def test_a_spent_daily_budget_is_retried_after_resume_at_and_completes(five: RunningFleet) -> None:
    spend_daily_budget(five, SPENT, SPENT_BY_OTHERS)
    result = five.materialize(SPENT)
    assert result.success
    assert result.retry_attempts_for_node(STEP) == 1
    assert five.simulator.organization(SPENT).counters().throttled == 0
    assert not any(equals_ground_truth(five, SPENT).values())


def test_fleet_run_does_not_wait_for_a_spent_budget_and_says_when_to_resume(
    five: RunningFleet,
) -> None:
    spend_daily_budget(five, SPENT, SPENT_BY_OTHERS)
    result = five.materialize(SPENT, wait_for_budget=False)
    metadata = failure_metadata(result)
    assert metadata["exit_code"] == int(ExitCode.RATE_BUDGET)
    assert "resume_at" in metadata
    assert result.retry_attempts_for_node(STEP) == 0


def test_5xx_bursts_are_absorbed(five: RunningFleet) -> None:
    result = five.materialize(FLAKY)
    assert result.success
    counters = five.simulator.organization(FLAKY).counters()
    assert counters.by_status.get(503, 0) + counters.by_status.get(502, 0) > 0
    assert not any(equals_ground_truth(five, FLAKY).values())


def test_no_token_lands_in_any_file_of_the_fleet(five: RunningFleet, tmp_path: Path) -> None:
    for slug in five.simulator.slugs:
        five.materialize(slug)
    tokens = [five.simulator.organization(slug).token.encode() for slug in five.simulator.slugs]
    for path in (p for p in tmp_path.rglob("*") if p.is_file() and p.name != "secrets.toml"):
        content = path.read_bytes()
        assert not any(token in content for token in tokens), path


def test_a_second_materialization_of_an_unchanged_fleet_makes_only_no_change_requests(
    serve_fleet: Callable[..., RunningFleet],
) -> None:
    running = serve_fleet(seeded_fleet(2, "tiny"))
    for slug in running.simulator.slugs:
        assert running.materialize(slug).success
    first = {slug: running.simulator.organization(slug).counters() for slug in running.simulator.slugs}
    for slug in running.simulator.slugs:
        running.simulator.organization(slug).reset_counters()
        assert running.materialize(slug).success
        second = running.simulator.organization(slug).counters()
        assert second.total_requests < first[slug].total_requests
        # a no-change run: no item listing but the lookback's, every other listing one page
        assert all(count == 1 for operation, count in second.by_operation.items()
                   if operation != "ListConversationItems"), second.by_operation

"""The rest_api baseline is a fair competitor: it pages Spruce the way Spruce requires."""

from __future__ import annotations

from pathlib import Path

import pytest
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.client import RESTClient

from benchmarks.baseline import INITIAL_START_FROM, SpruceTokenPaginator, run_baseline
from benchmarks.settings import BENCH_TOKEN, ROOT_TABLES
from benchmarks.warehouse import row_counts
from simulator import FaultSettings
from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory


def test_start_from_goes_on_the_first_page_only(simulator_factory: SimulatorFactory) -> None:
    simulator = simulator_factory(scale="tiny")
    client = RESTClient(simulator.base_url, auth=BearerTokenAuth(TEST_TOKEN))
    params = {"pageSize": 5, "orderBy": "last_message", "startFrom": INITIAL_START_FROM}
    pages = list(
        client.paginate("/conversations", params=params, paginator=SpruceTokenPaginator(),
                        data_selector="conversations")
    )  # fmt: skip
    listed = [conversation["id"] for page in pages for conversation in page]
    expected = [conversation["id"] for conversation in simulator.ground_truth()["conversations"]]
    assert len(pages) > 1
    assert sorted(listed) == sorted(expected)
    assert simulator.counters().bad_requests == 0


# dlt's extract pool has 5 workers (``extract.workers``), which the baseline leaves alone.
@pytest.mark.parametrize(("parallelized", "in_flight"), [(True, range(2, 6)), (False, range(1, 2))])
def test_the_parallelized_baseline_fetches_items_of_several_conversations_at_once(
    simulator_factory: SimulatorFactory, tmp_path: Path, parallelized: bool, in_flight: range
) -> None:
    """With latency on every answer, the deferred item listings overlap; the sequential
    configuration never has two requests out. Both load every record of the listings."""
    latency = FaultSettings(latency_seconds=0.05)
    simulator = simulator_factory(scale="tiny", tokens=(BENCH_TOKEN,), faults=latency)
    duckdb_path = tmp_path / "baseline.duckdb"
    run_baseline(simulator.base_url, BENCH_TOKEN, duckdb_path, tmp_path / "dlt", parallelized)
    assert simulator.counters().peak_concurrency in in_flight
    truth = simulator.ground_truth()
    loaded = row_counts(duckdb_path)
    assert [loaded[table] for table in ROOT_TABLES] == [len(truth[table]) for table in ROOT_TABLES]

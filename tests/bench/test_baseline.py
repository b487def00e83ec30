"""The rest_api baseline is a fair competitor: it pages Spruce the way Spruce requires."""

from __future__ import annotations

from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.client import RESTClient

from benchmarks.baseline import INITIAL_START_FROM, SpruceTokenPaginator
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

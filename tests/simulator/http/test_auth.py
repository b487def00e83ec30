"""Bearer tokens: every configured token is the organization, anything else is a 403."""

from __future__ import annotations

import httpx
import pytest

from simulator import FaultSettings, Simulator
from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory
from tests.simulator.http.wire import api_client, assert_spruce_error, bearer

PATHS = ["/contacts", "/conversations?orderBy=created", "/organization", "/no/such/path",
         "/contacts/entity_unknown"]  # fmt: skip
BAD_HEADERS = [
    pytest.param({}, id="missing"),
    pytest.param(bearer("wrong-token"), id="wrong-token"),
    pytest.param({"Authorization": f"Basic {TEST_TOKEN}"}, id="wrong-scheme"),
    pytest.param({"Authorization": "Bearer"}, id="empty-token"),
]


@pytest.mark.parametrize("headers", BAD_HEADERS)
@pytest.mark.parametrize("path", PATHS)
def test_a_bad_token_is_refused_on_every_path(
    simulator: Simulator, path: str, headers: dict[str, str]
) -> None:
    response = httpx.get(simulator.base_url + path, headers=headers)
    assert_spruce_error(response, 403, "token")


def test_the_search_operation_is_guarded_too(simulator: Simulator) -> None:
    response = httpx.post(simulator.base_url + "/contacts/search", json={})
    assert_spruce_error(response, 403)


def test_every_configured_token_reads_the_same_organization(
    simulator_factory: SimulatorFactory,
) -> None:
    simulator = simulator_factory(tokens=("first", "second"))
    bodies = []
    for token in ("first", "second"):
        with api_client(simulator, token) as client:
            bodies.append(client.get("/contacts", params={"pageSize": 5}).json()["contacts"])
    assert bodies[0] == bodies[1] and bodies[0]


def test_a_token_is_revoked_after_its_allowed_requests(simulator_factory: SimulatorFactory) -> None:
    faults = FaultSettings(revoke_after=3, revoke_token="doomed")
    simulator = simulator_factory(tokens=("doomed", "other"), faults=faults)
    with api_client(simulator, "doomed") as doomed, api_client(simulator, "other") as other:
        statuses = [doomed.get("/organization").status_code for _ in range(5)]
        assert other.get("/organization").status_code == 200
    assert statuses == [200, 200, 200, 403, 403]


def test_an_unknown_path_with_a_good_token_is_a_404(simulator: Simulator) -> None:
    with api_client(simulator) as client:
        assert_spruce_error(client.get("/no/such/path"), 404, "/v1/no/such/path")

"""Faults on demand: scheduled and seeded-random failures, broken bodies, paging bugs."""

from __future__ import annotations

import concurrent.futures

import httpx
import orjson
import pytest

from simulator import FaultKind, FaultSchedule, FaultSettings, Simulator
from simulator.contract import ListQuery, Page
from simulator.organization import SimulatedOrganization
from tests.fixtures.simulator import TEST_SETTINGS, SimulatorFactory
from tests.simulator.http.wire import api_client, assert_spruce_error

CONTACTS = "/contacts"
PATIENT = "Jane Roe (206) 555-0100"
PAGE = {"pageSize": 3}


def scheduled(
    simulator: Simulator, fault: FaultKind, count: int = 1, operation: str = "*"
) -> None:
    schedule = FaultSchedule(fault=fault, count=count, operation=operation)
    simulator.set_faults(FaultSettings(schedules=(schedule,)))


def next_token(client: httpx.Client) -> str:
    return str(client.get(CONTACTS, params=PAGE).json()["paginationToken"])


@pytest.mark.parametrize(
    ("fault", "status", "retry_after"),
    [("500", 500, False), ("502", 502, False), ("503", 503, False), ("504", 504, False),
     ("429", 429, True), ("429-no-retry-after", 429, False)],
)  # fmt: skip
def test_the_next_requests_to_an_operation_fail_with_the_scheduled_status(
    simulator: Simulator, fault: FaultKind, status: int, retry_after: bool
) -> None:
    scheduled(simulator, fault, count=2, operation="ListContacts")
    with api_client(simulator) as client:
        assert client.get("/organization").status_code == 200  # another operation
        failed = [client.get(CONTACTS, params=PAGE) for _ in range(2)]
        assert client.get(CONTACTS, params=PAGE).status_code == 200
    for response in failed:
        assert_spruce_error(response, status)
        assert ("retry-after" in response.headers) is retry_after
    assert simulator.counters().faults_injected == {fault: 2}


def test_a_connection_closed_mid_response_breaks_the_read(simulator: Simulator) -> None:
    scheduled(simulator, "disconnect")
    with api_client(simulator) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(CONTACTS, params=PAGE)
        assert client.get(CONTACTS, params=PAGE).status_code == 200


def test_a_truncated_body_is_a_200_that_is_not_json(simulator: Simulator) -> None:
    scheduled(simulator, "truncated-json")
    with api_client(simulator) as client:
        response = client.get(CONTACTS, params=PAGE)
    assert response.status_code == 200
    assert response.content.startswith(b'{"contacts":')
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.content)


def test_an_html_page_can_come_back_with_a_200(simulator: Simulator) -> None:
    scheduled(simulator, "html")
    with api_client(simulator) as client:
        response = client.get(CONTACTS, params=PAGE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


def test_an_expired_token_fault_spares_first_pages(simulator: Simulator) -> None:
    scheduled(simulator, "expired-token")
    with api_client(simulator) as client:
        token = next_token(client)  # a first page carries no token: not eligible
        refused = client.get(CONTACTS, params={**PAGE, "paginationToken": token})
        accepted = client.get(CONTACTS, params={**PAGE, "paginationToken": token})
    assert_spruce_error(refused, 400, "expired")
    assert accepted.status_code == 200


def test_a_paging_bug_returns_the_same_token_twice(simulator: Simulator) -> None:
    scheduled(simulator, "repeat-token")
    with api_client(simulator) as client:
        token = next_token(client)
        body = client.get(CONTACTS, params={**PAGE, "paginationToken": token}).json()
    assert body["paginationToken"] == token


def test_a_paging_bug_says_has_more_without_a_token(simulator: Simulator) -> None:
    scheduled(simulator, "has-more-without-token")
    with api_client(simulator) as client:
        body = client.get("/contacts/tags", params={"pageSize": 500}).json()
    assert body["hasMore"] is True
    assert "paginationToken" not in body


def test_an_error_can_echo_patient_data_for_leak_tests(simulator: Simulator) -> None:
    scheduled(simulator, "leak-error")
    with api_client(simulator) as client:
        response = client.get("/organization")
        contact = client.get(CONTACTS, params={"pageSize": 1}).json()["contacts"][0]
    assert_spruce_error(response, 400, contact["displayName"])


def test_random_faults_repeat_with_their_seed(simulator_factory: SimulatorFactory) -> None:
    faults = FaultSettings(seed=11, probabilities={"ListContacts": {"503": 0.5}})
    runs = []
    for _ in range(2):
        simulator = simulator_factory(faults=faults)
        with api_client(simulator) as client:
            runs.append([client.get(CONTACTS, params=PAGE).status_code for _ in range(20)])
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 503}


def test_a_probability_applies_to_its_operation_only(simulator: Simulator) -> None:
    simulator.set_faults(FaultSettings(probabilities={"ListContacts": {"500": 1.0}}))
    with api_client(simulator) as client:
        assert client.get(CONTACTS).status_code == 500
        assert client.get("/organization").status_code == 200


def test_added_latency_holds_requests_in_flight(simulator: Simulator) -> None:
    simulator.set_faults(FaultSettings(latency_seconds=0.3, jitter_seconds=0.05))
    with api_client(simulator) as client, concurrent.futures.ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: client.get("/organization").status_code, range(4)))
    assert statuses == [200] * 4
    assert simulator.counters().peak_concurrency >= 2


class _FailingOrganization(SimulatedOrganization):
    """The real organization, with a bug whose message carries patient data."""

    def list_page(self, query: ListQuery) -> Page:
        raise RuntimeError(PATIENT)


def test_a_simulator_bug_is_a_spruce_500_that_leaks_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator = Simulator(TEST_SETTINGS, organization=_FailingOrganization(7, "tiny"))
    with simulator.running(), api_client(simulator) as client:
        response = client.get(CONTACTS)
    assert_spruce_error(response, 500)
    assert "Jane" not in response.text
    assert "RuntimeError" in caplog.text and "Jane" not in caplog.text

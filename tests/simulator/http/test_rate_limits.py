"""Rate limits as Spruce describes them: one budget per organization, told in headers on
every response, a default budget when none is configured."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import simulator as simulator_package
from simulator import DEFAULT_RATE_LIMIT, FaultKind, FaultSettings, RateLimitSettings, Simulator
from simulator.cli import simulator_app
from simulator.settings import ExhaustedStatus
from tests.fixtures.simulator import SimulatorFactory
from tests.simulator.http.test_faults import scheduled
from tests.simulator.http.wire import admin_client, api_client, assert_spruce_error

# Short windows keep the suite fast; a window only has to outlast a handful of requests.
SHORT_WINDOW = 1.0
DAILY_HEADERS = ("s-ratelimit-daily-limit", "s-ratelimit-daily-remaining")
DEFAULT_LIMIT = str(DEFAULT_RATE_LIMIT.limit)
SERVER_ERRORS: tuple[FaultKind, ...] = ("500", "502", "503", "504")
# (what is asked, the fault injected on it, the status answered): every kind of answer.
RESPONSE_KINDS: dict[str, tuple[str, str, FaultKind | None, int]] = {
    "200 list": ("GET", "/contacts", None, 200),
    "200 search": ("POST", "/contacts/search", None, 200),
    "200 object": ("GET", "/organization", None, 200),
    "200 html": ("GET", "/organization", "html", 200),
    "400": ("GET", "/conversations", None, 400),  # orderBy missing
    "404 unknown id": ("GET", "/contacts/entity_none", None, 404),
    "404 unknown path": ("GET", "/no/such/path", None, 404),
    "429": ("GET", "/organization", "429", 429),
    "429 without Retry-After": ("GET", "/organization", "429-no-retry-after", 429),
    **{f"{status} fault": ("GET", "/organization", status, int(status))
       for status in SERVER_ERRORS},
}  # fmt: skip


# A window longer than any test here, unless a test shortens it.
LIMIT = RateLimitSettings(limit=5, window_seconds=30.0)


def limited(simulator_factory: SimulatorFactory, **overrides: Any) -> Simulator:
    """A simulator whose rate limit is ``LIMIT`` with ``overrides`` (its fields)."""
    return simulator_factory(rate_limit=replace(LIMIT, **overrides))


@pytest.mark.parametrize("path", ["/organization", "/contacts?pageSize=0", "/no/such/path"])
def test_every_response_reports_the_window(simulator_factory: SimulatorFactory, path: str) -> None:
    simulator = limited(simulator_factory, limit=7)
    with api_client(simulator) as client:
        remaining = [int(client.get(path).headers["s-ratelimit-remaining"]) for _ in range(3)]
        assert client.get(path).headers["s-ratelimit-limit"] == "7"
    assert remaining == [6, 5, 4]


@pytest.fixture
def faultless(served: Simulator) -> Iterator[Simulator]:
    """The module's simulator, its faults switched off again after the test."""
    yield served
    served.set_faults(FaultSettings())


@pytest.mark.parametrize("kind", RESPONSE_KINDS)
def test_without_a_configured_limit_every_answer_reports_the_default_budget(
    faultless: Simulator, client: httpx.Client, kind: str
) -> None:
    method, path, fault, status = RESPONSE_KINDS[kind]
    before = int(client.get("/organization").headers["s-ratelimit-remaining"])
    if fault is not None:
        scheduled(faultless, fault)
    response = client.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == status
    assert response.headers["s-ratelimit-limit"] == DEFAULT_LIMIT
    assert int(response.headers["s-ratelimit-remaining"]) == before - 1
    assert not set(DAILY_HEADERS) & set(response.headers)


def test_the_default_budget_is_the_documented_one(client: httpx.Client) -> None:
    documented = f"{DEFAULT_RATE_LIMIT.limit:,}"
    output = CliRunner().invoke(simulator_app, ["serve", "--help"]).output
    serve_help = " ".join(output.replace("│", " ").split())  # rich boxes the wrapped help
    assert f"{documented} requests a minute and no daily window" in " ".join(
        (simulator_package.__doc__ or "").split()
    )
    assert f"{documented} a minute" in serve_help
    assert (DEFAULT_RATE_LIMIT.window_seconds, DEFAULT_RATE_LIMIT.daily_limit) == (60.0, None)
    assert client.get("/organization").headers["s-ratelimit-limit"] == DEFAULT_LIMIT


def test_the_admin_api_neither_reports_nor_spends_the_budget(
    served: Simulator, client: httpx.Client
) -> None:
    with admin_client(served) as admin:
        before = int(client.get("/organization").headers["s-ratelimit-remaining"])
        answers = [admin.get("/counters"), admin.put("/faults", json={})]
        after = int(client.get("/organization").headers["s-ratelimit-remaining"])
    assert [name for answer in answers for name in answer.headers if "ratelimit" in name] == []
    assert after == before - 1


@pytest.mark.parametrize(
    ("status", "retry_after"), [(429, True), (429, False), (503, True), (503, False)]
)
def test_an_exhausted_budget_answers_the_configured_status(
    simulator_factory: SimulatorFactory, status: ExhaustedStatus, retry_after: bool
) -> None:
    simulator = limited(
        simulator_factory, limit=2, exhausted_status=status, retry_after=retry_after
    )
    with api_client(simulator) as client:
        assert [client.get("/organization").status_code for _ in range(2)] == [200, 200]
        refused = client.get("/organization")
    assert_spruce_error(refused, status, "rate limit")
    assert (refused.headers["s-ratelimit-limit"], refused.headers["s-ratelimit-remaining"]) == (
        "2", "0"
    )  # fmt: skip
    assert ("retry-after" in refused.headers) is retry_after
    assert simulator.counters().throttled == 1


def test_all_tokens_share_the_organizations_budget(simulator_factory: SimulatorFactory) -> None:
    simulator = simulator_factory(
        tokens=("ehr", "billing"), rate_limit=RateLimitSettings(limit=4, window_seconds=30.0)
    )
    with api_client(simulator, "ehr") as ehr, api_client(simulator, "billing") as billing:
        ehr.get("/organization"), ehr.get("/organization"), ehr.get("/organization")
        assert billing.get("/organization").headers["s-ratelimit-remaining"] == "0"
        assert billing.get("/organization").status_code == 429


def test_the_window_refills_and_throttled_requests_spent_nothing(
    simulator_factory: SimulatorFactory,
) -> None:
    simulator = limited(simulator_factory, limit=2, window_seconds=SHORT_WINDOW, daily_limit=10)
    with api_client(simulator) as client:
        responses = [client.get("/organization") for _ in range(4)]
        time.sleep(SHORT_WINDOW * 1.2)
        after_refill = client.get("/organization")
    assert [response.status_code for response in responses] == [200, 200, 429, 429]
    # Two refusals later the daily budget still shows only the two requests served.
    assert responses[-1].headers["s-ratelimit-daily-remaining"] == "8"
    assert after_refill.status_code == 200
    assert after_refill.headers["s-ratelimit-remaining"] == "1"
    assert after_refill.headers["s-ratelimit-daily-remaining"] == "7"


def test_the_daily_window_applies_to_its_operations_only(
    simulator_factory: SimulatorFactory,
) -> None:
    simulator = limited(simulator_factory, limit=100, daily_limit=2,
                        daily_operations=frozenset({"ListContacts"}))  # fmt: skip
    with api_client(simulator) as client:
        contacts = [client.get("/contacts", params={"pageSize": 1}) for _ in range(3)]
        organization = client.get("/organization")
    assert [response.headers.get("s-ratelimit-daily-remaining") for response in contacts] == [
        "1", "0", "0"
    ]  # fmt: skip
    assert [response.status_code for response in contacts] == [200, 200, 429]
    assert organization.status_code == 200
    assert not set(DAILY_HEADERS) & set(organization.headers)


def test_the_noisy_neighbour_spends_the_shared_budget(simulator_factory: SimulatorFactory) -> None:
    # 100 neighbour requests per 10 s window: one every 0.1 s, and no roll-over meanwhile.
    simulator = limited(simulator_factory, limit=200, window_seconds=10.0,
                        noisy_neighbour_share=0.5)  # fmt: skip
    time.sleep(0.6)
    with api_client(simulator) as client:
        remaining = int(client.get("/organization").headers["s-ratelimit-remaining"])
    counters = simulator.counters()
    spent_by_neighbour = 200 - 1 - remaining
    assert spent_by_neighbour > 0
    assert counters.neighbour_requests >= spent_by_neighbour
    assert counters.total_requests == 1  # the neighbour is not counted as our requests


def test_rate_limits_change_while_serving(simulator: Simulator) -> None:
    with api_client(simulator) as client, admin_client(simulator) as admin:
        simulator.set_rate_limit(RateLimitSettings(limit=3, window_seconds=30.0))
        assert client.get("/organization").headers["s-ratelimit-remaining"] == "2"
        assert admin.put("/rate-limit", json=None).json()["limit"] == DEFAULT_RATE_LIMIT.limit
        assert client.get("/organization").headers["s-ratelimit-limit"] == DEFAULT_LIMIT
        admin.put("/rate-limit", json={"limit": 9, "window_seconds": 30, "exhausted_status": 503})
        assert client.get("/organization").headers["s-ratelimit-remaining"] == "8"

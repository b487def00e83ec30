"""Webhook endpoints over the API: create (secret shown once), idempotency keys, pause,
delete, and Spruce's 400/404/422 answers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simulator import Simulator
from tests.fixtures.simulator import TEST_SETTINGS, ServeSimulator
from tests.simulator.http.clock import ManualClock
from tests.simulator.http.hooks import create_endpoint
from tests.simulator.http.spec import response_errors
from tests.simulator.http.wire import api_client, assert_spruce_error

ENDPOINTS = "/webhooks/endpoints"
HOOK_URL = "http://127.0.0.1:9/hook"  # never called: these tests make no change


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def client(serve_simulator: ServeSimulator, clock: ManualClock) -> Iterator[httpx.Client]:
    simulator = serve_simulator(Simulator(TEST_SETTINGS, clock=clock))
    with api_client(simulator) as client:
        yield client


def test_a_created_endpoint_shows_its_secret_once(client: httpx.Client) -> None:
    response = client.post(ENDPOINTS, json={"name": "sync", "url": HOOK_URL})

    assert response_errors("CreateWebhookEndpoint", 200, response.json()) == []
    created = response.json()["endpoint"]
    assert created["url"] == HOOK_URL and created["status"] == "active"
    [secret] = created["signingSecrets"]
    assert secret["id"].startswith("wss_") and len(secret["value"]) >= 32
    fetched = client.get(f"{ENDPOINTS}/{created['id']}").json()["endpoint"]
    assert fetched["signingSecrets"] == [{"id": secret["id"], "value": ""}]
    listed = client.get(ENDPOINTS).json()["endpoints"]
    assert fetched in listed


def test_a_repeated_idempotency_key_on_a_path_answers_422(client: httpx.Client) -> None:
    first = create_endpoint(client, HOOK_URL, key="key-1")
    repeat = client.post(ENDPOINTS, json={"name": "sync", "url": HOOK_URL},
                         headers={"s-idempotency-key": "key-1"})  # fmt: skip
    assert_spruce_error(repeat, 422, "s-idempotency-key")
    # The same key on another path is another request.
    paused = client.post(f"{ENDPOINTS}/{first['id']}/paused", params={"paused": "true"},
                         headers={"s-idempotency-key": "key-1"})  # fmt: skip
    assert paused.status_code == 200
    assert len([e for e in client.get(ENDPOINTS).json()["endpoints"] if e["url"] == HOOK_URL]) == 1


def test_a_key_is_kept_24_hours_and_a_failed_request_does_not_use_it(
    client: httpx.Client, clock: ManualClock
) -> None:
    failed = client.post(ENDPOINTS, json={"name": "sync"}, headers={"s-idempotency-key": "k"})
    assert_spruce_error(failed, 400, "url")
    create_endpoint(client, HOOK_URL, key="k")
    clock.advance(24 * 3600 - 1)
    again = client.post(ENDPOINTS, json={"name": "s", "url": HOOK_URL},
                        headers={"s-idempotency-key": "k"})  # fmt: skip
    assert again.status_code == 422
    clock.advance(2)
    create_endpoint(client, HOOK_URL, key="k")


@pytest.mark.parametrize(
    ("body", "headers", "words"),
    [
        (b"not json", {}, ["JSON object"]),
        (b'{"url": "http://127.0.0.1/x"}', {}, ["name is required"]),
        (b'{"name": "n", "url": "ftp://example.com/x"}', {}, ["http or https", "ftp"]),
        (b'{"name": "n", "url": "http://[::1/x"}', {}, ["http or https"]),
        (b'{"name": "n", "url": "http://127.0.0.1/x"}', {"s-idempotency-key": "k" * 256},
         ["at most 255"]),
    ],
)
def test_bad_endpoint_input_answers_400(
    client: httpx.Client, body: bytes, headers: dict[str, str], words: list[str]
) -> None:
    response = client.post(ENDPOINTS, content=body, headers=headers)
    assert_spruce_error(response, 400, *words)
    assert response_errors("CreateWebhookEndpoint", 400, response.json()) == []


def test_pausing_and_resuming_shows_in_the_endpoint(client: httpx.Client) -> None:
    endpoint_id = create_endpoint(client, HOOK_URL)["id"]
    statuses = []
    for paused in ("true", "false"):
        response = client.post(f"{ENDPOINTS}/{endpoint_id}/paused", params={"paused": paused})
        assert response_errors("ModifyWebhookEndpointPaused", 200, response.json()) == []
        assert response.json() == {"paused": paused == "true"}
        statuses.append(client.get(f"{ENDPOINTS}/{endpoint_id}").json()["endpoint"]["status"])
    assert statuses == ["paused", "active"]
    bad = client.post(f"{ENDPOINTS}/{endpoint_id}/paused", params={"paused": "maybe"})
    assert_spruce_error(bad, 400, "paused", "true or false")


def test_a_deleted_endpoint_is_gone_from_every_operation(client: httpx.Client) -> None:
    endpoint_id = create_endpoint(client, HOOK_URL)["id"]

    assert client.delete(f"{ENDPOINTS}/{endpoint_id}").status_code == 200

    assert endpoint_id not in {e["id"] for e in client.get(ENDPOINTS).json()["endpoints"]}
    for method, path in [("GET", ""), ("GET", "/events"), ("DELETE", ""),
                         ("POST", "/paused?paused=true")]:  # fmt: skip
        response = client.request(method, f"{ENDPOINTS}/{endpoint_id}{path}")
        assert_spruce_error(response, 404, endpoint_id)

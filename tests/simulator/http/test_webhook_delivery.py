"""Webhook deliveries over real HTTP: a receiver on loopback gets every change, signed,
retried on Spruce's (scaled) schedule, and the event log records each outcome."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from simulator import Simulator, WebhookSettings
from tests.fixtures.simulator import SimulatorFactory
from tests.simulator.http.hooks import (
    FAST,
    create_endpoint,
    logged_events,
    settle,
    signed_with,
    wait_for,
)
from tests.simulator.http.receiver import SLOW, Answer, Receiver
from tests.simulator.http.wire import admin_client, api_client

CHANGE = {"new_contacts": 2, "edited_contacts": 2, "new_items": 3, "deleted_items": 1}


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    """A receiver answering 200, or as the test's indirect parameter says."""
    answer: Answer = getattr(request, "param", lambda number: 200)
    with Receiver(answer).serving() as receiver:
        yield receiver


@pytest.fixture
def webhooks(request: pytest.FixtureRequest) -> WebhookSettings:
    """``FAST``, or the test's indirect parameter."""
    return getattr(request, "param", FAST)


@pytest.fixture
def simulator(simulator_factory: SimulatorFactory, webhooks: WebhookSettings) -> Simulator:
    return simulator_factory(scale="tiny", webhooks=webhooks)


@pytest.fixture
def client(simulator: Simulator) -> Iterator[httpx.Client]:
    with api_client(simulator) as client:
        yield client


@pytest.fixture
def admin(simulator: Simulator) -> Iterator[httpx.Client]:
    with admin_client(simulator) as admin:
        yield admin


@pytest.fixture
def endpoint(client: httpx.Client, receiver: Receiver) -> dict[str, Any]:
    return create_endpoint(client, receiver.url)


def secret_of(endpoint: dict[str, Any]) -> str:
    return str(endpoint["signingSecrets"][0]["value"])


def test_every_change_is_delivered_signed_and_logged(
    simulator: Simulator, client: httpx.Client, admin: httpx.Client, receiver: Receiver,
    endpoint: dict[str, Any],
) -> None:  # fmt: skip
    simulator.advance(CHANGE)
    simulator.advance({"merged_contacts": 1, "retitled_conversations": 1})

    counts = settle(admin)
    logged = logged_events(client, endpoint["id"])
    assert len(logged) >= 10 and counts["delivered"] == counts["submitted"] == len(logged)
    # The body is the log's envelope, byte for byte: each event once, none other.
    assert sorted(receiver.bodies()) == sorted(event["data"].encode() for event in logged)
    assert all(signed_with(secret_of(endpoint), received) for received in receiver.received)
    assert {event["delivery"]["status"] for event in logged} == {"delivered"}
    assert {event["delivery"]["attempts"] for event in logged} == {1}
    assert {"contact.merged", "conversationItem.deleted"} <= {
        received.event["type"] for received in receiver.received}


def test_a_rotated_secret_signs_from_then_on(
    simulator: Simulator, admin: httpx.Client, receiver: Receiver, endpoint: dict[str, Any]
) -> None:
    rotated = admin.post(f"/webhooks/endpoints/{endpoint['id']}/secrets").json()

    simulator.advance({"new_contacts": 1})

    settle(admin, lambda: len(receiver.received) == 1)
    [received] = receiver.received
    assert signed_with(rotated["value"], received)
    assert not signed_with(secret_of(endpoint), received)
    # One byte more and the signature no longer verifies.
    assert not signed_with(rotated["value"], replace(received, body=received.body + b" "))


@pytest.mark.parametrize(
    ("receiver", "webhooks"),
    [
        (lambda number: 500, FAST),
        (lambda number: 302, FAST),  # a redirect is not followed: not a 2xx
        (lambda number: SLOW, replace(FAST, timeout_seconds=0.2, attempt_limit=3)),
    ],
    indirect=True,
    ids=["500", "redirect", "too-slow"],
)
def test_a_failing_receiver_gets_every_retry_then_the_event_is_dropped(
    simulator: Simulator, client: httpx.Client, admin: httpx.Client, receiver: Receiver,
    endpoint: dict[str, Any], webhooks: WebhookSettings,
) -> None:  # fmt: skip
    simulator.advance({"new_contacts": 1})

    counts = settle(admin)
    limit = webhooks.attempt_limit
    assert len(receiver.received) == limit and len(set(receiver.bodies())) == 1
    arrivals = [received.at for received in receiver.received]
    # Never earlier than the retry interval (the machine may only make it later).
    assert all(later - earlier >= webhooks.retry_interval_seconds - 0.005
               for earlier, later in itertools.pairwise(arrivals))  # fmt: skip
    assert counts["dropped"] == 1 and counts["failed_attempts"] == limit
    [event] = logged_events(client, endpoint["id"])
    assert event["delivery"] == {"attempts": limit, "attemptLimit": limit, "status": "failed"}


@pytest.mark.parametrize("receiver", [lambda number: 503 if number <= 2 else 204], indirect=True,
                         ids=["503-503-204"])
def test_a_receiver_that_recovers_gets_the_event_at_the_third_attempt(
    simulator: Simulator, client: httpx.Client, admin: httpx.Client, receiver: Receiver,
    endpoint: dict[str, Any],
) -> None:  # fmt: skip
    simulator.advance({"new_contacts": 1})

    counts = settle(admin)
    assert len(receiver.received) == 3 and counts["delivered"] == 1
    [event] = logged_events(client, endpoint["id"])
    assert event["delivery"]["attempts"] == 3 and event["delivery"]["status"] == "delivered"
    assert "deliveryTime" in event["delivery"]


def test_a_paused_endpoint_gets_nothing_until_resumed(
    simulator: Simulator, client: httpx.Client, admin: httpx.Client, receiver: Receiver,
    endpoint: dict[str, Any],
) -> None:  # fmt: skip
    paused = f"/webhooks/endpoints/{endpoint['id']}/paused"
    client.post(paused, params={"paused": "true"})
    simulator.advance({"new_contacts": 2})
    settle(admin)
    client.post(paused, params={"paused": "false"})
    simulator.advance({"edited_contacts": 1})

    settle(admin, lambda: len(receiver.received) == 1)
    assert receiver.received[0].event["type"] == "contact.updated"
    statuses = [event["delivery"]["status"] for event in logged_events(client, endpoint["id"])]
    assert statuses == ["paused", "paused", "delivered"]


@pytest.mark.parametrize("receiver", [lambda number: 500], indirect=True, ids=["500"])
def test_deleting_an_endpoint_abandons_its_retries(
    simulator: Simulator, client: httpx.Client, admin: httpx.Client, receiver: Receiver,
    endpoint: dict[str, Any],
) -> None:  # fmt: skip
    admin.put("/webhooks", json={"retry_interval_seconds": 0.5})
    simulator.advance({"new_contacts": 1})
    wait_for(lambda: bool(receiver.received))
    client.delete(f"/webhooks/endpoints/{endpoint['id']}")

    counts = settle(admin)
    assert counts["abandoned"] == 1 and len(receiver.received) <= 2


@pytest.mark.parametrize("webhooks", [replace(FAST, duplicate_probability=1.0)], indirect=True)
def test_duplicates_deliver_each_event_twice(
    simulator: Simulator, admin: httpx.Client, receiver: Receiver, endpoint: dict[str, Any]
) -> None:
    simulator.advance({"new_contacts": 3})

    # a duplicate is not outstanding: wait for its count, not only for its body
    counts = settle(admin, lambda: len(receiver.received) == 6,
                    counted=lambda counts: counts["duplicates"] == 3)  # fmt: skip
    bodies = receiver.bodies()
    assert all(bodies.count(body) == 2 for body in bodies)
    assert counts["attempts"] == 3


@pytest.mark.parametrize("webhooks", [replace(FAST, concurrency=1)], indirect=True)
@pytest.mark.parametrize("order", ["reversed", "sent"])
def test_held_deliveries_are_released_in_the_order_asked(
    simulator: Simulator, admin: httpx.Client, receiver: Receiver, endpoint: dict[str, Any],
    order: str,
) -> None:  # fmt: skip
    admin.post("/webhooks/hold")
    simulator.advance({"new_contacts": 1})
    simulator.advance({"edited_contacts": 1})
    simulator.advance({"deleted_contacts": 1})
    assert admin.get("/webhooks").json()["held"] == 3

    admin.post("/webhooks/release", json={"order": order})

    settle(admin, lambda: len(receiver.received) == 3)
    types = [received.event["type"] for received in receiver.received]
    made = ["contact.created", "contact.updated", "contact.deleted"]
    assert types == (made[::-1] if order == "reversed" else made)


@pytest.mark.parametrize(
    "webhooks", [replace(FAST, delay_probability=1.0, delay_seconds=2.0)], indirect=True
)
def test_a_delayed_delivery_is_overtaken_by_later_ones(
    simulator: Simulator, admin: httpx.Client, receiver: Receiver, endpoint: dict[str, Any]
) -> None:
    simulator.advance({"new_contacts": 1})
    admin.put("/webhooks", json={"delay_probability": 0.0})
    simulator.advance({"edited_contacts": 1})

    settle(admin, lambda: len(receiver.received) == 2)
    types = [received.event["type"] for received in receiver.received]
    assert types == ["contact.updated", "contact.created"]


@pytest.mark.parametrize("webhooks", [replace(FAST, event_ids=True)], indirect=True)
def test_event_ids_are_the_logs_ids_when_asked_for(
    simulator: Simulator, client: httpx.Client, admin: httpx.Client, receiver: Receiver,
    endpoint: dict[str, Any],
) -> None:  # fmt: skip
    simulator.advance({"new_contacts": 2})

    settle(admin, lambda: len(receiver.received) == 2)
    logged = {event["id"] for event in logged_events(client, endpoint["id"])}
    assert {received.event["id"] for received in receiver.received} == logged


@pytest.mark.parametrize("receiver", [lambda number: 500], indirect=True, ids=["500"])
def test_the_simulator_stops_with_retries_pending(
    simulator: Simulator, admin: httpx.Client, receiver: Receiver, endpoint: dict[str, Any]
) -> None:
    admin.put("/webhooks", json={"retry_interval_seconds": 60.0})
    simulator.advance({"new_contacts": 1})
    wait_for(lambda: bool(receiver.received))

    simulator.stop()

    assert simulator.webhooks.snapshot()["outstanding"] == 1


@pytest.mark.parametrize("webhooks", [replace(FAST, queue_limit=2)], indirect=True)
def test_changes_made_while_stopped_are_sent_at_the_next_start_up_to_the_queue_limit(
    simulator: Simulator, receiver: Receiver, endpoint: dict[str, Any]
) -> None:
    simulator.stop()
    simulator.advance({"new_contacts": 3})

    with simulator.running(), admin_client(simulator) as admin, api_client(simulator) as client:
        counts = settle(admin, lambda: len(receiver.received) == 2)
        statuses = [e["delivery"]["status"] for e in logged_events(client, endpoint["id"])]
    assert counts["overflowed"] == 1 and counts["delivered"] == 2
    assert sorted(statuses) == ["delivered", "delivered", "failed"]

"""Webhook endpoints and deliveries as the tests drive them: over the API and /_sim."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import httpx

from simulator import WebhookSettings
from tests.simulator.http.receiver import Received
from tests.simulator.http.wire import read_pages

# Spruce's schedule sped up: retries 50 ms apart, the timeout kept at Spruce's 5 s so that
# a loaded machine never fails a delivery the test expects to succeed.
FAST = WebhookSettings(retry_interval_seconds=0.05, timeout_seconds=5.0)
SETTLE_SECONDS = 20.0


def create_endpoint(client: httpx.Client, url: str, key: str | None = None) -> dict[str, Any]:
    """A new endpoint (its secret's value included) for ``url``."""
    headers = {"s-idempotency-key": key} if key else {}
    response = client.post("/webhooks/endpoints", json={"name": "tests", "url": url},
                           headers=headers)  # fmt: skip
    assert response.status_code == 200, response.text
    return dict(response.json()["endpoint"])


def wait_for(condition: Callable[[], bool], what: str = "the condition") -> None:
    """Poll ``condition`` until it holds; fail after ``SETTLE_SECONDS``."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {SETTLE_SECONDS} s")
        time.sleep(0.02)


def settle(
    admin: httpx.Client, until: Callable[[], bool] = lambda: True,
    counted: Callable[[dict[str, Any]], bool] = lambda counts: True,
) -> dict[str, Any]:  # fmt: skip
    """The delivery counts once nothing is outstanding, ``until()`` holds and the counts
    returned satisfy ``counted`` (a POST is counted once its answer is back, after the
    receiver has the body)."""
    counts: dict[str, Any] = {}

    def settled() -> bool:
        counts.update(admin.get("/webhooks").json())
        return counts["outstanding"] == 0 and counted(counts) and until()

    wait_for(settled, "settled deliveries")
    return counts


def logged_events(client: httpx.Client, endpoint_id: str) -> list[dict[str, Any]]:
    """Every event of the endpoint's event log."""
    return read_pages(client, f"/webhooks/endpoints/{endpoint_id}/events", "events", {})


def signed_with(secret: str, received: Received) -> bool:
    """Whether ``received`` carries Spruce's signature of its body with ``secret``."""
    expected = base64.b64encode(hmac.new(secret.encode(), received.body, hashlib.sha256).digest())
    return received.signature is not None and hmac.compare_digest(
        expected, received.signature.encode())

"""Counters: what the simulator served, per operation, status, page size and concurrency."""

from __future__ import annotations

import orjson

from simulator import RateLimitSettings, Simulator
from tests.simulator.http.wire import api_client


def test_requests_are_counted_by_operation_status_and_page_size(simulator: Simulator) -> None:
    with api_client(simulator) as client:
        client.get("/contacts", params={"pageSize": 7})
        client.get("/contacts")
        client.get("/contacts", params={"pageSize": 9000})
        client.get("/conversations")  # orderBy missing
        client.get("/organization")
    counters = simulator.counters()
    assert counters.total_requests == 5
    assert counters.by_operation == {"ListContacts": 3, "ListConversations": 1, "Organization": 1}
    assert counters.by_status == {200: 3, 400: 2}
    assert counters.by_operation_status["ListContacts"] == {200: 2, 400: 1}
    assert counters.page_sizes == {"ListContacts": {7: 1, 50: 1}}  # 50: the default
    assert counters.bad_requests == 2
    assert counters.peak_concurrency == 1


def test_throttled_responses_are_counted_apart_from_faults(simulator: Simulator) -> None:
    simulator.set_rate_limit(RateLimitSettings(limit=1, window_seconds=30.0))
    with api_client(simulator) as client:
        client.get("/organization"), client.get("/organization")
    counters = simulator.counters()
    assert (counters.throttled, counters.faults_injected) == (1, {})
    assert counters.by_status == {200: 1, 429: 1}


def test_a_snapshot_is_frozen_and_json_ready(simulator: Simulator) -> None:
    with api_client(simulator) as client:
        client.get("/organization")
        before = simulator.counters()
        client.get("/organization")
    simulator.reset_counters()
    assert before.total_requests == 1
    assert simulator.counters().total_requests == 0
    assert orjson.loads(orjson.dumps(before.to_dict()))["by_status"] == {"200": 1}
